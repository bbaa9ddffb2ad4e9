//! Unanchored annotations (their text was not found after the source
//! changed): listed with their quote and old position, jumped to, and
//! re-attached to the current selection.

use std::sync::Arc;

use claimtag_model::anchor;

use super::{App, Effect, Overlay, short};
use crate::command::{Command, Mode};

/// One row of the list: the annotation's index, and how it reads.
pub struct OrphanRow {
    pub index: usize,
    pub text: String,
}

impl App {
    /// The unanchored annotations of the focused article, as listed.
    pub fn orphan_rows(&self) -> Vec<OrphanRow> {
        let Some(d) = self.doc_of(self.focus) else {
            return vec![];
        };
        let doc = d.doc();
        d.annotations()
            .iter()
            .enumerate()
            .filter(|(_, a)| a.orphan)
            .map(|(index, a)| {
                let (line, col) = doc.line_col(doc.char_to_byte(a.start.min(doc.len_chars())));
                OrphanRow {
                    index,
                    text: format!(
                        "{} {}  was at {}:{}  “{}”",
                        a.id,
                        a.label,
                        line,
                        col,
                        short(&a.text, 60)
                    ),
                }
            })
            .collect()
    }

    pub(super) fn open_orphans(&mut self) {
        if self.orphan_rows().is_empty() {
            self.info("no unanchored annotation in this article");
            return;
        }
        self.overlay = Overlay::Orphans { selected: 0 };
    }

    pub(super) fn orphans_command(&mut self, selected: usize, c: Command) -> Vec<Effect> {
        let rows = self.orphan_rows();
        let Some(row) = rows.get(selected) else {
            self.overlay = Overlay::None;
            return vec![];
        };
        match c {
            Command::ListClose => self.overlay = Overlay::None,
            Command::ListChoose => {
                self.overlay = Overlay::None;
                let f = self.focus;
                let Some(d) = self.doc_of(f) else {
                    return vec![];
                };
                let a = &d.annotations()[row.index];
                let b = d.doc().char_to_byte(a.start.min(d.doc().len_chars()));
                let say = format!(
                    "{} was here; select its text and {} then {} re-attaches it",
                    a.id,
                    self.key_for(Command::Unanchored),
                    self.keymap.key_in(Mode::Orphans, Command::Reattach)
                );
                self.place_cursor(b);
                self.info(say);
            }
            Command::Reattach => {
                self.overlay = Overlay::None;
                self.reattach(row.index);
            }
            _ => {
                self.overlay = Overlay::Orphans {
                    selected: super::lists::moved(selected, rows.len(), c),
                }
            }
        }
        vec![]
    }

    /// Gives annotation `index` the focused pane's selection as its span.
    fn reattach(&mut self, index: usize) {
        let f = self.focus;
        let slot = self.panes[f].slot;
        if !self.editable(slot) {
            return;
        }
        let Some(r) = self.selection(f).filter(|r| !r.is_empty()) else {
            let v = self.key_for(Command::ToggleSelect);
            self.info(format!(
                "select the text it belongs to first ({v} and the motions), then re-attach"
            ));
            return;
        };
        let Some(doc) = self.doc_of(f).map(|d| Arc::clone(d.doc())) else {
            return;
        };
        let r = doc.snap_selection(r, self.trim);
        let undo = self.key_for(Command::Undo);
        let Some(d) = self.doc_mut(slot) else { return };
        let Some(old) = d.annotations().get(index).cloned() else {
            return;
        };
        let placed = anchor::new_annotation(&doc, r, &old.label, old.id.clone());
        d.begin_change();
        if let Some(a) = d.article.sidecar.annotations.get_mut(index) {
            a.start = placed.start;
            a.end = placed.end;
            a.text = placed.text;
            a.prefix = placed.prefix;
            a.suffix = placed.suffix;
            a.orphan = false;
        }
        d.end_change();
        self.panes[f].anchor = None;
        self.info(format!(
            "{} {} re-attached to “{}” ({undo} undoes)",
            old.id,
            old.label,
            short(
                doc.slice(
                    doc.char_range_to_bytes(placed.start, placed.end)
                        .unwrap_or(0..0)
                ),
                40
            )
        ));
    }
}
