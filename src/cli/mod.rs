//! Command-line interface: the clap definitions of every command and their dispatch.
//!
//! The binaries only parse arguments and call [`run`] (or [`run_blame`] / [`run_handoff`] for
//! `git-drift-blame` / `git-drift-handoff`); each command lives in its domain module and
//! writes to a `&mut impl Write`. Errors become one line on stderr and git's exit codes.

use crate::capture;
use crate::config::{Config, Env};
use crate::error::out_err;
use crate::error::{Error, Result};
use crate::model::Agent;
use crate::store::Store;
use crate::ui::{self, Output, Paint};
use crate::util::git::Repo;
use clap::{Args, Parser, Subcommand};
use std::io::{IsTerminal, Write};

/// git drift: the memory of your AI coding sessions, stored in git.
#[derive(Debug, Parser)]
#[command(
    name = "git-drift",
    bin_name = "git drift",
    version,
    about,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set this repository up: .prompts/, hooks, notes fetch refspecs
    Init(InitArgs),
    /// Read new agent transcript lines into .prompts/events.db
    Capture(CaptureArgs),
    /// List captured sessions of this repository
    Sessions(SessionsArgs),
    /// Show the timeline of one session
    Session(SessionArgs),
    /// Attribute a commit's lines and write its note (default HEAD)
    Bind(BindArgs),
    /// Attribute existing commits from transcripts already on disk
    Backfill(BackfillArgs),
    /// Per-commit attribution: which agents and humans wrote each commit
    Log(LogArgs),
    /// The sessions behind one commit: prompts, decisions, rejected approaches, ranges
    Show(ShowArgs),
    /// Fetch, merge and push refs/notes/drift (what the pre-push hook does with every push)
    Sync(SyncArgs),
    /// Which agent (or human) wrote each line, in which session, from which prompt
    #[command(override_usage = crate::blame::USAGE)]
    Blame(crate::blame::BlameArgs),
    /// Brief the task in progress for another agent (also git-drift-handoff)
    Handoff(crate::handoff::HandoffArgs),
    /// Run a git hook (called by the shims git drift init installs)
    #[command(hide = true)]
    Hook(HookArgs),
    /// Write the man pages (git-drift.1, git-drift-blame.1, git-drift-handoff.1) into DIR, so
    /// that `git drift --help` (which git turns into `git help drift`) finds them
    #[command(hide = true)]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Remove the hooks and refspecs git drift installed (keeps .prompts/ and notes)
    #[arg(long)]
    pub uninstall: bool,
}

#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// Only this agent (claude-code, codex)
    #[arg(long, value_name = "NAME")]
    pub agent: Option<Agent>,
    /// Only events at or after TIME (2026-01-15, '2026-01-15 09:30', '2 days ago')
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Print the counts as JSON
    #[arg(long)]
    pub json: bool,
    /// Print nothing unless something went wrong
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct SessionsArgs {
    /// Only this agent (claude-code, codex)
    #[arg(long, value_name = "NAME")]
    pub agent: Option<Agent>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SessionArgs {
    /// Session id or a unique prefix of it
    pub id: String,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BindArgs {
    /// The commit to bind
    #[arg(default_value = "HEAD")]
    pub commit: String,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BackfillArgs {
    /// Commits to attribute, oldest first (git rev-list syntax; default: the current branch)
    pub range: Option<String>,
    /// Print the results as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Commits to show (git log syntax; default: the current branch)
    pub range: Option<String>,
    /// Show at most N commits (also `-N`, as in git log)
    #[arg(short = 'n', long = "max-count", value_name = "N")]
    pub max_count: Option<usize>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Do not page the output
    #[arg(long)]
    pub no_pager: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The commit (default HEAD)
    #[arg(default_value = "HEAD")]
    pub commit: String,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The remote (default: the current branch's remote, else origin)
    pub remote: Option<String>,
    /// Print the counts as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Directory to write the pages to (e.g. ~/.local/share/man/man1)
    #[arg(long, value_name = "DIR")]
    pub dir: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct HookArgs {
    /// post-commit, pre-push or post-rewrite
    pub name: String,
    /// The arguments git passed to the hook
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

/// Rewrite git-style numeric options (`git drift log -3`) into clap's form (`-n 3`).
pub fn normalize_args(args: impl IntoIterator<Item = String>) -> Vec<String> {
    let args: Vec<String> = args.into_iter().collect();
    let is_log = args.get(1).is_some_and(|a| a == "log");
    args.into_iter()
        .enumerate()
        .flat_map(|(i, a)| {
            let numeric = i > 1
                && a.len() > 1
                && a.starts_with('-')
                && a[1..].bytes().all(|b| b.is_ascii_digit());
            if is_log && numeric {
                vec!["-n".to_string(), a[1..].to_string()]
            } else {
                vec![a]
            }
        })
        .collect()
}

/// Parse `git drift`'s command line and run it; returns the process exit code. Usage errors
/// exit 1 (clap's default is 2, which git reserves for failures here).
pub fn main(args: impl IntoIterator<Item = String>) -> i32 {
    match Cli::try_parse_from(normalize_args(args)) {
        Ok(cli) => run(cli),
        Err(e) => usage_exit(e),
    }
}

/// Print a clap error (or help/version) and give the exit code for it.
pub fn usage_exit(e: clap::Error) -> i32 {
    let _ = e.print();
    match e.kind() {
        clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
        _ => 1,
    }
}

/// Run `git drift` with parsed arguments; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Hook(args) => return crate::hook_runner::run(&args.name, &args.args),
        Command::Init(args) => cmd_init(&args),
        Command::Capture(args) => cmd_capture(&args),
        Command::Sessions(args) => cmd_sessions(&args),
        Command::Session(args) => cmd_session(&args),
        Command::Bind(args) => cmd_bind(&args),
        Command::Backfill(args) => cmd_backfill(&args),
        Command::Log(args) => cmd_log(&args),
        Command::Show(args) => cmd_show(&args),
        Command::Sync(args) => {
            crate::sync::cmd(args.remote.as_deref(), args.json, &mut std::io::stdout())
        }
        Command::Blame(args) => crate::blame::run(&args),
        Command::Handoff(args) => crate::handoff::cmd(&args),
        Command::Man(args) => write_man_pages(&args.dir),
    };
    finish(result)
}

/// Report an error the way git does and map it to an exit code.
pub fn finish(result: Result<()>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let code = e.exit_code();
            let prefix = if code == 1 { "error" } else { "fatal" };
            eprintln!("{prefix}: {e}");
            if let Some(hint) = e.hint() {
                eprintln!("hint: {hint}");
            }
            code
        }
    }
}

/// Everything a command working on the current repository needs.
pub struct Ctx {
    pub repo: Repo,
    pub config: Config,
}

impl Ctx {
    /// Discover the repository from the current directory and load its configuration.
    pub fn open() -> Result<Ctx> {
        let repo = Repo::from_cwd()?;
        let config = Config::load(&repo.root, &Env::from_process())?;
        Ok(Ctx { repo, config })
    }

    /// Open the store, creating `.prompts/` if needed — with its `.gitignore`, so a hook
    /// running in a worktree nobody ran `init` in never leaves the database for `git add`.
    pub fn store(&self) -> Result<Store> {
        let dir = self.repo.prompts_dir();
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            std::fs::write(&ignore, crate::init::GITIGNORE).map_err(|e| Error::io(&ignore, e))?;
        }
        Store::open_in(&dir)
    }

    /// The enabled agents (optionally only one) with their homes.
    pub fn agents(&self, only: Option<Agent>) -> Vec<(Agent, std::path::PathBuf)> {
        Agent::ALL
            .into_iter()
            .filter(|a| only.is_none_or(|o| o == *a))
            .filter_map(|a| {
                let c = self.config.agent(a);
                c.enabled.then(|| (a, c.home.clone()))
            })
            .collect()
    }

    /// Attribute `commit` and write its note, with this repository's redaction and privacy.
    pub fn bind(
        &self,
        store: &mut Store,
        redactor: &crate::redact::Redactor,
        commit: &str,
    ) -> Result<crate::attribution::bind::Outcome> {
        crate::attribution::bind::bind(&self.repo, store, redactor, self.config.privacy, commit)
    }

    /// Run a query command's printer on the pager (or stdout), with colour decided the git
    /// way; JSON is never paged nor coloured.
    pub fn paged(
        &self,
        json: bool,
        no_pager: bool,
        print: impl FnOnce(&mut Output, Paint) -> Result<()>,
    ) -> Result<()> {
        let mut out = Output::start(Some(&self.repo), json || no_pager);
        let paint = Paint {
            on: !json && ui::use_color(Some(&self.repo)),
        };
        let r = print(&mut out, paint);
        out.finish();
        r
    }

    /// Incremental capture of every enabled agent, with optional progress on stderr.
    pub fn capture(
        &self,
        store: &mut Store,
        only: Option<Agent>,
        since: Option<crate::model::Millis>,
        show_progress: bool,
    ) -> Result<capture::Stats> {
        self.capture_within(store, only, since, show_progress, None)
    }

    /// [`Ctx::capture`] that reads nothing when more than `budget` bytes are new.
    pub fn capture_within(
        &self,
        store: &mut Store,
        only: Option<Agent>,
        since: Option<crate::model::Millis>,
        show_progress: bool,
        budget: Option<u64>,
    ) -> Result<capture::Stats> {
        let mut bar = Progress::new(show_progress);
        let mut tick = |done: u64, total: u64| bar.tick(done, total);
        let stats = capture::capture(
            store,
            &self.repo.root,
            capture::Options {
                agents: self.agents(only),
                since,
                budget,
                redactor: &|| self.config.redactor(),
                progress: Some(&mut tick),
            },
        )?;
        bar.finish();
        Ok(stats)
    }
}

/// A progress bar on stderr that appears only after about a second, and only on a terminal.
struct Progress {
    enabled: bool,
    started: std::time::Instant,
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(enabled: bool) -> Progress {
        Progress {
            enabled: enabled && std::io::stderr().is_terminal(),
            started: std::time::Instant::now(),
            bar: None,
        }
    }

    fn tick(&mut self, done: u64, total: u64) {
        if !self.enabled || self.started.elapsed().as_millis() < 1000 {
            return;
        }
        let bar = self.bar.get_or_insert_with(|| {
            let b = indicatif::ProgressBar::new(total);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "capturing {bar:30} {bytes}/{total_bytes} ({bytes_per_sec})",
            ) {
                b.set_style(style);
            }
            b
        });
        bar.set_position(done);
    }

    fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

fn cmd_init(args: &InitArgs) -> Result<()> {
    let repo = Repo::from_cwd()?;
    let mut out = std::io::stdout();
    if args.uninstall {
        crate::init::uninstall(&repo, &mut out)
    } else {
        crate::init::init(&repo, &mut out)
    }
}

fn cmd_capture(args: &CaptureArgs) -> Result<()> {
    let ctx = Ctx::open()?;
    let since = args
        .since
        .as_deref()
        .map(|s| crate::util::timefmt::parse_since(s, jiff::Timestamp::now()))
        .transpose()?;
    let mut store = ctx.store()?;
    let stats = ctx.capture(&mut store, args.agent, since, !args.quiet)?;
    let mut out = std::io::stdout();
    if args.json {
        let text = serde_json::to_string_pretty(&stats).unwrap_or_default();
        writeln!(out, "{text}").map_err(out_err)
    } else if !args.quiet {
        print_capture(&stats, &mut out)
    } else {
        Ok(())
    }
}

/// The human summary of a capture.
pub fn print_capture(s: &capture::Stats, out: &mut impl Write) -> Result<()> {
    use crate::ui::plural;
    writeln!(
        out,
        "captured {}: {} ({}, {}, {}) from {} of {} read, {}",
        plural(s.sessions, "session", "sessions"),
        plural(s.events, "new event", "new events"),
        plural(s.prompts, "prompt", "prompts"),
        plural(s.edits, "edit", "edits"),
        plural(s.rejections, "rejection", "rejections"),
        plural(s.files_read, "file", "files"),
        s.files_seen,
        human_bytes(s.bytes_read)
    )
    .map_err(out_err)?;
    if s.skipped_lines > 0 {
        writeln!(
            out,
            "skipped {} (not valid JSON)",
            plural(s.skipped_lines, "malformed line", "malformed lines")
        )
        .map_err(out_err)?;
    }
    if s.partial_lines > 0 {
        writeln!(
            out,
            "{} with an unfinished last line (read once complete)",
            plural(s.partial_lines, "file", "files")
        )
        .map_err(out_err)?;
    }
    if s.restarted > 0 {
        writeln!(
            out,
            "re-read {} from the start (shrunk or replaced)",
            plural(s.restarted, "file", "files")
        )
        .map_err(out_err)?;
    }
    Ok(())
}

/// `1.2 MB`, `640 B`.
pub fn human_bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        _ => format!("{:.2} GB", n as f64 / 1e9),
    }
}

fn cmd_sessions(args: &SessionsArgs) -> Result<()> {
    let ctx = Ctx::open()?;
    let mut store = ctx.store()?;
    ctx.capture(&mut store, None, None, false)?;
    let list = store.sessions(args.agent)?;
    ctx.paged(args.json, false, |out, paint| {
        crate::sessions::print_sessions(&list, args.json, paint, out)
    })
}

fn cmd_session(args: &SessionArgs) -> Result<()> {
    let ctx = Ctx::open()?;
    let mut store = ctx.store()?;
    ctx.capture(&mut store, None, None, false)?;
    let session = store.find_session(&args.id)?;
    ctx.paged(args.json, false, |out, paint| {
        crate::sessions::print_session(&store, &session, &ctx.repo.root, args.json, paint, out)
    })
}

fn cmd_bind(args: &BindArgs) -> Result<()> {
    let ctx = Ctx::open()?;
    let commit = crate::attribution::bind::resolve(&ctx.repo, &args.commit)?;
    let mut store = ctx.store()?;
    ctx.capture(&mut store, None, None, false)?;
    let outcome = ctx.bind(&mut store, &ctx.config.redactor()?, &commit)?;
    print_bind(&[outcome], args.json, &mut std::io::stdout())
}

fn cmd_backfill(args: &BackfillArgs) -> Result<()> {
    let ctx = Ctx::open()?;
    let range = args.range.as_deref().unwrap_or("HEAD");
    let list = ctx
        .repo
        .git(&["rev-list", "--reverse", "--topo-order", range, "--"])?;
    let mut store = ctx.store()?;
    ctx.capture(&mut store, None, None, true)?;
    let redactor = ctx.config.redactor()?;
    let mut outcomes = Vec::new();
    for commit in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
        outcomes.push(ctx.bind(&mut store, &redactor, commit)?);
    }
    print_bind(&outcomes, args.json, &mut std::io::stdout())
}

/// Report what binding did, one line per commit.
pub fn print_bind(
    outcomes: &[crate::attribution::bind::Outcome],
    json: bool,
    out: &mut impl Write,
) -> Result<()> {
    if json {
        let text = serde_json::to_string_pretty(outcomes).unwrap_or_default();
        return writeln!(out, "{text}").map_err(out_err);
    }
    for o in outcomes {
        writeln!(
            out,
            "{} {}: {} ai, {} modified, {} human lines from {} {}{}",
            &o.commit[..7.min(o.commit.len())],
            crate::ui::excerpt(&o.subject, 50),
            o.ai_lines,
            o.modified_lines,
            o.human_lines,
            o.sessions.len(),
            if o.sessions.len() == 1 {
                "session"
            } else {
                "sessions"
            },
            if o.note_written {
                ""
            } else {
                " (note unchanged)"
            }
        )
        .map_err(out_err)?;
        for (path, why) in &o.skipped {
            writeln!(out, "  skipped {path}: {why}").map_err(out_err)?;
        }
    }
    if outcomes.is_empty() {
        writeln!(out, "no commits to bind").map_err(out_err)?;
    }
    Ok(())
}

fn cmd_log(args: &LogArgs) -> Result<()> {
    let ctx = Ctx::open()?;
    ctx.paged(args.json, args.no_pager, |out, paint| {
        let range = args.range.as_deref();
        crate::report::print_log(&ctx.repo, range, args.max_count, args.json, paint, out)
    })
}

fn cmd_show(args: &ShowArgs) -> Result<()> {
    let ctx = Ctx::open()?;
    ctx.paged(args.json, false, |out, paint| {
        crate::report::print_show(&ctx.repo, &args.commit, args.json, paint, out)
    })
}

/// Render the three man pages into `dir`.
pub fn write_man_pages(dir: &std::path::Path) -> Result<()> {
    use clap::CommandFactory;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let pages = [
        ("git-drift", Cli::command()),
        ("git-drift-blame", crate::blame::BlameCli::command()),
        ("git-drift-handoff", crate::handoff::HandoffArgs::command()),
    ];
    for (name, cmd) in pages {
        let path = dir.join(format!("{name}.1"));
        let mut buf = Vec::new();
        clap_mangen::Man::new(cmd.name(name))
            .render(&mut buf)
            .map_err(|e| Error::io(&path, e))?;
        std::fs::write(&path, buf).map_err(|e| Error::io(&path, e))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// `git-drift-blame` / `git drift-blame`: the arguments of `git drift blame` (without the
/// program name); returns the process exit code.
pub fn run_blame(args: Vec<String>) -> i32 {
    use clap::Parser;
    let argv = std::iter::once("git-drift-blame".to_string()).chain(args);
    match crate::blame::BlameCli::try_parse_from(argv) {
        Ok(cli) => finish(crate::blame::run(&cli.args)),
        Err(e) => usage_exit(e),
    }
}

/// `git-drift-handoff`: the same command as `git drift handoff`.
pub fn run_handoff(args: Vec<String>) -> i32 {
    use clap::Parser;
    let argv = std::iter::once("git-drift-handoff".to_string()).chain(args);
    match crate::handoff::HandoffArgs::try_parse_from(argv) {
        Ok(a) => finish(crate::handoff::cmd(&a)),
        Err(e) => usage_exit(e),
    }
}
