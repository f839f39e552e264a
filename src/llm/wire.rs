//! The three wire formats: building each provider's request and reading its response and error
//! bodies. Pure functions, no I/O, so the formats can be checked without a server.

use super::{Detail, LlmConfig, Provider};
use serde::Deserialize;
use serde_json::{Value, json};

/// A request ready to send.
#[derive(Debug, Clone)]
pub(super) struct Request {
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// Which field carries the output limit in the OpenAI format: `max_tokens` is what every
/// compatible server reads, but OpenAI's newer models reject it for `max_completion_tokens`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokenField {
    MaxTokens,
    MaxCompletionTokens,
}

/// The useful part of a successful response.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Parsed {
    pub text: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub truncated: bool,
}

pub(super) fn build(
    cfg: &LlmConfig,
    key: Option<&str>,
    system: &str,
    user: &str,
    token_field: TokenField,
) -> Request {
    let base = cfg.base_url();
    let mut headers = vec![("content-type", "application/json".to_string())];
    let (url, body) = match cfg.provider {
        Provider::Anthropic => {
            if let Some(k) = key {
                headers.push(("x-api-key", k.to_string()));
            }
            headers.push(("anthropic-version", "2023-06-01".to_string()));
            let mut body = json!({
                "model": cfg.model,
                "max_tokens": cfg.max_tokens,
                "messages": [{"role": "user", "content": user}],
            });
            // The API rejects an empty system string; leaving the field out is the same prompt.
            if !system.is_empty() {
                body["system"] = json!(system);
            }
            (format!("{base}/v1/messages"), body)
        }
        Provider::Openai => {
            push_bearer(&mut headers, key);
            let field = match token_field {
                TokenField::MaxTokens => "max_tokens",
                TokenField::MaxCompletionTokens => "max_completion_tokens",
            };
            let mut body = json!({
                "model": cfg.model,
                "messages": chat_messages(system, user),
            });
            body[field] = json!(cfg.max_tokens);
            (format!("{base}/chat/completions"), body)
        }
        Provider::Ollama => {
            // Ollama has no auth of its own; a key here is for a reverse proxy in front of it.
            push_bearer(&mut headers, key);
            let body = json!({
                "model": cfg.model,
                "stream": false,
                "messages": chat_messages(system, user),
                "options": {"num_predict": cfg.max_tokens},
            });
            (format!("{base}/api/chat"), body)
        }
    };
    Request {
        url,
        headers,
        body: body.to_string().into_bytes(),
    }
}

fn push_bearer(headers: &mut Vec<(&'static str, String)>, key: Option<&str>) {
    if let Some(k) = key {
        headers.push(("authorization", format!("Bearer {k}")));
    }
}

fn chat_messages(system: &str, user: &str) -> Value {
    let mut messages = Vec::with_capacity(2);
    if !system.is_empty() {
        messages.push(json!({"role": "system", "content": system}));
    }
    messages.push(json!({"role": "user", "content": user}));
    Value::Array(messages)
}

/// Reads a 2xx body; the error is the reason, for [`super::LlmError::Malformed`].
pub(super) fn parse(provider: Provider, body: &str) -> Result<Parsed, String> {
    let parsed = match provider {
        Provider::Anthropic => parse_anthropic(body),
        Provider::Openai => parse_openai(body),
        Provider::Ollama => parse_ollama(body),
    }?;
    if parsed.text.trim().is_empty() {
        return Err(if parsed.truncated {
            "no text before max_tokens was reached".into()
        } else {
            "the response holds no text".into()
        });
    }
    Ok(parsed)
}

fn from_json<'a, T: Deserialize<'a>>(body: &'a str) -> Result<T, String> {
    serde_json::from_str(body).map_err(|e| {
        if body.trim().is_empty() {
            "empty body".to_string()
        } else {
            format!("{e} (body is {} bytes)", body.len())
        }
    })
}

fn parse_anthropic(body: &str) -> Result<Parsed, String> {
    #[derive(Deserialize)]
    struct Message {
        content: Vec<Block>,
        #[serde(default)]
        stop_reason: Option<String>,
        #[serde(default)]
        usage: Usage,
    }
    #[derive(Deserialize)]
    struct Block {
        #[serde(rename = "type")]
        kind: String,
        #[serde(default)]
        text: Option<String>,
    }
    #[derive(Deserialize, Default)]
    struct Usage {
        #[serde(default)]
        input_tokens: u64,
        #[serde(default)]
        output_tokens: u64,
    }
    let m: Message = from_json(body)?;
    // Thinking and tool-use blocks are not part of the answer.
    let text = m
        .content
        .into_iter()
        .filter(|b| b.kind == "text")
        .filter_map(|b| b.text)
        .collect::<String>();
    Ok(Parsed {
        text,
        input_tokens: m.usage.input_tokens,
        output_tokens: m.usage.output_tokens,
        truncated: m.stop_reason.as_deref() == Some("max_tokens"),
    })
}

fn parse_openai(body: &str) -> Result<Parsed, String> {
    #[derive(Deserialize)]
    struct Response {
        choices: Vec<Choice>,
        #[serde(default)]
        usage: Option<Usage>,
    }
    #[derive(Deserialize)]
    struct Choice {
        message: Message,
        #[serde(default)]
        finish_reason: Option<String>,
    }
    #[derive(Deserialize)]
    struct Message {
        #[serde(default)]
        content: Option<String>,
        #[serde(default)]
        refusal: Option<String>,
    }
    #[derive(Deserialize)]
    struct Usage {
        #[serde(default)]
        prompt_tokens: u64,
        #[serde(default)]
        completion_tokens: u64,
    }
    let r: Response = from_json(body)?;
    let usage = r.usage.unwrap_or(Usage {
        prompt_tokens: 0,
        completion_tokens: 0,
    });
    let choice = r
        .choices
        .into_iter()
        .next()
        .ok_or_else(|| "no choices in the response".to_string())?;
    if let Some(refusal) = choice.message.refusal.filter(|r| !r.trim().is_empty()) {
        return Err(format!("the model refused: {}", one_line(&refusal)));
    }
    Ok(Parsed {
        text: choice.message.content.unwrap_or_default(),
        input_tokens: usage.prompt_tokens,
        output_tokens: usage.completion_tokens,
        truncated: choice.finish_reason.as_deref() == Some("length"),
    })
}

fn parse_ollama(body: &str) -> Result<Parsed, String> {
    #[derive(Deserialize)]
    struct Response {
        message: Message,
        #[serde(default)]
        done_reason: Option<String>,
        // Absent when the whole prompt came from Ollama's cache.
        #[serde(default)]
        prompt_eval_count: u64,
        #[serde(default)]
        eval_count: u64,
    }
    #[derive(Deserialize)]
    struct Message {
        content: String,
    }
    let r: Response = from_json(body)?;
    Ok(Parsed {
        text: r.message.content,
        input_tokens: r.prompt_eval_count,
        output_tokens: r.eval_count,
        truncated: r.done_reason.as_deref() == Some("length"),
    })
}

/// The provider's own message from an error body: `{error:{message}}` (Anthropic, OpenAI),
/// `{error:"..."}` (Ollama), `{message}` (some gateways), else the start of the raw text.
pub(super) fn error_detail(body: &str) -> Detail {
    let from_json = serde_json::from_str::<Value>(body).ok().and_then(|v| {
        let msg = match &v["error"] {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.get("message").and_then(Value::as_str).map(String::from),
            _ => None,
        };
        msg.or_else(|| v["message"].as_str().map(String::from))
    });
    let raw = from_json.unwrap_or_else(|| body.to_string());
    let line = one_line(&raw);
    Detail((!line.is_empty()).then_some(line))
}

/// Whether a 400 says the model wants `max_completion_tokens` (OpenAI's reasoning models).
pub(super) fn wants_max_completion_tokens(body: &str) -> bool {
    error_detail(body)
        .0
        .is_some_and(|m| m.contains("max_completion_tokens"))
}

/// Collapses whitespace and cuts a provider message to a length that fits one terminal line.
fn one_line(s: &str) -> String {
    const MAX: usize = 300;
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= MAX {
        return collapsed;
    }
    let mut cut: String = collapsed.chars().take(MAX).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(r: &Request) -> Value {
        serde_json::from_slice(&r.body).unwrap()
    }

    #[test]
    fn empty_system_prompt_is_left_out() {
        let cfg = LlmConfig::new(Provider::Anthropic, "m");
        let r = build(&cfg, Some("k"), "", "hi", TokenField::MaxTokens);
        assert!(body(&r).get("system").is_none());
        let cfg = LlmConfig::new(Provider::Openai, "m");
        let r = build(&cfg, None, "", "hi", TokenField::MaxTokens);
        assert_eq!(
            body(&r)["messages"],
            json!([{"role": "user", "content": "hi"}])
        );
    }

    #[test]
    fn openai_token_field_switch() {
        let cfg = LlmConfig::new(Provider::Openai, "m");
        let r = build(&cfg, None, "s", "u", TokenField::MaxCompletionTokens);
        let b = body(&r);
        assert_eq!(b["max_completion_tokens"], json!(4096));
        assert!(b.get("max_tokens").is_none());
    }

    #[test]
    fn error_detail_reads_each_shape() {
        let anthropic =
            r#"{"type":"error","error":{"type":"not_found_error","message":"model: x"}}"#;
        assert_eq!(error_detail(anthropic).0.as_deref(), Some("model: x"));
        let ollama = r#"{"error":"model \"x\" not found, try pulling it first"}"#;
        assert_eq!(
            error_detail(ollama).0.as_deref(),
            Some("model \"x\" not found, try pulling it first")
        );
        assert_eq!(
            error_detail("<html>\n  Bad   Gateway\n</html>")
                .0
                .as_deref(),
            Some("<html> Bad Gateway </html>")
        );
        assert_eq!(error_detail("").0, None);
        let long = "x".repeat(1000);
        let d = error_detail(&long).0.unwrap();
        assert_eq!(d.chars().count(), 301);
        assert!(d.ends_with('…'));
    }

    #[test]
    fn openai_null_content_and_refusal() {
        let refused = r#"{"choices":[{"message":{"content":null,"refusal":"I can't"},"finish_reason":"stop"}]}"#;
        assert_eq!(
            parse(Provider::Openai, refused).unwrap_err(),
            "the model refused: I can't"
        );
        let empty = r#"{"choices":[{"message":{"content":null},"finish_reason":"length"}]}"#;
        assert_eq!(
            parse(Provider::Openai, empty).unwrap_err(),
            "no text before max_tokens was reached"
        );
        assert_eq!(
            parse(Provider::Openai, r#"{"choices":[]}"#).unwrap_err(),
            "no choices in the response"
        );
    }

    #[test]
    fn truncation_is_reported_per_format() {
        let a = r#"{"content":[{"type":"text","text":"a"}],"stop_reason":"max_tokens","usage":{"input_tokens":1,"output_tokens":2}}"#;
        assert!(parse(Provider::Anthropic, a).unwrap().truncated);
        let o =
            r#"{"message":{"role":"assistant","content":"a"},"done":true,"done_reason":"length"}"#;
        let p = parse(Provider::Ollama, o).unwrap();
        assert!(p.truncated);
        // Ollama omits prompt_eval_count when the prompt was cached.
        assert_eq!((p.input_tokens, p.output_tokens), (0, 0));
    }
}
