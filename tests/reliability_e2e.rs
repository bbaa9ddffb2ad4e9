//! Nothing lost, ever (issue 10; issue 12 items 3, 4, 13), end to end in a
//! pseudo-terminal: signals, the changed-on-disk prompt, two instances, and a
//! read-only pane that recovers when its sidecar is fixed.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use claimtag_model::{Article, Sidecar};
use common::{Key, Spawn, Term, WAIT, repo_root};

const ARTICLE: &str = "000_7b58e148c564b8d5.txt";

fn corpus() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join(ARTICLE);
    std::fs::copy(repo_root().join("sample-data").join(ARTICLE), &src).unwrap();
    (dir, src)
}

fn sidecar(src: &Path) -> PathBuf {
    claimtag_model::store::sidecar_path(src, common::ANNOTATOR)
}

fn count(path: &Path) -> usize {
    let yaml = std::fs::read_to_string(path).unwrap();
    Sidecar::parse(path, &yaml).unwrap().annotations.len()
}

fn wait_count(t: &mut Term, label: &str, n: usize) {
    let long = format!("{label} {n}");
    let short = format!("{}:{n}", &label[..1]);
    t.wait_until(|s| s.contains(&long) || s.contains(&short), WAIT)
        .unwrap_or_else(|e| panic!("waiting for {long}: {e}"));
}

fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + timeout;
    while Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn recovery_files(dir: &Path, tail: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.contains(".recovered-") && n.ends_with(tail)
        })
        .collect()
}

/// A tag made just before the signal is saved, the terminal is given back
/// (main screen, no mouse reporting, cursor shown) and the exit is non-zero.
#[test]
fn term_hup_and_int_save_restore_the_terminal_and_exit_non_zero() {
    for sig in ["TERM", "HUP", "INT"] {
        let (dir, src) = corpus();
        let mut t = Term::spawn(&["."], dir.path(), 100, 30);
        wait_count(&mut t, "claim", 0);
        t.keys("s");
        t.wait_for("SELECT", WAIT).unwrap();
        t.keys("c");
        wait_count(&mut t, "claim", 1);
        t.signal(sig);
        let code = t.exit_code(WAIT);
        assert_ne!(code, 0, "SIG{sig}: exit 0\n{}", t.dump());
        assert!(
            !t.alternate_screen(),
            "SIG{sig}: left in the alternate screen"
        );
        assert!(!t.mouse_enabled(), "SIG{sig}: mouse reporting left on");
        assert!(!t.cursor_hidden(), "SIG{sig}: cursor left hidden");
        assert_eq!(count(&sidecar(&src)), 1, "SIG{sig}: the tag was lost");
        assert!(t.raw_output().contains(&format!("stopped by SIG{sig}")));
        drop(dir);
    }
}

/// Starts with a saved sidecar holding one claim, makes a change, has the
/// file changed by someone else, and saves: the prompt comes up.
fn conflict(theirs: &str) -> (tempfile::TempDir, PathBuf, Term) {
    let (dir, src) = corpus();
    let mut art = Article::open(&src, common::ANNOTATOR).unwrap();
    art.save().unwrap();
    let mut t = Term::spawn(&["."], dir.path(), 110, 30);
    wait_count(&mut t, "claim", 0);
    t.keys("s");
    t.wait_for("SELECT", WAIT).unwrap();
    t.keys("c");
    wait_count(&mut t, "claim", 1);
    std::fs::write(sidecar(&src), theirs).unwrap();
    t.key(Key::Ctrl('s'));
    t.wait_for("Nothing was overwritten", WAIT).unwrap();
    (dir, src, t)
}

fn theirs_parsing(src: &Path) -> String {
    let art = Article::open(src, "bob").unwrap();
    let mut s = art.sidecar.clone();
    s.annotator = common::ANNOTATOR.into();
    s.to_yaml() + "# edited by someone else\n"
}

#[test]
fn decide_later_keeps_writing_pending_work_to_the_recovery_file() {
    let (dir, src) = corpus();
    let theirs = theirs_parsing(&src);
    drop((dir, src));
    let (dir, src, mut t) = conflict(&theirs);
    t.key(Key::Esc);
    t.wait_for("recovery file until you choose", WAIT).unwrap();
    // Two more tags while undecided.
    for _ in 0..2 {
        t.keys("j");
        t.keys("s");
        t.keys("d");
    }
    wait_count(&mut t, "denial", 2);
    let made = Instant::now();
    let kept = wait_until(Duration::from_secs(10), || {
        recovery_files(dir.path(), "").iter().any(|p| count(p) == 3)
    });
    assert!(kept, "no recovery file with the 3 tags\n{}", t.dump());
    assert!(
        made.elapsed() < Duration::from_secs(4),
        "{:?}",
        made.elapsed()
    );
    // Killed now, nothing is lost; the file on disk is still theirs.
    t.signal("KILL");
    assert_eq!(std::fs::read_to_string(sidecar(&src)).unwrap(), theirs);
}

#[test]
fn keep_mine_keeps_theirs_in_a_recovery_file_first() {
    let (dir, src) = corpus();
    let theirs = theirs_parsing(&src);
    drop((dir, src));
    let (dir, src, mut t) = conflict(&theirs);
    t.keys("k");
    t.wait_for("the version on disk is kept in", WAIT).unwrap();
    let kept = recovery_files(dir.path(), "-theirs");
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(std::fs::read_to_string(&kept[0]).unwrap(), theirs);
    assert_eq!(count(&sidecar(&src)), 1);
}

#[test]
fn keep_mine_is_not_offered_over_a_file_that_does_not_parse() {
    let broken = "format: claimtag/1\nannotations: [\n";
    let (dir, src, mut t) = conflict(broken);
    t.wait_for("does not parse, so it is not overwritten", WAIT)
        .unwrap();
    t.keys("k");
    t.wait_for("not offered", WAIT).unwrap();
    assert_eq!(std::fs::read_to_string(sidecar(&src)).unwrap(), broken);
    drop(dir);
}

#[test]
fn a_second_instance_is_warned_and_read_only_until_the_first_quits() {
    let (dir, src) = corpus();
    let mut first = Term::spawn(&["."], dir.path(), 110, 30);
    wait_count(&mut first, "claim", 0);
    let lock = claimtag_model::lock::marker_path(&sidecar(&src));
    assert!(lock.exists(), "no lock file while open");
    let mut second = Term::spawn(&["."], dir.path(), 110, 30);
    second.wait_for("[read-only]", WAIT).unwrap();
    second
        .wait_until(|s| s.contains("already open in process"), WAIT)
        .unwrap();
    first.keys("q");
    assert_eq!(first.exit_code(WAIT), 0);
    second
        .wait_for("writable again: reloaded, editable", WAIT)
        .unwrap();
    second.keys("s");
    second.wait_for("SELECT", WAIT).unwrap();
    second.keys("c");
    second.key(Key::Ctrl('s'));
    second.wait_for("saved", WAIT).unwrap();
    second.keys("q");
    assert_eq!(second.exit_code(WAIT), 0);
    assert_eq!(count(&sidecar(&src)), 1);
    assert!(!lock.exists(), "lock file left after quitting");
}

#[test]
fn a_read_only_pane_recovers_when_its_sidecar_is_fixed() {
    let (dir, src) = corpus();
    let mut art = Article::open(&src, common::ANNOTATOR).unwrap();
    let id = art.sidecar.fresh_id();
    art.sidecar
        .annotations
        .push(claimtag_model::anchor::new_annotation(
            &art.doc,
            0..4,
            "claim",
            id,
        ));
    art.save().unwrap();
    let good = std::fs::read_to_string(sidecar(&src)).unwrap();
    std::fs::write(sidecar(&src), "format: claimtag/1\nannotations: [\n").unwrap();
    let mut t = Spawn::claimtag()
        .args(&["."])
        .cwd(dir.path())
        .size(110, 30)
        .start();
    t.wait_for("[read-only]", WAIT).unwrap();
    std::fs::write(sidecar(&src), good).unwrap();
    t.wait_for("writable again: reloaded, editable", WAIT)
        .unwrap();
    wait_count(&mut t, "claim", 1);
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0);
}

/// Issue 10 item 3 / issue 15: Enter on the changed-on-disk prompt merges
/// theirs (bob's seven spans, saved under our name) with ours (one claim):
/// all eight are saved, nothing goes to a recovery file.
#[test]
fn enter_on_the_changed_on_disk_prompt_merges_both_sides() {
    let (dir, src) = corpus();
    let theirs = theirs_parsing(&src);
    let n_theirs = Sidecar::parse(&sidecar(&src), &theirs)
        .unwrap()
        .annotations
        .len();
    drop((dir, src));
    let (dir, src, mut t) = conflict(&theirs);
    t.wait_for("merge: both sides' work kept", WAIT).unwrap();
    t.key(Key::Enter);
    t.wait_for("merged with the version on disk", WAIT).unwrap();
    assert!(wait_until(WAIT, || count(&sidecar(&src)) == n_theirs + 1));
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0);
    assert!(recovery_files(dir.path(), "").is_empty());
}

/// Issue 10 item 1: the second instance takes the article over (T, y) and
/// saves a tag; the first one's next save meets the prompt and merges: both
/// tags are kept.
#[test]
fn a_second_instance_takes_over_and_the_first_merges_on_its_next_save() {
    let (dir, src) = corpus();
    let mut first = Term::spawn(&["."], dir.path(), 110, 30);
    wait_count(&mut first, "claim", 0);
    let mut second = Term::spawn(&["."], dir.path(), 110, 30);
    second.wait_for("[read-only]", WAIT).unwrap();
    second.keys("T");
    second
        .wait_for("take it over: editable here", WAIT)
        .unwrap();
    second.keys("y");
    second.wait_for("took over", WAIT).unwrap();
    second.keys("s");
    second.wait_for("SELECT", WAIT).unwrap();
    second.keys("c");
    second.key(Key::Ctrl('s'));
    assert!(wait_until(WAIT, || sidecar(&src).exists()
        && count(&sidecar(&src)) == 1));
    // the first instance, unaware, tags another sentence and saves
    first.keys("))");
    first.keys("s");
    first.wait_for("SELECT", WAIT).unwrap();
    first.keys("d");
    first.key(Key::Ctrl('s'));
    first.wait_for("Nothing was overwritten", WAIT).unwrap();
    first.key(Key::Enter);
    first
        .wait_for("merged with the version on disk", WAIT)
        .unwrap();
    assert!(wait_until(WAIT, || count(&sidecar(&src)) == 2));
    first.keys("q");
    assert_eq!(first.exit_code(WAIT), 0);
    second.keys("q");
    assert_eq!(second.exit_code(WAIT), 0);
    let lock = claimtag_model::lock::marker_path(&sidecar(&src));
    assert!(!lock.exists(), "lock file left after both quit");
}

/// A closed window (the terminal's other end gone, as when tmux kills the
/// session or a terminal emulator is closed) saves the work and ends the
/// program. Before, crossterm read the terminal's end-of-file in a busy loop
/// forever: the tag was never saved and the process spun at a third of a
/// core. Runs in tmux (.ci/run installs it): closing a tmux session closes
/// the terminal as a window manager does.
#[test]
fn closing_the_window_saves_the_work_and_ends_the_program() {
    let (dir, src) = corpus();
    let home = tempfile::tempdir().unwrap();
    let session = format!("claimtag-hup-{}", std::process::id());
    let tmux = |args: &[&str]| {
        std::process::Command::new("tmux")
            .args(["-L", &session])
            .args(args)
            .output()
            .expect("tmux (installed by .ci/run) runs")
    };
    let bin = common::claimtag_bin();
    let command = format!(
        "env HOME={h} XDG_CONFIG_HOME={h} XDG_STATE_HOME={h} CLAIMTAG_STATE_DIR={h} CLAIMTAG_ANNOTATOR={a} {bin} {src}; echo exited $? > {h}/exit",
        h = home.path().display(),
        a = common::ANNOTATOR,
        bin = bin.display(),
        src = src.display(),
    );
    let started = tmux(&[
        "new-session",
        "-d",
        "-s",
        "t",
        "-x",
        "100",
        "-y",
        "30",
        &command,
    ]);
    assert!(started.status.success(), "{started:?}");
    let screen =
        || String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned();
    assert!(
        wait_until(WAIT, || screen().contains("claim 0")),
        "{}",
        screen()
    );
    tmux(&["send-keys", "-t", "t", "j", "j", "s", "c"]);
    assert!(
        wait_until(WAIT, || screen().contains("claim 1")),
        "{}",
        screen()
    );
    tmux(&["kill-server"]);
    // The pane's shell gets SIGHUP with the window; the program must save
    // and leave on its own, so its process is gone and the tag on disk.
    assert!(
        wait_until(WAIT, || sidecar(&src).exists()
            && count(&sidecar(&src)) == 1),
        "the tag was not saved after the window closed"
    );
    // The article's path is on no other command line.
    let running = || {
        std::process::Command::new("pgrep")
            .args(["-f", &src.display().to_string()])
            .output()
            .is_ok_and(|o| !o.stdout.is_empty())
    };
    assert!(
        wait_until(WAIT, || !running()),
        "claimtag still runs after its window closed"
    );
    // It ended the orderly way: its lock file removed, where the analyst left
    // off kept. Before, restoring the gone terminal printed to a gone stderr,
    // which panicked and aborted before either.
    let lock = claimtag_model::lock::marker_path(&sidecar(&src));
    assert!(!lock.exists(), "lock file left after the window closed");
    let sessions = home.path().join("sessions");
    let kept = std::fs::read_dir(&sessions).is_ok_and(|mut d| d.next().is_some());
    assert!(kept, "no session kept in {}", sessions.display());
    drop(dir);
}

/// A folder of more articles than the process may have files open (1,024 is
/// a common limit): the last article opens, takes a tag and saves, and only
/// the articles on screen hold a lock file. Before, every article loaded in
/// the background kept its lock file open: past the limit no file could be
/// opened, and the save failed with "Too many open files".
#[test]
fn a_folder_larger_than_the_open_file_limit_opens_and_saves() {
    let dir = tempfile::tempdir().unwrap();
    // More than the loader reads ahead of the screen (256), too.
    let n = 300;
    for i in 0..n {
        std::fs::write(
            dir.path().join(format!("{i:03}.txt")),
            "Officials said the crossing reopened.\n",
        )
        .unwrap();
    }
    let command = format!(
        "ulimit -n 48 && exec {} .",
        common::claimtag_bin().display()
    );
    let mut t = Spawn::new("/bin/sh")
        .args(&["-c", &command])
        .cwd(dir.path())
        .size(110, 30)
        .start();
    wait_count(&mut t, "claim", 0);
    // The corpus list, once every article has loaded: the last one, opened.
    t.keys("F");
    t.keys("G");
    let last = format!("{:03}.txt", n - 1);
    t.wait_until(|s| s.contains(&last) && !s.contains("loading"), WAIT)
        .unwrap();
    t.key(Key::Enter);
    // Read again as it comes on screen (articles off screen are let go).
    t.wait_until(
        |s| s.contains(&format!(" {last} │")) && !s.contains("loading") && !s.contains("Articles"),
        WAIT,
    )
    .unwrap();
    t.keys("s");
    t.wait_for("SELECT", WAIT).unwrap();
    t.keys("c");
    t.key(Key::Ctrl('s'));
    let src = dir.path().join(&last);
    assert!(
        wait_until(WAIT, || sidecar(&src).exists()
            && count(&sidecar(&src)) == 1),
        "{}",
        t.screen_text()
    );
    let locks = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".lock")
            })
            .count()
    };
    assert!(
        wait_until(WAIT, || locks() == 1),
        "lock files: {} (only the article on screen holds one)",
        locks()
    );
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0);
    assert_eq!(locks(), 0, "lock file left after quitting");
}
