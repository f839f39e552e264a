//! Agent readers: one folder per agent turns that agent's on-disk transcripts into the common
//! [`crate::model`] records.
//!
//! A new agent is one folder implementing [`Reader`] (what it is, where its transcripts are,
//! how they are read) and one line in [`READERS`]; capture drives every agent only through
//! these traits. Each reader folder has the same parts: the state machine (`reader.rs`), the
//! serde wire types (`wire.rs`, built from the forgiving [`lenient`] wrappers), discovery
//! (`discover.rs`) and its unit tests (`tests.rs`).
//!
//! Readers are incremental: capture finds the source files ([`Reader::discover`]), and for an
//! [`Input::Lines`] source (JSON Lines, appended to) seeks to the offset it stopped at last
//! time and feeds each complete line to a [`FileReader`] restored from the state it saved
//! then; for an [`Input::Whole`] source (one JSON document, a SQLite database, a file inside
//! the repository: rewritten in place, not appended to) it hands the reader the whole file
//! each time it changed, and the reader's saved state says what it already emitted (event ids
//! are content-derived, so emitting something again is harmless but wasted). A reader never
//! sees a partial line and never fails a file: what it cannot use is reported as skipped.

pub mod claude;
pub mod codex;
pub mod copilot;
pub mod gemini;
pub mod lenient;
pub mod opencode;
mod scope;

pub use self::scope::Scope;

use crate::model::{Agent, Event, SessionInfo};
use std::path::{Path, PathBuf};

/// Every reader this build has, in [`Agent::ALL`] order.
pub static READERS: &[&dyn Reader] = &[
    &claude::Claude,
    &codex::Codex,
    &gemini::Gemini,
    &opencode::Opencode,
    &copilot::Copilot,
];

/// The reader of `agent`.
pub fn reader(agent: Agent) -> &'static dyn Reader {
    READERS
        .iter()
        .copied()
        .find(|r| r.agent() == agent)
        .expect("every agent has a reader")
}

/// How capture reads an agent's source files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// Append-only JSON Lines (Claude Code, Codex, Gemini CLI checkpoints): capture feeds
    /// complete new lines from where it stopped to [`FileReader::read_line`].
    Lines,
    /// A file rewritten in place (one JSON document such as OpenCode's, a SQLite database such
    /// as Cursor's, opened read-only by the reader; a history file inside the repository such
    /// as Aider's): capture calls [`FileReader::read_whole`] whenever its size or mtime changed.
    Whole,
}

/// One agent: where its transcripts are and how to read them. Implementations are stateless
/// unit structs; per-file state lives in the [`FileReader`] that [`Reader::open`] returns.
pub trait Reader: Sync {
    /// The agent this reader reads.
    fn agent(&self) -> Agent;

    /// How its source files are read.
    fn input(&self) -> Input;

    /// The source files under the agent's home directory (`~/.claude`, `~/.codex`, …) that may
    /// hold sessions of the worktree `scope` describes (in any form of its root). Cheap
    /// pre-filtering only (Claude's project directory names); the session's cwd, which capture
    /// checks with [`Scope::contains`], decides for real.
    fn discover(&self, home: &Path, scope: &Scope) -> Vec<PathBuf>;

    /// A reader for the source at `path`, resuming from a state saved by
    /// [`FileReader::save_state`] (fresh when `state` is `None` or unreadable).
    fn open(&self, path: &Path, state: Option<&str>) -> Box<dyn FileReader>;
}

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
    /// The line is not valid JSON (or not an object), even after repairing its bytes.
    Malformed,
}

/// The incremental parser of one source file.
pub trait FileReader {
    /// Parse one complete line (without its trailing newline) of an [`Input::Lines`] source.
    /// `offset` is the byte offset of the line's first byte in the file; use it (times 1024,
    /// plus an item index) for [`Event::ord`]. Push what the line yields onto `out`.
    fn read_line(&mut self, line: &[u8], offset: u64, out: &mut Vec<Record>) -> Result<(), Skip>;

    /// Read an [`Input::Whole`] source at `path` (the reader opens it itself, read-only) and
    /// push what it yields; returns how many records it had to skip. Line readers never get
    /// this call.
    fn read_whole(&mut self, path: &Path, out: &mut Vec<Record>) -> u64 {
        let _ = (path, out);
        0
    }

    /// Capture has fed everything the source holds now. Emit what was held back waiting for
    /// more (a streamed message's usage); the source may still grow, so whatever is emitted
    /// here must be safe to emit again, updated, later (same event id, larger values).
    fn finish(&mut self, out: &mut Vec<Record>) {
        let _ = out;
    }

    /// The reader's state after the last line, so that a later capture can resume at the next
    /// offset with [`Reader::open`]. Keep it small: ids, cwd, model, pending call ids, not
    /// transcripts.
    fn save_state(&self) -> String;
}

/// Open a reader for `path` of `agent`'s sources (see [`Reader::open`]).
pub fn open(agent: Agent, path: &Path, state: Option<&str>) -> Box<dyn FileReader> {
    reader(agent).open(path, state)
}

/// The source files of `agent` (see [`Reader::discover`]).
pub fn discover(agent: Agent, home: &Path, scope: &Scope) -> Vec<PathBuf> {
    reader(agent).discover(home, scope)
}

/// Whether `cwd` is `root` or lies below it (component-wise, so `/a/bc` is not inside `/a/b`,
/// and after applying `..`, so `/a/b/..` is not inside `/a/b`). Lexical only; capture uses
/// [`Scope::contains`], which also knows symlinked forms and nested repositories.
pub fn is_inside(cwd: &str, root: &Path) -> bool {
    scope::clean(Path::new(cwd)).starts_with(root)
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
