//! `claimtag import`: doccano JSONL, brat standoff or claimtag JSONL into
//! sidecars beside the matching sources of the corpus folder.
//!
//! `--annotator` must be given explicitly: imported tags are someone's work,
//! and filing them under whoever runs the command by default would mislabel it.
//! Labels are checked against the corpus folder's scheme.

use claimtag_model::export::OffsetUnit;
use claimtag_model::export::import::{self, Checks, ImportFormat, ImportTarget};
use claimtag_model::export::import_pipeline::import_windows;
use claimtag_model::scheme::Scheme;

use super::{Context, Failure, ImportArgs};

/// Records planned and written together.
const WINDOW: usize = 256;

pub fn run(ctx: &Context, args: ImportArgs) -> Result<(), Failure> {
    if ctx.global.annotator.is_none() {
        return Err(Failure::usage(
            "import: say whose tags these are with --annotator NAME",
        ));
    }
    let annotator = ctx.annotator()?;
    crate::allocator::purge(crate::allocator::Purge::Later);
    let format = match args.from {
        super::ImportFormat::Doccano => ImportFormat::Doccano,
        super::ImportFormat::Brat => ImportFormat::Brat,
        super::ImportFormat::Jsonl => ImportFormat::Jsonl,
    };
    let offsets = args.offsets.map(|u| match u {
        super::OffsetUnit::Codepoint => OffsetUnit::Codepoint,
        super::OffsetUnit::Utf16 => OffsetUnit::Utf16,
        super::OffsetUnit::Byte => OffsetUnit::Byte,
    });
    let mut index = ImportTarget::new(&args.corpus)?;
    let (scheme, _) = Scheme::discover(&args.corpus)?;
    let checks = Checks {
        scheme,
        keep_unknown_labels: args.keep_unknown_labels,
        keep_empty_spans: args.keep_empty_spans,
    };
    // A window at a time: records, the sidecars planned from them and the
    // sources they were checked against are let go once written, so memory
    // does not grow with the input.
    let mut planner = import::Planner::new(&annotator, &checks);
    let imported = import_windows(
        format,
        &args.files,
        offsets,
        WINDOW,
        &mut index,
        &mut planner,
        args.force,
    )?;
    for p in &imported.problems {
        eprintln!("claimtag: {p}");
    }
    for note in &imported.notes {
        eprintln!("claimtag: warning: {note}");
    }
    let mut summary = format!(
        "claimtag: imported {} of {} record(s) as annotator {annotator} into {}",
        imported.written,
        imported.records + imported.failed,
        args.corpus.display()
    );
    if imported.discontinuous > 0 {
        summary.push_str(&format!(
            "; {} discontinuous span(s) refused",
            imported.discontinuous
        ));
    }
    if imported.not_carried > 0 {
        summary.push_str(&format!(
            "; {} line(s) not carried (see above)",
            imported.not_carried
        ));
    }
    eprintln!("{summary}");
    if imported.problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::problems(vec![format!(
            "import: {} problem(s), see above",
            imported.problems.len()
        )]))
    }
}
