//! git drift: turn AI coding agents' transcripts into durable project memory stored in git.
//!
//! The library holds all logic; the binaries in `src/bin` only parse arguments and call
//! [`cli`]. Modules are by domain: [`agents`] read transcripts into the [`model`], [`capture`]
//! stores them in the [`store`] after [`redact`]ion, attribution binds them to commits as
//! [`notes`], and the query commands read those back.

pub mod agents;
pub mod attribution;
pub mod blame;
pub mod capture;
pub mod cli;
pub mod config;
pub mod error;
pub mod handoff;
pub mod hook_runner;
pub mod hooks;
pub mod init;
pub mod llm;
pub mod model;
pub mod notes;
pub mod redact;
pub mod report;
pub mod sessions;
pub mod store;
pub mod sync;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod ui;
pub mod util;

pub use error::{Error, Result};
