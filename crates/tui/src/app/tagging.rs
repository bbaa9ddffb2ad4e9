//! Selecting, tagging, deleting and stepping through annotations; undo.

use std::ops::Range;
use std::sync::Arc;

use claimtag_model::anchor;

use super::{App, Slot, short};
use crate::command::Command;

/// Longest span a tag may cover, in code points: longer is surely a
/// selection left on by mistake (a whole article), not a claim.
pub const MAX_TAG_CHARS: usize = 20_000;

const LONG_SENTENCE: &str =
    "this sentence runs on for more than 64 KiB: select what to tag with v and the motions";

impl App {
    /// The selected byte range of a pane (inclusive of the grapheme under the
    /// cursor, as in vim's visual mode), snapped and trimmed.
    pub fn selection(&self, pane: usize) -> Option<Range<usize>> {
        let p = self.panes.get(pane)?;
        let a = p.anchor?;
        let doc = self.doc_of(pane)?.doc();
        let (lo, hi) = (a.min(p.cursor), a.max(p.cursor));
        Some(doc.snap_selection(lo..doc.next_grapheme(hi), false))
    }

    pub(super) fn select_unit(&mut self, paragraph: bool) {
        let f = self.focus;
        let Some(doc) = self.doc_of(f).map(|d| Arc::clone(d.doc())) else {
            return;
        };
        let cur = self.panes[f].cursor;
        let found = if paragraph {
            Some(doc.paragraph_at(cur))
        } else {
            doc.whole_sentence_at(cur)
        };
        let Some(r) = found else {
            self.panes[f].anchor = None;
            self.warn(LONG_SENTENCE);
            return;
        };
        if r.is_empty() {
            // A selection left from before must not be tagged by mistake.
            self.panes[f].anchor = None;
            self.info("nothing to select here");
            return;
        }
        let p = &mut self.panes[f];
        p.anchor = Some(r.start);
        p.cursor = doc.prev_grapheme(r.end);
        self.scroll_to_cursor(f);
    }

    pub(crate) fn editable(&mut self, slot: usize) -> bool {
        let why = match self.slots.get(slot) {
            Some(Slot::Ready(d)) if d.preview => {
                self.info("still loading the whole file; tags can be made in a moment");
                return false;
            }
            Some(Slot::Ready(d)) => d.article.read_only.clone(),
            _ => Some("not loaded".into()),
        };
        if let Some(r) = &self.review
            && r.is_theirs(slot)
        {
            let msg = format!(
                "{}'s tags are read-only here; {} accepts them into yours",
                r.theirs,
                self.keymap
                    .key_in(crate::command::Mode::Review, Command::Accept)
            );
            self.warn(msg);
            return false;
        }
        match why {
            Some(w) => {
                self.error(format!("read-only: {w}"));
                false
            }
            None => true,
        }
    }

    pub(super) fn tag(&mut self, label: usize) {
        let f = self.focus;
        let slot = self.panes[f].slot;
        if !self.editable(slot) {
            return;
        }
        let Some(label_name) = self.scheme.labels.get(label).map(|l| l.name.clone()) else {
            return;
        };
        let Some(doc) = self.doc_of(f).map(|d| Arc::clone(d.doc())) else {
            return;
        };
        let raw = match self.selection(f) {
            Some(r) => r,
            None => match doc.whole_sentence_at(self.panes[f].cursor) {
                Some(r) => r,
                None => {
                    self.warn(LONG_SENTENCE);
                    return;
                }
            },
        };
        let r = doc.snap_selection(raw, self.trim);
        if r.is_empty() {
            let keys = [
                Command::ToggleSelect,
                Command::SelectSentence,
                Command::SelectParagraph,
            ]
            .map(|c| self.key_for(c));
            self.info(format!(
                "nothing to tag here: select some text first ({} or the mouse)",
                keys.join(", ")
            ));
            return;
        }
        let (cs, ce) = (doc.byte_to_char(r.start), doc.byte_to_char(r.end));
        if ce - cs > MAX_TAG_CHARS {
            self.warn(format!(
                "not tagged: the selection is {} characters long (at most {MAX_TAG_CHARS}); {} clears it",
                ce - cs,
                self.key_for(Command::Escape)
            ));
            return;
        }
        let provenance = self
            .review
            .as_ref()
            .filter(|rv| rv.is_adjudicating())
            .map(|_| self.annotator.clone());
        let Some(d) = self.doc_mut(slot) else {
            return;
        };
        if d.annotations()
            .iter()
            .any(|a| a.start == cs && a.end == ce && a.label == label_name)
        {
            self.info(format!("already tagged as {label_name}"));
            return;
        }
        d.begin_change();
        let id = d.article.sidecar.fresh_id();
        let mut a = anchor::new_annotation(&doc, r.clone(), &label_name, id.clone());
        a.from = provenance;
        let preview = short(&a.text, 40);
        d.article.sidecar.annotations.push(a);
        d.end_change();
        self.panes[f].anchor = None;
        self.info(format!("{id} {label_name}: “{preview}”"));
    }

    pub(super) fn delete_at_cursor(&mut self) {
        let f = self.focus;
        let slot = self.panes[f].slot;
        if !self.editable(slot) {
            return;
        }
        let cur = self.panes[f].cursor;
        let undo = self.key_for(Command::Undo);
        let Some(d) = self.doc_mut(slot) else {
            return;
        };
        let Some(&i) = d.at(cur).first() else {
            self.info("no annotation under the cursor");
            return;
        };
        d.begin_change();
        let removed = d.article.sidecar.annotations.remove(i);
        let mut links = 0;
        for a in d.article.sidecar.annotations.iter_mut() {
            let before = a.links.len();
            a.links.retain(|l| l.to != removed.id);
            links += before - a.links.len();
        }
        d.end_change();
        // Links pointing at it go too: say so, or they vanish unseen.
        let with = match links {
            0 => String::new(),
            1 => " and 1 link to it".to_string(),
            n => format!(" and {n} links to it"),
        };
        self.info(format!(
            "deleted {} {}{with} ({undo} undoes)",
            removed.id, removed.label
        ));
    }

    pub(super) fn jump_annotation(&mut self, forward: bool) {
        let f = self.focus;
        let cur = self.panes[f].cursor;
        let Some(d) = self.doc_of(f) else { return };
        let starts: Vec<usize> = d.spans.iter().flatten().map(|r| r.start).collect();
        let target = if forward {
            starts.iter().copied().filter(|&s| s > cur).min()
        } else {
            starts.iter().copied().filter(|&s| s < cur).max()
        };
        match target {
            Some(t) => {
                self.panes[f].cursor = t;
                self.panes[f].want_x = None;
                self.scroll_to_cursor(f);
                if let Some(d) = self.doc_of(f)
                    && let Some(&i) = d.at(t).first()
                {
                    let a = &d.annotations()[i];
                    let text = format!("{} {}: “{}”", a.id, a.label, short(&a.text, 50));
                    self.info(text);
                }
            }
            None => self.info(if forward {
                "no annotation after the cursor"
            } else {
                "no annotation before the cursor"
            }),
        }
    }

    pub(super) fn swap_ends(&mut self) {
        let p = &mut self.panes[self.focus];
        if let Some(a) = p.anchor {
            p.anchor = Some(p.cursor);
            p.cursor = a;
            p.want_x = None;
            let f = self.focus;
            self.scroll_to_cursor(f);
        } else {
            let v = self.key_for(Command::ToggleSelect);
            self.info(format!("no selection ({v} starts one)"));
        }
    }

    pub(super) fn undo_redo(&mut self, undo: bool) {
        let slot = self.focused().slot;
        let done = self
            .doc_mut(slot)
            .map(|d| if undo { d.undo() } else { d.redo() });
        match done {
            Some(true) => self.info(if undo { "undone" } else { "redone" }),
            _ => self.info(if undo {
                "nothing to undo"
            } else {
                "nothing to redo"
            }),
        }
    }

    /// The guideline of the innermost annotation's label at the cursor, as a
    /// message (shown above the status line when long).
    pub(super) fn show_guideline(&mut self) {
        let f = self.focus;
        let cur = self.panes[f].cursor;
        let Some(d) = self.doc_of(f) else { return };
        let Some(&i) = d.at(cur).first() else {
            self.info("no annotation under the cursor");
            return;
        };
        let label = d.annotations()[i].label.clone();
        match self.scheme.label(&label) {
            Some(l) => {
                let text = guideline_text(l);
                self.info(text);
            }
            None => self.info(format!("{label}: not in the scheme")),
        }
    }
}

/// `claim — description. guideline. e.g. “…”; “…”` on one line.
fn guideline_text(l: &claimtag_model::scheme::Label) -> String {
    let mut parts = vec![l.name.clone()];
    let desc = l.description.trim();
    if !desc.is_empty() {
        parts.push(format!("— {desc}"));
    }
    let guide = l.guideline.split_whitespace().collect::<Vec<_>>().join(" ");
    if !guide.is_empty() {
        parts.push(guide);
    }
    if !l.examples.is_empty() {
        let ex: Vec<String> = l.examples.iter().map(|e| format!("“{e}”")).collect();
        parts.push(format!("e.g. {}", ex.join("; ")));
    }
    if parts.len() == 1 {
        parts.push("(the scheme gives no description)".into());
    }
    parts.join(" ")
}
