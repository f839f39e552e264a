//! `git drift mcp`: an MCP server over stdio (the official Rust SDK, `rmcp`) that agents ask
//! "why is this line here?" — tools over blame, why (a line's timeline), log, show, sessions,
//! session and handoff — and `git drift mcp --install AGENT` / `--uninstall AGENT`, which
//! write or remove that agent's MCP configuration entry ([`crate::mcp`]).
//!
//! Every tool runs the matching command in-process with `--json` (a fresh [`Ctx`] per call,
//! so each answer includes what the agents wrote since the last one) and returns its JSON as
//! structured content. A command's error becomes a tool error with the command's message and
//! hint; the server keeps running. Nothing but protocol messages reaches stdout: commands
//! print into a buffer, warnings go to stderr.

use crate::commands::{self, Ctx};
use crate::config::Env;
use crate::error::{Error, Result, out_err};
use crate::mcp::install::{self, Client};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::{Json, ServerHandler, ServiceExt, schemars, tool, tool_handler, tool_router};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;

/// Serve git drift's queries to AI agents over MCP (stdio), or set an agent up to use it
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write this agent's MCP configuration entry for this repository (claude-code, codex,
    /// gemini-cli, cursor, opencode) instead of serving
    #[arg(long, value_enum, value_name = "AGENT", conflicts_with = "uninstall")]
    pub install: Option<Client>,
    /// Remove exactly the entry --install wrote for this agent
    #[arg(long, value_enum, value_name = "AGENT")]
    pub uninstall: Option<Client>,
    /// Serve this repository instead of the one containing the current directory
    #[arg(long, value_name = "DIR")]
    pub repo: Option<PathBuf>,
}

/// Run `git drift mcp`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let dir = match &args.repo {
        Some(d) => ctx.cwd().join(d),
        None => ctx.cwd().to_path_buf(),
    };
    if let Some(client) = args.install.or(args.uninstall) {
        let root = crate::util::git::Repo::discover(&dir)?.root;
        let report = if args.install.is_some() {
            install::install(client, &root, ctx.env())?
        } else {
            install::uninstall(client, &root, ctx.env())?
        };
        return writeln!(out, "{report}").map_err(out_err);
    }
    // Fail before the handshake when there is no repository to serve.
    crate::util::git::Repo::discover(&dir)?;
    let server = Server {
        dir,
        env: ctx.env().clone(),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::other_from("cannot start the MCP server", e))?;
    rt.block_on(async move {
        let service = server
            .serve((tokio::io::stdin(), stdout()?))
            .await
            .map_err(|e| Error::other_from("MCP handshake failed", e))?;
        service
            .waiting()
            .await
            .map_err(|e| Error::other_from("MCP server stopped", e))?;
        Ok(())
    })
}

/// Standard output for the protocol. Not `tokio::io::stdout()`: that writes through the
/// process's `Stdout`, whose lock the CLI holds while a command runs, so every write would
/// wait forever. A duplicate of the descriptor writes to the same pipe without the lock.
#[cfg(unix)]
fn stdout() -> Result<tokio::fs::File> {
    use std::os::fd::AsFd;
    let fd = std::io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| Error::other_from("cannot use standard output", e))?;
    Ok(tokio::fs::File::from_std(std::fs::File::from(fd)))
}

#[cfg(windows)]
fn stdout() -> Result<tokio::fs::File> {
    use std::os::windows::io::AsHandle;
    let h = std::io::stdout()
        .as_handle()
        .try_clone_to_owned()
        .map_err(|e| Error::other_from("cannot use standard output", e))?;
    Ok(tokio::fs::File::from_std(std::fs::File::from(h)))
}

/// The server: the repository it answers for and the environment commands read.
#[derive(Debug, Clone)]
struct Server {
    dir: PathBuf,
    env: Env,
}

/// Every tool's structured output: the command's JSON (or the brief's text).
#[derive(Debug, Serialize, schemars::JsonSchema)]
struct Answer {
    /// What `git drift <command> --json` prints for the same question.
    result: Value,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct BlameIn {
    /// The file, relative to the repository root.
    path: String,
    /// First line (1-based) of the range; with no range, every line.
    start_line: Option<u32>,
    /// Last line of the range (default: start_line).
    end_line: Option<u32>,
    /// Blame the file as of this revision (default: the working tree).
    rev: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct WhyIn {
    /// The file, relative to the repository root.
    path: String,
    /// The line (1-based).
    line: u32,
    /// As of this revision (default: the working tree).
    rev: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct LogIn {
    /// Commits to show, git log syntax (default: the current branch).
    range: Option<String>,
    /// At most this many commits.
    limit: Option<usize>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct ShowIn {
    /// The commit (default HEAD).
    commit: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct SessionsIn {
    /// Only this agent (claude-code, codex).
    agent: Option<String>,
    /// Only sessions active at or after this time (2026-01-15, '2 days ago').
    since: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct SessionIn {
    /// A session id or a unique prefix of it.
    id: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct HandoffIn {
    /// The agent that takes over (claude-code, codex, generic, …).
    target: Option<String>,
    /// What to brief: `branch:NAME`, `session:ID`, `since:TIME`, or empty for the current
    /// branch.
    scope: Option<String>,
}

type ToolResult = std::result::Result<Json<Answer>, String>;

#[tool_router]
impl Server {
    #[tool(
        description = "Who wrote each line of a file: agent, model, session, prompt, or a human",
        annotations(read_only_hint = true)
    )]
    async fn blame(&self, Parameters(p): Parameters<BlameIn>) -> Result<Json<Answer>, String> {
        let mut argv = vec!["--json".to_string()];
        if let Some(start) = p.start_line {
            argv.push(format!("-L{start},{}", p.end_line.unwrap_or(start)));
        } else if p.end_line.is_some() {
            return Err("end_line needs start_line".into());
        }
        argv.extend(p.rev);
        argv.push(p.path);
        self.json::<commands::blame::Args>(&argv, commands::blame::run)
    }

    #[tool(
        description = "Why a line is here: its timeline, oldest first — every version, the commit, \
                       session and prompt behind it, and the attempts rejected or superseded on \
                       the way with the user's reasons",
        annotations(read_only_hint = true)
    )]
    async fn why(&self, Parameters(p): Parameters<WhyIn>) -> Result<Json<Answer>, String> {
        let mut argv = vec![
            "--json".to_string(),
            "--timeline".to_string(),
            format!("--line={}", p.line),
        ];
        argv.extend(p.rev);
        argv.push(p.path);
        self.json::<commands::blame::Args>(&argv, commands::blame::run)
    }

    #[tool(
        description = "Per-commit attribution: which agents and humans wrote each commit",
        annotations(read_only_hint = true)
    )]
    async fn log(&self, Parameters(p): Parameters<LogIn>) -> Result<Json<Answer>, String> {
        let mut argv = vec!["--json".to_string()];
        if let Some(n) = p.limit {
            argv.push(format!("--max-count={n}"));
        }
        argv.extend(p.range);
        self.json::<commands::log::Args>(&argv, commands::log::run)
    }

    #[tool(
        description = "The sessions behind one commit: prompts, decisions, rejected approaches, ranges",
        annotations(read_only_hint = true)
    )]
    async fn show(&self, Parameters(p): Parameters<ShowIn>) -> Result<Json<Answer>, String> {
        let argv = vec![
            "--json".to_string(),
            p.commit.unwrap_or_else(|| "HEAD".into()),
        ];
        self.json::<commands::show::Args>(&argv, commands::show::run)
    }

    #[tool(
        description = "The captured agent sessions of this repository",
        annotations(read_only_hint = true)
    )]
    async fn sessions(
        &self,
        Parameters(p): Parameters<SessionsIn>,
    ) -> Result<Json<Answer>, String> {
        let since = match &p.since {
            Some(s) => Some(
                crate::util::timefmt::parse_since(s, jiff::Timestamp::now())
                    .map_err(|e| e.to_string())?,
            ),
            None => None,
        };
        let mut argv = vec!["--json".to_string()];
        if let Some(a) = p.agent {
            argv.push(format!("--agent={a}"));
        }
        let Json(mut answer) =
            self.json::<commands::sessions::Args>(&argv, commands::sessions::run)?;
        if let (Some(since), Value::Array(list)) = (since, &mut answer.result) {
            list.retain(|s| active_since(s, since));
        }
        Ok(Json(answer))
    }

    #[tool(
        description = "The timeline of one session: prompts, edits, commands, rejections, plans",
        annotations(read_only_hint = true)
    )]
    async fn session(&self, Parameters(p): Parameters<SessionIn>) -> Result<Json<Answer>, String> {
        let argv = vec!["--json".to_string(), p.id];
        self.json::<commands::session::Args>(&argv, commands::session::run)
    }

    #[tool(
        description = "A brief of the task in progress for another agent to take over: done, \
                       decided, tried and rejected, open (nothing is written)",
        annotations(read_only_hint = true)
    )]
    async fn handoff(&self, Parameters(p): Parameters<HandoffIn>) -> Result<Json<Answer>, String> {
        let mut argv = vec!["--print".to_string(), "--quiet".to_string()];
        if let Some(t) = p.target {
            argv.push(format!("--to={t}"));
        }
        match p.scope.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {}
            Some(s) => match s.split_once(':') {
                Some(("branch", b)) => argv.push(format!("--branch={b}")),
                Some(("session", id)) => argv.push(format!("--session={id}")),
                Some(("since", t)) => argv.push(format!("--since={t}")),
                _ => {
                    return Err(format!(
                        "scope '{s}': use branch:NAME, session:ID or since:TIME"
                    ));
                }
            },
        }
        let text = self.call::<commands::handoff::Args>(&argv, commands::handoff::run)?;
        Ok(Json(Answer {
            result: Value::String(text),
        }))
    }
}

#[tool_handler]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        info()
    }
}

/// The server's identity and what it offers (tools only).
fn info() -> ServerConfig {
    ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
        .with_server_info(Implementation::new("git-drift", env!("CARGO_PKG_VERSION")))
        .with_instructions(
            "git drift knows which AI agent (or human) wrote each line of this repository, in \
             which session, from which prompt, and what was rejected on the way. Ask `why` \
             about a line before changing it; `blame` for a file; `show` for a commit.",
        )
}

impl Server {
    /// Run a command with `argv` (its own arguments, no program name) and return its output.
    fn call<A: clap::Args + clap::FromArgMatches>(
        &self,
        argv: &[String],
        run: fn(&Ctx, &A, &mut dyn Write) -> Result<()>,
    ) -> std::result::Result<String, String> {
        #[derive(clap::Parser)]
        #[command(no_binary_name = true)]
        struct One<A: clap::Args> {
            #[command(flatten)]
            args: A,
        }
        let parsed = <One<A> as clap::Parser>::try_parse_from(argv)
            .map_err(|e| e.render().to_string().trim().to_string())?;
        let ctx = Ctx::new(
            self.dir.clone(),
            self.env.clone(),
            crate::ui::Ui::stderr(),
            false,
        );
        let mut buf = Vec::new();
        match run(&ctx, &parsed.args, &mut buf) {
            Ok(()) => Ok(String::from_utf8_lossy(&buf).into_owned()),
            Err(e) => Err(match e.hint() {
                Some(h) => format!("{e} (hint: {h})"),
                None => e.to_string(),
            }),
        }
    }

    /// [`Server::call`] for a command printing JSON.
    fn json<A: clap::Args + clap::FromArgMatches>(
        &self,
        argv: &[String],
        run: fn(&Ctx, &A, &mut dyn Write) -> Result<()>,
    ) -> ToolResult {
        let text = self.call(argv, run)?;
        let result = serde_json::from_str(&text)
            .map_err(|e| format!("the command printed no JSON ({e}): {text}"))?;
        Ok(Json(Answer { result }))
    }
}

/// Whether a session (as `sessions --json` prints it) was active at or after `since`.
fn active_since(s: &Value, since: crate::model::Millis) -> bool {
    ["ended", "started"].iter().any(|k| {
        s[*k]
            .as_str()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .is_some_and(|t| t.as_millisecond() >= since)
    })
}
