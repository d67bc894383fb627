//! Scale benchmark for the books: seeds 10,000 customers, 100,000 receivables and 150,000
//! payments into a real database file, then times what a user does all day — the first page of
//! Pagos Pendientes under each filter and sort (each call also counts and totals per currency),
//! Antigüedad de saldos on its own and as a filter of the list (each page carries the summary
//! too), a search by customer and by document, opening a detail and recording a payment, and
//! evaluating the políticas de cobranza over every customer (a fifth of them on a second,
//! "Mayoristas" policy) with a tenth of them paused —
//! through the same core functions the commands call. Prints the median and p95 of each, the rows each
//! returned, and the database's size.
//!
//! Run it with `.ci/bench-books` (release build).
#![allow(clippy::print_stdout)] // A benchmark reports its figures on stdout.

use std::time::{Duration, Instant};

use cachicamo_core::books::aging::{self, AgingBucket};
use cachicamo_core::books::payments::{self, PaymentForm, PaymentMethod};
use cachicamo_core::books::pending::{self, PendingFilter, PendingQuery, PendingSort};
use cachicamo_core::books::reading::Reading;
use cachicamo_core::books::receivables;
use cachicamo_core::books::Paging;
use cachicamo_core::collections::policy::PolicyRules;
use cachicamo_core::collections::{self, policies, slots, today};
use cachicamo_core::reminders::Rechecks;
use cachicamo_core::Database;
use cachicamo_e2e::seed::bench_book;

const RUNS: usize = 50;

fn main() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("cachicamo.sqlite3");
    let (seeded, reading) = bench_book(&path);
    let db = Database::open(&path).expect("open as the app does");
    println!(
        "{:<44} {:>9} {:>9} {:>8} {:>8}",
        "operation", "median", "p95", "rows", "of"
    );

    for filter in [
        PendingFilter::All,
        PendingFilter::Overdue,
        PendingFilter::DueSoon,
    ] {
        for (sort, descending) in [
            (PendingSort::DueDate, false),
            (PendingSort::DueDate, true),
            (PendingSort::Balance, true),
            (PendingSort::Customer, false),
        ] {
            let query = PendingQuery {
                filter,
                sort,
                descending,
                ..PendingQuery::default()
            };
            let name = format!(
                "first page {filter:?} by {sort:?}{}",
                if descending { " desc" } else { "" }
            );
            list(&db, &name, &query, &reading);
        }
    }
    let timings = time(|| aging::summary(&db, &reading).expect("aging").len());
    report("Antigüedad de saldos (summary alone)", &timings, 5, 5);
    for bucket in AgingBucket::ALL {
        let query = PendingQuery {
            aging: Some(bucket),
            ..PendingQuery::default()
        };
        list(
            &db,
            &format!("first page, aging {bucket:?}"),
            &query,
            &reading,
        );
    }
    for search in ["pena", "f-012345", "07042"] {
        let query = PendingQuery {
            search: search.into(),
            ..PendingQuery::default()
        };
        list(&db, &format!("search {search:?}"), &query, &reading);
    }
    let last = PendingQuery {
        page: Paging {
            offset: seeded.pending - 50,
            limit: 0,
        },
        ..PendingQuery::default()
    };
    list(&db, "last page (offset 89,950)", &last, &reading);

    let mut id = 0;
    let timings = time(|| {
        id = id % 1000 + 1;
        let detail = receivables::detail(&db, id, &reading).expect("detail");
        detail.payments.len() + detail.history.len()
    });
    report("open a detail", &timings, 1, 1);

    // A small payment on pending receivables (ids ≡ 4..8 mod 10 owe half their amount).
    let mut next = 4;
    let timings = time(|| {
        next += 10;
        payments::record(
            &db,
            &Rechecks::default(),
            next,
            &PaymentForm {
                paid_on: "15/06/2026".into(),
                amount: "0,01".into(),
                method: Some(PaymentMethod::Cash),
                ..PaymentForm::default()
            },
            &reading,
        )
        .expect("payment");
        1
    });
    report("record a payment", &timings, 1, 1);

    // Cobros automáticos: the proposed policy turned on, one customer in five on a second
    // policy ("Mayoristas", +30 only), one customer in ten paused (a promise, a dispute, a
    // "Pausa hasta…" or No contactar, some on one receivable only).
    let mut policy = PolicyRules::proposed();
    policy.enabled = true;
    collections::save_policy(&db, policy).expect("policy");
    let wholesale = policies::create(&db, "Mayoristas")
        .expect("second policy")
        .id;
    let mut thirty = PolicyRules::proposed();
    thirty.enabled = true;
    thirty.steps.retain(|step| step.offset_days == 15);
    thirty.steps[0].offset_days = 30;
    policies::save_rules(&db, wholesale, thirty).expect("second policy's rules");
    db.write(|tx| {
        tx.execute(
            "INSERT INTO customer_collection (customer_id, policy_id)
             SELECT id, ?1 FROM customers WHERE id % 5 = 1",
            [wholesale],
        )
    })
    .expect("wholesalers");
    db.write(|tx| {
        tx.execute_batch(
            "INSERT INTO collection_pauses (customer_id, receivable_id, kind, until)
             SELECT c.id,
                    CASE WHEN c.id % 20 = 0 THEN
                        (SELECT r.id FROM receivables r WHERE r.customer_id = c.id LIMIT 1) END,
                    CASE c.id % 4 WHEN 0 THEN 'promise' WHEN 1 THEN 'dispute'
                                  WHEN 2 THEN 'until' ELSE 'do_not_contact' END,
                    CASE WHEN c.id % 4 IN (0, 2) THEN '2026-06-' || (10 + c.id % 10) END
             FROM customers c WHERE c.id % 10 = 0",
        )
    })
    .expect("pauses");
    let mut decided = 0;
    let timings = time(|| {
        decided = db
            .read(|conn| slots::decide_all(conn, reading.today))
            .expect("evaluate")
            .len();
        decided
    });
    report(
        "evaluate 2 policies (1,000 customers paused)",
        &timings,
        decided,
        seeded.customers as usize,
    );
    let started = Instant::now();
    let first = slots::run(&db, reading.today).expect("first run");
    println!(
        "first evaluation, slots written: {} due, {} superseded, {} held in {:.1} ms",
        first.due,
        first.superseded,
        first.held,
        started.elapsed().as_secs_f64() * 1000.0
    );
    let timings = time(|| {
        let again = slots::run(&db, reading.today).expect("again");
        again.due + again.superseded + again.held
    });
    report(
        "evaluate again (nothing new)",
        &timings,
        0,
        seeded.customers as usize,
    );
    let mut waiting = 0;
    let timings = time(|| {
        let page = today::list(&db, &reading, 50).expect("today");
        waiting = page.total as usize;
        page.lines.len()
    });
    report("Cobros de hoy, first page", &timings, 50, waiting);

    drop(db);
    let size = std::fs::metadata(&path).expect("size").len()
        + std::fs::metadata(path.with_extension("sqlite3-wal")).map_or(0, |m| m.len());
    println!("database size: {:.1} MiB", size as f64 / (1024.0 * 1024.0));
}

fn list(db: &Database, name: &str, query: &PendingQuery, reading: &Reading) {
    let mut last = (0, 0);
    let timings = time(|| {
        let page = pending::list(db, query, reading).expect("page");
        last = (page.rows.len(), page.total);
        page.rows.len()
    });
    report(name, &timings, last.0, last.1 as usize);
}

fn time(mut work: impl FnMut() -> usize) -> Vec<Duration> {
    // One warm-up call fills SQLite's page cache and statement cache, as daily use does.
    work();
    (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(work());
            started.elapsed()
        })
        .collect()
}

fn report(name: &str, timings: &[Duration], rows: usize, of: usize) {
    let mut sorted = timings.to_vec();
    sorted.sort();
    let median = sorted[sorted.len() / 2];
    let p95 = sorted[sorted.len() * 95 / 100];
    println!(
        "{name:<44} {:>7.2}ms {:>7.2}ms {rows:>8} {of:>8}",
        median.as_secs_f64() * 1000.0,
        p95.as_secs_f64() * 1000.0
    );
}
