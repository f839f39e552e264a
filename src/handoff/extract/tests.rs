//! Extraction rules on hand-built sessions: each rule with the evidence that triggers it and
//! the evidence that must not.

use super::*;
use crate::handoff::scope::{Noted, SessionData};
use crate::model::{Agent, Event, Session, SessionInfo};
use crate::notes::SessionRecord;
use std::path::Path;

const T: i64 = 1_768_469_400; // 2026-01-15T09:30:00Z, seconds

fn ev(session: &str, sec: i64, kind: EventKind) -> Event {
    Event {
        id: format!("{session}-{sec}"),
        session_id: session.into(),
        at: Some((T + sec) * 1000),
        ord: sec,
        kind,
    }
}

fn prompt(s: &str, sec: i64, text: &str) -> Event {
    ev(s, sec, EventKind::Prompt { text: text.into() })
}

fn reply(s: &str, sec: i64, text: &str) -> Event {
    ev(s, sec, EventKind::Reply { text: text.into() })
}

fn edit(s: &str, sec: i64, call: &str, path: &Path, before: &str, after: &str) -> Event {
    ev(
        s,
        sec,
        EventKind::Edit(Edit {
            call_id: Some(call.into()),
            tool: "Edit".into(),
            path: path.to_string_lossy().into_owned(),
            op: EditOp::Update,
            before: before.into(),
            after: after.into(),
            move_to: None,
        }),
    )
}

fn outcome(s: &str, sec: i64, call: &str, ok: bool, tail: Option<&str>) -> Event {
    ev(
        s,
        sec,
        EventKind::Outcome {
            call_id: call.into(),
            ok,
            exit_code: (!ok).then_some(1),
            output_tail: tail.map(String::from),
        },
    )
}

fn command(s: &str, sec: i64, call: &str, cmd: &str) -> Event {
    ev(
        s,
        sec,
        EventKind::Command {
            call_id: Some(call.into()),
            command: cmd.into(),
        },
    )
}

fn session(agent: Agent, id: &str, parent: Option<&str>, events: Vec<Event>) -> SessionData {
    SessionData {
        session: Session {
            agent,
            info: SessionInfo {
                id: id.into(),
                parent_id: parent.map(String::from),
                branch: Some("feature".into()),
                started: events.first().and_then(|e| e.at),
                ..SessionInfo::default()
            },
        },
        events,
        via: Via::Branch,
    }
}

fn meta(root: &Path) -> Meta {
    Meta {
        scope: "branch feature".into(),
        branch: Some("feature".into()),
        target: Target::Generic,
        created: (T + 3600) * 1000,
        root: root.to_path_buf(),
        brief_path: None,
        resume: None,
    }
}

fn brief(root: &Path, sessions: Vec<SessionData>) -> Brief {
    let m = Material {
        sessions,
        ..Material::default()
    };
    extract(
        &m,
        &Tree::new(root, HashMap::new(), HashMap::new()),
        meta(root),
    )
}

fn texts(items: &[Item]) -> Vec<&str> {
    items.iter().map(|i| i.text.as_str()).collect()
}

fn has(items: &[Item], needle: &str) -> bool {
    items.iter().any(|i| i.text.contains(needle))
}

#[test]
fn prompts_are_goal_confirmation_correction_or_redirection() {
    assert!(is_confirmation("yes, go ahead"));
    assert!(is_confirmation("LGTM"));
    assert!(!is_confirmation("yes but not like that"));
    assert!(!is_confirmation(
        "ok, now add tests for the retry loop please"
    ));
    assert!(!is_confirmation("no"));
    assert!(is_correction("No, don't change the signature"));
    assert!(is_correction("don't touch the tests"));
    assert!(is_correction("Stop. Revert that."));
    assert!(!is_correction(
        "Now add a --dry-run flag; don't print colours"
    ));
    assert!(!is_correction("Notice the bug in parse()"));
    assert_eq!(
        directives("Add a flag. It must default to off. What do you think? Keep it short."),
        vec!["It must default to off.", "Keep it short."]
    );
    assert_eq!(
        questions("Done.\n```\nx = a?b\n```\nShould I add tests? Or stop here?"),
        vec!["Should I add tests?", "Or stop here?"]
    );
    assert_eq!(
        next_step("I fixed it. Next, I'll run the tests. Good.").as_deref(),
        Some("Next, I'll run the tests.")
    );
}

#[test]
fn goal_confirmations_and_corrections_land_in_their_sections() {
    let dir = tempfile::tempdir().unwrap();
    let s = "s1";
    let b = brief(
        dir.path(),
        vec![session(
            Agent::ClaudeCode,
            s,
            None,
            vec![
                prompt(
                    s,
                    1,
                    "Add caching to the client. Always use the existing LRU helper.",
                ),
                reply(s, 2, "I can cache per host. Should I cache errors too?"),
                prompt(s, 3, "yes"),
                prompt(s, 4, "no, don't cache 5xx responses"),
                prompt(s, 5, "Now add a --no-cache flag"),
            ],
        )],
    );
    assert!(b.task[0].pinned);
    assert_eq!(
        b.task[0].quote.as_deref(),
        Some("Add caching to the client. Always use the existing LRU helper.")
    );
    assert!(has(&b.task, "Then asked: \"Now add a --no-cache flag\""));
    assert_eq!(b.task.len(), 2, "{:?}", texts(&b.task));
    assert!(has(
        &b.decided,
        "User confirmed \"yes\" in answer to \"Should I cache errors too?\""
    ));
    assert!(has(
        &b.decided,
        "Instruction: \"Always use the existing LRU helper.\""
    ));
    assert!(has(
        &b.rejected,
        "User correction: \"no, don't cache 5xx responses\""
    ));
    // The question was answered by the later prompts.
    assert!(!has(&b.open, "Should I cache errors"));
    // Citations point at the session and the time of the event.
    let c = &b.task[0].cite;
    assert_eq!((c.agent.as_str(), c.session.as_str()), ("claude-code", s));
    assert_eq!(c.at, Some((T + 1) * 1000));
}

#[test]
fn edits_kept_reverted_deleted_failed_and_declined() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("a.py"), "def f():\n    return 2\n").unwrap();
    let a = root.join("a.py");
    let gone = root.join("gone.py");
    let s = "s1";
    let b = brief(
        root,
        vec![session(
            Agent::Codex,
            s,
            None,
            vec![
                prompt(s, 1, "Fix f"),
                // Kept: its line is in the file.
                edit(s, 2, "c1", &a, "    return 1\n", "    return 2\n"),
                outcome(s, 3, "c1", true, None),
                // Reverted: nothing later replaced it, but its line is gone.
                edit(
                    s,
                    4,
                    "c2",
                    &a,
                    "def f():\n",
                    "def f():\n    log('called')\n",
                ),
                outcome(s, 5, "c2", true, None),
                // Its file is gone.
                edit(s, 6, "c3", &gone, "", "print('x')\n"),
                // Failed to apply.
                edit(s, 7, "c4", &a, "nope\n", "still nope\n"),
                outcome(
                    s,
                    8,
                    "c4",
                    false,
                    Some("String to replace not found in file."),
                ),
                // Declined without a reason.
                edit(s, 9, "c5", &a, "    return 2\n", "    return 3\n"),
                ev(
                    s,
                    10,
                    EventKind::Rejection {
                        call_id: Some("c5".into()),
                        reason: None,
                    },
                ),
                // A rejection not tied to a known call.
                ev(
                    s,
                    11,
                    EventKind::Rejection {
                        call_id: None,
                        reason: Some("not now".into()),
                    },
                ),
            ],
        )],
    );
    assert!(
        has(
            &b.decided,
            "`a.py`: 1 applied edit is still in the working tree (+1 −1, by codex)"
        ),
        "{:?}",
        texts(&b.decided)
    );
    assert!(
        has(
            &b.rejected,
            "Edit to `a.py` (Edit) that wrote `log('called')` was reverted: none of its lines are in the working tree"
        ),
        "{:?}",
        texts(&b.rejected)
    );
    assert!(has(
        &b.rejected,
        "Edit to `gone.py` (Edit) that wrote `print('x')` is gone: the file no longer exists"
    ));
    assert!(has(
        &b.rejected,
        "Edit to `a.py` (Edit) failed to apply: String to replace not found in file."
    ));
    assert!(has(
        &b.rejected,
        "Declined edit to `a.py` (Edit) that would have written `return 3`; no reason given"
    ));
    assert!(has(
        &b.rejected,
        "Declined a tool use; the user said: \"not now\""
    ));
    // The last edit was declined: resume says so rather than pointing into the file.
    assert!(
        b.resume[0]
            .text
            .starts_with("Last edit proposed: `a.py` (Edit), declined")
    );
    let f = b.files.iter().find(|f| f.path == "a.py").unwrap();
    assert_eq!((f.applied, f.declined, f.failed), (2, 1, 1));
    let g = b.files.iter().find(|f| f.path == "gone.py").unwrap();
    assert_eq!(g.state, FileState::Missing);
    assert_eq!(g.snippet, None);
}

#[test]
fn commands_fixed_later_are_not_findings_and_unfinished_ones_are_open() {
    let dir = tempfile::tempdir().unwrap();
    let s = "s1";
    let b = brief(
        dir.path(),
        vec![session(
            Agent::ClaudeCode,
            s,
            None,
            vec![
                prompt(s, 1, "Make the build pass"),
                command(s, 2, "k1", "cargo  build"),
                outcome(s, 3, "k1", false, Some("error[E0308]: mismatched types")),
                command(s, 4, "k2", "cargo build"),
                outcome(s, 5, "k2", true, None),
                command(s, 6, "k3", "cargo test"),
                outcome(s, 7, "k3", false, Some("line 1\nline 2\ntest x ... FAILED")),
                command(s, 8, "k4", "cargo bench"),
            ],
        )],
    );
    assert!(!has(&b.rejected, "cargo build") && !has(&b.open, "cargo build"));
    let last = b
        .open
        .iter()
        .find(|i| i.text.starts_with("Last failing command"))
        .unwrap();
    assert_eq!(last.text, "Last failing command: `cargo test` (exit 1)");
    assert_eq!(
        last.detail.as_deref(),
        Some("line 1\nline 2\ntest x ... FAILED")
    );
    assert!(last.pinned);
    assert!(has(&b.open, "Command `cargo bench` never finished"));
}

#[test]
fn plans_merge_across_sessions_by_item_text() {
    let dir = tempfile::tempdir().unwrap();
    let plan = |s: &str, sec, items: &[(&str, &str)]| {
        ev(
            s,
            sec,
            EventKind::Plan {
                items: items
                    .iter()
                    .map(|(t, st)| PlanItem {
                        text: t.to_string(),
                        status: st.to_string(),
                    })
                    .collect(),
                explanation: None,
            },
        )
    };
    let b = brief(
        dir.path(),
        vec![
            session(
                Agent::ClaudeCode,
                "a",
                None,
                vec![
                    prompt("a", 1, "Ship it"),
                    plan(
                        "a",
                        2,
                        &[("Write code", "in_progress"), ("Write docs", "pending")],
                    ),
                    plan(
                        "a",
                        3,
                        &[("Write code", "completed"), ("Write docs", "pending")],
                    ),
                ],
            ),
            session(
                Agent::Codex,
                "b",
                None,
                vec![plan(
                    "b",
                    10,
                    &[("write docs", "in_progress"), ("Release", "pending")],
                )],
            ),
        ],
    );
    assert!(has(&b.decided, "Done (plan): Write code"));
    assert!(has(&b.open, "In progress (plan): write docs"));
    assert!(
        !has(&b.open, "To do (plan): Write docs"),
        "{:?}",
        texts(&b.open)
    );
    assert!(has(&b.open, "To do (plan): Release"));
    assert!(has(&b.resume, "The plan item in progress: write docs"));
}

#[test]
fn briefs_and_sub_agent_tasks_are_not_human_prompts() {
    let dir = tempfile::tempdir().unwrap();
    let injected = crate::handoff::inject::first_message("# Handoff: old brief");
    let b = brief(
        dir.path(),
        vec![
            session(
                Agent::ClaudeCode,
                "resumed",
                None,
                vec![
                    prompt("resumed", 1, &injected),
                    prompt("resumed", 2, "Carry on with the parser"),
                ],
            ),
            session(
                Agent::ClaudeCode,
                "agent-x",
                Some("resumed"),
                vec![prompt("agent-x", 3, "Search the code base for parse()")],
            ),
        ],
    );
    assert_eq!(b.task[0].quote.as_deref(), Some("Carry on with the parser"));
    assert!(
        !b.task
            .iter()
            .any(|i| i.quote.as_deref().unwrap_or(&i.text).contains("old brief"))
    );
    assert!(!has(&b.task, "Search the code base"));
    assert!(b.sessions[0].resumed);
    assert_eq!(b.sessions[0].prompts, 1);
    assert_eq!(b.sessions[1].parent.as_deref(), Some("resumed"));
}

#[test]
fn locate_finds_the_written_line_despite_reindenting() {
    let lines: Vec<String> = "a\nb\n        if x:\n            y()\nc\n"
        .lines()
        .map(String::from)
        .collect();
    let e = Edit {
        call_id: None,
        tool: "Edit".into(),
        path: "/r/f.py".into(),
        op: EditOp::Update,
        before: "b\n".into(),
        after: "b\n    if x:\n        y()\n".into(),
        move_to: None,
    };
    // Block starts at line index 1 ("b"); the first line it wrote is line 3.
    assert_eq!(locate(&lines, &e), Some((1, 3)));
}

/// A hunk of one-letter lines (Codex `e / -f / +F`) was "no longer in the file" in the brief
/// because no line was long enough to anchor on.
#[test]
fn locate_finds_a_block_of_short_lines_only_where_all_of_it_is() {
    let lines: Vec<String> = "a\nB\nc\nd\ne\nF\n".lines().map(String::from).collect();
    let e = Edit {
        call_id: None,
        tool: "apply_patch".into(),
        path: "/r/notes.txt".into(),
        op: EditOp::Update,
        before: "e\nf\n".into(),
        after: "e\nF\n".into(),
        move_to: None,
    };
    assert_eq!(locate(&lines, &e), Some((4, 6)));
    let gone = Edit {
        after: "e\nG\n".into(),
        ..e
    };
    assert_eq!(
        locate(&lines, &gone),
        None,
        "half a block of short lines is no match"
    );
}

#[test]
fn long_files_show_changed_regions_with_context() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut text: Vec<String> = (1..=200).map(|n| format!("line {n}")).collect();
    text[99] = "CHANGED BY AGENT".into();
    std::fs::write(root.join("big.txt"), text.join("\n") + "\n").unwrap();
    let s = "s1";
    let m = Material {
        sessions: vec![session(
            Agent::ClaudeCode,
            s,
            None,
            vec![
                prompt(s, 1, "change line 100"),
                edit(
                    s,
                    2,
                    "c1",
                    &root.join("big.txt"),
                    "line 100\n",
                    "CHANGED BY AGENT\n",
                ),
            ],
        )],
        ..Material::default()
    };
    let mut hunks = HashMap::new();
    hunks.insert("big.txt".to_string(), vec![(150, 1)]);
    let b = extract(&m, &Tree::new(root, HashMap::new(), hunks), meta(root));
    let sn = b.files[0].snippet.as_ref().expect("snippet");
    assert!(!sn.whole);
    assert_eq!(sn.total, 200);
    assert_eq!(sn.blocks.len(), 2);
    assert_eq!(sn.blocks[0].0, 98);
    assert_eq!(
        sn.blocks[0].1,
        vec![
            "line 98",
            "line 99",
            "CHANGED BY AGENT",
            "line 101",
            "line 102"
        ]
    );
    assert_eq!(sn.blocks[1].0, 148);
    assert_eq!(b.resume[0].text, "Last edit: `big.txt:100` (Edit)");
}

#[test]
fn what_only_a_note_knows_is_cited_to_its_commit() {
    let dir = tempfile::tempdir().unwrap();
    let mut rec = SessionRecord::new("teammate-1");
    rec.agent = "codex".into();
    rec.ended = Some(T * 1000);
    rec.prompts
        .insert("k".into(), "Port the parser to nom".into());
    rec.decisions.insert("done: port lexer".into());
    rec.rejected_approaches
        .insert("declined command `rm -rf vendor`".into());
    let m = Material {
        noted: vec![Noted {
            record: rec,
            commit: "3f2c9a1d0b7e6c5a".into(),
        }],
        ..Material::default()
    };
    let root = dir.path();
    let b = extract(
        &m,
        &Tree::new(root, HashMap::new(), HashMap::new()),
        meta(root),
    );
    let p = b
        .task
        .iter()
        .find(|i| i.text.contains("Port the parser to nom"))
        .unwrap();
    assert_eq!(p.cite.commit.as_deref(), Some("3f2c9a1d0b7e6c5a"));
    assert!(has(&b.decided, "Recorded decision: done: port lexer"));
    assert!(has(
        &b.rejected,
        "Recorded: declined command `rm -rf vendor`"
    ));
    assert_eq!(b.sessions[0].noted.as_deref(), Some("3f2c9a1d0b7e6c5a"));
}

#[test]
fn a_later_whole_file_write_supersedes_earlier_edits() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("c.py"), "fresh = True\n").unwrap();
    let c = root.join("c.py");
    let s = "s1";
    let write = ev(
        s,
        3,
        EventKind::Edit(Edit {
            call_id: Some("w".into()),
            tool: "Write".into(),
            path: c.to_string_lossy().into_owned(),
            op: EditOp::Write,
            before: String::new(),
            after: "fresh = True\n".into(),
            move_to: None,
        }),
    );
    let b = brief(
        root,
        vec![session(
            Agent::ClaudeCode,
            s,
            None,
            vec![
                prompt(s, 1, "Start over"),
                edit(s, 2, "e", &c, "", "old_approach = 1\n"),
                write,
            ],
        )],
    );
    assert!(
        has(
            &b.rejected,
            "Edit to `c.py` (Edit) that wrote `old_approach = 1` was superseded by a later edit (claude-code s1 at"
        ),
        "{:?}",
        texts(&b.rejected)
    );
    assert!(has(
        &b.decided,
        "`c.py`: 1 applied edit is still in the working tree"
    ));
}
