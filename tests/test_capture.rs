//! Capture: only this repository's sessions, incremental, idempotent, redacted.

use crate::common::{Claude, Codex, Env, T0, json_out};

fn count(v: &serde_json::Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("no {key} in {v}"))
}

#[test]
fn capture_twice_inserts_nothing_new() {
    let env = Env::new();
    env.write("src/net.py", "def fetch(url):\n    return get(url)\n");
    let mut c = Claude::new(&env, "5b0c1f2e-8a4d-4c1e-9f3a-1d2e3f4a5b6c", T0 - 3600);
    c.prompt("Make fetch() retry three times")
        .edit(
            "src/net.py",
            "    return get(url)\n",
            "    for attempt in range(3):\n        return get(url)\n",
        )
        .rejected_command("git push --force", Some("never force push"));
    let first = json_out(&env.drift_ok(&["capture", "--json"]));
    assert_eq!(count(&first, "sessions"), 1);
    assert_eq!(count(&first, "prompts"), 1);
    assert_eq!(count(&first, "edits"), 1);
    assert_eq!(count(&first, "rejections"), 1);
    let second = json_out(&env.drift_ok(&["capture", "--json"]));
    assert_eq!(count(&second, "events"), 0);
    assert_eq!(count(&second, "files_read"), 0);
}

#[test]
fn appended_lines_are_read_incrementally() {
    let env = Env::new();
    env.write("a.txt", "one\n");
    let mut c = Claude::new(&env, "aaaaaaaa-0000-4000-8000-000000000001", T0 - 3600);
    c.prompt("first prompt");
    let first = json_out(&env.drift_ok(&["capture", "--json"]));
    assert_eq!(count(&first, "prompts"), 1);
    c.prompt("second prompt")
        .edit("a.txt", "one\n", "one\ntwo\n");
    let size = std::fs::metadata(c.path()).unwrap().len();
    let second = json_out(&env.drift_ok(&["capture", "--json"]));
    assert_eq!(count(&second, "prompts"), 1);
    assert_eq!(count(&second, "edits"), 1);
    assert!(
        count(&second, "bytes_read") < size,
        "re-read the whole file: {second}"
    );
    let sessions = json_out(&env.drift_ok(&["sessions", "--json"]));
    assert_eq!(sessions[0]["prompts"], 2);
    assert_eq!(sessions[0]["edits"], 1);
}

#[test]
fn truncated_or_replaced_file_gives_no_duplicates() {
    let env = Env::new();
    env.write("a.txt", "one\n");
    let mut c = Claude::new(&env, "bbbbbbbb-0000-4000-8000-000000000002", T0 - 3600);
    c.prompt("alpha").prompt("beta").prompt("gamma");
    env.drift_ok(&["capture", "--quiet"]);
    // Replace the file by a shorter one holding only the first line.
    let text = std::fs::read_to_string(c.path()).unwrap();
    let first_line = text.lines().next().unwrap();
    std::fs::write(c.path(), format!("{first_line}\n")).unwrap();
    let out = json_out(&env.drift_ok(&["capture", "--json"]));
    assert_eq!(count(&out, "restarted"), 1);
    assert_eq!(count(&out, "events"), 0);
    let sessions = json_out(&env.drift_ok(&["sessions", "--json"]));
    assert_eq!(sessions[0]["prompts"], 3);
}

#[test]
fn partial_last_line_waits_and_malformed_lines_are_counted() {
    let env = Env::new();
    let mut c = Claude::new(&env, "cccccccc-0000-4000-8000-000000000003", T0 - 3600);
    c.prompt("complete prompt");
    let mut text = std::fs::read_to_string(c.path()).unwrap();
    text.push_str("this is not json\n");
    let next = text
        .lines()
        .next()
        .unwrap()
        .replace("complete prompt", "later prompt")
        .replace("-0001\"", "-0099\"");
    let (head, tail) = next.split_at(next.len() / 2);
    std::fs::write(c.path(), format!("{text}{head}")).unwrap();
    let out = json_out(&env.drift_ok(&["capture", "--json"]));
    assert_eq!(count(&out, "prompts"), 1);
    assert_eq!(count(&out, "skipped_lines"), 1);
    assert_eq!(count(&out, "partial_lines"), 1);
    // The agent finishes the line: it is read now.
    std::fs::write(c.path(), format!("{text}{head}{tail}\n")).unwrap();
    let out = json_out(&env.drift_ok(&["capture", "--json"]));
    assert_eq!(count(&out, "prompts"), 1, "{out}");
    assert_eq!(count(&out, "skipped_lines"), 0);
}

#[test]
fn sessions_of_other_projects_are_never_captured() {
    let env = Env::new();
    let other = env.tmp.path().canonicalize().unwrap().join("repo-other");
    std::fs::create_dir_all(&other).unwrap();
    let mut mine = Claude::new(&env, "dddddddd-0000-4000-8000-000000000004", T0 - 3600);
    mine.prompt("mine");
    let mut theirs = Claude::in_dir(
        &env,
        "eeeeeeee-0000-4000-8000-000000000005",
        T0 - 3600,
        &other,
    );
    theirs.prompt("not mine");
    let mut cx = Codex::new(&env, "019bc2a1-4d2e-7a10-9c3b-5e6f7a8b9c0d", T0 - 1800);
    cx.prompt("codex here");
    let sessions = json_out(&env.drift_ok(&["sessions", "--json"]));
    let ids: Vec<&str> = sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![
            "dddddddd-0000-4000-8000-000000000004",
            "019bc2a1-4d2e-7a10-9c3b-5e6f7a8b9c0d"
        ]
    );
}

#[test]
fn sessions_json_contract_and_session_timeline() {
    let env = Env::new();
    env.write("src/net.py", "def fetch(url):\n    return get(url)\n");
    let mut c = Claude::new(&env, "5b0c1f2e-8a4d-4c1e-9f3a-1d2e3f4a5b6c", T0 - 3600);
    c.prompt("Make fetch() retry three times")
        .edit(
            "src/net.py",
            "    return get(url)\n",
            "    for attempt in range(3):\n        return get(url)\n",
        )
        .command("pytest -q", 1, "1 failed")
        .rejected_command("git push --force", Some("never force push"));
    let mut cx = Codex::new(&env, "019bc2a1-4d2e-7a10-9c3b-5e6f7a8b9c0d", T0 - 1800);
    cx.prompt("add a docstring")
        .rejected_command("rm -rf build")
        .command("ls", 0, "src\n");
    let v = json_out(&env.drift_ok(&["sessions", "--json"]));
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 2);
    let claude = &arr[0];
    for key in [
        "id", "agent", "model", "started", "ended", "cwd", "branch", "prompts", "edits",
        "rejected", "commands",
    ] {
        assert!(claude.get(key).is_some(), "missing {key}: {claude}");
    }
    assert_eq!(claude["agent"], "claude-code");
    assert_eq!(claude["model"], "claude-sonnet-4-5-20250929");
    assert_eq!(claude["started"], "2026-01-15T09:00:01Z");
    assert_eq!(claude["cwd"], env.repo.to_str().unwrap());
    assert_eq!(claude["branch"], "main");
    assert_eq!(
        (
            claude["prompts"].as_u64(),
            claude["edits"].as_u64(),
            claude["rejected"].as_u64(),
            claude["commands"].as_u64()
        ),
        (Some(1), Some(1), Some(1), Some(2))
    );
    let codex = &arr[1];
    assert_eq!(codex["agent"], "codex");
    assert_eq!(codex["model"], "gpt-5-codex");
    assert_eq!(
        (
            codex["prompts"].as_u64(),
            codex["rejected"].as_u64(),
            codex["commands"].as_u64()
        ),
        (Some(1), Some(1), Some(2))
    );

    let text = env.drift_ok(&["session", "5b0c"]);
    assert!(
        text.contains("prompt     Make fetch() retry three times"),
        "{text}"
    );
    assert!(text.contains("src/net.py  +2 -1  (Edit)"), "{text}");
    assert!(text.contains("pytest -q  failed (exit 1)"), "{text}");
    assert!(
        text.contains("git push --force  REJECTED: \"never force push\""),
        "{text}"
    );
    let j = json_out(&env.drift_ok(&["session", "5b0c", "--json"]));
    assert_eq!(j["id"], "5b0c1f2e-8a4d-4c1e-9f3a-1d2e3f4a5b6c");
    assert!(
        j["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "edit" && e["file"] == "src/net.py")
    );
}

#[test]
fn ambiguous_and_unknown_session_ids() {
    let env = Env::new();
    Claude::new(&env, "abc00000-0000-4000-8000-000000000001", T0 - 3600).prompt("one");
    Claude::new(&env, "abc11111-0000-4000-8000-000000000002", T0 - 3000).prompt("two");
    let out = env.drift(&["session", "abc"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ambiguous") && err.contains("abc00000") && err.contains("abc11111"),
        "{err}"
    );
    let out = env.drift(&["session", "zzz"]);
    assert_eq!(out.status.code(), Some(1));
}

/// The ids of the captured sessions, oldest first.
fn session_ids(env: &Env, dir: &std::path::Path, pwd: Option<&std::path::Path>) -> Vec<String> {
    let mut cmd = env.cmd_in("git", dir);
    if let Some(p) = pwd {
        cmd.env("PWD", p);
    }
    let out = cmd.args(["drift", "sessions", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_out(&String::from_utf8_lossy(&out.stdout))
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn symlinked_repo_path_is_captured() {
    let env = Env::new();
    let link = env.tmp.path().canonicalize().unwrap().join("work-link");
    std::os::unix::fs::symlink(&env.repo, &link).unwrap();
    // Both agents recorded the logical (symlinked) path as their cwd; git drift runs from
    // the same logical directory, as a shell that `cd`-ed through the link does.
    let mut claude = Claude::in_dir(
        &env,
        "aaaaaaaa-1111-4000-8000-000000000001",
        T0 - 3600,
        &link,
    );
    claude.prompt("via the link");
    let mut codex = Codex::in_dir(
        &env,
        "019bc2a1-4d2e-7a10-9c3b-5e6f7a8b9c0d",
        T0 - 1800,
        &link,
    );
    codex.prompt("codex via the link").patch(
        "*** Begin Patch\n*** Add File: b.txt\n+hello\n*** End Patch\n",
        &[("b.txt", "hello\n")],
    );
    let ids = session_ids(&env, &link, Some(&link));
    assert_eq!(
        ids,
        [
            "aaaaaaaa-1111-4000-8000-000000000001",
            "019bc2a1-4d2e-7a10-9c3b-5e6f7a8b9c0d"
        ]
    );
    // The edit made through the link is stored under its repository-relative path, which is
    // what attribution looks up.
    let db = rusqlite::Connection::open(env.repo.join(".prompts/events.db")).unwrap();
    let paths: Vec<Option<String>> = db
        .prepare("SELECT path FROM events WHERE kind = 'edit'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(paths, [Some("b.txt".to_string())]);
    // The canonical checkout sees the same sessions (the Codex one needs no alias at all).
    assert!(session_ids(&env, &env.repo, None).contains(&codex.id));
}

#[test]
fn sessions_whose_cwd_only_contains_the_repository_are_not_captured() {
    let env = Env::new();
    let above = env.repo.join("../..");
    let parent = env.repo.parent().unwrap().to_path_buf();
    let mut c1 = Claude::in_dir(
        &env,
        "bbbbbbbb-1111-4000-8000-000000000002",
        T0 - 3600,
        &above,
    );
    c1.prompt("work somewhere above");
    let mut c2 = Codex::in_dir(
        &env,
        "019bc2a1-0000-7a10-9c3b-5e6f7a8b9c0e",
        T0 - 3000,
        &above,
    );
    c2.prompt("also above");
    let mut c3 = Codex::in_dir(
        &env,
        "019bc2a1-0000-7a10-9c3b-5e6f7a8b9c0f",
        T0 - 2900,
        &parent,
    );
    c3.prompt("the parent directory");
    let mut mine = Claude::new(&env, "cccccccc-1111-4000-8000-000000000003", T0 - 2000);
    mine.prompt("inside");
    assert_eq!(
        session_ids(&env, &env.repo, None),
        ["cccccccc-1111-4000-8000-000000000003"]
    );
}

#[test]
fn submodule_sessions_are_not_captured_into_the_superproject() {
    let env = Env::new();
    let src = env.tmp.path().canonicalize().unwrap().join("libsrc");
    std::fs::create_dir_all(&src).unwrap();
    env.git_in(&src, &["init", "-q"]);
    std::fs::write(src.join("lib.rs"), "pub fn f() {}\n").unwrap();
    env.git_in(&src, &["add", "."]);
    env.git_in(&src, &["commit", "-qm", "lib"]);
    env.write("README.md", "top\n");
    env.commit("top");
    env.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        src.to_str().unwrap(),
        "vendor/lib",
    ]);
    let sub = env.repo.join("vendor/lib");
    assert!(sub.join(".git").exists(), "a real submodule");
    let mut in_sub = Claude::in_dir(
        &env,
        "dddddddd-1111-4000-8000-000000000004",
        T0 - 3600,
        &sub,
    );
    in_sub.prompt("fix the lib");
    let mut cx_sub = Codex::in_dir(
        &env,
        "019bc2a1-1111-7a10-9c3b-5e6f7a8b9c10",
        T0 - 3000,
        &sub,
    );
    cx_sub.prompt("codex in the submodule");
    // A plain subdirectory of the superproject is still the superproject.
    let docs = env.repo.join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let mut in_docs = Claude::in_dir(
        &env,
        "eeeeeeee-1111-4000-8000-000000000005",
        T0 - 2000,
        &docs,
    );
    in_docs.prompt("write the docs");
    assert_eq!(
        session_ids(&env, &env.repo, None),
        ["eeeeeeee-1111-4000-8000-000000000005"]
    );
    // The submodule, a repository of its own, captures its sessions.
    let ids = session_ids(&env, &sub, None);
    assert!(
        ids.contains(&cx_sub.id) && ids.contains(&in_sub.id),
        "{ids:?}"
    );
}

#[test]
fn symlinked_codex_year_directory_is_followed() {
    let env = Env::new();
    let mut cx = Codex::new(&env, "019bc2a1-2222-7a10-9c3b-5e6f7a8b9c11", T0 - 3600);
    cx.prompt("from a year on another disk");
    let years: Vec<_> = std::fs::read_dir(env.codex.join("sessions"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(years.len(), 1);
    let moved = env.tmp.path().canonicalize().unwrap().join("archive-year");
    std::fs::rename(&years[0], &moved).unwrap();
    std::os::unix::fs::symlink(&moved, &years[0]).unwrap();
    assert_eq!(
        session_ids(&env, &env.repo, None),
        ["019bc2a1-2222-7a10-9c3b-5e6f7a8b9c11"]
    );
}
