//! Saving and everything around it, as state changes only: autosave timed by
//! ticks, save results, changed-on-disk conflicts, reload, and quitting. The
//! disk work itself is returned as effects (see `crate::worker`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use claimtag_model::Article;

use super::{App, Doc, Effect, Overlay, Quitting, Slot};
use crate::action::{AfterRecovery, DiskProbe, SaveFailure, Saved};
use crate::command::{Command, Mode};

/// Autosave this long after a tick first saw unsaved changes (ticks come
/// every 200 ms, so work is on disk within 2 s of any change).
pub const AUTOSAVE_AFTER: Duration = Duration::from_millis(1500);
/// How often sidecars shown on screen are checked for changes by others.
pub const DISK_CHECK_EVERY: Duration = Duration::from_secs(2);

impl App {
    pub(super) fn tick(&mut self, now: Instant) -> Vec<Effect> {
        self.now = Some(now);
        let mut effects = Vec::new();
        // Annotating, only the articles held whole can have work to save:
        // going through 100,000 slots every tick kept the screen busy.
        let held: Vec<usize> = if self.annotating {
            self.resident.iter().copied().collect()
        } else {
            (0..self.slots.len()).collect()
        };
        for slot in held {
            let Some(Slot::Ready(d)) = self.slots.get_mut(slot) else {
                continue;
            };
            if !d.dirty || d.preview || d.article.read_only.is_some() {
                d.dirty_since = None;
                continue;
            }
            let since = *d.dirty_since.get_or_insert(now);
            if d.saving.is_some() || now.duration_since(since) < AUTOSAVE_AFTER {
                continue;
            }
            if d.conflict {
                // Undecided ("decide later"): the file on disk is not ours to
                // write, but the work still goes to the recovery file (written
                // again only when it changed), timed from the next tick.
                d.dirty_since = None;
                effects.extend(self.recover_effect(slot, AfterRecovery::Background));
            } else {
                effects.extend(self.save_effect(slot, false));
            }
        }
        effects.extend(self.retry_read_only(now));
        let last = *self.last_disk_check.get_or_insert(now);
        if !self.checking_disk && now.duration_since(last) >= DISK_CHECK_EVERY {
            self.last_disk_check = Some(now);
            let probes = self.disk_probes();
            if !probes.is_empty() {
                self.checking_disk = true;
                effects.push(Effect::CheckDisk(probes));
            }
        }
        effects
    }

    /// The sidecars on screen that a change by others could replace: those
    /// with no unsaved work and no save under way.
    fn disk_probes(&self) -> Vec<DiskProbe> {
        let mut shown: Vec<usize> = self.panes.iter().map(|p| p.slot).collect();
        shown.dedup();
        shown
            .into_iter()
            .filter_map(|slot| {
                let d = self.slots.get(slot)?.doc()?;
                let quiet =
                    !d.dirty && d.saving.is_none() && !d.preview && d.article.read_only.is_none();
                quiet.then(|| DiskProbe {
                    slot,
                    source: d.article.source.clone(),
                    doc: d.article.doc.clone(),
                    annotator: d.article.sidecar.annotator.clone(),
                    sidecar_path: d.article.sidecar_path.clone(),
                    stamp: d.article.stamp.clone(),
                })
            })
            .collect()
    }

    /// Read-only articles on screen are tried again as often as the disk is
    /// checked, on the worker (their sidecar may have been fixed, made
    /// writable, or let go by the instance that had it open).
    fn retry_read_only(&mut self, now: Instant) -> Vec<Effect> {
        let last = *self.last_read_only_retry.get_or_insert(now);
        if self.retrying_read_only || now.duration_since(last) < DISK_CHECK_EVERY {
            return vec![];
        }
        self.last_read_only_retry = Some(now);
        let mut shown: Vec<usize> = self.panes.iter().map(|p| p.slot).collect();
        shown.sort_unstable();
        shown.dedup();
        let articles: Vec<(usize, Box<Article>)> = shown
            .into_iter()
            .filter_map(|slot| {
                let d = self.slots.get(slot)?.doc()?;
                let retry = d.article.read_only.is_some() && !d.preview;
                retry.then(|| (slot, Box::new(d.article.clone())))
            })
            .collect();
        if articles.is_empty() {
            return vec![];
        }
        self.retrying_read_only = true;
        vec![Effect::RetryReadOnly(articles)]
    }

    /// A read-only article became writable: take it, re-read, and say so.
    pub(super) fn writable(&mut self, slot: usize, article: Article) {
        let Some(Slot::Ready(d)) = self.slots.get(slot) else {
            return;
        };
        if d.article.read_only.is_none() {
            return;
        }
        let name = article.sidecar_path.display().to_string();
        self.replace_doc(slot, article);
        self.info(format!(
            "{name} is readable and writable again: reloaded, editable"
        ));
    }

    /// SIGTERM, SIGHUP or SIGINT: every unsaved article is saved (or, when
    /// it cannot be, kept in a recovery file), then the program leaves; the
    /// note makes the exit status non-zero.
    pub(super) fn stop(&mut self, signal: &str) -> Vec<Effect> {
        self.exit_notes.push(format!("stopped by {signal}"));
        self.overlay = Overlay::None;
        let dirty = self.dirty_slots();
        if dirty.is_empty() {
            return vec![Effect::Quit];
        }
        self.quitting = Some(Quitting {
            waiting: dirty.clone(),
            exit: true,
            ..Quitting::default()
        });
        let mut effects = Vec::new();
        for slot in dirty {
            let writable = self
                .slots
                .get(slot)
                .and_then(Slot::doc)
                .is_some_and(|d| !d.conflict && d.article.read_only.is_none());
            if writable {
                // A save already under way answers for this slot too.
                effects.extend(self.save_effect(slot, false));
            } else {
                effects.extend(self.recover_effect(slot, AfterRecovery::Exit));
            }
        }
        effects
    }

    /// A save of a slot's current revision, marked as under way.
    pub(super) fn save_effect(&mut self, slot: usize, overwrite: bool) -> Option<Effect> {
        let scheme = std::sync::Arc::new(self.scheme.clone());
        let d = self.doc_mut(slot)?;
        if d.saving.is_some() {
            return None;
        }
        d.saving = Some(d.revision);
        Some(Effect::Save {
            slot,
            revision: d.revision,
            article: Box::new(d.article.clone()),
            scheme,
            overwrite,
        })
    }

    /// Ctrl-s.
    pub(super) fn save_now(&mut self) -> Vec<Effect> {
        let dirty = self.dirty_slots();
        if dirty.is_empty() {
            self.info("nothing to save");
            return vec![];
        }
        let mut effects = Vec::new();
        for slot in dirty {
            self.announce.push(slot);
            effects.extend(self.save_effect(slot, false));
        }
        if effects.is_empty() {
            self.info("saving …");
        }
        effects
    }

    pub(super) fn saved(
        &mut self,
        slot: usize,
        revision: u64,
        result: Result<Box<Saved>, SaveFailure>,
    ) -> Vec<Effect> {
        let announce = self.announce.contains(&slot);
        self.announce.retain(|s| *s != slot);
        let quitting = self.quitting.is_some();
        let Some(d) = self.doc_mut(slot) else {
            return vec![];
        };
        d.saving = None;
        match result {
            Ok(saved) => {
                let saved = *saved;
                d.article.stamp = Some(saved.stamp);
                d.article.sidecar.source = saved.sidecar.source.clone();
                d.article.sidecar.updated = saved.sidecar.updated.clone();
                d.mark_saved(Doc::snapshot_of(&saved.sidecar));
                let still_dirty = d.dirty;
                let name = d.article.sidecar_path.display().to_string();
                if let Some(theirs) = saved.overwrote {
                    self.info(match theirs {
                        Some(p) => format!("saved; the version on disk is kept in {}", p.display()),
                        None => "saved (overwrote the version on disk)".into(),
                    });
                } else if announce && !quitting && matches!(self.overlay, Overlay::None) {
                    self.info(format!("saved {name}"));
                }
                if quitting {
                    if still_dirty {
                        // Changes made while it saved: save those too.
                        return self.save_effect(slot, false).into_iter().collect();
                    }
                    return self.quit_step_done(slot);
                }
                let _ = revision;
                vec![]
            }
            Err(failure) => {
                if failure.changed_on_disk {
                    d.conflict = true;
                    d.disk_unparsable = failure.disk_unparsable.clone();
                }
                if quitting {
                    // Keep the work in a recovery copy and say where.
                    if let Some(q) = self.quitting.as_mut() {
                        q.reasons.push(failure.message);
                    }
                    return self.recover_effect(slot, AfterRecovery::Keep);
                }
                if failure.changed_on_disk {
                    if matches!(self.overlay, Overlay::None) {
                        self.overlay = Overlay::Conflict(slot);
                    }
                } else {
                    self.error(failure.message);
                }
                vec![]
            }
        }
    }

    /// A recovery copy of a slot's current state, unless one was written for
    /// this very revision (then its path is used at once).
    fn recover_effect(&mut self, slot: usize, then: AfterRecovery) -> Vec<Effect> {
        let Some(d) = self.slots.get(slot).and_then(Slot::doc) else {
            return self.recovered(slot, 0, Err("not loaded".into()), then);
        };
        if let Some((rev, path)) = &d.recovered
            && *rev == d.revision
        {
            let (rev, path) = (*rev, path.clone());
            return self.recovered(slot, rev, Ok(path), then);
        }
        vec![Effect::Recover {
            slot,
            revision: d.revision,
            sidecar_path: d.article.sidecar_path.clone(),
            yaml: d.recovery_yaml(),
            // One recovery file per article: a later state replaces an earlier one.
            reuse: d.recovered.as_ref().map(|r| r.1.clone()),
            then,
        }]
    }

    pub(super) fn recovered(
        &mut self,
        slot: usize,
        revision: u64,
        result: Result<PathBuf, String>,
        then: AfterRecovery,
    ) -> Vec<Effect> {
        if let (Ok(path), Some(d)) = (&result, self.doc_mut(slot)) {
            d.recovered = Some((revision, path.clone()));
        }
        match then {
            // Recorded above; a quit under way waits for its own answers.
            AfterRecovery::Background => vec![],
            AfterRecovery::Reload => {
                let Some(d) = self.slots.get(slot).and_then(Slot::doc) else {
                    return vec![];
                };
                vec![Effect::Reload {
                    slot,
                    source: d.article.source.clone(),
                    doc: d.article.doc.clone(),
                    annotator: d.article.sidecar.annotator.clone(),
                    kept: result,
                }]
            }
            AfterRecovery::Keep => {
                if let Some(q) = self.quitting.as_mut() {
                    match result {
                        Ok(p) => q.kept.push(p.display().to_string()),
                        Err(e) => q.reasons.push(format!("no recovery file either: {e}")),
                    }
                }
                self.quit_step_done(slot)
            }
            AfterRecovery::Exit => {
                if let Ok(p) = result {
                    self.exit_notes
                        .push(format!("unsaved annotations written to {}", p.display()));
                }
                self.quit_step_done(slot)
            }
        }
    }

    /// `q`: save everything, then leave; the second `q` after a failure
    /// leaves with recovery copies of what could not be saved.
    pub(super) fn quit(&mut self) -> Vec<Effect> {
        let dirty = self.dirty_slots();
        if dirty.is_empty() {
            return vec![Effect::Quit];
        }
        let exit = self.quit_armed;
        self.quitting = Some(Quitting {
            waiting: dirty.clone(),
            exit,
            ..Quitting::default()
        });
        let mut effects = Vec::new();
        for slot in dirty {
            if exit {
                effects.extend(self.recover_effect(slot, AfterRecovery::Exit));
            } else if let Some(e) = self.save_effect(slot, false) {
                effects.push(e);
            }
            // A save already under way answers for this slot too.
        }
        if self.quitting.is_some() && !exit {
            self.info("saving …");
        }
        effects
    }

    /// One slot of a quit is settled; when all are, leave or say why not.
    fn quit_step_done(&mut self, slot: usize) -> Vec<Effect> {
        let Some(q) = self.quitting.as_mut() else {
            return vec![];
        };
        q.waiting.retain(|s| *s != slot);
        if !q.waiting.is_empty() {
            return vec![];
        }
        let Some(q) = self.quitting.take() else {
            return vec![];
        };
        if q.exit {
            // Leaving whatever happens (a second `q`, a signal): say where
            // the work went and why it was not saved.
            self.exit_notes.extend(q.reasons);
            self.exit_notes.extend(
                q.kept
                    .iter()
                    .map(|p| format!("unsaved annotations written to {p}")),
            );
            return vec![Effect::Quit];
        }
        if q.reasons.is_empty() {
            return vec![Effect::Quit];
        }
        self.overlay = Overlay::None;
        self.quit_armed = true;
        let quit = self.key_for(Command::Quit);
        self.error(format!(
            "{}; your work is in {}; {quit} again quits",
            q.reasons.join("; "),
            q.kept.join(", ")
        ));
        vec![]
    }

    pub(super) fn conflict_command(&mut self, c: Command) -> Vec<Effect> {
        let Overlay::Conflict(slot) = self.overlay else {
            return vec![];
        };
        let unparsable = self.doc_mut(slot).and_then(|d| d.disk_unparsable.clone());
        if let (Command::KeepMine | Command::MergeTheirs, Some(why)) = (c, unparsable) {
            // A file that does not parse is never overwritten, nor merged.
            self.warn(format!(
                "not offered: the file on disk does not parse ({why})"
            ));
            return vec![];
        }
        self.overlay = Overlay::None;
        match c {
            Command::MergeTheirs => self.read_theirs_effect(slot),
            Command::KeepMine => self.save_effect(slot, true).into_iter().collect(),
            Command::ReloadTheirs => self.recover_effect(slot, AfterRecovery::Reload),
            _ => {
                let save = self.key_for(Command::Save);
                self.warn(format!(
                    "not saved: the sidecar changed on disk; your work goes to a recovery file until you choose ({save} asks again)"
                ));
                vec![]
            }
        }
    }

    pub(super) fn reloaded(
        &mut self,
        slot: usize,
        article: Article,
        kept: Result<PathBuf, String>,
    ) {
        if !matches!(self.slots.get(slot), Some(Slot::Ready(_))) {
            return;
        }
        self.replace_doc(slot, article);
        match kept {
            Ok(p) => self.info(format!(
                "reloaded from disk; your version is in {}",
                p.display()
            )),
            Err(e) => self.error(format!(
                "reloaded from disk; could not keep your version: {e}"
            )),
        }
    }

    /// Someone else changed a sidecar we show: take theirs if ours has no
    /// unsaved work (else the next save meets the conflict).
    pub(super) fn disk_changed(&mut self, slot: usize, article: Article) {
        let Some(Slot::Ready(d)) = self.slots.get(slot) else {
            return;
        };
        if d.dirty || d.saving.is_some() || d.article.read_only.is_some() {
            return;
        }
        let name = d.article.sidecar_path.display().to_string();
        self.replace_doc(slot, article);
        self.info(format!("reloaded {name}: it changed on disk"));
    }

    /// A re-read article in place of the one shown; its suggestions stay
    /// (they come from another file) and are measured against the new tags.
    fn replace_doc(&mut self, slot: usize, article: Article) {
        let mut fresh = Doc::new(article);
        if let Some(Slot::Ready(old)) = self.slots.get_mut(slot) {
            fresh.suggestions = std::mem::take(&mut old.suggestions);
            fresh.reindex();
        }
        self.slots[slot] = Slot::Ready(Box::new(fresh));
    }

    /// The conflict prompt's lines, from the live keymap, the default
    /// (merge) first. Without "merge" and "keep mine" when the file on disk
    /// does not parse (it is never overwritten); the reason is given instead.
    pub fn conflict_hint(&self, slot: usize) -> Vec<String> {
        let unparsable = self
            .slots
            .get(slot)
            .and_then(Slot::doc)
            .and_then(|d| d.disk_unparsable.as_deref());
        let key = |c| self.keymap.key_in(Mode::Conflict, c);
        let first = match unparsable {
            Some(why) => vec![format!(
                "  The file on disk does not parse, so it is not overwritten: {why}"
            )],
            None => vec![
                format!(
                    "  {}  merge: both sides' work kept (by annotation id); conflicts listed to settle",
                    self.keymap
                        .keys_in(Mode::Conflict, Command::MergeTheirs)
                        .join(" or ")
                ),
                format!(
                    "  {}  keep mine: overwrite the file on disk (theirs go to a recovery file first)",
                    key(Command::KeepMine)
                ),
            ],
        };
        first
            .into_iter()
            .chain([
                format!(
                    "  {}  reload theirs (mine go to a recovery file first)",
                    key(Command::ReloadTheirs)
                ),
                format!(
                    "  {}  decide later (mine keep going to a recovery file)",
                    key(Command::DecideLater)
                ),
            ])
            .collect()
    }

    /// Writes recovery copies of all unsaved work at once, on this thread:
    /// for the crash path only, when the loop is gone.
    pub fn write_recovery_now(&mut self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for slot in self.dirty_slots() {
            let Some(d) = self.slots.get(slot).and_then(Slot::doc) else {
                continue;
            };
            let reuse = d.recovered.as_ref().map(|r| r.1.clone());
            if let Some((rev, path)) = &d.recovered
                && *rev == d.revision
            {
                out.push(path.clone());
                continue;
            }
            if let Ok(p) = crate::worker::write_recovery_file(
                &d.article.sidecar_path,
                &d.recovery_yaml(),
                reuse.as_deref(),
            ) {
                out.push(p);
            }
        }
        out
    }
}
