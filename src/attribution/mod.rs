//! Attribution: which agent edit (or which human) wrote each line a commit added.
//!
//! Evidence only, never style: an added line is **ai** when an applied, not-yet-bound agent
//! edit made before the commit wrote exactly that line (then: equal after whitespace
//! normalisation); when several did, the latest wins. It is **modified** when no edit wrote it
//! but an edit to the same file wrote a line it closely resembles (see [`MODIFIED_RATIO`]):
//! the agent wrote it and a human changed it before committing. Everything else is **human**.
//!
//! Edits already bound to an earlier commit are not evidence again — except when that commit
//! is not an ancestor of this one: then this commit carries lines from another line of
//! history (cherry-pick, squash merge, a rewritten branch) and the edit is the evidence.

pub mod bind;
pub mod diff;

use crate::error::Result;
use crate::model::{Edit, EditOp, Event, EventKind, Millis};
use crate::redact::Redactor;
use crate::store::Store;
use crate::util::git::Repo;
use diff::{CommitDiff, FileDiff};
use similar::{ChangeTag, TextDiff};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Character similarity (similar's ratio, 0..1) at or above which an unmatched added line
/// counts as an agent line a human modified.
pub const MODIFIED_RATIO: f32 = 0.6;
/// Lines shorter than this (after trimming) are never "modified": `}` resembles every `}`.
pub const MODIFIED_MIN_CHARS: usize = 8;
/// Beyond this many (unmatched line × candidate line) comparisons in one file, skip the
/// modified check for that file: exact evidence still applies.
const MODIFIED_MAX_PAIRS: usize = 200_000;
/// Files with more added lines than this are skipped as generated.
pub const MAX_ADDED_LINES: usize = 20_000;

/// Who wrote a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    Ai,
    Modified,
    Human,
}

/// One added line and its author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineAttr {
    pub line: u32,
    pub text: String,
    pub who: Who,
    /// For ai/modified: the session and the edit event.
    pub session: Option<String>,
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

/// What a session contributed to the commit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionAttr {
    pub id: String,
    pub agent: String,
    pub model: Option<String>,
    pub started: Option<Millis>,
    pub ended: Option<Millis>,
    /// Edit tool calls whose text landed in the commit.
    pub accepted: u32,
    /// Edit tool calls on the commit's files the user declined.
    pub rejected: u32,
    /// Applied edit tool calls on the commit's files none of whose lines landed.
    pub superseded: u32,
    /// Prompts behind the attributed lines.
    pub prompts: BTreeSet<String>,
    /// Decisions that stand: completed plan items, the user's instructions behind the lines.
    pub decisions: BTreeSet<String>,
    /// Approaches tried and rejected: declined edits/commands with the user's reason.
    pub rejected_approaches: BTreeSet<String>,
}

/// The attribution of one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    pub commit: String,
    pub subject: String,
    pub files: Vec<FileAttr>,
    pub sessions: BTreeMap<String, SessionAttr>,
    /// Edit event ids to mark bound to this commit.
    pub bind: Vec<String>,
}

impl Attribution {
    /// Line counts (ai, modified, human).
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for l in self.files.iter().flat_map(|f| &f.lines) {
            match l.who {
                Who::Ai => c.0 += 1,
                Who::Modified => c.1 += 1,
                Who::Human => c.2 += 1,
            }
        }
        c
    }
}

/// One candidate edit with the lines it wrote.
struct Candidate {
    event: Event,
    edit: Edit,
    written: Vec<String>,
    rejected: bool,
    /// Bound to another commit: evidence only for lines nothing else explains, and only when
    /// that commit is not an ancestor of this one (checked lazily, see [`attribute_file`]).
    fallback: bool,
    bound_to: Option<String>,
}

/// Attribute the lines `commit` added.
pub fn attribute(
    repo: &Repo,
    store: &Store,
    redactor: &Redactor,
    diff: &CommitDiff,
) -> Result<Attribution> {
    let until = diff.time * 1000 + 999;
    let mut ancestry: HashMap<String, bool> = HashMap::new();
    let mut rejected_by_session: HashMap<String, HashSet<String>> = HashMap::new();
    let mut result = Attribution {
        commit: diff.commit.clone(),
        subject: diff.subject.clone(),
        files: Vec::new(),
        sessions: BTreeMap::new(),
        bind: Vec::new(),
    };
    let mut used_calls: HashMap<String, HashSet<String>> = HashMap::new();
    let mut seen_calls: HashMap<String, (HashSet<String>, HashSet<String>)> = HashMap::new();
    for file in &diff.files {
        if let Some(reason) = skip_reason(file) {
            result.files.push(FileAttr {
                path: file.path.clone(),
                lines: Vec::new(),
                skipped: Some(reason),
            });
            continue;
        }
        let mut events = store.edits(Some(&file.path), Some(until))?;
        if let Some(old) = &file.old_path {
            events.extend(store.edits(Some(old), Some(until))?);
            events.sort_by_key(|e| (e.at, e.ord));
        }
        let mut candidates = Vec::new();
        for event in events {
            let EventKind::Edit(edit) = event.kind.clone() else {
                continue;
            };
            let bound_to = store.bound_commit(&event.id)?.filter(|c| *c != diff.commit);
            let fallback = bound_to.is_some();
            let rejected = match &edit.call_id {
                Some(call) => {
                    if !rejected_by_session.contains_key(&event.session_id) {
                        let set = store.rejected_calls(&event.session_id)?;
                        rejected_by_session
                            .insert(event.session_id.clone(), set.into_iter().collect());
                    }
                    rejected_by_session[&event.session_id].contains(call)
                }
                None => false,
            };
            let written = written_lines(&edit);
            candidates.push(Candidate {
                event,
                edit,
                written,
                rejected,
                fallback,
                bound_to,
            });
        }
        // An edit bound to an ancestor already landed there: it is not evidence again. Asked
        // only for lines that need fallback evidence, because each answer walks history.
        let mut usable = |c: &Candidate| match &c.bound_to {
            None => true,
            Some(b) => !*ancestry
                .entry(b.clone())
                .or_insert_with(|| is_ancestor(repo, b, &diff.commit)),
        };
        let lines = attribute_file(file, &candidates, redactor, &mut usable);
        for c in &candidates {
            if c.fallback {
                continue;
            }
            let call = call_key(c);
            let seen = seen_calls.entry(c.event.session_id.clone()).or_default();
            if c.rejected {
                seen.1.insert(call);
            } else {
                seen.0.insert(call);
            }
        }
        for l in &lines {
            if let (Some(edit), Some(session)) = (&l.edit, &l.session)
                && let Some(c) = candidates.iter().find(|c| &c.event.id == edit)
            {
                used_calls
                    .entry(session.clone())
                    .or_default()
                    .insert(call_key(c));
            }
        }
        // Every non-fallback candidate on this file is settled by this commit.
        result.bind.extend(
            candidates
                .iter()
                .filter(|c| !c.fallback)
                .map(|c| c.event.id.clone()),
        );
        result.files.push(FileAttr {
            path: file.path.clone(),
            lines,
            skipped: None,
        });
    }
    // Sessions: every session with a line in the commit, or an edit on its files. Their
    // events are read once, for the prompts behind the lines and for the summaries.
    let mut ids: BTreeSet<String> = seen_calls.keys().cloned().collect();
    ids.extend(used_calls.keys().cloned());
    let mut events_of: HashMap<String, Vec<Event>> = HashMap::new();
    for id in &ids {
        events_of.insert(id.clone(), store.events_of_kinds(id, SUMMARY_KINDS)?);
    }
    fill_prompts(&events_of, &mut result);
    for id in ids {
        let Some(session) = store.session(&id)? else {
            continue;
        };
        let used = used_calls.get(&id).cloned().unwrap_or_default();
        let (applied, rejected) = seen_calls.get(&id).cloned().unwrap_or_default();
        let events = events_of.get(&id).map_or(&[][..], Vec::as_slice);
        let mut attr = SessionAttr {
            id: id.clone(),
            agent: session.agent.as_str().to_string(),
            model: session.info.model.clone(),
            started: session.info.started,
            ended: session.info.ended,
            accepted: used.len() as u32,
            rejected: rejected.len() as u32,
            superseded: applied.difference(&used).count() as u32,
            ..Default::default()
        };
        summarise_session(events, until, &mut attr);
        for f in &result.files {
            for l in &f.lines {
                if l.session.as_deref() == Some(id.as_str())
                    && let Some(p) = &l.prompt
                {
                    attr.prompts.insert(p.clone());
                }
            }
        }
        result.sessions.insert(id, attr);
    }
    result
        .sessions
        .retain(|_, s| s.accepted + s.rejected + s.superseded > 0);
    result.bind.sort();
    result.bind.dedup();
    Ok(result)
}

/// The event kinds attribution reads back from a session (not replies, reasoning, outcomes or
/// usage, which dominate long sessions and would cost the hook its budget).
const SUMMARY_KINDS: &[&str] = &["prompt", "edit", "command", "rejection", "plan"];

/// Decisions and rejected approaches of a session up to `until`.
fn summarise_session(events: &[Event], until: Millis, attr: &mut SessionAttr) {
    let mut calls: HashMap<&str, String> = HashMap::new();
    let mut last_plan = None;
    for e in events.iter().filter(|e| e.at.is_none_or(|t| t <= until)) {
        match &e.kind {
            EventKind::Edit(ed) => {
                if let Some(c) = &ed.call_id {
                    calls.insert(c, format!("{} of {}", ed.tool, file_name(&ed.path)));
                }
            }
            EventKind::Command {
                call_id: Some(c),
                command,
            } => {
                calls.insert(c, format!("command `{}`", crate::ui::excerpt(command, 60)));
            }
            EventKind::Rejection { call_id, reason } => {
                let what = call_id
                    .as_deref()
                    .and_then(|c| calls.get(c).cloned())
                    .unwrap_or_else(|| "a tool use".into());
                let text = match reason {
                    Some(r) => format!("declined {what}: {}", crate::ui::excerpt(r, 160)),
                    None => format!("declined {what}"),
                };
                attr.rejected_approaches.insert(text);
            }
            EventKind::Plan { items, .. } if !items.is_empty() => last_plan = Some(items),
            _ => {}
        }
    }
    if let Some(items) = last_plan {
        for i in items.iter().filter(|i| i.status == "completed") {
            attr.decisions
                .insert(format!("done: {}", crate::ui::excerpt(&i.text, 160)));
        }
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Identify a tool call (edits of one MultiEdit / apply_patch share it).
fn call_key(c: &Candidate) -> String {
    c.edit.call_id.clone().unwrap_or_else(|| c.event.id.clone())
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

fn push_once(v: &mut Vec<usize>, i: usize) {
    if v.last() != Some(&i) {
        v.push(i);
    }
}

/// Whitespace-normalised form of a line: trimmed, inner runs of whitespace folded to one space.
pub fn normalise(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn attribute_file(
    file: &FileDiff,
    candidates: &[Candidate],
    redactor: &Redactor,
    usable: &mut dyn FnMut(&Candidate) -> bool,
) -> Vec<LineAttr> {
    // Every edit that wrote a text, oldest first: exact text, then whitespace-normalised;
    // fallback evidence is consulted only when primary evidence has nothing.
    let mut exact: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut loose: HashMap<String, Vec<usize>> = HashMap::new();
    let mut fb_exact: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut fb_loose: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, c) in candidates.iter().enumerate() {
        if c.rejected {
            continue;
        }
        let (e, l) = if c.fallback {
            (&mut fb_exact, &mut fb_loose)
        } else {
            (&mut exact, &mut loose)
        };
        for w in &c.written {
            let trimmed = w.trim_end();
            if trimmed.trim().is_empty() {
                continue;
            }
            push_once(e.entry(trimmed).or_default(), i);
            push_once(l.entry(normalise(trimmed)).or_default(), i);
        }
    }
    if candidates.iter().all(|c| c.rejected) {
        // No evidence for this file: every added line is human, nothing to compare.
        return file
            .added
            .iter()
            .map(|(n, text)| make_line(*n, text, None))
            .collect();
    }
    let mut out: Vec<LineAttr> = Vec::with_capacity(file.added.len());
    let mut options: Vec<Vec<usize>> = Vec::with_capacity(file.added.len());
    let mut unmatched = Vec::new();
    for (n, text) in &file.added {
        let red = redactor.redact(text);
        let key: Cow<str> = Cow::Borrowed(red.trim_end());
        let found: Vec<usize> = if key.trim().is_empty() {
            Vec::new()
        } else {
            let norm = normalise(&key);
            let primary = exact
                .get(key.as_ref())
                .or_else(|| loose.get(&norm))
                .cloned();
            primary.unwrap_or_else(|| {
                [fb_exact.get(key.as_ref()), fb_loose.get(&norm)]
                    .into_iter()
                    .flatten()
                    .map(|list| {
                        list.iter()
                            .copied()
                            .filter(|&i| usable(&candidates[i]))
                            .collect::<Vec<_>>()
                    })
                    .find(|list| !list.is_empty())
                    .unwrap_or_default()
            })
        };
        if found.is_empty() && key.trim().chars().count() >= MODIFIED_MIN_CHARS {
            unmatched.push(out.len());
        }
        // The latest edit that wrote the text wins, unless a neighbour settles it below.
        let hit = found.last().map(|&i| (Who::Ai, &candidates[i]));
        out.push(make_line(*n, text, hit));
        options.push(found);
    }
    // Lines several edits wrote (`}`, `return x`) go with the adjacent line's edit when that
    // edit wrote them too: the block an edit wrote stays whole. The line before decides first;
    // the line after only for lines the one before did not settle.
    let mut settled = vec![false; out.len()];
    for pass in [true, false] {
        let order: Vec<usize> = if pass {
            (0..out.len()).collect()
        } else {
            (0..out.len()).rev().collect()
        };
        for i in order {
            if options[i].len() < 2 || settled[i] {
                continue;
            }
            let neighbour = if pass { i.checked_sub(1) } else { Some(i + 1) };
            let Some(j) = neighbour.filter(|&j| j < out.len()) else {
                continue;
            };
            if out[j].line.abs_diff(out[i].line) != 1 {
                continue;
            }
            let Some(edit) = out[j].edit.clone() else {
                continue;
            };
            if let Some(&ci) = options[i]
                .iter()
                .find(|&&ci| candidates[ci].event.id == edit)
            {
                let (line, text) = (out[i].line, out[i].text.clone());
                out[i] = make_line(line, &text, Some((Who::Ai, &candidates[ci])));
                settled[i] = true;
            }
        }
    }
    // Modified: an unmatched line close to a line some applied edit wrote that did not land
    // as written — the human changed the agent's line before committing. A written line that
    // landed unchanged elsewhere is not what a human line was edited from, and edits bound to
    // other commits only ever vouch for exact copies (cherry-picks, squashes).
    let landed: HashSet<String> = file
        .added
        .iter()
        .map(|(_, t)| normalise(&redactor.redact(t)))
        .collect();
    let pool: Vec<(usize, &str)> = candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.rejected && !c.fallback)
        .flat_map(|(i, c)| c.written.iter().map(move |w| (i, w.trim())))
        .filter(|(_, w)| w.chars().count() >= MODIFIED_MIN_CHARS && !landed.contains(&normalise(w)))
        .collect();
    if unmatched.len() * pool.len() <= MODIFIED_MAX_PAIRS {
        for idx in unmatched {
            let text = redactor.redact(&out[idx].text).trim().to_string();
            let mut best: Option<(f32, usize)> = None;
            for (ci, w) in &pool {
                let ratio = TextDiff::from_chars(text.as_str(), *w).ratio();
                // `>=` keeps the later candidate on ties: the latest edit wins.
                if ratio >= MODIFIED_RATIO && best.is_none_or(|(b, _)| ratio >= b) {
                    best = Some((ratio, *ci));
                }
            }
            if let Some((_, ci)) = best {
                let line = out[idx].line;
                let text = out[idx].text.clone();
                out[idx] = make_line(line, &text, Some((Who::Modified, &candidates[ci])));
            }
        }
    }
    // Blank lines inside an agent-written block belong to that block.
    for i in 0..out.len() {
        if out[i].who == Who::Human && out[i].text.trim().is_empty() {
            let prev = i.checked_sub(1).map(|p| &out[p]);
            let next = out.get(i + 1);
            let src = [prev, next].into_iter().flatten().find(|l| {
                l.who != Who::Human && l.line.abs_diff(out[i].line) == 1 && l.edit.is_some()
            });
            if let Some(src) = src.cloned() {
                out[i].who = src.who;
                out[i].session = src.session;
                out[i].edit = src.edit;
                out[i].prompt = src.prompt;
            }
        }
    }
    out
}

fn make_line(line: u32, text: &str, hit: Option<(Who, &Candidate)>) -> LineAttr {
    match hit {
        Some((who, c)) => LineAttr {
            line,
            text: text.to_string(),
            who,
            session: Some(c.event.session_id.clone()),
            edit: Some(c.event.id.clone()),
            prompt: None,
        },
        None => LineAttr {
            line,
            text: text.to_string(),
            who: Who::Human,
            session: None,
            edit: None,
            prompt: None,
        },
    }
}

/// Fill in the prompt behind each attributed line: the session's latest prompt before the edit.
fn fill_prompts(events_of: &HashMap<String, Vec<Event>>, attr: &mut Attribution) {
    let mut edit_pos: HashMap<&str, (Option<Millis>, i64)> = HashMap::new();
    for e in events_of.values().flatten() {
        if matches!(e.kind, EventKind::Edit(_)) {
            edit_pos.insert(&e.id, (e.at, e.ord));
        }
    }
    for f in &mut attr.files {
        for l in &mut f.lines {
            let (Some(s), Some(e)) = (&l.session, &l.edit) else {
                continue;
            };
            let Some(pos) = edit_pos.get(e.as_str()) else {
                continue;
            };
            l.prompt = events_of.get(s).and_then(|evs| {
                evs.iter()
                    .rev()
                    .filter(|ev| (ev.at, ev.ord) <= *pos)
                    .find_map(|ev| match &ev.kind {
                        EventKind::Prompt { text } => Some(crate::ui::excerpt(text, 200)),
                        _ => None,
                    })
            });
        }
    }
}

/// Whether `a` is an ancestor of `b` (false when either is unknown). In-process through gix;
/// git itself when gix cannot walk the history (e.g. a shallow clone).
fn is_ancestor(repo: &Repo, a: &str, b: &str) -> bool {
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
