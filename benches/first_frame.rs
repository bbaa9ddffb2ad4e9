//! DESIGN.md §5: "a 50 MB article must show its first frame about as fast as
//! `less` does, and a keystroke must cost what is visible, not what is loaded."
//!
//! Measures the library's share of that on a 50 MB article generated at start
//! (news-like paragraphs, some emoji and right-to-left text, one 2 MB paragraph
//! without a newline):
//! 1. opening: the preview the TUI shows first (`Document::load_prefix`, the
//!    file's first 64 KiB), and the whole load that follows in the background
//!    (`Document::load`, `Article::open`), against a model of what `less` does
//!    for its first screen (open, read 64 KiB, find 50 line breaks);
//! 2. code point <-> byte conversion at the end of 50 MB against a 5 KB text;
//! 3. `sentence_at` and `next_word` in the middle of the 2 MB paragraph
//!    against an ordinary paragraph.
//!
//! After each group it prints the ratio it is judged by, from its own timing
//! loop (median of several rounds), e.g. `open 50MB: Document::load /
//! less-baseline = 14.2x`.

use std::fs::File;
use std::hint::black_box;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

// The article generator is shared with the end-to-end tests.
#[path = "../tests/common/mod.rs"]
mod common;

use claimtag_model::text::floor_char_boundary;
use claimtag_model::{Article, Document, Sidecar, anchor, store};

const BIG_BYTES: usize = 50 * 1024 * 1024;
const SMALL_BYTES: usize = 5 * 1024;
const ANNOTATOR: &str = "bench";

struct Corpus {
    /// Holds the files; removed when the bench ends.
    _dir: tempfile::TempDir,
    big: PathBuf,
    /// The same article with a sidecar holding one annotation.
    big_annotated: PathBuf,
    small: PathBuf,
    long_paragraph: Range<usize>,
}

fn corpus() -> Corpus {
    let dir = tempfile::tempdir().expect("temp dir");
    let big = dir.path().join("big.txt");
    let long = common::write_news_article(&big, BIG_BYTES, true);
    let big_annotated = dir.path().join("big-annotated.txt");
    std::fs::copy(&big, &big_annotated).expect("copy article");

    // A sidecar whose hash matches, so opening checks it as a reopen would.
    let doc = Document::load(&big_annotated).expect("load generated article");
    let span = doc.sentence_at(doc.len_bytes() / 3);
    let mut sidecar = Sidecar::new(
        ANNOTATOR,
        "big-annotated.txt",
        doc.sha256(),
        doc.len_chars(),
    );
    let id = sidecar.fresh_id();
    sidecar
        .annotations
        .push(anchor::new_annotation(&doc, span, "claim", id));
    store::write_atomic(
        &store::sidecar_path(&big_annotated, ANNOTATOR),
        sidecar.to_yaml().as_bytes(),
    )
    .expect("write sidecar");

    let small = dir.path().join("small.txt");
    common::write_news_article(&small, SMALL_BYTES, false);
    Corpus {
        _dir: dir,
        big,
        big_annotated,
        small,
        long_paragraph: long.expect("the long paragraph was written"),
    }
}

/// What `less` does before its first screen: open the file, read the first
/// 64 KiB, find the first 50 line breaks. Returns where line 50 starts.
fn less_first_screen(path: &Path) -> usize {
    let mut f = File::open(path).expect("open");
    let mut buf = vec![0u8; 64 * 1024];
    let mut filled = 0;
    while filled < buf.len() {
        match f.read(&mut buf[filled..]).expect("read") {
            0 => break,
            n => filled += n,
        }
    }
    memchr::memchr_iter(b'\n', &buf[..filled])
        .take(50)
        .last()
        .map_or(0, |i| i + 1)
}

/// Median time of one call of `f`, over `rounds` rounds of `calls` calls.
fn per_call<R>(rounds: usize, calls: usize, mut f: impl FnMut() -> R) -> Duration {
    let mut times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..calls {
                black_box(f());
            }
            t.elapsed() / calls as u32
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn ratio(label: &str, what: Duration, against: Duration) {
    println!(
        "{label} = {:.1}x   ({what:?} vs {against:?})",
        what.as_secs_f64() / against.as_secs_f64()
    );
}

fn first_frame(c: &mut Criterion) {
    let corpus = corpus();
    let big = Document::load(&corpus.big).expect("load");
    let small = Document::load(&corpus.small).expect("load");
    let long = &corpus.long_paragraph;
    assert!(long.len() >= common::LONG_PARAGRAPH_BYTES);
    assert!(!big.text()[long.clone()].contains('\n'));
    assert_eq!(
        big.len_bytes(),
        std::fs::metadata(&corpus.big).unwrap().len() as usize
    );

    // ---- 1. opening ----
    let mut g = c.benchmark_group("open");
    g.bench_function("less-baseline 50MB", |b| {
        b.iter(|| less_first_screen(black_box(&corpus.big)))
    });
    g.bench_function("Document::load 50MB", |b| {
        b.iter(|| Document::load(black_box(&corpus.big)).expect("load"))
    });
    g.bench_function("Article::open 50MB, no sidecar", |b| {
        b.iter(|| Article::open(black_box(&corpus.big), ANNOTATOR).expect("open"))
    });
    g.bench_function("Article::open 50MB, with sidecar", |b| {
        b.iter(|| Article::open(black_box(&corpus.big_annotated), ANNOTATOR).expect("open"))
    });
    g.bench_function("Document::load_prefix (the TUI's first frame) 50MB", |b| {
        b.iter(|| {
            Document::load_prefix(black_box(&corpus.big), claimtag_model::text::PREVIEW_BYTES)
                .expect("prefix")
        })
    });
    g.finish();
    let less = per_call(5, 200, || less_first_screen(&corpus.big));
    let load = per_call(5, 1, || Document::load(&corpus.big).expect("load"));
    let open = per_call(5, 1, || {
        Article::open(&corpus.big, ANNOTATOR).expect("open")
    });
    let reopen = per_call(5, 1, || {
        let a = Article::open(&corpus.big_annotated, ANNOTATOR).expect("open");
        assert_eq!(a.sidecar.annotations.len(), 1);
        a
    });
    let prefix = per_call(5, 20, || {
        Document::load_prefix(&corpus.big, claimtag_model::text::PREVIEW_BYTES).expect("prefix")
    });
    // What the screen waits for: the TUI shows the file's start from this
    // preview; the whole load below runs in the background.
    ratio(
        "first frame 50MB: Document::load_prefix / less-baseline",
        prefix,
        less,
    );
    ratio("open 50MB: Document::load / less-baseline", load, less);
    ratio("open 50MB: Article::open / less-baseline", open, less);
    ratio(
        "open 50MB: Article::open with sidecar / less-baseline",
        reopen,
        less,
    );

    // ---- 2. code point <-> byte at the end of 50 MB vs 5 KB ----
    let mut g = c.benchmark_group("offsets");
    let (big_last, small_last) = (big.len_chars() - 1, small.len_chars() - 1);
    let (big_end, small_end) = (big.len_bytes() - 1, small.len_bytes() - 1);
    g.bench_function("char_to_byte end of 50MB", |b| {
        b.iter(|| big.char_to_byte(black_box(big_last)))
    });
    g.bench_function("char_to_byte end of 5KB", |b| {
        b.iter(|| small.char_to_byte(black_box(small_last)))
    });
    g.bench_function("byte_to_char end of 50MB", |b| {
        b.iter(|| big.byte_to_char(black_box(big_end)))
    });
    g.bench_function("byte_to_char end of 5KB", |b| {
        b.iter(|| small.byte_to_char(black_box(small_end)))
    });
    g.finish();
    ratio(
        "char_to_byte 50MB / 5KB",
        per_call(7, 20_000, || big.char_to_byte(black_box(big_last))),
        per_call(7, 20_000, || small.char_to_byte(black_box(small_last))),
    );
    ratio(
        "byte_to_char 50MB / 5KB",
        per_call(7, 20_000, || big.byte_to_char(black_box(big_end))),
        per_call(7, 20_000, || small.byte_to_char(black_box(small_end))),
    );

    // ---- 3. motions inside the 2 MB paragraph vs an ordinary one ----
    let in_long = floor_char_boundary(big.text(), long.start + long.len() / 2);
    // An ordinary paragraph: the one holding the point a tenth of the way in.
    let in_short = {
        let p = big.paragraph_at(floor_char_boundary(big.text(), big.len_bytes() / 10));
        floor_char_boundary(big.text(), p.start + p.len() / 2)
    };
    assert!(big.paragraph_at(in_short).len() < 4096);
    let mut g = c.benchmark_group("motions");
    g.bench_function("sentence_at middle of 2MB paragraph", |b| {
        b.iter(|| big.sentence_at(black_box(in_long)))
    });
    g.bench_function("sentence_at ordinary paragraph", |b| {
        b.iter(|| big.sentence_at(black_box(in_short)))
    });
    g.bench_function("next_word middle of 2MB paragraph", |b| {
        b.iter(|| big.next_word(black_box(in_long)))
    });
    g.bench_function("next_word ordinary paragraph", |b| {
        b.iter(|| big.next_word(black_box(in_short)))
    });
    g.finish();
    ratio(
        "sentence_at 2MB paragraph / ordinary paragraph",
        per_call(7, 200, || big.sentence_at(black_box(in_long))),
        per_call(7, 200, || big.sentence_at(black_box(in_short))),
    );
    ratio(
        "next_word 2MB paragraph / ordinary paragraph",
        per_call(7, 200, || big.next_word(black_box(in_long))),
        per_call(7, 200, || big.next_word(black_box(in_short))),
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = first_frame
}
criterion_main!(benches);
