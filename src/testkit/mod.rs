//! Test support shared by the unit tests (`cfg(test)`) and the integration-test binary (the
//! `testkit` feature, which the crate's `[dev-dependencies]` turn on for its own tests):
//!
//! - [`git`]: the hermetic environment every test runs `git` and our binaries in (temp HOME,
//!   global config, no system config, pinned dates and time zone, C locale);
//! - [`http`]: a local HTTP/1.1 server on 127.0.0.1 that answers with scripted replies and
//!   records what it was sent, for the model clients.
//!
//! Nothing here is part of the product: a release build never compiles it.

pub mod git;
pub mod http;
