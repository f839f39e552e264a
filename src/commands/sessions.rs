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
    let list = ctx.query_store()?.sessions(args.agent)?;
    let ids = ctx.short_ids(list.iter().map(|s| s.session.info.id.as_str()))?;
    ctx.paged(out, args.json, |out, paint| {
        crate::sessions::print_sessions(&list, args.json, &ids, paint, out)
    })
}
