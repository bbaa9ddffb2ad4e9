//! Lock files ("open in this instance") and memory for the articles on
//! screen only: one comes on screen, it is read again and its lock taken;
//! one leaves the screen with nothing to save, its lock is let go and, once
//! it is no longer among the few lately shown, only its summary kept.
//! Effects are carried out by the real worker function.

use crate::action::{Action, Effect};
use crate::app::{App, Lately, Slot};
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
    // Nothing lately shown is kept whole here, to see articles let go at once.
    let mut app = annotating_app(
        &paths,
        Lately {
            articles: 0,
            bytes: 0,
        },
    );
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

#[test]
fn the_articles_lately_on_screen_stay_whole() {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<_> = (0..7)
        .map(|i| dir.path().join(format!("{i}.txt")))
        .collect();
    for (i, p) in paths.iter().enumerate() {
        // Article 6 is larger than the others.
        std::fs::write(p, ARTICLE.repeat(if i == 6 { 40 } else { 1 })).unwrap();
    }
    let mut app = annotating_app(
        &paths,
        Lately {
            articles: 4,
            bytes: ARTICLE.len() * 20,
        },
    );
    // Shows an article and says which it had to read again.
    let show = |app: &mut App, slot: usize| {
        app.open_in_focused(slot);
        let effects = app.update(Action::Resize(80, 24));
        let mut loads = Vec::new();
        for e in effects {
            if let Effect::Load { slot, .. } = &e {
                loads.push(*slot);
            }
            for answer in worker::perform(e) {
                app.update(answer);
            }
        }
        loads
    };
    let whole = |app: &App| {
        (0..7)
            .filter(|&i| matches!(app.slots[i], Slot::Ready(_)))
            .collect::<Vec<_>>()
    };
    assert_eq!(whole(&app), [0]);
    for slot in 1..=5 {
        assert_eq!(show(&mut app, slot), [slot]);
    }
    // The four shown before the one on screen stay whole; the first is let go.
    assert_eq!(whole(&app), [1, 2, 3, 4, 5]);
    assert_eq!(show(&mut app, 2), Vec::<usize>::new(), "read nothing again");
    // 0 comes back: 1, now the fifth shown before it, is let go.
    assert_eq!(show(&mut app, 0), [0]);
    assert_eq!(whole(&app), [0, 2, 3, 4, 5]);
    // An article larger than the text kept for those lately shown is let go
    // as soon as it leaves the screen.
    assert_eq!(show(&mut app, 6), [6]);
    assert_eq!(whole(&app), [0, 2, 4, 5, 6], "3 let go");
    assert_eq!(show(&mut app, 0), Vec::<usize>::new());
    assert_eq!(whole(&app), [0, 2, 4, 5], "6 let go");
    for p in &paths {
        crate::open_lock::release(&sidecar_path(p, "alice"));
    }
}

/// An annotating app over `paths` by alice, every article loaded (the
/// first on screen, the others in the background and let go), keeping
/// `lately` of what was lately on screen.
pub(super) fn annotating_app(paths: &[std::path::PathBuf], lately: Lately) -> App {
    let scheme = Scheme::default();
    let keymap = Keymap::defaults(&scheme);
    let theme = Theme::new(None, false, &scheme, &Default::default());
    let mut app =
        App::new(scheme, keymap, theme, "alice".into(), paths.to_vec(), true).annotating();
    app.lately = lately;
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
    app
}
