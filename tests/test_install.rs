//! install.sh: installs the three binaries where git finds them, runs `git drift init` inside a
//! repository, is idempotent, and `--uninstall` removes what it installed.

use crate::common::Env;
use std::path::Path;
use std::process::Command;

fn install(env: &Env, dir: &Path, prefix: &Path, args: &[&str]) -> std::process::Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh");
    // cargo and rustup live under the real home; everything else stays hermetic.
    let real_home = std::env::var("HOME").unwrap_or_default();
    let mut c: Command = env.cmd_in("bash", dir);
    c.arg(script)
        .args(args)
        .env("PREFIX", prefix)
        .env("DRIFT_BUILD_PROFILE", "dev")
        .env(
            "RUSTUP_HOME",
            std::env::var("RUSTUP_HOME").unwrap_or(format!("{real_home}/.rustup")),
        )
        .env(
            "CARGO_HOME",
            std::env::var("CARGO_HOME").unwrap_or(format!("{real_home}/.cargo")),
        )
        .env(
            "PATH",
            format!(
                "{}:{}",
                prefix.join("bin").display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        );
    c.output().expect("run install.sh")
}

#[test]
fn install_init_reinstall_and_uninstall() {
    let env = Env::new();
    let prefix = env.tmp.path().join("prefix");
    let out = install(&env, &env.repo, &prefix, &[]);
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    for b in ["git-drift", "git-drift-blame", "git-drift-handoff"] {
        assert!(prefix.join("bin").join(b).is_file(), "{b} missing:\n{text}");
    }
    assert!(
        text.contains(&format!(
            "installed git-drift git-drift-blame git-drift-handoff to {}",
            prefix.join("bin").display()
        )),
        "{text}"
    );
    let man = prefix.join("share/man/man1/git-drift.1");
    let page = std::fs::read_to_string(&man).unwrap_or_default();
    assert!(page.contains(".TH git-drift"), "{text}");
    assert!(
        page.contains("blame") && page.contains("handoff"),
        "subcommands listed"
    );
    // One page per subcommand, which git-drift(1) refers to.
    for page in [
        "git-drift-blame",
        "git-drift-log",
        "git-drift-config",
        "git-drift-init",
    ] {
        let path = prefix.join(format!("share/man/man1/{page}.1"));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(text.contains(".SH EXAMPLES"), "{page}.1: {text}");
    }
    // Inside a repository it ran `git drift init`.
    assert!(env.repo.join(".prompts/config.yaml").is_file(), "{text}");
    assert!(env.repo.join(".git/hooks/post-commit").is_file());

    // Again, outside a repository, without init: same result, nothing else touched.
    let again = install(&env, &env.home, &prefix, &["--no-init"]);
    assert!(again.status.success());
    assert!(!env.home.join(".prompts").exists());

    let gone = install(&env, &env.home, &prefix, &["--uninstall"]);
    assert!(gone.status.success());
    for b in ["git-drift", "git-drift-blame", "git-drift-handoff"] {
        assert!(!prefix.join("bin").join(b).exists(), "{b} still installed");
        assert!(
            !prefix.join(format!("share/man/man1/{b}.1")).exists(),
            "{b}.1 left"
        );
    }
    assert!(!prefix.join("share/man/man1/git-drift-log.1").exists());
    let bad = install(&env, &env.home, &prefix, &["--frobnicate"]);
    assert_eq!(bad.status.code(), Some(1));
}

#[test]
fn install_from_the_source_clone_does_not_init_it() {
    let env = Env::new();
    let prefix = env.tmp.path().join("prefix");
    let source = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The quick start: `./install.sh` from inside the clone (here from its src/).
    let had_prompts = source.join(".prompts").exists();
    let out = install(&env, &source.join("src"), &prefix, &[]);
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("not running 'git drift init' in the git drift source"),
        "{text}"
    );
    assert_eq!(source.join(".prompts").exists(), had_prompts, "{text}");
    assert!(!text.contains("git drift is set up"), "{text}");
    // cargo's own progress is shown, with a word on how long a first build takes.
    assert!(text.contains("a first build"), "{text}");
    assert!(text.contains("Finished"), "cargo's progress: {text}");
}
