//! The annotator's progress on an article (todo, in progress, done), kept
//! in the sidecar's `status` key: set with a key, shown and filtered by in
//! the corpus list.

use claimtag_model::format::Status;

use super::{App, Slot};
use crate::command::{Command, Mode};

/// The status after `s` when the key is pressed: round the three.
pub fn next_status(s: Option<Status>) -> Status {
    match s {
        None | Some(Status::Todo) => Status::InProgress,
        Some(Status::InProgress) => Status::Done,
        Some(Status::Done) => Status::Todo,
    }
}

/// The corpus list's filter after `f`: all, then each status, then all.
pub fn next_filter(f: Option<Status>) -> Option<Status> {
    match f {
        None => Some(Status::Todo),
        Some(Status::Todo) => Some(Status::InProgress),
        Some(Status::InProgress) => Some(Status::Done),
        Some(Status::Done) => None,
    }
}

/// How a status reads in the corpus list and messages.
pub fn status_name(s: Status) -> &'static str {
    match s {
        Status::Todo => "todo",
        Status::InProgress => "in progress",
        Status::Done => "done",
    }
}

impl App {
    /// The status of an article. A sidecar without one is in progress when
    /// it has annotations, else still to do (as `claimtag status` counts).
    pub fn article_status(&self, slot: usize) -> Option<Status> {
        match self.slots.get(slot) {
            Some(Slot::Ready(d)) => Some(d.article.sidecar.status.unwrap_or(
                if d.annotations().is_empty() {
                    Status::Todo
                } else {
                    Status::InProgress
                },
            )),
            Some(Slot::Summary(s)) => Some(s.status),
            _ => None,
        }
    }

    /// The articles the corpus list shows with this filter, in order.
    pub fn corpus_rows(&self, filter: Option<Status>) -> Vec<usize> {
        (0..self.corpus_len())
            .filter(|&i| filter.is_none() || self.article_status(i) == filter)
            .collect()
    }

    pub(super) fn cycle_status(&mut self) {
        let slot = self.focused().slot;
        if !self.editable(slot) {
            return;
        }
        let key = self.key_for(Command::CycleStatus);
        let corpus = self.key_for(Command::CorpusList);
        let filter = self.keymap.key_in(Mode::Corpus, Command::CorpusFilter);
        let next = next_status(self.article_status(slot));
        let Some(d) = self.doc_mut(slot) else { return };
        d.begin_change();
        d.article.sidecar.status = Some(next);
        d.end_change();
        self.info(format!(
            "this article is now {} ({key} changes it; {corpus} then {filter} filters the list by it)",
            status_name(next)
        ));
    }
}
