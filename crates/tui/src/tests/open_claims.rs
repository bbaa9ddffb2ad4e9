//! Lock files ("open in this instance") and memory for the articles on
//! screen only: one comes on screen, it is read again and its lock taken;
//! one leaves the screen with nothing to save, its lock is let go and only
//! its summary kept. Effects are carried out by the real worker function.

use crate::action::{Action, Effect};
use crate::app::{App, Slot};
use crate::keymap::Keymap;
use crate::theme::Theme;
use crate::worker;
use claimtag_model::Scheme;
use claimtag_model::lock::marker_path;
use claimtag_model::store::sidecar_path;

use super::{ARTICLE, keys};

#[test]
fn only_articles_on_screen_or_unsaved_hold_a_lock_file() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["a.txt", "b.txt", "c.txt"];
    let paths: Vec<_> = names.iter().map(|n| dir.path().join(n)).collect();
    for p in &paths {
        std::fs::write(p, ARTICLE).unwrap();
    }
    let lock = |i: usize| marker_path(&sidecar_path(&paths[i], "alice")).exists();
    let scheme = Scheme::default();
    let keymap = Keymap::defaults(&scheme);
    let theme = Theme::new(None, false, &scheme, &Default::default());
    let mut app = App::new(scheme, keymap, theme, "alice".into(), paths.clone(), true).annotating();
    for (i, p) in paths.iter().enumerate() {
        let job = crate::open_job(
            i,
            p.clone(),
            "alice".into(),
            app.scheme.sentence_rules(),
            i == 0,
        );
        for (slot, result) in job() {
            app.update(Action::Loaded(slot, Box::new(result)));
        }
    }
    // What an update asks for, carried out, and the answers given back.
    let run = |app: &mut App, effects: Vec<Effect>| {
        let mut asked = Vec::new();
        for e in effects {
            asked.push(match &e {
                Effect::Claim { slot, .. } => format!("claim {slot}"),
                Effect::Load { slot, .. } => format!("load {slot}"),
                Effect::Release(m) => format!("release {}", m.len()),
                _ => continue,
            });
            for answer in worker::perform(e) {
                app.update(answer);
            }
        }
        asked
    };
    assert!(
        lock(0) && !lock(1) && !lock(2),
        "only the article shown at once"
    );

    let summaries = |app: &App| {
        (0..3)
            .filter(|&i| matches!(app.slots[i], Slot::Summary(_)))
            .collect::<Vec<_>>()
    };
    assert_eq!(summaries(&app), [1, 2], "loaded off screen, then let go");

    app.open_in_focused(1);
    let effects = app.update(Action::Resize(80, 24));
    assert_eq!(run(&mut app, effects), ["release 1", "load 1"]);
    assert!(!lock(0) && lock(1) && !lock(2));
    assert_eq!(summaries(&app), [0, 2]);

    // A tag not yet saved keeps the article whole, and its lock, off screen.
    keys(&mut app, "s c");
    app.open_in_focused(2);
    let effects = app.update(Action::Resize(80, 24));
    assert_eq!(run(&mut app, effects), ["load 2"]);
    assert!(lock(1) && lock(2));
    assert_eq!(summaries(&app), [0]);
    // The corpus list shows the let-go article's counts and status.
    keys(&mut app, "F");
    let list = super::screen(&app);
    assert!(list.contains("a.txt  todo"), "{list}");
    assert!(list.contains("b.txt  in progress  claim 1"), "{list}");
    for p in &paths {
        crate::open_lock::release(&sidecar_path(p, "alice"));
    }
    assert!(!lock(1) && !lock(2));
}
