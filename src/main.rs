//! The `claimtag` binary: command line and terminal front end over the library.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod cli;

/// mimalloc instead of the system allocator: a corpus is hundreds of
/// thousands of small paths and strings, and glibc's malloc spent a third of
/// indexing a 100,000-article folder consolidating freed chunks (the index
/// took half the time with mimalloc).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::run()
}
