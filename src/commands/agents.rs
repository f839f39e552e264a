//! `git drift agents [--json]`: every agent reader, its home and where that came from,
//! enabled or not, and the sessions of this repository captured from it.

use crate::commands::Ctx;
use crate::error::Result;
use std::io::Write;

/// Every agent reader: its home (and where that came from), enabled or not, sessions found
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Run `git drift agents`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let sessions = ctx.query_store()?.sessions(None)?;
    let rows = crate::status::agents(ctx.config()?, ctx.env(), &sessions);
    crate::status::print_agents(&rows, args.json, ctx.paint(args.json)?, out)
}
