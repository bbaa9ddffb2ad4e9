//! Commands and key bindings as data: every command has a name (used in the
//! config file) and a description (shown in help). The help screen is
//! generated from this table.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use claimtag_model::Scheme;
use claimtag_model::config::Binding;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Command {
    Left,
    Right,
    Up,
    Down,
    WordNext,
    WordPrev,
    SentenceNext,
    SentencePrev,
    ParagraphNext,
    ParagraphPrev,
    Top,
    Bottom,
    PageUp,
    PageDown,
    HalfPageUp,
    HalfPageDown,
    ToggleSelect,
    ExtendLeft,
    ExtendRight,
    ExtendUp,
    ExtendDown,
    SelectSentence,
    SelectParagraph,
    /// Swap the selection's ends, to move its start.
    SwapEnds,
    Escape,
    /// Tag with the scheme's label of this index.
    Tag(usize),
    NextAnnotation,
    PrevAnnotation,
    DeleteAnnotation,
    EditAnnotation,
    Undo,
    Redo,
    Search,
    SearchNext,
    SearchPrev,
    Save,
    Help,
    Quit,
    SplitPane,
    ClosePane,
    NextPane,
    CorpusList,
    /// Repaint the whole screen.
    Redraw,
    // review
    NextDiff,
    PrevDiff,
    Accept,
    Reject,
    AcceptAll,
    DiffList,
    // suggestions (issue 16)
    NextSuggestion,
    PrevSuggestion,
    AcceptSuggestion,
    RejectSuggestion,
    AcceptAllSuggestions,
    ProposeLike,
}

/// Which screen a binding belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Annotate,
    Review,
}

impl Command {
    /// Every command, in help order.
    pub fn all(scheme: &Scheme) -> Vec<Command> {
        use Command::*;
        // Help order: what an analyst needs first, motions after.
        let mut v: Vec<Command> = (0..scheme.labels.len()).map(Tag).collect();
        v.extend([
            ToggleSelect,
            SelectSentence,
            SelectParagraph,
            ExtendLeft,
            ExtendRight,
            ExtendUp,
            ExtendDown,
            SwapEnds,
            Escape,
            EditAnnotation,
            DeleteAnnotation,
            NextAnnotation,
            PrevAnnotation,
            NextSuggestion,
            PrevSuggestion,
            AcceptSuggestion,
            RejectSuggestion,
            AcceptAllSuggestions,
            ProposeLike,
            Undo,
            Redo,
            Save,
            Search,
            SearchNext,
            SearchPrev,
            CorpusList,
            SplitPane,
            ClosePane,
            NextPane,
            Help,
            Quit,
            Left,
            Right,
            Up,
            Down,
            WordNext,
            WordPrev,
            SentenceNext,
            SentencePrev,
            ParagraphNext,
            ParagraphPrev,
            Top,
            Bottom,
            PageUp,
            PageDown,
            HalfPageUp,
            HalfPageDown,
            NextDiff,
            PrevDiff,
            Accept,
            Reject,
            AcceptAll,
        ]);
        v
    }

    /// Whether a count before it repeats it (motions do; tagging does not).
    pub fn repeats(&self) -> bool {
        use Command::*;
        matches!(
            self,
            Left | Right
                | Up
                | Down
                | WordNext
                | WordPrev
                | SentenceNext
                | SentencePrev
                | ParagraphNext
                | ParagraphPrev
                | PageUp
                | PageDown
                | HalfPageUp
                | HalfPageDown
                | ExtendLeft
                | ExtendRight
                | ExtendUp
                | ExtendDown
                | NextAnnotation
                | PrevAnnotation
                | Undo
                | Redo
                | SearchNext
                | SearchPrev
                | NextSuggestion
                | PrevSuggestion
        )
    }

    /// The name used in `keys:` of the config file.
    pub fn name(&self, scheme: &Scheme) -> String {
        use Command::*;
        match self {
            Left => "left",
            Right => "right",
            Up => "up",
            Down => "down",
            WordNext => "word-next",
            WordPrev => "word-prev",
            SentenceNext => "sentence-next",
            SentencePrev => "sentence-prev",
            ParagraphNext => "paragraph-next",
            ParagraphPrev => "paragraph-prev",
            Top => "top",
            Bottom => "bottom",
            PageUp => "page-up",
            PageDown => "page-down",
            HalfPageUp => "half-page-up",
            HalfPageDown => "half-page-down",
            ToggleSelect => "select",
            ExtendLeft => "extend-left",
            ExtendRight => "extend-right",
            ExtendUp => "extend-up",
            ExtendDown => "extend-down",
            SelectSentence => "select-sentence",
            SelectParagraph => "select-paragraph",
            SwapEnds => "swap-ends",
            Escape => "escape",
            Tag(i) => {
                return format!(
                    "tag-{}",
                    scheme
                        .labels
                        .get(*i)
                        .map(|l| l.name.as_str())
                        .unwrap_or("?")
                );
            }
            NextAnnotation => "next-annotation",
            PrevAnnotation => "prev-annotation",
            DeleteAnnotation => "delete",
            EditAnnotation => "edit",
            Undo => "undo",
            Redo => "redo",
            Search => "search",
            SearchNext => "search-next",
            SearchPrev => "search-prev",
            Save => "save",
            Help => "help",
            Quit => "quit",
            SplitPane => "split",
            ClosePane => "close-pane",
            NextPane => "next-pane",
            CorpusList => "corpus",
            Redraw => "redraw",
            NextDiff => "next-difference",
            PrevDiff => "prev-difference",
            Accept => "accept",
            Reject => "reject",
            AcceptAll => "accept-all",
            DiffList => "differences",
            NextSuggestion => "next-suggestion",
            PrevSuggestion => "prev-suggestion",
            AcceptSuggestion => "accept-suggestion",
            RejectSuggestion => "reject-suggestion",
            AcceptAllSuggestions => "accept-all-suggestions",
            ProposeLike => "propose-like",
        }
        .to_string()
    }

    pub fn description(&self, scheme: &Scheme) -> String {
        use Command::*;
        match self {
            Left => "move left",
            Right => "move right",
            Up => "move up a row",
            Down => "move down a row",
            WordNext => "next word",
            WordPrev => "previous word",
            SentenceNext => "next sentence",
            SentencePrev => "previous sentence",
            ParagraphNext => "next paragraph",
            ParagraphPrev => "previous paragraph",
            Top => "top of the article",
            Bottom => "bottom of the article",
            PageUp => "page up",
            PageDown => "page down",
            HalfPageUp => "half page up",
            HalfPageDown => "half page down",
            ToggleSelect => "start/stop a selection at the cursor",
            ExtendLeft => "extend the selection left",
            ExtendRight => "extend the selection right",
            ExtendUp => "extend the selection up",
            ExtendDown => "extend the selection down",
            SelectSentence => "select the sentence under the cursor",
            SelectParagraph => "select the paragraph under the cursor",
            SwapEnds => "go to the other end of the selection (to move its start)",
            Escape => "clear the selection, close popups",
            Tag(i) => {
                return format!(
                    "tag the selection (or the sentence) as {}",
                    scheme
                        .labels
                        .get(*i)
                        .map(|l| l.name.as_str())
                        .unwrap_or("?")
                );
            }
            NextAnnotation => "next annotation",
            PrevAnnotation => "previous annotation",
            DeleteAnnotation => "delete the annotation under the cursor",
            EditAnnotation => "edit the annotation here (label, claimant, note, links)",
            Undo => "undo",
            Redo => "redo",
            Search => "search",
            SearchNext => "next match",
            SearchPrev => "previous match",
            Save => "save now (autosave saves within 2 s of any change)",
            Help => "this help",
            Quit => "save and quit",
            SplitPane => "split: open another article beside this one",
            ClosePane => "close this pane",
            NextPane => "next pane",
            CorpusList => "corpus list: every article with its counts",
            Redraw => "repaint the screen",
            NextDiff => "review: next difference",
            PrevDiff => "review: previous difference",
            Accept => "review: accept theirs for the difference under the cursor",
            Reject => "review: reject it (keep yours, mark settled)",
            AcceptAll => "review: accept all of theirs in this article",
            DiffList => "review: list the differences of this article",
            NextSuggestion => "next suggestion (ghost span)",
            PrevSuggestion => "previous suggestion",
            AcceptSuggestion => "accept the suggestion under the cursor (Enter edits it first)",
            RejectSuggestion => "reject the suggestion under the cursor (it never comes back)",
            AcceptAllSuggestions => "accept every suggestion of this article (asks first: y)",
            ProposeLike => {
                "from a tagged span: propose its label on every other occurrence of its text"
            }
        }
        .to_string()
    }

    fn context(&self) -> Context {
        use Command::*;
        match self {
            NextDiff | PrevDiff | Accept | Reject | AcceptAll | DiffList => Context::Review,
            _ => Context::Annotate,
        }
    }
}

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

/// What a key sequence does so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Command(Command),
    /// The keys so far start a longer binding (e.g. `Ctrl-w`).
    Prefix,
    None,
}

#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: BTreeMap<Sequence, Command>,
}

/// A label's key, as the keymap stores it.
fn label_key(c: char) -> Key {
    Key {
        code: KeyCodeOrd::Char(c),
        mods: 0,
    }
}

/// A key sequence as shown to people.
fn label_of(s: &[Key]) -> String {
    s.iter()
        .filter(|k| **k != REVIEW_MARK)
        .map(Key::label)
        .collect::<Vec<_>>()
        .join(" ")
}

fn seq(s: &str) -> Sequence {
    s.split_whitespace().filter_map(Key::parse).collect()
}

impl Keymap {
    pub fn defaults(scheme: &Scheme) -> Keymap {
        use Command::*;
        let mut b: Vec<(&str, Command)> = vec![
            ("left", Left),
            ("h", Left),
            ("right", Right),
            ("l", Right),
            ("up", Up),
            ("k", Up),
            ("down", Down),
            ("j", Down),
            ("w", WordNext),
            ("b", WordPrev),
            (")", SentenceNext),
            ("(", SentencePrev),
            ("}", ParagraphNext),
            ("{", ParagraphPrev),
            ("g", Top),
            ("home", Top),
            ("G", Bottom),
            ("end", Bottom),
            ("pgup", PageUp),
            ("pgdn", PageDown),
            ("ctrl-u", HalfPageUp),
            ("ctrl-d", HalfPageDown),
            ("v", ToggleSelect),
            ("shift-left", ExtendLeft),
            ("shift-right", ExtendRight),
            ("shift-up", ExtendUp),
            ("shift-down", ExtendDown),
            ("s", SelectSentence),
            ("p", SelectParagraph),
            ("o", SwapEnds),
            ("esc", Escape),
            ("]", NextAnnotation),
            ("[", PrevAnnotation),
            ("x", DeleteAnnotation),
            ("enter", EditAnnotation),
            ("u", Undo),
            ("ctrl-r", Redo),
            ("/", Search),
            ("n", SearchNext),
            ("N", SearchPrev),
            ("ctrl-s", Save),
            ("?", Help),
            ("q", Quit),
            ("ctrl-w v", SplitPane),
            ("ctrl-w q", ClosePane),
            ("tab", NextPane),
            ("ctrl-w w", NextPane),
            ("ctrl-p", CorpusList),
            ("F", CorpusList),
            ("ctrl-l", Redraw),
            (">", NextSuggestion),
            ("<", PrevSuggestion),
            ("a", AcceptSuggestion),
            ("r", RejectSuggestion),
            ("A", AcceptAllSuggestions),
            ("*", ProposeLike),
            // Review screen: these take over ] [ for differences there.
            ("]", NextDiff),
            ("[", PrevDiff),
            ("a", Accept),
            ("r", Reject),
            ("A", AcceptAll),
            ("D", DiffList),
        ];
        let mut map = Keymap {
            bindings: BTreeMap::new(),
        };
        for (k, c) in b.drain(..) {
            map.bind(seq(k), c);
        }
        for (i, l) in scheme.labels.iter().enumerate() {
            map.bind(vec![label_key(l.key)], Tag(i));
        }
        map
    }

    /// The keymap for a session: the defaults, the config's `keys:` (each
    /// replaces its action's default keys) and the scheme's label keys. A key
    /// bound twice in the same screen, or a key that starts a longer binding,
    /// is an error naming where each came from.
    pub fn build(
        scheme: &Scheme,
        scheme_file: &str,
        overrides: &[Binding],
        config_file: &str,
    ) -> Result<Keymap, String> {
        let mut map = Keymap::defaults(&Scheme {
            labels: vec![],
            ..scheme.clone()
        });
        let mut origin: BTreeMap<Sequence, String> = map
            .bindings
            .keys()
            .map(|k| (k.clone(), "by default".to_string()))
            .collect();
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
                let s: Option<Sequence> = k.split_whitespace().map(Key::parse).collect();
                match s {
                    Some(s) if !s.is_empty() => wanted.push((s, cmd, b)),
                    _ => {
                        return Err(format!(
                            "{config_file}:{}:{}: keys.{}: cannot read key {:?}",
                            b.line, b.column, b.action, k
                        ));
                    }
                }
            }
            map.bindings.retain(|_, c| *c != cmd);
        }
        origin.retain(|k, _| map.bindings.contains_key(k));
        for (i, l) in scheme.labels.iter().enumerate() {
            let s = vec![label_key(l.key)];
            for ctx_key in [s.clone(), map.stored(s.clone(), Command::NextDiff)] {
                if let Some(other) = map.bindings.get(&ctx_key) {
                    return Err(format!(
                        "{scheme_file}: label {:?} uses key {}, which is bound to {} ({}); choose another key for the label, or rebind {} in config.yaml",
                        l.name,
                        l.key,
                        other.name(scheme),
                        origin
                            .get(&ctx_key)
                            .map(String::as_str)
                            .unwrap_or("by default"),
                        other.name(scheme)
                    ));
                }
            }
            origin.insert(s.clone(), format!("{scheme_file}, label {}", l.name));
            map.bindings.insert(s, Command::Tag(i));
        }
        for (s, cmd, b) in wanted {
            let key = map.stored(s.clone(), cmd);
            if let Some(other) = map.bindings.get(&key).filter(|o| **o != cmd) {
                return Err(format!(
                    "{config_file}:{}:{}: keys.{}: {} is already bound to {} ({}); rebind that too or choose another key",
                    b.line,
                    b.column,
                    b.action,
                    label_of(&s),
                    other.name(scheme),
                    origin.get(&key).map(String::as_str).unwrap_or("by default")
                ));
            }
            origin.insert(key.clone(), format!("{config_file}:{}", b.line));
            map.bindings.insert(key, cmd);
        }
        // A key that is both a binding and the start of a longer one could
        // never reach the longer one.
        for a in map.bindings.keys() {
            if let Some(b) = map
                .bindings
                .keys()
                .find(|b| b.len() > a.len() && b.starts_with(a))
            {
                return Err(format!(
                    "{}: {} ({}) is the start of {} ({}); one of them can never be typed",
                    config_file,
                    label_of(a),
                    map.bindings[a].name(scheme),
                    label_of(b),
                    map.bindings[b].name(scheme)
                ));
            }
        }
        Ok(map)
    }

    /// The first key bound to a command, as shown to people (for hints).
    pub fn first_key(&self, cmd: Command) -> Option<String> {
        self.keys_of(cmd).into_iter().next()
    }

    /// How a binding is stored: review bindings under their own marker.
    fn stored(&self, s: Sequence, c: Command) -> Sequence {
        if c.context() == Context::Review {
            let mut k = vec![REVIEW_MARK];
            k.extend(s);
            k
        } else {
            s
        }
    }

    fn bind(&mut self, s: Sequence, c: Command) {
        if s.is_empty() {
            return;
        }
        // The review commands share keys with annotating ones; keep both by
        // storing review bindings under a marker key.
        let key = if c.context() == Context::Review {
            let mut k = vec![REVIEW_MARK];
            k.extend(s);
            k
        } else {
            s
        };
        self.bindings.insert(key, c);
    }

    pub fn lookup(&self, keys: &[Key], ctx: Context) -> Lookup {
        if ctx == Context::Review {
            let mut k = vec![REVIEW_MARK];
            k.extend_from_slice(keys);
            match self.lookup_raw(&k) {
                Lookup::None => {}
                found => return found,
            }
        }
        self.lookup_raw(keys)
    }

    fn lookup_raw(&self, keys: &[Key]) -> Lookup {
        if let Some(c) = self.bindings.get(keys) {
            return Lookup::Command(*c);
        }
        let prefix = self
            .bindings
            .range(keys.to_vec()..)
            .next()
            .is_some_and(|(k, _)| k.len() > keys.len() && k.starts_with(keys));
        if prefix { Lookup::Prefix } else { Lookup::None }
    }

    /// Keys bound to each command, for help and the status line.
    pub fn keys_of(&self, cmd: Command) -> Vec<String> {
        self.bindings
            .iter()
            .filter(|(_, c)| **c == cmd)
            .map(|(s, _)| {
                s.iter()
                    .filter(|k| **k != REVIEW_MARK)
                    .map(Key::label)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// Help rows: keys, command name, description.
    pub fn help_rows(&self, scheme: &Scheme, review: bool) -> Vec<(String, String, String)> {
        Command::all(scheme)
            .into_iter()
            .filter(|c| review || c.context() == Context::Annotate)
            .map(|c| {
                (
                    self.keys_of(c).join(", "),
                    c.name(scheme),
                    c.description(scheme),
                )
            })
            .collect()
    }
}

const REVIEW_MARK: Key = Key {
    code: KeyCodeOrd::Named("review"),
    mods: 0xff,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn ev(code: KeyCode, m: KeyModifiers) -> Key {
        Key::from_event(&KeyEvent::new_with_kind(code, m, KeyEventKind::Press)).unwrap()
    }

    #[test]
    fn defaults_follow_the_design() {
        let s = Scheme::default();
        let m = Keymap::defaults(&s);
        let look = |k: Key| m.lookup(&[k], Context::Annotate);
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
                Context::Annotate
            ),
            Lookup::Command(Command::SplitPane)
        );
        let bracket = ev(KeyCode::Char(']'), KeyModifiers::NONE);
        assert_eq!(
            m.lookup(&[bracket], Context::Annotate),
            Lookup::Command(Command::NextAnnotation)
        );
        assert_eq!(
            m.lookup(&[bracket], Context::Review),
            Lookup::Command(Command::NextDiff)
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
        let mut keys = m.keys_of(Command::Save);
        keys.sort();
        assert_eq!(keys, ["Ctrl-x Ctrl-s", "F2"]);
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
    }

    #[test]
    fn label_keys_may_not_shadow_other_actions() {
        let mut s = Scheme::default();
        s.labels.push(claimtag_model::scheme::Label {
            name: "source".into(),
            key: 's',
            colour: "blue".into(),
            description: String::new(),
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
    fn every_command_has_a_key_and_description() {
        let s = Scheme::default();
        let m = Keymap::defaults(&s);
        for (keys, name, desc) in m.help_rows(&s, true) {
            assert!(!keys.is_empty(), "{name} has no key");
            assert!(!desc.is_empty());
        }
    }
}
