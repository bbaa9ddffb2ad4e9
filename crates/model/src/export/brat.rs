//! brat standoff: per document `<stem>.txt` (the decoded text, exactly what the
//! offsets count) and `<stem>.ann`, plus one `annotation.conf`.
//!
//! - `T1<TAB>claim 12 40<TAB>text`: offsets are code points of the .txt. The
//!   .ann is line-oriented, so a span crossing a line break is written as brat
//!   writes it: discontinuous fragments `s e;s e` split at the break, and the
//!   text field is the fragments' texts joined by a space. A span that begins
//!   or ends with a line break keeps it inside its first / last fragment, so
//!   the first start and last end are always the span's own (exact round trip).
//!   Any character Python's `str.splitlines` breaks on is a space in the text
//!   field.
//! - `R1<TAB>denies Arg1:T2 Arg2:T1`: T2 denies T1.
//! - `#1<TAB>AnnotatorNotes T1<TAB>claimant: X | note: Y`, with `\`, `|`, tab
//!   and line breaks escaped (`\\`, `\|`, `\t`, `\n`, `\r`, `\u{2028}`).
//!
//! Stems are the relative path with `/` replaced by `__`, `.txt` dropped,
//! unsafe characters replaced by `_`, made unique with `~2`, `~3`, ….

use std::collections::BTreeSet;

use super::Corpus;
use crate::scheme::Scheme;
use crate::text::Document;

pub const CONF_FILE: &str = "annotation.conf";

/// Characters Python's `str.splitlines` treats as line boundaries.
pub fn is_python_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\u{0b}'
            | '\u{0c}'
            | '\u{1c}'
            | '\u{1d}'
            | '\u{1e}'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// A brat type name: no whitespace (it separates the fields of a line).
pub fn type_name(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect()
}

/// Code point fragments of `[start, end)` split at `\n` and `\r`.
pub fn fragments(doc: &Document, start: usize, end: usize) -> Vec<(usize, usize)> {
    let Some(text) = doc.slice_chars(start, end) else {
        return vec![(start, end)];
    };
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut run: Option<usize> = None;
    for (i, c) in (start..).zip(text.chars()) {
        let brk = c == '\n' || c == '\r';
        match (brk, run) {
            (true, Some(s)) => {
                out.push((s, i));
                run = None;
            }
            (false, None) => run = Some(i),
            _ => {}
        }
    }
    if let Some(s) = run {
        out.push((s, end));
    }
    // Leading / trailing breaks stay inside the outer fragments.
    match out.first_mut() {
        None => return vec![(start, end)],
        Some(first) => first.0 = start,
    }
    if let Some(last) = out.last_mut() {
        last.1 = end;
    }
    out
}

/// The text field for fragments: their texts joined by a space, line breaks
/// as spaces.
pub fn text_field(doc: &Document, frags: &[(usize, usize)]) -> String {
    frags
        .iter()
        .map(|&(s, e)| {
            doc.slice_chars(s, e)
                .unwrap_or("")
                .chars()
                .map(|c| if is_python_line_break(c) { ' ' } else { c })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn escape_note(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_python_line_break(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Splits an AnnotatorNotes field at unescaped `|` and unescapes each part.
pub fn split_notes(s: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let cur = parts.last_mut();
        let Some(cur) = cur else { break };
        match c {
            '|' => parts.push(String::new()),
            '\\' => match chars.next() {
                Some('n') => cur.push('\n'),
                Some('r') => cur.push('\r'),
                Some('t') => cur.push('\t'),
                Some('u') if chars.peek() == Some(&'{') => {
                    chars.next();
                    let hex: String = chars.by_ref().take_while(|&c| c != '}').collect();
                    if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        cur.push(ch);
                    }
                }
                Some(other) => cur.push(other),
                None => cur.push('\\'),
            },
            c => cur.push(c),
        }
    }
    let n = parts.len();
    parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            // Parts are joined by " | ": drop exactly that padding.
            let p = if i > 0 {
                p.strip_prefix(' ').map(str::to_string).unwrap_or(p)
            } else {
                p
            };
            if i + 1 < n {
                p.strip_suffix(' ').map(str::to_string).unwrap_or(p)
            } else {
                p
            }
        })
        .collect()
}

/// `claimant: X | note: Y` (either may be absent), or None when both are.
pub fn notes_field(claimant: Option<&str>, note: Option<&str>) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(c) = claimant {
        parts.push(format!("claimant: {}", escape_note(c)));
    }
    if let Some(n) = note {
        parts.push(format!("note: {}", escape_note(n)));
    }
    (!parts.is_empty()).then(|| parts.join(" | "))
}

/// Reads a notes field back into (claimant, note). Notes not written by
/// claimtag become the note, whole.
pub fn parse_notes(field: &str) -> (Option<String>, Option<String>) {
    let parts = split_notes(field);
    let mut claimant = None;
    let mut note = None;
    for p in &parts {
        if let Some(c) = p.strip_prefix("claimant: ") {
            claimant = Some(c.to_string());
        } else if let Some(n) = p.strip_prefix("note: ") {
            note = Some(n.to_string());
        } else {
            return (None, Some(field.to_string()));
        }
    }
    (claimant, note)
}

/// A file stem safe in any folder: `sub/a.txt` becomes `sub__a`.
pub fn stem_for(rel: &str) -> String {
    let base = rel.strip_suffix(".txt").unwrap_or(rel).replace('/', "__");
    let mut s: String = base
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '~') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with('.') {
        s.insert(0, '_');
    }
    s
}

/// Unique stems, in document order.
pub fn stems(corpus: &Corpus) -> Vec<String> {
    let mut used = BTreeSet::new();
    corpus
        .docs
        .iter()
        .map(|d| {
            let base = stem_for(&d.rel);
            let mut stem = base.clone();
            let mut n = 2;
            // Case-insensitive file systems would merge stems differing in case.
            while !used.insert(stem.to_lowercase()) {
                stem = format!("{base}~{n}");
                n += 1;
            }
            stem
        })
        .collect()
}

/// The label scheme as brat's annotation.conf.
pub fn annotation_conf(corpus: &Corpus, scheme: &Scheme) -> String {
    let mut out = String::from("[entities]\n");
    for l in corpus.labels(scheme) {
        out.push_str(&type_name(&l));
        out.push('\n');
    }
    out.push_str("\n[relations]\n");
    let mut known = BTreeSet::new();
    for r in &scheme.relations {
        known.insert(r.name.clone());
        let args = |ls: &[String]| {
            ls.iter()
                .map(|l| type_name(l))
                .collect::<Vec<_>>()
                .join("|")
        };
        out.push_str(&format!(
            "{}\tArg1:{}, Arg2:{}\n",
            type_name(&r.name),
            args(&r.from),
            args(&r.to)
        ));
    }
    // Relations used in the data but unknown to the scheme may join any entities.
    let mut extra = BTreeSet::new();
    for d in &corpus.docs {
        for (_, _, rel) in d.relations() {
            if !known.contains(rel) {
                extra.insert(type_name(rel));
            }
        }
    }
    for rel in extra {
        out.push_str(&format!("{rel}\tArg1:<ENTITY>, Arg2:<ENTITY>\n"));
    }
    out.push_str("\n[events]\n\n[attributes]\n");
    out
}

/// Files of the brat export: annotation.conf, then `.txt` and `.ann` per document.
pub fn render(corpus: &Corpus, scheme: &Scheme) -> Vec<(String, String)> {
    let mut files = vec![(CONF_FILE.to_string(), annotation_conf(corpus, scheme))];
    for (d, stem) in corpus.docs.iter().zip(stems(corpus)) {
        let mut ann = String::new();
        let mut tid = std::collections::BTreeMap::new();
        for (i, a) in d.spans.iter().enumerate() {
            let t = format!("T{}", i + 1);
            let frags = fragments(&d.doc, a.start, a.end);
            let offsets = frags
                .iter()
                .map(|(s, e)| format!("{s} {e}"))
                .collect::<Vec<_>>()
                .join(";");
            ann.push_str(&format!(
                "{t}\t{} {offsets}\t{}\n",
                type_name(&a.label),
                text_field(&d.doc, &frags)
            ));
            tid.insert(a.id.as_str(), t);
        }
        for (i, (from, to, rel)) in d.relations().into_iter().enumerate() {
            if let (Some(f), Some(t)) = (tid.get(from), tid.get(to)) {
                ann.push_str(&format!(
                    "R{}\t{} Arg1:{f} Arg2:{t}\n",
                    i + 1,
                    type_name(rel)
                ));
            }
        }
        let mut note_no = 1;
        for a in &d.spans {
            if let (Some(field), Some(t)) = (
                notes_field(a.claimant.as_deref(), a.note.as_deref()),
                tid.get(a.id.as_str()),
            ) {
                ann.push_str(&format!("#{note_no}\tAnnotatorNotes {t}\t{field}\n"));
                note_no += 1;
            }
        }
        files.push((format!("{stem}.txt"), d.doc.text().to_string()));
        files.push((format!("{stem}.ann"), ann));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> Document {
        Document::from_string(s.to_string())
    }

    #[test]
    fn spans_across_lines_become_fragments() {
        let d = doc("ab\r\ncd\nef");
        assert_eq!(fragments(&d, 0, 6), vec![(0, 2), (4, 6)]);
        assert_eq!(text_field(&d, &fragments(&d, 0, 6)), "ab cd");
        assert_eq!(fragments(&d, 1, 9), vec![(1, 2), (4, 6), (7, 9)]);
        // a span beginning or ending with a break keeps its exact ends
        assert_eq!(fragments(&d, 2, 6), vec![(2, 6)]);
        assert_eq!(fragments(&d, 4, 7), vec![(4, 7)]);
        assert_eq!(fragments(&d, 2, 4), vec![(2, 4)]);
        assert_eq!(text_field(&d, &[(2, 4)]), "  ");
    }

    #[test]
    fn notes_round_trip() {
        for (c, n) in [
            (Some("Zabihullah | Mujahid"), Some("a\\b\nc\td\u{2028}e ")),
            (None, Some(" lead")),
            (Some("x"), None),
            (Some(""), Some("")),
        ] {
            let f = notes_field(c, n).unwrap();
            assert!(!f.contains(['\n', '\r', '\t', '\u{2028}']), "{f}");
            let (c2, n2) = parse_notes(&f);
            assert_eq!((c2.as_deref(), n2.as_deref()), (c, n), "{f}");
        }
        assert_eq!(
            parse_notes("checked by hand"),
            (None, Some("checked by hand".into()))
        );
    }

    #[test]
    fn stems_are_flat_safe_and_unique() {
        assert_eq!(stem_for("sub/dir/a b.txt"), "sub__dir__a_b");
        assert_eq!(stem_for(".hidden.md"), "_.hidden.md");
        assert_eq!(stem_for("../x.txt"), "_..__x");
    }
}
