//! Unresolved merge conflicts (left by the TUI's merge or by `git merge`
//! through `claimtag merge`), listed and settled like review differences:
//! the list jumps to each, and yours / theirs / both settle the one under the
//! cursor, as an undoable change (`claimtag_model::merge::mark::settle`).

use claimtag_model::merge::mark::{self, Choice, Side};

use super::{App, Effect, Overlay, Slot, short};
use crate::command::{Command, Mode};

/// What a row of the list settles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConflictTarget {
    /// An annotation, by the id it has once settled.
    Annotation(String),
    /// A file-level key.
    Key(String),
}

/// One row of the conflicts list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictRow {
    pub target: ConflictTarget,
    pub text: String,
    /// Where the conflicting span starts (byte offset), for the jump.
    pub at: Option<usize>,
}

impl App {
    /// The unresolved conflicts of the focused article, in file order.
    pub fn conflict_rows(&self) -> Vec<ConflictRow> {
        let Some(d) = self.doc_of(self.focus) else {
            return vec![];
        };
        if d.conflicts() == 0 {
            return vec![];
        }
        let doc = d.doc();
        let s = &d.article.sidecar;
        let mut rows: Vec<ConflictRow> = mark::open_conflicts(s)
            .into_iter()
            .map(|c| {
                let shown = c.ours.as_ref().or(c.theirs.as_ref());
                let at = shown
                    .filter(|a| !a.orphan)
                    .and_then(|a| doc.char_range_to_bytes(a.start, a.end))
                    .map(|r| r.start);
                let place = at
                    .map(|b| {
                        let (l, col) = doc.line_col(b);
                        format!("{l}:{col}  ")
                    })
                    .unwrap_or_default();
                let what = match (&c.ours, &c.theirs) {
                    (Some(o), Some(t)) => c
                        .fields
                        .iter()
                        .map(|f| match f.as_str() {
                            "label" => format!("label: yours {} / theirs {}", o.label, t.label),
                            f => format!("{f} differs"),
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                    (Some(o), None) => format!("{}: yours edited it, theirs deleted it", o.label),
                    (None, Some(t)) => format!("{}: theirs edited it, yours deleted it", t.label),
                    (None, None) => String::new(),
                };
                let quote = shown.map(|a| short(&a.text, 40)).unwrap_or_default();
                ConflictRow {
                    text: format!("{place}{}  {what}  “{quote}”", c.id),
                    target: ConflictTarget::Annotation(c.id),
                    at,
                }
            })
            .collect();
        rows.sort_by_key(|r| r.at.unwrap_or(usize::MAX));
        rows.extend(
            mark::open_key_conflicts(s)
                .into_iter()
                .map(|k| ConflictRow {
                    text: format!("{}: yours {} / theirs {}", k.key, k.ours, k.theirs),
                    target: ConflictTarget::Key(k.key),
                    at: None,
                }),
        );
        rows
    }

    /// The conflicts list of the focused article (from the main screen).
    pub(super) fn open_conflicts(&mut self) {
        if self.conflict_rows().is_empty() {
            self.info("no unresolved merge conflicts in this article");
            return;
        }
        self.overlay = Overlay::Conflicts { selected: 0 };
        self.show_conflict(0);
    }

    /// From the corpus list: opens the article under the cursor, then its
    /// conflicts list.
    pub(super) fn open_conflicts_of(&mut self, slot: usize) {
        self.overlay = Overlay::None;
        self.open_in_focused(slot);
        if matches!(self.slots.get(slot), Some(Slot::Ready(_))) {
            self.open_conflicts();
        }
    }

    /// Puts the cursor on conflict `i` of the list (the list stays open).
    pub(super) fn show_conflict(&mut self, i: usize) {
        if let Some(at) = self.conflict_rows().get(i).and_then(|r| r.at) {
            self.place_cursor(at);
        }
    }

    pub(super) fn conflicts_command(&mut self, selected: usize, c: Command) -> Vec<Effect> {
        let rows = self.conflict_rows();
        if rows.is_empty() {
            self.overlay = Overlay::None;
            return vec![];
        }
        let selected = selected.min(rows.len() - 1);
        match c {
            Command::ListClose => self.overlay = Overlay::None,
            Command::ListChoose => {
                self.overlay = Overlay::None;
                self.show_conflict(selected);
                let list = self.key_for(Command::ConflictList);
                self.info(format!(
                    "{} conflict(s) here; {list} lists them again",
                    rows.len()
                ));
            }
            Command::SettleYours => self.settle(&rows[selected].target, selected, Choice::Ours),
            Command::SettleTheirs => self.settle(&rows[selected].target, selected, Choice::Theirs),
            Command::SettleBoth => self.settle(&rows[selected].target, selected, Choice::Both),
            _ => {
                let to = super::lists::moved(selected, rows.len(), c);
                self.overlay = Overlay::Conflicts { selected: to };
                self.show_conflict(to);
            }
        }
        vec![]
    }

    /// Settles one conflict of the focused article; undoable like any change.
    fn settle(&mut self, target: &ConflictTarget, selected: usize, choice: Choice) {
        let slot = self.focused().slot;
        if !self.editable(slot) {
            self.overlay = Overlay::None;
            return;
        }
        let undo = self.key_for(Command::Undo);
        let Some(d) = self.doc_mut(slot) else { return };
        d.begin_change();
        let done = match target {
            ConflictTarget::Annotation(id) => {
                mark::settle(&mut d.article.sidecar, id, choice).map(|kept| {
                    let kept = match kept.as_slice() {
                        [] => "removed".to_string(),
                        [one] => format!("kept as {one}"),
                        many => format!("kept as {}", many.join(" and ")),
                    };
                    format!("{id}: {} {kept}", choice_word(choice))
                })
            }
            ConflictTarget::Key(key) => {
                // A value has no "both": anything but theirs keeps yours.
                let side = if choice == Choice::Theirs {
                    Side::Theirs
                } else {
                    Side::Ours
                };
                mark::settle_key(&mut d.article.sidecar, key, side)
                    .map(|()| format!("{key}: {side} kept"))
            }
        };
        d.end_change();
        match done {
            Ok(msg) => {
                let left = self.conflict_rows().len();
                if left == 0 {
                    self.overlay = Overlay::None;
                    self.info(format!(
                        "{msg}; no conflicts left ({undo} undoes; saved within 2 s)"
                    ));
                } else {
                    let next = selected.min(left - 1);
                    self.overlay = Overlay::Conflicts { selected: next };
                    self.show_conflict(next);
                    self.info(format!("{msg}; {left} left ({undo} undoes)"));
                }
            }
            Err(e) => self.error(e.to_string()),
        }
    }

    /// The conflict count of the focused article for the status bar, with
    /// the key that lists them.
    pub fn conflicts_hint(&self) -> Option<String> {
        let n = self.doc_of(self.focus).map(|d| d.conflicts())?;
        (n > 0).then(|| {
            format!(
                "⚠ {n} merge conflict(s) ({} lists)",
                self.keymap.key_in(Mode::Annotate, Command::ConflictList)
            )
        })
    }
}

fn choice_word(c: Choice) -> &'static str {
    match c {
        Choice::Ours => "yours",
        Choice::Theirs => "theirs",
        Choice::Both => "both",
    }
}
