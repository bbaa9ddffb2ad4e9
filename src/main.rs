//! The `claimtag` binary: command line and terminal front end over the library.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod cli;

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

fn main() -> std::process::ExitCode {
    // Freed memory goes back to the system at once, not 10 ms later: a
    // 100,000-article export peaks at 17 MB, not 26, in the same time. The
    // variable mimalloc reads for this still rules where it is set.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: a plain setter of one of mimalloc's options.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
    }
    cli::run()
}
