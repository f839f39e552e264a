//! [`Ctx`]: everything a command needs, opened lazily and once — the repository, its
//! configuration, the store (opened, then brought up to date by an incremental capture, in
//! one place), where progress and warnings go, paging and colour.
//!
//! It lives here, below the dispatch in [`crate::cli`], so that commands never import upward.

use crate::capture;
use crate::config::{Config, Env};
use crate::error::{Error, Result};
use crate::model::{Agent, Millis};
use crate::redact::Redacting;
use crate::store::Store;
use crate::ui::{self, Pager, Paint, Ui};
use crate::util::git::Repo;
use std::cell::{OnceCell, RefCell, RefMut};
use std::io::Write;
use std::path::PathBuf;

/// What a read-only command says where `git drift init` never ran.
pub const NOT_SET_UP: &str =
    "git drift: not set up: run `git drift init` (answering without writing .prompts/)";

/// The options every command takes, before or after its name (`git drift --no-pager log`,
/// `git drift log --color=always`).
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct OutputArgs {
    /// Colour the output: auto (a terminal, unless NO_COLOR, CLICOLOR=0 or color.ui say
    /// otherwise; CLICOLOR_FORCE forces it), always or never
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ui::ColorWhen::Auto)]
    pub color: ui::ColorWhen,
    /// Do not page the output
    #[arg(long, global = true)]
    pub no_pager: bool,
}

/// Everything a command working on the current repository needs.
pub struct Ctx {
    cwd: PathBuf,
    env: Env,
    /// Whether the output the command is given is the process's own terminal: only then are a
    /// pager started and colour used by default.
    terminal: bool,
    /// Progress lines and warnings.
    pub ui: Ui,
    /// `--color` and `--no-pager`, given before or after the command name.
    output: OutputArgs,
    /// The clap definition of the whole program, for commands that describe it (man pages).
    program: Option<fn() -> clap::Command>,
    repo: OnceCell<Repo>,
    config: OnceCell<Config>,
    store: RefCell<Option<Store>>,
    captured: std::cell::Cell<bool>,
}

impl Ctx {
    /// A context for the process: the current directory, the process environment, stderr,
    /// and stdout's terminal-ness.
    pub fn from_process() -> Ctx {
        use std::io::IsTerminal;
        // A vanished current directory is reported by discovery, where it matters.
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        Ctx::new(
            cwd,
            Env::from_process(),
            Ui::stderr(),
            std::io::stdout().is_terminal(),
        )
    }

    /// A context for a command run in `cwd` (tests run commands in-process this way).
    pub fn new(cwd: PathBuf, env: Env, ui: Ui, terminal: bool) -> Ctx {
        Ctx {
            cwd,
            env,
            terminal,
            ui,
            output: OutputArgs::default(),
            program: None,
            repo: OnceCell::new(),
            config: OnceCell::new(),
            store: RefCell::new(None),
            captured: std::cell::Cell::new(false),
        }
    }

    /// Tell the context the `--color` and `--no-pager` the command line gave.
    pub fn with_output(mut self, output: OutputArgs) -> Ctx {
        self.output = output;
        self
    }

    /// Tell the context the clap definition of the whole program.
    pub fn with_program(mut self, program: fn() -> clap::Command) -> Ctx {
        self.program = Some(program);
        self
    }

    /// The clap definition of the whole program.
    pub fn program(&self) -> Result<clap::Command> {
        self.program
            .map(|p| p())
            .ok_or_else(|| Error::other("the program's definition was not given to the context"))
    }

    /// The environment configuration is read with.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// The directory the command was started in.
    pub fn cwd(&self) -> &std::path::Path {
        &self.cwd
    }

    /// The repository containing the current directory.
    pub fn repo(&self) -> Result<&Repo> {
        if let Some(r) = self.repo.get() {
            return Ok(r);
        }
        let repo = Repo::discover(&self.cwd)?;
        Ok(self.repo.get_or_init(|| repo))
    }

    /// The merged configuration of the repository.
    pub fn config(&self) -> Result<&Config> {
        if let Some(c) = self.config.get() {
            return Ok(c);
        }
        let config = Config::load(&self.repo()?.root, &self.env)?;
        Ok(self.config.get_or_init(|| config))
    }

    /// The store, creating `.prompts/` if needed — with its `.gitignore`, so a hook running in
    /// a worktree nobody ran `init` in never leaves the database for `git add`.
    pub fn store(&self) -> Result<RefMut<'_, Store>> {
        let mut slot = self.store.borrow_mut();
        if slot.is_none() {
            let dir = self.repo()?.prompts_dir();
            let ignore = dir.join(".gitignore");
            if !ignore.exists() {
                std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
                std::fs::write(&ignore, crate::init::GITIGNORE)
                    .map_err(|e| Error::io(&ignore, e))?;
            }
            let store = Store::open_in(&dir).map_err(|e| match e {
                // The database itself is unreadable (corrupt, or another tool's file).
                Error::Store { .. } => e.with_hint(
                    "move .prompts/events.db aside and run `git drift capture` to rebuild it \
                     from the transcripts",
                ),
                e => e,
            })?;
            *slot = Some(store);
        }
        RefMut::filter_map(slot, Option::as_mut).map_err(|_| Error::other("the store did not open"))
    }

    /// The store after an incremental capture of every enabled agent (done once per context),
    /// with a progress bar on an interactive stderr when `progress`.
    pub fn captured_store(&self, progress: bool) -> Result<RefMut<'_, Store>> {
        let mut store = self.store()?;
        if !self.captured.get() {
            self.capture(&mut store, None, None, progress)?;
        }
        Ok(store)
    }

    /// The store for a read-only command: [`Ctx::captured_store`] where git drift is set up;
    /// elsewhere a store in memory filled by the same capture, so that a query answers without
    /// creating `.prompts/`, and one line on the ui says how to set up.
    pub fn query_store(&self) -> Result<RefMut<'_, Store>> {
        if self.repo()?.prompts_dir().is_dir() {
            return self.captured_store(false);
        }
        {
            let mut slot = self.store.borrow_mut();
            if slot.is_none() {
                self.ui.line(NOT_SET_UP);
                *slot = Some(Store::open(std::path::Path::new(":memory:"))?);
            }
        }
        self.captured_store(false)
    }

    /// Unique short ids for `shown` among every session the store knows (read without a
    /// capture, and only where `.prompts/` exists), so that any id printed resolves. Call it
    /// while the store is not borrowed.
    pub fn short_ids<'a>(
        &self,
        shown: impl IntoIterator<Item = &'a str>,
    ) -> Result<crate::util::text::ShortIds> {
        let open = self.store.try_borrow().is_ok_and(|s| s.is_some());
        let mut all: Vec<String> = if open || self.repo()?.prompts_dir().is_dir() {
            self.store()?
                .sessions(None)?
                .into_iter()
                .map(|s| s.session.info.id)
                .collect()
        } else {
            Vec::new()
        };
        all.extend(shown.into_iter().map(String::from));
        Ok(crate::util::text::ShortIds::new(
            all.iter().map(String::as_str),
        ))
    }

    /// The enabled agents (optionally only one) with their homes.
    pub fn agents(&self, only: Option<Agent>) -> Result<Vec<(Agent, PathBuf)>> {
        let config = self.config()?;
        Ok(Agent::ALL
            .into_iter()
            .filter(|a| only.is_none_or(|o| o == *a))
            .filter_map(|a| {
                let c = config.agent(a);
                c.enabled.then(|| (a, c.home.clone()))
            })
            .collect())
    }

    /// Attribute `commit` and write its note, with this repository's redaction and privacy.
    pub fn bind(
        &self,
        store: &mut Store,
        redactor: &crate::redact::Redactor,
        commit: &str,
    ) -> Result<crate::attribution::bind::Outcome> {
        let privacy = self.config()?.privacy;
        crate::attribution::bind::bind(self.repo()?, store, redactor, privacy, commit)
    }

    /// The colours for output written to the command's `out`; never for JSON.
    pub fn paint(&self, json: bool) -> Result<Paint> {
        Ok(Paint {
            on: !json && ui::use_color(Some(self.repo()?), self.terminal, self.output.color),
        })
    }

    /// Run a query command's printer on the pager when the output is a terminal (else on
    /// `out`), with colour decided the git way; JSON is never paged nor coloured.
    pub fn paged(
        &self,
        out: &mut dyn Write,
        json: bool,
        print: impl FnOnce(&mut dyn Write, Paint) -> Result<()>,
    ) -> Result<()> {
        let paint = self.paint(json)?;
        let pager = if self.terminal && !json && !self.output.no_pager {
            Pager::start(Some(self.repo()?))
        } else {
            None
        };
        // What a query prints passes the redactor (rows stored before a shape existed, notes
        // from teammates, a file's own lines).
        match pager {
            Some(mut p) => {
                let mut red = Redacting::new(&mut p);
                let r = print(&mut red, paint);
                drop(red);
                p.finish();
                r
            }
            None => {
                let mut red = Redacting::new(out);
                let r = print(&mut red, paint);
                let flushed = red.flush().map_err(crate::error::out_err);
                r.and(flushed)
            }
        }
    }

    /// Incremental capture of every enabled agent (or one), with optional progress.
    pub fn capture(
        &self,
        store: &mut Store,
        only: Option<Agent>,
        since: Option<Millis>,
        show_progress: bool,
    ) -> Result<capture::Stats> {
        self.capture_within(store, only, since, show_progress, None)
    }

    /// [`Ctx::capture`] that reads nothing when more than `budget` bytes are new.
    pub fn capture_within(
        &self,
        store: &mut Store,
        only: Option<Agent>,
        since: Option<Millis>,
        show_progress: bool,
        budget: Option<u64>,
    ) -> Result<capture::Stats> {
        let mut bar = self.ui.bar(show_progress);
        let mut tick = |done: u64, total: u64| bar.tick(done, total);
        let config = self.config()?;
        let stats = capture::capture(
            store,
            &self.repo()?.root,
            capture::Options {
                agents: self.agents(only)?,
                since,
                budget,
                redactor: &|| config.redactor(),
                progress: Some(&mut tick),
            },
        )?;
        bar.finish();
        if only.is_none() && since.is_none() && budget.is_none() {
            self.captured.set(true);
        }
        Ok(stats)
    }
}
