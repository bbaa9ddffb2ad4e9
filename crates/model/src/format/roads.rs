//! The three roads of reading a sidecar give the same record: the line road
//! ([`super::lines`]) and the events road ([`super::events`]) return either
//! what serde-saphyr reads or `None`, on what claimtag writes and on what a
//! person might make of it.

use std::path::Path;

use proptest::prelude::*;

use super::{Annotation, Link, Sidecar, Status, Wire, events, lines};

fn serde_road(yaml: &str) -> Option<Wire> {
    Wire::parse_with_serde(Path::new("x.yaml"), yaml).ok()
}

pub(super) fn sidecar(texts: &[String], numbers: &[usize], status: Option<Status>) -> Sidecar {
    let mut s = Sidecar::new("alice", "001.txt", "1efd9a0b", numbers[0]);
    s.updated = "2026-11-24T10:31:05Z".into();
    s.status = status;
    for (i, t) in texts.iter().enumerate() {
        let n = numbers[i % numbers.len()];
        s.annotations.push(Annotation {
            id: format!("a{}", i + 1),
            label: ["claim", "denial", "evidence"][i % 3].into(),
            start: n,
            end: n + t.chars().count(),
            text: t.clone(),
            prefix: texts[(i + 1) % texts.len()].clone(),
            suffix: texts[(i + 2) % texts.len()].clone(),
            claimant: (i % 2 == 0).then(|| t.clone()),
            links: if i % 3 == 1 {
                vec![Link {
                    rel: "denies".into(),
                    to: t.clone(),
                }]
            } else {
                vec![]
            },
            note: (i % 4 == 0).then(|| format!("{t}\n{t}")),
            created: "2026-11-24T10:30:00Z".into(),
            from: (i % 5 == 0).then(|| "bob".into()),
            orphan: i % 7 == 3,
            ..Annotation::default()
        });
    }
    s
}

/// Both fast roads read `yaml`, to what serde-saphyr reads.
fn assert_fast(yaml: &str) -> Wire {
    let serde = serde_road(yaml);
    assert!(serde.is_some(), "serde-saphyr reads it:\n{yaml}");
    assert_eq!(events::read(yaml), serde, "the events road:\n{yaml}");
    assert_eq!(lines::read(yaml), serde, "the line road:\n{yaml}");
    serde.unwrap()
}

#[test]
fn what_claimtag_writes_takes_the_line_road_to_the_same_place() {
    let s = sidecar(
        &[
            "plain words".into(),
            "35".into(),
            "no".into(),
            "it's \"quoted\"\r\nnext".into(),
            "ذبیح‌الله مجاهد".into(),
            String::new(),
            "a: b # c, [d] {e} - f".into(),
            "tab\there \\ and \u{85}\u{2028}\u{feff}\u{7}".into(),
        ],
        &[0, 7, 120],
        Some(Status::InProgress),
    );
    let y = s.to_yaml();
    let read = assert_fast(&y);
    assert_eq!(read.annotations.len(), 8);
    let a5 = read
        .annotations
        .iter()
        .find(|a| a.annotation.id == "a5")
        .unwrap();
    assert_eq!(a5.id_place.line, {
        let at = y.find("id: a5").unwrap();
        y[..at].matches('\n').count() as u64 + 1
    });
    // No annotation at all.
    assert_fast(&sidecar(&[], &[3], None).to_yaml());
}

#[test]
fn what_the_bench_generator_writes_takes_the_line_road() {
    let y = "format: claimtag/1\nsource:\n  file: \"000000.txt\"\n  sha256: 1efda9a3\n  chars: 4062\n\
             annotator: alice\nupdated: \"2026-11-30T10:00:00Z\"\nannotations:\n- id: a17\n  label: claim\n\
             \x20 start: 422\n  end: 448\n  text: \"ters sources\"\n  prefix: \"rmed\"\n  suffix: \"s\"\n\
             \x20 created: \"2026-11-30T10:00:00Z\"\n";
    assert_fast(y);
}

/// The sidecars of `sample-data/`, each with its text; at least ten.
pub(super) fn sample_sidecars() -> Vec<(std::path::PathBuf, String)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data");
    let sidecars: Vec<_> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.to_string_lossy().ends_with(".ann.yaml"))
        .map(|path| {
            let yaml = std::fs::read_to_string(&path).unwrap();
            (path, yaml)
        })
        .collect();
    assert!(sidecars.len() >= 10, "{} sidecars", sidecars.len());
    sidecars
}

#[test]
fn the_sample_sidecars_take_the_line_road() {
    for (_, yaml) in sample_sidecars() {
        assert_fast(&yaml);
    }
}

#[test]
fn anything_unsure_leaves_the_events_road() {
    let base = "format: claimtag/1\nsource: {file: a.txt}\nannotator: bob\nannotations:\n- id: a1\n  label: claim\n  start: 0\n  end: 1\n";
    assert!(events::read(base).is_some());
    for (from, to) in [
        ("end: 1", "end: 01"),
        ("end: 1", "end: 0x1"),
        ("end: 1", "end: +1"),
        ("end: 1", "end: \"1\""),
        ("label: claim", "label: ~"),
        ("label: claim", "label: null"),
        ("label: claim", "label:"),
        ("label: claim", "label: No"),
        ("label: claim", "label: 1e3"),
        ("label: claim", "label: -.INF"),
        ("label: claim", "label: 0xBEEF"),
        ("label: claim", "label: 12:30"),
        ("label: claim", "label: !!str claim"),
        ("label: claim", "label: &x claim\n  text: *x"),
        ("label: claim", "label: |\n    claim"),
        ("label: claim", "label: claim\n  label: claim"),
        ("label: claim", "label: claim\n  confidence: 0.5"),
        ("label: claim", "label: [claim]"),
        ("id: a1\n", ""),
        ("annotator: bob", "annotator: bob\nproject: x"),
        ("annotations:", "---\nannotations:"),
        ("format:", "%YAML 1.1\n---\nformat:"),
    ] {
        let y = base.replacen(from, to, 1);
        assert!(events::read(&y).is_none(), "{y}");
        let block = y.replacen("source: {file: a.txt}", "source:\n  file: a.txt", 1);
        assert!(lines::read(&block).is_none(), "{block}");
    }
    // Comments are no reason to leave the events road.
    let y = base.replacen("label: claim", "label: claim # checked", 1);
    assert_eq!(events::read(&y), serde_road(&y));
    assert!(events::read(&y).is_some());
    // Hashes and file names that start with a digit are strings.
    let y = base.replacen("label: claim", "label: 1efd9a0b", 1);
    assert!(events::read(&y).is_some());
    let y = base.replacen("file: a.txt", "file: 001.txt", 1);
    assert!(events::read(&y).is_some());
}

#[test]
fn anything_not_of_the_written_layout_leaves_the_line_road() {
    let base = "format: claimtag/1\nsource:\n  file: a.txt\nannotator: bob\nannotations:\n- id: a1\n  label: claim\n  start: 0\n  end: 1\n  links:\n  - rel: denies\n    to: a2\n";
    assert_fast(base);
    for (from, to) in [
        ("label: claim", "label: claim # checked"),
        ("label: claim", "label: claim\n  # a comment"),
        ("annotator: bob\n", "annotator: bob\n\n"),
        ("\n", "\r\n"),
        ("format:", "\u{feff}format:"),
        ("label: claim", "label: claim "),
        ("label: claim", "label:  claim"),
        ("label: claim", "label:\tclaim"),
        ("label: claim", "\"label\": claim"),
        ("label: claim", "label: \"claim\n    more\""),
        ("label: claim", "label: claim\n    more"),
        ("label: claim", "label: 'it''s' 'x'"),
        ("label: claim", "label: \"a\" \"b\""),
        ("label: claim", "label: \"\\q\""),
        ("label: claim", "label: \"\\ud800\""),
        ("label: claim", "label: -"),
        ("label: claim", "label: - claim"),
        ("label: claim", "label: a: b"),
        ("label: claim", "label: {a: b}"),
        ("- id: a1", "-   id: a1"),
        ("- id: a1", "  - id: a1"),
        ("  - rel:", "    - rel:"),
        ("    to: a2", "   to: a2"),
        ("  file: a.txt", "   file: a.txt"),
        ("source:\n  file: a.txt", "source: {file: a.txt}"),
        ("annotations:\n", "annotations:\n---\n"),
        ("  end: 1\n", "  end: 1\n...\n"),
    ] {
        let y = base.replacen(from, to, 1);
        assert_ne!(y, base, "{from}");
        assert!(lines::read(&y).is_none(), "{y}");
    }
    // Quoted as the writer might, with every escape YAML has.
    let y = base.replacen(
        "label: claim",
        "label: \"\\0\\a\\b\\t\\n\\v\\f\\r\\e\\ \\\"\\/\\\\\\N\\_\\L\\P\\x41\\u00e9\\U0001F600\"\n  note: 'it''s'",
        1,
    );
    let read = assert_fast(&y);
    assert_eq!(
        read.annotations[0].annotation.label,
        "\0\u{7}\u{8}\t\n\u{b}\u{c}\r\u{1b} \"/\\\u{85}\u{a0}\u{2028}\u{2029}Aé😀"
    );
    // No annotations, written two ways.
    let none = "format: claimtag/1\nsource:\n  file: a.txt\nannotator: bob\n";
    assert_fast(none);
    assert_fast(&format!("{none}annotations: []\n"));
    assert!(lines::read(&format!("{none}annotations:\n")).is_none());
}

/// Edits a person might make to a written sidecar, some of them wrong.
const EDITS: &[&str] = &[
    "~",
    "null",
    "\"\"",
    "''",
    "01",
    "0x1F",
    "1e3",
    "-1",
    "yes",
    "No",
    "&a x",
    "*a",
    "!!str 5",
    "[a, b]",
    "[]",
    "{a: 1}",
    "|\n  x",
    "\"a\\tb\"",
    "'it''s'",
    "x # c",
    ".inf",
    "18446744073709551616",
    "true",
    "a: b",
    "- x",
    "- rel: x\n  to: y",
    "\"\\u00e9\"",
    "\"\\x\"",
    "x\n  y",
    "x:y",
    "",
];

fn edit(yaml: &str, line: usize, kind: usize, token: &str) -> String {
    let mut lines: Vec<String> = yaml.lines().map(str::to_string).collect();
    let i = line % lines.len();
    match kind % 7 {
        0 => {
            if let Some((key, _)) = lines[i].split_once(": ") {
                lines[i] = format!("{key}: {token}");
            }
        }
        1 => {
            lines.remove(i);
        }
        2 => {
            let copy = lines[i].clone();
            lines.insert(i, copy);
        }
        3 => lines[i] = format!(" {}", lines[i]),
        4 => lines.insert(i, format!("  extra_{}: {token}", i % 3)),
        5 => lines.insert(i, format!("# {token}")),
        _ => {
            if let Some((key, _)) = lines[i].split_once(':') {
                lines[i] = format!("{key}:\n{token}");
            }
        }
    }
    lines.join("\n") + "\n"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn all_roads_agree_on_written_sidecars(
        texts in prop::collection::vec("\\PC{0,12}|[\r\n\t \u{85}\u{2028}\u{feff}'\":#&*!|>%@`~0-9.+-]{0,8}", 1..6),
        numbers in prop::collection::vec(0usize..100_000, 1..4),
    ) {
        let y = sidecar(&texts, &numbers, None).to_yaml();
        let (line, events) = (lines::read(&y), events::read(&y));
        if line.is_some() {
            prop_assert_eq!(&line, &events);
        }
        if events.is_some() {
            prop_assert_eq!(events, serde_road(&y));
        }
    }

    #[test]
    fn what_an_analyst_writes_takes_the_line_road(
        texts in prop::collection::vec("(\\p{L}[\\p{L}\\p{N}\\p{M} ,.;!?()'\"$%&/\u{200c}\u{200d}-]{0,40})?", 1..6),
        numbers in prop::collection::vec(0usize..100_000, 1..4),
    ) {
        let y = sidecar(&texts, &numbers, Some(Status::Done)).to_yaml();
        let line = lines::read(&y);
        prop_assert!(line.is_some(), "{}", y);
        prop_assert_eq!(line, serde_road(&y));
    }

    /// Any text at all is read or refused by the line road, never a panic;
    /// what it reads, the events road reads the same.
    #[test]
    fn the_line_road_takes_any_text(
        text in "(([- ]{0,3}[a-z_]{1,8}:( [^\n]{0,12})?)?\n){0,12}|[\x00-\x7f\u{85}\u{2028}\u{feff}\u{a0}é]{0,80}",
    ) {
        if let Some(line) = lines::read(&text) {
            prop_assert_eq!(Some(line), events::read(&text), "{}", text);
        }
    }

    #[test]
    fn all_roads_agree_on_edited_sidecars(
        edits in prop::collection::vec((0usize..200, 0usize..7, 0usize..EDITS.len()), 1..4),
    ) {
        let base = sidecar(
            &["plain words".into(), "35".into(), "it's".into(), "ذبیح‌الله".into()],
            &[3, 40],
            Some(Status::Done),
        );
        let mut y = base.to_yaml();
        for (line, kind, token) in edits {
            y = edit(&y, line, kind, EDITS[token]);
        }
        let serde = serde_road(&y);
        if let Some(line) = lines::read(&y) {
            prop_assert_eq!(Some(line), serde.clone(), "{}", y);
        }
        if let Some(events) = events::read(&y) {
            prop_assert_eq!(Some(events), serde, "{}", y);
        }
    }
}
