//! `git drift sessions`: one line per captured session of this repository; the listing is
//! [`crate::sessions::print_sessions`].

use crate::commands::Ctx;
use crate::error::Result;
use crate::model::Agent;
use std::io::Write;

/// List captured sessions of this repository
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this agent (claude-code, codex)
    #[arg(long, value_name = "NAME")]
    pub agent: Option<Agent>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Run `git drift sessions`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let list = ctx.captured_store(false)?.sessions(args.agent)?;
    ctx.paged(out, args.json, false, |out, paint| {
        crate::sessions::print_sessions(&list, args.json, paint, out)
    })
}
