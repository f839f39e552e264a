//! The Codex reader's state machine: one [`CodexReader`] per rollout file, fed line by line,
//! with a method per record family (`on_meta`, `on_turn_context`, `on_event_msg`,
//! `on_response`) and the helpers that turn tool outputs into outcomes.

use super::apply_patch;
use super::apply_patch::{
    FileOp, extract_patch_from_script, extract_patch_from_shell, parse_patch,
};
use super::discover::uuid_in_name;
use super::wire::{Args, Cmd, Item, Output, Part, Structured};
use crate::agents::lenient::{self, Obj, Str, floor_boundary, head, tail};
use crate::agents::{FileReader, Record, Skip};
use crate::model::{
    Agent, Edit, EditOp, Event, EventKind, Millis, PlanItem, SessionInfo, event_id, parse_millis,
};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

/// Tool outputs longer than this keep only their last bytes in [`EventKind::Outcome`].
pub(super) const COMMAND_TAIL: usize = 2048;
/// A failed patch keeps at most this much of its error text.
pub(super) const PATCH_ERROR_HEAD: usize = 512;
/// Calls whose output never arrived (interrupted turns) are forgotten beyond this many.
pub(super) const MAX_PENDING: usize = 256;

/// Incremental reader of one Codex rollout file.
pub struct CodexReader {
    /// Session id used until (or unless) a `session_meta` names one: the uuid in the file name,
    /// else the file stem.
    pub(super) fallback_id: String,
    pub(super) st: State,
}

/// What the reader carries between lines and across captures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct State {
    pub(super) v: u32,
    pub(super) id: Option<String>,
    pub(super) parent_id: Option<String>,
    pub(super) cwd: Option<String>,
    pub(super) branch: Option<String>,
    pub(super) model: Option<String>,
    pub(super) started: Option<Millis>,
    pub(super) era: Option<Era>,
    /// The first session_meta (or legacy meta line) has been read.
    pub(super) meta_seen: bool,
    /// A `Record::Session` has been emitted.
    pub(super) announced: bool,
    /// Edit/command calls whose output has not been seen yet, oldest first.
    pub(super) pending: Vec<PendingCall>,
    /// `total_tokens` of the last token_count, to drop Codex's repeats.
    pub(super) last_total: Option<u64>,
}

pub(super) const STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Era {
    /// `{"record_type":"state"}` era: bare items, no per-line timestamps.
    Legacy,
    /// `{timestamp, type, payload}` lines.
    Wrapped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct PendingCall {
    pub(super) id: String,
    pub(super) kind: CallKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum CallKind {
    Edit,
    Command,
}

/// Per-line facts used to build events.
pub(super) struct Cx<'x> {
    pub(super) raw: &'x [u8],
    pub(super) offset: u64,
    pub(super) at: Option<Millis>,
    pub(super) stamp: Option<&'x str>,
    /// A bare (legacy) line: no timestamp, so ids also take the offset.
    pub(super) bare: bool,
    pub(super) next: u64,
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

    pub(super) fn session_id(&self) -> &str {
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

impl FileReader for CodexReader {
    fn read_line(&mut self, line: &[u8], offset: u64, out: &mut Vec<Record>) -> Result<(), Skip> {
        let Some(first) = line.iter().find(|b| !b.is_ascii_whitespace()) else {
            return Ok(());
        };
        // serde would read a JSON array positionally into the struct; a line is an object.
        if *first != b'{' {
            return Err(Skip::Malformed);
        }
        // The wire types accept any JSON object, so only bytes serde_json refuses fail here:
        // those are repaired once (invalid UTF-8, lone surrogates) before the line is counted
        // as malformed.
        let repaired;
        let item: Item<'_> = match serde_json::from_slice(line) {
            Ok(item) => item,
            Err(_) => {
                repaired = lenient::repair(line).ok_or(Skip::Malformed)?;
                serde_json::from_slice(&repaired).map_err(|_| Skip::Malformed)?
            }
        };
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

/// Harness-injected user-role texts (context, instructions, markers) that the human did not
/// type.
pub(super) fn is_injected(text: &str) -> bool {
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
pub(super) fn wholly_tagged(t: &str) -> bool {
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
pub(super) fn tag_text<'t>(text: &'t str, tag: &str) -> Option<&'t str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = text.find(&open)? + open.len();
    let len = text[start..].find(&close)?;
    Some(text[start..start + len].trim()).filter(|s| !s.is_empty())
}

pub(super) fn join_texts(parts: &[Obj<Part<'_>>], kinds: &[&str]) -> String {
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
pub(super) fn resolve(base: Option<&Path>, path: &str) -> String {
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
pub(super) fn shell_join(argv: &[&str]) -> String {
    let quoted: Vec<Cow<'_, str>> = argv.iter().map(|w| shell_quote(w)).collect();
    quoted.join(" ")
}

pub(super) fn shell_quote(word: &str) -> Cow<'_, str> {
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
pub(super) fn outcome(call_id: &str, kind: CallKind, output: &Output<'_>) -> EventKind {
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
pub(super) fn unwrap_output(raw: &str) -> (Cow<'_, str>, Option<i64>) {
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
pub(super) fn exit_code_in(header: &str) -> Option<i64> {
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
pub(super) fn looks_failed(text: &str) -> bool {
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
