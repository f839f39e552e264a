//! `git drift blame [REV] [--] FILE` (also `git-drift-blame`): which agent or human wrote each
//! line; the join of git's blame with the notes is [`crate::blame`].

use crate::blame::{
    self, NoteCache, Request, attribute_uncommitted, print_human, print_json, print_porcelain,
    print_timeline, print_timeline_json, timeline,
};
use crate::commands::Ctx;
use crate::error::{Error, Result, out_err};
use crate::store::Store;
use crate::util::text::ShortIds;
use std::cell::RefMut;
use std::io::Write;

/// The usage line of every way in.
pub const USAGE: &str = "git drift blame [OPTIONS] [REV] [--] FILE";

/// Arguments of `git drift blame` (shared by the `git-drift-blame` binary).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// `[REV] FILE`: blame FILE as of REV (default: the working tree, uncommitted lines
    /// included); a path is relative to the current directory
    #[arg(value_name = "FILE", num_args = 1..=2, required = true)]
    pub args: Vec<String>,
    /// Only lines START to END (git blame's -L forms: N,M  N,+K  /regex/  :funcname);
    /// repeatable
    #[arg(short = 'L', value_name = "START,END")]
    pub ranges: Vec<String>,
    /// Only line N (the same as -L N,N)
    #[arg(long, value_name = "N")]
    pub line: Option<u32>,
    /// The full history of the chosen lines, oldest first: every version, who wrote it, from
    /// which prompt, and the attempts rejected or superseded on the way
    #[arg(long)]
    pub timeline: bool,
    /// Print JSON
    #[arg(long, conflicts_with = "porcelain")]
    pub json: bool,
    /// A stable machine format modelled on `git blame --porcelain` (see docs/blame.md)
    #[arg(long, conflicts_with = "timeline")]
    pub porcelain: bool,
    /// Print the prompt under each group of agent-written lines
    #[arg(long)]
    pub show_prompt: bool,
}

/// `git-drift-blame` / `git drift-blame`: the same arguments as `git drift blame`.
#[derive(Debug, clap::Parser)]
#[command(
    name = "git-drift-blame",
    bin_name = "git drift blame",
    version,
    about = "Which AI agent (or human) wrote each line, in which session, from which prompt",
    override_usage = USAGE,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub output: crate::commands::context::OutputArgs,
    #[command(flatten)]
    pub args: Args,
}

/// What the arguments ask to blame.
fn request(ctx: &Ctx, args: &Args) -> Result<Request> {
    let (rev, file) = match args.args.as_slice() {
        [file] => (None, file.as_str()),
        [rev, file] => (Some(rev.clone()), file.as_str()),
        _ => return Err(Error::user("usage: git drift blame [REV] [--] FILE")),
    };
    let path = blame::repo_path(&ctx.repo()?.root, ctx.cwd(), file)?;
    let mut ranges = args.ranges.clone();
    if let Some(n) = args.line {
        if n == 0 {
            return Err(Error::user("--line: line numbers start at 1"));
        }
        ranges.push(format!("{n},{n}"));
    }
    if args.timeline && ranges.is_empty() {
        return Err(Error::user(
            "--timeline needs the lines to follow: --line N or -L START,END",
        ));
    }
    Ok(Request { path, rev, ranges })
}

/// Run `git drift blame`.
pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<()> {
    let target = request(ctx, args)?;
    let repo = ctx.repo()?;
    // git blames on one core while the rest of the setup runs on another.
    let running = blame::GitBlame::start(repo, &target)?;
    let gix = repo.gix()?;
    blame::check_text(repo, &gix, &target)?;
    let mut notes = NoteCache::open(&gix)?;
    crate::redact::Redactor::default().prepare();
    let mut blame = blame::blame_of(repo, running, &mut notes, &target)?;
    // The store matters for lines not committed yet and for the attempts a timeline shows.
    let store = if blame.has_uncommitted() || args.timeline {
        open_store(ctx)?
    } else {
        None
    };
    if let Some(store) = &store {
        attribute_uncommitted(repo, store, &ctx.config()?.redactor()?, &mut blame)?;
    }
    let machine = args.json || args.porcelain;
    // Short ids unique among every known session, for the human view (which needs the store
    // no longer: the timeline keeps it and shows its own ids).
    let (store, ids) = if machine || args.timeline {
        (store, ShortIds::default())
    } else {
        drop(store);
        let shown = blame.lines.iter().filter_map(|l| l.attr.session.as_deref());
        (None, ctx.short_ids(shown)?)
    };
    ctx.paged(out, machine, |out, paint| {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        let r = if args.timeline {
            timeline(repo, &mut notes, store.as_deref(), &blame).and_then(|t| {
                if args.json {
                    print_timeline_json(&t, &mut out)
                } else {
                    print_timeline(&t, paint, &mut out)
                }
            })
        } else if args.json {
            print_json(&blame, &mut out)
        } else if args.porcelain {
            print_porcelain(&blame, &mut out)
        } else {
            print_human(&blame, args.show_prompt, &ids, paint, &mut out)
        };
        r.and_then(|()| out.flush().map_err(out_err))
    })
}

/// The store after capturing what the agents wrote since the last capture. `None` when git
/// drift was never used here (no `.prompts/`): blame is a query and does not create it.
fn open_store(ctx: &Ctx) -> Result<Option<RefMut<'_, Store>>> {
    if !ctx.repo()?.prompts_dir().is_dir() {
        return Ok(None);
    }
    ctx.captured_store(false).map(Some)
}
