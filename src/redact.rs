//! The redaction engine: every text that enters the store passes through [`Redactor::redact`],
//! which replaces secrets (API keys, tokens, private keys, passwords in assignments) with
//! `[REDACTED:<kind>]`.
//!
//! Three properties matter more than cleverness:
//! - **Lines are kept.** Attribution compares committed lines with stored lines, so a
//!   replacement never changes the number of lines: a multi-line private key becomes the marker
//!   on its first line and empty lines after it.
//! - **Deterministic.** The same input always yields the same output, so a committed line can
//!   be redacted the same way and compared with what the store holds; running the redactor on
//!   its own output changes nothing.
//! - **Clean text is cheap.** Most text holds no secret. Two keyword regexes (the literals every
//!   shape needs, case-sensitive and not, which the regex crate runs as multi-literal searches)
//!   decide whether any shape can match; only then do the shapes whose keywords occur run.
//!   Clean text is returned borrowed.
//!
//! The shapes follow gitleaks' rules (MIT): provider tokens by their prefixes, private-key
//! blocks, JWTs, `Bearer`/`Basic` credentials, passwords in URLs, and `NAME=value` assignments
//! whose name says secret (`*_API_KEY`, `*_TOKEN`, `*_SECRET`, `password`, …). For assignments
//! only the value is replaced, and only when it looks like one: not empty, not a placeholder
//! (`$VAR`, `${VAR}`, `<your-key>`, `***`), not trivial (low entropy), and, unless quoted or
//! written `NAME=value` in environment style, not an identifier (`password: String` is code).
//! Patterns from configuration are added to the shapes, never replace them.

use crate::error::{Error, Result};
use regex::{Regex, RegexSet};
use std::borrow::Cow;
use std::sync::{Arc, LazyLock};

/// The kind label of secrets matched by patterns from configuration.
pub const CUSTOM_KIND: &str = "custom";

/// The kind label of `NAME=value` style assignments whose value looks like a secret.
pub const ASSIGNMENT_KIND: &str = "secret-assignment";

/// The capture group name that, in a configured pattern, marks the part to redact (the whole
/// match is redacted when the pattern has no such group).
pub const SECRET_GROUP: &str = "secret";

/// Replaces secrets in text. Cheap to clone (shared, immutable inside); `Send + Sync`.
#[derive(Clone)]
pub struct Redactor {
    inner: Arc<Inner>,
}

struct Inner {
    /// The keyword matchers, compiled on the first text to redact (a hook that redacts
    /// nothing should not pay for them).
    keywords: std::sync::OnceLock<Option<Keywords>>,
    /// Their sources: (any exact, any case-insensitive, one set entry per rule).
    keyword_sources: (String, String, Vec<String>),
    rules: Vec<Rule>,
    /// Patterns from configuration; they have no keywords, so they always run.
    custom: Vec<Rule>,
}

struct Rule {
    kind: &'static str,
    /// The regex source, compiled on first use: most texts never reach most rules (their
    /// keywords are absent), and compiling every shape up front cost more than a whole
    /// capture with nothing new.
    pattern: String,
    re: std::sync::OnceLock<Regex>,
    how: How,
}

/// Keyword matchers of the built-in rules.
struct Keywords {
    /// Match when any keyword of any built-in rule occurs: the fast "nothing to do" check.
    /// Case-sensitive and case-insensitive keywords are kept apart because the regex crate
    /// searches a pure literal set several times faster than a mixed one.
    any_exact: Regex,
    any_nocase: Regex,
    /// One pattern per built-in rule (same index as `rules`): its keywords. Compiled only once
    /// some text holds a keyword at all.
    which: std::sync::OnceLock<Option<RegexSet>>,
}

impl Inner {
    fn keywords(&self) -> Option<&Keywords> {
        self.keywords
            .get_or_init(|| {
                let (exact, nocase, _) = &self.keyword_sources;
                Some(Keywords {
                    any_exact: Regex::new(exact).ok()?,
                    any_nocase: Regex::new(nocase).ok()?,
                    which: std::sync::OnceLock::new(),
                })
            })
            .as_ref()
    }
}

/// What to replace in a match of a rule's regex.
enum How {
    /// Capture group `group` (0: the whole match), when `check` (if any) accepts it.
    Group {
        group: usize,
        check: Option<fn(&str) -> bool>,
    },
    /// The regex finds `name <separator>`; the value after it is found and judged in code
    /// (quotes, placeholders, code references), see [`assignment_value`].
    Assignment,
}

/// A built-in shape: keywords (literals that every match contains), the regex, what to replace.
struct Shape {
    kind: &'static str,
    keywords: &'static [&'static str],
    /// Whether the keywords are matched ignoring ASCII case.
    keywords_nocase: bool,
    pattern: &'static str,
    how: ShapeHow,
}

enum ShapeHow {
    Whole,
    Group(usize, Option<fn(&str) -> bool>),
    Assignment,
}

/// The separator between a name and its value: `=`, `:`, `:=`, `=>`, with spaces or tabs.
/// Kept in one place so every assignment-like shape agrees on it.
macro_rules! sep {
    () => {
        r#"\\?["']?[ \t]*(?::=|=>|=|:)[ \t]*"#
    };
}

/// Built-in shapes, in the order they run: specific shapes first, so a token inside an
/// assignment gets its precise kind and the generic assignment rule then sees an already
/// redacted value and leaves it.
const SHAPES: &[Shape] = &[
    Shape {
        kind: "private-key",
        keywords: &["PRIVATE KEY"],
        keywords_nocase: false,
        pattern: r"(?s)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----.*?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----",
        how: ShapeHow::Whole,
    },
    // A key whose END is missing (a truncated output tail): the BEGIN line and the base64 or
    // header lines after it.
    Shape {
        kind: "private-key",
        keywords: &["PRIVATE KEY"],
        keywords_nocase: false,
        pattern: r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[^\n]*(?:\n(?:[A-Za-z0-9+/=]{8,}|[A-Za-z-]+: [^\n]*)\r?)*",
        how: ShapeHow::Whole,
    },
    Shape {
        kind: "jwt",
        keywords: &["eyJ"],
        keywords_nocase: false,
        pattern: r"(?-u:\b)eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*",
        how: ShapeHow::Whole,
    },
    Shape {
        kind: "anthropic-key",
        keywords: &["sk-ant-"],
        keywords_nocase: false,
        pattern: r"(?-u:\b)sk-ant-[a-z]{2,10}[0-9]{2}-[A-Za-z0-9_-]{20,}",
        how: ShapeHow::Whole,
    },
    Shape {
        kind: "openai-key",
        keywords: &["sk-"],
        keywords_nocase: false,
        pattern: r"(?-u:\b)sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{20,}(?-u:\b))",
        how: ShapeHow::Whole,
    },
    Shape {
        kind: "aws-access-key",
        keywords: &["AKIA", "ASIA", "ABIA", "ACCA", "A3T"],
        keywords_nocase: false,
        pattern: r"(?-u:\b)(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?-u:\b)",
        how: ShapeHow::Whole,
    },
    Shape {
        kind: "aws-secret-key",
        keywords: &["secret_access", "secretaccess", "secret-access"],
        keywords_nocase: true,
        pattern: concat!(
            r"(?i)(?-u:\b)(?:aws[_-]?)?secret[_-]?access[_-]?key",
            sep!(),
            r#"\\?["']?([A-Za-z0-9/+=]{40,})"#
        ),
        how: ShapeHow::Group(1, None),
    },
    Shape {
        kind: "github-token",
        keywords: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        keywords_nocase: false,
        pattern: r"(?-u:\b)(?:gh[pousr]_[0-9A-Za-z]{36,}|github_pat_[0-9A-Za-z_]{22,})(?-u:\b)",
        how: ShapeHow::Whole,
    },
    Shape {
        kind: "gitlab-token",
        keywords: &["glpat-"],
        keywords_nocase: false,
        pattern: r"(?-u:\b)glpat-[0-9A-Za-z_.-]{20,}",
        how: ShapeHow::Whole,
    },
    Shape {
        kind: "slack-webhook",
        keywords: &["hooks.slack.com"],
        keywords_nocase: false,
        pattern: r"(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,}",
        how: ShapeHow::Whole,
    },
    Shape {
        kind: "slack-token",
        keywords: &["xox", "xapp-"],
        keywords_nocase: false,
        pattern: r"(?-u:\b)(?:xox[baprse]|xapp)-[0-9A-Za-z-]{10,}",
        how: ShapeHow::Whole,
    },
    Shape {
        kind: "stripe-key",
        keywords: &["k_live_", "k_test_", "k_prod_"],
        keywords_nocase: false,
        pattern: r"(?-u:\b)[rs]k_(?:live|test|prod)_[0-9A-Za-z]{10,}",
        how: ShapeHow::Whole,
    },
    Shape {
        kind: "google-api-key",
        keywords: &["AIza"],
        keywords_nocase: false,
        pattern: r"(?-u:\b)AIza[0-9A-Za-z_-]{35}",
        how: ShapeHow::Whole,
    },
    Shape {
        kind: "npm-token",
        keywords: &["npm_"],
        keywords_nocase: false,
        pattern: r"(?-u:\b)npm_[0-9A-Za-z]{36}(?-u:\b)",
        how: ShapeHow::Whole,
    },
    Shape {
        kind: "huggingface-token",
        keywords: &["hf_"],
        keywords_nocase: false,
        pattern: r"(?-u:\b)hf_[0-9A-Za-z]{30,}(?-u:\b)",
        how: ShapeHow::Whole,
    },
    // `scheme://user:password@host`: git remotes and database URLs.
    Shape {
        kind: "url-credentials",
        keywords: &["://"],
        keywords_nocase: false,
        pattern: r#"(?-u:\b)[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@'"\[\]]+:([^\s/@'"\[\]]+)@"#,
        how: ShapeHow::Group(1, Some(plausible_url_password)),
    },
    Shape {
        kind: "bearer",
        keywords: &["bearer"],
        keywords_nocase: true,
        pattern: r"(?i)(?-u:\b)bearer[ \t]+([A-Za-z0-9._~+/-]+=*)",
        how: ShapeHow::Group(1, Some(plausible_token)),
    },
    Shape {
        kind: "basic-auth",
        keywords: &["authorization"],
        keywords_nocase: true,
        pattern: r"(?i)(?-u:\b)authorization[ \t]*:[ \t]*basic[ \t]+([A-Za-z0-9+/]{8,}={0,2})",
        how: ShapeHow::Group(1, Some(plausible_token)),
    },
    // `API_KEY=…`, `"password": "…"`, `client_secret: …`, `--token=…`: the name is kept, the
    // value judged in code. A name ends in one of these words; the generic `_KEY` only in
    // upper case, since `primary_key`, `sort_key`, `cache_key` are everyday code.
    Shape {
        kind: ASSIGNMENT_KIND,
        keywords: &["key", "token", "secret", "passw"],
        keywords_nocase: true,
        pattern: concat!(
            r"([A-Za-z0-9_.-]*(?:(?i:api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key|auth[_-]?key|secret|token|passw(?:or)?d)|_KEY))",
            r#"(\\?["']?[ \t]*(?::=|=>|=|:)[ \t]*)"#
        ),
        how: ShapeHow::Assignment,
    },
];

/// Shortest value of an assignment or bearer token that is treated as a secret.
const MIN_SECRET_CHARS: usize = 6;

/// Shannon entropy (bits per character) below which a generic value is not a secret
/// (`aaaaaa`, `111111`).
const MIN_ENTROPY: f64 = 2.0;

static DEFAULT: LazyLock<Redactor> = LazyLock::new(|| {
    // The built-in patterns are constants covered by tests; failing here is a programming
    // error, not bad input.
    build(&[]).expect("built-in redaction patterns compile")
});

impl Default for Redactor {
    /// The built-in shapes only.
    fn default() -> Self {
        DEFAULT.clone()
    }
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("builtin_rules", &self.inner.rules.len())
            .field("custom_rules", &self.inner.custom.len())
            .finish()
    }
}

impl Redactor {
    /// The built-in shapes plus `extra_patterns` (regexes, Rust syntax). A pattern with a
    /// capture group named `secret` redacts only that group. An invalid pattern is a
    /// [`Error::User`] naming it; use [`check_pattern`] to validate one at a time.
    pub fn new(extra_patterns: &[String]) -> Result<Redactor> {
        if extra_patterns.is_empty() {
            return Ok(Redactor::default());
        }
        build(extra_patterns)
    }

    /// Replace every secret in `text`. Borrowed when nothing matched.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let inner = &*self.inner;
        let mut out = Cow::Borrowed(text);
        if let Some(kw) = inner.keywords()
            && (kw.any_exact.is_match(text) || kw.any_nocase.is_match(text))
        {
            // Keywords are looked up on the input: replacements only remove text, so a rule
            // whose keywords are absent from the input cannot match later.
            let which = kw
                .which
                .get_or_init(|| RegexSet::new(&inner.keyword_sources.2).ok());
            for i in which.iter().flat_map(|w| w.matches(text).into_iter()) {
                if let Some(rule) = inner.rules.get(i)
                    && let Some(replaced) = rule.apply(&out)
                {
                    out = Cow::Owned(replaced);
                }
            }
        }
        for rule in &inner.custom {
            if let Some(replaced) = rule.apply(&out) {
                out = Cow::Owned(replaced);
            }
        }
        out
    }

    /// [`Redactor::redact`] for an owned string: returns it unchanged (no copy) when clean.
    pub fn redact_string(&self, s: String) -> String {
        match self.redact(&s) {
            Cow::Borrowed(_) => s,
            Cow::Owned(o) => o,
        }
    }
}

/// Validate one configured pattern; the error is one line saying what is wrong with it
/// (without the pattern, which the caller names with its own context).
pub fn check_pattern(pattern: &str) -> std::result::Result<(), String> {
    Regex::new(pattern)
        .map(|_| ())
        .map_err(|e| regex_error_line(&e))
}

fn build(extra_patterns: &[String]) -> Result<Redactor> {
    let mut rules = Vec::with_capacity(SHAPES.len());
    let mut keyword_sets = Vec::with_capacity(SHAPES.len());
    let (mut exact, mut nocase) = (Vec::new(), Vec::new());
    for shape in SHAPES {
        let how = match shape.how {
            ShapeHow::Whole => How::Group {
                group: 0,
                check: None,
            },
            ShapeHow::Group(group, check) => How::Group { group, check },
            ShapeHow::Assignment => How::Assignment,
        };
        rules.push(Rule {
            kind: shape.kind,
            pattern: shape.pattern.to_string(),
            re: std::sync::OnceLock::new(),
            how,
        });
        let alternatives: Vec<String> = shape.keywords.iter().map(|k| regex::escape(k)).collect();
        let flags = if shape.keywords_nocase { "(?i)" } else { "" };
        keyword_sets.push(format!("{flags}(?:{})", alternatives.join("|")));
        if shape.keywords_nocase {
            nocase.extend(alternatives);
        } else {
            exact.extend(alternatives);
        }
    }
    let keyword_sources = (
        exact.join("|"),
        format!("(?i){}", nocase.join("|")),
        keyword_sets,
    );
    let custom = extra_patterns
        .iter()
        .map(|p| custom_rule(p).map_err(Error::User))
        .collect::<Result<Vec<_>>>()?;
    Ok(Redactor {
        inner: Arc::new(Inner {
            keywords: std::sync::OnceLock::new(),
            keyword_sources,
            rules,
            custom,
        }),
    })
}

fn custom_rule(pattern: &str) -> std::result::Result<Rule, String> {
    let re = Regex::new(pattern).map_err(|e| {
        format!(
            "invalid redaction pattern '{pattern}': {}",
            regex_error_line(&e)
        )
    })?;
    let group = re
        .capture_names()
        .position(|n| n == Some(SECRET_GROUP))
        .unwrap_or(0);
    Ok(Rule {
        kind: CUSTOM_KIND,
        pattern: pattern.to_string(),
        re: std::sync::OnceLock::from(re),
        how: How::Group { group, check: None },
    })
}

/// The regex crate's syntax errors span several lines (pattern, caret, message); keep the
/// message so errors stay one line.
fn regex_error_line(e: &regex::Error) -> String {
    match e {
        regex::Error::Syntax(s) => s
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix("error: "))
            .map(str::to_owned)
            .unwrap_or_else(|| s.split_whitespace().collect::<Vec<_>>().join(" ")),
        other => other
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    }
}

impl Rule {
    /// The text with this rule's matches replaced, or `None` when nothing was replaced.
    fn regex(&self) -> Option<&Regex> {
        if let Some(re) = self.re.get() {
            return Some(re);
        }
        // Built-in patterns are tested to compile and custom ones were checked when the
        // redactor was built, so this fails only on a programming error: then the rule is off.
        let re = Regex::new(&self.pattern).ok()?;
        Some(self.re.get_or_init(|| re))
    }

    fn apply(&self, text: &str) -> Option<String> {
        let mut spans: Vec<(usize, usize)> = Vec::new();
        let re = self.regex()?;
        match &self.how {
            How::Group { group: 0, check } => {
                for m in re.find_iter(text) {
                    if !m.is_empty() && check.is_none_or(|c| c(m.as_str())) {
                        spans.push((m.start(), m.end()));
                    }
                }
            }
            How::Group { group, check } => {
                for caps in re.captures_iter(text) {
                    if let Some(m) = caps.get(*group)
                        && !m.is_empty()
                        && check.is_none_or(|c| c(m.as_str()))
                    {
                        spans.push((m.start(), m.end()));
                    }
                }
            }
            How::Assignment => {
                let mut consumed = 0;
                for caps in re.captures_iter(text) {
                    let (Some(whole), Some(name), Some(sep)) =
                        (caps.get(0), caps.get(1), caps.get(2))
                    else {
                        continue;
                    };
                    if whole.start() < consumed {
                        continue;
                    }
                    if let Some((start, end)) =
                        assignment_value(text, name.as_str(), sep.as_str(), whole.end())
                    {
                        spans.push((start, end));
                        consumed = end;
                    }
                }
            }
        }
        if spans.is_empty() {
            None
        } else {
            Some(splice(text, &spans, self.kind))
        }
    }
}

/// Replace each span (ascending, non-overlapping) with the marker, keeping the span's line
/// breaks so the line count does not change.
fn splice(text: &str, spans: &[(usize, usize)], kind: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for &(start, end) in spans {
        if start < at {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str("[REDACTED:");
        out.push_str(kind);
        out.push(']');
        let span = &text[start..end];
        let mut prev = '\0';
        for c in span.chars() {
            if c == '\n' {
                if prev == '\r' {
                    out.push('\r');
                }
                out.push('\n');
            }
            prev = c;
        }
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// The byte span of the value after `name <sep>` at `at`, when it looks like a secret.
///
/// Quoted values and environment-style assignments (`NAME=value`, `NAME: value` with an upper
/// case name) are literals; an unquoted value elsewhere is often code (`token = self.next()`,
/// `password: String`), so values shaped like identifiers or followed by a call are left.
fn assignment_value(text: &str, name: &str, sep: &str, at: usize) -> Option<(usize, usize)> {
    let rest = &text[at..];
    let sep_core = sep.trim_start_matches(['\\', '"', '\'']).trim();
    let env_style = name
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && sep_core == "="
        && !sep.ends_with([' ', '\t'])
        && !sep.starts_with([' ', '\t']);

    // An opening quote, possibly backslash-escaped (JSON inside a JSON string).
    let (quote, open_len) = match rest.as_bytes() {
        [b'\\', q @ (b'"' | b'\''), ..] => (Some(format!("\\{}", *q as char)), 2),
        [q @ (b'"' | b'\'' | b'`'), ..] => (Some((*q as char).to_string()), 1),
        _ => (None, 0),
    };
    if let Some(q) = quote {
        let body = &rest[open_len..];
        if let Some(len) = quoted_len(body, &q) {
            let value = &body[..len];
            let start = at + open_len;
            // A quoted value with spaces is a message ("invalid token"), not a secret.
            let secret = !value.contains(char::is_whitespace) && plausible_secret(value, true);
            return secret.then_some((start, start + len));
        }
        // No closing quote on this line: judge what follows like an unquoted value.
        return unquoted_value(text, at + open_len, true);
    }
    unquoted_value(text, at, env_style)
}

/// Length of a quoted value's body up to the closing `quote`, on the same line; backslash
/// escapes are skipped for a plain quote.
fn quoted_len(body: &str, quote: &str) -> Option<usize> {
    if quote.len() == 2 {
        let end = body.find(quote)?;
        return (!body[..end].contains('\n')).then_some(end);
    }
    let q = quote.as_bytes()[0];
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' => return None,
            b if b == q => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn unquoted_value(text: &str, start: usize, literal: bool) -> Option<(usize, usize)> {
    let rest = &text[start..];
    let len = rest
        .find(|c: char| c.is_whitespace() || "'\"`,;()[]{}<>|\\".contains(c))
        .unwrap_or(rest.len());
    let value = &rest[..len];
    if value.is_empty() || value.starts_with(['=', ':', '>']) {
        return None;
    }
    // `key = compute(...)`, `token: Option<String>`, `secret = table[...]`, and a type
    // annotation `TOKEN: Kind = ...`: code, not a value.
    let after = &rest[len..];
    if after.starts_with(['(', '[', '{', '<'])
        || after.trim_start_matches([' ', '\t']).starts_with('=')
    {
        return None;
    }
    let value = value.trim_end_matches('.');
    plausible_secret(value, literal).then_some((start, start + value.len()))
}

/// Whether an assignment's value (or a bearer token) looks like a secret rather than a
/// placeholder, an empty or trivial value, or (unless `literal`) a name in code.
fn plausible_secret(value: &str, literal: bool) -> bool {
    let chars = value.chars().count();
    if chars < MIN_SECRET_CHARS || is_placeholder(value) || entropy(value) < MIN_ENTROPY {
        return false;
    }
    literal || !looks_like_code(value, chars)
}

/// A token after `Bearer` / `Basic` is a literal; prose ("a Bearer token") is a plain word.
fn plausible_token(value: &str) -> bool {
    plausible_secret(value, true) && !is_word(value.trim_end_matches('='))
}

/// Any password in a URL counts, except placeholders and the words documentation uses.
fn plausible_url_password(value: &str) -> bool {
    !is_placeholder(value)
        && !matches!(
            value.to_ascii_lowercase().as_str(),
            "pass" | "password" | "passwd" | "pwd" | "secret"
        )
}

/// `$VAR`, `${VAR}`, `%VAR%`, `<your key>`, `{{ secret }}`, `***`, `...`, an already redacted
/// value, YAML aliases and tags, and the words people type instead of a value.
fn is_placeholder(value: &str) -> bool {
    if value.starts_with(['$', '%', '<', '{', '[', '*', '!', '&', '@']) {
        return true;
    }
    let mut chars = value.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return true;
    }
    if value.contains("...") || value.contains('…') {
        return true;
    }
    let lower = value.to_ascii_lowercase();
    lower.starts_with("your")
        || lower.contains("xxxx")
        || matches!(
            lower.as_str(),
            "null" | "none" | "nil" | "true" | "false" | "undefined" | "string" | "required"
        )
}

/// An identifier or a dotted/`::` path of identifiers: in code, a variable, field or type.
/// A long identifier-shaped value with digits and high entropy is how many tokens look, so
/// it is not counted as code.
fn looks_like_code(value: &str, chars: usize) -> bool {
    // `token?` (Rust try), `token!` (TypeScript non-null) are still names.
    let normalized = value.trim_end_matches(['?', '!']).replace("::", ".");
    let is_path = normalized.split('.').all(|seg| {
        let mut cs = seg.chars();
        cs.next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    if !is_path {
        return false;
    }
    let token_like = !normalized.contains('.')
        && chars >= 16
        && entropy(value) >= 3.0
        && (value.bytes().any(|b| b.is_ascii_digit()) || case_switches(value) * 4 >= chars);
    !token_like
}

/// How often letter case flips between neighbouring letters: a few times in a camelCase name,
/// about every other letter in a random string.
fn case_switches(value: &str) -> usize {
    value
        .as_bytes()
        .windows(2)
        .filter(|w| {
            w[0].is_ascii_alphabetic()
                && w[1].is_ascii_alphabetic()
                && w[0].is_ascii_uppercase() != w[1].is_ascii_uppercase()
        })
        .count()
}

/// A plain word (`token`, `Authentication`): letters only, at most the first one upper case.
fn is_word(value: &str) -> bool {
    let mut cs = value.chars();
    cs.next().is_some_and(|c| c.is_ascii_alphabetic()) && cs.all(|c| c.is_ascii_lowercase())
}

/// Shannon entropy of the characters of `s`, in bits per character.
fn entropy(s: &str) -> f64 {
    let mut counts: Vec<(char, u32)> = Vec::new();
    let mut total = 0u32;
    for c in s.chars() {
        total += 1;
        match counts.iter_mut().find(|(k, _)| *k == c) {
            Some((_, n)) => *n += 1,
            None => counts.push((c, 1)),
        }
    }
    if total == 0 {
        return 0.0;
    }
    let total = f64::from(total);
    counts
        .iter()
        .map(|&(_, n)| {
            let p = f64::from(n) / total;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_pattern_compiles() {
        // Rules and keywords compile lazily; a broken built-in pattern would silently switch
        // a rule (or all of them) off.
        for shape in SHAPES {
            assert!(Regex::new(shape.pattern).is_ok(), "{}", shape.kind);
        }
        let r = Redactor::default();
        assert!(r.inner.keywords().is_some(), "keyword matchers compile");
        assert!(RegexSet::new(&r.inner.keyword_sources.2).is_ok());
    }

    const UPPER_B32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// Deterministic filler, so the test source holds nothing that looks like a live key to a
    /// secret scanner: secrets are built from a prefix and this at run time.
    fn fill(alphabet: &str, n: usize, seed: u64) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                chars[((x >> 33) as usize) % chars.len()]
            })
            .collect()
    }

    fn key(prefix: &str, alphabet: &str, n: usize) -> String {
        format!(
            "{prefix}{}",
            fill(alphabet, n, n as u64 + prefix.len() as u64)
        )
    }

    /// `before + secret + after` must become `before + [REDACTED:kind] + after`.
    #[track_caller]
    fn assert_redacted(kind: &str, secret: &str, before: &str, after: &str) {
        let text = format!("{before}{secret}{after}");
        let out = Redactor::default().redact(&text).into_owned();
        assert_eq!(
            out,
            format!("{before}[REDACTED:{kind}]{after}"),
            "input: {text:?}"
        );
    }

    #[track_caller]
    fn assert_untouched(text: &str) {
        let out = Redactor::default().redact(text);
        assert!(
            matches!(out, Cow::Borrowed(_)),
            "expected no change for {text:?}, got {out:?}"
        );
    }

    #[test]
    fn aws_keys() {
        let id = key("AKIA", UPPER_B32, 16);
        assert_redacted("aws-access-key", &id, "aws_access_key_id = ", "\n");
        assert_redacted(
            "aws-access-key",
            &key("ASIA", UPPER_B32, 16),
            "id ",
            " used",
        );
        let secret = fill(B64, 40, 7);
        assert_redacted(
            "aws-secret-key",
            &secret,
            "aws_secret_access_key = ",
            "\nregion = x",
        );
        assert_redacted("aws-secret-key", &secret, "AWS_SECRET_ACCESS_KEY=", "");
        assert_redacted("aws-secret-key", &secret, "\"SecretAccessKey\": \"", "\",");
    }

    #[test]
    fn github_gitlab_npm_huggingface() {
        for p in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
            assert_redacted("github-token", &key(p, ALNUM, 36), "token ", " ok");
        }
        let pat = format!("github_pat_{}_{}", fill(ALNUM, 22, 1), fill(ALNUM, 59, 2));
        assert_redacted("github-token", &pat, "GH=", "");
        assert_redacted(
            "github-token",
            &key("ghp_", ALNUM, 36),
            "https://x-access-token:",
            "@github.com/o/r",
        );
        assert_redacted(
            "gitlab-token",
            &key("glpat-", ALNUM, 20),
            "PRIVATE-TOKEN: ",
            "",
        );
        assert_redacted(
            "npm-token",
            &key("npm_", ALNUM, 36),
            "//registry.npmjs.org/:_authToken=",
            "\n",
        );
        assert_redacted("huggingface-token", &key("hf_", LETTERS, 34), "login ", ".");
    }

    #[test]
    fn slack() {
        let bot = format!(
            "xoxb-{}-{}-{}",
            fill("0123456789", 11, 1),
            fill("0123456789", 12, 2),
            fill(ALNUM, 24, 3)
        );
        assert_redacted("slack-token", &bot, "SLACK=", " # bot");
        assert_redacted("slack-token", &key("xoxp-", ALNUM, 40), "", "");
        let app = format!("xapp-1-{}-{}", fill(ALNUM, 11, 4), fill(ALNUM, 30, 5));
        assert_redacted("slack-token", &app, "app token: ", "\n");
        let hook = format!(
            "https://hooks.slack.com/services/T{}/B{}/{}",
            fill(UPPER_B32, 8, 1),
            fill(UPPER_B32, 8, 2),
            fill(ALNUM, 24, 3)
        );
        assert_redacted("slack-webhook", &hook, "curl -X POST ", " -d @msg.json");
    }

    #[test]
    fn llm_provider_keys() {
        let alnum_dash = format!("{ALNUM}-_");
        assert_redacted(
            "openai-key",
            &key("sk-proj-", &alnum_dash, 60),
            "OPENAI_API_KEY=",
            "\n",
        );
        assert_redacted(
            "openai-key",
            &key("sk-svcacct-", &alnum_dash, 60),
            "key: ",
            "",
        );
        assert_redacted(
            "openai-key",
            &key("sk-", ALNUM, 48),
            "openai.api_key = \"",
            "\"",
        );
        assert_redacted(
            "anthropic-key",
            &key("sk-ant-api03-", &alnum_dash, 93),
            "x-api-key: ",
            "\r\n",
        );
        assert_redacted(
            "anthropic-key",
            &key("sk-ant-admin01-", &alnum_dash, 93),
            "",
            " rest",
        );
        // "task-" / "disk-" are not `sk-` at a word start.
        assert_untouched(&format!("task-{}", fill(ALNUM, 30, 9)));
    }

    #[test]
    fn stripe_google_jwt() {
        assert_redacted(
            "stripe-key",
            &key("sk_live_", ALNUM, 24),
            "Stripe.api_key = '",
            "'",
        );
        assert_redacted("stripe-key", &key("rk_live_", ALNUM, 24), "", "");
        let url_safe = format!("{ALNUM}-_");
        assert_redacted(
            "google-api-key",
            &key("AIza", &url_safe, 35),
            "?key=",
            "&q=1",
        );
        let jwt = format!(
            "eyJ{}.eyJ{}.{}",
            fill(&url_safe, 30, 1),
            fill(&url_safe, 60, 2),
            fill(&url_safe, 43, 3)
        );
        assert_redacted("jwt", &jwt, "id_token ", " expires");
        // Already covered by the JWT shape, so the bearer rule sees a marker and stops.
        assert_redacted("jwt", &jwt, "Authorization: Bearer ", "");
    }

    #[test]
    fn bearer_and_basic_auth() {
        let tok = fill(&format!("{ALNUM}._-"), 40, 11);
        assert_redacted(
            "bearer",
            &tok,
            "curl -H 'Authorization: Bearer ",
            "' https://api",
        );
        assert_redacted("bearer", &tok, "authorization: bearer ", "");
        let basic = fill(B64, 24, 3);
        assert_redacted("basic-auth", &basic, "Authorization: Basic ", "\n");
        // Prose and placeholders stay.
        assert_untouched("send a Bearer token in the Authorization header");
        assert_untouched("Authorization: Bearer $TOKEN");
        assert_untouched("Authorization: Bearer <token>");
        assert_untouched("bearer authentication");
    }

    #[test]
    fn url_credentials() {
        assert_redacted(
            "url-credentials",
            "s3cr3t-pw",
            "DATABASE_URL is postgres://app:",
            "@db:5432/app",
        );
        assert_untouched("postgres://app:$DB_PASSWORD@db:5432/app");
        assert_untouched("http://user:password@proxy.example:3128");
        assert_untouched("scheme://[user[:password]@]host[:port]/path");
        assert_untouched("see https://example.com:8080/path and git@github.com:o/r.git");
    }

    #[test]
    fn private_key_block_keeps_lines() {
        let body: Vec<String> = (0..5).map(|i| fill(B64, 64, i)).collect();
        let text = format!(
            "here is the key:\n-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\nand after",
            body.join("\n")
        );
        let out = Redactor::default().redact(&text).into_owned();
        assert_eq!(out.lines().count(), text.lines().count());
        let expected = format!(
            "here is the key:\n[REDACTED:private-key]{}\nand after",
            "\n".repeat(body.len() + 1)
        );
        assert_eq!(out, expected);
        for line in &body {
            assert!(!out.contains(line.as_str()));
        }
    }

    #[test]
    fn private_key_variants() {
        let body = fill(B64, 64, 1);
        // CRLF line ends are kept as CRLF.
        let crlf =
            format!("-----BEGIN PRIVATE KEY-----\r\n{body}\r\n-----END PRIVATE KEY-----\r\nnext");
        assert_eq!(
            Redactor::default().redact(&crlf),
            "[REDACTED:private-key]\r\n\r\n\r\nnext"
        );
        // Escaped newlines inside a JSON string: one line, one marker.
        let json = format!(
            "{{\"key\": \"-----BEGIN OPENSSH PRIVATE KEY-----\\n{body}\\n-----END OPENSSH PRIVATE KEY-----\\n\"}}"
        );
        assert_eq!(
            Redactor::default().redact(&json),
            "{\"key\": \"[REDACTED:private-key]\\n\"}"
        );
        // A truncated key (no END) loses its base64 lines but keeps them as lines.
        let cut =
            format!("$ cat id_ed25519\n-----BEGIN OPENSSH PRIVATE KEY-----\n{body}\n{body}\n$ ls");
        let out = Redactor::default().redact(&cut).into_owned();
        assert_eq!(out, "$ cat id_ed25519\n[REDACTED:private-key]\n\n\n$ ls");
    }

    #[test]
    fn assignments_keep_the_name() {
        let v = format!(
            "{}-9{}",
            fill(ALNUM, 10, 5),
            fill(&format!("{ALNUM}!#%^"), 10, 6)
        );
        assert_redacted("secret-assignment", &v, "DB_PASSWORD=", "\n");
        assert_redacted(
            "secret-assignment",
            &v,
            "export MY_SERVICE_API_KEY=",
            " && run",
        );
        assert_redacted(
            "secret-assignment",
            &v,
            "export MY_SERVICE_API_KEY=\"",
            "\"",
        );
        assert_redacted("secret-assignment", &v, "STRIPE_KEY=", "");
        assert_redacted("secret-assignment", &v, "SESSION_SECRET: ", "\n");
        assert_redacted("secret-assignment", &v, "  password: ", "\n  user: app");
        assert_redacted(
            "secret-assignment",
            &v,
            "{\"apiKey\": \"",
            "\", \"user\": \"x\"}",
        );
        assert_redacted(
            "secret-assignment",
            &v,
            "{\\\"client_secret\\\":\\\"",
            "\\\"}",
        );
        assert_redacted("secret-assignment", &v, "passwd = '", "'");
        assert_redacted("secret-assignment", &v, "mysql --password=", " -u root");
        assert_redacted("secret-assignment", &v, "$env:AUTH_TOKEN = \"", "\"");
        assert_redacted("secret-assignment", &v, "token := \"", "\"");
        assert_redacted("secret-assignment", &v, "'db_password' => '", "',");
        // Environment style takes letters-only values too.
        assert_redacted("secret-assignment", "correcthorsebattery", "PASSWORD=", "");
        // Unquoted values in YAML: digits, or a random mix of cases, mark a secret.
        assert_redacted(
            "secret-assignment",
            "8f3a9c1e7b2d4f60",
            "client_secret: ",
            "",
        );
        assert_redacted(
            "secret-assignment",
            "aXjNASZiyEcfcyxNmTyE",
            "  password: ",
            "\n",
        );
    }

    #[test]
    fn placeholders_and_empty_values_stay() {
        for text in [
            "PASSWORD=",
            "PASSWORD=\n",
            "PASSWORD=$DB_PASSWORD",
            "PASSWORD=${DB_PASSWORD}",
            "PASSWORD=\"${DB_PASSWORD}\"",
            "export API_KEY=$(cat ~/.key)",
            "api_key: <your-api-key>",
            "token: \"{{ secrets.GITHUB_TOKEN }}\"",
            "token: ${{ secrets.GITHUB_TOKEN }}",
            "password: ********",
            "SECRET_KEY=...",
            "API_KEY=your_api_key_here",
            "password: \"\"",
            "TOKEN=abc",
            "password: null",
            "%API_KEY%",
            "set API_KEY=%API_KEY%",
        ] {
            assert_untouched(text);
        }
    }

    #[test]
    fn code_stays() {
        for text in [
            "let token = self.next_token();",
            "    password: String,",
            "pub api_key: Option<String>,",
            "let api_key = config.api_key;",
            "if token == expected {",
            "if token === undefined {",
            "secret_key: &str",
            "token: Token,",
            "const primary_key = 'id_1234567';",
            "tokens = tokenizer.tokenize(text)",
            "max_tokens: 4096",
            "API_KEY = os.environ[\"API_KEY\"]",
            "API_KEY = os.getenv('API_KEY')",
            "match token::Kind::Ident {",
            "pub const IFLA_INET6_TOKEN: _bindgen_ty_5 = _bindgen_ty_5::IFLA_INET6_TOKEN;",
            "const API_KEY: Secret2 = load();",
            "  GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}",
            "password_hash = hash_password(password)",
            "the keyboard key: enter",
            "let indent = |token: Token| {",
            "let token = token?;",
            "Error::Token => \"invalid token\",",
            "WWW-Authenticate: Bearer realm=\"example\"",
        ] {
            assert_untouched(text);
        }
    }

    #[test]
    fn clean_text_is_borrowed() {
        let text = "fn main() {\n    println!(\"hello\");\n}\nThe monkey ate 12 bananas at https://example.com/a?b=c.\n";
        assert_untouched(text);
        let long = text.repeat(1000);
        assert_untouched(&long);
        assert_untouched("");
    }

    #[test]
    fn redact_string_does_not_copy_clean_text() {
        let s = String::from("nothing to see here");
        let ptr = s.as_ptr();
        let out = Redactor::default().redact_string(s);
        assert_eq!(out.as_ptr(), ptr);
        let dirty = format!("k {}", key("ghp_", ALNUM, 36));
        assert_eq!(
            Redactor::default().redact_string(dirty),
            "k [REDACTED:github-token]"
        );
    }

    #[test]
    fn several_secrets_in_one_text_keep_lines_and_are_stable() {
        let text = format!(
            "line one\nexport GITHUB_TOKEN={}\nAWS key {} and AWS_SECRET_ACCESS_KEY={}\n-----BEGIN EC PRIVATE KEY-----\n{}\n-----END EC PRIVATE KEY-----\npassword: \"{}\"\nlast line",
            key("ghp_", ALNUM, 36),
            key("AKIA", UPPER_B32, 16),
            fill(B64, 40, 2),
            fill(B64, 64, 3),
            fill(ALNUM, 16, 4),
        );
        let r = Redactor::default();
        let once = r.redact(&text).into_owned();
        assert_eq!(
            once,
            "line one\nexport GITHUB_TOKEN=[REDACTED:github-token]\nAWS key [REDACTED:aws-access-key] and AWS_SECRET_ACCESS_KEY=[REDACTED:aws-secret-key]\n[REDACTED:private-key]\n\n\npassword: \"[REDACTED:secret-assignment]\"\nlast line"
        );
        assert_eq!(once.lines().count(), text.lines().count());
        // Redacting redacted text changes nothing: committed lines can be redacted the same
        // way and compared.
        assert!(matches!(r.redact(&once), Cow::Borrowed(_)));
    }

    #[test]
    fn line_breaks_are_never_added_or_removed() {
        let key_body = fill(B64, 64, 1);
        let r = Redactor::new(&[r"(?s)<<<.*?>>>".to_string(), r"x\r".to_string()])
            .expect("valid patterns");
        let texts = [
            format!(
                "a\r\n-----BEGIN PRIVATE KEY-----\r\n{key_body}\r\n-----END PRIVATE KEY-----\r\nb"
            ),
            format!("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nVersion: 1\n{key_body}\n"),
            "<<<one\ntwo\r\nthree>>> tail\n".to_string(),
            "x\r\nx\r\n".to_string(),
            format!(
                "PASSWORD={}\nTOKEN: \"{}\"\n\n",
                fill(ALNUM, 12, 2),
                fill(ALNUM, 30, 3)
            ),
        ];
        for text in &texts {
            let out = r.redact(text);
            assert!(matches!(out, Cow::Owned(_)), "nothing redacted in {text:?}");
            assert_eq!(
                out.matches('\n').count(),
                text.matches('\n').count(),
                "{text:?} -> {out:?}"
            );
            assert_eq!(out.lines().count(), text.lines().count());
        }
    }

    #[test]
    fn extra_patterns_add_to_defaults() {
        let r = Redactor::new(&[
            r"ACME-[0-9]{6}".to_string(),
            r"internal_id=(?P<secret>[a-z]{8})".to_string(),
        ])
        .expect("valid patterns");
        let gh = key("ghp_", ALNUM, 36);
        let text = format!("ACME-123456 internal_id=abcdefgh {gh}");
        assert_eq!(
            r.redact(&text),
            "[REDACTED:custom] internal_id=[REDACTED:custom] [REDACTED:github-token]"
        );
        // A custom pattern that spans lines still keeps the line count.
        let r = Redactor::new(&[r"(?s)BEGIN SECRET.*?END SECRET".to_string()]).expect("valid");
        assert_eq!(
            r.redact("a\nBEGIN SECRET\nx\nEND SECRET b"),
            "a\n[REDACTED:custom]\n\n b"
        );
        // A pattern that can match empty text never inserts markers.
        let r = Redactor::new(&["z*".to_string()]).expect("valid");
        assert!(matches!(r.redact("abc"), Cow::Borrowed(_)));
    }

    #[test]
    fn invalid_extra_pattern_names_it() {
        let err = Redactor::new(&["(unclosed".to_string()]).expect_err("invalid");
        let msg = err.to_string();
        assert_eq!(msg, "invalid redaction pattern '(unclosed': unclosed group");
        assert!(matches!(err, Error::User(_)));
        assert_eq!(
            check_pattern("[z-a]"),
            Err("invalid character class range, the start must be <= the end".to_string())
        );
        assert_eq!(check_pattern("ok+"), Ok(()));
    }

    #[test]
    fn redactor_is_shareable() {
        fn assert_traits<T: Clone + Send + Sync + 'static>() {}
        assert_traits::<Redactor>();
        let r = Redactor::default();
        let gh = key("ghp_", ALNUM, 36);
        let handle = std::thread::spawn(move || r.redact(&gh).into_owned());
        assert_eq!(
            handle.join().ok().as_deref(),
            Some("[REDACTED:github-token]")
        );
    }

    #[test]
    fn entropy_is_bits_per_char() {
        assert_eq!(entropy(""), 0.0);
        assert_eq!(entropy("aaaa"), 0.0);
        assert!((entropy("abcd") - 2.0).abs() < 1e-9);
        assert!((entropy("aabb") - 1.0).abs() < 1e-9);
    }
}
