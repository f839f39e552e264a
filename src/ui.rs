//! Terminal conventions shared by the commands: colour the way git decides it (`NO_COLOR`,
//! `color.ui`, a terminal on stdout), a pager the way git picks it (`GIT_PAGER`,
//! `core.pager`, `PAGER`, then `less` with `LESS=FRX`), and the [`Ui`] sink every progress
//! line and warning goes through, so that commands can run in-process under test.

use crate::util::git::Repo;
use std::cell::{Cell, RefCell};
use std::io::{IsTerminal, Write};
use std::process::{Child, Command, Stdio};
use std::rc::Rc;

/// `--color=WHEN`, as in git.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// Colour when the output is a terminal and nothing in the environment says otherwise
    #[default]
    Auto,
    /// Colour, even into a pipe or file
    Always,
    /// No colour
    Never,
}

/// Whether to colour output written to stdout; `terminal` says whether stdout is one.
///
/// In order: `--color` when given, `NO_COLOR` (no-color.org), `CLICOLOR_FORCE`, git's
/// `color.ui`, `CLICOLOR=0`, then a terminal whose `TERM` is not `dumb`; the same order as
/// `anstream`, with git's setting where a git tool is expected to read it.
pub fn use_color(repo: Option<&Repo>, terminal: bool, when: ColorWhen) -> bool {
    match when {
        ColorWhen::Always => return true,
        ColorWhen::Never => return false,
        ColorWhen::Auto => {}
    }
    if anstyle_query::no_color() {
        return false;
    }
    if anstyle_query::clicolor_force() {
        return true;
    }
    let setting = repo
        .and_then(|r| r.git_opt(&["config", "--get", "color.ui"]).ok().flatten())
        .map(|s| s.trim().to_ascii_lowercase());
    match setting.as_deref() {
        Some("never") | Some("false") => false,
        Some("always") => true,
        _ if anstyle_query::clicolor() == Some(false) => false,
        _ => terminal && std::env::var("TERM").map_or(true, |t| t != "dumb"),
    }
}

/// ANSI styling (rendered by `anstyle`) that is a no-op when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Paint {
    pub on: bool,
}

impl Paint {
    fn wrap(&self, style: anstyle::Style, s: &str) -> String {
        if self.on {
            format!("{style}{s}{style:#}")
        } else {
            s.to_string()
        }
    }
    fn fg(&self, c: anstyle::AnsiColor, s: &str) -> String {
        self.wrap(anstyle::Style::new().fg_color(Some(c.into())), s)
    }
    pub fn yellow(&self, s: &str) -> String {
        self.fg(anstyle::AnsiColor::Yellow, s)
    }
    pub fn green(&self, s: &str) -> String {
        self.fg(anstyle::AnsiColor::Green, s)
    }
    pub fn cyan(&self, s: &str) -> String {
        self.fg(anstyle::AnsiColor::Cyan, s)
    }
    pub fn red(&self, s: &str) -> String {
        self.fg(anstyle::AnsiColor::Red, s)
    }
    pub fn dim(&self, s: &str) -> String {
        self.wrap(anstyle::Style::new().dimmed(), s)
    }
    pub fn bold(&self, s: &str) -> String {
        self.wrap(anstyle::Style::new().bold(), s)
    }
}

/// The pager a query command writes to when stdout is a terminal.
pub struct Pager {
    child: Child,
}

impl Pager {
    /// Start the pager git would use (`GIT_PAGER`, `core.pager`, `PAGER`, then `less`);
    /// `None` when it is `cat` or empty, or cannot be started.
    pub fn start(repo: Option<&Repo>) -> Option<Pager> {
        let cmd = std::env::var("GIT_PAGER")
            .ok()
            .or_else(|| {
                repo.and_then(|r| r.git_opt(&["config", "--get", "core.pager"]).ok().flatten())
                    .map(|s| s.trim().to_string())
            })
            .or_else(|| std::env::var("PAGER").ok())
            .unwrap_or_else(|| "less".into());
        if cmd.trim().is_empty() || cmd.trim() == "cat" {
            return None;
        }
        let mut c = Command::new("sh");
        c.arg("-c").arg(&cmd).stdin(Stdio::piped());
        if std::env::var_os("LESS").is_none() {
            c.env("LESS", "FRX");
        }
        if std::env::var_os("LV").is_none() {
            c.env("LV", "-c");
        }
        c.spawn().ok().map(|child| Pager { child })
    }

    /// Close the pager's input and wait for it to exit.
    pub fn finish(mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }

    fn stdin(&mut self) -> std::io::Result<&mut std::process::ChildStdin> {
        self.child
            .stdin
            .as_mut()
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }
}

impl Write for Pager {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.stdin()?.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.stdin()?.flush()
    }
}

/// Where progress lines and warnings go: stderr for the binaries, a buffer when a command
/// runs in-process under test. Progress shows only when the sink is interactive (stderr is a
/// terminal) and the command was not asked to be quiet; warnings always show.
pub struct Ui {
    err: RefCell<Box<dyn Write>>,
    interactive: bool,
    quiet: Cell<bool>,
}

impl Ui {
    /// The process's stderr.
    pub fn stderr() -> Ui {
        Ui {
            err: RefCell::new(Box::new(std::io::stderr())),
            interactive: std::io::stderr().is_terminal(),
            quiet: Cell::new(false),
        }
    }

    /// Any writer (a test's buffer), never interactive.
    pub fn to(w: Box<dyn Write>) -> Ui {
        Ui {
            err: RefCell::new(w),
            interactive: false,
            quiet: Cell::new(false),
        }
    }

    /// Silence progress (a command's `--quiet`).
    pub fn set_quiet(&self, quiet: bool) {
        self.quiet.set(quiet);
    }

    /// Whether progress is shown.
    pub fn shows_progress(&self) -> bool {
        self.interactive && !self.quiet.get()
    }

    /// A progress line, shown only when [`Ui::shows_progress`].
    pub fn progress(&self, text: &str) {
        if self.shows_progress() {
            self.line(text);
        }
    }

    /// A line always shown (a report that belongs on stderr, not in the output).
    pub fn line(&self, text: &str) {
        // A closed stderr leaves nobody to tell.
        let _ = writeln!(self.err.borrow_mut(), "{text}");
    }

    /// `warning: TEXT`.
    pub fn warn(&self, text: &str) {
        self.line(&format!("warning: {text}"));
    }

    /// A byte-progress bar that appears after about a second, only when progress shows and
    /// `wanted`.
    pub fn bar(&self, wanted: bool) -> Bar {
        Bar {
            enabled: wanted && self.shows_progress(),
            started: std::time::Instant::now(),
            bar: None,
        }
    }
}

/// See [`Ui::bar`].
pub struct Bar {
    enabled: bool,
    started: std::time::Instant,
    bar: Option<indicatif::ProgressBar>,
}

impl Bar {
    /// `done` of `total` bytes.
    pub fn tick(&mut self, done: u64, total: u64) {
        if !self.enabled || self.started.elapsed().as_millis() < 1000 {
            return;
        }
        let bar = self.bar.get_or_insert_with(|| {
            let b = indicatif::ProgressBar::new(total);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "capturing {bar:30} {bytes}/{total_bytes} ({bytes_per_sec})",
            ) {
                b.set_style(style);
            }
            b
        });
        bar.set_position(done);
    }

    /// Remove the bar.
    pub fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

/// A writer whose bytes stay readable after it is handed away (a test's stdout or stderr).
#[derive(Clone, Default)]
pub struct Buffer(pub Rc<RefCell<Vec<u8>>>);

impl Buffer {
    /// What was written, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.borrow()).into_owned()
    }
}

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `1 line`, `3 lines`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Cut `s` to at most `max` characters, with `…` when cut; newlines become spaces.
pub fn excerpt(s: &str, max: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_flattens_and_cuts() {
        assert_eq!(excerpt("a\n  b", 10), "a b");
        assert_eq!(excerpt("abcdefghij", 5), "abcd…");
    }

    #[test]
    fn paint_off_is_plain() {
        assert_eq!(Paint { on: false }.red("x"), "x");
        assert_eq!(Paint { on: true }.red("x"), "\x1b[31mx\x1b[0m");
    }
}
