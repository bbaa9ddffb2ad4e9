//! The middle road for reading a sidecar: one pass over the events of
//! serde-saphyr's own YAML parser (`granit-parser`), for the plain shape
//! ([`super::shape`]) however it is laid out: with comments, flow mappings,
//! other indentation, quoted scalars over several lines. A sidecar of 20
//! annotations takes about 0.4 ms through serde-saphyr (two parses, see the
//! module above), 0.1 ms on this road and 0.02 ms on the line road
//! ([`super::lines`]), which takes every sidecar as claimtag writes it
//! (`cargo bench --bench sidecar_roads`).
//!
//! Anything this road is not sure of returns `None` and serde-saphyr reads
//! the file instead, so values, places and every error message are the ones
//! it gives: a parse error, a key this version does not know (kept as an
//! extra by the other road), a duplicate or missing key, an anchor, alias or
//! tag, a block scalar, a plain string that might be read as a null, a boolean
//! or a number (`~`, `no`, `1e3`), a count that is not plain decimal digits
//! (`0x1F`, `01`, `"5"`), a `%YAML` directive, more than one document, or
//! more events or nodes than [`super::read_options`] allows.
//! Comments are skipped, as serde-saphyr skips them for typed data.

use std::borrow::Cow;

use granit_parser::{Event, Parser, ScalarStyle, Span, StrInput};

use super::shape::{self, Values, is_count, plainly_a_string};
use super::{At, Place, Wire};

/// Reads `yaml` if it has the plain shape; `None` sends it the general road.
pub(super) fn read(yaml: &str) -> Option<Wire> {
    let budget = super::read_options().budget?;
    let mut r = Reader {
        events: Parser::new_from_str_with_options(
            yaml,
            granit_parser::options! { emit_comments: false },
        ),
        events_left: budget.max_events,
        nodes_left: budget.max_nodes,
    };
    r.expect(|e| matches!(e, Event::StreamStart))?;
    // A `%YAML` directive may change how scalars read: the general road.
    r.expect(|e| matches!(e, Event::DocumentStart(_, None)))?;
    let wire = shape::file(&mut r)?;
    r.expect(|e| matches!(e, Event::DocumentEnd))?;
    r.expect(|e| matches!(e, Event::StreamEnd))?;
    Some(wire)
}

struct Reader<'a> {
    events: Parser<'a, StrInput<'a>>,
    events_left: usize,
    nodes_left: usize,
}

/// A scalar with no anchor and no tag.
struct Scalar<'a> {
    value: Cow<'a, str>,
    style: ScalarStyle,
    place: Place,
}

/// What comes where a mapping key is read.
enum Key<'a> {
    Name(Cow<'a, str>),
    End,
}

impl<'a> Reader<'a> {
    /// The next event, counted against the budget; `None` on a parse error,
    /// an anchor or alias, or a spent budget.
    fn next(&mut self) -> Option<(Event<'a>, Span)> {
        let (event, span) = self.events.next()?.ok()?;
        self.events_left = self.events_left.checked_sub(1)?;
        match &event {
            Event::Scalar(_, _, anchor, _)
            | Event::SequenceStart(_, anchor, _)
            | Event::MappingStart(_, anchor, _) => {
                self.nodes_left = self.nodes_left.checked_sub(1)?;
                (*anchor == 0).then_some(())?;
            }
            Event::Alias(_) | Event::UnresolvedAlias(_) | Event::Anchor(..) => return None,
            _ => {}
        }
        Some((event, span))
    }

    fn expect(&mut self, want: impl Fn(&Event) -> bool) -> Option<()> {
        let (event, _) = self.next()?;
        want(&event).then_some(())
    }

    fn scalar(&mut self) -> Option<Scalar<'a>> {
        match self.next()? {
            (Event::Scalar(value, style, _, None), span) => Some(Scalar {
                value,
                style,
                place: Place {
                    line: span.start.line() as u64,
                    column: span.start.col() as u64 + 1,
                },
            }),
            _ => None,
        }
    }

    fn key(&mut self) -> Option<Key<'a>> {
        match self.next()? {
            (Event::MappingEnd, _) => Some(Key::End),
            (Event::Scalar(name, _, _, None), _) => Some(Key::Name(name)),
            _ => None,
        }
    }
}

impl<'a> Values for Reader<'a> {
    fn string(&mut self) -> Option<At<String>> {
        let s = self.scalar()?;
        match s.style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {}
            ScalarStyle::Plain if plainly_a_string(&s.value) => {}
            _ => return None,
        }
        Some(At {
            value: s.value.into_owned(),
            place: s.place,
        })
    }

    fn count(&mut self) -> Option<At<usize>> {
        let s = self.scalar()?;
        if !(matches!(s.style, ScalarStyle::Plain) && is_count(&s.value)) {
            return None;
        }
        Some(At {
            value: s.value.parse().ok()?,
            place: s.place,
        })
    }

    fn flag(&mut self) -> Option<bool> {
        let s = self.scalar()?;
        match (s.style, s.value.as_ref()) {
            (ScalarStyle::Plain, "true") => Some(true),
            (ScalarStyle::Plain, "false") => Some(false),
            _ => None,
        }
    }

    fn mapping(&mut self, mut field: impl FnMut(&mut Self, &str) -> Option<()>) -> Option<()> {
        self.expect(|e| matches!(e, Event::MappingStart(_, _, None)))?;
        loop {
            match self.key()? {
                Key::End => return Some(()),
                Key::Name(name) => field(self, &name)?,
            }
        }
    }

    fn sequence<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.expect(|e| matches!(e, Event::SequenceStart(_, _, None)))?;
        let mut items = Vec::new();
        loop {
            if matches!(self.events.peek(), Some(Ok((Event::SequenceEnd, _)))) {
                self.next()?;
                return Some(items);
            }
            items.push(item(self)?);
        }
    }
}
