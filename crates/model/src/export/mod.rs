//! Dataset export and import (issue 5).
//!
//! Export reads every source under the given paths with one annotator's
//! sidecar (re-anchored by [`Article::read`] when the source changed), drops
//! orphaned spans with a warning, and writes one of the formats below. Every
//! format includes every document, also those without spans, in source path
//! order.
//!
//! [`stream`] opens the documents on all cores a window at a time and feeds
//! them, in order, to the format's [`DocWriter`], so memory holds a window of
//! documents, never the corpus (issue 14). The caller writes to a temporary
//! file and keeps it only when the export succeeds, so a failure never
//! leaves a partial output behind. [`render`] does the same in memory for a
//! loaded [`Corpus`] (tests, small outputs).
//!
//! Offsets are code points unless an [`OffsetUnit`] says otherwise; the
//! conversions live in [`offsets`].

pub mod brat;
pub mod conll;
pub mod csv;
pub mod doccano;
pub mod import;
pub mod import_pipeline;
pub mod jsonl;
pub mod offsets;

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use crate::corpus::{CorpusIndex, Source};
use crate::format::Annotation;
use crate::parallel;
use crate::scheme::Scheme;
use crate::store::Article;
use crate::text::Document;

pub use offsets::{OffsetMap, OffsetUnit};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    /// doccano sequence labelling (`label`), or with `relations` its relation
    /// format (`entities` + `relations`).
    Doccano {
        relations: bool,
    },
    Brat,
    /// `nested`: same-label spans that overlap go to extra BIO columns (one per
    /// nesting level) instead of being refused.
    Conll {
        nested: bool,
    },
    /// `all_documents`: a row for each document without spans; `excel`: a
    /// UTF-8 BOM and formula cells neutralised.
    Csv {
        all_documents: bool,
        excel: bool,
    },
}

impl Format {
    /// The offset unit the format's consumer counts: doccano's annotator runs
    /// in a browser and counts UTF-16 units (JavaScript string indices);
    /// Python readers of the others count code points.
    pub fn default_unit(self) -> OffsetUnit {
        match self {
            Format::Doccano { .. } => OffsetUnit::Utf16,
            _ => OffsetUnit::Codepoint,
        }
    }

    /// Whether the format can carry offsets in `unit` (brat defines its own
    /// unit, code points of the .txt; CoNLL has no offsets at all).
    pub fn supports(self, unit: OffsetUnit) -> bool {
        match self {
            Format::Brat | Format::Conll { .. } => unit == OffsetUnit::Codepoint,
            _ => true,
        }
    }
}

/// One document ready to render.
#[derive(Debug, Clone)]
pub struct ExportDoc {
    pub source: PathBuf,
    pub rel: String,
    pub doc: Arc<Document>,
    /// In file order (start, end, label, id); orphans already removed.
    pub spans: Vec<Annotation>,
}

impl ExportDoc {
    /// `(from id, to id, relation)` for every link whose both ends are exported,
    /// in span order then link order.
    pub fn relations(&self) -> Vec<(&str, &str, &str)> {
        let ids: std::collections::BTreeSet<&str> =
            self.spans.iter().map(|a| a.id.as_str()).collect();
        let mut out = Vec::new();
        for a in &self.spans {
            let mut links: Vec<_> = a.links.iter().collect();
            links.sort();
            links.dedup();
            for l in links {
                if ids.contains(l.to.as_str()) {
                    out.push((a.id.as_str(), l.to.as_str(), l.rel.as_str()));
                }
            }
        }
        out
    }

    /// The span's text, straight from the document.
    pub fn span_text(&self, a: &Annotation) -> &str {
        self.doc.slice_chars(a.start, a.end).unwrap_or("")
    }
}

#[derive(Debug, Clone)]
pub struct Corpus {
    pub annotator: String,
    pub docs: Vec<ExportDoc>,
    /// One line each: orphaned spans skipped, spans re-anchored.
    pub warnings: Vec<String>,
    /// Sources that could not be read (not UTF-8, unreadable), one line each
    /// naming the file (and the byte offset); left out of the export.
    pub skipped: Vec<String>,
}

impl Corpus {
    pub fn span_count(&self) -> usize {
        self.docs.iter().map(|d| d.spans.len()).sum()
    }

    /// Labels in scheme order, then labels used in the data but missing from
    /// the scheme (sorted), so nothing is lost.
    pub fn labels(&self, scheme: &Scheme) -> Vec<String> {
        let mut out: Vec<String> = scheme.label_names().map(str::to_string).collect();
        let mut extra: Vec<String> = self
            .docs
            .iter()
            .flat_map(|d| d.spans.iter().map(|a| a.label.clone()))
            .filter(|l| scheme.label(l).is_none())
            .collect();
        extra.sort();
        extra.dedup();
        out.extend(extra);
        out
    }
}

impl Corpus {
    /// Opens every source of the index with `annotator`'s sidecar, on all
    /// cores, in index order. A sidecar that does not parse is an error line
    /// (file:line:col); all of them are returned together so the caller
    /// writes nothing. A source that cannot be read is left out and named in
    /// [`Corpus::skipped`] (the caller decides whether that is fatal).
    /// `on_each` is called once per source (progress).
    pub fn load(
        index: &CorpusIndex,
        annotator: &str,
        on_each: &mut dyn FnMut(&Source),
    ) -> std::result::Result<Corpus, Vec<String>> {
        let mut docs = Vec::with_capacity(index.len());
        let keep = &mut |d: ExportDoc| {
            docs.push(d);
            Ok(())
        };
        match each_doc(index, annotator, on_each, keep) {
            Ok(summary) => Ok(Corpus {
                annotator: annotator.to_string(),
                docs,
                warnings: summary.warnings,
                skipped: summary.skipped,
            }),
            Err(StreamError::Sidecars(errors)) => Err(errors),
            // Keeping documents in memory writes nothing that could fail.
            Err(StreamError::Refused(e) | StreamError::Io(e)) => Err(vec![e]),
        }
    }
}

/// What opening one source for export gave.
enum Opened {
    /// The source with `annotator`'s spans and the warnings that go with it.
    Doc(ExportDoc, Vec<String>),
    /// The source could not be read: left out, the line names it.
    Skipped(String),
    /// The sidecar could not be used: the line to show; nothing is written.
    Error(String),
}

/// One source with `annotator`'s spans, orphans dropped.
fn open_for_export(entry: &Source, annotator: &str) -> Opened {
    // Only the source is read here: a sidecar that cannot be read makes the
    // article read-only instead, below.
    let article = match Article::read(&entry.path, annotator) {
        Ok(a) => a,
        Err(e) => return Opened::Skipped(e.to_string()),
    };
    if let Some(why) = &article.read_only {
        return Opened::Error(why.clone());
    }
    let mut warnings = Vec::new();
    let side = article.sidecar_path.display().to_string();
    if article.anchor.moved > 0 {
        warnings.push(format!(
            "{side}: source changed; {} span(s) re-anchored for this export (run `claimtag check --fix` to save)",
            article.anchor.moved
        ));
    }
    let mut spans = Vec::with_capacity(article.sidecar.annotations.len());
    for a in article.sidecar.annotations {
        let in_range = article.doc.slice_chars(a.start, a.end).is_some();
        if a.orphan || !in_range {
            warnings.push(format!(
                "{side}: span {} is orphaned (its text is no longer in the source); skipped",
                a.id
            ));
            continue;
        }
        spans.push(a);
    }
    Opened::Doc(
        ExportDoc {
            source: entry.path.clone(),
            rel: entry.rel.clone(),
            doc: article.doc,
            spans,
        },
        warnings,
    )
}

/// One JSON Lines record. Besides what JSON requires, U+0085, U+2028 and
/// U+2029 are escaped: Python's `str.splitlines` and older JavaScript treat
/// them as line ends, which would cut a record in two.
pub fn json_line<T: serde::Serialize>(value: &T) -> String {
    // Serializing strings, numbers and lists of them cannot fail.
    let json = serde_json::to_string(value).unwrap_or_default();
    let mut out = String::with_capacity(json.len() + 1);
    for c in json.chars() {
        match c {
            '\u{85}' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\n');
    out
}

/// [`json_line`] with every non-ASCII character escaped (`\\u00e9`, astral
/// characters as a surrogate pair, as JSON requires). doccano guesses a
/// file's encoding with chardet ("Auto"), which takes a small UTF-8 file for
/// Windows-1252 and shifts every offset after the first accent; an ASCII file
/// reads the same in any of the encodings it may guess.
pub fn json_line_ascii<T: serde::Serialize>(value: &T) -> String {
    let line = json_line(value);
    let mut out = String::with_capacity(line.len() + line.len() / 4);
    let mut units = [0u16; 2];
    for c in line.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

/// One format's writer, fed the documents in order.
pub trait DocWriter {
    /// What comes before the first document (a header).
    fn begin(&mut self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }

    fn doc(&mut self, d: &ExportDoc, out: &mut dyn Write) -> io::Result<()>;

    /// Notes for stderr once every document is written, or why the output
    /// must not be kept.
    fn finish(&mut self, _out: &mut dyn Write) -> std::result::Result<Vec<String>, String> {
        Ok(Vec::new())
    }
}

/// A loaded corpus through `writer`, in memory.
pub fn render_with(
    writer: &mut dyn DocWriter,
    corpus: &Corpus,
) -> std::result::Result<String, String> {
    let (text, _) = render_with_notes(writer, corpus)?;
    Ok(text)
}

pub(crate) fn render_with_notes(
    writer: &mut dyn DocWriter,
    corpus: &Corpus,
) -> std::result::Result<(String, Vec<String>), String> {
    let mut out = Vec::new();
    let io = |e: io::Error| e.to_string();
    writer.begin(&mut out).map_err(io)?;
    for d in &corpus.docs {
        writer.doc(d, &mut out).map_err(io)?;
    }
    let notes = writer.finish(&mut out)?;
    // Every writer writes UTF-8 text.
    Ok((String::from_utf8_lossy(&out).into_owned(), notes))
}

/// What a streamed export wrote, and what to tell about it.
#[derive(Debug, Default)]
pub struct Summary {
    pub docs: usize,
    pub spans: usize,
    /// One line each: orphaned spans skipped, spans re-anchored.
    pub warnings: Vec<String>,
    /// Sources that could not be read, one line each; not in the output.
    pub skipped: Vec<String>,
    /// What the format has to say (CoNLL's columns, brat's flattened notes).
    pub notes: Vec<String>,
}

/// Why a streamed export must not be kept.
#[derive(Debug)]
pub enum StreamError {
    /// Sidecars that could not be used, one line each (file:line:col).
    Sidecars(Vec<String>),
    /// The format refuses the data (CoNLL: same-label spans share a token).
    Refused(String),
    /// Writing the output failed.
    Io(String),
}

/// Where a streamed export goes: one file, or a folder's files (brat).
pub enum Output<'o> {
    File(&'o mut dyn Write),
    Folder(&'o mut brat::PutFile<'o>),
}

/// Exports `sources` with `annotator`'s sidecars in `format` to `out`,
/// opening them on all cores a window at a time and writing them in order.
/// On an error the caller throws the output away. `on_each` is called once
/// per source (progress).
pub fn stream(
    format: Format,
    sources: &CorpusIndex,
    annotator: &str,
    scheme: &Scheme,
    unit: OffsetUnit,
    out: Output,
    on_each: &mut dyn FnMut(&Source),
) -> std::result::Result<Summary, StreamError> {
    let io = |e: io::Error| StreamError::Io(e.to_string());
    match (format, out) {
        (Format::Brat, Output::Folder(put)) => {
            let mut writer = brat::FolderWriter::new(scheme);
            let mut summary = each_doc(sources, annotator, on_each, &mut |d| writer.doc(&d, put))?;
            summary.notes = writer.finish(put).map_err(io)?;
            Ok(summary)
        }
        (_, Output::Folder(_)) => Err(StreamError::Io(
            "only brat writes a folder; this format writes one file".into(),
        )),
        (format, Output::File(out)) => {
            let Some(mut writer) = file_writer(format, sources, annotator, scheme, unit) else {
                return Err(StreamError::Io("brat writes a folder, not one file".into()));
            };
            writer.begin(out).map_err(io)?;
            let mut summary = each_doc(sources, annotator, on_each, &mut |d| writer.doc(&d, out))?;
            summary.notes = writer.finish(out).map_err(StreamError::Refused)?;
            Ok(summary)
        }
    }
}

/// The writer of a one-file format. CoNLL needs its columns before the first
/// row: the labels used beyond the scheme's (and with nesting, how deep each
/// nests) come from a first pass over the documents. None for brat, which
/// writes a folder.
fn file_writer(
    format: Format,
    sources: &CorpusIndex,
    annotator: &str,
    scheme: &Scheme,
    unit: OffsetUnit,
) -> Option<Box<dyn DocWriter>> {
    Some(match format {
        Format::Jsonl => Box::new(jsonl::Writer {
            annotator: annotator.to_string(),
            unit,
        }),
        Format::Doccano { relations } => Box::new(doccano::Writer::new(unit, relations)),
        Format::Csv {
            all_documents,
            excel,
        } => Box::new(csv::Writer {
            unit,
            all_documents,
            excel,
        }),
        Format::Conll { nested } => {
            // Per label: how deep its spans nest (1 when they do not).
            let mut depth_of = std::collections::BTreeMap::<String, usize>::new();
            parallel::map_ordered(
                sources.iter(),
                |source| match open_for_export(source, annotator) {
                    Opened::Doc(d, _) => conll::depths(&d, nested),
                    _ => Vec::new(),
                },
                |_, depths| {
                    for (label, depth) in depths {
                        let at = depth_of.entry(label).or_insert(1);
                        *at = (*at).max(depth);
                    }
                },
            );
            let mut labels: Vec<String> = scheme.label_names().map(str::to_string).collect();
            labels.extend(
                depth_of
                    .keys()
                    .filter(|l| scheme.label(l).is_none())
                    .cloned(),
            );
            let depth: Vec<usize> = labels
                .iter()
                .map(|l| depth_of.get(l).copied().unwrap_or(1))
                .collect();
            Box::new(conll::Writer::new(labels, &depth, nested))
        }
        Format::Brat => return None,
    })
}

/// Opens every source on all cores, a window at a time, and hands each
/// document to `write` in order. Stops writing at the first sidecar that
/// cannot be used but reads on, so every such sidecar is named at once.
fn each_doc(
    sources: &CorpusIndex,
    annotator: &str,
    on_each: &mut dyn FnMut(&Source),
    write: &mut dyn FnMut(ExportDoc) -> io::Result<()>,
) -> std::result::Result<Summary, StreamError> {
    let mut summary = Summary::default();
    let mut errors = Vec::new();
    let mut failed: Option<io::Error> = None;
    parallel::map_ordered(
        sources.iter(),
        |source| open_for_export(source, annotator),
        |source, opened| {
            on_each(source);
            match opened {
                Opened::Doc(doc, notes) => {
                    summary.warnings.extend(notes);
                    if errors.is_empty() && failed.is_none() {
                        summary.docs += 1;
                        summary.spans += doc.spans.len();
                        if let Err(e) = write(doc) {
                            failed = Some(e);
                        }
                    }
                }
                Opened::Skipped(why) => summary.skipped.push(why),
                Opened::Error(e) => errors.push(e),
            }
        },
    );
    if !errors.is_empty() {
        return Err(StreamError::Sidecars(errors));
    }
    if let Some(e) = failed {
        return Err(StreamError::Io(e.to_string()));
    }
    Ok(summary)
}

/// What an export produces: one file's content, or a folder's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rendered {
    File(String),
    /// `(file name, content)` pairs, names unique and free of path separators.
    Folder(Vec<(String, String)>),
}

/// Renders a corpus. Returns the output and notes for stderr (e.g. how many
/// spans CoNLL had to widen). Errors are usage errors (an unsupported unit).
pub fn render(
    format: Format,
    corpus: &Corpus,
    scheme: &Scheme,
    unit: OffsetUnit,
) -> std::result::Result<(Rendered, Vec<String>), String> {
    if !format.supports(unit) {
        return Err(format!(
            "--offsets {} is not available for this format: brat and conll use code points only",
            unit.name()
        ));
    }
    Ok(match format {
        Format::Jsonl => (Rendered::File(jsonl::render(corpus, unit)), vec![]),
        Format::Doccano { relations } => (
            Rendered::File(doccano::render(corpus, unit, relations)),
            vec![],
        ),
        Format::Csv {
            all_documents,
            excel,
        } => (
            Rendered::File(csv::render(corpus, unit, all_documents, excel)),
            vec![],
        ),
        Format::Brat => {
            let (files, notes) = brat::render(corpus, scheme);
            (Rendered::Folder(files), notes)
        }
        Format::Conll { nested } => {
            let (text, notes) = conll::render(corpus, scheme, nested)?;
            (Rendered::File(text), notes)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_never_hold_a_python_line_break() {
        let line = json_line(&("a\u{2028}b\u{85}c\u{2029}", "\r\n\u{1c}"));
        assert_eq!(line, "[\"a\\u2028b\\u0085c\\u2029\",\"\\r\\n\\u001c\"]\n");
        let back: (String, String) = serde_json::from_str(&line).unwrap();
        assert_eq!(back.0, "a\u{2028}b\u{85}c\u{2029}");
    }

    #[test]
    fn ascii_json_reads_back_the_same() {
        let value = ("Café 😀\u{2028}", 1);
        let line = json_line_ascii(&value);
        assert!(line.is_ascii(), "{line}");
        assert!(line.contains("Caf\\u00e9 \\ud83d\\ude00\\u2028"), "{line}");
        let back: (String, i32) = serde_json::from_str(&line).unwrap();
        assert_eq!(back, ("Café 😀\u{2028}".to_string(), 1));
    }
}
