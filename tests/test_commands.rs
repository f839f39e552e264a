//! Commands run in-process: every command prints through the `out` it is given and reports
//! progress through the `Ui` sink, so a test can hold both and compare them with what the
//! real binary prints for the same repository.

use crate::common::{Claude, Env, T0, json_out};
use clap::Parser;
use drift::cli::{Cli, dispatch};
use drift::commands::Ctx;
use drift::ui::{Buffer, Ui};

/// Run `git drift ARGS` in-process in the test repository; (stdout, stderr).
fn run_in_process(env: &Env, args: &[&str]) -> (String, String) {
    let cli = Cli::try_parse_from(std::iter::once("git-drift").chain(args.iter().copied()))
        .expect("arguments parse");
    let err = Buffer::default();
    let config_env = drift::config::Env {
        home: Some(env.home.clone()),
        xdg_config_home: Some(env.home.join(".config")),
        claude_config_dir: Some(env.claude.clone()),
        codex_home: Some(env.codex.clone()),
    };
    let ctx = Ctx::new(
        env.repo.clone(),
        config_env,
        Ui::to(Box::new(err.clone())),
        false,
    );
    let mut out = Vec::new();
    dispatch(&ctx, &cli.command, &mut out).expect("command succeeds");
    (String::from_utf8(out).expect("utf-8"), err.text())
}

#[test]
fn capture_and_sessions_print_through_the_given_output() {
    let env = Env::new();
    env.write("src/net.py", "def fetch(url):\n    return get(url)\n");
    let mut c = Claude::new(&env, "5b0c1f2e-8a4d-4c1e-9f3a-1d2e3f4a5b6c", T0 - 3600);
    c.prompt("Make fetch() retry three times").edit(
        "src/net.py",
        "    return get(url)\n",
        "    for attempt in range(3):\n        return get(url)\n",
    );
    let (out, err) = run_in_process(&env, &["capture", "--json"]);
    let stats = json_out(&out);
    assert_eq!(stats["sessions"], 1, "{out}");
    assert_eq!(stats["edits"], 1, "{out}");
    assert_eq!(err, "", "a non-interactive sink shows no progress");
    // The in-process capture wrote the same store the binary reads: nothing new for it.
    let again = json_out(&env.drift_ok(&["capture", "--json"]));
    assert_eq!(again["events"], 0, "{again}");

    let (listed, err) = run_in_process(&env, &["sessions", "--json"]);
    assert_eq!(err, "");
    let ours = json_out(&listed);
    assert_eq!(ours[0]["id"], "5b0c1f2e-8a4d-4c1e-9f3a-1d2e3f4a5b6c");
    assert_eq!(ours, json_out(&env.drift_ok(&["sessions", "--json"])));
}

#[test]
fn hook_warnings_go_to_the_ui_sink_and_never_fail() {
    let env = Env::new();
    let (out, err) = run_in_process(&env, &["hook", "no-such-hook"]);
    assert_eq!(out, "");
    assert_eq!(
        err.trim(),
        "git drift: warning: no-such-hook: unknown hook 'no-such-hook' (git is unaffected)"
    );
}

#[test]
fn log_badrev_is_a_one_line_user_error() {
    let env = Env::new();
    env.write("a.txt", "a\n");
    env.commit("first");
    for args in [
        &["log", "badrev"][..],
        &["backfill", "badrev"],
        &["show", "badrev"],
    ] {
        let out = env.drift(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains("badrev"),
            "{err}"
        );
    }
}

#[test]
fn read_only_commands_in_a_repository_never_set_up_write_nothing() {
    let env = Env::new();
    env.write("src/net.py", "def fetch(url):\n    return get(url)\n");
    env.commit("first");
    let mut c = Claude::new(&env, "5b0c1f2e-8a4d-4c1e-9f3a-1d2e3f4a5b6c", T0 - 3600);
    c.prompt("Make fetch() retry three times");
    for args in [
        &["sessions"][..],
        &["sessions", "--json"],
        &["session", "5b0c1f2e"],
        &["log"],
        &["show"],
        &["blame", "src/net.py"],
    ] {
        let out = env.drift(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {err}");
        assert!(
            !env.repo.join(".prompts").exists(),
            "{args:?} created .prompts/"
        );
        if args[0].starts_with("session") {
            assert!(err.contains("not set up: run `git drift init`"), "{err}");
            // And it still answers, from the transcripts read into memory.
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("5b0c1f2e"), "{args:?}: {text}");
        }
    }
}

#[test]
fn handoff_writing_a_file_prints_its_path_on_stdout() {
    let env = Env::new();
    env.write("a.txt", "a\n");
    env.commit("first");
    let mut c = Claude::new(&env, "5b0c1f2e-8a4d-4c1e-9f3a-1d2e3f4a5b6c", T0 - 3600);
    c.prompt("Make fetch() retry three times");
    env.drift_ok(&["init"]);
    // From the top: the path relative to it; stderr is not a terminal here.
    let top = env.drift_ok(&["handoff", "--to", "codex"]);
    let line = top.trim_end();
    assert_eq!(top.lines().count(), 1, "{top}");
    assert!(
        line.starts_with(".prompts/handoffs/") && line.ends_with("-to-codex.md"),
        "{top}"
    );
    assert!(env.repo.join(line).is_file(), "{top}");
    // From a subdirectory the brief is not below the current directory: an absolute path.
    std::fs::create_dir_all(env.repo.join("sub")).unwrap();
    let out = env.drift_in(&env.repo.join("sub"), &["handoff", "--to", "codex"]);
    let sub = String::from_utf8_lossy(&out.stdout);
    let p = std::path::Path::new(sub.trim_end());
    assert!(p.is_absolute() && p.is_file(), "{sub}");
    assert_ne!(
        p,
        env.repo.join(line),
        "a second brief gets a name of its own"
    );
}

#[test]
fn short_ids_of_uuidv7_sessions_started_in_one_minute_resolve() {
    let env = Env::new();
    env.write("a.txt", "a\n");
    env.commit("first");
    // Codex ids are UUIDv7: the first 8 hex digits are the minute the session started.
    let a = "019bc2a1-4d2e-7a10-9c3b-5e6f7a8b9c0d";
    let b = "019bc2a1-9f00-7b20-8c3b-5e6f7a8b9c02";
    Claude::new(&env, a, T0 - 3600).prompt("first session");
    Claude::new(&env, b, T0 - 3590).prompt("second session");
    env.drift_ok(&["init"]);
    let text = env.drift_ok(&["sessions"]);
    let shown: Vec<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(shown, ["019bc2a1-4", "019bc2a1-9"], "{text}");
    for (short, full) in shown.iter().zip([a, b]) {
        let v = json_out(&env.drift_ok(&["session", short, "--json"]));
        assert_eq!(v["id"], full);
    }
    let ambiguous = env.drift(&["session", "019bc2a1"]);
    assert_eq!(ambiguous.status.code(), Some(1));
}

#[test]
fn status_names_each_problem_with_the_command_that_fixes_it() {
    let env = Env::new();
    env.write("a.txt", "a\n");
    env.commit("first");
    let before = json_out(&env.drift_ok(&["status", "--json"]));
    assert_eq!(before["set_up"], false, "{before}");
    // The report says "not set up" once, not also as a warning on stderr.
    let plain = env.drift(&["status"]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&plain.stdout),
        String::from_utf8_lossy(&plain.stderr),
    );
    assert_eq!(stdout.matches("not set up").count(), 1, "{stdout}");
    assert_eq!(stderr, "", "{stderr}");
    assert!(
        !env.repo.join(".prompts").exists(),
        "status wrote .prompts/"
    );
    let todo = before["todo"].to_string();
    assert!(todo.contains("run `git drift init`"), "{todo}");
    assert!(
        todo.contains("1 commit on this branch without a note"),
        "{todo}"
    );

    let bare = env.tmp.path().join("remote.git");
    env.git(&["init", "-q", "--bare", bare.to_str().unwrap()]);
    env.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
    env.drift_ok(&["init"]);
    env.drift_ok(&["backfill"]);
    let after = json_out(&env.drift_ok(&["status", "--json"]));
    assert_eq!(after["set_up"], true);
    assert_eq!(
        after["hooks_missing"].as_array().unwrap().len(),
        0,
        "{after}"
    );
    assert_eq!(after["commits_without_note"], 0, "{after}");
    assert_eq!(after["unpushed_notes"][0][0], "origin");
    assert!(
        after["todo"].to_string().contains("git drift sync origin"),
        "{after}"
    );
    env.drift_ok(&["sync"]);
    let synced = json_out(&env.drift_ok(&["status", "--json"]));
    assert_eq!(synced["unpushed_notes"][0][1], 0, "{synced}");
    let text = env.drift_ok(&["status"]);
    assert!(text.contains("nothing to do"), "{text}");
    assert!(text.contains(&format!(
        "installed in {}",
        env.repo.join(".git/hooks").display()
    )));
}

#[test]
fn agents_lists_every_reader_with_where_its_home_came_from() {
    let env = Env::new();
    Claude::new(&env, "5b0c1f2e-8a4d-4c1e-9f3a-1d2e3f4a5b6c", T0 - 3600).prompt("hi");
    let v = json_out(&env.drift_ok(&["agents", "--json"]));
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{v}");
    assert_eq!(rows[0]["agent"], "claude-code");
    assert_eq!(rows[0]["home"], env.claude.display().to_string());
    assert_eq!(rows[0]["home_from"], "CLAUDE_CONFIG_DIR");
    assert_eq!(rows[0]["sessions"], 1);
    assert_eq!(rows[1]["agent"], "codex");
    assert_eq!(rows[1]["home_from"], "CODEX_HOME");
    assert_eq!(rows[1]["sessions"], 0);
    // A home set in the repository's config is said to come from it.
    env.drift_ok(&["init"]);
    std::fs::write(
        env.repo.join(".prompts/config.yaml"),
        format!(
            "agents:\n  codex:\n    home: {}\n",
            env.home.join("cx").display()
        ),
    )
    .unwrap();
    let text = env.drift_ok(&["agents"]);
    assert!(text.contains("(missing, from config)"), "{text}");
    assert!(text.contains("1 session of this repository"), "{text}");
}

#[test]
fn completions_load_in_a_real_bash_for_git_drift_and_git_drift_tab() {
    let env = Env::new();
    let script = env.drift_ok(&["completions", "bash"]);
    let file = env.home.join("git-drift.bash");
    std::fs::write(&file, &script).unwrap();
    // git's own bash completion, where the system has it: `git drift <TAB>` goes through it.
    let git_completion = [
        "/usr/share/bash-completion/completions/git",
        "/etc/bash_completion.d/git",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).is_file());
    let probe = format!(
        r#"{git}
source {file}
complete -p git-drift
COMP_WORDS=(git-drift blame --ti); COMP_CWORD=2; _git__drift git-drift --ti blame
echo "direct: ${{COMPREPLY[*]}}"
COMP_WORDS=(git drift se); COMP_CWORD=2; _git_drift
echo "bridge: ${{COMPREPLY[*]}}"
if declare -F __git_wrap__git_main >/dev/null; then
  COMPREPLY=(); COMP_WORDS=(git drift sta); COMP_CWORD=2; COMP_LINE="git drift sta"
  COMP_POINT=${{#COMP_LINE}}; __git_wrap__git_main git sta drift
  echo "git: ${{COMPREPLY[*]}}"
fi
"#,
        git = git_completion
            .map(|p| format!("source {p}"))
            .unwrap_or_default(),
        file = file.display()
    );
    let out = env.run_in("bash", &env.repo, &["--norc", "--noprofile", "-c", &probe]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("-F _git__drift git-drift"), "{text}");
    assert!(text.contains("direct: --timeline"), "{text}");
    assert!(text.contains("bridge: sessions session"), "{text}");
    if git_completion.is_some() {
        assert!(text.contains("git: status"), "{text}");
    }
    for shell in ["zsh", "fish", "powershell"] {
        let s = env.drift_ok(&["completions", shell]);
        assert!(s.contains("handoff") && s.contains("blame"), "{shell}: {s}");
    }
}

#[test]
fn sessions_without_usage_records_show_unknown_tokens_not_zero() {
    let env = Env::new();
    env.write("a.txt", "a\n");
    env.drift_ok(&["init"]);
    // A prompt alone: the transcript never says how many tokens were used.
    Claude::new(&env, "aaaaaaaa-0000-4000-8000-000000000001", T0 - 3600).prompt("hello");
    let text = env.drift_ok(&["session", "aaaaaaaa"]);
    assert!(text.contains("tokens unknown"), "{text}");
    // An edit comes with the model's usage record: real counts.
    Claude::new(&env, "bbbbbbbb-0000-4000-8000-000000000002", T0 - 3500)
        .prompt("edit it")
        .edit("a.txt", "a\n", "b\n");
    let text = env.drift_ok(&["session", "bbbbbbbb"]);
    assert!(text.contains(" in / ") && text.contains(" out"), "{text}");
    assert!(!text.contains("tokens unknown"), "{text}");
}

/// Every visible command has its own man page with a DESCRIPTION beyond the one-line summary
/// and EXAMPLES, and `git drift help CMD` opens it (issue 18 item 15).
#[test]
fn every_command_has_a_man_page_and_help_opens_it() {
    use clap::CommandFactory;
    let env = Env::new();
    let man = env.tmp.path().join("man");
    let dir = man.join("man1");
    env.drift_ok(&["man", "--dir", dir.to_str().unwrap()]);
    let program = Cli::command();
    let names: Vec<String> = program
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| s.get_name().to_string())
        .collect();
    assert!(names.len() >= 15, "{names:?}");
    for name in &names {
        let page = std::fs::read_to_string(dir.join(format!("git-drift-{name}.1")))
            .unwrap_or_else(|e| panic!("git-drift-{name}.1: {e}"));
        let about = program
            .find_subcommand(name)
            .unwrap()
            .get_about()
            .unwrap()
            .to_string();
        let description = page
            .split(".SH DESCRIPTION")
            .nth(1)
            .and_then(|d| d.split(".SH").next())
            .unwrap_or_default();
        assert!(
            description.len() > about.len() + 20,
            "git-drift-{name}.1 has a real description: {description}"
        );
        let examples = page.split(".SH EXAMPLES\n.TP\n").nth(1).unwrap_or_default();
        assert!(
            examples.contains(&format!("git drift {name}")),
            "{name}: {page}"
        );
    }
    let main_page = std::fs::read_to_string(dir.join("git-drift.1")).unwrap();
    assert!(
        main_page.contains("git\\-drift\\-log(1)"),
        "git-drift(1) refers to the pages"
    );

    let help = |manpath: &std::path::Path, args: &[&str]| {
        env.cmd_in("git", &env.repo)
            .env("MANPATH", manpath)
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "100")
            .arg("drift")
            .args(args)
            .output()
            .unwrap()
    };
    let man_works = std::process::Command::new("man")
        .arg("-w")
        .arg("man")
        .output()
        .is_ok_and(|o| o.status.success());
    if man_works {
        let out = help(&man, &["help", "log"]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{out:?}");
        assert!(
            text.contains("EXAMPLES") && text.contains("git drift log -5"),
            "{text}"
        );
    } else {
        eprintln!("man is not installed: the page itself was not opened");
    }
    // No page installed: the long help, never man's "No manual entry".
    let empty = env.tmp.path().join("no-man");
    std::fs::create_dir_all(empty.join("man1")).unwrap();
    let out = help(&empty, &["help", "log"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(text.contains("Usage: git drift log"), "{text}");
    let out = help(&empty, &["help", "nope"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such command: nope"));
}
