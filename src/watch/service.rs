//! The service definitions `git drift watch --install` writes so that the watcher starts with
//! the user's session: a systemd user unit on Linux, a launchd agent on macOS. Writing one
//! never starts it; the caller prints the command that does.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The systemd unit's file name.
pub const UNIT: &str = "git-drift-watch.service";
/// The launchd agent's label (and file name, with `.plist`).
pub const LABEL: &str = "dev.git-drift.watch";
/// The words every definition we write holds, so that `--uninstall` removes only ours. (No
/// `--` in it: an XML comment may not hold one.)
pub const MARKER: &str = "Written by git drift watch";

/// Which service manager to write for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Systemd,
    Launchd,
}

impl Kind {
    /// The service manager of the platform this binary was built for.
    pub fn native() -> Kind {
        if cfg!(target_os = "macos") {
            Kind::Launchd
        } else {
            Kind::Systemd
        }
    }
}

/// Where the definition goes: `$XDG_CONFIG_HOME/systemd/user/` (else `~/.config/…`) or
/// `~/Library/LaunchAgents/`.
pub fn path(kind: Kind, home: &Path, xdg_config_home: Option<&Path>) -> PathBuf {
    match kind {
        Kind::Systemd => xdg_config_home
            .filter(|p| p.is_absolute())
            .map_or_else(|| home.join(".config"), Path::to_path_buf)
            .join("systemd")
            .join("user")
            .join(UNIT),
        Kind::Launchd => home
            .join("Library")
            .join("LaunchAgents")
            .join(format!("{LABEL}.plist")),
    }
}

/// The definition's text, running `exe watch --quiet` (errors still reach the journal / log).
pub fn text(kind: Kind, exe: &Path, home: &Path) -> String {
    let exe = exe.to_string_lossy();
    match kind {
        Kind::Systemd => format!(
            "# {MARKER} (install); `git drift watch --uninstall` removes it.\n\
             [Unit]\n\
             Description=git drift watcher: capture AI agents' transcripts into every initialised repository\n\
             \n\
             [Service]\n\
             ExecStart=\"{exe}\" watch --quiet\n\
             Restart=on-failure\n\
             RestartSec=5\n\
             \n\
             [Install]\n\
             WantedBy=default.target\n"
        ),
        Kind::Launchd => {
            let esc = |s: &str| {
                s.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            };
            let log = home.join("Library/Logs/git-drift-watch.log");
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                 <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
                 <!-- {MARKER} (install); its uninstall option removes it. -->\n\
                 <plist version=\"1.0\">\n<dict>\n\
                 \t<key>Label</key>\n\t<string>{LABEL}</string>\n\
                 \t<key>ProgramArguments</key>\n\t<array>\n\
                 \t\t<string>{}</string>\n\t\t<string>watch</string>\n\t\t<string>--quiet</string>\n\
                 \t</array>\n\
                 \t<key>RunAtLoad</key>\n\t<true/>\n\
                 \t<key>KeepAlive</key>\n\t<true/>\n\
                 \t<key>StandardErrorPath</key>\n\t<string>{}</string>\n\
                 </dict>\n</plist>\n",
                esc(&exe),
                esc(&log.to_string_lossy())
            )
        }
    }
}

/// How to start the service once written.
pub fn start_hint(kind: Kind, path: &Path) -> String {
    match kind {
        Kind::Systemd => {
            format!("systemctl --user daemon-reload && systemctl --user enable --now {UNIT}")
        }
        Kind::Launchd => format!("launchctl load -w {}", path.display()),
    }
}

/// How to stop the service before its definition is removed.
pub fn stop_hint(kind: Kind, path: &Path) -> String {
    match kind {
        Kind::Systemd => format!("systemctl --user disable --now {UNIT}"),
        Kind::Launchd => format!("launchctl unload -w {}", path.display()),
    }
}

/// Write the definition (replacing an older one); returns whether the file changed.
pub fn install(path: &Path, text: &str) -> Result<bool> {
    if std::fs::read_to_string(path).is_ok_and(|t| t == text) {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::write(path, text).map_err(|e| Error::io(path, e))?;
    Ok(true)
}

/// Remove the definition if it is ours (written by `--install`); returns whether it was there.
pub fn uninstall(path: &Path) -> Result<bool> {
    match std::fs::read_to_string(path) {
        Ok(t) if t.contains(MARKER) => {
            std::fs::remove_file(path).map_err(|e| Error::io(path, e))?;
            Ok(true)
        }
        Ok(_) => Err(Error::user(format!(
            "{} was not written by `git drift watch --install`; left alone",
            path.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io(path, e)),
    }
}
