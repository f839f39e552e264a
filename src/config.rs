//! (temporary stub until the config module lands)
use crate::error::Result;
use crate::model::Agent;
use crate::redact::Redactor;
use std::path::{Path, PathBuf};
pub const TEMPLATE: &str = "# git drift configuration\n";
pub struct Env;
impl Env {
    pub fn from_process() -> Env {
        Env
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privacy {
    Attribution,
    Summary,
    Off,
}
pub struct AgentConfig {
    pub enabled: bool,
    pub home: PathBuf,
}
pub struct Config {
    pub privacy: Privacy,
    claude: AgentConfig,
    codex: AgentConfig,
}
impl Config {
    pub fn load(_root: &Path, _env: &Env) -> Result<Config> {
        let home = PathBuf::from(std::env::var("HOME").unwrap_or_default());
        Ok(Config {
            privacy: Privacy::Summary,
            claude: AgentConfig {
                enabled: true,
                home: std::env::var("CLAUDE_CONFIG_DIR")
                    .map(PathBuf::from)
                    .unwrap_or(home.join(".claude")),
            },
            codex: AgentConfig {
                enabled: true,
                home: std::env::var("CODEX_HOME")
                    .map(PathBuf::from)
                    .unwrap_or(home.join(".codex")),
            },
        })
    }
    pub fn agent(&self, a: Agent) -> &AgentConfig {
        match a {
            Agent::ClaudeCode => &self.claude,
            Agent::Codex => &self.codex,
        }
    }
    pub fn redactor(&self) -> Result<Redactor> {
        Ok(Redactor)
    }
}
