//! Attribution: which agent edit (or which human) wrote each line a commit added.
//!
//! Evidence only, never style, and by **replay** (see `docs/attribution.md`): per file, the
//! parent's version is replayed through the applied agent edits on that path in time order,
//! each where it applies ([`replay`]), and every committed line is traced back through that
//! chain. A line an agent edit introduced and nobody changed since is **ai**; a line the human
//! put where an agent line was, still resembling it, is **modified**; everything else is
//! **human**. Edits that cannot be placed in the chain vouch only for distinctive lines nobody
//! else wrote ([`replay::Fallback`]).
//!
//! Edits already bound to an earlier commit are not evidence again — except when that commit
//! is not an ancestor of this one: then this commit carries lines from another line of
//! history (cherry-pick, squash merge, a rewritten branch) and the edit is the evidence.

pub mod bind;
pub mod diff;
mod evidence;
pub mod reconcile;
mod replay;
mod sessions;

use crate::error::Result;
use crate::model::{Edit, EditOp, Millis};
pub use crate::notes::{SessionRecord, Who};
use crate::redact::Redactor;
use crate::store::Store;
use crate::util::git::Repo;
use diff::{CommitDiff, FileDiff};
use evidence::{Candidate, Evidence, Status};
use replay::{Fallback, Replay, Verdict};
use sessions::Tally;
use similar::{ChangeTag, TextDiff};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Character similarity (similar's ratio, 0..1) at or above which a human line that took the
/// place of an agent line counts as that agent line, modified.
pub const MODIFIED_RATIO: f32 = 0.6;
/// Lines shorter than this (after trimming) are never "modified", nor matched without a
/// position: `}` resembles every `}`.
pub const MODIFIED_MIN_CHARS: usize = 8;
/// Files with more added lines than this are skipped as generated.
pub const MAX_ADDED_LINES: usize = 20_000;

/// One added line and its author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineAttr {
    pub line: u32,
    pub text: String,
    /// Who wrote it (for ai/modified: the session).
    pub who: Who,
    /// For ai/modified: the edit event.
    pub edit: Option<String>,
    /// The prompt that led to the edit (the session's latest prompt before it).
    pub prompt: Option<String>,
}

/// One file of the commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileAttr {
    pub path: String,
    pub lines: Vec<LineAttr>,
    /// Why the file was not attributed (binary, huge).
    pub skipped: Option<String>,
}

/// The attribution of one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    pub commit: String,
    pub subject: String,
    pub files: Vec<FileAttr>,
    /// The sessions that contributed lines, rejections or superseded edits, as the note
    /// records them.
    pub sessions: BTreeMap<String, SessionRecord>,
    /// Edit event ids to mark bound to this commit.
    pub bind: Vec<String>,
}

impl Attribution {
    /// Line counts (ai, modified, human).
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for l in self.files.iter().flat_map(|f| &f.lines) {
            match l.who {
                Who::Ai(_) => c.0 += 1,
                Who::Modified(_) => c.1 += 1,
                Who::Human => c.2 += 1,
            }
        }
        c
    }
}

/// Attribute the lines `commit` added.
pub fn attribute(
    repo: &Repo,
    store: &Store,
    redactor: &Redactor,
    diff: &CommitDiff,
) -> Result<Attribution> {
    let parent = diff.parents.first().cloned();
    let source = Source::Commit { parent };
    Attributor::new(repo, store, redactor, diff, source).run()
}

/// Attribute the not yet committed lines `added` of `path` (1-based numbers in the worktree
/// file), exactly as a commit made now would be attributed.
pub fn attribute_worktree(
    repo: &Repo,
    store: &Store,
    redactor: &Redactor,
    path: &str,
    added: Vec<(u32, String)>,
) -> Result<Attribution> {
    // "HEAD" as the commit: edits bound to HEAD or its ancestors are spent, edits bound
    // elsewhere (another branch) still count, as for a commit made now.
    let diff = CommitDiff {
        commit: "HEAD".into(),
        time: jiff::Timestamp::now().as_second(),
        parents: Vec::new(),
        subject: String::new(),
        files: vec![FileDiff {
            path: path.to_string(),
            old_path: None,
            added,
            binary: false,
        }],
    };
    let head = repo.head()?;
    Attributor::new(repo, store, redactor, &diff, Source::Worktree { head }).run()
}

/// Where the two versions of each file come from.
enum Source {
    /// A commit: its first parent's version and its own.
    Commit { parent: Option<String> },
    /// The worktree: HEAD's version and the file on disk.
    Worktree { head: Option<String> },
}

/// Attributes one commit, file by file, collecting what each session contributed.
struct Attributor<'a> {
    store: &'a Store,
    redactor: &'a Redactor,
    repo: &'a Repo,
    diff: &'a CommitDiff,
    source: Source,
    evidence: Evidence<'a>,
    gix: Option<gix::Repository>,
    tally: Tally,
    result: Attribution,
}

/// What replaying one candidate edit did.
#[derive(Debug, Clone, Copy, Default)]
struct Fate {
    /// It applied where the chain expected it.
    placed: bool,
    /// Lines it introduced in the chain.
    wrote: u32,
    /// Some of its lines are still in the replayed file.
    alive: bool,
    /// Some of its lines are in the commit.
    landed: bool,
}

impl<'a> Attributor<'a> {
    fn new(
        repo: &'a Repo,
        store: &'a Store,
        redactor: &'a Redactor,
        diff: &'a CommitDiff,
        source: Source,
    ) -> Attributor<'a> {
        let until = until_of(diff.time);
        let parent = match &source {
            Source::Commit { parent } => parent.clone(),
            Source::Worktree { head } => head.clone(),
        };
        let evidence =
            Evidence::new(repo, store, &diff.commit, until).with_parent(parent.as_deref());
        Attributor {
            store,
            redactor,
            repo,
            diff,
            source,
            evidence,
            gix: repo.gix().ok(),
            tally: Tally::default(),
            result: Attribution {
                commit: diff.commit.clone(),
                subject: diff.subject.clone(),
                files: Vec::new(),
                sessions: BTreeMap::new(),
                bind: Vec::new(),
            },
        }
    }

    fn run(mut self) -> Result<Attribution> {
        for file in &self.diff.files {
            let attr = self.file(file)?;
            self.result.files.push(attr);
        }
        let until = until_of(self.diff.time);
        sessions::fill(self.store, &self.tally, until, &mut self.result)?;
        self.result.bind.sort();
        self.result.bind.dedup();
        Ok(self.result)
    }

    fn file(&mut self, file: &FileDiff) -> Result<FileAttr> {
        if let Some(reason) = skip_reason(file) {
            return Ok(FileAttr {
                path: file.path.clone(),
                lines: Vec::new(),
                skipped: Some(reason),
            });
        }
        let added_keys: HashSet<String> = file
            .added
            .iter()
            .map(|(_, t)| normalise(&self.redactor.redact(t)))
            .filter(|k| k.chars().filter(|c| !c.is_whitespace()).count() >= MODIFIED_MIN_CHARS)
            .collect();
        let candidates =
            self.evidence
                .candidates(&file.path, file.old_path.as_deref(), &added_keys)?;
        let mut fates = vec![Fate::default(); candidates.len()];
        let verdicts = if candidates.iter().any(|c| c.status == Status::Applied) {
            self.replay(file, &candidates, &mut fates)
        } else {
            vec![Verdict::Human; file.added.len()]
        };
        let lines: Vec<LineAttr> = file
            .added
            .iter()
            .zip(&verdicts)
            .map(|((n, text), v)| line_attr(*n, text, *v, &candidates))
            .collect();
        for v in &verdicts {
            if let Verdict::Ai(k) | Verdict::Modified(k) = v {
                fates[*k].landed = true;
            }
        }
        self.settle(&candidates, &fates);
        Ok(FileAttr {
            path: file.path.clone(),
            lines,
            skipped: None,
        })
    }

    /// Replay the applied candidates over the parent's version and judge every added line.
    fn replay(
        &self,
        file: &FileDiff,
        candidates: &[Candidate],
        fates: &mut [Fate],
    ) -> Vec<Verdict> {
        let base = self.base_lines(file);
        let committed = self.new_lines(file);
        let mut chain = Replay::new(base.clone(), candidates.len());
        for (k, c) in candidates.iter().enumerate() {
            if c.status == Status::Applied {
                fates[k].placed = chain.apply(k, &c.edit, c.call());
            }
        }
        let alive = chain.alive();
        for (k, f) in fates.iter_mut().enumerate() {
            f.wrote = chain.wrote(k);
            f.alive = alive.contains(&k);
        }
        let all = chain.finish(&committed);
        let mut verdicts = place(&all, &file.added, &committed);
        let unplaced: Vec<usize> = (0..candidates.len())
            .filter(|&k| candidates[k].status == Status::Applied && !fates[k].placed)
            .collect();
        if !unplaced.is_empty() {
            let fallback = Fallback::new(
                &base,
                &committed,
                candidates.iter().map(|c| c.edit.before.as_str()),
            );
            // The latest unplaced edit that wrote a text claims it.
            let mut wrote: HashMap<String, usize> = HashMap::new();
            for &k in &unplaced {
                for w in written_lines(&candidates[k].edit) {
                    wrote.insert(normalise(&w), k);
                }
            }
            for (v, (n, _)) in verdicts.iter_mut().zip(&file.added) {
                let Some(text) = committed.get(*n as usize - 1) else {
                    continue;
                };
                if *v == Verdict::Human
                    && fallback.eligible(text)
                    && let Some(&k) = wrote.get(&normalise(text))
                {
                    *v = Verdict::Ai(k);
                }
            }
        }
        verdicts
    }

    /// Record what each candidate did: which calls count for which session, and which edits
    /// this commit settles. An applied edit none of whose lines landed and that no later
    /// edit overwrote stays unbound: its lines may land in a later commit (partial staging).
    fn settle(&mut self, candidates: &[Candidate], fates: &[Fate]) {
        for (c, f) in candidates.iter().zip(fates) {
            let (session, call) = (c.event.session_id.as_str(), c.call());
            let settled = match c.status {
                Status::Rejected => {
                    if !c.elsewhere {
                        Tally::add(&mut self.tally.rejected, session, call);
                    }
                    true
                }
                Status::Failed => true,
                Status::Applied if f.landed => {
                    Tally::add(&mut self.tally.accepted, session, call);
                    true
                }
                Status::Applied if f.placed && f.wrote > 0 && !f.alive => {
                    if !c.elsewhere {
                        Tally::add(&mut self.tally.superseded, session, call);
                    }
                    true
                }
                // Applied and wrote no line (a pure deletion): nothing left to attribute.
                Status::Applied => f.placed && f.wrote == 0,
            };
            if settled && !c.elsewhere {
                self.result.bind.push(c.event.id.clone());
            }
        }
    }

    /// The parent's version of the file (empty for a new file), redacted like stored edits.
    fn base_lines(&self, file: &FileDiff) -> Vec<String> {
        let rev = match &self.source {
            Source::Commit { parent } => parent.as_deref(),
            Source::Worktree { head } => head.as_deref(),
        };
        let path = file.old_path.as_deref().unwrap_or(&file.path);
        let text = rev.and_then(|r| self.blob(r, path)).unwrap_or_default();
        self.redacted_lines(&text)
    }

    /// The committed (or worktree) version of the file, redacted like stored edits.
    fn new_lines(&self, file: &FileDiff) -> Vec<String> {
        let text = match &self.source {
            Source::Commit { .. } => self.blob(&self.diff.commit, &file.path),
            Source::Worktree { .. } => std::fs::read(self.repo.root.join(&file.path))
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned()),
        };
        self.redacted_lines(&text.unwrap_or_default())
    }

    fn redacted_lines(&self, text: &str) -> Vec<String> {
        // One pass over the whole text finds nothing to redact in almost every file; only
        // then is it worth redacting line by line (as stored edits were, line structure kept).
        if let std::borrow::Cow::Borrowed(_) = self.redactor.redact(text) {
            return replay::split(text);
        }
        replay::split(text)
            .into_iter()
            .map(|l| self.redactor.redact(&l).into_owned())
            .collect()
    }

    fn blob(&self, commit: &str, path: &str) -> Option<String> {
        let gix = self.gix.as_ref()?;
        let id = gix::ObjectId::from_hex(commit.as_bytes()).ok()?;
        let tree = gix.find_commit(id).ok()?.tree().ok()?;
        let entry = tree.lookup_entry_by_path(path).ok()??;
        let object = entry.object().ok()?;
        Some(String::from_utf8_lossy(&object.data).into_owned())
    }
}

/// The verdict of each line git says the commit added. Git's diff and the replay's may
/// align runs of equal lines differently (which of two `}` is the new one): an added line
/// the replay thinks the parent had takes the verdict of the nearest equal line the replay
/// thinks is new but git does not count as added.
fn place(all: &[Verdict], added: &[(u32, String)], committed: &[String]) -> Vec<Verdict> {
    let added_set: HashSet<u32> = added.iter().map(|(n, _)| *n).collect();
    let mut spare: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, v) in all.iter().enumerate() {
        if *v != Verdict::Base && !added_set.contains(&(i as u32 + 1)) {
            spare.entry(committed[i].trim_end()).or_default().push(i);
        }
    }
    added
        .iter()
        .map(|(n, _)| {
            let i = *n as usize - 1;
            match all.get(i) {
                Some(Verdict::Base) => {
                    let Some(list) = spare.get_mut(committed[i].trim_end()) else {
                        return Verdict::Human;
                    };
                    let Some(pos) = (0..list.len()).min_by_key(|&p| list[p].abs_diff(i)) else {
                        return Verdict::Human;
                    };
                    all[list.remove(pos)]
                }
                Some(v) => *v,
                None => Verdict::Human,
            }
        })
        .collect()
}

fn line_attr(n: u32, text: &str, v: Verdict, candidates: &[Candidate]) -> LineAttr {
    let (who, edit) = match v {
        Verdict::Ai(k) => {
            let c = &candidates[k];
            (
                Who::Ai(c.event.session_id.clone()),
                Some(c.event.id.clone()),
            )
        }
        Verdict::Modified(k) => {
            let c = &candidates[k];
            let who = Who::Modified(c.event.session_id.clone());
            (who, Some(c.event.id.clone()))
        }
        Verdict::Base | Verdict::Human => (Who::Human, None),
    };
    LineAttr {
        line: n,
        text: text.to_string(),
        who,
        edit,
        prompt: None,
    }
}

fn skip_reason(file: &FileDiff) -> Option<String> {
    if file.binary {
        return Some("binary file".into());
    }
    if file.added.len() > MAX_ADDED_LINES {
        return Some(format!(
            "{} added lines (over {MAX_ADDED_LINES}): treated as generated",
            file.added.len()
        ));
    }
    None
}

/// The lines an edit actually wrote: the insertions of its before → after diff (context the
/// edit merely repeated is not writing).
pub fn written_lines(edit: &Edit) -> Vec<String> {
    match edit.op {
        EditOp::Delete => Vec::new(),
        EditOp::Add | EditOp::Write => edit.after.lines().map(String::from).collect(),
        EditOp::Update if edit.before.is_empty() => edit.after.lines().map(String::from).collect(),
        EditOp::Update => TextDiff::from_lines(&edit.before, &edit.after)
            .iter_all_changes()
            .filter(|c| c.tag() == ChangeTag::Insert)
            .map(|c| c.value().trim_end_matches(['\n', '\r']).to_string())
            .collect(),
    }
}

/// Whitespace-normalised form of a line: trimmed, inner runs of whitespace folded to one space.
pub fn normalise(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Milliseconds of a commit time in seconds, at the end of that second (git stores seconds).
pub fn until_of(seconds: i64) -> Millis {
    seconds * 1000 + 999
}
