//! `claimtag merge BASE OURS THEIRS [-o OUT] [--path P]`: the three-way merge
//! of one sidecar ([`claimtag_model::merge`]), usable as git's merge driver
//! (`claimtag merge %O %A %B --path %P`). The result goes to OURS (git's
//! convention) or OUT. Exit 0: clean; 1: conflicts or dangling links remain
//! (recorded in the file); 2: an input could not be read (nothing written).

use std::path::Path;

use claimtag_model::format::MAX_SIDECAR_BYTES;
use claimtag_model::merge::{self, ConflictKind, Reanchor};
use claimtag_model::output::write_output;
use claimtag_model::{Error, Sidecar, store};

use super::{Context, Failure, MergeArgs, git};

pub fn run(_ctx: &Context, args: MergeArgs) -> Result<(), Failure> {
    let base = read(&args.base)?;
    let ours = read(&args.ours)?;
    let theirs = read(&args.theirs)?;
    // A side without a file (git passes an empty one) is a sidecar with no
    // annotations, so the other side's additions are kept.
    let template = ours
        .as_ref()
        .or(theirs.as_ref())
        .or(base.as_ref())
        .cloned()
        .unwrap_or_default();
    let empty = Sidecar {
        annotations: Vec::new(),
        ..template
    };
    let ours = ours.unwrap_or_else(|| empty.clone());
    let theirs = theirs.unwrap_or_else(|| empty.clone());

    // Where the sidecar lives in the work tree: the source is beside it.
    let named = args.path.clone().unwrap_or_else(|| args.ours.clone());
    let source = git::source_beside(&named, &ours.source.file);
    let merged = merge::merge(base.as_ref(), &ours, &theirs, |sha| {
        git::find_source(&source, sha)
    });

    let out = args.output.as_ref().unwrap_or(&args.ours);
    write_output(out, merged.sidecar.to_yaml().as_bytes())?;

    let report = &merged.report;
    let name = named.display();
    if let Some(r) = &report.reanchor {
        match r {
            Reanchor::Done { older, report } => eprintln!(
                "claimtag: {name}: the two sides annotated different versions of {}; \
                 the older side's ({older}) spans re-anchored onto the newer one ({} in place, {} moved, {} orphaned)",
                source.display(),
                report.in_place,
                report.moved,
                report.orphaned
            ),
            Reanchor::SourceMissing { older, sha256 } => eprintln!(
                "claimtag: {name}: the two sides annotated different versions of {}; \
                 the newer one (sha256 {}) was not found, so the older side's ({older}) offsets were compared as they are",
                source.display(),
                sha256.get(..12).unwrap_or(sha256)
            ),
        }
    }
    if report.is_clean() {
        eprintln!(
            "claimtag: merged {name} cleanly ({} spans)",
            merged.sidecar.annotations.len()
        );
        return Ok(());
    }
    let mut messages = Vec::new();
    for c in &report.conflicts {
        messages.push(match &c.kind {
            ConflictKind::Changed { fields } => format!(
                "{name}: conflict on {}: ours and theirs differ in {} (both kept, as {} and {})",
                c.id,
                fields.join(", "),
                merge::mark::versioned_id(&c.id, merge::Side::Ours),
                merge::mark::versioned_id(&c.id, merge::Side::Theirs),
            ),
            ConflictKind::ChangedDeleted { changed_by } => format!(
                "{name}: conflict on {}: changed by {changed_by}, deleted by {} (the changed one kept)",
                c.id,
                changed_by.other()
            ),
            ConflictKind::Key => format!(
                "{name}: conflict on `{}`: ours and theirs set it differently (both recorded under `conflict:`)",
                c.id
            ),
        });
    }
    for d in &report.dangling {
        messages.push(format!(
            "{name}: link {} {} -> {}: the merge removed {}",
            d.from, d.rel, d.to, d.to
        ));
    }
    messages.push(format!(
        "{name}: {} conflict(s), {} dangling link(s) left; `claimtag check` lists them, \
         the annotating screen settles them",
        report.conflicts.len(),
        report.dangling.len()
    ));
    Err(Failure::problems(messages))
}

/// A sidecar, or None for an empty file (git's stand-in for a side that
/// has none).
fn read(path: &Path) -> Result<Option<Sidecar>, Failure> {
    let (bytes, _) = store::read_capped(path, MAX_SIDECAR_BYTES)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| Error::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.valid_up_to(),
    })?;
    Ok(Some(Sidecar::parse(path, text)?))
}
