//! `git drift session ID [--diff [EDIT] | --commits]`: the timeline of one session (rendered
//! by [`crate::sessions::print_session`]), the diffs of its edits, or the commits they landed
//! in ([`crate::browse`]).

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
    /// Show the diff of every edit, or of one: its number in the session (1 is the first) or
    /// a prefix of its event id
    #[arg(long, value_name = "EDIT", num_args = 0..=1, default_missing_value = "", conflicts_with = "commits")]
    pub diff: Option<String>,
    /// List the commits this session's edits landed in
    #[arg(long)]
    pub commits: bool,
}

/// Run `git drift session`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let store = ctx.query_store()?;
    let session = store.find_session(&args.id)?;
    let repo = ctx.repo()?;
    let root = &repo.root;
    let rel = |p: &str| crate::util::text::relative(p, root).unwrap_or_else(|| p.to_string());
    ctx.paged(out, args.json, |out, paint| {
        if let Some(which) = args.diff.as_deref() {
            let which = Some(which).filter(|w| !w.is_empty());
            crate::browse::print_diffs(&store, &session, which, &rel, args.json, paint, out)
        } else if args.commits {
            crate::browse::print_commits(&store, repo, &session, &rel, args.json, out)
        } else {
            crate::sessions::print_session(&store, &session, root, args.json, paint, out)
        }
    })
}
