//! `claimtag diff A B [--json]`: spans added, removed and changed between two
//! sidecars ([`claimtag_model::diff`]). Also git's diff driver, both ways:
//! as `diff.claimtag.command` git calls it with seven arguments (path, old
//! file, hash, mode, new file, hash, mode); as `diff.claimtag.textconv`,
//! `--textconv FILE` prints one line per span for git to compare. Always
//! exits 0 after a diff (git stops on an external diff's failure); 2 when a
//! file cannot be read.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use claimtag_model::diff::{self, Diff, FieldChange, Span};
use claimtag_model::format::MAX_SIDECAR_BYTES;
use claimtag_model::merge::{CONFLICT_KEY, Mark};
use claimtag_model::{Document, Error, Sidecar, store};

use super::{Context, DiffArgs, Failure, git, out::emit};

pub fn run(_ctx: &Context, args: DiffArgs) -> Result<(), Failure> {
    if args.textconv {
        let [file] = args.files.as_slice() else {
            return Err(Failure::usage("diff --textconv: give one FILE"));
        };
        let sidecar = read(file)?;
        let doc = source_of(file, &sidecar);
        return emit(&listing(&sidecar, doc.as_deref()));
    }
    // git's external diff: PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE
    let (named_a, a_path, named_b, b_path) = match args.files.as_slice() {
        [a, b] => (a.clone(), a.clone(), b.clone(), b.clone()),
        [path, old, _, _, new, _, _] => (path.clone(), old.clone(), path.clone(), new.clone()),
        _ => {
            return Err(Failure::usage(
                "diff: give two sidecars (A B), or the seven arguments git passes",
            ));
        }
    };
    let a = read(&a_path)?;
    let b = read(&b_path)?;
    let doc_a = source_of(&named_a, &a);
    let doc_b = source_of(&named_b, &b);
    let d = diff::diff(&a, &b, doc_a.as_deref(), doc_b.as_deref());
    if args.json {
        let json = serde_json::json!({
            "a": named_a.display().to_string(),
            "b": named_b.display().to_string(),
            "added": d.added,
            "removed": d.removed,
            "changed": d.changed,
            "file": d.file,
        });
        let text = serde_json::to_string_pretty(&json)
            .map_err(|e| Failure::usage(format!("diff: cannot write JSON: {e}")))?;
        return emit(&(text + "\n"));
    }
    let title = if named_a == named_b {
        named_a.display().to_string()
    } else {
        format!("{} -> {}", named_a.display(), named_b.display())
    };
    emit(&render(&title, &d))
}

/// A sidecar; an empty file (git's /dev/null or a missing side) is one with
/// no annotations.
fn read(path: &Path) -> Result<Sidecar, Failure> {
    let (bytes, _) = store::read_capped(path, MAX_SIDECAR_BYTES)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Sidecar::default());
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| Error::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.valid_up_to(),
    })?;
    Ok(Sidecar::parse(path, text)?)
}

/// The source text the sidecar was saved against, for line numbers.
fn source_of(named: &Path, s: &Sidecar) -> Option<Arc<Document>> {
    if s.source.file.is_empty() {
        return None;
    }
    let source: PathBuf = git::source_beside(named, &s.source.file);
    if let Some(doc) = git::find_source(&source, &s.source.sha256) {
        return Some(doc);
    }
    // A temporary copy (git's textconv): the article is found by name.
    if source.exists() {
        return None;
    }
    git::tracked_named(&s.source.file)
        .into_iter()
        .find_map(|p| git::find_source(&p, &s.source.sha256))
}

fn place(s: &Span) -> String {
    match (s.line, s.column) {
        (Some(l), Some(c)) => format!("{l}:{c}"),
        _ => format!("@{}", s.start),
    }
}

/// A quote on one line, at most 60 code points.
fn quote(s: &str) -> String {
    const MAX: usize = 60;
    let mut q: String = s.chars().take(MAX).collect();
    if s.chars().count() > MAX {
        q.push('…');
    }
    format!("{q:?}")
}

fn value(v: &Option<String>) -> String {
    match v {
        Some(v) => quote(v),
        None => "(none)".to_string(),
    }
}

fn change_line(out: &mut String, indent: &str, c: &FieldChange) {
    let _ = writeln!(
        out,
        "{indent}{}: {} -> {}",
        c.field,
        value(&c.from),
        value(&c.to)
    );
}

/// The readable diff: a summary, then spans in text order, `+` added, `-`
/// removed, `~` changed (with each changed value below it).
pub fn render(title: &str, d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "claimtag diff {title}: {} added, {} removed, {} changed",
        d.added.len(),
        d.removed.len(),
        d.changed.len()
    );
    for c in &d.file {
        change_line(&mut out, "  file ", c);
    }
    let mut rows: Vec<(&Span, char, &[FieldChange])> = Vec::new();
    rows.extend(d.removed.iter().map(|s| (s, '-', &[][..])));
    rows.extend(d.added.iter().map(|s| (s, '+', &[][..])));
    rows.extend(
        d.changed
            .iter()
            .map(|c| (&c.span, '~', c.changes.as_slice())),
    );
    rows.sort_by(|x, y| {
        (x.0.start, x.0.end, &x.0.id, x.1).cmp(&(y.0.start, y.0.end, &y.0.id, y.1))
    });
    let label_w = rows
        .iter()
        .map(|r| r.0.label.chars().count())
        .max()
        .unwrap_or(0);
    let place_w = rows.iter().map(|r| place(r.0).len()).max().unwrap_or(0);
    let id_w = rows
        .iter()
        .map(|r| r.0.id.chars().count())
        .max()
        .unwrap_or(0);
    for (s, kind, changes) in rows {
        let _ = writeln!(
            out,
            "{kind} {:<place_w$}  {:<label_w$}  {:<id_w$}  {}",
            place(s),
            s.label,
            s.id,
            quote(&s.quote)
        );
        for c in changes {
            change_line(&mut out, "      ", c);
        }
    }
    out
}

/// One line per span, in file order, for git's textconv: git's own line
/// diff of two listings then reads as a diff of spans.
pub fn listing(s: &Sidecar, doc: Option<&Document>) -> String {
    let doc = doc.filter(|d| d.sha256() == s.source.sha256);
    let mut out = String::new();
    let _ = write!(
        out,
        "claimtag/1 annotator {} on {} (source sha256 {})",
        s.annotator,
        s.source.file,
        s.source.sha256.get(..12).unwrap_or(&s.source.sha256)
    );
    if let Some(status) = s.status {
        let _ = write!(out, " status: {:?}", status.as_str());
    }
    for (k, v) in &s.extra {
        let _ = write!(out, " {k}: {v}");
    }
    out.push('\n');
    for a in &s.annotations {
        let span = diff::span_of(a, doc);
        let _ = write!(
            out,
            "{} {} {} {}",
            place(&span),
            a.label,
            a.id,
            quote(&a.text)
        );
        if let Some(c) = &a.claimant {
            let _ = write!(out, " claimant {c:?}");
        }
        if let Some(n) = &a.note {
            let _ = write!(out, " note {n:?}");
        }
        for l in &a.links {
            let _ = write!(out, " {} {}", l.rel, l.to);
        }
        for (k, v) in a.extra.iter().filter(|(k, _)| *k != CONFLICT_KEY) {
            let _ = write!(out, " {k} {v}");
        }
        if a.orphan {
            out.push_str(" [orphan]");
        }
        if let Some(m) = Mark::of(a) {
            let _ = write!(out, " [conflict: {}'s version of {}]", m.side, m.id);
        }
        out.push('\n');
    }
    out
}
