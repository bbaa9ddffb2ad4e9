//! Lock files ("open in this instance") for the articles on screen only:
//! one comes on screen, its lock is asked for; one leaves the screen with
//! nothing to save, its lock is let go. Effects are carried out by the real
//! worker function.

use crate::action::{Action, Effect};
use crate::app::App;
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
    let mut app =
        App::new(scheme, keymap, theme, "alice".into(), paths.clone(), true).with_open_claims();
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

    app.open_in_focused(1);
    let effects = app.update(Action::Resize(80, 24));
    assert_eq!(run(&mut app, effects), ["claim 1", "release 1"]);
    assert!(!lock(0) && lock(1) && !lock(2));

    // A tag not yet saved keeps the lock off screen.
    keys(&mut app, "s c");
    app.open_in_focused(2);
    let effects = app.update(Action::Resize(80, 24));
    assert_eq!(run(&mut app, effects), ["claim 2"]);
    assert!(lock(1) && lock(2));
    for p in &paths {
        crate::open_lock::release(&sidecar_path(p, "alice"));
    }
    assert!(!lock(1) && !lock(2));
}
