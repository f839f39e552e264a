//! The user's state directory for git drift: `$XDG_STATE_HOME/drift` when that variable is an
//! absolute path (the XDG spec ignores relative ones), else `~/.local/state/drift`. It holds
//! what belongs to the user rather than to one repository: the watcher's registry and lock.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Where the watcher's registry and lock file live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateDir(pub PathBuf);

impl StateDir {
    /// The state directory for a `HOME` and an `XDG_STATE_HOME` (either may be unset).
    pub fn new(home: Option<&Path>, xdg_state_home: Option<&Path>) -> Result<StateDir> {
        match (xdg_state_home.filter(|p| p.is_absolute()), home) {
            (Some(x), _) => Ok(StateDir(x.join("drift"))),
            (None, Some(h)) => Ok(StateDir(h.join(".local").join("state").join("drift"))),
            (None, None) => Err(Error::user(
                "cannot tell where the user's state directory is: neither HOME nor \
                 XDG_STATE_HOME is set",
            )
            .with_hint("set HOME")),
        }
    }

    /// The state directory of this process's user (`XDG_STATE_HOME` read from the process).
    pub fn for_home(home: Option<&Path>) -> Result<StateDir> {
        let xdg = std::env::var_os("XDG_STATE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        StateDir::new(home, xdg.as_deref())
    }

    /// The registry of initialised repositories.
    pub fn registry(&self) -> PathBuf {
        self.0.join("repos")
    }

    /// The watcher's lock file (holds its pid).
    pub fn lock(&self) -> PathBuf {
        self.0.join("watch.lock")
    }

    /// Create the directory (private: it names the user's repositories).
    pub fn create(&self) -> Result<()> {
        std::fs::create_dir_all(&self.0).map_err(|e| Error::io(&self.0, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o700));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xdg_state_home_wins_only_when_absolute() {
        let home = Path::new("/home/dev");
        let s = StateDir::new(Some(home), Some(Path::new("/x/state"))).unwrap();
        assert_eq!(s.0, Path::new("/x/state/drift"));
        let s = StateDir::new(Some(home), Some(Path::new("rel"))).unwrap();
        assert_eq!(s.0, Path::new("/home/dev/.local/state/drift"));
        assert!(StateDir::new(None, None).is_err());
    }
}
