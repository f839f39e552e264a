//! `git drift init`: set a worktree up — `.prompts/` with a commented config and a gitignore,
//! the hook shims, and fetch refspecs that bring teammates' notes into tracking refs.
//!
//! Idempotent: running it again changes nothing that is already right and reports so.

use crate::error::{Error, Result, out_err};
use crate::hooks;
use crate::util::git::{self, Repo};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What `.prompts/.gitignore` holds: the database and its WAL files stay local, and so do
/// handoff briefs (they quote prompts and code; commit one deliberately with `git add -f`).
pub const GITIGNORE: &str = "# git drift: the local event store, handoff briefs and pending work stay on this machine\nevents.db*\nhandoffs/\npending/\n";

/// Lines of [`GITIGNORE`] an older `.prompts/.gitignore` may lack.
const GITIGNORE_LINES: [&str; 3] = ["events.db*", "handoffs/", "pending/"];

/// The fetch refspec that brings a remote's notes into a tracking ref, never onto the local
/// `refs/notes/drift` (a forced fetch onto it would destroy unpushed local notes).
pub fn notes_refspec(remote: &str) -> String {
    format!("+refs/notes/drift:refs/notes/remotes/{remote}/drift")
}

/// Set the worktree up, reporting each step on `out`.
pub fn init(repo: &Repo, out: &mut dyn Write) -> Result<()> {
    if let Some(kind) = unsupported_object_format(repo)? {
        return Err(Error::user(format!(
            "this repository stores objects as {kind}, which git drift cannot read"
        ))
        .with_hint("git drift supports sha1 and sha256 repositories"));
    }
    let prompts = repo.prompts_dir();
    std::fs::create_dir_all(&prompts).map_err(|e| Error::io(&prompts, e))?;
    write_once(
        &prompts.join("config.yaml"),
        crate::config::TEMPLATE,
        repo,
        out,
    )?;
    let ignore = prompts.join(".gitignore");
    write_once(&ignore, GITIGNORE, repo, out)?;
    complete_gitignore(&ignore, out)?;
    let mut manual = Vec::new();
    for change in hooks::install(repo)? {
        match change {
            hooks::HookChange::Manual { path, why } => manual.push((path, why)),
            change => report(out, &change.to_string())?,
        }
    }
    for remote in git::remotes(repo)? {
        if git::ensure_fetch_refspec(repo, &remote, &notes_refspec(&remote))? {
            report(
                out,
                &format!("fetch notes from {remote} into refs/notes/remotes/{remote}/drift"),
            )?;
        }
    }
    if manual.is_empty() {
        print_hooks_dir(repo, out)?;
        writeln!(out, "git drift is set up in {}", repo.root.display()).map_err(out_err)?;
    } else {
        print_manual_hooks(repo, &manual, out)?;
    }
    Ok(())
}

/// An `extensions.objectFormat` this build cannot read (none: sha1 and sha256 are read).
fn unsupported_object_format(repo: &Repo) -> Result<Option<String>> {
    let format = repo
        .git_opt(&["rev-parse", "--show-object-format"])?
        .map(|f| f.trim().to_ascii_lowercase())
        .unwrap_or_default();
    Ok((!format.is_empty() && format != "sha1" && format != "sha256").then_some(format))
}

/// Say where the hooks went and, when that directory is not this repository's own (a
/// `core.hooksPath` shared by every repository of the user or the machine), what that means.
fn print_hooks_dir(repo: &Repo, out: &mut dyn Write) -> Result<()> {
    let dir = hooks::hooks_dir(repo)?;
    let own = dir.starts_with(&repo.common_dir) || dir.starts_with(&repo.root);
    writeln!(out, "hooks are in {}", dir.display()).map_err(out_err)?;
    if own {
        return Ok(());
    }
    let origin = repo
        .git_opt(&["config", "--show-scope", "--get", "core.hooksPath"])?
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "some".into());
    writeln!(
        out,
        "  that directory is shared (core.hooksPath in your {origin} git config): every \
         repository using it runs these hooks, and git drift acts only in those where \
         `git drift init` ran (they have .prompts/config.yaml); the others are left alone"
    )
    .map_err(out_err)
}

/// Add the lines an older `.prompts/.gitignore` lacks (briefs were not ignored at first).
fn complete_gitignore(path: &Path, out: &mut dyn Write) -> Result<()> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let missing: Vec<&str> = GITIGNORE_LINES
        .into_iter()
        .filter(|want| !text.lines().any(|l| l.trim() == *want))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut new = text.clone();
    if !new.is_empty() && !new.ends_with('\n') {
        new.push('\n');
    }
    for m in &missing {
        new.push_str(m);
        new.push('\n');
    }
    std::fs::write(path, new).map_err(|e| Error::io(path, e))?;
    for m in missing {
        report(out, &format!("added {m} to .prompts/.gitignore"))?;
    }
    Ok(())
}

/// Hooks we must not edit (a tracked hooks directory such as `.husky/`): say plainly that they
/// are not installed, and print the exact lines to add — guarded, so that teammates without
/// git drift see no error.
fn print_manual_hooks(
    repo: &Repo,
    manual: &[(PathBuf, String)],
    out: &mut dyn Write,
) -> Result<()> {
    let why = manual.first().map(|(_, w)| w.as_str()).unwrap_or_default();
    writeln!(
        out,
        "git drift hooks are NOT installed: {why}, so git drift does not edit it.\n\
         Add these lines to each hook file (they do nothing where git drift is not installed):"
    )
    .map_err(out_err)?;
    for (path, _) in manual {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let block = hooks::shim(&name, None);
        let shown = path.strip_prefix(&repo.root).unwrap_or(path);
        writeln!(out, "\n{}:", shown.display()).map_err(out_err)?;
        for line in block.lines() {
            writeln!(out, "    {line}").map_err(out_err)?;
        }
    }
    writeln!(
        out,
        "\ngit drift is set up in {} except for its hooks (above)",
        repo.root.display()
    )
    .map_err(out_err)
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
