//! `git drift mcp --install AGENT` / `--uninstall AGENT`: the agent's MCP configuration entry
//! for one repository, written into the file that agent reads, and removed exactly.
//!
//! Project-scoped files (Claude Code's `.mcp.json`, Cursor's `.cursor/mcp.json`, Gemini CLI's
//! `.gemini/settings.json`, OpenCode's `opencode.json`) get a `git-drift` server running
//! `git-drift mcp` in the project; they can be committed so teammates get it too. Codex reads
//! MCP servers only from the user's `config.toml`, so its entry names the repository
//! (`git-drift mcp --repo ROOT`) and sits between marker comments that `--uninstall` removes.
//!
//! JSON files are re-written with their other entries kept (serde_json orders object keys).

use crate::config::Env;
use crate::error::{Error, Result};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

/// The server's name in the agents' configuration.
pub const NAME: &str = "git-drift";

/// The agents `--install` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Client {
    ClaudeCode,
    Codex,
    GeminiCli,
    Cursor,
    Opencode,
}

/// The configuration file of `client` for the repository at `root`.
pub fn config_path(client: Client, root: &Path, env: &Env) -> Result<PathBuf> {
    Ok(match client {
        Client::ClaudeCode => root.join(".mcp.json"),
        Client::Cursor => root.join(".cursor").join("mcp.json"),
        Client::GeminiCli => root.join(".gemini").join("settings.json"),
        Client::Opencode => root.join("opencode.json"),
        Client::Codex => env
            .default_agent_home(crate::model::Agent::Codex)
            .ok_or_else(|| {
                Error::user("cannot tell where Codex keeps config.toml: set HOME or CODEX_HOME")
            })?
            .join("config.toml"),
    })
}

/// The JSON object holding the servers, and our entry in it.
fn json_entry(client: Client) -> (&'static str, Value) {
    match client {
        Client::Opencode => (
            "mcp",
            json!({"type": "local", "command": [BIN, "mcp"], "enabled": true}),
        ),
        Client::ClaudeCode => (
            "mcpServers",
            json!({"type": "stdio", "command": BIN, "args": ["mcp"]}),
        ),
        _ => ("mcpServers", json!({"command": BIN, "args": ["mcp"]})),
    }
}

/// The program the entries run (found on the agent's PATH, like `git drift` itself).
pub const BIN: &str = "git-drift";

/// Write the entry; returns what to tell the user.
pub fn install(client: Client, root: &Path, env: &Env) -> Result<String> {
    let path = config_path(client, root, env)?;
    if client == Client::Codex {
        return codex_install(&path, root);
    }
    let mut doc = read_json(&path)?;
    let (key, entry) = json_entry(client);
    let servers = doc
        .entry(key)
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or_else(|| Error::user(format!("{}: '{key}' is not an object", path.display())))?;
    if servers.get(NAME) == Some(&entry) {
        return Ok(format!(
            "{}: the {NAME} MCP server is already there",
            path.display()
        ));
    }
    servers.insert(NAME.to_string(), entry);
    write_json(&path, &doc)?;
    let extra = if client == Client::ClaudeCode {
        "\n(the same as: claude mcp add --scope project git-drift -- git-drift mcp)"
    } else {
        ""
    };
    Ok(format!(
        "wrote the {NAME} MCP server into {}{extra}\nthe agent starts it (`{BIN} mcp`) in this repository at its next start",
        path.display()
    ))
}

/// Remove the entry `install` wrote (and the file, if nothing else is left in it).
pub fn uninstall(client: Client, root: &Path, env: &Env) -> Result<String> {
    let path = config_path(client, root, env)?;
    if client == Client::Codex {
        return codex_uninstall(&path, root);
    }
    if !path.exists() {
        return Ok(format!(
            "{} does not exist; nothing to remove",
            path.display()
        ));
    }
    let mut doc = read_json(&path)?;
    let (key, _) = json_entry(client);
    let removed = doc
        .get_mut(key)
        .and_then(Value::as_object_mut)
        .and_then(|s| s.remove(NAME))
        .is_some();
    if !removed {
        return Ok(format!(
            "{}: no {NAME} MCP server; nothing to remove",
            path.display()
        ));
    }
    if doc
        .get(key)
        .and_then(Value::as_object)
        .is_some_and(Map::is_empty)
    {
        doc.remove(key);
    }
    if doc.is_empty() {
        std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        return Ok(format!(
            "removed {} (it held only the {NAME} server)",
            path.display()
        ));
    }
    write_json(&path, &doc)?;
    Ok(format!(
        "removed the {NAME} MCP server from {}",
        path.display()
    ))
}

fn read_json(path: &Path) -> Result<Map<String, Value>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Map::new()),
        Err(e) => return Err(Error::io(path, e)),
    };
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str(&text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Error::user(format!(
            "{}: not a JSON object; left alone",
            path.display()
        ))),
        Err(e) => Err(Error::user(format!(
            "{}: line {}: not valid JSON ({e}); fix it or add the entry by hand",
            path.display(),
            e.line()
        ))),
    }
}

fn write_json(path: &Path, doc: &Map<String, Value>) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let text = serde_json::to_string_pretty(doc).unwrap_or_default() + "\n";
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

/// The marker lines around the Codex block of one repository.
fn codex_markers(root: &Path) -> (String, String) {
    let r = root.display();
    (
        format!("# >>> git drift mcp: {r}"),
        format!("# <<< git drift mcp: {r}"),
    )
}

/// A TOML basic string.
fn toml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn codex_install(path: &Path, root: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let (start, end) = codex_markers(root);
    if text.lines().any(|l| l == start) {
        return Ok(format!(
            "{}: the {NAME} MCP server for {} is already there",
            path.display(),
            root.display()
        ));
    }
    let dir = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let slug: String = dir
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut new = text.clone();
    if !new.is_empty() && !new.ends_with('\n') {
        new.push('\n');
    }
    new.push_str(&format!(
        "{start}\n[mcp_servers.{NAME}-{slug}]\ncommand = {}\nargs = [\"mcp\", \"--repo\", {}]\n{end}\n",
        toml_str(BIN),
        toml_str(&root.to_string_lossy())
    ));
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
    }
    std::fs::write(path, new).map_err(|e| Error::io(path, e))?;
    Ok(format!(
        "wrote the {NAME}-{slug} MCP server into {}\nCodex starts it (`{BIN} mcp --repo {}`) at its next start",
        path.display(),
        root.display()
    ))
}

fn codex_uninstall(path: &Path, root: &Path) -> Result<String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(format!(
            "{} does not exist; nothing to remove",
            path.display()
        ));
    };
    let (start, end) = codex_markers(root);
    let mut inside = false;
    let mut found = false;
    let mut kept = String::new();
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == start {
            inside = true;
            found = true;
        } else if inside && bare == end {
            inside = false;
        } else if !inside {
            kept.push_str(line);
        }
    }
    if !found {
        return Ok(format!(
            "{}: no {NAME} MCP server for {}; nothing to remove",
            path.display(),
            root.display()
        ));
    }
    std::fs::write(path, kept).map_err(|e| Error::io(path, e))?;
    Ok(format!(
        "removed the {NAME} MCP server for {} from {}",
        root.display(),
        path.display()
    ))
}
