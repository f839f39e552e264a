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
//! - **Clean text is cheap.** Most text holds no secret. One pass of two literal automata (the
//!   keywords every shape needs, case-sensitive and not) finds the shapes whose keywords occur;
//!   only those run. Clean text is returned borrowed.
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

/// The kind label of values of high entropy assigned to names that contain a secret word.
pub const GENERIC_KIND: &str = "secret-generic";

/// The capture group name that, in a configured pattern, marks the part to redact (the whole
/// match is redacted when the pattern has no such group).
pub const SECRET_GROUP: &str = "secret";

/// Replaces secrets in text. Cheap to clone (shared, immutable inside); `Send + Sync`.
#[derive(Clone)]
pub struct Redactor {
    inner: Arc<Inner>,
}

struct Inner {
    /// The keyword automata, built on the first text to redact (a hook that redacts nothing
    /// should not pay for them).
    keywords: std::sync::OnceLock<Option<Keywords>>,
    /// Their sources: (any exact, any case-insensitive, one set entry per rule).
    keyword_sources: (String, String, Vec<String>),
    /// Every built-in keyword with its rule's index and whether it ignores case.
    keyword_list: Vec<(String, usize, bool)>,
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

/// Which built-in rules' keywords occur in a text.
///
/// One overlapping pass of two literal automata (case-sensitive keywords, and keywords
/// matched ignoring ASCII case) finds every rule whose keywords occur. Building them costs
/// far less than compiling the keyword regexes and their `RegexSet`, which every hook run and
/// every query's output paid, and the pass is faster than the set's. The regexes stay for
/// the texts where ASCII case folding is not the regex crate's (Unicode) case folding: the
/// only characters outside ASCII that fold to an ASCII letter are KELVIN SIGN (k) and LATIN
/// SMALL LETTER LONG S (s), the two in code-point order — a test checks this over every code point.
struct Keywords {
    exact: aho_corasick::AhoCorasick,
    /// Pattern index → rule index, for `exact` and `nocase`.
    exact_rules: Vec<usize>,
    nocase: aho_corasick::AhoCorasick,
    nocase_rules: Vec<usize>,
    /// The regex matchers, for texts holding a character that folds to ASCII only under
    /// Unicode rules; compiled only when such a text comes.
    fallback: std::sync::OnceLock<Option<Fallback>>,
}

/// The keyword regexes: any exact keyword, any case-insensitive one, and one set entry per
/// built-in rule (same index as `rules`).
struct Fallback {
    any_exact: Regex,
    any_nocase: Regex,
    which: RegexSet,
}

/// Characters outside ASCII that Unicode simple case folding maps to an ASCII letter: a
/// `(?i)` regex keyword matches them where an ASCII-case-insensitive literal does not.
const NON_ASCII_FOLDS: [char; 2] = ['\u{17F}', '\u{212A}'];

impl Inner {
    fn keywords(&self) -> Option<&Keywords> {
        self.keywords
            .get_or_init(|| {
                let build = |nocase: bool| {
                    let (words, rules): (Vec<&str>, Vec<usize>) = self
                        .keyword_list
                        .iter()
                        .filter(|(_, _, n)| *n == nocase)
                        .map(|(k, i, _)| (k.as_str(), *i))
                        .unzip();
                    let ac = aho_corasick::AhoCorasick::builder()
                        .ascii_case_insensitive(nocase)
                        .build(words)
                        .ok()?;
                    Some((ac, rules))
                };
                let (exact, exact_rules) = build(false)?;
                let (nocase, nocase_rules) = build(true)?;
                Some(Keywords {
                    exact,
                    exact_rules,
                    nocase,
                    nocase_rules,
                    fallback: std::sync::OnceLock::new(),
                })
            })
            .as_ref()
    }

    /// The indexes of the built-in rules whose keywords occur in `text`, ascending.
    fn rules_for(&self, text: &str) -> Vec<usize> {
        let Some(kw) = self.keywords() else {
            return Vec::new();
        };
        if text.contains(NON_ASCII_FOLDS) {
            return self.rules_by_regex(kw, text);
        }
        let mut hit = vec![false; self.rules.len()];
        for (ac, rules) in [(&kw.exact, &kw.exact_rules), (&kw.nocase, &kw.nocase_rules)] {
            for m in ac.find_overlapping_iter(text) {
                if let Some(&rule) = rules.get(m.pattern().as_usize()) {
                    hit[rule] = true;
                }
            }
        }
        hit.iter()
            .enumerate()
            .filter_map(|(i, h)| h.then_some(i))
            .collect()
    }

    /// [`Inner::rules_for`] with the keyword regexes (Unicode case folding).
    fn rules_by_regex(&self, kw: &Keywords, text: &str) -> Vec<usize> {
        let fallback = kw.fallback.get_or_init(|| {
            let (exact, nocase, sets) = &self.keyword_sources;
            Some(Fallback {
                any_exact: Regex::new(exact).ok()?,
                any_nocase: Regex::new(nocase).ok()?,
                which: RegexSet::new(sets).ok()?,
            })
        });
        match fallback {
            Some(f) if f.any_exact.is_match(text) || f.any_nocase.is_match(text) => {
                f.which.matches(text).into_iter().collect()
            }
            _ => Vec::new(),
        }
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
    /// (quotes, placeholders, code references), see [`assignment_value`]. `strict`: the
    /// generic rule, whose value must also look random (see [`high_entropy`]).
    Assignment { strict: bool },
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
    /// An assignment judged strictly: the generic high-entropy rule.
    Generic,
}

mod rules;
mod writer;
use rules::SHAPES;
pub use writer::Redacting;

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
        // Keywords are looked up on the input: replacements only remove text, so a rule whose
        // keywords are absent from the input cannot match later.
        for i in inner.rules_for(text) {
            if let Some(rule) = inner.rules.get(i)
                && let Some(replaced) = rule.apply(&out)
            {
                out = Cow::Owned(replaced);
            }
        }
        for rule in &inner.custom {
            if let Some(replaced) = rule.apply(&out) {
                out = Cow::Owned(replaced);
            }
        }
        out
    }

    /// Build the keyword matchers now rather than on the first text, for a caller that has
    /// time to spare (blame, while git blames on another core). Changes no result.
    pub fn prepare(&self) {
        self.inner.keywords();
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
    let mut keyword_list = Vec::new();
    for (index, shape) in SHAPES.iter().enumerate() {
        let how = match shape.how {
            ShapeHow::Whole => How::Group {
                group: 0,
                check: None,
            },
            ShapeHow::Group(group, check) => How::Group { group, check },
            ShapeHow::Assignment => How::Assignment { strict: false },
            ShapeHow::Generic => How::Assignment { strict: true },
        };
        rules.push(Rule {
            kind: shape.kind,
            pattern: shape.pattern.to_string(),
            re: std::sync::OnceLock::new(),
            how,
        });
        keyword_list.extend(
            shape
                .keywords
                .iter()
                .map(|k| (k.to_string(), index, shape.keywords_nocase)),
        );
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
            keyword_list,
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
            How::Assignment { strict } => {
                let mut consumed = 0;
                for caps in re.captures_iter(text) {
                    let (Some(whole), Some(name), Some(sep)) =
                        (caps.get(0), caps.get(1), caps.get(2))
                    else {
                        continue;
                    };
                    // `arn:aws:secretsmanager:…:secret:prod/db`: a segment of a colon-separated
                    // name (ARN, URN), not an assignment.
                    if whole.start() < consumed || in_arn(text, name.start()) {
                        continue;
                    }
                    if let Some((start, end)) =
                        assignment_value(text, name.as_str(), sep.as_str(), whole.end())
                        && (!strict || high_entropy(&text[start..end]))
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
            // A quoted value with spaces is a message ("invalid token"), not a secret, except
            // a passphrase in a shell or env-file assignment (`PASSWORD="correct horse …"`).
            let spaces_ok = is_password_name(name) && !name.bytes().any(|b| b.is_ascii_lowercase());
            let secret = (spaces_ok || !value.contains(char::is_whitespace))
                && plausible_secret(value, true)
                && (is_password_name(name) || !is_reference(value));
            return secret.then_some((start, start + len));
        }
        // No closing quote on this line: judge what follows like an unquoted value.
        return unquoted_value(text, name, at + open_len, true);
    }
    unquoted_value(text, name, at, env_style)
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

fn unquoted_value(text: &str, name: &str, start: usize, literal: bool) -> Option<(usize, usize)> {
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
    (plausible_secret(value, literal) && (is_password_name(name) || !is_reference(value)))
        .then_some((start, start + value.len()))
}

/// Whether the word starting at `at` is a segment of an ARN or URN (`arn:aws:…:secret:x`).
fn in_arn(text: &str, at: usize) -> bool {
    let before = &text[..at];
    if !before.ends_with(':') {
        return false;
    }
    let start = before
        .rfind(|c: char| c.is_whitespace() || "'\"`=,([{".contains(c))
        .map_or(0, |i| i + 1);
    let token = before[start..].to_ascii_lowercase();
    token.starts_with("arn:") || token.starts_with("urn:")
}

/// Whether an assignment's name is a password's (whose value may be made of words).
fn is_password_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("passw") || lower.contains("passphrase") || lower.ends_with("pwd")
}

/// A value made of lower-case words joined by `-`, `_`, `.` or `/` (`postgres-credentials`,
/// `sha256_hmac_signature_v2`, `prod/db-password`): the *name* of a secret held elsewhere
/// (a Kubernetes Secret, a vault path, an algorithm), not a secret.
fn is_reference(value: &str) -> bool {
    let segments: Vec<&str> = value.split(['-', '_', '.', '/']).collect();
    segments.len() >= 2
        && segments.iter().all(|seg| {
            let letters = seg.trim_end_matches(|c: char| c.is_ascii_digit());
            let digits = seg.len() - letters.len();
            digits <= 3
                && (letters.is_empty() && digits > 0
                    || !letters.is_empty()
                        && letters.len() <= 14
                        && letters.bytes().all(|b| b.is_ascii_lowercase()))
        })
}

/// The generic rule's extra test: long enough, letters and digits, random-looking, and not a
/// git object id, digest, UUID or colour (identifiers code assigns to `*_token_id` names).
fn high_entropy(value: &str) -> bool {
    let v = value.trim_matches(['"', '\'', '`']);
    let hex = v.bytes().all(|b| b.is_ascii_hexdigit());
    let uuid = v.len() == 36
        && v.bytes().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        });
    // A path (`~/.ssh/id_ed25519`, `./certs/key.pem`) names where a secret is kept.
    let path = v.starts_with(['~', '/', '.']);
    let identifier = path || uuid || hex && matches!(v.len(), 32 | 40 | 64);
    v.len() >= 16
        && !identifier
        && v.bytes().any(|b| b.is_ascii_digit())
        && v.bytes().any(|b| b.is_ascii_alphabetic())
        && entropy(v) >= 3.5
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
    // A colour (`--accent-token: #1e90ff`).
    if let Some(hex) = value.strip_prefix('#')
        && matches!(hex.len(), 3 | 4 | 6 | 8)
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
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
            "null"
                | "none"
                | "nil"
                | "true"
                | "false"
                | "undefined"
                | "string"
                | "required"
                | "changeme"
                | "change_me"
                | "changeit"
                | "example"
                | "placeholder"
                | "dummy"
                | "redacted"
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
mod tests;
