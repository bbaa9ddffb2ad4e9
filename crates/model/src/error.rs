//! Errors of the model library. Every variant names the file it is about, so a
//! caller can print it as one line.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not valid UTF-8 at byte offset {offset}", path.display())]
    NotUtf8 { path: PathBuf, offset: usize },
    #[error("{}: is {what}, not a regular file", path.display())]
    NotRegular { path: PathBuf, what: &'static str },
    #[error("{}: {size} bytes is over the limit of {limit} bytes", path.display())]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Yaml {
        path: PathBuf,
        line: u64,
        column: u64,
        message: String,
    },
    /// A problem on one line of a line-oriented file (pattern JSONL).
    #[error("{}:{line}: {message}", path.display())]
    Line {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("{}: changed on disk since it was loaded; not overwritten", path.display())]
    ChangedOnDisk { path: PathBuf },
    #[error("{}: refusing to write outside {}", path.display(), root.display())]
    OutsideRoot { path: PathBuf, root: PathBuf },
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn invalid(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }

    /// Turns a serde-saphyr error into a one-line error with file, line and
    /// column: the place from the parser's location data, the words from its
    /// user-facing formatter (no programmer's advice, no place repeated).
    pub fn yaml(path: impl Into<PathBuf>, err: &serde_saphyr::Error) -> Self {
        use serde_saphyr::MessageFormatter;
        let (line, column) = err
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        if let Some(message) = budget_message(err) {
            return Error::Yaml {
                path: path.into(),
                line,
                column,
                message,
            };
        }
        let text = serde_saphyr::UserMessageFormatter.format_message(err.without_snippet());
        // The formatter's text is not yet cleaned of control characters: keep
        // the message on one line, without advice meant for programmers.
        let message: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let message = message
            .replace(", set DuplicateKeyPolicy in Options if acceptable", "")
            .trim_end_matches([',', ' '])
            .to_string();
        Error::Yaml {
            path: path.into(),
            line,
            column,
            message: message.trim().to_string(),
        }
    }
}

/// A parser limit in words for the user (the library's own text is a Rust
/// debug dump of its counters).
fn budget_message(err: &serde_saphyr::Error) -> Option<String> {
    use serde_saphyr::budget::BudgetBreach as B;
    let mut e = err;
    while let serde_saphyr::Error::AliasError { error, .. }
    | serde_saphyr::Error::WithSnippet { error, .. } = e
    {
        e = error;
    }
    let serde_saphyr::Error::Budget { breach, .. } = e else {
        return None;
    };
    let what = match breach {
        B::Events { .. } | B::Nodes { .. } | B::ScalarBytes { .. } | B::InputBytes { .. } => {
            "too much YAML to read"
        }
        B::Depth { .. } => "nested too deeply",
        B::Aliases { .. } | B::AliasAnchorRatio { .. } | B::MergeKeys { .. } => {
            "too many aliases (*name)"
        }
        B::Anchors { .. } => "too many anchors (&name)",
        B::Documents { .. } => "too many YAML documents",
        _ => "over a YAML reading limit",
    };
    Some(format!("{what}, over the limit claimtag reads"))
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
