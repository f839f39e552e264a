//! Which sessions and paths belong to a worktree.
//!
//! A session belongs when its cwd is the worktree root or lies below it, compared component
//! by component after cleaning `.`/`..` (so `<repo>/../..`, which only *contains* the
//! repository, is outside) and in every form the same directory has: the root as given, its
//! canonical form, and the logical form `$PWD` names when it resolves into the root (a
//! repository reached through a symlink: macOS `/tmp` → `/private/tmp`, symlinked
//! workspaces). A cwd inside a nested repository (a submodule, a repository in an ignored
//! directory) belongs to that repository, not to this one.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// The forms of one worktree root, and a cache of decisions per cwd.
#[derive(Debug)]
pub struct Scope {
    /// The root as given first, then its other forms; never empty.
    roots: Vec<PathBuf>,
    inside: RefCell<HashMap<String, bool>>,
}

impl Scope {
    /// The scope of the worktree at `root`, with the aliases its canonical form and `$PWD`
    /// give.
    pub fn new(root: &Path) -> Scope {
        let pwd = std::env::var_os("PWD").map(PathBuf::from);
        Scope::with_alias(root, pwd.as_deref())
    }

    /// Like [`Scope::new`] with `logical` (a directory that may be a symlinked path into the
    /// worktree) in place of `$PWD`.
    pub fn with_alias(root: &Path, logical: Option<&Path>) -> Scope {
        let given = clean(root);
        let mut roots = vec![given.clone()];
        let canon = std::fs::canonicalize(root).ok();
        if let Some(c) = &canon {
            push_new(&mut roots, c.clone());
        }
        if let (Some(l), Some(c)) = (logical.filter(|l| l.is_absolute()), &canon)
            && let Ok(lc) = std::fs::canonicalize(l)
            && let Ok(below) = lc.strip_prefix(c)
        {
            // `logical` is `<alias root>/<below>`: peel `below` off to get the alias root.
            let l = clean(l);
            let depth = below.components().count();
            let comps: Vec<_> = l.components().collect();
            if comps.len() > depth {
                let alias: PathBuf = comps[..comps.len() - depth].iter().collect();
                push_new(&mut roots, alias);
            }
        }
        Scope {
            roots,
            inside: RefCell::new(HashMap::new()),
        }
    }

    /// The root as given.
    pub fn root(&self) -> &Path {
        &self.roots[0]
    }

    /// Every form of the root: as given, canonical, through a symlink.
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// Whether a session whose cwd is `cwd` belongs to this worktree.
    pub fn contains(&self, cwd: &str) -> bool {
        if let Some(&known) = self.inside.borrow().get(cwd) {
            return known;
        }
        let answer = self.decide(cwd);
        self.inside.borrow_mut().insert(cwd.to_string(), answer);
        answer
    }

    fn decide(&self, cwd: &str) -> bool {
        let cwd = Path::new(cwd);
        if !cwd.is_absolute() {
            return false;
        }
        let lexical = clean(cwd);
        let found = self
            .strip(&lexical)
            .map(|(r, b)| (r.to_path_buf(), b.to_path_buf()))
            .or_else(|| {
                let canon = std::fs::canonicalize(cwd).ok()?;
                let (r, b) = self.strip(&canon)?;
                Some((r.to_path_buf(), b.to_path_buf()))
            });
        let Some((root, below)) = found else {
            return false;
        };
        // A `.git` (directory or file) between the root and the cwd marks a nested repository.
        let mut dir = root;
        for c in below.components() {
            dir.push(c);
            if dir.join(".git").exists() {
                return false;
            }
        }
        true
    }

    /// The root form `path` lies in, and the part below it.
    fn strip<'p>(&'p self, path: &'p Path) -> Option<(&'p Path, &'p Path)> {
        self.roots
            .iter()
            .find_map(|r| path.strip_prefix(r).ok().map(|b| (r.as_path(), b)))
    }

    /// The repository-relative path (with `/` separators) of an absolute path in the
    /// worktree, in any of the root's forms; None outside it or for the root itself.
    pub fn relative(&self, path: &str) -> Option<String> {
        let p = clean(Path::new(path));
        let rel = match self.strip(&p) {
            Some((_, rel)) => rel.to_path_buf(),
            // Through a symlink we do not know as an alias: resolve the longest existing
            // ancestor (the file itself may be gone).
            None => {
                let (base, rest) = existing_ancestor(&p)?;
                let canon = std::fs::canonicalize(base).ok()?.join(rest);
                self.strip(&canon)?.1.to_path_buf()
            }
        };
        let parts: Vec<_> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect();
        (!parts.is_empty()).then(|| parts.join("/"))
    }
}

fn push_new(roots: &mut Vec<PathBuf>, p: PathBuf) {
    if !roots.contains(&p) {
        roots.push(p);
    }
}

/// `path` without `.` components and with `..` applied lexically.
pub fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The longest ancestor of `p` that exists, and the rest of `p` below it.
fn existing_ancestor(p: &Path) -> Option<(&Path, PathBuf)> {
    let mut base = p;
    let mut rest = Vec::new();
    while !base.exists() {
        rest.push(base.file_name()?);
        base = base.parent()?;
    }
    Some((base, rest.iter().rev().collect()))
}
