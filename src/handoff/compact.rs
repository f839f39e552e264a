//! `--llm`: send the deterministic brief and the session timeline behind it to an LLM that
//! rewrites it into the same sections, shorter. The header (metadata, title) and the
//! closing "How to continue" stay deterministic; the answer must contain the headings in
//! order or it is not used. Every failure (configuration, key, HTTP, a truncated or malformed
//! answer) is returned as a message; the caller then keeps the deterministic brief and says so.
//!
//! What is sent is redacted first: the working-tree snippets in the brief were never through
//! capture's redaction.

use super::extract::Brief;
use super::render::{self, SECTIONS};
use super::scope::Material;
use crate::config::LlmSettings;
use crate::llm::{LlmConfig, Provider};
use crate::model::{EventKind, Millis};
use crate::redact::Redactor;
use crate::sessions::{CallStatus, call_statuses};
use std::collections::HashMap;

/// At most this many characters of timeline go with the brief (the newest are kept).
const TIMELINE_CHARS: usize = 120_000;

/// The client configuration for `--llm [PROVIDER] [--model MODEL]`: the configured
/// `handoff.llm` when no provider is named or it names the configured one; another provider
/// starts from that provider's defaults (its endpoint, key variable and default model), since
/// the configured model and endpoint belong to the other one. `model` overrides either.
pub fn resolve_config(
    settings: &LlmSettings,
    provider: &str,
    model: Option<&str>,
) -> Result<LlmConfig, String> {
    let mut s = settings.clone();
    let provider = provider.trim();
    if !provider.is_empty() {
        let wanted = match provider {
            "anthropic" => Provider::Anthropic,
            "openai" => Provider::Openai,
            "ollama" => Provider::Ollama,
            other => {
                return Err(format!(
                    "unknown LLM provider '{other}' (valid: anthropic, openai, ollama)"
                ));
            }
        };
        if s.provider.is_some_and(|p| p != wanted) {
            s.model = None;
            s.base_url = None;
            s.api_key_env = None;
        }
        s.provider = Some(wanted);
    }
    if let Some(m) = model.map(str::trim).filter(|m| !m.is_empty()) {
        s.model = Some(m.to_string());
    }
    s.to_config()
}

/// A compacted brief and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Compacted {
    /// The whole brief: deterministic header, the model's sections, deterministic closing.
    pub text: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: Option<f64>,
    pub attempts: u32,
    /// `provider model`.
    pub label: String,
}

impl Compacted {
    /// One line for stderr: tokens, and the cost when prices are configured.
    pub fn report(&self) -> String {
        let cost = self
            .cost_usd
            .map(|c| format!(", cost ${c:.4}"))
            .unwrap_or_default();
        format!(
            "llm {}: {} input + {} output tokens{cost}",
            self.label, self.input_tokens, self.output_tokens
        )
    }
}

/// The instructions the model gets.
pub fn system_prompt(budget_tokens: usize) -> String {
    format!(
        "You compact handoff briefs. A brief lets one coding agent continue a task another \
         agent started. Answer with GitHub Markdown that has exactly these level-2 \
         headings, in this order, with nothing before the first: {}. Use only facts from the \
         brief and the timeline; never invent files, lines, commands or decisions. End every \
         item with its citation in square brackets exactly as the input writes it, e.g. \
         [claude-code 5b0c1f2e 09:30]. Merge duplicates and drop what no longer matters, but \
         keep: the goal and later redirections; decisions that stand; every rejected approach \
         with the user's reason; open items; the last failing command with its key error \
         lines; exact file paths with line numbers and the short code snippets that matter; \
         where to resume. Stay under {budget_tokens} tokens. Add no other section.",
        SECTIONS
            .iter()
            .map(|s| format!("## {s}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The user message: the brief, then the timeline it was built from.
pub fn user_message(
    brief_text: &str,
    material: &Material,
    root: &std::path::Path,
    multi_day: bool,
) -> String {
    format!(
        "Here is a handoff brief that git drift extracted from coding-agent sessions, then the \
         timeline of those sessions (oldest first). Rewrite the brief into the same sections, \
         shorter and clearer.\n\n<brief>\n{brief_text}\n</brief>\n\n<timeline>\n{}</timeline>\n",
        event_log(material, root, multi_day, TIMELINE_CHARS)
    )
}

/// Compact the brief with the configured model.
pub fn compact(
    cfg: &LlmConfig,
    brief: &Brief,
    deterministic: &str,
    material: &Material,
    redactor: &Redactor,
    budget_tokens: usize,
) -> Result<Compacted, String> {
    let key = crate::llm::resolve_key(cfg, |v| std::env::var(v).ok()).map_err(|e| e.to_string())?;
    let user = redactor
        .redact(&user_message(
            deterministic,
            material,
            &brief.meta.root,
            brief.multi_day(),
        ))
        .into_owned();
    let done = crate::llm::complete(cfg, key.as_deref(), &system_prompt(budget_tokens), &user)
        .map_err(|e| e.to_string())?;
    let used = format!(
        "(the call used {} input + {} output tokens)",
        done.input_tokens, done.output_tokens
    );
    if done.truncated {
        return Err(format!(
            "the answer was cut off at handoff.llm.max_tokens ({}) {used}",
            cfg.max_tokens
        ));
    }
    let body = sections_of(&done.text).ok_or_else(|| {
        format!(
            "the answer does not have the sections {} in order {used}",
            SECTIONS.join(", ")
        )
    })?;
    let label = format!("{} {}", cfg.provider, cfg.model);
    let text = format!(
        "{}{}\n{}",
        render::header(brief, Some(&label)),
        body.trim_end(),
        render::how_to_continue(brief)
    );
    Ok(Compacted {
        text: format!("{}\n", text.trim_end()),
        input_tokens: done.input_tokens,
        output_tokens: done.output_tokens,
        cost_usd: done.cost_usd,
        attempts: done.attempts,
        label,
    })
}

/// The sections of a model's answer with canonical headings, from `## Task` up to (not
/// including) any "How to continue"; `None` unless all appear in order ("Done" may be missing).
pub fn sections_of(answer: &str) -> Option<String> {
    let mut out = String::new();
    let mut next = 0;
    let mut started = false;
    for line in answer.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            // Tolerate numbering ("## 1. Task") and trailing colons.
            let name = h
                .trim()
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ')')
                .trim()
                .trim_end_matches(':')
                .trim();
            if name.to_lowercase().starts_with("how to continue") {
                break;
            }
            // The optional section may be skipped: match the one after it.
            if next < SECTIONS.len()
                && SECTIONS[next] == render::OPTIONAL
                && !name.eq_ignore_ascii_case(SECTIONS[next])
                && SECTIONS
                    .get(next + 1)
                    .is_some_and(|s| name.eq_ignore_ascii_case(s))
            {
                next += 1;
            }
            if next < SECTIONS.len() && name.eq_ignore_ascii_case(SECTIONS[next]) {
                if next > 0 || started {
                    out.push('\n');
                }
                out.push_str(&format!("## {}\n", SECTIONS[next]));
                next += 1;
                started = true;
                continue;
            }
        }
        if started {
            out.push_str(line);
            out.push('\n');
        }
    }
    (next == SECTIONS.len()).then(|| out.replace("\n\n\n", "\n\n"))
}

/// The sessions as one line per event, oldest first, newest kept within `max_chars`.
pub fn event_log(
    material: &Material,
    root: &std::path::Path,
    multi_day: bool,
    max_chars: usize,
) -> String {
    let mut rows: Vec<(Option<Millis>, usize, i64, String)> = Vec::new();
    for (s, sd) in material.sessions.iter().enumerate() {
        let status = call_statuses(&sd.events);
        let mut last = sd.session.info.started;
        for e in &sd.events {
            let at = e.at.or(last);
            last = at;
            let c = render::cite(
                &super::extract::Cite {
                    agent: sd.session.agent.as_str().into(),
                    session: sd.session.info.id.clone(),
                    at,
                    commit: None,
                },
                multi_day,
            );
            if let Some(line) = event_row(&c, &e.kind, &status, root) {
                rows.push((at, s, e.ord, line));
            }
        }
    }
    rows.sort_by_key(|(at, s, ord, _)| (at.unwrap_or(i64::MIN), *s, *ord));
    newest_rows(&rows, max_chars)
}

/// How a tool call ended, in a word or two.
fn call_word(call: Option<&str>, status: &HashMap<String, CallStatus>) -> String {
    match call.and_then(|c| status.get(c)) {
        Some(CallStatus::Ok(_)) => "ok".to_string(),
        Some(CallStatus::Failed(code, _)) => {
            format!(
                "failed{}",
                code.map(|c| format!(" exit {c}")).unwrap_or_default()
            )
        }
        Some(CallStatus::Rejected(_)) => "declined".into(),
        _ => "no result".into(),
    }
}

/// One line of the log for an event cited as `c`; `None` for kinds the log leaves out.
fn event_row(
    c: &str,
    kind: &EventKind,
    status: &HashMap<String, CallStatus>,
    root: &std::path::Path,
) -> Option<String> {
    let st = |call: Option<&str>| call_word(call, status);
    Some(match kind {
        EventKind::Prompt { text } if super::inject::is_injected(text) => {
            format!("{c} user: (an earlier handoff brief)")
        }
        EventKind::Prompt { text } => format!("{c} user: {}", crate::ui::excerpt(text, 600)),
        EventKind::Reply { text } => format!("{c} agent: {}", crate::ui::excerpt(text, 400)),
        EventKind::Edit(ed) => {
            let (a, d) = crate::sessions::edit_lines(ed);
            let path =
                crate::util::text::relative(&ed.path, root).unwrap_or_else(|| ed.path.clone());
            format!(
                "{c} edit {path} ({}) +{a} -{d} [{}]: {}",
                ed.tool,
                st(ed.call_id.as_deref()),
                crate::ui::excerpt(&ed.after, 200)
            )
        }
        EventKind::Command { call_id, command } => {
            let tail = match call_id.as_deref().and_then(|c| status.get(c)) {
                Some(CallStatus::Failed(_, Some(t))) => format!(
                    " :: {}",
                    crate::ui::excerpt(
                        &t.lines().rev().take(3).collect::<Vec<_>>().join(" / "),
                        300
                    )
                ),
                _ => String::new(),
            };
            format!(
                "{c} $ {} [{}]{tail}",
                crate::ui::excerpt(command, 200),
                st(call_id.as_deref())
            )
        }
        EventKind::Rejection { reason, .. } => format!(
            "{c} user declined a tool use: {}",
            reason
                .as_deref()
                .map(|r| crate::ui::excerpt(r, 300))
                .unwrap_or_else(|| "no reason given".into())
        ),
        EventKind::PlanVerdict {
            accepted, reason, ..
        } => match (accepted, reason) {
            (true, _) => format!("{c} user accepted the plan"),
            (false, Some(r)) => {
                format!("{c} user declined the plan: {}", crate::ui::excerpt(r, 300))
            }
            (false, None) => format!("{c} user declined the plan"),
        },
        EventKind::Plan { items, explanation } => {
            let list: Vec<String> = items
                .iter()
                .map(|i| {
                    let mark = match i.status.as_str() {
                        "completed" => "x",
                        "in_progress" => "~",
                        _ => " ",
                    };
                    format!("[{mark}] {}", crate::ui::excerpt(&i.text, 120))
                })
                .collect();
            match explanation {
                Some(x) if list.is_empty() => format!("{c} plan: {}", crate::ui::excerpt(x, 400)),
                _ => format!("{c} plan: {}", list.join("; ")),
            }
        }
        EventKind::Outcome { .. } | EventKind::Reasoning { .. } | EventKind::Usage { .. } => {
            return None;
        }
    })
}

/// The newest rows that fit in `max_chars`, oldest first, with a line saying how many were
/// left out.
fn newest_rows(rows: &[(Option<Millis>, usize, i64, String)], max_chars: usize) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut size = 0;
    for (.., line) in rows.iter().rev() {
        if size + line.len() + 1 > max_chars {
            break;
        }
        size += line.len() + 1;
        kept.push(line);
    }
    let mut out = String::new();
    if kept.len() < rows.len() {
        out.push_str(&format!(
            "({} earlier events left out)\n",
            rows.len() - kept.len()
        ));
    }
    for l in kept.into_iter().rev() {
        out.push_str(l);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_must_all_be_there_in_order() {
        let good = "Sure! Here it is.\n## 1. Task\nDo x [a b c]\n## Decided\n- y\n## Tried and rejected:\n- z\n## Open\n## Files in scope\n## Resume here\n- go\n## How to continue\n- nope\n";
        let s = sections_of(good).expect("all six");
        assert!(s.starts_with("## Task\nDo x [a b c]\n"), "{s}");
        assert!(s.contains("\n## Tried and rejected\n- z\n"));
        assert!(s.trim_end().ends_with("- go"), "{s}");
        assert!(!s.contains("nope") && !s.contains("Sure!"));
        let missing = "## Task\n## Decided\n## Open\n## Files in scope\n## Resume here\n";
        assert_eq!(sections_of(missing), None);
        let swapped = "## Decided\n## Task\n## Tried and rejected\n## Open\n## Files in scope\n## Resume here\n";
        assert_eq!(sections_of(swapped), None);
    }

    /// `--llm anthropic` without a model used to fail: each provider has a default model on
    /// its own endpoint, `--model` overrides, and naming another provider than the configured
    /// one uses that provider's defaults (issue 18 item 16).
    #[test]
    fn llm_provider_without_a_model_uses_the_default_model() {
        let mut s = LlmSettings::default();
        assert!(
            resolve_config(&s, "", None)
                .unwrap_err()
                .contains("handoff.llm.provider")
        );
        let c = resolve_config(&s, "anthropic", None).unwrap();
        assert_eq!(
            (c.provider, c.model.as_str()),
            (Provider::Anthropic, "claude-sonnet-4-5")
        );
        let c = resolve_config(&s, "ollama", Some("qwen3:8b")).unwrap();
        assert_eq!(
            (c.provider, c.model.as_str()),
            (Provider::Ollama, "qwen3:8b")
        );
        // A configured model and endpoint belong to the configured provider only.
        s.provider = Some(Provider::Openai);
        s.model = Some("deepseek-chat".into());
        s.base_url = Some("https://api.deepseek.com/v1".into());
        let c = resolve_config(&s, "", None).unwrap();
        assert_eq!(c.model, "deepseek-chat");
        let c = resolve_config(&s, "openai", Some("deepseek-reasoner")).unwrap();
        assert_eq!(c.base_url(), "https://api.deepseek.com/v1");
        assert_eq!(c.model, "deepseek-reasoner");
        let c = resolve_config(&s, "anthropic", None).unwrap();
        assert_eq!(c.model, "claude-sonnet-4-5");
        assert_eq!(c.base_url(), "https://api.anthropic.com");
        // Another endpoint has no default model.
        s.model = None;
        assert!(
            resolve_config(&s, "", None)
                .unwrap_err()
                .contains("pass --model")
        );
        assert!(
            resolve_config(&s, "gpt", None)
                .unwrap_err()
                .contains("unknown LLM provider")
        );
    }

    #[test]
    fn report_names_tokens_and_cost() {
        let c = Compacted {
            text: String::new(),
            input_tokens: 1200,
            output_tokens: 300,
            cost_usd: Some(0.0081),
            attempts: 1,
            label: "anthropic m".into(),
        };
        assert_eq!(
            c.report(),
            "llm anthropic m: 1200 input + 300 output tokens, cost $0.0081"
        );
    }
}
