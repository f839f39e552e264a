//! `--inject`: write a native session of the target agent whose first user message is the
//! brief, so the user resumes it with the agent's own command.
//!
//! * Claude Code: `<home>/projects/<encoded cwd>/<uuid>.jsonl` (every character of the cwd
//!   outside `[A-Za-z0-9]` becomes `-`, as Claude Code encodes it), a user record with the
//!   brief and a `<synthetic>` assistant record acknowledging it (the shape Claude Code writes
//!   for locally generated replies, so the transcript alternates as the API expects);
//!   `claude --resume <uuid>`.
//! * Codex: `<home>/sessions/YYYY/MM/DD/rollout-YYYY-MM-DDThh-mm-ss-<uuid v7>.jsonl` (local
//!   time) with `session_meta`, `turn_context`, and the brief as a user message (both the
//!   `response_item` the model sees and the `event_msg` the UI shows); `codex resume <uuid>`.
//!
//! Files are created with mode 0600 and `create_new`, so nothing is ever overwritten, and only
//! below the agent's home: the relative path is checked for `..` and the real directory it
//! lands in (after symlinks) must be inside the real home.
//!
//! The first message starts with [`MARKER`]. Capture stores such a session like any other
//! (what the agent does after resuming is real work); the brief recognises the marker and
//! neither quotes that message as a human prompt nor counts it, and labels the session as one
//! that began with a brief. `git drift sessions` shows the marker as the session's first
//! prompt, which labels it there too.

use crate::error::{Error, Result};
use crate::model::{Agent, Millis};
use crate::store::Store;
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// What the first message of an injected session starts with.
pub const MARKER: &str = "[git-drift handoff]";

/// Whether a prompt is the brief of an injected session.
pub fn is_injected(text: &str) -> bool {
    text.trim_start().starts_with(MARKER)
}

/// The first user message of an injected session.
pub fn first_message(brief: &str) -> String {
    format!(
        "{MARKER} This is a handoff brief written by git drift: another agent worked on this \
         task before you. Read it, then continue the task from \"Resume here\".\n\n{brief}"
    )
}

/// A session about to be written: where, and under which id.
#[derive(Debug, Clone)]
pub struct Plan {
    pub agent: Agent,
    pub id: String,
    home: PathBuf,
    /// Path below `home`.
    rel: PathBuf,
    cwd: PathBuf,
    now: Millis,
}

/// What goes into the session.
#[derive(Debug, Clone, Default)]
pub struct Session<'a> {
    pub brief: &'a str,
    pub branch: Option<&'a str>,
    /// The commit HEAD points at (Codex records it with the branch).
    pub commit: Option<&'a str>,
    /// The model to record (Codex's turn context needs one).
    pub model: Option<String>,
}

impl Plan {
    /// Choose the id and the file for a session of `agent` (home `home`) working in `cwd`.
    pub fn new(agent: Agent, home: &Path, cwd: &Path, now: Millis) -> Result<Plan> {
        if home.as_os_str().is_empty() {
            return Err(Error::user(format!(
                "--inject: {agent} has no home directory (set agents.{agent}.home)"
            )));
        }
        let (id, rel) = match agent {
            // OpenCode keeps sessions in its own SQLite database; git drift does not write
            // into another program's database (the brief says how to load it instead).
            Agent::CopilotCli => {
                return Err(Error::user(
                    "--inject cannot create a copilot-cli session; run without --inject and \
                     attach the brief",
                ));
            }
            Agent::Opencode => {
                return Err(Error::user(
                    "--inject cannot create an opencode session (its sessions live in \
                     OpenCode's own database); run without --inject and attach the brief",
                ));
            }
            Agent::ClaudeCode => {
                let id = uuid_v4();
                let rel = Path::new("projects")
                    .join(crate::agents::claude::encode_project_dir(cwd))
                    .join(format!("{id}.jsonl"));
                (id, rel)
            }
            Agent::Codex => {
                let id = uuid_v7(now);
                let local = jiff::Timestamp::from_millisecond(now)
                    .map_err(|e| Error::other_from("bad time", e))?
                    .to_zoned(jiff::tz::TimeZone::system());
                let rel = Path::new("sessions")
                    .join(local.strftime("%Y").to_string())
                    .join(local.strftime("%m").to_string())
                    .join(local.strftime("%d").to_string())
                    .join(format!(
                        "rollout-{}-{id}.jsonl",
                        local.strftime("%Y-%m-%dT%H-%M-%S")
                    ));
                (id, rel)
            }
            Agent::GeminiCli => {
                let id = uuid_v4();
                let utc = jiff::Timestamp::from_millisecond(now)
                    .map_err(|e| Error::other_from("bad time", e))?
                    .to_zoned(jiff::tz::TimeZone::UTC);
                let rel = Path::new("tmp")
                    .join(gemini_project_dir(home, cwd))
                    .join("chats")
                    .join(format!(
                        "session-{}-{}.jsonl",
                        utc.strftime("%Y-%m-%dT%H-%M"),
                        &id[..8]
                    ));
                (id, rel)
            }
        };
        Ok(Plan {
            agent,
            id,
            home: home.to_path_buf(),
            rel,
            cwd: cwd.to_path_buf(),
            now,
        })
    }

    /// The command that resumes the session.
    pub fn resume_command(&self) -> String {
        match self.agent {
            Agent::ClaudeCode => format!("claude --resume {}", self.id),
            Agent::Codex => format!("codex resume {}", self.id),
            Agent::GeminiCli => format!("gemini --resume {}", self.id),
            Agent::Opencode => format!("opencode --session {}", self.id),
            Agent::CopilotCli => format!("copilot --resume {}", self.id),
        }
    }

    /// Where the session file goes.
    pub fn path(&self) -> PathBuf {
        self.home.join(&self.rel)
    }

    /// The session's JSONL lines.
    pub fn lines(&self, s: &Session<'_>) -> Vec<Value> {
        let ts = crate::model::format_millis(self.now);
        let text = first_message(s.brief);
        let cwd = self.cwd.to_string_lossy();
        match self.agent {
            Agent::ClaudeCode => {
                let user_uuid = derive_uuid(&self.id, 1);
                let reply_uuid = derive_uuid(&self.id, 2);
                let envelope = |kind: &str, uuid: &str, parent: Option<&str>| {
                    json!({
                        "parentUuid": parent, "isSidechain": false, "userType": "external",
                        "cwd": cwd, "sessionId": self.id, "gitBranch": s.branch.unwrap_or(""),
                        "type": kind, "uuid": uuid, "timestamp": ts,
                    })
                };
                let mut first = envelope("user", &user_uuid, None);
                first["message"] = json!({"role": "user", "content": text});
                let mut second = envelope("assistant", &reply_uuid, Some(&user_uuid));
                second["message"] = json!({
                    "id": format!("msg_drift_{}", self.id.replace('-', "")),
                    "type": "message", "role": "assistant", "model": "<synthetic>",
                    "content": [{"type": "text", "text":
                        "I have read the handoff brief. Tell me to go on and I will continue \
                         from \"Resume here\"."}],
                    "stop_reason": "end_turn", "stop_sequence": null,
                    "usage": {"input_tokens": 0, "output_tokens": 0,
                              "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
                });
                vec![first, second]
            }
            Agent::Codex => {
                let mut git = json!({});
                if let Some(b) = s.branch {
                    git["branch"] = json!(b);
                }
                if let Some(c) = s.commit {
                    git["commit_hash"] = json!(c);
                }
                let provider =
                    codex_setting(&self.home, "model_provider").unwrap_or_else(|| "openai".into());
                // Codex's own default model, when neither its config nor an earlier session
                // names one.
                let model = codex_setting(&self.home, "model")
                    .or_else(|| s.model.clone())
                    .unwrap_or_else(|| "gpt-5-codex".into());
                let line = |kind: &str, payload: Value| json!({"timestamp": ts, "type": kind, "payload": payload});
                vec![
                    line(
                        "session_meta",
                        json!({
                            "id": self.id, "timestamp": ts, "cwd": cwd,
                            "originator": "git_drift",
                            "cli_version": env!("CARGO_PKG_VERSION"),
                            "instructions": null, "source": "cli",
                            "model_provider": provider, "git": git,
                        }),
                    ),
                    line(
                        "turn_context",
                        json!({
                            "cwd": cwd, "approval_policy": "on-request",
                            "sandbox_policy": {"type": "workspace-write"},
                            "model": model, "summary": "auto",
                        }),
                    ),
                    line(
                        "response_item",
                        json!({"type": "message", "role": "user",
                               "content": [{"type": "input_text", "text": text}]}),
                    ),
                    line(
                        "event_msg",
                        json!({"type": "user_message", "message": text, "images": []}),
                    ),
                ]
            }
            Agent::Opencode | Agent::CopilotCli => Vec::new(),
            Agent::GeminiCli => vec![
                json!({
                    "sessionId": self.id,
                    "projectHash": crate::agents::gemini::sha256_hex(&self.cwd),
                    "startTime": ts, "lastUpdated": ts, "kind": "main",
                }),
                json!({
                    "id": derive_uuid(&self.id, 1), "timestamp": ts, "type": "user",
                    "content": [{"text": text}],
                }),
                json!({
                    "id": derive_uuid(&self.id, 2), "timestamp": ts, "type": "gemini",
                    "content": "I have read the handoff brief. Tell me to go on and I will \
                                continue from \"Resume here\".",
                    "thoughts": [],
                }),
            ],
        }
    }

    /// Write the session; returns its path. Fails rather than overwrite anything.
    pub fn write(&self, s: &Session<'_>) -> Result<PathBuf> {
        let mut body = String::new();
        for l in self.lines(s) {
            body.push_str(&l.to_string());
            body.push('\n');
        }
        write_confined(&self.home, &self.rel, body.as_bytes())
    }
}

/// Create `home/rel` with mode 0600, refusing a path that leaves `home` (`..`, an absolute
/// `rel`, or a symlinked directory pointing elsewhere) and a file that already exists.
pub fn write_confined(home: &Path, rel: &Path, bytes: &[u8]) -> Result<PathBuf> {
    if rel.as_os_str().is_empty() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(Error::user(format!(
            "refusing to write {}: the path must stay inside {}",
            rel.display(),
            home.display()
        )));
    }
    let path = home.join(rel);
    let dir = path
        .parent()
        .ok_or_else(|| Error::other(format!("{} has no directory", path.display())))?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let real_home = home.canonicalize().map_err(|e| Error::io(home, e))?;
    let real_dir = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
    if !real_dir.starts_with(&real_home) {
        return Err(Error::user(format!(
            "refusing to write {}: it resolves outside {}",
            path.display(),
            home.display()
        )));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error::user(format!(
                "{} already exists; not overwriting it",
                path.display()
            ))
        } else {
            Error::io(&path, e)
        }
    })?;
    f.write_all(bytes).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

/// The model of the latest captured session of `agent`.
pub fn last_model(store: &Store, agent: Agent) -> Result<Option<String>> {
    Ok(store
        .sessions(Some(agent))?
        .into_iter()
        .rev()
        .find_map(|s| s.session.info.model))
}

/// The directory under `<home>/tmp/` for a Gemini CLI project rooted at `cwd`: its slug in
/// `projects.json` when Gemini has seen the project, else the legacy `sha256(cwd)` directory,
/// which Gemini CLI (0.61) migrates into a new slug directory on its next start, so git drift
/// never has to edit Gemini's registry.
fn gemini_project_dir(home: &Path, cwd: &Path) -> String {
    let registered = std::fs::read_to_string(home.join("projects.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| {
            v["projects"][cwd.to_string_lossy().as_ref()]
                .as_str()
                .map(str::to_string)
        })
        .filter(|slug| {
            Path::new(slug)
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
        });
    registered.unwrap_or_else(|| crate::agents::gemini::sha256_hex(cwd))
}

/// A top-level `key = "value"` of Codex's `config.toml` (before any `[table]`).
fn codex_setting(home: &Path, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(home.join("config.toml")).ok()?;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            break;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if k.trim() == key {
            let v = v.split('#').next().unwrap_or("").trim();
            let v = v.trim_matches('"').trim_matches('\'').trim();
            if !v.is_empty() {
                return Some(v.to_string());
            }
        }
    }
    None
}

/// 16 random bytes: the OS's random source, else std's randomly keyed hasher.
fn random_bytes() -> [u8; 16] {
    let mut b = [0u8; 16];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        use std::io::Read;
        if f.read_exact(&mut b).is_ok() {
            return b;
        }
    }
    use std::hash::{BuildHasher, Hasher};
    for (i, chunk) in b.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        h.write_u32(std::process::id());
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    b
}

fn format_uuid(b: &[u8; 16]) -> String {
    let h = crate::model::hex(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A random (version 4) UUID, as Claude Code's session ids are.
pub fn uuid_v4() -> String {
    let mut b = random_bytes();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    format_uuid(&b)
}

/// A time-ordered (version 7) UUID, as Codex's thread ids are.
pub fn uuid_v7(now: Millis) -> String {
    let mut b = random_bytes();
    let ms = (now.max(0) as u64).to_be_bytes();
    b[..6].copy_from_slice(&ms[2..8]);
    b[6] = (b[6] & 0x0f) | 0x70;
    b[8] = (b[8] & 0x3f) | 0x80;
    format_uuid(&b)
}

/// A record uuid derived from the session id, so the file's records link to each other.
fn derive_uuid(session: &str, n: u8) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(format!("{session}/{n}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    format_uuid(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_have_their_version() {
        let a = uuid_v4();
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(a, uuid_v4());
        let t = 1_768_471_200_000;
        let b = uuid_v7(t);
        assert_eq!(&b[14..15], "7");
        // The first 48 bits are the time in milliseconds.
        let ms = u64::from_str_radix(&b[..13].replace('-', ""), 16).unwrap();
        assert_eq!(ms, t as u64);
    }

    #[test]
    fn writes_are_confined_new_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let p = write_confined(&home, Path::new("a/b.jsonl"), b"x\n").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "x\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = write_confined(&home, Path::new("a/b.jsonl"), b"y\n").unwrap_err();
        assert!(again.to_string().contains("not overwriting"), "{again}");
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "x\n");
        for bad in [
            "../escape.jsonl",
            "a/../../escape.jsonl",
            "/etc/x.jsonl",
            "./x.jsonl",
        ] {
            let e = write_confined(&home, Path::new(bad), b"z").unwrap_err();
            assert!(e.to_string().contains("inside"), "{bad}: {e}");
        }
        assert!(!dir.path().join("escape.jsonl").exists());
        #[cfg(unix)]
        {
            let outside = dir.path().join("outside");
            std::fs::create_dir_all(&outside).unwrap();
            std::os::unix::fs::symlink(&outside, home.join("link")).unwrap();
            let e = write_confined(&home, Path::new("link/x.jsonl"), b"z").unwrap_err();
            assert!(e.to_string().contains("outside"), "{e}");
            assert!(!outside.join("x.jsonl").exists());
        }
    }

    #[test]
    fn claude_paths_use_claude_encoding() {
        let p = Plan::new(
            Agent::ClaudeCode,
            Path::new("/h"),
            Path::new("/Users/bob/my_proj.v2 x"),
            0,
        )
        .unwrap();
        let path = p.path();
        assert_eq!(
            path.parent().unwrap(),
            Path::new("/h/projects/-Users-bob-my-proj-v2-x")
        );
        assert_eq!(p.resume_command(), format!("claude --resume {}", p.id));
    }

    #[test]
    fn codex_settings_come_from_its_config() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.toml"),
            "model = \"o4-mini\" # chosen\nmodel_provider='azure'\n[profiles.x]\nmodel = \"nope\"\n",
        )
        .unwrap();
        assert_eq!(
            codex_setting(dir.path(), "model").as_deref(),
            Some("o4-mini")
        );
        assert_eq!(
            codex_setting(dir.path(), "model_provider").as_deref(),
            Some("azure")
        );
        assert_eq!(codex_setting(dir.path(), "effort"), None);
    }

    #[test]
    fn marker_is_recognised() {
        assert!(is_injected(&first_message("# Handoff")));
        assert!(!is_injected("please add a [git-drift handoff] section"));
    }
}
