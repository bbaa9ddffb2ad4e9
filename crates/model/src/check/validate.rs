//! The checks on a parsed sidecar: offsets and quotes against the source
//! text, labels and links against the scheme.

use std::collections::{BTreeMap, BTreeSet};

use super::inspect::Findings;
use super::problem::Problem;
use crate::format::{Annotation, Places, Sidecar};
use crate::merge;
use crate::scheme::Scheme;
use crate::text::Document;

pub(super) fn orphan(a: &Annotation) -> Problem {
    Problem::Orphan {
        id: a.id.clone(),
        label: a.label.clone(),
        start: a.start,
        end: a.end,
        text: a.text.clone(),
    }
}

/// Offsets, text, orphans, labels and links of a sidecar whose source hash
/// matches.
pub(super) fn validate(
    out: &mut Findings,
    sidecar: &Sidecar,
    doc: &Document,
    scheme: &Scheme,
    lines: &Places,
) {
    let len = doc.len_chars();
    for a in &sidecar.annotations {
        let line = lines.id(&a.id);
        if a.orphan {
            out.push(line, orphan(a));
        } else if a.end > len {
            out.push(
                line,
                Problem::BeyondText {
                    id: a.id.clone(),
                    start: a.start,
                    end: a.end,
                    len,
                },
            );
        } else if let Some(found) = doc.slice_chars(a.start, a.end)
            && found != a.text
        {
            out.push(
                line,
                Problem::TextMismatch {
                    id: a.id.clone(),
                    start: a.start,
                    end: a.end,
                    in_source: found.to_string(),
                    in_sidecar: a.text.clone(),
                },
            );
        }
    }
    validate_structure(out, sidecar, scheme, lines);
}

/// Labels and links: what does not depend on the source text.
pub(super) fn validate_structure(
    out: &mut Findings,
    sidecar: &Sidecar,
    scheme: &Scheme,
    lines: &Places,
) {
    let by_id: BTreeMap<&str, &Annotation> = sidecar
        .annotations
        .iter()
        .map(|a| (a.id.as_str(), a))
        .collect();
    let known: BTreeSet<&str> = scheme.label_names().collect();
    let conflicts = merge::mark::open_conflicts(sidecar);
    for c in &conflicts {
        let what = match (&c.ours, &c.theirs) {
            (Some(_), Some(_)) => format!("ours and theirs differ in {}", c.fields.join(", ")),
            (Some(_), None) => "changed by ours, deleted by theirs".to_string(),
            _ => "changed by theirs, deleted by ours".to_string(),
        };
        let shown = c.ours.as_ref().or(c.theirs.as_ref()).map(|a| a.id.as_str());
        out.push(
            shown.and_then(|id| lines.id(id)),
            Problem::Conflict {
                id: c.id.clone(),
                what,
            },
        );
    }
    for k in merge::mark::open_key_conflicts(sidecar) {
        out.push(
            None,
            Problem::Conflict {
                id: k.key,
                what: format!("ours {} and theirs {}", k.ours, k.theirs),
            },
        );
    }
    for a in &sidecar.annotations {
        let line = lines.id(&a.id);
        if !known.contains(a.label.as_str()) {
            out.push(
                line,
                Problem::UnknownLabel {
                    id: a.id.clone(),
                    label: a.label.clone(),
                    known: known.iter().map(|l| l.to_string()).collect(),
                },
            );
        }
        for link in &a.links {
            // A link to an annotation in conflict points at either version.
            let in_conflict = conflicts.iter().find(|c| c.id == link.to);
            let target = by_id
                .get(link.to.as_str())
                .copied()
                .or_else(|| in_conflict.and_then(|c| c.ours.as_ref().or(c.theirs.as_ref())));
            let Some(target) = target else {
                out.push(
                    line,
                    Problem::LinkTargetMissing {
                        id: a.id.clone(),
                        rel: link.rel.clone(),
                        to: link.to.clone(),
                    },
                );
                continue;
            };
            if !scheme.relations.iter().any(|r| r.name == link.rel) {
                out.push(
                    line,
                    Problem::UnknownRelation {
                        id: a.id.clone(),
                        rel: link.rel.clone(),
                    },
                );
            } else if !scheme
                .relations_between(&a.label, &target.label)
                .any(|r| r.name == link.rel)
            {
                out.push(
                    line,
                    Problem::RelationNotAllowed {
                        id: a.id.clone(),
                        rel: link.rel.clone(),
                        from_label: a.label.clone(),
                        to_label: target.label.clone(),
                        to: link.to.clone(),
                    },
                );
            }
        }
    }
}
