//! Typed errors for the library, and the mapping of each kind to a process exit code.
//!
//! Everything returns [`Error`], so the exit code (0 ok, 1 usage or user error, 2+ failure, as
//! git does) is decided in one place. Errors keep their cause as a `#[source]` and may carry a
//! one-line hint ([`Error::with_hint`]).

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

    /// A git operation failed; `source` is the gix, io or process error behind it, if any.
    #[error("git: {message}")]
    Git {
        message: String,
        #[source]
        source: Option<BoxError>,
    },

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
    #[error("{message}")]
    Other {
        message: String,
        #[source]
        source: Option<BoxError>,
    },

    /// Another error with a one-line hint on what to do about it (printed as git prints its
    /// hints, on a line of its own).
    #[error("{error}")]
    Hinted {
        #[source]
        error: Box<Error>,
        hint: String,
    },
}

/// The boxed cause an error keeps (gix, io, ureq, … errors).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

impl Error {
    /// The process exit code for this error, following git: 1 for usage/user errors, 2 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::User(_) | Error::Config { .. } => 1,
            Error::Hinted { error, .. } => error.exit_code(),
            _ => 2,
        }
    }

    /// A git failure described by `message` alone.
    pub fn git(message: impl Into<String>) -> Self {
        Error::Git {
            message: message.into(),
            source: None,
        }
    }

    /// A git failure caused by `source`; the message reads "context: cause".
    pub fn git_from(
        context: impl std::fmt::Display,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Git {
            message: format!("{context}: {source}"),
            source: Some(Box::new(source)),
        }
    }

    /// Any other failure described by `message` alone.
    pub fn other(message: impl Into<String>) -> Self {
        Error::Other {
            message: message.into(),
            source: None,
        }
    }

    /// Any other failure caused by `source`; the message reads "context: cause".
    pub fn other_from(
        context: impl std::fmt::Display,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Other {
            message: format!("{context}: {source}"),
            source: Some(Box::new(source)),
        }
    }

    /// This error with a hint on what to do about it.
    pub fn with_hint(self, hint: impl Into<String>) -> Self {
        Error::Hinted {
            error: Box::new(self),
            hint: hint.into(),
        }
    }

    /// The hint attached to this error, if any.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Hinted { hint, .. } => Some(hint),
            _ => None,
        }
    }

    /// The message of a git, other or user error without its prefix (for retry reports).
    pub fn message(&self) -> String {
        match self {
            Error::Git { message, .. } | Error::Other { message, .. } => message.clone(),
            Error::User(m) => m.clone(),
            Error::Hinted { error, .. } => error.message(),
            e => e.to_string(),
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

/// Map a failed write to the output stream (a closed pipe is not reported; see the CLI).
pub fn out_err(e: std::io::Error) -> Error {
    Error::io("<stdout>", e)
}

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
