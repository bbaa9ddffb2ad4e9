//! Keys typed while the article on screen is still loading wait for it, as
//! typeahead does in a terminal: `jjc` pressed as an article comes back on
//! screen moves and tags once it is there, instead of three "still loading"
//! messages and nothing done. Esc drops what waits.

use crossterm::event::{KeyCode, KeyEvent};

use super::keys::Resolved;
use super::{App, Effect, Slot};
use crate::command::Mode;

/// At most this many keys wait; more are refused with a message.
const MOST_KEYS: usize = 256;

/// Keys waiting for one article to load.
#[derive(Debug)]
pub(crate) struct Typeahead {
    slot: usize,
    keys: Vec<KeyEvent>,
}

impl App {
    /// Holds `k` if keys already wait, or if it is a command that needs the
    /// article on screen and that article is loading. `true` if held.
    pub(super) fn hold_key(&mut self, k: &KeyEvent) -> bool {
        if let Some(waiting) = &mut self.typeahead {
            if k.code == KeyCode::Esc {
                let n = waiting.keys.len();
                self.typeahead = None;
                self.info(format!("dropped {n} key(s) typed while the article loaded"));
            } else if waiting.keys.len() < MOST_KEYS {
                waiting.keys.push(*k);
            } else {
                self.warn(format!(
                    "{MOST_KEYS} keys already wait for the article; Esc drops them"
                ));
            }
            return true;
        }
        let slot = self.focused().slot;
        let Some(Slot::Pending(path)) = self.slots.get(slot) else {
            return false;
        };
        if self.mode() != Mode::Annotate {
            return false;
        }
        match self.resolve(k) {
            Resolved::Command(c) if c.needs_article() => {
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                self.info(format!("loading {name}: keys wait for it (Esc drops them)"));
                self.typeahead = Some(Typeahead {
                    slot,
                    keys: vec![*k],
                });
                true
            }
            _ => false,
        }
    }

    /// Replays the keys that waited for `slot`, now loaded.
    pub(super) fn replay_typeahead(&mut self, slot: usize) -> Vec<Effect> {
        let Some(waiting) = self.typeahead.take_if(|t| t.slot == slot) else {
            return vec![];
        };
        let n = waiting.keys.len();
        match self.slots.get(slot) {
            // Not into a dialog that opened meanwhile (a save's conflict):
            // the keys were typed for the article.
            Some(Slot::Ready(_))
                if self.focused().slot == slot && self.mode() == Mode::Annotate =>
            {
                let mut effects = Vec::new();
                for k in waiting.keys {
                    effects.extend(self.key(k));
                }
                effects
            }
            Some(Slot::Failed(path, e)) => {
                let e = format!("{e} ({n} key(s) typed for {} dropped)", path.display());
                self.error(e);
                vec![]
            }
            _ => {
                self.info(format!(
                    "dropped {n} key(s): the article they were typed for is not on screen, or a dialog is open"
                ));
                vec![]
            }
        }
    }
}
