//! `git drift session ID`: the timeline of one session; the rendering is
//! [`crate::sessions::print_session`].

use crate::commands::Ctx;
use crate::error::Result;
use std::io::Write;

/// Show the timeline of one session
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Session id or a unique prefix of it
    pub id: String,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Run `git drift session`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let store = ctx.query_store()?;
    let session = store.find_session(&args.id)?;
    let root = &ctx.repo()?.root;
    ctx.paged(out, args.json, |out, paint| {
        crate::sessions::print_session(&store, &session, root, args.json, paint, out)
    })
}
