//! What `git drift config` needs beyond loading: a key's effective value, which file set it,
//! "did you mean" for a mistyped key, and `set` as a line edit of the YAML that keeps every
//! comment and blank line.
//!
//! The setter is a small line editor rather than a YAML library: the files are block mappings
//! (the template `init` writes, or the user's own), the template's optional keys are comments
//! (`# model:`) that `set` should turn into the key, and the result is always re-read by the
//! real parser before it is written, so an edit that would not read back is refused instead
//! of written.

use super::{Config, Node};
use serde_saphyr::Spanned;

/// The effective value of `path` in `config`, as YAML would spell it; `None` when unset (or
/// not a key).
pub fn value_of(config: &Config, path: &str) -> Option<String> {
    let h = &config.handoff;
    let llm = &h.llm;
    let num = |n: Option<f64>| n.map(|v| v.to_string());
    match path {
        "privacy" => Some(config.privacy.to_string()),
        "redaction.extra_patterns" => Some(flow_list(&config.redaction.extra_patterns)),
        "handoff.to" => Some(h.to.to_string()),
        "handoff.brief_tokens" => Some(h.brief_tokens.to_string()),
        "handoff.llm.provider" => llm.provider.map(|p| p.to_string()),
        "handoff.llm.model" => llm.model.clone(),
        "handoff.llm.base_url" => llm.base_url.clone(),
        "handoff.llm.api_key_env" => llm.api_key_env.clone(),
        "handoff.llm.max_tokens" => Some(llm.max_tokens.to_string()),
        "handoff.llm.timeout_secs" => Some(llm.timeout_secs.to_string()),
        "handoff.llm.connect_timeout_secs" => Some(llm.connect_timeout_secs.to_string()),
        "handoff.llm.max_retries" => Some(llm.max_retries.to_string()),
        "handoff.llm.price_input_per_mtok" => num(llm.price_input_per_mtok),
        "handoff.llm.price_output_per_mtok" => num(llm.price_output_per_mtok),
        _ => {
            let rest = path.strip_prefix("agents.")?;
            let (name, key) = rest.rsplit_once('.')?;
            let agent = name.parse().ok()?;
            let a = config.agent(agent);
            match key {
                "enabled" => Some(a.enabled.to_string()),
                "home" => Some(a.home.display().to_string()),
                _ => None,
            }
        }
    }
}

fn flow_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// The known key (or section) a mistyped path most likely meant, segment by segment: each
/// unknown segment is replaced by its closest sibling, when one is close enough.
pub fn suggest(path: &str) -> Option<String> {
    let mut fixed: Vec<&str> = Vec::new();
    let mut changed = false;
    for seg in path.split('.') {
        let parent = fixed.join(".");
        let siblings = super::section_keys(&parent);
        if siblings.contains(&seg) {
            fixed.push(seg);
            continue;
        }
        let best = siblings
            .iter()
            .map(|s| (strsim::jaro_winkler(seg, s), *s))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))?;
        fixed.push(best.1);
        changed = true;
    }
    changed.then(|| fixed.join("."))
}

/// Whether the YAML `text` sets `path` (to anything, even empty).
pub fn sets(text: &str, path: &str) -> bool {
    let Ok(tree) = serde_saphyr::from_str::<Spanned<Node>>(text) else {
        return false;
    };
    let mut node = &tree.value;
    for seg in path.split('.') {
        let Node::Map(entries) = node else {
            return false;
        };
        match entries.iter().find(|(k, _)| k.value == seg) {
            Some((_, v)) => node = &v.value,
            None => return false,
        }
    }
    true
}

/// `value` as a YAML value: a list written `[...]` and plain words stay as they are, anything
/// else is single-quoted (so `#`, `: ` and leading symbols stay part of the value).
pub fn yaml_value(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.:/~+@-".contains(c))
        && !value.starts_with(['-', ':', '~', '@'])
        && !value.contains(": ");
    if plain || (value.starts_with('[') && value.ends_with(']')) {
        value.to_string()
    } else {
        quote(value)
    }
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// One line of a block mapping: its indentation and key, and whether it is a commented-out
/// key (`# model:`).
struct KeyLine<'a> {
    indent: usize,
    key: &'a str,
    commented: bool,
}

fn key_line(line: &str) -> Option<KeyLine<'_>> {
    let body = line.trim_start();
    let indent = line.len() - body.len();
    let (commented, body) = match body.strip_prefix('#') {
        Some(rest) => (true, rest.strip_prefix(' ')?),
        None => (false, body),
    };
    let (key, rest) = body.split_once(':')?;
    let key_ok = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    // A commented key has nothing after it but a value: prose ("# The model as …") is not one.
    let value_ok = rest.is_empty() || rest.starts_with(' ');
    let prose = commented && rest.trim().contains(' ') && !rest.trim().starts_with('[');
    (key_ok && value_ok && !prose).then_some(KeyLine {
        indent,
        key,
        commented,
    })
}

/// `text` with `path` set to the YAML `value`: the key's line replaced (a commented-out key
/// uncommented, the value of a key written as a block dropped), or the missing keys added at
/// the end of the deepest section that exists.
pub fn set_in_text(text: &str, path: &str, value: &str) -> String {
    let segs: Vec<&str> = path.split('.').collect();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // Walk the block structure: `depth` segments matched so far, `parent_indent` the indent
    // of the last matched key, `end` the line after the matched section's last line.
    let mut depth = 0;
    let mut indents: Vec<usize> = Vec::new();
    let mut end = lines.len();
    let mut commented_hit = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].clone();
        if line.trim().is_empty() {
            i += 1;
            continue;
        }
        let Some(k) = key_line(&line) else {
            i += 1;
            continue;
        };
        if !k.commented && depth > 0 && k.indent <= indents[depth - 1] {
            // Left the matched section before finding the next segment.
            end = section_end(&lines, i);
            break;
        }
        let wanted_indent_ok =
            depth == 0 && k.indent == 0 || depth > 0 && k.indent > indents[depth - 1];
        if wanted_indent_ok && k.key == segs[depth] {
            if k.commented {
                if depth + 1 == segs.len() && commented_hit.is_none() {
                    commented_hit = Some((i, k.indent));
                }
                i += 1;
                continue;
            }
            indents.push(k.indent);
            depth += 1;
            if depth == segs.len() {
                let child_end = block_end(&lines, i, k.indent);
                let prefix = " ".repeat(k.indent);
                let comment = trailing_comment(&line);
                lines.splice(
                    i..child_end,
                    [format!("{prefix}{}: {value}{comment}", k.key)],
                );
                return joined(lines);
            }
        }
        i += 1;
    }
    if let Some((at, indent)) = commented_hit {
        lines[at] = format!("{}{}: {value}", " ".repeat(indent), segs[segs.len() - 1]);
        return joined(lines);
    }
    if depth == 0 {
        end = lines.len();
    }
    let base = indents.last().map_or(0, |d| d + 2);
    let mut added = Vec::new();
    for (n, seg) in segs[depth..].iter().enumerate() {
        let pad = " ".repeat(base + 2 * n);
        if depth + n + 1 == segs.len() {
            added.push(format!("{pad}{seg}: {value}"));
        } else {
            added.push(format!("{pad}{seg}:"));
        }
    }
    // Before the blank lines that close the section, so sections stay visually apart.
    let mut at = end;
    while at > 0 && lines[at - 1].trim().is_empty() && depth > 0 {
        at -= 1;
    }
    lines.splice(at..at, added);
    joined(lines)
}

/// The index after the key at `at` and every line more indented than it (its block value).
fn block_end(lines: &[String], at: usize, indent: usize) -> usize {
    let mut j = at + 1;
    while j < lines.len() {
        let l = &lines[j];
        let body = l.trim_start();
        if !body.is_empty() && l.len() - body.len() <= indent {
            break;
        }
        j += 1;
    }
    // Trailing blank lines belong to what follows.
    while j > at + 1 && lines[j - 1].trim().is_empty() {
        j -= 1;
    }
    j
}

/// The ` # comment` after a plain value on a key's line (kept when the value is replaced); a
/// quoted value may hold `#` itself, so its line keeps nothing.
fn trailing_comment(line: &str) -> &str {
    let Some((_, rest)) = line.split_once(':') else {
        return "";
    };
    if rest.trim_start().starts_with(['\'', '"']) {
        return "";
    }
    match rest.find(" #") {
        Some(at) => {
            let before = rest[..at].trim_end();
            &rest[before.len()..]
        }
        None => "",
    }
}

/// Where the section being walked ends: the line `at` that left it, moved back over the
/// comments and blank lines that introduce the next section.
fn section_end(lines: &[String], at: usize) -> usize {
    let mut j = at;
    while j > 0 {
        let body = lines[j - 1].trim_start();
        let top_comment = body.starts_with('#') && lines[j - 1].len() - body.len() == 0;
        if body.is_empty() || top_comment {
            j -= 1;
        } else {
            break;
        }
    }
    j
}

fn joined(lines: Vec<String>) -> String {
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replaces_uncomments_and_adds() {
        let text = "# top\nagents:\n  codex:\n    # Capture Codex.\n    enabled: true  # on\n    # home: ~/.codex\n\nprivacy: summary\n";
        let t = set_in_text(text, "agents.codex.enabled", "false");
        assert!(
            t.contains("    enabled: false  # on\n") && t.contains("# Capture Codex."),
            "{t}"
        );
        let t = set_in_text(text, "agents.codex.home", "/srv/codex");
        assert!(
            t.contains("    home: /srv/codex\n") && !t.contains("# home"),
            "{t}"
        );
        let t = set_in_text(text, "privacy", "off");
        assert!(
            t.ends_with("privacy: off\n") && t.starts_with("# top\n"),
            "{t}"
        );
        let t = set_in_text(text, "agents.claude-code.enabled", "false");
        assert!(
            t.contains("    # home: ~/.codex\n  claude-code:\n    enabled: false\n\nprivacy"),
            "{t}"
        );
        let t = set_in_text(text, "handoff.llm.model", "m");
        assert!(
            t.ends_with("privacy: summary\nhandoff:\n  llm:\n    model: m\n"),
            "{t}"
        );
    }

    #[test]
    fn a_block_value_is_replaced_whole() {
        let text = "redaction:\n  extra_patterns:\n    - 'a'\n    - 'b'\nprivacy: off\n";
        let t = set_in_text(text, "redaction.extra_patterns", "['c']");
        assert_eq!(t, "redaction:\n  extra_patterns: ['c']\nprivacy: off\n");
    }

    #[test]
    fn values_are_quoted_when_yaml_would_misread_them() {
        assert_eq!(yaml_value("off"), "off");
        assert_eq!(
            yaml_value("http://127.0.0.1:8080/v1"),
            "http://127.0.0.1:8080/v1"
        );
        assert_eq!(yaml_value("a # b"), "'a # b'");
        assert_eq!(yaml_value("it's"), "'it''s'");
        assert_eq!(yaml_value("~/x y"), "'~/x y'");
        assert_eq!(yaml_value("['x[0-9]+']"), "['x[0-9]+']");
    }

    #[test]
    fn mistyped_keys_get_a_suggestion() {
        let s = |p: &str| suggest(p);
        assert_eq!(s("handoff.llm.modle").as_deref(), Some("handoff.llm.model"));
        assert_eq!(
            s("agents.codex.enabeld").as_deref(),
            Some("agents.codex.enabled")
        );
        assert_eq!(s("hadnoff.to").as_deref(), Some("handoff.to"));
        assert_eq!(s("agents.claude").as_deref(), Some("agents.claude-code"));
        assert_eq!(s("agents.codex.bogus"), None);
        assert_eq!(s("privacy"), None, "a known key needs no suggestion");
    }
}
