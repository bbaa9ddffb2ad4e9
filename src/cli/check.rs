//! `claimtag check PATH... [--fix]`: prints what [`claimtag_model::check`] finds,
//! one line per problem. Exit 0 when clean (also after a `--fix` that left
//! nothing), 1 when problems remain, 2 when a path or file cannot be read.

use claimtag_model::check::{self, Mode, Schemes};
use claimtag_model::corpus::CorpusIndex;
use claimtag_model::text::Document;

use super::{CheckArgs, Context, Failure};

pub fn run(_ctx: &Context, args: CheckArgs) -> Result<(), Failure> {
    let mode = if args.fix { Mode::Fix } else { Mode::Check };
    let index = CorpusIndex::scan_with_sidecars(&args.paths)?;
    let report = check::run_index(&index, Schemes::Discover, mode, |sidecar| {
        if let Some(fixed) = &sidecar.fixed {
            println!("{fixed}");
        }
    })?;
    let mut problems: Vec<String> = report.problems().map(ToString::to_string).collect();
    problems.extend(unreadable_sources(&index));
    index.trouble()?;
    let unreadable: Vec<String> = report.unreadable().map(ToString::to_string).collect();
    if !unreadable.is_empty() {
        let mut messages = problems;
        messages.extend(unreadable);
        return Err(Failure { code: 2, messages });
    }
    if !problems.is_empty() {
        return Err(Failure::problems(problems));
    }
    let fixed = report.fixes().count();
    println!(
        "checked {} sidecar(s): no problems{}",
        report.checked(),
        if fixed > 0 {
            format!(" after fixing {fixed}")
        } else {
            String::new()
        }
    );
    Ok(())
}

/// Sources without any sidecar that cannot be read as text (those with one
/// are reported by the sidecar check): export and agree skip them, so check
/// names them too.
fn unreadable_sources(index: &CorpusIndex) -> Vec<String> {
    (0..index.len())
        .filter(|&i| index.annotators_of(i).is_empty())
        .filter_map(|i| Document::load(&index.source(i).path).err())
        .map(|e| format!("{e} (a source that export and agree skip)"))
        .collect()
}
