//! Validating sidecars against their sources and the label scheme, and
//! repairing what re-anchoring can repair (`claimtag check [--fix]`,
//! docs/agreement.md). Findings are data, so any front end can list them; the
//! `Display` of each is the one-line message the command prints, naming the
//! sidecar and, where known, the line (the annotation's `id:` line, a key's
//! line, or the YAML error's line and column).
//!
//! A sidecar that does not parse is reported and never rewritten; a fix is
//! saved atomically and never over a file changed since it was read.

mod inspect;
mod problem;
mod validate;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::path::{Path, PathBuf};

use crate::corpus::{CorpusIndex, folder_of};
use crate::error::Result;
use crate::parallel;
use crate::scheme::Scheme;
use inspect::inspect;

pub use problem::{Finding, Fixed, Problem};

/// Whether to only report, or also repair and save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Check,
    /// Re-anchor sidecars that are stale or whose offsets no longer match,
    /// correct `source.file`, `sha256`, `chars` and `annotator`, and save.
    Fix,
}

/// Which label scheme sidecars are checked against.
#[derive(Debug, Clone, Copy)]
pub enum Schemes<'a> {
    /// Each sidecar's own: the `claimtag.yaml` found walking up from its folder.
    Discover,
    /// One scheme for every sidecar (a front end that already loaded it).
    Given(&'a Scheme),
}

/// What checking (and maybe fixing) one sidecar found.
#[derive(Debug)]
pub struct SidecarReport {
    pub sidecar: PathBuf,
    /// Set when `--fix` rewrote the sidecar; the findings are then those of
    /// the rewritten file.
    pub fixed: Option<Fixed>,
    pub findings: Vec<Finding>,
}

/// What checking a corpus found, sidecar by sidecar in path order.
#[derive(Debug, Default)]
pub struct Report {
    /// The sidecars with something to say (a finding or a fix); a clean one
    /// is only counted, so a report does not grow with a clean corpus.
    pub sidecars: Vec<SidecarReport>,
    checked: usize,
}

impl Report {
    /// How many sidecars were checked.
    pub fn checked(&self) -> usize {
        self.checked
    }

    fn add(&mut self, one: SidecarReport) {
        self.checked += 1;
        if one.fixed.is_some() || !one.findings.is_empty() {
            self.sidecars.push(one);
        }
    }

    pub fn fixes(&self) -> impl Iterator<Item = &Fixed> {
        self.sidecars.iter().filter_map(|s| s.fixed.as_ref())
    }

    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.sidecars.iter().flat_map(|s| &s.findings)
    }

    /// Findings about sidecars that could be read.
    pub fn problems(&self) -> impl Iterator<Item = &Finding> {
        self.findings().filter(|f| !f.problem.is_unreadable())
    }

    /// Findings about files that could not be read at all.
    pub fn unreadable(&self) -> impl Iterator<Item = &Finding> {
        self.findings().filter(|f| f.problem.is_unreadable())
    }

    pub fn is_clean(&self) -> bool {
        self.findings().next().is_none()
    }
}

/// Checks every sidecar under `paths` without changing anything.
pub fn check_corpus(paths: &[PathBuf], schemes: Schemes) -> Result<Report> {
    run_corpus(paths, schemes, Mode::Check, |_| {})
}

/// Checks every sidecar under `paths` and fixes what re-anchoring can fix.
pub fn fix_corpus(paths: &[PathBuf], schemes: Schemes) -> Result<Report> {
    run_corpus(paths, schemes, Mode::Fix, |_| {})
}

/// Checks (and in [`Mode::Fix`] fixes) every sidecar under `paths`, calling
/// `each` as each sidecar is done, so a front end can show progress. Fails,
/// before any sidecar is touched, when a path cannot be read or a scheme
/// does not parse.
pub fn run_corpus(
    paths: &[PathBuf],
    schemes: Schemes,
    mode: Mode,
    each: impl FnMut(&SidecarReport),
) -> Result<Report> {
    run_index(
        &CorpusIndex::scan_with_sidecars(paths)?,
        schemes,
        mode,
        each,
    )
}

/// [`run_corpus`] over an index already made (a front end that also looks at
/// the sources walks the paths once).
pub fn run_index(
    index: &CorpusIndex,
    schemes: Schemes,
    mode: Mode,
    mut each: impl FnMut(&SidecarReport),
) -> Result<Report> {
    let mut discovered: BTreeMap<PathBuf, Scheme> = BTreeMap::new();
    if let Schemes::Discover = schemes {
        for path in index.sidecars() {
            if let Entry::Vacant(slot) = discovered.entry(folder_of(&path)) {
                let (scheme, _) = Scheme::discover(slot.key())?;
                slot.insert(scheme);
            }
        }
    }
    let fallback = Scheme::default();
    let mut report = Report::default();
    // Each sidecar on its own core, reports kept in path order.
    parallel::map_ordered(
        index.sidecars(),
        |path| {
            let scheme = match schemes {
                Schemes::Given(s) => s,
                Schemes::Discover => discovered.get(&folder_of(path)).unwrap_or(&fallback),
            };
            inspect(path, scheme, mode)
        },
        |_, one| {
            each(&one);
            report.add(one);
        },
    );
    Ok(report)
}

/// What `check` would reject in the labels and links of a sidecar held in
/// memory: a save refuses to write it (issue 10, item 7).
pub fn structure_problems(sidecar: &crate::format::Sidecar, scheme: &Scheme) -> Vec<Problem> {
    let mut out = inspect::Findings {
        sidecar: Path::new(""),
        list: Vec::new(),
    };
    validate::validate_structure(&mut out, sidecar, scheme, &crate::format::Places::default());
    out.list.into_iter().map(|f| f.problem).collect()
}

/// Checks one sidecar without changing it.
pub fn check_sidecar(path: &Path, scheme: &Scheme) -> SidecarReport {
    inspect(path, scheme, Mode::Check)
}

/// Checks one sidecar and fixes what re-anchoring can fix.
pub fn fix_sidecar(path: &Path, scheme: &Scheme) -> SidecarReport {
    inspect(path, scheme, Mode::Fix)
}
