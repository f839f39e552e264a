//! `git drift blame --timeline`: the history of some lines, oldest first — every commit that
//! changed them (git's `log -L`, which follows renames), who wrote each version according to
//! that commit's note, and, from the local store, the agent edits on the same lines that
//! never made it: declined by the user (with the reason they gave) or applied and then
//! replaced before anyone committed them. That is the "why" behind a line.
//!
//! The history starts from the commit git's blame gives each line (the last one to touch
//! it), so it works for the working tree too: lines not committed yet end the timeline.

use super::{Attr, Blame, Kind, Line, NoteCache, render, short_model, w};
use crate::attribution::{MODIFIED_MIN_CHARS, normalise};
use crate::error::{Error, Result};
use crate::model::{EditOp, Event, EventKind, Millis};
use crate::sessions::{CallStatus, call_statuses};
use crate::store::Store;
use crate::ui::{Paint, excerpt};
use crate::util::git::Repo;
use crate::util::text::short_id;
use crate::util::timefmt;
use serde_json::{Value, json};
use similar::{ChangeTag, DiffTag, TextDiff};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Write;

/// Lines of one attempt shown before "… N more".
const ATTEMPT_LINES: usize = 6;
/// Similarity (similar's character ratio) at or above which a line an edit wrote counts as a
/// version of a followed line. Stricter than attribution's "modified" threshold: here the
/// question is whether the edit was about this line at all.
const RELATED_RATIO: f32 = 0.75;

/// The history of some lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub file: String,
    pub rev: Option<String>,
    /// The lines as they are now (the blame of the chosen range).
    pub lines: Vec<Line>,
    /// Oldest first.
    pub entries: Vec<Entry>,
}

/// One step of a line's history.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// A commit that changed the lines.
    Commit {
        commit: String,
        /// Author time (when the change was made), milliseconds.
        time: Millis,
        author: String,
        subject: String,
        /// The file's path in this commit.
        path: String,
        changes: Vec<Change>,
    },
    /// An agent edit on the lines that did not land.
    Attempt(Attempt),
    /// Lines in the working tree that are not committed yet.
    Uncommitted { changes: Vec<Change> },
}

/// A removed or added line.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub added: bool,
    /// Line number in the version it belongs to (the old one for removed lines), when known.
    pub line: Option<u32>,
    pub text: String,
    /// Who wrote an added line of a commit (from its note) or of the working tree.
    pub attr: Option<Attr>,
}

/// What happened to an agent edit that did not land.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptKind {
    /// The user declined it.
    Rejected,
    /// It was applied, then replaced before it was committed.
    Superseded,
}

impl AttemptKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptKind::Rejected => "rejected",
            AttemptKind::Superseded => "superseded",
        }
    }
}

/// An agent edit on the followed lines that never became a version of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub kind: AttemptKind,
    pub time: Option<Millis>,
    pub session: String,
    pub agent: String,
    pub model: Option<String>,
    /// The prompt the edit answered (the session's latest prompt before it).
    pub prompt: Option<String>,
    /// What the user said when declining.
    pub reason: Option<String>,
    /// Repository-relative path the edit was made to.
    pub path: String,
    pub tool: String,
    /// The edit's hunks that touch the followed lines (at most [`ATTEMPT_LINES`] lines).
    pub changes: Vec<Change>,
    /// Lines of those hunks left out.
    pub more: usize,
}

/// Per blamed commit and path, the runs of its line numbers to follow back from it.
type Runs = BTreeMap<(String, String), Vec<(u32, u32)>>;

/// Build the timeline of the lines of `blame` (usually one line, or a `-L` range).
pub fn timeline(
    repo: &Repo,
    notes: &mut NoteCache<'_>,
    store: Option<&Store>,
    blame: &Blame,
) -> Result<Timeline> {
    let mut runs = blamed_runs(blame);
    let replaced = uncommitted_runs(repo, blame, &mut runs)?;
    let mut entries = commit_entries(repo, notes, &runs)?;
    let uncommitted: Vec<Change> = replaced
        .into_iter()
        .chain(
            blame
                .lines
                .iter()
                .filter(|l| l.commit.is_none())
                .map(|l| Change {
                    added: true,
                    line: Some(l.line),
                    text: l.content.clone(),
                    attr: Some(l.attr.clone()),
                }),
        )
        .collect();
    if let Some(store) = store {
        let mut paths: BTreeSet<String> = BTreeSet::new();
        paths.insert(blame.file.clone());
        for (_, _, e) in &entries {
            if let Entry::Commit { path, .. } = e {
                paths.insert(path.clone());
            }
        }
        for (_, p) in runs.keys() {
            paths.insert(p.clone());
        }
        for a in attempts(store, &paths, &entries, &blame.lines)? {
            entries.push((a.time.unwrap_or(Millis::MIN), 0, Entry::Attempt(a)));
        }
    }
    // Oldest first; at the same instant an attempt comes before the commit it led to.
    entries.sort_by_key(|(t, rank, _)| (*t, *rank));
    let mut entries: Vec<Entry> = entries.into_iter().map(|(_, _, e)| e).collect();
    if !uncommitted.is_empty() {
        entries.push(Entry::Uncommitted {
            changes: uncommitted,
        });
    }
    Ok(Timeline {
        file: blame.file.clone(),
        rev: blame.rev.clone(),
        lines: blame.lines.clone(),
        entries,
    })
}

/// The committed lines of `blame` as runs of their original line numbers per commit.
fn blamed_runs(blame: &Blame) -> Runs {
    let mut runs = Runs::new();
    for l in &blame.lines {
        let Some(c) = &l.commit else { continue };
        let v = runs.entry((c.clone(), l.orig_path.clone())).or_default();
        match v.last_mut() {
            Some((_, e)) if *e + 1 == l.orig_line => *e = l.orig_line,
            _ => v.push((l.orig_line, l.orig_line)),
        }
    }
    runs
}

/// Lines not committed yet continue the history of the HEAD lines they replace: add those to
/// `runs` and return them as removed lines.
fn uncommitted_runs(repo: &Repo, blame: &Blame, runs: &mut Runs) -> Result<Vec<Change>> {
    let mut replaced: Vec<Change> = Vec::new();
    if blame.rev.is_none()
        && blame.has_uncommitted()
        && let Some(head) = repo.git_opt(&["rev-parse", "--verify", "--quiet", "HEAD"])?
    {
        for h in working_tree_hunks(repo, &blame.file)? {
            let touched = blame.lines.iter().any(|l| {
                l.commit.is_none() && l.line >= h.new_start && l.line < h.new_start + h.new_count
            });
            if !touched || h.removed.is_empty() {
                continue;
            }
            let end = h.old_start + h.removed.len() as u32 - 1;
            runs.entry((head.trim().to_string(), blame.file.clone()))
                .or_default()
                .push((h.old_start, end));
            for (i, text) in h.removed.into_iter().enumerate() {
                replaced.push(Change {
                    added: false,
                    line: Some(h.old_start + i as u32),
                    text,
                    attr: None,
                });
            }
        }
    }
    Ok(replaced)
}

/// Every commit that changed the followed runs, with who wrote each added line per its note:
/// (time, rank 1, entry).
fn commit_entries(
    repo: &Repo,
    notes: &mut NoteCache<'_>,
    runs: &Runs,
) -> Result<Vec<(Millis, u8, Entry)>> {
    let mut commits: Vec<RawCommit> = Vec::new();
    for ((commit, path), ranges) in runs {
        for c in log_lines(repo, commit, path, ranges)? {
            match commits.iter_mut().find(|x| x.commit == c.commit) {
                Some(existing) => {
                    for ch in c.changes {
                        if !existing.changes.contains(&ch) {
                            existing.changes.push(ch);
                        }
                    }
                }
                None => commits.push(c),
            }
        }
    }
    let mut entries: Vec<(Millis, u8, Entry)> = Vec::new();
    for c in commits {
        let note = notes.get(&c.commit)?;
        let changes = c
            .changes
            .into_iter()
            .map(|(added, line, text)| {
                let attr = added.then(|| {
                    note.and_then(|n| n.who_at(&c.path, line))
                        .map_or(Attr::UNKNOWN, |i| Attr::from_note(&i))
                });
                Change {
                    added,
                    line: Some(line),
                    text,
                    attr,
                }
            })
            .collect();
        entries.push((
            c.time * 1000,
            1,
            Entry::Commit {
                commit: c.commit,
                time: c.time * 1000,
                author: c.author,
                subject: c.subject,
                path: c.path,
                changes,
            },
        ));
    }
    Ok(entries)
}

/// A commit of `git log -L` with its changes to the followed lines: (added, line, text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawCommit {
    pub commit: String,
    /// Author time, seconds.
    pub time: i64,
    pub author: String,
    pub subject: String,
    pub path: String,
    pub changes: Vec<(bool, u32, String)>,
}

/// `git log -L` from `commit` for line ranges of `path` in that commit.
fn log_lines(
    repo: &Repo,
    commit: &str,
    path: &str,
    ranges: &[(u32, u32)],
) -> Result<Vec<RawCommit>> {
    let mut cmd = repo.command();
    cmd.args([
        "-c",
        "core.quotepath=off",
        "log",
        "--no-color",
        "--no-ext-diff",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        "--format=%x1e%H%x1f%at%x1f%an%x1f%s",
    ]);
    for (s, e) in ranges {
        cmd.arg(format!("-L{s},{e}:{path}"));
    }
    cmd.arg(commit).arg("--");
    let out = cmd
        .output()
        .map_err(|e| Error::git_from("cannot run git", e))?;
    if !out.status.success() {
        return Err(Error::git(format!(
            "git log -L failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(parse_log(&String::from_utf8_lossy(&out.stdout)))
}

/// A hunk of the working tree's difference from HEAD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WtHunk {
    pub old_start: u32,
    pub new_start: u32,
    pub new_count: u32,
    pub removed: Vec<String>,
}

/// The hunks of `git diff -U0 HEAD -- path`.
fn working_tree_hunks(repo: &Repo, path: &str) -> Result<Vec<WtHunk>> {
    let text = repo.git(&[
        "-c",
        "core.quotepath=off",
        "diff",
        "-U0",
        "--no-color",
        "--no-ext-diff",
        "--no-renames",
        "HEAD",
        "--",
        path,
    ])?;
    Ok(parse_hunks(&text))
}

/// Parse `-U0` hunks: `@@ -a[,b] +c[,d] @@` (a missing count is 1) and their `-` lines.
pub(crate) fn parse_hunks(text: &str) -> Vec<WtHunk> {
    let mut out: Vec<WtHunk> = Vec::new();
    let range = |t: Option<&str>| -> (u32, u32) {
        let t = t.and_then(|t| t.get(1..)).unwrap_or("");
        let mut it = t.split(',');
        let start = it.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        let count = it.next().map_or(Some(1), |n| n.parse().ok()).unwrap_or(0);
        (start, count)
    };
    for line in text.lines() {
        if line.starts_with("@@") {
            let mut f = line.split_whitespace().skip(1);
            let (old_start, _) = range(f.next());
            let (new_start, new_count) = range(f.next());
            out.push(WtHunk {
                old_start,
                new_start,
                new_count,
                removed: Vec::new(),
            });
        } else if let Some(h) = out.last_mut()
            && let Some(t) = line.strip_prefix('-')
        {
            h.removed.push(t.to_string());
        }
    }
    out
}

/// Parse the output of [`log_lines`].
pub(crate) fn parse_log(text: &str) -> Vec<RawCommit> {
    let mut out: Vec<RawCommit> = Vec::new();
    let (mut old, mut new) = (0u32, 0u32);
    let mut in_hunk = false;
    for line in text.lines() {
        if let Some(head) = line.strip_prefix('\x1e') {
            let mut f = head.split('\x1f');
            let commit = f.next().unwrap_or_default().to_string();
            let time = f.next().and_then(|t| t.parse().ok()).unwrap_or(0);
            let author = f.next().unwrap_or_default().to_string();
            let subject = f.next().unwrap_or_default().to_string();
            out.push(RawCommit {
                commit,
                time,
                author,
                subject,
                path: String::new(),
                changes: Vec::new(),
            });
            in_hunk = false;
            continue;
        }
        let Some(c) = out.last_mut() else { continue };
        if line.starts_with("diff --git ") {
            in_hunk = false;
        } else if !in_hunk && let Some(p) = line.strip_prefix("+++ ") {
            if let Some(p) = crate::util::git::unquote_path(p).strip_prefix("b/") {
                c.path = p.to_string();
            }
        } else if line.starts_with("@@") {
            in_hunk = true;
            let mut nums = line.split_whitespace().skip(1);
            let start = |t: Option<&str>| {
                t.and_then(|t| t.get(1..))
                    .and_then(|t| t.split(',').next())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(1)
            };
            old = start(nums.next());
            new = start(nums.next());
        } else if in_hunk {
            if let Some(t) = line.strip_prefix('+') {
                c.changes.push((true, new, t.to_string()));
                new += 1;
            } else if let Some(t) = line.strip_prefix('-') {
                c.changes.push((false, old, t.to_string()));
                old += 1;
            } else if line.starts_with(' ') || line.is_empty() {
                old += 1;
                new += 1;
            }
        }
    }
    out
}

/// Whether a line carries enough to be matched (not just `}` or blank).
fn meaningful(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

/// The texts the followed lines have had, normalised: every version (added or removed in a
/// commit) and what they are now.
struct Versions {
    all: HashSet<String>,
    /// Texts that landed: added by a commit or present now.
    landed: HashSet<String>,
    /// Long ones, for the similarity test.
    long: Vec<String>,
}

impl Versions {
    fn new(entries: &[(Millis, u8, Entry)], lines: &[Line]) -> Versions {
        let mut v = Versions {
            all: HashSet::new(),
            landed: HashSet::new(),
            long: Vec::new(),
        };
        let mut add = |text: &str, landed: bool| {
            let n = normalise(text);
            if !meaningful(&n) {
                return;
            }
            if landed {
                v.landed.insert(n.clone());
            }
            if v.all.insert(n.clone()) && n.chars().count() >= MODIFIED_MIN_CHARS {
                v.long.push(n);
            }
        };
        for (_, _, e) in entries {
            if let Entry::Commit { changes, .. } = e {
                for c in changes {
                    add(&c.text, c.added);
                }
            }
        }
        for l in lines {
            add(&l.content, true);
        }
        v
    }

    /// Whether an edit's added line is (or closely resembles) a version.
    fn matches_added(&self, text: &str) -> bool {
        let n = normalise(text);
        if !meaningful(&n) {
            return false;
        }
        if self.all.contains(&n) {
            return true;
        }
        n.chars().count() >= MODIFIED_MIN_CHARS
            && self
                .long
                .iter()
                .any(|v| TextDiff::from_chars(n.as_str(), v.as_str()).ratio() >= RELATED_RATIO)
    }

    /// Whether an edit's removed line is exactly a version.
    fn matches_removed(&self, text: &str) -> bool {
        let n = normalise(text);
        meaningful(&n) && self.all.contains(&n)
    }
}

/// One hunk of an edit: removed lines, added lines.
type Hunk = (Vec<String>, Vec<String>);

/// The hunks of an edit's before → after change.
fn hunks(op: EditOp, before: &str, after: &str) -> Vec<Hunk> {
    let lines = |s: &str| s.lines().map(String::from).collect::<Vec<_>>();
    match op {
        EditOp::Delete => vec![(lines(before), Vec::new())],
        EditOp::Add | EditOp::Write => vec![(Vec::new(), lines(after))],
        EditOp::Update if before.is_empty() => vec![(Vec::new(), lines(after))],
        EditOp::Update => {
            let diff = TextDiff::from_lines(before, after);
            let mut out = Vec::new();
            for op in diff.ops() {
                if op.tag() == DiffTag::Equal {
                    continue;
                }
                let mut h: Hunk = (Vec::new(), Vec::new());
                for c in diff.iter_changes(op) {
                    let t = c.value().trim_end_matches(['\n', '\r']).to_string();
                    match c.tag() {
                        ChangeTag::Delete => h.0.push(t),
                        ChangeTag::Insert => h.1.push(t),
                        ChangeTag::Equal => {}
                    }
                }
                out.push(h);
            }
            out
        }
    }
}

/// What [`attempts`] needs of the session an edit came from.
struct EditSession {
    agent: String,
    model: Option<String>,
    started: Option<Millis>,
    status: HashMap<String, CallStatus>,
    prompts: Vec<(Option<Millis>, i64, String)>,
}

impl EditSession {
    fn load(store: &Store, id: &str) -> Result<EditSession> {
        let events = store.events(id)?;
        let session = store.session(id)?;
        let prompts = events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Prompt { text } => Some((e.at, e.ord, text.clone())),
                _ => None,
            })
            .collect();
        Ok(EditSession {
            agent: session
                .as_ref()
                .map_or_else(String::new, |s| s.agent.as_str().to_string()),
            model: session.as_ref().and_then(|s| s.info.model.clone()),
            started: session.as_ref().and_then(|s| s.info.started),
            status: call_statuses(&events),
            prompts,
        })
    }
}

/// The agent edits on `paths` that touched the followed lines and did not land.
fn attempts(
    store: &Store,
    paths: &BTreeSet<String>,
    entries: &[(Millis, u8, Entry)],
    lines: &[Line],
) -> Result<Vec<Attempt>> {
    let versions = Versions::new(entries, lines);
    if versions.all.is_empty() {
        return Ok(Vec::new());
    }
    let mut edits: Vec<(String, Event)> = Vec::new();
    for p in paths {
        for e in store.edits(Some(p), None)? {
            edits.push((p.clone(), e));
        }
    }
    let mut sessions: HashMap<String, EditSession> = HashMap::new();
    let mut out = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (path, event) in edits {
        if !seen.insert(event.id.clone()) {
            continue;
        }
        let EventKind::Edit(edit) = &event.kind else {
            continue;
        };
        let relevant: Vec<Hunk> = hunks(edit.op, &edit.before, &edit.after)
            .into_iter()
            .filter(|(removed, added)| {
                removed.iter().any(|t| versions.matches_removed(t))
                    || added.iter().any(|t| versions.matches_added(t))
            })
            .collect();
        if relevant.is_empty() {
            continue;
        }
        if !sessions.contains_key(&event.session_id) {
            let info = EditSession::load(store, &event.session_id)?;
            sessions.insert(event.session_id.clone(), info);
        }
        let Some(info) = sessions.get(&event.session_id) else {
            continue;
        };
        let status = edit.call_id.as_deref().and_then(|c| info.status.get(c));
        let (kind, reason) = match status {
            Some(CallStatus::Rejected(r)) => (AttemptKind::Rejected, r.clone()),
            // A failed tool call changed nothing: no attempt worth telling.
            Some(CallStatus::Failed(..)) => continue,
            _ => {
                let landed = relevant.iter().any(|(_, added)| {
                    added
                        .iter()
                        .any(|t| versions.landed.contains(&normalise(t)))
                });
                if landed {
                    continue;
                }
                (AttemptKind::Superseded, None)
            }
        };
        let pos = (event.at, event.ord);
        let prompt = info
            .prompts
            .iter()
            .rev()
            .find(|(at, ord, _)| (*at, *ord) <= pos)
            .map(|(_, _, t)| t.clone());
        let (changes, more) = attempt_changes(relevant);
        out.push(Attempt {
            kind,
            time: event.at.or(info.started),
            session: event.session_id.clone(),
            agent: info.agent.clone(),
            model: info.model.clone(),
            prompt,
            reason,
            path,
            tool: edit.tool.clone(),
            more,
            changes,
        });
    }
    Ok(out)
}

/// The first [`ATTEMPT_LINES`] removed and added lines of an attempt's hunks, and how many
/// more there are.
fn attempt_changes(relevant: Vec<Hunk>) -> (Vec<Change>, usize) {
    let mut changes = Vec::new();
    let mut total = 0;
    for (removed, added) in relevant {
        for (is_added, list) in [(false, removed), (true, added)] {
            for text in list {
                total += 1;
                if changes.len() < ATTEMPT_LINES {
                    changes.push(Change {
                        added: is_added,
                        line: None,
                        text,
                        attr: None,
                    });
                }
            }
        }
    }
    let more = total - changes.len();
    (changes, more)
}

/// `claude-code · opus-4.5 · session 5f2e91ab`, or `human` / `unknown`.
fn attr_label(a: &Attr, paint: Paint) -> String {
    match a.kind {
        Kind::Human => "human".into(),
        Kind::Unknown => paint.dim("unknown (no drift note describes this line)"),
        Kind::Ai | Kind::Modified => {
            let mut parts = vec![paint.cyan(a.agent.as_deref().unwrap_or("agent"))];
            if let Some(m) = &a.model {
                parts.push(short_model(m));
            }
            if let Some(s) = &a.session {
                parts.push(format!("session {}", short_id(s)));
            }
            if a.kind == Kind::Modified {
                parts.push("changed by a human before commit".into());
            }
            parts.join(" · ")
        }
    }
}

fn change_line(c: &Change, num_w: usize, paint: Paint) -> String {
    let num = c.line.map(|n| n.to_string()).unwrap_or_default();
    let (sign, text) = if c.added {
        ("+", paint.green(&c.text))
    } else {
        ("-", paint.red(&c.text))
    };
    format!("    {num:>num_w$} {sign} {text}")
}

/// Print the timeline for people.
pub fn print_timeline(t: &Timeline, paint: Paint, out: &mut impl Write) -> Result<()> {
    let count = |k: AttemptKind| {
        t.entries
            .iter()
            .filter(|e| matches!(e, Entry::Attempt(a) if a.kind == k))
            .count()
    };
    let versions = t
        .entries
        .iter()
        .filter(|e| matches!(e, Entry::Commit { .. } | Entry::Uncommitted { .. }))
        .count();
    let which = match (t.lines.first(), t.lines.last()) {
        (Some(a), Some(b)) if a.line == b.line => a.line.to_string(),
        (Some(a), Some(b)) => format!("{}-{}", a.line, b.line),
        _ => "-".into(),
    };
    let mut summary = vec![crate::ui::plural(versions as u64, "version", "versions")];
    for k in [AttemptKind::Rejected, AttemptKind::Superseded] {
        let n = count(k);
        if n > 0 {
            summary.push(format!("{n} {}", k.as_str()));
        }
    }
    w(writeln!(
        out,
        "{} — {}, oldest first",
        paint.bold(&format!("History of {}:{which}", t.file)),
        summary.join(", ")
    ))?;
    for l in &t.lines {
        w(writeln!(out, "  {:>4}  {}", l.line, l.content))?;
    }
    let num_w = t
        .entries
        .iter()
        .flat_map(|e| match e {
            Entry::Commit { changes, .. } | Entry::Uncommitted { changes } => changes.as_slice(),
            Entry::Attempt(a) => a.changes.as_slice(),
        })
        .filter_map(|c| c.line.map(|n| n.to_string().len()))
        .max()
        .unwrap_or(1);
    for e in &t.entries {
        w(writeln!(out))?;
        match e {
            Entry::Commit {
                commit,
                time,
                author,
                subject,
                path,
                changes,
            } => {
                w(writeln!(
                    out,
                    "{} {}  {}  {}  {}",
                    paint.yellow("●"),
                    paint.yellow(&commit[..7.min(commit.len())]),
                    timefmt::local(*time),
                    paint.bold(subject),
                    paint.dim(&format!("({author})"))
                ))?;
                if *path != t.file {
                    w(writeln!(out, "  {}", paint.dim(&format!("as {path}"))))?;
                }
                print_changes(changes, num_w, paint, out)?;
            }
            Entry::Uncommitted { changes } => {
                w(writeln!(
                    out,
                    "{} {}",
                    paint.dim("○"),
                    paint.bold("not committed yet")
                ))?;
                print_changes(changes, num_w, paint, out)?;
            }
            Entry::Attempt(a) => print_attempt(a, num_w, paint, out)?,
        }
    }
    Ok(())
}

/// One attempt of the timeline: what became of it, who, the prompt, why, and its lines.
fn print_attempt(a: &Attempt, num_w: usize, paint: Paint, out: &mut impl Write) -> Result<()> {
    let (mark, label) = match a.kind {
        AttemptKind::Rejected => (paint.red("✗"), paint.red("rejected")),
        AttemptKind::Superseded => (paint.dim("~"), paint.dim("superseded")),
    };
    let who = attr_label(
        &Attr {
            kind: Kind::Ai,
            agent: Some(a.agent.clone()).filter(|s| !s.is_empty()),
            model: a.model.clone(),
            session: Some(a.session.clone()),
            prompt: None,
        },
        paint,
    );
    let when = a.time.map(timefmt::local).unwrap_or_else(|| "-".into());
    w(writeln!(out, "{mark} {label}  {when}  {who}"))?;
    if let Some(p) = &a.prompt {
        w(writeln!(out, "  prompt: \"{}\"", excerpt(p, 100)))?;
    }
    match (a.kind, &a.reason) {
        (AttemptKind::Rejected, Some(r)) => w(writeln!(
            out,
            "  {} \"{}\"",
            paint.red("why:"),
            excerpt(r, 160)
        ))?,
        (AttemptKind::Rejected, None) => w(writeln!(
            out,
            "  {}",
            paint.dim("declined without a reason")
        ))?,
        (AttemptKind::Superseded, _) => w(writeln!(
            out,
            "  {}",
            paint.dim("applied, then replaced before it was committed")
        ))?,
    }
    for c in &a.changes {
        w(writeln!(out, "{}", change_line(c, num_w, paint)))?;
    }
    if a.more > 0 {
        w(writeln!(
            out,
            "    {:>num_w$}   {}",
            "",
            paint.dim(&format!("… {} more lines", a.more))
        ))?;
    }
    Ok(())
}

/// Who made the change (and from which prompt), then the removed and added lines; the header
/// repeats whenever the author of the added lines changes.
fn print_changes(
    changes: &[Change],
    num_w: usize,
    paint: Paint,
    out: &mut impl Write,
) -> Result<()> {
    let mut last: Option<&Attr> = None;
    let header = |a: &'_ Attr, last: Option<&Attr>, out: &mut dyn Write| -> Result<()> {
        w(writeln!(out, "  {}", attr_label(a, paint)))?;
        if let Some(p) = &a.prompt
            && last.and_then(|l| l.prompt.as_ref()) != Some(p)
        {
            w(writeln!(out, "  prompt: \"{}\"", excerpt(p, 100)))?;
        }
        Ok(())
    };
    let first = changes
        .iter()
        .find(|c| c.added)
        .and_then(|c| c.attr.as_ref());
    if let Some(a) = first {
        header(a, None, out)?;
        last = Some(a);
    }
    for c in changes.iter().filter(|c| !c.added) {
        w(writeln!(out, "{}", change_line(c, num_w, paint)))?;
    }
    for c in changes.iter().filter(|c| c.added) {
        if let Some(a) = &c.attr
            && last != Some(a)
        {
            header(a, last, out)?;
            last = Some(a);
        }
        w(writeln!(out, "{}", change_line(c, num_w, paint)))?;
    }
    Ok(())
}

fn change_json(c: &Change) -> Value {
    let mut v = json!({
        "change": if c.added { "added" } else { "removed" },
        "line": c.line,
        "text": c.text,
    });
    if let (Some(a), Value::Object(m)) = (&c.attr, &mut v) {
        m.insert("who".into(), json!(a.kind.as_str()));
        m.insert("agent".into(), json!(a.agent));
        m.insert("model".into(), json!(a.model));
        m.insert("session".into(), json!(a.session));
        m.insert("prompt".into(), json!(a.prompt));
    }
    v
}

/// The timeline as JSON: `{file, rev, lines, history: [...]}` (see docs/blame.md).
pub fn print_timeline_json(t: &Timeline, out: &mut impl Write) -> Result<()> {
    let history: Vec<Value> = t
        .entries
        .iter()
        .map(|e| match e {
            Entry::Commit {
                commit,
                time,
                author,
                subject,
                path,
                changes,
            } => json!({
                "kind": "commit", "commit": commit, "time": timefmt::rfc3339(Some(*time)),
                "author": author, "subject": subject, "path": path,
                "changes": changes.iter().map(change_json).collect::<Vec<_>>(),
            }),
            Entry::Uncommitted { changes } => json!({
                "kind": "uncommitted",
                "changes": changes.iter().map(change_json).collect::<Vec<_>>(),
            }),
            Entry::Attempt(a) => json!({
                "kind": a.kind.as_str(), "time": timefmt::rfc3339(a.time),
                "agent": a.agent, "model": a.model, "session": a.session,
                "prompt": a.prompt, "reason": a.reason, "path": a.path, "tool": a.tool,
                "changes": a.changes.iter().map(change_json).collect::<Vec<_>>(),
                "more": a.more,
            }),
        })
        .collect();
    let doc = json!({
        "file": t.file,
        "rev": t.rev,
        "lines": t.lines.iter().map(render::line_json).collect::<Vec<_>>(),
        "history": history,
    });
    w(serde_json::to_writer_pretty(&mut *out, &doc).map_err(std::io::Error::other))?;
    w(writeln!(out))
}
