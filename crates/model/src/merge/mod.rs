//! Three-way merge of one sidecar by annotation id (`claimtag merge`, the git
//! merge driver, and the TUI when the file changed on disk while edited).
//!
//! Per annotation id: added on either side is kept; deleted on one side and
//! unchanged on the other is deleted; changed on one side takes that change.
//! Fields are merged one by one (label, bounds, claimant, note, links,
//! created, from, each attribute), so two sides changing different fields of
//! one annotation both win; a field changed differently on both sides, or an
//! annotation changed on one side and deleted on the other, is a conflict,
//! written into the result as [`mark`] describes. File-level values follow the
//! same rule; `updated` and `next_id` changed on both sides take the larger.
//!
//! When the two sides were saved against different versions of the source
//! (`source.sha256`), the older side (and the base) are re-anchored onto the
//! newer text first, when the caller can supply it, so that moved offsets are
//! not taken for edits.
//!
//! The result depends only on the three inputs: merging is deterministic and
//! symmetric (swapping ours and theirs swaps only the side names).

pub mod mark;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::anchor::{self, AnchorReport};
use crate::format::{Annotation, Extra, Link, Sidecar, SourceRef};
use crate::text::Document;

pub use mark::{CONFLICT_KEY, Choice, Mark, Side, settle, settle_key};

/// A conflict left in the merged sidecar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The annotation's id (before the `~ours` / `~theirs` suffixes).
    pub id: String,
    pub kind: ConflictKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConflictKind {
    /// Both sides changed these fields differently (or both added the id
    /// with different content).
    Changed { fields: Vec<String> },
    /// One side changed it, the other deleted it.
    ChangedDeleted { changed_by: Side },
    /// A file-level key both sides set differently.
    Key,
}

/// A link in the result whose target the merge removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DanglingLink {
    pub from: String,
    pub rel: String,
    pub to: String,
}

/// What re-anchoring did before the merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reanchor {
    /// The older side was moved onto the newer source text.
    Done { older: Side, report: AnchorReport },
    /// The newer source text (by its sha256) could not be found: offsets
    /// were compared as they are.
    SourceMissing { older: Side, sha256: String },
}

/// What a merge did, for the command to print.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub conflicts: Vec<Conflict>,
    pub dangling: Vec<DanglingLink>,
    pub reanchor: Option<Reanchor>,
}

impl Report {
    /// No conflicts and no dangling links: the result can be committed.
    pub fn is_clean(&self) -> bool {
        self.conflicts.is_empty() && self.dangling.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct Merged {
    pub sidecar: Sidecar,
    pub report: Report,
}

/// Merges `ours` and `theirs`, both descended from `base` (None: no common
/// version, as when both sides created the file). `source_text` returns the
/// source text whose sha256 is given, when the caller can find it; it is
/// asked only when the two sides disagree on the source.
pub fn merge(
    base: Option<&Sidecar>,
    ours: &Sidecar,
    theirs: &Sidecar,
    source_text: impl Fn(&str) -> Option<Arc<Document>>,
) -> Merged {
    let empty = Sidecar::default();
    let mut base = base.cloned();
    let mut ours = ours.clone();
    let mut theirs = theirs.clone();
    let mut report = Report::default();
    let older = older_side(base.as_ref(), &ours, &theirs);
    if ours.source.sha256 != theirs.source.sha256 {
        report.reanchor = Some(align_sources(
            older,
            base.as_mut(),
            &mut ours,
            &mut theirs,
            &source_text,
        ));
    }
    let base_ref = base.as_ref().unwrap_or(&empty);
    let had_base = base.is_some();

    let mut out = Sidecar {
        source: pick(
            &base_ref.source,
            &ours.source,
            &theirs.source,
            had_base,
            |o, t| newer_source(o, t, older),
        ),
        annotator: pick(
            &base_ref.annotator,
            &ours.annotator,
            &theirs.annotator,
            had_base,
            |o, t| o.min(t).clone(),
        ),
        updated: pick(
            &base_ref.updated,
            &ours.updated,
            &theirs.updated,
            had_base,
            |o, t| o.max(t).clone(),
        ),
        next_id: pick(
            &base_ref.next_id,
            &ours.next_id,
            &theirs.next_id,
            had_base,
            |o, t| *o.max(t),
        ),
        // Progress set differently on both sides: the less advanced one, so an
        // article one side still works on is never called done.
        status: pick(
            &base_ref.status,
            &ours.status,
            &theirs.status,
            had_base,
            |o, t| match (o, t) {
                (Some(a), Some(b)) => Some(*a.min(b)),
                _ => o.or(*t),
            },
        ),
        annotations: Vec::new(),
        extra: Extra::new(),
    };
    let (extra, key_conflicts) = merge_extra(&base_ref.extra, &ours.extra, &theirs.extra, had_base);
    out.extra = extra;
    for key in key_conflicts {
        report.conflicts.push(Conflict {
            id: key,
            kind: ConflictKind::Key,
        });
    }

    let b = by_id(base_ref);
    let o = by_id(&ours);
    let t = by_id(&theirs);
    let ids: BTreeSet<&str> = b.keys().chain(o.keys()).chain(t.keys()).copied().collect();
    for id in ids {
        merge_one(
            id,
            b.get(id).copied(),
            o.get(id).copied(),
            t.get(id).copied(),
            &mut out.annotations,
            &mut report,
        );
    }
    out.sort();
    report.dangling = dangling_links(&out, [base_ref, &ours, &theirs]);
    Merged {
        sidecar: out,
        report,
    }
}

/// Three-way choice of one value: equal sides, or the one side that changed
/// it; both changed differently: `both` decides (it must be symmetric).
fn pick<T: Clone + PartialEq>(
    base: &T,
    ours: &T,
    theirs: &T,
    had_base: bool,
    both: impl Fn(&T, &T) -> T,
) -> T {
    if ours == theirs {
        ours.clone()
    } else if had_base && ours == base {
        theirs.clone()
    } else if had_base && theirs == base {
        ours.clone()
    } else {
        both(ours, theirs)
    }
}

/// Which side's source reference wins when both changed it: the newer one
/// (its sha256 is what the annotations now match); with one hash, the larger
/// reference, so the choice never depends on the side names.
fn newer_source(o: &SourceRef, t: &SourceRef, older: Side) -> SourceRef {
    if o.sha256 != t.sha256 {
        return match older {
            Side::Ours => t.clone(),
            Side::Theirs => o.clone(),
        };
    }
    let key = |s: &SourceRef| {
        (
            s.file.clone(),
            s.chars,
            serde_json::to_string(&s.extra).unwrap_or_default(),
        )
    };
    if key(o) >= key(t) {
        o.clone()
    } else {
        t.clone()
    }
}

/// The side whose source version is older: the one still at the base's
/// version (the other changed the source), else the one saved earlier, else
/// (a tie) the smaller hash, so the choice never depends on the side names.
fn older_side(base: Option<&Sidecar>, ours: &Sidecar, theirs: &Sidecar) -> Side {
    if let Some(b) = base {
        if b.source.sha256 == ours.source.sha256 {
            return Side::Ours;
        }
        if b.source.sha256 == theirs.source.sha256 {
            return Side::Theirs;
        }
    }
    let key = |s: &Sidecar| (s.updated.clone(), s.source.sha256.clone());
    if key(ours) < key(theirs) {
        Side::Ours
    } else {
        Side::Theirs
    }
}

/// Re-anchors the older side, and the base, onto the newer side's source.
fn align_sources(
    older: Side,
    base: Option<&mut Sidecar>,
    ours: &mut Sidecar,
    theirs: &mut Sidecar,
    source_text: &impl Fn(&str) -> Option<Arc<Document>>,
) -> Reanchor {
    let (old, new) = match older {
        Side::Ours => (ours, &*theirs),
        Side::Theirs => (theirs, &*ours),
    };
    let sha = new.source.sha256.clone();
    let Some(doc) = source_text(&sha).filter(|d| d.sha256() == sha) else {
        return Reanchor::SourceMissing { older, sha256: sha };
    };
    let new_source = new.source.clone();
    let report = move_onto(old, &doc, &new_source);
    if let Some(b) = base
        && b.source.sha256 != sha
    {
        move_onto(b, &doc, &new_source);
    }
    Reanchor::Done { older, report }
}

fn move_onto(s: &mut Sidecar, doc: &Document, source: &SourceRef) -> AnchorReport {
    let report = anchor::reanchor(doc, &mut s.annotations);
    s.source.sha256 = source.sha256.clone();
    s.source.chars = source.chars;
    report
}

fn by_id(s: &Sidecar) -> BTreeMap<&str, &Annotation> {
    s.annotations.iter().map(|a| (a.id.as_str(), a)).collect()
}

/// Merges the versions of one annotation id into `out`.
fn merge_one(
    id: &str,
    base: Option<&Annotation>,
    ours: Option<&Annotation>,
    theirs: Option<&Annotation>,
    out: &mut Vec<Annotation>,
    report: &mut Report,
) {
    match (base, ours, theirs) {
        (_, None, None) => {}
        (None, Some(a), None) | (None, None, Some(a)) => out.push(a.clone()),
        (Some(b), Some(o), None) | (Some(b), None, Some(o)) if o == b => {
            // Deleted on one side, unchanged on the other.
        }
        (Some(_), Some(o), None) => changed_deleted(id, o, Side::Ours, out, report),
        (Some(_), None, Some(t)) => changed_deleted(id, t, Side::Theirs, out, report),
        (base, Some(o), Some(t)) => {
            let fields = merge_fields(base, o, t);
            if fields.conflicts.is_empty() {
                out.push(fields.merged);
                return;
            }
            let names: Vec<String> = fields.conflicts.iter().map(|c| c.to_string()).collect();
            for (side, version) in [
                (Side::Ours, fields.ours_version),
                (Side::Theirs, fields.theirs_version),
            ] {
                let mut a = version;
                a.id = mark::versioned_id(id, side);
                let m = Mark {
                    side,
                    id: id.to_string(),
                    other_deleted: false,
                    fields: names.clone(),
                };
                a.extra.insert(CONFLICT_KEY.to_string(), m.to_value());
                out.push(a);
            }
            report.conflicts.push(Conflict {
                id: id.to_string(),
                kind: ConflictKind::Changed { fields: names },
            });
        }
    }
}

fn changed_deleted(
    id: &str,
    kept: &Annotation,
    side: Side,
    out: &mut Vec<Annotation>,
    report: &mut Report,
) {
    let mut a = kept.clone();
    let m = Mark {
        side,
        id: id.to_string(),
        other_deleted: true,
        fields: vec![],
    };
    a.extra.insert(CONFLICT_KEY.to_string(), m.to_value());
    out.push(a);
    report.conflicts.push(Conflict {
        id: id.to_string(),
        kind: ConflictKind::ChangedDeleted { changed_by: side },
    });
}

/// The merged annotation, and where fields conflict, each side's version
/// (the merged fields with that side's value of the conflicting ones).
struct FieldMerge {
    merged: Annotation,
    ours_version: Annotation,
    theirs_version: Annotation,
    conflicts: Vec<String>,
}

impl FieldMerge {
    /// One field three ways: changed on one side takes that change; changed
    /// differently on both is a conflict, each version keeping its own value.
    fn field<T: Clone + PartialEq>(
        &mut self,
        name: &str,
        had_base: bool,
        [b, o, t]: [&Annotation; 3],
        get: impl Fn(&Annotation) -> T,
        set: impl Fn(&mut Annotation, T),
    ) {
        let (bv, ov, tv) = (get(b), get(o), get(t));
        let agreed = if ov == tv || (had_base && tv == bv) {
            ov
        } else if had_base && ov == bv {
            tv
        } else {
            self.conflicts.push(name.to_string());
            set(&mut self.ours_version, ov);
            set(&mut self.theirs_version, tv);
            return;
        };
        set(&mut self.merged, agreed.clone());
        set(&mut self.ours_version, agreed.clone());
        set(&mut self.theirs_version, agreed);
    }
}

/// The groups of an annotation that are merged as one value each. `bounds`
/// is the span itself: offsets, quote and context move together.
fn merge_fields(base: Option<&Annotation>, o: &Annotation, t: &Annotation) -> FieldMerge {
    let had_base = base.is_some();
    let empty = Annotation::default();
    let b = base.unwrap_or(&empty);
    let mut fm = FieldMerge {
        merged: o.clone(),
        ours_version: o.clone(),
        theirs_version: t.clone(),
        conflicts: Vec::new(),
    };
    let sides = [b, o, t];
    fm.field(
        "label",
        had_base,
        sides,
        |a: &Annotation| a.label.clone(),
        |a: &mut Annotation, v| a.label = v,
    );
    fm.field(
        "bounds",
        had_base,
        sides,
        |a: &Annotation| {
            (
                a.start,
                a.end,
                a.text.clone(),
                a.prefix.clone(),
                a.suffix.clone(),
                a.orphan,
            )
        },
        |a: &mut Annotation, v: (usize, usize, String, String, String, bool)| {
            (a.start, a.end, a.text, a.prefix, a.suffix, a.orphan) = v;
        },
    );
    fm.field(
        "claimant",
        had_base,
        sides,
        |a: &Annotation| a.claimant.clone(),
        |a: &mut Annotation, v| a.claimant = v,
    );
    fm.field(
        "note",
        had_base,
        sides,
        |a: &Annotation| a.note.clone(),
        |a: &mut Annotation, v| a.note = v,
    );
    fm.field(
        "links",
        had_base,
        sides,
        |a: &Annotation| link_set(&a.links),
        |a: &mut Annotation, v: BTreeSet<Link>| a.links = v.into_iter().collect(),
    );
    fm.field(
        "created",
        had_base,
        sides,
        |a: &Annotation| a.created.clone(),
        |a: &mut Annotation, v| a.created = v,
    );
    fm.field(
        "from",
        had_base,
        sides,
        |a: &Annotation| a.from.clone(),
        |a: &mut Annotation, v| a.from = v,
    );
    let keys: BTreeSet<String> = b
        .extra
        .keys()
        .chain(o.extra.keys())
        .chain(t.extra.keys())
        .cloned()
        .collect();
    for key in keys {
        let get = |a: &Annotation| a.extra.get(&key).cloned();
        let set = |a: &mut Annotation, v: Option<Value>| match v {
            Some(v) => {
                a.extra.insert(key.clone(), v);
            }
            None => {
                a.extra.remove(&key);
            }
        };
        fm.field(&key, had_base, sides, get, set);
    }
    fm
}

/// Links compared as a set: order and repeats are not edits.
fn link_set(links: &[Link]) -> BTreeSet<Link> {
    links.iter().cloned().collect()
}

/// File-level extension keys, one by one. A key both sides set differently
/// is left out and recorded under `conflict:` with both values; conflicts
/// recorded by earlier merges are kept from both sides.
fn merge_extra(base: &Extra, ours: &Extra, theirs: &Extra, had_base: bool) -> (Extra, Vec<String>) {
    let mut out = Extra::new();
    let mut recorded = Map::new();
    let mut conflicts = Vec::new();
    let keys: BTreeSet<&String> = base
        .keys()
        .chain(ours.keys())
        .chain(theirs.keys())
        .collect();
    for key in keys {
        let (b, o, t) = (base.get(key), ours.get(key), theirs.get(key));
        let chosen: Vec<&Value> = if o == t || (had_base && t == b) {
            o.into_iter().collect()
        } else if had_base && o == b {
            t.into_iter().collect()
        } else if key == CONFLICT_KEY {
            o.into_iter().chain(t).collect()
        } else {
            let mut both = Map::new();
            both.insert("ours".into(), o.cloned().unwrap_or(Value::Null));
            both.insert("theirs".into(), t.cloned().unwrap_or(Value::Null));
            recorded.insert(key.clone(), Value::Object(both));
            conflicts.push(key.clone());
            continue;
        };
        for v in chosen {
            match v.as_object() {
                Some(m) if key == CONFLICT_KEY => {
                    for (k, v) in m {
                        recorded.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
                _ => {
                    out.insert(key.clone(), v.clone());
                }
            }
        }
    }
    if !recorded.is_empty() {
        out.insert(CONFLICT_KEY.to_string(), Value::Object(recorded));
    }
    (out, conflicts)
}

/// Links in the merged file whose target is gone although some input had it.
fn dangling_links(merged: &Sidecar, inputs: [&Sidecar; 3]) -> Vec<DanglingLink> {
    let mut present: BTreeSet<String> = BTreeSet::new();
    for a in &merged.annotations {
        present.insert(a.id.clone());
        if let Some(m) = Mark::of(a) {
            present.insert(m.id);
        }
    }
    let existed: BTreeSet<&str> = inputs
        .iter()
        .flat_map(|s| s.annotations.iter().map(|a| a.id.as_str()))
        .collect();
    let mut out = BTreeSet::new();
    for a in &merged.annotations {
        let from = Mark::of(a).map(|m| m.id).unwrap_or_else(|| a.id.clone());
        for l in &a.links {
            if !present.contains(&l.to) && existed.contains(l.to.as_str()) {
                out.insert((from.clone(), l.rel.clone(), l.to.clone()));
            }
        }
    }
    out.into_iter()
        .map(|(from, rel, to)| DanglingLink { from, rel, to })
        .collect()
}

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
