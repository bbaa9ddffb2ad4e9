//! The allocator, and when it gives freed memory back to the system.

/// mimalloc, not the system allocator: the corpus commands allocate a
/// document on one core and free it on another (read in parallel, written in
/// order), where glibc's malloc took its arena locks on every free. Built
/// without transparent huge pages (`no_thp`): with them, each 2 MB its arenas
/// touched counted whole, and a 100,000-article export peaked at 45 MB.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` of `mi_option_e` in mimalloc's `mimalloc.h` (v3),
/// which the sys crate does not name.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc's own purge delay, in milliseconds.
const MIMALLOC_DEFAULT_DELAY: std::ffi::c_long = 10;

/// When freed memory goes back to the system.
pub enum Purge {
    /// At once: a 100,000-article export peaks at 19 MB, not 22, in the same
    /// time.
    AtOnce,
    /// After mimalloc's usual 10 ms: import frees each window of records
    /// and allocates the next at once, and purging at once had the kernel
    /// unmap and zero the same pages again for each window (a third of
    /// import's system time).
    Later,
}

/// Sets when freed memory goes back, unless `MIMALLOC_PURGE_DELAY` (which
/// mimalloc reads itself) says so.
pub fn purge(when: Purge) {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    let delay = match when {
        Purge::AtOnce => 0,
        Purge::Later => MIMALLOC_DEFAULT_DELAY,
    };
    // SAFETY: a plain setter of one of mimalloc's options.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, delay) };
}
