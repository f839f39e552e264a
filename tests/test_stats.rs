//! `git drift stats` on a history of known authorship (issue 15 item 1): a commit from before
//! git drift (unknown), a human commit, a commit with an agent's file and a human's file, and
//! an edit the user declined.

use crate::common::{Claude, Env, json_out};

const ID: &str = "5a7a7500-0000-4000-8000-0000000057a7";

/// (env, human lines of the set-up commit).
fn history() -> (Env, u64) {
    let env = Env::new();
    env.write("a.txt", "one\ntwo\n");
    env.commit("before git drift");
    env.drift_ok(&["init"]);
    let setup: u64 = [".prompts/config.yaml", ".prompts/.gitignore"]
        .iter()
        .map(|p| env.read(p).lines().count() as u64)
        .sum();
    env.commit("set up git drift");
    let mut c = Claude::new(&env, ID, env.clock.get() + 60);
    c.prompt("Add x.py")
        .write("src/x.py", "a = 1\nb = 2\nc = 3\n")
        .rejected_edit("src/x.py", "c = 3", "c = 30", Some("keep it small"));
    env.write("docs.md", "by hand\n");
    env.tick(3600);
    env.commit("x.py and docs");
    (env, setup)
}

fn row<'a>(v: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    v["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no row {key}: {v:#}"))
}

#[test]
fn stats_counts_known_authorship() {
    let (env, setup) = history();
    let v = json_out(&env.drift_ok(&["stats", "--json"]));
    assert_eq!(v["commits"], 3, "{v:#}");
    assert_eq!(v["with_note"], 2, "{v:#}");
    let t = &v["total"];
    assert_eq!(
        (
            t["ai"].as_u64(),
            t["modified"].as_u64(),
            t["human"].as_u64(),
            t["unknown"].as_u64()
        ),
        (Some(3), Some(0), Some(setup + 1), Some(2)),
        "{v:#}"
    );
    assert_eq!(t["lines"].as_u64(), Some(3 + setup + 1 + 2));
    let claude = row(&v, "claude-code");
    assert_eq!(claude["ai"], 3);
    assert_eq!(claude["accepted"], 1, "{v:#}");
    assert_eq!(claude["rejected"], 1, "{v:#}");
    assert_eq!(claude["acceptance"], 0.5);
    assert_eq!(row(&v, "(unknown)")["unknown"], 2);
    assert_eq!(row(&v, "(human)")["human"].as_u64(), Some(setup + 1));

    let by_path = json_out(&env.drift_ok(&["stats", "--by", "path", "--json"]));
    assert_eq!(row(&by_path, "src")["ai"], 3);
    assert_eq!(row(&by_path, "docs.md")["human"], 1);
    assert_eq!(row(&by_path, "a.txt")["unknown"], 2);
    let by_author = json_out(&env.drift_ok(&["stats", "--by", "author", "--json"]));
    assert_eq!(by_author["rows"].as_array().unwrap().len(), 1);
    assert_eq!(row(&by_author, "Test User")["lines"], t["lines"]);
    let by_model = json_out(&env.drift_ok(&["stats", "--by", "model", "--json"]));
    let models: Vec<&str> = by_model["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["key"].as_str())
        .filter(|k| !k.starts_with('('))
        .collect();
    assert_eq!(models.len(), 1, "{by_model:#}");
    assert_eq!(row(&by_model, models[0])["ai"], 3);
}

#[test]
fn stats_selects_by_range_time_and_path() {
    let (env, _) = history();
    let src = json_out(&env.drift_ok(&["stats", "--json", "--", "src"]));
    assert_eq!(src["commits"], 1, "{src:#}");
    assert_eq!(src["total"]["lines"], 3);
    assert_eq!(src["total"]["ai_share"], 1.0);
    let last = json_out(&env.drift_ok(&["stats", "HEAD~1..HEAD", "--json"]));
    assert_eq!(last["commits"], 1);
    assert_eq!(last["total"]["ai"], 3);
    assert_eq!(last["total"]["human"], 1);
    let none = json_out(&env.drift_ok(&["stats", "--since", "2030-01-01", "--json"]));
    assert_eq!(none["commits"], 0);
    assert_eq!(none["total"]["lines"], 0);
    let text = env.drift_ok(&["stats", "--", "src"]);
    assert!(
        text.starts_with("1 commit, 1 with a note\n3 lines added: 3 ai (100.0%)"),
        "{text}"
    );
    assert!(text.contains("claude-code"), "{text}");
    // A fresh clone after fetching the notes answers the same, without any store.
    let bare = env.tmp.path().join("remote.git");
    env.git(&["init", "-q", "--bare", bare.to_str().unwrap()]);
    // The pre-push hook pushes the notes along with the branch.
    env.git(&["push", "-q", bare.to_str().unwrap(), "main"]);
    let remote_notes = env.git(&["ls-remote", bare.to_str().unwrap(), "refs/notes/drift"]);
    assert!(!remote_notes.trim().is_empty(), "the hook pushed the notes");
    let clone = env.tmp.path().join("clone");
    env.git(&[
        "clone",
        "-q",
        bare.to_str().unwrap(),
        clone.to_str().unwrap(),
    ]);
    env.git_in(
        &clone,
        &["fetch", "-q", "origin", "refs/notes/drift:refs/notes/drift"],
    );
    let out = env.drift_in(&clone, &["stats", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let cloned = json_out(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(
        cloned["total"],
        json_out(&env.drift_ok(&["stats", "--json"]))["total"]
    );
    assert!(
        !clone.join(".prompts/events.db").exists(),
        "no store was needed"
    );
}
