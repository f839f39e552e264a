//! `git drift help [COMMAND]`: the command's man page (`git-drift-COMMAND(1)`) when one is
//! installed, as `git help` does, else the same text as `git drift COMMAND --help`.

use crate::commands::Ctx;
use crate::error::{Error, Result, out_err};
use std::io::Write;
use std::process::{Command, Stdio};

/// Show the manual of a command (its man page when installed, else its --help)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The command (default: git drift itself)
    pub command: Option<String>,
}

/// Run `git drift help`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let mut program = ctx.program()?;
    program.build();
    let (page, mut cmd) = match args.command.as_deref() {
        None => ("git-drift".to_string(), program),
        Some(name) => {
            let sub = program
                .find_subcommand(name)
                .filter(|s| !s.is_hide_set())
                .cloned()
                .ok_or_else(|| {
                    Error::user(format!("no such command: {name}"))
                        .with_hint("`git drift help` lists the commands")
                })?;
            let bin = format!("git drift {}", sub.get_name());
            (format!("git-drift-{}", sub.get_name()), sub.bin_name(bin))
        }
    };
    // A page is shown only when man finds it (`man -w`): a missing page must not leave the
    // user with man's "No manual entry" when the help text is right here.
    let found = Command::new("man")
        .args(["-w", &page])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        let status = Command::new("man")
            .arg(&page)
            .status()
            .map_err(|e| Error::other_from("could not run man", e))?;
        if status.success() {
            return Ok(());
        }
    }
    write!(out, "{}", cmd.render_long_help()).map_err(out_err)
}
