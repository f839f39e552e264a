//! One file per command: each holds its clap `Args` and `run(ctx, args, out)`, which prints
//! through `out` (and progress or warnings through [`Ctx::ui`]) so that it can run in-process
//! under test. A new command is its own file here plus a variant and one dispatch line in
//! [`crate::cli`].
//!
//! Commands string the lower layers together; rendering and queries live below
//! ([`crate::report`], [`crate::sessions`], [`crate::blame`], [`crate::handoff`], …).

pub mod agents;
pub mod backfill;
pub mod bind;
pub mod blame;
pub mod capture;
pub mod completions;
pub mod config;
pub mod context;
pub mod demo;
pub mod handoff;
pub mod help;
pub mod hook;
pub mod init;
pub mod log;
pub mod man;
pub mod rejected;
pub mod session;
pub mod sessions;
pub mod show;
pub mod stats;
pub mod status;
pub mod sync;

pub use context::Ctx;
