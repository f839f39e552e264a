//! Attribution survives a forge's squash and rebase merges (issue 16 items 1, 2 and 5): two
//! clones and a bare remote; developer A works with an agent on a branch and pushes (the
//! notes go along); the "forge" merges with hooks off, as a server does; developer B, who
//! never captured anything, fetches and reconciles.

use crate::common::{Claude, Env, json_out};

const ID: &str = "f0e1d2c3-0000-4000-8000-00000000ec0c";

/// The remote's path, and developer A's clone with a pushed `feature` branch of two
/// commits: the agent's `src/app.py`, then a human's README line.
fn pushed_feature() -> (tempfile::TempDir, String, Env) {
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().canonicalize().unwrap().join("team.git");
    let a = Env::new();
    a.git(&["init", "-q", "--bare", bare.to_str().unwrap()]);
    a.write("README.md", "# app\n");
    a.commit("start");
    a.drift_ok(&["init"]);
    a.commit("set up git drift");
    a.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
    a.git(&["push", "-q", "-u", "origin", "main"]);
    a.git(&["checkout", "-q", "-b", "feature"]);
    let mut c = Claude::new(&a, ID, a.clock.get() + 30);
    c.prompt("Write the app entry point").write(
        "src/app.py",
        "import sys\n\ndef main():\n    print(sys.argv)\n",
    );
    a.tick(600);
    a.commit("app entry point");
    a.write("README.md", "# app\n\nRun `python src/app.py`.\n");
    a.commit("document running it");
    a.git(&["push", "-q", "origin", "feature"]);
    (dir, bare.to_string_lossy().into_owned(), a)
}

/// The forge: a clone without git drift whose merge of `feature` into `main` is pushed back
/// (only the branch: a server writes no notes).
fn forge_merge(bare: &str, how: &str) {
    let f = Env::clone_of(bare, &[]);
    f.git(&["fetch", "-q", "origin", "feature"]);
    match how {
        "squash" => {
            f.git(&["merge", "-q", "--squash", "origin/feature"]);
            f.git(&["commit", "-q", "-m", "Feature (#1)"]);
        }
        _ => {
            let commits = f.git(&["rev-list", "--reverse", "main..origin/feature"]);
            for c in commits.lines() {
                f.git(&["cherry-pick", "--allow-empty", c]);
            }
        }
    }
    f.git(&["push", "-q", "origin", "main"]);
}

/// Developer B: a fresh clone, set up, notes fetched, `reconcile` run.
fn teammate_reconciles(bare: &str) -> (Env, serde_json::Value) {
    let b = Env::clone_of(bare, &[]);
    b.drift_ok(&["init"]);
    b.git(&["fetch", "-q", "origin"]);
    let v = json_out(&b.drift_ok(&["reconcile", "--json"]));
    (b, v)
}

fn blame_who(env: &Env, file: &str) -> Vec<(String, String)> {
    let v = json_out(&env.drift_ok(&["blame", "--json", file]));
    v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let who = l["who"].as_str().unwrap_or("?").to_string();
            (who, l["session"].as_str().unwrap_or("").to_string())
        })
        .collect()
}

#[test]
fn a_forge_squash_merge_keeps_the_agents_lines() {
    let (_dir, bare, _a) = pushed_feature();
    forge_merge(&bare, "squash");
    let (b, v) = teammate_reconciles(&bare);
    let done = v.as_array().unwrap();
    assert_eq!(done.len(), 1, "only the squash commit: {v:#}");
    assert_eq!(done[0]["subject"], "Feature (#1)");
    assert_eq!(done[0]["ai_lines"], 4, "{v:#}");
    assert_eq!(done[0]["human_lines"], 2, "the README lines: {v:#}");
    assert_eq!(done[0]["from"].as_array().unwrap().len(), 1, "{v:#}");
    let app = blame_who(&b, "src/app.py");
    assert!(app.iter().all(|(w, s)| w == "ai" && s == ID), "{app:?}");
    // README's first line predates git drift (unknown); the two the PR added are human.
    let readme = blame_who(&b, "README.md");
    let who: Vec<&str> = readme.iter().map(|(w, _)| w.as_str()).collect();
    assert_eq!(who, ["unknown", "human", "human"], "{readme:?}");
    let blame = json_out(&b.drift_ok(&["blame", "--json", "src/app.py"]));
    assert_eq!(blame["lines"][0]["prompt"], "Write the app entry point");
    // Idempotent: the squash commit has a note now and is never changed again.
    let again = json_out(&b.drift_ok(&["reconcile", "--json"]));
    assert_eq!(again, serde_json::json!([]));
}

#[test]
fn a_forge_rebase_merge_maps_commit_to_commit_and_push_shares_it() {
    let (_dir, bare, a) = pushed_feature();
    forge_merge(&bare, "rebase");
    let (b, v) = teammate_reconciles(&bare);
    let done = v.as_array().unwrap();
    assert_eq!(
        done.len(),
        1,
        "the agent's commit; the human one matches no agent line: {v:#}"
    );
    assert_eq!(done[0]["subject"], "app entry point");
    assert_eq!(done[0]["ai_lines"], 4);
    let app = blame_who(&b, "src/app.py");
    assert!(app.iter().all(|(w, s)| w == "ai" && s == ID), "{app:?}");
    // --push publishes the carried note; A sees it after a fetch, without reconciling.
    let out = b.drift(&["reconcile", "--push"]);
    assert!(out.status.success(), "{out:?}");
    a.git(&["checkout", "-q", "main"]);
    a.git(&["pull", "-q", "--ff-only", "origin", "main"]);
    a.drift_ok(&["sync"]);
    let app = blame_who(&a, "src/app.py");
    assert!(app.iter().all(|(w, s)| w == "ai" && s == ID), "{app:?}");
}

#[test]
fn reconcile_never_labels_a_line_changed_on_merge_as_ai() {
    let (_dir, bare, _a) = pushed_feature();
    // The forge's squash also changes the agent's line: that line is the merger's.
    let f = Env::clone_of(&bare, &[]);
    f.git(&["fetch", "-q", "origin", "feature"]);
    f.git(&["merge", "-q", "--squash", "origin/feature"]);
    f.write(
        "src/app.py",
        "import sys\n\ndef main():\n    print(sys.argv[1:])\n",
    );
    f.git(&["add", "-A"]);
    f.git(&["commit", "-q", "-m", "Feature, edited on merge"]);
    f.git(&["push", "-q", "origin", "main"]);
    let (b, v) = teammate_reconciles(&bare);
    assert_eq!(v[0]["ai_lines"], 3, "{v:#}");
    let app = blame_who(&b, "src/app.py");
    assert_eq!(app[3].0, "human", "the changed line: {app:?}");
    assert_eq!(app[0].0, "ai");
}
