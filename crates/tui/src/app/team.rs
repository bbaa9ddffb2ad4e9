//! Working beside others, as state changes only: merging the version of a
//! sidecar someone saved while ours had unsaved changes (three-way, by
//! annotation id), listing and settling merge conflicts (yours / theirs /
//! both, like review differences), and the corpus status screen. Reading the
//! disk is the worker's (`Effect::ReadTheirs`, `Effect::StatusTable`).

use claimtag_model::format::Sidecar;
use claimtag_model::merge::{self, Choice, Side, mark};
use claimtag_model::store::DiskStamp;

use super::{App, Effect, Overlay, Slot};
use crate::command::Command;

/// One row of the conflicts list: an annotation id or a file-level key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConflictItem {
    Annotation(String),
    Key(String),
}

impl App {
    /// The unresolved conflicts of an article, in file order, with their rows.
    pub fn conflict_items(&self, slot: usize) -> Vec<(ConflictItem, String)> {
        let Some(d) = self.slots.get(slot).and_then(Slot::doc) else {
            return vec![];
        };
        let s = &d.article.sidecar;
        let mut out: Vec<(ConflictItem, String)> = mark::open_conflicts(s)
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
                let row = format!("{}: {what} “{quote}”", c.id);
                (ConflictItem::Annotation(c.id), row)
            })
            .collect();
        out.extend(mark::open_key_conflicts(s).into_iter().map(|k| {
            let row = format!("{}: yours {} / theirs {}", k.key, k.ours, k.theirs);
            (ConflictItem::Key(k.key), row)
        }));
        out
    }

    /// "Merge" in the changed-on-disk prompt: read theirs first.
    pub(super) fn read_theirs_effect(&self, slot: usize) -> Option<Effect> {
        let d = self.slots.get(slot).and_then(Slot::doc)?;
        Some(Effect::ReadTheirs {
            slot,
            sidecar_path: d.article.sidecar_path.clone(),
        })
    }

    /// The version on disk was read: merge it into ours, then save.
    pub(super) fn theirs_read(
        &mut self,
        slot: usize,
        result: Result<Option<(Sidecar, DiskStamp)>, String>,
    ) -> Vec<Effect> {
        match result {
            Ok(Some((theirs, stamp))) => self.merge_disk_version(slot, theirs, Some(stamp)),
            // Deleted on disk: nothing to merge; ours is written anew.
            Ok(None) => {
                let Some(d) = self.doc_mut(slot) else {
                    return vec![];
                };
                d.article.stamp = None;
                d.conflict = false;
                self.save_effect(slot, false).into_iter().collect()
            }
            Err(e) => {
                self.error(format!("cannot merge: {e}"));
                vec![]
            }
        }
    }

    /// Merges the version on disk (`theirs`) into ours, with the sidecar as
    /// last read or saved as the base, and makes the disk version the one our
    /// next save replaces. One undoable change; saved at once.
    pub fn merge_disk_version(
        &mut self,
        slot: usize,
        theirs: Sidecar,
        stamp: Option<DiskStamp>,
    ) -> Vec<Effect> {
        let Some(d) = self.doc_mut(slot) else {
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
            self.info("merged with the version on disk: no conflicts; saving");
        } else {
            let dangling: Vec<String> = report
                .dangling
                .iter()
                .map(|l| format!("{} {} -> {} (removed)", l.from, l.rel, l.to))
                .collect();
            let dangling = if dangling.is_empty() {
                String::new()
            } else {
                format!("; dangling links: {}", dangling.join(", "))
            };
            self.warn(format!(
                "merged with the version on disk: {conflicts} conflict(s) to settle{dangling}"
            ));
            if conflicts > 0 {
                self.overlay = Overlay::Conflicts { slot, selected: 0 };
            }
        }
        self.save_effect(slot, false).into_iter().collect()
    }

    /// The commands of the corpus list and the conflicts list.
    pub(super) fn team_command(&mut self, c: Command) -> Vec<Effect> {
        match (c, &self.overlay) {
            (Command::CorpusStatus, Overlay::Corpus { .. }) => {
                let sources = self
                    .slots
                    .iter()
                    .map(|s| s.path().to_path_buf())
                    .collect();
                vec![Effect::StatusTable(sources)]
            }
            (Command::ConflictList, Overlay::Corpus { selected }) => {
                let slot = *selected;
                if self.conflict_items(slot).is_empty() {
                    self.info("no unresolved merge conflicts in this article");
                } else {
                    self.overlay = Overlay::Conflicts { slot, selected: 0 };
                }
                vec![]
            }
            (Command::SettleYours, Overlay::Conflicts { .. }) => self.settle(Choice::Ours),
            (Command::SettleTheirs, Overlay::Conflicts { .. }) => self.settle(Choice::Theirs),
            (Command::SettleBoth, Overlay::Conflicts { .. }) => self.settle(Choice::Both),
            _ => vec![],
        }
    }

    /// Settles the conflict under the cursor; undoable like any change.
    fn settle(&mut self, choice: Choice) -> Vec<Effect> {
        let Overlay::Conflicts { slot, selected } = self.overlay else {
            return vec![];
        };
        let list = self.conflict_items(slot);
        let Some((item, _)) = list.get(selected.min(list.len().saturating_sub(1))) else {
            self.overlay = Overlay::None;
            return vec![];
        };
        let Some(d) = self.doc_mut(slot) else {
            return vec![];
        };
        if d.article.read_only.is_some() {
            self.warn("read-only: conflicts cannot be settled here");
            return vec![];
        }
        d.begin_change();
        let done = match item {
            ConflictItem::Annotation(id) => mark::settle(&mut d.article.sidecar, id, choice)
                .map(|kept| {
                    let kept = if kept.is_empty() {
                        "none".to_string()
                    } else {
                        kept.join(" and ")
                    };
                    format!("{id}: kept {kept}")
                }),
            ConflictItem::Key(key) => {
                // A value has no "both": anything but theirs keeps yours.
                let side = if choice == Choice::Theirs {
                    Side::Theirs
                } else {
                    Side::Ours
                };
                mark::settle_key(&mut d.article.sidecar, key, side)
                    .map(|()| format!("{key}: kept {}", side_word(side)))
            }
        };
        d.end_change();
        match done {
            Ok(msg) => {
                let left = self.conflict_items(slot).len();
                if left == 0 {
                    self.overlay = Overlay::None;
                    self.info(format!("{msg}; no conflicts left"));
                } else {
                    self.overlay = Overlay::Conflicts {
                        slot,
                        selected: selected.min(left - 1),
                    };
                    self.info(format!("{msg}; {left} left"));
                }
            }
            Err(e) => self.error(e.to_string()),
        }
        vec![]
    }

    /// The status table arrived: show it.
    pub(super) fn status_table(&mut self, result: Result<Vec<String>, String>) {
        match result {
            Ok(lines) => self.overlay = Overlay::Status { lines, scroll: 0 },
            Err(e) => self.error(format!("no corpus status: {e}")),
        }
    }
}

fn side_word(side: Side) -> &'static str {
    match side {
        Side::Ours => "yours",
        Side::Theirs => "theirs",
    }
}
