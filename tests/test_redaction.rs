//! Redaction end to end: every secret shape of the corpus, placed in every field of a Claude and
//! a Codex transcript, is captured, committed and bound in a real repository; no output git drift
//! writes or prints may hold it (raw bytes of the store and its WAL, every note blob, `session
//! --json`, `show`, `log`, `blame`, the handoff brief). Ordinary code lines come out unchanged.

mod corpus;

use crate::common::{Claude, Codex, Env, T0};
use corpus::{FALSE_POSITIVES, Shape, fill, shapes};
use drift::redact::Redactor;

const CLAUDE_ID: &str = "5ec0e7aa-0000-4000-8000-00000000c1a0";
const CODEX_ID: &str = "5ec0e7bb-4d2e-7a10-9c3b-5e6f7a8b9c0d";

#[test]
fn every_corpus_shape_is_redacted_on_its_own() {
    let r = Redactor::default();
    let all = shapes();
    assert!(all.len() >= 80, "corpus has {} shapes", all.len());
    let leaked: Vec<&str> = all
        .iter()
        .filter(|s| r.redact(&s.line).contains(&s.secret))
        .map(|s| s.name)
        .collect();
    eprintln!(
        "redaction corpus: {}/{} shapes caught",
        all.len() - leaked.len(),
        all.len()
    );
    assert!(leaked.is_empty(), "shapes that leak: {leaked:?}");
    // Deterministic and idempotent, and lines are kept.
    for s in &all {
        let once = r.redact(&s.line).into_owned();
        assert_eq!(r.redact(&once), once, "{}", s.name);
        assert_eq!(
            once.matches('\n').count(),
            s.line.matches('\n').count(),
            "{}",
            s.name
        );
    }
}

#[test]
fn ordinary_code_lines_are_left_unchanged() {
    let r = Redactor::default();
    assert!(FALSE_POSITIVES.len() >= 50);
    let changed: Vec<(&str, String)> = FALSE_POSITIVES
        .iter()
        .filter_map(|l| match r.redact(l) {
            std::borrow::Cow::Borrowed(_) => None,
            std::borrow::Cow::Owned(o) => Some((*l, o)),
        })
        .collect();
    eprintln!(
        "false-positive corpus: {} of {} lines changed",
        changed.len(),
        FALSE_POSITIVES.len()
    );
    assert!(changed.is_empty(), "mangled: {changed:#?}");
}

/// A failing command whose output is longer than the readers' 2 KiB tail, with a private key
/// in the middle: the cut falls inside the key body, leaving body lines and END only.
fn long_key_output(seed: u64) -> (String, String) {
    let body: Vec<String> = (0..40).map(|i| fill(corpus::B64, 64, seed + i)).collect();
    let out = format!(
        "{}-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\nerror: permission denied",
        "loading configuration\n".repeat(20),
        body.join("\n")
    );
    (out, body[36].clone())
}

/// Writes both transcripts: every shape in every field.
fn transcripts(env: &Env, all: &[Shape]) -> Vec<String> {
    let mut secrets: Vec<String> = all.iter().map(|s| s.secret.clone()).collect();
    let mut c = Claude::new(env, CLAUDE_ID, T0 + 100);
    let mut x = Codex::new(env, CODEX_ID, T0 + 100);
    let mut claude_file = String::new();
    let mut codex_file = String::new();
    for (i, s) in all.iter().enumerate() {
        let line = &s.line;
        c.prompt(&format!("Please use this: {line}"))
            .think(&format!("The user gave {line}; keep it out of logs."))
            .say(&format!("Configured with {line}"))
            .command(
                &format!("echo '{line}' >> .env"),
                1,
                &format!("bash: error near {line}"),
            )
            .rejected_command(&format!("deploy {line}"), Some(&format!("not with {line}")))
            .todos(&[(&format!("rotate {line}"), "pending")]);
        x.prompt(&format!("Set up {line}"))
            .reason(&format!("Need {line} for the client"))
            .say(&format!("Using {line}"))
            .command(
                &format!("printf '%s' '{line}'"),
                2,
                &format!("fatal: {line}"),
            );
        claude_file.push_str(&format!("c{i} = {line}\n"));
        codex_file.push_str(&format!("x{i} = {line}\n"));
    }
    let (out, secret) = long_key_output(77);
    c.command("cat ~/.ssh/id_rsa | ssh-add -", 1, &out);
    x.command("ssh-add ~/.ssh/id_rsa", 1, &out);
    secrets.push(secret);
    c.write("claude_settings.txt", &claude_file);
    c.edit(
        "claude_settings.txt",
        &claude_file,
        &format!("# settings\n{claude_file}"),
    );
    let patch: String = codex_file.lines().map(|l| format!("+{l}\n")).collect();
    x.patch(
        &format!("*** Begin Patch\n*** Add File: codex_settings.txt\n{patch}*** End Patch\n"),
        &[("codex_settings.txt", &codex_file)],
    );
    secrets
}

#[test]
fn no_secret_of_the_corpus_reaches_any_output() {
    let env = Env::new();
    env.drift_ok(&["init"]);
    env.write("README.md", "# widget\n");
    env.commit("initial");
    let all = shapes();
    let secrets = transcripts(&env, &all);
    env.tick(600);
    let commit = env.commit("settings");
    env.drift_ok(&["bind", &commit]);

    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
    let prompts = env.repo.join(".prompts");
    for name in ["events.db", "events.db-wal"] {
        if let Ok(bytes) = std::fs::read(prompts.join(name)) {
            outputs.push((name.into(), bytes));
        }
    }
    let listed = env.git(&["notes", "--ref=drift", "list"]);
    assert!(listed.contains(&commit), "the commit has a note: {listed}");
    for line in listed.lines() {
        let mut ids = line.split_whitespace();
        let blob = ids.next().expect("blob id");
        let of = ids.next().expect("commit id");
        outputs.push((
            format!("note {blob} of {of}"),
            env.git(&["cat-file", "-p", blob]).into_bytes(),
        ));
    }
    let runs: &[&[&str]] = &[
        &["session", CLAUDE_ID, "--json"],
        &["session", CODEX_ID, "--json"],
        &["session", CLAUDE_ID],
        &["sessions", "--json"],
        &["show", "--json"],
        &["show"],
        &["log", "--json"],
        &["log"],
        &["blame", "claude_settings.txt"],
        &["blame", "codex_settings.txt"],
        &["handoff", "--print"],
        &["handoff", "--to", "codex", "--print"],
    ];
    for args in runs {
        let out = env.drift(args);
        assert!(
            out.status.success(),
            "git drift {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stdout.is_empty(), "git drift {args:?} printed nothing");
        outputs.push((format!("git drift {}", args.join(" ")), out.stdout));
        outputs.push((format!("git drift {} (stderr)", args.join(" ")), out.stderr));
    }
    env.drift_ok(&["handoff", "--quiet"]);
    for entry in std::fs::read_dir(prompts.join("handoffs")).expect("handoffs written") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            outputs.push((
                path.display().to_string(),
                std::fs::read(&path).expect("read brief"),
            ));
        }
    }

    // Not vacuous: the texts did reach the store, the notes and the brief, redacted.
    for (what, bytes) in &outputs {
        let must_show = what == "events.db"
            || what.starts_with("note ") && what.ends_with(&commit)
            || what.contains("session 5ec0e7aa") && !what.contains("stderr")
            || what.contains("handoff") && !what.contains("stderr");
        if must_show {
            assert!(
                contains(bytes, b"[REDACTED:"),
                "{what} holds no redacted text:\n{}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(3000)])
            );
        }
    }
    let mut leaks = Vec::new();
    for (what, bytes) in &outputs {
        for (i, secret) in secrets.iter().enumerate() {
            if contains(bytes, secret.as_bytes()) {
                let name = all.get(i).map_or("private-key-cut-by-tail", |s| s.name);
                leaks.push(format!("{name} in {what}"));
            }
        }
    }
    eprintln!(
        "end to end: {} secrets x {} outputs, {} leaks",
        secrets.len(),
        outputs.len(),
        leaks.len()
    );
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn files_holding_transcript_text_are_owner_only_and_output_is_not_overwritten() {
    let env = Env::new();
    env.drift_ok(&["init"]);
    env.write("README.md", "# widget\n");
    env.commit("initial");
    Claude::new(&env, CLAUDE_ID, T0 + 100)
        .prompt("Make the widget red")
        .edit("README.md", "# widget\n", "# red widget\n");
    env.drift_ok(&["capture", "--quiet"]);
    let prompts = env.repo.join(".prompts");
    for name in ["events.db", "events.db-wal", "events.db-shm"] {
        let p = prompts.join(name);
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{name}");
        }
    }
    assert!(prompts.join("events.db").exists());

    env.drift_ok(&["handoff", "--quiet"]);
    let briefs: Vec<_> = std::fs::read_dir(prompts.join("handoffs"))
        .expect("handoffs")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .collect();
    assert!(!briefs.is_empty());
    for b in &briefs {
        assert_eq!(mode(b), 0o600, "{}", b.display());
    }

    let target = env.tmp.path().join("brief.md");
    std::fs::write(&target, "my notes\n").expect("write");
    let out = env.drift(&["handoff", "--quiet", "--output", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "my notes\n",
        "left alone"
    );
    env.drift_ok(&[
        "handoff",
        "--quiet",
        "--force",
        "--output",
        target.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.contains("Make the widget red"), "{text}");
    assert_eq!(mode(&target), 0o600);
}
