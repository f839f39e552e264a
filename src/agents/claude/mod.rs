//! Claude Code transcripts: `~/.claude/projects/<encoded-cwd>/<sessionId>.jsonl` and the
//! sub-agent files next to them, read line by line into [`crate::model`] records.
//!
//! Format notes (see `agent-formats.md` §1): every line is a JSON object with a `type`; only
//! `user` and `assistant` lines carry anything we keep (`system` lines only close a pending
//! usage, see below). One API response is written as several `assistant` lines sharing a
//! `message.id`, each repeating a `usage` whose `output_tokens` grows towards the final count;
//! the reader therefore holds a message's usage back until a line of something else arrives
//! (or the line carries a `stop_reason`) and emits it once, with an id derived only from the
//! message id so that the store keeps a single row per API message.
//!
//! Sub-agents: newer CLIs write them to `agent-<id>.jsonl` files whose records have
//! `isSidechain: true`, an `agentId` and the *parent's* `sessionId`; they become sessions
//! `agent-<id>` with `parent_id` set. CLIs 1.0.x wrote sidechains inline in the parent's file
//! without an `agentId`; each such chain (rooted at a sidechain record with no `parentUuid`)
//! becomes a session `sidechain-<root uuid>` so that the model-written task prompt is not
//! mistaken for something the human typed in the parent session.
//!
//! Parsing is the hot path of capture: lines are deserialized into borrowed structs and every
//! field we do not need (`toolUseResult`, image data, progress payloads) is skipped by serde
//! without being materialised.
//!
//! Layout: [`reader`] is the state machine, [`wire`] the line's serde types, [`discover`]
//! where transcripts live.

mod discover;
mod reader;
#[cfg(test)]
mod tests;
mod wire;

pub use self::discover::{discover, encode_project_dir};
pub use self::reader::ClaudeReader;
use super::{FileReader, Input, Reader, Scope};
use crate::model::Agent;
use std::path::{Path, PathBuf};

/// Claude Code (the CLI, and the IDE extensions, which write the same transcripts).
pub struct Claude;

impl Reader for Claude {
    fn agent(&self) -> Agent {
        Agent::ClaudeCode
    }

    fn input(&self) -> Input {
        Input::Lines
    }

    fn discover(&self, home: &Path, scope: &Scope) -> Vec<PathBuf> {
        let mut found = Vec::new();
        for root in scope.roots() {
            found.extend(discover(home, root));
        }
        found.sort();
        found.dedup();
        found
    }

    fn open(&self, path: &Path, state: Option<&str>) -> Box<dyn FileReader> {
        Box::new(ClaudeReader::open(path, state))
    }
}
