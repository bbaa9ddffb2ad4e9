//! Where the analyst left off in a corpus (issue 12, item 12): the panes open
//! (article and cursor of each) and which had the focus, kept per corpus in
//! the platform's state folder and read back when the same corpus is opened.
//!
//! The file is the user's own, but it is read with the same care as any
//! input: a file that is too big, does not parse or names another corpus is
//! refused with an error naming it, and the caller starts afresh.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Error;

/// The environment variable that moves the state folder (tests set it).
pub const STATE_DIR_ENV: &str = "CLAIMTAG_STATE_DIR";

/// A session file bigger than this is not ours.
const MAX_BYTES: u64 = 256 * 1024;

/// At most this many panes are restored.
pub const MAX_PANES: usize = 16;

const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    pub version: u32,
    /// The corpus this is about (see [`corpus_key`]); a file naming another
    /// corpus is not used.
    pub corpus: String,
    pub panes: Vec<PaneState>,
    /// The pane that had the focus.
    pub focus: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaneState {
    /// The article's source, canonical.
    pub article: PathBuf,
    /// Byte offset of the cursor; clamped and snapped when restored.
    pub cursor: usize,
}

impl Session {
    pub fn new(corpus: String, panes: Vec<PaneState>, focus: usize) -> Session {
        Session {
            version: VERSION,
            corpus,
            panes,
            focus,
        }
    }
}

/// The folder sessions are kept in: `$CLAIMTAG_STATE_DIR`, else the
/// platform's state folder (XDG_STATE_HOME on Linux), else its local data
/// folder on platforms without a state folder (macOS, Windows).
pub fn state_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(STATE_DIR_ENV).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let dirs = directories::ProjectDirs::from("", "", "claimtag")?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .to_path_buf(),
    )
}

/// What names a corpus: the canonical paths of what was opened, in order
/// (a path that cannot be resolved is taken as given, made absolute).
pub fn corpus_key(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| {
            std::fs::canonicalize(p)
                .or_else(|_| std::path::absolute(p))
                .unwrap_or_else(|_| p.clone())
                .to_string_lossy()
                .into_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The session file of a corpus in `dir`: named by a hash of its key, so any
/// path makes a safe file name.
pub fn session_file(dir: &Path, key: &str) -> PathBuf {
    let hash = Sha256::digest(key.as_bytes());
    let name: String = hash[..12].iter().map(|b| format!("{b:02x}")).collect();
    dir.join("sessions").join(format!("{name}.json"))
}

/// Reads the session of corpus `key` from `path`. None when there is none
/// (no file, or the file is about another corpus); an error naming the file
/// when it cannot be read or is not a session.
pub fn load(path: &Path, key: &str) -> Result<Option<Session>, Error> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    if !meta.is_file() {
        return Err(Error::NotRegular {
            path: path.to_path_buf(),
            what: "not a file",
        });
    }
    if meta.len() > MAX_BYTES {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            size: meta.len(),
            limit: MAX_BYTES,
        });
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let session: Session = serde_json::from_slice(&bytes).map_err(|e| Error::Line {
        path: path.to_path_buf(),
        line: e.line(),
        message: format!("column {}: {e}", e.column()),
    })?;
    if session.version != VERSION {
        return Err(Error::invalid(
            path,
            format!("session version {} is not {VERSION}", session.version),
        ));
    }
    if session.corpus != key {
        return Ok(None);
    }
    Ok(Some(session))
}

/// Writes the session atomically, making its folder if need be.
pub fn save(path: &Path, session: &Session) -> Result<(), Error> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let json =
        serde_json::to_vec_pretty(session).map_err(|e| Error::invalid(path, e.to_string()))?;
    crate::store::write_atomic(path, &json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(key: &str) -> Session {
        Session::new(
            key.into(),
            vec![
                PaneState {
                    article: "/c/002.txt".into(),
                    cursor: 120,
                },
                PaneState {
                    article: "/c/004.txt".into(),
                    cursor: 0,
                },
            ],
            1,
        )
    }

    #[test]
    fn saved_session_is_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = session_file(dir.path(), "/c");
        save(&path, &sample("/c")).unwrap();
        assert_eq!(load(&path, "/c").unwrap(), Some(sample("/c")));
    }

    #[test]
    fn no_file_is_no_session_and_another_corpus_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let path = session_file(dir.path(), "/c");
        assert_eq!(load(&path, "/c").unwrap(), None);
        save(&path, &sample("/other")).unwrap();
        assert_eq!(load(&path, "/c").unwrap(), None);
    }

    #[test]
    fn corrupt_or_hostile_files_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = session_file(dir.path(), "/c");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        for bad in [
            &b"{ not json"[..],
            b"\xff\xfe",
            br#"{"version":1,"corpus":"/c","panes":[{"article":"/a","cursor":-1}],"focus":0}"#,
            br#"{"version":9,"corpus":"/c","panes":[],"focus":0}"#,
            br#"{"version":1,"corpus":"/c","panes":[],"focus":0,"extra":1}"#,
        ] {
            std::fs::write(&path, bad).unwrap();
            let e = load(&path, "/c").unwrap_err().to_string();
            assert!(e.contains(&path.display().to_string()), "{e}");
            assert!(!e.contains('\n'), "{e}");
        }
        std::fs::write(&path, vec![b' '; MAX_BYTES as usize + 1]).unwrap();
        assert!(matches!(load(&path, "/c"), Err(Error::TooLarge { .. })));
    }

    #[test]
    fn file_names_are_safe_and_differ_by_corpus() {
        let dir = Path::new("/state");
        let a = session_file(dir, "/x/../../etc\n/passwd");
        let b = session_file(dir, "/y");
        assert_ne!(a, b);
        assert!(a.starts_with("/state/sessions"));
        assert_eq!(a.file_name().unwrap().len(), 24 + 5);
    }

    #[test]
    fn key_is_canonical() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("c");
        std::fs::create_dir(&sub).unwrap();
        let a = corpus_key(std::slice::from_ref(&sub));
        let b = corpus_key(&[sub.join("..").join("c")]);
        assert_eq!(a, b);
    }
}
