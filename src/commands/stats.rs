//! `git drift stats [RANGE] [--since T] [--until T] [--by KEY] [-- PATHS…] [--json]`: how
//! much of the range's added lines agents wrote; the counting is [`crate::stats`].

use crate::commands::Ctx;
use crate::error::Result;
use crate::stats::{By, Select};
use std::io::Write;

/// How much of a range's code agents wrote: lines by agent, model, author, path, day or week
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Commits to count (git log syntax; default: the current branch)
    pub range: Option<String>,
    /// Only commits more recent than this (as `git log --since`: yesterday, 2.weeks.ago, …)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only commits older than this (as `git log --until`)
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Group the lines by this
    #[arg(long, value_enum, default_value = "agent")]
    pub by: By,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Only these paths (files or directories)
    #[arg(last = true, value_name = "PATHS")]
    pub paths: Vec<String>,
}

/// Run `git drift stats`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let repo = ctx.repo()?;
    let sel = Select {
        range: args.range.clone(),
        since: args.since.clone(),
        until: args.until.clone(),
        paths: args.paths.clone(),
    };
    let st = crate::stats::stats(repo, &sel, args.by)?;
    ctx.paged(out, args.json, |out, paint| {
        crate::stats::print(&st, args.by, args.json, paint, out)
    })
}
