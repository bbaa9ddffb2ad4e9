//! The corpus dashboard as a screen (issue 15): from the corpus list, the
//! same table as `claimtag status` (progress per annotator, spans per label,
//! per article who annotated it, gold, conflicts, orphans). The worker makes
//! it from the files on disk (`Effect::StatusTable`).

use super::{App, Effect, Overlay};
use crate::command::Command;

impl App {
    /// From the corpus list: ask the worker for the table of every article.
    pub(super) fn corpus_status(&mut self) -> Vec<Effect> {
        let sources = (0..self.corpus_len())
            .filter_map(|i| self.slots.get(i))
            .map(|s| s.path().to_path_buf())
            .collect();
        self.info("reading the corpus status …");
        vec![Effect::StatusTable(sources)]
    }

    /// The table arrived: show it (unsaved changes are not in it: it reads
    /// the files, as `claimtag status` does).
    pub(super) fn status_table(&mut self, result: Result<Vec<String>, String>) {
        match result {
            Ok(lines) => {
                self.message = None;
                self.overlay = Overlay::Status { lines, scroll: 0 };
            }
            Err(e) => self.error(format!("no corpus status: {e}")),
        }
    }

    pub(super) fn status_command(&mut self, lines: Vec<String>, scroll: usize, c: Command) {
        self.overlay = match c {
            Command::ListClose => Overlay::None,
            _ => Overlay::Status {
                scroll: super::lists::moved(scroll, lines.len(), c),
                lines,
            },
        };
    }
}
