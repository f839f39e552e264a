//! Terminal conventions shared by the query commands: colour the way git decides it
//! (`NO_COLOR`, `color.ui`, a terminal on stdout) and a pager the way git picks it
//! (`GIT_PAGER`, `core.pager`, `PAGER`, then `less` with `LESS=FRX`).

use crate::util::git::Repo;
use std::io::{IsTerminal, Write};
use std::process::{Child, Command, Stdio};

/// Whether to colour output written to stdout.
pub fn use_color(repo: Option<&Repo>) -> bool {
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    let setting = repo
        .and_then(|r| r.git_opt(&["config", "--get", "color.ui"]).ok().flatten())
        .map(|s| s.trim().to_ascii_lowercase());
    match setting.as_deref() {
        Some("never") | Some("false") => false,
        Some("always") => true,
        _ => std::io::stdout().is_terminal(),
    }
}

/// ANSI styling that is a no-op when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Paint {
    pub on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub fn yellow(&self, s: &str) -> String {
        self.wrap("33", s)
    }
    pub fn green(&self, s: &str) -> String {
        self.wrap("32", s)
    }
    pub fn cyan(&self, s: &str) -> String {
        self.wrap("36", s)
    }
    pub fn red(&self, s: &str) -> String {
        self.wrap("31", s)
    }
    pub fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    pub fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
}

/// Where a query command writes: a pager when stdout is a terminal, stdout otherwise.
/// Everything written passes the redactor (built-in shapes) on its way out, whole lines at a
/// time, so a secret in old store rows, a note or a file's own lines is never printed.
pub struct Output {
    pager: Option<Child>,
    stdout: std::io::Stdout,
    pending: Vec<u8>,
}

/// Bytes held back before redacting and writing the complete lines among them.
const REDACT_CHUNK: usize = 64 * 1024;

impl Output {
    /// Start a pager when stdout is a terminal and one is configured (`cat` or an empty value
    /// means none); `no_pager` forces plain stdout.
    pub fn start(repo: Option<&Repo>, no_pager: bool) -> Output {
        let stdout = std::io::stdout();
        if no_pager || !stdout.is_terminal() {
            return Output {
                pager: None,
                stdout,
                pending: Vec::new(),
            };
        }
        let cmd = std::env::var("GIT_PAGER")
            .ok()
            .or_else(|| {
                repo.and_then(|r| r.git_opt(&["config", "--get", "core.pager"]).ok().flatten())
                    .map(|s| s.trim().to_string())
            })
            .or_else(|| std::env::var("PAGER").ok())
            .unwrap_or_else(|| "less".into());
        if cmd.trim().is_empty() || cmd.trim() == "cat" {
            return Output {
                pager: None,
                stdout,
                pending: Vec::new(),
            };
        }
        let mut c = Command::new("sh");
        c.arg("-c").arg(&cmd).stdin(Stdio::piped());
        if std::env::var_os("LESS").is_none() {
            c.env("LESS", "FRX");
        }
        if std::env::var_os("LV").is_none() {
            c.env("LV", "-c");
        }
        Output {
            pager: c.spawn().ok(),
            stdout,
            pending: Vec::new(),
        }
    }

    /// Wait for the pager to exit.
    pub fn finish(mut self) {
        let _ = self.drain(self.pending.len());
        if let Some(mut child) = self.pager.take() {
            drop(child.stdin.take());
            let _ = child.wait();
        }
    }
}

impl Output {
    /// Redact and write the first `len` pending bytes.
    fn drain(&mut self, len: usize) -> std::io::Result<()> {
        if len == 0 {
            return Ok(());
        }
        let chunk: Vec<u8> = self.pending.drain(..len).collect();
        let redactor = crate::redact::Redactor::default();
        let redacted;
        let bytes = match std::str::from_utf8(&chunk) {
            Ok(text) => {
                redacted = redactor.redact(text);
                redacted.as_bytes()
            }
            // Not text (a binary file's lines): nothing the redactor could read.
            Err(_) => &chunk[..],
        };
        match self.pager.as_mut().and_then(|c| c.stdin.as_mut()) {
            Some(stdin) => stdin.write_all(bytes),
            None => self.stdout.write_all(bytes),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if self.pending.len() >= REDACT_CHUNK
            && let Some(nl) = self.pending.iter().rposition(|&b| b == b'\n')
        {
            self.drain(nl + 1)?;
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.drain(self.pending.len())?;
        match self.pager.as_mut().and_then(|c| c.stdin.as_mut()) {
            Some(stdin) => stdin.flush(),
            None => self.stdout.flush(),
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        let _ = self.drain(self.pending.len());
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
