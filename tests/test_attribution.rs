//! Binding sessions to commits through the real hooks: attribution line by line, notes, and
//! what happens to them across amend, rebase, cherry-pick, squash and merge.

use crate::common::{Claude, Codex, Env, T0, json_out};
use drift::notes::{Note, Who};

/// One label per line of `path` as committed in `commit`, from that commit's own note:
/// `ai:<session prefix>`, `mod:<session prefix>`, `human`, or `-` for lines the commit did
/// not add (or no note).
fn labels(env: &Env, commit: &str, path: &str) -> Vec<String> {
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

fn note_text(env: &Env, commit: &str) -> Option<String> {
    let out = env
        .cmd_in("git", &env.repo)
        .args(["notes", "--ref=drift", "show", commit])
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn note_of(env: &Env, commit: &str) -> Option<Note> {
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
