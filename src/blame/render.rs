//! The three outputs of `git drift blame`: aligned human rows, JSON, and the porcelain format
//! (documented in docs/blame.md).

use super::{Blame, Kind, Line, short_model, w};
use crate::error::Result;
use crate::ui::{Paint, excerpt};
use crate::util::text::short_id;
use std::io::Write;

/// Shown in the commit column for lines not committed yet.
const UNCOMMITTED_SHORT: &str = "0000000";

/// The `who` cell of a line: the agent (with `*` when a human changed the line), `human`, or
/// `-` when unknown.
pub fn who_label(line: &Line) -> String {
    let agent = || line.attr.agent.clone().unwrap_or_else(|| "agent".into());
    match line.attr.kind {
        Kind::Ai => agent(),
        Kind::Modified => format!("{}*", agent()),
        Kind::Human => "human".into(),
        Kind::Unknown => "-".into(),
    }
}

fn short_commit(line: &Line) -> &str {
    match &line.commit {
        Some(c) => &c[..7.min(c.len())],
        None => UNCOMMITTED_SHORT,
    }
}

/// Pad `s` on the right to `width` characters.
fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    let mut out = String::with_capacity(s.len() + width.saturating_sub(n));
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(n)));
    out
}

/// The default output: one aligned row per line,
/// `commit  who  model  session  N) content`.
pub fn print_human(
    blame: &Blame,
    show_prompt: bool,
    paint: Paint,
    out: &mut dyn Write,
) -> Result<()> {
    struct Row {
        who: String,
        model: String,
        session: String,
    }
    let rows: Vec<Row> = blame
        .lines
        .iter()
        .map(|l| Row {
            who: who_label(l),
            model: l.attr.model.as_deref().map(short_model).unwrap_or_default(),
            session: l
                .attr
                .session
                .as_deref()
                .map(|s| short_id(s).to_string())
                .unwrap_or_default(),
        })
        .collect();
    let width = |f: &dyn Fn(&Row) -> usize| rows.iter().map(f).max().unwrap_or(0);
    let who_w = width(&|r| r.who.chars().count());
    let model_w = width(&|r| r.model.chars().count());
    let session_w = width(&|r| r.session.chars().count());
    let num_w = blame
        .lines
        .iter()
        .map(|l| l.line.to_string().len())
        .max()
        .unwrap_or(1);
    // Where the content starts, for the prompt lines under a group.
    let mut indent = 7 + 2 + who_w + 2;
    if model_w > 0 {
        indent += model_w + 2;
    }
    if session_w > 0 {
        indent += session_w + 2;
    }
    let mut buf = String::with_capacity(256);
    for (i, (l, r)) in blame.lines.iter().zip(&rows).enumerate() {
        buf.clear();
        let commit = short_commit(l);
        buf.push_str(&if l.commit.is_none() {
            paint.dim(commit)
        } else {
            paint.yellow(commit)
        });
        buf.push_str("  ");
        let who = pad(&r.who, who_w);
        buf.push_str(&match l.attr.kind {
            Kind::Ai => paint.cyan(&who),
            Kind::Modified => paint.yellow(&who),
            Kind::Human => who,
            Kind::Unknown => paint.dim(&who),
        });
        buf.push_str("  ");
        if model_w > 0 {
            buf.push_str(&pad(&r.model, model_w));
            buf.push_str("  ");
        }
        if session_w > 0 {
            buf.push_str(&paint.dim(&pad(&r.session, session_w)));
            buf.push_str("  ");
        }
        buf.push_str(&format!("{:>num_w$}) ", l.line));
        buf.push_str(&l.content);
        w(writeln!(out, "{buf}"))?;
        if show_prompt
            && matches!(l.attr.kind, Kind::Ai | Kind::Modified)
            && let Some(prompt) = &l.attr.prompt
        {
            let next = blame.lines.get(i + 1);
            let group_ends = next.is_none_or(|n| {
                n.commit != l.commit
                    || n.attr.session != l.attr.session
                    || n.attr.prompt != l.attr.prompt
                    || n.line != l.line + 1
            });
            if group_ends {
                let text = format!("↳ prompt: \"{}\"", excerpt(prompt, 100));
                w(writeln!(
                    out,
                    "{}{}",
                    " ".repeat(indent + num_w + 2),
                    paint.dim(&text)
                ))?;
            }
        }
    }
    Ok(())
}

#[derive(serde::Serialize)]
struct JsonLine<'a> {
    line: u32,
    commit: Option<&'a str>,
    who: &'static str,
    agent: Option<&'a str>,
    model: Option<&'a str>,
    session: Option<&'a str>,
    prompt: Option<&'a str>,
    content: &'a str,
    orig_line: u32,
    orig_path: &'a str,
}

#[derive(serde::Serialize)]
struct JsonBlame<'a> {
    file: &'a str,
    rev: Option<&'a str>,
    lines: Vec<JsonLine<'a>>,
}

/// The JSON object of one line (also used by the timeline's JSON).
pub(crate) fn line_json(l: &Line) -> serde_json::Value {
    serde_json::to_value(json_line(l)).unwrap_or_default()
}

fn json_line(l: &Line) -> JsonLine<'_> {
    JsonLine {
        line: l.line,
        commit: l.commit.as_deref(),
        who: l.attr.kind.as_str(),
        agent: l.attr.agent.as_deref(),
        model: l.attr.model.as_deref(),
        session: l.attr.session.as_deref(),
        prompt: l.attr.prompt.as_deref(),
        content: &l.content,
        orig_line: l.orig_line,
        orig_path: &l.orig_path,
    }
}

/// `--json`: `{file, rev, lines: [{line, commit, who, agent, model, session, prompt, content,
/// orig_line, orig_path}]}`; `rev` and `commit` are null for the working tree and for lines not
/// committed yet.
pub fn print_json(blame: &Blame, out: &mut dyn Write) -> Result<()> {
    let doc = JsonBlame {
        file: &blame.file,
        rev: blame.rev.as_deref(),
        lines: blame.lines.iter().map(json_line).collect(),
    };
    w(serde_json::to_writer_pretty(&mut *out, &doc).map_err(std::io::Error::other))?;
    w(writeln!(out))
}

/// Quote a path the way git does when it holds characters a line format cannot carry.
fn quote_path(p: &str) -> String {
    if !p.chars().any(|c| c == '"' || c == '\\' || c.is_control()) {
        return p.to_string();
    }
    let mut s = String::from("\"");
    for c in p.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            '\r' => s.push_str("\\r"),
            c if c.is_control() => {
                let mut b = [0u8; 4];
                for byte in c.encode_utf8(&mut b).bytes() {
                    s.push_str(&format!("\\{byte:03o}"));
                }
            }
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// `--porcelain`: per line a header `COMMIT ORIG_LINE FINAL_LINE [GROUP_SIZE]` (as git's, the
/// group size only on the first line of a run from one commit), then `key value` lines —
/// `who` always; `agent`, `model`, `session`, `prompt` when known; `filename` always — then
/// the content after a TAB.
pub fn print_porcelain(blame: &Blame, out: &mut dyn Write) -> Result<()> {
    let lines = &blame.lines;
    let mut i = 0;
    while i < lines.len() {
        let start = i;
        while i + 1 < lines.len()
            && lines[i + 1].commit == lines[start].commit
            && lines[i + 1].line == lines[i].line + 1
            && lines[i + 1].orig_line == lines[i].orig_line + 1
        {
            i += 1;
        }
        for (k, l) in lines[start..=i].iter().enumerate() {
            let commit = l.commit.as_deref().unwrap_or(super::NOT_COMMITTED);
            if k == 0 {
                w(writeln!(
                    out,
                    "{commit} {} {} {}",
                    l.orig_line,
                    l.line,
                    i - start + 1
                ))?;
            } else {
                w(writeln!(out, "{commit} {} {}", l.orig_line, l.line))?;
            }
            w(writeln!(out, "who {}", l.attr.kind.as_str()))?;
            if let Some(a) = &l.attr.agent {
                w(writeln!(out, "agent {a}"))?;
            }
            if let Some(m) = &l.attr.model {
                w(writeln!(out, "model {m}"))?;
            }
            if let Some(s) = &l.attr.session {
                w(writeln!(out, "session {s}"))?;
            }
            if let Some(p) = &l.attr.prompt {
                w(writeln!(out, "prompt {}", excerpt(p, usize::MAX)))?;
            }
            w(writeln!(out, "filename {}", quote_path(&l.orig_path)))?;
            w(writeln!(out, "\t{}", l.content))?;
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) fn quote_path_for_tests(p: &str) -> String {
    quote_path(p)
}
