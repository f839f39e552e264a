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
