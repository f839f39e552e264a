//! Reading what people and agents wrote: whether a prompt confirms, corrects, asks or lays
//! down a rule; what a reply chose or says comes next; whether a tool result is a permission
//! denial or a failure the agent meant to show. Plain patterns, tuned on real transcripts.

use super::QUOTE_CHARS;
use regex::Regex;
use std::sync::LazyLock;

static CONFIRMATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(yes|yeah|yep|yup|y|ok|okay|sure|go ahead|go for it|do it|sounds good|lgtm|looks good|proceed|correct|right|approved?|please do|perfect|great|agreed|exactly|that works|ship it)\b",
    )
    .expect("valid regex")
});

static CORRECTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(no|nope|nah|don'?t|do not|stop|wait|not like that|not that|that'?s wrong|that is wrong|wrong|revert|undo|never)\b",
    )
    .expect("valid regex")
});

/// A rule laid down by its opening word ("use X", "keep Y", "don't Z", "always …").
static DIRECTIVE_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:please\s+|and\s+|but\s+|also\s+|ok(?:ay)?,?\s+)?(use|keep|don'?t|do not|never|always|avoid|prefer|only|make sure|stick (?:to|with)|go with|stay|leave|skip|no need to)\b",
    )
    .expect("valid regex")
});

/// A rule laid down anywhere in a sentence ("it must default to off").
static DIRECTIVE_ANY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(must|mustn'?t|should|shouldn'?t|always|never|make sure|instead of|rather than)\b",
    )
    .expect("valid regex")
});

/// A sentence that reports a problem rather than lays down a rule ("fix this: cannot use err").
static PROBLEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(^fix\b|\berror\b|\bcannot\b|\bcan'?t\b|\bfail(s|ed|ing)?\b|\bpanic|\bexception\b|traceback|\bundefined\b|\bnot found\b|\bbroken\b|\bbug\b|^\s*at\s)",
    )
    .expect("valid regex")
});

/// A prompt that opens like a question.
static ASKING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(does|do|is|are|was|were|can|could|would|will|should|shall|did|has|have|what|why|how|where|which|who|whom|when|whether|any idea|is there|are there)\b",
    )
    .expect("valid regex")
});

/// What Claude Code sends after a plan is accepted ("Implement the following plan: …").
static PLAN_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(implement|execute|carry out) (the following|this) plan\b")
        .expect("valid regex")
});

/// An agent stating a choice with its reason or the alternative it passed over.
static CHOICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(i'?ll|i will|i'?m going to|i am going to|i chose|i'?ve chosen|i decided|i went with|i'?m using|i opted|let'?s|we'?ll|going with)\b.{3,}?\b(rather than|instead of|because|so that|since)\b|\b(decided to|chose to|opted to|went with)\b",
    )
    .expect("valid regex")
});

/// A tool result that says the call was not allowed (a permission prompt or rule, a tool the
/// harness does not offer): a rejection, not a failure to retry.
static DENIAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(requires approval|permission to use .* (has been|was) denied|has been denied|was blocked by|not allowed by|no such tool available|tool .* is not available|user (denied|rejected|declined)|approval (was )?(denied|required))",
    )
    .expect("valid regex")
});

/// A reply saying the failure just seen was meant ("fails as expected", "on purpose").
static EXPECTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(as expected|expected (to fail|failure|error)|fails? as intended|intentional(ly)?|deliberate(ly)?|on purpose|demonstrat(es|ing|e) the (error|failure))\b",
    )
    .expect("valid regex")
});

static NEXT_STEP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(next|i'?ll|i will|let me|now i|i'?m going to|i am going to|then i|going to|remaining)\b",
    )
    .expect("valid regex")
});

static NEGATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(no|not|don'?t|but)\b").expect("valid regex"));

/// A short yes-like answer ("yes", "ok, go ahead"), not containing a "no". Longer prompts
/// that open with "ok" ("ok, now add tests for …") are new instructions, not confirmations.
pub fn is_confirmation(text: &str) -> bool {
    text.split_whitespace().count() <= 5 && CONFIRMATION.is_match(text) && !NEGATION.is_match(text)
}

/// A prompt that opens by telling the agent no ("no, don't…", "stop", "revert that").
pub fn is_correction(text: &str) -> bool {
    CORRECTION.is_match(text)
}

/// Sentences of a prompt that lay down a rule, each cut to a readable length: those opening
/// with an imperative of choice ("use", "keep", "don't", "always"…) or holding a "must" /
/// "should" / "rather than", and not reporting a problem.
pub fn directives(text: &str) -> Vec<String> {
    sentences(text)
        .into_iter()
        .filter(|s| {
            !s.ends_with('?')
                && (DIRECTIVE_START.is_match(s) || DIRECTIVE_ANY.is_match(s))
                && !PROBLEM.is_match(s)
        })
        .map(|s| crate::ui::excerpt(&s, QUOTE_CHARS))
        .take(5)
        .collect()
}

/// A prompt that asks rather than tells: it ends with a question, or opens like one, and lays
/// down no rule.
pub fn is_question(text: &str) -> bool {
    let all = sentences(text);
    let Some(last) = all.last() else {
        return false;
    };
    let asks = last.ends_with('?') || (all.len() == 1 && ASKING.is_match(last));
    asks && directives(text).is_empty() && !is_plan_text(text)
}

/// Harness text that hands an accepted plan to the agent.
pub fn is_plan_text(text: &str) -> bool {
    PLAN_TEXT.is_match(text)
}

/// The points of a plan: its list items (numbered or bulleted) or, failing that, its
/// headings, each cut short; at most `max`.
pub fn plan_points(text: &str, max: usize) -> Vec<String> {
    let mut points = Vec::new();
    let mut headings = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        let item = t
            .strip_prefix("- ")
            .or_else(|| t.strip_prefix("* "))
            .or_else(|| {
                let digits = t.find(|c: char| !c.is_ascii_digit())?;
                (digits > 0)
                    .then(|| {
                        t[digits..]
                            .strip_prefix(". ")
                            .or(t[digits..].strip_prefix(") "))
                    })
                    .flatten()
            });
        if let Some(i) = item {
            let i = i
                .trim()
                .trim_start_matches("[ ] ")
                .trim_start_matches("[x] ");
            if i.len() >= 3 && line.len() - line.trim_start().len() <= 3 {
                points.push(crate::ui::excerpt(i.trim_matches('*'), 140));
            }
        } else if let Some(h) = t.strip_prefix('#') {
            let h = h.trim_start_matches('#').trim();
            if !h.is_empty() && !h.eq_ignore_ascii_case("plan") {
                headings.push(crate::ui::excerpt(h, 140));
            }
        }
    }
    let mut out = if points.is_empty() { headings } else { points };
    if out.is_empty() {
        out = sentences(text)
            .into_iter()
            .filter(|s| !is_plan_text(s))
            .take(2)
            .collect();
    }
    out.truncate(max);
    out
}

/// The sentence of a reply where the agent states a choice, if any.
pub fn agent_choice(text: &str) -> Option<String> {
    sentences(text)
        .into_iter()
        .find(|s| !s.ends_with('?') && CHOICE.is_match(s))
        .map(|s| crate::ui::excerpt(&s, QUOTE_CHARS))
}

/// The gist of an answer: its first two sentences.
pub fn answer_gist(text: &str) -> String {
    let all = sentences(text);
    crate::ui::excerpt(&all[..all.len().min(2)].join(" "), QUOTE_CHARS)
}

/// Whether a tool result says the call was not allowed.
pub fn denial(output: &str) -> bool {
    DENIAL.is_match(output)
}

/// Whether a reply says the failure before it was meant.
pub fn expected_failure(reply: &str) -> bool {
    EXPECTED.is_match(reply)
}

/// Sentences of a text outside code blocks: split at `.`, `!`, `?` before a space, and at
/// line ends.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let line = line.trim().trim_start_matches(['-', '*', '>', '#']).trim();
        let mut cur = String::new();
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            cur.push(c);
            if matches!(c, '.' | '!' | '?') && chars.peek().is_none_or(|n| n.is_whitespace()) {
                if cur.trim().len() > 1 {
                    out.push(cur.trim().to_string());
                }
                cur.clear();
            }
        }
        if cur.trim().len() > 1 {
            out.push(cur.trim().to_string());
        }
    }
    out
}

/// Questions (sentences ending in `?`) of a reply.
pub fn questions(text: &str) -> Vec<String> {
    sentences(text)
        .into_iter()
        .filter(|s| s.ends_with('?'))
        .collect()
}

/// The last question of a reply, else its last sentence.
pub(super) fn question_or_last(text: &str) -> Option<String> {
    let all = sentences(text);
    all.iter()
        .rev()
        .find(|s| s.ends_with('?'))
        .or(all.last())
        .cloned()
}

/// The last sentence of a reply that says what the agent will do next.
pub fn next_step(text: &str) -> Option<String> {
    sentences(text)
        .into_iter()
        .rev()
        .find(|s| NEXT_STEP.is_match(s))
}

pub(super) fn last_sentences(text: &str) -> String {
    let all = sentences(text);
    all[all.len().saturating_sub(2)..].join(" ")
}
