//! "Merge", the default of the changed-on-disk prompt (issue 15, issue 10
//! item 3): the version someone saved meanwhile (theirs) is merged into ours
//! three-way, by annotation id, with the sidecar as last read or saved as the
//! base, through `claimtag_model::merge` (the same merge as `claimtag merge`).
//! The result replaces ours as one undoable change and is saved; conflicts
//! stay in it, marked `conflict:`, and are listed to settle. Reading the disk
//! is the worker's (`Effect::ReadTheirs`).

use claimtag_model::diff::{self, Diff};
use claimtag_model::format::Sidecar;
use claimtag_model::merge;
use claimtag_model::store::DiskStamp;

use super::{App, Effect, Overlay, Slot};
use crate::command::{Command, Mode};

/// One side's changes since the base, in a few words: "1 added, 2 changed".
fn summary(d: &Diff) -> String {
    let mut parts = Vec::new();
    for (n, what) in [
        (d.added.len(), "added"),
        (d.removed.len(), "removed"),
        (d.changed.len(), "changed"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    // The article's status and extension keys; the annotator and the source
    // reference are bookkeeping (a sidecar not yet on disk has no sha256).
    let fields: Vec<&str> = d
        .file
        .iter()
        .map(|f| f.field.as_str())
        .filter(|f| *f != "annotator" && !f.starts_with("source."))
        .collect();
    if !fields.is_empty() {
        parts.push(fields.join(", "));
    }
    if parts.is_empty() {
        "nothing".into()
    } else {
        parts.join(", ")
    }
}

impl App {
    /// "Merge" chosen: the version on disk is read first.
    pub(super) fn read_theirs_effect(&self, slot: usize) -> Vec<Effect> {
        let Some(d) = self.slots.get(slot).and_then(Slot::doc) else {
            return vec![];
        };
        vec![Effect::ReadTheirs {
            slot,
            sidecar_path: d.article.sidecar_path.clone(),
        }]
    }

    /// The version on disk was read: merge it into ours, then save.
    pub(super) fn theirs_read(
        &mut self,
        slot: usize,
        result: Result<Option<(Sidecar, DiskStamp)>, String>,
    ) -> Vec<Effect> {
        if !self
            .slots
            .get(slot)
            .and_then(Slot::doc)
            .is_some_and(|d| d.conflict)
        {
            return vec![];
        }
        match result {
            Ok(Some((theirs, stamp))) => self.merge_disk_version(slot, theirs, stamp),
            // Deleted on disk: nothing to merge; ours is written anew.
            Ok(None) => {
                let Some(d) = self.doc_mut(slot) else {
                    return vec![];
                };
                d.article.stamp = None;
                d.conflict = false;
                self.info("the file on disk is gone: yours is saved anew");
                self.save_effect(slot, false).into_iter().collect()
            }
            Err(e) => {
                let save = self.key_for(Command::Save);
                self.error(format!(
                    "cannot merge: {e} (nothing written; {save} asks again)"
                ));
                vec![]
            }
        }
    }

    /// Merges `theirs` (read from disk, with its stamp) into ours, with the
    /// sidecar as last read or saved as the base, and makes the disk version
    /// the one our next save replaces. One undoable change; saved at once.
    pub fn merge_disk_version(
        &mut self,
        slot: usize,
        theirs: Sidecar,
        stamp: DiskStamp,
    ) -> Vec<Effect> {
        let settle_keys = self.keymap.hint_list(
            Mode::Conflicts,
            &[
                (Command::SettleYours, "yours"),
                (Command::SettleTheirs, "theirs"),
                (Command::SettleBoth, "both"),
            ],
        );
        let Some(d) = self.doc_mut(slot) else {
            return vec![];
        };
        let base = d.base_sidecar();
        let ours = d.article.sidecar.clone();
        let doc = d.doc().clone();
        let merged = merge::merge(Some(&base), &ours, &theirs, |sha| {
            (sha == doc.sha256()).then(|| doc.clone())
        });
        let from_ours = summary(&diff::diff(&base, &ours, Some(&doc), Some(&doc)));
        let from_theirs = summary(&diff::diff(&base, &theirs, Some(&doc), Some(&doc)));
        d.begin_change();
        d.article.sidecar = merged.sidecar;
        d.end_change();
        d.article.stamp = Some(stamp);
        d.conflict = false;
        d.disk_unparsable = None;
        let report = merged.report;
        let conflicts = report.conflicts.len();
        let sides = format!("yours: {from_ours}; theirs: {from_theirs}");
        let dangling = if report.dangling.is_empty() {
            String::new()
        } else {
            let links: Vec<String> = report
                .dangling
                .iter()
                .map(|l| format!("{} {} {}", l.from, l.rel, l.to))
                .collect();
            format!("; links to removed spans: {} (edit them)", links.join(", "))
        };
        if conflicts == 0 {
            let msg = format!("merged with the version on disk ({sides}); saving{dangling}");
            if dangling.is_empty() {
                self.info(msg);
            } else {
                self.warn(msg);
            }
        } else {
            self.warn(format!(
                "merged with the version on disk ({sides}); {conflicts} conflict(s) to settle: {settle_keys}{dangling}"
            ));
            // The list opens where the article is shown.
            if let Some(p) = self.panes.iter().position(|p| p.slot == slot) {
                self.focus = p;
                self.overlay = Overlay::Conflicts { selected: 0 };
                self.show_conflict(0);
            }
        }
        self.save_effect(slot, false).into_iter().collect()
    }
}
