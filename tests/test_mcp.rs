//! `git drift mcp`: the server spoken to over its stdio with JSON-RPC as an MCP client does
//! (initialize, tools/list, tools/call of every tool with good and bad input), and
//! `--install` / `--uninstall` of each agent's MCP entry into a hermetic HOME and repository.

use crate::common::{Claude, Env, bin_dir};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};

const S: &str = "aaaa9999-0000-4000-8000-00000000000a";

/// A running `git-drift mcp` and the JSON-RPC conversation with it.
struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next: u64,
}

impl Client {
    fn start(env: &Env) -> Client {
        let exe = bin_dir().join("git-drift");
        let mut child = env
            .cmd_in(exe.to_str().unwrap(), &env.repo)
            .arg("mcp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start git-drift mcp");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut c = Client {
            child,
            stdin,
            stdout,
            next: 1,
        };
        let init = c.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "drift-test", "version": "1.0"}}),
        );
        assert_eq!(init["result"]["protocolVersion"], "2025-06-18", "{init}");
        assert_eq!(init["result"]["serverInfo"]["name"], "git-drift", "{init}");
        assert!(
            init["result"]["capabilities"]["tools"].is_object(),
            "{init}"
        );
        c.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        c
    }

    fn send(&mut self, msg: &Value) {
        writeln!(self.stdin, "{msg}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Send a request and read lines until its response; every line on stdout must be a
    /// JSON-RPC message.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let mut line = String::new();
            let n = self.stdout.read_line(&mut line).unwrap();
            assert!(n > 0, "the server closed stdout before answering {method}");
            let msg: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("not a protocol message on stdout ({e}): {line}"));
            assert_eq!(msg["jsonrpc"], "2.0", "{msg}");
            if msg["id"] == id {
                return msg;
            }
        }
    }

    /// `tools/call`; returns the result object.
    fn call(&mut self, tool: &str, args: Value) -> Value {
        let r = self.request("tools/call", json!({"name": tool, "arguments": args}));
        assert!(r["error"].is_null(), "{tool}: protocol error {r}");
        r["result"].clone()
    }

    /// A successful call's structured result.
    fn ok(&mut self, tool: &str, args: Value) -> Value {
        let r = self.call(tool, args.clone());
        assert_ne!(r["isError"], true, "{tool} {args}: {r}");
        // The text block carries the same JSON as the structured content.
        let text = r["content"][0]["text"].as_str().unwrap_or_default();
        let same: Value = serde_json::from_str(text).unwrap_or_default();
        assert_eq!(same, r["structuredContent"], "{tool}");
        r["structuredContent"]["result"].clone()
    }

    /// A failing call's message.
    fn err(&mut self, tool: &str, args: Value) -> String {
        let r = self.call(tool, args.clone());
        assert_eq!(r["isError"], true, "{tool} {args} should fail: {r}");
        r["content"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A repository with a commit Claude wrote (one line later re-tried and declined) and a
/// second commit.
fn story() -> (Env, String) {
    let env = Env::new();
    env.drift_ok(&["init"]);
    env.write("README.md", "# widget\n");
    env.commit("initial");
    let mut c = Claude::new(&env, S, env.clock.get());
    c.prompt("Add a retry helper")
        .write("src/retry.py", "def retry(n):\n    return 2 ** n\n");
    let c1 = env.commit("retry helper");
    // The next prompt comes after that commit.
    c.now = (env.clock.get() + 30) * 1000;
    c.prompt("Cap it lower").rejected_edit(
        "src/retry.py",
        "    return 2 ** n\n",
        "    return 1\n",
        Some("keep the exponential growth"),
    );
    env.write("notes.txt", "by hand\n");
    env.commit("notes");
    (env, c1)
}

#[test]
fn mcp_lists_its_tools_with_input_and_output_schemas() {
    let (env, _) = story();
    let mut c = Client::start(&env);
    let r = c.request("tools/list", json!({}));
    let tools = r["result"]["tools"].as_array().expect("tools");
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    for want in [
        "blame", "why", "log", "show", "sessions", "session", "handoff",
    ] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    for t in tools {
        assert_eq!(t["inputSchema"]["type"], "object", "{t}");
        assert_eq!(t["outputSchema"]["type"], "object", "{t}");
        assert!(!t["description"].as_str().unwrap_or("").is_empty(), "{t}");
    }
    let blame = tools.iter().find(|t| t["name"] == "blame").unwrap();
    assert_eq!(blame["inputSchema"]["required"], json!(["path"]), "{blame}");
}

#[test]
fn mcp_blame_and_why_answer_for_agent_lines_and_fail_cleanly_on_bad_input() {
    let (env, c1) = story();
    let mut c = Client::start(&env);
    let v = c.ok("blame", json!({"path": "src/retry.py"}));
    let lines = v["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 2, "{v}");
    for l in lines {
        assert_eq!(l["who"], "ai", "{l}");
        assert_eq!(l["session"], S, "{l}");
        assert_eq!(l["agent"], "claude-code", "{l}");
    }
    let one = c.ok(
        "blame",
        json!({"path": "src/retry.py", "start_line": 2, "end_line": 2}),
    );
    assert_eq!(one["lines"].as_array().unwrap().len(), 1, "{one}");
    let at = c.ok("blame", json!({"path": "src/retry.py", "rev": c1}));
    assert_eq!(at["lines"].as_array().unwrap().len(), 2, "{at}");

    let why = c.ok("why", json!({"path": "src/retry.py", "line": 2}));
    let kinds: Vec<&str> = why["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["commit", "rejected"], "{why}");
    assert_eq!(why["history"][1]["reason"], "keep the exponential growth");
    assert_eq!(why["history"][0]["commit"], c1.as_str());

    let e = c.err("blame", json!({"path": "no/such.py"}));
    assert!(e.contains("no/such.py"), "{e}");
    let e = c.err("why", json!({"path": "src/retry.py", "line": 99}));
    assert!(!e.is_empty());
    let e = c.err("blame", json!({"path": "src/retry.py", "end_line": 2}));
    assert!(e.contains("start_line"), "{e}");
    // Input that does not match the schema is an error too, and the server lives on.
    let r = c.request(
        "tools/call",
        json!({"name": "why", "arguments": {"path": "x"}}),
    );
    assert!(
        r["error"].is_object() || r["result"]["isError"] == true,
        "{r}"
    );
    let r = c.request(
        "tools/call",
        json!({"name": "no_such_tool", "arguments": {}}),
    );
    assert!(
        r["error"].is_object() || r["result"]["isError"] == true,
        "{r}"
    );
    c.ok("blame", json!({"path": "README.md"}));
}

#[test]
fn mcp_log_show_sessions_session_and_handoff_answer_and_fail_cleanly() {
    let (env, c1) = story();
    let mut c = Client::start(&env);
    let log = c.ok("log", json!({"limit": 2}));
    assert_eq!(log.as_array().expect("log array").len(), 2, "{log}");
    let all = c.ok("log", json!({}));
    assert_eq!(all.as_array().unwrap().len(), 3, "{all}");
    let e = c.err("log", json!({"range": "nope..also-nope"}));
    assert!(!e.is_empty());

    let show = c.ok("show", json!({"commit": c1}));
    assert!(show.to_string().contains(S), "{show}");
    let e = c.err("show", json!({"commit": "not-a-commit"}));
    assert!(e.contains("not-a-commit"), "{e}");

    let list = c.ok("sessions", json!({}));
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["id"], S);
    let later = c.ok("sessions", json!({"since": "2099-01-01"}));
    assert_eq!(later.as_array().unwrap().len(), 0, "{later}");
    let codex = c.ok("sessions", json!({"agent": "codex"}));
    assert_eq!(codex.as_array().unwrap().len(), 0, "{codex}");
    let e = c.err("sessions", json!({"agent": "nobody"}));
    assert!(e.contains("nobody"), "{e}");

    let s = c.ok("session", json!({"id": &S[..8]}));
    assert!(s.to_string().contains("Add a retry helper"), "{s}");
    let e = c.err("session", json!({"id": "ffffffff"}));
    assert!(e.contains("ffffffff"), "{e}");

    let brief = c.ok(
        "handoff",
        json!({"target": "generic", "scope": format!("session:{S}")}),
    );
    let text = brief.as_str().expect("brief text");
    assert!(text.contains("retry"), "{text}");
    let e = c.err("handoff", json!({"scope": "everything"}));
    assert!(e.contains("branch:NAME"), "{e}");
    assert!(
        !env.repo.join(".prompts/handoffs").exists(),
        "handoff wrote nothing"
    );
}

#[test]
fn mcp_outside_a_repository_fails_before_serving() {
    let env = Env::new();
    let outside = env.tmp.path().join("plain");
    std::fs::create_dir_all(&outside).unwrap();
    let out = env
        .cmd_in(bin_dir().join("git-drift").to_str().unwrap(), &outside)
        .arg("mcp")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty(), "nothing on stdout");
    assert!(!out.stderr.is_empty());
}

#[test]
fn mcp_install_and_uninstall_write_and_remove_exactly_each_agents_entry() {
    let env = Env::new();
    env.drift_ok(&["init"]);
    // Claude Code: a project .mcp.json beside an existing server of the user's.
    std::fs::write(
        env.repo.join(".mcp.json"),
        r#"{"mcpServers": {"other": {"command": "other-server"}}}"#,
    )
    .unwrap();
    let out = env.drift_ok(&["mcp", "--install", "claude-code"]);
    assert!(out.contains("claude mcp add"), "{out}");
    let v: Value = serde_json::from_str(&env.read(".mcp.json")).unwrap();
    assert_eq!(v["mcpServers"]["git-drift"]["command"], "git-drift");
    assert_eq!(v["mcpServers"]["git-drift"]["args"], json!(["mcp"]));
    assert_eq!(v["mcpServers"]["other"]["command"], "other-server");
    let again = env.drift_ok(&["mcp", "--install", "claude-code"]);
    assert!(again.contains("already there"), "{again}");
    env.drift_ok(&["mcp", "--uninstall", "claude-code"]);
    let v: Value = serde_json::from_str(&env.read(".mcp.json")).unwrap();
    assert_eq!(
        v,
        json!({"mcpServers": {"other": {"command": "other-server"}}})
    );

    // Files that did not exist are created, and removed again when only ours was in them.
    for (agent, rel, key) in [
        ("cursor", ".cursor/mcp.json", "mcpServers"),
        ("gemini-cli", ".gemini/settings.json", "mcpServers"),
        ("opencode", "opencode.json", "mcp"),
    ] {
        env.drift_ok(&["mcp", "--install", agent]);
        let v: Value = serde_json::from_str(&env.read(rel)).unwrap();
        assert!(v[key]["git-drift"].is_object(), "{agent}: {v}");
        env.drift_ok(&["mcp", "--uninstall", agent]);
        assert!(!env.repo.join(rel).exists(), "{agent}: {rel} removed");
    }

    // Codex: a block in $CODEX_HOME/config.toml, between markers, naming the repository.
    let config = env.codex.join("config.toml");
    std::fs::write(&config, "model = \"gpt-5\"\n").unwrap();
    env.drift_ok(&["mcp", "--install", "codex"]);
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.starts_with("model = \"gpt-5\"\n"), "{text}");
    assert!(text.contains("[mcp_servers.git-drift-repo]"), "{text}");
    assert!(
        text.contains(&format!(
            "args = [\"mcp\", \"--repo\", \"{}\"]",
            env.repo.display()
        )),
        "{text}"
    );
    env.drift_ok(&["mcp", "--uninstall", "codex"]);
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        "model = \"gpt-5\"\n"
    );
    let out = env.drift_ok(&["mcp", "--uninstall", "codex"]);
    assert!(out.contains("nothing to remove"), "{out}");

    // A file that is not JSON is left alone, with the line named.
    std::fs::write(env.repo.join(".mcp.json"), "{ not json").unwrap();
    let out = env.drift(&["mcp", "--install", "claude-code"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".mcp.json: line 1"));
    assert_eq!(env.read(".mcp.json"), "{ not json");
}
