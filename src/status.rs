//! `git drift status` and `git drift agents`: what git drift knows about this repository and
//! its setup — hooks, agents and their homes, sessions, commits without a note, notes not yet
//! pushed, privacy — each problem with the command that fixes it.

use crate::config::{Config, Env, Privacy};
use crate::error::{Result, out_err};
use crate::hooks;
use crate::model::{Agent, Millis};
use crate::store::SessionSummary;
use crate::ui::Paint;
use crate::util::git::{self, Repo};
use crate::util::timefmt;
use serde::Serialize;
use std::io::Write;

/// One agent reader as `git drift agents` reports it.
#[derive(Debug, Clone, Serialize)]
pub struct AgentRow {
    pub agent: Agent,
    pub enabled: bool,
    pub home: String,
    /// Whether the home directory exists.
    pub found: bool,
    /// Where the home came from: `config`, the environment variable's name, or `default`.
    pub home_from: String,
    /// Sessions of this repository captured from it.
    pub sessions: usize,
}

/// Every reader with its home, where that came from, and this repository's sessions.
pub fn agents(config: &Config, env: &Env, sessions: &[SessionSummary]) -> Vec<AgentRow> {
    Agent::ALL
        .into_iter()
        .map(|agent| {
            let c = config.agent(agent);
            let var = match agent {
                Agent::ClaudeCode => ("CLAUDE_CONFIG_DIR", &env.claude_config_dir),
                Agent::Codex => ("CODEX_HOME", &env.codex_home),
                Agent::GeminiCli => ("GEMINI_CLI_HOME", &env.gemini_cli_home),
                Agent::Opencode => ("XDG_DATA_HOME", &env.xdg_data_home),
                Agent::CopilotCli => ("COPILOT_HOME", &env.copilot_home),
            };
            let home_from = if env.default_agent_home(agent).as_deref() != Some(c.home.as_path()) {
                "config".to_string()
            } else if var.1.is_some() {
                var.0.to_string()
            } else {
                "default".to_string()
            };
            AgentRow {
                agent,
                enabled: c.enabled,
                home: c.home.display().to_string(),
                found: c.home.is_dir(),
                home_from,
                sessions: sessions.iter().filter(|s| s.session.agent == agent).count(),
            }
        })
        .collect()
}

/// Print `git drift agents`.
pub fn print_agents(
    rows: &[AgentRow],
    json: bool,
    paint: Paint,
    out: &mut dyn Write,
) -> Result<()> {
    if json {
        let text = serde_json::to_string_pretty(rows).unwrap_or_default();
        return writeln!(out, "{text}").map_err(out_err);
    }
    for r in rows {
        writeln!(
            out,
            "{}  {}  home {} ({}, from {})  {} of this repository",
            paint.bold(&format!("{:<11}", r.agent.as_str())),
            if r.enabled { "enabled " } else { "disabled" },
            r.home,
            if r.found { "found" } else { "missing" },
            r.home_from,
            crate::ui::plural(r.sessions as u64, "session", "sessions"),
        )
        .map_err(out_err)?;
    }
    Ok(())
}

/// The state `git drift status` shows.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub root: String,
    /// Whether `.prompts/` exists (git drift init ran here).
    pub set_up: bool,
    pub hooks_dir: String,
    /// Hooks whose git drift block is in place.
    pub hooks_installed: Vec<String>,
    /// Hooks without it.
    pub hooks_missing: Vec<String>,
    /// Why hooks cannot be installed by us (a hooks directory the project tracks).
    pub hooks_tracked: Option<String>,
    pub agents: Vec<AgentRow>,
    pub sessions: usize,
    pub last_session: Option<String>,
    /// Commits on the current branch (the last 1000) without a drift note.
    pub commits_without_note: usize,
    /// Per remote: notes commits not pushed yet (`None`: never synced with it).
    pub unpushed_notes: Vec<(String, Option<usize>)>,
    pub privacy: Privacy,
    /// One line per problem, each with the command to run.
    pub todo: Vec<String>,
}

/// Gather the status of `repo`.
pub fn status(
    repo: &Repo,
    config: &Config,
    agents: Vec<AgentRow>,
    sessions: &[SessionSummary],
) -> Result<Status> {
    let set_up = repo.prompts_dir().is_dir();
    let dir = hooks::hooks_dir(repo)?;
    let tracked = hooks::tracked_dir(repo, &dir)?;
    let (mut installed, mut missing) = (Vec::new(), Vec::new());
    for (name, _) in hooks::SHIMS {
        let text = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        if text.contains(hooks::BEGIN) || text.contains("git drift hook") {
            installed.push(name.to_string());
        } else {
            missing.push(name.to_string());
        }
    }
    let last: Option<Millis> = sessions.iter().filter_map(|s| s.session.info.started).max();
    let without = commits_without_note(repo)?;
    let mut unpushed = Vec::new();
    for remote in git::remotes(repo)? {
        let tracking = format!("refs/notes/remotes/{remote}/drift");
        let range = format!("{tracking}..{}", crate::notes::NOTES_REF);
        let n = match repo.git_opt(&["rev-parse", "--verify", "--quiet", &tracking])? {
            None => None,
            Some(_) => repo
                .git_opt(&["rev-list", "--count", &range])?
                .and_then(|s| s.trim().parse().ok()),
        };
        unpushed.push((remote, n));
    }
    let mut todo = Vec::new();
    if !set_up {
        todo.push("not set up: run `git drift init`".to_string());
    }
    if let Some(why) = &tracked {
        todo.push(format!(
            "hooks not installed ({why}): run `git drift init` for the lines to add"
        ));
    } else if !missing.is_empty() {
        todo.push(format!(
            "hooks missing ({}): run `git drift init`",
            missing.join(", ")
        ));
    }
    if without > 0 {
        todo.push(format!(
            "{} on this branch without a note: run `git drift backfill`",
            crate::ui::plural(without as u64, "commit", "commits")
        ));
    }
    for (remote, n) in &unpushed {
        match n {
            Some(0) => {}
            _ => todo.push(format!(
                "notes not pushed to {remote}: run `git drift sync {remote}`"
            )),
        }
    }
    // The readers added with issue 13 have a default home that simply does not exist for
    // someone who does not use that agent: only a home set on purpose is a problem.
    let optional = |a: &AgentRow| {
        matches!(
            a.agent,
            Agent::GeminiCli | Agent::Opencode | Agent::CopilotCli
        ) && a.home_from == "default"
    };
    for a in agents
        .iter()
        .filter(|a| a.enabled && !a.found && !optional(a))
    {
        todo.push(format!(
            "{} home {} not found: set agents.{}.home in .prompts/config.yaml if it lives elsewhere",
            a.agent, a.home, a.agent
        ));
    }
    Ok(Status {
        root: repo.root.display().to_string(),
        set_up,
        hooks_dir: dir.display().to_string(),
        hooks_installed: installed,
        hooks_missing: missing,
        hooks_tracked: tracked,
        agents,
        sessions: sessions.len(),
        last_session: last.map(timefmt::local),
        commits_without_note: without,
        unpushed_notes: unpushed,
        privacy: config.privacy,
        todo,
    })
}

/// Commits among the last 1000 of HEAD without a drift note (local or fetched).
fn commits_without_note(repo: &Repo) -> Result<usize> {
    let Some(list) = repo.git_opt(&["rev-list", "--max-count=1000", "HEAD", "--"])? else {
        return Ok(0); // no commit yet
    };
    let gix = repo.gix()?;
    let mut noted = std::collections::HashSet::new();
    let mut refs = vec![crate::notes::NOTES_REF.to_string()];
    refs.extend(crate::notes::tracking_refs(&gix)?);
    for r in refs {
        noted.extend(crate::notes::list(&gix, &r)?.into_iter().map(|(c, _)| c));
    }
    let mut n = 0;
    for c in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !noted.contains(&git::parse_oid(c)?) {
            n += 1;
        }
    }
    Ok(n)
}

/// Print `git drift status`: one screen.
pub fn print_status(s: &Status, json: bool, paint: Paint, out: &mut dyn Write) -> Result<()> {
    if json {
        let text = serde_json::to_string_pretty(s).unwrap_or_default();
        return writeln!(out, "{text}").map_err(out_err);
    }
    let w = |out: &mut dyn Write, line: String| writeln!(out, "{line}").map_err(out_err);
    w(out, format!("{} {}", paint.bold("repository"), s.root))?;
    w(
        out,
        format!("  set up      {}", if s.set_up { "yes" } else { "no" }),
    )?;
    let hooks = match (&s.hooks_tracked, s.hooks_missing.is_empty()) {
        (Some(why), _) => format!("not installed ({why})"),
        (None, true) => format!("installed in {}", s.hooks_dir),
        (None, false) => format!(
            "{} installed, missing {} (in {})",
            s.hooks_installed.len(),
            s.hooks_missing.join(", "),
            s.hooks_dir
        ),
    };
    w(out, format!("  hooks       {hooks}"))?;
    w(out, format!("  privacy     {}", privacy_name(s.privacy)))?;
    let last = s.last_session.as_deref().unwrap_or("never");
    w(
        out,
        format!("  sessions    {} (last started {last})", s.sessions),
    )?;
    for a in &s.agents {
        w(
            out,
            format!(
                "  {:<11} {}, home {} ({})",
                a.agent.as_str(),
                if a.enabled { "enabled" } else { "disabled" },
                a.home,
                if a.found { "found" } else { "missing" }
            ),
        )?;
    }
    let unbound = crate::ui::plural(s.commits_without_note as u64, "commit", "commits");
    w(out, format!("  unbound     {unbound} without a note"))?;
    for (remote, n) in &s.unpushed_notes {
        let state = match n {
            None => "never synced".to_string(),
            Some(n) => format!("{n} notes commits not pushed"),
        };
        w(out, format!("  {remote:<11} {state}"))?;
    }
    if s.todo.is_empty() {
        return w(out, "\nnothing to do".into());
    }
    w(out, String::new())?;
    for t in &s.todo {
        w(out, format!("{} {t}", paint.yellow("-")))?;
    }
    Ok(())
}

fn privacy_name(p: Privacy) -> &'static str {
    match p {
        Privacy::Attribution => "attribution",
        Privacy::Summary => "summary",
        Privacy::Off => "off",
    }
}
