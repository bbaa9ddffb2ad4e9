//! CSV, one row per span:
//! `document,id,label,start,end,offsets,text,claimant,note`.
//!
//! RFC 4180: records end with CRLF; a field is quoted when it holds a comma, a
//! quote, CR or LF, with quotes doubled. Quoting is a few lines, so no `csv`
//! crate. `offsets` names the unit of `start` and `end` on every row, so a
//! byte file and a code point file cannot be taken for one another.
//!
//! Documents without spans are left out, so `start` and `end` hold integers
//! in every row (pandas reads a column with one empty cell as float);
//! `all_documents` adds a row with only `document` for each of them.
//!
//! `excel`: a UTF-8 byte order mark (without it Excel reads the file as the
//! local code page) and every cell starting with `=`, `+`, `-`, `@`, a tab or
//! a carriage return prefixed with `'`, as OWASP advises against formula
//! injection; the prefix is part of the cell, so such a file is for people,
//! not for reading offsets back.

use std::io::{self, Write};

use super::{Corpus, DocWriter, ExportDoc, OffsetMap, OffsetUnit};

pub const HEADER: [&str; 9] = [
    "document", "id", "label", "start", "end", "offsets", "text", "claimant", "note",
];

/// One field, quoted when RFC 4180 requires it.
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A cell a spreadsheet would run as a formula, made inert (OWASP CSV
/// injection: prefix a single quote).
pub fn neutralise(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

fn push_record(out: &mut String, fields: &[&str], excel: bool) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if excel {
            out.push_str(&field(&neutralise(f)));
        } else {
            out.push_str(&field(f));
        }
    }
    out.push_str("\r\n");
}

/// Writes the header, then one row per span.
pub struct Writer {
    pub unit: OffsetUnit,
    pub all_documents: bool,
    pub excel: bool,
}

impl DocWriter for Writer {
    fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let mut head = String::new();
        if self.excel {
            head.push('\u{feff}');
        }
        push_record(&mut head, &HEADER, self.excel);
        out.write_all(head.as_bytes())
    }

    fn doc(&mut self, d: &ExportDoc, out: &mut dyn Write) -> io::Result<()> {
        let mut rows = String::new();
        if d.spans.is_empty() {
            if self.all_documents {
                push_record(
                    &mut rows,
                    &[&d.rel, "", "", "", "", "", "", "", ""],
                    self.excel,
                );
            }
            return out.write_all(rows.as_bytes());
        }
        let map = OffsetMap::new(&d.doc);
        for a in &d.spans {
            let start = map.from_codepoint(a.start, self.unit).to_string();
            let end = map.from_codepoint(a.end, self.unit).to_string();
            push_record(
                &mut rows,
                &[
                    &d.rel,
                    &a.id,
                    &a.label,
                    &start,
                    &end,
                    self.unit.name(),
                    d.span_text(a),
                    a.claimant.as_deref().unwrap_or(""),
                    a.note.as_deref().unwrap_or(""),
                ],
                self.excel,
            );
        }
        out.write_all(rows.as_bytes())
    }
}

pub fn render(corpus: &Corpus, unit: OffsetUnit, all_documents: bool, excel: bool) -> String {
    let mut w = Writer {
        unit,
        all_documents,
        excel,
    };
    super::render_with(&mut w, corpus).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(field("plain text"), "plain text");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"no\""), "\"say \"\"no\"\"\"");
        assert_eq!(field("two\r\nlines"), "\"two\r\nlines\"");
        assert_eq!(field("cr\ronly"), "\"cr\ronly\"");
    }

    #[test]
    fn formula_cells_are_neutralised() {
        for s in ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(s), format!("'{s}"));
        }
        assert_eq!(neutralise("plain = text"), "plain = text");
    }
}
