//! `claimtag export`: a labelled dataset from one annotator's sidecars.
//!
//! The annotator is `--annotator` when given; otherwise `gold` when any source
//! under the paths has a gold sidecar (decided for the whole corpus, so one
//! dataset never mixes annotators), else the configured annotator.
//!
//! The output never lands on the corpus: `-o` naming a source or a sidecar of
//! the corpus is refused even with `--force`, a brat folder inside a corpus
//! folder is refused, and any other existing file is replaced only with
//! `--force`. A source that cannot be read is skipped with a warning (exit 1)
//! unless `--strict` makes it fatal.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use claimtag_model::Status;
use claimtag_model::corpus::{CorpusIndex, GOLD, Source};
use claimtag_model::export::{self, Corpus, Format, OffsetUnit, Rendered};
use claimtag_model::scheme::Scheme;
use claimtag_model::store;

use super::{Context, ExportArgs, ExportFormat, Failure};

fn unit_of(u: super::OffsetUnit) -> OffsetUnit {
    match u {
        super::OffsetUnit::Codepoint => OffsetUnit::Codepoint,
        super::OffsetUnit::Utf16 => OffsetUnit::Utf16,
        super::OffsetUnit::Byte => OffsetUnit::Byte,
    }
}

fn format_of(args: &ExportArgs) -> Format {
    match args.format {
        ExportFormat::Jsonl => Format::Jsonl,
        ExportFormat::Doccano => Format::Doccano {
            relations: args.relations,
        },
        ExportFormat::Brat => Format::Brat,
        ExportFormat::Conll => Format::Conll {
            nested: args.nested_columns,
        },
        ExportFormat::Csv => Format::Csv {
            all_documents: args.all_documents,
            excel: args.excel,
        },
    }
}

fn progress_bar(len: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}") {
        bar.set_style(style);
    }
    bar
}

pub fn run(ctx: &Context, args: ExportArgs) -> Result<(), Failure> {
    let format = format_of(&args);
    let unit = args.offsets.map(unit_of).unwrap_or(format.default_unit());
    if !format.supports(unit) {
        return Err(Failure::usage(format!(
            "--offsets {} is not available for --format {}: brat counts code points of its .txt and conll has no offsets",
            unit.name(),
            if format == Format::Brat {
                "brat"
            } else {
                "conll"
            }
        )));
    }
    if args.relations && args.format != ExportFormat::Doccano {
        return Err(Failure::usage(
            "--relations applies to --format doccano only",
        ));
    }
    if format == Format::Brat && args.output.is_none() {
        return Err(Failure::usage(
            "--format brat writes a folder: give it with -o DIR",
        ));
    }
    for (flag, on, wanted) in [
        ("--all-documents", args.all_documents, ExportFormat::Csv),
        ("--excel", args.excel, ExportFormat::Csv),
        ("--nested-columns", args.nested_columns, ExportFormat::Conll),
    ] {
        if on && args.format != wanted {
            return Err(Failure::usage(format!(
                "{flag} applies to --format {} only",
                if wanted == ExportFormat::Csv {
                    "csv"
                } else {
                    "conll"
                }
            )));
        }
    }
    let index = CorpusIndex::scan(&args.paths)?;
    if let Some(out) = &args.output {
        check_output(out, format == Format::Brat, &args.paths, &index.sources)?;
    }
    let annotator = match &ctx.global.annotator {
        Some(_) => ctx.annotator()?,
        None if index.has_gold() => GOLD.to_string(),
        None => ctx.annotator()?,
    };
    let sources = if args.done_only {
        done_only(index.sources.clone(), &annotator)
    } else {
        index.sources.clone()
    };
    // Say whose tags these are, and where a document has none of them, so an
    // empty span list is not read as "adjudicated, nothing to tag".
    let missing: Vec<String> = sources
        .iter()
        .filter(|s| !s.has(&annotator))
        .map(|s| s.rel.clone())
        .collect();
    let (scheme, _) = match args.paths.first() {
        Some(p) => Scheme::discover(p)?,
        None => (Scheme::default(), None),
    };

    let bar = progress_bar(sources.len());
    let loaded = Corpus::load_sources(&sources, &annotator, &mut |s| {
        bar.set_message(s.rel.clone());
        bar.inc(1);
    });
    bar.finish_and_clear();
    let corpus = loaded.map_err(|errors| Failure {
        code: 2,
        messages: errors
            .into_iter()
            .chain(std::iter::once(
                "export: nothing written (fix the sidecars above)".to_string(),
            ))
            .collect(),
    })?;
    for w in &corpus.warnings {
        eprintln!("claimtag: {w}");
    }
    if !corpus.skipped.is_empty() && args.strict {
        return Err(Failure {
            code: 2,
            messages: corpus
                .skipped
                .iter()
                .cloned()
                .chain(std::iter::once(format!(
                    "export: nothing written: {} source(s) cannot be read (--strict)",
                    corpus.skipped.len()
                )))
                .collect(),
        });
    }
    for why in &corpus.skipped {
        eprintln!("claimtag: warning: {why}; source skipped, not in the export");
    }
    if ctx.global.annotator.is_none() && annotator == GOLD {
        eprintln!(
            "claimtag: exporting the gold set (gold sidecars exist); --annotator NAME exports another"
        );
    }
    if missing.len() == sources.len() && !sources.is_empty() {
        eprintln!(
            "claimtag: warning: {annotator} has no sidecars for these {} document(s): every one is exported with no spans",
            sources.len()
        );
    } else if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(5).map(String::as_str).collect();
        eprintln!(
            "claimtag: warning: {} of {} document(s) have no {annotator} sidecar and are exported with no spans: {}{}",
            missing.len(),
            sources.len(),
            shown.join(", "),
            if missing.len() > shown.len() {
                ", …"
            } else {
                ""
            }
        );
    }

    let (rendered, notes) =
        export::render(format, &corpus, &scheme, unit).map_err(Failure::usage)?;
    for n in &notes {
        eprintln!("claimtag: {n}");
    }
    let target = match (&rendered, &args.output) {
        (Rendered::File(text), None) => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| Failure::usage(format!("stdout: {e}")))?;
            "stdout".to_string()
        }
        (Rendered::File(text), Some(path)) => {
            if path.exists() && !args.force {
                return Err(Failure::usage(format!(
                    "{}: exists; not overwritten (--force replaces it)",
                    path.display()
                )));
            }
            store::write_atomic(path, text.as_bytes())?;
            path.display().to_string()
        }
        (Rendered::Folder(files), Some(dir)) => {
            write_folder(dir, files, args.force)?;
            dir.display().to_string()
        }
        (Rendered::Folder(_), None) => {
            return Err(Failure::usage("this format needs an output folder: -o DIR"));
        }
    };
    eprintln!(
        "claimtag: exported {} document(s), {} span(s) of annotator {} to {target}",
        corpus.docs.len(),
        corpus.span_count(),
        corpus.annotator
    );
    if corpus.skipped.is_empty() {
        Ok(())
    } else {
        Err(Failure::problems(vec![format!(
            "export: {} source(s) could not be read and are not in the export (see above)",
            corpus.skipped.len()
        )]))
    }
}

/// `path` made absolute through its nearest existing ancestor, so a file or
/// folder not yet created compares with the corpus' canonical paths.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let mut rest = Vec::new();
    let mut cur = path.to_path_buf();
    loop {
        if let Ok(base) = std::fs::canonicalize(&cur) {
            return rest.iter().rev().fold(base, |acc, part| acc.join(part));
        }
        match (cur.file_name().map(|n| n.to_os_string()), cur.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                cur = if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                };
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// Refuses an output that would land on the corpus being exported: a
/// source, a sidecar (any file named `*.ann.yaml`), or for brat a folder
/// inside one of the corpus folders. Checked even with --force.
fn check_output(
    out: &Path,
    folder: bool,
    paths: &[PathBuf],
    sources: &[Source],
) -> Result<(), Failure> {
    let target = resolved(out);
    let refuse = |what: String| {
        Failure::usage(format!(
            "{}: {what}, part of the corpus being exported; not written (not even with --force)",
            out.display()
        ))
    };
    if folder {
        for p in paths {
            let root = resolved(p);
            let root = if root.is_dir() {
                root
            } else {
                root.parent().map(Path::to_path_buf).unwrap_or(root)
            };
            if target.starts_with(&root) {
                return Err(refuse(format!("inside the corpus folder {}", p.display())));
            }
        }
        return Ok(());
    }
    let name_is_sidecar = target
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(store::SIDECAR_SUFFIX));
    if name_is_sidecar {
        return Err(refuse("is a sidecar".into()));
    }
    for s in sources {
        if resolved(&s.path) == target {
            return Err(refuse("is a source file".into()));
        }
        for a in &s.annotators {
            if resolved(&s.sidecar_path(a)) == target {
                return Err(refuse("is a sidecar".into()));
            }
        }
    }
    Ok(())
}

/// Writes each file of a folder export atomically; names never hold a path
/// separator, so nothing lands outside `dir`. Files already there are
/// replaced only with `force` (checked before anything is written).
fn write_folder(dir: &Path, files: &[(String, String)], force: bool) -> Result<(), Failure> {
    if dir.exists() && !dir.is_dir() {
        return Err(Failure::usage(format!(
            "{}: exists and is not a folder",
            dir.display()
        )));
    }
    let existing: Vec<&str> = files
        .iter()
        .filter(|(name, _)| dir.join(name).exists())
        .map(|(name, _)| name.as_str())
        .collect();
    if !existing.is_empty() && !force {
        return Err(Failure::usage(format!(
            "{}: {} file(s) of this export exist there ({}{}); not overwritten (--force replaces them)",
            dir.display(),
            existing.len(),
            existing
                .iter()
                .take(3)
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
            if existing.len() > 3 { ", …" } else { "" }
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Failure::usage(format!("{}: {e}", dir.display())))?;
    for (name, content) in files {
        if name.contains(['/', '\\']) || name.starts_with('.') {
            return Err(Failure::usage(format!(
                "refusing unsafe file name {name:?}"
            )));
        }
        store::write_atomic(&dir.join(name), content.as_bytes())?;
    }
    Ok(())
}

/// The sources whose `annotator` sidecar says `status: done`; says how many
/// were left out (an unreadable sidecar is left out here and reported by
/// `check`).
fn done_only(sources: Vec<Source>, annotator: &str) -> Vec<Source> {
    let total = sources.len();
    let kept: Vec<Source> = sources
        .into_iter()
        .filter(|s| {
            matches!(
                store::read_sidecar(&s.sidecar_path(annotator)),
                Ok(Some((sc, _))) if sc.status == Some(Status::Done)
            )
        })
        .collect();
    eprintln!(
        "claimtag: --done-only: {} of {total} document(s) are marked done by {annotator}; the others are left out",
        kept.len()
    );
    kept
}
