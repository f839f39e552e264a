//! Where Copilot CLI keeps sessions: `<home>/session-state/<sessionId>/events.jsonl`.

use std::path::{Path, PathBuf};

/// Every session's `events.jsonl` under `home`, sorted.
pub fn discover(home: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(home.join("session-state"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("events.jsonl"))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found
}
