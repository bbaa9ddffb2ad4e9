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
/// the order of `items`, on the calling thread. Items are taken from the
/// iterator a window at a time, so an iterator that makes them (the corpus
/// index making each source's path) holds a few windows, not all of them.
pub fn map_ordered<I, T>(
    items: impl IntoIterator<Item = I, IntoIter: Send>,
    map: impl Fn(&I) -> T + Sync,
    mut sink: impl FnMut(&I, T),
) where
    I: Send + Sync,
    T: Send,
{
    let window = (rayon::current_num_threads() * PER_THREAD).max(1);
    let map = &map;
    let mut items = items.into_iter();
    std::thread::scope(|scope| {
        let (send, receive) = mpsc::sync_channel::<(Vec<I>, Vec<T>)>(1);
        scope.spawn(move || {
            loop {
                let chunk: Vec<I> = items.by_ref().take(window).collect();
                if chunk.is_empty() {
                    return;
                }
                let results: Vec<T> = chunk.par_iter().map(map).collect();
                if send.send((chunk, results)).is_err() {
                    return;
                }
            }
        });
        for (chunk, results) in receive {
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
        map_ordered(items.clone(), |i| i * 2, |i, r| seen.push((*i, r)));
        let want: Vec<(u64, u64)> = items.iter().map(|i| (*i, i * 2)).collect();
        assert_eq!(seen, want);
    }
}
