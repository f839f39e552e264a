//! `git drift watch`: one watcher per user that captures every repository where git drift is
//! initialised, continuously, as the agents write their transcripts.
//!
//! - [`state`]: the user's state directory (`$XDG_STATE_HOME/drift`, else
//!   `~/.local/state/drift`), where the registry and the lock live;
//! - [`registry`]: the repositories `git drift init` registered (one path a line);
//! - [`lock`]: the lock file (with the pid) that keeps a second watcher from starting;
//! - [`daemon`]: the loop — notify events on the agents' homes, debounced, routed to the
//!   repositories whose agents read that home, captured incrementally with retries;
//! - [`service`]: the systemd user unit / launchd agent `--install` writes.

pub mod daemon;
pub mod lock;
pub mod registry;
pub mod service;
pub mod state;

use serde::Serialize;
use std::path::Path;

/// Whether the user's watcher runs and covers a repository (for `git drift status`).
#[derive(Debug, Clone, Serialize)]
pub struct WatcherStatus {
    pub running: bool,
    pub pid: Option<u32>,
    /// Whether the repository is in the registry (`git drift init` ran since watch existed).
    pub registered: bool,
}

impl WatcherStatus {
    /// The watcher's state for the worktree at `root`.
    pub fn of(home: Option<&Path>, root: &Path) -> WatcherStatus {
        let state = state::StateDir::for_home(home).ok();
        let pid = state.as_ref().and_then(lock::running);
        let registered = state
            .as_ref()
            .and_then(|s| registry::list(s).ok())
            .is_some_and(|l| l.iter().any(|r| r == root));
        WatcherStatus {
            running: pid.is_some(),
            pid,
            registered,
        }
    }

    /// One line: `running (pid 42)`, `not running (start it: …)`, plus the registration.
    pub fn describe(&self) -> String {
        let run = match self.pid {
            Some(pid) => format!("running (pid {pid})"),
            None => "not running (start it with `git drift watch`, or `git drift watch --install`)"
                .to_string(),
        };
        if self.registered {
            run
        } else {
            format!("{run}; this repository is not registered: run `git drift init`")
        }
    }
}
