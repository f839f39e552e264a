//! The OpenCode reader: one [`OpencodeReader`] per database, reading the rows updated since
//! its watermark and turning sessions, messages and parts into records. Event ids derive from
//! OpenCode's own part and message ids, so reading a row again (it was updated, or shares the
//! watermark's millisecond) stores nothing twice.

use super::discover::database_of;
use super::wire::{self, MessageRow, PartRow, SessionRow};
use crate::agents::codex::apply_patch::{FileOp, parse_patch};
use crate::agents::lenient::{head, tail};
use crate::agents::{FileReader, Record};
use crate::model::{Agent, Edit, EditOp, Event, EventKind, SessionInfo, event_id};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const OUTPUT_TAIL: usize = 2048;
/// What OpenCode's permission errors start with (`RejectedError`, `CorrectedError`).
const REJECTED: &str = "The user rejected permission to use this specific tool call";
const FEEDBACK: &str = "with the following feedback:";

/// Incremental reader of one OpenCode database.
pub struct OpencodeReader {
    db: PathBuf,
    pub(super) st: State,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct State {
    pub(super) v: u32,
    /// The highest `time_updated` read so far (ms).
    pub(super) since: i64,
    /// Per session: the branch checked out when it was first read (OpenCode records none)
    /// and the latest model.
    pub(super) sessions: HashMap<String, Known>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct Known {
    pub(super) branch: Option<String>,
    pub(super) model: Option<String>,
}

const STATE_VERSION: u32 = 1;

impl OpencodeReader {
    pub fn open(path: &Path, state: Option<&str>) -> Self {
        let st = state
            .and_then(|s| serde_json::from_str::<State>(s).ok())
            .filter(|s| s.v == STATE_VERSION)
            .unwrap_or(State {
                v: STATE_VERSION,
                ..State::default()
            });
        OpencodeReader {
            db: database_of(path),
            st,
        }
    }

    fn on_session(&mut self, s: &SessionRow, out: &mut Vec<Record>) {
        let known = self.st.sessions.entry(s.id.clone()).or_default();
        if known.branch.is_none() {
            known.branch = s
                .directory
                .as_deref()
                .and_then(|d| crate::agents::gemini::checked_out_branch(Path::new(d)));
        }
        out.push(Record::Session(SessionInfo {
            id: s.id.clone(),
            parent_id: s.parent_id.clone(),
            cwd: s.directory.clone(),
            branch: known.branch.clone(),
            model: known.model.clone(),
            started: s.created,
            ended: Some(s.updated),
        }));
    }

    fn on_message(
        &mut self,
        m: &MessageRow,
        dirs: &HashMap<String, String>,
        out: &mut Vec<Record>,
    ) {
        let Ok(v) = serde_json::from_str::<Value>(&m.data) else {
            return;
        };
        if v["role"] != "assistant" {
            return;
        }
        if let Some(model) = v["modelID"].as_str() {
            let known = self.st.sessions.entry(m.session_id.clone()).or_default();
            if known.model.as_deref() != Some(model) {
                known.model = Some(model.to_string());
                if let Some(dir) = dirs.get(&m.session_id) {
                    out.push(Record::Session(SessionInfo {
                        id: m.session_id.clone(),
                        cwd: Some(dir.clone()),
                        branch: known.branch.clone(),
                        model: Some(model.to_string()),
                        ..SessionInfo::default()
                    }));
                }
            }
        }
        // Tokens are final once the message completed.
        if v["time"]["completed"].is_null() {
            return;
        }
        let t = &v["tokens"];
        let n = |x: &Value| x.as_u64().unwrap_or(0);
        let kind = EventKind::Usage {
            message_id: m.id.clone(),
            model: v["modelID"].as_str().map(str::to_string),
            input: n(&t["input"]),
            output: n(&t["output"]) + n(&t["reasoning"]),
            cache_read: n(&t["cache"]["read"]),
            cache_write: n(&t["cache"]["write"]),
        };
        let at = v["time"]["completed"].as_i64();
        push(
            out,
            &m.session_id,
            &["usage", &m.id],
            at,
            m.updated.saturating_mul(16),
            kind,
        );
    }

    fn on_part(&mut self, p: &PartRow, dirs: &HashMap<String, String>, out: &mut Vec<Record>) {
        let Ok(v) = serde_json::from_str::<Value>(&p.data) else {
            return;
        };
        let at = Some(p.created);
        let ord = p.created.saturating_mul(16);
        let text = || v["text"].as_str().map(str::trim).filter(|t| !t.is_empty());
        match v["type"].as_str() {
            Some("text") if v["synthetic"] != true => {
                let Some(text) = text() else { return };
                let kind = if p.role.as_deref() == Some("user") {
                    EventKind::Prompt {
                        text: text.to_string(),
                    }
                } else {
                    EventKind::Reply {
                        text: text.to_string(),
                    }
                };
                push(out, &p.session_id, &["text", &p.id], at, ord, kind);
            }
            Some("reasoning") => {
                let Some(text) = text() else { return };
                let kind = EventKind::Reasoning {
                    text: text.to_string(),
                };
                push(out, &p.session_id, &["reasoning", &p.id], at, ord, kind);
            }
            Some("tool") => {
                let cwd = dirs.get(&p.session_id).map(String::as_str);
                on_tool(p, &v, cwd, out);
            }
            _ => {}
        }
    }
}

/// Emit an event of `session` with an id from `key`.
fn push(
    out: &mut Vec<Record>,
    session: &str,
    key: &[&str],
    at: Option<i64>,
    ord: i64,
    kind: EventKind,
) {
    let parts: Vec<&[u8]> = key.iter().map(|k| k.as_bytes()).collect();
    out.push(Record::Event(Event {
        id: event_id(Agent::Opencode, session, &parts),
        session_id: session.to_string(),
        at,
        ord,
        kind,
    }));
}

/// A final tool part: its edits or command, then its outcome or rejection.
fn on_tool(p: &PartRow, v: &Value, cwd: Option<&str>, out: &mut Vec<Record>) {
    let state = &v["state"];
    let status = state["status"].as_str().unwrap_or("");
    if !matches!(status, "completed" | "error") {
        return;
    }
    let (Some(tool), Some(call)) = (v["tool"].as_str(), v["callID"].as_str()) else {
        return;
    };
    let input = &state["input"];
    let at = state["time"]["start"].as_i64().or(Some(p.created));
    let ord = p.created.saturating_mul(16);
    let mut edits = Vec::new();
    let abs = |path: &str| match cwd {
        Some(c) if !Path::new(path).is_absolute() => {
            Path::new(c).join(path).to_string_lossy().into_owned()
        }
        _ => path.to_string(),
    };
    let s = |k: &str| input[k].as_str().unwrap_or("").to_string();
    match tool {
        "write" => {
            // OpenCode says whether the file existed before the write.
            let op = if state["metadata"]["exists"] == false {
                EditOp::Add
            } else {
                EditOp::Write
            };
            edits.push((abs(&s("filePath")), op, String::new(), s("content")))
        }
        "edit" => edits.push((
            abs(&s("filePath")),
            EditOp::Update,
            s("oldString"),
            s("newString"),
        )),
        "multiedit" => {
            for e in input["edits"].as_array().into_iter().flatten() {
                let g = |k: &str| e[k].as_str().unwrap_or("").to_string();
                edits.push((
                    abs(&s("filePath")),
                    EditOp::Update,
                    g("oldString"),
                    g("newString"),
                ));
            }
        }
        "patch" | "apply_patch" => {
            for op in parse_patch(input["patchText"].as_str().unwrap_or("")).unwrap_or_default() {
                match op {
                    FileOp::Add { path, contents } => {
                        edits.push((abs(&path), EditOp::Add, String::new(), contents))
                    }
                    FileOp::Delete { path } => {
                        edits.push((abs(&path), EditOp::Delete, String::new(), String::new()))
                    }
                    FileOp::Update { path, hunks, .. } => {
                        for h in hunks.into_iter().filter(|h| h.before != h.after) {
                            edits.push((abs(&path), EditOp::Update, h.before, h.after));
                        }
                    }
                }
            }
        }
        "bash" => {
            let kind = EventKind::Command {
                call_id: Some(call.to_string()),
                command: s("command"),
            };
            push(out, &p.session_id, &["command", &p.id], at, ord, kind);
        }
        _ => return,
    }
    if tool != "bash" && edits.is_empty() {
        return;
    }
    for (i, (path, op, before, after)) in edits.into_iter().enumerate() {
        let kind = EventKind::Edit(Edit {
            call_id: Some(call.to_string()),
            tool: tool.to_string(),
            path,
            op,
            before,
            after,
            move_to: None,
        });
        push(
            out,
            &p.session_id,
            &["edit", &p.id, &i.to_string()],
            at,
            ord + i as i64,
            kind,
        );
    }
    let end = state["time"]["end"].as_i64().or(at);
    let kind = tool_result(state, status, call);
    push(out, &p.session_id, &["result", &p.id], end, ord + 15, kind);
}

/// The end of a tool call: a rejection (with the feedback the user typed, when any) or an
/// outcome with its exit code and the telling part of its output.
fn tool_result(state: &Value, status: &str, call: &str) -> EventKind {
    let error = state["error"].as_str().unwrap_or("");
    if status == "error" && error.contains(REJECTED) {
        let reason = error
            .split_once(FEEDBACK)
            .map(|(_, r)| r.trim().to_string())
            .filter(|r| !r.is_empty());
        EventKind::Rejection {
            call_id: Some(call.to_string()),
            reason,
        }
    } else {
        let ok = status == "completed" && state["metadata"]["exit"].as_i64().is_none_or(|c| c == 0);
        let text = if ok {
            state["output"].as_str()
        } else {
            Some(error)
                .filter(|e| !e.is_empty())
                .or(state["output"].as_str())
        };
        EventKind::Outcome {
            call_id: call.to_string(),
            ok,
            exit_code: state["metadata"]["exit"]
                .as_i64()
                .and_then(|c| i32::try_from(c).ok()),
            output_tail: text.and_then(|t| {
                if ok {
                    tail(t, OUTPUT_TAIL)
                } else {
                    head(t, OUTPUT_TAIL)
                }
            }),
        }
    }
}

impl FileReader for OpencodeReader {
    fn read_line(
        &mut self,
        _: &[u8],
        _: u64,
        _: &mut Vec<Record>,
    ) -> Result<(), crate::agents::Skip> {
        // A database is never read line by line.
        Err(crate::agents::Skip::Malformed)
    }

    fn read_whole(&mut self, _path: &Path, out: &mut Vec<Record>) -> u64 {
        let read = wire::open(&self.db).and_then(|c| wire::read_since(&c, self.st.since));
        // Locked or mid-migration: nothing now, everything next time (the watermark stays).
        let Ok((sessions, messages, parts)) = read else {
            return 0;
        };
        let mut dirs = HashMap::new();
        let mut top = self.st.since;
        for s in &sessions {
            if let Some(d) = &s.directory {
                dirs.insert(s.id.clone(), d.clone());
            }
            self.on_session(s, out);
            top = top.max(s.updated);
        }
        // A part or message of a session not updated since the watermark: its cwd is needed
        // to announce it (capture keeps cwds per session across captures, so this is rare).
        for m in &messages {
            self.on_message(m, &dirs, out);
            top = top.max(m.updated);
        }
        for p in &parts {
            self.on_part(p, &dirs, out);
            top = top.max(p.updated);
        }
        self.st.since = top;
        0
    }

    fn save_state(&self) -> String {
        serde_json::to_string(&self.st).unwrap_or_default()
    }
}
