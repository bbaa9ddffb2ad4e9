//! The team commands run as a program: `merge`, `diff` (also in git's
//! seven-argument and textconv forms), `status`, `completions`, `man`,
//! `--version`. Each runs in its own temporary folder, isolated from the
//! user's config.

use std::path::Path;
use std::process::{Command, Output};

use claimtag_model::{Annotation, Document, Link, Sidecar, Status, anchor};

const TEXT: &str =
    "Officials said the crossing reopened.\nWitnesses denied it.\nTrucks queued for hours.\n";

fn claimtag(dir: &Path, args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    Command::new(env!("CARGO_BIN_EXE_claimtag"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env_remove("CLAIMTAG_CONFIG")
        .env("CLAIMTAG_ANNOTATOR", "tester")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("run claimtag")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn span(doc: &Document, id: &str, label: &str, quote: &str) -> Annotation {
    let at = doc.text().find(quote).unwrap();
    let mut a = anchor::new_annotation(doc, at..at + quote.len(), label, id.to_string());
    a.created = "2026-11-24T10:00:00Z".into();
    a
}

/// A folder with `a.txt` and the base version of alice's sidecar.
fn corpus() -> (tempfile::TempDir, Document, Sidecar) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), TEXT).unwrap();
    let doc = Document::from_string(TEXT.into());
    let mut s = Sidecar::new("alice", "a.txt", doc.sha256(), doc.len_chars());
    s.updated = "2026-11-24T10:00:00Z".into();
    s.annotations = vec![
        span(&doc, "a1", "claim", "the crossing reopened"),
        span(&doc, "a2", "denial", "Witnesses denied it."),
    ];
    s.next_id = 3;
    (dir, doc, s)
}

fn write(dir: &Path, name: &str, s: &Sidecar) {
    std::fs::write(dir.join(name), s.to_yaml()).unwrap();
}

fn read(path: &Path) -> Sidecar {
    Sidecar::parse(path, &std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn merge_writes_ours_and_exits_by_whether_conflicts_remain() {
    let (dir, doc, base) = corpus();
    let d = dir.path();
    let mut ours = base.clone();
    ours.annotations[0].note = Some("first-hand".into());
    ours.annotations
        .push(span(&doc, "o1", "evidence", "Trucks queued for hours."));
    let mut theirs = base.clone();
    theirs.annotations[1].links.push(Link {
        rel: "denies".into(),
        to: "a1".into(),
    });
    write(d, "base.yaml", &base);
    write(d, "ours.yaml", &ours);
    write(d, "theirs.yaml", &theirs);

    let o = claimtag(
        d,
        &[
            "merge",
            "base.yaml",
            "ours.yaml",
            "theirs.yaml",
            "-o",
            "out.yaml",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("merged ours.yaml cleanly (3 spans)"),
        "{}",
        stderr(&o)
    );
    let out = read(&d.join("out.yaml"));
    assert_eq!(out.annotations.len(), 3);
    assert_eq!(out.annotations[0].note.as_deref(), Some("first-hand"));
    assert_eq!(out.annotations[1].links.len(), 1);
    assert_eq!(
        std::fs::read_to_string(d.join("ours.yaml")).unwrap(),
        ours.to_yaml()
    );

    // Now the same note differently on both sides: a conflict, written to OURS.
    theirs.annotations[0].note = Some("second-hand".into());
    write(d, "theirs.yaml", &theirs);
    let o = claimtag(d, &["merge", "base.yaml", "ours.yaml", "theirs.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("ours.yaml: conflict on a1: ours and theirs differ in note (both kept, as a1~ours and a1~theirs)"),
        "{err}"
    );
    let merged = read(&d.join("ours.yaml"));
    let ids: Vec<&str> = merged.annotations.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["a1~ours", "a1~theirs", "a2", "o1"]);

    // An unreadable side: exit 2, nothing written.
    std::fs::write(d.join("bad.yaml"), "format: [").unwrap();
    let before = std::fs::read(d.join("ours.yaml")).unwrap();
    let o = claimtag(d, &["merge", "base.yaml", "ours.yaml", "bad.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.yaml:1:"), "{}", stderr(&o));
    assert_eq!(std::fs::read(d.join("ours.yaml")).unwrap(), before);
}

/// A pair of versions with one span added, one removed, one changed.
fn diff_pair() -> tempfile::TempDir {
    let (dir, doc, a) = corpus();
    let mut b = a.clone();
    b.annotations.retain(|x| x.id != "a1");
    b.annotations[0].label = "claim".into();
    b.annotations[0].claimant = Some("Witnesses".into());
    b.annotations
        .push(span(&doc, "a3", "evidence", "Trucks queued for hours."));
    b.status = Some(Status::Done);
    write(dir.path(), "a.txt.alice.ann.yaml", &a);
    std::fs::create_dir(dir.path().join("new")).unwrap();
    std::fs::write(dir.path().join("new/a.txt"), TEXT).unwrap();
    write(&dir.path().join("new"), "a.txt.alice.ann.yaml", &b);
    dir
}

#[test]
fn diff_speaks_spans() {
    let dir = diff_pair();
    let d = dir.path();
    let o = claimtag(
        d,
        &["diff", "a.txt.alice.ann.yaml", "new/a.txt.alice.ann.yaml"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("diff_text", stdout(&o));
    let o = claimtag(
        d,
        &[
            "diff",
            "--json",
            "a.txt.alice.ann.yaml",
            "new/a.txt.alice.ann.yaml",
        ],
    );
    insta::assert_snapshot!("diff_json", stdout(&o));
    let o = claimtag(d, &["diff", "--textconv", "new/a.txt.alice.ann.yaml"]);
    insta::assert_snapshot!("diff_textconv", stdout(&o));
}

#[test]
fn diff_takes_git_external_diff_arguments_and_empty_sides() {
    let dir = diff_pair();
    let d = dir.path();
    std::fs::write(d.join("empty"), "").unwrap();
    // path old-file old-hex old-mode new-file new-hex new-mode
    let o = claimtag(
        d,
        &[
            "diff",
            "a.txt.alice.ann.yaml",
            "empty",
            "0000000",
            "100644",
            "new/a.txt.alice.ann.yaml",
            "1111111",
            "100644",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("claimtag diff a.txt.alice.ann.yaml: 2 added, 0 removed, 0 changed\n"),
        "{out}"
    );
    // lines are those of the source beside the named path
    assert!(
        out.contains("+ 2:1  claim     a2  \"Witnesses denied it.\""),
        "{out}"
    );
    let o = claimtag(d, &["diff", "a", "b", "c"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn status_json_on_sample_data() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = claimtag(root, &["status", "sample-data", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("status_sample_data", stdout(&o));
    let o = claimtag(root, &["status", "sample-data"]);
    let table = stdout(&o);
    assert!(
        table.starts_with("6 article(s) in sample-data: 0 with gold, 0 unresolved conflict(s)"),
        "{table}"
    );
}

#[test]
fn status_counts_conflicts_and_progress() {
    let (dir, _, base) = corpus();
    let d = dir.path();
    let mut done = base.clone();
    done.status = Some(Status::Done);
    done.annotations[0].extra.insert(
        "conflict".into(),
        serde_json::json!({"side": "theirs", "other": "deleted"}),
    );
    write(d, "a.txt.alice.ann.yaml", &done);
    std::fs::write(d.join("b.txt"), "other").unwrap();
    let o = claimtag(d, &["status", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["annotators"][0]["done"], 1);
    assert_eq!(v["annotators"][0]["not_started"], 1);
    assert_eq!(v["articles"][0]["conflicts"], 1);
    let o = claimtag(d, &["check", "."]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("unresolved merge conflict on a1: changed by theirs, deleted by ours"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn completions_man_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = claimtag(d, &["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let text = stdout(&o);
        assert!(
            text.contains("git-setup") && text.contains("merge"),
            "{shell}"
        );
    }
    let o = claimtag(d, &["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    let o = claimtag(d, &["man"]);
    assert!(stdout(&o).contains(".TH claimtag 1"), "{}", stdout(&o));
    let o = claimtag(d, &["man", "--dir", "man1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for page in ["claimtag.1", "claimtag-merge.1", "claimtag-status.1"] {
        assert!(
            d.join("man1").join(page).is_file(),
            "{page}: {}",
            stdout(&o)
        );
    }
    let o = claimtag(d, &["--version"]);
    assert_eq!(
        stdout(&o).trim(),
        format!("claimtag {}", env!("CARGO_PKG_VERSION"))
    );
}
