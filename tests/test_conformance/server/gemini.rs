//! The Gemini API as Gemini CLI (0.61) calls it: `POST /v1beta/models/<model>:generateContent`
//! for the CLI's side requests (the model router's classifier, which asks for JSON matching a
//! response schema) and `…:streamGenerateContent?alt=sse` for the conversation, answered as
//! server-sent events whose `data:` lines are whole `GenerateContentResponse` objects.

use super::{State, Turn, next_turn, usage_of};
use serde_json::{Value, json};
use std::io::Write;
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

/// Whether `path` is a Gemini API call this module answers.
pub(super) fn is_gemini(path: &str) -> bool {
    path.contains(":generateContent") || path.contains(":streamGenerateContent")
}

/// Answer one Gemini API request.
pub(super) fn respond(
    conn: &mut TcpStream,
    path: &str,
    body: &Value,
    state: &Arc<Mutex<State>>,
) -> std::io::Result<()> {
    let model = path
        .split("/models/")
        .nth(1)
        .and_then(|m| m.split(':').next())
        .unwrap_or("gemini-2.5-pro")
        .to_string();
    if path.contains(":generateContent") {
        // The router's classifiers (both shapes the CLI has): a simple task, the flash model.
        let verdict = json!({
            "reasoning": "A small, well-defined edit.", "model_choice": "flash",
            "complexity_reasoning": "A small, well-defined edit.", "complexity_score": 10,
        });
        let resp = response(&model, vec![json!({"text": verdict.to_string()})], (20, 5));
        let text = resp.to_string();
        write!(
            conn,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{text}",
            text.len()
        )?;
        return conn.flush();
    }
    let (turn, n) = next_turn(body, state);
    let parts = match turn {
        Turn::Tool { name, input } => vec![json!({"functionCall": {"name": name, "args": input}})],
        Turn::TextThenTool { text, name, input } => vec![
            json!({"text": text}),
            json!({"functionCall": {"name": name, "args": input}}),
        ],
        Turn::Text(text) | Turn::WritePlan(text) | Turn::Custom { input: text, .. } => {
            vec![json!({"text": text})]
        }
    };
    let data = response(&model, parts, usage_of(n));
    write!(
        conn,
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n\
         transfer-encoding: chunked\r\n\r\n"
    )?;
    let chunk = format!("data: {data}\r\n\r\n");
    write!(conn, "{:x}\r\n{chunk}\r\n0\r\n\r\n", chunk.len())?;
    conn.flush()
}

fn response(model: &str, parts: Vec<Value>, (input, output): (u64, u64)) -> Value {
    json!({
        "candidates": [{"content": {"role": "model", "parts": parts},
                        "finishReason": "STOP", "index": 0}],
        "usageMetadata": {"promptTokenCount": input, "candidatesTokenCount": output,
                          "totalTokenCount": input + output},
        "modelVersion": model,
    })
}

/// Tool results in a Gemini request: `functionResponse` parts of its contents.
pub(super) fn tool_results(body: &Value) -> usize {
    body["contents"].as_array().map_or(0, |contents| {
        contents
            .iter()
            .filter_map(|c| c["parts"].as_array())
            .flatten()
            .filter(|p| p.get("functionResponse").is_some())
            .count()
    })
}
