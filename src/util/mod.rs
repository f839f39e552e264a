//! Helpers every layer above may use and that know nothing of agents, sessions or notes:
//! running git and reading repositories ([`git`]), parsing and printing times ([`timefmt`]),
//! byte sizes, short ids and repository-relative paths ([`text`]).

pub mod git;
pub mod text;
pub mod timefmt;
