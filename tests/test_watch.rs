//! `git drift watch`: the registry init writes, the lock, capture as transcripts grow, the
//! watcher beside the post-commit hook and a capture loop, and the service definitions.

use crate::common::{Claude, Env, T0, bin_dir};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A watcher process, killed when dropped; its stdout and stderr go to files.
struct Watcher {
    child: Child,
    out: PathBuf,
    err: PathBuf,
}

impl Watcher {
    fn start(env: &Env, args: &[&str]) -> Watcher {
        let n = std::sync::atomic::AtomicUsize::new(0);
        let tag = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let out = env
            .tmp
            .path()
            .join(format!("watch-{}-{tag}.out", std::process::id()));
        let err = out.with_extension("err");
        let exe = bin_dir().join("git-drift");
        // The binary itself, not `git drift`: killing git would leave its child running.
        let child = env
            .cmd_in(exe.to_str().expect("utf-8 path"), &env.repo)
            .arg("watch")
            .args(args)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).expect("out file"))
            .stderr(std::fs::File::create(&err).expect("err file"))
            .spawn()
            .expect("start watcher");
        let w = Watcher { child, out, err };
        w.wait_for(
            |o| o.contains("git drift watch (pid"),
            "the watcher to start",
        );
        w
    }

    fn stdout(&self) -> String {
        std::fs::read_to_string(&self.out).unwrap_or_default()
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.err).unwrap_or_default()
    }

    /// Wait (up to 20 s) until the watcher's stdout satisfies `ok`.
    fn wait_for(&self, ok: impl Fn(&str) -> bool, what: &str) {
        wait_until(
            || ok(&self.stdout()),
            what,
            || format!("stdout:\n{}\nstderr:\n{}", self.stdout(), self.stderr()),
        );
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_until(ok: impl Fn() -> bool, what: &str, explain: impl Fn() -> String) {
    let start = Instant::now();
    while !ok() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}\n{}",
            explain()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Events in a store, and the prompt texts, read straight from SQLite (not through a git
/// drift command, which would capture first).
fn stored(db: &Path) -> (Vec<String>, Vec<String>) {
    if !db.exists() {
        return (Vec::new(), Vec::new());
    }
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open store");
    conn.busy_timeout(Duration::from_secs(5))
        .expect("busy timeout");
    let col = |sql: &str| -> Vec<String> {
        // The watcher may not have created the tables yet.
        let Ok(mut st) = conn.prepare(sql) else {
            return Vec::new();
        };
        st.query_map([], |r| r.get::<_, String>(0))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect()
    };
    (
        col("SELECT id FROM events ORDER BY id"),
        col("SELECT data FROM events WHERE kind = 'prompt' ORDER BY ts, ord"),
    )
}

fn registry(env: &Env) -> String {
    std::fs::read_to_string(env.home.join(".local/state/drift/repos")).unwrap_or_default()
}

#[test]
fn init_registers_the_repository_and_init_uninstall_unregisters_it() {
    let env = Env::new();
    env.drift_ok(&["init"]);
    let root = env.repo.to_string_lossy().into_owned();
    assert_eq!(registry(&env).lines().filter(|l| *l == root).count(), 1);
    env.drift_ok(&["init"]);
    assert_eq!(
        registry(&env).lines().filter(|l| *l == root).count(),
        1,
        "init twice registers once"
    );
    env.drift_ok(&["init", "--uninstall"]);
    assert!(
        !registry(&env).lines().any(|l| l == root),
        "{}",
        registry(&env)
    );
}

#[test]
fn watcher_captures_a_session_as_it_is_written_and_status_shows_it_running() {
    let env = Env::new();
    env.drift_ok(&["init"]);
    let status = env.drift_ok(&["status"]);
    assert!(status.contains("watcher     not running"), "{status}");
    let w = Watcher::start(&env, &[]);
    assert!(w.stdout().contains("1 repository"), "{}", w.stdout());
    let mut c = Claude::new(&env, "aaaaaaaa-1111-4000-8000-000000000001", T0 - 3600);
    c.prompt("add a retry to fetch");
    let db = env.repo.join(".prompts/events.db");
    wait_until(
        || {
            stored(&db)
                .1
                .iter()
                .any(|p| p.contains("add a retry to fetch"))
        },
        "the watcher to capture the first prompt",
        || w.stderr(),
    );
    c.prompt("now log each attempt");
    wait_until(
        || {
            stored(&db)
                .1
                .iter()
                .any(|p| p.contains("now log each attempt"))
        },
        "the watcher to capture the appended prompt",
        || w.stderr(),
    );
    let root = env.repo.display().to_string();
    w.wait_for(
        |o| o.contains(&format!("{root}: 1 session, 1 new event")),
        "a capture line",
    );
    let pid = w.child.id();
    let status = env.drift_ok(&["status"]);
    assert!(
        status.contains(&format!("watcher     running (pid {pid})")),
        "{status}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&env.drift_ok(&["status", "--json"])).unwrap();
    assert_eq!(json["watcher"]["running"], true);
    assert_eq!(json["watcher"]["pid"], pid);
    assert_eq!(json["watcher"]["registered"], true);
    assert_eq!(w.stderr(), "", "no warnings");
}

#[test]
fn second_watcher_says_one_is_running_and_exits() {
    let env = Env::new();
    env.drift_ok(&["init"]);
    let w = Watcher::start(&env, &["--quiet"]);
    let out = env.drift(&["watch"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("already running (pid {})", w.child.id())),
        "{err}"
    );
}

#[test]
fn quiet_watcher_prints_no_capture_lines() {
    let env = Env::new();
    env.drift_ok(&["init"]);
    let w = Watcher::start(&env, &["--quiet"]);
    let mut c = Claude::new(&env, "aaaaaaaa-3333-4000-8000-000000000003", T0 - 3600);
    c.prompt("quietly captured");
    let db = env.repo.join(".prompts/events.db");
    wait_until(
        || stored(&db).1.iter().any(|p| p.contains("quietly captured")),
        "the quiet watcher to capture",
        || w.stderr(),
    );
    assert_eq!(
        w.stdout().lines().count(),
        1,
        "only the start line: {}",
        w.stdout()
    );
}

#[test]
fn watcher_routes_sessions_to_the_repository_of_their_cwd() {
    let env = Env::new();
    env.drift_ok(&["init"]);
    let other = env.tmp.path().canonicalize().unwrap().join("other-repo");
    std::fs::create_dir_all(&other).unwrap();
    env.git_in(&other, &["init", "-q"]);
    let out = env
        .cmd_in("git", &other)
        .args(["drift", "init"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let w = Watcher::start(&env, &[]);
    assert!(w.stdout().contains("2 repositories"), "{}", w.stdout());
    Claude::new(&env, "aaaaaaaa-4444-4000-8000-000000000004", T0 - 3600).prompt("for widget");
    Claude::in_dir(
        &env,
        "aaaaaaaa-5555-4000-8000-000000000005",
        T0 - 3600,
        &other,
    )
    .prompt("for other");
    let here = env.repo.join(".prompts/events.db");
    let there = other.join(".prompts/events.db");
    wait_until(
        || !stored(&here).1.is_empty() && !stored(&there).1.is_empty(),
        "both repositories' sessions",
        || w.stderr(),
    );
    std::thread::sleep(Duration::from_millis(300));
    let here = stored(&here).1;
    let there = stored(&there).1;
    assert!(here.iter().all(|p| p.contains("for widget")), "{here:?}");
    assert!(there.iter().all(|p| p.contains("for other")), "{there:?}");
}

/// Issue 14's concurrency case: the watcher runs while 30 commits are made (each running the
/// post-commit hook's capture and bind) and a loop of manual captures runs. Nothing is lost,
/// nothing duplicated (the store equals one built afresh from the same transcripts), and no
/// process reports a locked database.
#[test]
fn watcher_hook_and_capture_loop_together_lose_and_duplicate_nothing() {
    let env = Env::new();
    env.drift_ok(&["init"]);
    let w = Watcher::start(&env, &[]);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let looper = {
        let stop = stop.clone();
        let mut cmd = env.cmd_in(bin_dir().join("git-drift").to_str().unwrap(), &env.repo);
        cmd.args(["capture", "--quiet"]);
        std::thread::spawn(move || {
            let mut errors = String::new();
            let mut runs = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let out = cmd.output().expect("capture");
                runs += 1;
                if !out.status.success() || !out.stderr.is_empty() {
                    errors.push_str(&String::from_utf8_lossy(&out.stderr));
                }
            }
            (runs, errors)
        })
    };
    let mut c = Claude::new(&env, "aaaaaaaa-2222-4000-8000-000000000002", T0 - 7200);
    let mut hook_err = String::new();
    for i in 0..30 {
        c.prompt(&format!("write file {i}"))
            .write(&format!("f{i}.txt"), &format!("line {i}\n"));
        env.tick(60);
        env.git(&["add", "-A"]);
        let out = env
            .cmd_in("git", &env.repo)
            .args(["commit", "-q", "-m", &format!("c{i}")])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        hook_err.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (runs, loop_err) = looper.join().expect("capture loop");
    assert!(runs > 0);
    let db = env.repo.join(".prompts/events.db");
    wait_until(
        || stored(&db).1.len() == 30,
        "all 30 prompts in the store",
        || format!("{:?}\n{}", stored(&db).1.len(), w.stderr()),
    );
    // Let the watcher finish whatever burst it is in.
    std::thread::sleep(Duration::from_millis(800));
    let (ids, prompts) = stored(&db);
    let want: Vec<String> = (0..30).map(|i| format!("write file {i}")).collect();
    for (p, w) in prompts.iter().zip(&want) {
        assert!(p.contains(w.as_str()), "{p} should be {w}");
    }
    // A store built afresh from the same transcripts holds exactly the same events.
    let fresh = env.tmp.path().join("fresh");
    std::fs::create_dir_all(&fresh).unwrap();
    drop(w);
    std::fs::rename(&db, fresh.join("watched.db")).unwrap();
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    env.drift_ok(&["capture", "--quiet"]);
    let (fresh_ids, _) = stored(&db);
    assert_eq!(ids, fresh_ids, "watched store = store built afresh");
    for (who, text) in [("hook", &hook_err), ("capture loop", &loop_err)] {
        assert!(!text.contains("locked"), "{who}: {text}");
        assert!(!text.contains("warning"), "{who}: {text}");
    }
    let notes = env.git(&["notes", "--ref=drift", "list"]);
    assert_eq!(notes.lines().count(), 30, "every commit bound by its hook");
}

#[test]
fn watch_install_writes_a_systemd_unit_says_how_to_start_it_and_uninstall_removes_it() {
    let env = Env::new();
    let out = env.drift_ok(&["watch", "--install", "--service", "systemd"]);
    let unit = env
        .home
        .join(".config/systemd/user/git-drift-watch.service");
    let text = std::fs::read_to_string(&unit).expect("unit written");
    let exe = bin_dir().join("git-drift");
    assert!(
        text.contains(&format!("ExecStart=\"{}\" watch --quiet", exe.display())),
        "{text}"
    );
    assert!(text.contains("WantedBy=default.target"), "{text}");
    assert!(out.contains(&format!("wrote {}", unit.display())), "{out}");
    assert!(out.contains("not started"), "{out}");
    assert!(
        out.contains("systemctl --user enable --now git-drift-watch.service"),
        "{out}"
    );
    let again = env.drift_ok(&["watch", "--install", "--service", "systemd"]);
    assert!(again.contains("unchanged"), "{again}");
    let out = env.drift_ok(&["watch", "--uninstall", "--service", "systemd"]);
    assert!(!unit.exists());
    assert!(out.contains("systemctl --user disable --now"), "{out}");
    let out = env.drift_ok(&["watch", "--uninstall", "--service", "systemd"]);
    assert!(out.contains("nothing to remove"), "{out}");
}

#[test]
fn watch_install_writes_a_launchd_agent_and_uninstall_leaves_a_foreign_file_alone() {
    let env = Env::new();
    let out = env.drift_ok(&["watch", "--install", "--service", "launchd"]);
    let plist = env
        .home
        .join("Library/LaunchAgents/dev.git-drift.watch.plist");
    let text = std::fs::read_to_string(&plist).expect("plist written");
    assert!(
        text.contains("<string>dev.git-drift.watch</string>"),
        "{text}"
    );
    assert!(text.contains("<string>watch</string>"), "{text}");
    assert!(
        !text
            .split("<!--")
            .nth(1)
            .unwrap_or("")
            .split("-->")
            .next()
            .unwrap_or("")
            .contains("--")
    );
    assert!(
        out.contains(&format!("launchctl load -w {}", plist.display())),
        "{out}"
    );
    env.drift_ok(&["watch", "--uninstall", "--service", "launchd"]);
    assert!(!plist.exists());
    std::fs::write(&plist, "<plist>someone else's</plist>").unwrap();
    let out = env.drift(&["watch", "--uninstall", "--service", "launchd"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(plist.exists(), "a file we did not write is left alone");
}
