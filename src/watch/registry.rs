//! The registry of repositories the watcher covers: `<state>/repos`, one worktree root a
//! line. `git drift init` adds the worktree, `git drift init --uninstall` removes it, and the
//! watcher re-reads the file whenever it changes.
//!
//! Read-modify-write happens under an exclusive lock on `<state>/repos.lock`, and the new
//! file replaces the old one by rename, so two `init`s at once lose neither registration and
//! the watcher never reads half a file.

use crate::error::{Error, Result};
use crate::watch::state::StateDir;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The registered worktree roots, in the order they were added (an absent file is empty).
pub fn list(state: &StateDir) -> Result<Vec<PathBuf>> {
    let path = state.registry();
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(PathBuf::from)
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// Register `root`; returns whether it was new.
pub fn add(state: &StateDir, root: &Path) -> Result<bool> {
    update(state, |roots| {
        if roots.iter().any(|r| r == root) {
            false
        } else {
            roots.push(root.to_path_buf());
            true
        }
    })
}

/// Unregister `root`; returns whether it was registered.
pub fn remove(state: &StateDir, root: &Path) -> Result<bool> {
    update(state, |roots| {
        let before = roots.len();
        roots.retain(|r| r != root);
        roots.len() != before
    })
}

/// What `git drift init` (`add`) and `init --uninstall` (not `add`) do: register or
/// unregister the worktree. A registry that cannot be written is one warning, never a failed
/// init: the repository works without the watcher.
pub fn register(home: Option<&Path>, root: &Path, add_it: bool, ui: &crate::ui::Ui) {
    let result = StateDir::for_home(home).and_then(|state| {
        if add_it {
            add(&state, root)
        } else {
            remove(&state, root)
        }
    });
    if let Err(e) = result {
        let what = if add_it { "register" } else { "unregister" };
        ui.line(&format!(
            "git drift: warning: cannot {what} this repository for `git drift watch`: {e}"
        ));
    }
}

/// Change the list under the registry lock; the file is rewritten only when `change` says
/// it changed something.
fn update(state: &StateDir, change: impl FnOnce(&mut Vec<PathBuf>) -> bool) -> Result<bool> {
    state.create()?;
    let lock_path = state.0.join("repos.lock");
    let lock = File::create(&lock_path).map_err(|e| Error::io(&lock_path, e))?;
    lock.lock().map_err(|e| Error::io(&lock_path, e))?;
    let mut roots = list(state)?;
    if !change(&mut roots) {
        return Ok(false);
    }
    let path = state.registry();
    let mut text = String::from("# git drift: repositories `git drift watch` captures\n");
    for r in &roots {
        text.push_str(&r.to_string_lossy());
        text.push('\n');
    }
    let mut tmp = tempfile::NamedTempFile::new_in(&state.0).map_err(|e| Error::io(&state.0, e))?;
    tmp.write_all(text.as_bytes())
        .map_err(|e| Error::io(tmp.path(), e))?;
    tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_is_idempotent_and_remove_removes_exactly_one() {
        let tmp = tempfile::tempdir().unwrap();
        let state = StateDir(tmp.path().join("drift"));
        assert!(list(&state).unwrap().is_empty());
        assert!(add(&state, Path::new("/r/a")).unwrap());
        assert!(add(&state, Path::new("/r/b")).unwrap());
        assert!(!add(&state, Path::new("/r/a")).unwrap());
        assert_eq!(
            list(&state).unwrap(),
            [Path::new("/r/a"), Path::new("/r/b")]
        );
        assert!(remove(&state, Path::new("/r/a")).unwrap());
        assert!(!remove(&state, Path::new("/r/a")).unwrap());
        assert_eq!(list(&state).unwrap(), [Path::new("/r/b")]);
    }
}
