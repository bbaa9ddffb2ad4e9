//! Command line (DESIGN.md §1): parsing, shared context, dispatch. Each
//! command lives in its own file.

mod agree;
mod annotate;
mod check;
mod export;
mod import;
mod review;
mod suggest;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use claimtag_model::config::{self, Config};

#[derive(Parser, Debug)]
#[command(
    name = "claimtag",
    version,
    about = "Annotate claims, denials and evidence in news articles, review a colleague's tags, export datasets",
    override_usage = "claimtag [OPTIONS] [annotate] [PATH]...\n       claimtag [OPTIONS] <COMMAND> ...",
    after_help = "Without a command, claimtag opens the annotating screen on the PATHs (default: the current folder)."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

const COMMANDS: &[&str] = &[
    "annotate", "review", "agree", "export", "import", "check", "suggest", "help",
];

/// `claimtag PATH...` means `claimtag annotate PATH...`: inserts the command
/// name before the first word that is not an option or a command (before
/// `--suggest-from`, an option of `annotate`, when that comes first).
pub fn with_default_command(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut i = 1;
    let mut annotate_option = None;
    while i < args.len() {
        let a = args[i].to_string_lossy();
        if a == "--annotator" || a == "--config" || a == "--bidi" {
            i += 2;
            continue;
        }
        if a == "--suggest-from" || a.starts_with("--suggest-from=") {
            annotate_option.get_or_insert(i);
            i += if a == "--suggest-from" { 2 } else { 1 };
            continue;
        }
        if matches!(a.as_ref(), "-h" | "--help" | "-V" | "--version") {
            return args;
        }
        if a.starts_with('-') && a != "-" && a != "--" {
            i += 1;
            continue;
        }
        if COMMANDS.contains(&a.as_ref()) {
            return args;
        }
        break;
    }
    let at = annotate_option.unwrap_or(i).min(args.len());
    args.insert(at, "annotate".into());
    args
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Your annotator name (else CLAIMTAG_ANNOTATOR, the config file, $USER)
    #[arg(long, global = true, value_name = "NAME")]
    pub annotator: Option<String>,
    /// Configuration file (else CLAIMTAG_CONFIG, else the platform config dir)
    #[arg(long, global = true, value_name = "FILE", env = "CLAIMTAG_CONFIG")]
    pub config: Option<PathBuf>,
    /// Who puts right-to-left text (Dari, Pashto, Arabic) in display order:
    /// `app` for terminals that reorder nothing (tmux, Alacritty, xterm,
    /// Windows Terminal), `terminal` for those that do (GNOME Terminal and
    /// other VTE ones, Konsole, mlterm), `off` for logical order (else the
    /// config's `bidi:`, else `app`)
    #[arg(long, global = true, value_name = "MODE")]
    pub bidi: Option<BidiArg>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BidiArg {
    App,
    Terminal,
    Off,
}

impl From<BidiArg> for config::BidiMode {
    fn from(b: BidiArg) -> Self {
        match b {
            BidiArg::App => config::BidiMode::App,
            BidiArg::Terminal => config::BidiMode::Terminal,
            BidiArg::Off => config::BidiMode::Off,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Open articles in the annotating screen (the default command)
    Annotate(AnnotateArgs),
    /// Review a colleague's tags beside yours, accept or reject each difference
    Review(ReviewArgs),
    /// Inter-annotator agreement per label (Cohen's kappa, Krippendorff's alpha, span F1)
    Agree(AgreeArgs),
    /// Export a labelled dataset (jsonl, doccano, brat, conll, csv)
    Export(ExportArgs),
    /// Import doccano JSONL, brat standoff or claimtag JSONL into sidecars
    Import(ImportArgs),
    /// Validate sidecars: parse errors, stale source hashes, offsets that no longer match
    Check(CheckArgs),
    /// Pre-annotate: suggestions from cue patterns or another annotator's tags,
    /// written as a suggestion set; `--report` tells how each pattern fared
    Suggest(SuggestArgs),
}

#[derive(Args, Debug)]
pub struct AnnotateArgs {
    /// Files or folders (default: the current folder)
    pub paths: Vec<PathBuf>,
    /// Show this annotator's set as suggestions to accept or reject (default:
    /// `suggest_from:` in config.yaml, else `suggest`)
    #[arg(long, value_name = "NAME")]
    pub suggest_from: Option<String>,
}

#[derive(Args, Debug)]
pub struct ReviewArgs {
    /// Files or folders
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The colleague whose tags you review (default: the only other annotator
    /// with sidecars there)
    #[arg(long, value_name = "NAME")]
    pub theirs: Option<String>,
    /// The set that receives accepted tags (default: your own; e.g. `gold`)
    #[arg(long, value_name = "NAME")]
    pub into: Option<String>,
}

#[derive(Args, Debug)]
pub struct AgreeArgs {
    /// Files or folders
    #[arg(required_unless_present = "combine")]
    pub paths: Vec<PathBuf>,
    /// Annotators to compare (default: every one found, except gold)
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub annotators: Vec<String>,
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
    /// Exit 1 when any label's coding alpha (alpha_c) is below this or undefined
    #[arg(long, value_name = "X")]
    pub min: Option<f64>,
    /// Only articles whose sidecars all say `status: done`
    #[arg(long)]
    pub done_only: bool,
    /// Also write the additive statistics to OUT (for --combine; with --combine, their sum)
    #[arg(long, value_name = "OUT")]
    pub partial: Option<PathBuf>,
    /// Add up files written by --partial: exactly the figures of one run over all shards
    #[arg(long, value_name = "PART", num_args = 1.., conflicts_with_all = ["paths", "annotators", "done_only"])]
    pub combine: Vec<PathBuf>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Jsonl,
    Doccano,
    Brat,
    Conll,
    Csv,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetUnit {
    Codepoint,
    Utf16,
    Byte,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Files or folders
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Output file (stdout when omitted); a folder for brat. Never a source or
    /// sidecar of the corpus; an existing file only with --force
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Replace an existing output file (never a source or a sidecar)
    #[arg(long)]
    pub force: bool,
    /// Offset unit [default per format: doccano: utf16 (what its browser
    /// annotator counts); jsonl, csv: codepoint; brat, conll: codepoint only]
    #[arg(long, value_enum)]
    pub offsets: Option<OffsetUnit>,
    /// doccano: write the relation format (entities + relations)
    #[arg(long)]
    pub relations: bool,
    /// A source that cannot be read (not UTF-8, unreadable) stops the export
    /// (default: skipped with a warning, exit 1)
    #[arg(long)]
    pub strict: bool,
    /// csv: also a row for each document without spans
    #[arg(long)]
    pub all_documents: bool,
    /// csv: for spreadsheets: UTF-8 BOM, and cells starting with = + - @ or a
    /// tab prefixed with ' (formula injection)
    #[arg(long)]
    pub excel: bool,
    /// conll: spans of one label that overlap go to extra columns, one per
    /// nesting level (default: such an export is refused)
    #[arg(long)]
    pub nested_columns: bool,
    /// Only articles whose sidecar (of the exported annotator) says `status: done`
    #[arg(long)]
    pub done_only: bool,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    Doccano,
    Brat,
    Jsonl,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// JSONL files (doccano, jsonl) or folders / .ann files (brat)
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[arg(long = "from", value_enum)]
    pub from: ImportFormat,
    /// Folder holding the source files (default: the current folder)
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub corpus: PathBuf,
    /// Overwrite existing sidecars
    #[arg(long)]
    pub force: bool,
    /// Unit of the offsets in every record [default: the record's `offsets`
    /// key, else doccano: utf16 (what doccano counts); brat, jsonl: codepoint]
    #[arg(long, value_enum)]
    pub offsets: Option<OffsetUnit>,
    /// Keep spans whose label is not in the scheme (reported) instead of
    /// refusing their record
    #[arg(long)]
    pub keep_unknown_labels: bool,
    /// Keep empty spans (reported) instead of refusing their record
    #[arg(long)]
    pub keep_empty_spans: bool,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files or folders
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Re-anchor stale sidecars and rewrite them
    #[arg(long)]
    pub fix: bool,
}

#[derive(Args, Debug)]
pub struct SuggestArgs {
    /// Files or folders
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Pattern files (spaCy/Prodigy pattern JSONL) or `builtin:en`; default:
    /// the files named under `patterns:` in claimtag.yaml
    #[arg(long, value_name = "FILE|builtin:en", num_args = 1..)]
    pub patterns: Vec<String>,
    /// The suggestion set written (or reported on)
    #[arg(long = "as", value_name = "NAME", default_value = "suggest")]
    pub set: String,
    /// Also propose each text ANNOTATOR tagged, with its label, wherever else
    /// it occurs in the corpus
    #[arg(long, value_name = "ANNOTATOR")]
    pub like: Option<String>,
    /// Per pattern: suggestions accepted, rejected and left by you, precision
    #[arg(long)]
    pub report: bool,
    /// With --report: JSON instead of a table
    #[arg(long, requires = "report")]
    pub json: bool,
}

/// What every command may need: the config and who is annotating.
pub struct Context {
    pub global: Global,
    pub config: Config,
}

impl Context {
    /// Who reorders right-to-left text: `--bidi`, else the config, else `app`.
    pub fn bidi(&self) -> config::BidiMode {
        self.global
            .bidi
            .map(Into::into)
            .or(self.config.bidi)
            .unwrap_or_default()
    }

    /// The annotator name, resolved on demand (not every command needs one).
    pub fn annotator(&self) -> Result<String, Failure> {
        let env = std::env::var("CLAIMTAG_ANNOTATOR").ok();
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .ok();
        config::resolve_annotator(
            self.global.annotator.as_deref(),
            env.as_deref(),
            &self.config,
            user.as_deref(),
        )
        .map(|(name, _)| name)
        .map_err(Failure::usage)
    }
}

/// A command's failure: its messages are already one line each.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub messages: Vec<String>,
}

impl Failure {
    /// Bad usage or unreadable input: exit 2.
    pub fn usage(msg: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            messages: vec![msg.into()],
        }
    }
    /// The command ran and found problems: exit 1.
    #[allow(dead_code)] // used by check and agree
    pub fn problems(messages: Vec<String>) -> Failure {
        Failure { code: 1, messages }
    }
}

impl From<claimtag_model::Error> for Failure {
    fn from(e: claimtag_model::Error) -> Self {
        Failure::usage(e.to_string())
    }
}

/// Turns the TUI's outcome into the command's: work left unsaved (kept in
/// recovery files) is exit 1 with its notes, a failure to run is exit 2.
pub fn finish(outcome: Result<Vec<String>, String>) -> Result<(), Failure> {
    match outcome {
        Ok(notes) if notes.is_empty() => Ok(()),
        Ok(notes) => Err(Failure::problems(notes)),
        Err(e) => Err(Failure::usage(e)),
    }
}

pub fn run() -> ExitCode {
    let cli = Cli::parse_from(with_default_command(std::env::args_os().collect()));
    let config = match Config::load(cli.global.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("claimtag: {e}");
            return ExitCode::from(2);
        }
    };
    let ctx = Context {
        global: cli.global.clone(),
        config,
    };
    let result = match cli.command {
        Command::Annotate(a) => annotate::run(&ctx, a),
        Command::Review(a) => review::run(&ctx, a),
        Command::Agree(a) => agree::run(&ctx, a),
        Command::Export(a) => export::run(&ctx, a),
        Command::Import(a) => import::run(&ctx, a),
        Command::Check(a) => check::run(&ctx, a),
        Command::Suggest(a) => suggest::run(&ctx, a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            for m in &f.messages {
                eprintln!("claimtag: {m}");
            }
            ExitCode::from(f.code)
        }
    }
}

#[cfg(test)]
mod default_command_tests {
    use super::*;

    fn words(args: &[&str]) -> Vec<String> {
        with_default_command(args.iter().map(|a| a.into()).collect())
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn paths_mean_annotate() {
        assert_eq!(words(&["claimtag"]), ["claimtag", "annotate"]);
        assert_eq!(
            words(&["claimtag", "sample-data/"]),
            ["claimtag", "annotate", "sample-data/"]
        );
        assert_eq!(
            words(&["claimtag", "--annotator", "alice", "a.txt"]),
            ["claimtag", "--annotator", "alice", "annotate", "a.txt"]
        );
        assert_eq!(
            words(&[
                "claimtag",
                "--annotator",
                "bob",
                "export",
                "x",
                "--format",
                "csv"
            ]),
            [
                "claimtag",
                "--annotator",
                "bob",
                "export",
                "x",
                "--format",
                "csv"
            ]
        );
        assert_eq!(words(&["claimtag", "--help"]), ["claimtag", "--help"]);
        assert_eq!(
            words(&["claimtag", "--suggest-from", "model", "corpus/"]),
            ["claimtag", "annotate", "--suggest-from", "model", "corpus/"]
        );
        assert_eq!(
            words(&["claimtag", "--annotator", "bob", "--suggest-from=model"]),
            [
                "claimtag",
                "--annotator",
                "bob",
                "annotate",
                "--suggest-from=model"
            ]
        );
        let cli =
            Cli::try_parse_from(words(&["claimtag", "--suggest-from", "model", "c/"])).unwrap();
        match cli.command {
            Command::Annotate(a) => assert_eq!(a.suggest_from.as_deref(), Some("model")),
            other => panic!("not annotate: {other:?}"),
        }
        assert_eq!(
            words(&["claimtag", "--bidi", "terminal", "a.txt"]),
            ["claimtag", "--bidi", "terminal", "annotate", "a.txt"]
        );
        let cli =
            Cli::try_parse_from(words(&["claimtag", "--annotator", "bob", "check", "x"])).unwrap();
        assert_eq!(cli.global.annotator.as_deref(), Some("bob"));
        assert!(matches!(cli.command, Command::Check(_)));
    }
}
