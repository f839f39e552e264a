//! `git drift init`: set a worktree up — `.prompts/` with a commented config and a gitignore,
//! the hook shims, and fetch refspecs that bring teammates' notes into tracking refs.
//!
//! Idempotent: running it again changes nothing that is already right and reports so.

use crate::error::{Error, Result, out_err};
use crate::hooks;
use crate::util::git::{self, Repo};
use std::io::Write;
use std::path::Path;

/// What `.prompts/.gitignore` holds: the database and its WAL files stay local.
pub const GITIGNORE: &str =
    "# git drift: the local event store stays on this machine\nevents.db*\n";

/// The fetch refspec that brings a remote's notes into a tracking ref, never onto the local
/// `refs/notes/drift` (a forced fetch onto it would destroy unpushed local notes).
pub fn notes_refspec(remote: &str) -> String {
    format!("+refs/notes/drift:refs/notes/remotes/{remote}/drift")
}

/// Set the worktree up, reporting each step on `out`.
pub fn init(repo: &Repo, out: &mut dyn Write) -> Result<()> {
    let prompts = repo.prompts_dir();
    std::fs::create_dir_all(&prompts).map_err(|e| Error::io(&prompts, e))?;
    write_once(
        &prompts.join("config.yaml"),
        crate::config::TEMPLATE,
        repo,
        out,
    )?;
    write_once(&prompts.join(".gitignore"), GITIGNORE, repo, out)?;
    for change in hooks::install(repo)? {
        report(out, &change.to_string())?;
    }
    for remote in git::remotes(repo)? {
        if git::ensure_fetch_refspec(repo, &remote, &notes_refspec(&remote))? {
            report(
                out,
                &format!("fetch notes from {remote} into refs/notes/remotes/{remote}/drift"),
            )?;
        }
    }
    writeln!(out, "git drift is set up in {}", repo.root.display()).map_err(out_err)?;
    Ok(())
}

/// Undo what `init` did to git (hooks, refspecs). `.prompts/` is left alone: it holds data.
pub fn uninstall(repo: &Repo, out: &mut dyn Write) -> Result<()> {
    for change in hooks::uninstall(repo)? {
        report(out, &change.to_string())?;
    }
    for remote in git::remotes(repo)? {
        let spec = notes_refspec(&remote);
        let key = format!("remote.{remote}.fetch");
        if repo
            .git_opt(&["config", "--fixed-value", "--unset-all", &key, &spec])?
            .is_some()
        {
            report(out, &format!("stopped fetching notes from {remote}"))?;
        }
    }
    writeln!(
        out,
        "git drift hooks removed; .prompts/ and refs/notes/drift were kept"
    )
    .map_err(out_err)?;
    Ok(())
}

fn write_once(path: &Path, text: &str, repo: &Repo, out: &mut dyn Write) -> Result<()> {
    let shown = path
        .strip_prefix(&repo.root)
        .unwrap_or(path)
        .display()
        .to_string();
    if path.exists() {
        return report(out, &format!("{shown} already exists"));
    }
    std::fs::write(path, text).map_err(|e| Error::io(path, e))?;
    report(out, &format!("created {shown}"))
}

fn report(out: &mut dyn Write, line: &str) -> Result<()> {
    writeln!(out, "  {line}").map_err(out_err)
}
