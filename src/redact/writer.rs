//! A writer that redacts what passes through it, so everything a query command prints (old
//! store rows, notes, a file's own lines under `blame`) goes through the same built-in shapes
//! as what capture stores.

use super::Redactor;
use std::io::Write;

/// Bytes held back before the complete lines among them are redacted and written: lines are
/// redacted together so a key block spanning lines is seen whole.
const CHUNK: usize = 64 * 1024;

/// Redacts whole lines on their way to `inner`; the rest is written on `flush` and on drop.
pub struct Redacting<W: Write> {
    inner: W,
    redactor: Redactor,
    pending: Vec<u8>,
}

impl<W: Write> Redacting<W> {
    /// Wrap `inner` with the built-in shapes.
    pub fn new(inner: W) -> Redacting<W> {
        Redacting {
            inner,
            redactor: Redactor::default(),
            pending: Vec::new(),
        }
    }

    /// Redact and write the first `len` pending bytes.
    fn drain(&mut self, len: usize) -> std::io::Result<()> {
        if len == 0 {
            return Ok(());
        }
        let chunk: Vec<u8> = self.pending.drain(..len).collect();
        match std::str::from_utf8(&chunk) {
            Ok(text) => self.inner.write_all(self.redactor.redact(text).as_bytes()),
            // Not text (a binary file's lines): nothing the shapes could match.
            Err(_) => self.inner.write_all(&chunk),
        }
    }
}

impl<W: Write> Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if self.pending.len() >= CHUNK
            && let Some(nl) = self.pending.iter().rposition(|&b| b == b'\n')
        {
            self.drain(nl + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.drain(self.pending.len())?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for Redacting<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_split_across_writes_are_redacted_and_lines_kept() {
        let key = format!("ghp_{}", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5");
        let text = format!("one\nuse {key} now\nthree\n");
        let mut out = Vec::new();
        {
            let mut w = Redacting::new(&mut out);
            for piece in text.as_bytes().chunks(5) {
                w.write_all(piece).unwrap();
            }
        }
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out, "one\nuse [REDACTED:github-token] now\nthree\n");
    }

    #[test]
    fn clean_and_binary_bytes_pass_unchanged() {
        let mut out = Vec::new();
        {
            let mut w = Redacting::new(&mut out);
            w.write_all(b"plain text\n").unwrap();
            w.flush().unwrap();
            w.write_all(&[0xff, 0xfe, b'\n']).unwrap();
        }
        assert_eq!(out, b"plain text\n\xff\xfe\n");
    }
}
