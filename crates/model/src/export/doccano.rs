//! doccano JSONL, as doccano exports it.
//!
//! Sequence labelling: `{"source", "text", "label": [[start, end, label], ...],
//! "offsets"}`. Relation format (`--relations`): `{"source", "text",
//! "entities": [{"id", "label", "start_offset", "end_offset"}], "relations":
//! [{"id", "from_id", "to_id", "type"}], "offsets"}`, where entities also carry
//! `claimant` / `note` when set (doccano keeps unknown keys as metadata).
//! Entity and relation ids are integers numbered through the whole file, as
//! doccano's database ids are.
//!
//! Offsets default to UTF-16 units, which is what doccano's browser annotator
//! counts, and every line is ASCII (non-ASCII characters `\u`-escaped) so that
//! doccano's encoding detection cannot misread it.

use serde::Serialize;

use super::{Corpus, OffsetMap, OffsetUnit};

#[derive(Serialize)]
struct LabelRecord<'a> {
    source: &'a str,
    text: &'a str,
    label: Vec<(usize, usize, &'a str)>,
    offsets: &'a str,
}

#[derive(Serialize)]
struct RelationRecord<'a> {
    source: &'a str,
    text: &'a str,
    entities: Vec<Entity<'a>>,
    relations: Vec<Relation<'a>>,
    offsets: &'a str,
}

#[derive(Serialize)]
struct Entity<'a> {
    id: u64,
    label: &'a str,
    start_offset: usize,
    end_offset: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    claimant: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct Relation<'a> {
    id: u64,
    from_id: u64,
    to_id: u64,
    #[serde(rename = "type")]
    kind: &'a str,
}

pub fn render(corpus: &Corpus, unit: OffsetUnit, relations: bool) -> String {
    let mut out = String::new();
    let mut next_entity = 1u64;
    let mut next_relation = 1u64;
    for d in &corpus.docs {
        let map = OffsetMap::new(&d.doc);
        let line = if relations {
            let mut ids = std::collections::BTreeMap::new();
            let entities: Vec<Entity> = d
                .spans
                .iter()
                .map(|a| {
                    let id = next_entity;
                    next_entity += 1;
                    ids.insert(a.id.as_str(), id);
                    Entity {
                        id,
                        label: &a.label,
                        start_offset: map.from_codepoint(a.start, unit),
                        end_offset: map.from_codepoint(a.end, unit),
                        claimant: a.claimant.as_deref(),
                        note: a.note.as_deref(),
                    }
                })
                .collect();
            let rels: Vec<Relation> = d
                .relations()
                .into_iter()
                .filter_map(|(from, to, rel)| {
                    let r = Relation {
                        id: next_relation,
                        from_id: *ids.get(from)?,
                        to_id: *ids.get(to)?,
                        kind: rel,
                    };
                    next_relation += 1;
                    Some(r)
                })
                .collect();
            super::json_line_ascii(&RelationRecord {
                source: &d.rel,
                text: d.doc.text(),
                entities,
                relations: rels,
                offsets: unit.name(),
            })
        } else {
            super::json_line_ascii(&LabelRecord {
                source: &d.rel,
                text: d.doc.text(),
                label: d
                    .spans
                    .iter()
                    .map(|a| {
                        (
                            map.from_codepoint(a.start, unit),
                            map.from_codepoint(a.end, unit),
                            a.label.as_str(),
                        )
                    })
                    .collect(),
                offsets: unit.name(),
            })
        };
        out.push_str(&line);
    }
    out
}
