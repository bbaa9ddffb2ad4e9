//! End to end: the built binary exports the fixed corpus in every format (to
//! stdout and with -o), refuses bad usage, and imports its own exports back.

mod common;
#[path = "common/export_fixtures.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::stderr;

use claimtag_model::format::Annotation;
use claimtag_model::store;

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// The binary with a clean environment: no user config, no annotator set.
fn claimtag(home: &Path, args: &[&str]) -> Output {
    common::claimtag_isolated(home).args(args).output().unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn exports_every_format_to_stdout_and_file() {
    let corpus = support::fixture_corpus();
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let root = s(corpus.path());
    let cases: &[(&str, &[&str])] = &[
        ("jsonl.jsonl", &["--format", "jsonl"]),
        (
            "jsonl-utf16.jsonl",
            &["--format", "jsonl", "--offsets", "utf16"],
        ),
        (
            "jsonl-byte.jsonl",
            &["--format", "jsonl", "--offsets", "byte"],
        ),
        ("doccano.jsonl", &["--format", "doccano"]),
        (
            "doccano-relations.jsonl",
            &["--format", "doccano", "--relations"],
        ),
        ("csv.csv", &["--format", "csv"]),
        ("csv-utf16.csv", &["--format", "csv", "--offsets", "utf16"]),
        ("conll.conll", &["--format", "conll"]),
    ];
    for (name, flags) in cases {
        let want = std::fs::read(golden(name)).unwrap();
        let mut args = vec!["export", root];
        args.extend_from_slice(flags);
        let o = claimtag(home.path(), &args);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        assert_eq!(o.stdout, want, "{name} on stdout");
        // stderr is not a terminal here: no progress bar, just the summary.
        let err = stderr(&o);
        assert!(!err.contains('\r') && !err.contains('\u{1b}'), "{err:?}");
        assert!(
            err.contains("exported 4 document(s), 12 span(s) of annotator gold to stdout"),
            "{err}"
        );
        let file = out.path().join(name);
        args.extend_from_slice(&["-o", s(&file)]);
        let o = claimtag(home.path(), &args);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
        assert_eq!(std::fs::read(&file).unwrap(), want, "{name} with -o");
    }
    let brat = out.path().join("brat");
    let o = claimtag(
        home.path(),
        &["export", root, "--format", "brat", "-o", s(&brat)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let mut names: Vec<String> = std::fs::read_dir(&brat)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 9, "{names:?}");
    for n in &names {
        assert_eq!(
            std::fs::read(brat.join(n)).unwrap(),
            std::fs::read(golden(&format!("brat/{n}"))).unwrap(),
            "{n}"
        );
    }
}

/// A corpus on a read-only disk, or checked out without write permission,
/// exports as any other: export never writes a sidecar, so a sidecar it may
/// not write is no reason to refuse it.
#[cfg(unix)]
#[test]
fn a_read_only_corpus_exports() {
    use std::os::unix::fs::PermissionsExt;
    let corpus = support::fixture_corpus();
    let home = tempfile::tempdir().unwrap();
    let mut files = vec![corpus.path().to_path_buf()];
    let mut folders = vec![corpus.path().to_path_buf()];
    while let Some(dir) = folders.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path.clone());
            }
            files.push(path);
        }
    }
    // Files first, then folders, deepest last in the list.
    files.sort_by_key(|p| (p.is_dir(), std::cmp::Reverse(p.components().count())));
    let mode =
        |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    for p in &files {
        mode(p, if p.is_dir() { 0o555 } else { 0o444 });
    }
    let o = claimtag(
        home.path(),
        &["export", s(corpus.path()), "--format", "jsonl"],
    );
    for p in files.iter().rev() {
        mode(p, if p.is_dir() { 0o755 } else { 0o644 });
    }
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(o.stdout, std::fs::read(golden("jsonl.jsonl")).unwrap());
}

/// `--done-only` keeps the documents whose sidecar says `status: done`, in
/// path order, and says how many it left out.
#[test]
fn done_only_exports_the_documents_marked_done() {
    let corpus = support::fixture_corpus();
    let home = tempfile::tempdir().unwrap();
    let first = corpus.path().join(support::ARTICLE_0);
    let mut art = claimtag_model::Article::open(&first, "gold").unwrap();
    art.sidecar.status = Some(claimtag_model::Status::Done);
    art.save().unwrap();
    let o = claimtag(
        home.path(),
        &[
            "export",
            s(corpus.path()),
            "--format",
            "jsonl",
            "--done-only",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout.clone()).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(lines[0].contains(support::ARTICLE_0), "{out}");
    assert!(
        stderr(&o).contains("--done-only: 1 of 4 document(s) are marked done by gold"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn annotator_flag_overrides_gold_and_conll_reports_widening() {
    let corpus = support::fixture_corpus();
    let home = tempfile::tempdir().unwrap();
    let root = s(corpus.path());
    let o = claimtag(
        home.path(),
        &["export", root, "--format", "csv", "--annotator", "alice"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = String::from_utf8(o.stdout).unwrap();
    assert_eq!(
        csv.matches("\r\n").count(),
        2,
        "header and alice's span; documents without spans left out: {csv}"
    );
    assert!(csv.contains(",a1,claim,") && csv.contains("Taking to Twitter"));
    let o = claimtag(home.path(), &["export", root, "--format", "conll"]);
    assert!(
        stderr(&o).contains("conll: 1 span(s) widened"),
        "{}",
        stderr(&o)
    );
    // Without gold anywhere, the configured annotator ($USER here) is used.
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("a.txt"), "Hello there.").unwrap();
    let o = claimtag(
        home.path(),
        &["export", s(plain.path()), "--format", "jsonl"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        String::from_utf8(o.stdout)
            .unwrap()
            .contains("\"annotator\":\"tester\"")
    );
}

#[test]
fn bad_usage_and_bad_sidecars_exit_2_without_output() {
    let corpus = support::fixture_corpus();
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let root = s(corpus.path());
    let target = out.path().join("x");
    for flags in [
        &["--format", "brat", "--offsets", "utf16", "-o"][..],
        &["--format", "conll", "--offsets", "byte", "-o"][..],
    ] {
        let mut args = vec!["export", root];
        args.extend_from_slice(flags);
        args.push(s(&target));
        let o = claimtag(home.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains("code points"), "{}", stderr(&o));
    }
    let o = claimtag(home.path(), &["export", root, "--format", "brat"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("-o DIR"), "{}", stderr(&o));

    // A gold sidecar that does not parse: file:line:col, exit 2, nothing written.
    let bad = store::sidecar_path(&corpus.path().join("plain.txt"), "gold");
    std::fs::write(&bad, "format: claimtag/1\nannotations: [\n").unwrap();
    let out_file = out.path().join("x.jsonl");
    let o = claimtag(
        home.path(),
        &["export", root, "--format", "jsonl", "-o", s(&out_file)],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("plain.txt.gold.ann.yaml:"), "{err}");
    let line = err.lines().next().unwrap();
    assert!(
        line.split("ann.yaml:")
            .nth(1)
            .unwrap()
            .split(':')
            .take(2)
            .all(|n| n.parse::<u64>().is_ok()),
        "line:col in {line}"
    );
    assert!(!out_file.exists());
    let o = claimtag(
        home.path(),
        &["export", root, "--format", "brat", "-o", s(&target)],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!target.exists());
}

#[test]
fn orphaned_spans_are_skipped_with_a_warning() {
    let corpus = support::fixture_corpus();
    let home = tempfile::tempdir().unwrap();
    // The quote of gold a2 (a denial) disappears from the source.
    let src = corpus.path().join(support::ARTICLE_0);
    let text = std::fs::read_to_string(&src).unwrap();
    std::fs::write(
        &src,
        text.replace("this is a conspiracy theory", "this is unfounded"),
    )
    .unwrap();
    let o = claimtag(
        home.path(),
        &["export", s(corpus.path()), "--format", "jsonl"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("000_7b58e148c564b8d5.txt.gold.ann.yaml: span a2 is orphaned"),
        "{err}"
    );
    assert!(err.contains("11 span(s)"), "{err}");
}

/// (start, end, label, claimant, note, links as (rel, target start, target end))
type SpanView = (
    usize,
    usize,
    String,
    Option<String>,
    Option<String>,
    Vec<(String, usize, usize)>,
);

fn spans_of(source: &Path, annotator: &str) -> Vec<SpanView> {
    let Some((side, _)) = store::read_sidecar(&store::sidecar_path(source, annotator)).unwrap()
    else {
        return vec![];
    };
    let anns: &[Annotation] = &side.annotations;
    let mut out: Vec<_> = anns
        .iter()
        .map(|a| {
            let mut links: Vec<(String, usize, usize)> = a
                .links
                .iter()
                .map(|l| {
                    let to = anns.iter().find(|b| b.id == l.to).unwrap();
                    (l.rel.clone(), to.start, to.end)
                })
                .collect();
            links.sort();
            (
                a.start,
                a.end,
                a.label.clone(),
                a.claimant.clone(),
                a.note.clone(),
                links,
            )
        })
        .collect();
    out.sort();
    out
}

/// A copy of the fixture's sources, without sidecars.
fn fresh_copy(corpus: &Path) -> tempfile::TempDir {
    let fresh = tempfile::tempdir().unwrap();
    for rel in [support::ARTICLE_0, "plain.txt", "more/mixed.txt"]
        .into_iter()
        .map(String::from)
        .chain([format!("more/{}", support::ARTICLE_1)])
    {
        let to = fresh.path().join(&rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(corpus.join(&rel), to).unwrap();
    }
    fresh
}

#[test]
fn import_round_trips_through_the_binary() {
    let corpus = support::fixture_corpus();
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let root = s(corpus.path());
    let sources = [
        PathBuf::from(support::ARTICLE_0),
        PathBuf::from(format!("more/{}", support::ARTICLE_1)),
        PathBuf::from("more/mixed.txt"),
        PathBuf::from("plain.txt"),
    ];
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "r.jsonl",
            &["--format", "jsonl", "--offsets", "utf16"],
            "jsonl",
        ),
        (
            "r-doccano.jsonl",
            &["--format", "doccano", "--relations"],
            "doccano",
        ),
        ("rbrat", &["--format", "brat"], "brat"),
    ];
    for (file, flags, from) in cases {
        let path = out.path().join(file);
        let mut args = vec!["export", root];
        args.extend_from_slice(flags);
        args.extend_from_slice(&["-o", s(&path)]);
        let o = claimtag(home.path(), &args);
        assert!(o.status.success(), "{}", stderr(&o));

        let fresh = fresh_copy(corpus.path());
        let import = |extra: &[&str]| {
            let mut a = vec![
                "import",
                "--from",
                from,
                s(&path),
                "--corpus",
                s(fresh.path()),
                "--annotator",
                "imp",
            ];
            a.extend_from_slice(extra);
            claimtag(home.path(), &a)
        };
        let o = import(&[]);
        assert!(o.status.success(), "{from}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("imported 4 of 4 record(s)"),
            "{}",
            stderr(&o)
        );
        for rel in &sources {
            let mut want = spans_of(&corpus.path().join(rel), "gold");
            if *from == "brat" {
                // An .ann line cannot hold a line break: notes get spaces.
                for w in &mut want {
                    w.4 = w.4.as_ref().map(|n| n.replace('\n', " "));
                }
            }
            assert_eq!(
                spans_of(&fresh.path().join(rel), "imp"),
                want,
                "{from}: {}",
                rel.display()
            );
        }
        // Nothing existing is overwritten without --force.
        let o = import(&[]);
        assert_eq!(o.status.code(), Some(1), "{from}");
        assert!(
            stderr(&o).contains("exists; not overwritten"),
            "{}",
            stderr(&o)
        );
        let o = import(&["--force"]);
        assert!(o.status.success(), "{from}: {}", stderr(&o));
    }
}

#[test]
fn import_refuses_bad_input() {
    let corpus = support::fixture_corpus();
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let input = out.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"source\":\"../escape.txt\",\"spans\":[]}\n{\"text\":\"no such text\",\"spans\":[]}\n",
    )
    .unwrap();
    let o = claimtag(
        home.path(),
        &[
            "import",
            "--from",
            "jsonl",
            s(&input),
            "--corpus",
            s(corpus.path()),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "no --annotator");
    let o = claimtag(
        home.path(),
        &[
            "import",
            "--from",
            "jsonl",
            s(&input),
            "--corpus",
            s(corpus.path()),
            "--annotator",
            "imp",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("in.jsonl:1: skipped: source \"../escape.txt\""),
        "{err}"
    );
    assert!(err.contains("in.jsonl:2: skipped: no source in"), "{err}");
    assert!(!out.path().join("escape.txt.imp.ann.yaml").exists());
}

/// Import works a window of records at a time; what it checks across
/// records (a source imported twice) and its counts still hold across
/// windows, and a second input file that cannot be read stops it before
/// anything is written.
#[test]
fn import_holds_across_windows() {
    let corpus = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut lines = String::new();
    for i in 0..600 {
        let name = format!("{i:04}.txt");
        std::fs::write(corpus.path().join(&name), format!("Article {i} said so.")).unwrap();
        lines += &format!(
            "{{\"source\":\"{name}\",\"spans\":[{{\"start\":0,\"end\":7,\"label\":\"claim\"}}]}}\n"
        );
    }
    // Line 601 names the first source again: refused, in another window.
    lines += "{\"source\":\"0000.txt\",\"spans\":[]}\n";
    let input = out.path().join("in.jsonl");
    std::fs::write(&input, &lines).unwrap();
    let import = |files: &[&str]| {
        let mut args = vec!["import", "--from", "jsonl", "--annotator", "imp"];
        args.extend_from_slice(files);
        args.extend_from_slice(&["--corpus", s(corpus.path())]);
        claimtag(home.path(), &args)
    };
    let missing = out.path().join("missing.jsonl");
    let o = import(&[s(&input), s(&missing)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("missing.jsonl"), "{}", stderr(&o));
    assert!(!corpus.path().join("0000.txt.imp.ann.yaml").exists());

    let o = import(&[s(&input)]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("in.jsonl:601: skipped:") && err.contains("was already imported from"),
        "{err}"
    );
    assert!(err.contains("imported 600 of 601 record(s)"), "{err}");
    for i in [0, 255, 256, 599] {
        let spans = spans_of(&corpus.path().join(format!("{i:04}.txt")), "imp");
        assert_eq!(spans.len(), 1, "article {i}");
    }
}

#[test]
fn progress_bar_is_drawn_on_a_terminal() {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::Read;

    let corpus = support::fixture_corpus();
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("x.csv");
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 100,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_claimtag"));
    cmd.args([
        "export",
        s(corpus.path()),
        "--format",
        "csv",
        "-o",
        s(&target),
    ]);
    cmd.env_remove("CLAIMTAG_ANNOTATOR");
    cmd.env_remove("CLAIMTAG_CONFIG");
    cmd.env("HOME", home.path());
    cmd.env("XDG_CONFIG_HOME", home.path().join(".config"));
    cmd.env("TERM", "xterm-256color");
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    // The pty reports an error (EIO) instead of EOF once the child is gone.
    while let Ok(n) = reader.read(&mut buf) {
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&buf[..n]);
    }
    assert!(child.wait().unwrap().success());
    let screen = String::from_utf8_lossy(&bytes);
    assert!(screen.contains("/4"), "no progress bar drawn: {screen:?}");
    assert!(screen.contains("exported 4 document(s)"), "{screen:?}");
    assert_eq!(
        std::fs::read(&target).unwrap(),
        std::fs::read(golden("csv.csv")).unwrap()
    );
}

/// `-o` naming a pipe (or `/dev/null`, `/dev/stdout`) writes into it: the
/// export used to be renamed over it, putting a regular file in its place
/// (`/dev/null` for every program on the machine), and without `--force`
/// it was refused as a file that exists.
#[cfg(unix)]
#[test]
fn an_export_to_a_pipe_goes_into_the_pipe() {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;

    let corpus = support::fixture_corpus();
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("dataset.jsonl");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let path = fifo.clone();
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::fs::File::open(&path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map(|_| bytes)
    });
    let o = claimtag(
        home.path(),
        &[
            "export",
            s(corpus.path()),
            "--format",
            "jsonl",
            "-o",
            s(&fifo),
        ],
    );
    // Lets the reader go if nothing was written into the pipe (opening a
    // pipe to read and write does not wait for the other end).
    let _ = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo);
    let read = reader.join().unwrap().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let want = std::fs::read(golden("jsonl.jsonl")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&read),
        String::from_utf8_lossy(&want)
    );
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the pipe was replaced: {kind:?}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// A folder past the index's bounds (16,384 names, 8,192 sources) is sorted
/// and indexed through temporary files; where none can be made (`TMPDIR`
/// missing) the names are held instead, and the export is the same.
#[test]
fn a_corpus_past_the_bounds_exports_the_same_without_a_temporary_folder() {
    let corpus = tempfile::tempdir().unwrap();
    for i in 0..17_000 {
        std::fs::write(
            corpus.path().join(format!("{i:05}.txt")),
            format!("text {i}\n"),
        )
        .unwrap();
    }
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let export = |tmpdir: &Path, name: &str| {
        let path = out.path().join(name);
        let o = common::claimtag_isolated(home.path())
            .env("TMPDIR", tmpdir)
            .args([
                "export",
                s(corpus.path()),
                "--annotator",
                "zed",
                "--format",
                "jsonl",
                "-o",
            ])
            .arg(&path)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read_to_string(&path).unwrap()
    };
    let through_files = export(&std::env::temp_dir(), "a.jsonl");
    let held = export(&out.path().join("no such folder"), "b.jsonl");
    assert_eq!(through_files.lines().count(), 17_000);
    assert!(through_files.lines().next().unwrap().contains("00000.txt"));
    assert!(through_files.lines().last().unwrap().contains("16999.txt"));
    assert!(through_files == held, "the exports differ");
}
