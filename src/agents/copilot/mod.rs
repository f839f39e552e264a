//! GitHub Copilot CLI sessions: `$COPILOT_HOME/session-state/<sessionId>/events.jsonl`
//! (default `~/.copilot`), one `{type, data, id, timestamp, parentId}` event per line, read
//! into [`crate::model`] records.
//!
//! Written from the format reference (agent-formats-2026.md §5), not from runs of the real CLI
//! (`@github/copilot` was not driven against the scripted server in this round); the fixtures
//! are real-shaped records written by hand. The mapping:
//! * `session.start` gives the session (`context.cwd`, `context.branch`), `session.model_change`
//!   and `assistant.message.model` the model;
//! * `user.message` is a prompt unless it is machinery (a `source` other than the user, a
//!   `<system_notification>`);
//! * `assistant.message`: `content` a reply, `reasoningText` reasoning, `toolRequests` the calls
//!   (`create` an added file, `str_replace` / `edit` an update, `apply_patch` a patch, `bash` /
//!   `shell` a command), `outputTokens` the usage (the CLI records no input count per message);
//! * `tool.execution_complete`: the outcome (`success`), a denial (an error saying the user
//!   denied or rejected it) a rejection; `permission.*` events that say denied likewise.

mod discover;
mod reader;
#[cfg(test)]
mod tests;

pub use self::discover::discover;
pub use self::reader::CopilotReader;
use super::{FileReader, Input, Reader, Scope};
use crate::model::Agent;
use std::path::{Path, PathBuf};

/// GitHub Copilot CLI (`@github/copilot`).
pub struct Copilot;

impl Reader for Copilot {
    fn agent(&self) -> Agent {
        Agent::CopilotCli
    }

    fn input(&self) -> Input {
        Input::Lines
    }

    fn discover(&self, home: &Path, _scope: &Scope) -> Vec<PathBuf> {
        discover(home)
    }

    fn open(&self, path: &Path, state: Option<&str>) -> Box<dyn FileReader> {
        Box::new(CopilotReader::open(path, state))
    }
}
