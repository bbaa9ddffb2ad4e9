//! What the review keys do: step through differences (on into the next
//! article), accept or reject one, accept all, the differences list; and the
//! two panes scrolled together.

use std::rc::Rc;

use claimtag_model::format::Annotation;
use claimtag_model::review::{self, DiffKind, Difference};

use super::{App, Doc, Effect, Overlay, Pane, Slot, short};
use crate::command::{Command, Mode};
use crate::layout::Layout;
use crate::review::Unsettled;

impl App {
    /// The target slot of the article shown.
    fn review_current(&self) -> usize {
        self.panes.first().map(|p| p.slot).unwrap_or(0)
    }

    /// Unsettled differences of an article (cached per revision of both
    /// sets), with the two annotation lists.
    pub fn unsettled(
        &self,
        target: usize,
    ) -> Option<(Rc<Unsettled>, &[Annotation], &[Annotation])> {
        let rv = self.review.as_ref()?;
        let ours = self.slots.get(target)?.doc()?;
        let theirs = self.slots.get(target + rv.articles)?.doc()?;
        if ours.preview || theirs.preview {
            return None;
        }
        let key = [ours.uid, ours.revision, theirs.uid, theirs.revision];
        let u = rv.unsettled(
            target,
            key,
            ours.doc(),
            &ours.article.sidecar,
            theirs.annotations(),
        );
        Some((u, ours.annotations(), theirs.annotations()))
    }

    /// The review's part of the status line.
    pub fn review_status(&self) -> String {
        let Some(rv) = self.review.as_ref() else {
            return String::new();
        };
        let slot = self.review_current();
        let Some((u, _, _)) = self.unsettled(slot) else {
            return "review: loading".into();
        };
        let diffs = &u.diffs;
        let next = self.keymap.key_in(Mode::Review, Command::NextDiff);
        if diffs.is_empty() {
            let left: usize = (0..rv.articles)
                .filter_map(|i| self.unsettled(i).map(|d| d.0.diffs.len()))
                .sum();
            return if left == 0 {
                "no differences left".into()
            } else {
                format!("none here; {left} in other articles ({next})")
            };
        }
        let c = self.cursor_char();
        match diffs.iter().position(|d| under(d, c)) {
            Some(i) => format!(
                "diff {}/{}: {}",
                i + 1,
                diffs.len(),
                diffs[i].kind.describe()
            ),
            None => format!("{} differences ({next})", diffs.len()),
        }
    }

    /// What the corpus list says of an article in review.
    pub fn review_remaining(&self, slot: usize) -> String {
        let Some(rv) = self.review.as_ref() else {
            return String::new();
        };
        match self.unsettled(slot) {
            Some((u, _, _)) if u.theirs_empty && u.diffs.is_empty() => {
                format!("(no tags by {})", rv.theirs)
            }
            Some((u, _, _)) if u.diffs.is_empty() => "settled".into(),
            Some((u, _, _)) => format!("{} to review", u.diffs.len()),
            None => "…".into(),
        }
    }

    /// Byte ranges of the unsettled differences that touch `vis` in a pane.
    pub fn visible_diffs(&self, vis: std::ops::Range<usize>) -> Vec<std::ops::Range<usize>> {
        match self.unsettled(self.review_current()) {
            Some((u, _, _)) => u.visible(vis),
            None => vec![],
        }
    }

    fn cursor_char(&self) -> usize {
        let p = self.focused();
        self.doc_of(self.focus)
            .map(|d| d.doc().byte_to_char(p.cursor))
            .unwrap_or(0)
    }

    /// One line per difference, for the list.
    pub fn difference_lines(&self) -> Vec<String> {
        let Some(rv) = self.review.as_ref() else {
            return vec![];
        };
        let Some((u, ours, theirs)) = self.unsettled(self.review_current()) else {
            return vec![];
        };
        u.diffs
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let (line, _) = self
                    .doc_of(0)
                    .map(|doc| doc.doc().line_col(doc.doc().char_to_byte(d.start)))
                    .unwrap_or((0, 0));
                let mine = spans(&d.ours, ours, 40);
                let their = spans(&d.theirs, theirs, 40);
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

    fn describe(&self, d: &Difference, ours: &[Annotation], theirs: &[Annotation]) -> String {
        let name = self
            .review
            .as_ref()
            .map(|r| r.theirs.as_str())
            .unwrap_or("");
        let mine = spans(&d.ours, ours, 30);
        let their = spans(&d.theirs, theirs, 30);
        let what = match d.kind {
            DiffKind::OnlyTheirs => format!("only {name}: {their}"),
            DiffKind::OnlyOurs => format!("only yours: {mine}"),
            _ => format!("yours: {mine} | {name}: {their}"),
        };
        let hint = self.keymap.hint_list(
            Mode::Review,
            &[(Command::Accept, "accept"), (Command::Reject, "reject")],
        );
        format!("{what} — {hint}")
    }

    fn jump_to(&mut self, char_pos: usize, message: String) {
        let f = self.focus;
        if let Some(doc) = self.doc_of(f).map(|d| d.doc().clone()) {
            self.panes[f].cursor = doc.char_to_byte(char_pos);
            self.panes[f].want_x = None;
            self.scroll_to_cursor(f);
            sync_scroll(self);
        }
        self.info(message);
    }

    fn target_doc(&mut self, slot: usize) -> Option<&mut Doc> {
        let why = match self.slots.get(slot) {
            Some(Slot::Ready(d)) => d.article.read_only.clone(),
            _ => return None,
        };
        if let Some(w) = why {
            self.error(format!("read-only: {w}"));
            return None;
        }
        match self.slots.get_mut(slot) {
            Some(Slot::Ready(d)) => Some(d),
            _ => None,
        }
    }
}

fn spans(idx: &[usize], set: &[Annotation], n: usize) -> String {
    idx.iter()
        .filter_map(|&i| set.get(i))
        .map(|a| format!("{} “{}”", a.label, short(&a.text, n)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether code point `c` is inside a difference (an empty one counts at its start).
fn under(d: &Difference, c: usize) -> bool {
    d.start <= c && c < d.end.max(d.start + 1)
}

/// Shows article `slot` (a target slot) in both panes.
pub fn open_article(app: &mut App, slot: usize) {
    let Some(n) = app.review.as_ref().map(|r| r.articles) else {
        return;
    };
    let slot = slot % n.max(1);
    app.panes = vec![Pane::new(slot), Pane::new(slot + n)];
    app.focus = 0;
    app.repaint();
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
        let view = app.bidi_view(from);
        let l = Layout::new(&doc, from_area.width.max(1)).with_view(view.as_ref());
        l.rows_from(app.panes[from].top, 1)
            .first()
            .map(|r| r.1.start)
            .unwrap_or(top_byte)
    };
    let view = app.bidi_view(to);
    let l = Layout::new(&doc, to_area.width.max(1)).with_view(view.as_ref());
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
    let target = app.review_current();
    let Some((u, ours, theirs)) = app.unsettled(target) else {
        app.info("still loading");
        return vec![];
    };
    let diffs = u.diffs.clone();
    let ours = ours.to_vec();
    let theirs = theirs.to_vec();
    let c_char = app.cursor_char();
    match c {
        Command::NextDiff | Command::PrevDiff => {
            let forward = c == Command::NextDiff;
            let here = if forward {
                diffs.iter().find(|d| d.start > c_char)
            } else {
                diffs.iter().rev().find(|d| d.start < c_char)
            };
            if let Some(d) = here {
                let text = app.describe(d, &ours, &theirs);
                app.jump_to(d.start, text);
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
                let found = app.unsettled(slot).and_then(|(ds, o, t)| {
                    let d = if forward {
                        ds.diffs.first()
                    } else {
                        ds.diffs.last()
                    }?;
                    Some((d.start, app.describe(d, o, t)))
                });
                if let Some((start, text)) = found {
                    open_article(app, slot);
                    app.jump_to(start, text);
                    return vec![];
                }
            }
            app.info("no more differences");
        }
        Command::Accept | Command::Reject => {
            let Some(d) = diffs.iter().find(|d| under(d, c_char)).cloned() else {
                let next = app.keymap.key_in(Mode::Review, Command::NextDiff);
                app.info(format!(
                    "no difference under the cursor ({next} goes to the next)"
                ));
                return vec![];
            };
            let Some(doc) = app.target_doc(target) else {
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
            let Some(doc) = app.target_doc(target) else {
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
            let undo = app.key_for(Command::Undo);
            app.info(format!(
                "accepted all of {}'s differences here: {} added, {} removed ({undo} undoes)",
                rv.theirs, r.added, r.removed
            ));
        }
        _ => {}
    }
    vec![]
}

/// The differences list: move, choose (go there), close.
pub fn list_command(
    app: &mut App,
    selected: usize,
    c: Command,
    moved: fn(usize, usize, Command) -> usize,
) -> Vec<Effect> {
    let Some((u, ours, theirs)) = app.unsettled(app.review_current()) else {
        app.overlay = Overlay::None;
        return vec![];
    };
    let n = u.diffs.len();
    let target = u
        .diffs
        .get(selected)
        .map(|d| (d.start, app.describe(d, ours, theirs)));
    match c {
        Command::ListClose => app.overlay = Overlay::None,
        Command::ListChoose => {
            app.overlay = Overlay::None;
            if let Some((start, text)) = target {
                app.focus = 0;
                app.jump_to(start, text);
            }
        }
        _ => {
            app.overlay = Overlay::Diffs {
                selected: moved(selected, n, c),
            }
        }
    }
    vec![]
}
