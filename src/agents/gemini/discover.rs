//! Where Gemini CLI keeps chats, and which project each chat directory belongs to.
//!
//! `<home>/tmp/<project dir>/chats/session-*.jsonl` (and legacy `session-*.json`), sub-agent
//! chats one level deeper (`chats/<parent session id>/<session id>.jsonl`). The project
//! directory is a short slug since 2026 (`~/.gemini/projects.json` maps project roots to
//! slugs; the directory holds a `.project_root` file naming its root) and `sha256(project
//! root)` in installs not migrated yet. The chat records themselves do not name a cwd: the
//! project root is the session's cwd.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Project roots learnt for hashed (un-migrated) project directories during discovery: the
/// hash cannot be inverted, so discovery, which knows the worktree's roots, remembers which
/// root a hash directory stands for, for [`project_root`] to answer when the reader opens a
/// chat of it in the same capture.
static HASHED: Mutex<Option<HashMap<PathBuf, String>>> = Mutex::new(None);

/// The chat files under `home` that may belong to a worktree with the given root forms.
pub fn discover(home: &Path, roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(home.join("tmp")) else {
        return found;
    };
    let hashes: Vec<(String, &PathBuf)> = roots.iter().map(|r| (sha256_hex(r), r)).collect();
    for entry in entries.flatten() {
        let dir = entry.path();
        let chats = dir.join("chats");
        if !chats.is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let wanted = match slug_root(home, &dir, &name) {
            Some(root) => roots.iter().any(|r| Path::new(&root).starts_with(r)),
            None => match hashes.iter().find(|(h, _)| *h == name) {
                Some((_, root)) => {
                    let mut map = HASHED.lock().unwrap_or_else(|e| e.into_inner());
                    map.get_or_insert_with(HashMap::new)
                        .insert(dir.clone(), root.to_string_lossy().into_owned());
                    true
                }
                None => false,
            },
        };
        if wanted {
            collect(&chats, 0, &mut found);
        }
    }
    found.sort();
    found
}

fn collect(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    let Ok(files) = std::fs::read_dir(dir) else {
        return;
    };
    for f in files.flatten() {
        let path = f.path();
        if path.is_dir() {
            // Sub-agent chats: `chats/<parent session id>/*.jsonl`.
            if depth == 0 {
                collect(&path, 1, found);
            }
        } else if is_chat(&path, depth) {
            found.push(path);
        }
    }
}

fn is_chat(path: &Path, depth: usize) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if depth > 0 {
        return name.ends_with(".jsonl");
    }
    name.starts_with("session-") && (name.ends_with(".jsonl") || name.ends_with(".json"))
}

/// The project root of a slug directory: its `.project_root` marker, else the entry of
/// `projects.json` that maps to the slug.
fn slug_root(home: &Path, dir: &Path, slug: &str) -> Option<String> {
    if let Ok(text) = std::fs::read_to_string(dir.join(".project_root")) {
        let t = text.trim();
        if !t.is_empty() {
            return Some(t.to_string());
        }
    }
    let text = std::fs::read_to_string(home.join("projects.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["projects"]
        .as_object()?
        .iter()
        .find(|(_, s)| s.as_str() == Some(slug))
        .map(|(root, _)| root.clone())
}

/// The project directory a chat file lies in (`<dir>/chats/...`) and its home (`<home>/tmp/<dir>`).
fn project_dir(chat: &Path) -> Option<(&Path, &Path)> {
    let mut p = chat.parent()?;
    while p.file_name()? != "chats" {
        p = p.parent()?;
    }
    let dir = p.parent()?;
    let home = dir.parent()?.parent()?;
    Some((dir, home))
}

/// The project root (the session's cwd) of the chat at `chat`, if it can be told.
pub fn project_root(chat: &Path) -> Option<String> {
    let (dir, home) = project_dir(chat)?;
    let name = dir.file_name()?.to_string_lossy();
    if let Some(root) = slug_root(home, dir, &name) {
        return Some(root);
    }
    let map = HASHED.lock().unwrap_or_else(|e| e.into_inner());
    map.as_ref()?.get(dir).cloned()
}

/// The parent session of a sub-agent chat (`chats/<parent>/<id>.jsonl`).
pub fn parent_session(chat: &Path) -> Option<String> {
    let parent = chat.parent()?;
    if parent.file_name()? == "chats" {
        return None;
    }
    Some(parent.file_name()?.to_string_lossy().into_owned())
}

/// Gemini CLI's legacy project hash: lower-case hex SHA-256 of the root path.
pub fn sha256_hex(root: &Path) -> String {
    crate::model::hex(&Sha256::digest(root.to_string_lossy().as_bytes()))
}

/// The branch checked out in the repository containing `dir` (its `HEAD`, through a
/// worktree's `.git` file); None on a detached HEAD or outside a repository. Gemini CLI
/// records no branch, so the reader takes the one checked out when it first reads a chat.
pub fn checked_out_branch(dir: &Path) -> Option<String> {
    let mut d = Some(dir);
    while let Some(p) = d {
        let git = p.join(".git");
        let head = if git.is_dir() {
            git.join("HEAD")
        } else if git.is_file() {
            let text = std::fs::read_to_string(&git).ok()?;
            let gitdir = text.trim().strip_prefix("gitdir:")?.trim();
            p.join(gitdir).join("HEAD")
        } else {
            d = p.parent();
            continue;
        };
        let text = std::fs::read_to_string(head).ok()?;
        return text
            .trim()
            .strip_prefix("ref: refs/heads/")
            .map(str::to_string);
    }
    None
}
