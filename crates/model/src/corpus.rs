//! The corpus index: one walk over the paths given, knowing every source and,
//! for each, the annotators that have a sidecar beside it (`gold` included).
//! Every command that works on a corpus (annotate, review, agree, export,
//! import, check) starts here, so a folder is listed once, whatever its size.
//!
//! The walk lists one folder at a time and sorts that folder's names, then
//! goes depth first: what comes out is already in `Path` order, so nothing
//! the size of the corpus is sorted or looked up. A sidecar sorts right
//! after its source, so the annotators of each source are known as it is
//! passed. The index holds, per source, its file name, its folder's number
//! and its set of annotators' number; a [`Source`] with its whole path is
//! made when asked for, so a command going through the corpus a window at a
//! time holds a window of paths, not all of them.
//!
//! Neither the walk nor the index holds the whole corpus: a folder's names
//! are sorted in runs written to a temporary file ([`sorted_listing`]), and
//! past 8,192 sources the index keeps its blocks there too
//! ([`entry_table`]), so the memory of export, agree and check does not
//! grow with the number of articles.

mod entry_table;
mod path_merge;
mod sorted_listing;

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::ffi::{OsStr, OsString};
use std::fs::DirEntry;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use entry_table::{Entry, EntryTable};
use sorted_listing::{Item, Kind, Listing};

use crate::error::{Error, Result};
use crate::store::{SIDECAR_SUFFIX, parse_sidecar_name, sidecar_path};

/// The adjudicated annotator: export prefers it, agreement leaves it out by
/// default.
pub const GOLD: &str = "gold";

/// A source file found under one of the paths given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub path: PathBuf,
    /// The path relative to the PATH it was found under, `/`-separated; the
    /// file name when PATH was the file itself.
    pub rel: String,
    /// Annotators with a sidecar beside this source, sorted; shared by every
    /// source with the same ones.
    pub annotators: Arc<[String]>,
}

impl Source {
    pub fn has(&self, annotator: &str) -> bool {
        has(&self.annotators, annotator)
    }

    pub fn sidecar_path(&self, annotator: &str) -> PathBuf {
        sidecar_path(&self.path, annotator)
    }
}

fn has(annotators: &[String], annotator: &str) -> bool {
    annotators
        .binary_search_by(|a| a.as_str().cmp(annotator))
        .is_ok()
}

/// Sources and sidecars under a set of paths.
#[derive(Debug, Default)]
pub struct CorpusIndex {
    folders: Vec<Folder>,
    /// Sorted by path; each file once even when two paths reach it.
    entries: EntryTable,
    /// Each set of annotators once; `sets[0]` is the empty one.
    sets: Vec<Arc<[String]>>,
    /// The `*.ann.yaml` found that are not a sidecar beside a source above
    /// (no such source, a name with no annotator, a folder so named), in
    /// path order. Those beside a source are made from its name and its
    /// annotators, so a corpus's 200,000 sidecars take no room. Listed only
    /// by [`CorpusIndex::scan_with_sidecars`]: the other commands reach a
    /// sidecar through its source.
    sidecars: Vec<Named>,
    /// Whether [`CorpusIndex::sidecars`] lists the sidecars (check).
    lists_sidecars: bool,
}

/// A folder sources were found in.
#[derive(Debug, Clone)]
struct Folder {
    path: PathBuf,
    /// Its path relative to the PATH it was found under, `/`-separated and
    /// ending in `/`; empty for PATH itself and for files given by name.
    rel: String,
    /// Listed whole by the walk; not for the folder of files given by name.
    whole: bool,
}

/// A file in one of the folders.
#[derive(Debug, Clone)]
struct Named {
    folder: u32,
    name: Box<OsStr>,
}

/// How much the walk and the index hold in memory.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    /// A folder's names held before a sorted run is written.
    names: usize,
    /// Sources in a block of the index, and blocks held.
    block: usize,
    blocks_held: usize,
}

impl Default for Bounds {
    fn default() -> Bounds {
        Bounds {
            names: sorted_listing::NAMES_HELD,
            block: entry_table::BLOCK,
            blocks_held: entry_table::BLOCKS_HELD,
        }
    }
}

impl CorpusIndex {
    /// Walks the paths once ([`Walk::Lean`]): folders recursively (hidden
    /// entries skipped, symbolic links to folders not followed, so a link to
    /// a parent cannot loop), a source file as itself with the sidecars
    /// beside it. A path that cannot be read is an error.
    pub fn scan(paths: &[PathBuf]) -> Result<CorpusIndex> {
        Self::scan_as(paths, Walk::Lean)
    }

    /// [`CorpusIndex::scan`], also listing every sidecar (a sidecar given as
    /// a path is listed as itself).
    pub fn scan_with_sidecars(paths: &[PathBuf]) -> Result<CorpusIndex> {
        Self::scan_as(paths, Walk::WithSidecars)
    }

    /// [`CorpusIndex::scan`] in the way asked for.
    pub fn scan_as(paths: &[PathBuf], walk_as: Walk) -> Result<CorpusIndex> {
        Ok(Self::scan_bounded(paths, walk_as, Bounds::default())?.0)
    }

    /// [`CorpusIndex::scan_as`] within `bounds`; with the most names of one
    /// folder held at once.
    fn scan_bounded(
        paths: &[PathBuf],
        walk_as: Walk,
        bounds: Bounds,
    ) -> Result<(CorpusIndex, usize)> {
        let mut found = Found {
            bounds,
            ..Found::default()
        };
        found.index.entries = EntryTable::with_bounds(bounds.block, bounds.blocks_held);
        found.index.lists_sidecars = walk_as == Walk::WithSidecars;
        found.index.sets.push(Arc::from([]));
        found.set_ids.insert(Vec::new(), 0);
        // Each PATH's sources, in path order.
        let mut runs = Vec::with_capacity(paths.len());
        for root in paths {
            let start = found.index.entries.len();
            let meta = std::fs::metadata(root).map_err(|e| Error::io(root, e))?;
            if meta.is_dir() {
                walk(root, "", &mut found)?;
            } else if is_sidecar_name(root) {
                if found.lists_sidecars()
                    && let Some(name) = root.file_name()
                {
                    let folder = found.file_folder(parent_as_given(root));
                    found.index.sidecars.push(Named {
                        folder,
                        name: name.into(),
                    });
                }
            } else {
                found.file(root)?;
            }
            runs.push(start..found.index.entries.len());
        }
        let most_names_held = found.most_names_held;
        let mut index = found.index;
        // Kept folder by folder (a subfolder's before its parent's) and path
        // by path: put in path order.
        let mut sidecars = std::mem::take(&mut index.sidecars);
        sidecars.sort_by_cached_key(|s| order_key(&index.sidecar_path_of(s)));
        index.sidecars = sidecars;
        if paths.len() > 1 {
            index.merge_paths(runs);
        }
        Ok((index, most_names_held))
    }

    fn path_of(&self, entry: &Entry) -> PathBuf {
        self.folders[entry.folder as usize].path.join(&*entry.name)
    }

    fn sidecar_path_of(&self, sidecar: &Named) -> PathBuf {
        self.folders[sidecar.folder as usize]
            .path
            .join(&*sidecar.name)
    }

    /// Every `*.ann.yaml` found, in path order, whether or not its name is
    /// valid or its source exists (what `check` looks at), each path made as
    /// it is taken; empty unless the index was made by
    /// [`CorpusIndex::scan_with_sidecars`].
    pub fn sidecars(&self) -> impl ExactSizeIterator<Item = PathBuf> + Clone + Send + '_ {
        SidecarsInOrder::new(self)
    }

    /// How many sources.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The `i`th source, in path order. One past the end, or one the
    /// index cannot read back from its temporary file, has an empty path,
    /// which no command can read; [`CorpusIndex::trouble`] says why.
    pub fn source(&self, i: usize) -> Source {
        match self.entries.get(i) {
            Some(entry) => self.source_of(&entry),
            None => Source {
                path: PathBuf::new(),
                rel: String::new(),
                annotators: Arc::clone(&self.sets[0]),
            },
        }
    }

    fn source_of(&self, entry: &Entry) -> Source {
        let folder = &self.folders[entry.folder as usize];
        Source {
            path: self.path_of(entry),
            rel: format!("{}{}", folder.rel, entry.name.to_string_lossy()),
            annotators: Arc::clone(&self.sets[entry.set as usize]),
        }
    }

    /// Why a source could not be read back from the index's temporary file,
    /// if one could not (a disk failing under it): a command that went
    /// through the index fails with this, as its output is incomplete.
    pub fn trouble(&self) -> Result<()> {
        match self.entries.trouble() {
            None => Ok(()),
            Some(why) => Err(Error::invalid(
                self.folders
                    .first()
                    .map(|f| f.path.clone())
                    .unwrap_or_default(),
                format!("the corpus index could not be read back from its temporary file: {why}"),
            )),
        }
    }

    /// Every source in path order, each made as it is taken.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Source> + Clone + Send + '_ {
        (0..self.len()).map(|i| self.source(i))
    }

    /// Every source at once.
    pub fn sources(&self) -> Vec<Source> {
        self.iter().collect()
    }

    pub fn source_paths(&self) -> Vec<PathBuf> {
        self.iter().map(|s| s.path).collect()
    }

    /// The annotators with a sidecar beside the `i`th source.
    pub fn annotators_of(&self, i: usize) -> &[String] {
        &self.sets[self.entries.set(i).unwrap_or(0) as usize]
    }

    /// Whether `annotator` has a sidecar beside the `i`th source.
    pub fn has(&self, i: usize, annotator: &str) -> bool {
        has(self.annotators_of(i), annotator)
    }

    /// Keeps the sources `keep` says yes to.
    pub fn retain(&mut self, mut keep: impl FnMut(&Source) -> bool) {
        let mut kept = self.entries.emptied();
        for e in self.entries.iter() {
            if keep(&self.source_of(&e)) {
                kept.push(e.folder, e.set, &e.name);
            }
        }
        self.entries.replace_with(kept);
    }

    /// Every annotator with at least one sidecar beside a source.
    pub fn annotators(&self) -> BTreeSet<&str> {
        let mut used = vec![false; self.sets.len()];
        for i in 0..self.len() {
            used[self.entries.set(i).unwrap_or(0) as usize] = true;
        }
        self.sets
            .iter()
            .zip(used)
            .filter(|(_, used)| *used)
            .flat_map(|(set, _)| set.iter().map(String::as_str))
            .collect()
    }

    /// Whether any source has a `gold` sidecar.
    pub fn has_gold(&self) -> bool {
        (0..self.len()).any(|i| self.has(i, GOLD))
    }
}

/// What a walk keeps of the sidecars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Walk {
    /// Only each source's annotators: the sidecars are reached through
    /// their sources (annotate, export, agree).
    #[default]
    Lean,
    /// As `Lean`, and every sidecar can be listed from the index (check):
    /// those beside a source are made from its name, the others are kept.
    WithSidecars,
}

/// What the walk has found so far.
#[derive(Default)]
struct Found {
    index: CorpusIndex,
    bounds: Bounds,
    /// The most names of one folder held at once.
    most_names_held: usize,
    /// Annotator names seen, numbered, for the sets below.
    names: Vec<String>,
    name_ids: HashMap<String, u32>,
    /// Set of annotators (sorted by name) -> its place in `index.sets`.
    set_ids: HashMap<Vec<u32>, u32>,
    /// Folders of files given by name -> their place in `index.folders`.
    file_folders: HashMap<PathBuf, u32>,
    /// Folders of files given by name: source name -> annotators beside it.
    listed: HashMap<PathBuf, HashMap<OsString, Vec<u32>>>,
}

impl Found {
    /// Whether sidecars not beside a source go into the index's list.
    fn lists_sidecars(&self) -> bool {
        self.index.lists_sidecars
    }

    fn name_id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.name_ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.name_ids.insert(name.to_string(), id);
        id
    }

    /// The place in `index.sets` of these annotators (numbers, in any order,
    /// duplicates allowed); `ids` is left sorted by name.
    fn set_id(&mut self, ids: &mut Vec<u32>) -> u32 {
        let names = &self.names;
        ids.sort_by(|a, b| names[*a as usize].cmp(&names[*b as usize]));
        ids.dedup();
        if let Some(&set) = self.set_ids.get(ids.as_slice()) {
            return set;
        }
        let set = self.index.sets.len() as u32;
        let list: Vec<String> = ids
            .iter()
            .map(|&i| self.names[i as usize].clone())
            .collect();
        self.index.sets.push(list.into());
        self.set_ids.insert(ids.clone(), set);
        set
    }

    fn folder(&mut self, path: PathBuf, rel: String, whole: bool) -> u32 {
        self.index.folders.push(Folder { path, rel, whole });
        (self.index.folders.len() - 1) as u32
    }

    /// The number of the folder of a file given by name.
    fn file_folder(&mut self, parent: PathBuf) -> u32 {
        if let Some(&folder) = self.file_folders.get(&parent) {
            return folder;
        }
        let folder = self.folder(parent.clone(), String::new(), false);
        self.file_folders.insert(parent, folder);
        folder
    }

    /// A source file given by name, with the sidecars beside it. Its folder
    /// is listed once however many of its files are given (a shell glob).
    fn file(&mut self, path: &Path) -> Result<()> {
        let Some(name) = path.file_name() else {
            return Ok(());
        };
        let parent = parent_as_given(path);
        let folder = self.file_folder(parent.clone());
        if !self.listed.contains_key(&parent) {
            let dir = folder_of(path);
            let mut beside: HashMap<OsString, Vec<u32>> = HashMap::new();
            for entry in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))? {
                let entry = entry.map_err(|e| Error::io(&dir, e))?;
                if let Some((source, annotator)) =
                    entry.file_name().to_str().and_then(parse_sidecar_name)
                {
                    let id = self.name_id(annotator);
                    beside.entry(source.into()).or_default().push(id);
                }
            }
            self.listed.insert(parent.clone(), beside);
        }
        let mut ids = self.listed[&parent].get(name).cloned().unwrap_or_default();
        let set = self.set_id(&mut ids);
        self.index.entries.push(folder, set, name);
        Ok(())
    }
}

/// The folder of a file given by name, as given (empty for a bare name), so
/// the path made again from it is the path given.
fn parent_as_given(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// What a folder entry is to the corpus; `None` for anything else.
fn kind_of(entry: &DirEntry, name: &OsStr) -> Result<Option<Kind>> {
    if is_hidden(name) {
        return Ok(None);
    }
    let name = name.to_string_lossy();
    let file_type = entry.file_type().map_err(|e| Error::io(entry.path(), e))?;
    // Anything named like a sidecar is one to check, a FIFO too (reported,
    // never silently passed over).
    Ok(if name.ends_with(SIDECAR_SUFFIX) {
        Some(Kind::Sidecar {
            file: !file_type.is_dir(),
        })
    } else if file_type.is_dir() {
        Some(Kind::Folder)
    } else if is_source_name(&name)
        // A link to a file counts as the file; a link to a folder is skipped.
        && (file_type.is_file() || (file_type.is_symlink() && entry.path().is_file()))
    {
        Some(Kind::Source)
    } else {
        None
    })
}

/// Lists `dir` (`rel` is its path under the PATH walked, ending in `/`),
/// sorts its names, and takes them in that order, going into each folder
/// where its name falls, so sources come out in `Path` order. A source's
/// sidecars come right after it in that order, so each source goes into the
/// index with its annotators when the first name not of its sidecars comes.
fn walk(dir: &Path, rel: &str, found: &mut Found) -> Result<()> {
    let mut listing = Listing::new(found.bounds.names);
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        if let Some(kind) = kind_of(&entry, &name)? {
            listing.push(Item::new(name, kind));
        }
    }
    found.most_names_held = found.most_names_held.max(listing.most_held());
    // This folder's number, given when it first holds a source or sidecar.
    let mut folder = None;
    let mut this_folder = |found: &mut Found| {
        *folder.get_or_insert_with(|| found.folder(dir.to_path_buf(), rel.to_string(), true))
    };
    // The source just passed, and the annotators of its sidecars so far.
    let mut open: Option<(Box<OsStr>, Vec<u32>)> = None;
    // `None` after the last name, to put the last source in.
    for item in listing.into_sorted().map(Some).chain([None]) {
        let item = item.transpose().map_err(|e| sorting_failed(dir, e))?;
        if let (Some((source, ids)), Some(item)) = (&mut open, &item)
            && item.primary() == source.as_encoded_bytes()
            && let Some(annotator) = item.annotator()
        {
            ids.push(found.name_id(annotator));
            continue;
        }
        if let Some((name, mut ids)) = open.take() {
            let folder = this_folder(found);
            let set = found.set_id(&mut ids);
            found.index.entries.push(folder, set, &name);
        }
        let Some(item) = item else {
            break;
        };
        match item.kind {
            Kind::Source => open = Some((item.name, Vec::new())),
            // Beside no source (none of its name, or a name without an
            // annotator, or a folder so named).
            Kind::Sidecar { .. } => {
                if found.lists_sidecars() {
                    let folder = this_folder(found);
                    found.index.sidecars.push(Named {
                        folder,
                        name: item.name,
                    });
                }
            }
            Kind::Folder => {
                let rel = format!("{rel}{}/", item.name.to_string_lossy());
                walk(&dir.join(&*item.name), &rel, found)?;
            }
        }
    }
    Ok(())
}

/// A folder's names could not be read back from the temporary file they
/// were sorted in.
fn sorting_failed(dir: &Path, e: std::io::Error) -> Error {
    Error::invalid(
        dir,
        format!(
            "the folder's names could not be read back from the temporary file they were sorted in: {e}"
        ),
    )
}

/// Every sidecar of an index in path order: those beside each source, made
/// from its name, merged with those kept. A source's sidecars come after it
/// but may come after later names too (`a.txt.alice.ann.yaml` after
/// `a.txt-.txt`), so each waits until the sources pass it; a few wait at
/// any time.
#[derive(Clone)]
struct SidecarsInOrder<'i> {
    index: &'i CorpusIndex,
    /// The next source and its key; none when all have passed.
    next_source: usize,
    bound: Option<Vec<u8>>,
    /// The next of the kept sidecars.
    kept: std::slice::Iter<'i, Named>,
    kept_next: Option<(Vec<u8>, PathBuf)>,
    waiting: BinaryHeap<Reverse<(Vec<u8>, PathBuf)>>,
    left: usize,
}

impl<'i> SidecarsInOrder<'i> {
    fn new(index: &'i CorpusIndex) -> SidecarsInOrder<'i> {
        let left = if index.lists_sidecars {
            let beside: usize = (0..index.len()).map(|i| index.annotators_of(i).len()).sum();
            beside + index.sidecars.len()
        } else {
            0
        };
        let mut order = SidecarsInOrder {
            index,
            next_source: 0,
            bound: None,
            kept: index.sidecars.iter(),
            kept_next: None,
            waiting: BinaryHeap::new(),
            left,
        };
        if left > 0 {
            order.bound = order.key_of_source(0);
            order.take_kept();
        }
        order
    }

    fn key_of_source(&self, i: usize) -> Option<Vec<u8>> {
        let entry = self.index.entries.get(i)?;
        Some(order_key(&self.index.path_of(&entry)))
    }

    fn take_kept(&mut self) {
        self.kept_next = self.kept.next().map(|s| {
            let path = self.index.sidecar_path_of(s);
            (order_key(&path), path)
        });
    }
}

impl Iterator for SidecarsInOrder<'_> {
    type Item = PathBuf;

    fn next(&mut self) -> Option<PathBuf> {
        if self.left == 0 {
            return None;
        }
        loop {
            let before_bound =
                |key: &Vec<u8>, bound: &Option<Vec<u8>>| bound.as_ref().is_none_or(|b| key < b);
            if let Some((key, _)) = &self.kept_next
                && before_bound(key, &self.bound)
                && let Some(kept) = self.kept_next.take()
            {
                self.waiting.push(Reverse(kept));
                self.take_kept();
                continue;
            }
            if let Some(Reverse((key, _))) = self.waiting.peek()
                && before_bound(key, &self.bound)
                && let Some(Reverse((_, path))) = self.waiting.pop()
            {
                self.left -= 1;
                return Some(path);
            }
            // Nothing comes before the next source: its sidecars wait.
            let entry = self.index.entries.get(self.next_source)?;
            let source = self.index.path_of(&entry);
            for annotator in self.index.sets[entry.set as usize].iter() {
                let path = sidecar_path(&source, annotator);
                self.waiting.push(Reverse((order_key(&path), path)));
            }
            self.next_source += 1;
            self.bound = self.key_of_source(self.next_source);
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for SidecarsInOrder<'_> {}

/// A key whose byte order is `Path`'s order (component by component), built
/// once a path: sorting 300,000 paths by `Path::cmp` parses components in
/// every comparison, and was most of opening a 100,000-article folder. Each
/// component is its kind (in `Component`'s order) and its bytes, ended by a
/// 0, which no name holds and which sorts a shorter path first.
fn order_key(path: &Path) -> Vec<u8> {
    let mut key = Vec::with_capacity(path.as_os_str().len() + 8);
    for c in path.components() {
        let (kind, bytes) = match c {
            Component::Prefix(p) => (0, p.as_os_str().as_encoded_bytes()),
            Component::RootDir => (1, &[][..]),
            Component::CurDir => (2, &[][..]),
            Component::ParentDir => (3, &[][..]),
            Component::Normal(n) => (4, n.as_encoded_bytes()),
        };
        key.push(kind + 1);
        key.extend_from_slice(bytes);
        key.push(0);
    }
    key
}

/// A name the walk passes over.
fn is_hidden(name: &OsStr) -> bool {
    name.as_encoded_bytes().starts_with(b".")
}

fn is_source_name(name: &str) -> bool {
    (name.ends_with(".txt") || name.ends_with(".md")) && !name.ends_with(SIDECAR_SUFFIX)
}

fn is_sidecar_name(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(SIDECAR_SUFFIX))
}

/// The folder a file is in, `.` for a bare file name.
pub fn folder_of(path: &Path) -> PathBuf {
    crate::store::folder_of(path).to_path_buf()
}

/// A relative path written with `/` whatever the platform.
pub fn relative_slash_path(p: &Path) -> String {
    p.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The first 12 hex digits of a hash, enough to tell two apart in a message.
pub fn short_hash(hash: &str) -> &str {
    if hash.is_empty() {
        return "(empty)";
    }
    hash.get(..12).unwrap_or(hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn order_keys_sort_as_paths_do(
            paths in prop::collection::vec(
                (any::<bool>(), prop::collection::vec(
                    prop::sample::select(vec!["a", "a.b", "ab", "b", "..", ".", "a b", "ä", "a\u{1}", "A", "a-b"]),
                    1..5,
                )),
                2..20,
            ),
        ) {
            let paths: Vec<PathBuf> = paths
                .into_iter()
                .map(|(root, parts)| PathBuf::from(format!("{}{}", if root { "/" } else { "" }, parts.join("/"))))
                .collect();
            for a in &paths {
                for b in &paths {
                    prop_assert_eq!(order_key(a).cmp(&order_key(b)), a.cmp(b), "{:?} {:?}", a, b);
                }
            }
        }
    }

    fn touch(dir: &Path, names: &[&str]) {
        for f in names {
            let p = dir.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
    }

    #[test]
    fn one_walk_finds_sources_and_their_annotators() {
        let dir = tempfile::tempdir().unwrap();
        touch(
            dir.path(),
            &[
                "b.txt",
                "a.md",
                "sub/c.txt",
                "sub/.hidden/d.txt",
                ".hidden.txt",
                "b.txt.alice.ann.yaml",
                "b.txt.gold.ann.yaml",
                "sub/c.txt.bob.ann.yaml",
                "sub/gone.txt.bob.ann.yaml",
                "bad.ann.yaml",
                "y.yaml",
            ],
        );
        let index = CorpusIndex::scan_with_sidecars(&[dir.path().to_path_buf()]).unwrap();
        let sources = index.sources();
        let got: Vec<(&str, Vec<&str>)> = sources
            .iter()
            .map(|s| {
                (
                    s.rel.as_str(),
                    s.annotators.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("a.md", vec![]),
                ("b.txt", vec!["alice", "gold"]),
                ("sub/c.txt", vec!["bob"]),
            ]
        );
        assert!(index.has_gold());
        assert_eq!(
            index.annotators().into_iter().collect::<Vec<_>>(),
            ["alice", "bob", "gold"]
        );
        let side: Vec<_> = index
            .sidecars()
            .map(|p| p.strip_prefix(dir.path()).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            side,
            [
                Path::new("b.txt.alice.ann.yaml"),
                Path::new("b.txt.gold.ann.yaml"),
                Path::new("bad.ann.yaml"),
                Path::new("sub/c.txt.bob.ann.yaml"),
                Path::new("sub/gone.txt.bob.ann.yaml"),
            ]
        );
    }

    fn found(index: &CorpusIndex) -> Vec<(String, Vec<String>)> {
        index
            .sources()
            .iter()
            .map(|s| (s.rel.clone(), s.annotators.to_vec()))
            .collect()
    }

    #[test]
    fn sources_with_the_same_annotators_share_one_list() {
        let dir = tempfile::tempdir().unwrap();
        touch(
            dir.path(),
            &[
                "a.txt",
                "a.txt.alice.ann.yaml",
                "a.txt.bob.ann.yaml",
                "b.txt",
                "b.txt.bob.ann.yaml",
                "b.txt.alice.ann.yaml",
                "c.txt",
            ],
        );
        let index = CorpusIndex::scan(&[dir.path().to_path_buf()]).unwrap();
        let [a, b, c] = &index.sources()[..] else {
            panic!("{:?}", index.sources())
        };
        assert_eq!(*a.annotators, ["alice", "bob"]);
        assert!(Arc::ptr_eq(&a.annotators, &b.annotators));
        assert!(c.annotators.is_empty());
        assert_eq!(index.sidecars().len(), 0, "listed only when asked");
    }

    #[test]
    fn retain_keeps_what_it_is_told_in_order() {
        let dir = tempfile::tempdir().unwrap();
        touch(
            dir.path(),
            &[
                "a.txt",
                "a.txt.alice.ann.yaml",
                "b.txt",
                "c.txt",
                "c.txt.alice.ann.yaml",
            ],
        );
        let mut index = CorpusIndex::scan(&[dir.path().to_path_buf()]).unwrap();
        index.retain(|s| s.has("alice"));
        let rels: Vec<String> = index.iter().map(|s| s.rel).collect();
        assert_eq!(rels, ["a.txt", "c.txt"]);
        assert!(index.has(1, "alice"));
        assert_eq!(
            index.annotators().into_iter().collect::<Vec<_>>(),
            ["alice"]
        );
    }

    #[test]
    fn a_sidecar_finds_its_source_past_longer_names_and_folders() {
        let dir = tempfile::tempdir().unwrap();
        // In name order, `a.txt` and its sidecars have other sources and a
        // folder between them.
        touch(
            dir.path(),
            &[
                "a.txt",
                "a.txt-.txt",
                "a.txt.a.txt",
                "a.txt.a.txt.bob.ann.yaml",
                "a.txt.b/x.txt",
                "a.txt.b/x.txt.carol.ann.yaml",
                "a.txt.alice.ann.yaml",
                "a.txt.z-.ann.yaml",
                "a.txt.z.ann.yaml",
            ],
        );
        let index = CorpusIndex::scan(&[dir.path().to_path_buf()]).unwrap();
        let own = |v: &[&str]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(
            found(&index),
            [
                ("a.txt".to_string(), own(&["alice", "z", "z-"])),
                ("a.txt-.txt".to_string(), own(&[])),
                ("a.txt.a.txt".to_string(), own(&["bob"])),
                ("a.txt.b/x.txt".to_string(), own(&["carol"])),
            ]
        );
    }

    #[test]
    fn check_holds_no_name_for_a_sidecar_beside_its_source() {
        let dir = tempfile::tempdir().unwrap();
        // The sidecars of `a.txt` sort after `a.txt-.txt`, `a.txt.a.txt` and
        // the folder `a.txt.b/`; `gone.txt`'s has no source, `bad.ann.yaml`
        // no annotator, and `x.txt.bob.ann.yaml/` is a folder.
        touch(
            dir.path(),
            &[
                "a.txt",
                "a.txt-.txt",
                "a.txt-.txt.bob.ann.yaml",
                "a.txt.a.txt",
                "a.txt.b/x.txt",
                "a.txt.b/x.txt.carol.ann.yaml",
                "a.txt.alice.ann.yaml",
                "a.txt.z.ann.yaml",
                "bad.ann.yaml",
                "gone.txt.bob.ann.yaml",
                "x.txt.bob.ann.yaml/y.txt",
            ],
        );
        let index = CorpusIndex::scan_with_sidecars(&[dir.path().to_path_buf()]).unwrap();
        let kept: Vec<&OsStr> = index.sidecars.iter().map(|s| &*s.name).collect();
        assert_eq!(
            kept,
            [
                "bad.ann.yaml",
                "gone.txt.bob.ann.yaml",
                "x.txt.bob.ann.yaml"
            ],
            "a sidecar beside its source is made from the source's name"
        );
        let listed: Vec<PathBuf> = index
            .sidecars()
            .map(|p| p.strip_prefix(dir.path()).unwrap().to_path_buf())
            .collect();
        let want = [
            "a.txt-.txt.bob.ann.yaml",
            "a.txt.alice.ann.yaml",
            "a.txt.b/x.txt.carol.ann.yaml",
            "a.txt.z.ann.yaml",
            "bad.ann.yaml",
            "gone.txt.bob.ann.yaml",
            "x.txt.bob.ann.yaml",
        ];
        assert_eq!(listed, want.map(PathBuf::from));
        assert_eq!(index.sidecars().len(), want.len());
        // Given by name as well, each is still listed once.
        let again = CorpusIndex::scan_with_sidecars(&[
            dir.path().join("a.txt.alice.ann.yaml"),
            dir.path().to_path_buf(),
            dir.path().join("gone.txt.bob.ann.yaml"),
        ])
        .unwrap();
        assert_eq!(
            again.sidecars().collect::<Vec<_>>(),
            index.sidecars().collect::<Vec<_>>()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// The walk that sorts one folder at a time, each sidecar right
        /// after its source, finds what a plain reading of the rules finds: every
        /// source in `Path` order, with the annotators of the sidecars named
        /// after it in its folder.
        #[test]
        fn the_walk_agrees_with_the_rules(
            files in prop::collection::btree_set(
                (
                    prop::collection::vec(prop::sample::select(vec!["a", "a.txt", "b", "a-"]), 0..3),
                    prop::sample::select(vec!["a", "a.txt", "a-", "b", "a.txt.a"]),
                    prop::sample::select(vec![".txt", ".md", ".alice.ann.yaml", ".z-.ann.yaml", ".txt.bob.ann.yaml", ".yaml"]),
                ),
                1..24,
            ),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut made: Vec<PathBuf> = Vec::new();
            for (folders, base, ext) in &files {
                let rel: PathBuf = folders.iter().collect::<PathBuf>().join(format!("{base}{ext}"));
                let path = dir.path().join(&rel);
                // A name already taken by a folder (or the other way) is left out.
                if path.parent().is_some_and(|p| std::fs::create_dir_all(p).is_ok())
                    && !path.is_dir()
                    && std::fs::write(&path, "").is_ok()
                {
                    made.push(rel);
                }
            }
            let made: BTreeSet<PathBuf> = made
                .into_iter()
                .filter(|p| dir.path().join(p).is_file())
                .collect();
            let mut want: Vec<(String, Vec<String>)> = Vec::new();
            for rel in &made {
                let name = rel.file_name().unwrap().to_str().unwrap();
                if !is_source_name(name) {
                    continue;
                }
                let under_sidecar = rel
                    .parent()
                    .into_iter()
                    .flat_map(Path::components)
                    .any(|c| c.as_os_str().to_string_lossy().ends_with(SIDECAR_SUFFIX));
                if under_sidecar {
                    continue;
                }
                let mut annotators: Vec<String> = made
                    .iter()
                    .filter(|o| o.parent() == rel.parent())
                    .filter_map(|o| parse_sidecar_name(o.file_name()?.to_str()?))
                    .filter(|(source, _)| *source == name)
                    .map(|(_, a)| a.to_string())
                    .collect();
                annotators.sort();
                want.push((relative_slash_path(rel), annotators));
            }
            // Every sidecar-named file, in path order (no folder here is
            // hidden or named like a sidecar).
            let sidecars: Vec<PathBuf> = made
                .iter()
                .filter(|p| p.to_string_lossy().ends_with(SIDECAR_SUFFIX))
                .map(|p| dir.path().join(p))
                .collect();
            // Held whole, and through the temporary files a name or source
            // at a time.
            for bounds in [Bounds::default(), TINY] {
                let root = [dir.path().to_path_buf()];
                let (index, _) = CorpusIndex::scan_bounded(&root, Walk::Lean, bounds).unwrap();
                prop_assert_eq!(found(&index), want.clone(), "{:?}", bounds);
                prop_assert_eq!(index.sidecars().len(), 0);
                let (listed, _) = CorpusIndex::scan_bounded(&root, Walk::WithSidecars, bounds).unwrap();
                prop_assert_eq!(found(&listed), want.clone());
                prop_assert_eq!(listed.sidecars().collect::<Vec<_>>(), sidecars.clone());
            }
        }
    }

    /// One name held before a run is written, one source a block and one
    /// block held.
    const TINY: Bounds = Bounds {
        names: 1,
        block: 1,
        blocks_held: 1,
    };

    #[test]
    fn a_folder_past_the_bounds_is_walked_holding_a_bounded_part() {
        let dir = tempfile::tempdir().unwrap();
        let mut names = Vec::new();
        for i in 0..600 {
            names.push(format!("{i:04}.txt"));
            names.push(format!("{i:04}.txt.alice.ann.yaml"));
            if i % 3 == 0 {
                names.push(format!("{i:04}.txt.bob.ann.yaml"));
            }
        }
        names.push("sub/0000.txt".to_string());
        names.push("0300.txt-.txt.carol.ann.yaml".to_string());
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        touch(dir.path(), &names);
        let root = [dir.path().to_path_buf()];
        let bounds = Bounds {
            names: 100,
            block: 50,
            blocks_held: 2,
        };
        let (whole, _) =
            CorpusIndex::scan_bounded(&root, Walk::WithSidecars, Bounds::default()).unwrap();
        let (bounded, most) = CorpusIndex::scan_bounded(&root, Walk::WithSidecars, bounds).unwrap();
        assert!(most <= 100, "{most} names held at once");
        assert!(
            bounded.entries.held() <= 150,
            "{} sources held",
            bounded.entries.held()
        );
        assert_eq!(bounded.len(), 601);
        assert_eq!(found(&bounded), found(&whole));
        assert_eq!(
            found(&bounded)[3],
            (
                "0003.txt".to_string(),
                vec!["alice".to_string(), "bob".to_string()]
            )
        );
        assert_eq!(
            bounded.sidecars().collect::<Vec<_>>(),
            whole.sidecars().collect::<Vec<_>>()
        );
        assert_eq!(bounded.sidecars().len(), 600 + 200 + 1);
        assert_eq!(bounded.annotators(), whole.annotators());
        let mut kept = bounded;
        kept.retain(|s| s.has("bob"));
        assert_eq!(kept.len(), 200);
        assert_eq!(kept.source(199).rel, "0597.txt");
        assert!(kept.trouble().is_ok());
    }

    #[test]
    fn files_given_by_name_bring_their_sidecars_and_count_once() {
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), &["a.txt", "a.txt.bob.ann.yaml", "ab.txt"]);
        let a = dir.path().join("a.txt");
        let index = CorpusIndex::scan(&[
            dir.path().to_path_buf(),
            a.clone(),
            dir.path().join("ab.txt"),
        ])
        .unwrap();
        let rels: Vec<_> = index.sources().into_iter().map(|s| s.rel).collect();
        assert_eq!(rels, ["a.txt", "ab.txt"]);
        assert_eq!(*index.sources()[0].annotators, ["bob"]);
        let alone = CorpusIndex::scan_with_sidecars(std::slice::from_ref(&a)).unwrap();
        assert_eq!(alone.sources()[0].rel, "a.txt");
        assert_eq!(*alone.sources()[0].annotators, ["bob"]);
        assert_eq!(
            alone.sidecars().collect::<Vec<_>>(),
            [dir.path().join("a.txt.bob.ann.yaml")]
        );
        assert!(CorpusIndex::scan(&[dir.path().join("missing")]).is_err());
    }

    /// Sources as `(path under dir, rel, annotators)`.
    fn placed(index: &CorpusIndex, dir: &Path) -> Vec<(String, String, Vec<String>)> {
        index
            .iter()
            .map(|s| {
                let path = s.path.strip_prefix(dir).unwrap_or(&s.path);
                (relative_slash_path(path), s.rel, s.annotators.to_vec())
            })
            .collect()
    }

    #[cfg(unix)]
    #[test]
    fn several_paths_merge_in_path_order_each_folder_once() {
        let dir = tempfile::tempdir().unwrap();
        touch(
            dir.path(),
            &[
                "a/1.txt",
                "a/1.txt.bob.ann.yaml",
                "a/sub/2.txt",
                "a/sub/2.txt.ann.yaml",
                "a/z.txt",
                "a/.hidden.txt",
                "a/gone.txt.dan.ann.yaml",
                "b/0.txt",
                "b/0.txt.alice.ann.yaml",
                "b/orphan.txt.carol.ann.yaml",
            ],
        );
        let d = dir.path();
        std::os::unix::fs::symlink(d.join("a/1.txt"), d.join("b/link.txt")).unwrap();
        std::os::unix::fs::symlink(d.join("a"), d.join("also-a")).unwrap();
        let paths = [
            d.join("b"),
            d.join("a/sub"),
            d.join("also-a"),
            d.join("a/./z.txt"),
            d.join("a/.hidden.txt"),
            d.join("a"),
            d.join("b/0.txt"),
            d.join("b/0.txt.alice.ann.yaml"),
            d.join("b/orphan.txt.carol.ann.yaml"),
            d.join("a/.hidden.txt"),
        ];
        let s = |x: &str| x.to_string();
        let want = vec![
            (s("a/.hidden.txt"), s(".hidden.txt"), vec![]),
            (s("a/1.txt"), s("1.txt"), vec![s("bob")]),
            // Under the PATH given first, of two with one path.
            (s("a/sub/2.txt"), s("2.txt"), vec![]),
            (s("a/z.txt"), s("z.txt"), vec![]),
            (s("b/0.txt"), s("0.txt"), vec![s("alice")]),
            // A link under another name is a document of its own.
            (s("b/link.txt"), s("link.txt"), vec![]),
        ];
        for bounds in [Bounds::default(), TINY] {
            let (index, _) = CorpusIndex::scan_bounded(&paths, Walk::WithSidecars, bounds).unwrap();
            assert_eq!(placed(&index, d), want, "{bounds:?}");
            assert_eq!(
                index.sidecars().collect::<Vec<_>>(),
                [
                    d.join("a/1.txt.bob.ann.yaml"),
                    // Once, though `also-a` reaches it too.
                    d.join("a/gone.txt.dan.ann.yaml"),
                    d.join("a/sub/2.txt.ann.yaml"),
                    d.join("b/0.txt.alice.ann.yaml"),
                    d.join("b/orphan.txt.carol.ann.yaml"),
                ]
            );
            assert!(index.trouble().is_ok());
        }
        // Files given only by name, twice and through another spelling.
        let given = [
            d.join("b/0.txt.alice.ann.yaml"),
            d.join("b/0.txt"),
            d.join("a/1.txt"),
            d.join("b/./0.txt"),
            d.join("also-a/1.txt"),
        ];
        let index = CorpusIndex::scan_with_sidecars(&given).unwrap();
        assert_eq!(
            placed(&index, d),
            [
                (s("a/1.txt"), s("1.txt"), vec![s("bob")]),
                (s("b/0.txt"), s("0.txt"), vec![s("alice")]),
            ]
        );
        assert_eq!(
            index.sidecars().collect::<Vec<_>>(),
            [
                d.join("a/1.txt.bob.ann.yaml"),
                d.join("b/0.txt.alice.ann.yaml")
            ]
        );
    }

    #[test]
    fn several_paths_merge_holding_a_bounded_part() {
        let dir = tempfile::tempdir().unwrap();
        let mut names = Vec::new();
        for i in 0..300 {
            for folder in ["x", "y", "z"] {
                names.push(format!("{folder}/{i:03}.txt"));
            }
            names.push(format!("y/{i:03}.txt.alice.ann.yaml"));
        }
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        touch(dir.path(), &names);
        let d = dir.path();
        let paths = [d.join("z"), d.join("x"), d.join("y"), d.join("x")];
        let bounds = Bounds {
            names: 100,
            block: 50,
            blocks_held: 2,
        };
        let (bounded, _) = CorpusIndex::scan_bounded(&paths, Walk::Lean, bounds).unwrap();
        let (one, _) =
            CorpusIndex::scan_bounded(&[d.to_path_buf()], Walk::Lean, Bounds::default()).unwrap();
        assert_eq!(bounded.len(), 900);
        assert!(
            bounded.entries.held() <= 150,
            "{} sources held",
            bounded.entries.held()
        );
        let paths_of = |index: &CorpusIndex| index.iter().map(|s| s.path).collect::<Vec<_>>();
        assert_eq!(paths_of(&bounded), paths_of(&one));
        assert_eq!(bounded.source(300).rel, "000.txt");
        assert_eq!(*bounded.source(300).annotators, ["alice"]);
    }

    #[test]
    fn what_is_made_from_an_index_that_lost_a_block_keeps_its_trouble() {
        let dir = tempfile::tempdir().unwrap();
        let names: Vec<String> = (0..20).map(|i| format!("{i:02}.txt")).collect();
        touch(
            dir.path(),
            &names.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        let root = [dir.path().to_path_buf()];
        let (mut index, _) = CorpusIndex::scan_bounded(&root, Walk::Lean, TINY).unwrap();
        index.entries.lose_file();
        index.retain(|_| true);
        assert!(index.len() < 20);
        assert!(
            index.trouble().is_err(),
            "the lost sources must not pass unseen"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_parent_folder_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), &["sub/a.txt"]);
        std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/up")).unwrap();
        let index = CorpusIndex::scan(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(index.sources().len(), 1);
    }

    #[test]
    fn short_hashes() {
        assert_eq!(short_hash("abc"), "abc");
        assert_eq!(short_hash(""), "(empty)");
        assert_eq!(short_hash("0123456789abcdef"), "0123456789ab");
    }
}
