//! The watcher's loop: watch the agents' homes with `notify`, debounce bursts, route each
//! change to the registered repositories whose agents read that home, and capture those
//! incrementally.
//!
//! Routing by cwd is capture's own: a repository's capture discovers only the sources that
//! may hold its sessions (Claude's project directories are named after the cwd) and stores
//! only the sessions whose cwd lies in its worktree, so a change is offered to every
//! repository that reads the home it happened in, and each keeps what is its own.
//!
//! The post-commit hook and a manual `git drift capture` may write the same store at the same
//! time. Capture is idempotent (content-derived event ids, offsets per source), so the only
//! risk is SQLite's busy error; the watcher retries it with a backoff and never reports it
//! unless it persists for a long time.

use crate::capture::{self, Stats};
use crate::config::{Config, Env};
use crate::error::{Error, Result};
use crate::model::Agent;
use crate::store::Store;
use crate::watch::{registry, state::StateDir};
use notify::{EventKind, RecursiveMode, Watcher};
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How the loop runs.
#[derive(Debug, Clone)]
pub struct Options {
    pub env: Env,
    pub state: StateDir,
    /// A burst is over after this long without a change.
    pub quiet: Duration,
    /// …or this long after its first change, so a file written without pause is still
    /// captured while it grows.
    pub max_wait: Duration,
    /// Capture everything this often even without a change (a missed notification, a home
    /// that appeared): cheap, one `stat` per source file.
    pub rescan: Duration,
}

impl Options {
    /// The defaults: 100 ms quiet, 500 ms at most, a rescan a minute.
    pub fn new(env: Env, state: StateDir) -> Options {
        Options {
            env,
            state,
            quiet: Duration::from_millis(100),
            max_wait: Duration::from_millis(500),
            rescan: Duration::from_secs(60),
        }
    }
}

/// What the loop tells its caller.
#[derive(Debug)]
pub enum Report<'a> {
    /// The repositories now watched and the homes watched for them.
    Watching {
        repos: &'a [PathBuf],
        homes: &'a [PathBuf],
    },
    /// A capture of `root` stored something.
    Captured { root: &'a Path, stats: &'a Stats },
    /// Something went wrong with one repository or home; the loop goes on.
    Warning(String),
}

/// One registered repository and the homes its enabled agents read.
#[derive(Debug, Clone)]
struct Target {
    root: PathBuf,
    agents: Vec<(Agent, PathBuf)>,
}

/// The registered repositories that are still set up, with their agents (warnings for the
/// others).
fn targets(opts: &Options, report: &mut dyn FnMut(Report<'_>)) -> Result<Vec<Target>> {
    let mut out = Vec::new();
    for root in registry::list(&opts.state)? {
        if !root.join(".prompts").is_dir() {
            report(Report::Warning(format!(
                "{}: not set up any more (no .prompts/); skipped (run `git drift init` there, \
                 or `git drift init --uninstall` to unregister it)",
                root.display()
            )));
            continue;
        }
        match Config::load(&root, &opts.env) {
            Ok(config) => {
                let agents = Agent::ALL
                    .into_iter()
                    .filter_map(|a| {
                        let c = config.agent(a);
                        c.enabled.then(|| (a, c.home.clone()))
                    })
                    .collect();
                out.push(Target { root, agents });
            }
            Err(e) => report(Report::Warning(format!("{}: {e}; skipped", root.display()))),
        }
    }
    Ok(out)
}

/// Whether an error is SQLite saying another process holds the database.
fn is_busy(e: &Error) -> bool {
    match e {
        Error::Store { source, .. } => matches!(
            source.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        ),
        Error::Hinted { error, .. } => is_busy(error),
        _ => false,
    }
}

/// Capture one repository, retrying while another writer holds its store (the store's own
/// busy timeout covers most waits; this covers a long capture or hook holding it longer).
pub fn capture_repo(root: &Path, env: &Env) -> Result<Stats> {
    let mut delay = Duration::from_millis(50);
    let mut waited = Duration::ZERO;
    loop {
        match capture_once(root, env) {
            Err(e) if is_busy(&e) && waited < Duration::from_secs(120) => {
                std::thread::sleep(delay);
                waited += delay;
                delay = (delay * 2).min(Duration::from_secs(2));
            }
            r => return r,
        }
    }
}

fn capture_once(root: &Path, env: &Env) -> Result<Stats> {
    let config = Config::load(root, env)?;
    let agents = Agent::ALL
        .into_iter()
        .filter_map(|a| {
            let c = config.agent(a);
            c.enabled.then(|| (a, c.home.clone()))
        })
        .collect();
    let mut store = Store::open_in(&root.join(".prompts"))?;
    capture::capture(
        &mut store,
        root,
        capture::Options {
            agents,
            since: None,
            redactor: &|| config.redactor(),
            budget: None,
            progress: None,
        },
    )
}

/// The homes to watch for these targets, each once.
fn homes(targets: &[Target]) -> Vec<PathBuf> {
    let set: BTreeSet<PathBuf> = targets
        .iter()
        .flat_map(|t| t.agents.iter().map(|(_, h)| h.clone()))
        .collect();
    set.into_iter().collect()
}

/// Whether a notification can mean new transcript bytes. Reads (our own capture's among them)
/// and metadata changes cannot; reacting to them would loop.
fn relevant(kind: &EventKind) -> bool {
    !matches!(
        kind,
        EventKind::Access(_) | EventKind::Modify(notify::event::ModifyKind::Metadata(_))
    )
}

/// The loop's state: what is registered and what is watched.
struct Loop<'o> {
    opts: &'o Options,
    watcher: notify::RecommendedWatcher,
    targets: Vec<Target>,
    watched: HashSet<PathBuf>,
}

impl Loop<'_> {
    /// Re-read the registry and watch the homes not watched yet (homes that do not exist yet
    /// are tried again at the next rescan).
    fn reload(&mut self, report: &mut dyn FnMut(Report<'_>)) -> Result<()> {
        self.targets = targets(self.opts, report)?;
        let homes = homes(&self.targets);
        for home in &homes {
            if self.watched.contains(home) || !home.is_dir() {
                continue;
            }
            match self.watcher.watch(home, RecursiveMode::Recursive) {
                Ok(()) => {
                    self.watched.insert(home.clone());
                }
                Err(e) => report(Report::Warning(format!(
                    "cannot watch {}: {e}",
                    home.display()
                ))),
            }
        }
        let repos: Vec<PathBuf> = self.targets.iter().map(|t| t.root.clone()).collect();
        let shown: Vec<PathBuf> = homes
            .into_iter()
            .filter(|h| self.watched.contains(h))
            .collect();
        report(Report::Watching {
            repos: &repos,
            homes: &shown,
        });
        Ok(())
    }

    /// Capture the given repositories (all when `None`), reporting what was stored.
    fn capture(&self, only: Option<&HashSet<PathBuf>>, report: &mut dyn FnMut(Report<'_>)) {
        for t in &self.targets {
            if only.is_some_and(|o| !o.contains(&t.root)) {
                continue;
            }
            match capture_repo(&t.root, &self.opts.env) {
                Ok(stats) if stats.events > 0 => report(Report::Captured {
                    root: &t.root,
                    stats: &stats,
                }),
                Ok(_) => {}
                Err(e) => report(Report::Warning(format!(
                    "{}: capture: {e}",
                    t.root.display()
                ))),
            }
        }
    }

    /// The repositories a change of `paths` concerns, and whether the registry changed.
    fn route(&self, paths: &[PathBuf], dirty: &mut HashSet<PathBuf>) -> bool {
        let registry = self.opts.state.registry();
        let mut reload = false;
        for p in paths {
            if p == &registry {
                reload = true;
            }
            for t in &self.targets {
                if t.agents.iter().any(|(_, h)| p.starts_with(h)) {
                    dirty.insert(t.root.clone());
                }
            }
        }
        reload
    }
}

/// Run the watcher until the process is stopped (or the notification channel breaks).
pub fn run(opts: &Options, report: &mut dyn FnMut(Report<'_>)) -> Result<()> {
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx)
        .map_err(|e| Error::other_from("cannot start watching files", e))?;
    opts.state.create()?;
    watcher
        .watch(&opts.state.0, RecursiveMode::NonRecursive)
        .map_err(|e| Error::other_from(format!("cannot watch {}", opts.state.0.display()), e))?;
    let mut lp = Loop {
        opts,
        watcher,
        targets: Vec::new(),
        watched: HashSet::new(),
    };
    lp.reload(report)?;
    lp.capture(None, report);
    let mut last_scan = Instant::now();
    loop {
        let first = match rx.recv_timeout(opts.rescan) {
            Ok(ev) => ev,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                lp.reload(report)?;
                lp.capture(None, report);
                last_scan = Instant::now();
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Error::other("the file watcher stopped"));
            }
        };
        let (dirty, reload) = debounce(&lp, &rx, first, opts, report);
        if reload || last_scan.elapsed() > opts.rescan {
            lp.reload(report)?;
            lp.capture(None, report);
            last_scan = Instant::now();
        } else if !dirty.is_empty() {
            lp.capture(Some(&dirty), report);
        }
    }
}

/// Gather a burst of notifications: until `quiet` passes without one, or `max_wait` after the
/// first. Returns the repositories concerned and whether the registry changed.
fn debounce(
    lp: &Loop<'_>,
    rx: &mpsc::Receiver<notify::Result<notify::Event>>,
    first: notify::Result<notify::Event>,
    opts: &Options,
    report: &mut dyn FnMut(Report<'_>),
) -> (HashSet<PathBuf>, bool) {
    let start = Instant::now();
    let mut dirty = HashSet::new();
    let mut reload = false;
    let mut next = Some(first);
    while let Some(ev) = next.take() {
        match ev {
            Ok(ev) if relevant(&ev.kind) => reload |= lp.route(&ev.paths, &mut dirty),
            Ok(_) => {}
            // An overflowed queue lost changes: capture everything.
            Err(e) => {
                report(Report::Warning(format!(
                    "file notifications: {e}; rescanning"
                )));
                reload = true;
            }
        }
        let left = opts.max_wait.saturating_sub(start.elapsed());
        if left.is_zero() {
            break;
        }
        next = rx.recv_timeout(opts.quiet.min(left)).ok();
    }
    (dirty, reload)
}
