//! Proves the pseudo-terminal harness in `common/` against programs that exist
//! now: the built binary's stable behaviour and small `sh -c` scripts. Every
//! check polls the screen with a timeout; nothing sleeps in place of a check.

mod common;

use std::time::{Duration, Instant};

use common::{Color, Key, Spawn, Term, WAIT};

/// Runs a script that switches the terminal to raw mode, prints `ready`, reads
/// exactly `count` bytes of input and prints them as hex between `got:` and
/// `:end`. `send` types into it once it is ready; returns the bytes read.
fn bytes_received(count: usize, send: impl FnOnce(&mut Term)) -> Vec<u8> {
    bytes_received_after("", count, send)
}

/// Like [`bytes_received`], with `setup` printed to the terminal first (e.g. a
/// mode switch the keys should follow).
fn bytes_received_after(setup: &str, count: usize, send: impl FnOnce(&mut Term)) -> Vec<u8> {
    let script = format!(
        "stty raw -echo; printf '{setup}ready\\r\\n'; \
         x=$(dd bs=1 count={count} 2>/dev/null | od -An -tx1 -v); stty sane; \
         echo \"got: $x :end\""
    );
    let mut t = Term::sh(&script, 80, 24);
    t.wait_for("ready", WAIT).unwrap();
    send(&mut t);
    let screen = t.wait_for(":end", WAIT).unwrap();
    let start = screen.find("got:").expect("marker") + 4;
    let end = screen.find(":end").expect("marker");
    screen[start..end]
        .split_whitespace()
        .map(|h| u8::from_str_radix(h, 16).unwrap_or_else(|_| panic!("not hex: {h:?}")))
        .collect()
}

#[test]
fn claimtag_help_shows_usage_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Term::spawn(&["--help"], dir.path(), 100, 60);
    let screen = t.wait_for("Usage", WAIT).unwrap();
    assert!(screen.contains("claimtag"), "{screen}");
    assert_eq!(t.exit_code(WAIT), 0, "{}", t.dump());
}

#[test]
fn claimtag_unknown_flag_is_usage_error_2() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Term::spawn(&["--no-such-flag"], dir.path(), 100, 30);
    assert_eq!(t.exit_code(WAIT), 2, "{}", t.dump());
    assert!(t.screen_text().contains("--no-such-flag"), "{}", t.dump());
}

#[test]
fn claimtag_missing_path_exits_2_and_leaves_the_terminal_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Term::spawn(&["no-such-folder/article.txt"], dir.path(), 100, 30);
    assert_eq!(t.exit_code(WAIT), 2, "{}", t.dump());
    assert!(t.screen_text().contains("claimtag: "), "{}", t.dump());
    // Whatever the program drew, it must have restored the main screen and
    // turned mouse reporting off before exiting.
    assert!(!t.alternate_screen(), "{}", t.dump());
    assert!(!t.mouse_enabled(), "{}", t.dump());
}

#[test]
fn keys_arrive_as_xterm_bytes() {
    let want: &[u8] = b"\x13\x17\r\t\x7f\x1b[1;2C\x1b[1;2A\x1b[D\x1b[5~\x1b[6~\x1bOP\x1b[15~\x1b[24~a\xc3\xa9\x1b";
    let got = bytes_received(want.len(), |t| {
        t.key(Key::Ctrl('s'));
        t.key(Key::Ctrl('W'));
        t.key(Key::Enter);
        t.key(Key::Tab);
        t.key(Key::Backspace);
        t.key(Key::ShiftRight);
        t.key(Key::ShiftUp);
        t.key(Key::Left);
        t.key(Key::PgUp);
        t.key(Key::PgDn);
        t.key(Key::F(1));
        t.key(Key::F(5));
        t.key(Key::F(12));
        t.keys("aé");
        t.key(Key::Esc);
    });
    assert_eq!(got, want, "got {:?}", String::from_utf8_lossy(&got));
}

#[test]
fn arrows_follow_application_cursor_mode() {
    // DECCKM on: plain arrows become SS3, modified arrows stay CSI.
    let got = bytes_received_after("\\033[?1h", 12, |t| {
        t.wait_screen(|s| s.application_cursor(), WAIT).unwrap();
        t.key(Key::Up);
        t.key(Key::Home);
        t.key(Key::ShiftDown);
    });
    assert_eq!(got, b"\x1bOA\x1bOH\x1b[1;2B");
}

#[test]
fn mouse_drag_sends_sgr_press_motion_release() {
    let want = "\x1b[<0;3;2M\x1b[<32;4;2M\x1b[<32;5;3M\x1b[<32;6;3M\x1b[<32;7;4M\x1b[<0;7;4m";
    let got = bytes_received(want.len(), |t| t.mouse_drag((1, 2), (3, 6)));
    assert_eq!(String::from_utf8_lossy(&got), want);
}

#[test]
fn cursor_position_query_is_answered() {
    // The script moves to row 3, column 5 (1-based), writes three letters and
    // asks where the cursor is; the harness must answer `ESC [ 3 ; 8 R`.
    let script = "stty raw -echo; printf '\\033[3;5Habc\\033[6n'; \
                  x=$(dd bs=1 count=6 2>/dev/null | od -An -tx1 -v); stty sane; \
                  echo; echo \"got: $x :end\"";
    let mut t = Term::sh(script, 80, 24);
    let screen = t.wait_for(":end", WAIT).unwrap();
    let words = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("got: 1b 5b 33 3b 38 52 :end"),
        "{}",
        t.dump()
    );
}

#[test]
fn colours_and_attributes_are_read_per_cell() {
    let script = "printf '\\033[41mR\\033[0m \\033[48;5;22mG\\033[0m \\033[48;2;1;2;3mT\\033[0m \
                  \\033[1;4;7mB\\033[0m \\033[33mY\\033[0m N END'";
    let mut t = Term::sh(script, 40, 5);
    t.wait_for("END", WAIT).unwrap();
    assert_eq!(t.cell_bg(0, 0), Color::Idx(1));
    assert_eq!(t.cell_bg(0, 2), Color::Idx(22));
    assert_eq!(t.cell_bg(0, 4), Color::Rgb(1, 2, 3));
    let b = t.cell_attrs(0, 6);
    assert_eq!(b.text, "B");
    assert!(b.bold && b.underline && b.inverse && !b.italic, "{b:?}");
    assert_eq!(t.cell_fg(0, 8), Color::Idx(3));
    let plain = t.cell_attrs(0, 10);
    assert_eq!(plain.text, "N");
    assert_eq!((plain.fg, plain.bg), (Color::Default, Color::Default));
    assert!(!plain.bold && !plain.inverse);
}

#[test]
fn find_counts_wide_characters_as_two_cells() {
    let mut t = Term::sh("printf 'x\\n漢字 👨‍👩‍👧 END'", 40, 5);
    t.wait_for("END", WAIT).unwrap();
    assert_eq!(t.find("字"), Some((1, 2)));
    assert!(t.cell_attrs(1, 0).wide);
    assert_eq!(t.find("x"), Some((0, 0)));
    assert_eq!(t.find("nowhere"), None);
    // Whatever width the emulator gives the ZWJ family, END is after it.
    let (row, col) = t.find("END").unwrap();
    assert_eq!(row, 1);
    assert!(col >= 7, "END at {col}\n{}", t.dump());
}

#[test]
fn resize_reaches_the_program_and_the_screen() {
    let script = "trap 'stty size' WINCH; printf 'ready\\n'; \
                  i=0; while [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done";
    let mut t = Term::sh(script, 80, 24);
    t.wait_for("ready", WAIT).unwrap();
    t.resize(100, 30);
    t.wait_for("30 100", WAIT).unwrap();
    assert_eq!(t.size(), (30, 100));
    t.resize(60, 20);
    t.wait_for("20 60", WAIT).unwrap();
    assert_eq!(t.size(), (20, 60));
}

#[test]
fn environment_is_fixed_and_isolated() {
    let script = "echo \"T=$TERM A=$CLAIMTAG_ANNOTATOR N=${NO_COLOR-unset} X=$EXTRA\"; \
                  echo \"H=$HOME\"; echo \"C=$CLAIMTAG_CONFIG\"; echo END";
    let mut t = Spawn::new("/bin/sh")
        .args(&["-c", script])
        .size(200, 10)
        .env("EXTRA", "yes")
        .start();
    let screen = t.wait_for("END", WAIT).unwrap();
    assert!(
        screen.contains("T=xterm-256color A=tester N=unset X=yes"),
        "{screen}"
    );
    let home = t.home().display().to_string();
    assert!(screen.contains(&format!("H={home}")), "{screen}");
    let config = t.config_path();
    assert!(
        screen.contains(&format!("C={}", config.display())),
        "{screen}"
    );
    assert_eq!(std::fs::read(&config).unwrap(), b"");

    let mut t = Spawn::new("/bin/sh")
        .args(&["-c", "echo \"N=${NO_COLOR-unset}\"; echo END"])
        .no_color()
        .config("theme: mono\n")
        .start();
    t.wait_for("END", WAIT).unwrap();
    assert!(t.screen_text().contains("N=1"), "{}", t.dump());
    assert_eq!(
        std::fs::read_to_string(t.config_path()).unwrap(),
        "theme: mono\n"
    );
}

#[test]
fn modes_are_visible() {
    let mut t = Term::sh(
        "printf '\\033[?1049h\\033[?1002h\\033[?1006hALT'; sleep 30",
        40,
        5,
    );
    t.wait_for("ALT", WAIT).unwrap();
    assert!(t.alternate_screen());
    assert!(t.mouse_enabled());
}

#[test]
fn wait_for_times_out_with_the_screen() {
    let mut t = Term::sh("printf visible; sleep 30", 40, 5);
    t.wait_for("visible", WAIT).unwrap();
    let err = t
        .wait_for("never shown", Duration::from_millis(200))
        .unwrap_err();
    assert!(err.contains("timed out"), "{err}");
    assert!(err.contains("  0|visible"), "{err}");
}

#[test]
fn wait_for_stops_early_when_the_program_ends() {
    let mut t = Term::sh("printf bye", 40, 5);
    let started = Instant::now();
    let err = t.wait_for("never shown", WAIT).unwrap_err();
    assert!(started.elapsed() < WAIT, "waited the full timeout");
    assert!(err.contains("ended"), "{err}");
    assert!(err.contains("bye"), "{err}");
    assert_eq!(t.exit_code(WAIT), 0);
}

#[test]
fn wait_exit_reports_the_code_or_times_out() {
    let mut t = Term::sh("exit 7", 40, 5);
    assert_eq!(t.exit_code(WAIT), 7);
    let mut t = Term::sh("sleep 30", 40, 5);
    assert!(t.wait_exit(Duration::from_millis(100)).is_none());
}

#[test]
fn drop_kills_the_child() {
    let mut t = Term::sh("echo \"pid=$$ \"; sleep 1000", 40, 5);
    let screen = t.wait_for("pid=", WAIT).unwrap();
    let pid: u32 = screen
        .split("pid=")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no pid in {screen}"));
    let proc_dir = std::path::PathBuf::from(format!("/proc/{pid}"));
    assert!(proc_dir.exists());
    drop(t);
    // Drop waits for the child, so it has been reaped already.
    assert!(!proc_dir.exists(), "process {pid} still exists after drop");
}
