//! OpenCode sessions: the SQLite database `opencode.db` (OpenCode ≥ 1.2; tables `session`,
//! `message`, `part`, JSON in a `data` column) under `$XDG_DATA_HOME/opencode` (default
//! `~/.local/share/opencode`), read into [`crate::model`] records.
//!
//! The database is opened read-only with a short busy timeout, so a running OpenCode is never
//! blocked and a locked moment costs one capture, not data. OpenCode keeps it in WAL mode: new
//! rows sit in `opencode.db-wal` until a checkpoint, and the main file does not change; so
//! discovery names the `-wal` file while it exists (its size and mtime move with every write,
//! which is what capture compares) and the database otherwise. The reader remembers the
//! highest `time_updated` it has read and asks only for rows from there on.
//!
//! The mapping (checked against OpenCode 1.18.33 in the conformance suite):
//! * `session` rows are sessions (`directory` is the cwd, `parent_id` a sub-agent's parent);
//! * `text` parts of user messages are prompts (`synthetic` ones are the harness's), of
//!   assistant messages replies; `reasoning` parts reasoning;
//! * `tool` parts once final (`completed` / `error`): `write`, `edit`, `multiedit`, `patch` /
//!   `apply_patch` become edits, `bash` a command; an `error` state is a failure, or a
//!   rejection when OpenCode's permission said no ("The user rejected permission …", with the
//!   feedback the user typed as the reason);
//! * assistant messages carry the model and, once completed, the tokens (one usage each).
//!
//! Not read: the ≤ 1.1 `storage/` JSON tree (OpenCode migrates it into the database on its
//! first start since 1.2).

mod discover;
mod reader;
#[cfg(test)]
mod tests;
mod wire;

pub use self::discover::{database_of, discover};
pub use self::reader::OpencodeReader;
use super::{FileReader, Input, Reader, Scope};
use crate::model::Agent;
use std::path::{Path, PathBuf};

/// OpenCode (`opencode-ai`).
pub struct Opencode;

impl Reader for Opencode {
    fn agent(&self) -> Agent {
        Agent::Opencode
    }

    fn input(&self) -> Input {
        Input::Whole
    }

    fn discover(&self, home: &Path, _scope: &Scope) -> Vec<PathBuf> {
        discover(home)
    }

    fn open(&self, path: &Path, state: Option<&str>) -> Box<dyn FileReader> {
        Box::new(OpencodeReader::open(path, state))
    }
}
