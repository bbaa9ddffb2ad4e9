//! `claimtag check` run as a program on a corpus in a temporary folder.

mod common;

use std::path::Path;

use claimtag_model::{Document, Link, Sidecar, anchor, store};
use common::{stderr, stdout};

/// The binary, isolated from the developer's config and environment.
fn claimtag(args: &[&str]) -> std::process::Output {
    common::run_isolated(args)
}

/// Writes a sidecar with spans given by their quoted text (first occurrence).
fn annotate(source: &Path, who: &str, spans: &[(&str, &str)]) -> Sidecar {
    let doc = Document::load(source).unwrap();
    let name = source.file_name().unwrap().to_str().unwrap();
    let mut sc = Sidecar::new(who, name, doc.sha256(), doc.len_chars());
    for &(label, quote) in spans {
        let at = doc.text().find(quote).unwrap();
        let id = sc.fresh_id();
        sc.annotations.push(anchor::new_annotation(
            &doc,
            at..at + quote.len(),
            label,
            id,
        ));
    }
    store::save_sidecar(&store::sidecar_path(source, who), &sc, None).unwrap();
    sc
}

const TEXT: &str =
    "Officials said the crossing reopened. 😀 Witnesses denied it.\r\nTrucks queued for hours.";

fn corpus() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("a.txt");
    std::fs::write(&src, TEXT).unwrap();
    annotate(
        &src,
        "alice",
        &[
            ("claim", "the crossing reopened"),
            ("denial", "Witnesses denied it."),
            ("evidence", "Trucks queued for hours."),
        ],
    );
    (dir, src)
}

#[test]
fn clean_corpus_passes() {
    let (dir, _) = corpus();
    let out = claimtag(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("checked 1 sidecar(s): no problems"));
}

#[test]
fn edited_source_is_stale_then_fixed() {
    let (dir, src) = corpus();
    let p = dir.path().to_str().unwrap();
    // an edit before every span, and one span's text removed
    std::fs::write(
        &src,
        "UPDATE: Officials said the crossing reopened. 😀 Witnesses denied it.\r\nLater.",
    )
    .unwrap();
    let out = claimtag(&["check", p]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("a.txt.alice.ann.yaml:4: stale:"), "{err}");
    assert!(err.contains("move 2, orphan 1"), "{err}");

    let before = std::fs::read_to_string(store::sidecar_path(&src, "alice")).unwrap();
    let out = claimtag(&["check", p, "--fix"]);
    let msg = stdout(&out);
    assert!(
        msg.contains("fixed") && msg.contains("0 in place, 2 moved, 1 orphaned"),
        "{msg}"
    );
    // the lost span stays, flagged, and is still reported
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("is orphaned"), "{}", stderr(&out));
    let after = std::fs::read_to_string(store::sidecar_path(&src, "alice")).unwrap();
    assert_ne!(before, after);
    let (sc, _) = store::read_sidecar(&store::sidecar_path(&src, "alice"))
        .unwrap()
        .unwrap();
    let doc = Document::load(&src).unwrap();
    assert_eq!(sc.source.sha256, doc.sha256());
    assert_eq!(sc.annotations.len(), 3);
    for a in sc.annotations.iter().filter(|a| !a.orphan) {
        assert_eq!(doc.slice_chars(a.start, a.end), Some(a.text.as_str()));
    }

    // second check: only the orphan is left; no stale report
    let out = claimtag(&["check", p]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(!err.contains("stale"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("orphaned"), "{err}");
}

#[test]
fn fix_that_finds_everything_leaves_a_clean_corpus() {
    let (dir, src) = corpus();
    let p = dir.path().to_str().unwrap();
    std::fs::write(&src, format!("Headline\n\n{TEXT}")).unwrap();
    let out = claimtag(&["check", p, "--fix"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("0 in place, 3 moved, 0 orphaned"));
    let out = claimtag(&["check", p]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn broken_yaml_is_reported_with_its_line_and_left_untouched() {
    let (dir, src) = corpus();
    let side = store::sidecar_path(&src, "bob");
    let broken = "format: claimtag/1\nsource:\n  file: a.txt\nannotator: bob\nannotations:\n- id: a1\n  label: [claim\n";
    std::fs::write(&side, broken).unwrap();
    for fix in [false, true] {
        let mut args = vec!["check", dir.path().to_str().unwrap()];
        if fix {
            args.push("--fix");
        }
        let out = claimtag(&args);
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        let line = err
            .lines()
            .find(|l| l.contains("a.txt.bob.ann.yaml"))
            .unwrap();
        assert!(
            line.contains("a.txt.bob.ann.yaml:7:") || line.contains("a.txt.bob.ann.yaml:8:"),
            "{line}"
        );
        assert_eq!(std::fs::read_to_string(&side).unwrap(), broken);
    }
}

#[test]
fn other_problems_are_named() {
    let (dir, src) = corpus();
    let p = dir.path().to_str().unwrap();
    // unknown format
    std::fs::write(
        store::sidecar_path(&src, "carol"),
        "format: claimtag/9\nsource: {file: a.txt}\nannotator: carol\n",
    )
    .unwrap();
    // a sidecar whose source is gone
    let gone = dir.path().join("gone.txt");
    std::fs::write(&gone, "Some text here.").unwrap();
    annotate(&gone, "alice", &[("claim", "Some text")]);
    std::fs::remove_file(&gone).unwrap();
    // bad label, link to an unknown id, text that no longer matches, out of range
    let doc = Document::load(&src).unwrap();
    let mut sc = Sidecar::new("dave", "a.txt", doc.sha256(), doc.len_chars());
    // Numbered ids, as older sidecars have, so the messages can be named.
    for (n, (label, s, e)) in [("quote", 0, 9), ("claim", 15, 27), ("denial", 0, 400)]
        .into_iter()
        .enumerate()
    {
        let id = format!("a{}", n + 1);
        let mut a = anchor::new_annotation(&doc, 0..0, label, id);
        a.start = s;
        a.end = e;
        a.text = "Officials".into();
        sc.annotations.push(a);
    }
    sc.annotations[1].links.push(Link {
        rel: "denies".into(),
        to: "a99".into(),
    });
    store::save_sidecar(&store::sidecar_path(&src, "dave"), &sc, None).unwrap();

    let out = claimtag(&["check", p]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for want in [
        "a.txt.carol.ann.yaml:1:",
        "unknown format",
        "gone.txt.alice.ann.yaml: its source file",
        "is missing",
        "span a1: label \"quote\" is not in the scheme",
        "span a2: link denies -> a99: no annotation has id",
        "span a2: text at 15..27 is \"the crossing\" in the source but \"Officials\"",
        "span a3: offsets 0..400 are beyond the source's",
    ] {
        assert!(err.contains(want), "missing {want:?} in\n{err}");
    }
    // every problem line names a file
    for line in err.lines() {
        assert!(line.contains(".ann.yaml"), "{line}");
    }
}

#[test]
fn unreadable_path_exits_2() {
    let out = claimtag(&["check", "/nonexistent/claimtag-check"]);
    assert_eq!(out.status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn a_link_to_a_parent_folder_is_not_walked_again() {
    let (dir, _) = corpus();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("sub/up")).unwrap();
    std::fs::write(dir.path().join("a.txt"), format!("Headline\n\n{TEXT}")).unwrap();
    let out = claimtag(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    // one stale line, not one per path through the link
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
}
