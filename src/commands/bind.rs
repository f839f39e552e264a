//! `git drift bind [COMMIT]`: attribute one commit's lines and write its note, and the
//! one-line-per-commit report `backfill` shares.

use crate::attribution::bind::Outcome;
use crate::commands::Ctx;
use crate::error::{Result, out_err};
use std::io::Write;

/// Attribute a commit's lines and write its note (default HEAD)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The commit to bind
    #[arg(default_value = "HEAD")]
    pub commit: String,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

/// Run `git drift bind`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let commit = crate::attribution::bind::resolve(ctx.repo()?, &args.commit)?;
    let mut store = ctx.captured_store(false)?;
    let outcome = ctx.bind(&mut store, &ctx.config()?.redactor()?, &commit)?;
    print(&[outcome], args.json, out)
}

/// Report what binding did, one line per commit.
pub fn print(outcomes: &[Outcome], json: bool, out: &mut dyn Write) -> Result<()> {
    if json {
        let text = serde_json::to_string_pretty(outcomes).unwrap_or_default();
        return writeln!(out, "{text}").map_err(out_err);
    }
    for o in outcomes {
        writeln!(
            out,
            "{} {}: {} ai, {} modified, {} human lines from {} {}{}",
            &o.commit[..7.min(o.commit.len())],
            crate::ui::excerpt(&o.subject, 50),
            o.ai_lines,
            o.modified_lines,
            o.human_lines,
            o.sessions.len(),
            if o.sessions.len() == 1 {
                "session"
            } else {
                "sessions"
            },
            if o.note_written {
                ""
            } else {
                " (note unchanged)"
            }
        )
        .map_err(out_err)?;
        for (path, why) in &o.skipped {
            writeln!(out, "  skipped {path}: {why}").map_err(out_err)?;
        }
    }
    if outcomes.is_empty() {
        writeln!(out, "no commits to bind").map_err(out_err)?;
    }
    Ok(())
}
