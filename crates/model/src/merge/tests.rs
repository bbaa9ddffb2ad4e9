use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use super::mark::{self, Choice, Mark, Side};
use super::*;
use crate::format::{Annotation, Link, Sidecar, Status};
use crate::text::Document;

fn ann(id: &str, label: &str, start: usize, end: usize) -> Annotation {
    Annotation {
        id: id.into(),
        label: label.into(),
        start,
        end,
        text: format!("t{start}"),
        created: "2026-11-24T10:00:00Z".into(),
        ..Annotation::default()
    }
}

fn sidecar(anns: Vec<Annotation>) -> Sidecar {
    let mut s = Sidecar::new("alice", "a.txt", "abc", 100);
    s.updated = "2026-11-24T10:00:00Z".into();
    s.annotations = anns;
    s.next_id = 10;
    s.sort();
    s
}

fn no_source(_: &str) -> Option<Arc<Document>> {
    None
}

fn ids(s: &Sidecar) -> Vec<&str> {
    s.annotations.iter().map(|a| a.id.as_str()).collect()
}

fn reparse(s: &Sidecar) -> Sidecar {
    Sidecar::parse(Path::new("merged.yaml"), &s.to_yaml()).unwrap()
}

#[test]
fn additions_on_both_sides_are_kept() {
    let base = sidecar(vec![ann("a1", "claim", 0, 5)]);
    let mut ours = base.clone();
    ours.annotations.push(ann("x1", "denial", 10, 15));
    let mut theirs = base.clone();
    theirs.annotations.push(ann("y1", "evidence", 20, 25));
    let m = merge(Some(&base), &ours, &theirs, no_source);
    assert!(m.report.is_clean(), "{:?}", m.report);
    assert_eq!(ids(&m.sidecar), ["a1", "x1", "y1"]);
}

#[test]
fn a_deletion_against_no_change_deletes() {
    let base = sidecar(vec![ann("a1", "claim", 0, 5), ann("a2", "claim", 6, 9)]);
    let mut ours = base.clone();
    ours.annotations.retain(|a| a.id != "a1");
    let m = merge(Some(&base), &ours, &base, no_source);
    assert!(m.report.is_clean());
    assert_eq!(ids(&m.sidecar), ["a2"]);
    let m = merge(Some(&base), &base, &ours, no_source);
    assert_eq!(ids(&m.sidecar), ["a2"]);
}

#[test]
fn different_fields_changed_on_each_side_both_win() {
    let base = sidecar(vec![ann("a1", "claim", 0, 5)]);
    let mut ours = base.clone();
    ours.annotations[0].label = "denial".into();
    let mut theirs = base.clone();
    theirs.annotations[0].note = Some("second-hand".into());
    theirs.annotations[0].links = vec![Link {
        rel: "supports".into(),
        to: "a1".into(),
    }];
    let m = merge(Some(&base), &ours, &theirs, no_source);
    assert!(m.report.is_clean(), "{:?}", m.report);
    let a = &m.sidecar.annotations[0];
    assert_eq!(
        (a.label.as_str(), a.note.as_deref()),
        ("denial", Some("second-hand"))
    );
    assert_eq!(a.links.len(), 1);
}

#[test]
fn the_same_field_changed_differently_keeps_both_versions_marked() {
    let base = sidecar(vec![ann("a1", "claim", 0, 5), ann("a2", "denial", 8, 9)]);
    let mut ours = base.clone();
    ours.annotations[0].label = "denial".into();
    ours.annotations[0].claimant = Some("Mujahid".into());
    let mut theirs = base.clone();
    theirs.annotations[0].label = "evidence".into();
    // a2 links to a1, which is now in conflict: the link is not dangling
    theirs.annotations[1].links = vec![Link {
        rel: "denies".into(),
        to: "a1".into(),
    }];
    let m = merge(Some(&base), &ours, &theirs, no_source);
    assert_eq!(
        m.report.conflicts,
        [Conflict {
            id: "a1".into(),
            kind: ConflictKind::Changed {
                fields: vec!["label".into()]
            }
        }]
    );
    assert!(m.report.dangling.is_empty());
    let back = reparse(&m.sidecar);
    assert_eq!(back, m.sidecar);
    assert_eq!(ids(&back), ["a1~ours", "a1~theirs", "a2"]);
    let yaml = back.to_yaml();
    assert!(
        yaml.contains("  conflict:\n    fields:\n    - label\n    id: a1\n    side: ours\n"),
        "{yaml}"
    );
    // both versions carry the change nobody disputes
    for a in &back.annotations[..2] {
        assert_eq!(a.claimant.as_deref(), Some("Mujahid"));
    }
    assert_eq!(mark::count_open(&back), 1);

    let mut settled = back.clone();
    assert_eq!(
        mark::settle(&mut settled, "a1", Choice::Theirs).unwrap(),
        ["a1"]
    );
    assert_eq!(ids(&settled), ["a1", "a2"]);
    assert_eq!(settled.annotations[0].label, "evidence");
    assert!(settled.annotations[0].extra.is_empty());
    assert_eq!(mark::count_open(&settled), 0);

    let mut both = back.clone();
    let kept = mark::settle(&mut both, "a1", Choice::Both).unwrap();
    assert_eq!(kept[0], "a1");
    assert_eq!(both.annotations.len(), 3);
    assert_eq!(mark::count_open(&both), 0);
    assert!(mark::settle(&mut both, "a1", Choice::Ours).is_err());
}

#[test]
fn changed_on_one_side_deleted_on_the_other_is_a_conflict() {
    let base = sidecar(vec![ann("a1", "claim", 0, 5)]);
    let ours = sidecar(vec![]);
    let mut theirs = base.clone();
    theirs.annotations[0].note = Some("checked".into());
    let m = merge(Some(&base), &ours, &theirs, no_source);
    assert_eq!(
        m.report.conflicts[0].kind,
        ConflictKind::ChangedDeleted {
            changed_by: Side::Theirs
        }
    );
    let back = reparse(&m.sidecar);
    assert_eq!(ids(&back), ["a1"]);
    assert_eq!(
        Mark::of(&back.annotations[0]).unwrap(),
        Mark {
            side: Side::Theirs,
            id: "a1".into(),
            other_deleted: true,
            fields: vec![]
        }
    );
    let mut dropped = back.clone();
    mark::settle(&mut dropped, "a1", Choice::Ours).unwrap();
    assert!(dropped.annotations.is_empty());
    let mut kept = back;
    mark::settle(&mut kept, "a1", Choice::Theirs).unwrap();
    assert_eq!(kept.annotations[0].note.as_deref(), Some("checked"));
}

#[test]
fn links_to_ids_the_merge_removed_are_reported() {
    let base = sidecar(vec![ann("a1", "claim", 0, 5)]);
    let ours = sidecar(vec![]);
    let mut theirs = base.clone();
    let mut d = ann("y1", "denial", 10, 12);
    d.links = vec![Link {
        rel: "denies".into(),
        to: "a1".into(),
    }];
    theirs.annotations.push(d);
    let m = merge(Some(&base), &ours, &theirs, no_source);
    assert!(m.report.conflicts.is_empty());
    assert_eq!(
        m.report.dangling,
        [DanglingLink {
            from: "y1".into(),
            rel: "denies".into(),
            to: "a1".into()
        }]
    );
    assert!(!m.report.is_clean());
}

#[test]
fn file_keys_merge_and_conflict() {
    let base = sidecar(vec![]);
    let mut ours = base.clone();
    ours.extra.insert("batch".into(), Value::from("spring"));
    ours.extra.insert("project".into(), Value::from("x"));
    let mut theirs = base.clone();
    theirs.extra.insert("batch".into(), Value::from("autumn"));
    let m = merge(Some(&base), &ours, &theirs, no_source);
    assert_eq!(m.report.conflicts[0].kind, ConflictKind::Key);
    let back = reparse(&m.sidecar);
    assert_eq!(back.extra.get("project"), Some(&Value::from("x")));
    assert_eq!(back.extra.get("batch"), None);
    assert_eq!(mark::count_open(&back), 1);
    let mut settled = back;
    mark::settle_key(&mut settled, "batch", Side::Ours).unwrap();
    assert_eq!(settled.extra.get("batch"), Some(&Value::from("spring")));
    assert!(!settled.extra.contains_key(mark::CONFLICT_KEY));
}

/// `status` is bookkeeping like `updated`: set differently on both sides it
/// takes the less advanced value (never a conflict), so an article one side
/// still works on is not called done; set on one side only, that side wins.
#[test]
fn status_set_differently_takes_the_less_advanced_without_a_conflict() {
    let base = sidecar(vec![]);
    let mut ours = base.clone();
    ours.status = Some(Status::Done);
    let mut theirs = base.clone();
    theirs.status = Some(Status::InProgress);
    let m = merge(Some(&base), &ours, &theirs, no_source);
    assert!(m.report.conflicts.is_empty(), "{:?}", m.report.conflicts);
    let back = reparse(&m.sidecar);
    assert_eq!(back.status, Some(Status::InProgress));
    assert_eq!(mark::count_open(&back), 0);
    let swapped = merge(Some(&base), &theirs, &ours, no_source);
    assert_eq!(swapped.sidecar.status, Some(Status::InProgress));
    let one_side = merge(Some(&base), &ours, &base, no_source);
    assert_eq!(one_side.sidecar.status, Some(Status::Done));
}

#[test]
fn both_adding_one_id_differently_is_a_conflict_and_identically_is_one() {
    let base = sidecar(vec![]);
    let ours = sidecar(vec![ann("a1", "claim", 0, 5)]);
    let theirs = sidecar(vec![ann("a1", "claim", 7, 9)]);
    let m = merge(Some(&base), &ours, &theirs, no_source);
    assert_eq!(ids(&m.sidecar), ["a1~ours", "a1~theirs"]);
    let m = merge(Some(&base), &ours, &ours, no_source);
    assert_eq!(ids(&m.sidecar), ["a1"]);
    assert!(m.report.is_clean());
    let m = merge(None, &ours, &theirs, no_source);
    assert_eq!(m.report.conflicts.len(), 1);
}

#[test]
fn updated_and_next_id_take_the_later_when_both_changed() {
    let base = sidecar(vec![]);
    let mut ours = base.clone();
    ours.updated = "2026-11-25T00:00:00Z".into();
    ours.next_id = 12;
    let mut theirs = base.clone();
    theirs.updated = "2026-11-26T00:00:00Z".into();
    theirs.next_id = 11;
    let m = merge(Some(&base), &ours, &theirs, no_source);
    assert_eq!(m.sidecar.updated, "2026-11-26T00:00:00Z");
    assert_eq!(m.sidecar.next_id, 12);
}

/// Theirs edited the source (a sentence inserted in front) and re-anchored;
/// ours still has the old offsets. Only the label ours changed is an edit.
#[test]
fn the_older_side_is_reanchored_onto_the_newer_source() {
    let old = Document::from_string("Alpha said this. Beta denied it.".into());
    let new = Arc::new(Document::from_string(
        "Intro. Alpha said this. Beta denied it.".into(),
    ));
    let make = |doc: &Document, start: usize, label: &str| {
        let mut s = Sidecar::new("alice", "a.txt", doc.sha256(), doc.len_chars());
        s.updated = "2026-11-24T10:00:00Z".into();
        let mut a = ann("a1", label, start, start + 15);
        crate::anchor::fill_from(doc, &mut a);
        s.annotations.push(a);
        s
    };
    let base = make(&old, 17, "claim");
    let ours = make(&old, 17, "denial");
    let mut theirs = make(&new, 24, "claim");
    theirs.updated = "2026-11-24T11:00:00Z".into();
    let find = |sha: &str| (sha == new.sha256()).then(|| Arc::clone(&new));
    let m = merge(Some(&base), &ours, &theirs, find);
    assert!(m.report.is_clean(), "{:?}", m.report);
    assert!(matches!(
        m.report.reanchor,
        Some(Reanchor::Done {
            older: Side::Ours,
            ..
        })
    ));
    let a = &m.sidecar.annotations[0];
    assert_eq!((a.label.as_str(), a.start), ("denial", 24));
    assert_eq!(m.sidecar.source.sha256, new.sha256());
    assert_eq!(new.slice_chars(a.start, a.end), Some("Beta denied it."));

    // Without the newer text the offsets are compared as they are; here the
    // two sides changed different fields, so the merge is still clean.
    let m = merge(Some(&base), &ours, &theirs, no_source);
    assert!(matches!(
        m.report.reanchor,
        Some(Reanchor::SourceMissing {
            older: Side::Ours,
            ..
        })
    ));
    assert_eq!(m.sidecar.source.sha256, new.sha256());
}
