//! `git drift hook NAME` (hidden; the shims [`crate::hooks`] installs call it): what each git
//! hook does. A hook never fails or blocks the git command it serves: every error becomes one
//! warning line on stderr and exit code 0, and work that would take long moves to a detached
//! background process.
//!
//! Nothing is dropped on the way: a bind or rewrite that cannot run now (the store is locked
//! past the hook's short wait, a background bind is running or failed, the configuration is
//! broken) leaves a marker ([`crate::pending`]) that the next hook, capture or query completes
//! ([`settle`]), and a store that cannot be used (damaged, read-only, full) is never read for a
//! note: the commit is bound from its transcripts read into memory instead. A global
//! `core.hooksPath` runs the shims in every repository: they act only where git drift was set
//! up (`.prompts/config.yaml`).

use crate::attribution::bind as attribution_bind;
use crate::commands::Ctx;
use crate::error::{Error, Result};
use crate::pending::{self, Bind};
use crate::store::{self, Store};
use crate::util::git::Repo;
use crate::util::text::short_id;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Transcript bytes still to capture above which `post-commit` finishes in the background
/// (reading them at ~100 MB/s would blow the hook's budget).
const FOREGROUND_CAPTURE_BYTES: u64 = 4 << 20;
/// Set in the environment of the background process we start, so it works in the foreground.
const BACKGROUND_ENV: &str = "GIT_DRIFT_HOOK_BACKGROUND";
/// How long a hook waits for another process's lock on the store before it queues the bind:
/// git is waiting, and the next git drift command finishes the work.
pub const HOOK_STORE_WAIT: Duration = Duration::from_millis(200);
/// Environment variable overriding [`HOOK_STORE_WAIT`], in milliseconds.
pub const HOOK_WAIT_ENV: &str = "GIT_DRIFT_HOOK_WAIT_MS";
/// How long the detached background bind waits for the store: nobody waits for it.
const BACKGROUND_STORE_WAIT: Duration = Duration::from_secs(30);

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
    if !matches!(name, "post-commit" | "post-rewrite" | "pre-push") {
        ctx.ui.line(&format!(
            "git drift: warning: {name}: unknown hook '{name}' (git is unaffected)"
        ));
        return Ok(());
    }
    // Not a repository git drift can open, or one where it was never set up (a global
    // core.hooksPath runs our shims everywhere): do nothing, say nothing.
    if !ctx.repo().is_ok_and(set_up) {
        return Ok(());
    }
    ctx.wait_for_store(hook_wait());
    let result = match name {
        "post-commit" => post_commit(ctx),
        "post-rewrite" => post_rewrite(ctx, &args.args),
        _ => pre_push(ctx, &args.args),
    };
    if let Err(e) = result {
        ctx.ui.line(&format!(
            "git drift: warning: {name}: {} (git is unaffected)",
            one_line(&e)
        ));
    }
    Ok(())
}

/// Whether git drift was set up here: `.prompts/config.yaml` in this worktree or, for a
/// linked worktree, in the main one.
pub fn set_up(repo: &Repo) -> bool {
    let main = repo
        .common_dir
        .file_name()
        .is_some_and(|n| n == ".git")
        .then(|| repo.common_dir.parent())
        .flatten();
    std::iter::once(repo.root.as_path())
        .chain(main)
        .any(|root| root.join(".prompts/config.yaml").is_file())
}

fn hook_wait() -> Duration {
    std::env::var(HOOK_WAIT_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(HOOK_STORE_WAIT, Duration::from_millis)
}

/// An error as one line (its hint after a semicolon).
fn one_line(e: &Error) -> String {
    let text = e.to_string().replace('\n', " ");
    match e.hint() {
        Some(h) => format!("{text}; {h}"),
        None => text,
    }
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
    let background = std::env::var_os(BACKGROUND_ENV).is_some();
    if !background {
        // Amend and rebase picks are rewrites: git copies (or not) the old note after this
        // hook, then runs post-rewrite, which moves attribution properly. Binding here would
        // create a second note that git's copy then concatenates onto.
        let origin = head_origin(ctx)?;
        if rebase_in_progress(ctx)? || origin.starts_with("commit (amend)") {
            return Ok(());
        }
    }
    let commit = match std::env::var("GIT_DRIFT_COMMIT") {
        Ok(c) if background => c,
        _ => ctx
            .repo()?
            .head()?
            .ok_or_else(|| Error::git("HEAD does not point at a commit"))?,
    };
    if background {
        return background_bind(ctx, &commit);
    }
    let budget = Some(FOREGROUND_CAPTURE_BYTES);
    let outcome = bind_commit(ctx, &commit, budget);
    trace.mark("capture and bind");
    match outcome {
        Ok(Bound::Written) => {}
        Ok(Bound::FromTranscripts(why)) => ctx.ui.line(&format!(
            "git drift: warning: post-commit: the store cannot be used ({why}); the note of {} was written \
             from the transcripts directly",
            short_id(&commit)
        )),
        Ok(Bound::Deferred(bytes)) => {
            defer(ctx, &commit, bytes)?;
            return Ok(());
        }
        Err(e) => {
            queue_failed(ctx, &commit, &e);
            return Ok(());
        }
    }
    // Commits left pending by earlier hooks: the store is free now.
    settle(ctx, budget);
    trace.mark("settle");
    Ok(())
}

/// How a bind went.
enum Bound {
    Written,
    /// More than the budget of transcripts is new: nothing was read.
    Deferred(u64),
    /// The store could not be used (why); the note came from the transcripts read afresh.
    FromTranscripts(String),
}

/// Capture (within `budget` bytes) and bind `commit`. A store that cannot be used is never
/// read for the note: the transcripts are read into a store in memory instead.
fn bind_commit(ctx: &Ctx, commit: &str, budget: Option<u64>) -> Result<Bound> {
    let redactor = ctx.config()?.redactor()?;
    let prompts = ctx.repo()?.prompts_dir();
    let attempt = (|| -> Result<Bound> {
        let mut store = ctx.store()?;
        let stats = ctx.capture_within(&mut store, None, None, false, budget)?;
        if stats.deferred > 0 {
            return Ok(Bound::Deferred(stats.deferred));
        }
        ctx.bind(&mut store, &redactor, commit)?;
        Ok(Bound::Written)
    })();
    let fault = match &attempt {
        Err(e) if store::is_store_fault(e) => true,
        Err(Error::Io { path, .. }) => path.starts_with(&prompts),
        _ => false,
    };
    let Err(e) = attempt else { return attempt };
    if !fault {
        return Err(e);
    }
    let mut memory = Store::open(std::path::Path::new(":memory:"))?;
    let stats = ctx.capture_within(&mut memory, None, None, false, budget)?;
    if stats.deferred > 0 {
        return Ok(Bound::Deferred(stats.deferred));
    }
    ctx.bind(&mut memory, &redactor, commit)?;
    Ok(Bound::FromTranscripts(one_line(&e)))
}

/// Too much to read now: leave a marker and bind in a detached process.
fn defer(ctx: &Ctx, commit: &str, bytes: u64) -> Result<()> {
    let repo = ctx.repo()?;
    let marker = pending::queue_bind(
        repo,
        &Bind::new(commit, "binding in the background", false, None),
    );
    let pid = match spawn_background(commit) {
        Ok(pid) => pid,
        Err(e) => {
            queue_failed(ctx, commit, &e);
            return Ok(());
        }
    };
    match marker {
        Ok(path) if path.exists() => {
            let _ = pending::update(
                &path,
                &Bind::new(commit, "binding in the background", false, Some(pid)),
            );
        }
        Ok(_) => {}
        Err(e) => ctx.ui.line(&format!(
            "git drift: warning: cannot leave a pending-bind marker ({}); if the background \
             bind fails, run `git drift bind {}`",
            one_line(&e),
            short_id(commit)
        )),
    }
    ctx.ui.line(&format!(
        "git drift: {} of new transcripts to read; binding this commit in the background",
        crate::util::text::human_bytes(bytes)
    ));
    Ok(())
}

/// The detached process [`defer`] starts: bind with no budget and a long wait, then remove the
/// marker, or record in it why the bind failed (reported by the next git drift command).
fn background_bind(ctx: &Ctx, commit: &str) -> Result<()> {
    ctx.wait_for_store(BACKGROUND_STORE_WAIT);
    let result = bind_commit(ctx, commit, None);
    let repo = ctx.repo()?;
    let mine = pending::binds(repo)
        .into_iter()
        .filter(|(_, b)| b.commit == commit);
    for (path, _) in mine {
        match &result {
            Ok(_) => pending::done(&path),
            Err(e) => {
                let _ = pending::update(&path, &Bind::new(commit, one_line(e), true, None));
            }
        }
    }
    result.map(|_| ())
}

/// The bind of `commit` failed with `e`: leave a marker for the next git drift command and
/// say so in one line.
fn queue_failed(ctx: &Ctx, commit: &str, e: &Error) {
    let busy = store::is_busy(e);
    let reason = if busy {
        "the store was busy (another git drift process held it)".to_string()
    } else {
        one_line(e)
    };
    let short = short_id(commit);
    match ctx
        .repo()
        .and_then(|r| pending::queue_bind(r, &Bind::new(commit, &reason, !busy, None)))
    {
        Ok(_) if busy => ctx.ui.line(&format!(
            "git drift: {reason}; the note of {short} is queued for the next git drift command"
        )),
        Ok(_) => ctx.ui.line(&format!(
            "git drift: warning: post-commit: {reason}; the note of {short} is queued for the \
             next git drift command (git is unaffected)"
        )),
        Err(q) => ctx.ui.line(&format!(
            "git drift: warning: post-commit: {reason}; {short} has no note and no marker \
             could be left ({}); run `git drift bind {short}` (git is unaffected)",
            one_line(&q)
        )),
    }
}

/// Complete the binds earlier hooks left pending (the next hook, capture or query runs this),
/// reading at most `budget` bytes of new transcripts. Never fails: what is still pending, and
/// a failure behind a bind completed now, is reported in one line each.
pub fn settle(ctx: &Ctx, budget: Option<u64>) {
    let Ok(repo) = ctx.repo() else { return };
    report_pushes(ctx, repo);
    if !set_up(repo) {
        return;
    }
    let (rewrites_left, rewrite_failed, rewrite_why) = settle_rewrites(ctx, repo, budget);
    if let Some(why) = rewrite_failed {
        ctx.ui.line(&format!(
            "git drift: moved the notes of a pending rewrite (an earlier attempt failed: {why})"
        ));
    }
    if let Some(why) = rewrite_why {
        ctx.ui.line(&format!(
            "git drift: warning: {} still to apply ({why}); the next git drift command tries \
             again",
            crate::ui::plural(rewrites_left as u64, "rewrite", "rewrites")
        ));
    }
    let queued: Vec<(std::path::PathBuf, Bind)> = pending::binds(repo)
        .into_iter()
        .filter(|(_, b)| !b.running())
        .collect();
    if queued.is_empty() {
        return;
    }
    let (mut written, mut earlier, mut left) = (Vec::new(), None, Vec::new());
    for (path, marker) in queued {
        let exists = repo
            .git_opt(&["cat-file", "-e", &format!("{}^{{commit}}", marker.commit)])
            .is_ok_and(|o| o.is_some());
        if !exists {
            // Amended away or collected: no note to write.
            pending::done(&path);
            continue;
        }
        match bind_commit(ctx, &marker.commit, budget) {
            Ok(Bound::Deferred(_)) => left.push((marker.commit.clone(), marker.reason.clone())),
            Ok(_) => {
                pending::done(&path);
                written.push(short_id(&marker.commit).to_string());
                if marker.failed {
                    earlier.get_or_insert(marker.reason.clone());
                }
            }
            Err(e) => {
                let busy = store::is_busy(&e);
                let _ =
                    pending::update(&path, &Bind::new(&marker.commit, one_line(&e), !busy, None));
                left.push((marker.commit.clone(), one_line(&e)));
                if busy {
                    break;
                }
            }
        }
    }
    if let Some(why) = earlier {
        ctx.ui.line(&format!(
            "git drift: wrote the pending note of {} (an earlier attempt failed: {why})",
            written.join(", ")
        ));
    }
    if let Some((commit, why)) = left.first() {
        ctx.ui.line(&format!(
            "git drift: warning: {} still without a note ({}: {why}); the next git drift \
             command tries again, or run `git drift bind {}`",
            crate::ui::plural(left.len() as u64, "commit", "commits"),
            short_id(commit),
            short_id(commit)
        ));
    }
}

/// Tell once about notes that did not reach a remote (the next push or sync retries).
fn report_pushes(ctx: &Ctx, repo: &Repo) {
    for (path, push) in pending::pushes(repo) {
        if push.reported {
            continue;
        }
        ctx.ui.line(&format!(
            "git drift: notes not on {0} yet ({1}); they go with your next push, or run \
             `git drift sync {0}`",
            push.remote, push.reason
        ));
        pending::mark_reported(&path, &push);
    }
}

/// Re-run the post-commit hook for `commit` detached from git, with no terminal attached;
/// returns its process id.
fn spawn_background(commit: &str) -> Result<u32> {
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
        .map(|c| c.id())
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
    // Earlier rewrites still pending go first: they must apply in order.
    settle(ctx, Some(FOREGROUND_CAPTURE_BYTES));
    if let Err(e) = rewrite(ctx, &pairs, Some(FOREGROUND_CAPTURE_BYTES)) {
        let busy = store::is_busy(&e);
        let reason = if busy {
            "the store was busy (another git drift process held it)".to_string()
        } else {
            one_line(&e)
        };
        let n = crate::ui::plural(pairs.len() as u64, "rewritten commit", "rewritten commits");
        match pending::queue_rewrite(ctx.repo()?, kind, &pairs, &reason, !busy) {
            Ok(_) => ctx.ui.line(&format!(
                "git drift: {reason}; moving the notes of {n} is queued for the next git drift \
                 command"
            )),
            Err(q) => ctx.ui.line(&format!(
                "git drift: warning: post-rewrite: {reason}; the notes of {n} were not moved \
                 and no marker could be left ({}) (git is unaffected)",
                one_line(&q)
            )),
        }
    }
    Ok(())
}

/// Move attribution from rewritten commits to their replacements; like [`bind_commit`], a store
/// that cannot be used is replaced by the transcripts read into memory.
fn rewrite(ctx: &Ctx, pairs: &[(String, String)], budget: Option<u64>) -> Result<()> {
    let config = ctx.config()?;
    let redactor = config.redactor()?;
    let repo = ctx.repo()?;
    let attempt = (|| -> Result<()> {
        let mut store = ctx.store()?;
        ctx.capture_within(&mut store, None, None, false, budget)?;
        attribution_bind::rewrite(repo, &mut store, &redactor, config.privacy, pairs).map(|_| ())
    })();
    match attempt {
        Err(e) if store::is_store_fault(&e) => {
            let mut memory = Store::open(std::path::Path::new(":memory:"))?;
            ctx.capture_within(&mut memory, None, None, false, budget)?;
            attribution_bind::rewrite(repo, &mut memory, &redactor, config.privacy, pairs)
                .map(|_| ())
        }
        other => other,
    }
}

/// Apply the rewrites earlier hooks left pending, in order; stops at the first that fails
/// (a later one may depend on it). Returns what is still pending and a failure behind one
/// applied now.
fn settle_rewrites(
    ctx: &Ctx,
    repo: &Repo,
    budget: Option<u64>,
) -> (usize, Option<String>, Option<String>) {
    let queued = pending::rewrites(repo);
    let (mut earlier, mut left) = (None, None);
    let total = queued.len();
    for (i, (path, marker)) in queued.into_iter().enumerate() {
        match rewrite(ctx, &marker.pairs, budget) {
            Ok(()) => {
                pending::done(&path);
                if marker.failed {
                    earlier.get_or_insert(marker.reason.clone());
                }
            }
            Err(e) => {
                let busy = store::is_busy(&e);
                let mut m = marker.clone();
                m.reason = one_line(&e);
                m.failed = !busy;
                let _ = pending::update_rewrite(&path, &m);
                left = Some(m.reason);
                return (total - i, earlier, left);
            }
        }
    }
    (0, earlier, left)
}

/// Push `refs/notes/drift` along with the user's push (fetch, merge, push; never forced). The
/// hook's stdin says which refs are pushed: tags only or deletes only carry no notes.
fn pre_push(ctx: &Ctx, args: &[String]) -> Result<()> {
    // Drain stdin so the rest of the hook script sees what git sent (the shim re-feeds it).
    let mut input = String::new();
    let _ = std::io::stdin().read_to_string(&mut input);
    let remote = args.first().map(String::as_str).unwrap_or("");
    let url = args.get(1).map(String::as_str).unwrap_or("");
    // Notes still pending go out with this push.
    settle(ctx, Some(FOREGROUND_CAPTURE_BYTES));
    crate::sync::pre_push(ctx.repo()?, remote, url, &input).map(|_| ())
}
