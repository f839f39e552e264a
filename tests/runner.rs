//! One integration-test binary (one link, shared harness) over real git repositories.

mod common;
mod test_attribution;
mod test_blame;
mod test_browse;
mod test_capture;
mod test_commands;
mod test_config;
mod test_conformance;
mod test_demo;
mod test_fixtures;
mod test_handoff;
mod test_init;
mod test_install;
mod test_redaction;
mod test_scenarios;
mod test_stats;
mod test_sync;
