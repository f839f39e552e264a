//! The attribution scenario suite: everyday situations with known authorship, each stating
//! the truth for every line of the files it checks, scored together. The bar: no human line
//! labelled AI, and at least 99% of lines right.
//!
//! Truth labels are those of [`labels`]: `ai:aaaa` (ai, session prefix), `mod:aaaa`
//! (modified), `human`, and `-` for lines the commit did not add.

use crate::common::{Claude, Codex, Env};
use crate::test_attribution::{commit_staged, labels};

const A: &str = "ai:aaaa";
const B: &str = "ai:bbbb";
const C: &str = "ai:cccc";
const MA: &str = "mod:aaaa";
const H: &str = "human";
const U: &str = "-";

const CLAUDE_A: &str = "aaaa1111-0000-4000-8000-00000000000a";
const CLAUDE_B: &str = "bbbb2222-0000-4000-8000-00000000000b";
const CODEX_C: &str = "cccc3333-4d2e-7a10-9c3b-5e6f7a8b9c0d";

/// Lines right, lines scored, human lines labelled AI, and what went wrong.
#[derive(Default)]
struct Score {
    right: usize,
    total: usize,
    human_as_ai: usize,
    misses: Vec<String>,
}

impl Score {
    fn check(&mut self, env: &Env, scenario: &str, commit: &str, path: &str, truth: &[&str]) {
        let got = labels(env, commit, path);
        if got.len() != truth.len() {
            self.total += truth.len().max(got.len());
            self.misses.push(format!(
                "{scenario}: {path} has {} lines, truth {}",
                got.len(),
                truth.len()
            ));
            return;
        }
        for (i, (g, t)) in got.iter().zip(truth).enumerate() {
            if *t == U && g == U {
                continue;
            }
            self.total += 1;
            if g == t {
                self.right += 1;
                continue;
            }
            if (*t == H || *t == U) && (g.starts_with("ai:") || g.starts_with("mod:")) {
                self.human_as_ai += 1;
            }
            self.misses
                .push(format!("{scenario}: {path}:{} is {g}, truth {t}", i + 1));
        }
    }

    fn absorb(&mut self, other: Score) {
        self.right += other.right;
        self.total += other.total;
        self.human_as_ai += other.human_as_ai;
        self.misses.extend(other.misses);
    }
}

/// A repository with git drift installed and a first human commit.
fn setup() -> Env {
    let env = Env::new();
    env.drift_ok(&["init"]);
    env.write("README.md", "# widget\n");
    env.commit("initial");
    env
}

/// A new Claude session starting just after the repository's clock: its id starts like
/// `id` (the label shows the first four characters) and is unique in the suite.
fn claude<'e>(env: &'e Env, id: &str) -> Claude<'e> {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let id = format!("{}{n:04}", &id[..id.len() - 4]);
    Claude::new(env, &id, env.clock.get() + 5)
}

/// Let time pass after agent work, so the next commit comes after it.
fn settle(env: &Env) {
    env.tick(300);
}

fn head(env: &Env) -> String {
    env.git(&["rev-parse", "HEAD"]).trim().to_string()
}

/// The commit of the current branch whose subject is `subject`.
fn by_subject(env: &Env, subject: &str) -> String {
    let log = env.git(&["log", "--format=%H %s"]);
    let line = log
        .lines()
        .find(|l| &l[41..] == subject)
        .unwrap_or_else(|| panic!("no commit {subject:?} in\n{log}"));
    line[..40].to_string()
}

/// `git rebase -i` with the todo list `todo` (or git's own, for autosquash, when None).
fn rebase_i(env: &Env, onto: &str, todo: Option<&str>, extra: &[&str]) {
    let editor = match todo {
        Some(t) => {
            let path = env.tmp.path().join("todo");
            std::fs::write(&path, t).unwrap();
            format!("cp {}", path.display())
        }
        None => "true".to_string(),
    };
    env.tick(60);
    let out = env
        .cmd_in("git", &env.repo)
        .env("GIT_SEQUENCE_EDITOR", editor)
        .env("GIT_EDITOR", "true")
        .args(["rebase", "-q", "-i"])
        .args(extra)
        .arg(onto)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write_edit_human(s: &mut Score) {
    let env = setup();
    let mut c = claude(&env, CLAUDE_A);
    c.prompt("write the client").write(
        "client.py",
        "import requests\n\nclass Client:\n    def __init__(self, base):\n        self.base = base\n",
    );
    c.edit(
        "client.py",
        "        self.base = base\n",
        "        self.base = base\n\n    def get(self, path):\n        return requests.get(self.base + path)\n",
    );
    let text = env
        .read("client.py")
        .replace("import requests\n", "import requests\nimport logging\n");
    env.write(
        "client.py",
        &format!("{text}\n# maintained by the platform team\n"),
    );
    settle(&env);
    let commit = env.commit("client");
    let truth = [A, H, A, A, A, A, A, A, A, H, H];
    s.check(&env, "write_edit_human", &commit, "client.py", &truth);
}

fn two_agents_one_file(s: &mut Score) {
    let env = setup();
    env.write("lib.rs", "// lib\n");
    env.commit("lib");
    claude(&env, CLAUDE_A).prompt("add parse").edit(
        "lib.rs",
        "// lib\n",
        "// lib\npub fn parse(s: &str) -> u32 {\n    s.parse().unwrap_or(0)\n}\n",
    );
    let mut x = Codex::new(&env, CODEX_C, env.clock.get() + 100);
    let after = format!(
        "{}pub fn render(n: u32) -> String {{\n    format!(\"{{n}}\")\n}}\n",
        env.read("lib.rs")
    );
    x.prompt("add render").patch(
        "*** Begin Patch\n*** Update File: lib.rs\n@@\n     s.parse().unwrap_or(0)\n }\n+pub fn render(n: u32) -> String {\n+    format!(\"{n}\")\n+}\n*** End Patch\n",
        &[("lib.rs", &after)],
    );
    let mut b = Claude::new(&env, CLAUDE_B, env.clock.get() + 200);
    b.prompt("doc").edit(
        "lib.rs",
        "// lib\n",
        "// lib\n/// Parsing and rendering of counters.\n",
    );
    env.write("lib.rs", &format!("{}// end of lib\n", env.read("lib.rs")));
    env.tick(400);
    let commit = env.commit("both");
    let truth = [U, B, A, A, A, C, C, C, H];
    s.check(&env, "two_agents_one_file", &commit, "lib.rs", &truth);
}

fn modified_and_deleted(s: &mut Score) {
    let env = setup();
    claude(&env, CLAUDE_A).prompt("server").write(
        "server.py",
        "def serve(port):\n    sock = bind_socket(port=8080)\n    log_startup_banner(port)\n    debug_dump_everything(sock)\n    return loop_forever(sock)\n",
    );
    let text = env
        .read("server.py")
        .replace("port=8080", "port=port")
        .replace("    debug_dump_everything(sock)\n", "");
    env.write("server.py", &text);
    settle(&env);
    let commit = env.commit("server");
    s.check(
        &env,
        "modified_and_deleted",
        &commit,
        "server.py",
        &[A, MA, A, A],
    );
}

fn rejected_failed_superseded(s: &mut Score) {
    let env = setup();
    env.write("calc.py", "def total(xs):\n    return 0\n");
    env.commit("base");
    let mut c = claude(&env, CLAUDE_A);
    c.prompt("implement total")
        .rejected_edit(
            "calc.py",
            "    return 0\n",
            "    return functools.reduce(operator.add, xs)\n",
            Some("no reduce"),
        )
        .failed_edit(
            "calc.py",
            "    return None\n",
            "    return sum_of_all_values(xs)\n",
        )
        .edit(
            "calc.py",
            "    return 0\n",
            "    result = accumulate_slowly(xs)\n    return result\n",
        )
        .edit(
            "calc.py",
            "    result = accumulate_slowly(xs)\n",
            "    result = sum(xs)\n",
        );
    // The human writes the rejected and the failed texts below.
    env.write(
        "calc.py",
        &format!(
            "{}\ndef other(xs):\n    return functools.reduce(operator.add, xs)\n\ndef third(xs):\n    return sum_of_all_values(xs)\n",
            env.read("calc.py")
        ),
    );
    settle(&env);
    let commit = env.commit("total");
    let truth = [U, A, A, H, H, H, H, H, H];
    s.check(
        &env,
        "rejected_failed_superseded",
        &commit,
        "calc.py",
        &truth,
    );
}

fn common_lines(s: &mut Score) {
    let env = setup();
    env.write(
        "util.py",
        "import sys\n\ndef load(path):\n    return open(path).read()\n",
    );
    env.commit("base");
    let mut c = claude(&env, CLAUDE_A);
    c.prompt("guard load").edit(
        "util.py",
        "def load(path):\n    return open(path).read()\n",
        "def load(path):\n    import os\n    if not os.path.exists(path):\n        return None\n    return open(path).read()\n",
    );
    c.write("other.rs", "fn main() {\n    run();\n}\n");
    let human = "\ndef save(path, data):\n    import os\n    if not os.path.exists(path):\n        return None\n    open(path, 'w').write(data)\n";
    env.write("util.py", &format!("{}{human}", env.read("util.py")));
    env.write(
        "human.py",
        "import os\nif not os.path.exists(path):\n    return None\n",
    );
    env.write("human.rs", "fn helper() {\n    run();\n}\n");
    settle(&env);
    let commit = env.commit("guards");
    let truth = [U, U, U, A, A, A, U, H, H, H, H, H, H];
    s.check(&env, "common_lines_same_file", &commit, "util.py", &truth);
    s.check(
        &env,
        "common_lines_other_file",
        &commit,
        "human.py",
        &[H, H, H],
    );
    s.check(
        &env,
        "common_lines_other_file",
        &commit,
        "human.rs",
        &[H, H, H],
    );
    s.check(
        &env,
        "common_lines_other_file",
        &commit,
        "other.rs",
        &[A, A, A],
    );
}

fn write_over_existing(s: &mut Score) {
    let env = setup();
    env.write("conf.py", "import os\nRETRIES = 3\nNAME = 'svc'\n");
    env.commit("base");
    claude(&env, CLAUDE_A).prompt("add backoff").write(
        "conf.py",
        "import os\nRETRIES = 3\nBACKOFF_SECONDS = 2\nNAME = 'svc'\n",
    );
    settle(&env);
    let commit = env.commit("backoff");
    s.check(
        &env,
        "write_over_existing",
        &commit,
        "conf.py",
        &[U, U, A, U],
    );
}

fn sub_line_and_replace_all(s: &mut Score) {
    let env = setup();
    env.write(
        "net.py",
        "a = call(timeout=5)\nb = call(timeout=5)\nc = other()\nd = call(timeout=5)\n",
    );
    env.commit("base");
    let mut c = claude(&env, CLAUDE_A);
    c.prompt("longer timeouts")
        .edit_all("net.py", "timeout=5", "timeout=30");
    c.multi_edit("net.py", &[("c = other()", "c = other(retries=2)")]);
    settle(&env);
    let commit = env.commit("timeouts");
    s.check(
        &env,
        "sub_line_and_replace_all",
        &commit,
        "net.py",
        &[A, A, A, A],
    );
}

fn amend(s: &mut Score) {
    let env = setup();
    claude(&env, CLAUDE_A)
        .prompt("f")
        .write("f.py", "def f():\n    return 42\n");
    settle(&env);
    env.commit("f");
    env.write("f.py", &format!("{}# human footer\n", env.read("f.py")));
    env.tick(60);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "--amend", "-m", "f amended"]);
    s.check(&env, "amend", &head(&env), "f.py", &[A, A, H]);
}

/// Two agent commits and a human one on a branch, for the rebase scenarios.
fn three_commits(env: &Env) {
    env.git(&["checkout", "-q", "-b", "topic"]);
    claude(env, CLAUDE_A)
        .prompt("alpha")
        .write("alpha.py", "def alpha():\n    return 'alpha'\n");
    settle(env);
    env.commit("alpha");
    env.write("notes.txt", "written by hand\n");
    env.commit("notes");
    claude(env, CLAUDE_A)
        .prompt("beta")
        .write("beta.py", "def beta():\n    return 'beta'\n");
    settle(env);
    env.commit("beta");
}

fn rebase_reorder(s: &mut Score) {
    let env = setup();
    three_commits(&env);
    let (a, n, b) = (
        by_subject(&env, "alpha"),
        by_subject(&env, "notes"),
        by_subject(&env, "beta"),
    );
    let todo = format!("pick {b} beta\npick {n} notes\npick {a} alpha\n");
    rebase_i(&env, "main", Some(&todo), &[]);
    s.check(
        &env,
        "rebase_reorder",
        &by_subject(&env, "alpha"),
        "alpha.py",
        &[A, A],
    );
    s.check(
        &env,
        "rebase_reorder",
        &by_subject(&env, "beta"),
        "beta.py",
        &[A, A],
    );
    s.check(
        &env,
        "rebase_reorder",
        &by_subject(&env, "notes"),
        "notes.txt",
        &[H],
    );
}

fn squash(s: &mut Score) {
    let env = setup();
    three_commits(&env);
    let (a, n, b) = (
        by_subject(&env, "alpha"),
        by_subject(&env, "notes"),
        by_subject(&env, "beta"),
    );
    let todo = format!("pick {a} alpha\nsquash {n} notes\nsquash {b} beta\n");
    rebase_i(&env, "main", Some(&todo), &[]);
    let h = head(&env);
    s.check(&env, "squash", &h, "alpha.py", &[A, A]);
    s.check(&env, "squash", &h, "notes.txt", &[H]);
    s.check(&env, "squash", &h, "beta.py", &[A, A]);
}

fn fixup_autosquash(s: &mut Score) {
    let env = setup();
    three_commits(&env);
    let a = by_subject(&env, "alpha");
    env.write(
        "alpha.py",
        &format!("{}# reviewed by hand\n", env.read("alpha.py")),
    );
    env.tick(60);
    env.git(&["commit", "-q", "-a", "--fixup", &a]);
    rebase_i(&env, "main", None, &["--autosquash"]);
    let a2 = by_subject(&env, "alpha");
    s.check(&env, "fixup_autosquash", &a2, "alpha.py", &[A, A, H]);
    s.check(
        &env,
        "fixup_autosquash",
        &by_subject(&env, "beta"),
        "beta.py",
        &[A, A],
    );
}

fn cherry_pick(s: &mut Score) {
    let env = setup();
    env.git(&["checkout", "-q", "-b", "feature"]);
    claude(&env, CLAUDE_A)
        .prompt("feature")
        .write("feat.py", "def feature():\n    return 'feature'\n}\n");
    env.write(
        "feat.py",
        &format!("{}# tuned by hand\n", env.read("feat.py")),
    );
    settle(&env);
    let picked = env.commit("feature");
    env.git(&["checkout", "-q", "main"]);
    env.write("main.txt", "main moves on\n");
    env.commit("main moves");
    env.tick(60);
    env.git(&["cherry-pick", picked.as_str()]);
    s.check(&env, "cherry_pick", &head(&env), "feat.py", &[A, A, A, H]);
}

fn merges(s: &mut Score) {
    let env = setup();
    env.write("f.txt", "shared base line\n");
    env.commit("base");
    env.git(&["checkout", "-q", "-b", "side"]);
    claude(&env, CLAUDE_A).prompt("side").edit(
        "f.txt",
        "shared base line\n",
        "side changed the base line\n",
    );
    settle(&env);
    env.commit("side");
    env.git(&["checkout", "-q", "main"]);
    env.write("f.txt", "main changed the base line\n");
    env.write("m.txt", "main only file\n");
    env.commit("main");
    // Clean merge of another branch first: nothing new to all parents.
    env.git(&["checkout", "-q", "-b", "clean", "side"]);
    env.write("g.txt", "clean side file\n");
    env.commit("clean side");
    env.git(&["checkout", "-q", "side"]);
    env.tick(60);
    env.git(&["merge", "-q", "--no-ff", "-m", "merge clean", "clean"]);
    s.check(&env, "merge_clean", &head(&env), "g.txt", &[U]);
    s.check(
        &env,
        "merge_clean",
        &by_subject(&env, "side"),
        "f.txt",
        &[A],
    );
    // A conflict the agent resolves.
    env.git(&["checkout", "-q", "main"]);
    env.tick(60);
    let out = env
        .cmd_in("git", &env.repo)
        .args(["merge", "-q", "side"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "expected a conflict");
    let conflicted = env.read("f.txt");
    let start = conflicted.find("<<<<<<<").unwrap();
    claude(&env, CLAUDE_A).prompt("resolve").edit(
        "f.txt",
        &conflicted[start..],
        "both branches changed the base line, resolved\nresolution_note = keep_both_sides()\n",
    );
    settle(&env);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "--no-edit"]);
    s.check(&env, "merge_agent_resolved", &head(&env), "f.txt", &[A, A]);
}

fn merge_squash(s: &mut Score) {
    let env = setup();
    env.git(&["checkout", "-q", "-b", "feature"]);
    claude(&env, CLAUDE_A)
        .prompt("feature")
        .write("feat.py", "def feature():\n    return compute_feature()\n");
    settle(&env);
    env.commit("feature");
    env.write(
        "feat.py",
        &format!("{}# human note on feature\n", env.read("feat.py")),
    );
    env.commit("human touch");
    env.git(&["checkout", "-q", "main"]);
    env.git(&["merge", "-q", "--squash", "feature"]);
    let squashed = env.commit("squash feature");
    s.check(&env, "merge_squash", &squashed, "feat.py", &[A, A, H]);
}

fn moves(s: &mut Score) {
    let env = setup();
    env.write(
        "old.py",
        "def old():\n    return 1\n\ndef keep():\n    return 2\n",
    );
    env.commit("base");
    claude(&env, CLAUDE_A).prompt("extend").edit(
        "old.py",
        "    return 1\n",
        "    return compute_the_old_value()\n",
    );
    env.git(&["mv", "old.py", "renamed.py"]);
    settle(&env);
    let commit = env.commit("rename");
    s.check(&env, "git_mv", &commit, "renamed.py", &[U, A, U, U, U]);
    let mut x = Codex::new(&env, CODEX_C, env.clock.get() + 5);
    let after = env
        .read("renamed.py")
        .replace("def keep():\n", "def keep():\n    log_the_keep_call()\n");
    std::fs::remove_file(env.repo.join("renamed.py")).unwrap();
    x.prompt("move and log").patch(
        "*** Begin Patch\n*** Update File: renamed.py\n*** Move to: moved.py\n@@\n def keep():\n+    log_the_keep_call()\n*** End Patch\n",
        &[("moved.py", &after)],
    );
    settle(&env);
    let commit = env.commit("move");
    s.check(
        &env,
        "apply_patch_move_to",
        &commit,
        "moved.py",
        &[U, U, U, U, C, U],
    );
}

fn crlf_and_no_final_newline(s: &mut Score) {
    let env = setup();
    env.write("win.txt", "first line\r\nsecond line\r\n");
    env.write("tail.py", "a = 1\nb = 2");
    env.commit("base");
    let mut c = claude(&env, CLAUDE_A);
    c.prompt("extend").edit(
        "win.txt",
        "second line\r\n",
        "second line\r\nthird line by agent\r\n",
    );
    c.edit("tail.py", "b = 2", "b = 2\nc = compute_c(a, b)");
    env.write("win.txt", &format!("{}human line\r\n", env.read("win.txt")));
    env.write("tail.py", &format!("{}\nd = 4\n", env.read("tail.py")));
    settle(&env);
    let commit = env.commit("extend");
    s.check(&env, "crlf", &commit, "win.txt", &[U, U, A, H]);
    // git counts `b = 2` as added (it gained its newline); the human wrote it.
    s.check(&env, "no_final_newline", &commit, "tail.py", &[U, H, A, H]);
}

fn odd_names(s: &mut Score) {
    let env = setup();
    let names = [
        "my file.py",
        "café ünïcode.py",
        "quo\"te's.py",
        "tab\tname.py",
    ];
    let mut c = claude(&env, CLAUDE_A);
    c.prompt("odd names");
    for n in names {
        c.write(n, "def odd_name():\n    return 'odd'\n");
        env.write(n, &format!("{}# human\n", env.read(n)));
    }
    settle(&env);
    let commit = env.commit("odd");
    for n in names {
        s.check(&env, "odd_names", &commit, n, &[A, A, H]);
    }
}

fn partial_staging(s: &mut Score) {
    let env = setup();
    env.write("app.py", "def a():\n    pass\n\ndef b():\n    pass\n");
    env.commit("skeleton");
    claude(&env, CLAUDE_A)
        .prompt("implement")
        .edit(
            "app.py",
            "def a():\n    pass\n",
            "def a():\n    return compute_alpha()\n",
        )
        .edit(
            "app.py",
            "def b():\n    pass\n",
            "def b():\n    return compute_beta()\n",
        );
    settle(&env);
    let staged = env.read("app.py").replace("return compute_beta()", "pass");
    let first = commit_staged(&env, "app.py", &staged, "a only");
    s.check(&env, "partial_staging", &first, "app.py", &[U, A, U, U, U]);
    let second = env.commit("b");
    s.check(&env, "partial_staging", &second, "app.py", &[U, U, U, U, A]);
}

fn backfill(s: &mut Score) {
    let env = Env::new();
    env.write("README.md", "# w\n");
    env.commit("initial");
    let mut c = Claude::new(&env, CLAUDE_A, env.clock.get() + 5);
    let mut commits = Vec::new();
    for (i, name) in ["one.py", "two.py"].iter().enumerate() {
        c.prompt(&format!("write {name}"))
            .write(name, &format!("value_{i} = compute_{i}()\n"));
        env.write(name, &format!("{}human_{i} = 0\n", env.read(name)));
        c.now += 120_000;
        env.tick(240);
        commits.push(env.commit(name));
    }
    env.drift_ok(&["backfill"]);
    s.check(&env, "backfill", &commits[0], "one.py", &[A, H]);
    s.check(&env, "backfill", &commits[1], "two.py", &[A, H]);
}

fn other_repo_sessions(s: &mut Score) {
    let env = setup();
    let other = env.tmp.path().join("other-repo");
    std::fs::create_dir_all(&other).unwrap();
    let other = other.canonicalize().unwrap();
    let mut c = Claude::in_dir(&env, CLAUDE_A, env.clock.get() + 5, &other);
    c.prompt("elsewhere").write_abs(
        &other.join("app.py"),
        "def app():\n    return run_the_application()\n",
    );
    env.write("app.py", "def app():\n    return run_the_application()\n");
    settle(&env);
    let commit = env.commit("app");
    s.check(&env, "other_repo_sessions", &commit, "app.py", &[H, H]);
}

fn edits_after_commit_time(s: &mut Score) {
    let env = setup();
    env.write("job.py", "def job():\n    return schedule_the_job()\n");
    let commit = env.commit("job");
    // The agent writes the same text after the commit: the commit stays human.
    let mut c = Claude::new(&env, CLAUDE_A, env.clock.get() + 100);
    c.prompt("job").edit(
        "job.py",
        "    return schedule_the_job()\n",
        "    return schedule_the_job(priority=1)\n",
    );
    env.tick(400);
    env.drift_ok(&["bind", &commit]);
    s.check(&env, "edits_after_commit_time", &commit, "job.py", &[H, H]);
    let next = env.commit("priority");
    s.check(&env, "edits_after_commit_time", &next, "job.py", &[U, A]);
}

fn big_file(s: &mut Score) {
    let env = setup();
    let mut lines: Vec<String> = (0..5000)
        .map(|i| format!("value_{i:04} = compute({i})"))
        .collect();
    env.write("big.py", &(lines.join("\n") + "\n"));
    env.commit("big base");
    let mut c = claude(&env, CLAUDE_A);
    c.prompt("tune");
    let mut truth = vec![U; 5000];
    for k in 0..20 {
        let i = 137 + k * 241;
        let old = format!("{}\n", lines[i]);
        let new = format!("value_{i:04} = compute_fast({i})\n");
        c.edit("big.py", &old, &new);
        lines[i] = new.trim_end().to_string();
        truth[i] = A;
    }
    for k in 0..20 {
        let i = 60 + k * 239;
        if truth[i] == A {
            continue;
        }
        lines[i] = format!("value_{i:04} = compute_by_hand({i})");
        truth[i] = H;
    }
    let text = env.read("big.py");
    let mut now: Vec<String> = text.lines().map(String::from).collect();
    for (i, t) in truth.iter().enumerate() {
        if *t == H {
            now[i] = lines[i].clone();
        }
    }
    env.write("big.py", &(now.join("\n") + "\n"));
    settle(&env);
    let commit = env.commit("tune");
    s.check(&env, "big_file", &commit, "big.py", &truth);
}

fn quiet_commits_between(s: &mut Score) {
    // The agent's edit waits across an empty commit and a deletion-only commit.
    let env = setup();
    env.write("gone.txt", "to be removed\n");
    env.write("svc.py", "def svc():\n    pass\n");
    env.commit("base");
    claude(&env, CLAUDE_A).prompt("svc").edit(
        "svc.py",
        "    pass\n",
        "    return start_the_service()\n",
    );
    settle(&env);
    env.git(&["commit", "-q", "--allow-empty", "-m", "empty"]);
    env.tick(60);
    env.git(&["rm", "-q", "gone.txt"]);
    env.git(&["commit", "-q", "-m", "remove"]);
    let commit = env.commit("svc");
    s.check(
        &env,
        "empty_and_deletion_commits",
        &commit,
        "svc.py",
        &[U, A],
    );
}

fn install_with_history(s: &mut Score) {
    let env = Env::new();
    env.write("cfg.py", "RETRIES = 5\nTIMEOUT = 10\n");
    env.commit("base");
    Claude::new(&env, CLAUDE_A, env.clock.get() + 5)
        .prompt("fewer retries")
        .edit("cfg.py", "RETRIES = 5\n", "RETRIES = 3\n");
    env.tick(200);
    env.commit("agent change");
    env.tick(30 * 86_400);
    env.write("cfg.py", "RETRIES = 5\nTIMEOUT = 10\n");
    env.commit("back to 5");
    env.drift_ok(&["init"]);
    env.write("cfg.py", "RETRIES = 3\nTIMEOUT = 10\n");
    let commit = env.commit("human: 3 again");
    s.check(&env, "install_with_history", &commit, "cfg.py", &[H, U]);
}

fn agent_block_partly_rewritten(s: &mut Score) {
    let env = setup();
    claude(&env, CLAUDE_A).prompt("report").write(
        "report.py",
        "def report(rows):\n    header = format_header(rows)\n    body = format_body(rows)\n    footer = format_footer(rows)\n    debug_print(rows)\n    return header + body + footer\n",
    );
    let text = env
        .read("report.py")
        .replace("format_header(rows)", "format_header(rows, bold=True)")
        .replace("    footer = format_footer(rows)\n", "    footer = ''\n")
        .replace("    debug_print(rows)\n", "");
    env.write("report.py", &format!("{text}# reviewed\n"));
    settle(&env);
    let commit = env.commit("report");
    let truth = [A, MA, A, H, A, H];
    s.check(
        &env,
        "agent_block_partly_rewritten",
        &commit,
        "report.py",
        &truth,
    );
}

fn agent_deletes_then_human_adds(s: &mut Score) {
    let env = setup();
    env.write(
        "m.py",
        "first_line_here()\nobsolete_helper_call()\nkeep_this_line()\n",
    );
    env.commit("base");
    claude(&env, CLAUDE_A)
        .prompt("drop the helper")
        .edit("m.py", "obsolete_helper_call()\n", "");
    let text = env.read("m.py").replace(
        "keep_this_line()",
        "replacement_by_the_human()\nkeep_this_line()",
    );
    env.write("m.py", &text);
    settle(&env);
    let commit = env.commit("drop");
    s.check(
        &env,
        "agent_deletes_then_human_adds",
        &commit,
        "m.py",
        &[U, H, U],
    );
}

fn human_copies_agent_line(s: &mut Score) {
    let env = setup();
    env.write("c.py", "x = 1\n");
    env.commit("base");
    claude(&env, CLAUDE_A).prompt("compute").edit(
        "c.py",
        "x = 1\n",
        "x = 1\nresult = expensive_computation(x)\n",
    );
    env.write(
        "c.py",
        &format!(
            "{}# again, by hand\nresult = expensive_computation(x)\n",
            env.read("c.py")
        ),
    );
    settle(&env);
    let commit = env.commit("copy");
    s.check(
        &env,
        "human_copies_agent_line",
        &commit,
        "c.py",
        &[U, A, H, H],
    );
}

fn human_between_agent_edits(s: &mut Score) {
    let env = setup();
    env.write("run.py", "def run():\n    pass\n");
    env.commit("base");
    let mut c = claude(&env, CLAUDE_A);
    c.prompt("steps").edit(
        "run.py",
        "    pass\n",
        "    step_one_of_the_run()\n    step_two_of_the_run()\n",
    );
    env.write(
        "run.py",
        &env.read("run.py")
            .replace("step_two_of_the_run()", "step_two_of_the_run(fast=True)"),
    );
    c.edit(
        "run.py",
        "    step_two_of_the_run(fast=True)\n",
        "    step_two_of_the_run(fast=True)\n    step_three_added_by_agent()\n",
    );
    settle(&env);
    let commit = env.commit("steps");
    s.check(
        &env,
        "human_between_agent_edits",
        &commit,
        "run.py",
        &[U, A, MA, A],
    );
}

fn two_sessions_same_line(s: &mut Score) {
    let env = setup();
    env.write("v.py", "VERSION = '1.0'\nNAME = 'svc'\n");
    env.commit("base");
    claude(&env, CLAUDE_A)
        .prompt("bump")
        .edit("v.py", "VERSION = '1.0'\n", "VERSION = '1.1'\n");
    env.tick(100);
    claude(&env, CLAUDE_B).prompt("bump again").edit(
        "v.py",
        "VERSION = '1.1'\n",
        "VERSION = '2.0-beta'\n",
    );
    settle(&env);
    let commit = env.commit("bump");
    s.check(&env, "two_sessions_same_line", &commit, "v.py", &[B, U]);
}

fn teammate_commit_between(s: &mut Score) {
    // The agent's edit waits in the worktree while a commit without a note (a teammate's,
    // pulled; made here with the hooks off) lands on top; the file it edits is older.
    let env = setup();
    env.write("svc.py", "def svc():\n    pass\n");
    env.write("team.py", "owner = 'team'\n");
    env.commit("base");
    claude(&env, CLAUDE_A).prompt("svc").edit(
        "svc.py",
        "    pass\n",
        "    return start_the_service()\n",
    );
    settle(&env);
    env.write("team.py", "owner = 'platform team'\n");
    env.git(&["add", "team.py"]);
    env.tick(60);
    env.git(&[
        "-c",
        "core.hooksPath=/dev/null",
        "commit",
        "-q",
        "-m",
        "teammate",
    ]);
    let commit = env.commit("svc");
    s.check(&env, "teammate_commit_between", &commit, "svc.py", &[U, A]);
}

type Scenario = fn(&mut Score);

const SCENARIOS: &[Scenario] = &[
    write_edit_human,
    two_agents_one_file,
    modified_and_deleted,
    rejected_failed_superseded,
    common_lines,
    write_over_existing,
    sub_line_and_replace_all,
    amend,
    rebase_reorder,
    squash,
    fixup_autosquash,
    cherry_pick,
    merges,
    merge_squash,
    moves,
    crlf_and_no_final_newline,
    odd_names,
    partial_staging,
    backfill,
    other_repo_sessions,
    edits_after_commit_time,
    big_file,
    quiet_commits_between,
    install_with_history,
    agent_block_partly_rewritten,
    agent_deletes_then_human_adds,
    human_copies_agent_line,
    human_between_agent_edits,
    two_sessions_same_line,
    teammate_commit_between,
];

#[test]
fn scenario_suite_is_right_and_never_labels_a_human_line_ai() {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let total = std::sync::Mutex::new(Score::default());
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(run) = SCENARIOS.get(i) else { break };
                    let mut score = Score::default();
                    run(&mut score);
                    total.lock().unwrap().absorb(score);
                }
            });
        }
    });
    let score = total.into_inner().unwrap();
    let pct = 100.0 * score.right as f64 / score.total.max(1) as f64;
    println!(
        "scenario suite: {}/{} lines right ({pct:.2}%), {} human lines labelled AI",
        score.right, score.total, score.human_as_ai
    );
    for m in &score.misses {
        println!("  {m}");
    }
    assert_eq!(score.human_as_ai, 0, "{:#?}", score.misses);
    assert!(pct >= 99.0, "{pct:.2}% right: {:#?}", score.misses);
}
