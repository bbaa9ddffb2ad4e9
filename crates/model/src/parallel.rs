//! Per-file work on all cores with results in input order and bounded
//! memory: items are taken in windows of a few per thread, each window is
//! mapped in parallel, and its results are handed on, in order, before the
//! next window starts. Output is deterministic whatever the thread count, and
//! at most one window of results is held at a time.

use rayon::prelude::*;

/// Results per thread held at most at once.
const PER_THREAD: usize = 16;

/// Maps every item with `map` on all cores and calls `sink(item, result)` in
/// the order of `items`.
pub fn map_ordered<I, T>(items: &[I], map: impl Fn(&I) -> T + Sync, mut sink: impl FnMut(&I, T))
where
    I: Sync,
    T: Send,
{
    let window = (rayon::current_num_threads() * PER_THREAD).max(1);
    for chunk in items.chunks(window) {
        let results: Vec<T> = chunk.par_iter().map(&map).collect();
        for (item, result) in chunk.iter().zip(results) {
            sink(item, result);
        }
    }
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
