//! `claimtag status [PATH] [--json]`: the corpus dashboard
//! ([`claimtag_model::status`]) as two tables, or JSON.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use claimtag_model::status::{self, Dashboard};

use super::{Context, Failure, StatusArgs, out::emit};

pub fn run(_ctx: &Context, args: StatusArgs) -> Result<(), Failure> {
    let root = args.path.unwrap_or_else(|| PathBuf::from("."));
    let d = status::dashboard(std::slice::from_ref(&root))?;
    if args.json {
        let text = serde_json::to_string_pretty(&d)
            .map_err(|e| Failure::usage(format!("status: cannot write JSON: {e}")))?;
        return emit(&(text + "\n"));
    }
    emit(&table(&d, &root))
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
