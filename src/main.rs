//! The `claimtag` binary: command line and terminal front end over the library.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod allocator;
mod cli;

fn main() -> std::process::ExitCode {
    allocator::purge(allocator::Purge::AtOnce);
    cli::run()
}
