//! One key press with its modifiers, as bindings store it: parsed from the
//! config (`ctrl-s`, `G`, `pgdn`), read from terminal events, shown to people.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key with modifiers, normalised so that `G` and `shift-g` are the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyCodeOrd,
    pub mods: u8,
}

/// `KeyCode` with an order, for use in sorted maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    F(u8),
    Named(&'static str),
}

const CTRL: u8 = 1;
const ALT: u8 = 2;
const SHIFT: u8 = 4;

const NAMED: &[(&str, KeyCode)] = &[
    ("esc", KeyCode::Esc),
    ("enter", KeyCode::Enter),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pgup", KeyCode::PageUp),
    ("pgdn", KeyCode::PageDown),
];

impl Key {
    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        let mut mods = 0;
        if ev.modifiers.contains(KeyModifiers::CONTROL) {
            mods |= CTRL;
        }
        if ev.modifiers.contains(KeyModifiers::ALT) {
            mods |= ALT;
        }
        let code = match ev.code {
            KeyCode::Char(c) => {
                // Shift is already in the character; Ctrl-letters arrive lowercase.
                let c = if mods & CTRL != 0 {
                    c.to_ascii_lowercase()
                } else {
                    c
                };
                KeyCodeOrd::Char(c)
            }
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::BackTab => KeyCodeOrd::Named("backtab"),
            other => {
                if ev.modifiers.contains(KeyModifiers::SHIFT) {
                    mods |= SHIFT;
                }
                KeyCodeOrd::Named(NAMED.iter().find(|(_, k)| *k == other)?.0)
            }
        };
        Some(Key { code, mods })
    }

    /// The terminal event this key arrives as (for tests and macros).
    pub fn to_event(&self) -> KeyEvent {
        let mut m = KeyModifiers::NONE;
        if self.mods & CTRL != 0 {
            m |= KeyModifiers::CONTROL;
        }
        if self.mods & ALT != 0 {
            m |= KeyModifiers::ALT;
        }
        if self.mods & SHIFT != 0 {
            m |= KeyModifiers::SHIFT;
        }
        let code = match self.code {
            KeyCodeOrd::Char(c) => {
                if c.is_uppercase() {
                    m |= KeyModifiers::SHIFT;
                }
                KeyCode::Char(c)
            }
            KeyCodeOrd::F(n) => KeyCode::F(n),
            KeyCodeOrd::Named(n) => NAMED
                .iter()
                .find(|(name, _)| *name == n)
                .map(|(_, k)| *k)
                .unwrap_or(KeyCode::Null),
        };
        KeyEvent::new(code, m)
    }

    /// Parses `c`, `G`, `ctrl-s`, `shift-left`, `pgdn`, `F2`, `space`.
    pub fn parse(s: &str) -> Option<Key> {
        let mut mods = 0;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower
                .strip_prefix("ctrl-")
                .or_else(|| lower.strip_prefix("c-"))
            {
                mods |= CTRL;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower
                .strip_prefix("alt-")
                .or_else(|| lower.strip_prefix("a-"))
            {
                mods |= ALT;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower
                .strip_prefix("shift-")
                .or_else(|| lower.strip_prefix("s-"))
            {
                mods |= SHIFT;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                let c = if mods & SHIFT != 0 {
                    mods &= !SHIFT;
                    c.to_ascii_uppercase()
                } else {
                    c
                };
                let c = if mods & CTRL != 0 {
                    c.to_ascii_lowercase()
                } else {
                    c
                };
                KeyCodeOrd::Char(c)
            }
            _ => {
                let lower = rest.to_ascii_lowercase();
                if lower == "space" {
                    KeyCodeOrd::Char(' ')
                } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    KeyCodeOrd::F(n)
                } else {
                    let lower = match lower.as_str() {
                        "pageup" => "pgup",
                        "pagedown" => "pgdn",
                        "escape" => "esc",
                        "return" => "enter",
                        other => other,
                    }
                    .to_string();
                    KeyCodeOrd::Named(NAMED.iter().find(|(n, _)| *n == lower)?.0)
                }
            }
        };
        Some(Key { code, mods })
    }

    pub fn label(&self) -> String {
        let mut s = String::new();
        if self.mods & CTRL != 0 {
            s.push_str("Ctrl-");
        }
        if self.mods & ALT != 0 {
            s.push_str("Alt-");
        }
        if self.mods & SHIFT != 0 {
            s.push_str("Shift-");
        }
        match self.code {
            KeyCodeOrd::Char(' ') => s.push_str("Space"),
            KeyCodeOrd::Char(c) => s.push(c),
            KeyCodeOrd::F(n) => s.push_str(&format!("F{n}")),
            KeyCodeOrd::Named(n) => {
                let pretty = match n {
                    "pgup" => "PgUp",
                    "pgdn" => "PgDn",
                    "esc" => "Esc",
                    "enter" => "Enter",
                    "tab" => "Tab",
                    "left" => "←",
                    "right" => "→",
                    "up" => "↑",
                    "down" => "↓",
                    "home" => "Home",
                    "end" => "End",
                    "backspace" => "Backspace",
                    "delete" => "Delete",
                    other => other,
                };
                s.push_str(pretty)
            }
        }
        s
    }
}

pub type Sequence = Vec<Key>;

/// Parses `ctrl-w v` into its keys; None when a key cannot be read.
pub fn parse_sequence(s: &str) -> Option<Sequence> {
    let keys: Option<Sequence> = s.split_whitespace().map(Key::parse).collect();
    keys.filter(|k| !k.is_empty())
}

/// A key sequence as shown to people.
pub fn sequence_label(s: &[Key]) -> String {
    s.iter().map(Key::label).collect::<Vec<_>>().join(" ")
}
