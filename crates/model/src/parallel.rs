//! Per-file work on all cores with results in input order and bounded
//! memory: items are taken in windows of a few per thread, each window is
//! mapped in parallel, and its results are handed on, in order. The next
//! window is mapped while the caller takes the last one (a channel of one
//! window between them), so the caller's serial part (writing an export,
//! adding up agreement) overlaps the parallel reading. Output is
//! deterministic whatever the thread count, and at most three windows of
//! results are held at a time.

use std::sync::mpsc;

use rayon::prelude::*;

/// Results per thread in one window.
const PER_THREAD: usize = 16;

/// Maps every item with `map` on all cores and calls `sink(item, result)` in
/// the order of `items`, on the calling thread.
pub fn map_ordered<I, T>(items: &[I], map: impl Fn(&I) -> T + Sync, mut sink: impl FnMut(&I, T))
where
    I: Sync,
    T: Send,
{
    let window = (rayon::current_num_threads() * PER_THREAD).max(1);
    let map = &map;
    std::thread::scope(|scope| {
        let (send, receive) = mpsc::sync_channel::<Vec<T>>(1);
        scope.spawn(move || {
            for chunk in items.chunks(window) {
                let results: Vec<T> = chunk.par_iter().map(map).collect();
                if send.send(results).is_err() {
                    return;
                }
            }
        });
        for (chunk, results) in items.chunks(window).zip(receive) {
            for (item, result) in chunk.iter().zip(results) {
                sink(item, result);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_input_order() {
        let items: Vec<u64> = (0..10_000).collect();
        let mut seen = Vec::new();
        map_ordered(&items, |i| i * 2, |i, r| seen.push((*i, r)));
        let want: Vec<(u64, u64)> = items.iter().map(|i| (*i, i * 2)).collect();
        assert_eq!(seen, want);
    }
}
