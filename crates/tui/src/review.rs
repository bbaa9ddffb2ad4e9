//! The review screen: the target set (yours, or a gold set) on the left, a
//! colleague's on the right, scrolled together; differences highlighted in
//! both, stepped through with `]` / `[`, settled with `a` / `r` / `A`.

use std::ops::Range;

use claimtag_model::format::Annotation;
use claimtag_model::review::{self, DiffKind, Difference};

use crossterm::event::{KeyCode, KeyEvent};

use super::app::{App, Effect, Overlay, Pane, Slot};
use super::keymap::Command;
use crate::layout::Layout;

#[derive(Debug, Clone)]
pub struct Review {
    pub theirs: String,
    /// The adjudicated set's name, when not reviewing into your own.
    pub into: Option<String>,
    pub ours: String,
    /// Target articles are slots `0..articles`; theirs are `articles..2*articles`.
    pub articles: usize,
    pub locked: bool,
}

impl Review {
    pub fn is_adjudicating(&self) -> bool {
        self.into.is_some()
    }

    pub fn target_name(&self, annotator: &str) -> String {
        self.into.clone().unwrap_or_else(|| annotator.to_string())
    }

    /// Whether a slot holds the colleague's (read-only) set.
    pub fn is_theirs(&self, slot: usize) -> bool {
        slot >= self.articles
    }

    /// The target slot of the article shown.
    fn current(&self, app: &App) -> usize {
        app.panes.first().map(|p| p.slot).unwrap_or(0)
    }

    pub fn status(&self, app: &App) -> String {
        let slot = self.current(app);
        let Some((diffs, _, _)) = unsettled(app, slot) else {
            return "review: loading".into();
        };
        if diffs.is_empty() {
            let left: usize = (0..self.articles)
                .filter_map(|i| unsettled(app, i).map(|d| d.0.len()))
                .sum();
            return if left == 0 {
                "no differences left".into()
            } else {
                format!("none here; {left} in other articles (])")
            };
        }
        let c = cursor_char(app);
        match diffs.iter().position(|d| under(d, c)) {
            Some(i) => format!(
                "diff {}/{}: {}",
                i + 1,
                diffs.len(),
                diffs[i].kind.describe()
            ),
            None => format!("{} differences (])", diffs.len()),
        }
    }

    pub fn remaining_label(&self, app: &App, slot: usize) -> String {
        match unsettled(app, slot) {
            Some((d, _, theirs)) if theirs.is_empty() && d.is_empty() => {
                format!("(no tags by {})", self.theirs)
            }
            Some((d, _, _)) if d.is_empty() => "settled".into(),
            Some((d, _, _)) => format!("{} to review", d.len()),
            None => "…".into(),
        }
    }

    /// Byte ranges of the unsettled differences in the visible text of a pane.
    pub fn visible_diffs(&self, app: &App, pane: usize, vis: Range<usize>) -> Vec<Range<usize>> {
        let Some(doc) = app.doc_of(pane).map(|d| d.doc().clone()) else {
            return vec![];
        };
        let Some((diffs, _, _)) = unsettled(app, self.current(app)) else {
            return vec![];
        };
        diffs
            .iter()
            .filter_map(|d| doc.char_range_to_bytes(d.start, d.end))
            .filter(|r| r.start < vis.end && r.end > vis.start)
            .collect()
    }
}

/// Unsettled differences of an article, with the two annotation lists.
pub fn unsettled(
    app: &App,
    target: usize,
) -> Option<(Vec<Difference>, &[Annotation], &[Annotation])> {
    let rv = app.review.as_ref()?;
    let ours = app.slots.get(target)?.doc()?;
    let theirs = app.slots.get(target + rv.articles)?.doc()?;
    if ours.preview || theirs.preview {
        return None;
    }
    let (oa, ta) = (ours.annotations(), theirs.annotations());
    let done = review::rejected(&ours.article.sidecar, &rv.theirs);
    let diffs = review::unsettled(review::differences(oa, ta), oa, ta, &done);
    Some((diffs, oa, ta))
}

/// Whether code point `c` is inside a difference (an empty one counts at its start).
fn under(d: &Difference, c: usize) -> bool {
    d.start <= c && c < d.end.max(d.start + 1)
}

fn cursor_char(app: &App) -> usize {
    let p = app.focused();
    app.doc_of(app.focus)
        .map(|d| d.doc().byte_to_char(p.cursor))
        .unwrap_or(0)
}

/// Shows article `slot` (a target slot) in both panes.
pub fn open_article(app: &mut App, slot: usize) {
    let Some(n) = app.review.as_ref().map(|r| r.articles) else {
        return;
    };
    let slot = slot % n.max(1);
    app.panes = vec![Pane::new(slot), Pane::new(slot + n)];
    app.focus = 0;
    app.needs_clear = true;
}

/// Keeps the other pane on the same text as the focused one.
pub fn sync_scroll(app: &mut App) {
    if app.panes.len() != 2 {
        return;
    }
    let (from, to) = (app.focus, 1 - app.focus.min(1));
    let cursor = app.panes[from].cursor;
    let top_byte = app.panes[from].top.block;
    let Some(doc) = app.doc_of(to).map(|d| d.doc().clone()) else {
        return;
    };
    let from_area = app.pane_text_area(from);
    let to_area = app.pane_text_area(to);
    // The first byte shown in the focused pane starts the other one.
    let first = {
        let l = Layout::new(&doc, from_area.width.max(1));
        l.rows_from(app.panes[from].top, 1)
            .first()
            .map(|r| r.1.start)
            .unwrap_or(top_byte)
    };
    let l = Layout::new(&doc, to_area.width.max(1));
    let p = &mut app.panes[to];
    p.cursor = doc.snap_down(cursor.min(doc.len_bytes()));
    p.top = l.row_pos(first);
    p.anchor = None;
    app.scroll_to_cursor(to);
}

pub fn command(app: &mut App, c: Command) -> Vec<Effect> {
    let Some(rv) = app.review.clone() else {
        app.info("that key works in `claimtag review`");
        return vec![];
    };
    let target = rv.current(app);
    let Some((diffs, ours, theirs)) = unsettled(app, target) else {
        app.info("still loading");
        return vec![];
    };
    let ours = ours.to_vec();
    let theirs = theirs.to_vec();
    let c_char = cursor_char(app);
    match c {
        Command::NextDiff | Command::PrevDiff => {
            let forward = c == Command::NextDiff;
            let here = if forward {
                diffs.iter().find(|d| d.start > c_char)
            } else {
                diffs.iter().rev().find(|d| d.start < c_char)
            };
            if let Some(d) = here {
                jump_to(app, d.start, describe(d, &ours, &theirs, &rv.theirs));
                return vec![];
            }
            // At the end of an article: on to the next one with differences.
            let n = rv.articles;
            for k in 1..n {
                let slot = if forward {
                    (target + k) % n
                } else {
                    (target + n - k) % n
                };
                if let Some((ds, o, t)) = unsettled(app, slot)
                    && let Some(d) = if forward { ds.first() } else { ds.last() }
                {
                    let (start, text) = (d.start, describe(d, o, t, &rv.theirs));
                    open_article(app, slot);
                    jump_to(app, start, text);
                    return vec![];
                }
            }
            app.info("no more differences");
        }
        Command::Accept | Command::Reject => {
            let Some(d) = diffs.iter().find(|d| under(d, c_char)).cloned() else {
                app.info("no difference under the cursor (] goes to the next)");
                return vec![];
            };
            let Some(doc) = target_doc(app, target) else {
                return vec![];
            };
            doc.begin_change();
            let msg = if c == Command::Accept {
                let r = review::accept(&mut doc.article.sidecar, &theirs, &d, &rv.theirs);
                format!(
                    "accepted {}'s version ({} added, {} removed{})",
                    rv.theirs,
                    r.added,
                    r.removed,
                    if r.links_dropped > 0 {
                        format!(", {} link(s) dropped", r.links_dropped)
                    } else {
                        String::new()
                    }
                )
            } else {
                let fp = review::fingerprint(&d, &ours, &theirs);
                review::mark_rejected(&mut doc.article.sidecar, &rv.theirs, fp);
                format!("rejected: kept yours ({})", d.kind.describe())
            };
            doc.end_change();
            app.info(msg);
        }
        Command::DiffList => {
            if diffs.is_empty() {
                app.info("no differences left in this article");
            } else {
                let selected = diffs.iter().position(|d| d.end > c_char).unwrap_or(0);
                app.overlay = Overlay::Diffs { selected };
            }
        }
        Command::AcceptAll => {
            let Some(doc) = target_doc(app, target) else {
                return vec![];
            };
            doc.begin_change();
            let r = review::accept_all(
                &mut doc.article.sidecar,
                &theirs,
                &rv.theirs,
                &DiffKind::ALL,
            );
            doc.end_change();
            app.info(format!(
                "accepted all of {}'s differences here: {} added, {} removed (u undoes)",
                rv.theirs, r.added, r.removed
            ));
        }
        _ => {}
    }
    vec![]
}

/// Keys of the differences list: move, Enter jumps to one, Esc closes.
pub fn list_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    let Overlay::Diffs { selected } = app.overlay else {
        return vec![];
    };
    let Some(rv) = app.review.clone() else {
        app.overlay = Overlay::None;
        return vec![];
    };
    let Some((diffs, ours, theirs)) = unsettled(app, rv.current(app)) else {
        app.overlay = Overlay::None;
        return vec![];
    };
    let n = diffs.len();
    let target = diffs
        .get(selected)
        .map(|d| (d.start, describe(d, ours, theirs, &rv.theirs)));
    app.overlay = match k.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('D') => Overlay::None,
        KeyCode::Down | KeyCode::Char('j') => Overlay::Diffs {
            selected: (selected + 1).min(n.saturating_sub(1)),
        },
        KeyCode::Up | KeyCode::Char('k') => Overlay::Diffs {
            selected: selected.saturating_sub(1),
        },
        KeyCode::Enter => {
            app.overlay = Overlay::None;
            if let Some((start, text)) = target {
                app.focus = 0;
                jump_to(app, start, text);
            }
            return vec![];
        }
        _ => Overlay::Diffs { selected },
    };
    vec![]
}

/// One line per difference, for the list.
pub fn list_lines(app: &App) -> Vec<String> {
    let Some(rv) = app.review.as_ref() else {
        return vec![];
    };
    let Some((diffs, ours, theirs)) = unsettled(app, rv.current(app)) else {
        return vec![];
    };
    let spans = |idx: &[usize], set: &[Annotation]| {
        idx.iter()
            .filter_map(|&i| set.get(i))
            .map(|a| format!("{} “{}”", a.label, super::app::short(&a.text, 40)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    diffs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let (line, _) = app
                .doc_of(0)
                .map(|doc| doc.doc().line_col(doc.doc().char_to_byte(d.start)))
                .unwrap_or((0, 0));
            let mine = spans(&d.ours, ours);
            let their = spans(&d.theirs, theirs);
            let detail = match d.kind {
                DiffKind::OnlyTheirs => format!("{}: {their}", rv.theirs),
                DiffKind::OnlyOurs => format!("yours: {mine}"),
                _ => format!("yours: {mine} | {}: {their}", rv.theirs),
            };
            format!(
                "{:>2}. line {line:<4} {:<30} {detail}",
                i + 1,
                d.kind.describe()
            )
        })
        .collect()
}

fn target_doc(app: &mut App, slot: usize) -> Option<&mut super::app::Doc> {
    let why = match app.slots.get(slot) {
        Some(Slot::Ready(d)) => d.article.read_only.clone(),
        _ => return None,
    };
    if let Some(w) = why {
        app.error(format!("read-only: {w}"));
        return None;
    }
    match app.slots.get_mut(slot) {
        Some(Slot::Ready(d)) => Some(d),
        _ => None,
    }
}

fn jump_to(app: &mut App, char_pos: usize, message: String) {
    let f = app.focus;
    if let Some(doc) = app.doc_of(f).map(|d| d.doc().clone()) {
        app.panes[f].cursor = doc.char_to_byte(char_pos);
        app.panes[f].want_x = None;
        app.scroll_to_cursor(f);
        sync_scroll(app);
    }
    app.info(message);
}

fn describe(d: &Difference, ours: &[Annotation], theirs: &[Annotation], name: &str) -> String {
    let spans = |idx: &[usize], set: &[Annotation]| {
        idx.iter()
            .filter_map(|&i| set.get(i))
            .map(|a| format!("{} “{}”", a.label, super::app::short(&a.text, 30)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mine = spans(&d.ours, ours);
    let their = spans(&d.theirs, theirs);
    let what = match d.kind {
        DiffKind::OnlyTheirs => format!("only {name}: {their}"),
        DiffKind::OnlyOurs => format!("only yours: {mine}"),
        _ => format!("yours: {mine} | {name}: {their}"),
    };
    format!("{what} — a accept, r reject")
}
