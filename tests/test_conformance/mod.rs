//! Conformance against the real agent CLIs: Claude Code and Codex, installed from npm by
//! `tests/conformance/install.sh`, run non-interactively in a throwaway repository with a
//! hermetic HOME against a scripted model server on 127.0.0.1 (`server.rs` beside this file).
//! Each test checks git drift end to end on what the real CLI wrote: capture, sessions,
//! session timelines (prompts, edits and their status, rejections, tokens), the note of a
//! commit, blame per line, the handoff brief, and that `handoff --inject` resumes in the CLI
//! with the brief in the request the model receives.
//!
//! Each finding the suite made (a record git drift misread) is written up in
//! `docs/conformance.md`, its transcript kept under `tests/fixtures/conformance/<cli>-<version>/`;
//! all are fixed, and the tests that pin them run by default.

pub mod driver;
mod gemini;
mod opencode;
pub mod server;
pub mod tmux;

use crate::common::json_out;
use driver::{Clis, Run, World};
use serde_json::{Value, json};
use server::{Script, Server, Turn};

const FIRST: &str = "alpha\nbeta\ngamma\n";
const EDITED: &str = "alpha\nBETA\ngamma\n";
const HUMAN_LINE: &str = "delta, typed by a human\n";

/// A world named after the test, or None when the CLIs are not installed.
fn world(name: &str) -> Option<World> {
    let clis = Clis::find()?;
    Some(World::new(
        clis,
        Server::start(Script::new(vec![], "ok")),
        name,
    ))
}

fn tool(name: &str, input: Value) -> Turn {
    Turn::Tool {
        name: name.to_string(),
        input,
    }
}

/// `git drift session ID --json`.
fn session(w: &World, id: &str) -> Value {
    json_out(&w.env.drift_ok(&["session", id, "--json"]))
}

/// The events of a session timeline of one type.
fn events<'a>(s: &'a Value, kind: &str) -> Vec<&'a Value> {
    s["events"]
        .as_array()
        .map(|a| a.iter().filter(|e| e["type"] == kind).collect())
        .unwrap_or_default()
}

/// The one session of `agent` that `sessions --json` lists.
fn only_session(w: &World, agent: &str) -> Value {
    let v = json_out(&w.env.drift_ok(&["sessions", "--json"]));
    let mine: Vec<&Value> = v
        .as_array()
        .expect("array")
        .iter()
        .filter(|s| s["agent"] == agent)
        .collect();
    assert_eq!(mine.len(), 1, "one {agent} session expected: {v:#}");
    mine[0].clone()
}

/// Sum of the usage the server reported: (input, output).
fn usage_total(w: &World) -> (u64, u64) {
    w.server
        .usage()
        .iter()
        .fold((0, 0), |(a, b), (i, o)| (a + i, b + o))
}

fn assert_ran(run: &Run, what: &str, w: &World) {
    assert!(
        run.ok(),
        "{what} failed: {run}\n--- requests\n{}",
        w.server.dump()
    );
}

/// Claude's `-p` run of the write-then-edit script; returns the session id.
fn claude_write_then_edit(w: &World, prompt: &str) -> String {
    let path = w.env.repo.join("notes.txt");
    w.server.set_script(Script::new(
        vec![
            tool("Write", json!({"file_path": path, "content": FIRST})),
            tool(
                "Edit",
                json!({"file_path": path, "old_string": "beta\n", "new_string": "BETA\n"}),
            ),
        ],
        "Done: notes.txt has three lines, the second in capitals.",
    ));
    let run = w.claude(&[
        "-p",
        prompt,
        "--allowedTools",
        "Write",
        "Edit",
        "--output-format",
        "json",
        "--model",
        "claude-sonnet-4-5",
    ]);
    assert_ran(&run, "claude -p", w);
    assert_eq!(w.env.read("notes.txt"), EDITED, "the CLI ran both tools");
    run.json()["session_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no session_id in {run}"))
        .to_string()
}

#[test]
fn conformance_claude_p_write_then_edit_end_to_end() {
    let Some(w) = world("claude_p_write_then_edit_end_to_end") else {
        return;
    };
    let prompt = "Write notes.txt with three lines, then capitalise the second";
    let id = claude_write_then_edit(&w, prompt);

    let cap = w.env.drift(&["capture"]);
    assert!(cap.status.success(), "{cap:?}");

    let s = only_session(&w, "claude-code");
    assert_eq!(s["id"], id.as_str());
    assert_eq!(s["model"], "claude-sonnet-4-5");
    assert_eq!(s["prompts"], 1, "{s:#}");
    assert_eq!(s["first_prompt"], prompt);
    assert_eq!(s["edits"], 2, "{s:#}");
    assert_eq!(s["rejected"], 0, "{s:#}");

    let t = session(&w, &id);
    let prompts = events(&t, "prompt");
    assert_eq!(prompts.len(), 1, "{t:#}");
    assert_eq!(prompts[0]["text"], prompt);
    let edits = events(&t, "edit");
    assert_eq!(edits.len(), 2, "{t:#}");
    for e in &edits {
        assert_eq!(e["file"], "notes.txt", "{e:#}");
        assert_eq!(e["status"]["ok"], true, "applied: {e:#}");
    }
    assert_eq!(edits[0]["tool"], "Write");
    assert_eq!(edits[1]["tool"], "Edit");
    assert_eq!(edits[1]["before"], "beta\n");
    assert_eq!(edits[1]["after"], "BETA\n");
    assert!(events(&t, "rejection").is_empty(), "{t:#}");

    // Commit the agent's file plus one line typed by hand.
    assert_commit_blames_the_agent(&w, "claude-code", &id, Some(prompt));
    let blame = json_out(&w.env.drift_ok(&["blame", "--json", "notes.txt"]));
    for l in &blame["lines"].as_array().expect("lines")[..3] {
        assert_eq!(l["model"], "claude-sonnet-4-5", "{l:#}");
    }

    let brief = w
        .env
        .drift_ok(&["handoff", "--to", "claude-code", "--print"]);
    assert!(brief.contains(prompt), "the brief quotes the task: {brief}");
    assert!(brief.contains("notes.txt"), "{brief}");
    assert!(!brief.contains("failed to apply"), "{brief}");

    resume_claude(&w, &brief_marker_line(&brief));
}

/// Tokens of a Claude `-p` run: the usage the model server reported, message by message.
#[test]
fn conformance_claude_p_tokens_match_the_server() {
    let Some(w) = world("claude_p_tokens_match_the_server") else {
        return;
    };
    let id = claude_write_then_edit(&w, "Write notes.txt, then capitalise the second line");
    let t = session(&w, &id);
    let (input, output) = usage_total(&w);
    assert_eq!(t["tokens"]["input"], input, "{:#}", t["tokens"]);
    assert_eq!(t["tokens"]["output"], output, "{:#}", t["tokens"]);
}

/// Tokens when every message says something before its tool call: Claude Code writes one
/// transcript line per content block, each with a usage snapshot of the same message id.
#[test]
fn conformance_claude_p_tokens_of_multi_block_messages_match_the_server() {
    let Some(w) = world("claude_p_tokens_of_multi_block_messages_match_the_server") else {
        return;
    };
    let path = w.env.repo.join("notes.txt");
    let say = |text: &str, name: &str, input: Value| Turn::TextThenTool {
        text: text.to_string(),
        name: name.to_string(),
        input,
    };
    w.server.set_script(Script::new(
        vec![
            say(
                "I will write the notes first.",
                "Write",
                json!({"file_path": path, "content": FIRST}),
            ),
            say(
                "Now the second line.",
                "Edit",
                json!({"file_path": path, "old_string": "beta\n", "new_string": "BETA\n"}),
            ),
        ],
        "Done.",
    ));
    let run = w.claude(&[
        "-p",
        "Write notes.txt, then capitalise the second line",
        "--allowedTools",
        "Write",
        "Edit",
        "--output-format",
        "json",
        "--model",
        "claude-sonnet-4-5",
    ]);
    assert_ran(&run, "claude -p", &w);
    assert_eq!(w.env.read("notes.txt"), EDITED);
    let id = run.json()["session_id"]
        .as_str()
        .expect("session_id")
        .to_string();
    let t = session(&w, &id);
    assert_eq!(events(&t, "edit").len(), 2, "{t:#}");
    let (input, output) = usage_total(&w);
    assert_eq!(t["tokens"]["input"], input, "{:#}", t["tokens"]);
    assert_eq!(t["tokens"]["output"], output, "{:#}", t["tokens"]);
}

/// The session's two edits of notes.txt, made by `tools` (write, then edit), both applied
/// and with the edit's text; its tokens equal what the server sent; a second capture adds
/// nothing. Returns the session's timeline.
fn assert_two_applied_edits(w: &World, id: &str, tools: [&str; 2]) -> Value {
    let t = session(w, id);
    let edits = events(&t, "edit");
    assert_eq!(edits.len(), 2, "{t:#}");
    for e in &edits {
        assert_eq!(e["file"], "notes.txt", "{e:#}");
        assert_eq!(e["status"]["ok"], true, "applied: {e:#}");
    }
    assert_eq!(edits[0]["tool"], tools[0]);
    assert_eq!(edits[1]["tool"], tools[1]);
    assert_eq!(edits[1]["before"], "beta\n");
    assert_eq!(edits[1]["after"], "BETA\n");
    let (input, output) = usage_total(w);
    assert_eq!(t["tokens"]["input"], input, "{:#}", t["tokens"]);
    assert_eq!(t["tokens"]["output"], output, "{:#}", t["tokens"]);
    let again = w.env.drift_ok(&["capture", "--json"]);
    assert_eq!(json_out(&again)["events"], 0, "{again}");
    t
}

/// A human adds a line to the agent's notes.txt and commits: the note names the session and
/// the agent, and blame gives the agent's three lines to it (from `prompt`, when given) and
/// the fourth to the human.
fn assert_commit_blames_the_agent(w: &World, agent: &str, id: &str, prompt: Option<&str>) {
    w.env.write("notes.txt", &format!("{EDITED}{HUMAN_LINE}"));
    let head = w.env.commit("Add notes");
    let note = w.env.git(&["notes", "--ref=drift", "show", &head]);
    assert!(note.contains(id) && note.contains(agent), "{note}");
    let blame = json_out(&w.env.drift_ok(&["blame", "--json", "notes.txt"]));
    let lines = blame["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 4, "{blame:#}");
    for l in &lines[..3] {
        assert_eq!(l["who"], "ai", "{l:#}");
        assert_eq!(l["agent"], agent, "{l:#}");
        assert_eq!(l["session"], id, "{l:#}");
        if let Some(p) = prompt {
            assert_eq!(l["prompt"], p, "{l:#}");
        }
    }
    assert_eq!(lines[3]["who"], "human", "{:#}", lines[3]);
}

/// A line of the brief that the resumed request must carry.
fn brief_marker_line(brief: &str) -> String {
    brief
        .lines()
        .find(|l| l.starts_with("# Handoff"))
        .unwrap_or_else(|| panic!("no title in {brief}"))
        .to_string()
}

/// `handoff --to TARGET --inject`, and the id of the session it made, read from the resume
/// command it prints (`resume` is that command up to the id, e.g. `claude --resume`). The
/// server is told to answer the resumed session; returns the id and how many requests the
/// server had seen before it.
fn inject_for_resume(w: &World, target: &str, resume: &str) -> (String, usize) {
    let out = w.env.drift_ok(&["handoff", "--to", target, "--inject"]);
    let re =
        regex::Regex::new(&format!("{} ([0-9a-f-]{{36}})", regex::escape(resume))).expect("regex");
    let rid = re
        .captures(&out)
        .unwrap_or_else(|| panic!("no resume command in {out}"))[1]
        .to_string();
    w.server
        .set_script(Script::new(vec![], "Resumed from the brief."));
    (rid, w.server.requests().len())
}

/// The first request after the first `before` to an API path containing `path` that carries
/// the injected brief.
fn resumed_request(w: &World, before: usize, path: &str) -> server::Request {
    w.server.requests()[before..]
        .iter()
        .filter(|r| r.path.contains(path))
        .find(|r| r.body.contains("[git-drift handoff]"))
        .cloned()
        .unwrap_or_else(|| panic!("no resumed request carries the brief:\n{}", w.server.dump()))
}

/// `handoff --to claude-code --inject`, then `claude -p --resume <id> continue`: the resumed
/// request carries the brief.
fn resume_claude(w: &World, brief_line: &str) {
    let (rid, before) = inject_for_resume(w, "claude-code", "claude --resume");
    let run = w.claude(&[
        "-p",
        "--resume",
        &rid,
        "continue",
        "--output-format",
        "json",
        "--model",
        "claude-sonnet-4-5",
    ]);
    assert_ran(&run, "claude -p --resume", w);
    let sent = resumed_request(w, before, "/v1/messages");
    assert!(sent.body.contains(brief_line), "{}", sent.body);
    assert!(sent.body.contains("continue"), "{}", sent.body);
    assert_eq!(run.json()["result"], "Resumed from the brief.", "{run}");
    // What the resumed session did is captured like any other work.
    assert_resumed_work_captured(w, "claude-code");
}

/// After a resume, some session of `agent` holds the typed "continue" and the model's reply.
fn assert_resumed_work_captured(w: &World, agent: &str) {
    w.env.drift_ok(&["capture"]);
    let all = json_out(&w.env.drift_ok(&["sessions", "--json", "--agent", agent]));
    let found = all.as_array().expect("array").iter().any(|s| {
        let t = session(w, s["id"].as_str().expect("id"));
        events(&t, "prompt").iter().any(|p| p["text"] == "continue")
            && events(&t, "reply")
                .iter()
                .any(|r| r["text"] == "Resumed from the brief.")
    });
    assert!(found, "no {agent} session holds the resumed turn: {all:#}");
}

/// The text of brief section `name` (empty when the brief has no such section).
fn section(text: &str, name: &str) -> String {
    let head = format!("\n## {name}\n");
    let Some(start) = text.find(&head).map(|s| s + head.len()) else {
        return String::new();
    };
    let end = text[start..]
        .find("\n## ")
        .map_or(text.len(), |e| start + e);
    text[start..end].to_string()
}

const FORCE_PUSH: &str = "git push --force origin main";

/// Claude `-p` where the model writes a file, then asks for a Bash command the run does not
/// allow; `extra` are further CLI flags. Returns the session id and the tool result text.
fn claude_denied_bash(w: &World, extra: &[&str]) -> (String, String) {
    let path = w.env.repo.join("notes.txt");
    w.server.set_script(Script::new(
        vec![
            tool("Write", json!({"file_path": path, "content": FIRST})),
            tool(
                "Bash",
                json!({"command": FORCE_PUSH, "description": "Publish the notes"}),
            ),
        ],
        "I could not push; the notes are written.",
    ));
    let prompt = "Write notes.txt and publish it";
    let mut args = vec![
        "-p",
        prompt,
        "--allowedTools",
        "Write",
        "Edit",
        "--output-format",
        "json",
        "--model",
        "claude-sonnet-4-5",
    ];
    args.extend_from_slice(extra);
    let run = w.claude(&args);
    assert_ran(&run, "claude -p (denied Bash)", w);
    // A tool outside --allowedTools is a permission denial the -p result lists; a tool the
    // run disallowed outright is not offered at all, and the list stays empty.
    let denials = run.json()["permission_denials"].to_string();
    assert_eq!(
        denials.contains("Bash") && denials.contains(FORCE_PUSH),
        extra.is_empty(),
        "permission_denials: {run}"
    );
    let id = run.json()["session_id"]
        .as_str()
        .expect("session_id")
        .to_string();
    // What the CLI told the model, from the last request's tool_result.
    let last = w.server.requests().last().expect("a request").json();
    let results: Vec<Value> = last["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|m| m["content"].as_array().cloned().unwrap_or_default())
        .filter(|b| b["type"] == "tool_result")
        .collect();
    let result = results
        .last()
        .map(|b| b["content"].to_string())
        .unwrap_or_default();
    (id, result)
}

/// What the real CLI did with the denied command, read correctly today: the edit before it
/// applied, the command recorded and not reported as having run.
fn assert_denied_bash_captured(w: &World, id: &str) {
    w.env.drift_ok(&["capture"]);
    let s = only_session(w, "claude-code");
    assert_eq!(s["prompts"], 1, "{s:#}");
    assert_eq!(s["edits"], 1, "{s:#}");
    let t = session(w, id);
    assert_eq!(events(&t, "edit")[0]["status"]["ok"], true, "{t:#}");
    let cmds = events(&t, "command");
    assert_eq!(cmds.len(), 1, "{t:#}");
    assert_eq!(cmds[0]["command"], FORCE_PUSH);
    assert_ne!(
        cmds[0]["status"]["ok"], true,
        "the command never ran: {:#}",
        cmds[0]
    );
}

/// A denied tool in `-p` mode is a rejection without a typed reason, never a failed command the
/// next agent should retry (issue 11 item 11).
fn assert_denial_is_a_rejection(w: &World, id: &str) {
    w.env.drift_ok(&["capture"]);
    let s = only_session(w, "claude-code");
    let t = session(w, id);
    let cmds = events(&t, "command");
    assert_eq!(s["rejected"], 1, "the denial counts as rejected: {s:#}");
    assert_eq!(cmds[0]["status"]["rejected"], true, "{:#}", cmds[0]);
    assert!(cmds[0]["status"]["reason"].is_null(), "{:#}", cmds[0]);
    let brief = w.env.drift_ok(&["handoff", "--to", "codex", "--print"]);
    assert!(
        section(&brief, "Tried and rejected").contains(FORCE_PUSH),
        "{brief}"
    );
    for sec in ["Open", "Resume here"] {
        assert!(
            !section(&brief, sec).contains(FORCE_PUSH),
            "{sec} must not ask to retry a denied command: {brief}"
        );
    }
}

fn requires_approval(w: &World) -> String {
    let (id, result) = claude_denied_bash(w, &[]);
    assert!(
        result.contains("requires approval"),
        "the CLI's wording changed: {result}"
    );
    id
}

fn no_such_tool(w: &World) -> String {
    let (id, result) = claude_denied_bash(w, &["--disallowedTools", "Bash"]);
    assert!(
        result.contains("No such tool available"),
        "the CLI's wording changed: {result}"
    );
    id
}

#[test]
fn conformance_claude_p_tool_not_allowed_is_captured() {
    let Some(w) = world("claude_p_tool_not_allowed_is_captured") else {
        return;
    };
    let id = requires_approval(&w);
    assert_denied_bash_captured(&w, &id);
}

#[test]
fn conformance_claude_p_tool_not_allowed_is_a_rejection() {
    let Some(w) = world("claude_p_tool_not_allowed_is_a_rejection") else {
        return;
    };
    let id = requires_approval(&w);
    assert_denial_is_a_rejection(&w, &id);
}

#[test]
fn conformance_claude_p_disallowed_tool_is_captured() {
    let Some(w) = world("claude_p_disallowed_tool_is_captured") else {
        return;
    };
    let id = no_such_tool(&w);
    assert_denied_bash_captured(&w, &id);
}

#[test]
fn conformance_claude_p_disallowed_tool_is_a_rejection() {
    let Some(w) = world("claude_p_disallowed_tool_is_a_rejection") else {
        return;
    };
    let id = no_such_tool(&w);
    assert_denial_is_a_rejection(&w, &id);
}

// ---------------------------------------------------------------- Codex

const ADD_PATCH: &str =
    "*** Begin Patch\n*** Add File: notes.txt\n+alpha\n+beta\n+gamma\n*** End Patch\n";
const UPDATE_PATCH: &str = "*** Begin Patch\n*** Update File: notes.txt\n@@\n alpha\n-beta\n+BETA\n gamma\n*** End Patch\n";
const BAD_PATCH: &str = "*** Begin Patch\n*** Update File: notes.txt\n@@\n-no such line\n+never written\n*** End Patch\n";

/// `exec_command` running `apply_patch` with a heredoc, as models do when Codex offers no
/// apply_patch tool.
fn heredoc(w: &World, patch: &str) -> Turn {
    tool(
        "exec_command",
        json!({"cmd": format!("apply_patch <<'EOF'\n{patch}EOF\n"), "workdir": w.env.repo}),
    )
}

fn custom_patch(patch: &str) -> Turn {
    Turn::Custom {
        name: "apply_patch".to_string(),
        input: patch.to_string(),
    }
}

/// `codex exec --json PROMPT` with `model`; returns the thread (session) id.
fn codex_exec(w: &World, model: &str, prompt: &str, turns: Vec<Turn>) -> String {
    w.codex_config(model);
    w.server
        .set_script(Script::new(turns, "Done: notes.txt is written."));
    let run = w.codex(&["exec", "--json", prompt]);
    assert_ran(&run, "codex exec", w);
    thread_id(&run)
}

/// The `thread.started` id of `codex exec --json` output.
fn thread_id(run: &Run) -> String {
    run.stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["type"] == "thread.started")
        .and_then(|v| v["thread_id"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no thread.started in {run}"))
}

/// The checks on a Codex session that added notes.txt and then edited it that need neither the
/// prompt nor the patch status (see the tests below).
fn assert_codex_write_then_edit(w: &World, id: &str, model: &str) {
    assert_eq!(
        w.env.read("notes.txt"),
        EDITED,
        "the CLI applied both patches"
    );
    let cap = w.env.drift(&["capture"]);
    assert!(cap.status.success(), "{cap:?}");
    let s = only_session(w, "codex");
    assert_eq!(s["id"], id);
    assert_eq!(s["model"], model);
    assert_eq!(s["rejected"], 0, "{s:#}");
    assert_eq!(s["edits"], 2, "two apply_patch calls: {s:#}");
    let t = session(w, id);
    let edits = events(&t, "edit");
    assert_eq!(edits.len(), 2, "{t:#}");
    assert_eq!(edits[0]["op"], "add", "{t:#}");
    assert_eq!(edits[1]["op"], "update", "{t:#}");
    for e in &edits {
        assert_eq!(e["file"], "notes.txt", "{e:#}");
    }
    let (input, output) = usage_total(w);
    assert_eq!(t["tokens"]["input"], input, "{:#}", t["tokens"]);
    assert_eq!(t["tokens"]["output"], output, "{:#}", t["tokens"]);
}

/// The commit of notes.txt (plus a line typed by hand): its note names the session and blame
/// gives the agent's lines to it. Attribution binds only edits that applied, so this depends
/// on the patch status being read right.
fn assert_codex_bound(w: &World, id: &str, model: &str) {
    w.env.write("notes.txt", &format!("{EDITED}{HUMAN_LINE}"));
    let head = w.env.commit("Add notes");
    let note = w.env.git(&["notes", "--ref=drift", "show", &head]);
    assert!(note.contains(id), "the note names the session: {note}");
    let blame = json_out(&w.env.drift_ok(&["blame", "--json", "notes.txt"]));
    let lines = blame["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 4, "{blame:#}");
    for l in &lines[..3] {
        assert_eq!(l["who"], "ai", "{l:#}");
        assert_eq!(l["agent"], "codex", "{l:#}");
        assert_eq!(l["model"], model, "{l:#}");
        assert_eq!(l["session"], id, "{l:#}");
    }
    assert_eq!(lines[3]["who"], "human", "{:#}", lines[3]);
}

/// Both patches applied (the session, and the brief the next agent reads).
fn assert_codex_patches_applied(w: &World, id: &str) {
    w.env.drift_ok(&["capture"]);
    let t = session(w, id);
    for e in events(&t, "edit") {
        assert_eq!(e["status"]["ok"], true, "applied: {e:#}");
    }
    let brief = w
        .env
        .drift_ok(&["handoff", "--to", "claude-code", "--print"]);
    assert!(!brief.contains("failed to apply"), "{brief}");
}

/// The typed prompt is read: sessions, the timeline, blame and the brief (issue 11 item 1).
fn assert_codex_prompt_read(w: &World, id: &str, prompt: &str) {
    w.env.drift_ok(&["capture"]);
    let s = only_session(w, "codex");
    assert_eq!(s["prompts"], 1, "{s:#}");
    assert_eq!(s["first_prompt"], prompt, "{s:#}");
    let t = session(w, id);
    let prompts = events(&t, "prompt");
    assert_eq!(prompts.len(), 1, "{t:#}");
    assert_eq!(prompts[0]["text"], prompt);
    let brief = w
        .env
        .drift_ok(&["handoff", "--to", "claude-code", "--print"]);
    assert!(brief.contains(prompt), "the brief quotes the task: {brief}");
    w.env.write("notes.txt", &format!("{EDITED}{HUMAN_LINE}"));
    w.env.commit("Add notes");
    let blame = json_out(&w.env.drift_ok(&["blame", "--json", "notes.txt"]));
    for l in &blame["lines"].as_array().expect("lines")[..3] {
        assert_eq!(l["prompt"], prompt, "{l:#}");
    }
}

/// `handoff --to codex --inject`, then `codex exec resume <id> continue`: the resumed request
/// carries the brief.
fn resume_codex(w: &World) {
    // Commit whatever is pending so the brief is about the branch, then inject.
    let (rid, before) = inject_for_resume(w, "codex", "codex resume");
    let run = w.codex(&["exec", "resume", &rid, "continue"]);
    assert_ran(&run, "codex exec resume", w);
    let sent = resumed_request(w, before, "/v1/responses");
    assert!(sent.body.contains("# Handoff"), "{}", sent.body);
    assert!(sent.body.contains("continue"), "{}", sent.body);
    assert!(run.stdout.contains("Resumed from the brief."), "{run}");
    assert_resumed_work_captured(w, "codex");
}

const CODEX_PROMPT: &str = "Create notes.txt with three lines, then capitalise the second";

fn codex_heredoc(w: &World) -> String {
    let turns = vec![heredoc(w, ADD_PATCH), heredoc(w, UPDATE_PATCH)];
    codex_exec(w, "gpt-5-codex", CODEX_PROMPT, turns)
}

fn codex_tool(w: &World) -> String {
    let turns = vec![custom_patch(ADD_PATCH), custom_patch(UPDATE_PATCH)];
    codex_exec(w, "gpt-5.5", CODEX_PROMPT, turns)
}

#[test]
fn conformance_codex_exec_apply_patch_heredoc_end_to_end() {
    let Some(w) = world("codex_exec_apply_patch_heredoc_end_to_end") else {
        return;
    };
    let id = codex_heredoc(&w);
    assert_codex_write_then_edit(&w, &id, "gpt-5-codex");
}

#[test]
fn conformance_codex_exec_apply_patch_heredoc_is_applied() {
    let Some(w) = world("codex_exec_apply_patch_heredoc_is_applied") else {
        return;
    };
    let id = codex_heredoc(&w);
    assert_codex_patches_applied(&w, &id);
    assert_codex_bound(&w, &id, "gpt-5-codex");
}

#[test]
fn conformance_codex_exec_apply_patch_tool_end_to_end() {
    let Some(w) = world("codex_exec_apply_patch_tool_end_to_end") else {
        return;
    };
    let id = codex_tool(&w);
    assert_codex_write_then_edit(&w, &id, "gpt-5.5");
    assert_codex_bound(&w, &id, "gpt-5.5");
    assert_codex_patches_applied(&w, &id);
}

#[test]
fn conformance_codex_exec_prompt_is_read() {
    let Some(w) = world("codex_exec_prompt_is_read") else {
        return;
    };
    let id = codex_tool(&w);
    assert_codex_prompt_read(&w, &id, CODEX_PROMPT);
}

/// Two sessions started within a minute share their UUIDv7 timestamp prefix; the short ids
/// git drift prints must still resolve (issue 11 item 5).
#[test]
fn conformance_codex_short_ids_printed_resolve() {
    let Some(w) = world("codex_short_ids_printed_resolve") else {
        return;
    };
    let first = codex_tool(&w);
    std::fs::remove_file(w.env.repo.join("notes.txt")).expect("rm");
    let second = codex_tool(&w);
    assert_ne!(first, second);
    w.env.drift_ok(&["capture"]);
    let table = w.env.drift_ok(&["sessions"]);
    for id in [&first, &second] {
        let short = table
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .find(|s| s.len() < id.len() && id.starts_with(s) || id.ends_with(s))
            .unwrap_or_else(|| panic!("{id} not listed in:\n{table}"));
        let out = w.env.drift(&["session", short, "--json"]);
        assert!(
            out.status.success(),
            "`session {short}` printed by sessions: {out:?}"
        );
        assert_eq!(
            json_out(&String::from_utf8_lossy(&out.stdout))["id"],
            id.as_str()
        );
    }
}

/// One apply_patch call with two hunks: `capture` and `sessions` count its edits in the same
/// unit (issue 11 item 6).
#[test]
fn conformance_codex_capture_and_sessions_count_edits_alike() {
    let Some(w) = world("codex_capture_and_sessions_count_edits_alike") else {
        return;
    };
    let add = "*** Begin Patch\n*** Add File: notes.txt\n+a\n+b\n+c\n+d\n+e\n+f\n*** End Patch\n";
    let two_hunks = "*** Begin Patch\n*** Update File: notes.txt\n@@\n a\n-b\n+B\n c\n@@\n e\n-f\n+F\n*** End Patch\n";
    let turns = vec![custom_patch(add), custom_patch(two_hunks)];
    let id = codex_exec(&w, "gpt-5.5", CODEX_PROMPT, turns);
    assert_eq!(w.env.read("notes.txt"), "a\nB\nc\nd\ne\nF\n");
    let cap = json_out(&w.env.drift_ok(&["capture", "--json"]));
    let s = only_session(&w, "codex");
    assert_eq!(s["id"], id.as_str());
    assert_eq!(
        cap["edits"], s["edits"],
        "capture {cap:#} vs sessions {s:#}"
    );
}

#[test]
fn conformance_codex_exec_failing_patch_is_failed() {
    let Some(w) = world("codex_exec_failing_patch_is_failed") else {
        return;
    };
    let turns = vec![custom_patch(ADD_PATCH), custom_patch(BAD_PATCH)];
    let id = codex_exec(&w, "gpt-5.5", "Create notes.txt, then fix it", turns);
    assert_eq!(
        w.env.read("notes.txt"),
        FIRST,
        "the bad patch did not apply"
    );
    w.env.drift_ok(&["capture"]);
    let t = session(&w, &id);
    let edits = events(&t, "edit");
    let ok: Vec<bool> = edits
        .iter()
        .map(|e| e["status"]["ok"].as_bool().unwrap_or(false))
        .collect();
    assert!(ok.first() == Some(&true), "the add applied: {t:#}");
    assert!(ok.last() == Some(&false), "the bad update failed: {t:#}");
    assert!(
        events(&t, "rejection").is_empty(),
        "a failure, not a rejection: {t:#}"
    );
}

#[test]
fn conformance_codex_handoff_inject_resumes_in_codex_exec() {
    let Some(w) = world("codex_handoff_inject_resumes_in_codex_exec") else {
        return;
    };
    let turns = vec![custom_patch(ADD_PATCH), custom_patch(UPDATE_PATCH)];
    codex_exec(&w, "gpt-5.5", CODEX_PROMPT, turns);
    w.env.commit("Add notes");
    resume_codex(&w);
}

/// Every transcript the real CLIs wrote for this suite (kept under
/// `tests/fixtures/conformance/`) captures without error and lists as a session of the
/// repository. Runs without the CLIs.
#[test]
fn conformance_fixtures_capture() {
    let env = crate::common::Env::new();
    env.write("README.md", "# widget\n");
    env.commit("init");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conformance");
    let mut expected = 0;
    for dir in std::fs::read_dir(&root).expect("fixtures").flatten() {
        let name = dir.file_name().to_string_lossy().into_owned();
        let home = if name.starts_with("claude-code-") {
            &env.claude
        } else if name.starts_with("codex-") {
            &env.codex
        } else {
            panic!("unknown fixture folder {name}");
        };
        env.install_fixtures(&format!("conformance/{name}"), home);
        let mut files = Vec::new();
        driver::walk(&dir.path(), &mut files);
        expected += files.len();
    }
    let cap = env.drift(&["capture"]);
    assert!(cap.status.success(), "{cap:?}");
    let v = json_out(&env.drift_ok(&["sessions", "--json"]));
    assert_eq!(v.as_array().expect("array").len(), expected, "{v:#}");
}

/// The CLIs that ran are the pinned versions (or the ones the override variables name).
#[test]
fn conformance_installed_versions_are_the_pins() {
    let Some(clis) = Clis::find() else { return };
    let (claude, codex) = driver::pinned();
    assert_eq!(clis.versions(), (claude, codex), "{}", clis.home.display());
}

// ---------------------------------------------------------------- interactive (tmux)

const CORRECTION: &str = "no, call it NOTES.md instead";

/// The Codex TUI proposes a patch, the user declines it (Esc) and types a correction. Returns
/// the session id.
fn codex_tui_decline(w: &World) -> String {
    w.codex_tui_config("gpt-5.5");
    w.server.set_script(Script::new(
        vec![custom_patch(ADD_PATCH)],
        "Understood: NOTES.md it is.",
    ));
    let codex = w.clis.codex.to_string_lossy().into_owned();
    let t = tmux::Tmux::start(
        w.env.tmp.path(),
        &w.env.repo,
        &w.tui_env(),
        &[codex, CODEX_PROMPT.to_string()],
    );
    t.wait_for("Would you like to make the following edits", 60);
    t.press_until("Escape", "interrupted", 60);
    t.type_text(CORRECTION);
    t.press_until("Enter", "NOTES.md it is.", 90);
    t.keys(&["C-c", "C-c"]);
    drop(t);
    tmux::end_processes_mentioning(&w.env.codex);
    assert!(
        !w.env.repo.join("notes.txt").exists(),
        "the declined patch was not applied"
    );
    let sessions = w.transcripts(&w.env.codex.join("sessions"));
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let name = sessions[0]
        .file_stem()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    name[name.len() - 36..].to_string()
}

fn tmux_world(name: &str) -> Option<World> {
    if !tmux::available() {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "conformance: {name} skipped: tmux is not installed"
        );
        return None;
    }
    world(name)
}

#[test]
fn conformance_codex_tui_declined_patch_is_captured() {
    let Some(w) = tmux_world("codex_tui_declined_patch_is_captured") else {
        return;
    };
    let id = codex_tui_decline(&w);
    w.env.drift_ok(&["capture"]);
    let t = session(&w, &id);
    let edits = events(&t, "edit");
    assert_eq!(edits.len(), 1, "{t:#}");
    assert_eq!(edits[0]["file"], "notes.txt");
    assert_ne!(edits[0]["status"]["ok"], true, "never applied: {t:#}");
}

#[test]
fn conformance_codex_tui_declined_patch_is_a_rejection() {
    let Some(w) = tmux_world("codex_tui_declined_patch_is_a_rejection") else {
        return;
    };
    let id = codex_tui_decline(&w);
    w.env.drift_ok(&["capture"]);
    let s = only_session(&w, "codex");
    assert_eq!(s["rejected"], 1, "{s:#}");
    let t = session(&w, &id);
    let edits = events(&t, "edit");
    assert_eq!(edits[0]["status"]["rejected"], true, "{t:#}");
    assert_eq!(edits[0]["status"]["reason"], CORRECTION, "{t:#}");
    let brief = w
        .env
        .drift_ok(&["handoff", "--to", "claude-code", "--print"]);
    assert!(
        section(&brief, "Tried and rejected").contains(CORRECTION),
        "{brief}"
    );
}

/// `.claude.json` for the TUI: onboarding done, the API key approved, the repository trusted.
fn claude_tui_state(w: &World) {
    let key = driver::CLAUDE_KEY;
    let state = json!({
        "hasCompletedOnboarding": true,
        "theme": "dark",
        "customApiKeyResponses": {"approved": [&key[key.len() - 20..]], "rejected": []},
        "projects": {w.env.repo.to_string_lossy(): {"hasTrustDialogAccepted": true}},
    });
    std::fs::write(w.env.claude.join(".claude.json"), state.to_string()).expect(".claude.json");
}

/// The id of the one session transcript Claude Code wrote in this world (its file stem).
fn only_claude_session_id(w: &World) -> String {
    let files = w.transcripts(&w.env.claude.join("projects"));
    assert_eq!(files.len(), 1, "{files:?}");
    files[0]
        .file_stem()
        .expect("name")
        .to_string_lossy()
        .into_owned()
}

/// Claude Code's TUI proposes a Write, the user declines it (Esc) and types why. Returns the
/// session id.
fn claude_tui_decline(w: &World) -> String {
    claude_tui_state(w);
    let path = w.env.repo.join("notes.txt");
    w.server.set_script(Script::new(
        vec![tool("Write", json!({"file_path": path, "content": FIRST}))],
        "Understood: NOTES.md it is.",
    ));
    let claude = w.clis.claude.to_string_lossy().into_owned();
    let argv = [
        claude,
        "--model".into(),
        "claude-sonnet-4-5".into(),
        "Write notes.txt".into(),
    ];
    let t = tmux::Tmux::start(w.env.tmp.path(), &w.env.repo, &w.tui_env(), &argv);
    // The dialog: "1. Yes / 2. Yes, allow all edits … / 3. No", "Esc to cancel · Tab to
    // amend": choose No, Tab, type the reason, Enter.
    t.wait_for("Do you want to create", 60);
    t.press_until("Down", "❯ 3. No", 60);
    t.keys(&["Tab"]);
    t.type_text(CORRECTION);
    t.press_until("Enter", "NOTES.md it is.", 90);
    t.keys(&["C-c", "C-c"]);
    drop(t);
    assert!(!path.exists(), "the declined Write was not applied");
    only_claude_session_id(w)
}

/// A Write declined in the TUI with a typed reason is a rejection with that reason.
#[test]
fn conformance_claude_tui_declined_write_is_a_rejection_with_reason() {
    let Some(w) = tmux_world("claude_tui_declined_write_is_a_rejection_with_reason") else {
        return;
    };
    let id = claude_tui_decline(&w);
    w.env.drift_ok(&["capture"]);
    let s = only_session(&w, "claude-code");
    assert_eq!(s["first_prompt"], "Write notes.txt", "{s:#}");
    assert_eq!(s["rejected"], 1, "{s:#}");
    let t = session(&w, &id);
    let edits = events(&t, "edit");
    assert_eq!(edits.len(), 1, "{t:#}");
    assert_eq!(edits[0]["status"]["rejected"], true, "{t:#}");
    assert_eq!(edits[0]["status"]["reason"], CORRECTION, "{t:#}");
    let brief = w.env.drift_ok(&["handoff", "--to", "codex", "--print"]);
    assert!(
        section(&brief, "Tried and rejected").contains(CORRECTION),
        "{brief}"
    );
}

const PLAN: &str = "1. Parse the flags with a chain of if/else\n2. Print the result";
const PLAN_REASON: &str = "can you use a switch case instead of linked ifelse?";

/// Claude Code in plan mode proposes a plan (ExitPlanMode); the user declines it and types why.
/// Returns the session id.
fn claude_tui_rejected_plan(w: &World) -> String {
    claude_tui_state(w);
    w.server.set_script(Script::new(
        vec![
            Turn::WritePlan(PLAN.to_string()),
            tool("ExitPlanMode", json!({})),
        ],
        "Understood: a match on the flag instead.",
    ));
    let claude = w.clis.claude.to_string_lossy().into_owned();
    let argv = [
        claude,
        "--model".into(),
        "claude-sonnet-4-5".into(),
        "--permission-mode".into(),
        "plan".into(),
        "Plan the flag parser".into(),
    ];
    let t = tmux::Tmux::start(w.env.tmp.path(), &w.env.repo, &w.tui_env(), &argv);
    // "Ready to code? Here is Claude's plan: … 1. Yes, auto-accept edits / 2. Yes, manually
    // approve edits / 3. Tell Claude what to change": the third option is a text field.
    t.wait_for("Would you like to proceed?", 60);
    t.press_until("Down", "❯ 3. Tell Claude what to change", 60);
    t.keys(&["Tab"]);
    t.type_text(PLAN_REASON);
    t.press_until("Enter", "a match on the flag instead", 90);
    t.keys(&["C-c", "C-c"]);
    drop(t);
    only_claude_session_id(w)
}

/// A rejected plan is a rejection carrying the plan and the user's reason (issue 11 item 7).
#[test]
fn conformance_claude_tui_rejected_plan_is_a_rejection() {
    let Some(w) = tmux_world("claude_tui_rejected_plan_is_a_rejection") else {
        return;
    };
    claude_tui_rejected_plan(&w);
    w.env.drift_ok(&["capture"]);
    let s = only_session(&w, "claude-code");
    assert_eq!(s["rejected"], 1, "{s:#}");
    let brief = w.env.drift_ok(&["handoff", "--to", "codex", "--print"]);
    let rejected = section(&brief, "Tried and rejected");
    assert!(rejected.contains(PLAN_REASON), "{brief}");
    assert!(rejected.contains("Parse the flags"), "{brief}");
}
