//! Notes travel with pushes and fetches: the pre-push hook's fetch–merge–push, `git drift sync`,
//! concurrent pushers, remotes that refuse notes or hang, plain-git teammates, shallow clones.
//! Every test uses a bare remote in a temp dir and clones with the real hooks installed.

use crate::common::{Claude, Env, json_out};
use drift::notes::{Note, SessionRecord, Who, prompt_key};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A bare repository in its own temp dir, standing for the team's server.
struct Remote {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Remote {
    fn new(env: &Env) -> Remote {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir
            .path()
            .canonicalize()
            .expect("canonical")
            .join("team.git");
        env.git_in(dir.path(), &["init", "-q", "--bare", "team.git"]);
        Remote { _dir: dir, path }
    }

    fn url(&self) -> String {
        self.path.to_string_lossy().into_owned()
    }

    fn file_url(&self) -> String {
        format!("file://{}", self.path.display())
    }
}

/// A teammate: a clone of `remote` with git drift set up.
fn member(remote: &Remote) -> Env {
    let env = Env::clone_of(&remote.url(), &[]);
    env.drift_ok(&["init"]);
    env
}

fn session_id(who: usize, n: usize) -> String {
    format!("{who:04x}{n:04x}-0000-4000-8000-{:012x}", who * 100 + n)
}

/// An agent session writes `path`, then the teammate commits it; the post-commit hook writes
/// the note. Returns the commit.
fn agent_commit(env: &Env, session: &str, path: &str, body: &str) -> String {
    let mut c = Claude::new(env, session, env.clock.get() + 10);
    c.prompt(&format!("write {path}")).write(path, body);
    env.tick(100);
    env.commit(&format!("add {path}"))
}

/// `git notes --ref=REF list` in `dir`: annotated commit → note blob.
fn notes_list(env: &Env, dir: &Path, notes_ref: &str) -> BTreeMap<String, String> {
    env.git_in(dir, &["notes", &format!("--ref={notes_ref}"), "list"])
        .lines()
        .filter_map(|l| {
            let (blob, commit) = l.split_once(' ')?;
            Some((commit.to_string(), blob.to_string()))
        })
        .collect()
}

fn note_text(env: &Env, dir: &Path, notes_ref: &str, commit: &str) -> Option<String> {
    let out = env.run_in(
        "git",
        dir,
        &["notes", &format!("--ref={notes_ref}"), "show", commit],
    );
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn rev(env: &Env, dir: &Path, rev: &str) -> Option<String> {
    let out = env.run_in("git", dir, &["rev-parse", "--verify", "-q", rev]);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Run `git ARGS` in the teammate's repository, asserting success; returns stderr.
fn git_ok(env: &Env, args: &[&str]) -> String {
    let out = env.run_in("git", &env.repo, args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "git {args:?} failed:\n{}{err}",
        String::from_utf8_lossy(&out.stdout)
    );
    err
}

/// The lines our hooks printed.
fn drift_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains("git drift")).collect()
}

fn sync_json(env: &Env, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["sync", "--json"];
    all.extend_from_slice(args);
    json_out(&env.drift_ok(&all))
}

#[test]
fn three_clones_pushing_at_once_lose_no_notes() {
    let first = Env::new();
    let remote = Remote::new(&first);
    let seed = member(&remote);
    seed.write("README.md", "# team\n");
    seed.commit("initial");
    git_ok(&seed, &["push", "-q", "origin", "main"]);
    let clones = [seed, member(&remote), member(&remote)];
    for (i, c) in clones.iter().enumerate() {
        c.git(&["checkout", "-q", "-b", &format!("work-{i}")]);
    }

    // (writer, commit, session, note text as the writer's post-commit hook wrote it)
    let mut written: Vec<(usize, String, String, String)> = Vec::new();
    const ROUNDS: usize = 3;
    for round in 0..ROUNDS {
        for (i, c) in clones.iter().enumerate() {
            let session = session_id(i, round);
            let path = format!("src/c{i}_{round}.py");
            let commit = agent_commit(
                c,
                &session,
                &path,
                &format!("def f():\n    return {i} * {round}\n"),
            );
            let text = note_text(c, &c.repo, "drift", &commit).expect("post-commit wrote a note");
            assert!(text.contains(&session), "{text}");
            written.push((i, commit, session, text));
        }
        // Everyone pushes their branch at the same moment; only the notes ref is contended.
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
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "clone {i} round {round}: {err}");
            assert!(
                drift_lines(&err).is_empty(),
                "clone {i} round {round}: notes push did not go through: {err}"
            );
        }
    }

    // Nothing was forced: every clone's notes history is part of the server's.
    for c in &clones {
        let tip = rev(c, &c.repo, "refs/notes/drift").expect("local notes");
        // `git_in` asserts that git exits 0: `tip` is an ancestor.
        first.git_in(
            &remote.path,
            &["merge-base", "--is-ancestor", &tip, "refs/notes/drift"],
        );
    }
    // The server has every note, byte for byte.
    let on_server = notes_list(&first, &remote.path, "drift");
    for (i, commit, _, text) in &written {
        assert_eq!(
            note_text(&first, &remote.path, "drift", commit).as_deref(),
            Some(text.as_str()),
            "note of clone {i}'s commit {commit} on the server"
        );
        assert!(on_server.contains_key(commit));
    }
    // The seed's initial commit has its (human) note too: 9 agent commits + 1.
    assert_eq!(on_server.len(), written.len() + 1, "{on_server:?}");

    // After a plain `git fetch`, every clone sees every note, byte for byte, and the queries
    // show the writer's session, whoever wrote it.
    for (j, c) in clones.iter().enumerate() {
        git_ok(c, &["fetch", "-q"]);
        for (i, commit, session, text) in &written {
            assert_eq!(
                note_text(c, &c.repo, "refs/notes/remotes/origin/drift", commit).as_deref(),
                Some(text.as_str()),
                "clone {j} sees clone {i}'s note of {commit}"
            );
            let show = json_out(&c.drift_ok(&["show", commit, "--json"]));
            assert_eq!(show["sessions"][0]["id"], session.as_str(), "{show}");
            assert_eq!(show["sessions"][0]["agent"], "claude-code", "{show}");
        }
        // Its own notes survived every merge unchanged.
        for (i, commit, _, text) in written.iter().filter(|w| w.0 == j) {
            assert_eq!(
                note_text(c, &c.repo, "drift", commit).as_deref(),
                Some(text.as_str()),
                "clone {i}'s own note of {commit}"
            );
        }
    }
}

#[test]
fn a_remote_refusing_notes_still_gets_the_branch() {
    let first = Env::new();
    let remote = Remote::new(&first);
    let hook = remote.path.join("hooks/update");
    std::fs::write(
        &hook,
        "#!/bin/sh\ncase \"$1\" in refs/notes/*) echo 'notes are not welcome here' >&2; exit 1;; esac\nexit 0\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let env = member(&remote);
    let commit = agent_commit(&env, &session_id(1, 1), "app.py", "print('hi')\n");
    assert!(note_text(&env, &env.repo, "drift", &commit).is_some());

    let err = git_ok(&env, &["push", "-q", "origin", "main"]);
    assert_eq!(
        rev(&first, &remote.path, "refs/heads/main").as_deref(),
        Some(commit.as_str()),
        "the branch went through"
    );
    assert_eq!(rev(&first, &remote.path, "refs/notes/drift"), None);
    let warnings = drift_lines(&err);
    assert_eq!(warnings.len(), 1, "one warning line: {err}");
    assert!(
        warnings[0].contains("warning") && warnings[0].contains("refused refs/notes/drift"),
        "{err}"
    );

    // By hand it is an error, with the same reason.
    let out = env.drift(&["sync"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("origin refused refs/notes/drift"), "{err}");
    // The local notes are untouched.
    assert!(note_text(&env, &env.repo, "drift", &commit).is_some());
}

#[test]
fn pull_in_a_fresh_clone_shows_teammates_attribution() {
    let first = Env::new();
    let remote = Remote::new(&first);
    let alice = member(&remote);
    let s1 = session_id(1, 1);
    let c1 = agent_commit(&alice, &s1, "net.py", "def fetch():\n    return 1\n");
    git_ok(&alice, &["push", "-q", "origin", "main"]);

    let bob = member(&remote);
    let s2 = session_id(1, 2);
    let c2 = agent_commit(&alice, &s2, "db.py", "def query():\n    return 2\n");
    git_ok(&alice, &["push", "-q", "origin", "main"]);

    git_ok(&bob, &["pull", "-q", "--ff-only"]);
    let log = json_out(&bob.drift_ok(&["log", "--json"]));
    let entries = log.as_array().expect("log is a list");
    assert_eq!(entries.len(), 2, "{log}");
    for (entry, commit) in entries.iter().zip([&c2, &c1]) {
        assert_eq!(entry["commit"], commit.as_str());
        assert_eq!(entry["agents"][0]["agent"], "claude-code", "{log}");
        assert_eq!(entry["agents"][0]["lines"], 2, "{log}");
    }
    let show = json_out(&bob.drift_ok(&["show", &c1, "--json"]));
    assert_eq!(show["sessions"][0]["id"], s1.as_str());
    // Read from the tracking ref: nothing was merged into Bob's own notes.
    assert_eq!(rev(&bob, &bob.repo, "refs/notes/drift"), None);
    assert!(rev(&bob, &bob.repo, "refs/notes/remotes/origin/drift").is_some());
}

#[test]
fn tags_deletes_and_no_verify_push_no_notes() {
    let first = Env::new();
    let remote = Remote::new(&first);
    let env = member(&remote);
    let commit = agent_commit(&env, &session_id(2, 1), "a.py", "x = 1\n");
    let has_notes = || rev(&first, &remote.path, "refs/notes/drift").is_some();

    git_ok(&env, &["push", "-q", "--dry-run", "origin", "main"]);
    assert!(!has_notes(), "a dry run pushes no notes");
    git_ok(&env, &["push", "-q", "--no-verify", "origin", "main"]);
    assert!(!has_notes(), "--no-verify pushes no notes");
    env.git(&["tag", "v1"]);
    git_ok(&env, &["push", "-q", "origin", "v1"]);
    assert!(!has_notes(), "a tag-only push pushes no notes");
    git_ok(
        &env,
        &["push", "-q", "--no-verify", "origin", "main:refs/heads/tmp"],
    );
    git_ok(&env, &["push", "-q", "origin", ":refs/heads/tmp"]);
    assert!(rev(&first, &remote.path, "refs/heads/tmp").is_none());
    assert!(!has_notes(), "a delete pushes no notes");

    // The branch is up to date, yet a plain `git push` brings the notes along.
    let err = git_ok(&env, &["push", "origin", "main"]);
    assert!(err.contains("Everything up-to-date"), "{err}");
    assert_eq!(
        notes_list(&first, &remote.path, "drift").get(&commit),
        notes_list(&env, &env.repo, "drift").get(&commit)
    );
}

#[test]
fn remotes_added_after_init_and_urls_get_notes_too() {
    let env = Env::new();
    let remote = Remote::new(&env);
    env.drift_ok(&["init"]);
    let commit = agent_commit(&env, &session_id(3, 1), "b.py", "y = 2\n");
    let ours = notes_list(&env, &env.repo, "drift");
    assert!(ours.contains_key(&commit));

    // Pushing to a URL: notes go, no remote configuration or scratch ref is left behind.
    git_ok(&env, &["push", "-q", &remote.file_url(), "main"]);
    assert_eq!(notes_list(&env, &remote.path, "drift"), ours);
    let refs = env.git(&["for-each-ref", "--format=%(refname)"]);
    assert_eq!(refs.trim(), "refs/heads/main\nrefs/notes/drift", "{refs}");

    // A remote added after init gets the fetch refspec from its first push.
    env.git(&["remote", "add", "origin", &remote.url()]);
    let commit2 = agent_commit(&env, &session_id(3, 2), "c.py", "z = 3\n");
    git_ok(&env, &["push", "-q", "-u", "origin", "main"]);
    let specs = env.git(&["config", "--get-all", "remote.origin.fetch"]);
    assert!(
        specs
            .lines()
            .any(|l| l == "+refs/notes/drift:refs/notes/remotes/origin/drift"),
        "{specs}"
    );
    let server = notes_list(&env, &remote.path, "drift");
    assert_eq!(server, notes_list(&env, &env.repo, "drift"));
    assert!(server.contains_key(&commit2));
    assert_eq!(
        rev(&env, &env.repo, "refs/notes/remotes/origin/drift"),
        rev(&env, &env.repo, "refs/notes/drift"),
        "the tracking ref knows what the remote has"
    );
}

/// A note as person `who` writes it: their own session on `own` lines, and the shared session
/// on `shared` lines from `prompt`.
fn handmade(who: &str, own: (u32, u32), shared_id: &str, shared: u32, prompt: &str) -> Note {
    let mut note = Note::default();
    let line = |n: u32| format!("line {n}");
    let texts: Vec<String> = (own.0..=own.1).map(line).collect();
    let lines: Vec<(Who, Option<&str>, &str)> = texts
        .iter()
        .map(|t| (Who::Ai(who.to_string()), None, t.as_str()))
        .collect();
    note.set_lines("app.py", own.0, &lines);
    let key = prompt_key(prompt);
    let text = line(shared);
    note.set_lines(
        "app.py",
        shared,
        &[(Who::Ai(shared_id.to_string()), Some(key.as_str()), &text)],
    );
    let mut mine = SessionRecord::new(who);
    mine.agent = "claude-code".into();
    mine.ended = Some(1_000);
    note.add_session(mine);
    let mut both = SessionRecord::new(shared_id);
    both.agent = "claude-code".into();
    both.ended = Some(2_000);
    both.accepted = 1;
    both.prompts.insert(key, prompt.to_string());
    note.add_session(both);
    note
}

/// Replace the note of `commit` with `note`, the way plain git does it.
fn plain_git_note(env: &Env, commit: &str, note: &Note) {
    let file = env.tmp.path().join("note.txt");
    std::fs::write(&file, note.render()).unwrap();
    let file = file.to_string_lossy().into_owned();
    env.git(&["notes", "--ref=drift", "add", "-f", "-F", &file, commit]);
}

#[test]
fn two_people_noting_one_commit_merge_into_one_note() {
    let first = Env::new();
    let remote = Remote::new(&first);
    let alice = member(&remote);
    alice.write("app.py", "1\n2\n3\n4\n5\n6\n");
    let commit = alice.commit("app");
    git_ok(&alice, &["push", "-q", "origin", "main"]);
    let bob = member(&remote);

    let shared = "5ea5ed00-0000-4000-8000-000000000000";
    let (sa, sb) = (session_id(4, 1), session_id(4, 2));
    let note_a = handmade(&sa, (1, 2), shared, 5, "alice asked");
    let note_b = handmade(&sb, (3, 4), shared, 6, "bob asked");
    plain_git_note(&alice, &commit, &note_a);
    plain_git_note(&bob, &commit, &note_b);

    let a1 = sync_json(&alice, &[]);
    assert_eq!(
        (&a1["status"], &a1["pushed"], &a1["fetched"]),
        (&"pushed".into(), &1.into(), &0.into()),
        "{a1}"
    );
    let b1 = sync_json(&bob, &["origin"]);
    assert_eq!(
        (&b1["status"], &b1["fetched"], &b1["merged"], &b1["pushed"]),
        (&"pushed".into(), &1.into(), &1.into(), &1.into()),
        "{b1}"
    );
    let a2 = sync_json(&alice, &[]);
    assert_eq!(
        (&a2["status"], &a2["fetched"], &a2["merged"], &a2["pushed"]),
        (&"up-to-date".into(), &1.into(), &0.into(), &0.into()),
        "a fast-forward: Bob's merge already holds Alice's note: {a2}"
    );

    let text = note_text(&alice, &alice.repo, "drift", &commit).expect("merged note");
    assert_eq!(
        note_text(&bob, &bob.repo, "drift", &commit).as_deref(),
        Some(text.as_str())
    );
    assert_eq!(
        note_text(&first, &remote.path, "drift", &commit).as_deref(),
        Some(text.as_str())
    );
    // Both people's sessions and ranges; the shared session once, with both prompts.
    let merged = Note::parse(&text);
    let ids: Vec<&str> = merged.sessions.keys().map(String::as_str).collect();
    let mut want = vec![sa.as_str(), sb.as_str(), shared];
    want.sort();
    assert_eq!(ids, want);
    let session_lines = text
        .lines()
        .filter(|l| l.starts_with(&format!("session {shared} ")))
        .count();
    assert_eq!(session_lines, 1, "{text}");
    let prompts: Vec<&str> = merged.sessions[shared]
        .prompts
        .values()
        .map(String::as_str)
        .collect();
    assert_eq!(prompts.len(), 2);
    assert!(prompts.contains(&"alice asked") && prompts.contains(&"bob asked"));
    let who = |n| merged.who_at("app.py", n).map(|i| i.who.clone());
    assert_eq!(who(1), Some(Who::Ai(sa.clone())));
    assert_eq!(who(2), Some(Who::Ai(sa.clone())));
    assert_eq!(who(3), Some(Who::Ai(sb.clone())));
    assert_eq!(who(4), Some(Who::Ai(sb.clone())));
    assert_eq!(who(5), Some(Who::Ai(shared.to_string())));
    assert_eq!(who(6), Some(Who::Ai(shared.to_string())));
    // It is exactly the library's union of the two.
    let mut union = note_a.clone();
    union.merge(note_b.clone());
    assert_eq!(text, union.render());

    // Syncing again changes nothing anywhere.
    let server_tip = rev(&first, &remote.path, "refs/notes/drift");
    let b2 = sync_json(&bob, &[]);
    assert_eq!(b2["status"], "up-to-date", "{b2}");
    assert_eq!(b2["fetched"], 0, "{b2}");
    assert_eq!(b2["tip"].as_str(), server_tip.as_deref());
    assert_eq!(rev(&first, &remote.path, "refs/notes/drift"), server_tip);
    let human = bob.drift_ok(&["sync"]);
    assert_eq!(
        human,
        "origin: 0 notes fetched, 0 merged, 0 pushed; up to date (1 note in refs/notes/drift)\n"
    );
}

#[test]
fn notes_a_plain_git_teammate_wrote_in_a_fanned_out_tree_merge() {
    let first = Env::new();
    let remote = Remote::new(&first);
    // The seed and Carol use plain git only.
    let seed = Env::clone_of(&remote.url(), &[]);
    seed.write("README.md", "# team\n");
    seed.commit("initial");
    seed.git(&["push", "-q", "origin", "main"]);
    let carol = Env::clone_of(&remote.url(), &[]);
    const N: usize = 300;
    let mut script = String::new();
    for i in 1..=N {
        let msg = format!("c{i}");
        script.push_str(&format!(
            "commit refs/heads/many\nmark :{i}\ncommitter C <c@c> 1700000000 +0000\ndata {}\n{msg}\n\n",
            msg.len()
        ));
    }
    script.push_str("commit refs/notes/drift\ncommitter C <c@c> 1700000000 +0000\ndata 6\nnotes\n");
    for i in 1..=N {
        let text = format!("drift-note/1\nfile f{i}.rs 1-2 human\n");
        script.push_str(&format!("N inline :{i}\ndata {}\n{text}", text.len()));
    }
    script.push('\n');
    let mut child = carol
        .cmd_in("git", &carol.repo)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
    }
    assert!(child.wait().unwrap().success());
    let root = carol.git(&["ls-tree", "refs/notes/drift"]);
    assert!(
        root.lines().all(|l| l.starts_with("040000 tree ")),
        "fast-import fanned the notes out:\n{root}"
    );
    carol.git(&["push", "-q", "origin", "many", "refs/notes/drift"]);

    // Dave uses git drift and notes one of Carol's commits himself.
    let dave = member(&remote);
    dave.git(&["fetch", "-q", "origin", "many"]);
    let target = rev(&dave, &dave.repo, "FETCH_HEAD~7").unwrap();
    let his = handmade(
        &session_id(5, 1),
        (3, 4),
        &session_id(5, 2),
        9,
        "dave asked",
    );
    plain_git_note(&dave, &target, &his);
    let report = sync_json(&dave, &[]);
    assert_eq!(report["fetched"], N, "{report}");
    assert_eq!(report["merged"], 1, "{report}");
    assert_eq!(report["pushed"], 1, "{report}");
    assert_eq!(report["notes"], N, "{report}");

    // Carol, still with plain git, fast-forwards onto the merge: her history was kept.
    let before = notes_list(&carol, &carol.repo, "drift");
    carol.git(&["fetch", "-q", "origin", "refs/notes/drift:refs/notes/drift"]);
    let after = notes_list(&carol, &carol.repo, "drift");
    assert_eq!(after.len(), N);
    let changed: Vec<&String> = after.keys().filter(|c| before[*c] != after[*c]).collect();
    assert_eq!(changed, vec![&target]);
    let text = note_text(&carol, &carol.repo, "drift", &target).unwrap();
    let i = N - 7;
    assert!(
        text.contains(&format!("file f{i}.rs 1-2 human\n")),
        "{text}"
    );
    assert!(text.contains(&session_id(5, 1)), "{text}");
    assert!(text.contains("\"dave asked\""), "{text}");
}

#[test]
fn a_shallow_clone_keeps_notes_of_commits_it_lacks() {
    let first = Env::new();
    let remote = Remote::new(&first);
    let alice = member(&remote);
    let mut old = Vec::new();
    for n in 0..3 {
        old.push(agent_commit(
            &alice,
            &session_id(6, n),
            &format!("m{n}.py"),
            &format!("v = {n}\n"),
        ));
    }
    git_ok(&alice, &["push", "-q", "origin", "main"]);

    let shallow = Env::clone_of(&remote.file_url(), &["--depth", "1"]);
    shallow.drift_ok(&["init"]);
    assert_eq!(
        shallow
            .git(&["rev-parse", "--is-shallow-repository"])
            .trim(),
        "true"
    );
    assert!(
        rev(&shallow, &shallow.repo, &format!("{}^{{commit}}", old[0])).is_none(),
        "the shallow clone lacks the oldest commit"
    );
    git_ok(&shallow, &["fetch", "-q"]);
    let tracked = notes_list(&shallow, &shallow.repo, "refs/notes/remotes/origin/drift");
    assert!(old.iter().all(|c| tracked.contains_key(c)), "{tracked:?}");

    let mine = agent_commit(&shallow, &session_id(6, 9), "s.py", "w = 9\n");
    let err = git_ok(
        &shallow,
        &["push", "-q", "origin", "HEAD:refs/heads/shallow"],
    );
    assert!(drift_lines(&err).is_empty(), "{err}");
    let local = notes_list(&shallow, &shallow.repo, "drift");
    let server = notes_list(&first, &remote.path, "drift");
    assert_eq!(local, server);
    for c in old.iter().chain([&mine]) {
        assert!(server.contains_key(c), "{c} kept: {server:?}");
    }
    assert_eq!(
        server.get(&old[0]),
        notes_list(&alice, &alice.repo, "drift").get(&old[0]),
        "byte for byte"
    );
}

#[test]
fn a_hanging_remote_costs_the_push_only_the_budget() {
    let first = Env::new();
    let remote = Remote::new(&first);
    let env = member(&remote);
    agent_commit(&env, &session_id(7, 1), "h.py", "h = 1\n");
    // Only our notes fetch runs upload-pack; the user's push (receive-pack) is unaffected.
    env.git(&[
        "config",
        "remote.origin.uploadpack",
        "sleep 60; git-upload-pack",
    ]);
    let started = Instant::now();
    let out = env
        .cmd_in("git", &env.repo)
        .args(["push", "-q", "origin", "main"])
        .env("GIT_DRIFT_SYNC_TIMEOUT", "1")
        .output()
        .unwrap();
    let took = started.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        took < Duration::from_secs(20),
        "took {took:?}; the stuck fetch was not killed"
    );
    let warnings = drift_lines(&err);
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(warnings[0].contains("timed out"), "{err}");
    assert_eq!(
        rev(&first, &remote.path, "refs/heads/main"),
        rev(&env, &env.repo, "HEAD")
    );
}

#[test]
fn sync_without_a_remote_is_a_user_error() {
    let env = Env::new();
    env.drift_ok(&["init"]);
    let out = env.drift(&["sync"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no remote to sync with"), "{err}");
}
