//! A pseudo-terminal harness for end-to-end tests (DESIGN.md §9): runs a program
//! in a real pty (portable-pty), feeds everything it prints into a terminal
//! emulator (vt100), and lets a test type keys, drag the mouse, resize and read
//! the screen as a person would. Needs no tmux or other system package.
//!
//! Every wait has a timeout, the reader thread ends at EOF, and dropping a
//! [`Term`] kills the child, so a broken program fails a test instead of
//! hanging the run.
//!
//! ```ignore
//! mod common;
//! use common::{Key, Term, WAIT};
//! let mut t = Term::spawn(&["sample-data/"], &dir, 100, 30);
//! t.wait_for("claim", WAIT).unwrap();
//! t.keys("s");
//! t.key(Key::Ctrl('s'));
//! ```

// Each test binary includes this module and uses a different part of it.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub use portable_pty::ExitStatus;
pub use vt100::Color;

/// A generous default for waits: CI shares two cores between test binaries
/// running in parallel, so a first frame can take a while there.
pub const WAIT: Duration = Duration::from_secs(20);

/// How often waits look at the screen again.
const POLL: Duration = Duration::from_millis(10);

/// The binary as a plain process (no terminal), with its environment cut off
/// from the developer's: HOME and the XDG folders in `home`, an empty config
/// file, no annotator or colour preference inherited.
pub fn claimtag_isolated(home: &Path) -> std::process::Command {
    let config = home.join("empty-config.yaml");
    if !config.exists() {
        std::fs::write(&config, "").expect("write empty config");
    }
    let mut cmd = std::process::Command::new(claimtag_bin());
    cmd.env_remove("NO_COLOR")
        .env_remove("CLAIMTAG_ANNOTATOR")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("CLAIMTAG_CONFIG", &config)
        .env("CLAIMTAG_STATE_DIR", home.join("state"))
        .env("USER", ANNOTATOR);
    cmd
}

/// Runs the binary with `args` in a fresh isolated HOME (see
/// [`claimtag_isolated`]), without colour.
pub fn run_isolated(args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().expect("temp HOME");
    claimtag_isolated(home.path())
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run claimtag")
}

pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The annotator name every spawned program sees (`CLAIMTAG_ANNOTATOR`).
pub const ANNOTATOR: &str = "tester";

/// The built `claimtag` binary.
pub fn claimtag_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_claimtag"))
}

/// The repository root (for `sample-data/` and `tests/fixtures/`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary copy of the sample-data files whose names `keep` accepts.
pub fn copy_sample_data(keep: impl Fn(&str) -> bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(repo_root().join("sample-data"))
        .unwrap()
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if keep(&name) {
            std::fs::copy(e.path(), dir.path().join(&name)).unwrap();
        }
    }
    dir
}

/// A committed fixture from `tests/fixtures/awkward/`.
pub fn awkward(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures/awkward").join(name)
}

/// A key as a terminal sends it (xterm encoding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A printable character, sent as UTF-8.
    Char(char),
    /// Ctrl plus a letter (or one of `@[\]^_`), sent as its control byte.
    Ctrl(char),
    /// Alt plus a character, sent as ESC followed by the character.
    Alt(char),
    Esc,
    Enter,
    Tab,
    /// Shift-Tab.
    BackTab,
    Backspace,
    Delete,
    Insert,
    Home,
    End,
    PgUp,
    PgDn,
    Up,
    Down,
    Left,
    Right,
    ShiftUp,
    ShiftDown,
    ShiftLeft,
    ShiftRight,
    CtrlLeft,
    CtrlRight,
    /// F1 to F12.
    F(u8),
}

impl Key {
    /// The bytes an xterm sends for this key. `app_cursor` is the terminal's
    /// DECCKM state: plain arrows are sent as `ESC O A` instead of `ESC [ A`
    /// when the program asked for application cursor keys.
    pub fn encode(self, app_cursor: bool) -> Vec<u8> {
        let csi = |s: &str| format!("\x1b[{s}").into_bytes();
        let arrow = |c: char| {
            if app_cursor {
                format!("\x1bO{c}").into_bytes()
            } else {
                format!("\x1b[{c}").into_bytes()
            }
        };
        match self {
            Key::Char(c) => c.to_string().into_bytes(),
            Key::Ctrl(c) => {
                let upper = c.to_ascii_uppercase();
                assert!(
                    ('@'..='_').contains(&upper),
                    "Ctrl-{c:?} has no control byte"
                );
                vec![upper as u8 & 0x1f]
            }
            Key::Alt(c) => {
                let mut v = vec![0x1b];
                v.extend(c.to_string().into_bytes());
                v
            }
            Key::Esc => vec![0x1b],
            Key::Enter => vec![b'\r'],
            Key::Tab => vec![b'\t'],
            Key::BackTab => csi("Z"),
            Key::Backspace => vec![0x7f],
            Key::Delete => csi("3~"),
            Key::Insert => csi("2~"),
            Key::Home => arrow('H'),
            Key::End => arrow('F'),
            Key::PgUp => csi("5~"),
            Key::PgDn => csi("6~"),
            Key::Up => arrow('A'),
            Key::Down => arrow('B'),
            Key::Right => arrow('C'),
            Key::Left => arrow('D'),
            Key::ShiftUp => csi("1;2A"),
            Key::ShiftDown => csi("1;2B"),
            Key::ShiftRight => csi("1;2C"),
            Key::ShiftLeft => csi("1;2D"),
            Key::CtrlRight => csi("1;5C"),
            Key::CtrlLeft => csi("1;5D"),
            Key::F(n) => match n {
                1 => b"\x1bOP".to_vec(),
                2 => b"\x1bOQ".to_vec(),
                3 => b"\x1bOR".to_vec(),
                4 => b"\x1bOS".to_vec(),
                5 => csi("15~"),
                6 => csi("17~"),
                7 => csi("18~"),
                8 => csi("19~"),
                9 => csi("20~"),
                10 => csi("21~"),
                11 => csi("23~"),
                12 => csi("24~"),
                _ => panic!("F{n}: only F1 to F12 exist"),
            },
        }
    }
}

/// Attributes of one screen cell, for colour and style checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellAttrs {
    pub text: String,
    pub fg: Color,
    pub bg: Color,
    pub bold: bool,
    pub dim: bool,
    pub italic: bool,
    pub underline: bool,
    pub inverse: bool,
    pub wide: bool,
}

/// How to start a program in a pty. [`Term::spawn`] covers the usual case.
pub struct Spawn {
    program: PathBuf,
    args: Vec<String>,
    cwd: PathBuf,
    cols: u16,
    rows: u16,
    env: Vec<(String, String)>,
    no_color: bool,
    config_yaml: String,
}

impl Spawn {
    pub fn new(program: impl Into<PathBuf>) -> Spawn {
        Spawn {
            program: program.into(),
            args: Vec::new(),
            cwd: std::env::temp_dir(),
            cols: 80,
            rows: 24,
            env: Vec::new(),
            no_color: false,
            config_yaml: String::new(),
        }
    }

    /// The claimtag binary built for this test run.
    pub fn claimtag() -> Spawn {
        Spawn::new(claimtag_bin())
    }

    pub fn args<S: AsRef<str>>(mut self, args: &[S]) -> Spawn {
        self.args
            .extend(args.iter().map(|a| a.as_ref().to_string()));
        self
    }

    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Spawn {
        self.cwd = dir.into();
        self
    }

    pub fn size(mut self, cols: u16, rows: u16) -> Spawn {
        self.cols = cols;
        self.rows = rows;
        self
    }

    /// Sets (or overrides) one environment variable of the child.
    pub fn env(mut self, key: &str, value: &str) -> Spawn {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Runs the child with `NO_COLOR=1` (it is removed otherwise).
    pub fn no_color(mut self) -> Spawn {
        self.no_color = true;
        self
    }

    /// Contents of the config file `CLAIMTAG_CONFIG` points at (empty by default).
    pub fn config(mut self, yaml: &str) -> Spawn {
        self.config_yaml = yaml.to_string();
        self
    }

    pub fn start(self) -> Term {
        Term::start(self)
    }
}

/// A program running in a pseudo-terminal, with its screen.
pub struct Term {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
    reader: Option<JoinHandle<()>>,
    eof: Arc<AtomicBool>,
    /// Everything the program wrote, unparsed.
    output: Arc<Mutex<Vec<u8>>>,
    exit: Option<ExitStatus>,
    /// HOME of the child; also holds the config file. Removed on drop.
    home: tempfile::TempDir,
    program: String,
}

impl Term {
    /// Runs the built `claimtag` with `args` in `cwd` on a `cols`×`rows` terminal.
    pub fn spawn<S: AsRef<str>>(args: &[S], cwd: &Path, cols: u16, rows: u16) -> Term {
        Spawn::claimtag()
            .args(args)
            .cwd(cwd)
            .size(cols, rows)
            .start()
    }

    /// Runs `sh -c script` in the pty, for testing the harness itself.
    pub fn sh(script: &str, cols: u16, rows: u16) -> Term {
        Spawn::new("/bin/sh")
            .args(&["-c", script])
            .size(cols, rows)
            .start()
    }

    fn start(spec: Spawn) -> Term {
        let home = tempfile::tempdir().expect("temp HOME");
        let config = home.path().join("config.yaml");
        std::fs::write(&config, &spec.config_yaml).expect("write test config");

        let pty = native_pty_system()
            .openpty(PtySize {
                rows: spec.rows,
                cols: spec.cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");

        let mut cmd = CommandBuilder::new(&spec.program);
        cmd.args(&spec.args);
        cmd.cwd(&spec.cwd);
        for var in [
            "NO_COLOR",
            "COLORTERM",
            "CLAIMTAG_ANNOTATOR",
            "CLAIMTAG_CONFIG",
            "XDG_CONFIG_HOME",
            "TMUX",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("TERM", "xterm-256color");
        cmd.env("LC_ALL", "C.UTF-8");
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", home.path().join(".config"));
        cmd.env("USER", ANNOTATOR);
        cmd.env("CLAIMTAG_ANNOTATOR", ANNOTATOR);
        cmd.env("CLAIMTAG_CONFIG", &config);
        // Sessions (where the analyst left off) kept apart from the user's.
        cmd.env("CLAIMTAG_STATE_DIR", home.path().join("state"));
        if spec.no_color {
            cmd.env("NO_COLOR", "1");
        }
        for (k, v) in &spec.env {
            cmd.env(k, v);
        }

        let child = pty
            .slave
            .spawn_command(cmd)
            .unwrap_or_else(|e| panic!("spawn {}: {e}", spec.program.display()));
        // Only the child may hold the slave side open: once it exits, reads on
        // the master end with EOF/EIO and the reader thread finishes.
        drop(pty.slave);

        let parser = Arc::new(Mutex::new(vt100::Parser::new(spec.rows, spec.cols, 0)));
        let writer: Arc<Mutex<Box<dyn Write + Send>>> =
            Arc::new(Mutex::new(pty.master.take_writer().expect("pty writer")));
        let eof = Arc::new(AtomicBool::new(false));
        let output = Arc::new(Mutex::new(Vec::new()));
        let reader = pty.master.try_clone_reader().expect("pty reader");
        let handle = {
            let (parser, writer, eof, output) = (
                Arc::clone(&parser),
                Arc::clone(&writer),
                Arc::clone(&eof),
                Arc::clone(&output),
            );
            std::thread::Builder::new()
                .name("pty-reader".into())
                .spawn(move || read_loop(reader, &parser, &writer, &output, &eof))
                .expect("reader thread")
        };

        Term {
            parser,
            writer,
            master: pty.master,
            child,
            reader: Some(handle),
            eof,
            output,
            exit: None,
            home,
            program: format!("{} {}", spec.program.display(), spec.args.join(" ")),
        }
    }

    // ---- input ----

    /// Writes raw bytes to the program's terminal.
    pub fn send(&mut self, bytes: impl AsRef<[u8]>) {
        let mut w = lock(&self.writer);
        // A write to a program that already exited fails; the test's next wait
        // reports that with the screen, which says more than a write error.
        let _ = w.write_all(bytes.as_ref());
        let _ = w.flush();
    }

    /// Types plain text, as UTF-8.
    pub fn keys(&mut self, text: &str) {
        self.send(text.as_bytes());
    }

    /// Presses one key. A lone Esc is followed by a short pause so that the
    /// program reads it alone: a terminal reader (crossterm too) takes ESC
    /// arriving together with the next byte as Alt+that key.
    pub fn key(&mut self, key: Key) {
        let app_cursor = self.screen(|s| s.application_cursor());
        self.send(key.encode(app_cursor));
        if key == Key::Esc {
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// Presses several keys in order.
    pub fn press(&mut self, keys: &[Key]) {
        for &k in keys {
            self.key(k);
        }
    }

    /// Pastes text the way a terminal does when the program enabled bracketed
    /// paste, else types it.
    pub fn paste(&mut self, text: &str) {
        if self.screen(|s| s.bracketed_paste()) {
            self.send(format!("\x1b[200~{text}\x1b[201~"));
        } else {
            self.keys(text);
        }
    }

    /// A left click at screen cell (`row`, `col`), 0-based like [`Term::cell`].
    pub fn mouse_click(&mut self, row: u16, col: u16) {
        self.send(sgr_mouse(0, row, col, 'M'));
        self.send(sgr_mouse(0, row, col, 'm'));
    }

    /// Presses the left button at `from`, drags through the cells between and
    /// releases at `to`. Cells are (row, col), 0-based; the SGR sequences carry
    /// them 1-based (`ESC [ < 0 ; x ; y M` press, `32` drag, `m` release).
    pub fn mouse_drag(&mut self, from: (u16, u16), to: (u16, u16)) {
        self.send(sgr_mouse(0, from.0, from.1, 'M'));
        // A few intermediate motion events, as a real drag produces.
        let steps = 4i32;
        for i in 1..=steps {
            let lerp = |a: u16, b: u16| (a as i32 + (b as i32 - a as i32) * i / steps) as u16;
            self.send(sgr_mouse(32, lerp(from.0, to.0), lerp(from.1, to.1), 'M'));
        }
        self.send(sgr_mouse(0, to.0, to.1, 'm'));
    }

    /// Turns the mouse wheel at (`row`, `col`): `lines` > 0 scrolls down.
    pub fn mouse_scroll(&mut self, row: u16, col: u16, lines: i32) {
        let button = if lines > 0 { 65 } else { 64 };
        for _ in 0..lines.unsigned_abs() {
            self.send(sgr_mouse(button, row, col, 'M'));
        }
    }

    /// Resizes the terminal: the emulator first, then the pty (which signals
    /// SIGWINCH), both under the screen lock so later output is parsed at the
    /// new size.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        let mut p = lock(&self.parser);
        p.screen_mut().set_size(rows, cols);
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize pty");
    }

    // ---- screen ----

    /// Runs `f` on the current screen.
    pub fn screen<R>(&self, f: impl FnOnce(&vt100::Screen) -> R) -> R {
        f(lock(&self.parser).screen())
    }

    /// The screen as text, rows joined by newlines, trailing blanks trimmed.
    pub fn screen_text(&self) -> String {
        self.screen(|s| s.contents())
    }

    /// One row of the screen as text, blanks included, wide chars once.
    pub fn row_text(&self, row: u16) -> String {
        self.screen(|s| row_cells(s, row).0)
    }

    /// (rows, cols) of the emulated screen.
    pub fn size(&self) -> (u16, u16) {
        self.screen(|s| s.size())
    }

    /// Cursor (row, col), 0-based.
    pub fn cursor(&self) -> (u16, u16) {
        self.screen(|s| s.cursor_position())
    }

    /// Where `needle` first appears on screen, as (row, col) of its first cell,
    /// counting wide characters as the two cells they take.
    pub fn find(&self, needle: &str) -> Option<(u16, u16)> {
        self.screen(|s| {
            let (rows, _) = s.size();
            (0..rows).find_map(|r| {
                let (text, cols) = row_cells(s, r);
                text.find(needle).map(|i| (r, cols[i]))
            })
        })
    }

    pub fn cell_bg(&self, row: u16, col: u16) -> Color {
        self.cell_attrs(row, col).bg
    }

    pub fn cell_fg(&self, row: u16, col: u16) -> Color {
        self.cell_attrs(row, col).fg
    }

    /// Text and style of the cell at (`row`, `col`), 0-based.
    pub fn cell_attrs(&self, row: u16, col: u16) -> CellAttrs {
        self.screen(|s| {
            let c = s
                .cell(row, col)
                .unwrap_or_else(|| panic!("cell ({row}, {col}) is off the {:?} screen", s.size()));
            CellAttrs {
                text: c.contents().to_string(),
                fg: c.fgcolor(),
                bg: c.bgcolor(),
                bold: c.bold(),
                dim: c.dim(),
                italic: c.italic(),
                underline: c.underline(),
                inverse: c.inverse(),
                wide: c.is_wide(),
            }
        })
    }

    pub fn alternate_screen(&self) -> bool {
        self.screen(|s| s.alternate_screen())
    }

    /// Whether the program turned on mouse reporting (mouse capture).
    pub fn mouse_enabled(&self) -> bool {
        self.screen(|s| s.mouse_protocol_mode() != vt100::MouseProtocolMode::None)
    }

    /// Whether the program left the cursor hidden.
    pub fn cursor_hidden(&self) -> bool {
        self.screen(|s| s.hide_cursor())
    }

    /// Sends a signal (`TERM`, `HUP`, `INT`, `KILL`…) to the program.
    pub fn signal(&self, name: &str) {
        let pid = self.child.process_id().expect("child pid");
        let ok = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(pid.to_string())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill -{name} {pid} failed");
    }

    /// Everything the program printed so far, unparsed (lossy UTF-8).
    pub fn raw_output(&self) -> String {
        String::from_utf8_lossy(&lock(&self.output)).into_owned()
    }

    /// The screen with row numbers, for failure messages.
    pub fn dump(&self) -> String {
        let (rows, cols) = self.size();
        let mut out = format!(
            "--- screen of `{}` ({cols}x{rows}, cursor {:?}) ---\n",
            self.program,
            self.cursor()
        );
        for r in 0..rows {
            out.push_str(&format!("{r:>3}|{}\n", self.row_text(r).trim_end()));
        }
        out.push_str("--- end of screen ---");
        out
    }

    // ---- waiting ----

    /// Waits until `needle` is on screen; returns the screen text. On timeout,
    /// or when the program ended without showing it, the error holds the screen.
    pub fn wait_for(&mut self, needle: &str, timeout: Duration) -> Result<String, String> {
        self.wait_until(|screen| screen.contains(needle), timeout)
            .map_err(|e| format!("waiting for {needle:?}: {e}"))
    }

    /// Waits until `pred(screen_text)` holds; returns the screen text.
    pub fn wait_until(
        &mut self,
        mut pred: impl FnMut(&str) -> bool,
        timeout: Duration,
    ) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            // Read the EOF flag before the screen: if the reader had finished,
            // this screen is final and waiting longer cannot change it.
            let finished = self.eof.load(Ordering::Acquire);
            let text = self.screen_text();
            if pred(&text) {
                return Ok(text);
            }
            if finished {
                let status = self.wait_exit(Duration::from_secs(2));
                return Err(format!(
                    "the program ended ({status:?}) first\n{}",
                    self.dump()
                ));
            }
            if Instant::now() >= deadline {
                return Err(format!("timed out after {timeout:?}\n{}", self.dump()));
            }
            std::thread::sleep(POLL);
        }
    }

    /// Waits until `pred` holds for the emulated screen (colours, cursor...).
    pub fn wait_screen(
        &mut self,
        mut pred: impl FnMut(&vt100::Screen) -> bool,
        timeout: Duration,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            let finished = self.eof.load(Ordering::Acquire);
            if self.screen(&mut pred) {
                return Ok(());
            }
            if finished || Instant::now() >= deadline {
                return Err(format!(
                    "{} after {timeout:?}\n{}",
                    if finished {
                        "program ended"
                    } else {
                        "timed out"
                    },
                    self.dump()
                ));
            }
            std::thread::sleep(POLL);
        }
    }

    /// Waits for the program to exit; None on timeout. After it exits, also
    /// waits (within the same timeout) until its last output has been parsed.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        while self.exit.is_none() {
            match self.child.try_wait() {
                Ok(Some(status)) => self.exit = Some(status),
                Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL),
                _ => return None,
            }
        }
        while !self.eof.load(Ordering::Acquire) && Instant::now() < deadline {
            std::thread::sleep(POLL);
        }
        self.exit.clone()
    }

    /// The exit code after [`Term::wait_exit`]; panics with the screen otherwise.
    pub fn exit_code(&mut self, timeout: Duration) -> u32 {
        match self.wait_exit(timeout) {
            Some(s) => s.exit_code(),
            None => panic!("still running after {timeout:?}\n{}", self.dump()),
        }
    }

    /// HOME of the child (a temporary folder owned by this Term).
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// The config file the child was pointed at.
    pub fn config_path(&self) -> PathBuf {
        self.home.path().join("config.yaml")
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        if self.exit.is_none() && !matches!(self.child.try_wait(), Ok(Some(_))) {
            // SIGHUP, then SIGKILL after a short grace period (portable-pty).
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        // The reader ends at EOF once the child (and anything it left holding
        // the terminal) is gone; never let a stray grandchild hang the test.
        let deadline = Instant::now() + Duration::from_secs(2);
        while !self.eof.load(Ordering::Acquire) && Instant::now() < deadline {
            std::thread::sleep(POLL);
        }
        if self.eof.load(Ordering::Acquire)
            && let Some(h) = self.reader.take()
        {
            let _ = h.join();
        }
    }
}

/// Terminal queries a program may block on, and what answers them.
enum Query {
    /// DSR 6: cursor position report.
    CursorPosition,
    /// DA1: primary device attributes (crossterm sends it after a keyboard
    /// enhancement query to learn that none came).
    DeviceAttributes,
}

const QUERIES: &[(&[u8], Query)] = &[
    (b"\x1b[6n", Query::CursorPosition),
    (b"\x1b[c", Query::DeviceAttributes),
    (b"\x1b[0c", Query::DeviceAttributes),
];

fn read_loop(
    mut reader: Box<dyn Read + Send>,
    parser: &Mutex<vt100::Parser>,
    writer: &Mutex<Box<dyn Write + Send>>,
    output: &Mutex<Vec<u8>>,
    eof: &AtomicBool,
) {
    let mut buf = [0u8; 8192];
    // The last few bytes seen, so a query split across two reads is found.
    let mut tail: Vec<u8> = Vec::with_capacity(8);
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) | Err(_) => break, // EOF, or EIO once the slave side closed
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        lock(output).extend_from_slice(chunk);
        let mut fed = 0;
        for (i, &b) in chunk.iter().enumerate() {
            tail.push(b);
            if tail.len() > 8 {
                tail.remove(0);
            }
            let Some(query) = QUERIES
                .iter()
                .find(|(seq, _)| tail.ends_with(seq))
                .map(|(_, q)| q)
            else {
                continue;
            };
            // Answer from the screen state right after the query, as a
            // terminal would.
            let reply = {
                let mut p = lock(parser);
                p.process(&chunk[fed..=i]);
                fed = i + 1;
                match query {
                    Query::CursorPosition => {
                        let (row, col) = p.screen().cursor_position();
                        format!("\x1b[{};{}R", row + 1, col + 1)
                    }
                    Query::DeviceAttributes => "\x1b[?62;22c".to_string(),
                }
            };
            tail.clear();
            let mut w = lock(writer);
            let _ = w.write_all(reply.as_bytes());
            let _ = w.flush();
        }
        lock(parser).process(&chunk[fed..]);
    }
    eof.store(true, Ordering::Release);
}

/// An SGR mouse report for 0-based (`row`, `col`); `end` is `M` or `m`.
fn sgr_mouse(button: u8, row: u16, col: u16, end: char) -> String {
    format!("\x1b[<{button};{};{}{end}", col + 1, row + 1)
}

/// A row's text with blanks as spaces, and for each byte of the text the
/// column of the cell it came from.
fn row_cells(s: &vt100::Screen, row: u16) -> (String, Vec<u16>) {
    let (_, cols) = s.size();
    let mut text = String::new();
    let mut col_of = Vec::new();
    for c in 0..cols {
        let Some(cell) = s.cell(row, c) else { break };
        if cell.is_wide_continuation() {
            continue;
        }
        let t = if cell.has_contents() {
            cell.contents()
        } else {
            " "
        };
        text.push_str(t);
        col_of.extend(std::iter::repeat_n(c, t.len()));
    }
    (text, col_of)
}

/// Locks, ignoring poisoning: a panicking test thread must not turn every
/// later call (and Drop) into a second panic.
fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Creates `dir/name` with `contents`, making parent folders.
pub fn write_file(dir: &Path, name: impl AsRef<OsStr>, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name.as_ref());
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create parent folder");
    }
    std::fs::write(&path, contents).expect("write test file");
    path
}

// ---- large generated articles (never committed; made at run time) ----

/// Sentences of the generated article: news-like, some with emoji and
/// right-to-left text.
const NEWS_SENTENCES: &[&str] = &[
    "Taliban officials said on Sunday that the leadership of ISIS-K has moved to Balochistan.",
    "Pakistan's Foreign Office rejected the claim as baseless and designed to deflect attention.",
    "Zabihullah Mujahid told Tolo News that the group has no base in Afghanistan.",
    "Analysts in Kabul said both governments were trading blame after the attack.",
    "The United Nations monitoring team estimated that ISIS-K has a few thousand fighters.",
    "Residents of Nangarhar described new checkpoints on the road to Jalalabad.",
    "A spokeswoman said the allegation would be raised with the interim government in Kabul.",
    "The attack on the mosque in Peshawar killed at least 17 people, officials said.",
    "Security forces said they had broken up three cells in Khyber Pakhtunkhwa since January.",
    "Families from Nangarhar 🇦🇫 crossed into Pakistan 🇵🇰 at Torkham on Monday 👨‍👩‍👧.",
    "ذبیح‌الله مجاهد، سخنگوی طالبان، گفت که داعش خراسان در افغانستان هیچ پایگاهی ندارد.",
    "قالت وزارة الخارجية الباكستانية إن هذه الاتهامات «لا أساس لها».",
    "The claim could not be independently verified by Reuters.",
    "Diplomats in Islamabad said the dispute had delayed talks on border trade.",
];

/// Size of the one paragraph without a newline in a [`news_article`].
pub const LONG_PARAGRAPH_BYTES: usize = 2 * 1024 * 1024;

/// A small deterministic generator (xorshift64), so every run gets the same text.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// A news-like article of at least `bytes` bytes: a headline, then paragraphs
/// of 2-7 sentences separated by blank lines. With `long_paragraph`, one
/// paragraph of [`LONG_PARAGRAPH_BYTES`] without a newline sits halfway in;
/// its byte range is returned. Deterministic.
pub fn news_article(bytes: usize, long_paragraph: bool) -> (String, Option<Range<usize>>) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let pick = |rng: &mut Rng| NEWS_SENTENCES[rng.below(NEWS_SENTENCES.len())];
    let mut text = String::with_capacity(bytes + 4096);
    text.push_str("Pakistan rejects Taliban claim that ISIS-K leaders are in Balochistan\n\n");
    let mut long = None;
    while text.len() < bytes {
        if long_paragraph && long.is_none() && text.len() >= bytes / 2 {
            let start = text.len();
            while text.len() - start < LONG_PARAGRAPH_BYTES {
                if text.len() > start {
                    text.push(' ');
                }
                text.push_str(pick(&mut rng));
            }
            long = Some(start..text.len());
        } else {
            let n = 2 + rng.below(6);
            for i in 0..n {
                if i > 0 {
                    text.push(' ');
                }
                text.push_str(pick(&mut rng));
            }
        }
        text.push_str("\n\n");
    }
    (text, long)
}

/// Writes a [`news_article`] of at least `bytes` to `path`; returns the byte
/// range of its long paragraph, if asked for one.
pub fn write_news_article(path: &Path, bytes: usize, long_paragraph: bool) -> Option<Range<usize>> {
    let (text, long) = news_article(bytes, long_paragraph);
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).expect("create article"));
    w.write_all(text.as_bytes()).expect("write article");
    w.flush().expect("flush article");
    long
}
