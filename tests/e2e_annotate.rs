//! End-to-end: the built binary in a pseudo-terminal, typed at as an analyst
//! would, on the sample articles and on awkward text (DESIGN.md §9).

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use claimtag_model::{Document, Sidecar};
use common::{Color, Key, Spawn, Term, WAIT, awkward, write_file};

const ANNOTATOR: &str = common::ANNOTATOR;

/// A copy of sample-data's articles (without sidecars) in a temp folder.
fn sample_corpus() -> tempfile::TempDir {
    common::copy_sample_data(|name| name.ends_with(".txt"))
}

fn sidecar_of(source: &Path, who: &str) -> PathBuf {
    claimtag_model::store::sidecar_path(source, who)
}

/// Reads a sidecar and checks every span against the source text.
fn read_checked(source: &Path, who: &str) -> Sidecar {
    let path = sidecar_of(source, who);
    let yaml = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let s = Sidecar::parse(&path, &yaml).unwrap();
    let doc = Document::load(source).unwrap();
    assert_eq!(s.source.sha256, doc.sha256());
    assert_eq!(s.source.chars, doc.len_chars());
    for a in &s.annotations {
        assert_eq!(
            doc.slice_chars(a.start, a.end),
            Some(a.text.as_str()),
            "{a:?}"
        );
    }
    s
}

/// Waits until the status bar counts `n` spans of `label`, in its long form
/// (`claim 1`) or the short one it uses when the line is narrow (`c:1`).
fn wait_count(t: &mut Term, label: &str, n: usize) {
    let long = format!("{label} {n}");
    let short = format!("{}:{n}", &label[..1]);
    t.wait_until(|s| s.contains(&long) || s.contains(&short), WAIT)
        .unwrap_or_else(|e| panic!("waiting for {long}: {e}"));
}

fn wait_file(path: &Path, timeout: Duration) -> bool {
    let end = Instant::now() + timeout;
    while Instant::now() < end {
        if path.exists() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn first_article(dir: &Path) -> PathBuf {
    dir.join("000_7b58e148c564b8d5.txt")
}

#[test]
fn tag_sentence_save_quit_and_check_the_yaml() {
    let dir = sample_corpus();
    let mut t = Term::spawn(&["."], dir.path(), 100, 30);
    t.wait_for("000_7b58e148c564b8d5.txt", WAIT).unwrap();
    wait_count(&mut t, "claim", 0);
    t.keys("s");
    t.wait_for("SELECT", WAIT).unwrap();
    t.keys("c");
    wait_count(&mut t, "claim", 1);
    t.key(Key::Ctrl('s'));
    t.wait_for("saved", WAIT).unwrap();
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0, "{}", t.dump());
    assert!(
        !t.alternate_screen(),
        "terminal left in the alternate screen"
    );
    let s = read_checked(&first_article(dir.path()), ANNOTATOR);
    assert_eq!(s.annotations.len(), 1);
    let a = &s.annotations[0];
    assert_eq!(a.label, "claim");
    assert!(
        a.text
            .starts_with("date 2022-02-03 Afghanistan's former Vice President"),
        "{a:?}"
    );
    assert!(a.text.ends_with("operations in Afghanistan."), "{a:?}");
    let yaml = std::fs::read_to_string(sidecar_of(&first_article(dir.path()), ANNOTATOR)).unwrap();
    assert!(yaml.starts_with("format: claimtag/1\n"), "{yaml}");
}

#[test]
fn annotated_span_is_coloured_and_cursor_visible() {
    let dir = sample_corpus();
    let mut t = Term::spawn(&["."], dir.path(), 100, 30);
    wait_count(&mut t, "claim", 0);
    t.keys("s");
    t.wait_for("SELECT", WAIT).unwrap();
    t.keys("c");
    wait_count(&mut t, "claim", 1);
    // "date" on the first text row: a claim (yellow background)
    let (row, col) = t.find("Afghanistan's former").unwrap();
    // the count may be drawn a frame before the span's colour: wait for it
    let claim_bg =
        |s: &vt100::Screen| s.cell(row, col + 2).map(|c| c.bgcolor()) == Some(Color::Idx(3));
    if t.wait_screen(claim_bg, WAIT).is_err() {
        panic!("the claim is not coloured\n{}", t.dump());
    }
    // the cursor is drawn (reversed/white) at the start of the text
    assert_ne!(t.cell_bg(1, 0), t.cell_bg(1, 5), "{}", t.dump());
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0);
}

#[test]
fn mouse_drag_selects_and_tags() {
    let dir = sample_corpus();
    let mut t = Term::spawn(&["."], dir.path(), 100, 30);
    wait_count(&mut t, "claim", 0);
    let (row, col) = t.find("Amrullah Saleh").unwrap();
    t.mouse_drag((row, col), (row, col + 13));
    t.wait_for("SELECT", WAIT).unwrap();
    t.keys("e");
    wait_count(&mut t, "evidence", 1);
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0, "{}", t.dump());
    let s = read_checked(&first_article(dir.path()), ANNOTATOR);
    assert_eq!(s.annotations[0].text, "Amrullah Saleh");
}

#[test]
fn autosave_keeps_work_when_killed() {
    let dir = sample_corpus();
    let side = sidecar_of(&first_article(dir.path()), ANNOTATOR);
    {
        let mut t = Term::spawn(&["."], dir.path(), 100, 30);
        wait_count(&mut t, "claim", 0);
        t.keys("j");
        t.keys("d");
        wait_count(&mut t, "denial", 1);
        // autosave within 2 s of the last change, without Ctrl-s or q
        assert!(
            wait_file(&side, Duration::from_secs(5)),
            "no autosave\n{}",
            t.dump()
        );
        // dropping the Term kills the program (SIGHUP, then SIGKILL)
    }
    let s = read_checked(&first_article(dir.path()), ANNOTATOR);
    assert_eq!(s.annotations.len(), 1);
    assert_eq!(s.annotations[0].label, "denial");
}

#[test]
fn split_panes_corpus_list_and_help() {
    let dir = sample_corpus();
    let mut t = Term::spawn(&["."], dir.path(), 120, 30);
    wait_count(&mut t, "claim", 0);
    t.key(Key::Ctrl('w'));
    t.keys("v");
    t.wait_for("001_61df674886ad32dc.txt · tester", WAIT)
        .unwrap();
    t.wait_for("000_7b58e148c564b8d5.txt · tester", WAIT)
        .unwrap();
    t.key(Key::Tab);
    t.key(Key::Ctrl('p'));
    // every article of sample-data is listed (waiting for the whole list,
    // not only its title, to be drawn)
    t.wait_for("Articles", WAIT).unwrap();
    t.wait_until(|s| (0..6).all(|n| s.contains(&format!("00{n}_"))), WAIT)
        .unwrap();
    t.keys("jjjj");
    t.key(Key::Enter);
    t.wait_for("004_31cdd8444292bb20.txt · tester", WAIT)
        .unwrap();
    t.keys("?");
    t.wait_for("Keys", WAIT).unwrap();
    t.wait_for("tag the selection (or the sentence) as denial", WAIT)
        .unwrap();
    t.key(Key::Esc);
    t.wait_until(|s| !s.contains("Keys —"), WAIT).unwrap();
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0);
}

#[test]
fn search_moves_to_the_match() {
    let dir = sample_corpus();
    let mut t = Term::spawn(&["."], dir.path(), 100, 30);
    wait_count(&mut t, "claim", 0);
    t.keys("/conspiracy");
    t.key(Key::Enter);
    t.wait_for("/conspiracy", WAIT).unwrap();
    t.keys("v");
    for _ in 0..9 {
        t.key(Key::Right);
    }
    t.keys("e");
    wait_count(&mut t, "evidence", 1);
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0);
    let s = read_checked(&first_article(dir.path()), ANNOTATOR);
    assert_eq!(s.annotations[0].text, "conspiracy");
}

/// Opens one awkward file, moves around, tags the first sentence, quits.
fn awkward_round_trip(name: &str, expect_on_screen: &str) {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join(name);
    std::fs::copy(awkward(name), &src).unwrap();
    let mut t = Term::spawn(&[name], dir.path(), 80, 20);
    t.wait_for(expect_on_screen, WAIT).unwrap();
    for k in ["l", "l", "w", "j", "j", "k", "}", "{", "G", "g", ")"] {
        t.keys(k);
    }
    t.keys("g");
    t.keys("c");
    wait_count(&mut t, "claim", 1);
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0, "{}", t.dump());
    let s = read_checked(&src, ANNOTATOR);
    assert_eq!(s.annotations.len(), 1);
    let doc = Document::load(&src).unwrap();
    // the tag is the first sentence, and never splits a grapheme
    let a = &s.annotations[0];
    let bytes = doc.char_range_to_bytes(a.start, a.end).unwrap();
    assert!(doc.is_grapheme_boundary(bytes.start) && doc.is_grapheme_boundary(bytes.end));
}

#[test]
fn awkward_rtl() {
    // shown right to left (issue 13): the word's letters in display order
    awkward_round_trip("rtl.txt", "نابلاط");
}

#[test]
fn awkward_emoji_and_flags() {
    awkward_round_trip("emoji.txt", "🇦🇫");
}

#[test]
fn awkward_cjk() {
    awkward_round_trip("cjk.txt", "塔利班");
}

#[test]
fn awkward_combining_marks() {
    awkward_round_trip("combining.txt", "tester");
}

#[test]
fn awkward_tabs_crlf_bom() {
    awkward_round_trip("tabs.txt", "tester");
    awkward_round_trip("crlf.txt", "tester");
    awkward_round_trip("bom.txt", "tester");
}

#[test]
fn crlf_and_bom_are_not_shown() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "w.txt", "\u{feff}Alpha line.\r\nBeta line.\r\n");
    let mut t = Term::spawn(&["w.txt"], dir.path(), 60, 10);
    let s = t.wait_for("Beta line.", WAIT).unwrap();
    assert!(
        !s.contains("^M") && !s.contains('\u{feff}') && !s.contains('␍'),
        "{s}"
    );
    assert!(t.row_text(1).starts_with("Alpha line."), "{}", t.dump());
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0);
}

#[test]
fn long_line_wraps_and_empty_file_opens() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(awkward("longline.txt"), dir.path().join("longline.txt")).unwrap();
    std::fs::copy(awkward("empty.txt"), dir.path().join("empty.txt")).unwrap();
    // Files open in name order: the empty one first.
    let mut t = Term::spawn(&["longline.txt", "empty.txt"], dir.path(), 60, 12);
    t.wait_for("(empty file)", WAIT).unwrap();
    t.keys("sc");
    t.wait_for("nothing to tag", WAIT).unwrap();
    t.key(Key::Ctrl('p'));
    t.wait_for("Articles", WAIT).unwrap();
    t.key(Key::Down);
    t.key(Key::Enter);
    // Read again as it comes on screen (articles off screen are let go).
    t.wait_until(
        |s| s.contains("longline.txt · tester") && !s.contains("loading"),
        WAIT,
    )
    .unwrap();
    // every text row is filled with wrapped text and nothing runs past the edge
    let screen = t.screen_text();
    let rows: Vec<&str> = screen.lines().collect();
    assert!(
        rows[1..10].iter().all(|r| !r.trim().is_empty()),
        "{}",
        t.dump()
    );
    // The fixture ends with a newline: G goes to the empty line 2; one row
    // up is the end of the 20,000-character line 1.
    t.keys("G");
    t.wait_for("│ 2:1 ", WAIT).unwrap();
    t.keys("k");
    let s = t.wait_for("│ 1:", WAIT).unwrap();
    let col: usize = s
        .split("│ 1:")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    assert!(col > 19_000, "column {col}\n{s}");
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0, "{}", t.dump());
}

#[test]
fn not_utf8_is_listed_with_byte_offset_and_others_open() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(awkward("latin1.txt"), dir.path().join("latin1.txt")).unwrap();
    write_file(dir.path(), "ok.txt", "A fine article.");
    let mut t = Term::spawn(&["."], dir.path(), 100, 12);
    t.wait_for("latin1.txt", WAIT).unwrap();
    t.key(Key::Ctrl('p'));
    let s = t.wait_for("Articles", WAIT).unwrap();
    assert!(
        s.contains("latin1.txt: not valid UTF-8 at byte offset"),
        "{s}"
    );
    assert!(s.contains("ok.txt"), "{s}");
    t.keys("j");
    t.key(Key::Enter);
    t.wait_for("ok.txt · tester", WAIT).unwrap();
    t.wait_for("A fine article.", WAIT).unwrap();
    t.keys("sc");
    wait_count(&mut t, "claim", 1);
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0, "{}", t.dump());
}

#[test]
fn tiny_terminal_and_resizes() {
    let dir = sample_corpus();
    let mut t = Term::spawn(&["."], dir.path(), 20, 5);
    t.wait_for("000_", WAIT).unwrap();
    for (w, h) in [(10, 3), (1, 1), (120, 40), (20, 5), (200, 2), (45, 17)] {
        t.resize(w, h);
        t.keys("j");
    }
    t.keys("G");
    t.resize(80, 24);
    t.wait_for("tester", WAIT).unwrap();
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0, "{}", t.dump());
}

#[test]
fn bad_sidecar_opens_read_only_and_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let src = write_file(dir.path(), "a.txt", "Some claim here. Another one.");
    let bad = "format: claimtag/1\nsource: {file: a.txt}\nannotator: tester\nannotations:\n- id: a1\n  label: claim\n  start: 9\n  end: 2\n";
    let side = write_file(dir.path(), "a.txt.tester.ann.yaml", bad);
    let mut t = Term::spawn(&["a.txt"], dir.path(), 120, 10);
    t.wait_for("read-only", WAIT).unwrap();
    t.wait_for("a.txt.tester.ann.yaml:5:", WAIT).unwrap();
    t.keys("sc");
    t.key(Key::Ctrl('s'));
    t.keys("q");
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0, "{}", t.dump());
    assert_eq!(std::fs::read_to_string(&side).unwrap(), bad);
    assert!(src.exists());
}

#[test]
fn external_change_is_not_clobbered() {
    let dir = tempfile::tempdir().unwrap();
    let src = write_file(dir.path(), "a.txt", "First claim. Second claim.");
    let mut t = Term::spawn(&["a.txt"], dir.path(), 100, 10);
    wait_count(&mut t, "claim", 0);
    t.keys("sc");
    t.key(Key::Ctrl('s'));
    let side = sidecar_of(&src, ANNOTATOR);
    assert!(wait_file(&side, WAIT));
    // someone else rewrites the sidecar while we have unsaved changes
    t.keys(")sd");
    wait_count(&mut t, "denial", 1);
    let theirs = std::fs::read_to_string(&side).unwrap() + "# edited by a colleague\n";
    std::fs::write(&side, &theirs).unwrap();
    t.wait_for("changed on disk", WAIT).unwrap();
    assert_eq!(std::fs::read_to_string(&side).unwrap(), theirs);
    t.keys("k");
    // Theirs is kept in a recovery file before ours overwrites it.
    t.wait_until(|s| s.contains("the version on disk is kept in"), WAIT)
        .unwrap();
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0, "{}", t.dump());
    assert_eq!(read_checked(&src, ANNOTATOR).annotations.len(), 2);
}

#[test]
fn panic_restores_terminal_and_writes_recovery() {
    let dir = tempfile::tempdir().unwrap();
    let src = write_file(dir.path(), "a.txt", "A claim worth keeping.");
    let mut t = Spawn::claimtag()
        .args(&["a.txt"])
        .cwd(dir.path())
        .size(300, 20)
        .env("CLAIMTAG_TEST_PANIC_ON_KEY", "Z")
        .start();
    wait_count(&mut t, "claim", 0);
    t.keys("sc");
    wait_count(&mut t, "claim", 1);
    t.keys("Z");
    let code = t.exit_code(WAIT);
    assert_ne!(code, 0);
    assert!(!t.alternate_screen(), "terminal not restored\n{}", t.dump());
    assert!(!t.mouse_enabled(), "mouse capture left on\n{}", t.dump());
    let screen = t.screen_text();
    let line = screen
        .lines()
        .find(|l| l.contains("unsaved annotations written to"))
        .unwrap_or_else(|| panic!("no recovery path printed\n{}", t.dump()));
    // The path ends with the UTC time stamp ("…recovered-20261126T130020Z");
    // the panic report may leave other characters on the same screen row.
    let rest = line.split("written to ").nth(1).unwrap();
    let path = &rest[..rest.find(".recovered-").unwrap() + ".recovered-".len() + 16];
    let yaml = std::fs::read_to_string(path).unwrap();
    let s = Sidecar::parse(Path::new(path), &yaml).unwrap();
    assert_eq!(s.annotations[0].text, "A claim worth keeping.");
    assert!(src.exists());
}

#[test]
fn no_color_uses_attributes_only() {
    let dir = sample_corpus();
    let mut t = Spawn::claimtag()
        .args(&["."])
        .cwd(dir.path())
        .size(100, 30)
        .no_color()
        .start();
    wait_count(&mut t, "claim", 0);
    t.keys("sc");
    wait_count(&mut t, "claim", 1);
    let (row, col) = t.find("Afghanistan's former").unwrap();
    let cell = t.cell_attrs(row, col + 2);
    assert_eq!(cell.bg, Color::Default, "{cell:?}");
    assert!(cell.underline, "{cell:?}");
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0);
}

#[test]
fn rebound_keys_from_config() {
    let dir = sample_corpus();
    let mut t = Spawn::claimtag()
        .args(&["."])
        .cwd(dir.path())
        .size(100, 30)
        .config("keys:\n  tag-claim: [F5]\n  quit: ctrl-q\n")
        .start();
    wait_count(&mut t, "claim", 0);
    t.key(Key::F(5));
    wait_count(&mut t, "claim", 1);
    t.key(Key::Ctrl('q'));
    assert_eq!(t.exit_code(WAIT), 0, "{}", t.dump());
}

#[test]
fn bad_config_is_an_error_naming_file_and_line() {
    let dir = sample_corpus();
    let mut t = Spawn::claimtag()
        .args(&["."])
        .cwd(dir.path())
        .size(120, 10)
        .config("theme: dark\nkeys:\n  no-such-action: [F5]\n")
        .start();
    assert_eq!(t.exit_code(WAIT), 2, "{}", t.dump());
    let s = t.screen_text();
    assert!(
        s.contains("config.yaml:3:") && s.contains("no-such-action"),
        "{}",
        t.dump()
    );
}

#[test]
fn quitting_with_work_that_cannot_be_saved_keeps_it_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let src = write_file(dir.path(), "a.txt", "First claim. Second claim.");
    let side = sidecar_of(&src, ANNOTATOR);
    let mut t = Term::spawn(&["a.txt"], dir.path(), 200, 12);
    wait_count(&mut t, "claim", 0);
    t.keys("sc");
    t.key(Key::Ctrl('s'));
    assert!(wait_file(&side, WAIT));
    t.keys(")sd");
    wait_count(&mut t, "denial", 1);
    let theirs = std::fs::read_to_string(&side).unwrap() + "# a colleague's edit\n";
    std::fs::write(&side, &theirs).unwrap();
    t.wait_for("changed on disk", WAIT).unwrap();
    t.key(Key::Esc); // decide later
    t.keys("q");
    let s = t.wait_for("q again quits", WAIT).unwrap();
    assert!(s.contains("your work is in"), "{}", t.dump());
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 1, "{}", t.dump());
    let screen = t.screen_text();
    let notes: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("unsaved annotations written to"))
        .collect();
    assert_eq!(
        notes.len(),
        1,
        "one recovery file, named once\n{}",
        t.dump()
    );
    // the colleague's version is untouched; ours is in the recovery file
    assert_eq!(std::fs::read_to_string(&side).unwrap(), theirs);
    let recovered: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".recovered-"))
        .collect();
    assert_eq!(recovered.len(), 1);
    let yaml = std::fs::read_to_string(recovered[0].path()).unwrap();
    assert_eq!(
        Sidecar::parse(&recovered[0].path(), &yaml)
            .unwrap()
            .annotations
            .len(),
        2
    );
}

#[test]
fn autosave_happens_during_steady_work() {
    let dir = sample_corpus();
    let side = sidecar_of(&first_article(dir.path()), ANNOTATOR);
    let mut t = Term::spawn(&["."], dir.path(), 100, 30);
    wait_count(&mut t, "claim", 0);
    // A change every 300 ms, without pause: the first must be on disk within
    // about 2 s all the same.
    let start = Instant::now();
    let mut saved_after = None;
    for _ in 0..20 {
        t.keys(")");
        t.keys("c");
        std::thread::sleep(Duration::from_millis(300));
        if side.exists() {
            saved_after = Some(start.elapsed());
            break;
        }
    }
    let after =
        saved_after.unwrap_or_else(|| panic!("nothing saved in 6 s of steady work\n{}", t.dump()));
    assert!(
        after < Duration::from_millis(3500),
        "saved only after {after:?}"
    );
    assert!(
        !read_checked(&first_article(dir.path()), ANNOTATOR)
            .annotations
            .is_empty()
    );
}

#[test]
fn no_color_cursor_on_a_leading_space_is_visible() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), " Leading space here.\n").unwrap();
    let mut t = Spawn::claimtag()
        .args(&["a.txt"])
        .cwd(dir.path())
        .size(60, 10)
        .no_color()
        .start();
    t.wait_for("1:1", WAIT).unwrap();
    let (row, col) = t.find("Leading space").unwrap();
    let cursor = t.cell_attrs(row, col - 1);
    let plain = t.cell_attrs(row, col + 1);
    assert!(
        cursor.inverse && !plain.inverse,
        "cursor {cursor:?} plain {plain:?}\n{}",
        t.dump()
    );
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0);
}
