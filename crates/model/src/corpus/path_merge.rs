//! Several PATHs put together: each PATH's walk came out in path order, so
//! their runs are merged a few sources at a time, never sorted whole, and
//! the index stays within its bounds however many PATHs there are.
//!
//! A folder two PATHs reach (`corpus` and `./corpus`, a link to it, a file
//! given by name inside a folder also walked) is listed once: under the
//! walk whose folder path comes first in path order, or, for files given
//! only by name, where the first of them comes. Folders are told apart by
//! their canonical path, files by their folder and name: a link to an
//! article under another name is a document of its own, with its own
//! sidecars beside it, as it is within one PATH.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet, VecDeque};
use std::ffi::OsStr;
use std::ops::Range;
use std::path::PathBuf;

use super::entry_table::Entry;
use super::{CorpusIndex, Folder, has, is_hidden, is_source_name, order_key};
use crate::store::parse_sidecar_name;

/// Sources read ahead from each run at a time: runs read in turn do not
/// send the table back to its temporary file for every source.
const READ_AHEAD: usize = 256;

impl CorpusIndex {
    /// Merges the runs of sources the PATHs gave (ranges of the index, in
    /// the order of the PATHs), dropping a file two PATHs reach.
    pub(super) fn merge_paths(&mut self, runs: Vec<Range<usize>>) {
        let reach = Reach::of(self);
        let runs = in_order_runs(self, runs);
        let mut made = self.entries.emptied();
        let mut given_seen = HashSet::new();
        // Sidecars given by name, by the source they would be beside.
        let mut beside_given = HashMap::<(usize, Box<OsStr>), Vec<(usize, String)>>::new();
        for (i, s) in self.sidecars.iter().enumerate() {
            let name = s.name.to_string_lossy();
            if let Some((source, annotator)) = parse_sidecar_name(&name)
                && reach.owner_of(s.folder).is_none()
            {
                let key = (
                    reach.canonical[s.folder as usize],
                    OsStr::new(source).into(),
                );
                beside_given
                    .entry(key)
                    .or_default()
                    .push((i, annotator.to_string()));
            }
        }
        let mut made_from_a_source = vec![false; self.sidecars.len()];
        let mut runs: Vec<Run> = runs.into_iter().map(Run::new).collect();
        // Each run's next source's key, and the run's number.
        let mut heads = BinaryHeap::new();
        for (r, run) in runs.iter_mut().enumerate() {
            if let Some(key) = run.advance(self) {
                heads.push(Reverse((key, r)));
            }
        }
        while let Some(Reverse((_, r))) = heads.pop() {
            let Some(entry) = runs[r].head.take() else {
                continue;
            };
            if let Some(key) = runs[r].advance(self) {
                heads.push(Reverse((key, r)));
            }
            let listed = || walk_lists(self, &entry);
            if !reach.keeps(
                &self.folders,
                entry.folder,
                &entry.name,
                listed,
                &mut given_seen,
            ) {
                continue;
            }
            if !beside_given.is_empty() {
                let key = (reach.canonical[entry.folder as usize], entry.name.clone());
                for (i, annotator) in beside_given.get(&key).into_iter().flatten() {
                    if has(&self.sets[entry.set as usize], annotator) {
                        made_from_a_source[*i] = true;
                    }
                }
            }
            made.push(entry.folder, entry.set, &entry.name);
        }
        self.entries.replace_with(made);
        let sidecars = std::mem::take(&mut self.sidecars);
        let mut sidecar_seen = HashSet::new();
        self.sidecars = sidecars
            .into_iter()
            .zip(made_from_a_source)
            .filter(|(s, made)| {
                // The walk lists every sidecar not hidden.
                let listed = || !is_hidden(&s.name);
                !made && reach.keeps(&self.folders, s.folder, &s.name, listed, &mut sidecar_seen)
            })
            .map(|(s, _)| s)
            .collect();
    }
}

/// Which folders are one: each folder's canonical number, and for each
/// canonical folder the walked folder whose sources are kept.
struct Reach {
    canonical: Vec<usize>,
    owners: Vec<Option<u32>>,
}

impl Reach {
    fn of(index: &CorpusIndex) -> Reach {
        let mut numbers: HashMap<PathBuf, usize> = HashMap::new();
        let mut canonical = Vec::with_capacity(index.folders.len());
        let mut owners: Vec<Option<(Vec<u8>, u32)>> = Vec::new();
        for (f, folder) in index.folders.iter().enumerate() {
            let as_given = if folder.path.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                folder.path.clone()
            };
            // A folder gone since the walk keeps its path as given.
            let path = std::fs::canonicalize(&as_given).unwrap_or(as_given);
            let next = numbers.len();
            let number = *numbers.entry(path).or_insert(next);
            canonical.push(number);
            if number == owners.len() {
                owners.push(None);
            }
            if folder.whole {
                let key = order_key(&folder.path);
                let first = owners[number].as_ref().is_none_or(|(k, _)| key < *k);
                if first {
                    owners[number] = Some((key, f as u32));
                }
            }
        }
        Reach {
            canonical,
            owners: owners.into_iter().map(|o| o.map(|(_, f)| f)).collect(),
        }
    }

    /// The walked folder listing the folder `folder` is, if one is.
    fn owner_of(&self, folder: u32) -> Option<u32> {
        self.owners[self.canonical[folder as usize]]
    }

    /// Whether a file found in `folder` is kept: in a walked folder, if
    /// that folder is the one kept; given by name, if no walk lists it
    /// (`listed_by_a_walk`) and it is the first of its name given.
    fn keeps(
        &self,
        folders: &[Folder],
        folder: u32,
        name: &OsStr,
        listed_by_a_walk: impl FnOnce() -> bool,
        given_seen: &mut HashSet<(usize, Box<OsStr>)>,
    ) -> bool {
        let owner = self.owner_of(folder);
        if folders[folder as usize].whole {
            return owner == Some(folder);
        }
        if owner.is_some() && listed_by_a_walk() {
            return false;
        }
        given_seen.insert((self.canonical[folder as usize], name.into()))
    }
}

/// Whether the walk of a source's folder lists it (see `kind_of`).
fn walk_lists(index: &CorpusIndex, entry: &Entry) -> bool {
    !is_hidden(&entry.name)
        && is_source_name(&entry.name.to_string_lossy())
        && index.path_of(entry).is_file()
}

/// `runs` without the empty ones, each joined to the one before when it
/// goes on in order (a shell glob's files, sorted, are one run).
fn in_order_runs(index: &CorpusIndex, runs: Vec<Range<usize>>) -> Vec<Range<usize>> {
    let key = |i: usize| index.entries.get(i).map(|e| order_key(&index.path_of(&e)));
    let mut joined: Vec<Range<usize>> = Vec::new();
    for run in runs.into_iter().filter(|r| !r.is_empty()) {
        if let Some(last) = joined.last_mut()
            && last.end == run.start
            && key(last.end - 1) <= key(run.start)
        {
            last.end = run.end;
        } else {
            joined.push(run);
        }
    }
    joined
}

/// One PATH's sources, a few read ahead.
struct Run {
    range: Range<usize>,
    ahead: VecDeque<Entry>,
    /// The source taken last, until it is merged.
    head: Option<Entry>,
}

impl Run {
    fn new(range: Range<usize>) -> Run {
        Run {
            range,
            ahead: VecDeque::new(),
            head: None,
        }
    }

    /// Takes the next source as the head, and gives its key; none at the
    /// end, or where the table cannot read one back (its trouble says why).
    fn advance(&mut self, index: &CorpusIndex) -> Option<Vec<u8>> {
        if self.ahead.is_empty() {
            let end = self.range.end.min(self.range.start + READ_AHEAD);
            for i in self.range.start..end {
                let Some(entry) = index.entries.get(i) else {
                    self.range.start = self.range.end;
                    break;
                };
                self.ahead.push_back(entry);
                self.range.start = i + 1;
            }
        }
        let entry = self.ahead.pop_front()?;
        let key = order_key(&index.path_of(&entry));
        self.head = Some(entry);
        Some(key)
    }
}
