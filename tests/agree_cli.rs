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
        text.contains("alice, bob over 1 article(s), 16 units"),
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
    // label kappa alpha f1-exact f1-overlap alice bob
    assert_eq!(
        row("claim"),
        ["claim", "0.000", "0.031", "0.000", "1.000", "1", "1"]
    );
    assert_eq!(
        row("denial"),
        ["denial", "1.000", "1.000", "1.000", "1.000", "1", "1"]
    );
    assert_eq!(
        row("evidence"),
        ["evidence", "n/a", "n/a", "n/a", "n/a", "0", "0"]
    );
    assert!(text.contains("evidence: nobody used this label"), "{text}");
    assert!(
        text.contains("evidence: kappa n/a: every unit has the same value"),
        "{text}"
    );
    // the article only alice did is named on stderr
    assert!(
        stderr(&out).contains("b.txt: skipped: no sidecar from bob (only alice)"),
        "{}",
        stderr(&out)
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
    assert!((claim["alpha"].as_f64().unwrap() - 8.0 / 256.0).abs() < 1e-12);
    assert_eq!(claim["f1_exact"].as_f64(), Some(0.0));
    assert_eq!(claim["f1_overlap"].as_f64(), Some(1.0));
    assert_eq!(claim["units"], 16);
    assert_eq!(claim["spans"], serde_json::json!({"alice": 1, "bob": 1}));
    let evidence = &v["labels"]["evidence"];
    for k in ["kappa", "alpha", "f1_exact", "f1_overlap"] {
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
    assert!(v["labels"]["claim"]["alpha"].is_null());
    assert!(
        stderr(&out).contains("empty.txt: the text has no units"),
        "{}",
        stderr(&out)
    );
}
