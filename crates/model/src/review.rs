//! Differences between two annotators' spans of one article, for review
//! (issue 4), and the operations that settle them: accept (the target takes
//! their version), reject (remembered in the target sidecar) and starting an
//! adjudicated gold set. The review screen is built on this; no terminal code
//! here. See docs/agreement.md ("Review differences").
//!
//! "Ours" is the target set (the reviewer's own sidecar, or the gold set);
//! "theirs" is the colleague's.
//!
//! How differences are found: first every span of ours is paired one to one
//! with an identical span of theirs (same start, end and label); those agree
//! and are no difference. The remaining spans are grouped: a span of ours and a
//! span of theirs belong to the same difference when they share at least one
//! code point or have the same range. Each group (a connected chain) is one
//! [`Difference`]:
//! - only spans of theirs: [`DiffKind::OnlyTheirs`] (then it is a single span),
//! - only spans of ours: [`DiffKind::OnlyOurs`],
//! - both, all with the same range: [`DiffKind::LabelDiffers`],
//! - both, with different ranges: [`DiffKind::BoundaryDiffers`].

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::format::{Annotation, Sidecar};
use crate::text::sha256_hex;

/// Top-level key of the sidecar extension that stores review state:
/// `review: {<their name>: {rejected: [<fingerprint>, ...]}}`.
pub const REVIEW_KEY: &str = "review";
const REJECTED_KEY: &str = "rejected";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DiffKind {
    /// They marked something we did not mark at all.
    OnlyTheirs,
    /// We marked something they did not mark at all.
    OnlyOurs,
    /// The same range(s), labelled differently.
    LabelDiffers,
    /// Overlapping spans with other boundaries (labels may differ too).
    BoundaryDiffers,
}

impl DiffKind {
    pub const ALL: [DiffKind; 4] = [
        DiffKind::OnlyTheirs,
        DiffKind::OnlyOurs,
        DiffKind::LabelDiffers,
        DiffKind::BoundaryDiffers,
    ];

    /// A short stable name (used in fingerprints, so never change it).
    pub fn as_str(self) -> &'static str {
        match self {
            DiffKind::OnlyTheirs => "only-theirs",
            DiffKind::OnlyOurs => "only-ours",
            DiffKind::LabelDiffers => "label",
            DiffKind::BoundaryDiffers => "boundary",
        }
    }

    /// A phrase for people.
    pub fn describe(self) -> &'static str {
        match self {
            DiffKind::OnlyTheirs => "only in theirs",
            DiffKind::OnlyOurs => "only in ours",
            DiffKind::LabelDiffers => "same range, another label",
            DiffKind::BoundaryDiffers => "overlapping, other boundaries",
        }
    }
}

/// One difference: a group of spans of ours and theirs that disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub kind: DiffKind,
    /// Indices into the `ours` slice given to [`differences`], ascending.
    pub ours: Vec<usize>,
    /// Indices into the `theirs` slice, ascending.
    pub theirs: Vec<usize>,
    /// Ids of the spans of ours, so [`accept`] still finds them after the
    /// target has changed (earlier accepts shift indices, never ids).
    pub ours_ids: Vec<String>,
    /// Code point range covering every involved span.
    pub start: usize,
    pub end: usize,
}

/// What accepting changed in the target.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AcceptReport {
    /// Spans of ours removed.
    pub removed: usize,
    /// Copies of their spans added.
    pub added: usize,
    /// Links kept, pointing at the target's id of the same span.
    pub links_kept: usize,
    /// Links dropped because their target span is absent from the target set.
    pub links_dropped: usize,
}

impl std::ops::AddAssign for AcceptReport {
    fn add_assign(&mut self, o: AcceptReport) {
        self.removed += o.removed;
        self.added += o.added;
        self.links_kept += o.links_kept;
        self.links_dropped += o.links_dropped;
    }
}

fn key(a: &Annotation) -> (usize, usize, &str) {
    (a.start, a.end, a.label.as_str())
}

/// Whether two spans of different sets are part of the same difference: they
/// share a code point, or they have the same range (also when empty).
fn related(a: &Annotation, b: &Annotation) -> bool {
    (a.start == b.start && a.end == b.end) || a.start.max(b.start) < a.end.min(b.end)
}

/// The differences between `ours` and `theirs`, sorted by start (then end,
/// kind). Identical `(start, end, label)` pairs are not differences.
pub fn differences(ours: &[Annotation], theirs: &[Annotation]) -> Vec<Difference> {
    // Pair identical spans one to one (a multiset intersection).
    let mut pool: BTreeMap<(usize, usize, &str), Vec<usize>> = BTreeMap::new();
    for (i, t) in theirs.iter().enumerate() {
        pool.entry(key(t)).or_default().push(i);
    }
    let mut left_ours = Vec::new();
    for (i, o) in ours.iter().enumerate() {
        match pool.get_mut(&key(o)).and_then(Vec::pop) {
            Some(_) => {}
            None => left_ours.push(i),
        }
    }
    let mut left_theirs: Vec<usize> = pool.into_values().flatten().collect();
    left_theirs.sort_by_key(|&i| theirs.get(i).map(|t| (t.start, t.end)));

    // Union-find over the remaining spans: ours are 0..n, theirs n..n+m.
    let n = left_ours.len();
    let mut parent: Vec<usize> = (0..n + left_theirs.len()).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while let Some(&p) = parent.get(x) {
            if p == x {
                break;
            }
            let grand = parent.get(p).copied().unwrap_or(p);
            if let Some(slot) = parent.get_mut(x) {
                *slot = grand;
            }
            x = grand;
        }
        x
    }
    for (oi, &o) in left_ours.iter().enumerate() {
        let Some(oa) = ours.get(o) else { continue };
        for (ti, &t) in left_theirs.iter().enumerate() {
            let Some(ta) = theirs.get(t) else { continue };
            // Sorted by start: nothing further on can touch this span of ours
            // (an empty span at our end only relates when the range is equal).
            if ta.start > oa.end || (ta.start == oa.end && oa.start < oa.end) {
                break;
            }
            if related(oa, ta) {
                let (ra, rb) = (find(&mut parent, oi), find(&mut parent, n + ti));
                if ra != rb
                    && let Some(slot) = parent.get_mut(ra)
                {
                    *slot = rb;
                }
            }
        }
    }

    let mut groups: BTreeMap<usize, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for (oi, &o) in left_ours.iter().enumerate() {
        let root = find(&mut parent, oi);
        groups.entry(root).or_default().0.push(o);
    }
    for (ti, &t) in left_theirs.iter().enumerate() {
        let root = find(&mut parent, n + ti);
        groups.entry(root).or_default().1.push(t);
    }

    let mut out: Vec<Difference> = groups
        .into_values()
        .filter_map(|(mut o, mut t)| {
            o.sort_unstable();
            t.sort_unstable();
            let spans: Vec<&Annotation> = o
                .iter()
                .filter_map(|&i| ours.get(i))
                .chain(t.iter().filter_map(|&i| theirs.get(i)))
                .collect();
            let start = spans.iter().map(|a| a.start).min()?;
            let end = spans.iter().map(|a| a.end).max()?;
            let kind = match (o.is_empty(), t.is_empty()) {
                (true, _) => DiffKind::OnlyTheirs,
                (_, true) => DiffKind::OnlyOurs,
                _ if spans.iter().all(|a| a.start == start && a.end == end) => {
                    DiffKind::LabelDiffers
                }
                _ => DiffKind::BoundaryDiffers,
            };
            let ours_ids = o
                .iter()
                .filter_map(|&i| ours.get(i).map(|a| a.id.clone()))
                .collect();
            Some(Difference {
                kind,
                ours: o,
                theirs: t,
                ours_ids,
                start,
                end,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (a.start, a.end, a.kind, &a.ours, &a.theirs)
            .cmp(&(b.start, b.end, b.kind, &b.ours, &b.theirs))
    });
    out
}

/// A stable identity of a difference: its kind and the ranges and labels of
/// every involved span (not ids or indices, which change with edits). Used to
/// remember rejected differences.
pub fn fingerprint(d: &Difference, ours: &[Annotation], theirs: &[Annotation]) -> String {
    let spans = |idx: &[usize], set: &[Annotation]| {
        let mut v: Vec<String> = idx
            .iter()
            .filter_map(|&i| set.get(i))
            .map(|a| format!("{}-{}:{}", a.start, a.end, a.label))
            .collect();
        v.sort();
        v.join(",")
    };
    let canonical = format!(
        "{}\u{0}{}\u{0}{}",
        d.kind.as_str(),
        spans(&d.ours, ours),
        spans(&d.theirs, theirs)
    );
    let hash = sha256_hex(canonical.as_bytes());
    format!("{}-{}", d.kind.as_str(), hash.get(..16).unwrap_or(&hash))
}

/// The fingerprints of differences with `their_name` rejected in `target`.
pub fn rejected(target: &Sidecar, their_name: &str) -> BTreeSet<String> {
    target
        .extra
        .get(REVIEW_KEY)
        .and_then(|r| r.get(their_name))
        .and_then(|r| r.get(REJECTED_KEY))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Remembers a rejected difference in the target sidecar (under
/// `review.<their_name>.rejected`, sorted, without duplicates), keeping any
/// other review state.
pub fn mark_rejected(target: &mut Sidecar, their_name: &str, fp: String) {
    let mut set = rejected(target, their_name);
    set.insert(fp);
    let list = Value::Array(set.into_iter().map(Value::String).collect());
    let review = target
        .extra
        .entry(REVIEW_KEY.to_string())
        .or_insert_with(|| Value::Object(Default::default()));
    if !review.is_object() {
        *review = Value::Object(Default::default());
    }
    if let Some(review) = review.as_object_mut() {
        let theirs = review
            .entry(their_name.to_string())
            .or_insert_with(|| Value::Object(Default::default()));
        if !theirs.is_object() {
            *theirs = Value::Object(Default::default());
        }
        if let Some(theirs) = theirs.as_object_mut() {
            theirs.insert(REJECTED_KEY.to_string(), list);
        }
    }
}

/// Differences not rejected before.
pub fn unsettled(
    diffs: Vec<Difference>,
    ours: &[Annotation],
    theirs: &[Annotation],
    rejected: &BTreeSet<String>,
) -> Vec<Difference> {
    diffs
        .into_iter()
        .filter(|d| !rejected.contains(&fingerprint(d, ours, theirs)))
        .collect()
}

/// The target takes their version of one difference: the target's spans in it
/// are removed and copies of theirs added with fresh ids and `from:
/// their_name`. Links: see [`accept_many`].
pub fn accept(
    target: &mut Sidecar,
    theirs: &[Annotation],
    d: &Difference,
    their_name: &str,
) -> AcceptReport {
    accept_many(target, theirs, &[d], their_name)
}

/// Accepts every unsettled difference of the given kinds (e.g. only
/// [`DiffKind::OnlyTheirs`] to take their additions without deleting ours).
pub fn accept_all(
    target: &mut Sidecar,
    theirs: &[Annotation],
    their_name: &str,
    kinds: &[DiffKind],
) -> AcceptReport {
    let done = rejected(target, their_name);
    let diffs = unsettled(
        differences(&target.annotations, theirs),
        &target.annotations,
        theirs,
        &done,
    );
    let chosen: Vec<&Difference> = diffs.iter().filter(|d| kinds.contains(&d.kind)).collect();
    accept_many(target, theirs, &chosen, their_name)
}

/// Accepts several differences at once, so links between spans copied
/// together are kept.
///
/// Links of a copied span point at their ids; each is rewritten to the target's
/// id of the same span: the copy made now, or else a span of the target with
/// the same start, end and label (copied earlier, or one both sets always had).
/// A link whose target span is absent from the target set is dropped and
/// counted. Links of the target's own spans that pointed at a removed span are
/// redirected to its replacement when a difference replaced exactly one span
/// by exactly one, and otherwise dropped and counted.
pub fn accept_many(
    target: &mut Sidecar,
    theirs: &[Annotation],
    diffs: &[&Difference],
    their_name: &str,
) -> AcceptReport {
    let mut report = AcceptReport::default();
    let removed: BTreeSet<&str> = diffs
        .iter()
        .flat_map(|d| d.ours_ids.iter().map(String::as_str))
        .collect();
    let before = target.annotations.len();
    target
        .annotations
        .retain(|a| !removed.contains(a.id.as_str()));
    report.removed = before - target.annotations.len();

    // Copy theirs (each index once), remembering their id → new id.
    let mut new_id_of: BTreeMap<String, String> = BTreeMap::new();
    let mut copies: Vec<Annotation> = Vec::new();
    let mut replacement: BTreeMap<String, String> = BTreeMap::new();
    let mut copied: BTreeSet<usize> = BTreeSet::new();
    for d in diffs {
        for &i in &d.theirs {
            let Some(t) = theirs.get(i) else { continue };
            if !copied.insert(i) {
                continue;
            }
            let mut copy = t.clone();
            copy.id = target.fresh_id();
            copy.from = Some(their_name.to_string());
            new_id_of.insert(t.id.clone(), copy.id.clone());
            copies.push(copy);
        }
        if let ([old], [i]) = (d.ours_ids.as_slice(), d.theirs.as_slice())
            && let Some(new) = theirs.get(*i).and_then(|t| new_id_of.get(&t.id))
        {
            replacement.insert(old.clone(), new.clone());
        }
    }
    report.added = copies.len();

    // Their id → the target's id of the same span, for links to spans not
    // copied now.
    let by_theirs_id: BTreeMap<&str, &Annotation> =
        theirs.iter().map(|t| (t.id.as_str(), t)).collect();
    let existing: BTreeMap<(usize, usize, &str), String> = {
        let mut m = BTreeMap::new();
        // Prefer a span that came from them, then any.
        for a in target.annotations.iter().rev() {
            let k = key(a);
            if a.from.as_deref() == Some(their_name) || !m.contains_key(&k) {
                m.insert(k, a.id.clone());
            }
        }
        m
    };
    for copy in &mut copies {
        let links = std::mem::take(&mut copy.links);
        for mut link in links {
            let to = new_id_of.get(&link.to).cloned().or_else(|| {
                by_theirs_id
                    .get(link.to.as_str())
                    .and_then(|t| existing.get(&key(t)).cloned())
            });
            match to {
                Some(to) => {
                    link.to = to;
                    copy.links.push(link);
                    report.links_kept += 1;
                }
                None => report.links_dropped += 1,
            }
        }
    }

    // The target's own links to removed spans.
    for a in &mut target.annotations {
        let links = std::mem::take(&mut a.links);
        for mut link in links {
            if !removed.contains(link.to.as_str()) {
                a.links.push(link);
            } else if let Some(new) = replacement.get(&link.to) {
                link.to = new.clone();
                a.links.push(link);
            } else {
                report.links_dropped += 1;
            }
        }
    }
    target.annotations.extend(copies);
    target.sort();
    report
}

/// A new adjudicated set (e.g. `gold`) that starts as a copy of ours: every
/// annotation gains `from: <ours_name>` unless it has a provenance already.
/// Our review state (rejections) is not carried over: it belongs to ours.
pub fn adjudicated_copy(ours: &Sidecar, into: &str, ours_name: &str) -> Sidecar {
    let mut gold = ours.clone();
    gold.annotator = into.to_string();
    gold.updated = crate::format::now_utc();
    gold.extra.remove(REVIEW_KEY);
    for a in &mut gold.annotations {
        if a.from.is_none() {
            a.from = Some(ours_name.to_string());
        }
    }
    gold
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Link;
    use std::path::Path;

    fn span(id: &str, label: &str, start: usize, end: usize) -> Annotation {
        Annotation {
            id: id.into(),
            label: label.into(),
            start,
            end,
            text: format!("t{start}-{end}"),
            ..Default::default()
        }
    }

    fn sidecar(who: &str, anns: Vec<Annotation>) -> Sidecar {
        let mut s = Sidecar::new(who, "a.txt", "00", 100);
        s.annotations = anns;
        s.sort();
        s
    }

    type Shape = (DiffKind, Vec<usize>, Vec<usize>, usize, usize);

    fn kinds(d: &[Difference]) -> Vec<Shape> {
        d.iter()
            .map(|d| (d.kind, d.ours.clone(), d.theirs.clone(), d.start, d.end))
            .collect()
    }

    use DiffKind::*;

    #[test]
    fn empty_and_identical_sets_have_no_differences() {
        assert!(differences(&[], &[]).is_empty());
        let a = [span("a1", "claim", 0, 10), span("a2", "denial", 5, 8)];
        let b = [span("b7", "denial", 5, 8), span("b1", "claim", 0, 10)];
        assert!(differences(&a, &b).is_empty());
    }

    #[test]
    fn one_sided_spans() {
        let ours = [span("a1", "claim", 0, 10)];
        let theirs = [span("b1", "claim", 10, 20)]; // touching, not overlapping
        assert_eq!(
            kinds(&differences(&ours, &theirs)),
            [
                (OnlyOurs, vec![0], vec![], 0, 10),
                (OnlyTheirs, vec![], vec![0], 10, 20)
            ]
        );
        assert_eq!(
            kinds(&differences(&[], &theirs)),
            [(OnlyTheirs, vec![], vec![0], 10, 20)]
        );
        assert_eq!(
            kinds(&differences(&ours, &[])),
            [(OnlyOurs, vec![0], vec![], 0, 10)]
        );
    }

    #[test]
    fn same_span_with_different_labels() {
        // ours: claim; theirs: the same claim plus a denial on the same range →
        // the claims agree, the denial is only theirs.
        let ours = [span("a1", "claim", 0, 10)];
        let theirs = [span("b1", "claim", 0, 10), span("b2", "denial", 0, 10)];
        assert_eq!(
            kinds(&differences(&ours, &theirs)),
            [(OnlyTheirs, vec![], vec![1], 0, 10)]
        );
        // ours claim + evidence vs theirs denial on one range: one label difference
        let ours = [span("a1", "claim", 0, 10), span("a2", "evidence", 0, 10)];
        let theirs = [span("b1", "denial", 0, 10)];
        assert_eq!(
            kinds(&differences(&ours, &theirs)),
            [(LabelDiffers, vec![0, 1], vec![0], 0, 10)]
        );
        // the same span given twice by ours, once by theirs
        let ours = [span("a1", "claim", 0, 10), span("a2", "claim", 0, 10)];
        let theirs = [span("b1", "claim", 0, 10)];
        let d = differences(&ours, &theirs);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].kind, OnlyOurs);
    }

    #[test]
    fn nested_spans_and_overlapping_chains() {
        // theirs nests two spans inside ours
        let ours = [span("a1", "claim", 0, 100)];
        let theirs = [span("b1", "claim", 10, 20), span("b2", "claim", 30, 40)];
        assert_eq!(
            kinds(&differences(&ours, &theirs)),
            [(BoundaryDiffers, vec![0], vec![0, 1], 0, 100)]
        );
        // a chain: o[0,10] ~ t[5,20] ~ o[15,25] ~ t[22,30]; a separate o[40,50]
        let ours = [
            span("a1", "claim", 0, 10),
            span("a2", "claim", 15, 25),
            span("a3", "evidence", 40, 50),
        ];
        let theirs = [span("b2", "claim", 22, 30), span("b1", "denial", 5, 20)];
        assert_eq!(
            kinds(&differences(&ours, &theirs)),
            [
                (BoundaryDiffers, vec![0, 1], vec![0, 1], 0, 30),
                (OnlyOurs, vec![2], vec![], 40, 50)
            ]
        );
        // two overlapping spans of ours with nothing of theirs stay apart
        let ours = [span("a1", "claim", 0, 10), span("a2", "claim", 5, 15)];
        assert_eq!(differences(&ours, &[]).len(), 2);
    }

    #[test]
    fn differences_are_sorted_by_start() {
        let ours = [span("a1", "claim", 50, 60), span("a2", "claim", 0, 5)];
        let theirs = [span("b1", "claim", 20, 30), span("b2", "denial", 0, 5)];
        let starts: Vec<usize> = differences(&ours, &theirs)
            .iter()
            .map(|d| d.start)
            .collect();
        assert_eq!(starts, [0, 20, 50]);
    }

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        let ours = [span("a1", "claim", 0, 10)];
        let theirs = [span("b1", "denial", 0, 10), span("b2", "claim", 30, 40)];
        let d = differences(&ours, &theirs);
        let fps: Vec<String> = d.iter().map(|x| fingerprint(x, &ours, &theirs)).collect();
        assert_ne!(fps[0], fps[1]);
        assert!(fps[0].starts_with("label-"), "{}", fps[0]);
        // other ids and another order: the same fingerprints
        let ours2 = [span("z9", "claim", 0, 10)];
        let theirs2 = [span("q2", "claim", 30, 40), span("q1", "denial", 0, 10)];
        let d2 = differences(&ours2, &theirs2);
        let fps2: Vec<String> = d2
            .iter()
            .map(|x| fingerprint(x, &ours2, &theirs2))
            .collect();
        assert_eq!(fps, fps2);
    }

    #[test]
    fn accept_replaces_ours_with_copies_of_theirs() {
        let mut target = sidecar(
            "alice",
            vec![
                span("a1", "claim", 0, 10),
                Annotation {
                    links: vec![Link {
                        rel: "denies".into(),
                        to: "a1".into(),
                    }],
                    ..span("a2", "denial", 20, 30)
                },
            ],
        );
        let theirs = [span("b1", "claim", 0, 12), span("b2", "denial", 20, 30)];
        let d = differences(&target.annotations, &theirs);
        assert_eq!(kinds(&d), [(BoundaryDiffers, vec![0], vec![0], 0, 12)]);
        let r = accept(&mut target, &theirs, &d[0], "bob");
        assert_eq!((r.removed, r.added, r.links_dropped), (1, 1, 0));
        let copy = target.annotations.iter().find(|a| a.end == 12).unwrap();
        assert_eq!(copy.from.as_deref(), Some("bob"));
        assert!(
            copy.id != "a1" && copy.id != "a2" && copy.id != "b1",
            "{}",
            copy.id
        );
        // our denial's link followed the replaced claim
        let denial = target
            .annotations
            .iter()
            .find(|a| a.label == "denial")
            .unwrap();
        assert_eq!(denial.links[0].to, copy.id);
        assert!(differences(&target.annotations, &theirs).is_empty());
    }

    #[test]
    fn accept_only_ours_removes_our_span_and_counts_dropped_links() {
        let mut target = sidecar(
            "alice",
            vec![
                span("a1", "claim", 0, 10),
                span("a2", "claim", 50, 60),
                Annotation {
                    links: vec![Link {
                        rel: "supports".into(),
                        to: "a2".into(),
                    }],
                    ..span("a3", "evidence", 0, 10)
                },
            ],
        );
        let theirs = [span("b1", "claim", 0, 10), span("b3", "evidence", 0, 10)];
        let d = differences(&target.annotations, &theirs);
        assert_eq!(kinds(&d), [(OnlyOurs, vec![2], vec![], 50, 60)]);
        let r = accept(&mut target, &theirs, &d[0], "bob");
        assert_eq!((r.removed, r.added, r.links_dropped), (1, 0, 1));
        assert_eq!(target.annotations.len(), 2);
        assert!(target.annotations.iter().all(|a| a.links.is_empty()));
    }

    #[test]
    fn links_of_copies_are_rewritten_or_dropped() {
        let evidence = Annotation {
            links: vec![Link {
                rel: "supports".into(),
                to: "b1".into(),
            }],
            ..span("b2", "evidence", 20, 30)
        };
        let theirs = [span("b1", "claim", 0, 10), evidence];
        // accepting only the evidence: its claim is not in the target → dropped
        let mut t1 = sidecar("alice", vec![]);
        let d = differences(&t1.annotations, &theirs);
        let r = accept(&mut t1, &theirs, &d[1], "bob");
        assert_eq!((r.added, r.links_kept, r.links_dropped), (1, 0, 1));
        assert!(t1.annotations[0].links.is_empty());
        // claim first, then evidence (one by one): rewritten to the copy's id
        let mut t2 = sidecar("alice", vec![]);
        for _ in 0..2 {
            let d = differences(&t2.annotations, &theirs);
            accept(&mut t2, &theirs, &d[0], "bob");
        }
        let claim_id = t2
            .annotations
            .iter()
            .find(|a| a.label == "claim")
            .unwrap()
            .id
            .clone();
        let ev = t2
            .annotations
            .iter()
            .find(|a| a.label == "evidence")
            .unwrap();
        assert_eq!(ev.links[0].to, claim_id);
        // all at once
        let mut t3 = sidecar("alice", vec![]);
        let r = accept_all(&mut t3, &theirs, "bob", &DiffKind::ALL);
        assert_eq!((r.added, r.links_kept, r.links_dropped), (2, 1, 0));
        let claim_id = t3
            .annotations
            .iter()
            .find(|a| a.label == "claim")
            .unwrap()
            .id
            .clone();
        let ev = t3
            .annotations
            .iter()
            .find(|a| a.label == "evidence")
            .unwrap();
        assert_eq!(ev.links[0].to, claim_id);
        // a link to a span both always had points at the target's own span
        let mut t4 = sidecar("alice", vec![span("a7", "claim", 0, 10)]);
        let d = differences(&t4.annotations, &theirs);
        assert_eq!(d.len(), 1);
        let r = accept(&mut t4, &theirs, &d[0], "bob");
        assert_eq!(r.links_kept, 1);
        let ev = t4
            .annotations
            .iter()
            .find(|a| a.label == "evidence")
            .unwrap();
        assert_eq!(ev.links[0].to, "a7");
    }

    #[test]
    fn accept_all_respects_kinds_and_rejections() {
        let mut target = sidecar(
            "alice",
            vec![span("a1", "claim", 0, 10), span("a2", "claim", 40, 50)],
        );
        let theirs = [span("b1", "denial", 0, 10), span("b2", "claim", 20, 30)];
        let d = differences(&target.annotations, &theirs);
        assert_eq!(d.len(), 3);
        // reject the label difference, accept only what they added or changed
        let fp = fingerprint(&d[0], &target.annotations, &theirs);
        mark_rejected(&mut target, "bob", fp);
        let r = accept_all(
            &mut target,
            &theirs,
            "bob",
            &[OnlyTheirs, LabelDiffers, BoundaryDiffers],
        );
        assert_eq!((r.removed, r.added), (0, 1));
        let labels: Vec<(usize, &str)> = target
            .annotations
            .iter()
            .map(|a| (a.start, a.label.as_str()))
            .collect();
        assert_eq!(labels, [(0, "claim"), (20, "claim"), (40, "claim")]);
        // what is left: the rejected one and our own extra span
        let left = unsettled(
            differences(&target.annotations, &theirs),
            &target.annotations,
            &theirs,
            &rejected(&target, "bob"),
        );
        assert_eq!(kinds(&left), [(OnlyOurs, vec![2], vec![], 40, 50)]);
    }

    #[test]
    fn rejections_persist_through_the_file() {
        let mut s = sidecar("alice", vec![span("a1", "claim", 0, 10)]);
        s.extra.insert("x-other".into(), Value::from(3));
        mark_rejected(&mut s, "bob", "label-00ff".into());
        mark_rejected(&mut s, "bob", "boundary-11aa".into());
        mark_rejected(&mut s, "bob", "label-00ff".into());
        mark_rejected(&mut s, "carol", "only-ours-22bb".into());
        let back = Sidecar::parse(Path::new("a.txt.alice.ann.yaml"), &s.to_yaml()).unwrap();
        assert_eq!(
            rejected(&back, "bob").into_iter().collect::<Vec<_>>(),
            ["boundary-11aa", "label-00ff"]
        );
        assert_eq!(rejected(&back, "carol").len(), 1);
        assert!(rejected(&back, "dave").is_empty());
        assert_eq!(back.extra.get("x-other"), Some(&Value::from(3)));
        // a malformed extension is replaced, not a panic
        let mut odd = sidecar("alice", vec![]);
        odd.extra.insert(REVIEW_KEY.into(), Value::from("junk"));
        assert!(rejected(&odd, "bob").is_empty());
        mark_rejected(&mut odd, "bob", "x".into());
        assert_eq!(rejected(&odd, "bob").len(), 1);
    }

    #[test]
    fn adjudicated_copy_marks_provenance() {
        let mut ours = sidecar(
            "alice",
            vec![
                span("a1", "claim", 0, 10),
                Annotation {
                    from: Some("bob".into()),
                    ..span("a2", "denial", 20, 30)
                },
            ],
        );
        mark_rejected(&mut ours, "bob", "x".into());
        let gold = adjudicated_copy(&ours, "gold", "alice");
        assert_eq!(gold.annotator, "gold");
        let froms: Vec<_> = gold.annotations.iter().map(|a| a.from.as_deref()).collect();
        assert_eq!(froms, [Some("alice"), Some("bob")]);
        assert!(rejected(&gold, "bob").is_empty());
        assert_eq!(gold.annotations[0].id, "a1");
    }

    fn arb_spans(prefix: &'static str) -> impl Strategy<Value = Vec<Annotation>> {
        proptest::collection::vec((0usize..40, 0usize..12, 0usize..3), 0..8).prop_map(move |v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (s, l, lab))| {
                    let label = ["claim", "denial", "evidence"][lab];
                    span(&format!("{prefix}{i}"), label, s, s + l)
                })
                .collect()
        })
    }

    fn multiset(anns: &[Annotation]) -> Vec<(usize, usize, String)> {
        let mut v: Vec<_> = anns
            .iter()
            .map(|a| (a.start, a.end, a.label.clone()))
            .collect();
        v.sort();
        v
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn differences_partition_the_disagreeing_spans(ours in arb_spans("a"), theirs in arb_spans("b")) {
            let diffs = differences(&ours, &theirs);
            let mut seen_ours: Vec<usize> = diffs.iter().flat_map(|d| d.ours.clone()).collect();
            let mut seen_theirs: Vec<usize> = diffs.iter().flat_map(|d| d.theirs.clone()).collect();
            seen_ours.sort_unstable();
            seen_theirs.sort_unstable();
            // no span is in two differences
            let n_ours = seen_ours.len();
            seen_ours.dedup();
            prop_assert_eq!(n_ours, seen_ours.len());
            let n_theirs = seen_theirs.len();
            seen_theirs.dedup();
            prop_assert_eq!(n_theirs, seen_theirs.len());
            // spans left out are exactly the identical pairs
            prop_assert_eq!(ours.len() - n_ours, theirs.len() - n_theirs);
            for w in diffs.windows(2) {
                prop_assert!(w[0].start <= w[1].start);
            }
            for d in &diffs {
                prop_assert!(!(d.ours.is_empty() && d.theirs.is_empty()));
                prop_assert!(d.start <= d.end);
            }
            // accepting everything turns ours into theirs (ranges and labels)
            let mut target = sidecar("alice", ours.clone());
            accept_all(&mut target, &theirs, "bob", &DiffKind::ALL);
            prop_assert_eq!(multiset(&target.annotations), multiset(&theirs));
            prop_assert!(differences(&target.annotations, &theirs).is_empty());
            let ids: BTreeSet<&str> = target.annotations.iter().map(|a| a.id.as_str()).collect();
            prop_assert_eq!(ids.len(), target.annotations.len());
        }
    }
}
