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
    if let Some(why) = claim_path(&article.sidecar_path) {
        article.read_only = Some(why);
    }
}

/// Marks `sidecar` open by us; when another live instance has it open, the
/// reason to open it read-only instead.
pub fn claim_path(sidecar: &Path) -> Option<String> {
    match OpenMarker::claim(sidecar) {
        Ok(OpenClaim::Claimed(m)) => {
            hold(sidecar, m);
            None
        }
        Ok(OpenClaim::Elsewhere(h)) => Some(format!(
            "{}: {OPEN_ELSEWHERE}{}; opened read-only (editable once that one closes it)",
            sidecar.display(),
            h.describe()
        )),
        Err(_) => None,
    }
}

/// Whether this process holds the lock file of `sidecar`.
pub fn is_held(sidecar: &Path) -> bool {
    HELD.lock()
        .map(|held| held.iter().any(|(p, _)| p == sidecar))
        .unwrap_or(false)
}

/// Takes the lock of `sidecar` out of those held, to be let go elsewhere
/// (dropping it removes its file: disk work, for the worker).
pub fn take(sidecar: &Path) -> Option<OpenMarker> {
    let mut held = HELD.lock().ok()?;
    let at = held.iter().position(|(p, _)| p == sidecar)?;
    Some(held.swap_remove(at).1)
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

/// Takes over an article another instance has open (the user confirmed):
/// the lock file names us from now on, and the sidecar is read again. The
/// other instance's saves stay safe: they compare with the file on disk
/// under the save lock, so they meet the changed-on-disk prompt.
pub fn take_over(article: &Article) -> Result<Article, String> {
    let path = &article.sidecar_path;
    let held = HELD
        .lock()
        .map(|h| h.iter().any(|(p, _)| p == path))
        .unwrap_or(false);
    if !held {
        let marker = OpenMarker::take_over(path).map_err(|e| e.to_string())?;
        hold(path, marker);
    }
    let fresh = Article::with_doc(
        &article.source,
        std::sync::Arc::clone(&article.doc),
        &article.sidecar.annotator,
    );
    match &fresh.read_only {
        Some(why) => Err(why.clone()),
        None => Ok(fresh),
    }
}

fn hold(path: &Path, marker: OpenMarker) {
    if let Ok(mut held) = HELD.lock()
        && !held.iter().any(|(p, _)| p == path)
    {
        held.push((path.to_path_buf(), marker));
    }
}

/// Removes the lock file of one sidecar, if this process holds it.
pub fn release(sidecar: &Path) {
    let taken: Vec<(PathBuf, OpenMarker)> = match HELD.lock() {
        Ok(mut held) => {
            let (mine, rest) = std::mem::take(&mut *held)
                .into_iter()
                .partition(|(p, _)| p == sidecar);
            *held = rest;
            mine
        }
        Err(_) => vec![],
    };
    drop(taken);
}

/// Removes every lock file of this process (at exit, by quit, signal or panic).
pub fn release_all() {
    let taken = match HELD.lock() {
        Ok(mut held) => std::mem::take(&mut *held),
        Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
    };
    drop(taken);
}
