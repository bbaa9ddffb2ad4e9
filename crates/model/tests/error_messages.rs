//! One snapshot of the message for each kind of bad input (issue 10 item 9):
//! every message is one line, starts with the file (and line:column or byte
//! offset where there is one), and holds no Rust debug output or advice
//! meant for programmers.

use std::path::{Path, PathBuf};

use claimtag_model::config::Config;
use claimtag_model::store::{Article, read_sidecar};
use claimtag_model::{Scheme, Sidecar};

fn nested(key: &str, depth: usize) -> String {
    format!("{key}: {}1{}\n", "[".repeat(depth), "]".repeat(depth))
}

fn aliases(key: &str) -> String {
    let mut y = format!("{key}:\n- &a x\n");
    for _ in 0..1100 {
        y.push_str("- *a\n");
    }
    y
}

fn many_nodes(key: &str) -> String {
    format!("{key}: [{}]\n", vec!["1"; 4_100_000].join(","))
}

/// Messages of bad YAML texts, one per line, `name => message`.
fn messages(parse: impl Fn(&Path, &str) -> Result<(), String>, cases: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (name, yaml) in cases {
        let msg = parse(Path::new("f.yaml"), yaml).expect_err(name);
        assert!(!msg.contains('\n'), "{name}: {msg}");
        for bad in ["{ ", "Option<", "from_str", "DuplicateKeyPolicy", "(used"] {
            assert!(!msg.contains(bad), "{name}: {msg}");
        }
        assert!(msg.starts_with("f.yaml:"), "{name}: {msg}");
        out.push_str(&format!("{name} => {msg}\n"));
    }
    out
}

/// Bad YAML under `key`, a key the file may have, so the parser reaches it.
fn hostile_yaml(key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("unclosed", format!("{key}: [\n")),
        ("tab indent", format!("{key}:\n\t- b\n")),
        ("two documents", format!("{key}: x\n---\n{key}: y\n")),
        ("duplicate key", format!("{key}: x\n{key}: y\n")),
        ("deep nesting", nested(key, 200)),
        ("alias bomb", aliases(key)),
        ("too many nodes", many_nodes(key)),
        ("unknown anchor", format!("{key}: *nope\n")),
        ("a scalar", "just text\n".into()),
        ("a list", "- a\n".into()),
    ]
}

#[test]
fn sidecar_messages() {
    // Keys the format does not know are kept, so the parser reads them whole:
    // there the reading limits are met.
    let mut cases: Vec<(&str, String)> = hostile_yaml("x")
        .into_iter()
        .map(|(name, y)| (name, format!("format: claimtag/1\n{y}")))
        .collect();
    cases.extend([
        ("wrong format", "format: other/9\n".to_string()),
        ("null text", "format: claimtag/1\nannotator: a\nsource: {file: a.txt, sha256: '', chars: 1}\nannotations:\n- {id: a1, label: claim, start: 0, end: 1, text: ~}\n".into()),
        ("negative start", "format: claimtag/1\nannotator: a\nsource: {file: a.txt, sha256: '', chars: 1}\nannotations:\n- {id: a1, label: claim, start: -1, end: 1, text: x}\n".into()),
    ]);
    let out = messages(
        |p, y| Sidecar::parse(p, y).map(|_| ()).map_err(|e| e.to_string()),
        &cases,
    );
    insta::assert_snapshot!(out);
}

#[test]
fn scheme_messages() {
    let mut cases = hostile_yaml("labels");
    cases.extend([
        ("no labels", "labels: []\n".to_string()),
        (
            "duplicate name",
            "labels:\n- {name: a, key: a}\n- {name: a, key: b}\n".into(),
        ),
        (
            "duplicate key",
            "labels:\n- {name: a, key: a}\n- {name: b, key: a}\n".into(),
        ),
        (
            "bad colour",
            "labels:\n- {name: a, key: a, colour: mauve-ish}\n".into(),
        ),
        (
            "bad color",
            "labels:\n- {name: a, key: a, color: '#12'}\n".into(),
        ),
        (
            "newline in name",
            "labels:\n- {name: \"a\\nb\", key: a}\n".into(),
        ),
        (
            "control in name",
            "labels:\n- {name: \"a\\u0007\", key: a}\n".into(),
        ),
        (
            "unknown relation label",
            "labels:\n- {name: a, key: a}\nrelations:\n- {name: r, from: [a], to: [b]}\n".into(),
        ),
        (
            "unknown field",
            "labels:\n- {name: a, key: a, shortcut: x}\n".into(),
        ),
        ("key too long", "labels:\n- {name: a, key: ab}\n".into()),
    ]);
    let out = messages(
        |p, y| Scheme::parse(p, y).map(|_| ()).map_err(|e| e.to_string()),
        &cases,
    );
    insta::assert_snapshot!(out);
}

#[test]
fn config_messages() {
    let mut cases = hostile_yaml("keys");
    cases.extend([
        ("bad theme", "theme: neon\n".to_string()),
        ("bad annotator", "annotator: \"a b\"\n".into()),
        ("bad colour", "colours:\n  claim: nope\n".into()),
        ("unknown key", "annotater: x\n".into()),
        ("null annotator", "annotator: ~\nthemes: x\n".into()),
    ]);
    let out = messages(
        |p, y| Config::parse(p, y).map(|_| ()).map_err(|e| e.to_string()),
        &cases,
    );
    insta::assert_snapshot!(out);
}

/// Files that are not what they seem, read through the public entry points.
#[cfg(unix)]
#[test]
fn file_messages() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let rel = |p: &Path| p.strip_prefix(root).unwrap().display().to_string();
    let src = root.join("a.txt");
    std::fs::write(&src, "text").unwrap();
    let fifo = |p: &PathBuf| {
        assert!(
            std::process::Command::new("mkfifo")
                .arg(p)
                .status()
                .unwrap()
                .success()
        );
    };
    let mut out = String::new();
    let mut line = |name: &str, msg: String| {
        let msg = msg.replace(&format!("{}/", root.display()), "");
        assert!(!msg.contains('\n'), "{msg}");
        out.push_str(&format!("{name} => {msg}\n"));
    };

    let side = root.join("a.txt.fifo.ann.yaml");
    fifo(&side);
    line("sidecar FIFO", read_sidecar(&side).unwrap_err().to_string());
    let side = root.join("a.txt.zero.ann.yaml");
    std::os::unix::fs::symlink("/dev/zero", &side).unwrap();
    line(
        "sidecar /dev/zero",
        read_sidecar(&side).unwrap_err().to_string(),
    );
    let art = Article::open(&src, "zero").unwrap();
    line("article with /dev/zero sidecar", art.read_only.unwrap());
    let side = root.join("a.txt.dir.ann.yaml");
    std::fs::create_dir(&side).unwrap();
    line(
        "sidecar directory",
        read_sidecar(&side).unwrap_err().to_string(),
    );
    let side = root.join("a.txt.bin.ann.yaml");
    std::fs::write(&side, b"format: claimtag/1\n\xff\xfe").unwrap();
    line(
        "sidecar not UTF-8",
        read_sidecar(&side).unwrap_err().to_string(),
    );

    let zero_src = root.join("z.txt");
    std::os::unix::fs::symlink("/dev/zero", &zero_src).unwrap();
    line(
        "source /dev/zero",
        Article::open(&zero_src, "a").unwrap_err().to_string(),
    );

    let cfg = root.join("config.yaml");
    fifo(&cfg);
    line(
        "config FIFO",
        Config::load(Some(&cfg)).unwrap_err().to_string(),
    );
    let cfg = root.join("config2.yaml");
    std::fs::write(&cfg, b"theme: d\xe9rk\n").unwrap();
    line(
        "config not UTF-8",
        Config::load(Some(&cfg)).unwrap_err().to_string(),
    );

    for (name, make) in [
        ("scheme FIFO", &fifo as &dyn Fn(&PathBuf)),
        ("scheme directory", &|p: &PathBuf| {
            std::fs::create_dir(p).unwrap()
        }),
        ("scheme /dev/zero", &|p: &PathBuf| {
            std::os::unix::fs::symlink("/dev/zero", p).unwrap()
        }),
        ("scheme dangling link", &|p: &PathBuf| {
            std::os::unix::fs::symlink("nowhere", p).unwrap()
        }),
    ] {
        let sub = root.join(name.replace(' ', "_").replace('/', ""));
        std::fs::create_dir(&sub).unwrap();
        make(&sub.join("claimtag.yaml"));
        line(name, Scheme::discover(&sub).unwrap_err().to_string());
        let _ = rel(&sub);
    }
    insta::assert_snapshot!(out);
}
