//! Where OpenCode keeps its database, and which file tells capture that it changed.

use std::path::{Path, PathBuf};

/// `opencode.db-wal` while it exists and holds anything (that is where new rows are until a
/// checkpoint), else `opencode.db`; nothing when OpenCode has no database here.
pub fn discover(home: &Path) -> Vec<PathBuf> {
    let db = home.join("opencode.db");
    if !db.is_file() {
        return Vec::new();
    }
    let wal = home.join("opencode.db-wal");
    match std::fs::metadata(&wal) {
        Ok(m) if m.len() > 0 => vec![wal],
        _ => vec![db],
    }
}

/// The database a discovered path stands for (the `-wal` file's database).
pub fn database_of(path: &Path) -> PathBuf {
    let name = path.to_string_lossy();
    match name.strip_suffix("-wal") {
        Some(db) => PathBuf::from(db),
        None => path.to_path_buf(),
    }
}
