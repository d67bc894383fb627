//! The SQLite database file: opening it safely and keeping its schema current.
//!
//! Owns the connection settings (WAL, foreign keys, busy timeout) and the embedded, append-only
//! migrations. It never guesses about a database written by a newer Cachicamo: it refuses it,
//! because running old code on a newer schema could silently lose the user's books.
//!
//! It also copies itself and can be replaced in place, through its own connection (`VACUUM INTO`,
//! SQLite's backup API); deciding which files are fit to replace it is `backup`'s job.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, Transaction, MAIN_DB};
use rusqlite_migration::{Migrations, M};

/// Append-only: never edit or reorder an entry once it has shipped; add a new one instead.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../migrations/0001_settings.sql")),
    M::up(include_str!("../migrations/0002_email_service.sql")),
    M::up(include_str!("../migrations/0003_customers.sql")),
    M::up(include_str!("../migrations/0004_receivables.sql")),
    M::up(include_str!("../migrations/0005_outbox.sql")),
    M::up(include_str!("../migrations/0006_outbox_trust.sql")),
    M::up(include_str!("../migrations/0007_payment_rate.sql")),
];

/// How long a writer waits for another connection's lock before giving up (the outbox worker and
/// the UI share the file).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("the database at {path} was written by a newer version of Cachicamo (schema {found}, this version knows up to {supported})")]
    TooNew {
        path: PathBuf,
        found: usize,
        supported: usize,
    },
    #[error("could not open the database at {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("could not update the database schema: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the database was busy elsewhere; nothing was replaced")]
    Busy,
}

/// The schema version this build writes.
pub fn schema_version() -> usize {
    MIGRATIONS.len()
}

fn migrations() -> Migrations<'static> {
    Migrations::from_slice(MIGRATIONS)
}

/// The tables a Cachicamo database has at schema `version`: what tells our files from any other
/// SQLite file, whatever version wrote them.
pub(crate) fn tables_at_version(version: usize) -> Result<BTreeSet<String>, DbError> {
    let mut conn = Connection::open_in_memory()?;
    migrations().to_version(&mut conn, version)?;
    tables(&conn)
}

/// The user tables of a database (not SQLite's own).
pub(crate) fn tables(conn: &Connection) -> Result<BTreeSet<String>, DbError> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )?;
    let names = stmt
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<Result<_, _>>()?;
    Ok(names)
}

/// Brings a database other than the live one (a backup being checked) up to this build's schema.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), DbError> {
    migrations().to_latest(conn)?;
    Ok(())
}

/// The app's database: one connection shared behind a mutex. SQLite serialises writers anyway,
/// and a desktop app's commands are short, so a pool would add nothing but moving parts.
pub struct Database {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("path", &self.path)
            .finish()
    }
}

impl Database {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        let mut conn = Connection::open(path).map_err(|source| DbError::Open {
            path: path.to_owned(),
            source,
        })?;
        configure(&conn)?;
        refuse_newer(&conn, path)?;
        migrations().to_latest(&mut conn)?;
        Ok(Self {
            path: path.to_owned(),
            conn: Mutex::new(conn),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs read-only work on the connection.
    pub fn read<T, E>(&self, work: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E> {
        work(&self.lock())
    }

    /// Runs `work` in one transaction: every user action that writes is all or nothing.
    pub fn write<T, E>(&self, work: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Writes a consistent, compact copy of the whole database to `target`, which must not exist.
    /// `VACUUM INTO` reads through this connection, so what is still in the WAL is included and
    /// nobody else's write can land halfway through.
    pub fn copy_to(&self, target: &Path) -> Result<(), DbError> {
        let target_text = target
            .to_str()
            .ok_or_else(|| rusqlite::Error::InvalidPath(target.to_owned()))?;
        self.lock().execute("VACUUM INTO ?1", [target_text])?;
        Ok(())
    }

    /// The page size of the live database: SQLite's backup API cannot change it in WAL mode, so a
    /// replacement must be brought to it first.
    pub fn page_size(&self) -> Result<i64, DbError> {
        Ok(self
            .lock()
            .pragma_query_value(None, "page_size", |row| row.get(0))?)
    }

    /// Replaces everything in the live database with the database at `source` (already checked
    /// by the caller), after writing a copy of the current data to `safety_copy`; then brings the
    /// schema up to date. One lock for all of it, so no write can slip in between the copy and
    /// the replacement, and the app's connection stays open and sees the new data at once.
    pub fn replace_with(&self, source: &Path, safety_copy: &Path) -> Result<(), DbError> {
        let mut conn = self.lock();
        let safety_text = safety_copy
            .to_str()
            .ok_or_else(|| rusqlite::Error::InvalidPath(safety_copy.to_owned()))?;
        conn.execute("VACUUM INTO ?1", [safety_text])?;
        let src = Connection::open_with_flags(source, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|source_err| DbError::Open {
            path: source.to_owned(),
            source: source_err,
        })?;
        {
            let backup = Backup::new_with_names(&src, MAIN_DB, &mut conn, MAIN_DB)?;
            // All pages in one step: the destination's write transaction then commits once, so
            // a failure leaves the current data as it was.
            match backup.step(-1)? {
                StepResult::Done => {}
                _ => return Err(DbError::Busy),
            }
        }
        migrations().to_latest(&mut conn)?;
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (the transaction rolls
        // back on drop), so the connection is still sound after poisoning.
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn configure(conn: &Connection) -> Result<(), DbError> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Reads of a 100,000-receivable book jump around the file (a search touches thousands of
    // rows); mapping it into memory and a larger page cache keep those reads off system calls.
    // Both are caps, not allocations: a small book uses little.
    conn.pragma_update(None, "mmap_size", 256 * 1024 * 1024)?;
    conn.pragma_update(None, "cache_size", -32 * 1024)?;
    Ok(())
}

fn refuse_newer(conn: &Connection, path: &Path) -> Result<(), DbError> {
    let raw: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    // Not ours if negative; treat it as unknown-and-newer rather than guess.
    let found = usize::try_from(raw).unwrap_or(usize::MAX);
    let supported = schema_version();
    if found > supported {
        return Err(DbError::TooNew {
            path: path.to_owned(),
            found,
            supported,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_db() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("cachicamo.sqlite3");
        (dir, path)
    }

    #[test]
    fn migrations_are_valid() {
        migrations().validate().expect("migrations validate");
    }

    #[test]
    fn opening_an_empty_file_creates_the_latest_schema_with_safe_settings() {
        let (_dir, path) = temp_db();
        let db = Database::open(&path).expect("open");
        db.read(|conn| {
            let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            assert_eq!(version, schema_version() as i64);
            let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
            assert_eq!(mode, "wal");
            let fk: i64 = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
            assert_eq!(fk, 1);
            let busy: i64 = conn.pragma_query_value(None, "busy_timeout", |r| r.get(0))?;
            assert_eq!(busy, 5000);
            Ok::<_, rusqlite::Error>(())
        })
        .expect("pragmas");
    }

    #[test]
    fn every_earlier_version_upgrades_to_the_latest() {
        for earlier in 0..schema_version() {
            let (_dir, path) = temp_db();
            {
                let mut conn = Connection::open(&path).expect("open raw");
                migrations()
                    .to_version(&mut conn, earlier)
                    .expect("migrate to earlier version");
            }
            let db = Database::open(&path).expect("upgrade from earlier version");
            let version: i64 = db
                .read(|c| c.pragma_query_value(None, "user_version", |r| r.get(0)))
                .expect("version");
            assert_eq!(version, schema_version() as i64, "upgrading from {earlier}");
        }
    }

    #[test]
    fn outbox_rows_from_before_the_trust_migration_keep_their_state_and_get_their_own_uuid() {
        let (_dir, path) = temp_db();
        {
            let mut conn = Connection::open(&path).expect("open raw");
            migrations().to_version(&mut conn, 5).expect("schema 5");
            for state in ["queued", "sending", "sent"] {
                conn.execute(
                    "INSERT INTO outbox (reference, recipient, subject, text_body, html_body, state)
                     VALUES ('receivable:1', 'ana@cliente.com', 'Recordatorio', 'Hola', '<p>Hola</p>', ?1)",
                    [state],
                )
                .expect("row");
            }
        }
        let db = Database::open(&path).expect("upgraded");
        let rows: Vec<(String, String)> = db
            .read(|c| {
                c.prepare("SELECT state, uuid FROM outbox ORDER BY id")?
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<_, _>>()
            })
            .expect("rows");
        let states: Vec<&str> = rows.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(states, ["queued", "sending", "sent"]);
        let uuids: BTreeSet<&str> = rows.iter().map(|(_, u)| u.as_str()).collect();
        assert_eq!(uuids.len(), 3, "one uuid each");
        for uuid in uuids {
            let parsed = uuid::Uuid::parse_str(uuid).expect("a uuid");
            assert_eq!(parsed.get_version_num(), 4, "{uuid}");
        }
    }

    #[test]
    fn a_database_from_a_newer_app_is_refused_and_left_untouched() {
        let (_dir, path) = temp_db();
        let newer = schema_version() + 1;
        {
            let conn = Connection::open(&path).expect("open raw");
            conn.pragma_update(None, "user_version", newer as i64)
                .expect("set version");
        }
        let err = Database::open(&path).expect_err("newer schema must be refused");
        match err {
            DbError::TooNew {
                found, supported, ..
            } => {
                assert_eq!(found, newer);
                assert_eq!(supported, schema_version());
            }
            other => panic!("expected TooNew, got {other:?}"),
        }
        let conn = Connection::open(&path).expect("reopen raw");
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("version");
        assert_eq!(
            version, newer as i64,
            "a refused database must not be modified"
        );
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let (_dir, path) = temp_db();
        let db = Database::open(&path).expect("open");
        let result: Result<(), rusqlite::Error> = db.write(|tx| {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES ('a', '\"1\"')",
                [],
            )?;
            tx.execute(
                "INSERT INTO settings (key, value) VALUES ('b', 'not json')",
                [],
            )?;
            Ok(())
        });
        assert!(result.is_err());
        let rows: i64 = db
            .read(|c| c.query_row("SELECT count(*) FROM settings", [], |r| r.get(0)))
            .expect("count");
        assert_eq!(rows, 0);
    }
}
