//! Conformance against the real OpenCode (`opencode-ai` from npm, pinned and cached by
//! `tests/conformance/install.sh` beside Gemini CLI), driven offline with `opencode run`
//! against the scripted model server's Chat Completions API (`server/chat.rs`) through an
//! `@ai-sdk/openai-compatible` provider. git drift must read OpenCode's SQLite database (in
//! WAL mode, the CLI possibly still holding it) and attribute the lines OpenCode wrote.

use super::driver::{CLI_DEADLINE_SECS, Clis, Run, World, run_with_deadline};
use super::gemini::install_home;
use super::server::{Script, Server};
use super::{EDITED, FIRST, assert_ran, events, only_session, session, tool};
use super::{assert_commit_blames_the_agent, assert_two_applied_edits};
use serde_json::json;
use std::path::{Path, PathBuf};

fn opencode_world(name: &str) -> Option<(World, PathBuf)> {
    let home = install_home()?;
    let bin = home.join("node_modules/.bin/opencode");
    let clis = Clis {
        claude: home.join("node_modules/.bin/claude"),
        codex: home.join("node_modules/.bin/codex"),
        home,
    };
    let w = World::new(clis, Server::start(Script::new(vec![], "ok")), name);
    Some((w, bin))
}

/// `opencode ARGS` in the repository, its provider pointed at the model server.
fn opencode(w: &World, bin: &Path, args: &[&str]) -> Run {
    let config = json!({
        "provider": {"fake": {
            "npm": "@ai-sdk/openai-compatible", "name": "Fake",
            "options": {"baseURL": format!("{}/v1", w.server.base_url()), "apiKey": "sk-conformance"},
            "models": {"fake-model": {"name": "Fake Model", "tool_call": true}}}},
        "model": "fake/fake-model", "small_model": "fake/fake-model",
        "autoupdate": false, "share": "disabled",
    });
    let mut c = w.env.cmd_in(bin.to_str().expect("path"), &w.env.repo);
    c.args(args)
        .env("OPENCODE_CONFIG_CONTENT", config.to_string())
        .env("OPENCODE_DISABLE_MODELS_FETCH", "1")
        .env("OPENCODE_DISABLE_AUTOUPDATE", "1")
        .env("OPENCODE_DISABLE_SHARE", "1")
        .env("OPENCODE_DISABLE_LSP_DOWNLOAD", "1")
        .env("OPENCODE_DISABLE_DEFAULT_PLUGINS", "1")
        .env("NO_COLOR", "1")
        .env("TZ", "UTC");
    run_with_deadline(c, CLI_DEADLINE_SECS)
}

/// `opencode run` of a write then an edit (whose old text is given).
fn write_then_edit(w: &World, bin: &Path, prompt: &str, old: &str) {
    let path = w.env.repo.join("notes.txt");
    w.server.set_script(Script::new(
        vec![
            tool("write", json!({"filePath": path, "content": FIRST})),
            tool(
                "edit",
                json!({"filePath": path, "oldString": old, "newString": "BETA\n"}),
            ),
        ],
        "Done: notes.txt has three lines, the second in capitals.",
    ));
    let run = opencode(w, bin, &["run", "--auto", prompt]);
    assert_ran(&run, "opencode run", w);
}

#[test]
fn conformance_opencode_run_write_then_edit_end_to_end() {
    let Some((w, bin)) = opencode_world("opencode_run_write_then_edit_end_to_end") else {
        return;
    };
    let prompt = "Write notes.txt with three lines, then capitalise the second";
    write_then_edit(&w, &bin, prompt, "beta\n");
    assert_eq!(w.env.read("notes.txt"), EDITED, "the CLI ran both tools");
    w.env.drift_ok(&["capture"]);

    let s = only_session(&w, "opencode");
    let id = s["id"].as_str().expect("id").to_string();
    assert!(id.starts_with("ses_"), "{s:#}");
    assert_eq!(s["model"], "fake-model", "{s:#}");
    assert_eq!(s["prompts"], 1, "{s:#}");
    assert!(
        s["first_prompt"].as_str().unwrap_or("").contains(prompt),
        "{s:#}"
    );
    assert_eq!(s["edits"], 2, "{s:#}");
    assert_eq!(s["rejected"], 0, "{s:#}");
    assert_two_applied_edits(&w, &id, ["write", "edit"]);
    assert_commit_blames_the_agent(&w, "opencode", &id, None);
    let brief = w.env.drift_ok(&["handoff", "--to", "opencode", "--print"]);
    assert!(brief.contains(prompt), "{brief}");
}

#[test]
fn conformance_opencode_run_failed_edit_is_failed() {
    let Some((w, bin)) = opencode_world("opencode_run_failed_edit_is_failed") else {
        return;
    };
    write_then_edit(&w, &bin, "Write notes.txt, then fix it", "no such line\n");
    assert_eq!(w.env.read("notes.txt"), FIRST, "the edit did not apply");
    w.env.drift_ok(&["capture"]);
    let s = only_session(&w, "opencode");
    let t = session(&w, s["id"].as_str().expect("id"));
    let edits = events(&t, "edit");
    assert_eq!(edits.len(), 2, "{t:#}");
    assert_eq!(edits[0]["status"]["ok"], true, "{t:#}");
    assert_eq!(edits[1]["status"]["ok"], false, "the edit failed: {t:#}");
    assert!(
        events(&t, "rejection").is_empty(),
        "a failure, not a rejection: {t:#}"
    );
}
