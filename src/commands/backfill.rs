//! `git drift backfill [RANGE]`: attribute existing commits, oldest first, from the
//! transcripts already on disk.

use crate::commands::Ctx;
use crate::error::Result;
use std::io::Write;

/// Attribute existing commits from transcripts already on disk
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Commits to attribute, oldest first (git rev-list syntax; default: the current branch)
    pub range: Option<String>,
    /// Print the results as JSON
    #[arg(long)]
    pub json: bool,
}

/// Run `git drift backfill`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let range = args.range.as_deref().unwrap_or("HEAD");
    let list = ctx
        .repo()?
        .git(&["rev-list", "--reverse", "--topo-order", range, "--"])?;
    let mut store = ctx.captured_store(true)?;
    let redactor = ctx.config()?.redactor()?;
    let mut outcomes = Vec::new();
    for commit in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
        outcomes.push(ctx.bind(&mut store, &redactor, commit)?);
    }
    super::bind::print(&outcomes, args.json, out)
}
