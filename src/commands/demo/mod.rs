//! `git drift demo [--dir DIR]`: a throwaway repository in which a Claude Code session writes
//! a file, a Codex session adds another, and a human edits the first; captured, committed
//! and bound, then `log`, `blame`, `show` and a handoff brief are shown.
//!
//! The two sessions are transcripts the real CLIs wrote (Claude Code 2.1.197 and Codex 0.171.0,
//! from the conformance suite), with their working directory moved into the demo. They are
//! written to agent homes inside the demo directory, and the demo repository's config points
//! the readers there, so nothing reads or writes the user's own `~/.claude` or `~/.codex`.
//! Commits are made with the hooks bypassed and bound in-process, so the demo does not depend
//! on which `git-drift` is first on `PATH`.

use crate::commands::Ctx;
use crate::config::Env;
use crate::error::{Error, Result, out_err};
use crate::ui::Ui;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

const CLAUDE: &str = include_str!("claude-code.jsonl");
const CLAUDE_ID: &str = "e5c2046f-fcf9-4e0b-b7ae-03161bd8cb11";
const CODEX: &str = include_str!("codex.jsonl");
const CODEX_FILE: &str =
    "sessions/2026/12/01/rollout-2026-12-01T22-28-46-01a233b9-869c-7b61-a96a-6ffa14a11821.jsonl";
/// Where the transcripts were recorded.
const RECORDED_CWD: &str = "/home/dev/widget";
const RECORDED_CODEX_HOME: &str = "/home/dev/codex";

/// Create a throwaway repository with scripted Claude Code and Codex sessions and show what
/// git drift makes of them
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to create it (must not exist yet; default: a new directory under the system's
    /// temporary directory)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Run `git drift demo`.
pub fn run(_ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let base = base_dir(args.dir.as_deref())?;
    let repo = base.join("widget");
    let homes = Homes {
        home: base.join("home"),
        claude: base.join("claude"),
        codex: base.join("codex"),
    };
    for d in [&repo, &homes.home, &homes.claude, &homes.codex] {
        std::fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
    }
    build(&repo, &homes)?;
    let env = Env {
        home: Some(homes.home.clone()),
        xdg_config_home: Some(homes.home.join(".config")),
        claude_config_dir: Some(homes.claude.clone()),
        codex_home: Some(homes.codex.clone()),
    };
    let ctx = Ctx::new(repo.clone(), env, Ui::to(Box::new(std::io::sink())), false);
    show(&ctx, out)?;
    writeln!(
        out,
        "\nThe demo is in {}: cd there and try any git drift command.\nDelete it with: rm -rf {}",
        repo.display(),
        base.display()
    )
    .map_err(out_err)
}

struct Homes {
    home: PathBuf,
    claude: PathBuf,
    codex: PathBuf,
}

fn base_dir(dir: Option<&Path>) -> Result<PathBuf> {
    match dir {
        Some(d) if d.exists() => Err(Error::user(format!("{} already exists", d.display()))
            .with_hint("give a path that does not exist yet")),
        Some(d) => {
            std::fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
            d.canonicalize().map_err(|e| Error::io(d, e))
        }
        None => tempfile::Builder::new()
            .prefix("git-drift-demo-")
            .tempdir()
            .map_err(|e| Error::io(std::env::temp_dir(), e))
            .map(|t| t.keep())
            .and_then(|p| p.canonicalize().map_err(|e| Error::io(&p, e))),
    }
}

/// `git` in the demo repository, with the user's signing and hooks out of the way and the
/// given date for author and committer.
fn git(repo: &Path, date: Option<&str>, args: &[&str]) -> Result<()> {
    let mut c = Command::new("git");
    c.current_dir(repo)
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "core.hooksPath=/dev/null",
        ])
        .args(args);
    if let Some(d) = date {
        c.env("GIT_AUTHOR_DATE", d).env("GIT_COMMITTER_DATE", d);
    }
    let out = c
        .output()
        .map_err(|e| Error::other_from("could not run git", e))?;
    if !out.status.success() {
        return Err(Error::other(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

/// The repository, the transcripts and the commits, in the order they happened.
fn build(repo: &Path, homes: &Homes) -> Result<()> {
    let write = |p: PathBuf, text: &str| -> Result<()> {
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
        }
        std::fs::write(&p, text).map_err(|e| Error::io(&p, e))
    };
    git(repo, None, &["init", "-q", "-b", "main"])?;
    git(repo, None, &["config", "user.name", "Dana Human"])?;
    git(repo, None, &["config", "user.email", "dana@example.com"])?;
    write(repo.join("README.md"), "# widget\n")?;
    crate::init::init(
        &crate::util::git::Repo::discover(repo)?,
        &mut std::io::sink(),
    )?;
    // The readers look only in the demo's homes, also for commands run there later.
    let config = format!(
        "agents:\n  claude-code:\n    home: {}\n  codex:\n    home: {}\n",
        homes.claude.display(),
        homes.codex.display()
    );
    write(repo.join(crate::config::REPO_CONFIG), &config)?;
    git(repo, None, &["add", "-A"])?;
    git(
        repo,
        Some("2026-12-01T21:00:00Z"),
        &["commit", "-q", "-m", "Start the widget"],
    )?;
    // Claude Code writes notes.txt (21:58); Codex, started in letters/, adds its own (22:28).
    let root = repo.to_string_lossy();
    let project = root.replace(|c: char| !c.is_ascii_alphanumeric(), "-");
    write(
        homes
            .claude
            .join("projects")
            .join(project)
            .join(format!("{CLAUDE_ID}.jsonl")),
        &CLAUDE.replace(RECORDED_CWD, &root),
    )?;
    write(repo.join("notes.txt"), "alpha\nBETA\ngamma\n")?;
    git(repo, None, &["add", "-A"])?;
    git(
        repo,
        Some("2026-12-01T22:00:00Z"),
        &["commit", "-q", "-m", "Add notes"],
    )?;
    let letters = repo.join("letters");
    let codex = CODEX
        .replace(RECORDED_CODEX_HOME, &homes.codex.to_string_lossy())
        .replace(RECORDED_CWD, &letters.to_string_lossy());
    write(homes.codex.join(CODEX_FILE), &codex)?;
    write(letters.join("notes.txt"), "a\nB\nc\nd\ne\nF\n")?;
    git(repo, None, &["add", "-A"])?;
    git(
        repo,
        Some("2026-12-01T22:30:00Z"),
        &["commit", "-q", "-m", "Add the letters"],
    )?;
    write(
        repo.join("notes.txt"),
        "alpha\nBETA\ngamma\ndelta, by hand\n",
    )?;
    git(repo, None, &["add", "-A"])?;
    git(
        repo,
        Some("2026-12-01T22:45:00Z"),
        &["commit", "-q", "-m", "Add delta"],
    )?;
    Ok(())
}

/// Parse `argv` as a command's arguments (the demo runs the real commands in-process).
fn parse<A: clap::Args + clap::FromArgMatches>(argv: &[&str]) -> Result<A> {
    let cmd = A::augment_args(clap::Command::new("git-drift"));
    let m = cmd
        .try_get_matches_from(std::iter::once("git-drift").chain(argv.iter().copied()))
        .map_err(|e| Error::other(format!("demo arguments: {e}")))?;
    A::from_arg_matches(&m).map_err(|e| Error::other(format!("demo arguments: {e}")))
}

/// Bind the commits, then show what the commands answer.
fn show(ctx: &Ctx, out: &mut dyn Write) -> Result<()> {
    let mut store = ctx.captured_store(false)?;
    let redactor = ctx.config()?.redactor()?;
    for rev in ["HEAD~2", "HEAD~1", "HEAD"] {
        let commit = ctx.repo()?.git(&["rev-parse", rev])?;
        ctx.bind(&mut store, &redactor, commit.trim())?;
    }
    drop(store);
    let mut step = |title: &str, f: &dyn Fn(&mut dyn Write) -> Result<()>| -> Result<()> {
        writeln!(out, "\n$ {title}").map_err(out_err)?;
        f(out)
    };
    step("git drift sessions", &|o| {
        super::sessions::run(ctx, &parse(&[])?, o)
    })?;
    step("git drift log", &|o| super::log::run(ctx, &parse(&[])?, o))?;
    step("git drift blame notes.txt", &|o| {
        super::blame::run(ctx, &parse(&["notes.txt"])?, o)
    })?;
    step("git drift show HEAD~1", &|o| {
        super::show::run(ctx, &parse(&["HEAD~1"])?, o)
    })?;
    step(
        "git drift handoff --from codex --to claude-code --print",
        &|o| {
            super::handoff::run(
                ctx,
                &parse(&["--from", "codex", "--to", "claude-code", "--print"])?,
                o,
            )
        },
    )
}
