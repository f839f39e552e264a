//! Durable markers of work a hook could not finish in its budget, so that nothing is lost:
//! a commit whose note is still to be written (the store was locked, a background bind is
//! running or failed), and a notes push that did not go through.
//!
//! A pending bind is one small JSON file per commit (a pending rewrite, one per `post-rewrite`) in `.prompts/pending/` (falling back to
//! `<git-dir>/drift-pending/` when `.prompts/` cannot be written: read-only, full). Creating and
//! removing one file is atomic, so concurrent hooks never lose each other's markers. The next
//! hook, capture or query completes them ([`crate::commands::hook::settle`]) and reports a
//! failure in one line. A pending push lives in the common git dir (notes are shared by all
//! worktrees) and is completed by the next `git push` or `git drift sync` to that remote.

use crate::error::{Error, Result};
use crate::util::git::Repo;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A background bind that started longer ago than this is not waited for any more (its
/// process id may have been reused).
const RUNNING_AT_MOST_MS: i64 = 10 * 60 * 1000;

/// A commit whose note is still to be written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bind {
    pub commit: String,
    /// Why it was queued, or how the last attempt failed.
    pub reason: String,
    /// An attempt failed (as opposed to: queued, or handed to a background process).
    pub failed: bool,
    /// The background process binding it now, if any.
    pub pid: Option<u32>,
    /// When it was queued or last attempted, milliseconds since the epoch.
    pub since: i64,
}

impl Bind {
    /// A marker queued now.
    pub fn new(commit: &str, reason: impl Into<String>, failed: bool, pid: Option<u32>) -> Bind {
        Bind {
            commit: commit.to_string(),
            reason: reason.into(),
            failed,
            pid,
            since: now_ms(),
        }
    }

    /// Whether a background process is binding it right now.
    pub fn running(&self) -> bool {
        let Some(pid) = self.pid else { return false };
        pid != std::process::id()
            && now_ms() - self.since < RUNNING_AT_MOST_MS
            && process_alive(pid)
    }
}

/// Rewritten commits (amend, rebase) whose attribution is still to be moved to the new ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rewrite {
    /// `amend` or `rebase`, as git named it.
    pub kind: String,
    /// (old, new) commit ids.
    pub pairs: Vec<(String, String)>,
    pub reason: String,
    pub failed: bool,
    pub since: i64,
}

/// Record a rewrite still to apply; returns the marker's path.
pub fn queue_rewrite(
    repo: &Repo,
    kind: &str,
    pairs: &[(String, String)],
    reason: &str,
    failed: bool,
) -> Result<PathBuf> {
    let rewrite = Rewrite {
        kind: kind.to_string(),
        pairs: pairs.to_vec(),
        reason: reason.to_string(),
        failed,
        since: now_ms(),
    };
    // Named by its last new commit: unique, and sorted by time when read back.
    let name = format!(
        "{}.rewrite",
        pairs.last().map_or("none", |(_, new)| new.as_str())
    );
    let mut first = None;
    for dir in bind_dirs(repo) {
        match write_json(&dir, &name, &rewrite) {
            Ok(p) => return Ok(p),
            Err(e) => {
                first.get_or_insert(e);
            }
        }
    }
    Err(first.unwrap_or_else(|| Error::other("no place for a pending-rewrite marker")))
}

/// Replace the rewrite marker at `path`, keeping its place in the order.
pub fn update_rewrite(path: &Path, rewrite: &Rewrite) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    write_json(dir, &name, rewrite).map(|_| ())
}

/// Every pending rewrite of this worktree, oldest first (they must apply in order).
pub fn rewrites(repo: &Repo) -> Vec<(PathBuf, Rewrite)> {
    let mut out: Vec<(PathBuf, Rewrite)> = bind_dirs(repo)
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rewrite"))
        .filter_map(|p| {
            let r = serde_json::from_slice::<Rewrite>(&std::fs::read(&p).ok()?).ok()?;
            Some((p, r))
        })
        .collect();
    out.sort_by_key(|r| r.1.since);
    out
}

/// A notes push that did not go through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Push {
    /// The remote's name or URL.
    pub remote: String,
    pub reason: String,
    /// A git drift command has told the user already.
    pub reported: bool,
    pub since: i64,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(target_os = "linux")]
fn process_alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(not(target_os = "linux"))]
fn process_alive(_pid: u32) -> bool {
    false
}

/// Where pending binds of this worktree are kept, preferred first.
fn bind_dirs(repo: &Repo) -> [PathBuf; 2] {
    [
        repo.prompts_dir().join("pending"),
        repo.git_dir.join("drift-pending"),
    ]
}

fn push_dir(repo: &Repo) -> PathBuf {
    repo.common_dir.join("drift-pending")
}

/// Write `value` as JSON to `dir/name` atomically (a temporary file renamed into place).
fn write_json(dir: &Path, name: &str, value: &impl Serialize) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let text = serde_json::to_vec(value).map_err(|e| Error::other_from("marker", e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
    std::io::Write::write_all(&mut tmp, &text).map_err(|e| Error::io(tmp.path(), e))?;
    let path = dir.join(name);
    tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
    Ok(path)
}

/// Record that `bind.commit` still needs its note; returns the marker's path. Tries
/// `.prompts/pending/`, then the git dir; the error says both failed.
pub fn queue_bind(repo: &Repo, bind: &Bind) -> Result<PathBuf> {
    let name = format!("{}.bind", bind.commit);
    let mut first = None;
    for dir in bind_dirs(repo) {
        // Never staged, even where an older `.prompts/.gitignore` does not list `pending/`.
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            let _ = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&ignore, "*\n"));
        }
        match write_json(&dir, &name, bind) {
            Ok(p) => {
                // One marker per commit: a stale copy in the other directory goes.
                for other in bind_dirs(repo).iter().filter(|d| **d != dir) {
                    let _ = std::fs::remove_file(other.join(&name));
                }
                return Ok(p);
            }
            Err(e) => {
                first.get_or_insert(e);
            }
        }
    }
    Err(first.unwrap_or_else(|| Error::other("no place for a pending-bind marker")))
}

/// Replace the marker at `path` (it stays where it was).
pub fn update(path: &Path, bind: &Bind) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    write_json(dir, &name, bind).map(|_| ())
}

/// The work is done: remove the marker (a missing one is fine: someone else finished it).
pub fn done(path: &Path) {
    let _ = std::fs::remove_file(path);
}

/// Every pending bind of this worktree, oldest first. A marker that does not parse still
/// names its commit in its file name.
pub fn binds(repo: &Repo) -> Vec<(PathBuf, Bind)> {
    let mut out = Vec::new();
    for dir in bind_dirs(repo) {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(commit) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".bind"))
                .filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_hexdigit()))
                .map(str::to_string)
            else {
                continue;
            };
            let bind = std::fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<Bind>(&b).ok())
                .filter(|b| b.commit == commit)
                .unwrap_or_else(|| Bind::new(&commit, "queued", false, None));
            out.push((path, bind));
        }
    }
    out.sort_by(|a, b| (a.1.since, &a.1.commit).cmp(&(b.1.since, &b.1.commit)));
    out
}

fn push_name(remote: &str) -> String {
    let safe: String = remote
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    // Names that clean to the same text (two URLs) stay apart; FNV-1a, stable across builds.
    let h = remote.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    format!("push-{}-{h:08x}", safe.chars().take(40).collect::<String>())
}

/// Record that our notes are not on `remote` yet.
pub fn queue_push(repo: &Repo, remote: &str, reason: &str) -> Result<PathBuf> {
    let push = Push {
        remote: remote.to_string(),
        reason: reason.to_string(),
        reported: false,
        since: now_ms(),
    };
    write_json(&push_dir(repo), &push_name(remote), &push)
}

/// The pending push to `remote`, if any.
pub fn push_to(repo: &Repo, remote: &str) -> Option<(PathBuf, Push)> {
    let path = push_dir(repo).join(push_name(remote));
    let push = std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice::<Push>(&b).ok())?;
    Some((path, push))
}

/// Every pending push.
pub fn pushes(repo: &Repo) -> Vec<(PathBuf, Push)> {
    let Ok(entries) = std::fs::read_dir(push_dir(repo)) else {
        return Vec::new();
    };
    let mut out: Vec<(PathBuf, Push)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("push-"))
        })
        .filter_map(|p| {
            let push = serde_json::from_slice::<Push>(&std::fs::read(&p).ok()?).ok()?;
            Some((p, push))
        })
        .collect();
    out.sort_by_key(|p| p.1.since);
    out
}

/// Mark a pending push as reported to the user.
pub fn mark_reported(path: &Path, push: &Push) {
    let mut p = push.clone();
    p.reported = true;
    if let (Some(dir), Some(name)) = (path.parent(), path.file_name()) {
        let _ = write_json(dir, &name.to_string_lossy(), &p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_names_are_safe_and_distinct() {
        let a = push_name("origin");
        assert!(a.starts_with("push-origin-"), "{a}");
        let b = push_name("https://x.example/a.git");
        let c = push_name("https://x.example/a_git");
        assert_ne!(b, c);
        assert!(
            b.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c)),
            "{b}"
        );
    }

    #[test]
    fn a_marker_of_this_process_is_not_running() {
        let b = Bind::new("abc", "x", false, Some(std::process::id()));
        assert!(!b.running());
        let none = Bind::new("abc", "x", false, None);
        assert!(!none.running());
    }
}
