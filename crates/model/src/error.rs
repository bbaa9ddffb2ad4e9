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
        let text = serde_saphyr::UserMessageFormatter.format_message(err.without_snippet());
        // The formatter's text is not yet cleaned of control characters: keep
        // the message on one line.
        let message: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        Error::Yaml {
            path: path.into(),
            line,
            column,
            message: message.trim().to_string(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
