//! The background loader runs only so far ahead of the screen: each article
//! the screen takes in gives a permit back (see `tui::run`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, sync_channel};
use std::time::{Duration, Instant};

use crate::{LOADS_AHEAD, LoadJob, spawn_loader};

fn wait_for(what: impl Fn() -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(10);
    while Instant::now() < end {
        if what() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

#[test]
fn the_loader_waits_for_the_screen_to_take_what_it_read() {
    let ran = Arc::new(AtomicUsize::new(0));
    let jobs: Vec<LoadJob> = (0..LOADS_AHEAD + 100)
        .map(|slot| {
            let ran = Arc::clone(&ran);
            Box::new(move || {
                ran.fetch_add(1, Ordering::SeqCst);
                vec![(slot, Err("not read in this test".to_string()))]
            }) as LoadJob
        })
        .collect();
    let (permits, permits_rx) = sync_channel(LOADS_AHEAD);
    for _ in 0..LOADS_AHEAD {
        permits.try_send(()).unwrap();
    }
    let (tx, answers) = channel();
    spawn_loader(jobs, None, tx, permits_rx);
    assert!(wait_for(|| ran.load(Ordering::SeqCst) == LOADS_AHEAD));
    // Nothing taken in: it stays where it is.
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(ran.load(Ordering::SeqCst), LOADS_AHEAD);
    assert_eq!(answers.try_iter().count(), LOADS_AHEAD);
    for _ in 0..10 {
        permits.send(()).unwrap();
    }
    assert!(wait_for(|| ran.load(Ordering::SeqCst) == LOADS_AHEAD + 10));
}
