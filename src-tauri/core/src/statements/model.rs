//! What a statement (estado de cuenta) says, before it is written in any form: the customer's
//! Pendiente receivables grouped by currency with checked subtotals, the payments received since
//! the last statement that reached them, how to pay, and who asks. The HTML part, the text part
//! and the PDF are all written from this one value, so they can never disagree; it is also what
//! a queued statement states for the send check.
//!
//! Amounts are never added across currencies, and every sum is checked: a total past what the
//! app can show is refused, never wrapped.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::StatementError;
use crate::books::dates::{from_iso, iso};
use crate::books::money::MAX_MINOR;
use crate::books::reading::Reading;
use crate::books::{customers, BooksError, Refusal};
use crate::business::{self, Business};
use crate::locale::Language;
use crate::locale::Region;
use crate::payment_options;
use crate::reference_rates;
use crate::templating::region_for;

/// How the outbox refers to a customer's statements (`statement:42`).
pub const STATEMENT_REFERENCE: &str = "statement:";

/// A concept is at most this long in the books; a longer one (a hand-edited file) is cut here so
/// no layout has to carry it.
pub const MAX_CONCEPT: usize = 500;

/// At most this many payments are acknowledged in one statement (the most recent ones).
pub const MAX_PAYMENTS: usize = 50;

/// Who a statement is from or to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    pub name: String,
    pub tax_id: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

/// One Pendiente receivable as the statement lists it; amounts in its group's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatementLine {
    #[ts(type = "number")]
    pub receivable_id: i64,
    pub document_number: Option<String>,
    pub concept: String,
    /// ISO 8601 calendar dates.
    pub issue_date: String,
    pub due_date: String,
    /// 0 when not yet due.
    pub days_overdue: u32,
    #[serde(flatten)]
    #[ts(flatten)]
    pub totals: Totals,
}

/// What was owed, what of it was paid and what remains, in minor units of one currency: a
/// receivable's, or a currency group's sum of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    #[ts(type = "number")]
    pub amount: i64,
    #[ts(type = "number")]
    pub paid: i64,
    #[ts(type = "number")]
    pub balance: i64,
}

impl Totals {
    /// `self` and `more` added, each sum kept within what the app can show, or refused.
    fn plus(self, more: Totals) -> Result<Totals, StatementError> {
        Ok(Totals {
            amount: add(self.amount, more.amount)?,
            paid: add(self.paid, more.paid)?,
            balance: add(self.balance, more.balance)?,
        })
    }
}

/// "Equivalente referencial": a subtotal at today's reference rate, in another currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Equivalent {
    pub currency: String,
    #[ts(type = "number")]
    pub amount: i64,
    /// The rate as typed ("36.50": one unit of the subtotal's currency in `currency`).
    pub rate: String,
    /// Who publishes it ("BCV").
    pub source: String,
    /// ISO date the rate is for (always the statement's date: only today's rate is shown).
    pub rate_on: String,
}

/// Everything owed in one currency: its lines and their checked totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyGroup {
    pub currency: String,
    pub lines: Vec<StatementLine>,
    #[serde(flatten)]
    #[ts(flatten)]
    pub totals: Totals,
    /// What of the balance is past due.
    #[ts(type = "number")]
    pub overdue: i64,
    pub equivalent: Option<Equivalent>,
}

/// "Recibimos su abono de USD 50,00 el 12/11/2026": what the customer handed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PaymentReceived {
    pub paid_on: String,
    pub currency: String,
    #[ts(type = "number")]
    pub amount: i64,
    pub document_number: Option<String>,
}

/// A customer's statement, complete: everything the three renderings say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    #[ts(type = "number")]
    pub customer_id: i64,
    /// The customer's email language: every part is written in it.
    pub language: Language,
    /// How amounts and dates are written (the language's way, see `region_for`).
    pub region: Region,
    /// The statement's date (ISO), the local day it was made.
    pub date: String,
    pub business: Party,
    pub customer: Party,
    /// One per currency owed, in code order; never empty.
    pub groups: Vec<CurrencyGroup>,
    /// Payments received since the last statement that was sent, oldest first.
    pub payments: Vec<PaymentReceived>,
    /// How to pay what is owed, one block per way, already worded in `language`.
    pub payment_instructions: Vec<String>,
}

impl Statement {
    /// The balance per currency, as the send check compares it with the books.
    pub fn balances(&self) -> Vec<(String, i64)> {
        self.groups
            .iter()
            .map(|group| (group.currency.clone(), group.totals.balance))
            .collect()
    }

    /// The figures written the statement's way.
    pub fn reading(&self) -> Reading {
        Reading {
            region: self.region,
            today: from_iso(&self.date).unwrap_or(time::Date::MIN),
        }
    }

    /// Every line, in the order they are listed.
    pub fn lines(&self) -> impl Iterator<Item = &StatementLine> {
        self.groups.iter().flat_map(|group| group.lines.iter())
    }
}

/// Builds the statement of `customer_id` as the books stand, inside the caller's transaction.
/// Nothing owed is refused with that reason: an empty statement is never sent.
pub fn build_in(
    conn: &Connection,
    customer_id: i64,
    reading: &Reading,
) -> Result<Statement, StatementError> {
    let customer = customers::find(conn, customer_id)?;
    let language = customer.email_language;
    let groups = groups_of(conn, customer_id, reading)?;
    if groups.is_empty() {
        return Err(StatementError::NothingOwed);
    }
    let business = business::get_in(conn)?;
    let payments = payments_since_last_statement(conn, customer_id)?;
    let owed: Vec<&str> = groups.iter().map(|g| g.currency.as_str()).collect();
    let payment_instructions =
        payment_options::instructions(&payment_options::usable_in(conn)?, &owed, language, None);
    Ok(Statement {
        customer_id,
        language,
        region: region_for(language, reading.region),
        date: iso(reading.today),
        business: business_party(&business),
        customer: Party {
            name: customer.name,
            tax_id: customer.tax_id,
            address: customer.address,
            phone: customer.phone,
        },
        groups,
        payments,
        payment_instructions,
    })
}

pub(crate) fn business_party(business: &Business) -> Party {
    let some = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    Party {
        name: business.name.trim().to_owned(),
        tax_id: some(&business.tax_id),
        address: some(&business.address),
        phone: some(&business.phone),
    }
}

/// The customer's Pendiente receivables by currency (code order), oldest due first, with
/// checked totals.
fn groups_of(
    conn: &Connection,
    customer_id: i64,
    reading: &Reading,
) -> Result<Vec<CurrencyGroup>, StatementError> {
    let mut statement = conn.prepare_cached(
        "SELECT id, document_number, concept, currency, amount, paid, issue_date, due_date
         FROM receivables WHERE customer_id = ?1 AND status = 'pending'
         ORDER BY currency, due_date, id",
    )?;
    let rows = statement.query_map([customer_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, String>(7)?,
        ))
    })?;
    let mut groups: Vec<CurrencyGroup> = Vec::new();
    for row in rows {
        let (id, document, concept, currency, amount, paid, issue, due) = row?;
        let balance = amount.checked_sub(paid).ok_or_else(too_large)?;
        if balance <= 0 {
            continue;
        }
        let due_date = from_iso(&due)?;
        let days_overdue = reading.days_overdue(due_date);
        let line = StatementLine {
            receivable_id: id,
            document_number: document.filter(|d| !d.trim().is_empty()),
            concept: concept.chars().take(MAX_CONCEPT).collect(),
            issue_date: iso(from_iso(&issue)?),
            due_date: iso(due_date),
            days_overdue,
            totals: Totals {
                amount,
                paid,
                balance,
            },
        };
        if groups.last().is_none_or(|g| g.currency != currency) {
            // Each currency's group is complete once the next begins.
            if let Some(done) = groups.last_mut() {
                done.equivalent = equivalent(conn, done, reading)?;
            }
            groups.push(CurrencyGroup {
                currency: currency.clone(),
                lines: Vec::new(),
                totals: Totals::default(),
                overdue: 0,
                equivalent: None,
            });
        }
        let group = groups.last_mut().ok_or_else(too_large)?;
        group.totals = group.totals.plus(line.totals)?;
        if days_overdue > 0 {
            group.overdue = add(group.overdue, line.totals.balance)?;
        }
        group.lines.push(line);
    }
    if let Some(last) = groups.last_mut() {
        last.equivalent = equivalent(conn, last, reading)?;
    }
    Ok(groups)
}

/// The subtotal's "Equivalente referencial", when a rate for today's very date is kept.
fn equivalent(
    conn: &Connection,
    group: &CurrencyGroup,
    reading: &Reading,
) -> Result<Option<Equivalent>, StatementError> {
    Ok(
        reference_rates::equivalent_in(conn, &group.currency, group.totals.balance, reading.today)?
            .map(|(currency, amount, rate, source)| Equivalent {
                currency,
                amount,
                rate,
                source,
                rate_on: iso(reading.today),
            }),
    )
}

/// A sum kept within what the app can show (below 2^53), or refused.
fn add(total: i64, more: i64) -> Result<i64, StatementError> {
    total
        .checked_add(more)
        .filter(|sum| (0..=MAX_MINOR).contains(sum))
        .ok_or_else(too_large)
}

fn too_large() -> StatementError {
    StatementError::Books(BooksError::Refused(Refusal::TotalTooLarge))
}

/// The payments to acknowledge: those recorded since the last statement the customer was sent;
/// before any was sent, those on what is still owed. Reversed payments are not.
fn payments_since_last_statement(
    conn: &Connection,
    customer_id: i64,
) -> Result<Vec<PaymentReceived>, StatementError> {
    let last_sent: Option<String> = conn
        .prepare_cached("SELECT max(sent_at) FROM outbox WHERE reference = ?1 AND state = 'sent'")?
        .query_row([format!("{STATEMENT_REFERENCE}{customer_id}")], |r| {
            r.get(0)
        })
        .optional()?
        .flatten();
    let mut statement = conn.prepare_cached(
        "SELECT p.paid_on, p.currency, p.amount, r.document_number
         FROM receivables r JOIN payments p ON p.receivable_id = r.id
         WHERE r.customer_id = ?1 AND p.reversed_at IS NULL
           AND CASE WHEN ?2 IS NULL THEN r.status = 'pending' ELSE p.created_at > ?2 END
         ORDER BY p.paid_on DESC, p.id DESC LIMIT ?3",
    )?;
    let mut payments = statement
        .query_map(params![customer_id, last_sent, MAX_PAYMENTS as i64], |r| {
            Ok(PaymentReceived {
                paid_on: r.get(0)?,
                currency: r.get(1)?,
                amount: r.get(2)?,
                document_number: r
                    .get::<_, Option<String>>(3)?
                    .filter(|d| !d.trim().is_empty()),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    payments.reverse();
    Ok(payments)
}
