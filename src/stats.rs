//! `git drift stats`: how much of a range's added lines agents wrote, grouped by agent, model,
//! commit author, top-level path, day or week. Reads only git (the commits' added-line counts)
//! and the notes, local and fetched, so it answers in a fresh clone after `git fetch`, with
//! no store.
//!
//! Lines of commits without a note are **unknown**: nobody can say who wrote them, and
//! counting them as human would overstate what is known.

use crate::error::{Error, Result, out_err};
use crate::notes::{self, Note, Who};
use crate::ui::Paint;
use crate::util::git::{Repo, parse_oid};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;

/// What to group the lines by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    Agent,
    Model,
    Author,
    Path,
    Day,
    Week,
}

/// Which commits: a git range, git's own `--since` / `--until`, paths.
#[derive(Debug, Clone, Default)]
pub struct Select {
    pub range: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub paths: Vec<String>,
}

/// Line and edit counts of one group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub ai: u64,
    pub modified: u64,
    pub human: u64,
    pub unknown: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub superseded: u64,
}

impl Tally {
    fn lines(&self) -> u64 {
        self.ai + self.modified + self.human + self.unknown
    }
    fn add(&mut self, o: &Tally) {
        self.ai += o.ai;
        self.modified += o.modified;
        self.human += o.human;
        self.unknown += o.unknown;
        self.accepted += o.accepted;
        self.rejected += o.rejected;
        self.superseded += o.superseded;
    }
}

/// The result: totals and one row per group.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub commits: u64,
    pub with_note: u64,
    pub total: Tally,
    pub rows: BTreeMap<String, Tally>,
}

/// One commit as `git log --numstat` gives it.
struct Commit {
    id: String,
    author: String,
    time: i64,
    /// Path → lines added.
    added: Vec<(String, u64)>,
}

fn log(repo: &Repo, sel: &Select) -> Result<Vec<Commit>> {
    let range = sel.range.as_deref().unwrap_or("HEAD");
    if repo
        .git_opt(&["rev-parse", "--verify", "--quiet", "HEAD"])?
        .is_none()
        && sel.range.is_none()
    {
        return Ok(Vec::new());
    }
    let since = sel.since.as_ref().map(|s| format!("--since={s}"));
    let until = sel.until.as_ref().map(|s| format!("--until={s}"));
    let mut args = vec![
        "log",
        "--no-renames",
        "--numstat",
        "--format=%x00%H%x00%an%x00%ct",
    ];
    args.extend(since.as_deref());
    args.extend(until.as_deref());
    args.extend([range, "--"]);
    args.extend(sel.paths.iter().map(String::as_str));
    let out = repo.git_user(&args)?;
    let mut commits: Vec<Commit> = Vec::new();
    for line in out.lines() {
        if let Some(head) = line.strip_prefix('\0') {
            let mut p = head.split('\0');
            let (Some(id), Some(author), Some(time)) = (p.next(), p.next(), p.next()) else {
                continue;
            };
            commits.push(Commit {
                id: id.to_string(),
                author: author.to_string(),
                time: time.parse().unwrap_or(0),
                added: Vec::new(),
            });
        } else if let (Some(c), Some((add, rest))) = (commits.last_mut(), line.split_once('\t')) {
            // Binary files show `-`: they have no lines.
            let Ok(n) = add.parse::<u64>() else { continue };
            let path = rest.split_once('\t').map_or(rest, |(_, p)| p);
            c.added.push((path.to_string(), n));
        }
    }
    Ok(commits)
}

fn in_paths(path: &str, paths: &[String]) -> bool {
    paths.is_empty()
        || paths.iter().any(|p| {
            let p = p.trim_end_matches('/');
            p.is_empty() || p == "." || path == p || path.starts_with(&format!("{p}/"))
        })
}

/// The group of a line: `who` and the note's sessions for agent and model.
fn key(by: By, c: &Commit, path: &str, who: Option<&Who>, note: Option<&Note>) -> String {
    let session = who
        .and_then(|w| w.session())
        .and_then(|s| note?.sessions.get(s));
    match by {
        By::Agent | By::Model => match (who, session) {
            (None, _) => "(unknown)".into(),
            (Some(Who::Human), _) => "(human)".into(),
            (Some(_), Some(s)) if by == By::Agent => s.agent.clone(),
            (Some(_), Some(s)) => s
                .model
                .clone()
                .unwrap_or_else(|| format!("{} (model unknown)", s.agent)),
            (Some(_), None) => "(agent unknown)".into(),
        },
        By::Author => c.author.clone(),
        By::Path => path.split('/').next().unwrap_or(path).to_string(),
        By::Day | By::Week => {
            let z = jiff::Timestamp::from_second(c.time)
                .map(|t| t.to_zoned(jiff::tz::TimeZone::system()))
                .ok();
            match (z, by) {
                (Some(z), By::Day) => z.strftime("%Y-%m-%d").to_string(),
                (Some(z), _) => {
                    let w = z.date().iso_week_date();
                    format!("{}-W{:02}", w.year(), w.week())
                }
                (None, _) => "(no date)".into(),
            }
        }
    }
}

/// Count the lines of the selected commits, grouped `by`.
pub fn stats(repo: &Repo, sel: &Select, by: By) -> Result<Stats> {
    let gix = repo.gix()?;
    let index = notes::NotesIndex::open(&gix)?;
    let commits = log(repo, sel)?;
    let ids = commits
        .iter()
        .map(|c| parse_oid(&c.id))
        .collect::<Result<Vec<_>>>()?;
    let read = index.read_many(&gix, &ids)?;
    let mut st = Stats::default();
    for (c, note) in commits.iter().zip(read) {
        st.commits += 1;
        let Some(note) = note else {
            for (path, n) in c.added.iter().filter(|(p, _)| in_paths(p, &sel.paths)) {
                add(
                    &mut st,
                    key(by, c, path, None, None),
                    Tally {
                        unknown: *n,
                        ..Tally::default()
                    },
                );
            }
            continue;
        };
        st.with_note += 1;
        for (path, ranges) in note.files.iter().filter(|(p, _)| in_paths(p, &sel.paths)) {
            for r in ranges.iter().filter(|r| r.start > 0 && r.start <= r.end) {
                let n = u64::from(r.end - r.start + 1);
                let t = match r.who {
                    Who::Ai(_) => Tally {
                        ai: n,
                        ..Tally::default()
                    },
                    Who::Modified(_) => Tally {
                        modified: n,
                        ..Tally::default()
                    },
                    Who::Human => Tally {
                        human: n,
                        ..Tally::default()
                    },
                };
                add(&mut st, key(by, c, path, Some(&r.who), Some(&note)), t);
            }
        }
        // Edit outcomes belong to a session, so only to agent and model rows (and totals).
        for s in note.sessions.values() {
            let t = Tally {
                accepted: u64::from(s.accepted),
                rejected: u64::from(s.rejected),
                superseded: u64::from(s.superseded),
                ..Tally::default()
            };
            match by {
                By::Agent => add(&mut st, s.agent.clone(), t),
                By::Model => {
                    let k = key(by, c, "", Some(&Who::Ai(s.id.clone())), Some(&note));
                    add(&mut st, k, t)
                }
                _ => st.total.add(&t),
            }
        }
    }
    Ok(st)
}

/// Count `t` in the totals and in the row `k`.
fn add(st: &mut Stats, k: String, t: Tally) {
    st.total.add(&t);
    st.rows.entry(k).or_default().add(&t);
}

fn pct(n: u64, of: u64) -> String {
    if of == 0 {
        "-".into()
    } else {
        format!("{:.1}%", n as f64 * 100.0 / of as f64)
    }
}

fn tally_json(t: &Tally, of: u64) -> Value {
    let share = |n: u64| {
        if of == 0 {
            Value::Null
        } else {
            json!(n as f64 / of as f64)
        }
    };
    let decided = t.accepted + t.rejected;
    json!({
        "lines": t.lines(), "ai": t.ai, "modified": t.modified, "human": t.human,
        "unknown": t.unknown, "ai_share": share(t.ai + t.modified),
        "accepted": t.accepted, "rejected": t.rejected, "superseded": t.superseded,
        "acceptance": if decided == 0 { Value::Null } else { json!(t.accepted as f64 / decided as f64) },
    })
}

/// Print the stats as text or JSON.
pub fn print(st: &Stats, by: By, json_out: bool, paint: Paint, out: &mut dyn Write) -> Result<()> {
    let all = st.total.lines();
    if json_out {
        let rows: Vec<Value> = st
            .rows
            .iter()
            .map(|(k, t)| {
                let mut v = tally_json(t, t.lines());
                v["key"] = json!(k);
                v
            })
            .collect();
        let by_name = format!("{by:?}").to_ascii_lowercase();
        let v = json!({"commits": st.commits, "with_note": st.with_note,
                       "total": tally_json(&st.total, all), "by": by_name, "rows": rows});
        let text = serde_json::to_string_pretty(&v).map_err(|e| Error::other_from("json", e))?;
        return writeln!(out, "{text}").map_err(out_err);
    }
    let t = &st.total;
    let commits = crate::ui::plural(st.commits, "commit", "commits");
    writeln!(out, "{commits}, {} with a note", st.with_note).map_err(out_err)?;
    writeln!(
        out,
        "{} lines added: {} ai ({}), {} modified ({}), {} human ({}), {} unknown ({})",
        all,
        paint.green(&t.ai.to_string()),
        pct(t.ai, all),
        t.modified,
        pct(t.modified, all),
        t.human,
        pct(t.human, all),
        t.unknown,
        pct(t.unknown, all)
    )
    .map_err(out_err)?;
    let decided = t.accepted + t.rejected;
    writeln!(
        out,
        "agent edits: {} accepted, {} rejected, {} superseded (acceptance {})\n",
        t.accepted,
        t.rejected,
        t.superseded,
        pct(t.accepted, decided)
    )
    .map_err(out_err)?;
    let width = st
        .rows
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let edits = matches!(by, By::Agent | By::Model);
    let head = format!(
        "{:<width$}  {:>7}  {:>7}  {:>7}  {:>7}  {:>8}",
        format!("{by:?}").to_uppercase(),
        "AI",
        "MOD",
        "HUMAN",
        "UNKNOWN",
        "AI SHARE"
    );
    let head = if edits {
        format!(
            "{head}  {:>8}  {:>8}  {:>10}",
            "ACCEPTED", "REJECTED", "SUPERSEDED"
        )
    } else {
        head
    };
    writeln!(out, "{}", paint.bold(&head)).map_err(out_err)?;
    for (k, r) in &st.rows {
        let mut line = format!(
            "{k:<width$}  {:>7}  {:>7}  {:>7}  {:>7}  {:>8}",
            r.ai,
            r.modified,
            r.human,
            r.unknown,
            pct(r.ai + r.modified, r.lines())
        );
        if edits {
            line.push_str(&format!(
                "  {:>8}  {:>8}  {:>10}",
                r.accepted, r.rejected, r.superseded
            ));
        }
        writeln!(out, "{line}").map_err(out_err)?;
    }
    Ok(())
}
