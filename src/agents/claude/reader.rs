//! The Claude Code reader's state machine: one [`ClaudeReader`] per transcript file, fed line
//! by line; `user` and `assistant` records become prompts, replies, tool calls and their
//! results, and streamed usage is folded per API message.

use super::wire::{Block, Content, Line, Message};
use crate::agents::lenient::{self, head, tail};
use crate::agents::{FileReader, Record, Skip};
use crate::model::{
    Agent, Edit, EditOp, Event, EventKind, Millis, PlanItem, SessionInfo, event_id,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;
use std::path::Path;

/// At most this many bytes of command output are kept as an outcome's tail.
pub(super) const OUTPUT_TAIL: usize = 2048;
/// At most this many bytes of a failed edit's error message are kept.
pub(super) const EDIT_ERROR: usize = 512;
/// Tool calls whose result never arrives (killed sessions) must not grow the state forever.
pub(super) const MAX_PENDING: usize = 256;

/// What the harness writes when the human declines a tool use at the permission prompt.
pub(super) const REJECTED: &str = "The user doesn't want to proceed with this tool use.";
/// Precedes the text the human typed when declining.
pub(super) const USER_SAID: &str = "the user said:";

/// User texts starting with one of these were injected by the harness, not typed by the human.
pub(super) const BOILERPLATE: &[&str] = &[
    "<local-command-",
    "<system-reminder>",
    "<bash-input>",
    "<bash-stdout>",
    "<bash-stderr>",
    "<user-memory-input>",
    "<task-notification>",
    "<ide_opened_file>",
    "<ide_selection>",
    "<ide_diagnostics>",
    "<user-prompt-submit-hook>",
    "<post-tool-use-hook>",
    "<session-start-hook>",
    "Caveat:",
    "[Request interrupted by user",
    "This session is being continued from a previous conversation",
];

/// Built-in slash commands that act on the CLI itself and send nothing to the model. Any other
/// command (`/init`, `/review`, project and user commands) expands into a model prompt, so its
/// invocation is what the human asked for.
pub(super) const LOCAL_COMMANDS: &[&str] = &[
    "add-dir",
    "agents",
    "bashes",
    "bug",
    "clear",
    "compact",
    "config",
    "context",
    "cost",
    "doctor",
    "exit",
    "export",
    "feedback",
    "help",
    "hooks",
    "ide",
    "install-github-app",
    "keybindings",
    "login",
    "logout",
    "mcp",
    "memory",
    "migrate-installer",
    "model",
    "output-style",
    "permissions",
    "plugin",
    "privacy-settings",
    "quit",
    "release-notes",
    "rename",
    "resume",
    "rewind",
    "sandbox",
    "stats",
    "status",
    "statusline",
    "tasks",
    "terminal-setup",
    "theme",
    "todos",
    "upgrade",
    "usage",
    "vim",
];

/// What a tool call this reader tracks turns into when its result arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum CallKind {
    Edit,
    Command,
}

/// The usage of the API message currently being streamed, emitted once it is complete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct PendingUsage {
    pub(super) session_id: String,
    pub(super) message_id: String,
    pub(super) model: Option<String>,
    pub(super) input: u64,
    pub(super) output: u64,
    pub(super) cache_read: u64,
    pub(super) cache_write: u64,
    pub(super) at: Option<Millis>,
    pub(super) ord: i64,
}

/// Everything a reader must remember between lines, and so between captures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct State {
    /// The session last announced with [`Record::Session`].
    #[serde(default)]
    pub(super) session: Option<SessionInfo>,
    /// The id of the inline (CLI 1.0.x) sidechain records currently belong to.
    #[serde(default)]
    pub(super) inline_sidechain: Option<String>,
    /// Edit and command calls whose result has not been seen yet, oldest first.
    #[serde(default)]
    pub(super) pending: Vec<(String, CallKind)>,
    #[serde(default)]
    pub(super) usage: Option<PendingUsage>,
    /// The message whose usage was emitted last, to skip its immediate repeats.
    #[serde(default)]
    pub(super) last_usage: Option<String>,
}

/// Incremental reader of one Claude Code transcript file.
pub struct ClaudeReader {
    pub(super) state: State,
    /// `agent-<id>` when the file itself is a sub-agent transcript; names sidechain records
    /// that lack an `agentId`.
    pub(super) file_agent: Option<String>,
    /// The file name without `.jsonl`: the session id of last resort.
    pub(super) file_stem: String,
}

impl ClaudeReader {
    /// A reader for `path`, resuming from `state` (fresh when absent or unreadable).
    pub fn open(path: &Path, state: Option<&str>) -> Self {
        let file_stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let file_agent = file_stem.starts_with("agent-").then(|| file_stem.clone());
        let state = state
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        ClaudeReader {
            state,
            file_agent,
            file_stem,
        }
    }

    /// The session a record belongs to and its parent.
    fn session_of(&mut self, rec: &Line<'_>) -> (String, Option<String>) {
        let session = rec
            .session_id
            .get()
            .filter(|id| !id.is_empty())
            .unwrap_or(&self.file_stem)
            .to_owned();
        if rec.is_sidechain.0 != Some(true) {
            return (session, None);
        }
        let id = if let Some(agent) = rec.agent_id.get().filter(|a| !a.is_empty()) {
            if agent.starts_with("agent-") {
                agent.to_owned()
            } else {
                format!("agent-{agent}")
            }
        } else if let Some(agent) = &self.file_agent {
            agent.clone()
        } else {
            let root = rec.parent_uuid.get().is_none();
            match &self.state.inline_sidechain {
                Some(id) if !root => id.clone(),
                _ => {
                    let id = format!("sidechain-{}", rec.uuid.get().unwrap_or(&self.file_stem));
                    self.state.inline_sidechain = Some(id.clone());
                    id
                }
            }
        };
        (id, Some(session))
    }

    /// Announce the session when it is new or something about it changed.
    fn update_session(
        &mut self,
        id: String,
        parent: Option<String>,
        rec: &Line<'_>,
        model: Option<&str>,
        at: Option<Millis>,
        out: &mut Vec<Record>,
    ) {
        if self
            .state
            .session
            .as_ref()
            .is_some_and(|c| c.id != id || c.parent_id != parent)
        {
            // Switching between a parent and an inline sidechain: what we knew about the other
            // session (its model above all) must not leak into this one.
            self.state.session = None;
        }
        let mut dirty = self.state.session.is_none();
        let cur = self.state.session.get_or_insert_with(|| SessionInfo {
            id,
            parent_id: parent,
            ..SessionInfo::default()
        });
        if let Some(cwd) = rec.cwd.get().filter(|c| !c.is_empty())
            && cur.cwd.as_deref() != Some(cwd)
        {
            cur.cwd = Some(cwd.to_owned());
            dirty = true;
        }
        if let Some(branch) = rec.git_branch.get().filter(|b| !b.is_empty())
            && cur.branch.as_deref() != Some(branch)
        {
            cur.branch = Some(branch.to_owned());
            dirty = true;
        }
        if let Some(model) = model
            && cur.model.as_deref() != Some(model)
        {
            cur.model = Some(model.to_owned());
            dirty = true;
        }
        if cur.started.is_none() && at.is_some() {
            cur.started = at;
            dirty = true;
        }
        if dirty {
            out.push(Record::Session(cur.clone()));
        }
    }

    /// Emit the usage held back for the message being streamed, if any.
    fn flush_usage(&mut self, out: &mut Vec<Record>) {
        let Some(p) = self.state.usage.take() else {
            return;
        };
        out.push(Record::Event(Event {
            id: event_id(
                Agent::ClaudeCode,
                &p.session_id,
                &[b"usage", p.message_id.as_bytes()],
            ),
            session_id: p.session_id,
            at: p.at,
            ord: p.ord,
            kind: EventKind::Usage {
                message_id: p.message_id.clone(),
                model: p.model,
                input: p.input,
                output: p.output,
                cache_read: p.cache_read,
                cache_write: p.cache_write,
            },
        }));
        self.state.last_usage = Some(p.message_id);
    }

    fn track(&mut self, call_id: &str, kind: CallKind) {
        if self.state.pending.len() >= MAX_PENDING {
            self.state.pending.remove(0);
        }
        self.state.pending.push((call_id.to_owned(), kind));
    }

    fn user(&mut self, rec: &Line<'_>, cx: &mut Cx<'_>, out: &mut Vec<Record>) {
        let Some(content) = rec.message.0.as_ref().and_then(|m| m.content.as_ref()) else {
            return;
        };
        // Harness-generated user records (skill/command expansions, hook feedback, the
        // compaction summary) never hold what the human typed.
        let injected = rec.is_meta.0 == Some(true) || rec.is_compact_summary.0 == Some(true);
        match content {
            Content::Text(text) => {
                if !injected && let Some(p) = prompt_text(text) {
                    cx.push(out, EventKind::Prompt { text: p });
                }
            }
            Content::Blocks(blocks) => {
                let mut prompt: Vec<String> = Vec::new();
                for b in blocks {
                    match b.kind.get() {
                        Some("text") if !injected => {
                            if let Some(p) = b.text.get().and_then(prompt_text) {
                                prompt.push(p);
                            }
                        }
                        Some("tool_result") => self.tool_result(b, cx, out),
                        _ => {}
                    }
                }
                if !prompt.is_empty() {
                    cx.push(
                        out,
                        EventKind::Prompt {
                            text: prompt.join("\n\n"),
                        },
                    );
                }
            }
        }
    }

    fn tool_result(&mut self, b: &Block<'_>, cx: &mut Cx<'_>, out: &mut Vec<Record>) {
        let Some(call) = b.tool_use_id.get() else {
            return;
        };
        let Some(pos) = self.state.pending.iter().position(|(id, _)| id == call) else {
            return;
        };
        let (call_id, kind) = self.state.pending.remove(pos);
        let text = content_text(b.content.as_ref());
        let failed = b.is_error.0 == Some(true);
        let event = if failed && text.trim_start().starts_with(REJECTED) {
            EventKind::Rejection {
                call_id: Some(call_id),
                reason: rejection_reason(&text),
            }
        } else {
            match kind {
                CallKind::Command => EventKind::Outcome {
                    call_id,
                    ok: !failed,
                    exit_code: if failed { exit_code(&text) } else { Some(0) },
                    output_tail: tail(&text, OUTPUT_TAIL),
                },
                CallKind::Edit => EventKind::Outcome {
                    call_id,
                    ok: !failed,
                    exit_code: None,
                    output_tail: if failed {
                        head(strip_tool_use_error(&text), EDIT_ERROR)
                    } else {
                        None
                    },
                },
            }
        };
        cx.push(out, event);
    }

    fn assistant(
        &mut self,
        msg: &Message<'_>,
        cwd: Option<&str>,
        cx: &mut Cx<'_>,
        out: &mut Vec<Record>,
    ) {
        let Some(Content::Blocks(blocks)) = &msg.content else {
            return;
        };
        for b in blocks {
            match b.kind.get() {
                Some("text") => {
                    if let Some(text) = b.text.get()
                        && !text.trim().is_empty()
                        && text != "(no content)"
                    {
                        cx.push(
                            out,
                            EventKind::Reply {
                                text: text.to_owned(),
                            },
                        );
                    }
                }
                Some("thinking") => {
                    if let Some(text) = b.thinking.get()
                        && !text.trim().is_empty()
                    {
                        cx.push(
                            out,
                            EventKind::Reasoning {
                                text: text.to_owned(),
                            },
                        );
                    }
                }
                Some("tool_use") => self.tool_use(b, cwd, cx, out),
                _ => {}
            }
        }
    }

    fn tool_use(
        &mut self,
        b: &Block<'_>,
        cwd: Option<&str>,
        cx: &mut Cx<'_>,
        out: &mut Vec<Record>,
    ) {
        let (Some(name), Some(input)) = (b.name.get(), b.input.as_ref()) else {
            return;
        };
        let call_id = b.id.get().map(str::to_owned);
        let field = |k: &str| input.get(k).and_then(Value::as_str);
        let (tracked, kinds) = match name {
            "Edit" | "MultiEdit" | "Write" | "NotebookEdit" => (
                Some(CallKind::Edit),
                edit_kinds(name, input, call_id.as_deref(), cwd),
            ),
            "Bash" | "bash" => {
                let kinds = field("command").map(|command| EventKind::Command {
                    call_id: call_id.clone(),
                    command: command.to_owned(),
                });
                (Some(CallKind::Command), kinds.into_iter().collect())
            }
            "TodoWrite" => (None, vec![todo_plan(input)]),
            "ExitPlanMode" => {
                let plan = field("plan").map(|plan| EventKind::Plan {
                    items: Vec::new(),
                    explanation: Some(plan.to_owned()),
                });
                (None, plan.into_iter().collect())
            }
            _ => (None, Vec::new()),
        };
        if let (Some(kind), Some(id), false) = (tracked, &call_id, kinds.is_empty()) {
            self.track(id, kind);
        }
        for k in kinds {
            cx.push(out, k);
        }
    }

    /// Fold this line's usage into the pending one; emit it when the line ends the message.
    fn usage(
        &mut self,
        msg: &Message<'_>,
        sid: &str,
        model: Option<&str>,
        at: Option<Millis>,
        ord: i64,
        out: &mut Vec<Record>,
    ) {
        let (Some(mid), Some(u)) = (msg.id.get(), msg.usage.0.as_ref()) else {
            return;
        };
        match &mut self.state.usage {
            Some(p) if p.message_id == mid => {
                // Later lines of a streamed message carry the running (final) counts.
                p.input = p.input.max(u.input_tokens.get().unwrap_or(0));
                p.output = p.output.max(u.output_tokens.get().unwrap_or(0));
                p.cache_read = p
                    .cache_read
                    .max(u.cache_read_input_tokens.get().unwrap_or(0));
                p.cache_write = p
                    .cache_write
                    .max(u.cache_creation_input_tokens.get().unwrap_or(0));
                p.at = at.or(p.at);
                p.ord = ord;
            }
            _ => {
                if self.state.last_usage.as_deref() == Some(mid) {
                    return;
                }
                self.state.usage = Some(PendingUsage {
                    session_id: sid.to_owned(),
                    message_id: mid.to_owned(),
                    model: model.map(str::to_owned),
                    input: u.input_tokens.get().unwrap_or(0),
                    output: u.output_tokens.get().unwrap_or(0),
                    cache_read: u.cache_read_input_tokens.get().unwrap_or(0),
                    cache_write: u.cache_creation_input_tokens.get().unwrap_or(0),
                    at,
                    ord,
                });
            }
        }
        if msg.stop_reason.get().is_some() {
            self.flush_usage(out);
        }
    }
}

/// Per-line context for building events: ids and ords come from the line and an item counter.
pub(super) struct Cx<'l> {
    pub(super) session: String,
    pub(super) uuid: Option<&'l str>,
    pub(super) line: &'l [u8],
    pub(super) offset: u64,
    pub(super) at: Option<Millis>,
    pub(super) item: u32,
}

impl Cx<'_> {
    fn push(&mut self, out: &mut Vec<Record>, kind: EventKind) {
        let item = self.item;
        self.item += 1;
        let idx = item.to_string();
        let line_key;
        let key: &[u8] = match self.uuid {
            Some(u) => u.as_bytes(),
            None => {
                line_key = crate::model::line_key(self.line);
                &line_key
            }
        };
        out.push(Record::Event(Event {
            id: event_id(Agent::ClaudeCode, &self.session, &[key, idx.as_bytes()]),
            session_id: self.session.clone(),
            at: self.at,
            ord: ord(self.offset, item),
            kind,
        }));
    }
}

pub(super) fn ord(offset: u64, item: u32) -> i64 {
    (offset as i64)
        .saturating_mul(1024)
        .saturating_add(i64::from(item))
}

impl FileReader for ClaudeReader {
    fn read_line(&mut self, line: &[u8], offset: u64, out: &mut Vec<Record>) -> Result<(), Skip> {
        match line.iter().find(|b| !b.is_ascii_whitespace()) {
            None => return Ok(()),
            Some(b'{') => {}
            Some(_) => return Err(Skip::Malformed),
        }
        // The wire types accept any JSON object, so only bytes serde_json refuses fail here:
        // those are repaired once (invalid UTF-8, lone surrogates) before the line is counted
        // as malformed.
        let repaired;
        let rec: Line<'_> = match serde_json::from_slice(line) {
            Ok(rec) => rec,
            Err(_) => {
                repaired = lenient::repair(line).ok_or(Skip::Malformed)?;
                serde_json::from_slice(&repaired).map_err(|_| Skip::Malformed)?
            }
        };
        let is_assistant = match rec.kind.get() {
            Some("user") => false,
            Some("assistant") => true,
            Some("system") => {
                self.flush_usage(out);
                return Ok(());
            }
            _ => return Ok(()),
        };
        let at = rec.timestamp.0;
        let msg = rec.message.0.as_ref();
        let model = msg
            .filter(|_| is_assistant)
            .and_then(|m| m.model.get())
            .filter(|m| !m.is_empty() && *m != "<synthetic>");
        // Locally generated assistant lines (API errors, "No response requested.") are the
        // harness talking, not the model.
        let synthetic = is_assistant && (model.is_none() || rec.is_api_error.0 == Some(true));
        let usage_id = msg
            .filter(|m| !synthetic && m.usage.0.is_some())
            .and_then(|m| m.id.get());
        if self
            .state
            .usage
            .as_ref()
            .is_some_and(|p| Some(p.message_id.as_str()) != usage_id)
        {
            self.flush_usage(out);
        }

        let (sid, parent) = self.session_of(&rec);
        self.update_session(sid.clone(), parent, &rec, model, at, out);
        let cwd = rec
            .cwd
            .get()
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .or_else(|| self.state.session.as_ref().and_then(|c| c.cwd.clone()));
        let mut cx = Cx {
            session: sid,
            uuid: rec.uuid.get().filter(|u| !u.is_empty()),
            line,
            offset,
            at,
            item: 0,
        };
        if !is_assistant {
            self.user(&rec, &mut cx, out);
        } else if let (Some(msg), false) = (msg, synthetic) {
            self.assistant(msg, cwd.as_deref(), &mut cx, out);
            // Sorts after this line's other items; the id, not the ord, makes it unique.
            let usage_ord = ord(offset, 1023.max(cx.item));
            let sid = cx.session;
            self.usage(msg, &sid, model, at, usage_ord, out);
        }
        Ok(())
    }

    fn save_state(&self) -> String {
        serde_json::to_string(&self.state).unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/// The edits of an `Edit`, `MultiEdit`, `Write` or `NotebookEdit` call (none when its input
/// lacks the path).
fn edit_kinds(
    name: &str,
    input: &Value,
    call_id: Option<&str>,
    cwd: Option<&str>,
) -> Vec<EventKind> {
    let field = |k: &str| input.get(k).and_then(Value::as_str);
    let edit = |path: &str, op, before: &str, after: &str| {
        EventKind::Edit(Edit {
            call_id: call_id.map(str::to_owned),
            tool: name.to_owned(),
            path: absolute(path, cwd),
            op,
            before: before.to_owned(),
            after: after.to_owned(),
            move_to: None,
        })
    };
    let mut kinds = Vec::new();
    match name {
        "Edit" => {
            if let Some(path) = field("file_path") {
                let before = field("old_string").unwrap_or_default();
                let after = field("new_string").unwrap_or_default();
                kinds.push(edit(path, EditOp::Update, before, after));
            }
        }
        "MultiEdit" => {
            if let (Some(path), Some(items)) = (
                field("file_path"),
                input.get("edits").and_then(Value::as_array),
            ) {
                for item in items {
                    let get = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or_default();
                    kinds.push(edit(
                        path,
                        EditOp::Update,
                        get("old_string"),
                        get("new_string"),
                    ));
                }
            }
        }
        "Write" => {
            if let Some(path) = field("file_path") {
                let after = field("content").unwrap_or_default();
                kinds.push(edit(path, EditOp::Write, "", after));
            }
        }
        "NotebookEdit" => {
            if let Some(path) = field("notebook_path") {
                let op = if field("edit_mode") == Some("delete") {
                    EditOp::Delete
                } else {
                    EditOp::Update
                };
                let after = field("new_source").unwrap_or_default();
                kinds.push(edit(path, op, "", after));
            }
        }
        _ => {}
    }
    kinds
}

/// A `TodoWrite` call's list as a plan.
fn todo_plan(input: &Value) -> EventKind {
    let items = input
        .get("todos")
        .and_then(Value::as_array)
        .map(|todos| {
            todos
                .iter()
                .filter_map(|t| {
                    Some(PlanItem {
                        text: t.get("content")?.as_str()?.to_owned(),
                        status: t
                            .get("status")
                            .and_then(Value::as_str)
                            .unwrap_or("pending")
                            .to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    EventKind::Plan {
        items,
        explanation: None,
    }
}

/// What the human typed, or `None` for harness boilerplate. A prompt-expanding slash command
/// becomes `/name args`.
pub(super) fn prompt_text(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if t.starts_with("<command-name>")
        || t.starts_with("<command-message>")
        || t.starts_with("<command-args>")
    {
        return slash_command(t);
    }
    if BOILERPLATE.iter().any(|p| t.starts_with(p)) {
        return None;
    }
    Some(t.to_owned())
}

/// `/name args` for a slash command invocation record, `None` for CLI-local commands.
pub(super) fn slash_command(t: &str) -> Option<String> {
    let name = between(t, "<command-name>", "</command-name>")?.trim();
    let bare = name.trim_start_matches('/');
    if bare.is_empty() || LOCAL_COMMANDS.contains(&bare) {
        return None;
    }
    let args = between(t, "<command-args>", "</command-args>").map_or("", str::trim);
    Some(if args.is_empty() {
        format!("/{bare}")
    } else {
        format!("/{bare} {args}")
    })
}

pub(super) fn between<'t>(t: &'t str, open: &str, close: &str) -> Option<&'t str> {
    let start = t.find(open)? + open.len();
    let len = t[start..].find(close)?;
    Some(&t[start..start + len])
}

/// The text of a tool result: the string, or its text blocks joined by newlines.
pub(super) fn content_text<'x>(c: Option<&'x Content<'_>>) -> Cow<'x, str> {
    match c {
        None => Cow::Borrowed(""),
        Some(Content::Text(t)) => Cow::Borrowed(t.as_ref()),
        Some(Content::Blocks(blocks)) => {
            let mut texts = blocks
                .iter()
                .filter(|b| b.kind.get() == Some("text"))
                .filter_map(|b| b.text.get());
            match (texts.next(), texts.next()) {
                (None, _) => Cow::Borrowed(""),
                (Some(one), None) => Cow::Borrowed(one),
                (Some(a), Some(b)) => {
                    let mut all = format!("{a}\n{b}");
                    for t in texts {
                        all.push('\n');
                        all.push_str(t);
                    }
                    Cow::Owned(all)
                }
            }
        }
    }
}

/// What the user typed when declining, if they typed anything.
pub(super) fn rejection_reason(text: &str) -> Option<String> {
    let at = text.find(USER_SAID)? + USER_SAID.len();
    let reason = text[at..].trim();
    (!reason.is_empty()).then(|| reason.to_owned())
}

/// The exit status of a failed Bash call (`Exit code N` opens the result).
pub(super) fn exit_code(text: &str) -> Option<i32> {
    let rest = text.trim_start().strip_prefix("Exit code ")?;
    let end = rest
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
        .map_or(rest.len(), |(i, _)| i);
    rest[..end].parse().ok()
}

pub(super) fn strip_tool_use_error(text: &str) -> &str {
    let t = text.trim();
    let t = t.strip_prefix("<tool_use_error>").unwrap_or(t);
    t.strip_suffix("</tool_use_error>").unwrap_or(t).trim()
}

/// `path` as given when absolute, else joined with the record's cwd.
pub(super) fn absolute(path: &str, cwd: Option<&str>) -> String {
    let b = path.as_bytes();
    let is_abs = path.starts_with('/')
        || path.starts_with('\\')
        || (b.len() > 2
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && matches!(b[2], b'\\' | b'/'));
    match cwd {
        Some(cwd) if !is_abs => {
            let mut rel = path;
            while let Some(r) = rel.strip_prefix("./") {
                rel = r;
            }
            Path::new(cwd).join(rel).to_string_lossy().into_owned()
        }
        _ => path.to_owned(),
    }
}
