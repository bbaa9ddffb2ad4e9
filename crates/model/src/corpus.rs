//! The corpus index: one walk over the paths given, knowing every source and,
//! for each, the annotators that have a sidecar beside it (`gold` included).
//! Every command that works on a corpus (annotate, review, agree, export,
//! import, check) starts here, so a folder is listed once, whatever its size.
//!
//! The walk lists one folder at a time and sorts that folder's names, then
//! goes depth first: what comes out is already in `Path` order, so nothing
//! the size of the corpus is sorted, hashed or held beyond the index itself.
//! Sources with the same annotators share one list of names.

use std::collections::{BTreeSet, HashMap};
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
        self.annotators
            .binary_search_by(|a| a.as_str().cmp(annotator))
            .is_ok()
    }

    pub fn sidecar_path(&self, annotator: &str) -> PathBuf {
        sidecar_path(&self.path, annotator)
    }
}

/// Sources and sidecars under a set of paths.
#[derive(Debug, Clone, Default)]
pub struct CorpusIndex {
    /// Sorted by path; each file once even when two paths reach it.
    pub sources: Vec<Source>,
    /// Every `*.ann.yaml` found, sorted and unique, whether or not its name is
    /// valid or its source exists (what `check` looks at). Listed only by
    /// [`CorpusIndex::scan_with_sidecars`]: the other commands reach a
    /// sidecar through its source, and a corpus has twice as many of them.
    pub sidecars: Vec<PathBuf>,
}

impl CorpusIndex {
    /// Walks the paths once: folders recursively (hidden entries skipped,
    /// symbolic links to folders not followed, so a link to a parent cannot
    /// loop), a source file as itself with the sidecars beside it. A path that
    /// cannot be read is an error.
    pub fn scan(paths: &[PathBuf]) -> Result<CorpusIndex> {
        Self::scan_listing(paths, false)
    }

    /// [`CorpusIndex::scan`], also listing every sidecar (a sidecar given as
    /// a path is listed as itself).
    pub fn scan_with_sidecars(paths: &[PathBuf]) -> Result<CorpusIndex> {
        Self::scan_listing(paths, true)
    }

    fn scan_listing(paths: &[PathBuf], list_sidecars: bool) -> Result<CorpusIndex> {
        let mut found = Found {
            sidecars: list_sidecars.then(Vec::new),
            ..Found::default()
        };
        for root in paths {
            let meta = std::fs::metadata(root).map_err(|e| Error::io(root, e))?;
            if meta.is_dir() {
                walk(root, root, &mut found)?;
            } else if is_sidecar_name(root) {
                if let Some(list) = &mut found.sidecars {
                    list.push(root.clone());
                }
            } else {
                found.file(root)?;
            }
        }
        let mut sources = found.sources;
        let mut sidecars = found.sidecars.unwrap_or_default();
        if paths.len() > 1 {
            // Each path came out in order; together they may not, and two
            // paths may reach one file, under the same name or another.
            sources.sort_by_cached_key(|s| order_key(&s.path));
            sources.dedup_by(|a, b| a.path == b.path);
            let mut seen = BTreeSet::new();
            sources.retain(|s| {
                seen.insert(std::fs::canonicalize(&s.path).unwrap_or_else(|_| s.path.clone()))
            });
            sidecars.sort_by_cached_key(|p| order_key(p));
            sidecars.dedup();
        }
        Ok(CorpusIndex { sources, sidecars })
    }

    /// Every annotator with at least one sidecar beside a source.
    pub fn annotators(&self) -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        let mut last: Option<&Arc<[String]>> = None;
        for s in &self.sources {
            // Neighbours mostly share one list: look at each list once.
            if last.is_some_and(|l| Arc::ptr_eq(l, &s.annotators)) {
                continue;
            }
            out.extend(s.annotators.iter().map(String::as_str));
            last = Some(&s.annotators);
        }
        out
    }

    /// Whether any source has a `gold` sidecar.
    pub fn has_gold(&self) -> bool {
        self.sources.iter().any(|s| s.has(GOLD))
    }

    pub fn source_paths(&self) -> Vec<PathBuf> {
        self.sources.iter().map(|s| s.path.clone()).collect()
    }
}

/// What the walk has found so far.
#[derive(Default)]
struct Found {
    sources: Vec<Source>,
    /// `None` when sidecars are not wanted.
    sidecars: Option<Vec<PathBuf>>,
    /// One shared list per set of annotators seen.
    annotator_sets: HashMap<Vec<String>, Arc<[String]>>,
    /// Folders of files given by name: source name -> annotators beside it.
    listed: HashMap<PathBuf, HashMap<OsString, Vec<String>>>,
}

impl Found {
    fn annotators(&mut self, mut names: Vec<String>) -> Arc<[String]> {
        names.sort();
        names.dedup();
        self.annotator_sets
            .entry(names)
            .or_insert_with_key(|names| names.as_slice().into())
            .clone()
    }

    /// A source file given by name, with the sidecars beside it. Its folder
    /// is listed once however many of its files are given (a shell glob).
    fn file(&mut self, path: &Path) -> Result<()> {
        let Some(name) = path.file_name() else {
            return Ok(());
        };
        let dir = folder_of(path);
        if !self.listed.contains_key(&dir) {
            let mut beside: HashMap<OsString, Vec<String>> = HashMap::new();
            for entry in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))? {
                let entry = entry.map_err(|e| Error::io(&dir, e))?;
                if let Some((source, annotator)) =
                    entry.file_name().to_str().and_then(parse_sidecar_name)
                {
                    beside
                        .entry(source.into())
                        .or_default()
                        .push(annotator.to_string());
                }
            }
            self.listed.insert(dir.clone(), beside);
        }
        let names = self.listed[&dir].get(name).cloned().unwrap_or_default();
        let annotators = self.annotators(names);
        if let Some(list) = &mut self.sidecars {
            let mut paths: Vec<PathBuf> =
                annotators.iter().map(|a| sidecar_path(path, a)).collect();
            paths.sort();
            list.extend(paths);
        }
        self.sources.push(Source {
            rel: name.to_string_lossy().into_owned(),
            path: path.to_path_buf(),
            annotators,
        });
        Ok(())
    }
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

/// Lists `dir`, then walks its entries in name order, going into each folder
/// where its name falls, so every list comes out in `Path` order.
///
/// A sidecar's source is found without a lookup table: its name is a prefix
/// of the sidecar's, and in name order every name between the two starts
/// with it too. So the sources whose names start the current name are a
/// stack (each a prefix of the one above), and a source's sidecars have all
/// been seen when it is popped.
fn walk(dir: &Path, root: &Path, found: &mut Found) -> Result<()> {
    let mut entries: Vec<(OsString, Kind)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        if let Some(kind) = kind_of(&entry, &name)? {
            entries.push((name, kind));
        }
    }
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // (entry, its place in `found.sources`, its annotators so far)
    let mut open: Vec<(usize, usize, Vec<String>)> = Vec::new();
    for (at, (name, kind)) in entries.iter().enumerate() {
        let bytes = name.as_encoded_bytes();
        while let Some(&(top, ..)) = open.last()
            && !bytes.starts_with(entries[top].0.as_encoded_bytes())
        {
            close(&mut open, found);
        }
        let path = dir.join(name);
        match kind {
            Kind::Source => {
                let rel = relative_slash_path(path.strip_prefix(root).unwrap_or(&path));
                open.push((at, found.sources.len(), Vec::new()));
                found.sources.push(Source {
                    path,
                    rel,
                    annotators: Arc::from([]),
                });
            }
            Kind::Sidecar { file } => {
                if *file
                    && let Some((source, annotator)) = name.to_str().and_then(parse_sidecar_name)
                    && let Some(owner) = open
                        .iter_mut()
                        .rev()
                        .find(|(entry, ..)| entries[*entry].0 == OsStr::new(source))
                {
                    owner.2.push(annotator.to_string());
                }
                if let Some(list) = &mut found.sidecars {
                    list.push(path);
                }
            }
            Kind::Folder => walk(&path, root, found)?,
        }
    }
    while !open.is_empty() {
        close(&mut open, found);
    }
    Ok(())
}

/// Gives the source on top of the stack its annotators.
fn close(open: &mut Vec<(usize, usize, Vec<String>)>, found: &mut Found) {
    if let Some((_, place, names)) = open.pop()
        && !names.is_empty()
    {
        found.sources[place].annotators = found.annotators(names);
    }
}

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
        let got: Vec<(&str, Vec<&str>)> = index
            .sources
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
            .sidecars
            .iter()
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
            .sources
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
        let [a, b, c] = &index.sources[..] else {
            panic!("{:?}", index.sources)
        };
        assert_eq!(*a.annotators, ["alice", "bob"]);
        assert!(Arc::ptr_eq(&a.annotators, &b.annotators));
        assert!(c.annotators.is_empty());
        assert!(index.sidecars.is_empty(), "listed only when asked");
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
            let index = CorpusIndex::scan(&[dir.path().to_path_buf()]).unwrap();
            prop_assert_eq!(found(&index), want);
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
        let rels: Vec<_> = index.sources.iter().map(|s| s.rel.as_str()).collect();
        assert_eq!(rels, ["a.txt", "ab.txt"]);
        assert_eq!(*index.sources[0].annotators, ["bob"]);
        let alone = CorpusIndex::scan_with_sidecars(std::slice::from_ref(&a)).unwrap();
        assert_eq!(alone.sources[0].rel, "a.txt");
        assert_eq!(*alone.sources[0].annotators, ["bob"]);
        assert_eq!(alone.sidecars, [dir.path().join("a.txt.bob.ann.yaml")]);
        assert!(CorpusIndex::scan(&[dir.path().join("missing")]).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_parent_folder_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), &["sub/a.txt"]);
        std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/up")).unwrap();
        let index = CorpusIndex::scan(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(index.sources.len(), 1);
    }

    #[test]
    fn short_hashes() {
        assert_eq!(short_hash("abc"), "abc");
        assert_eq!(short_hash(""), "(empty)");
        assert_eq!(short_hash("0123456789abcdef"), "0123456789ab");
    }
}
