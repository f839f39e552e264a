//! `git drift sync [REMOTE]`: fetch, merge and push `refs/notes/drift`; the work is in
//! [`crate::sync`].

use crate::commands::Ctx;
use crate::error::Result;
use crate::sync::{self, Options};
use std::io::Write;

/// Fetch, merge and push refs/notes/drift (what the pre-push hook does with every push)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The remote (default: the current branch's remote, else origin)
    pub remote: Option<String>,
    /// Print the counts as JSON
    #[arg(long)]
    pub json: bool,
}

/// Run `git drift sync`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let repo = ctx.repo()?;
    let remote = match &args.remote {
        Some(r) => r.clone(),
        None => sync::default_remote(repo)?,
    };
    let report = sync::sync(repo, &remote, &Options::manual())?;
    sync::print(&report, args.json, out)
}
