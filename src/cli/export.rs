//! `claimtag export`: a labelled dataset from one annotator's sidecars.
//!
//! The annotator is `--annotator` when given; otherwise `gold` when any source
//! under the paths has a gold sidecar (decided for the whole corpus, so one
//! dataset never mixes annotators), else the configured annotator.

use std::io::{IsTerminal, Write};
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};

use claimtag_model::corpus::{CorpusIndex, GOLD};
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

fn format_of(f: ExportFormat, relations: bool) -> Format {
    match f {
        ExportFormat::Jsonl => Format::Jsonl,
        ExportFormat::Doccano => Format::Doccano { relations },
        ExportFormat::Brat => Format::Brat,
        ExportFormat::Conll => Format::Conll,
        ExportFormat::Csv => Format::Csv,
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
    let unit = unit_of(args.offsets);
    let format = format_of(args.format, args.relations);
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
    let index = CorpusIndex::scan(&args.paths)?;
    let sources = &index.sources;
    let annotator = match &ctx.global.annotator {
        Some(_) => ctx.annotator()?,
        None if index.has_gold() => GOLD.to_string(),
        None => ctx.annotator()?,
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
    let loaded = Corpus::load(&index, &annotator, &mut |s| {
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
            store::write_atomic(path, text.as_bytes())?;
            path.display().to_string()
        }
        (Rendered::Folder(files), Some(dir)) => {
            write_folder(dir, files)?;
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
    Ok(())
}

/// Writes each file of a folder export atomically; names never hold a path
/// separator, so nothing lands outside `dir`.
fn write_folder(dir: &Path, files: &[(String, String)]) -> Result<(), Failure> {
    if dir.exists() && !dir.is_dir() {
        return Err(Failure::usage(format!(
            "{}: exists and is not a folder",
            dir.display()
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
