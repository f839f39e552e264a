//! Capture: read what the agents appended to their transcripts since last time, keep only this
//! worktree's sessions, redact, and store.
//!
//! Incremental by construction: every source file's size, mtime, read offset and reader state
//! are remembered, so an unchanged file costs one `stat` and a grown file is read from where
//! the last capture stopped. A file that shrank or whose first bytes changed was replaced and
//! is read again from the start; content-derived event ids make that free of duplicates.

use crate::agents::{self, FileReader, Input, Record, Scope};
use crate::error::{Error, Result};
use crate::model::{Agent, Edit, Event, EventKind, Millis, PlanItem, hex};
use crate::redact::Redactor;
use crate::store::{Batch, SourceRow, Store};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How many bytes of the start of a file identify it (to notice replacement).
const HEAD_BYTES: u64 = 4096;
/// Commit a batch after this many input bytes, bounding memory on large corpora.
const BATCH_BYTES: u64 = 8 << 20;
/// A line buffer grown past this is given back after its line (peak RSS).
const LINE_KEEP: usize = 1 << 20;
/// SQLite's page cache while capture writes (`PRAGMA cache_size`, negative: KiB). The default
/// 16 MB filled up on a large first capture and was most of its peak RSS (36 MiB at 1 GB).
const CAPTURE_CACHE: i64 = -2048;

/// What to capture and how.
pub struct Options<'a> {
    /// Agents to read, each with its home directory.
    pub agents: Vec<(Agent, PathBuf)>,
    /// Only store events at or after this time (events without a timestamp are kept).
    pub since: Option<Millis>,
    /// Builds the redaction applied to every text before it is stored. Called once, and only
    /// when there is something to read: compiling the secret patterns costs more than a
    /// capture with nothing new.
    pub redactor: &'a dyn Fn() -> Result<Redactor>,
    /// Read nothing when more than this many bytes are new (the hook then hands the work to
    /// a background process); [`Stats::deferred`] says how many were.
    pub budget: Option<u64>,
    /// Called with (bytes done, bytes to do) as capture proceeds.
    pub progress: Option<&'a mut dyn FnMut(u64, u64)>,
}

/// What a capture did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Source files examined / read because they changed.
    pub files_seen: u64,
    pub files_read: u64,
    pub bytes_read: u64,
    /// Sessions of this worktree that received new events.
    pub sessions: u64,
    /// Newly stored events, and of those the edit calls (one per tool call however many
    /// hunks it has, as `sessions` counts), rejections and prompts.
    pub events: u64,
    pub edits: u64,
    pub rejections: u64,
    pub prompts: u64,
    /// Complete lines that could not be parsed (skipped, never fatal).
    pub skipped_lines: u64,
    /// Files whose last line is still incomplete (an agent is writing it); read next time.
    pub partial_lines: u64,
    /// Files read again from the start because they shrank or were replaced.
    pub restarted: u64,
    /// New bytes left unread because they exceeded [`Options::budget`].
    pub deferred: u64,
}

/// Where a capture's time went, summed over files; printed on stderr when `GIT_DRIFT_TRACE`
/// is set (as the hook prints its phases), for tuning. Measuring costs two clock reads per
/// line and per stored event, nothing beside the work itself.
#[derive(Debug, Default)]
struct Phases {
    plan: Duration,
    parse: Duration,
    redact: Duration,
    insert: Duration,
    commit: Duration,
}

impl Phases {
    fn print(&self, total: Duration, stats: &Stats) {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        eprintln!(
            "git drift trace: capture {:.1} ms: plan {:.1} ({} files), parse {:.1}, redact {:.1}, \
             insert {:.1}, commit {:.1}, other {:.1} ({} bytes, {} events)",
            ms(total),
            ms(self.plan),
            stats.files_seen,
            ms(self.parse),
            ms(self.redact),
            ms(self.insert),
            ms(self.commit),
            ms(total
                .saturating_sub(self.plan + self.parse + self.redact + self.insert + self.commit)),
            stats.bytes_read,
            stats.events,
        );
    }
}

/// Driver state saved per source file next to the reader's own.
#[derive(Debug, Default, Serialize, Deserialize)]
struct DriverState {
    reader: String,
    /// Latest known cwd of each session seen in this file.
    cwds: BTreeMap<String, String>,
}

/// What this capture stored into: sessions, and edit calls (to count each call once); and
/// where its time went.
#[derive(Default)]
struct Touched {
    sessions: HashSet<String>,
    edit_calls: HashSet<String>,
    phases: Phases,
}

/// A source file that changed since the last capture.
struct Todo {
    agent: Agent,
    path: PathBuf,
    key: String,
    size: u64,
    mtime_ns: i64,
    prev: Option<SourceRow>,
}

impl Todo {
    /// Bytes this file has beyond where the last capture stopped.
    fn pending(&self) -> u64 {
        self.size - self.prev.as_ref().map_or(0, |p| p.offset.min(self.size))
    }
}

/// The files to read: one `stat` per source file, compared with the size and mtime the store
/// recorded. Only the files that changed have their full row (reader state) read.
fn plan(
    store: &Store,
    scope: &Scope,
    agents: &[(Agent, PathBuf)],
    since: Option<Millis>,
) -> Result<(Vec<Todo>, u64)> {
    let known = store.source_stamps()?;
    let mut seen = 0;
    let mut todo = Vec::new();
    for (agent, home) in agents {
        for path in agents::discover(*agent, home, scope) {
            seen += 1;
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            let key = path.to_string_lossy().into_owned();
            let size = meta.len();
            let mtime_ns = mtime_ns(&meta);
            let stamp = known.get(&key);
            if stamp == Some(&(size, mtime_ns)) {
                continue;
            }
            if let (Some(since), None) = (since, stamp) {
                // A file last written before --since cannot hold anything newer.
                if mtime_ns / 1_000_000 < since {
                    continue;
                }
            }
            let prev = match stamp {
                Some(_) => store.source(&key)?,
                None => None,
            };
            todo.push(Todo {
                agent: *agent,
                path,
                key,
                size,
                mtime_ns,
                prev,
            });
        }
    }
    Ok((todo, seen))
}

/// Capture every enabled agent's new transcript lines for the worktree at `root`.
pub fn capture(store: &mut Store, root: &Path, opts: Options<'_>) -> Result<Stats> {
    let started = Instant::now();
    let trace = std::env::var_os("GIT_DRIFT_TRACE").is_some();
    let scope = Scope::new(root);
    let (todo, seen) = plan(store, &scope, &opts.agents, opts.since)?;
    let mut stats = Stats {
        files_seen: seen,
        ..Stats::default()
    };
    let mut touched = Touched::default();
    touched.phases.plan = started.elapsed();
    let total: u64 = todo.iter().map(Todo::pending).sum();
    if todo.is_empty() || opts.budget.is_some_and(|b| total > b) {
        if !todo.is_empty() {
            stats.deferred = total;
        }
        if trace {
            touched.phases.print(started.elapsed(), &stats);
        }
        return Ok(stats);
    }
    let redactor = (opts.redactor)()?;
    let cache = store.swap_cache_size(CAPTURE_CACHE)?;
    let run = Run {
        scope: &scope,
        since: opts.since,
        redactor: &redactor,
    };
    let result = capture_files(store, &run, todo, opts.progress, &mut stats, &mut touched);
    store.swap_cache_size(cache)?;
    result?;
    stats.sessions = touched.sessions.len() as u64;
    if trace {
        touched.phases.print(started.elapsed(), &stats);
    }
    Ok(stats)
}

/// What every file of one capture is read with.
struct Run<'a> {
    scope: &'a Scope,
    since: Option<Millis>,
    redactor: &'a Redactor,
}

/// Read the files that changed, in order, reporting progress.
fn capture_files(
    store: &mut Store,
    run: &Run<'_>,
    todo: Vec<Todo>,
    mut progress: Option<&mut dyn FnMut(u64, u64)>,
    stats: &mut Stats,
    touched: &mut Touched,
) -> Result<()> {
    let total: u64 = todo.iter().map(Todo::pending).sum();
    let mut done = 0;
    for t in todo {
        stats.files_read += 1;
        let ctx = FileCtx {
            agent: t.agent,
            path: &t.path,
            key: &t.key,
            size: t.size,
            mtime_ns: t.mtime_ns,
            scope: run.scope,
            since: run.since,
            redact: run.redactor,
        };
        done += capture_file(store, &ctx, t.prev, stats, touched)?;
        if let Some(p) = progress.as_mut() {
            p(done, total);
        }
    }
    Ok(())
}

struct FileCtx<'a> {
    agent: Agent,
    path: &'a Path,
    key: &'a str,
    size: u64,
    mtime_ns: i64,
    scope: &'a Scope,
    since: Option<Millis>,
    redact: &'a Redactor,
}

/// Read one changed file from where the last capture stopped; returns the bytes read.
fn capture_file(
    store: &mut Store,
    ctx: &FileCtx<'_>,
    prev: Option<SourceRow>,
    stats: &mut Stats,
    touched: &mut Touched,
) -> Result<u64> {
    let reader_of = agents::reader(ctx.agent);
    let mut file = File::open(ctx.path).map_err(|e| Error::io(ctx.path, e))?;
    // Resume only when the file still starts with the bytes it started with. A whole-file
    // source is rewritten in place by design: its reader's state always carries over.
    let resume = match prev {
        Some(p) if reader_of.input() == Input::Whole => Some(p),
        Some(p) if p.offset <= ctx.size && head_hash(&mut file, p.offset)? == p.head => Some(p),
        Some(_) => {
            stats.restarted += 1;
            None
        }
        None => None,
    };
    let (offset, skipped, state) = match &resume {
        Some(p) => (
            p.offset,
            p.skipped,
            serde_json::from_str::<DriverState>(&p.state).unwrap_or_default(),
        ),
        None => (0, 0, DriverState::default()),
    };
    let reader = reader_of.open(
        ctx.path,
        (!state.reader.is_empty()).then_some(state.reader.as_str()),
    );
    let mut sink = Sink {
        ctx,
        state,
        skipped,
        stats,
        touched,
        spans: HashMap::new(),
    };
    match reader_of.input() {
        Input::Lines => read_lines(store, file, offset, reader, &mut sink),
        Input::Whole => {
            let mut reader = reader;
            let mut records = Vec::new();
            let skipped = reader.read_whole(ctx.path, &mut records);
            reader.finish(&mut records);
            sink.skipped += skipped;
            sink.stats.skipped_lines += skipped;
            let batch = store.batch()?;
            sink.take(&batch, &mut records)?;
            sink.finish_batch(batch, ctx.size, &*reader)?;
            sink.stats.bytes_read += ctx.size;
            Ok(ctx.size)
        }
    }
}

/// Feed the complete lines after `offset` to `reader`, committing every [`BATCH_BYTES`].
fn read_lines(
    store: &mut Store,
    mut file: File,
    mut offset: u64,
    mut reader: Box<dyn FileReader>,
    sink: &mut Sink<'_, '_>,
) -> Result<u64> {
    let path = sink.ctx.path;
    file.seek(SeekFrom::Start(offset))
        .map_err(|e| Error::io(path, e))?;
    let mut input = BufReader::with_capacity(256 * 1024, file);
    let mut line = Vec::with_capacity(64 * 1024);
    let mut records = Vec::new();
    let mut batch_start = offset;
    let start = offset;
    let mut batch = store.batch()?;
    let mut at_end = true;
    loop {
        line.clear();
        let n = input
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        if line.last() != Some(&b'\n') {
            // An agent is still writing this line: leave it for the next capture.
            sink.stats.partial_lines += 1;
            at_end = false;
            break;
        }
        let content = trim_line(&line);
        let parsing = Instant::now();
        if !content.is_empty() && reader.read_line(content, offset, &mut records).is_err() {
            sink.skipped += 1;
            sink.stats.skipped_lines += 1;
        }
        sink.touched.phases.parse += parsing.elapsed();
        sink.take(&batch, &mut records)?;
        if line.capacity() > LINE_KEEP {
            // One huge line (a whole file read back) must not pin its buffer for the rest.
            line = Vec::with_capacity(64 * 1024);
        }
        offset += n as u64;
        if offset - batch_start >= BATCH_BYTES {
            sink.finish_batch(batch, offset, &*reader)?;
            batch = store.batch()?;
            batch_start = offset;
        }
    }
    if at_end {
        // What the reader held back waiting for more lines (a streamed message's usage) is
        // stored now; the source may grow later, and the reader then updates it.
        reader.finish(&mut records);
        sink.take(&batch, &mut records)?;
    }
    sink.finish_batch(batch, offset, &*reader)?;
    sink.stats.bytes_read += offset - start;
    Ok(offset - start)
}

/// Where one file's records go: the sessions of this worktree into the store, the rest
/// dropped, with the driver state and figures kept up to date.
struct Sink<'c, 's> {
    ctx: &'c FileCtx<'c>,
    state: DriverState,
    skipped: u64,
    stats: &'s mut Stats,
    touched: &'s mut Touched,
    spans: HashMap<String, (Millis, Millis)>,
}

impl Sink<'_, '_> {
    /// Store (or drop) the records, emptying `records`.
    fn take(&mut self, batch: &Batch<'_>, records: &mut Vec<Record>) -> Result<()> {
        let ctx = self.ctx;
        for record in records.drain(..) {
            match record {
                Record::Session(info) => {
                    if let Some(cwd) = &info.cwd {
                        self.state.cwds.insert(info.id.clone(), cwd.clone());
                    }
                    if self.inside(&info.id) {
                        batch.upsert_session(ctx.agent, &info)?;
                    }
                }
                Record::Event(event) => {
                    let early = ctx.since.is_some_and(|s| event.at.is_some_and(|t| t < s));
                    if !self.inside(&event.session_id) || early {
                        continue;
                    }
                    store_event(batch, ctx, event, self.stats, self.touched, &mut self.spans)?;
                }
            }
        }
        Ok(())
    }

    /// Whether the session's latest known cwd lies in this worktree.
    fn inside(&self, session: &str) -> bool {
        self.state
            .cwds
            .get(session)
            .is_some_and(|cwd| self.ctx.scope.contains(cwd))
    }

    /// Commit the batch with the file's position and reader state.
    fn finish_batch(
        &mut self,
        batch: Batch<'_>,
        offset: u64,
        reader: &dyn FileReader,
    ) -> Result<()> {
        let ctx = self.ctx;
        for (session, (min, max)) in self.spans.drain() {
            batch.extend_span(&session, min, max)?;
        }
        self.state.reader = reader.save_state();
        let mut file = File::open(ctx.path).map_err(|e| Error::io(ctx.path, e))?;
        let head = head_hash(&mut file, offset)?;
        batch.set_source(
            ctx.key,
            &SourceRow {
                agent: ctx.agent,
                // Record the size we read up to, not the size now: a file still growing is then
                // seen as changed next time.
                size: if offset >= ctx.size { ctx.size } else { offset },
                mtime_ns: ctx.mtime_ns,
                offset,
                head,
                state: serde_json::to_string(&self.state).unwrap_or_default(),
                skipped: self.skipped,
            },
        )?;
        let committing = Instant::now();
        batch.commit()?;
        self.touched.phases.commit += committing.elapsed();
        Ok(())
    }
}

fn store_event(
    batch: &Batch<'_>,
    ctx: &FileCtx<'_>,
    mut event: Event,
    stats: &mut Stats,
    touched: &mut Touched,
    spans: &mut HashMap<String, (Millis, Millis)>,
) -> Result<()> {
    // Output of commands that succeeded is never read back (handoffs want the error tails of
    // failures); not storing it halves what a capture writes.
    if let EventKind::Outcome {
        ok: true,
        output_tail,
        ..
    } = &mut event.kind
    {
        *output_tail = None;
    }
    let redacting = Instant::now();
    redact_event(&mut event.kind, ctx.redact);
    let inserting = Instant::now();
    touched.phases.redact += inserting - redacting;
    let rel = match &event.kind {
        // A moved file's hunks land in the new path, which is where attribution looks.
        EventKind::Edit(e) => ctx.scope.relative(e.move_to.as_deref().unwrap_or(&e.path)),
        _ => None,
    };
    let inserted = batch.insert_event(&event, rel.as_deref())?;
    touched.phases.insert += inserting.elapsed();
    if inserted {
        stats.events += 1;
        match &event.kind {
            // One unit everywhere: an edit is a tool call, however many hunks or files it
            // touched (as `sessions` counts them).
            EventKind::Edit(e) => {
                let call = e.call_id.as_deref().unwrap_or(&event.id);
                if touched
                    .edit_calls
                    .insert(format!("{}\0{call}", event.session_id))
                {
                    stats.edits += 1;
                }
            }
            EventKind::Rejection { .. } => stats.rejections += 1,
            EventKind::Prompt { .. } => stats.prompts += 1,
            _ => {}
        }
        if let Some(at) = event.at {
            let span = spans.entry(event.session_id.clone()).or_insert((at, at));
            span.0 = span.0.min(at);
            span.1 = span.1.max(at);
        }
        touched.sessions.insert(event.session_id);
    }
    Ok(())
}

pub use crate::util::text::relative;

/// Apply redaction to every text of an event.
fn redact_event(kind: &mut EventKind, redactor: &Redactor) {
    let fix = |s: &mut String| {
        if let Cow::Owned(r) = redactor.redact(s) {
            *s = r;
        }
    };
    match kind {
        EventKind::Prompt { text } | EventKind::Reply { text } | EventKind::Reasoning { text } => {
            fix(text)
        }
        EventKind::Edit(Edit { before, after, .. }) => {
            fix(before);
            fix(after);
        }
        EventKind::Command { command, .. } => fix(command),
        EventKind::Outcome { output_tail, .. } => {
            if let Some(t) = output_tail {
                fix(t)
            }
        }
        EventKind::Rejection { reason, .. } => {
            if let Some(r) = reason {
                fix(r)
            }
        }
        EventKind::Plan { items, explanation } => {
            for PlanItem { text, .. } in items {
                fix(text);
            }
            if let Some(e) = explanation {
                fix(e)
            }
        }
        EventKind::PlanVerdict { plan, reason, .. } => {
            fix(plan);
            if let Some(r) = reason {
                fix(r)
            }
        }
        EventKind::Usage { .. } => {}
    }
}

/// Strip the newline (and a CR before it) from a line.
fn trim_line(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &line[..end]
}

/// Hash of the first `min(HEAD_BYTES, upto)` bytes of a file.
fn head_hash(file: &mut File, upto: u64) -> Result<String> {
    let n = upto.min(HEAD_BYTES);
    let mut buf = Vec::with_capacity(n as usize);
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.by_ref().take(n).read_to_end(&mut buf))
        .map_err(|e| Error::io("<source file>", e))?;
    Ok(hex(&Sha256::digest(&buf)[..8]))
}

fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_inside_root_only() {
        let root = Path::new("/home/dev/widget");
        assert_eq!(
            relative("/home/dev/widget/src/net.py", root).as_deref(),
            Some("src/net.py")
        );
        assert_eq!(relative("/home/dev/widget-old/x", root), None);
        assert_eq!(relative("/home/dev/widget", root), None);
    }

    #[test]
    fn trim_line_strips_crlf() {
        assert_eq!(trim_line(b"{}\r\n"), b"{}");
        assert_eq!(trim_line(b"{}\n"), b"{}");
    }
}
