//! The fast road for writing a sidecar: the block layout, written directly,
//! byte for byte what serde-saphyr writes with [`super::write_options`].
//! Making each sidecar's YAML through serde-saphyr was a fifth of import's
//! processor time (issue 14): it checks every string against each of its
//! quoting rules in turn.
//!
//! Each string is written plain or double-quoted by serde-saphyr's rules for
//! a value in block style (`is_plain_value_safe`, `escape_double_quoted`).
//! Its ambiguity rules (YAML 1.1 numbers, booleans and timestamps) are taken
//! exactly where a string cannot be one; a string that might be one that is
//! not plainly so (`0x1F`, `1_000`, `2022-02-03`, `+.inf`), or keys this
//! version does not know (kept and written back), returns `None`, and the
//! whole sidecar goes through serde-saphyr. Tests compare the two on random
//! sidecars and strings.

use super::special_bytes::{any_stop, escaped_at, next_stop, stops};
use super::{Annotation, FORMAT, Sidecar, Status, sorted_links};

/// The sidecar's YAML, or `None` where serde-saphyr must write it.
pub(super) fn write(sidecar: &Sidecar) -> Option<String> {
    if !sidecar.extra.is_empty() || !sidecar.source.extra.is_empty() {
        return None;
    }
    let mut anns: Vec<&Annotation> = sidecar.annotations.iter().collect();
    anns.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let text_bytes: usize = anns
        .iter()
        .map(|a| a.text.len() + a.prefix.len() + a.suffix.len())
        .sum();
    let mut out = Out(String::with_capacity(256 + anns.len() * 160 + text_bytes));
    out.string("", "format", FORMAT)?;
    out.key("", "source");
    out.string("  ", "file", &sidecar.source.file)?;
    out.string("  ", "sha256", &sidecar.source.sha256)?;
    out.number("  ", "chars", sidecar.source.chars as u64);
    out.string("", "annotator", &sidecar.annotator)?;
    out.string("", "updated", &sidecar.updated)?;
    out.number("", "next_id", sidecar.next_id);
    if let Some(status) = sidecar.status {
        out.string("", "status", Status::as_str(status))?;
    }
    if anns.is_empty() {
        out.0.push_str("annotations: []\n");
    } else {
        out.key("", "annotations");
        for a in anns {
            out.annotation(a)?;
        }
    }
    Some(out.0)
}

struct Out(String);

impl Out {
    /// `key:` opening a nested block.
    fn key(&mut self, indent: &str, key: &str) {
        self.0.push_str(indent);
        self.0.push_str(key);
        self.0.push_str(":\n");
    }

    fn number(&mut self, indent: &str, key: &str, n: u64) {
        use std::fmt::Write;
        let _ = writeln!(self.0, "{indent}{key}: {n}");
    }

    fn string(&mut self, indent: &str, key: &str, value: &str) -> Option<()> {
        self.0.push_str(indent);
        self.0.push_str(key);
        self.0.push_str(": ");
        scalar(&mut self.0, value)?;
        self.0.push('\n');
        Some(())
    }

    fn annotation(&mut self, a: &Annotation) -> Option<()> {
        if !a.extra.is_empty() {
            return None;
        }
        self.string("- ", "id", &a.id)?;
        self.string("  ", "label", &a.label)?;
        self.number("  ", "start", a.start as u64);
        self.number("  ", "end", a.end as u64);
        self.string("  ", "text", &a.text)?;
        self.string("  ", "prefix", &a.prefix)?;
        self.string("  ", "suffix", &a.suffix)?;
        if let Some(claimant) = &a.claimant {
            self.string("  ", "claimant", claimant)?;
        }
        if !a.links.is_empty() {
            self.key("  ", "links");
            for link in sorted_links(&a.links) {
                self.string("  - ", "rel", &link.rel)?;
                self.string("    ", "to", &link.to)?;
            }
        }
        if let Some(note) = &a.note {
            self.string("  ", "note", note)?;
        }
        self.string("  ", "created", &a.created)?;
        if let Some(from) = &a.from {
            self.string("  ", "from", from)?;
        }
        if a.orphan {
            self.0.push_str("  orphan: true\n");
        }
        Some(())
    }
}

/// Writes a string value as serde-saphyr does, or `None` where unsure.
fn scalar(out: &mut String, s: &str) -> Option<()> {
    // serde-saphyr single-quotes these three alone.
    if matches!(s, "." | "#" | "-") {
        out.push('\'');
        out.push_str(s);
        out.push('\'');
        return Some(());
    }
    if plain_but_for_ambiguity(s) && !ambiguous(s)? {
        out.push_str(s);
    } else {
        out.push('"');
        escape_double_quoted(out, s);
        out.push('"');
    }
    Some(())
}

/// serde-saphyr's `is_plain_value_safe` (block style) without its
/// ambiguity check: false means the string is double-quoted.
fn plain_but_for_ambiguity(s: &str) -> bool {
    let bytes = s.as_bytes();
    let document_marker = (s.starts_with("---") || s.starts_with("..."))
        && bytes.get(3).is_none_or(u8::is_ascii_whitespace);
    if document_marker
        || bytes.first().is_some_and(u8::is_ascii_whitespace)
        || bytes.last().is_some_and(u8::is_ascii_whitespace)
    {
        return false;
    }
    match bytes {
        [b'-' | b'?', b1, ..] if b1.is_ascii_whitespace() => return false,
        [b'-' | b'?']
        | [
            b',' | b':' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>'
            | b'\'' | b'"' | b'%' | b'@' | b'`',
            ..,
        ] => return false,
        _ => {}
    }
    // `trim_end` as `trim` there: trimming the start changes no end.
    if s.contains(": ") || s.trim_end().ends_with(':') {
        return false;
    }
    // No character that must be escaped, and no `#` after whitespace (a
    // comment in a plain scalar). Bytes, not characters, and only those
    // that may matter: this and the escaping were most of writing a
    // sidecar character by character.
    !any_stop(&NOTABLE, bytes, |at| {
        escaped_at(bytes, at).is_some()
            || (bytes[at] == b'#' && s[..at].chars().next_back().is_some_and(char::is_whitespace))
    })
}

/// Bytes the plain check or the escaping must look at: besides those of
/// characters to escape, `"`, `#` and `\\`.
static NOTABLE: [bool; 256] = stops(b"\"#\\");

/// serde-saphyr's `is_ambiguous` for YAML 1.1 output: whether a reader might
/// take the string for a null, a boolean, a number or a timestamp. `None`
/// where that is not plain at a glance; the whole sidecar then goes through
/// serde-saphyr.
fn ambiguous(s: &str) -> Option<bool> {
    const WORDS: &[&str] = &[
        "null", "true", "false", "nan", "inf", "yes", "y", "on", "no", "n", "off",
    ];
    let bytes = s.as_bytes();
    let Some(first) = bytes.first() else {
        return Some(true);
    };
    // Numbers start with one of these, timestamps with a digit; the words
    // are at most five bytes.
    if !matches!(first, b'0'..=b'9' | b'+' | b'-' | b'.' | b'_') {
        return Some(
            bytes.len() <= 5
                && (matches!(s, "~" | "<<" | "=")
                    || WORDS.iter().any(|w| w.eq_ignore_ascii_case(s))),
        );
    }
    if bytes.iter().all(u8::is_ascii_digit) || is_utc_timestamp(bytes) {
        return Some(true);
    }
    let might_be_a_timestamp =
        bytes.len() > 4 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-';
    if might_be_a_timestamp || might_be_a_number(bytes) {
        return None;
    }
    Some(false)
}

/// `2026-11-30T10:00:00Z`, as claimtag writes times.
fn is_utc_timestamp(b: &[u8]) -> bool {
    const SHAPE: &[u8; 20] = b"dddd-dd-ddTdd:dd:ddZ";
    b.len() == SHAPE.len()
        && b.iter().zip(SHAPE).all(|(c, s)| {
            if *s == b'd' {
                c.is_ascii_digit()
            } else {
                c == s
            }
        })
}

/// Whether the bytes could be a YAML 1.1 number in serde-saphyr's reckoning,
/// underscores taken out as it does: `.inf` or `.nan`, a radix form, or
/// digits with `.`, `:`, an exponent and signs. Errs on the side of yes.
fn might_be_a_number(bytes: &[u8]) -> bool {
    let mut digits = bytes.iter().copied().filter(|&c| c != b'_').peekable();
    if matches!(digits.peek(), Some(b'+' | b'-')) {
        digits.next();
    }
    let unsigned: Vec<u8> = digits.collect();
    if unsigned.len() <= 4 {
        return true;
    }
    if let [b'0', b'x' | b'X' | b'b' | b'B' | b'o' | b'O', rest @ ..] = unsigned.as_slice() {
        return rest
            .iter()
            .all(|c| c.is_ascii_hexdigit() || matches!(c, b'+' | b'-'));
    }
    unsigned
        .iter()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b':' | b'e' | b'E' | b'+' | b'-'))
}

/// serde-saphyr's `escape_double_quoted`: the inside of a double-quoted
/// scalar.
fn escape_double_quoted(out: &mut String, s: &str) {
    use std::fmt::Write;
    let bytes = s.as_bytes();
    let mut plain_from = 0;
    let mut at = 0;
    while let Some(skip) = next_stop(&NOTABLE, &bytes[at..]) {
        at += skip;
        let (c, len) = match bytes[at] {
            b @ (b'\\' | b'"') => (char::from(b), 1),
            _ => match escaped_at(bytes, at) {
                Some(found) => found,
                None => {
                    at += 1;
                    continue;
                }
            },
        };
        out.push_str(&s[plain_from..at]);
        at += len;
        plain_from = at;
        let named = match c {
            '\\' => "\\\\",
            '"' => "\\\"",
            '\0' => "\\0",
            '\u{7}' => "\\a",
            '\u{8}' => "\\b",
            '\t' => "\\t",
            '\n' => "\\n",
            '\u{b}' => "\\v",
            '\u{c}' => "\\f",
            '\r' => "\\r",
            '\u{1b}' => "\\e",
            '\u{FEFF}' => "\\uFEFF",
            '\u{0085}' => "\\N",
            '\u{2028}' => "\\L",
            '\u{2029}' => "\\P",
            _ => "",
        };
        if !named.is_empty() {
            out.push_str(named);
        } else if (c as u32) <= 0xFF {
            // The other controls up to U+00FF (C0, DEL, C1) as \xNN.
            let _ = write!(out, "\\x{:02X}", c as u32);
        } else {
            let _ = write!(out, "\\u{:04X}", c as u32);
        }
    }
    out.push_str(&s[plain_from..]);
}
#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::roads::{sample_sidecars, sidecar};
    use super::*;

    /// What this road writes is what serde-saphyr writes.
    fn assert_same(s: &Sidecar) -> bool {
        let fast = write(s);
        if let Some(fast) = &fast {
            assert_eq!(fast, &s.to_yaml_through_serde());
        }
        fast.is_some()
    }

    #[test]
    fn the_sample_sidecars_are_written_as_they_are() {
        for (path, yaml) in sample_sidecars() {
            let s = Sidecar::parse(&path, &yaml).unwrap();
            assert_eq!(
                write(&s).as_deref(),
                Some(yaml.as_str()),
                "{}",
                path.display()
            );
        }
    }

    #[test]
    fn strings_serde_saphyr_writes_otherwise_take_its_road() {
        let tricky = [
            "",
            "~",
            "<<",
            "=",
            "null",
            "NULL",
            "True",
            "no",
            "Y",
            "off",
            "On",
            "nan",
            "inf",
            "+inf",
            "-.inf",
            ".NaN",
            ".",
            "#",
            "-",
            "?",
            "- a",
            "? b",
            "--- x",
            "...",
            "---x",
            "a: b",
            "a:",
            "a:\u{3000}",
            "a #b",
            "a#b",
            "a\u{3000}#b",
            " a",
            "a ",
            "\ta",
            "0",
            "007",
            "1_000",
            "_1",
            "0x1F",
            "0b+1",
            "0o7",
            "1e5",
            "1.5",
            "12:30",
            "190:20:30",
            "2022-02-03",
            "2022-02-03 10:00:00",
            "2026-11-30T10:00:00Z",
            "1efd9a0b",
            "0123456789abcdef",
            "001.txt",
            "3 people",
            "12e",
            "1.2.3",
            "'quoted'",
            "\"double\"",
            "%x",
            "@x",
            "`x",
            "|x",
            ">x",
            "!x",
            "*x",
            "&x",
            "[x]",
            "{x}",
            ",x",
            "x,y",
            "\u{85}",
            "\u{2028}",
            "\u{feff}x",
            "\u{7f}",
            "\u{9f}",
            "\u{fffe}",
            "\u{ffff}",
            "a\\b",
            "a\"b",
            "line\nnext",
            "cr\r\nlf",
            "\u{0}\u{1b}",
            "ذبیح‌الله مجاهد",
            "👩🏽‍⚕️",
            "é",
            "中文",
        ];
        let texts: Vec<String> = tricky.iter().map(|t| t.to_string()).collect();
        for chunk in texts.chunks(4) {
            assert_same(&sidecar(chunk, &[0, 9], Some(Status::Done)));
        }
        // One of each shape in a field the writer is sure of.
        let mut s = sidecar(&["x".into()], &[1], None);
        for t in &texts {
            s.annotator = t.clone();
            assert_same(&s);
        }
    }

    #[test]
    fn keys_this_version_does_not_know_take_serde_saphyrs_road() {
        let mut s = sidecar(&["plain".into()], &[1], None);
        assert!(write(&s).is_some());
        s.annotations[0]
            .extra
            .insert("colour".into(), serde_json::json!("red"));
        assert_eq!(write(&s), None);
        assert!(s.to_yaml().contains("colour: red"));
    }

    #[test]
    fn no_annotations_at_all() {
        assert!(assert_same(&sidecar(&[], &[3], None)));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn this_road_writes_what_serde_saphyr_writes(
            texts in prop::collection::vec(
                "\\PC{0,12}|[\r\n\t \u{85}\u{a0}\u{2028}\u{3000}\u{feff}\u{fffe}'\":#&*!|>%@`~?,_0-9a-fxXoObBeE.+-]{0,8}",
                1..6,
            ),
            numbers in prop::collection::vec(0usize..100_000, 1..4),
        ) {
            assert_same(&sidecar(&texts, &numbers, None));
        }

        #[test]
        fn what_an_analyst_writes_takes_this_road(
            texts in prop::collection::vec(
                "(\\p{L}[\\p{L}\\p{N}\\p{M} ,.;:!?()'\"$%&#/\u{200c}\u{200d}\n-]{0,40})?",
                1..6,
            ),
            numbers in prop::collection::vec(0usize..100_000, 1..4),
        ) {
            prop_assert!(assert_same(&sidecar(&texts, &numbers, Some(Status::Done))));
        }
    }
}
