//! The window never waits for a copy: at the scale the product promises (100,000 receivables), a
//! write goes through while an export is still being written — shown by order, not by time: the
//! export is held mid-way by its own progress report until the write has returned.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use cachicamo_core::backup;
use cachicamo_core::Database;
use cachicamo_e2e::seed::{self, Scale};
use rusqlite::{Connection, OpenFlags};
use time::macros::{date, datetime};

/// Only a guard against hanging forever if the write does wait: the test fails, never passes,
/// on this.
const HANG_GUARD: Duration = Duration::from_secs(120);

#[test]
fn a_write_completes_while_a_copy_of_a_large_book_is_still_being_written() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("cachicamo.sqlite3");
    let seeded = seed::seed(&path, Scale::PROMISED, date!(2026 - 03 - 20));
    assert_eq!(seeded.receivables, 100_000);
    let db = Database::open(&path).expect("open");

    let (started_tx, started) = mpsc::channel();
    let (release_tx, release) = mpsc::channel::<()>();
    let (written_tx, written) = mpsc::channel();
    let finished = AtomicBool::new(false);
    let (db, dir, finished) = (&db, &dir, &finished);
    let exported = std::thread::scope(|scope| {
        let copy = scope.spawn(move || {
            let mut reports = 0u32;
            let mut pages = (0, 0);
            let out = backup::export(
                db,
                &dir.path().join("Descargas"),
                datetime!(2026-03-20 10:00 UTC),
                &mut |progress| {
                    reports += 1;
                    pages = (progress.done, progress.total);
                    if reports == 1 {
                        started_tx.send(progress).expect("tell");
                        release.recv().expect("released");
                    }
                },
            );
            finished.store(true, Ordering::SeqCst);
            (out, reports, pages)
        });
        let first = started.recv().expect("the copy started");
        assert!(
            first.done < first.total,
            "held mid-way: {} of {} pages",
            first.done,
            first.total
        );
        scope.spawn(move || {
            db.write(|tx| {
                tx.execute(
                    "INSERT INTO customers (name, email_language, search_key)
                     VALUES ('Nueva mientras se copia', 'es', 'nueva mientras se copia')",
                    [],
                )
            })
            .expect("write");
            written_tx.send(()).expect("tell");
        });
        written
            .recv_timeout(HANG_GUARD)
            .expect("the write completed while the copy was held mid-way");
        assert!(
            !finished.load(Ordering::SeqCst),
            "the copy was still being written when the write returned"
        );
        release_tx.send(()).expect("release");
        copy.join().expect("copy thread")
    });
    let (path, reports, (done, total)) = exported;
    let path = path.expect("export");
    assert!(reports > 2, "progress was reported step by step: {reports}");
    assert_eq!(done, total, "the last report is the whole file");

    let copy = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("copy");
    let receivables: i64 = copy
        .query_row("SELECT count(*) FROM receivables", [], |r| r.get(0))
        .expect("count");
    assert_eq!(receivables, 100_000);
    let newcomer: i64 = copy
        .query_row(
            "SELECT count(*) FROM customers WHERE name = 'Nueva mientras se copia'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(
        newcomer, 0,
        "the copy is the book as it was when the copy began"
    );
    let live: i64 = db
        .read(|c| {
            c.query_row(
                "SELECT count(*) FROM customers WHERE name = 'Nueva mientras se copia'",
                [],
                |r| r.get(0),
            )
        })
        .expect("live");
    assert_eq!(live, 1);
}
