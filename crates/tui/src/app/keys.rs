//! From a key press to a command: counts and prefixes on the main screen,
//! the mode's keymap layers, and what a text field or the label row takes
//! when no binding applies.

use crossterm::event::{KeyCode, KeyEvent};

use super::{App, Effect, Overlay};
use crate::command::{Command, Mode};
use crate::keymap::{Key, Lookup};

/// What a key does in the current state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Command(Command),
    /// The keys so far start a longer binding.
    Prefix,
    /// A digit of a count (`5j`).
    Count(usize),
    /// Esc after a prefix or a count: forget them.
    Cancel,
    /// Typed into the text field (or picks a label by its key).
    Text,
    /// Nothing; the keys typed, for the message.
    Unbound(String),
}

impl App {
    /// What `k` would do now: the real dispatch, also walked by the tests.
    pub fn resolve(&self, k: &KeyEvent) -> Resolved {
        let mode = self.mode();
        let Some(key) = Key::from_event(k) else {
            return Resolved::Unbound(String::new());
        };
        if matches!(mode, Mode::Annotate | Mode::Review) {
            // Digits before a command repeat it; a lone 0 is not a count.
            if let KeyCode::Char(c @ '0'..='9') = k.code
                && k.modifiers.is_empty()
                && self.pending.is_empty()
                && (c != '0' || self.count.is_some())
            {
                return Resolved::Count(c as usize - '0' as usize);
            }
            if k.code == KeyCode::Esc && (!self.pending.is_empty() || self.count.is_some()) {
                return Resolved::Cancel;
            }
            let mut keys = self.pending.clone();
            keys.push(key);
            return match self.keymap.lookup(&keys, mode) {
                Lookup::Command(c) => Resolved::Command(c),
                Lookup::Prefix => Resolved::Prefix,
                Lookup::None => Resolved::Unbound(crate::keymap::sequence_label(&keys)),
            };
        }
        // Overlays: one key at a time; a command that does not apply where
        // the editor is (←/→ on a text field) leaves the key to the next layer.
        for &layer in mode.layers() {
            if let Lookup::Command(c) = self.keymap.lookup(&[key], layer)
                && self.applies(c)
            {
                return Resolved::Command(c);
            }
        }
        if self.takes_text(k) {
            Resolved::Text
        } else {
            Resolved::Unbound(key.label())
        }
    }

    pub(super) fn key(&mut self, k: KeyEvent) -> Vec<Effect> {
        if self.hold_key(&k) {
            return vec![];
        }
        // A message answers the last key; the next key clears it (unless an
        // armed quit still needs the user's attention).
        if !self.quit_armed && self.pending.is_empty() {
            self.message = None;
        }
        if let Some(slot) = self.confirm_accept_all.take() {
            self.answer_accept_all(slot, &k);
            return vec![];
        }
        match self.resolve(&k) {
            Resolved::Count(d) => {
                self.count = Some((self.count.unwrap_or(0) * 10 + d).min(10_000));
                self.info(format!("{}", self.count.unwrap_or(0)));
                vec![]
            }
            Resolved::Cancel => {
                self.pending.clear();
                self.count = None;
                self.message = None;
                vec![]
            }
            Resolved::Prefix => {
                if let Some(key) = Key::from_event(&k) {
                    self.pending.push(key);
                }
                let keys = crate::keymap::sequence_label(&self.pending);
                self.info(format!("{keys} …"));
                vec![]
            }
            Resolved::Text => {
                self.type_text(&k);
                vec![]
            }
            Resolved::Unbound(keys) => {
                self.pending.clear();
                self.count = None;
                if matches!(self.mode(), Mode::Annotate | Mode::Review) {
                    let help = self.key_for(Command::Help);
                    self.warn(format!("{keys} is not bound ({help} shows the keys)"));
                }
                vec![]
            }
            Resolved::Command(c) => {
                if !self.pending.is_empty() {
                    // The "Ctrl-w …" hint has done its job.
                    self.message = None;
                }
                self.pending.clear();
                if !matches!(c, Command::Quit) {
                    self.quit_armed = false;
                }
                let times = self.count.take().unwrap_or(1);
                if !c.repeats() {
                    return self.run(c);
                }
                let mut effects = Vec::new();
                for _ in 0..times {
                    let before = self.panes.get(self.focus).map(|p| (p.cursor, p.top));
                    effects.extend(self.run(c));
                    // At the end of the text a count has nothing left to do.
                    if self.panes.get(self.focus).map(|p| (p.cursor, p.top)) == before {
                        break;
                    }
                }
                effects
            }
        }
    }

    /// Whether a command does something where the overlay is now (the
    /// editor's label keys on the label row, unlink on a link, …).
    fn applies(&self, c: Command) -> bool {
        let Overlay::Edit(form) = &self.overlay else {
            return true;
        };
        if form.picker.is_some() {
            return true;
        }
        match c {
            Command::PrevLabel | Command::NextLabel => form.field == 0,
            Command::Unlink => form.on_link(),
            c if c.modes().contains(&Mode::TextField) => form.on_text_field(),
            _ => true,
        }
    }

    /// Whether an unbound key is typed into the overlay's text field (or
    /// picks a label by its key on the editor's label row).
    fn takes_text(&self, k: &KeyEvent) -> bool {
        let ctrl = k
            .modifiers
            .contains(crossterm::event::KeyModifiers::CONTROL);
        let KeyCode::Char(c) = k.code else {
            return false;
        };
        if ctrl {
            return false;
        }
        match &self.overlay {
            Overlay::Search(_) => true,
            // Letters filter the link picker's candidates.
            Overlay::Edit(form) if form.picker.is_some() => true,
            Overlay::Edit(form) => {
                form.on_text_field()
                    || (form.field == 0 && self.scheme.labels.iter().any(|l| l.key == c))
            }
            _ => false,
        }
    }

    fn type_text(&mut self, k: &KeyEvent) {
        let KeyCode::Char(c) = k.code else { return };
        let label = self.scheme.labels.iter().position(|l| l.key == c);
        match &mut self.overlay {
            Overlay::Search(edit) => edit.insert(c),
            Overlay::Edit(form) => {
                if let Some(p) = &mut form.picker {
                    p.filter.insert(c);
                    p.selected = 0;
                } else if form.field == 0 {
                    if let Some(i) = label {
                        form.label = Some(i);
                    }
                } else if let Some(edit) = form.text_field_mut() {
                    edit.insert(c);
                    form.suggestion_taken = false;
                }
            }
            _ => {}
        }
    }
}
