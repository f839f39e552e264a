//! The Gemini CLI reader's state machine: one [`GeminiReader`] per chat file. The JSONL log is
//! read from the offset the last capture stopped at (complete lines only: a live file's last
//! line may be partial); the legacy JSON document is read whole each time it changed.
//!
//! Message records are keyed by `id` and appended again whenever they change (a tool call
//! gains its result, a reply its tokens): events get ids derived from the message or tool-call
//! id, never from the line, so a re-appended record yields the same ids and the store keeps
//! one row. A tool call becomes events only once its status is final (`success`, `error`,
//! `cancelled`), and the ids of final calls are remembered so that a later copy of the record
//! cannot revise a rejection's reason back to none.

use super::discover::{checked_out_branch, parent_session, project_root};
use super::wire::{Line, ToolCall};
use crate::agents::lenient::{self, head, tail, text_hash};
use crate::agents::{FileReader, Record, Skip};
use crate::model::{Agent, Edit, EditOp, Event, EventKind, Millis, SessionInfo, event_id};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Tool outputs longer than this keep only their last bytes.
const OUTPUT_TAIL: usize = 2048;
/// Messages remembered (for `$rewindTo` and re-appended records) beyond this many are forgotten.
const MAX_MEMO: usize = 512;
/// The reason a rewound edit is rejected with.
pub(super) const REWOUND: &str = "the user rewound the conversation to before this edit (/rewind)";

/// Incremental reader of one Gemini CLI chat file.
pub struct GeminiReader {
    path: PathBuf,
    /// The session's cwd: the project root of the chat's project directory.
    root: Option<String>,
    parent: Option<String>,
    fallback_id: String,
    pub(super) st: State,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct State {
    pub(super) v: u32,
    /// Bytes of complete lines read so far (JSONL only).
    pub(super) offset: u64,
    /// Hash of the first line, to notice a file rewritten from the start.
    pub(super) head: Option<u64>,
    pub(super) id: Option<String>,
    pub(super) model: Option<String>,
    /// The branch checked out in the project root when the chat was first read (the chat
    /// records none).
    pub(super) branch: Option<String>,
    pub(super) started: Option<Millis>,
    pub(super) ended: Option<Millis>,
    pub(super) announced: bool,
    /// Message ids in order, each with the final tool calls seen in it and whether each was an
    /// applied edit (what a rewind turns into a rejection).
    pub(super) memo: Vec<Memo>,
    /// A call the user cancelled while no prompt followed yet: the next prompt is the reason.
    pub(super) cancelled: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct Memo {
    pub(super) id: String,
    pub(super) calls: Vec<(String, bool)>,
}

const STATE_VERSION: u32 = 1;

/// Per-record facts used to build events.
struct Cx<'x> {
    msg: &'x str,
    at: Option<Millis>,
    ord: i64,
    next: i64,
}

impl GeminiReader {
    pub fn open(path: &Path, state: Option<&str>) -> Self {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "unknown".into());
        let st = state
            .and_then(|s| serde_json::from_str::<State>(s).ok())
            .filter(|s| s.v == STATE_VERSION)
            .unwrap_or(State {
                v: STATE_VERSION,
                ..State::default()
            });
        let root = project_root(path);
        let mut st = st;
        if st.branch.is_none() {
            st.branch = root
                .as_deref()
                .and_then(|r| checked_out_branch(Path::new(r)));
        }
        GeminiReader {
            path: path.to_path_buf(),
            root,
            parent: parent_session(path),
            fallback_id: stem,
            st,
        }
    }

    fn session_id(&self) -> &str {
        self.st.id.as_deref().unwrap_or(&self.fallback_id)
    }

    fn info(&self) -> SessionInfo {
        SessionInfo {
            id: self.session_id().to_string(),
            parent_id: self.parent.clone(),
            cwd: self.root.clone(),
            branch: self.st.branch.clone(),
            model: self.st.model.clone(),
            started: self.st.started,
            ended: self.st.ended,
        }
    }

    fn announce(&mut self, out: &mut Vec<Record>) {
        self.st.announced = true;
        out.push(Record::Session(self.info()));
    }

    fn emit(
        &mut self,
        cx: &mut Cx<'_>,
        out: &mut Vec<Record>,
        tag: &str,
        key: &str,
        kind: EventKind,
    ) {
        if !self.st.announced {
            self.announce(out);
        }
        let sid = self.session_id().to_string();
        // Call-keyed events (edits, outcomes, rejections) are keyed by the call id alone: the
        // reason of a decline arrives with a later message and must revise the same row.
        let scope = if tag == "thought" || key.is_empty() {
            cx.msg
        } else {
            ""
        };
        let id = event_id(
            Agent::GeminiCli,
            &sid,
            &[tag.as_bytes(), scope.as_bytes(), key.as_bytes()],
        );
        match &kind {
            EventKind::Usage { .. } | EventKind::Prompt { .. } | EventKind::Rejection { .. } => {}
            _ => self.st.cancelled = None,
        }
        let ord = cx.ord.saturating_add(cx.next);
        cx.next += 1;
        out.push(Record::Event(Event {
            id,
            session_id: sid,
            at: cx.at,
            ord,
            kind,
        }));
    }

    /// Read the JSONL log from where the last capture stopped.
    fn read_jsonl(&mut self, path: &Path, out: &mut Vec<Record>) -> u64 {
        let Ok(file) = std::fs::File::open(path) else {
            return 0;
        };
        let mut input = BufReader::with_capacity(256 * 1024, file);
        let mut line = Vec::with_capacity(64 * 1024);
        // A file that no longer starts with the line it started with was rewritten: read it
        // again from the start (ids are stable, so what was stored stays stored once).
        if self.st.offset > 0 {
            let first = input.read_until(b'\n', &mut line).unwrap_or(0);
            if first == 0 || self.st.head != Some(text_hash(&String::from_utf8_lossy(trim(&line))))
            {
                self.st = State {
                    v: STATE_VERSION,
                    branch: self.st.branch.take(),
                    ..State::default()
                };
            }
            line.clear();
        }
        if input.seek(SeekFrom::Start(self.st.offset)).is_err() {
            return 0;
        }
        let mut skipped = 0;
        loop {
            line.clear();
            let n = match input.read_until(b'\n', &mut line) {
                Ok(n) => n,
                Err(_) => break,
            };
            if n == 0 || line.last() != Some(&b'\n') {
                // The end, or a line Gemini is still writing: left for the next capture.
                break;
            }
            let offset = self.st.offset;
            let content = trim(&line);
            if offset == 0 {
                self.st.head = Some(text_hash(&String::from_utf8_lossy(content)));
            }
            if !content.is_empty() && self.read_line(content, offset, out).is_err() {
                skipped += 1;
            }
            self.st.offset += n as u64;
        }
        skipped
    }

    /// Read the legacy single-document chat (`session-*.json`), rewritten in place.
    fn read_document(&mut self, path: &Path, out: &mut Vec<Record>) -> u64 {
        let mut bytes = Vec::new();
        if std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .is_err()
        {
            return 0;
        }
        match self.read_line(&bytes, 0, out) {
            Ok(()) => 0,
            // Caught mid-write: the next change of the file is read again.
            Err(_) => 1,
        }
    }

    fn on_line(&mut self, l: &Line<'_>, offset: u64, out: &mut Vec<Record>) {
        let ord = i64::try_from(offset)
            .unwrap_or(i64::MAX / 2048)
            .saturating_mul(1024);
        self.on_meta(l, out);
        if let Some(set) = &l.set.0 {
            self.on_meta(set, out);
            if let Some(msgs) = &set.messages {
                for (i, m) in msgs.0.iter().enumerate() {
                    if let Some(m) = &m.0 {
                        self.on_message(m, ord + 64 * i as i64, out);
                    }
                }
            }
        }
        if let Some(msgs) = &l.messages {
            for (i, m) in msgs.0.iter().enumerate() {
                if let Some(m) = &m.0 {
                    self.on_message(m, ord + 64 * i as i64, out);
                }
            }
        }
        if let Some(to) = l.rewind_to.get() {
            self.on_rewind(to, ord, out);
        }
        if l.id.get().is_some() {
            self.on_message(l, ord, out);
        }
    }

    fn on_meta(&mut self, l: &Line<'_>, out: &mut Vec<Record>) {
        let mut changed = false;
        if let Some(id) = l.session_id.get()
            && self.st.id.is_none()
        {
            self.st.id = Some(id.to_string());
            changed = true;
        }
        if let Some(t) = l.start_time.get().and_then(crate::model::parse_millis)
            && self.st.started.is_none_or(|s| t < s)
        {
            self.st.started = Some(t);
            changed = true;
        }
        if let Some(t) = l.last_updated.get().and_then(crate::model::parse_millis)
            && self.st.ended.is_none_or(|e| t > e)
        {
            self.st.ended = Some(t);
        }
        if changed {
            self.announce(out);
        }
    }

    fn on_message(&mut self, m: &Line<'_>, ord: i64, out: &mut Vec<Record>) {
        let Some(msg) = m.id.get() else { return };
        let msg = msg.to_string();
        if !self.st.memo.iter().rev().any(|x| x.id == msg) {
            self.st.memo.push(Memo {
                id: msg.clone(),
                calls: Vec::new(),
            });
            if self.st.memo.len() > MAX_MEMO {
                self.st.memo.remove(0);
            }
        }
        let at = m.timestamp.get().and_then(crate::model::parse_millis);
        let mut cx = Cx {
            msg: &msg,
            at,
            ord,
            next: 0,
        };
        match m.role.get() {
            Some("user") => self.on_user(m, &mut cx, out),
            Some("gemini") => self.on_gemini(m, &mut cx, out),
            _ => {}
        }
    }

    fn on_user(&mut self, m: &Line<'_>, cx: &mut Cx<'_>, out: &mut Vec<Record>) {
        if m.content.tool_result {
            return;
        }
        let text = m.content.text.trim();
        // The CLI's own context preamble, recorded as the first user message.
        if text.is_empty() || text.starts_with("<session_context>") {
            return;
        }
        let text = text.to_string();
        if let Some(call) = self.st.cancelled.take() {
            let kind = EventKind::Rejection {
                call_id: Some(call.clone()),
                reason: Some(text.clone()),
            };
            self.emit(cx, out, "rejection", &call, kind);
        }
        self.emit(cx, out, "prompt", "", EventKind::Prompt { text });
    }

    fn on_gemini(&mut self, m: &Line<'_>, cx: &mut Cx<'_>, out: &mut Vec<Record>) {
        if let Some(model) = m.model.get()
            && self.st.model.as_deref() != Some(model)
        {
            self.st.model = Some(model.to_string());
            self.announce(out);
        }
        for (i, t) in m.thoughts.0.iter().enumerate() {
            let Some(t) = &t.0 else { continue };
            let text = match (t.subject.get(), t.description.get()) {
                (Some(s), Some(d)) => format!("{s}: {d}"),
                (Some(s), None) => s.to_string(),
                (None, Some(d)) => d.to_string(),
                (None, None) => continue,
            };
            self.emit(
                cx,
                out,
                "thought",
                &i.to_string(),
                EventKind::Reasoning { text },
            );
        }
        let text = m.content.text.trim();
        if !text.is_empty() {
            let text = text.to_string();
            self.emit(cx, out, "reply", "", EventKind::Reply { text });
        }
        for call in &m.tool_calls.0 {
            if let Some(call) = &call.0 {
                self.on_call(call, cx, out);
            }
        }
        if let Some(t) = &m.tokens.0 {
            let input = t.input.get().unwrap_or(0);
            let cached = t.cached.get().unwrap_or(0);
            let kind = EventKind::Usage {
                message_id: format!("{}@{}", self.session_id(), cx.msg),
                model: self.st.model.clone(),
                // Gemini's input count includes the cached part; the model's `input` is fresh.
                input: input.saturating_sub(cached),
                // Thinking tokens are billed as output.
                output: t.output.get().unwrap_or(0) + t.thoughts.get().unwrap_or(0),
                cache_read: cached,
                cache_write: 0,
            };
            self.emit(cx, out, "usage", "", kind);
        }
    }

    fn on_call(&mut self, call: &ToolCall<'_>, cx: &mut Cx<'_>, out: &mut Vec<Record>) {
        let (Some(id), Some(name)) = (call.id.get(), call.name.get()) else {
            return;
        };
        let status = call.status.get().unwrap_or("");
        if !matches!(status, "success" | "error" | "cancelled") {
            return;
        }
        let memo = self.st.memo.iter().rposition(|m| m.id == cx.msg);
        if memo.is_some_and(|i| self.st.memo[i].calls.iter().any(|(c, _)| c == id)) {
            return;
        }
        let at = call
            .timestamp
            .get()
            .and_then(crate::model::parse_millis)
            .or(cx.at);
        let saved_at = std::mem::replace(&mut cx.at, at);
        let edited = self.on_tool(call, id, name, status, cx, out);
        cx.at = saved_at;
        if let Some(i) = memo {
            self.st.memo[i]
                .calls
                .push((id.to_string(), edited && status == "success"));
        }
    }

    /// Emit a final tool call; returns whether it was an edit.
    fn on_tool(
        &mut self,
        call: &ToolCall<'_>,
        id: &str,
        name: &str,
        status: &str,
        cx: &mut Cx<'_>,
        out: &mut Vec<Record>,
    ) -> bool {
        let args = call.args.0.as_ref();
        let file_path = args.and_then(|a| a.file_path.get());
        let content = args.and_then(|a| a.content.get());
        let old_string = args.and_then(|a| a.old_string.get());
        let new_string = args.and_then(|a| a.new_string.get());
        let command = args.and_then(|a| a.command.get());
        let is_edit = matches!(name, "write_file" | "replace");
        if is_edit {
            let Some(path) = file_path else {
                return false;
            };
            let path = self.absolute(path);
            let (op, before, after) = if name == "write_file" {
                let new = call
                    .result_display
                    .0
                    .as_ref()
                    .and_then(|d| d.is_new_file.0)
                    .unwrap_or(false);
                let op = if new { EditOp::Add } else { EditOp::Write };
                (op, String::new(), content.unwrap_or("").to_string())
            } else {
                (
                    EditOp::Update,
                    old_string.unwrap_or("").to_string(),
                    new_string.unwrap_or("").to_string(),
                )
            };
            let edit = Edit {
                call_id: Some(id.to_string()),
                tool: name.to_string(),
                path,
                op,
                before,
                after,
                move_to: None,
            };
            self.emit(cx, out, "edit", id, EventKind::Edit(edit));
        } else if name == "run_shell_command" {
            let Some(command) = command else {
                return false;
            };
            let kind = EventKind::Command {
                call_id: Some(id.to_string()),
                command: command.to_string(),
            };
            self.emit(cx, out, "command", id, kind);
        } else {
            return false;
        }
        let (output, error) = response_texts(call);
        if status == "cancelled" {
            let kind = EventKind::Rejection {
                call_id: Some(id.to_string()),
                reason: None,
            };
            self.emit(cx, out, "rejection", id, kind);
            self.st.cancelled = Some(id.to_string());
            return is_edit;
        }
        // A shell command that ran is `success` whatever its exit code: the code decides.
        let text = if status == "success" {
            output
        } else {
            error.or(output)
        };
        let code = text.and_then(exit_code);
        let ok = status == "success" && code.is_none_or(|c| c == 0);
        let kind = EventKind::Outcome {
            call_id: id.to_string(),
            ok,
            exit_code: code,
            output_tail: text.and_then(|t| {
                if ok {
                    tail(t, OUTPUT_TAIL)
                } else {
                    head(t, OUTPUT_TAIL)
                }
            }),
        };
        self.emit(cx, out, "outcome", id, kind);
        is_edit
    }

    /// `$rewindTo`: the message and all after it are gone; their applied edits become
    /// rejections (abandoned attempts).
    fn on_rewind(&mut self, to: &str, ord: i64, out: &mut Vec<Record>) {
        let Some(at) = self.st.memo.iter().rposition(|m| m.id == to) else {
            return;
        };
        let removed: Vec<Memo> = self.st.memo.drain(at..).collect();
        let mut cx = Cx {
            msg: to,
            at: self.st.ended,
            ord,
            next: 0,
        };
        for m in &removed {
            for (call, applied) in &m.calls {
                if *applied {
                    let kind = EventKind::Rejection {
                        call_id: Some(call.clone()),
                        reason: Some(REWOUND.to_string()),
                    };
                    self.emit(&mut cx, out, "rewound", call, kind);
                }
            }
        }
        self.st.cancelled = None;
    }

    fn absolute(&self, path: &str) -> String {
        if Path::new(path).is_absolute() {
            return path.to_string();
        }
        match &self.root {
            Some(root) => Path::new(root).join(path).to_string_lossy().into_owned(),
            None => path.to_string(),
        }
    }
}

/// The tool's `output` and `error` texts from its function response.
fn response_texts<'c>(call: &'c ToolCall<'_>) -> (Option<&'c str>, Option<&'c str>) {
    let mut output = None;
    let mut error = None;
    for part in &call.result.0 {
        if let Some(r) = part
            .0
            .as_ref()
            .and_then(|p| p.function_response.0.as_ref())
            .and_then(|f| f.response.0.as_ref())
        {
            output = output.or(r.output.get());
            error = error.or(r.error.get());
        }
    }
    (output, error)
}

/// `Exit Code: N` in a shell tool's output.
fn exit_code(text: &str) -> Option<i32> {
    let rest = &text[text.find("Exit Code: ")? + "Exit Code: ".len()..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '-'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn trim(line: &[u8]) -> &[u8] {
    let mut l = line;
    while let [rest @ .., b'\n' | b'\r'] = l {
        l = rest;
    }
    l
}

impl FileReader for GeminiReader {
    fn read_line(&mut self, line: &[u8], offset: u64, out: &mut Vec<Record>) -> Result<(), Skip> {
        let repaired;
        let parsed = match serde_json::from_slice::<Line<'_>>(line) {
            Ok(l) => l,
            Err(_) => {
                repaired = lenient::repair(line).ok_or(Skip::Malformed)?;
                serde_json::from_slice::<Line<'_>>(&repaired).map_err(|_| Skip::Malformed)?
            }
        };
        self.on_line(&parsed, offset, out);
        Ok(())
    }

    fn read_whole(&mut self, path: &Path, out: &mut Vec<Record>) -> u64 {
        if path.extension().is_some_and(|e| e == "json") {
            self.read_document(path, out)
        } else {
            self.read_jsonl(path, out)
        }
    }

    fn finish(&mut self, out: &mut Vec<Record>) {
        // `lastUpdated` moves on every record: one session update per capture carries it.
        if self.st.announced || self.st.id.is_some() {
            self.announce(out);
        }
    }

    fn save_state(&self) -> String {
        let _ = &self.path;
        serde_json::to_string(&self.st).unwrap_or_default()
    }
}
