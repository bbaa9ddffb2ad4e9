//! Working beside others: a sidecar changed on disk is merged by default,
//! merge conflicts are listed and settled yours / theirs / both, and the
//! corpus list opens the status screen and the conflicts list. Disk effects
//! are carried out by the real worker (`persist::settle`).

use claimtag_model::anchor::new_annotation;
use claimtag_model::merge::{self, mark};
use claimtag_model::{Article, Scheme, Sidecar};

use super::persist::settle;
use super::{ARTICLE, fixture, keys, screen};
use crate::action::{Action, Effect};
use crate::app::{App, Overlay};
use crate::keymap::Keymap;
use crate::theme::Theme;

fn labels(app: &App) -> Vec<String> {
    let mut l: Vec<String> = app
        .doc_of(0)
        .unwrap()
        .annotations()
        .iter()
        .map(|a| a.label.clone())
        .collect();
    l.sort();
    l
}

#[test]
fn a_sidecar_changed_on_disk_is_merged_by_default() {
    let mut f = fixture(ARTICLE, (100, 30));
    keys(&mut f.app, "s c");
    let effects = keys(&mut f.app, "<C-s>");
    settle(&mut f.app, effects);
    // ours: a denial, unsaved
    keys(&mut f.app, ") s d");
    // theirs: a colleague saves an evidence span meanwhile
    let path = f.app.doc_of(0).unwrap().article.sidecar_path.clone();
    let mut theirs = Sidecar::parse(&path, &std::fs::read_to_string(&path).unwrap()).unwrap();
    let doc = f.app.doc_of(0).unwrap().doc().clone();
    let quote = "Mr. Baloch said the U.S. Army has no evidence.";
    let at = ARTICLE.find(quote).unwrap();
    theirs.annotations.push(new_annotation(
        &doc,
        at..at + quote.len(),
        "evidence",
        "zz1".into(),
    ));
    std::fs::write(&path, theirs.to_yaml()).unwrap();
    let effects = keys(&mut f.app, "<C-s>");
    settle(&mut f.app, effects);
    assert!(matches!(f.app.overlay, Overlay::Conflict(0)));
    let s = screen(&f.app);
    assert!(s.contains("Enter  merge"), "{s}");
    // the default (Enter) merges: the disk is read, merged, saved
    let effects = keys(&mut f.app, "<Enter>");
    assert!(
        matches!(effects.as_slice(), [Effect::ReadTheirs { slot: 0, .. }]),
        "{effects:?}"
    );
    settle(&mut f.app, effects);
    assert!(matches!(f.app.overlay, Overlay::None));
    assert_eq!(labels(&f.app), ["claim", "denial", "evidence"]);
    let d = f.app.doc_of(0).unwrap();
    assert!(!d.dirty && !d.conflict);
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert!(
        on_disk.contains("label: denial") && on_disk.contains("id: zz1"),
        "{on_disk}"
    );
    // the merge is one undoable change
    keys(&mut f.app, "u");
    assert_eq!(labels(&f.app), ["claim", "denial"]);
    assert!(f.app.doc_of(0).unwrap().dirty);
}

#[test]
fn merge_conflicts_are_listed_and_settled_yours_theirs_both() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("001.txt");
    std::fs::write(&src, ARTICLE).unwrap();
    let art = Article::open(&src, "alice").unwrap();
    let mut base = art.sidecar.clone();
    let at = ARTICLE.find("Pakistan's Foreign Office").unwrap();
    base.annotations
        .push(new_annotation(&art.doc, at..at + 25, "claim", "a1".into()));
    base.annotations
        .push(new_annotation(&art.doc, 0..7, "claim", "a2".into()));
    let (mut ours, mut theirs) = (base.clone(), base.clone());
    ours.annotations[0].label = "denial".into();
    theirs.annotations[0].label = "evidence".into();
    ours.annotations[1].note = Some("mine".into());
    theirs.annotations.remove(1);
    let merged = merge::merge(Some(&base), &ours, &theirs, |_| None);
    assert_eq!(merged.report.conflicts.len(), 2);
    std::fs::write(&art.sidecar_path, merged.sidecar.to_yaml()).unwrap();

    let scheme = Scheme::default();
    let keymap = Keymap::defaults(&scheme);
    let theme = Theme::new(None, false, &scheme, &Default::default());
    let mut app = App::new(scheme, keymap, theme, "alice".into(), vec![src.clone()], true);
    app.update(Action::Resize(100, 30));
    app.update(Action::Loaded(
        0,
        Box::new(Article::open(&src, "alice").map_err(|e| e.to_string())),
    ));
    // opening an article with conflicts lists them
    assert!(matches!(
        app.overlay,
        Overlay::Conflicts {
            slot: 0,
            selected: 0
        }
    ));
    let s = screen(&app);
    assert!(
        s.contains("Merge conflicts — y yours, t theirs, b both"),
        "{s}"
    );
    assert!(s.contains("label yours denial / theirs evidence"), "{s}");
    // theirs for a1 (the label conflict), then both for a2 (edited/deleted)
    keys(&mut app, "t");
    let d = app.doc_of(0).unwrap();
    let a1 = d.annotations().iter().find(|a| a.id == "a1").unwrap();
    assert_eq!(a1.label, "evidence");
    assert!(a1.extra.is_empty());
    assert!(d.dirty);
    assert_eq!(mark::count_open(&d.article.sidecar), 1);
    keys(&mut app, "b");
    assert!(matches!(app.overlay, Overlay::None));
    let d = app.doc_of(0).unwrap();
    assert_eq!(mark::count_open(&d.article.sidecar), 0);
    let a2 = d.annotations().iter().find(|a| a.id == "a2").unwrap();
    assert_eq!(a2.note.as_deref(), Some("mine"));
    // settling is undoable
    keys(&mut app, "u");
    assert_eq!(
        mark::count_open(&app.doc_of(0).unwrap().article.sidecar),
        1
    );
}

#[test]
fn the_corpus_list_opens_status_and_conflicts() {
    let mut f = fixture(ARTICLE, (100, 30));
    keys(&mut f.app, "s c");
    let effects = keys(&mut f.app, "<C-s>");
    settle(&mut f.app, effects);
    keys(&mut f.app, "F");
    let s = screen(&f.app);
    assert!(s.contains("m merge conflicts, s status"), "{s}");
    // m: no conflicts in this article, so the list stays
    keys(&mut f.app, "m");
    assert!(matches!(f.app.overlay, Overlay::Corpus { .. }));
    let said = f.app.message.clone().unwrap().text;
    assert!(said.contains("no unresolved merge conflicts"), "{said}");
    // s: the status table is made by the worker, then shown
    let effects = keys(&mut f.app, "s");
    assert!(
        matches!(effects.as_slice(), [Effect::StatusTable(_)]),
        "{effects:?}"
    );
    settle(&mut f.app, effects);
    assert!(matches!(f.app.overlay, Overlay::Status { .. }));
    let s = screen(&f.app);
    assert!(s.contains("Corpus status"), "{s}");
    assert!(s.contains("1 article(s)"), "{s}");
    assert!(s.contains("alice (in-progress, 1)"), "{s}");
    keys(&mut f.app, "<Esc>");
    assert!(matches!(f.app.overlay, Overlay::None));
}
