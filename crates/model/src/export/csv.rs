//! CSV, one row per span: `document,id,label,start,end,text,claimant,note`.
//!
//! RFC 4180: records end with CRLF; a field is quoted when it holds a comma, a
//! quote, CR or LF, with quotes doubled. Quoting is a few lines, so no `csv`
//! crate. A document without spans still gets one row, with only `document`
//! filled, so every document is in the file.

use super::{Corpus, OffsetMap, OffsetUnit};

pub const HEADER: [&str; 8] = [
    "document", "id", "label", "start", "end", "text", "claimant", "note",
];

/// One field, quoted when RFC 4180 requires it.
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn push_record(out: &mut String, fields: &[&str]) {
    let line: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

pub fn render(corpus: &Corpus, unit: OffsetUnit) -> String {
    let mut out = String::new();
    push_record(&mut out, &HEADER);
    for d in &corpus.docs {
        if d.spans.is_empty() {
            push_record(&mut out, &[&d.rel, "", "", "", "", "", "", ""]);
            continue;
        }
        let map = OffsetMap::new(&d.doc);
        for a in &d.spans {
            let start = map.from_codepoint(a.start, unit).to_string();
            let end = map.from_codepoint(a.end, unit).to_string();
            push_record(
                &mut out,
                &[
                    &d.rel,
                    &a.id,
                    &a.label,
                    &start,
                    &end,
                    d.span_text(a),
                    a.claimant.as_deref().unwrap_or(""),
                    a.note.as_deref().unwrap_or(""),
                ],
            );
        }
    }
    out
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
}
