//! Where sidecars live and how they are read and written (DESIGN.md §2, §8):
//! sidecar names, atomic saves, external-change detection, opening an
//! article with its sidecar and re-anchoring it.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use crate::anchor::{self, AnchorReport};
use crate::error::{Error, Result};
use crate::format::{MAX_SIDECAR_BYTES, Sidecar, valid_annotator};
use crate::sentences::SentenceRules;
use crate::text::{Document, sha256_hex};

pub const SIDECAR_SUFFIX: &str = ".ann.yaml";

/// `<source file name>.<annotator>.ann.yaml` beside the source. Built from
/// the name's OS string, so two names that differ only in bytes that are not
/// UTF-8 never share a sidecar.
pub fn sidecar_path(source: &Path, annotator: &str) -> PathBuf {
    let mut name = source.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{annotator}{SIDECAR_SUFFIX}"));
    source.with_file_name(name)
}

/// The source's file name as text; a name that is not UTF-8 is refused (the
/// sidecar records the name as text, and it must say which file it is of).
pub fn utf8_file_name(source: &Path) -> Result<&str> {
    source
        .file_name()
        .unwrap_or_default()
        .to_str()
        .ok_or_else(|| {
            Error::invalid(
                source,
                "the file name is not valid UTF-8; rename the file to annotate it",
            )
        })
}

/// Splits a sidecar file name into (source file name, annotator).
pub fn parse_sidecar_name(file_name: &str) -> Option<(&str, &str)> {
    let stem = file_name.strip_suffix(SIDECAR_SUFFIX)?;
    let (source, annotator) = stem.rsplit_once('.')?;
    (valid_annotator(annotator) && !source.is_empty()).then_some((source, annotator))
}

/// What a file looked like when we read it, to notice changes by others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskStamp {
    pub len: u64,
    pub modified: Option<SystemTime>,
    pub sha256: String,
}

impl DiskStamp {
    fn of_bytes(bytes: &[u8], meta: &std::fs::Metadata) -> DiskStamp {
        DiskStamp {
            len: bytes.len() as u64,
            modified: meta.modified().ok(),
            sha256: sha256_hex(bytes),
        }
    }
}

pub use crate::reading::read_capped;

/// Reads and parses a sidecar. `Ok(None)` when there is none.
pub fn read_sidecar(path: &Path) -> Result<Option<(Sidecar, DiskStamp)>> {
    Ok(read_sidecar_stamped(path, true)?.and_then(|(sidecar, stamp)| Some((sidecar, stamp?))))
}

/// [`read_sidecar`] for a reader that will not write the sidecar back
/// (export, agree, status): the stamp, a hash of the whole file, is left out.
pub fn read_sidecar_only(path: &Path) -> Result<Option<Sidecar>> {
    Ok(read_sidecar_stamped(path, false)?.map(|(sidecar, _)| sidecar))
}

fn read_sidecar_stamped(path: &Path, stamp: bool) -> Result<Option<(Sidecar, Option<DiskStamp>)>> {
    let (bytes, meta) = match read_capped(path, MAX_SIDECAR_BYTES) {
        Ok(read) => read,
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let text = std::str::from_utf8(&bytes).map_err(|e| Error::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.valid_up_to(),
    })?;
    let sidecar = Sidecar::parse(path, text)?;
    Ok(Some((
        sidecar,
        stamp.then(|| DiskStamp::of_bytes(&bytes, &meta)),
    )))
}

/// The current stamp of a file, or None when it does not exist.
pub fn stamp_of(path: &Path) -> Result<Option<DiskStamp>> {
    match read_capped(path, MAX_SIDECAR_BYTES) {
        Ok((bytes, meta)) => Ok(Some(DiskStamp::of_bytes(&bytes, &meta))),
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Temporary files of a save: `.claimtag-<pid>-<random>.tmp`, so stale ones
/// (the saving process was killed) can be told apart and removed.
pub(crate) const TEMP_PREFIX: &str = ".claimtag-";
const TEMP_SUFFIX: &str = ".tmp";

pub(crate) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// tempfile names its temporary file in its errors; the user knows the
/// sidecar, so keep only the cause and let the caller name the sidecar.
/// (Its wrapper's only public face is the text "<cause> at path <temp>".)
pub(crate) fn without_temp_path(e: std::io::Error) -> std::io::Error {
    let Some(inner) = e.get_ref() else {
        return e;
    };
    let text = inner.to_string();
    match text.rsplit_once(" at path ") {
        Some((cause, _)) => std::io::Error::new(e.kind(), cause.to_string()),
        None => e,
    }
}

/// Writes a file atomically: a temporary file in the same folder, fsync,
/// rename over the target, fsync of the folder. A crash leaves the old file or
/// the new one, whole. Errors name `path`, never the temporary file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.file()
        .write_all(bytes)
        .map_err(|e| Error::io(path, without_temp_path(e)))?;
    fault::stop_at("written");
    file.commit()
}

/// Makes renames in `dir` durable; not all platforms allow syncing a folder.
pub(crate) fn sync_folder(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// A file written in full, then put in place in one rename: until
/// [`AtomicFile::commit`] the old file (or none) stays, and dropping it
/// leaves nothing behind. For outputs written as they are made (exports).
pub struct AtomicFile {
    path: PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl AtomicFile {
    /// A temporary file beside `path`, with the mode `path` has (or the
    /// usual mode for a new file).
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let replaces = std::fs::metadata(path).ok().map(|m| m.permissions());
        AtomicFile::create_replacing(path, replaces)
    }

    /// [`AtomicFile::create`] where the permissions of the file at `path`
    /// (`None`: there is none) are known already.
    pub(crate) fn create_replacing(
        path: &Path,
        replaces: Option<std::fs::Permissions>,
    ) -> Result<AtomicFile> {
        let io = |e: std::io::Error| Error::io(path, without_temp_path(e));
        let mut builder = tempfile::Builder::new();
        let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
        builder.prefix(&prefix).suffix(TEMP_SUFFIX);
        // A new file gets the usual mode (0666 less the umask), not tempfile's
        // private 0600: colleagues on a shared corpus must be able to read it.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let tmp = builder.tempfile_in(folder_of(path)).map_err(io)?;
        // Rewriting keeps the old file's mode.
        if let Some(permissions) = replaces {
            tmp.as_file().set_permissions(permissions).map_err(io)?;
        }
        Ok(AtomicFile {
            path: path.to_path_buf(),
            tmp,
        })
    }

    /// The path it will replace.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary file, to write to.
    pub fn file(&mut self) -> &mut std::fs::File {
        self.tmp.as_file_mut()
    }

    /// Closes the temporary file, written in full, to be put in place later
    /// (so many can wait without holding a descriptor each).
    pub(crate) fn close(self) -> ClosedFile {
        ClosedFile {
            path: self.path,
            tmp: self.tmp.into_temp_path(),
        }
    }

    /// Flushes the file to disk and renames it over the path.
    pub fn commit(self) -> Result<()> {
        let path = self.path;
        let io = |e: std::io::Error| Error::io(&path, without_temp_path(e));
        self.tmp.as_file().sync_all().map_err(io)?;
        fault::stop_at("synced");
        self.tmp.persist(&path).map_err(|e| io(e.error))?;
        fault::stop_at("renamed");
        sync_folder(folder_of(&path));
        Ok(())
    }
}

/// A temporary file written in full and closed, not yet in place; dropping
/// it removes it.
pub(crate) struct ClosedFile {
    pub(crate) path: PathBuf,
    tmp: tempfile::TempPath,
}

impl ClosedFile {
    /// Flushes the temporary file to disk, by opening it again.
    pub(crate) fn sync(&self) -> Result<()> {
        std::fs::File::open(&self.tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(&self.path, without_temp_path(e)))
    }

    /// Renames the file over the path; its data must be on disk already.
    pub(crate) fn rename(self) -> Result<()> {
        let path = self.path;
        self.tmp
            .persist(&path)
            .map_err(|e| Error::io(&path, without_temp_path(e.error)))
    }
}

/// Saves a sidecar atomically unless the file on disk is no longer the one we
/// read (`expected`; None means it must not exist yet). Returns the new stamp.
pub fn save_sidecar(
    path: &Path,
    sidecar: &Sidecar,
    expected: Option<&DiskStamp>,
) -> Result<DiskStamp> {
    // Held from reading the file on disk to the rename: another writer
    // cannot slip in between, so the later of two always sees the other's.
    let _lock = crate::lock::SaveLock::acquire(path)?;
    fault::stop_at("locked");
    let current = stamp_of(path)?;
    let unchanged = match (&current, expected) {
        (None, None) => true,
        (Some(c), Some(e)) => c.sha256 == e.sha256,
        _ => false,
    };
    if !unchanged {
        return Err(Error::ChangedOnDisk {
            path: path.to_path_buf(),
        });
    }
    let yaml = sidecar.to_yaml();
    write_atomic(path, yaml.as_bytes())?;
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    Ok(DiskStamp::of_bytes(yaml.as_bytes(), &meta))
}

/// [`remove_stale_temps`] the first time this process opens an article of
/// `dir`; later calls do nothing and return false. Listing the folder at
/// every open made opening every article of a folder quadratic (issue 14).
pub fn remove_stale_temps_once(dir: &Path) -> bool {
    static CLEANED: std::sync::Mutex<BTreeSet<PathBuf>> = std::sync::Mutex::new(BTreeSet::new());
    let first = CLEANED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(dir.to_path_buf());
    if first {
        remove_stale_temps(dir);
    }
    first
}

/// Removes temporary files of saves that never finished (the process was
/// killed) from `dir`: ours by name, left by a process that is gone (or over
/// an hour ago), and not touched for a minute. Returns how many.
pub fn remove_stale_temps(dir: &Path) -> usize {
    use std::time::Duration;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(middle) = name
            .to_str()
            .and_then(|n| n.strip_prefix(TEMP_PREFIX))
            .and_then(|n| n.strip_suffix(TEMP_SUFFIX))
        else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        let age = meta
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .unwrap_or_default();
        let writer_gone = middle
            .split_once('-')
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
            .is_some_and(|pid| !crate::lock::pid_alive(pid));
        let stale = meta.is_file()
            && ((writer_gone && age > Duration::from_secs(60)) || age > Duration::from_secs(3600));
        if stale && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Test-only stops inside a save (between lock, write, fsync and rename), so
/// tests can kill a saving process at each step.
#[cfg(test)]
pub(crate) mod fault {
    pub const ENV: &str = "CLAIMTAG_TEST_STOP_AT";

    pub fn stop_at(point: &str) {
        if std::env::var(ENV).is_ok_and(|p| p == point) {
            eprintln!("stopped at {point}");
            loop {
                std::thread::sleep(std::time::Duration::from_secs(60));
            }
        }
    }
}

#[cfg(not(test))]
mod fault {
    pub fn stop_at(_point: &str) {}
}

/// A source file as a document; a name that is not UTF-8 is refused first
/// (see [`utf8_file_name`]).
fn load_source(source: &Path, rules: Arc<SentenceRules>) -> Result<Arc<Document>> {
    utf8_file_name(source)?;
    Ok(Arc::new(Document::load(source)?.with_sentence_rules(rules)))
}

/// Whether an article is opened to be edited and saved, or only read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Edit,
    Read,
}

/// A source file opened for one annotator.
#[derive(Debug, Clone)]
pub struct Article {
    pub source: PathBuf,
    pub doc: Arc<Document>,
    pub sidecar_path: PathBuf,
    pub sidecar: Sidecar,
    /// The sidecar as read from disk, to detect changes by others. None when
    /// there was no sidecar, or the article was opened only to be read.
    pub stamp: Option<DiskStamp>,
    /// Set when the sidecar could not be read: the article is read-only and the
    /// sidecar is never overwritten.
    pub read_only: Option<String>,
    /// What re-anchoring did, when the source had changed since the sidecar.
    pub anchor: AnchorReport,
}

impl Article {
    /// Opens a source and `annotator`'s sidecar for it. Fails only when the
    /// source cannot be read or decoded; a bad sidecar makes it read-only.
    pub fn open(source: &Path, annotator: &str) -> Result<Article> {
        Self::open_with_rules(source, annotator, SentenceRules::default_rules())
    }

    /// [`Article::open`] with the sentence rules of the corpus's scheme.
    pub fn open_with_rules(
        source: &Path,
        annotator: &str,
        rules: Arc<SentenceRules>,
    ) -> Result<Article> {
        let doc = load_source(source, rules)?;
        Ok(Self::with_doc(source, doc, annotator))
    }

    pub fn with_doc(source: &Path, doc: Arc<Document>, annotator: &str) -> Article {
        Self::assemble(source, doc, annotator, Purpose::Edit)
    }

    /// Opens a source and `annotator`'s sidecar to read them, never to save
    /// (export): a sidecar that is read-only on disk is fine, no leftover
    /// temporary file is cleaned up, and no stamp is taken. `read_only` is
    /// set only when the sidecar could not be read.
    pub fn read(source: &Path, annotator: &str) -> Result<Article> {
        let doc = load_source(source, SentenceRules::default_rules())?;
        Ok(Self::assemble(source, doc, annotator, Purpose::Read))
    }

    fn assemble(source: &Path, doc: Arc<Document>, annotator: &str, purpose: Purpose) -> Article {
        let sidecar_path = sidecar_path(source, annotator);
        let edit = purpose == Purpose::Edit;
        if edit {
            remove_stale_temps_once(folder_of(&sidecar_path));
        }
        let file_name = source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let empty = || Sidecar::new(annotator, &file_name, "", doc.len_chars());
        let (sidecar, stamp, mut read_only) = match read_sidecar_stamped(&sidecar_path, edit) {
            Ok(Some((s, st))) => (s, st, None),
            Ok(None) => (empty(), None, None),
            Err(e) => (empty(), None, Some(e.to_string())),
        };
        if read_only.is_none() && edit {
            read_only = not_writable(source, &sidecar_path);
        }
        let mut article = Article {
            source: source.to_path_buf(),
            doc,
            sidecar_path,
            sidecar,
            stamp,
            read_only,
            anchor: AnchorReport::default(),
        };
        article.check_anchors();
        article
    }

    /// For a read-only article: reads the sidecar again, and when it now
    /// parses and may be written, takes it and becomes writable. Returns
    /// whether it did (the caller says so).
    pub fn retry_read_only(&mut self) -> bool {
        if self.read_only.is_none() {
            return false;
        }
        let fresh = Article::with_doc(&self.source, Arc::clone(&self.doc), &self.sidecar.annotator);
        if fresh.read_only.is_some() {
            // Still unreadable; keep the newest reason.
            self.read_only = fresh.read_only;
            return false;
        }
        *self = fresh;
        true
    }

    fn check_anchors(&mut self) {
        if self.sidecar.annotations.is_empty() {
            return;
        }
        let doc = Arc::clone(&self.doc);
        // A matching hash means every offset still holds; otherwise find each
        // span again by quote and context.
        let fresh = self.sidecar.source.sha256 == doc.sha256()
            && self.sidecar.source.chars == doc.len_chars();
        if !fresh {
            self.anchor = anchor::reanchor(&doc, &mut self.sidecar.annotations);
            self.sidecar.sort();
        }
    }

    pub fn file_name(&self) -> String {
        self.source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// Saves the sidecar (atomic, never over a file changed by someone else,
    /// never when read-only). Updates hash, size and time.
    pub fn save(&mut self) -> Result<()> {
        if let Some(why) = &self.read_only {
            return Err(Error::invalid(
                &self.sidecar_path,
                format!("read-only, not saved: {why}"),
            ));
        }
        self.prepare_for_save();
        let stamp = save_sidecar(&self.sidecar_path, &self.sidecar, self.stamp.as_ref())?;
        self.stamp = Some(stamp);
        Ok(())
    }

    /// Saves unless the sidecar holds what `check` would reject in its labels
    /// and links under `scheme`: a save never writes a file `check` fails.
    pub fn save_checked(&mut self, scheme: &crate::scheme::Scheme) -> Result<()> {
        let problems: Vec<_> = crate::check::structure_problems(&self.sidecar, scheme)
            .into_iter()
            .filter(crate::check::Problem::blocks_save)
            .collect();
        if let Some(first) = problems.first() {
            let more = match problems.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            return Err(Error::invalid(
                &self.sidecar_path,
                format!("not saved: {first}{more}"),
            ));
        }
        self.save()
    }

    /// Overwrites the version on disk (after the user chose to keep theirs),
    /// but never a file that does not parse: that is the rule for every
    /// save. Callers keep a copy of the version on disk first
    /// ([`Article::copy_of_disk_version`]).
    pub fn save_overwriting(&mut self) -> Result<()> {
        if let Err(e) = read_sidecar(&self.sidecar_path) {
            return Err(Error::invalid(
                &self.sidecar_path,
                format!("the file on disk does not parse, so it is not overwritten ({e})"),
            ));
        }
        self.stamp = stamp_of(&self.sidecar_path)?;
        self.save()
    }

    /// Whether the sidecar on disk parses now; the error when it does not.
    pub fn disk_version_error(&self) -> Option<String> {
        read_sidecar(&self.sidecar_path)
            .err()
            .map(|e| e.to_string())
    }

    /// Copies the sidecar on disk, as it is, to `to` (a recovery file),
    /// before it is overwritten. Nothing to copy is not an error.
    pub fn copy_of_disk_version(&self, to: &Path) -> Result<bool> {
        match read_capped(&self.sidecar_path, MAX_SIDECAR_BYTES) {
            Ok((bytes, _)) => write_atomic(to, &bytes).map(|()| true),
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    fn prepare_for_save(&mut self) {
        self.sidecar.source.file = self.file_name();
        self.sidecar.source.sha256 = self.doc.sha256().to_string();
        self.sidecar.source.chars = self.doc.len_chars();
        self.sidecar.updated = crate::format::now_utc();
        self.sidecar.sort();
    }

    /// Whether the sidecar on disk differs from what we read or wrote last.
    pub fn changed_on_disk(&self) -> bool {
        match stamp_of(&self.sidecar_path) {
            Ok(now) => now.map(|s| s.sha256) != self.stamp.as_ref().map(|s| s.sha256.clone()),
            Err(_) => false,
        }
    }
}

/// Why a sidecar that parsed must still not be written: the file (or, for a
/// new one, the source's name) is marked read-only on disk. Respecting the
/// mode matters even for root, who could write it anyway.
fn not_writable(source: &Path, sidecar: &Path) -> Option<String> {
    if let Err(e) = utf8_file_name(source) {
        return Some(e.to_string());
    }
    let meta = std::fs::metadata(sidecar).ok()?;
    meta.permissions().readonly().then(|| {
        format!(
            "{}: the file is read-only on disk; opened read-only",
            sidecar.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Annotation;

    #[test]
    fn names() {
        assert_eq!(
            sidecar_path(Path::new("d/001.txt"), "alice"),
            Path::new("d/001.txt.alice.ann.yaml")
        );
        assert_eq!(
            parse_sidecar_name("001.txt.alice.ann.yaml"),
            Some(("001.txt", "alice"))
        );
        assert_eq!(parse_sidecar_name("001.txt.a b.ann.yaml"), None);
    }

    #[test]
    fn save_is_atomic_and_refuses_to_clobber() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("a.txt");
        std::fs::write(&src, "Hello world. Second sentence.").unwrap();
        let mut art = Article::open(&src, "alice").unwrap();
        let id = art.sidecar.fresh_id();
        let a = anchor::new_annotation(&art.doc, 0..12, "claim", id);
        art.sidecar.annotations.push(a);
        art.save().unwrap();
        let again = Article::open(&src, "alice").unwrap();
        assert_eq!(again.sidecar.annotations[0].text, "Hello world.");
        assert_eq!(again.read_only, None);
        // someone else writes the file: our save must not clobber it
        std::fs::write(&art.sidecar_path, again.sidecar.to_yaml() + "# edited\n").unwrap();
        art.sidecar.annotations.clear();
        assert!(art.changed_on_disk());
        assert!(matches!(art.save(), Err(Error::ChangedOnDisk { .. })));
        art.save_overwriting().unwrap();
        // no temporary files left behind
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn atomic_writes_keep_or_give_the_usual_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.yaml");
        write_atomic(&p, b"one").unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        // 0666 less the process's umask (Linux reports it in /proc), not 0600
        let umask = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("Umask:"))
                    .and_then(|u| u32::from_str_radix(u.trim(), 8).ok())
            });
        if let Some(umask) = umask {
            assert_eq!(mode, 0o666 & !umask, "{mode:o}");
        }
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o640
        );
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
    }

    #[test]
    fn bad_sidecar_is_read_only_and_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("a.txt");
        std::fs::write(&src, "text").unwrap();
        let side = sidecar_path(&src, "bob");
        std::fs::write(&side, "format: claimtag/1\nannotations: [\n").unwrap();
        let mut art = Article::open(&src, "bob").unwrap();
        let why = art.read_only.clone().unwrap();
        assert!(why.contains("a.txt.bob.ann.yaml:"), "{why}");
        assert!(art.save().is_err());
        assert_eq!(
            std::fs::read_to_string(&side).unwrap(),
            "format: claimtag/1\nannotations: [\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_never_share_a_sidecar() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let fe = dir.path().join(std::ffi::OsStr::from_bytes(b"bad\xfe.txt"));
        let ff = dir.path().join(std::ffi::OsStr::from_bytes(b"bad\xff.txt"));
        assert_ne!(sidecar_path(&fe, "alice"), sidecar_path(&ff, "alice"));
        std::fs::write(&fe, "text").unwrap();
        let e = Article::open(&fe, "alice").unwrap_err().to_string();
        assert!(
            e.ends_with("the file name is not valid UTF-8; rename the file to annotate it"),
            "{e}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_sidecar_opens_read_only_and_is_not_replaced() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("a.txt");
        std::fs::write(&src, "Hello world.").unwrap();
        let mut art = Article::open(&src, "alice").unwrap();
        art.save().unwrap();
        let side = art.sidecar_path.clone();
        std::fs::set_permissions(&side, std::fs::Permissions::from_mode(0o444)).unwrap();
        let before = std::fs::read(&side).unwrap();
        let mut art = Article::open(&src, "alice").unwrap();
        let why = art.read_only.clone().expect("must open read-only");
        assert!(
            why.ends_with("the file is read-only on disk; opened read-only"),
            "{why}"
        );
        assert!(art.save().is_err());
        assert_eq!(std::fs::read(&side).unwrap(), before);
        // Made writable again: the pane recovers on a retry.
        std::fs::set_permissions(&side, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(art.retry_read_only());
        assert_eq!(art.read_only, None);
        art.save().unwrap();
    }

    #[test]
    fn a_fixed_sidecar_makes_a_read_only_article_writable_again() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("a.txt");
        std::fs::write(&src, "Hello world.").unwrap();
        let mut good = Article::open(&src, "bob").unwrap();
        let id = good.sidecar.fresh_id();
        good.sidecar
            .annotations
            .push(anchor::new_annotation(&good.doc, 0..5, "claim", id));
        good.save().unwrap();
        let yaml = std::fs::read_to_string(&good.sidecar_path).unwrap();
        std::fs::write(&good.sidecar_path, "format: [\n").unwrap();
        let mut art = Article::open(&src, "bob").unwrap();
        assert!(art.read_only.is_some());
        assert!(!art.retry_read_only(), "still broken");
        std::fs::write(&good.sidecar_path, yaml).unwrap();
        assert!(art.retry_read_only());
        assert_eq!(art.read_only, None);
        assert_eq!(art.sidecar.annotations.len(), 1);
    }

    #[test]
    fn a_failed_save_names_the_sidecar_not_the_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let side = dir.path().join("gone/a.txt.alice.ann.yaml");
        let e = write_atomic(&side, b"x").unwrap_err().to_string();
        assert!(e.starts_with(&side.display().to_string()), "{e}");
        assert!(!e.contains(".claimtag-"), "{e}");
    }

    #[test]
    fn keeping_mine_never_overwrites_a_file_that_does_not_parse() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("a.txt");
        std::fs::write(&src, "Hello world.").unwrap();
        let mut art = Article::open(&src, "alice").unwrap();
        art.save().unwrap();
        std::fs::write(&art.sidecar_path, "format: [\n").unwrap();
        assert!(art.disk_version_error().is_some());
        let e = art.save_overwriting().unwrap_err().to_string();
        assert!(
            e.contains("does not parse, so it is not overwritten"),
            "{e}"
        );
        assert_eq!(
            std::fs::read_to_string(&art.sidecar_path).unwrap(),
            "format: [\n"
        );
        // A version on disk that parses is copied before it is overwritten.
        let theirs = Article::open(&src, "bob").unwrap().sidecar.to_yaml();
        std::fs::write(&art.sidecar_path, &theirs).unwrap();
        let copy = dir.path().join("theirs.recovered");
        assert!(art.copy_of_disk_version(&copy).unwrap());
        assert_eq!(std::fs::read_to_string(&copy).unwrap(), theirs);
        art.save_overwriting().unwrap();
    }

    #[test]
    fn a_save_never_writes_what_check_rejects() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("a.txt");
        std::fs::write(&src, "Alpha said it. Beta saw it.").unwrap();
        let mut art = Article::open(&src, "alice").unwrap();
        let scheme = crate::scheme::Scheme::default();
        art.sidecar.annotations.push(anchor::new_annotation(
            &art.doc,
            0..14,
            "denial",
            "a1".into(),
        ));
        let mut ev = anchor::new_annotation(&art.doc, 15..27, "evidence", "a2".into());
        ev.links.push(crate::format::Link {
            rel: "refutes".into(),
            to: "a1".into(),
        });
        art.sidecar.annotations.push(ev);
        let e = art.save_checked(&scheme).unwrap_err().to_string();
        assert!(e.contains("not saved:") && e.contains("refutes"), "{e}");
        assert!(!art.sidecar_path.exists());
        crate::relabel::relabel(&mut art.sidecar, "a1", "claim", &scheme).unwrap();
        art.save_checked(&scheme).unwrap();
    }

    /// Issue 15: a sidecar with unresolved merge conflicts (both versions
    /// kept, marked `conflict:`) is still a file claimtag writes: the TUI
    /// saves its merge result and keeps saving while the conflicts are settled.
    #[test]
    fn a_save_keeps_unresolved_merge_conflicts() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("a.txt");
        std::fs::write(&src, "Alpha said it. Beta saw it.").unwrap();
        let mut art = Article::open(&src, "alice").unwrap();
        let scheme = crate::scheme::Scheme::default();
        let base = anchor::new_annotation(&art.doc, 0..14, "claim", "x1".into());
        let (mut ours, mut theirs) = (art.sidecar.clone(), art.sidecar.clone());
        let mut b = art.sidecar.clone();
        b.annotations.push(base.clone());
        ours.annotations.push(base.clone());
        theirs.annotations.push(base);
        ours.annotations[0].label = "denial".into();
        theirs.annotations[0].label = "evidence".into();
        let merged = crate::merge::merge(Some(&b), &ours, &theirs, |_| None);
        assert_eq!(merged.report.conflicts.len(), 1);
        art.sidecar = merged.sidecar;
        art.save_checked(&scheme).unwrap();
        let back = read_sidecar(&art.sidecar_path).unwrap().unwrap().0;
        assert_eq!(crate::merge::mark::count_open(&back), 1);
    }

    #[test]
    fn changed_source_is_reanchored() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("a.txt");
        std::fs::write(&src, "Alpha said this. Beta denied it.").unwrap();
        let mut art = Article::open(&src, "alice").unwrap();
        let id = art.sidecar.fresh_id();
        art.sidecar
            .annotations
            .push(anchor::new_annotation(&art.doc, 17..32, "denial", id));
        art.save().unwrap();
        std::fs::write(&src, "Intro. Alpha said this. Beta denied it.").unwrap();
        let art = Article::open(&src, "alice").unwrap();
        assert_eq!(art.anchor.moved, 1);
        let a: &Annotation = &art.sidecar.annotations[0];
        assert_eq!(art.doc.slice_chars(a.start, a.end), Some("Beta denied it."));
    }
}

/// Saves killed at each step, and two processes saving one sidecar at once.
/// The children are this test binary run again on an ignored test, told what
/// to do by environment variables.
#[cfg(all(test, unix))]
mod crash_tests {
    use super::*;
    use std::io::{BufRead, BufReader};
    use std::process::{Child, Command, Stdio};

    const CHILD: &str = "CLAIMTAG_TEST_CHILD";
    const SOURCE: &str = "CLAIMTAG_TEST_SOURCE";
    const TEXT: &str = "One two three four five six seven eight nine ten.";

    /// Adds `count` annotations with notes `<tag>-<i>` to the sidecar of
    /// SOURCE, each in its own save; a save refused because the file changed
    /// meanwhile is redone on the new file.
    fn add_notes(tag: &str, count: usize) {
        let source = PathBuf::from(std::env::var(SOURCE).unwrap());
        for i in 0..count {
            loop {
                let mut art = Article::open(&source, "alice").unwrap();
                let id = format!("{tag}{i}");
                let mut a = anchor::new_annotation(&art.doc, 0..3, "claim", id);
                a.note = Some(format!("{tag}-{i}"));
                art.sidecar.annotations.push(a);
                match art.save() {
                    Ok(()) => break,
                    Err(Error::ChangedOnDisk { .. }) => continue,
                    Err(e) => panic!("{e}"),
                }
            }
        }
    }

    #[test]
    #[ignore = "run by the tests below as a child process"]
    fn child() {
        if let Ok(what) = std::env::var(CHILD) {
            let (tag, count) = what.split_once(':').unwrap();
            add_notes(tag, count.parse().unwrap());
        }
    }

    fn spawn(source: &Path, what: &str, stop_at: Option<&str>) -> Child {
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.args([
            "--exact",
            "store::crash_tests::child",
            "--ignored",
            "--nocapture",
        ])
        .env(CHILD, what)
        .env(SOURCE, source)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
        match stop_at {
            Some(p) => cmd.env(fault::ENV, p),
            None => cmd.env_remove(fault::ENV),
        };
        cmd.spawn().unwrap()
    }

    fn notes(side: &Path) -> Vec<String> {
        let (s, _) = read_sidecar(side).unwrap().unwrap();
        let mut n: Vec<String> = s.annotations.into_iter().filter_map(|a| a.note).collect();
        n.sort();
        n
    }

    fn corpus() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("a.txt");
        std::fs::write(&src, TEXT).unwrap();
        (dir, src)
    }

    #[test]
    fn killed_at_any_step_of_a_save_leaves_the_old_or_the_new_file_whole() {
        for (point, saved) in [
            ("locked", false),
            ("written", false),
            ("synced", false),
            ("renamed", true),
        ] {
            let (_dir, src) = corpus();
            let side = sidecar_path(&src, "alice");
            // The old file: one save that went through.
            let mut first = spawn(&src, "old:1", None);
            assert!(first.wait().unwrap().success());
            assert_eq!(notes(&side), ["old-0"]);
            // The new save, stopped at `point` and killed there.
            let mut child = spawn(&src, "new:1", Some(point));
            let mut err = BufReader::new(child.stderr.take().unwrap());
            let mut line = String::new();
            while !line.contains("stopped at") {
                line.clear();
                assert!(err.read_line(&mut line).unwrap() > 0, "child ended early");
            }
            child.kill().unwrap();
            child.wait().unwrap();
            let want: &[&str] = if saved {
                &["new-0", "old-0"]
            } else {
                &["old-0"]
            };
            assert_eq!(notes(&side), want, "killed at {point}");
            // The next save goes through (the killed one's lock is gone).
            let mut after = spawn(&src, "after:1", None);
            assert!(after.wait().unwrap().success(), "after a kill at {point}");
            assert!(notes(&side).contains(&"after-0".to_string()));
        }
    }

    #[test]
    fn two_processes_saving_one_sidecar_in_a_loop_lose_nothing() {
        const EACH: usize = 25;
        let (_dir, src) = corpus();
        let mut a = spawn(&src, "p:25", None);
        let mut b = spawn(&src, "q:25", None);
        assert!(a.wait().unwrap().success());
        assert!(b.wait().unwrap().success());
        let got = notes(&sidecar_path(&src, "alice"));
        let mut want: Vec<String> = (0..EACH)
            .flat_map(|i| [format!("p-{i}"), format!("q-{i}")])
            .collect();
        want.sort();
        assert_eq!(got, want, "a save was lost");
    }

    #[test]
    fn stale_temporary_files_of_a_killed_save_are_removed_at_open() {
        let (dir, src) = corpus();
        let mut done = Command::new("true").spawn().unwrap();
        let dead = done.id();
        done.wait().unwrap();
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(120);
        let stale = dir.path().join(format!(".claimtag-{dead}-abc.tmp"));
        let live = dir
            .path()
            .join(format!(".claimtag-{}-def.tmp", std::process::id()));
        let other = dir.path().join(".other-1-x.tmp");
        for p in [&stale, &live, &other] {
            std::fs::File::create(p).unwrap().set_modified(old).unwrap();
        }
        Article::open(&src, "alice").unwrap();
        assert!(!stale.exists(), "a dead writer's temp file stays");
        assert!(live.exists(), "a live writer's temp file was removed");
        assert!(other.exists(), "a file not ours was removed");
    }

    #[test]
    fn a_folder_is_listed_for_stale_temporary_files_once_per_process() {
        let (dir, src) = corpus();
        let other = dir.path().join("002.txt");
        std::fs::write(&other, "Another article.").unwrap();
        assert!(remove_stale_temps_once(dir.path()));
        Article::open(&src, "alice").unwrap();
        Article::open(&other, "bob").unwrap();
        assert!(
            !remove_stale_temps_once(dir.path()),
            "opening articles listed the folder again"
        );
    }
}
