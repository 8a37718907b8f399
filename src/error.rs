//! The core error type. Every data error carries a [`Place`]: the file, and
//! where known the sheet, line and column it is about, so that the message a
//! user reads tells them where to look. Core modules return [`Result`]; the
//! CLI and the window turn errors into one message and an exit code.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::model::Kind;

/// Where in the input a data error was found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// File name as the user gave it.
    pub file: String,
    /// Sheet name, for spreadsheets.
    pub sheet: Option<String>,
    /// 1-based line (CSV/text) or row (spreadsheet) number.
    pub line: Option<u64>,
    /// Column name, or spreadsheet cell reference.
    pub column: Option<String>,
}

impl Place {
    /// A place covering a whole file.
    pub fn file(path: &Path) -> Self {
        Place {
            file: path.display().to_string(),
            ..Place::default()
        }
    }

    /// The same place narrowed to a line.
    pub fn at_line(&self, line: u64) -> Self {
        Place {
            line: Some(line),
            ..self.clone()
        }
    }

    /// The same place narrowed to a column.
    pub fn at_column(&self, column: impl Into<String>) -> Self {
        Place {
            column: Some(column.into()),
            ..self.clone()
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(sheet) = &self.sheet {
            write!(f, ", sheet {sheet}")?;
        }
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        Ok(())
    }
}

/// Every failure the core can report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input data is wrong: the message says what, the place says where.
    #[error("{place}: {message}")]
    Data {
        /// Where the problem is.
        place: Place,
        /// What is wrong, in words a user can act on.
        message: String,
    },
    /// A file lacks columns the import cannot go without (or whose
    /// absence would leave figures silently wrong).
    #[error("{0}")]
    MissingColumns(Box<MissingColumns>),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// SQLite reported an error.
    #[error("workspace {}: {source}", path.display())]
    Sqlite {
        /// The workspace file.
        path: PathBuf,
        /// The underlying error.
        source: rusqlite::Error,
    },
    /// The workspace was written by a newer version of the workbench.
    #[error(
        "workspace {}: written by a newer DataMed Workbench (schema version {found}, this version knows up to {supported}); it was not changed — open it with a newer version",
        path.display()
    )]
    WorkspaceTooNew {
        /// The workspace file.
        path: PathBuf,
        /// Schema version found in the file.
        found: i64,
        /// Highest schema version this build knows.
        supported: i64,
    },
    /// SQLite's check found damaged pages: the workspace is not used.
    #[error("workspace {}: damaged (SQLite's check: {detail}); it was not changed — restore it from a backup or import again into a new workspace", path.display())]
    Damaged {
        /// The workspace file.
        path: PathBuf,
        /// What the check reported.
        detail: String,
    },
    /// Another process holds the workspace.
    #[error("workspace {}: busy — another DataMed process is writing to it; try again when it has finished", path.display())]
    Busy {
        /// The workspace file.
        path: PathBuf,
    },
    /// The user cancelled a long operation; nothing was written.
    #[error("cancelled: nothing was written")]
    Cancelled,
    /// A failure of the program itself, not of the data or the request (a
    /// worker that panicked, a thread that could not start): exit 1, with
    /// what went wrong, to be reported as a bug.
    #[error(
        "internal error: {0} (this is a bug in DataMed Workbench; nothing was written by the failed step)"
    )]
    Internal(String),
    /// The request itself is wrong (bad option, unknown kind...).
    #[error("{0}")]
    Usage(String),
    /// A reviewer's step refused, and why (typed: the window words it).
    #[error(transparent)]
    Refused(#[from] crate::model::refusal::Refusal),
}

impl Error {
    /// An internal error from a thread's panic payload, keeping its message.
    pub fn panicked(what: &str, payload: &(dyn std::any::Any + Send)) -> Self {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_string());
        Error::Internal(format!("{what} panicked: {message}"))
    }

    /// A data error at `place`.
    pub fn data(place: Place, message: impl Into<String>) -> Self {
        Error::Data {
            place,
            message: message.into(),
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The process exit code for this error: 2 for usage errors, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::Refused(_) => 2,
            _ => 1,
        }
    }
}

/// What [`Error::MissingColumns`] says: the file, its kind, the expected
/// columns not found and the ones found (for the mapping dialog).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingColumns {
    /// The file, at its header line.
    pub place: Place,
    /// The kind the file was taken for.
    pub kind: Kind,
    /// Expected columns not found.
    pub missing: Vec<&'static str>,
    /// Columns found in the file (non-empty headers).
    pub found: Vec<String>,
}

impl fmt::Display for MissingColumns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let example = self.missing.first().copied().unwrap_or("COLUMN");
        write!(
            f,
            "{}: not a {} file as expected: missing column(s) {}; columns found: {}. If a column is there under another name, map it with --map {example}=<found name> (remembered for the next {} file)",
            self.place,
            self.kind.file_label(),
            self.missing.join(", "),
            if self.found.is_empty() {
                "none".to_string()
            } else {
                self.found.join(", ")
            },
            self.kind.as_str()
        )
    }
}

/// Result with the core [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
