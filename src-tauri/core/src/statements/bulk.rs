//! "Enviar estados de cuenta" to many customers at once: the plan (how many messages, to whom,
//! and the customers set apart with why: no address, an address marked "No entregable", nothing
//! owed, no email service, a statement already waiting), then, confirmed, every statement
//! queued in one transaction — all or none. Each is the same statement a single send would
//! queue, with the same send check.

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::model::{build_in, STATEMENT_REFERENCE};
use super::queue::{draft_in, enqueue_in};
use super::StatementError;
use crate::books::customers;
use crate::books::money::Money;
use crate::books::reading::Reading;
use crate::db::Database;
use crate::locale::Language;
use crate::mail::EmailAddress;
use crate::outbox::{self, OutboxId};
use crate::undeliverable::{self, Undeliverable};

/// More customers than any shop has; a longer list is a mistake, not a plan.
pub const MAX_CUSTOMERS: usize = 20_000;

/// Whose statements to send.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BulkSelection {
    /// The customers the owner ticked.
    Customers {
        #[ts(type = "number[]")]
        ids: Vec<i64>,
    },
    /// "Todos con saldo vencido": every customer with a Pendiente receivable past its due date.
    Overdue,
}

/// One statement the plan would queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlannedStatement {
    #[ts(type = "number")]
    pub customer_id: i64,
    pub customer: String,
    pub recipient: String,
    pub language: Language,
    /// What it states, per currency.
    pub balances: Vec<Money>,
}

/// Why a selected customer gets no statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SetAsideReason {
    /// No registered address.
    NoAddress,
    NothingOwed,
    /// No email service is configured yet: nobody can be sent anything.
    NoEmailService,
    /// A statement for them is already waiting in the outbox.
    AlreadyWaiting,
    /// The customer does not exist (deleted meanwhile).
    NotFound,
    /// The registered address does not receive mail ("No entregable").
    Undeliverable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SetAside {
    #[ts(type = "number")]
    pub customer_id: i64,
    pub customer: String,
    pub reason: SetAsideReason,
    /// Why the address does not receive mail, for [`SetAsideReason::Undeliverable`].
    pub undeliverable: Option<Undeliverable>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkPlan {
    /// In customer-name order.
    pub messages: Vec<PlannedStatement>,
    pub set_aside: Vec<SetAside>,
}

/// What confirming queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkQueued {
    pub queued: Vec<OutboxId>,
    pub set_aside: Vec<SetAside>,
}

/// The plan for `selection`, as the books stand.
pub fn plan(
    db: &Database,
    selection: &BulkSelection,
    reading: &Reading,
) -> Result<BulkPlan, StatementError> {
    db.read(|conn| plan_in(conn, selection, reading))
}

/// Queues every planned statement (PDF attached unless `attach_pdf` is off) in one
/// transaction, the plan made again inside it. Wake the worker after (`OutboxHandle::kick`).
pub fn confirm(
    db: &Database,
    selection: &BulkSelection,
    attach_pdf: bool,
    reading: &Reading,
) -> Result<BulkQueued, StatementError> {
    db.write(|tx| {
        let plan = plan_in(tx, selection, reading)?;
        let mut queued = Vec::with_capacity(plan.messages.len());
        for planned in plan.messages {
            // The registered address (the plan's): it follows the customer, as a single send's.
            let draft = draft_in(tx, planned.customer_id, None, attach_pdf, reading)?;
            queued.push(enqueue_in(tx, draft)?);
        }
        // Bulk work: it may go through the provider's batch endpoint.
        outbox::allow_batch(tx, &queued)?;
        Ok(BulkQueued {
            queued,
            set_aside: plan.set_aside,
        })
    })
}

fn plan_in(
    conn: &Connection,
    selection: &BulkSelection,
    reading: &Reading,
) -> Result<BulkPlan, StatementError> {
    let ids = match selection {
        BulkSelection::Customers { ids } => {
            let mut ids = ids.clone();
            ids.sort_unstable();
            ids.dedup();
            ids
        }
        BulkSelection::Overdue => overdue_customers(conn, reading)?,
    };
    if ids.len() > MAX_CUSTOMERS {
        return Err(StatementError::TooMany);
    }
    let service = crate::mail::store::load(conn).ok().flatten().is_some();
    let mut plan = BulkPlan {
        messages: Vec::new(),
        set_aside: Vec::new(),
    };
    for customer_id in ids {
        let customer = match customers::find(conn, customer_id) {
            Ok(customer) => customer,
            Err(crate::books::BooksError::NotFound { .. }) => {
                plan.set_aside.push(SetAside {
                    customer_id,
                    customer: String::new(),
                    reason: SetAsideReason::NotFound,
                    undeliverable: None,
                });
                continue;
            }
            Err(err) => return Err(err.into()),
        };
        let set_aside = |reason| SetAside {
            customer_id,
            customer: customer.name.clone(),
            reason,
            undeliverable: None,
        };
        let statement = match build_in(conn, customer_id, reading) {
            Ok(statement) => statement,
            Err(StatementError::NothingOwed) => {
                plan.set_aside.push(set_aside(SetAsideReason::NothingOwed));
                continue;
            }
            Err(err) => return Err(err),
        };
        let Some(recipient) = customer
            .email
            .as_deref()
            .and_then(|email| email.parse::<EmailAddress>().ok())
        else {
            plan.set_aside.push(set_aside(SetAsideReason::NoAddress));
            continue;
        };
        if let Some(found) = undeliverable::find(conn, recipient.as_str())? {
            plan.set_aside.push(SetAside {
                undeliverable: Some(found),
                ..set_aside(SetAsideReason::Undeliverable)
            });
            continue;
        }
        if !service {
            plan.set_aside
                .push(set_aside(SetAsideReason::NoEmailService));
            continue;
        }
        if already_waiting(conn, customer_id)? {
            plan.set_aside
                .push(set_aside(SetAsideReason::AlreadyWaiting));
            continue;
        }
        let written = statement.reading();
        plan.messages.push(PlannedStatement {
            customer_id,
            customer: customer.name.clone(),
            recipient: recipient.to_string(),
            language: statement.language,
            balances: statement
                .groups
                .iter()
                .map(|g| written.money(g.totals.balance, &g.currency))
                .collect(),
        });
    }
    let key = |name: &str| crate::books::search_key(name);
    plan.messages.sort_by(|a, b| {
        key(&a.customer)
            .cmp(&key(&b.customer))
            .then(a.customer_id.cmp(&b.customer_id))
    });
    plan.set_aside.sort_by(|a, b| {
        key(&a.customer)
            .cmp(&key(&b.customer))
            .then(a.customer_id.cmp(&b.customer_id))
    });
    Ok(plan)
}

/// Every customer with a Pendiente receivable past its due date (a walk of the pending index).
fn overdue_customers(conn: &Connection, reading: &Reading) -> Result<Vec<i64>, StatementError> {
    let mut statement = conn.prepare_cached(
        "SELECT DISTINCT customer_id FROM receivables
         WHERE status = 'pending' AND due_date < ?1 ORDER BY customer_id",
    )?;
    let ids = statement
        .query_map(params![crate::books::dates::iso(reading.today)], |r| {
            r.get(0)
        })?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(ids)
}

fn already_waiting(conn: &Connection, customer_id: i64) -> Result<bool, StatementError> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE reference = ?1
                            AND state IN ('queued', 'retrying', 'sending', 'held'))",
        )?
        .query_row([format!("{STATEMENT_REFERENCE}{customer_id}")], |r| {
            r.get(0)
        })?)
}
