//! The application state and its single entry point, [`App::update`], which
//! does no I/O: work for the disk, the clock or the terminal is returned as
//! [`Effect`]s and comes back as [`Action`]s. Each submodule adds the update
//! logic of one idea to `App`.

mod commands;
mod conflicts;
mod dashboard;
mod doc;
mod editor;
mod keys;
mod linking;
mod lists;
mod merge;
mod motion;
mod mouse;
mod off_screen;
pub(crate) use off_screen::Lately;
mod open_claims;
mod orphans;
mod persist;
mod review;
mod search;
mod session;
mod status;
mod tagging;
mod take_over;
mod typeahead;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use ratatui::layout::Rect;

pub use conflicts::ConflictRow;
pub use doc::{Doc, LabelCounts, Snapshot};
pub use editor::{BUILT_IN_ATTRIBUTES, EditForm, LinkPicker};
pub use keys::Resolved;
pub use linking::{Linking, RelationMenu};
pub use search::{find, rfind};
pub use status::status_name;
pub use tagging::MAX_TAG_CHARS;

pub use crate::action::{Action, Effect};
use crate::bidi::{BidiCache, BidiMode, BidiView, Direction};
use crate::command::{Command, Mode};
use crate::edit::LineEdit;
use crate::keymap::{Key, Keymap};
use crate::layout::RowPos;
use crate::review::Review;
use crate::theme::Theme;
use claimtag_model::{Article, Document, Scheme};

/// One article of the corpus.
#[derive(Debug)]
pub enum Slot {
    Pending(PathBuf),
    Ready(Box<Doc>),
    /// Loaded once, and let go while off screen with nothing to save: what
    /// the corpus list shows of it (see `App::annotating`).
    Summary(Box<Summary>),
    Failed(PathBuf, String),
}

/// What the corpus list shows of an article not held in memory: some 100
/// bytes, as 100,000 of them are kept.
#[derive(Debug, Clone)]
pub struct Summary {
    pub path: PathBuf,
    pub status: claimtag_model::format::Status,
    /// How many spans of each label, by the label's number in
    /// `App::summary_labels`; empty when there are none.
    pub counts: Box<[u32]>,
}

impl Slot {
    pub fn path(&self) -> &std::path::Path {
        match self {
            Slot::Pending(p) | Slot::Failed(p, _) => p,
            Slot::Ready(d) => &d.article.source,
            Slot::Summary(s) => &s.path,
        }
    }
    pub fn doc(&self) -> Option<&Doc> {
        match self {
            Slot::Ready(d) => Some(d),
            _ => None,
        }
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
        /// A row of the list as filtered.
        selected: usize,
        /// Only the articles with this status.
        filter: Option<claimtag_model::format::Status>,
    },
    Search(LineEdit),
    Edit(Box<EditForm>),
    Conflict(usize),
    /// The unanchored annotations of the article shown.
    Orphans {
        selected: usize,
    },
    /// Review: the differences of the article shown.
    Diffs {
        selected: usize,
    },
    /// The unresolved merge conflicts of the article shown, settled one by one.
    Conflicts {
        selected: usize,
    },
    /// The corpus dashboard (`claimtag status`), as text lines.
    Status {
        lines: Vec<String>,
        scroll: usize,
    },
    /// "Take over this article from the instance that has it open?"
    TakeOver(usize),
    /// Choosing a link's target in the text (then its relation).
    Link(Box<Linking>),
}

/// A quit under way: saves (or recovery copies) still to come back.
#[derive(Debug, Clone, Default)]
pub struct Quitting {
    pub waiting: Vec<usize>,
    pub reasons: Vec<String>,
    pub kept: Vec<String>,
    /// Leaving whatever happens (the second `q`): recovery copies, then out.
    pub exit: bool,
}

pub struct App {
    pub(crate) scheme: Scheme,
    pub(crate) keymap: Keymap,
    pub(crate) theme: Theme,
    pub(crate) annotator: String,
    pub(crate) slots: Vec<Slot>,
    pub(crate) panes: Vec<Pane>,
    pub(crate) focus: usize,
    pub(crate) overlay: Overlay,
    pub(crate) message: Option<Message>,
    pub(crate) pending: Vec<Key>,
    pub(crate) size: (u16, u16),
    pub(crate) search: Option<String>,
    pub(crate) trim: bool,
    /// A quit was asked while something could not be saved; the next quit goes.
    pub(crate) quit_armed: bool,
    pub(crate) quitting: Option<Quitting>,
    pub(crate) review: Option<Review>,
    /// A count typed before a motion (`5j`).
    pub(crate) count: Option<usize>,
    /// Where a mouse drag started.
    drag_from: Option<usize>,
    /// The mouse moved with the button down since it was pressed.
    dragged: bool,
    /// The folder the corpus list shows paths relative to.
    pub(crate) root: PathBuf,
    /// Repaint every cell after this update: after switching articles, and
    /// on request, since terminals disagree about the width of some emoji and
    /// flags and can leave stray glyphs that a cell diff would not clear.
    clear_screen: bool,
    /// The time of the last tick (the only clock the state knows).
    pub(crate) now: Option<Instant>,
    last_disk_check: Option<Instant>,
    checking_disk: bool,
    /// When read-only articles were last tried again, and whether that is
    /// under way.
    last_read_only_retry: Option<Instant>,
    retrying_read_only: bool,
    /// Slots whose save the user asked for (Ctrl-s): the result is told.
    announce: Vec<usize>,
    /// Told on stderr after the terminal is restored (e.g. recovery files).
    pub(crate) exit_notes: Vec<String>,
    /// Who puts right-to-left text in display order (issue 13).
    pub(crate) bidi: BidiMode,
    /// Paragraph direction asked for each article (by slot; Auto when absent).
    directions: Vec<Direction>,
    /// Resolved paragraph levels, shared by every pane and frame.
    bidi_cache: Arc<BidiCache>,
    /// The last search's matches are highlighted (Esc hides them, n/N and a
    /// new search show them again).
    pub(crate) search_shown: bool,
    /// Where the session is kept when quitting (file, corpus key); None: not kept.
    session: Option<(PathBuf, String)>,
    /// The set shown as suggestions (`--suggest-from`, `suggest_from:`).
    pub suggest_from: String,
    /// "Accept all suggestions?" was asked for this slot; the next key answers.
    pub(crate) confirm_accept_all: Option<usize>,
    /// Annotating (see [`App::annotating`]): articles on screen get a lock
    /// file, and those off screen with nothing to save are let go.
    annotating: bool,
    /// The slots holding a lock file, and those held whole in memory.
    claimed: std::collections::BTreeSet<usize>,
    resident: std::collections::BTreeSet<usize>,
    /// The articles lately on screen, most recent first (see
    /// `reconcile_off_screen`).
    recent: std::collections::VecDeque<usize>,
    /// Keys typed while the article on screen loads (see `hold_key`).
    typeahead: Option<typeahead::Typeahead>,
    pub(crate) lately: Lately,
    /// The labels counted in summaries, numbered as they first appear.
    summary_labels: Vec<String>,
    /// Given back to the background loader as each article is taken in, so
    /// it runs only so far ahead (see `tui::run`).
    pub(crate) load_permits: Option<std::sync::mpsc::SyncSender<()>>,
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
            quitting: None,
            review: None,
            count: None,
            drag_from: None,
            dragged: false,
            clear_screen: false,
            now: None,
            last_disk_check: None,
            checking_disk: false,
            last_read_only_retry: None,
            retrying_read_only: false,
            announce: Vec::new(),
            exit_notes: Vec::new(),
            bidi: BidiMode::App,
            directions: Vec::new(),
            bidi_cache: Arc::new(BidiCache::new()),
            search_shown: false,
            session: None,
            suggest_from: claimtag_model::suggest::DEFAULT_SET.to_string(),
            confirm_accept_all: None,
            annotating: false,
            claimed: std::collections::BTreeSet::new(),
            resident: std::collections::BTreeSet::new(),
            recent: std::collections::VecDeque::new(),
            typeahead: None,
            lately: Lately::default(),
            summary_labels: Vec::new(),
            load_permits: None,
        }
    }

    /// Right-to-left display: who reorders, and the paragraph direction
    /// asked for each article (in the order of the sources).
    pub fn with_bidi(mut self, mode: BidiMode, directions: Vec<Direction>) -> App {
        self.bidi = mode;
        self.directions = directions;
        self
    }

    pub fn bidi_mode(&self) -> BidiMode {
        self.bidi
    }

    /// How a pane's rows are laid out: the cache they are kept in, and the
    /// article's direction when the app reorders (None for logical order).
    pub fn bidi_view(&self, pane: usize) -> Option<BidiView> {
        let slot = self.panes.get(pane)?.slot;
        if self.bidi != BidiMode::App {
            return Some(BidiView {
                cache: Arc::clone(&self.bidi_cache),
                direction: None,
            });
        }
        // The review screen adds the colleague's copies after the sources:
        // they are the same articles, in the same order.
        let n = self.directions.len().max(1);
        let direction = self.directions.get(slot % n).copied().unwrap_or_default();
        Some(BidiView {
            cache: Arc::clone(&self.bidi_cache),
            direction: Some(direction),
        })
    }

    /// Turns this into the review screen: the slots so far are the target
    /// sets of the articles; the colleague's sets are added after them, and
    /// article `first` is shown.
    pub fn start_review(&mut self, mut review: Review, first: usize) {
        let n = self.slots.len();
        for i in 0..n {
            let p = self.slots[i].path().to_path_buf();
            self.slots.push(Slot::Pending(p));
        }
        review.articles = n;
        self.review = Some(review);
        self.panes = vec![Pane::new(first), Pane::new(n + first)];
        self.focus = 0;
        let hint = self.keymap.hint(
            Mode::Review,
            &[
                (Command::NextDiff, "next difference"),
                (Command::Accept, "accept theirs"),
                (Command::Reject, "reject"),
                (Command::AcceptAll, "accept all"),
                (Command::DiffList, "list"),
            ],
        );
        let help = self.key_for(Command::Help);
        self.info(format!("review: {hint}  {help} help"));
    }

    /// Puts the focused pane's cursor on byte `b` (snapped to a grapheme)
    /// and scrolls to it.
    pub fn place_cursor(&mut self, b: usize) {
        let f = self.focus;
        if let Some(doc) = self.doc_of(f).map(|d| Arc::clone(d.doc())) {
            self.panes[f].cursor = doc.snap_down(b.min(doc.len_bytes()));
            self.panes[f].anchor = None;
            self.scroll_to_cursor(f);
        }
    }

    /// Makes `q` the active search (its matches are highlighted).
    pub fn set_search(&mut self, q: impl Into<String>) {
        self.search = Some(q.into());
        self.search_shown = true;
    }

    /// The last message shown, if any.
    pub fn message(&self) -> Option<&Message> {
        self.message.as_ref()
    }

    /// A source's path as shown in lists: relative to the corpus folder.
    pub fn display_path(&self, path: &std::path::Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.say(Level::Info, text);
    }
    pub fn warn(&mut self, text: impl Into<String>) {
        self.say(Level::Warn, text);
    }
    pub fn error(&mut self, text: impl Into<String>) {
        self.say(Level::Error, text);
    }
    fn say(&mut self, level: Level, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            level,
        });
    }

    /// The first key of a command on the main screen, for messages.
    pub fn key_for(&self, c: Command) -> String {
        self.keymap.key_in(Mode::Annotate, c)
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

    /// The mode keys are looked up in: the overlay's, else the screen's.
    pub fn mode(&self) -> Mode {
        match &self.overlay {
            Overlay::None if self.review.is_some() => Mode::Review,
            Overlay::None => Mode::Annotate,
            Overlay::Help { .. } => Mode::Help,
            Overlay::Corpus { .. } => Mode::Corpus,
            Overlay::Search(_) => Mode::Prompt,
            Overlay::Edit(f) if f.picker.is_some() => Mode::LinkPicker,
            Overlay::Edit(_) => Mode::Editor,
            Overlay::Conflict(_) => Mode::Conflict,
            Overlay::Diffs { .. } => Mode::Differences,
            Overlay::Orphans { .. } => Mode::Orphans,
            Overlay::Conflicts { .. } => Mode::Conflicts,
            Overlay::Status { .. } => Mode::Status,
            Overlay::TakeOver(_) => Mode::TakeOver,
            Overlay::Link(l) if l.menu.is_some() => Mode::RelationMenu,
            Overlay::Link(_) => Mode::LinkTarget,
        }
    }

    /// The single entry point for state changes. Does no I/O.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        let mut effects = match action {
            Action::Resize(w, h) => {
                self.size = (w, h);
                for i in 0..self.panes.len() {
                    self.scroll_to_cursor(i);
                }
                vec![]
            }
            Action::Loaded(slot, result) => {
                self.loaded(slot, *result);
                self.note_open_claim(slot);
                self.note_resident(slot);
                if let Some(permits) = &self.load_permits {
                    let _ = permits.try_send(());
                }
                self.replay_typeahead(slot)
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
            Action::Command(c) => self.run(c),
            Action::Tick(now) => self.tick(now),
            Action::Saved {
                slot,
                revision,
                result,
            } => self.saved(slot, revision, result),
            Action::Recovered {
                slot,
                revision,
                result,
                then,
            } => self.recovered(slot, revision, result, then),
            Action::Reloaded {
                slot,
                article,
                kept,
            } => {
                self.reloaded(slot, *article, kept);
                vec![]
            }
            Action::DiskChanged { slot, article } => {
                self.disk_changed(slot, *article);
                vec![]
            }
            Action::DiskChecked => {
                self.checking_disk = false;
                vec![]
            }
            Action::ReadOnlyRetried(writable) => {
                self.retrying_read_only = false;
                for (slot, article) in writable {
                    self.writable(slot, *article);
                }
                vec![]
            }
            Action::TheirsRead { slot, result } => self.theirs_read(slot, result),
            Action::StatusTable(result) => {
                self.status_table(result);
                vec![]
            }
            Action::TakenOver { slot, result } => {
                self.taken_over(slot, result);
                vec![]
            }
            Action::Stop(signal) => self.stop(signal),
            Action::Claimed { slot, elsewhere } => {
                self.claimed(slot, elsewhere);
                vec![]
            }
        };
        let shown = self.slots_on_screen();
        effects.extend(self.reconcile_open_claims(&shown));
        effects.extend(self.reconcile_off_screen(&shown));
        if std::mem::take(&mut self.clear_screen) {
            effects.push(Effect::ClearScreen);
        }
        effects
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
        let list = self.key_for(Command::ConflictList);
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
                let conflicts = doc.conflicts();
                if conflicts > 0 && note.is_none() {
                    note = Some((
                        Level::Warn,
                        format!(
                            "{}: {conflicts} unresolved merge conflict(s); {list} lists them to settle",
                            doc.article.file_name()
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
        self.clamp_cursors(slot);
    }

    /// The set whose suggestions the loader reads with each article: none in
    /// the review screen (its `a`, `r`, `A` settle differences).
    pub fn suggestion_set(&self) -> Option<String> {
        (self.review.is_none() && !self.suggest_from.is_empty()).then(|| self.suggest_from.clone())
    }

    /// Asks for every cell to be repainted after this update.
    fn repaint(&mut self) {
        self.clear_screen = true;
    }
}

/// The deepest folder holding every source.
pub(crate) fn common_folder(sources: &[PathBuf]) -> PathBuf {
    let mut iter = sources.iter().filter_map(|p| p.parent());
    let Some(first) = iter.next() else {
        return PathBuf::new();
    };
    let mut root = first.to_path_buf();
    let mut last = first;
    for p in iter {
        // Sources come sorted by path, so most share the folder of the one
        // before; comparing the bytes is much cheaper than the components.
        if p.as_os_str() == last.as_os_str() {
            continue;
        }
        last = p;
        while !p.starts_with(&root) {
            if !root.pop() {
                return PathBuf::new();
            }
        }
    }
    root
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

#[cfg(test)]
mod tests {
    use super::common_folder;
    use std::path::PathBuf;

    #[test]
    fn the_common_folder_of_sorted_sources() {
        let paths = |ps: &[&str]| ps.iter().map(PathBuf::from).collect::<Vec<_>>();
        assert_eq!(
            common_folder(&paths(&["/c/a/x.txt", "/c/a/y.txt", "/c/b/z.txt"])),
            PathBuf::from("/c")
        );
        assert_eq!(
            common_folder(&paths(&["/c/a/x.txt", "/c/a/y.txt", "/c/a/z.txt"])),
            PathBuf::from("/c/a")
        );
        // A folder whose name starts like another's is not inside it.
        assert_eq!(
            common_folder(&paths(&["/c/a/x.txt", "/c/ab/y.txt", "/c/ab/z.txt"])),
            PathBuf::from("/c")
        );
        assert_eq!(
            common_folder(&paths(&["c/a/x.txt", "c/a/y.txt", "c/a/b/z.txt"])),
            PathBuf::from("c/a")
        );
        assert_eq!(
            common_folder(&paths(&["a.txt", "b.txt"])),
            PathBuf::from("")
        );
        assert_eq!(common_folder(&[]), PathBuf::new());
    }
}
