//! Cost of drawing a frame and of a keystroke, on a 5 KB article and on a 50 MB
//! one (DESIGN.md §5: "a keystroke must cost what is visible, not what is
//! loaded"). Prints the ratio 50 MB / 5 KB it is judged by: about 1 is right.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use claimtag_model::anchor::new_annotation;
use claimtag_model::{Article, Scheme};
use claimtag_tui::app::{Action, App};
use claimtag_tui::keymap::Keymap;
use claimtag_tui::review::Review;
use claimtag_tui::theme::Theme;

const SENTENCES: &[&str] = &[
    "The Taliban said the leadership of ISIS-K had moved to Balochistan with the help of intelligence agencies.",
    "Pakistan's Foreign Office denied the claim and called it baseless.",
    "Officials in Kabul offered no evidence for the accusation, Tolo News reported.",
    "طالبان گفتند که رهبری داعش خراسان به پاکستان منتقل شده است.",
    "Analysts 👨‍👩‍👧 in 🇦🇫 and 🇵🇰 disagreed about the group's reach.",
];

fn article_text(bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 1024);
    let mut i = 0;
    while s.len() < bytes {
        for _ in 0..6 {
            s.push_str(SENTENCES[i % SENTENCES.len()]);
            s.push(' ');
            i += 1;
        }
        s.push_str("\n\n");
    }
    s
}

/// The TUI's state for one article, nothing loaded yet.
fn empty_app(path: &Path) -> App {
    let scheme = Scheme::default();
    let keymap = Keymap::defaults(&scheme);
    let theme = Theme::new(None, false, &scheme, &Default::default());
    App::new(
        scheme,
        keymap,
        theme,
        "bench".into(),
        vec![path.to_path_buf()],
        true,
    )
}

fn app_for(path: &Path) -> App {
    let mut app = empty_app(path);
    let article = Article::open(path, "bench").map_err(|e| e.to_string());
    app.update(Action::Loaded(0, Box::new(article)));
    app.update(Action::Resize(120, 40));
    app
}

fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// Mean time of `f` over `n` runs.
fn mean(n: u32, mut f: impl FnMut()) -> Duration {
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    t.elapsed() / n
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let small = dir.path().join("small.txt");
    let big = dir.path().join("big.txt");
    std::fs::write(&small, article_text(5_000)).expect("write");
    std::fs::write(&big, article_text(50_000_000)).expect("write");
    let mut term = Terminal::new(TestBackend::new(120, 40)).expect("terminal");

    let mut ratios = Vec::new();
    for (name, path) in [("5KB", &small), ("50MB", &big)] {
        let mut app = app_for(path);
        // Tag a few spans near the middle so drawing has colours to work out.
        let mid = app.doc_of(0).expect("loaded").doc().len_bytes() / 2;
        app.place_cursor(mid);
        for k in ['s', 'c', ')', 'e', ')', 'd'] {
            app.update(key(k));
        }
        c.bench_function(&format!("draw frame {name}"), |b| {
            b.iter(|| {
                term.draw(|f| f.render_widget(&app, f.area()))
                    .expect("draw");
            })
        });
        c.bench_function(&format!("keystroke j+draw {name}"), |b| {
            b.iter(|| {
                app.update(key('j'));
                term.draw(|f| f.render_widget(&app, f.area()))
                    .expect("draw");
            })
        });
        app.place_cursor(mid);
        let before = app.doc_of(0).expect("loaded").annotations().len();
        app.update(key('s'));
        app.update(key('e'));
        assert_eq!(
            app.doc_of(0).expect("loaded").annotations().len(),
            before + 1,
            "tagging works"
        );
        app.update(key('u'));
        c.bench_function(&format!("tag sentence s,e,u {name}"), |b| {
            b.iter(|| {
                app.update(key('s'));
                app.update(key('e'));
                app.update(key('u'));
                black_box(&app);
            })
        });
        let frame = mean(200, || {
            term.draw(|f| f.render_widget(&app, f.area()))
                .expect("draw");
        });
        let stroke = mean(200, || {
            app.update(key('k'));
            term.draw(|f| f.render_widget(&app, f.area()))
                .expect("draw");
        });
        ratios.push((name, frame, stroke));
    }
    // First frame of a 50 MB article as the TUI does it (preview of the start,
    // state, one frame), against what `less` does for its first screen: open,
    // read 64 KiB, find 50 line breaks.
    let first_frame = mean(20, || {
        let doc = claimtag_model::Document::load_prefix(&big, claimtag_model::text::PREVIEW_BYTES)
            .expect("preview");
        let mut app = empty_app(&big);
        app.show_preview(0, doc);
        app.update(Action::Resize(120, 40));
        term.draw(|f| f.render_widget(&app, f.area()))
            .expect("draw");
    });
    let less = mean(20, || {
        use std::io::Read;
        let mut buf = vec![0u8; 64 * 1024];
        let mut f = std::fs::File::open(&big).expect("open");
        let n = f.read(&mut buf).expect("read");
        black_box(memchr::memchr_iter(b'\n', &buf[..n]).take(50).count());
    });
    let full_load = mean(3, || {
        black_box(Article::open(&big, "bench").expect("open"));
    });
    println!(
        "\nratio first frame 50MB / less-like first screen = {:.1}x ({:?} vs {:?}); the whole file loads in the background in {:?}",
        first_frame.as_secs_f64() / less.as_secs_f64(),
        first_frame,
        less,
        full_load
    );

    // A search with no match near the top (none at all) on the 50 MB article:
    // a frame must cost what a frame without a search costs.
    let mut app = app_for(&big);
    let plain = mean(100, || {
        term.draw(|f| f.render_widget(&app, f.area()))
            .expect("draw");
    });
    app.set_search("no such words anywhere");
    let searching = mean(100, || {
        term.draw(|f| f.render_widget(&app, f.area()))
            .expect("draw");
    });
    println!(
        "\nratio frame with an active search / without, 50MB = {:.2}x ({:?} vs {:?})",
        searching.as_secs_f64() / plain.as_secs_f64(),
        searching,
        plain
    );
    drop(app);

    // The review screen with 10 and with 1000 differences: the frame must not
    // cost more with more differences (they are cached per revision).
    let few = review_app(dir.path(), 10);
    let many = review_app(dir.path(), 1000);
    let frame_few = mean(100, || {
        term.draw(|f| f.render_widget(&few, f.area()))
            .expect("draw");
    });
    let frame_many = mean(100, || {
        term.draw(|f| f.render_widget(&many, f.area()))
            .expect("draw");
    });
    println!(
        "ratio review frame 1000 / 10 differences = {:.2}x ({:?} vs {:?})",
        frame_many.as_secs_f64() / frame_few.as_secs_f64(),
        frame_many,
        frame_few
    );

    let (_, f_small, k_small) = ratios[0];
    let (_, f_big, k_big) = ratios[1];
    println!(
        "\nratio draw frame 50MB/5KB = {:.2}x ({:?} vs {:?})",
        f_big.as_secs_f64() / f_small.as_secs_f64(),
        f_big,
        f_small
    );
    println!(
        "ratio keystroke 50MB/5KB = {:.2}x ({:?} vs {:?})",
        k_big.as_secs_f64() / k_small.as_secs_f64(),
        k_big,
        k_small
    );
}

/// The review screen on an article of 1,200 sentences where bob tagged the
/// first `n` and the target set none: `n` differences.
fn review_app(dir: &Path, n: usize) -> App {
    let sub = dir.join(format!("review{n}"));
    std::fs::create_dir_all(&sub).expect("dir");
    let path = sub.join("a.txt");
    let text: String = (0..1200)
        .map(|i| format!("Sentence number {i} says something. "))
        .collect();
    std::fs::write(&path, &text).expect("write");
    let mut bob = Article::open(&path, "bob").expect("open");
    let mut at = 0;
    for i in 0..n {
        let s = format!("Sentence number {i} says something.");
        let start = text[at..].find(&s).expect("sentence") + at;
        at = start + s.len();
        let id = bob.sidecar.fresh_id();
        let a = new_annotation(&bob.doc, start..at, "claim", id);
        bob.sidecar.annotations.push(a);
    }
    bob.save().expect("save");
    let mut app = empty_app(&path);
    app.start_review(Review::new("bob".into(), None, "bench".into()), 0);
    let doc = std::sync::Arc::new(claimtag_model::Document::load(&path).expect("load"));
    app.update(Action::Loaded(
        0,
        Box::new(Ok(Article::with_doc(&path, doc.clone(), "bench"))),
    ));
    app.update(Action::Loaded(
        1,
        Box::new(Ok(Article::with_doc(&path, doc, "bob"))),
    ));
    app.update(Action::Resize(120, 40));
    app
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    targets = bench
}
criterion_main!(benches);
