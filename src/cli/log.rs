//! `claimtag log ARTICLE [--json]`: the history of one article's annotations
//! through `git log`. For each commit touching a sidecar of the article (any
//! annotator, gold too), newest first: the commit, its author, date and
//! subject, and per sidecar the spans added, removed and changed against the
//! commit's first parent (for a merge: what the merge brought in), with the
//! semantic diff of `claimtag diff`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use claimtag_model::diff::{self, Diff};
use claimtag_model::store::parse_sidecar_name;
use claimtag_model::{Document, Sidecar};

use super::{Context, Failure, LogArgs, diff as diff_cmd, out::emit};

/// One commit of the history.
#[derive(Debug)]
struct Entry {
    commit: String,
    author: String,
    email: String,
    date: String,
    subject: String,
    sidecars: Vec<Change>,
}

/// What one commit did to one sidecar.
#[derive(Debug)]
struct Change {
    /// From the top of the work tree.
    path: String,
    annotator: String,
    diff: Diff,
    /// Set when a version could not be parsed (then the diff is empty).
    error: Option<String>,
    /// "added" or "deleted" when the commit created or removed the sidecar.
    state: Option<&'static str>,
}

impl Entry {
    fn to_json(&self) -> serde_json::Value {
        let sidecars: Vec<serde_json::Value> = self
            .sidecars
            .iter()
            .map(|c| {
                let mut v = serde_json::json!({
                    "path": c.path,
                    "annotator": c.annotator,
                    "added": c.diff.added,
                    "removed": c.diff.removed,
                    "changed": c.diff.changed,
                    "file": c.diff.file,
                });
                if let Some(map) = v.as_object_mut() {
                    if let Some(e) = &c.error {
                        map.insert("error".into(), e.as_str().into());
                    }
                    if let Some(state) = c.state {
                        map.insert("file_state".into(), state.into());
                    }
                }
                v
            })
            .collect();
        serde_json::json!({
            "commit": self.commit,
            "author": self.author,
            "email": self.email,
            "date": self.date,
            "subject": self.subject,
            "sidecars": sidecars,
        })
    }
}

fn fail(msg: impl std::fmt::Display) -> Failure {
    Failure::usage(format!("log: {msg}"))
}

/// Runs git in `dir`; its stdout, or a one-line reason.
fn git<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> Result<Vec<u8>, Failure> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            fail(format!(
                "cannot run git ({e}); is it installed and on PATH?"
            ))
        })?;
    if out.status.success() {
        return Ok(out.stdout);
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let first = err.lines().next().unwrap_or("").trim();
    Err(fail(format!("git {} failed: {first}", show_args(args))))
}

fn show_args<S: AsRef<OsStr>>(args: &[S]) -> String {
    args.iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A file at a revision (empty when it is not there).
fn show(dir: &Path, rev: &str, path: &str) -> Vec<u8> {
    git(dir, &["show", &format!("{rev}:{path}")]).unwrap_or_default()
}

/// A glob pattern matching `name` literally.
fn glob_escape(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('[');
            out.push(c);
            out.push(']');
        } else {
            out.push(c);
        }
    }
    out
}

pub fn run(_ctx: &Context, args: LogArgs) -> Result<(), Failure> {
    let article = &args.article;
    let name = article
        .file_name()
        .and_then(OsStr::to_str)
        .ok_or_else(|| fail(format!("{}: not a file name", article.display())))?
        .to_string();
    let dir = match article.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(fail(format!("{}: no such folder", dir.display())));
    }
    let inside = git(&dir, &["rev-parse", "--is-inside-work-tree"]).map_err(|_| {
        let shown = std::path::absolute(&dir).unwrap_or_else(|_| dir.clone());
        fail(format!(
            "{} is not in a git repository (the history comes from git log)",
            shown.display()
        ))
    });
    if let Err(e) = inside {
        // Tell "git is missing" from "not a repository".
        git(&dir, &["--version"])?;
        return Err(e);
    }
    let pathspec = format!(":(glob){}.*.ann.yaml", glob_escape(&name));
    let log = git(
        &dir,
        &[
            "log",
            "--format=%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%s%x1e",
            "--",
            &pathspec,
        ],
    )?;
    let mut entries = Vec::new();
    for record in String::from_utf8_lossy(&log).split('\x1e') {
        let fields: Vec<&str> = record.trim_start_matches('\n').split('\x1f').collect();
        let [commit, parents, author, email, date, subject] = fields.as_slice() else {
            continue;
        };
        let parent = parents.split_whitespace().next();
        let sidecars = changes(&dir, commit, parent, &name, &pathspec)?;
        if sidecars.is_empty() {
            continue;
        }
        entries.push(Entry {
            commit: commit.to_string(),
            author: author.to_string(),
            email: email.to_string(),
            date: date.to_string(),
            subject: subject.to_string(),
            sidecars,
        });
    }
    if args.json {
        let json = serde_json::json!({
            "article": article.display().to_string(),
            "commits": entries.iter().map(Entry::to_json).collect::<Vec<_>>(),
        });
        let text = serde_json::to_string_pretty(&json)
            .map_err(|e| fail(format!("cannot write JSON: {e}")))?;
        return emit(&(text + "\n"));
    }
    emit(&render(article, &entries))
}

/// The sidecars of the article that `commit` changed, each with its diff.
fn changes(
    dir: &Path,
    commit: &str,
    parent: Option<&str>,
    name: &str,
    pathspec: &str,
) -> Result<Vec<Change>, Failure> {
    let mut args: Vec<&str> = vec!["diff-tree", "-r", "-z", "--name-only", "--no-renames"];
    match parent {
        Some(p) => args.extend([p, commit]),
        None => args.extend(["--root", commit]),
    }
    args.extend(["--", pathspec]);
    let listed = git(dir, &args)?;
    let mut out = Vec::new();
    for path in listed.split(|&b| b == 0).filter(|p| !p.is_empty()) {
        let path = String::from_utf8_lossy(path).into_owned();
        let file = path.rsplit('/').next().unwrap_or(&path);
        let Some((source, annotator)) = parse_sidecar_name(file) else {
            continue;
        };
        if source != name {
            continue;
        }
        out.push(change(dir, commit, parent, &path, annotator));
    }
    Ok(out)
}

/// One sidecar's versions before and after `commit`, compared.
fn change(dir: &Path, commit: &str, parent: Option<&str>, path: &str, annotator: &str) -> Change {
    // `rev:path` names paths from the top of the work tree, as git lists them.
    let top_path = path.to_string();
    let named = Path::new(&top_path);
    let before = parent.map(|p| show(dir, p, &top_path)).unwrap_or_default();
    let after = show(dir, commit, &top_path);
    let parsed = diff_cmd::parse(named, &before)
        .and_then(|a| diff_cmd::parse(named, &after).map(|b| (a, b)));
    let (diff, error) = match parsed {
        Ok((a, b)) => {
            let doc_a = parent.and_then(|p| source_at(dir, p, &top_path, &a));
            let doc_b = source_at(dir, commit, &top_path, &b);
            let mut d = diff::diff(&a, &b, doc_a.as_ref(), doc_b.as_ref());
            // A sidecar created or deleted: its spans say it all; the
            // file-level values against "nothing" are noise.
            if before.is_empty() || after.is_empty() {
                d.file.clear();
            }
            (d, None)
        }
        Err(f) => (Diff::default(), Some(f.messages.join("; "))),
    };
    let state = match (before.is_empty(), after.is_empty()) {
        (true, false) => Some("added"),
        (false, true) => Some("deleted"),
        _ => None,
    };
    Change {
        path: top_path,
        annotator: annotator.to_string(),
        diff,
        error,
        state,
    }
}

/// The article's text at a revision (for line numbers in the diff).
fn source_at(dir: &Path, rev: &str, sidecar_path: &str, s: &Sidecar) -> Option<Document> {
    if s.source.file.is_empty() {
        return None;
    }
    let path = match sidecar_path.rsplit_once('/') {
        Some((folder, _)) => format!("{folder}/{}", s.source.file),
        None => s.source.file.clone(),
    };
    Document::from_bytes(show(dir, rev, &path)).ok()
}

fn render(article: &Path, entries: &[Entry]) -> String {
    if entries.is_empty() {
        return format!(
            "no commit touches the annotations of {} (its sidecars are not in git's history)\n",
            article.display()
        );
    }
    let mut out = String::new();
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "commit {}\nAuthor: {} <{}>\nDate:   {}\n\n    {}\n\n",
            e.commit, e.author, e.email, e.date, e.subject
        ));
        for c in &e.sidecars {
            match &c.error {
                Some(err) => out.push_str(&format!("  {}: cannot compare: {err}\n", c.path)),
                None => {
                    let state = c.state.map(|s| format!(" ({s})")).unwrap_or_default();
                    out.push_str(&format!(
                        "  {}{state}: {}\n",
                        c.path,
                        diff_cmd::counts(&c.diff)
                    ));
                    for line in diff_cmd::details(&c.diff).lines() {
                        out.push_str(&format!("  {line}\n"));
                    }
                }
            }
        }
    }
    out
}
