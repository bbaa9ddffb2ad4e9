//! End-to-end: reopening a corpus puts the analyst back where they left off
//! (issue 12, item 12): the article, the line and the panes.

mod common;

use common::{Key, Spawn, Term, WAIT};

/// A copy of sample-data's articles (without sidecars) in a temp folder.
fn sample_corpus() -> tempfile::TempDir {
    common::copy_sample_data(|name| name.ends_with(".txt"))
}

fn open(corpus: &std::path::Path, state: &std::path::Path, extra: &[&str]) -> Term {
    let mut args = vec!["."];
    args.extend_from_slice(extra);
    Spawn::claimtag()
        .args(&args)
        .cwd(corpus)
        .size(120, 30)
        .env("CLAIMTAG_STATE_DIR", state.to_str().unwrap())
        .start()
}

/// The `line:column` of the focused pane, from the status bar (the last
/// row of the screen).
fn location(screen: &str) -> Option<String> {
    let status = screen.lines().rev().find(|l| !l.trim().is_empty())?;
    status
        .split_whitespace()
        .find(|w| {
            w.split_once(':').is_some_and(|(l, c)| {
                !l.is_empty()
                    && !c.is_empty()
                    && l.chars().all(|ch| ch.is_ascii_digit())
                    && c.chars().all(|ch| ch.is_ascii_digit())
            })
        })
        .map(str::to_string)
}

#[test]
fn reopening_a_corpus_restores_the_article_line_and_panes() {
    let corpus = sample_corpus();
    let state = tempfile::tempdir().unwrap();
    let mut t = open(corpus.path(), state.path(), &[]);
    t.wait_for("000_7b58e148c564b8d5.txt · tester", WAIT)
        .unwrap();
    // Two panes, the focused one on a later article, some lines down.
    t.key(Key::Ctrl('w'));
    t.keys("v");
    t.wait_for("001_61df674886ad32dc.txt · tester", WAIT)
        .unwrap();
    t.key(Key::Ctrl('p'));
    t.wait_until(|s| (0..6).all(|n| s.contains(&format!("00{n}_"))), WAIT)
        .unwrap();
    // The list starts on the focused pane's article (001): two down is 003.
    t.keys("jj");
    t.key(Key::Enter);
    t.wait_for("003_20b7060dfb18cd1a.txt · tester", WAIT)
        .unwrap();
    // Down a few rows, one at a time, each move seen on screen.
    let mut want = location(&t.screen_text());
    for _ in 0..6 {
        let before = want.clone();
        t.keys("j");
        let s = t
            .wait_until(|s| location(s).is_some() && location(s) != before, WAIT)
            .unwrap_or_else(|e| panic!("{e}"));
        want = location(&s);
    }
    let want = want.unwrap();
    assert_ne!(want, "1:1");
    let titles = t.row_text(0);
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0);
    assert!(
        std::fs::read_dir(state.path().join("sessions"))
            .unwrap()
            .count()
            == 1,
        "one session file"
    );

    let mut t = open(corpus.path(), state.path(), &[]);
    t.wait_for("003_20b7060dfb18cd1a.txt · tester", WAIT)
        .unwrap();
    t.wait_until(|s| location(s).as_deref() == Some(want.as_str()), WAIT)
        .unwrap_or_else(|e| panic!("want {want}: {e}\n{}", t.dump()));
    assert_eq!(t.row_text(0), titles, "{}", t.dump());
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0);

    // --no-restore starts at the first article, line 1.
    let mut t = open(corpus.path(), state.path(), &["--no-restore"]);
    t.wait_for("000_7b58e148c564b8d5.txt · tester", WAIT)
        .unwrap();
    t.wait_until(|s| location(s).as_deref() == Some("1:1"), WAIT)
        .unwrap();
    assert!(!t.screen_text().contains("003_20b7060dfb18cd1a.txt"));
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0);
}

#[test]
fn a_corrupt_session_file_is_ignored_with_a_warning() {
    let corpus = sample_corpus();
    let state = tempfile::tempdir().unwrap();
    let mut t = open(corpus.path(), state.path(), &[]);
    t.wait_for("000_7b58e148c564b8d5.txt · tester", WAIT)
        .unwrap();
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0);
    let file = std::fs::read_dir(state.path().join("sessions"))
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    std::fs::write(&file, "{\"version\":1,\"corpus\":\u{0}garbage").unwrap();
    let mut t = open(corpus.path(), state.path(), &[]);
    t.wait_for("000_7b58e148c564b8d5.txt · tester", WAIT)
        .unwrap();
    t.wait_for("file ignored", WAIT)
        .unwrap_or_else(|e| panic!("{e}\n{}", t.dump()));
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0);
}

#[test]
fn an_unwritable_state_folder_is_one_warning_not_a_failure() {
    let corpus = sample_corpus();
    let state = tempfile::tempdir().unwrap();
    // A file where the state folder should be: nothing can be made in it.
    let blocked = state.path().join("blocked");
    std::fs::write(&blocked, "").unwrap();
    let mut t = open(corpus.path(), &blocked, &[]);
    t.wait_for("000_7b58e148c564b8d5.txt · tester", WAIT)
        .unwrap();
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0);
    t.wait_until(|s| s.contains("where you left off is not kept"), WAIT)
        .unwrap_or_else(|e| panic!("{e}\n{}", t.dump()));
}
