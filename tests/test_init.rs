//! `git drift init`: .prompts/, hooks, refspecs; subdirectories, worktrees, hooksPath.

use crate::common::Env;

#[test]
fn init_creates_prompts_and_hooks_and_is_idempotent() {
    let env = Env::new();
    env.write("src/lib.rs", "fn main() {}\n");
    std::fs::create_dir_all(env.repo.join("src/deep")).unwrap();
    let out = env.drift_in(&env.repo.join("src/deep"), &["init"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("created .prompts/config.yaml"), "{text}");
    assert!(text.contains("created .prompts/.gitignore"), "{text}");
    assert!(env.repo.join(".prompts/config.yaml").is_file());
    let ignore = env.read(".prompts/.gitignore");
    assert!(ignore.lines().any(|l| l == "events.db*"));
    for hook in ["post-commit", "pre-push", "post-rewrite"] {
        let h = std::fs::read_to_string(env.repo.join(".git/hooks").join(hook)).unwrap();
        assert!(
            h.starts_with("#!/bin/sh\n# >>> git-drift >>>"),
            "{hook}: {h}"
        );
        assert!(h.contains(&format!("git drift hook {hook}")));
    }
    let again = env.drift_ok(&["init"]);
    assert!(
        again.contains(".prompts/config.yaml already exists"),
        "{again}"
    );
    assert!(again.contains("already set up"), "{again}");
    // The events database never gets staged.
    env.drift_ok(&["capture", "--quiet"]);
    assert!(env.repo.join(".prompts/events.db").is_file());
    let status = env.git(&["status", "--porcelain", "--untracked-files=all"]);
    assert!(!status.contains("events.db"), "{status}");
    assert!(status.contains(".prompts/config.yaml"), "{status}");
}

#[test]
fn init_outside_a_repository_is_a_user_error() {
    let env = Env::new();
    let out = env.drift_in(&env.home, &["init"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a git repository"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn existing_hook_keeps_running_and_uninstall_removes_only_our_block() {
    let env = Env::new();
    let hook = env.repo.join(".git/hooks/post-commit");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho user-hook-ran >> \"$(git rev-parse --git-dir)/user-hook.log\"\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    env.drift_ok(&["init"]);
    let text = std::fs::read_to_string(&hook).unwrap();
    assert!(text.contains("# >>> git-drift >>>") && text.contains("echo user-hook-ran"));
    env.write("a.txt", "a\n");
    env.commit("first");
    let log = std::fs::read_to_string(env.repo.join(".git/user-hook.log")).unwrap();
    assert_eq!(log.trim(), "user-hook-ran");

    let out = env.drift_ok(&["init", "--uninstall"]);
    assert!(out.contains("removed git drift from"), "{out}");
    let text = std::fs::read_to_string(&hook).unwrap();
    assert_eq!(
        text,
        "#!/bin/sh\necho user-hook-ran >> \"$(git rev-parse --git-dir)/user-hook.log\"\n"
    );
    // Hooks that held only our block are gone.
    assert!(!env.repo.join(".git/hooks/pre-push").exists());
}

#[test]
fn init_respects_core_hooks_path_and_linked_worktrees() {
    let env = Env::new();
    env.write("a.txt", "a\n");
    env.commit("first");
    env.git(&["config", "core.hooksPath", ".githooks-local"]);
    std::fs::write(env.repo.join(".git/info/exclude"), ".githooks-local/\n").unwrap();
    let wt = env.tmp.path().canonicalize().unwrap().join("wt");
    env.git(&["worktree", "add", "-q", wt.to_str().unwrap()]);
    let out = env.drift_in(&wt, &["init"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // .prompts/ lives in the linked worktree; hooks where core.hooksPath says (a relative
    // hooksPath is relative to the worktree git runs hooks in).
    assert!(wt.join(".prompts/config.yaml").is_file());
    assert!(wt.join(".githooks-local/post-commit").is_file());
    assert!(!env.repo.join(".git/hooks/post-commit").exists());
}

#[test]
fn tracked_hooks_dir_is_not_edited() {
    let env = Env::new();
    env.write(".husky/pre-commit", "#!/bin/sh\nnpm test\n");
    env.commit("husky");
    env.git(&["config", "core.hooksPath", ".husky"]);
    let out = env.drift_ok(&["init"]);
    assert!(out.contains("which the project tracks"), "{out}");
    assert!(out.contains("git drift hook post-commit"), "{out}");
    assert!(!env.repo.join(".husky/post-commit").exists());
}

#[test]
fn init_adds_notes_fetch_refspec_per_remote() {
    let env = Env::new();
    let bare = env.tmp.path().join("remote.git");
    env.git(&["init", "-q", "--bare", bare.to_str().unwrap()]);
    env.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
    env.drift_ok(&["init"]);
    env.drift_ok(&["init"]);
    let specs = env.git(&["config", "--get-all", "remote.origin.fetch"]);
    let notes: Vec<_> = specs.lines().filter(|l| l.contains("notes")).collect();
    assert_eq!(
        notes,
        vec!["+refs/notes/drift:refs/notes/remotes/origin/drift"]
    );
    env.drift_ok(&["init", "--uninstall"]);
    let specs = env.git(&["config", "--get-all", "remote.origin.fetch"]);
    assert!(!specs.contains("notes"), "{specs}");
}

#[test]
fn init_ignores_handoff_briefs_and_completes_an_older_gitignore() {
    let env = Env::new();
    std::fs::create_dir_all(env.repo.join(".prompts")).unwrap();
    // What init wrote before briefs were ignored.
    std::fs::write(
        env.repo.join(".prompts/.gitignore"),
        "# git drift: the local event store stays on this machine\nevents.db*\n",
    )
    .unwrap();
    let out = env.drift_ok(&["init"]);
    assert!(
        out.contains("added handoffs/ to .prompts/.gitignore"),
        "{out}"
    );
    std::fs::create_dir_all(env.repo.join(".prompts/handoffs")).unwrap();
    std::fs::write(env.repo.join(".prompts/handoffs/brief.md"), "# brief\n").unwrap();
    let status = env.git(&["status", "--porcelain", "--untracked-files=all"]);
    assert!(!status.contains("handoffs"), "{status}");
    let again = env.drift_ok(&["init"]);
    assert!(!again.contains("added"), "{again}");
    // A fresh init writes both lines.
    let fresh = Env::new();
    fresh.drift_ok(&["init"]);
    let ignore = fresh.read(".prompts/.gitignore");
    assert!(ignore.lines().any(|l| l == "handoffs/"), "{ignore}");
}

#[test]
fn tracked_hooks_dir_says_hooks_are_not_installed_and_prints_guarded_lines() {
    let env = Env::new();
    env.write(".husky/pre-commit", "#!/bin/sh\nnpm test\n");
    env.commit("husky");
    env.git(&["config", "core.hooksPath", ".husky"]);
    let out = env.drift_ok(&["init"]);
    assert!(out.contains("hooks are NOT installed"), "{out}");
    assert!(!out.contains("git drift is set up in") || out.contains("except for its hooks"));
    for hook in ["post-commit", "pre-push", "post-rewrite"] {
        assert!(out.contains(&format!(".husky/{hook}:")), "{out}");
    }
    // The printed post-commit lines, pasted into the tracked hook, run where git drift is
    // missing without a word and without failing the commit.
    let block: String = out
        .split(".husky/post-commit:\n")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| l.starts_with("    "))
        .map(|l| format!("{}\n", &l[4..]))
        .collect();
    assert!(block.contains("command -v git-drift"), "{block}");
    let hook = env.repo.join(".husky/post-commit");
    std::fs::write(&hook, format!("#!/bin/sh\n{block}")).unwrap();
    let run = std::process::Command::new("sh")
        .arg(&hook)
        .current_dir(&env.repo)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert!(run.status.success());
    assert_eq!(String::from_utf8_lossy(&run.stderr), "");
}
