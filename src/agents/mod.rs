//! Agent readers: one module per agent turns that agent's on-disk transcripts into the common
//! [`crate::model`] records.
//!
//! Readers are incremental line parsers. The capture driver ([`crate::capture`]) finds the
//! source files ([`discover`]), seeks to the offset it stopped at last time, and feeds each
//! complete line to a [`Reader`] restored from the state it saved then. A reader never sees a
//! partial line and never fails a file: a line it cannot use is reported as skipped.

pub mod claude;
pub mod codex;

use crate::model::{Agent, Event, SessionInfo};
use std::path::{Path, PathBuf};

/// What one line yields, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// What is known about a session now (emit when something changed, before the events that
    /// depend on it). `cwd` decides whether the session's events belong to this repository.
    Session(SessionInfo),
    /// An event of a session previously announced with [`Record::Session`].
    Event(Event),
}

/// Why a line produced nothing useful. Counted by capture, never fatal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// The line is not valid JSON (or not an object).
    Malformed,
}

/// An incremental transcript parser for one source file.
pub trait Reader {
    /// Parse one complete line (without its trailing newline). `offset` is the byte offset of
    /// the line's first byte in the file; use it (times 1024, plus an item index) for
    /// [`Event::ord`]. Push what the line yields onto `out`.
    fn read_line(&mut self, line: &[u8], offset: u64, out: &mut Vec<Record>) -> Result<(), Skip>;

    /// The reader's state after the last line, so that a later capture can resume at the next
    /// offset with [`open`]. Keep it small: ids, cwd, model, pending call ids, not transcripts.
    fn save_state(&self) -> String;
}

/// Open a reader for `path`, resuming from a state saved by [`Reader::save_state`] (or fresh
/// when `state` is `None` or unreadable).
pub fn open(agent: Agent, path: &Path, state: Option<&str>) -> Box<dyn Reader> {
    match agent {
        Agent::ClaudeCode => Box::new(claude::ClaudeReader::open(path, state)),
        Agent::Codex => Box::new(codex::CodexReader::open(path, state)),
    }
}

/// The transcript files of `agent` under its home directory (`~/.claude`, `~/.codex`) that may
/// hold sessions of the worktree at `root`. Cheap pre-filtering only (Claude's project
/// directory names); the reader's cwd decides for real.
pub fn discover(agent: Agent, home: &Path, root: &Path) -> Vec<PathBuf> {
    match agent {
        Agent::ClaudeCode => claude::discover(home, root),
        Agent::Codex => codex::discover(home),
    }
}

/// Whether `cwd` is `root` or lies below it (component-wise, so `/a/bc` is not inside `/a/b`).
pub fn is_inside(cwd: &str, root: &Path) -> bool {
    Path::new(cwd).starts_with(root)
}

/// Helpers shared by the readers' tests.
#[cfg(test)]
pub(crate) mod test_util {
    use super::Record;
    use crate::model::{Event, SessionInfo};

    /// The events among records.
    pub fn events(records: &[Record]) -> Vec<&Event> {
        records
            .iter()
            .filter_map(|r| match r {
                Record::Event(e) => Some(e),
                Record::Session(_) => None,
            })
            .collect()
    }

    /// The session announcements among records.
    pub fn sessions(records: &[Record]) -> Vec<&SessionInfo> {
        records
            .iter()
            .filter_map(|r| match r {
                Record::Session(s) => Some(s),
                Record::Event(_) => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_is_component_wise() {
        let root = Path::new("/home/dev/widget");
        assert!(is_inside("/home/dev/widget", root));
        assert!(is_inside("/home/dev/widget/src", root));
        assert!(!is_inside("/home/dev/widget-old", root));
        assert!(!is_inside("/home/dev", root));
    }
}
