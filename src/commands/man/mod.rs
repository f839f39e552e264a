//! `git drift man --dir DIR` (hidden): write the man pages, `git-drift(1)` and one page per
//! subcommand (`git-drift-log(1)`, …, which `git-drift(1)` refers to), so that `git drift
//! --help` (which git turns into `git help drift`) and `git drift help CMD` find them.

mod pages;

use crate::commands::Ctx;
use crate::error::{Error, Result, out_err};
use std::io::Write;

pub use pages::PAGES;

/// Write the man pages (git-drift.1 and git-drift-CMD.1 for every command) into DIR, so that
/// `git drift --help` (which git turns into `git help drift`) and `git drift help CMD` find
/// them
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory to write the pages to (e.g. ~/.local/share/man/man1)
    #[arg(long, value_name = "DIR")]
    pub dir: std::path::PathBuf,
}

/// Run `git drift man`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let dir = &args.dir;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    for (name, page) in pages_of(ctx.program()?)? {
        let path = dir.join(format!("{name}.1"));
        std::fs::write(&path, page).map_err(|e| Error::io(&path, e))?;
        writeln!(out, "wrote {}", path.display()).map_err(out_err)?;
    }
    Ok(())
}

/// Every page as (name, roff): the program's, then each visible subcommand's.
pub fn pages_of(mut program: clap::Command) -> Result<Vec<(String, Vec<u8>)>> {
    program.build();
    let version = program.get_version().unwrap_or_default().to_string();
    let mut out = Vec::new();
    let mut buf = Vec::new();
    clap_mangen::Man::new(program.clone().name("git-drift"))
        .render(&mut buf)
        .map_err(|e| Error::io("git-drift.1", e))?;
    out.push(("git-drift".to_string(), buf));
    for sub in program.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("git-drift-{}", sub.get_name());
        let page = PAGES.iter().find(|p| p.command == sub.get_name());
        let text = page.ok_or_else(|| {
            Error::other(format!(
                "no man page text for `{}` (add it to src/commands/man/pages.rs)",
                sub.get_name()
            ))
        })?;
        let cmd = sub
            .clone()
            .name(name.clone())
            .bin_name(format!("git drift {}", sub.get_name()))
            .version(version.clone())
            .long_about(text.description);
        let roff = render_page(cmd, text).map_err(|e| Error::io(format!("{name}.1"), e))?;
        out.push((name, roff));
    }
    Ok(out)
}

/// clap_mangen's sections, then EXAMPLES and SEE ALSO, which clap has no place for.
fn render_page(cmd: clap::Command, text: &pages::Page) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut w = Vec::new();
    man.render_title(&mut w)?;
    man.render_name_section(&mut w)?;
    man.render_synopsis_section(&mut w)?;
    man.render_description_section(&mut w)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut w)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut w)?;
    }
    writeln!(w, ".SH EXAMPLES")?;
    for (line, what) in text.examples {
        writeln!(
            w,
            ".TP\n\\fB{}\\fR\n{}",
            roff_escape(line),
            roff_escape(what)
        )?;
    }
    writeln!(w, ".SH \"SEE ALSO\"\n\\fBgit\\-drift\\fR(1)")?;
    Ok(w)
}

/// Text safe in a roff line: backslashes and hyphens escaped, no line starting a request.
fn roff_escape(s: &str) -> String {
    let t = s.replace('\\', "\\e").replace('-', "\\-");
    if t.starts_with(['.', '\'']) {
        format!("\\&{t}")
    } else {
        t
    }
}
