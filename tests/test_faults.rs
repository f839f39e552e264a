//! The fault suite (issue 12): commits and pushes with a damaged store (corrupt, truncated,
//! bit-flipped), a read-only `.prompts/`, a full disk, the binary missing from PATH, a huge
//! pending transcript with a busy store, a locked store, a remote refusing notes, a bad config
//! value, empty commits, sha256 repositories and a global `core.hooksPath`. In every case
//! every git command succeeds, nothing hangs, and every note either exists or is written by
//! the next git drift command; plus 8 clones pushing at once converge with no note missing.

use crate::common::{Claude, Env, bin_dir};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

/// Far above anything a healthy hook takes, even on a loaded machine: a command that runs
/// longer is hanging (the locked store used to hold a commit for 5.1 s per attempt).
const HANG: Duration = Duration::from_secs(60);

fn set_up() -> Env {
    let env = Env::new();
    env.drift_ok(&["init"]);
    commit_setup(&env);
    env
}

/// Commit `.prompts/config.yaml` and its gitignore, so later commits hold the agent's files only.
fn commit_setup(env: &Env) {
    env.git(&["add", "-A"]);
    env.tick(30);
    env.git(&["commit", "-q", "-m", "set up git drift"]);
}

fn session_id(n: usize) -> String {
    format!("fa017000-0000-4000-8000-{n:012x}")
}

/// Run `git ARGS` in `dir` with `env`'s environment (and `tweak`), asserting it succeeds
/// within [`HANG`]; returns stderr.
fn git_ok_with(
    env: &Env,
    dir: &Path,
    args: &[&str],
    tweak: impl FnOnce(&mut std::process::Command),
) -> String {
    let mut cmd = env.cmd_in("git", dir);
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    tweak(&mut cmd);
    let started = Instant::now();
    let mut child = cmd.spawn().expect("spawn git");
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > HANG {
            let _ = child.kill();
            panic!("git {args:?} hung for {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let out = child.wait_with_output().expect("output");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        status.success(),
        "git {args:?} failed:\n{}{err}",
        String::from_utf8_lossy(&out.stdout)
    );
    err
}

fn git_ok(env: &Env, args: &[&str]) -> String {
    git_ok_with(env, &env.repo, args, |_| {})
}

/// The lines our hooks and commands printed.
fn drift_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains("git drift")).collect()
}

/// An agent session writes `path`; then the user commits (through the hooks). Returns the
/// commit and what git printed on stderr.
fn agent_commit(env: &Env, n: usize, path: &str) -> (String, String) {
    agent_commit_with(env, n, path, |_| {})
}

fn agent_commit_with(
    env: &Env,
    n: usize,
    path: &str,
    tweak: impl FnOnce(&mut std::process::Command),
) -> (String, String) {
    let mut c = Claude::new(env, &session_id(n), env.clock.get() + 10);
    c.prompt(&format!("write {path}"))
        .write(path, &format!("def f{n}():\n    return {n}\n"));
    env.tick(100);
    git_ok(env, &["add", "-A"]);
    let err = git_ok_with(env, &env.repo, &["commit", "-q", "-m", path], tweak);
    (env.git(&["rev-parse", "HEAD"]).trim().to_string(), err)
}

fn note(env: &Env, dir: &Path, commit: &str) -> Option<String> {
    let out = env.run_in("git", dir, &["notes", "--ref=drift", "show", commit]);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The note of `commit` exists and credits session `n` (the agent wrote every line).
fn assert_ai_note(env: &Env, commit: &str, n: usize) {
    let text = note(env, &env.repo, commit).unwrap_or_else(|| panic!("{commit} has no note"));
    assert!(text.contains(&session_id(n)), "{text}");
    assert!(
        !text.contains(" human"),
        "every line is the agent's:\n{text}"
    );
    let files: Vec<&str> = text.lines().filter(|l| l.starts_with("file ")).collect();
    assert_eq!(files.len(), 1, "only the agent's file: {text}");
}

fn pending_markers(env: &Env) -> Vec<PathBuf> {
    [
        env.repo.join(".prompts/pending"),
        env.repo.join(".git/drift-pending"),
    ]
    .iter()
    .filter_map(|d| std::fs::read_dir(d).ok())
    .flatten()
    .flatten()
    .map(|e| e.path())
    .filter(|p| p.extension().is_some_and(|x| x == "bind"))
    .collect()
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Fold the WAL into the database file, so that damage done to the file is damage to data.
fn checkpoint(db: &Path) {
    let conn = rusqlite::Connection::open(db).expect("open store");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
}

#[derive(Debug, Clone, Copy)]
enum Damage {
    /// The header overwritten with garbage.
    Corrupt,
    /// Cut to half its length.
    Truncated,
    /// One bit flipped in the header of every b-tree page after the first.
    BitFlipped,
}

fn damage(db: &Path, how: Damage) {
    checkpoint(db);
    let mut bytes = std::fs::read(db).expect("read store");
    match how {
        Damage::Corrupt => bytes[..100].copy_from_slice(&[0x5a; 100]),
        Damage::Truncated => bytes.truncate(bytes.len() / 2),
        Damage::BitFlipped => {
            let page = u16::from_be_bytes([bytes[16], bytes[17]]) as usize;
            let page = if page == 1 { 65536 } else { page };
            let mut at = page;
            while at < bytes.len() {
                bytes[at] ^= 0x10;
                at += page;
            }
        }
    }
    std::fs::write(db, bytes).expect("write store");
}

#[test]
fn a_damaged_store_is_never_read_for_a_note_and_says_what_to_do() {
    for (k, how) in [Damage::Corrupt, Damage::Truncated, Damage::BitFlipped]
        .into_iter()
        .enumerate()
    {
        let env = set_up();
        let (first, _) = agent_commit(&env, 1, "first.py");
        assert_ai_note(&env, &first, 1);
        let db = env.repo.join(".prompts/events.db");
        damage(&db, how);

        let (commit, err) = agent_commit(&env, 2, &format!("after_{k}.py"));
        // The note came from the transcripts, not from the damaged store.
        assert_ai_note(&env, &commit, 2);
        let lines = drift_lines(&err);
        assert_eq!(lines.len(), 1, "{how:?}: one line: {err}");
        assert!(lines[0].contains("cannot be used"), "{how:?}: {err}");

        // A query says what is wrong and how to get out, in git's two lines.
        let out = env.drift(&["sessions"]);
        let qerr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{how:?}: {qerr}");
        assert!(
            qerr.contains("malformed") || qerr.contains("not a database"),
            "{qerr}"
        );
        assert!(
            qerr.contains(
                "hint: move .prompts/events.db aside and run `git drift capture`; transcripts on disk are the source of truth"
            ),
            "{how:?}: {qerr}"
        );
        // Doing what the hint says brings everything back.
        std::fs::rename(&db, db.with_extension("db.damaged")).unwrap();
        let _ = std::fs::remove_file(db.with_extension("db-wal"));
        let _ = std::fs::remove_file(db.with_extension("db-shm"));
        env.drift_ok(&["capture", "--quiet"]);
        let listed = env.drift_ok(&["sessions", "--json"]);
        assert!(listed.contains(&session_id(1)) && listed.contains(&session_id(2)));
        assert_ai_note(&env, &first, 1);
    }
}

/// A read-only bind mount of `dir` over itself (root), or mode 0555 (others); undone on drop.
struct ReadOnly {
    dir: PathBuf,
    mounted: bool,
}

impl ReadOnly {
    fn new(dir: &Path) -> Option<ReadOnly> {
        let root = std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        let d = dir.to_string_lossy().into_owned();
        if root {
            let ok = |args: &[&str]| {
                std::process::Command::new("mount")
                    .args(args)
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            };
            if !ok(&["--bind", &d, &d]) {
                return None;
            }
            let guard = ReadOnly {
                dir: dir.to_path_buf(),
                mounted: true,
            };
            return ok(&["-o", "remount,bind,ro", &d]).then_some(guard);
        }
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).ok()?;
        Some(ReadOnly {
            dir: dir.to_path_buf(),
            mounted: false,
        })
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if self.mounted {
            let _ = std::process::Command::new("umount").arg(&self.dir).status();
        } else {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o755));
        }
    }
}

#[test]
fn a_read_only_prompts_dir_still_gets_the_note() {
    let env = set_up();
    let (first, _) = agent_commit(&env, 1, "first.py");
    assert_ai_note(&env, &first, 1);
    let prompts = env.repo.join(".prompts");
    let Some(guard) = ReadOnly::new(&prompts) else {
        eprintln!("skipped: cannot make .prompts/ read-only here");
        return;
    };
    if std::fs::write(prompts.join("probe"), "x").is_ok() {
        eprintln!("skipped: .prompts/ is still writable (root without mounts)");
        return;
    }
    let (commit, err) = agent_commit(&env, 2, "second.py");
    assert_ai_note(&env, &commit, 2);
    assert_eq!(drift_lines(&err).len(), 1, "{err}");
    drop(guard);
    // Writable again: the store catches up and answers.
    let listed = env.drift_ok(&["sessions", "--json"]);
    assert!(listed.contains(&session_id(2)), "{listed}");
}

/// A 1 MiB tmpfs mounted on `dir` (keeping its files), filled up; unmounted on drop.
struct FullDisk {
    dir: PathBuf,
}

impl FullDisk {
    fn new(dir: &Path) -> Option<FullDisk> {
        let saved = std::env::temp_dir().join(format!("drift-full-{}", std::process::id()));
        copy_dir(dir, &saved);
        let d = dir.to_string_lossy().into_owned();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs", &d])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            return None;
        }
        let guard = FullDisk {
            dir: dir.to_path_buf(),
        };
        copy_dir(&saved, dir);
        // Fill what is left: a store write now fails with SQLITE_FULL.
        let filler = vec![0u8; 64 << 10];
        let mut f = std::fs::File::create(dir.join("filler")).ok()?;
        while std::io::Write::write_all(&mut f, &filler).is_ok() {}
        let _ = std::io::Write::flush(&mut f);
        Some(guard)
    }
}

impl Drop for FullDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.dir).status();
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        if e.path().is_file() {
            let _ = std::fs::copy(e.path(), to.join(e.file_name()));
        }
    }
}

#[test]
fn a_full_disk_still_gets_the_note() {
    let env = set_up();
    let (first, _) = agent_commit(&env, 1, "first.py");
    assert_ai_note(&env, &first, 1);
    checkpoint(&env.repo.join(".prompts/events.db"));
    let prompts = env.repo.join(".prompts");
    let Some(guard) = FullDisk::new(&prompts) else {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root)");
        return;
    };
    // Another session's transcript, big enough that capturing it needs new pages.
    let mut c = Claude::new(&env, &session_id(3), env.clock.get() + 10);
    for i in 0..200 {
        c.say(&format!("thinking about part {i}: {}", "x".repeat(2000)));
    }
    let (commit, err) = agent_commit(&env, 2, "second.py");
    assert!(drift_lines(&err).len() <= 1, "{err}");
    assert!(note(&env, &env.repo, &commit).is_some(), "{err}");
    assert_ai_note(&env, &commit, 2);
    drop(guard);
    let listed = env.drift_ok(&["sessions", "--json"]);
    assert!(listed.contains(&session_id(2)), "{listed}");
}

/// `PATH` without any directory holding git-drift.
fn path_without_drift() -> String {
    std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .filter(|d| !Path::new(d).join("git-drift").exists())
        .collect::<Vec<_>>()
        .join(":")
}

#[test]
fn the_binary_missing_from_path_falls_back_to_init_s_path_then_warns_once() {
    let env = Env::new();
    // Init from a copy of the binary, as an install in ~/.local/bin would be.
    let bin = env.tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(bin_dir().join("git-drift"), bin.join("git-drift")).unwrap();
    // A fork elsewhere in this test process may briefly hold the copy open for writing.
    let init = (0..50)
        .find_map(|_| {
            let run = env
                .cmd_in(&bin.join("git-drift").to_string_lossy(), &env.repo)
                .arg("init")
                .output();
            match run {
                Err(e) if e.raw_os_error() == Some(26) => {
                    std::thread::sleep(Duration::from_millis(100));
                    None
                }
                r => Some(r.unwrap()),
            }
        })
        .expect("the copied binary runs");
    assert!(init.status.success(), "{}", stderr_of(&init));
    commit_setup(&env);
    let no_path = path_without_drift();

    // A GUI client's PATH: the shim finds git-drift where init recorded it.
    let (commit, err) = agent_commit_with(&env, 1, "gui.py", |c| {
        c.env("PATH", &no_path);
    });
    assert!(drift_lines(&err).is_empty(), "{err}");
    assert_ai_note(&env, &commit, 1);

    // Gone from there too: git still commits, with one line saying so.
    std::fs::remove_file(bin.join("git-drift")).unwrap();
    let (commit, err) = agent_commit_with(&env, 2, "gone.py", |c| {
        c.env("PATH", &no_path);
    });
    let lines = drift_lines(&err);
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("neither on PATH nor at"), "{err}");
    assert!(note(&env, &env.repo, &commit).is_none());
    // Once it is back, binding writes the note.
    env.drift_ok(&["bind", &commit]);
    assert_ai_note(&env, &commit, 2);
}

/// Hold the store's write lock (as a long capture or `git drift watch` would) until dropped.
fn lock_store(env: &Env) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(env.repo.join(".prompts/events.db")).unwrap();
    conn.execute_batch(
        "BEGIN IMMEDIATE; INSERT OR REPLACE INTO meta(key, value) VALUES ('held', 'yes');",
    )
    .unwrap();
    conn
}

#[test]
fn a_locked_store_queues_the_bind_and_the_next_command_writes_it() {
    let env = set_up();
    let (first, _) = agent_commit(&env, 1, "first.py");
    assert_ai_note(&env, &first, 1);
    let lock = lock_store(&env);
    let (a, err) = agent_commit(&env, 2, "locked_a.py");
    let lines = drift_lines(&err);
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("queued"), "{err}");
    assert_eq!(pending_markers(&env).len(), 1);
    assert!(
        note(&env, &env.repo, &a).is_none(),
        "not bound from a store it could not read"
    );
    let (b, _) = agent_commit(&env, 3, "locked_b.py");
    assert_eq!(pending_markers(&env).len(), 2);
    lock.execute_batch("ROLLBACK").unwrap();
    drop(lock);

    // The next git drift command (any query) writes both notes, without a word.
    let out = env.drift(&["log", "-1"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        drift_lines(&stderr_of(&out)).is_empty(),
        "{}",
        stderr_of(&out)
    );
    assert_ai_note(&env, &a, 2);
    assert_ai_note(&env, &b, 3);
    assert!(pending_markers(&env).is_empty());

    // And the next commit completes one queued before it.
    let lock = lock_store(&env);
    let (c, _) = agent_commit(&env, 4, "locked_c.py");
    drop(lock);
    let (d, err) = agent_commit(&env, 5, "free_d.py");
    assert!(drift_lines(&err).is_empty(), "{err}");
    assert_ai_note(&env, &c, 4);
    assert_ai_note(&env, &d, 5);
    assert!(pending_markers(&env).is_empty());
}

#[test]
fn a_huge_pending_transcript_with_a_busy_store_is_bound_in_the_background() {
    let env = set_up();
    let (first, _) = agent_commit(&env, 1, "first.py");
    assert_ai_note(&env, &first, 1);
    // Over the 4 MiB the hook reads in the foreground.
    let mut c = Claude::new(&env, &session_id(9), env.clock.get() + 5);
    let chunk = "long reasoning ".repeat(700);
    for _ in 0..500 {
        c.say(&chunk);
    }
    let lock = lock_store(&env);
    let (commit, err) = agent_commit(&env, 2, "huge.py");
    assert!(err.contains("in the background"), "{err}");
    assert_eq!(pending_markers(&env).len(), 1, "a durable marker");
    // The background bind waits for the lock instead of giving up after 5 s.
    std::thread::sleep(Duration::from_millis(1500));
    lock.execute_batch("ROLLBACK").unwrap();
    drop(lock);
    let started = Instant::now();
    while !pending_markers(&env).is_empty() && started.elapsed() < HANG {
        std::thread::sleep(Duration::from_millis(100));
    }
    // Whether the background process or this query finished it, the note is there.
    env.drift_ok(&["log", "-1"]);
    assert_ai_note(&env, &commit, 2);
    assert!(pending_markers(&env).is_empty());
}

#[test]
fn a_bad_config_value_queues_the_bind_and_the_fixed_config_completes_it() {
    let env = set_up();
    let config = env.repo.join(".prompts/config.yaml");
    let good = std::fs::read_to_string(&config).unwrap();
    // Kept out of the commit, whose note must hold the agent's file only.
    env.git(&["update-index", "--skip-worktree", ".prompts/config.yaml"]);
    std::fs::write(&config, format!("{good}\nprivacy: loud\n")).unwrap();
    let (commit, err) = agent_commit(&env, 1, "cfg.py");
    let lines = drift_lines(&err);
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].contains("privacy") && lines[0].contains("queued"),
        "{err}"
    );
    assert!(note(&env, &env.repo, &commit).is_none());

    std::fs::write(&config, good).unwrap();
    let out = env.drift(&["log", "-1"]);
    let qerr = stderr_of(&out);
    assert!(out.status.success(), "{qerr}");
    let lines = drift_lines(&qerr);
    assert_eq!(
        lines.len(),
        1,
        "the earlier failure is reported once: {qerr}"
    );
    assert!(
        lines[0].contains("earlier attempt failed") && lines[0].contains("privacy"),
        "{qerr}"
    );
    assert_ai_note(&env, &commit, 1);
    // Reported once: the next command is quiet.
    let again = env.drift(&["log", "-1"]);
    assert!(
        drift_lines(&stderr_of(&again)).is_empty(),
        "{}",
        stderr_of(&again)
    );
}

#[test]
fn empty_commits_pass_quietly() {
    let env = set_up();
    let (first, _) = agent_commit(&env, 1, "first.py");
    env.tick(60);
    let err = git_ok(&env, &["commit", "-q", "--allow-empty", "-m", "empty"]);
    assert!(drift_lines(&err).is_empty(), "{err}");
    let err = git_ok(
        &env,
        &[
            "commit",
            "-q",
            "--allow-empty",
            "--amend",
            "-m",
            "still empty",
        ],
    );
    assert!(drift_lines(&err).is_empty(), "{err}");
    assert!(pending_markers(&env).is_empty());
    env.drift_ok(&["log"]);
    assert_ai_note(&env, &first, 1);
}

/// A bare repository in its own temp dir.
fn bare_remote(env: &Env, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().canonicalize().unwrap().join("team.git");
    let mut args = vec!["init", "-q", "--bare"];
    args.extend_from_slice(extra);
    args.push("team.git");
    env.git_in(dir.path(), &args);
    (dir, path)
}

#[test]
fn a_remote_refusing_notes_gets_the_branch_and_later_the_notes() {
    let env = set_up();
    let (_dir, remote) = bare_remote(&env, &[]);
    env.git(&["remote", "add", "origin", &remote.to_string_lossy()]);
    let hook = remote.join("hooks/update");
    std::fs::write(
        &hook,
        "#!/bin/sh\ncase \"$1\" in refs/notes/*) echo 'no notes here' >&2; exit 1;; esac\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (commit, _) = agent_commit(&env, 1, "r.py");
    let err = git_ok(&env, &["push", "-q", "-u", "origin", "main"]);
    assert_eq!(drift_lines(&err).len(), 1, "{err}");
    assert!(note(&env, &remote, &commit).is_none());
    // The server changes its mind: the next push brings the notes.
    std::fs::remove_file(&hook).unwrap();
    let (second, _) = agent_commit(&env, 2, "s.py");
    let err = git_ok(&env, &["push", "-q"]);
    assert!(drift_lines(&err).is_empty(), "{err}");
    assert!(note(&env, &remote, &commit).is_some());
    assert!(note(&env, &remote, &second).is_some());
}

#[test]
fn sha256_repositories_are_supported() {
    let env = Env::new();
    std::fs::remove_dir_all(&env.repo).unwrap();
    std::fs::create_dir_all(&env.repo).unwrap();
    env.git(&["init", "-q", "--object-format=sha256"]);
    assert_eq!(
        env.git(&["rev-parse", "--show-object-format"]).trim(),
        "sha256"
    );
    env.drift_ok(&["init"]);
    commit_setup(&env);
    let (commit, err) = agent_commit(&env, 1, "wide.py");
    assert_eq!(commit.len(), 64);
    assert!(drift_lines(&err).is_empty(), "{err}");
    assert_ai_note(&env, &commit, 1);
    let blame = env.drift_ok(&["blame", "wide.py"]);
    assert!(blame.contains("claude"), "{blame}");
    let (_dir, remote) = bare_remote(&env, &["--object-format=sha256"]);
    env.git(&["remote", "add", "origin", &remote.to_string_lossy()]);
    let err = git_ok(&env, &["push", "-q", "-u", "origin", "main"]);
    assert!(drift_lines(&err).is_empty(), "{err}");
    assert_eq!(note(&env, &remote, &commit), note(&env, &env.repo, &commit));
}

#[test]
fn a_global_hooks_path_leaves_repositories_without_init_alone() {
    let env = Env::new();
    let hooks = env.home.join(".githooks");
    let global = env.hermetic.gitconfig();
    env.git(&[
        "config",
        "--file",
        &global.to_string_lossy(),
        "core.hooksPath",
        &hooks.to_string_lossy(),
    ]);
    let out = env.drift_ok(&["init"]);
    assert!(
        out.contains(&format!("hooks are in {}", hooks.display())),
        "{out}"
    );
    assert!(out.contains("shared") && out.contains("global"), "{out}");
    commit_setup(&env);
    let (commit, _) = agent_commit(&env, 1, "mine.py");
    assert_ai_note(&env, &commit, 1);

    // Another repository of the same user, never set up, with a remote.
    let other = env.tmp.path().canonicalize().unwrap().join("other");
    std::fs::create_dir_all(&other).unwrap();
    env.git_in(&other, &["init", "-q"]);
    let (_dir, remote) = bare_remote(&env, &[]);
    env.git_in(
        &other,
        &["remote", "add", "origin", &remote.to_string_lossy()],
    );
    let mut c = Claude::in_dir(&env, &session_id(2), env.clock.get() + 10, &other);
    c.prompt("write x")
        .write_abs(&other.join("x.py"), "x = 1\n");
    env.tick(100);
    git_ok_with(&env, &other, &["add", "-A"], |_| {});
    let err = git_ok_with(&env, &other, &["commit", "-q", "-m", "x"], |_| {});
    assert!(drift_lines(&err).is_empty(), "{err}");
    let err = git_ok_with(&env, &other, &["push", "-q", "origin", "main"], |_| {});
    assert!(drift_lines(&err).is_empty(), "{err}");
    assert!(!other.join(".prompts").exists(), "no .prompts/ appeared");
    let refs = env.git_in(&other, &["for-each-ref", "--format=%(refname)"]);
    assert!(!refs.contains("notes"), "{refs}");
    let remote_refs = env.git_in(&remote, &["for-each-ref", "--format=%(refname)"]);
    assert_eq!(remote_refs.trim(), "refs/heads/main", "no notes pushed");
}

/// `pushers` clones each commit (one agent commit) and push their branch at the same moment,
/// `rounds` times; returns how many notes the server lacks at the end.
pub fn concurrent_pushers(pushers: usize, rounds: usize) -> usize {
    let first = Env::new();
    let (_dir, remote) = bare_remote(&first, &[]);
    let url = remote.to_string_lossy().into_owned();
    let seed = Env::clone_of(&url, &[]);
    seed.drift_ok(&["init"]);
    seed.write("README.md", "# team\n");
    seed.commit("initial");
    git_ok(&seed, &["push", "-q", "origin", "main"]);
    let mut clones = vec![seed];
    for _ in 1..pushers {
        let c = Env::clone_of(&url, &[]);
        c.drift_ok(&["init"]);
        clones.push(c);
    }
    for (i, c) in clones.iter().enumerate() {
        c.git(&["checkout", "-q", "-b", &format!("work-{i}")]);
    }
    let mut written = Vec::new();
    for round in 0..rounds {
        for (i, c) in clones.iter().enumerate() {
            let (commit, _) = agent_commit(c, i * 1000 + round, &format!("c{i}_{round}.py"));
            written.push(commit);
        }
        let children: Vec<_> = clones
            .iter()
            .enumerate()
            .map(|(i, c)| {
                c.cmd_in("git", &c.repo)
                    .args(["push", "-q", "origin", &format!("HEAD:refs/heads/work-{i}")])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn git push")
            })
            .collect();
        for (i, child) in children.into_iter().enumerate() {
            let out = child.wait_with_output().expect("wait for git push");
            assert!(
                out.status.success(),
                "clone {i} round {round}: {}",
                stderr_of(&out)
            );
        }
    }
    written
        .iter()
        .filter(|c| note(&first, &remote, c).is_none())
        .count()
}

#[test]
fn eight_clones_pushing_at_once_lose_no_notes() {
    // The full 8 × 20 runs in bench/ (bench/pushers.sh); 8 × 3 keeps the suite quick.
    let missing = concurrent_pushers(8, 3);
    assert_eq!(missing, 0, "notes missing on the server");
}

/// The full figure: 8 clones × 20 rounds (about a minute or more on 2 busy cores, so
/// not in the default run; `bench/pushers.sh` runs it and prints the count).
#[test]
#[ignore = "heavy: run by bench/pushers.sh"]
fn eight_clones_pushing_at_once_for_twenty_rounds_lose_no_notes() {
    let started = Instant::now();
    let missing = concurrent_pushers(8, 20);
    eprintln!(
        "8 pushers x 20 rounds: {missing} of 160 notes missing on the server ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(missing, 0, "notes missing on the server");
}

#[test]
fn a_push_that_runs_out_of_time_leaves_a_marker_the_next_push_completes() {
    let env = set_up();
    let (_dir, remote) = bare_remote(&env, &[]);
    env.git(&["remote", "add", "origin", &remote.to_string_lossy()]);
    let (commit, _) = agent_commit(&env, 1, "slow.py");
    // Only our notes fetch runs upload-pack: the user's push goes through.
    env.git(&[
        "config",
        "remote.origin.uploadpack",
        "sleep 30; git-upload-pack",
    ]);
    let err = git_ok_with(
        &env,
        &env.repo,
        &["push", "-q", "-u", "origin", "main"],
        |c| {
            c.env("GIT_DRIFT_SYNC_TIMEOUT", "1");
        },
    );
    assert_eq!(drift_lines(&err).len(), 1, "{err}");
    assert!(note(&env, &remote, &commit).is_none());
    let markers: Vec<_> = std::fs::read_dir(env.repo.join(".git/drift-pending"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("push-"))
        .collect();
    assert_eq!(markers.len(), 1);
    // The next git drift command says so, once.
    let said = stderr_of(&env.drift(&["log", "-1"]));
    assert_eq!(drift_lines(&said).len(), 1, "{said}");
    assert!(said.contains("notes not on origin yet"), "{said}");
    let again = stderr_of(&env.drift(&["log", "-1"]));
    assert!(drift_lines(&again).is_empty(), "{again}");
    // The remote is well again: even a tag-only push now carries the notes.
    env.git(&["config", "--unset", "remote.origin.uploadpack"]);
    env.git(&["tag", "v1"]);
    let err = git_ok(&env, &["push", "-q", "origin", "v1"]);
    assert!(drift_lines(&err).is_empty(), "{err}");
    assert_eq!(note(&env, &remote, &commit), note(&env, &env.repo, &commit));
    assert!(
        std::fs::read_dir(env.repo.join(".git/drift-pending"))
            .unwrap()
            .flatten()
            .all(|e| !e.file_name().to_string_lossy().starts_with("push-")),
        "the marker is gone"
    );
}

#[test]
fn an_amend_with_a_locked_store_is_queued_and_moved_by_the_next_command() {
    let env = set_up();
    let (commit, _) = agent_commit(&env, 1, "amend.py");
    assert_ai_note(&env, &commit, 1);
    let lock = lock_store(&env);
    env.tick(60);
    let err = git_ok(&env, &["commit", "-q", "--amend", "-m", "amended"]);
    let lines = drift_lines(&err);
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("queued"), "{err}");
    let amended = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_ne!(amended, commit);
    lock.execute_batch("ROLLBACK").unwrap();
    drop(lock);
    let out = env.drift(&["log", "-1"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        drift_lines(&stderr_of(&out)).is_empty(),
        "{}",
        stderr_of(&out)
    );
    assert_ai_note(&env, &amended, 1);
}
