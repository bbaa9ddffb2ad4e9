//! What an analyst's first hour tripped over (issue 12): deletions that
//! take links with them, the "tag one with" hint, an article's status and
//! unanchored annotations.

use claimtag_model::Scheme;
use claimtag_model::scheme::Label;

use super::{ARTICLE, fixture, id_at, keys};
use crate::action::Action;
use crate::app::App;
use crate::keymap::Keymap;
use crate::theme::Theme;

fn message(app: &App) -> String {
    app.message().map(|m| m.text.clone()).unwrap_or_default()
}

fn links_to(app: &App, id: &str) -> usize {
    app.doc_of(0)
        .unwrap()
        .annotations()
        .iter()
        .flat_map(|a| &a.links)
        .filter(|l| l.to == id)
        .count()
}

#[test]
fn deleting_a_span_says_which_links_go_with_it_and_undo_brings_them_back() {
    let mut f = fixture(ARTICLE, (100, 30));
    // A claim, then a denial of it that links to it.
    keys(&mut f.app, "j j s c ) s d");
    let claim = id_at(&f.app, 0);
    if let crate::app::Slot::Ready(d) = &mut f.app.slots[0] {
        d.article.sidecar.annotations[1]
            .links
            .push(claimtag_model::format::Link {
                rel: "denies".into(),
                to: claim.clone(),
            });
    }
    assert_eq!(links_to(&f.app, &claim), 1, "{}", super::screen(&f.app));
    keys(&mut f.app, "g j j x");
    let m = message(&f.app);
    assert!(
        m.contains(&format!("deleted {claim} claim and 1 link")),
        "{m}"
    );
    assert_eq!(links_to(&f.app, &claim), 0);
    keys(&mut f.app, "u");
    assert_eq!(links_to(&f.app, &claim), 1, "undo restores the link");
    assert_eq!(f.app.doc_of(0).unwrap().annotations().len(), 2);
}

#[test]
fn the_tag_hint_names_every_label_of_the_scheme_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.txt");
    std::fs::write(&p, "One sentence here. Another one there.").unwrap();
    let mut scheme = Scheme::default();
    scheme.labels.push(Label {
        name: "quote".into(),
        key: 'y',
        colour: String::new(),
        description: String::new(),
        guideline: String::new(),
        examples: Vec::new(),
    });
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
        Box::new(claimtag_model::Article::open(&p, "alice").map_err(|e| e.to_string())),
    ));
    keys(&mut app, "<Enter>");
    let m = message(&app);
    assert!(m.contains("y quote"), "{m}");
    assert!(m.contains("c claim"), "{m}");
}

#[test]
fn a_key_marks_the_article_done_undoably_and_the_corpus_list_filters_by_it() {
    use claimtag_model::format::Status;
    let mut f = super::fixture_with(&[("001.txt", ARTICLE), ("002.txt", ARTICLE)], (100, 20));
    keys(&mut f.app, "M");
    assert_eq!(f.app.article_status(0), Some(Status::InProgress));
    keys(&mut f.app, "M");
    assert_eq!(f.app.article_status(0), Some(Status::Done));
    assert!(message(&f.app).contains("done"), "{}", message(&f.app));
    keys(&mut f.app, "u");
    assert_eq!(f.app.article_status(0), Some(Status::InProgress));
    keys(&mut f.app, "<C-r>");
    assert_eq!(f.app.article_status(0), Some(Status::Done));
    assert!(f.app.doc_of(0).unwrap().dirty, "a status change is saved");
    keys(&mut f.app, "F");
    let s = super::screen(&f.app);
    assert!(s.contains("001.txt  done"), "{s}");
    assert!(s.contains("002.txt  todo"), "{s}");
    // all → todo → in progress → done
    keys(&mut f.app, "f");
    let s = super::screen(&f.app);
    assert!(
        s.contains("only todo") && !s.contains("001.txt  done"),
        "{s}"
    );
    assert!(s.contains("002.txt  todo"), "{s}");
    keys(&mut f.app, "f f");
    let s = super::screen(&f.app);
    assert!(
        s.contains("only done") && !s.contains("002.txt  todo"),
        "{s}"
    );
    assert!(s.contains("001.txt  done"), "{s}");
    keys(&mut f.app, "f");
    assert!(super::screen(&f.app).contains("002.txt  todo"));
}

#[test]
fn unanchored_annotations_are_listed_jumped_to_and_reattached_undoably() {
    use crate::app::Slot;
    let mut f = fixture(ARTICLE, (100, 20));
    if let Slot::Ready(d) = &mut f.app.slots[0] {
        let doc = std::sync::Arc::clone(d.doc());
        let mut a = claimtag_model::anchor::new_annotation(&doc, 60..80, "claim", "a1".into());
        a.text = "words that are gone".into();
        a.orphan = true;
        d.article.sidecar.annotations.push(a);
        d.reindex();
    }
    let orphan = |app: &App| app.doc_of(0).unwrap().annotations()[0].orphan;
    keys(&mut f.app, "U");
    let s = format!("{}{}", super::screen(&f.app), message(&f.app));
    assert!(s.contains("a1 claim  was at 3:"), "{s}");
    assert!(s.contains("words that are gone"), "{s}");
    keys(&mut f.app, "<Enter>");
    assert_eq!(f.app.focused().cursor, 60, "jumps to the old position");
    // Re-attach needs a selection; then it takes it.
    keys(&mut f.app, "U r");
    assert!(orphan(&f.app));
    keys(&mut f.app, "s U r");
    assert!(!orphan(&f.app), "{}", message(&f.app));
    let a = &f.app.doc_of(0).unwrap().annotations()[0];
    assert!(a.text.starts_with("On Al-Emarah"), "{}", a.text);
    assert!(!super::screen(&f.app).contains("unanchored"));
    keys(&mut f.app, "u");
    assert!(orphan(&f.app), "undo makes it unanchored again");
}

/// Sixty claims, one a line, then a denial on the last line, in its editor
/// with the link picker open.
fn sixty_claims_and_the_picker_open(size: (u16, u16)) -> super::Fixture {
    let text: String = (1..=61)
        .map(|i| format!("Claim number {i} is made here.\n"))
        .collect();
    let mut f = fixture(&text, size);
    keys(&mut f.app, &"s c j ".repeat(60));
    keys(&mut f.app, "s d <Enter> <Down> <Down> <Down> <Enter>");
    assert_eq!(f.app.mode(), crate::command::Mode::LinkPicker);
    f
}

#[test]
fn the_link_picker_scrolls_so_the_chosen_row_is_always_on_screen() {
    for size in [(120, 30), (60, 14)] {
        let mut f = sixty_claims_and_the_picker_open(size);
        for step in 0..59 {
            keys(&mut f.app, "<Down>");
            let s = super::screen(&f.app);
            let marked = s
                .lines()
                .find(|l| l.contains("▶ denies"))
                .unwrap_or_default();
            let want = format!("{} claim line {}", id_at(&f.app, step + 1), step + 2);
            assert!(marked.contains(&want), "{size:?} step {step}: {want}\n{s}");
        }
        keys(&mut f.app, "<Enter> <Enter>");
        let a = &f.app.doc_of(0).unwrap().annotations()[60];
        assert_eq!(
            a.links[0].to,
            id_at(&f.app, 59),
            "the row seen is the one linked"
        );
    }
}

#[test]
fn typing_in_the_link_picker_filters_the_candidates() {
    let mut f = sixty_claims_and_the_picker_open((120, 30));
    let thirteenth = id_at(&f.app, 12);
    super::type_text(&mut f.app, &format!("{thirteenth} "));
    let s = super::screen(&f.app);
    assert!(s.contains("(1 of 60;"), "{s}");
    assert!(
        s.contains(&format!("▶ denies → {thirteenth} claim line 13")),
        "{s}"
    );
    keys(&mut f.app, "<C-u>");
    super::type_text(&mut f.app, "nothing like it");
    keys(&mut f.app, "<Enter>");
    assert_eq!(
        f.app.mode(),
        crate::command::Mode::LinkPicker,
        "nothing to pick"
    );
    keys(&mut f.app, "<C-u>");
    super::type_text(&mut f.app, "number 7 ");
    keys(&mut f.app, "<Enter> <Enter>");
    let a = &f.app.doc_of(0).unwrap().annotations()[60];
    assert_eq!(a.links[0].to, id_at(&f.app, 6));
}

/// Issue 13: the scheme's `sentences:` rules are the ones `s` uses, so an
/// abbreviation the team added (here `Brig.`) does not end a sentence.
#[test]
fn the_schemes_abbreviations_decide_where_a_sentence_ends() {
    let text = "Brig. Khan said the attack was planned. Nobody denied it.\n";
    let sentence_of_first_word = |scheme: Scheme| {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, text).unwrap();
        let mut f = super::fixture_at_with_scheme(dir, &[p], (100, 30), scheme);
        keys(&mut f.app, "s");
        let sel = f.app.selection(0).expect("a sentence is selected");
        text.chars()
            .skip(sel.start)
            .take(sel.len())
            .collect::<String>()
    };
    assert_eq!(sentence_of_first_word(Scheme::default()).trim(), "Brig.");
    let scheme = Scheme {
        sentences: Some(claimtag_model::sentences::SentenceConfig {
            languages: Some(vec!["en".into()]),
            abbreviations: vec!["Brig".into()],
            sentence_starters: vec![],
        }),
        ..Scheme::default()
    };
    assert_eq!(
        sentence_of_first_word(scheme).trim(),
        "Brig. Khan said the attack was planned."
    );
}
