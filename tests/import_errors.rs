//! Import of files written by other tools (doccano, brat) and of bad input:
//! every problem names file and line, bad records are skipped whole, nothing
//! unreadable is overwritten.

use std::path::Path;

use claimtag_model::export::import::{self, ImportFormat, ImportTarget};
use claimtag_model::store;

const TEXT: &str = "The ministry said 😀 the border is open.\r\nOfficials denied it.\n";

fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), format!("\u{feff}{TEXT}")).unwrap();
    std::fs::write(dir.path().join("b.txt"), "Unrelated text.").unwrap();
    dir
}

fn run(format: ImportFormat, input: &Path, dir: &Path, force: bool) -> (usize, Vec<String>) {
    let (records, mut problems) = import::read_records(format, &[input.to_path_buf()]).unwrap();
    let mut index = ImportTarget::new(dir).unwrap();
    let (planned, mut more) = import::plan(&records, &mut index, "ext");
    problems.append(&mut more);
    let (n, mut more) = import::write(&planned, force);
    problems.append(&mut more);
    (n, problems)
}

fn sidecar(dir: &Path) -> claimtag_model::Sidecar {
    store::read_sidecar(&store::sidecar_path(&dir.join("a.txt"), "ext"))
        .unwrap()
        .unwrap()
        .0
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

#[test]
fn doccano_as_doccano_writes_it() {
    let dir = corpus();
    let out = tempfile::tempdir().unwrap();
    let input = out.path().join("doccano-in.jsonl");
    // As doccano exports: numeric ids, extra keys, no `source`, no `offsets`
    // (UTF-16 units: 😀 counts 2); matched by text.
    std::fs::write(
        &input,
        format!(
            "{{\"id\":7,\"text\":{},\"entities\":[{{\"id\":31,\"label\":\"claim\",\"start_offset\":21,\"end_offset\":39}},{{\"id\":32,\"label\":\"denial\",\"start_offset\":42,\"end_offset\":61}}],\"relations\":[{{\"id\":3,\"from_id\":32,\"to_id\":31,\"type\":\"denies\"}}],\"Comments\":[]}}\n",
            json_str(TEXT)
        ),
    )
    .unwrap();
    let (n, problems) = run(ImportFormat::Doccano, &input, dir.path(), false);
    assert_eq!((n, problems.len()), (1, 0), "{problems:?}");
    let s = sidecar(dir.path());
    let got: Vec<_> = s
        .annotations
        .iter()
        .map(|a| (a.label.as_str(), a.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("claim", "the border is open"),
            ("denial", "Officials denied it")
        ]
    );
    // Fresh collision-free ids, made in text order, so they sort that way.
    let (first, second) = (&s.annotations[0].id, &s.annotations[1].id);
    assert_eq!(first.len(), 12, "{first}");
    assert!(first < second, "{first} {second}");
    assert_eq!(&s.annotations[1].links[0].to, first);
    assert_eq!(s.annotations[1].links[0].rel, "denies");
    assert_eq!(s.annotations[0].prefix, "The ministry said 😀 ");
}

#[test]
fn doccano_label_layout_and_byte_offsets() {
    let dir = corpus();
    let out = tempfile::tempdir().unwrap();
    let input = out.path().join("in.jsonl");
    // 😀 is 4 bytes: "the" starts at byte 23 (code point 20).
    std::fs::write(
        &input,
        format!(
            "{{\"source\":\"a.txt\",\"text\":{},\"label\":[[23,26,\"claim\"]],\"offsets\":\"byte\"}}\n{{\"text\":\"Unrelated text.\",\"labels\":[[0,9,\"claim\"],[2,99,\"claim\"]]}}\n",
            json_str(TEXT)
        ),
    )
    .unwrap();
    let (n, problems) = run(ImportFormat::Doccano, &input, dir.path(), false);
    assert_eq!(n, 1);
    let a = &sidecar(dir.path()).annotations[0];
    assert_eq!((a.start, a.end, a.text.as_str()), (20, 23, "the"));
    assert!(
        problems
            .iter()
            .any(|p| p.contains("in.jsonl:2: span #1: end 99 (utf16) is past the end")),
        "{problems:?}"
    );
}

#[test]
fn brat_fragments_notes_and_bad_quotes() {
    let dir = corpus();
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("doc.txt"), TEXT).unwrap();
    std::fs::write(
        out.path().join("doc.ann"),
        "T1\tclaim 20 38\tthe border is open\nT2\tdenial 34 39;41 50\topen. Officials\nR1\tdenies Arg1:T2 Arg2:T1\n#1\tAnnotatorNotes T2\tclaimant: the officials | note: two\\nlines\nA1\tNegated T2\n",
    )
    .unwrap();
    std::fs::write(out.path().join("bad.txt"), "Unrelated text.").unwrap();
    std::fs::write(out.path().join("bad.ann"), "T1\tclaim 0 9\tUnrelatex\n").unwrap();
    let (n, problems) = run(ImportFormat::Brat, out.path(), dir.path(), false);
    assert_eq!(n, 1, "{problems:?}");
    assert!(
        problems
            .iter()
            .any(|p| p.contains("bad.ann:1: span T1: text field \"Unrelatex\"")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("doc.ann:5: annotation \"A1\"")),
        "{problems:?}"
    );
    let s = sidecar(dir.path());
    let d = s.annotations.iter().find(|a| a.label == "denial").unwrap();
    assert_eq!(d.text, "open.\r\nOfficials");
    assert_eq!(d.claimant.as_deref(), Some("the officials"));
    // brat notes are plain text: no escapes are read into them.
    assert_eq!(d.note.as_deref(), Some("two\\nlines"));
    assert_eq!(d.links.len(), 1);
}

#[test]
fn bad_records_are_skipped_whole_with_file_and_line() {
    let dir = corpus();
    let out = tempfile::tempdir().unwrap();
    let input = out.path().join("in.jsonl");
    let lines = [
        // utf16 offset 19 is inside 😀 (units 18..20)
        "{\"source\":\"a.txt\",\"offsets\":\"utf16\",\"spans\":[{\"id\":\"a1\",\"start\":19,\"end\":25,\"label\":\"claim\"}]}".to_string(),
        // reversed
        "{\"source\":\"b.txt\",\"spans\":[{\"id\":\"a1\",\"start\":5,\"end\":2,\"label\":\"claim\"}]}".to_string(),
        // a relation to a span that is not there
        "{\"source\":\"b.txt\",\"spans\":[{\"id\":\"a1\",\"start\":0,\"end\":9,\"label\":\"claim\"}],\"relations\":[{\"from\":\"a1\",\"to\":\"a9\",\"rel\":\"denies\"}]}".to_string(),
        // quoted text that is not at the offsets
        "{\"source\":\"b.txt\",\"spans\":[{\"id\":\"a1\",\"start\":0,\"end\":9,\"label\":\"claim\",\"text\":\"something\"}]}".to_string(),
        "{\"source\":\"b.txt\",\"offsets\":\"graphemes\",\"spans\":[]}".to_string(),
        "{\"source\":\"/etc/passwd\",\"spans\":[]}".to_string(),
    ];
    std::fs::write(&input, lines.join("\n")).unwrap();
    let (n, problems) = run(ImportFormat::Jsonl, &input, dir.path(), false);
    assert_eq!(n, 0, "{problems:?}");
    for want in [
        "in.jsonl:1: span a1: start 19 (utf16) falls inside a surrogate pair",
        "in.jsonl:2: span a1: start 5 is after end 2",
        "in.jsonl:3: relation denies a1 -> a9 names a span that is not in the record",
        "in.jsonl:4: span a1: quoted text \"something\" is not the text at its offsets",
        "in.jsonl:5: unknown offsets unit \"graphemes\"",
        "in.jsonl:6: skipped: source \"/etc/passwd\" must be a relative path",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(want)),
            "{want}\n{problems:#?}"
        );
    }
    assert!(!store::sidecar_path(&dir.path().join("a.txt"), "ext").exists());
    assert!(!store::sidecar_path(&dir.path().join("b.txt"), "ext").exists());
}

#[test]
fn unreadable_sidecar_is_never_overwritten_even_with_force() {
    let dir = corpus();
    let out = tempfile::tempdir().unwrap();
    let input = out.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"source\":\"b.txt\",\"spans\":[{\"id\":\"x-1\",\"start\":0,\"end\":9,\"label\":\"claim\"}]}\n",
    )
    .unwrap();
    let side = store::sidecar_path(&dir.path().join("b.txt"), "ext");
    std::fs::write(&side, "format: claimtag/1\nannotations: [\n").unwrap();
    let (n, problems) = run(ImportFormat::Jsonl, &input, dir.path(), true);
    assert_eq!(n, 0);
    assert!(
        problems[0].contains("not overwritten even with --force"),
        "{problems:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&side).unwrap(),
        "format: claimtag/1\nannotations: [\n"
    );
    // A readable one is replaced with --force, keeping the record's valid id
    // and the file's mode.
    std::fs::remove_file(&side).unwrap();
    assert_eq!(run(ImportFormat::Jsonl, &input, dir.path(), false).0, 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&side, std::fs::Permissions::from_mode(0o604)).unwrap();
    }
    let (n, problems) = run(ImportFormat::Jsonl, &input, dir.path(), true);
    assert_eq!((n, problems.len()), (1, 0), "{problems:?}");
    let (s, _) = store::read_sidecar(&side).unwrap().unwrap();
    assert_eq!(s.annotations[0].id, "x-1");
    assert_eq!(s.annotations[0].text, "Unrelated");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&side).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o604, "{mode:o}");
    }
}
