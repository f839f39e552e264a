//! The Copilot CLI reader's state machine: one [`CopilotReader`] per `events.jsonl`, fed line
//! by line. Lines are parsed into `serde_json::Value` (the events are small; tool results are
//! not kept).

use crate::agents::codex::apply_patch::{FileOp, parse_patch};
use crate::agents::lenient::{self, head, tail};
use crate::agents::{FileReader, Record, Skip};
use crate::model::{
    Agent, Edit, EditOp, Event, EventKind, Millis, SessionInfo, event_id, line_key, parse_millis,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

const OUTPUT_TAIL: usize = 2048;
const MAX_PENDING: usize = 256;

/// Incremental reader of one Copilot CLI `events.jsonl`.
pub struct CopilotReader {
    fallback_id: String,
    st: State,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct State {
    v: u32,
    id: Option<String>,
    cwd: Option<String>,
    branch: Option<String>,
    model: Option<String>,
    started: Option<Millis>,
    announced: bool,
    /// Tool calls whose edits or command were emitted (so `tool.execution_start` does not
    /// emit them again), oldest first.
    calls: Vec<String>,
}

const STATE_VERSION: u32 = 1;

struct Cx<'x> {
    raw: &'x [u8],
    offset: u64,
    at: Option<Millis>,
    next: u64,
}

impl CopilotReader {
    pub fn open(path: &Path, state: Option<&str>) -> Self {
        let fallback_id = path
            .parent()
            .and_then(|d| d.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "unknown".into());
        let st = state
            .and_then(|s| serde_json::from_str::<State>(s).ok())
            .filter(|s| s.v == STATE_VERSION)
            .unwrap_or(State {
                v: STATE_VERSION,
                ..State::default()
            });
        CopilotReader { fallback_id, st }
    }

    fn sid(&self) -> String {
        self.st
            .id
            .clone()
            .unwrap_or_else(|| self.fallback_id.clone())
    }

    fn announce(&mut self, out: &mut Vec<Record>) {
        self.st.announced = true;
        out.push(Record::Session(SessionInfo {
            id: self.sid(),
            parent_id: None,
            cwd: self.st.cwd.clone(),
            branch: self.st.branch.clone(),
            model: self.st.model.clone(),
            started: self.st.started,
            ended: None,
        }));
    }

    fn emit(&mut self, cx: &mut Cx<'_>, out: &mut Vec<Record>, kind: EventKind) {
        if !self.st.announced {
            self.announce(out);
        }
        let sid = self.sid();
        let idx = cx.next;
        cx.next += 1;
        let id = match &kind {
            EventKind::Usage { message_id, .. } => {
                event_id(Agent::CopilotCli, &sid, &[b"usage", message_id.as_bytes()])
            }
            _ => event_id(
                Agent::CopilotCli,
                &sid,
                &[&line_key(cx.raw), &idx.to_le_bytes()],
            ),
        };
        let ord = i64::try_from(cx.offset)
            .unwrap_or(i64::MAX / 2048)
            .saturating_mul(1024)
            .saturating_add(idx as i64);
        out.push(Record::Event(Event {
            id,
            session_id: sid,
            at: cx.at,
            ord,
            kind,
        }));
    }

    fn on_event(&mut self, kind: &str, d: &Value, cx: &mut Cx<'_>, out: &mut Vec<Record>) {
        let s = |v: &Value| v.as_str().map(str::to_string);
        match kind {
            "session.start" => {
                self.st.id = s(&d["sessionId"]).or(self.st.id.take());
                self.st.cwd = s(&d["context"]["cwd"]).or(self.st.cwd.take());
                self.st.branch = s(&d["context"]["branch"]).or(self.st.branch.take());
                self.st.started = d["startTime"].as_str().and_then(parse_millis).or(cx.at);
                self.announce(out);
            }
            "session.model_change" => self.set_model(d["newModel"].as_str(), out),
            "user.message" => {
                let text = d["content"].as_str().unwrap_or("").trim();
                let from_user = d["source"].as_str().is_none_or(|s| s == "user");
                if from_user && !text.is_empty() && !text.starts_with("<system_notification>") {
                    let kind = EventKind::Prompt {
                        text: text.to_string(),
                    };
                    self.emit(cx, out, kind);
                }
            }
            "assistant.message" => self.on_assistant(d, cx, out),
            "tool.execution_start" => {
                if let (Some(call), Some(name)) = (d["toolCallId"].as_str(), d["toolName"].as_str())
                {
                    self.on_call(call, name, &d["arguments"], cx, out);
                }
            }
            "tool.execution_complete" => self.on_complete(d, cx, out),
            k if k.starts_with("permission.")
                && (k.contains("denied") || k.contains("rejected")) =>
            {
                if let Some(call) = d["toolCallId"].as_str() {
                    // The failed completion that follows says the same without the feedback:
                    // forgetting the call keeps it from becoming a second rejection.
                    self.st.calls.retain(|c| c != call);
                    let reason = s(&d["feedback"]).or(s(&d["reason"]));
                    let kind = EventKind::Rejection {
                        call_id: Some(call.to_string()),
                        reason,
                    };
                    self.emit(cx, out, kind);
                }
            }
            _ => {}
        }
    }

    fn set_model(&mut self, model: Option<&str>, out: &mut Vec<Record>) {
        if let Some(m) = model
            && self.st.model.as_deref() != Some(m)
        {
            self.st.model = Some(m.to_string());
            self.announce(out);
        }
    }

    fn on_assistant(&mut self, d: &Value, cx: &mut Cx<'_>, out: &mut Vec<Record>) {
        self.set_model(d["model"].as_str(), out);
        if let Some(t) = d["reasoningText"]
            .as_str()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            self.emit(
                cx,
                out,
                EventKind::Reasoning {
                    text: t.to_string(),
                },
            );
        }
        if let Some(t) = d["content"]
            .as_str()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            self.emit(
                cx,
                out,
                EventKind::Reply {
                    text: t.to_string(),
                },
            );
        }
        for r in d["toolRequests"].as_array().into_iter().flatten() {
            if let (Some(call), Some(name)) = (r["toolCallId"].as_str(), r["name"].as_str()) {
                self.on_call(call, name, &r["arguments"], cx, out);
            }
        }
        if let (Some(msg), Some(n)) = (d["messageId"].as_str(), d["outputTokens"].as_u64()) {
            let kind = EventKind::Usage {
                message_id: msg.to_string(),
                model: self.st.model.clone(),
                input: 0,
                output: n,
                cache_read: 0,
                cache_write: 0,
            };
            self.emit(cx, out, kind);
        }
    }

    /// A tool call's edits or command, once per call id.
    fn on_call(
        &mut self,
        call: &str,
        name: &str,
        args: &Value,
        cx: &mut Cx<'_>,
        out: &mut Vec<Record>,
    ) {
        if self.st.calls.iter().any(|c| c == call) {
            return;
        }
        // `arguments` is a JSON string in tool requests and an object in execution events.
        let parsed;
        let args = match args.as_str() {
            Some(text) => {
                parsed = serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
                &parsed
            }
            None => args,
        };
        let g = |k: &str| args[k].as_str().unwrap_or("").to_string();
        let path = self.absolute(&g("path"));
        let mut kinds = Vec::new();
        let edit = |path: String, op, before, after| {
            EventKind::Edit(Edit {
                call_id: Some(call.to_string()),
                tool: name.to_string(),
                path,
                op,
                before,
                after,
                move_to: None,
            })
        };
        match name {
            "create" => kinds.push(edit(path, EditOp::Add, String::new(), g("file_text"))),
            "str_replace" | "edit" => {
                kinds.push(edit(path, EditOp::Update, g("old_str"), g("new_str")))
            }
            "apply_patch" => {
                let text = args["input"]
                    .as_str()
                    .or(args["patch"].as_str())
                    .unwrap_or("");
                for op in parse_patch(text).unwrap_or_default() {
                    match op {
                        FileOp::Add { path, contents } => kinds.push(edit(
                            self.absolute(&path),
                            EditOp::Add,
                            String::new(),
                            contents,
                        )),
                        FileOp::Delete { path } => kinds.push(edit(
                            self.absolute(&path),
                            EditOp::Delete,
                            String::new(),
                            String::new(),
                        )),
                        FileOp::Update { path, hunks, .. } => {
                            for h in hunks.into_iter().filter(|h| h.before != h.after) {
                                kinds.push(edit(
                                    self.absolute(&path),
                                    EditOp::Update,
                                    h.before,
                                    h.after,
                                ));
                            }
                        }
                    }
                }
            }
            "bash" | "shell" | "powershell" => kinds.push(EventKind::Command {
                call_id: Some(call.to_string()),
                command: g("command"),
            }),
            _ => return,
        }
        self.st.calls.push(call.to_string());
        if self.st.calls.len() > MAX_PENDING {
            self.st.calls.remove(0);
        }
        for k in kinds {
            self.emit(cx, out, k);
        }
    }

    fn on_complete(&mut self, d: &Value, cx: &mut Cx<'_>, out: &mut Vec<Record>) {
        let Some(call) = d["toolCallId"].as_str() else {
            return;
        };
        if !self.st.calls.iter().any(|c| c == call) {
            return;
        }
        let ok = d["success"].as_bool().unwrap_or(false);
        let error = d["error"]["message"]
            .as_str()
            .or(d["error"].as_str())
            .unwrap_or("");
        let lower = error.to_ascii_lowercase();
        let kind = if !ok
            && (lower.contains("denied")
                || lower.contains("rejected")
                || lower.contains("declined"))
        {
            EventKind::Rejection {
                call_id: Some(call.to_string()),
                reason: None,
            }
        } else {
            let output = d["result"]["content"]
                .as_str()
                .or(d["result"]["text_result_for_llm"].as_str());
            let text = if ok {
                output
            } else {
                Some(error).filter(|e| !e.is_empty()).or(output)
            };
            EventKind::Outcome {
                call_id: call.to_string(),
                ok,
                exit_code: None,
                output_tail: text.and_then(|t| {
                    if ok {
                        tail(t, OUTPUT_TAIL)
                    } else {
                        head(t, OUTPUT_TAIL)
                    }
                }),
            }
        };
        self.emit(cx, out, kind);
    }

    fn absolute(&self, path: &str) -> String {
        match &self.st.cwd {
            Some(cwd) if !path.is_empty() && !Path::new(path).is_absolute() => {
                Path::new(cwd).join(path).to_string_lossy().into_owned()
            }
            _ => path.to_string(),
        }
    }
}

impl FileReader for CopilotReader {
    fn read_line(&mut self, line: &[u8], offset: u64, out: &mut Vec<Record>) -> Result<(), Skip> {
        let v: Value = match serde_json::from_slice(line) {
            Ok(v) => v,
            Err(_) => {
                let fixed = lenient::repair(line).ok_or(Skip::Malformed)?;
                serde_json::from_slice(&fixed).map_err(|_| Skip::Malformed)?
            }
        };
        let Some(kind) = v["type"].as_str() else {
            return Err(Skip::Malformed);
        };
        let mut cx = Cx {
            raw: line,
            offset,
            at: v["timestamp"].as_str().and_then(parse_millis),
            next: 0,
        };
        self.on_event(kind, &v["data"], &mut cx, out);
        Ok(())
    }

    fn save_state(&self) -> String {
        serde_json::to_string(&self.st).unwrap_or_default()
    }
}
