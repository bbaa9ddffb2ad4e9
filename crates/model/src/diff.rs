//! What changed between two versions of a sidecar, in spans rather than YAML
//! lines (`claimtag diff`, the git diff driver): spans added, removed and
//! changed (by id), with label, quote and place, and the file-level values
//! that changed (source, status, other keys).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::format::{Annotation, Sidecar};
use crate::text::Document;

/// One span as shown in a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    pub id: String,
    pub label: String,
    pub start: usize,
    pub end: usize,
    pub quote: String,
    /// 1-based line and column of the start in the source, when the source
    /// text the sidecar was saved against is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

/// One value that differs: shown as written (strings plain, others as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    /// The span as it is in the newer version.
    #[serde(flatten)]
    pub span: Span,
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub added: Vec<Span>,
    pub removed: Vec<Span>,
    pub changed: Vec<Changed>,
    /// File-level values: annotator, source, status and other keys.
    pub file: Vec<FieldChange>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.file.is_empty()
    }
}

/// The span of an annotation, placed in `doc` when it is the text the
/// sidecar was saved against.
pub fn span_of(a: &Annotation, doc: Option<&Document>) -> Span {
    let place = doc
        .filter(|d| a.end <= d.len_chars() && !a.orphan)
        .map(|d| d.line_col(d.char_to_byte(a.start)));
    Span {
        id: a.id.clone(),
        label: a.label.clone(),
        start: a.start,
        end: a.end,
        quote: a.text.clone(),
        line: place.map(|p| p.0),
        column: place.map(|p| p.1),
    }
}

/// The document, if it is the one the sidecar was saved against.
fn matching<'a>(s: &Sidecar, doc: Option<&'a Document>) -> Option<&'a Document> {
    doc.filter(|d| d.sha256() == s.source.sha256)
}

/// Differences from `a` to `b`. `doc_a` / `doc_b` are the source texts, used
/// for line numbers when their hash is the sidecar's.
pub fn diff(a: &Sidecar, b: &Sidecar, doc_a: Option<&Document>, doc_b: Option<&Document>) -> Diff {
    let (doc_a, doc_b) = (matching(a, doc_a), matching(b, doc_b));
    let old: BTreeMap<&str, &Annotation> =
        a.annotations.iter().map(|x| (x.id.as_str(), x)).collect();
    let new: BTreeMap<&str, &Annotation> =
        b.annotations.iter().map(|x| (x.id.as_str(), x)).collect();
    let mut d = Diff::default();
    for (id, x) in &old {
        if !new.contains_key(id) {
            d.removed.push(span_of(x, doc_a));
        }
    }
    for (id, y) in &new {
        match old.get(id) {
            None => d.added.push(span_of(y, doc_b)),
            Some(x) => {
                let changes = annotation_changes(x, y);
                if !changes.is_empty() {
                    d.changed.push(Changed {
                        span: span_of(y, doc_b),
                        changes,
                    });
                }
            }
        }
    }
    let by_place = |s: &Span| (s.start, s.end, s.id.clone());
    d.added.sort_by_key(by_place);
    d.removed.sort_by_key(by_place);
    d.changed.sort_by_key(|c| by_place(&c.span));
    d.file = file_changes(a, b);
    d
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

fn change(field: &str, from: Option<String>, to: Option<String>) -> Option<FieldChange> {
    (from != to).then(|| FieldChange {
        field: field.to_string(),
        from,
        to,
    })
}

fn annotation_changes(x: &Annotation, y: &Annotation) -> Vec<FieldChange> {
    let bounds = |a: &Annotation| format!("{}..{}", a.start, a.end);
    let links = |a: &Annotation| {
        let set: BTreeSet<String> = a
            .links
            .iter()
            .map(|l| format!("{} {}", l.rel, l.to))
            .collect();
        (!set.is_empty()).then(|| set.into_iter().collect::<Vec<_>>().join(", "))
    };
    let mut out: Vec<FieldChange> = [
        change("label", Some(x.label.clone()), Some(y.label.clone())),
        change("bounds", Some(bounds(x)), Some(bounds(y))),
        change("quote", Some(x.text.clone()), Some(y.text.clone())),
        change(
            "orphan",
            x.orphan.then(|| "true".into()),
            y.orphan.then(|| "true".into()),
        ),
        change("claimant", x.claimant.clone(), y.claimant.clone()),
        change("note", x.note.clone(), y.note.clone()),
        change("links", links(x), links(y)),
        change("from", x.from.clone(), y.from.clone()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let keys: BTreeSet<&String> = x.extra.keys().chain(y.extra.keys()).collect();
    out.extend(
        keys.into_iter()
            .filter_map(|k| change(k, x.extra.get(k).map(show), y.extra.get(k).map(show))),
    );
    out
}

fn file_changes(a: &Sidecar, b: &Sidecar) -> Vec<FieldChange> {
    let mut out: Vec<FieldChange> = [
        change(
            "annotator",
            Some(a.annotator.clone()),
            Some(b.annotator.clone()),
        ),
        change(
            "source.file",
            Some(a.source.file.clone()),
            Some(b.source.file.clone()),
        ),
        change(
            "source.sha256",
            Some(a.source.sha256.clone()),
            Some(b.source.sha256.clone()),
        ),
        change(
            "status",
            a.status.map(|s| s.as_str().to_string()),
            b.status.map(|s| s.as_str().to_string()),
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    let keys: BTreeSet<&String> = a.extra.keys().chain(b.extra.keys()).collect();
    out.extend(
        keys.into_iter()
            .filter_map(|k| change(k, a.extra.get(k).map(show), b.extra.get(k).map(show))),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Link;

    fn sample() -> (Document, Sidecar) {
        let doc = Document::from_string("Alpha said this.\nBeta denied it.\nGamma saw it.".into());
        let mut s = Sidecar::new("alice", "a.txt", doc.sha256(), doc.len_chars());
        for (id, label, start, end) in [("a1", "claim", 0, 16), ("a2", "denial", 17, 32)] {
            let mut a = Annotation {
                id: id.into(),
                label: label.into(),
                start,
                end,
                ..Annotation::default()
            };
            crate::anchor::fill_from(&doc, &mut a);
            s.annotations.push(a);
        }
        (doc, s)
    }

    #[test]
    fn added_removed_and_changed_spans_with_lines() {
        let (doc, a) = sample();
        let mut b = a.clone();
        b.annotations.retain(|x| x.id != "a1");
        b.annotations[0].label = "claim".into();
        b.annotations[0].links.push(Link {
            rel: "denies".into(),
            to: "a3".into(),
        });
        let mut new = Annotation {
            id: "a3".into(),
            label: "evidence".into(),
            start: 33,
            end: 46,
            ..Annotation::default()
        };
        crate::anchor::fill_from(&doc, &mut new);
        b.annotations.push(new);
        b.status = Some(crate::format::Status::Done);
        let d = diff(&a, &b, Some(&doc), Some(&doc));
        assert_eq!(d.removed[0].id, "a1");
        assert_eq!((d.removed[0].line, d.removed[0].column), (Some(1), Some(1)));
        assert_eq!(d.added[0].quote, "Gamma saw it.");
        assert_eq!(d.added[0].line, Some(3));
        assert_eq!(d.changed[0].span.id, "a2");
        let fields: Vec<&str> = d.changed[0]
            .changes
            .iter()
            .map(|c| c.field.as_str())
            .collect();
        assert_eq!(fields, ["label", "links"]);
        assert_eq!(
            d.file,
            [FieldChange {
                field: "status".into(),
                from: None,
                to: Some("done".into())
            }]
        );
        assert!(diff(&a, &a, None, None).is_empty());
    }

    #[test]
    fn no_lines_from_a_source_of_another_version() {
        let (_, a) = sample();
        let other = Document::from_string("something else entirely, longer than it was".into());
        let d = diff(&Sidecar::default(), &a, None, Some(&other));
        assert!(d.added.iter().all(|s| s.line.is_none()));
    }
}
