//! The local store: SQLite at `.prompts/events.db` holding captured sessions, their events, and
//! where capture stopped in every source file.
//!
//! Writers use `BEGIN IMMEDIATE` transactions (one per capture batch) so that concurrent
//! captures (a hook and `git drift watch`) serialise on the write lock instead of failing with
//! SQLITE_BUSY half-way; WAL mode lets readers run beside them. Event ids are content-derived,
//! so inserting the same event twice is a no-op (`INSERT OR IGNORE`).

use crate::error::{Error, Result};
use crate::model::{Agent, Event, EventKind, Millis, Session, SessionInfo};
use rusqlite::{Connection, OptionalExtension, params};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The schema version this build reads and writes.
/// 2: `events_by_session_kind`, for per-session queries.
/// 3: `session_stats`, per-session counters kept up to date by every write batch, so that
///    `git drift sessions` reads one row per session instead of counting events (6 min with
///    1,207 sessions before the index, 0.85 s after, milliseconds with counters); the index
///    gains `call_id` so a batch can tell a tool call's first edit from its later hunks.
pub const SCHEMA_VERSION: i64 = 3;

/// How long a connection waits for another process's write lock unless told otherwise.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(5);

/// The per-session counters (version 3): what `git drift sessions` shows, and the session's
/// first prompt by (ts, ord) with its position, so a batch can tell whether a prompt it
/// inserts comes earlier.
macro_rules! session_stats_table {
    () => {
        "CREATE TABLE IF NOT EXISTS session_stats (
    session_id TEXT PRIMARY KEY,
    prompts    INTEGER NOT NULL DEFAULT 0,
    edits      INTEGER NOT NULL DEFAULT 0,
    rejected   INTEGER NOT NULL DEFAULT 0,
    commands   INTEGER NOT NULL DEFAULT 0,
    first_ts   INTEGER,
    first_ord  INTEGER,
    first_data TEXT
);
"
    };
}

/// Migrations from each older version to the next, applied in order on open: the step
/// numbered `v` brings a version-`v` store to `v + 1`.
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        "CREATE INDEX IF NOT EXISTS events_by_session_kind ON events(session_id, kind);",
    ),
    (2, MIGRATE_2_TO_3),
];

/// Version 3: the wider index replaces version 2's, then the counters are computed once from
/// the events (a one-time scan; every later batch updates them in place).
const MIGRATE_2_TO_3: &str = concat!(
    "DROP INDEX IF EXISTS events_by_session_kind;\n",
    "CREATE INDEX IF NOT EXISTS events_by_session_kind_call ON events(session_id, kind, call_id);\n",
    session_stats_table!(),
    r#"
INSERT OR REPLACE INTO session_stats(session_id, prompts, edits, rejected, commands)
    SELECT session_id,
           sum(kind = 'prompt'),
           count(DISTINCT CASE WHEN kind = 'edit' THEN coalesce(call_id, 'row ' || rowid) END),
           sum(kind = 'rejection'),
           sum(kind = 'command')
    FROM events GROUP BY session_id;
UPDATE session_stats SET (first_ts, first_ord, first_data) = (
    SELECT e.ts, e.ord, e.data FROM events e
    WHERE e.session_id = session_stats.session_id AND e.kind = 'prompt'
    ORDER BY e.ts, e.ord LIMIT 1);
"#
);

const SCHEMA: &str = concat!(
    r#"
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (
    path     TEXT PRIMARY KEY,
    agent    TEXT NOT NULL,
    size     INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    offset   INTEGER NOT NULL,
    head     TEXT NOT NULL,
    state    TEXT NOT NULL,
    skipped  INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sessions (
    id        TEXT PRIMARY KEY,
    agent     TEXT NOT NULL,
    parent_id TEXT,
    cwd       TEXT,
    branch    TEXT,
    model     TEXT,
    started   INTEGER,
    ended     INTEGER
);
CREATE TABLE IF NOT EXISTS events (
    id         TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    ts         INTEGER,
    ord        INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    call_id    TEXT,
    path       TEXT,
    data       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_session ON events(session_id, ts, ord);
CREATE INDEX IF NOT EXISTS events_by_kind_path ON events(kind, path);
CREATE INDEX IF NOT EXISTS events_by_session_kind_call ON events(session_id, kind, call_id);
"#,
    session_stats_table!(),
    r#"
CREATE TABLE IF NOT EXISTS bound (
    event_id TEXT PRIMARY KEY,
    commit_id TEXT NOT NULL
);
"#
);

/// Where capture stopped in one source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRow {
    pub agent: Agent,
    pub size: u64,
    pub mtime_ns: i64,
    /// Byte offset just after the last complete line read.
    pub offset: u64,
    /// Hash of the file's first bytes (up to 4 KiB, and never past `offset`), to notice a file
    /// that was replaced by another of at least the same size.
    pub head: String,
    /// The reader/driver state to resume from.
    pub state: String,
    /// Malformed lines skipped so far in this file.
    pub skipped: u64,
}

/// A session with the counts `git drift sessions` shows.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SessionSummary {
    #[serde(flatten)]
    pub session: Session,
    pub prompts: u64,
    pub edits: u64,
    pub rejected: u64,
    pub commands: u64,
    pub first_prompt: Option<String>,
}

/// A session's summed token usage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct UsageTotals {
    pub input: u64,
    pub output: u64,
    pub cache_read: u64,
    pub cache_write: u64,
}

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// The store holds transcript text: create it readable by its owner only (0600), and tighten
/// a store created before that rule. SQLite gives the WAL and shared-memory files the mode of
/// the database file. Best effort: a failure here is reported by the open that follows.
fn private_file(path: &Path) {
    if path == Path::new(":memory:") {
        return;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let _ = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path);
        for file in [
            path.to_path_buf(),
            path.with_extension("db-wal"),
            path.with_extension("db-shm"),
        ] {
            if let Ok(meta) = std::fs::metadata(&file)
                && meta.permissions().mode() & 0o077 != 0
            {
                let _ = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

impl Store {
    /// Open (creating if needed) the store at `path`, waiting up to [`DEFAULT_WAIT`] for
    /// another process's write lock.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_waiting(path, DEFAULT_WAIT)
    }

    /// [`Store::open`] waiting at most `wait` whenever another process holds the lock (a
    /// hook waits ~200 ms, then queues its work instead of holding up git).
    pub fn open_waiting(path: &Path, wait: Duration) -> Result<Store> {
        private_file(path);
        let conn = Connection::open(path).map_err(|e| store_err(path, e))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        match store.init(wait) {
            Ok(()) => Ok(store),
            Err(e) => {
                drop(store);
                Err(diagnose(path, e))
            }
        }
    }

    /// Open the store of a worktree (`<root>/.prompts/events.db`), creating `.prompts/`.
    pub fn open_in(prompts_dir: &Path) -> Result<Store> {
        Store::open_in_waiting(prompts_dir, DEFAULT_WAIT)
    }

    /// [`Store::open_in`] with [`Store::open_waiting`]'s `wait`.
    pub fn open_in_waiting(prompts_dir: &Path, wait: Duration) -> Result<Store> {
        std::fs::create_dir_all(prompts_dir).map_err(|e| Error::io(prompts_dir, e))?;
        Store::open_waiting(&prompts_dir.join("events.db"), wait)
    }

    /// Change how long this connection waits for another process's lock.
    pub fn set_wait(&self, wait: Duration) -> Result<()> {
        self.conn.busy_timeout(wait).map_err(|e| self.err(e))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, e: rusqlite::Error) -> Error {
        store_err(&self.path, e)
    }

    fn init(&self, wait: Duration) -> Result<()> {
        self.conn.busy_timeout(wait).map_err(|e| self.err(e))?;
        // Cheap sanity checks of every b-tree cell read: a damaged page becomes an error
        // instead of rows that silently vanish (and lines silently called human).
        self.conn
            .execute_batch("PRAGMA cell_size_check=ON;")
            .map_err(|e| self.err(e))?;
        // Read what the file is before writing anything to it (even the WAL pragma changes
        // the file): a database of another tool is refused untouched.
        let version = self.schema_version()?;
        self.conn
            // Checkpoint (and fsync) every ~16 MiB of WAL instead of SQLite's 4 MiB default:
            // a first capture writes tens of MB, and each checkpoint's fsync is costly.
            .execute_batch(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; \
                 PRAGMA wal_autocheckpoint=4000; PRAGMA cache_size=-16000;",
            )
            .map_err(|e| self.err(e))?;
        match version {
            None => {
                self.conn
                    .execute_batch(&format!(
                        "BEGIN IMMEDIATE; {SCHEMA} INSERT OR REPLACE INTO meta(key, value) \
                         VALUES ('schema_version', '{SCHEMA_VERSION}'); COMMIT;"
                    ))
                    .map_err(|e| self.err(e))?;
            }
            Some(SCHEMA_VERSION) => {}
            Some(v) if v > SCHEMA_VERSION => {
                return Err(Error::user(format!(
                    "{}: written by a newer git drift (schema {v}, this build reads {SCHEMA_VERSION}); upgrade git drift",
                    self.path.display()
                )));
            }
            Some(v) => self.migrate(v)?,
        }
        Ok(())
    }

    /// The stored schema version: None for an empty (new) file. A file that holds tables but
    /// no git drift schema version is another tool's database (drift_ai uses the same path)
    /// and an error.
    fn schema_version(&self) -> Result<Option<i64>> {
        let tables: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        if tables == 0 {
            return Ok(None);
        }
        let version: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .or_else(|e| match e {
                rusqlite::Error::SqliteFailure(_, Some(ref m))
                    if m.contains("no such table") || m.contains("no such column") =>
                {
                    Ok(None)
                }
                e => Err(e),
            })
            .map_err(|e| self.err(e))?;
        match version.as_deref().map(str::parse::<i64>) {
            Some(Ok(v)) => Ok(Some(v)),
            Some(Err(_)) => Err(Error::user(format!(
                "{}: unknown schema version; move the file away and run `git drift capture` to rebuild it",
                self.path.display()
            ))),
            None => Err(Error::user(format!(
                "{}: this is not a git drift store: it is a SQLite database of another tool \
                 (drift_ai, for one, uses the same path), left untouched",
                self.path.display()
            ))
            .with_hint(format!(
                "move it aside (e.g. `mv {0} {0}.other`) and run `git drift capture`; git drift \
                 rebuilds its store from the transcripts on disk",
                self.path.display()
            ))),
        }
    }

    /// Bring a store of an older schema version up to date, in one transaction.
    fn migrate(&self, from: i64) -> Result<()> {
        let mut sql = String::from("BEGIN IMMEDIATE; ");
        for (v, step) in MIGRATIONS {
            if *v >= from {
                sql.push_str(step);
            }
        }
        sql.push_str(&format!(
            " UPDATE meta SET value = '{SCHEMA_VERSION}' WHERE key = 'schema_version'; COMMIT;"
        ));
        self.conn.execute_batch(&sql).map_err(|e| self.err(e))
    }

    /// Set SQLite's page cache size (`PRAGMA cache_size`: negative in KiB, positive in
    /// pages) and return the previous setting. Capture bounds it while it writes and then
    /// restores it: a first capture writes hundreds of MB through the cache, and at the default
    /// 16 MB the cache was most of capture's peak RSS, for no speed (the writes are mostly
    /// appends, and the OS caches the file anyway).
    pub fn swap_cache_size(&self, size: i64) -> Result<i64> {
        let before: i64 = self
            .conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = {size}"))
            .map_err(|e| self.err(e))?;
        Ok(before)
    }

    /// The size and mtime capture recorded for every source file, by path: all a capture needs
    /// to tell which files changed. The full rows (reader state included) of only those are
    /// then read with [`Store::source`]; loading every row cost ~20 µs per file per commit.
    pub fn source_stamps(&self) -> Result<HashMap<String, (u64, i64)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT path, size, mtime_ns FROM sources")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    (r.get::<_, i64>(1)? as u64, r.get::<_, i64>(2)?),
                ))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<HashMap<_, _>>>()
            .map_err(|e| self.err(e))
    }

    /// Where capture stopped in one source file, if it has seen it (and knows its agent).
    pub fn source(&self, path: &str) -> Result<Option<SourceRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT agent, size, mtime_ns, offset, head, state, skipped FROM sources
                 WHERE path = ?1",
            )
            .map_err(|e| self.err(e))?;
        let row = stmt
            .query_row([path], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    SourceRow {
                        agent: Agent::ClaudeCode,
                        size: r.get::<_, i64>(1)? as u64,
                        mtime_ns: r.get(2)?,
                        offset: r.get::<_, i64>(3)? as u64,
                        head: r.get(4)?,
                        state: r.get(5)?,
                        skipped: r.get::<_, i64>(6)? as u64,
                    },
                ))
            })
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(row.and_then(|(agent, mut src)| {
            src.agent = agent.parse().ok()?;
            Some(src)
        }))
    }

    /// Start a write batch (one transaction).
    pub fn batch(&mut self) -> Result<Batch<'_>> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| store_err(&path, e))?;
        Ok(Batch {
            tx,
            path,
            counts: RefCell::new(HashMap::new()),
        })
    }

    /// Every captured session with its counts, oldest first.
    pub fn sessions(&self, agent: Option<Agent>) -> Result<Vec<SessionSummary>> {
        let mut stmt = self
            .conn
            .prepare(
                // One row per session: the counts are kept by every write batch (see
                // `session_stats`), never counted here.
                "SELECT s.id, s.agent, s.parent_id, s.cwd, s.branch, s.model, s.started, s.ended,
                    coalesce(c.prompts, 0), coalesce(c.edits, 0), coalesce(c.rejected, 0),
                    coalesce(c.commands, 0), c.first_data
                 FROM sessions s LEFT JOIN session_stats c ON c.session_id = s.id
                 WHERE ?1 IS NULL OR s.agent = ?1
                 ORDER BY s.started, s.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![agent.map(Agent::as_str)], |r| {
                Ok((
                    session_from_row(r)?,
                    r.get::<_, i64>(8)? as u64,
                    r.get::<_, i64>(9)? as u64,
                    r.get::<_, i64>(10)? as u64,
                    r.get::<_, i64>(11)? as u64,
                    r.get::<_, Option<String>>(12)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (session, prompts, edits, rejected, commands, first) =
                row.map_err(|e| self.err(e))?;
            let Some(session) = session else { continue };
            let first_prompt = first.and_then(|d| match serde_json::from_str(&d) {
                Ok(EventKind::Prompt { text }) => Some(text),
                _ => None,
            });
            out.push(SessionSummary {
                session,
                prompts,
                edits,
                rejected,
                commands,
                first_prompt,
            });
        }
        Ok(out)
    }

    /// The session whose id is `prefix` or starts with it. An unknown id or an ambiguous prefix
    /// is a user error (the latter listing the candidates).
    pub fn find_session(&self, prefix: &str) -> Result<Session> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, agent, parent_id, cwd, branch, model, started, ended FROM sessions
                 WHERE id = ?1 OR substr(id, 1, length(?1)) = ?1 ORDER BY started, id LIMIT 21",
            )
            .map_err(|e| self.err(e))?;
        let found: Vec<Session> = stmt
            .query_map([prefix], session_from_row)
            .map_err(|e| self.err(e))?
            .filter_map(|r| r.ok().flatten())
            .collect();
        if let Some(exact) = found.iter().find(|s| s.info.id == prefix) {
            return Ok(exact.clone());
        }
        match found.len() {
            0 => Err(Error::user(format!(
                "no captured session matches '{prefix}' (see `git drift sessions`)"
            ))),
            1 => Ok(found.into_iter().next().expect("one element")),
            _ => {
                let list: Vec<String> = found
                    .iter()
                    .take(20)
                    .map(|s| format!("  {} {}", s.info.id, s.agent))
                    .collect();
                Err(Error::user(format!(
                    "session id '{prefix}' is ambiguous; candidates:\n{}",
                    list.join("\n")
                )))
            }
        }
    }

    /// The events of a session in order.
    pub fn events(&self, session_id: &str) -> Result<Vec<Event>> {
        self.query_events(
            "SELECT id, session_id, ts, ord, data FROM events WHERE session_id = ?1
             ORDER BY ts, ord",
            params![session_id],
        )
    }

    /// The events of a session of the given kinds, in order.
    pub fn events_of_kinds(&self, session_id: &str, kinds: &[&str]) -> Result<Vec<Event>> {
        let list = serde_json::to_string(kinds).unwrap_or_else(|_| "[]".into());
        self.query_events(
            "SELECT id, session_id, ts, ord, data FROM events WHERE session_id = ?1
               AND kind IN (SELECT value FROM json_each(?2))
             ORDER BY ts, ord",
            params![session_id, list],
        )
    }

    /// Every edit event touching a repository-relative path (or all when `path` is None), with
    /// a timestamp at or before `until`, oldest first.
    pub fn edits(&self, path: Option<&str>, until: Option<Millis>) -> Result<Vec<Event>> {
        // Two statements, not `(?1 IS NULL OR path = ?1)`: with that, SQLite cannot use the
        // (kind, path) index for the one-path case and walks every edit row of the index
        // for each committed file (46.8 ms instead of 0.4 ms at 300 MB of history).
        match path {
            Some(path) => self.query_events(
                "SELECT id, session_id, ts, ord, data FROM events
                 WHERE kind = 'edit' AND path = ?1
                   AND (?2 IS NULL OR ts IS NULL OR ts <= ?2)
                 ORDER BY ts, ord",
                params![path, until],
            ),
            None => self.query_events(
                "SELECT id, session_id, ts, ord, data FROM events
                 WHERE kind = 'edit' AND path IS NOT NULL
                   AND (?1 IS NULL OR ts IS NULL OR ts <= ?1)
                 ORDER BY ts, ord",
                params![until],
            ),
        }
    }

    /// The edit events on one repository-relative path with a timestamp at or before `until`
    /// (or none), oldest first, each with the commit it is bound to. A plain `path = ?1`, so
    /// SQLite walks only this path's rows of `events_by_kind_path` (the per-commit bind query).
    pub fn edits_on(&self, path: &str, until: Millis) -> Result<Vec<(Event, Option<String>)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT e.id, e.session_id, e.ts, e.ord, e.data, b.commit_id FROM events e
                 LEFT JOIN bound b ON b.event_id = e.id
                 WHERE e.kind = 'edit' AND e.path = ?1 AND (e.ts IS NULL OR e.ts <= ?2)
                 ORDER BY e.ts, e.ord",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![path, until], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, session_id, at, ord, data, bound) = row.map_err(|e| self.err(e))?;
            if let Ok(kind) = serde_json::from_str(&data) {
                let event = Event {
                    id,
                    session_id,
                    at,
                    ord,
                    kind,
                };
                out.push((event, bound));
            }
        }
        Ok(out)
    }

    /// Run an event query whose columns are `id, session_id, ts, ord, data`.
    pub fn query_events(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Event>> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params, |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, session_id, at, ord, data) = row.map_err(|e| self.err(e))?;
            // Rows written by a newer build with kinds this one does not know are skipped.
            if let Ok(kind) = serde_json::from_str(&data) {
                out.push(Event {
                    id,
                    session_id,
                    at,
                    ord,
                    kind,
                });
            }
        }
        Ok(out)
    }

    /// The session record for an id.
    pub fn session(&self, id: &str) -> Result<Option<Session>> {
        self.conn
            .query_row(
                "SELECT id, agent, parent_id, cwd, branch, model, started, ended FROM sessions
                 WHERE id = ?1",
                [id],
                session_from_row,
            )
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.err(e))
    }

    /// Call ids of a session's tool uses that the user declined.
    pub fn rejected_calls(&self, session_id: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT call_id FROM events WHERE session_id = ?1 AND kind = 'rejection'
                 AND call_id IS NOT NULL",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([session_id], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<String>>>()
            .map_err(|e| self.err(e))
    }

    /// The commit an edit event was bound to, if any.
    pub fn bound_commit(&self, event_id: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT commit_id FROM bound WHERE event_id = ?1",
                [event_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Record that these edit events landed in `commit`.
    pub fn bind(&mut self, commit: &str, event_ids: &[String]) -> Result<()> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| store_err(&path, e))?;
        {
            let mut stmt = tx
                .prepare_cached("INSERT OR REPLACE INTO bound(event_id, commit_id) VALUES (?1, ?2)")
                .map_err(|e| store_err(&path, e))?;
            for id in event_ids {
                stmt.execute(params![id, commit])
                    .map_err(|e| store_err(&path, e))?;
            }
        }
        tx.commit().map_err(|e| store_err(&path, e))
    }

    /// Move bindings from rewritten commits to their new ids (amend, rebase).
    pub fn rebind(&mut self, old: &str, new: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE bound SET commit_id = ?2 WHERE commit_id = ?1",
                params![old, new],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Total token usage of a session, cache reads and writes included (one row per API
    /// message). Cache-read tokens dwarf fresh input in long sessions ("234 in" beside 17.2M
    /// cache-read), so a display of input alone undercounts what was processed.
    pub fn usage_totals(&self, session_id: &str) -> Result<UsageTotals> {
        let events = self.query_events(
            "SELECT id, session_id, ts, ord, data FROM events WHERE session_id = ?1 AND kind = 'usage'",
            params![session_id],
        )?;
        let mut t = UsageTotals::default();
        for e in &events {
            if let EventKind::Usage {
                input,
                output,
                cache_read,
                cache_write,
                ..
            } = &e.kind
            {
                t.input += input;
                t.output += output;
                t.cache_read += cache_read;
                t.cache_write += cache_write;
            }
        }
        Ok(t)
    }
}

/// One write transaction.
pub struct Batch<'a> {
    tx: rusqlite::Transaction<'a>,
    path: PathBuf,
    /// What this batch's new events add to each session's counters, written to
    /// `session_stats` on commit (one row per session and batch, not one per event).
    counts: RefCell<HashMap<String, Counts>>,
}

/// Counter deltas of one session in one batch.
#[derive(Default)]
struct Counts {
    prompts: i64,
    edits: i64,
    rejected: i64,
    commands: i64,
    /// The earliest new prompt by (ts, ord): (ts, ord, data).
    first: Option<(Option<Millis>, i64, String)>,
}

/// The order `ORDER BY ts, ord` gives: a missing time sorts first.
fn prompt_key(ts: Option<Millis>, ord: i64) -> (i64, i64) {
    (ts.unwrap_or(i64::MIN), ord)
}

impl Batch<'_> {
    fn err(&self, e: rusqlite::Error) -> Error {
        store_err(&self.path, e)
    }

    /// Insert or update a session: non-null fields overwrite, the start only moves earlier.
    pub fn upsert_session(&self, agent: Agent, info: &SessionInfo) -> Result<()> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "INSERT INTO sessions(id, agent, parent_id, cwd, branch, model, started, ended)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(id) DO UPDATE SET
                    parent_id = coalesce(excluded.parent_id, parent_id),
                    cwd = coalesce(excluded.cwd, cwd),
                    branch = coalesce(excluded.branch, branch),
                    model = coalesce(excluded.model, model),
                    started = CASE WHEN started IS NULL THEN excluded.started
                                   WHEN excluded.started IS NULL THEN started
                                   ELSE min(started, excluded.started) END,
                    ended = CASE WHEN ended IS NULL THEN excluded.ended
                                 WHEN excluded.ended IS NULL THEN ended
                                 ELSE max(ended, excluded.ended) END",
            )
            .map_err(|e| self.err(e))?;
        stmt.execute(params![
            info.id,
            agent.as_str(),
            info.parent_id,
            info.cwd,
            info.branch,
            info.model,
            info.started,
            info.ended
        ])
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Widen a session's time span to include `[min, max]`.
    pub fn extend_span(&self, session_id: &str, min: Millis, max: Millis) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE sessions SET
                    started = CASE WHEN started IS NULL OR started > ?2 THEN ?2 ELSE started END,
                    ended = CASE WHEN ended IS NULL OR ended < ?3 THEN ?3 ELSE ended END
                 WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![session_id, min, max]))
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Insert an event unless one with the same id exists (a usage or rejection with the same
    /// id replaces the stored one's data). `path` is the repository-relative path of an edit
    /// (None for other kinds or files outside the repository). Returns whether a row was
    /// inserted.
    pub fn insert_event(&self, event: &Event, path: Option<&str>) -> Result<bool> {
        let data = serde_json::to_string(&event.kind)
            .map_err(|e| Error::other_from("cannot encode event", e))?;
        let mut stmt = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO events(id, session_id, ts, ord, kind, call_id, path, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(|e| self.err(e))?;
        let n = stmt
            .execute(params![
                event.id,
                event.session_id,
                event.at,
                event.ord,
                event.kind.name(),
                event.kind.call_id(),
                path,
                data
            ])
            .map_err(|e| self.err(e))?;
        if n > 0 {
            self.count(event, &data)?;
        } else if matches!(
            event.kind,
            EventKind::Usage { .. } | EventKind::Rejection { .. }
        ) {
            // Readers emit these again, revised, under the same id: a streamed message's
            // usage grows until its last line, a TUI decline gains the reason typed next.
            self.tx
                .prepare_cached("UPDATE events SET data = ?2 WHERE id = ?1 AND data <> ?2")
                .and_then(|mut s| s.execute(params![event.id, data]))
                .map_err(|e| self.err(e))?;
        }
        Ok(n > 0)
    }

    /// Add a newly inserted event to its session's counters. An edit counts once per tool
    /// call, however many hunks or files it has (its first row with that call id counts).
    fn count(&self, event: &Event, data: &str) -> Result<()> {
        let mut counts = self.counts.borrow_mut();
        let c = counts.entry(event.session_id.clone()).or_default();
        match &event.kind {
            EventKind::Prompt { .. } => {
                c.prompts += 1;
                let key = prompt_key(event.at, event.ord);
                if c.first
                    .as_ref()
                    .is_none_or(|(t, o, _)| key < prompt_key(*t, *o))
                {
                    c.first = Some((event.at, event.ord, data.to_string()));
                }
            }
            EventKind::Edit(e) => {
                let first_of_call = match &e.call_id {
                    None => true,
                    Some(call) => {
                        let rows: i64 = self
                            .tx
                            .prepare_cached(
                                "SELECT count(*) FROM (SELECT 1 FROM events WHERE session_id = ?1
                                 AND kind = 'edit' AND call_id = ?2 LIMIT 2)",
                            )
                            .and_then(|mut s| {
                                s.query_row(params![event.session_id, call], |r| r.get(0))
                            })
                            .map_err(|e| self.err(e))?;
                        rows == 1
                    }
                };
                c.edits += i64::from(first_of_call);
            }
            EventKind::Rejection { .. } => c.rejected += 1,
            EventKind::Command { .. } => c.commands += 1,
            _ => {}
        }
        Ok(())
    }

    /// Write the counter deltas of this batch into `session_stats`.
    fn flush_counts(&self) -> Result<()> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "INSERT INTO session_stats(session_id, prompts, edits, rejected, commands,
                    first_ts, first_ord, first_data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(session_id) DO UPDATE SET
                    prompts = prompts + excluded.prompts,
                    edits = edits + excluded.edits,
                    rejected = rejected + excluded.rejected,
                    commands = commands + excluded.commands,
                    first_ts = CASE WHEN ?9 THEN excluded.first_ts ELSE first_ts END,
                    first_ord = CASE WHEN ?9 THEN excluded.first_ord ELSE first_ord END,
                    first_data = CASE WHEN ?9 THEN excluded.first_data ELSE first_data END",
            )
            .map_err(|e| self.err(e))?;
        for (session, c) in self.counts.borrow_mut().drain() {
            let (ts, ord, data) = match c.first {
                Some((t, o, d)) => (t, Some(o), Some(d)),
                None => (None, None, None),
            };
            // Whether the new first prompt is earlier than the stored one; SQL's row-value
            // comparison would need NULL handling, so the stored key is read here instead.
            let earlier = match ord {
                None => false,
                Some(o) => {
                    let stored: Option<(Option<i64>, Option<i64>)> = self
                        .tx
                        .prepare_cached(
                            "SELECT first_ts, first_ord FROM session_stats WHERE session_id = ?1",
                        )
                        .and_then(|mut s| {
                            s.query_row([&session], |r| Ok((r.get(0)?, r.get(1)?)))
                                .optional()
                        })
                        .map_err(|e| self.err(e))?;
                    match stored {
                        Some((t, Some(so))) => prompt_key(ts, o) < prompt_key(t, so),
                        _ => true,
                    }
                }
            };
            stmt.execute(params![
                session, c.prompts, c.edits, c.rejected, c.commands, ts, ord, data, earlier
            ])
            .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Remember where capture stopped in a source file.
    pub fn set_source(&self, path: &str, src: &SourceRow) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO sources(path, agent, size, mtime_ns, offset, head, state, skipped)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    path,
                    src.agent.as_str(),
                    src.size as i64,
                    src.mtime_ns,
                    src.offset as i64,
                    src.head,
                    src.state,
                    src.skipped as i64
                ])
            })
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Make the batch durable, with the session counters it changed.
    pub fn commit(self) -> Result<()> {
        self.flush_counts()?;
        let path = self.path;
        self.tx.commit().map_err(|e| store_err(&path, e))
    }
}

/// A SQLite error of the store at `path`; one that says the file is damaged carries the way
/// out ([`DAMAGED_HINT`]).
fn store_err(path: &Path, source: rusqlite::Error) -> Error {
    let damaged = is_damage(&source);
    let e = Error::Store {
        path: path.to_path_buf(),
        source,
    };
    if damaged { damaged_err(e) } else { e }
}

/// What to do about a damaged store.
pub const DAMAGED_HINT: &str = "move .prompts/events.db aside and run `git drift capture`; \
     transcripts on disk are the source of truth";

fn damaged_err(e: Error) -> Error {
    e.with_hint(DAMAGED_HINT)
}

fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

/// The SQLite error inside `e`, looking through hints.
fn sqlite_code(e: &Error) -> Option<rusqlite::ErrorCode> {
    match e {
        Error::Store { source, .. } => source.sqlite_error_code(),
        Error::Hinted { error, .. } => sqlite_code(error),
        _ => None,
    }
}

/// Whether `e` is another process holding the store's lock past our wait: worth queueing the
/// work and trying again later, not a fault of the store.
pub fn is_busy(e: &Error) -> bool {
    matches!(
        sqlite_code(e),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Whether `e` says the store is damaged (its reads cannot be trusted).
pub fn is_damaged(e: &Error) -> bool {
    matches!(
        sqlite_code(e),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

/// Whether `e` is the store failing (damaged, unwritable, full, unopenable) rather than a lock
/// held by someone else or a fault outside the store.
pub fn is_store_fault(e: &Error) -> bool {
    !is_busy(e) && sqlite_code(e).is_some()
}

/// An open failed with `e`: when it is a SQLite error other than a busy lock, ask SQLite
/// whether the file is intact (`PRAGMA quick_check`), and turn a damaged file into an error
/// that says so and what to do.
fn diagnose(path: &Path, e: Error) -> Error {
    if is_damaged(&e) || sqlite_code(&e).is_none() || is_busy(&e) {
        return e;
    }
    let check = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|c| c.query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0)));
    match check {
        Ok(ok) if ok == "ok" => e,
        Ok(problem) => store_err(
            path,
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                Some(format!("database disk image is malformed ({problem}); {e}")),
            ),
        ),
        Err(c) if is_damage(&c) => store_err(path, c),
        Err(_) => e,
    }
}

fn session_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<Session>> {
    let agent: String = r.get(1)?;
    let Ok(agent) = agent.parse::<Agent>() else {
        return Ok(None);
    };
    Ok(Some(Session {
        agent,
        info: SessionInfo {
            id: r.get(0)?,
            parent_id: r.get(2)?,
            cwd: r.get(3)?,
            branch: r.get(4)?,
            model: r.get(5)?,
            started: r.get(6)?,
            ended: r.get(7)?,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::event_id;

    fn prompt(session: &str, text: &str, at: i64) -> Event {
        Event {
            id: event_id(Agent::Codex, session, &[text.as_bytes()]),
            session_id: session.into(),
            at: Some(at),
            ord: at,
            kind: EventKind::Prompt { text: text.into() },
        }
    }

    fn info(id: &str, started: i64) -> SessionInfo {
        SessionInfo {
            id: id.into(),
            cwd: Some("/r".into()),
            started: Some(started),
            ..Default::default()
        }
    }

    #[test]
    fn same_event_twice_inserts_once_and_sessions_merge() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("e.db")).unwrap();
        let b = store.batch().unwrap();
        b.upsert_session(Agent::Codex, &info("abc-1", 50)).unwrap();
        let e = prompt("abc-1", "hello", 100);
        assert!(b.insert_event(&e, None).unwrap());
        assert!(!b.insert_event(&e, None).unwrap());
        b.extend_span("abc-1", 100, 200).unwrap();
        b.commit().unwrap();

        let all = store.sessions(None).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].prompts, 1);
        assert_eq!(all[0].first_prompt.as_deref(), Some("hello"));
        assert_eq!(all[0].session.info.started, Some(50));
        assert_eq!(all[0].session.info.ended, Some(200));
        assert_eq!(store.events("abc-1").unwrap(), vec![e]);
    }

    #[test]
    fn find_session_by_prefix_and_ambiguity() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("e.db")).unwrap();
        let b = store.batch().unwrap();
        b.upsert_session(Agent::Codex, &info("abc-1", 1)).unwrap();
        b.upsert_session(Agent::ClaudeCode, &info("abd-2", 2))
            .unwrap();
        b.commit().unwrap();
        assert_eq!(store.find_session("abd").unwrap().info.id, "abd-2");
        let err = store.find_session("ab").unwrap_err().to_string();
        assert!(err.contains("ambiguous") && err.contains("abc-1") && err.contains("abd-2"));
        assert!(matches!(store.find_session("zz"), Err(Error::User(_))));
    }

    #[test]
    fn reopening_keeps_data_and_rejects_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.db");
        {
            let mut store = Store::open(&path).unwrap();
            let b = store.batch().unwrap();
            b.upsert_session(Agent::Codex, &info("s", 1)).unwrap();
            b.commit().unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.sessions(None).unwrap().len(), 1);
        store
            .conn
            .execute(
                "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
                [],
            )
            .unwrap();
        drop(store);
        let err = Store::open(&path).err().unwrap().to_string();
        assert!(err.contains("newer git drift"), "{err}");
    }

    #[test]
    fn another_tools_events_db_is_refused_untouched_with_a_hint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.db");
        {
            // drift_ai's layout: a `sessions` table without our columns, no meta.
            let c = Connection::open(&path).unwrap();
            c.execute_batch(
                "CREATE TABLE sessions (session_id TEXT PRIMARY KEY, agent TEXT, started_at TEXT);
                 INSERT INTO sessions VALUES ('x', 'claude', '2026-01-01');",
            )
            .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path).err().expect("refused");
        let text = format!("{err}");
        assert!(text.contains("not a git drift store"), "{text}");
        assert!(text.contains(&path.display().to_string()), "{text}");
        match &err {
            Error::Hinted { hint, .. } => assert!(hint.contains("move it aside"), "{hint}"),
            other => panic!("no hint: {other:?}"),
        }
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "the file is unchanged"
        );
        let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(entries.len(), 1, "no -wal/-shm written beside it");
    }

    /// A store of an older version: version 2's index in place of version 3's, no counters.
    fn downgrade(store: &Store, version: i64) {
        store
            .conn
            .execute_batch(&format!(
                "DROP TABLE session_stats; DROP INDEX events_by_session_kind_call;
                 {}
                 UPDATE meta SET value = '{version}' WHERE key = 'schema_version';",
                if version >= 2 {
                    "CREATE INDEX events_by_session_kind ON events(session_id, kind);"
                } else {
                    ""
                }
            ))
            .unwrap();
    }

    fn edit(session: &str, id: &str, call: Option<&str>, at: i64) -> Event {
        Event {
            id: id.into(),
            session_id: session.into(),
            at: Some(at),
            ord: at,
            kind: EventKind::Edit(crate::model::Edit {
                call_id: call.map(String::from),
                tool: "apply_patch".into(),
                path: "/r/a.py".into(),
                op: crate::model::EditOp::Update,
                before: "a\n".into(),
                after: "b\n".into(),
                move_to: None,
            }),
        }
    }

    /// The counts as `git drift sessions` computed them before version 3: from the events.
    fn counted(store: &Store, session: &str) -> (u64, u64, u64, u64) {
        store
            .conn
            .query_row(
                "SELECT (SELECT count(*) FROM events WHERE session_id = ?1 AND kind = 'prompt'),
                    (SELECT count(DISTINCT coalesce(call_id, id)) FROM events
                        WHERE session_id = ?1 AND kind = 'edit'),
                    (SELECT count(*) FROM events WHERE session_id = ?1 AND kind = 'rejection'),
                    (SELECT count(*) FROM events WHERE session_id = ?1 AND kind = 'command')",
                [session],
                |r| {
                    let n = |i| r.get::<_, i64>(i).map(|v| v as u64);
                    Ok((n(0)?, n(1)?, n(2)?, n(3)?))
                },
            )
            .unwrap()
    }

    fn summary(store: &Store, session: &str) -> SessionSummary {
        store
            .sessions(None)
            .unwrap()
            .into_iter()
            .find(|s| s.session.info.id == session)
            .expect("listed")
    }

    /// Writes a mixed history over three batches: a tool call's hunks split across batches,
    /// a duplicate insert, edits without call id, and a prompt earlier than the first stored.
    fn mixed_history(store: &mut Store) {
        let command = |id: &str, at| Event {
            id: id.into(),
            session_id: "s".into(),
            at: Some(at),
            ord: at,
            kind: EventKind::Command {
                call_id: Some(id.into()),
                command: "ls".into(),
            },
        };
        let rejection = Event {
            id: "rj".into(),
            session_id: "s".into(),
            at: Some(40),
            ord: 40,
            kind: EventKind::Rejection {
                call_id: Some("c9".into()),
                reason: None,
            },
        };
        let b = store.batch().unwrap();
        b.upsert_session(Agent::Codex, &info("s", 1)).unwrap();
        b.upsert_session(Agent::Codex, &info("t", 2)).unwrap();
        b.insert_event(&prompt("s", "second", 20), None).unwrap();
        b.insert_event(&edit("s", "e1", Some("c1"), 21), Some("a.py"))
            .unwrap();
        b.insert_event(&edit("s", "e2", Some("c1"), 21), Some("a.py"))
            .unwrap();
        b.insert_event(&command("k1", 22), None).unwrap();
        b.insert_event(&edit("t", "t1", Some("c1"), 23), None)
            .unwrap();
        b.commit().unwrap();
        let b = store.batch().unwrap();
        b.insert_event(&edit("s", "e3", Some("c1"), 30), None)
            .unwrap();
        b.insert_event(&edit("s", "e4", None, 31), None).unwrap();
        b.insert_event(&edit("s", "e5", None, 32), None).unwrap();
        b.insert_event(&prompt("s", "second", 20), None).unwrap();
        b.insert_event(&rejection, None).unwrap();
        b.commit().unwrap();
        let b = store.batch().unwrap();
        b.insert_event(&prompt("s", "first", 10), None).unwrap();
        b.insert_event(&prompt("s", "third", 50), None).unwrap();
        b.insert_event(&edit("s", "e6", Some("c2"), 51), None)
            .unwrap();
        b.insert_event(&command("k2", 52), None).unwrap();
        b.commit().unwrap();
        // A batch rolled back (dropped) counts nothing.
        let b = store.batch().unwrap();
        b.insert_event(&prompt("s", "never", 1), None).unwrap();
        drop(b);
    }

    #[test]
    fn session_counters_match_a_count_of_the_events() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("e.db")).unwrap();
        mixed_history(&mut store);
        let s = summary(&store, "s");
        assert_eq!((s.prompts, s.edits, s.rejected, s.commands), (3, 4, 1, 2));
        assert_eq!(
            (s.prompts, s.edits, s.rejected, s.commands),
            counted(&store, "s")
        );
        assert_eq!(s.first_prompt.as_deref(), Some("first"));
        let t = summary(&store, "t");
        assert_eq!((t.prompts, t.edits, t.first_prompt), (0, 1, None));
    }

    #[test]
    fn schema_2_store_is_migrated_with_its_counters_computed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.db");
        {
            let mut store = Store::open(&path).unwrap();
            mixed_history(&mut store);
            downgrade(&store, 2);
        }
        let mut store = Store::open(&path).unwrap();
        let s = summary(&store, "s");
        assert_eq!(
            (s.prompts, s.edits, s.rejected, s.commands),
            counted(&store, "s")
        );
        assert_eq!(s.first_prompt.as_deref(), Some("first"));
        // Later batches add to the migrated counters.
        let b = store.batch().unwrap();
        b.insert_event(&prompt("s", "zeroth", 0), None).unwrap();
        b.commit().unwrap();
        let s = summary(&store, "s");
        assert_eq!((s.prompts, s.first_prompt.as_deref()), (4, Some("zeroth")));
    }

    #[test]
    fn schema_1_store_is_migrated_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.db");
        {
            let mut store = Store::open(&path).unwrap();
            let b = store.batch().unwrap();
            b.upsert_session(Agent::Codex, &info("s", 1)).unwrap();
            b.insert_event(&prompt("s", "hello", 5), None).unwrap();
            b.commit().unwrap();
            downgrade(&store, 1);
        }
        let store = Store::open(&path).unwrap();
        let version: String = store
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION.to_string());
        let indexes: Vec<String> = store
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE name LIKE 'events_by_session_kind%'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(indexes, vec!["events_by_session_kind_call".to_string()]);
        assert_eq!(store.sessions(None).unwrap()[0].prompts, 1);
        assert_eq!(
            store.sessions(None).unwrap()[0].first_prompt.as_deref(),
            Some("hello")
        );
    }

    #[test]
    fn revised_usage_and_rejection_replace_their_row() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("e.db")).unwrap();
        let usage = |output| Event {
            id: "u1".into(),
            session_id: "s".into(),
            at: Some(1),
            ord: 1,
            kind: EventKind::Usage {
                message_id: "m".into(),
                model: None,
                input: 1,
                output,
                cache_read: 0,
                cache_write: 0,
            },
        };
        let b = store.batch().unwrap();
        b.upsert_session(Agent::ClaudeCode, &info("s", 1)).unwrap();
        assert!(b.insert_event(&usage(10), None).unwrap());
        assert!(
            !b.insert_event(&usage(2413), None).unwrap(),
            "not a new row"
        );
        b.commit().unwrap();
        let events = store.events("s").unwrap();
        assert_eq!(events, vec![usage(2413)]);
        let t = store.usage_totals("s").unwrap();
        assert_eq!((t.input, t.output), (1, 2413));
        assert_eq!(store.usage_totals("s").unwrap().output, 2413);
    }
}
