//! Golden files: the fixed corpus of `common/export_fixtures.rs` exported in every
//! format must equal `tests/golden/` byte for byte. After an intended change,
//! regenerate with `UPDATE_GOLDEN=1 cargo test --test export_golden` and
//! review the diff.

#[path = "common/export_fixtures.rs"]
mod support;

use std::path::{Path, PathBuf};

use claimtag_model::corpus::CorpusIndex;
use claimtag_model::export::{self, Format, OffsetUnit, Output, Rendered};
use claimtag_model::scheme::Scheme;

const CSV: Format = Format::Csv {
    all_documents: false,
    excel: false,
};
const CONLL: Format = Format::Conll { nested: false };

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// The export as `claimtag export` writes it: streamed, document by document.
fn export(root: &Path, format: Format, unit: OffsetUnit) -> (Rendered, Vec<String>) {
    let index = CorpusIndex::scan(&[root.to_path_buf()]).unwrap();
    assert!(index.has_gold());
    let scheme = Scheme::default();
    let stream = |out| export::stream(format, &index, "gold", &scheme, unit, out, &mut |_| {});
    let (rendered, summary) = if format == Format::Brat {
        let mut files = Vec::new();
        let mut put = |name: &str, content: &[u8]| {
            files.push((
                name.to_string(),
                String::from_utf8(content.to_vec()).unwrap(),
            ));
            Ok(())
        };
        let summary = stream(Output::Folder(&mut put)).unwrap();
        files.rotate_right(1);
        (Rendered::Folder(files), summary)
    } else {
        let mut out = Vec::new();
        let summary = stream(Output::File(&mut out)).unwrap();
        (Rendered::File(String::from_utf8(out).unwrap()), summary)
    };
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
    (rendered, summary.notes)
}

/// The same export rendered in memory from a loaded corpus.
fn rendered(root: &Path, format: Format, unit: OffsetUnit) -> (Rendered, Vec<String>) {
    let index = CorpusIndex::scan(&[root.to_path_buf()]).unwrap();
    let corpus = export::Corpus::load(&index, "gold", &mut |_| {}).unwrap();
    export::render(format, &corpus, &Scheme::default(), unit).unwrap()
}

#[test]
fn streaming_writes_what_rendering_in_memory_does() {
    let dir = support::fixture_corpus();
    for format in [
        Format::Jsonl,
        Format::Doccano { relations: false },
        Format::Doccano { relations: true },
        Format::Brat,
        CONLL,
        Format::Conll { nested: true },
        CSV,
        Format::Csv {
            all_documents: true,
            excel: true,
        },
    ] {
        let unit = format.default_unit();
        assert_eq!(
            export(dir.path(), format, unit),
            rendered(dir.path(), format, unit),
            "{format:?}"
        );
    }
}

fn check(name: &str, got: &str) {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 creates it)", path.display()));
    assert!(
        want == got,
        "{} differs from the export:\n--- golden\n{want}\n--- export\n{got}",
        path.display()
    );
}

fn single(r: Rendered) -> String {
    match r {
        Rendered::File(s) => s,
        Rendered::Folder(_) => panic!("expected one file"),
    }
}

#[test]
fn single_file_formats_match_golden() {
    let dir = support::fixture_corpus();
    let cases = [
        ("jsonl.jsonl", Format::Jsonl, OffsetUnit::Codepoint),
        ("jsonl-utf16.jsonl", Format::Jsonl, OffsetUnit::Utf16),
        ("jsonl-byte.jsonl", Format::Jsonl, OffsetUnit::Byte),
        // doccano in its default unit, UTF-16 (what doccano counts).
        (
            "doccano.jsonl",
            Format::Doccano { relations: false },
            OffsetUnit::Utf16,
        ),
        (
            "doccano-relations.jsonl",
            Format::Doccano { relations: true },
            OffsetUnit::Utf16,
        ),
        ("csv.csv", CSV, OffsetUnit::Codepoint),
        ("csv-utf16.csv", CSV, OffsetUnit::Utf16),
        ("conll.conll", CONLL, OffsetUnit::Codepoint),
    ];
    for (name, format, unit) in cases {
        let (out, _) = export(dir.path(), format, unit);
        let out = single(out);
        // Deterministic: a second export is byte-identical.
        assert_eq!(single(export(dir.path(), format, unit).0), out);
        check(name, &out);
    }
}

#[test]
fn conll_reports_the_widened_span() {
    let dir = support::fixture_corpus();
    let (_, notes) = export(dir.path(), CONLL, OffsetUnit::Codepoint);
    assert!(
        notes
            .iter()
            .any(|n| n == "conll: 1 span(s) widened to token boundaries"),
        "{notes:?}"
    );
}

#[test]
fn brat_matches_golden_folder() {
    let dir = support::fixture_corpus();
    let Rendered::Folder(files) = export(dir.path(), Format::Brat, OffsetUnit::Codepoint).0 else {
        panic!("brat writes a folder");
    };
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "annotation.conf",
            "000_7b58e148c564b8d5.txt",
            "000_7b58e148c564b8d5.ann",
            "more__001_61df674886ad32dc.txt",
            "more__001_61df674886ad32dc.ann",
            "more__mixed.txt",
            "more__mixed.ann",
            "plain.txt",
            "plain.ann",
        ]
    );
    for (name, content) in &files {
        check(&format!("brat/{name}"), content);
    }
    // The .txt is the decoded text: BOM removed, CRLF kept.
    let mixed = &files
        .iter()
        .find(|(n, _)| n == "more__mixed.txt")
        .unwrap()
        .1;
    assert_eq!(mixed, support::MIXED_TEXT.trim_start_matches('\u{feff}'));
}

#[test]
fn unsupported_units_are_refused() {
    let dir = support::fixture_corpus();
    let index = CorpusIndex::scan(&[dir.path().to_path_buf()]).unwrap();
    let corpus = export::Corpus::load(&index, "gold", &mut |_| {}).unwrap();
    for f in [Format::Brat, CONLL] {
        for u in [OffsetUnit::Utf16, OffsetUnit::Byte] {
            assert!(export::render(f, &corpus, &Scheme::default(), u).is_err());
        }
    }
}
