//! Cost of right-to-left display (issue 13): a frame and a keystroke on a
//! 50 MB Dari article against a 50 MB English one, both with `--bidi app`, and
//! the Dari one with bidi off. Prints the ratios it is judged by: a frame on a
//! right-to-left article should cost what one on a left-to-right article does
//! (about 1x). Levels are resolved only for the paragraphs laid out, and a
//! block is laid out (wrapped, then reordered) once per pane width and
//! direction: later frames draw its rows from the cache, and drawing does not
//! cut the text into graphemes or measure it again. The ratios are medians of
//! rounds that take the three cases in turn, so a passing load weighs on all.

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use claimtag_model::config::{BidiMode, Direction};
use claimtag_model::{Article, Scheme};
use claimtag_tui::app::{Action, App};
use claimtag_tui::keymap::Keymap;
use claimtag_tui::theme::Theme;

const DARI: &[&str] = &[
    "ذبیح‌الله مجاهد، سخنگوی طالبان، روز شنبه گفت که رهبری داعش خراسان به بلوچستان پاکستان منتقل شده است.",
    "وزارت خارجهٔ پاکستان (Ministry of Foreign Affairs) این ادعا را «بی‌اساس» خواند.",
    "به گفتهٔ Michael Kugelman، دست‌کم 35 تن در ماه گذشته بازداشت شده‌اند؟",
    "این گزارش در https://www.un.org/securitycouncil در دسترس است.",
];

const ENGLISH: &[&str] = &[
    "Zabihullah Mujahid, the Taliban spokesman, said on Saturday that the leadership of ISIS-K had moved to Balochistan.",
    "Pakistan's Ministry of Foreign Affairs called the claim \"baseless\" in a statement to the press.",
    "According to Michael Kugelman, at least 35 people were detained last month?",
    "The report is available at https://www.un.org/securitycouncil for anyone.",
];

fn article_text(sentences: &[&str], bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 1024);
    let mut i = 0;
    while s.len() < bytes {
        for _ in 0..5 {
            s.push_str(sentences[i % sentences.len()]);
            s.push(' ');
            i += 1;
        }
        s.push_str("\n\n");
    }
    s
}

fn app_for(path: &Path, bidi: BidiMode) -> App {
    let scheme = Scheme::default();
    let keymap = Keymap::defaults(&scheme);
    let theme = Theme::new(None, false, &scheme, &Default::default());
    let mut app = App::new(
        scheme,
        keymap,
        theme,
        "bench".into(),
        vec![path.to_path_buf()],
        true,
    )
    .with_bidi(bidi, vec![Direction::Auto]);
    let article = Article::open(path, "bench").map_err(|e| e.to_string());
    app.update(Action::Loaded(0, Box::new(article)));
    app.update(Action::Resize(120, 40));
    let mid = app.doc_of(0).expect("loaded").doc().len_bytes() / 2;
    app.place_cursor(mid);
    for k in ['s', 'c', ')', ')', 'e'] {
        app.update(key(k));
    }
    app
}

fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// Rounds the ratios are taken over.
const ROUNDS: usize = 15;

fn mean(n: u32, mut f: impl FnMut()) -> Duration {
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    t.elapsed() / n
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let rtl = dir.path().join("dari.txt");
    let ltr = dir.path().join("english.txt");
    std::fs::write(&rtl, article_text(DARI, 50_000_000)).expect("write");
    std::fs::write(&ltr, article_text(ENGLISH, 50_000_000)).expect("write");
    let mut term = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut results = Vec::new();
    let mut apps = Vec::new();
    let mut names = Vec::new();
    for (name, path, mode) in [
        ("LTR 50MB bidi app", &ltr, BidiMode::App),
        ("RTL 50MB bidi app", &rtl, BidiMode::App),
        ("RTL 50MB bidi off", &rtl, BidiMode::Off),
    ] {
        let mut app = app_for(path, mode);
        names.push(name);
        c.bench_function(&format!("draw frame {name}"), |b| {
            b.iter(|| {
                term.draw(|f| f.render_widget(&app, f.area()))
                    .expect("draw");
            })
        });
        // A keystroke that moves a row: the next paragraph is resolved once,
        // then the cache serves it.
        c.bench_function(&format!("keystroke j+draw {name}"), |b| {
            b.iter(|| {
                app.update(key('j'));
                term.draw(|f| f.render_widget(&app, f.area()))
                    .expect("draw");
            })
        });
        apps.push(app);
    }
    // The ratios: rounds of each app in turn, the median round of each, so a
    // load that comes and goes weighs on all three alike.
    let mut rounds: Vec<Vec<(Duration, Duration)>> = vec![Vec::new(); apps.len()];
    for _ in 0..ROUNDS {
        for (app, times) in apps.iter_mut().zip(&mut rounds) {
            let frame = mean(50, || {
                term.draw(|f| f.render_widget(&*app, f.area()))
                    .expect("draw");
            });
            let stroke = mean(50, || {
                app.update(key('k'));
                term.draw(|f| f.render_widget(&*app, f.area()))
                    .expect("draw");
            });
            times.push((frame, stroke));
        }
    }
    for (name, times) in names.iter().zip(&rounds) {
        let median = |mut v: Vec<Duration>| {
            v.sort_unstable();
            v[v.len() / 2]
        };
        let frame = median(times.iter().map(|t| t.0).collect());
        let stroke = median(times.iter().map(|t| t.1).collect());
        results.push((*name, frame, stroke));
    }
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    let (_, ltr_f, ltr_k) = results[0];
    let (_, rtl_f, rtl_k) = results[1];
    let (_, off_f, off_k) = results[2];
    println!(
        "\nratio frame RTL/LTR (bidi app) = {:.2}x ({rtl_f:?} vs {ltr_f:?})",
        ratio(rtl_f, ltr_f)
    );
    println!(
        "ratio keystroke RTL/LTR (bidi app) = {:.2}x ({rtl_k:?} vs {ltr_k:?})",
        ratio(rtl_k, ltr_k)
    );
    println!(
        "ratio frame RTL bidi app/off = {:.2}x ({rtl_f:?} vs {off_f:?}); keystroke {:.2}x ({rtl_k:?} vs {off_k:?})",
        ratio(rtl_f, off_f),
        ratio(rtl_k, off_k)
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    targets = bench
}
criterion_main!(benches);
