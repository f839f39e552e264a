//! Where Claude Code keeps transcripts: `~/.claude/projects/<encoded-cwd>/*.jsonl`, with
//! sub-agent transcripts beside them (`agent-*.jsonl`) or below (`<session>/subagents/`).

use std::path::{Path, PathBuf};

/// Claude's project directory name for `path`: every character outside `[A-Za-z0-9]` becomes
/// `-` (one per UTF-16 unit, as the CLI's JavaScript regex replaces code units).
pub fn encode_project_dir(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            for _ in 0..c.len_utf16() {
                out.push('-');
            }
        }
    }
    out
}

/// The transcript files under `<home>/projects/` that may belong to the worktree at `root`:
/// those of its project directory and of directories of its subdirectories, including old-
/// (`agent-*.jsonl`) and new-style (`<session>/subagents/*.jsonl`) sub-agent transcripts.
pub fn discover(home: &Path, root: &Path) -> Vec<PathBuf> {
    let want = encode_project_dir(root);
    let below = format!("{want}-");
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(home.join("projects")) else {
        return found;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if name != want && !name.starts_with(&below) {
            continue;
        }
        let dir = entry.path();
        let Ok(files) = std::fs::read_dir(&dir) else {
            continue;
        };
        for file in files.flatten() {
            let path = file.path();
            // The entry's type comes with the directory listing: no `stat` of each path (the
            // hook lists these on every commit). Symbolic links are followed.
            let ft = file.file_type().ok().filter(|t| !t.is_symlink());
            if ft.map_or_else(|| path.is_dir(), |t| t.is_dir()) {
                if let Ok(subs) = std::fs::read_dir(path.join("subagents")) {
                    found.extend(subs.flatten().map(|e| e.path()).filter(|p| is_jsonl(p)));
                }
            } else if path.extension().is_some_and(|e| e == "jsonl")
                && ft.map_or_else(|| path.is_file(), |t| t.is_file())
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

pub(super) fn is_jsonl(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "jsonl") && p.is_file()
}
