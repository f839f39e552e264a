//! Attribution across rewrites made where no hook of ours runs: a forge's "Squash and merge"
//! or "Rebase and merge". The commit that lands has no note, but the pull request's original
//! commits were pushed with theirs; the lines the landed commit added are matched against
//! those notes by content hash ([`super::bind::reanchor`]), exactly as `post-rewrite` does
//! for a local rebase.
//!
//! Evidence only: a line takes an agent's attribution when an original note describes that
//! same content in the same file (or the file's old path); a line matching nothing is human;
//! a line the originals attribute to different sessions is ambiguous and stays human; and a
//! commit that already has a note is never touched.

use crate::attribution::bind::{self, reanchor};
use crate::attribution::diff;
use crate::config::Privacy;
use crate::error::Result;
use crate::notes::{self, LineRange, Note, NotesIndex, Who};
use crate::util::git::{Repo, parse_oid};
use std::collections::{BTreeMap, HashSet};

/// What reconciling one commit did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Carried {
    pub commit: String,
    pub subject: String,
    /// The original commits whose notes gave lines.
    pub from: Vec<String>,
    pub ai_lines: usize,
    pub modified_lines: usize,
    pub human_lines: usize,
    /// Lines two originals attributed differently (left human).
    pub ambiguous: usize,
}

/// Reconcile the commits of `range` (default: the current branch) that have no note, from
/// the notes of commits that are not their ancestors. Returns what was carried, newest
/// first; commits nothing could be carried to are left without a note.
pub fn reconcile(repo: &Repo, range: Option<&str>, privacy: Privacy) -> Result<Vec<Carried>> {
    let gix = repo.gix()?;
    let index = NotesIndex::open(&gix)?;
    let tip = range.unwrap_or("HEAD");
    let listed = repo.git_user(&["rev-list", "--no-merges", tip, "--"])?;
    let targets: Vec<&str> = listed
        .lines()
        .filter(|c| parse_oid(c).is_ok_and(|o| !index.contains(&o)))
        .collect();
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    // Originals: noted commits not reachable from the range's tip (the pull request's own
    // commits; their objects need not even be here, only their notes).
    let tip_commit = match range.and_then(|r| r.rsplit_once("..")) {
        Some((_, t)) if !t.is_empty() => t,
        _ => tip,
    };
    let reachable: HashSet<String> = repo
        .git_user(&["rev-list", tip_commit, "--"])?
        .lines()
        .map(String::from)
        .collect();
    let mut originals: Vec<(String, Note)> = Vec::new();
    for oid in index.commits() {
        let id = oid.to_string();
        if reachable.contains(&id) {
            continue;
        }
        if let Some(note) = index.read(&gix, &oid)? {
            originals.push((id, note));
        }
    }
    let mut done = Vec::new();
    for commit in targets {
        if let Some(c) = reconcile_one(repo, commit, &originals, privacy)? {
            done.push(c);
        }
    }
    Ok(done)
}

/// What one original note says of a landed line: its author and prompt key.
type Claim = (Who, Option<String>);

/// Carry the originals' attribution onto one commit; `None` when no agent line matched.
fn reconcile_one(
    repo: &Repo,
    commit: &str,
    originals: &[(String, Note)],
    privacy: Privacy,
) -> Result<Option<Carried>> {
    let d = diff::commit_diff(repo, commit)?;
    // (path, line) -> what each original says, and which originals gave anything.
    let mut said: BTreeMap<(String, u32), Vec<Claim>> = BTreeMap::new();
    let mut from = Vec::new();
    let mut carried = Note::default();
    for (id, note) in originals {
        let part = reanchor(note, &d);
        if part.files.is_empty() {
            continue;
        }
        from.push(id.clone());
        for (path, ranges) in &part.files {
            for r in ranges {
                for n in r.start..=r.end {
                    said.entry((path.clone(), n))
                        .or_default()
                        .push((r.who.clone(), r.prompt.clone()));
                }
            }
        }
        for (sid, rec) in part.sessions {
            carried.sessions.entry(sid).or_insert(rec);
        }
    }
    if from.is_empty() {
        return Ok(None);
    }
    let mut ambiguous = 0;
    let (mut ai, mut modified, mut human) = (0, 0, 0);
    for f in &d.files {
        let mut ranges: Vec<LineRange> = Vec::new();
        for (n, text) in &f.added {
            let claims = said.get(&(f.path.clone(), *n));
            let (who, prompt) = match claims {
                Some(c) if c.iter().all(|x| x.0 == c[0].0) => c[0].clone(),
                Some(_) => {
                    ambiguous += 1;
                    (Who::Human, None)
                }
                None => (Who::Human, None),
            };
            match who {
                Who::Ai(_) => ai += 1,
                Who::Modified(_) => modified += 1,
                Who::Human => human += 1,
            }
            bind::push_line(&mut ranges, *n, who, prompt, notes::line_hash(text));
        }
        if !ranges.is_empty() {
            carried.files.insert(f.path.clone(), ranges);
        }
    }
    // Sessions only for the lines that kept them.
    let used: HashSet<String> = carried
        .files
        .values()
        .flatten()
        .filter_map(|r| r.who.session().map(String::from))
        .collect();
    carried.sessions.retain(|id, _| used.contains(id));
    if used.is_empty() {
        return Ok(None);
    }
    if privacy == Privacy::Attribution {
        carried.strip_text();
    }
    if privacy != Privacy::Off {
        notes::write(&repo.gix()?, parse_oid(commit)?, &carried)?;
    }
    Ok(Some(Carried {
        commit: commit.to_string(),
        subject: d.subject.clone(),
        from,
        ai_lines: ai,
        modified_lines: modified,
        human_lines: human,
        ambiguous,
    }))
}
