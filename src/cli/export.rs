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

use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use claimtag_model::Status;
use claimtag_model::corpus::{CorpusIndex, GOLD, Source};
use claimtag_model::export::brat::PutFile;
use claimtag_model::export::{self, Format, OffsetUnit, Output, StreamError, Summary};
use claimtag_model::output::{OutputFile, is_stream};
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
    let mut index = CorpusIndex::scan(&args.paths)?;
    if let Some(out) = &args.output {
        check_output(out, format == Format::Brat, &args.paths, &index)?;
    }
    let annotator = match &ctx.global.annotator {
        Some(_) => ctx.annotator()?,
        None if index.has_gold() => GOLD.to_string(),
        None => ctx.annotator()?,
    };
    if args.done_only {
        done_only(&mut index, &annotator);
    }
    // Say whose tags these are, and where a document has none of them, so an
    // empty span list is not read as "adjudicated, nothing to tag".
    let missing = Missing::of(&index, &annotator);
    let (scheme, _) = match args.paths.first() {
        Some(p) => Scheme::discover(p)?,
        None => (Scheme::default(), None),
    };

    // Refused before any work: an output there already, without --force.
    if let Some(path) = &args.output
        && format != Format::Brat
        && path.exists()
        && !is_stream(path)
        && !args.force
    {
        return Err(Failure::usage(format!(
            "{}: exists; not overwritten (--force replaces it)",
            path.display()
        )));
    }
    let bar = progress_bar(index.len());
    let mut on_each = |s: &Source| {
        bar.set_message(s.rel.clone());
        bar.inc(1);
    };
    let mut run = |out: Output| {
        export::stream(format, &index, &annotator, &scheme, unit, out, &mut on_each)
            .map_err(failure)
            // Before the output is put in place: one cut short by an index
            // that could not be read back is not written.
            .and_then(|summary| Ok(index.trouble().map(|()| summary)?))
            .and_then(|summary| strict(summary, args.strict))
    };
    let written = match (format, &args.output) {
        (Format::Brat, Some(dir)) => to_folder(dir, args.force, |put| run(Output::Folder(put))),
        (Format::Brat, None) => unreachable_brat(),
        (_, Some(path)) => to_output(OutputFile::create(path)?, |out| run(Output::File(out))),
        (_, None) => to_output(OutputFile::stdout()?, |out| run(Output::File(out))),
    };
    bar.finish_and_clear();
    let summary = written?;
    for w in &summary.warnings {
        eprintln!("claimtag: {w}");
    }
    for why in &summary.skipped {
        eprintln!("claimtag: warning: {why}; source skipped, not in the export");
    }
    if ctx.global.annotator.is_none() && annotator == GOLD {
        eprintln!(
            "claimtag: exporting the gold set (gold sidecars exist); --annotator NAME exports another"
        );
    }
    if missing.count == index.len() && !index.is_empty() {
        eprintln!(
            "claimtag: warning: {annotator} has no sidecars for these {} document(s): every one is exported with no spans",
            index.len()
        );
    } else if missing.count > 0 {
        eprintln!(
            "claimtag: warning: {} of {} document(s) have no {annotator} sidecar and are exported with no spans: {}{}",
            missing.count,
            index.len(),
            missing.first.join(", "),
            if missing.count > missing.first.len() {
                ", …"
            } else {
                ""
            }
        );
    }
    for n in &summary.notes {
        eprintln!("claimtag: {n}");
    }
    let target = match &args.output {
        Some(p) => p.display().to_string(),
        None => "stdout".to_string(),
    };
    eprintln!(
        "claimtag: exported {} document(s), {} span(s) of annotator {annotator} to {target}",
        summary.docs, summary.spans
    );
    if summary.skipped.is_empty() {
        Ok(())
    } else {
        Err(Failure::problems(vec![format!(
            "export: {} source(s) could not be read and are not in the export (see above)",
            summary.skipped.len()
        )]))
    }
}

/// The documents with no sidecar of the annotator exported: how many, and
/// the first few to name (not all: a corpus may have 100,000).
struct Missing {
    count: usize,
    first: Vec<String>,
}

impl Missing {
    const NAMED: usize = 5;

    fn of(index: &CorpusIndex, annotator: &str) -> Missing {
        let mut missing = Missing {
            count: 0,
            first: Vec::new(),
        };
        for i in (0..index.len()).filter(|&i| !index.has(i, annotator)) {
            missing.count += 1;
            if missing.first.len() < Missing::NAMED {
                missing.first.push(index.source(i).rel);
            }
        }
        missing
    }
}

/// With --strict, a source that cannot be read fails the whole export
/// (before its output is kept).
fn strict(summary: Summary, strict: bool) -> Result<Summary, Failure> {
    if summary.skipped.is_empty() || !strict {
        return Ok(summary);
    }
    let count = summary.skipped.len();
    Err(Failure {
        code: 2,
        messages: summary
            .skipped
            .into_iter()
            .chain(std::iter::once(format!(
                "export: nothing written: {count} source(s) cannot be read (--strict)"
            )))
            .collect(),
    })
}

/// brat without -o was refused above.
fn unreachable_brat() -> Result<Summary, Failure> {
    Err(Failure::usage(
        "--format brat writes a folder: give it with -o DIR",
    ))
}

/// What a failed export says; nothing of its output is kept.
fn failure(e: StreamError) -> Failure {
    match e {
        StreamError::Sidecars(errors) => Failure {
            code: 2,
            messages: errors
                .into_iter()
                .chain(std::iter::once(
                    "export: nothing written (fix the sidecars above)".to_string(),
                ))
                .collect(),
        },
        StreamError::Refused(why) => Failure::usage(why),
        StreamError::Io(why) => Failure::usage(format!("export: {why}; nothing written")),
    }
}

type Streamed = Result<Summary, Failure>;

/// Writes the export to a temporary file, put in place only when the whole
/// export succeeded (renamed over `-o FILE`, or copied into a device, a pipe
/// or stdout): a reader never gets half a dataset, and memory does not grow
/// with the corpus.
fn to_output(
    mut output: OutputFile,
    write: impl FnOnce(&mut dyn Write) -> Streamed,
) -> Result<Summary, Failure> {
    let (summary, flushed) = {
        let mut out = BufWriter::new(output.file());
        let summary = write(&mut out)?;
        (summary, out.flush())
    };
    flushed.map_err(|e| output.write_failed(e))?;
    output.commit()?;
    Ok(summary)
}

/// Writes a folder export into a staging folder inside `dir`, then moves its
/// files into `dir`; files already there are replaced only with `force`
/// (checked before any is moved). On failure nothing reaches `dir`.
fn to_folder(
    dir: &Path,
    force: bool,
    write: impl FnOnce(&mut PutFile) -> Streamed,
) -> Result<Summary, Failure> {
    let fail = |e: std::io::Error| Failure::usage(format!("{}: {e}", dir.display()));
    if dir.exists() && !dir.is_dir() {
        return Err(Failure::usage(format!(
            "{}: exists and is not a folder",
            dir.display()
        )));
    }
    let created = !dir.exists();
    std::fs::create_dir_all(dir).map_err(fail)?;
    let staging = tempfile::Builder::new()
        .prefix(".claimtag-export-")
        .tempdir_in(dir)
        .map_err(fail)?;
    let mut names: Vec<String> = Vec::new();
    let mut put = |name: &str, content: &[u8]| -> std::io::Result<()> {
        // Names never hold a path separator, so nothing lands outside `dir`.
        if name.contains(['/', '\\']) || name.starts_with('.') {
            return Err(std::io::Error::other(format!(
                "refusing unsafe file name {name:?}"
            )));
        }
        std::fs::write(staging.path().join(name), content)?;
        names.push(name.to_string());
        Ok(())
    };
    let result = write(&mut put);
    let summary = match result {
        Ok(s) => s,
        Err(e) => {
            drop(staging);
            if created {
                let _ = std::fs::remove_dir(dir);
            }
            return Err(e);
        }
    };
    let existing: Vec<&str> = names
        .iter()
        .filter(|name| dir.join(name).exists())
        .map(String::as_str)
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
    for name in &names {
        let from = staging.path().join(name);
        if let Ok(f) = std::fs::File::open(&from) {
            let _ = f.sync_all();
        }
        std::fs::rename(&from, dir.join(name)).map_err(fail)?;
    }
    Ok(summary)
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
    index: &CorpusIndex,
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
    // Only a file already there can be one of the corpus's. Compared by
    // identity, one stat a file and only then: canonicalizing every source
    // and sidecar path was 300,000 `realpath` calls on 100,000 articles.
    let Ok(there) = std::fs::metadata(&target) else {
        return Ok(());
    };
    for s in index.iter() {
        if is_same_file(&s.path, &there, &target) {
            return Err(refuse("is a source file".into()));
        }
        for a in s.annotators.iter() {
            if is_same_file(&s.sidecar_path(a), &there, &target) {
                return Err(refuse("is a sidecar".into()));
            }
        }
    }
    Ok(())
}

/// Whether `path` is the file `there` (at `target`), through any links.
#[cfg(unix)]
fn is_same_file(path: &Path, there: &std::fs::Metadata, _target: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).is_ok_and(|m| m.dev() == there.dev() && m.ino() == there.ino())
}

#[cfg(not(unix))]
fn is_same_file(path: &Path, _there: &std::fs::Metadata, target: &Path) -> bool {
    resolved(path) == target
}

/// The sources whose `annotator` sidecar says `status: done`; says how many
/// were left out (an unreadable sidecar is left out here and reported by
/// `check`).
fn done_only(sources: &mut CorpusIndex, annotator: &str) {
    let total = sources.len();
    sources.retain(|s| {
        matches!(
            store::read_sidecar_only(&s.sidecar_path(annotator)),
            Ok(Some(sc)) if sc.status == Some(Status::Done)
        )
    });
    eprintln!(
        "claimtag: --done-only: {} of {total} document(s) are marked done by {annotator}; the others are left out",
        sources.len()
    );
}
