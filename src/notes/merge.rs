//! Resolving overlapping line claims into disjoint ranges: the heart of [`Note::merge`] and of
//! parsing a note that plain git's `cat_sort_uniq` merge assembled from two writers.
//!
//! Every claim on a line is ranked by a total order that depends only on the claim and the
//! session table, so picking the best claim per line is commutative and idempotent; it is also
//! associative as long as the inputs agree on each session's end time (the winner between two
//! sessions is decided by their end times, and a later input that moves an end time cannot
//! resurrect a claim an earlier merge already dropped). Work is proportional to the number of
//! ranges (plus the number of per-line hashes where equally ranked claims overlap), never to
//! the line numbers a range spans, so a hostile `1-4000000000` range costs nothing.
//!
//! [`Note::merge`]: super::Note::merge

use super::{LineRange, SessionRecord, Who};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Number of lines in a range (0 for an invalid one).
pub(super) fn len(r: &LineRange) -> u64 {
    if r.start == 0 || r.start > r.end {
        0
    } else {
        u64::from(r.end) - u64::from(r.start) + 1
    }
}

/// A hash the text format can carry in its comma-separated `h=` list.
pub(super) fn valid_hash(h: &str) -> bool {
    !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Drop invalid ranges; drop hashes that do not match the range one-to-one.
fn sanitize(mut r: LineRange) -> Option<LineRange> {
    let n = len(&r);
    if n == 0 {
        return None;
    }
    if !r.hashes.is_empty()
        && (r.hashes.len() as u64 != n || !r.hashes.iter().all(|h| valid_hash(h)))
    {
        r.hashes.clear();
    }
    Some(r)
}

/// What a claim is ranked by; hashes only by presence (their values break ties per line).
#[derive(Clone, Copy)]
struct Claim<'a> {
    who: &'a Who,
    prompt: Option<&'a str>,
    hashed: bool,
}

impl<'a> Claim<'a> {
    fn of(r: &'a LineRange) -> Self {
        Claim {
            who: &r.who,
            prompt: r.prompt.as_deref(),
            hashed: !r.hashes.is_empty(),
        }
    }
}

/// `Greater` means `a` is the better claim. Agent evidence beats none; between sessions the
/// later end wins (a known end beats an unknown one), then the smaller session id; within a
/// session an exact `ai` line beats `modified`; then a known prompt (smaller key first), then
/// the presence of hashes. Equal only for identical claims, so the order is total.
fn cmp_claims(a: &Claim, b: &Claim, sessions: &BTreeMap<String, SessionRecord>) -> Ordering {
    let end = |c: &Claim| {
        c.who
            .session()
            .and_then(|s| sessions.get(s))
            .and_then(|r| r.ended)
    };
    let exact = |c: &Claim| matches!(c.who, Who::Ai(_));
    let (sa, sb) = (a.who.session(), b.who.session());
    sa.is_some()
        .cmp(&sb.is_some())
        .then_with(|| end(a).cmp(&end(b)))
        .then_with(|| sb.cmp(&sa))
        .then_with(|| exact(a).cmp(&exact(b)))
        .then_with(|| match (a.prompt, b.prompt) {
            (Some(x), Some(y)) => y.cmp(x),
            (x, y) => x.is_some().cmp(&y.is_some()),
        })
        .then_with(|| a.hashed.cmp(&b.hashed))
}

/// Turn any set of claims on one file into sorted, disjoint, coalesced ranges, keeping per
/// line the best claim (see [`cmp_claims`]); among equal claims with hashes, the bytewise
/// smallest hash of each line.
pub(super) fn resolve(
    ranges: Vec<LineRange>,
    sessions: &BTreeMap<String, SessionRecord>,
) -> Vec<LineRange> {
    let mut ranges: Vec<LineRange> = ranges.into_iter().filter_map(sanitize).collect();
    ranges.sort_by_key(|r| (r.start, r.end));
    if ranges.windows(2).all(|w| w[0].end < w[1].start) {
        return coalesce(ranges);
    }

    let mut claims: Vec<Claim> = ranges.iter().map(Claim::of).collect();
    claims.sort_by(|a, b| cmp_claims(a, b, sessions));
    claims.dedup_by(|a, b| cmp_claims(a, b, sessions) == Ordering::Equal);
    let rank: Vec<usize> = ranges
        .iter()
        .map(|r| {
            let c = Claim::of(r);
            match claims.binary_search_by(|probe| cmp_claims(probe, &c, sessions)) {
                Ok(i) | Err(i) => i,
            }
        })
        .collect();

    // Sweep over range boundaries; positions are u64 so `end + 1` cannot overflow.
    let mut events: Vec<(u64, bool, usize)> = Vec::with_capacity(ranges.len() * 2);
    for (i, r) in ranges.iter().enumerate() {
        events.push((u64::from(r.start), true, i));
        events.push((u64::from(r.end) + 1, false, i));
    }
    events.sort_unstable();
    let mut active: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut pieces: Vec<LineRange> = Vec::new();
    let mut e = 0;
    while e < events.len() {
        let pos = events[e].0;
        while e < events.len() && events[e].0 == pos {
            let (_, open, i) = events[e];
            if open {
                active.insert((rank[i], i));
            } else {
                active.remove(&(rank[i], i));
            }
            e += 1;
        }
        let Some(next) = events.get(e).map(|ev| ev.0) else {
            break;
        };
        let Some(&(top, first)) = active.last() else {
            continue;
        };
        // `pos < next <= u32::MAX + 1` and both lie inside an active range.
        let (Ok(start), Ok(end)) = (u32::try_from(pos), u32::try_from(next - 1)) else {
            continue;
        };
        let best = &ranges[first];
        let hashes = if best.hashes.is_empty() {
            Vec::new()
        } else {
            let group: Vec<&LineRange> =
                active.range((top, 0)..).map(|&(_, i)| &ranges[i]).collect();
            (start..=end)
                .map(|line| {
                    group
                        .iter()
                        .filter_map(|r| r.hashes.get((line - r.start) as usize))
                        .min()
                        .cloned()
                        .unwrap_or_default()
                })
                .collect()
        };
        pieces.push(LineRange {
            start,
            end,
            who: best.who.clone(),
            prompt: best.prompt.clone(),
            hashes,
        });
    }
    coalesce(pieces)
}

/// Join neighbouring ranges with the same claim. Input must be sorted and disjoint.
pub(super) fn coalesce(ranges: Vec<LineRange>) -> Vec<LineRange> {
    let mut out: Vec<LineRange> = Vec::with_capacity(ranges.len());
    for r in ranges {
        if let Some(prev) = out.last_mut()
            && u64::from(prev.end) + 1 == u64::from(r.start)
            && prev.who == r.who
            && prev.prompt == r.prompt
            && prev.hashes.is_empty() == r.hashes.is_empty()
        {
            prev.end = r.end;
            prev.hashes.extend(r.hashes);
            continue;
        }
        out.push(r);
    }
    out
}

/// Remove lines `a..=b` from `ranges`, splitting ranges that straddle the cut.
pub(super) fn cut(ranges: Vec<LineRange>, a: u32, b: u32) -> Vec<LineRange> {
    let mut out = Vec::with_capacity(ranges.len() + 1);
    for r in ranges.into_iter().filter_map(sanitize) {
        if r.end < a || r.start > b {
            out.push(r);
            continue;
        }
        let hashed = !r.hashes.is_empty();
        let slice = |from: u32, to: u32| -> Vec<String> {
            if hashed {
                r.hashes[(from - r.start) as usize..=(to - r.start) as usize].to_vec()
            } else {
                Vec::new()
            }
        };
        if r.start < a {
            out.push(LineRange {
                start: r.start,
                end: a - 1,
                who: r.who.clone(),
                prompt: r.prompt.clone(),
                hashes: slice(r.start, a - 1),
            });
        }
        if r.end > b {
            out.push(LineRange {
                start: b + 1,
                end: r.end,
                who: r.who.clone(),
                prompt: r.prompt.clone(),
                hashes: slice(b + 1, r.end),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(start: u32, end: u32, who: Who) -> LineRange {
        LineRange {
            start,
            end,
            who,
            prompt: None,
            hashes: Vec::new(),
        }
    }

    fn sessions(ends: &[(&str, i64)]) -> BTreeMap<String, SessionRecord> {
        ends.iter()
            .map(|(id, end)| {
                let mut s = SessionRecord::new(*id);
                s.ended = Some(*end);
                (id.to_string(), s)
            })
            .collect()
    }

    #[test]
    fn agent_evidence_beats_human_and_later_session_wins() {
        let s = sessions(&[("a", 10), ("b", 20)]);
        let out = resolve(
            vec![
                r(1, 10, Who::Human),
                r(3, 5, Who::Ai("a".into())),
                r(4, 8, Who::Ai("b".into())),
            ],
            &s,
        );
        assert_eq!(
            out,
            vec![
                r(1, 2, Who::Human),
                r(3, 3, Who::Ai("a".into())),
                r(4, 8, Who::Ai("b".into())),
                r(9, 10, Who::Human),
            ]
        );
    }

    #[test]
    fn equal_end_times_pick_the_smaller_session_id() {
        let s = sessions(&[("a", 10), ("b", 10)]);
        let out = resolve(
            vec![
                r(1, 2, Who::Ai("b".into())),
                r(1, 2, Who::Modified("a".into())),
            ],
            &s,
        );
        assert_eq!(out, vec![r(1, 2, Who::Modified("a".into()))]);
    }

    #[test]
    fn huge_ranges_cost_nothing() {
        let out = resolve(
            vec![
                r(1, u32::MAX, Who::Human),
                r(u32::MAX - 1, u32::MAX, Who::Ai("x".into())),
            ],
            &BTreeMap::new(),
        );
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].start, u32::MAX - 1);
        assert_eq!(out[1].end, u32::MAX);
    }

    #[test]
    fn equal_claims_keep_the_smaller_hash_per_line() {
        let mut a = r(1, 2, Who::Human);
        a.hashes = vec!["bb".into(), "aa".into()];
        let mut b = r(2, 3, Who::Human);
        b.hashes = vec!["ab".into(), "cc".into()];
        let out = resolve(vec![a, b], &BTreeMap::new());
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].hashes, vec!["bb", "aa", "cc"]);
    }

    #[test]
    fn cut_splits_and_slices_hashes() {
        let mut a = r(1, 5, Who::Human);
        a.hashes = ["1", "2", "3", "4", "5"].map(String::from).to_vec();
        let out = cut(vec![a], 2, 3);
        assert_eq!(out.len(), 2);
        assert_eq!(
            (out[0].start, out[0].end, out[0].hashes.clone()),
            (1, 1, vec!["1".to_string()])
        );
        assert_eq!(
            (out[1].start, out[1].end, out[1].hashes.clone()),
            (4, 5, vec!["4".to_string(), "5".to_string()])
        );
    }
}
