//! The event loop: the only code that talks to the terminal. It turns terminal
//! events and the clock into actions, feeds every action to `App::update`, and
//! hands disk effects to the worker, whose answers come back as actions. It
//! changes no state itself.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

use crossterm::event::{self, Event, KeyEventKind};
use ratatui::DefaultTerminal;

use crate::action::{Action, Effect};
use crate::app::App;

/// How often the clock ticks (autosave and the disk check are timed by it).
pub const TICK: Duration = Duration::from_millis(200);

/// Whether to go on after an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Quit,
}

/// The state with where its effects go: disk work to the worker, terminal
/// work kept for the next frame.
pub struct Runtime {
    pub app: App,
    disk: Sender<Effect>,
    /// Repaint every cell before the next frame.
    pub clear: bool,
}

impl Runtime {
    pub fn new(app: App, disk: Sender<Effect>) -> Runtime {
        Runtime {
            app,
            disk,
            clear: false,
        }
    }

    /// One action through `update`, and its effects sent on their way. Never
    /// waits for the disk.
    pub fn handle(&mut self, action: Action) -> Flow {
        let mut flow = Flow::Continue;
        for effect in self.app.update(action) {
            match effect {
                Effect::Quit => flow = Flow::Quit,
                Effect::ClearScreen => self.clear = true,
                disk => {
                    // A worker that is gone cannot save; say so rather than hang.
                    if self.disk.send(disk).is_err() {
                        self.app
                            .error("the disk worker stopped; nothing more is saved");
                    }
                }
            }
        }
        flow
    }
}

/// Runs until the user quits.
pub fn event_loop(
    terminal: &mut DefaultTerminal,
    rt: &mut Runtime,
    answers: &Receiver<Action>,
    signal: &AtomicUsize,
) -> io::Result<()> {
    // For the end-to-end test of the crash path: a real panic, on a key the
    // test chooses, proves the terminal is restored and the work kept.
    let panic_key = std::env::var("CLAIMTAG_TEST_PANIC_ON_KEY")
        .ok()
        .and_then(|k| k.chars().next());
    let mut last_tick: Option<Instant> = None;
    let mut stopping = false;
    // Answers came in the last round (articles loading in the background):
    // look for keys without waiting a tick, so they keep coming.
    let mut answered = false;
    loop {
        if !stopping && let Some(name) = crate::signal_name(signal.load(Ordering::SeqCst)) {
            // Once: saving or keeping the work then runs through the loop
            // like any quit.
            stopping = true;
            if rt.handle(Action::Stop(name)) == Flow::Quit {
                return Ok(());
            }
        }
        // A closed window: crossterm would read its end-of-file in a busy
        // loop forever, never back here to save; stop as on SIGHUP instead.
        let gone = terminal_gone();
        if gone && !stopping {
            stopping = true;
            if rt.handle(Action::Stop("SIGHUP")) == Flow::Quit {
                return Ok(());
            }
        }
        let mut actions = Vec::new();
        if gone {
            // Nothing to draw on or read from: wait for the disk's answers.
            if let Ok(a) = answers.recv_timeout(TICK) {
                actions.push(a);
            }
        } else {
            if std::mem::take(&mut rt.clear) {
                terminal.clear()?;
            }
            terminal.draw(|f| f.render_widget(&rt.app, f.area()))?;
        }
        let wait = if answered {
            Duration::from_millis(1)
        } else {
            TICK
        };
        if !gone && input_waiting(wait)? {
            // Take every event already waiting before drawing again, so held
            // keys do not queue up frames.
            loop {
                match event::read()? {
                    Event::Key(k) if k.kind == KeyEventKind::Press => {
                        if let Some(p) = panic_key
                            && k.code == crossterm::event::KeyCode::Char(p)
                        {
                            #[allow(clippy::panic)]
                            {
                                panic!("CLAIMTAG_TEST_PANIC_ON_KEY: crashing on purpose");
                            }
                        }
                        actions.push(Action::Key(k));
                    }
                    Event::Mouse(m) => actions.push(Action::Mouse(m)),
                    Event::Resize(w, h) => actions.push(Action::Resize(w, h)),
                    _ => {}
                }
                if actions.len() >= 64 || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        }
        let before = actions.len();
        actions.extend(answers.try_iter());
        answered = actions.len() > before;
        let now = Instant::now();
        if last_tick.is_none_or(|t| now.duration_since(t) >= TICK) {
            last_tick = Some(now);
            actions.push(Action::Tick(now));
        }
        for a in actions {
            if rt.handle(a) == Flow::Quit {
                return Ok(());
            }
        }
    }
}

/// What waiting up to `timeout` on the terminal found.
#[cfg(unix)]
fn wait_terminal(timeout: Duration) -> rustix::event::PollFlags {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    use std::os::fd::AsFd;
    let stdin = std::io::stdin();
    let fd = stdin.as_fd();
    let mut fds = [PollFd::new(&fd, PollFlags::IN)];
    let wait = Timespec {
        tv_sec: i64::try_from(timeout.as_secs()).unwrap_or(0),
        tv_nsec: i64::from(timeout.subsec_nanos()),
    };
    match poll(&mut fds, Some(&wait)) {
        Ok(_) => fds[0].revents(),
        Err(_) => PollFlags::empty(),
    }
}

/// Whether the terminal is gone (its window was closed): it then reads as
/// hung up.
#[cfg(unix)]
fn terminal_gone() -> bool {
    use rustix::event::PollFlags;
    wait_terminal(Duration::ZERO).intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL)
}

/// Whether input waits, after waiting up to `timeout`. crossterm's own
/// wait reads a closed terminal's end-of-file in a busy loop that never
/// returns, so the terminal is watched here and crossterm asked only for
/// events it holds or that are already there.
#[cfg(unix)]
fn input_waiting(timeout: Duration) -> io::Result<bool> {
    if event::poll(Duration::ZERO)? {
        return Ok(true);
    }
    let found = wait_terminal(timeout);
    Ok(found.contains(rustix::event::PollFlags::IN)
        && !found.contains(rustix::event::PollFlags::HUP)
        && event::poll(Duration::ZERO)?)
}

#[cfg(not(unix))]
fn terminal_gone() -> bool {
    false
}

#[cfg(not(unix))]
fn input_waiting(timeout: Duration) -> io::Result<bool> {
    event::poll(timeout)
}
