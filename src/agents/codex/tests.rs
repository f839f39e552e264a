//! Unit tests of the Codex reader: fixtures under `tests/fixtures/codex` and inline lines.

use super::discover::*;
use super::reader::*;
use super::wire::*;
use crate::agents::is_inside;
use crate::agents::lenient::{head, tail};
use crate::agents::test_util::{events, sessions};
use crate::agents::{FileReader, Record, Skip};
use crate::model::*;
use std::borrow::Cow;
#[allow(unused_imports)]
use std::path::{Path, PathBuf};

const W: &str = "/home/dev/widget";
const O: &str = "/home/dev/other";
const S1: &str = "019bc2a1-4d2e-7a10-9c3b-5e6f7a8b9c0d";

fn home() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/codex")
}

/// The fixture whose name contains `needle`.
fn fixture(needle: &str) -> PathBuf {
    discover(&home())
        .into_iter()
        .find(|p| p.to_string_lossy().contains(needle))
        .unwrap_or_else(|| panic!("no fixture matching {needle}"))
}

type Line<'b> = (u64, &'b [u8]);

/// Complete lines of a file with their offsets, plus a torn last line if any.
fn lines(bytes: &[u8]) -> (Vec<Line<'_>>, Option<Line<'_>>) {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' {
            out.push((start as u64, &bytes[start..i]));
            start = i + 1;
        }
    }
    let torn = (start < bytes.len()).then(|| (start as u64, &bytes[start..]));
    (out, torn)
}

struct Read {
    records: Vec<Record>,
    malformed: usize,
    state: String,
}

fn read_lines(reader: &mut CodexReader, lines: &[(u64, &[u8])]) -> (Vec<Record>, usize) {
    let mut records = Vec::new();
    let mut malformed = 0;
    for (offset, line) in lines {
        if reader.read_line(line, *offset, &mut records).is_err() {
            malformed += 1;
        }
    }
    (records, malformed)
}

fn read(path: &Path) -> Read {
    let bytes = std::fs::read(path).unwrap();
    let (lines, _) = lines(&bytes);
    let mut reader = CodexReader::open(path, None);
    let (records, malformed) = read_lines(&mut reader, &lines);
    Read {
        records,
        malformed,
        state: reader.save_state(),
    }
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

fn commands(records: &[Record]) -> Vec<(&str, &str)> {
    kinds(records)
        .into_iter()
        .filter_map(|k| match k {
            EventKind::Command { call_id, command } => {
                Some((call_id.as_deref().unwrap_or(""), command.as_str()))
            }
            _ => None,
        })
        .collect()
}

/// (ok, exit_code, output_tail) of the outcome for `call_id`.
fn outcome_of<'r>(
    records: &'r [Record],
    call_id: &str,
) -> Option<(bool, Option<i32>, Option<&'r str>)> {
    kinds(records).into_iter().find_map(|k| match k {
        EventKind::Outcome {
            call_id: c,
            ok,
            exit_code,
            output_tail,
        } if c == call_id => Some((*ok, *exit_code, output_tail.as_deref())),
        _ => None,
    })
}

fn edit(
    call_id: &str,
    path: &str,
    op: EditOp,
    before: &str,
    after: &str,
    move_to: Option<&str>,
) -> Edit {
    Edit {
        call_id: Some(call_id.into()),
        tool: "apply_patch".into(),
        path: path.into(),
        op,
        before: before.into(),
        after: after.into(),
        move_to: move_to.map(Into::into),
    }
}

#[test]
fn normal_session_maps_every_kind_once() {
    let r = read(&fixture(S1));
    assert_eq!(r.malformed, 0);
    // The session is announced before any event, then again when the turn context adds
    // the model.
    assert!(matches!(r.records[0], Record::Session(_)));
    let s = sessions(&r.records);
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].id, S1);
    assert_eq!(s[0].cwd.as_deref(), Some(W));
    assert_eq!(s[0].branch.as_deref(), Some("feature/retry"));
    assert_eq!(s[0].model, None);
    assert_eq!(s[0].parent_id, None);
    assert_eq!(s[0].started, parse_millis("2026-01-15T09:40:00.010Z"));
    assert_eq!(s[1].model.as_deref(), Some("gpt-5-codex"));

    // The environment context is not a prompt, and the response-item copy of the typed
    // prompt does not duplicate the event_msg one.
    assert_eq!(prompts(&r.records), ["Make fetch() retry three times"]);

    let ks = kinds(&r.records);
    let reasoning: Vec<_> = ks
        .iter()
        .filter(|k| matches!(k, EventKind::Reasoning { .. }))
        .collect();
    assert_eq!(reasoning.len(), 1, "agent_reasoning duplicates are skipped");
    let replies: Vec<_> = ks
        .iter()
        .filter_map(|k| match k {
            EventKind::Reply { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        replies,
        ["fetch() now retries three times; the build still fails on `retries`."]
    );

    assert_eq!(
        edits(&r.records),
        [&edit(
            "call_SynthPatch01",
            "/home/dev/widget/src/net.py",
            EditOp::Update,
            "    return get(url)\n",
            "    for attempt in range(3):\n        try:\n            return get(url)\n        except IOError:\n            pass\n",
            None
        )]
    );
    assert_eq!(
        outcome_of(&r.records, "call_SynthPatch01"),
        Some((true, Some(0), None))
    );

    assert_eq!(
        commands(&r.records),
        [
            ("call_Pytest02", "pytest -q tests/test_net.py"),
            ("call_Build03", "cargo build --release"),
            ("call_Npm04", "npm test"),
        ]
    );
    // Structured output: exit code from metadata, tail is the inner output.
    assert_eq!(
        outcome_of(&r.records, "call_Pytest02"),
        Some((true, Some(0), Some("....\n4 passed in 0.12s")))
    );
    // Freeform output: `Exit code: N` header, tail is what follows `Output:`.
    let (ok, code, tail) = outcome_of(&r.records, "call_Build03").unwrap();
    assert!(!ok);
    assert_eq!(code, Some(101));
    assert!(tail.unwrap().starts_with("   Compiling widget"));
    assert!(tail.unwrap().ends_with("could not compile `widget`"));
    // Unified exec: `Process exited with code N`.
    let (ok, code, tail) = outcome_of(&r.records, "call_Npm04").unwrap();
    assert_eq!((ok, code), (false, Some(1)));
    assert!(tail.unwrap().starts_with("FAIL test/net.test.js"));
    // update_plan's "Plan updated" output is not an outcome of anything we track.
    assert_eq!(outcome_of(&r.records, "call_Plan05"), None);

    let plan = ks
        .iter()
        .find_map(|k| match k {
            EventKind::Plan { items, explanation } => Some((items, explanation)),
            _ => None,
        })
        .unwrap();
    assert_eq!(plan.1.as_deref(), Some("Retry work"));
    assert_eq!(
        plan.0
            .iter()
            .map(|i| (i.text.as_str(), i.status.as_str()))
            .collect::<Vec<_>>(),
        [
            ("Add retry loop to fetch()", "completed"),
            ("Fix the build", "in_progress"),
            ("Make npm tests pass", "pending"),
        ]
    );

    // token_count: the info-less one and the two repeats are dropped.
    let usage: Vec<_> = ks
        .iter()
        .filter_map(|k| match k {
            EventKind::Usage {
                message_id,
                model,
                input,
                output,
                cache_read,
                cache_write,
            } => Some((
                message_id.as_str(),
                model.as_deref(),
                *input,
                *output,
                *cache_read,
                *cache_write,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        usage,
        [
            (
                "019bc2a1-4d2e-7a10-9c3b-5e6f7a8b9c0d@2026-01-15T09:40:06.410Z",
                Some("gpt-5-codex"),
                3505,
                101,
                3072,
                0
            ),
            (
                "019bc2a1-4d2e-7a10-9c3b-5e6f7a8b9c0d@2026-01-15T09:40:08.100Z",
                Some("gpt-5-codex"),
                3711,
                40,
                3072,
                0
            ),
            (
                "019bc2a1-4d2e-7a10-9c3b-5e6f7a8b9c0d@2026-01-15T09:40:20.100Z",
                Some("gpt-5-codex"),
                3815,
                26,
                3584,
                0
            ),
        ]
    );

    let evs = events(&r.records);
    assert!(evs.iter().all(|e| e.session_id == S1 && e.at.is_some()));
    assert!(evs.windows(2).all(|w| w[0].ord < w[1].ord));
    let mut ids: Vec<_> = evs.iter().map(|e| e.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), evs.len(), "event ids are unique");
}

#[test]
fn every_apply_patch_carrier_yields_edits() {
    let r = read(&fixture("019bc2b0"));
    assert_eq!(r.malformed, 0);
    let e = edits(&r.records);
    let want = [
        // function_call JSON, relative workdir joined with the session cwd.
        edit(
            "call_Json01",
            "/home/dev/widget/src/net.py",
            EditOp::Update,
            "TIMEOUT = 5\n",
            "TIMEOUT = 10\n",
            None,
        ),
        // shell argv ["apply_patch", patch].
        edit(
            "call_Argv02",
            "/home/dev/widget/docs/retry.md",
            EditOp::Add,
            "",
            "# Retry\n\nfetch() retries three times.\n",
            None,
        ),
        // bash -lc heredoc after `cd lib &&`.
        edit(
            "call_Heredoc03",
            "/home/dev/widget/lib/util.py",
            EditOp::Update,
            "    return n\n",
            "    return 2 ** n\n",
            None,
        ),
        // exec_command heredoc.
        edit(
            "call_Exec04",
            "/home/dev/widget/old_client.py",
            EditOp::Delete,
            "",
            "",
            None,
        ),
        // local_shell_call with its working_directory.
        edit(
            "call_Local05",
            "/home/dev/widget/docs/notes.txt",
            EditOp::Add,
            "",
            "local shell call\n",
            None,
        ),
        // One envelope: Add, Update with two hunks, a pure Move, Delete.
        edit(
            "call_Multi06",
            "/home/dev/widget/src/retry.py",
            EditOp::Add,
            "",
            "def retry(fn, n=3):\n    return fn()\n",
            None,
        ),
        edit(
            "call_Multi06",
            "/home/dev/widget/src/app.py",
            EditOp::Update,
            "import os\nimport net\n",
            "import os\nimport net, retry\n",
            None,
        ),
        edit(
            "call_Multi06",
            "/home/dev/widget/src/app.py",
            EditOp::Update,
            "    run()\n    exit(0)\n",
            "    run()\n    exit(main_loop())\n",
            None,
        ),
        edit(
            "call_Multi06",
            "/home/dev/widget/src/old_name.py",
            EditOp::Update,
            "",
            "",
            Some("/home/dev/widget/src/new_name.py"),
        ),
        edit(
            "call_Multi06",
            "/home/dev/widget/src/legacy.py",
            EditOp::Delete,
            "",
            "",
            None,
        ),
        edit(
            "call_Fail07",
            "/home/dev/widget/src/app.py",
            EditOp::Update,
            "this line does not exist\n",
            "replacement\n",
            None,
        ),
    ];
    assert_eq!(e, want.iter().collect::<Vec<_>>());

    // Patch calls are edits only, never commands too.
    assert_eq!(
        commands(&r.records),
        [
            ("call_Git08", r"git commit -m 'retry: it'\''s done'"),
            ("call_Lint09", "make lint"),
        ]
    );
    for call in [
        "call_Json01",
        "call_Argv02",
        "call_Heredoc03",
        "call_Exec04",
        "call_Local05",
        "call_Multi06",
    ] {
        assert_eq!(
            outcome_of(&r.records, call).map(|o| (o.0, o.2)),
            Some((true, None)),
            "{call}"
        );
    }
    // Exit codes from the freeform, unified and array forms of successful patches.
    assert_eq!(outcome_of(&r.records, "call_Json01").unwrap().1, Some(0));
    assert_eq!(outcome_of(&r.records, "call_Exec04").unwrap().1, Some(0));
    assert_eq!(outcome_of(&r.records, "call_Local05").unwrap().1, None);
    let (ok, code, tail) = outcome_of(&r.records, "call_Fail07").unwrap();
    assert!(!ok);
    assert_eq!(code, None);
    assert!(tail.unwrap().starts_with("apply_patch verification failed"));
    // Object output `{content, success}` decides by its flag.
    let (ok, code, tail) = outcome_of(&r.records, "call_Git08").unwrap();
    assert!(ok);
    assert_eq!(code, None);
    assert!(tail.unwrap().contains("4 files changed"));
    // `Shell exit code: N` header of the newest builds.
    assert_eq!(
        outcome_of(&r.records, "call_Lint09"),
        Some((false, Some(2), Some("lint: 3 problems")))
    );
}

#[test]
fn rejections_and_a_torn_last_line() {
    let path = fixture("019bc2c0");
    let r = read(&path);
    assert_eq!(r.malformed, 0);
    let rejected: Vec<_> = kinds(&r.records)
        .into_iter()
        .filter_map(|k| match k {
            EventKind::Rejection { call_id, reason } => {
                Some((call_id.as_deref(), reason.as_deref()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        rejected,
        [
            (Some("call_SynthShell02"), None),
            (Some("call_Rej03"), None)
        ]
    );
    assert_eq!(outcome_of(&r.records, "call_SynthShell02"), None);
    assert_eq!(
        commands(&r.records),
        [("call_SynthShell02", "git push --force")]
    );
    assert_eq!(edits(&r.records)[0].path, "/home/dev/widget/README.md");
    assert_eq!(prompts(&r.records), ["Push it", "yes"]);

    // The line still being written is malformed, not a panic or an error of the file.
    let bytes = std::fs::read(&path).unwrap();
    let (_, torn) = lines(&bytes);
    let (offset, torn) = torn.expect("fixture ends in a torn line");
    let mut reader = CodexReader::open(&path, Some(&r.state));
    let mut out = Vec::new();
    assert_eq!(
        reader.read_line(torn, offset, &mut out),
        Err(Skip::Malformed)
    );
    assert!(out.is_empty());
}

#[test]
fn another_projects_session_reports_its_cwd() {
    let r = read(&fixture("019bc8e0"));
    let root = Path::new(W);
    let s = sessions(&r.records);
    assert!(!s.is_empty());
    assert!(s.iter().all(|s| s.cwd.as_deref() == Some(O)));
    assert!(
        s.iter()
            .all(|s| !is_inside(s.cwd.as_deref().unwrap(), root))
    );
    assert_eq!(edits(&r.records)[0].path, "/home/dev/other/mod.py");
}

#[test]
fn cwd_change_is_announced_before_the_events_it_governs() {
    let r = read(&fixture("019bc8f0"));
    let root = Path::new(W);
    // Replay what the capture driver does: keep events while the last announced cwd is
    // inside the project.
    let mut inside = false;
    let mut kept = Vec::new();
    for rec in &r.records {
        match rec {
            Record::Session(s) => {
                inside = s.cwd.as_deref().is_some_and(|c| is_inside(c, root));
            }
            Record::Event(e) if inside => kept.push(&e.kind),
            Record::Event(_) => {}
        }
    }
    let kept_prompts: Vec<_> = kept
        .iter()
        .filter_map(|k| match k {
            EventKind::Prompt { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(kept_prompts, ["Now fix the widget README typo"]);
    assert!(
        kept.iter()
            .any(|k| matches!(k, EventKind::Edit(e) if e.path == "/home/dev/widget/README.md"))
    );
    assert!(!kept.iter().any(|k| matches!(k, EventKind::Command { .. })));
    let last = sessions(&r.records).pop().unwrap().clone();
    assert_eq!(last.model.as_deref(), Some("gpt-5.1-codex-max"));
    assert_eq!(last.branch, None);
}

#[test]
fn legacy_bare_era() {
    let r = read(&fixture("5f1c2d3e"));
    assert_eq!(r.malformed, 0);
    let s = sessions(&r.records);
    assert_eq!(s[0].id, "5f1c2d3e-aaaa-4bbb-8ccc-0123456789ab");
    assert_eq!(s[0].cwd, None);
    assert_eq!(s[0].branch.as_deref(), Some("legacy-branch"));
    assert_eq!(s[0].started, parse_millis("2025-08-20T13:20:47.060Z"));
    // The cwd comes from <environment_context>, announced before the first prompt.
    assert_eq!(s.last().unwrap().cwd.as_deref(), Some(W));
    let first_prompt = r
        .records
        .iter()
        .position(|rec| {
            matches!(
                rec,
                Record::Event(Event {
                    kind: EventKind::Prompt { .. },
                    ..
                })
            )
        })
        .unwrap();
    let cwd_known = r
        .records
        .iter()
        .position(|rec| matches!(rec, Record::Session(s) if s.cwd.is_some()))
        .unwrap();
    assert!(cwd_known < first_prompt);

    // Harness texts are dropped; two identical "yes" lines stay two distinct prompts.
    assert_eq!(prompts(&r.records), ["Add a CHANGELOG entry", "yes", "yes"]);
    let evs = events(&r.records);
    let yes: Vec<_> = evs
        .iter()
        .filter(|e| matches!(&e.kind, EventKind::Prompt { text } if text == "yes"))
        .collect();
    assert_ne!(yes[0].id, yes[1].id);
    assert!(evs.iter().all(|e| e.at.is_none()));

    assert_eq!(
        edits(&r.records),
        [&edit(
            "call_L1",
            "/home/dev/widget/CHANGELOG.md",
            EditOp::Update,
            "# Changelog\n",
            "# Changelog\n- fetch() retries\n",
            None
        )]
    );
    assert_eq!(commands(&r.records), [("call_L2", "git diff --stat")]);
    assert_eq!(
        outcome_of(&r.records, "call_L2"),
        Some((true, Some(0), Some(" CHANGELOG.md | 1 +")))
    );
    let ks = kinds(&r.records);
    assert_eq!(
        ks.iter()
            .filter(|k| matches!(k, EventKind::Reasoning { .. }))
            .count(),
        1,
        "encrypted-only reasoning is skipped"
    );
    assert!(
        ks.iter()
            .any(|k| matches!(k, EventKind::Reply { text } if text == "Added the entry."))
    );
}

#[test]
fn sub_agent_and_fork_have_parents() {
    let r = read(&fixture("019bcd00"));
    let s = sessions(&r.records);
    assert_eq!(s[0].parent_id.as_deref(), Some(S1));
    assert_eq!(
        s.last().unwrap().model.as_deref(),
        Some("gpt-5.1-codex-mini")
    );
    assert_eq!(commands(&r.records), [("call_Rg01", "rg -n 'fetch(' src")]);

    // The fork repeats the parent's meta (with another cwd): it changes nothing.
    let r = read(&fixture("019bcd10"));
    let s = sessions(&r.records);
    assert!(
        s.iter()
            .all(|s| s.id == "019bcd10-6666-7f60-8f70-9c0d1e2f3a06")
    );
    assert!(s.iter().all(|s| s.parent_id.as_deref() == Some(S1)));
    assert!(s.iter().all(|s| s.cwd.as_deref() == Some(W)));
    assert_eq!(prompts(&r.records), ["Try a different approach"]);
}

#[test]
fn resuming_from_saved_state_matches_one_pass() {
    for path in discover(&home()) {
        let bytes = std::fs::read(&path).unwrap();
        let (lines, _) = lines(&bytes);
        let whole = read(&path);
        for split in 0..=lines.len() {
            let mut first = CodexReader::open(&path, None);
            let (mut records, _) = read_lines(&mut first, &lines[..split]);
            let state = first.save_state();
            let mut second = CodexReader::open(&path, Some(&state));
            let (rest, _) = read_lines(&mut second, &lines[split..]);
            records.extend(rest);
            assert_eq!(
                records,
                whole.records,
                "{} split at line {split}",
                path.display()
            );
            assert_eq!(second.save_state(), whole.state);
        }
    }
}

#[test]
fn state_is_small_and_bad_state_starts_fresh() {
    let r = read(&fixture(S1));
    assert!(r.state.len() < 1024, "{}", r.state);
    let path = fixture(S1);
    let fresh = CodexReader::open(&path, None).save_state();
    assert_eq!(
        CodexReader::open(&path, Some("garbage")).save_state(),
        fresh
    );
    assert_eq!(
        CodexReader::open(&path, Some("{\"v\":99}")).save_state(),
        fresh
    );
}

#[test]
fn session_id_falls_back_to_the_file_name() {
    let path = Path::new(
        "/x/sessions/2026/01/15/rollout-2026-01-15T09-40-00-019BC2A1-4D2E-7A10-9C3B-5E6F7A8B9C0D.jsonl",
    );
    let mut reader = CodexReader::open(path, None);
    let mut out = Vec::new();
    let line = br#"{"timestamp":"2026-01-15T09:40:00.021Z","type":"event_msg","payload":{"type":"user_message","message":"hi"}}"#;
    reader.read_line(line, 0, &mut out).unwrap();
    assert_eq!(sessions(&out)[0].id, S1);
    assert_eq!(events(&out)[0].session_id, S1);

    let no_uuid = CodexReader::open(Path::new("/x/rollout-parent-019b88e0.jsonl"), None);
    assert_eq!(no_uuid.session_id(), "rollout-parent-019b88e0");
}

#[test]
fn malformed_and_odd_lines() {
    let mut reader = CodexReader::open(Path::new("/x/rollout-a.jsonl"), None);
    let mut out = Vec::new();
    for bad in [&b"not json"[..], b"[1,2]", b"\"text\"", b"{\"type\":"] {
        assert_eq!(reader.read_line(bad, 0, &mut out), Err(Skip::Malformed));
    }
    assert_eq!(reader.read_line(b"   ", 0, &mut out), Ok(()));
    // Fields of an unexpected type cost the field, not the line.
    let odd = br#"{"timestamp":"2026-01-15T09:40:00Z","type":"session_meta","payload":{"id":"s","cwd":"/home/dev/widget","git":"weird","source":{"subagent":"review"},"base_instructions":{"text":"long"}}}"#;
    reader.read_line(odd, 10, &mut out).unwrap();
    assert_eq!(sessions(&out)[0].cwd.as_deref(), Some(W));
    assert_eq!(sessions(&out)[0].branch, None);
    assert_eq!(sessions(&out)[0].parent_id, None);
    let odd = br#"{"timestamp":"2026-01-15T09:40:01Z","type":"response_item","payload":{"type":"message","role":"assistant","content":"plain","id":7}}"#;
    reader.read_line(odd, 20, &mut out).unwrap();
    let unknown = br#"{"timestamp":"2026-01-15T09:40:02Z","type":"world_state","payload":{"anything":[1,{"a":null}]}}"#;
    reader.read_line(unknown, 30, &mut out).unwrap();
    assert!(events(&out).is_empty());
    assert!(out.iter().all(|r| matches!(r, Record::Session(_))));
}

#[test]
fn outputs_of_untracked_calls_are_ignored() {
    let mut reader = CodexReader::open(Path::new("/x/rollout-a.jsonl"), None);
    let mut out = Vec::new();
    let line = br#"{"timestamp":"2026-01-15T09:40:02Z","type":"response_item","payload":{"type":"function_call_output","call_id":"nobody","output":"exec command rejected by user"}}"#;
    reader.read_line(line, 0, &mut out).unwrap();
    assert!(events(&out).is_empty());
}

#[test]
fn exit_codes_from_each_output_style() {
    let cases: [(&str, Option<i64>, &str); 6] = [
        (
            r#"{"output":"hi\n","metadata":{"exit_code":3,"duration_seconds":0.1}}"#,
            Some(3),
            "hi\n",
        ),
        (
            "Exit code: 0\nWall time: 0.1 seconds\nTotal output lines: 1\nOutput:\nok\n",
            Some(0),
            "ok\n",
        ),
        (
            "Chunk ID: 9\nWall time: 1 seconds\nProcess exited with code 127\nOriginal token count: 3\nOutput:\nbash: nope: command not found\n",
            Some(127),
            "bash: nope: command not found\n",
        ),
        (
            "Execution outcome: completed\nShell exit code: -1\nOutput:\nkilled\n",
            Some(-1),
            "killed\n",
        ),
        (
            "plain text, no header\nthe exit code: 9 is only text",
            None,
            "plain text, no header\nthe exit code: 9 is only text",
        ),
        ("{not json", None, "{not json"),
    ];
    for (raw, code, inner) in cases {
        let (got_inner, got_code) = unwrap_output(raw);
        assert_eq!(got_code, code, "{raw}");
        assert_eq!(got_inner, inner, "{raw}");
    }
    // The code is searched in headers only, not deep in the output.
    let output = format!("Output:\n{}\nExit code: 5\n", "x\n".repeat(10));
    assert_eq!(unwrap_output(&output).1, None);
    let out = Output {
        text: Some(Cow::Borrowed("command timed out after 10000 milliseconds")),
        ..Output::default()
    };
    let EventKind::Outcome { ok, .. } = outcome("c", CallKind::Command, &out) else {
        panic!("expected an outcome");
    };
    assert!(!ok);
}

#[test]
fn tails_cut_on_char_and_line_boundaries() {
    let long: String = (0..500).map(|i| format!("línea {i} ✓\n")).collect();
    let t = tail(&long, COMMAND_TAIL).unwrap();
    assert!(t.len() <= COMMAND_TAIL);
    assert!(t.starts_with("línea "), "starts at a line start: {t:.20}");
    assert!(t.ends_with("línea 499 ✓"));
    let h = head(&long, PATCH_ERROR_HEAD).unwrap();
    assert!(h.len() <= PATCH_ERROR_HEAD);
    assert!(h.starts_with("línea 0 ✓\n") && h.ends_with('✓'));
    // A single huge line still yields a valid tail.
    let one = "é".repeat(3000);
    let t = tail(&one, COMMAND_TAIL).unwrap();
    assert!(t.len() <= COMMAND_TAIL && t.len() >= COMMAND_TAIL - 1);
    assert_eq!(tail("  \n", COMMAND_TAIL), None);
}

#[test]
fn injected_texts_are_recognised() {
    for t in [
        "<environment_context>\n  <cwd>/a</cwd>\n</environment_context>",
        "<user_instructions>\nbe nice\n</user_instructions>",
        "# AGENTS.md instructions for /a\n\n<INSTRUCTIONS>x</INSTRUCTIONS>",
        "<turn_aborted>\nThe user interrupted.\n</turn_aborted>",
        "<some_future_block>\nstuff\n</some_future_block>",
    ] {
        assert!(is_injected(t), "{t}");
    }
    for t in [
        "fix <div> rendering",
        "<b>bold</b> is wrong",
        "yes",
        "Add a # AGENTS.md file",
    ] {
        assert!(!is_injected(t), "{t}");
    }
}

#[test]
fn shell_quoting_round_trips_simple_words() {
    assert_eq!(shell_join(&["ls", "-la", "src/"]), "ls -la src/");
    assert_eq!(shell_join(&["echo", "a b", ""]), "echo 'a b' ''");
    assert_eq!(shell_join(&["echo", "it's"]), r"echo 'it'\''s'");
}

#[test]
fn paths_are_absolute_and_clean() {
    let base = Path::new("/home/dev/widget");
    assert_eq!(
        resolve(Some(base), "./src/../lib/a.rs"),
        "/home/dev/widget/lib/a.rs"
    );
    assert_eq!(resolve(Some(base), "/etc/hosts"), "/etc/hosts");
    assert_eq!(resolve(None, "src/a.rs"), "src/a.rs");
}

#[test]
fn discover_lists_rollouts_only() {
    let tmp = tempfile::tempdir().unwrap();
    let h = tmp.path();
    assert!(discover(h).is_empty(), "missing dirs are not an error");
    let files = [
        "sessions/2025/09/01/rollout-2025-09-01T10-00-00-a.jsonl",
        "sessions/2026/01/15/rollout-2026-01-15T09-00-00-b.jsonl",
        "sessions/rollout-2025-08-01-c.jsonl",
        "archived_sessions/rollout-2025-07-01T10-00-00-d.jsonl",
        "archived_sessions/nested/rollout-e.jsonl",
        "sessions/2026/01/15/notes.jsonl",
        "sessions/2026/01/15/rollout-x.jsonl.bak",
        "history.jsonl",
    ];
    for f in files {
        let p = h.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "{}\n").unwrap();
    }
    let got: Vec<String> = discover(h)
        .iter()
        .map(|p| p.strip_prefix(h).unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        got,
        [
            "archived_sessions/rollout-2025-07-01T10-00-00-d.jsonl",
            "sessions/2025/09/01/rollout-2025-09-01T10-00-00-a.jsonl",
            "sessions/2026/01/15/rollout-2026-01-15T09-00-00-b.jsonl",
            "sessions/rollout-2025-08-01-c.jsonl",
        ]
    );
    // The fixture home: eight rollouts, not history.jsonl or notes.txt.
    assert_eq!(discover(&home()).len(), 8);
}

#[test]
fn context_only_hunks_are_not_edits() {
    let mut reader = CodexReader::open(Path::new("/x/rollout-a.jsonl"), None);
    let mut out = Vec::new();
    let meta = br#"{"timestamp":"2026-01-15T09:40:00Z","type":"session_meta","payload":{"id":"s","cwd":"/w"}}"#;
    reader.read_line(meta, 0, &mut out).unwrap();
    let patch = "*** Begin Patch\n*** Update File: a.ts\n@@\n export const f = (\n@@\n ) => {\n-  old()\n+  new()\n*** End Patch";
    let line = serde_json::json!({
        "timestamp": "2026-01-15T09:40:01Z",
        "type": "response_item",
        "payload": {"type": "custom_tool_call", "name": "apply_patch", "call_id": "c", "input": patch}
    })
    .to_string();
    reader.read_line(line.as_bytes(), 100, &mut out).unwrap();
    let e = edits(&out);
    assert_eq!(e.len(), 1);
    assert_eq!(
        (e[0].before.as_str(), e[0].after.as_str()),
        (") => {\n  old()\n", ") => {\n  new()\n")
    );
}

#[test]
fn real_samples_read_without_panics() {
    // `../shared` from the main checkout, `../../shared` from a worktree under /work/wt.
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates =
        ["../shared", "../../shared"].map(|d| manifest.join(d).join("samples/real/codex"));
    let Some(entries) = candidates.iter().find_map(|d| std::fs::read_dir(d).ok()) else {
        println!(
            "skipped: no real Codex samples at {}",
            candidates[0].display()
        );
        return;
    };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    let mut total_events = 0;
    for path in paths {
        let r = read(&path);
        let ks = kinds(&r.records);
        let count = |f: fn(&EventKind) -> bool| ks.iter().filter(|k| f(k)).count();
        let (p, c, e, o, u) = (
            count(|k| matches!(k, EventKind::Prompt { .. })),
            count(|k| matches!(k, EventKind::Command { .. })),
            count(|k| matches!(k, EventKind::Edit(_))),
            count(|k| matches!(k, EventKind::Outcome { .. })),
            count(|k| matches!(k, EventKind::Usage { .. })),
        );
        println!(
            "{}: {} records, {} events (prompts {p}, commands {c}, edits {e}, outcomes {o}, usage {u}), {} malformed",
            path.file_name().unwrap().to_string_lossy(),
            r.records.len(),
            ks.len(),
            r.malformed
        );
        assert_eq!(r.malformed, 0);
        let s = sessions(&r.records);
        assert!(!s.is_empty(), "a session is announced");
        // A legacy rollout's first record (`{id, timestamp, instructions, git}`) has no
        // cwd: it arrives with the `<environment_context>` message that follows. What
        // must hold is that the cwd is known before the first event, since capture
        // decides by it whether an event belongs to the repository.
        let first_event = r
            .records
            .iter()
            .position(|r| matches!(r, Record::Event(_)))
            .unwrap_or(r.records.len());
        assert!(
            r.records[..first_event]
                .iter()
                .any(|r| matches!(r, Record::Session(s) if s.cwd.is_some())),
            "the cwd is announced before the first event"
        );
        assert!(s.last().unwrap().cwd.is_some());
        // Every output answers a call we emitted, so outcomes never outnumber calls.
        assert!(o <= c + e);
        assert!(p >= 1);
        total_events += ks.len();
    }
    assert!(total_events > 0);
}
