//! `git drift config`: the merged values with their origins, `get`, a `set` that keeps the
//! file's comments and refuses what the parser refuses, `--edit` through git's editor, and
//! "did you mean" for mistyped keys (issue 18 item 3).

use crate::common::{Env, json_out};
use std::process::Output;

fn init() -> Env {
    let env = Env::new();
    env.drift_ok(&["init"]);
    env
}

fn fail(out: Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn origin_of(env: &Env, key: &str) -> String {
    let v = json_out(&env.drift_ok(&["config", "--json"]));
    let row = v
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("{key} in {v:#}"))
        .clone();
    row["origin"].as_str().expect("origin").to_string()
}

#[test]
fn config_lists_values_with_their_origin() {
    let env = init();
    let user = env.home.join(".config/drift/config.yaml");
    std::fs::create_dir_all(user.parent().unwrap()).unwrap();
    std::fs::write(
        &user,
        "handoff:\n  brief_tokens: 4000\n  llm:\n    provider: ollama\n    max_tokens: 1000\n",
    )
    .unwrap();
    let listed = env.drift_ok(&["config"]);
    assert!(listed.contains("handoff.llm.max_tokens=1000\n"), "{listed}");
    assert!(listed.contains("handoff.llm.provider=ollama\n"), "{listed}");
    assert!(
        !listed.contains("handoff.llm.model="),
        "unset keys are not listed: {listed}"
    );
    let shown = env.drift_ok(&["config", "--show-origin"]);
    assert!(
        shown.contains("~/.config/drift/config.yaml\thandoff.llm.provider=ollama\n"),
        "{shown}"
    );
    // The template init writes sets privacy and brief_tokens, over the user's; a key no file
    // sets is a default.
    assert!(
        shown.contains(".prompts/config.yaml\thandoff.brief_tokens=8000\n"),
        "{shown}"
    );
    assert!(
        shown.contains(".prompts/config.yaml\tprivacy=summary\n"),
        "{shown}"
    );
    assert!(
        shown.contains("default\thandoff.llm.max_retries=3\n"),
        "{shown}"
    );
    assert_eq!(
        env.drift_ok(&["config", "get", "handoff.llm.max_tokens"]),
        "1000\n"
    );
    let v = json_out(&env.drift_ok(&["config", "--json"]));
    let model = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "handoff.llm.model")
        .unwrap();
    assert!(model["value"].is_null(), "{model}");
    let err = fail(env.drift(&["config", "get", "handoff.llm.model"]));
    assert!(err.contains("handoff.llm.model is not set"), "{err}");
}

#[test]
fn config_set_keeps_comments_and_uncomments_the_template_key() {
    let env = init();
    let before = env.read(".prompts/config.yaml");
    assert!(before.contains("    # model:\n"));
    let said = env.drift_ok(&["config", "set", "handoff.llm.model", "llama3.1:8b"]);
    assert_eq!(
        said,
        ".prompts/config.yaml: handoff.llm.model=llama3.1:8b\n"
    );
    let after = env.read(".prompts/config.yaml");
    assert!(after.contains("    model: llama3.1:8b\n"), "{after}");
    assert!(!after.contains("# model:"), "{after}");
    // Every other line is kept, comments included.
    let dropped: Vec<&str> = before
        .lines()
        .filter(|l| !after.lines().any(|a| a == *l))
        .collect();
    assert_eq!(dropped, ["    # model:"], "{after}");
    assert_eq!(
        env.drift_ok(&["config", "get", "handoff.llm.model"]),
        "llama3.1:8b\n"
    );
    assert_eq!(origin_of(&env, "handoff.llm.model"), ".prompts/config.yaml");
    // A value YAML would misread is quoted; patterns read back as a list.
    env.drift_ok(&[
        "config",
        "set",
        "redaction.extra_patterns",
        "['ACME-[0-9]{12}']",
    ]);
    assert_eq!(
        env.drift_ok(&["config", "get", "redaction.extra_patterns"]),
        "['ACME-[0-9]{12}']\n"
    );
    env.drift_ok(&["config", "set", "privacy", "off"]);
    assert!(
        env.read(".prompts/config.yaml")
            .contains("\nprivacy: off\n")
    );
}

#[test]
fn config_set_refuses_what_the_parser_refuses() {
    let env = init();
    let before = env.read(".prompts/config.yaml");
    let err = fail(env.drift(&["config", "set", "privacy", "loud"]));
    assert!(
        err.contains("bad value 'loud' for 'privacy' (valid: attribution, summary, off)"),
        "{err}"
    );
    let err = fail(env.drift(&["config", "set", "handoff.llm.modle", "x"]));
    assert!(err.contains("unknown key 'handoff.llm.modle'"), "{err}");
    assert!(err.contains("did you mean 'handoff.llm.model'?"), "{err}");
    assert_eq!(
        env.read(".prompts/config.yaml"),
        before,
        "nothing was written"
    );
    // A mistyped key in the file itself is named with the likely one.
    env.write(".prompts/config.yaml", "handof:\n  to: codex\n");
    let err = fail(env.drift(&["config"]));
    assert!(
        err.contains("unknown key 'handof'") && err.contains("did you mean 'handoff'?"),
        "{err}"
    );
}

#[test]
fn config_user_file_and_a_repository_not_set_up() {
    let env = Env::new();
    let err = fail(env.drift(&["config", "set", "privacy", "off"]));
    assert!(err.contains("not set up"), "{err}");
    assert!(!env.repo.join(".prompts").exists(), "nothing was created");
    env.drift_ok(&["config", "set", "--user", "handoff.to", "codex"]);
    let user = std::fs::read_to_string(env.home.join(".config/drift/config.yaml")).unwrap();
    assert_eq!(user, "handoff:\n  to: codex\n");
    assert_eq!(origin_of(&env, "handoff.to"), "~/.config/drift/config.yaml");
    assert!(!env.repo.join(".prompts").exists(), "reading wrote nothing");
}

#[test]
fn config_edit_runs_gits_editor_and_checks_the_result() {
    let env = init();
    let run = |editor: &str| {
        env.cmd_in("git", &env.repo)
            .env("GIT_EDITOR", editor)
            .args(["drift", "config", "--edit"])
            .output()
            .unwrap()
    };
    let out = run("sed -i -e 's/^privacy: summary/privacy: off/'");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(env.drift_ok(&["config", "get", "privacy"]), "off\n");
    let err = fail(run("sed -i -e 's/^privacy: off/privacy: loud/'"));
    assert!(err.contains("bad value 'loud' for 'privacy'"), "{err}");
    assert!(err.contains("run `git drift config --edit` again"), "{err}");
}
