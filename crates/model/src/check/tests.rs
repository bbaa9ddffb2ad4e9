use super::problem::clip;
use super::*;
use crate::error::Error;
use crate::format::{Link, Sidecar};
use crate::text::Document;
use crate::{anchor, merge, store};

const TEXT: &str =
    "Officials said the crossing reopened. 😀 Witnesses denied it.\r\nTrucks queued for hours.";

/// A folder with `a.txt` holding [`TEXT`].
fn corpus() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("a.txt");
    std::fs::write(&src, TEXT).unwrap();
    (dir, src)
}

/// Saves `who`'s sidecar for `src` with spans given by label and quote
/// (first occurrence), after `edit` had its say.
fn annotate(
    src: &Path,
    who: &str,
    spans: &[(&str, &str)],
    edit: impl FnOnce(&mut Sidecar),
) -> PathBuf {
    let doc = Document::load(src).unwrap();
    let name = src.file_name().unwrap().to_str().unwrap();
    let mut sc = Sidecar::new(who, name, doc.sha256(), doc.len_chars());
    // Plain numbered ids, as older sidecars have, so tests can name them.
    for (n, &(label, quote)) in spans.iter().enumerate() {
        let at = doc.text().find(quote).unwrap();
        let id = format!("a{}", n + 1);
        sc.annotations.push(anchor::new_annotation(
            &doc,
            at..at + quote.len(),
            label,
            id,
        ));
    }
    edit(&mut sc);
    let path = store::sidecar_path(src, who);
    std::fs::write(&path, sc.to_yaml()).unwrap();
    path
}

fn check(path: &Path) -> SidecarReport {
    check_sidecar(path, &Scheme::default())
}

fn messages(r: &SidecarReport) -> Vec<String> {
    r.findings.iter().map(ToString::to_string).collect()
}

/// The only finding of a report.
fn only(r: &SidecarReport) -> &Finding {
    assert_eq!(r.findings.len(), 1, "{:?}", messages(r));
    &r.findings[0]
}

/// Line of the first line of `yaml` that contains `needle`.
fn line_of(path: &Path, needle: &str) -> usize {
    let yaml = std::fs::read_to_string(path).unwrap();
    yaml.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn a_clean_sidecar_has_no_findings() {
    let (_dir, src) = corpus();
    let side = annotate(
        &src,
        "alice",
        &[("claim", "the crossing reopened"), ("denial", "denied it")],
        |sc| {
            sc.annotations[1].links.push(Link {
                rel: "denies".into(),
                to: "a1".into(),
            })
        },
    );
    let r = check(&side);
    assert!(r.findings.is_empty(), "{:?}", messages(&r));
    assert_eq!(r.fixed, None);
}

#[test]
fn bad_name() {
    let (dir, _src) = corpus();
    let side = dir.path().join("a.txt.two words.ann.yaml");
    std::fs::write(&side, "whatever").unwrap();
    let f = only(&check(&side)).to_string();
    assert_eq!(
        f,
        format!(
            "{}: not named <source>.<annotator>.ann.yaml (annotator: 1-32 of A-Za-z0-9_-)",
            side.display()
        )
    );
}

#[test]
fn parse_error_has_its_line_and_column() {
    let (_dir, src) = corpus();
    let side = store::sidecar_path(&src, "bob");
    let broken = "format: claimtag/1\nsource:\n  file: a.txt\nannotator: bob\nannotations:\n- id: a1\n  label: [claim\n";
    std::fs::write(&side, broken).unwrap();
    let r = check(&side);
    let f = only(&r);
    assert!(matches!(f.problem, Problem::Unparsable(Error::Yaml { .. })));
    assert!(!f.problem.is_unreadable());
    let line = f.line.unwrap();
    assert!(line == 7 || line == 8, "{f}");
    assert!(f.column.is_some());
    assert!(
        f.to_string()
            .starts_with(&format!("{}:{line}:", side.display())),
        "{f}"
    );
}

#[test]
fn unknown_format_has_its_line_and_column() {
    let (_dir, src) = corpus();
    let side = store::sidecar_path(&src, "carol");
    std::fs::write(
        &side,
        "annotator: carol\nformat: claimtag/9\nsource: {file: a.txt}\n",
    )
    .unwrap();
    let r = check(&side);
    let f = only(&r);
    assert_eq!((f.line, f.column), (Some(2), Some(9)), "{f}");
    assert_eq!(
        f.to_string(),
        format!(
            "{}:2:9: unknown format \"claimtag/9\", expected \"claimtag/1\"",
            side.display()
        )
    );
}

#[test]
fn sidecar_not_utf8_is_unparsable() {
    let (_dir, src) = corpus();
    let side = store::sidecar_path(&src, "gus");
    std::fs::write(&side, b"format: claimtag/1\n\xff\n").unwrap();
    let f = only(&check(&side)).to_string();
    assert_eq!(
        f,
        format!("{}: not valid UTF-8 at byte offset 19", side.display())
    );
}

#[test]
fn vanished_and_unreadable_sidecars_are_unreadable() {
    let (_dir, src) = corpus();
    let gone = store::sidecar_path(&src, "nobody");
    let r = check(&gone);
    let f = only(&r);
    assert!(matches!(f.problem, Problem::Vanished));
    assert!(f.problem.is_unreadable());
    assert_eq!(f.to_string(), format!("{}: no such file", gone.display()));
    // A folder where the sidecar should be cannot be read as a file.
    let folder = store::sidecar_path(&src, "dir");
    std::fs::create_dir(&folder).unwrap();
    let r = check(&folder);
    let f = only(&r);
    assert!(matches!(f.problem, Problem::Unreadable(_)), "{f}");
    assert!(f.to_string().starts_with(&folder.display().to_string()));
}

#[test]
fn annotator_and_source_file_must_match_the_name() {
    let (_dir, src) = corpus();
    let side = annotate(&src, "carol", &[("claim", "Officials")], |sc| {
        sc.annotator = "dave".into();
        sc.source.file = "x.txt".into();
    });
    let r = check(&side);
    assert_eq!(
        messages(&r),
        [
            format!(
                "{}:{}: annotator \"dave\" differs from the file name's \"carol\"",
                side.display(),
                line_of(&side, "annotator:")
            ),
            format!(
                "{}:{}: source.file \"x.txt\" differs from the file name's \"a.txt\"",
                side.display(),
                line_of(&side, "file:")
            ),
        ]
    );
}

#[test]
fn missing_source() {
    let (dir, src) = corpus();
    let side = annotate(&src, "alice", &[("claim", "Officials")], |_| {});
    std::fs::remove_file(&src).unwrap();
    let r = check(&side);
    let f = only(&r);
    assert!(matches!(&f.problem, Problem::MissingSource { source } if *source == src));
    assert!(!f.problem.is_unreadable());
    assert_eq!(
        f.to_string(),
        format!(
            "{}: its source file {} is missing",
            side.display(),
            dir.path().join("a.txt").display()
        )
    );
}

#[test]
fn source_not_text_and_source_unreadable() {
    let (_dir, src) = corpus();
    let side = annotate(&src, "alice", &[("claim", "Officials")], |_| {});
    std::fs::write(&src, b"abc\xffdef").unwrap();
    let r = check(&side);
    let f = only(&r);
    assert!(matches!(f.problem, Problem::SourceNotText(_)));
    assert_eq!(
        f.to_string(),
        format!(
            "{}: not valid UTF-8 at byte offset 3 (source of {})",
            src.display(),
            side.display()
        )
    );
    std::fs::remove_file(&src).unwrap();
    std::fs::create_dir(&src).unwrap();
    let r = check(&side);
    assert!(matches!(only(&r).problem, Problem::Unreadable(_)));
    assert!(only(&r).problem.is_unreadable());
}

#[test]
fn stale_hash_says_what_reanchoring_would_do() {
    let (_dir, src) = corpus();
    let side = annotate(
        &src,
        "alice",
        &[
            ("claim", "the crossing reopened"),
            ("quote", "Witnesses denied it."),
            ("evidence", "Trucks queued for hours."),
        ],
        |_| {},
    );
    std::fs::write(
        &src,
        "UPDATE: Officials said the crossing reopened. 😀 Witnesses denied it.\r\nLater.",
    )
    .unwrap();
    let before = std::fs::read(&side).unwrap();
    let r = check(&side);
    let doc = Document::load(&src).unwrap();
    let Problem::Stale {
        recorded,
        actual,
        would,
    } = &r.findings[0].problem
    else {
        panic!("{:?}", messages(&r));
    };
    assert_eq!(actual, doc.sha256());
    assert_ne!(recorded, actual);
    assert_eq!((would.in_place, would.moved, would.orphaned), (0, 2, 1));
    assert_eq!(r.findings[0].line, Some(4));
    assert_eq!(
        r.findings[0].to_string(),
        format!(
            "{}:4: stale: source.sha256 {} differs from the source's {} (the source changed); \
             re-anchoring would keep 0 in place, move 2, orphan 1 (run `claimtag check --fix`)",
            side.display(),
            &recorded[..12],
            &actual[..12]
        )
    );
    // Offsets are not judged on a stale sidecar, labels still are.
    assert_eq!(r.findings.len(), 2, "{:?}", messages(&r));
    assert!(matches!(
        &r.findings[1].problem,
        Problem::UnknownLabel { label, .. } if label == "quote"
    ));
    // Checking never writes.
    assert_eq!(std::fs::read(&side).unwrap(), before);
}

#[test]
fn empty_hash_is_shown_as_empty() {
    let (_dir, src) = corpus();
    let side = annotate(&src, "alice", &[], |sc| sc.source.sha256.clear());
    let f = only(&check(&side)).to_string();
    assert!(f.contains("stale: source.sha256 (empty) differs"), "{f}");
}

#[test]
fn wrong_chars() {
    let (_dir, src) = corpus();
    let side = annotate(&src, "alice", &[("claim", "Officials")], |sc| {
        sc.source.chars = 99
    });
    let r = check(&side);
    let f = only(&r);
    assert!(matches!(
        f.problem,
        Problem::CharsMismatch {
            recorded: 99,
            actual: 86
        }
    ));
    assert_eq!(
        f.to_string(),
        format!(
            "{}:{}: source.chars 99 but the source has 86 code points",
            side.display(),
            line_of(&side, "chars:")
        )
    );
}

#[test]
fn offsets_out_of_range() {
    let (_dir, src) = corpus();
    let side = annotate(&src, "alice", &[("claim", "Officials")], |sc| {
        sc.annotations[0].end = 400
    });
    let r = check(&side);
    let f = only(&r);
    assert_eq!(f.line, Some(line_of(&side, "id: a1")));
    assert_eq!(
        f.to_string(),
        format!(
            "{}:{}: span a1: offsets 0..400 are beyond the source's 86 code points",
            side.display(),
            line_of(&side, "id: a1")
        )
    );
}

#[test]
fn text_mismatch_counts_code_points_and_clips() {
    let (_dir, src) = corpus();
    // After the emoji: code point offsets differ from byte offsets.
    let side = annotate(&src, "alice", &[("denial", "Witnesses")], |sc| {
        sc.annotations[0].text = "W".repeat(50)
    });
    let r = check(&side);
    let f = only(&r);
    let Problem::TextMismatch {
        start,
        end,
        in_source,
        ..
    } = &f.problem
    else {
        panic!("{f}");
    };
    assert_eq!((*start, *end, in_source.as_str()), (40, 49, "Witnesses"));
    assert!(
        f.to_string().ends_with(&format!(
            "span a1: text at 40..49 is \"Witnesses\" in the source but \"{}…\" in the sidecar",
            "W".repeat(40)
        )),
        "{f}"
    );
}

#[test]
fn orphan() {
    let (_dir, src) = corpus();
    let side = annotate(&src, "alice", &[("claim", "Officials")], |sc| {
        sc.annotations[0].text = "Gone".into();
        sc.annotations[0].orphan = true;
    });
    let r = check(&side);
    let f = only(&r);
    assert_eq!(
        f.to_string(),
        format!(
            "{}:{}: span a1 (claim 0..9) is orphaned: its text \"Gone\" was not found in the source",
            side.display(),
            line_of(&side, "id: a1")
        )
    );
}

#[test]
fn unknown_label_lists_the_scheme() {
    let (_dir, src) = corpus();
    let side = annotate(&src, "alice", &[("quote", "Officials")], |_| {});
    let r = check(&side);
    assert_eq!(
        only(&r).to_string(),
        format!(
            "{}:{}: span a1: label \"quote\" is not in the scheme (claim, denial, evidence)",
            side.display(),
            line_of(&side, "id: a1")
        )
    );
}

#[test]
fn links_unknown_target_unknown_relation_and_not_allowed() {
    let (_dir, src) = corpus();
    let side = annotate(
        &src,
        "alice",
        &[("claim", "the crossing reopened"), ("denial", "denied it")],
        |sc| {
            for (rel, to) in [("denies", "a9"), ("bogus", "a1"), ("supports", "a1")] {
                sc.annotations[1].links.push(Link {
                    rel: rel.into(),
                    to: to.into(),
                });
            }
        },
    );
    let r = check(&side);
    let at = format!("{}:{}", side.display(), line_of(&side, "id: a2"));
    // Links are written sorted by relation, then target.
    assert_eq!(
        messages(&r),
        [
            format!("{at}: span a2: relation \"bogus\" is not in the scheme"),
            format!("{at}: span a2: link denies -> a9: no annotation has id \"a9\""),
            format!("{at}: span a2: the scheme does not allow supports from denial to claim (a1)"),
        ]
    );
    assert!(matches!(
        r.findings[0].problem,
        Problem::UnknownRelation { .. }
    ));
    assert!(matches!(
        r.findings[1].problem,
        Problem::LinkTargetMissing { .. }
    ));
    assert!(matches!(
        r.findings[2].problem,
        Problem::RelationNotAllowed { .. }
    ));
}

#[test]
fn not_fixed_names_the_error() {
    let f = Finding {
        sidecar: PathBuf::from("a.txt.bob.ann.yaml"),
        line: None,
        column: None,
        problem: Problem::NotFixed(Error::ChangedOnDisk {
            path: PathBuf::from("a.txt.bob.ann.yaml"),
        }),
    };
    assert_eq!(
        f.to_string(),
        "a.txt.bob.ann.yaml: changed on disk since it was loaded; not overwritten (not fixed)"
    );
    assert!(!f.problem.is_unreadable());
}

#[test]
fn fix_reanchors_corrects_metadata_and_is_idempotent() {
    let (_dir, src) = corpus();
    let side = annotate(
        &src,
        "alice",
        &[
            ("claim", "the crossing reopened"),
            ("denial", "Witnesses denied it."),
            ("evidence", "Trucks queued for hours."),
        ],
        |sc| sc.annotator = "mallory".into(),
    );
    std::fs::write(
        &src,
        "UPDATE: Officials said the crossing reopened. 😀 Witnesses denied it.\r\nLater.",
    )
    .unwrap();
    let r = fix_sidecar(&side, &Scheme::default());
    let fixed = r.fixed.clone().unwrap();
    assert_eq!(
        (
            fixed.anchors.in_place,
            fixed.anchors.moved,
            fixed.anchors.orphaned
        ),
        (0, 2, 1)
    );
    assert_eq!(
        fixed.to_string(),
        format!(
            "fixed {}: 0 in place, 2 moved, 1 orphaned (kept, flagged `orphan: true`)",
            side.display()
        )
    );
    // What remains is the orphan, at its line in the rewritten file.
    let f = only(&r);
    assert!(matches!(&f.problem, Problem::Orphan { id, .. } if id == "a3"));
    assert_eq!(f.line, Some(line_of(&side, "id: a3")));

    let (sc, _) = store::read_sidecar(&side).unwrap().unwrap();
    let doc = Document::load(&src).unwrap();
    assert_eq!(sc.annotator, "alice");
    assert_eq!(sc.source.sha256, doc.sha256());
    assert_eq!(sc.source.chars, doc.len_chars());
    assert_eq!(sc.annotations.len(), 3);
    for a in sc.annotations.iter().filter(|a| !a.orphan) {
        assert_eq!(doc.slice_chars(a.start, a.end), Some(a.text.as_str()));
    }

    // A second fix has nothing to do and leaves the file alone.
    let bytes = std::fs::read(&side).unwrap();
    let again = fix_sidecar(&side, &Scheme::default());
    assert_eq!(again.fixed, None);
    assert_eq!(messages(&again), messages(&r));
    assert_eq!(std::fs::read(&side).unwrap(), bytes);
}

#[test]
fn fix_repairs_offsets_that_no_longer_match() {
    let (_dir, src) = corpus();
    let side = annotate(&src, "alice", &[("denial", "Witnesses denied it.")], |sc| {
        sc.annotations[0].start -= 1;
        sc.annotations[0].end -= 1;
    });
    assert!(matches!(
        only(&check(&side)).problem,
        Problem::TextMismatch { .. }
    ));
    let r = fix_sidecar(&side, &Scheme::default());
    assert_eq!(r.fixed.as_ref().unwrap().anchors.moved, 1);
    assert!(r.findings.is_empty(), "{:?}", messages(&r));
    assert!(check(&side).findings.is_empty());
}

#[test]
fn fix_never_rewrites_what_it_cannot_parse() {
    let (dir, src) = corpus();
    let broken = [
        ("bob", "format: claimtag/1\nannotations: [\n"),
        (
            "carol",
            "format: claimtag/9\nsource: {file: a.txt}\nannotator: carol\n",
        ),
    ];
    for (who, yaml) in broken {
        std::fs::write(store::sidecar_path(&src, who), yaml).unwrap();
    }
    std::fs::write(
        &src,
        "UPDATE: Officials said the crossing reopened. 😀 Witnesses denied it.",
    )
    .unwrap();
    let report = fix_corpus(&[dir.path().to_path_buf()], Schemes::Discover).unwrap();
    assert_eq!(report.checked(), 2);
    assert_eq!(report.fixes().count(), 0);
    assert_eq!(report.problems().count(), 2);
    for (who, yaml) in broken {
        assert_eq!(
            std::fs::read_to_string(store::sidecar_path(&src, who)).unwrap(),
            yaml
        );
    }
}

#[test]
fn collects_sidecars_skipping_hidden_and_linked_folders() {
    let (dir, src) = corpus();
    let root = dir.path();
    std::fs::create_dir_all(root.join("sub/.hidden")).unwrap();
    let side = annotate(&src, "alice", &[], |_| {});
    let nested = root.join("sub/b.txt");
    std::fs::write(&nested, "b").unwrap();
    let nested_side = annotate(&nested, "bob", &[], |_| {});
    std::fs::write(root.join("sub/.hidden/c.txt.bob.ann.yaml"), "").unwrap();
    std::fs::write(root.join("sub/.c.txt.bob.ann.yaml"), "").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("..", root.join("sub/up")).unwrap();
    let all: Vec<PathBuf> = CorpusIndex::scan_with_sidecars(&[root.to_path_buf()])
        .unwrap()
        .sidecars()
        .collect();
    assert_eq!(all, [side.clone(), nested_side.clone()]);
    // A source brings its sidecars; a sidecar is itself; no duplicates.
    let some: Vec<PathBuf> =
        CorpusIndex::scan_with_sidecars(&[nested.clone(), nested_side.clone(), side.clone()])
            .unwrap()
            .sidecars()
            .collect();
    assert_eq!(some, [side, nested_side]);
    assert!(CorpusIndex::scan(&[root.join("nope")]).is_err());
}

#[test]
fn corpus_uses_each_folders_scheme_or_the_given_one() {
    let (dir, _src) = corpus();
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(
        other.join("claimtag.yaml"),
        "labels:\n- {name: fact, key: f, colour: red}\n",
    )
    .unwrap();
    let src = other.join("d.txt");
    std::fs::write(&src, TEXT).unwrap();
    annotate(&src, "zed", &[("fact", "Officials")], |_| {});
    let paths = [dir.path().to_path_buf()];
    let report = check_corpus(&paths, Schemes::Discover).unwrap();
    assert!(report.is_clean(), "{:?}", report.sidecars);
    let report = check_corpus(&paths, Schemes::Given(&Scheme::default())).unwrap();
    assert_eq!(report.problems().count(), 1);
    assert_eq!(report.unreadable().count(), 0);
}

#[test]
fn a_bad_scheme_fails_before_anything_is_fixed() {
    let (dir, src) = corpus();
    let side = annotate(&src, "alice", &[("claim", "Officials")], |_| {});
    std::fs::write(&src, format!("Headline\n\n{TEXT}")).unwrap();
    let bad = dir.path().join("zz");
    std::fs::create_dir(&bad).unwrap();
    std::fs::write(bad.join("claimtag.yaml"), "labels: []\n").unwrap();
    let other = bad.join("e.txt");
    std::fs::write(&other, TEXT).unwrap();
    annotate(&other, "bob", &[], |_| {});
    let before = std::fs::read(&side).unwrap();
    let mut seen = 0;
    let err = run_corpus(
        &[dir.path().to_path_buf()],
        Schemes::Discover,
        Mode::Fix,
        |_| seen += 1,
    )
    .unwrap_err();
    assert!(err.to_string().contains("claimtag.yaml"), "{err}");
    assert_eq!(seen, 0);
    assert_eq!(std::fs::read(&side).unwrap(), before);
}

#[test]
fn report_splits_problems_from_unreadable_files() {
    let (_dir, src) = corpus();
    let good = annotate(&src, "alice", &[("quote", "Officials")], |_| {});
    let gone = store::sidecar_path(&src, "ghost");
    let scheme = Scheme::default();
    let mut report = Report::default();
    report.add(check_sidecar(&gone, &scheme));
    report.add(check_sidecar(&good, &scheme));
    assert_eq!(report.checked(), 2);
    assert!(!report.is_clean());
    let problems: Vec<_> = report.problems().map(|f| f.sidecar.clone()).collect();
    let unreadable: Vec<_> = report.unreadable().map(|f| f.sidecar.clone()).collect();
    assert_eq!((problems, unreadable), (vec![good], vec![gone]));
}

#[test]
fn names_with_line_breaks_stay_on_one_line() {
    let (_dir, src) = corpus();
    let side = annotate(&src, "alice", &[("claim", "Officials")], |sc| {
        let a = &mut sc.annotations[0];
        a.id = "a\n1".into();
        a.label = "cl\taim".into();
        a.orphan = true;
        a.links.push(Link {
            rel: "de\rnies".into(),
            to: "x\ny".into(),
        });
    });
    let r = check(&side);
    assert_eq!(r.findings.len(), 3, "{:?}", messages(&r));
    for m in messages(&r) {
        assert_eq!(m.lines().count(), 1, "{m}");
    }
    assert!(
        messages(&r)[0].contains(r#"span "a\n1" ("cl\taim" 0..9) is orphaned"#),
        "{:?}",
        messages(&r)
    );
    assert!(
        messages(&r)[2].contains(r#"link "de\rnies" -> "x\ny": no annotation has id "x\ny""#),
        "{:?}",
        messages(&r)
    );
}

#[test]
fn clip_never_splits_a_code_point() {
    let s = "😀".repeat(50);
    assert_eq!(clip(&s).chars().count(), 41);
}

#[test]
fn unresolved_merge_conflicts_are_reported_and_links_to_them_hold() {
    let (_dir, src) = corpus();
    let side = annotate(
        &src,
        "alice",
        &[("claim", "the crossing reopened"), ("denial", "denied it")],
        |sc| {
            sc.annotations[1].links.push(Link {
                rel: "denies".into(),
                to: "a1".into(),
            })
        },
    );
    let base = store::read_sidecar(&side).unwrap().unwrap().0;
    let (mut ours, mut theirs) = (base.clone(), base.clone());
    ours.annotations[0].note = Some("first".into());
    theirs.annotations[0].note = Some("second".into());
    let merged = merge::merge(Some(&base), &ours, &theirs, |_| None);
    std::fs::write(&side, merged.sidecar.to_yaml()).unwrap();
    let r = check(&side);
    let f = only(&r);
    assert!(matches!(&f.problem, Problem::Conflict { id, .. } if id == "a1"));
    assert_eq!(f.line, Some(line_of(&side, "id: a1~ours")));
    assert!(
        f.to_string()
            .contains("unresolved merge conflict on a1: ours and theirs differ in note"),
        "{f}"
    );
}

#[test]
fn a_clean_sidecar_is_counted_not_kept() {
    let (dir, src) = corpus();
    annotate(&src, "alice", &[("claim", "Officials")], |_| {});
    annotate(&src, "bob", &[("claim", "crossing")], |_| {});
    let report = check_corpus(&[dir.path().to_path_buf()], Schemes::Discover).unwrap();
    assert_eq!(report.checked(), 2);
    assert!(report.is_clean());
    assert!(report.sidecars.is_empty(), "{:?}", report.sidecars);
}
