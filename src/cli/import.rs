//! `claimtag import`: doccano JSONL, brat standoff or claimtag JSONL into
//! sidecars beside the matching sources of the corpus folder.
//!
//! `--annotator` must be given explicitly: imported tags are someone's work,
//! and filing them under whoever runs the command by default would mislabel it.
//! Labels are checked against the corpus folder's scheme.

use claimtag_model::export::OffsetUnit;
use claimtag_model::export::import::{self, Checks, ImportFormat, ImportTarget};
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
    let mut planned_problems = Vec::new();
    let mut notes = Vec::new();
    let (mut records, mut written) = (0, 0);
    // A window at a time: records, the sidecars planned from them and the
    // sources they were checked against are let go once written, so memory
    // does not grow with the input.
    let mut planner = import::Planner::new(&annotator, &checks);
    let read = import::read_input_windows(format, &args.files, offsets, WINDOW, &mut |window| {
        records += window.len();
        let (planned, mut plan_problems) = planner.plan(&window, &mut index);
        planned_problems.append(&mut plan_problems);
        let (n, mut write_problems) = import::write(&planned, args.force);
        written += n;
        planned_problems.append(&mut write_problems);
        notes.extend(planned.into_iter().flat_map(|p| p.notes));
        index.forget_documents();
    })?;
    let mut problems = read.problems;
    problems.append(&mut planned_problems);
    for p in &problems {
        eprintln!("claimtag: {p}");
    }
    for note in &notes {
        eprintln!("claimtag: warning: {note}");
    }
    let mut summary = format!(
        "claimtag: imported {written} of {} record(s) as annotator {annotator} into {}",
        records + read.failed,
        args.corpus.display()
    );
    if read.discontinuous > 0 {
        summary.push_str(&format!(
            "; {} discontinuous span(s) refused",
            read.discontinuous
        ));
    }
    if read.not_carried > 0 {
        summary.push_str(&format!(
            "; {} line(s) not carried (see above)",
            read.not_carried
        ));
    }
    eprintln!("{summary}");
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::problems(vec![format!(
            "import: {} problem(s), see above",
            problems.len()
        )]))
    }
}
