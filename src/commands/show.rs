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
    /// Instead: a Markdown summary of a pull request's commits (e.g. main..HEAD) for its
    /// description
    #[arg(long, value_name = "RANGE")]
    pub pr: Option<String>,
}

/// Run `git drift show`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let repo = ctx.repo()?;
    if let Some(range) = &args.pr {
        return crate::pr::print_pr(repo, range, args.json, out);
    }
    let ids = |shown: &mut dyn Iterator<Item = &str>| ctx.short_ids(shown);
    ctx.paged(out, args.json, |out, paint| {
        crate::report::print_show(repo, &args.commit, args.json, &ids, paint, out)
    })
}
