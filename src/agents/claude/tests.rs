//! Unit tests of the Claude Code reader: fixtures under `tests/fixtures/claude` and inline
//! lines.

use super::discover::*;
use super::reader::*;
use crate::agents::lenient::{head, tail};
use crate::agents::test_util::{events, sessions};
use crate::agents::{FileReader, Record, Skip};
use crate::model::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
#[allow(unused_imports)]
use std::path::{Path, PathBuf};

const W: &str = "/home/dev/widget";
const MAIN: &str = "5b0c1f2e-8a4d-4c1e-9f3a-1d2e3f4a5b6c";
const SONNET: &str = "claude-sonnet-4-5-20250929";
const OPUS: &str = "claude-opus-4-5-20251101";
const HAIKU: &str = "claude-haiku-4-5-20251001";

fn home() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/claude")
}

fn fixture(rel: &str) -> PathBuf {
    home().join("projects").join(rel)
}

/// Every line of `bytes` with its offset, including a last line without newline.
fn split(bytes: &[u8]) -> Vec<(u64, &[u8])> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' {
            lines.push((start as u64, &bytes[start..i]));
            start = i + 1;
        }
    }
    if start < bytes.len() {
        lines.push((start as u64, &bytes[start..]));
    }
    lines
}

struct Read {
    records: Vec<Record>,
    /// Indices of lines reported malformed.
    malformed: Vec<usize>,
    reader: ClaudeReader,
}

fn read_lines(path: &Path, lines: &[(u64, &[u8])], state: Option<&str>) -> Read {
    let mut reader = ClaudeReader::open(path, state);
    let mut records = Vec::new();
    let mut malformed = Vec::new();
    for (i, (offset, line)) in lines.iter().enumerate() {
        if reader.read_line(line, *offset, &mut records).is_err() {
            malformed.push(i);
        }
    }
    Read {
        records,
        malformed,
        reader,
    }
}

fn read(path: &Path) -> Read {
    let bytes = std::fs::read(path).unwrap();
    read_lines(path, &split(&bytes), None)
}

/// A compact rendering of the record sequence, for order assertions.
fn tags(records: &[Record]) -> Vec<String> {
    records
        .iter()
        .map(|r| match r {
            Record::Session(s) => {
                format!("session {} {}", s.id, s.model.as_deref().unwrap_or("-"))
            }
            Record::Event(e) => match &e.kind {
                EventKind::Usage { message_id, .. } => format!("usage {message_id}"),
                k => k.name().to_owned(),
            },
        })
        .collect()
}

fn kinds<'r>(records: &'r [Record], name: &str) -> Vec<&'r EventKind> {
    events(records)
        .into_iter()
        .map(|e| &e.kind)
        .filter(|k| k.name() == name)
        .collect()
}

fn edit(call: &str, tool: &str, path: &str, op: EditOp, before: &str, after: &str) -> EventKind {
    EventKind::Edit(Edit {
        call_id: Some(call.into()),
        tool: tool.into(),
        path: path.into(),
        op,
        before: before.into(),
        after: after.into(),
        move_to: None,
    })
}

fn outcome(call: &str, ok: bool, exit_code: Option<i32>, tail: Option<&str>) -> EventKind {
    EventKind::Outcome {
        call_id: call.into(),
        ok,
        exit_code,
        output_tail: tail.map(Into::into),
    }
}

/// Records are well-formed: every event follows a Session announcing its session, and
/// ids and ords are unique.
fn assert_consistent(records: &[Record]) {
    let mut current: Option<&str> = None;
    let mut announced = BTreeSet::new();
    let mut ids = BTreeSet::new();
    let mut ords = BTreeSet::new();
    for r in records {
        match r {
            Record::Session(s) => {
                current = Some(&s.id);
                announced.insert(s.id.as_str());
            }
            Record::Event(e) => {
                assert!(
                    announced.contains(e.session_id.as_str()),
                    "unannounced {e:?}"
                );
                if !matches!(e.kind, EventKind::Usage { .. }) {
                    assert_eq!(current, Some(e.session_id.as_str()), "{e:?}");
                }
                assert!(ids.insert(e.id.clone()), "duplicate id {e:?}");
                assert!(
                    ords.insert((e.session_id.clone(), e.ord)),
                    "duplicate ord {e:?}"
                );
            }
        }
    }
}

#[test]
fn normal_session_in_order() {
    let r = read(&fixture(&format!("-home-dev-widget/{MAIN}.jsonl")));
    assert!(r.malformed.is_empty());
    assert_consistent(&r.records);
    let m = |id: &str| format!("usage msg_01Norm{id}");
    let expected = [
        // summary, file-history-snapshot, caveat, /model and its stdout: nothing but the
        // first Session (from the caveat line, which has the envelope).
        format!("session {MAIN} -"),
        "prompt".into(),
        format!("session {MAIN} {SONNET}"),
        "reasoning".into(),
        "reply".into(),
        "edit".into(),
        m("A"),
        "outcome".into(),
        "edit".into(),
        "edit".into(),
        m("B"), // stop_reason on the line: emitted at once
        "outcome".into(),
        "edit".into(),
        m("C"),
        "outcome".into(),
        "reply".into(),
        "edit".into(),
        "edit".into(),
        m("D"),
        "outcome".into(),
        "outcome".into(),
        // progress line: nothing
        "command".into(),
        m("E"),
        "outcome".into(),
        "command".into(),
        m("F"),
        "outcome".into(),
        "plan".into(),
        m("G"), // the TodoWrite result itself is not tracked
        m("H"), // Read call and result: nothing but the usage
        "reply".into(),
        m("I"),
        // system turn_duration: nothing pending
        "prompt".into(),
        format!("session {MAIN} {OPUS}"),
        "edit".into(),
        m("J"),
        "outcome".into(),
        "reply".into(),
        m("K"), // flushed by the interruption line, which itself yields nothing
                // system-reminder and the <synthetic> reply: nothing
    ];
    assert_eq!(tags(&r.records), expected);

    let first = sessions(&r.records)[0];
    assert_eq!(
        *first,
        SessionInfo {
            id: MAIN.into(),
            parent_id: None,
            cwd: Some(W.into()),
            branch: Some("feature/retry".into()),
            model: None,
            started: parse_millis("2026-01-15T09:30:01.037Z"),
            ended: None,
        }
    );
    assert!(events(&r.records).iter().all(|e| e.session_id == MAIN));
}

#[test]
fn normal_session_contents() {
    let r = read(&fixture(&format!("-home-dev-widget/{MAIN}.jsonl")));
    let prompts: Vec<_> = kinds(&r.records, "prompt");
    assert_eq!(
        prompts,
        [
            &EventKind::Prompt {
                text: "Make fetch() retry three times".into()
            },
            // the image block next to it is ignored
            &EventKind::Prompt {
                text: "Also log each retry attempt".into()
            },
        ]
    );
    let nb = format!("{W}/notebooks/demo.ipynb");
    let expected_edits = [
        edit(
            "toolu_01NormEdit",
            "Edit",
            &format!("{W}/src/net.py"),
            EditOp::Update,
            "    return get(url)\n",
            "    for attempt in range(3):\n        try:\n            return get(url)\n        except IOError:\n            pass\n",
        ),
        // relative MultiEdit path joined with the cwd; one Edit per item, same call id
        edit(
            "toolu_01NormMulti",
            "MultiEdit",
            &format!("{W}/src/util.py"),
            EditOp::Update,
            "TIMEOUT = 5",
            "TIMEOUT = 10",
        ),
        edit(
            "toolu_01NormMulti",
            "MultiEdit",
            &format!("{W}/src/util.py"),
            EditOp::Update,
            "RETRIES = 0",
            "RETRIES = 3",
        ),
        edit(
            "toolu_01NormWrite",
            "Write",
            &format!("{W}/tests/test_net.py"),
            EditOp::Write,
            "",
            "from src.net import fetch\n\n\ndef test_retry():\n    assert fetch\n",
        ),
        edit(
            "toolu_01NormNb1",
            "NotebookEdit",
            &nb,
            EditOp::Update,
            "",
            "fetch(URL)  # retries 3x",
        ),
        edit(
            "toolu_01NormNb2",
            "NotebookEdit",
            &nb,
            EditOp::Delete,
            "",
            "",
        ),
        edit(
            "toolu_01NormEdit2",
            "Edit",
            &format!("{W}/src/net.py"),
            EditOp::Update,
            "    return get(url)\n",
            "    log.info(\"retry\")\n    return get(url)\n",
        ),
    ];
    assert_eq!(
        kinds(&r.records, "edit"),
        expected_edits.iter().collect::<Vec<_>>()
    );

    let commands: Vec<_> = kinds(&r.records, "command");
    assert_eq!(
        commands,
        [
            &EventKind::Command {
                call_id: Some("toolu_01NormBash".into()),
                command: "pytest -q".into()
            },
            &EventKind::Command {
                call_id: Some("toolu_01NormRuff".into()),
                command: "ruff check src".into()
            },
        ]
    );
    let expected_outcomes = [
        // edits: no output kept on success
        outcome("toolu_01NormEdit", true, None, None),
        outcome("toolu_01NormMulti", true, None, None),
        outcome("toolu_01NormWrite", true, None, None),
        outcome("toolu_01NormNb1", true, None, None),
        outcome("toolu_01NormNb2", true, None, None),
        outcome(
            "toolu_01NormBash",
            true,
            Some(0),
            Some("...\n3 passed in 0.12s"),
        ),
        outcome(
            "toolu_01NormRuff",
            false,
            Some(1),
            Some("Exit code 1\nsrc/net.py:1:8: F401 [*] `os` imported but unused\nFound 1 error."),
        ),
        // a failed edit keeps the message, without the <tool_use_error> wrapper
        outcome(
            "toolu_01NormEdit2",
            false,
            None,
            Some("String to replace not found in file.\nString:     return get(url)"),
        ),
    ];
    assert_eq!(
        kinds(&r.records, "outcome"),
        expected_outcomes.iter().collect::<Vec<_>>()
    );
    assert_eq!(
        kinds(&r.records, "plan"),
        [&EventKind::Plan {
            items: vec![
                PlanItem {
                    text: "Add retry loop".into(),
                    status: "completed".into()
                },
                PlanItem {
                    text: "Fix lint error".into(),
                    status: "in_progress".into()
                },
                PlanItem {
                    text: "Document retries".into(),
                    status: "pending".into()
                },
            ],
            explanation: None,
        }]
    );
    let replies: Vec<_> = kinds(&r.records, "reply");
    assert_eq!(replies.len(), 4, "the <synthetic> reply is dropped");
    assert_eq!(
        replies[0],
        &EventKind::Reply {
            text: "I'll wrap the call in a retry loop.".into()
        }
    );
    // every edit/command call got its result, so nothing stays pending
    assert!(r.reader.state.pending.is_empty());
}

/// The per-file counts documented in `tests/fixtures/claude/README.md`.
#[test]
fn fixture_counts_match_the_readme() {
    type Counts = &'static [(&'static str, usize)];
    let table: [(&str, usize, Counts); 8] = [
        (
            "-home-dev-widget/5b0c1f2e-8a4d-4c1e-9f3a-1d2e3f4a5b6c.jsonl",
            3,
            &[
                ("prompt", 2),
                ("reasoning", 1),
                ("reply", 4),
                ("edit", 7),
                ("command", 2),
                ("outcome", 8),
                ("plan", 1),
                ("usage", 11),
            ],
        ),
        (
            "-home-dev-widget/7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f.jsonl",
            2,
            &[
                ("prompt", 2),
                ("reply", 2),
                ("edit", 1),
                ("command", 3),
                ("rejection", 2),
                ("outcome", 2),
                ("plan", 1),
                ("usage", 6),
            ],
        ),
        (
            "-home-dev-widget/9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b.jsonl",
            2,
            &[("prompt", 1), ("reply", 1), ("usage", 1)],
        ),
        (
            "-home-dev-widget/agent-a1b2c3d4.jsonl",
            2,
            &[
                ("prompt", 1),
                ("command", 1),
                ("outcome", 1),
                ("reply", 1),
                ("usage", 2),
            ],
        ),
        (
            "-home-dev-widget/5b0c1f2e-8a4d-4c1e-9f3a-1d2e3f4a5b6c/subagents/agent-a5e6f7089.jsonl",
            2,
            &[
                ("prompt", 1),
                ("edit", 1),
                ("outcome", 1),
                ("reply", 1),
                ("usage", 2),
            ],
        ),
        (
            "-home-dev-widget/4d5e6f70-8192-4a3b-8c4d-5e6f708192a3.jsonl",
            6,
            &[
                ("prompt", 2),
                ("edit", 1),
                ("outcome", 1),
                ("reply", 2),
                ("usage", 4),
            ],
        ),
        (
            "-home-dev-widget-src/6e7f8091-a2b3-4c4d-9e5f-60718293a4b5.jsonl",
            2,
            &[("prompt", 1), ("reply", 1), ("usage", 1)],
        ),
        (
            "-home-dev-other/3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7d.jsonl",
            2,
            &[("prompt", 1), ("edit", 1), ("outcome", 1), ("usage", 1)],
        ),
    ];
    for (rel, n_sessions, expected) in table {
        let r = read(&fixture(rel));
        assert_consistent(&r.records);
        assert_eq!(sessions(&r.records).len(), n_sessions, "{rel}");
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for e in events(&r.records) {
            *counts.entry(e.kind.name()).or_default() += 1;
        }
        let expected: BTreeMap<&str, usize> = expected.iter().copied().collect();
        assert_eq!(counts, expected, "{rel}");
    }
}

#[test]
fn usage_once_per_message_with_final_counts() {
    let r = read(&fixture(&format!("-home-dev-widget/{MAIN}.jsonl")));
    let usages: Vec<&Event> = events(&r.records)
        .into_iter()
        .filter(|e| matches!(e.kind, EventKind::Usage { .. }))
        .collect();
    let ids: Vec<&str> = usages
        .iter()
        .map(|e| match &e.kind {
            EventKind::Usage { message_id, .. } => message_id.as_str(),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(ids.len(), 11);
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        11,
        "one per message id"
    );
    // msg A was written over three lines with output_tokens 9, 9, 214: the last one counts.
    let a = &usages[0];
    assert_eq!(
        a.kind,
        EventKind::Usage {
            message_id: "msg_01NormA".into(),
            model: Some(SONNET.into()),
            input: 12,
            output: 214,
            cache_read: 4100,
            cache_write: 310,
        }
    );
    assert_eq!(
        a.id,
        event_id(Agent::ClaudeCode, MAIN, &[b"usage", b"msg_01NormA"])
    );
    // D: two lines, 40 then 77
    assert!(matches!(
        usages[3].kind,
        EventKind::Usage { output: 77, .. }
    ));
    // J was produced by opus after the /model switch
    assert!(
        matches!(&usages[9].kind, EventKind::Usage { message_id, model: Some(m), .. } if message_id == "msg_01NormJ" && m == OPUS)
    );
    assert!(r.reader.state.usage.is_none());
}

#[test]
fn usage_of_the_last_message_waits_in_the_state() {
    let line = |id: &str, out: u64, stop: &str| {
        format!(
            r#"{{"type":"assistant","sessionId":"s1","cwd":"/w","uuid":"u-{id}-{out}","timestamp":"2026-01-15T09:30:00.000Z","message":{{"model":"m","id":"{id}","content":[{{"type":"text","text":"t{out}"}}],"stop_reason":{stop},"usage":{{"input_tokens":1,"output_tokens":{out}}}}}}}"#
        )
    };
    let path = Path::new("/x/s1.jsonl");
    let mut reader = ClaudeReader::open(path, None);
    let mut out = Vec::new();
    reader
        .read_line(line("m1", 1, "null").as_bytes(), 0, &mut out)
        .unwrap();
    reader
        .read_line(line("m1", 50, "null").as_bytes(), 400, &mut out)
        .unwrap();
    assert!(
        kinds(&out, "usage").is_empty(),
        "not known to be complete yet"
    );
    let state = reader.save_state();
    // a later capture resumes and the next line completes it
    let mut reader = ClaudeReader::open(path, Some(&state));
    let mut out = Vec::new();
    let system = r#"{"type":"system","subtype":"turn_duration","sessionId":"s1","cwd":"/w"}"#;
    reader.read_line(system.as_bytes(), 800, &mut out).unwrap();
    assert_eq!(
        kinds(&out, "usage"),
        [&EventKind::Usage {
            message_id: "m1".into(),
            model: Some("m".into()),
            input: 1,
            output: 50,
            cache_read: 0,
            cache_write: 0
        }]
    );
    // an immediate repeat of the emitted message is skipped
    let mut out = Vec::new();
    reader
        .read_line(line("m1", 50, "\"end_turn\"").as_bytes(), 900, &mut out)
        .unwrap();
    assert!(kinds(&out, "usage").is_empty());
    assert_eq!(kinds(&out, "reply").len(), 1);
}

#[test]
fn rejections_with_and_without_reason() {
    let r = read(&fixture(
        "-home-dev-widget/7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f.jsonl",
    ));
    assert!(r.malformed.is_empty());
    assert_consistent(&r.records);
    assert_eq!(
        kinds(&r.records, "rejection"),
        [
            &EventKind::Rejection {
                call_id: Some("toolu_01RejEdit".into()),
                reason: None
            },
            &EventKind::Rejection {
                call_id: Some("toolu_01RejPush".into()),
                reason: Some("don't force-push; open a PR instead".into())
            },
        ]
    );
    // a settings rule is not the human declining: a failed outcome without exit code
    assert_eq!(
        kinds(&r.records, "outcome"),
        [
            &outcome(
                "toolu_01RejRm",
                false,
                None,
                Some("Permission to use Bash with command rm -rf build has been denied.")
            ),
            // result content given as a list of text blocks
            &outcome(
                "toolu_01RejPr",
                true,
                Some(0),
                Some("https://github.com/dev/widget/pull/7")
            ),
        ]
    );
    // the declined ExitPlanMode is not a tracked call: its plan stays, no rejection
    assert_eq!(
        kinds(&r.records, "plan"),
        [&EventKind::Plan {
            items: vec![],
            explanation: Some("## Plan\n1. Push the branch without force\n2. Open a PR".into())
        }]
    );
    // "[Request interrupted by user for tool use]" is not a prompt
    let prompts: Vec<_> = kinds(&r.records, "prompt");
    assert_eq!(
        prompts,
        [
            &EventKind::Prompt {
                text: "Remove the legacy config loader".into()
            },
            &EventKind::Prompt {
                text: "Keep the loader, just push the branch".into()
            },
        ]
    );
    assert_eq!(kinds(&r.records, "usage").len(), 6);
}

#[test]
fn truncated_last_line_is_malformed_and_the_rest_reads() {
    let r = read(&fixture(
        "-home-dev-widget/9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b.jsonl",
    ));
    assert_eq!(r.malformed, [2]);
    assert_eq!(
        tags(&r.records),
        [
            "session 9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b -".to_owned(),
            "prompt".into(),
            format!("session 9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b {SONNET}"),
            "reply".into(),
            "usage msg_01TrunA".into(),
        ]
    );
}

#[test]
fn foreign_project_reports_its_own_cwd() {
    let r = read(&fixture(
        "-home-dev-other/3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7d.jsonl",
    ));
    let s = sessions(&r.records);
    assert!(
        s.iter()
            .all(|s| s.cwd.as_deref() == Some("/home/dev/other"))
    );
    assert!(!crate::agents::is_inside("/home/dev/other", Path::new(W)));
    assert_eq!(
        kinds(&r.records, "edit"),
        [&edit(
            "toolu_01OthEdit",
            "Edit",
            "/home/dev/other/README.md",
            EditOp::Update,
            "teh",
            "the"
        )]
    );
}

#[test]
fn sub_agents_are_their_own_sessions() {
    let old = read(&fixture("-home-dev-widget/agent-a1b2c3d4.jsonl"));
    let new = read(&fixture(&format!(
        "-home-dev-widget/{MAIN}/subagents/agent-a5e6f7089.jsonl"
    )));
    for (r, id) in [(&old, "agent-a1b2c3d4"), (&new, "agent-a5e6f7089")] {
        assert!(r.malformed.is_empty());
        assert_consistent(&r.records);
        let s = sessions(&r.records);
        assert_eq!(s.len(), 2, "announced, then again once the model is known");
        for s in &s {
            assert_eq!(s.id, id);
            assert_eq!(s.parent_id.as_deref(), Some(MAIN));
            assert_eq!(s.cwd.as_deref(), Some(W));
        }
        assert_eq!(s[1].model.as_deref(), Some(HAIKU));
        assert!(events(&r.records).iter().all(|e| e.session_id == id));
    }
    assert_eq!(
        kinds(&old.records, "prompt"),
        [&EventKind::Prompt {
            text: "Find every caller of fetch() and list them".into()
        }]
    );
    assert_eq!(
        kinds(&old.records, "outcome"),
        [&outcome(
            "toolu_01AgtGrep",
            true,
            Some(0),
            Some("src/net.py:3:def fetch(url):\nsrc/app.py:10:    data = fetch(URL)")
        )]
    );
    // relative Write path joined with the cwd; the progress line yields nothing
    assert_eq!(
        kinds(&new.records, "edit"),
        [&edit(
            "toolu_01NewWrite",
            "Write",
            &format!("{W}/docs/retry.md"),
            EditOp::Write,
            "",
            "# Retries\n\nfetch() retries three times.\n"
        )]
    );
    // prompt, edit, usage + outcome, reply + usage
    assert_eq!(tags(&new.records).len(), 2 + 6);
}

#[test]
fn sidechain_id_prefix_is_not_doubled_and_file_name_is_a_fallback() {
    let rec = |agent: &str| {
        format!(
            r#"{{"type":"user","isSidechain":true,{agent}"sessionId":"p","cwd":"/w","uuid":"u1","message":{{"role":"user","content":"go"}}}}"#
        )
    };
    let first_session = |path: &str, line: String| {
        let mut out = Vec::new();
        ClaudeReader::open(Path::new(path), None)
            .read_line(line.as_bytes(), 0, &mut out)
            .unwrap();
        let Record::Session(s) = &out[0] else {
            panic!("{out:?}")
        };
        (s.id.clone(), s.parent_id.clone())
    };
    let p = Some("p".to_owned());
    assert_eq!(
        first_session("/x/p.jsonl", rec(r#""agentId":"agent-77","#)),
        ("agent-77".into(), p.clone())
    );
    assert_eq!(
        first_session("/x/p.jsonl", rec(r#""agentId":"77","#)),
        ("agent-77".into(), p.clone())
    );
    assert_eq!(
        first_session("/x/agent-99.jsonl", rec("")),
        ("agent-99".into(), p.clone())
    );
    assert_eq!(
        first_session("/x/p.jsonl", rec("")),
        ("sidechain-u1".into(), p)
    );
}

#[test]
fn inline_sidechains_of_old_clis_are_split_off() {
    let leg = "4d5e6f70-8192-4a3b-8c4d-5e6f708192a3";
    let side = "sidechain-a8000000-0000-4000-8000-000000000003";
    let r = read(&fixture(&format!("-home-dev-widget/{leg}.jsonl")));
    assert_consistent(&r.records);
    assert_eq!(
        tags(&r.records),
        [
            format!("session {leg} -"),
            "prompt".into(),
            format!("session {leg} {SONNET}"),
            // the Task call: nothing but its usage, flushed before the switch
            "usage msg_01LegA".into(),
            format!("session {side} -"),
            "prompt".into(),
            format!("session {side} {HAIKU}"),
            "edit".into(),
            "usage msg_01LegB".into(),
            "outcome".into(),
            "reply".into(),
            "usage msg_01LegC".into(),
            // back in the parent: its model is learned again, not inherited from the side
            format!("session {leg} -"),
            format!("session {leg} {SONNET}"),
            "reply".into(),
            "usage msg_01LegD".into(),
        ]
    );
    let s = sessions(&r.records);
    assert_eq!(s[2].parent_id.as_deref(), Some(leg));
    assert_eq!(s[4].parent_id, None);
    let ev = events(&r.records);
    assert_eq!(ev[0].session_id, leg);
    assert_eq!(
        ev[0].kind,
        EventKind::Prompt {
            text: "Add a CHANGELOG entry".into()
        }
    );
    assert_eq!(ev[1].session_id, leg, "usage of the parent's Task call");
    assert_eq!(ev[2].session_id, side);
    assert_eq!(
        ev[2].kind,
        EventKind::Prompt {
            text: "Write a CHANGELOG entry for the retry feature".into()
        }
    );
    assert_eq!(
        kinds(&r.records, "edit"),
        [&edit(
            "toolu_01LegEdit",
            "Edit",
            &format!("{W}/CHANGELOG.md"),
            EditOp::Update,
            "## Unreleased\n",
            "## Unreleased\n- fetch() retries three times\n"
        )]
    );
}

#[test]
fn boilerplate_is_not_a_prompt() {
    for t in [
        "<command-name>/clear</command-name>\n<command-message>clear</command-message>\n<command-args></command-args>",
        "<command-message>model</command-message>\n<command-name>/model</command-name>",
        "<local-command-stdout>Goodbye!</local-command-stdout>",
        "<local-command-caveat>Caveat: ...</local-command-caveat>",
        "<system-reminder>\nfile changed\n</system-reminder>",
        "Caveat: The messages below were generated by the user while running local commands.",
        "[Request interrupted by user]",
        "[Request interrupted by user for tool use]",
        "<bash-input>ls</bash-input>",
        "<bash-stdout>a b</bash-stdout><bash-stderr></bash-stderr>",
        "<ide_opened_file>The user opened the file /w/a.rs in the IDE.</ide_opened_file>",
        "This session is being continued from a previous conversation that ran out of context.",
        "   \n ",
    ] {
        assert_eq!(prompt_text(t), None, "{t}");
    }
    assert_eq!(
        prompt_text("  fix the bug \n").as_deref(),
        Some("fix the bug")
    );
    // prompt-producing slash commands are what the human asked for
    assert_eq!(
        prompt_text("<command-message>init is analyzing your codebase…</command-message>\n<command-name>/init</command-name>").as_deref(),
        Some("/init")
    );
    assert_eq!(
        prompt_text("<command-message>orchestrator is running…</command-message>\n<command-name>/orchestrator</command-name>\n<command-args>create TODO app</command-args>").as_deref(),
        Some("/orchestrator create TODO app")
    );
}

#[test]
fn meta_and_compact_summary_records_are_not_prompts() {
    for flag in ["\"isMeta\":true", "\"isCompactSummary\":true"] {
        let line = format!(
            r#"{{"type":"user",{flag},"sessionId":"s","cwd":"/w","uuid":"u","message":{{"role":"user","content":[{{"type":"text","text":"Please analyze this codebase"}}]}}}}"#
        );
        let mut out = Vec::new();
        ClaudeReader::open(Path::new("/x/s.jsonl"), None)
            .read_line(line.as_bytes(), 0, &mut out)
            .unwrap();
        assert!(kinds(&out, "prompt").is_empty(), "{flag}");
    }
}

#[test]
fn bad_lines() {
    let mut reader = ClaudeReader::open(Path::new("/x/s.jsonl"), None);
    let mut out = Vec::new();
    assert_eq!(
        reader.read_line(b"[1,2]", 0, &mut out),
        Err(Skip::Malformed)
    );
    assert_eq!(
        reader.read_line(b"{\"type\":\"user\"", 0, &mut out),
        Err(Skip::Malformed)
    );
    assert_eq!(
        reader.read_line(b"{} trailing", 0, &mut out),
        Err(Skip::Malformed)
    );
    assert_eq!(reader.read_line(b"   ", 0, &mut out), Ok(()));
    // Valid JSON in a shape we do not know is not damage: the odd field costs the field
    // (no prompt from `content: 42`), the record still announces its session.
    let odd = br#"{"type":"user","sessionId":"s","message":{"role":"user","content":42}}"#;
    assert_eq!(reader.read_line(odd, 0, &mut out), Ok(()));
    assert!(events(&out).is_empty());
    assert_eq!(sessions(&out).len(), 1);
    out.clear();
    assert_eq!(
        reader.read_line(
            br#"{"type":"queue-operation","operation":"enqueue"}"#,
            0,
            &mut out
        ),
        Ok(())
    );
    assert!(out.is_empty());
}

#[test]
fn event_ids_come_from_uuid_and_item_or_from_the_line() {
    let with_uuid = br#"{"type":"user","sessionId":"s","cwd":"/w","uuid":"u-1","message":{"role":"user","content":"hi"}}"#;
    let without =
        br#"{"type":"user","sessionId":"s","cwd":"/w","message":{"role":"user","content":"hi"}}"#;
    let first_event = |line: &[u8]| {
        let mut out = Vec::new();
        ClaudeReader::open(Path::new("/x/s.jsonl"), None)
            .read_line(line, 7, &mut out)
            .unwrap();
        events(&out)[0].clone()
    };
    let e = first_event(with_uuid);
    assert_eq!(e.id, event_id(Agent::ClaudeCode, "s", &[b"u-1", b"0"]));
    assert_eq!(e.ord, 7 * 1024);
    assert_eq!(
        first_event(without).id,
        event_id(
            Agent::ClaudeCode,
            "s",
            &[&crate::model::line_key(without), b"0"]
        )
    );
}

#[test]
fn save_and_restore_at_every_line_equals_one_pass() {
    let files = discover(&home(), Path::new(W));
    assert!(files.len() >= 6);
    let mut all = files;
    all.push(fixture(
        "-home-dev-other/3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7d.jsonl",
    ));
    for path in all {
        let bytes = std::fs::read(&path).unwrap();
        let lines = split(&bytes);
        let whole = read_lines(&path, &lines, None);
        for k in 0..=lines.len() {
            let a = read_lines(&path, &lines[..k], None);
            let state = a.reader.save_state();
            let b = read_lines(&path, &lines[k..], Some(&state));
            let mut joined = a.records;
            joined.extend(b.records);
            assert_eq!(
                joined,
                whole.records,
                "{} split at line {k}",
                path.display()
            );
            assert_eq!(b.reader.state, whole.reader.state);
        }
    }
}

#[test]
fn unreadable_state_starts_fresh() {
    let r = ClaudeReader::open(Path::new("/x/s.jsonl"), Some("not json"));
    assert_eq!(r.state, State::default());
    let r = ClaudeReader::open(Path::new("/x/s.jsonl"), Some(""));
    assert_eq!(r.state, State::default());
}

#[test]
fn pending_calls_are_bounded() {
    let mut reader = ClaudeReader::open(Path::new("/x/s.jsonl"), None);
    for i in 0..(MAX_PENDING + 10) {
        let line = format!(
            r#"{{"type":"assistant","sessionId":"s","cwd":"/w","uuid":"u{i}","message":{{"model":"m","id":"m{i}","content":[{{"type":"tool_use","id":"t{i}","name":"Bash","input":{{"command":"true"}}}}]}}}}"#
        );
        reader
            .read_line(line.as_bytes(), i as u64 * 1000, &mut Vec::new())
            .unwrap();
    }
    assert_eq!(reader.state.pending.len(), MAX_PENDING);
    assert_eq!(reader.state.pending[0].0, "t10", "the oldest are dropped");
}

#[test]
fn text_helpers() {
    assert_eq!(exit_code("Exit code 127\nnot found"), Some(127));
    assert_eq!(exit_code("Exit code -1"), Some(-1));
    assert_eq!(exit_code("error: no"), None);
    let long: String = (0..500).map(|i| format!("line {i} ✓\n")).collect();
    let t = tail(&long, OUTPUT_TAIL).unwrap();
    assert!(t.len() <= OUTPUT_TAIL);
    assert!(t.starts_with("line "), "starts on a whole line: {t:.20}");
    assert!(t.ends_with("line 499 ✓"));
    let one_line = "é".repeat(3000);
    let t = tail(&one_line, OUTPUT_TAIL).unwrap();
    assert!(
        t.len() <= OUTPUT_TAIL && t.len() >= OUTPUT_TAIL - 1,
        "cut on a char boundary"
    );
    assert_eq!(tail(" \n", OUTPUT_TAIL), None);
    assert_eq!(head(&one_line, EDIT_ERROR).unwrap().len(), EDIT_ERROR);
    assert_eq!(absolute("src/a.rs", Some("/w")), "/w/src/a.rs");
    assert_eq!(absolute("./src/a.rs", Some("/w")), "/w/src/a.rs");
    assert_eq!(absolute("/abs/a.rs", Some("/w")), "/abs/a.rs");
    assert_eq!(absolute("C:\\w\\a.rs", Some("/w")), "C:\\w\\a.rs");
    assert_eq!(absolute("a.rs", None), "a.rs");
}

#[test]
fn project_dir_encoding() {
    for (path, enc) in [
        ("/home/alice/code/widget", "-home-alice-code-widget"),
        ("/Users/bob/my_proj.v2", "-Users-bob-my-proj-v2"),
        ("/Users/me/.agents", "-Users-me--agents"),
        ("C:\\Users\\x\\proj", "C--Users-x-proj"),
        ("/home/dev/widget", "-home-dev-widget"),
        ("/tmp/café", "-tmp-caf-"),
        ("/tmp/a🎉b", "-tmp-a--b"),
    ] {
        assert_eq!(encode_project_dir(Path::new(path)), enc, "{path}");
    }
}

#[test]
fn discover_on_a_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let root = Path::new("/srv/my_app");
    let projects = home.join("projects");
    let touch = |rel: &str| {
        let p = projects.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "{}\n").unwrap();
        p
    };
    let mut expected = vec![
        touch("-srv-my-app/s1.jsonl"),
        touch("-srv-my-app/agent-0a1b2c3d.jsonl"),
        touch("-srv-my-app/s1/subagents/agent-a77.jsonl"),
        touch("-srv-my-app-src/s2.jsonl"),
    ];
    touch("-srv-my-app/notes.txt");
    touch("-srv-my-app/s1/tool-results/toolu_1.txt");
    touch("-srv-my-app/s1/other/deep.jsonl");
    touch("-srv-my-appx/s3.jsonl");
    touch("-srv-other/s4.jsonl");
    expected.sort();
    assert_eq!(discover(home, root), expected);
    assert!(discover(&home.join("missing"), root).is_empty());
    assert!(discover(home, Path::new("/nowhere")).is_empty());
}

#[test]
fn discover_the_fixtures() {
    let found: Vec<String> = discover(&home(), Path::new(W))
        .iter()
        .map(|p| {
            p.strip_prefix(home().join("projects"))
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(
        found,
        // paths sort component-wise: a directory before the file named like it + ".jsonl"
        [
            "-home-dev-widget/4d5e6f70-8192-4a3b-8c4d-5e6f708192a3.jsonl",
            "-home-dev-widget/5b0c1f2e-8a4d-4c1e-9f3a-1d2e3f4a5b6c/subagents/agent-a5e6f7089.jsonl",
            "-home-dev-widget/5b0c1f2e-8a4d-4c1e-9f3a-1d2e3f4a5b6c.jsonl",
            "-home-dev-widget/7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f.jsonl",
            "-home-dev-widget/9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b.jsonl",
            "-home-dev-widget/agent-a1b2c3d4.jsonl",
            "-home-dev-widget-src/6e7f8091-a2b3-4c4d-9e5f-60718293a4b5.jsonl",
        ]
    );
    let sub = read(&home().join("projects").join(&found[6]));
    assert_eq!(
        sessions(&sub.records)[0].cwd.as_deref(),
        Some("/home/dev/widget/src")
    );
}

fn samples() -> Option<Vec<PathBuf>> {
    // `../shared` from the main checkout; one more level up from a worktree in `wt/<name>`.
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = ["..", "../.."].map(|up| manifest.join(up).join("shared/samples/real/claude-code"));
    let Some(entries) = dirs.iter().find_map(|d| std::fs::read_dir(d).ok()) else {
        eprintln!("skipped: no real samples at {}", dirs[0].display());
        return None;
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| is_jsonl(p))
        .collect();
    files.sort();
    Some(files)
}

#[test]
fn real_samples_read_plausibly() {
    let Some(files) = samples() else { return };
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let lines = split(&bytes);
        let r = read_lines(&path, &lines, None);
        assert_consistent(&r.records);
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for e in events(&r.records) {
            *counts.entry(e.kind.name()).or_default() += 1;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        eprintln!(
            "{name}: {} lines, {} malformed, {} session records, {counts:?}",
            lines.len(),
            r.malformed.len(),
            sessions(&r.records).len()
        );
        // a line is malformed only when it really is not JSON
        for &i in &r.malformed {
            assert!(
                serde_json::from_slice::<Value>(lines[i].1).is_err(),
                "{name} line {i}"
            );
        }
        assert!(
            counts.get("prompt").copied().unwrap_or(0) > 0,
            "{name} has prompts"
        );
        // usage: one per distinct non-synthetic message id (the last may still be pending)
        let mut ids = BTreeSet::new();
        for (_, line) in &lines {
            let Ok(v) = serde_json::from_slice::<Value>(line) else {
                continue;
            };
            let m = &v["message"];
            if v["type"] == "assistant"
                && m["model"] != "<synthetic>"
                && m["usage"].is_object()
                && let Some(id) = m["id"].as_str()
            {
                ids.insert(id.to_owned());
            }
        }
        let pending = usize::from(r.reader.state.usage.is_some());
        assert_eq!(
            counts.get("usage").copied().unwrap_or(0) + pending,
            ids.len(),
            "{name}"
        );
        // every outcome/rejection answers an edit or command seen before
        let mut calls = BTreeSet::new();
        for e in events(&r.records) {
            match &e.kind {
                EventKind::Edit(_) | EventKind::Command { .. } => {
                    calls.insert(e.kind.call_id().unwrap().to_owned());
                }
                EventKind::Outcome { .. } | EventKind::Rejection { .. } => {
                    assert!(calls.contains(e.kind.call_id().unwrap()), "{name}: {e:?}");
                }
                _ => {}
            }
        }
    }
}
