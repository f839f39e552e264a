//! Sharing attribution notes with a remote: fetch its `refs/notes/drift` into a tracking ref,
//! merge that into ours without losing anything, push ours back without force, and start again
//! when someone else pushed in between. `git drift sync [REMOTE]` runs this by hand; the
//! `pre-push` hook runs it with every `git push` (see [`pre_push`]).
//!
//! Why this shape: notes are a branch that everybody commits to. Force-pushing it, or fetching
//! `+refs/notes/*:refs/notes/*`, replaces a teammate's notes with yours; so the remote's notes
//! only ever land on `refs/notes/remotes/<remote>/drift` (the fetch refspec `git drift init`
//! adds, and which this module adds to remotes created later), are folded into the local ref by
//! [`notes::merge_ref`] (a union per commit and session), and the push is a plain fast-forward
//! that the remote rejects when it moved; then we fetch, merge and try again, a bounded number
//! of times with jitter so racing pushers spread out.
//!
//! Network steps run the real `git` (gix does not push). In the hook they never prompt and run
//! under a wall-clock budget; a step that overruns is killed with its whole process group, so a
//! dead remote costs the user's push a few seconds at most and one warning line.

use crate::error::{Error, Result};
use crate::init;
use crate::notes::{self, MergeKind, MergeOutcome, NOTES_REF};
use crate::util::git::Repo;
use gix::ObjectId;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{Read, Seek, Write};
use std::process::Command;
use std::time::{Duration, Instant};

/// How many fetch–merge–push rounds are tried before giving up on a remote that keeps moving
/// (within the time budget: with 8 clones pushing at once, a round can lose several times).
pub const ATTEMPTS: u32 = 40;

/// Wall-clock budget of the whole sync inside the `pre-push` hook.
pub const HOOK_BUDGET: Duration = Duration::from_secs(30);

/// Environment variable overriding the budget, in seconds (hook and `git drift sync` alike).
pub const TIMEOUT_ENV: &str = "GIT_DRIFT_SYNC_TIMEOUT";

/// How a sync talks to the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// May git ask for passwords or passphrases? Never inside a hook.
    pub interactive: bool,
    /// Give up (killing the running git) once this much time has passed; `None` waits forever.
    pub budget: Option<Duration>,
    /// Fetch–merge–push rounds before giving up on a remote that keeps moving.
    pub attempts: u32,
}

impl Options {
    /// For the `pre-push` hook: no prompts, [`HOOK_BUDGET`] (or [`TIMEOUT_ENV`]).
    pub fn hook() -> Options {
        Options {
            interactive: false,
            budget: Some(env_budget().unwrap_or(HOOK_BUDGET)),
            attempts: ATTEMPTS,
        }
    }

    /// For `git drift sync`: prompts allowed, no budget unless [`TIMEOUT_ENV`] sets one.
    pub fn manual() -> Options {
        Options {
            interactive: true,
            budget: env_budget(),
            attempts: ATTEMPTS,
        }
    }
}

fn env_budget() -> Option<Duration> {
    std::env::var(TIMEOUT_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(Duration::from_secs_f64)
}

/// Where a sync ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Neither side has any notes.
    NoNotes,
    /// After merging, the remote already had exactly our notes: nothing was pushed.
    UpToDate,
    /// Our notes were pushed.
    Pushed,
}

/// What a sync did. Counts are notes, that is annotated commits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The remote (name or URL) synced with.
    pub remote: String,
    /// Notes that came from the remote with content we did not have (new, or changed there).
    pub fetched: usize,
    /// Of those, notes both sides had changed, now combined into one.
    pub merged: usize,
    /// Notes the remote did not have (or had different) before our push.
    pub pushed: usize,
    /// Notes on the local `refs/notes/drift` at the end.
    pub notes: usize,
    /// Fetch–merge–push rounds it took (more than one when someone pushed in between).
    pub attempts: u32,
    pub status: Status,
    /// The notes fetch refspec was missing on this remote and has been added.
    pub refspec_added: bool,
    /// Tip of the local `refs/notes/drift` at the end.
    pub tip: Option<String>,
}

/// One line git feeds the `pre-push` hook on stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedRef {
    pub local_ref: String,
    pub local_oid: String,
    pub remote_ref: String,
    pub remote_oid: String,
}

impl PushedRef {
    /// `git push REMOTE :ref`: the local side is the null id.
    pub fn is_delete(&self) -> bool {
        self.local_oid.bytes().all(|b| b == b'0')
    }
}

/// The lines of the `pre-push` hook's stdin; malformed lines are skipped.
pub fn parse_pre_push(stdin: &str) -> Vec<PushedRef> {
    stdin
        .lines()
        .filter_map(|line| {
            let mut it = line.split_whitespace();
            let r = PushedRef {
                local_ref: it.next()?.to_string(),
                local_oid: it.next()?.to_string(),
                remote_ref: it.next()?.to_string(),
                remote_oid: it.next()?.to_string(),
            };
            Some(r)
        })
        .collect()
}

/// Whether a push of `refs` should carry our notes: yes when it updates a branch (or any ref
/// that is not a tag or a note); no when it only pushes tags, only deletes, or pushes notes
/// itself. An empty list (git found nothing to push: "Everything up-to-date") still syncs, so
/// notes written since the last push (a backfill, say) go out with the next `git push`.
pub fn pushes_notes(refs: &[PushedRef]) -> bool {
    refs.is_empty()
        || refs.iter().any(|r| {
            !r.is_delete()
                && !r.remote_ref.starts_with("refs/tags/")
                && !r.remote_ref.starts_with("refs/notes/")
        })
}

/// The `pre-push` hook: `remote` and `url` are the hook's arguments, `stdin` what git fed it.
/// `Ok(None)` when this push carries no notes (see [`pushes_notes`]).
/// A push that did not go through (other than a refusal) leaves a pending-push marker
/// ([`crate::pending`]): the next push to that remote carries the notes even when it would not
/// (tags only), and the next git drift command says so once.
pub fn pre_push(repo: &Repo, remote: &str, url: &str, stdin: &str) -> Result<Option<Report>> {
    // `git push URL` passes the URL twice; a configured remote arrives by name.
    let target = if remote.is_empty() { url } else { remote };
    if target.is_empty() || push_is_dry_run() {
        return Ok(None);
    }
    let owed = crate::pending::push_to(repo, target).is_some();
    if !owed && !pushes_notes(&parse_pre_push(stdin)) {
        return Ok(None);
    }
    match sync(repo, target, &Options::hook()) {
        Ok(report) => Ok(Some(report)),
        Err(e) => {
            let reason = bare(&e);
            if !reason.contains(&format!("refused {NOTES_REF}")) {
                let _ = crate::pending::queue_push(repo, target, &reason);
            }
            Err(Error::other(format!("notes not pushed: {reason}")))
        }
    }
}

/// Whether the `git push` this hook serves is a `--dry-run` (git runs `pre-push` for those too,
/// and says so nowhere but in its own command line). Best effort: the nearest ancestor process
/// whose arguments contain `push` is asked; elsewhere than Linux the answer is no.
fn push_is_dry_run() -> bool {
    #[cfg(target_os = "linux")]
    {
        let mut pid = std::process::id();
        // hook runner ← `git drift` ← hook shell ← `git push`, with a little slack.
        for _ in 0..6 {
            let Some(parent) = parent_pid(pid) else {
                return false;
            };
            pid = parent;
            let Ok(raw) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
                return false;
            };
            let argv: Vec<String> = raw
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            if let Some(at) = argv.iter().position(|a| a == "push") {
                return argv_is_dry_run(&argv[at + 1..]);
            }
        }
    }
    false
}

#[cfg(target_os = "linux")]
fn parent_pid(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid …`; comm may hold spaces and parentheses.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace()
        .nth(1)?
        .parse()
        .ok()
        .filter(|p| *p > 1)
}

/// Whether `git push` arguments ask for a dry run (`--dry-run`, `-n`, or `-n` in a bundle of
/// short options such as `-nv`; `-o` takes the rest of its bundle as its value).
fn argv_is_dry_run(args: &[String]) -> bool {
    for a in args {
        if a == "--" {
            break;
        }
        if a == "--dry-run" {
            return true;
        }
        if let Some(short) = a.strip_prefix('-').filter(|s| !s.starts_with('-')) {
            for c in short.chars() {
                match c {
                    'n' => return true,
                    'o' => break,
                    _ => {}
                }
            }
        }
    }
    false
}

/// The message of `e` without the kind prefix [`Error`]'s `Display` adds.
fn bare(e: &Error) -> String {
    e.message()
}

/// The remote `git drift sync` uses when none is named: the current branch's remote, else
/// `origin`, else the only remote.
pub fn default_remote(repo: &Repo) -> Result<String> {
    let remotes = crate::util::git::remotes(repo)?;
    if remotes.is_empty() {
        return Err(Error::user(
            "no remote to sync with; add one with 'git remote add NAME URL'",
        ));
    }
    let branch = repo
        .git_opt(&["symbolic-ref", "--quiet", "--short", "HEAD"])?
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty());
    if let Some(branch) = branch
        && let Some(r) = repo.git_opt(&["config", "--get", &format!("branch.{branch}.remote")])?
        && remotes.iter().any(|x| x == r.trim())
    {
        return Ok(r.trim().to_string());
    }
    if remotes.iter().any(|r| r == "origin") {
        return Ok("origin".into());
    }
    match remotes.as_slice() {
        [only] => Ok(only.clone()),
        _ => Err(Error::user(format!(
            "several remotes ({}); name one: git drift sync REMOTE",
            remotes.join(", ")
        ))),
    }
}

/// Print a report: one line, or JSON.
pub fn print(report: &Report, json: bool, out: &mut dyn Write) -> Result<()> {
    let w = |e| crate::error::out_err(e);
    if json {
        let text = serde_json::to_string_pretty(report).unwrap_or_default();
        return writeln!(out, "{text}").map_err(w);
    }
    if report.refspec_added {
        writeln!(
            out,
            "now fetching notes from {0} into refs/notes/remotes/{0}/drift",
            report.remote
        )
        .map_err(w)?;
    }
    let n = |k: usize| if k == 1 { "note" } else { "notes" };
    let line = match report.status {
        Status::NoNotes => format!("{}: no notes on either side", report.remote),
        _ => format!(
            "{}: {} {} fetched, {} merged, {} pushed{} ({} {} in {NOTES_REF})",
            report.remote,
            report.fetched,
            n(report.fetched),
            report.merged,
            report.pushed,
            if report.status == Status::UpToDate {
                "; up to date"
            } else {
                ""
            },
            report.notes,
            n(report.notes),
        ),
    };
    writeln!(out, "{line}").map_err(w)
}

/// Fetch `remote`'s notes, merge them into the local `refs/notes/drift`, and push the result
/// back without force, retrying when the remote moved in between. `remote` is a configured
/// remote's name (its notes then stay visible in `refs/notes/remotes/<remote>/drift`) or a URL.
pub fn sync(repo: &Repo, remote: &str, opts: &Options) -> Result<Report> {
    let named = crate::util::git::remotes(repo)?.iter().any(|r| r == remote);
    let refspec_added = named
        && crate::util::git::ensure_fetch_refspec(repo, remote, &init::notes_refspec(remote))?;
    // A URL has no tracking ref of its own: fetch into a private ref, gone when we are done.
    let tracking = if named {
        format!("refs/notes/remotes/{remote}/drift")
    } else {
        format!("refs/drift-sync/{}", std::process::id())
    };
    let net = Net::new(repo, opts)?;
    let mut report = Report {
        remote: remote.to_string(),
        fetched: 0,
        merged: 0,
        pushed: 0,
        notes: 0,
        attempts: 0,
        status: Status::NoNotes,
        refspec_added,
        tip: None,
    };
    let result = rounds(repo, remote, &tracking, &net, opts, &mut report);
    if !named {
        let _ = repo.git_opt(&["update-ref", "-d", &tracking]);
    }
    if result.is_ok()
        && let Some((marker, _)) = crate::pending::push_to(repo, remote)
    {
        crate::pending::done(&marker);
    }
    result.map(|()| report)
}

fn rounds(
    repo: &Repo,
    remote: &str,
    tracking: &str,
    net: &Net,
    opts: &Options,
    report: &mut Report,
) -> Result<()> {
    // Notes a plain `git fetch` brought in earlier: fold them in before our fetch moves the
    // tracking ref (a forced update there could otherwise drop ones never merged).
    let gix = repo.gix()?;
    if let Some(old) = ref_tip(&gix, tracking)? {
        count(report, notes::merge_ref(&gix, NOTES_REF, old)?);
    }
    let mut last = String::new();
    for attempt in 1..=opts.attempts.max(1) {
        report.attempts = attempt;
        let remote_tip = net.fetch(remote, tracking)?;
        let gix = repo.gix()?;
        match remote_tip {
            Some(theirs) => count(report, notes::merge_ref(&gix, NOTES_REF, theirs)?),
            // The remote has no notes (yet, or any more): a stale tracking ref would show
            // notes the remote no longer has; they are merged into ours above.
            None => {
                if ref_tip(&gix, tracking)?.is_some() {
                    repo.git(&["update-ref", "-d", tracking])?;
                }
            }
        }
        let ours = ref_tip(&gix, NOTES_REF)?;
        report.tip = ours.map(|o| o.to_string());
        let Some(ours) = ours else {
            report.status = Status::NoNotes;
            return Ok(());
        };
        let local = notes::list(&gix, NOTES_REF)?;
        report.notes = local.len();
        if remote_tip == Some(ours) {
            report.status = Status::UpToDate;
            return Ok(());
        }
        let theirs: BTreeMap<ObjectId, ObjectId> = match remote_tip {
            Some(_) => notes::list(&gix, tracking)?.into_iter().collect(),
            None => BTreeMap::new(),
        };
        let new = local
            .iter()
            .filter(|(commit, blob)| theirs.get(commit) != Some(blob))
            .count();
        match net.push(remote)? {
            Pushed::Done => {
                report.pushed += new;
                report.status = Status::Pushed;
                // What the remote holds now; git may have moved it already (it updates
                // tracking refs that match a fetch refspec), so no old-value check.
                repo.git(&["update-ref", tracking, &ours.to_string()])?;
                return Ok(());
            }
            Pushed::Moved(reason) => {
                last = reason;
                let nap = backoff(attempt);
                // Another round only when it can finish inside the budget.
                if attempt < opts.attempts && net.left().is_none_or(|l| l > nap * 2) {
                    std::thread::sleep(nap);
                } else {
                    break;
                }
            }
        }
    }
    Err(Error::other(format!(
        "{remote} kept moving; gave up after {} {} ({last}); run 'git drift sync {remote}' later",
        report.attempts,
        if report.attempts == 1 {
            "attempt"
        } else {
            "attempts"
        }
    )))
}

fn count(report: &mut Report, outcome: MergeOutcome) {
    report.fetched += outcome.added + outcome.merged;
    if outcome.kind == MergeKind::Merged {
        report.merged += outcome.merged;
    }
}

/// The object `name` points at, if the ref exists.
fn ref_tip(repo: &gix::Repository, name: &str) -> Result<Option<ObjectId>> {
    let found = repo
        .try_find_reference(name)
        .map_err(|e| Error::git_from(format!("cannot read {name}"), e))?;
    let Some(mut reference) = found else {
        return Ok(None);
    };
    let id = reference
        .peel_to_id()
        .map_err(|e| Error::git_from(format!("cannot resolve {name}"), e))?;
    Ok(Some(id.detach()))
}

/// How long to sleep before round `attempt + 1`: exponential (40 ms doubling up to 2 s) with
/// "equal jitter" (a random point in the upper half), so pushers that collided spread out
/// instead of colliding again in lockstep, and a crowd thins out quickly.
fn backoff(attempt: u32) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let cap = (40u64 << attempt.min(6)).min(2000);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(attempt);
    h.write_u32(std::process::id());
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    Duration::from_millis(cap / 2 + h.finish() % (cap / 2 + 1))
}

/// The outcome of pushing our notes.
enum Pushed {
    Done,
    /// The remote moved since our fetch (or its ref was locked by a concurrent push): fetch,
    /// merge and try again.
    Moved(String),
}

/// Runs the network steps with the environment and time limits of one sync.
struct Net<'r> {
    repo: &'r Repo,
    interactive: bool,
    deadline: Option<Instant>,
    /// `GIT_SSH_COMMAND` to set so ssh never asks for a passphrase (only when the user has no
    /// ssh command of their own configured).
    batch_ssh: Option<&'static str>,
}

/// What one git run printed.
struct Ran {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl<'r> Net<'r> {
    fn new(repo: &'r Repo, opts: &Options) -> Result<Net<'r>> {
        let own_ssh = std::env::var_os("GIT_SSH_COMMAND").is_some()
            || std::env::var_os("GIT_SSH").is_some()
            || repo
                .git_opt(&["config", "--get", "core.sshCommand"])?
                .is_some();
        Ok(Net {
            repo,
            interactive: opts.interactive,
            deadline: opts.budget.map(|b| Instant::now() + b),
            batch_ssh: (!opts.interactive && !own_ssh).then_some("ssh -o BatchMode=yes"),
        })
    }

    fn expired(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// Time left in the budget; `None` when there is no budget.
    fn left(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// Fetch the remote's notes into `tracking`; its new tip, or `None` when the remote has
    /// no notes ref.
    fn fetch(&self, remote: &str, tracking: &str) -> Result<Option<ObjectId>> {
        let spec = format!("+{NOTES_REF}:{tracking}");
        let ran = self.git(
            &format!("fetching notes from {remote}"),
            &[
                "fetch",
                "--quiet",
                "--no-tags",
                "--no-write-fetch-head",
                "--no-recurse-submodules",
                "--no-auto-maintenance",
                remote,
                &spec,
            ],
        )?;
        if !ran.ok {
            if ran.stderr.contains("couldn't find remote ref") {
                return Ok(None);
            }
            return Err(Error::git(format!(
                "cannot fetch notes from {remote}: {}",
                one_line(&ran.stderr)
            )));
        }
        ref_tip(&self.repo.gix()?, tracking)
    }

    /// Push `refs/notes/drift` as a fast-forward (never forced), without running our own
    /// `pre-push` hook again.
    fn push(&self, remote: &str) -> Result<Pushed> {
        let spec = format!("{NOTES_REF}:{NOTES_REF}");
        let ran = self.git(
            &format!("pushing notes to {remote}"),
            &[
                "push",
                "--no-verify",
                "--porcelain",
                "--no-follow-tags",
                "--no-signed",
                "--recurse-submodules=no",
                remote,
                &spec,
            ],
        )?;
        // Porcelain: `<flag>\t<from>:<to>\t<summary>`; `!` is a rejected ref.
        let status = ran.stdout.lines().find_map(|l| {
            let mut it = l.splitn(3, '\t');
            let flag = it.next()?;
            (it.next()? == spec).then(|| (flag.to_string(), it.next().unwrap_or("").to_string()))
        });
        match status {
            Some((flag, _)) if flag != "!" && ran.ok => Ok(Pushed::Done),
            Some((_, summary)) if moved(&summary) => Ok(Pushed::Moved(summary)),
            Some((_, summary)) => Err(Error::git(format!(
                "{remote} refused {NOTES_REF}: {summary}"
            ))),
            None => Err(Error::git(format!(
                "cannot push notes to {remote}: {}",
                one_line(&ran.stderr)
            ))),
        }
    }

    /// Run git with our environment; kills it (and everything it started) at the deadline.
    fn git(&self, what: &str, args: &[&str]) -> Result<Ran> {
        if self.expired() {
            return Err(Error::other(format!("ran out of time before {what}")));
        }
        let mut cmd = self.repo.command();
        // English messages: the outcome is read from them ("couldn't find remote ref").
        cmd.args(args).env("LC_ALL", "C").env("LANGUAGE", "C");
        if !self.interactive {
            cmd.env("GIT_TERMINAL_PROMPT", "0")
                .env("GCM_INTERACTIVE", "never");
            if let Some(ssh) = self.batch_ssh {
                cmd.env("GIT_SSH_COMMAND", ssh);
            }
            // Its own process group: a timeout kills ssh and remote helpers too, and anything
            // that still tries to read the terminal is stopped instead of prompting.
            #[cfg(unix)]
            std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        }
        // Files, not pipes: a killed git's grandchildren may hold a pipe open for long.
        let temp = |what: &str| {
            tempfile::tempfile().map_err(|e| Error::io(format!("<temporary {what}>"), e))
        };
        let (mut out, mut err) = (temp("stdout")?, temp("stderr")?);
        let clone = |f: &std::fs::File| f.try_clone().map_err(|e| Error::io("<temporary>", e));
        cmd.stdout(clone(&out)?).stderr(clone(&err)?);
        let mut child = cmd
            .spawn()
            .map_err(|e| Error::git_from("cannot run git", e))?;
        let status = match self.deadline {
            None => child.wait().map_err(|e| Error::git_from(what, e))?,
            Some(deadline) => wait_until(&mut child, deadline, what)?,
        };
        let read = |f: &mut std::fs::File| -> String {
            let mut s = String::new();
            let _ = f.rewind();
            let _ = f.read_to_string(&mut s);
            s
        };
        Ok(Ran {
            ok: status.success(),
            stdout: read(&mut out),
            stderr: read(&mut err),
        })
    }
}

/// Wait for `child`, killing its process group once `deadline` passes.
fn wait_until(
    child: &mut std::process::Child,
    deadline: Instant,
    what: &str,
) -> Result<std::process::ExitStatus> {
    let started = Instant::now();
    let mut nap = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) => {}
            Err(e) => return Err(Error::git_from(what, e)),
        }
        let now = Instant::now();
        if now >= deadline {
            kill_group(child);
            return Err(Error::other(format!(
                "{what} timed out after {:.0}s",
                (now - started).as_secs_f64().max(1.0)
            )));
        }
        std::thread::sleep(nap.min(deadline - now));
        nap = (nap * 2).min(Duration::from_millis(25));
    }
}

fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A rejection that means "the remote moved under you": worth a fetch, a merge and a retry.
/// A lost race on the remote's ref lock reads differently but means the same.
fn moved(summary: &str) -> bool {
    let s = summary.to_ascii_lowercase();
    ["fetch first", "non-fast-forward", "stale info"]
        .iter()
        .any(|k| s.contains(k))
        || (s.contains("[remote rejected]")
            && ["lock", "failed to update ref", "incorrect old value"]
                .iter()
                .any(|k| s.contains(k)))
}

/// The line of git's stderr that says what went wrong (the last `fatal:`/`error:` line,
/// else the last non-hint line), without the prefix.
fn one_line(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("hint:"))
        .collect();
    let pick = lines
        .iter()
        .rev()
        .find(|l| l.starts_with("fatal:") || l.starts_with("error:"))
        .or(lines.last())
        .copied()
        .unwrap_or("git failed without a message");
    pick.trim_start_matches("fatal:")
        .trim_start_matches("error:")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(local_ref: &str, local: &str, remote_ref: &str) -> PushedRef {
        PushedRef {
            local_ref: local_ref.into(),
            local_oid: local.into(),
            remote_ref: remote_ref.into(),
            remote_oid: "0".repeat(40),
        }
    }

    const OID: &str = "d142102481a19ae21600b335c49b059b62a65ee8";

    #[test]
    fn parses_the_hook_input() {
        let stdin = format!(
            "refs/heads/main {OID} refs/heads/main {}\n\nbroken line\n",
            "0".repeat(40)
        );
        let refs = parse_pre_push(&stdin);
        assert_eq!(
            refs,
            vec![line("refs/heads/main", OID, "refs/heads/main")],
            "blank and malformed lines are skipped"
        );
    }

    #[test]
    fn only_branch_updates_carry_notes() {
        let zero = "0".repeat(40);
        let branch = line("refs/heads/main", OID, "refs/heads/main");
        let tag = line("refs/tags/v1", OID, "refs/tags/v1");
        let delete = line("(delete)", &zero, "refs/heads/old");
        let notes = line("refs/notes/drift", OID, "refs/notes/drift");
        assert!(pushes_notes(std::slice::from_ref(&branch)));
        assert!(pushes_notes(&[tag.clone(), branch.clone()]));
        assert!(!pushes_notes(std::slice::from_ref(&tag)));
        assert!(!pushes_notes(std::slice::from_ref(&delete)));
        assert!(!pushes_notes(&[tag, delete]));
        assert!(!pushes_notes(&[notes]), "the user pushes notes themselves");
        assert!(pushes_notes(&[]), "an up-to-date push still syncs notes");
    }

    #[test]
    fn dry_run_flags() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(argv_is_dry_run(&args(&["--dry-run", "origin"])));
        assert!(argv_is_dry_run(&args(&["-n", "origin", "main"])));
        assert!(argv_is_dry_run(&args(&["-vn", "origin"])));
        assert!(!argv_is_dry_run(&args(&["-onotify", "origin"])));
        assert!(!argv_is_dry_run(&args(&["-o", "n", "origin"])));
        assert!(!argv_is_dry_run(&args(&["--no-verify", "origin", "main"])));
        assert!(!argv_is_dry_run(&args(&["origin", "--", "-n"])));
    }

    #[test]
    fn rejections_that_mean_the_remote_moved() {
        assert!(moved("[rejected] (fetch first)"));
        assert!(moved("[rejected] (non-fast-forward)"));
        assert!(moved(
            "[remote rejected] (cannot lock ref 'refs/notes/drift': is at 1 but expected 2)"
        ));
        assert!(moved("[remote rejected] (failed to update ref)"));
        assert!(!moved("[remote rejected] (pre-receive hook declined)"));
        assert!(!moved("[remote rejected] (hook declined)"));
    }

    #[test]
    fn one_line_picks_the_fatal_message() {
        let err = "warning: something\nfatal: 'nowhere' does not appear to be a git repository\nfatal: Could not read from remote repository.\n\nhint: check\n";
        assert_eq!(one_line(err), "Could not read from remote repository.");
        assert_eq!(one_line("just text\n"), "just text");
        assert_eq!(one_line(""), "git failed without a message");
    }

    #[test]
    fn report_prints_one_line_or_json() {
        let report = Report {
            remote: "origin".into(),
            fetched: 1,
            merged: 1,
            pushed: 2,
            notes: 5,
            attempts: 1,
            status: Status::Pushed,
            refspec_added: false,
            tip: Some(OID.into()),
        };
        let mut out = Vec::new();
        print(&report, false, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "origin: 1 note fetched, 1 merged, 2 pushed (5 notes in refs/notes/drift)\n"
        );
        let mut out = Vec::new();
        print(&report, true, &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["status"], "pushed");
        assert_eq!(v["pushed"], 2);
        assert_eq!(v["tip"], OID);
    }
}
