//! Moving the cursor and scrolling, by what is visible: only the rows near
//! the cursor are laid out.

use std::sync::Arc;

use claimtag_model::Document;

use super::App;
use crate::bidi::BidiView;
use crate::command::Command;
use crate::layout::{Layout, RowPos};

impl App {
    /// What laying out a pane needs: its document, text width and height,
    /// and the display order (see [`App::bidi_view`]).
    pub(super) fn layout_for(
        &self,
        pane: usize,
    ) -> Option<(Arc<Document>, u16, u16, Option<BidiView>)> {
        let doc = Arc::clone(self.doc_of(pane)?.doc());
        let area = self.pane_text_area(pane);
        Some((
            doc,
            area.width.max(1),
            area.height.max(1),
            self.bidi_view(pane),
        ))
    }

    pub(super) fn motion(&mut self, c: Command, extend: bool) {
        use Command::*;
        let f = self.focus;
        let Some((doc, width, height, view)) = self.layout_for(f) else {
            return;
        };
        let layout = Layout::new(&doc, width).with_view(view.as_ref());
        let pane = &mut self.panes[f];
        if extend && pane.anchor.is_none() {
            pane.anchor = Some(pane.cursor);
        }
        let cur = pane.cursor;
        let mut keep_x = false;
        let new = match c {
            // Left and right on the screen: in a right-to-left row, left is
            // forward in the text (issue 13).
            Left => layout.visual_step(cur, true),
            Right => layout.visual_step(cur, false),
            Up | Down => {
                keep_x = true;
                let (block, row, x) = layout.locate(cur);
                let want = *pane.want_x.get_or_insert(x);
                let pos = RowPos {
                    block: block.start,
                    row,
                };
                let target = layout.advance(pos, if c == Up { -1 } else { 1 });
                if target == pos {
                    if c == Up { 0 } else { doc.len_bytes() }
                } else {
                    row_byte(&layout, target, want)
                }
            }
            PageUp | PageDown | HalfPageUp | HalfPageDown => {
                keep_x = true;
                let rows = match c {
                    PageUp | PageDown => height.saturating_sub(2).max(1),
                    _ => (height / 2).max(1),
                } as isize;
                let delta = if matches!(c, PageUp | HalfPageUp) {
                    -rows
                } else {
                    rows
                };
                let (block, row, x) = layout.locate(cur);
                let want = *pane.want_x.get_or_insert(x);
                let pos = RowPos {
                    block: block.start,
                    row,
                };
                pane.top = layout.advance(pane.top, delta);
                let target = layout.advance(pos, delta);
                row_byte(&layout, target, want)
            }
            WordNext => doc.next_word(cur),
            WordPrev => doc.prev_word(cur),
            SentenceNext => doc.next_sentence(cur),
            SentencePrev => doc.prev_sentence(cur),
            ParagraphNext => doc.next_paragraph(cur),
            ParagraphPrev => doc.prev_paragraph(cur),
            Top => 0,
            Bottom => doc.len_bytes(),
            _ => cur,
        };
        pane.cursor = doc.snap_down(new);
        if !keep_x {
            pane.want_x = None;
        }
        self.scroll_to_cursor(f);
    }

    /// Moves the pane's view so the cursor is on screen.
    pub fn scroll_to_cursor(&mut self, pane: usize) {
        let Some((doc, width, height, view)) = self.layout_for(pane) else {
            return;
        };
        let layout = Layout::new(&doc, width).with_view(view.as_ref());
        let p = &mut self.panes[pane];
        p.cursor = doc.snap_down(p.cursor.min(doc.len_bytes()));
        // The top may point into a block that no longer exists after a resize.
        let top_block = layout.block_at(p.top.block);
        p.top.block = top_block.start;
        let rows = layout.rows_from(p.top, height as usize);
        let (first, last) = match (rows.first(), rows.last()) {
            (Some(f), Some(l)) => (f.1.start, l.1.end),
            _ => (0, 0),
        };
        let cur = p.cursor;
        let cur_pos = layout.row_pos(cur);
        let inside = cur >= first
            && (cur < last
                || (cur == last && cur_pos == rows.last().map(|r| r.0).unwrap_or_default()));
        if inside {
            return;
        }
        if cur < first {
            p.top = cur_pos;
        } else {
            p.top = layout.advance(cur_pos, -(height as isize - 1));
        }
    }

    pub(super) fn scroll(&mut self, pane: usize, delta: isize) {
        let Some((doc, width, height, view)) = self.layout_for(pane) else {
            return;
        };
        let layout = Layout::new(&doc, width).with_view(view.as_ref());
        let p = &mut self.panes[pane];
        p.top = layout.advance(p.top, delta);
        // Keep the cursor inside the view.
        let rows = layout.rows_from(p.top, height as usize);
        if let (Some(f), Some(l)) = (rows.first(), rows.last())
            && (p.cursor < f.1.start || p.cursor > l.1.end)
        {
            p.cursor = if p.cursor < f.1.start {
                f.1.start
            } else {
                doc.snap_down(l.1.start)
            };
        }
    }
}

/// The byte at column `x` of the row at `pos`.
fn row_byte(layout: &Layout, pos: RowPos, x: u16) -> usize {
    let rows = layout.wrap(&layout.block_at(pos.block));
    match rows.get(pos.row).or(rows.last()) {
        Some(r) => layout.byte_at_x(r, x),
        None => pos.block,
    }
}
