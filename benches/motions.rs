//! Sentence motions in a long paragraph (issue 12 item 11): `219)` from the
//! start and `(` from the end of a 21,700-character one-line paragraph, and
//! one `)` in the middle of a 50 MB one. Prints what each costs: a motion
//! should cost what is near the cursor, not what the paragraph holds.

use std::hint::black_box;
use std::time::{Duration, Instant};

use claimtag_model::Document;

fn paragraph(chars: usize) -> String {
    let mut s = String::with_capacity(chars + 64);
    let mut i = 0;
    while s.chars().count() < chars {
        s.push_str(&format!("Sentence {i} says what the officials said. "));
        i += 1;
    }
    s.push('\n');
    s
}

fn time(n: u32, mut f: impl FnMut()) -> Duration {
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    t.elapsed() / n
}

fn main() {
    let doc = Document::from_string(paragraph(21_700));
    let steps_219 = time(5, || {
        let mut b = 0;
        for _ in 0..219 {
            b = doc.next_sentence(b);
        }
        black_box(b);
    });
    let back_from_end = time(20, || {
        black_box(doc.prev_sentence(doc.len_bytes()));
    });
    let (line, col) = doc.line_col(doc.prev_sentence(doc.len_bytes()));
    let big = Document::from_string(paragraph(50_000_000 / 44 * 44));
    let mid = big.snap_down(big.len_bytes() / 2);
    let one_big = time(200, || {
        black_box(big.next_sentence(mid));
    });
    let one_small = time(200, || {
        black_box(doc.next_sentence(doc.len_bytes() / 2));
    });
    println!("219 ) in a 21,700-character paragraph: {steps_219:?}");
    println!("( from the end of it: {back_from_end:?}, lands at {line}:{col}");
    println!(
        "ratio one ) in a 50 MB paragraph / in a 21,700-character one = {:.2}x ({one_big:?} vs {one_small:?})",
        one_big.as_secs_f64() / one_small.as_secs_f64()
    );
}
