//! The corpus index: one walk over the paths given, knowing every source and,
//! for each, the annotators that have a sidecar beside it (`gold` included).
//! Every command that works on a corpus (annotate, review, agree, export,
//! import, check) starts here, so a folder is listed once, whatever its size.
//!
//! The walk lists one folder at a time and sorts that folder's names, then
//! goes depth first: what comes out is already in `Path` order, so nothing
//! the size of the corpus is sorted or looked up. The index holds, per
//! source, its file name, its folder's number and its set of annotators'
//! number (some 40 bytes); a [`Source`] with its whole path is made when
//! asked for, so a command going through the corpus a window at a time holds
//! a window of paths, not all of them.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::ffi::{OsStr, OsString};
use std::fs::DirEntry;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

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
#[derive(Debug, Clone, Default)]
pub struct CorpusIndex {
    folders: Vec<Folder>,
    /// Sorted by path; each file once even when two paths reach it.
    entries: Vec<Entry>,
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
}

/// A file in one of the folders.
#[derive(Debug, Clone)]
struct Named {
    folder: u32,
    name: Box<OsStr>,
}

/// One source: its file name in its folder, and its set of annotators.
#[derive(Debug, Clone)]
struct Entry {
    folder: u32,
    set: u32,
    name: Box<OsStr>,
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
        let mut found = Found {
            walk_as,
            ..Found::default()
        };
        found.index.lists_sidecars = walk_as == Walk::WithSidecars;
        found.index.sets.push(Arc::from([]));
        found.set_ids.insert(Vec::new(), 0);
        for root in paths {
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
        }
        let mut index = found.index;
        // Kept folder by folder (a subfolder's before its parent's) and path
        // by path: put in path order.
        let mut sidecars = std::mem::take(&mut index.sidecars);
        sidecars.sort_by_cached_key(|s| order_key(&index.sidecar_path_of(s)));
        index.sidecars = sidecars;
        if paths.len() > 1 {
            index.merge_paths();
        }
        index.entries.shrink_to_fit();
        Ok(index)
    }

    /// Each path came out in order; together they may not, and two paths
    /// may reach one file, under the same name or another.
    fn merge_paths(&mut self) {
        let mut entries = std::mem::take(&mut self.entries);
        entries.sort_by_cached_key(|e| order_key(&self.path_of(e)));
        entries.dedup_by(|a, b| self.path_of(a) == self.path_of(b));
        let mut seen = BTreeSet::new();
        entries.retain(|e| {
            let path = self.path_of(e);
            seen.insert(std::fs::canonicalize(&path).unwrap_or(path))
        });
        self.entries = entries;
        let mut sidecars = std::mem::take(&mut self.sidecars);
        sidecars.dedup_by(|a, b| self.sidecar_path_of(a) == self.sidecar_path_of(b));
        // A sidecar given by name whose source was found too is made from it.
        sidecars.retain(|s| !self.is_beside_a_source(&self.sidecar_path_of(s)));
        self.sidecars = sidecars;
    }

    /// Whether `sidecar` is the sidecar of a source of the index, by one of
    /// its annotators.
    fn is_beside_a_source(&self, sidecar: &Path) -> bool {
        let Some((source, annotator)) = sidecar
            .file_name()
            .and_then(OsStr::to_str)
            .and_then(parse_sidecar_name)
        else {
            return false;
        };
        let key = order_key(&sidecar.with_file_name(source));
        self.entries
            .binary_search_by(|e| order_key(&self.path_of(e)).cmp(&key))
            .is_ok_and(|i| self.has(i, annotator))
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

    /// The `i`th source, in path order.
    pub fn source(&self, i: usize) -> Source {
        let entry = &self.entries[i];
        let folder = &self.folders[entry.folder as usize];
        Source {
            path: self.path_of(entry),
            rel: format!("{}{}", folder.rel, entry.name.to_string_lossy()),
            annotators: Arc::clone(&self.sets[entry.set as usize]),
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
        self.entries.iter().map(|e| self.path_of(e)).collect()
    }

    /// The annotators with a sidecar beside the `i`th source.
    pub fn annotators_of(&self, i: usize) -> &[String] {
        &self.sets[self.entries[i].set as usize]
    }

    /// Whether `annotator` has a sidecar beside the `i`th source.
    pub fn has(&self, i: usize, annotator: &str) -> bool {
        has(self.annotators_of(i), annotator)
    }

    /// Keeps the sources `keep` says yes to.
    pub fn retain(&mut self, mut keep: impl FnMut(&Source) -> bool) {
        let kept: Vec<bool> = self.iter().map(|s| keep(&s)).collect();
        let mut kept = kept.into_iter();
        self.entries.retain(|_| kept.next().unwrap_or(false));
    }

    /// Every annotator with at least one sidecar beside a source.
    pub fn annotators(&self) -> BTreeSet<&str> {
        let mut used = vec![false; self.sets.len()];
        for e in &self.entries {
            used[e.set as usize] = true;
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

/// How a walk pairs sidecars with their sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Walk {
    /// Each folder is listed twice, the second time for its sidecars, whose
    /// names are never held: in a flat folder two names in three are
    /// sidecars. For the commands that stream a corpus (export, agree).
    #[default]
    Lean,
    /// Each folder is listed once, its sidecars' names held while it is
    /// read: about a third faster, for the TUI, which holds every source's
    /// path anyway.
    Quick,
    /// As `Lean`, and every sidecar can be listed from the index (check):
    /// those beside a source are made from its name, the others are kept.
    WithSidecars,
}

/// What the walk has found so far.
#[derive(Default)]
struct Found {
    index: CorpusIndex,
    walk_as: Walk,
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

    /// Whether sidecars' names are held while their folder is read.
    fn keeps_sidecar_names(&self) -> bool {
        self.walk_as == Walk::Quick
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

    fn folder(&mut self, path: PathBuf, rel: String) -> u32 {
        self.index.folders.push(Folder { path, rel });
        (self.index.folders.len() - 1) as u32
    }

    /// The number of the folder of a file given by name.
    fn file_folder(&mut self, parent: PathBuf) -> u32 {
        if let Some(&folder) = self.file_folders.get(&parent) {
            return folder;
        }
        let folder = self.folder(parent.clone(), String::new());
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
        self.index.entries.push(Entry {
            folder,
            set,
            name: name.into(),
        });
        Ok(())
    }
}

/// The folder of a file given by name, as given (empty for a bare name), so
/// the path made again from it is the path given.
fn parent_as_given(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// What a folder entry is to the corpus; anything else is passed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Source,
    /// Named like a sidecar. `file` is false for a folder so named: it is
    /// reported by `check`, never walked into (its content is not a corpus).
    Sidecar {
        file: bool,
    },
    Folder,
}

fn kind_of(entry: &DirEntry, name: &OsStr) -> Result<Option<Kind>> {
    let name = name.to_string_lossy();
    if name.starts_with('.') {
        return Ok(None);
    }
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

/// A name in a folder being walked.
struct Item {
    /// The name's first sixteen bytes, big-endian: sorting a folder of
    /// 300,000 names compares these, in the array, and reads a name
    /// elsewhere in memory only when they tie (sixteen, so `001.txt` and
    /// `001.txt.alice.ann.yaml` do not). No name holds a 0, so padding with
    /// 0s sorts a shorter name first, as comparing the names does.
    head: [u64; 2],
    name: Box<OsStr>,
    kind: Kind,
}

impl Item {
    fn new(name: OsString, kind: Kind) -> Item {
        Item {
            head: Item::head_of(&name),
            name: name.into_boxed_os_str(),
            kind,
        }
    }

    fn head_of(name: &OsStr) -> [u64; 2] {
        let mut head = [0u8; 16];
        let bytes = name.as_encoded_bytes();
        let n = bytes.len().min(16);
        head[..n].copy_from_slice(&bytes[..n]);
        let (high, low) = head.split_at(8);
        let word = |b: &[u8]| u64::from_be_bytes(b.try_into().unwrap_or_default());
        [word(high), word(low)]
    }

    /// The order items are sorted in: by head, by name where heads tie.
    fn key(&self) -> ([u64; 2], &OsStr) {
        (self.head, &self.name)
    }
}

/// The place of the source named `name` among `items` (sorted by
/// [`Item::key`]), by binary search: the steps compare heads, in the
/// array, and read a name only where heads tie.
fn find_source(items: &[Item], name: &OsStr) -> Option<u32> {
    let key = (Item::head_of(name), name);
    let at = items.binary_search_by(|item| item.key().cmp(&key)).ok()?;
    (items[at].kind == Kind::Source).then_some(at as u32)
}

/// Lists `dir` (`rel` is its path under the PATH walked, ending in `/`),
/// sorts its names, and takes them in that order, going into each folder
/// where its name falls, so sources and sidecars come out in `Path` order.
///
/// Sidecars are counted beside their sources, from the names held or, in a
/// [`Walk::Lean`] walk, from a second listing of the folder.
fn walk(dir: &Path, rel: &str, found: &mut Found) -> Result<()> {
    let mut items: Vec<Item> = Vec::new();
    let mut sidecars_passed = 0;
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        match kind_of(&entry, &name)? {
            Some(Kind::Sidecar { .. }) if !found.keeps_sidecar_names() => sidecars_passed += 1,
            Some(kind) => items.push(Item::new(name, kind)),
            None => {}
        }
    }
    items.sort_unstable_by(|a, b| a.key().cmp(&b.key()));
    let (sets, unpaired) = annotator_sets(dir, &items, sidecars_passed, found)?;
    // Room for a first folder's sources at once: grown by doubling, the
    // index of a folder of 100,000 held both halves at once at the peak.
    // Later folders grow it by doubling, or many small folders would copy
    // it once each.
    let sources = items.iter().filter(|i| i.kind == Kind::Source).count();
    if found.index.entries.is_empty() {
        found.index.entries.reserve_exact(sources);
    } else {
        found.index.entries.reserve(sources);
    }
    // This folder's number, given when it first holds a source or sidecar.
    let mut folder = None;
    let mut this_folder = |found: &mut Found| {
        *folder.get_or_insert_with(|| found.folder(dir.to_path_buf(), rel.to_string()))
    };
    for name in unpaired {
        let folder = this_folder(found);
        found.index.sidecars.push(Named { folder, name });
    }
    for (at, Item { name, kind, .. }) in items.into_iter().enumerate() {
        match kind {
            Kind::Source => {
                let folder = this_folder(found);
                found.index.entries.push(Entry {
                    folder,
                    set: sets[at],
                    name,
                });
            }
            Kind::Sidecar { .. } => {}
            Kind::Folder => {
                let rel = format!("{rel}{}/", name.to_string_lossy());
                walk(&dir.join(&*name), &rel, found)?;
            }
        }
    }
    Ok(())
}

/// For each of a folder's items (sorted by name), the set of annotators with
/// a sidecar beside it: from the sidecars among the items, or when they were
/// not kept (`passed` of them were seen), from listing the folder again.
/// With them, in a walk that lists sidecars, the names of those beside no
/// source.
fn annotator_sets(
    dir: &Path,
    items: &[Item],
    passed: usize,
    found: &mut Found,
) -> Result<(Vec<u32>, Vec<Box<OsStr>>)> {
    // (item of the source, annotator); as many as sidecars were passed, so
    // the list is not grown by doubling, holding both halves at once.
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(passed);
    let mut unpaired: Vec<Box<OsStr>> = Vec::new();
    if passed > 0 {
        // A binary search of the sorted items by their heads, not a table
        // of the names: the table was the largest thing a corpus command
        // held at its peak (3 MB for a folder of 100,000 sources).
        for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            let name = entry.file_name();
            let Some(Kind::Sidecar { file }) = kind_of(&entry, &name)? else {
                continue;
            };
            if file
                && let Some((source, annotator)) = name.to_str().and_then(parse_sidecar_name)
                && let Some(at) = find_source(items, OsStr::new(source))
            {
                pairs.push((at, found.name_id(annotator)));
            } else if found.lists_sidecars() {
                unpaired.push(name.into_boxed_os_str());
            }
        }
    } else {
        // No table: a source's name is a prefix of its sidecars', and in
        // name order every name between them starts with it too, so the
        // sources that start the current name are a stack, each a prefix of
        // the one above.
        let mut open: Vec<usize> = Vec::new();
        for (at, item) in items.iter().enumerate() {
            let bytes = item.name.as_encoded_bytes();
            while let Some(&top) = open.last()
                && !bytes.starts_with(items[top].name.as_encoded_bytes())
            {
                open.pop();
            }
            match item.kind {
                Kind::Source => open.push(at),
                Kind::Sidecar { file: true } => {
                    if let Some((source, annotator)) =
                        item.name.to_str().and_then(parse_sidecar_name)
                        && let Some(&owner) = open
                            .iter()
                            .rev()
                            .find(|&&o| *items[o].name == *OsStr::new(source))
                    {
                        pairs.push((owner as u32, found.name_id(annotator)));
                    }
                }
                _ => {}
            }
        }
    }
    pairs.sort_unstable();
    let mut sets = vec![0u32; items.len()];
    let mut ids = Vec::new();
    for group in pairs.chunk_by(|a, b| a.0 == b.0) {
        ids.clear();
        ids.extend(group.iter().map(|(_, id)| *id));
        sets[group[0].0 as usize] = found.set_id(&mut ids);
    }
    Ok((sets, unpaired))
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
            let beside: usize = index
                .entries
                .iter()
                .map(|e| index.sets[e.set as usize].len())
                .sum();
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
        Some(order_key(&self.index.path_of(entry)))
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
            let source = self.index.path_of(entry);
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
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
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

    proptest! {
        #[test]
        fn items_sort_as_their_names_do(a in "[^\\x00/]{0,20}", b in "[^\\x00/]{0,20}") {
            let item = |n: &str| Item::new(OsString::from(n), Kind::Source);
            let (x, y) = (item(&a), item(&b));
            prop_assert_eq!(x.key().cmp(&y.key()), OsStr::new(&a).cmp(OsStr::new(&b)));
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
        /// The walk that sorts one folder at a time and pairs sidecars by
        /// prefix finds what a plain reading of the rules finds: every
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
            // A lean walk lists each folder again for its sidecars; the
            // others pair them from the one listing.
            for walk_as in [Walk::Lean, Walk::Quick] {
                let index = CorpusIndex::scan_as(&[dir.path().to_path_buf()], walk_as).unwrap();
                prop_assert_eq!(found(&index), want.clone(), "{:?}", walk_as);
                prop_assert_eq!(index.sidecars().len(), 0);
            }
            let listed = CorpusIndex::scan_with_sidecars(&[dir.path().to_path_buf()]).unwrap();
            prop_assert_eq!(found(&listed), want);
            // Every sidecar-named file, in path order (no folder here is
            // hidden or named like a sidecar).
            let sidecars: Vec<PathBuf> = made
                .iter()
                .filter(|p| p.to_string_lossy().ends_with(SIDECAR_SUFFIX))
                .map(|p| dir.path().join(p))
                .collect();
            prop_assert_eq!(listed.sidecars().collect::<Vec<_>>(), sidecars);
        }
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
