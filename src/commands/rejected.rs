//! `git drift rejected [--since TIME] [--json]`: the approaches rejected across this
//! repository's sessions (declined edits, commands and plans) with the reason typed; the
//! listing is [`crate::browse::print_rejected`].

use crate::commands::Ctx;
use crate::error::Result;
use std::io::Write;

/// List the approaches rejected across sessions, with the reasons given
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only rejections since TIME (2026-01-15, '2 days ago', yesterday, ...)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Run `git drift rejected`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let since = crate::util::timefmt::since_option(args.since.as_deref())?;
    let store = ctx.query_store()?;
    let root = &ctx.repo()?.root;
    let rel = |p: &str| crate::util::text::relative(p, root).unwrap_or_else(|| p.to_string());
    ctx.paged(out, args.json, |out, paint| {
        crate::browse::print_rejected(&store, since, &rel, args.json, paint, out)
    })
}
