//! Property tests of the merge: random sidecars, random edit scripts on two
//! sides. Each property runs [`CASES`] cases.

use std::collections::BTreeSet;
use std::sync::Arc;

use proptest::prelude::*;
use serde_json::Value;

use super::mark::{CONFLICT_KEY, Mark};
use super::merge;
use crate::format::{Annotation, Link, Sidecar};
use crate::text::Document;

const CASES: u32 = 1000;
const LABELS: &[&str] = &["claim", "denial", "evidence"];
const NAMES: &[&str] = &["Mujahid", "Khan", "the ministry"];

fn label() -> impl Strategy<Value = String> {
    prop::sample::select(LABELS).prop_map(str::to_string)
}

fn maybe_name() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop::sample::select(NAMES).prop_map(str::to_string))
}

fn annotation(id: String) -> impl Strategy<Value = Annotation> {
    (
        label(),
        0usize..40,
        0usize..10,
        maybe_name(),
        maybe_name(),
        prop::option::of(0u8..3),
    )
        .prop_map(move |(label, start, len, claimant, note, weight)| {
            let mut a = Annotation {
                id: id.clone(),
                label,
                start,
                end: start + len,
                text: format!("q{start}-{len}"),
                claimant,
                note,
                created: "2026-11-24T10:00:00Z".into(),
                ..Annotation::default()
            };
            if let Some(w) = weight {
                a.extra.insert("weight".into(), Value::from(w));
            }
            a
        })
}

fn base_sidecar() -> impl Strategy<Value = Sidecar> {
    prop::collection::btree_set(1u32..12, 0..8)
        .prop_flat_map(|ids| {
            ids.into_iter()
                .map(|n| annotation(format!("a{n}")))
                .collect::<Vec<_>>()
        })
        .prop_map(|anns| {
            let mut s = Sidecar::new("alice", "a.txt", "abc", 100);
            s.updated = "2026-11-24T10:00:00Z".into();
            s.annotations = anns;
            s.next_id = 12;
            s.sort();
            s
        })
}

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Label(usize, String),
    Bounds(usize, usize, usize),
    Note(usize, Option<String>),
    Claimant(usize, Option<String>),
    Link(usize, usize),
    Weight(usize, Option<u8>),
    /// A new annotation: `shared` ids may be made on both sides (as two
    /// instances numbering `aN` would), the others are the side's own.
    Add(bool, u8, Box<Annotation>),
    Status(Option<String>),
    /// A save: a later time and maybe a higher id counter.
    Touch(u8, u64),
}

fn edit() -> impl Strategy<Value = Edit> {
    let i = 0usize..16;
    prop_oneof![
        i.clone().prop_map(Edit::Delete),
        (i.clone(), label()).prop_map(|(i, l)| Edit::Label(i, l)),
        (i.clone(), 0usize..40, 0usize..10).prop_map(|(i, s, l)| Edit::Bounds(i, s, l)),
        (i.clone(), maybe_name()).prop_map(|(i, n)| Edit::Note(i, n)),
        (i.clone(), maybe_name()).prop_map(|(i, n)| Edit::Claimant(i, n)),
        (i.clone(), 0usize..16).prop_map(|(i, j)| Edit::Link(i, j)),
        (i, prop::option::of(0u8..3)).prop_map(|(i, w)| Edit::Weight(i, w)),
        (any::<bool>(), 0u8..3, annotation(String::new())).prop_map(|(shared, n, a)| Edit::Add(
            shared,
            n,
            Box::new(a)
        )),
        prop::option::of(prop::sample::select(&["todo", "in-progress", "done"][..]))
            .prop_map(|s| Edit::Status(s.map(str::to_string))),
        (0u8..6, 0u64..3).prop_map(|(d, n)| Edit::Touch(d, n)),
    ]
}

fn apply(s: &Sidecar, edits: &[Edit], side: &str) -> Sidecar {
    let mut s = s.clone();
    let mut own = 0;
    for e in edits {
        let n = s.annotations.len();
        let at = |i: usize| (n > 0).then(|| i % n);
        match e.clone() {
            Edit::Delete(i) => {
                if let Some(i) = at(i) {
                    s.annotations.remove(i);
                }
            }
            Edit::Label(i, l) => at(i)
                .into_iter()
                .for_each(|i| s.annotations[i].label = l.clone()),
            Edit::Bounds(i, start, len) => {
                if let Some(i) = at(i) {
                    let a = &mut s.annotations[i];
                    (a.start, a.end, a.text) = (start, start + len, format!("q{start}-{len}"));
                }
            }
            Edit::Note(i, v) => at(i)
                .into_iter()
                .for_each(|i| s.annotations[i].note = v.clone()),
            Edit::Claimant(i, v) => at(i)
                .into_iter()
                .for_each(|i| s.annotations[i].claimant = v.clone()),
            Edit::Link(i, j) => {
                if let (Some(i), Some(j)) = (at(i), at(j)) {
                    let to = s.annotations[j].id.clone();
                    s.annotations[i].links.push(Link {
                        rel: "supports".into(),
                        to,
                    });
                }
            }
            Edit::Weight(i, w) => {
                if let Some(i) = at(i) {
                    let extra = &mut s.annotations[i].extra;
                    match w {
                        Some(w) => extra.insert("weight".into(), Value::from(w)),
                        None => extra.remove("weight"),
                    };
                }
            }
            Edit::Add(shared, k, mut a) => {
                a.id = if shared {
                    format!("n{k}")
                } else {
                    own += 1;
                    format!("{side}{own}")
                };
                if s.annotations.iter().all(|b| b.id != a.id) {
                    s.annotations.push(*a);
                }
            }
            Edit::Touch(day, more) => {
                s.updated = format!("2026-11-2{}T10:00:00Z", 4 + day);
                s.next_id += more;
            }
            Edit::Status(v) => {
                match v {
                    Some(v) => s.extra.insert("project".into(), Value::from(v)),
                    None => s.extra.remove("project"),
                };
            }
        }
    }
    s.sort();
    s
}

fn no_source(_: &str) -> Option<Arc<Document>> {
    None
}

/// The same file with the side names swapped.
fn swap_sides(s: &Sidecar) -> Sidecar {
    let mut s = s.clone();
    for a in &mut s.annotations {
        if let Some(m) = Mark::of(a) {
            let side = m.side.other();
            a.id = if a.id == m.id {
                a.id.clone()
            } else {
                super::mark::versioned_id(&m.id, side)
            };
            let swapped = Mark { side, ..m };
            a.extra.insert(CONFLICT_KEY.into(), swapped.to_value());
        }
    }
    if let Some(Value::Object(map)) = s.extra.get_mut(CONFLICT_KEY) {
        for v in map.values_mut() {
            if let Some(o) = v.as_object_mut() {
                let ours = o.remove("ours");
                let theirs = o.remove("theirs");
                o.insert("ours".into(), theirs.unwrap_or(Value::Null));
                o.insert("theirs".into(), ours.unwrap_or(Value::Null));
            }
        }
    }
    s.sort();
    s
}

/// Ids present in the merged file, conflict versions under their own id.
fn merged_ids(s: &Sidecar) -> BTreeSet<String> {
    s.annotations
        .iter()
        .map(|a| Mark::of(a).map(|m| m.id).unwrap_or_else(|| a.id.clone()))
        .collect()
}

fn scripts() -> impl Strategy<Value = (Sidecar, Vec<Edit>, Vec<Edit>)> {
    (
        base_sidecar(),
        prop::collection::vec(edit(), 0..8),
        prop::collection::vec(edit(), 0..8),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn merging_is_deterministic((base, eo, et) in scripts()) {
        let (ours, theirs) = (apply(&base, &eo, "o"), apply(&base, &et, "t"));
        let one = merge(Some(&base), &ours, &theirs, no_source);
        let two = merge(Some(&base), &ours, &theirs, no_source);
        prop_assert_eq!(one.sidecar.to_yaml(), two.sidecar.to_yaml());
        prop_assert_eq!(one.report, two.report);
        // and the result parses back to itself
        let back = Sidecar::parse(std::path::Path::new("m.yaml"), &one.sidecar.to_yaml());
        prop_assert!(back.is_ok(), "{:?}", back.err());
    }

    #[test]
    fn merging_is_symmetric_up_to_side_names((base, eo, et) in scripts()) {
        let (ours, theirs) = (apply(&base, &eo, "o"), apply(&base, &et, "t"));
        let ab = merge(Some(&base), &ours, &theirs, no_source);
        let ba = merge(Some(&base), &theirs, &ours, no_source);
        prop_assert_eq!(ab.sidecar.to_yaml(), swap_sides(&ba.sidecar).to_yaml());
        prop_assert_eq!(ab.report.conflicts.len(), ba.report.conflicts.len());
        prop_assert_eq!(ab.report.dangling, ba.report.dangling);
    }

    #[test]
    fn no_annotation_either_side_added_or_kept_is_lost((base, eo, et) in scripts()) {
        let (ours, theirs) = (apply(&base, &eo, "o"), apply(&base, &et, "t"));
        let m = merge(Some(&base), &ours, &theirs, no_source);
        let present = merged_ids(&m.sidecar);
        for (this, other) in [(&ours, &theirs), (&theirs, &ours)] {
            for a in &this.annotations {
                let in_base = base.annotations.iter().find(|b| b.id == a.id);
                let deleted_by_other = other.annotations.iter().all(|o| o.id != a.id);
                // The one allowed loss: the other side deleted it and this
                // side left it as it was.
                let may_go = in_base == Some(a) && deleted_by_other;
                prop_assert!(may_go || present.contains(&a.id), "lost {}", a.id);
            }
        }
    }

    #[test]
    fn merging_with_an_unchanged_side_returns_the_other_exactly((base, eo, _et) in scripts()) {
        let changed = apply(&base, &eo, "o");
        let m = merge(Some(&base), &changed, &base, no_source);
        prop_assert!(m.report.conflicts.is_empty());
        prop_assert_eq!(m.sidecar.to_yaml(), changed.to_yaml());
        let m = merge(Some(&base), &base, &changed, no_source);
        prop_assert_eq!(m.sidecar.to_yaml(), changed.to_yaml());
    }
}
