//! `git drift blame` over real repositories with installed hooks: every line's author checked
//! against the ground truth the scenario built, git's own blame as the baseline for commits and
//! line numbers, renames, rebases, uncommitted edits, the timeline, and the three ways in.

use crate::common::{Claude, Codex, Env, json_out};
use serde_json::Value;

const A: &str = "aaaa1111-0000-4000-8000-00000000000a";
const B: &str = "bbbb2222-0000-4000-8000-00000000000b";
const A2: &str = "dddd4444-0000-4000-8000-00000000000d";
const CODEX: &str = "cccc3333-4d2e-7a10-9c3b-5e6f7a8b9c0d";
const E: &str = "eeee5555-0000-4000-8000-00000000000e";

const OPUS: &str = "claude-opus-4-5-20251101";
const SONNET: &str = "claude-sonnet-4-5-20250929";

fn setup() -> Env {
    let env = Env::new();
    env.drift_ok(&["init"]);
    env.write("README.md", "# widget\n");
    env.commit("initial");
    env
}

/// Seconds on the commit clock, for starting a session after everything so far.
fn now(env: &Env) -> i64 {
    env.clock.get()
}

/// `ai:<session prefix>`, `mod:<session prefix>`, `human` or `unknown` per line of a blame
/// JSON document.
fn labels(v: &Value) -> Vec<String> {
    v["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            let s = l["session"].as_str().map(|s| &s[..4]).unwrap_or("");
            match l["who"].as_str().unwrap() {
                "ai" => format!("ai:{s}"),
                "modified" => format!("mod:{s}"),
                other => other.to_string(),
            }
        })
        .collect()
}

fn blame_json(env: &Env, args: &[&str]) -> Value {
    let mut all = vec!["blame", "--json"];
    all.extend(args);
    json_out(&env.drift_ok(&all))
}

/// The scenario of the issue: Claude (opus), a human, Claude (sonnet) with a human tweak and a
/// declined edit, then a second opus session with a declined and a superseded edit and a
/// human line — four commits on one file. Returns the commits.
struct Story {
    env: Env,
    c1: String,
    c2: String,
    c3: String,
    c4: String,
}

fn story() -> Story {
    let env = setup();
    let mut a = Claude::new(&env, A, now(&env) + 10).model(OPUS);
    a.prompt("Add a retrying fetch").write(
        "src/net.py",
        "import time\n\ndef fetch(url, attempts=3):\n    for attempt in range(attempts):\n        try:\n            return get(url)\n        except IOError:\n            time.sleep(2 ** attempt)\n    raise IOError(\"gave up\")\n",
    );
    env.tick(100);
    let c1 = env.commit("Add fetch");

    // The human: an import, a backoff helper, and the sleep changed to use it.
    let text = env
        .read("src/net.py")
        .replace("import time\n", "import time\nimport logging\n")
        .replace("time.sleep(2 ** attempt)", "time.sleep(backoff(attempt))");
    env.write(
        "src/net.py",
        &format!("{text}\ndef backoff(n):\n    return min(30, 2 ** n)\n"),
    );
    let c2 = env.commit("Backoff helper");

    let mut b = Claude::new(&env, B, now(&env) + 10).model(SONNET);
    b.prompt("Log each failure")
        .rejected_edit(
            "src/net.py",
            "    raise IOError(\"gave up\")\n",
            "    return None\n",
            Some("callers expect an exception"),
        )
        .edit(
            "src/net.py",
            "        except IOError:\n",
            "        except IOError as err:\n            logging.warning(\"attempt %d failed: %s\", attempt, err)\n",
        );
    // The human rewords the agent's log line before committing.
    let text = env.read("src/net.py").replace(
        "\"attempt %d failed: %s\", attempt, err",
        "\"attempt %d of %d failed: %s\", attempt, attempts, err",
    );
    env.write("src/net.py", &text);
    env.tick(100);
    let c3 = env.commit("Log failures");

    let mut a2 = Claude::new(&env, A2, now(&env) + 10).model(OPUS);
    a2.prompt("Cap the backoff lower")
        .rejected_edit(
            "src/net.py",
            "    return min(30, 2 ** n)\n",
            "    return 10\n",
            Some("keep the exponential growth"),
        )
        .edit(
            "src/net.py",
            "    return min(30, 2 ** n)\n",
            "    return min(5, 2 ** n)\n",
        )
        .prompt("5 is too low, use 10")
        .edit(
            "src/net.py",
            "    return min(5, 2 ** n)\n",
            "    return min(10, 2 ** n)\n",
        );
    env.write(
        "src/net.py",
        &format!("# network helpers\n{}", env.read("src/net.py")),
    );
    env.tick(100);
    let c4 = env.commit("Lower cap");
    Story {
        env,
        c1,
        c2,
        c3,
        c4,
    }
}

/// The ground truth of [`story`]'s final file: (content, commit index 1..=4, label).
fn truth() -> Vec<(&'static str, usize, &'static str)> {
    vec![
        ("# network helpers", 4, "human"),
        ("import time", 1, "ai:aaaa"),
        ("import logging", 2, "human"),
        ("", 1, "ai:aaaa"),
        ("def fetch(url, attempts=3):", 1, "ai:aaaa"),
        ("    for attempt in range(attempts):", 1, "ai:aaaa"),
        ("        try:", 1, "ai:aaaa"),
        ("            return get(url)", 1, "ai:aaaa"),
        ("        except IOError as err:", 3, "ai:bbbb"),
        (
            "            logging.warning(\"attempt %d of %d failed: %s\", attempt, attempts, err)",
            3,
            "mod:bbbb",
        ),
        ("            time.sleep(backoff(attempt))", 2, "human"),
        ("    raise IOError(\"gave up\")", 1, "ai:aaaa"),
        ("", 2, "human"),
        ("def backoff(n):", 2, "human"),
        ("    return min(10, 2 ** n)", 4, "ai:dddd"),
    ]
}

#[test]
fn every_line_matches_the_ground_truth() {
    let s = story();
    let v = blame_json(&s.env, &["src/net.py"]);
    assert_eq!(v["file"], "src/net.py");
    assert_eq!(v["rev"], Value::Null);
    let commits = [&s.c1, &s.c2, &s.c3, &s.c4];
    let truth = truth();
    let lines = v["lines"].as_array().unwrap();
    assert_eq!(lines.len(), truth.len());
    let got = labels(&v);
    for (i, ((content, c, label), l)) in truth.iter().zip(lines).enumerate() {
        assert_eq!(l["line"], i as u64 + 1);
        assert_eq!(l["content"], *content, "line {}", i + 1);
        assert_eq!(
            l["commit"].as_str(),
            Some(commits[c - 1].as_str()),
            "line {}",
            i + 1
        );
        assert_eq!(got[i], *label, "line {}: {content}", i + 1);
    }
    // Agents, models, sessions and prompts of the agent lines.
    let by_label = |label: &str| {
        lines
            .iter()
            .zip(&got)
            .find(|(_, g)| g.as_str() == label)
            .map(|(l, _)| l.clone())
            .unwrap()
    };
    let a = by_label("ai:aaaa");
    assert_eq!(
        (&a["agent"], &a["model"], &a["session"], &a["prompt"]),
        (
            &Value::from("claude-code"),
            &Value::from(OPUS),
            &Value::from(A),
            &Value::from("Add a retrying fetch")
        )
    );
    let m = by_label("mod:bbbb");
    assert_eq!(
        (&m["agent"], &m["model"], &m["session"], &m["prompt"]),
        (
            &Value::from("claude-code"),
            &Value::from(SONNET),
            &Value::from(B),
            &Value::from("Log each failure")
        )
    );
    assert_eq!(by_label("ai:dddd")["prompt"], "5 is too low, use 10");
    let h = by_label("human");
    for k in ["agent", "model", "session", "prompt"] {
        assert_eq!(h[k], Value::Null, "{k} of a human line");
    }
}

#[test]
fn human_output_is_aligned_with_short_names_and_prompts() {
    let s = story();
    let out = s.env.drift_ok(&["blame", "--show-prompt", "src/net.py"]);
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| !l.trim_start().starts_with('↳'))
        .collect();
    assert_eq!(rows.len(), truth().len(), "{out}");
    // Every row's content starts in the same column, after "N) ".
    let col = |r: &str| r.find(") ").map(|i| i + 2).unwrap();
    assert!(rows.iter().all(|r| col(r) == col(rows[0])), "{out}");
    assert!(rows[1].starts_with(&s.c1[..7]), "{out}");
    assert!(
        rows[1].contains("claude-code")
            && rows[1].contains("opus-4.5")
            && rows[1].contains("aaaa1111"),
        "{out}"
    );
    assert!(
        rows[9].contains("claude-code*") && rows[9].contains("sonnet-4.5"),
        "{out}"
    );
    assert!(rows[2].contains(" human "), "{out}");
    assert!(
        rows[14].ends_with("15)     return min(10, 2 ** n)"),
        "{out}"
    );
    // The prompt goes under each group of agent lines, once per group.
    assert_eq!(
        out.matches("↳ prompt: \"Add a retrying fetch\"").count(),
        3,
        "{out}"
    );
    // An agent line and the line a human changed after it, from one prompt: one group.
    assert_eq!(
        out.matches("↳ prompt: \"Log each failure\"").count(),
        1,
        "{out}"
    );
    let plain = s.env.drift_ok(&["blame", "src/net.py"]);
    assert!(!plain.contains('↳') && !plain.contains('\x1b'), "{plain}");
}

#[test]
fn commits_and_line_numbers_agree_with_git_blame_porcelain() {
    let s = story();
    let env = &s.env;
    for args in [
        vec!["src/net.py"],
        vec!["-L", "3,10", "src/net.py"],
        vec![s.c3.as_str(), "--", "src/net.py"],
        vec!["-L", "/def backoff/,+2", "HEAD~2", "src/net.py"],
    ] {
        // The baseline: git's own porcelain, recorded in the same repository and run.
        let mut git_args = vec!["blame", "--porcelain"];
        git_args.extend(&args);
        let baseline = env.git(&git_args);
        std::fs::write(env.tmp.path().join("baseline.porcelain"), &baseline).unwrap();
        let expected: Vec<(String, String)> = headers_and_content(&baseline);
        let mut ours_args = vec!["blame", "--porcelain"];
        ours_args.extend(&args);
        let ours = headers_and_content(&env.drift_ok(&ours_args));
        assert!(!expected.is_empty());
        assert_eq!(ours, expected, "{args:?}");
        // JSON says the same.
        let mut json_args = vec!["blame", "--json"];
        json_args.extend(&args);
        let v = json_out(&env.drift_ok(&json_args));
        let from_json: Vec<(String, String)> = v["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    format!(
                        "{} {} {}",
                        l["commit"].as_str().unwrap(),
                        l["orig_line"],
                        l["line"]
                    ),
                    l["content"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(from_json, expected, "{args:?}");
    }
}

/// (`commit orig final`, content) per line of a porcelain stream (git's or ours).
fn headers_and_content(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut header = None;
    for line in text.lines() {
        if let Some(content) = line.strip_prefix('\t') {
            out.push((
                header.take().expect("header before content"),
                content.to_string(),
            ));
        } else if header.is_none() {
            let f: Vec<&str> = line.split(' ').collect();
            header = Some(format!("{} {} {}", f[0], f[1], f[2]));
        }
    }
    out
}

#[test]
fn porcelain_carries_the_drift_fields() {
    let s = story();
    let out = s
        .env
        .drift_ok(&["blame", "--porcelain", "-L", "10,10", "src/net.py"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], format!("{} 9 10 1", s.c3));
    assert_eq!(
        &lines[1..],
        &[
            "who modified",
            "agent claude-code",
            "model claude-sonnet-4-5-20250929",
            &format!("session {B}"),
            "prompt Log each failure",
            "filename src/net.py",
            "\t            logging.warning(\"attempt %d of %d failed: %s\", attempt, attempts, err)",
        ]
    );
}

#[test]
fn timeline_tells_versions_rejections_and_superseded_edits() {
    let s = story();
    let v = blame_json(&s.env, &["--timeline", "--line", "15", "src/net.py"]);
    let history = v["history"].as_array().unwrap();
    let kinds: Vec<&str> = history
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec!["commit", "rejected", "superseded", "commit"],
        "{v:#}"
    );
    assert_eq!(history[0]["commit"], s.c2.as_str());
    assert_eq!(
        history[0]["changes"][0]["text"],
        "    return min(30, 2 ** n)"
    );
    assert_eq!(history[0]["changes"][0]["who"], "human");
    assert_eq!(history[1]["session"], A2);
    assert_eq!(history[1]["reason"], "keep the exponential growth");
    assert_eq!(history[1]["prompt"], "Cap the backoff lower");
    let tried: Vec<&str> = history[1]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(tried, vec!["    return min(30, 2 ** n)", "    return 10"]);
    assert_eq!(
        history[2]["changes"][1]["text"],
        "    return min(5, 2 ** n)"
    );
    let last = &history[3];
    assert_eq!(last["commit"], s.c4.as_str());
    let added = last["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["change"] == "added")
        .unwrap();
    assert_eq!(
        (
            &added["text"],
            &added["who"],
            &added["session"],
            &added["prompt"]
        ),
        (
            &Value::from("    return min(10, 2 ** n)"),
            &Value::from("ai"),
            &Value::from(A2),
            &Value::from("5 is too low, use 10")
        )
    );

    // An older line: Claude wrote it; a later session's attempt to replace it was declined.
    let v = blame_json(&s.env, &["--timeline", "-L", "12,12", "src/net.py"]);
    let history = v["history"].as_array().unwrap();
    let kinds: Vec<&str> = history
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["commit", "rejected"], "{v:#}");
    assert_eq!(history[0]["commit"], s.c1.as_str());
    assert_eq!(history[0]["changes"][0]["session"], A);
    assert_eq!(history[1]["session"], B);
    assert_eq!(history[1]["reason"], "callers expect an exception");

    let text = s
        .env
        .drift_ok(&["blame", "--timeline", "--line", "15", "src/net.py"]);
    for want in [
        "History of src/net.py:15 — 2 versions, 1 rejected, 1 superseded, oldest first",
        "why: \"keep the exponential growth\"",
        "applied, then replaced before it was committed",
        "claude-code · opus-4.5 · session dddd4444",
        "prompt: \"5 is too low, use 10\"",
        // The removed version has its number in the old commit, the new one in the new.
        "14 -     return min(30, 2 ** n)",
        "15 +     return min(10, 2 ** n)",
        "Backoff helper",
        "Lower cap",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    // Oldest first: the first version before the rejection before the last version.
    let pos = |s: &str| text.find(s).unwrap();
    assert!(pos("Backoff helper") < pos("✗ rejected"));
    assert!(pos("✗ rejected") < pos("~ superseded") && pos("~ superseded") < pos("Lower cap"));
}

#[test]
fn renamed_file_follows_git_and_keeps_attribution() {
    let env = setup();
    Claude::new(&env, A, now(&env) + 10)
        .prompt("write the parser")
        .write("parse.py", "def parse(s):\n    return int(s.strip())\n");
    env.tick(100);
    let c1 = env.commit("parser");
    env.git(&["mv", "parse.py", "parsing.py"]);
    env.write(
        "parsing.py",
        &format!("{}# renamed by hand\n", env.read("parsing.py")),
    );
    let c2 = env.commit("rename");
    let v = blame_json(&env, &["parsing.py"]);
    assert_eq!(labels(&v), vec!["ai:aaaa", "ai:aaaa", "human"]);
    let l = &v["lines"];
    assert_eq!(
        (l[0]["commit"].as_str(), l[0]["orig_path"].as_str()),
        (Some(c1.as_str()), Some("parse.py"))
    );
    assert_eq!(
        (l[2]["commit"].as_str(), l[2]["orig_path"].as_str()),
        (Some(c2.as_str()), Some("parsing.py"))
    );
    // The timeline follows the rename too.
    let t = blame_json(&env, &["--timeline", "--line", "2", "parsing.py"]);
    assert_eq!(t["history"][0]["commit"], c1.as_str());
    assert_eq!(t["history"][0]["path"], "parse.py");
    assert_eq!(t["history"][0]["changes"][0]["session"], A);
}

#[test]
fn rebased_branch_keeps_attribution_on_the_new_commits() {
    let env = setup();
    env.write("f.py", "a = 1\nb = 2\n");
    env.commit("base");
    env.git(&["checkout", "-q", "-b", "feature"]);
    Claude::new(&env, A, now(&env) + 10).prompt("add c").edit(
        "f.py",
        "b = 2\n",
        "b = 2\nc = compute(a, b)\nd = describe(c)\n",
    );
    env.tick(100);
    let old = env.commit("c and d");
    env.git(&["checkout", "-q", "main"]);
    env.write("f.py", "# header added upstream\na = 1\nb = 2\n");
    let upstream = env.commit("upstream header");
    env.git(&["checkout", "-q", "feature"]);
    env.tick(60);
    env.git(&["rebase", "-q", "main"]);
    let head = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_ne!(head, old);
    let v = blame_json(&env, &["f.py"]);
    assert_eq!(
        labels(&v),
        vec!["human", "human", "human", "ai:aaaa", "ai:aaaa"]
    );
    let commit = |i: usize| v["lines"][i]["commit"].as_str().unwrap().to_string();
    assert_eq!(commit(0), upstream);
    assert_eq!((commit(3), commit(4)), (head.clone(), head));
}

#[test]
fn uncommitted_lines_come_from_captured_unbound_edits() {
    let s = story();
    let env = &s.env;
    let mut c = Claude::new(env, E, now(env) + 10).model(SONNET);
    c.prompt("Add a timeout").edit(
        "src/net.py",
        "            return get(url)\n",
        "            return get(url, timeout=5)\n",
    );
    c.prompt("And a test").write(
        "tests/test_net.py",
        "from src.net import fetch\n\ndef test_fetch():\n    assert fetch('x')\n",
    );
    // And a human line nobody's session wrote.
    env.write(
        "src/net.py",
        &format!("{}# todo: jitter\n", env.read("src/net.py")),
    );
    let v = blame_json(env, &["src/net.py"]);
    let lines = v["lines"].as_array().unwrap();
    assert_eq!(lines[7]["commit"], Value::Null);
    assert_eq!(
        lines[7]["content"],
        "            return get(url, timeout=5)"
    );
    assert_eq!(
        (&lines[7]["who"], &lines[7]["session"], &lines[7]["prompt"]),
        (
            &Value::from("ai"),
            &Value::from(E),
            &Value::from("Add a timeout")
        )
    );
    assert_eq!(lines[7]["model"], SONNET);
    let last = lines.last().unwrap();
    assert_eq!(
        (&last["commit"], &last["who"]),
        (&Value::Null, &Value::from("human"))
    );
    // Everything else is as committed.
    let mut want: Vec<String> = truth().iter().map(|t| t.2.to_string()).collect();
    want[7] = "ai:eeee".into();
    want.push("human".into());
    assert_eq!(labels(&v), want);
    let text = env.drift_ok(&["blame", "-L", "8,8", "src/net.py"]);
    assert!(text.starts_with("0000000  claude-code"), "{text}");
    // A file the agent created that git does not know yet: every line not committed yet.
    let fresh = blame_json(env, &["tests/test_net.py"]);
    assert_eq!(labels(&fresh), vec!["ai:eeee"; 4]);
    assert!(
        fresh["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["commit"].is_null())
    );
    assert_eq!(fresh["lines"][3]["prompt"], "And a test");
    let one = blame_json(env, &["-L", "3,+1", "tests/test_net.py"]);
    assert_eq!(one["lines"][0]["content"], "def test_fetch():");
    // Blaming HEAD ignores the working tree.
    let head = blame_json(env, &["HEAD", "src/net.py"]);
    assert_eq!(head["rev"], "HEAD");
    assert_eq!(
        labels(&head),
        truth().iter().map(|t| t.2).collect::<Vec<_>>()
    );
    // The uncommitted line's timeline ends with it.
    let t = blame_json(env, &["--timeline", "--line", "8", "src/net.py"]);
    let h = t["history"].as_array().unwrap();
    assert_eq!(h[0]["commit"], s.c1.as_str());
    assert_eq!(h.last().unwrap()["kind"], "uncommitted");
    let now_entry = h.last().unwrap();
    let texts: Vec<(&str, &str)> = now_entry["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["change"].as_str().unwrap(), c["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        texts,
        vec![
            ("removed", "            return get(url)"),
            ("added", "            return get(url, timeout=5)")
        ]
    );
    assert_eq!(now_entry["changes"][1]["session"], E);
}

#[test]
fn commits_without_a_note_are_unknown_and_fetched_notes_count() {
    let env = Env::new();
    env.write("old.txt", "written before git drift\n");
    let before = env.commit("before drift");
    env.drift_ok(&["init"]);
    Claude::new(&env, A, now(&env) + 10).prompt("append").edit(
        "old.txt",
        "written before git drift\n",
        "written before git drift\nappended by the agent\n",
    );
    env.tick(100);
    env.commit("after");
    let v = blame_json(&env, &["old.txt"]);
    assert_eq!(labels(&v), vec!["unknown", "ai:aaaa"]);
    assert_eq!(v["lines"][0]["commit"], before.as_str());
    let text = env.drift_ok(&["blame", "old.txt"]);
    assert!(text.lines().next().unwrap().contains("  -  "), "{text}");
    // A teammate's notes arrive only as a fetched tracking ref: still read.
    env.git(&[
        "update-ref",
        "refs/notes/remotes/origin/drift",
        "refs/notes/drift",
    ]);
    env.git(&["update-ref", "-d", "refs/notes/drift"]);
    assert_eq!(
        labels(&blame_json(&env, &["old.txt"])),
        vec!["unknown", "ai:aaaa"]
    );
}

#[test]
fn three_ways_in_give_the_same_answer() {
    let s = story();
    let env = &s.env;
    let via_subcommand = env.drift_ok(&["blame", "--json", "-L", "8,12", "src/net.py"]);
    let dash = env
        .cmd_in("git", &env.repo)
        .args(["drift-blame", "--json", "-L", "8,12", "src/net.py"])
        .output()
        .unwrap();
    assert!(
        dash.status.success(),
        "{}",
        String::from_utf8_lossy(&dash.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&dash.stdout), via_subcommand);
    let direct = env
        .cmd_in("git-drift-blame", &env.repo)
        .args(["--json", "-L", "8,12", "src/net.py"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&direct.stdout), via_subcommand);
    // Errors too.
    let a = env.drift(&["blame", "missing.py"]);
    let b = env
        .cmd_in("git", &env.repo)
        .args(["drift-blame", "missing.py"])
        .output()
        .unwrap();
    assert_eq!((a.status.code(), b.status.code()), (Some(1), Some(1)));
    assert_eq!(a.stderr, b.stderr);
}

#[test]
fn paths_are_relative_to_the_cwd_and_errors_are_git_like() {
    let s = story();
    let env = &s.env;
    let sub = env.repo.join("src");
    let from_sub = env.drift_in(&sub, &["blame", "--json", "net.py"]);
    assert!(from_sub.status.success());
    let v = json_out(&String::from_utf8_lossy(&from_sub.stdout));
    assert_eq!(v["file"], "src/net.py");
    assert_eq!(labels(&v).len(), truth().len());
    let up = env.drift_in(&sub, &["blame", "--json", "../README.md"]);
    assert_eq!(
        json_out(&String::from_utf8_lossy(&up.stdout))["file"],
        "README.md"
    );

    let err = |out: std::process::Output| {
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, msg) = err(env.drift_in(&sub, &["blame", "../../elsewhere.py"]));
    assert_eq!(code, Some(1));
    assert!(msg.contains("is outside repository"), "{msg}");
    let (code, msg) = err(env.drift(&["blame", "nope.py"]));
    assert_eq!(code, Some(1));
    assert!(msg.contains("no such path 'nope.py'"), "{msg}");
    let (code, msg) = err(env.drift(&["blame", "HEAD~4", "--", "src/net.py"]));
    assert_eq!(code, Some(1), "{msg}");
    assert!(msg.contains("no such path src/net.py in HEAD~4"), "{msg}");
    let (code, msg) = err(env.drift(&["blame", "-L", "90,95", "src/net.py"]));
    assert_eq!(code, Some(1));
    assert!(msg.contains("has only 15 lines"), "{msg}");
    std::fs::write(env.repo.join("logo.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    env.commit("logo");
    let (code, msg) = err(env.drift(&["blame", "logo.png"]));
    assert_eq!(code, Some(1));
    assert!(msg.contains("logo.png: binary file"), "{msg}");
    let (code, msg) = err(env.drift(&["blame", "--timeline", "src/net.py"]));
    assert_eq!(code, Some(1));
    assert!(msg.contains("--line N or -L"), "{msg}");
}

#[test]
fn colour_follows_no_color_and_color_ui() {
    let s = story();
    let env = &s.env;
    env.git(&["config", "color.ui", "always"]);
    let coloured = env.drift_ok(&["blame", "src/net.py"]);
    assert!(coloured.contains("\x1b[33m"), "{coloured}");
    let out = env
        .cmd_in("git", &env.repo)
        .env("NO_COLOR", "1")
        .args(["drift", "blame", "src/net.py"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\x1b'));
    // Machine formats never carry colour.
    assert!(
        !env.drift_ok(&["blame", "--json", "src/net.py"])
            .contains('\x1b')
    );
}

/// `--color`, `CLICOLOR_FORCE` and `CLICOLOR` (issue 18 item 14), before or after the
/// command name, on `git drift` and on `git-drift-blame`.
#[test]
fn colour_follows_the_color_flag_and_clicolor() {
    let s = story();
    let env = &s.env;
    let run = |vars: &[(&str, &str)], args: &[&str]| {
        let mut c = env.cmd_in("git", &env.repo);
        c.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
        for (k, v) in vars {
            c.env(k, v);
        }
        let out = c.args(args).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).contains("\x1b[")
    };
    // Not a terminal: plain unless asked.
    assert!(!run(&[], &["drift", "blame", "src/net.py"]));
    assert!(run(
        &[],
        &["drift", "blame", "--color=always", "src/net.py"]
    ));
    assert!(run(&[], &["drift", "--color", "always", "log"]));
    assert!(run(&[], &["drift-blame", "--color=always", "src/net.py"]));
    assert!(run(
        &[("CLICOLOR_FORCE", "1")],
        &["drift", "blame", "src/net.py"]
    ));
    // NO_COLOR outranks CLICOLOR_FORCE; the flag outranks both.
    let both = [("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")];
    assert!(!run(&both, &["drift", "blame", "src/net.py"]));
    assert!(run(
        &both,
        &["drift", "blame", "--color=always", "src/net.py"]
    ));
    env.git(&["config", "color.ui", "always"]);
    assert!(!run(
        &[],
        &["drift", "blame", "--color=never", "src/net.py"]
    ));
    assert!(!run(
        &[("CLICOLOR", "0")],
        &["drift", "log", "--color=never"]
    ));
    assert!(
        run(&[("CLICOLOR", "0")], &["drift", "log"]),
        "color.ui=always outranks CLICOLOR=0"
    );
    env.git(&["config", "--unset", "color.ui"]);
    // `--no-pager` is accepted by every command, before or after its name.
    for args in [
        &["drift", "--no-pager", "sessions"][..],
        &["drift", "show", "--no-pager"],
        &["drift", "log", "--no-pager"],
        &["drift", "status", "--no-pager"],
    ] {
        run(&[], args);
    }
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let env = setup();
    let text: String = (0..12_000).map(|i| format!("line number {i}\n")).collect();
    env.write("big.txt", &text);
    env.commit("big");
    let out = env
        .cmd_in("bash", &env.repo)
        .args([
            "-c",
            "git drift blame big.txt | head -1; echo \"status ${PIPESTATUS[0]}\"",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.ends_with("status 0\n"), "{stdout}");
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// Needs the Codex reader: fails while it is a stub.
#[test]
fn claude_and_codex_in_one_file() {
    let env = setup();
    env.write("lib.rs", "// lib\n");
    env.commit("lib");
    Claude::new(&env, A, now(&env) + 10)
        .prompt("add parse")
        .edit(
            "lib.rs",
            "// lib\n",
            "// lib\npub fn parse(s: &str) -> u32 {\n    s.parse().unwrap_or(0)\n}\n",
        );
    env.tick(100);
    env.commit("parse");
    let mut x = Codex::new(&env, CODEX, now(&env) + 10);
    let after = format!(
        "{}pub fn render(n: u32) -> String {{\n    format!(\"{{n}}\")\n}}\n",
        env.read("lib.rs")
    );
    x.prompt("add render").patch(
        "*** Begin Patch\n*** Update File: lib.rs\n@@\n     s.parse().unwrap_or(0)\n }\n+pub fn render(n: u32) -> String {\n+    format!(\"{n}\")\n+}\n*** End Patch\n",
        &[("lib.rs", &after)],
    );
    env.tick(100);
    env.commit("render");
    let v = blame_json(&env, &["lib.rs"]);
    assert_eq!(
        labels(&v),
        vec![
            "human", "ai:aaaa", "ai:aaaa", "ai:aaaa", "ai:cccc", "ai:cccc", "ai:cccc"
        ]
    );
    let agents: Vec<&str> = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["agent"].as_str())
        .collect();
    assert_eq!(agents[0], "claude-code");
    assert_eq!(agents.last(), Some(&"codex"));
    assert_eq!(v["lines"][4]["model"], "gpt-5-codex");
}
