//! The list overlays: help (scrolled), the corpus list, and (through
//! `review`) the differences list; the search prompt's own keys.

use super::{App, Effect, Overlay};
use crate::command::Command;

/// Rows a page key moves.
const PAGE: usize = 10;

/// A list position after a move command, in a list of `n` rows.
fn moved(selected: usize, n: usize, c: Command) -> usize {
    let last = n.saturating_sub(1);
    match c {
        Command::ListDown => selected.saturating_add(1).min(last),
        Command::ListUp => selected.saturating_sub(1),
        Command::ListPageDown => selected.saturating_add(PAGE).min(last),
        Command::ListPageUp => selected.saturating_sub(PAGE),
        Command::ListFirst => 0,
        Command::ListLast => last,
        _ => selected,
    }
}

impl App {
    pub(super) fn list_command(&mut self, c: Command) -> Vec<Effect> {
        match self.overlay.clone() {
            Overlay::Help { scroll } => {
                self.overlay = match c {
                    Command::ListClose | Command::ListChoose => Overlay::None,
                    // The help draws as much as fits; scrolling past the end
                    // is clamped when drawn.
                    _ => Overlay::Help {
                        scroll: moved(scroll, usize::MAX, c),
                    },
                };
                vec![]
            }
            Overlay::Corpus { selected } => {
                match c {
                    Command::ListClose => self.overlay = Overlay::None,
                    Command::ListChoose => {
                        self.overlay = Overlay::None;
                        self.open_in_focused(selected);
                    }
                    _ => {
                        self.overlay = Overlay::Corpus {
                            selected: moved(selected, self.corpus_len(), c),
                        }
                    }
                }
                vec![]
            }
            Overlay::Diffs { selected } => super::review::list_command(self, selected, c, moved),
            Overlay::Conflicts { slot, selected } => {
                self.overlay = match c {
                    Command::ListClose => Overlay::None,
                    _ => Overlay::Conflicts {
                        slot,
                        selected: moved(selected, self.conflict_items(slot).len(), c),
                    },
                };
                vec![]
            }
            Overlay::Status { lines, scroll } => {
                self.overlay = match c {
                    Command::ListClose => Overlay::None,
                    _ => Overlay::Status {
                        scroll: moved(scroll, lines.len(), c),
                        lines,
                    },
                };
                vec![]
            }
            Overlay::Edit(_) => self.editor_command(c),
            _ => vec![],
        }
    }

    /// Articles the corpus list shows (the review's target sets only).
    pub fn corpus_len(&self) -> usize {
        self.review
            .as_ref()
            .map(|r| r.articles)
            .unwrap_or(self.slots.len())
    }

    pub(super) fn prompt_command(&mut self, c: Command) -> Vec<Effect> {
        let Overlay::Search(edit) = &self.overlay else {
            return vec![];
        };
        let q = edit.text.clone();
        self.overlay = Overlay::None;
        if c == Command::PromptAccept {
            if !q.is_empty() {
                self.search = Some(q);
            }
            self.search_shown = true;
            self.search_step(true);
        }
        vec![]
    }
}
