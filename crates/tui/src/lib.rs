//! The terminal front end, as a closed loop: state ([`app::App`]) changes only
//! in `App::update(action) -> effects`; effects that touch the disk run on a
//! worker thread ([`worker`]) and come back as actions ([`action`]); the event
//! loop ([`runtime`]) is the only code that talks to the terminal, and drawing
//! ([`ui`]) is a pure function of the state.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod action;
pub mod app;
pub mod bidi;
pub mod command;
pub mod edit;
pub mod key;
pub mod keymap;
pub mod layout;
pub mod open_lock;
pub mod review;
pub mod runtime;
pub mod suggest;
pub mod theme;
pub mod ui;
pub mod worker;

use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::sync::mpsc::{Sender, channel};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};

use claimtag_model::Article;
use claimtag_model::sentences::SentenceRules;

use action::Action;
use app::App;
use runtime::Runtime;

/// Loads articles into slots; run on a background thread (except the first).
pub type LoadJob = Box<dyn FnOnce() -> Vec<(usize, Result<Article, String>)> + Send>;

/// A job that opens one source for one annotator into `slot`, with the
/// sentence rules of the corpus's scheme. `on_screen`: the article is shown
/// at once, so its sidecar is marked open by us before it is (the others
/// are marked when they come on screen, see `App::annotating`).
pub fn open_job(
    slot: usize,
    source: PathBuf,
    annotator: String,
    rules: Arc<SentenceRules>,
    on_screen: bool,
) -> LoadJob {
    Box::new(move || {
        // Marked open by us, or read-only when another instance has it open.
        let opened = Article::open_with_rules(&source, &annotator, rules).map(|mut a| {
            if on_screen {
                open_lock::claim(&mut a);
            }
            a
        });
        vec![(slot, opened.map_err(|e| e.to_string()))]
    })
}

/// Runs the TUI until the user quits. The first job is loaded before the first
/// frame; the rest load in the background while the user reads.
/// Returns what the user must still be told once the terminal is back (work
/// that could not be saved and where it went); empty when all went well.
pub fn run(mut app: App, mut jobs: Vec<LoadJob>) -> Result<Vec<String>, String> {
    use std::io::IsTerminal;
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        return Err(
            "the annotating screen needs a terminal (stdin or stdout is not one); \
             for scripts use `claimtag export`, `agree` or `check`"
                .into(),
        );
    }
    let preview = app.slots.first().and_then(|s| preview_of(s.path()));
    if let Some(doc) = preview {
        // A big file: its start is on screen at once, like `less`; the whole file
        // and its annotations replace the preview when loaded in the background.
        app.show_preview(0, doc);
    } else if !jobs.is_empty() {
        let first = jobs.remove(0);
        let set = app.suggestion_set();
        for (slot, r) in first() {
            for action in loaded_actions(slot, r, set.as_deref()) {
                app.update(action);
            }
        }
    }
    let (answers_tx, answers) = channel();
    // The loader runs at most LOADS_AHEAD articles ahead of the screen: each
    // article handled gives a permit back. Unchecked, it read thousands of
    // articles into the queue while the screen handled them (90 MB at the
    // peak of opening 100,000).
    let (permits, permits_rx) = std::sync::mpsc::sync_channel::<()>(LOADS_AHEAD);
    for _ in 0..LOADS_AHEAD {
        let _ = permits.try_send(());
    }
    app.load_permits = Some(permits);
    spawn_loader(jobs, app.suggestion_set(), answers_tx.clone(), permits_rx);
    // SIGTERM, SIGHUP (the window closed) and SIGINT end the program the
    // orderly way, as an action: work saved or kept, terminal restored, exit
    // non-zero.
    let signal = Arc::new(AtomicUsize::new(0));
    for sig in STOP_SIGNALS {
        let _ = signal_hook::flag::register_usize(sig, Arc::clone(&signal), sig as usize);
    }
    let mut rt = Runtime::new(app, worker::spawn(answers_tx));
    let bidi = rt.app.bidi_mode();
    let mut terminal = ratatui::init();
    let _ = crossterm::execute!(io::stdout(), EnableMouseCapture);
    // `--bidi app`: ask the terminal not to reorder what we reorder (issue 13).
    bidi_sequence(bidi::terminal_enter(bidi));
    let ratatui_hook = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(io::stdout(), DisableMouseCapture);
        bidi_sequence(bidi::terminal_exit(bidi));
        ratatui_hook(info);
    }));
    if let Ok(size) = terminal.size() {
        rt.handle(Action::Resize(size.width, size.height));
    }
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        runtime::event_loop(&mut terminal, &mut rt, &answers, &signal)
    }));
    let _ = crossterm::execute!(io::stdout(), DisableMouseCapture);
    bidi_sequence(bidi::terminal_exit(bidi));
    // Not `ratatui::restore()`: after the window closed it fails and prints
    // so to a stderr that is gone too, and `eprintln!` panics on that: the
    // program aborted before letting go of its locks and keeping the session.
    let _ = ratatui::try_restore();
    open_lock::release_all();
    if outcome.is_ok() {
        save_session(&rt.app);
    }
    match outcome {
        Ok(r) => r
            .map(|()| std::mem::take(&mut rt.app.exit_notes))
            .map_err(|e| e.to_string()),
        Err(_) => {
            // The terminal is restored by the hook; keep the user's work.
            // On a line of its own, below the panic text (not over it).
            tell("");
            for p in rt.app.write_recovery_now() {
                tell(&format!(
                    "claimtag: unsaved annotations written to {}",
                    p.display()
                ));
            }
            Err("crashed (a bug); your unsaved annotations are in the file(s) above".into())
        }
    }
}

/// Keeps where the analyst left off in this corpus (issue 12): a state
/// folder that cannot be written costs one warning line, not the exit code.
fn save_session(app: &App) {
    use claimtag_model::session::{self, MAX_PANES, PaneState, Session};
    let (Some((file, key)), Some((panes, focus))) = (app.session_target(), app.session_panes())
    else {
        return;
    };
    let panes: Vec<PaneState> = panes
        .into_iter()
        .take(MAX_PANES)
        .map(|(p, cursor)| PaneState {
            article: std::fs::canonicalize(&p).unwrap_or(p),
            cursor,
        })
        .collect();
    let focus = focus.min(panes.len().saturating_sub(1));
    if let Err(e) = session::save(file, &Session::new(key.clone(), panes, focus)) {
        tell(&format!(
            "claimtag: warning: where you left off is not kept: {e}"
        ));
    }
}

/// A line on stderr, which may be gone with a closed window (`eprintln!`
/// would panic).
pub fn tell(line: &str) {
    use std::io::Write;
    let _ = writeln!(io::stderr(), "{line}");
}

/// Writes a terminal mode sequence (nothing for an empty one).
fn bidi_sequence(seq: &str) {
    use std::io::Write;
    if !seq.is_empty() {
        let mut out = io::stdout();
        let _ = out.write_all(seq.as_bytes());
        let _ = out.flush();
    }
}

#[cfg(unix)]
const STOP_SIGNALS: [i32; 3] = [
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
    signal_hook::consts::SIGINT,
];
#[cfg(not(unix))]
const STOP_SIGNALS: [i32; 1] = [signal_hook::consts::SIGINT];

/// The name of a signal caught by the flag (0: none).
pub fn signal_name(sig: usize) -> Option<&'static str> {
    match i32::try_from(sig).ok()? {
        0 => None,
        signal_hook::consts::SIGINT => Some("SIGINT"),
        #[cfg(unix)]
        signal_hook::consts::SIGTERM => Some("SIGTERM"),
        #[cfg(unix)]
        signal_hook::consts::SIGHUP => Some("SIGHUP"),
        _ => Some("a signal"),
    }
}

/// The start of a big file as a document, or None for a small one.
fn preview_of(path: &Path) -> Option<claimtag_model::Document> {
    if std::fs::metadata(path).ok()?.len() <= claimtag_model::text::PREVIEW_OVER {
        return None;
    }
    claimtag_model::Document::load_prefix(path, claimtag_model::text::PREVIEW_BYTES)
}

/// Articles the background loader may have read that the screen has not
/// taken yet.
pub(crate) const LOADS_AHEAD: usize = 256;

fn spawn_loader(
    jobs: Vec<LoadJob>,
    set: Option<String>,
    tx: Sender<Action>,
    permits: std::sync::mpsc::Receiver<()>,
) {
    if jobs.is_empty() {
        return;
    }
    std::thread::spawn(move || {
        for job in jobs {
            if permits.recv().is_err() {
                return;
            }
            for (slot, r) in job() {
                for action in loaded_actions(slot, r, set.as_deref()) {
                    if tx.send(action).is_err() {
                        return;
                    }
                }
            }
        }
    });
}

/// A loaded article, then (when suggestions are shown) its suggestion set,
/// read here on the loader's thread: a small file beside the article.
pub fn loaded_actions(slot: usize, r: Result<Article, String>, set: Option<&str>) -> Vec<Action> {
    let suggestions = match (&r, set) {
        (Ok(a), Some(set)) => Some(suggest::load(&a.source, Arc::clone(&a.doc), set)),
        _ => None,
    };
    let mut actions = vec![Action::Loaded(slot, Box::new(r))];
    if let Some(s) = suggestions {
        actions.push(Action::SuggestionsLoaded(slot, Box::new(s)));
    }
    actions
}

#[cfg(test)]
mod tests;
