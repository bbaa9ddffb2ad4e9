//! Validating sidecars against their sources and the label scheme, and
//! repairing what re-anchoring can repair (`claimtag check [--fix]`,
//! docs/agreement.md). Findings are data, so any front end can list them; the
//! `Display` of each is the one-line message the command prints, naming the
//! sidecar and, where known, the line (the annotation's `id:` line, a key's
//! line, or the YAML error's line and column).
//!
//! A sidecar that does not parse is reported and never rewritten; a fix is
//! saved atomically and never over a file changed since it was read.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use crate::anchor::{self, AnchorReport};
use crate::error::{Error, Result};
use crate::format::{self, Annotation, MAX_SIDECAR_BYTES, Sidecar};
use crate::merge;
use crate::scheme::Scheme;
use crate::store::{self, DiskStamp};
use crate::text::{Document, sha256_hex};

/// Whether to only report, or also repair and save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Check,
    /// Re-anchor sidecars that are stale or whose offsets no longer match,
    /// correct `source.file`, `sha256`, `chars` and `annotator`, and save.
    Fix,
}

/// Which label scheme sidecars are checked against.
#[derive(Debug, Clone, Copy)]
pub enum Schemes<'a> {
    /// Each sidecar's own: the `claimtag.yaml` found walking up from its folder.
    Discover,
    /// One scheme for every sidecar (a front end that already loaded it).
    Given(&'a Scheme),
}

/// One thing wrong with one sidecar.
#[derive(Debug)]
pub struct Finding {
    /// The sidecar the finding is about, as listed from the paths given.
    pub sidecar: PathBuf,
    /// 1-based line in the sidecar, where known.
    pub line: Option<usize>,
    /// 1-based column in the sidecar, known for YAML errors.
    pub column: Option<usize>,
    pub problem: Problem,
}

/// The kinds of problems `check` reports.
#[derive(Debug)]
pub enum Problem {
    /// The file name is not `<source>.<annotator>.ann.yaml`.
    BadName,
    /// The sidecar was gone when it was to be read.
    Vanished,
    /// The sidecar or its source could not be read (permissions, I/O).
    Unreadable(Error),
    /// The sidecar does not parse: YAML syntax, unknown `format`, invalid
    /// fields, not UTF-8, too large. Such a file is never rewritten.
    Unparsable(Error),
    /// `annotator` differs from the file name's.
    AnnotatorMismatch { recorded: String, named: String },
    /// `source.file` differs from the file name's.
    SourceFileMismatch { recorded: String, named: String },
    /// The source file beside the sidecar does not exist.
    MissingSource { source: PathBuf },
    /// The source is not UTF-8 text.
    SourceNotText(Error),
    /// `source.sha256` is not the source's: the source changed since the
    /// sidecar was saved. `would` is what re-anchoring would do.
    Stale {
        recorded: String,
        actual: String,
        would: AnchorReport,
    },
    /// `source.chars` is not the source's length in code points.
    CharsMismatch { recorded: usize, actual: usize },
    /// A span flagged `orphan: true`: its text was not found again.
    Orphan {
        id: String,
        label: String,
        start: usize,
        end: usize,
        text: String,
    },
    /// A span ends past the end of the source.
    BeyondText {
        id: String,
        start: usize,
        end: usize,
        len: usize,
    },
    /// The source's text at a span's offsets is not the span's `text`.
    TextMismatch {
        id: String,
        start: usize,
        end: usize,
        in_source: String,
        in_sidecar: String,
    },
    /// A span's label is not in the scheme (`known`: the scheme's labels).
    UnknownLabel {
        id: String,
        label: String,
        known: Vec<String>,
    },
    /// A link points to an id no annotation has.
    LinkTargetMissing { id: String, rel: String, to: String },
    /// A link's relation is not in the scheme.
    UnknownRelation { id: String, rel: String },
    /// The scheme has the relation, but not between these two labels.
    RelationNotAllowed {
        id: String,
        rel: String,
        from_label: String,
        to_label: String,
        to: String,
    },
    /// `--fix` could not save (changed on disk meanwhile, I/O).
    NotFixed(Error),
    /// An unresolved merge conflict (`conflict:` key) on an annotation id or
    /// a file-level key; `what` says which versions are kept.
    Conflict { id: String, what: String },
}

impl Problem {
    /// Problems that mean the input could not be read at all (the command
    /// exits 2 for them, 1 for the others).
    pub fn is_unreadable(&self) -> bool {
        matches!(self, Problem::Vanished | Problem::Unreadable(_))
    }
}

/// The message after the location. Variants holding an [`Error`] show the
/// error, which names its own file and place.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::BadName => write!(
                f,
                "not named <source>.<annotator>.ann.yaml (annotator: 1-32 of A-Za-z0-9_-)"
            ),
            Problem::Vanished => write!(f, "no such file"),
            Problem::Unreadable(e)
            | Problem::Unparsable(e)
            | Problem::SourceNotText(e)
            | Problem::NotFixed(e) => write!(f, "{e}"),
            Problem::Conflict { id, what } => write!(
                f,
                "unresolved merge conflict on {}: {what} (settle it in the annotating screen)",
                Plain(id)
            ),
            Problem::AnnotatorMismatch { recorded, named } => write!(
                f,
                "annotator {recorded:?} differs from the file name's {named:?}"
            ),
            Problem::SourceFileMismatch { recorded, named } => write!(
                f,
                "source.file {recorded:?} differs from the file name's {named:?}"
            ),
            Problem::MissingSource { source } => {
                write!(f, "its source file {} is missing", source.display())
            }
            Problem::Stale {
                recorded,
                actual,
                would,
            } => write!(
                f,
                "stale: source.sha256 {} differs from the source's {} (the source changed); \
                 re-anchoring would keep {} in place, move {}, orphan {} (run `claimtag check --fix`)",
                short(recorded),
                short(actual),
                would.in_place,
                would.moved,
                would.orphaned
            ),
            Problem::CharsMismatch { recorded, actual } => write!(
                f,
                "source.chars {recorded} but the source has {actual} code points"
            ),
            Problem::Orphan {
                id,
                label,
                start,
                end,
                text,
            } => write!(
                f,
                "span {} ({} {start}..{end}) is orphaned: its text {:?} was not found in the source",
                Plain(id),
                Plain(label),
                clip(text)
            ),
            Problem::BeyondText {
                id,
                start,
                end,
                len,
            } => write!(
                f,
                "span {}: offsets {start}..{end} are beyond the source's {len} code points",
                Plain(id)
            ),
            Problem::TextMismatch {
                id,
                start,
                end,
                in_source,
                in_sidecar,
            } => write!(
                f,
                "span {}: text at {start}..{end} is {:?} in the source but {:?} in the sidecar",
                Plain(id),
                clip(in_source),
                clip(in_sidecar)
            ),
            Problem::UnknownLabel { id, label, known } => write!(
                f,
                "span {}: label {label:?} is not in the scheme ({})",
                Plain(id),
                known.join(", ")
            ),
            Problem::LinkTargetMissing { id, rel, to } => write!(
                f,
                "span {}: link {} -> {}: no annotation has id {to:?}",
                Plain(id),
                Plain(rel),
                Plain(to)
            ),
            Problem::UnknownRelation { id, rel } => {
                write!(
                    f,
                    "span {}: relation {rel:?} is not in the scheme",
                    Plain(id)
                )
            }
            Problem::RelationNotAllowed {
                id,
                rel,
                from_label,
                to_label,
                to,
            } => write!(
                f,
                "span {}: the scheme does not allow {} from {} to {} ({})",
                Plain(id),
                Plain(rel),
                Plain(from_label),
                Plain(to_label),
                Plain(to)
            ),
        }
    }
}

/// One line: `<sidecar>[:<line>]: <message>`, or the error's own line.
impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.problem {
            Problem::Unreadable(e) | Problem::Unparsable(e) => write!(f, "{e}"),
            Problem::SourceNotText(e) => write!(f, "{e} (source of {})", self.sidecar.display()),
            Problem::NotFixed(e) => write!(f, "{e} (not fixed)"),
            problem => {
                write!(f, "{}", self.sidecar.display())?;
                if let Some(line) = self.line {
                    write!(f, ":{line}")?;
                }
                write!(f, ": {problem}")
            }
        }
    }
}

/// A sidecar `--fix` re-anchored and saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixed {
    pub sidecar: PathBuf,
    pub anchors: AnchorReport,
}

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.anchors;
        write!(
            f,
            "fixed {}: {} in place, {} moved, {} orphaned{}",
            self.sidecar.display(),
            r.in_place,
            r.moved,
            r.orphaned,
            if r.orphaned > 0 {
                " (kept, flagged `orphan: true`)"
            } else {
                ""
            }
        )
    }
}

/// What checking (and maybe fixing) one sidecar found.
#[derive(Debug)]
pub struct SidecarReport {
    pub sidecar: PathBuf,
    /// Set when `--fix` rewrote the sidecar; the findings are then those of
    /// the rewritten file.
    pub fixed: Option<Fixed>,
    pub findings: Vec<Finding>,
}

/// What checking a corpus found, sidecar by sidecar in path order.
#[derive(Debug, Default)]
pub struct Report {
    pub sidecars: Vec<SidecarReport>,
}

impl Report {
    /// How many sidecars were checked.
    pub fn checked(&self) -> usize {
        self.sidecars.len()
    }

    pub fn fixes(&self) -> impl Iterator<Item = &Fixed> {
        self.sidecars.iter().filter_map(|s| s.fixed.as_ref())
    }

    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.sidecars.iter().flat_map(|s| &s.findings)
    }

    /// Findings about sidecars that could be read.
    pub fn problems(&self) -> impl Iterator<Item = &Finding> {
        self.findings().filter(|f| !f.problem.is_unreadable())
    }

    /// Findings about files that could not be read at all.
    pub fn unreadable(&self) -> impl Iterator<Item = &Finding> {
        self.findings().filter(|f| f.problem.is_unreadable())
    }

    pub fn is_clean(&self) -> bool {
        self.findings().next().is_none()
    }
}

/// Checks every sidecar under `paths` without changing anything.
pub fn check_corpus(paths: &[PathBuf], schemes: Schemes) -> Result<Report> {
    run_corpus(paths, schemes, Mode::Check, |_| {})
}

/// Checks every sidecar under `paths` and fixes what re-anchoring can fix.
pub fn fix_corpus(paths: &[PathBuf], schemes: Schemes) -> Result<Report> {
    run_corpus(paths, schemes, Mode::Fix, |_| {})
}

/// Checks (and in [`Mode::Fix`] fixes) every sidecar under `paths`, calling
/// `each` as each sidecar is done, so a front end can show progress. Fails,
/// before any sidecar is touched, when a path cannot be read or a scheme
/// does not parse.
pub fn run_corpus(
    paths: &[PathBuf],
    schemes: Schemes,
    mode: Mode,
    mut each: impl FnMut(&SidecarReport),
) -> Result<Report> {
    let sidecars = collect_sidecars(paths)?;
    let mut discovered: BTreeMap<PathBuf, Scheme> = BTreeMap::new();
    if let Schemes::Discover = schemes {
        for path in &sidecars {
            if let Entry::Vacant(slot) = discovered.entry(folder_of(path)) {
                let (scheme, _) = Scheme::discover(slot.key())?;
                slot.insert(scheme);
            }
        }
    }
    let fallback = Scheme::default();
    let mut report = Report::default();
    for path in &sidecars {
        let scheme = match schemes {
            Schemes::Given(s) => s,
            Schemes::Discover => discovered.get(&folder_of(path)).unwrap_or(&fallback),
        };
        let one = inspect(path, scheme, mode);
        each(&one);
        report.sidecars.push(one);
    }
    Ok(report)
}

/// Checks one sidecar without changing it.
pub fn check_sidecar(path: &Path, scheme: &Scheme) -> SidecarReport {
    inspect(path, scheme, Mode::Check)
}

/// Checks one sidecar and fixes what re-anchoring can fix.
pub fn fix_sidecar(path: &Path, scheme: &Scheme) -> SidecarReport {
    inspect(path, scheme, Mode::Fix)
}

/// Sidecars under the paths, sorted and unique: folders are searched
/// recursively for `*.ann.yaml` (hidden entries skipped, symbolic links to
/// folders not followed, as in [`store::discover_sources`]); a source file
/// brings its sidecars; a sidecar given by name is itself. A path that cannot
/// be read is an error.
pub fn collect_sidecars(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else if is_sidecar_name(p) {
            out.push(p.clone());
        } else {
            out.extend(
                store::annotators_of(p)
                    .iter()
                    .map(|a| store::sidecar_path(p, a)),
            );
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn is_sidecar_name(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(store::SIDECAR_SUFFIX))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        // Not following links to folders: a link to a parent would list the
        // same sidecars again under ever longer paths.
        let file_type = entry.file_type().map_err(|e| Error::io(&path, e))?;
        // Anything named like a sidecar is one to check, a folder or FIFO
        // too (reported, never silently passed over).
        if is_sidecar_name(&path) {
            out.push(path);
        } else if file_type.is_dir() {
            walk(&path, out)?;
        }
    }
    Ok(())
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A sidecar read once: the parsed data, the stamp that guards the save, and
/// where its keys and ids are, all from the same bytes.
struct Loaded {
    sidecar: Sidecar,
    stamp: DiskStamp,
    lines: Lines,
}

fn load(path: &Path) -> std::result::Result<Loaded, Problem> {
    let (bytes, meta) = store::read_capped(path, MAX_SIDECAR_BYTES).map_err(read_problem)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        Problem::Unparsable(Error::NotUtf8 {
            path: path.to_path_buf(),
            offset: e.valid_up_to(),
        })
    })?;
    let sidecar = Sidecar::parse(path, text).map_err(Problem::Unparsable)?;
    let stamp = DiskStamp {
        len: bytes.len() as u64,
        modified: meta.modified().ok(),
        sha256: sha256_hex(&bytes),
    };
    Ok(Loaded {
        sidecar,
        stamp,
        lines: Lines::of(text),
    })
}

fn read_problem(e: Error) -> Problem {
    match e {
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            Problem::Vanished
        }
        e @ (Error::Io { .. } | Error::NotRegular { .. }) => Problem::Unreadable(e),
        // Too large: the file is there but is not a sidecar we accept.
        e => Problem::Unparsable(e),
    }
}

/// Findings of one sidecar, each placed at a line of it.
struct Findings<'a> {
    sidecar: &'a Path,
    list: Vec<Finding>,
}

impl Findings<'_> {
    fn push(&mut self, line: Option<usize>, problem: Problem) {
        self.push_at(line, None, problem);
    }

    fn push_at(&mut self, line: Option<usize>, column: Option<usize>, problem: Problem) {
        self.list.push(Finding {
            sidecar: self.sidecar.to_path_buf(),
            line,
            column,
            problem,
        });
    }
}

fn inspect(path: &Path, scheme: &Scheme, mode: Mode) -> SidecarReport {
    let mut findings = Findings {
        sidecar: path,
        list: Vec::new(),
    };
    let fixed = inspect_into(path, scheme, mode, &mut findings);
    SidecarReport {
        sidecar: path.to_path_buf(),
        fixed,
        findings: findings.list,
    }
}

fn inspect_into(path: &Path, scheme: &Scheme, mode: Mode, out: &mut Findings) -> Option<Fixed> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some((source_name, annotator)) = store::parse_sidecar_name(&file_name) else {
        out.push(None, Problem::BadName);
        return None;
    };
    let Loaded {
        sidecar,
        stamp,
        lines,
    } = match load(path) {
        Ok(loaded) => loaded,
        Err(problem) => {
            let (line, column) = match &problem {
                Problem::Unparsable(e) => place_of(e),
                _ => (None, None),
            };
            out.push_at(line, column, problem);
            return None;
        }
    };

    let mut metadata_wrong = false;
    if sidecar.annotator != annotator {
        metadata_wrong = true;
        out.push(
            lines.key("annotator"),
            Problem::AnnotatorMismatch {
                recorded: sidecar.annotator.clone(),
                named: annotator.to_string(),
            },
        );
    }
    if sidecar.source.file != source_name {
        metadata_wrong = true;
        out.push(
            lines.key("file"),
            Problem::SourceFileMismatch {
                recorded: sidecar.source.file.clone(),
                named: source_name.to_string(),
            },
        );
    }
    let source = folder_of(path).join(source_name);
    let doc = match Document::load(&source) {
        Ok(d) => d,
        Err(Error::Io { source: e, .. }) if e.kind() == std::io::ErrorKind::NotFound => {
            out.push(None, Problem::MissingSource { source });
            return None;
        }
        Err(e @ (Error::Io { .. } | Error::NotRegular { .. })) => {
            out.push(None, Problem::Unreadable(e));
            return None;
        }
        Err(e) => {
            out.push(None, Problem::SourceNotText(e));
            return None;
        }
    };

    let stale = sidecar.source.sha256 != doc.sha256();
    let anchors_wrong = sidecar
        .annotations
        .iter()
        .any(|a| !a.orphan && doc.slice_chars(a.start, a.end) != Some(a.text.as_str()));
    let chars_wrong = sidecar.source.chars != doc.len_chars();

    if mode == Mode::Fix && (stale || anchors_wrong || chars_wrong || metadata_wrong) {
        let mut repaired = sidecar.clone();
        let anchors = anchor::reanchor(&doc, &mut repaired.annotations);
        repaired.annotator = annotator.to_string();
        repaired.source.file = source_name.to_string();
        repaired.source.sha256 = doc.sha256().to_string();
        repaired.source.chars = doc.len_chars();
        repaired.updated = format::now_utc();
        repaired.sort();
        match store::save_sidecar(path, &repaired, Some(&stamp)) {
            Ok(_) => {
                // What is left to report is what the rewritten file has.
                out.list.clear();
                let lines = Lines::of(&repaired.to_yaml());
                validate(out, &repaired, &doc, scheme, &lines);
                return Some(Fixed {
                    sidecar: path.to_path_buf(),
                    anchors,
                });
            }
            Err(e) => out.push(None, Problem::NotFixed(e)),
        }
    }

    if stale {
        let mut trial = sidecar.annotations.clone();
        let would = anchor::reanchor(&doc, &mut trial);
        out.push(
            lines.key("sha256"),
            Problem::Stale {
                recorded: sidecar.source.sha256.clone(),
                actual: doc.sha256().to_string(),
                would,
            },
        );
        // Offsets of a stale sidecar are expected to be off: per-span
        // findings would only repeat the one above.
        validate_structure(out, &sidecar, scheme, &lines);
        for a in sidecar.annotations.iter().filter(|a| a.orphan) {
            out.push(lines.id(&a.id), orphan(a));
        }
    } else {
        if chars_wrong {
            out.push(
                lines.key("chars"),
                Problem::CharsMismatch {
                    recorded: sidecar.source.chars,
                    actual: doc.len_chars(),
                },
            );
        }
        validate(out, &sidecar, &doc, scheme, &lines);
    }
    None
}

/// Line and column of a YAML error (0 means unknown).
fn place_of(e: &Error) -> (Option<usize>, Option<usize>) {
    let known = |n: u64| usize::try_from(n).ok().filter(|&n| n > 0);
    match e {
        Error::Yaml { line, column, .. } => (known(*line), known(*column)),
        _ => (None, None),
    }
}

fn orphan(a: &Annotation) -> Problem {
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
fn validate(out: &mut Findings, sidecar: &Sidecar, doc: &Document, scheme: &Scheme, lines: &Lines) {
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

/// What `check` would reject in the labels and links of a sidecar held in
/// memory: a save refuses to write it (issue 10, item 7).
pub fn structure_problems(sidecar: &Sidecar, scheme: &Scheme) -> Vec<Problem> {
    let mut out = Findings {
        sidecar: Path::new(""),
        list: Vec::new(),
    };
    let lines = Lines {
        ids: BTreeMap::new(),
        keys: BTreeMap::new(),
    };
    validate_structure(&mut out, sidecar, scheme, &lines);
    out.list.into_iter().map(|f| f.problem).collect()
}

/// Labels and links: what does not depend on the source text.
fn validate_structure(out: &mut Findings, sidecar: &Sidecar, scheme: &Scheme, lines: &Lines) {
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

/// A name from the sidecar as written, unless it holds a line break or other
/// control character: then quoted and escaped, so the message stays one line.
struct Plain<'a>(&'a str);

impl fmt::Display for Plain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.chars().any(char::is_control) {
            write!(f, "{:?}", self.0)
        } else {
            f.write_str(self.0)
        }
    }
}

/// The first 12 hex digits of a hash, enough to tell two apart in a message.
fn short(hash: &str) -> &str {
    if hash.is_empty() {
        return "(empty)";
    }
    hash.get(..12).unwrap_or(hash)
}

/// At most 40 code points of a quote, so a message stays one readable line.
fn clip(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX).collect();
        t.push('…');
        t
    }
}

/// Where keys and annotation ids are in the YAML text, for messages. The
/// sidecar writer puts each on its own line; hand-written files usually do too,
/// and when they do not the finding simply has no line.
struct Lines {
    ids: BTreeMap<String, usize>,
    keys: BTreeMap<String, usize>,
}

impl Lines {
    fn of(yaml: &str) -> Lines {
        let mut ids = BTreeMap::new();
        let mut keys = BTreeMap::new();
        for (i, line) in yaml.lines().enumerate() {
            let t = line.trim_start().trim_start_matches("- ");
            if let Some((k, v)) = t.split_once(':') {
                let k = k.trim();
                let v = v.trim().trim_matches(|c| c == '\'' || c == '"');
                if k == "id" {
                    ids.entry(v.to_string()).or_insert(i + 1);
                } else if !k.is_empty() && !k.contains(' ') {
                    keys.entry(k.to_string()).or_insert(i + 1);
                }
            }
        }
        Lines { ids, keys }
    }

    fn key(&self, k: &str) -> Option<usize> {
        self.keys.get(k).copied()
    }

    fn id(&self, id: &str) -> Option<usize> {
        self.ids.get(id).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Link;

    const TEXT: &str =
        "Officials said the crossing reopened. 😀 Witnesses denied it.\r\nTrucks queued for hours.";

    /// A folder with `a.txt` holding [`TEXT`].
    fn corpus() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("a.txt");
        std::fs::write(&src, TEXT).unwrap();
        (dir, src)
    }

    /// Saves `who`'s sidecar for `src` with spans given by label and quote
    /// (first occurrence), after `edit` had its say.
    fn annotate(
        src: &Path,
        who: &str,
        spans: &[(&str, &str)],
        edit: impl FnOnce(&mut Sidecar),
    ) -> PathBuf {
        let doc = Document::load(src).unwrap();
        let name = src.file_name().unwrap().to_str().unwrap();
        let mut sc = Sidecar::new(who, name, doc.sha256(), doc.len_chars());
        for &(label, quote) in spans {
            let at = doc.text().find(quote).unwrap();
            let id = sc.fresh_id();
            sc.annotations.push(anchor::new_annotation(
                &doc,
                at..at + quote.len(),
                label,
                id,
            ));
        }
        edit(&mut sc);
        let path = store::sidecar_path(src, who);
        std::fs::write(&path, sc.to_yaml()).unwrap();
        path
    }

    fn check(path: &Path) -> SidecarReport {
        check_sidecar(path, &Scheme::default())
    }

    fn messages(r: &SidecarReport) -> Vec<String> {
        r.findings.iter().map(ToString::to_string).collect()
    }

    /// The only finding of a report.
    fn only(r: &SidecarReport) -> &Finding {
        assert_eq!(r.findings.len(), 1, "{:?}", messages(r));
        &r.findings[0]
    }

    /// Line of the first line of `yaml` that contains `needle`.
    fn line_of(path: &Path, needle: &str) -> usize {
        let yaml = std::fs::read_to_string(path).unwrap();
        yaml.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    #[test]
    fn a_clean_sidecar_has_no_findings() {
        let (_dir, src) = corpus();
        let side = annotate(
            &src,
            "alice",
            &[("claim", "the crossing reopened"), ("denial", "denied it")],
            |sc| {
                sc.annotations[1].links.push(Link {
                    rel: "denies".into(),
                    to: "a1".into(),
                })
            },
        );
        let r = check(&side);
        assert!(r.findings.is_empty(), "{:?}", messages(&r));
        assert_eq!(r.fixed, None);
    }

    #[test]
    fn unresolved_merge_conflicts_are_reported_and_links_to_them_hold() {
        let (_dir, src) = corpus();
        let side = annotate(
            &src,
            "alice",
            &[("claim", "the crossing reopened"), ("denial", "denied it")],
            |sc| {
                sc.annotations[1].links.push(Link {
                    rel: "denies".into(),
                    to: "a1".into(),
                })
            },
        );
        let base = store::read_sidecar(&side).unwrap().unwrap().0;
        let (mut ours, mut theirs) = (base.clone(), base.clone());
        ours.annotations[0].note = Some("first".into());
        theirs.annotations[0].note = Some("second".into());
        let merged = merge::merge(Some(&base), &ours, &theirs, |_| None);
        std::fs::write(&side, merged.sidecar.to_yaml()).unwrap();
        let r = check(&side);
        let f = only(&r);
        assert!(matches!(&f.problem, Problem::Conflict { id, .. } if id == "a1"));
        assert_eq!(f.line, Some(line_of(&side, "id: a1~ours")));
        assert!(
            f.to_string()
                .contains("unresolved merge conflict on a1: ours and theirs differ in note"),
            "{f}"
        );
    }

    #[test]
    fn bad_name() {
        let (dir, _src) = corpus();
        let side = dir.path().join("a.txt.two words.ann.yaml");
        std::fs::write(&side, "whatever").unwrap();
        let f = only(&check(&side)).to_string();
        assert_eq!(
            f,
            format!(
                "{}: not named <source>.<annotator>.ann.yaml (annotator: 1-32 of A-Za-z0-9_-)",
                side.display()
            )
        );
    }

    #[test]
    fn parse_error_has_its_line_and_column() {
        let (_dir, src) = corpus();
        let side = store::sidecar_path(&src, "bob");
        let broken = "format: claimtag/1\nsource:\n  file: a.txt\nannotator: bob\nannotations:\n- id: a1\n  label: [claim\n";
        std::fs::write(&side, broken).unwrap();
        let r = check(&side);
        let f = only(&r);
        assert!(matches!(f.problem, Problem::Unparsable(Error::Yaml { .. })));
        assert!(!f.problem.is_unreadable());
        let line = f.line.unwrap();
        assert!(line == 7 || line == 8, "{f}");
        assert!(f.column.is_some());
        assert!(
            f.to_string()
                .starts_with(&format!("{}:{line}:", side.display())),
            "{f}"
        );
    }

    #[test]
    fn unknown_format_has_its_line_and_column() {
        let (_dir, src) = corpus();
        let side = store::sidecar_path(&src, "carol");
        std::fs::write(
            &side,
            "annotator: carol\nformat: claimtag/9\nsource: {file: a.txt}\n",
        )
        .unwrap();
        let r = check(&side);
        let f = only(&r);
        assert_eq!((f.line, f.column), (Some(2), Some(9)), "{f}");
        assert_eq!(
            f.to_string(),
            format!(
                "{}:2:9: unknown format \"claimtag/9\", expected \"claimtag/1\"",
                side.display()
            )
        );
    }

    #[test]
    fn sidecar_not_utf8_is_unparsable() {
        let (_dir, src) = corpus();
        let side = store::sidecar_path(&src, "gus");
        std::fs::write(&side, b"format: claimtag/1\n\xff\n").unwrap();
        let f = only(&check(&side)).to_string();
        assert_eq!(
            f,
            format!("{}: not valid UTF-8 at byte offset 19", side.display())
        );
    }

    #[test]
    fn vanished_and_unreadable_sidecars_are_unreadable() {
        let (_dir, src) = corpus();
        let gone = store::sidecar_path(&src, "nobody");
        let r = check(&gone);
        let f = only(&r);
        assert!(matches!(f.problem, Problem::Vanished));
        assert!(f.problem.is_unreadable());
        assert_eq!(f.to_string(), format!("{}: no such file", gone.display()));
        // A folder where the sidecar should be cannot be read as a file.
        let folder = store::sidecar_path(&src, "dir");
        std::fs::create_dir(&folder).unwrap();
        let r = check(&folder);
        let f = only(&r);
        assert!(matches!(f.problem, Problem::Unreadable(_)), "{f}");
        assert!(f.to_string().starts_with(&folder.display().to_string()));
    }

    #[test]
    fn annotator_and_source_file_must_match_the_name() {
        let (_dir, src) = corpus();
        let side = annotate(&src, "carol", &[("claim", "Officials")], |sc| {
            sc.annotator = "dave".into();
            sc.source.file = "x.txt".into();
        });
        let r = check(&side);
        assert_eq!(
            messages(&r),
            [
                format!(
                    "{}:{}: annotator \"dave\" differs from the file name's \"carol\"",
                    side.display(),
                    line_of(&side, "annotator:")
                ),
                format!(
                    "{}:{}: source.file \"x.txt\" differs from the file name's \"a.txt\"",
                    side.display(),
                    line_of(&side, "file:")
                ),
            ]
        );
    }

    #[test]
    fn missing_source() {
        let (dir, src) = corpus();
        let side = annotate(&src, "alice", &[("claim", "Officials")], |_| {});
        std::fs::remove_file(&src).unwrap();
        let r = check(&side);
        let f = only(&r);
        assert!(matches!(&f.problem, Problem::MissingSource { source } if *source == src));
        assert!(!f.problem.is_unreadable());
        assert_eq!(
            f.to_string(),
            format!(
                "{}: its source file {} is missing",
                side.display(),
                dir.path().join("a.txt").display()
            )
        );
    }

    #[test]
    fn source_not_text_and_source_unreadable() {
        let (_dir, src) = corpus();
        let side = annotate(&src, "alice", &[("claim", "Officials")], |_| {});
        std::fs::write(&src, b"abc\xffdef").unwrap();
        let r = check(&side);
        let f = only(&r);
        assert!(matches!(f.problem, Problem::SourceNotText(_)));
        assert_eq!(
            f.to_string(),
            format!(
                "{}: not valid UTF-8 at byte offset 3 (source of {})",
                src.display(),
                side.display()
            )
        );
        std::fs::remove_file(&src).unwrap();
        std::fs::create_dir(&src).unwrap();
        let r = check(&side);
        assert!(matches!(only(&r).problem, Problem::Unreadable(_)));
        assert!(only(&r).problem.is_unreadable());
    }

    #[test]
    fn stale_hash_says_what_reanchoring_would_do() {
        let (_dir, src) = corpus();
        let side = annotate(
            &src,
            "alice",
            &[
                ("claim", "the crossing reopened"),
                ("quote", "Witnesses denied it."),
                ("evidence", "Trucks queued for hours."),
            ],
            |_| {},
        );
        std::fs::write(
            &src,
            "UPDATE: Officials said the crossing reopened. 😀 Witnesses denied it.\r\nLater.",
        )
        .unwrap();
        let before = std::fs::read(&side).unwrap();
        let r = check(&side);
        let doc = Document::load(&src).unwrap();
        let Problem::Stale {
            recorded,
            actual,
            would,
        } = &r.findings[0].problem
        else {
            panic!("{:?}", messages(&r));
        };
        assert_eq!(actual, doc.sha256());
        assert_ne!(recorded, actual);
        assert_eq!((would.in_place, would.moved, would.orphaned), (0, 2, 1));
        assert_eq!(r.findings[0].line, Some(4));
        assert_eq!(
            r.findings[0].to_string(),
            format!(
                "{}:4: stale: source.sha256 {} differs from the source's {} (the source changed); \
                 re-anchoring would keep 0 in place, move 2, orphan 1 (run `claimtag check --fix`)",
                side.display(),
                &recorded[..12],
                &actual[..12]
            )
        );
        // Offsets are not judged on a stale sidecar, labels still are.
        assert_eq!(r.findings.len(), 2, "{:?}", messages(&r));
        assert!(matches!(
            &r.findings[1].problem,
            Problem::UnknownLabel { label, .. } if label == "quote"
        ));
        // Checking never writes.
        assert_eq!(std::fs::read(&side).unwrap(), before);
    }

    #[test]
    fn empty_hash_is_shown_as_empty() {
        let (_dir, src) = corpus();
        let side = annotate(&src, "alice", &[], |sc| sc.source.sha256.clear());
        let f = only(&check(&side)).to_string();
        assert!(f.contains("stale: source.sha256 (empty) differs"), "{f}");
    }

    #[test]
    fn wrong_chars() {
        let (_dir, src) = corpus();
        let side = annotate(&src, "alice", &[("claim", "Officials")], |sc| {
            sc.source.chars = 99
        });
        let r = check(&side);
        let f = only(&r);
        assert!(matches!(
            f.problem,
            Problem::CharsMismatch {
                recorded: 99,
                actual: 86
            }
        ));
        assert_eq!(
            f.to_string(),
            format!(
                "{}:{}: source.chars 99 but the source has 86 code points",
                side.display(),
                line_of(&side, "chars:")
            )
        );
    }

    #[test]
    fn offsets_out_of_range() {
        let (_dir, src) = corpus();
        let side = annotate(&src, "alice", &[("claim", "Officials")], |sc| {
            sc.annotations[0].end = 400
        });
        let r = check(&side);
        let f = only(&r);
        assert_eq!(f.line, Some(line_of(&side, "id: a1")));
        assert_eq!(
            f.to_string(),
            format!(
                "{}:{}: span a1: offsets 0..400 are beyond the source's 86 code points",
                side.display(),
                line_of(&side, "id: a1")
            )
        );
    }

    #[test]
    fn text_mismatch_counts_code_points_and_clips() {
        let (_dir, src) = corpus();
        // After the emoji: code point offsets differ from byte offsets.
        let side = annotate(&src, "alice", &[("denial", "Witnesses")], |sc| {
            sc.annotations[0].text = "W".repeat(50)
        });
        let r = check(&side);
        let f = only(&r);
        let Problem::TextMismatch {
            start,
            end,
            in_source,
            ..
        } = &f.problem
        else {
            panic!("{f}");
        };
        assert_eq!((*start, *end, in_source.as_str()), (40, 49, "Witnesses"));
        assert!(
            f.to_string().ends_with(&format!(
                "span a1: text at 40..49 is \"Witnesses\" in the source but \"{}…\" in the sidecar",
                "W".repeat(40)
            )),
            "{f}"
        );
    }

    #[test]
    fn orphan() {
        let (_dir, src) = corpus();
        let side = annotate(&src, "alice", &[("claim", "Officials")], |sc| {
            sc.annotations[0].text = "Gone".into();
            sc.annotations[0].orphan = true;
        });
        let r = check(&side);
        let f = only(&r);
        assert_eq!(
            f.to_string(),
            format!(
                "{}:{}: span a1 (claim 0..9) is orphaned: its text \"Gone\" was not found in the source",
                side.display(),
                line_of(&side, "id: a1")
            )
        );
    }

    #[test]
    fn unknown_label_lists_the_scheme() {
        let (_dir, src) = corpus();
        let side = annotate(&src, "alice", &[("quote", "Officials")], |_| {});
        let r = check(&side);
        assert_eq!(
            only(&r).to_string(),
            format!(
                "{}:{}: span a1: label \"quote\" is not in the scheme (claim, denial, evidence)",
                side.display(),
                line_of(&side, "id: a1")
            )
        );
    }

    #[test]
    fn links_unknown_target_unknown_relation_and_not_allowed() {
        let (_dir, src) = corpus();
        let side = annotate(
            &src,
            "alice",
            &[("claim", "the crossing reopened"), ("denial", "denied it")],
            |sc| {
                for (rel, to) in [("denies", "a9"), ("bogus", "a1"), ("supports", "a1")] {
                    sc.annotations[1].links.push(Link {
                        rel: rel.into(),
                        to: to.into(),
                    });
                }
            },
        );
        let r = check(&side);
        let at = format!("{}:{}", side.display(), line_of(&side, "id: a2"));
        // Links are written sorted by relation, then target.
        assert_eq!(
            messages(&r),
            [
                format!("{at}: span a2: relation \"bogus\" is not in the scheme"),
                format!("{at}: span a2: link denies -> a9: no annotation has id \"a9\""),
                format!(
                    "{at}: span a2: the scheme does not allow supports from denial to claim (a1)"
                ),
            ]
        );
        assert!(matches!(
            r.findings[0].problem,
            Problem::UnknownRelation { .. }
        ));
        assert!(matches!(
            r.findings[1].problem,
            Problem::LinkTargetMissing { .. }
        ));
        assert!(matches!(
            r.findings[2].problem,
            Problem::RelationNotAllowed { .. }
        ));
    }

    #[test]
    fn not_fixed_names_the_error() {
        let f = Finding {
            sidecar: PathBuf::from("a.txt.bob.ann.yaml"),
            line: None,
            column: None,
            problem: Problem::NotFixed(Error::ChangedOnDisk {
                path: PathBuf::from("a.txt.bob.ann.yaml"),
            }),
        };
        assert_eq!(
            f.to_string(),
            "a.txt.bob.ann.yaml: changed on disk since it was loaded; not overwritten (not fixed)"
        );
        assert!(!f.problem.is_unreadable());
    }

    #[test]
    fn fix_reanchors_corrects_metadata_and_is_idempotent() {
        let (_dir, src) = corpus();
        let side = annotate(
            &src,
            "alice",
            &[
                ("claim", "the crossing reopened"),
                ("denial", "Witnesses denied it."),
                ("evidence", "Trucks queued for hours."),
            ],
            |sc| sc.annotator = "mallory".into(),
        );
        std::fs::write(
            &src,
            "UPDATE: Officials said the crossing reopened. 😀 Witnesses denied it.\r\nLater.",
        )
        .unwrap();
        let r = fix_sidecar(&side, &Scheme::default());
        let fixed = r.fixed.clone().unwrap();
        assert_eq!(
            (
                fixed.anchors.in_place,
                fixed.anchors.moved,
                fixed.anchors.orphaned
            ),
            (0, 2, 1)
        );
        assert_eq!(
            fixed.to_string(),
            format!(
                "fixed {}: 0 in place, 2 moved, 1 orphaned (kept, flagged `orphan: true`)",
                side.display()
            )
        );
        // What remains is the orphan, at its line in the rewritten file.
        let f = only(&r);
        assert!(matches!(&f.problem, Problem::Orphan { id, .. } if id == "a3"));
        assert_eq!(f.line, Some(line_of(&side, "id: a3")));

        let (sc, _) = store::read_sidecar(&side).unwrap().unwrap();
        let doc = Document::load(&src).unwrap();
        assert_eq!(sc.annotator, "alice");
        assert_eq!(sc.source.sha256, doc.sha256());
        assert_eq!(sc.source.chars, doc.len_chars());
        assert_eq!(sc.annotations.len(), 3);
        for a in sc.annotations.iter().filter(|a| !a.orphan) {
            assert_eq!(doc.slice_chars(a.start, a.end), Some(a.text.as_str()));
        }

        // A second fix has nothing to do and leaves the file alone.
        let bytes = std::fs::read(&side).unwrap();
        let again = fix_sidecar(&side, &Scheme::default());
        assert_eq!(again.fixed, None);
        assert_eq!(messages(&again), messages(&r));
        assert_eq!(std::fs::read(&side).unwrap(), bytes);
    }

    #[test]
    fn fix_repairs_offsets_that_no_longer_match() {
        let (_dir, src) = corpus();
        let side = annotate(&src, "alice", &[("denial", "Witnesses denied it.")], |sc| {
            sc.annotations[0].start -= 1;
            sc.annotations[0].end -= 1;
        });
        assert!(matches!(
            only(&check(&side)).problem,
            Problem::TextMismatch { .. }
        ));
        let r = fix_sidecar(&side, &Scheme::default());
        assert_eq!(r.fixed.as_ref().unwrap().anchors.moved, 1);
        assert!(r.findings.is_empty(), "{:?}", messages(&r));
        assert!(check(&side).findings.is_empty());
    }

    #[test]
    fn fix_never_rewrites_what_it_cannot_parse() {
        let (dir, src) = corpus();
        let broken = [
            ("bob", "format: claimtag/1\nannotations: [\n"),
            (
                "carol",
                "format: claimtag/9\nsource: {file: a.txt}\nannotator: carol\n",
            ),
        ];
        for (who, yaml) in broken {
            std::fs::write(store::sidecar_path(&src, who), yaml).unwrap();
        }
        std::fs::write(
            &src,
            "UPDATE: Officials said the crossing reopened. 😀 Witnesses denied it.",
        )
        .unwrap();
        let report = fix_corpus(&[dir.path().to_path_buf()], Schemes::Discover).unwrap();
        assert_eq!(report.checked(), 2);
        assert_eq!(report.fixes().count(), 0);
        assert_eq!(report.problems().count(), 2);
        for (who, yaml) in broken {
            assert_eq!(
                std::fs::read_to_string(store::sidecar_path(&src, who)).unwrap(),
                yaml
            );
        }
    }

    #[test]
    fn collects_sidecars_skipping_hidden_and_linked_folders() {
        let (dir, src) = corpus();
        let root = dir.path();
        std::fs::create_dir_all(root.join("sub/.hidden")).unwrap();
        let side = annotate(&src, "alice", &[], |_| {});
        let nested = root.join("sub/b.txt");
        std::fs::write(&nested, "b").unwrap();
        let nested_side = annotate(&nested, "bob", &[], |_| {});
        std::fs::write(root.join("sub/.hidden/c.txt.bob.ann.yaml"), "").unwrap();
        std::fs::write(root.join("sub/.c.txt.bob.ann.yaml"), "").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("..", root.join("sub/up")).unwrap();
        let all = collect_sidecars(&[root.to_path_buf()]).unwrap();
        assert_eq!(all, [side.clone(), nested_side.clone()]);
        // A source brings its sidecars; a sidecar is itself; no duplicates.
        let some = collect_sidecars(&[nested.clone(), nested_side.clone(), side.clone()]).unwrap();
        assert_eq!(some, [side, nested_side]);
        assert!(collect_sidecars(&[root.join("nope")]).is_err());
    }

    #[test]
    fn corpus_uses_each_folders_scheme_or_the_given_one() {
        let (dir, _src) = corpus();
        let other = dir.path().join("other");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(
            other.join("claimtag.yaml"),
            "labels:\n- {name: fact, key: f, colour: red}\n",
        )
        .unwrap();
        let src = other.join("d.txt");
        std::fs::write(&src, TEXT).unwrap();
        annotate(&src, "zed", &[("fact", "Officials")], |_| {});
        let paths = [dir.path().to_path_buf()];
        let report = check_corpus(&paths, Schemes::Discover).unwrap();
        assert!(report.is_clean(), "{:?}", report.sidecars);
        let report = check_corpus(&paths, Schemes::Given(&Scheme::default())).unwrap();
        assert_eq!(report.problems().count(), 1);
        assert_eq!(report.unreadable().count(), 0);
    }

    #[test]
    fn a_bad_scheme_fails_before_anything_is_fixed() {
        let (dir, src) = corpus();
        let side = annotate(&src, "alice", &[("claim", "Officials")], |_| {});
        std::fs::write(&src, format!("Headline\n\n{TEXT}")).unwrap();
        let bad = dir.path().join("zz");
        std::fs::create_dir(&bad).unwrap();
        std::fs::write(bad.join("claimtag.yaml"), "labels: []\n").unwrap();
        let other = bad.join("e.txt");
        std::fs::write(&other, TEXT).unwrap();
        annotate(&other, "bob", &[], |_| {});
        let before = std::fs::read(&side).unwrap();
        let mut seen = 0;
        let err = run_corpus(
            &[dir.path().to_path_buf()],
            Schemes::Discover,
            Mode::Fix,
            |_| seen += 1,
        )
        .unwrap_err();
        assert!(err.to_string().contains("claimtag.yaml"), "{err}");
        assert_eq!(seen, 0);
        assert_eq!(std::fs::read(&side).unwrap(), before);
    }

    #[test]
    fn report_splits_problems_from_unreadable_files() {
        let (_dir, src) = corpus();
        let good = annotate(&src, "alice", &[("quote", "Officials")], |_| {});
        let gone = store::sidecar_path(&src, "ghost");
        let scheme = Scheme::default();
        let report = Report {
            sidecars: vec![check_sidecar(&gone, &scheme), check_sidecar(&good, &scheme)],
        };
        assert_eq!(report.checked(), 2);
        assert!(!report.is_clean());
        let problems: Vec<_> = report.problems().map(|f| f.sidecar.clone()).collect();
        let unreadable: Vec<_> = report.unreadable().map(|f| f.sidecar.clone()).collect();
        assert_eq!((problems, unreadable), (vec![good], vec![gone]));
    }

    #[test]
    fn names_with_line_breaks_stay_on_one_line() {
        let (_dir, src) = corpus();
        let side = annotate(&src, "alice", &[("claim", "Officials")], |sc| {
            let a = &mut sc.annotations[0];
            a.id = "a\n1".into();
            a.label = "cl\taim".into();
            a.orphan = true;
            a.links.push(Link {
                rel: "de\rnies".into(),
                to: "x\ny".into(),
            });
        });
        let r = check(&side);
        assert_eq!(r.findings.len(), 3, "{:?}", messages(&r));
        for m in messages(&r) {
            assert_eq!(m.lines().count(), 1, "{m}");
        }
        assert!(
            messages(&r)[0].contains(r#"span "a\n1" ("cl\taim" 0..9) is orphaned"#),
            "{:?}",
            messages(&r)
        );
        assert!(
            messages(&r)[2].contains(r#"link "de\rnies" -> "x\ny": no annotation has id "x\ny""#),
            "{:?}",
            messages(&r)
        );
    }

    #[test]
    fn lines_finds_ids_and_keys() {
        let y = "format: claimtag/1\nsource:\n  file: a.txt\n  sha256: ab\nannotations:\n- id: a1\n  label: claim\n- id: 'a2'\n";
        let l = Lines::of(y);
        assert_eq!(l.key("sha256"), Some(4));
        assert_eq!(l.id("a1"), Some(6));
        assert_eq!(l.id("a2"), Some(8));
        assert_eq!(l.id("a3"), None);
    }

    #[test]
    fn clip_never_splits_a_code_point() {
        let s = "😀".repeat(50);
        assert_eq!(clip(&s).chars().count(), 41);
        assert_eq!(short("abc"), "abc");
        assert_eq!(short(""), "(empty)");
    }
}
