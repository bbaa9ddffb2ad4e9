//! Session restore (issue 12, item 12): the panes open when quitting (article
//! and cursor of each, and the focus) are kept per corpus and put back when the
//! same corpus is opened. The state itself knows no files: the runtime writes
//! what [`App::session_panes`] gives, and the command line hands what it read
//! to [`App::restore`].

use std::path::PathBuf;

use super::{App, Pane, Slot};

impl App {
    /// Where to keep this corpus's session when quitting: the session file and
    /// the corpus key written in it.
    pub fn with_session(mut self, file: PathBuf, key: String) -> App {
        self.session = Some((file, key));
        self
    }

    /// The session file and corpus key, when the session is kept.
    pub fn session_target(&self) -> Option<&(PathBuf, String)> {
        self.session.as_ref()
    }

    /// The panes to remember: each one's article (its source path) and
    /// cursor, and which pane has the focus. Nothing on the review screen,
    /// whose panes are two sets of one article, not a place in the corpus.
    pub fn session_panes(&self) -> Option<(Vec<(PathBuf, usize)>, usize)> {
        if self.review.is_some() {
            return None;
        }
        let panes = self
            .panes
            .iter()
            .filter_map(|p| Some((self.slots.get(p.slot)?.path().to_path_buf(), p.cursor)))
            .collect::<Vec<_>>();
        let focus = self.focus.min(panes.len().saturating_sub(1));
        (!panes.is_empty()).then_some((panes, focus))
    }

    /// Opens the panes of a session: (slot, cursor) each, and the focused
    /// one. Slots that do not exist are left out; a cursor past the end of its
    /// article is clamped when the article is loaded ([`App::clamp_cursors`]).
    pub fn restore(&mut self, panes: &[(usize, usize)], focus: usize) {
        let panes: Vec<Pane> = panes
            .iter()
            .filter(|(slot, _)| *slot < self.slots.len())
            .map(|&(slot, cursor)| Pane {
                cursor,
                ..Pane::new(slot)
            })
            .collect();
        if panes.is_empty() {
            return;
        }
        self.focus = focus.min(panes.len() - 1);
        self.panes = panes;
        for i in 0..self.panes.len() {
            self.clamp_cursor(i);
        }
    }

    /// Puts the cursors of the panes showing `slot` on a grapheme inside its
    /// text, and scrolls to them: a cursor restored from a session may lie
    /// past the end of an article that has since become shorter.
    pub(super) fn clamp_cursors(&mut self, slot: usize) {
        for i in 0..self.panes.len() {
            if self.panes[i].slot == slot {
                self.clamp_cursor(i);
            }
        }
    }

    fn clamp_cursor(&mut self, i: usize) {
        let Some(Slot::Ready(d)) = self.slots.get(self.panes[i].slot) else {
            return;
        };
        let doc = d.doc();
        let c = doc.snap_down(self.panes[i].cursor.min(doc.len_bytes()));
        if c != self.panes[i].cursor || c != 0 {
            self.panes[i].cursor = c;
            self.scroll_to_cursor(i);
        }
    }
}
