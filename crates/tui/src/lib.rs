//! The terminal front end: a thin layer of state ([`app::App`]), actions and a
//! pure `update`, pure drawing ([`ui`]) and this event loop, which is the only
//! part that does I/O.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod app;
pub mod edit;
pub mod keymap;
pub mod layout;
pub mod open_lock;
pub mod review;
pub mod theme;
pub mod ui;

use std::collections::HashMap;
use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event, KeyEventKind};
use ratatui::DefaultTerminal;

use claimtag_model::{Article, Error};

use app::{Action, App, Doc, Effect, Overlay, Slot};

/// Autosave this long after the first unsaved change (the promise is ≤ 2 s;
/// the loop wakes at least every [`TICK`]).
const AUTOSAVE_AFTER: Duration = Duration::from_millis(1500);
/// How often sidecars shown on screen are checked for changes by others.
const DISK_CHECK_EVERY: Duration = Duration::from_secs(2);
const TICK: Duration = Duration::from_millis(200);

/// Loads articles into slots; run on a background thread (except the first).
pub type LoadJob = Box<dyn FnOnce() -> Vec<(usize, Result<Article, String>)> + Send>;

/// A job that opens one source for one annotator into `slot`.
pub fn open_job(slot: usize, source: PathBuf, annotator: String) -> LoadJob {
    Box::new(move || {
        let opened = Article::open(&source, &annotator).map(|mut a| {
            open_lock::claim(&mut a);
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
        for (slot, r) in first() {
            app.update(Action::Loaded(slot, Box::new(r)));
        }
    }
    let rx = spawn_loader(jobs);
    // SIGTERM, SIGHUP (the window closed) and SIGINT end the program the
    // orderly way: work saved or kept, terminal restored, exit non-zero.
    let signal = Arc::new(AtomicUsize::new(0));
    for sig in STOP_SIGNALS {
        let _ = signal_hook::flag::register_usize(sig, Arc::clone(&signal), sig as usize);
    }
    let mut terminal = ratatui::init();
    let _ = crossterm::execute!(io::stdout(), EnableMouseCapture);
    let ratatui_hook = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(io::stdout(), DisableMouseCapture);
        ratatui_hook(info);
    }));
    if let Ok(size) = terminal.size() {
        app.update(Action::Resize(size.width, size.height));
    }
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        event_loop(&mut terminal, &mut app, &rx, &signal)
    }));
    let _ = crossterm::execute!(io::stdout(), DisableMouseCapture);
    ratatui::restore();
    let outcome = match outcome {
        Err(panic) => Err(panic),
        Ok(r) => Ok(r.map(|()| stop_by_signal(&mut app, signal.load(Ordering::SeqCst)))),
    };
    open_lock::release_all();
    match outcome {
        Ok(r) => r
            .map(|()| std::mem::take(&mut app.exit_notes))
            .map_err(|e| e.to_string()),
        Err(_) => {
            // The terminal is restored by the hook; keep the user's work.
            let saved = write_recovery_all(&mut app);
            // On a line of its own, below the panic text (not over it).
            eprintln!();
            for p in &saved {
                eprintln!("claimtag: unsaved annotations written to {}", p.display());
            }
            Err("crashed (a bug); your unsaved annotations are in the file(s) above".into())
        }
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

fn signal_name(sig: usize) -> String {
    match sig as i32 {
        signal_hook::consts::SIGINT => "SIGINT".into(),
        #[cfg(unix)]
        signal_hook::consts::SIGTERM => "SIGTERM".into(),
        #[cfg(unix)]
        signal_hook::consts::SIGHUP => "SIGHUP".into(),
        n => format!("signal {n}"),
    }
}

/// After the loop ended on a signal (`sig` ≠ 0): saves what is pending, or
/// writes it to a recovery file, and says so in the notes (which also make
/// the exit status non-zero).
fn stop_by_signal(app: &mut App, sig: usize) {
    if sig == 0 {
        return;
    }
    let mut notes = vec![format!("stopped by {}", signal_name(sig))];
    let mut saved = 0;
    for slot in app.dirty_slots() {
        let pending = app
            .slots
            .get(slot)
            .and_then(Slot::doc)
            .is_some_and(|d| !d.conflict);
        if pending && save_slot(app, slot).is_ok() {
            saved += 1;
            continue;
        }
        match write_recovery(app, slot) {
            Ok(p) => notes.push(format!("unsaved annotations written to {}", p.display())),
            Err(e) => notes.push(format!("could not keep unsaved annotations: {e}")),
        }
    }
    if saved > 0 {
        notes.push(format!("saved {saved} file(s) first"));
    }
    app.exit_notes.extend(notes);
}

/// The start of a big file as a document, or None for a small one.
fn preview_of(path: &Path) -> Option<claimtag_model::Document> {
    if std::fs::metadata(path).ok()?.len() <= claimtag_model::text::PREVIEW_OVER {
        return None;
    }
    claimtag_model::Document::load_prefix(path, claimtag_model::text::PREVIEW_BYTES)
}

fn spawn_loader(jobs: Vec<LoadJob>) -> Receiver<(usize, Result<Article, String>)> {
    let (tx, rx) = channel();
    if !jobs.is_empty() {
        std::thread::spawn(move || {
            for job in jobs {
                for r in job() {
                    if tx.send(r).is_err() {
                        return;
                    }
                }
            }
        });
    }
    rx
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    rx: &Receiver<(usize, Result<Article, String>)>,
    signal: &AtomicUsize,
) -> io::Result<()> {
    // slot → when its oldest unsaved change was made
    let mut changed: HashMap<usize, Instant> = HashMap::new();
    // For the end-to-end test of the crash path: a real panic, on a key the
    // test chooses, proves the terminal is restored and the work kept.
    let panic_key = std::env::var("CLAIMTAG_TEST_PANIC_ON_KEY")
        .ok()
        .and_then(|k| k.chars().next());
    let mut last_disk_check = Instant::now();
    loop {
        if signal.load(Ordering::SeqCst) != 0 {
            return Ok(());
        }
        if std::mem::take(&mut app.needs_clear) {
            terminal.clear()?;
        }
        terminal.draw(|f| f.render_widget(&*app, f.area()))?;
        let mut effects = Vec::new();
        if event::poll(TICK)? {
            // Take every event already waiting before drawing again, so held
            // keys do not queue up frames.
            loop {
                let action = match event::read()? {
                    Event::Key(k) if k.kind == KeyEventKind::Press => {
                        if panic_key.is_some()
                            && k.code == crossterm::event::KeyCode::Char(panic_key.unwrap_or(' '))
                        {
                            // A test hook: the end-to-end tests check that a panic
                            // restores the terminal and writes recovery files.
                            #[allow(clippy::panic)]
                            {
                                panic!("CLAIMTAG_TEST_PANIC_ON_KEY: crashing on purpose");
                            }
                        }
                        Some(Action::Key(k))
                    }
                    Event::Mouse(m) => Some(Action::Mouse(m)),
                    Event::Resize(w, h) => Some(Action::Resize(w, h)),
                    _ => None,
                };
                if let Some(a) = action {
                    effects.extend(app.update(a));
                }
                if !effects.is_empty() || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        }
        while let Ok((slot, r)) = rx.try_recv() {
            app.update(Action::Loaded(slot, Box::new(r)));
        }
        for e in effects {
            if perform(app, e) {
                return Ok(());
            }
        }
        autosave(app, &mut changed);
        if last_disk_check.elapsed() >= DISK_CHECK_EVERY {
            last_disk_check = Instant::now();
            reload_changed_on_disk(app);
            retry_read_only(app);
        }
    }
}

/// Saves articles whose oldest unsaved change is [`AUTOSAVE_AFTER`] old, so
/// steady work is saved too: a crash loses at most that much.
fn autosave(app: &mut App, first_unsaved: &mut HashMap<usize, Instant>) {
    let now = Instant::now();
    let mut due = Vec::new();
    for (i, s) in app.slots.iter().enumerate() {
        let Some(d) = s.doc() else { continue };
        if !d.dirty {
            first_unsaved.remove(&i);
            continue;
        }
        let since = *first_unsaved.entry(i).or_insert(now);
        if now.duration_since(since) >= AUTOSAVE_AFTER {
            due.push((i, d.conflict));
        }
    }
    for (i, conflict) in due {
        first_unsaved.remove(&i);
        if conflict {
            // Undecided ("decide later"): the file on disk is not ours to
            // write, but the work is kept in the recovery file all the same
            // (written again only when it changed).
            let _ = write_recovery(app, i);
        } else {
            // A failure is on screen already; the next tick tries again.
            let _ = save_slot(app, i);
        }
    }
}

/// Carries out an effect; true means quit.
fn perform(app: &mut App, effect: Effect) -> bool {
    match effect {
        Effect::Save(slots) => {
            let mut n = 0;
            for s in slots {
                n += usize::from(save_slot(app, s).is_ok());
            }
            if n > 0 && matches!(app.overlay, Overlay::None) {
                app.info(format!("saved {n} file(s)"));
            }
            false
        }
        Effect::SaveAndQuit => {
            let mut reasons = Vec::new();
            let mut kept = Vec::new();
            for s in app.dirty_slots() {
                if let Err(why) = save_slot(app, s) {
                    reasons.push(why);
                    match write_recovery(app, s) {
                        Ok(p) => kept.push(p.display().to_string()),
                        Err(e) => reasons.push(format!("no recovery file either: {e}")),
                    }
                }
            }
            if reasons.is_empty() {
                return true;
            }
            app.overlay = Overlay::None;
            app.quit_armed = true;
            app.error(format!(
                "{}; your work is in {}; q again quits",
                reasons.join("; "),
                kept.join(", ")
            ));
            false
        }
        Effect::Quit => {
            // Unsaved work goes to recovery files (once per change), named
            // when the terminal is back.
            for p in write_recovery_all(app) {
                app.exit_notes
                    .push(format!("unsaved annotations written to {}", p.display()));
            }
            true
        }
        Effect::Overwrite(slot) => {
            keep_mine(app, slot);
            false
        }
        Effect::Reload(slot) => {
            let backup = write_recovery(app, slot);
            reload_slot(app, slot);
            match backup {
                Ok(p) => app.info(format!(
                    "reloaded from disk; your version is in {}",
                    p.display()
                )),
                Err(e) => app.error(format!(
                    "reloaded from disk; could not keep your version: {e}"
                )),
            }
            false
        }
    }
}

/// "Keep mine": their version goes to a recovery file first, then ours
/// overwrites it; never when the file on disk does not parse (ours then goes
/// to a recovery file instead).
fn keep_mine(app: &mut App, slot: usize) {
    let Some(Slot::Ready(d)) = app.slots.get_mut(slot) else {
        return;
    };
    if let Some(why) = d.article.disk_version_error() {
        d.disk_unparsable = Some(why.clone());
        let kept = write_recovery(app, slot);
        app.error(match kept {
            Ok(p) => format!("not overwritten ({why}); your work is in {}", p.display()),
            Err(e) => format!("not overwritten ({why}); no recovery file either: {e}"),
        });
        return;
    }
    let theirs = theirs_path(&d.article.sidecar_path);
    let theirs = std::path::absolute(&theirs).unwrap_or(theirs);
    match d.article.copy_of_disk_version(&theirs) {
        Err(e) => app.error(format!("not overwritten: could not keep theirs first: {e}")),
        Ok(copied) => match d.article.save_overwriting() {
            Ok(()) => {
                d.mark_saved();
                app.info(if copied {
                    format!("saved; the version on disk is kept in {}", theirs.display())
                } else {
                    "saved".into()
                });
            }
            Err(e) => app.error(e.to_string()),
        },
    }
}

/// Where "keep mine" keeps the version on disk it overwrites.
fn theirs_path(sidecar: &Path) -> PathBuf {
    let mine = recovery_path(sidecar);
    let mut name = mine.file_name().unwrap_or_default().to_os_string();
    name.push("-theirs");
    mine.with_file_name(name)
}

/// Read-only articles whose reason went away (the sidecar was fixed, made
/// writable, or the other instance closed it) become editable again.
fn retry_read_only(app: &mut App) {
    let shown: Vec<usize> = app.panes.iter().map(|p| p.slot).collect();
    let mut news = Vec::new();
    for slot in shown {
        let Some(Slot::Ready(d)) = app.slots.get_mut(slot) else {
            continue;
        };
        let Some(why) = &d.article.read_only else {
            continue;
        };
        // Open elsewhere: only once that instance has let go (the lock is
        // then ours); the file itself parses, so it is read again below.
        if why.contains(open_lock::OPEN_ELSEWHERE) && !open_lock::reclaim(&d.article) {
            continue;
        }
        if !d.article.retry_read_only() {
            continue;
        }
        open_lock::claim(&mut d.article);
        if d.article.read_only.is_some() {
            continue;
        }
        news.push(d.article.sidecar_path.display().to_string());
        let article = d.article.clone();
        **d = Doc::new(article);
    }
    for name in news {
        app.info(format!(
            "{name} is readable and writable again: reloaded, editable"
        ));
    }
}

/// Saves one article; the reason (naming the file) when it could not be saved.
fn save_slot(app: &mut App, slot: usize) -> Result<(), String> {
    let Some(Slot::Ready(d)) = app.slots.get_mut(slot) else {
        return Ok(());
    };
    if !d.dirty {
        return Ok(());
    }
    match d.article.save_checked(&app.scheme) {
        Ok(()) => {
            d.mark_saved();
            Ok(())
        }
        Err(e @ Error::ChangedOnDisk { .. }) => {
            d.conflict = true;
            d.disk_unparsable = d.article.disk_version_error();
            if matches!(app.overlay, Overlay::None) {
                app.overlay = Overlay::Conflict(slot);
            }
            Err(e.to_string())
        }
        Err(e) => {
            let why = format!("not saved: {e}");
            app.error(why.clone());
            Err(why)
        }
    }
}

fn reload_slot(app: &mut App, slot: usize) {
    if let Some(Slot::Ready(d)) = app.slots.get(slot) {
        let a = &d.article;
        let fresh = Article::with_doc(&a.source, a.doc.clone(), &a.sidecar.annotator.clone());
        app.slots[slot] = Slot::Ready(Box::new(Doc::new(fresh)));
    }
}

/// Picks up sidecars that others changed while ours had no unsaved changes.
fn reload_changed_on_disk(app: &mut App) {
    let shown: Vec<usize> = app.panes.iter().map(|p| p.slot).collect();
    for slot in shown {
        let Some(Slot::Ready(d)) = app.slots.get(slot) else {
            continue;
        };
        if d.dirty || d.article.read_only.is_some() || !d.article.changed_on_disk() {
            continue;
        }
        let name = d.article.sidecar_path.display().to_string();
        reload_slot(app, slot);
        app.info(format!("reloaded {name}: it changed on disk"));
    }
}

/// Where a recovery copy of a sidecar goes: beside it, named so no tool takes
/// it for a sidecar.
pub fn recovery_path(sidecar: &Path) -> PathBuf {
    let stamp = claimtag_model::format::now_utc().replace([':', '-'], "");
    let name = sidecar
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    sidecar.with_file_name(format!("{name}.recovered-{stamp}"))
}

/// Writes a recovery file for an article, or names the one already written
/// for the same state of its annotations.
fn write_recovery(app: &mut App, slot: usize) -> Result<PathBuf, String> {
    let Some(Slot::Ready(d)) = app.slots.get(slot) else {
        return Err("not loaded".into());
    };
    if let Some((rev, path)) = &d.recovered
        && *rev == d.revision
    {
        return Ok(path.clone());
    }
    // One recovery file per article: a later state replaces an earlier one.
    let path = write_recovery_file(d, d.recovered.as_ref().map(|r| r.1.as_path()))?;
    if let Some(Slot::Ready(d)) = app.slots.get_mut(slot) {
        d.recovered = Some((d.revision, path.clone()));
    }
    Ok(path)
}

/// The article's annotations as a complete sidecar, as of now.
fn recovery_yaml(d: &Doc) -> String {
    let mut sidecar = d.article.sidecar.clone();
    sidecar.source.sha256 = d.article.doc.sha256().to_string();
    sidecar.source.chars = d.article.doc.len_chars();
    sidecar.updated = claimtag_model::format::now_utc();
    sidecar.to_yaml()
}

fn write_recovery_file(d: &Doc, reuse: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(path) = reuse {
        let yaml = recovery_yaml(d);
        return claimtag_model::store::write_atomic(path, yaml.as_bytes())
            .map(|()| path.to_path_buf())
            .map_err(|e| e.to_string());
    }
    let yaml = recovery_yaml(d);
    let path = recovery_path(&d.article.sidecar_path);
    // Printed for the user: absolute, so it can be found from anywhere.
    let path = std::path::absolute(&path).unwrap_or(path);
    match claimtag_model::store::write_atomic(&path, yaml.as_bytes()) {
        Ok(()) => Ok(path),
        Err(first) => {
            // The corpus folder is not writable: use the user's data folder.
            let dir = directories::ProjectDirs::from("", "", "claimtag")
                .map(|d| d.data_dir().to_path_buf())
                .ok_or_else(|| first.to_string())?;
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let fallback = dir.join(path.file_name().unwrap_or_default());
            claimtag_model::store::write_atomic(&fallback, yaml.as_bytes())
                .map_err(|e| e.to_string())?;
            Ok(fallback)
        }
    }
}

fn write_recovery_all(app: &mut App) -> Vec<PathBuf> {
    app.dirty_slots()
        .into_iter()
        .filter_map(|s| write_recovery(app, s).ok())
        .collect()
}

#[cfg(test)]
mod tests;
