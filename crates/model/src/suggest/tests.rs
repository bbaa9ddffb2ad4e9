//! Suggestions end to end in the model: patterns over a document, the
//! suggestion set, accepting, rejecting, the report and "like".

use std::path::Path;

use proptest::prelude::*;

use super::*;
use crate::format::Sidecar;

fn patterns(jsonl: &str) -> Vec<Pattern> {
    pattern::parse_jsonl(Path::new("t.jsonl"), jsonl).unwrap()
}

fn texts(doc: &Document, found: &[Suggestion]) -> Vec<(String, String)> {
    found
        .iter()
        .map(|s| (s.label.clone(), doc.text()[s.bytes.clone()].to_string()))
        .collect()
}

#[test]
fn sentence_match_and_quote_spans() {
    let p = patterns(concat!(
        r#"{"id": "said", "label": "claim", "pattern": [{"LOWER": "said"}], "claimant": "before"}"#,
        "\n",
        r#"{"id": "acc", "label": "evidence", "pattern": "according to", "span": "match"}"#,
        "\n",
        r#"{"id": "wrote", "label": "claim", "pattern": [{"LOWER": "wrote"}], "span": "quote", "claimant": "before"}"#,
        "\n"
    ));
    let m = Matcher::new(&p).unwrap();
    let doc = Document::from_string(
        "Intro line.\r\n\r\nThe minister Ahmad Wali said it was over. Prices rose, according to data.\r\n\r\nZabihullah Mujahid wrote: “No one left. They stayed.” Later.".into(),
    );
    let found = find(&doc, &m);
    assert_eq!(
        texts(&doc, &found),
        [
            (
                "claim".into(),
                "The minister Ahmad Wali said it was over.".into()
            ),
            ("evidence".into(), "according to".into()),
            ("claim".into(), "No one left. They stayed.".into()),
        ]
    );
    assert_eq!(found[0].claimant.as_deref(), Some("Ahmad Wali"));
    assert_eq!(found[2].claimant.as_deref(), Some("Zabihullah Mujahid"));
    assert_eq!(found[0].pattern, "said");
}

#[test]
fn one_suggestion_per_span_longest_cue_wins() {
    let p = patterns(concat!(
        r#"{"id": "said", "label": "claim", "pattern": "said"}"#,
        "\n",
        r#"{"id": "noev", "label": "denial", "pattern": "there is no evidence"}"#,
        "\n"
    ));
    let m = Matcher::new(&p).unwrap();
    let doc = Document::from_string("He said there is no evidence. She said so.".into());
    let found = find(&doc, &m);
    assert_eq!(
        texts(&doc, &found),
        [
            ("denial".into(), "He said there is no evidence.".into()),
            ("claim".into(), "She said so.".into()),
        ]
    );
}

#[test]
fn suggest_set_is_idempotent_and_offsets_are_code_points() {
    let p = pattern::load("builtin:en").unwrap();
    let m = Matcher::new(&p).unwrap();
    let doc = Document::from_string("Kabul 👨‍👩‍👧. Officials denied it.\r\nThey said “yes”.".into());
    let found = find(&doc, &m);
    let mut set = Sidecar::new(DEFAULT_SET, "a.txt", doc.sha256(), doc.len_chars());
    let n = merge_into(&mut set, &doc, &found);
    assert!(n >= 2, "{found:?}");
    for a in &set.annotations {
        assert_eq!(doc.slice_chars(a.start, a.end), Some(a.text.as_str()));
        assert!(pattern_of(a).is_some());
    }
    let denial = set
        .annotations
        .iter()
        .find(|a| a.label == "denial")
        .unwrap();
    assert_eq!(
        (denial.start, denial.text.as_str()),
        (13, "Officials denied it.")
    );
    let before = set.to_yaml();
    assert_eq!(merge_into(&mut set, &doc, &find(&doc, &m)), 0);
    assert_eq!(set.to_yaml(), before);
}

#[test]
fn accept_reject_pending_and_report() {
    let doc = Document::from_string("Ali said yes. Bahram denied it. Cyrus said so.".into());
    let p = patterns(concat!(
        r#"{"id": "said", "label": "claim", "pattern": "said"}"#,
        "\n",
        r#"{"id": "denied", "label": "denial", "pattern": "denied"}"#,
        "\n"
    ));
    let m = Matcher::new(&p).unwrap();
    let mut set = Sidecar::new(DEFAULT_SET, "a.txt", doc.sha256(), doc.len_chars());
    merge_into(&mut set, &doc, &find(&doc, &m));
    assert_eq!(set.annotations.len(), 3);
    let mut own = Sidecar::new("alice", "a.txt", doc.sha256(), doc.len_chars());
    assert_eq!(pending(&set.annotations, &own, DEFAULT_SET).len(), 3);
    // accept the first, reject the second
    let first = set.annotations[0].clone();
    let id = own.fresh_id();
    let a = accepted(&doc, DEFAULT_SET, &first, id);
    assert_eq!(a.from.as_deref(), Some("suggest:said"));
    assert_eq!(a.text, "Ali said yes.");
    own.annotations.push(a);
    mark_rejected(&mut own, DEFAULT_SET, &fingerprint(&set.annotations[1]));
    let left = pending(&set.annotations, &own, DEFAULT_SET);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].text, "Cyrus said so.");
    // rejections survive a round trip through YAML and a fresh suggestion set
    let own = Sidecar::parse(Path::new("x"), &own.to_yaml()).unwrap();
    let mut fresh = Sidecar::new(DEFAULT_SET, "a.txt", doc.sha256(), doc.len_chars());
    merge_into(&mut fresh, &doc, &find(&doc, &m));
    assert_eq!(pending(&fresh.annotations, &own, DEFAULT_SET).len(), 1);
    let mut stats = BTreeMap::new();
    tally(DEFAULT_SET, &fresh.annotations, Some(&own), &mut stats);
    let said = &stats["said"];
    assert_eq!(
        (said.suggested, said.accepted, said.rejected, said.left),
        (2, 1, 0, 1)
    );
    assert_eq!(said.precision, Some(1.0));
    let denied = &stats["denied"];
    assert_eq!((denied.accepted, denied.rejected, denied.left), (0, 1, 0));
    assert_eq!(denied.precision, Some(0.0));
    // undoing the rejection brings it back and leaves no empty map behind
    let mut own = own;
    unmark_rejected(&mut own, DEFAULT_SET, &fingerprint(&fresh.annotations[1]));
    assert!(!own.extra.contains_key(SUGGESTIONS_KEY));
    assert_eq!(pending(&fresh.annotations, &own, DEFAULT_SET).len(), 2);
}

#[test]
fn model_sets_without_patterns_give_the_set_name() {
    let doc = Document::from_string("X happened.".into());
    let mut s = anchor::new_annotation(&doc, 0..11, "evidence", "m1".into());
    s.claimant = Some("Reuters".into());
    let a = accepted(&doc, "model", &s, "a1".into());
    assert_eq!(a.from.as_deref(), Some("model"));
    assert_eq!(a.claimant.as_deref(), Some("Reuters"));
}

#[test]
fn like_finds_other_whole_word_occurrences() {
    let doc =
        Document::from_string("ISIS-K struck. Not ISIS-Kx. Then ISIS-K again; isis-k.".into());
    let tagged = vec![anchor::new_annotation(&doc, 0..6, "claim", "a1".into())];
    let ex = examples_of(&tagged);
    let got: Vec<(String, &str)> = like(&doc, &ex, &tagged)
        .into_iter()
        .map(|(l, r)| (l, &doc.text()[r]))
        .collect();
    assert_eq!(got, [("claim".to_string(), "ISIS-K")]);
    let r = like(&doc, &ex, &tagged)[0].1.clone();
    assert_eq!(r.start, doc.text().find("Then ISIS-K").unwrap() + 5);
}

proptest! {
    #[test]
    fn every_suggestion_is_the_source_slice(
        words in proptest::collection::vec(
            prop_oneof![
                Just("said"), Just("denied"), Just("according to"), Just("Ahmad"),
                Just("“"), Just("”"), Just("\""), Just("."), Just(","), Just("\r\n"),
                Just("\n\n"), Just("🇦🇫"), Just("👨‍👩‍👧"), Just("طالبان"), Just("e\u{301}"),
                Just("there is no evidence"), Just("dismissed"), Just("as"), Just("the"),
            ],
            0..60,
        )
    ) {
        let text = words.join(" ");
        let doc = Document::from_string(text);
        let p = pattern::load("builtin:en").unwrap();
        let m = Matcher::new(&p).unwrap();
        let found = find(&doc, &m);
        let mut set = Sidecar::new(DEFAULT_SET, "a.txt", doc.sha256(), doc.len_chars());
        merge_into(&mut set, &doc, &found);
        for a in &set.annotations {
            prop_assert!(a.start < a.end);
            prop_assert_eq!(doc.slice_chars(a.start, a.end), Some(a.text.as_str()));
        }
        for s in &found {
            prop_assert!(doc.text().get(s.bytes.clone()).is_some());
            prop_assert!(doc.text().get(s.cue.clone()).is_some());
        }
    }
}
