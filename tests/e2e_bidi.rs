//! End-to-end right-to-left display (issue 13): the Dari sample in a
//! pseudo-terminal that reorders nothing (vt100), as a Dari reader uses it.

mod common;

use std::path::Path;

use claimtag_model::{Document, Sidecar};
use common::{Spawn, Term, WAIT, repo_root};

const DARI: &str = "005_f6a3cc4c7210b0a0.txt";

/// The Dari sample alone (without sidecars) in a temp folder.
fn dari_corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo_root().join("sample-data").join(DARI),
        dir.path().join(DARI),
    )
    .unwrap();
    dir
}

fn open(dir: &Path, bidi: &str) -> Term {
    Spawn::claimtag()
        .args(&["--bidi", bidi, DARI])
        .cwd(dir)
        .env("CLAIMTAG_ANNOTATOR", "tester")
        .size(100, 30)
        .start()
}

/// The text of a screen row, left to right, as the eye sees it.
fn visible(t: &Term, row: u16) -> String {
    t.row_text(row).trim().to_string()
}

/// The column of the rightmost cell of a row that shows a letter.
fn rightmost_letter(t: &Term, row: u16) -> u16 {
    let (_, cols) = t.size();
    t.screen(|s| {
        (0..cols)
            .rev()
            .find(|&c| {
                s.cell(row, c)
                    .is_some_and(|cell| cell.contents().chars().any(char::is_alphabetic))
            })
            .unwrap()
    })
}

#[test]
fn click_the_rightmost_word_of_a_rtl_line_tags_its_first_word() {
    let dir = dari_corpus();
    let mut t = open(dir.path(), "app");
    // The title reads right to left: its first word is on the right.
    t.wait_until(|s| s.contains("نابلاط"), WAIT).unwrap();
    let title = visible(&t, 1);
    assert!(title.ends_with("نابلاط"), "{title:?}\n{}", t.dump());
    // right-aligned: the first letter stands in the last column of the pane
    let col = rightmost_letter(&t, 1);
    assert_eq!(col, t.size().1 - 1, "{}", t.dump());
    // the app asked the terminal not to reorder again (BiDi draft, BDSM)
    assert!(
        t.raw_output().contains("\x1b[8l"),
        "no explicit-mode sequence"
    );
    t.mouse_click(1, col);
    t.keys("c");
    t.wait_until(|s| s.contains("c:1") || s.contains("claim 1"), WAIT)
        .unwrap();
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0, "{}", t.dump());
    // and it restored the draft's default at exit
    assert!(
        t.raw_output().contains("\x1b[8h"),
        "implicit mode not restored"
    );
    let src = dir.path().join(DARI);
    let path = claimtag_model::store::sidecar_path(&src, "tester");
    let s = Sidecar::parse(&path, &std::fs::read_to_string(&path).unwrap()).unwrap();
    let doc = Document::load(&src).unwrap();
    assert_eq!(s.annotations.len(), 1);
    let a = &s.annotations[0];
    assert_eq!((a.start, a.text.as_str()), (0, "طالبان"));
    assert_eq!(doc.slice_chars(a.start, a.end), Some("طالبان"));
}

#[test]
fn bidi_terminal_and_off_send_logical_order() {
    for mode in ["terminal", "off"] {
        let dir = dari_corpus();
        let mut t = open(dir.path(), mode);
        // logical order: the first letters on the left, nothing reordered
        t.wait_until(|s| s.contains("طالبان می"), WAIT).unwrap();
        assert!(visible(&t, 1).starts_with("طالبان"), "{}", t.dump());
        t.keys("q");
        assert_eq!(t.exit_code(WAIT), 0);
        assert!(
            !t.raw_output().contains("\x1b[8l"),
            "--bidi {mode} must not ask for explicit mode"
        );
    }
}

/// A scheme's `directions:` names one article in a subfolder right-to-left:
/// that article is right-aligned, its neighbour of another name is not.
#[test]
fn a_direction_named_in_the_scheme_applies_to_that_article() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/a.txt"), "Hello world.\n").unwrap();
    std::fs::write(dir.path().join("sub/b.txt"), "Other text.\n").unwrap();
    std::fs::write(
        dir.path().join("claimtag.yaml"),
        "labels:\n- {name: claim, key: c}\ndirections:\n  sub/a.txt: rtl\n",
    )
    .unwrap();
    let mut t = Spawn::claimtag()
        .args(&["--bidi", "app", "."])
        .cwd(dir.path())
        .env("CLAIMTAG_ANNOTATOR", "tester")
        .size(60, 10)
        .start();
    t.wait_for("Hello world", WAIT).unwrap();
    let (_, cols) = t.size();
    assert_eq!(rightmost_letter(&t, 1), cols - 1, "{}", t.dump());
    t.keys("F");
    t.keys("G");
    t.key(common::Key::Enter);
    t.wait_for("Other text", WAIT).unwrap();
    assert!(rightmost_letter(&t, 1) < 20, "{}", t.dump());
}
