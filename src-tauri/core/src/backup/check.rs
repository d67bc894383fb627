//! The checks a file offered for restore must pass, treating it as what it is: input from
//! someone else. It is opened read-only, in SQLite's defensive mode and with its schema
//! untrusted (no function or virtual table it names may run on its say-so), and its whole schema
//! must be exactly what our migrations produce at its version. Only then is our private working
//! copy of it brought up to date, what it holds waiting held for the owner, and made ready to
//! replace the live data.

use std::path::Path;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use time::Date;

use super::{BackupError, BackupRefusal};
use crate::collections::slots;
use crate::db::schema::{self, Difference};
use crate::db::{self, DbError};
use crate::outbox;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// SQLite's file header: where the fields checked below live.
const HEADER_LEN: usize = 100;

/// Every check a file must pass before it may replace the data, then the preparation that makes
/// the replacement itself unable to fail for the file's sake: brought to this build's schema,
/// what it brings back waiting held for the owner, out of WAL mode, and in the live database's
/// page size. `candidate` is a private copy: the user's own file is never written. `today` is
/// the user's calendar day.
pub(super) fn check_and_prepare(
    candidate: &Path,
    live_page_size: i64,
    today: Date,
) -> Result<(), BackupError> {
    check_header(candidate)?;
    {
        let conn = open_untrusted(candidate, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        check_untrusted(&conn)?;
    }
    // From here its schema is ours, object for object.
    let mut conn = open_untrusted(candidate, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    // SQLite checks rows against their CHECK and NOT NULL rules only on a connection that may
    // write: rows written past the rules (`ignore_check_constraints`) are caught only now.
    check_integrity(&conn)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(classify)?;
    db::migrate(&mut conn).map_err(|err| {
        BackupRefusal::damaged(format!("it could not be brought up to date: {err}"))
    })?;
    hold_for_review(&mut conn, today)?;
    conn.pragma_update(None, "journal_mode", "DELETE")
        .map_err(classify)?;
    let page_size: i64 = conn
        .pragma_query_value(None, "page_size", |row| row.get(0))
        .map_err(classify)?;
    if page_size != live_page_size {
        conn.pragma_update(None, "page_size", live_page_size)
            .map_err(classify)?;
        conn.execute_batch("VACUUM").map_err(classify)?;
    }
    Ok(())
}

/// The copy cannot know what went out after it was made: its waiting emails ("Por revisar:
/// copia restaurada") and Cobros de hoy lines ("Retenido: copia restaurada") are held in the
/// copy itself, so the data lands held in the very step that replaces it — no moment, and no
/// crash, in which the outbox worker or the day's batch could send them a second time.
fn hold_for_review(conn: &mut Connection, today: Date) -> Result<(), BackupError> {
    let tx = conn.transaction().map_err(classify)?;
    let held = match outbox::hold_restored(&tx) {
        Ok(_) => slots::hold_after_restore(&tx, today).map_err(|err| err.to_string()),
        Err(err) => Err(err.to_string()),
    };
    if let Err(problem) = held {
        return Err(BackupRefusal::damaged(format!(
            "what it holds waiting could not be held for review: {problem}"
        )));
    }
    tx.commit().map_err(classify)
}

/// A connection that lets the file's schema run nothing on its own: defensive mode (no
/// `writable_schema`, no shadow-table writes, no journal tricks) and an untrusted schema (its
/// views and triggers may call no function or virtual table not marked harmless).
fn open_untrusted(path: &Path, access: OpenFlags) -> Result<Connection, BackupError> {
    let conn = Connection::open_with_flags(path, access | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(classify)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
        .map_err(classify)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)
        .map_err(classify)?;
    Ok(conn)
}

/// Intact, Cachicamo's, no newer than this build, with exactly our schema at its version and
/// no row pointing at nothing.
fn check_untrusted(conn: &Connection) -> Result<(), BackupError> {
    check_integrity(conn)?;
    let raw: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(classify)?;
    let supported = db::schema_version();
    let found = match usize::try_from(raw) {
        Ok(0) | Err(_) => return Err(BackupRefusal::NotCachicamo.into()),
        Ok(found) => found,
    };
    if found > supported {
        return Err(BackupRefusal::TooNew { found, supported }.into());
    }
    let expected = schema::at_version(found)?;
    let present = schema::read(conn).map_err(|_| BackupRefusal::NotCachicamo)?;
    let differences = schema::differences(&expected, &present);
    // None of our objects at all: some other program's database that claims a version.
    let ours_missing = differences
        .iter()
        .filter(|d| d.difference == Difference::Missing)
        .count();
    if ours_missing == expected.len() {
        return Err(BackupRefusal::NotCachicamo.into());
    }
    if let Some(first) = differences.first() {
        return Err(BackupRefusal::UnexpectedSchema {
            first: first.clone(),
            more: differences.len() - 1,
        }
        .into());
    }
    let broken_links: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |row| {
            row.get(0)
        })
        .map_err(classify)?;
    if broken_links > 0 {
        return Err(BackupRefusal::damaged(format!(
            "{broken_links} rows point at records that do not exist"
        )));
    }
    Ok(())
}

fn check_integrity(conn: &Connection) -> Result<(), BackupError> {
    let problems: Vec<String> = {
        let mut stmt = conn.prepare("PRAGMA integrity_check").map_err(classify)?;
        let rows = stmt
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(classify)?;
        rows.collect::<Result<_, _>>().map_err(classify)?
    };
    if problems != ["ok"] {
        return Err(BackupRefusal::damaged(problems.join("; ")));
    }
    Ok(())
}

/// SQLite's header says what the file must be: catches garbage and a file cut short before
/// SQLite itself is asked (it would read a truncated file's missing pages as empty).
fn check_header(candidate: &Path) -> Result<(), BackupError> {
    use std::io::Read;
    let mut file = std::fs::File::open(candidate).map_err(BackupError::io(candidate))?;
    let len = file.metadata().map_err(BackupError::io(candidate))?.len();
    let mut header = [0u8; HEADER_LEN];
    if file.read_exact(&mut header).is_err() || &header[..16] != SQLITE_MAGIC {
        return Err(BackupRefusal::NotSqlite.into());
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        size if size >= 512 && size.is_power_of_two() => u64::from(size),
        _ => return Err(BackupRefusal::damaged("its header is invalid")),
    };
    let field = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    // SQLite trusts the page count in the header only when the "version-valid-for" number
    // matches the change counter (files from very old SQLite versions may not); so do we.
    let pages_known = field(92) == field(24);
    let expected = u64::from(field(28)) * page_size;
    if len % page_size != 0 || (pages_known && len < expected) {
        return Err(BackupRefusal::damaged(format!(
            "it is incomplete ({len} bytes of {expected})"
        )));
    }
    Ok(())
}

/// SQLite's own verdict on a file, in this module's terms.
fn classify(err: rusqlite::Error) -> BackupError {
    match err.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => BackupRefusal::NotSqlite.into(),
        Some(ErrorCode::DatabaseCorrupt) => BackupRefusal::damaged(err.to_string()),
        _ => BackupError::Db(DbError::Sqlite(err)),
    }
}
