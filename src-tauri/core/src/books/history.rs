//! A receivable's history: every change, what and when, written in the same transaction as the
//! change itself, so the history can never disagree with the books.

use rusqlite::{params, Connection, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::money::Money;
use super::reading::Reading;
use crate::wire;

/// Stored by its wire name (`crate::wire`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
pub enum HistoryKind {
    Created,
    Edited,
    PaymentRecorded,
    PaymentReversed,
    /// The balance reached zero.
    Paid,
    /// A reversal brought back a balance on a paid receivable.
    Reopened,
    Voided,
    /// A payment reminder was queued (to `recipient`).
    ReminderQueued,
    /// The customer's statement, which lists this receivable, was queued (to `recipient`).
    StatementQueued,
    /// WhatsApp was opened with a message for the customer (to `recipient`, a phone): whether
    /// it was sent, only WhatsApp knows.
    WhatsappOpened,
}

/// The facts of one change, stored as JSON beside its kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Facts {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// The form fields an edit changed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// UTC, ISO 8601.
    pub at: String,
    pub kind: HistoryKind,
    /// In the receivable's currency.
    pub amount: Option<Money>,
    pub previous_amount: Option<Money>,
    pub reason: Option<String>,
    pub recipient: Option<String>,
    pub fields: Vec<String>,
}

pub(crate) fn record(
    tx: &Transaction<'_>,
    receivable_id: i64,
    kind: HistoryKind,
    facts: &Facts,
) -> rusqlite::Result<()> {
    let details = serde_json::to_string(facts).expect("facts serialize");
    tx.execute(
        "INSERT INTO receivable_events (receivable_id, kind, details) VALUES (?1, ?2, ?3)",
        params![receivable_id, wire::code(&kind), details],
    )?;
    Ok(())
}

/// Newest first.
pub(super) fn read(
    conn: &Connection,
    receivable_id: i64,
    currency: &str,
    reading: &Reading,
) -> rusqlite::Result<Vec<HistoryEntry>> {
    let mut statement = conn.prepare_cached(
        "SELECT at, kind, details FROM receivable_events WHERE receivable_id = ?1
         ORDER BY id DESC",
    )?;
    let rows = statement.query_map([receivable_id], |row| {
        Ok((
            row.get::<_, String>(0)?,
            wire::column::<HistoryKind>(row, 1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    let mut entries = Vec::new();
    for row in rows {
        // A kind this build does not know is corrupt, like any unknown stored name.
        let (at, kind, details) = row?;
        let facts: Facts = serde_json::from_str(&details).unwrap_or_default();
        entries.push(HistoryEntry {
            at,
            kind,
            amount: facts.amount.map(|minor| reading.money(minor, currency)),
            previous_amount: facts
                .previous_amount
                .map(|minor| reading.money(minor, currency)),
            reason: facts.reason,
            recipient: facts.recipient,
            fields: facts.fields,
        });
    }
    Ok(entries)
}
