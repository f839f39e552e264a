//! `git drift reconcile [RANGE] [--push] [--json]`: give the commits a forge squashed or
//! rebased on merge (no hook of ours ran there) the attribution of the pull request's
//! original commits, by content hash; the matching is [`crate::attribution::reconcile`].

use crate::commands::Ctx;
use crate::error::{Result, out_err};
use std::io::Write;

/// Carry attribution onto commits a forge squashed or rebased on merge, from the notes of the
/// original commits
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The commits to reconcile (git rev-list syntax; default: the current branch)
    pub range: Option<String>,
    /// Then push refs/notes/drift to the remote (fetch and merge first, never force), as a CI
    /// job after merges would
    #[arg(long)]
    pub push: bool,
    /// The remote for --push (default: the current branch's remote, else origin)
    #[arg(long, requires = "push")]
    pub remote: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Run `git drift reconcile`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let repo = ctx.repo()?;
    let privacy = ctx.config()?.privacy;
    let done = crate::attribution::reconcile::reconcile(repo, args.range.as_deref(), privacy)?;
    if args.json {
        let text = serde_json::to_string_pretty(&done).unwrap_or_default();
        writeln!(out, "{text}").map_err(out_err)?;
    } else if done.is_empty() {
        writeln!(
            out,
            "nothing to reconcile: every commit without a note matches no original"
        )
        .map_err(out_err)?;
    }
    for c in done.iter().filter(|_| !args.json) {
        let short = &c.commit[..c.commit.len().min(10)];
        let from: Vec<&str> = c.from.iter().map(|f| &f[..f.len().min(10)]).collect();
        let ambiguous = match c.ambiguous {
            0 => String::new(),
            n => format!(", {n} ambiguous left human"),
        };
        writeln!(
            out,
            "{short} {}: {} ai, {} modified, {} human{ambiguous} (from {})",
            c.subject,
            c.ai_lines,
            c.modified_lines,
            c.human_lines,
            from.join(", ")
        )
        .map_err(out_err)?;
    }
    if args.push {
        let remote = match &args.remote {
            Some(r) => r.clone(),
            None => crate::sync::default_remote(repo)?,
        };
        let report = crate::sync::sync(repo, &remote, &crate::sync::Options::manual())?;
        if !args.json {
            crate::sync::print(&report, false, out)?;
        }
    }
    Ok(())
}
