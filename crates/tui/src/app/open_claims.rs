//! Which articles hold a lock file saying "open in this instance" (issue 10
//! item 1): those on screen, and those left with work not yet saved. Each
//! lock keeps a file open; when every article loaded took one, a folder of
//! more articles than the process may open files (1,024 is a common limit)
//! could open no more files, and saves failed.

use std::collections::BTreeSet;

use super::{App, Slot};
use crate::action::Effect;
use crate::open_lock;

impl App {
    /// Asks for the lock of each article on screen that has none, and lets
    /// go of those of articles off screen with nothing left to save.
    pub(super) fn reconcile_open_claims(&mut self, shown: &BTreeSet<usize>) -> Vec<Effect> {
        if !self.annotating || self.review.is_some() {
            return vec![];
        }
        let mut effects = Vec::new();
        for &slot in shown {
            let Some(Slot::Ready(d)) = self.slots.get_mut(slot) else {
                continue;
            };
            // A preview waits for the whole file; a read-only article has
            // its own way back (tried again with the disk check).
            if d.preview || d.claim_pending || d.article.read_only.is_some() {
                continue;
            }
            if open_lock::is_held(&d.article.sidecar_path) {
                self.claimed.insert(slot);
                continue;
            }
            d.claim_pending = true;
            effects.push(Effect::Claim {
                slot,
                sidecar: d.article.sidecar_path.clone(),
            });
        }
        let mut released = Vec::new();
        let off_screen: Vec<usize> = self.claimed.difference(shown).copied().collect();
        for slot in off_screen {
            if let Some(Slot::Ready(d)) = self.slots.get(slot) {
                if d.dirty || d.saving.is_some() || d.conflict {
                    continue;
                }
                released.extend(open_lock::take(&d.article.sidecar_path));
            }
            self.claimed.remove(&slot);
        }
        if !released.is_empty() {
            effects.push(Effect::Release(released));
        }
        effects
    }

    /// The articles the panes show.
    pub(super) fn slots_on_screen(&self) -> BTreeSet<usize> {
        self.panes.iter().map(|p| p.slot).collect()
    }

    /// Counts the lock an article took as it loaded (it was to be shown at
    /// once), to be let go once it is off screen.
    pub(super) fn note_open_claim(&mut self, slot: usize) {
        if let Some(Slot::Ready(d)) = self.slots.get(slot)
            && open_lock::is_held(&d.article.sidecar_path)
        {
            self.claimed.insert(slot);
        }
    }

    /// The answer to [`Effect::Claim`].
    pub(super) fn claimed(&mut self, slot: usize, elsewhere: Option<String>) {
        let Some(Slot::Ready(d)) = self.slots.get_mut(slot) else {
            return;
        };
        d.claim_pending = false;
        match elsewhere {
            None => {
                self.claimed.insert(slot);
            }
            Some(why) => {
                d.article.read_only = Some(why.clone());
                self.error(format!("read-only: {why}"));
            }
        }
    }
}
