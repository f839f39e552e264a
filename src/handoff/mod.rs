//! `git drift handoff` (also `git-drift-handoff`): package the task in progress into a markdown
//! brief another agent (or a human) can pick up when the current agent stalls, refuses or is
//! rate-limited.
//!
//! The pipeline, one module per step:
//! 1. [`scope`]: which sessions: those recorded on a branch plus those bound (in the store or
//!    in notes) to commits only on that branch; or the sessions since a time; or one session.
//! 2. [`extract`]: a [`extract::Brief`] from their events and the working tree: task, decisions,
//!    rejected approaches, open items, files with snippets, where to resume. Deterministic and
//!    complete offline; every item carries a citation (agent, session prefix, time).
//! 3. [`render`]: markdown within a size bound, trimming the longest sections with a note.
//! 4. [`compact`]: optionally (`--llm`) an LLM rewrites it into the same sections; any failure
//!    falls back to the deterministic brief.
//! 5. [`inject`]: optionally (`--inject`) a native Claude Code or Codex session whose first user
//!    message is the brief, so the user only runs the printed resume command.
//!
//! Injected sessions carry [`inject::MARKER`] at the start of their first prompt. Capture stores
//! them like any other session (work done after resuming is real work), but the brief never
//! reads that prompt as something the human asked and labels the session as resumed from a
//! brief, so a chain of handoffs does not quote briefs inside briefs.

pub mod compact;
pub mod dry_run;
pub mod extract;
pub mod files;
pub mod inject;
pub mod list;
pub mod render;
pub mod scope;

use crate::cli::Ctx;
use crate::error::out_err;
use crate::error::{Error, Result};
use crate::model::{Agent, Millis};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Where briefs are written by default, relative to the worktree root.
pub const HANDOFF_DIR: &str = ".prompts/handoffs";

/// The agent the brief is handed to; tailors the closing "how to continue" section.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    #[value(name = "claude-code", alias = "claude")]
    ClaudeCode,
    Codex,
    #[value(name = "gemini-cli", alias = "gemini")]
    GeminiCli,
    Opencode,
    Cursor,
    Aider,
    Generic,
}

impl Target {
    /// Every target, in display order.
    pub const ALL: [Target; 7] = [
        Target::ClaudeCode,
        Target::Codex,
        Target::GeminiCli,
        Target::Opencode,
        Target::Cursor,
        Target::Aider,
        Target::Generic,
    ];

    /// The name used on the command line, in config and in file names.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::ClaudeCode => "claude-code",
            Target::Codex => "codex",
            Target::GeminiCli => "gemini-cli",
            Target::Opencode => "opencode",
            Target::Cursor => "cursor",
            Target::Aider => "aider",
            Target::Generic => "generic",
        }
    }

    /// The agent whose native session `--inject` can write for this target.
    pub fn injectable(self) -> Option<Agent> {
        match self {
            Target::ClaudeCode => Some(Agent::ClaudeCode),
            Target::Codex => Some(Agent::Codex),
            _ => None,
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Target {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        <Target as ValueEnum>::from_str(s, false).map_err(|_| {
            format!(
                "unknown handoff target '{s}' (valid: {})",
                Target::ALL.map(Target::as_str).join(", ")
            )
        })
    }
}

/// `git drift handoff`: write a brief of the task in progress for another agent.
#[derive(Debug, Parser)]
#[command(
    name = "git-drift-handoff",
    bin_name = "git drift handoff",
    version,
    max_term_width = 100,
    args_conflicts_with_subcommands = true
)]
pub struct HandoffArgs {
    #[command(subcommand)]
    pub action: Option<HandoffAction>,
    /// Sessions of this branch (default: the current branch)
    #[arg(long, value_name = "BRANCH", conflicts_with = "session")]
    pub branch: Option<String>,
    /// Only what happened at or after TIME (2026-01-15, '2026-01-15 09:30', '2 hours ago')
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only this session (an id or a unique prefix of it)
    #[arg(long, value_name = "ID")]
    pub session: Option<String>,
    /// The latest session of this agent in this repository (claude-code, codex)
    #[arg(long, value_name = "AGENT", conflicts_with_all = ["session", "branch"])]
    pub from: Option<Agent>,
    /// Show what would be written or injected, and the brief, without writing anything
    #[arg(long)]
    pub dry_run: bool,
    /// The agent that takes over (default: handoff.to in config, else generic)
    #[arg(long, value_name = "AGENT")]
    pub to: Option<Target>,
    /// Write the brief here instead of .prompts/handoffs/
    #[arg(long, short, value_name = "PATH", conflicts_with = "print")]
    pub output: Option<PathBuf>,
    /// Print the brief on stdout instead of writing a file
    #[arg(long)]
    pub print: bool,
    /// No progress lines on stderr
    #[arg(long, short)]
    pub quiet: bool,
    /// Compact the brief with the LLM configured in handoff.llm (anthropic, openai, ollama)
    #[arg(long, value_name = "PROVIDER", num_args = 0..=1, default_missing_value = "")]
    pub llm: Option<String>,
    /// Also create a native session of the target agent that starts with the brief
    #[arg(long)]
    pub inject: bool,
}

#[derive(Debug, Subcommand)]
pub enum HandoffAction {
    /// List the briefs written so far, with their scope and target
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// The current time: `SOURCE_DATE_EPOCH` (seconds) when set, for reproducible briefs, else now.
pub fn now_millis() -> Millis {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .map(|s| s.saturating_mul(1000))
        .unwrap_or_else(|| jiff::Timestamp::now().as_millisecond())
}

/// Progress lines on stderr, shown only on a terminal and without `--quiet`.
pub struct Progress {
    on: bool,
}

impl Progress {
    pub fn new(on: bool) -> Progress {
        Progress { on }
    }

    pub fn line(&self, text: &str) {
        if self.on {
            eprintln!("{text}");
        }
    }
}

/// Run `git drift handoff` with parsed arguments.
pub fn cmd(args: &HandoffArgs) -> Result<()> {
    if let Some(HandoffAction::List { json }) = &args.action {
        let repo = crate::util::git::Repo::from_cwd()?;
        let mut out = std::io::stdout();
        return list::print(&repo.root, *json, &mut out);
    }
    let ctx = Ctx::open()?;
    let target = args.to.unwrap_or(ctx.config.handoff.to);
    if args.inject && target.injectable().is_none() {
        return Err(Error::user(format!(
            "--inject cannot create a {target} session: git drift writes native sessions for \
             claude-code and codex only (run without --inject and paste the brief)"
        )));
    }
    let llm = args
        .llm
        .as_deref()
        .map(|p| compact::resolve_config(&ctx.config.handoff.llm, p));
    let progress = Progress::new(!args.quiet && std::io::stderr().is_terminal());
    let now = now_millis();
    let since = args
        .since
        .as_deref()
        .map(|s| {
            let now =
                jiff::Timestamp::from_millisecond(now).unwrap_or_else(|_| jiff::Timestamp::now());
            crate::util::timefmt::parse_since(s, now)
        })
        .transpose()?;

    progress.line("scanning transcripts");
    let mut store = ctx.store()?;
    ctx.capture(&mut store, None, None, false)?;
    let from = args
        .from
        .map(|agent| scope::latest_session(&store, agent))
        .transpose()?;
    let spec = match from.as_ref().or(args.session.as_ref()) {
        Some(id) => scope::Spec::Session {
            id: id.clone(),
            since,
        },
        None => scope::Spec::Branch {
            name: match &args.branch {
                Some(b) => b.clone(),
                None => scope::current_branch(&ctx.repo)?,
            },
            since,
        },
    };
    let material = scope::resolve(&ctx.repo, &store, &spec)?;

    progress.line(&format!(
        "extracting from {} {}",
        material.sessions.len() + material.noted.len(),
        if material.sessions.len() + material.noted.len() == 1 {
            "session"
        } else {
            "sessions"
        }
    ));
    let tree = files::Tree::load(&ctx.repo, &material)?;
    let redactor = ctx.config.redactor()?;

    let path = match (&args.output, args.print) {
        (_, true) => None,
        (Some(p), false) => Some(absolute(p)?),
        (None, false) => Some(default_path(&ctx.repo.root, &material.label, target, now)),
    };
    let injection = if args.inject {
        let agent = target
            .injectable()
            .ok_or_else(|| Error::user("no injectable target"))?;
        Some(inject::Plan::new(
            agent,
            &ctx.config.agent(agent).home,
            &ctx.repo.root,
            now,
        )?)
    } else {
        None
    };
    let meta = extract::Meta {
        scope: material.describe(),
        branch: material.branch.clone(),
        target,
        created: now,
        root: ctx.repo.root.clone(),
        brief_path: path.clone(),
        resume: injection.as_ref().map(|p| p.resume_command()),
    };
    let brief = extract::extract(&material, &tree, meta);
    let budget = ctx.config.handoff.brief_tokens as usize;
    let deterministic = render::render_to_string(&brief, budget)?;
    let mut text = redactor.redact(&deterministic).into_owned();

    if let Some(cfg) = llm {
        let result = cfg.and_then(|cfg| {
            progress.line(&format!(
                "compacting with {} {} at {}",
                cfg.provider,
                cfg.model,
                cfg.base_url()
            ));
            compact::compact(&cfg, &brief, &deterministic, &material, &redactor, budget)
        });
        match result {
            Ok(done) => {
                eprintln!("{}", done.report());
                text = redactor.redact(&done.text).into_owned();
            }
            Err(why) => {
                eprintln!("warning: LLM compaction failed: {why}; using the deterministic brief");
            }
        }
    }

    if args.dry_run {
        let mut out = std::io::stdout();
        let said = dry_run::report(path.as_deref(), injection.as_ref(), &text, &ctx.repo.root);
        out.write_all(said.as_bytes()).map_err(out_err)?;
        return out.write_all(text.as_bytes()).map_err(out_err);
    }
    match &path {
        None => {
            let mut out = std::io::stdout();
            out.write_all(text.as_bytes()).map_err(out_err)?;
        }
        Some(p) => {
            write_brief(p, &text, args.output.is_some())?;
            progress.line(&format!("written to {}", shown(p, &ctx.repo.root)));
        }
    }
    if let Some(plan) = injection {
        let head = ctx
            .repo
            .git_opt(&["rev-parse", "--verify", "--quiet", "HEAD"])?;
        let written = plan.write(&inject::Session {
            brief: &text,
            branch: material.branch.as_deref(),
            commit: head.as_deref().map(str::trim),
            model: inject::last_model(&store, plan.agent)?,
        })?;
        let line = format!(
            "created {} session {} ({})\nresume it with: cd {} && {}",
            plan.agent,
            plan.id,
            written.display(),
            shell_quote(&ctx.repo.root.to_string_lossy()),
            plan.resume_command()
        );
        // stdout carries the brief under --print; the resume command must not mix into it.
        if args.print {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    }
    Ok(())
}

/// `.prompts/handoffs/YYYY-MM-DD-HHMM-<branch-slug>-to-<agent>.md` in local time.
pub fn default_path(root: &Path, label: &str, target: Target, now: Millis) -> PathBuf {
    let stamp = jiff::Timestamp::from_millisecond(now)
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::system())
                .strftime("%Y-%m-%d-%H%M")
                .to_string()
        })
        .unwrap_or_else(|_| "0000-00-00-0000".into());
    root.join(HANDOFF_DIR)
        .join(format!("{stamp}-{}-to-{target}.md", slug(label)))
}

/// A file-name-safe form of a branch name: lower-case ASCII letters and digits, runs of
/// anything else as one `-`, at most 48 characters.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_matches('-').chars().take(48).collect();
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "work".into() } else { out }
}

/// Write the brief: an explicit `--output` may replace a file, the default name never does
/// (a second brief in the same minute gets `-2`, `-3`, … before `.md`).
fn write_brief(path: &Path, text: &str, explicit: bool) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    if explicit {
        return std::fs::write(path, text).map_err(|e| Error::io(path, e));
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    for n in 1..1000 {
        let candidate = if n == 1 {
            path.to_path_buf()
        } else {
            path.with_file_name(format!("{stem}-{n}.md"))
        };
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(mut f) => {
                return f
                    .write_all(text.as_bytes())
                    .map_err(|e| Error::io(&candidate, e));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(&candidate, e)),
        }
    }
    Err(Error::other(format!(
        "{}: too many briefs with this name",
        path.display()
    )))
}

fn absolute(p: &Path) -> Result<PathBuf> {
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    Ok(cwd.join(p))
}

/// A path as the user wants to read it: relative to the worktree root when inside it.
pub fn shown(p: &Path, root: &Path) -> String {
    p.strip_prefix(root)
        .map(|r| r.display().to_string())
        .unwrap_or_else(|_| p.display().to_string())
}

/// Quote for a POSIX shell when needed.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+=:@%".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_file_name_safe() {
        assert_eq!(slug("feature/Retry_loop"), "feature-retry-loop");
        assert_eq!(slug("--x--"), "x");
        assert_eq!(slug("ÄÖ"), "work");
        assert!(slug(&"a/".repeat(100)).len() <= 48);
        assert!(!slug(&"ab-".repeat(30)).ends_with('-'));
    }

    #[test]
    fn default_path_uses_local_time_and_target() {
        // 2026-01-15T10:05:00Z; the unit tests run with whatever TZ the machine has, so only
        // the shape is checked here (the integration tests pin TZ=UTC and the exact name).
        let p = default_path(
            Path::new("/r"),
            "feature/x",
            Target::Codex,
            1_768_471_500_000,
        );
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        assert!(p.starts_with("/r/.prompts/handoffs"));
        assert!(name.ends_with("-feature-x-to-codex.md"), "{name}");
        assert_eq!(name.len(), "2026-01-15-1005-feature-x-to-codex.md".len());
    }

    #[test]
    fn targets_parse_by_name() {
        for t in Target::ALL {
            assert_eq!(t.as_str().parse::<Target>(), Ok(t));
        }
        assert!("vim".parse::<Target>().unwrap_err().contains("claude-code"));
        assert_eq!(Target::Aider.injectable(), None);
        assert_eq!(Target::Codex.injectable(), Some(Agent::Codex));
    }

    #[test]
    fn briefs_never_replace_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("h/a.md");
        write_brief(&p, "one", false).unwrap();
        write_brief(&p, "two", false).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "one");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("h/a-2.md")).unwrap(),
            "two"
        );
        write_brief(&p, "three", true).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "three");
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("/a/b-c.d"), "/a/b-c.d");
        assert_eq!(shell_quote("/a b/it's"), r"'/a b/it'\''s'");
    }
}
