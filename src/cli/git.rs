//! What the team commands ask of git (`git` on PATH), and finding the source
//! text a sidecar was saved against: on disk, or in git's history by its
//! sha256 when the working tree holds another version.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use claimtag_model::Document;

/// Runs git in the current folder; its stdout when it succeeded.
pub fn output(args: &[&str]) -> Option<Vec<u8>> {
    let out = Command::new("git")
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status.success().then_some(out.stdout)
}

/// Runs git in the current folder; its error output when it failed.
pub fn run(args: &[&str]) -> Result<(), String> {
    let out = Command::new("git")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The top folder of the git work tree we are in.
pub fn toplevel() -> Option<PathBuf> {
    let out = output(&["rev-parse", "--show-toplevel"])?;
    let s = String::from_utf8(out).ok()?;
    Some(PathBuf::from(s.trim_end_matches(['\n', '\r'])))
}

/// Revisions where another version of a file may be: the heads of a merge,
/// cherry-pick, rebase or revert in progress, then the file's recent history.
fn candidate_revisions(path: &str) -> Vec<String> {
    let mut revs: Vec<String> = [
        "MERGE_HEAD",
        "CHERRY_PICK_HEAD",
        "REBASE_HEAD",
        "REVERT_HEAD",
        "HEAD",
        "ORIG_HEAD",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    if let Some(log) = output(&["log", "--all", "--format=%H", "-n", "200", "--", path]) {
        revs.extend(String::from_utf8_lossy(&log).lines().map(str::to_string));
    }
    revs
}

/// Finds the text of `source` (a path from the current folder) whose sha256
/// is `sha`: the file on disk, else a version git has.
pub fn find_source(source: &Path, sha: &str) -> Option<Arc<Document>> {
    if sha.is_empty() {
        return None;
    }
    if let Ok(doc) = Document::load(source)
        && doc.sha256() == sha
    {
        return Some(Arc::new(doc));
    }
    // `rev:./path` is read relative to the current folder, `rev:path` from
    // the top of the work tree.
    let rel = if source.is_absolute() {
        let top = toplevel()?;
        let top = top.canonicalize().unwrap_or(top);
        let abs = source
            .canonicalize()
            .unwrap_or_else(|_| source.to_path_buf());
        abs.strip_prefix(&top).ok()?.to_string_lossy().into_owned()
    } else {
        format!("./{}", source.to_string_lossy().trim_start_matches("./"))
    };
    for rev in candidate_revisions(&rel) {
        let Some(bytes) = output(&["show", &format!("{rev}:{rel}")]) else {
            continue;
        };
        if let Ok(doc) = Document::from_bytes(bytes)
            && doc.sha256() == sha
        {
            return Some(Arc::new(doc));
        }
    }
    None
}

/// The source file beside a sidecar (`where_` names the sidecar in the work
/// tree; it may differ from the file read, as for git's temporary files).
pub fn source_beside(where_: &Path, source_file: &str) -> PathBuf {
    match where_.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.join(source_file),
        _ => PathBuf::from(source_file),
    }
}

/// Files git tracks under the current folder with this file name (git's
/// textconv hands over a temporary copy, so the sidecar's folder is unknown).
pub fn tracked_named(file_name: &str) -> Vec<PathBuf> {
    if file_name.is_empty() || file_name.contains(['*', '?', '[', '\\']) {
        return vec![];
    }
    let pattern = format!(":(glob)**/{file_name}");
    output(&["ls-files", "-z", "--", &pattern])
        .map(|o| {
            o.split(|&b| b == 0)
                .filter(|p| !p.is_empty())
                .map(|p| PathBuf::from(String::from_utf8_lossy(p).into_owned()))
                .collect()
        })
        .unwrap_or_default()
}
