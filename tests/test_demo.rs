//! `git drift demo` end to end in a hermetic HOME (issue 18 item 5): the throwaway repository
//! it builds from real transcripts, what it shows, and that the user's agent homes are never
//! touched.

use crate::common::{Env, json_out};

fn entries(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}

#[test]
fn demo_builds_a_repository_and_shows_every_answer() {
    let env = Env::new();
    let dir = env.tmp.path().join("demo");
    let out = env.drift_in(&env.home, &["demo", "--dir", dir.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{out:?}");
    for step in [
        "$ git drift sessions",
        "$ git drift log",
        "$ git drift blame notes.txt",
        "$ git drift show HEAD~1",
        "$ git drift handoff --from codex --to claude-code --print",
    ] {
        assert!(text.contains(step), "{step} missing:\n{text}");
    }
    assert!(
        text.contains("[claude-code] claude-sonnet-4-5 · 2 edits accepted"),
        "{text}"
    );
    assert!(
        text.contains("[codex] gpt-5.5 · 2 edits accepted"),
        "{text}"
    );
    assert!(
        text.contains("## Tried and rejected") && text.contains("## Resume here"),
        "{text}"
    );
    let repo = dir.canonicalize().unwrap().join("widget");
    assert!(
        text.contains(&format!("The demo is in {}", repo.display()))
            && text.contains(&format!("rm -rf {}", dir.canonicalize().unwrap().display())),
        "{text}"
    );
    // The user's agent homes (the test's CLAUDE_CONFIG_DIR and CODEX_HOME, and ~/.claude,
    // ~/.codex) are neither read into the demo nor written.
    assert_eq!(entries(&env.claude), 0);
    assert_eq!(entries(&env.codex), 0);
    assert!(!env.home.join(".claude").exists() && !env.home.join(".codex").exists());
    // The repository is real: git drift answers there afterwards, from the demo's homes.
    let run = |args: &[&str]| {
        let out = env.drift_in(&repo, args);
        assert!(out.status.success(), "{out:?}");
        json_out(&String::from_utf8_lossy(&out.stdout))
    };
    let blame = run(&["blame", "--json", "notes.txt"]);
    let who: Vec<&str> = blame["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| l["who"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(who, ["ai", "ai", "ai", "human"], "{blame:#}");
    let sessions = run(&["sessions", "--json"]);
    assert_eq!(sessions.as_array().unwrap().len(), 2, "{sessions:#}");
    // An existing directory is refused.
    let again = env.drift_in(&env.home, &["demo", "--dir", dir.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1), "{again:?}");
}
