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
//!
//! Two spans of one label that share a token cannot both be in one BIO
//! column: they would read back as one entity. By default such an export is
//! refused, naming the spans; with `nested` each label gets as many columns
//! as its deepest nesting (`claim`, `claim.2`, …), outer spans first.

use unicode_segmentation::UnicodeSegmentation;

use std::io::{self, Write};

use super::{Corpus, DocWriter, ExportDoc};
use crate::scheme::Scheme;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConllReport {
    /// Column names after the token (label, or `label.N` for nesting level N).
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

/// The tokens of `sentences` (numbered from `first_number`), in order.
fn tokens_of(text: &str, sentences: &[std::ops::Range<usize>], first_number: usize) -> Vec<Token> {
    let mut out = Vec::new();
    for (k, sent) in sentences.iter().enumerate() {
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
                sentence: first_number + k,
            });
        }
    }
    out
}

/// Bytes of text tokenized at once: a document is handled in pieces of whole
/// sentences of about this size, so a 50 MB article never has all its
/// tokens in memory (issue 14). Pieces end at sentence ends, where a span
/// starts again with `B-` anyway, so the tags are those of one piece.
const PIECE_BYTES: usize = 1 << 20;

/// A span to place: its byte range, label column group and id.
struct SpanBytes<'a> {
    bytes: std::ops::Range<usize>,
    label: usize,
    id: &'a str,
}

/// Where a span's first and last tokens were found, over all pieces.
#[derive(Clone, Default)]
struct Reach {
    first_start: Option<usize>,
    last_end: usize,
}

/// The document's spans of known labels as byte ranges, by start.
fn span_bytes<'a>(d: &'a ExportDoc, labels: &[String]) -> Vec<SpanBytes<'a>> {
    let mut out: Vec<SpanBytes> = d
        .spans
        .iter()
        .filter_map(|a| {
            let label = labels.iter().position(|l| *l == a.label)?;
            // Spans are in code points, tokens in bytes: convert the span.
            let bytes = d.doc.char_range_to_bytes(a.start, a.end)?;
            Some(SpanBytes {
                bytes,
                label,
                id: a.id.as_str(),
            })
        })
        .collect();
    out.sort_by_key(|s| (s.bytes.start, s.bytes.end));
    out
}

/// Calls `each` with every piece of the document: its tokens and the spans
/// placed on them (token indices within the piece). Returns, per span of
/// [`span_bytes`] order, where its tokens were found.
fn for_each_piece<'a>(
    d: &'a ExportDoc,
    spans: &[SpanBytes<'a>],
    piece_bytes: usize,
    mut each: impl FnMut(&[Token], &[Placed<'a>]),
) -> Vec<Reach> {
    let text = d.doc.text();
    let sentences = d.doc.all_sentences();
    let mut reach = vec![Reach::default(); spans.len()];
    let mut first = 0;
    while first < sentences.len() {
        let start = sentences[first].start;
        let mut end_sentence = first + 1;
        while end_sentence < sentences.len() && sentences[end_sentence].end - start <= piece_bytes {
            end_sentence += 1;
        }
        let toks = tokens_of(text, &sentences[first..end_sentence], first);
        let (Some(lo), Some(hi)) = (toks.first(), toks.last()) else {
            first = end_sentence;
            continue;
        };
        let (lo, hi) = (lo.bytes.start, hi.bytes.end);
        let mut placed = Vec::new();
        // Spans that can touch this piece's tokens: they start before its
        // last token ends (sorted by start) and end after its first begins.
        let upto = spans.partition_point(|s| s.bytes.start < hi);
        for (i, s) in spans[..upto].iter().enumerate() {
            if s.bytes.end <= lo {
                continue;
            }
            // Tokens touching the span: the first ending after its start, up
            // to the last starting before its end.
            let f = toks.partition_point(|t| t.bytes.end <= s.bytes.start);
            let l = toks.partition_point(|t| t.bytes.start < s.bytes.end);
            if f >= l {
                continue;
            }
            let r = &mut reach[i];
            r.first_start.get_or_insert(toks[f].bytes.start);
            r.last_end = toks[l - 1].bytes.end;
            placed.push(Placed {
                first: f,
                last: l,
                label: s.label,
                id: s.id,
            });
        }
        each(&toks, &placed);
        first = end_sentence;
    }
    reach
}

/// Counts spans widened to token boundaries and spans with no token.
fn count_reach(spans: &[SpanBytes], reach: &[Reach], report: &mut ConllReport) {
    for (s, r) in spans.iter().zip(reach) {
        match r.first_start {
            None => report.without_tokens += 1,
            Some(first) if first != s.bytes.start || r.last_end != s.bytes.end => {
                report.widened += 1
            }
            Some(_) => {}
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    O,
    B,
    I,
}

/// One span placed on tokens: `[first, last)` token indices.
struct Placed<'a> {
    first: usize,
    last: usize,
    label: usize,
    id: &'a str,
}

/// Nesting level of each placed span within its label: spans sorted by
/// first token, longer first; each goes to the lowest level whose last span
/// ends before it begins, so the outermost span of a nest is level 0.
fn levels(placed: &[Placed]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..placed.len()).collect();
    order.sort_by_key(|&i| {
        (
            placed[i].label,
            placed[i].first,
            usize::MAX - placed[i].last,
        )
    });
    let mut level = vec![0; placed.len()];
    // Per label: the last token (exclusive) taken on each level.
    let mut ends: Vec<Vec<usize>> = Vec::new();
    for i in order {
        let p = &placed[i];
        if ends.len() <= p.label {
            ends.resize(p.label + 1, Vec::new());
        }
        let lv = &mut ends[p.label];
        let free = lv.iter().position(|&end| end <= p.first);
        let l = match free {
            Some(l) => l,
            None => {
                lv.push(0);
                lv.len() - 1
            }
        };
        lv[l] = p.last;
        level[i] = l;
    }
    level
}

/// The deepest nesting of each label's spans in `d` (1 when none nest), so a
/// nested export knows its columns before the first row: a first pass.
pub fn add_depths(d: &ExportDoc, labels: &[String], depth: &mut [usize]) {
    let spans = span_bytes(d, labels);
    for_each_piece(d, &spans, PIECE_BYTES, |_, placed| {
        for (p, lv) in placed.iter().zip(levels(placed)) {
            depth[p.label] = depth[p.label].max(lv + 1);
        }
    });
}

/// Each label used in `d` with how deep its spans nest there (1 unless
/// `nested` and they do): a first pass that fixes the columns.
pub fn depths(d: &ExportDoc, nested: bool) -> Vec<(String, usize)> {
    let mut labels: Vec<String> = d.spans.iter().map(|a| a.label.clone()).collect();
    labels.sort();
    labels.dedup();
    let mut depth = vec![1usize; labels.len()];
    if nested {
        add_depths(d, &labels, &mut depth);
    }
    labels.into_iter().zip(depth).collect()
}

/// Writes the documents; refuses at the end (unless `nested`) when
/// same-label spans share a token, naming them.
pub struct Writer {
    labels: Vec<String>,
    nested: bool,
    /// First column of each label.
    col_of: Vec<usize>,
    /// The tag name of each column.
    tag_names: Vec<String>,
    report: ConllReport,
    clashes: Vec<String>,
    /// Text tokenized at once ([`PIECE_BYTES`]; smaller in tests).
    piece_bytes: usize,
}

impl Writer {
    /// `labels` in column order, `depth` the columns of each (all 1 unless
    /// nested; see [`add_depths`]).
    pub fn new(labels: Vec<String>, depth: &[usize], nested: bool) -> Writer {
        let mut report = ConllReport::default();
        let mut col_of: Vec<usize> = Vec::with_capacity(labels.len());
        let mut tag_names: Vec<String> = Vec::new();
        for (li, l) in labels.iter().enumerate() {
            col_of.push(tag_names.len());
            // Tags are split on whitespace by readers: a label never holds any there.
            let name = super::brat::type_name(l);
            for lv in 0..depth.get(li).copied().unwrap_or(1).max(1) {
                report.columns.push(if lv == 0 {
                    name.clone()
                } else {
                    format!("{name}.{}", lv + 1)
                });
                tag_names.push(name.clone());
            }
        }
        Writer {
            labels,
            nested,
            col_of,
            tag_names,
            report,
            clashes: Vec::new(),
            piece_bytes: PIECE_BYTES,
        }
    }

    /// Names each span nested in another of its label (a clash without
    /// `nested`).
    fn find_clashes<'a>(
        &mut self,
        d: &ExportDoc,
        placed: &[Placed<'a>],
        level: &[usize],
        clashed: &mut std::collections::BTreeSet<&'a str>,
    ) {
        for (i, p) in placed.iter().enumerate() {
            // Named once per document, though it may nest in several pieces.
            if level[i] == 0 || !clashed.insert(p.id) {
                continue;
            }
            // Name the span it nests in: one on a lower level sharing a token.
            let outer = placed
                .iter()
                .enumerate()
                .find(|(j, q)| {
                    q.label == p.label
                        && level[*j] < level[i]
                        && q.first < p.last
                        && p.first < q.last
                })
                .map(|(_, q)| q.id)
                .unwrap_or("?");
            self.clashes.push(format!(
                "{}: {} and {} ({})",
                d.rel, outer, p.id, self.labels[p.label]
            ));
        }
    }
}

impl DocWriter for Writer {
    fn doc(&mut self, d: &ExportDoc, out: &mut dyn Write) -> io::Result<()> {
        let ncol = self.tag_names.len();
        let mut line = String::from("-DOCSTART-");
        for _ in 0..ncol {
            line.push_str("\tO");
        }
        line.push_str("\n\n");
        if self.clashes.is_empty() {
            out.write_all(line.as_bytes())?;
        }
        let spans = span_bytes(d, &self.labels);
        let text = d.doc.text();
        let mut clashed = std::collections::BTreeSet::new();
        let mut wrote_token = false;
        let mut failed: io::Result<()> = Ok(());
        let reach = for_each_piece(d, &spans, self.piece_bytes, |toks, placed| {
            let level = levels(placed);
            if !self.nested {
                self.find_clashes(d, placed, &level, &mut clashed);
            }
            if !self.clashes.is_empty() || failed.is_err() {
                // The output will not be kept: only the clashes are still of use.
                return;
            }
            // One flat row of tags per token: a piece has many thousands of
            // tokens, and a vector each would cost an allocation each.
            let mut tags = vec![Tag::O; toks.len() * ncol];
            for (p, lv) in placed.iter().zip(level) {
                let col = self.col_of[p.label] + lv;
                for k in p.first..p.last {
                    let begins = k == p.first || toks[k].sentence != toks[k - 1].sentence;
                    let tag = &mut tags[k * ncol + col];
                    if begins {
                        *tag = Tag::B;
                    } else if *tag == Tag::O {
                        *tag = Tag::I;
                    }
                }
            }
            for (k, t) in toks.iter().enumerate() {
                line.clear();
                let new_sentence = match k {
                    0 => wrote_token,
                    _ => toks[k - 1].sentence != t.sentence,
                };
                if new_sentence {
                    line.push('\n');
                }
                // Readers split columns on whitespace; a token never holds any.
                line.extend(
                    text.get(t.bytes.clone())
                        .unwrap_or("")
                        .chars()
                        .map(|c| if c.is_whitespace() { '_' } else { c }),
                );
                for (col, tag) in tags[k * ncol..(k + 1) * ncol].iter().enumerate() {
                    line.push('\t');
                    match tag {
                        Tag::O => line.push('O'),
                        Tag::B => {
                            line.push_str("B-");
                            line.push_str(&self.tag_names[col]);
                        }
                        Tag::I => {
                            line.push_str("I-");
                            line.push_str(&self.tag_names[col]);
                        }
                    }
                }
                line.push('\n');
                if let Err(e) = out.write_all(line.as_bytes()) {
                    failed = Err(e);
                    return;
                }
                wrote_token = true;
            }
        });
        failed?;
        count_reach(&spans, &reach, &mut self.report);
        if wrote_token && self.clashes.is_empty() {
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    fn finish(&mut self, _out: &mut dyn Write) -> std::result::Result<Vec<String>, String> {
        if self.clashes.is_empty() {
            return Ok(self.report.lines());
        }
        let shown: Vec<&str> = self.clashes.iter().take(10).map(String::as_str).collect();
        Err(format!(
            "conll: {} overlap(s) of spans with the same label, which one BIO column would merge into one entity: {}{}; nothing written (--nested-columns writes one column per nesting level)",
            self.clashes.len(),
            shown.join("; "),
            if self.clashes.len() > shown.len() {
                "; …"
            } else {
                ""
            }
        ))
    }
}

/// The CoNLL file and its notes, or (unless `nested`) a refusal naming the
/// same-label spans that share a token.
pub fn render(
    corpus: &Corpus,
    scheme: &Scheme,
    nested: bool,
) -> std::result::Result<(String, Vec<String>), String> {
    let labels = corpus.labels(scheme);
    let mut depth = vec![1usize; labels.len()];
    if nested {
        for d in &corpus.docs {
            add_depths(d, &labels, &mut depth);
        }
    }
    super::render_with_notes(&mut Writer::new(labels, &depth, nested), corpus)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anchor::new_annotation;
    use crate::text::Document;
    use std::sync::Arc;

    fn written(d: &ExportDoc, piece_bytes: usize) -> (String, ConllReport) {
        let labels = vec!["claim".to_string(), "denial".to_string()];
        let mut w = Writer::new(labels, &[1, 1], false);
        w.piece_bytes = piece_bytes;
        let mut out = Vec::new();
        w.doc(d, &mut out).unwrap();
        (String::from_utf8(out).unwrap(), w.report)
    }

    /// A document cut into pieces of a few sentences is written exactly as
    /// in one piece, also with spans across pieces, widened spans and a span
    /// over whitespace only.
    #[test]
    fn pieces_write_what_one_piece_writes() {
        let text = "He said it. They denied it!  Officials confirmed the report.\n\nA new paragraph starts here. And ends.\n"
            .repeat(20);
        let doc = Arc::new(Document::from_string(text.clone()));
        let n = doc.len_chars();
        let ranges = [
            (3, 30),
            (12, 14),
            (29, 29 + 90),
            (n - 40, n - 2),
            (27, 29),
            (100, 350),
        ];
        let spans = ranges
            .iter()
            .enumerate()
            .zip(["claim", "denial", "denial", "claim", "denial", "claim"])
            .map(|((i, &(s, e)), label)| new_annotation(&doc, s..e, label, format!("s{i}")))
            .collect();
        let d = ExportDoc {
            source: "a.txt".into(),
            rel: "a.txt".into(),
            doc,
            spans,
        };
        let (whole, report) = written(&d, usize::MAX);
        for piece in [1, 40, 200, 1000] {
            let (cut, r) = written(&d, piece);
            assert_eq!(cut, whole, "pieces of {piece} bytes");
            assert_eq!(r, report, "pieces of {piece} bytes");
        }
        assert!(
            report.widened > 0 && report.without_tokens == 1,
            "{report:?}"
        );
    }
}
