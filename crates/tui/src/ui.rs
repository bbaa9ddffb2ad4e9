//! Drawing: a pure function of the state. Only visible rows are laid out.

use std::ops::Range;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use crate::layout::{Glyph, Layout};

use crate::app::{App, EditForm, Level, Overlay, Slot, find, screen_areas, short, text_area};
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
            Overlay::Corpus { selected } => draw_corpus(self, *selected, area, buf),
            Overlay::Edit(form) => draw_edit(self, form, area, buf),
            Overlay::Conflict(slot) => draw_conflict(self, *slot, area, buf),
            Overlay::Diffs { selected } => draw_diffs(self, *selected, area, buf),
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
    // When the pane is narrow the file name gives way, not who or the state.
    let width = app.pane_text_area(i).width as usize + 1;
    let rest = format!(" · {who}{state} ");
    let room = width.saturating_sub(rest.chars().count() + 1);
    let name = if name.chars().count() > room && room > 1 {
        name.chars().take(room - 1).collect::<String>() + "…"
    } else {
        name
    };
    format!(" {name}{rest}")
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
        Some(Slot::Pending(p)) => {
            let msg = format!("loading {} …", p.display());
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
    let layout = Layout::new(doc, area.width);
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
        Some(q) => visible_matches(doc.text(), q, vis_start..vis_end),
        None => vec![],
    };
    let selection = app.selection(i);
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
                style = style.patch(best.1);
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
                    buf.set_stringn(x, sy, doc.slice(b..b + cell.len), w, style);
                }
                Glyph::Tab => {
                    buf.set_stringn(x, sy, " ".repeat(w), w, style);
                }
                Glyph::Mirrored(c) => {
                    buf.set_stringn(x, sy, c.to_string(), w, style);
                }
                Glyph::Placeholder(c) => {
                    let s = if style == Style::new() {
                        app.theme.dim
                    } else {
                        style
                    };
                    buf.set_stringn(x, sy, c.to_string(), 1, s);
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

/// Matches of `q` that touch the visible bytes `vis`: only the window (and a
/// needle's length either side) is searched, so a frame costs the same with a
/// search active however far away the next match is.
pub fn visible_matches(text: &str, q: &str, vis: Range<usize>) -> Vec<Range<usize>> {
    if q.is_empty() {
        return vec![];
    }
    let mut lo = vis.start.saturating_sub(q.len());
    while !text.is_char_boundary(lo) {
        lo -= 1;
    }
    let mut hi = (vis.end + q.len()).min(text.len());
    while !text.is_char_boundary(hi) {
        hi += 1;
    }
    let window = &text[lo..hi];
    let mut v = Vec::new();
    let mut from = 0;
    while let Some(m) = find(window, q, from) {
        let m_abs = lo + m;
        if m_abs >= vis.end.max(vis.start + 1) {
            break;
        }
        if m_abs + q.len() > vis.start {
            v.push(m_abs..m_abs + q.len());
        }
        from = m + q.len().max(1);
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
                    format!("⚠ {orphans} unanchored"),
                    app.theme.warn,
                )],
            ));
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

fn draw_corpus(app: &App, selected: usize, area: Rect, buf: &mut Buffer) {
    let n = app
        .review
        .as_ref()
        .map(|r| r.articles)
        .unwrap_or(app.slots.len());
    let mut lines = Vec::new();
    let name_w = app
        .slots
        .iter()
        .take(n)
        .map(|s| unicode_width::UnicodeWidthStr::width(app.display_path(s.path()).as_str()))
        .max()
        .unwrap_or(0);
    for (i, slot) in app.slots.iter().take(n).enumerate() {
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
                let counts = d.label_counts();
                let mut s: Vec<String> = app
                    .scheme
                    .labels
                    .iter()
                    .map(|l| {
                        format!(
                            "{} {}",
                            l.name,
                            counts.get(l.name.as_str()).copied().unwrap_or(0)
                        )
                    })
                    .collect();
                for (l, c) in counts.iter() {
                    if app.scheme.label(l).is_none() {
                        s.push(format!("{l} {c}"));
                    }
                }
                if app.review.is_some() {
                    s.push(app.review_remaining(i));
                }
                if d.dirty {
                    s.push("modified".into());
                }
                s.join("  ")
            }
        };
        let marker = if app.panes.iter().any(|p| p.slot == i) {
            "●"
        } else {
            " "
        };
        let style = match (i == selected, slot) {
            (true, _) => app.theme.highlight,
            (false, Slot::Failed(..)) => app.theme.error,
            (false, Slot::Ready(d)) if d.article.read_only.is_some() => app.theme.error,
            _ => Style::new(),
        };
        lines.push(Line::styled(format!("{marker} {name}  {status}"), style));
    }
    draw_list(
        app,
        &format!(
            " Articles — {} ",
            app.keymap.hint_list(
                Mode::Corpus,
                &[
                    (Command::ListChoose, "opens"),
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

/// A popup list that keeps the selected row in view.
fn draw_list(
    app: &App,
    title: &str,
    lines: Vec<Line>,
    selected: usize,
    area: Rect,
    buf: &mut Buffer,
) {
    let r = centered(
        area,
        area.width.saturating_sub(4).max(20),
        lines.len() as u16 + 2,
    );
    let inner = popup(app, title, r, buf);
    let scroll = selected.saturating_sub(inner.height.saturating_sub(1) as usize);
    Paragraph::new(lines)
        .scroll((scroll as u16, 0))
        .render(inner, buf);
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
    // A text field with its caret where the edit cursor is.
    let field = |label: &str, i: usize, edit: &super::edit::LineEdit| {
        let mut spans = vec![Span::styled(format!("{}{label}", mark(i)), field_style(i))];
        if form.field == i {
            let (before, after) = edit.text.split_at(edit.cursor.min(edit.text.len()));
            spans.push(Span::raw(before.to_string()));
            spans.push(Span::styled("▏", app.theme.cursor));
            spans.push(Span::raw(after.to_string()));
        } else {
            spans.push(Span::raw(edit.text.clone()));
        }
        Line::from(spans)
    };
    lines.push(field("claimant ", 1, &form.claimant));
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
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!(
                "link to ({}):",
                app.keymap.hint_list(
                    Mode::LinkPicker,
                    &[
                        (Command::ListChoose, "picks"),
                        (Command::ListClose, "cancels")
                    ]
                )
            ),
            app.theme.title_focused,
        ));
        for (k, (_, _, desc)) in p.options.iter().enumerate() {
            let (s, mark) = if k == p.selected {
                (app.theme.highlight, "▶ ")
            } else {
                (Style::new(), "  ")
            };
            lines.push(Line::styled(format!("{mark}{desc}"), s));
        }
    }
    let r = centered(area, 84, lines.len() as u16 + 2);
    let inner = popup(app, &format!(" Edit {} ", form.id), r, buf);
    Paragraph::new(lines).render(inner, buf);
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
    for (k, choice) in app.conflict_hint().into_iter().enumerate() {
        let style = if k == 0 {
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
