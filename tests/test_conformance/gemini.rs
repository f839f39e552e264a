//! Conformance against the real Gemini CLI (`@google/gemini-cli` from npm, pinned and cached
//! by `tests/conformance/install.sh`), driven offline against the scripted model server's
//! Gemini API (`server/gemini.rs`): `gemini -p` writes and edits a file, fails an edit, resumes
//! a session git drift injected, and (under tmux) the user declines a write and says why.
//! git drift must capture what the CLI wrote and attribute the lines it wrote.

use super::driver::{CLI_DEADLINE_SECS, Clis, Run, World, run_with_deadline};
use super::server::{Script, Server};
use super::{EDITED, FIRST, assert_ran, brief_marker_line, events, only_session};
use super::{assert_commit_blames_the_agent, assert_two_applied_edits, inject_for_resume};
use super::{resumed_request, section, session, tmux, tool};
use crate::common::json_out;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Once;

/// The pinned versions of the second install (Gemini CLI, OpenCode), from install.sh.
fn pins() -> (String, String) {
    let script = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/install.sh"),
    )
    .expect("tests/conformance/install.sh");
    let pin = |var: &str| -> String {
        if let Ok(v) = std::env::var(var)
            && !v.is_empty()
        {
            return v;
        }
        let re = regex::Regex::new(&format!(r#"\$\{{{var}:-([^}}]+)\}}"#)).expect("regex");
        re.captures(&script)
            .unwrap_or_else(|| panic!("install.sh pins no {var}"))[1]
            .to_string()
    };
    (pin("DRIFT_GEMINI_VERSION"), pin("DRIFT_OPENCODE_VERSION"))
}

/// Where install.sh put Gemini CLI and OpenCode (`DRIFT_CONFORMANCE_GEMINI_HOME`, else the
/// cache folder named after the pins), if it did.
pub fn install_home() -> Option<PathBuf> {
    let home = match std::env::var_os("DRIFT_CONFORMANCE_GEMINI_HOME") {
        Some(h) if !h.is_empty() => PathBuf::from(h),
        _ => {
            let (g, o) = pins();
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
            cache
                .join("git-drift/conformance")
                .join(format!("gemini-{g}_opencode-{o}"))
        }
    };
    if home.join(".complete").is_file() {
        return Some(home);
    }
    static SKIP: Once = Once::new();
    SKIP.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "conformance (Gemini CLI, OpenCode) skipped: not installed in {} (run \
             tests/conformance/install.sh, which needs npm, or set DRIFT_CONFORMANCE_GEMINI_HOME)",
            home.display()
        );
    });
    None
}

/// A world whose Gemini home is set up for offline runs, and the `gemini` binary.
fn gemini_world(name: &str) -> Option<(World, PathBuf)> {
    let home = install_home()?;
    let bin = home.join("node_modules/.bin/gemini");
    let clis = Clis {
        claude: home.join("node_modules/.bin/claude"),
        codex: home.join("node_modules/.bin/codex"),
        home,
    };
    let w = World::new(clis, Server::start(Script::new(vec![], "ok")), name);
    let settings = json!({
        "security": {"auth": {"selectedType": "gemini-api-key"}, "folderTrust": {"enabled": false}},
        "privacy": {"usageStatisticsEnabled": false},
        "general": {"disableAutoUpdate": true, "disableUpdateNag": true},
        "telemetry": {"enabled": false},
    });
    let dir = w.env.home.join(".gemini");
    std::fs::create_dir_all(&dir).expect("gemini home");
    std::fs::write(dir.join("settings.json"), settings.to_string()).expect("settings.json");
    Some((w, bin))
}

/// The model server's variables for Gemini CLI.
fn gemini_vars(w: &World) -> Vec<(String, String)> {
    vec![
        ("GEMINI_API_KEY".into(), "conformance-key".into()),
        ("GOOGLE_GEMINI_BASE_URL".into(), w.server.base_url()),
        ("NO_COLOR".into(), "1".into()),
    ]
}

/// `gemini ARGS` in the repository.
fn gemini(w: &World, bin: &Path, args: &[&str]) -> Run {
    let mut c = w.env.cmd_in(bin.to_str().expect("path"), &w.env.repo);
    c.args(args).env("TZ", "UTC");
    for (k, v) in gemini_vars(w) {
        c.env(k, v);
    }
    run_with_deadline(c, CLI_DEADLINE_SECS)
}

/// `gemini -p` of a write_file then a replace (the replace's old text given); the session id.
fn write_then_replace(w: &World, bin: &Path, prompt: &str, old: &str) -> String {
    let path = w.env.repo.join("notes.txt");
    w.server.set_script(Script::new(
        vec![
            tool("write_file", json!({"file_path": path, "content": FIRST})),
            tool(
                "replace",
                json!({"file_path": path, "old_string": old, "new_string": "BETA\n",
                       "instruction": "Capitalise the second line."}),
            ),
        ],
        "Done: notes.txt has three lines, the second in capitals.",
    ));
    let run = gemini(
        w,
        bin,
        &["-p", prompt, "--approval-mode", "yolo", "-o", "json"],
    );
    assert_ran(&run, "gemini -p", w);
    run.json()["session_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no session_id in {run}"))
        .to_string()
}

#[test]
fn conformance_gemini_p_write_then_replace_end_to_end() {
    let Some((w, bin)) = gemini_world("gemini_p_write_then_replace_end_to_end") else {
        return;
    };
    let prompt = "Write notes.txt with three lines, then capitalise the second";
    let id = write_then_replace(&w, &bin, prompt, "beta\n");
    assert_eq!(w.env.read("notes.txt"), EDITED, "the CLI ran both tools");
    w.env.drift_ok(&["capture"]);

    let s = only_session(&w, "gemini-cli");
    assert_eq!(s["id"], id.as_str());
    assert_eq!(
        s["prompts"], 1,
        "the <session_context> preamble is no prompt: {s:#}"
    );
    assert_eq!(s["first_prompt"], prompt);
    assert_eq!(s["edits"], 2, "{s:#}");
    assert_eq!(s["rejected"], 0, "{s:#}");
    let model = s["model"].as_str().expect("a model").to_string();
    assert!(model.starts_with("gemini-"), "{s:#}");

    // The chat's re-appended records are one event each, so capturing again adds nothing.
    assert_two_applied_edits(&w, &id, ["write_file", "replace"]);
    assert_commit_blames_the_agent(&w, "gemini-cli", &id, Some(prompt));

    let brief = w
        .env
        .drift_ok(&["handoff", "--to", "gemini-cli", "--print"]);
    assert!(brief.contains(prompt), "{brief}");
    resume_gemini(&w, &bin, &brief_marker_line(&brief));
}

/// `handoff --to gemini-cli --inject`, then `gemini -p continue --resume <id>`: the resumed
/// request carries the brief, and what the resumed session did is captured.
fn resume_gemini(w: &World, bin: &Path, brief_line: &str) {
    let (rid, before) = inject_for_resume(w, "gemini-cli", "gemini --resume");
    let run = gemini(w, bin, &["-p", "continue", "--resume", &rid, "-o", "json"]);
    assert_ran(&run, "gemini -p --resume", w);
    let sent = resumed_request(w, before, ":streamGenerateContent");
    assert!(sent.body.contains(brief_line), "{}", sent.body);
    assert!(sent.body.contains("continue"), "{}", sent.body);
    assert_eq!(run.json()["session_id"], rid.as_str(), "{run}");
    w.env.drift_ok(&["capture"]);
    let t = session(w, &rid);
    assert!(
        events(&t, "prompt").iter().any(|p| p["text"] == "continue"),
        "{t:#}"
    );
    assert!(
        events(&t, "reply")
            .iter()
            .any(|r| r["text"] == "Resumed from the brief."),
        "{t:#}"
    );
}

#[test]
fn conformance_gemini_p_failed_replace_is_failed() {
    let Some((w, bin)) = gemini_world("gemini_p_failed_replace_is_failed") else {
        return;
    };
    let id = write_then_replace(&w, &bin, "Write notes.txt, then fix it", "no such line\n");
    assert_eq!(w.env.read("notes.txt"), FIRST, "the replace did not apply");
    w.env.drift_ok(&["capture"]);
    let t = session(&w, &id);
    let edits = events(&t, "edit");
    assert_eq!(edits.len(), 2, "{t:#}");
    assert_eq!(edits[0]["status"]["ok"], true, "{t:#}");
    assert_eq!(edits[1]["status"]["ok"], false, "the replace failed: {t:#}");
    assert!(
        events(&t, "rejection").is_empty(),
        "a failure, not a rejection: {t:#}"
    );
    // The failed replace wrote nothing: every line of the commit is the write's.
    let head = w.env.commit("Add notes");
    let _ = head;
    let blame = json_out(&w.env.drift_ok(&["blame", "--json", "notes.txt"]));
    for l in blame["lines"].as_array().expect("lines") {
        assert_eq!(l["who"], "ai", "{l:#}");
    }
}

const CORRECTION: &str = "call it todo.txt, not notes.txt";

#[test]
fn conformance_gemini_tui_declined_write_is_a_rejection_with_reason() {
    if !tmux::available() {
        let _ = writeln!(
            std::io::stderr(),
            "conformance: gemini tui skipped: no tmux"
        );
        return;
    }
    let Some((w, bin)) = gemini_world("gemini_tui_declined_write_is_a_rejection_with_reason")
    else {
        return;
    };
    let path = w.env.repo.join("notes.txt");
    // The declined call's result is not sent back, so the model proposes the write again
    // after the correction, and this time the user allows it.
    w.server.set_script(Script::new(
        vec![tool(
            "write_file",
            json!({"file_path": path, "content": FIRST}),
        )],
        "Understood.",
    ));
    let mut vars = w.tui_env();
    vars.extend(gemini_vars(&w));
    let t = tmux::Tmux::start(
        w.env.tmp.path(),
        &w.env.repo,
        &vars,
        &[
            bin.to_string_lossy().into_owned(),
            "-i".into(),
            "Create notes.txt".into(),
        ],
    );
    t.wait_for("Apply this change?", 90);
    t.press_until("Escape", "Request cancelled", 60);
    t.type_text(CORRECTION);
    t.press_until("Enter", "Apply this change?", 60);
    t.press_until("Enter", "Understood.", 90);
    t.keys(&["C-c", "C-c"]);
    drop(t);
    tmux::end_processes_mentioning(&w.env.home);
    assert_eq!(
        w.env.read("notes.txt"),
        FIRST,
        "the allowed retry wrote the file"
    );

    w.env.drift_ok(&["capture"]);
    let s = only_session(&w, "gemini-cli");
    assert_eq!(s["rejected"], 1, "{s:#}");
    let t = session(&w, s["id"].as_str().expect("id"));
    let edits = events(&t, "edit");
    assert_eq!(edits.len(), 2, "{t:#}");
    assert_eq!(edits[0]["status"]["rejected"], true, "{t:#}");
    assert_eq!(edits[0]["status"]["reason"], CORRECTION, "{t:#}");
    assert_eq!(edits[1]["status"]["ok"], true, "{t:#}");
    let brief = w
        .env
        .drift_ok(&["handoff", "--to", "gemini-cli", "--print"]);
    assert!(
        section(&brief, "Tried and rejected").contains(CORRECTION),
        "{brief}"
    );
}
