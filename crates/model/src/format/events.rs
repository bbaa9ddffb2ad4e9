//! The fast road for reading a sidecar: one pass over the events of
//! serde-saphyr's own YAML parser (`granit-parser`), for the plain shape
//! claimtag writes. Reading through serde-saphyr costs about 0.6 ms a sidecar
//! (two parses, see the module above); a corpus of 10,000 articles reads
//! 20,000 of them, so this is most of what `export`, `agree` and `check` do.
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

use super::{Annotation, At, Extra, Link, Place, Wire, WireAnn};

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
    let wire = r.file()?;
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

    /// A string value: quoted as written, plain when plainly a string.
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

    fn text(&mut self) -> Option<String> {
        self.string().map(|s| s.value)
    }

    /// A count: plain decimal digits, no sign and no leading zero.
    fn count(&mut self) -> Option<At<usize>> {
        let s = self.scalar()?;
        let digits = s.value.as_bytes();
        let decimal = matches!(s.style, ScalarStyle::Plain)
            && !digits.is_empty()
            && digits.iter().all(u8::is_ascii_digit)
            && (digits[0] != b'0' || digits.len() == 1);
        if !decimal {
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

    fn key(&mut self) -> Option<Key<'a>> {
        match self.next()? {
            (Event::MappingEnd, _) => Some(Key::End),
            (Event::Scalar(name, _, _, None), _) => Some(Key::Name(name)),
            _ => None,
        }
    }

    /// Reads a mapping, giving each key to `field`, which reads its value.
    fn mapping(&mut self, mut field: impl FnMut(&mut Self, &str) -> Option<()>) -> Option<()> {
        self.expect(|e| matches!(e, Event::MappingStart(_, _, None)))?;
        loop {
            match self.key()? {
                Key::End => return Some(()),
                Key::Name(name) => field(self, &name)?,
            }
        }
    }

    /// Reads a sequence, reading each item with `item`.
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

    fn file(&mut self) -> Option<Wire> {
        let (mut format, mut source, mut annotator, mut updated) = (None, None, None, None);
        let (mut next_id, mut status, mut annotations) = (None, None, None);
        self.mapping(|r, key| match key {
            "format" => once(&mut format, r.string()?),
            "source" => once(&mut source, r.source()?),
            "annotator" => once(&mut annotator, r.string()?),
            "updated" => once(&mut updated, r.text()?),
            "next_id" => once(&mut next_id, r.count()?.value as u64),
            "status" => once(&mut status, r.string()?),
            "annotations" => once(&mut annotations, r.sequence(Self::annotation)?),
            _ => None,
        })?;
        let (file, sha256, chars) = source?;
        Some(Wire {
            format: format?,
            file,
            sha256,
            chars,
            source_extra: Extra::new(),
            annotator: annotator?,
            updated: updated.unwrap_or_default(),
            next_id,
            status,
            annotations: annotations.unwrap_or_default(),
            extra: Extra::new(),
        })
    }

    #[allow(clippy::type_complexity)]
    fn source(&mut self) -> Option<(At<String>, Option<At<String>>, Option<At<usize>>)> {
        let (mut file, mut sha256, mut chars) = (None, None, None);
        self.mapping(|r, key| match key {
            "file" => once(&mut file, r.string()?),
            "sha256" => once(&mut sha256, r.string()?),
            "chars" => once(&mut chars, r.count()?),
            _ => None,
        })?;
        Some((file?, sha256, chars))
    }

    fn annotation(&mut self) -> Option<WireAnn> {
        let (mut id, mut label, mut start, mut end) = (None, None, None, None);
        let (mut text, mut prefix, mut suffix, mut created) = (None, None, None, None);
        let (mut claimant, mut links, mut note, mut from, mut orphan) =
            (None, None, None, None, None);
        self.mapping(|r, key| match key {
            "id" => once(&mut id, r.string()?),
            "label" => once(&mut label, r.text()?),
            "start" => once(&mut start, r.count()?.value),
            "end" => once(&mut end, r.count()?.value),
            "text" => once(&mut text, r.text()?),
            "prefix" => once(&mut prefix, r.text()?),
            "suffix" => once(&mut suffix, r.text()?),
            "claimant" => once(&mut claimant, r.text()?),
            "links" => once(&mut links, r.sequence(Self::link)?),
            "note" => once(&mut note, r.text()?),
            "created" => once(&mut created, r.text()?),
            "from" => once(&mut from, r.text()?),
            "orphan" => once(&mut orphan, r.flag()?),
            _ => None,
        })?;
        let id: At<String> = id?;
        Some(WireAnn {
            id_place: id.place,
            annotation: Annotation {
                id: id.value,
                label: label?,
                start: start?,
                end: end?,
                text: text.unwrap_or_default(),
                prefix: prefix.unwrap_or_default(),
                suffix: suffix.unwrap_or_default(),
                claimant,
                links: links.unwrap_or_default(),
                note,
                created: created.unwrap_or_default(),
                from,
                orphan: orphan.unwrap_or_default(),
                extra: Extra::new(),
            },
        })
    }

    fn link(&mut self) -> Option<Link> {
        let (mut rel, mut to) = (None, None);
        self.mapping(|r, key| match key {
            "rel" => once(&mut rel, r.text()?),
            "to" => once(&mut to, r.text()?),
            _ => None,
        })?;
        Some(Link { rel: rel?, to: to? })
    }
}

/// Fills a slot the first time; a second value for a key is `None`.
fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    match slot {
        Some(_) => None,
        None => {
            *slot = Some(value);
            Some(())
        }
    }
}

/// Whether a plain scalar is a string to any YAML reader. serde-saphyr gives
/// a plain scalar to a string field as written, but its untyped reading (for
/// unknown keys) resolves the whole file, and refuses `.inf` there; so
/// anything that might be a null, a boolean or a number (`~`, `no`, `1e3`,
/// `0x1F`, `1_000`, `-.inf`, `12:30`, `2022-02-03`) goes the general road.
/// Names such as `001.txt` and hashes such as `1efd…` stay here.
fn plainly_a_string(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n", ".inf", "+.inf", "-.inf",
        ".nan",
    ];
    !(s.is_empty() || number_like(s) || WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)))
}

/// Whether a plain scalar could be a YAML 1.1 or 1.2 integer or float, in
/// any base or with `_` and `:` separators; errs on the side of yes.
fn number_like(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let radix = ["0x", "0o", "0b", "0X", "0O", "0B"]
        .iter()
        .find_map(|p| unsigned.strip_prefix(p));
    match radix {
        Some(digits) => digits.chars().all(|c| c.is_ascii_hexdigit() || c == '_'),
        None => {
            unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.')
                && unsigned
                    .chars()
                    .all(|c| c.is_ascii_digit() || "._:eE+-".contains(c))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::super::{Annotation, Sidecar, Status, Wire};
    use super::read;

    fn serde_road(yaml: &str) -> Option<Wire> {
        Wire::parse_with_serde(Path::new("x.yaml"), yaml).ok()
    }

    fn sidecar(texts: &[String], numbers: &[usize], status: Option<Status>) -> Sidecar {
        let mut s = Sidecar::new("alice", "001.txt", "1efd9a0b", numbers[0]);
        s.updated = "2026-11-24T10:31:05Z".into();
        s.status = status;
        for (i, t) in texts.iter().enumerate() {
            let n = numbers[i % numbers.len()];
            s.annotations.push(Annotation {
                id: format!("a{}", i + 1),
                label: ["claim", "denial", "evidence"][i % 3].into(),
                start: n,
                end: n + t.chars().count(),
                text: t.clone(),
                prefix: texts[(i + 1) % texts.len()].clone(),
                suffix: texts[(i + 2) % texts.len()].clone(),
                claimant: (i % 2 == 0).then(|| t.clone()),
                links: if i % 3 == 1 {
                    vec![super::Link {
                        rel: "denies".into(),
                        to: t.clone(),
                    }]
                } else {
                    vec![]
                },
                note: (i % 4 == 0).then(|| format!("{t}\n{t}")),
                created: "2026-11-24T10:30:00Z".into(),
                from: (i % 5 == 0).then(|| "bob".into()),
                orphan: i % 7 == 3,
                ..Annotation::default()
            });
        }
        s
    }

    #[test]
    fn what_claimtag_writes_takes_the_fast_road_to_the_same_place() {
        let s = sidecar(
            &[
                "plain words".into(),
                "35".into(),
                "no".into(),
                "it's \"quoted\"\r\nnext".into(),
                "ذبیح‌الله مجاهد".into(),
                String::new(),
            ],
            &[0, 7, 120],
            Some(Status::InProgress),
        );
        let y = s.to_yaml();
        let fast = read(&y).expect("the plain shape is read on the fast road");
        assert_eq!(Some(&fast), serde_road(&y).as_ref());
        assert_eq!(fast.annotations.len(), 6);
        let a5 = fast
            .annotations
            .iter()
            .find(|a| a.annotation.id == "a5")
            .unwrap();
        assert_eq!(a5.id_place.line, {
            let at = y.find("id: a5").unwrap();
            y[..at].matches('\n').count() as u64 + 1
        });
    }

    #[test]
    fn what_the_bench_generator_writes_takes_the_fast_road() {
        let y = "format: claimtag/1\nsource:\n  file: \"000000.txt\"\n  sha256: 1efda9a3\n  chars: 4062\n\
                 annotator: alice\nupdated: \"2026-11-30T10:00:00Z\"\nannotations:\n- id: a17\n  label: claim\n\
                 \x20 start: 422\n  end: 448\n  text: \"ters sources\"\n  prefix: \"rmed\"\n  suffix: \"s\"\n\
                 \x20 created: \"2026-11-30T10:00:00Z\"\n";
        assert_eq!(read(y), serde_road(y));
        assert!(read(y).is_some());
    }

    #[test]
    fn anything_unsure_goes_the_general_road() {
        let base = "format: claimtag/1\nsource: {file: a.txt}\nannotator: bob\nannotations:\n- id: a1\n  label: claim\n  start: 0\n  end: 1\n";
        assert!(read(base).is_some());
        for (from, to) in [
            ("end: 1", "end: 01"),
            ("end: 1", "end: 0x1"),
            ("end: 1", "end: +1"),
            ("end: 1", "end: \"1\""),
            ("label: claim", "label: ~"),
            ("label: claim", "label: null"),
            ("label: claim", "label:"),
            ("label: claim", "label: No"),
            ("label: claim", "label: 1e3"),
            ("label: claim", "label: -.INF"),
            ("label: claim", "label: 0xBEEF"),
            ("label: claim", "label: 12:30"),
            ("label: claim", "label: !!str claim"),
            ("label: claim", "label: &x claim\n  text: *x"),
            ("label: claim", "label: |\n    claim"),
            ("label: claim", "label: claim\n  label: claim"),
            ("label: claim", "label: claim\n  confidence: 0.5"),
            ("label: claim", "label: [claim]"),
            ("id: a1\n", ""),
            ("annotator: bob", "annotator: bob\nproject: x"),
            ("annotations:", "---\nannotations:"),
            ("format:", "%YAML 1.1\n---\nformat:"),
        ] {
            let y = base.replacen(from, to, 1);
            assert!(read(&y).is_none(), "{y}");
        }
        // Comments are no reason to leave the fast road.
        let y = base.replacen("label: claim", "label: claim # checked", 1);
        assert_eq!(read(&y), serde_road(&y));
        assert!(read(&y).is_some());
        // Hashes and file names that start with a digit are strings.
        let y = base.replacen("label: claim", "label: 1efd9a0b", 1);
        assert!(read(&y).is_some());
        let y = base.replacen("file: a.txt", "file: 001.txt", 1);
        assert!(read(&y).is_some());
    }

    /// Edits a person might make to a written sidecar, some of them wrong.
    const EDITS: &[&str] = &[
        "~",
        "null",
        "\"\"",
        "''",
        "01",
        "0x1F",
        "1e3",
        "-1",
        "yes",
        "No",
        "&a x",
        "*a",
        "!!str 5",
        "[a, b]",
        "{a: 1}",
        "|\n  x",
        "\"a\\tb\"",
        "'it''s'",
        "x # c",
        ".inf",
        "18446744073709551616",
        "true",
        "a: b",
        "- x",
        "\"\\u00e9\"",
        "x\n  y",
        "",
    ];

    fn edit(yaml: &str, line: usize, kind: usize, token: &str) -> String {
        let mut lines: Vec<String> = yaml.lines().map(str::to_string).collect();
        let i = line % lines.len();
        match kind % 6 {
            0 => {
                if let Some((key, _)) = lines[i].split_once(": ") {
                    lines[i] = format!("{key}: {token}");
                }
            }
            1 => {
                lines.remove(i);
            }
            2 => {
                let copy = lines[i].clone();
                lines.insert(i, copy);
            }
            3 => lines[i] = format!(" {}", lines[i]),
            4 => lines.insert(i, format!("  extra_{}: {token}", i % 3)),
            _ => lines.insert(i, format!("# {token}")),
        }
        lines.join("\n") + "\n"
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn both_roads_agree_on_written_sidecars(
            texts in prop::collection::vec("\\PC{0,12}|[\r\n\t \u{85}\u{2028}\u{feff}'\":#&*!|>%@`~0-9.+-]{0,8}", 1..6),
            numbers in prop::collection::vec(0usize..100_000, 1..4),
        ) {
            let y = sidecar(&texts, &numbers, None).to_yaml();
            let fast = read(&y);
            if fast.is_some() {
                prop_assert_eq!(fast, serde_road(&y));
            }
        }

        #[test]
        fn both_roads_agree_on_edited_sidecars(
            edits in prop::collection::vec((0usize..200, 0usize..6, 0usize..EDITS.len()), 1..4),
        ) {
            let base = sidecar(
                &["plain words".into(), "35".into(), "it's".into(), "ذبیح‌الله".into()],
                &[3, 40],
                Some(Status::Done),
            );
            let mut y = base.to_yaml();
            for (line, kind, token) in edits {
                y = edit(&y, line, kind, EDITS[token]);
            }
            if let Some(fast) = read(&y) {
                prop_assert_eq!(Some(fast), serde_road(&y), "{}", y);
            }
        }
    }
}
