//! `git drift sessions` (one line per captured session) and `git drift session ID` (the
//! timeline of one session), as text and as JSON.

use crate::error::Result;
use crate::error::out_err;
use crate::model::{Edit, EditOp, Event, EventKind, Session};
use crate::store::{SessionSummary, Store};
use crate::ui::{Paint, excerpt};
use crate::util::text::ShortIds;
use crate::util::timefmt;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Write;

/// The JSON object for one session (the `sessions --json` contract).
pub fn session_json(s: &SessionSummary) -> Value {
    let i = &s.session.info;
    json!({
        "id": i.id,
        "agent": s.session.agent.as_str(),
        "model": i.model,
        "started": timefmt::rfc3339(i.started),
        "ended": timefmt::rfc3339(i.ended),
        "cwd": i.cwd,
        "branch": i.branch,
        "parent": i.parent_id,
        "prompts": s.prompts,
        "edits": s.edits,
        "rejected": s.rejected,
        "commands": s.commands,
        "first_prompt": s.first_prompt,
    })
}

/// Print the session list.
pub fn print_sessions(
    list: &[SessionSummary],
    json: bool,
    ids: &ShortIds,
    paint: Paint,
    out: &mut dyn Write,
) -> Result<()> {
    if json {
        let arr: Vec<Value> = list.iter().map(session_json).collect();
        let text = serde_json::to_string_pretty(&arr).unwrap_or_default();
        return writeln!(out, "{text}").map_err(out_err);
    }
    if list.is_empty() {
        return writeln!(
            out,
            "no sessions captured for this repository yet (run `git drift capture`)"
        )
        .map_err(out_err);
    }
    let rows: Vec<[String; 9]> = list
        .iter()
        .map(|s| {
            let i = &s.session.info;
            [
                ids.get(&i.id).to_string(),
                s.session.agent.to_string(),
                i.model.clone().unwrap_or_else(|| "-".into()),
                i.started.map_or("-".into(), timefmt::local),
                match (i.started, i.ended) {
                    (Some(a), Some(b)) => timefmt::duration(b - a),
                    _ => "-".into(),
                },
                s.prompts.to_string(),
                s.edits.to_string(),
                s.rejected.to_string(),
                i.branch.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let header = [
        "ID", "AGENT", "MODEL", "STARTED", "TIME", "PROMPTS", "EDITS", "REJECTED", "BRANCH",
    ];
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| -> String {
        cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(
        out,
        "{}  FIRST PROMPT",
        paint.bold(&line(header.iter().map(|s| s.to_string()).collect()))
    )
    .map_err(out_err)?;
    for (r, s) in rows.into_iter().zip(list) {
        let first = s
            .first_prompt
            .as_deref()
            .map(|p| excerpt(p, 60))
            .unwrap_or_default();
        let mut cells = r.to_vec();
        cells[0] = paint.yellow(&cells[0]);
        // Padding is computed on the plain text; colour codes would break the widths.
        let text = line(r.to_vec()).replacen(&r[0], &cells[0], 1);
        writeln!(out, "{text}  {first}").map_err(out_err)?;
    }
    Ok(())
}

/// How a tool call ended.
#[derive(Debug, Clone, PartialEq)]
pub enum CallStatus {
    Ok(Option<i32>),
    Failed(Option<i32>, Option<String>),
    Rejected(Option<String>),
}

/// The status of every call id in a session's events.
pub fn call_statuses(events: &[Event]) -> HashMap<String, CallStatus> {
    let mut map = HashMap::new();
    for e in events {
        match &e.kind {
            EventKind::Outcome {
                call_id,
                ok,
                exit_code,
                output_tail,
            } => {
                let st = if *ok {
                    CallStatus::Ok(*exit_code)
                } else {
                    CallStatus::Failed(*exit_code, output_tail.clone())
                };
                map.insert(call_id.clone(), st);
            }
            EventKind::Rejection {
                call_id: Some(id),
                reason,
            } => {
                map.insert(id.clone(), CallStatus::Rejected(reason.clone()));
            }
            _ => {}
        }
    }
    map
}

/// Added and removed line counts of an edit.
pub fn edit_lines(e: &Edit) -> (usize, usize) {
    let count = |s: &str| s.lines().count();
    match e.op {
        EditOp::Delete => (0, count(&e.before)),
        _ => (count(&e.after), count(&e.before)),
    }
}

/// Print one session's timeline.
pub fn print_session(
    store: &Store,
    session: &Session,
    root: &std::path::Path,
    json: bool,
    paint: Paint,
    out: &mut dyn Write,
) -> Result<()> {
    let events = store.events(&session.info.id)?;
    let status = call_statuses(&events);
    let tokens = store.usage_totals(&session.info.id)?;
    let rel = |p: &str| crate::util::text::relative(p, root).unwrap_or_else(|| p.to_string());
    if json {
        let v = session_detail_json(session, &events, &status, tokens, &rel);
        let text = serde_json::to_string_pretty(&v).unwrap_or_default();
        return writeln!(out, "{text}").map_err(out_err);
    }
    let i = &session.info;
    writeln!(
        out,
        "{} {}  {}  {}",
        paint.bold("session"),
        paint.yellow(&i.id),
        session.agent,
        i.model.as_deref().unwrap_or("-")
    )
    .map_err(out_err)?;
    let span = timefmt::span(i.started, i.ended);
    // No usage record at all means the transcript never said (not that nothing was used).
    let known = events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Usage { .. }));
    let tokens = if known {
        token_line(&tokens)
    } else {
        "unknown".to_string()
    };
    writeln!(
        out,
        "  branch {}  cwd {}\n  {}  tokens {tokens}\n",
        i.branch.as_deref().unwrap_or("-"),
        i.cwd.as_deref().unwrap_or("-"),
        span,
    )
    .map_err(out_err)?;
    for e in &events {
        let at = e.at.map_or("--:--:--".into(), timefmt::local_time);
        let call = e.kind.call_id().and_then(|c| status.get(c));
        if let Some(line) = event_line(&e.kind, call, paint, &rel) {
            writeln!(out, "{}  {line}", paint.dim(&at)).map_err(out_err)?;
        }
    }
    Ok(())
}

/// "234 in / 1200 out", with the cache traffic beside it when there was any: in long
/// sessions cache reads dwarf fresh input, and input alone would undercount what was used.
fn token_line(t: &crate::store::UsageTotals) -> String {
    let mut line = format!("{} in / {} out", t.input, t.output);
    if t.cache_read > 0 || t.cache_write > 0 {
        line.push_str(&format!(
            " / {} cache read / {} cache write",
            t.cache_read, t.cache_write
        ));
    }
    line
}

/// The `session --json` object: the session's facts, its tokens and its events (each with its
/// time, id, call status and repository-relative file).
fn session_detail_json(
    session: &Session,
    events: &[Event],
    status: &HashMap<String, CallStatus>,
    tokens: crate::store::UsageTotals,
    rel: &dyn Fn(&str) -> String,
) -> Value {
    let evs: Vec<Value> = events
        .iter()
        .filter(|e| !matches!(e.kind, EventKind::Usage { .. } | EventKind::Outcome { .. }))
        .map(|e| {
            let mut v = serde_json::to_value(&e.kind).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                m.insert("at".into(), json!(timefmt::rfc3339(e.at)));
                m.insert("id".into(), json!(e.id));
                if let Some(c) = e.kind.call_id() {
                    let st = match status.get(c) {
                        None => json!("pending"),
                        Some(CallStatus::Ok(code)) => json!({"ok": true, "exit_code": code}),
                        Some(CallStatus::Failed(code, _)) => {
                            json!({"ok": false, "exit_code": code})
                        }
                        Some(CallStatus::Rejected(r)) => json!({"rejected": true, "reason": r}),
                    };
                    m.insert("status".into(), st);
                }
                if let EventKind::Edit(ed) = &e.kind {
                    m.insert("file".into(), json!(rel(&ed.path)));
                }
            }
            v
        })
        .collect();
    let i = &session.info;
    json!({
        "id": i.id, "agent": session.agent.as_str(), "model": i.model,
        "started": timefmt::rfc3339(i.started), "ended": timefmt::rfc3339(i.ended),
        "cwd": i.cwd, "branch": i.branch, "parent": i.parent_id,
        "tokens": {
            "input": tokens.input,
            "output": tokens.output,
            "cache_read": tokens.cache_read,
            "cache_write": tokens.cache_write,
        },
        "events": evs,
    })
}

/// One line of the human timeline (without its time); `None` for events it does not show.
fn event_line(
    kind: &EventKind,
    call: Option<&CallStatus>,
    paint: Paint,
    rel: &dyn Fn(&str) -> String,
) -> Option<String> {
    let suffix = || match call {
        None => String::new(),
        Some(CallStatus::Ok(Some(code))) => format!("  exit {code}"),
        Some(CallStatus::Ok(None)) => "  ok".into(),
        Some(CallStatus::Failed(code, _)) => paint.red(&format!(
            "  failed{}",
            code.map(|c| format!(" (exit {c})")).unwrap_or_default()
        )),
        Some(CallStatus::Rejected(r)) => paint.red(&match r {
            Some(r) => format!("  REJECTED: \"{}\"", excerpt(r, 80)),
            None => "  REJECTED".into(),
        }),
    };
    Some(match kind {
        EventKind::Prompt { text } => {
            format!("{}  {}", paint.cyan("prompt   "), excerpt(text, 100))
        }
        EventKind::Reply { text } => format!("reply      {}", excerpt(text, 100)),
        EventKind::Reasoning { .. } | EventKind::Usage { .. } | EventKind::Outcome { .. } => {
            return None;
        }
        EventKind::Edit(ed) => {
            let (add, del) = edit_lines(ed);
            let moved = ed
                .move_to
                .as_deref()
                .map(|m| format!(" → {}", rel(m)))
                .unwrap_or_default();
            format!(
                "{}  {}{moved}  +{add} -{del}  ({}){}",
                paint.green("edit     "),
                rel(&ed.path),
                ed.tool,
                suffix()
            )
        }
        EventKind::Command { command, .. } => {
            format!("command    {}{}", excerpt(command, 90), suffix())
        }
        EventKind::Rejection {
            call_id: None,
            reason,
        } => paint.red(&format!(
            "rejected   {}",
            reason
                .as_deref()
                .map(|r| excerpt(r, 90))
                .unwrap_or_default()
        )),
        EventKind::Rejection { .. } => return None,
        EventKind::PlanVerdict { accepted: true, .. } => "plan       accepted".to_string(),
        EventKind::PlanVerdict { reason, .. } => paint.red(&format!(
            "plan       REJECTED{}",
            reason
                .as_deref()
                .map(|r| format!(": \"{}\"", excerpt(r, 80)))
                .unwrap_or_default()
        )),
        EventKind::Plan { items, explanation } => {
            let done = items.iter().filter(|p| p.status == "completed").count();
            let what = if items.is_empty() {
                explanation
                    .as_deref()
                    .map(|x| excerpt(x, 80))
                    .unwrap_or_default()
            } else {
                format!("{done}/{} done", items.len())
            };
            format!("plan       {what}")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::token_line;
    use crate::store::UsageTotals;

    /// Issue 11 item 10: a real session showed "234 in" beside 17.2M cache-read tokens.
    #[test]
    fn token_line_shows_cache_traffic_beside_fresh_input() {
        let mut t = UsageTotals {
            input: 234,
            output: 2413,
            cache_read: 17_200_000,
            cache_write: 51_000,
        };
        assert_eq!(
            token_line(&t),
            "234 in / 2413 out / 17200000 cache read / 51000 cache write"
        );
        t.cache_read = 0;
        t.cache_write = 0;
        assert_eq!(token_line(&t), "234 in / 2413 out");
    }
}
