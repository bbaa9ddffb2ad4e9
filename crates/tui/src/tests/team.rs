//! Working beside others (issue 15, issue 10 items 1 and 3): a sidecar
//! changed on disk is merged by default, merge conflicts are listed and
//! settled yours / theirs / both, the corpus list shows the status screen,
//! and an article open in another instance can be taken over. Disk effects
//! are carried out by the real worker (`persist::settle`).

use std::path::{Path, PathBuf};

use claimtag_model::anchor::new_annotation;
use claimtag_model::merge::{self, mark};
use claimtag_model::{Article, Scheme, Sidecar};

use super::persist::settle;
use super::{ARTICLE, Fixture, fixture, fixture_at, keys, screen};
use crate::action::{Action, Effect};
use crate::app::{App, Overlay};

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

fn sidecar_path(f: &Fixture) -> PathBuf {
    f.app.doc_of(0).unwrap().article.sidecar_path.clone()
}

fn read(path: &Path) -> Sidecar {
    Sidecar::parse(path, &std::fs::read_to_string(path).unwrap()).unwrap()
}

fn message(app: &App) -> String {
    app.message().map(|m| m.text.clone()).unwrap_or_default()
}

fn span_of(doc: &claimtag_model::Document, s: &mut Sidecar, quote: &str, label: &str) -> String {
    let at = ARTICLE.find(quote).unwrap();
    let id = s.fresh_id();
    s.annotations
        .push(new_annotation(doc, at..at + quote.len(), label, id.clone()));
    id
}

/// A claim saved, then a denial made (unsaved) while a colleague saved an
/// evidence span: Ctrl-s meets the prompt, whose default merges.
#[test]
fn a_sidecar_changed_on_disk_is_merged_by_default() {
    let mut f = fixture(ARTICLE, (100, 30));
    keys(&mut f.app, "s c");
    let effects = keys(&mut f.app, "<C-s>");
    settle(&mut f.app, effects);
    keys(&mut f.app, ") s d");
    let path = sidecar_path(&f);
    let mut theirs = read(&path);
    let doc = f.app.doc_of(0).unwrap().doc().clone();
    let theirs_id = span_of(
        &doc,
        &mut theirs,
        "Mr. Baloch said the U.S. Army has no evidence.",
        "evidence",
    );
    std::fs::write(&path, theirs.to_yaml()).unwrap();
    let effects = keys(&mut f.app, "<C-s>");
    settle(&mut f.app, effects);
    assert!(matches!(f.app.overlay, Overlay::Conflict(0)));
    let s = screen(&f.app);
    assert!(s.contains("merge: both sides' work kept"), "{s}");
    // the default (Enter) merges: the disk is read, merged, saved
    let effects = keys(&mut f.app, "<Enter>");
    assert!(
        matches!(effects.as_slice(), [Effect::ReadTheirs { slot: 0, .. }]),
        "{effects:?}"
    );
    settle(&mut f.app, effects);
    assert!(matches!(f.app.overlay, Overlay::None));
    assert_eq!(labels(&f.app), ["claim", "denial", "evidence"]);
    let msg = message(&f.app);
    assert!(
        msg.contains("merged with the version on disk (yours: 1 added; theirs: 1 added)"),
        "{msg}"
    );
    let d = f.app.doc_of(0).unwrap();
    assert!(!d.dirty && !d.conflict);
    let on_disk = read(&path);
    assert_eq!(on_disk.annotations.len(), 3);
    assert!(on_disk.annotations.iter().any(|a| a.id == theirs_id));
    assert!(on_disk.annotations.iter().any(|a| a.label == "denial"));
    // the merge is one undoable change
    keys(&mut f.app, "u");
    assert_eq!(labels(&f.app), ["claim", "denial"]);
    assert!(f.app.doc_of(0).unwrap().dirty);
}

/// `m` merges too; both sides relabelled the same span differently: the
/// merged file keeps both versions marked `conflict:`, the list opens, and
/// settling the last one leaves a sidecar `check` accepts.
#[test]
fn a_merge_with_conflicts_keeps_both_versions_and_lists_them() {
    let mut f = fixture(ARTICLE, (100, 30));
    keys(&mut f.app, "s c");
    let effects = keys(&mut f.app, "<C-s>");
    settle(&mut f.app, effects);
    let id = super::id_at(&f.app, 0);
    // ours: the claim becomes a denial (unsaved)
    keys(&mut f.app, "<Enter> <Right> <Enter>");
    assert_eq!(labels(&f.app), ["denial"]);
    // theirs: the same span became evidence
    let path = sidecar_path(&f);
    let mut theirs = read(&path);
    theirs.annotations[0].label = "evidence".into();
    std::fs::write(&path, theirs.to_yaml()).unwrap();
    let effects = keys(&mut f.app, "<C-s>");
    settle(&mut f.app, effects);
    assert!(matches!(f.app.overlay, Overlay::Conflict(0)));
    let effects = keys(&mut f.app, "m");
    settle(&mut f.app, effects);
    let msg = message(&f.app);
    assert!(
        msg.contains("1 conflict(s) to settle: y yours, t theirs, b both"),
        "{msg}"
    );
    assert!(matches!(f.app.overlay, Overlay::Conflicts { selected: 0 }));
    let s = screen(&f.app);
    assert!(s.contains("Merge conflicts (1)"), "{s}");
    assert!(
        s.contains(&format!("{id}  label: yours denial / theirs evidence")),
        "{s}"
    );
    // saved with both versions marked, as `claimtag merge` writes them
    let on_disk = read(&path);
    assert_eq!(mark::count_open(&on_disk), 1);
    assert_eq!(on_disk.annotations.len(), 2);
    // theirs settles it: one evidence span under the old id
    keys(&mut f.app, "t");
    assert!(matches!(f.app.overlay, Overlay::None));
    assert!(
        message(&f.app).contains("no conflicts left"),
        "{}",
        message(&f.app)
    );
    let d = f.app.doc_of(0).unwrap();
    assert_eq!(d.conflicts(), 0);
    assert_eq!(d.annotations().len(), 1);
    assert_eq!(
        (
            d.annotations()[0].id.as_str(),
            d.annotations()[0].label.as_str()
        ),
        (id.as_str(), "evidence")
    );
    let effects = keys(&mut f.app, "<C-s>");
    settle(&mut f.app, effects);
    let report = claimtag_model::check::check_sidecar(&path, &Scheme::default());
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

/// A sidecar left with conflicts by `git merge` (through `claimtag merge`):
/// the status bar counts them, `C` lists them, y / t / b settle them one by
/// one, undo brings one back.
#[test]
fn conflicts_left_by_a_merge_are_counted_listed_and_settled() {
    claimtag_model::id::fixed_clock_on_this_thread();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("001.txt");
    std::fs::write(&src, ARTICLE).unwrap();
    let art = Article::open(&src, "alice").unwrap();
    let mut base = art.sidecar.clone();
    let first = span_of(&art.doc, &mut base, "Pakistan's Foreign Office", "claim");
    let second = span_of(&art.doc, &mut base, "Mr. Baloch said", "claim");
    let third = span_of(&art.doc, &mut base, "A third paragraph", "claim");
    let (mut ours, mut theirs) = (base.clone(), base.clone());
    let pos = |s: &Sidecar, id: &str| s.annotations.iter().position(|a| a.id == id).unwrap();
    let (i, j) = (pos(&ours, &first), pos(&theirs, &first));
    ours.annotations[i].label = "denial".into();
    theirs.annotations[j].label = "evidence".into();
    let (i, j) = (pos(&ours, &second), pos(&theirs, &second));
    ours.annotations[i].note = Some("mine".into());
    theirs.annotations.remove(j);
    let (i, j) = (pos(&ours, &third), pos(&theirs, &third));
    ours.annotations[i].note = Some("ours".into());
    theirs.annotations[j].note = Some("theirs".into());
    let merged = merge::merge(Some(&base), &ours, &theirs, |_| None);
    assert_eq!(merged.report.conflicts.len(), 3);
    std::fs::write(&art.sidecar_path, merged.sidecar.to_yaml()).unwrap();

    let mut f = fixture_at(dir, &[src], (110, 30));
    let s = screen(&f.app);
    assert!(
        s.contains("3 unresolved merge conflict(s); C lists them"),
        "{s}"
    );
    keys(&mut f.app, "<Esc>");
    let s = screen(&f.app);
    assert!(s.contains("⚠ 3 merge conflict(s) (C lists)"), "{s}");
    keys(&mut f.app, "C");
    let s = screen(&f.app);
    assert!(
        s.contains("Merge conflicts (3) — y yours, t theirs, b both, Enter goes there"),
        "{s}"
    );
    assert!(s.contains("label: yours denial / theirs evidence"), "{s}");
    assert!(
        s.contains("claim: yours edited it, theirs deleted it"),
        "{s}"
    );
    // the list jumps: the cursor is on the first conflict, then the next
    let at = |q: &str| ARTICLE.find(q).unwrap();
    assert_eq!(f.app.focused().cursor, at("Pakistan's Foreign Office"));
    keys(&mut f.app, "j");
    assert_eq!(f.app.focused().cursor, at("Mr. Baloch said"));
    keys(&mut f.app, "k");
    // theirs for the label, yours for the edited/deleted span
    keys(&mut f.app, "t");
    let d = f.app.doc_of(0).unwrap();
    let a = d.annotations().iter().find(|a| a.id == first).unwrap();
    assert_eq!(a.label, "evidence");
    assert!(a.extra.is_empty());
    assert!(d.dirty);
    assert_eq!(d.conflicts(), 2);
    keys(&mut f.app, "y");
    let d = f.app.doc_of(0).unwrap();
    let a = d.annotations().iter().find(|a| a.id == second).unwrap();
    assert_eq!(a.note.as_deref(), Some("mine"));
    // both for the note: theirs gets a new id
    keys(&mut f.app, "b");
    assert!(matches!(f.app.overlay, Overlay::None));
    let d = f.app.doc_of(0).unwrap();
    assert_eq!(d.conflicts(), 0);
    let notes: Vec<Option<&str>> = d
        .annotations()
        .iter()
        .filter(|a| a.text.starts_with("A third"))
        .map(|a| a.note.as_deref())
        .collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes.contains(&Some("ours")) && notes.contains(&Some("theirs")));
    assert!(!screen(&f.app).contains("merge conflict(s) (C lists)"));
    // settling is undoable
    keys(&mut f.app, "u");
    assert_eq!(f.app.doc_of(0).unwrap().conflicts(), 1);
    keys(&mut f.app, "<C-r>");
    let effects = keys(&mut f.app, "<C-s>");
    settle(&mut f.app, effects);
    let path = sidecar_path(&f);
    assert_eq!(mark::count_open(&read(&path)), 0);
    let report = claimtag_model::check::check_sidecar(&path, &Scheme::default());
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

/// Over a file on disk that does not parse, merge is not offered either.
#[test]
fn merge_is_not_offered_over_a_file_that_does_not_parse() {
    let mut f = fixture(ARTICLE, (100, 30));
    keys(&mut f.app, "s c");
    let effects = keys(&mut f.app, "<C-s>");
    settle(&mut f.app, effects);
    keys(&mut f.app, ") s d");
    std::fs::write(sidecar_path(&f), "format: [\n").unwrap();
    let effects = keys(&mut f.app, "<C-s>");
    settle(&mut f.app, effects);
    let s = screen(&f.app);
    assert!(!s.contains("merge:"), "{s}");
    for k in ["<Enter>", "m"] {
        assert!(keys(&mut f.app, k).is_empty());
        assert!(matches!(f.app.overlay, Overlay::Conflict(0)));
        assert!(message(&f.app).starts_with("not offered"));
    }
}

/// The corpus list's `s`: the same table as `claimtag status` of the folder.
#[test]
fn the_corpus_list_shows_the_status_of_the_corpus() {
    let mut f = super::fixture_with(&[("a.txt", ARTICLE), ("b.txt", "Second.\n")], (120, 40));
    keys(&mut f.app, "s c");
    let effects = keys(&mut f.app, "<C-s>");
    settle(&mut f.app, effects);
    keys(&mut f.app, "F");
    let s = screen(&f.app);
    assert!(s.contains("s status"), "{s}");
    let effects = keys(&mut f.app, "s");
    assert!(
        matches!(effects.as_slice(), [Effect::StatusTable(_)]),
        "{effects:?}"
    );
    settle(&mut f.app, effects);
    let Overlay::Status { lines, .. } = &f.app.overlay else {
        panic!("{:?}", f.app.overlay);
    };
    let folder = f.app.slots[0].path().parent().unwrap().to_path_buf();
    let cli = claimtag_model::status::table(
        &claimtag_model::status::dashboard(std::slice::from_ref(&folder)).unwrap(),
        &folder,
    );
    assert_eq!(lines.join("\n"), cli.trim_end_matches('\n'));
    let s = screen(&f.app);
    assert!(s.contains("Corpus status"), "{s}");
    assert!(s.contains("alice"), "{s}");
    keys(&mut f.app, "j");
    keys(&mut f.app, "<Esc>");
    assert!(matches!(f.app.overlay, Overlay::None));
}

/// Issue 10 item 1: an article another instance has open is read-only with
/// a warning; `T` asks, `n` leaves it, `y` takes it over: editable, and the
/// lock file names this process.
#[test]
fn an_article_open_elsewhere_can_be_taken_over() {
    claimtag_model::id::fixed_clock_on_this_thread();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("001.txt");
    std::fs::write(&src, ARTICLE).unwrap();
    let side = claimtag_model::store::sidecar_path(&src, "alice");
    let lock = claimtag_model::lock::marker_path(&side);
    // another host: never guessed stale
    std::fs::write(
        &lock,
        "pid: 4242\nhost: elsewhere.example\nsince: 2026-11-30T09:00:00Z\n",
    )
    .unwrap();
    let mut article = Article::open(&src, "alice").unwrap();
    crate::open_lock::claim(&mut article);
    let scheme = Scheme::default();
    let app = App::new(
        scheme.clone(),
        crate::keymap::Keymap::defaults(&scheme),
        crate::theme::Theme::new(None, false, &scheme, &Default::default()),
        "alice".into(),
        vec![src.clone()],
        true,
    );
    let mut f = Fixture { _dir: dir, app };
    f.app.update(Action::Resize(100, 30));
    f.app.update(Action::Loaded(0, Box::new(Ok(article))));
    let s = screen(&f.app);
    assert!(s.contains("[read-only]"), "{s}");
    assert!(
        s.contains("already open in process 4242 on elsewhere.example"),
        "{s}"
    );
    keys(&mut f.app, "s c");
    assert!(f.app.doc_of(0).unwrap().annotations().is_empty());
    keys(&mut f.app, "T");
    assert!(matches!(f.app.overlay, Overlay::TakeOver(0)));
    let s = screen(&f.app);
    assert!(s.contains("y  take it over: editable here"), "{s}");
    keys(&mut f.app, "n");
    assert!(matches!(f.app.overlay, Overlay::None));
    assert!(f.app.doc_of(0).unwrap().article.read_only.is_some());
    keys(&mut f.app, "T");
    let effects = keys(&mut f.app, "y");
    assert!(
        matches!(effects.as_slice(), [Effect::TakeOver { slot: 0, .. }]),
        "{effects:?}"
    );
    settle(&mut f.app, effects);
    assert!(f.app.doc_of(0).unwrap().article.read_only.is_none());
    assert!(
        message(&f.app).starts_with("took over "),
        "{}",
        message(&f.app)
    );
    let text = std::fs::read_to_string(&lock).unwrap();
    assert!(
        text.contains(&format!("pid: {}\n", std::process::id())),
        "{text}"
    );
    keys(&mut f.app, "s c");
    assert_eq!(labels(&f.app), ["claim"]);
    crate::open_lock::release(&side);
    assert!(!lock.exists());
}

/// The first save of the sidecar was someone else's: the merge's message
/// speaks of spans only, not of the source reference ours did not have yet.
#[test]
fn a_merge_with_a_first_version_saved_elsewhere_tells_spans_only() {
    let mut f = fixture(ARTICLE, (120, 30));
    keys(&mut f.app, "s c");
    let path = sidecar_path(&f);
    assert!(!path.exists());
    let src = f.app.slots[0].path().to_path_buf();
    let mut theirs = Article::open(&src, "alice").unwrap().sidecar;
    let doc = f.app.doc_of(0).unwrap().doc().clone();
    theirs.source.sha256 = doc.sha256().to_string();
    span_of(&doc, &mut theirs, "A third paragraph", "evidence");
    std::fs::write(&path, theirs.to_yaml()).unwrap();
    let effects = keys(&mut f.app, "<C-s>");
    settle(&mut f.app, effects);
    assert!(matches!(f.app.overlay, Overlay::Conflict(0)));
    let effects = keys(&mut f.app, "<Enter>");
    settle(&mut f.app, effects);
    assert_eq!(
        message(&f.app),
        "merged with the version on disk (yours: 1 added; theirs: 1 added); saving"
    );
    assert_eq!(read(&path).annotations.len(), 2);
}
