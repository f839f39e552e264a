//! `git drift status [--json]`: is this repository set up, and what to run next; the report
//! is [`crate::status`], plus whether the user's watcher ([`crate::watch`]) runs.

use crate::commands::Ctx;
use crate::error::{Result, out_err};
use std::io::Write;

/// Is this repository set up (hooks, agents, sessions, unbound commits, unpushed notes), and
/// what to run for each problem
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Run `git drift status`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let repo = ctx.repo()?;
    let config = ctx.config()?;
    // Where init never ran there is nothing captured to list, and the report itself says
    // "not set up": the read-only store's own warning would say it twice.
    let sessions = if repo.prompts_dir().is_dir() {
        ctx.query_store()?.sessions(None)?
    } else {
        Vec::new()
    };
    let agents = crate::status::agents(config, ctx.env(), &sessions);
    let status = crate::status::status(repo, config, agents, &sessions)?;
    let paint = ctx.paint(args.json)?;
    let watcher = crate::watch::WatcherStatus::of(ctx.env().home.as_deref(), &repo.root);
    if args.json {
        let mut value = serde_json::to_value(&status).unwrap_or_default();
        value["watcher"] = serde_json::to_value(&watcher).unwrap_or_default();
        let text = serde_json::to_string_pretty(&value).unwrap_or_default();
        return writeln!(out, "{text}").map_err(out_err);
    }
    // The watcher's line goes last in the list of facts, before the to-do list.
    let mut buf = Vec::new();
    crate::status::print_status(&status, false, paint, &mut buf)?;
    let text = String::from_utf8_lossy(&buf);
    let (facts, rest) = text.split_once("\n\n").unwrap_or((text.trim_end(), ""));
    writeln!(out, "{facts}\n  watcher     {}", watcher.describe()).map_err(out_err)?;
    if !rest.is_empty() {
        write!(out, "\n{rest}").map_err(out_err)?;
    }
    Ok(())
}
