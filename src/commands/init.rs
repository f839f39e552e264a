//! `git drift init [--uninstall]`: set this repository up (or undo it); the work is in
//! [`crate::init`].

use crate::commands::Ctx;
use crate::error::Result;
use std::io::Write;

/// Set this repository up: .prompts/, hooks, notes fetch refspecs
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Remove the hooks and refspecs git drift installed (keeps .prompts/ and notes)
    #[arg(long)]
    pub uninstall: bool,
}

/// Run `git drift init`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let repo = ctx.repo()?;
    if args.uninstall {
        crate::init::uninstall(repo, out)?;
    } else {
        crate::init::init(repo, out)?;
    }
    crate::watch::registry::register(
        ctx.env().home.as_deref(),
        &repo.root,
        !args.uninstall,
        &ctx.ui,
    );
    Ok(())
}
