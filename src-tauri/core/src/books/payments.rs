//! Abonos: payments against a receivable, possibly in another currency at a rate the user types
//! (what the form means is `payment_form`'s); reversed with a reason when mistaken, never
//! deleted.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::currency;
use super::dates::{from_iso, iso, DateShown};
use super::history::{self, Facts, HistoryKind};
use super::money::Money;
use super::pauses;
use super::payment_form::{Owed, MAX_NOTE};
pub use super::payment_form::{PaymentForm, PaymentPreview};
use super::rate::{Rate, RateDirection};
use super::reading::Reading;
use super::receivables::{self, refused_field, ReceivableDetail, ReceivableStatus};
use super::{BooksError, Refusal, WaitingMail};
use crate::validation::FieldProblem;
use crate::wire;
use crate::Database;

/// Stored with each payment by its wire name (`crate::wire`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    Transfer,
    /// Pago móvil.
    MobilePayment,
    Card,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Reversal {
    /// UTC, ISO 8601.
    pub at: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    #[ts(type = "number")]
    pub id: i64,
    pub paid_on: DateShown,
    pub method: PaymentMethod,
    pub reference: Option<String>,
    pub note: Option<String>,
    /// What the customer handed over, in the currency they paid in.
    pub amount: Money,
    /// The rate as typed, when paid in another currency ("36,50")…
    pub rate: Option<String>,
    /// …and which way round it was typed.
    pub rate_direction: Option<RateDirection>,
    /// What it settled, in the receivable's currency.
    pub applied: Money,
    pub reversal: Option<Reversal>,
}

/// What a payment would settle, in the receivable's currency, before it is saved: the user sees
/// the conversion (and any refusal) as they type.
pub fn preview(
    db: &Database,
    receivable_id: i64,
    form: &PaymentForm,
    reading: &Reading,
) -> Result<PaymentPreview, BooksError> {
    db.read(|conn| form.preview(reading, &owed(conn, receivable_id, reading)?))
}

/// Records a payment; one that settles the balance makes the receivable Pagada.
pub fn record(
    db: &Database,
    waiting: &dyn WaitingMail,
    receivable_id: i64,
    form: &PaymentForm,
    reading: &Reading,
) -> Result<ReceivableDetail, BooksError> {
    db.write(|tx| {
        let valid = form.validate(reading, &owed(tx, receivable_id, reading)?)?;
        tx.execute(
            "INSERT INTO payments (receivable_id, paid_on, method, reference, note, currency,
                                   amount, rate_text, rate_direction, applied)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                receivable_id,
                iso(valid.paid_on),
                wire::code(&valid.method),
                valid.reference,
                valid.note,
                valid.currency.code,
                valid.amount,
                valid.rate.map(Rate::stored),
                valid.rate.map(|rate| wire::code(&rate.direction)),
                valid.applied,
            ],
        )?;
        let payment_id = tx.last_insert_rowid();
        history::record(
            tx,
            receivable_id,
            HistoryKind::PaymentRecorded,
            &Facts {
                amount: Some(valid.applied),
                payment_id: Some(payment_id),
                ..Facts::default()
            },
        )?;
        receivables::settle(tx, receivable_id, valid.applied)?;
        pauses::after_payment(tx, receivable_id)?;
        waiting.receivable_changed(tx, receivable_id)?;
        receivables::detail_in(tx, receivable_id, reading)
    })
}

/// Reverses a mistaken payment: it stays on record, marked, and its amount is owed again.
pub fn reverse(
    db: &Database,
    waiting: &dyn WaitingMail,
    payment_id: i64,
    reason: &str,
    reading: &Reading,
) -> Result<ReceivableDetail, BooksError> {
    let reason = super::reason(reason, MAX_NOTE)?;
    db.write(|tx| {
        let Recorded {
            receivable_id,
            applied,
            reversed,
        } = payment_facts(tx, payment_id)?;
        if reversed {
            return Err(BooksError::Refused(Refusal::AlreadyReversed));
        }
        let status = receivables::find(tx, receivable_id, reading)?.status;
        if status == ReceivableStatus::Void {
            return Err(BooksError::Refused(Refusal::ReceivableVoid));
        }
        tx.execute(
            "UPDATE payments SET reversed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
                 reversal_reason = ?2
             WHERE id = ?1",
            params![payment_id, reason],
        )?;
        history::record(
            tx,
            receivable_id,
            HistoryKind::PaymentReversed,
            &Facts {
                amount: Some(applied),
                payment_id: Some(payment_id),
                reason: Some(reason),
                ..Facts::default()
            },
        )?;
        receivables::settle(tx, receivable_id, -applied)?;
        waiting.receivable_changed(tx, receivable_id)?;
        receivables::detail_in(tx, receivable_id, reading)
    })
}

/// The currency, balance and issue date a new payment is checked against; only a pending
/// receivable takes payments.
fn owed(conn: &Connection, receivable_id: i64, reading: &Reading) -> Result<Owed, BooksError> {
    let receivable = receivables::find(conn, receivable_id, reading)?;
    if receivable.status != ReceivableStatus::Pending {
        return Err(BooksError::Refused(Refusal::NotPending));
    }
    let currency = currency::find(&receivable.balance.currency)
        .ok_or_else(|| refused_field("currency", FieldProblem::UnknownCurrency))?;
    Ok(Owed {
        currency,
        balance: receivable.balance.minor,
        issued: from_iso(&receivable.issue_date.iso)?,
    })
}

/// What a reversal needs to know of the payment it takes back.
struct Recorded {
    receivable_id: i64,
    /// In the receivable's currency.
    applied: i64,
    reversed: bool,
}

fn payment_facts(tx: &Transaction<'_>, payment_id: i64) -> Result<Recorded, BooksError> {
    tx.query_row(
        "SELECT receivable_id, applied, reversed_at IS NOT NULL FROM payments WHERE id = ?1",
        [payment_id],
        |row| {
            Ok(Recorded {
                receivable_id: row.get(0)?,
                applied: row.get(1)?,
                reversed: row.get(2)?,
            })
        },
    )
    .optional()?
    .ok_or(BooksError::NotFound {
        what: "payment",
        id: payment_id,
    })
}

pub(super) fn of_receivable(
    conn: &Connection,
    receivable_id: i64,
    reading: &Reading,
) -> Result<Vec<Payment>, BooksError> {
    let mut statement = conn.prepare_cached(
        "SELECT p.id, p.paid_on, p.method, p.reference, p.note, p.currency, p.amount,
                p.rate_text, p.rate_direction, p.applied, p.reversed_at, p.reversal_reason,
                r.currency
         FROM payments p JOIN receivables r ON r.id = p.receivable_id
         WHERE p.receivable_id = ?1 ORDER BY p.paid_on, p.id",
    )?;
    let payments = statement
        .query_map([receivable_id], |row| {
            let currency: String = row.get(5)?;
            let owed_in: String = row.get(12)?;
            let reversed_at: Option<String> = row.get(10)?;
            let rate = match (
                row.get_ref(7)?.as_str_or_null()?,
                row.get_ref(8)?.as_str_or_null()?,
            ) {
                (Some(text), Some(direction)) => Some(
                    wire::from_code::<RateDirection>(direction)
                        .and_then(|direction| Rate::from_stored(text, direction))
                        .ok_or_else(|| corrupt_rate(text, direction))?,
                ),
                _ => None,
            };
            Ok(Payment {
                id: row.get(0)?,
                paid_on: reading.date(from_iso(&row.get::<_, String>(1)?)?),
                method: wire::column(row, 2)?,
                reference: row.get(3)?,
                note: row.get(4)?,
                amount: reading.money(row.get(6)?, &currency),
                rate: rate.map(|rate| reading.region.rate(rate)),
                rate_direction: rate.map(|rate| rate.direction),
                applied: reading.money(row.get(9)?, &owed_in),
                reversal: reversed_at
                    .map(|at| -> rusqlite::Result<Reversal> {
                        Ok(Reversal {
                            at,
                            reason: row.get::<_, Option<String>>(11)?.unwrap_or_default(),
                        })
                    })
                    .transpose()?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(payments)
}

/// A stored rate this version cannot read: reported, never shown as some other rate.
fn corrupt_rate(text: &str, direction: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        7,
        rusqlite::types::Type::Text,
        format!("unreadable payment rate {text:?} ({direction:?})").into(),
    )
}
