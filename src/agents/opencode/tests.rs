//! Unit tests of the OpenCode reader: a database built from `tests/fixtures/opencode/`
//! (`opencode-1.18.33.sql`, dumped from the database the real OpenCode 1.18.33 wrote in the
//! conformance run, paths scrubbed; `extra.sql`, rows written from the format reference).

use super::discover::*;
use super::reader::*;
use crate::agents::test_util::{events, sessions};
use crate::agents::{FileReader, Record};
use crate::model::*;
use rusqlite::Connection;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

const W: &str = "/home/dev/widget";

/// A data directory holding `opencode.db` (WAL mode) loaded with the fixtures.
fn home() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("opencode.db");
    let c = Connection::open(&db).unwrap();
    c.pragma_update(None, "journal_mode", "wal").unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/opencode");
    for f in ["opencode-1.18.33.sql", "extra.sql"] {
        c.execute_batch(&std::fs::read_to_string(fixtures.join(f)).unwrap())
            .unwrap();
    }
    let home = dir.path().to_path_buf();
    (dir, home)
}

fn read(path: &Path, state: Option<&str>) -> (Vec<Record>, String) {
    let mut r = OpencodeReader::open(path, state);
    let mut out = Vec::new();
    r.read_whole(path, &mut out);
    r.finish(&mut out);
    (out, r.save_state())
}

fn of_session<'r>(recs: &'r [Record], id: &str) -> Vec<&'r EventKind> {
    events(recs)
        .into_iter()
        .filter(|e| e.session_id == id)
        .map(|e| &e.kind)
        .collect()
}

fn verdict<'k>(kinds: &[&'k EventKind], call: &str) -> Option<&'k EventKind> {
    kinds.iter().copied().rfind(|k| {
        matches!(k, EventKind::Outcome { .. } | EventKind::Rejection { .. })
            && k.call_id() == Some(call)
    })
}

#[test]
fn real_cli_sessions_edits_and_tokens() {
    let (_d, home) = home();
    let path = discover(&home).pop().expect("the database");
    let (recs, _) = read(&path, None);
    let s = sessions(&recs);
    let first = s
        .iter()
        .find(|s| s.id == "ses_dcbafb604ffenBupN5a3iMgCLc")
        .expect("the write-then-edit session");
    assert_eq!(first.cwd.as_deref(), Some(W));
    let k = of_session(&recs, "ses_dcbafb604ffenBupN5a3iMgCLc");
    assert!(
        k.contains(&&EventKind::Prompt {
            text: "\"create notes\"".into()
        }),
        "{k:?}"
    );
    let edits: Vec<&Edit> = k
        .iter()
        .filter_map(|k| match k {
            EventKind::Edit(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(edits.len(), 2);
    assert_eq!(
        (edits[0].op, edits[0].path.as_str()),
        (EditOp::Add, "/home/dev/widget/notes.txt")
    );
    assert_eq!(
        (edits[1].before.as_str(), edits[1].after.as_str()),
        ("beta\n", "BETA\n")
    );
    assert!(matches!(
        verdict(&k, "call_1"),
        Some(EventKind::Outcome { ok: true, .. })
    ));
    let usage: u64 = k
        .iter()
        .map(|k| match k {
            EventKind::Usage { input, .. } => *input,
            _ => 0,
        })
        .sum();
    assert_eq!(usage, 3000, "three assistant messages of 1000 input tokens");
    // The failed edit of the second real session.
    let k = of_session(&recs, "ses_dcbaeb724ffehXA9CvNtxSKiDl");
    match verdict(&k, "call_1") {
        Some(EventKind::Outcome {
            ok: false,
            output_tail: Some(t),
            ..
        }) => {
            assert!(t.contains("Could not find oldString"), "{t}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn rejections_commands_patches_reasoning() {
    let (_d, home) = home();
    let (recs, _) = read(&home.join("opencode.db"), None);
    let sid = "ses_decl00000000000000000001";
    let k = of_session(&recs, sid);
    assert_eq!(
        verdict(&k, "call_d1"),
        Some(&EventKind::Rejection {
            call_id: Some("call_d1".into()),
            reason: Some("no heading, keep it plain".into()),
        })
    );
    assert_eq!(
        verdict(&k, "call_d2"),
        Some(&EventKind::Rejection {
            call_id: Some("call_d2".into()),
            reason: None
        })
    );
    assert!(matches!(
        verdict(&k, "call_d3"),
        Some(EventKind::Outcome {
            ok: false,
            exit_code: Some(1),
            ..
        })
    ));
    let patch: Vec<&Edit> = k
        .iter()
        .filter_map(|k| match k {
            EventKind::Edit(e) if e.call_id.as_deref() == Some("call_d4") => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(patch.len(), 2, "{patch:?}");
    assert_eq!(
        (patch[0].op, patch[0].path.as_str()),
        (EditOp::Add, "/home/dev/widget/docs/a.md")
    );
    assert_eq!(patch[1].after, "alpha\nBeta\n");
    assert!(k.contains(&&EventKind::Reasoning {
        text: "The notes need a heading.".into()
    }));
    let prompts: Vec<&EventKind> = k
        .iter()
        .copied()
        .filter(|k| matches!(k, EventKind::Prompt { .. }))
        .collect();
    assert_eq!(
        prompts,
        [&EventKind::Prompt {
            text: "tidy the notes".into()
        }],
        "synthetic parts are no prompts"
    );
    assert!(
        !k.iter().any(|k| k.call_id() == Some("call_d5")),
        "a running call is not final"
    );
    assert!(k.iter().any(|k| matches!(
        k,
        EventKind::Usage {
            input: 1200,
            output: 100,
            cache_read: 900,
            cache_write: 100,
            ..
        }
    )));
    let other = sessions(&recs)
        .into_iter()
        .find(|s| s.id == "ses_other0000000000000000001")
        .unwrap();
    assert_eq!(other.cwd.as_deref(), Some("/home/dev/other"));
}

#[test]
fn reading_again_adds_nothing_and_new_rows_are_read() {
    let (_d, home) = home();
    let db = home.join("opencode.db");
    let (first, state) = read(&db, None);
    let ids: HashSet<String> = events(&first).iter().map(|e| e.id.clone()).collect();
    let (again, state) = read(&db, Some(&state));
    assert!(
        events(&again).iter().all(|e| ids.contains(&e.id)),
        "only rows of the watermark's millisecond again"
    );
    let c = Connection::open(&db).unwrap();
    c.execute(
        "UPDATE part SET time_updated = 1796190000000, data = json_set(data, '$.state.status', 'completed', '$.state.output', 'ok', '$.state.input.oldString', 'a', '$.state.input.newString', 'b') WHERE id = 'prt_d2x'",
        [],
    )
    .unwrap();
    let (more, _) = read(&db, Some(&state));
    let new: Vec<&Event> = events(&more)
        .into_iter()
        .filter(|e| !ids.contains(&e.id))
        .collect();
    assert_eq!(
        new.len(),
        2,
        "the call finished: its edit and its outcome: {new:?}"
    );
}

#[test]
fn wal_in_use_names_the_wal_and_does_not_block() {
    let (_d, home) = home();
    // A writer in the middle of a transaction, as a running OpenCode may be.
    let writer = Connection::open(home.join("opencode.db")).unwrap();
    writer.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    let n = writer
        .execute("UPDATE session SET title = 'y'", [])
        .unwrap();
    assert!(n > 0, "a committed write lands in the WAL");
    writer
        .execute_batch("BEGIN IMMEDIATE; UPDATE session SET title = 'x';")
        .unwrap();
    let found = discover(&home);
    assert_eq!(
        found,
        [home.join("opencode.db-wal")],
        "the WAL is where writes land"
    );
    assert_eq!(database_of(&found[0]), home.join("opencode.db"));
    let started = std::time::Instant::now();
    let (recs, _) = read(&found[0], None);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(
        !events(&recs).is_empty(),
        "committed rows are read while a write is open"
    );
    writer.execute_batch("ROLLBACK").unwrap();
    assert!(discover(&home.join("nowhere")).is_empty());
}
