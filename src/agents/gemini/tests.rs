//! Unit tests of the Gemini CLI reader: the fixture home under `tests/fixtures/gemini-cli`
//! (three chats written by the real CLI 0.61.0, the rest written from the format reference).

use super::discover::*;
use super::reader::*;
use crate::agents::test_util::{events, sessions};
use crate::agents::{FileReader, Record};
use crate::model::*;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

const W: &str = "/home/dev/widget";

fn home() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gemini-cli")
}

/// The fixture whose name contains `needle` (discovered for the widget project).
fn fixture(needle: &str) -> PathBuf {
    discover(&home(), &[PathBuf::from(W)])
        .into_iter()
        .find(|p| p.to_string_lossy().contains(needle))
        .unwrap_or_else(|| panic!("no fixture matching {needle}"))
}

/// Read a chat as capture does: whole, then finish; returns the records and the state.
fn read(path: &Path, state: Option<&str>) -> (Vec<Record>, String, u64) {
    let mut r = GeminiReader::open(path, state);
    let mut out = Vec::new();
    let skipped = r.read_whole(path, &mut out);
    r.finish(&mut out);
    (out, r.save_state(), skipped)
}

fn kinds(records: &[Record]) -> Vec<&EventKind> {
    events(records).into_iter().map(|e| &e.kind).collect()
}

fn edits(records: &[Record]) -> Vec<&Edit> {
    kinds(records)
        .into_iter()
        .filter_map(|k| match k {
            EventKind::Edit(e) => Some(e),
            _ => None,
        })
        .collect()
}

fn prompts(records: &[Record]) -> Vec<&str> {
    kinds(records)
        .into_iter()
        .filter_map(|k| match k {
            EventKind::Prompt { text } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

/// The last outcome or rejection recorded for `call` (what the store keeps for a revised id).
fn verdict<'r>(records: &'r [Record], call: &str) -> Option<&'r EventKind> {
    kinds(records).into_iter().rfind(|k| {
        matches!(k, EventKind::Outcome { .. } | EventKind::Rejection { .. })
            && k.call_id() == Some(call)
    })
}

#[test]
fn discover_finds_this_projects_chats_in_slug_and_hash_directories() {
    let found = discover(&home(), &[PathBuf::from(W)]);
    let names: Vec<String> = found
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(
        names.iter().any(|n| n.ends_with("dddd2222.json")),
        "legacy: {names:?}"
    );
    assert!(
        !names.iter().any(|n| n.contains("aaaabbbb")),
        "other project: {names:?}"
    );
    let other = discover(&home(), &[PathBuf::from("/home/dev/other")]);
    assert_eq!(other.len(), 1);
    assert_eq!(project_root(&other[0]).as_deref(), Some("/home/dev/other"));
}

#[test]
fn real_cli_write_then_replace() {
    let (recs, _, skipped) = read(&fixture("687c44a7"), None);
    assert_eq!(skipped, 0);
    let s = sessions(&recs);
    let last = s.last().expect("a session");
    assert_eq!(last.id, "687c44a7-1686-45c8-805f-52b8412f1271");
    assert_eq!(last.cwd.as_deref(), Some(W));
    assert_eq!(last.model.as_deref(), Some("gemini-3.1-pro-preview"));
    assert_eq!(last.started, parse_millis("2026-12-02T00:40:11.482Z"));
    assert_eq!(last.ended, parse_millis("2026-12-02T00:40:12.621Z"));
    // The <session_context> preamble and the tool results are not prompts.
    assert_eq!(prompts(&recs), ["create notes"]);
    let e = edits(&recs);
    assert_eq!(e.len(), 2);
    assert_eq!((e[0].op, e[0].tool.as_str()), (EditOp::Add, "write_file"));
    assert_eq!(e[0].path, format!("{W}/notes.txt"));
    assert_eq!(e[0].after, "alpha\nbeta\ngamma\n");
    assert_eq!(
        (e[1].op, e[1].before.as_str(), e[1].after.as_str()),
        (EditOp::Update, "beta\n", "BETA\n")
    );
    for edit in &e {
        let call = edit.call_id.as_deref().unwrap();
        assert!(
            matches!(
                verdict(&recs, call),
                Some(EventKind::Outcome { ok: true, .. })
            ),
            "{call}"
        );
    }
    // One usage per model message, however often the record was appended again.
    let usage: HashSet<&str> = kinds(&recs)
        .into_iter()
        .filter_map(|k| match k {
            EventKind::Usage {
                message_id,
                input,
                output,
                ..
            } => {
                assert_eq!((*input, *output), (1000, 50));
                Some(message_id.as_str())
            }
            _ => None,
        })
        .collect();
    assert_eq!(usage.len(), 3);
    assert!(kinds(&recs).contains(&&EventKind::Reply {
        text: "Done.".into()
    }));
}

#[test]
fn real_cli_failed_replace_is_a_failure_with_the_error() {
    let (recs, _, _) = read(&fixture("b2dc7d8c"), None);
    let e = edits(&recs);
    assert_eq!(e.len(), 2);
    let call = e[1].call_id.as_deref().unwrap();
    match verdict(&recs, call) {
        Some(EventKind::Outcome {
            ok: false,
            output_tail: Some(t),
            ..
        }) => {
            assert!(t.contains("Could not find an exact match"), "{t}")
        }
        other => panic!("not a failure: {other:?}"),
    }
}

#[test]
fn real_cli_declined_write_is_a_rejection_with_the_next_prompt_as_reason() {
    let (recs, _, _) = read(&fixture("96bc10c7"), None);
    let e = edits(&recs);
    assert_eq!(e.len(), 3, "declined write, allowed write, replace");
    let declined = e[0].call_id.as_deref().unwrap();
    let rejections: Vec<&Event> = events(&recs)
        .into_iter()
        .filter(|ev| matches!(ev.kind, EventKind::Rejection { .. }))
        .collect();
    assert_eq!(rejections.len(), 2, "emitted, then revised with the reason");
    assert_eq!(
        rejections[0].id, rejections[1].id,
        "one id, so the store revises the row"
    );
    assert_eq!(
        verdict(&recs, declined),
        Some(&EventKind::Rejection {
            call_id: Some(declined.to_string()),
            reason: Some("use the name todo.txt instead".into()),
        })
    );
    assert_eq!(
        prompts(&recs),
        ["create notes", "use the name todo.txt instead"]
    );
    let allowed = e[1].call_id.as_deref().unwrap();
    assert!(matches!(
        verdict(&recs, allowed),
        Some(EventKind::Outcome { ok: true, .. })
    ));
}

#[test]
fn reappended_records_rewind_commands_and_a_partial_last_line() {
    let path = fixture("cccc1111");
    let (recs, state, skipped) = read(&path, None);
    assert_eq!(skipped, 0, "the partial last line is not read, not skipped");
    let e = edits(&recs);
    let calls: Vec<&str> = e.iter().map(|e| e.call_id.as_deref().unwrap()).collect();
    assert_eq!(
        calls,
        ["wf1", "rp1", "rp2"],
        "executing is not final; each call once"
    );
    assert_eq!(
        e[2].path,
        format!("{W}/a.txt"),
        "relative paths start at the project root"
    );
    assert_eq!(
        verdict(&recs, "rp1"),
        Some(&EventKind::Rejection {
            call_id: Some("rp1".into()),
            reason: Some(REWOUND.into()),
        })
    );
    assert!(matches!(
        verdict(&recs, "rp2"),
        Some(EventKind::Outcome { ok: true, .. })
    ));
    let k = kinds(&recs);
    assert!(k.contains(&&EventKind::Command {
        call_id: Some("sh1".into()),
        command: "make test".into(),
    }));
    assert!(matches!(
        verdict(&recs, "sh1"),
        Some(EventKind::Outcome {
            ok: false,
            exit_code: Some(2),
            ..
        })
    ));
    assert!(k.contains(&&EventKind::Reasoning {
        text: "Planning: Write the file, then test.".into()
    }));
    assert!(k.iter().any(|k| matches!(
        k,
        EventKind::Usage {
            input: 1000,
            output: 50,
            cache_read: 200,
            ..
        }
    )));
    // Nothing new when read again from the saved state.
    let (again, _, _) = read(&path, Some(&state));
    assert!(events(&again).is_empty(), "{again:?}");
}

#[test]
fn reading_in_pieces_yields_what_reading_at_once_does() {
    let src = std::fs::read(fixture("cccc1111")).unwrap();
    let (whole, _, _) = read(&fixture("cccc1111"), None);
    let dir = tempfile::tempdir().unwrap();
    let chats = dir.path().join("tmp/widget/chats");
    std::fs::create_dir_all(&chats).unwrap();
    std::fs::write(dir.path().join("tmp/widget/.project_root"), W).unwrap();
    let path = chats.join("session-x.jsonl");
    let mut state: Option<String> = None;
    let mut pieces = Vec::new();
    // Grow the file a few bytes at a time, cutting lines anywhere.
    for end in (0..=src.len()).step_by(97).chain([src.len()]) {
        std::fs::write(&path, &src[..end]).unwrap();
        let (recs, st, skipped) = read(&path, state.as_deref());
        assert_eq!(skipped, 0, "at {end}");
        pieces.extend(recs);
        state = Some(st);
    }
    let ids = |r: &[Record]| {
        events(r)
            .into_iter()
            .map(|e| e.id.clone())
            .collect::<HashSet<_>>()
    };
    assert_eq!(ids(&pieces), ids(&whole));
}

#[test]
fn a_rewritten_file_is_read_again_from_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let chats = dir.path().join("tmp/widget/chats");
    std::fs::create_dir_all(&chats).unwrap();
    std::fs::write(dir.path().join("tmp/widget/.project_root"), W).unwrap();
    let path = chats.join("session-y.jsonl");
    std::fs::copy(fixture("687c44a7"), &path).unwrap();
    let (_, state, _) = read(&path, None);
    std::fs::copy(fixture("b2dc7d8c"), &path).unwrap();
    let (recs, _, _) = read(&path, Some(&state));
    assert_eq!(prompts(&recs), ["create notes, failing edit"]);
}

#[test]
fn legacy_single_document_in_a_hash_directory() {
    let path = fixture("dddd2222.json");
    assert_eq!(
        project_root(&path).as_deref(),
        Some(W),
        "discovery learnt the hash"
    );
    assert_eq!(
        sha256_hex(Path::new(W)),
        path.parent()
            .unwrap()
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
    );
    let (recs, _, skipped) = read(&path, None);
    assert_eq!(skipped, 0);
    assert_eq!(
        sessions(&recs)[0].id,
        "dddd2222-0000-4000-8000-000000000003"
    );
    assert_eq!(prompts(&recs), ["create b.txt"]);
    let e = edits(&recs);
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].op, e[0].after.as_str()), (EditOp::Add, "legacy\n"));
    assert!(kinds(&recs).contains(&&EventKind::Reply {
        text: "Creating it.".into()
    }));
    // A document caught mid-write is skipped, not misread.
    let dir = tempfile::tempdir().unwrap();
    let torn = dir.path().join("session-torn.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&torn, &text[..text.len() / 2]).unwrap();
    let (recs, _, skipped) = read(&torn, None);
    assert_eq!((skipped, events(&recs).len()), (1, 0));
}

#[test]
fn a_subagent_chat_names_its_parent() {
    let p = Path::new("/h/.gemini/tmp/widget/chats/parent-id/child.jsonl");
    assert_eq!(parent_session(p).as_deref(), Some("parent-id"));
    assert_eq!(
        parent_session(Path::new("/h/.gemini/tmp/widget/chats/s.jsonl")),
        None
    );
}
