//! The repository we work in, and running the real `git` for what gix does not do (push,
//! fetch, blame porcelain, config writes).
//!
//! Discovery honours `GIT_DIR`/`GIT_WORK_TREE` (set by git inside hooks, notably in linked
//! worktrees), so every command works from any subdirectory and from linked worktrees.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A repository with a worktree.
#[derive(Debug, Clone)]
pub struct Repo {
    /// Top of the worktree (`git rev-parse --show-toplevel`), canonicalised.
    pub root: PathBuf,
    /// The worktree's git dir (`.git`, or `.git/worktrees/NAME` for a linked worktree).
    pub git_dir: PathBuf,
    /// The common git dir shared by all worktrees (holds refs, objects, config, hooks).
    pub common_dir: PathBuf,
}

impl Repo {
    /// Find the repository containing `dir`. A clear user error outside a repository or in a
    /// bare repository.
    pub fn discover(dir: &Path) -> Result<Repo> {
        let out = Command::new("git")
            .current_dir(dir)
            .args([
                "rev-parse",
                "--path-format=absolute",
                "--show-toplevel",
                "--git-dir",
                "--git-common-dir",
            ])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| Error::Git(format!("cannot run git: {e}")))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            if err.contains("not a git repository") {
                return Err(Error::user(format!(
                    "not a git repository (or any of the parent directories): {}",
                    dir.display()
                )));
            }
            if err.contains("must be run in a work tree") {
                return Err(Error::user(
                    "this operation must be run in a work tree, not a bare repository",
                ));
            }
            return Err(Error::Git(err.trim().to_string()));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines();
        let mut next = || -> Result<PathBuf> {
            lines
                .next()
                .map(PathBuf::from)
                .ok_or_else(|| Error::user("this operation must be run in a work tree"))
        };
        let root = next()?;
        let git_dir = next()?;
        let common_dir = next()?;
        let root = root.canonicalize().unwrap_or(root);
        Ok(Repo {
            root,
            git_dir,
            common_dir,
        })
    }

    /// Find the repository containing the current directory.
    pub fn from_cwd() -> Result<Repo> {
        let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
        Repo::discover(&cwd)
    }

    /// `.prompts/` at the top of the worktree.
    pub fn prompts_dir(&self) -> PathBuf {
        self.root.join(".prompts")
    }

    /// Open the repository with gix (honouring the environment git sets in hooks).
    pub fn gix(&self) -> Result<gix::Repository> {
        gix::ThreadSafeRepository::discover_with_environment_overrides(&self.root)
            .map(|r| r.to_thread_local())
            .map_err(|e| Error::Git(format!("cannot open {}: {e}", self.root.display())))
    }

    /// A `git` command run at the top of the worktree.
    pub fn command(&self) -> Command {
        let mut c = Command::new("git");
        c.current_dir(&self.root).stdin(Stdio::null());
        c
    }

    /// Run git with `args`; stdout on success, an error carrying git's stderr otherwise.
    pub fn git(&self, args: &[&str]) -> Result<String> {
        let out = self
            .command()
            .args(args)
            .output()
            .map_err(|e| Error::Git(format!("cannot run git: {e}")))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(Error::Git(format!(
                "git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            )))
        }
    }

    /// Like [`Repo::git`], but `Ok(None)` when git exits non-zero (e.g. a missing config key).
    pub fn git_opt(&self, args: &[&str]) -> Result<Option<String>> {
        let out = self
            .command()
            .args(args)
            .output()
            .map_err(|e| Error::Git(format!("cannot run git: {e}")))?;
        Ok(out
            .status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned()))
    }
}
