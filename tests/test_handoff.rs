//! `git drift handoff`: briefs from two agents' sessions on one branch, scope rules (recorded
//! branch, commits only on the branch against a detected default branch), the LLM pass against
//! a local server speaking each provider's format, injection as native sessions, and `list`.

use crate::common::{Claude, Codex, Env, T0, json_out};
use drift::agents::FileReader as Reader;
use drift::agents::Record;
use drift::model::EventKind;
use drift::testkit::http::{Reply, Server};
use regex::Regex;
use serde_json::json;
use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

const CLAUDE_A: &str = "aaaa1111-0000-4000-8000-00000000000a";
const CLAUDE_D: &str = "dddd4444-0000-4000-8000-00000000000d";
const CLAUDE_E: &str = "eeee5555-0000-4000-8000-00000000000e";
const CLAUDE_F: &str = "ffff6666-0000-4000-8000-00000000000f";
const CODEX_C: &str = "cccc3333-4d2e-7a10-9c3b-5e6f7a8b9c0d";

/// The text of section `name` (between its heading and the next `## `).
fn section(text: &str, name: &str) -> String {
    let head = format!("\n## {name}\n");
    let start = text
        .find(&head)
        .unwrap_or_else(|| panic!("no section {name}:\n{text}"))
        + head.len();
    let end = text[start..]
        .find("\n## ")
        .map_or(text.len(), |e| start + e);
    text[start..end].to_string()
}

/// The line of `sec` that contains `needle`, asserting it carries a citation of `who`.
fn cited_line(sec: &str, needle: &str, who: &str) -> String {
    let line = sec
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{sec}"))
        .to_string();
    let re = Regex::new(&format!(r"\[{who} \d\d:\d\d\]")).unwrap();
    assert!(
        re.is_match(&line),
        "{needle:?} lacks a [{who} HH:MM] citation: {line}"
    );
    line
}

/// Run `git drift ARGS` with extra environment variables.
fn drift_env(env: &Env, args: &[&str], vars: &[(&str, &str)]) -> std::process::Output {
    let mut c = env.cmd_in("git", &env.repo);
    c.arg("drift").args(args);
    for (k, v) in vars {
        c.env(k, v);
    }
    c.output().expect("run git drift")
}

fn ok(out: &std::process::Output) -> (String, String) {
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        out.status.success(),
        "failed ({:?}):\n{o}\n{e}",
        out.status.code()
    );
    (o, e)
}

/// Two agents on `feature/retry` with known decisions, rejections, failures and todos; a
/// session recorded on the default branch whose edit was committed on `feature/retry`; and
/// sessions of other branches that must stay out.
fn two_agents() -> Env {
    let env = Env::new();
    env.drift_ok(&["init"]);
    env.write("README.md", "# widget\n");
    env.write("src/net.py", "def fetch(url):\n    return get(url)\n");
    env.commit("initial");
    // The default branch is `trunk`, known only from origin's HEAD (init.defaultBranch says
    // main, which no longer exists): the scope must not assume a name.
    env.git(&["branch", "-m", "main", "trunk"]);
    let origin = env.tmp.path().join("origin.git");
    env.git(&["init", "-q", "--bare", &origin.to_string_lossy()]);
    env.git(&["remote", "add", "origin", &origin.to_string_lossy()]);
    env.git(&["update-ref", "refs/remotes/origin/trunk", "HEAD"]);
    env.git(&[
        "symbolic-ref",
        "refs/remotes/origin/HEAD",
        "refs/remotes/origin/trunk",
    ]);

    // On trunk, committed on trunk: not part of feature/retry.
    let mut f = Claude::new(&env, CLAUDE_F, T0 + 10).branch("trunk");
    f.prompt("Write the intro docs")
        .write("docs/intro.md", "# Intro\n\nWidget fetches things.\n");
    env.tick(100);
    env.commit("intro docs");

    env.git(&["checkout", "-q", "-b", "feature/retry"]);
    let mut a = Claude::new(&env, CLAUDE_A, T0 + 200).branch("feature/retry");
    a.prompt(
        "Make fetch() retry three times with exponential backoff. Keep the public signature of fetch() unchanged.",
    )
    .todos(&[
        ("Add retry loop", "completed"),
        ("Add exponential backoff", "in_progress"),
        ("Write tests for retries", "pending"),
    ])
    .edit("src/net.py", "def fetch(url):\n", "RETRIES = 3\n\ndef fetch(url):\n")
    .edit(
        "src/net.py",
        "    return get(url)\n",
        "    for attempt in range(RETRIES):\n        try:\n            return get(url)\n        except IOError:\n            pass\n",
    )
    .rejected_edit(
        "src/net.py",
        "            pass\n",
        "            time.sleep(2 ** attempt)\n",
        Some("don't use time.sleep in the library; take a sleeper parameter"),
    )
    .say("Should I pass the sleeper as a keyword argument?")
    .prompt("yes, go ahead")
    .edit(
        "src/net.py",
        "            pass\n",
        "            if SLEEPER:\n                SLEEPER(2 ** attempt)\n",
    )
    .command("python -m mypy src", 1, "src/net.py:4: error: Name \"get\" is not defined")
    .command(
        "pytest -q tests/test_net.py",
        1,
        "F\nE   AssertionError: expected 3 calls to get, got 1\n1 failed in 0.12s",
    )
    .say("The test fails because get is not mocked. Next I will mock get in tests/test_net.py.");

    // Recorded on trunk (started before the switch), committed on feature/retry.
    let mut d = Claude::new(&env, CLAUDE_D, T0 + 400).branch("trunk");
    d.prompt("Add a RetryConfig dataclass").write(
        "src/retry_config.py",
        "from dataclasses import dataclass\n\n\n@dataclass\nclass RetryConfig:\n    attempts: int = 3\n",
    );
    env.tick(600);
    env.commit("retry config");

    // Another branch entirely.
    let mut e = Claude::new(&env, CLAUDE_E, T0 + 700).branch("other-work");
    e.prompt("Rewrite the logger in Go")
        .command("go build ./...", 1, "no Go files");

    let mut c = Codex::on_branch(&env, CODEX_C, T0 + 1000, "feature/retry");
    let now = env.read("src/net.py");
    let patched = now.replace(
        "            return get(url)\n        except IOError:\n",
        "            return get(url)\n        except ClientError:\n            raise\n        except IOError:\n",
    );
    c.prompt("Continue the retry work: the retry loop must not retry on 4xx errors.")
        .patch(
            "*** Begin Patch\n*** Update File: src/net.py\n@@\n         try:\n             return get(url)\n+        except ClientError:\n+            raise\n         except IOError:\n*** End Patch\n",
            &[("src/net.py", &patched)],
        );
    let renamed = patched
        .replace("RETRIES = 3", "MAX_ATTEMPTS = 3")
        .replace("range(RETRIES)", "range(MAX_ATTEMPTS)");
    c.patch(
        "*** Begin Patch\n*** Update File: src/net.py\n@@\n-RETRIES = 3\n+MAX_ATTEMPTS = 3\n@@\n-    for attempt in range(RETRIES):\n+    for attempt in range(MAX_ATTEMPTS):\n*** End Patch\n",
        &[("src/net.py", &renamed)],
    )
    .rejected_command("git push --force")
    .plan(&[
        ("Handle 4xx without retrying", "completed"),
        ("Document the retry settings in README.md", "pending"),
    ])
    .prompt("No, don't change the public signature of fetch()")
    .command("make lint", 2, "ruff: E501 line too long")
    .command("make lint", 0, "All checks passed!")
    .command(
        "pytest -q tests/test_net.py",
        1,
        "F\nE   AssertionError: expected 3 calls to get, got 1\n1 failed in 0.10s",
    )
    .say("Next I will document the retry settings in README.md. Should I also add jitter to the backoff?");
    env
}

#[test]
fn brief_sorts_two_agents_work_under_the_right_headings() {
    let env = two_agents();
    let epoch = (T0 + 4000).to_string();
    let out = drift_env(
        &env,
        &["handoff", "--to", "codex"],
        &[("SOURCE_DATE_EPOCH", &epoch)],
    );
    let (stdout, _) = ok(&out);
    assert_eq!(
        stdout, ".prompts/handoffs/2026-01-15-1106-feature-retry-to-codex.md\n",
        "the brief goes to a file; stdout names it, relative to the current directory"
    );
    // 2026-01-15T11:06:40Z in TZ=UTC.
    let path = env
        .repo
        .join(".prompts/handoffs/2026-01-15-1106-feature-retry-to-codex.md");
    let text = std::fs::read_to_string(&path).expect("brief at the default path");
    assert!(text.starts_with("<!-- drift-handoff/1 {"), "{text}");
    assert!(text.contains("# Handoff: feature/retry → codex"));

    let task = section(&text, "Task");
    assert!(task.contains("Branch `feature/retry`"), "{task}");
    assert!(
        task.contains("Agents: claude-code (2 sessions), codex (1 session)"),
        "{task}"
    );
    cited_line(&task, "**Goal** (the first prompt)", "claude-code aaaa1111");
    assert!(task.contains("  > Make fetch() retry three times with exponential backoff."));
    cited_line(&task, "Continue the retry work", "codex cccc3333");
    // Bound to a commit only on feature/retry, though recorded on trunk.
    cited_line(&task, "Add a RetryConfig dataclass", "claude-code dddd4444");
    assert!(
        task.contains("recorded on trunk, bound to commit"),
        "{task}"
    );

    let decided = section(&text, "Decided");
    cited_line(
        &decided,
        "User confirmed \"yes, go ahead\" in answer to \"Should I pass the sleeper as a keyword argument?\"",
        "claude-code aaaa1111",
    );
    cited_line(
        &decided,
        "Instruction: \"Keep the public signature of fetch() unchanged.\"",
        "claude-code aaaa1111",
    );
    cited_line(
        &decided,
        "Done (plan): Add retry loop",
        "claude-code aaaa1111",
    );
    cited_line(
        &decided,
        "Done (plan): Handle 4xx without retrying",
        "codex cccc3333",
    );
    let kept = cited_line(&decided, "`src/net.py`:", "codex cccc3333");
    assert!(
        kept.contains("still in the working tree") && kept.contains("claude-code, codex"),
        "{kept}"
    );

    let rejected = section(&text, "Tried and rejected");
    cited_line(
        &rejected,
        "Declined edit to `src/net.py` (Edit) that would have written `time.sleep(2 ** attempt)`; the user said: \"don't use time.sleep in the library; take a sleeper parameter\"",
        "claude-code aaaa1111",
    );
    cited_line(
        &rejected,
        "Declined command `git push --force`; no reason given",
        "codex cccc3333",
    );
    cited_line(
        &rejected,
        "User correction: \"No, don't change the public signature of fetch()\"",
        "codex cccc3333",
    );
    cited_line(
        &rejected,
        "Command `python -m mypy src` (exit 1) failed and was not run successfully afterwards",
        "claude-code aaaa1111",
    );
    let sup = cited_line(
        &rejected,
        "(Edit) that wrote `RETRIES = 3`",
        "claude-code aaaa1111",
    );
    assert!(
        sup.contains("superseded by a later edit (codex cccc3333"),
        "{sup}"
    );
    // A failure fixed later is not a rejected approach.
    assert!(!text.contains("make lint"), "{text}");

    let open = section(&text, "Open");
    let last = cited_line(
        &open,
        "Last failing command: `pytest -q tests/test_net.py` (exit 1, 2 times)",
        "codex cccc3333",
    );
    assert!(!last.is_empty());
    assert!(
        open.contains("E   AssertionError: expected 3 calls to get, got 1"),
        "{open}"
    );
    cited_line(
        &open,
        "In progress (plan): Add exponential backoff",
        "claude-code aaaa1111",
    );
    cited_line(
        &open,
        "To do (plan): Write tests for retries",
        "claude-code aaaa1111",
    );
    cited_line(
        &open,
        "To do (plan): Document the retry settings in README.md",
        "codex cccc3333",
    );
    cited_line(
        &open,
        "Question the agent asked, unanswered: \"Should I also add jitter to the backoff?\"",
        "codex cccc3333",
    );
    assert!(
        !open.contains("sleeper as a keyword"),
        "answered questions are not open"
    );

    let files = section(&text, "Files in scope");
    let net = cited_line(
        &files,
        "`src/net.py`: modified, not committed",
        "codex cccc3333",
    );
    assert!(
        net.contains("applied") && net.contains("1 declined"),
        "{net}"
    );
    // The whole (short) file, with line numbers, as it is now.
    let current = env.read("src/net.py");
    for (n, line) in current.lines().enumerate() {
        let numbered = format!("{:>2} | {line}", n + 1);
        assert!(
            files.contains(numbered.trim_end()),
            "missing {numbered:?} in:\n{files}"
        );
    }
    cited_line(
        &files,
        "`src/retry_config.py`: committed",
        "claude-code dddd4444",
    );
    assert!(!files.contains("docs/intro.md"));

    let resume = section(&text, "Resume here");
    let line = current
        .lines()
        .position(|l| l.contains("range(MAX_ATTEMPTS)"))
        .expect("renamed loop")
        + 1;
    cited_line(
        &resume,
        &format!("Last edit: `src/net.py:{line}` (apply_patch)"),
        "codex cccc3333",
    );
    cited_line(
        &resume,
        "The agent's last stated next step: \"Next I will document the retry settings in README.md.\"",
        "codex cccc3333",
    );
    assert!(text.contains("## How to continue (codex)"));
    assert!(
        text.contains(
            "codex \"$(cat .prompts/handoffs/2026-01-15-1106-feature-retry-to-codex.md)\""
        )
    );

    // Nothing from other branches.
    for absent in [
        "Rewrite the logger in Go",
        "go build",
        "eeee5555",
        "Write the intro docs",
        "ffff6666",
    ] {
        assert!(!text.contains(absent), "{absent} leaked into:\n{text}");
    }
    // Every item of the six sections carries a citation (session list lines name their id).
    let cite =
        Regex::new(r"\[(claude-code|codex) [0-9a-f]{8} (\d\d:\d\d|note on [0-9a-f]+)\]").unwrap();
    let session_line = Regex::new(r"^- (claude-code|codex) `[0-9a-f]{8}`").unwrap();
    for name in drift::handoff::render::SECTIONS {
        for l in section(&text, name).lines().filter(|l| l.starts_with("- ")) {
            assert!(
                cite.is_match(l) || session_line.is_match(l),
                "item without a citation in {name}: {l}"
            );
        }
    }
    // Within the default size bound.
    assert!(text.chars().count() / 4 < 8000);
}

#[test]
fn session_scope_takes_a_prefix_and_lists_ambiguous_candidates() {
    let env = Env::new();
    env.write("a.py", "x = 1\n");
    env.commit("init");
    Claude::new(&env, "abc10000-0000-4000-8000-000000000001", T0 + 10).prompt("First session goal");
    Claude::new(&env, "abd20000-0000-4000-8000-000000000002", T0 + 20)
        .prompt("Second session goal");
    let text = env.drift_ok(&["handoff", "--session", "abd", "--print"]);
    assert!(text.contains("Second session goal") && !text.contains("First session goal"));
    assert!(text.contains("session abd20000-0000-4000-8000-000000000002"));
    let out = env.drift(&["handoff", "--session", "ab", "--print"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ambiguous") && err.contains("abc10000") && err.contains("abd20000"),
        "{err}"
    );
    // The standalone binary is the same command.
    let out = env
        .cmd_in("git", &env.repo)
        .args([
            "drift-handoff",
            "--session",
            "abc",
            "--print",
            "--to",
            "aider",
        ])
        .output()
        .unwrap();
    let (text, _) = ok(&out);
    assert!(text.contains("First session goal") && text.contains("## How to continue (aider)"));
    // --since leaves out what came before.
    let text = env.drift_ok(&[
        "handoff",
        "--branch",
        "main",
        "--since",
        "2026-01-15T10:00:15Z",
        "--print",
    ]);
    assert!(
        text.contains("Second session goal") && !text.contains("First session goal"),
        "{text}"
    );
    let out = env.drift(&["handoff", "--branch", "nowhere", "--print"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no captured sessions on branch nowhere")
    );
}

#[test]
fn list_shows_earlier_briefs_with_scope_and_target() {
    let env = Env::new();
    env.write("a.py", "x = 1\n");
    env.commit("init");
    Claude::new(&env, CLAUDE_A, T0 + 10).prompt("Goal for listing");
    let t1 = (T0 + 100).to_string();
    let t2 = (T0 + 200).to_string();
    ok(&drift_env(
        &env,
        &["handoff", "--to", "aider"],
        &[("SOURCE_DATE_EPOCH", &t1)],
    ));
    ok(&drift_env(
        &env,
        &["handoff", "--to", "gemini-cli"],
        &[("SOURCE_DATE_EPOCH", &t2)],
    ));
    // A second brief in the same minute does not replace the first.
    ok(&drift_env(
        &env,
        &["handoff", "--to", "gemini-cli"],
        &[("SOURCE_DATE_EPOCH", &t2)],
    ));
    let v = json_out(&env.drift_ok(&["handoff", "list", "--json"]));
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 3, "{v}");
    assert_eq!(list[0]["target"], "aider");
    assert_eq!(list[0]["scope"], "branch main");
    assert_eq!(
        list[0]["path"],
        ".prompts/handoffs/2026-01-15-1001-main-to-aider.md"
    );
    assert_eq!(list[0]["sessions"], json!([CLAUDE_A]));
    assert_eq!(
        list[1]["path"],
        ".prompts/handoffs/2026-01-15-1003-main-to-gemini-cli.md"
    );
    assert_eq!(
        list[2]["path"],
        ".prompts/handoffs/2026-01-15-1003-main-to-gemini-cli-2.md"
    );
    let text = env.drift_ok(&["handoff", "list"]);
    assert!(
        text.contains("gemini-cli") && text.contains("branch main"),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// Injection

/// Read a transcript with one of our readers.
fn read_back(reader: &mut dyn Reader, path: &Path) -> Vec<Record> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.lines() {
        reader
            .read_line(line.as_bytes(), offset, &mut out)
            .unwrap_or_else(|e| panic!("{e:?} on {line}"));
        offset += line.len() as u64 + 1;
    }
    out
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn resume_id(stdout: &str, cmd: &str) -> String {
    let re = Regex::new(&format!(r"{cmd} ([0-9a-f-]{{36}})")).unwrap();
    re.captures(stdout)
        .unwrap_or_else(|| panic!("no `{cmd}` in {stdout}"))[1]
        .to_string()
}

#[test]
fn injected_claude_session_parses_as_a_session_of_the_repository() {
    let env = Env::new();
    env.write("a.py", "x = 1\n");
    env.commit("init");
    Claude::new(&env, CLAUDE_A, T0 + 10)
        .prompt("Make the widget blue")
        .edit("a.py", "x = 1\n", "x = 2\n");
    let (stdout, _) = ok(&drift_env(
        &env,
        &["handoff", "--to", "claude-code", "--inject"],
        &[],
    ));
    let id = resume_id(&stdout, "claude --resume");
    let file = env
        .claude_project_dir(&env.repo)
        .join(format!("{id}.jsonl"));
    assert!(file.is_file(), "{stdout}");
    assert_eq!(mode(&file), 0o600);
    let records = read_back(
        &mut drift::agents::claude::ClaudeReader::open(&file, None),
        &file,
    );
    let session = records
        .iter()
        .find_map(|r| match r {
            Record::Session(s) => Some(s.clone()),
            _ => None,
        })
        .expect("a session");
    assert_eq!(session.id, id);
    assert_eq!(session.cwd.as_deref(), Some(env.repo.to_str().unwrap()));
    assert_eq!(session.branch.as_deref(), Some("main"));
    let prompts: Vec<&str> = records
        .iter()
        .filter_map(|r| match r {
            Record::Event(e) => match &e.kind {
                EventKind::Prompt { text } => Some(text.as_str()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(prompts.len(), 1, "one user message: the brief");
    assert!(prompts[0].starts_with(drift::handoff::inject::MARKER));
    assert!(prompts[0].contains("Make the widget blue") && prompts[0].contains("## Resume here"));
    // The acknowledgement is synthetic: not captured as something the model said.
    assert!(
        !records
            .iter()
            .any(|r| matches!(r, Record::Event(e) if matches!(e.kind, EventKind::Reply { .. })))
    );

    // Captured back, the session is labelled and its brief is not read as the task.
    let v = json_out(&env.drift_ok(&["sessions", "--json"]));
    let mine = v
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id.as_str())
        .expect("captured");
    assert!(
        mine["first_prompt"]
            .as_str()
            .unwrap()
            .starts_with("[git-drift handoff]")
    );
    let again = env.drift_ok(&["handoff", "--print"]);
    assert!(
        again.contains("began with a git drift handoff brief"),
        "{again}"
    );
    let task = section(&again, "Task");
    assert!(!task.contains("[git-drift handoff]"), "{task}");
    assert_eq!(task.matches("**Goal**").count(), 1);
    assert!(task.contains("> Make the widget blue"));
}

#[test]
fn injected_codex_rollout_parses_with_the_codex_reader() {
    let env = Env::new();
    env.write("a.py", "x = 1\n");
    env.commit("init");
    Claude::new(&env, CLAUDE_A, T0 + 10).prompt("Make the widget green");
    let epoch = (T0 + 3600).to_string();
    let (stdout, _) = ok(&drift_env(
        &env,
        &["handoff", "--to", "codex", "--inject"],
        &[("SOURCE_DATE_EPOCH", &epoch)],
    ));
    let id = resume_id(&stdout, "codex resume");
    assert_eq!(&id[14..15], "7", "a v7 uuid, as Codex uses");
    let file = env
        .codex
        .join("sessions/2026/01/15")
        .join(format!("rollout-2026-01-15T11-00-00-{id}.jsonl"));
    assert!(file.is_file(), "{stdout}");
    assert_eq!(mode(&file), 0o600);
    let records = read_back(
        &mut drift::agents::codex::CodexReader::open(&file, None),
        &file,
    );
    let session = records
        .iter()
        .rev()
        .find_map(|r| match r {
            Record::Session(s) => Some(s.clone()),
            _ => None,
        })
        .expect("a session (fails only while the Codex reader is a stub)");
    assert_eq!(session.id, id);
    assert_eq!(session.cwd.as_deref(), Some(env.repo.to_str().unwrap()));
    assert_eq!(session.branch.as_deref(), Some("main"));
    let prompt = records
        .iter()
        .find_map(|r| match r {
            Record::Event(e) => match &e.kind {
                EventKind::Prompt { text } => Some(text.clone()),
                _ => None,
            },
            _ => None,
        })
        .expect("the brief as the first prompt");
    assert!(prompt.starts_with(drift::handoff::inject::MARKER));
    assert!(prompt.contains("Make the widget green"));
}

#[test]
fn claude_project_directory_encodes_dots_underscores_and_spaces() {
    let env = Env::new();
    let dir = env
        .tmp
        .path()
        .canonicalize()
        .unwrap()
        .join("my_proj.v2 copy");
    std::fs::create_dir_all(&dir).unwrap();
    env.git_in(&dir, &["init", "-q"]);
    Claude::in_dir(&env, CLAUDE_A, T0 + 10, &dir).prompt("Tidy the odd directory");
    let out = env
        .cmd_in("git", &dir)
        .args(["drift", "handoff", "--to", "claude-code", "--inject"])
        .output()
        .unwrap();
    let (stdout, _) = ok(&out);
    let id = resume_id(&stdout, "claude --resume");
    // Claude Code's rule, written out independently: every non-alphanumeric becomes '-'.
    let expected: String = dir
        .to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    assert!(expected.ends_with("-my-proj-v2-copy"), "{expected}");
    let file = env
        .claude
        .join("projects")
        .join(&expected)
        .join(format!("{id}.jsonl"));
    assert!(file.is_file(), "not at {}: {stdout}", file.display());
    assert_eq!(mode(&file), 0o600);
    let records = read_back(
        &mut drift::agents::claude::ClaudeReader::open(&file, None),
        &file,
    );
    assert!(records.iter().any(
        |r| matches!(r, Record::Session(s) if s.cwd.as_deref() == Some(dir.to_str().unwrap()))
    ));
}

#[test]
fn inject_refuses_targets_without_a_session_format() {
    let env = Env::new();
    env.write("a.py", "x = 1\n");
    env.commit("init");
    Claude::new(&env, CLAUDE_A, T0 + 10).prompt("Anything");
    let out = env.drift(&["handoff", "--to", "aider", "--inject"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("claude-code and codex only"), "{err}");
    assert!(
        !env.repo.join(".prompts/handoffs").exists(),
        "nothing written"
    );
}

// ---------------------------------------------------------------------------------------------
// The LLM pass, against a local server speaking each provider's format (the shared
// `drift::testkit::http` server).

/// What a well-behaved model answers: the six sections, citations kept.
const COMPACTED: &str = "## Task\nMake the widget red, compacted. [claude-code aaaa1111 10:00]\n\n## Decided\n- Red it is. [claude-code aaaa1111 10:00]\n\n## Tried and rejected\n- Nothing.\n\n## Open\n- Nothing.\n\n## Files in scope\n- `a.py` [claude-code aaaa1111 10:00]\n\n## Resume here\n- `a.py:1` [claude-code aaaa1111 10:00]\n";

fn anthropic_ok() -> Reply {
    Reply::json(
        200,
        json!({"id": "msg_1", "type": "message", "role": "assistant", "model": "test-model",
               "content": [{"type": "text", "text": COMPACTED}], "stop_reason": "end_turn",
               "usage": {"input_tokens": 1200, "output_tokens": 300}}),
    )
}

/// A repository with one session, and `handoff.llm` pointing at `base`.
fn llm_env(llm_yaml: &str) -> Env {
    let env = Env::new();
    env.write("a.py", "x = 1\n");
    env.commit("init");
    Claude::new(&env, CLAUDE_A, T0 + 10)
        .prompt("Make the widget red")
        .edit("a.py", "x = 1\n", "x = 2\n");
    env.write(
        ".prompts/config.yaml",
        &format!("handoff:\n  llm:\n{llm_yaml}"),
    );
    env
}

fn llm_yaml(provider: &str, base: &str, extra: &str) -> String {
    format!(
        "    provider: {provider}\n    model: test-model\n    base_url: {base}\n    max_tokens: 1500\n    connect_timeout_secs: 2\n{extra}"
    )
}

#[test]
fn llm_anthropic_request_and_compacted_brief() {
    let server = Server::start(vec![anthropic_ok()]);
    let base = server.base.clone();
    let env = llm_env(&llm_yaml(
        "anthropic",
        &base,
        "    api_key_env: DRIFT_TEST_KEY\n    price_input_per_mtok: 3.0\n    price_output_per_mtok: 15.0\n",
    ));
    let (stdout, stderr) = ok(&drift_env(
        &env,
        &["handoff", "--llm", "--print"],
        &[("DRIFT_TEST_KEY", "sk-ant-test-123")],
    ));
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    let r = &seen[0];
    assert_eq!(r.path, "/v1/messages");
    assert_eq!(r.header("x-api-key"), Some("sk-ant-test-123"));
    assert_eq!(r.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(r.body["model"], "test-model");
    assert_eq!(r.body["max_tokens"], 1500);
    assert!(
        r.body["system"]
            .as_str()
            .unwrap()
            .contains("## Tried and rejected")
    );
    let user = r.body["messages"][0]["content"].as_str().unwrap();
    assert_eq!(r.body["messages"][0]["role"], "user");
    assert!(
        user.contains("<brief>")
            && user.contains("## Task")
            && user.contains("Make the widget red")
    );
    assert!(
        user.contains("<timeline>") && user.contains("edit a.py (Edit)"),
        "{user}"
    );
    // The compacted sections between the deterministic header and closing.
    assert!(stdout.starts_with("<!-- drift-handoff/1 {"));
    assert!(stdout.contains("\"llm\":\"anthropic test-model\""));
    assert!(stdout.contains("Make the widget red, compacted."));
    assert!(stdout.contains("## How to continue (generic)"));
    assert!(
        !stdout.contains("**Goal**"),
        "the deterministic sections are replaced"
    );
    // 1200 * 3 / 1e6 + 300 * 15 / 1e6 = 0.0081
    assert!(
        stderr.contains("llm anthropic test-model: 1200 input + 300 output tokens, cost $0.0081"),
        "{stderr}"
    );
}

/// `--model` overrides the configured model, and an endpoint of one's own with no model
/// configured says to pass `--model` instead of failing later (issue 18 item 16).
#[test]
fn llm_model_flag_overrides_and_a_custom_endpoint_needs_one() {
    let server = Server::start(vec![anthropic_ok()]);
    let yaml = format!(
        "    provider: anthropic\n    base_url: {}\n    api_key_env: DRIFT_TEST_KEY\n    connect_timeout_secs: 2\n",
        server.base
    );
    let env = llm_env(&yaml);
    let key = [("DRIFT_TEST_KEY", "sk-ant-test-123")];
    let (stdout, stderr) = ok(&drift_env(&env, &["handoff", "--llm", "--print"], &key));
    assert!(stderr.contains("pass --model"), "{stderr}");
    assert!(
        stdout.contains("**Goal**"),
        "the deterministic brief: {stdout}"
    );
    let (stdout, _) = ok(&drift_env(
        &env,
        &[
            "handoff",
            "--llm",
            "anthropic",
            "--model",
            "claude-opus-4-1",
            "--print",
        ],
        &key,
    ));
    let seen = server.requests();
    assert_eq!(seen.len(), 1, "the run without a model sent nothing");
    assert_eq!(seen[0].body["model"], "claude-opus-4-1");
    assert!(
        stdout.contains("\"llm\":\"anthropic claude-opus-4-1\""),
        "{stdout}"
    );
}

#[test]
fn llm_openai_compatible_and_ollama_formats() {
    let server = Server::start(vec![Reply::json(
        200,
        json!({"id": "c1", "object": "chat.completion", "model": "test-model",
               "choices": [{"index": 0, "message": {"role": "assistant", "content": COMPACTED},
                            "finish_reason": "stop"}],
               "usage": {"prompt_tokens": 900, "completion_tokens": 100, "total_tokens": 1000}}),
    )]);
    let base = server.base.clone();
    let env = llm_env(&llm_yaml(
        "openai",
        &format!("{base}/v1"),
        "    api_key_env: DRIFT_TEST_KEY\n",
    ));
    let (stdout, stderr) = ok(&drift_env(
        &env,
        &["handoff", "--llm", "openai", "--print"],
        &[("DRIFT_TEST_KEY", "gsk-test")],
    ));
    let seen = server.requests();
    assert_eq!(seen[0].path, "/v1/chat/completions");
    assert_eq!(seen[0].header("authorization"), Some("Bearer gsk-test"));
    assert_eq!(seen[0].body["model"], "test-model");
    assert_eq!(seen[0].body["max_tokens"], 1500);
    assert_eq!(seen[0].body["messages"][0]["role"], "system");
    assert_eq!(seen[0].body["messages"][1]["role"], "user");
    assert!(stdout.contains("Make the widget red, compacted."));
    assert!(stderr.contains("900 input + 100 output tokens"), "{stderr}");

    let server = Server::start(vec![Reply::json(
        200,
        json!({"model": "test-model", "created_at": "2026-01-15T10:00:00Z",
               "message": {"role": "assistant", "content": COMPACTED}, "done": true,
               "done_reason": "stop", "prompt_eval_count": 800, "eval_count": 90}),
    )]);
    let base = server.base.clone();
    let env = llm_env(&llm_yaml("ollama", &base, ""));
    let (stdout, stderr) = ok(&drift_env(&env, &["handoff", "--llm", "--print"], &[]));
    let seen = server.requests();
    assert_eq!(seen[0].path, "/api/chat");
    assert_eq!(
        seen[0].header("authorization"),
        None,
        "no key for a local ollama"
    );
    assert_eq!(seen[0].body["stream"], false);
    assert_eq!(seen[0].body["options"]["num_predict"], 1500);
    assert!(stdout.contains("Make the widget red, compacted."));
    assert!(stderr.contains("800 input + 90 output tokens"), "{stderr}");
}

#[test]
fn llm_rate_limit_honours_retry_after_and_5xx_is_retried() {
    let server = Server::start(vec![
        Reply::Json {
            status: 429,
            headers: vec![("retry-after", "1")],
            body: json!({"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}})
                .to_string(),
        },
        Reply::json(
            500,
            json!({"type": "error", "error": {"type": "api_error", "message": "oops"}}),
        ),
        anthropic_ok(),
    ]);
    let base = server.base.clone();
    let env = llm_env(&llm_yaml(
        "anthropic",
        &base,
        "    api_key_env: DRIFT_TEST_KEY\n",
    ));
    let (stdout, _) = ok(&drift_env(
        &env,
        &["handoff", "--llm", "--print"],
        &[("DRIFT_TEST_KEY", "k")],
    ));
    let seen = server.requests();
    assert_eq!(seen.len(), 3);
    assert!(
        seen[1].at - seen[0].at >= Duration::from_millis(950),
        "waited {:?} after Retry-After: 1",
        seen[1].at - seen[0].at
    );
    assert!(stdout.contains("Make the widget red, compacted."));
}

/// Each failure leaves the deterministic brief in place and says why.
#[test]
fn llm_failures_fall_back_to_the_deterministic_brief() {
    let cases: Vec<(Vec<Reply>, &str, &str, usize)> = vec![
        (
            vec![Reply::json(
                401,
                json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
            )],
            "    max_retries: 3\n",
            "authentication failed (HTTP 401)",
            1,
        ),
        (
            vec![
                Reply::json(500, json!({"error": {"message": "down"}})),
                Reply::json(503, json!({"error": {"message": "still down"}})),
            ],
            "    max_retries: 1\n",
            "server error (HTTP 503)",
            2,
        ),
        (
            vec![Reply::Hang],
            "    max_retries: 0\n    timeout_secs: 1\n",
            "no complete response within 1 s",
            1,
        ),
        (
            vec![Reply::json(
                200,
                json!({"id": "m", "type": "message", "role": "assistant", "model": "test-model",
                       "content": [{"type": "text", "text": "Sure, here is a summary without headings."}],
                       "stop_reason": "end_turn", "usage": {"input_tokens": 10, "output_tokens": 5}}),
            )],
            "",
            "does not have the sections",
            1,
        ),
    ];
    for (replies, extra, expect, requests) in cases {
        let server = Server::start(replies);
        let base = server.base.clone();
        let env = llm_env(&llm_yaml(
            "anthropic",
            &base,
            &format!("    api_key_env: DRIFT_TEST_KEY\n{extra}"),
        ));
        let (stdout, stderr) = ok(&drift_env(
            &env,
            &["handoff", "--llm", "--print"],
            &[("DRIFT_TEST_KEY", "k")],
        ));
        let seen = server.requests();
        assert_eq!(seen.len(), requests, "{expect}: {stderr}");
        assert!(stderr.contains(expect), "expected {expect:?} in {stderr}");
        assert!(stderr.contains("using the deterministic brief"), "{stderr}");
        assert!(stdout.contains("**Goal** (the first prompt)"), "{stdout}");
        assert!(stdout.contains("\"llm\":null"));
    }
}

#[test]
fn nothing_is_sent_without_llm_and_a_missing_key_falls_back() {
    let server = Server::start(vec![anthropic_ok()]);
    let base = server.base.clone();
    let env = llm_env(&llm_yaml(
        "anthropic",
        &base,
        "    api_key_env: DRIFT_TEST_KEY\n",
    ));
    let (stdout, _) = ok(&drift_env(
        &env,
        &["handoff", "--print"],
        &[("DRIFT_TEST_KEY", "k")],
    ));
    assert!(stdout.contains("**Goal**"));
    // A missing key: no request, a clear message, the deterministic brief.
    let (stdout, stderr) = ok(&drift_env(&env, &["handoff", "--llm", "--print"], &[]));
    assert!(stderr.contains("$DRIFT_TEST_KEY"), "{stderr}");
    assert!(stdout.contains("**Goal**"));
    // Unblock the server with one request of our own to learn it saw nothing else.
    let mut s = TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    s.write_all(b"POST /probe HTTP/1.1\r\ncontent-length: 2\r\n\r\n{}")
        .unwrap();
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/probe", "git drift sent nothing");
}

#[test]
fn briefs_are_redacted_and_bounded_as_configured() {
    let env = Env::new();
    env.write("settings.py", "DEBUG = False\n");
    env.commit("init");
    env.write(
        ".prompts/config.yaml",
        "handoff:\n  brief_tokens: 700\n  to: cursor\n",
    );
    let key = format!("AKIA{}", "QWERTYUIOPASDFGH");
    let mut c = Claude::new(&env, CLAUDE_A, T0 + 10);
    c.prompt("Wire the storage client").edit(
        "settings.py",
        "DEBUG = False\n",
        "DEBUG = False\nSTORAGE = 's3'\n",
    );
    for n in 0..40 {
        c.rejected_command(
            &format!("rm -rf build/cache-{n:02}"),
            Some("keep the cache"),
        );
    }
    // A secret that only the working tree holds (never in a transcript).
    env.write(
        "settings.py",
        &format!("DEBUG = False\nSTORAGE = 's3'\nAWS_KEY = '{key}'\n"),
    );
    let (text, stderr) = ok(&env.drift(&["handoff", "--print"]));
    assert_eq!(
        stderr, "",
        "no progress lines when stderr is not a terminal"
    );
    assert!(!text.contains(&key), "{text}");
    assert!(text.contains("[REDACTED:aws-access-key]"), "{text}");
    assert!(text.contains("## How to continue (cursor)"));
    assert!(
        text.chars().count() <= 700 * 4,
        "{} chars",
        text.chars().count()
    );
    let rejected = section(&text, "Tried and rejected");
    assert!(
        rejected.contains("cache-39"),
        "the newest are kept: {rejected}"
    );
    assert!(!rejected.contains("cache-00`"), "the oldest are cut");
    assert!(
        rejected.contains("_Trimmed to stay within the size bound: ")
            && rejected.contains("older items left out"),
        "{rejected}"
    );
    // Every section is still there, and the goal survives trimming.
    for name in drift::handoff::render::SECTIONS {
        section(&text, name);
    }
    assert!(text.contains("> Wire the storage client"));
}

#[test]
fn from_agent_picks_its_latest_session_and_dry_run_writes_nothing() {
    let env = two_agents();
    // Codex's only session in this repository.
    let (text, _) = ok(&drift_env(
        &env,
        &["handoff", "--from", "codex", "--print", "--quiet"],
        &[],
    ));
    assert!(
        text.contains(&format!("\"scope\":\"session {CODEX_C}\"")),
        "{text}"
    );
    assert!(section(&text, "Task").contains("must not retry on 4xx errors"));
    // Claude's latest session (by its last activity) is the Go logger one.
    let (text, _) = ok(&drift_env(
        &env,
        &[
            "handoff", "--from", "claude", "--to", "codex", "--print", "--quiet",
        ],
        &[],
    ));
    assert!(
        text.contains(&format!("\"scope\":\"session {CLAUDE_E}\"")),
        "{text}"
    );
    assert!(text.contains("# Handoff: other-work → codex"), "{text}");

    // --dry-run says where the brief and the injected session would go, and writes neither.
    let (text, _) = ok(&drift_env(
        &env,
        &[
            "handoff",
            "--from",
            "codex",
            "--to",
            "claude",
            "--inject",
            "--dry-run",
            "--quiet",
        ],
        &[],
    ));
    let head = text.lines().take(4).collect::<Vec<_>>().join("\n");
    assert!(
        head.starts_with("<!-- dry run: nothing was written"),
        "{head}"
    );
    assert!(head.contains("would write .prompts/handoffs/"), "{head}");
    assert!(head.contains("would create claude-code session"), "{head}");
    assert!(text.contains("## Done") && text.contains("## Resume here"));
    assert!(!env.repo.join(".prompts/handoffs").exists());
    let sessions = walk(&env.claude)
        .iter()
        .filter(|p| {
            std::fs::read_to_string(p).is_ok_and(|t| t.contains(drift::handoff::inject::MARKER))
        })
        .count();
    assert_eq!(sessions, 0, "a dry run wrote an injected session");

    // --from with a session scope is a usage error; an agent with no session says so.
    let out = drift_env(&env, &["handoff", "--from", "codex", "--session", "x"], &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
    let out = drift_env(&env, &["handoff", "--from", "vim"], &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown agent 'vim'"));
}

/// Every file under `p`.
fn walk(p: &Path) -> Vec<std::path::PathBuf> {
    if p.is_dir() {
        std::fs::read_dir(p)
            .map(|d| d.flatten().flat_map(|e| walk(&e.path())).collect())
            .unwrap_or_default()
    } else {
        vec![p.to_path_buf()]
    }
}
