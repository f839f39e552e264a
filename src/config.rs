//! Layered configuration: `.prompts/config.yaml` (the repository's) over
//! `~/.config/drift/config.yaml` (the user's; `$XDG_CONFIG_HOME/drift/config.yaml` when that is
//! set) over built-in defaults, merged key by key.
//!
//! Each file is read with serde-saphyr into "partial" structs whose fields are all optional and
//! which reject unknown keys, then laid over the layer below: a repository file that sets only
//! `privacy` keeps the user's agent homes. Redaction patterns are the exception: they add up
//! across layers (and to the built-in shapes), because a repository file must never silently
//! drop a pattern the user relies on.
//!
//! Errors are one line naming the file, the key path and what is valid, e.g.
//! `.prompts/config.yaml: unknown key 'agents.claude' (valid: claude-code, codex, gemini-cli, opencode, copilot-cli)`.
//!
//! Nothing here reads the process environment except [`Env::from_process`]: callers (and
//! tests) pass an [`Env`].
//!
//! Agent homes: `~` and `~/` mean the caller's `HOME`; a relative path starts at the
//! repository root in the repository file and at `HOME` in the user file.
//!
//! Adding a section: a field in `FileConfig` (partial) and in [`Config`] (resolved), its lines
//! in `FileConfig::apply`, its keys in [`KEYS`], and its lines in [`TEMPLATE`]. The tests check
//! that the parser, [`KEYS`] and the template agree.

pub mod edit;

use crate::error::{Error, Result};
use crate::llm::{LlmConfig, Provider};
use crate::model::Agent;
use crate::model::Target;
use crate::redact::{self, Redactor};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_saphyr::{Location, MessageFormatter, Spanned};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Where the repository's configuration lives, relative to the worktree root.
pub const REPO_CONFIG: &str = ".prompts/config.yaml";

/// The commented `config.yaml` that `git drift init` writes: every key, with its default (or
/// commented out when the default depends on the environment), and what it does.
pub const TEMPLATE: &str = r#"# git drift configuration for this repository.
#
# Settings here override your user file (~/.config/drift/config.yaml, or
# $XDG_CONFIG_HOME/drift/config.yaml), which overrides the built-in defaults.
# Only the keys you set override: the rest comes from the layer below.

# The coding agents whose session transcripts are captured.
agents:
  claude-code:
    # Capture Claude Code sessions (true or false).
    enabled: true
    # Where Claude Code keeps its data. Default: $CLAUDE_CONFIG_DIR if set, else ~/.claude.
    # '~/' is your home directory; a relative path starts at the repository root.
    # home: ~/.claude
  codex:
    # Capture Codex sessions (true or false).
    enabled: true
    # Where Codex keeps its data. Default: $CODEX_HOME if set, else ~/.codex.
    # home: ~/.codex
  gemini-cli:
    # Capture Gemini CLI sessions (true or false).
    enabled: true
    # Where Gemini CLI keeps its data. Default: $GEMINI_CLI_HOME/.gemini if set, else ~/.gemini.
    # home: ~/.gemini
  opencode:
    # Capture OpenCode sessions (true or false).
    enabled: true
    # Where OpenCode keeps its data. Default: $XDG_DATA_HOME/opencode if set, else ~/.local/share/opencode.
    # home: ~/.local/share/opencode
  copilot-cli:
    # Capture GitHub Copilot CLI sessions (true or false).
    enabled: true
    # Where Copilot CLI keeps its data. Default: $COPILOT_HOME if set, else ~/.copilot.
    # home: ~/.copilot

# What may enter git, in the notes on refs/notes/drift that are pushed with the code:
#   attribution  which agent, model and session wrote each line; no session text
#   summary      attribution plus a short summary of each session
#   off          nothing; sessions stay in the local store (.prompts/events.db)
privacy: summary

redaction:
  # Extra secret shapes, as regular expressions (Rust regex syntax), e.g.
  #   extra_patterns: ['ACME-[0-9]{12}', 'internal_token=(?P<secret>\w+)']
  # A match is replaced by [REDACTED:custom]; with a group named 'secret', only that group.
  # These are added to the built-in shapes (API keys, tokens, private keys, passwords),
  # never replace them, and patterns from the user file and this file add up.
  extra_patterns: []

# git drift handoff: the brief another agent picks an unfinished task up from.
handoff:
  # The agent briefs are written for when --to is not given: claude-code, codex,
  # gemini-cli, opencode, cursor, aider or generic.
  to: generic
  # Size bound of a brief in tokens (estimated at 4 characters a token); the longest
  # sections are trimmed, with a note saying what was cut, to stay under it.
  brief_tokens: 8000
  # The LLM `git drift handoff --llm` sends the brief and the session material behind it
  # to, to compact it. Nothing leaves this machine without --llm.
  llm:
    # Which API: anthropic (the Messages API), openai (any OpenAI-compatible
    # chat-completions endpoint: OpenAI, DeepSeek, Groq, vLLM, LM Studio) or ollama.
    # provider:
    # The model as the provider names it, e.g. claude-sonnet-4-5, gpt-4.1-mini, llama3.1:8b.
    # model:
    # Endpoint root without the API path. The default is the provider's own endpoint
    # (for ollama, http://127.0.0.1:11434). For another OpenAI-compatible server include
    # its version prefix, e.g. https://api.deepseek.com/v1 or http://localhost:1234/v1.
    # base_url:
    # The name of the environment variable holding the API key (never the key itself).
    # Default: ANTHROPIC_API_KEY for anthropic; OPENAI_API_KEY for openai only at OpenAI's
    # own endpoint, so the key is never sent elsewhere; none for ollama.
    # api_key_env:
    # The most tokens the model may write.
    # max_tokens: 4096
    # Time limits in seconds: a whole request, and establishing the connection.
    # timeout_secs: 120
    # connect_timeout_secs: 10
    # Retries after a rate limit (429, honouring Retry-After), a server error (5xx), a
    # dropped connection or a timeout. 401/403 and 404 fail at once.
    # max_retries: 3
    # US dollars per million input and output tokens, to report what a run cost (set both).
    # price_input_per_mtok:
    # price_output_per_mtok:
"#;

/// Every key the files accept, with the values it takes (for errors) and an example value (for
/// tests). Sections (`agents`, `agents.codex`) are the prefixes of these paths.
pub const KEYS: &[KeyDoc] = &[
    KeyDoc {
        path: "agents.claude-code.enabled",
        valid: "true, false",
        example: "false",
    },
    KeyDoc {
        path: "agents.claude-code.home",
        valid: "a directory path",
        example: "/srv/claude",
    },
    KeyDoc {
        path: "agents.codex.enabled",
        valid: "true, false",
        example: "false",
    },
    KeyDoc {
        path: "agents.codex.home",
        valid: "a directory path",
        example: "/srv/codex",
    },
    KeyDoc {
        path: "agents.gemini-cli.enabled",
        valid: "true, false",
        example: "false",
    },
    KeyDoc {
        path: "agents.gemini-cli.home",
        valid: "a directory path",
        example: "/srv/gemini",
    },
    KeyDoc {
        path: "agents.opencode.enabled",
        valid: "true, false",
        example: "false",
    },
    KeyDoc {
        path: "agents.opencode.home",
        valid: "a directory path",
        example: "/srv/opencode",
    },
    KeyDoc {
        path: "agents.copilot-cli.enabled",
        valid: "true, false",
        example: "false",
    },
    KeyDoc {
        path: "agents.copilot-cli.home",
        valid: "a directory path",
        example: "/srv/copilot",
    },
    KeyDoc {
        path: "privacy",
        valid: "attribution, summary, off",
        example: "off",
    },
    KeyDoc {
        path: "redaction.extra_patterns",
        valid: "a list of regular expressions",
        example: "['x[0-9]+']",
    },
    KeyDoc {
        path: "handoff.to",
        valid: "claude-code, codex, gemini-cli, opencode, cursor, aider, generic",
        example: "codex",
    },
    KeyDoc {
        path: "handoff.brief_tokens",
        valid: "a positive number of tokens",
        example: "4000",
    },
    KeyDoc {
        path: "handoff.llm.provider",
        valid: "anthropic, openai, ollama",
        example: "ollama",
    },
    KeyDoc {
        path: "handoff.llm.model",
        valid: "a model name",
        example: "llama3.1:8b",
    },
    KeyDoc {
        path: "handoff.llm.base_url",
        valid: "an http:// or https:// URL",
        example: "http://127.0.0.1:8080/v1",
    },
    KeyDoc {
        path: "handoff.llm.api_key_env",
        valid: "an environment variable name",
        example: "MY_LLM_KEY",
    },
    KeyDoc {
        path: "handoff.llm.max_tokens",
        valid: "a positive number of tokens",
        example: "1000",
    },
    KeyDoc {
        path: "handoff.llm.timeout_secs",
        valid: "a positive number of seconds",
        example: "30",
    },
    KeyDoc {
        path: "handoff.llm.connect_timeout_secs",
        valid: "a positive number of seconds",
        example: "2",
    },
    KeyDoc {
        path: "handoff.llm.max_retries",
        valid: "a number of retries, 0 or more",
        example: "0",
    },
    KeyDoc {
        path: "handoff.llm.price_input_per_mtok",
        valid: "US dollars per million tokens",
        example: "3.0",
    },
    KeyDoc {
        path: "handoff.llm.price_output_per_mtok",
        valid: "US dollars per million tokens",
        example: "15.0",
    },
];

/// One accepted key: its dotted path, what values are valid, an example value (YAML).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyDoc {
    pub path: &'static str,
    pub valid: &'static str,
    pub example: &'static str,
}

/// The parts of the process environment configuration depends on. Empty variables count as
/// unset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    pub home: Option<PathBuf>,
    pub xdg_config_home: Option<PathBuf>,
    pub claude_config_dir: Option<PathBuf>,
    pub codex_home: Option<PathBuf>,
    /// `GEMINI_CLI_HOME`: relocates the `~` that Gemini CLI's `.gemini` lives in.
    pub gemini_cli_home: Option<PathBuf>,
    /// `XDG_DATA_HOME`: where OpenCode keeps `opencode/` (default `~/.local/share`).
    pub xdg_data_home: Option<PathBuf>,
    /// `COPILOT_HOME`: Copilot CLI's home (default `~/.copilot`).
    pub copilot_home: Option<PathBuf>,
}

impl Env {
    /// Read `HOME`, `XDG_CONFIG_HOME`, `CLAUDE_CONFIG_DIR` and `CODEX_HOME`.
    pub fn from_process() -> Env {
        fn var(name: &str) -> Option<PathBuf> {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        }
        Env {
            home: var("HOME"),
            xdg_config_home: var("XDG_CONFIG_HOME"),
            claude_config_dir: var("CLAUDE_CONFIG_DIR"),
            codex_home: var("CODEX_HOME"),
            gemini_cli_home: var("GEMINI_CLI_HOME"),
            xdg_data_home: var("XDG_DATA_HOME"),
            copilot_home: var("COPILOT_HOME"),
        }
    }

    /// The user's configuration file: `$XDG_CONFIG_HOME/drift/config.yaml` when that variable
    /// is an absolute path (the XDG spec says to ignore relative ones), else
    /// `~/.config/drift/config.yaml`; `None` without either.
    pub fn user_config_path(&self) -> Option<PathBuf> {
        match self.xdg_config_home.as_deref().filter(|p| p.is_absolute()) {
            Some(xdg) => Some(xdg.join("drift").join("config.yaml")),
            None => self
                .home
                .as_deref()
                .map(|h| h.join(".config").join("drift").join("config.yaml")),
        }
    }

    /// An agent's home when no file sets it: its environment variable, else `~/.<name>`.
    pub fn default_agent_home(&self, agent: Agent) -> Option<PathBuf> {
        let (var, dir) = match agent {
            Agent::ClaudeCode => (&self.claude_config_dir, ".claude"),
            Agent::Codex => (&self.codex_home, ".codex"),
            Agent::CopilotCli => (&self.copilot_home, ".copilot"),
            // GEMINI_CLI_HOME stands for `~`, not for `.gemini`.
            Agent::GeminiCli => {
                return self
                    .gemini_cli_home
                    .as_deref()
                    .or(self.home.as_deref())
                    .map(|h| h.join(".gemini"));
            }
            // The XDG spec says to ignore a relative XDG_DATA_HOME.
            Agent::Opencode => {
                return match self.xdg_data_home.as_deref().filter(|p| p.is_absolute()) {
                    Some(d) => Some(d.join("opencode")),
                    None => self
                        .home
                        .as_deref()
                        .map(|h| h.join(".local/share/opencode")),
                };
            }
        };
        var.clone()
            .or_else(|| self.home.as_deref().map(|h| h.join(dir)))
    }
}

/// What may enter git (the notes pushed with the code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Privacy {
    /// Which agent, model and session wrote each line; no text from sessions.
    Attribution,
    /// Attribution plus a short summary of each session.
    #[default]
    Summary,
    /// Nothing: sessions stay in the local store.
    Off,
}

impl Privacy {
    /// Every setting, in the order the docs list them.
    pub const ALL: [Privacy; 3] = [Privacy::Attribution, Privacy::Summary, Privacy::Off];

    /// The name used in config files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Privacy::Attribution => "attribution",
            Privacy::Summary => "summary",
            Privacy::Off => "off",
        }
    }
}

impl fmt::Display for Privacy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Privacy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Privacy::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown privacy setting '{s}' (valid: {})",
                    Privacy::ALL.map(Privacy::as_str).join(", ")
                )
            })
    }
}

/// One agent's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentConfig {
    /// Whether its transcripts are captured.
    pub enabled: bool,
    /// Where it keeps its data (`~/.claude`, `~/.codex`). Empty only for a disabled agent whose
    /// home could not be determined (no `HOME`).
    pub home: PathBuf,
}

/// Settings of every agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentsConfig {
    pub claude_code: AgentConfig,
    pub codex: AgentConfig,
    pub gemini_cli: AgentConfig,
    pub opencode: AgentConfig,
    pub copilot_cli: AgentConfig,
}

impl AgentsConfig {
    /// The settings of `agent`.
    pub fn get(&self, agent: Agent) -> &AgentConfig {
        match agent {
            Agent::ClaudeCode => &self.claude_code,
            Agent::Codex => &self.codex,
            Agent::GeminiCli => &self.gemini_cli,
            Agent::Opencode => &self.opencode,
            Agent::CopilotCli => &self.copilot_cli,
        }
    }
}

/// Redaction settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RedactionConfig {
    /// Regexes added to the built-in secret shapes (user file's first, then the repository's).
    pub extra_patterns: Vec<String>,
}

/// `git drift handoff` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct HandoffConfig {
    /// The agent briefs are written for when `--to` is not given.
    pub to: Target,
    /// Size bound of a brief, in (estimated) tokens.
    pub brief_tokens: u32,
    /// The LLM `--llm` uses; see [`LlmSettings::to_config`].
    pub llm: LlmSettings,
}

impl Default for HandoffConfig {
    fn default() -> Self {
        HandoffConfig {
            to: Target::Generic,
            brief_tokens: 8000,
            llm: LlmSettings::default(),
        }
    }
}

/// The `handoff.llm` keys, merged across layers key by key. They are the fields of
/// [`LlmConfig`]; provider and model have no default, so the complete [`LlmConfig`] is made
/// (and checked) only when `--llm` asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmSettings {
    pub provider: Option<Provider>,
    pub model: Option<String>,
    pub base_url: Option<String>,
    pub api_key_env: Option<String>,
    pub max_tokens: u32,
    pub timeout_secs: u64,
    pub connect_timeout_secs: u64,
    pub max_retries: u32,
    pub price_input_per_mtok: Option<f64>,
    pub price_output_per_mtok: Option<f64>,
}

impl Default for LlmSettings {
    fn default() -> Self {
        // The client's own defaults, so the two cannot drift apart.
        let d = LlmConfig::new(Provider::Anthropic, "");
        LlmSettings {
            provider: None,
            model: None,
            base_url: None,
            api_key_env: None,
            max_tokens: d.max_tokens,
            timeout_secs: d.timeout_secs,
            connect_timeout_secs: d.connect_timeout_secs,
            max_retries: d.max_retries,
            price_input_per_mtok: None,
            price_output_per_mtok: None,
        }
    }
}

impl LlmSettings {
    /// The client configuration, or what is missing (one line naming the keys to set).
    pub fn to_config(&self) -> std::result::Result<LlmConfig, String> {
        let provider = self.provider.ok_or_else(|| {
            "no handoff.llm.provider in the configuration (anthropic, openai or ollama; see \
             `handoff.llm` in .prompts/config.yaml)"
                .to_string()
        })?;
        let model = match self.model.clone().filter(|m| !m.trim().is_empty()) {
            Some(m) => m,
            None if self.base_url.is_none() => provider.default_model().to_string(),
            None => {
                return Err(format!(
                    "no handoff.llm.model for {provider} at {}: pass --model or set \
                     handoff.llm.model",
                    self.base_url.as_deref().unwrap_or_default()
                ));
            }
        };
        let mut c = LlmConfig::new(provider, model);
        c.base_url = self.base_url.clone();
        c.api_key_env = self.api_key_env.clone();
        c.max_tokens = self.max_tokens;
        c.timeout_secs = self.timeout_secs;
        c.connect_timeout_secs = self.connect_timeout_secs;
        c.max_retries = self.max_retries;
        c.price_input_per_mtok = self.price_input_per_mtok;
        c.price_output_per_mtok = self.price_output_per_mtok;
        c.validate().map_err(|e| e.to_string())?;
        Ok(c)
    }
}

/// The effective configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub agents: AgentsConfig,
    pub privacy: Privacy,
    pub redaction: RedactionConfig,
    pub handoff: HandoffConfig,
}

impl Config {
    /// The built-in defaults for this environment. Fails only when `HOME` is needed (an agent
    /// home without its variable) and unknown.
    pub fn defaults(env: &Env) -> Result<Config> {
        Builder::new(env).finish()
    }

    /// The settings of `agent`.
    pub fn agent(&self, agent: Agent) -> &AgentConfig {
        self.agents.get(agent)
    }

    /// The redactor for this configuration: built-in shapes plus the extra patterns.
    pub fn redactor(&self) -> Result<Redactor> {
        Redactor::new(&self.redaction.extra_patterns)
    }

    /// The configuration of the worktree at `repo_root`: its `.prompts/config.yaml` over the
    /// user's file over the defaults. Missing files are skipped.
    pub fn load(repo_root: &Path, env: &Env) -> Result<Config> {
        let user = env.user_config_path();
        let repo = repo_root.join(REPO_CONFIG);
        Config::load_files(user.as_deref(), Some(&repo), repo_root, env)
    }

    /// Like [`Config::load`] with explicit file paths (either may be `None` or missing).
    pub fn load_files(
        user: Option<&Path>,
        repo: Option<&Path>,
        repo_root: &Path,
        env: &Env,
    ) -> Result<Config> {
        let mut builder = Builder::new(env);
        if let Some(path) = user {
            let layer = Layer {
                shown: shown_path(path, None, env),
                relative_base: env.home.clone(),
                env,
            };
            if let Some(file) = read_layer(path, &layer)? {
                file.apply(&mut builder, &layer)?;
            }
        }
        if let Some(path) = repo {
            let layer = Layer {
                shown: shown_path(path, Some(repo_root), env),
                relative_base: Some(repo_root.to_path_buf()),
                env,
            };
            if let Some(file) = read_layer(path, &layer)? {
                file.apply(&mut builder, &layer)?;
            }
        }
        builder.finish()
    }

    /// Parse one file's text over the defaults (for `git drift init`'s checks and tests).
    /// `shown` names the file in errors; relative homes start at `repo_root`.
    pub fn from_yaml(text: &str, shown: &Path, repo_root: &Path, env: &Env) -> Result<Config> {
        let layer = Layer {
            shown: shown.to_path_buf(),
            relative_base: Some(repo_root.to_path_buf()),
            env,
        };
        let mut builder = Builder::new(env);
        parse(text, &layer)?.apply(&mut builder, &layer)?;
        builder.finish()
    }
}

/// The configuration being assembled, layer by layer. Agent homes stay unresolved until the
/// end so that a missing `HOME` only matters when no layer sets the home.
struct Builder {
    claude_code: AgentDraft,
    codex: AgentDraft,
    gemini_cli: AgentDraft,
    opencode: AgentDraft,
    copilot_cli: AgentDraft,
    privacy: Privacy,
    extra_patterns: Vec<String>,
    handoff: HandoffConfig,
}

/// An agent's settings before its home is known for sure.
struct AgentDraft {
    enabled: bool,
    home: Option<PathBuf>,
}

impl Builder {
    fn new(env: &Env) -> Builder {
        let draft = |agent| AgentDraft {
            enabled: true,
            home: env.default_agent_home(agent),
        };
        Builder {
            claude_code: draft(Agent::ClaudeCode),
            codex: draft(Agent::Codex),
            gemini_cli: draft(Agent::GeminiCli),
            opencode: draft(Agent::Opencode),
            copilot_cli: draft(Agent::CopilotCli),
            privacy: Privacy::default(),
            extra_patterns: Vec::new(),
            handoff: HandoffConfig::default(),
        }
    }

    fn agent_mut(&mut self, agent: Agent) -> &mut AgentDraft {
        match agent {
            Agent::ClaudeCode => &mut self.claude_code,
            Agent::Codex => &mut self.codex,
            Agent::GeminiCli => &mut self.gemini_cli,
            Agent::Opencode => &mut self.opencode,
            Agent::CopilotCli => &mut self.copilot_cli,
        }
    }

    fn finish(self) -> Result<Config> {
        Ok(Config {
            agents: AgentsConfig {
                claude_code: self.claude_code.finish(Agent::ClaudeCode)?,
                codex: self.codex.finish(Agent::Codex)?,
                gemini_cli: self.gemini_cli.finish(Agent::GeminiCli)?,
                opencode: self.opencode.finish(Agent::Opencode)?,
                copilot_cli: self.copilot_cli.finish(Agent::CopilotCli)?,
            },
            privacy: self.privacy,
            redaction: RedactionConfig {
                extra_patterns: self.extra_patterns,
            },
            handoff: self.handoff,
        })
    }
}

impl AgentDraft {
    fn finish(self, agent: Agent) -> Result<AgentConfig> {
        let home = match self.home {
            Some(home) => home,
            // A disabled agent's home is never used.
            None if !self.enabled => PathBuf::new(),
            None => {
                let var = match agent {
                    Agent::ClaudeCode => "CLAUDE_CONFIG_DIR",
                    Agent::Codex => "CODEX_HOME",
                    // Readers added after the first two: without HOME the agent itself
                    // has nowhere to write, so there is nothing to read (no error).
                    Agent::GeminiCli | Agent::Opencode | Agent::CopilotCli => {
                        return Ok(AgentConfig {
                            enabled: false,
                            home: PathBuf::new(),
                        });
                    }
                };
                return Err(Error::user(format!(
                    "cannot tell where {agent} keeps its data: HOME is not set; set HOME or \
                     {var}, or agents.{agent}.home in {REPO_CONFIG}"
                )));
            }
        };
        Ok(AgentConfig {
            enabled: self.enabled,
            home,
        })
    }
}

/// One file being applied: how errors name it and where relative paths start.
struct Layer<'a> {
    shown: PathBuf,
    relative_base: Option<PathBuf>,
    env: &'a Env,
}

impl Layer<'_> {
    fn error(&self, message: impl Into<String>) -> Error {
        Error::Config {
            file: self.shown.clone(),
            message: message.into(),
        }
    }

    /// Expand `~` and make a relative path absolute against the layer's base.
    fn resolve_home(&self, raw: &str, key: &str) -> Result<PathBuf> {
        let bad = |why: &str| {
            self.error(format!(
                "bad value '{raw}' for '{key}' ({why}; valid: a directory path)"
            ))
        };
        if raw.trim().is_empty() {
            return Err(bad("empty"));
        }
        let expanded = if raw == "~" || raw.starts_with("~/") {
            let home = self
                .env
                .home
                .as_deref()
                .ok_or_else(|| bad("HOME is not set, so '~' cannot be expanded"))?;
            match raw.strip_prefix("~/") {
                Some(rest) => home.join(rest),
                None => home.to_path_buf(),
            }
        } else if raw.starts_with('~') {
            return Err(bad("'~user' is not supported, write the full path"));
        } else {
            PathBuf::from(raw)
        };
        if expanded.is_absolute() {
            return Ok(expanded);
        }
        match &self.relative_base {
            Some(base) => Ok(base.join(expanded)),
            None => Err(bad("a relative path needs HOME to be set")),
        }
    }
}

/// How a file is named in errors: relative to the repository root when inside it, with `~`
/// for the home directory otherwise.
pub fn shown_path(path: &Path, repo_root: Option<&Path>, env: &Env) -> PathBuf {
    if let Some(rel) = repo_root.and_then(|r| path.strip_prefix(r).ok()) {
        return rel.to_path_buf();
    }
    if let Some(rel) = env.home.as_deref().and_then(|h| path.strip_prefix(h).ok()) {
        return Path::new("~").join(rel);
    }
    path.to_path_buf()
}

fn read_layer(path: &Path, layer: &Layer) -> Result<Option<FileConfig>> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, layer).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

// ---------------------------------------------------------------------------------------------
// The files' shape: every field optional, unknown keys rejected.

/// One configuration file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    agents: Option<FileAgents>,
    privacy: Option<Privacy>,
    redaction: Option<FileRedaction>,
    handoff: Option<FileHandoff>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAgents {
    #[serde(rename = "claude-code")]
    claude_code: Option<FileAgent>,
    codex: Option<FileAgent>,
    #[serde(rename = "gemini-cli")]
    gemini_cli: Option<FileAgent>,
    opencode: Option<FileAgent>,
    #[serde(rename = "copilot-cli")]
    copilot_cli: Option<FileAgent>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAgent {
    enabled: Option<bool>,
    home: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRedaction {
    extra_patterns: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileHandoff {
    to: Option<Target>,
    brief_tokens: Option<u32>,
    llm: Option<FileLlm>,
}

/// `handoff.llm` as written: the fields of [`LlmConfig`], all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLlm {
    provider: Option<Provider>,
    model: Option<String>,
    base_url: Option<String>,
    api_key_env: Option<String>,
    max_tokens: Option<u32>,
    timeout_secs: Option<u64>,
    connect_timeout_secs: Option<u64>,
    max_retries: Option<u32>,
    price_input_per_mtok: Option<f64>,
    price_output_per_mtok: Option<f64>,
}

impl FileConfig {
    /// Lay this file over `b`: every key it sets replaces the value below, except redaction
    /// patterns, which are added.
    fn apply(self, b: &mut Builder, layer: &Layer) -> Result<()> {
        if let Some(agents) = self.agents {
            for (agent, file) in [
                (Agent::ClaudeCode, agents.claude_code),
                (Agent::Codex, agents.codex),
                (Agent::GeminiCli, agents.gemini_cli),
                (Agent::Opencode, agents.opencode),
                (Agent::CopilotCli, agents.copilot_cli),
            ] {
                let Some(file) = file else { continue };
                if let Some(enabled) = file.enabled {
                    b.agent_mut(agent).enabled = enabled;
                }
                if let Some(home) = file.home {
                    let key = format!("agents.{agent}.home");
                    b.agent_mut(agent).home = Some(layer.resolve_home(&home, &key)?);
                }
            }
        }
        if let Some(privacy) = self.privacy {
            b.privacy = privacy;
        }
        if let Some(redaction) = self.redaction {
            for pattern in redaction.extra_patterns.unwrap_or_default() {
                if let Err(why) = redact::check_pattern(&pattern) {
                    return Err(layer.error(format!(
                        "bad value '{pattern}' for 'redaction.extra_patterns': {why} (valid: \
                         regular expressions in Rust regex syntax)"
                    )));
                }
                if !b.extra_patterns.contains(&pattern) {
                    b.extra_patterns.push(pattern);
                }
            }
        }
        if let Some(h) = self.handoff {
            h.apply(&mut b.handoff, layer)?;
        }
        Ok(())
    }
}

impl FileHandoff {
    fn apply(self, h: &mut HandoffConfig, layer: &Layer) -> Result<()> {
        let positive = |key: &str, n: u64| {
            if n == 0 {
                Err(layer.error(format!(
                    "bad value '0' for '{key}' (valid: {})",
                    valid_for(key).unwrap_or_default()
                )))
            } else {
                Ok(())
            }
        };
        if let Some(to) = self.to {
            h.to = to;
        }
        if let Some(n) = self.brief_tokens {
            positive("handoff.brief_tokens", n.into())?;
            h.brief_tokens = n;
        }
        let Some(l) = self.llm else { return Ok(()) };
        let s = &mut h.llm;
        if l.provider.is_some() {
            s.provider = l.provider;
        }
        for (from, to) in [
            (l.model, &mut s.model),
            (l.base_url, &mut s.base_url),
            (l.api_key_env, &mut s.api_key_env),
        ] {
            if from.is_some() {
                *to = from;
            }
        }
        if let Some(n) = l.max_tokens {
            positive("handoff.llm.max_tokens", n.into())?;
            s.max_tokens = n;
        }
        if let Some(n) = l.timeout_secs {
            positive("handoff.llm.timeout_secs", n)?;
            s.timeout_secs = n;
        }
        if let Some(n) = l.connect_timeout_secs {
            positive("handoff.llm.connect_timeout_secs", n)?;
            s.connect_timeout_secs = n;
        }
        if let Some(n) = l.max_retries {
            s.max_retries = n;
        }
        for (key, from, to) in [
            (
                "handoff.llm.price_input_per_mtok",
                l.price_input_per_mtok,
                &mut s.price_input_per_mtok,
            ),
            (
                "handoff.llm.price_output_per_mtok",
                l.price_output_per_mtok,
                &mut s.price_output_per_mtok,
            ),
        ] {
            if let Some(p) = from {
                if !(p.is_finite() && p >= 0.0) {
                    return Err(layer.error(format!(
                        "bad value '{p}' for '{key}' (valid: {})",
                        valid_for(key).unwrap_or_default()
                    )));
                }
                *to = Some(p);
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing and error messages.

fn parse(text: &str, layer: &Layer) -> Result<FileConfig> {
    serde_saphyr::from_str::<FileConfig>(text).map_err(|e| layer.error(describe(&e, text)))
}

/// One line saying what is wrong, with the key path when the error points at a key or value.
fn describe(err: &serde_saphyr::Error, text: &str) -> String {
    let err = err.without_snippet();
    let location = err.location();
    let tree = serde_saphyr::from_str::<Spanned<Node>>(text).ok();
    let at = |want: Want| {
        let loc = location?;
        let tree = tree.as_ref()?;
        find(tree, loc, want, &mut Vec::new())
    };
    match err {
        serde_saphyr::Error::SerdeUnknownField {
            field, expected, ..
        } => {
            let path = at(Want::Key).map_or_else(|| field.clone(), |(p, _)| p);
            let guess =
                edit::suggest(&path).map_or_else(String::new, |g| format!("; did you mean '{g}'?"));
            return format!(
                "unknown key '{path}' (valid: {}){guess}",
                expected.join(", ")
            );
        }
        serde_saphyr::Error::SerdeUnknownVariant {
            variant, expected, ..
        } => {
            // A variant written as a mapping key (`privacy: {loud: 1}`) is a bad value of the
            // key that holds the mapping.
            let path = at(Want::Value).map(|(p, _)| p).or_else(|| {
                at(Want::Key)
                    .and_then(|(p, _)| p.rsplit_once('.').map(|(parent, _)| parent.to_string()))
            });
            if let Some(path) = path {
                return format!(
                    "bad value '{variant}' for '{path}' (valid: {})",
                    expected.join(", ")
                );
            }
        }
        _ => {
            if let Some((path, value)) = at(Want::Value)
                && let Some(valid) = valid_for(&path)
            {
                return format!("bad value {value} for '{path}' (valid: {valid})");
            }
        }
    }
    let message = one_line(&serde_saphyr::UserMessageFormatter.format_message(err));
    match location {
        Some(loc) if loc.line() > 0 => format!("line {}: {message}", loc.line()),
        _ => message,
    }
}

/// What values `path` takes: a key's from [`KEYS`], a section's keys otherwise.
fn valid_for(path: &str) -> Option<String> {
    if let Some(k) = KEYS.iter().find(|k| k.path == path) {
        return Some(k.valid.to_string());
    }
    let children = section_keys(path);
    (!children.is_empty()).then(|| format!("a mapping with keys {}", children.join(", ")))
}

/// The keys directly under section `path` ("" for the top level), in [`KEYS`] order.
pub fn section_keys(path: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for k in KEYS {
        let rest = if path.is_empty() {
            Some(k.path)
        } else {
            k.path.strip_prefix(path).and_then(|r| r.strip_prefix('.'))
        };
        if let Some(child) = rest.and_then(|r| r.split('.').next())
            && !out.contains(&child)
        {
            out.push(child);
        }
    }
    out
}

fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_control())
        .filter(|p| !p.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A YAML document as a tree with locations, only to turn an error's location into a key path.
#[derive(Debug)]
enum Node {
    Scalar(String),
    Null,
    Seq,
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Node::Seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let value = map.next_value::<Spanned<Node>>()?;
            entries.push((key, value));
        }
        Ok(Node::Map(entries))
    }
}

impl Node {
    /// How an error message shows the value.
    fn shown(&self) -> String {
        match self {
            Node::Scalar(s) => format!("'{s}'"),
            Node::Null => "(empty)".to_string(),
            Node::Seq => "(a list)".to_string(),
            Node::Map(_) => "(a mapping)".to_string(),
        }
    }
}

#[derive(Clone, Copy)]
enum Want {
    Key,
    Value,
}

/// The dotted path of the key (or of the key whose value) sits at `loc`, and the value shown.
fn find(
    node: &Spanned<Node>,
    loc: Location,
    want: Want,
    path: &mut Vec<String>,
) -> Option<(String, String)> {
    let Node::Map(entries) = &node.value else {
        return None;
    };
    let same = |l: Location| l.line() == loc.line() && l.column() == loc.column();
    for (key, value) in entries {
        path.push(key.value.clone());
        let hit = match want {
            Want::Key => same(key.referenced),
            Want::Value => same(value.referenced) && !matches!(value.value, Node::Map(_)),
        };
        if hit {
            return Some((path.join("."), value.value.shown()));
        }
        if let Some(found) = find(value, loc, want, path) {
            return Some(found);
        }
        path.pop();
    }
    // A block mapping starts where its first key does, so an error about a whole mapping
    // value (say `agents: {…}` where a scalar was expected) is matched only after its keys.
    if let Want::Value = want {
        for (key, value) in entries {
            if same(value.referenced) {
                path.push(key.value.clone());
                return Some((path.join("."), value.value.shown()));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = ".prompts/config.yaml";

    fn env() -> Env {
        Env {
            home: Some(PathBuf::from("/home/u")),
            ..Env::default()
        }
    }

    fn parse_ok(yaml: &str) -> Config {
        match Config::from_yaml(yaml, Path::new(FILE), Path::new("/repo"), &env()) {
            Ok(c) => c,
            Err(e) => panic!("{yaml:?} should parse: {e}"),
        }
    }

    /// The whole one-line error for `yaml` as the repository file.
    fn parse_err(yaml: &str) -> String {
        match Config::from_yaml(yaml, Path::new(FILE), Path::new("/repo"), &env()) {
            Ok(c) => panic!("{yaml:?} should fail, got {c:?}"),
            Err(e) => {
                assert!(
                    matches!(e, Error::Config { .. }),
                    "not a config error: {e:?}"
                );
                let msg = e.to_string();
                assert!(!msg.contains('\n'), "error is not one line: {msg:?}");
                msg
            }
        }
    }

    /// The template with its commented-out keys (`# home: ~/.claude`) switched on.
    fn uncommented_template() -> String {
        TEMPLATE
            .lines()
            .map(|line| {
                let indent = line.len() - line.trim_start().len();
                match line.trim_start().strip_prefix("# ") {
                    Some(rest)
                        if rest.split_once(':').is_some_and(|(k, _)| {
                            !k.is_empty()
                                && k.bytes()
                                    .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'_')
                        }) =>
                    {
                        format!("{}{rest}", &line[..indent])
                    }
                    _ => line.to_string(),
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Every dotted key path present in a YAML document.
    fn key_paths(yaml: &str) -> Vec<String> {
        fn walk(node: &Node, prefix: &str, out: &mut Vec<String>) {
            if let Node::Map(entries) = node {
                for (k, v) in entries {
                    let path = if prefix.is_empty() {
                        k.value.clone()
                    } else {
                        format!("{prefix}.{}", k.value)
                    };
                    walk(&v.value, &path, out);
                    out.push(path);
                }
            }
        }
        let tree: Spanned<Node> = serde_saphyr::from_str(yaml).expect("valid YAML");
        let mut out = Vec::new();
        walk(&tree.value, "", &mut out);
        out
    }

    #[test]
    fn defaults() {
        let c = Config::defaults(&env()).expect("defaults");
        assert_eq!(
            c,
            Config {
                agents: AgentsConfig {
                    claude_code: AgentConfig {
                        enabled: true,
                        home: PathBuf::from("/home/u/.claude"),
                    },
                    codex: AgentConfig {
                        enabled: true,
                        home: PathBuf::from("/home/u/.codex"),
                    },
                    gemini_cli: AgentConfig {
                        enabled: true,
                        home: PathBuf::from("/home/u/.gemini"),
                    },
                    opencode: AgentConfig {
                        enabled: true,
                        home: PathBuf::from("/home/u/.local/share/opencode"),
                    },
                    copilot_cli: AgentConfig {
                        enabled: true,
                        home: PathBuf::from("/home/u/.copilot"),
                    },
                },
                privacy: Privacy::Summary,
                redaction: RedactionConfig::default(),
                handoff: HandoffConfig::default(),
            }
        );
        assert_eq!(c.agent(Agent::Codex).home, Path::new("/home/u/.codex"));
        assert_eq!(
            c.agent(Agent::ClaudeCode).home,
            Path::new("/home/u/.claude")
        );
    }

    #[test]
    fn env_variables_set_default_homes() {
        let env = Env {
            home: Some("/home/u".into()),
            claude_config_dir: Some("/opt/claude".into()),
            codex_home: Some("/opt/codex".into()),
            xdg_config_home: None,
            ..Env::default()
        };
        let c = Config::defaults(&env).expect("defaults");
        assert_eq!(c.agent(Agent::ClaudeCode).home, Path::new("/opt/claude"));
        assert_eq!(c.agent(Agent::Codex).home, Path::new("/opt/codex"));
        // A file setting the home wins over the variable.
        let c = Config::from_yaml(
            "agents:\n  codex:\n    home: /srv/codex\n",
            Path::new(FILE),
            Path::new("/repo"),
            &env,
        )
        .expect("parses");
        assert_eq!(c.agent(Agent::Codex).home, Path::new("/srv/codex"));
        assert_eq!(c.agent(Agent::ClaudeCode).home, Path::new("/opt/claude"));
    }

    #[test]
    fn without_home_only_needed_homes_fail() {
        let env = Env::default();
        let err = Config::defaults(&env).expect_err("HOME is needed");
        assert_eq!(
            err.to_string(),
            "cannot tell where claude-code keeps its data: HOME is not set; set HOME or \
             CLAUDE_CONFIG_DIR, or agents.claude-code.home in .prompts/config.yaml"
        );
        let env = Env {
            claude_config_dir: Some("/c".into()),
            codex_home: Some("/x".into()),
            ..Env::default()
        };
        assert!(Config::defaults(&env).is_ok());
        let c = Config::from_yaml(
            "agents:\n  codex:\n    enabled: false\n",
            Path::new(FILE),
            Path::new("/repo"),
            &Env {
                claude_config_dir: Some("/c".into()),
                ..Env::default()
            },
        )
        .expect("a disabled agent needs no home");
        assert!(!c.agent(Agent::Codex).enabled);
        assert_eq!(c.agent(Agent::Codex).home, PathBuf::new());
    }

    #[test]
    fn user_config_path_follows_xdg() {
        assert_eq!(
            env().user_config_path(),
            Some(PathBuf::from("/home/u/.config/drift/config.yaml"))
        );
        let xdg = Env {
            xdg_config_home: Some("/xdg".into()),
            ..env()
        };
        assert_eq!(
            xdg.user_config_path(),
            Some(PathBuf::from("/xdg/drift/config.yaml"))
        );
        let relative = Env {
            xdg_config_home: Some("rel".into()),
            ..env()
        };
        assert_eq!(
            relative.user_config_path(),
            Some(PathBuf::from("/home/u/.config/drift/config.yaml"))
        );
        assert_eq!(Env::default().user_config_path(), None);
    }

    #[test]
    fn empty_and_comment_only_files_give_defaults() {
        let defaults = Config::defaults(&env()).expect("defaults");
        for yaml in [
            "",
            "\n",
            "# nothing\n",
            "---\n",
            "agents:\n",
            "agents:\n  codex:\n",
        ] {
            assert_eq!(parse_ok(yaml), defaults, "{yaml:?}");
        }
    }

    #[test]
    fn template_yields_defaults() {
        let defaults = Config::defaults(&env()).expect("defaults");
        assert_eq!(parse_ok(TEMPLATE), defaults);
        // With every commented-out key switched on, still the defaults (in an environment
        // without CLAUDE_CONFIG_DIR / CODEX_HOME).
        assert_eq!(parse_ok(&uncommented_template()), defaults);
    }

    #[test]
    fn template_lists_every_key() {
        let in_template = key_paths(&uncommented_template());
        for key in KEYS {
            assert!(
                in_template.iter().any(|p| p == key.path),
                "{} missing from TEMPLATE",
                key.path
            );
        }
        // And the template holds nothing the parser does not know.
        for path in &in_template {
            assert!(
                KEYS.iter()
                    .any(|k| k.path == path || k.path.starts_with(&format!("{path}."))),
                "TEMPLATE has {path}, which KEYS lacks"
            );
        }
    }

    #[test]
    fn parser_accepts_exactly_the_documented_keys() {
        // Each documented key parses on its own with its example value...
        for key in KEYS {
            let mut yaml = String::new();
            let parts: Vec<&str> = key.path.split('.').collect();
            for (depth, part) in parts.iter().enumerate() {
                yaml.push_str(&"  ".repeat(depth));
                yaml.push_str(part);
                yaml.push(':');
                if depth + 1 == parts.len() {
                    yaml.push(' ');
                    yaml.push_str(key.example);
                }
                yaml.push('\n');
            }
            assert_ne!(
                parse_ok(&yaml),
                Config::defaults(&env()).expect("defaults"),
                "{} with its example value should change the config",
                key.path
            );
        }
        // ...and in every section, the parser's list of valid keys is the documented one.
        let mut sections: Vec<String> = vec![String::new()];
        for key in KEYS {
            let parts: Vec<&str> = key.path.split('.').collect();
            for n in 1..parts.len() {
                let s = parts[..n].join(".");
                if !sections.contains(&s) {
                    sections.push(s);
                }
            }
        }
        for section in sections {
            let mut yaml = String::new();
            let parts: Vec<&str> = section.split('.').filter(|p| !p.is_empty()).collect();
            for (depth, part) in parts.iter().enumerate() {
                yaml.push_str(&format!("{}{part}:\n", "  ".repeat(depth)));
            }
            yaml.push_str(&format!("{}bogus: 1\n", "  ".repeat(parts.len())));
            let full = if section.is_empty() {
                "bogus".to_string()
            } else {
                format!("{section}.bogus")
            };
            assert_eq!(
                parse_err(&yaml),
                format!(
                    "{FILE}: unknown key '{full}' (valid: {})",
                    section_keys(&section).join(", ")
                )
            );
        }
    }

    #[test]
    fn privacy_names_round_trip() {
        for p in Privacy::ALL {
            assert_eq!(p.to_string().parse::<Privacy>(), Ok(p));
            assert_eq!(parse_ok(&format!("privacy: {p}\n")).privacy, p);
        }
        assert_eq!(
            "loud".parse::<Privacy>(),
            Err("unknown privacy setting 'loud' (valid: attribution, summary, off)".to_string())
        );
        // The documented values are the parser's.
        let documented = KEYS.iter().find(|k| k.path == "privacy").map(|k| k.valid);
        assert_eq!(
            documented,
            Some(Privacy::ALL.map(Privacy::as_str).join(", ").as_str())
        );
    }

    #[test]
    fn unknown_keys_name_the_full_path() {
        assert_eq!(
            parse_err("agents:\n  claude:\n    enabled: false\n"),
            ".prompts/config.yaml: unknown key 'agents.claude' (valid: claude-code, codex, gemini-cli, opencode, copilot-cli); did you mean 'agents.claude-code'?"
        );
        assert_eq!(
            parse_err("agents:\n  codex:\n    enabled: true\n    homee: /x\n"),
            ".prompts/config.yaml: unknown key 'agents.codex.homee' (valid: enabled, home); did you mean 'agents.codex.home'?"
        );
        // Same shape in both agents: the path still says which.
        assert_eq!(
            parse_err("agents: {codex: {}, claude-code: {enable: true}}"),
            ".prompts/config.yaml: unknown key 'agents.claude-code.enable' (valid: enabled, home); did you mean 'agents.claude-code.enabled'?"
        );
        assert_eq!(
            parse_err("privacy: off\nllm: {}\n"),
            ".prompts/config.yaml: unknown key 'llm' (valid: agents, privacy, redaction, handoff)"
        );
    }

    #[test]
    fn bad_values_name_the_key_and_valid_values() {
        assert_eq!(
            parse_err("privacy: loud\n"),
            ".prompts/config.yaml: bad value 'loud' for 'privacy' (valid: attribution, summary, off)"
        );
        assert_eq!(
            parse_err("privacy: Summary\n"),
            ".prompts/config.yaml: bad value 'Summary' for 'privacy' (valid: attribution, summary, off)"
        );
        assert_eq!(
            parse_err("privacy: {loud: 1}\n"),
            ".prompts/config.yaml: bad value 'loud' for 'privacy' (valid: attribution, summary, off)"
        );
        assert_eq!(
            parse_err("privacy: [summary]\n"),
            ".prompts/config.yaml: bad value (a list) for 'privacy' (valid: attribution, summary, off)"
        );
        assert_eq!(
            parse_err("agents:\n  codex:\n    enabled: 3\n"),
            ".prompts/config.yaml: bad value '3' for 'agents.codex.enabled' (valid: true, false)"
        );
        assert_eq!(
            parse_err("agents: 3\n"),
            ".prompts/config.yaml: bad value '3' for 'agents' (valid: a mapping with keys claude-code, codex, gemini-cli, opencode, copilot-cli)"
        );
        assert_eq!(
            parse_err("redaction:\n  extra_patterns: 'x+'\n"),
            ".prompts/config.yaml: bad value 'x+' for 'redaction.extra_patterns' (valid: a list of regular expressions)"
        );
        assert_eq!(
            parse_err("agents:\n  codex:\n    home: ''\n"),
            ".prompts/config.yaml: bad value '' for 'agents.codex.home' (empty; valid: a directory path)"
        );
        assert_eq!(
            parse_err("agents:\n  codex:\n    home: ~bob/codex\n"),
            ".prompts/config.yaml: bad value '~bob/codex' for 'agents.codex.home' ('~user' is not supported, write the full path; valid: a directory path)"
        );
    }

    #[test]
    fn invalid_regex_is_a_config_error() {
        assert_eq!(
            parse_err("redaction:\n  extra_patterns: ['ok[0-9]+', '(unclosed']\n"),
            ".prompts/config.yaml: bad value '(unclosed' for 'redaction.extra_patterns': unclosed group (valid: regular expressions in Rust regex syntax)"
        );
    }

    #[test]
    fn yaml_syntax_errors_give_the_line() {
        let msg = parse_err("privacy: summary\nagents:\n  codex: [1, 2\n");
        assert!(msg.starts_with(".prompts/config.yaml: line 3: "), "{msg}");
        let msg = parse_err("agents:\n\tcodex: {}\n");
        assert_eq!(
            msg,
            ".prompts/config.yaml: line 2: tabs disallowed within this context (block indentation)"
        );
        let msg = parse_err("privacy: summary\nprivacy: off\n");
        assert!(
            msg.starts_with(".prompts/config.yaml: line 2: duplicate"),
            "{msg}"
        );
        let msg = parse_err("- just\n- a list\n");
        assert!(msg.starts_with(".prompts/config.yaml: line 1: "), "{msg}");
    }

    #[test]
    fn homes_expand_tilde_and_resolve_relative_paths() {
        let c = parse_ok(
            "agents:\n  claude-code:\n    home: ~/alt/claude\n  codex:\n    home: tools/codex-home\n",
        );
        assert_eq!(
            c.agent(Agent::ClaudeCode).home,
            Path::new("/home/u/alt/claude")
        );
        // Relative in the repository file: from the repository root.
        assert_eq!(
            c.agent(Agent::Codex).home,
            Path::new("/repo/tools/codex-home")
        );
        assert_eq!(
            parse_ok("agents:\n  codex:\n    home: '~'\n")
                .agent(Agent::Codex)
                .home,
            Path::new("/home/u")
        );
    }

    /// A temporary repository root and user config directory, with the files written.
    struct Files {
        _dir: tempfile::TempDir,
        root: PathBuf,
        env: Env,
    }

    fn files(user: Option<&str>, repo: Option<&str>) -> Files {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path().join("home");
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join(".prompts")).expect("mkdir");
        std::fs::create_dir_all(home.join(".config/drift")).expect("mkdir");
        if let Some(text) = user {
            std::fs::write(home.join(".config/drift/config.yaml"), text).expect("write");
        }
        if let Some(text) = repo {
            std::fs::write(root.join(REPO_CONFIG), text).expect("write");
        }
        Files {
            env: Env {
                home: Some(home),
                ..Env::default()
            },
            root,
            _dir: dir,
        }
    }

    #[test]
    fn missing_files_give_defaults() {
        let f = files(None, None);
        assert_eq!(
            Config::load(&f.root, &f.env).expect("loads"),
            Config::defaults(&f.env).expect("defaults")
        );
        let nowhere = f.root.join("nope.yaml");
        assert_eq!(
            Config::load_files(Some(&nowhere), Some(&nowhere), &f.root, &f.env).expect("loads"),
            Config::defaults(&f.env).expect("defaults")
        );
    }

    #[test]
    fn layers_merge_key_by_key() {
        let f = files(
            Some(
                "agents:\n  claude-code:\n    home: /u/claude\n  codex:\n    home: codex-data\n\
                 privacy: attribution\nredaction:\n  extra_patterns: ['USER-[0-9]+']\n",
            ),
            Some(
                "privacy: off\nagents:\n  codex:\n    enabled: false\n\
                 redaction:\n  extra_patterns: ['REPO-[0-9]+', 'USER-[0-9]+']\n",
            ),
        );
        let c = Config::load(&f.root, &f.env).expect("loads");
        let home = f.env.home.clone().expect("home");
        // The repository file set only privacy, codex.enabled and a pattern: the user's homes
        // stay; a relative home in the user file starts at HOME.
        assert_eq!(
            c.agents,
            AgentsConfig {
                claude_code: AgentConfig {
                    enabled: true,
                    home: PathBuf::from("/u/claude"),
                },
                codex: AgentConfig {
                    enabled: false,
                    home: home.join("codex-data"),
                },
                gemini_cli: AgentConfig {
                    enabled: true,
                    home: home.join(".gemini"),
                },
                opencode: AgentConfig {
                    enabled: true,
                    home: home.join(".local/share/opencode"),
                },
                copilot_cli: AgentConfig {
                    enabled: true,
                    home: home.join(".copilot"),
                },
            }
        );
        assert_eq!(c.privacy, Privacy::Off);
        // Patterns add up across layers, without duplicates.
        assert_eq!(c.redaction.extra_patterns, ["USER-[0-9]+", "REPO-[0-9]+"]);
        let r = c.redactor().expect("redactor");
        assert_eq!(
            r.redact("USER-1 REPO-2 plain"),
            "[REDACTED:custom] [REDACTED:custom] plain"
        );
    }

    #[test]
    fn errors_name_the_file_that_has_them() {
        let f = files(Some("privacy: loud\n"), None);
        let err = Config::load(&f.root, &f.env).expect_err("bad user file");
        assert_eq!(
            err.to_string(),
            "~/.config/drift/config.yaml: bad value 'loud' for 'privacy' (valid: attribution, summary, off)"
        );
        let f = files(Some("privacy: off\n"), Some("agents:\n  claude:\n"));
        let err = Config::load(&f.root, &f.env).expect_err("bad repo file");
        assert_eq!(
            err.to_string(),
            ".prompts/config.yaml: unknown key 'agents.claude' (valid: claude-code, codex, gemini-cli, opencode, copilot-cli); did you mean 'agents.claude-code'?"
        );
        assert_eq!(err.exit_code(), 1);
    }

    #[test]
    fn handoff_settings_layer_key_by_key_and_make_an_llm_config() {
        let f = files(
            Some(
                "handoff:\n  llm:\n    provider: anthropic\n    model: claude-sonnet-4-5\n    \
                 api_key_env: WORK_KEY\n    price_input_per_mtok: 3\n    price_output_per_mtok: 15\n",
            ),
            Some(
                "handoff:\n  to: codex\n  brief_tokens: 6000\n  llm:\n    model: claude-haiku-4-5\n",
            ),
        );
        let c = Config::load(&f.root, &f.env).expect("loads");
        assert_eq!(c.handoff.to, Target::Codex);
        assert_eq!(c.handoff.brief_tokens, 6000);
        let llm = c.handoff.llm.to_config().expect("complete");
        assert_eq!(llm.provider, Provider::Anthropic);
        // The repository file changed only the model; the user's key variable stays.
        assert_eq!(llm.model, "claude-haiku-4-5");
        assert_eq!(llm.api_key_env.as_deref(), Some("WORK_KEY"));
        assert_eq!(llm.cost_usd(1_000_000, 0), Some(3.0));
        assert_eq!(
            llm.max_tokens,
            LlmConfig::new(Provider::Ollama, "m").max_tokens
        );
        // Without provider or model there is nothing to call, and the message says what to set.
        let bare = Config::defaults(&env()).expect("defaults").handoff.llm;
        assert!(
            bare.to_config()
                .unwrap_err()
                .contains("handoff.llm.provider")
        );
        let bad_url = parse_ok(
            "handoff:\n  llm:\n    provider: openai\n    model: m\n    base_url: ftp://x\n",
        );
        assert!(
            bad_url
                .handoff
                .llm
                .to_config()
                .unwrap_err()
                .contains("base_url")
        );
    }

    #[test]
    fn handoff_bad_values_name_the_key() {
        assert_eq!(
            parse_err("handoff:\n  to: vim\n"),
            ".prompts/config.yaml: bad value 'vim' for 'handoff.to' (valid: claude-code, codex, gemini-cli, opencode, cursor, aider, generic)"
        );
        assert_eq!(
            parse_err("handoff:\n  llm:\n    provider: gpt\n"),
            ".prompts/config.yaml: bad value 'gpt' for 'handoff.llm.provider' (valid: anthropic, openai, ollama)"
        );
        assert_eq!(
            parse_err("handoff:\n  brief_tokens: 0\n"),
            ".prompts/config.yaml: bad value '0' for 'handoff.brief_tokens' (valid: a positive number of tokens)"
        );
        assert_eq!(
            parse_err("handoff:\n  llm:\n    price_input_per_mtok: -1\n"),
            ".prompts/config.yaml: bad value '-1' for 'handoff.llm.price_input_per_mtok' (valid: US dollars per million tokens)"
        );
        assert_eq!(
            parse_err("handoff:\n  llm:\n    max_tokens: lots\n"),
            ".prompts/config.yaml: bad value 'lots' for 'handoff.llm.max_tokens' (valid: a positive number of tokens)"
        );
        // The documented targets are the parser's.
        let documented = KEYS
            .iter()
            .find(|k| k.path == "handoff.to")
            .map(|k| k.valid);
        assert_eq!(
            documented,
            Some(Target::ALL.map(Target::as_str).join(", ").as_str())
        );
    }

    #[test]
    fn redactor_keeps_builtin_shapes() {
        let c = parse_ok("redaction:\n  extra_patterns: ['ACME-[0-9]{4}']\n");
        let aws = format!("AKIA{}", "QWERTYUIOPASDFGH");
        let out = c
            .redactor()
            .expect("redactor")
            .redact(&format!("ACME-1234 {aws}"))
            .into_owned();
        assert_eq!(out, "[REDACTED:custom] [REDACTED:aws-access-key]");
    }
}
