//! The data that flows through the closed loop: [`Action`]s go into
//! `App::update`, which returns [`Effect`]s; the runtime carries effects out
//! (disk work on a worker thread) and their results come back as actions.
//! Nothing else changes the state.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crossterm::event::{KeyEvent, MouseEvent};

use claimtag_model::format::Sidecar;
use claimtag_model::store::DiskStamp;
use claimtag_model::{Annotation, Article, Document, Scheme};

use crate::command::Command;

#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    /// A command, as a key bound to it would run it.
    Command(Command),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// The clock: sent by the runtime every few hundred milliseconds. Autosave
    /// and the check for changes on disk are timed from it, never from the
    /// system clock, so tests drive them with a fake clock.
    Tick(Instant),
    /// A background load finished.
    Loaded(usize, Box<Result<Article, String>>),
    /// The suggestion set's spans for an article (issue 16) were read, by
    /// the loader, after the article.
    SuggestionsLoaded(usize, Box<Result<Vec<Annotation>, String>>),
    /// A save finished (`revision` is the one saved).
    Saved {
        slot: usize,
        revision: u64,
        result: Result<Box<Saved>, SaveFailure>,
    },
    /// A recovery copy was written (or could not be).
    Recovered {
        slot: usize,
        revision: u64,
        result: Result<PathBuf, String>,
        then: AfterRecovery,
    },
    /// The sidecar was re-read from disk (after the user chose "reload").
    Reloaded {
        slot: usize,
        article: Box<Article>,
        kept: Result<PathBuf, String>,
    },
    /// Someone else changed a sidecar shown on screen; here it is, re-read.
    DiskChanged {
        slot: usize,
        article: Box<Article>,
    },
    /// A check of the sidecars on screen is done.
    DiskChecked,
    /// Read-only articles were tried again; those that can be written again
    /// (their sidecar was fixed, made writable, or the other instance let go
    /// of it), re-read.
    ReadOnlyRetried(Vec<(usize, Box<Article>)>),
    /// The sidecar on disk, read to merge into ours (None: it is gone).
    TheirsRead {
        slot: usize,
        result: Result<Option<(Sidecar, DiskStamp)>, String>,
    },
    /// The corpus status table, as lines (or why it could not be made).
    StatusTable(Result<Vec<String>, String>),
    /// An article open elsewhere was taken over: re-read, now ours (or why not).
    TakenOver {
        slot: usize,
        result: Result<Box<Article>, String>,
    },
    /// SIGTERM, SIGHUP or SIGINT (named): save or keep the work, then leave
    /// with a non-zero status.
    Stop(&'static str),
    /// The article's sidecar was marked open by us, or (`elsewhere`) another
    /// instance has it open: why it is read-only here.
    Claimed {
        slot: usize,
        elsewhere: Option<String>,
    },
}

/// What a successful save wrote.
#[derive(Debug, Clone)]
pub struct Saved {
    /// The sidecar as written (its hash, size and time updated).
    pub sidecar: Sidecar,
    pub stamp: DiskStamp,
    /// It overwrote a version changed by someone else, as the user chose;
    /// where that version was kept first (None: there was no file).
    pub overwrote: Option<Option<PathBuf>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveFailure {
    /// The sidecar changed on disk: nothing was written.
    pub changed_on_disk: bool,
    /// Why the file on disk does not parse (then it is never overwritten).
    pub disk_unparsable: Option<String>,
    pub message: String,
}

/// What to do once a recovery copy is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterRecovery {
    /// Nothing more: the copy written every 2 s while the changed-on-disk
    /// prompt is undecided. Never an answer to a quit.
    Background,
    /// Nothing more (quitting after a failed save: the user is told where).
    Keep,
    /// Re-read the sidecar from disk (the user chose theirs).
    Reload,
    /// Quit once every recovery copy is written.
    Exit,
}

/// Work for the runtime. Everything that touches the disk runs on a worker
/// thread and answers with an action; terminal effects run on the UI thread.
#[derive(Debug)]
pub enum Effect {
    /// Save this article (the annotations of `revision`).
    Save {
        slot: usize,
        revision: u64,
        article: Box<Article>,
        /// What the saved file must pass (the same rules as `check`).
        scheme: Arc<Scheme>,
        /// Overwrite the sidecar even if it changed on disk (a copy of the
        /// version on disk is kept first).
        overwrite: bool,
    },
    /// Write a recovery copy of a sidecar (`reuse`: the file written for an
    /// earlier state of the same article, replaced).
    Recover {
        slot: usize,
        revision: u64,
        sidecar_path: PathBuf,
        yaml: String,
        reuse: Option<PathBuf>,
        then: AfterRecovery,
    },
    /// Re-read a sidecar from disk for the text already loaded.
    Reload {
        slot: usize,
        source: PathBuf,
        doc: Arc<Document>,
        annotator: String,
        kept: Result<PathBuf, String>,
    },
    /// Look for sidecars changed by others (length and time first, the hash
    /// only when they differ).
    CheckDisk(Vec<DiskProbe>),
    /// Try again the read-only articles on screen: is their sidecar readable
    /// and writable now?
    RetryReadOnly(Vec<(usize, Box<Article>)>),
    /// Read the sidecar on disk to merge it into ours.
    ReadTheirs { slot: usize, sidecar_path: PathBuf },
    /// Make the corpus status table of these sources (`claimtag status`).
    StatusTable(Vec<PathBuf>),
    /// Mark the article's sidecar open by us though another instance has it
    /// (the user confirmed), and read it again.
    TakeOver { slot: usize, article: Box<Article> },
    /// Read an article again that comes on screen (it was let go while off
    /// screen), mark its sidecar open by us, and read its suggestion set.
    Load {
        slot: usize,
        source: PathBuf,
        annotator: String,
        rules: Arc<claimtag_model::sentences::SentenceRules>,
        suggestions: Option<String>,
    },
    /// Mark the sidecar of an article come on screen open by us.
    Claim { slot: usize, sidecar: PathBuf },
    /// Let go of these lock files (articles no longer on screen, saved).
    Release(Vec<claimtag_model::lock::OpenMarker>),
    /// Repaint every cell on the next frame.
    ClearScreen,
    /// Leave the program.
    Quit,
}

/// One sidecar to look at: as we last read or wrote it.
#[derive(Debug, Clone)]
pub struct DiskProbe {
    pub slot: usize,
    pub source: PathBuf,
    pub doc: Arc<Document>,
    pub annotator: String,
    pub sidecar_path: PathBuf,
    pub stamp: Option<DiskStamp>,
}

impl Effect {
    /// Whether the worker thread carries it out (the rest are the runtime's).
    pub fn is_disk_work(&self) -> bool {
        !matches!(self, Effect::ClearScreen | Effect::Quit)
    }
}
