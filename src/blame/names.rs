//! Short model names for narrow columns: `claude-opus-4-5-20251101` → `opus-4.5`.
//!
//! The rules are fixed and documented (docs/blame.md) so the same id always gives the same
//! name on every machine:
//!
//! 1. Keep what follows the last `/` (provider prefixes such as `anthropic/` or `openai/`);
//!    for ids with an embedded vendor (`us.anthropic.claude-…`) start at `claude-`.
//! 2. Drop a Vertex `@…` suffix and a Bedrock `-vN` / `-vN:M` / `:N` suffix.
//! 3. Drop a trailing date: `-YYYYMMDD` or `-YYYY-MM-DD`.
//! 4. Claude ids only: drop `claude-`, join runs of short numbers with `.` (`4-5` → `4.5`),
//!    and put the family before the version when the id has it after (`3-5-sonnet` →
//!    `sonnet-3.5`).
//! 5. Everything else stays as it is (`gpt-5-codex`, `gpt-5.1-codex-max`, `o3`).

/// The short display name of a model id.
pub fn short_model(id: &str) -> String {
    let mut s = id.trim();
    if let Some(i) = s.rfind('/') {
        s = &s[i + 1..];
    }
    if let Some(i) = s.find("claude-")
        && i > 0
        && s[..i].ends_with('.')
    {
        s = &s[i..];
    }
    if let Some(i) = s.find('@') {
        s = &s[..i];
    }
    s = strip_bedrock_version(s);
    s = strip_date(s);
    match s.strip_prefix("claude-") {
        Some(rest) if !rest.is_empty() => claude_name(rest),
        _ => s.to_string(),
    }
}

/// `x-v1:0` → `x`, `x-v2` → `x`, `x:0` → `x`.
fn strip_bedrock_version(s: &str) -> &str {
    let mut s = s;
    if let Some((head, tail)) = s.rsplit_once(':')
        && !tail.is_empty()
        && tail.bytes().all(|b| b.is_ascii_digit())
    {
        s = head;
    }
    if let Some((head, tail)) = s.rsplit_once("-v")
        && !tail.is_empty()
        && tail.bytes().all(|b| b.is_ascii_digit())
    {
        s = head;
    }
    s
}

fn strip_date(s: &str) -> &str {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    // -YYYYMMDD
    if b.len() > 9 && b[b.len() - 9] == b'-' && digits(b.len() - 8..b.len()) {
        return &s[..s.len() - 9];
    }
    // -YYYY-MM-DD
    let n = b.len();
    if n > 11
        && b[n - 11] == b'-'
        && digits(n - 10..n - 6)
        && b[n - 6] == b'-'
        && digits(n - 5..n - 3)
        && b[n - 3] == b'-'
        && digits(n - 2..n)
    {
        return &s[..n - 11];
    }
    s
}

fn claude_name(rest: &str) -> String {
    let is_num = |t: &str| !t.is_empty() && t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit());
    // Tokens with runs of short numbers joined: ["opus", "4.5"], ["3.5", "sonnet"].
    let mut tokens: Vec<String> = Vec::new();
    let mut prev_num = false;
    for t in rest.split('-') {
        let num = is_num(t);
        match tokens.last_mut() {
            Some(last) if num && prev_num => {
                last.push('.');
                last.push_str(t);
            }
            _ => tokens.push(t.to_string()),
        }
        prev_num = num;
    }
    let version_first = tokens.len() >= 2
        && tokens[0].bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && tokens[1].bytes().all(|b| b.is_ascii_alphabetic());
    if version_first {
        tokens.swap(0, 1);
    }
    tokens.join("-")
}

#[cfg(test)]
mod tests {
    use super::short_model;

    #[test]
    fn claude_ids_lose_vendor_and_date() {
        let cases = [
            ("claude-opus-4-5-20251101", "opus-4.5"),
            ("claude-sonnet-4-5-20250929", "sonnet-4.5"),
            ("claude-sonnet-4-20250514", "sonnet-4"),
            ("claude-opus-4-1-20250805", "opus-4.1"),
            ("claude-haiku-4-5", "haiku-4.5"),
            ("claude-3-5-sonnet-20241022", "sonnet-3.5"),
            ("claude-3-7-sonnet-20250219", "sonnet-3.7"),
            ("claude-3-opus-20240229", "opus-3"),
            ("anthropic/claude-opus-4.5", "opus-4.5"),
            ("claude-opus-4-5@20251101", "opus-4.5"),
            ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "sonnet-4.5"),
        ];
        for (id, want) in cases {
            assert_eq!(short_model(id), want, "{id}");
        }
    }

    #[test]
    fn other_ids_keep_their_name() {
        let cases = [
            ("gpt-5-codex", "gpt-5-codex"),
            ("gpt-5.1-codex-max", "gpt-5.1-codex-max"),
            ("openai/gpt-5", "gpt-5"),
            ("o3-2025-04-16", "o3"),
            ("gpt-4o-2024-08-06", "gpt-4o"),
            ("<synthetic>", "<synthetic>"),
            ("claude-", "claude-"),
            ("", ""),
        ];
        for (id, want) in cases {
            assert_eq!(short_model(id), want, "{id}");
        }
    }
}
