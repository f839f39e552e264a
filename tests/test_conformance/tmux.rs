//! Runs an interactive agent TUI inside a private tmux server (its own socket in the test's
//! temp dir), reads the screen and types keys, for the conformance tests that decline a tool
//! use the way a person does.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// One tmux server with one window running the TUI.
pub struct Tmux {
    socket: PathBuf,
}

/// Whether tmux is installed (the interactive tests skip without it).
pub fn available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

impl Tmux {
    /// Start `program args` in `cwd` with exactly the environment `vars`, on a 200x50 screen.
    pub fn start(dir: &Path, cwd: &Path, vars: &[(String, String)], argv: &[String]) -> Tmux {
        let socket = dir.join("tmux.sock");
        let mut c = Command::new("tmux");
        c.arg("-S")
            .arg(&socket)
            .args([
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "200",
                "-y",
                "50",
            ])
            .args(["-s", "agent", "-c"])
            .arg(cwd)
            .arg("--")
            .arg("env")
            .arg("-i");
        for (k, v) in vars {
            c.arg(format!("{k}={v}"));
        }
        c.args(argv);
        let out = c.env("TERM", "xterm-256color").output().expect("run tmux");
        assert!(out.status.success(), "tmux new-session: {out:?}");
        Tmux { socket }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The visible screen as text.
    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "agent"])
    }

    /// Wait until the screen shows `text`; panics with the screen after `secs`.
    pub fn wait_for(&self, text: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "the TUI never showed {text:?}; the screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Press keys (tmux key names: `Enter`, `Escape`, `Down`, `C-c`).
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "agent", k]);
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// Type literal text (no Enter) and wait until its start shows on the screen.
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "agent", "-l", text]);
        let start: String = text.chars().take(16).collect();
        self.wait_for(&start, 20);
    }

    /// Press `key` until the screen shows `target`, then return the screen. A TUI that has
    /// drawn a dialog is not always reading keys yet, and on a loaded machine a key sent in
    /// that gap is lost; so when a press leaves the screen unchanged for a few seconds, press
    /// again. A press that changed the screen is never repeated blindly: the screen is read
    /// again first, so a slow TUI is not driven past `target`.
    pub fn press_until(&self, key: &str, target: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let before = self.screen();
            if before.contains(target) {
                return before;
            }
            assert!(
                Instant::now() < deadline,
                "pressing {key} never showed {target:?}; the screen:\n{before}"
            );
            self.tmux(&["send-keys", "-t", "agent", key]);
            let settle = Instant::now() + Duration::from_secs(4);
            while Instant::now() < settle {
                std::thread::sleep(Duration::from_millis(200));
                let now = self.screen();
                if now.contains(target) {
                    return now;
                }
                if now != before {
                    // Let the redraw finish before the screen is judged again.
                    std::thread::sleep(Duration::from_millis(500));
                    break;
                }
            }
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

/// End the processes whose command line mentions `marker` (a path inside this test's temp
/// dir, so only processes this test started match), by pid: the Codex TUI leaves an
/// app-server daemon running from `$CODEX_HOME/packages/`.
pub fn end_processes_mentioning(marker: &Path) {
    let marker = marker.to_string_lossy().into_owned();
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return;
    };
    for e in rd.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(&marker) && pid != std::process::id() as i32 {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}
