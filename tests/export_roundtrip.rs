//! Round trips export -> import for every format that has an importer (jsonl
//! in all three offset units, doccano in both layouts, brat), over random
//! texts with emoji (ZWJ sequences, flags), Arabic and Persian, combining
//! marks, CRLF, tabs and a BOM, and random spans (any code point offsets,
//! empty ones, spans over line breaks) with claimants, notes and links.

use std::collections::BTreeSet;
use std::path::Path;

use proptest::prelude::*;

use claimtag_model::corpus::CorpusIndex;
use claimtag_model::export::import::{self, ImportFormat, ImportTarget};
use claimtag_model::export::{self, Format, OffsetUnit, Rendered};
use claimtag_model::format::{Annotation, Link, Sidecar};
use claimtag_model::scheme::Scheme;
use claimtag_model::store;
use claimtag_model::text::Document;

const PIECES: &[&str] = &[
    "word",
    "x",
    " ",
    " ",
    "\r\n",
    "\n",
    "\r",
    "\t",
    "😀",
    "👨‍👩‍👧",
    "🇦🇫",
    "الحكومة",
    "نفت",
    "گفت",
    "é",
    "e\u{301}",
    ",",
    "\"",
    "|",
    ";",
    "Ünï",
    "\u{2028}",
    "中文",
];
const LABELS: &[&str] = &["claim", "denial", "evidence"];
const RELS: &[&str] = &["denies", "supports", "refutes"];

/// (start seed, length, label, claimant, note)
type SpanSeed = (usize, usize, usize, Option<String>, Option<String>);

#[derive(Debug, Clone)]
struct Case {
    bom: bool,
    text: String,
    spans: Vec<SpanSeed>,
    links: Vec<(usize, usize, usize)>,
}

fn case() -> impl Strategy<Value = Case> {
    let text = prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|p| p.concat());
    let claimant = prop::option::of("[A-Za-z é😀|\\\\\"',]{1,12}");
    let note = prop::option::of("[a-z \n\r\t|\\\\\"😀\u{2028};:]{1,16}");
    let span = (0usize..400, 0usize..15, 0..LABELS.len(), claimant, note);
    (
        any::<bool>(),
        text,
        prop::collection::vec(span, 0..7),
        prop::collection::vec((0usize..7, 0usize..7, 0..RELS.len()), 0..5),
    )
        .prop_map(|(bom, text, spans, links)| Case {
            bom,
            text,
            spans,
            links,
        })
}

/// Writes the case as `sub/doc.txt` of a corpus, with a `gold` sidecar.
/// Returns the annotations as written.
fn write_corpus(root: &Path, c: &Case) -> Vec<Annotation> {
    let src = root.join("sub/doc.txt");
    std::fs::create_dir_all(src.parent().unwrap()).unwrap();
    let bytes = format!("{}{}", if c.bom { "\u{feff}" } else { "" }, c.text);
    std::fs::write(&src, &bytes).unwrap();
    let doc = Document::load(&src).unwrap();
    let n = doc.len_chars();
    let mut seen = BTreeSet::new();
    let mut anns: Vec<Annotation> = Vec::new();
    for (seed, len, label, claimant, note) in &c.spans {
        // Import refuses empty spans and ends inside a grapheme (a wrong unit,
        // almost always), so the spans claimtag writes are whole graphemes.
        let start = doc.byte_to_char(doc.snap_down(doc.char_to_byte(seed % (n + 1))));
        let end = doc.byte_to_char(doc.snap_up(doc.char_to_byte((start + len).min(n))));
        if start == end {
            continue;
        }
        // Spans are told apart by (start, end, label) when links are compared.
        if !seen.insert((start, end, *label)) {
            continue;
        }
        let mut a = Annotation {
            id: format!("a{}", anns.len() + 1),
            label: LABELS[*label].into(),
            start,
            end,
            claimant: claimant.clone(),
            note: note.clone(),
            created: "2026-11-20T09:00:00Z".into(),
            ..Annotation::default()
        };
        claimtag_model::anchor::fill_from(&doc, &mut a);
        anns.push(a);
    }
    for (from, to, rel) in &c.links {
        if anns.is_empty() {
            break;
        }
        let (f, t) = (from % anns.len(), to % anns.len());
        let link = Link {
            rel: RELS[*rel].into(),
            to: anns[t].id.clone(),
        };
        if f != t && !anns[f].links.contains(&link) {
            anns[f].links.push(link);
        }
    }
    let mut s = Sidecar::new("gold", "doc.txt", doc.sha256(), n);
    s.annotations = anns.clone();
    s.next_id = anns.len() as u64 + 1;
    store::write_atomic(&store::sidecar_path(&src, "gold"), s.to_yaml().as_bytes()).unwrap();
    anns
}

type Key = (usize, usize, String);
type Canonical = (
    BTreeSet<(Key, Option<String>, Option<String>)>,
    BTreeSet<(Key, Key, String)>,
);

/// Spans and links in a form that does not depend on ids.
fn canonical(anns: &[Annotation], with_meta: bool, with_links: bool) -> Canonical {
    let key = |a: &Annotation| (a.start, a.end, a.label.clone());
    let spans = anns
        .iter()
        .map(|a| {
            if with_meta {
                (key(a), a.claimant.clone(), a.note.clone())
            } else {
                (key(a), None, None)
            }
        })
        .collect();
    let mut links = BTreeSet::new();
    if with_links {
        for a in anns {
            for l in &a.links {
                let to = anns.iter().find(|b| b.id == l.to).unwrap();
                links.insert((key(a), key(to), l.rel.clone()));
            }
        }
    }
    (spans, links)
}

/// Exports the corpus, imports it into a fresh copy of its sources and
/// returns the imported annotations.
fn round_trip(
    c: &Case,
    format: Format,
    unit: OffsetUnit,
) -> Result<(Vec<Annotation>, Vec<Annotation>), TestCaseError> {
    let corpus = tempfile::tempdir().unwrap();
    let written = write_corpus(corpus.path(), c);
    let index = CorpusIndex::scan(&[corpus.path().to_path_buf()]).unwrap();
    let loaded = export::Corpus::load(&index, "gold", &mut |_| {}).unwrap();
    prop_assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let (rendered, _) = export::render(format, &loaded, &Scheme::default(), unit).unwrap();

    let out = tempfile::tempdir().unwrap();
    let (input, from) = match (rendered, format) {
        (Rendered::File(text), Format::Jsonl) => {
            (out.path().join("x.jsonl"), (text, ImportFormat::Jsonl))
        }
        (Rendered::File(text), _) => (out.path().join("x.jsonl"), (text, ImportFormat::Doccano)),
        (Rendered::Folder(files), _) => {
            for (name, content) in &files {
                std::fs::write(out.path().join(name), content).unwrap();
            }
            (
                out.path().to_path_buf(),
                (String::new(), ImportFormat::Brat),
            )
        }
    };
    if from.1 != ImportFormat::Brat {
        std::fs::write(&input, &from.0).unwrap();
    }

    // A fresh corpus holding the same source bytes and no sidecars.
    let fresh = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(fresh.path().join("sub")).unwrap();
    std::fs::copy(
        corpus.path().join("sub/doc.txt"),
        fresh.path().join("sub/doc.txt"),
    )
    .unwrap();
    let (records, problems) = import::read_records(from.1, &[input]).unwrap();
    prop_assert!(problems.is_empty(), "{problems:?}");
    let mut index = ImportTarget::new(fresh.path()).unwrap();
    let (planned, problems) = import::plan(&records, &mut index, "imp");
    prop_assert!(problems.is_empty(), "{problems:?}");
    let (n, problems) = import::write(&planned, false);
    prop_assert!(problems.is_empty(), "{problems:?}");
    prop_assert_eq!(n, 1);
    let side = store::sidecar_path(&fresh.path().join("sub/doc.txt"), "imp");
    let (sidecar, _) = store::read_sidecar(&side).unwrap().unwrap();
    let doc = Document::load(&fresh.path().join("sub/doc.txt")).unwrap();
    for a in &sidecar.annotations {
        prop_assert_eq!(doc.slice_chars(a.start, a.end), Some(a.text.as_str()));
    }
    Ok((written, sidecar.annotations))
}

fn check(
    c: &Case,
    format: Format,
    unit: OffsetUnit,
    meta: bool,
    links: bool,
) -> Result<(), TestCaseError> {
    let (before, after) = round_trip(c, format, unit)?;
    prop_assert_eq!(
        canonical(&before, meta, links),
        canonical(&after, meta, links)
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn jsonl_round_trips_in_every_unit(c in case()) {
        for unit in [OffsetUnit::Codepoint, OffsetUnit::Utf16, OffsetUnit::Byte] {
            let (before, after) = round_trip(&c, Format::Jsonl, unit)?;
            prop_assert_eq!(canonical(&before, true, true), canonical(&after, true, true));
            // claimtag JSONL keeps the ids too.
            let ids = |v: &[Annotation]| v.iter().map(|a| a.id.clone()).collect::<BTreeSet<_>>();
            prop_assert_eq!(ids(&before), ids(&after));
        }
    }

    #[test]
    fn doccano_round_trips(c in case()) {
        // The sequence-labelling layout carries offsets and labels only.
        check(&c, Format::Doccano { relations: false }, OffsetUnit::Codepoint, false, false)?;
        check(&c, Format::Doccano { relations: false }, OffsetUnit::Utf16, false, false)?;
        // The relation layout carries links, claimants and notes too.
        check(&c, Format::Doccano { relations: true }, OffsetUnit::Codepoint, true, true)?;
        check(&c, Format::Doccano { relations: true }, OffsetUnit::Byte, true, true)?;
    }

    #[test]
    fn brat_round_trips(c in case()) {
        // brat cannot mark line breaks at a span's ends: they are left out,
        // and a span of line breaks only is not written (nor its links).
        let (before, after) = round_trip(&c, Format::Brat, OffsetUnit::Codepoint)?;
        let corpus = tempfile::tempdir().unwrap();
        write_corpus(corpus.path(), &c);
        let doc = Document::load(&corpus.path().join("sub/doc.txt")).unwrap();
        let brk = claimtag_model::export::brat::is_python_line_break;
        let mut trimmed: Vec<Annotation> = Vec::new();
        for a in &before {
            let text = doc.slice_chars(a.start, a.end).unwrap();
            let lead = text.chars().take_while(|&c| brk(c)).count();
            let core = text.trim_matches(brk).chars().count();
            if core > 0 {
                let mut t = a.clone();
                t.start = a.start + lead;
                t.end = t.start + core;
                // An .ann line cannot hold a line break: notes get spaces.
                let flat = |s: &Option<String>| {
                    s.as_ref().map(|s| s.chars().map(|c| if brk(c) { ' ' } else { c }).collect())
                };
                t.note = flat(&a.note);
                t.claimant = flat(&a.claimant);
                trimmed.push(t);
            }
        }
        let kept: BTreeSet<String> = trimmed.iter().map(|a| a.id.clone()).collect();
        for a in &mut trimmed {
            a.links.retain(|l| kept.contains(&l.to));
        }
        prop_assert_eq!(canonical(&trimmed, true, true), canonical(&after, true, true));
    }
}

#[test]
fn utf16_offsets_count_like_encode_utf16() {
    let text = "a😀b 👨‍👩‍👧 c🇦🇫 نفت";
    let doc = Document::from_string(text.into());
    let map = export::OffsetMap::new(&doc);
    for (cp, (byte, _)) in text.char_indices().enumerate() {
        let want16 = text[..byte].encode_utf16().count();
        assert_eq!(map.from_codepoint(cp, OffsetUnit::Utf16), want16);
        assert_eq!(map.from_codepoint(cp, OffsetUnit::Byte), byte);
        assert_eq!(map.to_codepoint(want16, OffsetUnit::Utf16), Some(cp));
    }
    // 😀 is code point 1 and takes UTF-16 units 1..3: unit 2 is inside it.
    assert_eq!(map.from_codepoint(2, OffsetUnit::Utf16), 3);
    assert_eq!(map.to_codepoint(2, OffsetUnit::Utf16), None);
}
