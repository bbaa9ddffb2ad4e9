//! Taking over an article another instance has open (issue 10 item 1). It
//! opens read-only with a warning naming the process and host; it becomes
//! editable by itself once that instance lets go (see `retry_read_only`),
//! and this key takes it over at once, after a question, when the other
//! instance is stale (another host, a hung process) or the analyst insists.

use claimtag_model::Article;

use super::{App, Doc, Effect, Overlay, Slot};
use crate::command::{Command, Mode};
use crate::open_lock::OPEN_ELSEWHERE;

impl App {
    /// The read-only reason of a slot when it is "open elsewhere".
    fn open_elsewhere(&self, slot: usize) -> Option<String> {
        let d = self.slots.get(slot).and_then(Slot::doc)?;
        d.article
            .read_only
            .clone()
            .filter(|r| r.contains(OPEN_ELSEWHERE))
    }

    /// The take-over key on the main screen: asks first.
    pub(super) fn ask_take_over(&mut self) {
        let slot = self.focused().slot;
        if self.review.as_ref().is_some_and(|r| r.is_theirs(slot)) {
            self.info("the colleague's copy is read-only by design");
            return;
        }
        match self.slots.get(slot).and_then(Slot::doc) {
            Some(d) if d.article.read_only.is_none() => {
                self.info("this article is not open elsewhere: it is yours to edit");
            }
            Some(d) if self.open_elsewhere(slot).is_none() => {
                let why = d.article.read_only.clone().unwrap_or_default();
                self.info(format!(
                    "read-only for another reason, which taking over does not change: {why}"
                ));
            }
            Some(_) => self.overlay = Overlay::TakeOver(slot),
            None => {}
        }
    }

    /// The question's lines, from the live keymap.
    pub fn take_over_lines(&self, slot: usize) -> Vec<String> {
        let why = self.open_elsewhere(slot).unwrap_or_default();
        let key = |c| self.keymap.key_in(Mode::TakeOver, c);
        vec![
            why,
            String::new(),
            "Take it over only if that instance is gone or stuck: if it is still".into(),
            "running, its next save will find the file changed and ask there.".into(),
            String::new(),
            format!(
                "  {}  take it over: editable here",
                key(Command::TakeOverYes)
            ),
            format!("  {}  leave it read-only", key(Command::TakeOverNo)),
        ]
    }

    pub(super) fn take_over_command(&mut self, c: Command) -> Vec<Effect> {
        let Overlay::TakeOver(slot) = self.overlay else {
            return vec![];
        };
        self.overlay = Overlay::None;
        if c != Command::TakeOverYes {
            self.info("left read-only (editable by itself once the other instance closes it)");
            return vec![];
        }
        let Some(d) = self.slots.get(slot).and_then(Slot::doc) else {
            return vec![];
        };
        vec![Effect::TakeOver {
            slot,
            article: Box::new(d.article.clone()),
        }]
    }

    /// The worker took the lock file and read the sidecar again.
    pub(super) fn taken_over(&mut self, slot: usize, result: Result<Box<Article>, String>) {
        let still_read_only = self
            .slots
            .get(slot)
            .and_then(Slot::doc)
            .is_some_and(|d| d.article.read_only.is_some());
        if !still_read_only {
            return;
        }
        match result {
            Ok(article) => {
                let name = article.sidecar_path.display().to_string();
                self.slots[slot] = Slot::Ready(Box::new(Doc::new(*article)));
                self.info(format!(
                    "took over {name}: editable here (the other instance's saves now ask there)"
                ));
            }
            Err(e) => self.error(format!("could not take it over: {e}")),
        }
    }
}
