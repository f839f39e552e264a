//! Reading, writing and merging drift notes in git through gix.
//!
//! Notes trees are read and edited with `gix_note::State` (git's fanout rules), and every
//! change is a notes commit whose parent is the previous tip, published with a
//! compare-and-swap ref update: a writer that loses a race re-reads the tip and tries again,
//! so concurrent writers (a post-commit hook and `git drift sync`) never drop each other's
//! notes. Nothing here pushes or fetches; the sync command runs git for that and calls
//! [`merge_ref`] with the fetched tip.

use super::{DEFAULT_MAX_BYTES, Note};
use crate::error::{Error, Result};
use gix::ObjectId;
use gix::note::plumbing::State;
use gix::refs::Target;
use gix::refs::transaction::{PreviousValue, RefEdit};
use std::collections::BTreeMap;
use std::fmt::Display;

/// The notes ref git drift writes.
pub const NOTES_REF: &str = "refs/notes/drift";

/// Prefix of the refs teammates' notes are fetched into (`refs/notes/remotes/<remote>/drift`).
const TRACKING_PREFIX: &str = "refs/notes/remotes/";

/// How often a ref update that lost a race is retried.
const ATTEMPTS: u32 = 10;

/// Identity for notes commits when the repository has none configured.
const FALLBACK_NAME: &str = "git-drift";
const FALLBACK_EMAIL: &str = "git-drift@localhost";

/// What [`write`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// The note already said exactly this (or there was nothing to say); the ref is untouched.
    Unchanged,
    /// A new notes commit was written and the ref moved to it.
    Written {
        /// The new tip of the notes ref.
        notes_commit: ObjectId,
        /// The note blob now attached to the commit.
        blob: ObjectId,
        /// The blob that was attached before, if any (its content is merged in).
        previous: Option<ObjectId>,
    },
}

/// How [`merge_ref`] combined the two notes histories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeKind {
    /// `theirs` is already contained in ours: nothing to do.
    UpToDate,
    /// Ours was missing or an ancestor of `theirs`: ours now points at `theirs`.
    FastForward,
    /// Both sides had new notes: a merge commit with both as parents was written.
    Merged,
}

/// The result of [`merge_ref`]. Counts are per annotated commit and describe the notes in
/// `theirs` (all zero for [`MergeKind::UpToDate`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeOutcome {
    pub kind: MergeKind,
    /// Where ours points now.
    pub tip: ObjectId,
    /// Notes only `theirs` had, now added.
    pub added: usize,
    /// Notes both had with different content, now combined (or, on fast-forward, replaced by
    /// theirs).
    pub merged: usize,
    /// Notes of `theirs` ours already had (identical, or already containing theirs).
    pub unchanged: usize,
}

fn git_err<E: std::error::Error>(context: impl Display) -> impl FnOnce(E) -> Error {
    move |e| Error::git(format!("{context}: {}", chain(&e)))
}

/// An error and its causes on one line (gix's top-level messages alone are often vague).
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let msg = c.to_string();
        if !out.contains(&msg) {
            out.push_str(": ");
            out.push_str(&msg);
        }
        cause = c.source();
    }
    out
}

fn check_ref(name: &str) -> Result<()> {
    if name.starts_with("refs/") {
        Ok(())
    } else {
        Err(Error::git(format!(
            "notes ref must be a full ref name like {NOTES_REF}, got '{name}'"
        )))
    }
}

/// The commit a notes ref points at and that commit's tree.
#[derive(Clone, Copy)]
struct Tip {
    commit: ObjectId,
    tree: ObjectId,
}

fn tip(repo: &gix::Repository, notes_ref: &str) -> Result<Option<Tip>> {
    check_ref(notes_ref)?;
    let Some(mut reference) = repo
        .try_find_reference(notes_ref)
        .map_err(git_err(format_args!("cannot read {notes_ref}")))?
    else {
        return Ok(None);
    };
    let commit = reference.peel_to_commit().map_err(git_err(format_args!(
        "{notes_ref} does not point to a commit"
    )))?;
    let tree = commit
        .tree_id()
        .map_err(git_err(format_args!("cannot read the tree of {notes_ref}")))?
        .detach();
    Ok(Some(Tip {
        commit: commit.id,
        tree,
    }))
}

fn commit_tree(repo: &gix::Repository, commit: ObjectId) -> Result<ObjectId> {
    let c = repo
        .find_commit(commit)
        .map_err(git_err(format_args!("cannot find notes commit {commit}")))?;
    Ok(c.tree_id()
        .map_err(git_err(format_args!("cannot read the tree of {commit}")))?
        .detach())
}

fn notes_state(repo: &gix::Repository, tree: ObjectId) -> Result<State> {
    State::new(tree, repo).map_err(git_err(format_args!("cannot read notes tree {tree}")))
}

fn blob_bytes(repo: &gix::Repository, blob: ObjectId) -> Result<Vec<u8>> {
    let mut b = repo
        .find_blob(blob)
        .map_err(git_err(format_args!("cannot read note blob {blob}")))?;
    Ok(b.take_data())
}

fn note_blob(
    repo: &gix::Repository,
    state: &mut State,
    commit: ObjectId,
) -> Result<Option<ObjectId>> {
    state
        .get(&commit, repo)
        .map_err(git_err(format_args!("cannot look up the note of {commit}")))
}

/// The note `notes_ref` holds for `commit`, parsed leniently (a blob that is not a drift note
/// comes back with its lines in [`Note::extra`]); `None` when there is none or the ref is
/// missing.
pub fn read(repo: &gix::Repository, notes_ref: &str, commit: ObjectId) -> Result<Option<Note>> {
    let Some(tip) = tip(repo, notes_ref)? else {
        return Ok(None);
    };
    let mut state = notes_state(repo, tip.tree)?;
    match note_blob(repo, &mut state, commit)? {
        Some(blob) => Ok(Some(Note::parse_bytes(&blob_bytes(repo, blob)?))),
        None => Ok(None),
    }
}

/// The fetched teammates' notes refs (`refs/notes/remotes/*/drift`), sorted.
pub fn tracking_refs(repo: &gix::Repository) -> Result<Vec<String>> {
    let platform = repo
        .references()
        .map_err(git_err("cannot list references"))?;
    let iter = platform
        .prefixed(TRACKING_PREFIX)
        .map_err(git_err("cannot list references"))?;
    let mut out = Vec::new();
    for reference in iter {
        let reference = reference.map_err(|e| Error::git_from("cannot read a reference", e))?;
        let name = reference.name().as_bstr().to_string();
        if name
            .strip_prefix(TRACKING_PREFIX)
            .and_then(|rest| rest.strip_suffix("/drift"))
            .is_some_and(|remote| !remote.is_empty())
        {
            out.push(name);
        }
    }
    out.sort();
    Ok(out)
}

/// The note for `commit` as the whole team sees it: the local [`NOTES_REF`] merged with every
/// fetched tracking ref, so teammates' notes show before they were merged locally.
pub fn read_union(repo: &gix::Repository, commit: ObjectId) -> Result<Option<Note>> {
    let mut refs = vec![NOTES_REF.to_string()];
    refs.extend(tracking_refs(repo)?);
    let mut union: Option<Note> = None;
    for r in refs {
        if let Some(note) = read(repo, &r, commit)? {
            match union.as_mut() {
                Some(u) => u.merge(note),
                None => union = Some(note),
            }
        }
    }
    Ok(union)
}

/// Add `note` to the note of `commit` on [`NOTES_REF`], merging it with what is there
/// ([`Note::merge`]) and rendering within [`DEFAULT_MAX_BYTES`].
pub fn write(repo: &gix::Repository, commit: ObjectId, note: &Note) -> Result<WriteOutcome> {
    write_at(repo, NOTES_REF, commit, note)
}

/// [`write`] to any notes ref. When `note` is empty, or the merged rendering equals the
/// existing blob, nothing is written.
pub fn write_at(
    repo: &gix::Repository,
    notes_ref: &str,
    commit: ObjectId,
    note: &Note,
) -> Result<WriteOutcome> {
    if note.is_empty() {
        return Ok(WriteOutcome::Unchanged);
    }
    update(
        repo,
        notes_ref,
        commit,
        "Notes added by 'git drift'",
        |existing| {
            let rendered = match existing {
                None => note.render_bounded(DEFAULT_MAX_BYTES),
                Some(bytes) => {
                    let mut merged = Note::parse_bytes(bytes);
                    merged.merge(note.clone());
                    merged.render_bounded(DEFAULT_MAX_BYTES)
                }
            };
            Some(rendered.into_bytes())
        },
    )
}

/// Set the note of `commit` on `notes_ref` to exactly `note`, discarding what was there (for
/// rewrites such as stripping text for privacy). An empty `note` removes the note.
pub fn replace_at(
    repo: &gix::Repository,
    notes_ref: &str,
    commit: ObjectId,
    note: &Note,
) -> Result<WriteOutcome> {
    update(
        repo,
        notes_ref,
        commit,
        "Notes replaced by 'git drift'",
        |_| (!note.is_empty()).then(|| note.render_bounded(DEFAULT_MAX_BYTES).into_bytes()),
    )
}

/// Remove the note of `commit` from [`NOTES_REF`]; `false` when there was none.
pub fn remove(repo: &gix::Repository, commit: ObjectId) -> Result<bool> {
    remove_at(repo, NOTES_REF, commit)
}

/// Remove the note of `commit` from `notes_ref`; `false` when there was none.
pub fn remove_at(repo: &gix::Repository, notes_ref: &str, commit: ObjectId) -> Result<bool> {
    let outcome = update(
        repo,
        notes_ref,
        commit,
        "Notes removed by 'git drift'",
        |_| None,
    )?;
    Ok(outcome != WriteOutcome::Unchanged)
}

/// Read-modify-write of one note with compare-and-swap on the ref. `change` maps the current
/// note bytes to the new ones (`None` = no note) and may run once per attempt.
fn update(
    repo: &gix::Repository,
    notes_ref: &str,
    commit: ObjectId,
    message: &str,
    change: impl Fn(Option<&[u8]>) -> Option<Vec<u8>>,
) -> Result<WriteOutcome> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let tip = tip(repo, notes_ref)?;
        let tree = tip.map_or_else(|| ObjectId::empty_tree(repo.object_hash()), |t| t.tree);
        let mut state = notes_state(repo, tree)?;
        let previous = note_blob(repo, &mut state, commit)?;
        let old = previous.map(|b| blob_bytes(repo, b)).transpose()?;
        let new = change(old.as_deref());
        if new.as_deref() == old.as_deref() {
            return Ok(WriteOutcome::Unchanged);
        }
        let (blob, edit) = match new {
            Some(bytes) => {
                let blob = repo
                    .write_blob(&bytes)
                    .map_err(git_err("cannot write note blob"))?
                    .detach();
                let edit = state
                    .replace(commit, blob, repo)
                    .map_err(git_err(format_args!("cannot add the note of {commit}")))?;
                (blob, edit)
            }
            None => {
                let edit = state
                    .remove(commit, repo)
                    .map_err(git_err(format_args!("cannot remove the note of {commit}")))?;
                (ObjectId::null(repo.object_hash()), edit)
            }
        };
        let parents: Vec<ObjectId> = tip.iter().map(|t| t.commit).collect();
        let notes_commit = new_commit(repo, message, edit.tree, &parents)?;
        match set_ref(
            repo,
            notes_ref,
            notes_commit,
            tip.map(|t| t.commit),
            message,
        ) {
            Ok(()) => {
                return Ok(WriteOutcome::Written {
                    notes_commit,
                    blob,
                    previous,
                });
            }
            Err(e) if attempt >= ATTEMPTS => return Err(gave_up(e)),
            Err(_) => backoff(attempt),
        }
    }
}

fn gave_up(e: Error) -> Error {
    match e {
        Error::Git { message, source } => Error::Git {
            message: format!("{message} (gave up after {ATTEMPTS} attempts)"),
            source,
        },
        other => other,
    }
}

/// Sleep a little longer after each lost race, with jitter so writers that collided once do
/// not collide again in lockstep.
fn backoff(attempt: u32) {
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()) % 10);
    std::thread::sleep(std::time::Duration::from_millis(
        10 * u64::from(attempt) + jitter,
    ));
}

/// Move `name` to `new` only if it still points at `expected` (or is still absent). The
/// reflog entry uses the same identity as the notes commit, so a repository without a
/// configured user still gets its notes.
fn set_ref(
    repo: &gix::Repository,
    name: &str,
    new: ObjectId,
    expected: Option<ObjectId>,
    message: &str,
) -> Result<()> {
    let constraint = match expected {
        Some(id) => PreviousValue::MustExistAndMatch(Target::Object(id)),
        None => PreviousValue::MustNotExist,
    };
    let full_name = gix::refs::FullName::try_from(name)
        .map_err(git_err(format_args!("invalid ref name '{name}'")))?;
    let edit = RefEdit::update(full_name, new, constraint, format!("notes: {message}"));
    let (committer, _) = signatures(repo)?;
    let mut time = gix::date::parse::TimeBuf::default();
    repo.edit_references_as([edit], Some(committer.to_ref(&mut time)))
        .map(|_| ())
        .map_err(git_err(format_args!("cannot update {name} to {new}")))
}

/// The repository's identity for a notes commit, or `git-drift <git-drift@localhost>` when
/// none is configured; the time honours `GIT_COMMITTER_DATE` / `GIT_AUTHOR_DATE` (gix reads
/// them when the repository is opened with environment overrides).
fn signatures(repo: &gix::Repository) -> Result<(gix::actor::Signature, gix::actor::Signature)> {
    let committer = match repo.committer() {
        Some(sig) => sig
            .and_then(|s| s.to_owned())
            .map_err(git_err("invalid committer identity"))?,
        None => {
            let mut fallback = repo.clone();
            fallback
                .committer_or_set_fallback(FALLBACK_NAME, FALLBACK_EMAIL)
                .and_then(|s| s.to_owned())
                .map_err(git_err("cannot set up a committer identity"))?
        }
    };
    let author = match repo.author() {
        Some(Ok(sig)) => sig.to_owned().unwrap_or_else(|_| committer.clone()),
        _ => committer.clone(),
    };
    Ok((committer, author))
}

fn new_commit(
    repo: &gix::Repository,
    message: &str,
    tree: ObjectId,
    parents: &[ObjectId],
) -> Result<ObjectId> {
    let (committer, author) = signatures(repo)?;
    let mut committer_time = gix::date::parse::TimeBuf::default();
    let mut author_time = gix::date::parse::TimeBuf::default();
    let commit = repo
        .new_commit_as(
            committer.to_ref(&mut committer_time),
            author.to_ref(&mut author_time),
            format!("{message}\n"),
            tree,
            parents.iter().copied(),
        )
        .map_err(git_err("cannot write notes commit"))?;
    Ok(commit.id)
}

/// Every note on `notes_ref` as `(annotated commit, note blob)`, sorted by commit. Reads any
/// fanout layout (flat, 2/38, deeper), including trees written by plain `git notes`; entries
/// that are not notes are ignored. Empty when the ref is missing.
pub fn list(repo: &gix::Repository, notes_ref: &str) -> Result<Vec<(ObjectId, ObjectId)>> {
    let Some(tip) = tip(repo, notes_ref)? else {
        return Ok(Vec::new());
    };
    Ok(notes_in_tree(repo, tip.tree)?.into_iter().collect())
}

fn notes_in_tree(repo: &gix::Repository, tree: ObjectId) -> Result<BTreeMap<ObjectId, ObjectId>> {
    let mut out = BTreeMap::new();
    let hex_len = repo.object_hash().len_in_hex();
    let mut pending = vec![(tree, String::new())];
    while let Some((tree_id, prefix)) = pending.pop() {
        let tree = repo
            .find_tree(tree_id)
            .map_err(git_err(format_args!("cannot read notes tree {tree_id}")))?;
        let decoded = tree
            .decode()
            .map_err(git_err(format_args!("cannot decode notes tree {tree_id}")))?;
        for entry in &decoded.entries {
            let Ok(name) = std::str::from_utf8(entry.filename) else {
                continue;
            };
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_hexdigit()) {
                continue;
            }
            let path = format!("{prefix}{}", name.to_ascii_lowercase());
            if entry.mode.is_tree() {
                // Fanout directories are two hex digits each (git's `notes.c`).
                if name.len() == 2 && path.len() < hex_len {
                    pending.push((entry.oid.to_owned(), path));
                }
            } else if path.len() == hex_len
                && (entry.mode.is_blob() || entry.mode.is_executable())
                && let Ok(annotated) = ObjectId::from_hex(path.as_bytes())
            {
                // Git gives the shallower entry precedence over a deeper duplicate;
                // levels are walked top-down, so the first one seen wins here too.
                out.entry(annotated).or_insert_with(|| entry.oid.to_owned());
            }
        }
    }
    Ok(out)
}

/// Merge the notes commit `theirs` (e.g. a teammate's fetched tip) into `ours_ref`: nothing
/// when `theirs` is already contained, a fast-forward when ours is missing or behind,
/// otherwise a merge commit (parents ours, theirs) whose tree holds, per annotated commit,
/// the [`Note::merge`] of both notes (notes written by plain git included). Notes of commits
/// this repository does not have are kept. The ref moves by compare-and-swap, retried when it
/// moved underneath.
pub fn merge_ref(repo: &gix::Repository, ours_ref: &str, theirs: ObjectId) -> Result<MergeOutcome> {
    let theirs_tree = commit_tree(repo, theirs)?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        match merge_once(repo, ours_ref, theirs, theirs_tree)? {
            Ok(outcome) => return Ok(outcome),
            Err(e) if attempt >= ATTEMPTS => return Err(gave_up(e)),
            Err(_) => backoff(attempt),
        }
    }
}

/// One attempt of [`merge_ref`]; the inner error is a failed ref update (worth a retry: the
/// ref may have moved or been locked by a concurrent writer).
fn merge_once(
    repo: &gix::Repository,
    ours_ref: &str,
    theirs: ObjectId,
    theirs_tree: ObjectId,
) -> Result<Result<MergeOutcome>> {
    let Some(ours) = tip(repo, ours_ref)? else {
        let added = notes_in_tree(repo, theirs_tree)?.len();
        let outcome = MergeOutcome {
            kind: MergeKind::FastForward,
            tip: theirs,
            added,
            merged: 0,
            unchanged: 0,
        };
        return Ok(set_ref(repo, ours_ref, theirs, None, "fast-forward").map(|()| outcome));
    };
    let up_to_date = MergeOutcome {
        kind: MergeKind::UpToDate,
        tip: ours.commit,
        added: 0,
        merged: 0,
        unchanged: 0,
    };
    if ours.commit == theirs {
        return Ok(Ok(up_to_date));
    }
    // A history we cannot walk (shallow clone, missing objects) has no usable merge base: a
    // true merge is then the safe choice, as it loses nothing.
    let base = repo
        .merge_base(ours.commit, theirs)
        .ok()
        .flatten()
        .map(|id| id.detach());
    if base == Some(theirs) {
        return Ok(Ok(up_to_date));
    }

    let ours_notes = notes_in_tree(repo, ours.tree)?;
    let theirs_notes = notes_in_tree(repo, theirs_tree)?;
    let (mut added, mut merged, mut unchanged) = (0, 0, 0);

    if base == Some(ours.commit) {
        for (commit, blob) in &theirs_notes {
            match ours_notes.get(commit) {
                None => added += 1,
                Some(b) if b == blob => unchanged += 1,
                Some(_) => merged += 1,
            }
        }
        let outcome = MergeOutcome {
            kind: MergeKind::FastForward,
            tip: theirs,
            added,
            merged,
            unchanged,
        };
        return Ok(
            set_ref(repo, ours_ref, theirs, Some(ours.commit), "fast-forward").map(|()| outcome),
        );
    }

    let mut state = notes_state(repo, ours.tree)?;
    for (&commit, &their_blob) in &theirs_notes {
        let new_blob = match ours_notes.get(&commit) {
            None => {
                added += 1;
                their_blob
            }
            Some(&our_blob) if our_blob == their_blob => {
                unchanged += 1;
                continue;
            }
            Some(&our_blob) => {
                let ours_bytes = blob_bytes(repo, our_blob)?;
                let mut note = Note::parse_bytes(&ours_bytes);
                note.merge(Note::parse_bytes(&blob_bytes(repo, their_blob)?));
                let rendered = note.render_bounded(DEFAULT_MAX_BYTES);
                if rendered.as_bytes() == ours_bytes.as_slice() {
                    unchanged += 1;
                    continue;
                }
                merged += 1;
                repo.write_blob(rendered.as_bytes())
                    .map_err(git_err("cannot write note blob"))?
                    .detach()
            }
        };
        state
            .edit(commit, Some(new_blob), repo)
            .map_err(git_err(format_args!("cannot add the note of {commit}")))?;
    }
    let tree = state
        .write(repo)
        .map_err(git_err("cannot write the merged notes tree"))?;
    let message = "Notes merged by 'git drift'";
    let commit = new_commit(repo, message, tree, &[ours.commit, theirs])?;
    Ok(
        set_ref(repo, ours_ref, commit, Some(ours.commit), message).map(|()| MergeOutcome {
            kind: MergeKind::Merged,
            tip: commit,
            added,
            merged,
            unchanged,
        }),
    )
}
