//! The handoff pipeline behind `git drift handoff` ([`crate::commands::handoff`]): package the
//! task in progress into a markdown brief another agent (or a human) can pick up when the
//! current agent stalls, refuses or is rate-limited.
//!
//! The pipeline, one module per step:
//! 1. [`scope`]: which sessions: those recorded on a branch plus those bound (in the store or
//!    in notes) to commits only on that branch; or the sessions since a time; or one session.
//! 2. [`extract`]: a [`extract::Brief`] from their events and the working tree: task, decisions,
//!    rejected approaches, open items, files with snippets, where to resume. Deterministic and
//!    complete offline; every item carries a citation (agent, session prefix, time).
//! 3. [`render`]: markdown within a size bound, trimming the longest sections with a note.
//! 4. [`compact`]: optionally (`--llm`) an LLM rewrites it into the same sections; any failure
//!    falls back to the deterministic brief.
//! 5. [`inject`]: optionally (`--inject`) a native Claude Code or Codex session whose first user
//!    message is the brief, so the user only runs the printed resume command.
//!
//! Injected sessions carry [`inject::MARKER`] at the start of their first prompt. Capture stores
//! them like any other session (work done after resuming is real work), but the brief never
//! reads that prompt as something the human asked and labels the session as resumed from a
//! brief, so a chain of handoffs does not quote briefs inside briefs.

pub mod compact;
pub mod dry_run;
pub mod extract;
pub mod files;
pub mod inject;
pub mod list;
pub mod render;
pub mod scope;

use crate::error::{Error, Result};
use crate::model::Millis;
pub use crate::model::Target;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where briefs are written by default, relative to the worktree root.
pub const HANDOFF_DIR: &str = ".prompts/handoffs";

/// The current time: `SOURCE_DATE_EPOCH` (seconds) when set, for reproducible briefs, else now.
pub fn now_millis() -> Millis {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .map(|s| s.saturating_mul(1000))
        .unwrap_or_else(|| jiff::Timestamp::now().as_millisecond())
}

/// `.prompts/handoffs/YYYY-MM-DD-HHMM-<branch-slug>-to-<agent>.md` in local time.
pub fn default_path(root: &Path, label: &str, target: Target, now: Millis) -> PathBuf {
    let stamp = jiff::Timestamp::from_millisecond(now)
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::system())
                .strftime("%Y-%m-%d-%H%M")
                .to_string()
        })
        .unwrap_or_else(|_| "0000-00-00-0000".into());
    root.join(HANDOFF_DIR)
        .join(format!("{stamp}-{}-to-{target}.md", slug(label)))
}

/// A file-name-safe form of a branch name: lower-case ASCII letters and digits, runs of
/// anything else as one `-`, at most 48 characters.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_matches('-').chars().take(48).collect();
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "work".into() } else { out }
}

/// Options for a new file readable by its owner only.
fn private_options() -> std::fs::OpenOptions {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts
}

/// Write the brief (mode 0600: it holds transcript text). An explicit `--output` replaces a
/// file only with `--force`; the default name never does (a second brief in the same minute
/// gets `-2`, `-3`, … before `.md`). Returns the path
/// written.
pub fn write_brief(path: &Path, text: &str, explicit: bool, force: bool) -> Result<PathBuf> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    if explicit {
        let mut opts = private_options();
        if force {
            opts.create(true).truncate(true);
        } else {
            opts.create_new(true);
        }
        let mut f = opts.open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::user(format!(
                "{} already exists; pass --force to replace it",
                path.display()
            )),
            _ => Error::io(path, e),
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = f.set_permissions(std::fs::Permissions::from_mode(0o600));
        }
        f.write_all(text.as_bytes())
            .map_err(|e| Error::io(path, e))?;
        return Ok(path.to_path_buf());
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    for n in 1..1000 {
        let candidate = if n == 1 {
            path.to_path_buf()
        } else {
            path.with_file_name(format!("{stem}-{n}.md"))
        };
        match private_options().create_new(true).open(&candidate) {
            Ok(mut f) => {
                f.write_all(text.as_bytes())
                    .map_err(|e| Error::io(&candidate, e))?;
                return Ok(candidate);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(&candidate, e)),
        }
    }
    Err(Error::other(format!(
        "{}: too many briefs with this name",
        path.display()
    )))
}

/// `p` made absolute against the current directory.
pub fn absolute(p: &Path) -> Result<PathBuf> {
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    Ok(cwd.join(p))
}

/// A path as the user wants to read it: relative to the worktree root when inside it.
pub fn shown(p: &Path, root: &Path) -> String {
    p.strip_prefix(root)
        .map(|r| r.display().to_string())
        .unwrap_or_else(|_| p.display().to_string())
}

/// Quote for a POSIX shell when needed.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+=:@%".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_file_name_safe() {
        assert_eq!(slug("feature/Retry_loop"), "feature-retry-loop");
        assert_eq!(slug("--x--"), "x");
        assert_eq!(slug("ÄÖ"), "work");
        assert!(slug(&"a/".repeat(100)).len() <= 48);
        assert!(!slug(&"ab-".repeat(30)).ends_with('-'));
    }

    #[test]
    fn default_path_uses_local_time_and_target() {
        // 2026-01-15T10:05:00Z; the unit tests run with whatever TZ the machine has, so only
        // the shape is checked here (the integration tests pin TZ=UTC and the exact name).
        let p = default_path(
            Path::new("/r"),
            "feature/x",
            Target::Codex,
            1_768_471_500_000,
        );
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        assert!(p.starts_with("/r/.prompts/handoffs"));
        assert!(name.ends_with("-feature-x-to-codex.md"), "{name}");
        assert_eq!(name.len(), "2026-01-15-1005-feature-x-to-codex.md".len());
    }

    #[test]
    fn briefs_never_replace_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("h/a.md");
        write_brief(&p, "one", false, false).unwrap();
        write_brief(&p, "two", false, false).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "one");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("h/a-2.md")).unwrap(),
            "two"
        );
        assert!(
            write_brief(&p, "three", true, false).is_err(),
            "--output needs --force"
        );
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "one");
        write_brief(&p, "three", true, true).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "three");
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("/a/b-c.d"), "/a/b-c.d");
        assert_eq!(shell_quote("/a b/it's"), r"'/a b/it'\''s'");
    }
}
