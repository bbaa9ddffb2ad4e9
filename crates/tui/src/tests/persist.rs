//! Autosave, changed-on-disk conflicts, reload and quit, driven through
//! `update` with a fake clock; disk effects are carried out by the real worker
//! function (`worker::perform`) or answered by hand, never by the loop.

use std::path::PathBuf;
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{ARTICLE, Fixture, fixture, keys};
use crate::action::{Action, AfterRecovery, DiskProbe, Effect, SaveFailure};
use crate::app::{App, Overlay};
use crate::runtime::{Flow, Runtime};
use crate::worker;

/// A fake clock: each call is `step` later than the last.
struct Clock {
    now: Instant,
}

impl Clock {
    fn new() -> Clock {
        Clock {
            now: Instant::now(),
        }
    }
    fn tick(&mut self, app: &mut App, step: Duration) -> Vec<Effect> {
        self.now += step;
        app.update(Action::Tick(self.now))
    }
}

fn saves(effects: &[Effect]) -> Vec<(usize, u64, bool)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Save {
                slot,
                revision,
                overwrite,
                ..
            } => Some((*slot, *revision, *overwrite)),
            _ => None,
        })
        .collect()
}

/// Carries out disk effects with the real worker, feeding the answers back
/// until nothing is left; returns the effects the runtime would keep (quit,
/// repaint).
fn settle(app: &mut App, effects: Vec<Effect>) -> Vec<Effect> {
    let mut queue = effects;
    let mut kept = Vec::new();
    while let Some(e) = queue.pop() {
        if e.is_disk_work() {
            for a in worker::perform(e) {
                queue.extend(app.update(a));
            }
        } else {
            kept.push(e);
        }
    }
    kept
}

fn sidecar(f: &Fixture) -> PathBuf {
    f.app.doc_of(0).unwrap().article.sidecar_path.clone()
}

#[test]
fn autosave_comes_within_two_seconds_of_a_change_and_not_before() {
    let mut f = fixture(ARTICLE, (80, 20));
    let mut clock = Clock::new();
    assert!(saves(&clock.tick(&mut f.app, Duration::ZERO)).is_empty());
    keys(&mut f.app, "s c");
    let changed_at = clock.now;
    let mut saved = None;
    for _ in 0..20 {
        let effects = clock.tick(&mut f.app, Duration::from_millis(200));
        if !saves(&effects).is_empty() {
            saved = Some((clock.now - changed_at, effects));
            break;
        }
    }
    let (after, effects) = saved.expect("autosave never came");
    assert!(
        after <= Duration::from_secs(2) && after >= Duration::from_millis(1500),
        "{after:?}"
    );
    assert_eq!(saves(&effects), [(0, 1, false)]);
    // while that save is under way, no second one starts
    keys(&mut f.app, ") s d");
    for _ in 0..15 {
        assert!(saves(&clock.tick(&mut f.app, Duration::from_millis(200))).is_empty());
    }
    // it lands: revision 1 is on disk, the later change is still unsaved
    settle(&mut f.app, effects);
    let d = f.app.doc_of(0).unwrap();
    assert!(d.dirty && d.saving.is_none());
    let on_disk = std::fs::read_to_string(sidecar(&f)).unwrap();
    assert!(on_disk.contains("label: claim") && !on_disk.contains("denial"));
    // and the later change is saved by the next ticks
    let effects = clock.tick(&mut f.app, Duration::from_millis(200));
    assert_eq!(saves(&effects), [(0, 2, false)]);
    settle(&mut f.app, effects);
    assert!(!f.app.doc_of(0).unwrap().dirty);
    assert!(
        std::fs::read_to_string(sidecar(&f))
            .unwrap()
            .contains("denial")
    );
}

#[test]
fn a_failing_disk_is_told_and_tried_again() {
    let mut f = fixture(ARTICLE, (80, 20));
    let mut clock = Clock::new();
    keys(&mut f.app, "s c <C-s>");
    f.app.update(Action::Saved {
        slot: 0,
        revision: 1,
        result: Err(SaveFailure {
            changed_on_disk: false,
            disk_unparsable: None,
            message: "not saved: a.txt.alice.ann.yaml: disk full".into(),
        }),
    });
    assert!(f.app.message.clone().unwrap().text.contains("disk full"));
    assert!(f.app.doc_of(0).unwrap().dirty);
    clock.tick(&mut f.app, Duration::ZERO);
    let again = clock.tick(&mut f.app, Duration::from_millis(1600));
    assert_eq!(saves(&again), [(0, 1, false)]);
}

fn conflict(f: &mut Fixture) {
    keys(&mut f.app, "s c");
    let effects = keys(&mut f.app, "<C-s>");
    settle(&mut f.app, effects);
    keys(&mut f.app, ") s d");
    // a colleague rewrites the sidecar
    let theirs = std::fs::read_to_string(sidecar(f)).unwrap() + "# edited by a colleague\n";
    std::fs::write(sidecar(f), &theirs).unwrap();
    let effects = keys(&mut f.app, "<C-s>");
    settle(&mut f.app, effects);
}

#[test]
fn a_change_on_disk_stops_saves_until_the_user_chooses() {
    let mut f = fixture(ARTICLE, (80, 20));
    conflict(&mut f);
    assert!(matches!(f.app.overlay, Overlay::Conflict(0)));
    assert!(f.app.doc_of(0).unwrap().conflict);
    assert!(
        std::fs::read_to_string(sidecar(&f))
            .unwrap()
            .ends_with("# edited by a colleague\n")
    );
    // no autosave while in conflict
    let mut clock = Clock::new();
    for _ in 0..20 {
        assert!(saves(&clock.tick(&mut f.app, Duration::from_millis(200))).is_empty());
    }
    // keep mine: an overwriting save
    let effects = keys(&mut f.app, "k");
    assert_eq!(saves(&effects), [(0, 2, true)]);
    settle(&mut f.app, effects);
    // theirs is kept in a recovery file before ours overwrites it
    let msg = f.app.message.clone().unwrap().text;
    assert!(
        msg.starts_with("saved; the version on disk is kept in "),
        "{msg}"
    );
    let theirs = PathBuf::from(msg.rsplit(" kept in ").next().unwrap());
    assert!(
        std::fs::read_to_string(theirs)
            .unwrap()
            .ends_with("# edited by a colleague\n")
    );
    assert!(!f.app.doc_of(0).unwrap().dirty);
    assert!(
        std::fs::read_to_string(sidecar(&f))
            .unwrap()
            .contains("denial")
    );
}

#[test]
fn reload_keeps_ours_in_a_recovery_file_then_takes_theirs() {
    let mut f = fixture(ARTICLE, (80, 20));
    conflict(&mut f);
    let effects = keys(&mut f.app, "r");
    assert!(
        matches!(
            &effects[..],
            [Effect::Recover {
                then: AfterRecovery::Reload,
                ..
            }]
        ),
        "{effects:?}"
    );
    settle(&mut f.app, effects);
    let msg = f.app.message.clone().unwrap().text;
    assert!(
        msg.starts_with("reloaded from disk; your version is in "),
        "{msg}"
    );
    let kept = PathBuf::from(msg.rsplit(" is in ").next().unwrap());
    assert!(std::fs::read_to_string(kept).unwrap().contains("denial"));
    let d = f.app.doc_of(0).unwrap();
    assert!(!d.dirty && !d.conflict);
    assert_eq!(d.annotations().len(), 1, "theirs: the claim only");
}

#[test]
fn quit_waits_for_the_saves_and_leaves_when_they_land() {
    let mut f = fixture(ARTICLE, (80, 20));
    assert!(matches!(&keys(&mut f.app, "q")[..], [Effect::Quit]));
    keys(&mut f.app, "s c");
    let effects = keys(&mut f.app, "q");
    assert_eq!(saves(&effects), [(0, 1, false)]);
    assert!(!effects.iter().any(|e| matches!(e, Effect::Quit)));
    let kept = settle(&mut f.app, effects);
    assert!(matches!(&kept[..], [Effect::Quit]), "{kept:?}");
    assert!(sidecar(&f).exists());
}

#[test]
fn quit_with_work_that_cannot_be_saved_keeps_it_and_the_second_quit_leaves() {
    let mut f = fixture(ARTICLE, (80, 20));
    conflict(&mut f);
    keys(&mut f.app, "<Esc>");
    assert!(matches!(f.app.overlay, Overlay::None));
    let effects = keys(&mut f.app, "q");
    let kept = settle(&mut f.app, effects);
    assert!(kept.is_empty(), "{kept:?}");
    let msg = f.app.message.clone().unwrap().text;
    assert!(
        msg.contains("your work is in") && msg.ends_with("q again quits"),
        "{msg}"
    );
    assert!(f.app.quit_armed);
    // the recovery copy of this state is written once, and named on exit
    let effects = keys(&mut f.app, "q");
    assert!(matches!(&effects[..], [Effect::Quit]), "{effects:?}");
    assert_eq!(f.app.exit_notes.len(), 1);
    assert!(f.app.exit_notes[0].starts_with("unsaved annotations written to"));
}

#[test]
fn a_sidecar_changed_by_others_is_reloaded_when_ours_has_no_unsaved_work() {
    let mut f = fixture(ARTICLE, (80, 20));
    keys(&mut f.app, "s c");
    let effects = keys(&mut f.app, "<C-s>");
    settle(&mut f.app, effects);
    let mut clock = Clock::new();
    clock.tick(&mut f.app, Duration::ZERO);
    // nothing changed: a check, and nothing reloaded
    let effects = clock.tick(&mut f.app, Duration::from_secs(2));
    assert!(matches!(&effects[..], [Effect::CheckDisk(p)] if p.len() == 1));
    let uid = f.app.doc_of(0).unwrap().uid;
    settle(&mut f.app, effects);
    assert_eq!(f.app.doc_of(0).unwrap().uid, uid);
    // a colleague removes the tag
    let yaml = std::fs::read_to_string(sidecar(&f)).unwrap();
    let cut = yaml.find("annotations:").unwrap();
    std::fs::write(sidecar(&f), format!("{}annotations: []\n", &yaml[..cut])).unwrap();
    let effects = clock.tick(&mut f.app, Duration::from_secs(2));
    settle(&mut f.app, effects);
    assert!(f.app.doc_of(0).unwrap().annotations().is_empty());
    assert!(
        f.app
            .message
            .clone()
            .unwrap()
            .text
            .contains("it changed on disk")
    );
}

#[test]
fn the_disk_check_compares_length_and_time_before_hashing() {
    let f = fixture(ARTICLE, (80, 20));
    let d = f.app.doc_of(0).unwrap();
    let path = d.article.sidecar_path.clone();
    std::fs::write(&path, "annotator: alice\n").unwrap();
    let meta = std::fs::metadata(&path).unwrap();
    let probe = |sha256: &str| DiskProbe {
        slot: 0,
        source: d.article.source.clone(),
        doc: d.article.doc.clone(),
        annotator: "alice".into(),
        sidecar_path: path.clone(),
        stamp: Some(claimtag_model::store::DiskStamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            sha256: sha256.into(),
        }),
    };
    // Same length and time: not read, so a wrong hash goes unnoticed.
    let same = worker::perform(Effect::CheckDisk(vec![probe("not the hash")]));
    assert!(matches!(&same[..], [Action::DiskChecked]), "{same:?}");
    // Another length: read and hashed.
    std::fs::write(&path, "annotator: alice\n# more\n").unwrap();
    let changed = worker::perform(Effect::CheckDisk(vec![probe("not the hash")]));
    assert!(
        matches!(
            &changed[..],
            [Action::DiskChanged { slot: 0, .. }, Action::DiskChecked]
        ),
        "{changed:?}"
    );
}

#[test]
fn a_worker_that_does_not_answer_never_holds_up_the_keys() {
    let f = fixture(ARTICLE, (80, 20));
    let (disk, stuck) = channel();
    let mut rt = Runtime::new(f.app, disk);
    let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let key = |c| Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    rt.handle(key('s'));
    rt.handle(key('c'));
    rt.handle(Action::Key(ctrl_s));
    assert!(matches!(stuck.try_recv(), Ok(Effect::Save { .. })));
    // the save never comes back; keys go on working
    for _ in 0..3 {
        assert_eq!(rt.handle(key('w')), Flow::Continue);
    }
    assert!(rt.app.focused().cursor > 0);
    let before = rt.app.focused().cursor;
    rt.handle(key('w'));
    assert!(rt.app.focused().cursor > before);
    // quitting waits for the save instead of leaving or blocking
    assert_eq!(rt.handle(key('q')), Flow::Continue);
    assert!(stuck.try_recv().is_err(), "no second save of the same work");
    assert_eq!(rt.handle(key('j')), Flow::Continue);
    let _ = super::screen(&rt.app);
    drop(f._dir);
}

fn recoveries(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::Recover { .. }))
        .count()
}

/// Issue 10 item 2: after "decide later" the file on disk is not written, but
/// pending work still reaches the recovery file within 2 s of each change.
#[test]
fn decide_later_keeps_writing_pending_work_to_the_recovery_file() {
    let mut f = fixture(ARTICLE, (80, 20));
    conflict(&mut f);
    keys(&mut f.app, "<Esc>");
    assert!(matches!(f.app.overlay, Overlay::None));
    let msg = f.app.message.clone().unwrap().text;
    assert!(msg.contains("recovery file until you choose"), "{msg}");
    let mut clock = Clock::new();
    let mut written = None;
    for _ in 0..10 {
        let effects = clock.tick(&mut f.app, Duration::from_millis(200));
        assert!(saves(&effects).is_empty(), "never a save while undecided");
        if recoveries(&effects) > 0 {
            settle(&mut f.app, effects);
            written = f.app.doc_of(0).unwrap().recovered.clone();
            break;
        }
    }
    let (rev, path) = written.expect("a recovery file within 2 s");
    assert_eq!(rev, f.app.doc_of(0).unwrap().revision);
    assert!(std::fs::read_to_string(&path).unwrap().contains("denial"));
    // a later change goes to the same file within 2 s, once
    let before = f.app.doc_of(0).unwrap().revision;
    keys(&mut f.app, ") s c");
    assert!(
        f.app.doc_of(0).unwrap().revision > before,
        "a change was made"
    );
    let mut count = 0;
    for _ in 0..10 {
        let effects = clock.tick(&mut f.app, Duration::from_millis(200));
        count += recoveries(&effects);
        settle(&mut f.app, effects);
    }
    assert_eq!(count, 1);
    let d = f.app.doc_of(0).unwrap();
    assert_eq!(d.recovered, Some((d.revision, path.clone())));
    let kept = std::fs::read_to_string(&path).unwrap();
    assert_eq!(kept.matches("label: claim").count(), 2, "{kept}");
    // the colleague's file is untouched
    assert!(
        std::fs::read_to_string(sidecar(&f))
            .unwrap()
            .ends_with("# edited by a colleague\n")
    );
}

/// Issue 10 item 3: over a file on disk that does not parse, "keep mine" is
/// not offered and the file is never overwritten.
#[test]
fn keep_mine_is_not_offered_over_a_file_that_does_not_parse() {
    let mut f = fixture(ARTICLE, (100, 30));
    keys(&mut f.app, "s c");
    let effects = keys(&mut f.app, "<C-s>");
    settle(&mut f.app, effects);
    keys(&mut f.app, ") s d");
    std::fs::write(sidecar(&f), "format: [\n").unwrap();
    let effects = keys(&mut f.app, "<C-s>");
    settle(&mut f.app, effects);
    assert!(matches!(f.app.overlay, Overlay::Conflict(0)));
    let s = super::screen(&f.app);
    assert!(s.contains("does not parse, so it is not"), "{s}");
    assert!(!s.contains("keep mine"), "{s}");
    let effects = keys(&mut f.app, "k");
    assert!(saves(&effects).is_empty());
    assert!(matches!(f.app.overlay, Overlay::Conflict(0)));
    let msg = f.app.message.clone().unwrap().text;
    assert!(
        msg.starts_with("not offered: the file on disk does not parse"),
        "{msg}"
    );
    // even an overwriting save asked for directly is refused by the worker
    let d = f.app.doc_of(0).unwrap();
    let answer = worker::perform(Effect::Save {
        slot: 0,
        revision: d.revision,
        article: Box::new(d.article.clone()),
        scheme: std::sync::Arc::new(f.app.scheme.clone()),
        overwrite: true,
    });
    assert!(matches!(
        &answer[..],
        [Action::Saved { result: Err(_), .. }]
    ));
    assert_eq!(std::fs::read_to_string(sidecar(&f)).unwrap(), "format: [\n");
}

/// Issue 10 item 5: a signal saves what is pending, then leaves with a note
/// (which makes the exit status non-zero).
#[test]
fn a_signal_saves_pending_work_and_leaves_with_a_note() {
    let mut f = fixture(ARTICLE, (80, 20));
    keys(&mut f.app, "s c");
    let effects = f.app.update(Action::Stop("SIGTERM"));
    assert_eq!(saves(&effects), [(0, 1, false)]);
    let kept = settle(&mut f.app, effects);
    assert!(kept.iter().any(|e| matches!(e, Effect::Quit)), "{kept:?}");
    assert_eq!(f.app.exit_notes, ["stopped by SIGTERM"]);
    assert!(
        std::fs::read_to_string(sidecar(&f))
            .unwrap()
            .contains("claim")
    );
}

/// A signal during an undecided conflict keeps the work in a recovery file
/// and says where; the file on disk is untouched.
#[test]
fn a_signal_during_a_conflict_keeps_the_work_in_a_recovery_file() {
    let mut f = fixture(ARTICLE, (80, 20));
    conflict(&mut f);
    keys(&mut f.app, "<Esc>");
    let effects = f.app.update(Action::Stop("SIGHUP"));
    assert!(saves(&effects).is_empty());
    let kept = settle(&mut f.app, effects);
    assert!(kept.iter().any(|e| matches!(e, Effect::Quit)), "{kept:?}");
    assert_eq!(f.app.exit_notes[0], "stopped by SIGHUP");
    let note = &f.app.exit_notes[1];
    let path = note
        .strip_prefix("unsaved annotations written to ")
        .unwrap();
    assert!(std::fs::read_to_string(path).unwrap().contains("denial"));
    assert!(
        std::fs::read_to_string(sidecar(&f))
            .unwrap()
            .ends_with("# edited by a colleague\n")
    );
}

/// Issue 12: a read-only pane is tried again on the worker, not on the UI
/// thread, and becomes editable once its sidecar is fixed.
#[test]
fn a_read_only_pane_recovers_when_its_sidecar_is_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("001.txt");
    std::fs::write(&src, ARTICLE).unwrap();
    let good = {
        let mut a = claimtag_model::Article::open(&src, "alice").unwrap();
        a.save().unwrap();
        std::fs::read_to_string(&a.sidecar_path).unwrap()
    };
    let side = claimtag_model::Article::open(&src, "alice")
        .unwrap()
        .sidecar_path;
    std::fs::write(&side, "format: [\n").unwrap();
    let mut f = super::fixture_at(dir, &[src], (80, 20));
    assert!(f.app.doc_of(0).unwrap().article.read_only.is_some());
    let mut clock = Clock::new();
    let mut retried = 0;
    for _ in 0..12 {
        let effects = clock.tick(&mut f.app, Duration::from_millis(200));
        retried += effects
            .iter()
            .filter(|e| matches!(e, Effect::RetryReadOnly(_)))
            .count();
        settle(&mut f.app, effects);
    }
    assert!(retried >= 1, "tried again every 2 s");
    assert!(f.app.doc_of(0).unwrap().article.read_only.is_some());
    std::fs::write(&side, &good).unwrap();
    for _ in 0..12 {
        let effects = clock.tick(&mut f.app, Duration::from_millis(200));
        settle(&mut f.app, effects);
    }
    assert!(f.app.doc_of(0).unwrap().article.read_only.is_none());
    let msg = f.app.message.clone().unwrap().text;
    assert!(msg.ends_with("writable again: reloaded, editable"), "{msg}");
    crate::open_lock::release_all();
}
