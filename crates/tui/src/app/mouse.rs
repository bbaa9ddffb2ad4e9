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
            let (doc, width, height) = self.layout_for(i)?;
            let layout = Layout::new(&doc, width);
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
                    let p = &mut self.panes[pane];
                    p.cursor = b;
                    p.anchor = None;
                    p.want_x = None;
                    self.drag_from = Some(b);
                }
            }
            MouseEventKind::Drag(MouseButton::Left) => {
                if let (Some(from), Some((pane, b))) = (self.drag_from, self.hit(m.column, m.row))
                    && pane == self.focus
                {
                    let p = &mut self.panes[pane];
                    p.anchor = Some(from);
                    p.cursor = b;
                    self.scroll_to_cursor(pane);
                }
            }
            MouseEventKind::Up(MouseButton::Left) => {
                self.drag_from = None;
                let p = &mut self.panes[self.focus];
                if p.anchor == Some(p.cursor) {
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
