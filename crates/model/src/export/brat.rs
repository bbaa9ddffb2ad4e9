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

use super::{Corpus, ExportDoc};
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
/// Gives each document a unique stem, in document order.
#[derive(Debug, Default)]
pub struct Stems {
    used: BTreeSet<String>,
}

impl Stems {
    pub fn next(&mut self, rel: &str) -> String {
        let base = stem_for(rel);
        let mut stem = base.clone();
        let mut n = 2;
        while !self.used.insert(stem.to_lowercase()) {
            stem = format!("{base}~{n}");
            n += 1;
        }
        stem
    }
}

/// annotation.conf: the scheme's labels and relations, then the labels and
/// relations used in the data but missing from the scheme (sorted), so brat
/// shows every one.
pub fn conf(
    scheme: &Scheme,
    extra_labels: &BTreeSet<String>,
    extra_rels: &BTreeSet<String>,
) -> String {
    let mut out = String::from("[entities]\n");
    for l in scheme
        .label_names()
        .chain(extra_labels.iter().map(String::as_str))
    {
        out.push_str(&type_name(l));
        out.push('\n');
    }
    out.push_str("\n[relations]\n");
    for r in &scheme.relations {
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
    let extra: BTreeSet<String> = extra_rels.iter().map(|r| type_name(r)).collect();
    for rel in extra {
        out.push_str(&format!("{rel}\tArg1:<ENTITY>, Arg2:<ENTITY>\n"));
    }
    out.push_str("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n");
    out.push_str("\n[events]\n\n[attributes]\n");
    out
}

/// Writes `<stem>.txt` and `<stem>.ann` per document, then annotation.conf.
pub struct FolderWriter<'a> {
    scheme: &'a Scheme,
    stems: Stems,
    extra_labels: BTreeSet<String>,
    extra_rels: BTreeSet<String>,
    breaks_only: usize,
    flattened: usize,
}

/// Where a folder export puts one file: `(name, content)`.
pub type PutFile<'p> = dyn FnMut(&str, &[u8]) -> std::io::Result<()> + 'p;

impl<'a> FolderWriter<'a> {
    pub fn new(scheme: &'a Scheme) -> FolderWriter<'a> {
        FolderWriter {
            scheme,
            stems: Stems::default(),
            extra_labels: BTreeSet::new(),
            extra_rels: BTreeSet::new(),
            breaks_only: 0,
            flattened: 0,
        }
    }

    /// Keeps the labels and relations of `d` the scheme does not name.
    fn note_names(&mut self, d: &ExportDoc) {
        for a in &d.spans {
            if self.scheme.label(&a.label).is_none() {
                self.extra_labels.insert(a.label.clone());
            }
        }
        let known = |rel: &str| self.scheme.relations.iter().any(|r| r.name == rel);
        let unknown: Vec<String> = d
            .relations()
            .into_iter()
            .filter(|(_, _, rel)| !known(rel))
            .map(|(_, _, rel)| rel.to_string())
            .collect();
        self.extra_rels.extend(unknown);
    }

    pub fn doc(&mut self, d: &ExportDoc, put: &mut PutFile) -> std::io::Result<()> {
        self.note_names(d);
        let stem = self.stems.next(&d.rel);
        let mut ann = String::new();
        let mut tid = std::collections::BTreeMap::new();
        let mut next_t = 1;
        for a in &d.spans {
            let frags = fragments(&d.doc, a.start, a.end);
            if frags.is_empty() {
                self.breaks_only += 1;
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
                self.flattened += usize::from(changed);
                ann.push_str(&format!("#{note_no}\tAnnotatorNotes {t}\t{field}\n"));
                note_no += 1;
            }
        }
        put(&format!("{stem}.txt"), d.doc.text().as_bytes())?;
        put(&format!("{stem}.ann"), ann.as_bytes())
    }

    /// Writes annotation.conf; returns the notes for stderr.
    pub fn finish(self, put: &mut PutFile) -> std::io::Result<Vec<String>> {
        put(
            CONF_FILE,
            conf(self.scheme, &self.extra_labels, &self.extra_rels).as_bytes(),
        )?;
        let mut notes = Vec::new();
        if self.breaks_only > 0 {
            notes.push(format!(
                "brat: {} span(s) hold only line breaks, which brat cannot mark; not written",
                self.breaks_only
            ));
        }
        if self.flattened > 0 {
            notes.push(format!(
                "brat: {} note(s) or claimant(s) had line breaks, written as spaces (an .ann line cannot hold them)",
                self.flattened
            ));
        }
        Ok(notes)
    }
}

pub fn render(corpus: &Corpus, scheme: &Scheme) -> (Vec<(String, String)>, Vec<String>) {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut put = |name: &str, content: &[u8]| {
        files.push((
            name.to_string(),
            String::from_utf8_lossy(content).into_owned(),
        ));
        Ok(())
    };
    let mut w = FolderWriter::new(scheme);
    for d in &corpus.docs {
        // Writing into memory cannot fail.
        let _ = w.doc(d, &mut put);
    }
    let notes = w.finish(&mut put).unwrap_or_default();
    // annotation.conf first, as a reader lists it.
    files.rotate_right(1);
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
