//! Typed errors for the library, and the mapping of each kind to a process exit code.
//!
//! Binaries use `anyhow` only at the edge; everything below `src/bin` returns [`Error`], so the
//! exit code (0 ok, 1 usage or user error, 2+ failure, as git does) is decided in one place.

use std::path::PathBuf;

/// Every failure the library reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user asked for something that cannot be done as asked (bad argument, unknown id,
    /// not inside a repository). Exit code 1.
    #[error("{0}")]
    User(String),

    /// A configuration file holds an unknown key or a bad value.
    #[error("{file}: {message}")]
    Config { file: PathBuf, message: String },

    /// A git operation failed.
    #[error("git: {0}")]
    Git(String),

    /// The local store (`.prompts/events.db`) could not be read or written.
    #[error("store {path}: {source}")]
    Store {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A talk with an LLM provider failed.
    #[error("llm: {0}")]
    Llm(String),

    /// Anything else that is not the user's fault.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// The process exit code for this error, following git: 1 for usage/user errors, 2 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::User(_) | Error::Config { .. } => 1,
            _ => 2,
        }
    }

    /// Shorthand for a user error.
    pub fn user(msg: impl Into<String>) -> Self {
        Error::User(msg.into())
    }

    /// Shorthand for an I/O error on a path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
