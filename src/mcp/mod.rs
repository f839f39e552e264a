//! What `git drift mcp` needs below the commands: the MCP configuration entries each agent
//! reads ([`install`]). The server itself is [`crate::commands::mcp`], since every tool runs
//! a command.

pub mod install;
