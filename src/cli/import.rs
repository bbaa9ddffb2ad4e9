//! `claimtag import`: doccano JSONL, brat standoff or claimtag JSONL into
//! sidecars beside the matching sources of the corpus folder.
//!
//! `--annotator` must be given explicitly: imported tags are someone's work,
//! and filing them under whoever runs the command by default would mislabel it.

use claimtag_model::export::import::{self, ImportFormat, ImportTarget};

use super::{Context, Failure, ImportArgs};

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
    let mut index = ImportTarget::new(&args.corpus)?;
    let (records, mut problems) = import::read_records(format, &args.files)?;
    let (planned, mut plan_problems) = import::plan(&records, &mut index, &annotator);
    problems.append(&mut plan_problems);
    let (written, mut write_problems) = import::write(&planned, args.force);
    problems.append(&mut write_problems);
    for p in &problems {
        eprintln!("claimtag: {p}");
    }
    eprintln!(
        "claimtag: imported {written} of {} record(s) as annotator {annotator} into {}",
        records.len(),
        args.corpus.display()
    );
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::problems(vec![format!(
            "import: {} problem(s), see above",
            problems.len()
        )]))
    }
}
