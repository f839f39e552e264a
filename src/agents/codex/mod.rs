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
//!   becomes one [`Edit`] per added/deleted file or per update hunk; other shell calls become
//!   [`EventKind::Command`]s;
//! * tool outputs of those calls become outcomes or rejections, `update_plan` a plan, and
//!   `token_count` (deduplicated, Codex repeats it) a usage record.
//!
//! Lines are deserialised into borrowed, lenient structs: a field of an unexpected JSON type is
//! ignored rather than failing the line, and large values we do not keep (encrypted reasoning,
//! instructions, outputs of calls we do not track) are skipped without being copied.

pub mod apply_patch;

use self::apply_patch::{FileOp, extract_patch_from_script, extract_patch_from_shell, parse_patch};
use super::{Reader, Record, Skip};
use crate::model::{
    Agent, Edit, EditOp, Event, EventKind, Millis, PlanItem, SessionInfo, event_id, parse_millis,
};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

/// Tool outputs longer than this keep only their last bytes in [`EventKind::Outcome`].
const COMMAND_TAIL: usize = 2048;
/// A failed patch keeps at most this much of its error text.
const PATCH_ERROR_HEAD: usize = 512;
/// Calls whose output never arrived (interrupted turns) are forgotten beyond this many.
const MAX_PENDING: usize = 256;

/// Incremental reader of one Codex rollout file.
pub struct CodexReader {
    /// Session id used until (or unless) a `session_meta` names one: the uuid in the file name,
    /// else the file stem.
    fallback_id: String,
    st: State,
}

/// What the reader carries between lines and across captures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct State {
    v: u32,
    id: Option<String>,
    parent_id: Option<String>,
    cwd: Option<String>,
    branch: Option<String>,
    model: Option<String>,
    started: Option<Millis>,
    era: Option<Era>,
    /// The first session_meta (or legacy meta line) has been read.
    meta_seen: bool,
    /// A `Record::Session` has been emitted.
    announced: bool,
    /// Edit/command calls whose output has not been seen yet, oldest first.
    pending: Vec<PendingCall>,
    /// `total_tokens` of the last token_count, to drop Codex's repeats.
    last_total: Option<u64>,
}

const STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Era {
    /// `{"record_type":"state"}` era: bare items, no per-line timestamps.
    Legacy,
    /// `{timestamp, type, payload}` lines.
    Wrapped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct PendingCall {
    id: String,
    kind: CallKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum CallKind {
    Edit,
    Command,
}

/// Per-line facts used to build events.
struct Cx<'x> {
    raw: &'x [u8],
    offset: u64,
    at: Option<Millis>,
    stamp: Option<&'x str>,
    /// A bare (legacy) line: no timestamp, so ids also take the offset.
    bare: bool,
    next: u64,
}

impl CodexReader {
    /// A reader for the rollout at `path`, resuming from `state` (fresh when absent or
    /// unreadable).
    pub fn open(path: &Path, state: Option<&str>) -> Self {
        let fallback_id = uuid_in_name(path)
            .or_else(|| {
                path.file_name()
                    .and_then(|n| n.to_str())
                    .map(|n| n.strip_suffix(".jsonl").unwrap_or(n).to_string())
            })
            .unwrap_or_else(|| "unknown".to_string());
        let st = state
            .and_then(|s| serde_json::from_str::<State>(s).ok())
            .filter(|s| s.v == STATE_VERSION)
            .unwrap_or(State {
                v: STATE_VERSION,
                ..State::default()
            });
        CodexReader { fallback_id, st }
    }

    fn session_id(&self) -> &str {
        self.st.id.as_deref().unwrap_or(&self.fallback_id)
    }

    fn info(&self) -> SessionInfo {
        SessionInfo {
            id: self.session_id().to_string(),
            parent_id: self.st.parent_id.clone(),
            cwd: self.st.cwd.clone(),
            branch: self.st.branch.clone(),
            model: self.st.model.clone(),
            started: self.st.started,
            ended: None,
        }
    }

    fn announce(&mut self, out: &mut Vec<Record>) {
        self.st.announced = true;
        out.push(Record::Session(self.info()));
    }

    fn emit(&mut self, cx: &mut Cx<'_>, out: &mut Vec<Record>, kind: EventKind) {
        if !self.st.announced {
            self.announce(out);
        }
        let idx = cx.next;
        cx.next += 1;
        let sid = self.session_id();
        let idx_bytes = idx.to_le_bytes();
        let line = crate::model::line_key(cx.raw);
        let id = match &kind {
            EventKind::Usage { message_id, .. } => {
                event_id(Agent::Codex, sid, &[message_id.as_bytes()])
            }
            _ if cx.bare => event_id(
                Agent::Codex,
                sid,
                &[&line, &idx_bytes, &cx.offset.to_le_bytes()],
            ),
            _ => event_id(Agent::Codex, sid, &[&line, &idx_bytes]),
        };
        let ord = i64::try_from(cx.offset)
            .unwrap_or(i64::MAX / 2048)
            .saturating_mul(1024)
            .saturating_add(idx as i64);
        out.push(Record::Event(Event {
            id,
            session_id: sid.to_string(),
            at: cx.at,
            ord,
            kind,
        }));
    }

    fn remember(&mut self, call_id: Option<&str>, kind: CallKind) {
        let Some(id) = call_id else { return };
        self.st.pending.retain(|p| p.id != id);
        if self.st.pending.len() >= MAX_PENDING {
            self.st.pending.remove(0);
        }
        self.st.pending.push(PendingCall {
            id: id.to_string(),
            kind,
        });
    }

    fn take_pending(&mut self, call_id: &str) -> Option<CallKind> {
        let i = self.st.pending.iter().position(|p| p.id == call_id)?;
        Some(self.st.pending.remove(i).kind)
    }

    fn set_cwd(&mut self, cwd: &str) -> bool {
        if self.st.cwd.as_deref() == Some(cwd) {
            return false;
        }
        self.st.cwd = Some(cwd.to_string());
        true
    }

    fn on_meta(&mut self, cx: &Cx<'_>, p: &Item<'_>, out: &mut Vec<Record>) {
        if self.st.meta_seen {
            return;
        }
        self.st.meta_seen = true;
        if let Some(id) = p.id.get().filter(|s| !s.is_empty()) {
            self.st.id = Some(id.to_string());
        }
        let spawn_parent = p
            .source
            .0
            .as_ref()
            .and_then(|s| s.subagent.0.as_ref())
            .and_then(|s| s.thread_spawn.0.as_ref())
            .and_then(|t| t.parent_thread_id.get());
        self.st.parent_id = spawn_parent.or(p.forked_from_id.get()).map(str::to_string);
        if let Some(cwd) = p.cwd.get() {
            self.st.cwd = Some(cwd.to_string());
        }
        // Legacy headers of some releases also name the model.
        if let Some(model) = p.model.get() {
            self.st.model = Some(model.to_string());
        }
        self.st.branch = p
            .git
            .0
            .as_ref()
            .and_then(|g| g.branch.get())
            .map(str::to_string);
        self.st.started = p.timestamp.get().and_then(parse_millis).or(cx.at);
        self.announce(out);
    }

    fn on_turn_context(&mut self, p: &Item<'_>, out: &mut Vec<Record>) {
        let mut changed = false;
        if let Some(cwd) = p.cwd.get() {
            changed |= self.set_cwd(cwd);
        }
        if let Some(model) = p.model.get()
            && self.st.model.as_deref() != Some(model)
        {
            self.st.model = Some(model.to_string());
            changed = true;
        }
        if changed || !self.st.announced {
            self.announce(out);
        }
    }

    fn on_event_msg(&mut self, cx: &mut Cx<'_>, p: &Item<'_>, out: &mut Vec<Record>) {
        match p.kind.get() {
            Some("user_message") => {
                if let Some(text) = p.message.get()
                    && !text.trim().is_empty()
                    && !is_injected(text)
                {
                    let text = text.to_string();
                    self.emit(cx, out, EventKind::Prompt { text });
                }
            }
            Some("token_count") => self.on_token_count(cx, p, out),
            _ => {}
        }
    }

    fn on_token_count(&mut self, cx: &mut Cx<'_>, p: &Item<'_>, out: &mut Vec<Record>) {
        let Some(info) = p.info.0.as_ref() else {
            return;
        };
        let Some(last) = info.last_token_usage.0.as_ref() else {
            return;
        };
        let total = info
            .total_token_usage
            .0
            .as_ref()
            .and_then(|t| t.total_tokens.get());
        if total.is_some() && total == self.st.last_total {
            return;
        }
        if total.is_some() {
            self.st.last_total = total;
        }
        let message_id = match cx.stamp {
            Some(ts) => format!("{}@{ts}", self.session_id()),
            None => format!("{}@{}", self.session_id(), cx.offset),
        };
        let kind = EventKind::Usage {
            message_id,
            model: self.st.model.clone(),
            input: last.input_tokens.get().unwrap_or(0),
            output: last.output_tokens.get().unwrap_or(0),
            cache_read: last.cached_input_tokens.get().unwrap_or(0),
            cache_write: 0,
        };
        self.emit(cx, out, kind);
    }

    fn on_response(&mut self, cx: &mut Cx<'_>, p: &Item<'_>, out: &mut Vec<Record>) {
        match p.kind.get() {
            Some("message") => self.on_message(cx, p, out),
            Some("reasoning") => {
                let mut text = join_texts(&p.summary.0, &["summary_text"]);
                if text.is_empty() {
                    text = join_texts(&p.content.0, &["reasoning_text", "text"]);
                }
                if !text.trim().is_empty() {
                    self.emit(cx, out, EventKind::Reasoning { text });
                }
            }
            Some("function_call") => {
                if let (Some(name), Some(args)) = (p.name.get(), p.arguments.get()) {
                    self.on_function_call(cx, name, args, p.call_id.get(), out);
                }
            }
            Some("custom_tool_call") => {
                if p.name.get() == Some("apply_patch")
                    && let Some(input) = p.input.get()
                {
                    self.emit_patch(cx, out, p.call_id.get(), input, None, None);
                }
            }
            Some("local_shell_call") => {
                if let Some(action) = p.action.0.as_ref() {
                    let argv: Vec<&str> = action.command.0.iter().filter_map(Str::get).collect();
                    let call_id = p.call_id.get().or(p.id.get());
                    let workdir = action.working_directory.get();
                    self.on_argv(cx, out, call_id, &argv, workdir);
                }
            }
            Some("function_call_output" | "custom_tool_call_output") => {
                if let Some(call_id) = p.call_id.get()
                    && let Some(kind) = self.take_pending(call_id)
                {
                    let event = outcome(call_id, kind, &p.output);
                    self.emit(cx, out, event);
                }
            }
            _ => {}
        }
    }

    fn on_message(&mut self, cx: &mut Cx<'_>, p: &Item<'_>, out: &mut Vec<Record>) {
        match p.role.get() {
            Some("assistant") => {
                let text = join_texts(&p.content.0, &["output_text", "text"]);
                if !text.trim().is_empty() {
                    self.emit(cx, out, EventKind::Reply { text });
                }
            }
            // Wrapped rollouts repeat the typed prompt as `event_msg user_message`, which is
            // free of harness text; only legacy files need the response item.
            Some("user") if self.st.era == Some(Era::Legacy) => {
                let mut typed = Vec::new();
                let mut cwd = None;
                for part in p.content.0.iter().filter_map(|c| c.0.as_ref()) {
                    if !matches!(part.kind.get(), Some("input_text" | "text") | None) {
                        continue;
                    }
                    let Some(text) = part.text.get() else {
                        continue;
                    };
                    if text.trim_start().starts_with("<environment_context>") {
                        cwd = cwd.or_else(|| tag_text(text, "cwd"));
                    }
                    if !is_injected(text) && !text.trim().is_empty() {
                        typed.push(text);
                    }
                }
                if let Some(cwd) = cwd
                    && self.set_cwd(cwd)
                {
                    self.announce(out);
                }
                if !typed.is_empty() {
                    let text = typed.join("\n");
                    self.emit(cx, out, EventKind::Prompt { text });
                }
            }
            _ => {}
        }
    }

    fn on_function_call(
        &mut self,
        cx: &mut Cx<'_>,
        name: &str,
        arguments: &str,
        call_id: Option<&str>,
        out: &mut Vec<Record>,
    ) {
        let Ok(args) = serde_json::from_str::<Args<'_>>(arguments) else {
            return;
        };
        let workdir = args.workdir.get();
        match name {
            "apply_patch" => {
                if let Some(patch) = args.input.get().or(args.patch.get()) {
                    self.emit_patch(cx, out, call_id, patch, workdir, None);
                }
            }
            "shell" | "container.exec" | "local_shell" => match &args.command {
                Cmd::Argv(argv) => {
                    let argv: Vec<&str> = argv.iter().map(|s| s.as_ref()).collect();
                    self.on_argv(cx, out, call_id, &argv, workdir);
                }
                Cmd::Script(script) => self.on_script(cx, out, call_id, script, workdir),
                Cmd::None => {}
            },
            "shell_command" => match &args.command {
                Cmd::Script(script) => self.on_script(cx, out, call_id, script, workdir),
                Cmd::Argv(argv) => {
                    let argv: Vec<&str> = argv.iter().map(|s| s.as_ref()).collect();
                    self.on_argv(cx, out, call_id, &argv, workdir);
                }
                Cmd::None => {}
            },
            "exec_command" => {
                if let Some(script) = args.cmd.get() {
                    self.on_script(cx, out, call_id, script, workdir);
                }
            }
            "update_plan" => {
                let items = args
                    .plan
                    .0
                    .iter()
                    .filter_map(|s| s.0.as_ref())
                    .filter_map(|s| {
                        Some(PlanItem {
                            text: s.step.get()?.to_string(),
                            status: s.status.get().unwrap_or("pending").to_string(),
                        })
                    })
                    .collect();
                let explanation = args
                    .explanation
                    .get()
                    .filter(|e| !e.trim().is_empty())
                    .map(str::to_string);
                self.emit(cx, out, EventKind::Plan { items, explanation });
            }
            _ => {}
        }
    }

    /// A command given as argv: an apply_patch invocation yields edits, anything else a
    /// command.
    fn on_argv(
        &mut self,
        cx: &mut Cx<'_>,
        out: &mut Vec<Record>,
        call_id: Option<&str>,
        argv: &[&str],
        workdir: Option<&str>,
    ) {
        if argv.is_empty() {
            return;
        }
        if let Some(found) = extract_patch_from_shell(argv)
            && self.emit_patch(
                cx,
                out,
                call_id,
                &found.patch,
                workdir,
                found.workdir.as_deref(),
            )
        {
            return;
        }
        let command = match apply_patch::shell_script(argv) {
            Some(script) => script.to_string(),
            None => shell_join(argv),
        };
        self.emit_command(cx, out, call_id, command);
    }

    /// A command given as a script string (`shell_command`, `exec_command`).
    fn on_script(
        &mut self,
        cx: &mut Cx<'_>,
        out: &mut Vec<Record>,
        call_id: Option<&str>,
        script: &str,
        workdir: Option<&str>,
    ) {
        if let Some(found) = extract_patch_from_script(script)
            && self.emit_patch(
                cx,
                out,
                call_id,
                &found.patch,
                workdir,
                found.workdir.as_deref(),
            )
        {
            return;
        }
        self.emit_command(cx, out, call_id, script.to_string());
    }

    fn emit_command(
        &mut self,
        cx: &mut Cx<'_>,
        out: &mut Vec<Record>,
        call_id: Option<&str>,
        command: String,
    ) {
        if command.trim().is_empty() {
            return;
        }
        self.remember(call_id, CallKind::Command);
        let call_id = call_id.map(str::to_string);
        self.emit(cx, out, EventKind::Command { call_id, command });
    }

    /// Emit the edits of `patch`; false (and nothing emitted) when it is not a valid,
    /// non-empty envelope.
    fn emit_patch(
        &mut self,
        cx: &mut Cx<'_>,
        out: &mut Vec<Record>,
        call_id: Option<&str>,
        patch: &str,
        workdir: Option<&str>,
        cd: Option<&str>,
    ) -> bool {
        let ops = match parse_patch(patch) {
            Ok(ops) if !ops.is_empty() => ops,
            _ => return false,
        };
        let base = self.base_dir(workdir, cd);
        let base = base.as_deref();
        self.remember(call_id, CallKind::Edit);
        let edit =
            |path: &str, op: EditOp, before: String, after: String, move_to: Option<&str>| {
                EventKind::Edit(Edit {
                    call_id: call_id.map(str::to_string),
                    tool: "apply_patch".to_string(),
                    path: resolve(base, path),
                    op,
                    before,
                    after,
                    move_to: move_to.map(|m| resolve(base, m)),
                })
            };
        for op in ops {
            match op {
                FileOp::Add { path, contents } => {
                    let e = edit(&path, EditOp::Add, String::new(), contents, None);
                    self.emit(cx, out, e);
                }
                FileOp::Delete { path } => {
                    let e = edit(&path, EditOp::Delete, String::new(), String::new(), None);
                    self.emit(cx, out, e);
                }
                FileOp::Update {
                    path,
                    move_to,
                    hunks,
                } => {
                    // A hunk of context lines only locates the next one; it changes nothing.
                    let hunks: Vec<_> = hunks.into_iter().filter(|h| h.before != h.after).collect();
                    if hunks.is_empty() && move_to.is_some() {
                        let e = edit(
                            &path,
                            EditOp::Update,
                            String::new(),
                            String::new(),
                            move_to.as_deref(),
                        );
                        self.emit(cx, out, e);
                    }
                    for h in hunks {
                        let e = edit(&path, EditOp::Update, h.before, h.after, move_to.as_deref());
                        self.emit(cx, out, e);
                    }
                }
            }
        }
        true
    }

    /// The directory a call's relative paths are relative to: the call's workdir (itself
    /// relative to the session cwd), then a `cd` inside its script.
    fn base_dir(&self, workdir: Option<&str>, cd: Option<&str>) -> Option<PathBuf> {
        let mut base = self.st.cwd.as_deref().map(PathBuf::from);
        for dir in [workdir, cd].into_iter().flatten() {
            base = Some(match base {
                Some(b) => b.join(dir),
                None => PathBuf::from(dir),
            });
        }
        base
    }
}

impl Reader for CodexReader {
    fn read_line(&mut self, line: &[u8], offset: u64, out: &mut Vec<Record>) -> Result<(), Skip> {
        let Some(first) = line.iter().find(|b| !b.is_ascii_whitespace()) else {
            return Ok(());
        };
        // serde would read a JSON array positionally into the struct; a line is an object.
        if *first != b'{' {
            return Err(Skip::Malformed);
        }
        let item: Item<'_> = serde_json::from_slice(line).map_err(|_| Skip::Malformed)?;
        if let Some(payload) = item.payload.0.as_deref() {
            if self.st.era.is_none() {
                self.st.era = Some(Era::Wrapped);
            }
            let stamp = item.timestamp.get();
            let mut cx = Cx {
                raw: line,
                offset,
                at: stamp.and_then(parse_millis),
                stamp,
                bare: false,
                next: 0,
            };
            match item.kind.get() {
                Some("session_meta") => self.on_meta(&cx, payload, out),
                Some("turn_context") => self.on_turn_context(payload, out),
                Some("response_item") => self.on_response(&mut cx, payload, out),
                Some("event_msg") => self.on_event_msg(&mut cx, payload, out),
                _ => {}
            }
            return Ok(());
        }
        if item.record_type.is_some() {
            return Ok(());
        }
        // Bare items carry no timestamp, except in a few transitional releases.
        let stamp = item.timestamp.get();
        let mut cx = Cx {
            raw: line,
            offset,
            at: stamp.and_then(parse_millis),
            stamp,
            bare: true,
            next: 0,
        };
        if item.kind.get().is_none() {
            // The legacy first line: `{id, timestamp, instructions, git}`.
            if item.id.get().is_some() {
                self.st.era.get_or_insert(Era::Legacy);
                self.on_meta(&cx, &item, out);
            }
            return Ok(());
        }
        self.st.era.get_or_insert(Era::Legacy);
        self.on_response(&mut cx, &item, out);
        Ok(())
    }

    fn save_state(&self) -> String {
        serde_json::to_string(&self.st).unwrap_or_default()
    }
}

/// The rollout files under a Codex home: `sessions/` recursively (the `YYYY/MM/DD` layout and
/// the flat legacy one) and `archived_sessions/`, sorted. Missing directories yield nothing.
pub fn discover(home: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    walk(&home.join("sessions"), 0, &mut found);
    if let Ok(entries) = std::fs::read_dir(home.join("archived_sessions")) {
        for entry in entries.flatten() {
            let path = entry.path();
            if is_rollout_name(&path) && path.is_file() {
                found.push(path);
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

fn walk(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    // Deeper than YYYY/MM/DD plus slack is not Codex's layout; the bound also stops cycles.
    if depth > 6 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(ft) = entry.file_type() else { continue };
        let path = entry.path();
        if ft.is_dir() {
            walk(&path, depth + 1, found);
        } else if is_rollout_name(&path) && path.is_file() {
            found.push(path);
        }
    }
}

fn is_rollout_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("rollout-") && n.ends_with(".jsonl"))
}

/// The right-most UUID in the file name (`rollout-<time>-<uuid>.jsonl`), lower-cased.
fn uuid_in_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?.as_bytes();
    if name.len() < 36 {
        return None;
    }
    (0..=name.len() - 36).rev().find_map(|start| {
        let w = &name[start..start + 36];
        let ok = w.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        });
        ok.then(|| String::from_utf8_lossy(w).to_ascii_lowercase())
    })
}

/// Harness-injected user-role texts (context, instructions, markers) that the human did not
/// type.
fn is_injected(text: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "<environment_context>",
        "<user_instructions>",
        "<permissions instructions>",
        "<developer_instructions>",
        "<INSTRUCTIONS>",
        "# AGENTS.md",
        "<turn_aborted>",
        "<user_shell_command>",
        "<collaboration_mode>",
        "<personality_spec>",
        "<subagent_notification>",
        "<model_switch>",
        "<skill>",
    ];
    let t = text.trim();
    PREFIXES.iter().any(|p| t.starts_with(p)) || wholly_tagged(t)
}

/// A text that is one `<snake_case_tag>…</snake_case_tag>` block: how Codex frames every
/// injected context item, new kinds included.
fn wholly_tagged(t: &str) -> bool {
    let Some(rest) = t.strip_prefix('<') else {
        return false;
    };
    let Some(end) = rest.find('>') else {
        return false;
    };
    let name = &rest[..end];
    !name.is_empty()
        && name.len() <= 48
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || matches!(b, b'_' | b'-' | b' '))
        && t.strip_suffix('>')
            .and_then(|t| t.strip_suffix(name))
            .is_some_and(|t| t.ends_with("</"))
}

/// The trimmed text between `<tag>` and `</tag>`.
fn tag_text<'t>(text: &'t str, tag: &str) -> Option<&'t str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = text.find(&open)? + open.len();
    let len = text[start..].find(&close)?;
    Some(text[start..start + len].trim()).filter(|s| !s.is_empty())
}

fn join_texts(parts: &[Obj<Part<'_>>], kinds: &[&str]) -> String {
    let mut text = String::new();
    for part in parts.iter().filter_map(|p| p.0.as_ref()) {
        if part.kind.get().is_some_and(|k| !kinds.contains(&k)) {
            continue;
        }
        if let Some(t) = part.text.get() {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(t);
        }
    }
    text
}

/// `path` made absolute against `base` and cleaned of `.`/`..` components; kept as is when
/// relative with no base known.
fn resolve(base: Option<&Path>, path: &str) -> String {
    let p = Path::new(path);
    let joined = match base {
        Some(b) if p.is_relative() => b.join(p),
        _ => p.to_path_buf(),
    };
    if !joined.is_absolute() {
        return path.to_string();
    }
    let mut clean = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    clean.to_string_lossy().into_owned()
}

/// An argv as one shell-quoted command line.
fn shell_join(argv: &[&str]) -> String {
    let quoted: Vec<Cow<'_, str>> = argv.iter().map(|w| shell_quote(w)).collect();
    quoted.join(" ")
}

fn shell_quote(word: &str) -> Cow<'_, str> {
    let safe = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_@%+=:,./-".contains(&b));
    if safe {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(format!("'{}'", word.replace('\'', r"'\''")))
    }
}

/// What a tool output says about the call it answers.
fn outcome(call_id: &str, kind: CallKind, output: &Output<'_>) -> EventKind {
    let raw = output.text.as_deref().unwrap_or("");
    let (inner, exit) = unwrap_output(raw);
    let exit_code = exit
        .or(output.exit_code)
        .and_then(|c| i32::try_from(c).ok());
    let call_id = call_id.to_string();
    for text in [raw.trim(), inner.trim()] {
        if text == "exec command rejected by user" || text == "patch rejected by user" {
            return EventKind::Rejection {
                call_id: Some(call_id),
                reason: None,
            };
        }
    }
    match kind {
        CallKind::Edit => {
            let ok = inner.trim_start().starts_with("Success")
                || (exit_code.is_none() && output.success == Some(true));
            let output_tail = if ok {
                None
            } else {
                head(&inner, PATCH_ERROR_HEAD)
            };
            EventKind::Outcome {
                call_id,
                ok,
                exit_code,
                output_tail,
            }
        }
        CallKind::Command => {
            let ok = match (exit_code, output.success) {
                (Some(code), _) => code == 0,
                (None, Some(success)) => success,
                (None, None) => !looks_failed(&inner),
            };
            EventKind::Outcome {
                call_id,
                ok,
                exit_code,
                output_tail: tail(&inner, COMMAND_TAIL),
            }
        }
    }
}

/// Split a tool output into its inner text and exit code: the structured
/// `{"output", "metadata":{"exit_code"}}` form, the freeform `Exit code: N … Output:` form and
/// the unified-exec `Process exited with code N … Output:` form; anything else is all text.
fn unwrap_output(raw: &str) -> (Cow<'_, str>, Option<i64>) {
    let t = raw.trim_start();
    if t.starts_with('{')
        && let Ok(s) = serde_json::from_str::<Structured<'_>>(t)
        && let Some(inner) = s.output.0
    {
        let exit = s.metadata.0.and_then(|m| m.exit_code.0);
        return (inner, exit);
    }
    // Only look for the header/body split near the start, where the headers are.
    let window = &raw[..floor_boundary(raw, 4096)];
    let (header, body) = if let Some(rest) = raw.strip_prefix("Output:\n") {
        ("", rest)
    } else if let Some(i) = window.find("\nOutput:\n") {
        (&raw[..i], &raw[i + "\nOutput:\n".len()..])
    } else {
        let end = window
            .match_indices('\n')
            .nth(2)
            .map_or(window.len(), |(i, _)| i);
        (&raw[..end], raw)
    };
    (Cow::Borrowed(body), exit_code_in(header))
}

/// The code of the first header line that starts with `Exit code`, `Shell exit code` or
/// `Process exited with code` (case-insensitively, any separator).
fn exit_code_in(header: &str) -> Option<i64> {
    header.lines().find_map(|line| {
        let line = line.trim_start();
        let lower = line.get(..floor_boundary(line, 32))?.to_ascii_lowercase();
        let after = ["exit code", "shell exit code", "process exited with code"]
            .iter()
            .find_map(|k| lower.starts_with(k).then(|| &line[k.len()..]))?;
        let num = after.trim_start_matches([':', ' ', '\t', '=']);
        let end = num
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
            .map_or(num.len(), |(i, _)| i);
        num[..end].parse().ok()
    })
}

/// Outputs that say the call failed when no exit code or success flag tells.
fn looks_failed(text: &str) -> bool {
    let t = text.trim_start();
    let lower = t
        .get(..floor_boundary(t, 64))
        .unwrap_or("")
        .to_ascii_lowercase();
    [
        "error",
        "execution error",
        "failed",
        "command timed out",
        "fatal",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
}

/// The last `max` bytes of `text` on a char boundary, starting at a line start when one is
/// near; None when there is no text.
fn tail(text: &str, max: usize) -> Option<String> {
    let text = text.trim_end();
    if text.trim().is_empty() {
        return None;
    }
    if text.len() <= max {
        return Some(text.to_string());
    }
    let mut start = ceil_boundary(text, text.len() - max);
    if let Some(nl) = text[start..].find('\n')
        && nl < max / 2
    {
        start += nl + 1;
    }
    Some(text[start..].to_string())
}

/// The first `max` bytes of `text` on a char boundary, ending at a line end when one is near.
fn head(text: &str, max: usize) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.len() <= max {
        return Some(text.to_string());
    }
    let mut end = floor_boundary(text, max);
    if let Some(nl) = text[..end].rfind('\n')
        && nl > max / 2
    {
        end = nl;
    }
    Some(text[..end].to_string())
}

fn floor_boundary(s: &str, i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    (0..=i).rev().find(|&j| s.is_char_boundary(j)).unwrap_or(0)
}

fn ceil_boundary(s: &str, i: usize) -> usize {
    (i..s.len())
        .find(|&j| s.is_char_boundary(j))
        .unwrap_or(s.len())
}

// --- Wire types -------------------------------------------------------------------------
//
// One struct ([`Item`]) holds the union of the fields we read from a line, its payload, or a
// bare legacy item; unknown fields are skipped by serde without copying. The wrappers below
// accept only the JSON type they expect and ignore (consume) anything else, so a field that
// changes type in some Codex release costs that field, not the line.

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Item<'a> {
    #[serde(rename = "type", borrow)]
    kind: Str<'a>,
    #[serde(borrow)]
    timestamp: Str<'a>,
    #[serde(borrow)]
    payload: Obj<Box<Item<'a>>>,
    record_type: Option<IgnoredAny>,
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(borrow)]
    cwd: Str<'a>,
    #[serde(borrow)]
    git: Obj<Git<'a>>,
    #[serde(borrow)]
    source: Obj<Source<'a>>,
    #[serde(borrow)]
    forked_from_id: Str<'a>,
    #[serde(borrow)]
    model: Str<'a>,
    #[serde(borrow)]
    role: Str<'a>,
    #[serde(borrow)]
    content: List<Obj<Part<'a>>>,
    #[serde(borrow)]
    summary: List<Obj<Part<'a>>>,
    #[serde(borrow)]
    name: Str<'a>,
    #[serde(borrow)]
    arguments: Str<'a>,
    #[serde(borrow)]
    input: Str<'a>,
    #[serde(borrow)]
    call_id: Str<'a>,
    #[serde(borrow)]
    output: Output<'a>,
    #[serde(borrow)]
    action: Obj<Action<'a>>,
    #[serde(borrow)]
    message: Str<'a>,
    info: Obj<TokenInfo>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Git<'a> {
    #[serde(borrow)]
    branch: Str<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Source<'a> {
    #[serde(borrow)]
    subagent: Obj<SubAgent<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SubAgent<'a> {
    #[serde(borrow)]
    thread_spawn: Obj<ThreadSpawn<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ThreadSpawn<'a> {
    #[serde(borrow)]
    parent_thread_id: Str<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Part<'a> {
    #[serde(rename = "type", borrow)]
    kind: Str<'a>,
    #[serde(borrow)]
    text: Str<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Action<'a> {
    #[serde(borrow)]
    command: List<Str<'a>>,
    #[serde(borrow)]
    working_directory: Str<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenInfo {
    total_token_usage: Obj<Tokens>,
    last_token_usage: Obj<Tokens>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Tokens {
    input_tokens: Num,
    cached_input_tokens: Num,
    output_tokens: Num,
    total_tokens: Num,
}

/// The arguments of a `function_call` (a JSON string inside the line).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Args<'a> {
    #[serde(borrow)]
    command: Cmd<'a>,
    #[serde(borrow)]
    cmd: Str<'a>,
    #[serde(borrow)]
    workdir: Str<'a>,
    #[serde(borrow)]
    input: Str<'a>,
    #[serde(borrow)]
    patch: Str<'a>,
    #[serde(borrow)]
    plan: List<Obj<Step<'a>>>,
    #[serde(borrow)]
    explanation: Str<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Step<'a> {
    #[serde(borrow)]
    step: Str<'a>,
    #[serde(borrow)]
    status: Str<'a>,
}

/// The structured exec output `{"output": "...", "metadata": {"exit_code": N}}`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Structured<'a> {
    #[serde(borrow)]
    output: Str<'a>,
    metadata: Obj<Metadata>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Metadata {
    exit_code: Int,
}

/// The object form of a tool output: `{content, success}` (and tolerate the structured keys).
#[derive(Deserialize, Default)]
#[serde(default)]
struct OutputObject<'a> {
    #[serde(borrow)]
    content: Output<'a>,
    success: Flag,
    #[serde(borrow)]
    output: Str<'a>,
    metadata: Obj<Metadata>,
}

/// Generates the `visit_*` methods of a lenient visitor that map a JSON type the field does
/// not expect to the default value (consuming it).
macro_rules! ignore {
    (bool) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
    };
    (num) => {
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
    };
    (str) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
    };
    (unit) => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
    };
    (map) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Default::default())
        }
    };
    (seq) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(Default::default())
        }
    };
}

/// A string, borrowed from the line when it has no escapes; any other JSON type → None.
#[derive(Default)]
struct Str<'a>(Option<Cow<'a, str>>);

impl Str<'_> {
    fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'a>, E> {
                Ok(Str(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'a>, E> {
                Ok(Str(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'a>, E> {
                Ok(Str(Some(Cow::Owned(v))))
            }
            ignore!(bool);
            ignore!(num);
            ignore!(unit);
            ignore!(map);
            ignore!(seq);
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A JSON object deserialised as `T`; any other JSON type → None.
struct Obj<T>(Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(|t| Obj(Some(t)))
            }
            ignore!(bool);
            ignore!(num);
            ignore!(str);
            ignore!(unit);
            ignore!(seq);
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A JSON array of `T`; any other JSON type → empty.
struct List<T>(Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(List(items))
            }
            ignore!(bool);
            ignore!(num);
            ignore!(str);
            ignore!(unit);
            ignore!(map);
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A non-negative integer (token counts); anything else → None.
#[derive(Default)]
struct Num(Option<u64>);

impl Num {
    fn get(&self) -> Option<u64> {
        self.0
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a count")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num(Some(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num(u64::try_from(v).ok()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
                Ok(Num((v.is_finite() && v >= 0.0).then_some(v as u64)))
            }
            ignore!(bool);
            ignore!(str);
            ignore!(unit);
            ignore!(map);
            ignore!(seq);
        }
        d.deserialize_any(V)
    }
}

/// A signed integer (exit codes); anything else → None.
#[derive(Default)]
struct Int(Option<i64>);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Int;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int, E> {
                Ok(Int(i64::try_from(v).ok()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int, E> {
                Ok(Int(Some(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Int, E> {
                Ok(Int(v.is_finite().then_some(v as i64)))
            }
            ignore!(bool);
            ignore!(str);
            ignore!(unit);
            ignore!(map);
            ignore!(seq);
        }
        d.deserialize_any(V)
    }
}

/// A boolean; anything else → None.
#[derive(Default)]
struct Flag(Option<bool>);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag(Some(v)))
            }
            ignore!(num);
            ignore!(str);
            ignore!(unit);
            ignore!(map);
            ignore!(seq);
        }
        d.deserialize_any(V)
    }
}

/// `shell`'s argv array or `shell_command`'s script string.
#[derive(Default)]
enum Cmd<'a> {
    #[default]
    None,
    Script(Cow<'a, str>),
    Argv(Vec<Cow<'a, str>>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Cmd<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Cmd<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a command")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cmd<'a>, E> {
                Ok(Cmd::Script(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Cmd<'a>, E> {
                Ok(Cmd::Script(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Cmd<'a>, E> {
                Ok(Cmd::Script(Cow::Owned(v)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Cmd<'a>, A::Error> {
                let mut argv = Vec::new();
                while let Some(Str(word)) = seq.next_element::<Str<'a>>()? {
                    argv.extend(word);
                }
                Ok(Cmd::Argv(argv))
            }
            ignore!(bool);
            ignore!(num);
            ignore!(unit);
            ignore!(map);
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A tool output: a string, an array of `input_text` items, or an object
/// `{content, success}`.
#[derive(Default)]
struct Output<'a> {
    text: Option<Cow<'a, str>>,
    success: Option<bool>,
    exit_code: Option<i64>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Output<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Output<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a tool output")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Output<'a>, E> {
                Ok(Output {
                    text: Some(Cow::Borrowed(v)),
                    ..Output::default()
                })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Output<'a>, E> {
                self.visit_string(v.to_string())
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Output<'a>, E> {
                Ok(Output {
                    text: Some(Cow::Owned(v)),
                    ..Output::default()
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Output<'a>, A::Error> {
                let List(parts) =
                    List::<Obj<Part<'a>>>::deserialize(SeqAccessDeserializer::new(seq))?;
                let text = join_texts(&parts, &["input_text", "output_text", "text"]);
                Ok(Output {
                    text: Some(Cow::Owned(text)),
                    ..Output::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Output<'a>, A::Error> {
                let o = OutputObject::deserialize(MapAccessDeserializer::new(map))?;
                Ok(Output {
                    text: o.content.text.or(o.output.0),
                    success: o.success.0.or(o.content.success),
                    exit_code: o.metadata.0.and_then(|m| m.exit_code.0),
                })
            }
            ignore!(bool);
            ignore!(num);
            ignore!(unit);
        }
        d.deserialize_any(V(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::is_inside;
    use crate::agents::test_util::{events, sessions};

    const W: &str = "/home/dev/widget";
    const O: &str = "/home/dev/other";
    const S1: &str = "019bc2a1-4d2e-7a10-9c3b-5e6f7a8b9c0d";

    fn home() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/codex")
    }

    /// The fixture whose name contains `needle`.
    fn fixture(needle: &str) -> PathBuf {
        discover(&home())
            .into_iter()
            .find(|p| p.to_string_lossy().contains(needle))
            .unwrap_or_else(|| panic!("no fixture matching {needle}"))
    }

    type Line<'b> = (u64, &'b [u8]);

    /// Complete lines of a file with their offsets, plus a torn last line if any.
    fn lines(bytes: &[u8]) -> (Vec<Line<'_>>, Option<Line<'_>>) {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'\n' {
                out.push((start as u64, &bytes[start..i]));
                start = i + 1;
            }
        }
        let torn = (start < bytes.len()).then(|| (start as u64, &bytes[start..]));
        (out, torn)
    }

    struct Read {
        records: Vec<Record>,
        malformed: usize,
        state: String,
    }

    fn read_lines(reader: &mut CodexReader, lines: &[(u64, &[u8])]) -> (Vec<Record>, usize) {
        let mut records = Vec::new();
        let mut malformed = 0;
        for (offset, line) in lines {
            if reader.read_line(line, *offset, &mut records).is_err() {
                malformed += 1;
            }
        }
        (records, malformed)
    }

    fn read(path: &Path) -> Read {
        let bytes = std::fs::read(path).unwrap();
        let (lines, _) = lines(&bytes);
        let mut reader = CodexReader::open(path, None);
        let (records, malformed) = read_lines(&mut reader, &lines);
        Read {
            records,
            malformed,
            state: reader.save_state(),
        }
    }

    fn kinds(records: &[Record]) -> Vec<&EventKind> {
        events(records).into_iter().map(|e| &e.kind).collect()
    }

    fn edits(records: &[Record]) -> Vec<&Edit> {
        kinds(records)
            .into_iter()
            .filter_map(|k| match k {
                EventKind::Edit(e) => Some(e),
                _ => None,
            })
            .collect()
    }

    fn prompts(records: &[Record]) -> Vec<&str> {
        kinds(records)
            .into_iter()
            .filter_map(|k| match k {
                EventKind::Prompt { text } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    fn commands(records: &[Record]) -> Vec<(&str, &str)> {
        kinds(records)
            .into_iter()
            .filter_map(|k| match k {
                EventKind::Command { call_id, command } => {
                    Some((call_id.as_deref().unwrap_or(""), command.as_str()))
                }
                _ => None,
            })
            .collect()
    }

    /// (ok, exit_code, output_tail) of the outcome for `call_id`.
    fn outcome_of<'r>(
        records: &'r [Record],
        call_id: &str,
    ) -> Option<(bool, Option<i32>, Option<&'r str>)> {
        kinds(records).into_iter().find_map(|k| match k {
            EventKind::Outcome {
                call_id: c,
                ok,
                exit_code,
                output_tail,
            } if c == call_id => Some((*ok, *exit_code, output_tail.as_deref())),
            _ => None,
        })
    }

    fn edit(
        call_id: &str,
        path: &str,
        op: EditOp,
        before: &str,
        after: &str,
        move_to: Option<&str>,
    ) -> Edit {
        Edit {
            call_id: Some(call_id.into()),
            tool: "apply_patch".into(),
            path: path.into(),
            op,
            before: before.into(),
            after: after.into(),
            move_to: move_to.map(Into::into),
        }
    }

    #[test]
    fn normal_session_maps_every_kind_once() {
        let r = read(&fixture(S1));
        assert_eq!(r.malformed, 0);
        // The session is announced before any event, then again when the turn context adds
        // the model.
        assert!(matches!(r.records[0], Record::Session(_)));
        let s = sessions(&r.records);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].id, S1);
        assert_eq!(s[0].cwd.as_deref(), Some(W));
        assert_eq!(s[0].branch.as_deref(), Some("feature/retry"));
        assert_eq!(s[0].model, None);
        assert_eq!(s[0].parent_id, None);
        assert_eq!(s[0].started, parse_millis("2026-01-15T09:40:00.010Z"));
        assert_eq!(s[1].model.as_deref(), Some("gpt-5-codex"));

        // The environment context is not a prompt, and the response-item copy of the typed
        // prompt does not duplicate the event_msg one.
        assert_eq!(prompts(&r.records), ["Make fetch() retry three times"]);

        let ks = kinds(&r.records);
        let reasoning: Vec<_> = ks
            .iter()
            .filter(|k| matches!(k, EventKind::Reasoning { .. }))
            .collect();
        assert_eq!(reasoning.len(), 1, "agent_reasoning duplicates are skipped");
        let replies: Vec<_> = ks
            .iter()
            .filter_map(|k| match k {
                EventKind::Reply { text } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            replies,
            ["fetch() now retries three times; the build still fails on `retries`."]
        );

        assert_eq!(
            edits(&r.records),
            [&edit(
                "call_SynthPatch01",
                "/home/dev/widget/src/net.py",
                EditOp::Update,
                "    return get(url)\n",
                "    for attempt in range(3):\n        try:\n            return get(url)\n        except IOError:\n            pass\n",
                None
            )]
        );
        assert_eq!(
            outcome_of(&r.records, "call_SynthPatch01"),
            Some((true, Some(0), None))
        );

        assert_eq!(
            commands(&r.records),
            [
                ("call_Pytest02", "pytest -q tests/test_net.py"),
                ("call_Build03", "cargo build --release"),
                ("call_Npm04", "npm test"),
            ]
        );
        // Structured output: exit code from metadata, tail is the inner output.
        assert_eq!(
            outcome_of(&r.records, "call_Pytest02"),
            Some((true, Some(0), Some("....\n4 passed in 0.12s")))
        );
        // Freeform output: `Exit code: N` header, tail is what follows `Output:`.
        let (ok, code, tail) = outcome_of(&r.records, "call_Build03").unwrap();
        assert!(!ok);
        assert_eq!(code, Some(101));
        assert!(tail.unwrap().starts_with("   Compiling widget"));
        assert!(tail.unwrap().ends_with("could not compile `widget`"));
        // Unified exec: `Process exited with code N`.
        let (ok, code, tail) = outcome_of(&r.records, "call_Npm04").unwrap();
        assert_eq!((ok, code), (false, Some(1)));
        assert!(tail.unwrap().starts_with("FAIL test/net.test.js"));
        // update_plan's "Plan updated" output is not an outcome of anything we track.
        assert_eq!(outcome_of(&r.records, "call_Plan05"), None);

        let plan = ks
            .iter()
            .find_map(|k| match k {
                EventKind::Plan { items, explanation } => Some((items, explanation)),
                _ => None,
            })
            .unwrap();
        assert_eq!(plan.1.as_deref(), Some("Retry work"));
        assert_eq!(
            plan.0
                .iter()
                .map(|i| (i.text.as_str(), i.status.as_str()))
                .collect::<Vec<_>>(),
            [
                ("Add retry loop to fetch()", "completed"),
                ("Fix the build", "in_progress"),
                ("Make npm tests pass", "pending"),
            ]
        );

        // token_count: the info-less one and the two repeats are dropped.
        let usage: Vec<_> = ks
            .iter()
            .filter_map(|k| match k {
                EventKind::Usage {
                    message_id,
                    model,
                    input,
                    output,
                    cache_read,
                    cache_write,
                } => Some((
                    message_id.as_str(),
                    model.as_deref(),
                    *input,
                    *output,
                    *cache_read,
                    *cache_write,
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            usage,
            [
                (
                    "019bc2a1-4d2e-7a10-9c3b-5e6f7a8b9c0d@2026-01-15T09:40:06.410Z",
                    Some("gpt-5-codex"),
                    3505,
                    101,
                    3072,
                    0
                ),
                (
                    "019bc2a1-4d2e-7a10-9c3b-5e6f7a8b9c0d@2026-01-15T09:40:08.100Z",
                    Some("gpt-5-codex"),
                    3711,
                    40,
                    3072,
                    0
                ),
                (
                    "019bc2a1-4d2e-7a10-9c3b-5e6f7a8b9c0d@2026-01-15T09:40:20.100Z",
                    Some("gpt-5-codex"),
                    3815,
                    26,
                    3584,
                    0
                ),
            ]
        );

        let evs = events(&r.records);
        assert!(evs.iter().all(|e| e.session_id == S1 && e.at.is_some()));
        assert!(evs.windows(2).all(|w| w[0].ord < w[1].ord));
        let mut ids: Vec<_> = evs.iter().map(|e| e.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), evs.len(), "event ids are unique");
    }

    #[test]
    fn every_apply_patch_carrier_yields_edits() {
        let r = read(&fixture("019bc2b0"));
        assert_eq!(r.malformed, 0);
        let e = edits(&r.records);
        let want = [
            // function_call JSON, relative workdir joined with the session cwd.
            edit(
                "call_Json01",
                "/home/dev/widget/src/net.py",
                EditOp::Update,
                "TIMEOUT = 5\n",
                "TIMEOUT = 10\n",
                None,
            ),
            // shell argv ["apply_patch", patch].
            edit(
                "call_Argv02",
                "/home/dev/widget/docs/retry.md",
                EditOp::Add,
                "",
                "# Retry\n\nfetch() retries three times.\n",
                None,
            ),
            // bash -lc heredoc after `cd lib &&`.
            edit(
                "call_Heredoc03",
                "/home/dev/widget/lib/util.py",
                EditOp::Update,
                "    return n\n",
                "    return 2 ** n\n",
                None,
            ),
            // exec_command heredoc.
            edit(
                "call_Exec04",
                "/home/dev/widget/old_client.py",
                EditOp::Delete,
                "",
                "",
                None,
            ),
            // local_shell_call with its working_directory.
            edit(
                "call_Local05",
                "/home/dev/widget/docs/notes.txt",
                EditOp::Add,
                "",
                "local shell call\n",
                None,
            ),
            // One envelope: Add, Update with two hunks, a pure Move, Delete.
            edit(
                "call_Multi06",
                "/home/dev/widget/src/retry.py",
                EditOp::Add,
                "",
                "def retry(fn, n=3):\n    return fn()\n",
                None,
            ),
            edit(
                "call_Multi06",
                "/home/dev/widget/src/app.py",
                EditOp::Update,
                "import os\nimport net\n",
                "import os\nimport net, retry\n",
                None,
            ),
            edit(
                "call_Multi06",
                "/home/dev/widget/src/app.py",
                EditOp::Update,
                "    run()\n    exit(0)\n",
                "    run()\n    exit(main_loop())\n",
                None,
            ),
            edit(
                "call_Multi06",
                "/home/dev/widget/src/old_name.py",
                EditOp::Update,
                "",
                "",
                Some("/home/dev/widget/src/new_name.py"),
            ),
            edit(
                "call_Multi06",
                "/home/dev/widget/src/legacy.py",
                EditOp::Delete,
                "",
                "",
                None,
            ),
            edit(
                "call_Fail07",
                "/home/dev/widget/src/app.py",
                EditOp::Update,
                "this line does not exist\n",
                "replacement\n",
                None,
            ),
        ];
        assert_eq!(e, want.iter().collect::<Vec<_>>());

        // Patch calls are edits only, never commands too.
        assert_eq!(
            commands(&r.records),
            [
                ("call_Git08", r"git commit -m 'retry: it'\''s done'"),
                ("call_Lint09", "make lint"),
            ]
        );
        for call in [
            "call_Json01",
            "call_Argv02",
            "call_Heredoc03",
            "call_Exec04",
            "call_Local05",
            "call_Multi06",
        ] {
            assert_eq!(
                outcome_of(&r.records, call).map(|o| (o.0, o.2)),
                Some((true, None)),
                "{call}"
            );
        }
        // Exit codes from the freeform, unified and array forms of successful patches.
        assert_eq!(outcome_of(&r.records, "call_Json01").unwrap().1, Some(0));
        assert_eq!(outcome_of(&r.records, "call_Exec04").unwrap().1, Some(0));
        assert_eq!(outcome_of(&r.records, "call_Local05").unwrap().1, None);
        let (ok, code, tail) = outcome_of(&r.records, "call_Fail07").unwrap();
        assert!(!ok);
        assert_eq!(code, None);
        assert!(tail.unwrap().starts_with("apply_patch verification failed"));
        // Object output `{content, success}` decides by its flag.
        let (ok, code, tail) = outcome_of(&r.records, "call_Git08").unwrap();
        assert!(ok);
        assert_eq!(code, None);
        assert!(tail.unwrap().contains("4 files changed"));
        // `Shell exit code: N` header of the newest builds.
        assert_eq!(
            outcome_of(&r.records, "call_Lint09"),
            Some((false, Some(2), Some("lint: 3 problems")))
        );
    }

    #[test]
    fn rejections_and_a_torn_last_line() {
        let path = fixture("019bc2c0");
        let r = read(&path);
        assert_eq!(r.malformed, 0);
        let rejected: Vec<_> = kinds(&r.records)
            .into_iter()
            .filter_map(|k| match k {
                EventKind::Rejection { call_id, reason } => {
                    Some((call_id.as_deref(), reason.as_deref()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            rejected,
            [
                (Some("call_SynthShell02"), None),
                (Some("call_Rej03"), None)
            ]
        );
        assert_eq!(outcome_of(&r.records, "call_SynthShell02"), None);
        assert_eq!(
            commands(&r.records),
            [("call_SynthShell02", "git push --force")]
        );
        assert_eq!(edits(&r.records)[0].path, "/home/dev/widget/README.md");
        assert_eq!(prompts(&r.records), ["Push it", "yes"]);

        // The line still being written is malformed, not a panic or an error of the file.
        let bytes = std::fs::read(&path).unwrap();
        let (_, torn) = lines(&bytes);
        let (offset, torn) = torn.expect("fixture ends in a torn line");
        let mut reader = CodexReader::open(&path, Some(&r.state));
        let mut out = Vec::new();
        assert_eq!(
            reader.read_line(torn, offset, &mut out),
            Err(Skip::Malformed)
        );
        assert!(out.is_empty());
    }

    #[test]
    fn another_projects_session_reports_its_cwd() {
        let r = read(&fixture("019bc8e0"));
        let root = Path::new(W);
        let s = sessions(&r.records);
        assert!(!s.is_empty());
        assert!(s.iter().all(|s| s.cwd.as_deref() == Some(O)));
        assert!(
            s.iter()
                .all(|s| !is_inside(s.cwd.as_deref().unwrap(), root))
        );
        assert_eq!(edits(&r.records)[0].path, "/home/dev/other/mod.py");
    }

    #[test]
    fn cwd_change_is_announced_before_the_events_it_governs() {
        let r = read(&fixture("019bc8f0"));
        let root = Path::new(W);
        // Replay what the capture driver does: keep events while the last announced cwd is
        // inside the project.
        let mut inside = false;
        let mut kept = Vec::new();
        for rec in &r.records {
            match rec {
                Record::Session(s) => {
                    inside = s.cwd.as_deref().is_some_and(|c| is_inside(c, root));
                }
                Record::Event(e) if inside => kept.push(&e.kind),
                Record::Event(_) => {}
            }
        }
        let kept_prompts: Vec<_> = kept
            .iter()
            .filter_map(|k| match k {
                EventKind::Prompt { text } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(kept_prompts, ["Now fix the widget README typo"]);
        assert!(
            kept.iter()
                .any(|k| matches!(k, EventKind::Edit(e) if e.path == "/home/dev/widget/README.md"))
        );
        assert!(!kept.iter().any(|k| matches!(k, EventKind::Command { .. })));
        let last = sessions(&r.records).pop().unwrap().clone();
        assert_eq!(last.model.as_deref(), Some("gpt-5.1-codex-max"));
        assert_eq!(last.branch, None);
    }

    #[test]
    fn legacy_bare_era() {
        let r = read(&fixture("5f1c2d3e"));
        assert_eq!(r.malformed, 0);
        let s = sessions(&r.records);
        assert_eq!(s[0].id, "5f1c2d3e-aaaa-4bbb-8ccc-0123456789ab");
        assert_eq!(s[0].cwd, None);
        assert_eq!(s[0].branch.as_deref(), Some("legacy-branch"));
        assert_eq!(s[0].started, parse_millis("2025-08-20T13:20:47.060Z"));
        // The cwd comes from <environment_context>, announced before the first prompt.
        assert_eq!(s.last().unwrap().cwd.as_deref(), Some(W));
        let first_prompt = r
            .records
            .iter()
            .position(|rec| {
                matches!(
                    rec,
                    Record::Event(Event {
                        kind: EventKind::Prompt { .. },
                        ..
                    })
                )
            })
            .unwrap();
        let cwd_known = r
            .records
            .iter()
            .position(|rec| matches!(rec, Record::Session(s) if s.cwd.is_some()))
            .unwrap();
        assert!(cwd_known < first_prompt);

        // Harness texts are dropped; two identical "yes" lines stay two distinct prompts.
        assert_eq!(prompts(&r.records), ["Add a CHANGELOG entry", "yes", "yes"]);
        let evs = events(&r.records);
        let yes: Vec<_> = evs
            .iter()
            .filter(|e| matches!(&e.kind, EventKind::Prompt { text } if text == "yes"))
            .collect();
        assert_ne!(yes[0].id, yes[1].id);
        assert!(evs.iter().all(|e| e.at.is_none()));

        assert_eq!(
            edits(&r.records),
            [&edit(
                "call_L1",
                "/home/dev/widget/CHANGELOG.md",
                EditOp::Update,
                "# Changelog\n",
                "# Changelog\n- fetch() retries\n",
                None
            )]
        );
        assert_eq!(commands(&r.records), [("call_L2", "git diff --stat")]);
        assert_eq!(
            outcome_of(&r.records, "call_L2"),
            Some((true, Some(0), Some(" CHANGELOG.md | 1 +")))
        );
        let ks = kinds(&r.records);
        assert_eq!(
            ks.iter()
                .filter(|k| matches!(k, EventKind::Reasoning { .. }))
                .count(),
            1,
            "encrypted-only reasoning is skipped"
        );
        assert!(
            ks.iter()
                .any(|k| matches!(k, EventKind::Reply { text } if text == "Added the entry."))
        );
    }

    #[test]
    fn sub_agent_and_fork_have_parents() {
        let r = read(&fixture("019bcd00"));
        let s = sessions(&r.records);
        assert_eq!(s[0].parent_id.as_deref(), Some(S1));
        assert_eq!(
            s.last().unwrap().model.as_deref(),
            Some("gpt-5.1-codex-mini")
        );
        assert_eq!(commands(&r.records), [("call_Rg01", "rg -n 'fetch(' src")]);

        // The fork repeats the parent's meta (with another cwd): it changes nothing.
        let r = read(&fixture("019bcd10"));
        let s = sessions(&r.records);
        assert!(
            s.iter()
                .all(|s| s.id == "019bcd10-6666-7f60-8f70-9c0d1e2f3a06")
        );
        assert!(s.iter().all(|s| s.parent_id.as_deref() == Some(S1)));
        assert!(s.iter().all(|s| s.cwd.as_deref() == Some(W)));
        assert_eq!(prompts(&r.records), ["Try a different approach"]);
    }

    #[test]
    fn resuming_from_saved_state_matches_one_pass() {
        for path in discover(&home()) {
            let bytes = std::fs::read(&path).unwrap();
            let (lines, _) = lines(&bytes);
            let whole = read(&path);
            for split in 0..=lines.len() {
                let mut first = CodexReader::open(&path, None);
                let (mut records, _) = read_lines(&mut first, &lines[..split]);
                let state = first.save_state();
                let mut second = CodexReader::open(&path, Some(&state));
                let (rest, _) = read_lines(&mut second, &lines[split..]);
                records.extend(rest);
                assert_eq!(
                    records,
                    whole.records,
                    "{} split at line {split}",
                    path.display()
                );
                assert_eq!(second.save_state(), whole.state);
            }
        }
    }

    #[test]
    fn state_is_small_and_bad_state_starts_fresh() {
        let r = read(&fixture(S1));
        assert!(r.state.len() < 1024, "{}", r.state);
        let path = fixture(S1);
        let fresh = CodexReader::open(&path, None).save_state();
        assert_eq!(
            CodexReader::open(&path, Some("garbage")).save_state(),
            fresh
        );
        assert_eq!(
            CodexReader::open(&path, Some("{\"v\":99}")).save_state(),
            fresh
        );
    }

    #[test]
    fn session_id_falls_back_to_the_file_name() {
        let path = Path::new(
            "/x/sessions/2026/01/15/rollout-2026-01-15T09-40-00-019BC2A1-4D2E-7A10-9C3B-5E6F7A8B9C0D.jsonl",
        );
        let mut reader = CodexReader::open(path, None);
        let mut out = Vec::new();
        let line = br#"{"timestamp":"2026-01-15T09:40:00.021Z","type":"event_msg","payload":{"type":"user_message","message":"hi"}}"#;
        reader.read_line(line, 0, &mut out).unwrap();
        assert_eq!(sessions(&out)[0].id, S1);
        assert_eq!(events(&out)[0].session_id, S1);

        let no_uuid = CodexReader::open(Path::new("/x/rollout-parent-019b88e0.jsonl"), None);
        assert_eq!(no_uuid.session_id(), "rollout-parent-019b88e0");
    }

    #[test]
    fn malformed_and_odd_lines() {
        let mut reader = CodexReader::open(Path::new("/x/rollout-a.jsonl"), None);
        let mut out = Vec::new();
        for bad in [&b"not json"[..], b"[1,2]", b"\"text\"", b"{\"type\":"] {
            assert_eq!(reader.read_line(bad, 0, &mut out), Err(Skip::Malformed));
        }
        assert_eq!(reader.read_line(b"   ", 0, &mut out), Ok(()));
        // Fields of an unexpected type cost the field, not the line.
        let odd = br#"{"timestamp":"2026-01-15T09:40:00Z","type":"session_meta","payload":{"id":"s","cwd":"/home/dev/widget","git":"weird","source":{"subagent":"review"},"base_instructions":{"text":"long"}}}"#;
        reader.read_line(odd, 10, &mut out).unwrap();
        assert_eq!(sessions(&out)[0].cwd.as_deref(), Some(W));
        assert_eq!(sessions(&out)[0].branch, None);
        assert_eq!(sessions(&out)[0].parent_id, None);
        let odd = br#"{"timestamp":"2026-01-15T09:40:01Z","type":"response_item","payload":{"type":"message","role":"assistant","content":"plain","id":7}}"#;
        reader.read_line(odd, 20, &mut out).unwrap();
        let unknown = br#"{"timestamp":"2026-01-15T09:40:02Z","type":"world_state","payload":{"anything":[1,{"a":null}]}}"#;
        reader.read_line(unknown, 30, &mut out).unwrap();
        assert!(events(&out).is_empty());
        assert!(out.iter().all(|r| matches!(r, Record::Session(_))));
    }

    #[test]
    fn outputs_of_untracked_calls_are_ignored() {
        let mut reader = CodexReader::open(Path::new("/x/rollout-a.jsonl"), None);
        let mut out = Vec::new();
        let line = br#"{"timestamp":"2026-01-15T09:40:02Z","type":"response_item","payload":{"type":"function_call_output","call_id":"nobody","output":"exec command rejected by user"}}"#;
        reader.read_line(line, 0, &mut out).unwrap();
        assert!(events(&out).is_empty());
    }

    #[test]
    fn exit_codes_from_each_output_style() {
        let cases: [(&str, Option<i64>, &str); 6] = [
            (
                r#"{"output":"hi\n","metadata":{"exit_code":3,"duration_seconds":0.1}}"#,
                Some(3),
                "hi\n",
            ),
            (
                "Exit code: 0\nWall time: 0.1 seconds\nTotal output lines: 1\nOutput:\nok\n",
                Some(0),
                "ok\n",
            ),
            (
                "Chunk ID: 9\nWall time: 1 seconds\nProcess exited with code 127\nOriginal token count: 3\nOutput:\nbash: nope: command not found\n",
                Some(127),
                "bash: nope: command not found\n",
            ),
            (
                "Execution outcome: completed\nShell exit code: -1\nOutput:\nkilled\n",
                Some(-1),
                "killed\n",
            ),
            (
                "plain text, no header\nthe exit code: 9 is only text",
                None,
                "plain text, no header\nthe exit code: 9 is only text",
            ),
            ("{not json", None, "{not json"),
        ];
        for (raw, code, inner) in cases {
            let (got_inner, got_code) = unwrap_output(raw);
            assert_eq!(got_code, code, "{raw}");
            assert_eq!(got_inner, inner, "{raw}");
        }
        // The code is searched in headers only, not deep in the output.
        let output = format!("Output:\n{}\nExit code: 5\n", "x\n".repeat(10));
        assert_eq!(unwrap_output(&output).1, None);
        let out = Output {
            text: Some(Cow::Borrowed("command timed out after 10000 milliseconds")),
            ..Output::default()
        };
        let EventKind::Outcome { ok, .. } = outcome("c", CallKind::Command, &out) else {
            panic!("expected an outcome");
        };
        assert!(!ok);
    }

    #[test]
    fn tails_cut_on_char_and_line_boundaries() {
        let long: String = (0..500).map(|i| format!("línea {i} ✓\n")).collect();
        let t = tail(&long, COMMAND_TAIL).unwrap();
        assert!(t.len() <= COMMAND_TAIL);
        assert!(t.starts_with("línea "), "starts at a line start: {t:.20}");
        assert!(t.ends_with("línea 499 ✓"));
        let h = head(&long, PATCH_ERROR_HEAD).unwrap();
        assert!(h.len() <= PATCH_ERROR_HEAD);
        assert!(h.starts_with("línea 0 ✓\n") && h.ends_with('✓'));
        // A single huge line still yields a valid tail.
        let one = "é".repeat(3000);
        let t = tail(&one, COMMAND_TAIL).unwrap();
        assert!(t.len() <= COMMAND_TAIL && t.len() >= COMMAND_TAIL - 1);
        assert_eq!(tail("  \n", COMMAND_TAIL), None);
    }

    #[test]
    fn injected_texts_are_recognised() {
        for t in [
            "<environment_context>\n  <cwd>/a</cwd>\n</environment_context>",
            "<user_instructions>\nbe nice\n</user_instructions>",
            "# AGENTS.md instructions for /a\n\n<INSTRUCTIONS>x</INSTRUCTIONS>",
            "<turn_aborted>\nThe user interrupted.\n</turn_aborted>",
            "<some_future_block>\nstuff\n</some_future_block>",
        ] {
            assert!(is_injected(t), "{t}");
        }
        for t in [
            "fix <div> rendering",
            "<b>bold</b> is wrong",
            "yes",
            "Add a # AGENTS.md file",
        ] {
            assert!(!is_injected(t), "{t}");
        }
    }

    #[test]
    fn shell_quoting_round_trips_simple_words() {
        assert_eq!(shell_join(&["ls", "-la", "src/"]), "ls -la src/");
        assert_eq!(shell_join(&["echo", "a b", ""]), "echo 'a b' ''");
        assert_eq!(shell_join(&["echo", "it's"]), r"echo 'it'\''s'");
    }

    #[test]
    fn paths_are_absolute_and_clean() {
        let base = Path::new("/home/dev/widget");
        assert_eq!(
            resolve(Some(base), "./src/../lib/a.rs"),
            "/home/dev/widget/lib/a.rs"
        );
        assert_eq!(resolve(Some(base), "/etc/hosts"), "/etc/hosts");
        assert_eq!(resolve(None, "src/a.rs"), "src/a.rs");
    }

    #[test]
    fn discover_lists_rollouts_only() {
        let tmp = tempfile::tempdir().unwrap();
        let h = tmp.path();
        assert!(discover(h).is_empty(), "missing dirs are not an error");
        let files = [
            "sessions/2025/09/01/rollout-2025-09-01T10-00-00-a.jsonl",
            "sessions/2026/01/15/rollout-2026-01-15T09-00-00-b.jsonl",
            "sessions/rollout-2025-08-01-c.jsonl",
            "archived_sessions/rollout-2025-07-01T10-00-00-d.jsonl",
            "archived_sessions/nested/rollout-e.jsonl",
            "sessions/2026/01/15/notes.jsonl",
            "sessions/2026/01/15/rollout-x.jsonl.bak",
            "history.jsonl",
        ];
        for f in files {
            let p = h.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "{}\n").unwrap();
        }
        let got: Vec<String> = discover(h)
            .iter()
            .map(|p| p.strip_prefix(h).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            got,
            [
                "archived_sessions/rollout-2025-07-01T10-00-00-d.jsonl",
                "sessions/2025/09/01/rollout-2025-09-01T10-00-00-a.jsonl",
                "sessions/2026/01/15/rollout-2026-01-15T09-00-00-b.jsonl",
                "sessions/rollout-2025-08-01-c.jsonl",
            ]
        );
        // The fixture home: eight rollouts, not history.jsonl or notes.txt.
        assert_eq!(discover(&home()).len(), 8);
    }

    #[test]
    fn context_only_hunks_are_not_edits() {
        let mut reader = CodexReader::open(Path::new("/x/rollout-a.jsonl"), None);
        let mut out = Vec::new();
        let meta = br#"{"timestamp":"2026-01-15T09:40:00Z","type":"session_meta","payload":{"id":"s","cwd":"/w"}}"#;
        reader.read_line(meta, 0, &mut out).unwrap();
        let patch = "*** Begin Patch\n*** Update File: a.ts\n@@\n export const f = (\n@@\n ) => {\n-  old()\n+  new()\n*** End Patch";
        let line = serde_json::json!({
            "timestamp": "2026-01-15T09:40:01Z",
            "type": "response_item",
            "payload": {"type": "custom_tool_call", "name": "apply_patch", "call_id": "c", "input": patch}
        })
        .to_string();
        reader.read_line(line.as_bytes(), 100, &mut out).unwrap();
        let e = edits(&out);
        assert_eq!(e.len(), 1);
        assert_eq!(
            (e[0].before.as_str(), e[0].after.as_str()),
            (") => {\n  old()\n", ") => {\n  new()\n")
        );
    }

    #[test]
    fn real_samples_read_without_panics() {
        // `../shared` from the main checkout, `../../shared` from a worktree under /work/wt.
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let candidates =
            ["../shared", "../../shared"].map(|d| manifest.join(d).join("samples/real/codex"));
        let Some(entries) = candidates.iter().find_map(|d| std::fs::read_dir(d).ok()) else {
            println!(
                "skipped: no real Codex samples at {}",
                candidates[0].display()
            );
            return;
        };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        let mut total_events = 0;
        for path in paths {
            let r = read(&path);
            let ks = kinds(&r.records);
            let count = |f: fn(&EventKind) -> bool| ks.iter().filter(|k| f(k)).count();
            let (p, c, e, o, u) = (
                count(|k| matches!(k, EventKind::Prompt { .. })),
                count(|k| matches!(k, EventKind::Command { .. })),
                count(|k| matches!(k, EventKind::Edit(_))),
                count(|k| matches!(k, EventKind::Outcome { .. })),
                count(|k| matches!(k, EventKind::Usage { .. })),
            );
            println!(
                "{}: {} records, {} events (prompts {p}, commands {c}, edits {e}, outcomes {o}, usage {u}), {} malformed",
                path.file_name().unwrap().to_string_lossy(),
                r.records.len(),
                ks.len(),
                r.malformed
            );
            assert_eq!(r.malformed, 0);
            let s = sessions(&r.records);
            assert!(!s.is_empty(), "a session is announced");
            // A legacy rollout's first record (`{id, timestamp, instructions, git}`) has no
            // cwd: it arrives with the `<environment_context>` message that follows. What
            // must hold is that the cwd is known before the first event, since capture
            // decides by it whether an event belongs to the repository.
            let first_event = r
                .records
                .iter()
                .position(|r| matches!(r, Record::Event(_)))
                .unwrap_or(r.records.len());
            assert!(
                r.records[..first_event]
                    .iter()
                    .any(|r| matches!(r, Record::Session(s) if s.cwd.is_some())),
                "the cwd is announced before the first event"
            );
            assert!(s.last().unwrap().cwd.is_some());
            // Every output answers a call we emitted, so outcomes never outnumber calls.
            assert!(o <= c + e);
            assert!(p >= 1);
            total_events += ks.len();
        }
        assert!(total_events > 0);
    }
}
