//! `git drift log` (per-commit multi-agent attribution) and `git drift show` (the sessions
//! behind one commit), read from the notes: the local ref plus fetched teammates' refs.

use crate::error::Result;
use crate::error::out_err;
use crate::notes::{self, Note, SessionRecord, Who};
use crate::ui::{Paint, excerpt, plural};
use crate::util::git::Repo;
use crate::util::git::parse_oid;
use crate::util::text::short_id;
use crate::util::timefmt;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;

/// One agent (and model) row of a commit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AgentRow {
    pub agent: String,
    pub model: Option<String>,
    pub sessions: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// Lines its sessions wrote (ai plus modified).
    pub lines: u64,
}

/// The attribution summary of one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitSummary {
    pub commit: String,
    pub subject: String,
    pub agents: Vec<AgentRow>,
    pub human: u64,
    pub modified: u64,
    pub has_note: bool,
}

/// Summarise a commit's note.
pub fn summarise(commit: &str, subject: &str, note: Option<&Note>) -> CommitSummary {
    let mut rows: BTreeMap<(String, Option<String>), AgentRow> = BTreeMap::new();
    let (mut human, mut modified) = (0, 0);
    if let Some(note) = note {
        let by = note.lines_by();
        human = by.total.human;
        modified = by.total.modified;
        for s in note.sessions.values() {
            let lines = by.session.get(&s.id).map_or(0, |c| c.ai + c.modified);
            let row = rows
                .entry((s.agent.clone(), s.model.clone()))
                .or_insert_with(|| AgentRow {
                    agent: s.agent.clone(),
                    model: s.model.clone(),
                    sessions: 0,
                    accepted: 0,
                    rejected: 0,
                    lines: 0,
                });
            row.sessions += 1;
            row.accepted += u64::from(s.accepted);
            row.rejected += u64::from(s.rejected);
            row.lines += lines;
        }
    }
    let mut agents: Vec<AgentRow> = rows.into_values().collect();
    agents.sort_by(|a, b| b.lines.cmp(&a.lines).then(a.agent.cmp(&b.agent)));
    CommitSummary {
        commit: commit.to_string(),
        subject: subject.to_string(),
        agents,
        human,
        modified,
        has_note: note.is_some(),
    }
}

/// The commits of `range` (default HEAD), newest first, with subjects.
pub fn commits(
    repo: &Repo,
    range: Option<&str>,
    max: Option<usize>,
) -> Result<Vec<(String, String)>> {
    let range = range.unwrap_or("HEAD");
    if range == "HEAD"
        && repo
            .git_opt(&["rev-parse", "--verify", "--quiet", "HEAD"])?
            .is_none()
    {
        return Ok(Vec::new());
    }
    let max = max.map(|n| format!("--max-count={n}"));
    let mut args = vec!["log", "--format=%H%x00%s"];
    args.extend(max.as_deref());
    args.extend([range, "--"]);
    let out = repo.git(&args)?;
    Ok(out
        .lines()
        .filter_map(|l| l.split_once('\0'))
        .map(|(h, s)| (h.to_string(), s.to_string()))
        .collect())
}

/// Print `git drift log`.
pub fn print_log(
    repo: &Repo,
    range: Option<&str>,
    max: Option<usize>,
    json_out: bool,
    paint: Paint,
    out: &mut dyn Write,
) -> Result<()> {
    let gix = repo.gix()?;
    let mut all = Vec::new();
    for (commit, subject) in commits(repo, range, max)? {
        let note = notes::read_union(&gix, parse_oid(&commit)?)?;
        let summary = summarise(&commit, &subject, note.as_ref());
        if json_out {
            all.push(summary_json(&summary));
            continue;
        }
        writeln!(
            out,
            "{} {} — {}",
            paint.yellow("commit"),
            paint.yellow(&commit[..7.min(commit.len())]),
            subject
        )
        .map_err(out_err)?;
        for a in &summary.agents {
            writeln!(
                out,
                "  💭 [{}] {} · {} accepted, {} rejected · {}",
                paint.cyan(&a.agent),
                a.model.as_deref().unwrap_or("unknown model"),
                plural(a.accepted, "edit", "edits"),
                a.rejected,
                plural(a.lines, "line", "lines"),
            )
            .map_err(out_err)?;
        }
        if summary.modified > 0 {
            writeln!(
                out,
                "  ✏️  [modified] {} written by an agent, then changed by hand",
                plural(summary.modified, "line", "lines")
            )
            .map_err(out_err)?;
        }
        if summary.human > 0 {
            writeln!(
                out,
                "  ✋ [human] {}",
                plural(summary.human, "line", "lines")
            )
            .map_err(out_err)?;
        }
        if !summary.has_note {
            writeln!(out, "  {}", paint.dim("(no drift note)")).map_err(out_err)?;
        }
    }
    if json_out {
        let text = serde_json::to_string_pretty(&all).unwrap_or_default();
        writeln!(out, "{text}").map_err(out_err)?;
    }
    Ok(())
}

/// The `log --json` object of a commit.
pub fn summary_json(s: &CommitSummary) -> Value {
    json!({
        "commit": s.commit,
        "subject": s.subject,
        "agents": s.agents,
        "human": {"lines": s.human},
        "modified": {"lines": s.modified},
    })
}

/// Print `git drift show COMMIT`.
pub fn print_show(
    repo: &Repo,
    rev: &str,
    json_out: bool,
    paint: Paint,
    out: &mut dyn Write,
) -> Result<()> {
    let commit = crate::attribution::bind::resolve(repo, rev)?;
    let subject = repo
        .git(&["show", "-s", "--format=%s", &commit])?
        .trim()
        .to_string();
    let gix = repo.gix()?;
    let note = notes::read_union(&gix, parse_oid(&commit)?)?;
    if json_out {
        let v = show_json(&commit, &subject, note.as_ref());
        let text = serde_json::to_string_pretty(&v).unwrap_or_default();
        return writeln!(out, "{text}").map_err(out_err);
    }
    writeln!(
        out,
        "{} {} — {}",
        paint.yellow("commit"),
        paint.yellow(&commit),
        subject
    )
    .map_err(out_err)?;
    let Some(note) = note else {
        return writeln!(
            out,
            "\nno drift note on this commit (bind it with `git drift bind {}`)",
            &commit[..7]
        )
        .map_err(out_err);
    };
    let by = note.lines_by();
    writeln!(
        out,
        "lines: {} ai, {} modified, {} human",
        by.total.ai, by.total.modified, by.total.human
    )
    .map_err(out_err)?;
    for s in note.sessions.values() {
        writeln!(out).map_err(out_err)?;
        let span = timefmt::span(s.started, s.ended);
        writeln!(
            out,
            "{} {} [{}] {}  {}",
            paint.bold("session"),
            paint.yellow(short_id(&s.id)),
            paint.cyan(&s.agent),
            s.model.as_deref().unwrap_or("unknown model"),
            span
        )
        .map_err(out_err)?;
        writeln!(
            out,
            "  edits: {} accepted, {} rejected, {} superseded",
            s.accepted, s.rejected, s.superseded
        )
        .map_err(out_err)?;
        for p in s.prompts.values() {
            writeln!(out, "  prompt: {}", excerpt(p, 120)).map_err(out_err)?;
        }
        for d in &s.decisions {
            writeln!(out, "  decided: {}", excerpt(d, 120)).map_err(out_err)?;
        }
        for r in &s.rejected_approaches {
            writeln!(out, "  {} {}", paint.red("rejected:"), excerpt(r, 120)).map_err(out_err)?;
        }
        for (path, ranges) in session_ranges(&note, &s.id) {
            writeln!(out, "  {path}: {}", ranges.join(", ")).map_err(out_err)?;
        }
    }
    let human = session_ranges_human(&note);
    if !human.is_empty() {
        writeln!(out, "\n{}", paint.bold("human")).map_err(out_err)?;
        for (path, ranges) in human {
            writeln!(out, "  {path}: {}", ranges.join(", ")).map_err(out_err)?;
        }
    }
    Ok(())
}

fn fmt_range(start: u32, end: u32, modified: bool) -> String {
    let r = if start == end {
        format!("{start}")
    } else {
        format!("{start}-{end}")
    };
    if modified {
        format!("{r} (modified)")
    } else {
        r
    }
}

/// Per file, the line ranges a session wrote.
fn session_ranges(note: &Note, session: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (path, ranges) in &note.files {
        for r in ranges {
            if r.who.session() == Some(session) {
                out.entry(path.clone()).or_default().push(fmt_range(
                    r.start,
                    r.end,
                    matches!(r.who, Who::Modified(_)),
                ));
            }
        }
    }
    out
}

fn session_ranges_human(note: &Note) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (path, ranges) in &note.files {
        for r in ranges.iter().filter(|r| r.who == Who::Human) {
            out.entry(path.clone())
                .or_default()
                .push(fmt_range(r.start, r.end, false));
        }
    }
    out
}

fn session_json(note: &Note, s: &SessionRecord) -> Value {
    let files: BTreeMap<String, Vec<Value>> = note
        .files
        .iter()
        .filter_map(|(path, ranges)| {
            let rs: Vec<Value> = ranges
                .iter()
                .filter(|r| r.who.session() == Some(s.id.as_str()))
                .map(|r| {
                    json!({"start": r.start, "end": r.end,
                        "who": if matches!(r.who, Who::Modified(_)) { "modified" } else { "ai" },
                        "prompt": r.prompt.as_ref().and_then(|k| s.prompts.get(k))})
                })
                .collect();
            (!rs.is_empty()).then(|| (path.clone(), rs))
        })
        .collect();
    json!({
        "id": s.id, "agent": s.agent, "model": s.model,
        "started": timefmt::rfc3339(s.started), "ended": timefmt::rfc3339(s.ended),
        "accepted": s.accepted, "rejected": s.rejected, "superseded": s.superseded,
        "prompts": s.prompts.values().collect::<Vec<_>>(),
        "decisions": s.decisions, "rejected_approaches": s.rejected_approaches,
        "files": files,
    })
}

/// The `show --json` object of a commit.
pub fn show_json(commit: &str, subject: &str, note: Option<&Note>) -> Value {
    let Some(note) = note else {
        return json!({"commit": commit, "subject": subject, "note": false, "sessions": [], "human": {}});
    };
    let by = note.lines_by();
    json!({
        "commit": commit,
        "subject": subject,
        "note": true,
        "lines": {"ai": by.total.ai, "modified": by.total.modified, "human": by.total.human},
        "sessions": note.sessions.values().map(|s| session_json(note, s)).collect::<Vec<_>>(),
        "human": session_ranges_human(note),
    })
}
