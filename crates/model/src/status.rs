//! The corpus dashboard (`claimtag status`, the TUI's status screen): per
//! annotator, how many articles are done, in progress and not started, spans
//! per label and the last update; per article, who annotated it, whether a
//! gold set exists, unresolved merge conflicts and orphaned spans.
//!
//! Progress is the sidecar's typed `status: todo|in-progress|done` field;
//! a sidecar without it counts as in progress when it has annotations, else
//! as not started. An article without the annotator's sidecar is not started.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::Result;
use crate::format::{Sidecar, Status};
use crate::merge::mark;
use crate::store;

/// The annotator name of the adjudicated set.
pub const GOLD: &str = "gold";

/// One annotator's progress on one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Progress {
    Todo,
    InProgress,
    Done,
}

impl Progress {
    pub fn name(self) -> &'static str {
        match self {
            Progress::Todo => "todo",
            Progress::InProgress => "in-progress",
            Progress::Done => "done",
        }
    }
}

/// The progress a sidecar records, or what its content suggests.
pub fn progress_of(s: &Sidecar) -> Progress {
    match s.status {
        Some(Status::Done) => Progress::Done,
        Some(Status::InProgress) => Progress::InProgress,
        Some(Status::Todo) => Progress::Todo,
        None if s.annotations.is_empty() => Progress::Todo,
        _ => Progress::InProgress,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AnnotatorRow {
    pub annotator: String,
    pub done: usize,
    pub in_progress: usize,
    pub not_started: usize,
    pub spans: usize,
    pub spans_per_label: BTreeMap<String, usize>,
    /// The latest `updated` of the annotator's sidecars.
    pub last_update: Option<String>,
    /// Sidecars of this annotator that could not be read.
    pub unreadable: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleAnnotator {
    pub annotator: String,
    pub status: Progress,
    pub spans: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ArticleRow {
    /// The source, as found under the paths given.
    pub article: PathBuf,
    /// Everyone with a sidecar for it, gold aside.
    pub annotators: Vec<ArticleAnnotator>,
    pub gold: bool,
    /// Unresolved merge conflicts, over all its sidecars.
    pub conflicts: usize,
    /// Spans flagged `orphan`, over all its sidecars.
    pub orphans: usize,
    /// Sidecars of it that could not be read, with the reason.
    pub unreadable: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Dashboard {
    pub articles_total: usize,
    pub annotators: Vec<AnnotatorRow>,
    pub articles: Vec<ArticleRow>,
}

/// Reads every source under `paths` and its sidecars.
pub fn dashboard(paths: &[PathBuf]) -> Result<Dashboard> {
    let index = crate::corpus::CorpusIndex::scan(paths)?;
    let sources = index.sources();
    index.trouble()?;
    let mut articles = Vec::with_capacity(sources.len());
    let mut rows: BTreeMap<String, AnnotatorRow> = BTreeMap::new();
    let mut seen_by: Vec<BTreeSet<String>> = Vec::with_capacity(sources.len());
    for source in &sources {
        let (row, who) = article_row(source, &mut rows);
        articles.push(row);
        seen_by.push(who);
    }
    // Not started: every article without the annotator's sidecar, too.
    for (name, row) in rows.iter_mut() {
        row.not_started += seen_by.iter().filter(|w| !w.contains(name)).count();
    }
    Ok(Dashboard {
        articles_total: sources.len(),
        annotators: rows.into_values().collect(),
        articles,
    })
}

fn article_row(
    entry: &crate::corpus::Source,
    rows: &mut BTreeMap<String, AnnotatorRow>,
) -> (ArticleRow, BTreeSet<String>) {
    let source = entry.path.as_path();
    let mut art = ArticleRow {
        article: source.to_path_buf(),
        ..ArticleRow::default()
    };
    let mut who = BTreeSet::new();
    for name in entry.annotators.iter().cloned() {
        let path = store::sidecar_path(source, &name);
        let is_gold = name == GOLD;
        art.gold |= is_gold;
        let sidecar = match store::read_sidecar_only(&path) {
            Ok(Some(s)) => s,
            Ok(None) => continue,
            Err(e) => {
                art.unreadable.push(e.to_string());
                if !is_gold {
                    who.insert(name.clone());
                    row_of(rows, &name).unreadable += 1;
                }
                continue;
            }
        };
        art.conflicts += mark::count_open(&sidecar);
        art.orphans += sidecar.annotations.iter().filter(|a| a.orphan).count();
        if is_gold {
            continue;
        }
        who.insert(name.clone());
        let status = progress_of(&sidecar);
        art.annotators.push(ArticleAnnotator {
            annotator: name.clone(),
            status,
            spans: sidecar.annotations.len(),
        });
        let row = row_of(rows, &name);
        match status {
            Progress::Done => row.done += 1,
            Progress::InProgress => row.in_progress += 1,
            Progress::Todo => row.not_started += 1,
        }
        row.spans += sidecar.annotations.len();
        for (label, n) in sidecar.counts() {
            *row.spans_per_label.entry(label.to_string()).or_insert(0) += n;
        }
        if row.last_update.as_deref() < Some(sidecar.updated.as_str())
            && !sidecar.updated.is_empty()
        {
            row.last_update = Some(sidecar.updated.clone());
        }
    }
    (art, who)
}

fn row_of<'a>(rows: &'a mut BTreeMap<String, AnnotatorRow>, name: &str) -> &'a mut AnnotatorRow {
    rows.entry(name.to_string())
        .or_insert_with(|| AnnotatorRow {
            annotator: name.to_string(),
            ..AnnotatorRow::default()
        })
}

/// A path as shown: relative to the folder given, when under it.
fn shown(p: &Path, root: &Path) -> String {
    p.strip_prefix(root)
        .ok()
        .filter(|r| !r.as_os_str().is_empty())
        .unwrap_or(p)
        .display()
        .to_string()
}

/// Left-aligned columns, two spaces apart; numbers right-aligned.
fn columns(rows: &[Vec<String>], numeric: &[bool]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            let w = widths[i];
            if i > 0 {
                line.push_str("  ");
            }
            if numeric.get(i).copied().unwrap_or(false) {
                let _ = write!(line, "{c:>w$}");
            } else {
                let _ = write!(line, "{c:<w$}");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The dashboard as two text tables (annotators, then articles), paths
/// shown relative to `root`.
pub fn table(d: &Dashboard, root: &Path) -> String {
    let mut out = String::new();
    let gold = d.articles.iter().filter(|a| a.gold).count();
    let conflicts: usize = d.articles.iter().map(|a| a.conflicts).sum();
    let orphans: usize = d.articles.iter().map(|a| a.orphans).sum();
    let _ = writeln!(
        out,
        "{} article(s) in {}: {gold} with gold, {conflicts} unresolved conflict(s), {orphans} orphaned span(s)\n",
        d.articles_total,
        root.display()
    );
    let labels: BTreeSet<&str> = d
        .annotators
        .iter()
        .flat_map(|a| a.spans_per_label.keys().map(String::as_str))
        .collect();
    let mut header: Vec<String> = ["annotator", "done", "in progress", "not started", "spans"]
        .map(String::from)
        .to_vec();
    header.extend(labels.iter().map(|l| l.to_string()));
    header.push("last update".into());
    let mut rows = vec![header];
    for a in &d.annotators {
        let mut r = vec![
            a.annotator.clone(),
            a.done.to_string(),
            a.in_progress.to_string(),
            a.not_started.to_string(),
            a.spans.to_string(),
        ];
        r.extend(
            labels
                .iter()
                .map(|l| a.spans_per_label.get(*l).copied().unwrap_or(0).to_string()),
        );
        r.push(a.last_update.clone().unwrap_or_else(|| "-".into()));
        rows.push(r);
    }
    let mut numeric = vec![false, true, true, true, true];
    numeric.extend(labels.iter().map(|_| true));
    if d.annotators.is_empty() {
        out.push_str("No annotator has a sidecar here yet.\n");
    } else {
        out.push_str(&columns(&rows, &numeric));
    }
    out.push('\n');
    let mut rows = vec![
        ["article", "annotators", "gold", "conflicts", "orphans"]
            .map(String::from)
            .to_vec(),
    ];
    for a in &d.articles {
        let who = if a.annotators.is_empty() {
            "-".to_string()
        } else {
            a.annotators
                .iter()
                .map(|x| format!("{} ({}, {})", x.annotator, x.status.name(), x.spans))
                .collect::<Vec<_>>()
                .join(", ")
        };
        rows.push(vec![
            shown(&a.article, root),
            who,
            if a.gold { "yes" } else { "no" }.into(),
            a.conflicts.to_string(),
            a.orphans.to_string(),
        ]);
    }
    out.push_str(&columns(&rows, &[false, false, false, true, true]));
    for a in &d.articles {
        for e in &a.unreadable {
            let _ = writeln!(out, "unreadable: {e}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Annotation;

    fn write(dir: &Path, source: &str, annotator: &str, status: Option<&str>, spans: usize) {
        let mut s = Sidecar::new(annotator, source, "x", 10);
        s.updated = format!("2026-11-2{spans}T00:00:00Z");
        s.status = status.and_then(Status::parse);
        for i in 0..spans {
            s.annotations.push(Annotation {
                id: format!("a{i}"),
                label: if i % 2 == 0 { "claim" } else { "denial" }.into(),
                start: i,
                end: i + 1,
                orphan: i == 2,
                ..Annotation::default()
            });
        }
        std::fs::write(
            store::sidecar_path(&dir.join(source), annotator),
            s.to_yaml(),
        )
        .unwrap();
    }

    #[test]
    fn counts_progress_per_annotator_and_article() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["a.txt", "b.txt", "c.txt"] {
            std::fs::write(dir.path().join(f), "0123456789").unwrap();
        }
        write(dir.path(), "a.txt", "alice", Some("done"), 3);
        write(dir.path(), "b.txt", "alice", None, 2);
        write(dir.path(), "a.txt", "bob", None, 0);
        write(dir.path(), "a.txt", "gold", None, 1);
        std::fs::write(
            store::sidecar_path(&dir.path().join("c.txt"), "bob"),
            "format: [",
        )
        .unwrap();
        let d = dashboard(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(d.articles_total, 3);
        let alice = &d.annotators[0];
        assert_eq!(
            (
                alice.annotator.as_str(),
                alice.done,
                alice.in_progress,
                alice.not_started
            ),
            ("alice", 1, 1, 1)
        );
        assert_eq!(alice.spans_per_label["claim"], 3);
        assert_eq!(alice.last_update.as_deref(), Some("2026-11-23T00:00:00Z"));
        let bob = &d.annotators[1];
        assert_eq!(
            (bob.done, bob.in_progress, bob.not_started, bob.unreadable),
            (0, 0, 2, 1)
        );
        assert_eq!(d.annotators.len(), 2, "gold is not an annotator row");
        let a = &d.articles[0];
        assert!(a.gold);
        assert_eq!(a.orphans, 1);
        assert_eq!(a.annotators.len(), 2);
        assert_eq!(d.articles[2].unreadable.len(), 1);
    }
}
