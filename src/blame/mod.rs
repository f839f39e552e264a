//! `git drift blame`: git's blame joined with the drift notes — for every line, which agent
//! (or human) wrote it, in which session, from which prompt; and with `--timeline`, the
//! whole history of a line including the attempts that were rejected on the way.
//!
//! git itself decides which commit each line comes from (`git blame --porcelain`: exact by
//! definition, and it follows renames and honours blame config such as
//! `blame.ignoreRevsFile`). The line's number *in that commit* then finds the attribution in
//! the commit's note, which describes exactly the lines that commit added (see
//! [`crate::attribution::diff`]). Lines of a commit without a note, or that its note does not describe,
//! are unknown — never guessed. Lines not committed yet are attributed from the captured edits
//! no commit has claimed, the way a commit would be.
//!
//! Reached as `git drift blame`, `git drift-blame` and `git-drift-blame`; all three parse
//! [`crate::commands::blame::Args`] and run [`crate::commands::blame::run`].

mod names;
mod porcelain;
mod render;
mod timeline;

#[cfg(test)]
mod tests;

pub use names::short_model;
pub use porcelain::{CommitMeta, GitLine, NOT_COMMITTED, Parsed};
pub use render::{print_human, print_json, print_porcelain};
pub use timeline::{
    Attempt, AttemptKind, Change, Entry, Timeline, print_timeline, print_timeline_json, timeline,
};

use crate::error::{Error, Result};
use crate::notes::{self, Note, Who};
use crate::redact::Redactor;
use crate::store::Store;
use crate::util::git::{Repo, parse_oid};
use gix::ObjectId;
use gix::note::plumbing::State;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// Who wrote a line, as blame reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An agent wrote it and it is unchanged.
    Ai,
    /// An agent wrote it and a human changed it before committing.
    Modified,
    /// No agent evidence.
    Human,
    /// No note describes the line (a commit made without git drift, or not bound yet).
    Unknown,
}

impl Kind {
    /// `ai`, `modified`, `human` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Ai => "ai",
            Kind::Modified => "modified",
            Kind::Human => "human",
            Kind::Unknown => "unknown",
        }
    }
}

/// The attribution of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    pub kind: Kind,
    /// Agent name (`claude-code`, `codex`, …) for ai/modified lines.
    pub agent: Option<String>,
    /// Full model id, when known.
    pub model: Option<String>,
    /// Full session id for ai/modified lines.
    pub session: Option<String>,
    /// The prompt behind the line, when recorded.
    pub prompt: Option<String>,
}

impl Attr {
    /// Nothing known.
    pub const UNKNOWN: Attr = Attr {
        kind: Kind::Unknown,
        agent: None,
        model: None,
        session: None,
        prompt: None,
    };

    /// A line with no agent evidence.
    pub const HUMAN: Attr = Attr {
        kind: Kind::Human,
        agent: None,
        model: None,
        session: None,
        prompt: None,
    };

    /// The attribution a note gives a line.
    pub fn from_note(info: &notes::LineInfo<'_>) -> Attr {
        let kind = match info.who {
            Who::Ai(_) => Kind::Ai,
            Who::Modified(_) => Kind::Modified,
            Who::Human => return Attr::HUMAN,
        };
        Attr {
            kind,
            agent: info
                .session
                .map(|s| s.agent.clone())
                .filter(|a| !a.is_empty()),
            model: info.session.and_then(|s| s.model.clone()),
            session: info.who.session().map(str::to_string),
            prompt: info.prompt.map(str::to_string),
        }
    }
}

/// One blamed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Line number in the blamed version.
    pub line: u32,
    /// The commit that added the line; `None` when it is not committed yet.
    pub commit: Option<String>,
    /// The line's number in `commit`.
    pub orig_line: u32,
    /// The file's path in `commit`.
    pub orig_path: String,
    pub content: String,
    pub attr: Attr,
}

/// The blame of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blame {
    /// Repository-relative path of the blamed file.
    pub file: String,
    /// The revision blamed; `None` for the working tree.
    pub rev: Option<String>,
    pub lines: Vec<Line>,
    /// What git said about each commit (summary, author, times).
    pub commits: HashMap<String, CommitMeta>,
}

impl Blame {
    /// Whether any line is not committed yet.
    pub fn has_uncommitted(&self) -> bool {
        self.lines.iter().any(|l| l.commit.is_none())
    }
}

/// What to blame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Repository-relative, `/`-separated path.
    pub path: String,
    /// `None` blames the working tree.
    pub rev: Option<String>,
    /// git blame `-L` ranges; empty for the whole file.
    pub ranges: Vec<String>,
}

/// The repository-relative path of `file` as given on the command line in `cwd`, the way git
/// resolves it: relative to the current directory, `..` allowed while it stays inside.
pub fn repo_path(root: &Path, cwd: &Path, file: &str) -> Result<String> {
    let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    let joined = cwd.join(file);
    let mut norm = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                norm.pop();
            }
            Component::CurDir => {}
            other => norm.push(other.as_os_str()),
        }
    }
    let outside = || {
        Error::user(format!(
            "'{file}' is outside repository at '{}'",
            root.display()
        ))
    };
    let rel = norm.strip_prefix(root).map_err(|_| outside())?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        return Err(Error::user(format!("'{file}' is a directory, not a file")));
    }
    Ok(parts.join("/"))
}

/// Refuse binary files with a clear message (git would print their bytes as "lines"). Uses
/// git's own test: a NUL byte in the first 8000 bytes.
pub fn check_text(repo: &Repo, gix: &gix::Repository, target: &Request) -> Result<()> {
    let head: Option<Vec<u8>> = match &target.rev {
        None => {
            let p = repo.root.join(&target.path);
            if p.is_dir() {
                return Err(Error::user(format!(
                    "'{}' is a directory, not a file",
                    target.path
                )));
            }
            std::fs::File::open(&p).ok().map(|f| {
                let mut buf = Vec::with_capacity(8000);
                let _ = std::io::Read::read_to_end(&mut std::io::Read::take(f, 8000), &mut buf);
                buf
            })
        }
        Some(rev) => gix
            .rev_parse_single(format!("{rev}:{}", target.path).as_str())
            .ok()
            .and_then(|id| id.object().ok())
            .filter(|o| o.kind == gix::object::Kind::Blob)
            .map(|o| o.data[..o.data.len().min(8000)].to_vec()),
    };
    if head.is_some_and(|h| h.contains(&0)) {
        return Err(Error::user(format!(
            "{}: binary file; git drift blame attributes text lines only",
            target.path
        )));
    }
    Ok(())
}

/// Run `git blame --porcelain` for the target and join every line with its commit's note.
pub fn blame(repo: &Repo, notes: &mut NoteCache<'_>, target: &Request) -> Result<Blame> {
    let running = GitBlame::start(repo, target)?;
    blame_of(repo, running, notes, target)
}

/// [`blame`] with git's blame already started (see [`GitBlame::start`]).
pub fn blame_of(
    repo: &Repo,
    running: GitBlame,
    notes: &mut NoteCache<'_>,
    target: &Request,
) -> Result<Blame> {
    let parsed = running.finish(repo, target)?;
    let mut seen = std::collections::HashSet::new();
    let commits: Vec<&str> = parsed
        .lines
        .iter()
        .map(|l| l.commit.as_str())
        .filter(|c| *c != NOT_COMMITTED && seen.insert(*c))
        .collect();
    notes.prefetch(&commits)?;
    let mut lines = Vec::with_capacity(parsed.lines.len());
    for g in parsed.lines {
        let (commit, attr) = if g.commit == NOT_COMMITTED {
            (None, Attr::UNKNOWN)
        } else {
            let attr = match notes.get(&g.commit)? {
                Some(note) => note
                    .who_at(&g.path, g.orig_line)
                    .map_or(Attr::UNKNOWN, |i| Attr::from_note(&i)),
                None => Attr::UNKNOWN,
            };
            (Some(g.commit), attr)
        };
        lines.push(Line {
            line: g.final_line,
            commit,
            orig_line: g.orig_line,
            orig_path: g.path,
            content: g.content,
            attr,
        });
    }
    redact_contents(&mut lines);
    Ok(Blame {
        file: target.path.clone(),
        rev: target.rev.clone(),
        lines,
        commits: parsed.commits,
    })
}

/// The file's lines pass the redactor as one text (a key spanning lines is seen whole; the
/// redactor keeps the line count), so blame never prints a secret the file holds.
fn redact_contents(lines: &mut [Line]) {
    let joined: Vec<&str> = lines.iter().map(|l| l.content.as_str()).collect();
    let joined = joined.join("\n");
    if let std::borrow::Cow::Owned(red) = Redactor::default().redact(&joined) {
        for (l, text) in lines.iter_mut().zip(red.split('\n')) {
            l.content = text.to_string();
        }
    }
}

/// `git blame --porcelain` of a target, running. Started before git drift's own setup (the
/// repository, the notes trees, the redaction patterns) so that the setup runs on another core
/// while git blames: on a file git blames quickly, that fixed cost was most of the difference
/// between `git drift blame` and `git blame`. Dropped unfinished, the child is killed.
pub struct GitBlame {
    child: Option<std::process::Child>,
}

impl GitBlame {
    /// Start git's blame of the target.
    pub fn start(repo: &Repo, target: &Request) -> Result<GitBlame> {
        let mut cmd = repo.command();
        cmd.args(["-c", "core.quotepath=off", "blame", "--porcelain"]);
        for r in &target.ranges {
            cmd.arg("-L").arg(r);
        }
        cmd.args(target.rev.as_deref());
        cmd.arg("--").arg(&target.path);
        let child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| Error::git_from("cannot run git", e))?;
        Ok(GitBlame { child: Some(child) })
    }

    /// Wait for git and parse its blame; git's complaints (no such path, bad range, bad
    /// revision) become user errors with git's message.
    pub fn finish(mut self, repo: &Repo, target: &Request) -> Result<Parsed> {
        let child = self.child.take().expect("finished once");
        let out = child
            .wait_with_output()
            .map_err(|e| Error::git_from("cannot run git", e))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            let msg = err
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("git blame failed");
            let msg = msg
                .strip_prefix("fatal: ")
                .or_else(|| msg.strip_prefix("error: "))
                .unwrap_or(msg);
            // A file git does not know yet (untracked, or no commit at all): every line is
            // not committed yet, which git itself says only once the file is staged.
            if target.rev.is_none()
                && (msg.starts_with("no such path") || msg.starts_with("no such ref: HEAD"))
                && let Some(parsed) = new_file_blame(repo, target)?
            {
                return Ok(parsed);
            }
            return Err(Error::user(msg.to_string()));
        }
        porcelain::parse(&out.stdout)
    }
}

impl Drop for GitBlame {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// git's blame of the target (see [`GitBlame::finish`] for its errors).
pub fn git_blame(repo: &Repo, target: &Request) -> Result<Parsed> {
    GitBlame::start(repo, target)?.finish(repo, target)
}

/// The blame of a working-tree file git has no history for: all lines not committed yet.
/// `None` when the file is missing or a range is not plain line numbers (`N,M`, `N,+K`,
/// `N,-K`, `N`), so that git's own error stands.
fn new_file_blame(repo: &Repo, target: &Request) -> Result<Option<Parsed>> {
    let path = repo.root.join(&target.path);
    if !path.is_file() {
        return Ok(None);
    }
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let text = String::from_utf8_lossy(&bytes);
    let all: Vec<&str> = text.lines().collect();
    let n = all.len() as u32;
    let mut wanted: Vec<(u32, u32)> = Vec::new();
    for r in &target.ranges {
        let Some((a, b)) = numeric_range(r) else {
            return Ok(None);
        };
        let (a, b) = (a.max(1), b.min(n));
        if a > n {
            return Err(Error::user(format!(
                "file {} has only {n} line{}",
                target.path,
                if n == 1 { "" } else { "s" }
            )));
        }
        wanted.push((a, b));
    }
    if wanted.is_empty() {
        wanted.push((1, n));
    }
    let mut lines = Vec::new();
    for (i, content) in all.iter().enumerate() {
        let line = i as u32 + 1;
        if wanted.iter().any(|(a, b)| *a <= line && line <= *b) {
            lines.push(GitLine {
                commit: NOT_COMMITTED.to_string(),
                orig_line: line,
                final_line: line,
                path: target.path.clone(),
                content: content.to_string(),
            });
        }
    }
    Ok(Some(Parsed {
        lines,
        commits: HashMap::new(),
    }))
}

/// `N,M`, `N,+K`, `N,-K` or `N` as an inclusive line range.
fn numeric_range(r: &str) -> Option<(u32, u32)> {
    let num = |s: &str| s.trim().parse::<u32>().ok();
    match r.split_once(',') {
        None => num(r).map(|a| (a, a)),
        Some((a, b)) => {
            let a = num(a)?;
            if let Some(k) = b.strip_prefix('+') {
                Some((a, a.saturating_add(num(k)?.max(1) - 1)))
            } else if let Some(k) = b.strip_prefix('-') {
                Some(((a + 1).saturating_sub(num(k)?.max(1)).max(1), a))
            } else {
                let b = num(b)?;
                Some((a.min(b), a.max(b)))
            }
        }
    }
}

/// Attribute the lines not committed yet from the captured edits no ancestor of HEAD has
/// claimed, exactly as the next commit would be attributed.
pub fn attribute_uncommitted(
    repo: &Repo,
    store: &Store,
    redactor: &Redactor,
    blame: &mut Blame,
) -> Result<()> {
    let added: Vec<(u32, String)> = blame
        .lines
        .iter()
        .filter(|l| l.commit.is_none())
        .map(|l| (l.line, l.content.clone()))
        .collect();
    if added.is_empty() {
        return Ok(());
    }
    let attr = crate::attribution::attribute_worktree(repo, store, redactor, &blame.file, added)?;
    let mut by_line: HashMap<u32, Attr> = HashMap::new();
    for f in &attr.files {
        for l in &f.lines {
            let kind = match l.who {
                crate::attribution::Who::Ai(_) => Kind::Ai,
                crate::attribution::Who::Modified(_) => Kind::Modified,
                crate::attribution::Who::Human => Kind::Human,
            };
            let a = match (l.who.session(), kind) {
                (Some(s), Kind::Ai | Kind::Modified) => {
                    let rec = attr.sessions.get(s);
                    let (agent, model) = match rec {
                        Some(r) => (Some(r.agent.clone()), r.model.clone()),
                        None => match store.session(s)? {
                            Some(sess) => (Some(sess.agent.as_str().to_string()), sess.info.model),
                            None => (None, None),
                        },
                    };
                    Attr {
                        kind,
                        agent,
                        model,
                        session: Some(s.to_string()),
                        prompt: l.prompt.clone(),
                    }
                }
                _ => Attr::HUMAN,
            };
            by_line.insert(l.line, a);
        }
    }
    for l in blame.lines.iter_mut().filter(|l| l.commit.is_none()) {
        if let Some(a) = by_line.remove(&l.line) {
            l.attr = a;
        }
    }
    Ok(())
}

/// The drift notes of commits, read once each: the local `refs/notes/drift` merged with every
/// fetched `refs/notes/remotes/*/drift` (what [`notes::read_union`] returns), with each notes
/// tree opened once for all lookups.
pub struct NoteCache<'r> {
    repo: &'r gix::Repository,
    /// The root tree of each notes ref, and its state for lookups.
    trees: Vec<(ObjectId, State)>,
    cache: HashMap<ObjectId, Option<Note>>,
}

/// Below this many notes to read, one thread does it.
const PARALLEL_NOTES: usize = 64;

impl<'r> NoteCache<'r> {
    /// Open the notes refs of `repo` (missing refs are simply empty).
    pub fn open(repo: &'r gix::Repository) -> Result<NoteCache<'r>> {
        let mut refs = vec![notes::NOTES_REF.to_string()];
        refs.extend(notes::tracking_refs(repo)?);
        let mut trees = Vec::new();
        for name in refs {
            let Some(mut r) = repo
                .try_find_reference(name.as_str())
                .map_err(|e| Error::git_from(format!("cannot read {name}"), e))?
            else {
                continue;
            };
            let tree = r
                .peel_to_commit()
                .map_err(|e| Error::git_from(format!("{name} does not point to a commit"), e))?
                .tree_id()
                .map_err(|e| Error::git_from(format!("cannot read the tree of {name}"), e))?
                .detach();
            trees.push((tree, notes_state(repo, tree)?));
        }
        Ok(NoteCache {
            repo,
            trees,
            cache: HashMap::new(),
        })
    }

    /// The note of a commit (hex id), or `None`.
    pub fn get(&mut self, commit: &str) -> Result<Option<&Note>> {
        let oid = parse_oid(commit)?;
        if !self.cache.contains_key(&oid) {
            let note = read_union(self.repo, &mut self.trees, oid)?;
            self.cache.insert(oid, note);
        }
        Ok(self.cache.get(&oid).and_then(Option::as_ref))
    }

    /// Read the notes of many commits at once, on a second thread as well when there are
    /// enough of them (a blame touching a thousand commits reads a thousand notes).
    pub fn prefetch(&mut self, commits: &[&str]) -> Result<()> {
        let mut todo = Vec::with_capacity(commits.len());
        for c in commits {
            let oid = parse_oid(c)?;
            if !self.cache.contains_key(&oid) {
                todo.push(oid);
            }
        }
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        if todo.len() < PARALLEL_NOTES || threads < 2 {
            for oid in todo {
                let note = read_union(self.repo, &mut self.trees, oid)?;
                self.cache.insert(oid, note);
            }
            return Ok(());
        }
        let (theirs, ours) = todo.split_at(todo.len() / 2);
        let shared = self.repo.clone().into_sync();
        let tree_ids: Vec<ObjectId> = self.trees.iter().map(|(t, _)| *t).collect();
        let (their_notes, our_notes) = std::thread::scope(|scope| {
            let handle = scope.spawn(move || -> Result<Vec<(ObjectId, Option<Note>)>> {
                let repo = shared.to_thread_local();
                let mut trees = Vec::with_capacity(tree_ids.len());
                for t in tree_ids {
                    trees.push((t, notes_state(&repo, t)?));
                }
                theirs
                    .iter()
                    .map(|oid| Ok((*oid, read_union(&repo, &mut trees, *oid)?)))
                    .collect()
            });
            let ours: Result<Vec<(ObjectId, Option<Note>)>> = ours
                .iter()
                .map(|oid| Ok((*oid, read_union(self.repo, &mut self.trees, *oid)?)))
                .collect();
            let theirs = handle
                .join()
                .unwrap_or_else(|_| Err(Error::other("reading notes failed")));
            (theirs, ours)
        });
        self.cache.extend(their_notes?);
        self.cache.extend(our_notes?);
        Ok(())
    }
}

fn notes_state(repo: &gix::Repository, tree: ObjectId) -> Result<State> {
    State::new(tree, repo).map_err(|e| Error::git_from(format!("cannot read notes tree {tree}"), e))
}

/// The union of the notes the trees hold for `oid`.
fn read_union(
    repo: &gix::Repository,
    trees: &mut [(ObjectId, State)],
    oid: ObjectId,
) -> Result<Option<Note>> {
    let mut union: Option<Note> = None;
    for (_, state) in trees.iter_mut() {
        let blob = state
            .get(&oid, repo)
            .map_err(|e| Error::git_from(format!("cannot look up the note of {oid}"), e))?;
        let Some(blob) = blob else { continue };
        let data = repo
            .find_blob(blob)
            .map_err(|e| Error::git_from(format!("cannot read note blob {blob}"), e))?;
        let note = Note::parse_bytes(&data.data);
        match union.as_mut() {
            Some(u) => u.merge(note),
            None => union = Some(note),
        }
    }
    Ok(union)
}

/// Map an I/O error on the output (a closed pipe then ends quietly in `cli::finish`).
pub(crate) fn w(r: std::io::Result<()>) -> Result<()> {
    r.map_err(crate::error::out_err)
}
