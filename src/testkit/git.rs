//! The hermetic environment for running the real `git` (and our binaries) in tests: a cleared
//! environment with a temp HOME and global config, no system config, fixed dates, `TZ=UTC` and
//! the C locale, so neither the developer's config, hooks and `GIT_*` variables nor the clock
//! can change what a test sees.

use std::ffi::OsStr;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A test HOME with its own global git config; builds commands that see nothing else.
#[derive(Debug, Clone)]
pub struct Hermetic {
    home: PathBuf,
}

impl Hermetic {
    /// A HOME at `home` (created) whose `~/.gitconfig` holds `gitconfig`.
    pub fn new(home: &Path, gitconfig: &str) -> Hermetic {
        std::fs::create_dir_all(home).expect("create test HOME");
        std::fs::write(home.join(".gitconfig"), gitconfig).expect("write test .gitconfig");
        Hermetic {
            home: home.to_path_buf(),
        }
    }

    /// The HOME directory.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The global git config file (`GIT_CONFIG_GLOBAL`).
    pub fn gitconfig(&self) -> PathBuf {
        self.home.join(".gitconfig")
    }

    /// `program` to run in `dir` with a cleared environment: `PATH` (the given one, or the
    /// test process's), the test HOME and its global config, no system config, author and
    /// committer dates `date` (git's `@secs +0000` or `secs +0000`), UTC and the C locale.
    /// stdin is closed so nothing can wait on a terminal.
    pub fn command(
        &self,
        program: impl AsRef<OsStr>,
        dir: &Path,
        path: Option<&OsStr>,
        date: &str,
    ) -> Command {
        let inherited = std::env::var_os("PATH").unwrap_or_default();
        let mut c = Command::new(program);
        c.current_dir(dir)
            .env_clear()
            .env("PATH", path.unwrap_or(&inherited))
            .env("HOME", &self.home)
            .env("GIT_CONFIG_GLOBAL", self.gitconfig())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .env("TZ", "UTC")
            .env("LANG", "C")
            .env("LC_ALL", "C")
            .stdin(Stdio::null());
        c
    }
}

/// Run `cmd` with `stdin` (when given) written to it; stdout and stderr are captured.
pub fn run_with_input(cmd: &mut Command, stdin: Option<&str>) -> Output {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("test command runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    child.wait_with_output().expect("wait for test command")
}
