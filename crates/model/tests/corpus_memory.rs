//! The corpus index's memory, counted by the allocator: several PATHs put
//! together hold no more than one folder holding them all.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use claimtag_model::corpus::CorpusIndex;

/// Counts the bytes allocated now and the most at once.
struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: passed on as given.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: passed on as given.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// The most bytes `scan` held at once beyond what was held before it.
fn peak_of(paths: &[std::path::PathBuf]) -> (usize, usize) {
    let before = NOW.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let index = CorpusIndex::scan(paths).unwrap();
    let sources = index.len();
    drop(index);
    (PEAK.load(Ordering::Relaxed) - before, sources)
}

fn make(folder: &Path, sources: usize) {
    std::fs::create_dir_all(folder).unwrap();
    for i in 0..sources {
        std::fs::write(folder.join(format!("article-{i:06}.txt")), "").unwrap();
    }
}

#[test]
fn several_paths_hold_no_more_than_one_folder_of_them_all() {
    let dir = tempfile::tempdir().unwrap();
    let folders: Vec<_> = ["b", "a", "c"].map(|f| dir.path().join(f)).into();
    for f in &folders {
        make(f, 15_000);
    }
    let (one, all) = peak_of(&[dir.path().to_path_buf()]);
    let (several, merged) = peak_of(&folders);
    assert_eq!((all, merged), (45_000, 45_000));
    eprintln!("one folder: {one} bytes, three PATHs: {several}");
    // The index keeps a block or two of 4,096 sources; the sorting of a
    // folder's names, 16,384 of them. Holding 45,000 paths at once is
    // several times that.
    assert!(
        several <= one + one / 2,
        "three PATHs held {several} bytes at most, one folder of them all {one}"
    );
}
