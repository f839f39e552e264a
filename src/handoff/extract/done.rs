//! **Done**: what the accepted edits built, per prompt that asked for it and per file — the
//! functions, types, endpoints and config keys they added or changed ([`super::defs`]), their
//! size, and the commits they landed in (from the store's bindings).
//!
//! An edit counts when it was applied and its text still stands, or cannot be checked (the
//! file is too large, or the brief is written where none of the edited files exist).

use super::defs::{Defined, defined};
use super::{Ask, Cite, EditFate, EditRec, Item, QUOTE_CHARS, Tree, user_item};
use crate::handoff::scope::Material;
use crate::model::Millis;
use crate::sessions::edit_lines;
use std::collections::HashMap;

/// At most this many files listed under one prompt.
const FILES_PER_PROMPT: usize = 12;

/// What the edits of one prompt did to one file.
#[derive(Default)]
struct FileWork {
    defined: Defined,
    added: usize,
    removed: usize,
    edits: usize,
    commits: Vec<String>,
    /// Neither in the working tree nor checkable.
    absent: bool,
}

/// The Done items: one per prompt, its files below it, in the order the prompts came.
pub(super) fn done_items(
    edits: &[EditRec],
    asks: &[Ask],
    tree: &Tree,
    m: &Material,
    cite: &dyn Fn(usize, Option<Millis>) -> Cite,
) -> Vec<Item> {
    // (prompt, file) → work; prompts in order of their first accepted edit.
    let mut order: Vec<Option<usize>> = Vec::new();
    let mut files: HashMap<Option<usize>, Vec<(String, FileWork)>> = HashMap::new();
    let mut first_edit: HashMap<Option<usize>, usize> = HashMap::new();
    for (n, e) in edits.iter().enumerate() {
        let Some(rel) = e.rel.as_deref() else {
            continue;
        };
        if e.fate != EditFate::Applied || rel.starts_with(".prompts/") || !stands(e, rel, tree) {
            continue;
        }
        if !files.contains_key(&e.ask) {
            order.push(e.ask);
            first_edit.insert(e.ask, n);
        }
        let list = files.entry(e.ask).or_default();
        let slot = match list.iter().position(|(p, _)| p == rel) {
            Some(i) => i,
            None => {
                list.push((rel.to_string(), FileWork::default()));
                list.len() - 1
            }
        };
        let w = &mut list[slot].1;
        let (a, d) = edit_lines(e.edit);
        w.defined.merge(defined(rel, e.edit));
        w.added += a;
        w.removed += d;
        w.edits += 1;
        w.absent = tree.text(rel).is_none();
        if let Some(c) = m.bound.get(e.id)
            && !w.commits.contains(c)
        {
            w.commits.push(c.clone());
        }
    }
    order
        .into_iter()
        .map(|ask| {
            let list = files.remove(&ask).unwrap_or_default();
            let first = &edits[first_edit[&ask]];
            let (text, c) = match ask.and_then(|i| asks.get(i)) {
                Some(a) => (
                    format!("Asked \"{}\":", crate::ui::excerpt(a.text, QUOTE_CHARS / 2)),
                    cite(a.s, a.at),
                ),
                None => (
                    "Without a prompt typed by a person:".to_string(),
                    cite(first.s, first.at),
                ),
            };
            let mut sub: Vec<String> = list
                .iter()
                .take(FILES_PER_PROMPT)
                .map(|(rel, w)| file_line(rel, w))
                .collect();
            if list.len() > FILES_PER_PROMPT {
                sub.push(format!(
                    "… and {} more files",
                    list.len() - FILES_PER_PROMPT
                ));
            }
            Item {
                sub,
                user: false,
                ..user_item(c.at, text, c)
            }
        })
        .collect()
}

/// Whether an applied edit's text is still in its file (or cannot be checked).
fn stands(e: &EditRec, rel: &str, tree: &Tree) -> bool {
    let written: Vec<String> = crate::attribution::written_lines(e.edit)
        .into_iter()
        .filter(|l| l.trim().len() >= 2)
        .collect();
    match tree.text(rel) {
        Some(t) => written.is_empty() || written.iter().any(|l| t.has_line(l)),
        None => true,
    }
}

/// "`src/x.rs`: added `fn a`; changed `fn b` (+12 −3 in 2 edits; commit 3f2c9a1d)".
fn file_line(rel: &str, w: &FileWork) -> String {
    let mut parts = Vec::new();
    if !w.defined.added.is_empty() {
        parts.push(format!("added {}", w.defined.added.join(", ")));
    }
    if !w.defined.changed.is_empty() {
        parts.push(format!("changed {}", w.defined.changed.join(", ")));
    }
    let what = if parts.is_empty() {
        "edited".to_string()
    } else {
        parts.join("; ")
    };
    let mut facts = vec![format!(
        "+{} −{}{}",
        w.added,
        w.removed,
        if w.edits > 1 {
            format!(" in {} edits", w.edits)
        } else {
            String::new()
        }
    )];
    if !w.commits.is_empty() {
        let shown: Vec<&str> = w.commits.iter().map(|c| &c[..c.len().min(8)]).collect();
        facts.push(format!(
            "{} {}",
            if shown.len() == 1 {
                "commit"
            } else {
                "commits"
            },
            shown.join(", ")
        ));
    } else if w.absent {
        facts.push("not in this working tree".into());
    }
    format!("`{rel}`: {what} ({})", facts.join("; "))
}
