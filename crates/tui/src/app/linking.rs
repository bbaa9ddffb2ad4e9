//! Linking in the text (issue 12, item 1): a key starts a link from the
//! annotation under the cursor; the motions and `]`/`[` move to the target,
//! which is highlighted; Enter takes it. The relation is taken at once when
//! the scheme allows exactly one from the source's label to the target's,
//! else it is chosen from a short menu. The list-based picker of the editor
//! stays for those who prefer it.

use claimtag_model::format::Link;

use super::{App, Effect, Overlay, short};
use crate::command::Command;

/// A link being made: from which annotation, and the relation menu once a
/// target with several possible relations is picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linking {
    pub slot: usize,
    /// The pane the link is made in (the target is chosen there).
    pub pane: usize,
    pub from: String,
    pub from_label: String,
    pub menu: Option<RelationMenu>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationMenu {
    pub to: String,
    pub relations: Vec<String>,
    pub selected: usize,
}

impl App {
    /// `L`: start a link from the annotation under the cursor.
    pub(super) fn start_link(&mut self) {
        let f = self.focus;
        let slot = self.panes[f].slot;
        if !self.editable(slot) {
            return;
        }
        let cur = self.panes[f].cursor;
        let Some(d) = self.doc_of(f) else { return };
        let Some(&i) = d.at(cur).first() else {
            self.info("no annotation under the cursor to link from");
            return;
        };
        let a = &d.annotations()[i];
        if !self
            .scheme
            .relations
            .iter()
            .any(|r| r.from.contains(&a.label))
        {
            self.warn(format!("the scheme allows no link from a {}", a.label));
            return;
        }
        let text = format!(
            "link from {} {} “{}”: move to the target ({} jumps), {} picks it, {} cancels",
            a.id,
            a.label,
            short(&a.text, 30),
            self.keymap
                .key_in(crate::command::Mode::Annotate, Command::NextAnnotation),
            self.keymap
                .key_in(crate::command::Mode::LinkTarget, Command::LinkPick),
            self.keymap
                .key_in(crate::command::Mode::LinkTarget, Command::LinkCancel),
        );
        self.overlay = Overlay::Link(Box::new(Linking {
            slot,
            pane: f,
            from: a.id.clone(),
            from_label: a.label.clone(),
            menu: None,
        }));
        self.info(text);
    }

    /// The annotation a link would go to now: the one under the cursor of the
    /// linking pane, other than the source (its index in the article).
    pub fn link_target(&self) -> Option<usize> {
        let Overlay::Link(l) = &self.overlay else {
            return None;
        };
        let pane = self.panes.get(l.pane)?;
        let d = self.doc_of(l.pane)?;
        d.at(pane.cursor)
            .into_iter()
            .find(|&i| d.annotations()[i].id != l.from)
    }

    /// A command while linking: motions move to the target, Enter picks it,
    /// Esc cancels; in the relation menu, ↑/↓, Enter and Esc.
    pub(super) fn link_command(&mut self, c: Command) -> Vec<Effect> {
        use Command::*;
        let Overlay::Link(l) = &self.overlay else {
            return vec![];
        };
        let mut l = (**l).clone();
        if let Some(menu) = &mut l.menu {
            match c {
                ListDown => {
                    menu.selected = (menu.selected + 1).min(menu.relations.len().saturating_sub(1))
                }
                ListUp => menu.selected = menu.selected.saturating_sub(1),
                ListChoose => {
                    if let Some(rel) = menu.relations.get(menu.selected).cloned() {
                        let to = menu.to.clone();
                        self.add_link(&l, &rel, &to);
                        return vec![];
                    }
                }
                // Back to choosing the target.
                ListClose => l.menu = None,
                _ => {}
            }
            self.overlay = Overlay::Link(Box::new(l));
            return vec![];
        }
        match c {
            LinkCancel => {
                self.overlay = Overlay::None;
                self.info("link cancelled");
            }
            LinkPick => self.pick_target(l),
            Left | Right | Up | Down | WordNext | WordPrev | SentenceNext | SentencePrev
            | ParagraphNext | ParagraphPrev | Top | Bottom | PageUp | PageDown | HalfPageUp
            | HalfPageDown | NextAnnotation | PrevAnnotation | SearchNext | SearchPrev => {
                // The target is chosen in the pane the link started in.
                self.focus = l.pane.min(self.panes.len().saturating_sub(1));
                let keep = std::mem::replace(&mut self.overlay, Overlay::None);
                let mut effects = self.run(c);
                self.overlay = keep;
                // `]` and `[` pass over the source: it is no target.
                if matches!(c, NextAnnotation | PrevAnnotation) && self.link_target().is_none() {
                    let before = self.panes.get(self.focus).map(|p| p.cursor);
                    let keep = std::mem::replace(&mut self.overlay, Overlay::None);
                    effects.extend(self.run(c));
                    self.overlay = keep;
                    if self.link_target().is_none()
                        && let (Some(b), Some(p)) = (before, self.panes.get_mut(self.focus))
                    {
                        p.cursor = b;
                    }
                }
                return effects;
            }
            _ => {
                let pick = self
                    .keymap
                    .key_in(crate::command::Mode::LinkTarget, LinkPick);
                let cancel = self
                    .keymap
                    .key_in(crate::command::Mode::LinkTarget, LinkCancel);
                self.info(format!(
                    "choosing a link target: move onto it, {pick} picks it, {cancel} cancels"
                ));
            }
        }
        vec![]
    }

    fn pick_target(&mut self, mut l: Linking) {
        let Some(i) = self.link_target() else {
            let next = self.key_for(Command::NextAnnotation);
            self.info(format!(
                "no other annotation under the cursor: move onto the target ({next} jumps to the next)"
            ));
            return;
        };
        let Some(d) = self.doc_of(l.pane) else { return };
        let target = &d.annotations()[i];
        let Some(source) = d.annotations().iter().find(|a| a.id == l.from) else {
            self.overlay = Overlay::None;
            self.warn(format!("{} is gone; link cancelled", l.from));
            return;
        };
        let allowed: Vec<String> = self
            .scheme
            .relations_between(&l.from_label, &target.label)
            .map(|r| r.name.clone())
            .collect();
        if allowed.is_empty() {
            let msg = format!(
                "the scheme allows no relation from {} to {}; choose another target or Esc",
                l.from_label, target.label
            );
            self.warn(msg);
            return;
        }
        let relations: Vec<String> = allowed
            .into_iter()
            .filter(|rel| {
                !source
                    .links
                    .iter()
                    .any(|k| &k.rel == rel && k.to == target.id)
            })
            .collect();
        let to = target.id.clone();
        match relations.as_slice() {
            [] => self.info(format!(
                "{} is already linked to {to} in every way the scheme allows",
                l.from
            )),
            [rel] => {
                let rel = rel.clone();
                self.add_link(&l, &rel, &to);
            }
            _ => {
                l.menu = Some(RelationMenu {
                    to,
                    relations,
                    selected: 0,
                });
                self.overlay = Overlay::Link(Box::new(l));
            }
        }
    }

    /// Adds the link (undoable) and ends linking.
    fn add_link(&mut self, l: &Linking, rel: &str, to: &str) {
        self.overlay = Overlay::None;
        let undo = self.key_for(Command::Undo);
        let Some(d) = self.doc_mut(l.slot) else {
            return;
        };
        let Some(i) = d.annotations().iter().position(|a| a.id == l.from) else {
            return;
        };
        d.begin_change();
        d.article.sidecar.annotations[i].links.push(Link {
            rel: rel.to_string(),
            to: to.to_string(),
        });
        d.end_change();
        self.info(format!("linked {} {rel} → {to} ({undo} undoes)", l.from));
    }
}
