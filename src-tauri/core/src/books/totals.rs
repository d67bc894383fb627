//! What is owed per currency, as one number: kept within what the app can add up and show
//! (`MAX_MINOR`, below 2^53 so it crosses into JavaScript exactly). Every write that adds to
//! what is owed checks it inside its own transaction, so no total anywhere can overflow.

use rusqlite::{Connection, Transaction};

use super::money::MAX_MINOR;
use super::reading::Reading;
use super::BooksError;
use crate::validation::{FieldErrors, FieldProblem};

/// What is still owed in `currency` over every pending receivable (from the kept per-day sums).
pub(super) fn owed_in(conn: &Connection, currency: &str) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT coalesce(sum(balance), 0) FROM pending_by_day WHERE currency = ?1")?
        .query_row([currency], |row| row.get(0))
}

/// Refuses a write that takes what is owed in `currency` past what the app can add up and
/// show, so totals never overflow anywhere (the caller's transaction is rolled back).
pub(super) fn keep_within_limits(
    tx: &Transaction<'_>,
    currency: &str,
    reading: &Reading,
) -> Result<(), BooksError> {
    if owed_in(tx, currency)? <= MAX_MINOR {
        return Ok(());
    }
    let mut errors = FieldErrors::default();
    errors.add_with(
        "amount",
        FieldProblem::TotalTooLarge,
        reading.money(MAX_MINOR, currency).text,
    );
    Err(BooksError::Invalid(errors.into_vec()))
}
