//! The annotation editor writes only what the user changed.

use claimtag_model::anchor::new_annotation;
use claimtag_model::{Article, Scheme};

use super::{keys, screen, type_text};
use crate::action::Action;
use crate::app::App;
use crate::keymap::Keymap;
use crate::theme::Theme;

/// An article whose one annotation has a label the scheme does not know.
fn with_unknown_label() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.txt");
    std::fs::write(&p, "Reuters reported it first. Then others did.").unwrap();
    let mut art = Article::open(&p, "alice").unwrap();
    let id = art.sidecar.fresh_id();
    let a = new_annotation(&art.doc, 0..26, "source", id);
    art.sidecar.annotations.push(a);
    art.save().unwrap();
    let scheme = Scheme::default();
    let mut app = App::new(
        scheme.clone(),
        Keymap::defaults(&scheme),
        Theme::new(None, false, &scheme, &Default::default()),
        "alice".into(),
        vec![p.clone()],
        true,
    );
    app.update(Action::Loaded(
        0,
        Box::new(Article::open(&p, "alice").map_err(|e| e.to_string())),
    ));
    app.update(Action::Resize(100, 20));
    (dir, app)
}

fn label(app: &App) -> String {
    app.doc_of(0).unwrap().annotations()[0].label.clone()
}

#[test]
fn an_unknown_label_survives_an_edit_of_the_note() {
    let (_dir, mut app) = with_unknown_label();
    keys(&mut app, "<Enter>");
    let s = screen(&app);
    assert!(s.contains("source (not in the scheme)"), "{s}");
    keys(&mut app, "<Down> <Down>");
    type_text(&mut app, "from the wire");
    keys(&mut app, "<Enter>");
    let a = &app.doc_of(0).unwrap().annotations()[0];
    assert_eq!(a.note.as_deref(), Some("from the wire"));
    assert_eq!(a.label, "source");
}

#[test]
fn a_label_is_written_when_the_user_changes_it() {
    let (_dir, mut app) = with_unknown_label();
    // → from an unknown label starts at the scheme's first
    keys(&mut app, "<Enter> <Right> <Enter>");
    assert_eq!(label(&app), "claim");
    // a label's key picks it
    keys(&mut app, "g <Enter> e <Enter>");
    assert_eq!(label(&app), "evidence");
    // and choosing it and coming back is no change
    keys(&mut app, "<Enter> <Right> <Right> <Right> <Enter>");
    assert_eq!(label(&app), "evidence");
    assert_eq!(app.message.clone().unwrap().text, "no change");
}
