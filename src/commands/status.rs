//! `git drift status [--json]`: is this repository set up, and what to run next; the report
//! is [`crate::status`].

use crate::commands::Ctx;
use crate::error::Result;
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
    crate::status::print_status(&status, args.json, paint, out)
}
