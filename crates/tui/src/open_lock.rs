//! The open-elsewhere locks of the sidecars this instance has open (issue
//! 10 item 1, issue 12 item 13): claimed when an article loads, released when
//! the program ends. An article another live instance has open opens
//! read-only with a warning, and becomes editable once that instance is gone
//! (see `retry_read_only` in the event loop).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use claimtag_model::Article;
use claimtag_model::lock::{OpenClaim, OpenMarker};

/// Markers held by this process, by sidecar. A static because articles load
/// on a background thread and are cloned into panes; released by [`release_all`].
static HELD: Mutex<Vec<(PathBuf, OpenMarker)>> = Mutex::new(Vec::new());

/// The start of the read-only reason for an article open elsewhere.
pub const OPEN_ELSEWHERE: &str = "already open in ";

/// Marks the article's sidecar open by us, or makes the article read-only
/// when another live instance has it open. A lock that cannot be written (a
/// read-only folder) is no reason to refuse work: saves stay guarded by the
/// save lock and the changed-on-disk check.
pub fn claim(article: &mut Article) {
    if article.read_only.is_some() {
        return;
    }
    match OpenMarker::claim(&article.sidecar_path) {
        Ok(OpenClaim::Claimed(m)) => hold(&article.sidecar_path, m),
        Ok(OpenClaim::Elsewhere(h)) => {
            article.read_only = Some(format!(
                "{}: {OPEN_ELSEWHERE}{}; opened read-only (editable once that one closes it)",
                article.sidecar_path.display(),
                h.describe()
            ));
        }
        Err(_) => {}
    }
}

/// Whether the article is read-only only because another instance had it
/// open, and that one is gone now (the lock is then ours).
pub fn reclaim(article: &Article) -> bool {
    let elsewhere = article
        .read_only
        .as_deref()
        .is_some_and(|r| r.contains(OPEN_ELSEWHERE));
    if !elsewhere {
        return false;
    }
    match OpenMarker::claim(&article.sidecar_path) {
        Ok(OpenClaim::Claimed(m)) => {
            hold(&article.sidecar_path, m);
            true
        }
        _ => false,
    }
}

fn hold(path: &Path, marker: OpenMarker) {
    if let Ok(mut held) = HELD.lock()
        && !held.iter().any(|(p, _)| p == path)
    {
        held.push((path.to_path_buf(), marker));
    }
}

/// Removes every lock file of this process (at exit, by quit, signal or panic).
pub fn release_all() {
    let taken = match HELD.lock() {
        Ok(mut held) => std::mem::take(&mut *held),
        Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
    };
    drop(taken);
}
