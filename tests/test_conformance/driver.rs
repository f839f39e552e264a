//! Drives the real agent CLIs (installed by `tests/conformance/install.sh`) non-interactively
//! inside the hermetic test environment, against the scripted model server.
//!
//! Where the CLIs come from: `DRIFT_CONFORMANCE_HOME` (what `.ci/run` exports), else the cache
//! folder `install.sh` fills for the pinned versions. When neither holds the CLIs the suite is
//! skipped with one message (see [`Clis::find`]).

use crate::common::Env;
use crate::test_conformance::server::Server;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

/// The two CLIs of one install.
#[derive(Debug, Clone)]
pub struct Clis {
    pub home: PathBuf,
    pub claude: PathBuf,
    pub codex: PathBuf,
}

/// The pinned versions: the defaults in install.sh (one source of truth), overridable by the
/// same variables install.sh reads.
pub fn pinned() -> (String, String) {
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
    (pin("DRIFT_CLAUDE_VERSION"), pin("DRIFT_CODEX_VERSION"))
}

impl Clis {
    /// The installed CLIs, or None (after printing one skip message per test binary run).
    pub fn find() -> Option<Clis> {
        let home = match std::env::var_os("DRIFT_CONFORMANCE_HOME") {
            Some(h) if !h.is_empty() => PathBuf::from(h),
            _ => {
                let (c, x) = pinned();
                let cache = std::env::var_os("XDG_CACHE_HOME")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
                    .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")));
                match cache {
                    Some(c0) => c0
                        .join("git-drift/conformance")
                        .join(format!("claude-{c}_codex-{x}")),
                    None => PathBuf::new(),
                }
            }
        };
        let clis = Clis {
            claude: home.join("node_modules/.bin/claude"),
            codex: home.join("node_modules/.bin/codex"),
            home,
        };
        if clis.home.join(".complete").is_file() && clis.claude.exists() && clis.codex.exists() {
            return Some(clis);
        }
        static SKIP: Once = Once::new();
        SKIP.call_once(|| {
            // Straight to the stderr handle: the test harness captures `eprintln!` of passing
            // tests, and this one line is the point of skipping.
            let _ = writeln!(
                std::io::stderr(),
                "conformance suite skipped: the agent CLIs are not installed ({} has none; run \
                 tests/conformance/install.sh, which needs npm, or set DRIFT_CONFORMANCE_HOME)",
                clis.home.display()
            );
        });
        None
    }

    /// The versions this install reports, e.g. `("2.1.197", "0.171.0")`, from install.sh's
    /// record of them.
    pub fn versions(&self) -> (String, String) {
        let text = std::fs::read_to_string(self.home.join(".complete")).unwrap_or_default();
        let find = |prefix: &str| {
            text.lines()
                .find(|l| l.starts_with(prefix))
                .and_then(|l| {
                    l.split_whitespace()
                        .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
                })
                .unwrap_or("unknown")
                .to_string()
        };
        (find("claude "), find("codex "))
    }
}

/// What a CLI run produced.
#[derive(Debug)]
pub struct Run {
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.status == Some(0)
    }

    /// The stdout as JSON (Claude's `--output-format json`).
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or(Value::Null)
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// Run `cmd` with a deadline; a CLI that hangs is killed and reported, never waited on forever.
pub fn run_with_deadline(mut cmd: Command, secs: u64) -> Run {
    let out_path = tempfile::NamedTempFile::new().expect("tmp");
    let err_path = tempfile::NamedTempFile::new().expect("tmp");
    cmd.stdin(Stdio::null())
        .stdout(out_path.reopen().expect("reopen"))
        .stderr(err_path.reopen().expect("reopen"));
    let mut child = cmd.spawn().expect("spawn the agent CLI");
    let deadline = Instant::now() + Duration::from_secs(secs);
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let read = |p: &tempfile::NamedTempFile| std::fs::read_to_string(p.path()).unwrap_or_default();
    Run {
        status,
        stdout: read(&out_path),
        stderr: read(&err_path),
    }
}

/// The API key Claude Code is given (any `sk-ant-` string; the server ignores it).
pub const CLAUDE_KEY: &str = "sk-ant-conformance-0000000000000000000000";

/// How long one CLI invocation may take (a scripted turn takes a few seconds).
pub const CLI_DEADLINE_SECS: u64 = 180;

/// A test's world: the hermetic environment, the model server, the CLIs.
pub struct World {
    pub env: Env,
    pub server: Server,
    pub clis: Clis,
    /// Names the folder [`World::keep`] fills when the test ends.
    pub name: String,
}

impl Drop for World {
    /// Keep the transcripts also when the test failed: that is when they are wanted.
    fn drop(&mut self) {
        self.keep();
    }
}

impl World {
    /// A repository with one commit and `git drift init` done, its clock at the present (real
    /// CLIs stamp their transcripts with the real time; commits must come after them).
    pub fn new(clis: Clis, server: Server, name: &str) -> World {
        let env = Env::new();
        env.clock.set(jiff::Timestamp::now().as_second());
        env.write("README.md", "# widget\n");
        env.commit("init");
        env.drift_ok(&["init"]);
        env.commit("git drift init");
        World {
            env,
            server,
            clis,
            name: name.to_string(),
        }
    }

    /// `claude ARGS` in the repository, pointed at the model server.
    pub fn claude(&self, args: &[&str]) -> Run {
        let mut c = self
            .env
            .cmd_in(self.clis.claude.to_str().expect("path"), &self.env.repo);
        c.args(args)
            .env("ANTHROPIC_BASE_URL", self.server.base_url())
            .env(
                "ANTHROPIC_API_KEY",
                "sk-ant-conformance-0000000000000000000000",
            )
            .env("DISABLE_TELEMETRY", "1")
            .env("DISABLE_AUTOUPDATER", "1")
            .env("DISABLE_ERROR_REPORTING", "1")
            .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
            .env("TZ", "UTC");
        run_with_deadline(c, CLI_DEADLINE_SECS)
    }

    /// Write `$CODEX_HOME/config.toml` for `model`, pointed at the model server.
    pub fn codex_config(&self, model: &str) {
        let cfg = format!(
            "model = \"{model}\"\nmodel_provider = \"fake\"\napproval_policy = \"never\"\n\
             sandbox_mode = \"workspace-write\"\ncheck_for_update_on_startup = false\n\n\
             [model_providers.fake]\nname = \"fake\"\nbase_url = \"{}/v1\"\n\
             wire_api = \"responses\"\nenv_key = \"DRIFT_FAKE_KEY\"\n",
            self.server.base_url()
        );
        std::fs::create_dir_all(&self.env.codex).expect("codex home");
        std::fs::write(self.env.codex.join("config.toml"), cfg).expect("config.toml");
    }

    /// The config for the interactive TUI: patches need approval (read-only sandbox), the
    /// repository is trusted, and the "new model" notice is answered the way the CLI records
    /// an answer (so the first screen is the conversation).
    pub fn codex_tui_config(&self, model: &str) {
        self.codex_config(model);
        let path = self.env.codex.join("config.toml");
        let cfg = std::fs::read_to_string(&path)
            .expect("config.toml")
            .replace(
                "approval_policy = \"never\"",
                "approval_policy = \"on-request\"",
            )
            .replace(
                "sandbox_mode = \"workspace-write\"",
                "sandbox_mode = \"read-only\"",
            );
        let extra = format!(
            "\n[projects.\"{}\"]\ntrust_level = \"trusted\"\n\n[tui]\nscreen_reader_detection_done = true\n\n\
             [tui.model_availability_nux]\n\"gpt-6.1-sol\" = 1\n\n\
             [notice.model_migrations]\n\"{model}\" = \"gpt-6-sol\"\n",
            self.env.repo.display()
        );
        std::fs::write(&path, cfg + &extra).expect("config.toml");
    }

    /// The hermetic environment for a TUI under tmux (what [`Env::cmd_in`] sets, plus the
    /// model server's variables).
    pub fn tui_env(&self) -> Vec<(String, String)> {
        let path = format!(
            "{}:{}",
            crate::common::bin_dir().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let s = |p: &Path| p.to_string_lossy().into_owned();
        [
            ("PATH", path),
            ("HOME", s(&self.env.home)),
            ("GIT_CONFIG_GLOBAL", s(&self.env.home.join(".gitconfig"))),
            ("GIT_CONFIG_NOSYSTEM", "1".into()),
            ("XDG_CONFIG_HOME", s(&self.env.home.join(".config"))),
            ("CLAUDE_CONFIG_DIR", s(&self.env.claude)),
            ("CODEX_HOME", s(&self.env.codex)),
            ("TZ", "UTC".into()),
            ("LANG", "C.UTF-8".into()),
            ("TERM", "xterm-256color".into()),
            ("DRIFT_FAKE_KEY", "sk-conformance".into()),
            ("ANTHROPIC_BASE_URL", self.server.base_url()),
            ("ANTHROPIC_API_KEY", CLAUDE_KEY.into()),
            ("DISABLE_TELEMETRY", "1".into()),
            ("DISABLE_AUTOUPDATER", "1".into()),
            ("DISABLE_ERROR_REPORTING", "1".into()),
            ("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// `codex ARGS` in the repository (config from [`World::codex_config`]).
    pub fn codex(&self, args: &[&str]) -> Run {
        let mut c = self
            .env
            .cmd_in(self.clis.codex.to_str().expect("path"), &self.env.repo);
        c.args(args)
            .env("DRIFT_FAKE_KEY", "sk-conformance")
            .env("NO_COLOR", "1")
            .env("RUST_LOG", "error");
        run_with_deadline(c, CLI_DEADLINE_SECS)
    }

    /// Every transcript file below an agent home, sorted.
    pub fn transcripts(&self, home: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        walk(home, &mut out);
        out.retain(|p| p.extension().is_some_and(|e| e == "jsonl"));
        out.sort();
        out
    }

    /// Keep what a run produced for inspection (and for fixtures) when `DRIFT_CONFORMANCE_KEEP=DIR` is set: the
    /// transcripts (paths scrubbed to `/home/dev/widget`) and the server's request log.
    pub fn keep(&self) {
        let Some(dir) = std::env::var_os("DRIFT_CONFORMANCE_KEEP") else {
            return;
        };
        let dir = PathBuf::from(dir).join(&self.name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("keep dir");
        for home in [&self.env.claude, &self.env.codex] {
            for t in self.transcripts(home) {
                let text = std::fs::read_to_string(&t).unwrap_or_default();
                let name = t.file_name().expect("name");
                std::fs::write(dir.join(name), self.scrub(&text)).expect("keep");
            }
        }
        std::fs::write(dir.join("requests.log"), self.scrub(&self.server.dump())).expect("keep");
    }

    /// Replace this run's temp paths with the fixture placeholders.
    pub fn scrub(&self, text: &str) -> String {
        let enc = |p: &Path| -> String {
            p.to_string_lossy()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect()
        };
        let base = self.env.tmp.path().canonicalize().expect("canonical");
        text.replace(
            &self.env.repo.to_string_lossy().to_string(),
            "/home/dev/widget",
        )
        .replace(&enc(&self.env.repo), "-home-dev-widget")
        .replace(&base.to_string_lossy().to_string(), "/home/dev")
    }
}

/// Every file below `dir`.
pub fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}
