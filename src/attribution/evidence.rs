//! The evidence for one commit: the captured agent edits that may explain its lines, with
//! what became of each (applied, declined by the user, failed) and whether an earlier commit
//! already claimed it.

use crate::error::Result;
use crate::model::{Edit, Event, EventKind, Millis};
use crate::notes;
use crate::store::Store;
use crate::util::git::Repo;
use std::collections::HashMap;

/// What became of an edit tool call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Applied (no failure or rejection recorded for its call).
    Applied,
    /// Declined by the user or a permission rule: it wrote nothing.
    Rejected,
    /// The tool reported failure (`String to replace not found`, a patch that did not
    /// verify, an edit the harness refused): it wrote nothing.
    Failed,
}

/// One captured edit on a file of the commit.
pub struct Candidate {
    pub event: Event,
    pub edit: Edit,
    pub status: Status,
    /// Bound to another commit that is not an ancestor of this one (cherry-pick, squash
    /// merge, rewritten branch): evidence, but not bound again.
    pub elsewhere: bool,
}

impl Candidate {
    /// The tool call it belongs to (the edits of one MultiEdit / apply_patch share it).
    pub fn call(&self) -> &str {
        self.edit.call_id.as_deref().unwrap_or(&self.event.id)
    }
}

/// Loads candidates for the files of one commit, caching per-session call outcomes and
/// ancestry answers across files.
pub struct Evidence<'a> {
    repo: &'a Repo,
    store: &'a Store,
    /// The commit being attributed (`HEAD` for the worktree).
    commit: String,
    /// Edits after this instant (the commit time) are not evidence.
    until: Millis,
    /// The parent commit, for [`Evidence::is_history`].
    parent: Option<String>,
    /// The parent's committer time and whether git drift was binding then, once asked.
    parent_time: Option<Option<Millis>>,
    drift_active: Option<bool>,
    /// Per path of the parent: when its content last changed, once asked.
    last_change: HashMap<String, Option<Millis>>,
    calls: HashMap<String, HashMap<String, Status>>,
    ancestry: HashMap<String, bool>,
}

impl<'a> Evidence<'a> {
    pub fn new(repo: &'a Repo, store: &'a Store, commit: &str, until: Millis) -> Evidence<'a> {
        Evidence {
            repo,
            store,
            commit: commit.to_string(),
            until,
            parent: None,
            parent_time: None,
            drift_active: None,
            last_change: HashMap::new(),
            calls: HashMap::new(),
            ancestry: HashMap::new(),
        }
    }

    /// Unbound edits made before the parent commit count only when git drift was already
    /// binding commits then (see [`drift_was_active`]).
    pub fn with_parent(mut self, parent: Option<&str>) -> Evidence<'a> {
        self.parent = parent.map(String::from);
        self
    }

    /// Whether an unbound edit made at `at` on `path` (the file's path in the parent) is
    /// history: made before the parent commit, when git drift was not binding commits yet
    /// (the parent has no note, see [`drift_was_active`]), and older than the parent's
    /// content it changes (the lines its old text covers, or the whole file for a `Write`,
    /// last changed after it). So a month-old edit, committed before `git drift init` and
    /// since overwritten, does not claim the first commit after init, while an agent's edit
    /// waiting in the worktree across a teammate's commit (pulled, with no note) still
    /// counts. Asked only for edits older than the parent commit, which are rare, because
    /// the answer reads notes and may ask git.
    fn is_history(&mut self, at: Millis, path: &str, edit: &Edit) -> bool {
        let Some(parent) = self.parent.clone() else {
            return false;
        };
        let time = *self
            .parent_time
            .get_or_insert_with(|| commit_time(self.repo, &parent));
        if time.is_none_or(|t| at >= t) {
            return false;
        }
        let active = *self
            .drift_active
            .get_or_insert_with(|| drift_was_active(self.repo, &parent));
        if active {
            return false;
        }
        let last = *self
            .last_change
            .entry(path.to_string())
            .or_insert_with(|| last_change(self.repo, &parent, path));
        match last {
            // The file is not in the parent, or has not changed since the edit.
            None => false,
            Some(t) if t <= at => false,
            Some(_) => !lines_older_than(self.repo, &parent, path, &edit.before, at),
        }
    }

    /// The edits on `path` (and, for a rename, `old_path`) that may explain the commit's
    /// lines, in time order. `added` are the distinctive texts the commit added (normalised,
    /// see [`super::replay::Fallback`]): an edit bound elsewhere is checked for ancestry only
    /// when it wrote one of them (each check walks history).
    pub fn candidates(
        &mut self,
        path: &str,
        old_path: Option<&str>,
        added: &std::collections::HashSet<String>,
    ) -> Result<Vec<Candidate>> {
        let parent_path = old_path.unwrap_or(path);
        let mut rows = self.store.edits_on(path, self.until)?;
        if let Some(old) = old_path.filter(|o| *o != path) {
            rows.extend(self.store.edits_on(old, self.until)?);
            rows.sort_by_key(|(e, _)| (e.at, e.ord));
        }
        let mut out = Vec::new();
        for (event, bound) in rows {
            let EventKind::Edit(edit) = &event.kind else {
                continue;
            };
            let elsewhere = match &bound {
                // Bound to this very commit (binding again, or rebound by a rewrite).
                Some(b) if *b == self.commit => false,
                None => {
                    if event
                        .at
                        .is_some_and(|at| self.is_history(at, parent_path, edit))
                    {
                        continue;
                    }
                    false
                }
                Some(b) => {
                    // A superset of what it wrote, and cheap to test: `added` holds only
                    // distinctive lines, so `}` does not send every old edit to the
                    // ancestry check.
                    let wrote_added = edit
                        .after
                        .lines()
                        .any(|w| added.contains(&super::normalise(w)));
                    if !wrote_added || self.is_ancestor(b) {
                        continue;
                    }
                    true
                }
            };
            let edit = edit.clone();
            let status = self.status(&event.session_id, edit.call_id.as_deref())?;
            out.push(Candidate {
                event,
                edit,
                status,
                elsewhere,
            });
        }
        Ok(out)
    }

    fn status(&mut self, session: &str, call: Option<&str>) -> Result<Status> {
        let Some(call) = call else {
            return Ok(Status::Applied);
        };
        if !self.calls.contains_key(session) {
            let events = self.store.query_events(
                "SELECT id, session_id, ts, ord, data FROM events
                 WHERE session_id = ?1 AND kind IN ('rejection', 'outcome') AND call_id IS NOT NULL",
                [session],
            )?;
            let mut map = HashMap::new();
            for e in events {
                match e.kind {
                    EventKind::Rejection {
                        call_id: Some(c), ..
                    } => {
                        map.insert(c, Status::Rejected);
                    }
                    EventKind::Outcome {
                        call_id, ok: false, ..
                    } => {
                        map.entry(call_id).or_insert(Status::Failed);
                    }
                    _ => {}
                }
            }
            self.calls.insert(session.to_string(), map);
        }
        Ok(self.calls[session]
            .get(call)
            .copied()
            .unwrap_or(Status::Applied))
    }

    fn is_ancestor(&mut self, bound: &str) -> bool {
        if let Some(&a) = self.ancestry.get(bound) {
            return a;
        }
        let a = is_ancestor(self.repo, bound, &self.commit);
        self.ancestry.insert(bound.to_string(), a);
        a
    }
}

/// How many empty or deletion-only commits (which get no note) to look through.
const QUIET_COMMITS: usize = 20;

/// A commit's committer time in milliseconds.
fn commit_time(repo: &Repo, commit: &str) -> Option<Millis> {
    let gix = repo.gix().ok()?;
    let id = gix::ObjectId::from_hex(commit.as_bytes()).ok()?;
    Some(gix.find_commit(id).ok()?.time().ok()?.seconds * 1000)
}

/// Whether git drift was binding commits when `parent` was made: it has a note, or it is a
/// commit that would have none (empty, deletions only) and its own first parent qualifies.
/// This is what keeps a month-old edit, committed before `git drift init`, from claiming the
/// first commit after it; `git drift backfill` binds such history instead.
fn drift_was_active(repo: &Repo, parent: &str) -> bool {
    let Ok(gix) = repo.gix() else {
        return true;
    };
    let Ok(mut at) = gix::ObjectId::from_hex(parent.as_bytes()) else {
        return true;
    };
    for _ in 0..QUIET_COMMITS {
        if matches!(notes::read_union(&gix, at), Ok(Some(_))) {
            return true;
        }
        if adds_lines(repo, &at.to_string()) {
            return false;
        }
        let first = gix
            .find_commit(at)
            .ok()
            .and_then(|c| c.parent_ids().next().map(|p| p.detach()));
        match first {
            Some(p) => at = p,
            None => return false,
        }
    }
    false
}

/// When `path` last changed in `commit`'s history (committer time), None when it is not
/// there.
fn last_change(repo: &Repo, commit: &str, path: &str) -> Option<Millis> {
    let out = repo
        .git(&["log", "-1", "--format=%ct", commit, "--", path])
        .ok()?;
    out.trim().parse::<i64>().ok().map(|s| s * 1000)
}

/// Whether the lines of `commit`'s `path` that `old` covers were all last changed at or
/// before `at` (git blame). False when `old` is empty (a whole-file write older than the
/// file's last change) or not in the file.
fn lines_older_than(repo: &Repo, commit: &str, path: &str, old: &str, at: Millis) -> bool {
    if old.trim().is_empty() {
        return false;
    }
    let Ok(text) = repo.git(&["show", &format!("{commit}:{path}")]) else {
        return false;
    };
    let text = super::replay::lf(&text);
    let old = super::replay::lf(old);
    let Some(pos) = text.find(old.as_ref()) else {
        return false;
    };
    let first = text[..pos].matches('\n').count() + 1;
    let last = first + old.trim_end_matches('\n').matches('\n').count();
    let range = format!("{first},{last}");
    let Ok(blame) = repo.git(&["blame", "--porcelain", "-L", &range, commit, "--", path]) else {
        return false;
    };
    blame
        .lines()
        .filter_map(|l| l.strip_prefix("committer-time "))
        .filter_map(|t| t.trim().parse::<i64>().ok())
        .all(|t| t * 1000 <= at)
}

/// Whether a commit adds any line (a commit that adds none gets no note).
fn adds_lines(repo: &Repo, commit: &str) -> bool {
    repo.git(&[
        "diff-tree",
        "--numstat",
        "-r",
        "--root",
        "--no-commit-id",
        commit,
    ])
    .map(|out| {
        out.lines().any(|l| {
            let n = l.split('\t').next().unwrap_or("0");
            n == "-" || n.parse::<u64>().is_ok_and(|n| n > 0)
        })
    })
    .unwrap_or(true)
}

/// Whether `a` is an ancestor of `b` (false when either is unknown). In-process through gix;
/// git itself when gix cannot walk the history (e.g. a shallow clone).
pub fn is_ancestor(repo: &Repo, a: &str, b: &str) -> bool {
    let parsed = (
        gix::ObjectId::from_hex(a.as_bytes()),
        gix::ObjectId::from_hex(b.as_bytes()),
    );
    if let (Ok(g), (Ok(a_id), Ok(b_id))) = (repo.gix(), parsed) {
        match g.merge_base(a_id, b_id) {
            Ok(Some(base)) => return base.detach() == a_id,
            Ok(None) => return false,
            Err(_) => {}
        }
    }
    repo.command()
        .args(["merge-base", "--is-ancestor", a, b])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
