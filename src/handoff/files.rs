//! The working tree as the brief sees it: the current text of the files the sessions touched,
//! whether each has uncommitted changes, and where those changes are (from git itself).

use super::scope::Material;
use crate::error::Result;
use crate::model::EventKind;
use crate::util::git::Repo;
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Files larger than this are not read for snippets or for checking which edits survive.
const MAX_FILE_BYTES: u64 = 2 << 20;
/// More paths than this and `git status` runs on the whole worktree instead of a pathspec.
const MAX_PATHSPECS: usize = 400;

/// What git says about a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// Tracked and unchanged since HEAD.
    Committed,
    /// Changed since HEAD (`staged` when all of it is in the index).
    Modified { staged: bool },
    /// New in the index, not yet committed.
    Added,
    /// Not tracked by git.
    Untracked,
    /// Deleted in the worktree or the index.
    Deleted,
    /// Neither on disk nor known to git (deleted before ever being committed, or moved).
    Missing,
    /// Not here, like none of the files the sessions edited: the brief is written from
    /// another checkout, so whether the edits stand cannot be told.
    Elsewhere,
}

impl FileState {
    /// Whether the working tree holds changes not in a commit.
    pub fn uncommitted(self) -> bool {
        !matches!(
            self,
            FileState::Committed | FileState::Missing | FileState::Elsewhere
        )
    }

    /// How the brief names the state.
    pub fn describe(self) -> &'static str {
        match self {
            FileState::Committed => "committed",
            FileState::Modified { staged: false } => "modified, not committed",
            FileState::Modified { staged: true } => "modified and staged, not committed",
            FileState::Added => "new, staged, not committed",
            FileState::Untracked => "new, untracked",
            FileState::Deleted => "deleted, not committed",
            FileState::Missing => "no longer exists",
            FileState::Elsewhere => "not in this working tree",
        }
    }
}

/// A file's current text.
#[derive(Debug)]
pub struct Text {
    pub lines: Vec<String>,
    /// Every line, trimmed, to test whether an edit's lines are still there.
    trimmed: HashSet<String>,
}

impl Text {
    pub fn new(text: &str) -> Text {
        let lines: Vec<String> = text.lines().map(String::from).collect();
        let trimmed = lines.iter().map(|l| l.trim().to_string()).collect();
        Text { lines, trimmed }
    }

    /// Whether some line of the file, trimmed, equals `line` trimmed.
    pub fn has_line(&self, line: &str) -> bool {
        self.trimmed.contains(line.trim())
    }
}

/// The working tree of the repository.
pub struct Tree {
    root: PathBuf,
    status: HashMap<String, FileState>,
    /// Uncommitted changes: (first line, line count) of each hunk on the working-tree side.
    hunks: HashMap<String, Vec<(usize, usize)>>,
    cache: RefCell<HashMap<String, Option<Rc<Text>>>>,
}

impl Tree {
    /// A tree with the given git facts (for tests, and for callers that know them).
    pub fn new(
        root: &Path,
        status: HashMap<String, FileState>,
        hunks: HashMap<String, Vec<(usize, usize)>>,
    ) -> Tree {
        Tree {
            root: root.to_path_buf(),
            status,
            hunks,
            cache: RefCell::new(HashMap::new()),
        }
    }

    /// Ask git about the files the material's edits touched.
    pub fn load(repo: &Repo, material: &Material) -> Result<Tree> {
        let mut paths = BTreeSet::new();
        for s in &material.sessions {
            for e in &s.events {
                if let EventKind::Edit(ed) = &e.kind {
                    for p in std::iter::once(&ed.path).chain(ed.move_to.as_ref()) {
                        if let Some(rel) = crate::util::text::relative(p, &repo.root) {
                            paths.insert(rel);
                        }
                    }
                }
            }
        }
        let mut tree = Tree::new(&repo.root, HashMap::new(), HashMap::new());
        if paths.is_empty() {
            return Ok(tree);
        }
        let specs: Vec<String> = if paths.len() > MAX_PATHSPECS {
            Vec::new()
        } else {
            paths.iter().map(|p| format!(":(literal){p}")).collect()
        };
        let mut args = vec![
            "-c",
            "core.quotePath=false",
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--",
        ];
        args.extend(specs.iter().map(String::as_str));
        if let Some(out) = repo.git_opt(&args)? {
            tree.status = parse_status(&out);
        }
        let mut args = vec![
            "-c",
            "core.quotePath=false",
            "diff",
            "HEAD",
            "--no-color",
            "--no-ext-diff",
            "--no-renames",
            "-U0",
            "--",
        ];
        args.extend(specs.iter().map(String::as_str));
        // No HEAD yet (a repository without commits): every file is new, nothing to diff.
        if let Some(out) = repo.git_opt(&args)? {
            tree.hunks = parse_hunks(&out);
        }
        Ok(tree)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The state of a repository-relative path.
    pub fn state(&self, rel: &str) -> FileState {
        if let Some(s) = self.status.get(rel) {
            return *s;
        }
        if self.root.join(rel).exists() {
            FileState::Committed
        } else {
            FileState::Missing
        }
    }

    /// Uncommitted hunks of a file (working-tree line numbers, 1-based).
    pub fn hunks(&self, rel: &str) -> &[(usize, usize)] {
        self.hunks.get(rel).map_or(&[], Vec::as_slice)
    }

    /// The current text of a repository-relative path; `None` when missing, too large or
    /// binary.
    pub fn text(&self, rel: &str) -> Option<Rc<Text>> {
        if let Some(t) = self.cache.borrow().get(rel) {
            return t.clone();
        }
        let text = read_text(&self.root.join(rel)).map(|t| Rc::new(Text::new(&t)));
        self.cache
            .borrow_mut()
            .insert(rel.to_string(), text.clone());
        text
    }
}

fn read_text(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    if bytes.contains(&0) {
        return None;
    }
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// `git status --porcelain=v1 -z` into states by path.
pub fn parse_status(out: &str) -> HashMap<String, FileState> {
    let mut map = HashMap::new();
    let mut parts = out.split('\0');
    while let Some(entry) = parts.next() {
        if entry.len() < 4 {
            continue;
        }
        let (code, path) = entry.split_at(2);
        let path = &path[1..];
        let mut xy = code.chars();
        let (x, y) = (xy.next().unwrap_or(' '), xy.next().unwrap_or(' '));
        if matches!(x, 'R' | 'C') {
            // The source path of a rename or copy follows as its own entry.
            parts.next();
        }
        let state = match (x, y) {
            ('?', '?') => FileState::Untracked,
            ('D', _) | (_, 'D') => FileState::Deleted,
            ('A', ' ') => FileState::Added,
            ('A', _) => FileState::Modified { staged: false },
            (_, ' ') => FileState::Modified { staged: true },
            _ => FileState::Modified { staged: false },
        };
        map.insert(path.to_string(), state);
    }
    map
}

/// `git diff -U0` into the working-tree side of each hunk, by path.
pub fn parse_hunks(out: &str) -> HashMap<String, Vec<(usize, usize)>> {
    let mut map: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    let mut current: Option<String> = None;
    for line in out.lines() {
        if let Some(p) = line.strip_prefix("+++ ") {
            current = crate::util::git::unquote_path(p)
                .strip_prefix("b/")
                .map(String::from);
        } else if let (Some(rest), Some(path)) = (line.strip_prefix("@@ "), &current) {
            // @@ -a,b +c,d @@
            let Some(new) = rest.split_whitespace().find(|t| t.starts_with('+')) else {
                continue;
            };
            let mut nums = new[1..].split(',');
            let start = nums.next().and_then(|n| n.parse::<usize>().ok());
            let count = nums.next().map_or(Some(1), |n| n.parse::<usize>().ok());
            if let (Some(start), Some(count)) = (start, count) {
                // A pure deletion (count 0) marks the line after which lines went away.
                map.entry(path.clone())
                    .or_default()
                    .push((start.max(1), count.max(1)));
            }
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes() {
        let out = " M src/a.rs\0M  b.rs\0?? new file.txt\0 D gone.rs\0R  to.rs\0from.rs\0A  added.rs\0AM both.rs\0";
        let s = parse_status(out);
        assert_eq!(s["src/a.rs"], FileState::Modified { staged: false });
        assert_eq!(s["b.rs"], FileState::Modified { staged: true });
        assert_eq!(s["new file.txt"], FileState::Untracked);
        assert_eq!(s["gone.rs"], FileState::Deleted);
        assert_eq!(s["to.rs"], FileState::Modified { staged: true });
        assert!(!s.contains_key("from.rs"));
        assert_eq!(s["added.rs"], FileState::Added);
        assert_eq!(s["both.rs"], FileState::Modified { staged: false });
    }

    #[test]
    fn hunks_are_working_tree_ranges() {
        let out = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -3 +3,2 @@ def f\n-a\n+b\n+c\n@@ -10,2 +11,0 @@\n-d\n-e\ndiff --git a/\"q\\\"x.py\" b/\"q\\\"x.py\"\n+++ \"b/q\\\"x.py\"\n@@ -0,0 +1 @@\n+z\n";
        let h = parse_hunks(out);
        assert_eq!(h["x.py"], vec![(3, 2), (11, 1)]);
        assert_eq!(h["q\"x.py"], vec![(1, 1)]);
    }

    #[test]
    fn text_lookup_is_whitespace_tolerant() {
        let t = Text::new("def f():\n    return 1\n");
        assert!(t.has_line("return 1"));
        assert!(!t.has_line("return 2"));
        assert_eq!(t.lines.len(), 2);
    }
}
