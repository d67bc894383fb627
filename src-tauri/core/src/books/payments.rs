//! Abonos: payments against a receivable, possibly in another currency at a rate the user types;
//! reversed with a reason when mistaken, never deleted.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::currency::{self, Currency};
use super::history::{self, Facts, HistoryKind};
use super::money::{from_iso, iso, DateShown, Money, Outlook};
use super::receivables::{self, refused_field, ReceivableDetail, ReceivableStatus};
use super::region::Rate;
use super::{BooksError, Refusal, WaitingMail};
use crate::validation::{FieldErrors, FieldProblem};
use crate::Database;

const MAX_REFERENCE: usize = 100;
const MAX_NOTE: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    Transfer,
    /// Pago móvil.
    MobilePayment,
    Card,
    Other,
}

impl PaymentMethod {
    fn code(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Transfer => "transfer",
            PaymentMethod::MobilePayment => "mobile_payment",
            PaymentMethod::Card => "card",
            PaymentMethod::Other => "other",
        }
    }

    fn from_code(code: &str) -> PaymentMethod {
        match code {
            "cash" => PaymentMethod::Cash,
            "transfer" => PaymentMethod::Transfer,
            "mobile_payment" => PaymentMethod::MobilePayment,
            "card" => PaymentMethod::Card,
            _ => PaymentMethod::Other,
        }
    }
}

/// The payment form as typed.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct PaymentForm {
    pub paid_on: String,
    pub amount: String,
    /// Empty: the receivable's currency.
    pub currency: String,
    /// Units of the payment's currency per unit of the receivable's; only when they differ.
    pub rate: String,
    pub method: Option<PaymentMethod>,
    pub reference: String,
    pub note: String,
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
    /// The rate typed, when paid in another currency ("36,5").
    pub rate: Option<String>,
    /// What it settled, in the receivable's currency.
    pub applied: Money,
    pub reversal: Option<Reversal>,
}

struct ValidPayment {
    paid_on: time::Date,
    currency: Currency,
    amount: i64,
    rate: Option<Rate>,
    applied: i64,
    method: PaymentMethod,
    reference: Option<String>,
    note: Option<String>,
}

impl PaymentForm {
    /// Checks the form against the receivable it pays: `owed` is its balance in `owed_in`.
    fn validate(
        &self,
        outlook: &Outlook,
        owed_in: Currency,
        owed: i64,
    ) -> Result<ValidPayment, BooksError> {
        let region = outlook.region;
        let mut errors = FieldErrors::default();
        let paid_on = region
            .parse_date(&self.paid_on)
            .map_err(|problem| errors.add("paidOn", problem))
            .ok();
        let currency = match self.currency.trim() {
            "" => Some(owed_in),
            code => currency::find(code).or_else(|| {
                errors.add("currency", FieldProblem::UnknownCurrency);
                None
            }),
        };
        let amount = currency.and_then(|currency| {
            region
                .parse_amount(&self.amount, &currency)
                .map_err(|problem| errors.add("amount", problem))
                .ok()
        });
        let foreign = currency.is_some_and(|currency| currency.code != owed_in.code);
        let rate = if foreign {
            region
                .parse_rate(&self.rate)
                .map_err(|problem| errors.add("rate", problem))
                .ok()
        } else {
            None
        };
        let applied = match (amount, currency, rate) {
            (Some(amount), Some(_), None) if !foreign => Some(amount),
            (Some(amount), Some(currency), Some(rate)) => {
                match rate.apply(amount, &currency, &owed_in) {
                    Some(applied) if applied > 0 => Some(applied),
                    Some(_) => {
                        errors.add("amount", FieldProblem::NotPositive);
                        None
                    }
                    None => {
                        errors.add("rate", FieldProblem::AmountTooLarge);
                        None
                    }
                }
            }
            _ => None,
        };
        if applied.is_some_and(|applied| applied > owed) {
            errors.add("amount", FieldProblem::AboveBalance);
        }
        if self.method.is_none() {
            errors.add("method", FieldProblem::Required);
        }
        let reference = errors.optional_text("reference", &self.reference, MAX_REFERENCE);
        let note = errors.optional_text("note", &self.note, MAX_NOTE);
        match (paid_on, currency, amount, applied, self.method) {
            (Some(paid_on), Some(currency), Some(amount), Some(applied), Some(method))
                if errors.is_empty() =>
            {
                Ok(ValidPayment {
                    paid_on,
                    currency,
                    amount,
                    rate,
                    applied,
                    method,
                    reference,
                    note,
                })
            }
            _ => Err(BooksError::Invalid(errors.into_vec())),
        }
    }
}

/// What a payment would settle, in the receivable's currency, before it is saved: the user sees
/// the conversion (and any refusal) as they type.
pub fn preview(
    db: &Database,
    receivable_id: i64,
    form: &PaymentForm,
    outlook: &Outlook,
) -> Result<Money, BooksError> {
    db.read(|conn| {
        let (owed_in, owed) = owed(conn, receivable_id, outlook)?;
        let valid = form.validate(outlook, owed_in, owed)?;
        Ok(outlook.money(valid.applied, owed_in.code))
    })
}

/// Records a payment; one that settles the balance makes the receivable Pagada.
pub fn record(
    db: &Database,
    waiting: &dyn WaitingMail,
    receivable_id: i64,
    form: &PaymentForm,
    outlook: &Outlook,
) -> Result<ReceivableDetail, BooksError> {
    db.write(|tx| {
        let (owed_in, owed) = owed(tx, receivable_id, outlook)?;
        let valid = form.validate(outlook, owed_in, owed)?;
        tx.execute(
            "INSERT INTO payments (receivable_id, paid_on, method, reference, note, currency,
                                   amount, rate_scaled, applied)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                receivable_id,
                iso(valid.paid_on),
                valid.method.code(),
                valid.reference,
                valid.note,
                valid.currency.code,
                valid.amount,
                valid.rate.map(Rate::scaled),
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
        waiting.receivable_changed(tx, receivable_id)?;
        receivables::detail_in(tx, receivable_id, outlook)
    })
}

/// Reverses a mistaken payment: it stays on record, marked, and its amount is owed again.
pub fn reverse(
    db: &Database,
    waiting: &dyn WaitingMail,
    payment_id: i64,
    reason: &str,
    outlook: &Outlook,
) -> Result<ReceivableDetail, BooksError> {
    let reason = super::reason(reason, MAX_NOTE)?;
    db.write(|tx| {
        let (receivable_id, applied, reversed) = payment_facts(tx, payment_id)?;
        if reversed {
            return Err(BooksError::Refused(Refusal::AlreadyReversed));
        }
        let status = receivables::find(tx, receivable_id, outlook)?.status;
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
        receivables::detail_in(tx, receivable_id, outlook)
    })
}

/// The currency and balance a new payment is checked against; only a pending receivable takes
/// payments.
fn owed(
    conn: &Connection,
    receivable_id: i64,
    outlook: &Outlook,
) -> Result<(Currency, i64), BooksError> {
    let receivable = receivables::find(conn, receivable_id, outlook)?;
    if receivable.status != ReceivableStatus::Pending {
        return Err(BooksError::Refused(Refusal::NotPending));
    }
    let currency = currency::find(&receivable.balance.currency)
        .ok_or_else(|| refused_field("currency", FieldProblem::UnknownCurrency))?;
    Ok((currency, receivable.balance.minor))
}

fn payment_facts(tx: &Transaction<'_>, payment_id: i64) -> Result<(i64, i64, bool), BooksError> {
    tx.query_row(
        "SELECT receivable_id, applied, reversed_at IS NOT NULL FROM payments WHERE id = ?1",
        [payment_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
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
    outlook: &Outlook,
) -> Result<Vec<Payment>, BooksError> {
    let mut statement = conn.prepare_cached(
        "SELECT p.id, p.paid_on, p.method, p.reference, p.note, p.currency, p.amount,
                p.rate_scaled, p.applied, p.reversed_at, p.reversal_reason, r.currency
         FROM payments p JOIN receivables r ON r.id = p.receivable_id
         WHERE p.receivable_id = ?1 ORDER BY p.paid_on, p.id",
    )?;
    let payments = statement
        .query_map([receivable_id], |row| {
            let currency: String = row.get(5)?;
            let owed_in: String = row.get(11)?;
            let reversed_at: Option<String> = row.get(9)?;
            Ok(Payment {
                id: row.get(0)?,
                paid_on: outlook.date(from_iso(&row.get::<_, String>(1)?)?),
                method: PaymentMethod::from_code(&row.get::<_, String>(2)?),
                reference: row.get(3)?,
                note: row.get(4)?,
                amount: outlook.money(row.get(6)?, &currency),
                rate: row
                    .get::<_, Option<i64>>(7)?
                    .map(|scaled| outlook.region.rate(Rate::from_scaled(scaled))),
                applied: outlook.money(row.get(8)?, &owed_in),
                reversal: reversed_at
                    .map(|at| -> rusqlite::Result<Reversal> {
                        Ok(Reversal {
                            at,
                            reason: row.get::<_, Option<String>>(10)?.unwrap_or_default(),
                        })
                    })
                    .transpose()?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(payments)
}
