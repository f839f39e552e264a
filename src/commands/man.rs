//! `git drift man --dir DIR` (hidden): write the man pages, so that `git drift --help` (which
//! git turns into `git help drift`) finds them.

use crate::commands::Ctx;
use crate::error::{Error, Result, out_err};
use clap::CommandFactory;
use std::io::Write;

/// Write the man pages (git-drift.1, git-drift-blame.1, git-drift-handoff.1) into DIR, so
/// that `git drift --help` (which git turns into `git help drift`) finds them
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory to write the pages to (e.g. ~/.local/share/man/man1)
    #[arg(long, value_name = "DIR")]
    pub dir: std::path::PathBuf,
}

/// Run `git drift man`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let dir = &args.dir;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let pages = [
        ("git-drift", ctx.program()?),
        ("git-drift-blame", super::blame::Cli::command()),
        ("git-drift-handoff", super::handoff::Args::command()),
    ];
    for (name, cmd) in pages {
        let path = dir.join(format!("{name}.1"));
        let mut buf = Vec::new();
        clap_mangen::Man::new(cmd.name(name))
            .render(&mut buf)
            .map_err(|e| Error::io(&path, e))?;
        std::fs::write(&path, buf).map_err(|e| Error::io(&path, e))?;
        writeln!(out, "wrote {}", path.display()).map_err(out_err)?;
    }
    Ok(())
}
