//! The optional LLM pass of `git drift handoff --llm`: a small synchronous client that sends one
//! system + user prompt to a provider and returns the text, the token counts and the cost.
//!
//! Nothing here runs unless the user asked for it: the handoff renderer is deterministic and
//! complete without a model, and this module is only called when `--llm` is given with a
//! `handoff.llm` section in `.prompts/config.yaml` (deserialised into [`LlmConfig`]).
//!
//! Three wire formats cover the providers people use:
//! - [`Provider::Anthropic`]: the Anthropic Messages API (`POST {base_url}/v1/messages`).
//! - [`Provider::Openai`]: OpenAI-compatible chat completions (`POST {base_url}/chat/completions`),
//!   which OpenAI, DeepSeek, Groq, vLLM, LM Studio and many gateways speak.
//! - [`Provider::Ollama`]: Ollama's native chat (`POST {base_url}/api/chat`).
//!
//! Failures are classified once, here, so the caller gets a one-line [`LlmError`] that says what
//! to fix: credentials and unknown models fail at once; rate limits, server errors, dropped
//! connections and timeouts are retried a bounded number of times with capped waits.
//!
//! The API key is never read from the process environment inside this module: the caller
//! resolves it with [`resolve_key`] and a lookup function, which keeps tests hermetic and makes
//! it explicit which variable a key came from.

mod retry;
mod wire;

#[cfg(test)]
mod tests;

pub use retry::RetryPolicy;

use serde::Deserialize;
use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

/// The wire format (and default endpoint) to talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Anthropic Messages API.
    Anthropic,
    /// OpenAI-compatible chat completions (OpenAI, DeepSeek, Groq, vLLM, LM Studio, ...).
    Openai,
    /// Ollama's native chat endpoint.
    Ollama,
}

impl Provider {
    /// The name used in configuration and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Anthropic => "anthropic",
            Provider::Openai => "openai",
            Provider::Ollama => "ollama",
        }
    }

    /// The endpoint used when `base_url` is not configured.
    pub fn default_base_url(self) -> &'static str {
        match self {
            Provider::Anthropic => "https://api.anthropic.com",
            Provider::Openai => "https://api.openai.com/v1",
            Provider::Ollama => "http://127.0.0.1:11434",
        }
    }

    /// The model used when none is configured or given, on the provider's own endpoint: a
    /// capable, inexpensive model each provider has kept available. Another endpoint (a
    /// DeepSeek or LM Studio `base_url`) has no default; its model must be named.
    pub fn default_model(self) -> &'static str {
        match self {
            Provider::Anthropic => "claude-sonnet-4-5",
            Provider::Openai => "gpt-4.1-mini",
            Provider::Ollama => "llama3.1:8b",
        }
    }

    /// The environment variable that holds the key for the provider's own endpoint.
    fn default_key_env(self) -> Option<&'static str> {
        match self {
            Provider::Anthropic => Some("ANTHROPIC_API_KEY"),
            Provider::Openai => Some("OPENAI_API_KEY"),
            Provider::Ollama => None,
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `handoff.llm` section of `.prompts/config.yaml`. Field names are the YAML keys; only
/// `provider` and `model` are required.
///
/// ```yaml
/// handoff:
///   llm:
///     provider: anthropic          # anthropic | openai | ollama
///     model: claude-sonnet-4-5
///     max_tokens: 4096
///     price_input_per_mtok: 3.0
///     price_output_per_mtok: 15.0
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmConfig {
    /// Wire format: `anthropic`, `openai` (any OpenAI-compatible server) or `ollama`.
    pub provider: Provider,

    /// Model name exactly as the provider spells it (e.g. `claude-sonnet-4-5`, `gpt-4.1-mini`,
    /// `deepseek-chat`, `llama3.1:8b`).
    pub model: String,

    /// Endpoint root, without the API path. Defaults: `https://api.anthropic.com`,
    /// `https://api.openai.com/v1`, `http://127.0.0.1:11434`. For an OpenAI-compatible server
    /// include its version prefix, e.g. `https://api.deepseek.com/v1` or
    /// `http://localhost:1234/v1` (LM Studio).
    #[serde(default)]
    pub base_url: Option<String>,

    /// Name of the environment variable that holds the API key (the key itself never goes in
    /// the config file). Defaults: `ANTHROPIC_API_KEY` for `anthropic`; `OPENAI_API_KEY` for
    /// `openai` only while `base_url` is the OpenAI default, so an OpenAI key is never sent to
    /// another host; none for `ollama`. When set, the variable must hold a key.
    #[serde(default)]
    pub api_key_env: Option<String>,

    /// Upper bound on the tokens the model may generate (`num_predict` for Ollama).
    #[serde(default = "default_max_tokens")]
    pub max_tokens: u32,

    /// Overall time limit for one request, connect to last byte of the response, in seconds.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,

    /// Time limit for establishing the connection (DNS, TCP, TLS), in seconds.
    #[serde(default = "default_connect_timeout_secs")]
    pub connect_timeout_secs: u64,

    /// How many times a rate-limited, failed (5xx) or dropped request is retried before giving
    /// up. 0 sends exactly one request.
    #[serde(default = "default_max_retries")]
    pub max_retries: u32,

    /// Price in US dollars per million input tokens, for the cost shown after the call. Set
    /// both prices (or neither).
    #[serde(default)]
    pub price_input_per_mtok: Option<f64>,

    /// Price in US dollars per million output tokens.
    #[serde(default)]
    pub price_output_per_mtok: Option<f64>,

    /// How long to wait between retries. Not configurable from YAML: the defaults are what a
    /// user wants, and tests shrink them.
    #[serde(skip)]
    pub retry: RetryPolicy,
}

fn default_max_tokens() -> u32 {
    4096
}
fn default_timeout_secs() -> u64 {
    120
}
fn default_connect_timeout_secs() -> u64 {
    10
}
fn default_max_retries() -> u32 {
    3
}

impl LlmConfig {
    /// A configuration with every optional field at its default.
    pub fn new(provider: Provider, model: impl Into<String>) -> Self {
        LlmConfig {
            provider,
            model: model.into(),
            base_url: None,
            api_key_env: None,
            max_tokens: default_max_tokens(),
            timeout_secs: default_timeout_secs(),
            connect_timeout_secs: default_connect_timeout_secs(),
            max_retries: default_max_retries(),
            price_input_per_mtok: None,
            price_output_per_mtok: None,
            retry: RetryPolicy::default(),
        }
    }

    /// The endpoint root in use, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.base_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .unwrap_or(self.provider.default_base_url())
            .trim_end_matches('/')
    }

    /// The environment variable the API key is read from, if any (see `api_key_env`).
    pub fn key_env(&self) -> Option<&str> {
        if let Some(var) = self.api_key_env.as_deref().map(str::trim)
            && !var.is_empty()
        {
            return Some(var);
        }
        match self.provider {
            // A custom base_url for the OpenAI format is usually another vendor or a local
            // server: sending it the user's OpenAI key would leak it, so only the OpenAI
            // endpoint itself gets the default variable.
            Provider::Openai if self.base_url() != Provider::Openai.default_base_url() => None,
            p => p.default_key_env(),
        }
    }

    /// Checks the values serde cannot: non-empty model, positive limits, sane prices and URL.
    pub fn validate(&self) -> Result<(), LlmError> {
        let bad = |m: String| Err(LlmError::Config(m));
        if self.model.trim().is_empty() {
            return bad("model is empty".into());
        }
        if self.max_tokens == 0 {
            return bad("max_tokens must be at least 1".into());
        }
        if self.timeout_secs == 0 {
            return bad("timeout_secs must be at least 1".into());
        }
        if self.connect_timeout_secs == 0 {
            return bad("connect_timeout_secs must be at least 1".into());
        }
        for (name, price) in [
            ("price_input_per_mtok", self.price_input_per_mtok),
            ("price_output_per_mtok", self.price_output_per_mtok),
        ] {
            if let Some(p) = price
                && !(p.is_finite() && p >= 0.0)
            {
                return bad(format!("{name} must be a non-negative number, not {p}"));
            }
        }
        if self.price_input_per_mtok.is_some() != self.price_output_per_mtok.is_some() {
            return bad(
                "set both price_input_per_mtok and price_output_per_mtok, or neither".into(),
            );
        }
        let url = self.base_url();
        let parsed: Result<ureq::http::Uri, _> = url.parse();
        match parsed {
            Ok(uri)
                if matches!(uri.scheme_str(), Some("http" | "https")) && uri.host().is_some() => {}
            _ => {
                return bad(format!(
                    "base_url {url:?} is not an http:// or https:// URL"
                ));
            }
        }
        Ok(())
    }

    /// The cost of a call in US dollars, when both prices are configured.
    pub fn cost_usd(&self, input_tokens: u64, output_tokens: u64) -> Option<f64> {
        let (pi, po) = (self.price_input_per_mtok?, self.price_output_per_mtok?);
        Some((input_tokens as f64 * pi + output_tokens as f64 * po) / 1_000_000.0)
    }

    /// Whether the endpoint is on this machine; such requests bypass any `*_PROXY` setting.
    fn is_loopback(&self) -> bool {
        let Ok(uri) = self.base_url().parse::<ureq::http::Uri>() else {
            return false;
        };
        let host = uri.host().unwrap_or_default();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

/// Finds the API key for `cfg` through `lookup` (normally `|v| std::env::var(v).ok()`).
///
/// Returns `Ok(None)` when the configuration uses no key (Ollama, a local OpenAI-compatible
/// server). When a variable is in effect it must hold a key: a missing or empty one is an error
/// naming the variable, so the user learns which one to set instead of getting an HTTP 401.
pub fn resolve_key(
    cfg: &LlmConfig,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Option<String>, LlmError> {
    let Some(var) = cfg.key_env() else {
        return Ok(None);
    };
    let value = lookup(var).unwrap_or_default();
    let key = value.trim();
    if key.is_empty() {
        return Err(LlmError::MissingKey {
            provider: cfg.provider,
            var: var.to_string(),
        });
    }
    // A header cannot carry these, and ureq's error would not say which variable was wrong.
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(LlmError::BadKey {
            var: var.to_string(),
        });
    }
    Ok(Some(key.to_string()))
}

/// What one successful call produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// The model's answer (all text blocks, concatenated).
    pub text: String,
    /// Prompt tokens the provider counted (0 when it did not say).
    pub input_tokens: u64,
    /// Generated tokens the provider counted (0 when it did not say).
    pub output_tokens: u64,
    /// Cost in US dollars, when both prices are configured.
    pub cost_usd: Option<f64>,
    /// HTTP requests sent, including retries.
    pub attempts: u32,
    /// The model stopped because it hit `max_tokens`: the text is cut short.
    pub truncated: bool,
}

/// A provider message, quoted after a colon, or nothing when the provider gave none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail(pub Option<String>);

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(m) => write!(f, ": {m}"),
            None => Ok(()),
        }
    }
}

/// A count of requests, spelled for a sentence ("1 attempt", "3 attempts").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts(pub u32);

impl fmt::Display for Attempts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => f.write_str("1 attempt"),
            n => write!(f, "{n} attempts"),
        }
    }
}

/// Why a call failed, each a one-line message that says what to fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LlmError {
    /// The `handoff.llm` configuration holds a value that cannot work.
    #[error("invalid handoff.llm configuration: {0}")]
    Config(String),

    /// The provider needs a key and its variable is unset or empty.
    #[error("no API key for {provider}: set ${var} (or name another variable in api_key_env)")]
    MissingKey { provider: Provider, var: String },

    /// The key variable holds something that cannot be a key.
    #[error("${var} does not hold a usable API key (it contains spaces or control characters)")]
    BadKey { var: String },

    /// HTTP 401 or 403. Not retried.
    #[error("authentication failed (HTTP {status}){detail} — {hint}")]
    Auth {
        status: u16,
        detail: Detail,
        hint: String,
    },

    /// HTTP 404: unknown model, or a base_url that does not serve this API. Not retried.
    #[error("model or endpoint not found (HTTP 404){detail} — check model and base_url")]
    NotFound { detail: Detail },

    /// Any other status the provider will not change its mind about (400, 413, 422, 3xx...).
    #[error("request rejected (HTTP {status}){detail}")]
    Rejected { status: u16, detail: Detail },

    /// HTTP 429 on every attempt.
    #[error("rate limited (HTTP 429){detail}; gave up after {attempts}")]
    RateLimited { detail: Detail, attempts: Attempts },

    /// HTTP 5xx (or 408) on every attempt.
    #[error("server error (HTTP {status}){detail}; gave up after {attempts}")]
    Server {
        status: u16,
        detail: Detail,
        attempts: Attempts,
    },

    /// No complete answer within the configured time on every attempt.
    #[error("{url}: {what}; gave up after {attempts}")]
    Timeout {
        url: String,
        what: String,
        attempts: Attempts,
    },

    /// Nothing listens at the endpoint, or its host does not resolve. Not retried.
    #[error("cannot connect to {url}: {reason} — is the server running and base_url right?")]
    Connect { url: String, reason: String },

    /// The connection broke (reset, closed early, garbled HTTP) on every attempt, or failed in
    /// a way retrying cannot fix (TLS).
    #[error("connection to {url} failed: {reason}; gave up after {attempts}")]
    Transport {
        url: String,
        reason: String,
        attempts: Attempts,
    },

    /// A success status with a body that is not the provider's response format.
    #[error("malformed response from {provider} (HTTP {status}): {reason}")]
    Malformed {
        provider: Provider,
        status: u16,
        reason: String,
    },
}

impl From<LlmError> for crate::error::Error {
    fn from(e: LlmError) -> Self {
        crate::error::Error::Llm(e.to_string())
    }
}

/// What one HTTP exchange led to.
enum Step {
    Done(wire::Parsed),
    /// Give up now with this error.
    Fail(LlmError),
    /// Worth another try; `after` is the server's own `Retry-After`, if it sent one.
    Retry {
        error: LlmError,
        after: Option<Duration>,
    },
    /// An OpenAI-format server wants `max_completion_tokens` instead of `max_tokens`.
    SwitchTokenField,
}

/// Sends `system` and `user` to the configured model and returns its answer.
///
/// `key` comes from [`resolve_key`]; it is sent only to `cfg`'s endpoint. Rate limits (429),
/// server errors (5xx, 408), dropped connections and timeouts are retried up to
/// `cfg.max_retries` times, waiting `Retry-After` when the server gives one (capped) and a
/// jittered exponential backoff otherwise. Everything else fails at once.
pub fn complete(
    cfg: &LlmConfig,
    key: Option<&str>,
    system: &str,
    user: &str,
) -> Result<Completion, LlmError> {
    cfg.validate()?;
    let agent = build_agent(cfg);
    let mut token_field = wire::TokenField::MaxTokens;
    let mut request = wire::build(cfg, key, system, user, token_field);
    let mut attempts: u32 = 0;
    let mut retries: u32 = 0;
    loop {
        attempts += 1;
        match exchange(&agent, cfg, key, &request, attempts, token_field) {
            Step::Done(p) => {
                return Ok(Completion {
                    cost_usd: cfg.cost_usd(p.input_tokens, p.output_tokens),
                    text: p.text,
                    input_tokens: p.input_tokens,
                    output_tokens: p.output_tokens,
                    attempts,
                    truncated: p.truncated,
                });
            }
            Step::Fail(e) => return Err(e),
            Step::SwitchTokenField => {
                // A different request, not a retry of a transient failure: no wait, no count.
                token_field = wire::TokenField::MaxCompletionTokens;
                request = wire::build(cfg, key, system, user, token_field);
            }
            Step::Retry { error, after } => {
                if retries >= cfg.max_retries {
                    return Err(error);
                }
                retries += 1;
                let wait = match after {
                    Some(d) => d.min(cfg.retry.retry_after_cap),
                    None => cfg.retry.backoff(retries),
                };
                std::thread::sleep(wait);
            }
        }
    }
}

fn build_agent(cfg: &LlmConfig) -> ureq::Agent {
    let mut builder = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(cfg.timeout_secs)))
        .timeout_connect(Some(Duration::from_secs(cfg.connect_timeout_secs)))
        .http_status_as_error(false)
        // A redirect on an API endpoint means a wrong base_url; report it rather than replay
        // the prompt (and the key) somewhere else.
        .max_redirects(0)
        .max_redirects_will_error(false)
        .user_agent(concat!("git-drift/", env!("CARGO_PKG_VERSION")));
    if cfg.is_loopback() {
        builder = builder.proxy(None);
    }
    builder.build().into()
}

/// One HTTP request and the classification of its outcome.
fn exchange(
    agent: &ureq::Agent,
    cfg: &LlmConfig,
    key: Option<&str>,
    request: &wire::Request,
    attempts: u32,
    token_field: wire::TokenField,
) -> Step {
    let mut builder = agent.post(&request.url);
    for (name, value) in &request.headers {
        builder = builder.header(*name, value);
    }
    let mut response = match builder.send(&request.body[..]) {
        Ok(r) => r,
        Err(e) => return transport_step(cfg, &request.url, e, attempts),
    };
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry::parse_retry_after(v, jiff::Timestamp::now()));
    let body = match response.body_mut().read_to_string() {
        Ok(b) => b,
        Err(e) => return transport_step(cfg, &request.url, e, attempts),
    };
    let attempts = Attempts(attempts);
    match status {
        200..=299 => match wire::parse(cfg.provider, &body) {
            Ok(p) => Step::Done(p),
            Err(reason) => Step::Fail(LlmError::Malformed {
                provider: cfg.provider,
                status,
                reason,
            }),
        },
        401 | 403 => Step::Fail(LlmError::Auth {
            status,
            detail: wire::error_detail(&body),
            hint: auth_hint(cfg, key),
        }),
        404 => Step::Fail(LlmError::NotFound {
            detail: wire::error_detail(&body),
        }),
        429 => Step::Retry {
            error: LlmError::RateLimited {
                detail: wire::error_detail(&body),
                attempts,
            },
            after: retry_after,
        },
        408 | 500..=599 => Step::Retry {
            error: LlmError::Server {
                status,
                detail: wire::error_detail(&body),
                attempts,
            },
            after: retry_after,
        },
        400 if cfg.provider == Provider::Openai
            && token_field == wire::TokenField::MaxTokens
            && wire::wants_max_completion_tokens(&body) =>
        {
            Step::SwitchTokenField
        }
        _ => Step::Fail(LlmError::Rejected {
            status,
            detail: wire::error_detail(&body),
        }),
    }
}

fn auth_hint(cfg: &LlmConfig, key: Option<&str>) -> String {
    match (cfg.key_env(), key) {
        (Some(var), Some(_)) => format!("check ${var}"),
        (Some(var), None) => format!("no key was sent; set ${var}"),
        (None, _) => "no API key was sent; set api_key_env to the variable that holds one".into(),
    }
}

/// Classifies a failure below HTTP: which ones another attempt might cure.
fn transport_step(cfg: &LlmConfig, url: &str, e: ureq::Error, attempts: u32) -> Step {
    use std::io::ErrorKind;
    let url = url.to_string();
    let attempts = Attempts(attempts);
    let timeout = |what: String| Step::Retry {
        error: LlmError::Timeout {
            url: url.clone(),
            what,
            attempts,
        },
        after: None,
    };
    let broken = |reason: String| Step::Retry {
        error: LlmError::Transport {
            url: url.clone(),
            reason,
            attempts,
        },
        after: None,
    };
    match e {
        ureq::Error::Timeout(ureq::Timeout::Connect) => timeout(format!(
            "no connection within {} s (connect_timeout_secs)",
            cfg.connect_timeout_secs
        )),
        ureq::Error::Timeout(_) => timeout(format!(
            "no complete response within {} s (timeout_secs)",
            cfg.timeout_secs
        )),
        ureq::Error::Io(io) if io.kind() == ErrorKind::TimedOut => timeout(format!(
            "no complete response within {} s (timeout_secs)",
            cfg.timeout_secs
        )),
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                ErrorKind::ConnectionRefused | ErrorKind::AddrNotAvailable
            ) =>
        {
            Step::Fail(LlmError::Connect {
                url,
                reason: "connection refused".into(),
            })
        }
        ureq::Error::HostNotFound => Step::Fail(LlmError::Connect {
            url,
            reason: "host not found".into(),
        }),
        ureq::Error::Io(io) => broken(io.to_string()),
        ureq::Error::Protocol(p) => broken(format!("bad HTTP from server: {p}")),
        ureq::Error::ConnectionFailed => broken("connection failed".into()),
        other => Step::Fail(LlmError::Transport {
            url,
            reason: other.to_string(),
            attempts,
        }),
    }
}
