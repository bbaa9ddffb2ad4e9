//! Visual layout of a document for a character-cell screen, terminal-free.
//!
//! Text is laid out in *blocks*: a logical line, or a bounded piece of a very
//! long line. A block is wrapped at word boundaries to the pane width. Drawing
//! a frame wraps only the blocks it shows, so the cost of a frame is bounded by
//! what is visible (plus at most one block), whatever the size of the file.
//!
//! With bidi on ([`Layout::with_bidi`]), each row is then put in display order
//! (UAX #9, see [`crate::bidi`]): its cells are sorted left to right with
//! their screen columns, right-to-left paragraphs right-aligned, so drawing,
//! the cursor and the mouse read the same cells.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex};

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use claimtag_model::text::Document;

use crate::bidi::{BidiCache, BidiView, Direction, mirrored};

/// Longest block in bytes: a 50 MB line is laid out in pieces this big.
pub const MAX_BLOCK: usize = 8 * 1024;
/// Blocks whose rows are kept: more than a tall screen of one-row blocks
/// shows, so a frame is served whole from the cache.
const CACHE_ROW_BLOCKS: usize = 1024;
/// Cells kept at most over all kept blocks (some 8 MB).
const CACHE_ROW_CELLS: usize = 256 * 1024;

/// How one grapheme is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Glyph {
    /// Shown as itself.
    Text,
    /// A tab, shown as spaces to the next stop.
    Tab,
    /// A control or zero-width character, shown as a one-cell placeholder.
    Placeholder(char),
    /// A bracket or other mirrored character on a right-to-left run, shown
    /// as its mirror image (UAX #9 L4).
    Mirrored(char),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// Byte offset of the grapheme in the document.
    pub byte: usize,
    /// Length of the grapheme in bytes.
    pub len: usize,
    /// Column where it starts on the screen (display order).
    pub x: u16,
    /// Cells it takes.
    pub width: u16,
    pub glyph: Glyph,
}

/// One screen row: a byte range of the document and its cells, left to right
/// on the screen (for a left-to-right row that is also logical order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub start: usize,
    pub end: usize,
    pub cells: Vec<Cell>,
    /// Column where the row's end stands (the cursor after its last
    /// character): after the last cell, or left of the first cell of a
    /// right-to-left row.
    pub width: u16,
    /// The row belongs to a right-to-left paragraph (shown right-aligned).
    pub rtl: bool,
}

/// A position in the layout: a block (by its start byte) and a row in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RowPos {
    pub block: usize,
    pub row: usize,
}

#[derive(Debug, Clone, Copy)]
pub struct Layout<'a> {
    doc: &'a Document,
    width: u16,
    tab: u16,
    bidi: Option<Bidi<'a>>,
    /// Where laid-out blocks are kept, if anywhere.
    rows: Option<&'a RowCache>,
}

/// Display order is on: paragraphs resolved through this cache.
#[derive(Debug, Clone, Copy)]
struct Bidi<'a> {
    cache: &'a BidiCache,
    direction: Direction,
}

impl<'a> Layout<'a> {
    pub fn new(doc: &'a Document, width: u16) -> Self {
        Layout {
            doc,
            width: width.max(1),
            tab: 4,
            bidi: None,
            rows: None,
        }
    }

    /// Rows in display order (UAX #9), paragraph direction from `direction`;
    /// levels are resolved once per paragraph through `cache`.
    /// Laid-out blocks are kept in `cache` too.
    pub fn with_bidi(mut self, cache: &'a BidiCache, direction: Direction) -> Self {
        self.bidi = Some(Bidi { cache, direction });
        self.rows = Some(&cache.rows);
        self
    }

    /// Laid-out blocks kept in `cache`, in logical order.
    pub fn with_cache(mut self, cache: &'a BidiCache) -> Self {
        self.rows = Some(&cache.rows);
        self
    }

    /// Display order when the view has a direction (the app reorders), else
    /// logical; rows kept in the view's cache.
    pub fn with_view(self, view: Option<&'a BidiView>) -> Self {
        match view {
            Some(BidiView {
                cache,
                direction: Some(d),
            }) => self.with_bidi(cache, *d),
            Some(v) => self.with_cache(&v.cache),
            None => self,
        }
    }

    pub fn width(&self) -> u16 {
        self.width
    }

    /// The block holding byte `b`.
    pub fn block_at(&self, b: usize) -> Range<usize> {
        let b = b.min(self.doc.len_bytes());
        let line = self.doc.line_of(b);
        let (ls, le) = (self.doc.line_start(line), self.doc.line_end(line));
        if le - ls <= MAX_BLOCK {
            return ls..le;
        }
        // Pieces of a long line start at fixed strides, moved back to a grapheme
        // boundary, so any piece can be found without walking the line.
        let piece_start = |k: usize| {
            if k == 0 {
                ls
            } else {
                self.doc.snap_down((ls + k * MAX_BLOCK).min(le)).max(ls)
            }
        };
        let pieces = (le - ls).div_ceil(MAX_BLOCK);
        let mut k = ((b.min(le) - ls) / MAX_BLOCK).min(pieces - 1);
        if piece_start(k) > b && k > 0 {
            k -= 1;
        }
        while k + 1 < pieces && piece_start(k + 1) <= b && piece_start(k + 1) < le {
            k += 1;
        }
        let end = if k + 1 >= pieces {
            le
        } else {
            piece_start(k + 1)
        };
        piece_start(k)..end.max(piece_start(k))
    }

    /// The block after `block`, if any.
    pub fn next_block(&self, block: &Range<usize>) -> Option<Range<usize>> {
        let line = self.doc.line_of(block.start);
        if block.end < self.doc.line_end(line) {
            return Some(self.block_at(block.end));
        }
        if line + 1 < self.doc.line_count() {
            Some(self.block_at(self.doc.line_start(line + 1)))
        } else {
            None
        }
    }

    /// The block before `block`, if any.
    pub fn prev_block(&self, block: &Range<usize>) -> Option<Range<usize>> {
        let line = self.doc.line_of(block.start);
        if block.start > self.doc.line_start(line) {
            return Some(self.block_at(self.doc.prev_grapheme(block.start)));
        }
        if line == 0 {
            return None;
        }
        Some(self.block_at(self.doc.line_end(line - 1)))
    }

    /// Wraps a block into rows at word boundaries (in display order with bidi
    /// on). An empty block is one empty row. With a cache, the rows come from
    /// it when this block was laid out at this width and direction before:
    /// the document's text never changes, so they are still right.
    pub fn wrap(&self, block: &Range<usize>) -> Arc<[Row]> {
        let Some(cache) = self.rows else {
            return self.lay_out(block).into();
        };
        let key = RowKey {
            doc: self.doc.id(),
            block: (block.start, block.end),
            width: self.width,
            tab: self.tab,
            direction: self.bidi.map(|b| b.direction),
        };
        if let Some(rows) = cache.get(&key) {
            return rows;
        }
        let rows: Arc<[Row]> = self.lay_out(block).into();
        cache.put(key, Arc::clone(&rows));
        rows
    }

    /// Wraps a block now (and reorders its rows with bidi on).
    fn lay_out(&self, block: &Range<usize>) -> Vec<Row> {
        let text = self.doc.slice(block.clone());
        let base = block.start;
        let width = self.width;
        let mut rows = Vec::new();
        let mut cells: Vec<Cell> = Vec::new();
        let mut x: u16 = 0;
        // Index in `cells` after the last whitespace: where the row may break.
        let mut break_at: Option<usize> = None;
        let mut row_start = base;
        for (i, g) in text.grapheme_indices(true) {
            let byte = base + i;
            let is_space = g.chars().all(char::is_whitespace);
            if x + glyph_of(g, x, self.tab).1 > width && !cells.is_empty() {
                if is_space {
                    // Trailing space hangs at the end of the row (clipped), so a
                    // break never starts the next row with a space.
                    cells.push(Cell {
                        byte,
                        len: g.len(),
                        x,
                        width: width.saturating_sub(x),
                        glyph: Glyph::Tab,
                    });
                    let end = byte + g.len();
                    rows.push(finish_row(row_start, end, std::mem::take(&mut cells)));
                    row_start = end;
                    x = 0;
                    break_at = None;
                    continue;
                }
                // Break after the last space of the row, or else right here.
                let split = break_at.filter(|&k| k < cells.len()).unwrap_or(cells.len());
                let rest: Vec<Cell> = cells.split_off(split);
                let end = rest.first().map(|c| c.byte).unwrap_or(byte);
                rows.push(finish_row(row_start, end, std::mem::take(&mut cells)));
                row_start = end;
                x = 0;
                break_at = None;
                // The word carried over is laid out again from the row start.
                for mut c in rest {
                    let (glyph, w) =
                        glyph_of(&text[c.byte - base..c.byte - base + c.len], x, self.tab);
                    c.x = x;
                    c.width = w.min(width);
                    c.glyph = glyph;
                    x += c.width;
                    cells.push(c);
                }
                if x + glyph_of(g, x, self.tab).1 > width && !cells.is_empty() {
                    rows.push(finish_row(row_start, byte, std::mem::take(&mut cells)));
                    row_start = byte;
                    x = 0;
                }
            }
            let (glyph, w) = glyph_of(g, x, self.tab);
            let w = w.min(width);
            cells.push(Cell {
                byte,
                len: g.len(),
                x,
                width: w,
                glyph,
            });
            x += w;
            if is_space {
                break_at = Some(cells.len());
            }
        }
        rows.push(finish_row(row_start, block.end, cells));
        if let Some(bidi) = self.bidi {
            self.reorder(block, &mut rows, bidi);
        }
        rows
    }

    /// Puts each row of a block in display order: levels from the whole
    /// paragraph, one row at a time (wrap first, then reorder).
    fn reorder(&self, block: &Range<usize>, rows: &mut [Row], bidi: Bidi) {
        let paragraph = self.doc.line_start(self.doc.line_of(block.start));
        let resolved = bidi
            .cache
            .resolve(self.doc, paragraph, block.clone(), bidi.direction);
        if resolved.is_identity() {
            return;
        }
        let text = self.doc.slice(block.clone());
        let base = block.start;
        let rtl = resolved.is_rtl();
        for row in rows.iter_mut() {
            let units: Vec<Range<usize>> = row
                .cells
                .iter()
                .map(|c| c.byte - base..c.byte - base + c.len)
                .collect();
            let order = resolved.order_row(text, row.start - base..row.end - base, &units);
            let shift = if rtl {
                self.width.saturating_sub(row.width)
            } else {
                0
            };
            let mut x = shift;
            let mut cells = Vec::with_capacity(row.cells.len());
            for &l in order.visual() {
                let Some(mut c) = row.cells.get(l).copied() else {
                    continue;
                };
                c.x = x;
                x = x.saturating_add(c.width);
                if c.glyph == Glyph::Text
                    && order.is_rtl(l)
                    && let Some(m) = mirrored(self.doc.slice(c.byte..c.byte + c.len))
                {
                    c.glyph = Glyph::Mirrored(m);
                }
                cells.push(c);
            }
            row.cells = cells;
            row.rtl = rtl;
            if rtl {
                // The end of a right-to-left row is on its left.
                row.width = shift.saturating_sub(1);
                if row.cells.is_empty() {
                    row.width = self.width - 1;
                }
            }
        }
    }

    /// The position one cell to the left (or right) of `b` on the screen:
    /// the neighbouring cell of its row, and past the row's edge the
    /// neighbouring position in reading order (so `h` at the left edge of a
    /// right-to-left row goes on to the next row).
    pub fn visual_step(&self, b: usize, left: bool) -> usize {
        let block = self.block_at(b);
        let rows = self.wrap(&block);
        let (ri, _) = locate_in_rows(&rows, b);
        let Some(row) = rows.get(ri) else {
            return b;
        };
        // Stops left to right: the cells, and the row's end where it is shown.
        let ends_here = b == row.end || rows.get(ri + 1).is_none_or(|n| n.start != row.end);
        let mut stops: Vec<usize> = row.cells.iter().map(|c| c.byte).collect();
        if ends_here && !row.cells.iter().any(|c| c.byte == row.end) {
            if row.rtl {
                stops.insert(0, row.end);
            } else {
                stops.push(row.end);
            }
        }
        let at = stops.iter().position(|&s| s == b).or_else(|| {
            row.cells
                .iter()
                .position(|c| c.byte <= b && b < c.byte + c.len)
        });
        let next = at.and_then(|v| if left { v.checked_sub(1) } else { Some(v + 1) });
        if let Some(&s) = next.and_then(|v| stops.get(v)) {
            return s;
        }
        // Off the edge: on in reading order from the row's first or last stop.
        let forward = left == row.rtl;
        let last = stops.iter().copied().max().unwrap_or(row.end);
        if forward {
            self.doc.next_grapheme(last)
        } else {
            self.doc.prev_grapheme(row.start)
        }
    }

    /// Block, row index and column of byte `b`.
    pub fn locate(&self, b: usize) -> (Range<usize>, usize, u16) {
        let block = self.block_at(b);
        let rows = self.wrap(&block);
        let (r, x) = locate_in_rows(&rows, b);
        (block, r, x)
    }

    /// The row position of byte `b`.
    pub fn row_pos(&self, b: usize) -> RowPos {
        let (block, row, _) = self.locate(b);
        RowPos {
            block: block.start,
            row,
        }
    }

    /// `n` rows starting at `top` (fewer at the end of the text), each with the
    /// row position it stands at.
    pub fn rows_from(&self, top: RowPos, n: usize) -> Vec<(RowPos, Row)> {
        let mut out = Vec::with_capacity(n);
        let mut block = self.block_at(top.block);
        let mut skip = top.row;
        loop {
            let rows = self.wrap(&block);
            let skip_now = skip.min(rows.len().saturating_sub(1));
            for (i, r) in rows.iter().enumerate().skip(skip_now) {
                if out.len() >= n {
                    return out;
                }
                out.push((
                    RowPos {
                        block: block.start,
                        row: i,
                    },
                    r.clone(),
                ));
            }
            skip = 0;
            match self.next_block(&block) {
                Some(b) if out.len() < n => block = b,
                _ => return out,
            }
        }
    }

    /// Moves a row position by `delta` rows, stopping at the ends of the text.
    pub fn advance(&self, pos: RowPos, delta: isize) -> RowPos {
        let mut block = self.block_at(pos.block);
        let mut rows_in_block = self.wrap(&block).len();
        let mut row = pos.row.min(rows_in_block - 1) as isize + delta;
        while row < 0 {
            match self.prev_block(&block) {
                Some(b) => {
                    block = b;
                    rows_in_block = self.wrap(&block).len();
                    row += rows_in_block as isize;
                }
                None => {
                    row = 0;
                    break;
                }
            }
        }
        while row >= rows_in_block as isize {
            match self.next_block(&block) {
                Some(b) => {
                    row -= rows_in_block as isize;
                    block = b;
                    rows_in_block = self.wrap(&block).len();
                }
                None => {
                    row = rows_in_block as isize - 1;
                    break;
                }
            }
        }
        RowPos {
            block: block.start,
            row: row.max(0) as usize,
        }
    }

    /// Rows from `a` to `b` (positive when `b` is below), counting at most `limit`.
    pub fn distance(&self, a: RowPos, b: RowPos, limit: usize) -> Option<isize> {
        if a == b {
            return Some(0);
        }
        let forward = (b.block, b.row) > (a.block, a.row);
        let mut pos = a;
        for i in 1..=limit {
            let next = self.advance(pos, if forward { 1 } else { -1 });
            if next == pos {
                return None;
            }
            pos = next;
            if pos == b {
                return Some(if forward { i as isize } else { -(i as isize) });
            }
        }
        None
    }

    /// The byte of the grapheme at column `x` of a row (its end when past it:
    /// right of a left-to-right row, left of a right-aligned one).
    pub fn byte_at_x(&self, row: &Row, x: u16) -> usize {
        let before_rtl_row = row.rtl && row.cells.first().is_some_and(|c| x < c.x);
        if !before_rtl_row {
            // A cell that has width wins over a zero-width one at its column
            // (a hanging space squeezed to nothing).
            if let Some(c) = row
                .cells
                .iter()
                .find(|c| c.width > 0 && c.x <= x && x < c.x + c.width)
            {
                return c.byte;
            }
            for c in &row.cells {
                if x < c.x + c.width.max(1) {
                    return c.byte;
                }
            }
        }
        // Past the end: the row's end, unless the row ended on a hanging space
        // that belongs to it (then the last grapheme).
        match row.cells.iter().max_by_key(|c| c.byte) {
            Some(c)
                if c.byte + c.len == row.end
                    && row.end < self.doc.line_end(self.doc.line_of(row.start)) =>
            {
                c.byte
            }
            _ => row.end,
        }
    }
}

/// Which block's rows are kept: the document ([`Document::id`]), the block,
/// and what its rows depend on besides the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct RowKey {
    doc: u64,
    block: (usize, usize),
    width: u16,
    tab: u16,
    /// None: logical order.
    direction: Option<Direction>,
}

/// Laid-out blocks, the least recently used dropped first when more than
/// [`CACHE_ROW_BLOCKS`] blocks or [`CACHE_ROW_CELLS`] cells are kept. A
/// resize or another direction asks under another key; the rows of the old
/// one age out.
#[derive(Debug, Default)]
pub(crate) struct RowCache {
    inner: Mutex<RowStore>,
}

#[derive(Debug, Default)]
struct RowStore {
    blocks: HashMap<RowKey, (u64, Arc<[Row]>)>,
    cells: usize,
    clock: u64,
}

fn cells_of(rows: &[Row]) -> usize {
    rows.iter().map(|r| r.cells.len() + 1).sum()
}

impl RowCache {
    fn get(&self, key: &RowKey) -> Option<Arc<[Row]>> {
        let mut store = self.inner.lock().ok()?;
        store.clock += 1;
        let now = store.clock;
        let (used, rows) = store.blocks.get_mut(key)?;
        *used = now;
        Some(Arc::clone(rows))
    }

    fn put(&self, key: RowKey, rows: Arc<[Row]>) {
        let Ok(mut store) = self.inner.lock() else {
            return;
        };
        store.clock += 1;
        let now = store.clock;
        store.cells += cells_of(&rows);
        if let Some((_, old)) = store.blocks.insert(key, (now, rows)) {
            store.cells -= cells_of(&old);
        }
        while store.blocks.len() > 1
            && (store.blocks.len() > CACHE_ROW_BLOCKS || store.cells > CACHE_ROW_CELLS)
        {
            let Some(oldest) = store
                .blocks
                .iter()
                .min_by_key(|(_, (used, _))| *used)
                .map(|(k, _)| *k)
            else {
                break;
            };
            if let Some((_, old)) = store.blocks.remove(&oldest) {
                store.cells -= cells_of(&old);
            }
        }
    }

    /// How many blocks are kept (for tests).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().map(|s| s.blocks.len()).unwrap_or(0)
    }
}

fn finish_row(start: usize, end: usize, cells: Vec<Cell>) -> Row {
    let width = cells.last().map(|c| c.x + c.width).unwrap_or(0);
    Row {
        start,
        end,
        cells,
        width,
        rtl: false,
    }
}

/// Row index and column of `b` among a block's rows. A position at a row's end
/// that is also the next row's start belongs to the next row.
pub fn locate_in_rows(rows: &[Row], b: usize) -> (usize, u16) {
    for (i, r) in rows.iter().enumerate() {
        if let Some(c) = r.cells.iter().find(|c| c.byte <= b && b < c.byte + c.len) {
            return (i, c.x);
        }
        let last = i + 1 == rows.len();
        if b == r.end && (last || rows[i + 1].start != b) {
            return (i, r.width);
        }
    }
    (
        rows.len().saturating_sub(1),
        rows.last().map(|r| r.width).unwrap_or(0),
    )
}

/// How a grapheme is shown at column `x` and how wide it is.
fn glyph_of(g: &str, x: u16, tab: u16) -> (Glyph, u16) {
    if g == "\t" {
        return (Glyph::Tab, tab - (x % tab));
    }
    let first = g.chars().next().unwrap_or(' ');
    if first.is_control() {
        // C0/C1 controls (a lone CR, form feed, …) are shown as control pictures.
        let pic = match first as u32 {
            c @ 0..=0x1f => char::from_u32(0x2400 + c).unwrap_or('�'),
            0x7f => '␡',
            _ => '�',
        };
        return (Glyph::Placeholder(pic), 1);
    }
    let w = UnicodeWidthStr::width(g);
    if w == 0 {
        // Zero-width characters on their own (ZWSP, LRM/RLM, a BOM inside the
        // text) still get a cell so the cursor can stand on them.
        return (Glyph::Placeholder('·'), 1);
    }
    (Glyph::Text, w.min(u16::MAX as usize) as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn doc(s: &str) -> Document {
        Document::from_string(s.to_string())
    }

    fn row_texts(d: &Document, width: u16) -> Vec<String> {
        let l = Layout::new(d, width);
        l.rows_from(RowPos::default(), 1000)
            .into_iter()
            .map(|(_, r)| d.slice(r.start..r.end).to_string())
            .collect()
    }

    #[test]
    fn wraps_at_words() {
        let d = doc("the quick brown fox jumps\nover");
        assert_eq!(
            row_texts(&d, 10),
            ["the quick ", "brown fox ", "jumps", "over"]
        );
    }

    #[test]
    fn long_words_break_hard() {
        let d = doc("abcdefghijkl mnop");
        assert_eq!(row_texts(&d, 5), ["abcde", "fghij", "kl ", "mnop"]);
    }

    #[test]
    fn wide_and_zero_width() {
        let d = doc("中文字符👨‍👩‍👧🇦🇫e\u{301}\u{200f}x");
        let l = Layout::new(&d, 80);
        let rows = l.wrap(&l.block_at(0));
        let widths: Vec<u16> = rows[0].cells.iter().map(|c| c.width).collect();
        assert_eq!(widths, [2, 2, 2, 2, 2, 2, 1, 1, 1]);
        let rows = Layout::new(&d, 5).rows_from(RowPos::default(), 10);
        assert!(rows.iter().all(|(_, r)| r.width <= 5));
    }

    #[test]
    fn tabs_expand_to_stops() {
        let d = doc("a\tb\t\tc");
        let l = Layout::new(&d, 80);
        let rows = l.wrap(&l.block_at(0));
        let xs: Vec<u16> = rows[0].cells.iter().map(|c| c.x).collect();
        assert_eq!(xs, [0, 1, 4, 5, 8, 12]);
    }

    #[test]
    fn huge_line_is_split_into_blocks() {
        let s = "word ".repeat(10_000);
        let d = doc(&s);
        let l = Layout::new(&d, 40);
        let b0 = l.block_at(0);
        assert!(b0.len() <= MAX_BLOCK);
        let mid = l.block_at(25_000);
        assert!(mid.contains(&25_000));
        assert_eq!(
            l.next_block(&l.prev_block(&mid).unwrap()),
            Some(mid.clone())
        );
        let top = l.row_pos(25_000);
        let rows = l.rows_from(top, 10);
        assert_eq!(rows.len(), 10);
        assert!(rows[0].1.start <= 25_000 && 25_000 <= rows[0].1.end);
    }

    #[test]
    fn advance_and_distance() {
        let d = doc("aaaa bbbb cccc\n\ndddd");
        let l = Layout::new(&d, 5);
        let p = l.advance(RowPos::default(), 3);
        assert_eq!(p, RowPos { block: 15, row: 0 });
        assert_eq!(l.distance(RowPos::default(), p, 10), Some(3));
        assert_eq!(l.advance(p, -10), RowPos::default());
        assert_eq!(l.advance(p, 10), RowPos { block: 16, row: 0 });
    }

    #[test]
    fn locate_end_of_line_and_text() {
        let d = doc("ab\ncd");
        let l = Layout::new(&d, 10);
        assert_eq!(l.locate(2).1..l.locate(2).1, 0..0);
        assert_eq!(l.locate(2).2, 2);
        assert_eq!(l.locate(5).2, 2);
    }

    fn shown_rows(d: &Document, width: u16, cache: &BidiCache) -> Vec<String> {
        let l = Layout::new(d, width).with_bidi(cache, Direction::Auto);
        l.rows_from(RowPos::default(), 1000)
            .into_iter()
            .map(|(_, r)| {
                let mut out = String::new();
                let mut col = 0u16;
                for c in &r.cells {
                    while col < c.x {
                        out.push(' ');
                        col += 1;
                    }
                    match c.glyph {
                        Glyph::Text => out.push_str(d.slice(c.byte..c.byte + c.len)),
                        Glyph::Mirrored(m) => out.push(m),
                        Glyph::Tab => out.push_str(&" ".repeat(c.width as usize)),
                        Glyph::Placeholder(p) => out.push(p),
                    }
                    col += c.width;
                }
                out.trim_end().to_string()
            })
            .collect()
    }

    #[test]
    fn rtl_rows_are_wrapped_then_reordered_and_right_aligned() {
        // "Ahmad Shah said in Kabul on 12 March" in Dari, then a Latin line.
        let d = doc("احمد شاه روز ۱۲ مارچ در Kabul گفت.\nKabul");
        let cache = BidiCache::new();
        let rows = shown_rows(&d, 20, &cache);
        // Read right to left: the words in order, the number and the English
        // name left to right inside, the full stop at the left end.
        assert_eq!(
            rows,
            ["چرام ۱۲ زور هاش دمحا", "       .تفگ Kabul رد", "Kabul"]
        );
    }

    #[test]
    fn rtl_click_and_cursor_columns() {
        let d = doc("سلام دنیا");
        let cache = BidiCache::new();
        let l = Layout::new(&d, 20).with_bidi(&cache, Direction::Auto);
        let rows = l.wrap(&l.block_at(0));
        let r = &rows[0];
        assert!(r.rtl);
        // right-aligned: the first letter is in the last column
        assert_eq!(l.locate(0).2, 19);
        assert_eq!(l.byte_at_x(r, 19), 0);
        // the end of the line stands left of its last letter
        let end = d.len_bytes();
        assert_eq!(l.locate(end).2, 19 - 9);
        assert_eq!(l.byte_at_x(r, 0), end);
        // h moves left on the screen: forward in a right-to-left row
        assert_eq!(l.visual_step(0, true), d.next_grapheme(0));
        assert_eq!(l.visual_step(d.next_grapheme(0), false), 0);
    }

    #[test]
    fn laid_out_blocks_are_kept_per_document_width_and_direction() {
        let text = "احمد شاه روز ۱۲ مارچ در Kabul گفت.\nKabul";
        let d = doc(text);
        let cache = BidiCache::new();
        let l = Layout::new(&d, 20).with_bidi(&cache, Direction::Auto);
        let block = l.block_at(0);
        let first = l.wrap(&block);
        // a second frame is served the same rows, not laid out again
        assert!(Arc::ptr_eq(&first, &l.wrap(&block)));
        assert_eq!(cache.rows.len(), 1);
        // another width lays out again, and gives that width's rows
        let wide = Layout::new(&d, 40).with_bidi(&cache, Direction::Auto);
        let rows = wide.wrap(&block);
        assert!(!Arc::ptr_eq(&first, &rows));
        assert_eq!(cache.rows.len(), 2);
        let fresh = BidiCache::new();
        let want = Layout::new(&d, 40).with_bidi(&fresh, Direction::Auto);
        assert_eq!(&*rows, &*want.wrap(&block));
        assert_eq!(rows.len(), 1);
        assert_eq!(shown_rows(&d, 20, &cache)[1], "       .تفگ Kabul رد");
        // another direction, and another document with the same text, too
        let ltr = Layout::new(&d, 20).with_bidi(&cache, Direction::Ltr);
        assert!(!ltr.wrap(&block)[0].rtl);
        let again = doc(text);
        let l2 = Layout::new(&again, 20).with_bidi(&cache, Direction::Auto);
        assert!(!Arc::ptr_eq(&first, &l2.wrap(&block)));
        assert_eq!(&*first, &*l2.wrap(&block));
        // and an identical layout still hits
        assert!(Arc::ptr_eq(&first, &l.wrap(&block)));
        // logical order is kept apart, and is what an uncached layout gives
        let logical = Layout::new(&d, 20).with_cache(&cache);
        let rows = logical.wrap(&block);
        assert!(Arc::ptr_eq(&rows, &logical.wrap(&block)));
        assert_eq!(&*rows, &*Layout::new(&d, 20).wrap(&block));
        assert!(!rows[0].rtl);
    }

    #[test]
    fn row_cache_is_bounded() {
        let d = doc(&"کابل\n".repeat(CACHE_ROW_BLOCKS + 10));
        let cache = BidiCache::new();
        let l = Layout::new(&d, 20).with_bidi(&cache, Direction::Auto);
        let rows = l.rows_from(RowPos::default(), CACHE_ROW_BLOCKS + 20);
        assert_eq!(rows.len(), CACHE_ROW_BLOCKS + 11);
        assert_eq!(cache.rows.len(), CACHE_ROW_BLOCKS);
        // the most recent blocks are the ones kept
        let last = l.block_at(d.len_bytes());
        let kept = l.wrap(&last);
        assert!(Arc::ptr_eq(&kept, &l.wrap(&last)));
    }

    #[test]
    fn bidi_off_layout_is_unchanged() {
        let d = doc("سلام (دنیا) hello");
        let l = Layout::new(&d, 20);
        let r = &l.wrap(&l.block_at(0))[0];
        assert!(!r.rtl);
        assert!(r.cells.windows(2).all(|w| w[0].byte < w[1].byte));
    }

    proptest! {
        #[test]
        fn bidi_rows_are_permutations_and_clicks_round_trip(
            s in "[a-z0-9 ()«»\u{0627}-\u{064a}\u{06cc}\u{06f0}-\u{06f9}\u{200c}\u{064b}\u{0301}.:/\n\t]{0,160}",
            w in 1u16..30,
            dir in prop_oneof![Just(Direction::Auto), Just(Direction::Ltr), Just(Direction::Rtl)],
        ) {
            let d = doc(&s);
            let cache = BidiCache::new();
            let plain = Layout::new(&d, w);
            let l = Layout::new(&d, w).with_bidi(&cache, dir);
            let logical = plain.rows_from(RowPos::default(), 10_000);
            let visual = l.rows_from(RowPos::default(), 10_000);
            prop_assert_eq!(logical.len(), visual.len());
            for ((_, a), (_, b)) in logical.iter().zip(&visual) {
                prop_assert_eq!((a.start, a.end), (b.start, b.end));
                // the same cells, each once: a permutation
                let mut bytes: Vec<usize> = b.cells.iter().map(|c| c.byte).collect();
                bytes.sort_unstable();
                let want: Vec<usize> = a.cells.iter().map(|c| c.byte).collect();
                prop_assert_eq!(bytes, want);
                // left to right, no overlap, inside the pane
                for pair in b.cells.windows(2) {
                    prop_assert!(pair[0].x + pair[0].width <= pair[1].x);
                }
                if let Some(c) = b.cells.last() {
                    prop_assert!(c.x + c.width <= w.max(2));
                }
                // click on a cell -> offset -> the same cell
                for c in b.cells.iter().filter(|c| c.width > 0) {
                    prop_assert_eq!(l.byte_at_x(b, c.x), c.byte);
                    let (_, _, x) = l.locate(c.byte);
                    prop_assert_eq!(x, c.x);
                }
            }
            // h then l (and l then h) come back, inside a row
            for (_, r) in &visual {
                for pair in r.cells.windows(2) {
                    prop_assert_eq!(l.visual_step(pair[1].byte, true), pair[0].byte);
                    prop_assert_eq!(l.visual_step(pair[0].byte, false), pair[1].byte);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn rows_cover_text_and_fit(s in "\\PC{0,120}|[a-z \t\r\n😀中\u{301}]{0,200}", w in 1u16..30) {
            let d = doc(&s);
            let l = Layout::new(&d, w);
            let rows = l.rows_from(RowPos::default(), 10_000);
            let mut covered = String::new();
            for (i, (_, r)) in rows.iter().enumerate() {
                prop_assert!(r.width <= w.max(2), "row {} width {} > {}", i, r.width, w);
                covered.push_str(d.slice(r.start..r.end));
            }
            let expected: String = (0..d.line_count()).map(|i| d.line(i)).collect();
            prop_assert_eq!(covered, expected);
            // every position is placed on a row that holds it (checked against
            // the rows laid out from the top, not against `locate` itself), at
            // the column of its cell
            for b in (0..=s.len()).filter(|&b| d.is_grapheme_boundary(b)) {
                let pos = l.row_pos(b);
                let row = rows.iter().find(|(p, _)| *p == pos).map(|(_, r)| r);
                prop_assert!(row.is_some(), "byte {} placed on {:?}, not a row", b, pos);
                let row = row.unwrap();
                prop_assert!(row.start <= b && b <= row.end, "byte {} not in row {:?}", b, row.start..row.end);
                if let Some(cell) = row.cells.iter().find(|c| c.byte == b) {
                    prop_assert_eq!(l.locate(b).2, cell.x);
                }
            }
        }
    }
}
