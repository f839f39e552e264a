//! Command-line interface, the top layer: the top-level [`Cli`], the [`Command`] enum and the
//! one [`dispatch`] match. Each command lives in its own file under [`crate::commands`].
//!
//! The binaries only parse arguments and call [`main`] (or [`run_blame`] / [`run_handoff`] for
//! `git-drift-blame` / `git-drift-handoff`). Errors become one line on stderr (plus a
//! `hint:` line when the error carries one) and git's exit codes.

use crate::commands::{self, Ctx};
use crate::error::{Error, Result, out_err};
use clap::{Parser, Subcommand};
use std::io::Write;

/// git drift: the memory of your AI coding sessions, stored in git.
#[derive(Debug, Parser)]
#[command(
    name = "git-drift",
    bin_name = "git drift",
    version,
    about,
    max_term_width = 100,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(flatten)]
    pub output: commands::context::OutputArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set this repository up: .prompts/, hooks, notes fetch refspecs
    Init(commands::init::Args),
    /// Read new agent transcript lines into .prompts/events.db
    Capture(commands::capture::Args),
    /// List captured sessions of this repository
    Sessions(commands::sessions::Args),
    /// Show the timeline of one session
    Session(commands::session::Args),
    /// Attribute a commit's lines and write its note (default HEAD)
    Bind(commands::bind::Args),
    /// Attribute existing commits from transcripts already on disk
    Backfill(commands::backfill::Args),
    /// Per-commit attribution: which agents and humans wrote each commit
    Log(commands::log::Args),
    /// The sessions behind one commit: prompts, decisions, rejected approaches, ranges
    Show(commands::show::Args),
    /// List the approaches rejected across sessions, with the reasons given
    Rejected(commands::rejected::Args),
    /// How much of a range's code agents wrote: lines by agent, model, author, path, day or week
    Stats(commands::stats::Args),
    /// Fetch, merge and push refs/notes/drift (what the pre-push hook does with every push)
    Sync(commands::sync::Args),
    /// Which agent (or human) wrote each line, in which session, from which prompt
    #[command(override_usage = commands::blame::USAGE)]
    Blame(commands::blame::Args),
    /// Brief the task in progress for another agent (also git-drift-handoff)
    Handoff(commands::handoff::Args),
    /// Is this repository set up, and what to run next
    Status(commands::status::Args),
    /// Every agent reader: its home, enabled or not, sessions found
    Agents(commands::agents::Args),
    /// Try git drift in a throwaway repository with scripted Claude Code and Codex sessions
    Demo(commands::demo::Args),
    /// Show or change the configuration, with where each value came from
    Config(commands::config::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions(commands::completions::Args),
    /// Show the manual of a command (its man page when installed, else its --help)
    Help(commands::help::Args),
    /// Run a git hook (called by the shims git drift init installs)
    #[command(hide = true)]
    Hook(commands::hook::Args),
    /// Write the man pages (git-drift.1, git-drift-blame.1, git-drift-handoff.1) into DIR, so
    /// that `git drift --help` (which git turns into `git help drift`) finds them
    #[command(hide = true)]
    Man(commands::man::Args),
}

/// Run one command: the only place that knows every command.
pub fn dispatch(ctx: &Ctx, command: &Command, out: &mut dyn Write) -> Result<()> {
    match command {
        Command::Init(a) => commands::init::run(ctx, a, out),
        Command::Capture(a) => commands::capture::run(ctx, a, out),
        Command::Sessions(a) => commands::sessions::run(ctx, a, out),
        Command::Session(a) => commands::session::run(ctx, a, out),
        Command::Bind(a) => commands::bind::run(ctx, a, out),
        Command::Backfill(a) => commands::backfill::run(ctx, a, out),
        Command::Log(a) => commands::log::run(ctx, a, out),
        Command::Show(a) => commands::show::run(ctx, a, out),
        Command::Rejected(a) => commands::rejected::run(ctx, a, out),
        Command::Stats(a) => commands::stats::run(ctx, a, out),
        Command::Sync(a) => commands::sync::run(ctx, a, out),
        Command::Blame(a) => commands::blame::run(ctx, a, out),
        Command::Handoff(a) => commands::handoff::run(ctx, a, out),
        Command::Status(a) => commands::status::run(ctx, a, out),
        Command::Agents(a) => commands::agents::run(ctx, a, out),
        Command::Config(a) => commands::config::run(ctx, a, out),
        Command::Demo(a) => commands::demo::run(ctx, a, out),
        Command::Completions(a) => commands::completions::run(ctx, a, out),
        Command::Help(a) => commands::help::run(ctx, a, out),
        Command::Hook(a) => commands::hook::run(ctx, a, out),
        Command::Man(a) => commands::man::run(ctx, a, out),
    }
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
    with_process_ctx(cli.output, |ctx, out| dispatch(ctx, &cli.command, out))
}

/// Run `f` with the process's context and stdout, and turn its result into an exit code.
fn with_process_ctx(
    output: commands::context::OutputArgs,
    f: impl FnOnce(&Ctx, &mut dyn Write) -> Result<()>,
) -> i32 {
    let ctx = Ctx::from_process()
        .with_program(<Cli as clap::CommandFactory>::command)
        .with_output(output);
    let mut stdout = std::io::stdout().lock();
    finish(f(&ctx, &mut stdout).and_then(|()| stdout.flush().map_err(out_err)))
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

/// `git-drift-blame` / `git drift-blame`: the arguments of `git drift blame` (without the
/// program name); returns the process exit code.
pub fn run_blame(args: Vec<String>) -> i32 {
    use clap::Parser;
    let argv = std::iter::once("git-drift-blame".to_string()).chain(args);
    match commands::blame::Cli::try_parse_from(argv) {
        Ok(cli) => with_process_ctx(cli.output, |ctx, out| {
            commands::blame::run(ctx, &cli.args, out)
        }),
        Err(e) => usage_exit(e),
    }
}

/// `git-drift-handoff`: the same command as `git drift handoff`.
pub fn run_handoff(args: Vec<String>) -> i32 {
    use clap::Parser;
    let argv = std::iter::once("git-drift-handoff".to_string()).chain(args);
    match commands::handoff::Args::try_parse_from(argv) {
        Ok(a) => with_process_ctx(Default::default(), |ctx, out| {
            commands::handoff::run(ctx, &a, out)
        }),
        Err(e) => usage_exit(e),
    }
}
