//! `handoff --dry-run`: what a run would write or inject, said before the brief itself, with
//! nothing written (no brief file, no native session).

use super::inject;
use super::render::CHARS_PER_TOKEN;
use std::path::Path;

/// The lines that open a dry run's output: where the brief would go, the session `--inject`
/// would create and how to resume it, and the brief's size.
pub fn report(
    path: Option<&Path>,
    injection: Option<&inject::Plan>,
    text: &str,
    root: &Path,
) -> String {
    let chars = text.chars().count();
    let mut out = String::from("<!-- dry run: nothing was written\n");
    match path {
        Some(p) => out.push_str(&format!("would write {}", super::shown(p, root))),
        None => out.push_str("would print the brief"),
    }
    out.push_str(&format!(
        " ({chars} characters, ~{} tokens)\n",
        chars / CHARS_PER_TOKEN
    ));
    if let Some(plan) = injection {
        out.push_str(&format!(
            "would create {} session {} at {}\nresume it with: {}\n",
            plan.agent,
            plan.id,
            plan.path().display(),
            plan.resume_command()
        ));
    }
    out.push_str("-->\n");
    out
}
