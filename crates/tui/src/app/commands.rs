//! Dispatch: every command, in one exhaustive `match`, to the logic of its
//! idea (motions, tagging, search, lists, editor, saving, review).

use super::{App, Effect, Overlay, Pane, Slot, review};
use crate::command::Command;
use crate::edit::LineEdit;

impl App {
    /// Runs a command where the user is now (the focused pane, or the overlay).
    pub fn run(&mut self, c: Command) -> Vec<Effect> {
        use Command::*;
        match c {
            // Choosing a link target takes every key while it lasts.
            c if matches!(self.overlay, Overlay::Link(_)) => self.link_command(c),
            // overlays
            ListDown | ListUp | ListPageDown | ListPageUp | ListFirst | ListLast | ListChoose
            | ListClose | CorpusFilter | Reattach | CorpusStatus | SettleYours | SettleTheirs
            | SettleBoth => self.list_command(c),
            ConflictList if matches!(self.overlay, Overlay::Corpus { .. }) => self.list_command(c),
            NextField | PrevField | PrevLabel | NextLabel | Unlink | EditorEnter | EditorSave
            | EditorCancel | PickerDown | PickerUp | PickerCancel => self.editor_command(c),
            MergeTheirs | KeepMine | ReloadTheirs | DecideLater => self.conflict_command(c),
            TakeOverYes | TakeOverNo => self.take_over_command(c),
            PromptAccept | PromptCancel => self.prompt_command(c),
            FieldLeft | FieldRight | FieldStart | FieldEnd | FieldDeleteBack | FieldDelete
            | FieldClear => {
                match &mut self.overlay {
                    Overlay::Search(edit) => {
                        edit.apply(c);
                    }
                    Overlay::Edit(_) => return self.editor_command(c),
                    _ => {}
                }
                vec![]
            }
            Help if matches!(self.overlay, Overlay::Help { .. }) => {
                self.overlay = Overlay::None;
                vec![]
            }
            DiffList if matches!(self.overlay, Overlay::Diffs { .. }) => {
                self.overlay = Overlay::None;
                vec![]
            }
            _ => self.main_command(c),
        }
    }

    /// A command of the main screen, on the focused pane.
    fn main_command(&mut self, c: Command) -> Vec<Effect> {
        use Command::*;
        if self.doc_of(self.focus).is_none() && c.needs_article() {
            let path = self
                .slots
                .get(self.focused().slot)
                .map(|s| s.path().display().to_string());
            match self.slots.get(self.focused().slot) {
                Some(Slot::Failed(_, e)) => self.error(e.clone()),
                _ => self.info(format!("still loading {}", path.unwrap_or_default())),
            }
            return vec![];
        }
        match c {
            Left | Right | Up | Down | WordNext | WordPrev | SentenceNext | SentencePrev
            | ParagraphNext | ParagraphPrev | Top | Bottom | PageUp | PageDown | HalfPageUp
            | HalfPageDown => {
                self.motion(c, false);
            }
            ExtendLeft => self.motion(Left, true),
            ExtendRight => self.motion(Right, true),
            ExtendUp => self.motion(Up, true),
            ExtendDown => self.motion(Down, true),
            ToggleSelect => {
                let p = &mut self.panes[self.focus];
                p.anchor = match p.anchor {
                    Some(_) => None,
                    None => Some(p.cursor),
                };
            }
            SelectSentence | SelectParagraph => self.select_unit(c == SelectParagraph),
            SwapEnds => self.swap_ends(),
            Escape => {
                // Esc clears the selection, and the search highlight with it
                // (n and N bring the highlight back).
                self.search_shown = false;
                self.panes[self.focus].anchor = None;
                self.message = None;
                self.pending.clear();
                self.count = None;
            }
            Tag(i) => self.tag(i),
            NextAnnotation => self.jump_annotation(true),
            PrevAnnotation => self.jump_annotation(false),
            DeleteAnnotation => self.delete_at_cursor(),
            Guideline => self.show_guideline(),
            EditAnnotation => self.open_editor(),
            Undo | Redo => self.undo_redo(c == Undo),
            Search => self.overlay = Overlay::Search(LineEdit::new("")),
            SearchNext => self.search_step(true),
            SearchPrev => self.search_step(false),
            Save => return self.save_now(),
            Help => self.overlay = Overlay::Help { scroll: 0 },
            Quit => return self.quit(),
            SplitPane => self.split(),
            ClosePane => {
                if self.review.is_some() {
                    self.info("the review screen keeps both panes");
                } else if self.panes.len() > 1 {
                    self.repaint();
                    self.panes.remove(self.focus);
                    self.focus = self.focus.min(self.panes.len() - 1);
                } else {
                    let quit = self.key_for(Quit);
                    self.info(format!("this is the only pane ({quit} quits)"));
                }
            }
            NextPane => {
                self.focus = (self.focus + 1) % self.panes.len();
            }
            CorpusList => {
                self.overlay = Overlay::Corpus {
                    selected: self.focused().slot,
                    filter: None,
                }
            }
            Redraw => self.repaint(),
            CycleStatus => self.cycle_status(),
            Unanchored => self.open_orphans(),
            ConflictList => self.open_conflicts(),
            TakeOver => self.ask_take_over(),
            StartLink => self.start_link(),
            NextDiff | PrevDiff | Accept | Reject | AcceptAll | DiffList => {
                return review::command(self, c);
            }
            NextSuggestion => self.jump_suggestion(true),
            PrevSuggestion => self.jump_suggestion(false),
            AcceptSuggestion => self.accept_suggestion(),
            RejectSuggestion => self.reject_suggestion(),
            AcceptAllSuggestions => self.accept_all_suggestions(),
            ProposeLike => self.propose_like(),
            // Overlay commands never reach the main screen (see `run`).
            ListDown | ListUp | ListPageDown | ListPageUp | ListFirst | ListLast | ListChoose
            | ListClose | CorpusFilter | Reattach | CorpusStatus | SettleYours | SettleTheirs
            | SettleBoth | PickerDown | PickerUp | PickerCancel | NextField | PrevField
            | PrevLabel | NextLabel | Unlink | EditorEnter | EditorSave | EditorCancel
            | MergeTheirs | KeepMine | ReloadTheirs | DecideLater | TakeOverYes | TakeOverNo
            | PromptAccept | PromptCancel | LinkPick | LinkCancel | FieldLeft | FieldRight
            | FieldStart | FieldEnd | FieldDeleteBack | FieldDelete | FieldClear => {}
        }
        if let Some(r) = self.review.as_ref()
            && r.locked
        {
            review::sync_scroll(self);
        }
        vec![]
    }

    fn split(&mut self) {
        if self.review.is_some() {
            self.info("the review screen has its two panes");
            return;
        }
        let current = self.focused().slot;
        let n = self.slots.len();
        let shown: Vec<usize> = self.panes.iter().map(|p| p.slot).collect();
        let next = (1..=n)
            .map(|k| (current + k) % n)
            .find(|s| !shown.contains(s))
            .unwrap_or(current);
        self.panes.insert(self.focus + 1, Pane::new(next));
        self.focus += 1;
        self.repaint();
        for i in 0..self.panes.len() {
            self.scroll_to_cursor(i);
        }
    }

    pub fn open_in_focused(&mut self, slot: usize) {
        match self.slots.get(slot) {
            Some(Slot::Failed(_, e)) => {
                let e = e.clone();
                self.error(e);
            }
            Some(_) => {
                if self.review.is_some() {
                    review::open_article(self, slot);
                    return;
                }
                let f = self.focus;
                self.panes[f] = Pane::new(slot);
                self.repaint();
                if let Some(Slot::Pending(p)) = self.slots.get(slot) {
                    let p = p.display().to_string();
                    self.info(format!("loading {p} …"));
                } else if let Some(Slot::Ready(d)) = self.slots.get(slot)
                    && let Some(why) = &d.article.read_only
                {
                    let why = why.clone();
                    self.error(format!("read-only: {why}"));
                }
            }
            None => {}
        }
    }

    /// Asks for a repaint of every cell (review switching articles, too).
    pub fn request_repaint(&mut self) {
        self.repaint();
    }
}
