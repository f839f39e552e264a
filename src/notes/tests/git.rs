//! Tests of reading, writing and merging notes through gix, checked against the real `git`
//! binary in temporary repositories with a hermetic environment.

use crate::notes::*;
use crate::testkit::git::{Hermetic, run_with_input};
use gix::ObjectId;
use std::path::{Path, PathBuf};
use std::process::Command;

const DATE: &str = "1768469400 +0000"; // 2026-01-15T09:30:00Z

/// A temporary HOME with empty global config; every git command runs in the shared hermetic
/// environment ([`crate::testkit::git`]) so the developer's config, hooks and GIT_* variables
/// cannot leak in.
struct Sandbox {
    tmp: tempfile::TempDir,
    hermetic: Hermetic,
}

struct Output {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Sandbox {
    fn new() -> Sandbox {
        let tmp = tempfile::tempdir().unwrap();
        let hermetic = Hermetic::new(&tmp.path().join("home"), "");
        Sandbox { tmp, hermetic }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    fn command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut c = self.hermetic.command("git", dir, None, DATE);
        c.args(args)
            // Identity for commits made by git itself, also in repos without user config.
            .env("GIT_AUTHOR_NAME", "Git Test")
            .env("GIT_AUTHOR_EMAIL", "git@test")
            .env("GIT_COMMITTER_NAME", "Git Test")
            .env("GIT_COMMITTER_EMAIL", "git@test");
        c
    }

    fn run(&self, dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
        let out = run_with_input(&mut self.command(dir, args), stdin);
        Output {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn git(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.run(dir, args, None);
        assert!(out.ok, "git {args:?} failed: {}", out.stderr);
        out.stdout
    }

    /// A new repository with one commit; `with_user` sets user.name/email in its config.
    fn repo(&self, name: &str, with_user: bool) -> PathBuf {
        let dir = self.path(name);
        std::fs::create_dir_all(&dir).unwrap();
        self.git(&dir, &["init", "-q", "-b", "main"]);
        if with_user {
            self.configure_user(&dir);
        }
        self.commit(&dir, &format!("init {name}"));
        dir
    }

    fn configure_user(&self, dir: &Path) {
        self.git(dir, &["config", "user.name", "Test User"]);
        self.git(dir, &["config", "user.email", "test@example.com"]);
    }

    /// Commit a new file named after `msg`; returns the commit id.
    fn commit(&self, dir: &Path, msg: &str) -> ObjectId {
        let file = format!("{}.txt", msg.replace(' ', "_"));
        std::fs::write(dir.join(&file), format!("{msg}\n")).unwrap();
        self.git(dir, &["add", &file]);
        self.git(dir, &["commit", "-q", "-m", msg]);
        self.rev(dir, "HEAD")
    }

    fn rev(&self, dir: &Path, rev: &str) -> ObjectId {
        oid(self.git(dir, &["rev-parse", "--verify", rev]).trim())
    }

    fn try_rev(&self, dir: &Path, rev: &str) -> Option<ObjectId> {
        let out = self.run(dir, &["rev-parse", "--verify", "-q", rev], None);
        out.ok.then(|| oid(out.stdout.trim()))
    }

    /// `git notes --ref=drift list` as (commit, blob) pairs, sorted by commit.
    fn git_notes_list(&self, dir: &Path) -> Vec<(ObjectId, ObjectId)> {
        let mut v: Vec<(ObjectId, ObjectId)> = self
            .git(dir, &["notes", "--ref=drift", "list"])
            .lines()
            .map(|l| {
                let (blob, commit) = l.split_once(' ').unwrap();
                (oid(commit), oid(blob))
            })
            .collect();
        v.sort();
        v
    }

    /// A bare remote with one commit on main, and two clones of it with users configured.
    fn team(&self) -> (PathBuf, PathBuf, ObjectId) {
        let seed = self.repo("seed", true);
        let remote = self.path("remote.git");
        self.git(
            self.tmp.path(),
            &[
                "clone",
                "-q",
                "--bare",
                seed.to_str().unwrap(),
                "remote.git",
            ],
        );
        let mut clones = Vec::new();
        for name in ["alice", "bob"] {
            self.git(
                self.tmp.path(),
                &["clone", "-q", remote.to_str().unwrap(), name],
            );
            let dir = self.path(name);
            self.configure_user(&dir);
            clones.push(dir);
        }
        let shared = self.rev(&clones[0], "HEAD");
        let bob = clones.pop().unwrap();
        let alice = clones.pop().unwrap();
        (alice, bob, shared)
    }

    fn fetch_notes(&self, dir: &Path) -> ObjectId {
        self.git(
            dir,
            &[
                "fetch",
                "-q",
                "origin",
                "refs/notes/drift:refs/notes/remotes/origin/drift",
            ],
        );
        self.rev(dir, "refs/notes/remotes/origin/drift")
    }
}

fn oid(hex: &str) -> ObjectId {
    ObjectId::from_hex(hex.as_bytes()).unwrap()
}

/// Open like production code would, but isolated from the developer's config and
/// environment, with the notes commit dates pinned (what `GIT_COMMITTER_DATE` does in
/// production, where the repository is opened with environment overrides).
fn open(dir: &Path) -> gix::Repository {
    gix::open_opts(
        dir,
        gix::open::Options::isolated().config_overrides([
            format!("gitoxide.commit.committerDate={DATE}"),
            format!("gitoxide.commit.authorDate={DATE}"),
        ]),
    )
    .unwrap()
}

fn sample(session: &str, agent: &str, ended: i64, lines: &[(Who, &str)]) -> Note {
    let attributed: Vec<(Who, Option<&str>, &str)> = lines
        .iter()
        .map(|(w, t)| {
            (
                w.clone(),
                Some("1a2b3c4d").filter(|_| w.session().is_some()),
                *t,
            )
        })
        .collect();
    let mut note = Note::from_lines("src/net.py", &attributed);
    let mut s = SessionRecord::new(session);
    s.agent = agent.to_string();
    s.model = Some("model-x".to_string());
    s.ended = Some(ended);
    s.accepted = 1;
    s.prompts
        .insert("1a2b3c4d".to_string(), format!("prompt of {session}"));
    note.add_session(s);
    note
}

fn ai(s: &str) -> Who {
    Who::Ai(s.to_string())
}

fn normalized(mut n: Note) -> Note {
    n.normalize();
    n
}

fn merged(mut a: Note, b: Note) -> Note {
    a.merge(b);
    a
}

#[test]
fn written_note_is_what_git_notes_show_prints() {
    let sb = Sandbox::new();
    let dir = sb.repo("r", true);
    let commit = sb.rev(&dir, "HEAD");
    let repo = open(&dir);
    let note = sample(
        "s1",
        "claude-code",
        5,
        &[
            (Who::Human, "import x"),
            (ai("s1"), "def f():"),
            (ai("s1"), "  pass"),
        ],
    );

    let outcome = write(&repo, commit, &note).unwrap();
    let WriteOutcome::Written {
        notes_commit,
        blob,
        previous,
    } = outcome
    else {
        panic!("nothing written: {outcome:?}");
    };
    assert_eq!(previous, None);
    assert_eq!(sb.rev(&dir, "refs/notes/drift"), notes_commit);

    let shown = sb.git(&dir, &["notes", "--ref=drift", "show", &commit.to_string()]);
    assert_eq!(shown, note.render());
    assert_eq!(sb.git_notes_list(&dir), vec![(commit, blob)]);

    let log = sb.git(&dir, &["log", "--notes=drift", "-1"]);
    assert!(log.contains("Notes (drift):"), "{log}");
    assert!(
        log.contains("    file src/net.py 2-3 ai s1 p=1a2b3c4d h="),
        "{log}"
    );

    // The notes commit is a root commit by the configured user at the pinned date.
    let meta = sb.git(
        &dir,
        &[
            "log",
            "-1",
            "--format=%an <%ae>|%cn|%cI|%P|%s",
            "refs/notes/drift",
        ],
    );
    assert_eq!(
        meta.trim(),
        "Test User <test@example.com>|Test User|2026-01-15T09:30:00Z||Notes added by 'git drift'"
    );
    assert_eq!(
        read(&repo, NOTES_REF, commit).unwrap(),
        Some(normalized(note))
    );
}

#[test]
fn writing_the_same_note_again_leaves_the_ref_alone() {
    let sb = Sandbox::new();
    let dir = sb.repo("r", true);
    let commit = sb.rev(&dir, "HEAD");
    let repo = open(&dir);
    let note = sample("s1", "codex", 5, &[(ai("s1"), "a"), (Who::Human, "b")]);
    assert!(matches!(
        write(&repo, commit, &note).unwrap(),
        WriteOutcome::Written { .. }
    ));
    let tip = sb.rev(&dir, "refs/notes/drift");
    assert_eq!(
        write(&repo, commit, &note).unwrap(),
        WriteOutcome::Unchanged
    );
    // A note the existing one already contains changes nothing either.
    let mut part = note.clone();
    part.sessions.clear();
    assert_eq!(
        write(&repo, commit, &part).unwrap(),
        WriteOutcome::Unchanged
    );
    // Nor does an empty note for a commit without one.
    let other = sb.commit(&dir, "second");
    assert_eq!(
        write(&repo, other, &Note::default()).unwrap(),
        WriteOutcome::Unchanged
    );
    assert_eq!(sb.rev(&dir, "refs/notes/drift"), tip);
    assert_eq!(
        sb.git(&dir, &["rev-list", "--count", "refs/notes/drift"])
            .trim(),
        "1"
    );
}

#[test]
fn writing_merges_with_an_existing_note_even_a_plain_git_one() {
    let sb = Sandbox::new();
    let dir = sb.repo("r", true);
    let commit = sb.rev(&dir, "HEAD");
    sb.git(
        &dir,
        &[
            "notes",
            "--ref=drift",
            "add",
            "-m",
            "hi",
            &commit.to_string(),
        ],
    );
    let before = sb.rev(&dir, "refs/notes/drift");
    let repo = open(&dir);

    let plain = read(&repo, NOTES_REF, commit).unwrap().unwrap();
    assert_eq!(plain.extra.iter().collect::<Vec<_>>(), vec!["hi"]);
    assert!(plain.files.is_empty());

    let a = sample("s1", "codex", 5, &[(ai("s1"), "a"), (Who::Human, "b")]);
    let b = sample(
        "s2",
        "claude-code",
        9,
        &[(Who::Human, "a"), (ai("s2"), "b")],
    );
    write(&repo, commit, &a).unwrap();
    let WriteOutcome::Written { previous, .. } = write(&repo, commit, &b).unwrap() else {
        panic!("second note not written");
    };
    assert!(previous.is_some());

    let got = read(&repo, NOTES_REF, commit).unwrap().unwrap();
    assert_eq!(got, merged(merged(plain, a), b));
    assert_eq!(got.who_at("src/net.py", 1).unwrap().who, &ai("s1"));
    assert_eq!(got.who_at("src/net.py", 2).unwrap().who, &ai("s2"));
    let shown = sb.git(&dir, &["notes", "--ref=drift", "show", &commit.to_string()]);
    assert!(shown.lines().any(|l| l == "hi"), "{shown}");
    // History is linear: each write's parent is the previous tip.
    assert_eq!(sb.rev(&dir, "refs/notes/drift~2"), before);
}

#[test]
fn without_a_configured_user_notes_commits_use_the_fallback_identity() {
    let sb = Sandbox::new();
    let dir = sb.repo("r", false);
    let commit = sb.rev(&dir, "HEAD");
    let repo = open(&dir);
    assert!(
        repo.committer().is_none(),
        "test repo must have no identity"
    );
    let note = sample("s", "codex", 1, &[(ai("s"), "x")]);
    write(&repo, commit, &note).unwrap();
    let meta = sb.git(
        &dir,
        &[
            "log",
            "-1",
            "--format=%an <%ae>|%cn <%ce>",
            "refs/notes/drift",
        ],
    );
    assert_eq!(
        meta.trim(),
        "git-drift <git-drift@localhost>|git-drift <git-drift@localhost>"
    );
    assert_eq!(
        sb.git(&dir, &["notes", "--ref=drift", "show", &commit.to_string()]),
        note.render()
    );
}

#[test]
fn remove_deletes_the_note_once() {
    let sb = Sandbox::new();
    let dir = sb.repo("r", true);
    let commit = sb.rev(&dir, "HEAD");
    let repo = open(&dir);
    assert!(!remove(&repo, commit).unwrap(), "no ref yet");
    write(&repo, commit, &sample("s", "codex", 1, &[(ai("s"), "x")])).unwrap();
    assert!(remove(&repo, commit).unwrap());
    assert_eq!(read(&repo, NOTES_REF, commit).unwrap(), None);
    let out = sb.run(
        &dir,
        &["notes", "--ref=drift", "show", &commit.to_string()],
        None,
    );
    assert!(!out.ok, "git still shows a note: {}", out.stdout);
    let tip = sb.rev(&dir, "refs/notes/drift");
    assert!(!remove(&repo, commit).unwrap());
    assert_eq!(sb.rev(&dir, "refs/notes/drift"), tip);
}

#[test]
fn replace_overwrites_instead_of_merging() {
    let sb = Sandbox::new();
    let dir = sb.repo("r", true);
    let commit = sb.rev(&dir, "HEAD");
    let repo = open(&dir);
    let mut note = sample("s", "codex", 1, &[(ai("s"), "x")]);
    write(&repo, commit, &note).unwrap();
    note.strip_text();
    replace_at(&repo, NOTES_REF, commit, &note).unwrap();
    let got = read(&repo, NOTES_REF, commit).unwrap().unwrap();
    assert!(got.sessions["s"].prompts.is_empty());
    assert_eq!(got, normalized(note));
}

#[test]
fn reads_and_lists_a_fanned_out_tree_written_by_plain_git() {
    let sb = Sandbox::new();
    let dir = sb.repo("r", true);
    // 300 commits in one fast-import run, then one `git notes add` each.
    let mut script = String::new();
    for i in 0..300 {
        let msg = format!("c{i}");
        script.push_str(&format!(
            "commit refs/heads/many\ncommitter T <t@t> 1700000000 +0000\ndata {}\n{msg}\n\n",
            msg.len()
        ));
    }
    let out = sb.run(&dir, &["fast-import", "--quiet"], Some(&script));
    assert!(out.ok, "{}", out.stderr);
    let commits: Vec<ObjectId> = sb
        .git(&dir, &["rev-list", "refs/heads/many"])
        .lines()
        .map(oid)
        .collect();
    assert_eq!(commits.len(), 300);
    for (i, c) in commits.iter().enumerate() {
        let text = format!("drift-note/1\nfile f{i}.rs 1-2 human\n");
        sb.git(
            &dir,
            &["notes", "--ref=drift", "add", "-m", &text, &c.to_string()],
        );
    }
    // git switched to 2/38 fanout: the root holds two-hex-digit subtrees.
    let root = sb.git(&dir, &["ls-tree", "refs/notes/drift"]);
    assert!(
        root.lines()
            .all(|l| l.starts_with("040000 tree ") && l.split('\t').nth(1).map(str::len) == Some(2)),
        "not fanned out:\n{root}"
    );

    let repo = open(&dir);
    let listed = list(&repo, NOTES_REF).unwrap();
    assert_eq!(listed.len(), 300);
    assert_eq!(listed, sb.git_notes_list(&dir));
    for (i, c) in commits.iter().enumerate() {
        let note = read(&repo, NOTES_REF, *c).unwrap().unwrap();
        let path = format!("f{i}.rs");
        assert_eq!(note.who_at(&path, 2).map(|l| l.who), Some(&Who::Human));
    }

    // gix writes into the fanned-out tree in a layout git reads back.
    let new = sb.commit(&dir, "one more");
    let note = sample("s", "codex", 1, &[(ai("s"), "x")]);
    write(&repo, new, &note).unwrap();
    write(&repo, commits[7], &note).unwrap();
    assert_eq!(sb.git_notes_list(&dir).len(), 301);
    assert_eq!(list(&repo, NOTES_REF).unwrap(), sb.git_notes_list(&dir));
    assert_eq!(
        sb.git(&dir, &["notes", "--ref=drift", "show", &new.to_string()]),
        note.render()
    );
    let seventh = sb.git(
        &dir,
        &["notes", "--ref=drift", "show", &commits[7].to_string()],
    );
    assert!(seventh.contains("file f7.rs 1-2 human\n"), "{seventh}");
    assert!(seventh.contains("file src/net.py 1 ai s "), "{seventh}");
}

#[test]
fn list_and_read_of_a_missing_ref_are_empty() {
    let sb = Sandbox::new();
    let dir = sb.repo("r", true);
    let repo = open(&dir);
    let head = sb.rev(&dir, "HEAD");
    assert!(list(&repo, NOTES_REF).unwrap().is_empty());
    assert_eq!(read(&repo, NOTES_REF, head).unwrap(), None);
    assert_eq!(read_union(&repo, head).unwrap(), None);
    assert!(tracking_refs(&repo).unwrap().is_empty());
    assert!(matches!(
        read(&repo, "drift", head),
        Err(crate::Error::Git { message, .. }) if message.contains("full ref name")
    ));
}

#[test]
fn merge_ref_merges_fast_forwards_and_keeps_unknown_commits() {
    let sb = Sandbox::new();
    let (alice, bob, shared) = sb.team();
    let (ra, rb) = (open(&alice), open(&bob));

    // Alice notes the shared commit and a commit only she has, and pushes only the notes.
    let only_alice = sb.commit(&alice, "alice local");
    let note_a = sample(
        "sa",
        "claude-code",
        10,
        &[(ai("sa"), "x"), (Who::Human, "y")],
    );
    write(&ra, shared, &note_a).unwrap();
    write(&ra, only_alice, &note_a).unwrap();
    sb.git(&alice, &["push", "-q", "origin", "refs/notes/drift"]);

    // Bob notes the same shared commit differently, and one of his own.
    let only_bob = sb.commit(&bob, "bob local");
    let note_b = sample("sb", "codex", 20, &[(Who::Human, "x"), (ai("sb"), "y")]);
    write(&rb, shared, &note_b).unwrap();
    write(&rb, only_bob, &note_b).unwrap();
    let bob_before = sb.rev(&bob, "refs/notes/drift");

    let theirs = sb.fetch_notes(&bob);
    assert_eq!(
        tracking_refs(&rb).unwrap(),
        vec!["refs/notes/remotes/origin/drift"]
    );
    // Fetched notes are visible before any merge.
    let union = read_union(&rb, shared).unwrap().unwrap();
    assert_eq!(union, merged(note_a.clone(), note_b.clone()));
    assert_eq!(
        read(&rb, NOTES_REF, shared).unwrap(),
        Some(normalized(note_b.clone()))
    );

    let out = merge_ref(&rb, NOTES_REF, theirs).unwrap();
    assert_eq!(out.kind, MergeKind::Merged);
    assert_eq!((out.added, out.merged, out.unchanged), (1, 1, 0));
    assert_eq!(sb.rev(&bob, "refs/notes/drift"), out.tip);
    let parents = sb.git(&bob, &["log", "-1", "--format=%P", "refs/notes/drift"]);
    assert_eq!(parents.trim(), format!("{bob_before} {theirs}"));

    // All three notes, including the one for a commit Bob does not have.
    assert!(
        sb.try_rev(&bob, &format!("{only_alice}^{{commit}}"))
            .is_none()
    );
    let listed: Vec<ObjectId> = sb
        .git_notes_list(&bob)
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    let mut expected = vec![shared, only_alice, only_bob];
    expected.sort();
    assert_eq!(listed, expected);
    assert_eq!(list(&rb, NOTES_REF).unwrap(), sb.git_notes_list(&bob));
    assert_eq!(
        read(&rb, NOTES_REF, shared).unwrap().unwrap(),
        merged(note_a.clone(), note_b.clone())
    );
    assert_eq!(
        read(&rb, NOTES_REF, only_alice).unwrap(),
        Some(normalized(note_a.clone()))
    );

    // The merge makes Bob's push a fast-forward: no force needed.
    sb.git(&bob, &["push", "-q", "origin", "refs/notes/drift"]);

    // Alice catches up by fast-forward, then is up to date.
    let theirs = sb.fetch_notes(&alice);
    let out = merge_ref(&ra, NOTES_REF, theirs).unwrap();
    assert_eq!(out.kind, MergeKind::FastForward);
    assert_eq!((out.added, out.merged, out.unchanged), (1, 1, 1));
    assert_eq!(sb.rev(&alice, "refs/notes/drift"), theirs);
    let again = merge_ref(&ra, NOTES_REF, theirs).unwrap();
    assert_eq!(again.kind, MergeKind::UpToDate);
    assert_eq!(sb.rev(&alice, "refs/notes/drift"), theirs);

    // Merging an ancestor of ours changes nothing either.
    let out = merge_ref(&rb, NOTES_REF, bob_before).unwrap();
    assert_eq!(out.kind, MergeKind::UpToDate);
    assert_eq!(sb.rev(&bob, "refs/notes/drift"), theirs);
}

#[test]
fn merge_ref_creates_a_missing_ref_and_ignores_identical_sides() {
    let sb = Sandbox::new();
    let (alice, bob, shared) = sb.team();
    let ra = open(&alice);
    write(&ra, shared, &sample("s", "codex", 1, &[(ai("s"), "x")])).unwrap();
    sb.git(&alice, &["push", "-q", "origin", "refs/notes/drift"]);
    let tip = sb.rev(&alice, "refs/notes/drift");

    let out = merge_ref(&ra, NOTES_REF, tip).unwrap();
    assert_eq!(out.kind, MergeKind::UpToDate);
    assert_eq!(sb.rev(&alice, "refs/notes/drift"), tip);

    let theirs = sb.fetch_notes(&bob);
    let rb = open(&bob);
    assert!(sb.try_rev(&bob, "refs/notes/drift").is_none());
    let out = merge_ref(&rb, NOTES_REF, theirs).unwrap();
    assert_eq!(out.kind, MergeKind::FastForward);
    assert_eq!(out.added, 1);
    assert_eq!(sb.rev(&bob, "refs/notes/drift"), tip);
}

#[test]
fn plain_git_cat_sort_uniq_merge_parses_to_our_merge() {
    let sb = Sandbox::new();
    let (alice, bob, shared) = sb.team();
    let (ra, rb) = (open(&alice), open(&bob));
    let mut note_a = sample(
        "s-shared",
        "claude-code",
        10,
        &[(ai("s-shared"), "x"), (Who::Human, "y"), (Who::Human, "z")],
    );
    note_a
        .sessions
        .get_mut("s-shared")
        .unwrap()
        .decisions
        .insert("keep it small".into());
    let mut note_b = sample(
        "s-shared",
        "claude-code",
        12,
        &[(Who::Human, "x"), (ai("s-shared"), "y"), (Who::Human, "z")],
    );
    note_b.add_session(sample("s-bob", "codex", 11, &[]).sessions["s-bob"].clone());
    note_b.set_lines("src/net.py", 3, &[(ai("s-bob"), None, "z")]);
    {
        let s = note_b.sessions.get_mut("s-shared").unwrap();
        s.accepted = 4;
        s.rejected = 2;
    }
    write(&ra, shared, &note_a).unwrap();
    write(&rb, shared, &note_b).unwrap();
    sb.git(&alice, &["push", "-q", "origin", "refs/notes/drift"]);
    sb.fetch_notes(&bob);

    sb.git(
        &bob,
        &[
            "notes",
            "--ref=drift",
            "merge",
            "-q",
            "-s",
            "cat_sort_uniq",
            "refs/notes/remotes/origin/drift",
        ],
    );
    let blob = sb.git(&bob, &["notes", "--ref=drift", "show", &shared.to_string()]);
    // Git's merge only concatenated, sorted and deduped: two session lines for s-shared.
    assert_eq!(
        blob.lines()
            .filter(|l| l.starts_with("session s-shared "))
            .count(),
        2,
        "{blob}"
    );
    let got = read(&rb, NOTES_REF, shared).unwrap().unwrap();
    let expected = merged(note_a, note_b);
    assert_eq!(got, expected);
    let s = &got.sessions["s-shared"];
    assert_eq!((s.accepted, s.rejected, s.ended), (4, 2, Some(12)));
    assert_eq!(
        (1..=3)
            .map(|l| got.who_at("src/net.py", l).unwrap().who.clone())
            .collect::<Vec<_>>(),
        vec![ai("s-shared"), ai("s-shared"), ai("s-bob")]
    );
}

#[test]
fn concurrent_writers_lose_nothing() {
    let sb = Sandbox::new();
    let dir = sb.repo("r", true);
    let commits: Vec<ObjectId> = (0..3).map(|i| sb.commit(&dir, &format!("c{i}"))).collect();
    std::thread::scope(|scope| {
        for (t, commit) in commits.iter().enumerate() {
            let dir = dir.clone();
            scope.spawn(move || {
                let repo = open(&dir);
                for round in 0..3 {
                    let session = format!("t{t}-{round}");
                    let note = sample(&session, "codex", round, &[(ai(&session), "x")]);
                    write(&repo, *commit, &note).unwrap();
                }
            });
        }
    });
    let repo = open(&dir);
    for (t, commit) in commits.iter().enumerate() {
        let note = read(&repo, NOTES_REF, *commit).unwrap().unwrap();
        let ids: Vec<&String> = note.sessions.keys().collect();
        assert_eq!(
            ids,
            vec![&format!("t{t}-0"), &format!("t{t}-1"), &format!("t{t}-2")]
        );
    }
    assert_eq!(
        sb.git(&dir, &["rev-list", "--count", "refs/notes/drift"])
            .trim(),
        "9"
    );
}
