//! Files that are not what they seem (issue 10, item 8): FIFOs, `/dev/zero`
//! behind a symbolic link (git can commit one), directories and sparse giants
//! in place of a sidecar, source, scheme, config or import input, run against
//! every command. Each run must end within a time bound, never panic, and a
//! refusal must be an error naming the file. The table of results is printed.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Spawn, claimtag_bin, repo_root};

/// Generous for a shared CI machine; the runs take well under a second.
const BOUND: Duration = Duration::from_secs(15);

const ARTICLE: &str = "001_61df674886ad32dc.txt";
const OTHER: &str = "002_2d7fb5fae1a788c8.txt";

#[derive(Clone, Copy, Debug)]
enum Make {
    Fifo,
    DevZero,
    Dir,
    /// A sparse file of this many bytes.
    Sparse(u64),
}

fn make(path: &Path, how: Make) {
    let _ = std::fs::remove_file(path);
    match how {
        Make::Fifo => assert!(Command::new("mkfifo").arg(path).status().unwrap().success()),
        Make::DevZero => std::os::unix::fs::symlink("/dev/zero", path).unwrap(),
        Make::Dir => std::fs::create_dir(path).unwrap(),
        Make::Sparse(len) => std::fs::File::create(path).unwrap().set_len(len).unwrap(),
    }
}

/// Where the hostile file goes.
#[derive(Clone, Copy, Debug)]
enum Place {
    Sidecar,
    Source,
    Scheme,
    Config,
    ImportInput,
}

struct Setup {
    _dir: tempfile::TempDir,
    corpus: PathBuf,
    config: PathBuf,
    import_input: PathBuf,
    home: PathBuf,
    /// The file made hostile, to look for in error messages.
    hostile: String,
}

fn setup(place: Place, how: Make) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    for name in [ARTICLE, OTHER] {
        for suffix in ["", ".alice.ann.yaml", ".bob.ann.yaml"] {
            let f = format!("{name}{suffix}");
            std::fs::copy(repo_root().join("sample-data").join(&f), corpus.join(&f)).unwrap();
        }
    }
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let config = dir.path().join("config.yaml");
    std::fs::write(&config, "").unwrap();
    let import_input = dir.path().join("in.jsonl");
    std::fs::write(&import_input, "").unwrap();
    let target = match place {
        Place::Sidecar => corpus.join(format!("{ARTICLE}.alice.ann.yaml")),
        Place::Source => corpus.join("003_hostile.txt"),
        Place::Scheme => corpus.join("claimtag.yaml"),
        Place::Config => config.clone(),
        Place::ImportInput => import_input.clone(),
    };
    if matches!(place, Place::Config | Place::ImportInput) && matches!(how, Make::Dir) {
        std::fs::remove_file(&target).unwrap();
    }
    make(&target, how);
    Setup {
        hostile: target.file_name().unwrap().to_string_lossy().into_owned(),
        _dir: dir,
        corpus,
        config,
        import_input,
        home,
    }
}

struct Outcome {
    finished: bool,
    secs: f64,
    code: Option<i32>,
    stderr: String,
}

fn run(s: &Setup, args: &[&str]) -> Outcome {
    let start = Instant::now();
    let mut child = Command::new(claimtag_bin())
        .args(args)
        .current_dir(&s.corpus)
        .env("HOME", &s.home)
        .env("XDG_CONFIG_HOME", s.home.join(".config"))
        .env("XDG_STATE_HOME", s.home.join(".state"))
        .env("CLAIMTAG_CONFIG", &s.config)
        .env("CLAIMTAG_ANNOTATOR", "alice")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = (&mut err).take(1 << 20).read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    });
    let mut code = None;
    let finished = loop {
        if let Some(status) = child.try_wait().unwrap() {
            code = status.code();
            break true;
        }
        if start.elapsed() > BOUND {
            let _ = child.kill();
            let _ = child.wait();
            break false;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let secs = start.elapsed().as_secs_f64();
    Outcome {
        finished,
        secs,
        code,
        stderr: reader.join().unwrap(),
    }
}

/// The annotating screen in a pseudo-terminal: it must show something and
/// quit on `q` (or refuse to start with an error) within the bound.
fn run_annotate(s: &Setup) -> Outcome {
    let start = Instant::now();
    // The hostile config itself is passed as it is (reading it here would
    // hang on a FIFO); a regular one is empty.
    let spawn = Spawn::claimtag()
        .args(&[s.corpus.to_str().unwrap()])
        .cwd(&s.corpus)
        .size(100, 30)
        .env("CLAIMTAG_CONFIG", s.config.to_str().unwrap());
    let mut t = spawn.start();
    // The corpus list or the article, or an error and the end.
    let shown = t.wait_until(
        |text| text.contains("001_") || text.contains("claimtag:"),
        BOUND,
    );
    if shown.is_ok() && t.wait_exit(Duration::from_millis(200)).is_none() {
        t.keys("q");
    }
    let status = t.wait_exit(BOUND);
    Outcome {
        finished: status.is_some(),
        secs: start.elapsed().as_secs_f64(),
        code: status.map(|s| s.exit_code() as i32),
        stderr: t.raw_output(),
    }
}

#[test]
fn hostile_files_against_every_command_end_in_time_without_panics() {
    let kinds: &[(Place, Make)] = &[
        (Place::Sidecar, Make::Fifo),
        (Place::Sidecar, Make::DevZero),
        (Place::Sidecar, Make::Dir),
        (Place::Sidecar, Make::Sparse(100 << 20)),
        (Place::Source, Make::Fifo),
        (Place::Source, Make::DevZero),
        (Place::Scheme, Make::Fifo),
        (Place::Scheme, Make::DevZero),
        (Place::Scheme, Make::Dir),
        (Place::Scheme, Make::Sparse(3 << 30)),
        (Place::Config, Make::Fifo),
        (Place::Config, Make::DevZero),
        (Place::Config, Make::Dir),
        (Place::Config, Make::Sparse(3 << 30)),
        (Place::ImportInput, Make::Fifo),
        (Place::ImportInput, Make::DevZero),
    ];
    let mut table = String::from("place    kind           command  secs  exit  message\n");
    let mut failures = Vec::new();
    let mut slowest = 0f64;
    for &(place, how) in kinds {
        let commands: &[&str] = &["check", "agree", "export", "import", "annotate"];
        for &command in commands {
            let s = setup(place, how);
            let input = s.import_input.to_str().unwrap().to_string();
            let o = match command {
                "check" => run(&s, &["check", "."]),
                "agree" => run(&s, &["agree", "."]),
                "export" => run(&s, &["export", "--format", "jsonl", "."]),
                "import" => run(
                    &s,
                    &["import", "--from", "jsonl", "--annotator", "carol", &input],
                ),
                _ => run_annotate(&s),
            };
            slowest = slowest.max(o.secs);
            let message = o
                .stderr
                .lines()
                .find(|l| l.contains("claimtag") || l.contains(&s.hostile))
                .unwrap_or("")
                .chars()
                .take(90)
                .collect::<String>();
            table.push_str(&format!(
                "{:<8} {:<14} {command:<8} {:>4.2} {:>5} {message}\n",
                format!("{place:?}"),
                format!("{how:?}"),
                o.secs,
                o.code.map_or("-".into(), |c| c.to_string()),
            ));
            let what = format!("{place:?} {how:?} {command}");
            if !o.finished {
                failures.push(format!("{what}: still running after {BOUND:?}"));
            }
            if o.stderr.contains("panicked") {
                failures.push(format!("{what}: panicked: {}", o.stderr));
            }
            // A refused scheme, config or import input is named.
            // (import with no records has no use for the scheme).
            let must_name = matches!(place, Place::Config)
                || (matches!(place, Place::Scheme) && command != "import")
                || (matches!(place, Place::ImportInput) && command == "import");
            if must_name && (o.code == Some(0) || !o.stderr.contains(&s.hostile)) {
                failures.push(format!(
                    "{what}: exit {:?} without naming {}: {}",
                    o.code, s.hostile, o.stderr
                ));
            }
        }
    }
    println!("{table}slowest run: {slowest:.2} s");
    assert!(failures.is_empty(), "{}\n{table}", failures.join("\n"));
}
