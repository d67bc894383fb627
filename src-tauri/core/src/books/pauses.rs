//! Pausas de cobranza: the owner's word that a customer, or one of their receivables, must not
//! be reminded for a while — Disputa, Promesa de pago, Acuerdo de pago, Pausa hasta…, No
//! contactar — with a note and, for some, the last day it lasts.
//!
//! A pause is never deleted: ending it ("Quitar pausa", or a payment that leaves the customer
//! owing nothing) stamps when and why, so the detail keeps the history of what was agreed. A
//! promise whose day passed while the customer still owes is *broken*: it stops pausing and the
//! customer is flagged "Promesa incumplida". Whether a pause is in force is always read against
//! a day passed in, never the clock. Starting or ending one re-examines, in the same transaction,
//! the messages already waiting for that customer (the send check refuses paused ones).

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use time::Date;
use ts_rs::TS;

use super::dates::{from_iso, iso, DateShown};
use super::reading::Reading;
use super::receivables::{self, ReceivableStatus};
use super::{customers, BooksError, Refusal, WaitingMail};
use crate::db::Database;
use crate::validation::{FieldErrors, FieldProblem};
use crate::wire;

mod shown;

pub(super) use shown::chips_of;
pub(crate) use shown::state_on;
pub use shown::{chips, describe, PauseChip};

const MAX_NOTE: usize = 500;

/// Stored by its wire name (`crate::wire`). Never "retención": in Venezuelan books that word
/// means tax withholding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
pub enum PauseKind {
    /// The customer disputes what is owed.
    Dispute,
    /// The customer promised to pay by `until`.
    Promise,
    /// Paying in instalments as agreed.
    PaymentPlan,
    /// "Pausa hasta…": quiet until `until`, for any reason.
    Until,
    /// Never remind, until the owner says otherwise.
    DoNotContact,
}

impl PauseKind {
    /// A promise and "Pausa hasta…" are about a day; the others may name one.
    fn needs_until(self) -> bool {
        matches!(self, PauseKind::Promise | PauseKind::Until)
    }
}

/// Why a pause ended. Stored by its wire name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
pub enum PauseEnd {
    /// "Quitar pausa".
    Owner,
    /// A payment left the customer (or the paused receivable) owing nothing.
    Settled,
}

/// Where a pause stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PauseState {
    /// No reminder goes out.
    Active,
    /// A promise whose day passed unpaid: reminders resume, "Promesa incumplida".
    Broken,
    /// Its last day passed (not a promise): reminders resume.
    Expired,
    Ended,
}

/// The pause form as typed; `until` in the region's writing of dates.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct PauseForm {
    #[ts(type = "number | null")]
    pub customer_id: Option<i64>,
    /// `null`: the whole customer.
    #[ts(type = "number | null")]
    pub receivable_id: Option<i64>,
    pub kind: Option<PauseKind>,
    pub until: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Pause {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub customer_id: i64,
    #[ts(type = "number | null")]
    pub receivable_id: Option<i64>,
    /// The paused receivable's document number, when it has one.
    pub document_number: Option<String>,
    pub kind: PauseKind,
    pub note: String,
    /// The last day of the pause, inclusive.
    pub until: Option<DateShown>,
    pub state: PauseState,
    /// UTC, ISO 8601.
    pub started_at: String,
    pub ended_at: Option<String>,
    pub end_reason: Option<PauseEnd>,
}

/// The pause that stops a message to `customer_id` (about `receivable_id`, when it is about
/// one) on `today`, if any: "No contactar" before any other, since it cancels rather than holds.
pub fn stopping(
    conn: &Connection,
    customer_id: i64,
    receivable_id: Option<i64>,
    today: Date,
) -> rusqlite::Result<Option<PauseKind>> {
    let mut statement = conn.prepare_cached(
        "SELECT kind, until FROM collection_pauses
         WHERE customer_id = ?1 AND ended_at IS NULL
           AND (receivable_id IS NULL OR receivable_id = ?2)",
    )?;
    let rows = statement.query_map(params![customer_id, receivable_id], |row| {
        let kind: PauseKind = wire::column(row, 0)?;
        let until = row
            .get::<_, Option<String>>(1)?
            .map(|day| from_iso(&day))
            .transpose()?;
        Ok((kind, until))
    })?;
    let mut found = None;
    for row in rows {
        let (kind, until) = row?;
        if state_on(kind, until, false, today) != PauseState::Active {
            continue;
        }
        if kind == PauseKind::DoNotContact || found.is_none() {
            found = Some(kind);
        }
    }
    Ok(found)
}

/// Every pause of a customer (theirs and their receivables'), newest first, ended ones included.
pub fn of_customer(
    db: &Database,
    customer_id: i64,
    reading: &Reading,
) -> Result<Vec<Pause>, BooksError> {
    db.read(|conn| {
        customers::find(conn, customer_id)?;
        let mut statement = conn.prepare_cached(
            "SELECT p.id, p.customer_id, p.receivable_id, r.document_number, p.kind, p.note,
                    p.until, p.started_at, p.ended_at, p.end_reason
             FROM collection_pauses p LEFT JOIN receivables r ON r.id = p.receivable_id
             WHERE p.customer_id = ?1 ORDER BY p.id DESC",
        )?;
        let pauses = statement
            .query_map([customer_id], |row| {
                let kind: PauseKind = wire::column(row, 4)?;
                let until = row
                    .get::<_, Option<String>>(6)?
                    .map(|day| from_iso(&day))
                    .transpose()?;
                let ended_at: Option<String> = row.get(8)?;
                let end_reason = row
                    .get::<_, Option<String>>(9)?
                    .map(|code| wire::stored(&code, 9))
                    .transpose()?;
                Ok(Pause {
                    id: row.get(0)?,
                    customer_id: row.get(1)?,
                    receivable_id: row.get(2)?,
                    document_number: row.get(3)?,
                    kind,
                    note: row.get(5)?,
                    until: until.map(|day| reading.date(day)),
                    state: state_on(kind, until, ended_at.is_some(), reading.today),
                    started_at: row.get(7)?,
                    ended_at,
                    end_reason,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(pauses)
    })
}

/// Starts a pause; the messages waiting for that customer (or receivable) are checked again in
/// the same transaction, so "No contactar" stops what is already queued.
pub fn start(
    db: &Database,
    waiting: &dyn WaitingMail,
    form: &PauseForm,
    reading: &Reading,
) -> Result<Pause, BooksError> {
    let mut errors = FieldErrors::default();
    let note = errors
        .optional_text("note", &form.note, MAX_NOTE)
        .unwrap_or_default();
    let until = match form.until.trim() {
        "" => None,
        typed => reading.day_from(&mut errors, "until", typed, reading.today),
    };
    if form.kind.is_none() {
        errors.add("kind", FieldProblem::Required);
    }
    if form.kind.is_some_and(PauseKind::needs_until)
        && until.is_none()
        && form.until.trim().is_empty()
    {
        errors.add("until", FieldProblem::Required);
    }
    let Some(customer_id) = form.customer_id else {
        errors.add("customerId", FieldProblem::Required);
        return Err(BooksError::Invalid(errors.into_vec()));
    };
    let (Some(kind), true) = (form.kind, errors.is_empty()) else {
        return Err(BooksError::Invalid(errors.into_vec()));
    };
    let id = db.write(|tx| {
        customers::find(tx, customer_id)?;
        if let Some(receivable_id) = form.receivable_id {
            let receivable = receivables::find(tx, receivable_id, reading)?;
            // Another customer's receivable is, for this customer, no receivable at all.
            if receivable.customer_id != customer_id {
                return Err(receivables::not_found(receivable_id));
            }
            if receivable.status != ReceivableStatus::Pending {
                return Err(BooksError::Refused(Refusal::NotPending));
            }
        }
        tx.execute(
            "INSERT INTO collection_pauses (customer_id, receivable_id, kind, note, until)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                customer_id,
                form.receivable_id,
                wire::code(&kind),
                note,
                until.map(iso)
            ],
        )?;
        let id = tx.last_insert_rowid();
        recheck(tx, waiting, customer_id, form.receivable_id)?;
        Ok::<_, BooksError>(id)
    })?;
    find(db, id, reading)
}

/// "Quitar pausa": ends it now; it stays in the history.
pub fn end(
    db: &Database,
    waiting: &dyn WaitingMail,
    id: i64,
    reading: &Reading,
) -> Result<Pause, BooksError> {
    db.write(|tx| {
        let (customer_id, receivable_id) = tx
            .query_row(
                "SELECT customer_id, receivable_id FROM collection_pauses WHERE id = ?1",
                [id],
                |row| Ok((row.get::<_, i64>(0)?, row.get::<_, Option<i64>>(1)?)),
            )
            .optional()?
            .ok_or(BooksError::NotFound { what: "pause", id })?;
        end_where(tx, "id = ?1", id, PauseEnd::Owner)?;
        recheck(tx, waiting, customer_id, receivable_id)
    })?;
    find(db, id, reading)
}

fn find(db: &Database, id: i64, reading: &Reading) -> Result<Pause, BooksError> {
    let customer_id: i64 = db.read(|conn| {
        conn.query_row(
            "SELECT customer_id FROM collection_pauses WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(BooksError::NotFound { what: "pause", id })
    })?;
    of_customer(db, customer_id, reading)?
        .into_iter()
        .find(|pause| pause.id == id)
        .ok_or(BooksError::NotFound { what: "pause", id })
}

fn end_where(
    tx: &Transaction<'_>,
    filter: &str,
    key: i64,
    why: PauseEnd,
) -> rusqlite::Result<usize> {
    tx.execute(
        &format!(
            "UPDATE collection_pauses SET ended_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
                 end_reason = ?2
             WHERE {filter} AND ended_at IS NULL"
        ),
        params![key, wire::code(&why)],
    )
}

fn recheck(
    tx: &Transaction<'_>,
    waiting: &dyn WaitingMail,
    customer_id: i64,
    receivable_id: Option<i64>,
) -> Result<(), BooksError> {
    match receivable_id {
        Some(receivable_id) => waiting.receivable_changed(tx, receivable_id),
        None => waiting.customer_changed(tx, customer_id),
    }
}

/// After a payment: a receivable it settled ends that receivable's pauses, and when the customer
/// owes nothing any more, every pause of theirs ends too (a kept promise is not broken).
pub(super) fn after_payment(tx: &Transaction<'_>, receivable_id: i64) -> rusqlite::Result<()> {
    let (customer_id, status): (i64, String) = tx.query_row(
        "SELECT customer_id, status FROM receivables WHERE id = ?1",
        [receivable_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    if status != wire::code(&ReceivableStatus::Pending) {
        end_where(tx, "receivable_id = ?1", receivable_id, PauseEnd::Settled)?;
    }
    let owes: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM receivables WHERE customer_id = ?1 AND status = 'pending')",
        [customer_id],
        |row| row.get(0),
    )?;
    if !owes {
        end_where(tx, "customer_id = ?1", customer_id, PauseEnd::Settled)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::assert_pinned;

    #[test]
    fn stored_names_are_pinned() {
        assert_pinned(|kind| match kind {
            PauseKind::Dispute => "dispute",
            PauseKind::Promise => "promise",
            PauseKind::PaymentPlan => "payment_plan",
            PauseKind::Until => "until",
            PauseKind::DoNotContact => "do_not_contact",
        });
        assert_pinned(|end| match end {
            PauseEnd::Owner => "owner",
            PauseEnd::Settled => "settled",
        });
    }
}
