//! Two annotators on two git branches of one corpus, merged by real `git`
//! with the drivers `claimtag git-setup` writes: both sides' work is kept, the
//! one real conflict (a span deleted on one branch and edited on the other)
//! is left in a sidecar that parses, `claimtag check` reports it, and once
//! settled the merge commits. `git diff` and `git log -p` speak spans.
//!
//! Needs `git` on PATH (`.ci/run` installs it). Git runs isolated from the
//! user's and the system's configuration.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use claimtag_model::merge::{self, Choice, Mark, Side};
use claimtag_model::{Annotation, Document, Sidecar, anchor};

const TEXT: &str = "Officials said the crossing reopened.\n\
Witnesses denied it.\n\
Trucks queued for hours.\n\
The ministry blamed the weather.\n";

const SIDECAR: &str = "a.txt.alice.ann.yaml";

struct Repo {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    home: PathBuf,
}

impl Repo {
    fn new() -> Repo {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("corpus");
        let home = tmp.path().join("home");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        let repo = Repo {
            _tmp: tmp,
            dir,
            home,
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", "Test Annotator"]);
        repo.git(&["config", "user.email", "test@example.org"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    fn env(&self, c: &mut Command) {
        c.current_dir(&self.dir)
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home.join(".gitconfig"))
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_PAGER", "cat")
            .env("PAGER", "cat")
            .env_remove("CLAIMTAG_CONFIG")
            .env("CLAIMTAG_ANNOTATOR", "alice")
            .env("NO_COLOR", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_EXTERNAL_DIFF");
    }

    fn run_git(&self, args: &[&str]) -> Output {
        let mut c = Command::new("git");
        c.args(args);
        self.env(&mut c);
        c.output().expect("git is installed (.ci/run installs it)")
    }

    fn git(&self, args: &[&str]) -> String {
        let o = self.run_git(args);
        assert!(o.status.success(), "git {args:?}: {}", text(&o.stderr));
        text(&o.stdout)
    }

    fn claimtag(&self, args: &[&str]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_claimtag"));
        c.args(args);
        self.env(&mut c);
        c.output().unwrap()
    }

    fn sidecar(&self) -> Sidecar {
        let path = self.dir.join(SIDECAR);
        Sidecar::parse(&path, &std::fs::read_to_string(&path).unwrap()).unwrap()
    }

    fn save(&self, s: &Sidecar) {
        std::fs::write(self.dir.join(SIDECAR), s.to_yaml()).unwrap();
    }

    /// Writes `a.txt` and alice's sidecar of it with these spans (id, label,
    /// quoted text); returns the document and the sidecar as saved.
    fn article(&self, spans: &[(&str, &str, &str)]) -> (Document, Sidecar) {
        std::fs::write(self.dir.join("a.txt"), TEXT).unwrap();
        let doc = Document::from_string(TEXT.into());
        let mut s = Sidecar::new("alice", "a.txt", doc.sha256(), doc.len_chars());
        s.updated = "2026-11-24T10:00:00Z".into();
        s.annotations = spans
            .iter()
            .map(|(id, label, quote)| span(&doc, id, label, quote))
            .collect();
        self.save(&s);
        (doc, s)
    }

    fn commit(&self, msg: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", msg]);
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn span(doc: &Document, id: &str, label: &str, quote: &str) -> Annotation {
    let at = doc.text().find(quote).unwrap();
    let mut a = anchor::new_annotation(doc, at..at + quote.len(), label, id.to_string());
    a.created = "2026-11-24T10:00:00Z".into();
    a
}

fn find<'a>(s: &'a Sidecar, id: &str) -> &'a Annotation {
    s.annotations
        .iter()
        .find(|a| a.id == id)
        .unwrap_or_else(|| panic!("no {id} in {:?}", s.annotations))
}

fn ids(s: &Sidecar) -> Vec<&str> {
    s.annotations.iter().map(|a| a.id.as_str()).collect()
}

#[test]
fn two_branches_merge_through_the_driver() {
    let repo = Repo::new();
    let (doc, base) = repo.article(&[
        ("a1", "claim", "the crossing reopened"),
        ("a2", "denial", "Witnesses denied it."),
        ("a3", "evidence", "Trucks queued for hours."),
    ]);
    repo.commit("alice starts");

    let o = repo.claimtag(&["git-setup"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let said = text(&o.stdout);
    assert!(said.contains("set merge.claimtag.driver = "), "{said}");
    assert!(
        said.contains(" merge %O %A %B --path %P (in .git/config)"),
        "{said}"
    );
    assert!(
        said.contains("added `*.ann.yaml merge=claimtag diff=claimtag`"),
        "{said}"
    );
    assert_eq!(
        std::fs::read_to_string(repo.dir.join(".gitattributes")).unwrap(),
        "*.ann.yaml merge=claimtag diff=claimtag\n"
    );
    // Running it again changes nothing and says so.
    let o = repo.claimtag(&["git-setup"]);
    assert!(
        text(&o.stdout).contains("already has"),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(
        std::fs::read_to_string(repo.dir.join(".gitattributes")).unwrap(),
        "*.ann.yaml merge=claimtag diff=claimtag\n"
    );
    repo.commit("merge and diff sidecars with claimtag");

    // Branch b: a note on a1, a new span, and an edit of a3.
    repo.git(&["checkout", "-q", "-b", "b"]);
    let mut theirs = base.clone();
    theirs.annotations[0].note = Some("via Tolo News".into());
    theirs.annotations[2].claimant = Some("the drivers' union".into());
    theirs.annotations.push(span(
        &doc,
        "bq1",
        "claim",
        "The ministry blamed the weather.",
    ));
    repo.save(&theirs);
    repo.commit("b: note, claimant, new claim");

    // main: a claimant on a2, its own new span, and a3 deleted.
    repo.git(&["checkout", "-q", "main"]);
    let mut ours = base.clone();
    ours.annotations[1].claimant = Some("Witnesses".into());
    ours.annotations.retain(|a| a.id != "a3");
    ours.annotations
        .push(span(&doc, "mq1", "evidence", "Officials said"));
    repo.save(&ours);
    repo.commit("main: claimant, evidence, drop a3");

    let merge_out = repo.run_git(&["merge", "--no-edit", "b"]);
    assert!(!merge_out.status.success(), "a conflict remains");
    let said = text(&merge_out.stdout) + &text(&merge_out.stderr);
    assert!(
        said.contains("conflict on a3: changed by theirs, deleted by ours"),
        "{said}"
    );
    assert!(
        said.contains(&format!("CONFLICT (content): Merge conflict in {SIDECAR}")),
        "{said}"
    );

    // The sidecar parses, with both sides' work and the one conflict.
    let merged = repo.sidecar();
    assert_eq!(ids(&merged), ["mq1", "a1", "a2", "a3", "bq1"]);
    assert_eq!(find(&merged, "a1").note.as_deref(), Some("via Tolo News"));
    assert_eq!(find(&merged, "a2").claimant.as_deref(), Some("Witnesses"));
    let a3 = find(&merged, "a3");
    assert_eq!(a3.claimant.as_deref(), Some("the drivers' union"));
    assert_eq!(
        Mark::of(a3),
        Some(Mark {
            side: Side::Theirs,
            id: "a3".into(),
            other_deleted: true,
            fields: vec![]
        })
    );
    assert!(
        !std::fs::read_to_string(repo.dir.join(SIDECAR))
            .unwrap()
            .contains("<<<<<<<")
    );

    // check reports it, exit 1
    let o = repo.claimtag(&["check", "."]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains(&format!(
            "{SIDECAR}:{}: unresolved merge conflict on a3: changed by theirs, deleted by ours",
            line_of(&repo.dir.join(SIDECAR), "id: a3")
        )),
        "{err}"
    );

    // git diff against our side speaks spans (the external diff command)
    let d = repo.git(&["diff", "HEAD", "--", SIDECAR]);
    assert!(
        d.contains("claimtag diff a.txt.alice.ann.yaml: 2 added, 0 removed, 1 changed"),
        "{d}"
    );
    let a3_line = d.lines().find(|l| l.contains(" a3 ")).unwrap_or_default();
    assert!(
        a3_line.starts_with("+ 3:1 ")
            && a3_line.contains("evidence")
            && a3_line.ends_with("\"Trucks queued for hours.\""),
        "{d}"
    );

    // Settled (keeping the edited a3), the merge commits and check is clean.
    let mut settled = merged.clone();
    merge::settle(&mut settled, "a3", Choice::Theirs).unwrap();
    repo.save(&settled);
    let o = repo.claimtag(&["check", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    repo.commit("merge b");

    // git log -p reads sidecars through the textconv listing
    let log = repo.git(&["log", "-p", "-n", "1", "--first-parent", "--", SIDECAR]);
    assert!(
        log.contains("+4:1 claim bq1 \"The ministry blamed the weather.\""),
        "{log}"
    );
}

#[test]
fn a_clean_merge_commits_by_itself() {
    let repo = Repo::new();
    let (doc, base) = repo.article(&[("a1", "claim", "the crossing reopened")]);
    repo.commit("start");
    let o = repo.claimtag(&["git-setup"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    repo.commit("setup");
    repo.git(&["checkout", "-q", "-b", "b"]);
    let mut theirs = base.clone();
    theirs
        .annotations
        .push(span(&doc, "b1", "denial", "Witnesses denied it."));
    repo.save(&theirs);
    repo.commit("b");
    repo.git(&["checkout", "-q", "main"]);
    let mut ours = base.clone();
    ours.annotations[0].note = Some("checked".into());
    // adjacent YAML lines changed on both sides: git's line merge would conflict
    ours.annotations
        .push(span(&doc, "m1", "evidence", "Trucks queued for hours."));
    repo.save(&ours);
    repo.commit("main");
    let o = repo.run_git(&["merge", "--no-edit", "b"]);
    assert!(o.status.success(), "{}{}", text(&o.stdout), text(&o.stderr));
    let merged = repo.sidecar();
    assert_eq!(ids(&merged), ["a1", "b1", "m1"]);
    assert_eq!(merged.annotations[0].note.as_deref(), Some("checked"));
    let o = repo.claimtag(&["check", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

/// One branch edited the article (and re-anchored with `check --fix`), the
/// other changed a label on the old offsets: the driver re-anchors the older
/// side onto the newer text it finds in git, and the merge is clean.
#[test]
fn the_older_side_is_reanchored_during_a_git_merge() {
    let repo = Repo::new();
    let (_, base) = repo.article(&[("a1", "claim", "Witnesses denied it.")]);
    repo.commit("start");
    assert_eq!(repo.claimtag(&["git-setup"]).status.code(), Some(0));
    repo.commit("setup");
    repo.git(&["checkout", "-q", "-b", "b"]);
    std::fs::write(repo.dir.join("a.txt"), format!("Intro.\n{TEXT}")).unwrap();
    let o = repo.claimtag(&["check", "--fix", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    repo.commit("b: the article edited, spans re-anchored");
    repo.git(&["checkout", "-q", "main"]);
    let mut ours = base.clone();
    ours.annotations[0].label = "denial".into();
    repo.save(&ours);
    repo.commit("main: label");
    let o = repo.run_git(&["merge", "--no-edit", "b"]);
    let said = text(&o.stdout) + &text(&o.stderr);
    assert!(o.status.success(), "{said}");
    assert!(said.contains("the older side's (ours) spans re-anchored onto the newer one (0 in place, 1 moved, 0 orphaned)"), "{said}");
    let merged = repo.sidecar();
    let a = &merged.annotations[0];
    assert_eq!(
        (a.label.as_str(), a.start, a.text.as_str()),
        ("denial", 45, "Witnesses denied it.")
    );
    let o = repo.claimtag(&["check", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

/// A conflict left by `git merge` (a span edited on one branch, deleted on
/// the other) is settled in the annotating screen: the status bar counts it,
/// `C` lists it, `t` keeps theirs; after `q` (which saves), `claimtag check`
/// exits 0 and the merge commits.
#[test]
fn a_conflict_left_by_git_merge_is_settled_in_the_tui() {
    let repo = Repo::new();
    let (_, base) = repo.article(&[
        ("a1", "claim", "the crossing reopened"),
        ("a3", "evidence", "Trucks queued for hours."),
    ]);
    repo.commit("start");
    assert_eq!(repo.claimtag(&["git-setup"]).status.code(), Some(0));
    repo.commit("setup");
    repo.git(&["checkout", "-q", "-b", "b"]);
    let mut theirs = base.clone();
    theirs.annotations[1].claimant = Some("the drivers' union".into());
    repo.save(&theirs);
    repo.commit("b: claimant on a3");
    repo.git(&["checkout", "-q", "main"]);
    let mut ours = base.clone();
    ours.annotations.retain(|a| a.id != "a3");
    repo.save(&ours);
    repo.commit("main: a3 deleted");
    assert!(!repo.run_git(&["merge", "--no-edit", "b"]).status.success());
    assert_eq!(repo.claimtag(&["check", "."]).status.code(), Some(1));

    let mut t = common::Spawn::claimtag()
        .args(&["a.txt"])
        .cwd(&repo.dir)
        .env("CLAIMTAG_ANNOTATOR", "alice")
        .size(110, 30)
        .start();
    t.wait_for("1 merge conflict(s) (C lists)", common::WAIT)
        .unwrap();
    t.keys("C");
    t.wait_for("Merge conflicts (1)", common::WAIT).unwrap();
    t.wait_for("evidence: theirs edited it, yours deleted it", common::WAIT)
        .unwrap();
    t.keys("t");
    t.wait_for("no conflicts left", common::WAIT).unwrap();
    t.keys("q");
    assert_eq!(t.exit_code(common::WAIT), 0, "{}", t.dump());

    let settled = repo.sidecar();
    assert_eq!(ids(&settled), ["a1", "a3"]);
    assert_eq!(
        find(&settled, "a3").claimant.as_deref(),
        Some("the drivers' union")
    );
    assert_eq!(merge::mark::count_open(&settled), 0);
    let o = repo.claimtag(&["check", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    repo.commit("merge b");
}

/// `claimtag log ARTICLE`: for each commit touching the article's sidecars
/// (any annotator), newest first: commit, author, date, subject and the
/// spans added, removed and changed; commits touching other files are left
/// out. `--json` gives the same as data.
#[test]
fn log_shows_the_history_of_an_articles_annotations() {
    let repo = Repo::new();
    let (doc, first) = repo.article(&[
        ("a1", "claim", "the crossing reopened"),
        ("a2", "denial", "Witnesses denied it."),
    ]);
    std::fs::write(repo.dir.join("b.txt"), "Another article.\n").unwrap();
    repo.commit("alice starts");
    let mut bob = Sidecar::new("bob", "a.txt", doc.sha256(), doc.len_chars());
    bob.annotations = vec![span(&doc, "b1", "evidence", "Trucks queued for hours.")];
    std::fs::write(repo.dir.join("a.txt.bob.ann.yaml"), bob.to_yaml()).unwrap();
    repo.commit("bob's tags");
    std::fs::write(repo.dir.join("b.txt"), "Another article, edited.\n").unwrap();
    repo.commit("b edited");
    let mut second = first.clone();
    second.annotations[0].note = Some("via Tolo News".into());
    second.annotations.retain(|a| a.id != "a2");
    second.annotations.push(span(
        &doc,
        "a3",
        "claim",
        "The ministry blamed the weather.",
    ));
    repo.save(&second);
    repo.commit("alice: note, a2 dropped, a3");

    let o = repo.claimtag(&["log", "a.txt"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let heads: Vec<&str> = out.lines().filter(|l| l.starts_with("commit ")).collect();
    assert_eq!(heads.len(), 3, "{out}");
    assert!(
        out.contains("Author: Test Annotator <test@example.org>"),
        "{out}"
    );
    assert!(!out.contains("b edited"), "{out}");
    let newest = out.split("\ncommit ").next().unwrap();
    assert!(newest.contains("    alice: note, a2 dropped, a3"), "{out}");
    assert!(
        newest.contains("a.txt.alice.ann.yaml: 1 added, 1 removed, 1 changed"),
        "{out}"
    );
    let row = |kind: &str, id: &str| {
        newest
            .lines()
            .find(|l| l.trim_start().starts_with(kind) && l.contains(&format!(" {id} ")))
            .unwrap_or_else(|| panic!("no {kind} {id} in {out}"))
            .to_string()
    };
    assert!(row("+", "a3").contains("4:1") && row("+", "a3").contains("claim"));
    assert!(row("-", "a2").contains("2:1") && row("-", "a2").contains("denial"));
    assert!(row("~", "a1").contains("1:16"));
    assert!(
        newest.contains("note: (none) -> \"via Tolo News\""),
        "{out}"
    );
    assert!(
        out.contains("a.txt.bob.ann.yaml (added): 1 added, 0 removed, 0 changed"),
        "{out}"
    );
    assert!(
        out.contains("a.txt.alice.ann.yaml (added): 2 added, 0 removed, 0 changed"),
        "{out}"
    );

    let o = repo.claimtag(&["log", "--json", "a.txt"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(!out.contains("file annotator"), "{out}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let commits = v["commits"].as_array().unwrap();
    assert_eq!(commits.len(), 3);
    let c = &commits[0];
    assert_eq!(c["commit"].as_str().unwrap().len(), 40);
    assert_eq!(c["author"], "Test Annotator");
    assert_eq!(c["subject"], "alice: note, a2 dropped, a3");
    assert!(c["date"].as_str().unwrap().starts_with("20"));
    let sc = &c["sidecars"][0];
    assert_eq!(sc["path"], "a.txt.alice.ann.yaml");
    assert_eq!(sc["annotator"], "alice");
    assert_eq!(sc["added"][0]["id"], "a3");
    assert_eq!(sc["removed"][0]["id"], "a2");
    assert_eq!(sc["changed"][0]["id"], "a1");
    assert_eq!(commits[2]["subject"], "alice starts");
}

/// Outside a git repository, or without git, `log` says so (exit 2).
#[test]
fn log_needs_git_and_a_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("plain");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.txt"), TEXT).unwrap();
    let run = |path: Option<&Path>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_claimtag"));
        c.args(["log", "a.txt"])
            .current_dir(&dir)
            .env("HOME", tmp.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CEILING_DIRECTORIES", tmp.path())
            .env_remove("GIT_DIR")
            .env_remove("CLAIMTAG_CONFIG");
        if let Some(p) = path {
            c.env("PATH", p);
        }
        c.output().unwrap()
    };
    let o = run(None);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.starts_with("claimtag: log: ") && err.contains("is not in a git repository"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let empty = tmp.path().join("no-programs");
    std::fs::create_dir_all(&empty).unwrap();
    let o = run(Some(&empty));
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.starts_with("claimtag: log: cannot run git"), "{err}");
}

fn line_of(path: &Path, needle: &str) -> usize {
    let yaml = std::fs::read_to_string(path).unwrap();
    yaml.lines().position(|l| l.contains(needle)).unwrap() + 1
}
