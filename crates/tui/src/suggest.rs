//! Suggestions in the annotating screen (issue 16): another set's spans (the
//! `suggest` set written by `claimtag suggest`, or any annotator named by
//! `--suggest-from`) drawn as ghost spans, stepped through with `>` / `<`,
//! accepted (`a`, `A`, `Enter` to edit first) or rejected (`r`), and "the same
//! text elsewhere" proposed from a tagged span (`*`). Every decision is a
//! change of the person's own sidecar, so it is undoable like any other.

use std::ops::Range;
use std::sync::Arc;

use claimtag_model::format::Sidecar;
use claimtag_model::suggest;
use claimtag_model::{Annotation, Document};

use crate::app::{App, Doc, EditForm, Overlay};
use crate::command::{Command, Mode};

/// One article's suggestions.
#[derive(Debug, Clone, Default)]
pub struct Suggestions {
    /// The set they come from (`suggest`, `model`, …).
    pub set: String,
    /// The set's annotations as read from disk.
    pub items: Vec<Annotation>,
    /// Proposals made in this session from a tagged span (`*`); never written
    /// to the set's file.
    pub proposals: Vec<Annotation>,
    /// Those still to decide: (index into `items` then `proposals`, bytes),
    /// in text order.
    pub ghosts: Vec<(usize, Range<usize>)>,
}

impl Suggestions {
    pub fn new(set: &str, items: Vec<Annotation>) -> Suggestions {
        Suggestions {
            set: set.to_string(),
            items,
            ..Suggestions::default()
        }
    }

    /// The suggestion behind a ghost index.
    pub fn get(&self, i: usize) -> Option<&Annotation> {
        if i < self.items.len() {
            self.items.get(i)
        } else {
            self.proposals.get(i - self.items.len())
        }
    }

    /// Recomputes which suggestions are still to decide against `own`.
    pub fn refresh(&mut self, doc: &Document, own: &Sidecar) {
        let all: Vec<Annotation> = self
            .items
            .iter()
            .chain(self.proposals.iter())
            .cloned()
            .collect();
        let pending = suggest::pending(&all, own, &self.set);
        let mut ghosts: Vec<(usize, Range<usize>)> = all
            .iter()
            .enumerate()
            .filter(|(_, a)| pending.iter().any(|p| std::ptr::eq(*p, *a)))
            .filter_map(|(i, a)| Some((i, doc.char_range_to_bytes(a.start, a.end)?)))
            .filter(|(_, r)| !r.is_empty())
            .collect();
        ghosts.sort_by_key(|(i, r)| (r.start, r.end, *i));
        self.ghosts = ghosts;
    }

    /// The ghost under byte `b` (the shortest covering it).
    pub fn at(&self, b: usize) -> Option<(usize, Range<usize>)> {
        self.ghosts
            .iter()
            .filter(|(_, r)| r.start <= b && b < r.end)
            .min_by_key(|(_, r)| r.len())
            .cloned()
    }

    pub fn left(&self) -> usize {
        self.ghosts.len()
    }
}

impl App {
    /// The focused pane's slot and cursor.
    fn here(&self) -> (usize, usize) {
        let p = self.focused();
        (p.slot, p.cursor)
    }

    /// `>` / `<`: to the start of the next / previous suggestion.
    pub fn jump_suggestion(&mut self, forward: bool) {
        let f = self.focus;
        let (_, cur) = self.here();
        let Some(d) = self.doc_of(f) else { return };
        let s = &d.suggestions;
        let target = if forward {
            s.ghosts.iter().map(|(_, r)| r.start).find(|&st| st > cur)
        } else {
            s.ghosts
                .iter()
                .rev()
                .map(|(_, r)| r.start)
                .find(|&st| st < cur)
        };
        match target {
            Some(t) => {
                self.panes[f].cursor = t;
                self.panes[f].want_x = None;
                self.panes[f].anchor = None;
                self.scroll_to_cursor(f);
                self.describe_suggestion();
            }
            None if s.ghosts.is_empty() => self.info(format!(
                "no suggestions left in this article (set {})",
                s.set
            )),
            None => self.info(if forward {
                "no suggestion after the cursor"
            } else {
                "no suggestion before the cursor"
            }),
        }
    }

    fn describe_suggestion(&mut self) {
        let f = self.focus;
        let (_, cur) = self.here();
        let Some(d) = self.doc_of(f) else { return };
        let Some(a) = d
            .suggestions
            .at(cur)
            .and_then(|(i, _)| d.suggestions.get(i))
        else {
            return;
        };
        let why = suggest::pattern_of(a)
            .map(|p| format!(" ({p})"))
            .unwrap_or_default();
        let hint = self.keymap.hint(
            Mode::Annotate,
            &[
                (Command::AcceptSuggestion, "accept"),
                (Command::RejectSuggestion, "reject"),
                (Command::EditAnnotation, "edit"),
            ],
        );
        let text = format!(
            "suggested {}{why}: “{}” — {hint}",
            a.label,
            crate::app::short(&a.text, 40),
        );
        self.info(text);
    }

    /// The suggestion under the cursor of the focused pane, if it can be
    /// decided (the article is editable).
    fn suggestion_here(&mut self) -> Option<(usize, Annotation)> {
        let (slot, cur) = self.here();
        if !self.editable(slot) {
            return None;
        }
        let d = self.doc_of(self.focus)?;
        let found = d
            .suggestions
            .at(cur)
            .and_then(|(i, _)| d.suggestions.get(i).cloned());
        match found {
            Some(a) => Some((slot, a)),
            None => {
                let next = self.key_for(Command::NextSuggestion);
                self.info(format!(
                    "no suggestion under the cursor ({next} goes to the next)"
                ));
                None
            }
        }
    }

    /// `a`: the suggestion under the cursor becomes one's own annotation.
    pub fn accept_suggestion(&mut self) {
        let Some((slot, s)) = self.suggestion_here() else {
            return;
        };
        let Some(d) = self.doc_mut(slot) else { return };
        d.begin_change();
        let id = accept_into(d, &s);
        d.end_change();
        self.info(format!(
            "{id} {}: accepted “{}” (u undoes)",
            s.label,
            crate::app::short(&s.text, 40)
        ));
    }

    /// `r`: the suggestion under the cursor is rejected, remembered in one's
    /// own sidecar so it never comes back.
    pub fn reject_suggestion(&mut self) {
        let Some((slot, s)) = self.suggestion_here() else {
            return;
        };
        let Some(d) = self.doc_mut(slot) else { return };
        d.begin_change();
        let set = d.suggestions.set.clone();
        suggest::mark_rejected(&mut d.article.sidecar, &set, &suggest::fingerprint(&s));
        d.end_change();
        self.info(format!(
            "rejected the {} suggestion “{}” (u undoes)",
            s.label,
            crate::app::short(&s.text, 40)
        ));
    }

    /// `A`: asks to accept every suggestion left in the article; the
    /// confirmation (`y`, or `A` again) runs [`App::accept_all_confirmed`].
    pub fn accept_all_suggestions(&mut self) {
        let (slot, _) = self.here();
        if !self.editable(slot) {
            return;
        }
        let n = self
            .doc_of(self.focus)
            .map(|d| d.suggestions.left())
            .unwrap_or(0);
        if n == 0 {
            self.info("no suggestions left in this article");
            return;
        }
        self.confirm_accept_all = Some(slot);
        let again = self.key_for(Command::AcceptAllSuggestions);
        self.warn(format!(
            "accept all {n} suggestion(s) of this article? y or {again}: yes, any other key: no"
        ));
    }

    /// Accepts every suggestion left in `slot`, as one undoable change.
    pub fn accept_all_confirmed(&mut self, slot: usize) {
        let Some(d) = self.doc_mut(slot) else { return };
        let todo: Vec<Annotation> = d
            .suggestions
            .ghosts
            .iter()
            .filter_map(|(i, _)| d.suggestions.get(*i).cloned())
            .collect();
        if todo.is_empty() {
            return;
        }
        d.begin_change();
        for s in &todo {
            accept_into(d, s);
        }
        d.end_change();
        self.info(format!(
            "accepted {} suggestion(s) (u undoes them all)",
            todo.len()
        ));
    }

    /// `Enter` on a suggestion: the editor, filled from it; saving the form
    /// accepts it as edited, Esc leaves it a suggestion.
    pub fn edit_suggestion(&mut self) -> bool {
        let (slot, cur) = self.here();
        let Some(d) = self.doc_of(self.focus) else {
            return false;
        };
        if !d.at(cur).is_empty() {
            return false;
        }
        let Some(s) = d
            .suggestions
            .at(cur)
            .and_then(|(i, _)| d.suggestions.get(i).cloned())
        else {
            return false;
        };
        if !self.editable(slot) {
            return true;
        }
        let mut form = EditForm::for_annotation(&self.scheme, slot, &s, self.known_claimants());
        form.id = "(suggestion)".into();
        form.suggestion = Some(Box::new(s));
        self.overlay = Overlay::Edit(Box::new(form));
        true
    }

    /// `*`: from the tagged span under the cursor, proposes its label on every
    /// other occurrence of its text in the article, as suggestions.
    pub fn propose_like(&mut self) {
        let (slot, cur) = self.here();
        let me = self.annotator.clone();
        let Some(d) = self.doc_mut(slot) else { return };
        let Some(&i) = d.at(cur).first() else {
            self.info("no annotation under the cursor to look for elsewhere");
            return;
        };
        let a = d.annotations()[i].clone();
        let doc = Arc::clone(d.doc());
        let found = suggest::like(&doc, &[(a.label.clone(), a.text.clone())], d.annotations());
        let known: Vec<(usize, usize, String)> = d
            .suggestions
            .items
            .iter()
            .chain(d.suggestions.proposals.iter())
            .map(|x| (x.start, x.end, x.label.clone()))
            .collect();
        let new: Vec<Annotation> = suggest::like_suggestions(found, &me)
            .iter()
            .enumerate()
            .map(|(k, s)| suggest::to_annotation(&doc, s, format!("like{k}")))
            .filter(|x| !known.contains(&(x.start, x.end, x.label.clone())))
            .collect();
        if new.is_empty() {
            self.info(format!(
                "no other occurrence of “{}” to propose",
                crate::app::short(&a.text, 30)
            ));
            return;
        }
        let n = new.len();
        d.begin_change();
        d.suggestions.proposals.extend(new);
        d.end_change();
        self.info(format!(
            "{n} other occurrence(s) of “{}” proposed as {} (> to step through)",
            crate::app::short(&a.text, 30),
            a.label
        ));
    }
}

/// Adds the accepted form of `s` to the doc's own annotations; returns its id.
fn accept_into(d: &mut Doc, s: &Annotation) -> String {
    let id = d.article.sidecar.fresh_id();
    let doc = Arc::clone(d.doc());
    let set = d.suggestions.set.clone();
    let a = suggest::accepted(&doc, &set, s, id.clone());
    d.article.sidecar.annotations.push(a);
    id
}

/// The editor's values applied to a suggestion being accepted.
pub fn accept_edited(d: &mut Doc, s: &Annotation, edited: Annotation) -> String {
    let id = d.article.sidecar.fresh_id();
    let doc = Arc::clone(d.doc());
    let set = d.suggestions.set.clone();
    let mut a = suggest::accepted(&doc, &set, s, id.clone());
    a.label = edited.label;
    a.claimant = edited.claimant;
    a.note = edited.note;
    a.links = edited.links;
    a.extra = edited.extra;
    d.article.sidecar.annotations.push(a);
    id
}

/// Reads the suggestion set's sidecar for a source (re-anchored when the
/// source changed since); a missing one is no suggestions, an unreadable one
/// an error line. Called by the event loop, never by `update`.
pub fn load(
    source: &std::path::Path,
    doc: Arc<Document>,
    set: &str,
) -> Result<Vec<Annotation>, String> {
    let a = claimtag_model::Article::with_doc(source, doc, set);
    match a.read_only {
        Some(why) => Err(format!("suggestions not shown: {why}")),
        None => Ok(a.sidecar.annotations),
    }
}

impl App {
    /// The suggestion set of an article was read (or could not be).
    pub(crate) fn suggestions_loaded(
        &mut self,
        slot: usize,
        result: Result<Vec<Annotation>, String>,
    ) {
        let set = self.suggest_from.clone();
        match result {
            Ok(items) => {
                if let Some(d) = self.doc_mut(slot) {
                    let proposals = std::mem::take(&mut d.suggestions.proposals);
                    d.suggestions = Suggestions::new(&set, items);
                    d.suggestions.proposals = proposals;
                    d.suggestions.refresh(&d.article.doc, &d.article.sidecar);
                }
            }
            Err(e) => {
                if self.panes.iter().any(|p| p.slot == slot) {
                    self.warn(e);
                }
            }
        }
    }

    /// The answer to "accept all?": `y`, or the accept-all key again.
    pub(crate) fn answer_accept_all(&mut self, slot: usize, k: &crossterm::event::KeyEvent) {
        use crossterm::event::KeyCode;
        let again = crate::keymap::Key::from_event(k).is_some_and(|key| {
            matches!(
                self.keymap.lookup(&[key], Mode::Annotate),
                crate::keymap::Lookup::Command(Command::AcceptAllSuggestions)
            )
        });
        if again || matches!(k.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
            self.accept_all_confirmed(slot);
        } else {
            self.info("nothing accepted");
        }
    }
}
