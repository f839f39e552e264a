//! The rows git drift reads from OpenCode's database, and the queries that fetch them: only
//! rows updated since the reader's watermark, oldest first.

use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

pub(super) struct SessionRow {
    pub(super) id: String,
    pub(super) parent_id: Option<String>,
    pub(super) directory: Option<String>,
    pub(super) created: Option<i64>,
    pub(super) updated: i64,
}

pub(super) struct MessageRow {
    pub(super) id: String,
    pub(super) session_id: String,
    pub(super) updated: i64,
    pub(super) data: String,
}

pub(super) struct PartRow {
    pub(super) id: String,
    pub(super) session_id: String,
    pub(super) created: i64,
    pub(super) updated: i64,
    /// The `role` of the part's message.
    pub(super) role: Option<String>,
    pub(super) data: String,
}

/// Open the database read-only; a busy database waits a moment, never longer.
pub(super) fn open(db: &Path) -> rusqlite::Result<Connection> {
    let c = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    c.busy_timeout(Duration::from_millis(500))?;
    Ok(c)
}

/// Sessions, messages and parts updated at or after `since` (ms). `>=`: rows written in the
/// same millisecond as the last read are read again (ids are stable, so that is harmless).
pub(super) fn read_since(
    c: &Connection,
    since: i64,
) -> rusqlite::Result<(Vec<SessionRow>, Vec<MessageRow>, Vec<PartRow>)> {
    let tx = c.unchecked_transaction()?;
    let sessions = tx
        .prepare(
            "SELECT id, parent_id, directory, time_created, time_updated FROM session
             WHERE time_updated >= ?1 ORDER BY time_updated, id",
        )?
        .query_map([since], |r| {
            Ok(SessionRow {
                id: r.get(0)?,
                parent_id: r.get(1)?,
                directory: r.get(2)?,
                created: r.get(3)?,
                updated: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let messages = tx
        .prepare(
            "SELECT id, session_id, time_updated, data FROM message
             WHERE time_updated >= ?1 ORDER BY time_updated, id",
        )?
        .query_map([since], |r| {
            Ok(MessageRow {
                id: r.get(0)?,
                session_id: r.get(1)?,
                updated: r.get(2)?,
                data: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let parts = tx
        .prepare(
            "SELECT p.id, p.session_id, p.time_created, p.time_updated,
                    json_extract(m.data, '$.role'), p.data
             FROM part p LEFT JOIN message m ON m.id = p.message_id
             WHERE p.time_updated >= ?1 ORDER BY p.time_created, p.id",
        )?
        .query_map([since], |r| {
            Ok(PartRow {
                id: r.get(0)?,
                session_id: r.get(1)?,
                created: r.get(2)?,
                updated: r.get(3)?,
                role: r.get(4).ok().flatten(),
                data: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    tx.finish()?;
    Ok((sessions, messages, parts))
}
