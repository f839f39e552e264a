//! Codex's `apply_patch` envelope format: a parser for the patch text and helpers that find a
//! patch inside the shell commands Codex models use to invoke it.
//!
//! The parser follows the grammar codex-rs ships and is as lenient as Codex's own lenient mode,
//! because what matters for capture is what Codex actually applied: a patch Codex would reject
//! never changed a file, one it accepts did. Lenient points (all taken from Codex's behaviour):
//! surrounding whitespace and a missing final newline, whitespace around the `***` markers,
//! unprefixed blank lines inside a hunk (read as empty context lines), blank lines between
//! hunks, a first hunk without `@@`, bare `@@` and `@@ <context header>`, `*** End of File`, and a
//! whole patch wrapped in a `<<'EOF' … EOF` heredoc (GPT-4.1 passes that as an argv element).
//! Beyond Codex, blank lines between file operations are skipped and `*** Move to:` may carry
//! padding.
//!
//! The shell helpers recognise `["apply_patch", patch]` argv, `bash -lc` / `sh -c` / `zsh -lc`
//! (and PowerShell `-Command`) scripts, and bare scripts (`shell_command`, `exec_command`)
//! that feed a heredoc or a quoted patch to `apply_patch` / `applypatch`, optionally after
//! `cd <dir> &&`.

use std::borrow::Cow;

/// One file operation of a patch envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOp {
    /// `*** Add File:` with the file's full contents (each line ends in `\n`).
    Add { path: String, contents: String },
    /// `*** Delete File:`.
    Delete { path: String },
    /// `*** Update File:` with an optional rename and its hunks (possibly none when it only
    /// moves the file).
    Update {
        path: String,
        move_to: Option<String>,
        hunks: Vec<Hunk>,
    },
}

/// One `@@` chunk of an update: the lines it replaces and the lines it writes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hunk {
    /// The text after `@@ ` (a line used to locate the hunk), if any.
    pub context: Option<String>,
    /// Context and `-` lines, each ending in `\n`.
    pub before: String,
    /// Context and `+` lines, each ending in `\n`.
    pub after: String,
    /// The hunk was anchored at the end of the file with `*** End of File`.
    pub end_of_file: bool,
}

/// Why a patch text is not a valid envelope (Codex would have rejected it, so it changed
/// nothing).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid patch at line {line}: {message}")]
pub struct PatchError {
    /// 1-based line number within the (trimmed) patch text.
    pub line: usize,
    pub message: String,
}

impl PatchError {
    fn new(line: usize, message: impl Into<String>) -> Self {
        PatchError {
            line,
            message: message.into(),
        }
    }
}

const BEGIN: &str = "*** Begin Patch";
const END: &str = "*** End Patch";
const ADD: &str = "*** Add File: ";
const DELETE: &str = "*** Delete File: ";
const UPDATE: &str = "*** Update File: ";
const MOVE: &str = "*** Move to: ";
const EOF_MARK: &str = "*** End of File";

/// Parse an `apply_patch` envelope into its file operations.
pub fn parse_patch(text: &str) -> Result<Vec<FileOp>, PatchError> {
    let lines: Vec<&str> = text.trim().lines().collect();
    let body = envelope_body(&lines)?;
    let mut ops = Vec::new();
    let mut i = 0;
    while i < body.len() {
        // Line numbers are 1-based and count the `*** Begin Patch` line.
        let line_no = i + 2;
        let header = body[i].trim();
        if header.is_empty() {
            i += 1;
            continue;
        }
        if let Some(path) = header.strip_prefix(ADD) {
            let mut contents = String::new();
            i += 1;
            while let Some(l) = body.get(i).and_then(|l| l.strip_prefix('+')) {
                contents.push_str(l);
                contents.push('\n');
                i += 1;
            }
            ops.push(FileOp::Add {
                path: path.trim().to_string(),
                contents,
            });
        } else if let Some(path) = header.strip_prefix(DELETE) {
            ops.push(FileOp::Delete {
                path: path.trim().to_string(),
            });
            i += 1;
        } else if let Some(path) = header.strip_prefix(UPDATE) {
            let path = path.trim().to_string();
            i += 1;
            let move_to = body
                .get(i)
                .and_then(|l| l.trim().strip_prefix(MOVE))
                .map(|p| p.trim().to_string());
            if move_to.is_some() {
                i += 1;
            }
            let mut hunks = Vec::new();
            while i < body.len() {
                if body[i].trim().is_empty() {
                    i += 1;
                    continue;
                }
                if body[i].starts_with('*') {
                    break;
                }
                let (hunk, used) = parse_hunk(&body[i..], i + 2, hunks.is_empty())?;
                hunks.push(hunk);
                i += used;
            }
            // Codex rejects an update with nothing to do; a pure rename is still a change.
            if hunks.is_empty() && move_to.is_none() {
                return Err(PatchError::new(
                    line_no,
                    format!("update of '{path}' has no hunks"),
                ));
            }
            ops.push(FileOp::Update {
                path,
                move_to,
                hunks,
            });
        } else {
            return Err(PatchError::new(
                line_no,
                format!("'{header}' is not a valid file operation header"),
            ));
        }
    }
    Ok(ops)
}

/// The lines between `*** Begin Patch` and `*** End Patch`, also when the whole envelope is
/// wrapped in heredoc markers.
fn envelope_body<'l, 's>(lines: &'l [&'s str]) -> Result<&'l [&'s str], PatchError> {
    let strict = |lines: &'l [&'s str]| -> Result<&'l [&'s str], PatchError> {
        match lines {
            [] => Err(PatchError::new(1, "empty patch")),
            [first, ..] if first.trim() != BEGIN => Err(PatchError::new(
                1,
                "the first line must be '*** Begin Patch'",
            )),
            [_] => Err(PatchError::new(1, "the last line must be '*** End Patch'")),
            [.., last] if last.trim() != END => Err(PatchError::new(
                lines.len(),
                "the last line must be '*** End Patch'",
            )),
            [_, body @ .., _] => Ok(body),
        }
    };
    match strict(lines) {
        Ok(body) => Ok(body),
        Err(e) => match lines {
            [first, inner @ .., last] if inner.len() >= 2 => {
                let delim = heredoc_delimiter(first.trim());
                match delim {
                    Some(d) if last.trim_end().ends_with(d) => strict(inner),
                    _ => Err(e),
                }
            }
            _ => Err(e),
        },
    }
}

/// `<<EOF`, `<<'EOF'`, `<<"EOF"`, `<<-EOF` → `EOF`.
fn heredoc_delimiter(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("<<")?;
    let rest = rest.strip_prefix('-').unwrap_or(rest).trim_start();
    let d = rest
        .strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .or_else(|| rest.strip_prefix('"').and_then(|r| r.strip_suffix('"')))
        .unwrap_or(rest);
    (!d.is_empty() && !d.contains(char::is_whitespace)).then_some(d)
}

/// Parse one chunk of an update starting at `lines[0]`; returns it and the lines it used.
fn parse_hunk(lines: &[&str], line_no: usize, first: bool) -> Result<(Hunk, usize), PatchError> {
    let mut hunk = Hunk::default();
    let start = if lines[0].trim_end() == "@@" {
        1
    } else if let Some(ctx) = lines[0].strip_prefix("@@ ") {
        hunk.context = Some(ctx.trim().to_string()).filter(|c| !c.is_empty());
        1
    } else if first {
        // Codex lets the first chunk start directly with diff lines.
        0
    } else {
        return Err(PatchError::new(
            line_no,
            format!("expected a '@@' hunk header, got '{}'", lines[0]),
        ));
    };
    let mut used = 0;
    for line in &lines[start..] {
        if *line == EOF_MARK {
            if used == 0 {
                break;
            }
            hunk.end_of_file = true;
            used += 1;
            break;
        }
        match line.chars().next() {
            None => {
                hunk.before.push('\n');
                hunk.after.push('\n');
            }
            Some(' ') => {
                push_line(&mut hunk.before, &line[1..]);
                push_line(&mut hunk.after, &line[1..]);
            }
            Some('+') => push_line(&mut hunk.after, &line[1..]),
            Some('-') => push_line(&mut hunk.before, &line[1..]),
            Some(_) if used == 0 => {
                return Err(PatchError::new(
                    line_no + start,
                    format!("unexpected line in hunk: '{line}' (lines start with ' ', '+' or '-')"),
                ));
            }
            // The next `@@` or file header starts here.
            Some(_) => break,
        }
        used += 1;
    }
    if used == 0 {
        return Err(PatchError::new(line_no + start, "hunk has no lines"));
    }
    Ok((hunk, start + used))
}

fn push_line(buf: &mut String, line: &str) {
    buf.push_str(line);
    buf.push('\n');
}

/// A patch found inside a shell invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellPatch<'a> {
    /// The patch text (still to be given to [`parse_patch`]).
    pub patch: Cow<'a, str>,
    /// The directory of a leading `cd <dir> &&`, relative to the call's working directory.
    pub workdir: Option<Cow<'a, str>>,
}

fn is_apply_patch_name(word: &str) -> bool {
    let name = word.rsplit('/').next().unwrap_or(word);
    name == "apply_patch" || name == "applypatch"
}

fn shell_stem(program: &str) -> String {
    let name = program.rsplit(['/', '\\']).next().unwrap_or(program);
    let stem = name.strip_suffix(".exe").unwrap_or(name);
    stem.to_ascii_lowercase()
}

/// The script of a `bash -lc <script>`-style argv (also `sh`/`zsh` with `-c`/`-lc`, and
/// PowerShell's `[-NoProfile] -Command <script>`), if the argv has that shape.
pub fn shell_script<S: AsRef<str>>(argv: &[S]) -> Option<&str> {
    let unix = |shell: &str, flag: &str| {
        matches!(shell_stem(shell).as_str(), "bash" | "sh" | "zsh" | "dash")
            && matches!(flag, "-lc" | "-c" | "-cl")
    };
    let pwsh = |shell: &str, flag: &str| {
        matches!(shell_stem(shell).as_str(), "pwsh" | "powershell")
            && flag.eq_ignore_ascii_case("-command")
    };
    match argv {
        [shell, flag, script] if unix(shell.as_ref(), flag.as_ref()) => Some(script.as_ref()),
        [shell, flag, script] if pwsh(shell.as_ref(), flag.as_ref()) => Some(script.as_ref()),
        [shell, skip, flag, script]
            if skip.as_ref().eq_ignore_ascii_case("-noprofile")
                && pwsh(shell.as_ref(), flag.as_ref()) =>
        {
            Some(script.as_ref())
        }
        _ => None,
    }
}

/// Find a patch in a command argv: `["apply_patch", "<patch>"]` or a shell invocation whose
/// script feeds a patch to `apply_patch` (see [`extract_patch_from_script`]).
pub fn extract_patch_from_shell<'s, S: AsRef<str>>(argv: &'s [S]) -> Option<ShellPatch<'s>> {
    match argv {
        [cmd, body] if is_apply_patch_name(cmd.as_ref()) => Some(ShellPatch {
            patch: Cow::Borrowed(body.as_ref()),
            workdir: None,
        }),
        _ => shell_script(argv).and_then(extract_patch_from_script),
    }
}

/// Find a patch in a shell script: `apply_patch <<'EOF' … EOF` (any quoting of the delimiter,
/// also `<<-`), or `apply_patch '<patch>'` / `apply_patch "<patch>"`, optionally preceded by
/// `cd <dir> &&`.
pub fn extract_patch_from_script(script: &str) -> Option<ShellPatch<'_>> {
    let mut from = 0;
    while let Some(pos) = find_command(script, from) {
        from = pos + command_len(&script[pos..]);
        let args = script[from..].trim_start_matches([' ', '\t']);
        let patch = if let Some(redir) = args.strip_prefix("<<") {
            heredoc_body(redir)
        } else if args.starts_with('\'') || args.starts_with('"') {
            quoted_word(args).filter(|p| p.trim_start().starts_with(BEGIN))
        } else {
            None
        };
        if let Some(patch) = patch {
            return Some(ShellPatch {
                patch,
                workdir: cd_before(&script[..pos]),
            });
        }
    }
    None
}

/// The byte offset of the next `apply_patch`/`applypatch` command word at or after `from`.
fn find_command(script: &str, from: usize) -> Option<usize> {
    let bytes = script.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        let hay = &script[i..];
        let hit = match (hay.find("apply_patch"), hay.find("applypatch")) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => return None,
        };
        let at = i + hit;
        let before_ok = at == 0
            || matches!(
                bytes[at - 1],
                b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b'/'
            );
        let len = command_len(&script[at..]);
        let after_ok = bytes
            .get(at + len)
            .is_none_or(|b| matches!(b, b' ' | b'\t' | b'\n' | b'<' | b'\'' | b'"'));
        if before_ok && after_ok {
            return Some(at);
        }
        i = at + len;
    }
    None
}

fn command_len(s: &str) -> usize {
    if s.starts_with("apply_patch") {
        "apply_patch".len()
    } else {
        "applypatch".len()
    }
}

/// Given the text right after `<<`, the heredoc body (without its terminator line).
fn heredoc_body(redir: &str) -> Option<Cow<'_, str>> {
    let (strip_tabs, redir) = match redir.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, redir),
    };
    let redir = redir.trim_start_matches([' ', '\t']);
    let (delim, _) = if let Some(r) = redir.strip_prefix('\'') {
        let end = r.find('\'')?;
        (&r[..end], &r[end + 1..])
    } else if let Some(r) = redir.strip_prefix('"') {
        let end = r.find('"')?;
        (&r[..end], &r[end + 1..])
    } else {
        let r = redir.strip_prefix('\\').unwrap_or(redir);
        let end = r
            .find(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | ')' | '<' | '>'))
            .unwrap_or(r.len());
        (&r[..end], &r[end..])
    };
    if delim.is_empty() {
        return None;
    }
    let body_start = redir.find('\n')? + 1;
    let body = &redir[body_start..];
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let content = line.strip_suffix('\n').unwrap_or(line);
        let content = content.strip_suffix('\r').unwrap_or(content);
        let content = if strip_tabs {
            content.trim_start_matches('\t')
        } else {
            content
        };
        if content.trim_end() == delim {
            return Some(Cow::Borrowed(&body[..offset]));
        }
        offset += line.len();
    }
    // An unterminated heredoc runs to the end of the script (bash warns but runs it).
    Some(Cow::Borrowed(body))
}

/// A single- or double-quoted shell word at the start of `s`, unquoted.
fn quoted_word(s: &str) -> Option<Cow<'_, str>> {
    if let Some(r) = s.strip_prefix('\'') {
        let end = r.find('\'')?;
        return Some(Cow::Borrowed(&r[..end]));
    }
    let r = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = r.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(Cow::Owned(out)),
            '\\' => match chars.next() {
                Some(n @ ('"' | '\\' | '$' | '`')) => out.push(n),
                Some('\n') => {}
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => return None,
            },
            c => out.push(c),
        }
    }
    None
}

/// The directory of a `cd <dir> &&` that directly precedes the command whose text is after
/// `prefix`.
fn cd_before(prefix: &str) -> Option<Cow<'_, str>> {
    let p = prefix.trim_end().strip_suffix("&&")?.trim_end();
    // The `cd` must start the statement: at the beginning or after a separator.
    let stmt_start = p
        .rfind(['\n', ';', '&', '|', '('])
        .map(|i| i + 1)
        .unwrap_or(0);
    let stmt = p[stmt_start..].trim_start();
    let dir = stmt.strip_prefix("cd")?;
    if !dir.starts_with([' ', '\t']) {
        return None;
    }
    let dir = dir.trim();
    if dir.is_empty() {
        return None;
    }
    if dir.starts_with('\'') || dir.starts_with('"') {
        return quoted_word(dir);
    }
    (!dir.contains(char::is_whitespace)).then_some(Cow::Borrowed(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(path: &str, move_to: Option<&str>, hunks: Vec<Hunk>) -> FileOp {
        FileOp::Update {
            path: path.into(),
            move_to: move_to.map(Into::into),
            hunks,
        }
    }

    fn hunk(context: Option<&str>, before: &str, after: &str) -> Hunk {
        Hunk {
            context: context.map(Into::into),
            before: before.into(),
            after: after.into(),
            end_of_file: false,
        }
    }

    #[test]
    fn parses_every_operation_kind() {
        let patch = "*** Begin Patch\n\
                     *** Add File: path/add.py\n\
                     +abc\n\
                     +def\n\
                     *** Delete File: path/delete.py\n\
                     *** Update File: path/update.py\n\
                     *** Move to: path/update2.py\n\
                     @@ def f():\n\
                     -    pass\n\
                     +    return 123\n\
                     *** End Patch\n";
        assert_eq!(
            parse_patch(patch).unwrap(),
            vec![
                FileOp::Add {
                    path: "path/add.py".into(),
                    contents: "abc\ndef\n".into()
                },
                FileOp::Delete {
                    path: "path/delete.py".into()
                },
                update(
                    "path/update.py",
                    Some("path/update2.py"),
                    vec![hunk(Some("def f():"), "    pass\n", "    return 123\n")]
                ),
            ]
        );
    }

    #[test]
    fn context_lines_go_to_both_sides_and_hunks_split_on_at_at() {
        let patch = "*** Begin Patch\n*** Update File: a.rs\n@@ fn one()\n a\n-b\n+B\n c\n@@\n x\n-y\n*** End Patch";
        let ops = parse_patch(patch).unwrap();
        assert_eq!(
            ops,
            vec![update(
                "a.rs",
                None,
                vec![
                    hunk(Some("fn one()"), "a\nb\nc\n", "a\nB\nc\n"),
                    hunk(None, "x\ny\n", "x\n"),
                ]
            )]
        );
    }

    #[test]
    fn lenient_blank_lines_missing_newline_and_padding() {
        // Unprefixed blank line inside a hunk is an empty context line; blank lines between
        // hunks are skipped; markers may be padded; no final newline.
        let patch = "\n  *** Begin Patch  \n*** Update File: f.txt\n\n@@\n a\n\n-b\n+c\n\n@@ tail\n-z\n+Z\n *** End Patch ";
        let ops = parse_patch(patch).unwrap();
        assert_eq!(
            ops,
            vec![update(
                "f.txt",
                None,
                vec![
                    hunk(None, "a\n\nb\n\n", "a\n\nc\n\n"),
                    hunk(Some("tail"), "z\n", "Z\n"),
                ]
            )]
        );
    }

    #[test]
    fn first_hunk_may_omit_header_and_end_of_file_anchors() {
        let patch = "*** Begin Patch\n*** Update File: f.py\n import foo\n+bar\n*** End of File\n*** End Patch";
        let ops = parse_patch(patch).unwrap();
        let FileOp::Update { hunks, .. } = &ops[0] else {
            panic!("expected update, got {ops:?}");
        };
        assert_eq!(hunks.len(), 1);
        assert_eq!(hunks[0].before, "import foo\n");
        assert_eq!(hunks[0].after, "import foo\nbar\n");
        assert!(hunks[0].end_of_file);
    }

    #[test]
    fn update_followed_by_other_ops() {
        let patch = "*** Begin Patch\n*** Update File: file.py\n@@\n+line\n*** Add File: other.py\n+content\n*** End Patch";
        assert_eq!(
            parse_patch(patch).unwrap(),
            vec![
                update("file.py", None, vec![hunk(None, "", "line\n")]),
                FileOp::Add {
                    path: "other.py".into(),
                    contents: "content\n".into()
                }
            ]
        );
    }

    #[test]
    fn pure_move_has_no_hunks() {
        let patch =
            "*** Begin Patch\n*** Update File: old.rs\n*** Move to: new/name.rs\n*** End Patch";
        assert_eq!(
            parse_patch(patch).unwrap(),
            vec![update("old.rs", Some("new/name.rs"), vec![])]
        );
    }

    #[test]
    fn heredoc_wrapped_patch_is_unwrapped() {
        for open in ["<<EOF", "<<'EOF'", "<<\"EOF\""] {
            let patch =
                format!("{open}\n*** Begin Patch\n*** Delete File: gone.txt\n*** End Patch\nEOF\n");
            assert_eq!(
                parse_patch(&patch).unwrap(),
                vec![FileOp::Delete {
                    path: "gone.txt".into()
                }],
                "{open}"
            );
        }
    }

    #[test]
    fn empty_envelope_is_valid_and_empty() {
        assert_eq!(
            parse_patch("*** Begin Patch\n*** End Patch").unwrap(),
            vec![]
        );
    }

    #[test]
    fn errors() {
        let cases = [
            ("", 1),
            ("bad", 1),
            ("*** Begin Patch", 1),
            ("*** Begin Patch\n*** Add File: x\n+y", 3),
            ("*** Begin Patch\n*** Frobnicate: x\n*** End Patch", 2),
            ("*** Begin Patch\n*** Update File: t.py\n*** End Patch", 2),
            (
                "*** Begin Patch\n*** Update File: t.py\n@@\n*** End Patch",
                4,
            ),
            (
                "*** Begin Patch\n*** Update File: t.py\n@@\nnot a diff line\n*** End Patch",
                4,
            ),
            (
                "*** Begin Patch\n*** Update File: t.py\n-a\n+b\nbogus\n*** End Patch",
                5,
            ),
        ];
        for (patch, line) in cases {
            let err = parse_patch(patch).expect_err(patch);
            assert_eq!(err.line, line, "{patch:?}: {err}");
            assert!(!err.message.is_empty());
        }
    }

    #[test]
    fn crlf_patches_parse() {
        let patch = "*** Begin Patch\r\n*** Add File: a.txt\r\n+hi\r\n*** End Patch\r\n";
        assert_eq!(
            parse_patch(patch).unwrap(),
            vec![FileOp::Add {
                path: "a.txt".into(),
                contents: "hi\n".into()
            }]
        );
    }

    const P: &str = "*** Begin Patch\n*** Delete File: x\n*** End Patch";

    #[test]
    fn argv_forms() {
        let direct = ["apply_patch", P];
        assert_eq!(extract_patch_from_shell(&direct).unwrap().patch, P);
        let alt = ["applypatch", P];
        assert!(extract_patch_from_shell(&alt).is_some());
        let script = format!("apply_patch <<'EOF'\n{P}\nEOF\n");
        for shell in ["bash", "/bin/bash", "zsh", "sh"] {
            for flag in ["-lc", "-c"] {
                let argv = [shell, flag, script.as_str()];
                let got = extract_patch_from_shell(&argv).unwrap();
                assert_eq!(got.patch, format!("{P}\n"), "{shell} {flag}");
                assert_eq!(got.workdir, None);
            }
        }
        let pwsh = ["pwsh", "-NoProfile", "-Command", script.as_str()];
        assert!(extract_patch_from_shell(&pwsh).is_some());
        assert!(extract_patch_from_shell(&["bash", "-lc", "ls -la"]).is_none());
        assert!(extract_patch_from_shell(&["python", "-c", script.as_str()]).is_none());
        assert!(extract_patch_from_shell(&["apply_patch"]).is_none());
        let owned: Vec<String> = vec!["apply_patch".into(), P.into()];
        assert!(extract_patch_from_shell(&owned).is_some());
    }

    #[test]
    fn heredoc_delimiter_quoting() {
        for (open, close) in [
            ("<<'EOF'", "EOF"),
            ("<<EOF", "EOF"),
            ("<<\"PATCH\"", "PATCH"),
            ("<< 'END_PATCH'", "END_PATCH"),
            ("<<\\EOF", "EOF"),
            ("<<-EOF", "\tEOF"),
        ] {
            let script = format!("apply_patch {open}\n{P}\n{close}\necho done\n");
            let got = extract_patch_from_script(&script).unwrap_or_else(|| panic!("{open}"));
            assert_eq!(got.patch, format!("{P}\n"), "{open}");
            assert_eq!(parse_patch(&got.patch).unwrap().len(), 1);
        }
    }

    #[test]
    fn cd_prefix_sets_workdir() {
        let script = format!("cd sub/dir && apply_patch <<'EOF'\n{P}\nEOF");
        let got = extract_patch_from_script(&script).unwrap();
        assert_eq!(got.workdir.as_deref(), Some("sub/dir"));
        let script = format!("cd '/abs/my dir' && apply_patch <<EOF\n{P}\nEOF");
        let got = extract_patch_from_script(&script).unwrap();
        assert_eq!(got.workdir.as_deref(), Some("/abs/my dir"));
        // A `cd` not joined with `&&` does not count.
        let script = format!("cd x; apply_patch <<EOF\n{P}\nEOF");
        assert_eq!(extract_patch_from_script(&script).unwrap().workdir, None);
    }

    #[test]
    fn quoted_patch_argument() {
        let script = format!("apply_patch '{P}'");
        assert_eq!(extract_patch_from_script(&script).unwrap().patch, P);
        let script =
            "apply_patch \"*** Begin Patch\n*** Add File: q\n+say \\\"hi\\\"\n*** End Patch\"";
        let got = extract_patch_from_script(script).unwrap();
        assert_eq!(
            parse_patch(&got.patch).unwrap(),
            vec![FileOp::Add {
                path: "q".into(),
                contents: "say \"hi\"\n".into()
            }]
        );
    }

    #[test]
    fn non_patch_scripts_are_ignored() {
        for script in [
            "ls -la",
            "grep -rn apply_patch src/",
            "echo my_apply_patcher",
            "cat <<EOF\nhello\nEOF",
            "apply_patch",
            "apply_patch 'not a patch'",
        ] {
            assert!(extract_patch_from_script(script).is_none(), "{script}");
        }
        // The word may appear earlier as an argument; the real invocation is still found.
        let script = format!("echo apply_patch; apply_patch <<EOF\n{P}\nEOF");
        assert!(extract_patch_from_script(&script).is_some());
    }

    #[test]
    fn unterminated_heredoc_runs_to_end() {
        let script = format!("apply_patch <<'EOF'\n{P}\n");
        let got = extract_patch_from_script(&script).unwrap();
        assert_eq!(parse_patch(&got.patch).unwrap().len(), 1);
    }
}
