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
pub mod review;
pub mod suggest;
pub mod theme;
pub mod ui;

use std::collections::HashMap;
use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
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
        vec![(
            slot,
            Article::open(&source, &annotator).map_err(|e| e.to_string()),
        )]
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
            load_suggestions(&mut app, slot);
        }
    }
    let rx = spawn_loader(jobs);
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
        event_loop(&mut terminal, &mut app, &rx)
    }));
    let _ = crossterm::execute!(io::stdout(), DisableMouseCapture);
    ratatui::restore();
    match outcome {
        Ok(r) => r
            .map(|()| std::mem::take(&mut app.exit_notes))
            .map_err(|e| e.to_string()),
        Err(_) => {
            // The terminal is restored by the hook; keep the user's work.
            let saved = write_recovery_all(&mut app);
            for p in &saved {
                eprintln!("claimtag: unsaved annotations written to {}", p.display());
            }
            Err("crashed (a bug); your unsaved annotations are in the file(s) above".into())
        }
    }
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
            load_suggestions(app, slot);
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
        if !d.dirty || d.conflict {
            first_unsaved.remove(&i);
            continue;
        }
        let since = *first_unsaved.entry(i).or_insert(now);
        if now.duration_since(since) >= AUTOSAVE_AFTER {
            due.push(i);
        }
    }
    for i in due {
        first_unsaved.remove(&i);
        // A failure is on screen already; the next tick tries again.
        let _ = save_slot(app, i);
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
            if let Some(Slot::Ready(d)) = app.slots.get_mut(slot) {
                match d.article.save_overwriting() {
                    Ok(()) => {
                        d.mark_saved();
                        app.info("saved (overwrote the version on disk)");
                    }
                    Err(e) => app.error(e.to_string()),
                }
            }
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

/// Saves one article; the reason (naming the file) when it could not be saved.
fn save_slot(app: &mut App, slot: usize) -> Result<(), String> {
    let Some(Slot::Ready(d)) = app.slots.get_mut(slot) else {
        return Ok(());
    };
    if !d.dirty {
        return Ok(());
    }
    match d.article.save() {
        Ok(()) => {
            d.mark_saved();
            Ok(())
        }
        Err(e @ Error::ChangedOnDisk { .. }) => {
            d.conflict = true;
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
        let suggestions = d.suggestions.clone();
        let mut fresh = Doc::new(fresh);
        fresh.suggestions = suggestions;
        fresh.reindex();
        app.slots[slot] = Slot::Ready(Box::new(fresh));
    }
}

/// Reads the suggestion set for a loaded article (a small file beside it)
/// and hands it to the state.
fn load_suggestions(app: &mut App, slot: usize) {
    let Some(Slot::Ready(d)) = app.slots.get(slot) else {
        return;
    };
    // The review screen has its own accept and reject; no suggestions there.
    if d.preview || app.review.is_some() || app.suggest_from.is_empty() {
        return;
    }
    let r = suggest::load(&d.article.source, d.article.doc.clone(), &app.suggest_from);
    app.update(Action::SuggestionsLoaded(slot, Box::new(r)));
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
