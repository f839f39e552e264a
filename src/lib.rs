//! git drift: turn AI coding agents' transcripts into durable project memory stored in git.
//!
//! The layers, top to bottom; a module uses only its own layer and those below it, with no
//! import cycle (`scripts/layers.py` checks both):
//!
//! - [`cli`]: the top-level `Cli`, the `Command` enum and the one dispatch `match`.
//! - [`commands`]: one file per command (clap `Args` + `run(ctx, args, out)`), and [`commands::Ctx`].
//! - queries and actions: [`report`] (log, show), [`sessions`], [`blame`], [`handoff`], [`sync`],
//!   [`init`], [`hooks`] (installing the shims), [`status`] (status, agents).
//! - [`attribution`]: diff a commit, attribute its lines, bind it (write its note), rewrite.
//! - [`notes`]: the note format, reading, writing and merging `refs/notes/drift`.
//! - [`capture`] into the [`store`] (`.prompts/events.db`) after [`redact`]ion; [`config`]; [`llm`].
//! - [`agents`]: one reader per agent (Claude Code, Codex) turning transcripts into events.
//! - [`util`] (git, time formatting, text helpers) and [`ui`] (colour, pager, progress sink).
//! - [`model`] and [`error`]: the shared vocabulary and the typed errors.
//!
//! The binaries in `src/bin` only hand their arguments to [`cli`].

pub mod agents;
pub mod attribution;
pub mod blame;
pub mod browse;
pub mod capture;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod handoff;
pub mod hooks;
pub mod init;
pub mod llm;
pub mod model;
pub mod notes;
pub mod redact;
pub mod report;
pub mod sessions;
pub mod stats;
pub mod status;
pub mod store;
pub mod sync;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod ui;
pub mod util;

pub use error::{Error, Result};
