//! Whole-database copies and replacement, page by page with SQLite's backup API.
//!
//! A copy reads through a read-only connection of its own that holds one read transaction for
//! the whole copy: under WAL that is a consistent snapshot, and the app's connection — every
//! command, the outbox worker — keeps reading and writing meanwhile instead of waiting for a copy
//! of a large book. Progress is reported in pages, which is what SQLite counts.
//!
//! Replacing the data is the one thing that must stop writers: between the copy of what is
//! replaced and the replacement, a write would be lost from both. It still never blocks readers
//! for the copy, only for the replacement itself, which is one write transaction: all or nothing.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::{migrations, Database, DbError, BUSY_TIMEOUT};
use crate::files;

/// Pages per backup step: about a megabyte at the default page size, so progress moves often
/// without paying the per-step overhead thousands of times.
const PAGES_PER_STEP: i32 = 256;

/// How far a copy has got, in database pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pages {
    pub done: u64,
    pub total: u64,
}

impl Database {
    /// Writes a consistent copy of the whole database to `target`, which must not exist, private
    /// to its owner and in rollback-journal mode (a file that stands alone, with no side files).
    /// It reads through a connection of its own: writes through this `Database` go on meanwhile
    /// and are not in the copy, which is the data as it was when the copy started.
    pub fn copy_to(&self, target: &Path, progress: &mut dyn FnMut(Pages)) -> Result<(), DbError> {
        let source = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| DbError::Open {
            path: self.path.clone(),
            source,
        })?;
        source.busy_timeout(BUSY_TIMEOUT)?;
        // One read transaction for the whole copy: the backup then reads one snapshot and never
        // restarts when the app writes (it would, step after step, on a busy book).
        let snapshot = source.unchecked_transaction()?;
        snapshot.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))?;

        files::create_private(target).map_err(DbError::file(target))?;
        let mut copy = Connection::open(target).map_err(|source| DbError::Open {
            path: target.to_owned(),
            source,
        })?;
        // A copy only counts once it is renamed into place, so its writes need no journal of
        // their own; `DELETE` below syncs the finished file.
        copy.pragma_update(None, "journal_mode", "OFF")?;
        copy.pragma_update(None, "synchronous", "OFF")?;
        run(&source, &mut copy, progress)?;
        drop(copy);
        drop(snapshot);
        stand_alone(target)
    }

    /// Replaces everything in the live database with the database at `source` (already checked
    /// by the caller), after writing a copy of the current data to `safety_copy`; then brings the
    /// schema up to date. Writers wait from before the safety copy until the replacement is done
    /// (a write in between would be in neither); readers wait only for the replacement. The
    /// app's connection stays open and sees the new data at once.
    pub fn replace_with(
        &self,
        source: &Path,
        safety_copy: &Path,
        progress: &mut dyn FnMut(Replacing),
    ) -> Result<(), DbError> {
        let _alone = self.replacing();
        self.copy_to(safety_copy, &mut |pages| {
            progress(Replacing::SavingCurrent(pages))
        })?;
        let src = Connection::open_with_flags(
            source,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source_err| DbError::Open {
            path: source.to_owned(),
            source: source_err,
        })?;
        let mut conn = self.lock();
        // SQLite holds one write transaction on the destination from the first step to the
        // last, so however many steps it takes, a failure leaves the current data as it was.
        run(&src, &mut conn, &mut |pages| {
            progress(Replacing::Replacing(pages))
        })?;
        migrations().to_latest(&mut conn)?;
        self.memory.refit(&conn)?;
        Ok(())
    }
}

/// Which part of a replacement a progress report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replacing {
    /// Copying the current data aside, the way back from a wrong restore.
    SavingCurrent(Pages),
    /// Writing the restored data over the current.
    Replacing(Pages),
}

/// The pages came with the source's WAL flag in their header: a fresh connection reads it (so
/// it knows the file is in WAL mode), then turns it into a rollback-journal file that stands
/// alone, with no side files, synced to disk.
fn stand_alone(target: &Path) -> Result<(), DbError> {
    let conn = Connection::open(target).map_err(|source| DbError::Open {
        path: target.to_owned(),
        source,
    })?;
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "DELETE", |row| row.get(0))?;
    drop(conn);
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(DbError::Busy);
    }
    for side in super::side_files(target) {
        let _ = std::fs::remove_file(side);
    }
    Ok(())
}

/// Copies every page of `from` into `to`, reporting after each step. A busy destination is
/// waited for up to the busy timeout, then given up on with nothing replaced.
fn run(
    from: &Connection,
    to: &mut Connection,
    progress: &mut dyn FnMut(Pages),
) -> Result<(), DbError> {
    let backup = Backup::new(from, to)?;
    let mut busy_since: Option<Instant> = None;
    loop {
        let step = backup.step(PAGES_PER_STEP)?;
        let state = backup.progress();
        let total = u64::try_from(state.pagecount).unwrap_or(0);
        let remaining = u64::try_from(state.remaining).unwrap_or(0);
        match step {
            StepResult::Done => {
                progress(Pages { done: total, total });
                return Ok(());
            }
            StepResult::More => {
                busy_since = None;
                progress(Pages {
                    done: total.saturating_sub(remaining),
                    total,
                });
            }
            StepResult::Busy | StepResult::Locked => {
                let since = *busy_since.get_or_insert_with(Instant::now);
                if since.elapsed() > BUSY_TIMEOUT {
                    return Err(DbError::Busy);
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            _ => return Err(DbError::Busy),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    fn add(db: &Database, key: &str) {
        db.write(|tx| tx.execute("INSERT INTO settings (key, value) VALUES (?1, '1')", [key]))
            .expect("write");
    }

    fn keys(path: &Path) -> Vec<String> {
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open copy");
        let mut stmt = conn
            .prepare("SELECT key FROM settings ORDER BY key")
            .expect("prepare");
        let keys = stmt
            .query_map([], |row| row.get(0))
            .expect("query")
            .collect::<Result<Vec<String>, _>>()
            .expect("keys");
        keys
    }

    #[test]
    fn a_copy_stands_alone_is_private_and_reports_its_pages() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(&dir.path().join("live.sqlite3")).expect("open");
        add(&db, "a");
        let target = dir.path().join("copy.sqlite3");
        let mut reports = Vec::new();
        db.copy_to(&target, &mut |pages| reports.push(pages))
            .expect("copy");
        let last = reports.last().copied().expect("at least the final report");
        assert!(last.total > 0 && last.done == last.total, "{reports:?}");
        let header = std::fs::read(&target).expect("read");
        assert_eq!(
            header[18], 1,
            "rollback journal, not WAL: no side files needed"
        );
        assert_eq!(keys(&target), ["a"]);
        for side in super::super::side_files(&target) {
            assert!(!side.exists(), "{} left behind", side.display());
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&target)
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(
            db.copy_to(&target, &mut |_| {}).is_err(),
            "never overwrites"
        );
    }

    #[test]
    fn a_write_completes_while_a_copy_is_still_being_written() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(&dir.path().join("live.sqlite3")).expect("open");
        // Enough pages for several steps.
        db.write(|tx| {
            tx.execute_batch(
                "CREATE TABLE filler (x BLOB);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                 INSERT INTO filler SELECT randomblob(2000) FROM n;",
            )
        })
        .expect("filler");
        add(&db, "before");
        let target = dir.path().join("copy.sqlite3");
        let (started_tx, started) = mpsc::channel();
        let (go_tx, go) = mpsc::channel::<()>();
        let (db_ref, target_ref) = (&db, &target);
        std::thread::scope(|scope| {
            let copying = scope.spawn(move || {
                let mut first = true;
                db_ref.copy_to(target_ref, &mut |_| {
                    if first {
                        first = false;
                        started_tx.send(()).expect("tell");
                        // Held mid-copy until the write below is done.
                        go.recv().expect("go");
                    }
                })
            });
            started.recv().expect("the copy started");
            add(&db, "during");
            assert!(!copying.is_finished(), "the copy is still mid-way");
            go_tx.send(()).expect("release");
            copying.join().expect("thread").expect("copy");
        });
        assert_eq!(
            keys(&target),
            ["before"],
            "the copy is the data as it started"
        );
        assert_eq!(keys(db.path()), ["before", "during"]);
    }
}
