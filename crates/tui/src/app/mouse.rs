//! The mouse: click to place the cursor, drag to select, wheel to scroll.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use super::{App, Overlay, screen_areas};
use crate::layout::Layout;

impl App {
    /// The pane and byte under a screen position.
    pub fn hit(&self, x: u16, y: u16) -> Option<(usize, usize)> {
        let (rects, _) = screen_areas(self.size, self.panes.len());
        for i in 0..self.panes.len() {
            let area = self.pane_text_area(i);
            let outer = rects.get(i).copied().unwrap_or_default();
            if x < outer.x || x >= outer.x + outer.width || y >= outer.y + outer.height {
                continue;
            }
            let (doc, width, height, view) = self.layout_for(i)?;
            let layout = Layout::new(&doc, width).with_view(view.as_ref());
            let rows = layout.rows_from(self.panes[i].top, height as usize);
            let ry = y.saturating_sub(area.y) as usize;
            let row = rows.get(ry).or(rows.last())?;
            let b = layout.byte_at_x(&row.1, x.saturating_sub(area.x));
            return Some((i, doc.snap_down(b)));
        }
        None
    }

    pub(super) fn mouse(&mut self, m: MouseEvent) {
        if !matches!(self.overlay, Overlay::None) {
            return;
        }
        match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                if let Some((pane, b)) = self.hit(m.column, m.row) {
                    self.focus = pane;
                    // A click on a word selects that word (issue 13): what
                    // the eye picked on a reordered row, in logical order.
                    let word = self.doc_of(pane).and_then(|d| {
                        let doc = d.doc();
                        doc.word_at(b).map(|w| (w.start, doc.prev_grapheme(w.end)))
                    });
                    let p = &mut self.panes[pane];
                    p.want_x = None;
                    match word {
                        Some((start, last)) => {
                            p.anchor = Some(start);
                            p.cursor = last;
                        }
                        None => {
                            p.cursor = b;
                            p.anchor = None;
                        }
                    }
                    self.drag_from = Some(b);
                    self.dragged = false;
                }
            }
            MouseEventKind::Drag(MouseButton::Left) => {
                if let (Some(from), Some((pane, b))) = (self.drag_from, self.hit(m.column, m.row))
                    && pane == self.focus
                {
                    // A drag selects the logical range between the two points.
                    let p = &mut self.panes[pane];
                    p.anchor = Some(from);
                    p.cursor = b;
                    self.dragged = true;
                    self.scroll_to_cursor(pane);
                }
            }
            MouseEventKind::Up(MouseButton::Left) => {
                self.drag_from = None;
                let p = &mut self.panes[self.focus];
                // A drag back onto its start selects nothing; a click on a
                // one-letter word keeps it selected.
                if self.dragged && p.anchor == Some(p.cursor) {
                    p.anchor = None;
                }
            }
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let pane = self.hit(m.column, m.row).map(|h| h.0).unwrap_or(self.focus);
                let d = if m.kind == MouseEventKind::ScrollDown {
                    3
                } else {
                    -3
                };
                self.scroll(pane, d);
                if let Some(r) = self.review.as_ref()
                    && r.locked
                {
                    self.focus = pane;
                    super::review::sync_scroll(self);
                }
            }
            _ => {}
        }
    }
}
