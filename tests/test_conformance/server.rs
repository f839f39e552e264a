//! A scripted model server on 127.0.0.1 for the conformance suite: it speaks the Anthropic
//! Messages API (streamed), the OpenAI Responses API (streamed), the OpenAI Chat Completions API
//! (`server/chat.rs`) and the Gemini API (`server/gemini.rs`) exactly as the real agent CLIs
//! expect them, logs every request, and answers from a per-test script.
//!
//! The script is a list of model turns. Which turn answers a request is decided by the
//! request itself: the number of tool results it carries (a CLI sends the whole conversation
//! every time), so a retried request gets the same answer and the server needs no session
//! state. Past the end of the script the model says its final text.

mod chat;
mod gemini;

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One request as received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    /// The body as JSON (Null when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// One model turn.
#[derive(Debug, Clone)]
pub enum Turn {
    /// A tool call with JSON input (Anthropic `tool_use`, OpenAI `function_call`).
    Tool { name: String, input: Value },
    /// An OpenAI freeform custom tool call (`custom_tool_call`, e.g. Codex's `apply_patch`).
    Custom { name: String, input: String },
    /// Assistant text, ending the turn.
    Text(String),
    /// Claude Code plan mode: a `Write` of `plan` to the plan file the CLI named in the request
    /// ("You should create your plan at …/plans/<slug>.md"; the slug is random).
    WritePlan(String),
    /// Text and then a tool call in one message (two content blocks / two output items), as
    /// models usually answer: Claude Code writes one transcript line per block.
    TextThenTool {
        text: String,
        name: String,
        input: Value,
    },
}

/// What the model answers, in order, and what it says once the script is done.
#[derive(Debug, Clone)]
pub struct Script {
    pub turns: Vec<Turn>,
    pub final_text: String,
}

impl Script {
    pub fn new(turns: Vec<Turn>, final_text: &str) -> Script {
        Script {
            turns,
            final_text: final_text.to_string(),
        }
    }

    fn turn(&self, index: usize) -> Turn {
        self.turns
            .get(index)
            .cloned()
            .unwrap_or_else(|| Turn::Text(self.final_text.clone()))
    }
}

/// Token usage the server reports for the answer to request number `n` (1-based) of a main
/// conversation, so tests know the true totals: `(input, output)`.
pub fn usage_of(n: usize) -> (u64, u64) {
    (1000 + 10 * n as u64, 50 + n as u64)
}

struct State {
    script: Script,
    log: Vec<Request>,
    /// Main-conversation answers given so far (numbers the usage figures).
    answered: usize,
    /// Usage figures reported, per answer: `(input, output)`.
    usage: Vec<(u64, u64)>,
}

/// The running server. It lives as long as the test (the accept thread is detached).
pub struct Server {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl Server {
    /// Start on 127.0.0.1 with an ephemeral port.
    pub fn start(script: Script) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local addr").port();
        let state = Arc::new(Mutex::new(State {
            script,
            log: Vec::new(),
            answered: 0,
            usage: Vec::new(),
        }));
        let st = Arc::clone(&state);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let st = Arc::clone(&st);
                std::thread::spawn(move || serve_connection(conn, &st));
            }
        });
        Server { port, state }
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Replace the script (e.g. before resuming a session).
    pub fn set_script(&self, script: Script) {
        self.state.lock().unwrap().script = script;
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().log.clone()
    }

    /// Usage reported for every main-conversation answer so far.
    pub fn usage(&self) -> Vec<(u64, u64)> {
        self.state.lock().unwrap().usage.clone()
    }

    /// The request log as text, for failure messages and for the fixture folder.
    pub fn dump(&self) -> String {
        let mut s = String::new();
        for r in self.requests() {
            let agent = r
                .headers
                .iter()
                .find(|(k, _)| k == "user-agent")
                .map_or("", |(_, v)| v.as_str());
            s.push_str(&format!(
                "{} {} ({agent})\n{}\n\n",
                r.method, r.path, r.body
            ));
        }
        s
    }
}

fn serve_connection(conn: TcpStream, state: &Arc<Mutex<State>>) {
    let _ = conn.set_read_timeout(Some(std::time::Duration::from_secs(120)));
    let mut reader = BufReader::new(conn.try_clone().expect("clone stream"));
    let mut conn = conn;
    // Keep-alive: answer requests on this connection until the client closes it.
    while let Some(req) = read_request(&mut reader) {
        state.lock().unwrap().log.push(req.clone());
        let keep = respond(&mut conn, &req, state).is_ok();
        if !keep {
            return;
        }
    }
}

/// Read one HTTP/1.1 request (Content-Length or chunked body). None at end of stream.
fn read_request(r: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let header = |k: &str| headers.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut body = Vec::new();
    if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        loop {
            let mut size = String::new();
            r.read_line(&mut size).ok()?;
            let n = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk).ok()?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(n) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body = vec![0; n];
        r.read_exact(&mut body).ok()?;
    }
    Some(Request {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn respond(conn: &mut TcpStream, req: &Request, state: &Arc<Mutex<State>>) -> std::io::Result<()> {
    let path = req.path.split('?').next().unwrap_or("");
    match (req.method.as_str(), path) {
        ("HEAD", _) => write_plain(conn, 200, "text/plain", ""),
        ("POST", "/v1/messages") => {
            let body = req.json();
            let events = anthropic_answer(&body, state);
            write_sse(conn, &events)
        }
        ("POST", "/v1/messages/count_tokens") => {
            write_plain(conn, 200, "application/json", r#"{"input_tokens":1000}"#)
        }
        ("POST", "/v1/responses") => {
            let body = req.json();
            let events = responses_answer(&body, state);
            write_sse(conn, &events)
        }
        ("POST", "/v1/chat/completions") => chat::respond(conn, &req.json(), state),
        ("POST", p) if gemini::is_gemini(p) => gemini::respond(conn, &req.path, &req.json(), state),
        ("GET", "/v1/models") => write_plain(conn, 200, "application/json", r#"{"data":[]}"#),
        _ => write_plain(
            conn,
            404,
            "application/json",
            r#"{"error":{"type":"not_found_error","message":"not served"}}"#,
        ),
    }
}

fn write_plain(conn: &mut TcpStream, code: u16, ctype: &str, body: &str) -> std::io::Result<()> {
    let reason = if code == 200 { "OK" } else { "Not Found" };
    write!(
        conn,
        "HTTP/1.1 {code} {reason}\r\ncontent-type: {ctype}\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )?;
    conn.flush()
}

/// Write `(event, data)` pairs as one SSE response (chunked, so keep-alive still works).
fn write_sse(conn: &mut TcpStream, events: &[(String, Value)]) -> std::io::Result<()> {
    write!(
        conn,
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n"
    )?;
    for (name, data) in events {
        let chunk = format!("event: {name}\ndata: {data}\n\n");
        write!(conn, "{:x}\r\n{chunk}\r\n", chunk.len())?;
        conn.flush()?;
    }
    write!(conn, "0\r\n\r\n")?;
    conn.flush()
}

/// Count the tool results a conversation carries (Anthropic `tool_result` blocks, OpenAI
/// `function_call_output` / `custom_tool_call_output` items).
fn tool_results(body: &Value) -> usize {
    let mut n = 0;
    if let Some(msgs) = body["messages"].as_array() {
        for m in msgs {
            if let Some(blocks) = m["content"].as_array() {
                n += blocks.iter().filter(|b| b["type"] == "tool_result").count();
            }
        }
    }
    if let Some(items) = body["input"].as_array() {
        n += items
            .iter()
            .filter(|i| {
                i["type"] == "function_call_output" || i["type"] == "custom_tool_call_output"
            })
            .count();
    }
    n + gemini::tool_results(body) + chat::tool_results(body)
}

/// Pick the turn for a main-conversation request and number the answer (for usage).
fn next_turn(body: &Value, state: &Arc<Mutex<State>>) -> (Turn, usize) {
    let mut st = state.lock().unwrap();
    let turn = st.script.turn(tool_results(body));
    st.answered += 1;
    let n = st.answered;
    st.usage.push(usage_of(n));
    (turn, n)
}

fn ev(name: &str, data: Value) -> (String, Value) {
    (name.to_string(), data)
}

/// The Anthropic answer: a tool_use or text message, streamed as the Messages API does.
fn anthropic_answer(body: &Value, state: &Arc<Mutex<State>>) -> Vec<(String, Value)> {
    let model = body["model"]
        .as_str()
        .unwrap_or("claude-sonnet-4-5")
        .to_string();
    // Requests without tools are side requests (the interactive session title, quota
    // checks): a JSON title text satisfies all of them and is not part of the conversation.
    let has_tools = body["tools"].as_array().is_some_and(|t| !t.is_empty());
    let (turn, n, usage) = if has_tools {
        let (t, n) = next_turn(body, state);
        (t, n, usage_of(n))
    } else {
        let t = Turn::Text(r#"{"title": "Conformance run"}"#.to_string());
        (t, 0, (20, 5))
    };
    let turn = match turn {
        Turn::WritePlan(plan) => {
            let re = regex::Regex::new(r"create your plan at (/[^\s\\]+\.md)").expect("regex");
            let text = body.to_string();
            let path = re
                .captures(&text)
                .map(|c| c[1].to_string())
                .unwrap_or_else(|| "/nonexistent/plan.md".to_string());
            Turn::Tool {
                name: "Write".to_string(),
                input: json!({"file_path": path, "content": plan}),
            }
        }
        t => t,
    };
    let msg_id = format!("msg_conform_{:04}_{}", n, std::process::id());
    let mut out = vec![ev(
        "message_start",
        json!({"type": "message_start", "message": {
            "id": msg_id, "type": "message", "role": "assistant", "model": model,
            "content": [], "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": usage.0, "output_tokens": 1,
                      "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}}),
    )];
    let tool_id = format!("toolu_conform_{n:04}");
    let text_block = |t: &str| {
        (
            json!({"type": "text", "text": ""}),
            json!({"type": "text_delta", "text": t}),
        )
    };
    let tool_block = |name: &str, input: &Value| {
        (
            json!({"type": "tool_use", "id": tool_id, "name": name, "input": {}}),
            json!({"type": "input_json_delta", "partial_json": input.to_string()}),
        )
    };
    let blocks = match &turn {
        Turn::Tool { name, input } => vec![tool_block(name, input)],
        Turn::Text(text) | Turn::Custom { input: text, .. } | Turn::WritePlan(text) => {
            vec![text_block(text)]
        }
        Turn::TextThenTool { text, name, input } => {
            vec![text_block(text), tool_block(name, input)]
        }
    };
    let stop = if matches!(turn, Turn::Tool { .. } | Turn::TextThenTool { .. }) {
        "tool_use"
    } else {
        "end_turn"
    };
    for (i, (start, delta)) in blocks.into_iter().enumerate() {
        out.push(ev(
            "content_block_start",
            json!({"type": "content_block_start", "index": i, "content_block": start}),
        ));
        out.push(ev(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": i, "delta": delta}),
        ));
        out.push(ev(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": i}),
        ));
    }
    out.push(ev(
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": null},
               "usage": {"output_tokens": usage.1}}),
    ));
    out.push(ev("message_stop", json!({"type": "message_stop"})));
    out
}

/// The Responses API answer: one output item (function call, custom tool call or message).
fn responses_answer(body: &Value, state: &Arc<Mutex<State>>) -> Vec<(String, Value)> {
    let model = body["model"].as_str().unwrap_or("gpt-5-codex").to_string();
    // The TUI asks for a thread title on the side (with the tools attached); it is not part
    // of the conversation the script describes.
    let (turn, n) = if body.to_string().contains("single-line task title") {
        (Turn::Text("Create notes".to_string()), 0)
    } else {
        next_turn(body, state)
    };
    let (input, output) = usage_of(n);
    let resp_id = format!("resp_conform_{n:04}");
    let call_id = format!("call_conform_{n:04}");
    let message = |text: &str| {
        json!({
            "type": "message", "id": format!("msg_conform_{n:04}"), "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": text, "annotations": []}]})
    };
    let call = |name: &str, input: &Value| {
        json!({
            "type": "function_call", "id": format!("fc_conform_{n:04}"), "status": "completed",
            "name": name, "arguments": input.to_string(), "call_id": call_id})
    };
    let items = match &turn {
        Turn::Tool { name, input } => vec![call(name, input)],
        Turn::Custom { name, input } => vec![json!({
            "type": "custom_tool_call", "id": format!("ctc_conform_{n:04}"),
            "status": "completed", "name": name, "input": input, "call_id": call_id})],
        Turn::Text(text) | Turn::WritePlan(text) => vec![message(text)],
        Turn::TextThenTool { text, name, input } => vec![message(text), call(name, input)],
    };
    let mut out = vec![ev(
        "response.created",
        json!({"type": "response.created",
               "response": {"id": resp_id, "object": "response", "model": model,
                            "status": "in_progress", "output": []}}),
    )];
    for (i, item) in items.iter().enumerate() {
        let mut added = item.clone();
        added["status"] = json!("in_progress");
        out.push(ev(
            "response.output_item.added",
            json!({"type": "response.output_item.added", "output_index": i, "item": added}),
        ));
        out.push(ev(
            "response.output_item.done",
            json!({"type": "response.output_item.done", "output_index": i, "item": item}),
        ));
    }
    out.push(ev(
        "response.completed",
        json!({"type": "response.completed",
               "response": {"id": resp_id, "object": "response", "model": model,
                            "status": "completed", "output": items,
                            "usage": {"input_tokens": input,
                                      "input_tokens_details": {"cached_tokens": 0},
                                      "output_tokens": output,
                                      "output_tokens_details": {"reasoning_tokens": 0},
                                      "total_tokens": input + output}}}),
    ));
    out
}
