//! Smoke tests of the command line without a terminal (plain pipes), and checks
//! that the awkward-text fixtures are what the end-to-end tests take them for.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use claimtag_model::Document;
use common::{awkward, claimtag_bin, stderr, stdout, write_file};

/// Runs claimtag in `dir` with a clean environment: an empty config file,
/// HOME in `dir`, a fixed annotator, no colour preference.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    common::claimtag_isolated(dir)
        .args(args)
        .current_dir(dir)
        .env("CLAIMTAG_ANNOTATOR", common::ANNOTATOR)
        .output()
        .expect("run claimtag")
}

#[test]
fn version_names_the_program() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o).trim(),
        format!("claimtag {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn every_command_has_help_with_its_flags() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &[&str])] = &[
        ("annotate", &["PATHS"]),
        ("review", &["--theirs", "--into"]),
        ("agree", &["--annotators", "--json", "--min"]),
        (
            "export",
            &[
                "--format",
                "--offsets",
                "--output",
                "jsonl",
                "doccano",
                "brat",
                "conll",
                "csv",
            ],
        ),
        ("import", &["--from", "--corpus", "--annotator"]),
        ("check", &["--fix", "--config"]),
    ];
    for (command, flags) in cases {
        let o = run_in(dir.path(), &[command, "--help"]);
        assert_eq!(o.status.code(), Some(0), "{command} --help: {}", stderr(&o));
        let help = stdout(&o);
        assert!(help.contains("Usage: claimtag"), "{command}: {help}");
        for flag in *flags {
            assert!(
                help.contains(flag),
                "{command} --help lacks {flag}:\n{help}"
            );
        }
    }
    let top = stdout(&run_in(dir.path(), &["--help"]));
    for command in ["annotate", "review", "agree", "export", "import", "check"] {
        assert!(top.contains(command), "--help lacks {command}:\n{top}");
    }
}

#[test]
fn bad_usage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--no-such-flag"][..],
        &["export", "."][..],                        // --format missing
        &["export", ".", "--format", "xml"][..],     // unknown format
        &["review", "."][..],                        // --theirs missing
        &["agree"][..],                              // no PATH
        &["import", "x.jsonl", "--from", "csv"][..], // unknown import format
    ] {
        let o = run_in(dir.path(), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).is_empty(), "{args:?} printed no error");
    }
}

#[test]
fn bad_config_is_one_line_naming_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write_file(dir.path(), "bad.yaml", "annotator: alice\ntheme: neon\n");
    let bad_arg = bad.to_str().unwrap();
    for args in [
        vec!["--config", bad_arg, "check", "."],
        vec!["check", ".", "--config", bad_arg],
    ] {
        let o = run_in(dir.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with(&format!("claimtag: {}:2:", bad.display())),
            "{err}"
        );
        assert!(err.contains("theme"), "{err}");
    }
    // The same through CLAIMTAG_CONFIG.
    let o = Command::new(claimtag_bin())
        .args(["check", "."])
        .current_dir(dir.path())
        .env("CLAIMTAG_CONFIG", &bad)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.yaml:2:"), "{}", stderr(&o));
}

#[test]
fn missing_config_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["--config", "nowhere.yaml", "check", "."]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.starts_with("claimtag: nowhere.yaml: "), "{err}");
}

// ---- the awkward fixtures (tests/fixtures/awkward, made by make_awkward.py) ----

fn load(name: &str) -> Document {
    Document::load(&awkward(name)).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn fixture_latin1_is_rejected_with_its_byte_offset() {
    let err = Document::load(&awkward("latin1.txt"))
        .unwrap_err()
        .to_string();
    // "Peshawar, 4 March 2024.\nThe caf" is 31 bytes; 0xE9 follows.
    assert!(err.contains("latin1.txt"), "{err}");
    assert!(err.contains("byte offset 31"), "{err}");
    let bytes = std::fs::read(awkward("latin1.txt")).unwrap();
    assert_eq!(bytes[31], 0xe9);
}

#[test]
fn fixture_code_point_counts_match_python() {
    // len(open(p, encoding="utf-8-sig", newline="").read()) for each file.
    for (name, chars) in [
        ("bom.txt", 226),
        ("cjk.txt", 229),
        ("combining.txt", 293),
        ("crlf.txt", 436),
        ("emoji.txt", 352),
        ("empty.txt", 0),
        ("longline.txt", 20_001),
        ("mixed.md", 702),
        ("rtl.txt", 628),
        ("tabs.txt", 333),
    ] {
        assert_eq!(load(name).len_chars(), chars, "{name}");
    }
}

#[test]
fn fixtures_hold_what_their_names_say() {
    let bom = load("bom.txt");
    assert!(bom.had_bom());
    assert!(bom.text().starts_with("Islamabad"));
    assert!(
        std::fs::read(awkward("bom.txt"))
            .unwrap()
            .starts_with(b"\xef\xbb\xbf")
    );

    let crlf = load("crlf.txt");
    assert_eq!(crlf.text().matches("\r\n").count(), 9);
    assert_eq!(crlf.text().matches('\n').count(), 9, "a bare LF slipped in");
    assert!(crlf.text().contains("\r\n\r\n"), "paragraphs are separated");

    assert!(load("empty.txt").is_empty());

    let long = load("longline.txt");
    assert_eq!(long.line(0).trim_end().chars().count(), 20_000);
    assert!(long.line(0).contains("Balochistan"));

    let emoji = load("emoji.txt");
    let family = "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}";
    assert!(emoji.text().starts_with(family));
    // The whole family is one grapheme.
    assert_eq!(emoji.next_grapheme(0), family.len());
    for flag in ["🇦🇫", "🇵🇰", "🇺🇸"] {
        assert!(emoji.text().contains(flag), "{flag}");
    }
    assert!(emoji.text().contains("👍🏽"));

    let comb = load("combining.txt");
    let at = comb.text().find("cafe\u{301}").unwrap() + 3;
    assert_eq!(comb.next_grapheme(at), at + "e\u{301}".len());
    assert!(comb.text().contains('\u{94d}'), "a Devanagari virama");
    assert!(
        comb.text().contains("o\u{323}\u{302}"),
        "decomposed Vietnamese ộ"
    );

    let rtl = load("rtl.txt");
    let arabic_script = rtl
        .text()
        .chars()
        .filter(|c| ('\u{600}'..='\u{6ff}').contains(c))
        .count();
    assert!(arabic_script > 150, "{arabic_script}");
    assert!(rtl.text().contains('\u{200c}'), "ZWNJ in Dari");
    assert!(rtl.text().contains("2024"));

    let cjk = load("cjk.txt");
    assert!(cjk.text().contains("塔利班") && cjk.text().contains("タリバン"));

    let tabs = load("tabs.txt");
    assert!(
        tabs.text()
            .lines()
            .all(|l| l.is_empty() || l.contains('\t'))
    );

    let md = load("mixed.md");
    assert!(md.text().starts_with("# "));
    assert!(md.text().contains("| --- |") && md.text().contains("```"));
}

// ---- README examples stay valid ----

/// The ```yaml blocks of README.md, in order.
fn readme_yaml_blocks() -> Vec<String> {
    let readme = std::fs::read_to_string(common::repo_root().join("README.md")).unwrap();
    readme
        .split("```yaml\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap().to_string())
        .collect()
}

#[test]
fn readme_examples_parse() {
    let blocks = readme_yaml_blocks();
    assert_eq!(
        blocks.len(),
        7,
        "sidecar, config, scheme, guidelines, scheme direction and sentences (issue 13), \
         scheme with pattern files (issue 16)"
    );
    let guidelines = claimtag_model::Scheme::parse(Path::new("claimtag.yaml"), &blocks[3])
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(guidelines.labels.iter().any(|l| !l.guideline.is_empty()));
    // the right-to-left section's scheme keys parse as part of a scheme
    for block in &blocks[4..6] {
        let yaml = format!("labels:\n- {{name: x, key: c}}\n{block}");
        claimtag_model::Scheme::parse(Path::new("claimtag.yaml"), &yaml)
            .unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    }
    let sidecar = claimtag_model::Sidecar::parse(Path::new("README.md"), &blocks[0])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sidecar.annotations[0].links[0].rel, "denies");
    assert_eq!(sidecar.next_id, 2);
    assert_eq!(sidecar.status, Some(claimtag_model::Status::Done));
    let config = claimtag_model::config::Config::parse(Path::new("README.md"), &blocks[1])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.theme.as_deref(), Some("dark"));
    assert_eq!(config.colours.len(), 2);
    let scheme = claimtag_model::Scheme::parse(Path::new("claimtag.yaml"), &blocks[2])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(scheme.labels.len(), 4);
    assert_eq!(scheme.relations_between("claim", "source").count(), 1);
    // Suggestions: the blocks are indented in a list item there.
    let dedented: String = blocks[6]
        .lines()
        .map(|l| l.strip_prefix("  ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    let with_patterns = claimtag_model::Scheme::parse(Path::new("claimtag.yaml"), &dedented)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        with_patterns.patterns.get("fa").map(String::as_str),
        Some("patterns/dari.jsonl")
    );
    // The default scheme is what the README says it is.
    let default = claimtag_model::Scheme::default();
    for (label, key) in [("claim", 'c'), ("denial", 'd'), ("evidence", 'e')] {
        assert_eq!(default.label(label).map(|l| l.key), Some(key));
    }
}

#[test]
fn generated_article_has_a_long_paragraph_and_awkward_text() {
    let (text, long) = common::news_article(5 * 1024 * 1024, true);
    assert!(text.len() >= 5 * 1024 * 1024);
    let long = long.expect("a long paragraph");
    assert!(long.len() >= common::LONG_PARAGRAPH_BYTES);
    assert!(!text[long.clone()].contains('\n'));
    assert!(text[..long.start].ends_with("\n\n") && text[long.end..].starts_with("\n\n"));
    assert!(text.contains("👨‍👩‍👧") && text.contains("داعش"));
    // Deterministic, so benchmarks and tests see the same text every run.
    assert_eq!(
        common::news_article(100_000, false),
        common::news_article(100_000, false)
    );
}
