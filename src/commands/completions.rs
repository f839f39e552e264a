//! `git drift completions SHELL`: shell completion scripts (clap_complete), including the
//! `_git_drift` function git's own bash completion calls for `git drift <TAB>`.

use crate::commands::Ctx;
use crate::error::{Result, out_err};
use clap_complete::Shell;
use std::io::Write;

/// Print a completion script: bash, zsh, fish, powershell or elvish
#[derive(Debug, clap::Args)]
#[command(after_help = "Enable them, e.g. for bash:
    git drift completions bash > ~/.local/share/bash-completion/completions/git-drift
(both `git-drift <TAB>` and `git drift <TAB>` then complete); zsh: write _git-drift into a
directory on $fpath; fish: ~/.config/fish/completions/git-drift.fish.")]
pub struct Args {
    /// The shell
    pub shell: Shell,
}

/// For bash, git's completion calls `_git_drift` for `git drift …` (with COMP_WORDS starting
/// `git drift`); hand it to clap's function as if `git-drift …` had been typed.
const GIT_BASH_BRIDGE: &str = r#"
# `git drift <TAB>`: git's bash completion calls _git_<subcommand>.
_git_drift() {
    local COMP_WORDS=("git-drift" "${COMP_WORDS[@]:2}")
    local COMP_CWORD=$((COMP_CWORD - 1))
    local cur="${COMP_WORDS[COMP_CWORD]}"
    local prev="${COMP_WORDS[COMP_CWORD-1]}"
    _git__drift git-drift "$cur" "$prev"
}
"#;

/// Run `git drift completions`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    // Subcommands reachable as their own binaries (handoff) carry a `git drift …` bin name,
    // which completion generators read as a path: name them under `git-drift` instead.
    let mut cmd = ctx
        .program()?
        .bin_name("git-drift")
        .display_name("git-drift")
        .mut_subcommands(|s| {
            let name = format!("git-drift {}", s.get_name());
            s.bin_name(name)
        });
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "git-drift", &mut buf);
    if args.shell == Shell::Bash {
        // clap_complete 4.6 names the option blocks of a hyphenated program `git__subcmd__drift…`
        // but dispatches to `git__drift…`: make them agree, or no option would complete.
        let text = String::from_utf8_lossy(&buf).replace("git__subcmd__drift", "git__drift");
        buf = text.into_bytes();
    }
    out.write_all(&buf).map_err(out_err)?;
    if args.shell == Shell::Bash {
        out.write_all(GIT_BASH_BRIDGE.as_bytes()).map_err(out_err)?;
    }
    Ok(())
}
