//! The application state and its pure `update`: every change of state goes
//! through [`App::update`], which does no I/O. I/O (saving, reloading) is
//! returned as [`Effect`]s for the event loop to carry out.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

use crate::layout::{Layout, RowPos};
use claimtag_model::anchor;
use claimtag_model::format::{Annotation, Link};
use claimtag_model::{Article, Document, Scheme};

use super::edit::LineEdit;
use super::keymap::{Command, Context, Key, Keymap, Lookup};
use super::review::Review;
use super::theme::Theme;

/// Longest span a tag may cover, in code points: longer is surely a
/// selection left on by mistake (a whole article), not a claim.
pub const MAX_TAG_CHARS: usize = 20_000;

const LONG_SENTENCE: &str =
    "this sentence runs on for more than 64 KiB: select what to tag with v and the motions";

/// Undo steps kept per article.
const UNDO_DEPTH: usize = 500;

#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// A background load finished.
    Loaded(usize, Box<Result<Article, String>>),
    /// The suggestion set's spans for an article (issue 16) were read.
    SuggestionsLoaded(usize, Box<Result<Vec<Annotation>, String>>),
}

/// Work for the event loop: everything that touches the disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Save these articles now.
    Save(Vec<usize>),
    /// Save everything, then quit if that worked.
    SaveAndQuit,
    /// Quit without saving more (after the user confirmed).
    Quit,
    /// Overwrite the sidecar on disk with ours (after a conflict).
    Overwrite(usize),
    /// Re-read the sidecar from disk, keeping ours in a recovery file.
    Reload(usize),
}

/// One article of the corpus.
#[derive(Debug)]
pub enum Slot {
    Pending(PathBuf),
    Ready(Box<Doc>),
    Failed(PathBuf, String),
}

impl Slot {
    pub fn path(&self) -> &std::path::Path {
        match self {
            Slot::Pending(p) | Slot::Failed(p, _) => p,
            Slot::Ready(d) => &d.article.source,
        }
    }
    pub fn doc(&self) -> Option<&Doc> {
        match self {
            Slot::Ready(d) => Some(d),
            _ => None,
        }
    }
}

/// A loaded article with its editing history.
#[derive(Debug)]
pub struct Doc {
    pub article: Article,
    /// Changed since the last save.
    pub dirty: bool,
    /// Bumped on every change, so the loop can time autosave.
    pub revision: u64,
    undo: Vec<Snapshot>,
    redo: Vec<Snapshot>,
    /// The sidecar changed on disk and ours was not written.
    pub conflict: bool,
    /// Byte ranges of the annotations, in the order of `article.sidecar.annotations`.
    pub spans: Vec<Option<Range<usize>>>,
    /// Only the start of a big file is shown while the whole loads.
    pub preview: bool,
    /// The annotations as on disk, so undoing back to them is not a change.
    saved: Snapshot,
    /// The recovery file written for a revision, so it is written once.
    pub recovered: Option<(u64, PathBuf)>,
    /// Suggestions shown as ghost spans (issue 16).
    pub suggestions: crate::suggest::Suggestions,
}

#[derive(Debug, Clone)]
struct Snapshot {
    annotations: Vec<Annotation>,
    extra: claimtag_model::format::Extra,
    /// Proposals made with `*`, so undo takes them back too.
    proposals: Vec<Annotation>,
}

impl Doc {
    pub fn new(article: Article) -> Doc {
        let saved = Snapshot {
            annotations: article.sidecar.annotations.clone(),
            extra: article.sidecar.extra.clone(),
            proposals: Vec::new(),
        };
        let mut d = Doc {
            saved,
            recovered: None,
            article,
            dirty: false,
            revision: 0,
            undo: Vec::new(),
            redo: Vec::new(),
            conflict: false,
            spans: Vec::new(),
            preview: false,
            suggestions: Default::default(),
        };
        d.reindex();
        d
    }

    pub fn doc(&self) -> &Arc<Document> {
        &self.article.doc
    }

    pub fn annotations(&self) -> &[Annotation] {
        &self.article.sidecar.annotations
    }

    /// Recomputes byte ranges after annotations changed.
    pub fn reindex(&mut self) {
        self.article.sidecar.sort();
        let doc = &self.article.doc;
        self.spans = self
            .article
            .sidecar
            .annotations
            .iter()
            .map(|a| {
                if a.orphan {
                    None
                } else {
                    doc.char_range_to_bytes(a.start, a.end)
                }
            })
            .collect();
        self.suggestions
            .refresh(&self.article.doc, &self.article.sidecar);
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            annotations: self.article.sidecar.annotations.clone(),
            extra: self.article.sidecar.extra.clone(),
            proposals: self.suggestions.proposals.clone(),
        }
    }

    /// Records the state before a change.
    pub fn begin_change(&mut self) {
        self.undo.push(self.snapshot());
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
        self.redo.clear();
    }

    pub fn end_change(&mut self) {
        self.revision += 1;
        self.reindex();
        self.dirty = self.article.sidecar.annotations != self.saved.annotations
            || self.article.sidecar.extra != self.saved.extra;
    }

    /// Records that what is in memory is now on disk.
    pub fn mark_saved(&mut self) {
        self.saved = self.snapshot();
        self.dirty = false;
        self.conflict = false;
    }

    fn restore(&mut self, s: Snapshot) {
        self.article.sidecar.annotations = s.annotations;
        self.article.sidecar.extra = s.extra;
        self.suggestions.proposals = s.proposals;
        self.end_change();
    }

    pub fn undo(&mut self) -> bool {
        match self.undo.pop() {
            Some(s) => {
                self.redo.push(self.snapshot());
                self.restore(s);
                true
            }
            None => false,
        }
    }

    pub fn redo(&mut self) -> bool {
        match self.redo.pop() {
            Some(s) => {
                self.undo.push(self.snapshot());
                self.restore(s);
                true
            }
            None => false,
        }
    }

    /// Indices of annotations covering byte `b`, innermost first.
    pub fn at(&self, b: usize) -> Vec<usize> {
        let mut v: Vec<usize> = self
            .spans
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.as_ref().filter(|r| r.start <= b && b < r.end).map(|_| i))
            .collect();
        v.sort_by_key(|&i| {
            self.spans[i]
                .as_ref()
                .map(|r| r.len())
                .unwrap_or(usize::MAX)
        });
        v
    }

    pub fn orphans(&self) -> usize {
        self.annotations().iter().filter(|a| a.orphan).count()
    }
}

#[derive(Debug, Clone)]
pub struct Pane {
    pub slot: usize,
    /// Byte offset of the cursor, on a grapheme boundary.
    pub cursor: usize,
    /// The other end of the selection, when selecting.
    pub anchor: Option<usize>,
    pub top: RowPos,
    /// Column kept while moving up and down.
    pub want_x: Option<u16>,
}

impl Pane {
    pub fn new(slot: usize) -> Pane {
        Pane {
            slot,
            cursor: 0,
            anchor: None,
            top: RowPos::default(),
            want_x: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub level: Level,
}

#[derive(Debug, Clone)]
pub enum Overlay {
    None,
    Help {
        scroll: usize,
    },
    Corpus {
        selected: usize,
    },
    Search(LineEdit),
    Edit(Box<EditForm>),
    Conflict(usize),
    /// Review: the differences of the article shown.
    Diffs {
        selected: usize,
    },
}

/// The annotation editor (Enter on an annotation).
#[derive(Debug, Clone)]
pub struct EditForm {
    pub slot: usize,
    pub id: String,
    pub label: usize,
    pub claimant: LineEdit,
    pub note: LineEdit,
    /// The scheme's other attributes (name, value), kept as extra keys of the
    /// annotation.
    pub attrs: Vec<(String, LineEdit)>,
    pub links: Vec<Link>,
    /// 0 label, 1 claimant, 2 note, then the attributes, the links, and last
    /// "add a link".
    pub field: usize,
    pub picker: Option<LinkPicker>,
    /// Editing a suggestion before accepting it: saving the form accepts it.
    pub suggestion: Option<Box<Annotation>>,
}

/// Attributes the editor has fields of its own for.
pub const BUILT_IN_ATTRIBUTES: &[&str] = &["claimant", "note"];

#[derive(Debug, Clone)]
pub struct LinkPicker {
    /// (relation, target id, what to show)
    pub options: Vec<(String, String, String)>,
    pub selected: usize,
}

impl EditForm {
    /// A form filled from an annotation (or a suggestion).
    pub fn for_annotation(app: &App, slot: usize, a: &Annotation) -> EditForm {
        EditForm {
            slot,
            id: a.id.clone(),
            label: app
                .scheme
                .label_index(&a.label)
                .min(app.scheme.labels.len().saturating_sub(1)),
            claimant: LineEdit::new(a.claimant.as_deref().unwrap_or("")),
            note: LineEdit::new(a.note.as_deref().unwrap_or("")),
            attrs: app
                .scheme
                .attributes
                .iter()
                .filter(|at| !BUILT_IN_ATTRIBUTES.contains(&at.name.as_str()))
                .map(|at| {
                    let value = match a.extra.get(&at.name) {
                        Some(serde_json::Value::String(v)) => v.clone(),
                        Some(other) => other.to_string(),
                        None => String::new(),
                    };
                    (at.name.clone(), LineEdit::new(&value))
                })
                .collect(),
            links: a.links.clone(),
            field: 0,
            picker: None,
            suggestion: None,
        }
    }

    /// Copies the form's claimant, note, attributes and links into `a`.
    pub fn fill(&self, a: &mut Annotation) {
        let opt = |s: &str| {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        };
        a.claimant = opt(&self.claimant.text);
        a.note = opt(&self.note.text);
        for (name, edit) in &self.attrs {
            match opt(&edit.text) {
                Some(v) => {
                    a.extra.insert(name.clone(), serde_json::Value::String(v));
                }
                None => {
                    a.extra.remove(name);
                }
            }
        }
        a.links = self.links.clone();
    }

    pub fn fields(&self) -> usize {
        self.add_link_field() + 1
    }
    /// Field index of the first link.
    pub fn first_link_field(&self) -> usize {
        3 + self.attrs.len()
    }
    pub fn add_link_field(&self) -> usize {
        self.first_link_field() + self.links.len()
    }
}

pub struct App {
    pub scheme: Scheme,
    pub keymap: Keymap,
    pub theme: Theme,
    pub annotator: String,
    pub slots: Vec<Slot>,
    pub panes: Vec<Pane>,
    pub focus: usize,
    pub overlay: Overlay,
    pub message: Option<Message>,
    pub pending: Vec<Key>,
    pub size: (u16, u16),
    pub search: Option<String>,
    pub trim: bool,
    /// A quit was asked while something could not be saved; the next quit goes.
    pub quit_armed: bool,
    pub review: Option<Review>,
    /// A count typed before a motion (`5j`).
    pub count: Option<usize>,
    /// Where a mouse drag started.
    drag_from: Option<usize>,
    /// The folder the corpus list shows paths relative to.
    pub root: PathBuf,
    /// Repaint every cell on the next frame: after switching articles, and on
    /// request, since terminals disagree about the width of some emoji and
    /// flags and can leave stray glyphs that a cell diff would not clear.
    pub needs_clear: bool,
    /// Told on stderr after the terminal is restored (e.g. recovery files).
    pub exit_notes: Vec<String>,
    /// The set shown as suggestions (`--suggest-from`, `suggest_from:`).
    pub suggest_from: String,
    /// "Accept all suggestions?" was asked for this slot; the next key answers.
    pub confirm_accept_all: Option<usize>,
}

/// Where each pane and the status bar are drawn, for a screen of this size.
pub fn screen_areas(size: (u16, u16), panes: usize) -> (Vec<Rect>, Rect) {
    let (w, h) = size;
    let status = Rect::new(0, h.saturating_sub(1), w, h.min(1));
    let body_h = h.saturating_sub(1);
    let n = panes.max(1) as u16;
    // Every pane gets the same text width, so side-by-side panes of the same
    // article wrap alike (the review screen relies on it); panes but the last
    // have one more column for the divider.
    let text_w = (w.saturating_sub(n - 1) / n).max(1);
    let mut rects = Vec::new();
    let mut x: u16 = 0;
    for i in 0..n {
        let want = if i + 1 == n { text_w } else { text_w + 1 };
        let pw = want.min(w.saturating_sub(x));
        rects.push(Rect::new(x.min(w), 0, pw, body_h));
        x = x.saturating_add(pw);
    }
    (rects, status)
}

/// The text part of a pane: below its title row, left of its divider.
pub fn text_area(pane: Rect, last: bool) -> Rect {
    let divider = if last { 0 } else { 1 };
    Rect::new(
        pane.x,
        pane.y + 1.min(pane.height),
        pane.width.saturating_sub(divider).max(1),
        pane.height.saturating_sub(1),
    )
}

impl App {
    pub fn new(
        scheme: Scheme,
        keymap: Keymap,
        theme: Theme,
        annotator: String,
        sources: Vec<PathBuf>,
        trim: bool,
    ) -> App {
        let root = common_folder(&sources);
        App {
            root,
            scheme,
            keymap,
            theme,
            annotator,
            slots: sources.into_iter().map(Slot::Pending).collect(),
            panes: vec![Pane::new(0)],
            focus: 0,
            overlay: Overlay::None,
            message: None,
            pending: Vec::new(),
            size: (80, 24),
            search: None,
            trim,
            quit_armed: false,
            review: None,
            count: None,
            drag_from: None,
            needs_clear: false,
            exit_notes: Vec::new(),
            suggest_from: claimtag_model::suggest::DEFAULT_SET.to_string(),
            confirm_accept_all: None,
        }
    }

    /// A source's path as shown in lists: relative to the corpus folder.
    pub fn display_path(&self, path: &std::path::Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            level: Level::Info,
        });
    }
    pub fn warn(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            level: Level::Warn,
        });
    }
    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            level: Level::Error,
        });
    }

    pub fn pane_text_area(&self, i: usize) -> Rect {
        let (rects, _) = screen_areas(self.size, self.panes.len());
        let r = rects.get(i).copied().unwrap_or_default();
        text_area(r, i + 1 == self.panes.len())
    }

    pub fn focused(&self) -> &Pane {
        &self.panes[self.focus.min(self.panes.len() - 1)]
    }

    pub fn doc_of(&self, pane: usize) -> Option<&Doc> {
        self.panes
            .get(pane)
            .and_then(|p| self.slots.get(p.slot))
            .and_then(Slot::doc)
    }

    pub(crate) fn doc_mut(&mut self, slot: usize) -> Option<&mut Doc> {
        match self.slots.get_mut(slot) {
            Some(Slot::Ready(d)) => Some(d),
            _ => None,
        }
    }

    pub fn dirty_slots(&self) -> Vec<usize> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.doc().is_some_and(|d| d.dirty))
            .map(|(i, _)| i)
            .collect()
    }

    pub fn context(&self) -> Context {
        if self.review.is_some() {
            Context::Review
        } else {
            Context::Annotate
        }
    }

    /// The single entry point for state changes. Does no I/O.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Resize(w, h) => {
                self.size = (w, h);
                for i in 0..self.panes.len() {
                    self.scroll_to_cursor(i);
                }
                vec![]
            }
            Action::Loaded(slot, result) => {
                self.loaded(slot, *result);
                vec![]
            }
            Action::SuggestionsLoaded(slot, result) => {
                self.suggestions_loaded(slot, *result);
                vec![]
            }
            Action::Mouse(m) => {
                self.mouse(m);
                vec![]
            }
            Action::Key(k) => self.key(k),
        }
    }

    /// Shows the start of a big file at once, before the whole is loaded.
    pub fn show_preview(&mut self, slot: usize, doc: Document) {
        let Some(Slot::Pending(path)) = self.slots.get(slot) else {
            return;
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let article = Article {
            source: path.clone(),
            sidecar_path: claimtag_model::store::sidecar_path(path, &self.annotator),
            sidecar: claimtag_model::Sidecar::new(&self.annotator, &name, "", doc.len_chars()),
            doc: Arc::new(doc),
            stamp: None,
            read_only: None,
            anchor: Default::default(),
        };
        let mut d = Doc::new(article);
        d.preview = true;
        self.slots[slot] = Slot::Ready(Box::new(d));
    }

    fn loaded(&mut self, slot: usize, result: Result<Article, String>) {
        let Some(s) = self.slots.get_mut(slot) else {
            return;
        };
        let path = s.path().to_path_buf();
        *s = match result {
            Ok(article) => {
                let doc = Doc::new(article);
                let mut note = None;
                if let Some(why) = &doc.article.read_only {
                    note = Some((Level::Error, format!("read-only: {why}")));
                } else if doc.article.anchor.changed() {
                    let a = doc.article.anchor;
                    note = Some((
                        Level::Warn,
                        format!(
                            "{}: source changed; {} span(s) re-anchored, {} could not be found (kept, flagged)",
                            doc.article.file_name(),
                            a.moved,
                            a.orphaned
                        ),
                    ));
                }
                let shown = self.panes.iter().any(|p| p.slot == slot);
                if let Some((level, text)) = note
                    && shown
                {
                    self.message = Some(Message { text, level });
                }
                Slot::Ready(Box::new(doc))
            }
            Err(e) => Slot::Failed(path, e),
        };
    }

    fn key(&mut self, k: KeyEvent) -> Vec<Effect> {
        // A message answers the last key; the next key clears it (unless a
        // conflict or an armed quit still needs the user's attention).
        if !self.quit_armed && self.pending.is_empty() {
            self.message = None;
        }
        if let Some(slot) = self.confirm_accept_all.take() {
            self.answer_accept_all(slot, &k);
            return vec![];
        }
        match &self.overlay {
            Overlay::None => {}
            Overlay::Help { .. } => return self.help_key(k),
            Overlay::Corpus { .. } => return self.corpus_key(k),
            Overlay::Search(_) => return self.search_key(k),
            Overlay::Edit(_) => return self.edit_key(k),
            Overlay::Conflict(slot) => {
                let slot = *slot;
                return self.conflict_key(slot, k);
            }
            Overlay::Diffs { .. } => return super::review::list_key(self, k),
        }
        let Some(key) = Key::from_event(&k) else {
            return vec![];
        };
        // Digits before a command repeat it (`5j`, `3w`); a lone 0 is not a count.
        if let crossterm::event::KeyCode::Char(c @ '0'..='9') = k.code
            && k.modifiers.is_empty()
            && self.pending.is_empty()
            && (c != '0' || self.count.is_some())
        {
            let d = c as usize - '0' as usize;
            self.count = Some((self.count.unwrap_or(0) * 10 + d).min(10_000));
            self.info(format!("{}", self.count.unwrap_or(0)));
            return vec![];
        }
        // Esc after a prefix (`Ctrl-w`) or a count cancels it quietly.
        if k.code == KeyCode::Esc && (!self.pending.is_empty() || self.count.is_some()) {
            self.pending.clear();
            self.count = None;
            self.message = None;
            return vec![];
        }
        self.pending.push(key);
        match self.keymap.lookup(&self.pending, self.context()) {
            Lookup::Prefix => {
                let keys: Vec<String> = self.pending.iter().map(Key::label).collect();
                self.info(format!("{} …", keys.join(" ")));
                vec![]
            }
            Lookup::Command(c) => {
                if self.pending.len() > 1 {
                    // The "Ctrl-w …" hint has done its job.
                    self.message = None;
                }
                self.pending.clear();
                if !matches!(c, Command::Quit) {
                    self.quit_armed = false;
                }
                let times = self.count.take().unwrap_or(1);
                if c.repeats() {
                    let mut effects = Vec::new();
                    for _ in 0..times {
                        let before = self.panes.get(self.focus).map(|p| (p.cursor, p.top));
                        effects.extend(self.command(c));
                        // At the end of the text a count has nothing left to do.
                        if self.panes.get(self.focus).map(|p| (p.cursor, p.top)) == before {
                            break;
                        }
                    }
                    effects
                } else {
                    self.command(c)
                }
            }
            Lookup::None => {
                let keys: Vec<String> = self.pending.iter().map(Key::label).collect();
                self.pending.clear();
                self.count = None;
                let help = self.keymap.first_key(Command::Help).unwrap_or_default();
                self.warn(format!(
                    "{} is not bound ({help} shows the keys)",
                    keys.join(" ")
                ));
                vec![]
            }
        }
    }

    /// Runs a command on the focused pane.
    pub fn command(&mut self, c: Command) -> Vec<Effect> {
        use Command::*;
        if self.doc_of(self.focus).is_none()
            && !matches!(
                c,
                Help | Quit | CorpusList | NextPane | SplitPane | ClosePane | Escape | Save
            )
        {
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
            SwapEnds => {
                let p = &mut self.panes[self.focus];
                if let Some(a) = p.anchor {
                    p.anchor = Some(p.cursor);
                    p.cursor = a;
                    p.want_x = None;
                    let f = self.focus;
                    self.scroll_to_cursor(f);
                } else {
                    self.info("no selection (v starts one)");
                }
            }
            Escape => {
                self.panes[self.focus].anchor = None;
                self.message = None;
                self.pending.clear();
                self.count = None;
            }
            Tag(i) => self.tag(i),
            NextAnnotation => self.jump_annotation(true),
            PrevAnnotation => self.jump_annotation(false),
            DeleteAnnotation => self.delete_at_cursor(),
            EditAnnotation => self.open_editor(),
            Undo | Redo => {
                let slot = self.focused().slot;
                let done = self
                    .doc_mut(slot)
                    .map(|d| if c == Undo { d.undo() } else { d.redo() });
                match done {
                    Some(true) => {
                        self.info(if c == Undo { "undone" } else { "redone" });
                    }
                    _ => self.info(if c == Undo {
                        "nothing to undo"
                    } else {
                        "nothing to redo"
                    }),
                }
            }
            Search => self.overlay = Overlay::Search(LineEdit::new("")),
            SearchNext => self.search_step(true),
            SearchPrev => self.search_step(false),
            Save => {
                let dirty = self.dirty_slots();
                if dirty.is_empty() {
                    self.info("nothing to save");
                }
                return vec![Effect::Save(dirty)];
            }
            Help => self.overlay = Overlay::Help { scroll: 0 },
            Quit => {
                if self.quit_armed {
                    return vec![Effect::Quit];
                }
                return vec![Effect::SaveAndQuit];
            }
            SplitPane => self.split(),
            ClosePane => {
                if self.review.is_some() {
                    self.info("the review screen keeps both panes");
                } else if self.panes.len() > 1 {
                    self.needs_clear = true;
                    self.panes.remove(self.focus);
                    self.focus = self.focus.min(self.panes.len() - 1);
                } else {
                    self.info("this is the only pane (q quits)");
                }
            }
            NextPane => {
                self.focus = (self.focus + 1) % self.panes.len();
            }
            CorpusList => {
                self.overlay = Overlay::Corpus {
                    selected: self.focused().slot,
                }
            }
            Redraw => self.needs_clear = true,
            NextDiff | PrevDiff | Accept | Reject | AcceptAll | DiffList => {
                return super::review::command(self, c);
            }
            NextSuggestion => self.jump_suggestion(true),
            PrevSuggestion => self.jump_suggestion(false),
            AcceptSuggestion => self.accept_suggestion(),
            RejectSuggestion => self.reject_suggestion(),
            AcceptAllSuggestions => self.accept_all_suggestions(),
            ProposeLike => self.propose_like(),
        }
        if let Some(r) = self.review.as_ref()
            && r.locked
        {
            super::review::sync_scroll(self);
        }
        vec![]
    }

    // ---- motion ----

    fn layout_for(&self, pane: usize) -> Option<(Arc<Document>, u16, u16)> {
        let doc = Arc::clone(self.doc_of(pane)?.doc());
        let area = self.pane_text_area(pane);
        Some((doc, area.width.max(1), area.height.max(1)))
    }

    fn motion(&mut self, c: Command, extend: bool) {
        use Command::*;
        let f = self.focus;
        let Some((doc, width, height)) = self.layout_for(f) else {
            return;
        };
        let layout = Layout::new(&doc, width);
        let pane = &mut self.panes[f];
        if extend && pane.anchor.is_none() {
            pane.anchor = Some(pane.cursor);
        }
        let cur = pane.cursor;
        let mut keep_x = false;
        let new = match c {
            Left => doc.prev_grapheme(cur),
            Right => doc.next_grapheme(cur),
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
        let Some((doc, width, height)) = self.layout_for(pane) else {
            return;
        };
        let layout = Layout::new(&doc, width);
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

    fn scroll(&mut self, pane: usize, delta: isize) {
        let Some((doc, width, height)) = self.layout_for(pane) else {
            return;
        };
        let layout = Layout::new(&doc, width);
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

    // ---- selection and tagging ----

    /// The selected byte range of a pane (inclusive of the grapheme under the
    /// cursor, as in vim's visual mode), snapped and trimmed.
    pub fn selection(&self, pane: usize) -> Option<Range<usize>> {
        let p = self.panes.get(pane)?;
        let a = p.anchor?;
        let doc = self.doc_of(pane)?.doc();
        let (lo, hi) = (a.min(p.cursor), a.max(p.cursor));
        Some(doc.snap_selection(lo..doc.next_grapheme(hi), false))
    }

    fn select_unit(&mut self, paragraph: bool) {
        let f = self.focus;
        let Some(doc) = self.doc_of(f).map(|d| Arc::clone(d.doc())) else {
            return;
        };
        let cur = self.panes[f].cursor;
        let found = if paragraph {
            Some(doc.paragraph_at(cur))
        } else {
            doc.whole_sentence_at(cur)
        };
        let Some(r) = found else {
            self.panes[f].anchor = None;
            self.warn(LONG_SENTENCE);
            return;
        };
        if r.is_empty() {
            // A selection left from before must not be tagged by mistake.
            self.panes[f].anchor = None;
            self.info("nothing to select here");
            return;
        }
        let p = &mut self.panes[f];
        p.anchor = Some(r.start);
        p.cursor = doc.prev_grapheme(r.end);
        self.scroll_to_cursor(f);
    }

    pub(crate) fn editable(&mut self, slot: usize) -> bool {
        let why = match self.slots.get(slot) {
            Some(Slot::Ready(d)) if d.preview => {
                self.info("still loading the whole file; tags can be made in a moment");
                return false;
            }
            Some(Slot::Ready(d)) => d.article.read_only.clone(),
            _ => Some("not loaded".into()),
        };
        if let Some(r) = &self.review
            && r.is_theirs(slot)
        {
            self.warn(format!(
                "{}'s tags are read-only here; a accepts them into yours",
                r.theirs
            ));
            return false;
        }
        match why {
            Some(w) => {
                self.error(format!("read-only: {w}"));
                false
            }
            None => true,
        }
    }

    fn tag(&mut self, label: usize) {
        let f = self.focus;
        let slot = self.panes[f].slot;
        if !self.editable(slot) {
            return;
        }
        let Some(label_name) = self.scheme.labels.get(label).map(|l| l.name.clone()) else {
            return;
        };
        let Some(doc) = self.doc_of(f).map(|d| Arc::clone(d.doc())) else {
            return;
        };
        let raw = match self.selection(f) {
            Some(r) => r,
            None => match doc.whole_sentence_at(self.panes[f].cursor) {
                Some(r) => r,
                None => {
                    self.warn(LONG_SENTENCE);
                    return;
                }
            },
        };
        let r = doc.snap_selection(raw, self.trim);
        if r.is_empty() {
            self.info("nothing to tag here: select some text first (v, s, p or the mouse)");
            return;
        }
        let (cs, ce) = (doc.byte_to_char(r.start), doc.byte_to_char(r.end));
        if ce - cs > MAX_TAG_CHARS {
            self.warn(format!(
                "not tagged: the selection is {} characters long (at most {MAX_TAG_CHARS}); Esc clears it",
                ce - cs
            ));
            return;
        }
        let provenance = self
            .review
            .as_ref()
            .filter(|rv| rv.is_adjudicating())
            .map(|_| self.annotator.clone());
        let Some(d) = self.doc_mut(slot) else {
            return;
        };
        if d.annotations()
            .iter()
            .any(|a| a.start == cs && a.end == ce && a.label == label_name)
        {
            self.info(format!("already tagged as {label_name}"));
            return;
        }
        d.begin_change();
        let id = d.article.sidecar.fresh_id();
        let mut a = anchor::new_annotation(&doc, r.clone(), &label_name, id.clone());
        a.from = provenance;
        let preview = short(&a.text, 40);
        d.article.sidecar.annotations.push(a);
        d.end_change();
        self.panes[f].anchor = None;
        self.info(format!("{id} {label_name}: “{preview}”"));
    }

    fn delete_at_cursor(&mut self) {
        let f = self.focus;
        let slot = self.panes[f].slot;
        if !self.editable(slot) {
            return;
        }
        let cur = self.panes[f].cursor;
        let Some(d) = self.doc_mut(slot) else {
            return;
        };
        let Some(&i) = d.at(cur).first() else {
            self.info("no annotation under the cursor");
            return;
        };
        d.begin_change();
        let removed = d.article.sidecar.annotations.remove(i);
        for a in d.article.sidecar.annotations.iter_mut() {
            a.links.retain(|l| l.to != removed.id);
        }
        d.end_change();
        self.info(format!(
            "deleted {} {} (u undoes)",
            removed.id, removed.label
        ));
    }

    fn jump_annotation(&mut self, forward: bool) {
        let f = self.focus;
        let cur = self.panes[f].cursor;
        let Some(d) = self.doc_of(f) else { return };
        let starts: Vec<usize> = d.spans.iter().flatten().map(|r| r.start).collect();
        let target = if forward {
            starts.iter().copied().filter(|&s| s > cur).min()
        } else {
            starts.iter().copied().filter(|&s| s < cur).max()
        };
        match target {
            Some(t) => {
                self.panes[f].cursor = t;
                self.panes[f].want_x = None;
                self.scroll_to_cursor(f);
                if let Some(d) = self.doc_of(f)
                    && let Some(&i) = d.at(t).first()
                {
                    let a = &d.annotations()[i];
                    let text = format!("{} {}: “{}”", a.id, a.label, short(&a.text, 50));
                    self.info(text);
                }
            }
            None => self.info(if forward {
                "no annotation after the cursor"
            } else {
                "no annotation before the cursor"
            }),
        }
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
        self.needs_clear = true;
        for i in 0..self.panes.len() {
            self.scroll_to_cursor(i);
        }
    }

    // ---- search ----

    fn search_step(&mut self, forward: bool) {
        let Some(q) = self.search.clone() else {
            self.info("no search yet: / searches");
            return;
        };
        let f = self.focus;
        let Some(doc) = self.doc_of(f).map(|d| Arc::clone(d.doc())) else {
            return;
        };
        let cur = self.panes[f].cursor;
        let found = if forward {
            find(doc.text(), &q, doc.next_grapheme(cur)).or_else(|| find(doc.text(), &q, 0))
        } else {
            rfind(doc.text(), &q, cur).or_else(|| rfind(doc.text(), &q, doc.len_bytes()))
        };
        match found {
            Some(b) => {
                let wrapped = if forward { b <= cur } else { b >= cur };
                self.panes[f].cursor = b;
                self.panes[f].want_x = None;
                self.scroll_to_cursor(f);
                if wrapped {
                    self.info(format!("/{q} (wrapped)"));
                } else {
                    self.info(format!("/{q}"));
                }
            }
            None => self.warn(format!("not found: {q}")),
        }
    }

    fn search_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let Overlay::Search(edit) = &mut self.overlay else {
            return vec![];
        };
        match k.code {
            KeyCode::Esc => self.overlay = Overlay::None,
            KeyCode::Enter => {
                let q = edit.text.clone();
                self.overlay = Overlay::None;
                if !q.is_empty() {
                    self.search = Some(q);
                }
                self.search_step(true);
            }
            _ => {
                edit.handle(&k);
            }
        }
        vec![]
    }

    // ---- help and corpus list ----

    fn help_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let Overlay::Help { scroll } = &mut self.overlay else {
            return vec![];
        };
        match k.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') | KeyCode::Enter => {
                self.overlay = Overlay::None
            }
            KeyCode::Down | KeyCode::Char('j') => *scroll += 1,
            KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
            KeyCode::PageDown | KeyCode::Char(' ') => *scroll += 10,
            KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
            KeyCode::Char('g') | KeyCode::Home => *scroll = 0,
            _ => {}
        }
        vec![]
    }

    fn corpus_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let n = self.slots.len();
        let Overlay::Corpus { selected } = &mut self.overlay else {
            return vec![];
        };
        match k.code {
            KeyCode::Esc | KeyCode::Char('q') => self.overlay = Overlay::None,
            KeyCode::Down | KeyCode::Char('j') => {
                *selected = (*selected + 1).min(n.saturating_sub(1))
            }
            KeyCode::Up | KeyCode::Char('k') => *selected = selected.saturating_sub(1),
            KeyCode::PageDown => *selected = (*selected + 10).min(n.saturating_sub(1)),
            KeyCode::PageUp => *selected = selected.saturating_sub(10),
            KeyCode::Char('g') | KeyCode::Home => *selected = 0,
            KeyCode::Char('G') | KeyCode::End => *selected = n.saturating_sub(1),
            KeyCode::Enter => {
                let s = *selected;
                self.overlay = Overlay::None;
                self.open_in_focused(s);
            }
            _ => {}
        }
        vec![]
    }

    pub fn open_in_focused(&mut self, slot: usize) {
        match self.slots.get(slot) {
            Some(Slot::Failed(_, e)) => {
                let e = e.clone();
                self.error(e);
            }
            Some(_) => {
                if self.review.is_some() {
                    super::review::open_article(self, slot);
                    return;
                }
                let f = self.focus;
                self.panes[f] = Pane::new(slot);
                self.needs_clear = true;
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

    // ---- annotation editor ----

    fn open_editor(&mut self) {
        let f = self.focus;
        let slot = self.panes[f].slot;
        // On a suggestion (and no tag of one's own): edit it before accepting.
        if self.edit_suggestion() {
            return;
        }
        if !self.editable(slot) {
            return;
        }
        let cur = self.panes[f].cursor;
        let Some(d) = self.doc_of(f) else { return };
        let Some(&i) = d.at(cur).first() else {
            self.info("no annotation under the cursor (tag one with c, d or e)");
            return;
        };
        let a = d.annotations()[i].clone();
        let form = EditForm::for_annotation(self, slot, &a);
        self.overlay = Overlay::Edit(Box::new(form));
    }

    fn link_options(&self, form: &EditForm) -> Vec<(String, String, String)> {
        let Some(d) = self.slots.get(form.slot).and_then(Slot::doc) else {
            return vec![];
        };
        let from_label = self
            .scheme
            .labels
            .get(form.label)
            .map(|l| l.name.as_str())
            .unwrap_or("");
        let mut out = Vec::new();
        for other in d.annotations() {
            if other.id == form.id {
                continue;
            }
            for rel in self.scheme.relations_between(from_label, &other.label) {
                if form
                    .links
                    .iter()
                    .any(|l| l.rel == rel.name && l.to == other.id)
                {
                    continue;
                }
                out.push((
                    rel.name.clone(),
                    other.id.clone(),
                    format!(
                        "{} → {} {} “{}”",
                        rel.name,
                        other.id,
                        other.label,
                        short(&other.text, 40)
                    ),
                ));
            }
        }
        out
    }

    fn edit_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let Overlay::Edit(form) = &self.overlay else {
            return vec![];
        };
        let mut form = form.clone();
        let nlabels = self.scheme.labels.len().max(1);
        if let Some(picker) = &mut form.picker {
            match k.code {
                KeyCode::Esc => form.picker = None,
                KeyCode::Down | KeyCode::Char('j') => {
                    picker.selected =
                        (picker.selected + 1).min(picker.options.len().saturating_sub(1))
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    picker.selected = picker.selected.saturating_sub(1)
                }
                KeyCode::Enter => {
                    if let Some((rel, to, _)) = picker.options.get(picker.selected) {
                        form.links.push(Link {
                            rel: rel.clone(),
                            to: to.clone(),
                        });
                    }
                    form.picker = None;
                }
                _ => {}
            }
            self.overlay = Overlay::Edit(form);
            return vec![];
        }
        let add_link_field = form.add_link_field();
        let first_link = form.first_link_field();
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match k.code {
            KeyCode::Esc => {
                self.overlay = Overlay::None;
                self.info("edit cancelled");
                return vec![];
            }
            KeyCode::Char('s') if ctrl => {
                self.apply_edit(&form);
                return vec![];
            }
            KeyCode::Down | KeyCode::Tab => form.field = (form.field + 1) % form.fields(),
            KeyCode::Up | KeyCode::BackTab => {
                form.field = (form.field + form.fields() - 1) % form.fields()
            }
            KeyCode::Left if form.field == 0 => form.label = (form.label + nlabels - 1) % nlabels,
            KeyCode::Right | KeyCode::Char(' ') if form.field == 0 => {
                form.label = (form.label + 1) % nlabels
            }
            KeyCode::Enter if form.field == add_link_field => {
                let options = self.link_options(&form);
                if options.is_empty() {
                    self.info("no span this one can link to (the scheme's relations decide)");
                } else {
                    form.picker = Some(LinkPicker {
                        options,
                        selected: 0,
                    });
                }
            }
            KeyCode::Delete | KeyCode::Backspace | KeyCode::Char('x')
                if form.field >= first_link && form.field < add_link_field =>
            {
                form.links.remove(form.field - first_link);
                form.field = form.field.min(form.fields() - 1);
            }
            KeyCode::Enter => {
                self.apply_edit(&form);
                return vec![];
            }
            _ => {
                match form.field {
                    0 => {
                        // A label's key picks it directly.
                        if let KeyCode::Char(c) = k.code
                            && let Some(i) = self.scheme.labels.iter().position(|l| l.key == c)
                        {
                            form.label = i;
                        }
                    }
                    1 => {
                        form.claimant.handle(&k);
                    }
                    2 => {
                        form.note.handle(&k);
                    }
                    n if n >= 3 && n < first_link => {
                        if let Some((_, edit)) = form.attrs.get_mut(n - 3) {
                            edit.handle(&k);
                        }
                    }
                    _ => {}
                }
            }
        }
        self.overlay = Overlay::Edit(form);
        vec![]
    }

    fn apply_edit(&mut self, form: &EditForm) {
        self.overlay = Overlay::None;
        let label = self.scheme.labels.get(form.label).map(|l| l.name.clone());
        let Some(d) = self.doc_mut(form.slot) else {
            return;
        };
        if let Some(s) = &form.suggestion {
            let mut a = (**s).clone();
            if let Some(l) = label {
                a.label = l;
            }
            form.fill(&mut a);
            d.begin_change();
            let id = crate::suggest::accept_edited(d, s, a);
            d.end_change();
            self.info(format!(
                "{id}: accepted the suggestion as edited (u undoes)"
            ));
            return;
        }
        let Some(i) = d.annotations().iter().position(|a| a.id == form.id) else {
            return;
        };
        let mut a = d.annotations()[i].clone();
        if let Some(l) = label {
            a.label = l;
        }
        form.fill(&mut a);
        if a == d.annotations()[i] {
            self.info("no change");
            return;
        }
        d.begin_change();
        d.article.sidecar.annotations[i] = a;
        d.end_change();
        self.info(format!("updated {}", form.id));
    }

    // ---- conflicts ----

    fn conflict_key(&mut self, slot: usize, k: KeyEvent) -> Vec<Effect> {
        match k.code {
            KeyCode::Char('k') | KeyCode::Char('o') => {
                self.overlay = Overlay::None;
                vec![Effect::Overwrite(slot)]
            }
            KeyCode::Char('r') => {
                self.overlay = Overlay::None;
                vec![Effect::Reload(slot)]
            }
            KeyCode::Esc | KeyCode::Char('l') => {
                self.overlay = Overlay::None;
                self.warn("not saved: the sidecar changed on disk; Ctrl-s asks again");
                vec![]
            }
            _ => vec![],
        }
    }

    // ---- mouse ----

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

    fn mouse(&mut self, m: MouseEvent) {
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

/// The deepest folder holding every source.
fn common_folder(sources: &[PathBuf]) -> PathBuf {
    let mut iter = sources.iter().filter_map(|p| p.parent());
    let Some(first) = iter.next() else {
        return PathBuf::new();
    };
    let mut root = first.to_path_buf();
    for p in iter {
        while !p.starts_with(&root) {
            if !root.pop() {
                return PathBuf::new();
            }
        }
    }
    root
}

/// The byte at column `x` of the row at `pos`.
fn row_byte(layout: &Layout, pos: RowPos, x: u16) -> usize {
    let rows = layout.wrap(&layout.block_at(pos.block));
    match rows.get(pos.row).or(rows.last()) {
        Some(r) => layout.byte_at_x(r, x),
        None => pos.block,
    }
}

/// First match of `q` at or after `from`; case-insensitive (ASCII) when `q` has
/// no capital letter.
pub fn find(hay: &str, q: &str, from: usize) -> Option<usize> {
    if q.is_empty() || from > hay.len() || q.len() > hay.len() - from {
        return None;
    }
    let smart = !q.chars().any(char::is_uppercase);
    let h = hay.as_bytes();
    let n = q.as_bytes();
    if !smart {
        return memchr::memmem::find(&h[from..], n).map(|i| i + from);
    }
    let lower = q.to_ascii_lowercase();
    let n = lower.as_bytes();
    (from..=h.len().saturating_sub(n.len()))
        .find(|&i| hay.is_char_boundary(i) && h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// Last match of `q` starting before `before`.
pub fn rfind(hay: &str, q: &str, before: usize) -> Option<usize> {
    if q.is_empty() || q.len() > hay.len() {
        return None;
    }
    let smart = !q.chars().any(char::is_uppercase);
    let h = hay.as_bytes();
    let n = q.as_bytes();
    let last = before.min(h.len().saturating_sub(n.len()) + 1);
    (0..last).rev().find(|&i| {
        i + n.len() <= h.len()
            && hay.is_char_boundary(i)
            && if smart {
                h[i..i + n.len()].eq_ignore_ascii_case(n)
            } else {
                &h[i..i + n.len()] == n
            }
    })
}

/// The first `n` characters of a string on one line, with an ellipsis.
pub fn short(s: &str, n: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() <= n {
        flat
    } else {
        flat.chars().take(n.saturating_sub(1)).collect::<String>() + "…"
    }
}
