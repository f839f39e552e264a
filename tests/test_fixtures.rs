//! Capture of the hand-written fixture trees (tests/fixtures/{claude,codex}) through the real
//! binary: only this repository's sessions, every carrier, partial lines, idempotence; and
//! redaction of secrets before anything reaches the database file.

use crate::common::{Claude, Env, T0, json_out};

fn ids(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn fixture_trees_capture_only_this_repository() {
    let env = Env::new();
    env.install_fixtures("claude", &env.claude);
    env.install_fixtures("codex", &env.codex);
    let first = json_out(&env.drift_ok(&["capture", "--json"]));
    // The Claude and the Codex fixture each end in a line still being written.
    assert_eq!(first["partial_lines"], 2, "{first}");
    assert_eq!(first["skipped_lines"], 0, "{first}");
    let sessions = json_out(&env.drift_ok(&["sessions", "--json"]));
    let ids = ids(&sessions);
    // Foreign projects never enter the store.
    assert!(!ids.iter().any(|i| i.starts_with("3a4b5c6d")), "{ids:?}");
    assert!(!ids.iter().any(|i| i.starts_with("019bc8e0")), "{ids:?}");
    for expected in [
        "5b0c1f2e-8a4d-4c1e-9f3a-1d2e3f4a5b6c",
        "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
        "agent-a1b2c3d4",
        "agent-a5e6f7089",
        "6e7f8091-a2b3-4c4d-9e5f-60718293a4b5",
        "019bc2a1-4d2e-7a10-9c3b-5e6f7a8b9c0d",
        "019bc2b0-1111-7a10-9c3b-5e6f7a8b9c01",
    ] {
        assert!(
            ids.iter().any(|i| i == expected),
            "{expected} missing from {ids:?}"
        );
    }
    let sub = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "agent-a5e6f7089")
        .unwrap();
    assert_eq!(sub["parent"], "5b0c1f2e-8a4d-4c1e-9f3a-1d2e3f4a5b6c");
    // The session that moved into the project mid-way keeps only what happened inside.
    let moved = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str().unwrap().starts_with("019bc8f0"))
        .expect("moved-in session captured");
    assert_eq!(moved["prompts"], 1, "{moved}");
    assert_eq!(moved["cwd"], env.repo.to_str().unwrap());
    // Rejections: Claude's declined edit and command, the command a settings rule denied and
    // the declined plan (issue 11 items 11 and 7); Codex's declined command and patch.
    let claude_rej = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f")
        .unwrap();
    assert_eq!(claude_rej["rejected"], 4);
    let codex_rej = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str().unwrap().starts_with("019bc2c0"))
        .unwrap();
    assert_eq!(codex_rej["rejected"], 2);

    // Capturing again reads nothing and changes nothing.
    let again = json_out(&env.drift_ok(&["capture", "--json"]));
    assert_eq!(again["events"], 0, "{again}");
    let sessions2 = json_out(&env.drift_ok(&["sessions", "--json"]));
    assert_eq!(sessions, sessions2);

    // The apply_patch carriers all became edits with repository-relative files.
    let carriers = json_out(&env.drift_ok(&["session", "019bc2b0", "--json"]));
    let files: Vec<&str> = carriers["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "edit")
        .filter_map(|e| e["file"].as_str())
        .collect();
    assert!(files.len() >= 6, "{files:?}");
    assert!(files.iter().all(|f| !f.starts_with('/')), "{files:?}");
}

#[test]
fn agent_filter_and_bad_agent_name() {
    let env = Env::new();
    env.install_fixtures("claude", &env.claude);
    env.install_fixtures("codex", &env.codex);
    let out = json_out(&env.drift_ok(&["capture", "--agent", "codex", "--json"]));
    assert!(out["sessions"].as_u64().unwrap() >= 5, "{out}");
    let v = json_out(&env.drift_ok(&["sessions", "--agent", "codex", "--json"]));
    assert!(v.as_array().unwrap().iter().all(|s| s["agent"] == "codex"));
    let bad = env.drift(&["capture", "--agent", "vim"]);
    assert_eq!(bad.status.code(), Some(1), "usage errors exit 1");
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("unknown agent 'vim'"), "{err}");
}

#[test]
fn secrets_never_reach_the_database_file() {
    let env = Env::new();
    // Built at run time so this source file holds nothing that looks like a live key.
    let aws = format!("AKIA{}", "Q2X7RTY4UPL3M6NB");
    let ghp = format!("ghp_{}", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8");
    let ant = format!("sk-ant-api03-{}", "Zx9".repeat(30));
    let bearer = format!(
        "Bearer {}",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    );
    let pw = format!("PASSWORD={}", "hunter2-Very-Secret-99");
    env.write("config.env", "PLACEHOLDER=1\n");
    let mut c = Claude::new(&env, "5ec7e700-0000-4000-8000-000000000001", T0 - 3600);
    c.prompt(&format!("use the key {aws} and the token {ghp}"))
        .edit(
            "config.env",
            "PLACEHOLDER=1\n",
            &format!("ANTHROPIC_API_KEY={ant}\n{pw}\n"),
        )
        .command(
            &format!("curl -H 'Authorization: {bearer}' https://api.example.com"),
            0,
            &format!("echo {ghp}"),
        )
        .rejected_command(
            "cat ~/.ssh/id_rsa",
            Some(&format!("no, and the key is {aws}")),
        );
    env.drift_ok(&["capture", "--quiet"]);
    let mut bytes = Vec::new();
    for f in ["events.db", "events.db-wal", "events.db-shm"] {
        if let Ok(b) = std::fs::read(env.repo.join(".prompts").join(f)) {
            bytes.extend(b);
        }
    }
    assert!(!bytes.is_empty());
    let hay = String::from_utf8_lossy(&bytes);
    for secret in [
        aws.as_str(),
        &ghp,
        &ant,
        "hunter2-Very-Secret-99",
        "dozjgNryP4J3jVmNHl0w5N",
    ] {
        assert!(
            !hay.contains(secret),
            "secret {secret} reached the database"
        );
    }
    assert!(
        hay.contains("[REDACTED:"),
        "redaction markers are stored instead"
    );
    // The session is still readable, with the secrets masked.
    let text = env.drift_ok(&["session", "5ec7"]);
    assert!(
        text.contains("use the key [REDACTED:aws-access-key]"),
        "{text}"
    );
}

#[test]
fn extra_redaction_patterns_from_config_add_to_the_defaults() {
    let env = Env::new();
    std::fs::create_dir_all(env.repo.join(".prompts")).unwrap();
    std::fs::write(
        env.repo.join(".prompts/config.yaml"),
        "redaction:\n  extra_patterns:\n    - 'ACME-[0-9]{6}'\n",
    )
    .unwrap();
    let aws = format!("AKIA{}", "Q2X7RTY4UPL3M6NB");
    Claude::new(&env, "5ec7e700-0000-4000-8000-000000000002", T0 - 3600)
        .prompt(&format!("internal id ACME-123456 and {aws}"));
    let text = env.drift_ok(&["session", "5ec7"]);
    assert!(
        !text.contains("ACME-123456") && !text.contains(&aws),
        "{text}"
    );
}

#[test]
fn config_errors_name_file_key_and_valid_values() {
    let env = Env::new();
    std::fs::create_dir_all(env.repo.join(".prompts")).unwrap();
    std::fs::write(env.repo.join(".prompts/config.yaml"), "privacy: loud\n").unwrap();
    let out = env.drift(&["sessions"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(".prompts/config.yaml")
            && err.contains("privacy")
            && err.contains("attribution, summary, off"),
        "{err}"
    );
}
