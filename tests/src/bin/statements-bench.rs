//! Scale benchmark for statements, on the 10,000-customer / 100,000-receivable book of
//! `.ci/bench-books`: building and queuing statements for 1,000 customers in one transaction
//! (with their PDFs, and without), the database's growth per 1,000 statements, and the median
//! time to make the PDF of a 200-line statement — through the same core functions the commands
//! call.
//!
//! Run it with `.ci/bench-statements` (release build).
#![allow(clippy::print_stdout)] // A benchmark reports its figures on stdout.

use std::time::{Duration, Instant};

use cachicamo_core::mail::config::{EmailServiceConfig, ProviderSettings, Sender};
use cachicamo_core::mail::store::{self, VerificationStatus};
use cachicamo_core::statements::bulk::{self, BulkSelection};
use cachicamo_core::statements::{self, pdf};
use cachicamo_core::Database;
use cachicamo_e2e::seed::{bench_book, statement_business};

const RUNS: usize = 50;

fn main() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("cachicamo.sqlite3");
    let (_, reading) = bench_book(&path);
    let db = Database::open(&path).expect("open as the app does");
    shop(&db);

    for (label, ids, attach_pdf) in [
        ("with their PDFs", 1..=1_000, true),
        ("without PDFs", 1_001..=2_000, false),
    ] {
        let before = size(&db, &path);
        let started = Instant::now();
        let queued = bulk::confirm(
            &db,
            &BulkSelection::Customers { ids: ids.collect() },
            attach_pdf,
            &reading,
        )
        .expect("queued");
        let took = started.elapsed();
        let grown = size(&db, &path) - before;
        println!(
            "build and queue {} statements {label}: {:.2} s ({} set apart); database +{:.1} MiB \
             ({:.1} KiB per statement)",
            queued.queued.len(),
            took.as_secs_f64(),
            queued.set_aside.len(),
            grown as f64 / 1_048_576.0,
            grown as f64 / 1024.0 / queued.queued.len().max(1) as f64,
        );
    }

    // The PDF of a 200-line statement: the customer with the most open receivables, cut or
    // repeated to exactly 200 lines.
    let customer: i64 = db
        .read(|c| {
            c.query_row(
                "SELECT customer_id FROM receivables WHERE status = 'pending'
                 GROUP BY customer_id ORDER BY count(*) DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
        })
        .expect("a customer");
    let mut statement = statements::of_customer(&db, customer, &reading).expect("statement");
    let all: Vec<_> = statement.lines().cloned().collect();
    let lines: Vec<_> = all.iter().cycle().take(200).cloned().collect();
    statement.groups.truncate(1);
    statement.groups[0].lines = lines;
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut bytes = 0;
    pdf::render(&statement).expect("warm-up");
    for _ in 0..RUNS {
        let started = Instant::now();
        bytes = pdf::render(&statement).expect("pdf").len();
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "PDF of a 200-line statement ({} pages, {:.0} KiB): median {:.1} ms, p95 {:.1} ms",
        pdf::page_count(&statement),
        bytes as f64 / 1024.0,
        ms(times[RUNS / 2]),
        ms(times[RUNS * 95 / 100])
    );
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// The database's bytes on disk, its write-ahead log folded in first.
fn size(db: &Database, path: &std::path::Path) -> i64 {
    db.read(|c| c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);"))
        .expect("checkpoint");
    std::fs::metadata(path).map_or(0, |m| m.len() as i64)
}

/// The statements' business with its formas de pago, and an email service saved (no secret is
/// needed to plan).
fn shop(db: &Database) {
    statement_business(db);
    let config = EmailServiceConfig {
        settings: ProviderSettings::Resend,
        sender: Sender {
            address: "ventas@ferreteria.com.ve".parse().expect("address"),
            name: None,
            reply_to: None,
        },
    };
    db.write(|tx| store::save(tx, &config, VerificationStatus::Verified, None, None))
        .expect("email service");
}
