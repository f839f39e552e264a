//! `git drift config [--show-origin] [--json] [get KEY | set KEY VALUE | --edit] [--user]`:
//! the merged configuration with the file each value came from, one value, a comment-keeping
//! edit of one key, or the file in the editor git uses. Every change is re-read by the real
//! parser before it is written; a value the parser refuses is never written.

use crate::commands::Ctx;
use crate::config::{self, Config, KEYS, edit};
use crate::error::{Error, Result, out_err};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Show or change the configuration (the merged values and where each came from)
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
    /// With the listing: name the file each value came from (or "default")
    #[arg(long)]
    pub show_origin: bool,
    /// Print JSON (every key, its value or null, and its origin)
    #[arg(long)]
    pub json: bool,
    /// Open the file in git's editor (GIT_EDITOR, core.editor, VISUAL, EDITOR), then check it
    #[arg(long, conflicts_with_all = ["show_origin", "json"])]
    pub edit: bool,
    /// `set` and `--edit` change the user file (~/.config/drift/config.yaml) instead of the
    /// repository's .prompts/config.yaml
    #[arg(long, global = true)]
    pub user: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Print the effective value of KEY (exit 1 when it is not set)
    Get { key: String },
    /// Set KEY to VALUE in the file, keeping its comments
    Set { key: String, value: String },
}

/// Run `git drift config`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    if args.edit {
        return edit_file(ctx, args.user, out);
    }
    match &args.action {
        None => list(ctx, args, out),
        Some(Action::Get { key }) => {
            known(key)?;
            match edit::value_of(ctx.config()?, key) {
                Some(v) => writeln!(out, "{v}").map_err(out_err),
                None => Err(Error::user(format!("{key} is not set"))),
            }
        }
        Some(Action::Set { key, value }) => set(ctx, args.user, key, value, out),
    }
}

/// A known key, or a user error with the closest one.
fn known(key: &str) -> Result<()> {
    if KEYS.iter().any(|k| k.path == key) {
        return Ok(());
    }
    let e = Error::user(format!("unknown key '{key}'"));
    Err(match edit::suggest(key) {
        Some(g) => e.with_hint(format!("did you mean '{g}'?")),
        None => e.with_hint("`git drift config` lists every key"),
    })
}

/// The files that may set a value, lowest first: (how it is named, path).
fn layers(ctx: &Ctx) -> Result<Vec<(String, PathBuf)>> {
    let mut v = Vec::new();
    if let Some(user) = ctx.env().user_config_path() {
        // Named as configuration errors name it.
        let shown = config::shown_path(&user, None, ctx.env());
        v.push((shown.display().to_string(), user));
    }
    let root = &ctx.repo()?.root;
    v.push((
        config::REPO_CONFIG.to_string(),
        root.join(config::REPO_CONFIG),
    ));
    Ok(v)
}

/// Every key with its value and origin.
fn list(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let cfg = ctx.config()?;
    let texts: Vec<(String, String)> = layers(ctx)?
        .into_iter()
        .filter_map(|(shown, p)| std::fs::read_to_string(p).ok().map(|t| (shown, t)))
        .collect();
    let mut rows = Vec::new();
    for k in KEYS {
        let from: Vec<&str> = texts
            .iter()
            .filter(|(_, t)| edit::sets(t, k.path))
            .map(|(s, _)| s.as_str())
            .collect();
        // Patterns add up across files; any other key comes from the last file that sets it.
        let origin = match (k.path == "redaction.extra_patterns", from.last()) {
            (_, None) => "default".to_string(),
            (true, Some(_)) => from.join(", "),
            (false, Some(last)) => last.to_string(),
        };
        rows.push((k.path, edit::value_of(cfg, k.path), origin));
    }
    if args.json {
        let v: Vec<_> = rows
            .iter()
            .map(|(k, v, o)| serde_json::json!({"key": k, "value": v, "origin": o}))
            .collect();
        let text = serde_json::to_string_pretty(&v).map_err(|e| Error::other_from("json", e))?;
        return writeln!(out, "{text}").map_err(out_err);
    }
    for (key, value, origin) in rows {
        let Some(value) = value else { continue };
        if args.show_origin {
            writeln!(out, "{origin}\t{key}={value}").map_err(out_err)?;
        } else {
            writeln!(out, "{key}={value}").map_err(out_err)?;
        }
    }
    Ok(())
}

/// The file `set` and `--edit` change; the repository's only once `init` made `.prompts/`
/// (creating it here would switch the hooks on in a repository nobody set up).
fn target(ctx: &Ctx, user: bool) -> Result<(String, PathBuf)> {
    let mut all = layers(ctx)?;
    if user {
        return all
            .drain(..)
            .find(|(_, p)| !p.ends_with(config::REPO_CONFIG))
            .ok_or_else(|| Error::user("no user configuration file: HOME is not set"));
    }
    let repo = all.pop().expect("the repository layer is always there");
    if !ctx.repo()?.prompts_dir().is_dir() {
        return Err(Error::user("git drift is not set up in this repository")
            .with_hint("run `git drift init` first, or pass --user for your own file"));
    }
    Ok(repo)
}

/// Check `text` as the file `shown` would be read, over the defaults.
fn check(ctx: &Ctx, shown: &str, text: &str) -> Result<Config> {
    Config::from_yaml(text, Path::new(shown), &ctx.repo()?.root, ctx.env())
}

fn set(ctx: &Ctx, user: bool, key: &str, value: &str, out: &mut dyn Write) -> Result<()> {
    known(key)?;
    let (shown, path) = target(ctx, user)?;
    let old = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let new = edit::set_in_text(&old, key, &edit::yaml_value(value));
    let cfg = check(ctx, &shown, &new)?;
    if !edit::sets(&new, key) {
        return Err(Error::other(format!(
            "could not place {key} in {shown}; edit it with `git drift config --edit`"
        )));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::write(&path, new).map_err(|e| Error::io(&path, e))?;
    let now = edit::value_of(&cfg, key).unwrap_or_default();
    writeln!(out, "{shown}: {key}={now}").map_err(out_err)
}

/// `--edit`: the editor git would use, on the file (the commented template when it is new),
/// then the same check every load does.
fn edit_file(ctx: &Ctx, user: bool, out: &mut dyn Write) -> Result<()> {
    let (shown, path) = target(ctx, user)?;
    if !path.exists() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        std::fs::write(&path, config::TEMPLATE).map_err(|e| Error::io(&path, e))?;
    }
    let editor = ctx.repo()?.git(&["var", "GIT_EDITOR"])?;
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{} \"$@\"", editor.trim()))
        .arg("editor")
        .arg(&path)
        .status()
        .map_err(|e| Error::other_from(format!("could not start the editor '{editor}'"), e))?;
    if !status.success() {
        return Err(Error::other(format!(
            "the editor '{editor}' failed ({status})"
        )));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    check(ctx, &shown, &text)
        .map_err(|e| e.with_hint("run `git drift config --edit` again to fix it"))?;
    writeln!(out, "{shown}: checked").map_err(out_err)
}
