//! The SQLite database file: opening it safely and keeping its schema current.
//!
//! Owns the connection settings (WAL with `synchronous=FULL`, foreign keys, busy timeout, an
//! untrusted schema) and the embedded, append-only migrations. It never guesses about a database
//! written by a newer Cachicamo: it refuses it without touching it — not its bytes, not its
//! journal mode, not its permissions — because running old code on a newer schema could
//! silently lose the user's books. The file and its side files are private to their owner.
//!
//! Writers share one connection; copies read through connections of their own (`copy`), and
//! `schema` says what our migrations produce, for telling a restored file from a forged one.
//! The connection's page cache and memory map follow the file's size (`memory`). The file on
//! disk — refusing a newer one untouched, keeping it and its side files private — is `on_disk`.

pub(crate) mod copy;
mod memory;
mod on_disk;
pub mod schema;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use rusqlite_migration::{Migrations, M};

pub use copy::Pages;
pub(crate) use on_disk::side_files;
use on_disk::{make_file_private, make_side_files_private, refuse_newer, refuse_newer_on_disk};

/// Append-only: never edit or reorder an entry once it has shipped; add a new one instead.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../migrations/0001_settings.sql")),
    M::up(include_str!("../migrations/0002_email_service.sql")),
    M::up(include_str!("../migrations/0003_customers.sql")),
    M::up(include_str!("../migrations/0004_receivables.sql")),
    M::up(include_str!("../migrations/0005_outbox.sql")),
    M::up(include_str!("../migrations/0006_outbox_trust.sql")),
    M::up(include_str!("../migrations/0007_payment_rate.sql")),
    M::up(include_str!("../migrations/0008_payment_options.sql")),
    M::up(include_str!("../migrations/0009_reference_rates.sql")),
    M::up(include_str!("../migrations/0010_outbox_attachments.sql")),
    M::up(include_str!("../migrations/0011_outbox_batches.sql")),
    M::up(include_str!("../migrations/0012_delivery_status.sql")),
    M::up(include_str!(
        "../migrations/0013_undeliverable_addresses.sql"
    )),
    M::up(include_str!("../migrations/0014_collection_pauses.sql")),
    M::up(include_str!("../migrations/0015_collection_policy.sql")),
    M::up(include_str!("../migrations/0016_payments_by_recorded.sql")),
    M::up(include_str!(
        "../migrations/0017_collection_slots_waiting_covering.sql"
    )),
    M::up(include_str!("../migrations/0018_step_templates.sql")),
    M::up(include_str!(
        "../migrations/0019_collection_slots_policy.sql"
    )),
    M::up(include_str!(
        "../migrations/0020_collection_slots_queued_on.sql"
    )),
    M::up(include_str!(
        "../migrations/0021_collection_slots_held_restored.sql"
    )),
];

/// How long a writer waits for another connection's lock before giving up (the outbox worker,
/// the UI and a copy being read share the file).
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
    #[error("could not prepare the file {path}: {source}")]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not update the database schema: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the database was busy elsewhere; nothing was replaced")]
    Busy,
}

impl DbError {
    fn file(path: &Path) -> impl FnOnce(std::io::Error) -> DbError + '_ {
        move |source| DbError::File {
            path: path.to_owned(),
            source,
        }
    }
}

/// The schema version this build writes.
pub fn schema_version() -> usize {
    MIGRATIONS.len()
}

fn migrations() -> Migrations<'static> {
    Migrations::from_slice(MIGRATIONS)
}

/// Brings a database other than the live one (a backup being checked) up to this build's schema.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), DbError> {
    migrations().to_latest(conn)?;
    Ok(())
}

/// The app's database: one connection shared behind a mutex for the app's reads and writes.
/// SQLite serialises writers anyway, and a desktop app's commands are short, so a pool would add
/// nothing but moving parts. Whole-file copies never take this connection (see `copy`).
pub struct Database {
    path: PathBuf,
    conn: Mutex<Connection>,
    /// Writers hold it shared; replacing the whole database holds it alone, so no write can land
    /// between the copy of what is replaced and the replacement (it would be lost from both).
    /// Readers never take it: the window keeps reading while a restore runs.
    writers: RwLock<()>,
    /// What the connection's cache and memory map were sized for.
    memory: memory::Fitted,
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
        // Before SQLite opens it: even a read of a WAL database would create its side files.
        refuse_newer_on_disk(path)?;
        make_file_private(path)?;
        let mut conn = Connection::open(path).map_err(|source| DbError::Open {
            path: path.to_owned(),
            source,
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        refuse_newer(&conn, path)?;
        configure(&conn)?;
        migrations().to_latest(&mut conn)?;
        let memory = memory::Fitted::fit(&conn)?;
        // WAL mode made the side files just now: private like the database.
        make_side_files_private(path)?;
        Ok(Self {
            path: path.to_owned(),
            conn: Mutex::new(conn),
            writers: RwLock::new(()),
            memory,
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
        let _writing = self.writing();
        let mut conn = self.lock();
        // IMMEDIATE: the write lock is taken (waiting up to the busy timeout) before `work` reads
        // anything. The app's windows and worker share this connection, but another connection
        // to the file (another process, a tool, a second `Database` in the tests) may commit
        // between a deferred transaction's first read and its first write; SQLite then fails it
        // at once with SQLITE_BUSY, and the owner's payment would come back as an error.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = work(&tx)?;
        tx.commit()?;
        if let Err(err) = self.memory.follow(&conn) {
            // Only the cache's size is at stake: the write itself is committed.
            tracing::warn!(error = %err, "the page cache was not resized");
        }
        Ok(value)
    }

    /// The page size of the live database: SQLite's backup API cannot change it in WAL mode, so a
    /// replacement must be brought to it first.
    pub fn page_size(&self) -> Result<i64, DbError> {
        Ok(self
            .lock()
            .pragma_query_value(None, "page_size", |row| row.get(0))?)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (the transaction rolls
        // back on drop), so the connection is still sound after poisoning.
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn writing(&self) -> RwLockReadGuard<'_, ()> {
        self.writers
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn replacing(&self) -> RwLockWriteGuard<'_, ()> {
        self.writers
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Every setting the app relies on, on the connection every read and write goes through.
fn configure(conn: &Connection) -> Result<(), DbError> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL, not NORMAL: with WAL, NORMAL may lose the last commits on a power cut (frequent where
    // our users live), and a payment that rolls back means the next reminder duns a customer
    // for money already paid.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Our schema uses no function or virtual table that needs trust; refusing them keeps a
    // schema we did not write (say, in a restored copy) from running anything on its own.
    conn.pragma_update(None, "trusted_schema", "OFF")?;
    crate::undeliverable::register_address_key(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn temp_db() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("cachicamo.sqlite3");
        (dir, path)
    }

    #[test]
    fn migrations_are_valid() {
        migrations().validate().expect("migrations validate");
    }

    #[test]
    fn every_setting_the_app_relies_on_is_pinned() {
        let (_dir, path) = temp_db();
        let db = Database::open(&path).expect("open");
        let pragma = |name: &str| -> String {
            db.read(|conn| {
                conn.query_row(&format!("PRAGMA {name}"), [], |r| {
                    r.get::<_, rusqlite::types::Value>(0)
                })
            })
            .map(|value| match value {
                rusqlite::types::Value::Integer(n) => n.to_string(),
                rusqlite::types::Value::Text(t) => t,
                other => format!("{other:?}"),
            })
            .expect(name)
        };
        let expected = [
            ("user_version", schema_version().to_string()),
            ("journal_mode", "wal".to_owned()),
            // 2 = FULL: a commit survives a power cut.
            ("synchronous", "2".to_owned()),
            ("foreign_keys", "1".to_owned()),
            ("busy_timeout", "5000".to_owned()),
            ("trusted_schema", "0".to_owned()),
            // An empty book: SQLite's default cache, a small map (see `memory`).
            ("mmap_size", (4 * 1024 * 1024).to_string()),
            ("cache_size", (-2 * 1024).to_string()),
        ];
        for (name, value) in expected {
            assert_eq!(pragma(name), value, "PRAGMA {name}");
        }
    }

    #[test]
    fn the_page_cache_and_the_memory_map_follow_the_book_as_it_grows() {
        let (_dir, path) = temp_db();
        let db = Database::open(&path).expect("open");
        let settings = |db: &Database| -> (i64, i64) {
            db.read(|c| {
                Ok::<_, rusqlite::Error>((
                    c.pragma_query_value(None, "cache_size", |r| r.get(0))?,
                    c.pragma_query_value(None, "mmap_size", |r| r.get(0))?,
                ))
            })
            .expect("pragmas")
        };
        let empty = settings(&db);
        assert_eq!(empty, (-2 * 1024, 4 * 1024 * 1024), "an empty book");
        // About 8 MiB of data in one write.
        db.write(|tx| {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES ('big', '\"' || hex(randomblob(4194304)) || '\"')",
                [],
            )
        })
        .expect("write");
        let bytes = std::fs::metadata(&path).expect("meta").len() as i64
            + std::fs::metadata(side_files(&path).next().expect("wal"))
                .map(|m| m.len() as i64)
                .unwrap_or(0);
        let (cache, map) = settings(&db);
        assert!(
            -cache >= 4 * 1024 && map >= 16 * 1024 * 1024,
            "grown with the book ({bytes} bytes on disk): cache {cache}, map {map}"
        );
        drop(db);
        let reopened = Database::open(&path).expect("reopen");
        assert_eq!(settings(&reopened), (cache, map), "fitted from the start");
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

    /// Everything a refused open could have touched: the bytes, the permissions, the side files.
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
        let uuids: std::collections::BTreeSet<&str> =
            rows.iter().map(|(_, u)| u.as_str()).collect();
        assert_eq!(uuids.len(), 3, "one uuid each");
        for uuid in uuids {
            let parsed = uuid::Uuid::parse_str(uuid).expect("a uuid");
            assert_eq!(parsed.get_version_num(), 4, "{uuid}");
        }
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
