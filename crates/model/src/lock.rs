//! Two kinds of advisory lock beside a sidecar (`std::fs::File::lock`, i.e.
//! `flock` on Unix):
//!
//! - [`SaveLock`], held only across read-compare-rename of a save, so that of
//!   two writers the later one always sees the other's file and stops with
//!   "changed on disk" instead of renaming over it. Its file is removed again.
//! - [`OpenMarker`], held while an instance has the sidecar open: a lock file
//!   recording pid, host and time, so a second instance can warn "already
//!   open elsewhere" and offer read-only. A marker whose process is gone (its
//!   lock released, or a dead pid on this host) is stale and taken over.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// `.<sidecar file name><suffix>` in the sidecar's folder: hidden, so corpus
/// walkers skip it.
fn beside(sidecar: &Path, suffix: &str) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(sidecar.file_name().unwrap_or_default());
    name.push(suffix);
    sidecar.with_file_name(name)
}

/// The lock file of an open sidecar (pid and host inside).
pub fn marker_path(sidecar: &Path) -> PathBuf {
    beside(sidecar, ".lock")
}

fn save_lock_path(sidecar: &Path) -> PathBuf {
    beside(sidecar, ".save-lock")
}

/// Whether `file` is still the one at `path` (not removed or replaced by a
/// lock holder that finished in between).
fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// An exclusive lock for one save of one sidecar. Released (and its file
/// removed) on drop.
#[derive(Debug)]
pub struct SaveLock {
    file: Option<File>,
    path: PathBuf,
}

impl SaveLock {
    /// Waits for the lock. Saves are short, so waiting is brief.
    pub fn acquire(sidecar: &Path) -> Result<SaveLock> {
        let path = save_lock_path(sidecar);
        loop {
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(|e| Error::io(sidecar, e))?;
            file.lock().map_err(|e| Error::io(sidecar, e))?;
            // The previous holder removes the file before unlocking: a lock
            // on a removed file guards nothing, so open the new one.
            if same_file(&file, &path) {
                return Ok(SaveLock {
                    file: Some(file),
                    path,
                });
            }
        }
    }
}

impl Drop for SaveLock {
    fn drop(&mut self) {
        // Remove first, then unlock (by closing): whoever waits on this file
        // sees it gone and opens a fresh one.
        let _ = std::fs::remove_file(&self.path);
        self.file.take();
    }
}

/// Who has a sidecar open, as written in its lock file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    pub host: String,
    /// When it was opened (RFC 3339, UTC).
    pub since: String,
}

impl Holder {
    fn me() -> Holder {
        Holder {
            pid: std::process::id(),
            host: host_name(),
            since: crate::format::now_utc(),
        }
    }

    fn to_text(&self) -> String {
        format!(
            "pid: {}\nhost: {}\nsince: {}\n",
            self.pid, self.host, self.since
        )
    }

    fn parse(text: &str) -> Option<Holder> {
        let field = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
                .map(|v| v.trim().to_string())
        };
        Some(Holder {
            pid: field("pid")?.parse().ok()?,
            host: field("host")?,
            since: field("since").unwrap_or_default(),
        })
    }

    fn on_this_host(&self) -> bool {
        self.host == host_name()
    }

    pub fn is_this_process(&self) -> bool {
        self.pid == std::process::id() && self.on_this_host()
    }

    /// One line for a warning: "process 123 on host-a since …".
    pub fn describe(&self) -> String {
        format!("process {} on {} since {}", self.pid, self.host, self.since)
    }
}

/// The result of trying to mark a sidecar open.
#[derive(Debug)]
pub enum OpenClaim {
    /// Ours now (or already ours, in another pane of this process).
    Claimed(OpenMarker),
    /// Another live instance has it open: warn, and offer read-only or
    /// [`OpenMarker::take_over`].
    Elsewhere(Holder),
}

/// The lock file saying this process has a sidecar open. Removed on drop.
#[derive(Debug)]
pub struct OpenMarker {
    path: PathBuf,
    /// None when another pane of this same process holds the marker.
    file: Option<File>,
}

impl OpenMarker {
    /// Marks `sidecar` open by this process unless a live instance has it.
    /// Stale markers (holder gone) are replaced.
    pub fn claim(sidecar: &Path) -> Result<OpenClaim> {
        let path = marker_path(sidecar);
        // A few rounds cover a race with another instance claiming or
        // clearing the same stale marker.
        for _ in 0..8 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => return Self::write_new(path, file).map(OpenClaim::Claimed),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(Error::io(&path, e)),
            }
            match inspect(&path)? {
                Existing::Gone | Existing::Cleared => continue,
                Existing::Live(h) if h.is_this_process() => {
                    return Ok(OpenClaim::Claimed(OpenMarker { path, file: None }));
                }
                Existing::Live(h) => return Ok(OpenClaim::Elsewhere(h)),
            }
        }
        Err(Error::invalid(
            &path,
            "could not claim the lock file (another instance keeps changing it)",
        ))
    }

    /// Marks `sidecar` open by this process even though another instance has
    /// it (after the user chose to). Saves stay safe: they still compare with
    /// the file on disk under the save lock.
    pub fn take_over(sidecar: &Path) -> Result<OpenMarker> {
        let path = marker_path(sidecar);
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        file.write_all(Holder::me().to_text().as_bytes())
            .map_err(|e| Error::io(&path, e))?;
        // The other instance may still hold the lock; ours is then only the
        // record in the file.
        let _ = file.try_lock();
        Ok(OpenMarker {
            path,
            file: Some(file),
        })
    }

    fn write_new(path: PathBuf, mut file: File) -> Result<OpenMarker> {
        file.lock().map_err(|e| Error::io(&path, e))?;
        file.write_all(Holder::me().to_text().as_bytes())
            .and_then(|()| file.flush())
            .map_err(|e| Error::io(&path, e))?;
        Ok(OpenMarker {
            path,
            file: Some(file),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for OpenMarker {
    fn drop(&mut self) {
        let Some(file) = self.file.take() else {
            return;
        };
        // Remove it only while it still names us (a take-over may have
        // replaced it).
        let ours = std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|t| Holder::parse(&t))
            .is_some_and(|h| h.is_this_process());
        if ours && same_file(&file, &self.path) {
            let _ = std::fs::remove_file(&self.path);
        }
        drop(file);
    }
}

enum Existing {
    Gone,
    /// It was stale and has been removed.
    Cleared,
    Live(Holder),
}

/// Looks at an existing marker: whose it is, and whether it is stale.
fn inspect(path: &Path) -> Result<Existing> {
    let mut file = match OpenOptions::new().read(true).write(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Gone),
        Err(e) => return Err(Error::io(path, e)),
    };
    let mut text = String::new();
    // Capped: a marker is three short lines.
    let _ = (&mut file).take(4096).read_to_string(&mut text);
    let holder = Holder::parse(&text);
    let unlocked = match file.try_lock() {
        Ok(()) => true,
        Err(TryLockError::WouldBlock) => false,
        Err(TryLockError::Error(e)) => return Err(Error::io(path, e)),
    };
    let stale = match &holder {
        // Being written by its creator right now, or garbage: only stale
        // when nobody holds its lock and it is not brand new.
        None => unlocked && older_than(&file, std::time::Duration::from_secs(5)),
        Some(h) if h.is_this_process() => false,
        // On this host a dead pid is proof; a released lock is too (the
        // holder's process is gone, or the pid was reused).
        Some(h) if h.on_this_host() => !pid_alive(h.pid) || unlocked,
        // Another host: its pid means nothing here, and some network file
        // systems do not share locks. Never guess it stale.
        Some(_) => false,
    };
    if !stale {
        return Ok(match holder {
            Some(h) => Existing::Live(h),
            None => Existing::Live(Holder {
                pid: 0,
                host: "an unknown host".into(),
                since: String::new(),
            }),
        });
    }
    if same_file(&file, path) {
        let _ = std::fs::remove_file(path);
    }
    Ok(Existing::Cleared)
}

fn older_than(file: &File, age: std::time::Duration) -> bool {
    file.metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|e| e > age)
}

/// Whether a process with this id runs on this host.
pub fn pid_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Some(pid) = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        else {
            return false;
        };
        match rustix::process::test_kill_process(pid) {
            Ok(()) => true,
            // It exists but belongs to someone else.
            Err(e) => e == rustix::io::Errno::PERM,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// This machine's name, as written in lock files.
pub fn host_name() -> String {
    #[cfg(unix)]
    {
        rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .into_owned()
    }
    #[cfg(not(unix))]
    {
        std::env::var("COMPUTERNAME").unwrap_or_else(|_| "localhost".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sidecar() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt.alice.ann.yaml");
        (dir, p)
    }

    #[test]
    fn a_marker_records_pid_and_host_and_goes_on_drop() {
        let (_d, side) = sidecar();
        let OpenClaim::Claimed(m) = OpenMarker::claim(&side).unwrap() else {
            panic!("should be free")
        };
        let text = std::fs::read_to_string(m.path()).unwrap();
        let h = Holder::parse(&text).unwrap();
        assert_eq!(h.pid, std::process::id());
        assert_eq!(h.host, host_name());
        assert!(
            m.path()
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with('.')
        );
        let path = m.path().to_path_buf();
        drop(m);
        assert!(!path.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_live_holder_elsewhere_is_reported() {
        let (_d, side) = sidecar();
        // A live process that is not us, on this host: our parent.
        let other = Holder {
            pid: std::os::unix::process::parent_id(),
            host: host_name(),
            since: "2026-01-01T00:00:00Z".into(),
        };
        std::fs::write(marker_path(&side), other.to_text()).unwrap();
        // Its lock is held, as a live instance would.
        let f = File::open(marker_path(&side)).unwrap();
        f.lock().unwrap();
        match OpenMarker::claim(&side).unwrap() {
            OpenClaim::Elsewhere(h) => assert_eq!(h, other),
            OpenClaim::Claimed(_) => panic!("must warn"),
        }
        // Taking over is the user's choice.
        let m = OpenMarker::take_over(&side).unwrap();
        let now = Holder::parse(&std::fs::read_to_string(m.path()).unwrap()).unwrap();
        assert!(now.is_this_process());
    }

    #[cfg(unix)]
    #[test]
    fn a_dead_pid_on_this_host_is_stale() {
        let (_d, side) = sidecar();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let stale = Holder {
            pid: dead,
            host: host_name(),
            since: "2026-01-01T00:00:00Z".into(),
        };
        std::fs::write(marker_path(&side), stale.to_text()).unwrap();
        let OpenClaim::Claimed(m) = OpenMarker::claim(&side).unwrap() else {
            panic!("a stale lock must be taken over")
        };
        let now = Holder::parse(&std::fs::read_to_string(m.path()).unwrap()).unwrap();
        assert!(now.is_this_process());
    }

    #[test]
    fn another_host_is_never_guessed_stale() {
        let (_d, side) = sidecar();
        let far = Holder {
            pid: 1,
            host: format!("{}-elsewhere", host_name()),
            since: "2026-01-01T00:00:00Z".into(),
        };
        std::fs::write(marker_path(&side), far.to_text()).unwrap();
        assert!(matches!(
            OpenMarker::claim(&side).unwrap(),
            OpenClaim::Elsewhere(h) if h == far
        ));
    }

    #[test]
    fn the_save_lock_excludes_and_leaves_no_file() {
        let (dir, side) = sidecar();
        let held = SaveLock::acquire(&side).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let side2 = side.clone();
        let t = std::thread::spawn(move || {
            let _second = SaveLock::acquire(&side2).unwrap();
            tx.send(()).unwrap();
        });
        assert!(
            rx.recv_timeout(std::time::Duration::from_millis(200))
                .is_err(),
            "the second writer must wait"
        );
        drop(held);
        rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
        t.join().unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
