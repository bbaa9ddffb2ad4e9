//! Key bindings per mode, built from the command table ([`crate::command`]),
//! the config's `keys:` and the scheme's label keys. Help, the README table and
//! every hint line are read from here, so a rebound key shows everywhere.

use std::collections::BTreeMap;

use claimtag_model::Scheme;
use claimtag_model::config::Binding;

use crate::command::{COMMANDS, Command, Mode};
pub use crate::key::{Key, KeyCodeOrd, Sequence, parse_sequence, sequence_label};

/// What a key sequence does so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Command(Command),
    /// The keys so far start a longer binding (e.g. `Ctrl-w`).
    Prefix,
    None,
}

#[derive(Debug, Clone, Default)]
pub struct Keymap {
    /// Per mode, the bindings in the order they were declared (the first key
    /// of a command is the one hints show).
    modes: BTreeMap<Mode, Vec<(Sequence, Command)>>,
}

/// A label's key, as the keymap stores it.
fn label_key(c: char) -> Key {
    Key {
        code: KeyCodeOrd::Char(c),
        mods: 0,
    }
}

impl Keymap {
    /// The table's default keys and the scheme's label keys, unchecked.
    pub fn defaults(scheme: &Scheme) -> Keymap {
        let mut map = Keymap::table_defaults();
        for (i, l) in scheme.labels.iter().enumerate() {
            map.bind(Mode::Annotate, vec![label_key(l.key)], Command::Tag(i));
        }
        map
    }

    fn table_defaults() -> Keymap {
        let mut map = Keymap::default();
        for spec in COMMANDS {
            for k in spec.keys {
                if let Some(s) = parse_sequence(k) {
                    for &mode in spec.modes {
                        map.bind(mode, s.clone(), spec.command);
                    }
                }
            }
        }
        map
    }

    fn bind(&mut self, mode: Mode, s: Sequence, c: Command) {
        let list = self.modes.entry(mode).or_default();
        list.retain(|(k, _)| *k != s);
        list.push((s, c));
    }

    fn bound(&self, mode: Mode, s: &[Key]) -> Option<Command> {
        self.modes
            .get(&mode)?
            .iter()
            .find(|(k, _)| k == s)
            .map(|(_, c)| *c)
    }

    /// The keymap for a session: the defaults, the config's `keys:` (each
    /// replaces its action's default keys, in every mode of the action) and
    /// the scheme's label keys. A key bound twice in one mode, or a key that
    /// starts a longer binding, is an error naming where each came from.
    pub fn build(
        scheme: &Scheme,
        scheme_file: &str,
        overrides: &[Binding],
        config_file: &str,
    ) -> Result<Keymap, String> {
        let mut map = Keymap::table_defaults();
        let mut origin: BTreeMap<(Mode, Sequence), String> = BTreeMap::new();
        let by_name: BTreeMap<String, Command> = Command::all(scheme)
            .into_iter()
            .map(|c| (c.name(scheme), c))
            .collect();
        // Every overridden action loses its defaults first, so that swapping two
        // keys in one config works.
        let mut wanted = Vec::new();
        for b in overrides {
            let Some(&cmd) = by_name.get(&b.action) else {
                return Err(format!(
                    "{config_file}:{}:{}: keys: unknown action {:?} (see the help screen for names)",
                    b.line, b.column, b.action
                ));
            };
            for k in &b.keys {
                match parse_sequence(k) {
                    Some(s) => wanted.push((s, cmd, b)),
                    None => {
                        return Err(format!(
                            "{config_file}:{}:{}: keys.{}: cannot read key {:?}",
                            b.line, b.column, b.action, k
                        ));
                    }
                }
            }
            for list in map.modes.values_mut() {
                list.retain(|(_, c)| *c != cmd);
            }
        }
        let origin_of = |origin: &BTreeMap<(Mode, Sequence), String>, m: Mode, s: &Sequence| {
            origin
                .get(&(m, s.clone()))
                .cloned()
                .unwrap_or_else(|| "by default".into())
        };
        for (i, l) in scheme.labels.iter().enumerate() {
            let s = vec![label_key(l.key)];
            // The review screen's keys come before the label keys there.
            for mode in [Mode::Annotate, Mode::Review] {
                if let Some(other) = map.bound(mode, &s) {
                    return Err(format!(
                        "{scheme_file}: label {:?} uses key {}, which is bound to {} ({}); choose another key for the label, or rebind {} in config.yaml",
                        l.name,
                        l.key,
                        other.name(scheme),
                        origin_of(&origin, mode, &s),
                        other.name(scheme)
                    ));
                }
            }
            origin.insert(
                (Mode::Annotate, s.clone()),
                format!("{scheme_file}, label {}", l.name),
            );
            map.bind(Mode::Annotate, s, Command::Tag(i));
        }
        for (s, cmd, b) in wanted {
            for &mode in cmd.modes() {
                if let Some(other) = map.bound(mode, &s).filter(|o| *o != cmd) {
                    return Err(format!(
                        "{config_file}:{}:{}: keys.{}: {} is already bound to {} ({}); rebind that too or choose another key",
                        b.line,
                        b.column,
                        b.action,
                        sequence_label(&s),
                        other.name(scheme),
                        origin_of(&origin, mode, &s)
                    ));
                }
                origin.insert((mode, s.clone()), format!("{config_file}:{}", b.line));
                map.bind(mode, s.clone(), cmd);
            }
        }
        // A key that is both a binding and the start of a longer one could
        // never reach the longer one.
        for list in map.modes.values() {
            for (a, ca) in list {
                if let Some((b, cb)) = list
                    .iter()
                    .find(|(b, _)| b.len() > a.len() && b.starts_with(a))
                {
                    return Err(format!(
                        "{}: {} ({}) is the start of {} ({}); one of them can never be typed",
                        config_file,
                        sequence_label(a),
                        ca.name(scheme),
                        sequence_label(b),
                        cb.name(scheme)
                    ));
                }
            }
        }
        Ok(map)
    }

    /// What the keys typed so far do in a mode (its layers in order).
    pub fn lookup(&self, keys: &[Key], mode: Mode) -> Lookup {
        let mut prefix = false;
        for &layer in mode.layers() {
            if let Some(c) = self.bound(layer, keys) {
                return Lookup::Command(c);
            }
            prefix |= self.modes.get(&layer).is_some_and(|list| {
                list.iter()
                    .any(|(k, _)| k.len() > keys.len() && k.starts_with(keys))
            });
        }
        if prefix { Lookup::Prefix } else { Lookup::None }
    }

    /// The key sequences bound to a command in a mode.
    pub fn sequences_in(&self, mode: Mode, cmd: Command) -> Vec<Sequence> {
        self.modes
            .get(&mode)
            .into_iter()
            .flatten()
            .filter(|(_, c)| *c == cmd)
            .map(|(s, _)| s.clone())
            .collect()
    }

    /// Keys bound to a command in a mode, as shown to people.
    pub fn keys_in(&self, mode: Mode, cmd: Command) -> Vec<String> {
        self.modes
            .get(&mode)
            .into_iter()
            .flatten()
            .filter(|(_, c)| *c == cmd)
            .map(|(s, _)| sequence_label(s))
            .collect()
    }

    /// Keys bound to a command in any of its modes (for the main screen, its
    /// first mode).
    pub fn keys_of(&self, cmd: Command) -> Vec<String> {
        cmd.modes()
            .first()
            .map(|&m| self.keys_in(m, cmd))
            .unwrap_or_default()
    }

    /// The first key bound to a command, as shown to people (for hints).
    pub fn first_key(&self, cmd: Command) -> Option<String> {
        self.keys_of(cmd).into_iter().next()
    }

    /// The first key of a command in a mode, or "(unbound)".
    pub fn key_in(&self, mode: Mode, cmd: Command) -> String {
        self.keys_in(mode, cmd)
            .into_iter()
            .next()
            .unwrap_or_else(|| "(unbound)".into())
    }

    /// A hint line: each command's first key and a word, `Enter save  Esc cancel`.
    pub fn hint(&self, mode: Mode, items: &[(Command, &str)]) -> String {
        items
            .iter()
            .map(|(c, what)| format!("{} {what}", self.key_in(mode, *c)))
            .collect::<Vec<_>>()
            .join("  ")
    }

    /// The same, joined with commas (for popup titles): `Enter opens, Esc closes`.
    pub fn hint_list(&self, mode: Mode, items: &[(Command, &str)]) -> String {
        self.hint(mode, items).replace("  ", ", ")
    }

    /// Help sections: for each mode, its rows of keys, command name and
    /// description. The review section only when `review`.
    pub fn help_sections(&self, scheme: &Scheme, review: bool) -> Vec<HelpSection> {
        Mode::ALL
            .into_iter()
            .filter(|&m| review || !matches!(m, Mode::Review | Mode::Differences))
            .map(|mode| HelpSection {
                mode,
                rows: Command::all(scheme)
                    .into_iter()
                    .filter(|c| c.modes().contains(&mode))
                    .map(|c| HelpRow {
                        keys: self.keys_in(mode, c).join(", "),
                        name: c.name(scheme),
                        description: c.description(scheme),
                    })
                    .collect(),
            })
            .collect()
    }
}

/// The keys of one mode, for help and the README.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpSection {
    pub mode: Mode,
    pub rows: Vec<HelpRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRow {
    pub keys: String,
    pub name: String,
    pub description: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

    fn ev(code: KeyCode, m: KeyModifiers) -> Key {
        Key::from_event(&KeyEvent::new_with_kind(code, m, KeyEventKind::Press)).unwrap()
    }

    #[test]
    fn defaults_follow_the_design() {
        let s = Scheme::default();
        let m = Keymap::defaults(&s);
        let look = |k: Key| m.lookup(&[k], Mode::Annotate);
        assert_eq!(
            look(ev(KeyCode::Char('c'), KeyModifiers::NONE)),
            Lookup::Command(Command::Tag(0))
        );
        assert_eq!(
            look(ev(KeyCode::Char('e'), KeyModifiers::NONE)),
            Lookup::Command(Command::Tag(2))
        );
        assert_eq!(
            look(ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Lookup::Command(Command::Bottom)
        );
        assert_eq!(
            look(ev(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            Lookup::Command(Command::Save)
        );
        assert_eq!(
            look(ev(KeyCode::Left, KeyModifiers::SHIFT)),
            Lookup::Command(Command::ExtendLeft)
        );
        let cw = ev(KeyCode::Char('w'), KeyModifiers::CONTROL);
        assert_eq!(look(cw), Lookup::Prefix);
        assert_eq!(
            m.lookup(
                &[cw, ev(KeyCode::Char('v'), KeyModifiers::NONE)],
                Mode::Annotate
            ),
            Lookup::Command(Command::SplitPane)
        );
        let bracket = ev(KeyCode::Char(']'), KeyModifiers::NONE);
        assert_eq!(
            m.lookup(&[bracket], Mode::Annotate),
            Lookup::Command(Command::NextAnnotation)
        );
        assert_eq!(
            m.lookup(&[bracket], Mode::Review),
            Lookup::Command(Command::NextDiff)
        );
        // the review screen still has the annotating keys
        assert_eq!(
            m.lookup(&[ev(KeyCode::Char('u'), KeyModifiers::NONE)], Mode::Review),
            Lookup::Command(Command::Undo)
        );
        assert_eq!(
            m.lookup(
                &[ev(KeyCode::Char('l'), KeyModifiers::CONTROL)],
                Mode::Annotate
            ),
            Lookup::Command(Command::Redraw)
        );
    }

    #[test]
    fn overrides_replace_and_report_errors() {
        let s = Scheme::default();
        let b = |action: &str, keys: &[&str]| Binding {
            action: action.into(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            line: 3,
            column: 2,
        };
        let build = |o: &[Binding]| Keymap::build(&s, "claimtag.yaml", o, "c.yaml");
        let m = build(&[b("save", &["F2", "ctrl-x ctrl-s"])]).unwrap();
        assert_eq!(m.keys_of(Command::Save), ["F2", "Ctrl-x Ctrl-s"]);
        let e = build(&[b("sav", &["F2"])]).unwrap_err();
        assert!(e.starts_with("c.yaml:3:2:"), "{e}");
        let e = build(&[b("save", &["ctrl-"])]).unwrap_err();
        assert!(e.contains("cannot read key"), "{e}");
        // a key another action has is refused, unless that action is rebound too
        let e = build(&[b("quit", &["c"])]).unwrap_err();
        assert!(
            e.contains("keys.quit: c is already bound to tag-claim"),
            "{e}"
        );
        let e = build(&[b("quit", &["x"])]).unwrap_err();
        assert!(e.contains("already bound to delete"), "{e}");
        let m = build(&[b("quit", &["x"]), b("delete", &["X"])]).unwrap();
        assert_eq!(m.first_key(Command::Quit).as_deref(), Some("x"));
        // a key that starts a longer binding
        let e = build(&[b("help", &["ctrl-w"])]).unwrap_err();
        assert!(e.contains("is the start of"), "{e}");
        // redraw and the differences list are rebindable like any other
        let m = build(&[b("redraw", &["F9"]), b("differences", &["F8"])]).unwrap();
        assert_eq!(m.keys_of(Command::Redraw), ["F9"]);
        assert_eq!(m.keys_in(Mode::Differences, Command::DiffList), ["F8"]);
        // so are the keys of overlays, and a clash there is found too
        let m = build(&[b("editor-cancel", &["ctrl-g"])]).unwrap();
        assert_eq!(m.keys_in(Mode::Editor, Command::EditorCancel), ["Ctrl-g"]);
        let e = build(&[b("keep-mine", &["r"])]).unwrap_err();
        assert!(e.contains("already bound to reload-theirs"), "{e}");
    }

    #[test]
    fn label_keys_may_not_shadow_other_actions() {
        let mut s = Scheme::default();
        s.labels.push(claimtag_model::scheme::Label {
            name: "source".into(),
            key: 's',
            colour: "blue".into(),
            description: String::new(),
            guideline: String::new(),
            examples: Vec::new(),
        });
        let e = Keymap::build(&s, "corpus/claimtag.yaml", &[], "c.yaml").unwrap_err();
        assert!(e.starts_with("corpus/claimtag.yaml: label \"source\" uses key s, which is bound to select-sentence"), "{e}");
        s.labels[3].key = 'a'; // accept, in the review screen
        assert!(Keymap::build(&s, "claimtag.yaml", &[], "c.yaml").is_err());
        s.labels[3].key = 't';
        let m = Keymap::build(&s, "claimtag.yaml", &[], "c.yaml").unwrap();
        assert_eq!(m.first_key(Command::Tag(3)).as_deref(), Some("t"));
    }

    #[test]
    fn a_hint_names_the_live_keys() {
        let s = Scheme::default();
        let b = Binding {
            action: "editor-cancel".into(),
            keys: vec!["ctrl-g".into()],
            line: 1,
            column: 1,
        };
        let m = Keymap::build(&s, "claimtag.yaml", &[b], "c.yaml").unwrap();
        let hint = m.hint(
            Mode::Editor,
            &[
                (Command::EditorEnter, "save"),
                (Command::EditorCancel, "cancel"),
            ],
        );
        assert_eq!(hint, "Enter save  Ctrl-g cancel");
    }
}
