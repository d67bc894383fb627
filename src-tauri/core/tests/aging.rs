//! Antigüedad de saldos against a seeded book: the buckets read from the per-day sums equal the
//! same buckets computed by plain SQL over every receivable, and each bucket, as a filter of
//! Pagos Pendientes, lists exactly the receivables SQL puts in it.

use std::collections::BTreeMap;

use cachicamo_core::books::aging::{self, AgingBucket};
use cachicamo_core::books::export;
use cachicamo_core::books::pending::{self, PendingFilter, PendingQuery};
use cachicamo_core::books::reading::Reading;
use cachicamo_core::books::Paging;
use cachicamo_core::locale::Language;
use cachicamo_core::locale::Region;
use cachicamo_core::Database;
use cachicamo_e2e::seed::{seed, Scale};
use time::macros::date;

const OUTLOOK: Reading = Reading {
    region: Region::EsVe,
    today: date!(2026 - 03 - 20),
};

struct Seeded {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    db: Database,
}

/// 3,000 receivables in USD and VES, due from 400 days ago to 90 days ahead, partly paid.
fn book() -> Seeded {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("cachicamo.sqlite3");
    let scale = Scale {
        customers: 300,
        receivables: 3_000,
    };
    seed(&path, scale, OUTLOOK.today);
    let db = Database::open(&path).expect("db");
    Seeded {
        _dir: dir,
        path,
        db,
    }
}

/// The buckets as plain SQL over `receivables` computes them, straight from the definition
/// (whole days from the due date to today), not through the app's per-day sums:
/// (currency, bucket index) → (count, balance).
fn by_sql(path: &std::path::Path) -> BTreeMap<(String, usize), (u32, i64)> {
    let conn = rusqlite::Connection::open(path).expect("open");
    let mut statement = conn
        .prepare(
            "SELECT currency,
                    CASE WHEN days <= 0 THEN 0 WHEN days <= 30 THEN 1 WHEN days <= 60 THEN 2
                         WHEN days <= 90 THEN 3 ELSE 4 END,
                    count(*), sum(amount - paid)
             FROM (SELECT currency, amount, paid,
                          CAST(julianday(?1) - julianday(due_date) AS INTEGER) AS days
                   FROM receivables WHERE status = 'pending')
             GROUP BY 1, 2",
        )
        .expect("prepare");
    statement
        .query_map(["2026-03-20"], |row| {
            let bucket: i64 = row.get(1)?;
            Ok(((row.get(0)?, bucket as usize), (row.get(2)?, row.get(3)?)))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn ids_by_sql(path: &std::path::Path, bucket: usize) -> Vec<i64> {
    let conn = rusqlite::Connection::open(path).expect("open");
    let mut statement = conn
        .prepare(
            "SELECT id FROM (
                SELECT id, CAST(julianday(?1) - julianday(due_date) AS INTEGER) AS days
                FROM receivables WHERE status = 'pending')
             WHERE CASE WHEN days <= 0 THEN 0 WHEN days <= 30 THEN 1 WHEN days <= 60 THEN 2
                        WHEN days <= 90 THEN 3 ELSE 4 END = ?2
             ORDER BY id",
        )
        .expect("prepare");
    statement
        .query_map(rusqlite::params!["2026-03-20", bucket as i64], |row| {
            row.get(0)
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("ids")
}

#[test]
fn the_aging_of_a_seeded_book_equals_a_plain_sql_computation() {
    let book = book();
    let expected = by_sql(&book.path);
    let lines = aging::summary(&book.db, &OUTLOOK).expect("aging");
    let currencies: Vec<&str> = lines.iter().map(|l| l.currency.as_str()).collect();
    assert_eq!(currencies, ["USD", "VES"]);
    for line in &lines {
        let mut total = 0;
        for (index, cell) in line.buckets.iter().enumerate() {
            assert_eq!(cell.bucket, AgingBucket::ALL[index]);
            let (count, balance) = expected
                .get(&(line.currency.clone(), index))
                .copied()
                .unwrap_or_default();
            assert!(count > 0, "the seed fills every bucket ({index})");
            assert_eq!(
                (cell.receivables, cell.balance.minor),
                (count, balance),
                "{} {:?}",
                line.currency,
                cell.bucket
            );
            assert_eq!(cell.balance.currency, line.currency);
            total += balance;
        }
        assert_eq!(line.total.minor, total);
    }
    // The list carries the same summary, whatever it filters.
    let page = pending::list(
        &book.db,
        &PendingQuery {
            search: "pena".into(),
            ..PendingQuery::default()
        },
        &OUTLOOK,
    )
    .expect("page");
    assert_eq!(page.aging, lines);
}

#[test]
fn each_bucket_filters_pagos_pendientes_to_exactly_its_receivables() {
    let book = book();
    let aging = aging::summary(&book.db, &OUTLOOK).expect("aging");
    for (index, bucket) in AgingBucket::ALL.into_iter().enumerate() {
        let expected = ids_by_sql(&book.path, index);
        let mut listed = Vec::new();
        let mut offset = 0;
        loop {
            let page = pending::list(
                &book.db,
                &PendingQuery {
                    aging: Some(bucket),
                    page: Paging { offset, limit: 200 },
                    ..PendingQuery::default()
                },
                &OUTLOOK,
            )
            .expect("page");
            assert_eq!(page.total as usize, expected.len(), "{bucket:?}");
            // The list's totals are the bucket's figures in the summary.
            let summary: Vec<i64> = aging
                .iter()
                .map(|line| line.buckets[index].balance.minor)
                .filter(|minor| *minor > 0)
                .collect();
            let totals: Vec<i64> = page.totals.iter().map(|t| t.minor).collect();
            assert_eq!(totals, summary, "{bucket:?}");
            if page.rows.is_empty() {
                break;
            }
            listed.extend(page.rows.iter().map(|row| row.id));
            offset += 200;
        }
        listed.sort_unstable();
        assert_eq!(listed, expected, "{bucket:?}");
    }
    // A bucket and a filter together: Vencidas within 31–60 is 31–60; Vencen en 7 días within
    // it is nothing.
    let both = |filter| {
        pending::list(
            &book.db,
            &PendingQuery {
                filter,
                aging: Some(AgingBucket::Days31To60),
                ..PendingQuery::default()
            },
            &OUTLOOK,
        )
        .expect("page")
        .total as usize
    };
    assert_eq!(
        both(PendingFilter::Overdue),
        ids_by_sql(&book.path, 2).len()
    );
    assert_eq!(both(PendingFilter::DueSoon), 0);
    // A search inside a bucket finds only that bucket's matches.
    let searched = pending::list(
        &book.db,
        &PendingQuery {
            search: "pena".into(),
            aging: Some(AgingBucket::Over90),
            page: Paging {
                offset: 0,
                limit: 200,
            },
            ..PendingQuery::default()
        },
        &OUTLOOK,
    )
    .expect("page");
    let over90 = ids_by_sql(&book.path, 4);
    assert!(searched.total > 0);
    assert!(searched.rows.iter().all(|row| over90.contains(&row.id)));
}

#[test]
fn the_aging_export_has_every_bucket_and_total_of_each_currency() {
    let book = book();
    let expected = by_sql(&book.path);
    let bytes = export::aging_csv(&book.db, &OUTLOOK, Language::Es).expect("csv");
    let text = String::from_utf8(bytes).expect("utf-8");
    let text = text.strip_prefix('\u{feff}').expect("a BOM for Excel");
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split(';').collect()).collect();
    assert_eq!(lines[0], ["Moneda", "Antigüedad", "Cuentas", "Saldo"]);
    assert_eq!(
        lines.len(),
        1 + 2 * 6,
        "five buckets and a total per currency"
    );
    let names = ["Por vencer", "1–30", "31–60", "61–90", "Más de 90 días"];
    for (i, name) in names.iter().enumerate() {
        let row = &lines[1 + i];
        assert_eq!((row[0], row[1]), ("USD", *name));
        let (count, balance) = expected[&("USD".to_owned(), i)];
        assert_eq!(row[2], count.to_string());
        assert_eq!(row[3], Region::EsVe.amount_for_files(balance, 2));
    }
    assert_eq!(lines[6][1], "Total");
    assert_eq!(lines[7][0], "VES");
}
