//! Working beside others: merging the version of a sidecar someone saved
//! while ours had unsaved changes (three-way, by annotation id), listing and
//! settling merge conflicts (yours / theirs / both, like review differences),
//! and the corpus status screen. State changes only; reading the disk is the
//! event loop's.

use crossterm::event::{KeyCode, KeyEvent};

use claimtag_model::format::Sidecar;
use claimtag_model::merge::{self, Choice, Side, mark};
use claimtag_model::store::DiskStamp;

use super::app::{App, Effect, Overlay, Slot};

/// One line of the conflicts list: an annotation id or a file-level key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Annotation(String),
    Key(String),
}

/// The unresolved conflicts of an article, in file order.
pub fn items(app: &App, slot: usize) -> Vec<(Item, String)> {
    let Some(d) = app.slots.get(slot).and_then(Slot::doc) else {
        return vec![];
    };
    let s = &d.article.sidecar;
    let mut out: Vec<(Item, String)> = mark::open_conflicts(s)
        .into_iter()
        .map(|c| {
            let shown = c.ours.as_ref().or(c.theirs.as_ref());
            let quote: String = shown
                .map(|a| a.text.chars().take(50).collect())
                .unwrap_or_default();
            let what = match (&c.ours, &c.theirs) {
                (Some(o), Some(t)) => c
                    .fields
                    .iter()
                    .map(|f| match f.as_str() {
                        "label" => format!("label yours {} / theirs {}", o.label, t.label),
                        f => format!("{f} differs"),
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                (Some(_), None) => "yours edited it, theirs deleted it".into(),
                _ => "theirs edited it, yours deleted it".into(),
            };
            (
                Item::Annotation(c.id.clone()),
                format!("{}: {what} “{quote}”", c.id),
            )
        })
        .collect();
    out.extend(mark::open_key_conflicts(s).into_iter().map(|k| {
        let line = format!("{}: yours {} / theirs {}", k.key, k.ours, k.theirs);
        (Item::Key(k.key), line)
    }));
    out
}

/// Opens the conflicts list of an article, or says there is none.
pub fn open_list(app: &mut App, slot: usize) {
    if items(app, slot).is_empty() {
        app.info("no unresolved merge conflicts in this article");
        return;
    }
    app.overlay = Overlay::Conflicts { slot, selected: 0 };
}

/// Merges the version on disk (`theirs`) into ours, with the sidecar as last
/// read or saved as the base, and makes the disk version the one our next
/// save replaces. Undoable like any change. Returns the save to run.
pub fn merge_disk_version(
    app: &mut App,
    slot: usize,
    theirs: Sidecar,
    stamp: Option<DiskStamp>,
) -> Vec<Effect> {
    let Some(Slot::Ready(d)) = app.slots.get_mut(slot) else {
        return vec![];
    };
    let base = d.base_sidecar();
    let doc = d.doc().clone();
    let merged = merge::merge(Some(&base), &d.article.sidecar, &theirs, |sha| {
        (sha == doc.sha256()).then(|| doc.clone())
    });
    d.begin_change();
    d.article.sidecar = merged.sidecar;
    d.end_change();
    d.article.stamp = stamp;
    d.conflict = false;
    let report = merged.report;
    let conflicts = report.conflicts.len();
    if conflicts == 0 && report.dangling.is_empty() {
        app.info("merged with the version on disk: no conflicts; saving");
    } else {
        let dangling = report
            .dangling
            .iter()
            .map(|l| format!("{} {} -> {} (removed)", l.from, l.rel, l.to))
            .collect::<Vec<_>>();
        app.warn(format!(
            "merged with the version on disk: {conflicts} conflict(s) to settle{}{}",
            if dangling.is_empty() {
                ""
            } else {
                "; dangling links: "
            },
            dangling.join(", ")
        ));
        if conflicts > 0 {
            app.overlay = Overlay::Conflicts { slot, selected: 0 };
        }
    }
    vec![Effect::Save(vec![slot])]
}

/// Keys of the conflicts list: move, then y keeps yours, t theirs, b both.
pub fn list_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    let Overlay::Conflicts { slot, selected } = app.overlay else {
        return vec![];
    };
    let list = items(app, slot);
    let n = list.len();
    let choice = match k.code {
        KeyCode::Esc | KeyCode::Char('q') => {
            app.overlay = Overlay::None;
            return vec![];
        }
        KeyCode::Down | KeyCode::Char('j') => {
            app.overlay = Overlay::Conflicts {
                slot,
                selected: (selected + 1).min(n.saturating_sub(1)),
            };
            return vec![];
        }
        KeyCode::Up | KeyCode::Char('k') => {
            app.overlay = Overlay::Conflicts {
                slot,
                selected: selected.saturating_sub(1),
            };
            return vec![];
        }
        KeyCode::Char('y') => Choice::Ours,
        KeyCode::Char('t') => Choice::Theirs,
        KeyCode::Char('b') => Choice::Both,
        _ => return vec![],
    };
    let Some((item, _)) = list.get(selected.min(n.saturating_sub(1))).cloned() else {
        app.overlay = Overlay::None;
        return vec![];
    };
    let Some(Slot::Ready(d)) = app.slots.get_mut(slot) else {
        return vec![];
    };
    if d.article.read_only.is_some() {
        app.warn("read-only: conflicts cannot be settled here");
        return vec![];
    }
    d.begin_change();
    let done = match &item {
        Item::Annotation(id) => mark::settle(&mut d.article.sidecar, id, choice).map(|kept| {
            format!(
                "{id}: kept {}",
                if kept.is_empty() {
                    "none".into()
                } else {
                    kept.join(" and ")
                }
            )
        }),
        Item::Key(key) => {
            let side = if choice == Choice::Theirs {
                Side::Theirs
            } else {
                Side::Ours
            };
            mark::settle_key(&mut d.article.sidecar, key, side).map(|()| {
                format!(
                    "{key}: kept {}",
                    if side == Side::Ours {
                        "yours"
                    } else {
                        "theirs"
                    }
                )
            })
        }
    };
    d.end_change();
    match done {
        Ok(msg) => {
            let left = items(app, slot).len();
            if left == 0 {
                app.overlay = Overlay::None;
                app.info(format!("{msg}; no conflicts left"));
            } else {
                app.overlay = Overlay::Conflicts {
                    slot,
                    selected: selected.min(left - 1),
                };
                app.info(format!("{msg}; {left} left"));
            }
        }
        Err(e) => app.error(e.to_string()),
    }
    vec![]
}

/// Keys of the status screen: scroll, Esc closes.
pub fn status_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    let Overlay::Status { lines, scroll } = &mut app.overlay else {
        return vec![];
    };
    let max = lines.len().saturating_sub(1);
    match k.code {
        KeyCode::Esc | KeyCode::Char('q') => app.overlay = Overlay::None,
        KeyCode::Down | KeyCode::Char('j') => *scroll = (*scroll + 1).min(max),
        KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
        KeyCode::PageDown => *scroll = (*scroll + 10).min(max),
        KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
        _ => {}
    }
    vec![]
}
