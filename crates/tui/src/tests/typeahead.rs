//! Keys typed while the article on screen is loading wait for it and are
//! replayed in order once it is there; Esc drops them.

use crate::action::{Action, Effect};
use crate::app::{App, Lately, Slot};
use crate::worker;
use claimtag_model::store::sidecar_path;

use super::{ARTICLE, keys};

/// An annotating app over `a.txt` (on screen) and `b.txt`, let go after
/// loading; then `b.txt` is opened, its load asked for and not yet done.
fn app_loading_b(dir: &std::path::Path) -> (App, Vec<Effect>) {
    let paths: Vec<_> = ["a.txt", "b.txt"].iter().map(|n| dir.join(n)).collect();
    for p in &paths {
        std::fs::write(p, ARTICLE).unwrap();
    }
    let mut app = super::open_claims::annotating_app(
        &paths,
        Lately {
            articles: 0,
            bytes: 0,
        },
    );
    assert!(matches!(app.slots[1], Slot::Summary(_)));
    app.open_in_focused(1);
    let effects = app.update(Action::Resize(80, 24));
    assert!(matches!(app.slots[1], Slot::Pending(_)));
    (app, effects)
}

fn perform(app: &mut App, effects: Vec<Effect>) {
    for e in effects {
        for answer in worker::perform(e) {
            let more = app.update(answer);
            perform(app, more);
        }
    }
}

/// Lets go of the lock files the app took (it is dropped without quitting).
fn release_locks(dir: &std::path::Path) {
    for p in ["a.txt", "b.txt"] {
        crate::open_lock::release(&sidecar_path(&dir.join(p), "alice"));
    }
}

fn claims_of_b(app: &App) -> usize {
    app.doc_of(0)
        .unwrap()
        .annotations()
        .iter()
        .filter(|a| a.label == "claim")
        .count()
}

#[test]
fn keys_typed_while_the_article_loads_are_done_once_it_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, effects) = app_loading_b(dir.path());
    assert!(keys(&mut app, "s c").is_empty());
    assert!(super::screen(&app).contains("keys wait for it"));
    perform(&mut app, effects);
    assert_eq!(app.focused().slot, 1);
    assert_eq!(
        claims_of_b(&app),
        1,
        "the sentence was tagged once b.txt loaded"
    );
    release_locks(dir.path());
}

#[test]
fn esc_drops_the_keys_that_wait() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, effects) = app_loading_b(dir.path());
    keys(&mut app, "s c <Esc>");
    assert!(super::screen(&app).contains("dropped 2 key(s)"));
    perform(&mut app, effects);
    assert_eq!(claims_of_b(&app), 0);
    // Keys typed after the article is there work at once.
    keys(&mut app, "s c");
    assert_eq!(claims_of_b(&app), 1);
    release_locks(dir.path());
}

#[test]
fn keys_are_not_replayed_into_a_dialog_that_opened_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, effects) = app_loading_b(dir.path());
    keys(&mut app, "s c");
    // A dialog opens while b.txt loads (here the help, as a command).
    app.update(Action::Command(crate::command::Command::Help));
    perform(&mut app, effects);
    let said = app
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(said.starts_with("dropped 2 key(s)"), "{said}");
    keys(&mut app, "<Esc>");
    assert_eq!(claims_of_b(&app), 0);
    release_locks(dir.path());
}
