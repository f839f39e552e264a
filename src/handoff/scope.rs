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
use crate::model::{Event, Millis, Session};
use crate::notes::SessionRecord;
use crate::store::Store;
use crate::util::git::Repo;
use rusqlite::params;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// At most this many commits of a branch are examined for bound sessions.
const MAX_COMMITS: usize = 1000;

/// A stand-in event body for rows read through [`Store::query_events`] that are not events.
const STUB: &str = r#"'{"type":"prompt","text":""}'"#;

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    Branch { name: String, since: Option<Millis> },
    Session { id: String, since: Option<Millis> },
}

impl Spec {
    /// The scope the command line asks for: `--from AGENT` (that agent's latest session),
    /// `--session ID`, else `--branch` or the current branch.
    pub fn requested(
        repo: &Repo,
        store: &Store,
        from: Option<crate::model::Agent>,
        session: Option<&str>,
        branch: Option<&str>,
        since: Option<Millis>,
    ) -> Result<Spec> {
        let id = match from {
            Some(agent) => Some(latest_session(store, agent)?),
            None => session.map(String::from),
        };
        Ok(match id {
            Some(id) => Spec::Session { id, since },
            None => Spec::Branch {
                name: match branch {
                    Some(b) => b.to_string(),
                    None => current_branch(repo)?,
                },
                since,
            },
        })
    }
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
    /// Edit event id → the commit it was bound to (what **Done** cites).
    pub bound: HashMap<String, String>,
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
            s.push_str(&format!(" since {}", crate::util::timefmt::local(t)));
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
                    format!("session-{}", crate::util::text::short_id(&session.info.id))
                }),
                since: *since,
                session_scope: Some(session.info.id.clone()),
                ..Material::default()
            };
            let mut ids = BTreeMap::new();
            ids.insert(session.info.id.clone(), Via::Requested);
            add_children(store, &mut ids)?;
            m.sessions = load(store, &ids, *since)?;
            m.bound = bound_commits(store, &ids)?;
            if m.sessions.is_empty() {
                return Err(Error::user(format!(
                    "session {} has nothing{} to hand off",
                    session.info.id,
                    since.map_or(String::new(), |t| format!(
                        " since {}",
                        crate::util::timefmt::local(t)
                    ))
                )));
            }
            Ok(m)
        }
        Spec::Branch { name, since } => {
            let mut ids: BTreeMap<String, Via> = BTreeMap::new();
            for (id, _) in session_pairs(
                store,
                &format!("SELECT id, id, NULL, 0, {STUB} FROM sessions WHERE branch = ?1"),
                params![name],
            )? {
                ids.insert(id, Via::Branch);
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
                        crate::util::timefmt::local(t)
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
                bound: bound_commits(store, &ids)?,
            })
        }
    }
}

/// The latest top-level session of `agent` in this repository's store (what
/// `handoff --from AGENT` hands off), by its last activity.
pub fn latest_session(store: &Store, agent: crate::model::Agent) -> Result<String> {
    let rows = session_pairs(
        store,
        &format!(
            "SELECT id, id, NULL, 0, {STUB} FROM sessions
             WHERE agent = ?1 AND parent_id IS NULL
             ORDER BY coalesce(ended, started) DESC, id DESC LIMIT 1"
        ),
        params![agent.as_str()],
    )?;
    rows.into_iter().next().map(|(id, _)| id).ok_or_else(|| {
        Error::user(format!("no {agent} session is captured in this repository"))
            .with_hint("`git drift sessions` lists the captured sessions")
    })
}

/// Which commit each edit of these sessions was bound to: one query per session, the commit
/// carried as the text of a stand-in event (the store reads rows only as events).
fn bound_commits(store: &Store, ids: &BTreeMap<String, Via>) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    for id in ids.keys() {
        let rows = store.query_events(
            r#"SELECT e.id, e.session_id, e.ts, e.ord,
                      '{"type":"prompt","text":' || json_quote(b.commit_id) || '}'
               FROM bound b JOIN events e ON e.id = b.event_id
               WHERE e.session_id = ?1"#,
            params![id],
        )?;
        for e in rows {
            if let crate::model::EventKind::Prompt { text } = e.kind {
                out.insert(e.id, text);
            }
        }
    }
    Ok(out)
}

/// Add the sub-agent sessions of the sessions in `ids` (transitively).
fn add_children(store: &Store, ids: &mut BTreeMap<String, Via>) -> Result<()> {
    let all = session_pairs(
        store,
        &format!("SELECT id, parent_id, NULL, 0, {STUB} FROM sessions WHERE parent_id IS NOT NULL"),
        [],
    )?;
    loop {
        let mut added = false;
        for (id, parent) in &all {
            if ids.contains_key(parent) && !ids.contains_key(id) {
                let via = ids[parent].clone();
                ids.insert(id.clone(), via);
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
        // Reasoning and usage say nothing a brief uses, and the output of a call that
        // succeeded is never shown: leaving them in SQLite halves the JSON to parse. (The
        // store writes `"ok":true,` only as the outcome's own field; inside a string the
        // quote would be escaped.)
        let events = store.query_events(
            r#"SELECT id, session_id, ts, ord,
                      CASE WHEN kind = 'outcome' AND instr(data, '"ok":true,') > 0
                           THEN '{"type":"outcome","call_id":' || json_quote(call_id) || ',"ok":true}'
                           ELSE data END
               FROM events
               WHERE session_id = ?1 AND kind NOT IN ('reasoning', 'usage')
                 AND (?2 IS NULL OR ts IS NULL OR ts >= ?2)
               ORDER BY ts, ord"#,
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
    let refs = Refs::read(repo)?;
    let full = format!("refs/heads/{branch}");
    if !refs.names.contains(&full) {
        return Ok(Vec::new());
    }
    let base = refs.base(branch);
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

/// The repository's default branch and the refs that hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultBranch {
    pub name: String,
    pub refs: Vec<String>,
}

/// What the scope needs to know about refs, from two git calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refs {
    /// Every ref under refs/heads and refs/remotes.
    pub names: BTreeSet<String>,
    /// Local branch -> the full name of its upstream.
    pub upstream: BTreeMap<String, String>,
    /// Remote -> the ref its HEAD points at (`refs/remotes/origin/HEAD` -> `.../trunk`).
    pub remote_heads: BTreeMap<String, String>,
    /// Branch -> the remote it tracks (`branch.<name>.remote`).
    pub tracks: BTreeMap<String, String>,
    /// `init.defaultBranch`.
    pub init_default: Option<String>,
}

impl Refs {
    /// Read the refs (`for-each-ref`) and the settings that matter (`config`).
    pub fn read(repo: &Repo) -> Result<Refs> {
        let listing = repo.git(&[
            "for-each-ref",
            "--format=%(refname)%00%(symref)%00%(upstream)",
            "refs/heads",
            "refs/remotes",
        ])?;
        let config = repo
            .git_opt(&[
                "config",
                "-z",
                "--get-regexp",
                r"^(init\.defaultbranch|branch\..*\.remote)$",
            ])?
            .unwrap_or_default();
        Ok(Refs::parse(&listing, &config))
    }

    /// [`Refs::read`] from the two outputs.
    pub fn parse(listing: &str, config: &str) -> Refs {
        let mut r = Refs::default();
        for line in listing.lines() {
            let mut f = line.split('\0');
            let (Some(name), symref, upstream) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            r.names.insert(name.to_string());
            if let Some(b) = name.strip_prefix("refs/heads/")
                && let Some(u) = upstream.filter(|u| !u.is_empty())
            {
                r.upstream.insert(b.to_string(), u.to_string());
            }
            if let Some(remote) = name
                .strip_prefix("refs/remotes/")
                .and_then(|rest| rest.strip_suffix("/HEAD"))
                && let Some(target) = symref.filter(|t| !t.is_empty())
            {
                r.remote_heads
                    .insert(remote.to_string(), target.to_string());
            }
        }
        // `-z`: each entry is `key\nvalue\0`; keys come lower-cased except the branch name.
        for entry in config.split('\0') {
            let Some((key, value)) = entry.split_once('\n') else {
                continue;
            };
            if key == "init.defaultbranch" {
                r.init_default = Some(value.to_string());
            } else if let Some(b) = key
                .strip_prefix("branch.")
                .and_then(|k| k.strip_suffix(".remote"))
            {
                r.tracks.insert(b.to_string(), value.to_string());
            }
        }
        r
    }

    /// The default branch: what a remote's `HEAD` points at (the remote `branch` tracks
    /// first, then `origin`, then the others), else `init.defaultBranch` when such a local
    /// branch exists.
    pub fn default_branch(&self, branch: &str) -> Option<DefaultBranch> {
        let tracked = self.tracks.get(branch);
        let mut remotes: Vec<&String> = self.remote_heads.keys().collect();
        remotes.sort_by_key(|r| (Some(*r) != tracked, r.as_str() != "origin", (*r).clone()));
        for remote in remotes {
            let target = &self.remote_heads[remote];
            let Some(name) = target.strip_prefix(&format!("refs/remotes/{remote}/")) else {
                continue;
            };
            let mut refs = vec![target.clone()];
            let local = format!("refs/heads/{name}");
            if self.names.contains(&local) {
                refs.push(local);
            }
            return Some(DefaultBranch {
                name: name.to_string(),
                refs,
            });
        }
        let name = self.init_default.as_deref().filter(|n| !n.is_empty())?;
        let local = format!("refs/heads/{name}");
        self.names.contains(&local).then(|| DefaultBranch {
            name: name.to_string(),
            refs: vec![local],
        })
    }

    /// What `branch`'s own commits are counted against: the default branch (its local and
    /// remote-tracking refs), or for the default branch itself its upstream.
    pub fn base(&self, branch: &str) -> Vec<String> {
        match self.default_branch(branch) {
            Some(d) if d.name != branch => d.refs,
            _ => self.upstream.get(branch).cloned().into_iter().collect(),
        }
    }
}

/// The repository's default branch as seen from `branch` (see [`Refs::default_branch`]).
pub fn default_branch(repo: &Repo, branch: &str) -> Result<Option<DefaultBranch>> {
    Ok(Refs::read(repo)?.default_branch(branch))
}

/// Pairs of strings from a query on the sessions table. The store lists sessions only with
/// per-session counts (five subqueries each); the scope needs ids alone, so it reads them
/// through the generic row reader with a stand-in event body.
fn session_pairs(
    store: &Store,
    sql: &str,
    p: impl rusqlite::Params,
) -> Result<Vec<(String, String)>> {
    Ok(store
        .query_events(sql, p)?
        .into_iter()
        .map(|e| (e.id, e.session_id))
        .collect())
}

/// Sessions with edits the store bound to one of `commits`, with the (newest) commit.
fn bound_sessions(store: &Store, commits: &[String]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for commit in commits {
        // query_events wants event rows; one stand-in row per session is all that is needed.
        let rows = store.query_events(
            &format!(
                "SELECT min(e.id), e.session_id, NULL, 0, {STUB}
                 FROM events e JOIN bound b ON b.event_id = e.id
                 WHERE b.commit_id = ?1 GROUP BY e.session_id"
            ),
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
        let oid = crate::util::git::parse_oid(commit)?;
        if let Some(note) = crate::notes::read_union(&gix, oid)? {
            for (_, record) in note.sessions {
                out.push((record, commit.clone()));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LISTING: &str = "refs/heads/feature\0\0refs/remotes/origin/feature\n\
                           refs/heads/trunk\0\0refs/remotes/origin/trunk\n\
                           refs/remotes/origin/HEAD\0refs/remotes/origin/trunk\0\n\
                           refs/remotes/origin/trunk\0\0\n\
                           refs/remotes/fork/HEAD\0refs/remotes/fork/dev\0\n\
                           refs/remotes/fork/dev\0\0\n";

    #[test]
    fn default_branch_comes_from_the_remote_head_not_a_name() {
        let r = Refs::parse(LISTING, "init.defaultbranch\nmain\0");
        let d = r.default_branch("feature").unwrap();
        assert_eq!(d.name, "trunk");
        assert_eq!(
            d.refs,
            vec!["refs/remotes/origin/trunk", "refs/heads/trunk"]
        );
        // Feature commits are counted against the default branch...
        assert_eq!(r.base("feature"), d.refs);
        // ...and the default branch's own against its upstream.
        assert_eq!(r.base("trunk"), vec!["refs/remotes/origin/trunk"]);
    }

    #[test]
    fn the_tracked_remote_wins_then_init_default_branch() {
        let r = Refs::parse(LISTING, "branch.feature.remote\nfork\0");
        assert_eq!(r.default_branch("feature").unwrap().name, "dev");
        assert_eq!(r.default_branch("other").unwrap().name, "trunk");
        let local = "refs/heads/develop\0\0\nrefs/heads/x\0\0\n";
        let r = Refs::parse(local, "init.defaultbranch\ndevelop\0");
        assert_eq!(
            r.default_branch("x").unwrap().refs,
            vec!["refs/heads/develop"]
        );
        // init.defaultBranch naming a branch that does not exist says nothing.
        let r = Refs::parse(local, "init.defaultbranch\nmain\0");
        assert_eq!(r.default_branch("x"), None);
        assert!(r.base("x").is_empty());
    }
}
