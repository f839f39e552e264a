//! Replay: rebuild one file's micro-history between the parent's version and the committed
//! one by applying the agents' captured edits in time order *where they apply*, then trace
//! every committed line back through that chain.
//!
//! Each line of the replayed file carries its [`Origin`]: the parent's version (`Base`) or the
//! agent edit that introduced it. An edit that changes a line gives it a new origin; lines an
//! edit merely repeats (context in both `old_string` and `new_string`) keep theirs. The final
//! step from the replayed file to the committed one is the human's: a line equal to a replayed
//! line inherits its origin, a line the human put where an agent line was and that still
//! resembles it is `Modified`, everything else is `Human`.

use super::{MODIFIED_MIN_CHARS, MODIFIED_RATIO, normalise};
use crate::model::{Edit, EditOp};
use similar::{Algorithm, DiffOp, TextDiff, capture_diff_slices_deadline};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

/// Where a line of the replayed file came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The parent commit's version of the file.
    Base,
    /// Introduced by candidate edit `k` and unchanged since.
    Agent(usize),
}

/// The verdict for one line of the committed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The parent had it (git's blame answers for it).
    Base,
    /// Written by candidate `k`, unchanged.
    Ai(usize),
    /// Written by candidate `k`, then changed by a human.
    Modified(usize),
    /// No agent evidence.
    Human,
}

/// A diff never takes longer than this; past it, similar returns a coarser (still valid) diff.
const DIFF_BUDGET: Duration = Duration::from_millis(250);
/// Above this many (old × new) lines in one changed block, pair lines by position only.
const PAIRING_MAX: usize = 2_500;

/// The replayed file: its lines and where each came from.
pub struct Replay {
    lines: Vec<String>,
    origin: Vec<Origin>,
    /// Lines each candidate introduced (whether or not they survive).
    wrote: Vec<u32>,
    /// Where the next hunk of an apply_patch call starts looking (per call id).
    cursors: HashMap<String, usize>,
}

impl Replay {
    /// Start from the parent's lines; `candidates` is the number of candidate edits.
    pub fn new(base: Vec<String>, candidates: usize) -> Replay {
        let origin = vec![Origin::Base; base.len()];
        Replay {
            lines: base,
            origin,
            wrote: vec![0; candidates],
            cursors: HashMap::new(),
        }
    }

    /// Lines candidate `k` introduced during the replay.
    pub fn wrote(&self, k: usize) -> u32 {
        self.wrote[k]
    }

    /// Whether any line of candidate `k` is still in the replayed file.
    pub fn alive(&self) -> HashSet<usize> {
        self.origin
            .iter()
            .filter_map(|o| match o {
                Origin::Agent(k) => Some(*k),
                Origin::Base => None,
            })
            .collect()
    }

    /// Apply candidate `k`'s edit where it applies. False when it does not apply to the
    /// file as replayed so far: a human changed the region in between (or the edit was made
    /// to another version of the file), and the edit is left to position-free evidence.
    pub fn apply(&mut self, k: usize, edit: &Edit, call: &str) -> bool {
        let before = lf(&edit.before);
        let after = lf(&edit.after);
        match edit.op {
            EditOp::Add | EditOp::Write => {
                self.transition(split(&after), k);
                true
            }
            EditOp::Delete => {
                self.transition(Vec::new(), k);
                true
            }
            EditOp::Update if edit.tool == "apply_patch" => {
                self.apply_hunk(k, call, &before, &after)
            }
            EditOp::Update => {
                // A Claude Edit may only match once unless `replace_all` was set, so an
                // applied edit whose old text occurs several times replaced them all.
                let replace_all = matches!(edit.tool.as_str(), "Edit" | "MultiEdit");
                self.apply_replace(k, &before, &after, replace_all)
            }
        }
    }

    fn apply_replace(&mut self, k: usize, old: &str, new: &str, replace_all: bool) -> bool {
        if old.is_empty() {
            // Creating a file with an Edit (or a notebook cell): only onto an empty file.
            if self.lines.is_empty() {
                self.transition(split(new), k);
                return true;
            }
            return false;
        }
        let text = self.joined();
        let count = text.matches(old).take(2).count();
        if count == 0 {
            // Whitespace drift (a human re-indented, or line endings): match whole lines
            // ignoring surrounding whitespace.
            let old_lines = split(old);
            let Some(pos) = find_lines(&self.lines, &old_lines, 0, true) else {
                return false;
            };
            let mut next = self.lines[..pos].to_vec();
            next.extend(split(new));
            next.extend_from_slice(&self.lines[pos + old_lines.len()..]);
            self.transition(next, k);
            return true;
        }
        let replaced = if count > 1 && replace_all {
            text.replace(old, new)
        } else {
            text.replacen(old, new, 1)
        };
        self.transition(split(&replaced), k);
        true
    }

    /// An apply_patch hunk: its `before` lines (context and removals) are located like
    /// apply_patch does, from where the call's previous hunk ended, exactly first and then
    /// ignoring surrounding whitespace.
    fn apply_hunk(&mut self, k: usize, call: &str, before: &str, after: &str) -> bool {
        let old = split(before);
        let new = split(after);
        if old.is_empty() && new.is_empty() {
            return true;
        }
        let from = self.cursors.get(call).copied().unwrap_or(0);
        let pos = if old.is_empty() {
            Some(self.lines.len())
        } else {
            [(from, false), (0, false), (from, true), (0, true)]
                .into_iter()
                .find_map(|(start, loose)| find_lines(&self.lines, &old, start, loose))
        };
        let Some(pos) = pos else {
            return false;
        };
        let mut next = self.lines[..pos].to_vec();
        next.extend(new.iter().cloned());
        next.extend_from_slice(&self.lines[pos + old.len()..]);
        self.cursors.insert(call.to_string(), pos + new.len());
        self.transition(next, k);
        true
    }

    fn joined(&self) -> String {
        let mut s = String::with_capacity(self.lines.iter().map(|l| l.len() + 1).sum());
        for l in &self.lines {
            s.push_str(l);
            s.push('\n');
        }
        s
    }

    /// Move to the next version of the file: lines equal to the current ones (in diff
    /// alignment) keep their origin, the others were written by candidate `k`.
    fn transition(&mut self, next: Vec<String>, k: usize) {
        let mut origin = Vec::with_capacity(next.len());
        for op in align(&self.lines, &next, |l| l.as_str()) {
            match op {
                DiffOp::Equal { old_index, len, .. } => {
                    origin.extend_from_slice(&self.origin[old_index..old_index + len]);
                }
                DiffOp::Insert { new_len, .. } | DiffOp::Replace { new_len, .. } => {
                    origin.extend(std::iter::repeat_n(Origin::Agent(k), new_len));
                    self.wrote[k] += new_len as u32;
                }
                DiffOp::Delete { .. } => {}
            }
        }
        self.lines = next;
        self.origin = origin;
    }

    /// The human's final step: a verdict per committed line.
    pub fn finish(&self, committed: &[String]) -> Vec<Verdict> {
        let mut out = Vec::with_capacity(committed.len());
        for op in align(&self.lines, committed, |l| l.trim_end()) {
            match op {
                DiffOp::Equal { old_index, len, .. } => {
                    out.extend(
                        self.origin[old_index..old_index + len]
                            .iter()
                            .map(|o| match o {
                                Origin::Base => Verdict::Base,
                                Origin::Agent(k) => Verdict::Ai(*k),
                            }),
                    );
                }
                DiffOp::Insert { new_len, .. } => {
                    out.extend(std::iter::repeat_n(Verdict::Human, new_len));
                }
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => {
                    let block = (old_index, old_len, new_index, new_len);
                    for (j, line) in committed.iter().enumerate().skip(new_index).take(new_len) {
                        out.push(self.modified(block, j, line));
                    }
                }
                DiffOp::Delete { .. } => {}
            }
        }
        out
    }

    /// The verdict for committed line `j` (text `line`) that replaced the block of replayed
    /// lines `old_index..old_index + old_len`: `Modified` when the line it is aligned with
    /// (the most similar one of the block, or the one at the same offset in a huge block)
    /// is an agent line it resembles closely, `Human` otherwise.
    fn modified(&self, block: (usize, usize, usize, usize), j: usize, line: &str) -> Verdict {
        let (old_index, old_len, new_index, new_len) = block;
        let line = line.trim();
        if line.chars().count() < MODIFIED_MIN_CHARS {
            return Verdict::Human;
        }
        let range: Vec<usize> = if old_len * new_len <= PAIRING_MAX {
            (old_index..old_index + old_len).collect()
        } else {
            let i = old_index + (j - new_index);
            (i < old_index + old_len).then_some(i).into_iter().collect()
        };
        // The replayed line this one took the place of: the most similar of the block, the
        // parent's lines included (a human rewriting a parent line next to a similar agent
        // line rewrote the parent's line).
        let mut best: Option<(f32, Origin)> = None;
        for i in range {
            let old = self.lines[i].trim();
            if old.chars().count() < MODIFIED_MIN_CHARS {
                continue;
            }
            let ratio = TextDiff::from_chars(line, old).ratio();
            if ratio >= MODIFIED_RATIO && best.is_none_or(|(b, _)| ratio > b) {
                best = Some((ratio, self.origin[i]));
            }
        }
        match best {
            Some((_, Origin::Agent(k))) => Verdict::Modified(k),
            _ => Verdict::Human,
        }
    }
}

/// Line diff of `old` → `new` by `key`: the common head and tail are matched directly (most
/// edits touch a small region of a large file), the middle by Myers within a time budget.
fn align<'a, K: Eq + std::hash::Hash + ?Sized + 'a>(
    old: &'a [String],
    new: &'a [String],
    key: impl Fn(&'a String) -> &'a K,
) -> Vec<DiffOp> {
    let head = old
        .iter()
        .zip(new)
        .take_while(|(a, b)| key(a) == key(b))
        .count();
    let tail = old[head..]
        .iter()
        .rev()
        .zip(new[head..].iter().rev())
        .take_while(|(a, b)| key(a) == key(b))
        .count();
    let mut ops = Vec::new();
    if head > 0 {
        ops.push(DiffOp::Equal {
            old_index: 0,
            new_index: 0,
            len: head,
        });
    }
    let (a, b) = (&old[head..old.len() - tail], &new[head..new.len() - tail]);
    if !a.is_empty() || !b.is_empty() {
        let ka: Vec<&K> = a.iter().map(&key).collect();
        let kb: Vec<&K> = b.iter().map(&key).collect();
        let deadline = Some(Instant::now() + DIFF_BUDGET);
        for op in capture_diff_slices_deadline(Algorithm::Myers, &ka, &kb, deadline) {
            ops.push(shift(op, head));
        }
    }
    if tail > 0 {
        ops.push(DiffOp::Equal {
            old_index: old.len() - tail,
            new_index: new.len() - tail,
            len: tail,
        });
    }
    ops
}

fn shift(op: DiffOp, by: usize) -> DiffOp {
    match op {
        DiffOp::Equal {
            old_index,
            new_index,
            len,
        } => DiffOp::Equal {
            old_index: old_index + by,
            new_index: new_index + by,
            len,
        },
        DiffOp::Delete {
            old_index,
            old_len,
            new_index,
        } => DiffOp::Delete {
            old_index: old_index + by,
            old_len,
            new_index: new_index + by,
        },
        DiffOp::Insert {
            old_index,
            new_index,
            new_len,
        } => DiffOp::Insert {
            old_index: old_index + by,
            new_index: new_index + by,
            new_len,
        },
        DiffOp::Replace {
            old_index,
            old_len,
            new_index,
            new_len,
        } => DiffOp::Replace {
            old_index: old_index + by,
            old_len,
            new_index: new_index + by,
            new_len,
        },
    }
}

/// The first position at or after `from` where `needle` occurs as consecutive lines (compared
/// ignoring surrounding whitespace when `loose`).
fn find_lines(hay: &[String], needle: &[String], from: usize, loose: bool) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    let eq = |a: &str, b: &str| if loose { a.trim() == b.trim() } else { a == b };
    (from.min(hay.len())..=hay.len() - needle.len())
        .find(|&p| needle.iter().zip(&hay[p..]).all(|(n, h)| eq(n, h)))
}

/// Text with CRLF line ends turned into LF (git drift compares lines without their ends).
pub fn lf(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\r') {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The lines of a text, without their ends (a final line without a newline is a line).
pub fn split(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .collect()
}

/// What position-free evidence may claim: lines of at least [`MODIFIED_MIN_CHARS`] non-blank
/// characters that occur once in the committed file and nowhere on the human side (the
/// parent's version, the text the agents' edits replaced).
pub struct Fallback {
    human_side: HashSet<String>,
    counts: HashMap<String, u32>,
}

impl Fallback {
    pub fn new<'a>(
        base: &'a [String],
        committed: &'a [String],
        replaced: impl Iterator<Item = &'a str>,
    ) -> Fallback {
        let mut human_side: HashSet<String> = base.iter().map(|l| normalise(l)).collect();
        human_side.extend(replaced.flat_map(str::lines).map(normalise));
        let mut counts: HashMap<String, u32> = HashMap::new();
        for l in committed {
            *counts.entry(normalise(l)).or_default() += 1;
        }
        Fallback { human_side, counts }
    }

    /// Whether `line` (a committed line) may be attributed without a position.
    pub fn eligible(&self, line: &str) -> bool {
        let key = normalise(line);
        key.chars().filter(|c| !c.is_whitespace()).count() >= MODIFIED_MIN_CHARS
            && self.counts.get(&key).copied().unwrap_or(0) == 1
            && !self.human_side.contains(&key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(tool: &str, op: EditOp, before: &str, after: &str) -> Edit {
        Edit {
            call_id: None,
            tool: tool.into(),
            path: "/r/f".into(),
            op,
            before: before.into(),
            after: after.into(),
            move_to: None,
        }
    }

    fn lines(s: &str) -> Vec<String> {
        split(s)
    }

    #[test]
    fn context_lines_of_an_edit_keep_their_origin() {
        let mut r = Replay::new(lines("a\nb\nc\n"), 1);
        let e = edit("Edit", EditOp::Update, "b\nc\n", "b\nB2\nc\n");
        assert!(r.apply(0, &e, "x"));
        let v = r.finish(&lines("a\nb\nB2\nc\n"));
        assert_eq!(
            v,
            vec![Verdict::Base, Verdict::Base, Verdict::Ai(0), Verdict::Base]
        );
    }

    #[test]
    fn sub_line_edit_and_replace_all() {
        let mut r = Replay::new(lines("f(timeout=5)\ng(timeout=5)\nh()\n"), 1);
        let e = edit("Edit", EditOp::Update, "timeout=5", "timeout=30");
        assert!(r.apply(0, &e, "x"));
        let v = r.finish(&lines("f(timeout=30)\ng(timeout=30)\nh()\n"));
        assert_eq!(v, vec![Verdict::Ai(0), Verdict::Ai(0), Verdict::Base]);
    }

    #[test]
    fn write_over_existing_lines_keeps_them() {
        let mut r = Replay::new(lines("import os\nRETRIES = 3\n"), 1);
        let e = edit(
            "Write",
            EditOp::Write,
            "",
            "import os\nRETRIES = 3\nTIMEOUT = 9\n",
        );
        assert!(r.apply(0, &e, "x"));
        let v = r.finish(&lines("import os\nRETRIES = 3\nTIMEOUT = 9\n"));
        assert_eq!(v, vec![Verdict::Base, Verdict::Base, Verdict::Ai(0)]);
    }

    #[test]
    fn superseded_text_never_feeds_modified() {
        let mut r = Replay::new(lines("{\n}\n"), 2);
        let a = edit("Edit", EditOp::Update, "{\n", "{\n    \"timeout\": 30,\n");
        let b = edit(
            "Edit",
            EditOp::Update,
            "    \"timeout\": 30,\n",
            "    \"retries\": 3,\n",
        );
        assert!(r.apply(0, &a, "a") && r.apply(1, &b, "b"));
        // The human replaces the agent's final line with one resembling the overwritten one.
        let v = r.finish(&lines("{\n    \"connect_timeout\": 30,\n}\n"));
        assert_eq!(v[1], Verdict::Human);
        assert_eq!(r.wrote(0), 1);
        assert!(!r.alive().contains(&0));
    }

    #[test]
    fn a_rewritten_parent_line_next_to_a_similar_agent_line_is_human() {
        let mut r = Replay::new(lines("timeout = 10\n"), 1);
        let e = edit(
            "Edit",
            EditOp::Update,
            "timeout = 10\n",
            "timeout = 10\ntimeout_read = 10\n",
        );
        assert!(r.apply(0, &e, "x"));
        let v = r.finish(&lines("timeout = 20\ntimeout_read = 12\n"));
        assert_eq!(v, vec![Verdict::Human, Verdict::Modified(0)]);
    }

    #[test]
    fn hunk_that_does_not_apply_is_reported() {
        let mut r = Replay::new(lines("a\nb\n"), 1);
        let e = edit("apply_patch", EditOp::Update, "zzz\n", "yyy\n");
        assert!(!r.apply(0, &e, "c"));
        let ok = edit("apply_patch", EditOp::Update, "a\n", "a\nnew line\n");
        assert!(r.apply(0, &ok, "c"));
        assert_eq!(
            r.finish(&lines("a\nnew line\nb\n")),
            vec![Verdict::Base, Verdict::Ai(0), Verdict::Base]
        );
    }
}
