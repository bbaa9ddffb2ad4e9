//! CoNLL: one token per line, a tab, then one BIO column per label in scheme
//! order (so overlapping spans of different labels survive). Sentences are
//! separated by a blank line; each document starts with a `-DOCSTART-` line
//! and a blank line, as in CoNLL-2003.
//!
//! Tokens are Unicode word-bound segments (UAX #29) with whitespace removed:
//! punctuation is a token, whitespace is not. A span that does not start or
//! end on a token boundary is widened to the tokens it touches; a span that
//! continues into the next sentence starts again with `B-` there, so every
//! sentence is valid IOB2 on its own.

use unicode_segmentation::UnicodeSegmentation;

use super::{Corpus, ExportDoc};
use crate::scheme::Scheme;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConllReport {
    pub columns: Vec<String>,
    /// Spans whose ends were moved out to token boundaries.
    pub widened: usize,
    /// Spans over whitespace only: no token to tag.
    pub without_tokens: usize,
}

impl ConllReport {
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!(
            "conll: tag columns after the token: {}",
            self.columns.join(", ")
        )];
        out.push(format!(
            "conll: {} span(s) widened to token boundaries",
            self.widened
        ));
        if self.without_tokens > 0 {
            out.push(format!(
                "conll: {} span(s) cover no token (whitespace only) and are not tagged",
                self.without_tokens
            ));
        }
        out
    }
}

/// A token: its byte range in the text and the sentence it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub bytes: std::ops::Range<usize>,
    pub sentence: usize,
}

/// The tokens of a document, in order.
pub fn tokens(d: &ExportDoc) -> Vec<Token> {
    let text = d.doc.text();
    let mut out = Vec::new();
    for (si, sent) in d.doc.all_sentences().into_iter().enumerate() {
        let Some(slice) = text.get(sent.clone()) else {
            continue;
        };
        for (i, seg) in slice.split_word_bound_indices() {
            let trimmed = seg.trim_start();
            let lead = seg.len() - trimmed.len();
            let trimmed = trimmed.trim_end();
            if trimmed.is_empty() {
                continue;
            }
            let b = sent.start + i + lead;
            out.push(Token {
                bytes: b..b + trimmed.len(),
                sentence: si,
            });
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    O,
    B,
    I,
}

pub fn render(corpus: &Corpus, scheme: &Scheme) -> (String, ConllReport) {
    let columns = corpus.labels(scheme);
    // Tags are split on whitespace by readers: a label never holds any there.
    let tag_names: Vec<String> = columns.iter().map(|l| super::brat::type_name(l)).collect();
    let mut report = ConllReport {
        columns: tag_names.clone(),
        ..ConllReport::default()
    };
    let mut out = String::new();
    let docstart_tags = vec!["O"; columns.len()].join("\t");
    for d in &corpus.docs {
        out.push_str(&format!("-DOCSTART-\t{docstart_tags}\n\n"));
        let toks = tokens(d);
        // One flat row of tags per token: a 50 MB document has millions of
        // tokens, and a vector each would cost an allocation each.
        let ncol = columns.len();
        let mut tags = vec![Tag::O; toks.len() * ncol];
        for a in &d.spans {
            let Some(col) = columns.iter().position(|l| *l == a.label) else {
                continue;
            };
            // Spans are in code points, tokens in bytes: convert the span.
            let Some(span) = d.doc.char_range_to_bytes(a.start, a.end) else {
                continue;
            };
            // Tokens touching the span: the first ending after its start, up
            // to the last starting before its end.
            let first = toks.partition_point(|t| t.bytes.end <= span.start);
            let last = toks.partition_point(|t| t.bytes.start < span.end);
            if first >= last {
                report.without_tokens += 1;
                continue;
            }
            if toks[first].bytes.start != span.start || toks[last - 1].bytes.end != span.end {
                report.widened += 1;
            }
            for k in first..last {
                let begins = k == first || toks[k].sentence != toks[k - 1].sentence;
                let tag = &mut tags[k * ncol + col];
                if begins {
                    *tag = Tag::B;
                } else if *tag == Tag::O {
                    *tag = Tag::I;
                }
            }
        }
        let text = d.doc.text();
        for (k, t) in toks.iter().enumerate() {
            if k > 0 && toks[k - 1].sentence != t.sentence {
                out.push('\n');
            }
            let word: String = text
                .get(t.bytes.clone())
                .unwrap_or("")
                .chars()
                // Readers split columns on whitespace; a token never holds any.
                .map(|c| if c.is_whitespace() { '_' } else { c })
                .collect();
            out.push_str(&word);
            for (col, tag) in tags[k * ncol..(k + 1) * ncol].iter().enumerate() {
                out.push('\t');
                match tag {
                    Tag::O => out.push('O'),
                    Tag::B => {
                        out.push_str("B-");
                        out.push_str(&tag_names[col]);
                    }
                    Tag::I => {
                        out.push_str("I-");
                        out.push_str(&tag_names[col]);
                    }
                }
            }
            out.push('\n');
        }
        if !toks.is_empty() {
            out.push('\n');
        }
    }
    (out, report)
}
