//! Reading `git blame --porcelain`: for every line of the blamed file, the commit git assigns
//! it to, the line's number in that commit's version of the file, and the file's path there.
//!
//! The porcelain format prints a commit's details (summary, `filename`, …) only the first
//! time the commit appears, and `filename` again only when the commit is seen under more
//! than one path; this reader remembers them per commit so every line carries its own.

use crate::error::{Error, Result};
use std::collections::HashMap;

/// The id git uses for lines that are not committed yet.
pub const NOT_COMMITTED: &str = "0000000000000000000000000000000000000000";

/// One line of git's blame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitLine {
    /// Full commit id; [`NOT_COMMITTED`] for working-tree lines.
    pub commit: String,
    /// The line's number in `commit`'s version of the file (1-based).
    pub orig_line: u32,
    /// The line's number in the blamed version (1-based).
    pub final_line: u32,
    /// The file's path in `commit`.
    pub path: String,
    /// The line's text without its newline.
    pub content: String,
}

/// What porcelain says about one commit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitMeta {
    pub summary: String,
    pub author: String,
    /// Seconds since the epoch.
    pub author_time: i64,
    pub committer_time: i64,
    /// Set for the boundary (root) commit of the blame.
    pub boundary: bool,
}

/// The parsed blame of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub lines: Vec<GitLine>,
    pub commits: HashMap<String, CommitMeta>,
}

/// Parse `git blame --porcelain` output.
pub fn parse(bytes: &[u8]) -> Result<Parsed> {
    let mut out = Parsed::default();
    let mut paths: HashMap<String, String> = HashMap::new();
    // The header of the line whose content comes next: commit, orig, final.
    let mut pending: Option<(String, u32, u32)> = None;
    let bad = |what: &str| Error::git(format!("cannot read git blame output: {what}"));
    let mut rest = bytes;
    while !rest.is_empty() {
        let (line, tail) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = tail;
        if let Some(content) = line.strip_prefix(b"\t") {
            let (commit, orig, fin) = pending.take().ok_or_else(|| bad("content before header"))?;
            let path = paths.get(&commit).cloned().unwrap_or_default();
            out.lines.push(GitLine {
                commit,
                orig_line: orig,
                final_line: fin,
                path,
                content: String::from_utf8_lossy(content).into_owned(),
            });
            continue;
        }
        let text = String::from_utf8_lossy(line);
        match &pending {
            None => {
                let mut it = text.split(' ');
                let commit = it.next().unwrap_or_default();
                if commit.len() < 40 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(bad(&format!("unexpected line '{text}'")));
                }
                let orig = it.next().and_then(|n| n.parse().ok());
                let fin = it.next().and_then(|n| n.parse().ok());
                let (Some(orig), Some(fin)) = (orig, fin) else {
                    return Err(bad(&format!("bad header '{text}'")));
                };
                out.commits.entry(commit.to_string()).or_default();
                pending = Some((commit.to_string(), orig, fin));
            }
            Some((commit, _, _)) => {
                let (key, value) = text.split_once(' ').unwrap_or((&text, ""));
                let meta = out.commits.entry(commit.clone()).or_default();
                match key {
                    "filename" => {
                        paths.insert(commit.clone(), crate::util::git::unquote_path(value));
                    }
                    "summary" => meta.summary = value.to_string(),
                    "author" => meta.author = value.to_string(),
                    "author-time" => meta.author_time = value.parse().unwrap_or(0),
                    "committer-time" => meta.committer_time = value.parse().unwrap_or(0),
                    "boundary" => meta.boundary = true,
                    _ => {}
                }
            }
        }
    }
    if pending.is_some() {
        return Err(bad("output ends inside a line"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";

    #[test]
    fn details_and_filenames_carry_over_to_later_lines() {
        let text = format!(
            "{A} 1 1 2\nauthor Ann\nauthor-time 100\ncommitter-time 200\nsummary first\nboundary\nfilename old.py\n\tline one\n\
             {A} 2 2\n\tline two\n\
             {B} 5 3 1\nauthor Bob\nsummary \"quoted\" subject\nfilename \"caf\\303\\251.py\"\n\tthird\n\
             {A} 3 4 1\n\t\n"
        );
        let p = parse(text.as_bytes()).unwrap();
        let got: Vec<(&str, u32, u32, &str, &str)> = p
            .lines
            .iter()
            .map(|l| {
                (
                    &l.commit[..1],
                    l.orig_line,
                    l.final_line,
                    l.path.as_str(),
                    l.content.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("1", 1, 1, "old.py", "line one"),
                ("1", 2, 2, "old.py", "line two"),
                ("2", 5, 3, "café.py", "third"),
                ("1", 3, 4, "old.py", ""),
            ]
        );
        let a = &p.commits[A];
        assert_eq!(
            (
                a.author.as_str(),
                a.author_time,
                a.committer_time,
                a.boundary
            ),
            ("Ann", 100, 200, true)
        );
        assert_eq!(p.commits[B].summary, "\"quoted\" subject");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse(b"not a blame\n").is_err());
        assert!(parse(format!("{A} 1\n\tx\n").as_bytes()).is_err());
        assert!(parse(b"\tcontent first\n").is_err());
        assert!(parse(format!("{A} 1 1 1\nfilename a\n").as_bytes()).is_err());
        assert_eq!(parse(b"").unwrap().lines.len(), 0);
    }
}
