//! Cuentas por cobrar: create, correct, void, and read one with its payments and history.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use time::Date;
use ts_rs::TS;

use super::currency;
use super::dates::{from_iso, iso, DateShown};
use super::history::{self, Facts, HistoryEntry, HistoryKind};
use super::money::Money;
use super::pauses::{self, PauseChip};
use super::payments::{self, Payment};
use super::reading::Reading;
use super::{search_key, totals, BooksError, Refusal, WaitingMail};
use crate::db::Database;
use crate::locale::Region;
use crate::outbox::OutboxState;
use crate::undeliverable::Undeliverable;
use crate::validation::{FieldErrors, FieldProblem};
use crate::wire;

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

/// Stored by its wire name (`crate::wire`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
pub enum ReceivableStatus {
    Pending,
    Paid,
    Void,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Receivable {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub customer_id: i64,
    pub customer_name: String,
    /// The customer's registered address, where reminders go.
    pub customer_email: Option<String>,
    pub document_number: Option<String>,
    pub concept: String,
    pub amount: Money,
    pub paid: Money,
    pub balance: Money,
    pub issue_date: DateShown,
    pub due_date: DateShown,
    pub status: ReceivableStatus,
    /// Pending and past its due date: the "Vencida" badge.
    pub overdue: bool,
    pub days_overdue: u32,
    pub void_reason: Option<String>,
    /// The latest reminder and its state (Pagos Pendientes' "Último recordatorio").
    pub last_reminder: Option<LastReminder>,
    /// Pausas de cobranza in force (the customer's and its own) and broken promises: its chips.
    pub pauses: Vec<PauseChip>,
    /// The customer's registered address does not receive mail ("No entregable"): why.
    pub undeliverable: Option<Undeliverable>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LastReminder {
    pub state: OutboxState,
    /// When it was queued (UTC, ISO 8601).
    pub at: String,
}

impl LastReminder {
    /// `"<state> <queued at>"` from column 13; a state this build does not know is corrupt, not
    /// "no reminder".
    fn parse(stored: &str) -> rusqlite::Result<LastReminder> {
        let (state, at) = stored.split_once(' ').unwrap_or((stored, ""));
        Ok(LastReminder {
            state: wire::stored(state, 13)?,
            at: at.to_owned(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReceivableDetail {
    pub receivable: Receivable,
    /// Oldest first, reversed ones included (marked).
    pub payments: Vec<Payment>,
    /// Newest first.
    pub history: Vec<HistoryEntry>,
    /// Amount, currency and customer are corrected only while there are no payments.
    pub amount_editable: bool,
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

/// The SELECT list every reader of receivables shares, with the customer joined as `c`; the
/// last reminder comes from the outbox (its `reference` index makes it one lookup); the pauses
/// not yet ended, the customer's and its own, as `pauses::chips_of` reads them; the registered
/// address's "No entregable" mark, one lookup on that table's primary key (its addresses are
/// kept lower-cased and trimmed, as `undeliverable::find` compares them).
const COLUMNS: &str = "r.id, r.customer_id, c.name, c.email, r.document_number, \
     r.concept, r.currency, r.amount, r.paid, r.issue_date, r.due_date, r.status, r.void_reason, \
     (SELECT o.state || ' ' || o.created_at FROM outbox o \
      WHERE o.reference = 'receivable:' || r.id ORDER BY o.id DESC LIMIT 1), \
     (SELECT group_concat(p.kind || '/' || coalesce(p.until, '') || '/' || \
      coalesce(p.receivable_id, ''), ',') FROM collection_pauses p \
      WHERE p.customer_id = r.customer_id AND p.ended_at IS NULL \
      AND (p.receivable_id IS NULL OR p.receivable_id = r.id)), \
     u.address, u.reason, u.detail, u.since";

/// The tables [`COLUMNS`] reads, joined.
const TABLES: &str = "receivables r JOIN customers c ON c.id = r.customer_id \
     LEFT JOIN undeliverable_addresses u ON u.address = lower(trim(c.email))";

pub(super) fn read(row: &Row<'_>, reading: &Reading) -> rusqlite::Result<Receivable> {
    let currency: String = row.get(6)?;
    let amount: i64 = row.get(7)?;
    let paid: i64 = row.get(8)?;
    let due = from_iso(&row.get::<_, String>(10)?)?;
    let status: ReceivableStatus = wire::column(row, 11)?;
    let overdue = status == ReceivableStatus::Pending && due < reading.today;
    Ok(Receivable {
        id: row.get(0)?,
        customer_id: row.get(1)?,
        customer_name: row.get(2)?,
        customer_email: row.get(3)?,
        document_number: row.get(4)?,
        concept: row.get(5)?,
        amount: reading.money(amount, &currency),
        paid: reading.money(paid, &currency),
        balance: reading.money(amount - paid, &currency),
        issue_date: reading.date(from_iso(&row.get::<_, String>(9)?)?),
        due_date: reading.date(due),
        status,
        overdue,
        days_overdue: if overdue {
            reading.days_overdue(due)
        } else {
            0
        },
        void_reason: row.get(12)?,
        last_reminder: row
            .get::<_, Option<String>>(13)?
            .map(|last| LastReminder::parse(&last))
            .transpose()?,
        pauses: pauses::chips_of(
            row.get::<_, Option<String>>(14)?.as_deref(),
            row.get(1)?,
            14,
            reading,
        )?,
        undeliverable: match row.get::<_, Option<String>>(15)? {
            Some(address) => Some(Undeliverable {
                address,
                reason: wire::column(row, 16)?,
                detail: row.get(17)?,
                since: row.get(18)?,
            }),
            None => None,
        },
    })
}

pub(super) fn not_found(id: i64) -> BooksError {
    BooksError::NotFound {
        what: "receivable",
        id,
    }
}

/// One receivable by id (`?1`), with everything its row shows.
pub(super) fn find_sql() -> String {
    format!("SELECT {COLUMNS} FROM {TABLES} WHERE r.id = ?1")
}

pub(crate) fn find(
    conn: &Connection,
    id: i64,
    reading: &Reading,
) -> Result<Receivable, BooksError> {
    conn.prepare_cached(&find_sql())?
        .query_row([id], |row| read(row, reading))
        .optional()?
        .ok_or(not_found(id))
}

pub fn detail(db: &Database, id: i64, reading: &Reading) -> Result<ReceivableDetail, BooksError> {
    db.read(|conn| detail_in(conn, id, reading))
}

pub(super) fn detail_in(
    conn: &Connection,
    id: i64,
    reading: &Reading,
) -> Result<ReceivableDetail, BooksError> {
    let receivable = find(conn, id, reading)?;
    let payments = payments::of_receivable(conn, id, reading)?;
    let history = history::read(conn, id, &receivable.amount.currency, reading)?;
    let amount_editable = receivable.status == ReceivableStatus::Pending
        && payments.iter().all(|payment| payment.reversal.is_some());
    Ok(ReceivableDetail {
        receivable,
        payments,
        history,
        amount_editable,
    })
}

/// All of a customer's receivables, whatever their status, newest first.
pub fn of_customer(
    db: &Database,
    customer_id: i64,
    reading: &Reading,
) -> Result<Vec<Receivable>, BooksError> {
    db.read(|conn| {
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM {TABLES}
             WHERE r.customer_id = ?1 ORDER BY r.issue_date DESC, r.id DESC"
        ))?;
        let rows = statement
            .query_map([customer_id], |row| read(row, reading))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    })
}

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
