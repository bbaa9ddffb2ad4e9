//! The corpus index: one walk over the paths given, knowing every source and,
//! for each, the annotators that have a sidecar beside it (`gold` included).
//! Every command that works on a corpus (annotate, review, agree, export,
//! import, check) starts here, so a folder is listed once, whatever its size.

use std::collections::{BTreeSet, HashMap};
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use walkdir::WalkDir;

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
    /// Annotators with a sidecar beside this source, sorted.
    pub annotators: Vec<String>,
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
    /// valid or its source exists (what `check` looks at).
    pub sidecars: Vec<PathBuf>,
}

impl CorpusIndex {
    /// Walks the paths once: folders recursively (hidden entries skipped,
    /// symbolic links to folders not followed, so a link to a parent cannot
    /// loop), a source file as itself with the sidecars beside it, a sidecar
    /// as itself. A path that cannot be read is an error.
    pub fn scan(paths: &[PathBuf]) -> Result<CorpusIndex> {
        let mut sources: Vec<Source> = Vec::new();
        let mut sidecars: Vec<PathBuf> = Vec::new();
        // Source path -> annotators, filled from sidecar names as they come.
        let mut beside: HashMap<OsString, Vec<String>> = HashMap::new();
        // Folders of single files given, listed once each.
        let mut listed: BTreeSet<PathBuf> = BTreeSet::new();
        for root in paths {
            let meta = std::fs::metadata(root).map_err(|e| Error::io(root, e))?;
            if meta.is_dir() {
                walk(root, &mut sources, &mut sidecars, &mut beside)?;
            } else if is_sidecar_name(root) {
                sidecars.push(root.clone());
            } else {
                let dir = folder_of(root);
                if listed.insert(dir.clone()) {
                    list_sidecars(&dir, &mut beside)?;
                }
                if let Some(name) = root.file_name() {
                    for a in beside.get(&beside_key(root)).into_iter().flatten() {
                        sidecars.push(sidecar_path(root, a));
                    }
                    sources.push(Source {
                        rel: name.to_string_lossy().into_owned(),
                        path: root.clone(),
                        annotators: Vec::new(),
                    });
                }
            }
        }
        for s in &mut sources {
            let key = beside_key(&s.path);
            if let Some(names) = beside.get(&key) {
                s.annotators = names.clone();
                s.annotators.sort();
                s.annotators.dedup();
            }
        }
        sources.sort_by_cached_key(|s| order_key(&s.path));
        sources.dedup_by(|a, b| a.path == b.path);
        if paths.len() > 1 {
            // Two paths may reach one file under different names.
            let mut seen = BTreeSet::new();
            sources.retain(|s| {
                seen.insert(std::fs::canonicalize(&s.path).unwrap_or_else(|_| s.path.clone()))
            });
        }
        sidecars.sort_by_cached_key(|p| order_key(p));
        sidecars.dedup();
        Ok(CorpusIndex { sources, sidecars })
    }

    /// Every annotator with at least one sidecar beside a source.
    pub fn annotators(&self) -> BTreeSet<&str> {
        self.sources
            .iter()
            .flat_map(|s| s.annotators.iter().map(String::as_str))
            .collect()
    }

    /// Whether any source has a `gold` sidecar.
    pub fn has_gold(&self) -> bool {
        self.sources.iter().any(|s| s.has(GOLD))
    }

    pub fn source_paths(&self) -> Vec<PathBuf> {
        self.sources.iter().map(|s| s.path.clone()).collect()
    }
}

fn walk(
    root: &Path,
    sources: &mut Vec<Source>,
    sidecars: &mut Vec<PathBuf>,
    beside: &mut HashMap<OsString, Vec<String>>,
) -> Result<()> {
    let entries = WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in entries {
        let entry = entry.map_err(|e| walk_error(root, e))?;
        if entry.depth() == 0 {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        // Anything named like a sidecar is one to check, a folder or FIFO
        // too (reported, never silently passed over).
        if name.ends_with(SIDECAR_SUFFIX) {
            if entry.file_type().is_dir() {
                // Not walked into: its content is not a corpus.
                sidecars.push(entry.path().to_path_buf());
                continue;
            }
            note_sidecar(entry.path(), &name, beside);
            sidecars.push(entry.path().to_path_buf());
        } else if entry.file_type().is_dir() {
            continue;
        } else if is_source_name(&name)
            // A link to a file counts as the file; a link to a folder is skipped.
            && (entry.file_type().is_file() || entry.path().is_file())
        {
            let path = entry.path().to_path_buf();
            let rel = relative_slash_path(path.strip_prefix(root).unwrap_or(&path));
            sources.push(Source {
                path,
                rel,
                annotators: Vec::new(),
            });
        }
    }
    Ok(())
}

/// The sidecars directly in one folder (for a source file given by name).
fn list_sidecars(dir: &Path, beside: &mut HashMap<OsString, Vec<String>>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.ends_with(SIDECAR_SUFFIX) {
            note_sidecar(&entry.path(), &name, beside);
        }
    }
    Ok(())
}

fn note_sidecar(path: &Path, name: &str, beside: &mut HashMap<OsString, Vec<String>>) {
    if let Some((source, annotator)) = parse_sidecar_name(name) {
        let key = beside_key(&folder_of(path).join(source));
        beside.entry(key).or_default().push(annotator.to_string());
    }
}

/// The key a source is known by in `beside`: its path without `.` parts, so a
/// file given as `./a.txt` meets the sidecars listed from `.`.
/// The key a source's sidecars are found under: its path without `.`
/// components, as bytes (hashing a `PathBuf` walks its components).
fn beside_key(path: &Path) -> OsString {
    path.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect::<PathBuf>()
        .into_os_string()
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

fn walk_error(root: &Path, e: walkdir::Error) -> Error {
    let path = e.path().unwrap_or(root).to_path_buf();
    match e.into_io_error() {
        Some(io) => Error::io(path, io),
        None => Error::invalid(path, "file system loop"),
    }
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
        let index = CorpusIndex::scan(&[dir.path().to_path_buf()]).unwrap();
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
        assert_eq!(index.sources[0].annotators, ["bob"]);
        let alone = CorpusIndex::scan(std::slice::from_ref(&a)).unwrap();
        assert_eq!(alone.sources[0].rel, "a.txt");
        assert_eq!(alone.sources[0].annotators, ["bob"]);
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
