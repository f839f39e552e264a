//! [`Ctx`]: everything a command needs, opened lazily and once — the repository, its
//! configuration, the store (opened, then brought up to date by an incremental capture, in
//! one place), where progress and warnings go, paging and colour.
//!
//! It lives here, below the dispatch in [`crate::cli`], so that commands never import upward.

use crate::capture;
use crate::config::{Config, Env};
use crate::error::{Error, Result};
use crate::model::{Agent, Millis};
use crate::store::Store;
use crate::ui::{self, Pager, Paint, Ui};
use crate::util::git::Repo;
use std::cell::{OnceCell, RefCell, RefMut};
use std::io::Write;
use std::path::PathBuf;

/// Everything a command working on the current repository needs.
pub struct Ctx {
    cwd: PathBuf,
    env: Env,
    /// Whether the output the command is given is the process's own terminal: only then are a
    /// pager started and colour used by default.
    terminal: bool,
    /// Progress lines and warnings.
    pub ui: Ui,
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
            program: None,
            repo: OnceCell::new(),
            config: OnceCell::new(),
            store: RefCell::new(None),
            captured: std::cell::Cell::new(false),
        }
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
            on: !json && ui::use_color(Some(self.repo()?), self.terminal),
        })
    }

    /// Run a query command's printer on the pager when the output is a terminal (else on
    /// `out`), with colour decided the git way; JSON is never paged nor coloured.
    pub fn paged(
        &self,
        out: &mut dyn Write,
        json: bool,
        no_pager: bool,
        print: impl FnOnce(&mut dyn Write, Paint) -> Result<()>,
    ) -> Result<()> {
        let paint = self.paint(json)?;
        let pager = if self.terminal && !json && !no_pager {
            Pager::start(Some(self.repo()?))
        } else {
            None
        };
        match pager {
            Some(mut p) => {
                let r = print(&mut p, paint);
                p.finish();
                r
            }
            None => print(out, paint),
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
