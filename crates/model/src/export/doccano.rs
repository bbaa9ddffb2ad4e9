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

use std::io::{self, Write};

use super::{Corpus, DocWriter, ExportDoc, OffsetMap, OffsetUnit};

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

/// Writes one line per document; entity and relation ids count on over the
/// whole file.
pub struct Writer {
    pub unit: OffsetUnit,
    pub relations: bool,
    next_entity: u64,
    next_relation: u64,
}

impl Writer {
    pub fn new(unit: OffsetUnit, relations: bool) -> Writer {
        Writer {
            unit,
            relations,
            next_entity: 1,
            next_relation: 1,
        }
    }
}

impl DocWriter for Writer {
    fn doc(&mut self, d: &ExportDoc, out: &mut dyn Write) -> io::Result<()> {
        let map = OffsetMap::new(&d.doc);
        let line = if self.relations {
            let mut ids = std::collections::BTreeMap::new();
            let entities: Vec<Entity> = d
                .spans
                .iter()
                .map(|a| {
                    let id = self.next_entity;
                    self.next_entity += 1;
                    ids.insert(a.id.as_str(), id);
                    Entity {
                        id,
                        label: &a.label,
                        start_offset: map.from_codepoint(a.start, self.unit),
                        end_offset: map.from_codepoint(a.end, self.unit),
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
                        id: self.next_relation,
                        from_id: *ids.get(from)?,
                        to_id: *ids.get(to)?,
                        kind: rel,
                    };
                    self.next_relation += 1;
                    Some(r)
                })
                .collect();
            super::json_line_ascii(&RelationRecord {
                source: &d.rel,
                text: d.doc.text(),
                entities,
                relations: rels,
                offsets: self.unit.name(),
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
                            map.from_codepoint(a.start, self.unit),
                            map.from_codepoint(a.end, self.unit),
                            a.label.as_str(),
                        )
                    })
                    .collect(),
                offsets: self.unit.name(),
            })
        };
        out.write_all(line.as_bytes())
    }
}

pub fn render(corpus: &Corpus, unit: OffsetUnit, relations: bool) -> String {
    super::render_with(&mut Writer::new(unit, relations), corpus).unwrap_or_default()
}
