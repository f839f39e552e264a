//! Which sessions a brief covers, and loading them.
//!
//! A branch scope takes the sessions whose recorded branch is the branch, plus the sessions
//! bound to commits that are only on the branch: commits reachable from it but not from the
//! repository's default branch (or, for the default branch itself, not from its upstream).
//! Bindings come from the local store and from the notes on `refs/notes/drift` (including
//! teammates' fetched notes); a session known only from a note contributes what the note
//! records (prompts, decisions, rejected approaches). The default branch is detected (a
//! remote's `HEAD`, then `init.defaultBranch`), never assumed.
//!
//! Sub-agent sessions of a session in scope come along: their edits and commands are part of
//! the work, though their task prompts were written by the parent agent, not the human.

use crate::error::{Error, Result};
use crate::git::Repo;
use crate::model::{Event, Millis, Session};
use crate::notes::SessionRecord;
use crate::store::Store;
use rusqlite::params;
use std::collections::{BTreeMap, BTreeSet};

/// At most this many commits of a branch are examined for bound sessions.
const MAX_COMMITS: usize = 1000;

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    Branch { name: String, since: Option<Millis> },
    Session { id: String, since: Option<Millis> },
}

/// Why a session is in scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// Its recorded branch is the branch.
    Branch,
    /// It is bound to this commit, which is only on the branch.
    Commit(String),
    /// The user named it (or it is a sub-agent of one that is in scope).
    Requested,
}

/// A captured session and the events the brief reads (no reasoning, no usage).
#[derive(Debug, Clone)]
pub struct SessionData {
    pub session: Session,
    pub events: Vec<Event>,
    pub via: Via,
}

/// A session known only from a commit's note (a teammate's, or captured on another machine).
#[derive(Debug, Clone)]
pub struct Noted {
    pub record: SessionRecord,
    pub commit: String,
}

/// Everything a brief is made from.
#[derive(Debug, Clone, Default)]
pub struct Material {
    /// Captured sessions, oldest first.
    pub sessions: Vec<SessionData>,
    pub noted: Vec<Noted>,
    /// The branch of the scope (for a session scope, the session's recorded branch).
    pub branch: Option<String>,
    /// What names the brief's file: the branch, or `session-<prefix>`.
    pub label: String,
    pub since: Option<Millis>,
    /// Set for a `--session` scope: the id asked for.
    pub session_scope: Option<String>,
}

impl Material {
    /// One line saying what the brief covers.
    pub fn describe(&self) -> String {
        let mut s = match (&self.session_scope, &self.branch) {
            (Some(id), _) => format!("session {id}"),
            (None, Some(b)) => format!("branch {b}"),
            (None, None) => self.label.clone(),
        };
        if let Some(t) = self.since {
            s.push_str(&format!(" since {}", crate::timefmt::local(t)));
        }
        s
    }
}

/// The checked-out branch; a user error on a detached HEAD.
pub fn current_branch(repo: &Repo) -> Result<String> {
    match repo.git_opt(&["symbolic-ref", "--quiet", "--short", "HEAD"])? {
        Some(b) if !b.trim().is_empty() => Ok(b.trim().to_string()),
        _ => Err(Error::user(
            "HEAD is detached: name the branch with --branch, or a session with --session",
        )),
    }
}

/// Load the sessions `spec` covers.
pub fn resolve(repo: &Repo, store: &Store, spec: &Spec) -> Result<Material> {
    match spec {
        Spec::Session { id, since } => {
            let session = store.find_session(id)?;
            let mut m = Material {
                branch: session.info.branch.clone(),
                label: session.info.branch.clone().unwrap_or_else(|| {
                    format!("session-{}", crate::sessions::short_id(&session.info.id))
                }),
                since: *since,
                session_scope: Some(session.info.id.clone()),
                ..Material::default()
            };
            let mut ids = BTreeMap::new();
            ids.insert(session.info.id.clone(), Via::Requested);
            add_children(store, &mut ids)?;
            m.sessions = load(store, &ids, *since)?;
            if m.sessions.is_empty() {
                return Err(Error::user(format!(
                    "session {} has nothing{} to hand off",
                    session.info.id,
                    since.map_or(String::new(), |t| format!(
                        " since {}",
                        crate::timefmt::local(t)
                    ))
                )));
            }
            Ok(m)
        }
        Spec::Branch { name, since } => {
            let mut ids: BTreeMap<String, Via> = BTreeMap::new();
            for s in store.sessions(None)? {
                if s.session.info.branch.as_deref() == Some(name.as_str()) {
                    ids.insert(s.session.info.id.clone(), Via::Branch);
                }
            }
            let commits = branch_commits(repo, name)?;
            let mut noted = Vec::new();
            if !commits.is_empty() {
                for (id, commit) in bound_sessions(store, &commits)? {
                    ids.entry(id).or_insert(Via::Commit(commit));
                }
                for (record, commit) in noted_sessions(repo, &commits)? {
                    if ids.contains_key(&record.id) {
                        continue;
                    }
                    if store.session(&record.id)?.is_some() {
                        ids.insert(record.id.clone(), Via::Commit(commit));
                    } else if since.is_none_or(|t| record.ended.is_none_or(|e| e >= t))
                        && !noted.iter().any(|n: &Noted| n.record.id == record.id)
                    {
                        noted.push(Noted { record, commit });
                    }
                }
            }
            add_children(store, &mut ids)?;
            let sessions = load(store, &ids, *since)?;
            if sessions.is_empty() && noted.is_empty() {
                return Err(Error::user(format!(
                    "no captured sessions on branch {name}{} (see `git drift sessions`; \
                     --session ID picks one)",
                    since.map_or(String::new(), |t| format!(
                        " since {}",
                        crate::timefmt::local(t)
                    ))
                )));
            }
            Ok(Material {
                sessions,
                noted,
                branch: Some(name.clone()),
                label: name.clone(),
                since: *since,
                session_scope: None,
            })
        }
    }
}

/// Add the sub-agent sessions of the sessions in `ids` (transitively).
fn add_children(store: &Store, ids: &mut BTreeMap<String, Via>) -> Result<()> {
    let all = store.sessions(None)?;
    loop {
        let mut added = false;
        for s in &all {
            let i = &s.session.info;
            if let Some(p) = &i.parent_id
                && ids.contains_key(p)
                && !ids.contains_key(&i.id)
            {
                let via = ids[p].clone();
                ids.insert(i.id.clone(), via);
                added = true;
            }
        }
        if !added {
            return Ok(());
        }
    }
}

/// The sessions' records and events, oldest session first; sessions with nothing left after
/// `since` are dropped.
fn load(
    store: &Store,
    ids: &BTreeMap<String, Via>,
    since: Option<Millis>,
) -> Result<Vec<SessionData>> {
    let mut out = Vec::new();
    for (id, via) in ids {
        let Some(session) = store.session(id)? else {
            continue;
        };
        // Reasoning and usage are the bulk of a store and say nothing a brief uses.
        let events = store.query_events(
            "SELECT id, session_id, ts, ord, data FROM events
             WHERE session_id = ?1 AND kind NOT IN ('reasoning', 'usage')
               AND (?2 IS NULL OR ts IS NULL OR ts >= ?2)
             ORDER BY ts, ord",
            params![id, since],
        )?;
        if events.is_empty() {
            continue;
        }
        out.push(SessionData {
            session,
            events,
            via: via.clone(),
        });
    }
    out.sort_by(|a, b| {
        (a.session.info.started, &a.session.info.id)
            .cmp(&(b.session.info.started, &b.session.info.id))
    });
    Ok(out)
}

/// Commits reachable from `branch` but not from its base (newest first, at most
/// [`MAX_COMMITS`]); empty when the branch does not exist or no base is known (then "only on
/// the branch" cannot be told from "all of history").
pub fn branch_commits(repo: &Repo, branch: &str) -> Result<Vec<String>> {
    let full = format!("refs/heads/{branch}");
    if !ref_exists(repo, &full)? {
        return Ok(Vec::new());
    }
    let base = base_refs(repo, branch)?;
    if base.is_empty() {
        return Ok(Vec::new());
    }
    let max = format!("--max-count={MAX_COMMITS}");
    let mut args = vec!["rev-list", max.as_str(), full.as_str(), "--not"];
    args.extend(base.iter().map(String::as_str));
    let out = repo.git(&args)?;
    Ok(out
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect())
}

/// What `branch`'s own commits are counted against: the default branch (its local and
/// remote-tracking refs), or for the default branch itself its upstream.
pub fn base_refs(repo: &Repo, branch: &str) -> Result<Vec<String>> {
    if let Some(default) = default_branch(repo, branch)?
        && default.name != branch
    {
        return Ok(default.refs);
    }
    let upstream = repo.git_opt(&[
        "rev-parse",
        "--verify",
        "--quiet",
        "--symbolic-full-name",
        &format!("refs/heads/{branch}@{{upstream}}"),
    ])?;
    Ok(upstream
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
        .into_iter()
        .collect())
}

/// The repository's default branch and the refs that hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultBranch {
    pub name: String,
    pub refs: Vec<String>,
}

/// The default branch: what a remote's `HEAD` points at (the remote `branch` tracks first,
/// then `origin`, then the others), else `init.defaultBranch` when such a local branch exists.
pub fn default_branch(repo: &Repo, branch: &str) -> Result<Option<DefaultBranch>> {
    let mut remotes: Vec<String> = repo
        .git_opt(&["remote"])?
        .unwrap_or_default()
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let tracked = repo
        .git_opt(&["config", "--get", &format!("branch.{branch}.remote")])?
        .map(|s| s.trim().to_string());
    remotes.sort_by_key(|r| (Some(r) != tracked.as_ref(), r != "origin", r.clone()));
    for remote in remotes {
        let head = format!("refs/remotes/{remote}/HEAD");
        let Some(target) = repo.git_opt(&["symbolic-ref", "--quiet", &head])? else {
            continue;
        };
        let target = target.trim();
        let Some(name) = target.strip_prefix(&format!("refs/remotes/{remote}/")) else {
            continue;
        };
        let mut refs = vec![target.to_string()];
        let local = format!("refs/heads/{name}");
        if ref_exists(repo, &local)? {
            refs.push(local);
        }
        return Ok(Some(DefaultBranch {
            name: name.to_string(),
            refs,
        }));
    }
    if let Some(name) = repo.git_opt(&["config", "--get", "init.defaultBranch"])? {
        let name = name.trim();
        let local = format!("refs/heads/{name}");
        if !name.is_empty() && ref_exists(repo, &local)? {
            return Ok(Some(DefaultBranch {
                name: name.to_string(),
                refs: vec![local],
            }));
        }
    }
    Ok(None)
}

fn ref_exists(repo: &Repo, name: &str) -> Result<bool> {
    Ok(repo
        .git_opt(&["rev-parse", "--verify", "--quiet", name])?
        .is_some())
}

/// Sessions with edits the store bound to one of `commits`, with the (newest) commit.
fn bound_sessions(store: &Store, commits: &[String]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for commit in commits {
        // query_events wants event rows; one stand-in row per session is all that is needed.
        let rows = store.query_events(
            r#"SELECT min(e.id), e.session_id, NULL, 0, '{"type":"prompt","text":""}'
               FROM events e JOIN bound b ON b.event_id = e.id
               WHERE b.commit_id = ?1 GROUP BY e.session_id"#,
            params![commit],
        )?;
        for r in rows {
            if seen.insert(r.session_id.clone()) {
                out.push((r.session_id, commit.clone()));
            }
        }
    }
    Ok(out)
}

/// Session records in the notes (local and fetched) of `commits`, with the commit.
fn noted_sessions(repo: &Repo, commits: &[String]) -> Result<Vec<(SessionRecord, String)>> {
    let gix = repo.gix()?;
    let mut out = Vec::new();
    for commit in commits {
        let oid = crate::bind::parse_oid(commit)?;
        if let Some(note) = crate::notes::read_union(&gix, oid)? {
            for (_, record) in note.sessions {
                out.push((record, commit.clone()));
            }
        }
    }
    Ok(out)
}
