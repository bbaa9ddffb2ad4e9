//! Corpus scale (issue 14), the parts measured inside the process:
//! 1. opening a folder in the TUI: the corpus index (one walk) plus the TUI's
//!    state and first frame, on 10,000 and 100,000 generated articles with two
//!    sidecars each, and the growth between them (linear: at most 11x), next
//!    to the growth of listing the folder alone (the filesystem's share);
//! 2. saving an article with 10,000 annotations (YAML and atomic write).
//!
//! The commands over a whole corpus (export, agree, check, import) against the
//! Python reference, and the annotating screen as a user starts it (with the
//! command's own setup and the background loading), are measured by
//! `scripts/bench_corpus.py`.
//!
//!     cargo bench --bench corpus_scale

use std::path::Path;
use std::time::{Duration, Instant};

use claimtag_model::corpus::CorpusIndex;
use claimtag_model::{Article, Scheme, anchor};
use claimtag_tui::app::App;
use claimtag_tui::keymap::Keymap;
use claimtag_tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn generate(dir: &Path, articles: usize) {
    let side = "format: claimtag/1\nsource: {file: x}\nannotator: a\nannotations: []\n";
    for i in 0..articles {
        let name = format!("{i:06}.txt");
        std::fs::write(dir.join(&name), "Officials said the crossing reopened.\n").expect("write");
        for who in ["alice", "bob"] {
            std::fs::write(dir.join(format!("{name}.{who}.ann.yaml")), side).expect("write");
        }
    }
}

/// Best of `n` runs.
fn best(n: u32, mut f: impl FnMut()) -> Duration {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// The annotate command's open: index, TUI state, first frame.
fn open(dir: &Path) -> (Duration, Duration) {
    let mut index_time = Duration::MAX;
    // Best of 10: opening 10,000 articles takes some 30 ms, where a busy
    // moment of the machine shows.
    let total = best(10, || {
        let t = Instant::now();
        let index = CorpusIndex::scan(&[dir.to_path_buf()]).expect("scan");
        index_time = index_time.min(t.elapsed());
        let scheme = Scheme::default();
        let keymap = Keymap::defaults(&scheme);
        let theme = Theme::new(None, false, &scheme, &Default::default());
        let app = App::new(
            scheme,
            keymap,
            theme,
            "bench".into(),
            index.source_paths(),
            true,
        );
        let mut term = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
        term.draw(|f| f.render_widget(&app, f.area()))
            .expect("draw");
    });
    (index_time, total)
}

fn main() {
    let mut opened = Vec::new();
    for n in [10_000, 100_000] {
        let dir = tempfile::tempdir().expect("tempdir");
        generate(dir.path(), n);
        let (index, total) = open(dir.path());
        // The reference: listing the folder and nothing else. A folder of
        // 300,000 entries costs the filesystem more per entry than one of
        // 30,000; that share of the growth is not the index's.
        let listing = best(10, || {
            std::hint::black_box(std::fs::read_dir(dir.path()).expect("list").count());
        });
        // Check's walk also lists every sidecar.
        let with_sidecars = best(10, || {
            std::hint::black_box(
                CorpusIndex::scan_with_sidecars(&[dir.path().to_path_buf()]).expect("scan"),
            );
        });
        println!(
            "index {n} articles as check walks it (every sidecar listed): {:.0} ms",
            with_sidecars.as_secs_f64() * 1e3
        );
        println!(
            "open {n} articles: index {:.0} ms, index + TUI state + first frame {:.0} ms; listing the folder alone {:.0} ms",
            index.as_secs_f64() * 1e3,
            total.as_secs_f64() * 1e3,
            listing.as_secs_f64() * 1e3
        );
        opened.push((total, listing));
    }
    let growth = |i: fn(&(Duration, Duration)) -> Duration| {
        i(&opened[1]).as_secs_f64() / i(&opened[0]).as_secs_f64()
    };
    println!(
        "open growth 10,000 -> 100,000 articles: {:.1}x (linear: at most 11x; target under 1 s); listing the folder alone grows {:.1}x",
        growth(|o| o.0),
        growth(|o| o.1)
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("big.txt");
    let sentence = "Officials said the crossing reopened on Tuesday. ";
    std::fs::write(&src, sentence.repeat(10_000)).expect("write");
    let mut article = Article::open(&src, "bench").expect("open");
    for i in 0..10_000 {
        let at = i * sentence.len();
        let id = article.sidecar.fresh_id();
        let a = anchor::new_annotation(&article.doc, at..at + 9, "claim", id);
        article.sidecar.annotations.push(a);
    }
    let yaml = best(5, || {
        std::hint::black_box(article.sidecar.to_yaml());
    });
    let save = best(5, || article.save_overwriting().expect("save"));
    println!(
        "save 10,000 annotations: YAML {:.1} ms, whole save (YAML, write, fsync, rename) {:.1} ms (target under 50 ms)",
        yaml.as_secs_f64() * 1e3,
        save.as_secs_f64() * 1e3
    );
}
