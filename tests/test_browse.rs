//! Browsing beyond the timeline (issue 18 item 6): `session ID --diff [EDIT]`, `session ID
//! --commits` and `rejected [--since]`, on sessions captured from real transcript files and
//! commits bound by the real hook.

use crate::common::{Claude, Env, T0, json_out};

const ID: &str = "0a1b2c3d-0000-4000-8000-00000000b0b5";

/// A Claude Code session: an applied edit and a new file (committed), a declined edit with a
/// reason, a declined command without one; then a human commit.
fn story() -> Env {
    let env = Env::new();
    env.drift_ok(&["init"]);
    env.write("src/net.py", "def fetch(url):\n    return get(url)\n");
    env.commit("start");
    // The session runs after that commit, the next commit an hour later.
    let mut c = Claude::new(&env, ID, env.clock.get() + 60);
    c.prompt("Make fetch() retry three times")
        .edit(
            "src/net.py",
            "    return get(url)\n",
            "    for attempt in range(3):\n        return get(url)\n",
        )
        .write("src/retry.py", "RETRIES = 3\n")
        .rejected_edit(
            "src/net.py",
            "range(3)",
            "range(30)",
            Some("thirty is too many, keep three"),
        )
        .rejected_command("rm -rf build", None);
    env.tick(3600);
    env.commit("Retry fetch three times");
    env.write("README", "human\n");
    env.commit("docs");
    env
}

#[test]
fn session_diff_shows_each_edit_or_one() {
    let env = story();
    let all = env.drift_ok(&["session", &ID[..8], "--diff"]);
    assert!(all.contains("edit 1 of 3  src/net.py (Edit)"), "{all}");
    assert!(
        all.contains("--- a/src/net.py\n+++ b/src/net.py\n"),
        "{all}"
    );
    assert!(
        all.contains("-    return get(url)\n+    for attempt in range(3):\n"),
        "{all}"
    );
    assert!(all.contains("edit 2 of 3  src/retry.py (Write)"), "{all}");
    assert!(all.contains("+RETRIES = 3\n"), "{all}");
    assert!(
        all.contains("edit 3 of 3  src/net.py (Edit)")
            && all.contains("rejected: \"thirty is too many, keep three\""),
        "{all}"
    );
    let one = env.drift_ok(&["session", &ID[..8], "--diff", "3"]);
    assert!(one.starts_with("edit 3 of 3"), "{one}");
    assert!(!one.contains("edit 1 of 3"), "{one}");
    assert!(
        one.contains("-range(3)") || one.contains("+range(30)"),
        "{one}"
    );
    let v = json_out(&env.drift_ok(&["session", &ID[..8], "--diff", "1", "--json"]));
    assert_eq!(v[0]["file"], "src/net.py", "{v:#}");
    assert_eq!(v[0]["status"], "applied", "{v:#}");
    // The event id works as well as the number.
    let id = v[0]["id"].as_str().unwrap().to_string();
    let by_id = json_out(&env.drift_ok(&["session", &ID[..8], "--diff", &id[..10], "--json"]));
    assert_eq!(by_id, v);
    let out = env.drift(&["session", &ID[..8], "--diff", "9"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no edit '9' in session") && err.contains("(3 edits)"),
        "{err}"
    );
}

#[test]
fn session_commits_lists_where_its_edits_landed() {
    let env = story();
    let text = env.drift_ok(&["session", &ID[..8], "--commits"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "one commit has the edits; the human one not: {text}"
    );
    let head1 = env.git(&["rev-parse", "--short", "HEAD~1"]);
    assert!(lines[0].starts_with(head1.trim()), "{text}");
    assert!(
        lines[0].ends_with("Retry fetch three times  (2 edits: src/net.py, src/retry.py)"),
        "{text}"
    );
    let v = json_out(&env.drift_ok(&["session", &ID[..8], "--commits", "--json"]));
    assert_eq!(
        v[0]["commit"],
        env.git(&["rev-parse", "HEAD~1"]).trim(),
        "{v:#}"
    );
    assert_eq!(v[0]["edits"], 2);
    // After an amend the edits follow the rewritten commit.
    env.git(&["commit", "--amend", "-q", "-m", "docs, amended"]);
    let v = json_out(&env.drift_ok(&["session", &ID[..8], "--commits", "--json"]));
    assert_eq!(v.as_array().unwrap().len(), 1, "{v:#}");
}

#[test]
fn rejected_lists_declined_approaches_with_reasons() {
    let env = story();
    let text = env.drift_ok(&["rejected"]);
    assert!(text.contains("edit src/net.py (Edit)"), "{text}");
    assert!(
        text.contains("\"thirty is too many, keep three\""),
        "{text}"
    );
    assert!(text.contains("command `rm -rf build`"), "{text}");
    assert!(text.contains("(no reason given)"), "{text}");
    let v = json_out(&env.drift_ok(&["rejected", "--json"]));
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 2, "{v:#}");
    assert!(
        arr.iter()
            .all(|r| r["session"] == ID && r["agent"] == "claude-code")
    );
    // The transcript is of 2026-01-15; --since after it leaves nothing.
    const { assert!(T0 < 1_768_521_600, "T0 is on 2026-01-15") };
    let none = env.drift_ok(&["rejected", "--since", "2026-01-16"]);
    assert_eq!(none, "no rejected approaches\n");
    let some = json_out(&env.drift_ok(&["rejected", "--since", "2026-01-14", "--json"]));
    assert_eq!(some.as_array().unwrap().len(), 2);
}
