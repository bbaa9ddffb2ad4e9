//! claimtag JSONL: one document per line with its text, spans and relations.
//!
//! Every record has the same keys with the same types (optional span keys are
//! present as `null`, `relations` is always a list) because Hugging Face
//! `datasets` infers one schema for all rows.

use serde::{Deserialize, Serialize};

use std::io::{self, Write};

use super::{Corpus, DocWriter, ExportDoc, OffsetMap, OffsetUnit};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonlRecord {
    pub source: String,
    pub text: String,
    pub sha256: String,
    pub annotator: String,
    pub offsets: String,
    pub spans: Vec<JsonlSpan>,
    pub relations: Vec<JsonlRelation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonlSpan {
    pub id: String,
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub text: String,
    pub claimant: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonlRelation {
    pub from: String,
    pub to: String,
    pub rel: String,
}

/// The record of one document.
pub fn record(d: &ExportDoc, annotator: &str, unit: OffsetUnit) -> JsonlRecord {
    let map = OffsetMap::new(&d.doc);
    JsonlRecord {
        source: d.rel.clone(),
        text: d.doc.text().to_string(),
        sha256: d.doc.sha256().to_string(),
        annotator: annotator.to_string(),
        offsets: unit.name().to_string(),
        spans: d
            .spans
            .iter()
            .map(|a| JsonlSpan {
                id: a.id.clone(),
                start: map.from_codepoint(a.start, unit),
                end: map.from_codepoint(a.end, unit),
                label: a.label.clone(),
                text: d.span_text(a).to_string(),
                claimant: a.claimant.clone(),
                note: a.note.clone(),
            })
            .collect(),
        relations: d
            .relations()
            .into_iter()
            .map(|(from, to, rel)| JsonlRelation {
                from: from.to_string(),
                to: to.to_string(),
                rel: rel.to_string(),
            })
            .collect(),
    }
}

/// Writes one line per document.
pub struct Writer {
    pub annotator: String,
    pub unit: OffsetUnit,
}

impl DocWriter for Writer {
    fn doc(&mut self, d: &ExportDoc, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(super::json_line(&record(d, &self.annotator, self.unit)).as_bytes())
    }
}

pub fn render(corpus: &Corpus, unit: OffsetUnit) -> String {
    super::render_with(
        &mut Writer {
            annotator: corpus.annotator.clone(),
            unit,
        },
        corpus,
    )
    .unwrap_or_default()
}
