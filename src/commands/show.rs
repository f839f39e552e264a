//! `git drift show [COMMIT]`: the sessions behind one commit; the rendering is
//! [`crate::report::print_show`].

use crate::commands::Ctx;
use crate::error::Result;
use std::io::Write;

/// The sessions behind one commit: prompts, decisions, rejected approaches, ranges
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The commit (default HEAD)
    #[arg(default_value = "HEAD")]
    pub commit: String,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Run `git drift show`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let repo = ctx.repo()?;
    let ids = |shown: &mut dyn Iterator<Item = &str>| ctx.short_ids(shown);
    ctx.paged(out, args.json, |out, paint| {
        crate::report::print_show(repo, &args.commit, args.json, &ids, paint, out)
    })
}
