//! `git drift handoff` (also `git-drift-handoff`): write a brief of the task in progress for
//! another agent, optionally compacted by an LLM and injected as a native session. The steps
//! are [`crate::handoff`]'s modules; this file strings them together and reports.

use crate::commands::Ctx;
use crate::error::{Error, Result, out_err};
use crate::handoff::{self, compact, extract, files, inject, list, render, scope};
use crate::model::{Millis, Target};
use crate::store::Store;
use std::io::Write;
use std::path::PathBuf;

/// `git drift handoff`: write a brief of the task in progress for another agent.
#[derive(Debug, clap::Parser)]
#[command(
    name = "git-drift-handoff",
    bin_name = "git drift handoff",
    version,
    max_term_width = 100,
    args_conflicts_with_subcommands = true
)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
    /// Sessions of this branch (default: the current branch)
    #[arg(long, value_name = "BRANCH", conflicts_with = "session")]
    pub branch: Option<String>,
    /// Only what happened at or after TIME (2026-01-15, '2026-01-15 09:30', '2 hours ago')
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only this session (an id or a unique prefix of it)
    #[arg(long, value_name = "ID")]
    pub session: Option<String>,
    /// The latest session of this agent in this repository (claude-code, codex)
    #[arg(long, value_name = "AGENT", conflicts_with_all = ["session", "branch"])]
    pub from: Option<crate::model::Agent>,
    /// Show what would be written or injected, and the brief, without writing anything
    #[arg(long)]
    pub dry_run: bool,
    /// The agent that takes over (default: handoff.to in config, else generic)
    #[arg(long, value_name = "AGENT")]
    pub to: Option<Target>,
    /// Write the brief here instead of .prompts/handoffs/
    #[arg(long, short, value_name = "PATH", conflicts_with = "print")]
    pub output: Option<PathBuf>,
    /// With --output: replace the file if it exists
    #[arg(long, requires = "output")]
    pub force: bool,
    /// Print the brief on stdout instead of writing a file
    #[arg(long)]
    pub print: bool,
    /// No progress lines on stderr
    #[arg(long, short)]
    pub quiet: bool,
    /// Compact the brief with the LLM configured in handoff.llm (anthropic, openai, ollama)
    #[arg(long, value_name = "PROVIDER", num_args = 0..=1, default_missing_value = "")]
    pub llm: Option<String>,
    /// With --llm: the model to use (default: handoff.llm.model, else the provider's default:
    /// claude-sonnet-4-5, gpt-4.1-mini, llama3.1:8b)
    #[arg(long, value_name = "MODEL", requires = "llm")]
    pub model: Option<String>,
    /// Also create a native session of the target agent that starts with the brief
    #[arg(long)]
    pub inject: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// List the briefs written so far, with their scope and target
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// Run `git drift handoff`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    if let Some(Action::List { json }) = &args.action {
        return list::print(&ctx.repo()?.root, *json, out);
    }
    let repo = ctx.repo()?;
    let config = ctx.config()?;
    let target = args.to.unwrap_or(config.handoff.to);
    if args.inject && target.injectable().is_none() {
        return Err(Error::user(format!(
            "--inject cannot create a {target} session: git drift writes native sessions for \
             claude-code and codex only (run without --inject and paste the brief)"
        )));
    }
    ctx.ui.set_quiet(args.quiet);
    let now = handoff::now_millis();
    let since = since(args, now)?;

    ctx.ui.progress("scanning transcripts");
    let store = ctx.captured_store(false)?;
    let spec = scope::Spec::requested(
        repo,
        &store,
        args.from,
        args.session.as_deref(),
        args.branch.as_deref(),
        since,
    )?;
    let material = scope::resolve(repo, &store, &spec)?;
    let n = material.sessions.len() + material.noted.len();
    ctx.ui.progress(&format!(
        "extracting from {n} {}",
        if n == 1 { "session" } else { "sessions" }
    ));
    let tree = files::Tree::load(repo, &material)?;
    let redactor = config.redactor()?;

    let path = match (&args.output, args.print) {
        (_, true) => None,
        (Some(p), false) => Some(handoff::absolute(p)?),
        (None, false) => Some(handoff::default_path(
            &repo.root,
            &material.label,
            target,
            now,
        )),
    };
    let injection = match target.injectable().filter(|_| args.inject) {
        Some(agent) => Some(inject::Plan::new(
            agent,
            &config.agent(agent).home,
            &repo.root,
            now,
        )?),
        None => None,
    };
    let meta = extract::Meta {
        scope: material.describe(),
        branch: material.branch.clone(),
        target,
        created: now,
        root: repo.root.clone(),
        brief_path: path.clone(),
        resume: injection.as_ref().map(|p| p.resume_command()),
    };
    let brief = extract::extract(&material, &tree, meta);
    let budget = config.handoff.brief_tokens as usize;
    let deterministic = render::render_to_string(&brief, budget)?;
    let mut text = redactor.redact(&deterministic).into_owned();
    if let Some(provider) = args.llm.as_deref() {
        let cfg = compact::resolve_config(&config.handoff.llm, provider, args.model.as_deref());
        let result = cfg.and_then(|cfg| {
            ctx.ui.progress(&format!(
                "compacting with {} {} at {}",
                cfg.provider,
                cfg.model,
                cfg.base_url()
            ));
            compact::compact(&cfg, &brief, &deterministic, &material, &redactor, budget)
        });
        match result {
            Ok(done) => {
                ctx.ui.line(&done.report());
                text = redactor.redact(&done.text).into_owned();
            }
            Err(why) => ctx.ui.warn(&format!(
                "LLM compaction failed: {why}; using the deterministic brief"
            )),
        }
    }

    if args.dry_run {
        let said = handoff::dry_run::report(path.as_deref(), injection.as_ref(), &text, &repo.root);
        out.write_all(said.as_bytes()).map_err(out_err)?;
        return out.write_all(text.as_bytes()).map_err(out_err);
    }
    match &path {
        None => out.write_all(text.as_bytes()).map_err(out_err)?,
        Some(p) => {
            let written = handoff::write_brief(p, &text, args.output.is_some(), args.force)?;
            // Always on stdout, terminal or not: scripts and agents run this and need the path
            // (`$(git drift handoff)`), relative to where they are when it is below.
            writeln!(out, "{}", handoff::shown(&written, ctx.cwd())).map_err(out_err)?;
        }
    }
    if let Some(plan) = injection {
        inject_session(
            ctx,
            &store,
            &plan,
            &text,
            material.branch.as_deref(),
            args,
            out,
        )?;
    }
    Ok(())
}

/// The `--since` bound, read against the brief's clock (`SOURCE_DATE_EPOCH` when set).
fn since(args: &Args, now: Millis) -> Result<Option<Millis>> {
    let now = jiff::Timestamp::from_millisecond(now).unwrap_or_else(|_| jiff::Timestamp::now());
    args.since
        .as_deref()
        .map(|s| crate::util::timefmt::parse_since(s, now))
        .transpose()
}

/// Write the native session that starts with the brief and say how to resume it.
fn inject_session(
    ctx: &Ctx,
    store: &Store,
    plan: &inject::Plan,
    brief: &str,
    branch: Option<&str>,
    args: &Args,
    out: &mut dyn Write,
) -> Result<()> {
    let repo = ctx.repo()?;
    let head = repo.git_opt(&["rev-parse", "--verify", "--quiet", "HEAD"])?;
    let written = plan.write(&inject::Session {
        brief,
        branch,
        commit: head.as_deref().map(str::trim),
        model: inject::last_model(store, plan.agent)?,
    })?;
    let line = format!(
        "created {} session {} ({})\nresume it with: cd {} && {}",
        plan.agent,
        plan.id,
        written.display(),
        handoff::shell_quote(&repo.root.to_string_lossy()),
        plan.resume_command()
    );
    // stdout carries the brief under --print; the resume command must not mix into it.
    if args.print {
        ctx.ui.line(&line);
        Ok(())
    } else {
        writeln!(out, "{line}").map_err(out_err)
    }
}
