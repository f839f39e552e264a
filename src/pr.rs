//! `git drift show --pr BASE..HEAD`: a Markdown summary of a pull request's commits for its
//! description — agents and models involved, the AI share of the lines it adds, decisions,
//! rejected approaches and sessions — read from the notes (local and fetched) only.

use crate::error::{Error, Result, out_err};
use crate::notes::{self, SessionRecord};
use crate::stats::{self, By, Select};
use crate::ui::excerpt;
use crate::util::git::{Repo, parse_oid};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

/// What the summary says.
struct Summary {
    range: String,
    stats: stats::Stats,
    by_model: stats::Stats,
    sessions: BTreeMap<String, SessionRecord>,
}

fn summary(repo: &Repo, range: &str) -> Result<Summary> {
    if !range.contains("..") {
        return Err(Error::user(format!(
            "--pr takes a range such as main..HEAD, not '{range}'"
        )));
    }
    let sel = Select {
        range: Some(range.to_string()),
        ..Select::default()
    };
    let st = stats::stats(repo, &sel, By::Agent)?;
    let by_model = stats::stats(repo, &sel, By::Model)?;
    let gix = repo.gix()?;
    let index = notes::NotesIndex::open(&gix)?;
    let mut sessions: BTreeMap<String, SessionRecord> = BTreeMap::new();
    for c in repo.git_user(&["rev-list", range, "--"])?.lines() {
        if let Some(note) = index.read(&gix, &parse_oid(c)?)? {
            for (id, rec) in note.sessions {
                match sessions.get_mut(&id) {
                    Some(have) => have.absorb(rec),
                    None => {
                        sessions.insert(id, rec);
                    }
                }
            }
        }
    }
    Ok(Summary {
        range: range.to_string(),
        stats: st,
        by_model,
        sessions,
    })
}

fn share(n: u64, of: u64) -> String {
    if of == 0 {
        "-".into()
    } else {
        format!("{:.0}%", n as f64 * 100.0 / of as f64)
    }
}

/// Print the summary as Markdown, or as JSON.
pub fn print_pr(repo: &Repo, range: &str, json_out: bool, out: &mut dyn Write) -> Result<()> {
    let s = summary(repo, range)?;
    let t = &s.stats.total;
    let lines = t.ai + t.modified + t.human + t.unknown;
    let decisions: BTreeSet<&String> = s.sessions.values().flat_map(|r| &r.decisions).collect();
    let rejected: BTreeSet<&String> = s
        .sessions
        .values()
        .flat_map(|r| &r.rejected_approaches)
        .collect();
    if json_out {
        let models: Vec<&String> = s
            .by_model
            .rows
            .keys()
            .filter(|k| !k.starts_with('('))
            .collect();
        let v = json!({
            "range": s.range, "commits": s.stats.commits, "lines": lines,
            "ai": t.ai, "modified": t.modified, "human": t.human, "unknown": t.unknown,
            "agents": s.stats.rows.keys().filter(|k| !k.starts_with('(')).collect::<Vec<_>>(),
            "models": models, "decisions": decisions, "rejected": rejected,
            "sessions": s.sessions.values().map(|r| json!({"id": r.id, "agent": r.agent,
                "model": r.model, "accepted": r.accepted, "rejected": r.rejected,
                "prompts": r.prompts.values().collect::<Vec<_>>()})).collect::<Vec<_>>(),
        });
        let text = serde_json::to_string_pretty(&v).map_err(|e| Error::other_from("json", e))?;
        return writeln!(out, "{text}").map_err(out_err);
    }
    let mut md = String::from("## AI involvement (git drift)\n\n");
    md.push_str(&format!(
        "{} of the {lines} lines this pull request adds were written by agents ({} unchanged, {} then edited by a human); {} human, {} unknown (commits without a note). {}.\n\n",
        share(t.ai + t.modified, lines), t.ai, t.modified, t.human, t.unknown,
        crate::ui::plural(s.stats.commits, "commit", "commits")
    ));
    md.push_str("| agent / model | lines | edits accepted | rejected |\n|---|---|---|---|\n");
    for (k, r) in s.by_model.rows.iter().filter(|(k, _)| !k.starts_with('(')) {
        md.push_str(&format!(
            "| {k} | {} | {} | {} |\n",
            r.ai + r.modified,
            r.accepted,
            r.rejected
        ));
    }
    let list = |title: &str, items: &BTreeSet<&String>, md: &mut String| {
        if !items.is_empty() {
            md.push_str(&format!("\n### {title}\n\n"));
            for i in items {
                md.push_str(&format!("- {}\n", excerpt(i, 200)));
            }
        }
    };
    list("Decided", &decisions, &mut md);
    list("Tried and rejected", &rejected, &mut md);
    if !s.sessions.is_empty() {
        md.push_str("\n### Sessions\n\n");
        for r in s.sessions.values() {
            let prompt = r
                .prompts
                .values()
                .next()
                .map(|p| format!(": \"{}\"", excerpt(p, 100)));
            md.push_str(&format!(
                "- {} `{}` ({}){}\n",
                r.agent,
                &r.id[..r.id.len().min(8)],
                r.model.as_deref().unwrap_or("model unknown"),
                prompt.unwrap_or_default()
            ));
        }
        md.push_str("\n`git drift session <id>` shows a whole session.\n");
    }
    write!(out, "{md}").map_err(out_err)
}
