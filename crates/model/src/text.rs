//! The decoded source text and the indexes over it.
//!
//! Positions inside the program are byte offsets into the decoded text (always on
//! a char boundary); annotation offsets on disk are Unicode code points. The
//! document keeps a line index and a chunked code point index so that both
//! conversions and line lookups cost O(log n + chunk), not O(n), on a 50 MB file.

use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use sha2::{Digest, Sha256};
use unicode_segmentation::{GraphemeCursor, UnicodeSegmentation};

use crate::error::{Error, Result};
use crate::sentences::SentenceRules;

/// Bytes per chunk of the code point index. Converting a position walks at most
/// this many bytes.
const CHUNK: usize = 4096;
/// How far word and sentence look around the cursor, so a motion on a 50 MB line
/// costs what is near the cursor.
const WINDOW: usize = 16 * 1024;
/// Sentences are found in this much text on each side of the cursor: a
/// sentence longer than this is cut at the window's edge.
const SENTENCE_WINDOW: usize = 4 * 1024;
/// Where a sentence is looked for again when it runs past [`SENTENCE_WINDOW`].
const LONG_SENTENCE_WINDOW: usize = 64 * 1024;
/// How far `)` and `(` look for the next sentence start, in turn: near first.
const MOTION_REACH: [usize; 3] = [1024, 8 * 1024, LONG_SENTENCE_WINDOW];
/// Text read on the other side of the cursor, so the sentence under it is
/// segmented from a real boundary.
const MOTION_CONTEXT: usize = 256;
const BOM: &str = "\u{feff}";
/// Files larger than this open with a preview of their first
/// [`PREVIEW_BYTES`] while the whole loads, so the first frame is immediate.
pub const PREVIEW_OVER: u64 = 4 << 20;
pub const PREVIEW_BYTES: u64 = 64 << 10;

/// The next [`Document::id`].
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

#[derive(Debug)]
pub struct Document {
    text: String,
    had_bom: bool,
    /// Byte offset where each line starts; the first is 0.
    line_starts: Vec<usize>,
    /// Byte offset of each index chunk (char aligned) and code points before it.
    chunk_starts: Vec<usize>,
    chunk_chars: Vec<usize>,
    chars: usize,
    sha256: OnceLock<String>,
    /// Unique in the process: what caches of laid-out text are keyed by, so
    /// a document read again (even at the same address) is never served
    /// another one's rows.
    id: u64,
    /// Which full stops end a sentence (the corpus's languages).
    rules: Arc<SentenceRules>,
}

/// Where a byte sequence stops being UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotUtf8 {
    pub offset: usize,
}

impl Document {
    /// Decodes UTF-8, drops one leading BOM, keeps line endings as they are.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Document, NotUtf8> {
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                return Err(NotUtf8 {
                    offset: e.utf8_error().valid_up_to(),
                });
            }
        };
        Ok(Self::from_string(text))
    }

    pub fn from_string(mut text: String) -> Document {
        let had_bom = text.starts_with(BOM);
        if had_bom {
            text.drain(..BOM.len());
        }
        let mut line_starts = Vec::with_capacity(text.len() / 64 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let mut chunk_starts = Vec::with_capacity(text.len() / CHUNK + 1);
        let mut chunk_chars = Vec::with_capacity(text.len() / CHUNK + 1);
        let mut pos = 0;
        let mut chars = 0;
        while pos < text.len() {
            chunk_starts.push(pos);
            chunk_chars.push(chars);
            let next = floor_char_boundary(&text, (pos + CHUNK).min(text.len()));
            let next = if next <= pos {
                ceil_char_boundary(&text, pos + 1)
            } else {
                next
            };
            chars += text[pos..next].chars().count();
            pos = next;
        }
        Document {
            text,
            had_bom,
            line_starts,
            chunk_starts,
            chunk_chars,
            chars,
            sha256: OnceLock::new(),
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            rules: SentenceRules::default_rules(),
        }
    }

    /// This document's identity in the process (no two documents share one).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The same document with the sentence rules of a corpus's languages.
    pub fn with_sentence_rules(mut self, rules: Arc<SentenceRules>) -> Document {
        self.rules = rules;
        self
    }

    /// Reads and decodes a source file. Errors name the file (and byte offset).
    pub fn load(path: &Path) -> Result<Document> {
        let (bytes, _) = crate::reading::read_capped(path, crate::reading::MAX_SOURCE_BYTES)?;
        Document::from_bytes(bytes).map_err(|e| Error::NotUtf8 {
            path: path.to_path_buf(),
            offset: e.offset,
        })
    }

    /// The first `max` bytes of a file as a document, to show the start of a
    /// big file at once while the whole loads. A character cut at the end is
    /// dropped; None when the file cannot be read or its start is not UTF-8
    /// (the full load reports that).
    pub fn load_prefix(path: &Path, max: u64) -> Option<Document> {
        let mut buf = crate::reading::read_prefix(path, max).ok()?;
        if let Err(e) = std::str::from_utf8(&buf) {
            if e.error_len().is_some() {
                return None;
            }
            buf.truncate(e.valid_up_to());
        }
        Document::from_bytes(buf).ok()
    }

    pub fn text(&self) -> &str {
        &self.text
    }
    pub fn len_bytes(&self) -> usize {
        self.text.len()
    }
    pub fn len_chars(&self) -> usize {
        self.chars
    }
    pub fn had_bom(&self) -> bool {
        self.had_bom
    }
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Hex SHA-256 of the source file's bytes (BOM included), computed once.
    pub fn sha256(&self) -> &str {
        self.sha256.get_or_init(|| {
            let mut h = Sha256::new();
            if self.had_bom {
                h.update(BOM.as_bytes());
            }
            h.update(self.text.as_bytes());
            hex(&h.finalize())
        })
    }

    // ---- code points <-> bytes ----

    /// Byte offset of code point `c`; past the end gives the text length.
    pub fn char_to_byte(&self, c: usize) -> usize {
        if c >= self.chars {
            return self.text.len();
        }
        let k = self.chunk_chars.partition_point(|&n| n <= c) - 1;
        let chunk = self.chunk(k);
        let skip = c - self.chunk_chars[k];
        let bytes = &self.text.as_bytes()[chunk.clone()];
        if bytes.len() == self.chunk_len_chars(k) {
            // An ASCII chunk: one byte a code point.
            return chunk.start + skip;
        }
        // The skip-th byte that starts a code point (not a continuation byte).
        bytes
            .iter()
            .enumerate()
            .filter(|&(_, &b)| !is_continuation(b))
            .nth(skip)
            .map_or(chunk.end, |(i, _)| chunk.start + i)
    }

    /// Byte range of index chunk `k`.
    fn chunk(&self, k: usize) -> Range<usize> {
        let end = self
            .chunk_starts
            .get(k + 1)
            .copied()
            .unwrap_or(self.text.len());
        self.chunk_starts[k]..end
    }

    /// Code points in index chunk `k`.
    fn chunk_len_chars(&self, k: usize) -> usize {
        self.chunk_chars.get(k + 1).copied().unwrap_or(self.chars) - self.chunk_chars[k]
    }

    /// Code point index of byte offset `b` (rounded down to a char boundary).
    pub fn byte_to_char(&self, b: usize) -> usize {
        let b = floor_char_boundary(&self.text, b.min(self.text.len()));
        if self.chunk_starts.is_empty() {
            return 0;
        }
        let k = self.chunk_starts.partition_point(|&s| s <= b) - 1;
        let start = self.chunk_starts[k];
        let before = &self.text.as_bytes()[start..b];
        let ascii_chunk = self.chunk(k).len() == self.chunk_len_chars(k);
        let counted = if ascii_chunk {
            before.len()
        } else {
            before.iter().filter(|&&b| !is_continuation(b)).count()
        };
        self.chunk_chars[k] + counted
    }

    /// Byte range of code point range `[start, end)`, or None when out of range.
    pub fn char_range_to_bytes(&self, start: usize, end: usize) -> Option<Range<usize>> {
        if start > end || end > self.chars {
            return None;
        }
        Some(self.char_to_byte(start)..self.char_to_byte(end))
    }

    /// Text of code point range `[start, end)`, or None when out of range.
    pub fn slice_chars(&self, start: usize, end: usize) -> Option<&str> {
        self.char_range_to_bytes(start, end).map(|r| &self.text[r])
    }

    /// Byte range clamped and rounded to char boundaries: safe to slice with.
    pub fn clamp_range(&self, r: Range<usize>) -> Range<usize> {
        let s = floor_char_boundary(&self.text, r.start.min(self.text.len()));
        let e = floor_char_boundary(&self.text, r.end.min(self.text.len())).max(s);
        s..e
    }

    /// Text of a byte range, clamped to char boundaries (never panics).
    pub fn slice(&self, r: Range<usize>) -> &str {
        &self.text[self.clamp_range(r)]
    }

    // ---- lines ----

    /// Number of lines; an empty text has one empty line, a trailing newline
    /// starts a last empty line.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Line (0-based) holding byte offset `b`.
    pub fn line_of(&self, b: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= b)
            .saturating_sub(1)
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len())
    }

    /// End of the line's content: before its `\n` or `\r\n`.
    pub fn line_end(&self, line: usize) -> usize {
        match self.line_starts.get(line + 1) {
            Some(&next) => {
                let mut e = next - 1; // the '\n'
                if e > self.line_start(line) && self.text.as_bytes()[e - 1] == b'\r' {
                    e -= 1;
                }
                e
            }
            None => self.text.len(),
        }
    }

    /// Content of a line without its line ending.
    pub fn line(&self, line: usize) -> &str {
        &self.text[self.line_start(line)..self.line_end(line)]
    }

    /// 1-based line and column (in code points) of byte offset `b`, as shown to people.
    pub fn line_col(&self, b: usize) -> (usize, usize) {
        let line = self.line_of(b);
        let col = self.byte_to_char(b) - self.byte_to_char(self.line_start(line));
        (line + 1, col + 1)
    }

    fn is_blank_line(&self, line: usize) -> bool {
        self.line(line).trim().is_empty()
    }

    // ---- graphemes ----

    pub fn is_grapheme_boundary(&self, b: usize) -> bool {
        if b == 0 || b >= self.text.len() {
            return true;
        }
        if !self.text.is_char_boundary(b) {
            return false;
        }
        GraphemeCursor::new(b, self.text.len(), true)
            .is_boundary(&self.text, 0)
            .unwrap_or(true)
    }

    /// The next grapheme boundary after `b` (or the end).
    pub fn next_grapheme(&self, b: usize) -> usize {
        if b >= self.text.len() {
            return self.text.len();
        }
        let b = floor_char_boundary(&self.text, b);
        GraphemeCursor::new(b, self.text.len(), true)
            .next_boundary(&self.text, 0)
            .ok()
            .flatten()
            .unwrap_or(self.text.len())
    }

    /// The grapheme boundary before `b` (or 0).
    pub fn prev_grapheme(&self, b: usize) -> usize {
        if b == 0 {
            return 0;
        }
        let b = ceil_char_boundary(&self.text, b.min(self.text.len()));
        GraphemeCursor::new(b, self.text.len(), true)
            .prev_boundary(&self.text, 0)
            .ok()
            .flatten()
            .unwrap_or(0)
    }

    /// Rounds `b` down to a grapheme boundary.
    pub fn snap_down(&self, b: usize) -> usize {
        let b = floor_char_boundary(&self.text, b.min(self.text.len()));
        if self.is_grapheme_boundary(b) {
            b
        } else {
            self.prev_grapheme(b)
        }
    }

    /// Rounds `b` up to a grapheme boundary.
    pub fn snap_up(&self, b: usize) -> usize {
        let b = ceil_char_boundary(&self.text, b.min(self.text.len()));
        if self.is_grapheme_boundary(b) {
            b
        } else {
            self.next_grapheme(b)
        }
    }

    /// Widens a byte range to grapheme boundaries and trims surrounding whitespace.
    /// An all-whitespace range collapses to an empty range at its start.
    pub fn snap_selection(&self, r: Range<usize>, trim: bool) -> Range<usize> {
        let (a, b) = if r.start <= r.end {
            (r.start, r.end)
        } else {
            (r.end, r.start)
        };
        let mut s = self.snap_down(a);
        let mut e = self.snap_up(b);
        if trim {
            // Whole graphemes only: a space carrying a combining mark is one
            // grapheme, and is kept.
            let blank = |g: &str| g.chars().all(char::is_whitespace);
            while s < e {
                let n = self.next_grapheme(s).min(e);
                if !blank(&self.text[s..n]) {
                    break;
                }
                s = n;
            }
            while e > s {
                let p = self.prev_grapheme(e).max(s);
                if !blank(&self.text[p..e]) {
                    break;
                }
                e = p;
            }
            if s == e {
                return s..s;
            }
        }
        s..e
    }

    // ---- words ----

    fn window(&self, b: usize) -> Range<usize> {
        let s = floor_char_boundary(&self.text, b.saturating_sub(WINDOW));
        let e = floor_char_boundary(&self.text, (b + WINDOW).min(self.text.len()));
        s..e
    }

    /// Start of the next word after `b` (the end of text when there is none).
    /// Looks 1 KiB ahead first, then [`WINDOW`], so a motion costs what is near.
    pub fn next_word(&self, b: usize) -> usize {
        let len = self.text.len();
        // A little context before `b`, so the word under it is segmented whole.
        let s = floor_char_boundary(&self.text, b.saturating_sub(64));
        let mut e = s;
        for reach in [1024, WINDOW] {
            e = floor_char_boundary(&self.text, (b + reach).min(len));
            for (i, seg) in self.text[s..e].split_word_bound_indices() {
                let at = s + i;
                if at > b && is_word(seg) {
                    return at;
                }
            }
            if e >= len {
                return len;
            }
        }
        e.max(b)
    }

    /// Start of the word before `b` (or 0).
    pub fn prev_word(&self, b: usize) -> usize {
        let b = b.min(self.text.len());
        for reach in [1024, WINDOW] {
            let s = floor_char_boundary(&self.text, b.saturating_sub(reach));
            let mut best = None;
            for (i, seg) in self.text[s..b].split_word_bound_indices() {
                if is_word(seg) {
                    best = Some(s + i);
                }
            }
            // A word found at the window's very start may begin further back.
            match best {
                Some(w) if w > s || s == 0 => return w,
                None if s == 0 => return 0,
                _ => {}
            }
        }
        floor_char_boundary(&self.text, b.saturating_sub(WINDOW))
    }

    /// Byte range of the word under `b`, if `b` is inside a word.
    pub fn word_at(&self, b: usize) -> Option<Range<usize>> {
        let w = self.window(b);
        for (i, seg) in self.text[w.clone()].split_word_bound_indices() {
            let s = w.start + i;
            let e = s + seg.len();
            if s <= b && b < e {
                return is_word(seg).then_some(s..e);
            }
        }
        None
    }

    // ---- paragraphs ----

    /// Byte range of the paragraph (run of non-blank lines) holding `b`, without
    /// the final line ending. On a blank line, that line.
    pub fn paragraph_at(&self, b: usize) -> Range<usize> {
        let line = self.line_of(b);
        if self.is_blank_line(line) {
            return self.line_start(line)..self.line_end(line);
        }
        let mut first = line;
        while first > 0 && !self.is_blank_line(first - 1) {
            first -= 1;
        }
        let mut last = line;
        while last + 1 < self.line_count() && !self.is_blank_line(last + 1) {
            last += 1;
        }
        self.line_start(first)..self.line_end(last)
    }

    /// The paragraph holding `b`, cut to `lo..hi`: walks no line outside it, so
    /// it stays cheap in a file with no blank lines.
    fn paragraph_within(&self, b: usize, lo: usize, hi: usize) -> Range<usize> {
        let line = self.line_of(b);
        if self.is_blank_line(line) {
            return self.line_start(line)..self.line_end(line);
        }
        let mut first = line;
        while first > 0 && self.line_start(first) > lo && !self.is_blank_line(first - 1) {
            first -= 1;
        }
        let mut last = line;
        while last + 1 < self.line_count()
            && self.line_end(last) < hi
            && !self.is_blank_line(last + 1)
        {
            last += 1;
        }
        self.line_start(first).max(lo)..self.line_end(last).min(hi)
    }

    /// Start of the next paragraph after the one holding `b` (or the end).
    pub fn next_paragraph(&self, b: usize) -> usize {
        let mut line = self.line_of(b);
        let n = self.line_count();
        while line < n && !self.is_blank_line(line) {
            line += 1;
        }
        while line < n && self.is_blank_line(line) {
            line += 1;
        }
        if line >= n {
            self.text.len()
        } else {
            self.line_start(line)
        }
    }

    /// Start of the paragraph holding `b`, or of the previous one when `b` is
    /// already at a paragraph start.
    pub fn prev_paragraph(&self, b: usize) -> usize {
        let mut line = self.line_of(b);
        let start = self.paragraph_at(b).start;
        if start < b && !self.is_blank_line(line) {
            return start;
        }
        // step back over blank lines, then to the start of that paragraph
        line = line.saturating_sub(1);
        while line > 0 && self.is_blank_line(line) {
            line -= 1;
        }
        while line > 0 && !self.is_blank_line(line - 1) {
            line -= 1;
        }
        self.line_start(line)
    }

    // ---- sentences ----

    /// Sentences (byte ranges, trimmed) of the paragraph holding `b`, limited to
    /// a window around `b` on huge paragraphs.
    fn sentences_near(&self, b: usize) -> Vec<Range<usize>> {
        self.sentences_within(b, SENTENCE_WINDOW).0
    }

    /// Sentences of the paragraph holding `b`, looking at most `window` bytes
    /// each side; also whether the paragraph was cut at the start or the end.
    fn sentences_within(&self, b: usize, window: usize) -> (Vec<Range<usize>>, bool, bool) {
        self.sentences_around(b, window, window)
    }

    /// Sentences of the paragraph holding `b` within `before` bytes before it
    /// and `after` bytes after it; also whether the paragraph was cut at the
    /// start or the end (then the first or last range is not a whole sentence).
    fn sentences_around(
        &self,
        b: usize,
        before: usize,
        after: usize,
    ) -> (Vec<Range<usize>>, bool, bool) {
        let lo = floor_char_boundary(&self.text, b.saturating_sub(before));
        let hi = floor_char_boundary(&self.text, (b + after).min(self.text.len()));
        let para = self.paragraph_within(b, lo, hi);
        let (s, e) = (para.start, para.end.max(para.start));
        let (first, last) = (self.line_of(s), self.line_of(e));
        let cut_start = s > self.line_start(first)
            || (first > 0 && !self.is_blank_line(first - 1) && s == lo && lo > 0);
        let cut_end = e < self.line_end(last)
            || (last + 1 < self.line_count()
                && !self.is_blank_line(last + 1)
                && e == hi
                && hi < self.text.len());
        let sents = split_sentences_with(&self.text[s..e], &self.rules)
            .into_iter()
            .map(|r| (r.start + s)..(r.end + s))
            .collect();
        (sents, cut_start && s > 0, cut_end)
    }

    /// The sentence under `b` (trimmed byte range). Between sentences, the next one.
    pub fn sentence_at(&self, b: usize) -> Range<usize> {
        pick_sentence(&self.sentences_near(b), b)
    }

    /// The sentence under `b`, found whole: a sentence longer than the usual
    /// window is looked for again in a wider one, and None means it is longer
    /// than that too (its ends are not known, so it must not be tagged).
    pub fn whole_sentence_at(&self, b: usize) -> Option<Range<usize>> {
        for window in [SENTENCE_WINDOW, LONG_SENTENCE_WINDOW] {
            let (sents, cut_start, cut_end) = self.sentences_within(b, window);
            let r = pick_sentence(&sents, b);
            let first = sents.first().is_some_and(|f| *f == r);
            let last = sents.last().is_some_and(|l| *l == r);
            if !((first && cut_start) || (last && cut_end)) {
                return Some(r);
            }
        }
        None
    }

    /// Start of the next sentence after `b`, crossing into the next paragraph.
    /// Looks a little ahead first and further only when it must, so a motion
    /// in a huge paragraph costs what is near the cursor.
    pub fn next_sentence(&self, b: usize) -> usize {
        let b = b.min(self.text.len());
        for reach in MOTION_REACH {
            let (sents, cut_start, cut_end) = self.sentences_around(b, MOTION_CONTEXT, reach);
            // The first range of a window cut at its start begins at the cut,
            // not at a sentence boundary.
            let skip = usize::from(cut_start);
            if let Some(r) = sents.iter().skip(skip).find(|r| r.start > b) {
                return r.start;
            }
            if !cut_end {
                let next = self.next_paragraph(b);
                if next >= self.text.len() {
                    return self.text.len();
                }
                return self
                    .sentences_around(next, 0, MOTION_CONTEXT)
                    .0
                    .first()
                    .map(|r| r.start)
                    .unwrap_or(next);
            }
        }
        floor_char_boundary(&self.text, b + MOTION_REACH[MOTION_REACH.len() - 1])
    }

    /// Start of the sentence holding `b`, or of the previous one (the last
    /// sentence of the previous paragraph from a paragraph's start or a blank
    /// line). Looks a little back first and further only when it must.
    pub fn prev_sentence(&self, b: usize) -> usize {
        let b = b.min(self.text.len());
        for reach in MOTION_REACH {
            let (sents, cut_start, _) = self.sentences_around(b, reach, 0);
            let skip = usize::from(cut_start);
            if let Some(r) = sents.iter().skip(skip).rev().find(|r| r.start < b) {
                return r.start;
            }
            if !cut_start {
                let para = self.prev_paragraph(b);
                if para >= b {
                    return 0;
                }
                let end = self.paragraph_at(para).end;
                if end >= b {
                    return para;
                }
                return self.prev_sentence(end);
            }
        }
        floor_char_boundary(
            &self.text,
            b.saturating_sub(MOTION_REACH[MOTION_REACH.len() - 1]),
        )
    }

    /// Byte ranges of every sentence of the document, in order (used by export).
    pub fn all_sentences(&self) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut line = 0;
        let n = self.line_count();
        while line < n {
            if self.is_blank_line(line) {
                line += 1;
                continue;
            }
            let para = self.paragraph_at(self.line_start(line));
            out.extend(
                split_sentences_with(&self.text[para.clone()], &self.rules)
                    .into_iter()
                    .map(|r| (r.start + para.start)..(r.end + para.start)),
            );
            line = self.line_of(para.end) + 1;
        }
        out
    }
}

/// The sentence holding `b`, else the next one, else the last one.
fn pick_sentence(sents: &[Range<usize>], b: usize) -> Range<usize> {
    if let Some(r) = sents.iter().find(|r| r.start <= b && b < r.end) {
        return r.clone();
    }
    if let Some(r) = sents.iter().find(|r| r.start >= b) {
        return r.clone();
    }
    sents.last().cloned().unwrap_or(b..b)
}

fn is_word(seg: &str) -> bool {
    seg.chars().any(|c| c.is_alphanumeric())
}

/// Splits text into sentences with every built-in language's rules (see
/// [`split_sentences_with`]).
pub fn split_sentences(text: &str) -> Vec<Range<usize>> {
    split_sentences_with(text, &SentenceRules::default_rules())
}

/// Splits text into sentences: UAX #29 boundaries (`.` `!` `?` `؟` `۔` …),
/// then corrected so that titles and abbreviations of the rules' languages
/// ("Mr.", "Gen.", "U.S.", "ه.ش.") do not end sentences. Returned ranges are
/// byte ranges into `text`, trimmed of surrounding whitespace, never empty.
pub fn split_sentences_with(text: &str, rules: &SentenceRules) -> Vec<Range<usize>> {
    let mut raw: Vec<Range<usize>> = Vec::new();
    for (i, seg) in text.split_sentence_bound_indices() {
        let r = i..i + seg.len();
        let merge = match raw.last() {
            Some(prev) => ends_with_abbreviation(&text[prev.clone()], seg, rules),
            None => false,
        };
        if merge {
            if let Some(prev) = raw.last_mut() {
                prev.end = r.end;
            }
        } else {
            raw.push(r);
        }
    }
    raw.into_iter()
        .filter_map(|r| {
            let s = &text[r.clone()];
            let lead = s.len() - s.trim_start().len();
            let trimmed = s.trim();
            if trimmed.is_empty() {
                None
            } else {
                Some((r.start + lead)..(r.start + lead + trimmed.len()))
            }
        })
        .collect()
}

fn ends_with_abbreviation(prev: &str, next: &str, rules: &SentenceRules) -> bool {
    let prev = prev.trim_end();
    let Some(stem) = prev.strip_suffix('.') else {
        return false;
    };
    let last = stem
        .rsplit(|c: char| c.is_whitespace() || "([{\"'“‘".contains(c))
        .next()
        .unwrap_or("");
    if last.is_empty() {
        return false;
    }
    if rules.is_abbreviation(last) {
        return true;
    }
    // A single initial ("John F. Kennedy") or a dotted acronym ("U.S.", "e.g.").
    let is_initial = last.chars().count() == 1 && last.chars().all(char::is_alphabetic);
    let is_acronym = last.contains('.')
        && last
            .split('.')
            .all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic));
    if !(is_initial || is_acronym) {
        return false;
    }
    let next_word: String = next
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric())
        .collect();
    !rules.is_starter(&next_word)
}

pub fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub fn ceil_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// SHA-256 (hex) of a byte slice.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Whether `b` continues a UTF-8 sequence (10xxxxxx) rather than starting one.
fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn doc(s: &str) -> Document {
        Document::from_string(s.to_string())
    }

    #[test]
    fn bom_is_dropped_and_hashed() {
        let d = Document::from_bytes(b"\xef\xbb\xbfab".to_vec()).unwrap();
        assert_eq!(d.text(), "ab");
        assert!(d.had_bom());
        assert_eq!(d.len_chars(), 2);
        assert_eq!(d.sha256(), sha256_hex(b"\xef\xbb\xbfab"));
    }

    #[test]
    fn prefix_drops_a_cut_character() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.txt");
        std::fs::write(&p, "ab😀cd").unwrap();
        assert_eq!(Document::load_prefix(&p, 4).unwrap().text(), "ab");
        assert_eq!(Document::load_prefix(&p, 6).unwrap().text(), "ab😀");
        std::fs::write(&p, b"a\xffbcdef").unwrap();
        assert!(Document::load_prefix(&p, 4).is_none());
    }

    #[test]
    fn not_utf8_reports_offset() {
        let e = Document::from_bytes(b"abc\xffdef".to_vec()).unwrap_err();
        assert_eq!(e.offset, 3);
    }

    #[test]
    fn crlf_lines_keep_their_endings() {
        let d = doc("one\r\ntwo\r\n\r\nthree");
        assert_eq!(d.line_count(), 4);
        assert_eq!(d.line(0), "one");
        assert_eq!(d.line(1), "two");
        assert_eq!(d.line(2), "");
        assert_eq!(d.line(3), "three");
        assert_eq!(d.len_chars(), 17);
        // CRLF is one grapheme: the cursor never stops between \r and \n
        assert_eq!(d.next_grapheme(3), 5);
    }

    #[test]
    fn graphemes_are_not_split() {
        let s = "a👨‍👩‍👧b🇦🇫ée\u{301}x";
        let d = doc(s);
        let mut b = 0;
        let mut seen = vec![];
        while b < d.len_bytes() {
            let n = d.next_grapheme(b);
            seen.push(&s[b..n]);
            b = n;
        }
        assert_eq!(seen, ["a", "👨‍👩‍👧", "b", "🇦🇫", "é", "e\u{301}", "x"]);
        let inside = 1 + "👨".len();
        assert_eq!(
            d.snap_selection(inside..inside + 1, true),
            1..1 + "👨‍👩‍👧".len()
        );
    }

    #[test]
    fn sentences_respect_abbreviations_and_quotes() {
        let t = "Gen. Smith met Mr. Jones in the U.S. Army base. The U.S. denied it. He said: “We will fight.” Then he left.";
        let got: Vec<&str> = split_sentences(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(
            got,
            [
                "Gen. Smith met Mr. Jones in the U.S. Army base.",
                "The U.S. denied it.",
                "He said: “We will fight.”",
                "Then he left."
            ]
        );
    }

    #[test]
    fn sentence_and_paragraph_motions() {
        let d = doc("First one. Second one.\n\nNext para here.\n");
        assert_eq!(&d.text()[d.sentence_at(3)], "First one.");
        assert_eq!(&d.text()[d.sentence_at(12)], "Second one.");
        assert_eq!(d.next_sentence(0), 11);
        assert_eq!(d.next_sentence(11), 24);
        assert_eq!(d.prev_sentence(24), 11);
        assert_eq!(d.next_paragraph(0), 24);
        assert_eq!(d.prev_paragraph(30), 24);
        assert_eq!(d.prev_paragraph(24), 0);
        assert_eq!(&d.text()[d.paragraph_at(5)], "First one. Second one.");
    }

    #[test]
    fn arabic_script_sentences() {
        // Dari: a question mark, an Urdu/Pashto full stop, a full stop and an
        // exclamation mark each end a sentence; ZWNJ and a date stay inside.
        let t = "آیا او آمد؟ بلی آمد۔ آنها می\u{200c}روند. خوب است! در ۱۴۰۲ ه.ش. رفت.";
        let got: Vec<&str> = split_sentences(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(
            got,
            [
                "آیا او آمد؟",
                "بلی آمد۔",
                "آنها می\u{200c}روند.",
                "خوب است!",
                "در ۱۴۰۲ ه.ش. رفت."
            ]
        );
        // `)` and `(` step through them
        let d = doc(t);
        let second = t.find("بلی").unwrap();
        assert_eq!(d.next_sentence(0), second);
        assert_eq!(d.prev_sentence(t.find("آنها").unwrap()), second);
        // no space after the question mark
        let t = "آمد؟بلی.";
        let got: Vec<&str> = split_sentences(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(got, ["آمد؟", "بلی."]);
    }

    #[test]
    fn sentence_motions_are_right_at_the_end_of_a_long_paragraph() {
        // issue 12 item 11: a 21,700-character paragraph, then `G (`.
        let para: String = (0..700)
            .map(|i| format!("Sentence {i:03} is here. "))
            .collect();
        let para = para.trim_end().to_string();
        let t = format!("{para}\n");
        let d = doc(&t);
        let last = para.rfind("Sentence 699").unwrap();
        assert_eq!(d.prev_sentence(t.len()), last);
        assert_eq!(d.prev_sentence(para.len()), last);
        // `)` from the start visits every sentence start, in order
        let starts: Vec<usize> = d.all_sentences().iter().map(|r| r.start).collect();
        let mut b = 0;
        let mut seen = vec![0];
        while b < para.len() {
            b = d.next_sentence(b);
            if b < para.len() {
                seen.push(b);
            }
        }
        assert_eq!(seen, starts);
        // and `(` back from the end visits them in reverse
        let mut b = t.len();
        let mut back = vec![];
        while b > 0 {
            b = d.prev_sentence(b);
            back.push(b);
        }
        back.reverse();
        assert_eq!(back, starts);
    }

    #[test]
    fn long_sentences_are_found_whole_or_not_at_all() {
        // (a capital after the full stop, or UAX #29 would not break there)
        let long = format!("Word one. {}.", "Word ".repeat(6000).trim_end());
        let d = doc(&long);
        let r = d.whole_sentence_at(20).unwrap();
        assert_eq!(&d.text()[r], &long[10..]);
        let huge = format!("Start. {}.", "Word ".repeat(30_000).trim_end());
        let d = doc(&huge);
        assert_eq!(d.whole_sentence_at(3), Some(0..6));
        assert_eq!(d.whole_sentence_at(100_000), None);
    }

    #[test]
    fn words() {
        let d = doc("hello, world  again");
        assert_eq!(d.next_word(0), 7);
        assert_eq!(d.next_word(7), 14);
        assert_eq!(d.prev_word(14), 7);
        assert_eq!(d.prev_word(7), 0);
        assert_eq!(d.word_at(8), Some(7..12));
    }

    #[test]
    fn empty_document() {
        let d = doc("");
        assert_eq!(d.line_count(), 1);
        assert_eq!(d.char_to_byte(0), 0);
        assert_eq!(d.byte_to_char(0), 0);
        assert_eq!(d.sentence_at(0), 0..0);
        assert_eq!(d.next_word(0), 0);
        assert_eq!(d.line_col(0), (1, 1));
    }

    proptest! {
        #[test]
        fn char_byte_round_trip(s in "\\PC{0,300}|[a-z\u{0600}-\u{06ff}😀-🙏\r\n ]{0,9000}|[a-z ]{0,6000}[\u{0600}-\u{06ff}]{0,50}[a-z ]{0,6000}") {
            let d = doc(&s);
            let starts: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
            prop_assert_eq!(d.len_chars(), starts.len());
            for (c, &b) in starts.iter().enumerate().step_by(7) {
                prop_assert_eq!(d.char_to_byte(c), b);
                prop_assert_eq!(d.byte_to_char(b), c);
            }
            prop_assert_eq!(d.char_to_byte(starts.len()), s.len());
        }

        #[test]
        fn motions_never_panic_and_stay_on_boundaries(s in "\\PC{0,200}", at in 0usize..400) {
            let d = doc(&s);
            let b = d.snap_down(at.min(s.len()));
            for p in [d.next_word(b), d.prev_word(b), d.next_sentence(b), d.prev_sentence(b),
                      d.next_paragraph(b), d.prev_paragraph(b), d.next_grapheme(b), d.prev_grapheme(b)] {
                prop_assert!(s.is_char_boundary(p));
            }
            let r = d.sentence_at(b);
            prop_assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
            let r = d.snap_selection(0..b, true);
            prop_assert!(r.start <= r.end && d.is_grapheme_boundary(r.start) && d.is_grapheme_boundary(r.end));
        }
    }
}
