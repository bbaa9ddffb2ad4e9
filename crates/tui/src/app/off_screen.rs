//! Articles off screen are not held whole (issue 14): once loaded, one that
//! is not on screen and has nothing to save, undo or settle becomes a
//! [`Summary`] (its status and counts, for the corpus list), and is read
//! again when it comes on screen. Holding every article of a 100,000-article
//! folder took 590 MB (about 6 KB an article of 4 KB: its text, line and
//! sentence indexes and sidecar). The few articles lately on screen stay
//! whole, so going back to one is instant: a 50 MB article took 2 s to read
//! again.

use std::collections::BTreeSet;

use super::{App, LabelCounts, Slot, Summary};
use crate::action::Effect;

/// How much of what was lately on screen stays whole besides what is shown.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lately {
    pub articles: usize,
    /// Bytes of text, together.
    pub bytes: usize,
}

impl Default for Lately {
    fn default() -> Lately {
        Lately {
            articles: 4,
            bytes: 128 << 20,
        }
    }
}

impl App {
    /// The annotating screen: articles get a lock file when they come on
    /// screen and let it go when they leave it saved, and are let go
    /// themselves once they are not among the few lately shown (reviewing
    /// holds both sides of every article).
    pub fn annotating(mut self) -> App {
        self.annotating = true;
        self
    }

    /// Counts by label number (see [`Summary::counts`]); empty for none.
    fn numbered_counts(&mut self, counts: &LabelCounts) -> Box<[u32]> {
        let mut numbered: Vec<u32> = Vec::new();
        for (label, &n) in counts.iter().filter(|(_, n)| **n > 0) {
            let at = match self.summary_labels.iter().position(|l| l == label) {
                Some(at) => at,
                None => {
                    self.summary_labels.push(label.clone());
                    self.summary_labels.len() - 1
                }
            };
            if numbered.len() <= at {
                numbered.resize(at + 1, 0);
            }
            numbered[at] = u32::try_from(n).unwrap_or(u32::MAX);
        }
        numbered.into_boxed_slice()
    }

    /// A summary's counts by label name.
    pub fn summary_counts(&self, summary: &Summary) -> LabelCounts {
        summary
            .counts
            .iter()
            .zip(&self.summary_labels)
            .filter(|(n, _)| **n > 0)
            .map(|(&n, label)| (label.clone(), n as usize))
            .collect()
    }

    /// Counts an article just loaded as held whole.
    pub(super) fn note_resident(&mut self, slot: usize) {
        if self.annotating && matches!(self.slots.get(slot), Some(Slot::Ready(_))) {
            self.resident.insert(slot);
        }
    }

    /// Notes the articles on screen as the most recent, and gives those
    /// lately on screen that stay whole (see [`Lately`]).
    fn lately_shown(&mut self, shown: &BTreeSet<usize>) -> BTreeSet<usize> {
        for &slot in shown {
            self.recent.retain(|&s| s != slot);
            self.recent.push_front(slot);
        }
        let (mut kept, mut bytes) = (BTreeSet::new(), 0);
        for &slot in self.recent.iter().filter(|s| !shown.contains(s)) {
            let Some(Slot::Ready(d)) = self.slots.get(slot) else {
                continue;
            };
            let size = d.article.doc.len_bytes();
            if kept.len() < self.lately.articles && bytes + size <= self.lately.bytes {
                kept.insert(slot);
                bytes += size;
            }
        }
        self.recent
            .retain(|s| shown.contains(s) || kept.contains(s));
        kept
    }

    /// Lets go of the articles held whole but off screen with nothing to
    /// save, and asks for those on screen known only by their summary.
    pub(super) fn reconcile_off_screen(&mut self, shown: &BTreeSet<usize>) -> Vec<Effect> {
        if !self.annotating || self.review.is_some() {
            return vec![];
        }
        let kept = self.lately_shown(shown);
        let leaving: Vec<usize> = self.resident.difference(shown).copied().collect();
        for slot in leaving.into_iter().filter(|slot| !kept.contains(slot)) {
            let summary = match self.slots.get(slot) {
                Some(Slot::Ready(d)) => {
                    // Unsaved work, a save or a conflict under way, a
                    // preview, a read-only article (its reason is shown in
                    // the list), merge conflicts to settle (listed from the
                    // corpus list) and changes to undo stay whole: few
                    // articles, those worked on.
                    let busy = d.dirty
                        || d.has_history()
                        || d.conflicts() > 0
                        || d.saving.is_some()
                        || d.conflict
                        || d.preview
                        || d.recovered.is_some()
                        || d.article.read_only.is_some()
                        || d.claim_pending
                        || self.claimed.contains(&slot);
                    if busy {
                        continue;
                    }
                    let counts = d.label_counts();
                    Summary {
                        path: d.article.source.clone(),
                        status: self
                            .article_status(slot)
                            .unwrap_or(claimtag_model::format::Status::Todo),
                        counts: self.numbered_counts(&counts),
                    }
                }
                _ => {
                    self.resident.remove(&slot);
                    continue;
                }
            };
            self.slots[slot] = Slot::Summary(Box::new(summary));
            self.resident.remove(&slot);
        }
        let mut effects = Vec::new();
        for &slot in shown {
            let Some(Slot::Summary(s)) = self.slots.get(slot) else {
                continue;
            };
            let source = s.path.clone();
            self.slots[slot] = Slot::Pending(source.clone());
            effects.push(Effect::Load {
                slot,
                source,
                annotator: self.annotator.clone(),
                rules: self.scheme.sentence_rules(),
                suggestions: self.suggestion_set(),
            });
        }
        effects
    }
}
