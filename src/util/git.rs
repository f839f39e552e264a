//! The repository we work in, and running the real `git` for what gix does not do (push,
//! fetch, blame porcelain, config writes).
//!
//! Discovery honours `GIT_DIR`/`GIT_WORK_TREE` (set by git inside hooks, notably in linked
//! worktrees), so every command works from any subdirectory and from linked worktrees.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A repository with a worktree.
#[derive(Clone)]
pub struct Repo {
    /// Top of the worktree (`git rev-parse --show-toplevel`), canonicalised.
    pub root: PathBuf,
    /// The worktree's git dir (`.git`, or `.git/worktrees/NAME` for a linked worktree).
    pub git_dir: PathBuf,
    /// The common git dir shared by all worktrees (holds refs, objects, config, hooks).
    pub common_dir: PathBuf,
    /// The repository opened by gix during discovery, reused by [`Repo::gix`].
    opened: Option<gix::ThreadSafeRepository>,
}

impl std::fmt::Debug for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repo")
            .field("root", &self.root)
            .field("git_dir", &self.git_dir)
            .field("common_dir", &self.common_dir)
            .finish()
    }
}

impl Repo {
    /// Find the repository containing `dir`. A clear user error outside a repository or in a
    /// bare repository.
    pub fn discover(dir: &Path) -> Result<Repo> {
        // gix in-process first (hooks run this on every commit; a `git rev-parse` costs
        // milliseconds); git itself when gix cannot tell, which also words the errors.
        if let Some(repo) = Self::discover_gix(dir) {
            return Ok(repo);
        }
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
            .map_err(|e| Error::git_from("cannot run git", e))?;
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
            return Err(Error::git(err.trim().to_string()));
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
            opened: None,
        })
    }

    fn discover_gix(dir: &Path) -> Option<Repo> {
        let ts = gix::ThreadSafeRepository::discover_with_environment_overrides(dir).ok()?;
        let repo = ts.to_thread_local();
        let abs = |p: &Path| -> Option<PathBuf> {
            let p = if p.is_absolute() {
                p.to_path_buf()
            } else {
                dir.join(p)
            };
            p.canonicalize().ok()
        };
        let root = abs(repo.workdir()?)?;
        let git_dir = abs(repo.git_dir())?;
        let common_dir = abs(repo.common_dir())?;
        Some(Repo {
            root,
            git_dir,
            common_dir,
            opened: Some(ts),
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
        if let Some(ts) = &self.opened {
            return Ok(ts.to_thread_local());
        }
        gix::ThreadSafeRepository::discover_with_environment_overrides(&self.root)
            .map(|r| r.to_thread_local())
            .map_err(|e| Error::git_from(format!("cannot open {}", self.root.display()), e))
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
            .map_err(|e| Error::git_from("cannot run git", e))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(Error::git(format!(
                "git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            )))
        }
    }

    /// The commit HEAD points at, or None on an unborn branch.
    pub fn head(&self) -> Result<Option<String>> {
        let repo = self.gix()?;
        Ok(repo.head_id().ok().map(|id| id.detach().to_string()))
    }

    /// Like [`Repo::git`], but `Ok(None)` when git exits non-zero (e.g. a missing config key).
    pub fn git_opt(&self, args: &[&str]) -> Result<Option<String>> {
        let out = self
            .command()
            .args(args)
            .output()
            .map_err(|e| Error::git_from("cannot run git", e))?;
        Ok(out
            .status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned()))
    }
}

/// Parse a hex object id.
pub fn parse_oid(hex: &str) -> Result<gix::ObjectId> {
    gix::ObjectId::from_hex(hex.as_bytes())
        .map_err(|e| Error::git_from(format!("bad object id '{hex}'"), e))
}

/// Every configured remote.
pub fn remotes(repo: &Repo) -> Result<Vec<String>> {
    Ok(repo
        .git(&["remote"])?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect())
}

/// Add the fetch refspec `spec` to `remote` unless present; whether it was added.
pub fn ensure_fetch_refspec(repo: &Repo, remote: &str, spec: &str) -> Result<bool> {
    let key = format!("remote.{remote}.fetch");
    let have = repo
        .git_opt(&["config", "--get-all", &key])?
        .unwrap_or_default();
    if have.lines().any(|l| l.trim() == spec) {
        return Ok(false);
    }
    repo.git(&["config", "--add", &key, spec])?;
    Ok(true)
}

/// Undo git's C-style quoting of a path (`"caf\303\251"`); other text comes back unchanged.
pub fn unquote_path(s: &str) -> String {
    let Some(inner) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return s.to_string();
    };
    let mut bytes = Vec::with_capacity(inner.len());
    let mut it = inner.bytes().peekable();
    while let Some(b) = it.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match it.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(b'a') => bytes.push(7),
            Some(b'b') => bytes.push(8),
            Some(b'f') => bytes.push(12),
            Some(b'r') => bytes.push(b'\r'),
            Some(b'v') => bytes.push(11),
            Some(d @ b'0'..=b'7') => {
                let mut v = u32::from(d - b'0');
                for _ in 0..2 {
                    if let Some(&n @ b'0'..=b'7') = it.peek() {
                        v = v * 8 + u32::from(n - b'0');
                        it.next();
                    }
                }
                bytes.push(v as u8);
            }
            Some(other) => bytes.push(other),
            None => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
