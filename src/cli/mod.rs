//! Command line (DESIGN.md §1): parsing, shared context, dispatch. Each
//! command lives in its own file.

mod agree;
mod annotate;
mod check;
mod completions;
mod diff;
mod export;
mod git;
mod git_setup;
mod import;
mod log;
mod merge;
mod out;
mod review;
mod status;
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
    after_help = "Without a command, claimtag opens the annotating screen on the PATHs (default: the current folder).",
    // `claimtag PATH...` means `claimtag annotate PATH...`: the command is
    // optional, and PATHs given without one belong to annotate. (Not
    // `args_conflicts_with_subcommands`: with it, clap stops looking for a
    // command once any option is given, so `--annotator bob check` would
    // open the annotating screen on "check".)
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub annotate: AnnotateArgs,
}

impl Cli {
    /// The command to run: annotate when none was named.
    pub fn into_command(self) -> (Global, Command) {
        let command = self.command.unwrap_or(Command::Annotate(self.annotate));
        (self.global, command)
    }
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
    /// Validate sidecars: parse errors, stale source hashes, offsets that no longer match,
    /// unresolved merge conflicts
    Check(CheckArgs),
    /// Pre-annotate: suggestions from cue patterns or another annotator's tags,
    /// written as a suggestion set; `--report` tells how each pattern fared
    Suggest(SuggestArgs),
    /// Three-way merge of one sidecar by annotation id (git's merge driver)
    Merge(MergeArgs),
    /// Spans added, removed and changed between two sidecars (git's diff driver)
    Diff(DiffArgs),
    /// Set up this git repository to merge and diff sidecars with claimtag
    GitSetup,
    /// The history of one article's annotations through git log: spans added,
    /// removed and changed in each commit
    Log(LogArgs),
    /// The corpus dashboard: progress per annotator and article, gold, conflicts, orphans
    Status(StatusArgs),
    /// Print shell completions (bash, zsh, fish, powershell, elvish)
    Completions(CompletionsArgs),
    /// Print the manual page, or write one per command into a folder
    Man(ManArgs),
}

#[derive(Args, Debug)]
#[command(
    after_help = "Exit status: 0 merged cleanly; 1 conflicts or dangling links remain (recorded in the \
                  file, listed by `claimtag check`); 2 an input could not be read (nothing written).\n\
                  As git's merge driver: merge.claimtag.driver = claimtag merge %O %A %B --path %P \
                  (`claimtag git-setup` writes it)."
)]
pub struct MergeArgs {
    /// The common ancestor (an empty file: none)
    pub base: PathBuf,
    /// Our version; receives the result unless -o is given
    pub ours: PathBuf,
    /// Their version
    pub theirs: PathBuf,
    /// Write the result here instead of OURS
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Where the sidecar lives in the work tree (git's %P), to find its
    /// source when OURS is a temporary file
    #[arg(long, value_name = "P")]
    pub path: Option<PathBuf>,
}

#[derive(Args, Debug)]
#[command(
    after_help = "As git's diff driver (`claimtag git-setup` writes both): diff.claimtag.command = \
                  claimtag diff (git passes seven arguments), diff.claimtag.textconv = claimtag diff --textconv."
)]
pub struct DiffArgs {
    /// Two sidecars A B (or the seven arguments git passes an external diff)
    #[arg(required = true, num_args = 1..=7, value_name = "A B")]
    pub files: Vec<PathBuf>,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
    /// Print one FILE's spans one per line (git's textconv)
    #[arg(long)]
    pub textconv: bool,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Needs git on PATH and the article in a git work tree. Each commit is compared with its \
                  first parent (a merge: what it brought in). Exit status: 0; 2 when git is missing, the \
                  folder is not in a repository, or git fails."
)]
pub struct LogArgs {
    /// The article (its source file; it need not exist any more)
    pub article: PathBuf,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Corpus folder (default: the current folder)
    pub path: Option<PathBuf>,
    /// Print JSON instead of tables
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Install: bash: claimtag completions bash > ~/.local/share/bash-completion/completions/claimtag\n\
                  zsh: claimtag completions zsh > ~/.zfunc/_claimtag (with fpath+=~/.zfunc)\n\
                  fish: claimtag completions fish > ~/.config/fish/completions/claimtag.fish"
)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// Write claimtag.1 and one page per command into this folder (default:
    /// print claimtag.1 to stdout)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct AnnotateArgs {
    /// Files or folders (default: the current folder)
    pub paths: Vec<PathBuf>,
    /// Start at the first article instead of where you left off in this corpus
    #[arg(long)]
    pub no_restore: bool,
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
    let (global, command) = Cli::parse().into_command();
    let config = match Config::load(global.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("claimtag: {e}");
            return ExitCode::from(2);
        }
    };
    let ctx = Context { global, config };
    let result = match command {
        Command::Annotate(a) => annotate::run(&ctx, a),
        Command::Review(a) => review::run(&ctx, a),
        Command::Agree(a) => agree::run(&ctx, a),
        Command::Export(a) => export::run(&ctx, a),
        Command::Import(a) => import::run(&ctx, a),
        Command::Check(a) => check::run(&ctx, a),
        Command::Suggest(a) => suggest::run(&ctx, a),
        Command::Merge(a) => merge::run(&ctx, a),
        Command::Diff(a) => diff::run(&ctx, a),
        Command::GitSetup => git_setup::run(&ctx),
        Command::Log(a) => log::run(&ctx, a),
        Command::Status(a) => status::run(&ctx, a),
        Command::Completions(a) => completions::completions(&ctx, a),
        Command::Man(a) => completions::man(&ctx, a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            // stderr may be gone with a closed window: never panic on it.
            for m in &f.messages {
                claimtag_tui::tell(&format!("claimtag: {m}"));
            }
            ExitCode::from(f.code)
        }
    }
}

#[cfg(test)]
mod default_command_tests {
    use super::*;

    fn parse(args: &[&str]) -> (Global, Command) {
        Cli::try_parse_from(args).unwrap().into_command()
    }

    fn annotate_paths(args: &[&str]) -> Vec<PathBuf> {
        match parse(args) {
            (_, Command::Annotate(a)) => a.paths,
            (_, other) => panic!("{args:?} parsed as {other:?}"),
        }
    }

    #[test]
    fn paths_mean_annotate() {
        assert!(annotate_paths(&["claimtag"]).is_empty());
        assert_eq!(
            annotate_paths(&["claimtag", "sample-data/"]),
            [PathBuf::from("sample-data/")]
        );
        assert_eq!(
            annotate_paths(&["claimtag", "annotate", "a.txt", "b.txt"]),
            [PathBuf::from("a.txt"), PathBuf::from("b.txt")]
        );
        let (global, command) = parse(&["claimtag", "--annotator", "alice", "a.txt"]);
        assert_eq!(global.annotator.as_deref(), Some("alice"));
        assert!(matches!(command, Command::Annotate(a) if a.paths == [PathBuf::from("a.txt")]));
        let (global, command) = parse(&["claimtag", "--annotator", "bob", "check", "x"]);
        assert_eq!(global.annotator.as_deref(), Some("bob"));
        assert!(matches!(command, Command::Check(_)));
        let (_, command) = parse(&[
            "claimtag",
            "export",
            "x",
            "--format",
            "csv",
            "--annotator",
            "bob",
        ]);
        assert!(matches!(command, Command::Export(_)));
        let (global, command) = parse(&["claimtag", "--bidi", "terminal", "a.txt"]);
        assert_eq!(global.bidi, Some(BidiArg::Terminal));
        assert!(matches!(command, Command::Annotate(a) if a.paths == [PathBuf::from("a.txt")]));
        assert!(Cli::try_parse_from(["claimtag", "--help"]).is_err());
        let (global, command) = parse(&["claimtag", "--suggest-from", "model", "corpus/"]);
        assert!(global.annotator.is_none());
        assert!(matches!(command, Command::Annotate(a)
            if a.suggest_from.as_deref() == Some("model") && a.paths == [PathBuf::from("corpus/")]));
        let (global, command) = parse(&["claimtag", "--annotator", "bob", "--suggest-from=model"]);
        assert_eq!(global.annotator.as_deref(), Some("bob"));
        assert!(
            matches!(command, Command::Annotate(a) if a.suggest_from.as_deref() == Some("model"))
        );
        let (_, command) = parse(&["claimtag", "suggest", "c/", "--patterns", "builtin:en"]);
        assert!(matches!(command, Command::Suggest(_)));
    }
}
