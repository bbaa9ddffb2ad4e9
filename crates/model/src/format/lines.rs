//! The fastest road for reading a sidecar: the block layout claimtag writes,
//! read line by line. Each line is `key: value`, `key:` before a nested block,
//! or `- key: value` opening an item; each value is a plain, single- or
//! double-quoted scalar on its own line, or `[]`. That is every sidecar
//! claimtag saves, and YAML parsing was most of what `export`, `agree` and
//! `check` did on a corpus (about 40% of export's time through the
//! parser's events).
//!
//! Anything else returns `None` and the events road reads the file: a
//! comment, a blank line, a tab, a CR, a BOM, a document marker or directive,
//! flow collections other than `[]`, a key that is quoted or not of the
//! shape, a block scalar, a quoted scalar running over lines, a plain scalar
//! that YAML might read otherwise (one starting with an indicator, holding
//! `: ` or ` #`, with a control or line-break character), indentation other
//! than the writer's, and more events or nodes than [`super::read_options`]
//! allows. So what this road returns is what the events road returns (tests
//! compare them on random and edited sidecars).

use super::shape::{self, Values, is_count, plainly_a_string};
use super::special_bytes::{any_stop, escaped_at, needs_escaping, stops};
use super::{At, Place, Wire};

/// Reads `yaml` if it has claimtag's own block layout; `None` sends it on.
pub(super) fn read(yaml: &str) -> Option<Wire> {
    let budget = super::read_options().budget?;
    let mut r = Reader {
        rest: yaml,
        number: 0,
        line: None,
        node: Node::Root,
        // The events road counts the stream's and document's start and end.
        events_left: budget.max_events.checked_sub(4)?,
        nodes_left: budget.max_nodes,
    };
    r.advance()?;
    let wire = shape::file(&mut r)?;
    // Every line read, and nothing of the last node left over.
    (r.line.is_none() && r.rest.is_empty()).then_some(wire)
}

/// One line of the layout, lexed.
#[derive(Clone, Copy)]
struct Line<'a> {
    /// 1-based.
    number: u64,
    /// Spaces before the content (before the dash of an item).
    indent: usize,
    /// Whether the line opens an item: `- key: value`.
    dash: bool,
    key: &'a str,
    /// What follows `key: `, empty for `key:`.
    value: &'a str,
}

impl Line<'_> {
    /// The column of the key, where the mapping it belongs to is indented.
    fn key_column(&self) -> usize {
        self.indent + if self.dash { 2 } else { 0 }
    }

    /// Where the value starts, 1-based, as the parser places it.
    fn value_place(&self) -> Place {
        Place {
            line: self.number,
            column: (self.key_column() + self.key.len() + 2 + 1) as u64,
        }
    }
}

/// The node the reader is at: what the next call of [`Values`] reads.
#[derive(Clone, Copy)]
enum Node<'a> {
    /// The document: a block mapping at column 0.
    Root,
    /// The value written after a key on its line.
    Inline(&'a str, Place),
    /// A key with nothing after it: a block below, under a key at this column.
    Below(usize),
    /// An item of a sequence: the mapping whose first key follows the dash
    /// at this column.
    Item(usize),
    /// Taken: read already.
    Taken,
}

struct Reader<'a> {
    /// The text after the current line.
    rest: &'a str,
    number: u64,
    /// The current line, `None` at the end.
    line: Option<Line<'a>>,
    node: Node<'a>,
    events_left: usize,
    nodes_left: usize,
}

impl<'a> Reader<'a> {
    /// Moves to the next line; `None` if it is not of the layout.
    fn advance(&mut self) -> Option<()> {
        if self.rest.is_empty() {
            self.line = None;
            return Some(());
        }
        let (text, rest) = match self.rest.find('\n') {
            Some(end) => (&self.rest[..end], &self.rest[end + 1..]),
            None => (self.rest, ""),
        };
        self.rest = rest;
        self.number += 1;
        self.line = Some(lex(text, self.number)?);
        Some(())
    }

    /// Counts a node of `events` events against the parser's budget.
    fn spend(&mut self, events: usize) -> Option<()> {
        self.events_left = self.events_left.checked_sub(events)?;
        self.nodes_left = self.nodes_left.checked_sub(1)?;
        Some(())
    }

    /// The inline scalar the reader is at, counted as one node.
    fn scalar(&mut self) -> Option<(&'a str, Place)> {
        match std::mem::replace(&mut self.node, Node::Taken) {
            Node::Inline(raw, place) => {
                self.spend(1)?;
                Some((raw, place))
            }
            _ => None,
        }
    }
}

impl<'a> Values for Reader<'a> {
    fn string(&mut self) -> Option<At<String>> {
        let (raw, place) = self.scalar()?;
        let value = match raw.as_bytes()[0] {
            b'"' => double_quoted(raw)?,
            b'\'' => single_quoted(raw)?,
            _ if plain(raw) && plainly_a_string(raw) => raw.to_string(),
            _ => return None,
        };
        Some(At { value, place })
    }

    fn count(&mut self) -> Option<At<usize>> {
        let (raw, place) = self.scalar()?;
        if !is_count(raw) {
            return None;
        }
        Some(At {
            value: raw.parse().ok()?,
            place,
        })
    }

    fn flag(&mut self) -> Option<bool> {
        match self.scalar()?.0 {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    fn mapping(&mut self, mut field: impl FnMut(&mut Self, &str) -> Option<()>) -> Option<()> {
        let (column, item) = match std::mem::replace(&mut self.node, Node::Taken) {
            Node::Root => (0, false),
            Node::Below(parent) => (parent + 2, false),
            Node::Item(dash) => (dash + 2, true),
            Node::Inline(..) | Node::Taken => return None,
        };
        self.spend(2)?;
        let mut keys = 0;
        while let Some(line) = self.line {
            // An item's first key sits on its dash line; every other key on
            // a line of its own at the mapping's column. A line further left
            // ends the mapping; anything else is not the writer's layout.
            if item && keys == 0 {
                if !(line.dash && line.key_column() == column) {
                    return None;
                }
            } else if line.indent < column {
                break;
            } else if line.dash || line.indent != column {
                return None;
            }
            keys += 1;
            // The key's own node and event.
            self.spend(1)?;
            self.node = if line.value.is_empty() {
                Node::Below(column)
            } else {
                Node::Inline(line.value, line.value_place())
            };
            self.advance()?;
            field(self, line.key)?;
            if !matches!(self.node, Node::Taken) {
                return None;
            }
        }
        // `key:` with no block below is a null, not an empty mapping.
        (keys > 0).then_some(())
    }

    fn sequence<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let mut items = Vec::new();
        match std::mem::replace(&mut self.node, Node::Taken) {
            Node::Inline("[]", _) => {
                self.spend(2)?;
                return Some(items);
            }
            // The writer puts a sequence's dashes at its key's column.
            Node::Below(dash) => {
                self.spend(2)?;
                while let Some(line) = self.line {
                    if !(line.dash && line.indent == dash) {
                        break;
                    }
                    self.node = Node::Item(dash);
                    items.push(item(self)?);
                }
            }
            _ => return None,
        }
        // `key:` and nothing below is a null, not an empty sequence.
        (!items.is_empty()).then_some(items)
    }
}

/// Lexes one line (without its `\n`); `None` if it is not of the layout.
fn lex(text: &str, number: u64) -> Option<Line<'_>> {
    // A CR (a line break to YAML) or a tab (white space it treats its own
    // way) is refused where it stands: the indentation and key are checked
    // byte by byte, and each kind of value refuses control characters.
    let content = text.trim_start_matches(' ');
    let indent = text.len() - content.len();
    let (dash, entry) = match content.strip_prefix("- ") {
        Some(entry) => (true, entry),
        None => (false, content),
    };
    let (key, after) = entry.split_once(':')?;
    let key_shaped = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    let value = match after {
        "" => "",
        _ => after.strip_prefix(' ')?,
    };
    // Spaces YAML would trim, around the value or after `key:`.
    let spaced =
        value.starts_with(' ') || value.ends_with(' ') || (value.is_empty() && !after.is_empty());
    (key_shaped && !spaced).then_some(Line {
        number,
        indent,
        dash,
        key,
        value,
    })
}

/// Whether every character of `s` may stand in a scalar on one line as
/// written: no control character, nothing YAML might take for a line
/// break, no BOM.
fn all_printable(s: &str) -> bool {
    static STOPS: [bool; 256] = stops(b"");
    let bytes = s.as_bytes();
    !any_stop(&STOPS, bytes, |at| escaped_at(bytes, at).is_some())
}

/// Whether `raw` is read as written as a plain scalar in a block mapping's
/// value: it starts with no indicator (`-`, `?` and `:` may start one when a
/// character other than a space follows) and holds nothing that ends it
/// early (`: `, ` #`, a character that [`needs_escaping`]). One pass over
/// its bytes, stopping only where one of those may be.
fn plain(raw: &str) -> bool {
    static STOPS: [bool; 256] = stops(b":#");
    let bytes = raw.as_bytes();
    let first = match bytes {
        [b'-' | b'?' | b':', next, ..] => *next != b' ',
        [first, ..] => !b"-?:,[]{}#&*!|>'\"%@`".contains(first),
        [] => false,
    };
    first
        && !raw.ends_with(':')
        && !any_stop(&STOPS, bytes, |at| match bytes[at] {
            b':' => bytes.get(at + 1) == Some(&b' '),
            b'#' => at > 0 && bytes[at - 1] == b' ',
            _ => escaped_at(bytes, at).is_some(),
        })
}

/// A double-quoted scalar on one line, its escapes as YAML 1.2 has them.
fn double_quoted(raw: &str) -> Option<String> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.bytes().any(|b| b == b'\\' || b == b'"') {
        return all_printable(inner).then(|| inner.to_string());
    }
    let mut value = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        let c = match c {
            '"' => return None,
            '\\' => match chars.next()? {
                '0' => '\0',
                'a' => '\u{7}',
                'b' => '\u{8}',
                't' => '\t',
                'n' => '\n',
                'v' => '\u{b}',
                'f' => '\u{c}',
                'r' => '\r',
                'e' => '\u{1b}',
                ' ' => ' ',
                '"' => '"',
                '/' => '/',
                '\\' => '\\',
                'N' => '\u{85}',
                '_' => '\u{a0}',
                'L' => '\u{2028}',
                'P' => '\u{2029}',
                'x' => hex(&mut chars, 2)?,
                'u' => hex(&mut chars, 4)?,
                'U' => hex(&mut chars, 8)?,
                _ => return None,
            },
            c if !needs_escaping(c) => c,
            _ => return None,
        };
        value.push(c);
    }
    Some(value)
}

/// The character of `digits` hex digits; `None` for a surrogate or beyond.
fn hex(chars: &mut std::str::Chars, digits: usize) -> Option<char> {
    let mut code = 0u32;
    for _ in 0..digits {
        code = code * 16 + chars.next()?.to_digit(16)?;
    }
    char::from_u32(code)
}

/// A single-quoted scalar on one line: `''` is a quote.
fn single_quoted(raw: &str) -> Option<String> {
    let inner = raw.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut value = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' if chars.next()? == '\'' => value.push('\''),
            c if c != '\'' && !needs_escaping(c) => value.push(c),
            _ => return None,
        }
    }
    Some(value)
}
