//! `git drift handoff list`: the briefs written so far, read back from the metadata line each
//! brief starts with (see [`super::render::header`]).

use super::HANDOFF_DIR;
use super::render::FORMAT;
use crate::error::out_err;
use crate::error::{Error, Result};
use serde::Serialize;
use serde_json::Value;
use std::io::{BufRead, Write};
use std::path::Path;

/// One brief.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// Relative to the worktree root.
    pub path: String,
    /// RFC 3339 UTC.
    pub created: Option<String>,
    pub scope: Option<String>,
    pub branch: Option<String>,
    pub target: Option<String>,
    /// The ids listed in the metadata line: the latest ones only when there were many (the
    /// line is capped), so [`Entry::session_count`] is the number to show.
    pub sessions: Vec<String>,
    /// How many sessions the brief covers: the metadata's `session_count`, or the length of
    /// its `sessions` list in briefs written before the list was capped.
    pub session_count: usize,
    /// `provider model` when an LLM compacted it.
    pub llm: Option<String>,
    /// The resume command of the session injected with it.
    pub resume: Option<String>,
}

/// The briefs under `.prompts/handoffs/`, oldest first. Markdown files there that git drift
/// did not write are left out.
pub fn entries(root: &Path) -> Result<Vec<Entry>> {
    let dir = root.join(HANDOFF_DIR);
    let read = match std::fs::read_dir(&dir) {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(&dir, e)),
    };
    let mut out = Vec::new();
    for entry in read.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "md") || !path.is_file() {
            continue;
        }
        let Ok(file) = std::fs::File::open(&path) else {
            continue;
        };
        let mut first = String::new();
        // The metadata line is short; a brief without one is not ours.
        if std::io::BufReader::new(std::io::Read::take(file, 64 * 1024))
            .read_line(&mut first)
            .is_err()
        {
            continue;
        }
        let Some(meta) = parse_meta(&first) else {
            continue;
        };
        let s = |k: &str| meta.get(k).and_then(Value::as_str).map(String::from);
        let sessions: Vec<String> = meta
            .get("sessions")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let session_count = meta
            .get("session_count")
            .and_then(Value::as_u64)
            .map_or(sessions.len(), |n| n as usize);
        out.push(Entry {
            path: super::shown(&path, root),
            created: s("created"),
            scope: s("scope"),
            branch: s("branch"),
            target: s("target"),
            sessions,
            session_count,
            llm: s("llm"),
            resume: s("resume"),
        });
    }
    // `x.md` before `x-2.md` before `x-10.md`: the order they were written in.
    out.sort_by(|a, b| {
        (&a.created, a.path.len(), &a.path).cmp(&(&b.created, b.path.len(), &b.path))
    });
    Ok(out)
}

/// The JSON object of a brief's first line, if it is a git drift brief.
pub fn parse_meta(line: &str) -> Option<Value> {
    let rest = line.trim().strip_prefix("<!--")?.trim_start();
    let rest = rest.strip_prefix(FORMAT)?;
    let json = rest.trim().strip_suffix("-->")?.trim();
    serde_json::from_str::<Value>(json)
        .ok()
        .filter(Value::is_object)
}

/// Print the list as a table or JSON.
pub fn print(root: &Path, json: bool, out: &mut dyn Write) -> Result<()> {
    let list = entries(root)?;
    if json {
        let text = serde_json::to_string_pretty(&list).unwrap_or_default();
        return writeln!(out, "{text}").map_err(out_err);
    }
    if list.is_empty() {
        return writeln!(
            out,
            "no handoff briefs in {HANDOFF_DIR} yet (write one with `git drift handoff`)"
        )
        .map_err(out_err);
    }
    let rows: Vec<[String; 5]> = list
        .iter()
        .map(|e| {
            [
                e.created
                    .as_deref()
                    .and_then(crate::model::parse_millis)
                    .map_or("-".into(), crate::util::timefmt::local),
                e.target.clone().unwrap_or_else(|| "-".into()),
                match &e.llm {
                    Some(l) => format!("{} (llm {l})", e.scope.as_deref().unwrap_or("-")),
                    None => e.scope.clone().unwrap_or_else(|| "-".into()),
                },
                e.session_count.to_string(),
                e.path.clone(),
            ]
        })
        .collect();
    let header = ["CREATED", "TARGET", "SCOPE", "SESSIONS", "FILE"];
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    for r in std::iter::once(header.map(String::from)).chain(rows) {
        let line: Vec<String> = r
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        writeln!(out, "{}", line.join("  ").trim_end()).map_err(out_err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_metadata_line_and_skips_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let h = dir.path().join(HANDOFF_DIR);
        std::fs::create_dir_all(&h).unwrap();
        std::fs::write(
            h.join("b.md"),
            format!(
                "<!-- {FORMAT} {{\"created\":\"2026-01-15T10:00:00Z\",\"scope\":\"branch x\",\"branch\":\"x\",\"target\":\"codex\",\"sessions\":[\"a\",\"b\"],\"llm\":null}} -->\n# Handoff\n"
            ),
        )
        .unwrap();
        std::fs::write(
            h.join("a.md"),
            format!(
                "<!-- {FORMAT} {{\"created\":\"2026-01-14T10:00:00Z\",\"scope\":\"session s\",\"target\":\"aider\",\"sessions\":[\"s\"],\"llm\":\"ollama m\"}} -->\n"
            ),
        )
        .unwrap();
        std::fs::write(h.join("notes.md"), "# my own notes\n").unwrap();
        // A brief over many sessions lists only the latest ids and says how many there were.
        std::fs::write(
            h.join("c.md"),
            format!(
                "<!-- {FORMAT} {{\"created\":\"2026-01-16T10:00:00Z\",\"scope\":\"branch big\",\"target\":\"codex\",\"sessions\":[\"y\",\"z\"],\"session_count\":1207,\"llm\":null}} -->\n"
            ),
        )
        .unwrap();
        std::fs::write(h.join("x.txt"), "<!-- drift-handoff/1 {} -->\n").unwrap();
        let list = entries(dir.path()).unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[2].session_count, 1207);
        assert_eq!(list[2].sessions, vec!["y", "z"]);
        assert_eq!(list[1].session_count, 2, "older briefs: the list's length");
        assert_eq!(list[0].target.as_deref(), Some("aider"));
        assert_eq!(list[0].llm.as_deref(), Some("ollama m"));
        assert_eq!(list[1].sessions, vec!["a", "b"]);
        assert_eq!(list[1].path, ".prompts/handoffs/b.md");
        let mut out = Vec::new();
        print(dir.path(), false, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("CREATED"), "{text}");
        assert!(text.contains("session s (llm ollama m)") && text.contains("branch x"));
        let big = text.lines().find(|l| l.contains("branch big")).unwrap();
        assert!(big.contains("1207"), "{big}");
    }
}
