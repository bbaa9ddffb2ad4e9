//! Reading one sidecar of 20 annotations (as the corpus bench writes them)
//! by each of the three roads of `Sidecar::parse`: as claimtag writes it
//! (the line road), with a comment added (the events road), and with a key
//! this version does not know (serde-saphyr); then writing it by each of the
//! two roads of `Sidecar::to_yaml` (the block writer, and serde-saphyr for
//! the one with the unknown key). Prints each road's cost and how many times
//! faster the fast road is.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use claimtag_model::Annotation;
use claimtag_model::format::Sidecar;

fn written() -> String {
    let text = "the minister said officials denied reports that talks had stalled ".repeat(60);
    let mut s = Sidecar::new(
        "alice",
        "000001.txt",
        "a5ae402d4e6f68ae042822f17eadd7d18e96d178fede61e74a0633de2d166e39",
        text.chars().count(),
    );
    s.updated = "2026-11-30T10:00:00Z".into();
    for i in 0..20 {
        let start = i * 190;
        let end = start + 40;
        s.annotations.push(Annotation {
            id: format!("a{}", i + 1),
            label: ["claim", "denial", "evidence"][i % 3].into(),
            start,
            end,
            text: text[start..end].into(),
            prefix: text[start - start.min(32)..start].into(),
            suffix: text[end..end + 32].into(),
            created: "2026-11-30T10:00:00Z".into(),
            ..Annotation::default()
        });
    }
    s.to_yaml()
}

fn best(n: u32, mut f: impl FnMut()) -> Duration {
    (0..5)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            t.elapsed() / n
        })
        .min()
        .unwrap()
}

fn main() {
    let path = Path::new("a.txt.alice.ann.yaml");
    let lines = written();
    let events = lines.replacen("annotations:\n", "annotations: # checked\n", 1);
    let serde = lines.replacen("annotations:\n", "project: bench\nannotations:\n", 1);
    let mut costs = Vec::new();
    for (road, yaml) in [
        ("line", &lines),
        ("events", &events),
        ("serde-saphyr", &serde),
    ] {
        let read = Sidecar::parse(path, yaml).expect("the bench sidecar reads");
        assert_eq!(read.annotations.len(), 20);
        let cost = best(200, || {
            black_box(Sidecar::parse(path, black_box(yaml)).unwrap());
        });
        println!(
            "{road:>13} road: {:>7.1} µs a sidecar",
            cost.as_secs_f64() * 1e6
        );
        costs.push(cost);
    }
    println!(
        "line road {:.1}x faster than the events road, {:.1}x faster than serde-saphyr",
        costs[1].as_secs_f64() / costs[0].as_secs_f64(),
        costs[2].as_secs_f64() / costs[0].as_secs_f64()
    );
    let known = Sidecar::parse(path, &lines).expect("the bench sidecar reads");
    let unknown = Sidecar::parse(path, &serde).expect("the bench sidecar reads");
    let mut writes = Vec::new();
    for (road, sidecar) in [("block writer", &known), ("serde-saphyr", &unknown)] {
        let cost = best(200, || {
            black_box(black_box(sidecar).to_yaml());
        });
        println!(
            "{road:>13} write: {:>6.1} µs a sidecar",
            cost.as_secs_f64() * 1e6
        );
        writes.push(cost);
    }
    println!(
        "block writer {:.1}x faster than serde-saphyr",
        writes[1].as_secs_f64() / writes[0].as_secs_f64()
    );
}
