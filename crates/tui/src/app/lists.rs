//! The list overlays: help (scrolled), the corpus list, and (through
//! `review`) the differences list; the search prompt's own keys.

use super::{App, Effect, Overlay};
use crate::command::Command;

/// Rows a page key moves.
const PAGE: usize = 10;

/// A list position after a move command, in a list of `n` rows.
pub(super) fn moved(selected: usize, n: usize, c: Command) -> usize {
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
            Overlay::Corpus { selected, filter } => {
                let rows = self.corpus_rows(filter);
                match c {
                    Command::ListClose => self.overlay = Overlay::None,
                    Command::ListChoose => {
                        if let Some(&slot) = rows.get(selected) {
                            self.overlay = Overlay::None;
                            self.open_in_focused(slot);
                        }
                    }
                    Command::CorpusFilter => {
                        let filter = super::status::next_filter(filter);
                        // Stay on the same article when the filter keeps it.
                        let at = rows.get(selected).copied();
                        let rows = self.corpus_rows(filter);
                        let selected = at
                            .and_then(|s| rows.iter().position(|&r| r == s))
                            .unwrap_or(0);
                        self.overlay = Overlay::Corpus { selected, filter };
                    }
                    _ => {
                        self.overlay = Overlay::Corpus {
                            selected: moved(selected, rows.len(), c),
                            filter,
                        }
                    }
                }
                vec![]
            }
            Overlay::Diffs { selected } => super::review::list_command(self, selected, c, moved),
            Overlay::Orphans { selected } => self.orphans_command(selected, c),
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
