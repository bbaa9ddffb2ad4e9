//! brat standoff: per document `<stem>.txt` (the decoded text, exactly what the
//! offsets count) and `<stem>.ann`, plus one `annotation.conf`.
//!
//! - `T1<TAB>claim 12 40<TAB>text`: offsets are code points of the .txt. brat
//!   reads the .ann with Python's `str.splitlines`, and checks that the text
//!   field is the fragments' texts joined by a space, so a fragment never
//!   holds a character `splitlines` breaks on: a span is split into
//!   fragments `s e;s e` at every such character, and line breaks at its
//!   ends are left out (a span of line breaks only is not written, and
//!   counted). Import joins fragments separated only by line breaks again.
//! - `R1<TAB>denies Arg1:T2 Arg2:T1`: T2 denies T1.
//! - `#1<TAB>AnnotatorNotes T1<TAB>note`, as brat shows it: the note as it
//!   is, or `claimant: X` / `claimant: X | note: Y` when there is a claimant.
//!   Line breaks, which a line cannot hold, become spaces (counted).
//! - annotation.conf allows any entity to overlap any other (`<OVERLAP>`), as
//!   claimtag does.
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

/// Code point fragments of `[start, end)`: the runs between characters
/// `str.splitlines` breaks on. Empty when the span holds nothing else; an
/// empty span is one empty fragment.
pub fn fragments(doc: &Document, start: usize, end: usize) -> Vec<(usize, usize)> {
    let Some(text) = doc.slice_chars(start, end) else {
        return vec![(start, end)];
    };
    if start == end {
        return vec![(start, end)];
    }
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut run: Option<usize> = None;
    for (i, c) in (start..).zip(text.chars()) {
        match (is_python_line_break(c), run) {
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
    out
}

/// The text field for fragments: their texts joined by a space, as brat
/// compares it.
pub fn text_field(doc: &Document, frags: &[(usize, usize)]) -> String {
    frags
        .iter()
        .map(|&(s, e)| doc.slice_chars(s, e).unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A note as one .ann line can hold it: line breaks become spaces. Returns
/// whether anything was replaced.
pub fn one_line(s: &str) -> (String, bool) {
    let mut changed = false;
    let out = s
        .chars()
        .map(|c| {
            if is_python_line_break(c) {
                changed = true;
                ' '
            } else {
                c
            }
        })
        .collect();
    (out, changed)
}

const CLAIMANT: &str = "claimant: ";
const NOTE_AFTER_CLAIMANT: &str = " | note: ";

/// The AnnotatorNotes field: the note as it is; with a claimant,
/// `claimant: X` or `claimant: X | note: Y`. None when both are absent.
pub fn notes_field(claimant: Option<&str>, note: Option<&str>) -> Option<String> {
    match (claimant, note) {
        (None, None) => None,
        (None, Some(n)) => Some(n.to_string()),
        (Some(c), None) => Some(format!("{CLAIMANT}{c}")),
        (Some(c), Some(n)) => Some(format!("{CLAIMANT}{c}{NOTE_AFTER_CLAIMANT}{n}")),
    }
}

/// Reads a notes field back into (claimant, note): the inverse of
/// [`notes_field`]; any other note is the note, whole.
pub fn parse_notes(field: &str) -> (Option<String>, Option<String>) {
    match field.strip_prefix(CLAIMANT) {
        None => (None, Some(field.to_string())),
        Some(rest) => match rest.split_once(NOTE_AFTER_CLAIMANT) {
            Some((c, n)) => (Some(c.to_string()), Some(n.to_string())),
            None => (Some(rest.to_string()), None),
        },
    }
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
    // claimtag lets spans nest and cross whatever their labels; without this
    // brat's verifier reports every such pair ("claim cannot contain claim").
    out.push_str("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n");
    out.push_str("\n[events]\n\n[attributes]\n");
    out
}

/// Files of the brat export (annotation.conf, then `.txt` and `.ann` per
/// document) and notes for stderr about what brat could not hold.
pub fn render(corpus: &Corpus, scheme: &Scheme) -> (Vec<(String, String)>, Vec<String>) {
    let mut files = vec![(CONF_FILE.to_string(), annotation_conf(corpus, scheme))];
    let mut breaks_only = 0usize;
    let mut flattened = 0usize;
    for (d, stem) in corpus.docs.iter().zip(stems(corpus)) {
        let mut ann = String::new();
        let mut tid = std::collections::BTreeMap::new();
        let mut next_t = 1;
        for a in &d.spans {
            let frags = fragments(&d.doc, a.start, a.end);
            if frags.is_empty() {
                breaks_only += 1;
                continue;
            }
            let t = format!("T{next_t}");
            next_t += 1;
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
                let (field, changed) = one_line(&field);
                flattened += usize::from(changed);
                ann.push_str(&format!("#{note_no}\tAnnotatorNotes {t}\t{field}\n"));
                note_no += 1;
            }
        }
        files.push((format!("{stem}.txt"), d.doc.text().to_string()));
        files.push((format!("{stem}.ann"), ann));
    }
    let mut notes = Vec::new();
    if breaks_only > 0 {
        notes.push(format!(
            "brat: {breaks_only} span(s) hold only line breaks, which brat cannot mark; not written"
        ));
    }
    if flattened > 0 {
        notes.push(format!(
            "brat: {flattened} note(s) or claimant(s) had line breaks, written as spaces (an .ann line cannot hold them)"
        ));
    }
    (files, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> Document {
        Document::from_string(s.to_string())
    }

    #[test]
    fn spans_are_split_at_every_python_line_break_and_trimmed() {
        let d = doc("ab\r\ncd\nef\u{2028}g\u{85}h\u{c}i\u{1c}j");
        assert_eq!(fragments(&d, 0, 6), vec![(0, 2), (4, 6)]);
        assert_eq!(text_field(&d, &fragments(&d, 0, 6)), "ab cd");
        assert_eq!(fragments(&d, 1, 9), vec![(1, 2), (4, 6), (7, 9)]);
        assert_eq!(
            fragments(&d, 7, 16),
            vec![(7, 9), (10, 11), (12, 13), (14, 15)]
        );
        // line breaks at a span's ends are left out
        assert_eq!(fragments(&d, 2, 6), vec![(4, 6)]);
        assert_eq!(fragments(&d, 4, 7), vec![(4, 6)]);
        assert_eq!(fragments(&d, 2, 4), Vec::<(usize, usize)>::new());
        assert_eq!(fragments(&d, 3, 3), vec![(3, 3)]);
    }

    #[test]
    fn notes_round_trip_as_brat_shows_them() {
        for (c, n) in [
            (Some("Zabihullah | Mujahid"), Some("a\\b c\td | e ")),
            (None, Some(" lead | with \\| bars")),
            (Some("x"), None),
            (Some(""), Some("")),
        ] {
            let f = notes_field(c, n).unwrap();
            let (c2, n2) = parse_notes(&f);
            assert_eq!((c2.as_deref(), n2.as_deref()), (c, n), "{f}");
        }
        assert_eq!(
            notes_field(None, Some("checked\tby hand")).unwrap(),
            "checked\tby hand"
        );
        assert_eq!(
            parse_notes("checked by hand"),
            (None, Some("checked by hand".into()))
        );
        assert_eq!(one_line("a\nb\u{2028}c"), ("a b c".to_string(), true));
    }

    #[test]
    fn stems_are_flat_safe_and_unique() {
        assert_eq!(stem_for("sub/dir/a b.txt"), "sub__dir__a_b");
        assert_eq!(stem_for(".hidden.md"), "_.hidden.md");
        assert_eq!(stem_for("../x.txt"), "_..__x");
    }
}
