//! Binding sessions to commits through the real hooks: attribution line by line, notes, and
//! what happens to them across amend, rebase, cherry-pick, squash and merge.

use crate::common::{Claude, Codex, Env, T0, json_out};
use drift::notes::{Note, Who};

/// One label per line of `path` as committed in `commit`, from that commit's own note:
/// `ai:<session prefix>`, `mod:<session prefix>`, `human`, or `-` for lines the commit did
/// not add (or no note).
pub(crate) fn labels(env: &Env, commit: &str, path: &str) -> Vec<String> {
    let text = env.git(&["show", &format!("{commit}:{path}")]);
    let note = note_of(env, commit);
    (1..=text.lines().count() as u32)
        .map(|n| match note.as_ref().and_then(|nt| nt.who_at(path, n)) {
            None => "-".to_string(),
            Some(info) => match info.who {
                Who::Ai(s) => format!("ai:{}", &s[..4]),
                Who::Modified(s) => format!("mod:{}", &s[..4]),
                Who::Human => "human".to_string(),
            },
        })
        .collect()
}

pub(crate) fn note_text(env: &Env, commit: &str) -> Option<String> {
    let out = env
        .cmd_in("git", &env.repo)
        .args(["notes", "--ref=drift", "show", commit])
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub(crate) fn note_of(env: &Env, commit: &str) -> Option<Note> {
    note_text(env, commit).map(|t| Note::parse(&t))
}

fn setup() -> Env {
    let env = Env::new();
    env.drift_ok(&["init"]);
    env.write("README.md", "# widget\n");
    env.commit("initial");
    env
}

const CLAUDE_A: &str = "aaaa1111-0000-4000-8000-00000000000a";
const CLAUDE_B: &str = "bbbb2222-0000-4000-8000-00000000000b";
const CODEX_C: &str = "cccc3333-4d2e-7a10-9c3b-5e6f7a8b9c0d";

#[test]
fn pure_agent_commit_is_all_ai_and_readable_with_plain_git() {
    let env = setup();
    let mut c = Claude::new(&env, CLAUDE_A, T0 + 100);
    c.prompt("Add a retrying fetch").write(
        "src/net.py",
        "import time\n\ndef fetch(url):\n    for attempt in range(3):\n        return get(url)\n",
    );
    env.tick(200);
    let commit = env.commit("Add fetch");
    assert_eq!(labels(&env, &commit, "src/net.py"), vec!["ai:aaaa"; 5]);
    let text = note_text(&env, &commit).expect("note written by post-commit");
    assert!(text.starts_with("drift-note/1\n"), "{text}");
    assert!(
        text.contains(CLAUDE_A) && text.contains("agent=claude-code"),
        "{text}"
    );
    assert!(
        text.contains("Add a retrying fetch"),
        "prompt excerpt in summary mode: {text}"
    );
    let log = env.git(&["log", "--notes=drift", "-1"]);
    assert!(
        log.contains("Notes (drift):") && log.contains("drift-note/1"),
        "{log}"
    );

    let v = json_out(&env.drift_ok(&["log", "--json"]));
    let first = &v[0];
    assert_eq!(first["subject"], "Add fetch");
    assert_eq!(first["agents"][0]["agent"], "claude-code");
    assert_eq!(first["agents"][0]["model"], "claude-sonnet-4-5-20250929");
    assert_eq!(first["agents"][0]["lines"], 5);
    assert_eq!(first["agents"][0]["accepted"], 1);
    assert_eq!(first["human"]["lines"], 0);
    // The initial commit predates git drift's evidence: human lines, no agents.
    assert_eq!(v[1]["agents"].as_array().unwrap().len(), 0);
    let text = env.drift_ok(&["log"]);
    assert!(
        text.contains(
            "💭 [claude-code] claude-sonnet-4-5-20250929 · 1 edit accepted, 0 rejected · 5 lines"
        ),
        "{text}"
    );
}

#[test]
fn agent_lines_human_tweaks_and_human_lines() {
    let env = setup();
    env.write("app.py", "def main():\n    pass\n");
    env.commit("skeleton");
    let mut c = Claude::new(&env, CLAUDE_A, T0 + 200);
    c.prompt("implement main").edit(
        "app.py",
        "    pass\n",
        "    config = load_config(path)\n    server = Server(config)\n    server.run(port=8080)\n",
    );
    // The human changes one agent line and adds one of their own.
    let text = env
        .read("app.py")
        .replace("port=8080", "port=9090")
        .replace("def main():\n", "def main():\n    # entry point\n");
    env.write("app.py", &text);
    env.tick(300);
    let commit = env.commit("main");
    assert_eq!(
        labels(&env, &commit, "app.py"),
        vec!["-", "human", "ai:aaaa", "ai:aaaa", "mod:aaaa"]
    );
    let v = json_out(&env.drift_ok(&["log", "--json", "-1"]));
    assert_eq!(v[0]["modified"]["lines"], 1);
    assert_eq!(v[0]["human"]["lines"], 1);
    assert_eq!(v[0]["agents"][0]["lines"], 3);
}

#[test]
fn rejected_edits_are_never_attributed_and_are_counted() {
    let env = setup();
    env.write("a.py", "x = 1\n");
    env.commit("a");
    let mut c = Claude::new(&env, CLAUDE_A, T0 + 200);
    c.prompt("change x").rejected_edit(
        "a.py",
        "x = 1\n",
        "x = compute_the_value()\n",
        Some("keep it a constant"),
    );
    // The human then writes exactly what the agent proposed: still human.
    env.write("a.py", "x = compute_the_value()\n");
    env.tick(300);
    let commit = env.commit("x");
    assert_eq!(labels(&env, &commit, "a.py"), vec!["human"]);
    let show = json_out(&env.drift_ok(&["show", "--json"]));
    let s = &show["sessions"][0];
    assert_eq!(s["rejected"], 1);
    assert_eq!(s["accepted"], 0);
    let why = s["rejected_approaches"][0].as_str().unwrap();
    assert!(why.contains("keep it a constant"), "{why}");
    let text = env.drift_ok(&["show"]);
    assert!(
        text.contains("rejected: declined Edit of a.py: keep it a constant"),
        "{text}"
    );
}

#[test]
fn two_agents_on_one_file() {
    let env = setup();
    env.write("lib.rs", "// lib\n");
    env.commit("lib");
    let mut c = Claude::new(&env, CLAUDE_A, T0 + 200);
    c.prompt("add parse").edit(
        "lib.rs",
        "// lib\n",
        "// lib\npub fn parse(s: &str) -> u32 {\n    s.parse().unwrap_or(0)\n}\n",
    );
    let mut x = Codex::new(&env, CODEX_C, T0 + 260);
    let after = format!(
        "{}pub fn render(n: u32) -> String {{\n    format!(\"{{n}}\")\n}}\n",
        env.read("lib.rs")
    );
    x.prompt("add render").patch(
        "*** Begin Patch\n*** Update File: lib.rs\n@@\n     s.parse().unwrap_or(0)\n }\n+pub fn render(n: u32) -> String {\n+    format!(\"{n}\")\n+}\n*** End Patch\n",
        &[("lib.rs", &after)],
    );
    env.tick(400);
    let commit = env.commit("both");
    assert_eq!(
        labels(&env, &commit, "lib.rs"),
        vec![
            "-", "ai:aaaa", "ai:aaaa", "ai:aaaa", "ai:cccc", "ai:cccc", "ai:cccc"
        ]
    );
    let v = json_out(&env.drift_ok(&["log", "--json", "-1"]));
    let agents: Vec<&str> = v[0]["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["agent"].as_str().unwrap())
        .collect();
    assert_eq!(agents, vec!["claude-code", "codex"]);
}

#[test]
fn lines_deleted_before_commit_are_not_attributed_and_count_as_superseded() {
    let env = setup();
    let mut c = Claude::new(&env, CLAUDE_A, T0 + 200);
    c.prompt("draft")
        .write("notes.txt", "first draft line one\nfirst draft line two\n");
    c.write("notes.txt", "second version entirely\n");
    c.write("scratch.txt", "temporary scratch content\n");
    std::fs::remove_file(env.repo.join("scratch.txt")).unwrap();
    env.tick(300);
    let commit = env.commit("notes");
    assert_eq!(labels(&env, &commit, "notes.txt"), vec!["ai:aaaa"]);
    let show = json_out(&env.drift_ok(&["show", "--json"]));
    let s = &show["sessions"][0];
    assert_eq!(
        (s["accepted"].as_u64(), s["superseded"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(show["sessions"][0]["files"].get("scratch.txt").is_none());
}

#[test]
fn binding_twice_is_byte_identical() {
    let env = setup();
    Claude::new(&env, CLAUDE_A, T0 + 200)
        .prompt("p")
        .write("f.txt", "alpha beta gamma\n");
    env.tick(300);
    let commit = env.commit("f");
    let before = note_text(&env, &commit).unwrap();
    let notes_ref = env.git(&["rev-parse", "refs/notes/drift"]);
    let out = env.drift_ok(&["bind", &commit]);
    assert!(out.contains("note unchanged"), "{out}");
    assert_eq!(note_text(&env, &commit).unwrap(), before);
    assert_eq!(env.git(&["rev-parse", "refs/notes/drift"]), notes_ref);
}

#[test]
fn amend_moves_the_note_without_duplicates() {
    let env = setup();
    Claude::new(&env, CLAUDE_A, T0 + 200)
        .prompt("p")
        .write("f.py", "def f():\n    return 42\n");
    env.tick(300);
    let old = env.commit("f");
    env.write("f.py", &format!("{}# human footer\n", env.read("f.py")));
    env.tick(60);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "--amend", "-m", "f amended"]);
    let new = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_ne!(old, new);
    assert_eq!(
        labels(&env, &new, "f.py"),
        vec!["ai:aaaa", "ai:aaaa", "human"]
    );
    let text = note_text(&env, &new).unwrap();
    assert_eq!(text.matches("drift-note/1").count(), 1, "{text}");
    assert_eq!(
        text.matches(&format!("session {CLAUDE_A}")).count(),
        1,
        "{text}"
    );
}

#[test]
fn rebase_onto_a_changed_base_reanchors_lines() {
    let env = setup();
    env.write("f.py", "a = 1\nb = 2\n");
    env.commit("base");
    env.git(&["checkout", "-q", "-b", "feature"]);
    Claude::new(&env, CLAUDE_A, T0 + 200).prompt("add c").edit(
        "f.py",
        "b = 2\n",
        "b = 2\nc = compute(a, b)\n",
    );
    env.tick(300);
    env.commit("c");
    env.git(&["checkout", "-q", "main"]);
    env.write("f.py", "# header added upstream\na = 1\nb = 2\n");
    env.commit("upstream header");
    env.git(&["checkout", "-q", "feature"]);
    env.tick(60);
    env.git(&["rebase", "-q", "main"]);
    let head = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(labels(&env, &head, "f.py"), vec!["-", "-", "-", "ai:aaaa"]);
}

#[test]
fn cherry_pick_and_squash_merge_carry_attribution() {
    let env = setup();
    env.git(&["checkout", "-q", "-b", "feature"]);
    Claude::new(&env, CLAUDE_A, T0 + 200)
        .prompt("feature")
        .write("feat.py", "def feature():\n    return 'feature'\n");
    env.tick(300);
    let picked = env.commit("feature");
    env.git(&["checkout", "-q", "main"]);
    env.git(&["checkout", "-q", "-b", "release"]);
    env.tick(60);
    env.git(&["cherry-pick", picked.as_str()]);
    let head = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_ne!(head, picked);
    assert_eq!(labels(&env, &head, "feat.py"), vec!["ai:aaaa", "ai:aaaa"]);

    env.git(&["checkout", "-q", "main"]);
    env.git(&["merge", "-q", "--squash", "feature"]);
    let squashed = env.commit("squash feature");
    assert_eq!(
        labels(&env, &squashed, "feat.py"),
        vec!["ai:aaaa", "ai:aaaa"]
    );
}

#[test]
fn merge_commit_attributes_only_lines_new_to_all_parents() {
    let env = setup();
    env.write("f.txt", "base\n");
    env.commit("base");
    env.git(&["checkout", "-q", "-b", "side"]);
    env.write("g.txt", "side file\n");
    env.commit("side");
    env.git(&["checkout", "-q", "main"]);
    env.write("h.txt", "main file\n");
    env.commit("main");
    env.tick(60);
    env.git(&["merge", "-q", "--no-ff", "--no-commit", "side"]);
    Claude::new(&env, CLAUDE_A, T0 + 600)
        .prompt("resolve")
        .edit("f.txt", "base\n", "base\nmerged by agent\n");
    env.tick(700);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "merge side"]);
    let merge = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(labels(&env, &merge, "f.txt"), vec!["-", "ai:aaaa"]);
    assert_eq!(labels(&env, &merge, "g.txt"), vec!["-"]);
}

#[test]
fn corrupt_store_never_blocks_a_commit() {
    let env = setup();
    std::fs::write(
        env.repo.join(".prompts/events.db"),
        b"this is not a database at all",
    )
    .unwrap();
    env.write("x.txt", "x\n");
    env.tick(60);
    env.git(&["add", "-A"]);
    let out = env
        .cmd_in("git", &env.repo)
        .args(["commit", "-q", "-m", "x"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("git drift: warning: post-commit:"), "{err}");
    assert_eq!(
        err.lines().filter(|l| l.contains("git drift")).count(),
        1,
        "{err}"
    );
    assert_eq!(env.git(&["log", "-1", "--format=%s"]).trim(), "x");
}

#[test]
fn backfill_attributes_old_commits_idempotently() {
    let env = Env::new();
    env.write("README.md", "# w\n");
    env.commit("initial");
    let mut c = Claude::new(&env, CLAUDE_A, T0 + 100);
    let mut commits = Vec::new();
    for (i, name) in ["one.py", "two.py", "three.py"].iter().enumerate() {
        c.prompt(&format!("write {name}"))
            .write(name, &format!("value_{i} = compute_{i}()\n"));
        c.now += 120_000;
        env.tick(240);
        commits.push(env.commit(name));
    }
    // No hooks were installed: no notes yet.
    assert!(note_text(&env, &commits[0]).is_none());
    let out = env.drift_ok(&["backfill"]);
    assert_eq!(
        out.lines().filter(|l| l.contains("1 ai")).count(),
        3,
        "{out}"
    );
    for (c, name) in commits.iter().zip(["one.py", "two.py", "three.py"]) {
        assert_eq!(labels(&env, c, name), vec!["ai:aaaa"], "{name}");
    }
    let again = env.drift_ok(&["backfill"]);
    assert_eq!(again.matches("note unchanged").count(), 4, "{again}");
}

#[test]
fn privacy_attribution_keeps_text_out_and_off_writes_no_note() {
    let env = setup();
    std::fs::write(
        env.repo.join(".prompts/config.yaml"),
        "privacy: attribution\n",
    )
    .unwrap();
    Claude::new(&env, CLAUDE_A, T0 + 200)
        .prompt("a very secret plan")
        .write("p.txt", "private line here\n");
    env.tick(300);
    let commit = env.commit("p");
    let text = note_text(&env, &commit).unwrap();
    assert!(text.contains(CLAUDE_A), "{text}");
    assert!(!text.contains("a very secret plan"), "{text}");
    std::fs::write(env.repo.join(".prompts/config.yaml"), "privacy: off\n").unwrap();
    Claude::new(&env, CLAUDE_B, T0 + 400)
        .prompt("more")
        .write("q.txt", "another line here\n");
    env.tick(300);
    let commit = env.commit("q");
    assert!(note_text(&env, &commit).is_none());
}

#[test]
fn large_backlog_binds_in_the_background_without_blocking_the_commit() {
    let env = setup();
    // Over 4 MB of transcript not captured yet: the hook hands the work to a detached process.
    let mut c = Claude::new(&env, CLAUDE_A, T0 + 100);
    let filler = "lorem ipsum dolor sit amet ".repeat(40);
    for _ in 0..5000 {
        c.say(&filler);
    }
    c.prompt("add the module")
        .write("big.py", "def big():\n    return 'big'\n");
    env.tick(20_000);
    env.git(&["add", "-A"]);
    let out = env
        .cmd_in("git", &env.repo)
        .args(["commit", "-q", "-m", "big"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in the background"), "{err}");
    let head = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    let mut waited = 0;
    while note_text(&env, &head).is_none() && waited < 200 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        waited += 1;
    }
    assert_eq!(labels(&env, &head, "big.py"), vec!["ai:aaaa", "ai:aaaa"]);
}

#[test]
fn human_change_to_an_old_line_is_not_modified_agent_work() {
    // Regression: a human tweak to a line the agent never wrote resembled a line the agent
    // did write (and that landed unchanged), and was labelled "modified".
    let env = setup();
    env.write(
        "net.py",
        "def get(url):\n    return requests.get(url, timeout=10)\n\ndef fetch(url):\n    pass\n",
    );
    env.commit("base");
    Claude::new(&env, CLAUDE_A, T0 + 200)
        .prompt("fetch via get")
        .edit(
            "net.py",
            "def fetch(url):\n    pass\n",
            "def fetch(url):\n    return get(url)\n",
        );
    env.write(
        "net.py",
        &env.read("net.py").replace("timeout=10", "timeout=5"),
    );
    env.tick(300);
    let commit = env.commit("tweak");
    assert_eq!(
        labels(&env, &commit, "net.py"),
        vec!["-", "human", "-", "-", "ai:aaaa"]
    );
}

#[test]
fn binary_and_generated_files_are_skipped_with_a_reason() {
    let env = setup();
    std::fs::write(
        env.repo.join("logo.png"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR binary",
    )
    .unwrap();
    let generated: String = (0..20_001).map(|i| format!("row_{i} = {i}\n")).collect();
    env.write("generated.py", &generated);
    Claude::new(&env, CLAUDE_A, T0 + 200)
        .prompt("p")
        .write("small.py", "x = compute()\n");
    env.tick(300);
    let commit = env.commit("assets");
    let out = env.drift_ok(&["bind", &commit]);
    assert!(out.contains("skipped logo.png: binary file"), "{out}");
    assert!(
        out.contains("skipped generated.py: 20001 added lines (over 20000): treated as generated"),
        "{out}"
    );
    assert_eq!(labels(&env, &commit, "small.py"), vec!["ai:aaaa"]);
    let v = json_out(&env.drift_ok(&["bind", &commit, "--json"]));
    let skipped: Vec<&str> = v[0]["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0].as_str().unwrap())
        .collect();
    assert_eq!(skipped, vec!["generated.py", "logo.png"]);
}

#[test]
fn usage_errors_exit_1_on_every_entry_point() {
    let env = setup();
    for args in [
        vec!["drift", "log", "--bogus"],
        vec!["drift", "blame", "--bogus"],
        vec!["drift-blame", "--bogus"],
        vec!["drift-handoff", "--bogus"],
        vec!["drift", "frobnicate"],
    ] {
        let out = env.cmd_in("git", &env.repo).args(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let help = env
        .cmd_in("git", &env.repo)
        .args(["drift", "-h"])
        .output()
        .unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("Usage: git drift"));
}

#[test]
fn commits_in_a_linked_worktree_are_bound() {
    let env = setup();
    let wt = env.tmp.path().canonicalize().unwrap().join("wt");
    env.git(&["worktree", "add", "-q", "-b", "side", wt.to_str().unwrap()]);
    let out = env.drift_in(&wt, &["init"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The agent works in the linked worktree (its cwd is the worktree, not the main one).
    let dir = env.claude_project_dir(&wt);
    std::fs::create_dir_all(&dir).unwrap();
    let line = serde_json::json!({"type": "assistant", "cwd": wt, "sessionId": CLAUDE_B, "uuid": "w-1",
        "timestamp": "2026-01-15T10:05:00.000Z", "gitBranch": "side",
        "message": {"model": "claude-sonnet-4-5-20250929", "id": "msg_w1", "role": "assistant",
            "content": [{"type": "tool_use", "id": "toolu_w1", "name": "Write",
                "input": {"file_path": wt.join("wt.py"), "content": "print('from the worktree')\n"}}]}});
    std::fs::write(dir.join(format!("{CLAUDE_B}.jsonl")), format!("{line}\n")).unwrap();
    std::fs::write(wt.join("wt.py"), "print('from the worktree')\n").unwrap();
    env.tick(900);
    env.git_in(&wt, &["add", "-A"]);
    env.git_in(&wt, &["commit", "-q", "-m", "worktree work"]);
    let head = env.git_in(&wt, &["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(labels(&env, &head, "wt.py"), vec!["ai:bbbb"]);
    assert!(wt.join(".prompts/events.db").is_file());
}

/// Stage `staged` as the index version of `rel` while the worktree keeps its content, then
/// commit only what is staged (what `git add -p` does); returns the commit id.
pub(crate) fn commit_staged(env: &Env, rel: &str, staged: &str, msg: &str) -> String {
    let full = env.read(rel);
    env.write(rel, staged);
    env.git(&["add", rel]);
    env.write(rel, &full);
    env.tick(60);
    env.git(&["commit", "-q", "-m", msg]);
    env.git(&["rev-parse", "HEAD"]).trim().to_string()
}

#[test]
fn path_with_space_keeps_attribution() {
    let env = setup();
    let names = ["my file.py", "café.py", "quo\"te.py"];
    let mut c = Claude::new(&env, CLAUDE_A, T0 + 200);
    c.prompt("odd names");
    for n in names {
        c.write(n, "def odd_name():\n    return 'odd'\n");
    }
    env.tick(300);
    let commit = env.commit("odd names");
    let note = note_of(&env, &commit).unwrap();
    for n in names {
        assert!(note.files.contains_key(n), "{n}: {:?}", note.files.keys());
        assert_eq!(labels(&env, &commit, n), vec!["ai:aaaa"; 2], "{n}");
    }
}

#[test]
fn no_final_newline_does_not_shift_lines() {
    let env = setup();
    env.write("f", "a\nb");
    env.commit("1");
    env.write("f", "a\nb\nc\n");
    let commit = env.commit("2");
    let text = note_text(&env, &commit).unwrap();
    assert!(text.contains("file f 2-3 human"), "{text}");
    assert_eq!(labels(&env, &commit, "f"), vec!["-", "human", "human"]);
}

#[test]
fn failed_edit_is_not_evidence() {
    let env = setup();
    env.write("a.py", "x = 1\n");
    env.commit("a");
    Claude::new(&env, CLAUDE_A, T0 + 200)
        .prompt("change x")
        .failed_edit("a.py", "x = 2\n", "x = compute_the_value()\n");
    Codex::new(&env, CODEX_C, T0 + 230)
        .prompt("add y")
        .failed_patch("*** Begin Patch\n*** Update File: a.py\n@@\n-x = 9\n+y = derive_the_other()\n*** End Patch\n");
    // The human writes what both agents tried and failed to write.
    env.write("a.py", "x = compute_the_value()\ny = derive_the_other()\n");
    env.tick(300);
    let commit = env.commit("x");
    assert_eq!(labels(&env, &commit, "a.py"), vec!["human", "human"]);
    let note = note_of(&env, &commit).unwrap();
    assert!(note.sessions.is_empty(), "{:?}", note.sessions);
}

#[test]
fn unlanded_edits_wait_for_the_commit_that_has_them() {
    // Partial staging: the second edit's line is not in the first commit, so that edit is
    // not bound to it and the second commit (which has the line) labels it ai.
    let env = setup();
    env.write("app.py", "def a():\n    pass\n\ndef b():\n    pass\n");
    env.commit("skeleton");
    let mut c = Claude::new(&env, CLAUDE_A, T0 + 200);
    c.prompt("implement")
        .edit(
            "app.py",
            "def a():\n    pass\n",
            "def a():\n    return compute_alpha()\n",
        )
        .edit(
            "app.py",
            "def b():\n    pass\n",
            "def b():\n    return compute_beta()\n",
        );
    env.tick(300);
    let staged = env.read("app.py").replace("return compute_beta()", "pass");
    let first = commit_staged(&env, "app.py", &staged, "a only");
    assert_eq!(
        labels(&env, &first, "app.py"),
        vec!["-", "ai:aaaa", "-", "-", "-"]
    );
    let second = env.commit("b");
    assert_eq!(
        labels(&env, &second, "app.py"),
        vec!["-", "-", "-", "-", "ai:aaaa"]
    );
    // An amend that only rewrites the message while an agent edit is unstaged.
    c.now = (env.clock.get() + 10) * 1000;
    c.edit(
        "app.py",
        "    return compute_alpha()\n",
        "    return compute_alpha(retries=3)\n",
    );
    env.tick(60);
    env.git(&["commit", "-q", "--amend", "-m", "b, reworded"]);
    let third = env.commit("retries");
    assert_eq!(
        labels(&env, &third, "app.py"),
        vec!["-", "ai:aaaa", "-", "-", "-"]
    );
}

#[test]
fn history_before_install_is_not_evidence() {
    // The agent's edit was committed a month before `git drift init`; the first commit
    // after init, where a human writes the same text again, is human.
    let env = Env::new();
    env.write("cfg.py", "RETRIES = 5\n");
    env.commit("base");
    Claude::new(&env, CLAUDE_A, T0 + 100)
        .prompt("fewer retries")
        .edit("cfg.py", "RETRIES = 5\n", "RETRIES = 3\n");
    env.tick(200);
    env.commit("agent change");
    env.tick(30 * 86_400);
    env.write("cfg.py", "RETRIES = 5\n");
    env.commit("back to 5");
    env.drift_ok(&["init"]);
    env.write("cfg.py", "RETRIES = 3\n");
    let commit = env.commit("human: 3 again");
    assert_eq!(labels(&env, &commit, "cfg.py"), vec!["human"]);
    // Backfill binds the history: the old commit gets the edit, the new one stays human.
    env.drift_ok(&["backfill"]);
    let log = env.git(&["log", "--format=%H %s"]);
    let agent = log.lines().find(|l| l.ends_with("agent change")).unwrap();
    assert_eq!(labels(&env, &agent[..40], "cfg.py"), vec!["ai:aaaa"]);
    assert_eq!(labels(&env, &commit, "cfg.py"), vec!["human"]);
}

#[test]
fn common_lines_are_not_ai_without_a_position() {
    let env = setup();
    env.write(
        "util.py",
        "import sys\n\ndef load(path):\n    return open(path).read()\n",
    );
    env.commit("base");
    Claude::new(&env, CLAUDE_A, T0 + 200).prompt("guard load").edit(
        "util.py",
        "def load(path):\n    return open(path).read()\n",
        "def load(path):\n    import os\n    if not os.path.exists(path):\n        return None\n    return open(path).read()\n",
    );
    let human = "\ndef save(path, data):\n    import os\n    if not os.path.exists(path):\n        return None\n    open(path, 'w').write(data)\n";
    env.write("util.py", &format!("{}{human}", env.read("util.py")));
    env.write(
        "other.py",
        "import os\nif not os.path.exists(path):\n    return None\n",
    );
    env.tick(300);
    let commit = env.commit("guards");
    let mut want = vec!["-", "-", "-", "ai:aaaa", "ai:aaaa", "ai:aaaa", "-"];
    want.extend(["human"; 6]);
    assert_eq!(labels(&env, &commit, "util.py"), want);
    assert_eq!(labels(&env, &commit, "other.py"), vec!["human"; 3]);
}

#[test]
fn write_over_human_lines_and_sub_line_edits_are_placed() {
    let env = setup();
    env.write(
        "conf.py",
        "import os\nRETRIES = 3\n\ndef connect(host):\n    return open_conn(host, timeout=5)\n",
    );
    env.commit("base");
    let mut c = Claude::new(&env, CLAUDE_A, T0 + 200);
    // A Write that reproduces the lines already there and adds one.
    c.prompt("add a backoff").write(
        "conf.py",
        "import os\nRETRIES = 3\nBACKOFF_SECONDS = 2\n\ndef connect(host):\n    return open_conn(host, timeout=5)\n",
    );
    // A sub-line edit.
    c.edit("conf.py", "timeout=5", "timeout=30");
    env.tick(300);
    let commit = env.commit("backoff");
    assert_eq!(
        labels(&env, &commit, "conf.py"),
        vec!["-", "-", "ai:aaaa", "-", "-", "ai:aaaa"]
    );
    // Context an edit repeats is not the agent's, and blank lines keep their own author.
    c.now = (env.clock.get() + 10) * 1000;
    c.edit(
        "conf.py",
        "def connect(host):\n",
        "def connect(host):\n    \"\"\"Open a connection.\"\"\"\n\n",
    );
    let text = env
        .read("conf.py")
        .replace("def connect(host):", "def connect(host, port=80):")
        .replace("BACKOFF_SECONDS = 2\n", "BACKOFF_SECONDS = 2\n\n");
    env.write("conf.py", &text);
    env.tick(120);
    let commit = env.commit("docstring");
    assert_eq!(
        labels(&env, &commit, "conf.py"),
        // git counts the second of the two blank lines as the new one.
        vec![
            "-", "-", "-", "-", "human", "human", "ai:aaaa", "ai:aaaa", "-"
        ]
    );
}

#[test]
fn superseded_agent_text_never_feeds_modified() {
    let env = setup();
    env.write("settings.json", "{\n}\n");
    env.commit("base");
    Claude::new(&env, CLAUDE_A, T0 + 200)
        .prompt("settings")
        .edit("settings.json", "{\n", "{\n    \"timeout\": 30,\n")
        .edit(
            "settings.json",
            "    \"timeout\": 30,\n",
            "    \"log_level\": \"info\",\n",
        );
    env.write(
        "settings.json",
        &env.read("settings.json").replace(
            "    \"log_level\": \"info\",\n",
            "    \"connect_timeout\": 30,\n",
        ),
    );
    env.tick(300);
    let commit = env.commit("settings");
    assert_eq!(
        labels(&env, &commit, "settings.json"),
        vec!["-", "human", "-"]
    );
}

#[test]
fn empty_commits_bind_and_backfill_goes_on() {
    let env = Env::new();
    env.tick(60);
    env.git(&["commit", "-q", "--allow-empty", "-m", "empty root"]);
    env.write("a.txt", "alpha line\n");
    env.commit("a");
    env.tick(60);
    env.git(&["commit", "-q", "--allow-empty", "-m", "empty"]);
    env.write("b.txt", "beta line\n");
    let b = env.commit("b");
    let out = env.drift_ok(&["backfill"]);
    assert_eq!(
        out.lines().filter(|l| l.contains("human lines")).count(),
        4,
        "{out}"
    );
    assert_eq!(labels(&env, &b, "b.txt"), vec!["human"]);
    env.drift_ok(&["init"]);
    env.tick(60);
    env.git(&["commit", "-q", "--allow-empty", "-m", "empty again"]);
    env.drift_ok(&["bind", "HEAD"]);
}

#[test]
fn note_lists_only_sessions_that_contributed() {
    // Issue 19: a one-line human commit in a repository with many sessions got a note
    // listing every session with accepted=0.
    let env = setup();
    env.write("main.py", "def main():\n    pass\n");
    env.commit("main");
    for i in 0..6 {
        let id = format!("dddd{i:04}-0000-4000-8000-00000000000d");
        Claude::new(&env, &id, T0 + 200 + i * 20)
            .prompt("elsewhere")
            .write(
                &format!("other_{i}.py"),
                &format!("value_{i} = compute_{i}()\n"),
            );
    }
    // One session's edit on the committed file stays unstaged.
    Claude::new(&env, CLAUDE_B, T0 + 400).prompt("main").edit(
        "main.py",
        "    pass\n",
        "    pass\n    run_the_main_loop()\n",
    );
    env.tick(600);
    let staged = "# entry point\ndef main():\n    pass\n";
    let full = format!("# entry point\n{}", env.read("main.py"));
    env.write("main.py", &full);
    let commit = commit_staged(&env, "main.py", staged, "comment");
    let note = note_of(&env, &commit).unwrap();
    assert!(note.sessions.is_empty(), "{:?}", note.sessions.keys());
    assert_eq!(labels(&env, &commit, "main.py"), vec!["human", "-", "-"]);
    let next = commit_staged(&env, "main.py", &full, "loop");
    let note = note_of(&env, &next).unwrap();
    assert_eq!(note.sessions.keys().collect::<Vec<_>>(), vec![CLAUDE_B]);
    assert_eq!(note.sessions[CLAUDE_B].accepted, 1);
}
