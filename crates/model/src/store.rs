//! Where sidecars live and how they are read and written (DESIGN.md §2, §8):
//! sidecar names, atomic saves, external-change detection, opening an
//! article with its sidecar and re-anchoring it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use crate::anchor::{self, AnchorReport};
use crate::error::{Error, Result};
use crate::format::{MAX_SIDECAR_BYTES, Sidecar, valid_annotator};
use crate::text::{Document, sha256_hex};

pub const SIDECAR_SUFFIX: &str = ".ann.yaml";

/// `<source file name>.<annotator>.ann.yaml` beside the source.
pub fn sidecar_path(source: &Path, annotator: &str) -> PathBuf {
    let name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    source.with_file_name(format!("{name}.{annotator}{SIDECAR_SUFFIX}"))
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

/// Reads a file of at most `limit` bytes.
pub fn read_capped(path: &Path, limit: u64) -> Result<(Vec<u8>, std::fs::Metadata)> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.len() > limit {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            size: meta.len(),
            limit,
        });
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    Ok((bytes, meta))
}

/// Reads and parses a sidecar. `Ok(None)` when there is none.
pub fn read_sidecar(path: &Path) -> Result<Option<(Sidecar, DiskStamp)>> {
    if !path.exists() {
        return Ok(None);
    }
    let (bytes, meta) = read_capped(path, MAX_SIDECAR_BYTES)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| Error::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.valid_up_to(),
    })?;
    let sidecar = Sidecar::parse(path, text)?;
    Ok(Some((sidecar, DiskStamp::of_bytes(&bytes, &meta))))
}

/// The current stamp of a file, or None when it does not exist.
pub fn stamp_of(path: &Path) -> Result<Option<DiskStamp>> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
            Ok(Some(DiskStamp::of_bytes(&bytes, &meta)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Writes a file atomically: a temporary file in the same folder, fsync,
/// rename over the target, fsync of the folder. A crash leaves the old file or
/// the new one, whole.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".claimtag-").suffix(".tmp");
    // A new file gets the usual mode (0666 less the umask), not tempfile's
    // private 0600: colleagues on a shared corpus must be able to read it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io(path, e))?;
    // Rewriting keeps the old file's mode.
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file()
            .set_permissions(meta.permissions())
            .map_err(|e| Error::io(path, e))?;
    }
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    if let Ok(d) = std::fs::File::open(dir) {
        // Makes the rename itself durable; not all platforms allow it.
        let _ = d.sync_all();
    }
    Ok(())
}

/// Saves a sidecar atomically unless the file on disk is no longer the one we
/// read (`expected`; None means it must not exist yet). Returns the new stamp.
pub fn save_sidecar(
    path: &Path,
    sidecar: &Sidecar,
    expected: Option<&DiskStamp>,
) -> Result<DiskStamp> {
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

/// A source file opened for one annotator.
#[derive(Debug, Clone)]
pub struct Article {
    pub source: PathBuf,
    pub doc: Arc<Document>,
    pub sidecar_path: PathBuf,
    pub sidecar: Sidecar,
    /// The sidecar as read from disk, to detect changes by others. None when
    /// there was no sidecar.
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
        let doc = Arc::new(Document::load(source)?);
        Ok(Self::with_doc(source, doc, annotator))
    }

    pub fn with_doc(source: &Path, doc: Arc<Document>, annotator: &str) -> Article {
        let sidecar_path = sidecar_path(source, annotator);
        let file_name = source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let empty = || Sidecar::new(annotator, &file_name, "", doc.len_chars());
        let (sidecar, stamp, read_only) = match read_sidecar(&sidecar_path) {
            Ok(Some((s, st))) => (s, Some(st), None),
            Ok(None) => (empty(), None, None),
            Err(e) => (empty(), None, Some(e.to_string())),
        };
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

    /// Overwrites whatever is on disk (after the user chose to keep their version).
    pub fn save_overwriting(&mut self) -> Result<()> {
        self.stamp = stamp_of(&self.sidecar_path)?;
        self.save()
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
