//! `claimtag agree` run as a program on a small corpus in a temporary folder.

mod common;

use std::path::Path;

use claimtag_model::{Document, Sidecar, anchor, store};
use common::{stderr, stdout};

/// The binary, isolated from the developer's config and environment.
fn claimtag(args: &[&str]) -> std::process::Output {
    common::run_isolated(args)
}

/// Writes `who`'s sidecar for `source`: spans as (label, start, end) in code points.
fn annotate(source: &Path, who: &str, spans: &[(&str, usize, usize)]) {
    let doc = Document::load(source).unwrap();
    let name = source.file_name().unwrap().to_str().unwrap();
    let mut sc = Sidecar::new(who, name, doc.sha256(), doc.len_chars());
    for &(label, s, e) in spans {
        let id = sc.fresh_id();
        let bytes = doc.char_to_byte(s)..doc.char_to_byte(e);
        sc.annotations
            .push(anchor::new_annotation(&doc, bytes, label, id));
    }
    store::save_sidecar(&store::sidecar_path(source, who), &sc, None).unwrap();
}

/// a.txt: 16 units. alice claims "aaaa bbbb", bob "bbbb cccc"; both deny "dddd";
/// nobody uses evidence. b.txt (with a BOM and an emoji) only alice annotated.
fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    std::fs::write(&a, "aaaa bbbb cccc dddd").unwrap();
    annotate(&a, "alice", &[("claim", 0, 9), ("denial", 15, 19)]);
    annotate(&a, "bob", &[("claim", 5, 14), ("denial", 15, 19)]);
    let b = dir.path().join("b.txt");
    std::fs::write(&b, "\u{feff}😀 said so.").unwrap();
    annotate(&b, "alice", &[("claim", 0, 10)]);
    dir
}

#[test]
fn table_shows_labels_metrics_counts_and_reasons() {
    let dir = corpus();
    let out = claimtag(&["agree", dir.path().to_str().unwrap()]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
    assert!(
        text.contains("Compared 2 annotators (alice, bob) over 1 article(s)."),
        "{text}"
    );
    assert!(
        text.contains("Units: 16 non-whitespace code points"),
        "{text}"
    );
    let row = |label: &str| {
        text.lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no {label} row in\n{text}"))
            .split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    // label kappa alpha_c alpha_u f1-exact f1-overlap alice bob
    let claim = row("claim");
    assert_eq!(claim[..3], ["claim", "0.000", "0.031"], "{text}");
    assert_eq!(claim[4..], ["0.000", "1.000", "1", "1"], "{text}");
    assert_eq!(
        row("denial"),
        [
            "denial", "1.000", "1.000", "1.000", "1.000", "1.000", "1", "1"
        ]
    );
    assert_eq!(
        row("evidence"),
        ["evidence", "n/a", "n/a", "n/a", "n/a", "n/a", "0", "0"]
    );
    assert!(text.contains("evidence: nobody used this label"), "{text}");
    assert!(
        text.contains("evidence: kappa n/a: every unit has the same value"),
        "{text}"
    );
    // the article only alice did is named on stdout, with the reason
    assert!(
        text.contains("Left out (1):\n- ")
            && text.contains("b.txt: skipped: no sidecar from bob (only alice)"),
        "{text}"
    );
}

#[test]
fn json_has_the_required_fields_and_nulls() {
    let dir = corpus();
    let out = claimtag(&["agree", dir.path().to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["annotators"], serde_json::json!(["alice", "bob"]));
    assert_eq!(v["documents"], 1);
    assert_eq!(v["kappa_kind"], "cohen");
    let claim = &v["labels"]["claim"];
    assert_eq!(claim["kappa"].as_f64(), Some(0.0));
    // alpha = 1 - (n-1)·D_o/D_e = (256 - 31·8) / 256
    assert!((claim["alpha_coding"].as_f64().unwrap() - 8.0 / 256.0).abs() < 1e-12);
    assert!(claim["alpha_u"].as_f64().unwrap() < 1.0);
    assert!(claim.get("alpha").is_none(), "the old name is gone");
    assert_eq!(v["graphemes"], 19);
    assert_eq!(v["done_only"], false);
    let left = v["left_out"].as_array().unwrap();
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(
        left[0]
            .as_str()
            .unwrap()
            .contains("b.txt: skipped: no sidecar from bob")
    );
    assert_eq!(claim["f1_exact"].as_f64(), Some(0.0));
    assert_eq!(claim["f1_overlap"].as_f64(), Some(1.0));
    assert_eq!(claim["units"], 16);
    assert_eq!(claim["spans"], serde_json::json!({"alice": 1, "bob": 1}));
    let evidence = &v["labels"]["evidence"];
    for k in ["kappa", "alpha_coding", "alpha_u", "f1_exact", "f1_overlap"] {
        assert!(evidence[k].is_null(), "{k}: {}", evidence[k]);
    }
    assert!(!evidence["notes"].as_array().unwrap().is_empty());
}

#[test]
fn min_sets_the_exit_code() {
    let dir = corpus();
    let p = dir.path().to_str().unwrap();
    // claim's alpha is 0.031 and evidence's is undefined: both fail.
    let out = claimtag(&["agree", p, "--min", "0.6"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("claim: alpha 0.031 is below --min 0.6"),
        "{err}"
    );
    assert!(err.contains("evidence: alpha is undefined"), "{err}");
    // Without the unused label (a scheme with claim and denial only), 0.01 passes.
    std::fs::write(
        dir.path().join("claimtag.yaml"),
        "labels:\n- {name: claim, key: c, colour: yellow}\n- {name: denial, key: d, colour: red}\n",
    )
    .unwrap();
    let out = claimtag(&["agree", p, "--min", "0.01"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = claimtag(&["agree", p, "--min", "0.5"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn more_than_two_annotators_say_the_kappa_is_a_mean() {
    let dir = corpus();
    let a = dir.path().join("a.txt");
    annotate(&a, "carol", &[("claim", 0, 9), ("denial", 15, 19)]);
    let out = claimtag(&["agree", dir.path().to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kappa_kind"], "mean_pairwise_cohen");
    // pairs: alice/bob 0, alice/carol 1, bob/carol 0 → mean 1/3
    let k = v["labels"]["claim"]["kappa"].as_f64().unwrap();
    assert!((k - 1.0 / 3.0).abs() < 1e-12, "{k}");
    assert_eq!(v["labels"]["claim"]["pairs"].as_array().unwrap().len(), 3);
    let table = stdout(&claimtag(&["agree", dir.path().to_str().unwrap()]));
    assert!(
        table.contains("MEAN of Cohen's kappa over the 3 annotator pairs"),
        "{table}"
    );
}

#[test]
fn bad_input_is_reported_not_panicked_on() {
    let dir = corpus();
    let p = dir.path().to_str().unwrap();
    // one annotator named
    let out = claimtag(&["agree", p, "--annotators", "alice"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("at least two annotators"),
        "{}",
        stderr(&out)
    );
    // unknown annotator
    let out = claimtag(&["agree", p, "--annotators", "alice,zoe"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("zoe has no sidecar"),
        "{}",
        stderr(&out)
    );
    // a stale sidecar is reported and excluded; then no article is left
    std::fs::write(dir.path().join("a.txt"), "aaaa bbbb cccc dddd!").unwrap();
    let out = claimtag(&["agree", p]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("a.txt.alice.ann.yaml: stale"), "{err}");
    assert!(
        err.contains("no article has a usable sidecar from every one of alice, bob"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // a missing path
    let out = claimtag(&["agree", "/nonexistent/claimtag-corpus"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn empty_text_gives_nulls_not_nan() {
    let dir = tempfile::tempdir().unwrap();
    let e = dir.path().join("empty.txt");
    std::fs::write(&e, "").unwrap();
    annotate(&e, "alice", &[]);
    annotate(&e, "bob", &[]);
    let out = claimtag(&["agree", dir.path().to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains("NaN"), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(v["labels"]["claim"]["kappa"].is_null());
    assert!(v["labels"]["claim"]["alpha_coding"].is_null());
    assert!(v["labels"]["claim"]["alpha_u"].is_null());
    assert!(
        stderr(&out).contains("empty.txt: the text has no units"),
        "{}",
        stderr(&out)
    );
}

/// Sets `status:` in a sidecar written by `annotate`.
fn set_status(source: &Path, who: &str, status: &str) {
    let path = store::sidecar_path(source, who);
    let (mut sc, stamp) = store::read_sidecar(&path).unwrap().unwrap();
    sc.status = claimtag_model::Status::parse(status);
    store::save_sidecar(&path, &sc, Some(&stamp)).unwrap();
}

#[test]
fn one_claim_over_two_sentences_against_two_claims_only_alpha_u_sees() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    // Two sentences; the units of coding alpha skip the space between them.
    std::fs::write(&a, "Kabul fell today. Nobody resisted at all.").unwrap();
    annotate(&a, "alice", &[("claim", 0, 41)]);
    annotate(&a, "bob", &[("claim", 0, 17), ("claim", 18, 41)]);
    let out = claimtag(&["agree", dir.path().to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let claim = &v["labels"]["claim"];
    // Every non-whitespace character is inside a claim for both: the coding
    // measures cannot tell, but no other value occurs, so they are undefined
    // or 1; overlap F1 is 1.
    assert_eq!(claim["f1_overlap"].as_f64(), Some(1.0));
    assert!(claim["alpha_coding"].is_null() || claim["alpha_coding"].as_f64() == Some(1.0));
    let u = claim["alpha_u"].as_f64().unwrap();
    assert!(u < 0.6, "alpha_u {u}");
    // With a stretch of unmarked text the coding alpha is defined and exactly 1.
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    std::fs::write(&a, "Kabul fell today. Nobody resisted at all. Then rain.").unwrap();
    annotate(&a, "alice", &[("claim", 0, 41)]);
    annotate(&a, "bob", &[("claim", 0, 17), ("claim", 18, 41)]);
    let out = claimtag(&["agree", dir.path().to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let claim = &v["labels"]["claim"];
    assert_eq!(claim["alpha_coding"].as_f64(), Some(1.0), "{claim}");
    assert_eq!(claim["kappa"].as_f64(), Some(1.0), "{claim}");
    assert!(claim["alpha_u"].as_f64().unwrap() < 1.0, "{claim}");
}

#[test]
fn a_decomposed_letter_is_one_unit_of_alpha_u() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    // "é" as e + U+0301: two code points, one grapheme cluster.
    std::fs::write(&a, "Cafe\u{301} ok").unwrap();
    // alice marks "Cafe" without the accent, bob the whole word: the same
    // grapheme clusters, so alpha_u agrees fully.
    // An empty span inside the cluster marks nothing.
    annotate(&a, "alice", &[("claim", 0, 4), ("evidence", 4, 4)]);
    annotate(&a, "bob", &[("claim", 0, 5)]);
    let out = claimtag(&["agree", dir.path().to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["graphemes"], 7);
    assert_eq!(v["labels"]["claim"]["alpha_u"].as_f64(), Some(1.0));
    assert!(
        v["labels"]["evidence"]["alpha_u"].is_null(),
        "{}",
        v["labels"]["evidence"]
    );
}

#[test]
fn a_stray_third_annotator_is_said_on_stdout_and_done_only_filters() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a", "b", "c"] {
        let p = dir.path().join(format!("{name}.txt"));
        std::fs::write(&p, "aaaa bbbb cccc dddd").unwrap();
        annotate(&p, "alice", &[("claim", 0, 9)]);
        annotate(&p, "bob", &[("claim", 5, 14)]);
    }
    let a = dir.path().join("a.txt");
    annotate(&a, "carol", &[("claim", 0, 4)]);
    let p = dir.path().to_str().unwrap();
    let out = claimtag(&["agree", p]);
    let text = stdout(&out);
    assert!(
        text.contains("Compared 3 annotators (alice, bob, carol) over 1 article(s)."),
        "{text}"
    );
    assert!(text.contains("Left out (2):"), "{text}");
    assert!(
        text.contains("b.txt: skipped: no sidecar from carol (only alice, bob)"),
        "{text}"
    );
    // --done-only: only articles alice and bob both marked done.
    set_status(&a, "alice", "done");
    set_status(&a, "bob", "done");
    set_status(&dir.path().join("b.txt"), "alice", "done");
    set_status(&dir.path().join("b.txt"), "bob", "in-progress");
    let out = claimtag(&[
        "agree",
        p,
        "--annotators",
        "alice,bob",
        "--done-only",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["documents"], 1);
    assert_eq!(v["done_only"], true);
    let left: Vec<&str> = v["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(
        left[0].contains("b.txt: left out by --done-only: status bob's is in-progress"),
        "{left:?}"
    );
    assert!(
        left[1].contains(
            "c.txt: left out by --done-only: status alice's is not set, bob's is not set"
        ),
        "{left:?}"
    );
    // Nothing done at all: exit 2, saying so.
    set_status(&a, "bob", "todo");
    let out = claimtag(&["agree", p, "--annotators", "alice,bob", "--done-only"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no article is marked done"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn export_done_only_keeps_the_articles_marked_done() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a", "b"] {
        let p = dir.path().join(format!("{name}.txt"));
        std::fs::write(&p, "aaaa bbbb").unwrap();
        annotate(&p, "alice", &[("claim", 0, 4)]);
    }
    set_status(&dir.path().join("b.txt"), "alice", "done");
    let out = claimtag(&[
        "--annotator",
        "alice",
        "export",
        dir.path().to_str().unwrap(),
        "--format",
        "jsonl",
        "--done-only",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("b.txt"), "{text}");
    assert!(
        stderr(&out).contains("1 of 2 document(s) are marked done by alice"),
        "{}",
        stderr(&out)
    );
}

/// A corpus in three folders with awkward text, a label only one shard uses,
/// orphans and clamped spans: the shards added up give the whole run's JSON
/// byte for byte.
#[test]
fn combined_shards_equal_one_run_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let texts = [
        "Taliban officials said the leader moved. Others denied it.",
        "Cafe\u{301} \u{1F1E6}\u{1F1EB} claims: \u{feff}nothing\r\nhere at all.",
        "",
        "One more article, long enough for a few spans of each label.",
        "   ",
        "The last one.",
    ];
    let spans: [&[(&str, usize, usize)]; 6] = [
        &[("claim", 0, 39), ("denial", 41, 58)],
        &[("claim", 0, 6), ("evidence", 7, 9), ("claim", 3, 12)],
        &[],
        &[("claim", 0, 16), ("claim", 18, 40), ("quote", 42, 50)],
        &[],
        &[("denial", 0, 13)],
    ];
    let other: [&[(&str, usize, usize)]; 6] = [
        &[("claim", 0, 20), ("claim", 22, 39), ("denial", 41, 58)],
        &[("claim", 0, 12)],
        &[],
        &[("claim", 0, 40), ("evidence", 42, 60)],
        &[],
        &[],
    ];
    for (i, t) in texts.iter().enumerate() {
        let shard = dir.path().join(format!("s{}", i % 3));
        std::fs::create_dir_all(&shard).unwrap();
        let p = shard.join(format!("{i}.txt"));
        std::fs::write(&p, t).unwrap();
        annotate(&p, "alice", spans[i]);
        annotate(&p, "bob", other[i]);
        if i == 0 {
            annotate(&p, "carol", &[("claim", 0, 5)]);
        }
    }
    let root = dir.path().to_str().unwrap();
    let args = ["--annotators", "alice,bob", "--json"];
    let whole = claimtag(&[&["agree", root][..], &args].concat());
    assert_eq!(whole.status.code(), Some(0), "{}", stderr(&whole));
    let mut parts = Vec::new();
    for i in [2, 0, 1] {
        let shard = dir.path().join(format!("s{i}"));
        let part = dir.path().join(format!("part{i}.json"));
        let out = claimtag(
            &[
                &[
                    "agree",
                    shard.to_str().unwrap(),
                    "--partial",
                    part.to_str().unwrap(),
                ][..],
                &args,
            ]
            .concat(),
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        parts.push(part.to_str().unwrap().to_string());
    }
    let mut combine = vec!["agree", "--json", "--combine"];
    combine.extend(parts.iter().map(String::as_str));
    let combined = claimtag(&combine);
    assert_eq!(combined.status.code(), Some(0), "{}", stderr(&combined));
    assert_eq!(stdout(&combined), stdout(&whole));
    let v: serde_json::Value = serde_json::from_slice(&whole.stdout).unwrap();
    assert_eq!(v["documents"], 6);
    assert!(v["labels"]["claim"]["alpha_u"].as_f64().is_some());
    // The table too.
    let table = claimtag(&["agree", root, "--annotators", "alice,bob"]);
    let mut combine = vec!["agree", "--combine"];
    combine.extend(parts.iter().map(String::as_str));
    assert_eq!(stdout(&claimtag(&combine)), stdout(&table));
    // Shards that compared different annotators are refused.
    let odd = dir.path().join("odd.json");
    let out = claimtag(&[
        "agree",
        dir.path().join("s0").to_str().unwrap(),
        "--partial",
        odd.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = claimtag(&["agree", "--combine", &parts[0], odd.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("give every shard the same --annotators"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn min_exits_1_when_not_met_for_ci() {
    let dir = corpus();
    let p = dir.path().to_str().unwrap();
    let out = claimtag(&[
        "agree",
        p,
        "--annotators",
        "alice,bob",
        "--min",
        "0.9",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    // The figures are still printed.
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["documents"], 1);
}
