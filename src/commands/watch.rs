//! `git drift watch [--quiet] [--install|--uninstall]`: the per-user watcher that captures
//! every initialised repository as agents write (the loop is [`crate::watch::daemon`]), or
//! the service definition that starts it with the session.

use crate::capture::Stats;
use crate::commands::Ctx;
use crate::error::{Error, Result, out_err};
use crate::ui::plural;
use crate::watch::daemon::{self, Report};
use crate::watch::service::{self, Kind};
use crate::watch::{lock, state::StateDir};
use std::io::Write;
use std::path::Path;

/// Capture every initialised repository continuously as agents write (one watcher per user)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print only warnings, not a line per capture
    #[arg(long, short)]
    pub quiet: bool,
    /// Write a service definition that runs the watcher with your session (does not start it)
    #[arg(long, conflicts_with = "uninstall")]
    pub install: bool,
    /// Remove the service definition --install wrote
    #[arg(long)]
    pub uninstall: bool,
    /// The service manager to write for with --install/--uninstall (default: this system's)
    #[arg(long, value_enum, value_name = "KIND")]
    pub service: Option<Kind>,
}

/// Run `git drift watch`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    if args.install || args.uninstall {
        return service_cmd(ctx, args, out);
    }
    let state = StateDir::for_home(ctx.env().home.as_deref())?;
    let _held = lock::acquire(&state)?;
    let opts = daemon::Options::new(ctx.env().clone(), state);
    let mut first = true;
    let quiet = args.quiet;
    let mut report = |r: Report<'_>| {
        let line = match r {
            Report::Watching { repos, homes } if first || !quiet => {
                first = false;
                Some(watching_line(repos.len(), homes))
            }
            Report::Captured { root, stats } if !quiet => Some(captured_line(root, stats)),
            Report::Warning(w) => {
                ctx.ui.line(&format!("git drift watch: warning: {w}"));
                None
            }
            _ => None,
        };
        if let Some(l) = line {
            // A broken stdout (the terminal went away) must not stop the capturing.
            let _ = writeln!(out, "{l}").and_then(|()| out.flush());
        }
    };
    daemon::run(&opts, &mut report)
}

/// `watching 2 repositories (pid 123); homes: ~/.claude, ~/.codex`.
fn watching_line(repos: usize, homes: &[std::path::PathBuf]) -> String {
    let homes: Vec<String> = homes.iter().map(|h| h.display().to_string()).collect();
    format!(
        "{} git drift watch (pid {}): {}; homes: {}",
        now(),
        std::process::id(),
        plural(repos as u64, "repository", "repositories"),
        if homes.is_empty() {
            "none found yet".to_string()
        } else {
            homes.join(", ")
        }
    )
}

/// `10:02:03 /home/dev/widget: 1 session, 4 new events (1 prompt, 2 edits, 0 rejections)`.
fn captured_line(root: &Path, s: &Stats) -> String {
    format!(
        "{} {}: {}, {} ({}, {}, {}), {}",
        now(),
        root.display(),
        plural(s.sessions, "session", "sessions"),
        plural(s.events, "new event", "new events"),
        plural(s.prompts, "prompt", "prompts"),
        plural(s.edits, "edit", "edits"),
        plural(s.rejections, "rejection", "rejections"),
        crate::util::text::human_bytes(s.bytes_read)
    )
}

fn now() -> String {
    jiff::Zoned::now().strftime("%H:%M:%S").to_string()
}

/// `--install` / `--uninstall`: write or remove the service definition, and say how to start
/// or stop it. Nothing is started or stopped here.
fn service_cmd(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let home = ctx
        .env()
        .home
        .clone()
        .ok_or_else(|| Error::user("HOME is not set, so the service file has no place"))?;
    let kind = args.service.unwrap_or_else(Kind::native);
    let path = service::path(kind, &home, ctx.env().xdg_config_home.as_deref());
    if args.uninstall {
        let msg = if service::uninstall(&path)? {
            format!(
                "removed {}\nif the watcher still runs, stop it with: {}",
                path.display(),
                service::stop_hint(kind, &path)
            )
        } else {
            format!("{} is not installed; nothing to remove", path.display())
        };
        return writeln!(out, "{msg}").map_err(out_err);
    }
    let exe = std::env::current_exe().map_err(|e| Error::other_from("cannot find git-drift", e))?;
    let text = service::text(kind, &exe, &home);
    let verb = if service::install(&path, &text)? {
        "wrote"
    } else {
        "unchanged:"
    };
    writeln!(
        out,
        "{verb} {}\nit runs: {} watch --quiet\nnot started; start it (now and at every login) with:\n    {}",
        path.display(),
        exe.display(),
        service::start_hint(kind, &path)
    )
    .map_err(out_err)
}
