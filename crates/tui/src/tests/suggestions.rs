//! Suggestions through the pure update: shown, stepped, accepted, rejected,
//! all accepted after confirmation, proposed from a tag; every step undoable.

use claimtag_model::suggest;

use super::*;

/// The fixture with the built-in cues' suggestions handed to the state as
/// the event loop would.
fn with_suggestions() -> Fixture {
    let mut f = fixture(ARTICLE, (100, 20));
    let Some(Slot::Ready(d)) = f.app.slots.first() else {
        panic!("not loaded")
    };
    let doc = d.doc().clone();
    let p = suggest::load("builtin:en").unwrap();
    let m = suggest::Matcher::new(&p).unwrap();
    let mut set = claimtag_model::Sidecar::new("suggest", "001.txt", doc.sha256(), doc.len_chars());
    suggest::merge_into(&mut set, &doc, &suggest::find(&doc, &m));
    assert!(set.annotations.len() >= 3, "{:?}", set.annotations);
    f.app
        .update(Action::SuggestionsLoaded(0, Box::new(Ok(set.annotations))));
    f
}

fn left(f: &Fixture) -> usize {
    f.app.slots[0].doc().unwrap().suggestions.left()
}

fn own(f: &Fixture) -> &claimtag_model::Sidecar {
    &f.app.slots[0].doc().unwrap().article.sidecar
}

#[test]
fn accept_reject_undo_and_accept_all() {
    let mut f = with_suggestions();
    let n = left(&f);
    keys(&mut f.app, "> a");
    assert_eq!(left(&f), n - 1);
    let a = &own(&f).annotations[0];
    assert!(a.from.as_deref().unwrap().starts_with("suggest:"), "{a:?}");
    keys(&mut f.app, "> r");
    assert_eq!(left(&f), n - 2);
    assert_eq!(suggest::rejected(own(&f), "suggest").len(), 1);
    keys(&mut f.app, "u");
    assert_eq!(left(&f), n - 1);
    assert!(suggest::rejected(own(&f), "suggest").is_empty());
    keys(&mut f.app, "<C-r>");
    assert_eq!(left(&f), n - 2);
    // A asks first; another key says no
    keys(&mut f.app, "A x");
    assert_eq!(left(&f), n - 2);
    keys(&mut f.app, "A y");
    assert_eq!(left(&f), 0);
    assert_eq!(own(&f).annotations.len(), n - 1);
    // one undo takes all of them back
    keys(&mut f.app, "u");
    assert_eq!(left(&f), n - 2);
    keys(&mut f.app, "A A");
    assert_eq!(left(&f), 0);
    assert!(f.app.slots[0].doc().unwrap().dirty);
}

#[test]
fn ghosts_are_drawn_without_background_and_counted() {
    let mut f = with_suggestions();
    let n = left(&f);
    let (_, ghost) = f.app.slots[0].doc().unwrap().suggestions.ghosts[0].clone();
    let mut t = Terminal::new(TestBackend::new(100, 20)).unwrap();
    t.draw(|fr| fr.render_widget(&f.app, fr.area())).unwrap();
    let buf = t.backend().buffer().clone();
    let status: String = (0..100)
        .map(|x| buf[(x, 19)].symbol().to_string())
        .collect();
    assert!(status.contains(&format!("{n} suggested")), "{status}");
    // find the ghost's first character on screen: underlined, no background
    let doc = f.app.slots[0].doc().unwrap().doc().clone();
    let first = doc.text()[ghost.clone()]
        .chars()
        .nth(1)
        .unwrap()
        .to_string();
    let cell = (0..19u16)
        .flat_map(|y| (0..100u16).map(move |x| (x, y)))
        .map(|p| &buf[p])
        .find(|c| c.symbol() == first && c.modifier.contains(ratatui::style::Modifier::UNDERLINED))
        .expect("an underlined ghost cell");
    assert_eq!(cell.bg, Color::Reset);
    // accepting the first one turns it into a tag (a background)
    keys(&mut f.app, "> a");
    assert_eq!(left(&f), n - 1);
}

#[test]
fn enter_edits_before_accepting_and_esc_leaves_it() {
    let mut f = with_suggestions();
    let n = left(&f);
    keys(&mut f.app, "> <Enter>");
    assert!(matches!(f.app.overlay, Overlay::Edit(_)));
    keys(&mut f.app, "<Esc>");
    assert_eq!(left(&f), n);
    assert!(own(&f).annotations.is_empty());
    keys(&mut f.app, "<Enter> e <Enter>");
    assert_eq!(left(&f), n - 1);
    assert_eq!(own(&f).annotations[0].label, "evidence");
    assert!(
        own(&f).annotations[0]
            .from
            .as_deref()
            .unwrap()
            .starts_with("suggest:")
    );
}

#[test]
fn star_proposes_other_occurrences_and_undo_takes_them_back() {
    let text = "Mastung camp is large. They left.\n\nThe Mastung camp was empty.\n";
    let mut f = fixture(text, (80, 10));
    f.app
        .update(Action::SuggestionsLoaded(0, Box::new(Ok(vec![]))));
    keys(&mut f.app, "v l l l l l l l l l l l c");
    assert_eq!(own(&f).annotations[0].text, "Mastung camp");
    keys(&mut f.app, "*");
    assert_eq!(left(&f), 1);
    keys(&mut f.app, "> a");
    assert_eq!(own(&f).annotations.len(), 2);
    assert_eq!(
        own(&f).annotations[1].from.as_deref(),
        Some("suggest:like:alice")
    );
    keys(&mut f.app, "u u");
    assert_eq!(left(&f), 0, "the proposal is undone too");
}

/// The loader reads an article's suggestion set beside it and hands it to
/// the state after the article (never the UI thread's work).
#[test]
fn the_loader_reads_the_set_after_the_article() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("001.txt");
    std::fs::write(&p, ARTICLE).unwrap();
    let art = Article::open(&p, "suggest").unwrap();
    let doc = art.doc.clone();
    let patterns = suggest::load("builtin:en").unwrap();
    let m = suggest::Matcher::new(&patterns).unwrap();
    let mut set = art.sidecar.clone();
    suggest::merge_into(&mut set, &doc, &suggest::find(&doc, &m));
    assert!(!set.annotations.is_empty());
    std::fs::write(&art.sidecar_path, set.to_yaml()).unwrap();
    let mine = Article::open(&p, "alice").map_err(|e| e.to_string());
    let actions = crate::loaded_actions(0, mine, Some("suggest"));
    assert!(matches!(actions[0], Action::Loaded(0, _)));
    let Action::SuggestionsLoaded(0, got) = &actions[1] else {
        panic!("{actions:?}")
    };
    assert_eq!(got.as_ref().as_ref().unwrap().len(), set.annotations.len());
    // the review screen (no set) reads none
    let mine = Article::open(&p, "alice").map_err(|e| e.to_string());
    assert_eq!(crate::loaded_actions(0, mine, None).len(), 1);
}

/// The suggestion keys are rebindable under `keys:` like any other command,
/// and the hint names the key bound.
#[test]
fn suggestion_keys_are_rebindable() {
    let mut f = with_suggestions();
    let n = left(&f);
    let bind = |action: &str, key: &str| claimtag_model::config::Binding {
        action: action.into(),
        keys: vec![key.into()],
        line: 1,
        column: 1,
    };
    f.app.keymap = Keymap::build(
        &Scheme::default(),
        "claimtag.yaml",
        &[bind("next-suggestion", "J"), bind("accept-suggestion", "+")],
        "config.yaml",
    )
    .unwrap();
    keys(&mut f.app, "J");
    let s = screen(&f.app);
    assert!(s.contains("+ accept"), "{s}");
    // the old keys no longer accept
    keys(&mut f.app, "a");
    assert_eq!(left(&f), n);
    keys(&mut f.app, "+");
    assert_eq!(left(&f), n - 1);
    assert_eq!(own(&f).annotations.len(), 1);
}
