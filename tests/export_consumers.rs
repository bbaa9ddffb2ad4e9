//! Issue 11 (and issue 10 item 4): exports that the consuming tools read right,
//! and imports that never shift or drop silently. Each test reproduces what
//! the consumer does: doccano counts UTF-16 units (browser string indices) and
//! guesses the file's encoding; brat reads `.ann` lines with Python's
//! `str.splitlines` and compares a span's text field with the fragments'
//! texts joined by a space; pandas infers a column's type from all its cells.

#[path = "common/export_fixtures.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Output};

use claimtag_model::store;
use claimtag_model::text::Document;
use support::Want;

/// The binary with a clean environment: no user config, no annotator set.
fn claimtag(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_claimtag"))
        .args(args)
        .env_remove("CLAIMTAG_ANNOTATOR")
        .env_remove("CLAIMTAG_CONFIG")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("USER", "tester")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const FLAG_TEXT: &str = "🇦🇫 Saleh wrote it.\n";

/// A corpus with one source `a.txt` holding `text` and alice's spans.
fn corpus_with(text: &str, wants: &[Want]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("a.txt");
    std::fs::write(&src, text).unwrap();
    if !wants.is_empty() {
        support::write_sidecar(&src, "alice", wants);
    }
    dir
}

fn export(home: &Path, corpus: &Path, flags: &[&str]) -> Output {
    let mut args = vec!["export", s(corpus), "--annotator", "alice"];
    args.extend_from_slice(flags);
    claimtag(home, &args)
}

fn import(home: &Path, corpus: &Path, from: &str, input: &Path, flags: &[&str]) -> Output {
    let mut args = vec![
        "import",
        "--from",
        from,
        s(input),
        "--corpus",
        s(corpus),
        "--annotator",
        "imp",
    ];
    args.extend_from_slice(flags);
    claimtag(home, &args)
}

/// `(start, end, label, text)` of the imported spans of `a.txt`.
fn imported(corpus: &Path) -> Vec<(usize, usize, String, String)> {
    let side = store::sidecar_path(&corpus.join("a.txt"), "imp");
    let (sc, _) = store::read_sidecar(&side).unwrap().unwrap();
    sc.annotations
        .into_iter()
        .map(|a| (a.start, a.end, a.label, a.text))
        .collect()
}

// ---- doccano ------------------------------------------------------------

#[test]
fn doccano_export_counts_utf16_units_by_default() {
    let home = tempfile::tempdir().unwrap();
    let c = corpus_with(FLAG_TEXT, &[Want::new("a1", "claim", "Saleh")]);
    let o = export(home.path(), c.path(), &["--format", "doccano"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    // JavaScript: "🇦🇫 Saleh".slice(5, 10) === "Saleh" (each flag letter is 2 units).
    assert!(out.contains("\"label\":[[5,10,\"claim\"]]"), "{out}");
    assert!(out.contains("\"offsets\":\"utf16\""), "{out}");
    let help = stdout(&claimtag(home.path(), &["export", "--help"]));
    assert!(help.contains("doccano: utf16"), "{help}");
}

#[test]
fn doccano_export_is_ascii_so_doccano_auto_detects_it() {
    let home = tempfile::tempdir().unwrap();
    let c = corpus_with("Café said 😀 yes.\n", &[Want::new("a1", "claim", "yes")]);
    let o = export(home.path(), c.path(), &["--format", "doccano"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_ascii(), "{}", stdout(&o));
    let rec: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(rec["text"], "Café said 😀 yes.\n");
}

#[test]
fn doccano_import_counts_utf16_units_unless_told() {
    let home = tempfile::tempdir().unwrap();
    let c = corpus_with(FLAG_TEXT, &[]);
    let input = c.path().join("in.jsonl");
    // As doccano writes it: no `offsets` key.
    let line = format!(
        "{{\"id\":1,\"text\":{},\"label\":[[5,10,\"claim\"]],\"Comments\":[]}}\n",
        serde_json::to_string(FLAG_TEXT).unwrap()
    );
    std::fs::write(&input, &line).unwrap();
    let o = import(home.path(), c.path(), "doccano", &input, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(imported(c.path())[0].3, "Saleh");

    // The same spans counted in code points, said with --offsets.
    std::fs::write(&input, line.replace("[5,10,", "[3,8,")).unwrap();
    let o = import(
        home.path(),
        c.path(),
        "doccano",
        &input,
        &["--offsets", "codepoint", "--force"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(imported(c.path())[0].3, "Saleh");
}

#[test]
fn import_refuses_offsets_inside_a_surrogate_pair_or_a_grapheme() {
    let home = tempfile::tempdir().unwrap();
    let text = "🇦🇫 Cafe\u{301} opened.\n";
    let c = corpus_with(text, &[]);
    let input = c.path().join("in.jsonl");
    let t = serde_json::to_string(text).unwrap();
    std::fs::write(
        &input,
        format!(
            // 1: utf16 3 is inside the second regional indicator (surrogate pair);
            // 2: utf16 2 is between the two flag letters (inside a grapheme);
            // 3: utf16 9 is between "e" and its combining accent;
            // 4: past the end.
            "{{\"text\":{t},\"label\":[[3,6,\"claim\"]]}}\n{{\"text\":{t},\"label\":[[2,6,\"claim\"]]}}\n{{\"text\":{t},\"label\":[[5,9,\"claim\"]]}}\n{{\"text\":{t},\"label\":[[5,90,\"claim\"]]}}\n"
        ),
    )
    .unwrap();
    let o = import(home.path(), c.path(), "doccano", &input, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    for line in 1..=4 {
        assert!(
            err.contains(&format!("in.jsonl:{line}: span")),
            "{line}: {err}"
        );
    }
    assert!(err.contains("surrogate pair"), "{err}");
    assert!(err.contains("inside a grapheme"), "{err}");
    assert!(err.contains("past the end"), "{err}");
    assert!(!store::sidecar_path(&c.path().join("a.txt"), "imp").exists());
}

#[test]
fn import_refuses_unknown_labels_and_empty_spans_unless_kept() {
    let home = tempfile::tempdir().unwrap();
    let text = "The minister said it was over.\n";
    let c = corpus_with(text, &[]);
    let input = c.path().join("in.jsonl");
    std::fs::write(
        &input,
        format!(
            "{{\"text\":{},\"label\":[[4,12,\"claim\"],[18,18,\"claim\"],[0,3,\"PERSON\"]]}}\n",
            serde_json::to_string(text).unwrap()
        ),
    )
    .unwrap();
    let o = import(home.path(), c.path(), "doccano", &input, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("in.jsonl:1: span #1: empty span"), "{err}");
    assert!(
        err.contains("in.jsonl:1: span #2: label \"PERSON\" is not in the scheme"),
        "{err}"
    );
    assert!(!store::sidecar_path(&c.path().join("a.txt"), "imp").exists());
    let o = import(
        home.path(),
        c.path(),
        "doccano",
        &input,
        &["--keep-unknown-labels", "--keep-empty-spans"],
    );
    assert!(o.status.success(), "kept and reported: {}", stderr(&o));
    assert!(stderr(&o).contains("kept"), "{}", stderr(&o));
    assert_eq!(imported(c.path()).len(), 3);
}

#[test]
fn a_record_failing_a_type_check_is_counted() {
    let home = tempfile::tempdir().unwrap();
    let c = corpus_with("Some text.\n", &[]);
    let input = c.path().join("in.jsonl");
    std::fs::write(&input, "{\"text\":5,\"label\":[]}\n").unwrap();
    let o = import(home.path(), c.path(), "doccano", &input, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("imported 0 of 1 record(s)"),
        "{}",
        stderr(&o)
    );
}

// ---- brat ---------------------------------------------------------------

/// brat's reading of a `.ann` against its `.txt` (server/src/annotation.py):
/// lines as `str.splitlines(keepends=True)`, id TAB data TAB tail, the text
/// field is the first `spanlen` characters of the tail and must equal the
/// fragments' texts joined by a space. Returns one message per refused line.
fn brat_refusals(txt: &str, ann: &str) -> Vec<String> {
    let doc: Vec<char> = txt.chars().collect();
    let mut out = Vec::new();
    let mut lines = Vec::new();
    let mut cur = String::new();
    let mut chars = ann.chars().peekable();
    while let Some(c) = chars.next() {
        if store_is_python_break(c) {
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            lines.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    for line in lines {
        let Some((id, rest)) = line.split_once('\t') else {
            out.push(format!("no tab: {line:?}"));
            continue;
        };
        if !id.starts_with('T') {
            continue;
        }
        let (data, tail) = rest.split_once('\t').unwrap_or((rest, ""));
        let (_, offsets) = data.split_once(' ').unwrap();
        let spans: Vec<(usize, usize)> = offsets
            .split(';')
            .map(|f| {
                let (a, b) = f.split_once(' ').unwrap();
                (a.parse().unwrap(), b.trim_end().parse().unwrap())
            })
            .collect();
        let spanlen: usize = spans.iter().map(|(a, b)| b - a).sum::<usize>() + spans.len() - 1;
        let reftext = spans
            .iter()
            .map(|&(a, b)| doc[a..b].iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ");
        let text: String = tail.chars().take(spanlen).collect();
        if text != reftext {
            out.push(format!(
                "{id}: text {text:?} does not match marked span(s) {reftext:?}"
            ));
        }
    }
    out
}

fn store_is_python_break(c: char) -> bool {
    "\n\r\u{b}\u{c}\u{1c}\u{1d}\u{1e}\u{85}\u{2028}\u{2029}".contains(c)
}

fn brat_files(dir: &Path) -> Vec<(String, String)> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let c = std::fs::read_to_string(dir.join(&n)).unwrap();
            (n, c)
        })
        .collect()
}

#[test]
fn brat_reads_every_exported_line() {
    let home = tempfile::tempdir().unwrap();
    let text = "One\u{2028}two\u{85}three\u{c}four\u{1c}five.\nSix seven.\r\nEight.\n";
    let c = corpus_with(
        text,
        &[
            Want::new(
                "a1",
                "claim",
                "One\u{2028}two\u{85}three\u{c}four\u{1c}five",
            ),
            Want::new("a2", "claim", "\nSix"),
            Want::new("a3", "denial", "seven.\r\n"),
            Want::new("a4", "claim", "seven.\r\nEight"),
        ],
    );
    let out = home.path().join("brat");
    let o = export(home.path(), c.path(), &["--format", "brat", "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let files = brat_files(&out);
    let txt = &files.iter().find(|(n, _)| n == "a.txt").unwrap().1;
    let ann = &files.iter().find(|(n, _)| n == "a.ann").unwrap().1;
    assert_eq!(brat_refusals(txt, ann), Vec::<String>::new(), "{ann}");
    assert!(
        ann.contains("T1\tclaim 0 3;4 7;8 13;14 18;19 23\tOne two three four five\n"),
        "{ann}"
    );
    // Line breaks at a span's ends are trimmed.
    assert!(ann.contains("\tclaim 25 28\tSix\n"), "{ann}");
    assert!(ann.contains("\tdenial 29 35\tseven.\n"), "{ann}");
    assert!(ann.contains("\tclaim 29 35;37 42\tseven. Eight\n"), "{ann}");
    let conf = &files
        .iter()
        .find(|(n, _)| n == "annotation.conf")
        .unwrap()
        .1;
    assert!(
        conf.contains("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n"),
        "{conf}"
    );
    // Our own fragments (split only at line breaks) come back as one span.
    let o = import(home.path(), c.path(), "brat", &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got: Vec<String> = imported(c.path()).into_iter().map(|t| t.3).collect();
    assert!(got.contains(&"seven.\r\nEight".to_string()), "{got:?}");
}

#[test]
fn brat_import_reports_what_it_cannot_carry() {
    let home = tempfile::tempdir().unwrap();
    let text = "Officials said the bridge was closed, but the mayor denied it on Monday.\n";
    let c = corpus_with(text, &[]);
    let dir = home.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("a.txt"), text).unwrap();
    std::fs::write(
        dir.join("a.ann"),
        "T1\tclaim 0 9;19 36\tOfficials bridge was closed\nT2\tdenial 42 64\tthe mayor denied it on\nR1\tdenies Arg1:T2 Arg2:T1\n#1\tAnnotatorNotes R1\tchecked\n#2\tLemma T2\tdeny\n",
    )
    .unwrap();
    let o = import(home.path(), c.path(), "brat", &dir, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("a.ann:1: span T1: discontinuous"), "{err}");
    assert!(err.contains("a.ann:4: "), "relation note: {err}");
    assert!(err.contains("a.ann:5: "), "Lemma note: {err}");
    assert!(err.contains("1 discontinuous span(s)"), "{err}");
    assert!(err.contains("2 line(s) not carried"), "{err}");
    // Never merged into one span 0..36.
    assert!(!store::sidecar_path(&c.path().join("a.txt"), "imp").exists());
}

#[test]
fn brat_notes_round_trip_as_plain_text() {
    let home = tempfile::tempdir().unwrap();
    let text = "The ministry said the border is open.\n";
    let c = corpus_with(text, &[]);
    let dir = home.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("a.txt"), text).unwrap();
    std::fs::write(
        dir.join("a.ann"),
        "T1\tclaim 18 36\tthe border is open\n#1\tAnnotatorNotes T1\tchecked | twice\twith a tab\n",
    )
    .unwrap();
    let o = import(home.path(), c.path(), "brat", &dir, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = home.path().join("out");
    let o = claimtag(
        home.path(),
        &[
            "export",
            s(c.path()),
            "--annotator",
            "imp",
            "--format",
            "brat",
            "-o",
            s(&out),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let ann = std::fs::read_to_string(out.join("a.ann")).unwrap();
    assert!(
        ann.contains("#1\tAnnotatorNotes T1\tchecked | twice\twith a tab\n"),
        "{ann}"
    );
}

#[test]
fn brat_import_of_a_text_two_sources_share_says_so() {
    let home = tempfile::tempdir().unwrap();
    let text = "Same words.\n";
    let c = corpus_with(text, &[]);
    std::fs::write(c.path().join("b.txt"), text).unwrap();
    let dir = home.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("other.txt"), text).unwrap();
    std::fs::write(dir.join("other.ann"), "T1\tclaim 0 4\tSame\n").unwrap();
    let o = import(home.path(), c.path(), "brat", &dir, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("2 sources in"), "{}", stderr(&o));
}

// ---- CoNLL --------------------------------------------------------------

#[test]
fn conll_never_merges_spans_of_one_label() {
    let home = tempfile::tempdir().unwrap();
    let text = "Saleh said the plan failed badly.\n";
    let c = corpus_with(
        text,
        &[
            Want::new("a1", "claim", "Saleh said"),
            Want::new("a2", "claim", "Saleh said the plan"),
        ],
    );
    let o = export(home.path(), c.path(), &["--format", "conll"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("1 overlap"), "{err}");
    assert!(err.contains("a1") && err.contains("a2"), "{err}");
    assert!(stdout(&o).is_empty());
    let o = export(
        home.path(),
        c.path(),
        &["--format", "conll", "--nested-columns"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("Saleh") || l.starts_with("plan"))
        .collect();
    // The outer span in the label's first column, the nested one beside it.
    assert_eq!(
        rows,
        ["Saleh\tB-claim\tB-claim\tO\tO", "plan\tI-claim\tO\tO\tO"],
        "{out}"
    );
    assert!(out.starts_with("-DOCSTART-\tO\tO\tO\tO\n"), "{out}");
}

// ---- export: unreadable sources, CSV, where -o may write ------------------

#[test]
fn an_unreadable_source_is_skipped_with_a_warning() {
    let home = tempfile::tempdir().unwrap();
    let c = corpus_with("Good text.\n", &[Want::new("a1", "claim", "Good")]);
    std::fs::write(c.path().join("bad.txt"), b"ok \xff here").unwrap();
    let out = home.path().join("x.jsonl");
    let o = export(home.path(), c.path(), &["--format", "jsonl", "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("bad.txt: not valid UTF-8 at byte offset 3"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("skipped"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 1);
    let out2 = home.path().join("y.jsonl");
    let o = export(
        home.path(),
        c.path(),
        &["--format", "jsonl", "--strict", "-o", s(&out2)],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!out2.exists());
    let o = claimtag(home.path(), &["check", s(c.path())]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        format!("{}{}", stdout(&o), stderr(&o)).contains("bad.txt"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn csv_states_its_unit_and_reads_as_integers() {
    let home = tempfile::tempdir().unwrap();
    let c = corpus_with(FLAG_TEXT, &[Want::new("a1", "claim", "Saleh").note("=1+2")]);
    std::fs::write(c.path().join("b.txt"), "No spans here.\n").unwrap();
    let o = export(
        home.path(),
        c.path(),
        &["--format", "csv", "--offsets", "utf16"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(
        out,
        "document,id,label,start,end,offsets,text,claimant,note\r\na.txt,a1,claim,5,10,utf16,Saleh,,=1+2\r\n"
    );
    let o = export(
        home.path(),
        c.path(),
        &["--format", "csv", "--all-documents"],
    );
    assert!(
        stdout(&o).contains("\r\nb.txt,,,,,,,,\r\n"),
        "{}",
        stdout(&o)
    );
    let o = export(home.path(), c.path(), &["--format", "csv", "--excel"]);
    let out = stdout(&o);
    assert!(out.starts_with('\u{feff}'), "{out}");
    assert!(out.contains(",'=1+2\r\n"), "{out}");
}

#[test]
fn export_output_never_lands_on_corpus_files() {
    let home = tempfile::tempdir().unwrap();
    let c = corpus_with("Good text.\n", &[Want::new("a1", "claim", "Good")]);
    let src = c.path().join("a.txt");
    let side = store::sidecar_path(&src, "alice");
    let before = std::fs::read(&side).unwrap();
    for target in [&side, &src] {
        let o = export(
            home.path(),
            c.path(),
            &["--format", "csv", "--force", "-o", s(target)],
        );
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("part of the corpus"), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read(&side).unwrap(), before);
    assert_eq!(Document::load(&src).unwrap().text(), "Good text.\n");
    // A sidecar kept elsewhere through a link, and that file named as the output.
    #[cfg(unix)]
    {
        let kept = home.path().join("kept.csv");
        std::fs::rename(&side, &kept).unwrap();
        std::os::unix::fs::symlink(&kept, &side).unwrap();
        let o = export(
            home.path(),
            c.path(),
            &["--format", "csv", "--force", "-o", s(&kept)],
        );
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("is a sidecar"), "{}", stderr(&o));
        assert_eq!(std::fs::read(&kept).unwrap(), before);
        std::fs::remove_file(&side).unwrap();
        std::fs::rename(&kept, &side).unwrap();
    }
    // A brat folder inside the corpus.
    let o = export(
        home.path(),
        c.path(),
        &["--format", "brat", "--force", "-o", s(c.path())],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!c.path().join("annotation.conf").exists());
    // An existing file elsewhere: only with --force.
    let out = home.path().join("x.csv");
    std::fs::write(&out, "keep me").unwrap();
    let o = export(home.path(), c.path(), &["--format", "csv", "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    let o = export(
        home.path(),
        c.path(),
        &["--format", "csv", "--force", "-o", s(&out)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}
