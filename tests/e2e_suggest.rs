//! End-to-end, in a pseudo-terminal: `claimtag suggest` on a copy of
//! sample-data, then an analyst opens an article and goes `>` `a` `>` `r`
//! `A` (confirmed), quits, and the sidecars and `--report` tell what happened.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use claimtag_model::{Document, Sidecar, store, suggest};
use common::{Key, Spawn, Term, WAIT, repo_root};

const ME: &str = common::ANNOTATOR;

fn sample_copy() -> tempfile::TempDir {
    common::copy_sample_data(|_| true)
}

fn claimtag(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(common::claimtag_bin())
        .args(args)
        .current_dir(dir)
        .env("CLAIMTAG_CONFIG", dir.join("none.yaml"))
        .env("CLAIMTAG_ANNOTATOR", ME)
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn read(source: &Path, who: &str) -> Sidecar {
    store::read_sidecar(&store::sidecar_path(source, who))
        .unwrap()
        .unwrap_or_else(|| panic!("no {who} sidecar"))
        .0
}

fn article(dir: &Path) -> PathBuf {
    dir.join("001_61df674886ad32dc.txt")
}

/// Waits for the status bar's count of suggestions left.
fn wait_left(t: &mut Term, n: usize) {
    let want = format!("{n} suggested");
    t.wait_until(|s| s.contains(&want), WAIT)
        .unwrap_or_else(|e| panic!("waiting for {want:?}: {e}"));
}

#[test]
fn accept_reject_accept_all_then_report() {
    let dir = sample_copy();
    std::fs::write(dir.path().join("none.yaml"), "").unwrap();
    let o = claimtag(dir.path(), &["suggest", ".", "--patterns", "builtin:en"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let src = article(dir.path());
    let suggest_file = store::sidecar_path(&src, "suggest");
    let suggest_bytes = std::fs::read(&suggest_file).unwrap();
    let set = read(&src, "suggest");
    let total = set.annotations.len();
    assert!(total >= 3, "{total}");

    let mut t = Spawn::claimtag()
        .args(&["001_61df674886ad32dc.txt"])
        .cwd(dir.path())
        .size(110, 30)
        .start();
    t.wait_for("001_61df674886ad32dc.txt", WAIT).unwrap();
    wait_left(&mut t, total);
    t.keys(">");
    t.wait_for("suggested", WAIT).unwrap();
    t.keys("a");
    wait_left(&mut t, total - 1);
    t.keys(">");
    t.keys("r");
    wait_left(&mut t, total - 2);
    t.keys("A");
    t.wait_for("accept all", WAIT).unwrap();
    t.keys("y");
    t.wait_until(|s| !s.contains(" suggested"), WAIT).unwrap();
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0, "{}", t.dump());

    // the suggest file and alice's and bob's are untouched
    assert_eq!(std::fs::read(&suggest_file).unwrap(), suggest_bytes);
    for who in ["alice", "bob"] {
        let p = store::sidecar_path(&src, who);
        let original = repo_root().join("sample-data").join(p.file_name().unwrap());
        assert_eq!(std::fs::read(&p).unwrap(), std::fs::read(original).unwrap());
    }
    // mine: every suggestion but the rejected one, each with from:
    let mine = read(&src, ME);
    assert_eq!(mine.annotations.len(), total - 1);
    let doc = Document::load(&src).unwrap();
    for a in &mine.annotations {
        let from = a.from.as_deref().unwrap_or("");
        assert!(from.starts_with("suggest:"), "{a:?}");
        assert_eq!(doc.slice_chars(a.start, a.end), Some(a.text.as_str()));
    }
    let rejected = suggest::rejected(&mine, "suggest");
    assert_eq!(rejected.len(), 1);
    let gone: Vec<_> = set
        .annotations
        .iter()
        .filter(|s| rejected.contains(&suggest::fingerprint(s)))
        .collect();
    assert_eq!(gone.len(), 1);
    assert!(
        !mine
            .annotations
            .iter()
            .any(|a| a.start == gone[0].start && a.end == gone[0].end)
    );

    // opened again, the rejected one does not come back
    let mut t = Spawn::claimtag()
        .args(&["001_61df674886ad32dc.txt"])
        .cwd(dir.path())
        .size(110, 30)
        .start();
    t.wait_for("001_61df674886ad32dc.txt", WAIT).unwrap();
    t.keys(">");
    t.wait_for("no suggestions left", WAIT).unwrap();
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0);

    let o = claimtag(dir.path(), &["suggest", "--report", ".", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = v["patterns"].as_array().unwrap();
    let sum = |k: &str| rows.iter().map(|r| r[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!(sum("accepted") as usize, total - 1);
    assert_eq!(sum("rejected"), 1);
    // the other articles' suggestions are all left
    let elsewhere: usize = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt") && *p != src)
        .map(|p| read(&p, "suggest").annotations.len())
        .sum();
    assert_eq!(sum("left") as usize, elsewhere);
    // the article alone, as a table: the last row adds up every pattern
    let o = claimtag(
        dir.path(),
        &["suggest", "--report", "001_61df674886ad32dc.txt"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = String::from_utf8_lossy(&o.stdout).into_owned();
    let all: Vec<&str> = table.lines().last().unwrap().split_whitespace().collect();
    // pattern, label (empty for the total), suggested, accepted, rejected, left, precision
    assert_eq!(all[0], "all", "{table}");
    let n = |i: usize| all[all.len() - 5 + i].to_string();
    assert_eq!(
        [n(0), n(1), n(2), n(3)],
        [
            total.to_string(),
            (total - 1).to_string(),
            "1".into(),
            "0".into()
        ],
        "{table}"
    );
}

#[test]
fn undo_brings_a_suggestion_back_and_ghosts_show_without_colour() {
    let dir = sample_copy();
    std::fs::write(dir.path().join("none.yaml"), "").unwrap();
    assert!(
        claimtag(dir.path(), &["suggest", ".", "--patterns", "builtin:en"])
            .status
            .success()
    );
    let set = read(&article(dir.path()), "suggest");
    let total = set.annotations.len();
    let first: String = set.annotations[0].text.chars().take(12).collect();
    let mut t = Spawn::claimtag()
        .args(&["001_61df674886ad32dc.txt"])
        .cwd(dir.path())
        .size(110, 30)
        .no_color()
        .start();
    t.wait_for("001_61df674886ad32dc.txt", WAIT).unwrap();
    wait_left(&mut t, total);
    // a ghost is drawn dim, without the underline every tag has without colour
    let (row, col) = t
        .find(&first)
        .unwrap_or_else(|| panic!("{first:?}\n{}", t.dump()));
    let attrs = t.cell_attrs(row, col + 2);
    assert!(attrs.dim && !attrs.underline, "{attrs:?}\n{}", t.dump());
    t.keys(">");
    t.wait_for("suggested", WAIT).unwrap();
    t.keys("r");
    wait_left(&mut t, total - 1);
    t.keys("u");
    wait_left(&mut t, total);
    t.keys("a");
    wait_left(&mut t, total - 1);
    t.keys("u");
    wait_left(&mut t, total);
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0, "{}", t.dump());
}

#[test]
fn enter_edits_a_suggestion_before_accepting_and_star_proposes_like() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("none.yaml"), "").unwrap();
    let src = dir.path().join("a.txt");
    std::fs::write(
        &src,
        "Ahmad said the camp moved. Mastung camp is empty.\n\nLater the Mastung camp was seen again.\n",
    )
    .unwrap();
    assert!(
        claimtag(dir.path(), &["suggest", ".", "--patterns", "builtin:en"])
            .status
            .success()
    );
    let mut t = Spawn::claimtag()
        .args(&["a.txt"])
        .cwd(dir.path())
        .size(100, 20)
        .start();
    t.wait_for("a.txt", WAIT).unwrap();
    wait_left(&mut t, 1);
    t.keys(">");
    t.press(&[Key::Enter]);
    t.wait_for("(suggestion)", WAIT).unwrap();
    // the label field first: e picks evidence; Enter saves and accepts
    t.keys("e");
    t.press(&[Key::Enter]);
    t.wait_until(|s| s.contains("evidence 1") || s.contains("e:1"), WAIT)
        .unwrap();
    // select "Mastung camp", tag it as a claim, then propose it elsewhere
    t.keys("/Mastung");
    t.press(&[Key::Enter]);
    t.keys("v");
    t.keys("lllllllllll");
    t.keys("c");
    t.wait_until(|s| s.contains("claim 1") || s.contains("c:1"), WAIT)
        .unwrap();
    t.keys("*");
    t.wait_for("proposed", WAIT).unwrap();
    wait_left(&mut t, 1);
    t.keys(">");
    t.keys("a");
    t.wait_until(|s| s.contains("claim 2") || s.contains("c:2"), WAIT)
        .unwrap();
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0, "{}", t.dump());
    let mine = read(&src, ME);
    let edited = mine
        .annotations
        .iter()
        .find(|a| a.label == "evidence")
        .unwrap();
    assert_eq!(edited.from.as_deref(), Some("suggest:said"));
    assert!(
        mine.annotations
            .iter()
            .any(|a| a.from.as_deref() == Some(&format!("suggest:like:{ME}")))
    );
}

/// A model's output is suggestions too: alice's tags exported as JSONL and
/// imported as annotator `model`, shown with `--suggest-from model` (then
/// with `suggest_from: model` in the config), accepted with `from: model`,
/// rejected by fingerprint under that set's name; the model's file untouched.
#[test]
fn a_model_s_import_is_shown_as_suggestions() {
    let dir = sample_copy();
    std::fs::write(dir.path().join("none.yaml"), "").unwrap();
    let src = article(dir.path());
    let o = claimtag(
        dir.path(),
        &[
            "--annotator",
            "alice",
            "export",
            "001_61df674886ad32dc.txt",
            "--format",
            "jsonl",
            "-o",
            "model.jsonl",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = claimtag(
        dir.path(),
        &[
            "--annotator",
            "model",
            "import",
            "--from",
            "jsonl",
            "model.jsonl",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let model_file = store::sidecar_path(&src, "model");
    let model_bytes = std::fs::read(&model_file).unwrap();
    let total = read(&src, "model").annotations.len();
    assert_eq!(total, read(&src, "alice").annotations.len());

    let mut t = Spawn::claimtag()
        .args(&["--suggest-from", "model", "001_61df674886ad32dc.txt"])
        .cwd(dir.path())
        .size(110, 30)
        .start();
    t.wait_for("001_61df674886ad32dc.txt", WAIT).unwrap();
    wait_left(&mut t, total);
    t.keys(">");
    t.wait_for("suggested", WAIT).unwrap();
    t.keys("a");
    wait_left(&mut t, total - 1);
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0, "{}", t.dump());
    let mine = read(&src, ME);
    assert_eq!(mine.annotations.len(), 1);
    assert_eq!(mine.annotations[0].from.as_deref(), Some("model"));

    // named in the config instead of on the command line
    let mut t = Spawn::claimtag()
        .args(&["001_61df674886ad32dc.txt"])
        .config("suggest_from: model\n")
        .cwd(dir.path())
        .size(110, 30)
        .start();
    t.wait_for("001_61df674886ad32dc.txt", WAIT).unwrap();
    wait_left(&mut t, total - 1);
    t.keys(">");
    t.wait_for("suggested", WAIT).unwrap();
    t.keys("r");
    wait_left(&mut t, total - 2);
    t.keys("q");
    assert_eq!(t.exit_code(WAIT), 0, "{}", t.dump());
    let mine = read(&src, ME);
    assert_eq!(suggest::rejected(&mine, "model").len(), 1);
    assert!(suggest::rejected(&mine, "suggest").is_empty());
    assert_eq!(std::fs::read(&model_file).unwrap(), model_bytes);

    // your own set cannot be the suggestions
    let o = claimtag(
        dir.path(),
        &["--suggest-from", ME, "001_61df674886ad32dc.txt"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("that is you"));
}
