//! The OpenAI Chat Completions API (streamed), as OpenCode's `@ai-sdk/openai-compatible`
//! provider calls it: `POST /v1/chat/completions` with `stream: true`, answered with
//! `chat.completion.chunk` events, a last chunk carrying `usage`, and `data: [DONE]`.

use super::{State, Turn, next_turn, usage_of};
use serde_json::{Value, json};
use std::io::Write;
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

/// Answer one chat completions request.
pub(super) fn respond(
    conn: &mut TcpStream,
    body: &Value,
    state: &Arc<Mutex<State>>,
) -> std::io::Result<()> {
    let model = body["model"].as_str().unwrap_or("fake-model").to_string();
    // Requests without tools are side requests (OpenCode's session title).
    let has_tools = body["tools"].as_array().is_some_and(|t| !t.is_empty());
    let (turn, n) = if has_tools {
        next_turn(body, state)
    } else {
        (Turn::Text("Conformance run".to_string()), 0)
    };
    let (input, output) = if n == 0 { (20, 5) } else { usage_of(n) };
    let chunk = |delta: Value, finish: Value| {
        json!({"id": format!("chatcmpl-conform-{n:04}"), "object": "chat.completion.chunk",
               "created": 1, "model": model,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    };
    let call = |name: &str, input: &Value| {
        json!({"role": "assistant", "tool_calls": [{"index": 0, "id": format!("call_conform_{n:04}"),
               "type": "function", "function": {"name": name, "arguments": input.to_string()}}]})
    };
    let mut chunks = Vec::new();
    let finish = match &turn {
        Turn::Tool { name, input } => {
            chunks.push(chunk(call(name, input), Value::Null));
            "tool_calls"
        }
        Turn::TextThenTool { text, name, input } => {
            chunks.push(chunk(
                json!({"role": "assistant", "content": text}),
                Value::Null,
            ));
            chunks.push(chunk(call(name, input), Value::Null));
            "tool_calls"
        }
        Turn::Text(text) | Turn::WritePlan(text) | Turn::Custom { input: text, .. } => {
            chunks.push(chunk(
                json!({"role": "assistant", "content": text}),
                Value::Null,
            ));
            "stop"
        }
    };
    chunks.push(chunk(json!({}), json!(finish)));
    let mut last = chunk(json!({}), Value::Null);
    last["choices"] = json!([]);
    last["usage"] = json!({"prompt_tokens": input, "completion_tokens": output,
                           "total_tokens": input + output});
    chunks.push(last);
    write!(
        conn,
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n\
         transfer-encoding: chunked\r\n\r\n"
    )?;
    for c in chunks
        .iter()
        .map(|c| format!("data: {c}\n\n"))
        .chain(["data: [DONE]\n\n".to_string()])
    {
        write!(conn, "{:x}\r\n{c}\r\n", c.len())?;
    }
    write!(conn, "0\r\n\r\n")?;
    conn.flush()
}

/// Tool results in a chat completions request: its `tool` messages.
pub(super) fn tool_results(body: &Value) -> usize {
    body["messages"]
        .as_array()
        .map_or(0, |m| m.iter().filter(|m| m["role"] == "tool").count())
}
