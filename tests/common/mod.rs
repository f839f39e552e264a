//! Shared test harness: a hermetic environment (temp HOME, global git config, pinned dates and
//! time zone, fake agent homes) in which tests drive the real `git` and our binaries, plus
//! builders that write agent transcripts in the agents' real on-disk formats.

#![allow(dead_code)]

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A temp directory with a home, a repository and agent homes.
pub struct Env {
    pub tmp: tempfile::TempDir,
    pub home: PathBuf,
    pub repo: PathBuf,
    pub claude: PathBuf,
    pub codex: PathBuf,
    /// Seconds since the epoch used for the next commit's author and committer dates.
    pub clock: std::cell::Cell<i64>,
}

/// The directory holding our built binaries.
pub fn bin_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_git-drift"))
        .parent()
        .expect("binary has a directory")
        .to_path_buf()
}

/// 2026-01-15T10:00:00Z: after the fixture transcripts' timestamps.
pub const T0: i64 = 1_768_471_200;

impl Env {
    /// A new environment with an initialised repository `repo` (branch main).
    pub fn new() -> Env {
        let tmp = tempfile::tempdir().expect("tempdir");
        // Canonical paths: transcripts record the real cwd and git reports it.
        let base = tmp.path().canonicalize().expect("canonical tmp");
        let home = base.join("home");
        let repo = base.join("repo");
        let claude = base.join("claude");
        let codex = base.join("codex");
        for d in [&home, &repo, &claude, &codex] {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        std::fs::write(
            home.join(".gitconfig"),
            "[user]\n\tname = Test User\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n",
        )
        .expect("gitconfig");
        let env = Env {
            tmp,
            home,
            repo,
            claude,
            codex,
            clock: std::cell::Cell::new(T0),
        };
        env.git(&["init", "-q"]);
        env
    }

    /// A command with the hermetic environment, run in `dir`.
    pub fn cmd_in(&self, program: &str, dir: &Path) -> Command {
        let mut c = Command::new(program);
        let path = format!(
            "{}:{}",
            bin_dir().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let date = format!("@{} +0000", self.clock.get());
        c.current_dir(dir)
            .env_clear()
            .env("PATH", path)
            .env("HOME", &self.home)
            .env("GIT_CONFIG_GLOBAL", self.home.join(".gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("CLAUDE_CONFIG_DIR", &self.claude)
            .env("CODEX_HOME", &self.codex)
            .env("TZ", "UTC")
            .env("LANG", "C")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .stdin(Stdio::null());
        c
    }

    /// Run git in the repository; panics with git's stderr on failure.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.repo, args)
    }

    /// Run git in `dir`; panics on failure.
    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let out = self
            .cmd_in("git", dir)
            .args(args)
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Run `git drift ARGS` (through git, as users do) in the repository.
    pub fn drift(&self, args: &[&str]) -> Output {
        self.drift_in(&self.repo, args)
    }

    /// Run `git drift ARGS` in `dir`.
    pub fn drift_in(&self, dir: &Path, args: &[&str]) -> Output {
        self.cmd_in("git", dir)
            .arg("drift")
            .args(args)
            .output()
            .expect("run git drift")
    }

    /// Run `git drift ARGS` and return stdout, asserting success.
    pub fn drift_ok(&self, args: &[&str]) -> String {
        let out = self.drift(args);
        assert!(
            out.status.success(),
            "git drift {args:?} failed ({:?}):\n{}{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Write a file in the repository (creating directories).
    pub fn write(&self, rel: &str, text: &str) {
        let p = self.repo.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    /// Read a file of the repository.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.repo.join(rel)).expect("read")
    }

    /// Stage everything and commit at the next clock tick; returns the commit id.
    pub fn commit(&self, msg: &str) -> String {
        self.tick(60);
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", msg]);
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// Advance the commit clock.
    pub fn tick(&self, secs: i64) {
        self.clock.set(self.clock.get() + secs);
    }

    /// The Claude project directory for `cwd` (Claude's encoding: non-alphanumerics → '-').
    pub fn claude_project_dir(&self, cwd: &Path) -> PathBuf {
        let enc: String = cwd
            .to_string_lossy()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        self.claude.join("projects").join(enc)
    }

    /// Copy a fixture tree (`tests/fixtures/<agent>/...`) into an agent home, replacing the
    /// placeholder project path `/home/dev/widget` with the repository and `/home/dev/other`
    /// with a directory outside it. Claude project directories are renamed to match.
    pub fn install_fixtures(&self, agent_dir: &str, home: &Path) {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(agent_dir);
        let other = self.tmp.path().join("other");
        std::fs::create_dir_all(&other).expect("mkdir other");
        let other = other.canonicalize().expect("canonical");
        let enc = |p: &Path| -> String {
            p.to_string_lossy()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect()
        };
        copy_tree(
            &src,
            home,
            &|rel: &str| {
                rel.replace("-home-dev-widget", &enc(&self.repo))
                    .replace("-home-dev-other", &enc(&other))
            },
            &|text: &str| {
                text.replace("/home/dev/widget", &self.repo.to_string_lossy())
                    .replace("/home/dev/other", &other.to_string_lossy())
            },
        );
    }
}

fn copy_tree(
    src: &Path,
    dst: &Path,
    rename: &dyn Fn(&str) -> String,
    edit: &dyn Fn(&str) -> String,
) {
    let Ok(entries) = std::fs::read_dir(src) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let from = e.path();
        let to = dst.join(rename(&name));
        if from.is_dir() {
            std::fs::create_dir_all(&to).expect("mkdir");
            copy_tree(&from, &to, rename, edit);
        } else if name.ends_with(".jsonl") {
            let text = std::fs::read_to_string(&from).expect("read fixture");
            std::fs::write(&to, edit(&text)).expect("write fixture");
        }
    }
}

/// Writes a Claude Code session transcript the way Claude Code does, and (optionally) applies
/// each edit to the worktree like the agent would.
pub struct Claude<'e> {
    env: &'e Env,
    pub id: String,
    cwd: PathBuf,
    file: PathBuf,
    n: u32,
    /// Milliseconds since the epoch of the next record.
    pub now: i64,
    model: String,
    branch: String,
}

impl<'e> Claude<'e> {
    /// A new session of the repository starting at `start` (seconds since the epoch).
    pub fn new(env: &'e Env, id: &str, start: i64) -> Claude<'e> {
        Self::in_dir(env, id, start, &env.repo.clone())
    }

    /// A new session whose cwd is `cwd`.
    pub fn in_dir(env: &'e Env, id: &str, start: i64, cwd: &Path) -> Claude<'e> {
        let dir = env.claude_project_dir(cwd);
        std::fs::create_dir_all(&dir).expect("mkdir");
        Claude {
            env,
            id: id.to_string(),
            cwd: cwd.to_path_buf(),
            file: dir.join(format!("{id}.jsonl")),
            n: 0,
            now: start * 1000,
            model: "claude-sonnet-4-5-20250929".into(),
            branch: "main".into(),
        }
    }

    pub fn model(mut self, m: &str) -> Self {
        self.model = m.into();
        self
    }

    /// Record `b` as the session's git branch (default `main`).
    pub fn branch(mut self, b: &str) -> Self {
        self.branch = b.into();
        self
    }

    pub fn path(&self) -> &Path {
        &self.file
    }

    fn envelope(&mut self, kind: &str, extra: Value) -> Value {
        self.n += 1;
        self.now += 1000;
        let ts = jiff::Timestamp::from_millisecond(self.now)
            .expect("ts")
            .to_string();
        let mut v = json!({
            "parentUuid": null, "isSidechain": false, "userType": "external",
            "cwd": self.cwd, "sessionId": self.id, "version": "2.0.76",
            "gitBranch": self.branch, "type": kind,
            "uuid": format!("{}-{:04}", &self.id[..8.min(self.id.len())], self.n),
            "timestamp": ts,
        });
        if let (Value::Object(m), Value::Object(x)) = (&mut v, extra) {
            m.extend(x);
        }
        v
    }

    fn append(&self, v: &Value) {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.file)
            .expect("open transcript");
        writeln!(f, "{v}").expect("append");
    }

    /// The user types a prompt.
    pub fn prompt(&mut self, text: &str) -> &mut Self {
        let v = self.envelope(
            "user",
            json!({"message": {"role": "user", "content": text}}),
        );
        self.append(&v);
        self
    }

    fn tool_use(&mut self, name: &str, input: Value) -> String {
        let call = format!("toolu_{}_{}", &self.id[..8.min(self.id.len())], self.n + 1);
        let msg = format!("msg_{}_{}", &self.id[..8.min(self.id.len())], self.n + 1);
        let model = self.model.clone();
        let v = self.envelope(
            "assistant",
            json!({"requestId": "req_1", "message": {"model": model, "id": msg, "type": "message",
                "role": "assistant", "content": [{"type": "tool_use", "id": call, "name": name, "input": input}],
                "stop_reason": "tool_use", "usage": {"input_tokens": 10, "output_tokens": 20,
                "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0}}}),
        );
        self.append(&v);
        call
    }

    fn result(&mut self, call: &str, text: &str, is_error: bool) {
        let v = self.envelope(
            "user",
            json!({"message": {"role": "user", "content": [{"type": "tool_result",
                "tool_use_id": call, "content": text, "is_error": is_error}]}}),
        );
        self.append(&v);
    }

    /// The agent replaces `old` with `new` in `rel` (applied to the worktree).
    pub fn edit(&mut self, rel: &str, old: &str, new: &str) -> &mut Self {
        let abs = self.env.repo.join(rel);
        let call = self.tool_use(
            "Edit",
            json!({"file_path": abs, "old_string": old, "new_string": new}),
        );
        let text = self.env.read(rel);
        assert!(text.contains(old), "old_string not in {rel}");
        self.env.write(rel, &text.replacen(old, new, 1));
        self.result(
            &call,
            &format!("The file {} has been updated.", abs.display()),
            false,
        );
        self
    }

    /// The agent writes a whole file (applied to the worktree).
    pub fn write(&mut self, rel: &str, content: &str) -> &mut Self {
        let abs = self.env.repo.join(rel);
        let call = self.tool_use("Write", json!({"file_path": abs, "content": content}));
        self.env.write(rel, content);
        self.result(
            &call,
            &format!("File created successfully at: {}", abs.display()),
            false,
        );
        self
    }

    /// The agent replaces every occurrence of `old` (`replace_all: true`; applied).
    pub fn edit_all(&mut self, rel: &str, old: &str, new: &str) -> &mut Self {
        let abs = self.env.repo.join(rel);
        let call = self.tool_use(
            "Edit",
            json!({"file_path": abs, "old_string": old, "new_string": new, "replace_all": true}),
        );
        let text = self.env.read(rel);
        assert!(text.contains(old), "old_string not in {rel}");
        self.env.write(rel, &text.replace(old, new));
        self.result(
            &call,
            &format!("The file {} has been updated.", abs.display()),
            false,
        );
        self
    }

    /// One MultiEdit call of several (old, new) replacements, applied in order.
    pub fn multi_edit(&mut self, rel: &str, edits: &[(&str, &str)]) -> &mut Self {
        let abs = self.env.repo.join(rel);
        let items: Vec<Value> = edits
            .iter()
            .map(|(o, n)| json!({"old_string": o, "new_string": n}))
            .collect();
        let call = self.tool_use("MultiEdit", json!({"file_path": abs, "edits": items}));
        let mut text = self.env.read(rel);
        for (o, n) in edits {
            assert!(text.contains(o), "old_string not in {rel}");
            text = text.replacen(o, n, 1);
        }
        self.env.write(rel, &text);
        self.result(
            &call,
            &format!("Applied {} edits to {}", edits.len(), abs.display()),
            false,
        );
        self
    }

    /// An Edit the tool refused (`String to replace not found`): the worktree is untouched.
    pub fn failed_edit(&mut self, rel: &str, old: &str, new: &str) -> &mut Self {
        let abs = self.env.repo.join(rel);
        let call = self.tool_use(
            "Edit",
            json!({"file_path": abs, "old_string": old, "new_string": new}),
        );
        self.result(
            &call,
            "<tool_use_error>String to replace not found in file.</tool_use_error>",
            true,
        );
        self
    }

    /// The agent writes a whole file at an absolute path (anywhere, applied).
    pub fn write_abs(&mut self, abs: &Path, content: &str) -> &mut Self {
        let call = self.tool_use("Write", json!({"file_path": abs, "content": content}));
        std::fs::create_dir_all(abs.parent().expect("parent")).expect("mkdir");
        std::fs::write(abs, content).expect("write");
        self.result(
            &call,
            &format!("File created successfully at: {}", abs.display()),
            false,
        );
        self
    }

    /// The agent proposes an edit the user declines (worktree untouched).
    pub fn rejected_edit(
        &mut self,
        rel: &str,
        old: &str,
        new: &str,
        reason: Option<&str>,
    ) -> &mut Self {
        let abs = self.env.repo.join(rel);
        let call = self.tool_use(
            "Edit",
            json!({"file_path": abs, "old_string": old, "new_string": new}),
        );
        self.reject(&call, reason);
        self
    }

    /// The agent proposes a command the user declines.
    pub fn rejected_command(&mut self, cmd: &str, reason: Option<&str>) -> &mut Self {
        let call = self.tool_use("Bash", json!({"command": cmd}));
        self.reject(&call, reason);
        self
    }

    /// The agent runs a command that exits with `code`.
    pub fn command(&mut self, cmd: &str, code: i32, output: &str) -> &mut Self {
        let call = self.tool_use("Bash", json!({"command": cmd}));
        if code == 0 {
            self.result(&call, output, false);
        } else {
            self.result(&call, &format!("Exit code {code}\n{output}"), true);
        }
        self
    }

    fn reject(&mut self, call: &str, reason: Option<&str>) {
        let mut text = "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file).".to_string();
        match reason {
            Some(r) => text.push_str(&format!(" To tell you how to proceed, the user said:\n{r}")),
            None => text.push_str(
                " STOP what you are doing and wait for the user to tell you how to proceed.",
            ),
        }
        self.result(call, &text, true);
    }

    /// The assistant says something.
    pub fn say(&mut self, text: &str) -> &mut Self {
        let model = self.model.clone();
        let v = self.envelope(
            "assistant",
            json!({"message": {"model": model, "id": format!("msg_say_{}", self.n + 1), "type": "message",
                "role": "assistant", "content": [{"type": "text", "text": text}]}}),
        );
        self.append(&v);
        self
    }

    /// A todo list snapshot.
    pub fn todos(&mut self, items: &[(&str, &str)]) -> &mut Self {
        let todos: Vec<Value> = items
            .iter()
            .map(|(t, s)| json!({"content": t, "status": s, "activeForm": t}))
            .collect();
        let call = self.tool_use("TodoWrite", json!({"todos": todos}));
        self.result(&call, "Todos have been modified successfully.", false);
        self
    }
}

/// Writes a Codex rollout the way Codex CLI does, applying patches to the worktree.
pub struct Codex<'e> {
    env: &'e Env,
    pub id: String,
    file: PathBuf,
    now: i64,
    n: u32,
}

impl<'e> Codex<'e> {
    /// A new Codex session of the repository starting at `start` (seconds), on branch main.
    pub fn new(env: &'e Env, id: &str, start: i64) -> Codex<'e> {
        Self::on_branch(env, id, start, "main")
    }

    /// A new Codex session whose recorded cwd is `cwd` (relative patch paths resolve
    /// against it), on branch main.
    pub fn in_dir(env: &'e Env, id: &str, start: i64, cwd: &Path) -> Codex<'e> {
        Self::with_cwd(env, id, start, "main", cwd)
    }

    /// A new Codex session of the repository whose session_meta records branch `branch`.
    pub fn on_branch(env: &'e Env, id: &str, start: i64, branch: &str) -> Codex<'e> {
        Self::with_cwd(env, id, start, branch, &env.repo.clone())
    }

    fn with_cwd(env: &'e Env, id: &str, start: i64, branch: &str, cwd: &Path) -> Codex<'e> {
        let ts = jiff::Timestamp::from_second(start).expect("ts");
        let day = ts.strftime("%Y/%m/%d").to_string();
        let stamp = ts.strftime("%Y-%m-%dT%H-%M-%S").to_string();
        let dir = env.codex.join("sessions").join(day);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let mut c = Codex {
            env,
            id: id.to_string(),
            file: dir.join(format!("rollout-{stamp}-{id}.jsonl")),
            now: start * 1000,
            n: 0,
        };
        let repo = cwd.to_path_buf();
        c.line(
            "session_meta",
            json!({"id": id, "timestamp": c.ts(), "cwd": repo,
            "originator": "codex_cli_rs", "cli_version": "0.80.0", "instructions": null,
            "source": "cli", "model_provider": "openai",
            "git": {"branch": branch, "commit_hash": "0000000000000000000000000000000000000000"}}),
        );
        c.line("turn_context", json!({"cwd": repo, "approval_policy": "on-request",
            "sandbox_policy": {"type": "workspace-write"}, "model": "gpt-5-codex", "effort": "medium", "summary": "auto"}));
        c
    }

    fn ts(&self) -> String {
        jiff::Timestamp::from_millisecond(self.now)
            .expect("ts")
            .to_string()
    }

    fn line(&mut self, kind: &str, payload: Value) {
        use std::io::Write;
        self.now += 1000;
        self.n += 1;
        let v = json!({"timestamp": self.ts(), "type": kind, "payload": payload});
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.file)
            .expect("open rollout");
        writeln!(f, "{v}").expect("append");
    }

    pub fn prompt(&mut self, text: &str) -> &mut Self {
        self.line(
            "response_item",
            json!({"type": "message", "role": "user",
            "content": [{"type": "input_text", "text": text}]}),
        );
        self.line(
            "event_msg",
            json!({"type": "user_message", "message": text, "images": []}),
        );
        self
    }

    /// Apply a patch (apply_patch custom tool); `files` are (path, new full content) pairs
    /// written to the worktree, `patch` the patch text the agent sent.
    pub fn patch(&mut self, patch: &str, files: &[(&str, &str)]) -> &mut Self {
        let call = format!("call_{}", self.n + 1);
        self.line(
            "response_item",
            json!({"type": "custom_tool_call", "status": "completed",
            "call_id": call, "name": "apply_patch", "input": patch}),
        );
        for (rel, content) in files {
            self.env.write(rel, content);
        }
        self.line("response_item", json!({"type": "custom_tool_call_output", "call_id": call,
            "output": "{\"output\":\"Success. Updated the following files:\\nM x\\n\",\"metadata\":{\"exit_code\":0,\"duration_seconds\":0.0}}"}));
        self
    }

    /// A patch that failed verification (the worktree is untouched).
    pub fn failed_patch(&mut self, patch: &str) -> &mut Self {
        let call = format!("call_{}", self.n + 1);
        self.line(
            "response_item",
            json!({"type": "custom_tool_call", "status": "completed",
            "call_id": call, "name": "apply_patch", "input": patch}),
        );
        self.line("response_item", json!({"type": "custom_tool_call_output", "call_id": call,
            "output": "{\"output\":\"apply_patch verification failed: Failed to find expected lines\\n\",\"metadata\":{\"exit_code\":1,\"duration_seconds\":0.0}}"}));
        self
    }

    /// A patch the user declines.
    pub fn rejected_patch(&mut self, patch: &str) -> &mut Self {
        let call = format!("call_{}", self.n + 1);
        self.line(
            "response_item",
            json!({"type": "custom_tool_call", "status": "completed",
            "call_id": call, "name": "apply_patch", "input": patch}),
        );
        self.line(
            "response_item",
            json!({"type": "custom_tool_call_output", "call_id": call,
            "output": "patch rejected by user"}),
        );
        self
    }

    /// A shell command with its exit code.
    pub fn command(&mut self, cmd: &str, code: i32, output: &str) -> &mut Self {
        let call = format!("call_{}", self.n + 1);
        let args = json!({"command": ["bash", "-lc", cmd], "workdir": self.env.repo}).to_string();
        self.line(
            "response_item",
            json!({"type": "function_call", "name": "shell",
            "arguments": args, "call_id": call}),
        );
        let out =
            json!({"output": output, "metadata": {"exit_code": code, "duration_seconds": 0.1}})
                .to_string();
        self.line(
            "response_item",
            json!({"type": "function_call_output", "call_id": call, "output": out}),
        );
        self
    }

    /// A command the user declines.
    pub fn rejected_command(&mut self, cmd: &str) -> &mut Self {
        let call = format!("call_{}", self.n + 1);
        let args = json!({"command": ["bash", "-lc", cmd], "workdir": self.env.repo}).to_string();
        self.line(
            "response_item",
            json!({"type": "function_call", "name": "shell",
            "arguments": args, "call_id": call}),
        );
        self.line(
            "response_item",
            json!({"type": "function_call_output", "call_id": call,
            "output": "exec command rejected by user"}),
        );
        self
    }

    pub fn say(&mut self, text: &str) -> &mut Self {
        self.line(
            "response_item",
            json!({"type": "message", "role": "assistant",
            "content": [{"type": "output_text", "text": text}]}),
        );
        self
    }

    pub fn plan(&mut self, items: &[(&str, &str)]) -> &mut Self {
        let call = format!("call_{}", self.n + 1);
        let plan: Vec<Value> = items
            .iter()
            .map(|(s, st)| json!({"step": s, "status": st}))
            .collect();
        let args = json!({"plan": plan}).to_string();
        self.line(
            "response_item",
            json!({"type": "function_call", "name": "update_plan",
            "arguments": args, "call_id": call}),
        );
        self.line(
            "response_item",
            json!({"type": "function_call_output", "call_id": call, "output": "Plan updated"}),
        );
        self
    }
}

/// Parse stdout as JSON.
pub fn json_out(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
}

impl Env {
    /// A new environment whose repository `repo` is `git clone EXTRA... URL` (nothing else:
    /// `git drift init` is the test's business). `url` may be a path or a `file://` URL.
    pub fn clone_of(url: &str, extra: &[&str]) -> Env {
        let env = Env::new();
        std::fs::remove_dir_all(&env.repo).expect("remove the initialised repo");
        let parent = env.repo.parent().expect("repo has a parent").to_path_buf();
        let mut args = vec!["clone", "-q"];
        args.extend_from_slice(extra);
        args.extend([url, "repo"]);
        env.git_in(&parent, &args);
        env
    }

    /// Run a command to completion, returning its output (for commands expected to fail).
    pub fn run_in(&self, program: &str, dir: &Path, args: &[&str]) -> Output {
        self.cmd_in(program, dir)
            .args(args)
            .output()
            .expect("run command")
    }
}
