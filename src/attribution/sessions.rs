//! What a commit's note says about each session that contributed to it: counts, the prompts
//! behind its lines, the decisions that stand and the approaches it rejected.

use super::Attribution;
use crate::error::Result;
use crate::model::{Event, EventKind, Millis};
use crate::notes::{self, SessionRecord};
use crate::store::Store;
use std::collections::{BTreeSet, HashMap, HashSet};

/// The event kinds attribution reads back from a session (not replies, reasoning, outcomes or
/// usage, which dominate long sessions and would cost the hook its budget).
const SUMMARY_KINDS: &[&str] = &["prompt", "edit", "command", "rejection", "plan"];

/// Tool calls per session, by what they did in this commit.
#[derive(Debug, Default)]
pub struct Tally {
    /// Calls with at least one line in the commit.
    pub accepted: HashMap<String, HashSet<String>>,
    /// Calls on the commit's files the user declined.
    pub rejected: HashMap<String, HashSet<String>>,
    /// Applied calls on the commit's files whose every line a later edit overwrote.
    pub superseded: HashMap<String, HashSet<String>>,
}

impl Tally {
    pub fn add(map: &mut HashMap<String, HashSet<String>>, session: &str, call: &str) {
        map.entry(session.to_string())
            .or_default()
            .insert(call.to_string());
    }

    fn count(map: &HashMap<String, HashSet<String>>, id: &str) -> u32 {
        map.get(id).map_or(0, |s| s.len() as u32)
    }

    /// Sessions that contributed lines, rejections or superseded edits: only these are in
    /// the note (a session that merely has edits on the files contributed nothing).
    fn sessions(&self) -> BTreeSet<String> {
        let mut ids: BTreeSet<String> = BTreeSet::new();
        for map in [&self.accepted, &self.rejected, &self.superseded] {
            ids.extend(
                map.iter()
                    .filter(|(_, s)| !s.is_empty())
                    .map(|(k, _)| k.clone()),
            );
        }
        ids
    }
}

/// Fill in the prompts behind the lines and one record per contributing session.
pub fn fill(store: &Store, tally: &Tally, until: Millis, result: &mut Attribution) -> Result<()> {
    let ids = tally.sessions();
    let mut events_of: HashMap<String, Vec<Event>> = HashMap::new();
    for id in &ids {
        events_of.insert(id.clone(), store.events_of_kinds(id, SUMMARY_KINDS)?);
    }
    fill_prompts(&events_of, result);
    for id in ids {
        let Some(session) = store.session(&id)? else {
            continue;
        };
        let accepted = tally.accepted.get(&id);
        let superseded = tally.superseded.get(&id).map_or(0, |s| {
            s.iter()
                .filter(|c| accepted.is_none_or(|a| !a.contains(*c)))
                .count() as u32
        });
        let mut rec = SessionRecord {
            id: id.clone(),
            agent: session.agent.as_str().to_string(),
            model: session.info.model.clone(),
            started: session.info.started,
            ended: session.info.ended,
            accepted: Tally::count(&tally.accepted, &id),
            rejected: Tally::count(&tally.rejected, &id),
            superseded,
            ..Default::default()
        };
        let events = events_of.get(&id).map_or(&[][..], Vec::as_slice);
        summarise_session(events, until, &mut rec);
        for l in result.files.iter().flat_map(|f| &f.lines) {
            if l.who.session() == Some(id.as_str())
                && let Some(p) = &l.prompt
            {
                rec.prompts.insert(notes::prompt_key(p), p.clone());
            }
        }
        if rec.accepted + rec.rejected + rec.superseded > 0 {
            result.sessions.insert(id, rec);
        }
    }
    Ok(())
}

/// Decisions and rejected approaches of a session up to `until`.
fn summarise_session(events: &[Event], until: Millis, rec: &mut SessionRecord) {
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
                rec.rejected_approaches.insert(text);
            }
            EventKind::Plan { items, .. } if !items.is_empty() => last_plan = Some(items),
            _ => {}
        }
    }
    if let Some(items) = last_plan {
        for i in items.iter().filter(|i| i.status == "completed") {
            rec.decisions
                .insert(format!("done: {}", crate::ui::excerpt(&i.text, 160)));
        }
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
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
            let (Some(s), Some(e)) = (l.who.session(), &l.edit) else {
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
