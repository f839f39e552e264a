//! Codex CLI rollouts (`$CODEX_HOME/sessions/**/rollout-*.jsonl`) read into the common event
//! model.
//!
//! Two on-disk eras exist and are both read: the current "wrapped" one, where every line is
//! `{timestamp, type, payload}`, and the legacy "bare" one (≤ Sept 2025) whose first line is a
//! bare `{id, timestamp, instructions, git}` object followed by bare response items without
//! timestamps and `{"record_type":"state"}` markers. The mapping, in short:
//!
//! * the session comes from the first `session_meta` (later ones are a parent's meta copied into
//!   a fork or a sub-agent's start and are ignored), with cwd and model updated by every
//!   `turn_context`; legacy files recover the cwd from the `<environment_context>` message;
//! * prompts are `event_msg user_message` (wrapped) or harness-filtered user messages (legacy),
//!   replies are assistant `message`s, reasoning is the `reasoning` summary;
//! * every way Codex applies a patch (the `apply_patch` custom or function tool, `shell` argv,
//!   heredocs in `bash -lc` / `shell_command` / `exec_command` scripts, `local_shell_call`)
//!   becomes one [`crate::model::Edit`] per added/deleted file or per update hunk; other shell calls become
//!   [`crate::model::EventKind::Command`]s;
//! * tool outputs of those calls become outcomes or rejections, `update_plan` a plan, and
//!   `token_count` (deduplicated, Codex repeats it) a usage record.
//!
//! Lines are deserialised into borrowed, lenient structs: a field of an unexpected JSON type is
//! ignored rather than failing the line, and large values we do not keep (encrypted reasoning,
//! instructions, outputs of calls we do not track) are skipped without being copied.
//!
//! Layout: [`reader`] is the state machine, [`wire`] the line's serde types, [`discover`]
//! where rollouts live, [`apply_patch`] the patch envelope parser.

pub mod apply_patch;
mod discover;
mod reader;
#[cfg(test)]
mod tests;
mod wire;

pub use self::discover::discover;
pub use self::reader::CodexReader;
use super::{FileReader, Input, Reader, Scope};
use crate::model::Agent;
use std::path::{Path, PathBuf};

/// The Codex CLI (and Codex Desktop / IDE extension, which write the same rollouts).
pub struct Codex;

impl Reader for Codex {
    fn agent(&self) -> Agent {
        Agent::Codex
    }

    fn input(&self) -> Input {
        Input::Lines
    }

    fn discover(&self, home: &Path, _scope: &Scope) -> Vec<PathBuf> {
        discover(home)
    }

    fn open(&self, path: &Path, state: Option<&str>) -> Box<dyn FileReader> {
        Box::new(CodexReader::open(path, state))
    }
}
