//! Import of doccano JSONL, brat standoff and claimtag JSONL into `claimtag/1`
//! sidecars.
//!
//! Each record is matched to a source file in the corpus folder: by its
//! `source` path when it has one (relative, inside the folder), else by
//! identical decoded text (sources indexed by the SHA-256 of their text). A
//! record whose spans do not fit its text (out of range, reversed, inside a
//! character or a grapheme, not quoting what they claim to, empty, with a
//! label the scheme does not have) is reported with file and line and skipped
//! whole: one bad span usually means a wrong offset unit, and a half-imported
//! document would hide that.
//!
//! The offset unit of a record is `--offsets` when given, else the record's
//! own `offsets` key, else the format's: UTF-16 units for doccano (what its
//! browser annotator counts; doccano's own exports carry no `offsets` key),
//! code points for brat and claimtag JSONL.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use walkdir::WalkDir;

use super::brat;
use super::{OffsetMap, OffsetUnit};
use crate::anchor;
use crate::batch_write::{FileToWrite, write_many_atomic};
use crate::corpus::{CorpusIndex, relative_slash_path};
use crate::error::{Error, Result};
use crate::format::{Annotation, Link, Sidecar, now_utc, valid_annotator};
use crate::scheme::Scheme;
use crate::store;
use crate::text::{Document, sha256_hex};

/// Input files larger than this are refused before reading.
pub const MAX_INPUT_BYTES: u64 = 1024 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    Doccano,
    Brat,
    Jsonl,
}

/// How a span's quoted text is checked against the source.
#[derive(Debug, Clone, PartialEq)]
pub enum Quote {
    None,
    /// Must equal the text at the offsets.
    Exact(String),
    /// brat: the text field of these fragments (code points).
    Brat {
        fragments: Vec<(usize, usize)>,
        field: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordSpan {
    /// The span's id inside the record (links refer to it).
    pub key: String,
    pub label: String,
    /// In the record's unit.
    pub start: usize,
    pub end: usize,
    pub quote: Quote,
    pub claimant: Option<String>,
    pub note: Option<String>,
    /// Line of the input file the span is on.
    pub line: usize,
}

/// One document as read from an input file.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub file: PathBuf,
    pub line: usize,
    pub source: Option<String>,
    pub text: Option<String>,
    pub unit: OffsetUnit,
    pub spans: Vec<RecordSpan>,
    /// `(from key, to key, relation)`.
    pub links: Vec<(String, String, String)>,
    /// Whether the span keys are claimtag ids worth keeping.
    pub keep_ids: bool,
    /// brat: the file stem, to choose between sources with the same text.
    pub stem: Option<String>,
}

impl Record {
    fn at(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
}

impl ImportFormat {
    /// The unit offsets count in when neither `--offsets` nor the record says.
    pub fn default_unit(self) -> OffsetUnit {
        match self {
            ImportFormat::Doccano => OffsetUnit::Utf16,
            ImportFormat::Brat | ImportFormat::Jsonl => OffsetUnit::Codepoint,
        }
    }
}

/// What reading the input files gave.
#[derive(Debug, Default)]
pub struct Read {
    pub records: Vec<Record>,
    /// One line per record that could not be read, or line not carried.
    pub problems: Vec<String>,
    /// Records (lines, documents) that could not be read at all.
    pub failed: usize,
    /// brat: discontinuous spans refused (claimtag spans are continuous).
    pub discontinuous: usize,
    /// brat: lines claimtag has no place for (events, attributes, notes on
    /// relations, other note types …), each reported with file:line.
    pub not_carried: usize,
}

/// Records of the input files and one line per record that could not be read.
/// An input that cannot be read at all is an error.
pub fn read_records(format: ImportFormat, files: &[PathBuf]) -> Result<(Vec<Record>, Vec<String>)> {
    let read = read_input(format, files, None)?;
    Ok((read.records, read.problems))
}

/// Reads the input files; `offsets` overrides every record's unit.
pub fn read_input(
    format: ImportFormat,
    files: &[PathBuf],
    offsets: Option<OffsetUnit>,
) -> Result<Read> {
    let mut records = Vec::new();
    let mut read = read_input_windows(format, files, offsets, usize::MAX, &mut |mut w| {
        records.append(&mut w)
    })?;
    read.records = records;
    Ok(read)
}

/// Reads the input files like [`read_input`], handing the records to `each`
/// `window` at a time as they are read, so an import holds one window of
/// them; the [`Read`] returned has the problems and counts, no records.
pub fn read_input_windows(
    format: ImportFormat,
    files: &[PathBuf],
    offsets: Option<OffsetUnit>,
    window: usize,
    each: &mut dyn FnMut(Vec<Record>),
) -> Result<Read> {
    let mut read = Read::default();
    let mut batch = Vec::new();
    let mut push = |r: Record, batch: &mut Vec<Record>| {
        batch.push(r);
        if batch.len() >= window {
            each(std::mem::take(batch));
        }
    };
    match format {
        ImportFormat::Jsonl | ImportFormat::Doccano => {
            // Every file is checked (readable, not too large, UTF-8) in a
            // first pass before the first record is handed on, so a bad file
            // stops the import before anything is written; the second pass
            // holds a line at a time, not the file.
            for f in files {
                crate::reading::for_each_line_capped(f, MAX_INPUT_BYTES, |_, _| {})?;
            }
            for f in files {
                crate::reading::for_each_line_capped(f, MAX_INPUT_BYTES, |number, line| {
                    if line.trim().is_empty() {
                        return;
                    }
                    let parsed = match format {
                        ImportFormat::Jsonl => jsonl_record(f, number, line),
                        _ => doccano_record(f, number, line),
                    };
                    match parsed {
                        Ok(mut r) => {
                            if let Some(u) = offsets {
                                r.unit = u;
                            }
                            push(r, &mut batch);
                        }
                        Err(msg) => {
                            read.failed += 1;
                            read.problems.push(msg);
                        }
                    }
                })?;
            }
        }
        ImportFormat::Brat => {
            for ann in brat_files(files)? {
                match brat_record(&ann, offsets.unwrap_or(OffsetUnit::Codepoint)) {
                    Ok(b) => {
                        push(b.record, &mut batch);
                        read.not_carried += b.not_carried.len();
                        read.problems.extend(b.not_carried);
                    }
                    Err(b) => {
                        read.failed += 1;
                        read.discontinuous += b.discontinuous;
                        read.not_carried += b.not_carried.len();
                        read.problems.extend(b.problems);
                        read.problems.extend(b.not_carried);
                    }
                }
            }
        }
    }
    if !batch.is_empty() {
        each(batch);
    }
    Ok(read)
}

fn read_text(path: &Path) -> Result<String> {
    Ok(crate::reading::read_text_capped(path, MAX_INPUT_BYTES)?.0)
}

fn json_error(file: &Path, line: usize, e: &serde_json::Error) -> String {
    format!("{}:{}:{}: {e}", file.display(), line, e.column())
}

#[derive(Deserialize)]
struct JsonlIn {
    source: Option<String>,
    text: Option<String>,
    offsets: Option<String>,
    #[serde(default)]
    spans: Vec<JsonlSpanIn>,
    #[serde(default)]
    relations: Vec<super::jsonl::JsonlRelation>,
}

#[derive(Deserialize)]
struct JsonlSpanIn {
    id: Option<String>,
    start: usize,
    end: usize,
    label: String,
    text: Option<String>,
    claimant: Option<String>,
    note: Option<String>,
}

fn unit_of(
    file: &Path,
    line: usize,
    name: Option<&str>,
    default: OffsetUnit,
) -> std::result::Result<OffsetUnit, String> {
    match name {
        None => Ok(default),
        Some(n) => OffsetUnit::from_name(n).ok_or_else(|| {
            format!(
                "{}:{line}: unknown offsets unit {n:?} (expected codepoint, utf16 or byte)",
                file.display()
            )
        }),
    }
}

fn jsonl_record(file: &Path, line: usize, json: &str) -> std::result::Result<Record, String> {
    let r: JsonlIn = serde_json::from_str(json).map_err(|e| json_error(file, line, &e))?;
    let unit = unit_of(
        file,
        line,
        r.offsets.as_deref(),
        ImportFormat::Jsonl.default_unit(),
    )?;
    let ids: Vec<Option<&str>> = r.spans.iter().map(|s| s.id.as_deref()).collect();
    let unique: BTreeSet<&str> = ids.iter().flatten().copied().collect();
    let keep_ids =
        unique.len() == ids.len() && ids.iter().all(|id| id.is_some_and(valid_annotator));
    let spans = r
        .spans
        .into_iter()
        .enumerate()
        .map(|(i, s)| RecordSpan {
            key: s.id.unwrap_or_else(|| format!("#{i}")),
            label: s.label,
            start: s.start,
            end: s.end,
            quote: s.text.map(Quote::Exact).unwrap_or(Quote::None),
            claimant: s.claimant.filter(|c| !c.is_empty()),
            note: s.note.filter(|n| !n.is_empty()),
            line,
        })
        .collect();
    Ok(Record {
        file: file.to_path_buf(),
        line,
        source: r.source,
        text: r.text,
        unit,
        spans,
        links: r
            .relations
            .into_iter()
            .map(|l| (l.from, l.to, l.rel))
            .collect(),
        keep_ids,
        stem: None,
    })
}

#[derive(Deserialize)]
struct DoccanoIn {
    source: Option<String>,
    text: String,
    offsets: Option<String>,
    label: Option<Vec<(usize, usize, String)>>,
    labels: Option<Vec<(usize, usize, String)>>,
    entities: Option<Vec<DoccanoEntity>>,
    #[serde(default)]
    relations: Vec<DoccanoRelation>,
}

#[derive(Deserialize)]
struct DoccanoEntity {
    id: Value,
    label: String,
    start_offset: usize,
    end_offset: usize,
    claimant: Option<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
struct DoccanoRelation {
    from_id: Value,
    to_id: Value,
    #[serde(rename = "type")]
    kind: String,
}

/// doccano ids are numbers; any JSON scalar is accepted as a key.
fn id_key(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn doccano_record(file: &Path, line: usize, json: &str) -> std::result::Result<Record, String> {
    let r: DoccanoIn = serde_json::from_str(json).map_err(|e| json_error(file, line, &e))?;
    let unit = unit_of(
        file,
        line,
        r.offsets.as_deref(),
        ImportFormat::Doccano.default_unit(),
    )?;
    let span =
        |key: String, label: String, start, end, claimant: Option<String>, note: Option<String>| {
            RecordSpan {
                key,
                label,
                start,
                end,
                quote: Quote::None,
                claimant: claimant.filter(|c| !c.is_empty()),
                note: note.filter(|n| !n.is_empty()),
                line,
            }
        };
    let (spans, links) = match r.entities {
        Some(entities) => {
            let spans = entities
                .into_iter()
                .map(|e| {
                    span(
                        id_key(&e.id),
                        e.label,
                        e.start_offset,
                        e.end_offset,
                        e.claimant,
                        e.note,
                    )
                })
                .collect();
            let links = r
                .relations
                .into_iter()
                .map(|l| (id_key(&l.from_id), id_key(&l.to_id), l.kind))
                .collect();
            (spans, links)
        }
        None => {
            let triples = r.label.or(r.labels).unwrap_or_default();
            let spans = triples
                .into_iter()
                .enumerate()
                .map(|(i, (s, e, l))| span(format!("#{i}"), l, s, e, None, None))
                .collect();
            (spans, vec![])
        }
    };
    Ok(Record {
        file: file.to_path_buf(),
        line,
        source: r.source,
        text: Some(r.text),
        unit,
        spans,
        links,
        keep_ids: false,
        stem: None,
    })
}

/// The .ann files named: folders give the .ann files directly inside them.
fn brat_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            for entry in WalkDir::new(p).min_depth(1).max_depth(1) {
                let entry = entry.map_err(|e| Error::invalid(p, e.to_string()))?;
                let f = entry.path();
                if f.extension().is_some_and(|x| x == "ann") && f.is_file() {
                    found.push(f.to_path_buf());
                }
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn parse_fragments(s: &str) -> Option<Vec<(usize, usize)>> {
    s.split(';')
        .map(|f| {
            let (a, b) = f.trim().split_once(' ')?;
            Some((a.parse().ok()?, b.trim().parse().ok()?))
        })
        .collect()
}

/// A brat document read.
struct BratRead {
    record: Record,
    /// One line per .ann line claimtag has no place for.
    not_carried: Vec<String>,
}

/// A brat document refused.
struct BratRefused {
    problems: Vec<String>,
    discontinuous: usize,
    not_carried: Vec<String>,
}

impl BratRefused {
    fn one(msg: String) -> BratRefused {
        BratRefused {
            problems: vec![msg],
            discontinuous: 0,
            not_carried: Vec::new(),
        }
    }
}

/// A brat document: its .ann (T, R and AnnotatorNotes lines) and the .txt
/// beside it. Fragments separated only by line breaks (as brat, and
/// claimtag's export, split a span over lines) are one span again; a span
/// with any other gap is discontinuous, which claimtag cannot hold, and the
/// document is refused rather than the gap filled in. Lines are numbered as
/// brat reads them (`str.splitlines`).
fn brat_record(ann: &Path, unit: OffsetUnit) -> std::result::Result<BratRead, BratRefused> {
    let txt = ann.with_extension("txt");
    let (text_bytes, _) = crate::reading::read_capped(&txt, MAX_INPUT_BYTES)
        .map_err(|e| BratRefused::one(format!("{e} (the .txt beside {})", ann.display())))?;
    let doc = Document::from_bytes(text_bytes).map_err(|e| {
        BratRefused::one(format!(
            "{}: not valid UTF-8 at byte offset {}",
            txt.display(),
            e.offset
        ))
    })?;
    let content = read_text(ann).map_err(|e| BratRefused::one(e.to_string()))?;
    let map = OffsetMap::new(&doc);
    let mut spans: Vec<RecordSpan> = Vec::new();
    let mut links = Vec::new();
    let mut notes: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut not_carried = Vec::new();
    let mut problems = Vec::new();
    let mut discontinuous = 0;
    let bad = |line: usize, what: &str| format!("{}:{line}: {what}", ann.display());
    for (i, line) in python_lines(&content).into_iter().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line.splitn(3, '\t');
        let id = fields.next().unwrap_or("");
        let body = fields.next().unwrap_or("");
        let rest = fields.next();
        match id.chars().next() {
            Some('T') => {
                let Some((label, offsets)) = body.split_once(' ') else {
                    problems.push(bad(line_no, "text-bound annotation without offsets"));
                    continue;
                };
                let Some(fragments) = parse_fragments(offsets).filter(|f| !f.is_empty()) else {
                    problems.push(bad(line_no, &format!("bad offsets {offsets:?}")));
                    continue;
                };
                if let Some(gap) = non_break_gap(&doc, &map, &fragments, unit) {
                    discontinuous += 1;
                    problems.push(bad(
                        line_no,
                        &format!(
                            "span {id}: discontinuous ({offsets}; the gap {gap:?} is not a line break): claimtag spans are continuous, so it is not imported rather than widened over the gap"
                        ),
                    ));
                    continue;
                }
                let start = fragments.first().map(|f| f.0).unwrap_or(0);
                let end = fragments.last().map(|f| f.1).unwrap_or(0);
                spans.push(RecordSpan {
                    key: id.to_string(),
                    label: label.to_string(),
                    start,
                    end,
                    quote: Quote::Brat {
                        fragments,
                        field: rest.unwrap_or("").to_string(),
                    },
                    claimant: None,
                    note: None,
                    line: line_no,
                });
            }
            Some('R') => {
                let mut parts = body.split_whitespace();
                let rel = parts.next().unwrap_or("");
                let arg = |p: Option<&str>| {
                    p.and_then(|a| a.split_once(':'))
                        .map(|(_, t)| t.to_string())
                };
                match (arg(parts.next()), arg(parts.next())) {
                    (Some(from), Some(to)) if !rel.is_empty() => {
                        links.push((from, to, rel.to_string()))
                    }
                    _ => problems.push(bad(line_no, "relation needs a type, Arg1 and Arg2")),
                }
            }
            Some('#') => {
                let mut parts = body.split_whitespace();
                let kind = parts.next().unwrap_or("");
                let target = parts.next().unwrap_or("");
                if kind == "AnnotatorNotes" && target.starts_with('T') {
                    notes.insert(
                        target.to_string(),
                        (line_no, rest.unwrap_or("").to_string()),
                    );
                } else if kind == "AnnotatorNotes" {
                    not_carried.push(bad(
                        line_no,
                        &format!(
                            "note {id} on {target:?} not imported: claimtag keeps notes on spans only"
                        ),
                    ));
                } else {
                    not_carried.push(bad(
                        line_no,
                        &format!(
                            "note {id} of type {kind:?} not imported: claimtag keeps AnnotatorNotes only"
                        ),
                    ));
                }
            }
            _ => not_carried.push(bad(
                line_no,
                &format!("annotation {id:?} is not a span, relation or note; not imported"),
            )),
        }
    }
    for (target, (line_no, _)) in &notes {
        if !spans.iter().any(|s| s.key == *target) {
            not_carried.push(bad(
                *line_no,
                &format!("note on {target:?}, which is not a span of this file; not imported"),
            ));
        }
    }
    if !problems.is_empty() {
        problems.push(format!(
            "{}: skipped: document has invalid lines",
            ann.display()
        ));
        return Err(BratRefused {
            problems,
            discontinuous,
            not_carried,
        });
    }
    for s in &mut spans {
        if let Some((_, field)) = notes.get(&s.key) {
            let (claimant, note) = brat::parse_notes(field);
            s.claimant = claimant;
            s.note = note;
        }
    }
    Ok(BratRead {
        record: Record {
            file: ann.to_path_buf(),
            line: 1,
            source: None,
            text: Some(doc.text().to_string()),
            unit,
            spans,
            links,
            keep_ids: false,
            stem: ann.file_stem().map(|s| s.to_string_lossy().into_owned()),
        },
        not_carried,
    })
}

/// Lines as Python's `str.splitlines` gives them (brat reads .ann files so).
fn python_lines(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if brat::is_python_line_break(c) {
            out.push(&s[start..i]);
            let mut next = i + c.len_utf8();
            if c == '\r'
                && let Some(&(j, '\n')) = chars.peek()
            {
                chars.next();
                next = j + 1;
            }
            start = next;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// The text between two fragments when it is not only line breaks (None
/// when the fragments make one continuous span, or do not fit the text: the
/// offset check reports that).
fn non_break_gap(
    doc: &Document,
    map: &OffsetMap,
    fragments: &[(usize, usize)],
    unit: OffsetUnit,
) -> Option<String> {
    for w in fragments.windows(2) {
        let (Ok(a), Ok(b)) = (map.locate(w[0].1, unit), map.locate(w[1].0, unit)) else {
            return None;
        };
        let gap = doc.slice_chars(a, b)?;
        if !gap.chars().all(brat::is_python_line_break) {
            return Some(gap.to_string());
        }
    }
    None
}

/// A sidecar ready to be written.
#[derive(Debug, Clone)]
pub struct Planned {
    pub source: PathBuf,
    pub sidecar_path: PathBuf,
    pub sidecar: Sidecar,
    /// `file:line` of the record it came from.
    pub origin: String,
    /// Spans kept though questionable (unknown label, empty), one line each.
    pub notes: Vec<String>,
}

/// The corpus folder records are imported into: its sources, read on demand.
pub struct ImportTarget {
    dir: PathBuf,
    canonical: PathBuf,
    docs: BTreeMap<PathBuf, Arc<Document>>,
    /// The sources by their text's SHA-256, made when first needed.
    by_text: Option<std::result::Result<BTreeMap<String, Vec<PathBuf>>, String>>,
}

impl ImportTarget {
    pub fn new(dir: &Path) -> Result<ImportTarget> {
        let canonical = std::fs::canonicalize(dir).map_err(|e| Error::io(dir, e))?;
        if !canonical.is_dir() {
            return Err(Error::invalid(dir, "the corpus must be a folder"));
        }
        Ok(ImportTarget {
            dir: dir.to_path_buf(),
            canonical,
            docs: BTreeMap::new(),
            by_text: None,
        })
    }

    /// Lets go of the sources read so far (they are read again if needed);
    /// what finds a source by its text stays.
    pub fn forget_documents(&mut self) {
        self.docs.clear();
    }

    fn load(&mut self, path: &Path) -> std::result::Result<Arc<Document>, String> {
        let d = self.load_shared(path)?;
        self.docs.insert(path.to_path_buf(), Arc::clone(&d));
        Ok(d)
    }

    /// A source as read before, or read now without keeping it (records
    /// are resolved on all cores at once, each reading its own source).
    fn load_shared(&self, path: &Path) -> std::result::Result<Arc<Document>, String> {
        if let Some(d) = self.docs.get(path) {
            return Ok(Arc::clone(d));
        }
        Ok(Arc::new(Document::load(path).map_err(|e| e.to_string())?))
    }

    /// A `source` path from a record, refused unless it stays inside the folder.
    fn by_source(&self, rel: &str) -> std::result::Result<(PathBuf, Arc<Document>), String> {
        let p = Path::new(rel);
        let plain = !rel.is_empty()
            && p.components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if !plain {
            return Err(format!(
                "source {rel:?} must be a relative path inside the corpus folder (no `..`, not absolute)"
            ));
        }
        let path = self.dir.join(p);
        // A file named in the folder itself that is not a link is inside
        // it; anything else is resolved in full (four system calls a
        // record more, a tenth of import's system time).
        let in_the_folder = p.components().count() == 1
            && std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file());
        let inside = in_the_folder || {
            let canonical = std::fs::canonicalize(&path)
                .map_err(|e| format!("source {rel:?}: {}: {e}", path.display()))?;
            canonical.starts_with(&self.canonical) && canonical.is_file()
        };
        if !inside {
            return Err(format!(
                "source {rel:?} resolves outside the corpus folder {} or is not a file",
                self.dir.display()
            ));
        }
        let doc = self.load_shared(&path)?;
        Ok((path, doc))
    }

    /// Makes the table of the sources by their text, once, if a record
    /// among `records` has no `source` to be found by; a folder that cannot
    /// be walked is remembered as the reason for each such record.
    fn index_texts_for(&mut self, records: &[Record]) {
        if self.by_text.is_none() && records.iter().any(|r| r.source.is_none()) {
            let table = self.texts();
            self.by_text = Some(table);
        }
    }

    fn texts(&mut self) -> std::result::Result<BTreeMap<String, Vec<PathBuf>>, String> {
        let mut table: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
        let corpus =
            CorpusIndex::scan(std::slice::from_ref(&self.dir)).map_err(|e| e.to_string())?;
        for s in corpus.source_paths() {
            // A source that cannot be decoded can match no record.
            if let Ok(d) = self.load(&s) {
                table
                    .entry(sha256_hex(d.text().as_bytes()))
                    .or_default()
                    .push(s);
            }
        }
        corpus.trouble().map_err(|e| e.to_string())?;
        Ok(table)
    }

    /// Sources whose decoded text is exactly `text` (see
    /// [`ImportTarget::index_texts_for`]).
    fn by_text(&self, text: &str) -> std::result::Result<Vec<PathBuf>, String> {
        let hash = sha256_hex(text.as_bytes());
        match &self.by_text {
            Some(Ok(table)) => Ok(table.get(&hash).cloned().unwrap_or_default()),
            Some(Err(why)) => Err(why.clone()),
            None => Ok(Vec::new()),
        }
    }

    /// The source a record belongs to.
    fn resolve(&self, r: &Record) -> std::result::Result<(PathBuf, Arc<Document>), String> {
        if let Some(rel) = &r.source {
            let (path, doc) = self.by_source(rel)?;
            if let Some(t) = &r.text
                && t != doc.text()
            {
                return Err(format!(
                    "its text differs from {} (changed since the export?)",
                    path.display()
                ));
            }
            return Ok((path, doc));
        }
        let Some(text) = &r.text else {
            return Err("no `source` and no `text` to find its source by".into());
        };
        let mut found = self.by_text(text)?;
        let same_text = found.len();
        if same_text > 1
            && let Some(stem) = &r.stem
        {
            let dir = self.dir.clone();
            found.retain(|p| {
                let rel = relative_slash_path(p.strip_prefix(&dir).unwrap_or(p));
                brat::stem_for(&rel) == *stem
            });
        }
        match found.as_slice() {
            [one] => {
                let doc = self.load_shared(one)?;
                Ok((one.clone(), doc))
            }
            [] if same_text > 1 => Err(format!(
                "{same_text} sources in {} have this text and none is named like {:?}; rename the .ann and .txt after the source it belongs to",
                self.dir.display(),
                r.stem.as_deref().unwrap_or("")
            )),
            [] => Err(format!("no source in {} has this text", self.dir.display())),
            many => Err(format!(
                "{} sources in {} have this text; add a `source` path",
                many.len(),
                self.dir.display()
            )),
        }
    }
}

/// What import checks a span against besides its text.
#[derive(Debug, Clone, Default)]
pub struct Checks {
    /// Labels not in this scheme are errors (or, with `keep_unknown_labels`,
    /// kept and reported).
    pub scheme: Scheme,
    pub keep_unknown_labels: bool,
    /// Empty spans (start = end) are errors unless kept (and reported).
    pub keep_empty_spans: bool,
}

/// Sidecars for `annotator` from the records with the default [`Checks`];
/// one problem line per record that does not match a source or does not fit
/// its text.
pub fn plan(
    records: &[Record],
    index: &mut ImportTarget,
    annotator: &str,
) -> (Vec<Planned>, Vec<String>) {
    plan_with(records, index, annotator, &Checks::default())
}

/// [`plan`] with the given checks.
pub fn plan_with(
    records: &[Record],
    index: &mut ImportTarget,
    annotator: &str,
    checks: &Checks,
) -> (Vec<Planned>, Vec<String>) {
    Planner::new(annotator, checks).plan(records, index)
}

/// Plans records a window at a time, so an import holds one window's
/// sources and sidecars, not the corpus's: it remembers which source each
/// record went to, to refuse a second record for the same source.
pub struct Planner<'c> {
    annotator: &'c str,
    checks: &'c Checks,
    now: String,
    /// The sources imported so far, each by a digest of its path, with the
    /// input file (a number into `inputs`) and line it came from: as paths
    /// and text, 100,000 of them were half of import's memory.
    taken: HashMap<[u8; 16], (u32, usize)>,
    inputs: Vec<PathBuf>,
}

impl<'c> Planner<'c> {
    pub fn new(annotator: &'c str, checks: &'c Checks) -> Planner<'c> {
        Planner {
            annotator,
            checks,
            now: now_utc(),
            taken: HashMap::new(),
            inputs: Vec::new(),
        }
    }

    /// Sidecars from these records (the next window of them), and one
    /// problem line per record that does not match a source or its text.
    pub fn plan(
        &mut self,
        records: &[Record],
        index: &mut ImportTarget,
    ) -> (Vec<Planned>, Vec<String>) {
        use rayon::prelude::*;
        let mut planned: Vec<Planned> = Vec::new();
        let mut problems = Vec::new();
        index.index_texts_for(records);
        // Each record's source found and its sidecar made on all cores;
        // which source was imported already is settled in order below.
        let (index, annotator, now, checks) = (&*index, self.annotator, &self.now, self.checks);
        let built: Vec<_> = records
            .par_iter()
            .map(|r| {
                let (source, doc) = index.resolve(r)?;
                let built = build_sidecar(r, &doc, &source, annotator, now, checks);
                Ok::<_, String>((path_digest(&source), source, built))
            })
            .collect();
        for (r, built) in records.iter().zip(built) {
            let (digest, source, built) = match built {
                Ok(x) => x,
                Err(why) => {
                    problems.push(format!("{}: skipped: {why}", r.at()));
                    continue;
                }
            };
            match built {
                Ok(_) if self.taken.contains_key(&digest) => {
                    let (input, line) = self.taken[&digest];
                    problems.push(format!(
                        "{}: skipped: {} was already imported from {}:{line}",
                        r.at(),
                        source.display(),
                        self.inputs[input as usize].display()
                    ));
                }
                Ok((sidecar, notes)) => {
                    if self.inputs.last() != Some(&r.file) {
                        self.inputs.push(r.file.clone());
                    }
                    let input = (self.inputs.len() - 1) as u32;
                    self.taken.insert(digest, (input, r.line));
                    planned.push(Planned {
                        sidecar_path: store::sidecar_path(&source, self.annotator),
                        source,
                        sidecar,
                        origin: r.at(),
                        notes,
                    });
                }
                Err(mut lines) => problems.append(&mut lines),
            }
        }
        (planned, problems)
    }
}

/// 128 bits of the SHA-256 of a path's components, so `dir/./a.txt` and
/// `dir/a.txt` are one source, as they are one `Path`. Two sources of a
/// corpus share one with a chance of about 1 in 10^29.
fn path_digest(path: &Path) -> [u8; 16] {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for c in path.components() {
        hash.update(c.as_os_str().as_encoded_bytes());
        // No name holds a 0: it ends each component.
        hash.update([0]);
    }
    let full = hash.finalize();
    let mut digest = [0u8; 16];
    digest.copy_from_slice(&full[..16]);
    digest
}

/// The code point offsets of a record span, or why they do not fit.
fn span_offsets(
    map: &OffsetMap,
    s: &RecordSpan,
    unit: OffsetUnit,
) -> std::result::Result<(usize, usize), String> {
    let at = |o: usize, which: &str| {
        map.locate_grapheme(o, unit)
            .map_err(|m| format!("{which} {o} ({}) {}", unit.name(), m.describe()))
    };
    let start = at(s.start, "start")?;
    let end = at(s.end, "end")?;
    if start > end {
        return Err(format!("start {} is after end {}", s.start, s.end));
    }
    Ok((start, end))
}

type Built = (Sidecar, Vec<String>);

fn build_sidecar(
    r: &Record,
    doc: &Document,
    source: &Path,
    annotator: &str,
    now: &str,
    checks: &Checks,
) -> std::result::Result<Built, Vec<String>> {
    let map = OffsetMap::new(doc);
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    let mut anns: Vec<(String, Annotation)> = Vec::new();
    let mut keys = BTreeSet::new();
    for s in &r.spans {
        // Made only for a message: formatting it for every span was a
        // tenth of planning.
        let at = || format!("{}:{}", r.file.display(), s.line);
        let mut err = |msg: String| errors.push(format!("{}: span {}: {msg}", at(), s.key));
        if !keys.insert(s.key.as_str()) {
            err("id used twice".into());
            continue;
        }
        if s.label.trim().is_empty() {
            err("empty label".into());
            continue;
        }
        let (start, end) = match span_offsets(&map, s, r.unit) {
            Ok(x) => x,
            Err(why) => {
                err(why);
                continue;
            }
        };
        let at_offsets = doc.slice_chars(start, end).unwrap_or("");
        match &s.quote {
            Quote::None => {}
            Quote::Exact(q) => {
                if q != at_offsets {
                    err(format!(
                        "quoted text {q:?} is not the text at its offsets ({at_offsets:?})"
                    ));
                    continue;
                }
            }
            Quote::Brat { fragments, field } => {
                let converted: Option<Vec<(usize, usize)>> = fragments
                    .iter()
                    .map(|&(a, b)| Some((map.locate(a, r.unit).ok()?, map.locate(b, r.unit).ok()?)))
                    .collect();
                let Some(converted) = converted else {
                    err("a fragment is past the end of the text or inside a character".into());
                    continue;
                };
                let ordered = converted
                    .windows(2)
                    .all(|w| w[0].0 <= w[0].1 && w[0].1 <= w[1].0)
                    && converted.iter().all(|f| f.0 <= f.1);
                if !ordered {
                    err("fragments are reversed or out of order".into());
                    continue;
                }
                let expected = brat::text_field(doc, &converted);
                if *field != expected {
                    err(format!(
                        "text field {field:?} is not the text at its offsets ({expected:?})"
                    ));
                    continue;
                }
            }
        }
        if start == end {
            if !checks.keep_empty_spans {
                err(format!(
                    "empty span at {} (doccano and brat refuse these; --keep-empty-spans keeps it)",
                    s.start
                ));
                continue;
            }
            notes.push(format!("{}: span {}: empty span kept", at(), s.key));
        }
        if checks.scheme.label(&s.label).is_none() {
            if !checks.keep_unknown_labels {
                err(format!(
                    "label {:?} is not in the scheme ({}); --keep-unknown-labels keeps it",
                    s.label,
                    checks.scheme.label_names().collect::<Vec<_>>().join(", ")
                ));
                continue;
            }
            notes.push(format!(
                "{}: span {}: label {:?} is not in the scheme; kept",
                at(),
                s.key,
                s.label
            ));
        }
        let mut a = Annotation {
            id: String::new(),
            label: s.label.clone(),
            start,
            end,
            claimant: s.claimant.clone(),
            note: s.note.clone(),
            created: now.to_string(),
            ..Annotation::default()
        };
        anchor::fill_from(doc, &mut a);
        anns.push((s.key.clone(), a));
    }
    for (from, to, rel) in &r.links {
        if !keys.contains(from.as_str()) || !keys.contains(to.as_str()) {
            errors.push(format!(
                "{}: relation {rel} {from} -> {to} names a span that is not in the record",
                r.at()
            ));
        }
    }
    if !errors.is_empty() {
        errors.push(format!("{}: skipped: record has invalid spans", r.at()));
        return Err(errors);
    }
    // Ids: the record's own when they are claimtag-like and unique, else
    // fresh ones in text order.
    anns.sort_by(|x, y| {
        (x.1.start, x.1.end, &x.1.label, &x.0).cmp(&(y.1.start, y.1.end, &y.1.label, &y.0))
    });
    let file_name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut sidecar = Sidecar::new(annotator, &file_name, doc.sha256(), doc.len_chars());
    sidecar.updated = now.to_string();
    let mut id_of: BTreeMap<String, String> = BTreeMap::new();
    for (key, a) in &mut anns {
        a.id = if r.keep_ids {
            key.clone()
        } else {
            sidecar.fresh_id()
        };
        id_of.insert(key.clone(), a.id.clone());
    }
    for (from, to, rel) in &r.links {
        let (Some(f), Some(t)) = (id_of.get(from), id_of.get(to)) else {
            continue;
        };
        if let Some((_, a)) = anns.iter_mut().find(|(_, a)| a.id == *f) {
            let link = Link {
                rel: rel.clone(),
                to: t.clone(),
            };
            if !a.links.contains(&link) {
                a.links.push(link);
            }
        }
    }
    sidecar.annotations = anns.into_iter().map(|(_, a)| a).collect();
    // Keep ids never reused: the next fresh id follows the highest a<N>.
    let highest = sidecar
        .annotations
        .iter()
        .filter_map(|a| a.id.strip_prefix('a').and_then(|n| n.parse::<u64>().ok()))
        .max()
        .unwrap_or(0);
    sidecar.next_id = sidecar.next_id.max(highest + 1);
    for a in &mut sidecar.annotations {
        a.links.sort();
    }
    sidecar.sort();
    Ok((sidecar, notes))
}

/// Planned sidecars checked against the disk and made into YAML, on all
/// cores, in order: the files to write, and one line per refusal. An
/// existing sidecar is replaced only with `force`, and only when it can be
/// read (a file we could not read is never overwritten).
pub fn prepare(planned: &[Planned], force: bool) -> (Vec<FileToWrite>, Vec<String>) {
    use rayon::prelude::*;
    let checked: Vec<std::result::Result<FileToWrite, String>> = planned
        .par_iter()
        .map(|p| {
            let path = &p.sidecar_path;
            let existing = std::fs::metadata(path);
            if existing.is_ok() {
                if !force {
                    return Err(format!(
                        "{}: exists; not overwritten (use --force to replace it) [from {}]",
                        path.display(),
                        p.origin
                    ));
                }
                if let Err(e) = store::read_sidecar(path) {
                    return Err(format!("{e}; not overwritten even with --force"));
                }
            }
            Ok(FileToWrite {
                path: path.clone(),
                bytes: p.sidecar.to_yaml().into_bytes(),
                replaces: existing.ok().map(|m| m.permissions()),
            })
        })
        .collect();
    let mut problems = Vec::new();
    let mut files = Vec::with_capacity(planned.len());
    for c in checked {
        match c {
            Ok(file) => files.push(file),
            Err(problem) => problems.push(problem),
        }
    }
    (files, problems)
}

/// How many files were written, and one line per file that could not be.
pub fn tally(results: Vec<Result<()>>) -> (usize, Vec<String>) {
    let mut written = 0;
    let mut problems = Vec::new();
    for result in results {
        match result {
            Ok(()) => written += 1,
            Err(e) => problems.push(e.to_string()),
        }
    }
    (written, problems)
}

/// Writes planned sidecars ([`prepare`], then write them all). Returns how
/// many were written and one line per refusal.
pub fn write(planned: &[Planned], force: bool) -> (usize, Vec<String>) {
    let (files, mut problems) = prepare(planned, force);
    let (written, mut failed) = tally(write_many_atomic(&files));
    problems.append(&mut failed);
    (written, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_paths_must_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("c")).unwrap();
        std::fs::write(dir.path().join("c/a.txt"), "hello").unwrap();
        std::fs::write(dir.path().join("outside.txt"), "hello").unwrap();
        let idx = ImportTarget::new(&dir.path().join("c")).unwrap();
        assert!(idx.by_source("a.txt").is_ok());
        assert!(idx.by_source("../outside.txt").is_err());
        let abs = dir.path().join("outside.txt").display().to_string();
        assert!(idx.by_source(&abs).is_err());
        assert!(idx.by_source("").is_err());
        // A link in the folder is followed: inside is fine, outside is not.
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(
                dir.path().join("outside.txt"),
                dir.path().join("c/out.txt"),
            )
            .unwrap();
            std::os::unix::fs::symlink(dir.path().join("c/a.txt"), dir.path().join("c/in.txt"))
                .unwrap();
            assert!(idx.by_source("out.txt").is_err());
            assert!(idx.by_source("./out.txt").is_err());
            assert!(idx.by_source("in.txt").is_ok());
        }
    }

    #[test]
    fn bad_spans_skip_the_record_with_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "Hello 😀 world").unwrap();
        let input = dir.path().join("in.jsonl");
        std::fs::write(
            &input,
            concat!(
                "{\"source\":\"a.txt\",\"offsets\":\"utf16\",\"spans\":[{\"id\":\"a1\",\"start\":9,\"end\":14,\"label\":\"claim\",\"text\":\"world\"}]}\n",
                "\n",
                "{\"text\":\"Hello 😀 world\",\"offsets\":\"utf16\",\"spans\":[{\"id\":\"a1\",\"start\":7,\"end\":9,\"label\":\"claim\"}]}\n",
                "{\"source\":\"a.txt\",\"spans\":[{\"start\":5,\"end\":2,\"label\":\"claim\"}]}\n",
                "not json\n",
            ),
        )
        .unwrap();
        let (records, problems) =
            read_records(ImportFormat::Jsonl, std::slice::from_ref(&input)).unwrap();
        assert_eq!(records.len(), 3);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("in.jsonl:5:"), "{problems:?}");
        let mut idx = ImportTarget::new(dir.path()).unwrap();
        let (planned, problems) = plan(&records, &mut idx, "carol");
        assert_eq!(planned.len(), 1);
        let a = &planned[0].sidecar.annotations[0];
        assert_eq!(
            (a.id.as_str(), a.start, a.end, a.text.as_str()),
            ("a1", 8, 13, "world")
        );
        // record 3 (line 3): utf16 offset 7 is inside 😀; record 4 is a duplicate
        assert!(
            problems.iter().any(|p| p.contains("in.jsonl:3: span a1")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("in.jsonl:4: skipped")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_source_spelled_two_ways_is_imported_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a.txt"), "Hello world").unwrap();
        let mut inputs = Vec::new();
        for (name, source) in [("one.jsonl", "sub/a.txt"), ("two.jsonl", "./sub/./a.txt")] {
            let input = dir.path().join(name);
            std::fs::write(
                &input,
                format!("\n{{\"source\":\"{source}\",\"spans\":[]}}\n"),
            )
            .unwrap();
            inputs.push(input);
        }
        let (records, _) = read_records(ImportFormat::Jsonl, &inputs).unwrap();
        let mut idx = ImportTarget::new(dir.path()).unwrap();
        let (planned, problems) = plan(&records, &mut idx, "carol");
        assert_eq!(planned.len(), 1);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("two.jsonl:2: skipped:")
                && problems[0].ends_with(&format!(
                    "was already imported from {}:2",
                    inputs[0].display()
                )),
            "{problems:?}"
        );
        assert_ne!(
            path_digest(Path::new("sub/a.txt")),
            path_digest(Path::new("sub/b.txt"))
        );
    }

    /// Records are resolved on all cores, but problems come in the input's
    /// order and the first record for a source wins, however many there are.
    #[test]
    fn a_window_is_planned_in_input_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut lines = String::new();
        for i in 0..200 {
            std::fs::write(dir.path().join(format!("{i:03}.txt")), "Hello world").unwrap();
            // Every third record names a source that is not there, every
            // fifth repeats the source of the one before.
            let source = match i {
                _ if i % 3 == 2 => format!("missing{i}.txt"),
                _ if i % 5 == 4 => format!("{:03}.txt", i - 1),
                _ => format!("{i:03}.txt"),
            };
            lines.push_str(&format!(
                "{{\"source\":\"{source}\",\"spans\":[{{\"start\":0,\"end\":5,\"label\":\"claim\"}}]}}\n"
            ));
        }
        let input = dir.path().join("in.jsonl");
        std::fs::write(&input, lines).unwrap();
        let (records, _) = read_records(ImportFormat::Jsonl, &[input]).unwrap();
        let mut idx = ImportTarget::new(dir.path()).unwrap();
        let (planned, problems) = plan(&records, &mut idx, "carol");
        let line_of = |p: &String| -> usize { p.split(':').nth(1).unwrap().parse().unwrap() };
        let lines: Vec<usize> = problems.iter().map(line_of).collect();
        let mut sorted = lines.clone();
        sorted.sort_unstable();
        assert_eq!(lines, sorted, "{problems:?}");
        // What one record after another gives: a missing source is
        // skipped, a repeat is skipped when the source was imported already.
        let (mut want, mut skipped) = (Vec::new(), 0);
        for i in 0..200 {
            let source = if i % 5 == 4 { i - 1 } else { i };
            if i % 3 == 2 || want.contains(&format!("{source:03}.txt")) {
                skipped += 1;
            } else {
                want.push(format!("{source:03}.txt"));
            }
        }
        assert_eq!(problems.len(), skipped, "{problems:?}");
        let repeat = problems.iter().find(|p| line_of(p) == 5).unwrap();
        assert!(
            repeat.contains("003.txt was already imported from"),
            "{repeat}"
        );
        let kept: Vec<String> = planned
            .iter()
            .map(|p| p.source.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(kept, want);
    }
}
