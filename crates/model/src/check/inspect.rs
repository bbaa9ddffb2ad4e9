//! Checking (and fixing) one sidecar: read it once, compare it with its
//! source, re-anchor and save when asked.

use std::path::Path;

use super::problem::{Finding, Fixed, Problem};
use super::validate::{orphan, validate, validate_structure};
use super::{Mode, SidecarReport};
use crate::anchor;
use crate::corpus::folder_of;
use crate::error::Error;
use crate::format::{self, MAX_SIDECAR_BYTES, Places, Sidecar};
use crate::scheme::Scheme;
use crate::store::{self, DiskStamp};
use crate::text::{Document, sha256_hex};

/// A sidecar read once: the parsed data, the stamp that guards the save, and
/// where its keys and ids are, all from the same bytes.
struct Loaded {
    sidecar: Sidecar,
    stamp: DiskStamp,
    lines: Places,
}

fn load(path: &Path) -> std::result::Result<Loaded, Problem> {
    let (bytes, meta) = store::read_capped(path, MAX_SIDECAR_BYTES).map_err(read_problem)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        Problem::Unparsable(Error::NotUtf8 {
            path: path.to_path_buf(),
            offset: e.valid_up_to(),
        })
    })?;
    let (sidecar, lines) = Sidecar::parse_placed(path, text).map_err(Problem::Unparsable)?;
    let stamp = DiskStamp {
        len: bytes.len() as u64,
        modified: meta.modified().ok(),
        sha256: sha256_hex(&bytes),
    };
    Ok(Loaded {
        sidecar,
        stamp,
        lines,
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
pub(super) struct Findings<'a> {
    pub(super) sidecar: &'a Path,
    pub(super) list: Vec<Finding>,
}

impl Findings<'_> {
    pub(super) fn push(&mut self, line: Option<usize>, problem: Problem) {
        self.push_at(line, None, problem);
    }

    pub(super) fn push_at(&mut self, line: Option<usize>, column: Option<usize>, problem: Problem) {
        self.list.push(Finding {
            sidecar: self.sidecar.to_path_buf(),
            line,
            column,
            problem,
        });
    }
}

pub(super) fn inspect(path: &Path, scheme: &Scheme, mode: Mode) -> SidecarReport {
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
            lines.annotator,
            Problem::AnnotatorMismatch {
                recorded: sidecar.annotator.clone(),
                named: annotator.to_string(),
            },
        );
    }
    if sidecar.source.file != source_name {
        metadata_wrong = true;
        out.push(
            lines.file,
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
                let lines = Sidecar::parse_placed(path, &repaired.to_yaml())
                    .map(|(_, places)| places)
                    .unwrap_or_default();
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
            lines.sha256,
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
                lines.chars,
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
