//! Cuentas por cobrar: the form and its checks, create, correct and void. How a receivable is
//! read back for the screens (with its payments and history) lives in `rows`.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Deserialize;
use time::Date;
use ts_rs::TS;

use super::currency;
use super::dates::iso;
use super::history::{self, Facts, HistoryKind};
use super::reading::Reading;
use super::{search_key, totals, BooksError, Refusal, WaitingMail};
use crate::db::Database;
use crate::locale::Region;
use crate::validation::{FieldErrors, FieldProblem};
use crate::wire;

mod rows;

pub(crate) use rows::find;
#[cfg(test)]
pub(super) use rows::find_sql;
pub use rows::{detail, of_customer, LastReminder, Receivable, ReceivableDetail, ReceivableStatus};
pub(super) use rows::{detail_in, not_found};

const MAX_DOCUMENT: usize = 50;
const MAX_CONCEPT: usize = 500;

/// The receivable form as typed: amounts and dates in the region's writing.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ReceivableForm {
    #[ts(type = "number | null")]
    pub customer_id: Option<i64>,
    pub document_number: String,
    pub concept: String,
    pub currency: String,
    pub amount: String,
    pub issue_date: String,
    pub due_date: String,
}

#[derive(Clone)]
pub(super) struct ValidReceivable {
    pub(super) customer_id: i64,
    pub(super) document_number: Option<String>,
    pub(super) concept: String,
    pub(super) currency: &'static str,
    pub(super) amount: i64,
    pub(super) issue_date: Date,
    pub(super) due_date: Date,
}

/// A validated receivable as its columns store it, for the INSERT and the UPDATE alike.
struct StoredReceivable<'a> {
    valid: &'a ValidReceivable,
    issue_date: String,
    due_date: String,
    customer_key: String,
    document_key: String,
}

impl StoredReceivable<'_> {
    fn as_params(&self) -> Vec<(&'static str, &dyn rusqlite::ToSql)> {
        vec![
            (":customer_id", &self.valid.customer_id),
            (":document_number", &self.valid.document_number),
            (":concept", &self.valid.concept),
            (":currency", &self.valid.currency),
            (":amount", &self.valid.amount),
            (":issue_date", &self.issue_date),
            (":due_date", &self.due_date),
            (":customer_key", &self.customer_key),
            (":document_key", &self.document_key),
        ]
    }
}

impl ValidReceivable {
    /// `customer_key` is the customer's search key (read in the caller's transaction).
    fn stored(&self, customer_key: String) -> StoredReceivable<'_> {
        StoredReceivable {
            valid: self,
            issue_date: iso(self.issue_date),
            due_date: iso(self.due_date),
            customer_key,
            document_key: search_key(self.document_number.as_deref().unwrap_or_default()),
        }
    }
}

impl ReceivableForm {
    /// [`Self::validate`], refusing with every problem found.
    pub(super) fn validated(&self, region: Region) -> Result<ValidReceivable, BooksError> {
        self.validate(region)
            .map_err(|errors| BooksError::Invalid(errors.into_vec()))
    }

    pub(super) fn validate(&self, region: Region) -> Result<ValidReceivable, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.customer_id.is_none() {
            errors.add("customerId", FieldProblem::Required);
        }
        let document_number =
            errors.optional_text("documentNumber", &self.document_number, MAX_DOCUMENT);
        let concept = errors.required_text("concept", &self.concept, MAX_CONCEPT);
        let currency = match currency::find(&self.currency) {
            Some(found) => Some(found),
            None => {
                errors.add("currency", FieldProblem::UnknownCurrency);
                None
            }
        };
        let amount = currency.and_then(|currency| {
            region
                .parse_amount(&self.amount, &currency)
                .map_err(|problem| region.refuse_amount(&mut errors, "amount", problem, &currency))
                .ok()
        });
        let issue_date = region
            .parse_date(&self.issue_date)
            .map_err(|problem| errors.add("issueDate", problem))
            .ok();
        let due_date = region
            .parse_date(&self.due_date)
            .map_err(|problem| errors.add("dueDate", problem))
            .ok();
        if let (Some(issue), Some(due)) = (issue_date, due_date) {
            if due < issue {
                errors.add("dueDate", FieldProblem::DueBeforeIssue);
            }
        }
        match (
            self.customer_id,
            concept,
            currency,
            amount,
            issue_date,
            due_date,
        ) {
            (
                Some(customer_id),
                Some(concept),
                Some(currency),
                Some(amount),
                Some(issue),
                Some(due),
            ) if errors.is_empty() => Ok(ValidReceivable {
                customer_id,
                document_number,
                concept,
                currency: currency.code,
                amount,
                issue_date: issue,
                due_date: due,
            }),
            _ => Err(errors),
        }
    }
}

/// How the outbox refers to a receivable's reminders (`receivable:42`).
pub const REMINDER_REFERENCE: &str = "receivable:";

fn customer_key(tx: &Transaction<'_>, customer_id: i64) -> Result<String, BooksError> {
    let name: Option<String> = tx
        .query_row(
            "SELECT name FROM customers WHERE id = ?1",
            [customer_id],
            |row| row.get(0),
        )
        .optional()?;
    name.map(|name| search_key(&name))
        .ok_or_else(|| refused_field("customerId", FieldProblem::UnknownCustomer))
}

pub(super) fn document_taken(
    conn: &Connection,
    document: Option<&str>,
    except: i64,
) -> rusqlite::Result<bool> {
    let Some(document) = document else {
        return Ok(false);
    };
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM receivables WHERE document_number = ?1 AND id <> ?2)",
        params![document, except],
        |row| row.get(0),
    )
}

pub(super) fn refused_field(field: &str, problem: FieldProblem) -> BooksError {
    let mut errors = FieldErrors::default();
    errors.add(field, problem);
    BooksError::Invalid(errors.into_vec())
}

pub fn create(
    db: &Database,
    form: &ReceivableForm,
    reading: &Reading,
) -> Result<ReceivableDetail, BooksError> {
    let valid = form.validated(reading.region)?;
    db.write(|tx| {
        let id = insert(tx, &valid, reading)?;
        detail_in(tx, id, reading)
    })
}

/// Writes a validated receivable and its "created" history inside the caller's transaction
/// (a form, or a CSV import).
pub(super) fn insert(
    tx: &Transaction<'_>,
    valid: &ValidReceivable,
    reading: &Reading,
) -> Result<i64, BooksError> {
    let customer_key = customer_key(tx, valid.customer_id)?;
    if document_taken(tx, valid.document_number.as_deref(), 0)? {
        return Err(refused_field(
            "documentNumber",
            FieldProblem::DuplicateDocument,
        ));
    }
    tx.prepare_cached(
        "INSERT INTO receivables (customer_id, document_number, concept, currency, amount,
                                  issue_date, due_date, customer_key, document_key)
         VALUES (:customer_id, :document_number, :concept, :currency, :amount, :issue_date,
                 :due_date, :customer_key, :document_key)",
    )?
    .execute(&*valid.stored(customer_key).as_params())?;
    let id = tx.last_insert_rowid();
    totals::keep_within_limits(tx, valid.currency, reading)?;
    history::record(
        tx,
        id,
        HistoryKind::Created,
        &Facts {
            amount: Some(valid.amount),
            ..Facts::default()
        },
    )?;
    Ok(id)
}

/// Corrects a pending receivable. Amount, currency and customer change only while it has no
/// payments; everything else at any time while pending.
pub fn update(
    db: &Database,
    waiting: &dyn WaitingMail,
    id: i64,
    form: &ReceivableForm,
    reading: &Reading,
) -> Result<ReceivableDetail, BooksError> {
    let valid = form.validated(reading.region)?;
    db.write(|tx| {
        let before = detail_in(tx, id, reading)?;
        let old = &before.receivable;
        if old.status != ReceivableStatus::Pending {
            return Err(BooksError::Refused(Refusal::NotPending));
        }
        let money_fields = [
            ("customerId", old.customer_id != valid.customer_id),
            ("currency", old.amount.currency != valid.currency),
            ("amount", old.amount.minor != valid.amount),
        ];
        if money_fields.iter().any(|(_, differs)| *differs) && !before.amount_editable {
            return Err(BooksError::Refused(Refusal::HasPayments));
        }
        let other_fields = [
            (
                "documentNumber",
                old.document_number != valid.document_number,
            ),
            ("concept", old.concept != valid.concept),
            ("issueDate", old.issue_date.iso != iso(valid.issue_date)),
            ("dueDate", old.due_date.iso != iso(valid.due_date)),
        ];
        let changed: Vec<String> = money_fields
            .iter()
            .chain(&other_fields)
            .filter(|(_, differs)| *differs)
            .map(|(field, _)| (*field).to_owned())
            .collect();
        if changed.is_empty() {
            return Ok(before);
        }
        let customer_key = customer_key(tx, valid.customer_id)?;
        if document_taken(tx, valid.document_number.as_deref(), id)? {
            return Err(refused_field(
                "documentNumber",
                FieldProblem::DuplicateDocument,
            ));
        }
        let stored = valid.stored(customer_key);
        let mut values = stored.as_params();
        values.push((":id", &id));
        tx.execute(
            "UPDATE receivables SET customer_id = :customer_id,
                 document_number = :document_number, concept = :concept, currency = :currency,
                 amount = :amount, issue_date = :issue_date, due_date = :due_date,
                 customer_key = :customer_key, document_key = :document_key,
                 updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE id = :id",
            &*values,
        )?;
        totals::keep_within_limits(tx, valid.currency, reading)?;
        let amount_changed = old.amount.minor != valid.amount;
        history::record(
            tx,
            id,
            HistoryKind::Edited,
            &Facts {
                amount: amount_changed.then_some(valid.amount),
                previous_amount: amount_changed.then_some(old.amount.minor),
                fields: changed,
                ..Facts::default()
            },
        )?;
        waiting.receivable_changed(tx, id)?;
        detail_in(tx, id, reading)
    })
}

/// Anula a pending receivable without active payments; the reason is kept.
pub fn void(
    db: &Database,
    waiting: &dyn WaitingMail,
    id: i64,
    reason: &str,
    reading: &Reading,
) -> Result<ReceivableDetail, BooksError> {
    let reason = super::reason(reason, MAX_CONCEPT)?;
    db.write(|tx| {
        let before = detail_in(tx, id, reading)?;
        if before.receivable.status != ReceivableStatus::Pending {
            return Err(BooksError::Refused(Refusal::NotPending));
        }
        if !before.amount_editable {
            return Err(BooksError::Refused(Refusal::HasPayments));
        }
        tx.execute(
            "UPDATE receivables SET status = ?2, void_reason = ?3,
                 updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE id = ?1",
            params![id, wire::code(&ReceivableStatus::Void), reason],
        )?;
        history::record(
            tx,
            id,
            HistoryKind::Voided,
            &Facts {
                reason: Some(reason),
                ..Facts::default()
            },
        )?;
        waiting.receivable_changed(tx, id)?;
        detail_in(tx, id, reading)
    })
}

/// Keeps `paid` and the status in step after a payment or a reversal, and says so in the
/// history when the receivable becomes paid or comes back.
pub(super) fn settle(tx: &Transaction<'_>, id: i64, paid_delta: i64) -> rusqlite::Result<()> {
    let (amount, paid, status): (i64, i64, String) = tx.query_row(
        "SELECT amount, paid, status FROM receivables WHERE id = ?1",
        [id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    // `paid` stays between 0 and `amount` (a CHECK says so); checked all the same, so a hostile
    // file can never make it wrap.
    let paid = paid
        .checked_add(paid_delta)
        .ok_or(rusqlite::Error::IntegralValueOutOfRange(1, paid))?;
    let was: ReceivableStatus = wire::stored(&status, 2)?;
    let now = if paid >= amount {
        ReceivableStatus::Paid
    } else {
        ReceivableStatus::Pending
    };
    tx.execute(
        "UPDATE receivables SET paid = ?2, status = ?3,
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE id = ?1",
        params![id, paid, wire::code(&now)],
    )?;
    match (was, now) {
        (ReceivableStatus::Pending, ReceivableStatus::Paid) => {
            history::record(tx, id, HistoryKind::Paid, &Facts::default())
        }
        (ReceivableStatus::Paid, ReceivableStatus::Pending) => history::record(
            tx,
            id,
            HistoryKind::Reopened,
            &Facts {
                amount: Some(amount - paid),
                ..Facts::default()
            },
        ),
        _ => Ok(()),
    }
}
