//! What `check` can find wrong with a sidecar, and the one-line message of
//! each.

use std::fmt;
use std::path::PathBuf;

use crate::anchor::AnchorReport;
use crate::corpus::short_hash;
use crate::error::Error;

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
                short_hash(recorded),
                short_hash(actual),
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

/// A name from the sidecar as written, unless it holds a line break or other
/// control character: then quoted and escaped, so the message stays one line.
pub(super) struct Plain<'a>(&'a str);

impl fmt::Display for Plain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.chars().any(char::is_control) {
            write!(f, "{:?}", self.0)
        } else {
            f.write_str(self.0)
        }
    }
}

/// At most 40 code points of a quote, so a message stays one readable line.
pub(super) fn clip(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX).collect();
        t.push('…');
        t
    }
}
