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

/// The tokens of a document and its spans placed on them.
fn place<'a>(
    d: &'a ExportDoc,
    labels: &[String],
    report: &mut ConllReport,
) -> (Vec<Token>, Vec<Placed<'a>>) {
    let toks = tokens(d);
    let mut placed = Vec::with_capacity(d.spans.len());
    for a in &d.spans {
        let Some(label) = labels.iter().position(|l| *l == a.label) else {
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
        placed.push(Placed {
            first,
            last,
            label,
            id: a.id.as_str(),
        });
    }
    (toks, placed)
}

/// The deepest nesting of each label's spans in `d` (1 when none nest), so a
/// nested export knows its columns before the first row: a first pass.
pub fn add_depths(d: &ExportDoc, labels: &[String], depth: &mut [usize]) {
    let (_, placed) = place(d, labels, &mut ConllReport::default());
    for (p, lv) in placed.iter().zip(levels(&placed)) {
        depth[p.label] = depth[p.label].max(lv + 1);
    }
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
        }
    }

    /// Names each span nested in another of its label (a clash without
    /// `nested`).
    fn find_clashes(&mut self, d: &ExportDoc, placed: &[Placed], level: &[usize]) {
        for (i, p) in placed.iter().enumerate() {
            if level[i] == 0 {
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
        let (toks, placed) = place(d, &self.labels, &mut self.report);
        let level = levels(&placed);
        if !self.nested {
            self.find_clashes(d, &placed, &level);
        }
        if !self.clashes.is_empty() {
            // The output will not be kept: only the clashes are still of use.
            return Ok(());
        }
        let mut line = String::from("-DOCSTART-");
        for _ in 0..ncol {
            line.push_str("\tO");
        }
        line.push_str("\n\n");
        out.write_all(line.as_bytes())?;
        // One flat row of tags per token: a 50 MB document has millions of
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
        let text = d.doc.text();
        for (k, t) in toks.iter().enumerate() {
            line.clear();
            if k > 0 && toks[k - 1].sentence != t.sentence {
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
            out.write_all(line.as_bytes())?;
        }
        if !toks.is_empty() {
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
