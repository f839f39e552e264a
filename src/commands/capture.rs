//! `git drift capture`: read new agent transcript lines into `.prompts/events.db` and say
//! what was read.

use crate::capture::Stats;
use crate::commands::Ctx;
use crate::error::{Result, out_err};
use crate::model::Agent;
use crate::ui::plural;
use crate::util::text::human_bytes;
use std::io::Write;

/// Read new agent transcript lines into .prompts/events.db
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this agent (claude-code, codex)
    #[arg(long, value_name = "NAME")]
    pub agent: Option<Agent>,
    /// Only events at or after TIME (2026-01-15, '2026-01-15 09:30', '2 days ago')
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Print the counts as JSON
    #[arg(long)]
    pub json: bool,
    /// Print nothing unless something went wrong
    #[arg(long, short)]
    pub quiet: bool,
}

/// Run `git drift capture`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let since = crate::util::timefmt::since_option(args.since.as_deref())?;
    let mut store = ctx.store()?;
    let stats = ctx.capture(&mut store, args.agent, since, !args.quiet)?;
    if args.json {
        let text = serde_json::to_string_pretty(&stats).unwrap_or_default();
        writeln!(out, "{text}").map_err(out_err)
    } else if !args.quiet {
        print(&stats, out)
    } else {
        Ok(())
    }
}

/// The human summary of a capture.
pub fn print(s: &Stats, out: &mut dyn Write) -> Result<()> {
    writeln!(
        out,
        "captured {}: {} ({}, {}, {}) from {} of {} read, {}",
        plural(s.sessions, "session", "sessions"),
        plural(s.events, "new event", "new events"),
        plural(s.prompts, "prompt", "prompts"),
        plural(s.edits, "edit", "edits"),
        plural(s.rejections, "rejection", "rejections"),
        plural(s.files_read, "file", "files"),
        s.files_seen,
        human_bytes(s.bytes_read)
    )
    .map_err(out_err)?;
    if s.skipped_lines > 0 {
        writeln!(
            out,
            "skipped {} (not valid JSON)",
            plural(s.skipped_lines, "malformed line", "malformed lines")
        )
        .map_err(out_err)?;
    }
    if s.partial_lines > 0 {
        writeln!(
            out,
            "{} with an unfinished last line (read once complete)",
            plural(s.partial_lines, "file", "files")
        )
        .map_err(out_err)?;
    }
    if s.restarted > 0 {
        writeln!(
            out,
            "re-read {} from the start (shrunk or replaced)",
            plural(s.restarted, "file", "files")
        )
        .map_err(out_err)?;
    }
    Ok(())
}
