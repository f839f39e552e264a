//! A one-load index of the drift notes a query command reads: the local `refs/notes/drift`
//! and every fetched `refs/notes/remotes/*/drift`, each notes tree walked once when the index
//! is opened, then notes looked up by commit id.
//!
//! Why: [`super::read_union`] resolves every notes ref and re-reads its tree for each commit it
//! is asked about, which is right for one lookup (the hook, `show`) and ruinous for thousands
//! (`log -n 10000` spent most of its time inflating the same trees again). Queries that read
//! many notes open a [`NotesIndex`] once and ask it per commit; reading and parsing the note
//! blobs of a long history is spread over the machine's cores ([`NotesIndex::read_many`]).

use super::{NOTES_REF, Note, list, tracking_refs};
use crate::error::{Error, Result};
use gix::ObjectId;
use std::collections::HashMap;

/// Below this many notes to read, one thread does it: spawning costs more than it saves.
const PARALLEL_NOTES: usize = 256;

/// At most this many threads read notes (more only contend on the object database).
const MAX_THREADS: usize = 4;

/// Every note blob of the local and the fetched notes refs, by annotated commit.
#[derive(Debug, Default, Clone)]
pub struct NotesIndex {
    /// Annotated commit → its note blob on each ref that has one, local ref first.
    blobs: HashMap<ObjectId, Vec<ObjectId>>,
    /// The refs that hold notes (missing and empty refs are left out).
    refs: Vec<String>,
}

impl NotesIndex {
    /// Walk the notes trees of [`NOTES_REF`] and of every fetched tracking ref once. A missing
    /// ref is simply empty; an unreadable one is an error naming it.
    pub fn open(repo: &gix::Repository) -> Result<NotesIndex> {
        let mut names = vec![NOTES_REF.to_string()];
        names.extend(tracking_refs(repo)?);
        let mut index = NotesIndex::default();
        for name in names {
            let notes = list(repo, &name)?;
            if notes.is_empty() {
                continue;
            }
            index.blobs.reserve(notes.len());
            for (commit, blob) in notes {
                index.blobs.entry(commit).or_default().push(blob);
            }
            index.refs.push(name);
        }
        Ok(index)
    }

    /// The notes refs that hold notes, local first.
    pub fn refs(&self) -> &[String] {
        &self.refs
    }

    /// How many commits have a note on at least one ref.
    pub fn len(&self) -> usize {
        self.blobs.len()
    }

    /// No notes at all.
    pub fn is_empty(&self) -> bool {
        self.blobs.is_empty()
    }

    /// Every commit with a note on at least one ref, in no particular order.
    pub fn commits(&self) -> impl Iterator<Item = ObjectId> + '_ {
        self.blobs.keys().copied()
    }

    /// Whether `commit` has a note on any of the refs (no blob is read).
    pub fn contains(&self, commit: &ObjectId) -> bool {
        self.blobs.contains_key(commit)
    }

    /// The note blobs of `commit`, local ref first.
    pub fn blobs(&self, commit: &ObjectId) -> &[ObjectId] {
        self.blobs.get(commit).map_or(&[], Vec::as_slice)
    }

    /// The note of `commit` as the whole team sees it (what [`super::read_union`] returns):
    /// the union of its notes on every ref, or `None` when it has none.
    pub fn read(&self, repo: &gix::Repository, commit: &ObjectId) -> Result<Option<Note>> {
        union(repo, self.blobs(commit))
    }

    /// [`NotesIndex::read`] for many commits, in their order, with the blobs read and parsed
    /// on several threads when there are enough of them.
    pub fn read_many(
        &self,
        repo: &gix::Repository,
        commits: &[ObjectId],
    ) -> Result<Vec<Option<Note>>> {
        let wanted = commits.iter().filter(|c| self.contains(c)).count();
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(MAX_THREADS);
        if wanted < PARALLEL_NOTES || threads < 2 {
            return commits.iter().map(|c| self.read(repo, c)).collect();
        }
        let chunk = commits.len().div_ceil(threads);
        let shared = repo.clone().into_sync();
        let parts: Vec<Result<Vec<Option<Note>>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = commits
                .chunks(chunk)
                .map(|part| {
                    let shared = shared.clone();
                    scope.spawn(move || {
                        let repo = shared.to_thread_local();
                        part.iter()
                            .map(|c| self.read(&repo, c))
                            .collect::<Result<Vec<_>>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(Error::other("a thread reading notes failed")))
                })
                .collect()
        });
        let mut out = Vec::with_capacity(commits.len());
        for part in parts {
            out.extend(part?);
        }
        Ok(out)
    }
}

/// Parse and merge the note blobs of one commit.
fn union(repo: &gix::Repository, blobs: &[ObjectId]) -> Result<Option<Note>> {
    let mut out: Option<Note> = None;
    for blob in blobs {
        let data = repo
            .find_blob(*blob)
            .map_err(|e| Error::git_from(format!("cannot read note blob {blob}"), e))?;
        let note = Note::parse_bytes(&data.data);
        match out.as_mut() {
            Some(u) => u.merge(note),
            None => out = Some(note),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::{read_union, write, write_at};
    use super::*;
    use std::path::Path;
    use std::process::Command;

    /// `git` in `dir` with a hermetic environment (no user config, fixed dates and identity).
    fn git(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> String {
        let home = dir.join(".home");
        std::fs::create_dir_all(&home).unwrap();
        let mut c = Command::new("git");
        c.current_dir(dir)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("GIT_CONFIG_GLOBAL", home.join("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", "1768469400 +0000")
            .env("GIT_COMMITTER_DATE", "1768469400 +0000")
            .env("GIT_AUTHOR_NAME", "Index Test")
            .env("GIT_AUTHOR_EMAIL", "index@test")
            .env("GIT_COMMITTER_NAME", "Index Test")
            .env("GIT_COMMITTER_EMAIL", "index@test")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = c.spawn().expect("git runs");
        if let Some(input) = stdin {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(input).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn note(session: &str, path: &str, lines: (u32, u32)) -> Note {
        Note::parse(&format!(
            "drift-note/1\nfile {path} {}-{} ai {session}\nsession {session} agent=codex accepted=1 rejected=0 superseded=0\n",
            lines.0, lines.1
        ))
    }

    /// A repository with `n` commits on main (made by fast-import), their ids oldest first.
    fn repo_with_commits(dir: &Path, n: usize) -> (gix::Repository, Vec<ObjectId>) {
        git(dir, &["init", "-q", "-b", "main"], None);
        let mut stream = Vec::new();
        for i in 1..=n {
            stream.extend(
                format!(
                    "commit refs/heads/main\nmark :{i}\ncommitter t <t@t> {} +0000\ndata 2\nc\n",
                    1_768_000_000 + i
                )
                .as_bytes(),
            );
            if i > 1 {
                stream.extend(format!("from :{}\n", i - 1).as_bytes());
            }
            stream.extend(
                format!(
                    "M 100644 inline f.txt\ndata {}\n{i}\n\n",
                    i.to_string().len() + 1
                )
                .as_bytes(),
            );
        }
        git(dir, &["fast-import", "--quiet"], Some(&stream));
        let ids = git(dir, &["rev-list", "--reverse", "main"], None)
            .lines()
            .map(|l| ObjectId::from_hex(l.as_bytes()).unwrap())
            .collect();
        (gix::open(dir).unwrap(), ids)
    }

    #[test]
    fn index_reads_what_read_union_reads_from_local_and_tracking_refs() {
        let tmp = tempfile::tempdir().unwrap();
        let (repo, c) = repo_with_commits(tmp.path(), 4);
        let teammate = "refs/notes/remotes/origin/drift";
        write(&repo, c[0], &note("s-local", "a.py", (1, 3))).unwrap();
        write_at(&repo, teammate, c[1], &note("s-mate", "b.py", (2, 2))).unwrap();
        write(&repo, c[2], &note("s-local", "c.py", (1, 1))).unwrap();
        write_at(&repo, teammate, c[2], &note("s-mate", "c.py", (5, 6))).unwrap();
        // A ref that is not a drift tracking ref is not read.
        write_at(
            &repo,
            "refs/notes/remotes/origin/other",
            c[3],
            &note("s-x", "d.py", (1, 1)),
        )
        .unwrap();

        let index = NotesIndex::open(&repo).unwrap();
        assert_eq!(index.refs(), [NOTES_REF.to_string(), teammate.to_string()]);
        assert_eq!(index.len(), 3);
        assert_eq!(index.blobs(&c[2]).len(), 2);
        assert!(!index.contains(&c[3]));
        for id in &c {
            assert_eq!(
                index.read(&repo, id).unwrap(),
                read_union(&repo, *id).unwrap(),
                "{id}"
            );
        }
        let both = index.read(&repo, &c[2]).unwrap().unwrap();
        assert_eq!(
            both.sessions.keys().collect::<Vec<_>>(),
            ["s-local", "s-mate"]
        );
        assert_eq!(index.read_many(&repo, &c).unwrap().len(), 4);
    }

    #[test]
    fn index_of_a_repository_without_notes_is_empty() {
        let tmp = tempfile::tempdir().unwrap();
        let (repo, c) = repo_with_commits(tmp.path(), 1);
        let index = NotesIndex::open(&repo).unwrap();
        assert!(index.is_empty());
        assert!(index.refs().is_empty());
        assert_eq!(index.read(&repo, &c[0]).unwrap(), None);
    }

    #[test]
    fn index_reads_a_fanned_out_tree_written_by_plain_git_on_many_threads() {
        let tmp = tempfile::tempdir().unwrap();
        let (repo, c) = repo_with_commits(tmp.path(), 600);
        // Plain git writes the notes (fast-import fans the tree out past 256 notes).
        let mut stream =
            b"commit refs/notes/drift\ncommitter t <t@t> 1768469400 +0000\ndata 5\nnotes\n"
                .to_vec();
        for (i, id) in c.iter().enumerate().filter(|(i, _)| i % 5 != 0) {
            let text = note(&format!("s{}", i % 7), "f.txt", (1, 1 + i as u32 % 3)).render();
            stream.extend(format!("N inline {id}\ndata {}\n{text}\n", text.len()).as_bytes());
        }
        git(tmp.path(), &["fast-import", "--quiet"], Some(&stream));
        let top = git(
            tmp.path(),
            &["ls-tree", "--name-only", "refs/notes/drift"],
            None,
        );
        assert!(top.lines().all(|l| l.len() == 2), "fanned out: {top}");

        let index = NotesIndex::open(&repo).unwrap();
        assert_eq!(index.len(), 480);
        let many = index.read_many(&repo, &c).unwrap();
        assert_eq!(many.len(), c.len());
        for (i, (id, got)) in c.iter().zip(&many).enumerate() {
            assert_eq!(got.is_some(), i % 5 != 0, "commit {i}");
            assert_eq!(*got, read_union(&repo, *id).unwrap(), "commit {i}");
        }
    }
}
