//! Session restore (issue 12, item 12): the panes and cursors given back
//! as they were, a cursor past the end clamped, never a panic.

use super::{ARTICLE, fixture_at, fixture_with, keys};
use crate::action::Action;
use crate::app::Slot;

#[test]
fn restored_panes_show_the_saved_articles_and_cursors() {
    let mut f = fixture_with(
        &[
            ("001.txt", "first\n"),
            ("002.txt", ARTICLE),
            ("003.txt", ARTICLE),
        ],
        (100, 20),
    );
    f.app.restore(&[(2, 80), (1, 5)], 1);
    assert_eq!(f.app.panes.len(), 2);
    assert_eq!((f.app.panes[0].slot, f.app.panes[0].cursor), (2, 80));
    assert_eq!((f.app.panes[1].slot, f.app.panes[1].cursor), (1, 5));
    assert_eq!(f.app.focus, 1);
    // What is kept when quitting is what was restored.
    let (panes, focus) = f.app.session_panes().unwrap();
    assert_eq!(focus, 1);
    assert!(
        panes[0].0.ends_with("003.txt") && panes[0].1 == 80,
        "{panes:?}"
    );
    assert!(
        panes[1].0.ends_with("002.txt") && panes[1].1 == 5,
        "{panes:?}"
    );
    // A motion after restoring works from the restored place.
    keys(&mut f.app, "<Tab> j");
    assert_eq!(f.app.focus, 0);
    assert!(f.app.panes[0].cursor > 80);
}

#[test]
fn a_cursor_past_the_end_or_a_missing_slot_is_clamped_or_left_out() {
    let mut f = fixture_with(&[("001.txt", "short\n"), ("002.txt", "é\n")], (60, 10));
    f.app.restore(&[(0, 10_000), (7, 3), (1, 1)], 9);
    assert_eq!(f.app.panes.len(), 2);
    assert_eq!(f.app.panes[0].cursor, "short\n".len());
    // Inside the two-byte é: snapped to its start.
    assert_eq!(f.app.panes[1].cursor, 0);
    assert_eq!(f.app.focus, 1);
    // Nothing restorable: the first article, as before.
    let mut g = fixture_with(&[("001.txt", "short\n")], (60, 10));
    g.app.restore(&[(5, 1)], 0);
    assert_eq!((g.app.panes.len(), g.app.panes[0].slot), (1, 0));
    super::terminal(&f.app);
}

#[test]
fn a_cursor_restored_before_its_article_loads_is_clamped_when_it_loads() {
    claimtag_model::id::fixed_clock_on_this_thread();
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("001.txt");
    let b = dir.path().join("002.txt");
    std::fs::write(&a, "one\n").unwrap();
    std::fs::write(&b, "two lines\nhere\n").unwrap();
    let mut f = fixture_at(dir, std::slice::from_ref(&a), (60, 10));
    // A second slot not yet loaded, with a cursor far past its end.
    f.app.slots.push(Slot::Pending(b.clone()));
    f.app.restore(&[(1, 999)], 0);
    assert_eq!(f.app.panes[0].cursor, 999);
    super::terminal(&f.app);
    let job = crate::open_job(1, b, "alice".into(), f.app.scheme.sentence_rules(), true);
    for (slot, r) in job() {
        f.app.update(Action::Loaded(slot, Box::new(r)));
    }
    assert_eq!(f.app.panes[0].cursor, "two lines\nhere\n".len());
    super::terminal(&f.app);
}

#[test]
fn the_review_screen_keeps_no_session() {
    let (_dir, app) = super::review_screen::review_fixture();
    assert!(app.session_panes().is_none());
}
