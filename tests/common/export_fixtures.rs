//! Shared fixtures for the export / import tests (included with `#[path]`).
//! It lives under `tests/common/` so Cargo does not build it as a test crate.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use claimtag_model::anchor;
use claimtag_model::format::{Annotation, Link, Sidecar};
use claimtag_model::store;
use claimtag_model::text::Document;

pub const CREATED: &str = "2026-11-20T09:00:00Z";
pub const UPDATED: &str = "2026-11-21T10:30:00Z";

pub const ARTICLE_0: &str = "000_7b58e148c564b8d5.txt";
pub const ARTICLE_1: &str = "001_61df674886ad32dc.txt";
/// A small document with a BOM, CRLF, emoji (ZWJ family, flag) and Arabic.
pub const MIXED_TEXT: &str = "\u{feff}Line one 😀 says 👨‍👩‍👧 is a family.\r\nالحكومة نفت الخبر 🇦🇫.\r\nThird line, \"quoted\", done.\r\n";

/// A span over the `nth` occurrence of `quote`.
pub struct Want<'a> {
    pub id: &'a str,
    pub label: &'a str,
    pub quote: &'a str,
    pub nth: usize,
    pub claimant: Option<&'a str>,
    pub note: Option<&'a str>,
    pub links: &'a [(&'a str, &'a str)],
}

impl<'a> Want<'a> {
    pub fn new(id: &'a str, label: &'a str, quote: &'a str) -> Want<'a> {
        Want {
            id,
            label,
            quote,
            nth: 0,
            claimant: None,
            note: None,
            links: &[],
        }
    }
    pub fn claimant(mut self, c: &'a str) -> Self {
        self.claimant = Some(c);
        self
    }
    pub fn note(mut self, n: &'a str) -> Self {
        self.note = Some(n);
        self
    }
    pub fn links(mut self, l: &'a [(&'a str, &'a str)]) -> Self {
        self.links = l;
        self
    }
}

/// Builds an annotation over `w.quote` in `doc`, panicking when it is absent.
pub fn annotation(doc: &Document, w: &Want) -> Annotation {
    let (byte, _) = doc
        .text()
        .match_indices(w.quote)
        .nth(w.nth)
        .unwrap_or_else(|| panic!("{:?} not in text", w.quote));
    let mut a = anchor::new_annotation(doc, byte..byte + w.quote.len(), w.label, w.id.into());
    a.created = CREATED.into();
    a.claimant = w.claimant.map(String::from);
    a.note = w.note.map(String::from);
    a.links = w
        .links
        .iter()
        .map(|(rel, to)| Link {
            rel: (*rel).into(),
            to: (*to).into(),
        })
        .collect();
    a
}

/// Writes `annotator`'s sidecar for `source` with fixed times.
pub fn write_sidecar(source: &Path, annotator: &str, wants: &[Want]) {
    let doc = Document::load(source).unwrap();
    let name = source.file_name().unwrap().to_string_lossy().into_owned();
    let mut s = Sidecar::new(annotator, &name, doc.sha256(), doc.len_chars());
    s.updated = UPDATED.into();
    s.annotations = wants.iter().map(|w| annotation(&doc, w)).collect();
    s.next_id = wants.len() as u64 + 1;
    s.sort();
    store::write_atomic(
        &store::sidecar_path(source, annotator),
        s.to_yaml().as_bytes(),
    )
    .unwrap();
}

pub fn sample_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

/// The fixed corpus of the golden and end-to-end tests:
/// - `000_….txt`, `more/001_….txt`: sample articles with gold spans
///   (claimants, notes with quotes and a newline, links, a span over a
///   paragraph break, one not on word boundaries, overlapping labels);
/// - `more/mixed.txt`: BOM, CRLF, emoji, Arabic, with gold spans;
/// - `plain.txt`: no sidecar at all (exported with no spans);
/// - alice's sidecar on `000_….txt` (not exported: gold exists).
pub fn fixture_corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("more")).unwrap();
    let a0 = root.join(ARTICLE_0);
    let a1 = root.join("more").join(ARTICLE_1);
    let mixed = root.join("more/mixed.txt");
    std::fs::copy(sample_data().join(ARTICLE_0), &a0).unwrap();
    std::fs::copy(sample_data().join(ARTICLE_1), &a1).unwrap();
    std::fs::write(&mixed, MIXED_TEXT).unwrap();
    std::fs::write(root.join("plain.txt"), "Nobody claimed anything here.\n").unwrap();

    write_sidecar(
        &a0,
        "gold",
        &[
            Want::new(
                "a1",
                "claim",
                "IS-K is a Pakistani scheme to rent its airspace",
            )
            .claimant("Amrullah Saleh"),
            Want::new("a2", "denial", "this is a conspiracy theory")
                .claimant("Faran Jeffery")
                .note("on Twitter as \"FJ\", 2 Feb")
                .links(&[("denies", "a1")]),
            Want::new(
                "a3",
                "evidence",
                "There are also non-Pakistani members of ISKP.",
            )
            .links(&[("refutes", "a1")]),
            Want::new(
                "a4",
                "claim",
                "Saleh slams Pak PM for sending civil servants to Kabul\n\nIt is pertinent",
            )
            .note("heading and body,\nkept together"),
            Want::new("a5", "evidence", "ISIS-K carried out two bomb blast"),
        ],
    );
    write_sidecar(
        &a0,
        "alice",
        &[Want::new("a1", "claim", "Taking to Twitter")],
    );
    write_sidecar(
        &a1,
        "gold",
        &[
            Want::new(
                "a1",
                "claim",
                "the remaining leaders and members of the ISIS-K branch were transferred, with the help of some intelligence agencies",
            )
            .claimant("Zabihullah Mujahid"),
            Want::new("a2", "evidence", "ISIS-K branch were transferred")
                .links(&[("supports", "a1")]),
            Want::new("a3", "claim", "“After ISIS was eliminated by the Taliban"),
        ],
    );
    write_sidecar(
        &mixed,
        "gold",
        &[
            Want::new("a1", "claim", "😀 says 👨‍👩‍👧"),
            Want::new("a2", "denial", "نفت الخبر 🇦🇫").claimant("الحكومة"),
            Want::new("a3", "evidence", "family.\r\nالحكومة"),
            Want::new("a4", "claim", "\"quoted\", done"),
        ],
    );
    dir
}
