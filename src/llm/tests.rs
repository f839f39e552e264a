//! End-to-end tests of the client against a real HTTP/1.1 server on 127.0.0.1 that speaks each
//! provider's format, plus the configuration and key rules.
//!
//! The server is [`crate::testkit::http::Server`]: a fixed list of replies, one connection
//! each; accepts and reads are time-limited so a client bug fails the test instead of hanging.

use super::*;
use crate::testkit::http::{Reply, Server};
use serde_json::json;
use std::net::TcpListener;
use std::time::Instant;

/// A config pointing at `base` with fast retries, for tests.
fn cfg(provider: Provider, base: &str) -> LlmConfig {
    let mut c = LlmConfig::new(provider, "test-model");
    c.base_url = Some(base.to_string());
    c.timeout_secs = 5;
    c.connect_timeout_secs = 2;
    c.retry = RetryPolicy {
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(40),
        retry_after_cap: Duration::from_secs(5),
    };
    c
}

fn anthropic_ok(text: &str) -> Reply {
    Reply::json(
        200,
        json!({
            "id": "msg_01", "type": "message", "role": "assistant", "model": "test-model",
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn", "stop_sequence": null,
            "usage": {"input_tokens": 12, "output_tokens": 3}
        }),
    )
}

fn openai_error(status: u16, message: &str) -> Reply {
    Reply::json(
        status,
        json!({"error": {"message": message, "type": "server_error", "code": null}}),
    )
}

fn anthropic_error(status: u16, kind: &str, message: &str) -> Reply {
    Reply::json(
        status,
        json!({"type": "error", "error": {"type": kind, "message": message}}),
    )
}

#[test]
fn anthropic_request_and_response() {
    let server = Server::start(vec![Reply::json(
        200,
        json!({
            "id": "msg_01", "type": "message", "role": "assistant", "model": "test-model",
            "content": [
                {"type": "thinking", "thinking": "hmm", "signature": "x"},
                {"type": "text", "text": "Hello, "},
                {"type": "text", "text": "world."}
            ],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 1000, "output_tokens": 500}
        }),
    )]);
    let mut c = cfg(Provider::Anthropic, &server.base);
    c.max_tokens = 777;
    c.price_input_per_mtok = Some(3.0);
    c.price_output_per_mtok = Some(15.0);
    let out = complete(&c, Some("sk-ant-test"), "Be brief.", "Summarise this.").unwrap();
    let seen = server.requests();

    assert_eq!(seen.len(), 1);
    let r = &seen[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v1/messages")
    );
    assert_eq!(r.header("x-api-key"), Some("sk-ant-test"));
    assert_eq!(r.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.header("authorization"),
        None,
        "the key goes in x-api-key only"
    );
    // The system prompt is a top-level field, not a message.
    assert_eq!(
        r.body,
        json!({
            "model": "test-model",
            "max_tokens": 777,
            "system": "Be brief.",
            "messages": [{"role": "user", "content": "Summarise this."}]
        })
    );

    assert_eq!(out.text, "Hello, world.", "only text blocks, joined");
    assert_eq!((out.input_tokens, out.output_tokens), (1000, 500));
    // 1000 * $3/M + 500 * $15/M = 0.003 + 0.0075
    let cost = out.cost_usd.unwrap();
    assert!((cost - 0.0105).abs() < 1e-12, "cost {cost}");
    assert_eq!(out.attempts, 1);
    assert!(!out.truncated);
}

#[test]
fn openai_request_and_response() {
    let server = Server::start(vec![Reply::json(
        200,
        json!({
            "id": "chatcmpl-1", "object": "chat.completion", "model": "test-model",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Done."},
                         "finish_reason": "length"}],
            "usage": {"prompt_tokens": 40, "completion_tokens": 7, "total_tokens": 47}
        }),
    )]);
    let base = format!("{}/v1/", server.base); // a trailing slash must not double up
    let mut c = cfg(Provider::Openai, &base);
    c.api_key_env = Some("DEEPSEEK_API_KEY".into());
    c.max_tokens = 99;
    let out = complete(&c, Some("sk-test"), "sys", "usr").unwrap();
    let seen = server.requests();

    assert_eq!(seen.len(), 1);
    let r = &seen[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v1/chat/completions")
    );
    assert_eq!(r.header("authorization"), Some("Bearer sk-test"));
    assert_eq!(r.header("x-api-key"), None);
    assert_eq!(
        r.body,
        json!({
            "model": "test-model",
            "max_tokens": 99,
            "messages": [
                {"role": "system", "content": "sys"},
                {"role": "user", "content": "usr"}
            ]
        })
    );
    assert_eq!(out.text, "Done.");
    assert_eq!((out.input_tokens, out.output_tokens), (40, 7));
    assert_eq!(out.cost_usd, None, "no prices configured");
    assert!(out.truncated, "finish_reason length means cut short");
}

#[test]
fn openai_local_server_gets_no_authorization_header() {
    let server = Server::start(vec![Reply::json(
        200,
        json!({"choices": [{"message": {"role": "assistant", "content": "ok"}}]}),
    )]);
    let c = cfg(Provider::Openai, &server.base);
    let key = resolve_key(&c, |_| Some("sk-real-openai-key".into())).unwrap();
    assert_eq!(key, None, "a custom base_url never gets $OPENAI_API_KEY");
    let out = complete(&c, key.as_deref(), "s", "u").unwrap();
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].header("authorization"), None);
    assert_eq!(out.text, "ok");
    // A server that reports no usage yields zero counts, not an error.
    assert_eq!((out.input_tokens, out.output_tokens), (0, 0));
}

#[test]
fn openai_switches_to_max_completion_tokens_when_asked() {
    let server = Server::start(vec![
        Reply::json(
            400,
            json!({"error": {
                "message": "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
                "type": "invalid_request_error", "param": "max_tokens", "code": "unsupported_parameter"}}),
        ),
        Reply::json(
            200,
            json!({"choices": [{"message": {"role": "assistant", "content": "ok"}}]}),
        ),
    ]);
    let mut c = cfg(Provider::Openai, &server.base);
    c.max_retries = 0; // the switch is not a retry
    let out = complete(&c, None, "s", "u").unwrap();
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].body["max_tokens"], json!(4096));
    assert_eq!(seen[1].body["max_completion_tokens"], json!(4096));
    assert!(seen[1].body.get("max_tokens").is_none());
    assert_eq!(out.attempts, 2);
}

#[test]
fn ollama_request_and_response() {
    let server = Server::start(vec![Reply::json(
        200,
        json!({
            "model": "test-model", "created_at": "2025-01-01T00:00:00Z",
            "message": {"role": "assistant", "content": "Brief."},
            "done": true, "done_reason": "stop",
            "prompt_eval_count": 321, "eval_count": 54
        }),
    )]);
    let mut c = cfg(Provider::Ollama, &server.base);
    c.max_tokens = 512;
    c.price_input_per_mtok = Some(0.0);
    c.price_output_per_mtok = Some(0.0);
    let key = resolve_key(&c, |_| panic!("ollama reads no variable by default")).unwrap();
    let out = complete(&c, key.as_deref(), "sys", "usr").unwrap();
    let seen = server.requests();

    assert_eq!(seen.len(), 1);
    let r = &seen[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/api/chat"));
    assert_eq!(r.header("authorization"), None);
    assert_eq!(
        r.body,
        json!({
            "model": "test-model",
            "stream": false,
            "messages": [
                {"role": "system", "content": "sys"},
                {"role": "user", "content": "usr"}
            ],
            "options": {"num_predict": 512}
        })
    );
    assert_eq!(out.text, "Brief.");
    assert_eq!((out.input_tokens, out.output_tokens), (321, 54));
    assert_eq!(out.cost_usd, Some(0.0));
}

#[test]
fn rate_limit_honours_retry_after() {
    let server = Server::start(vec![
        Reply::Json {
            status: 429,
            headers: vec![("retry-after", "1")],
            body: json!({"type": "error", "error": {"type": "rate_limit_error",
                         "message": "slow down"}})
            .to_string(),
        },
        anthropic_ok("after the wait"),
    ]);
    let c = cfg(Provider::Anthropic, &server.base);
    let out = complete(&c, Some("k"), "s", "u").unwrap();
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    let gap = seen[1].at - seen[0].at;
    assert!(gap >= Duration::from_millis(950), "waited only {gap:?}");
    // The backoff in this config is at most 40 ms, so a ~1 s gap can only be Retry-After.
    assert!(gap < Duration::from_secs(3), "waited {gap:?}");
    assert_eq!(out.text, "after the wait");
    assert_eq!(out.attempts, 2);
}

#[test]
fn retry_after_is_capped() {
    let server = Server::start(vec![
        Reply::Json {
            status: 429,
            headers: vec![("retry-after", "3600")],
            body: String::new(),
        },
        anthropic_ok("ok"),
    ]);
    let mut c = cfg(Provider::Anthropic, &server.base);
    c.retry.retry_after_cap = Duration::from_millis(50);
    let started = Instant::now();
    let out = complete(&c, Some("k"), "s", "u").unwrap();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(server.requests().len(), 2);
    assert_eq!(out.attempts, 2);
}

#[test]
fn rate_limit_that_never_lifts_gives_up() {
    let server = Server::start(vec![
        anthropic_error(429, "rate_limit_error", "too many tokens"),
        anthropic_error(429, "rate_limit_error", "too many tokens"),
    ]);
    let mut c = cfg(Provider::Anthropic, &server.base);
    c.max_retries = 1;
    let err = complete(&c, Some("k"), "s", "u").unwrap_err();
    assert_eq!(server.requests().len(), 2);
    assert_eq!(
        err.to_string(),
        "rate limited (HTTP 429): too many tokens; gave up after 2 attempts"
    );
}

#[test]
fn server_error_then_success_is_retried() {
    let server = Server::start(vec![
        openai_error(500, "The server had an error"),
        Reply::json(
            200,
            json!({"choices": [{"message": {"role": "assistant", "content": "second time"}}]}),
        ),
    ]);
    let c = cfg(Provider::Openai, &server.base);
    let out = complete(&c, None, "s", "u").unwrap();
    assert_eq!(server.requests().len(), 2);
    assert_eq!(out.text, "second time");
    assert_eq!(out.attempts, 2);
}

#[test]
fn dropped_connection_is_retried() {
    let server = Server::start(vec![Reply::Close, anthropic_ok("second time")]);
    let c = cfg(Provider::Anthropic, &server.base);
    let out = complete(&c, Some("k"), "s", "u").unwrap();
    assert_eq!(server.requests().len(), 2);
    assert_eq!(out.text, "second time");
    assert_eq!(out.attempts, 2);
}

#[test]
fn dropped_connection_forever_gives_up() {
    let server = Server::start(vec![Reply::Close, Reply::Close]);
    let mut c = cfg(Provider::Anthropic, &server.base);
    c.max_retries = 1;
    let err = complete(&c, Some("k"), "s", "u").unwrap_err();
    assert_eq!(server.requests().len(), 2);
    assert!(
        matches!(
            err,
            LlmError::Transport {
                attempts: Attempts(2),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().starts_with(&format!(
        "connection to {}/v1/messages failed: ",
        c.base_url()
    )));
}

#[test]
fn server_error_forever_gives_up_after_max_retries() {
    let server = Server::start((0..3).map(|_| openai_error(500, "boom")).collect());
    let mut c = cfg(Provider::Openai, &server.base);
    c.max_retries = 2;
    let err = complete(&c, None, "s", "u").unwrap_err();
    let seen = server.requests();
    assert_eq!(seen.len(), 3, "one request plus max_retries retries");
    assert!(matches!(
        err,
        LlmError::Server {
            status: 500,
            attempts: Attempts(3),
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "server error (HTTP 500): boom; gave up after 3 attempts"
    );
}

#[test]
fn unauthorized_fails_at_once_naming_the_variable() {
    // One reply only: a retry would find nothing listening and end in a different error.
    let server = Server::start(vec![anthropic_error(
        401,
        "authentication_error",
        "invalid x-api-key",
    )]);
    let c = cfg(Provider::Anthropic, &server.base);
    let key = resolve_key(&c, |v| (v == "ANTHROPIC_API_KEY").then(|| "bad".into())).unwrap();
    let err = complete(&c, key.as_deref(), "s", "u").unwrap_err();
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].header("x-api-key"), Some("bad"));
    assert_eq!(
        err.to_string(),
        "authentication failed (HTTP 401): invalid x-api-key — check $ANTHROPIC_API_KEY"
    );
    let top: crate::Error = err.into();
    assert_eq!(top.exit_code(), 2);
    assert!(top.to_string().starts_with("llm: authentication failed"));
}

#[test]
fn not_found_fails_at_once_with_the_provider_message() {
    let server = Server::start(vec![Reply::json(
        404,
        json!({"error": "model \"llama9\" not found, try pulling it first"}),
    )]);
    let mut c = cfg(Provider::Ollama, &server.base);
    c.max_retries = 3;
    let err = complete(&c, None, "s", "u").unwrap_err();
    assert_eq!(server.requests().len(), 1);
    assert_eq!(
        err.to_string(),
        "model or endpoint not found (HTTP 404): model \"llama9\" not found, \
         try pulling it first — check model and base_url"
    );
}

#[test]
fn bad_request_is_not_retried() {
    let server = Server::start(vec![anthropic_error(
        400,
        "invalid_request_error",
        "max_tokens: 999999 > 64000, which is the maximum allowed",
    )]);
    let c = cfg(Provider::Anthropic, &server.base);
    let err = complete(&c, Some("k"), "s", "u").unwrap_err();
    assert_eq!(server.requests().len(), 1);
    assert_eq!(
        err.to_string(),
        "request rejected (HTTP 400): max_tokens: 999999 > 64000, which is the maximum allowed"
    );
}

#[test]
fn silent_server_hits_the_overall_timeout() {
    let server = Server::start(vec![Reply::Hang, Reply::Hang]);
    let mut c = cfg(Provider::Anthropic, &server.base);
    c.timeout_secs = 1;
    c.max_retries = 1;
    let started = Instant::now();
    let err = complete(&c, Some("k"), "s", "u").unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(server.requests().len(), 2, "a timeout is retried");
    assert!(elapsed >= Duration::from_millis(1900), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert!(matches!(
        err,
        LlmError::Timeout {
            attempts: Attempts(2),
            ..
        }
    ));
    assert!(
        err.to_string()
            .contains("no complete response within 1 s (timeout_secs); gave up after 2 attempts"),
        "{err}"
    );
}

#[test]
fn malformed_success_body_names_the_provider() {
    let server = Server::start(vec![
        Reply::Json {
            status: 200,
            headers: vec![],
            body: "<html>not json</html>".into(),
        },
        Reply::json(200, json!({"choices": "wrong shape"})),
    ]);
    let c = cfg(Provider::Ollama, &server.base);
    let err = complete(&c, None, "s", "u").unwrap_err();
    assert!(matches!(
        err,
        LlmError::Malformed {
            provider: Provider::Ollama,
            status: 200,
            ..
        }
    ));
    assert!(
        err.to_string()
            .starts_with("malformed response from ollama (HTTP 200): expected value"),
        "{err}"
    );
    let c = cfg(Provider::Openai, &server.base);
    let err = complete(&c, None, "s", "u").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("malformed response from openai (HTTP 200): invalid type"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 2, "one request each, no retries");
}

#[test]
fn nothing_listening_fails_at_once() {
    // Bind then drop: the port is free and nothing accepts on it.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = cfg(Provider::Ollama, &format!("http://127.0.0.1:{port}"));
    let started = Instant::now();
    let err = complete(&c, None, "s", "u").unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(matches!(err, LlmError::Connect { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "cannot connect to http://127.0.0.1:{port}/api/chat: connection refused \
             — is the server running and base_url right?"
        )
    );
}

// ---- keys and configuration (no server) ----

#[test]
fn key_resolution_per_provider() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |v: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == v)
                .map(|(_, val)| val.to_string())
        }
    };

    let anthropic = LlmConfig::new(Provider::Anthropic, "m");
    assert_eq!(
        resolve_key(&anthropic, env(&[("ANTHROPIC_API_KEY", " sk-ant \n")])).unwrap(),
        Some("sk-ant".into()),
        "surrounding whitespace from a shell export is dropped"
    );
    let missing = resolve_key(&anthropic, env(&[])).unwrap_err();
    assert_eq!(
        missing.to_string(),
        "no API key for anthropic: set $ANTHROPIC_API_KEY (or name another variable in api_key_env)"
    );
    assert!(matches!(
        resolve_key(&anthropic, env(&[("ANTHROPIC_API_KEY", "")])),
        Err(LlmError::MissingKey { .. })
    ));
    assert_eq!(
        resolve_key(&anthropic, env(&[("ANTHROPIC_API_KEY", "sk ant")])).unwrap_err(),
        LlmError::BadKey {
            var: "ANTHROPIC_API_KEY".into()
        }
    );

    let openai = LlmConfig::new(Provider::Openai, "m");
    assert_eq!(
        resolve_key(&openai, env(&[("OPENAI_API_KEY", "sk-o")])).unwrap(),
        Some("sk-o".into())
    );
    assert!(matches!(
        resolve_key(&openai, env(&[])),
        Err(LlmError::MissingKey { var, .. }) if var == "OPENAI_API_KEY"
    ));

    let mut groq = LlmConfig::new(Provider::Openai, "m");
    groq.base_url = Some("https://api.groq.com/openai/v1".into());
    assert_eq!(
        resolve_key(&groq, env(&[("OPENAI_API_KEY", "sk-o")])).unwrap(),
        None
    );
    groq.api_key_env = Some("GROQ_API_KEY".into());
    assert_eq!(
        resolve_key(&groq, env(&[("GROQ_API_KEY", "gsk")])).unwrap(),
        Some("gsk".into())
    );
    assert!(matches!(
        resolve_key(&groq, env(&[("OPENAI_API_KEY", "sk-o")])),
        Err(LlmError::MissingKey { var, .. }) if var == "GROQ_API_KEY"
    ));

    let mut ollama = LlmConfig::new(Provider::Ollama, "m");
    assert_eq!(resolve_key(&ollama, env(&[])).unwrap(), None);
    ollama.api_key_env = Some("PROXY_TOKEN".into());
    assert!(resolve_key(&ollama, env(&[])).is_err());
}

#[test]
fn auth_hint_without_a_key_variable() {
    let c = cfg(Provider::Openai, "http://127.0.0.1:1");
    assert_eq!(
        auth_hint(&c, None),
        "no API key was sent; set api_key_env to the variable that holds one"
    );
}

#[test]
fn yaml_config_uses_documented_keys_and_defaults() {
    let c: LlmConfig = serde_saphyr::from_str("provider: anthropic\nmodel: claude-x\n").unwrap();
    assert_eq!(c, LlmConfig::new(Provider::Anthropic, "claude-x"));
    assert_eq!(
        (
            c.max_tokens,
            c.timeout_secs,
            c.connect_timeout_secs,
            c.max_retries
        ),
        (4096, 120, 10, 3)
    );
    assert_eq!(c.base_url(), "https://api.anthropic.com");
    assert_eq!(c.key_env(), Some("ANTHROPIC_API_KEY"));

    let full = "provider: openai\nmodel: deepseek-chat\nbase_url: https://api.deepseek.com/v1\n\
                api_key_env: DEEPSEEK_API_KEY\nmax_tokens: 2000\ntimeout_secs: 60\n\
                connect_timeout_secs: 5\nmax_retries: 1\nprice_input_per_mtok: 0.27\n\
                price_output_per_mtok: 1.1\n";
    let c: LlmConfig = serde_saphyr::from_str(full).unwrap();
    assert_eq!(c.provider, Provider::Openai);
    assert_eq!(c.base_url(), "https://api.deepseek.com/v1");
    assert_eq!(c.key_env(), Some("DEEPSEEK_API_KEY"));
    assert_eq!((c.max_tokens, c.max_retries), (2000, 1));
    assert!(c.validate().is_ok());

    assert!(
        serde_saphyr::from_str::<LlmConfig>("provider: anthropic\nmodel: m\nmax_token: 5\n")
            .is_err(),
        "a misspelt key is rejected, not ignored"
    );
    assert!(serde_saphyr::from_str::<LlmConfig>("provider: gemini\nmodel: m\n").is_err());
    assert!(
        serde_saphyr::from_str::<LlmConfig>("provider: ollama\nmodel: m\nretry: {}\n").is_err(),
        "the retry policy is not a YAML key"
    );
}

#[test]
fn validation_catches_values_that_cannot_work() {
    let ok = LlmConfig::new(Provider::Ollama, "m");
    assert!(ok.validate().is_ok());
    let check = |f: &dyn Fn(&mut LlmConfig), expect: &str| {
        let mut c = ok.clone();
        f(&mut c);
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains(expect), "{e}");
    };
    check(&|c| c.model = " ".into(), "model is empty");
    check(&|c| c.max_tokens = 0, "max_tokens");
    check(&|c| c.timeout_secs = 0, "timeout_secs");
    check(&|c| c.connect_timeout_secs = 0, "connect_timeout_secs");
    check(&|c| c.price_input_per_mtok = Some(1.0), "set both");
    check(
        &|c| {
            c.price_input_per_mtok = Some(-1.0);
            c.price_output_per_mtok = Some(1.0);
        },
        "non-negative",
    );
    check(
        &|c| c.base_url = Some("api.example.com".into()),
        "not an http",
    );
    check(
        &|c| c.base_url = Some("ftp://example.com".into()),
        "not an http",
    );
    // A config error is reported before anything is sent.
    let mut bad = ok.clone();
    bad.max_tokens = 0;
    assert!(matches!(
        complete(&bad, None, "s", "u"),
        Err(LlmError::Config(_))
    ));
}

#[test]
fn loopback_detection_bypasses_proxies_only_locally() {
    let with = |url: &str| {
        let mut c = LlmConfig::new(Provider::Openai, "m");
        c.base_url = Some(url.into());
        c.is_loopback()
    };
    assert!(with("http://127.0.0.1:11434"));
    assert!(with("http://localhost:1234/v1"));
    assert!(with("http://[::1]:8000/v1"));
    assert!(!with("https://api.openai.com/v1"));
    assert!(!with("http://10.0.0.5:8000/v1"));
}

#[test]
fn cost_is_per_million_tokens() {
    let mut c = LlmConfig::new(Provider::Anthropic, "m");
    assert_eq!(c.cost_usd(10, 10), None);
    c.price_input_per_mtok = Some(2.0);
    c.price_output_per_mtok = Some(10.0);
    assert_eq!(c.cost_usd(1_000_000, 0), Some(2.0));
    assert_eq!(c.cost_usd(0, 250_000), Some(2.5));
}
