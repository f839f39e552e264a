//! Unit tests of the Copilot CLI reader on the hand-written fixtures under
//! `tests/fixtures/copilot-cli` (see its README: real-shaped, not from the real CLI).

use super::discover::discover;
use super::reader::CopilotReader;
use crate::agents::test_util::{events, sessions};
use crate::agents::{FileReader, Record};
use crate::model::*;
use std::path::{Path, PathBuf};

const W: &str = "/home/dev/widget";

fn home() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/copilot-cli")
}

/// Feed the complete lines of `path` as capture does; returns records, state and whether a
/// partial last line was left.
fn read(path: &Path, from: usize, state: Option<&str>) -> (Vec<Record>, String, usize) {
    let bytes = std::fs::read(path).unwrap();
    let mut r = CopilotReader::open(path, state);
    let mut out = Vec::new();
    let mut start = from;
    for i in from..bytes.len() {
        if bytes[i] == b'\n' {
            r.read_line(&bytes[start..i], start as u64, &mut out)
                .unwrap();
            start = i + 1;
        }
    }
    r.finish(&mut out);
    (out, r.save_state(), start)
}

fn fixture(needle: &str) -> PathBuf {
    discover(&home())
        .into_iter()
        .find(|p| p.to_string_lossy().contains(needle))
        .unwrap()
}

fn verdict<'r>(recs: &'r [Record], call: &str) -> Option<&'r EventKind> {
    events(recs).into_iter().map(|e| &e.kind).rfind(|k| {
        matches!(k, EventKind::Outcome { .. } | EventKind::Rejection { .. })
            && k.call_id() == Some(call)
    })
}

#[test]
fn a_session_with_an_applied_a_denied_and_a_failed_edit() {
    let path = fixture("c0a1");
    let (recs, _, end) = read(&path, 0, None);
    assert!(
        end < std::fs::metadata(&path).unwrap().len() as usize,
        "partial last line left"
    );
    let s = sessions(&recs);
    let last = s.last().unwrap();
    assert_eq!(last.id, "0c1d2e3f-0000-4000-8000-00000000c0a1");
    assert_eq!(last.cwd.as_deref(), Some(W));
    assert_eq!(last.branch.as_deref(), Some("main"));
    assert_eq!(last.model.as_deref(), Some("claude-sonnet-4.5"));
    let kinds: Vec<&EventKind> = events(&recs).into_iter().map(|e| &e.kind).collect();
    let prompts: Vec<&EventKind> = kinds
        .iter()
        .copied()
        .filter(|k| matches!(k, EventKind::Prompt { .. }))
        .collect();
    assert_eq!(
        prompts,
        [&EventKind::Prompt {
            text: "Create notes.txt and capitalise beta".into()
        }],
        "system notifications are no prompts"
    );
    let edits: Vec<&Edit> = kinds
        .iter()
        .filter_map(|k| match k {
            EventKind::Edit(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(
        edits.len(),
        3,
        "each call once, though requested and started: {edits:?}"
    );
    assert_eq!(
        (edits[0].op, edits[0].after.as_str()),
        (EditOp::Add, "alpha\nbeta\ngamma\n")
    );
    assert_eq!(
        edits[1].path,
        format!("{W}/notes.txt"),
        "relative paths start at the cwd"
    );
    assert!(matches!(
        verdict(&recs, "tc1"),
        Some(EventKind::Outcome { ok: true, .. })
    ));
    // The permission event gives the feedback; the failed completion after it says the same
    // thing again without it, and must not erase it.
    let rejections: Vec<&EventKind> = kinds
        .iter()
        .copied()
        .filter(|k| k.call_id() == Some("tc2") && matches!(k, EventKind::Rejection { .. }))
        .collect();
    assert_eq!(
        rejections,
        [&EventKind::Rejection {
            call_id: Some("tc2".into()),
            reason: Some("keep beta lower-case".into())
        }],
        "one rejection, with the feedback"
    );
    assert!(matches!(
        verdict(&recs, "tc4"),
        Some(EventKind::Outcome { ok: false, .. })
    ));
    assert!(kinds.contains(&&EventKind::Command {
        call_id: Some("tc3".into()),
        command: "make test".into()
    }));
    assert!(kinds.contains(&&EventKind::Reasoning {
        text: "A new file is needed.".into()
    }));
    let out: u64 = kinds
        .iter()
        .map(|k| match k {
            EventKind::Usage { output, .. } => *output,
            _ => 0,
        })
        .sum();
    assert_eq!(out, 40 + 20 + 30 + 12);
}

#[test]
fn resuming_from_the_saved_state_reads_only_new_lines() {
    let path = fixture("c0a1");
    let bytes = std::fs::read(&path).unwrap();
    let half = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(6)
        .unwrap()
        .0
        + 1;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("session-state/x/events.jsonl");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::write(&copy, &bytes[..half]).unwrap();
    let (first, state, at) = read(&copy, 0, None);
    std::fs::write(&copy, &bytes).unwrap();
    let (second, _, _) = read(&copy, at, Some(&state));
    let (whole, _, _) = read(&path, 0, None);
    let ids = |r: &[Record]| {
        events(r)
            .into_iter()
            .map(|e| e.id.clone())
            .collect::<std::collections::HashSet<_>>()
    };
    let mut pieces = ids(&first);
    pieces.extend(ids(&second));
    assert_eq!(pieces, ids(&whole));
    assert!(
        events(&second)
            .iter()
            .all(|e| e.session_id == "0c1d2e3f-0000-4000-8000-00000000c0a1")
    );
}

#[test]
fn another_projects_session_names_its_own_cwd() {
    let (recs, _, _) = read(&fixture("c0b2"), 0, None);
    assert_eq!(sessions(&recs)[0].cwd.as_deref(), Some("/home/dev/other"));
    assert_eq!(discover(&home()).len(), 2);
    assert!(discover(&home().join("nowhere")).is_empty());
}
