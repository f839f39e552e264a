//! Binding: attribute a commit and record the result — the note on `refs/notes/drift` (what
//! enters git obeys the privacy setting) and the bound edits in the store.
//!
//! Also moves attribution across history rewrites (amend, rebase): the rewritten commit is
//! attributed afresh and the old note's lines are re-anchored onto it by content hash, so a
//! line keeps its attribution only where its content is unchanged.

use crate::attribution::diff::{self, CommitDiff};
use crate::attribution::{self, Attribution};
use crate::config::Privacy;
use crate::error::{Error, Result};
use crate::notes::{self, LineRange, Note, Who};
use crate::redact::Redactor;
use crate::store::Store;
use crate::util::git::{Repo, parse_oid};
use std::collections::HashMap;

/// What binding one commit did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Outcome {
    pub commit: String,
    pub subject: String,
    pub ai_lines: usize,
    pub modified_lines: usize,
    pub human_lines: usize,
    pub sessions: Vec<String>,
    /// Files not attributed, with the reason.
    pub skipped: Vec<(String, String)>,
    /// Whether the note on refs/notes/drift changed.
    pub note_written: bool,
}

/// Resolve a revision to a full commit id (a user error when it does not name a commit).
pub fn resolve(repo: &Repo, rev: &str) -> Result<String> {
    repo.git_opt(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{rev}^{{commit}}"),
    ])?
    .map(|s| s.trim().to_string())
    .ok_or_else(|| Error::user(format!("'{rev}' does not name a commit")))
}

/// Attribute `commit` and write its note (unless privacy is `off`).
pub fn bind(
    repo: &Repo,
    store: &mut Store,
    redactor: &Redactor,
    privacy: Privacy,
    commit: &str,
) -> Result<Outcome> {
    let diff = diff::commit_diff(repo, commit)?;
    let attr = attribution::attribute(repo, store, redactor, &diff)?;
    let note = to_note(&attr, privacy);
    record(repo, store, privacy, &attr, note, false)
}

/// Write the note and the bindings of an attribution.
fn record(
    repo: &Repo,
    store: &mut Store,
    privacy: Privacy,
    attr: &Attribution,
    note: Note,
    replace: bool,
) -> Result<Outcome> {
    let mut written = false;
    if privacy != Privacy::Off {
        let gix = repo.gix()?;
        let oid = parse_oid(&attr.commit)?;
        let outcome = if replace {
            notes::replace_at(&gix, notes::NOTES_REF, oid, &note)?
        } else {
            notes::write(&gix, oid, &note)?
        };
        written = !matches!(outcome, notes::WriteOutcome::Unchanged);
    }
    store.bind(&attr.commit, &attr.bind)?;
    let (ai, modified, human) = attr.counts();
    Ok(Outcome {
        commit: attr.commit.clone(),
        subject: attr.subject.clone(),
        ai_lines: ai,
        modified_lines: modified,
        human_lines: human,
        sessions: attr.sessions.keys().cloned().collect(),
        skipped: attr
            .files
            .iter()
            .filter_map(|f| f.skipped.clone().map(|r| (f.path.clone(), r)))
            .collect(),
        note_written: written,
    })
}

/// The note for an attribution, with what the privacy mode lets into git.
pub fn to_note(attr: &Attribution, privacy: Privacy) -> Note {
    let mut note = Note::default();
    for f in &attr.files {
        let mut ranges: Vec<LineRange> = Vec::new();
        for l in &f.lines {
            let who = l.who.clone();
            let prompt = match who {
                Who::Human => None,
                _ => l.prompt.as_deref().map(notes::prompt_key),
            };
            let hash = notes::line_hash(&l.text);
            push_line(&mut ranges, l.line, who, prompt, hash);
        }
        if !ranges.is_empty() {
            note.files.insert(f.path.clone(), ranges);
        }
    }
    note.sessions = attr.sessions.clone();
    // Store texts were redacted at capture; a note is published by `git push`, so what goes
    // into it passes the redactor once more (rows captured before a shape existed).
    let red = Redactor::default();
    for rec in note.sessions.values_mut() {
        for p in rec.prompts.values_mut() {
            *p = red.redact_string(std::mem::take(p));
        }
        rec.decisions = std::mem::take(&mut rec.decisions)
            .into_iter()
            .map(|d| red.redact_string(d))
            .collect();
        rec.rejected_approaches = std::mem::take(&mut rec.rejected_approaches)
            .into_iter()
            .map(|d| red.redact_string(d))
            .collect();
    }
    if privacy == Privacy::Attribution {
        note.strip_text();
    }
    note
}

/// Append line `n` to `ranges` (lines come in increasing order), extending the last range when
/// the line follows it with the same author and prompt.
pub(crate) fn push_line(
    ranges: &mut Vec<LineRange>,
    n: u32,
    who: Who,
    prompt: Option<String>,
    hash: String,
) {
    match ranges.last_mut() {
        Some(r) if r.end + 1 == n && r.who == who && r.prompt == prompt => {
            r.end = n;
            r.hashes.push(hash);
        }
        _ => ranges.push(LineRange {
            start: n,
            end: n,
            who,
            prompt,
            hashes: vec![hash],
        }),
    }
}

/// Move attribution from rewritten commits to their replacements (`post-rewrite`). `pairs`
/// are (old, new) commit ids; several olds may map to one new (squash, fixup).
pub fn rewrite(
    repo: &Repo,
    store: &mut Store,
    redactor: &Redactor,
    privacy: Privacy,
    pairs: &[(String, String)],
) -> Result<Vec<Outcome>> {
    let gix = repo.gix()?;
    let mut by_new: Vec<(String, Vec<String>)> = Vec::new();
    for (old, new) in pairs {
        match by_new.iter_mut().find(|(n, _)| n == new) {
            Some((_, olds)) => olds.push(old.clone()),
            None => by_new.push((new.clone(), vec![old.clone()])),
        }
    }
    let mut outcomes = Vec::new();
    for (new, olds) in by_new {
        let diff = diff::commit_diff(repo, &new)?;
        let mut old_notes = Vec::new();
        for old in &olds {
            if let Some(n) = notes::read_union(&gix, parse_oid(old)?)? {
                old_notes.push(n);
            }
            store.rebind(old, &new)?;
        }
        let attr = attribution::attribute(repo, store, redactor, &diff)?;
        let mut note = to_note(&attr, privacy);
        for old in old_notes {
            note.merge(reanchor(&old, &diff));
        }
        if privacy == Privacy::Attribution {
            note.strip_text();
        }
        outcomes.push(record(repo, store, privacy, &attr, note, true)?);
    }
    Ok(outcomes)
}

/// A line of an old note: its number, author and prompt key.
type OldLine<'a> = (u32, &'a Who, Option<&'a String>);

/// The old note's attribution carried onto the lines `diff` added whose content (hash) it
/// describes in the same file (or, for a renamed file, the old path). Lines whose content
/// changed get nothing from it; sessions come along only when one of their lines did.
pub fn reanchor(old: &Note, diff: &CommitDiff) -> Note {
    let mut out = Note::default();
    for file in &diff.files {
        let source = old
            .files
            .get(&file.path)
            .or_else(|| file.old_path.as_ref().and_then(|p| old.files.get(p)));
        let Some(ranges) = source else { continue };
        // hash -> candidate old lines, each usable once.
        let mut pool: HashMap<&str, Vec<OldLine<'_>>> = HashMap::new();
        for r in ranges {
            for (i, h) in r.hashes.iter().enumerate() {
                if r.who != Who::Human {
                    pool.entry(h.as_str()).or_default().push((
                        r.start + i as u32,
                        &r.who,
                        r.prompt.as_ref(),
                    ));
                }
            }
        }
        let mut new_ranges: Vec<LineRange> = Vec::new();
        for (n, text) in &file.added {
            let h = notes::line_hash(text);
            let Some(cands) = pool.get_mut(h.as_str()) else {
                continue;
            };
            let Some(best) = cands
                .iter()
                .enumerate()
                .min_by_key(|(_, (line, _, _))| line.abs_diff(*n))
                .map(|(i, _)| i)
            else {
                continue;
            };
            let (_, who, prompt) = cands.remove(best);
            let (who, prompt) = (who.clone(), prompt.cloned());
            push_line(&mut new_ranges, *n, who, prompt, h);
        }
        if !new_ranges.is_empty() {
            out.files.insert(file.path.clone(), new_ranges);
        }
    }
    let used: std::collections::BTreeSet<String> = out
        .files
        .values()
        .flatten()
        .filter_map(|r| r.who.session().map(String::from))
        .collect();
    for id in used {
        if let Some(rec) = old.sessions.get(&id) {
            out.sessions.insert(id, rec.clone());
        }
    }
    out
}
