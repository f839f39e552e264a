//! Per-commit attribution notes on `refs/notes/drift`: which lines of a commit an AI agent
//! wrote (and in which session, with which model, from which prompt) and which a human wrote.
//!
//! Attribution builds a [`Note`] in memory; this module owns that model, its line-oriented
//! text format `drift-note/1` (see `docs/note-format.md` and [`Note::render`] /
//! [`Note::parse`]), merging notes ([`Note::merge`], a union keyed by session id that nothing
//! is lost in), and reading/writing notes through gix ([`read`], [`write`], [`merge_ref`], …).
//!
//! The format is designed so that a teammate using plain git (`git notes merge -s
//! cat_sort_uniq`) still produces a note that parses to the same union this module computes:
//! every record is one self-contained line, lines are sorted bytewise, and readers combine
//! records that talk about the same session or the same lines.

mod format;
mod merge;
mod refs;

#[cfg(test)]
mod tests_format;
#[cfg(test)]
mod tests_git;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

pub use format::{DEFAULT_MAX_BYTES, FORMAT_VERSION};
pub use refs::{
    MergeKind, MergeOutcome, NOTES_REF, WriteOutcome, list, merge_ref, read, read_union, remove,
    remove_at, replace_at, tracking_refs, write, write_at,
};

/// Milliseconds since the Unix epoch (UTC).
pub type Millis = i64;

/// The attribution note of one commit.
///
/// Invariants the text format relies on are restored by [`Note::normalize`] (called by
/// [`Note::render`] on a copy), so hand-built notes may hold overlapping or unsorted ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Path (in the commit's tree, `/`-separated) → attributed line ranges, sorted by start.
    pub files: BTreeMap<String, Vec<LineRange>>,
    /// Session id → what the note knows about that session.
    pub sessions: BTreeMap<String, SessionRecord>,
    /// Record lines this version does not understand, kept verbatim so a newer writer's data
    /// survives a round trip through an older reader.
    pub extra: BTreeSet<String>,
    /// What [`Note::render_bounded`] dropped to keep the note under its size bound.
    pub summarised: BTreeSet<Summarised>,
}

/// A run of consecutive lines of one file with the same attribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineRange {
    /// First line, 1-based, in the commit's version of the file.
    pub start: u32,
    /// Last line, inclusive.
    pub end: u32,
    pub who: Who,
    /// Key (see [`prompt_key`]) of the session prompt that led to these lines, if known.
    pub prompt: Option<String>,
    /// One [`line_hash`] per line (`end - start + 1` of them), or empty when dropped; used to
    /// re-anchor ranges after a rebase or amend moved the lines.
    pub hashes: Vec<String>,
}

/// Who wrote a line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "session")]
pub enum Who {
    /// Written by the agent in this session, unchanged since.
    Ai(String),
    /// Written by the agent in this session, then changed by a human.
    Modified(String),
    /// No evidence that an agent wrote it.
    Human,
}

impl Who {
    /// The session id for agent-written lines.
    pub fn session(&self) -> Option<&str> {
        match self {
            Who::Ai(s) | Who::Modified(s) => Some(s),
            Who::Human => None,
        }
    }

    /// The keyword used in the text format: `ai`, `modified` or `human`.
    pub fn keyword(&self) -> &'static str {
        match self {
            Who::Ai(_) => "ai",
            Who::Modified(_) => "modified",
            Who::Human => "human",
        }
    }
}

/// What a note knows about one agent session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// The agent's session id (same as the key in [`Note::sessions`]).
    pub id: String,
    /// Agent name as in [`crate::model::Agent::as_str`] (`claude-code`, `codex`, …); a string so
    /// notes written by newer versions with more agents still parse.
    pub agent: String,
    pub model: Option<String>,
    pub started: Option<Millis>,
    pub ended: Option<Millis>,
    /// Agent edits in this session that were applied, rejected by the user, or overwritten
    /// by a later edit.
    pub accepted: u32,
    pub rejected: u32,
    pub superseded: u32,
    /// Prompt key ([`prompt_key`]) → prompt text.
    pub prompts: BTreeMap<String, String>,
    pub decisions: BTreeSet<String>,
    pub rejected_approaches: BTreeSet<String>,
}

impl SessionRecord {
    /// A record with only an id.
    pub fn new(id: impl Into<String>) -> Self {
        SessionRecord {
            id: id.into(),
            ..Default::default()
        }
    }

    /// Combine with another record of the same session. The rule is a join (commutative,
    /// associative, idempotent): counts take the maximum, start the minimum, end the maximum,
    /// text sets the union; conflicting single values resolve to a fixed choice (a known value
    /// beats none, then the bytewise smaller one).
    pub fn absorb(&mut self, other: SessionRecord) {
        if self.agent.is_empty() || (!other.agent.is_empty() && other.agent < self.agent) {
            self.agent = other.agent;
        }
        self.model = min_some(self.model.take(), other.model);
        self.started = min_some(self.started, other.started);
        self.ended = self.ended.max(other.ended);
        self.accepted = self.accepted.max(other.accepted);
        self.rejected = self.rejected.max(other.rejected);
        self.superseded = self.superseded.max(other.superseded);
        for (key, text) in other.prompts {
            match self.prompts.get_mut(&key) {
                Some(existing) if *existing <= text => {}
                Some(existing) => *existing = text,
                None => {
                    self.prompts.insert(key, text);
                }
            }
        }
        self.decisions.extend(other.decisions);
        self.rejected_approaches.extend(other.rejected_approaches);
    }

    fn strip_text(&mut self) {
        self.prompts.clear();
        self.decisions.clear();
        self.rejected_approaches.clear();
    }

    fn has_text(&self) -> bool {
        !self.prompts.is_empty()
            || !self.decisions.is_empty()
            || !self.rejected_approaches.is_empty()
    }
}

fn min_some<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// A part of a note that [`Note::render_bounded`] left out to stay under the size bound.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "dropped", content = "path")]
pub enum Summarised {
    /// Prompt texts, decisions and rejected approaches of every session.
    Text,
    /// The per-line hashes of this file.
    Hashes(String),
    /// Record lines this version did not understand.
    Extra,
    /// Every range of this file.
    File(String),
}

/// Line counts by kind of author.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineCounts {
    pub ai: u64,
    pub modified: u64,
    pub human: u64,
}

impl LineCounts {
    /// All attributed lines.
    pub fn total(&self) -> u64 {
        self.ai + self.modified + self.human
    }

    fn add(&mut self, who: &Who, lines: u64) {
        match who {
            Who::Ai(_) => self.ai += lines,
            Who::Modified(_) => self.modified += lines,
            Who::Human => self.human += lines,
        }
    }
}

/// Line counts of a note, for `git drift log` / `stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinesBy {
    /// Every attributed line of the commit.
    pub total: LineCounts,
    /// Per session id: its `ai` and `modified` lines (`human` stays 0).
    pub session: BTreeMap<String, LineCounts>,
    /// Per file.
    pub file: BTreeMap<String, LineCounts>,
}

/// The attribution of one line, as blame wants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineInfo<'a> {
    pub who: &'a Who,
    /// The prompt's key, when the note records which prompt led to the line.
    pub prompt_key: Option<&'a str>,
    /// The prompt's text, when the note still carries it (privacy and size limits drop it).
    pub prompt: Option<&'a str>,
    /// The session record of `who`'s session, when present.
    pub session: Option<&'a SessionRecord>,
    /// The line's content hash, when present.
    pub hash: Option<&'a str>,
}

/// Short content hash of a source line (8 hex digits of SHA-256), ignoring trailing whitespace
/// and a trailing CR, so ranges can be re-anchored after the lines moved.
pub fn line_hash(line: &str) -> String {
    short_hash(line.trim_end().as_bytes())
}

/// Key of a prompt text inside a session (8 hex digits of SHA-256 of the exact text).
pub fn prompt_key(text: &str) -> String {
    short_hash(text.as_bytes())
}

fn short_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    crate::model::hex(&digest[..4])
}

impl Note {
    /// A note holding `lines` as lines `1..=lines.len()` of `path`; each item is who wrote the
    /// line, the key of the prompt behind it, and the line's text (for its hash). Adjacent
    /// lines with the same author and prompt coalesce into one range.
    pub fn from_lines(path: &str, lines: &[(Who, Option<&str>, &str)]) -> Note {
        let mut note = Note::default();
        note.set_lines(path, 1, lines);
        note
    }

    /// Attribute lines `first..first + lines.len()` of `path`, replacing whatever the note said
    /// about those lines and keeping the rest. Lines beyond `u32::MAX` are ignored.
    pub fn set_lines(&mut self, path: &str, first: u32, lines: &[(Who, Option<&str>, &str)]) {
        if lines.is_empty() || first == 0 {
            return;
        }
        let mut new = Vec::new();
        for (offset, (who, prompt, text)) in lines.iter().enumerate() {
            let Some(line) = u32::try_from(offset)
                .ok()
                .and_then(|o| first.checked_add(o))
            else {
                break;
            };
            new.push(LineRange {
                start: line,
                end: line,
                who: who.clone(),
                prompt: prompt.map(str::to_string),
                hashes: vec![line_hash(text)],
            });
        }
        let Some(last) = new.last().map(|r| r.end) else {
            return;
        };
        let existing = self.files.remove(path).unwrap_or_default();
        let mut ranges = merge::cut(existing, first, last);
        ranges.extend(new);
        let resolved = merge::resolve(ranges, &self.sessions);
        self.files.insert(path.to_string(), resolved);
    }

    /// Add (or combine into) a session record.
    pub fn add_session(&mut self, record: SessionRecord) {
        let id = record.id.clone();
        self.sessions
            .entry(id.clone())
            .or_insert_with(|| SessionRecord::new(id))
            .absorb(record);
    }

    /// True when the note says nothing at all.
    pub fn is_empty(&self) -> bool {
        self.files.values().all(Vec::is_empty)
            && self.sessions.is_empty()
            && self.extra.is_empty()
            && self.summarised.is_empty()
    }

    /// Who wrote line `line` (1-based) of `path`, with the prompt and session behind it.
    pub fn who_at(&self, path: &str, line: u32) -> Option<LineInfo<'_>> {
        let ranges = self.files.get(path)?;
        // Normalised notes are sorted and disjoint: binary search; a hand-built note may not
        // be, so fall back to a scan before saying "unknown".
        let idx = ranges.partition_point(|r| r.end < line);
        let range = ranges
            .get(idx)
            .filter(|r| r.start <= line && line <= r.end)
            .or_else(|| ranges.iter().find(|r| r.start <= line && line <= r.end))?;
        let session = range.who.session().and_then(|s| self.sessions.get(s));
        let prompt_key = range.prompt.as_deref();
        let prompt = prompt_key
            .and_then(|k| session.and_then(|s| s.prompts.get(k)))
            .map(String::as_str);
        let hash = range
            .hashes
            .get((line - range.start) as usize)
            .filter(|_| range.hashes.len() as u64 == merge::len(range))
            .map(String::as_str);
        Some(LineInfo {
            who: &range.who,
            prompt_key,
            prompt,
            session,
            hash,
        })
    }

    /// Line counts in total, per session and per file.
    pub fn lines_by(&self) -> LinesBy {
        let mut out = LinesBy::default();
        for (path, ranges) in &self.files {
            let mut file = LineCounts::default();
            for r in ranges {
                if r.start == 0 || r.start > r.end {
                    continue;
                }
                let n = merge::len(r);
                file.add(&r.who, n);
                if let Some(s) = r.who.session() {
                    out.session.entry(s.to_string()).or_default().add(&r.who, n);
                }
            }
            out.total.ai += file.ai;
            out.total.modified += file.modified;
            out.total.human += file.human;
            out.file.insert(path.clone(), file);
        }
        out
    }

    /// Remove every free text (prompt texts, decisions, rejected approaches) and the
    /// unrecognised records (which may carry text a newer version wrote), for privacy mode
    /// `attribution`. Prompt keys on ranges stay: they only group lines by prompt.
    pub fn strip_text(&mut self) {
        for s in self.sessions.values_mut() {
            s.strip_text();
        }
        self.extra.clear();
    }

    /// Merge `other` into `self`: sessions by id (see [`SessionRecord::absorb`]), unknown
    /// records and summary markers as sets, and per line the stronger claim (agent evidence
    /// beats human; between two sessions the one that ended later, then the smaller id).
    pub fn merge(&mut self, other: Note) {
        for (id, mut rec) in other.sessions {
            rec.id = id.clone();
            self.sessions
                .entry(id.clone())
                .or_insert_with(|| SessionRecord::new(id))
                .absorb(rec);
        }
        self.extra.extend(other.extra);
        self.summarised.extend(other.summarised);
        for (path, ranges) in other.files {
            self.files.entry(path).or_default().extend(ranges);
        }
        self.normalize();
    }

    /// Restore the invariants the format relies on: per file, ranges sorted, disjoint and
    /// coalesced, with either one hash per line or none; session ids equal to their keys;
    /// files without ranges removed; `extra` lines that could not be written removed.
    pub fn normalize(&mut self) {
        for (id, s) in self.sessions.iter_mut() {
            if s.id != *id {
                s.id = id.clone();
            }
        }
        let sessions = &self.sessions;
        for ranges in self.files.values_mut() {
            let taken = std::mem::take(ranges);
            *ranges = merge::resolve(taken, sessions);
        }
        self.files.retain(|_, r| !r.is_empty());
        self.extra.retain(|l| format::valid_extra(l));
    }
}
