//! The one event model every agent reader produces and every consumer (store, attribution,
//! blame, handoff) reads: a [`Session`] and its ordered [`Event`]s.
//!
//! The model is deliberately small and agent-neutral; what an agent records beyond it is
//! dropped at the reader. Ids are content-derived (see [`event_id`]) so re-reading the same
//! bytes yields the same ids and the store can ignore what it already has.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// Milliseconds since the Unix epoch, UTC. Stored as an integer; rendered as RFC 3339.
pub type Millis = i64;

/// The agents git drift reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Agent {
    ClaudeCode,
    Codex,
    GeminiCli,
    Opencode,
    CopilotCli,
}

impl Agent {
    /// Every agent, in display order.
    pub const ALL: [Agent; 5] = [
        Agent::ClaudeCode,
        Agent::Codex,
        Agent::GeminiCli,
        Agent::Opencode,
        Agent::CopilotCli,
    ];

    /// The stable name used in config, notes, JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Agent::ClaudeCode => "claude-code",
            Agent::Codex => "codex",
            Agent::GeminiCli => "gemini-cli",
            Agent::Opencode => "opencode",
            Agent::CopilotCli => "copilot-cli",
        }
    }
}

impl fmt::Display for Agent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Agent {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "claude-code" | "claude" => Ok(Agent::ClaudeCode),
            "codex" => Ok(Agent::Codex),
            "gemini-cli" | "gemini" => Ok(Agent::GeminiCli),
            "opencode" => Ok(Agent::Opencode),
            "copilot-cli" | "copilot" => Ok(Agent::CopilotCli),
            other => Err(format!(
                "unknown agent '{other}' (valid: {})",
                Agent::ALL.map(Agent::as_str).join(", ")
            )),
        }
    }
}

/// The agent a handoff brief is handed to (`git drift handoff --to`, `handoff.to` in config); tailors the closing "how to continue" section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    #[value(name = "claude-code", alias = "claude")]
    ClaudeCode,
    Codex,
    #[value(name = "gemini-cli", alias = "gemini")]
    GeminiCli,
    Opencode,
    Cursor,
    Aider,
    Generic,
}

impl Target {
    /// Every target, in display order.
    pub const ALL: [Target; 7] = [
        Target::ClaudeCode,
        Target::Codex,
        Target::GeminiCli,
        Target::Opencode,
        Target::Cursor,
        Target::Aider,
        Target::Generic,
    ];

    /// The name used on the command line, in config and in file names.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::ClaudeCode => "claude-code",
            Target::Codex => "codex",
            Target::GeminiCli => "gemini-cli",
            Target::Opencode => "opencode",
            Target::Cursor => "cursor",
            Target::Aider => "aider",
            Target::Generic => "generic",
        }
    }

    /// The agent whose native session `--inject` can write for this target.
    pub fn injectable(self) -> Option<Agent> {
        match self {
            Target::ClaudeCode => Some(Agent::ClaudeCode),
            Target::Codex => Some(Agent::Codex),
            Target::GeminiCli => Some(Agent::GeminiCli),
            _ => None,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Target {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        <Target as clap::ValueEnum>::from_str(s, false).map_err(|_| {
            format!(
                "unknown handoff target '{s}' (valid: {})",
                Target::ALL.map(Target::as_str).join(", ")
            )
        })
    }
}

/// What the reader learned about a session from one or more lines. Fields are `None` when the
/// lines seen so far do not tell; the store merges updates (earliest start, latest end, latest
/// model/branch/cwd).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The agent's own session id (Claude `sessionId` / sub-agent `agentId`, Codex thread uuid).
    pub id: String,
    /// For sub-agent / sidechain sessions: the parent session's id.
    pub parent_id: Option<String>,
    pub cwd: Option<String>,
    pub branch: Option<String>,
    pub model: Option<String>,
    pub started: Option<Millis>,
    pub ended: Option<Millis>,
}

/// A captured session as the store returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub agent: Agent,
    #[serde(flatten)]
    pub info: SessionInfo,
}

/// One thing that happened in a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Content-derived id, see [`event_id`].
    pub id: String,
    pub session_id: String,
    /// When it happened, if the transcript says.
    pub at: Option<Millis>,
    /// Order within the session when timestamps tie or are missing: byte offset of the line in
    /// its source file times 1024 plus the index of the item within the line.
    pub ord: i64,
    pub kind: EventKind,
}

/// The kinds of events. Tool calls and their outcomes are separate events joined by `call_id`,
/// because a call and its result can arrive in different capture batches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// Text the human typed (harness-injected boilerplate already filtered out).
    Prompt { text: String },
    /// Text the assistant said to the user.
    Reply { text: String },
    /// A reasoning summary / thinking text.
    Reasoning { text: String },
    /// A file edit the agent asked to make. Whether it was applied is decided by the
    /// [`EventKind::Outcome`] or [`EventKind::Rejection`] with the same `call_id`.
    Edit(Edit),
    /// A shell command the agent asked to run.
    Command {
        call_id: Option<String>,
        command: String,
    },
    /// The result of a tool call (edit or command) that was not declined by the user.
    Outcome {
        call_id: String,
        /// `false` when the tool reported failure (non-zero exit, patch failed to apply).
        ok: bool,
        exit_code: Option<i32>,
        /// The last few lines of output (at most ~2 KiB), for error tails in handoffs.
        output_tail: Option<String>,
    },
    /// The user (or a permission rule) declined a tool use.
    Rejection {
        call_id: Option<String>,
        /// What the user typed when declining, if anything.
        reason: Option<String>,
    },
    /// A plan / todo list snapshot (Claude TodoWrite, Codex update_plan).
    Plan {
        items: Vec<PlanItem>,
        explanation: Option<String>,
    },
    /// The user's answer to a plan the agent presented for approval (Claude Code's
    /// `ExitPlanMode`; the plan itself was also emitted as a [`EventKind::Plan`] with the text
    /// in `explanation` when the agent proposed it). `accepted: true` is a decision the agent
    /// then implements. `accepted: false` is a rejected approach: `reason` is what the user
    /// typed when declining (None when they typed nothing), and the reader *also* emits a
    /// [`EventKind::Rejection`] with the same `call_id`, so rejection counts include it;
    /// a consumer listing rejections should render that one from this event (it has the plan
    /// text) and skip the bare rejection whose `call_id` matches.
    PlanVerdict {
        call_id: Option<String>,
        /// The plan text as the agent presented it (Markdown).
        plan: String,
        accepted: bool,
        reason: Option<String>,
    },
    /// Token usage of one API message (deduplicated by `message_id` in the store).
    Usage {
        message_id: String,
        model: Option<String>,
        input: u64,
        output: u64,
        cache_read: u64,
        cache_write: u64,
    },
}

impl EventKind {
    /// The short name stored in the `kind` column.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Prompt { .. } => "prompt",
            EventKind::Reply { .. } => "reply",
            EventKind::Reasoning { .. } => "reasoning",
            EventKind::Edit(_) => "edit",
            EventKind::Command { .. } => "command",
            EventKind::Outcome { .. } => "outcome",
            EventKind::Rejection { .. } => "rejection",
            EventKind::Plan { .. } => "plan",
            EventKind::PlanVerdict { .. } => "plan_verdict",
            EventKind::Usage { .. } => "usage",
        }
    }

    /// The tool call id this event belongs to, if any.
    pub fn call_id(&self) -> Option<&str> {
        match self {
            EventKind::Edit(e) => e.call_id.as_deref(),
            EventKind::Command { call_id, .. }
            | EventKind::Rejection { call_id, .. }
            | EventKind::PlanVerdict { call_id, .. } => call_id.as_deref(),
            EventKind::Outcome { call_id, .. } => Some(call_id),
            _ => None,
        }
    }
}

/// What an edit does to its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EditOp {
    /// Create a file (Claude `Write` of a new file, Codex `*** Add File`).
    Add,
    /// Replace text in a file (Claude Edit / MultiEdit item / NotebookEdit, Codex `*** Update`).
    Update,
    /// Overwrite a whole file whose previous content is unknown (Claude `Write`).
    Write,
    /// Delete a file.
    Delete,
}

/// A file edit. One tool call may yield several `Edit` events (MultiEdit items, one per file of
/// an apply_patch envelope, one per hunk); they share the `call_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edit {
    pub call_id: Option<String>,
    /// The tool that made it: `Edit`, `MultiEdit`, `Write`, `NotebookEdit`, `apply_patch`.
    pub tool: String,
    /// Absolute path of the file (relative paths already joined with the session's cwd).
    pub path: String,
    pub op: EditOp,
    /// The text replaced (Claude `old_string`, the `-` and context lines of a hunk); empty for
    /// Add/Write.
    pub before: String,
    /// The text written (Claude `new_string` / `content`, the `+` and context lines of a hunk).
    pub after: String,
    /// For a rename (`*** Move to:`): the new absolute path.
    pub move_to: Option<String>,
}

/// One item of a plan or todo list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItem {
    pub text: String,
    /// `pending`, `in_progress` or `completed`.
    pub status: String,
}

/// Derive an event id from content: the first 32 hex digits of SHA-256 over the agent, the
/// session id, and the given parts (each length-prefixed so parts cannot run into each other).
pub fn event_id(agent: Agent, session_id: &str, parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in [agent.as_str().as_bytes(), session_id.as_bytes()]
        .into_iter()
        .chain(parts.iter().copied())
    {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    hex(&h.finalize()[..16])
}

/// What of a raw transcript line goes into an event id: its length, first 512 and last 128
/// bytes. Lines carry a timestamp and ids near the start, so this identifies a line as well as
/// its whole content does, while hashing a bounded amount of it (lines can be megabytes of
/// tool output, and hashing them whole dominated capture time).
pub fn line_key(raw: &[u8]) -> Vec<u8> {
    const HEAD: usize = 512;
    const TAIL: usize = 128;
    let mut key = Vec::with_capacity(8 + HEAD + TAIL);
    key.extend_from_slice(&(raw.len() as u64).to_le_bytes());
    if raw.len() <= HEAD + TAIL {
        key.extend_from_slice(raw);
    } else {
        key.extend_from_slice(&raw[..HEAD]);
        key.extend_from_slice(&raw[raw.len() - TAIL..]);
    }
    key
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0xf) as usize] as char);
    }
    s
}

/// Parse an RFC 3339 timestamp into milliseconds since the epoch.
pub fn parse_millis(s: &str) -> Option<Millis> {
    s.parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_millisecond())
}

/// Render milliseconds since the epoch as RFC 3339 UTC with a `Z` suffix.
pub fn format_millis(ms: Millis) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_by_name() {
        for t in Target::ALL {
            assert_eq!(t.as_str().parse::<Target>(), Ok(t));
        }
        assert!("vim".parse::<Target>().unwrap_err().contains("claude-code"));
        assert_eq!(Target::Aider.injectable(), None);
        assert_eq!(Target::Codex.injectable(), Some(Agent::Codex));
    }

    #[test]
    fn event_ids_are_stable_and_part_separated() {
        let a = event_id(Agent::Codex, "s", &[b"ab", b"c"]);
        let b = event_id(Agent::Codex, "s", &[b"a", b"bc"]);
        assert_ne!(a, b);
        assert_eq!(a, event_id(Agent::Codex, "s", &[b"ab", b"c"]));
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn timestamps_round_trip() {
        let ms = parse_millis("2026-01-15T09:30:00.120Z").unwrap();
        assert_eq!(format_millis(ms), "2026-01-15T09:30:00.12Z");
        assert_eq!(parse_millis("nope"), None);
    }
}
