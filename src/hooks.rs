//! Git hook shims: installing and removing our block in `post-commit`, `pre-push` and
//! `post-rewrite`, next to whatever the hook already does.
//!
//! The block (the files in `hooks/`) sits between marker comments and only calls
//! `git drift hook NAME "$@"`, so an existing hook (husky, pre-commit, lefthook scripts) keeps
//! working and `git drift init --uninstall` removes exactly what we added. The hook directory
//! comes from `git rev-parse --git-path hooks`, which honours `core.hooksPath` and worktrees.
//! What each hook does when it runs is the `git drift hook` command, [`crate::commands::hook`].

use crate::error::{Error, Result};
use crate::util::git::Repo;
use std::path::{Path, PathBuf};

/// First line of our block.
pub const BEGIN: &str = "# >>> git-drift >>>";
/// Last line of our block.
pub const END: &str = "# <<< git-drift <<<";

/// Where the shim templates put the absolute path of git-drift recorded at init.
const EXE_SLOT: &str = "@DRIFT_EXE@";

/// The hooks we install, with their shim templates (see [`shim`]).
pub const SHIMS: [(&str, &str); 3] = [
    ("post-commit", include_str!("../hooks/post-commit")),
    ("pre-push", include_str!("../hooks/pre-push")),
    ("post-rewrite", include_str!("../hooks/post-rewrite")),
];

/// What happened to one hook file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookChange {
    Created(PathBuf),
    /// Our block was added to an existing hook.
    Added(PathBuf),
    /// Our block was replaced by the current version.
    Updated(PathBuf),
    Unchanged(PathBuf),
    Removed(PathBuf),
    /// The hook is not a shell script or lives in a directory the project tracks: we do not
    /// edit it and say what to add instead.
    Manual {
        path: PathBuf,
        why: String,
    },
}

impl std::fmt::Display for HookChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HookChange::Created(p) => write!(f, "created {}", p.display()),
            HookChange::Added(p) => write!(f, "added git drift to {}", p.display()),
            HookChange::Updated(p) => write!(f, "updated {}", p.display()),
            HookChange::Unchanged(p) => write!(f, "{} already set up", p.display()),
            HookChange::Removed(p) => write!(f, "removed git drift from {}", p.display()),
            HookChange::Manual { path, why } => write!(
                f,
                "not editing {} ({why}); add this line to it yourself:\n    git drift hook {} \"$@\" || true",
                path.display(),
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            ),
        }
    }
}

/// The block for hook `name`. With `exe` (the git-drift that ran init), the shim falls back
/// to that path when git-drift is not on PATH (GUI git clients often have another PATH) and
/// prints one warning line when neither is there, in a repository set up for git drift.
/// Without it (a block the user pastes into a tracked hook that teammates share), it runs
/// git-drift from PATH and is silent where git drift is not installed.
pub fn shim(name: &str, exe: Option<&Path>) -> String {
    let template = SHIMS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("", |(_, b)| *b);
    match exe {
        Some(exe) => template.replace(EXE_SLOT, &sh_quote(&exe.to_string_lossy())),
        None => {
            let mut out = String::new();
            let mut skipping = false;
            for line in template.lines() {
                if line.starts_with("elif ") {
                    skipping = true;
                } else if line == "fi" {
                    skipping = false;
                }
                if !skipping {
                    out.push_str(line);
                    out.push('\n');
                }
            }
            out.replace(" || [ -x @DRIFT_EXE@ ]", "")
                .replace(EXE_SLOT, "''")
        }
    }
}

/// `s` as one single-quoted shell word.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The git-drift executable running now, recorded in the shims at init.
pub fn current_exe() -> Option<PathBuf> {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.canonicalize().ok())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("git-drift"))
        })
}

/// The directory git runs hooks from for this worktree.
pub fn hooks_dir(repo: &Repo) -> Result<PathBuf> {
    let out = repo.git(&["rev-parse", "--path-format=absolute", "--git-path", "hooks"])?;
    Ok(PathBuf::from(out.trim()))
}

/// Install (or refresh) our block in every hook.
pub fn install(repo: &Repo) -> Result<Vec<HookChange>> {
    let dir = hooks_dir(repo)?;
    if let Some(why) = tracked_dir(repo, &dir)? {
        return Ok(SHIMS
            .iter()
            .map(|(name, _)| HookChange::Manual {
                path: dir.join(name),
                why: why.clone(),
            })
            .collect());
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let exe = current_exe();
    SHIMS
        .iter()
        .map(|(name, _)| install_one(&dir.join(name), &shim(name, exe.as_deref())))
        .collect()
}

/// Remove our block from every hook, deleting files that held nothing else.
pub fn uninstall(repo: &Repo) -> Result<Vec<HookChange>> {
    let dir = hooks_dir(repo)?;
    let mut out = Vec::new();
    for (name, _) in SHIMS {
        let path = dir.join(name);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Some(rest) = without_block(&text) else {
            continue;
        };
        let meaningful = rest
            .lines()
            .any(|l| !l.trim().is_empty() && !l.starts_with("#!"));
        if meaningful {
            std::fs::write(&path, rest).map_err(|e| Error::io(&path, e))?;
        } else {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
        out.push(HookChange::Removed(path));
    }
    Ok(out)
}

fn install_one(path: &Path, block: &str) -> Result<HookChange> {
    let existing = match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(path, e)),
    };
    let (text, change) = match existing {
        None => (
            format!("#!/bin/sh\n{block}"),
            HookChange::Created(path.to_path_buf()),
        ),
        Some(bytes) => {
            let Ok(text) = String::from_utf8(bytes) else {
                return Ok(HookChange::Manual {
                    path: path.to_path_buf(),
                    why: "it is not a text file".into(),
                });
            };
            if !is_shell(&text) {
                return Ok(HookChange::Manual {
                    path: path.to_path_buf(),
                    why: "it is not a shell script".into(),
                });
            }
            if let Some(start) = text.find(BEGIN) {
                let current = block_at(&text, start);
                if current == block {
                    return Ok(HookChange::Unchanged(path.to_path_buf()));
                }
                (
                    text.replacen(current, block, 1),
                    HookChange::Updated(path.to_path_buf()),
                )
            } else {
                // After the shebang, so an early `exit` in the user's hook cannot skip us, and
                // we hand stdin on to the rest of the script.
                let (head, tail) = match text.find('\n') {
                    Some(i) if text.starts_with("#!") => text.split_at(i + 1),
                    _ => ("", text.as_str()),
                };
                let head = if head.is_empty() { "#!/bin/sh\n" } else { head };
                (
                    format!("{head}{block}{tail}"),
                    HookChange::Added(path.to_path_buf()),
                )
            }
        }
    };
    std::fs::write(path, text).map_err(|e| Error::io(path, e))?;
    make_executable(path)?;
    Ok(change)
}

/// The text of our block starting at `start` (through the END line and its newline).
fn block_at(text: &str, start: usize) -> &str {
    let end = text[start..]
        .find(END)
        .map(|i| start + i + END.len())
        .unwrap_or(text.len());
    let end = if text[end..].starts_with('\n') {
        end + 1
    } else {
        end
    };
    &text[start..end]
}

/// The hook text with our block removed, or None when it has none.
fn without_block(text: &str) -> Option<String> {
    let start = text.find(BEGIN)?;
    let block = block_at(text, start);
    Some(text.replacen(block, "", 1))
}

fn is_shell(text: &str) -> bool {
    let Some(first) = text.lines().next() else {
        return true;
    };
    if !first.starts_with("#!") {
        return true;
    }
    ["/sh", "bash", "zsh", "dash", "ksh"]
        .iter()
        .any(|s| first.contains(s))
}

/// Why we must not edit hooks in `dir`: it is inside the worktree and tracked by the project
/// (husky's `.husky/`, lefthook), so an edit would show up in everyone's diff.
pub fn tracked_dir(repo: &Repo, dir: &Path) -> Result<Option<String>> {
    let Ok(rel) = dir.strip_prefix(&repo.root) else {
        return Ok(None);
    };
    if rel.as_os_str().is_empty() {
        return Ok(None);
    }
    let rel = rel.to_string_lossy();
    let tracked = repo.git(&["ls-files", "--", &rel])?;
    Ok((!tracked.trim().is_empty())
        .then(|| format!("core.hooksPath points at '{rel}', which the project tracks")))
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let mut perms = meta.permissions();
    perms.set_mode(perms.mode() | 0o755);
    std::fs::set_permissions(path, perms).map_err(|e| Error::io(path, e))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_is_removed_exactly() {
        let block = shim(SHIMS[0].0, None);
        let block = block.as_str();
        let text = format!("#!/bin/sh\n{block}echo user hook\n");
        assert_eq!(
            without_block(&text).as_deref(),
            Some("#!/bin/sh\necho user hook\n")
        );
        assert_eq!(without_block("#!/bin/sh\necho hi\n"), None);
    }

    #[test]
    fn shell_detection() {
        assert!(is_shell("#!/bin/sh\n"));
        assert!(is_shell("#!/usr/bin/env bash\n"));
        assert!(is_shell("echo no shebang\n"));
        assert!(!is_shell("#!/usr/bin/env python3\n"));
    }

    #[test]
    fn every_shim_is_one_marked_block() {
        for (name, _) in SHIMS {
            for block in [
                shim(name, Some(Path::new("/opt/it's/git-drift"))),
                shim(name, None),
            ] {
                assert!(block.starts_with(BEGIN), "{name}");
                assert!(block.trim_end().ends_with(END), "{name}");
                assert!(block.contains(&format!("git drift hook {name}")), "{name}");
                assert!(!block.contains(EXE_SLOT), "{name}: {block}");
            }
        }
    }

    #[test]
    fn installed_shims_fall_back_to_the_recorded_path_and_pasted_ones_stay_quiet() {
        let exe = Path::new("/opt/it's/git-drift");
        let installed = shim("post-commit", Some(exe));
        assert!(
            installed.contains(r#"  '/opt/it'\''s/git-drift' hook post-commit"#),
            "{installed}"
        );
        assert_eq!(installed.matches("warning").count(), 1, "{installed}");
        let pasted = shim("pre-push", None);
        assert!(!pasted.contains("warning"), "{pasted}");
        assert!(!pasted.contains("/opt/"), "{pasted}");
        assert!(pasted.contains("\nfi\n"), "{pasted}");
    }
}
