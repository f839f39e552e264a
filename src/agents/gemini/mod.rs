//! Gemini CLI chats: `~/.gemini/tmp/<project>/chats/session-*.jsonl` (the append-only log
//! since 2026) and the legacy single-document `session-*.json`, read into [`crate::model`]
//! records. `GEMINI_CLI_HOME` relocates the `~` that `.gemini` lives in (config does that).
//!
//! Format notes (`agent-formats-2026.md` §1, checked against Gemini CLI 0.61 in the
//! conformance suite): line 1 is metadata (`sessionId`, `startTime`, `kind`); message records
//! (`type` `user` / `gemini` / `info` / `error` / `warning`) are keyed by `id` and appended
//! again whenever they change, last one winning; `{"$set": {…}}` merges metadata (and may
//! carry a whole `messages` array: the first one holds the CLI's `<session_context>`
//! preamble, not a prompt); `{"$rewindTo": id}` deletes that message and everything after.
//! The mapping:
//!
//! * `user` records are prompts, except the preamble and tool results (`functionResponse`
//!   parts, the CLI answering the model);
//! * `gemini` records give replies (`content`), reasoning (`thoughts`), usage (`tokens`, one per
//!   message id) and the model;
//! * `toolCalls` with a final status: `write_file` and `replace` become edits, and
//!   `run_shell_command` a command, each with an outcome (`success`; `error` is a failure
//!   with the tool's error text) or a rejection (`cancelled`: the user declined; the prompt
//!   they send next is the reason, as in the CLI they type it after pressing Esc);
//! * a rewind turns the applied edits of the removed turns into rejections (abandoned
//!   attempts).
//!
//! The chats name no cwd: the project directory's root (`.project_root`, `projects.json`, or
//! for un-migrated `sha256(root)` directories the worktree root it hashes to) is the cwd.
//!
//! Both file kinds are [`Input::Whole`] sources: the reader keeps its own offset into the
//! JSONL log (and reads complete lines only, since the CLI may be writing the last one), and
//! reads the legacy document whole.

mod discover;
mod reader;
#[cfg(test)]
mod tests;
mod wire;

pub use self::discover::{checked_out_branch, discover, sha256_hex};
pub use self::reader::GeminiReader;
use super::{FileReader, Input, Reader, Scope};
use crate::model::Agent;
use std::path::{Path, PathBuf};

/// Gemini CLI (`@google/gemini-cli`).
pub struct Gemini;

impl Reader for Gemini {
    fn agent(&self) -> Agent {
        Agent::GeminiCli
    }

    fn input(&self) -> Input {
        Input::Whole
    }

    fn discover(&self, home: &Path, scope: &Scope) -> Vec<PathBuf> {
        discover(home, scope.roots())
    }

    fn open(&self, path: &Path, state: Option<&str>) -> Box<dyn FileReader> {
        Box::new(GeminiReader::open(path, state))
    }
}
