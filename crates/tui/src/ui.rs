//! Drawing: a pure function of the state. Only visible rows are laid out.

use std::ops::Range;

use ratatui::buffer::{Buffer, CellWidth};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use crate::layout::{Cell, Glyph, Layout};

use crate::app::{App, EditForm, Level, Overlay, Slot, screen_areas, short, text_area};
use crate::command::{Command, Mode};

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let (rects, status) = screen_areas((area.width, area.height), self.panes.len());
        for (i, r) in rects.iter().enumerate() {
            draw_pane(self, i, *r, buf);
        }
        draw_status(self, status, buf);
        match &self.overlay {
            Overlay::None | Overlay::Search(_) => {}
            Overlay::Help { scroll } => draw_help(self, *scroll, area, buf),
            Overlay::Corpus { selected, filter } => {
                draw_corpus(self, *selected, *filter, area, buf)
            }
            Overlay::Edit(form) => draw_edit(self, form, area, buf),
            Overlay::Conflict(slot) => draw_conflict(self, *slot, area, buf),
            Overlay::Diffs { selected } => draw_diffs(self, *selected, area, buf),
            Overlay::Orphans { selected } => draw_orphans(self, *selected, area, buf),
            Overlay::Conflicts { selected } => draw_conflicts(self, *selected, area, buf),
            Overlay::Status { lines, scroll } => {
                draw_status_screen(self, lines, *scroll, area, buf)
            }
            Overlay::TakeOver(slot) => draw_take_over(self, *slot, area, buf),
            Overlay::Link(l) => {
                if let Some(menu) = &l.menu {
                    draw_relation_menu(self, l, menu, area, buf);
                }
            }
        }
    }
}

fn pane_title(app: &App, i: usize) -> String {
    let pane = &app.panes[i];
    let slot = app.slots.get(pane.slot);
    let name = slot
        .map(|s| {
            s.path()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let who = match &app.review {
        Some(r) if i == 1 => format!("{} (theirs, read-only)", r.theirs),
        Some(r) => format!("{} (target)", r.target_name(&app.annotator)),
        None => app.annotator.clone(),
    };
    let state = match slot {
        Some(Slot::Ready(d)) if d.preview => " [loading…]",
        Some(Slot::Ready(d)) if d.article.read_only.is_some() => " [read-only]",
        Some(Slot::Ready(d)) if d.conflict => " [changed on disk]",
        Some(Slot::Ready(d)) if d.dirty => " [modified]",
        Some(Slot::Pending(_)) => " [loading]",
        Some(Slot::Failed(..)) => " [error]",
        _ => "",
    };
    // When the pane is narrow the file name gives way first (down to “…”),
    // then the annotator's name, never the role or the state.
    let width = app.pane_text_area(i).width as usize + 1;
    let (who, role) = match who.find(" (") {
        Some(k) => (who[..k].to_string(), who[k..].to_string()),
        None => (who, String::new()),
    };
    let role = if app.review.is_some() && i == 1 && width < 40 {
        " (theirs)".to_string()
    } else {
        role
    };
    let fixed = role.chars().count() + state.chars().count() + 5;
    let room = width.saturating_sub(fixed + who.chars().count());
    let name = shorten(&name, room.max(1));
    let room_who = width.saturating_sub(fixed + name.chars().count());
    let who = shorten(&who, room_who.max(1));
    format!(" {name} · {who}{role}{state} ")
}

/// `s` cut to `max` characters, ending in “…” when cut.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max.saturating_sub(1)).collect::<String>() + "…"
    }
}

fn draw_pane(app: &App, i: usize, outer: Rect, buf: &mut Buffer) {
    if outer.height == 0 || outer.width == 0 {
        return;
    }
    let focused = i == app.focus;
    let last = i + 1 == app.panes.len();
    let title_style = if focused {
        app.theme.title_focused
    } else {
        app.theme.title
    };
    let title_row = Rect::new(outer.x, outer.y, outer.width, 1);
    buf.set_style(title_row, title_style);
    buf.set_stringn(
        outer.x,
        outer.y,
        pane_title(app, i),
        outer.width as usize,
        title_style,
    );
    let area = text_area(outer, last);
    if !last {
        for y in area.y..area.y + area.height {
            buf.set_stringn(outer.x + outer.width - 1, y, "│", 1, app.theme.dim);
        }
    }
    if area.height == 0 {
        return;
    }
    let pane = &app.panes[i];
    let d = match app.slots.get(pane.slot) {
        Some(Slot::Ready(d)) => d,
        Some(s @ (Slot::Pending(_) | Slot::Summary(_))) => {
            let msg = format!("loading {} …", s.path().display());
            buf.set_stringn(area.x, area.y, msg, area.width as usize, app.theme.dim);
            return;
        }
        Some(Slot::Failed(_, e)) => {
            Paragraph::new(e.as_str())
                .style(app.theme.error)
                .wrap(Wrap { trim: false })
                .render(area, buf);
            return;
        }
        None => return,
    };
    let doc = d.doc();
    if doc.is_empty() {
        buf.set_stringn(area.x, area.y, " ", 1, app.theme.cursor);
        if area.width > 2 {
            buf.set_stringn(
                area.x + 2,
                area.y,
                "(empty file)",
                area.width as usize - 2,
                app.theme.dim,
            );
        }
        return;
    }
    let view = app.bidi_view(i);
    let layout = Layout::new(doc, area.width).with_view(view.as_ref());
    let rows = layout.rows_from(pane.top, area.height as usize);
    let (vis_start, vis_end) = match (rows.first(), rows.last()) {
        (Some(f), Some(l)) => (f.1.start, l.1.end),
        _ => return,
    };
    // Spans, differences and matches that touch the visible text.
    let spans: Vec<(Range<usize>, Style)> = d
        .spans
        .iter()
        .zip(d.annotations())
        .filter_map(|(r, a)| {
            let r = r.as_ref()?;
            (r.start < vis_end.max(vis_start + 1) && r.end > vis_start)
                .then(|| (r.clone(), app.theme.label(&app.scheme, &a.label)))
        })
        .collect();
    // Suggestions left (ghost spans) that touch the visible text.
    let ghosts: Vec<(Range<usize>, Style)> = d
        .suggestions
        .ghosts
        .iter()
        .filter(|(_, r)| r.start < vis_end.max(vis_start + 1) && r.end > vis_start)
        .filter_map(|(i, r)| {
            let a = d.suggestions.get(*i)?;
            Some((r.clone(), app.theme.ghost(&app.scheme, &a.label)))
        })
        .collect();
    let diffs: Vec<Range<usize>> = if app.review.is_some() {
        app.visible_diffs(vis_start..vis_end)
    } else {
        vec![]
    };
    let matches = match &app.search {
        Some(q) if app.search_shown => visible_matches(doc.text(), q, vis_start..vis_end),
        _ => vec![],
    };
    // What is highlighted is what a tag would store (issue 13): the logical
    // range between the selection's ends, trimmed as tagging trims it; on a
    // reordered row it may show as several pieces.
    let selection = app.selection(i).map(|r| {
        let t = doc.snap_selection(r.clone(), app.trim);
        if t.is_empty() { r } else { t }
    });
    // While choosing a link's target in this pane: the target under the cursor.
    let link_target = match &app.overlay {
        Overlay::Link(l) if l.pane == i => app
            .link_target()
            .and_then(|t| d.spans.get(t).cloned().flatten()),
        _ => None,
    };
    let cursor = pane.cursor;
    let cursor_pos = layout.row_pos(cursor);
    for (y, (pos, row)) in rows.iter().enumerate() {
        let sy = area.y + y as u16;
        for cell in &row.cells {
            let b = cell.byte;
            let mut style = Style::new();
            let mut covering = spans.iter().filter(|(r, _)| r.start <= b && b < r.end);
            // A ghost shows only where none of one's own tags covers the text.
            let tagged = spans.iter().any(|(r, _)| r.start <= b && b < r.end);
            if !tagged
                && let Some((_, g)) = ghosts
                    .iter()
                    .filter(|(r, _)| r.start <= b && b < r.end)
                    .min_by_key(|(r, _)| r.len())
            {
                style = style.patch(*g);
            }
            if let Some(first) = covering.next() {
                // Innermost span decides the colour; overlaps are underlined.
                let mut best = first;
                let mut n = 1;
                for s in covering {
                    n += 1;
                    if s.0.len() < best.0.len() {
                        best = s;
                    }
                }
                // Spans on exactly the same range share the cells: the
                // labels take turns, column by column, so each shows.
                let same: Vec<Style> = spans
                    .iter()
                    .filter(|(r, _)| *r == best.0)
                    .map(|(_, s)| *s)
                    .fold(Vec::new(), |mut v, s| {
                        if !v.contains(&s) {
                            v.push(s);
                        }
                        v
                    });
                let pick = same.get(cell.x as usize % same.len().max(1)).copied();
                style = style.patch(pick.unwrap_or(best.1));
                if n > 1 {
                    style = style.add_modifier(Modifier::UNDERLINED | Modifier::BOLD);
                }
            }
            if diffs.iter().any(|r| r.start <= b && b < r.end) {
                style = style.patch(app.theme.diff);
            }
            if matches.iter().any(|r| r.start <= b && b < r.end) {
                style = style.patch(app.theme.search);
            }
            if selection
                .as_ref()
                .is_some_and(|r| r.start <= b && b < r.end)
            {
                style = style.patch(app.theme.selection);
            }
            if link_target
                .as_ref()
                .is_some_and(|r| r.start <= b && b < r.end)
            {
                style = style.patch(app.theme.link_target);
            }
            if b == cursor {
                style = style.patch(app.theme.cursor);
                if !focused {
                    style = style.add_modifier(Modifier::DIM);
                }
            }
            let x = area.x + cell.x;
            let w = cell.width as usize;
            if cell.width == 0 || cell.x >= area.width {
                continue;
            }
            match cell.glyph {
                Glyph::Text => {
                    let g = doc.slice(b..b + cell.len);
                    let measured = measured_width(cell, g, area.width);
                    put_grapheme(buf, x, sy, g, measured, cell.width, style);
                }
                Glyph::Tab => {
                    buf.set_stringn(x, sy, " ".repeat(w), w, style);
                }
                Glyph::Mirrored(c) => {
                    put_grapheme(
                        buf,
                        x,
                        sy,
                        c.encode_utf8(&mut [0; 4]),
                        None,
                        cell.width,
                        style,
                    );
                }
                Glyph::Placeholder(c) => {
                    let s = if style == Style::new() {
                        app.theme.dim
                    } else {
                        style
                    };
                    put_grapheme(buf, x, sy, c.encode_utf8(&mut [0; 4]), None, 1, s);
                }
            }
        }
        // The cursor at the end of a line (or of the text) stands after it.
        let at_end =
            cursor == row.end && *pos == cursor_pos && !row.cells.iter().any(|c| c.byte == cursor);
        if at_end {
            let x = row.width.min(area.width.saturating_sub(1));
            let mut style = app.theme.cursor;
            if !focused {
                style = style.add_modifier(Modifier::DIM);
            }
            buf.set_stringn(area.x + x, sy, " ", 1, style);
        }
    }
}

/// Draws one grapheme as [`Buffer::set_stringn`] draws a string of one
/// (the same filter, width and clipping), without cutting it into graphemes
/// again: the layout did, so a frame of Dari costs what one of ASCII does.
/// `measured` is the grapheme's width when the layout knows it as ratatui
/// counts it; else it is measured here.
fn put_grapheme(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    g: &str,
    measured: Option<u16>,
    max_width: u16,
    style: Style,
) {
    if g.contains(char::is_control) {
        return;
    }
    let width = measured.unwrap_or_else(|| g.cell_width());
    let room = buf.area.right().saturating_sub(x).min(max_width);
    if width == 0 || width > room {
        return;
    }
    buf[(x, y)].set_symbol(g).set_style(style);
    // The cells a wide grapheme covers are emptied, as set_stringn does.
    for hidden in x + 1..x + width {
        buf[(hidden, y)].reset();
    }
}

/// The width ratatui gives a text cell's grapheme, from the layout's: they
/// agree unless the layout clipped it to a pane narrower than the grapheme,
/// or it holds a halfwidth (han)dakuten, which ratatui counts as a cell.
fn measured_width(cell: &Cell, g: &str, pane_width: u16) -> Option<u16> {
    (cell.glyph == Glyph::Text && cell.width < pane_width && !g.contains(['\u{ff9e}', '\u{ff9f}']))
        .then_some(cell.width)
}

/// Matches of `q` that touch the visible bytes `vis`: only the window (and a
/// needle's length either side) is searched, so a frame costs the same with a
/// search active however far away the next match is.
pub fn visible_matches(text: &str, q: &str, vis: Range<usize>) -> Vec<Range<usize>> {
    let Some(query) = claimtag_model::search::Query::parse(q) else {
        return vec![];
    };
    // A folded match may be longer than the query (ZWNJ, tatweel, a letter
    // whose lower case is longer): a margin of four times its length.
    let margin = 4 * q.len() + 16;
    let lo = claimtag_model::text::floor_char_boundary(text, vis.start.saturating_sub(margin));
    let hi = claimtag_model::text::ceil_char_boundary(text, (vis.end + margin).min(text.len()));
    let window = &text[lo..hi];
    let mut v = Vec::new();
    let mut from = 0;
    while let Some(m) = query.find(window, from) {
        let (s, e) = (lo + m.start, lo + m.end);
        if s >= vis.end.max(vis.start + 1) {
            break;
        }
        if e > vis.start {
            v.push(s..e);
        }
        from = m.end.max(m.start + 1);
    }
    v
}

fn draw_status(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    buf.set_style(area, app.theme.status);
    if let Overlay::Search(edit) = &app.overlay {
        let text = format!("/{}", edit.text);
        buf.set_stringn(area.x, area.y, &text, area.width as usize, app.theme.status);
        let cx = 1 + unicode_width::UnicodeWidthStr::width(&edit.text[..edit.cursor]) as u16;
        if cx < area.width {
            buf.set_stringn(area.x + cx, area.y, " ", 1, app.theme.cursor);
        }
        return;
    }
    // Parts in display order, each with a priority: when the line is short,
    // the lowest priorities give way first. Separators are added between the
    // parts that remain.
    let mut parts: Vec<(u8, Vec<Span>)> = Vec::new();
    // The counts per label in a short form (`c:3 d:1 e:0`), for narrow screens.
    let mut counts_compact: Option<Vec<Span>> = None;
    let pane = app.focused();
    if let Some(d) = app.doc_of(app.focus) {
        if pane.anchor.is_some() {
            parts.push((9, vec![Span::styled("SELECT", app.theme.selection)]));
        }
        if let Overlay::Link(l) = &app.overlay {
            parts.push((
                9,
                vec![Span::styled(
                    format!("LINK from {}", l.from),
                    app.theme.link_target,
                )],
            ));
        }
        let (line, col) = d.doc().line_col(pane.cursor);
        parts.push((3, vec![Span::raw(d.article.file_name())]));
        parts.push((2, vec![Span::raw(app.annotator.clone())]));
        parts.push((6, vec![Span::raw(format!("{line}:{col}"))]));
        let counts = d.label_counts();
        let mut long = Vec::new();
        let mut short = Vec::new();
        for (li, l) in app.scheme.labels.iter().enumerate() {
            let n = counts.get(l.name.as_str()).copied().unwrap_or(0);
            let style = app.theme.labels.get(li).copied().unwrap_or_default();
            if li > 0 {
                long.push(Span::raw(" "));
                short.push(Span::raw(" "));
            }
            long.push(Span::styled(format!("{} {n}", l.name), style));
            short.push(Span::styled(format!("{}:{n}", l.key), style));
        }
        counts_compact = Some(short);
        parts.push((7, long));
        let orphans = d.orphans();
        if orphans > 0 {
            parts.push((
                7,
                vec![Span::styled(
                    format!(
                        "⚠ {orphans} unanchored ({} lists)",
                        app.key_for(Command::Unanchored)
                    ),
                    app.theme.warn,
                )],
            ));
        }
        if let Some(hint) = app.conflicts_hint() {
            parts.push((8, vec![Span::styled(hint, app.theme.warn)]));
        }
        let state = if d.preview {
            "loading"
        } else if d.article.read_only.is_some() {
            "read-only"
        } else if d.conflict {
            "changed on disk"
        } else if d.dirty {
            "modified"
        } else {
            "saved"
        };
        parts.push((8, vec![Span::raw(state)]));
        let left = d.suggestions.left();
        if left > 0 {
            parts.push((7, vec![Span::raw(format!("{left} suggested"))]));
        }
        if app.review.is_some() {
            parts.push((8, vec![Span::raw(app.review_status())]));
        }
    } else {
        parts.push((1, vec![Span::raw("claimtag")]));
    }
    let hint = format!(
        "{} help  {} quit",
        app.keymap.first_key(Command::Help).unwrap_or_default(),
        app.keymap.first_key(Command::Quit).unwrap_or_default()
    );
    let (right, right_style) = match &app.message {
        Some(m) => (
            m.text.clone(),
            match m.level {
                Level::Info => app.theme.status,
                Level::Warn => app.theme.warn,
                Level::Error => app.theme.error,
            },
        ),
        None => (hint, app.theme.status),
    };
    let right_w = unicode_width::UnicodeWidthStr::width(right.as_str()) + 2;
    let total = area.width as usize;
    // A short message stays on the line, the least important parts giving it
    // room; a long one is shown whole just above, and the line stays whole.
    let inline = app.message.is_none() || right_w <= (total / 3).max(20);
    let want = if app.message.is_some() && inline {
        right_w
    } else {
        0
    };
    let line_w = |parts: &[(u8, Vec<Span>)]| {
        parts
            .iter()
            .map(|p| p.1.iter().map(|s| s.width()).sum::<usize>())
            .sum::<usize>()
            + 3 * parts.len().saturating_sub(1)
            + 2
    };
    while line_w(&parts) + want > total && !parts.is_empty() {
        if let Some(short) = counts_compact.take()
            && let Some(p) = parts
                .iter_mut()
                .find(|p| p.0 == 7 && p.1.len() == short.len())
        {
            p.1 = short;
            continue;
        }
        let lowest = parts
            .iter()
            .enumerate()
            .min_by_key(|(_, p)| p.0)
            .map(|(i, _)| i);
        if let Some(i) = lowest {
            parts.remove(i);
        }
    }
    let mut spans = vec![Span::raw(" ")];
    for (k, p) in parts.into_iter().enumerate() {
        if k > 0 {
            spans.push(Span::raw(" │ "));
        }
        spans.extend(p.1);
    }
    let left = Line::from(spans);
    let left_w = left.width();
    buf.set_line(area.x, area.y, &left, area.width);
    let room = total.saturating_sub(left_w + 1);
    if inline {
        if right_w <= room {
            let text = format!(" {right} ");
            buf.set_stringn(
                area.x + (total - right_w) as u16,
                area.y,
                &text,
                right_w,
                right_style,
            );
        }
        return;
    }
    // The message box: as many rows as the words need (at most 8).
    let rows = wrap_words(&right, total.max(1));
    let h = (rows.len() as u16).min(8).min(area.y);
    if h == 0 {
        return;
    }
    let rect = Rect::new(area.x, area.y - h, area.width, h);
    Clear.render(rect, buf);
    buf.set_style(rect, right_style);
    for (k, row) in rows.iter().take(h as usize).enumerate() {
        buf.set_stringn(rect.x, rect.y + k as u16, row, total, right_style);
    }
}

/// Greedy word wrap to `width` cells; words longer than a row are cut.
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut rows = Vec::new();
    let mut row = String::new();
    let mut row_w = 0;
    for word in text.split(' ') {
        let w = unicode_width::UnicodeWidthStr::width(word);
        let sep = usize::from(row_w > 0);
        if row_w + sep + w <= width {
            if sep == 1 {
                row.push(' ');
            }
            row.push_str(word);
            row_w += sep + w;
            continue;
        }
        if row_w > 0 {
            rows.push(std::mem::take(&mut row));
            row_w = 0;
        }
        // A word wider than the row (a long path) is cut into row-sized pieces.
        for g in unicode_segmentation::UnicodeSegmentation::graphemes(word, true) {
            let gw = unicode_width::UnicodeWidthStr::width(g);
            if row_w + gw > width && row_w > 0 {
                rows.push(std::mem::take(&mut row));
                row_w = 0;
            }
            row.push_str(g);
            row_w += gw;
        }
    }
    if row_w > 0 || rows.is_empty() {
        rows.push(row);
    }
    rows
}

/// A centred rectangle at most `w`×`h`, inside `area`.
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn popup(app: &App, title: &str, area: Rect, buf: &mut Buffer) -> Rect {
    Clear.render(area, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title.to_string(), app.theme.title_focused))
        .style(app.theme.popup);
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

fn draw_help(app: &App, scroll: usize, area: Rect, buf: &mut Buffer) {
    let sections = app.keymap.help_sections(&app.scheme, app.review.is_some());
    let keys_w = sections
        .iter()
        .flat_map(|s| &s.rows)
        .map(|r| r.keys.chars().count())
        .max()
        .unwrap_or(8)
        .min(24);
    let mut lines: Vec<Line> = Vec::new();
    for section in &sections {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(
            section.mode.title().to_string(),
            app.theme.title_focused,
        ));
        for row in &section.rows {
            lines.push(Line::from(vec![
                Span::styled(format!("{:<keys_w$}  ", row.keys), app.theme.highlight),
                Span::raw(row.description.clone()),
            ]));
        }
    }
    // The scheme's labels with their guidelines: the annotation manual.
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Labels (guidelines)".to_string(),
        app.theme.title_focused,
    ));
    for (i, l) in app.scheme.labels.iter().enumerate() {
        let style = app.theme.labels.get(i).copied().unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled(format!(" {} ", l.name), style),
            Span::raw(format!(" {}", l.description.trim())),
        ]));
        for g in l.guideline.lines().filter(|g| !g.trim().is_empty()) {
            lines.push(Line::raw(format!("    {}", g.trim())));
        }
        for e in &l.examples {
            lines.push(Line::styled(format!("    e.g. “{e}”"), app.theme.dim));
        }
    }
    let r = centered(area, 90, lines.len() as u16 + 2);
    let visible = r.height.saturating_sub(2) as usize;
    let scroll = scroll.min(lines.len().saturating_sub(visible));
    let more = if scroll + visible < lines.len() {
        format!(
            " — {}: more below",
            app.keymap.key_in(Mode::Help, Command::ListDown)
        )
    } else {
        String::new()
    };
    let close = app.keymap.key_in(Mode::Help, Command::ListClose);
    let inner = popup(app, &format!(" Keys — {close} closes{more} "), r, buf);
    Paragraph::new(lines)
        .scroll((scroll as u16, 0))
        .render(inner, buf);
}

fn draw_corpus(
    app: &App,
    selected: usize,
    filter: Option<claimtag_model::format::Status>,
    area: Rect,
    buf: &mut Buffer,
) {
    let rows = app.corpus_rows(filter);
    let shown = match filter {
        Some(f) => format!("only {}", crate::app::status_name(f)),
        None => "all".to_string(),
    };
    let title = format!(
        " Articles ({shown}) — {} ",
        app.keymap.hint_list(
            Mode::Corpus,
            &[
                (Command::ListChoose, "opens"),
                (Command::CorpusFilter, "filters"),
                (Command::CorpusStatus, "status"),
                (Command::ConflictList, "conflicts"),
                (Command::ListClose, "closes")
            ]
        )
    );
    if rows.is_empty() {
        let empty = vec![Line::raw(format!("  (no article is {shown})"))];
        draw_list(app, &title, empty, selected, area, buf);
        return;
    }
    draw_list_rows(app, &title, rows.len(), selected, area, buf, |on_screen| {
        corpus_lines(app, &rows, on_screen, selected)
    });
}

/// An article's status and its count of each label (the scheme's, then any
/// other), for the corpus list.
fn counts_row(app: &App, slot: usize, counts: &crate::app::LabelCounts) -> Vec<String> {
    let progress = app
        .article_status(slot)
        .map(crate::app::status_name)
        .unwrap_or_default();
    let mut s: Vec<String> = vec![format!("{progress:<11}")];
    s.extend(app.scheme.labels.iter().map(|l| {
        format!(
            "{} {}",
            l.name,
            counts.get(l.name.as_str()).copied().unwrap_or(0)
        )
    }));
    for (l, c) in counts.iter() {
        if app.scheme.label(l).is_none() {
            s.push(format!("{l} {c}"));
        }
    }
    s
}

/// The corpus list's rows `on_screen` (of `rows`, slots in list order).
fn corpus_lines<'l>(
    app: &App,
    rows: &[usize],
    on_screen: std::ops::Range<usize>,
    selected: usize,
) -> Vec<Line<'l>> {
    let mut lines = Vec::new();
    let name_w = rows[on_screen.clone()]
        .iter()
        .filter_map(|&i| app.slots.get(i))
        .map(|s| unicode_width::UnicodeWidthStr::width(app.display_path(s.path()).as_str()))
        .max()
        .unwrap_or(0);
    for row in on_screen {
        let i = rows[row];
        let Some(slot) = app.slots.get(i) else {
            continue;
        };
        let mut name = app.display_path(slot.path());
        let pad = name_w.saturating_sub(unicode_width::UnicodeWidthStr::width(name.as_str()));
        name.push_str(&" ".repeat(pad));
        let status = match slot {
            Slot::Pending(_) => "loading…".to_string(),
            Slot::Failed(_, e) => e.clone(),
            // Counts of a sidecar that could not be read would be false zeros.
            Slot::Ready(d) if d.article.read_only.is_some() => {
                format!(
                    "read-only: {}",
                    d.article.read_only.clone().unwrap_or_default()
                )
            }
            Slot::Ready(d) => {
                let mut s = counts_row(app, i, &d.label_counts());
                if app.review.is_some() {
                    s.push(app.review_remaining(i));
                }
                if d.dirty {
                    s.push("modified".into());
                }
                s.join("  ")
            }
            Slot::Summary(summary) => counts_row(app, i, &app.summary_counts(summary)).join("  "),
        };
        let marker = if app.panes.iter().any(|p| p.slot == i) {
            "●"
        } else {
            " "
        };
        let style = match (row == selected, slot) {
            (true, _) => app.theme.highlight,
            (false, Slot::Failed(..)) => app.theme.error,
            (false, Slot::Ready(d)) if d.article.read_only.is_some() => app.theme.error,
            _ => Style::new(),
        };
        lines.push(Line::styled(format!("{marker} {name}  {status}"), style));
    }
    lines
}

fn draw_orphans(app: &App, selected: usize, area: Rect, buf: &mut Buffer) {
    let lines = app
        .orphan_rows()
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let style = if i == selected {
                app.theme.highlight
            } else {
                Style::new()
            };
            Line::styled(r.text, style)
        })
        .collect();
    draw_list(
        app,
        &format!(
            " Unanchored — {} ",
            app.keymap.hint_list(
                Mode::Orphans,
                &[
                    (Command::ListChoose, "goes to the old position"),
                    (Command::Reattach, "re-attaches to the selection"),
                    (Command::ListClose, "closes")
                ]
            )
        ),
        lines,
        selected,
        area,
        buf,
    );
}

/// The relations a picked link target allows, to choose one.
fn draw_relation_menu(
    app: &App,
    l: &crate::app::Linking,
    menu: &crate::app::RelationMenu,
    area: Rect,
    buf: &mut Buffer,
) {
    let describe = |rel: &str| {
        app.scheme
            .relations
            .iter()
            .find(|r| r.name == rel)
            .map(|r| r.description.clone())
            .unwrap_or_default()
    };
    let lines: Vec<Line> = menu
        .relations
        .iter()
        .enumerate()
        .map(|(i, rel)| {
            let style = if i == menu.selected {
                app.theme.highlight
            } else {
                Style::new()
            };
            Line::styled(
                format!("{} {rel} → {}  {}", l.from, menu.to, describe(rel)),
                style,
            )
        })
        .collect();
    let w = lines
        .iter()
        .map(|l| l.width() as u16 + 4)
        .max()
        .unwrap_or(20)
        .max(40);
    let r = centered(area, w, lines.len() as u16 + 2);
    let title = format!(
        " Relation — {} ",
        app.keymap.hint_list(
            Mode::RelationMenu,
            &[(Command::ListChoose, "links"), (Command::ListClose, "back")]
        )
    );
    let inner = popup(app, &title, r, buf);
    Paragraph::new(lines).render(inner, buf);
}

/// A popup list that keeps the selected row in view.
fn draw_list(
    app: &App,
    title: &str,
    lines: Vec<Line>,
    selected: usize,
    area: Rect,
    buf: &mut Buffer,
) {
    let rows = lines.len();
    draw_list_rows(app, title, rows, selected, area, buf, |shown| {
        lines
            .into_iter()
            .skip(shown.start)
            .take(shown.len())
            .collect()
    });
}

/// A list of `rows` rows in a popup, scrolled so `selected` is on screen.
/// Only the rows on screen are made (`make` is given their range): a list
/// of 100,000 articles costs a screenful a frame, and no row number has to
/// fit in a terminal's 16 bits.
fn draw_list_rows<'l>(
    app: &App,
    title: &str,
    rows: usize,
    selected: usize,
    area: Rect,
    buf: &mut Buffer,
    make: impl FnOnce(std::ops::Range<usize>) -> Vec<Line<'l>>,
) {
    let height = u16::try_from(rows.saturating_add(2)).unwrap_or(u16::MAX);
    let r = centered(area, area.width.saturating_sub(4).max(20), height);
    let inner = popup(app, title, r, buf);
    let first = selected.saturating_sub(inner.height.saturating_sub(1) as usize);
    let end = rows.min(first.saturating_add(inner.height as usize));
    Paragraph::new(make(first.min(end)..end)).render(inner, buf);
}

fn draw_edit(app: &App, form: &EditForm, area: Rect, buf: &mut Buffer) {
    let d = app.slots.get(form.slot).and_then(Slot::doc);
    let ann = d.and_then(|d| d.annotations().iter().find(|a| a.id == form.id));
    let mut lines = Vec::new();
    if let Some(a) = ann {
        lines.push(Line::styled(
            format!("“{}”", short(&a.text, 70)),
            app.theme.dim,
        ));
        lines.push(Line::raw(""));
    }
    let mark = |i: usize| if form.field == i { "▶ " } else { "  " };
    let field_style = |i: usize| {
        if form.field == i {
            app.theme.highlight
        } else {
            Style::new()
        }
    };
    let labels: Vec<Span> = app
        .scheme
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let s = if Some(i) == form.label {
                app.theme
                    .labels
                    .get(i)
                    .copied()
                    .unwrap_or_default()
                    .add_modifier(Modifier::BOLD)
            } else {
                app.theme.dim
            };
            Span::styled(format!(" {} ", l.name), s)
        })
        .collect();
    let mut label_line = vec![Span::styled(
        format!("{}label    ", mark(0)),
        field_style(0),
    )];
    if form.label.is_none() {
        // A label the scheme does not know: shown, and kept unless changed.
        label_line.push(Span::styled(
            format!(" {} (not in the scheme) ", form.original_label),
            app.theme.unknown_label.add_modifier(Modifier::BOLD),
        ));
    }
    label_line.extend(labels);
    lines.push(Line::from(label_line));
    // A text field with its caret where the edit cursor is; a long text
    // scrolls sideways so the caret stays in the box.
    let box_w = area.width.min(84).saturating_sub(2) as usize;
    let field = |label: &str, i: usize, edit: &super::edit::LineEdit| {
        let head = format!("{}{label}", mark(i));
        let room = box_w.saturating_sub(head.chars().count());
        let mut spans = vec![Span::styled(head, field_style(i))];
        if form.field == i {
            let (before, after) = field_window(&edit.text, edit.cursor, room.saturating_sub(1));
            spans.push(Span::raw(before));
            spans.push(Span::styled("▏", app.theme.cursor));
            spans.push(Span::raw(after));
        } else {
            let (_, after) = field_window(&edit.text, 0, room);
            spans.push(Span::raw(after));
        }
        Line::from(spans)
    };
    lines.push(field("claimant ", 1, &form.claimant));
    if form.field == 1 {
        // Claimants used before, best match first: Tab or ↓ takes the first.
        let take = app.keymap.key_in(Mode::Editor, Command::NextField);
        for (k, c) in form.claimant_suggestions(5).iter().enumerate() {
            let (s, hint) = if k == 0 {
                (app.theme.highlight, format!("  ({take} takes it)"))
            } else {
                (app.theme.dim, String::new())
            };
            lines.push(Line::from(vec![
                Span::raw("           "),
                Span::styled(format!(" {c} "), s),
                Span::styled(hint, app.theme.dim),
            ]));
        }
    }
    lines.push(field("note     ", 2, &form.note));
    for (k, (name, edit)) in form.attrs.iter().enumerate() {
        lines.push(field(&format!("{name:<9}"), 3 + k, edit));
    }
    let first_link = form.first_link_field();
    for (k, l) in form.links.iter().enumerate() {
        let target = d
            .and_then(|d| d.annotations().iter().find(|a| a.id == l.to))
            .map(|a| format!("{} “{}”", a.label, short(&a.text, 30)))
            .unwrap_or_else(|| "(missing)".into());
        lines.push(Line::styled(
            format!(
                "{}link     {} → {} {}",
                mark(first_link + k),
                l.rel,
                l.to,
                target
            ),
            field_style(first_link + k),
        ));
    }
    let add = form.add_link_field();
    lines.push(Line::styled(
        format!(
            "{}+ add a link ({})",
            mark(add),
            app.keymap.key_in(Mode::Editor, Command::EditorEnter)
        ),
        field_style(add),
    ));
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        app.keymap.hint(
            Mode::Editor,
            &[
                (Command::NextField, "field"),
                (Command::NextLabel, "label"),
                (Command::Unlink, "unlink"),
                (Command::EditorEnter, "save"),
                (Command::EditorCancel, "cancel"),
            ],
        ),
        app.theme.dim,
    ));
    if let Some(p) = &form.picker {
        let shown = p.shown();
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!(
                "link to ({} of {}; type to filter, {}):",
                shown.len(),
                p.options.len(),
                app.keymap.hint_list(
                    Mode::LinkPicker,
                    &[
                        (Command::ListChoose, "picks"),
                        (Command::PickerCancel, "cancels")
                    ]
                )
            ),
            app.theme.title_focused,
        ));
        lines.push(Line::raw(format!("filter: {}▏", p.filter.text)));
        // As many candidates as fit on the screen, scrolled so the selected
        // one is always among them: a link is only made to a row seen.
        let room = (area.height as usize)
            .saturating_sub(lines.len() + 2)
            .max(1);
        let first = p.selected.saturating_sub(room.saturating_sub(1));
        for (k, &i) in shown.iter().enumerate().skip(first).take(room) {
            let desc = &p.options[i].2;
            let (s, mark) = if k == p.selected {
                (app.theme.highlight, "▶ ")
            } else {
                (Style::new(), "  ")
            };
            lines.push(Line::styled(format!("{mark}{desc}"), s));
        }
        if shown.is_empty() {
            lines.push(Line::raw("  (no candidate matches)"));
        }
    }
    let r = centered(area, 84, lines.len() as u16 + 2);
    let inner = popup(app, &format!(" Edit {} ", form.id), r, buf);
    Paragraph::new(lines).render(inner, buf);
}

/// The part of a field's `text` shown in `width` columns with the caret at
/// byte `cursor`: (before the caret, after it). Whole graphemes only, by
/// display width; a “…” marks text cut off on either side.
pub(crate) fn field_window(text: &str, cursor: usize, width: usize) -> (String, String) {
    use unicode_segmentation::UnicodeSegmentation;
    use unicode_width::UnicodeWidthStr;
    let cursor = cursor.min(text.len());
    let before: Vec<&str> = text[..cursor].graphemes(true).collect();
    let after: Vec<&str> = text[cursor..].graphemes(true).collect();
    let w = |g: &&str| UnicodeWidthStr::width(*g);
    // Before the caret: as much as fits, keeping the caret in view.
    let total_before: usize = before.iter().map(w).sum();
    let mut left = String::new();
    let mut used = 0;
    if total_before <= width {
        left = before.concat();
        used = total_before;
    } else {
        let mut kept = Vec::new();
        let mut kw = 1; // the “…”
        for g in before.iter().rev() {
            if kw + w(g) > width {
                break;
            }
            kw += w(g);
            kept.push(*g);
        }
        kept.reverse();
        if width > 0 {
            left.push('…');
            left.push_str(&kept.concat());
            used = kw;
        }
    }
    // After the caret: what is left of the width.
    let rest = width.saturating_sub(used);
    let total_after: usize = after.iter().map(w).sum();
    let mut right = String::new();
    if total_after <= rest {
        right = after.concat();
    } else if rest > 0 {
        let mut rw = 1;
        for g in &after {
            if rw + w(g) > rest {
                break;
            }
            rw += w(g);
            right.push_str(g);
        }
        right.push('…');
    }
    (left, right)
}

fn draw_diffs(app: &App, selected: usize, area: Rect, buf: &mut Buffer) {
    let rows = app.difference_lines();
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if i == selected {
                Line::styled(format!("▶ {r}"), app.theme.highlight)
            } else {
                Line::raw(format!("  {r}"))
            }
        })
        .collect();
    draw_list(
        app,
        &format!(
            " Differences — {} ",
            app.keymap.hint_list(
                Mode::Differences,
                &[
                    (Command::ListChoose, "goes there"),
                    (Command::ListClose, "closes")
                ]
            )
        ),
        lines,
        selected,
        area,
        buf,
    );
}

fn draw_conflict(app: &App, slot: usize, area: Rect, buf: &mut Buffer) {
    let name = app
        .slots
        .get(slot)
        .map(|s| s.path().display().to_string())
        .unwrap_or_default();
    let mut lines = vec![
        Line::raw(format!(
            "The tags of {name} were changed on disk by someone else."
        )),
        Line::raw("Nothing was overwritten. Choose:"),
        Line::raw(""),
    ];
    let unparsable = app
        .slots
        .get(slot)
        .and_then(|s| s.doc())
        .is_some_and(|d| d.disk_unparsable.is_some());
    for (k, choice) in app.conflict_hint(slot).into_iter().enumerate() {
        let style = if k == 0 && unparsable {
            app.theme.error
        } else if k == 0 {
            app.theme.highlight
        } else {
            Style::new()
        };
        lines.push(Line::styled(choice, style));
    }
    // Height from the rows the words need at this width, so nothing is cut.
    let w = area.width.min(70);
    let rows: usize = lines
        .iter()
        .map(|l| wrap_words(&l.to_string(), w.saturating_sub(2).max(1) as usize).len())
        .sum();
    let r = centered(area, w, rows as u16 + 2);
    let inner = popup(app, " Changed on disk ", r, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

/// The unresolved merge conflicts of the article shown, at the bottom so the
/// span the cursor jumped to stays in view above.
fn draw_conflicts(app: &App, selected: usize, area: Rect, buf: &mut Buffer) {
    let rows = app.conflict_rows();
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if i == selected {
                Line::styled(format!("▶ {}", r.text), app.theme.highlight)
            } else {
                Line::raw(format!("  {}", r.text))
            }
        })
        .collect();
    let title = format!(
        " Merge conflicts ({}) — {} ",
        rows.len(),
        app.keymap.hint_list(
            Mode::Conflicts,
            &[
                (Command::SettleYours, "yours"),
                (Command::SettleTheirs, "theirs"),
                (Command::SettleBoth, "both"),
                (Command::ListChoose, "goes there"),
                (Command::ListClose, "closes")
            ]
        )
    );
    let h = (lines.len() as u16 + 2)
        .min(area.height.saturating_sub(1) / 2)
        .max(3.min(area.height));
    let r = Rect::new(
        area.x,
        area.y + area.height.saturating_sub(h + 1),
        area.width,
        h,
    );
    let inner = popup(app, &title, r, buf);
    let scroll = selected.saturating_sub(inner.height.saturating_sub(1) as usize);
    Paragraph::new(lines)
        .scroll((scroll as u16, 0))
        .render(inner, buf);
}

/// The corpus dashboard (`claimtag status`), scrolled.
fn draw_status_screen(app: &App, lines: &[String], scroll: usize, area: Rect, buf: &mut Buffer) {
    let widest = lines
        .iter()
        .map(|l| unicode_width::UnicodeWidthStr::width(l.as_str()))
        .max()
        .unwrap_or(0);
    let r = centered(
        area,
        (widest as u16).saturating_add(2).max(40),
        (lines.len() as u16).saturating_add(2),
    );
    let visible = r.height.saturating_sub(2) as usize;
    let scroll = scroll.min(lines.len().saturating_sub(visible));
    let title = format!(
        " Corpus status — {} ",
        app.keymap.hint_list(
            Mode::Status,
            &[
                (Command::ListDown, "scrolls"),
                (Command::ListClose, "closes")
            ]
        )
    );
    let inner = popup(app, &title, r, buf);
    let text: Vec<Line> = lines.iter().map(|l| Line::raw(l.clone())).collect();
    Paragraph::new(text)
        .scroll((scroll as u16, 0))
        .render(inner, buf);
}

fn draw_take_over(app: &App, slot: usize, area: Rect, buf: &mut Buffer) {
    let lines: Vec<Line> = app
        .take_over_lines(slot)
        .into_iter()
        .enumerate()
        .map(|(k, l)| {
            if k == 0 {
                Line::styled(l, app.theme.warn)
            } else {
                Line::raw(l)
            }
        })
        .collect();
    let w = area.width.min(76);
    let rows: usize = lines
        .iter()
        .map(|l| wrap_words(&l.to_string(), w.saturating_sub(2).max(1) as usize).len())
        .sum();
    let r = centered(area, w, rows as u16 + 2);
    let inner = popup(app, " Open in another instance ", r, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bidi::{BidiCache, Direction};
    use crate::layout::RowPos;
    use claimtag_model::Document;
    use proptest::prelude::*;

    proptest! {
        /// A laid-out grapheme drawn by `put_grapheme`, with the layout's width,
        /// lands in the buffer exactly as `set_stringn` puts it.
        #[test]
        fn put_grapheme_draws_what_set_stringn_does(
            s in "[a-z ()«»\u{0627}-\u{064a}\u{064b}\u{0301}中😀\u{200d}ｶ\u{ff9e}\u{ff9f}\t]{0,40}",
            w in 1u16..12,
        ) {
            let d = Document::from_string(s);
            let cache = BidiCache::new();
            let l = Layout::new(&d, w).with_bidi(&cache, Direction::Auto);
            let area = Rect::new(0, 0, w, 1);
            for (_, row) in l.rows_from(RowPos::default(), 100) {
                let mut want = Buffer::empty(area);
                let mut got = Buffer::empty(area);
                for cell in row.cells.iter().filter(|c| c.glyph == Glyph::Text && c.x < w) {
                    let g = d.slice(cell.byte..cell.byte + cell.len);
                    want.set_stringn(cell.x, 0, g, cell.width as usize, Style::new());
                    let measured = measured_width(cell, g, w);
                    put_grapheme(&mut got, cell.x, 0, g, measured, cell.width, Style::new());
                }
                prop_assert_eq!(&got, &want);
            }
        }
    }
}
