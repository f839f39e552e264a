//! `git drift hook NAME` (hidden; the shims [`crate::hooks`] installs call it): what each git
//! hook does. A hook never fails or blocks the git
//! command it serves: every error becomes one warning line on stderr and exit code 0, and work
//! that would take long moves to a detached background process.

use crate::attribution::bind;
use crate::commands::Ctx;
use crate::error::{Error, Result};
use std::io::{Read, Write};
use std::process::{Command, Stdio};

/// Transcript bytes still to capture above which `post-commit` finishes in the background
/// (reading them at ~100 MB/s would blow the hook's budget).
const FOREGROUND_CAPTURE_BYTES: u64 = 4 << 20;
/// Set in the environment of the background process we start, so it works in the foreground.
const BACKGROUND_ENV: &str = "GIT_DRIFT_HOOK_BACKGROUND";

/// Run a git hook (called by the shims git drift init installs)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// post-commit, pre-push or post-rewrite
    pub name: String,
    /// The arguments git passed to the hook
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

/// Run hook `name` with git's arguments. Never fails: an error becomes one warning.
pub fn run(ctx: &Ctx, args: &Args, _out: &mut dyn Write) -> Result<()> {
    let name = args.name.as_str();
    let result = match name {
        "post-commit" => post_commit(ctx),
        "post-rewrite" => post_rewrite(ctx, &args.args),
        "pre-push" => pre_push(ctx, &args.args),
        other => Err(Error::user(format!("unknown hook '{other}'"))),
    };
    if let Err(e) = result {
        ctx.ui.line(&format!(
            "git drift: warning: {name}: {e} (git is unaffected)"
        ));
    }
    Ok(())
}

/// How the commit HEAD points at came to be, from the reflog subject git just wrote.
fn head_origin(ctx: &Ctx) -> Result<String> {
    let log = ctx.repo()?.git_dir.join("logs/HEAD");
    Ok(std::fs::read_to_string(log)
        .ok()
        .and_then(|t| {
            t.lines()
                .last()
                .and_then(|l| l.split_once('\t'))
                .map(|(_, s)| s.to_string())
        })
        .unwrap_or_default())
}

fn rebase_in_progress(ctx: &Ctx) -> Result<bool> {
    let git_dir = &ctx.repo()?.git_dir;
    Ok(["rebase-merge", "rebase-apply"]
        .iter()
        .any(|d| git_dir.join(d).exists()))
}

/// Phase timings on stderr when `GIT_DRIFT_TRACE` is set (like `GIT_TRACE`), for tuning the
/// hook's budget.
struct Trace<'c>(&'c Ctx, Option<std::time::Instant>);

impl Trace<'_> {
    fn new(ctx: &Ctx) -> Trace<'_> {
        Trace(
            ctx,
            std::env::var_os("GIT_DRIFT_TRACE").map(|_| std::time::Instant::now()),
        )
    }
    fn mark(&self, what: &str) {
        if let Some(t) = self.1 {
            self.0.ui.line(&format!(
                "git drift trace: {:>7.2} ms  {what}",
                t.elapsed().as_secs_f64() * 1e3
            ));
        }
    }
}

fn post_commit(ctx: &Ctx) -> Result<()> {
    let trace = Trace::new(ctx);
    ctx.config()?;
    trace.mark("open repository and config");
    // Amend and rebase picks are rewrites: git copies (or not) the old note after this hook,
    // then runs post-rewrite, which moves attribution properly. Binding here would create a
    // second note that git's copy then concatenates onto.
    let origin = head_origin(ctx)?;
    if rebase_in_progress(ctx)? || origin.starts_with("commit (amend)") {
        return Ok(());
    }
    let mut store = ctx.store()?;
    trace.mark("open store");
    let background = std::env::var_os(BACKGROUND_ENV).is_some();
    let budget = (!background).then_some(FOREGROUND_CAPTURE_BYTES);
    let stats = ctx.capture_within(&mut store, None, None, false, budget)?;
    trace.mark("capture");
    let commit = match std::env::var("GIT_DRIFT_COMMIT") {
        Ok(c) if background => c,
        _ => ctx
            .repo()?
            .head()?
            .ok_or_else(|| Error::git("HEAD does not point at a commit"))?,
    };
    if stats.deferred > 0 {
        spawn_background(&commit)?;
        ctx.ui.line(&format!(
            "git drift: {} of new transcripts to read; binding this commit in the background",
            crate::util::text::human_bytes(stats.deferred)
        ));
        return Ok(());
    }
    ctx.bind(&mut store, &ctx.config()?.redactor()?, &commit)?;
    trace.mark("bind");
    Ok(())
}

/// Re-run the post-commit hook for `commit` detached from git, with no terminal attached.
fn spawn_background(commit: &str) -> Result<()> {
    let exe = std::env::current_exe()
        .map_err(|e| Error::other_from("cannot find the git-drift executable", e))?;
    Command::new(exe)
        .args(["hook", "post-commit"])
        .env(BACKGROUND_ENV, "1")
        .env("GIT_DRIFT_COMMIT", commit)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|e| Error::other_from("cannot start background bind", e))
}

fn post_rewrite(ctx: &Ctx, args: &[String]) -> Result<()> {
    let kind = args.first().map(String::as_str).unwrap_or("");
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| Error::io("<stdin>", e))?;
    let pairs: Vec<(String, String)> = input
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            Some((it.next()?.to_string(), it.next()?.to_string()))
        })
        .collect();
    if pairs.is_empty() || !matches!(kind, "amend" | "rebase") {
        return Ok(());
    }
    let mut store = ctx.captured_store(false)?;
    let config = ctx.config()?;
    let redactor = config.redactor()?;
    bind::rewrite(ctx.repo()?, &mut store, &redactor, config.privacy, &pairs)?;
    Ok(())
}

/// Push `refs/notes/drift` along with the user's push (fetch, merge, push; never forced). The
/// hook's stdin says which refs are pushed: tags only or deletes only carry no notes.
fn pre_push(ctx: &Ctx, args: &[String]) -> Result<()> {
    // Drain stdin so the rest of the hook script sees what git sent (the shim re-feeds it).
    let mut input = String::new();
    let _ = std::io::stdin().read_to_string(&mut input);
    let remote = args.first().map(String::as_str).unwrap_or("");
    let url = args.get(1).map(String::as_str).unwrap_or("");
    crate::sync::pre_push(ctx.repo()?, remote, url, &input).map(|_| ())
}
