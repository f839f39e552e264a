//! Where Codex keeps its rollouts: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl` (and the
//! flat legacy layout), plus `archived_sessions/`.

use std::path::{Path, PathBuf};

/// The rollout files under a Codex home: `sessions/` recursively (the `YYYY/MM/DD` layout and
/// the flat legacy one) and `archived_sessions/`, sorted. Missing directories yield nothing.
pub fn discover(home: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    walk(&home.join("sessions"), 0, &mut found);
    if let Ok(entries) = std::fs::read_dir(home.join("archived_sessions")) {
        for entry in entries.flatten() {
            let path = entry.path();
            if is_rollout_name(&path) && path.is_file() {
                found.push(path);
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

pub(super) fn walk(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    // Deeper than YYYY/MM/DD plus slack is not Codex's layout; the bound also stops cycles.
    if depth > 6 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(ft) = entry.file_type() else { continue };
        let path = entry.path();
        // A symlinked directory (a year moved to another disk) is followed; the depth bound
        // stops a link cycle.
        if ft.is_dir() || (ft.is_symlink() && path.is_dir()) {
            walk(&path, depth + 1, found);
        } else if is_rollout_name(&path) && (ft.is_file() || (ft.is_symlink() && path.is_file())) {
            // The entry's type comes with the listing: no `stat` of each rollout path (the
            // hook lists them all on every commit).
            found.push(path);
        }
    }
}

pub(super) fn is_rollout_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("rollout-") && n.ends_with(".jsonl"))
}

/// The right-most UUID in the file name (`rollout-<time>-<uuid>.jsonl`), lower-cased.
pub(super) fn uuid_in_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?.as_bytes();
    if name.len() < 36 {
        return None;
    }
    (0..=name.len() - 36).rev().find_map(|start| {
        let w = &name[start..start + 36];
        let ok = w.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        });
        ok.then(|| String::from_utf8_lossy(w).to_ascii_lowercase())
    })
}
