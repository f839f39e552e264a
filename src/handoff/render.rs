//! Markdown for a [`Brief`], within a size bound.
//!
//! Layout: a first-line HTML comment with the brief's metadata as JSON (what `handoff list`
//! reads; invisible when rendered), a title, the seven sections ([`SECTIONS`]) and a closing
//! "How to continue" tailored to the target agent. Every item ends with its citation
//! `[agent session-prefix time]`.
//!
//! The bound is in tokens, estimated at [`CHARS_PER_TOKEN`] characters each. When the sections
//! exceed it, the largest section is trimmed first, step by step: file snippets are dropped
//! (least recently touched file first) before file entries, and the oldest items of other
//! sections before newer ones; pinned items (the goal, the last failing command) stay. Each
//! trimmed section ends with a note saying what was cut.

use super::Target;
use super::extract::{Brief, Cite, FileEntry, Item, SessionLine};
use crate::error::Result;
use crate::error::out_err;
use crate::util::timefmt::{local_stamp, time_short};
use std::io::Write;

/// The section headings, in order (also what an LLM's answer must contain; "Done" may be
/// left out of an answer, see [`OPTIONAL`]).
pub const SECTIONS: [&str; 7] = [
    "Task",
    "Done",
    "Decided",
    "Tried and rejected",
    "Open",
    "Files in scope",
    "Resume here",
];

/// The section an LLM's answer may leave out (briefs from before it existed lack it too).
pub const OPTIONAL: &str = "Done";

/// At most this many session ids in the metadata line, and sessions listed in the Task
/// section; the rest are summarised.
pub const MAX_SESSIONS_LISTED: usize = 12;

/// The estimate of characters per token used for the size bound.
pub const CHARS_PER_TOKEN: usize = 4;

/// The format tag of the first line.
pub const FORMAT: &str = "drift-handoff/1";

/// Render the whole deterministic brief.
pub fn render(brief: &Brief, budget_tokens: usize, out: &mut impl Write) -> Result<()> {
    let head = header(brief, None);
    let how = how_to_continue(brief);
    let budget = (budget_tokens * CHARS_PER_TOKEN).saturating_sub(chars(&head) + chars(&how));
    let body = sections(brief, budget);
    out.write_all(head.as_bytes()).map_err(out_err)?;
    out.write_all(body.as_bytes()).map_err(out_err)?;
    out.write_all(how.as_bytes()).map_err(out_err)
}

/// [`render`] into a string.
pub fn render_to_string(brief: &Brief, budget_tokens: usize) -> Result<String> {
    let mut buf = Vec::new();
    render(brief, budget_tokens, &mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// The metadata line and the title. `llm` names the model that compacted the brief, if any.
pub fn header(brief: &Brief, llm: Option<&str>) -> String {
    let m = &brief.meta;
    let meta = serde_json::json!({
        "created": crate::model::format_millis(m.created),
        "scope": m.scope,
        "branch": m.branch,
        "target": m.target.as_str(),
        // Capped: a brief over a thousand sessions must not open with a thousand ids.
        "sessions": brief.sessions.iter().rev().take(MAX_SESSIONS_LISTED).rev()
            .map(|s| s.id.as_str()).collect::<Vec<_>>(),
        "session_count": brief.sessions.len(),
        "llm": llm,
        "resume": m.resume,
    });
    let title = m.branch.clone().unwrap_or_else(|| m.scope.clone());
    let how = match llm {
        Some(model) => format!(
            "compacted by {model} from the deterministic brief; check items against their sources"
        ),
        None => "extracted from the session transcripts and the working tree".into(),
    };
    format!(
        "<!-- {FORMAT} {meta} -->\n# Handoff: {title} → {target}\n\n\
         _Written by git drift on {when} for {target} to take over ({scope}); {how}. Each item \
         ends with its source, [agent session time]: `git drift session <session>` shows the \
         whole session._\n\n",
        target = m.target,
        when = local_stamp(m.created),
        scope = m.scope,
    )
}

/// One block of a section, with the forms it can be shrunk to (full first).
struct Block {
    forms: Vec<String>,
    level: usize,
    removed: bool,
}

impl Block {
    fn size(&self) -> usize {
        if self.removed {
            0
        } else {
            chars(&self.forms[self.level])
        }
    }
}

struct Section {
    title: &'static str,
    intro: String,
    blocks: Vec<Block>,
    empty: &'static str,
    /// Trim steps in order: (block, true = drop a form, false = remove it).
    steps: Vec<(usize, bool)>,
    next: usize,
    removed: usize,
    shrunk: usize,
    what: &'static str,
    /// Characters of the blocks not removed, kept up to date by [`Section::trim_one`] so that
    /// trimming thousands of items stays linear.
    blocks_size: usize,
}

impl Section {
    fn new(
        title: &'static str,
        intro: String,
        blocks: Vec<Block>,
        steps: Vec<(usize, bool)>,
        empty: &'static str,
        what: &'static str,
    ) -> Section {
        let blocks_size = blocks.iter().map(Block::size).sum();
        Section {
            title,
            intro,
            blocks,
            empty,
            steps,
            next: 0,
            removed: 0,
            shrunk: 0,
            what,
            blocks_size,
        }
    }

    /// Characters [`Section::write`] produces.
    fn size(&self) -> usize {
        let body = if self.blocks.is_empty() {
            chars(self.empty) + 1
        } else {
            self.blocks_size
        };
        let note = self.note().map_or(0, |n| chars(&n) + 1);
        // "## title\n\n" and the closing blank line.
        chars(self.title) + 6 + chars(&self.intro) + body + note
    }

    fn trim_one(&mut self) -> bool {
        while let Some(&(b, shrink)) = self.steps.get(self.next) {
            self.next += 1;
            let block = &mut self.blocks[b];
            if block.removed {
                continue;
            }
            let before = block.size();
            if shrink {
                if block.level + 1 < block.forms.len() {
                    block.level += 1;
                    self.shrunk += 1;
                    self.blocks_size = self.blocks_size - before + block.size();
                    return true;
                }
            } else {
                block.removed = true;
                self.removed += 1;
                self.blocks_size -= before;
                return true;
            }
        }
        false
    }

    fn note(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.shrunk > 0 {
            parts.push(format!(
                "the snippets of {} {}",
                self.shrunk,
                if self.shrunk == 1 { "file" } else { "files" }
            ));
        }
        if self.removed > 0 {
            parts.push(format!(
                "{} older {}",
                self.removed,
                if self.removed == 1 {
                    self.what.to_string()
                } else {
                    plural(self.what)
                }
            ));
        }
        (!parts.is_empty()).then(|| {
            format!(
                "_Trimmed to stay within the size bound: {} left out (`git drift session <session>` has everything)._\n",
                parts.join(" and ")
            )
        })
    }

    fn write(&self, out: &mut String) {
        out.push_str(&format!("## {}\n\n", self.title));
        out.push_str(&self.intro);
        for b in &self.blocks {
            if !b.removed {
                out.push_str(&b.forms[b.level]);
            }
        }
        // A section emptied by trimming says so in its note instead.
        if self.blocks.is_empty() {
            out.push_str(self.empty);
            out.push('\n');
        }
        if let Some(n) = self.note() {
            out.push('\n');
            out.push_str(&n);
        }
        out.push('\n');
    }
}

fn plural(what: &str) -> String {
    match what {
        "entry" => "entries".into(),
        w => format!("{w}s"),
    }
}

/// The sections, trimmed to `budget` characters where possible.
pub fn sections(brief: &Brief, budget: usize) -> String {
    let md = brief.multi_day();
    let items = |list: &[Item]| -> (Vec<Block>, Vec<(usize, bool)>) {
        let blocks: Vec<Block> = list
            .iter()
            .map(|i| Block {
                forms: vec![item_md(i, md)],
                level: 0,
                removed: false,
            })
            .collect();
        // Ranked: the agent's items before what the user said, oldest first within each (the
        // lists are in time order); pinned items never.
        let steps = [false, true]
            .into_iter()
            .flat_map(|user| {
                list.iter()
                    .enumerate()
                    .filter(move |(_, i)| !i.pinned && i.user == user)
                    .map(|(n, _)| (n, false))
            })
            .collect();
        (blocks, steps)
    };
    let section = |title, intro: String, list: &[Item], empty, what| {
        let (blocks, steps) = items(list);
        Section::new(title, intro, blocks, steps, empty, what)
    };
    let files = {
        let blocks: Vec<Block> = brief.files.iter().map(|f| file_block(f, md)).collect();
        // Least recently touched last in the list: drop its snippet first, entries after.
        let n = blocks.len();
        let mut steps: Vec<(usize, bool)> = (0..n).rev().map(|b| (b, true)).collect();
        steps.extend((0..n).rev().map(|b| (b, false)));
        Section::new(
            SECTIONS[5],
            String::new(),
            blocks,
            steps,
            "No files were edited in these sessions.",
            "entry",
        )
    };
    let mut all = [
        section(
            SECTIONS[0],
            task_intro(brief),
            &brief.task,
            "No prompt typed by a person is recorded in these sessions.",
            "prompt",
        ),
        section(
            SECTIONS[1],
            String::new(),
            &brief.done,
            "No accepted edit of these sessions is still in the working tree.",
            "prompt",
        ),
        section(
            SECTIONS[2],
            String::new(),
            &brief.decided,
            "Nothing is recorded as decided: no confirmations, instructions, kept edits or \
             completed plan items.",
            "item",
        ),
        section(
            SECTIONS[3],
            String::new(),
            &brief.rejected,
            "Nothing was declined, reverted, corrected or abandoned in these sessions.",
            "item",
        ),
        section(
            SECTIONS[4],
            String::new(),
            &brief.open,
            "No unfinished plan items, failing commands or unanswered questions.",
            "item",
        ),
        files,
        section(
            SECTIONS[6],
            String::new(),
            &brief.resume,
            "These sessions made no edits and the agent stated no next step.",
            "item",
        ),
    ];
    loop {
        let total: usize = all.iter().map(Section::size).sum();
        if total <= budget {
            break;
        }
        let mut order: Vec<usize> = (0..all.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(all[i].size()));
        if !order.into_iter().any(|i| all[i].trim_one()) {
            break;
        }
    }
    let mut out = String::new();
    for s in &all {
        s.write(&mut out);
    }
    out
}

/// Branch, agents, time span and sessions: the facts that open the Task section.
fn task_intro(brief: &Brief) -> String {
    let md = brief.multi_day();
    let mut agents: Vec<(String, usize)> = Vec::new();
    for s in &brief.sessions {
        match agents.iter_mut().find(|(a, _)| *a == s.agent) {
            Some((_, n)) => *n += 1,
            None => agents.push((s.agent.clone(), 1)),
        }
    }
    let agents: Vec<String> = agents
        .iter()
        .map(|(a, n)| format!("{a} ({n} {})", if *n == 1 { "session" } else { "sessions" }))
        .collect();
    let mut out = String::new();
    if let Some(b) = &brief.meta.branch {
        out.push_str(&format!("Branch `{b}`. "));
    }
    out.push_str(&format!("Agents: {}.", agents.join(", ")));
    if let Some((a, b)) = brief.span {
        out.push_str(&format!(
            " Work from {} to {} ({}).",
            local_stamp(a),
            if md {
                local_stamp(b)
            } else {
                time_short(Some(b), false)
            },
            crate::util::timefmt::duration(b - a)
        ));
    }
    out.push_str("\n\nSessions, oldest first:\n");
    let (shown, left) = listed_sessions(brief);
    if !left.is_empty() {
        let prompts: usize = left.iter().map(|s| s.prompts).sum();
        let edits: usize = left.iter().map(|s| s.edits).sum();
        out.push_str(&format!(
            "- … {} earlier {} ({} {}, {} {}) are left out of this list: `git drift sessions` \
             lists them.\n",
            left.len(),
            if left.len() == 1 {
                "session"
            } else {
                "sessions"
            },
            prompts,
            if prompts == 1 { "prompt" } else { "prompts" },
            edits,
            if edits == 1 { "edit" } else { "edits" },
        ));
    }
    for s in shown {
        let mut facts = Vec::new();
        if let Some(m) = &s.model {
            facts.push(m.clone());
        }
        if let (Some(a), Some(b)) = (s.started, s.ended) {
            let (a, b) = (time_short(Some(a), md), time_short(Some(b), md));
            facts.push(if a == b { a } else { format!("{a}–{b}") });
        }
        match (&s.noted, &s.via) {
            (Some(c), _) => {
                facts.push(format!("known from the note on commit {}", short_commit(c)))
            }
            (None, super::scope::Via::Commit(c)) => facts.push(format!(
                "recorded on {}, bound to commit {}",
                s.branch.as_deref().unwrap_or("no branch"),
                short_commit(c)
            )),
            _ => {}
        }
        facts.push(format!(
            "{} {}, {} {}",
            s.prompts,
            if s.prompts == 1 { "prompt" } else { "prompts" },
            s.edits,
            if s.edits == 1 { "edit" } else { "edits" }
        ));
        if let Some(p) = &s.parent {
            facts.push(format!("sub-agent of {}", crate::util::text::short_id(p)));
        }
        if s.resumed {
            facts.push("began with a git drift handoff brief".into());
        }
        out.push_str(&format!(
            "- {} `{}`: {}\n",
            s.agent,
            crate::util::text::short_id(&s.id),
            facts.join(" · ")
        ));
    }
    out.push('\n');
    out
}

/// The sessions the Task section lists (the latest [`MAX_SESSIONS_LISTED`], oldest first) and
/// the ones it only counts.
fn listed_sessions(brief: &Brief) -> (&[SessionLine], &[SessionLine]) {
    let cut = brief.sessions.len().saturating_sub(MAX_SESSIONS_LISTED);
    let (left, shown) = brief.sessions.split_at(cut);
    (shown, left)
}

fn short_commit(c: &str) -> &str {
    &c[..c.len().min(10)]
}

/// One item: a list entry with its citation, then its quote or code block, indented.
fn item_md(i: &Item, multi_day: bool) -> String {
    let mut s = format!("- {} {}\n", i.text, cite(&i.cite, multi_day));
    for p in &i.sub {
        s.push_str(&format!("  - {p}\n"));
    }
    if let Some(q) = &i.quote {
        for line in q.lines() {
            s.push_str(&format!("  > {line}\n"));
        }
    }
    if let Some(d) = &i.detail {
        let f = fence(d);
        s.push_str(&format!("  {f}\n"));
        for line in d.lines() {
            s.push_str(&format!("  {line}\n"));
        }
        s.push_str(&format!("  {f}\n"));
    }
    s
}

/// A file entry, in full (with its snippet) and without.
fn file_block(f: &FileEntry, multi_day: bool) -> Block {
    let mut counts = vec![format!(
        "{} {} applied",
        f.applied,
        if f.applied == 1 { "edit" } else { "edits" }
    )];
    if f.declined > 0 {
        counts.push(format!("{} declined", f.declined));
    }
    if f.failed > 0 {
        counts.push(format!("{} failed", f.failed));
    }
    let line = format!(
        "- `{}`: {}; {}, last {}\n",
        f.path,
        f.state.describe(),
        counts.join(", "),
        cite(&f.last, multi_day)
    );
    let Some(sn) = &f.snippet else {
        return Block {
            forms: vec![line],
            level: 0,
            removed: false,
        };
    };
    let mut full = line.clone();
    let body: String = sn
        .blocks
        .iter()
        .map(|(_, l)| l.join("\n"))
        .collect::<Vec<_>>()
        .join("\n");
    let f_ = fence(&body);
    full.push_str(&format!(
        "  {}{}:\n  {f_}{}\n",
        if sn.whole {
            format!("The whole file ({} lines)", sn.total)
        } else {
            format!("Changed regions of {} lines", sn.total)
        },
        if sn.cut > 0 {
            format!(" ({} more changed lines not shown)", sn.cut)
        } else {
            String::new()
        },
        sn.lang
    ));
    let width = sn
        .blocks
        .last()
        .map(|(start, l)| (start + l.len()).to_string().len())
        .unwrap_or(1);
    for (n, (start, lines)) in sn.blocks.iter().enumerate() {
        if n > 0 {
            full.push_str(&format!("  {:>width$} |\n", "…"));
        }
        for (k, l) in lines.iter().enumerate() {
            full.push_str(&format!("  {:>width$} | {l}\n", start + k));
        }
    }
    full.push_str(&format!("  {f_}\n"));
    Block {
        forms: vec![full, line],
        level: 0,
        removed: false,
    }
}

/// A code fence longer than any run of backticks in `body`.
fn fence(body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

/// `[claude-code 5b0c1f2e 09:30]`, with the date when the brief spans days, or the commit for
/// what a note records.
pub fn cite(c: &Cite, multi_day: bool) -> String {
    let id = crate::util::text::short_id(&c.session);
    match &c.commit {
        Some(commit) => format!(
            "[{} {id} note on {}]",
            c.agent,
            &commit[..commit.len().min(7)]
        ),
        None => format!("[{} {id} {}]", c.agent, time_short(c.at, multi_day)),
    }
}

/// The closing section: how the target agent (or the human starting it) picks the task up.
pub fn how_to_continue(brief: &Brief) -> String {
    let m = &brief.meta;
    let rel = m.brief_path.as_ref().map(|p| super::shown(p, &m.root));
    let quoted = rel.as_deref().map(super::shell_quote);
    let from: Vec<&str> = {
        let mut a: Vec<&str> = brief.sessions.iter().map(|s| s.agent.as_str()).collect();
        a.dedup();
        a
    };
    let mut s = format!("## How to continue ({})\n\n", m.target);
    s.push_str(&format!(
        "You are taking over from {}. Start with **Resume here**, then **Open**; keep what is \
         under **Decided**, and do not retry what is under **Tried and rejected** unless the \
         user asks. Check an item against its source with `git drift session <session>` before \
         relying on it.\n\n",
        if from.is_empty() {
            "earlier agent sessions".to_string()
        } else {
            from.join(" and ")
        }
    ));
    let paste = match &rel {
        Some(r) => format!("the contents of `{r}`"),
        None => "this brief".to_string(),
    };
    let lines: Vec<String> = match m.target {
        Target::ClaudeCode => vec![
            match &m.resume {
                Some(cmd) => format!("In the repository root run `{cmd}`: that session starts with this brief."),
                None => match &quoted {
                    Some(q) => format!("In the repository root run `claude \"$(cat {q})\"`."),
                    None => "In the repository root start `claude` and paste this brief as the first message.".into(),
                },
            },
            "Recreate the open items as todos (TodoWrite) before editing, and mark them as you go.".into(),
        ],
        Target::Codex => vec![
            match &m.resume {
                Some(cmd) => format!("In the repository root run `{cmd}`: that session starts with this brief."),
                None => match &quoted {
                    Some(q) => format!("In the repository root run `codex \"$(cat {q})\"`."),
                    None => "In the repository root start `codex` and paste this brief as the first message.".into(),
                },
            },
            "Put the open items in your plan (update_plan) before patching, and keep it current.".into(),
        ],
        Target::GeminiCli => vec![
            match &m.resume {
                Some(cmd) => format!("In the repository root run `{cmd}`: that session starts with this brief."),
                None => match &quoted {
                Some(q) => format!("In the repository root run `gemini -i \"$(cat {q})\"`, or inside gemini send `@{}`.", rel.as_deref().unwrap_or_default()),
                None => "In the repository root start `gemini` and paste this brief as the first message.".into(),
                },
            },
            "Keep the open items as a checklist and work through them in order.".into(),
        ],
        // Flags as `opencode --help` and `opencode run --help` (1.18.33) list them.
        Target::Opencode => vec![
            match &quoted {
                Some(q) => format!("In the repository root run `opencode --prompt \"$(cat {q})\"`, or without the TUI `opencode run -f {q} \"Continue the task this brief describes.\"`."),
                None => "In the repository root start `opencode` and paste this brief as the first message.".into(),
            },
            "Keep the open items as a todo list and work through them in order.".into(),
        ],
        Target::Cursor => vec![
            match &rel {
                Some(r) => format!("Open the repository in Cursor, start a new Agent chat, attach `@{r}` and ask it to continue the task."),
                None => "Open the repository in Cursor, start a new Agent chat and paste this brief.".into(),
            },
            "Attach the files under **Files in scope** to the chat as well.".into(),
        ],
        Target::Aider => {
            let files: Vec<String> = brief
                .files
                .iter()
                .filter(|f| !matches!(f.state, super::files::FileState::Missing | super::files::FileState::Deleted | super::files::FileState::Elsewhere))
                .take(8)
                .map(|f| super::shell_quote(&f.path))
                .collect();
            vec![
                match &quoted {
                    Some(q) => format!(
                        "In the repository root run `aider --read {q}{}{}` and ask it to continue the task in the brief.",
                        if files.is_empty() { "" } else { " " },
                        files.join(" ")
                    ),
                    None => "In the repository root start `aider`, add the files in scope with /add and paste this brief.".into(),
                },
                "Aider commits each change; review with `git log -p` before pushing.".into(),
            ]
        }
        Target::Generic => vec![
            format!("Start the agent in the repository root and give it {paste} as its first message."),
            "Keep the open items as a checklist and work through them in order.".into(),
        ],
    };
    for l in lines {
        s.push_str(&format!("- {l}\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handoff::extract::Meta;
    use crate::handoff::scope::Via;

    fn brief(rejected: usize) -> Brief {
        let cite = |at| Cite {
            agent: "codex".into(),
            session: "019bc2a1-4d2e-7a10-9c3b-5e6f7a8b9c0d".into(),
            at: Some(at),
            commit: None,
        };
        let t0 = 1_768_469_400_000; // 2026-01-15T09:30:00Z
        Brief {
            meta: Meta {
                scope: "branch feature/retry".into(),
                branch: Some("feature/retry".into()),
                target: Target::Codex,
                created: t0 + 3_600_000,
                root: "/r".into(),
                brief_path: Some("/r/.prompts/handoffs/x.md".into()),
                resume: None,
            },
            sessions: vec![SessionLine {
                agent: "codex".into(),
                id: "019bc2a1-4d2e-7a10-9c3b-5e6f7a8b9c0d".into(),
                model: Some("gpt-5-codex".into()),
                started: Some(t0),
                ended: Some(t0 + 600_000),
                branch: Some("feature/retry".into()),
                via: Via::Branch,
                prompts: 1,
                edits: 0,
                resumed: false,
                parent: None,
                noted: None,
            }],
            span: Some((t0, t0 + 600_000)),
            task: vec![Item {
                at: Some(t0),
                text: "**Goal** (the first prompt):".into(),
                quote: Some("Make fetch() retry".into()),
                detail: None,
                cite: cite(t0),
                pinned: true,
                user: true,
                sub: Vec::new(),
            }],
            done: Vec::new(),
            decided: Vec::new(),
            rejected: (0..rejected)
                .map(|n| Item {
                    at: Some(t0 + n as i64 * 1000),
                    text: format!(
                        "Declined command `rm -rf build{n}`; no reason given {}",
                        "x".repeat(200)
                    ),
                    quote: None,
                    detail: None,
                    cite: cite(t0 + n as i64 * 1000),
                    pinned: false,
                    user: false,
                    sub: Vec::new(),
                })
                .collect(),
            open: Vec::new(),
            files: Vec::new(),
            resume: Vec::new(),
        }
    }

    #[test]
    fn every_section_appears_with_text_and_citations() {
        let text = render_to_string(&brief(2), 8000).unwrap();
        assert!(text.starts_with(&format!("<!-- {FORMAT} {{")), "{text}");
        let mut at = 0;
        for s in SECTIONS {
            let h = format!("\n## {s}\n");
            let pos = text[at..]
                .find(&h)
                .unwrap_or_else(|| panic!("no {s}:\n{text}"));
            at += pos + h.len();
        }
        assert!(text.contains("## How to continue (codex)"));
        assert!(text.contains("  > Make fetch() retry"));
        assert!(text.contains("`rm -rf build1`; no reason given"));
        // Citations carry agent, session prefix and time.
        let when = time_short(Some(1_768_469_400_000), false);
        assert!(text.contains(&format!("[codex 019bc2a1 {when}]")), "{text}");
        // An empty section says so in words, never with placeholder text.
        assert!(text.contains("No files were edited in these sessions."));
        assert!(!text.to_lowercase().contains("todo:") && !text.contains("TBD"));
    }

    #[test]
    fn long_sections_are_trimmed_oldest_first_with_a_note() {
        let full = render_to_string(&brief(400), 100_000).unwrap();
        assert!(full.contains("build0`") && full.contains("build399`"));
        let small = render_to_string(&brief(400), 2000).unwrap();
        assert!(
            small.chars().count() <= 2000 * CHARS_PER_TOKEN,
            "{}",
            small.len()
        );
        assert!(small.contains("build399`"), "newest kept");
        assert!(!small.contains("build0`"), "oldest cut");
        assert!(
            small.contains("_Trimmed to stay within the size bound: ")
                && small.contains("older items left out"),
            "{small}"
        );
        // The pinned goal survives any trimming.
        let tiny = render_to_string(&brief(400), 10).unwrap();
        assert!(tiny.contains("Make fetch() retry"));
    }

    #[test]
    fn fences_outgrow_backticks_in_the_body() {
        assert_eq!(fence("plain"), "```");
        assert_eq!(fence("a ```` b"), "`````");
    }

    #[test]
    fn citations_from_notes_name_the_commit() {
        let c = Cite {
            agent: "claude-code".into(),
            session: "5b0c1f2e-8a4d".into(),
            at: None,
            commit: Some("3f2c9a1d0b7e".into()),
        };
        assert_eq!(cite(&c, false), "[claude-code 5b0c1f2e note on 3f2c9a1]");
    }
}
