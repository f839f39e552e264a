//! Browsing what was captured beyond the timeline: the diff of a session's edits
//! (`session ID --diff [EDIT]`), the commits a session's edits landed in (`session ID
//! --commits`), and the approaches rejected across sessions (`rejected`), as text and JSON.

use crate::error::{Error, Result, out_err};
use crate::model::{Edit, EditOp, Event, EventKind, Millis, Session};
use crate::sessions::{CallStatus, call_statuses};
use crate::store::Store;
use crate::ui::{Paint, excerpt};
use crate::util::git::Repo;
use crate::util::timefmt;
use serde_json::{Value, json};
use std::io::Write;

/// A session's edits, numbered from 1 in timeline order, with how each call ended.
fn numbered_edits(events: &[Event]) -> Vec<(usize, &Event, &Edit, Option<CallStatus>)> {
    let status = call_statuses(events);
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Edit(ed) => Some((e, ed)),
            _ => None,
        })
        .enumerate()
        .map(|(i, (e, ed))| {
            let st = ed.call_id.as_deref().and_then(|c| status.get(c)).cloned();
            (i + 1, e, ed, st)
        })
        .collect()
}

fn status_word(st: &Option<CallStatus>) -> String {
    match st {
        None => "pending".into(),
        Some(CallStatus::Ok(_)) => "applied".into(),
        Some(CallStatus::Failed(..)) => "failed".into(),
        Some(CallStatus::Rejected(Some(r))) => format!("rejected: \"{}\"", excerpt(r, 80)),
        Some(CallStatus::Rejected(None)) => "rejected".into(),
    }
}

/// The unified diff of one edit, `a/FILE` → `b/FILE`.
fn edit_diff(ed: &Edit, file: &str) -> String {
    let (before, after) = match ed.op {
        EditOp::Delete => (ed.before.as_str(), ""),
        _ => (ed.before.as_str(), ed.after.as_str()),
    };
    let to = ed.move_to.as_deref().unwrap_or(file);
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{file}"), &format!("b/{to}"))
        .to_string()
}

/// `session ID --diff [EDIT]`: every edit's diff, or one (its number in the session, or a
/// prefix of its event id).
pub fn print_diffs(
    store: &Store,
    session: &Session,
    which: Option<&str>,
    rel: &dyn Fn(&str) -> String,
    json: bool,
    paint: Paint,
    out: &mut dyn Write,
) -> Result<()> {
    let events = store.events(&session.info.id)?;
    let edits = numbered_edits(&events);
    let chosen: Vec<_> = match which {
        None => edits.iter().collect(),
        Some(w) => {
            let hit: Vec<_> = edits
                .iter()
                .filter(|(n, e, ..)| match w.parse::<usize>() {
                    // All digits: a number, even if some event id starts with those digits.
                    Ok(k) => k == *n,
                    Err(_) => e.id.starts_with(w),
                })
                .collect();
            if hit.len() != 1 {
                let what = if hit.is_empty() {
                    "no"
                } else {
                    "more than one"
                };
                return Err(Error::user(format!(
                    "{what} edit '{w}' in session {} ({} edits)",
                    session.info.id,
                    edits.len()
                ))
                .with_hint("give the edit's number (1 is the first) or its event id"));
            }
            hit
        }
    };
    if json {
        let v: Vec<Value> = chosen
            .iter()
            .map(|(n, e, ed, st)| {
                let file = rel(&ed.path);
                json!({"number": n, "id": e.id, "at": timefmt::rfc3339(e.at), "file": file,
                       "tool": ed.tool, "status": status_word(st), "diff": edit_diff(ed, &file)})
            })
            .collect();
        return write_json(out, &Value::Array(v));
    }
    for (n, e, ed, st) in chosen {
        let file = rel(&ed.path);
        let at = e.at.map_or_else(|| "time unknown".into(), timefmt::local);
        let head = format!(
            "edit {n} of {}  {file} ({})  {at}  {}",
            edits.len(),
            ed.tool,
            status_word(st)
        );
        writeln!(out, "{}", paint.bold(&head)).map_err(out_err)?;
        if ed.op == EditOp::Write {
            let note =
                "(the whole file was written; its previous content is not in the transcript)";
            writeln!(out, "{}", paint.dim(note)).map_err(out_err)?;
        }
        for line in edit_diff(ed, &file).lines() {
            let shown = match line.as_bytes().first() {
                Some(b'+') if !line.starts_with("+++") => paint.green(line),
                Some(b'-') if !line.starts_with("---") => paint.red(line),
                Some(b'@') => paint.cyan(line),
                _ => line.to_string(),
            };
            writeln!(out, "{shown}").map_err(out_err)?;
        }
        writeln!(out).map_err(out_err)?;
    }
    Ok(())
}

fn write_json(out: &mut dyn Write, v: &Value) -> Result<()> {
    let text = serde_json::to_string_pretty(v).map_err(|e| Error::other_from("json", e))?;
    writeln!(out, "{text}").map_err(out_err)
}

/// `session ID --commits`: the commits this session's edits were bound to (by the hook,
/// `bind` or `backfill`), oldest first, with the files and how many edits.
pub fn print_commits(
    store: &Store,
    repo: &Repo,
    session: &Session,
    rel: &dyn Fn(&str) -> String,
    json: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let events = store.events(&session.info.id)?;
    // commit -> (edits, files)
    let mut by_commit: Vec<(String, usize, Vec<String>)> = Vec::new();
    for (_, e, ed, st) in numbered_edits(&events) {
        // A declined or failed edit is settled by the commit's note too, but never landed.
        if !matches!(st, Some(CallStatus::Ok(_))) {
            continue;
        }
        let Some(commit) = store.bound_commit(&e.id)? else {
            continue;
        };
        let file = rel(&ed.path);
        match by_commit.iter_mut().find(|(c, ..)| *c == commit) {
            Some((_, n, files)) => {
                *n += 1;
                if !files.contains(&file) {
                    files.push(file);
                }
            }
            None => by_commit.push((commit, 1, vec![file])),
        }
    }
    let mut rows = Vec::new();
    for (commit, edits, files) in by_commit {
        // A commit rewritten away without post-rewrite (or garbage-collected) is skipped.
        let Some(line) = repo.git_opt(&["log", "-1", "--format=%ct%x09%h%x09%s", &commit])? else {
            continue;
        };
        let mut parts = line.trim().splitn(3, '\t');
        let time: i64 = parts.next().and_then(|t| t.parse().ok()).unwrap_or(0);
        let short = parts.next().unwrap_or_default().to_string();
        let subject = parts.next().unwrap_or_default().to_string();
        rows.push((time * 1000, commit, short, subject, edits, files));
    }
    rows.sort_by_key(|r| r.0);
    if json {
        let v: Vec<Value> = rows
            .iter()
            .map(|(t, c, _, s, n, f)| {
                json!({"commit": c, "date": timefmt::rfc3339(Some(*t)), "subject": s, "edits": n, "files": f})
            })
            .collect();
        return write_json(out, &Value::Array(v));
    }
    if rows.is_empty() {
        return writeln!(out, "no commit has this session's edits yet").map_err(out_err);
    }
    for (t, _, short, subject, n, files) in rows {
        let edits = if n == 1 {
            "1 edit".into()
        } else {
            format!("{n} edits")
        };
        writeln!(
            out,
            "{short}  {}  {subject}  ({edits}: {})",
            timefmt::local(t),
            files.join(", ")
        )
        .map_err(out_err)?;
    }
    Ok(())
}

/// One rejected approach: a declined tool call or plan, with the reason typed.
struct Rejected {
    at: Option<Millis>,
    session: String,
    agent: String,
    what: String,
    reason: Option<String>,
}

/// The rejections of one session: each declined call described by the call it declined.
fn rejections_of(
    store: &Store,
    session: &Session,
    rel: &dyn Fn(&str) -> String,
) -> Result<Vec<Rejected>> {
    let events = store.events(&session.info.id)?;
    let mut out = Vec::new();
    for e in &events {
        let EventKind::Rejection { call_id, reason } = &e.kind else {
            continue;
        };
        let call = call_id.as_deref().and_then(|c| {
            events
                .iter()
                .find(|o| o.id != e.id && o.kind.call_id() == Some(c))
        });
        let what = match call.map(|c| &c.kind) {
            Some(EventKind::Edit(ed)) => format!("edit {} ({})", rel(&ed.path), ed.tool),
            Some(EventKind::Command { command, .. }) => {
                format!("command `{}`", excerpt(command, 70))
            }
            Some(EventKind::PlanVerdict { plan, .. }) => format!("plan: {}", excerpt(plan, 70)),
            _ => "a tool call".to_string(),
        };
        out.push(Rejected {
            at: e.at,
            session: session.info.id.clone(),
            agent: session.agent.to_string(),
            what,
            reason: reason.clone(),
        });
    }
    Ok(out)
}

/// `rejected [--since]`: rejected approaches across this repository's sessions, newest first.
pub fn print_rejected(
    store: &Store,
    since: Option<Millis>,
    rel: &dyn Fn(&str) -> String,
    json: bool,
    paint: Paint,
    out: &mut dyn Write,
) -> Result<()> {
    let mut all = Vec::new();
    for s in store.sessions(None)? {
        if s.rejected == 0 {
            continue;
        }
        all.extend(rejections_of(store, &s.session, rel)?);
    }
    all.retain(|r| since.is_none_or(|t| r.at.is_some_and(|a| a >= t)));
    all.sort_by_key(|r| std::cmp::Reverse(r.at));
    if json {
        let v: Vec<Value> = all
            .iter()
            .map(|r| {
                json!({"at": timefmt::rfc3339(r.at), "session": r.session, "agent": r.agent,
                       "what": r.what, "reason": r.reason})
            })
            .collect();
        return write_json(out, &Value::Array(v));
    }
    if all.is_empty() {
        return writeln!(out, "no rejected approaches").map_err(out_err);
    }
    for r in all {
        let at = r.at.map_or_else(|| "time unknown".into(), timefmt::local);
        let reason = r.reason.as_deref().map_or_else(
            || paint.dim("(no reason given)"),
            |t| format!("\"{}\"", excerpt(t, 100)),
        );
        writeln!(
            out,
            "{}  {} {}  {}\n    {}",
            paint.dim(&at),
            r.agent,
            paint.yellow(&r.session[..r.session.len().min(8)]),
            r.what,
            reason
        )
        .map_err(out_err)?;
    }
    Ok(())
}
