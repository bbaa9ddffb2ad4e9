//! `claimtag completions SHELL` and `claimtag man [--dir DIR]`: shell
//! completions (clap_complete) and manual pages (clap_mangen), generated from
//! the same command definitions as `--help`, so they never disagree with it.

use clap::CommandFactory;

use super::{Cli, CompletionsArgs, Context, Failure, ManArgs};

pub fn completions(_ctx: &Context, args: CompletionsArgs) -> Result<(), Failure> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "claimtag", &mut buf);
    super::out::emit(&String::from_utf8_lossy(&buf))
}

pub fn man(_ctx: &Context, args: ManArgs) -> Result<(), Failure> {
    let cmd = Cli::command();
    match args.dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| Failure::usage(format!("{}: {e}", dir.display())))?;
            clap_mangen::generate_to(cmd, &dir)
                .map_err(|e| Failure::usage(format!("{}: {e}", dir.display())))?;
            let mut pages: Vec<String> = std::fs::read_dir(&dir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("claimtag") && n.ends_with(".1"))
                .collect();
            pages.sort();
            println!(
                "wrote {} manual page(s) to {}: {}",
                pages.len(),
                dir.display(),
                pages.join(", ")
            );
            Ok(())
        }
        None => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut buf)
                .map_err(|e| Failure::usage(format!("man: {e}")))?;
            super::out::emit(&String::from_utf8_lossy(&buf))
        }
    }
}
