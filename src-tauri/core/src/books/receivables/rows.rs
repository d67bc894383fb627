//! A receivable as every screen shows it: the one SELECT list all readers share (customer,
//! last reminder, pauses and "No entregable" mark joined in), reading a row of it, and the
//! lookups built on it (one by id, its detail with payments and history, a customer's). Writing
//! — the form, its checks, create, correct, void — stays in `receivables`.

use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::books::dates::{from_iso, DateShown};
use crate::books::history::{self, HistoryEntry};
use crate::books::money::Money;
use crate::books::pauses::{self, PauseChip};
use crate::books::payments::{self, Payment};
use crate::books::reading::Reading;
use crate::books::BooksError;
use crate::db::Database;
use crate::outbox::OutboxState;
use crate::undeliverable::Undeliverable;
use crate::wire;

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
     LEFT JOIN undeliverable_addresses u ON u.address = address_key(c.email)";

fn read(row: &Row<'_>, reading: &Reading) -> rusqlite::Result<Receivable> {
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

pub(in crate::books) fn not_found(id: i64) -> BooksError {
    BooksError::NotFound {
        what: "receivable",
        id,
    }
}

/// One receivable by id (`?1`), with everything its row shows.
pub(in crate::books) fn find_sql() -> String {
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

pub(in crate::books) fn detail_in(
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
