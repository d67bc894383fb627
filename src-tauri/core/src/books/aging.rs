//! Antigüedad de saldos: what is still owed, per currency, by how long it has been overdue —
//! Por vencer · 1–30 · 31–60 · 61–90 · Más de 90 días — as every accounts-receivable tool opens
//! with. Read from the per-day sums the triggers keep (`pending_by_day`, migration 0004): a few
//! hundred rows however many receivables there are, so it costs Pagos Pendientes nothing.
//!
//! The buckets are also a filter of the list (`AgingBucket::due_between`), so a bucket's
//! figures and the receivables it lists always agree.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use time::{Date, Duration};
use ts_rs::TS;

use super::dates::iso;
use super::money::Money;
use super::reading::Reading;
use super::BooksError;
use crate::db::Database;

/// How long a pending receivable has been overdue, counted in whole days from its due date to
/// today: a receivable due today is not overdue yet (as Vencidas says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AgingBucket {
    /// Por vencer: due today or later.
    NotYetDue,
    /// 1–30 días vencida.
    Days1To30,
    /// 31–60 días.
    Days31To60,
    /// 61–90 días.
    Days61To90,
    /// Más de 90 días.
    Over90,
}

impl AgingBucket {
    /// Oldest last, as the summary reads left to right.
    pub const ALL: [AgingBucket; 5] = [
        AgingBucket::NotYetDue,
        AgingBucket::Days1To30,
        AgingBucket::Days31To60,
        AgingBucket::Days61To90,
        AgingBucket::Over90,
    ];

    /// The due dates in the bucket on `today`, both ends included; `None` is open-ended.
    pub fn due_between(self, today: Date) -> (Option<Date>, Option<Date>) {
        let ago = |days: i64| today - Duration::days(days);
        match self {
            AgingBucket::NotYetDue => (Some(today), None),
            AgingBucket::Days1To30 => (Some(ago(30)), Some(ago(1))),
            AgingBucket::Days31To60 => (Some(ago(60)), Some(ago(31))),
            AgingBucket::Days61To90 => (Some(ago(90)), Some(ago(61))),
            AgingBucket::Over90 => (None, Some(ago(91))),
        }
    }

    /// The bucket of a receivable due on `due`, seen on `today`.
    pub fn of(due: Date, today: Date) -> AgingBucket {
        match (today - due).whole_days() {
            ..=0 => AgingBucket::NotYetDue,
            1..=30 => AgingBucket::Days1To30,
            31..=60 => AgingBucket::Days31To60,
            61..=90 => AgingBucket::Days61To90,
            _ => AgingBucket::Over90,
        }
    }

    /// The SQL condition on `due_date` with the named bounds it binds (`:aging_from`,
    /// `:aging_to`), for the list's filter.
    pub(super) fn condition(self) -> &'static str {
        match self {
            AgingBucket::NotYetDue => "AND due_date >= :aging_from",
            AgingBucket::Over90 => "AND due_date <= :aging_to",
            _ => "AND due_date BETWEEN :aging_from AND :aging_to",
        }
    }
}

/// One bucket of one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AgingCell {
    pub bucket: AgingBucket,
    /// How many pending receivables it holds.
    #[ts(type = "number")]
    pub receivables: u32,
    pub balance: Money,
}

/// The aging of one currency's pending receivables: every bucket, empty ones included, in
/// `AgingBucket::ALL`'s order, and their total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AgingLine {
    pub currency: String,
    pub buckets: Vec<AgingCell>,
    pub total: Money,
}

/// The whole book's aging, one line per currency owed, currencies in code order.
pub fn summary(db: &Database, reading: &Reading) -> Result<Vec<AgingLine>, BooksError> {
    db.read(|conn| summary_in(conn, reading))
}

/// [`summary`] on a connection the caller holds (the list reads it in its own snapshot).
pub fn summary_in(conn: &Connection, reading: &Reading) -> Result<Vec<AgingLine>, BooksError> {
    let today = reading.today;
    let start = |bucket: AgingBucket| bucket.due_between(today).0.map(iso);
    let mut statement = conn.prepare_cached(
        "SELECT currency,
                CASE WHEN due_date >= ?1 THEN 0 WHEN due_date >= ?2 THEN 1
                     WHEN due_date >= ?3 THEN 2 WHEN due_date >= ?4 THEN 3 ELSE 4 END AS bucket,
                sum(receivables), sum(balance)
         FROM pending_by_day GROUP BY currency, bucket ORDER BY currency, bucket",
    )?;
    let mut rows = statement.query([
        start(AgingBucket::NotYetDue),
        start(AgingBucket::Days1To30),
        start(AgingBucket::Days31To60),
        start(AgingBucket::Days61To90),
    ])?;
    let mut sums: Vec<(String, [(u32, i64); 5])> = Vec::new();
    while let Some(row) = rows.next()? {
        let currency: String = row.get(0)?;
        let bucket = usize::from(row.get::<_, u8>(1)?).min(4);
        if sums.last().is_none_or(|(last, _)| *last != currency) {
            sums.push((currency, [(0, 0); 5]));
        }
        if let Some((_, cells)) = sums.last_mut() {
            cells[bucket] = (row.get(2)?, row.get(3)?);
        }
    }
    Ok(sums
        .into_iter()
        .map(|(currency, cells)| {
            // Each sum is within what `totals` lets a currency owe, so their total is too.
            let total: i64 = cells.iter().map(|(_, balance)| balance).sum();
            AgingLine {
                buckets: AgingBucket::ALL
                    .iter()
                    .zip(cells)
                    .map(|(bucket, (receivables, balance))| AgingCell {
                        bucket: *bucket,
                        receivables,
                        balance: reading.money(balance, &currency),
                    })
                    .collect(),
                total: reading.money(total, &currency),
                currency,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::AgingBucket;

    #[test]
    fn each_day_falls_in_the_bucket_whose_range_holds_it() {
        let today = date!(2026 - 03 - 20);
        for days in -5_i64..200 {
            let due = today - time::Duration::days(days);
            let bucket = AgingBucket::of(due, today);
            let (from, to) = bucket.due_between(today);
            assert!(
                from.is_none_or(|from| due >= from),
                "{days} days: {bucket:?}"
            );
            assert!(to.is_none_or(|to| due <= to), "{days} days: {bucket:?}");
            let holding = AgingBucket::ALL
                .iter()
                .filter(|b| {
                    let (from, to) = b.due_between(today);
                    from.is_none_or(|f| due >= f) && to.is_none_or(|t| due <= t)
                })
                .count();
            assert_eq!(holding, 1, "{days} days overdue is in exactly one bucket");
        }
        assert_eq!(AgingBucket::of(today, today), AgingBucket::NotYetDue);
        assert_eq!(
            AgingBucket::of(date!(2026 - 02 - 18), today),
            AgingBucket::Days1To30
        );
        assert_eq!(
            AgingBucket::of(date!(2026 - 02 - 17), today),
            AgingBucket::Days31To60
        );
    }
}
