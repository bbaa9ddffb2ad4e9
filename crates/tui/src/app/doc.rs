//! A loaded article with its editing history and save state.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use claimtag_model::format::{Annotation, Extra, Status};
use claimtag_model::{Article, Document};

/// Undo steps kept per article.
const UNDO_DEPTH: usize = 500;

#[derive(Debug)]
pub struct Doc {
    /// Unique among the docs of a session: with `revision`, names a state of
    /// the annotations (caches of derived data are keyed by it).
    pub uid: u64,
    pub article: Article,
    /// Changed since the last save.
    pub dirty: bool,
    /// Bumped on every change; a save names the revision it wrote.
    pub revision: u64,
    undo: Vec<Snapshot>,
    redo: Vec<Snapshot>,
    /// The sidecar changed on disk and ours was not written.
    pub conflict: bool,
    /// During a conflict: why the file on disk does not parse (then it is
    /// never overwritten, and "keep mine" is not offered).
    pub disk_unparsable: Option<String>,
    /// Byte ranges of the annotations, in the order of `article.sidecar.annotations`.
    pub spans: Vec<Option<Range<usize>>>,
    /// Only the start of a big file is shown while the whole loads.
    pub preview: bool,
    /// The annotations as on disk, so undoing back to them is not a change.
    saved: Snapshot,
    /// The recovery file written for a revision, so it is written once.
    pub recovered: Option<(u64, PathBuf)>,
    /// The revision a save is under way for.
    pub saving: Option<u64>,
    /// When a tick first saw unsaved changes (autosave counts from it).
    pub dirty_since: Option<Instant>,
    /// Annotations per label, for the revision it was counted at.
    counts: RefCell<Option<(u64, Rc<LabelCounts>)>>,
    /// Suggestions shown as ghost spans (issue 16).
    pub suggestions: crate::suggest::Suggestions,
    /// Its sidecar is being marked open by us. Edits go on meanwhile: if
    /// another instance has it open after all, the article turns read-only
    /// and unsaved work goes to a recovery file, as after a take-over.
    pub claim_pending: bool,
}

/// Annotations per label name.
pub type LabelCounts = BTreeMap<String, usize>;

#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    annotations: Vec<Annotation>,
    extra: Extra,
    /// The annotator's status of the article (todo, in progress, done).
    status: Option<Status>,
    /// Proposals made with `*`, so undo takes them back too (never saved, so
    /// they do not count as unsaved changes).
    proposals: Vec<Annotation>,
}

impl Snapshot {
    /// Whether the two hold the same sidecar content (proposals aside).
    fn same_sidecar(&self, other: &Snapshot) -> bool {
        self.annotations == other.annotations
            && self.extra == other.extra
            && self.status == other.status
    }
}

impl Doc {
    pub fn new(article: Article) -> Doc {
        let saved = Doc::snapshot_of(&article.sidecar);
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let mut d = Doc {
            uid: NEXT.fetch_add(1, Ordering::Relaxed),
            saved,
            recovered: None,
            article,
            dirty: false,
            revision: 0,
            undo: Vec::new(),
            redo: Vec::new(),
            conflict: false,
            disk_unparsable: None,
            spans: Vec::new(),
            preview: false,
            saving: None,
            dirty_since: None,
            counts: RefCell::new(None),
            suggestions: Default::default(),
            claim_pending: false,
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

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            annotations: self.article.sidecar.annotations.clone(),
            extra: self.article.sidecar.extra.clone(),
            status: self.article.sidecar.status,
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
        self.dirty = !self.snapshot().same_sidecar(&self.saved);
    }

    /// The sidecar as last read or saved: the base of a three-way merge with
    /// a version someone else saved meanwhile.
    pub fn base_sidecar(&self) -> claimtag_model::Sidecar {
        let mut s = self.article.sidecar.clone();
        s.annotations = self.saved.annotations.clone();
        s.extra = self.saved.extra.clone();
        s.status = self.saved.status;
        s
    }

    /// Unresolved merge conflicts (`conflict:` marks) in the annotations as
    /// they are now. Cheap when there are none (asked on every frame).
    pub fn conflicts(&self) -> usize {
        let s = &self.article.sidecar;
        let marked = s
            .annotations
            .iter()
            .any(claimtag_model::merge::mark::is_marked)
            || s.extra.contains_key(claimtag_model::merge::CONFLICT_KEY);
        if marked {
            claimtag_model::merge::mark::count_open(s)
        } else {
            0
        }
    }

    /// Records that `written` (the annotations of an earlier or the current
    /// revision) is now on disk; changes made since stay unsaved.
    pub fn mark_saved(&mut self, written: Snapshot) {
        self.saved = written;
        self.dirty = !self.snapshot().same_sidecar(&self.saved);
        self.conflict = false;
        if !self.dirty {
            self.dirty_since = None;
        }
    }

    /// The annotations of a sidecar, as a snapshot.
    pub fn snapshot_of(sidecar: &claimtag_model::Sidecar) -> Snapshot {
        Snapshot {
            annotations: sidecar.annotations.clone(),
            extra: sidecar.extra.clone(),
            status: sidecar.status,
            proposals: Vec::new(),
        }
    }

    fn restore(&mut self, s: Snapshot) {
        self.article.sidecar.annotations = s.annotations;
        self.article.sidecar.extra = s.extra;
        self.article.sidecar.status = s.status;
        self.suggestions.proposals = s.proposals;
        self.end_change();
    }

    /// Whether there is a change to undo or redo.
    pub fn has_history(&self) -> bool {
        !self.undo.is_empty() || !self.redo.is_empty()
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

    /// Annotations per label, counted once per revision (the status line and
    /// the corpus list ask on every frame).
    pub fn label_counts(&self) -> Rc<LabelCounts> {
        if let Some((rev, c)) = self.counts.borrow().as_ref()
            && *rev == self.revision
        {
            return Rc::clone(c);
        }
        let c: LabelCounts = self
            .article
            .sidecar
            .counts()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let c = Rc::new(c);
        *self.counts.borrow_mut() = Some((self.revision, Rc::clone(&c)));
        c
    }

    pub fn orphans(&self) -> usize {
        self.annotations().iter().filter(|a| a.orphan).count()
    }

    /// The article's annotations as a complete sidecar, as of now (for a
    /// recovery copy).
    pub fn recovery_yaml(&self) -> String {
        let mut sidecar = self.article.sidecar.clone();
        sidecar.source.sha256 = self.article.doc.sha256().to_string();
        sidecar.source.chars = self.article.doc.len_chars();
        sidecar.updated = claimtag_model::format::now_utc();
        sidecar.to_yaml()
    }
}
