//! From sessions and the working tree to a [`Brief`]: what the task is, what was decided, what
//! was tried and rejected, what is open, which files are in play, and where to resume.
//!
//! Deterministic, offline, evidence only. Each item keeps a [`Cite`] (agent, session, time) so
//! a reader can check it. Sessions of several agents are merged into one timeline ordered by
//! time; an event without a timestamp takes the time of the event before it in its session.
//!
//! The rules, in short:
//! * a human prompt is the goal (the first), a confirmation ("yes, go ahead": a decision, shown
//!   with the question it answered), a correction ("no, don't …": a rejected approach) or a
//!   redirection (anything else). Sentences that lay down rules ("must", "always", "don't",
//!   "use", …) are also listed as standing instructions;
//! * an applied edit whose lines are still in the file is part of the approach the code now
//!   embodies; one whose lines are all gone was superseded (a later edit replaced them) or
//!   reverted; a declined or failed edit is a rejected approach;
//! * a failed command is resolved when the same command later succeeded; otherwise the latest
//!   such is the open "last failing command" and earlier ones were abandoned;
//! * the latest plan snapshot of each session, merged by item text, gives done items
//!   (decided) and pending ones (open);
//! * a question in a session's last reply that no prompt followed is open.

use super::Target;
use super::files::{FileState, Tree};
use super::inject;
use super::scope::{Material, Via};
use crate::model::{Edit, EditOp, Event, EventKind, Millis, PlanItem};
use crate::sessions::{CallStatus, call_statuses, edit_lines};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// Whole files up to this many lines are shown entirely.
const WHOLE_FILE_LINES: usize = 40;
/// At most this many snippet lines per file.
const SNIPPET_LINES: usize = 60;
/// Lines of context around a changed region.
const CONTEXT: usize = 2;
/// Characters of the first prompt kept (newlines preserved).
const GOAL_CHARS: usize = 1500;
/// Characters of other quoted texts.
const QUOTE_CHARS: usize = 240;
/// Lines of a failing command's output shown.
const ERROR_TAIL_LINES: usize = 15;

/// What the brief is for and about.
#[derive(Debug, Clone)]
pub struct Meta {
    /// One line saying what the brief covers (`branch feature/x since …`).
    pub scope: String,
    pub branch: Option<String>,
    pub target: Target,
    pub created: Millis,
    pub root: PathBuf,
    /// Where the brief is written (None with `--print`).
    pub brief_path: Option<PathBuf>,
    /// The command that resumes an injected session.
    pub resume: Option<String>,
}

/// Where an item comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cite {
    pub agent: String,
    pub session: String,
    pub at: Option<Millis>,
    /// For what only a note records: the commit whose note says it.
    pub commit: Option<String>,
}

/// One entry of a section.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// When it happened (for ordering and trimming: older items are cut first).
    pub at: Option<Millis>,
    /// One line of markdown.
    pub text: String,
    /// Text shown quoted below the line, newlines kept (the goal).
    pub quote: Option<String>,
    /// A code block below the line (an error tail).
    pub detail: Option<String>,
    pub cite: Cite,
    /// Never trimmed away.
    pub pinned: bool,
    /// Said by the user (their words, choices, refusals): trimmed after the agent's items.
    pub user: bool,
    /// Points listed under the line (a plan's steps, the files a prompt's edits changed).
    pub sub: Vec<String>,
}

/// One session in the brief's header.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionLine {
    pub agent: String,
    pub id: String,
    pub model: Option<String>,
    pub started: Option<Millis>,
    pub ended: Option<Millis>,
    pub branch: Option<String>,
    pub via: Via,
    pub prompts: usize,
    pub edits: usize,
    /// The session began with a git drift handoff brief.
    pub resumed: bool,
    pub parent: Option<String>,
    /// Known only from this commit's note.
    pub noted: Option<String>,
}

/// Lines of a file to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Snippet {
    /// Fence language (`python`, `rust`, or empty).
    pub lang: &'static str,
    pub whole: bool,
    /// Lines in the file.
    pub total: usize,
    /// (first line number, lines) of each shown region.
    pub blocks: Vec<(usize, Vec<String>)>,
    /// Changed lines left out to stay within the per-file bound.
    pub cut: usize,
}

/// A file the sessions touched.
#[derive(Debug, Clone, PartialEq)]
pub struct FileEntry {
    pub path: String,
    pub state: FileState,
    pub applied: usize,
    pub declined: usize,
    pub failed: usize,
    pub last: Cite,
    pub snippet: Option<Snippet>,
}

/// The brief before rendering.
#[derive(Debug, Clone)]
pub struct Brief {
    pub meta: Meta,
    pub sessions: Vec<SessionLine>,
    pub span: Option<(Millis, Millis)>,
    pub task: Vec<Item>,
    /// What the accepted edits built, grouped by the prompt that asked for it.
    pub done: Vec<Item>,
    pub decided: Vec<Item>,
    pub rejected: Vec<Item>,
    pub open: Vec<Item>,
    pub files: Vec<FileEntry>,
    pub resume: Vec<Item>,
}

impl Brief {
    /// Whether the sessions span more than one local day (citations then show the date).
    pub fn multi_day(&self) -> bool {
        match self.span {
            Some((a, b)) => {
                crate::util::timefmt::local_date(a) != crate::util::timefmt::local_date(b)
            }
            None => false,
        }
    }
}

/// How a tool call of an edit ended, from the brief's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EditFate {
    Applied,
    Declined,
    Failed,
}

struct EditRec<'a> {
    /// The event id (what the store binds to a commit).
    id: &'a str,
    s: usize,
    idx: usize,
    at: Option<Millis>,
    edit: &'a Edit,
    fate: EditFate,
    /// The error of a failed edit, the reason of a declined one.
    error: Option<String>,
    /// Repository-relative path the edit's text lives at now (the move target of a rename).
    rel: Option<String>,
    /// The human prompt it answered (an index into [`Extractor::asks`]).
    ask: Option<usize>,
}

/// What a tool call was, to describe it if the user declines it.
#[derive(Clone, Copy)]
enum Call<'a> {
    Edit(&'a Edit),
    Command(&'a str),
}

/// A session's latest plan snapshot: (timeline index, items, time).
type PlanSnap<'a> = Option<(usize, &'a [PlanItem], Option<Millis>)>;

struct CmdRec<'a> {
    s: usize,
    idx: usize,
    at: Option<Millis>,
    command: &'a str,
    status: Option<&'a CallStatus>,
}

/// A human prompt that edits can answer: its text, session and time.
struct Ask<'a> {
    text: &'a str,
    s: usize,
    at: Option<Millis>,
}

/// Build the brief.
pub fn extract(m: &Material, tree: &Tree, meta: Meta) -> Brief {
    let statuses: Vec<HashMap<String, CallStatus>> = m
        .sessions
        .iter()
        .map(|s| call_statuses(&s.events))
        .collect();
    let mut x = Extractor::new(m, &statuses, meta.root.clone());
    for (idx, (at, s, e)) in merged_timeline(m).into_iter().enumerate() {
        x.on_event(idx, at, s, e);
    }
    x.finish(tree, meta)
}

/// The timeline index and session of the latest reply seen, with its text and time.
type ReplyAt<'a> = (usize, usize, &'a str, Option<Millis>);

/// The citation of an event of session `s` of `m`.
fn cite_of(m: &Material, s: usize, at: Option<Millis>) -> Cite {
    Cite {
        agent: m.sessions[s].session.agent.as_str().to_string(),
        session: m.sessions[s].session.info.id.clone(),
        at,
        commit: None,
    }
}

/// Every session's events in one timeline ordered by time; an event without a timestamp takes
/// the time of the event before it in its session.
fn merged_timeline(m: &Material) -> Vec<(Option<Millis>, usize, &Event)> {
    let mut timeline = Vec::new();
    for (s, sd) in m.sessions.iter().enumerate() {
        let mut last = sd.session.info.started;
        for e in &sd.events {
            let at = e.at.or(last);
            last = at;
            timeline.push((at, s, e));
        }
    }
    timeline.sort_by_key(|(at, s, e)| (at.unwrap_or(i64::MIN), *s, e.ord));
    timeline
}

/// What a session is waiting on: things whose meaning depends on what comes next.
#[derive(Default, Clone)]
struct Pending<'a> {
    /// A question the user asked, until the agent replies: (text, time).
    question: Option<(&'a str, Option<Millis>)>,
    /// A choice the agent stated, until the user answers (an objection drops it).
    choice: Option<(String, Option<Millis>)>,
    /// A plan the agent presented (ExitPlanMode), until it is accepted or declined.
    plan: Option<(&'a str, Option<Millis>)>,
}

/// The walk over the timeline: one method per event kind feeds the sections and keeps the
/// records (edits, commands, plans, replies) the findings are computed from at the end.
struct Extractor<'a> {
    m: &'a Material,
    root: PathBuf,
    /// Per session: how each tool call ended.
    statuses: &'a [HashMap<String, CallStatus>],
    task: Vec<Item>,
    decided: Vec<Item>,
    rejected: Vec<Item>,
    open: Vec<Item>,
    resume: Vec<Item>,
    edits: Vec<EditRec<'a>>,
    cmds: Vec<CmdRec<'a>>,
    have_goal: bool,
    /// Per session: its latest reply (timeline index, text, time) and latest prompt index.
    last_reply: Vec<Option<(usize, &'a str, Option<Millis>)>>,
    last_prompt: Vec<Option<usize>>,
    /// Per session: every reply (timeline index, text), to read what followed a failure.
    replies: Vec<Vec<(usize, &'a str)>>,
    /// The latest reply of a top-level session.
    latest_reply: Option<ReplyAt<'a>>,
    plans: Vec<PlanSnap<'a>>,
    /// Per session: what each tool call was, to describe it if the user declines it.
    calls: Vec<HashMap<&'a str, Call<'a>>>,
    span: Option<(Millis, Millis)>,
    /// Per session: prompts typed by a person.
    prompts: Vec<usize>,
    instructions_seen: HashSet<String>,
    /// Human prompts that asked for work, and per session the latest one (a sub-agent's work
    /// answers the latest top-level prompt).
    asks: Vec<Ask<'a>>,
    ask_of: Vec<Option<usize>>,
    top_ask: Option<usize>,
    pending: Vec<Pending<'a>>,
    /// Accepted plans already listed (a plan accepted in one session is often handed to the
    /// next as "Implement the following plan").
    plans_accepted: HashSet<String>,
}

impl<'a> Extractor<'a> {
    fn new(
        m: &'a Material,
        statuses: &'a [HashMap<String, CallStatus>],
        root: PathBuf,
    ) -> Extractor<'a> {
        let n = m.sessions.len();
        Extractor {
            m,
            root,
            statuses,
            task: Vec::new(),
            decided: Vec::new(),
            rejected: Vec::new(),
            open: Vec::new(),
            resume: Vec::new(),
            edits: Vec::new(),
            cmds: Vec::new(),
            have_goal: false,
            last_reply: vec![None; n],
            last_prompt: vec![None; n],
            replies: vec![Vec::new(); n],
            latest_reply: None,
            plans: vec![None; n],
            calls: vec![HashMap::new(); n],
            span: None,
            prompts: vec![0; n],
            instructions_seen: HashSet::new(),
            asks: Vec::new(),
            ask_of: vec![None; n],
            top_ask: None,
            pending: vec![Pending::default(); n],
            plans_accepted: HashSet::new(),
        }
    }

    fn cite(&self, s: usize, at: Option<Millis>) -> Cite {
        cite_of(self.m, s, at)
    }

    fn rel(&self, p: &str) -> Option<String> {
        crate::util::text::relative(p, &self.root)
    }

    fn sub_agent(&self, s: usize) -> bool {
        self.m.sessions[s].session.info.parent_id.is_some()
    }

    fn on_event(&mut self, idx: usize, at: Option<Millis>, s: usize, e: &'a Event) {
        if let Some(t) = at {
            self.span = Some(self.span.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
        }
        match &e.kind {
            EventKind::Prompt { text } => self.on_prompt(idx, at, s, text),
            EventKind::Reply { text } => self.on_reply(idx, at, s, text),
            EventKind::Edit(ed) => self.on_edit(idx, at, s, &e.id, ed),
            EventKind::Command { call_id, command } => {
                self.on_command(idx, at, s, call_id.as_deref(), command)
            }
            EventKind::Rejection { call_id, reason } => {
                self.on_rejection(at, s, call_id.as_deref(), reason.as_deref())
            }
            EventKind::Plan { items, explanation } => {
                self.on_plan(idx, at, s, items, explanation.as_deref())
            }
            // A declined plan also arrives as a Rejection with its call id, listed above.
            EventKind::Outcome { .. }
            | EventKind::Reasoning { .. }
            | EventKind::Usage { .. }
            | EventKind::PlanVerdict { .. } => {}
        }
    }

    /// A human prompt: the goal (the first), an accepted plan handed over by the harness, a
    /// confirmation, a correction, a question or a redirection; its rule-like sentences are
    /// standing instructions. It also settles what the session was waiting on.
    fn on_prompt(&mut self, idx: usize, at: Option<Millis>, s: usize, text: &'a str) {
        if inject::is_injected(text) || self.sub_agent(s) {
            return;
        }
        self.prompts[s] += 1;
        self.last_prompt[s] = Some(idx);
        let correction = is_correction(text);
        self.settle_choice(s, correction);
        let c = self.cite(s, at);
        if is_plan_text(text) {
            self.pending[s].plan = None;
            self.accept_plan(text, at, s);
        } else if let Some((plan, _)) = self.pending[s].plan.take() {
            if correction {
                self.decline_plan(plan, Some(text), at, s);
                return;
            }
            self.accept_plan(plan, at, s);
        }
        self.pending[s].question = None;
        if !is_confirmation(text) && !correction {
            self.asks.push(Ask { text, s, at });
            self.ask_of[s] = Some(self.asks.len() - 1);
            self.top_ask = self.ask_of[s];
        }
        if !self.have_goal {
            self.have_goal = true;
            self.task.push(Item {
                pinned: true,
                quote: Some(clip(text, GOAL_CHARS)),
                ..user_item(at, "**Goal** (the first prompt):".into(), c.clone())
            });
        } else if is_plan_text(text) {
            return;
        } else if is_confirmation(text) {
            let asked = self.last_reply[s].and_then(|(_, r, _)| question_or_last(r));
            let text = match asked {
                Some(q) => format!(
                    "User confirmed \"{}\" in answer to \"{}\"",
                    crate::ui::excerpt(text, QUOTE_CHARS),
                    crate::ui::excerpt(&q, QUOTE_CHARS)
                ),
                None => format!(
                    "User confirmed: \"{}\"",
                    crate::ui::excerpt(text, QUOTE_CHARS)
                ),
            };
            self.decided.push(user_item(at, text, c));
            return;
        } else if correction {
            let text = format!(
                "User correction: \"{}\"",
                crate::ui::excerpt(text, QUOTE_CHARS * 2)
            );
            self.rejected.push(user_item(at, text, c));
            return;
        } else if is_question(text) {
            self.pending[s].question = Some((text, at));
            let text = format!("Asked: \"{}\"", crate::ui::excerpt(text, QUOTE_CHARS));
            self.task.push(user_item(at, text, c));
            return;
        } else {
            let text = format!("Then asked: \"{}\"", crate::ui::excerpt(text, QUOTE_CHARS));
            self.task.push(user_item(at, text, c.clone()));
        }
        if is_plan_text(text) {
            return;
        }
        for sentence in directives(text) {
            if self.instructions_seen.insert(sentence.to_lowercase()) {
                let text = format!("Instruction: \"{sentence}\"");
                self.decided.push(user_item(at, text, c.clone()));
            }
        }
    }

    /// The agent's choice stated in its last reply stands unless the user objected.
    fn settle_choice(&mut self, s: usize, objected: bool) {
        if let Some((choice, at)) = self.pending[s].choice.take()
            && !objected
        {
            let c = self.cite(s, at);
            self.decided.push(item(
                at,
                format!("Agent's choice (not objected to): \"{choice}\""),
                c,
            ));
        }
    }

    fn on_reply(&mut self, idx: usize, at: Option<Millis>, s: usize, text: &'a str) {
        self.last_reply[s] = Some((idx, text, at));
        self.replies[s].push((idx, text));
        if self.sub_agent(s) {
            return;
        }
        self.latest_reply = Some((idx, s, text, at));
        if let Some((q, _)) = self.pending[s].question.take() {
            let c = self.cite(s, at);
            self.decided.push(item(
                at,
                format!(
                    "Finding: asked \"{}\", the agent answered: \"{}\"",
                    crate::ui::excerpt(q, QUOTE_CHARS / 2),
                    answer_gist(text)
                ),
                c,
            ));
        }
        if let Some(choice) = agent_choice(text) {
            self.pending[s].choice = Some((choice, at));
        }
    }

    /// A plan the user accepted: its points under Decided, once.
    fn accept_plan(&mut self, text: &str, at: Option<Millis>, s: usize) {
        let points = plan_points(text, 8);
        if points.is_empty() || !self.plans_accepted.insert(points.join("\n").to_lowercase()) {
            return;
        }
        let c = self.cite(s, at);
        self.decided.push(Item {
            sub: points,
            ..user_item(at, "Accepted plan:".into(), c)
        });
    }

    /// A plan the user declined, with what they said.
    fn decline_plan(&mut self, text: &str, reason: Option<&str>, at: Option<Millis>, s: usize) {
        let why = match reason {
            Some(r) => format!(
                "the user said: \"{}\"",
                crate::ui::excerpt(r, QUOTE_CHARS * 2)
            ),
            None => "no reason given".into(),
        };
        let c = self.cite(s, at);
        self.rejected.push(Item {
            sub: plan_points(text, 6),
            ..user_item(at, format!("Declined plan; {why}:"), c)
        });
    }

    /// A tool call after a presented plan means the plan was accepted.
    fn tool_call(&mut self, at: Option<Millis>, s: usize) {
        if let Some((plan, _)) = self.pending[s].plan.take() {
            self.accept_plan(plan, at, s);
        }
    }

    fn on_edit(&mut self, idx: usize, at: Option<Millis>, s: usize, id: &'a str, ed: &'a Edit) {
        self.tool_call(at, s);
        let status = ed.call_id.as_deref().and_then(|c| self.statuses[s].get(c));
        let (fate, error) = match status {
            Some(CallStatus::Rejected(r)) => (EditFate::Declined, r.clone()),
            Some(CallStatus::Failed(_, Some(tail))) if denial(tail) => {
                (EditFate::Declined, Some(tail.clone()))
            }
            Some(CallStatus::Failed(_, tail)) => (EditFate::Failed, tail.clone()),
            _ => (EditFate::Applied, None),
        };
        if let Some(c) = &ed.call_id {
            self.calls[s].entry(c.as_str()).or_insert(Call::Edit(ed));
        }
        let rel = self.rel(ed.move_to.as_deref().unwrap_or(&ed.path));
        let ask = if self.sub_agent(s) {
            self.top_ask
        } else {
            self.ask_of[s]
        };
        self.edits.push(EditRec {
            id,
            s,
            idx,
            at,
            edit: ed,
            fate,
            error,
            rel,
            ask,
        });
    }

    fn on_command(
        &mut self,
        idx: usize,
        at: Option<Millis>,
        s: usize,
        call_id: Option<&'a str>,
        command: &'a str,
    ) {
        self.tool_call(at, s);
        if let Some(c) = call_id {
            self.calls[s].insert(c, Call::Command(command));
        }
        let statuses = self.statuses;
        self.cmds.push(CmdRec {
            s,
            idx,
            at,
            command,
            status: call_id.and_then(|c| statuses[s].get(c)),
        });
    }

    /// A declined tool use, described by what the call was; one no known call explains right
    /// after a presented plan declines the plan.
    fn on_rejection(
        &mut self,
        at: Option<Millis>,
        s: usize,
        call_id: Option<&str>,
        reason: Option<&str>,
    ) {
        let call = call_id.and_then(|c| self.calls[s].get(c)).copied();
        if call.is_none()
            && let Some((plan, _)) = self.pending[s].plan.take()
        {
            self.decline_plan(plan, reason, at, s);
            return;
        }
        let what = match call {
            Some(Call::Edit(ed)) => {
                let what = match self.rel(&ed.path) {
                    Some(p) => format!("edit to `{p}` ({})", ed.tool),
                    None => format!("edit to `{}` ({})", ed.path, ed.tool),
                };
                match first_written(ed) {
                    Some(l) => format!("{what} that would have written `{}`", inline_code(&l)),
                    None => what,
                }
            }
            Some(Call::Command(c)) => {
                format!("command `{}`", inline_code(&crate::ui::excerpt(c, 120)))
            }
            None => "a tool use".into(),
        };
        let why = match reason {
            Some(r) => format!(
                "the user said: \"{}\"",
                crate::ui::excerpt(r, QUOTE_CHARS * 2)
            ),
            None => "no reason given".into(),
        };
        let c = self.cite(s, at);
        self.rejected
            .push(user_item(at, format!("Declined {what}; {why}"), c));
    }

    fn on_plan(
        &mut self,
        idx: usize,
        at: Option<Millis>,
        s: usize,
        items: &'a [PlanItem],
        explanation: Option<&'a str>,
    ) {
        if !items.is_empty() {
            self.plans[s] = Some((idx, items, at));
        } else if let Some(x) = explanation
            && !self.sub_agent(s)
        {
            // A plan presented for approval (ExitPlanMode); what follows tells its fate.
            if let Some((earlier, _)) = self.pending[s].plan.replace((x, at)) {
                // Presented again without an answer: the earlier one was not taken.
                let _ = earlier;
            }
        }
    }

    /// Settle what is still pending at the end of each session.
    fn settle_pending(&mut self) {
        for s in 0..self.pending.len() {
            self.settle_choice(s, false);
            let p = std::mem::take(&mut self.pending[s]);
            if let Some((plan, at)) = p.plan {
                let c = self.cite(s, at);
                self.open.push(Item {
                    sub: plan_points(plan, 6),
                    ..item(at, "Plan presented, not yet approved:".into(), c)
                });
            }
            if let Some((q, at)) = p.question {
                let c = self.cite(s, at);
                self.open.push(user_item(
                    at,
                    format!(
                        "Question the user asked, unanswered: \"{}\"",
                        crate::ui::excerpt(q, QUOTE_CHARS)
                    ),
                    c,
                ));
            }
        }
    }

    /// The findings computed from the records, and the brief.
    fn finish(mut self, tree: &Tree, meta: Meta) -> Brief {
        let m = self.m;
        let cite = |s: usize, at: Option<Millis>| cite_of(m, s, at);
        self.settle_pending();
        edits_findings(
            &self.edits,
            tree,
            &cite,
            &mut self.decided,
            &mut self.rejected,
        );
        let done = done::done_items(&self.edits, &self.asks, tree, m, &cite);
        commands_findings(
            &self.cmds,
            &self.replies,
            &cite,
            &mut self.rejected,
            &mut self.open,
            &mut self.resume,
        );
        plan_findings(
            &self.plans,
            &cite,
            &mut self.decided,
            &mut self.open,
            &mut self.resume,
        );
        self.unanswered_questions();
        self.resume_point(tree);
        self.noted_findings();
        let files = file_entries(&self.edits, tree, &cite);
        let sessions = self.session_lines();
        for list in [
            &mut self.task,
            &mut self.decided,
            &mut self.rejected,
            &mut self.open,
        ] {
            // Stable: the goal stays first among items of its time.
            list.sort_by_key(|i| (!i.pinned, i.at.unwrap_or(i64::MIN)));
        }
        Brief {
            meta,
            sessions,
            span: self.span,
            task: self.task,
            done,
            decided: self.decided,
            rejected: self.rejected,
            open: self.open,
            files,
            resume: self.resume,
        }
    }

    /// Questions in a session's last reply that no prompt followed.
    fn unanswered_questions(&mut self) {
        for (s, r) in self.last_reply.iter().enumerate() {
            let Some((idx, text, at)) = r else { continue };
            if self.sub_agent(s) || self.last_prompt[s].is_some_and(|p| p > *idx) {
                continue;
            }
            for q in questions(text).into_iter().take(3) {
                self.open.push(item(
                    *at,
                    format!(
                        "Question the agent asked, unanswered: \"{}\"",
                        crate::ui::excerpt(&q, QUOTE_CHARS)
                    ),
                    cite_of(self.m, s, *at),
                ));
            }
        }
    }

    /// Where to pick up: the last edit first, the agent's last stated next step last.
    fn resume_point(&mut self, tree: &Tree) {
        if let Some(last) = self.edits.iter().max_by_key(|e| e.idx) {
            let c = self.cite(last.s, last.at);
            let path = last.rel.clone().unwrap_or_else(|| last.edit.path.clone());
            let tool = &last.edit.tool;
            let text = match last.fate {
                EditFate::Applied => {
                    let line = last
                        .rel
                        .as_deref()
                        .and_then(|r| tree.text(r))
                        .and_then(|t| locate(&t.lines, last.edit).map(|(_, l)| l));
                    let here = tree_has_edited_files(&self.edits, tree);
                    match line {
                        Some(l) => format!("Last edit: `{path}:{l}` ({tool})"),
                        None if !here => format!(
                            "Last edit: `{path}` ({tool}); the file is not in this working tree"
                        ),
                        None => format!(
                            "Last edit: `{path}` ({tool}); its text is no longer in the file"
                        ),
                    }
                }
                EditFate::Declined => format!(
                    "Last edit proposed: `{path}` ({tool}), declined by the user (see Tried and \
                     rejected)"
                ),
                EditFate::Failed => {
                    format!("Last edit attempted: `{path}` ({tool}), it failed to apply")
                }
            };
            self.resume.insert(0, item(last.at, text, c));
        }
        if let Some((_, s, text, at)) = self.latest_reply {
            let line = match next_step(text) {
                Some(step) => format!(
                    "The agent's last stated next step: \"{}\"",
                    crate::ui::excerpt(&step, QUOTE_CHARS * 2)
                ),
                None => format!(
                    "The agent's last words: \"{}\"",
                    crate::ui::excerpt(&last_sentences(text), QUOTE_CHARS * 2)
                ),
            };
            let c = self.cite(s, at);
            self.resume.push(item(at, line, c));
        }
    }

    /// What sessions only a commit note knows about recorded.
    fn noted_findings(&mut self) {
        for n in &self.m.noted {
            let r = &n.record;
            let c = Cite {
                agent: r.agent.clone(),
                session: r.id.clone(),
                at: r.ended.or(r.started),
                commit: Some(n.commit.clone()),
            };
            for p in r.prompts.values().take(3) {
                self.task.push(item(
                    c.at,
                    format!(
                        "Asked (recorded in a commit note): \"{}\"",
                        crate::ui::excerpt(p, QUOTE_CHARS)
                    ),
                    c.clone(),
                ));
            }
            for d in &r.decisions {
                self.decided
                    .push(item(c.at, format!("Recorded decision: {d}"), c.clone()));
            }
            for d in &r.rejected_approaches {
                self.rejected
                    .push(item(c.at, format!("Recorded: {d}"), c.clone()));
            }
        }
    }

    /// The header's session list: captured sessions, then those only a note knows.
    fn session_lines(&self) -> Vec<SessionLine> {
        let mut sessions: Vec<SessionLine> = self
            .m
            .sessions
            .iter()
            .enumerate()
            .map(|(s, sd)| {
                let i = &sd.session.info;
                let mut edit_calls: HashSet<&str> = HashSet::new();
                for e in &sd.events {
                    if let EventKind::Edit(ed) = &e.kind {
                        edit_calls.insert(ed.call_id.as_deref().unwrap_or(&e.id));
                    }
                }
                SessionLine {
                    agent: sd.session.agent.as_str().to_string(),
                    id: i.id.clone(),
                    model: i.model.clone(),
                    started: sd.events.iter().find_map(|e| e.at).or(i.started),
                    ended: sd.events.iter().rev().find_map(|e| e.at).or(i.ended),
                    branch: i.branch.clone(),
                    via: sd.via.clone(),
                    prompts: self.prompts[s],
                    edits: edit_calls.len(),
                    resumed: began_with_brief(&sd.events),
                    parent: i.parent_id.clone(),
                    noted: None,
                }
            })
            .collect();
        sessions.extend(self.m.noted.iter().map(|n| SessionLine {
            agent: n.record.agent.clone(),
            id: n.record.id.clone(),
            model: n.record.model.clone(),
            started: n.record.started,
            ended: n.record.ended,
            branch: None,
            via: Via::Commit(n.commit.clone()),
            prompts: n.record.prompts.len(),
            edits: n.record.accepted as usize,
            resumed: false,
            parent: None,
            noted: Some(n.commit.clone()),
        }));
        sessions
    }
}

/// Whether a session's first prompt is a git drift handoff brief.
fn began_with_brief(events: &[Event]) -> bool {
    events.iter().find_map(|e| match &e.kind {
        EventKind::Prompt { text } => Some(inject::is_injected(text)),
        _ => None,
    }) == Some(true)
}

fn item(at: Option<Millis>, text: String, cite: Cite) -> Item {
    Item {
        at,
        text,
        quote: None,
        detail: None,
        cite,
        pinned: false,
        user: false,
        sub: Vec::new(),
    }
}

/// An item of what the user said or chose.
fn user_item(at: Option<Millis>, text: String, cite: Cite) -> Item {
    Item {
        user: true,
        ..item(at, text, cite)
    }
}

/// Applied edits of one file still in the working tree, summed for one Decided line.
struct Kept {
    count: usize,
    added: usize,
    removed: usize,
    /// Index (in the edit records) of the latest such edit.
    last: usize,
    agents: Vec<String>,
    /// The file is not in this working tree, so "still there" could not be checked.
    absent: bool,
}

/// Where to find, for an edit, the later applied edits of the same file that replaced its
/// lines: per file, the applied edits in order, the whole-file writes, and each trimmed line of
/// the text an update replaced with the edits that replaced it. Built once, so a branch of
/// thousands of edits is not compared pair by pair.
struct LaterIndex<'e> {
    writes: HashMap<&'e str, Vec<usize>>,
    replaced: HashMap<(&'e str, &'e str), Vec<usize>>,
    applied: HashMap<&'e str, Vec<usize>>,
}

impl<'e> LaterIndex<'e> {
    fn new(edits: &'e [EditRec]) -> LaterIndex<'e> {
        let mut ix = LaterIndex {
            writes: HashMap::new(),
            replaced: HashMap::new(),
            applied: HashMap::new(),
        };
        for (n, e) in edits.iter().enumerate() {
            let (Some(rel), EditFate::Applied) = (e.rel.as_deref(), e.fate) else {
                continue;
            };
            ix.applied.entry(rel).or_default().push(n);
            if matches!(e.edit.op, EditOp::Write | EditOp::Add) {
                ix.writes.entry(rel).or_default().push(n);
            }
            let mut seen = HashSet::new();
            for l in e
                .edit
                .before
                .lines()
                .map(str::trim)
                .filter(|l| l.len() >= 2)
            {
                if seen.insert(l) {
                    ix.replaced.entry((rel, l)).or_default().push(n);
                }
            }
        }
        ix
    }

    /// The first entry of a sorted list after `n`.
    fn after(list: Option<&Vec<usize>>, n: usize) -> Option<usize> {
        let list = list?;
        let at = list.partition_point(|&k| k <= n);
        list.get(at).copied()
    }

    /// The first applied edit after `n` of `rel` that wrote the whole file or replaced one of
    /// `written`.
    fn superseding(&self, rel: &str, n: usize, written: &[String]) -> Option<usize> {
        let mut best = Self::after(self.writes.get(rel), n);
        for w in written {
            let k = Self::after(self.replaced.get(&(rel, w.trim())), n);
            best = match (best, k) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        best
    }

    /// The first applied edit of `rel` after `n`.
    fn next_applied(&self, rel: &str, n: usize) -> Option<usize> {
        Self::after(self.applied.get(rel), n)
    }
}

/// Whether the working tree is where the edits were made: some file they touched exists.
/// When none does (a brief written from another checkout, files moved away), an applied
/// edit's absence proves nothing.
fn tree_has_edited_files(edits: &[EditRec], tree: &Tree) -> bool {
    edits.iter().filter_map(|e| e.rel.as_deref()).any(|rel| {
        !matches!(tree.state(rel), FileState::Missing | FileState::Deleted)
            || tree.text(rel).is_some()
    })
}

/// Edits: the approach each file now embodies, and edits that failed (once per call and
/// content, marked when a later edit of the file solved it) or changed approach.
fn edits_findings(
    edits: &[EditRec],
    tree: &Tree,
    cite: &dyn Fn(usize, Option<Millis>) -> Cite,
    decided: &mut Vec<Item>,
    rejected: &mut Vec<Item>,
) {
    let mut kept: Vec<(String, Kept)> = Vec::new();
    let mut kept_at: HashMap<String, usize> = HashMap::new();
    let mut reported: HashSet<(usize, String, String)> = HashSet::new();
    let mut failures: HashSet<(String, String)> = HashSet::new();
    let later = LaterIndex::new(edits);
    let tree_ok = tree_has_edited_files(edits, tree);
    for (n, e) in edits.iter().enumerate() {
        let Some(rel) = e.rel.as_deref() else {
            continue;
        };
        let key = (
            e.s,
            e.edit.call_id.clone().unwrap_or_else(|| format!("#{n}")),
            rel.to_string(),
        );
        match e.fate {
            EditFate::Declined => continue,
            EditFate::Failed => {
                // One finding per tool call and file, and per error and text across calls.
                let content = format!("{rel}\n{:?}\n{}", e.error, e.edit.after);
                if !reported.insert(key) || !failures.insert((rel.to_string(), content)) {
                    continue;
                }
                let solved = later.next_applied(rel, n).map(|k| &edits[k]);
                rejected.push(item(
                    e.at,
                    failed_text(e, rel, solved, cite),
                    cite(e.s, e.at),
                ));
                continue;
            }
            EditFate::Applied => {}
        }
        let written: Vec<String> = crate::attribution::written_lines(e.edit)
            .into_iter()
            .filter(|l| l.trim().len() >= 2)
            .collect();
        let gone = vanished(e, rel, &written, tree).filter(|&file_gone| {
            // A missing file says nothing when the tree has none of the edited files.
            tree_ok || !file_gone || tree.state(rel) == FileState::Deleted
        });
        let Some(file_gone) = gone else {
            let slot = *kept_at.entry(rel.to_string()).or_insert_with(|| {
                kept.push((rel.to_string(), Kept::new(n)));
                kept.len() - 1
            });
            kept[slot].1.add(n, e, &cite(e.s, e.at).agent);
            kept[slot].1.absent = !tree_ok && tree.text(rel).is_none();
            continue;
        };
        // One finding per tool call and file (a MultiEdit or a patch has several hunks).
        if !reported.insert(key) {
            continue;
        }
        let by = later.superseding(rel, n, &written).map(|k| &edits[k]);
        // A later edit that only reworded the same lines is a tweak, not a change of
        // approach: not worth a line under Tried and rejected.
        if !file_gone && by.is_some_and(|l| small_overwrite(&written, l.edit)) {
            continue;
        }
        let text = vanished_text(e, rel, &written, file_gone, by, cite);
        rejected.push(item(e.at, text, cite(e.s, e.at)));
    }
    for (path, k) in kept {
        decided.push(kept_item(&path, &k, edits, cite));
    }
}

/// The line for a failed edit, saying which later edit of the file solved it if one did.
fn failed_text(
    e: &EditRec,
    rel: &str,
    solved: Option<&EditRec>,
    cite: &dyn Fn(usize, Option<Millis>) -> Cite,
) -> String {
    let what = format!("Edit to `{rel}` ({}) failed to apply", e.edit.tool);
    let what = match &e.error {
        Some(err) => format!("{what}: {}", crate::ui::excerpt(err, QUOTE_CHARS)),
        None => what,
    };
    match solved {
        Some(l) => {
            let lc = cite(l.s, l.at);
            format!(
                "{what} — failed, then solved by a later edit ({} {} at {})",
                lc.agent,
                crate::util::text::short_id(&lc.session),
                crate::util::timefmt::time_short(lc.at, false)
            )
        }
        None => what,
    }
}

/// Whether `later` kept most of the words of the lines it replaced.
fn small_overwrite(written: &[String], later: &Edit) -> bool {
    if matches!(later.op, EditOp::Write | EditOp::Add) {
        return false;
    }
    let words = |s: &str| -> HashSet<String> {
        s.split(|c: char| !c.is_alphanumeric() && c != '_')
            .filter(|w| w.len() >= 2)
            .map(str::to_lowercase)
            .collect()
    };
    let old = words(&written.join("\n"));
    let new = words(&later.after);
    if old.is_empty() {
        return true;
    }
    let common = old.intersection(&new).count();
    common * 2 >= old.len()
}

/// Whether an applied edit's text is gone: `None` when it stands (or cannot be checked),
/// `Some(true)` when its file no longer exists, `Some(false)` when none of its lines are left.
fn vanished(e: &EditRec, rel: &str, written: &[String], tree: &Tree) -> Option<bool> {
    if e.edit.op == EditOp::Delete || written.is_empty() {
        return None;
    }
    match tree.text(rel) {
        Some(t) if written.iter().any(|l| t.has_line(l)) => None,
        Some(_) => Some(false),
        None if matches!(tree.state(rel), FileState::Missing | FileState::Deleted) => Some(true),
        // Too large or binary to check: assume it stands.
        None => None,
    }
}

impl Kept {
    fn new(n: usize) -> Kept {
        Kept {
            count: 0,
            added: 0,
            removed: 0,
            last: n,
            agents: Vec::new(),
            absent: false,
        }
    }

    /// Count an applied edit that stands.
    fn add(&mut self, n: usize, e: &EditRec, agent: &str) {
        let (a, d) = edit_lines(e.edit);
        self.count += 1;
        self.added += a;
        self.removed += d;
        self.last = n;
        if !self.agents.iter().any(|x| x == agent) {
            self.agents.push(agent.to_string());
        }
    }
}

/// The line for an applied edit whose text is gone: removed with its file, superseded by
/// `later`, or reverted.
fn vanished_text(
    e: &EditRec,
    rel: &str,
    written: &[String],
    file_gone: bool,
    later: Option<&EditRec>,
    cite: &dyn Fn(usize, Option<Millis>) -> Cite,
) -> String {
    let wrote = written
        .first()
        .map(|l| format!(" that wrote `{}`", inline_code(&crate::ui::excerpt(l, 80))))
        .unwrap_or_default();
    let tool = &e.edit.tool;
    if file_gone {
        format!("Edit to `{rel}` ({tool}){wrote} is gone: the file no longer exists")
    } else if let Some(l) = later {
        let lc = cite(l.s, l.at);
        format!(
            "Edit to `{rel}` ({tool}){wrote} was superseded by a later edit ({} {} at {})",
            lc.agent,
            crate::util::text::short_id(&lc.session),
            crate::util::timefmt::time_short(lc.at, false)
        )
    } else {
        format!(
            "Edit to `{rel}` ({tool}){wrote} was reverted: none of its lines are in the working tree"
        )
    }
}

/// The Decided line of a file's edits that stand.
fn kept_item(
    path: &str,
    k: &Kept,
    edits: &[EditRec],
    cite: &dyn Fn(usize, Option<Millis>) -> Cite,
) -> Item {
    let last = &edits[k.last];
    let wrote = first_written(last.edit)
        .map(|l| format!("; the latest wrote `{}`", inline_code(&l)))
        .unwrap_or_default();
    let (edits_are, where_) = match (k.count == 1, k.absent) {
        (true, false) => ("edit is", "still in the working tree"),
        (false, false) => ("edits are", "still in the working tree"),
        (true, true) => ("edit", "not checked: the file is not in this working tree"),
        (false, true) => ("edits", "not checked: the file is not in this working tree"),
    };
    item(
        last.at,
        format!(
            "`{path}`: {} applied {edits_are} {where_} (+{} −{}, by {}){wrote}",
            k.count,
            k.added,
            k.removed,
            k.agents.join(", ")
        ),
        cite(last.s, last.at),
    )
}

/// Whether a failed command was not allowed (a permission prompt or rule), and its message.
fn denied<'a>(c: &CmdRec<'a>) -> Option<&'a str> {
    match c.status {
        Some(CallStatus::Failed(_, Some(tail))) if denial(tail) => Some(tail),
        _ => None,
    }
}

/// Whether the agent's first reply after a failed command says it meant the failure.
fn meant_to_fail(c: &CmdRec, replies: &[Vec<(usize, &str)>]) -> bool {
    let list = &replies[c.s];
    let at = list.partition_point(|(idx, _)| *idx <= c.idx);
    list.get(at).is_some_and(|(_, r)| expected_failure(r))
}

/// Commands: denials (rejections, never failures to retry), and failures never followed by a
/// success of the same command nor shown on purpose.
fn commands_findings(
    cmds: &[CmdRec],
    replies: &[Vec<(usize, &str)>],
    cite: &dyn Fn(usize, Option<Millis>) -> Cite,
    rejected: &mut Vec<Item>,
    open: &mut Vec<Item>,
    resume: &mut Vec<Item>,
) {
    let norm = |c: &str| c.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut last_ok: HashMap<String, usize> = HashMap::new();
    for c in cmds {
        if matches!(c.status, Some(CallStatus::Ok(_))) {
            last_ok.insert(norm(c.command), c.idx);
        }
    }
    // Unresolved failures, the latest of each command, with how often it failed.
    let mut failed: Vec<(&CmdRec, usize)> = Vec::new();
    let mut failed_at: HashMap<String, usize> = HashMap::new();
    let mut denials: HashSet<String> = HashSet::new();
    for c in cmds {
        let Some(CallStatus::Failed(..)) = c.status else {
            continue;
        };
        let key = norm(c.command);
        if let Some(msg) = denied(c) {
            if denials.insert(key) {
                rejected.push(user_item(
                    c.at,
                    format!(
                        "The user (or a permission rule) did not allow `{}`: \"{}\"",
                        inline_code(&crate::ui::excerpt(c.command, 120)),
                        crate::ui::excerpt(msg.trim(), QUOTE_CHARS / 2)
                    ),
                    cite(c.s, c.at),
                ));
            }
            continue;
        }
        if last_ok.get(&key).is_some_and(|ok| *ok > c.idx) || meant_to_fail(c, replies) {
            continue;
        }
        match failed_at.get(&key) {
            Some(&i) => failed[i] = (c, failed[i].1 + 1),
            None => {
                failed_at.insert(key, failed.len());
                failed.push((c, 1));
            }
        }
    }
    failed.sort_by_key(|(c, _)| c.idx);
    let describe = |c: &CmdRec, times: usize| {
        let code = match c.status {
            Some(CallStatus::Failed(Some(code), _)) => format!("exit {code}"),
            _ => "failed".into(),
        };
        let times = if times > 1 {
            format!(", {times} times")
        } else {
            String::new()
        };
        (
            format!(
                "`{}` ({code}{times})",
                inline_code(&crate::ui::excerpt(c.command, 160))
            ),
            match c.status {
                Some(CallStatus::Failed(_, Some(tail))) => Some(tail.clone()),
                _ => None,
            },
        )
    };
    if let Some((last, times)) = failed.pop() {
        let (what, tail) = describe(last, times);
        open.push(Item {
            detail: tail.map(|t| tail_lines(&t, ERROR_TAIL_LINES)),
            pinned: true,
            ..item(
                last.at,
                format!("Last failing command: {what}"),
                cite(last.s, last.at),
            )
        });
        resume.push(item(
            last.at,
            format!("The last failing command was {what}; its error is under Open"),
            cite(last.s, last.at),
        ));
    }
    for (c, times) in failed {
        let (what, tail) = describe(c, times);
        rejected.push(Item {
            detail: tail.map(|t| tail_lines(&t, 4)),
            ..item(
                c.at,
                format!("Command {what} failed and was not run successfully afterwards"),
                cite(c.s, c.at),
            )
        });
    }
    never_finished(cmds, cite, open);
}

/// A command with no result at all, as the last of its session: the session stopped there.
fn never_finished(
    cmds: &[CmdRec],
    cite: &dyn Fn(usize, Option<Millis>) -> Cite,
    open: &mut Vec<Item>,
) {
    let mut last_of_session: HashMap<usize, &CmdRec> = HashMap::new();
    for c in cmds {
        last_of_session.insert(c.s, c);
    }
    let mut pending: Vec<&CmdRec> = last_of_session
        .into_values()
        .filter(|c| c.status.is_none())
        .collect();
    pending.sort_by_key(|c| c.idx);
    for c in pending {
        open.push(item(
            c.at,
            format!(
                "Command `{}` never finished: the transcript has no result for it",
                inline_code(&crate::ui::excerpt(c.command, 160))
            ),
            cite(c.s, c.at),
        ));
    }
}

/// Plans: the latest snapshot of each session, merged by item text (a later status wins).
fn plan_findings(
    plans: &[PlanSnap],
    cite: &dyn Fn(usize, Option<Millis>) -> Cite,
    decided: &mut Vec<Item>,
    open: &mut Vec<Item>,
    resume: &mut Vec<Item>,
) {
    let mut snaps: Vec<(usize, usize, &[PlanItem], Option<Millis>)> = plans
        .iter()
        .enumerate()
        .filter_map(|(s, p)| p.map(|(idx, items, at)| (idx, s, items, at)))
        .collect();
    snaps.sort_by_key(|(idx, ..)| *idx);
    let mut merged: Vec<(String, String, usize, Option<Millis>)> = Vec::new();
    for (_, s, items, at) in snaps {
        for it in items {
            let key = it.text.trim().to_lowercase();
            match merged
                .iter_mut()
                .find(|(t, ..)| t.trim().to_lowercase() == key)
            {
                Some(m) => *m = (it.text.clone(), it.status.clone(), s, at),
                None => merged.push((it.text.clone(), it.status.clone(), s, at)),
            }
        }
    }
    let mut first_in_progress = None;
    for (text, status, s, at) in merged {
        let t = crate::ui::excerpt(&text, QUOTE_CHARS);
        match status.as_str() {
            "completed" => decided.push(item(at, format!("Done (plan): {t}"), cite(s, at))),
            "in_progress" => {
                if first_in_progress.is_none() {
                    first_in_progress = Some((t.clone(), s, at));
                }
                open.push(item(at, format!("In progress (plan): {t}"), cite(s, at)));
            }
            _ => open.push(item(at, format!("To do (plan): {t}"), cite(s, at))),
        }
    }
    if let Some((t, s, at)) = first_in_progress {
        resume.push(item(
            at,
            format!("The plan item in progress: {t}"),
            cite(s, at),
        ));
    }
}

/// The files the sessions touched, most recently touched first, with snippets.
fn file_entries(
    edits: &[EditRec],
    tree: &Tree,
    cite: &dyn Fn(usize, Option<Millis>) -> Cite,
) -> Vec<FileEntry> {
    let tree_ok = tree_has_edited_files(edits, tree);
    let mut order: Vec<&str> = Vec::new();
    let mut by_file: HashMap<&str, Vec<&EditRec>> = HashMap::new();
    for e in edits {
        let Some(rel) = e.rel.as_deref() else {
            continue;
        };
        if rel.starts_with(".prompts/") {
            continue;
        }
        if !by_file.contains_key(rel) {
            order.push(rel);
        }
        by_file.entry(rel).or_default().push(e);
    }
    let mut out: Vec<FileEntry> = order
        .into_iter()
        .filter_map(|rel| {
            let list = &by_file[rel];
            let count = |f: EditFate| list.iter().filter(|e| e.fate == f).count();
            let last = list.iter().max_by_key(|e| e.idx)?;
            Some(FileEntry {
                path: rel.to_string(),
                state: match tree.state(rel) {
                    FileState::Missing if !tree_ok => FileState::Elsewhere,
                    st => st,
                },
                applied: count(EditFate::Applied),
                declined: count(EditFate::Declined),
                failed: count(EditFate::Failed),
                last: cite(last.s, last.at),
                snippet: snippet(rel, list, tree),
            })
        })
        .collect();
    let last_idx = |f: &FileEntry| {
        by_file[f.path.as_str()]
            .iter()
            .map(|e| e.idx)
            .max()
            .unwrap_or(0)
    };
    out.sort_by_key(|f| std::cmp::Reverse(last_idx(f)));
    out
}

/// The changed regions of a file (where applied edits' text is now, and uncommitted hunks),
/// with context; the whole file when it is short.
fn snippet(rel: &str, edits: &[&EditRec], tree: &Tree) -> Option<Snippet> {
    let text = tree.text(rel)?;
    let lines = &text.lines;
    let lang = language(rel);
    if lines.is_empty() {
        return None;
    }
    if lines.len() <= WHOLE_FILE_LINES {
        return Some(Snippet {
            lang,
            whole: true,
            total: lines.len(),
            blocks: vec![(1, lines.clone())],
            cut: 0,
        });
    }
    // Regions (0-based, end exclusive), most recent first so the bound keeps the latest work.
    let mut regions: Vec<(usize, usize)> = Vec::new();
    for e in edits.iter().rev().filter(|e| e.fate == EditFate::Applied) {
        if let Some((start, _)) = locate(lines, e.edit) {
            let len = e.edit.after.lines().count().max(1);
            regions.push((start, (start + len).min(lines.len())));
        }
    }
    for (start, count) in tree.hunks(rel) {
        let s = start.saturating_sub(1).min(lines.len().saturating_sub(1));
        regions.push((s, (s + count).min(lines.len())));
    }
    if regions.is_empty() {
        return None;
    }
    let mut chosen: Vec<(usize, usize)> = Vec::new();
    let mut shown = 0;
    let mut cut = 0;
    for (a, b) in regions {
        let (a, b) = (a.saturating_sub(CONTEXT), (b + CONTEXT).min(lines.len()));
        let extra = merged_len(&chosen, (a, b)) - merged_len(&chosen, (0, 0));
        if shown + extra > SNIPPET_LINES {
            cut += b - a;
            continue;
        }
        chosen.push((a, b));
        shown = merged_len(&chosen, (0, 0));
    }
    let merged = merge(chosen);
    Some(Snippet {
        lang,
        whole: false,
        total: lines.len(),
        blocks: merged
            .into_iter()
            .map(|(a, b)| (a + 1, lines[a..b].to_vec()))
            .collect(),
        cut,
    })
}

fn merge(mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.retain(|(a, b)| a < b);
    ranges.sort();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (a, b) in ranges {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn merged_len(ranges: &[(usize, usize)], extra: (usize, usize)) -> usize {
    let mut all = ranges.to_vec();
    all.push(extra);
    merge(all).iter().map(|(a, b)| b - a).sum()
}

/// Where an edit's text is in `lines`: (0-based first line of the block, 1-based number of the
/// first line it wrote). Matches line by line ignoring indentation changes; `None` when no
/// line of the block is found.
pub fn locate(lines: &[String], edit: &Edit) -> Option<(usize, usize)> {
    let want: Vec<&str> = edit.after.lines().collect();
    // Anchor on a line long enough to be distinctive; a block of only short lines (`e`, `F`)
    // anchors on its first line and counts only where the whole block matches.
    let (anchor, whole_only) = match want.iter().position(|l| l.trim().len() >= 3) {
        Some(a) => (a, false),
        None => (want.iter().position(|l| !l.trim().is_empty())?, true),
    };
    let before: HashSet<&str> = edit.before.lines().map(str::trim).collect();
    let wrote = want
        .iter()
        .position(|l| !l.trim().is_empty() && !before.contains(l.trim()))
        .unwrap_or(anchor);
    let mut best: Option<(usize, usize)> = None;
    let mut tried = 0;
    for (i, l) in lines.iter().enumerate() {
        if l.trim() != want[anchor].trim() || i < anchor {
            continue;
        }
        tried += 1;
        let start = i - anchor;
        let score = want
            .iter()
            .enumerate()
            .filter(|(j, w)| lines.get(start + j).is_some_and(|l| l.trim() == w.trim()))
            .count();
        if best.is_none_or(|(_, b)| score > b) {
            best = Some((start, score));
        }
        if score == want.len() || tried > 64 {
            break;
        }
    }
    best.filter(|(_, score)| !whole_only || *score == want.len())
        .map(|(start, _)| (start, (start + wrote + 1).min(lines.len().max(1))))
}

/// The first line an edit wrote that is not blank, trimmed, cut short.
fn first_written(edit: &Edit) -> Option<String> {
    crate::attribution::written_lines(edit)
        .into_iter()
        .find(|l| l.trim().len() >= 2)
        .map(|l| crate::ui::excerpt(l.trim(), 80))
}

/// Text for inside single backticks: backticks become quotes.
pub fn inline_code(s: &str) -> String {
    s.replace('`', "'")
}

/// At most `max` characters, newlines kept, `…` when cut.
pub fn clip(s: &str, max: usize) -> String {
    let t = s.trim();
    if t.chars().count() <= max {
        return t.to_string();
    }
    let mut out: String = t.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The last `n` lines of a text.
fn tail_lines(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.trim_end().lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn language(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "rs" => "rust",
        "py" => "python",
        "js" | "mjs" | "cjs" => "javascript",
        "ts" | "mts" => "typescript",
        "tsx" => "tsx",
        "jsx" => "jsx",
        "go" => "go",
        "java" => "java",
        "kt" | "kts" => "kotlin",
        "rb" => "ruby",
        "c" | "h" => "c",
        "cc" | "cpp" | "cxx" | "hpp" | "hh" => "cpp",
        "cs" => "csharp",
        "swift" => "swift",
        "php" => "php",
        "sh" | "bash" => "bash",
        "md" => "markdown",
        "json" => "json",
        "yaml" | "yml" => "yaml",
        "toml" => "toml",
        "html" => "html",
        "css" => "css",
        "sql" => "sql",
        _ => "",
    }
}

mod defs;
mod done;
mod talk;

use talk::{
    agent_choice, answer_gist, denial, expected_failure, last_sentences, plan_points,
    question_or_last,
};
pub use talk::{
    directives, is_confirmation, is_correction, is_plan_text, is_question, next_step, questions,
    sentences,
};

#[cfg(test)]
mod quality;
#[cfg(test)]
mod tests;
