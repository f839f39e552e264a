//! `git drift log [RANGE]`: per-commit attribution; the rendering is
//! [`crate::report::print_log`].

use crate::commands::Ctx;
use crate::error::Result;
use std::io::Write;

/// Per-commit attribution: which agents and humans wrote each commit
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Commits to show (git log syntax; default: the current branch)
    pub range: Option<String>,
    /// Show at most N commits (also `-N`, as in git log)
    #[arg(short = 'n', long = "max-count", value_name = "N")]
    pub max_count: Option<usize>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Run `git drift log`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let repo = ctx.repo()?;
    ctx.paged(out, args.json, |out, paint| {
        let range = args.range.as_deref();
        crate::report::print_log(repo, range, args.max_count, args.json, paint, out)
    })
}
