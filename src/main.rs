//! The `claimtag` binary: command line and terminal front end over the library.

mod cli;
mod tui;

fn main() -> std::process::ExitCode {
    cli::run()
}
