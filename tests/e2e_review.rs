//! End-to-end review: alice and bob tagged the sample articles; alice reviews
//! bob's tags into a gold set in a pseudo-terminal (issue 4).

mod common;

use std::path::Path;

use claimtag_model::{Document, Sidecar};
use common::{Key, Spawn, WAIT};

/// A copy of sample-data with alice's and bob's sidecars (made with the tool).
fn corpus() -> tempfile::TempDir {
    common::copy_sample_data(|name| {
        name.ends_with(".txt") || name.contains(".alice.") || name.contains(".bob.")
    })
}

fn load(path: &Path) -> Sidecar {
    Sidecar::parse(path, &std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn review_into_gold_accept_save_quit() {
    let dir = corpus();
    let source = dir.path().join("000_7b58e148c564b8d5.txt");
    let bob_path = dir.path().join("000_7b58e148c564b8d5.txt.bob.ann.yaml");
    let bob_before = std::fs::read_to_string(&bob_path).unwrap();
    let mut t = Spawn::claimtag()
        .args(&["review", ".", "--theirs", "bob", "--into", "gold"])
        .cwd(dir.path())
        .env("CLAIMTAG_ANNOTATOR", "alice")
        .size(140, 30)
        .start();
    t.wait_for("gold (target)", WAIT).unwrap();
    t.wait_for("bob (theirs, read-only)", WAIT).unwrap();
    // step to the first difference that bob alone has, and accept it
    let mut accepted_text = None;
    for i in 1..=12 {
        t.keys("]");
        // the status bar counts the difference under the cursor: "diff i/N: kind"
        let s = t.wait_for(&format!("diff {i}/"), WAIT).unwrap();
        if s.contains(&format!("diff {i}/")) && s.contains("only in theirs") {
            accepted_text = Some(s);
            break;
        }
    }
    assert!(
        accepted_text.is_some(),
        "no difference only in bob's tags\n{}",
        t.dump()
    );
    t.keys("a");
    t.wait_for("accepted bob's version", WAIT).unwrap();
    t.key(Key::Ctrl('s'));
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0, "{}", t.dump());

    let gold = load(&dir.path().join("000_7b58e148c564b8d5.txt.gold.ann.yaml"));
    let alice = load(&dir.path().join("000_7b58e148c564b8d5.txt.alice.ann.yaml"));
    let bob = load(&bob_path);
    assert_eq!(gold.annotator, "gold");
    // gold = alice's spans (from: alice) plus exactly one of bob's (from: bob)
    assert_eq!(gold.annotations.len(), alice.annotations.len() + 1);
    let from_bob: Vec<_> = gold
        .annotations
        .iter()
        .filter(|a| a.from.as_deref() == Some("bob"))
        .collect();
    assert_eq!(from_bob.len(), 1, "{gold:?}");
    assert!(bob.annotations.iter().any(|b| b.start == from_bob[0].start
        && b.end == from_bob[0].end
        && b.label == from_bob[0].label));
    assert!(
        gold.annotations
            .iter()
            .filter(|a| a.from.as_deref() != Some("bob"))
            .all(|a| a.from.as_deref() == Some("alice"))
    );
    // offsets hold, and bob's file was not touched
    let doc = Document::load(&source).unwrap();
    for a in &gold.annotations {
        assert_eq!(doc.slice_chars(a.start, a.end), Some(a.text.as_str()));
    }
    assert_eq!(std::fs::read_to_string(&bob_path).unwrap(), bob_before);
}

#[test]
fn review_reject_is_remembered() {
    let dir = corpus();
    let mut t = Spawn::claimtag()
        .args(&["review", ".", "--theirs", "bob"])
        .cwd(dir.path())
        .env("CLAIMTAG_ANNOTATOR", "alice")
        .size(140, 30)
        .start();
    t.wait_for("alice (target)", WAIT).unwrap();
    t.keys("]");
    // the status bar says "diff 1/N: kind"
    let before = t.wait_for("diff 1/", WAIT).unwrap();
    let left: usize = before
        .split("diff 1/")
        .nth(1)
        .and_then(|r| r.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    t.keys("r");
    t.wait_for("rejected: kept yours", WAIT).unwrap();
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0, "{}", t.dump());
    // alice's own sidecar remembers the rejection: one difference fewer next time
    let mut t = Spawn::claimtag()
        .args(&["review", ".", "--theirs", "bob"])
        .cwd(dir.path())
        .env("CLAIMTAG_ANNOTATOR", "alice")
        .size(140, 30)
        .start();
    t.wait_for("alice (target)", WAIT).unwrap();
    t.keys("]");
    t.wait_for(&format!("diff 1/{}:", left - 1), WAIT).unwrap();
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0);
}

#[test]
fn review_without_their_sidecars_is_a_usage_error() {
    let dir = corpus();
    let mut t = Spawn::claimtag()
        .args(&["review", ".", "--theirs", "carol"])
        .cwd(dir.path())
        .env("CLAIMTAG_ANNOTATOR", "alice")
        .size(120, 10)
        .start();
    assert_eq!(t.exit_code(WAIT), 2, "{}", t.dump());
    assert!(
        t.screen_text().contains("no sidecars by carol"),
        "{}",
        t.dump()
    );
}

#[test]
fn review_defaults_to_the_only_colleague() {
    let dir = corpus();
    let mut t = Spawn::claimtag()
        .args(&["review", "."])
        .cwd(dir.path())
        .env("CLAIMTAG_ANNOTATOR", "alice")
        .size(140, 30)
        .start();
    t.wait_for("bob (theirs, read-only)", WAIT).unwrap();
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0, "{}", t.dump());
}
