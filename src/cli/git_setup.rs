//! `claimtag git-setup`: makes git merge and diff sidecars with claimtag in
//! the repository we are in. Writes the repository-local settings (git does
//! not share `.git/config`, so each clone runs this once) and the line in
//! `.gitattributes` (committed, so it is shared), and says what it did.

use std::path::{Path, PathBuf};

use claimtag_model::store;

use super::{Context, Failure, git};

/// The `.gitattributes` line that routes sidecars to the drivers.
pub const ATTRIBUTES: &str = "*.ann.yaml merge=claimtag diff=claimtag";

pub fn run(_ctx: &Context) -> Result<(), Failure> {
    let top = git::toplevel().ok_or_else(|| {
        Failure::usage(
            "git-setup: not inside a git work tree (run `git init` first, or cd into one)",
        )
    })?;
    let program = program_name();
    let settings = [
        (
            "merge.claimtag.name",
            "claimtag: three-way merge of sidecars by annotation id".to_string(),
        ),
        (
            "merge.claimtag.driver",
            format!("{program} merge %O %A %B --path %P"),
        ),
        ("diff.claimtag.command", format!("{program} diff")),
        (
            "diff.claimtag.textconv",
            format!("{program} diff --textconv"),
        ),
    ];
    for (key, value) in &settings {
        git::run(&["config", "--local", key, value]).map_err(Failure::usage)?;
        println!("set {key} = {value} (in .git/config)");
    }
    let attributes = top.join(".gitattributes");
    match add_attributes(&attributes)? {
        true => println!("added `{ATTRIBUTES}` to {}", attributes.display()),
        false => println!("{} already has `{ATTRIBUTES}`", attributes.display()),
    }
    println!(
        "Commit .gitattributes so the team shares it; everyone runs `claimtag git-setup` once per clone."
    );
    Ok(())
}

/// How git should call this program: `claimtag` when that name on PATH is
/// this program, else its full path (quoted for the shell git runs it in).
fn program_name() -> String {
    let me = std::env::current_exe()
        .ok()
        .and_then(|p| p.canonicalize().ok());
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("claimtag"))
            .find(|p| p.is_file())
            .and_then(|p| p.canonicalize().ok())
    });
    match me {
        Some(me) if on_path.as_ref() != Some(&me) => shell_quote(&me),
        _ => "claimtag".to_string(),
    }
}

fn shell_quote(p: &Path) -> String {
    let s = p.display().to_string();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Appends the attributes line unless a line already says exactly that.
/// Returns whether the file changed.
fn add_attributes(path: &PathBuf) -> Result<bool, Failure> {
    let old = match std::fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Failure::usage(format!("{}: {e}", path.display()))),
    };
    if old
        .lines()
        .any(|l| l.split_whitespace().collect::<Vec<_>>().join(" ") == ATTRIBUTES)
    {
        return Ok(false);
    }
    let mut new = old;
    if !new.is_empty() && !new.ends_with('\n') {
        new.push('\n');
    }
    new.push_str(ATTRIBUTES);
    new.push('\n');
    store::write_atomic(path, new.as_bytes())?;
    Ok(true)
}
