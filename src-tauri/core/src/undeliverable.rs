//! Addresses that do not receive mail ("No entregable"). A hard bounce, a spam complaint or
//! Postmark's 406 (inactive recipient) marks the *address*, not the customer, with the reason
//! and the date; no reminder or statement goes to it again — waiting ones included, through the
//! send check — until the owner edits the address or re-confirms it.
//!
//! It owns the `undeliverable_addresses` table and nothing else: the outbox reports what it
//! learnt, the send checks and the screens ask. It never decides that an address is fine again
//! on its own.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::books::{customers, BooksError};
use crate::db::Database;
use crate::validation::{FieldError, FieldErrors, FieldProblem};
use crate::wire;

/// Why an address is "No entregable".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UndeliverableReason {
    /// The recipient's server refused a message for good.
    Bounced,
    /// The recipient marked a message as spam.
    Complained,
    /// The provider refuses to send to it (Postmark 406: it bounced or complained before).
    Inactive,
}

/// An address marked "No entregable", as the screens show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Undeliverable {
    pub address: String,
    pub reason: UndeliverableReason,
    /// The provider's own words, when it gave some.
    pub detail: Option<String>,
    pub since: String,
}

/// The form addresses are compared in: one mailbox whatever its capitals.
fn key(address: &str) -> String {
    address.trim().to_lowercase()
}

/// The same key as the SQL function `address_key(text)`, so a list can join a customer's
/// address to its mark: SQLite's own `lower()` folds ASCII letters only, and "Ñandú@…" would
/// miss the mark stored as "ñandú@…".
pub(crate) fn register_address_key(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "address_key",
        1,
        FunctionFlags::SQLITE_UTF8
            | FunctionFlags::SQLITE_DETERMINISTIC
            | FunctionFlags::SQLITE_INNOCUOUS,
        |ctx| Ok(ctx.get::<Option<String>>(0)?.map(|address| key(&address))),
    )
}

/// Marks `address` undeliverable (again: the latest reason and date win).
pub fn mark(
    tx: &Transaction<'_>,
    address: &str,
    reason: UndeliverableReason,
    detail: Option<&str>,
    since: &str,
    outbox_id: Option<i64>,
) -> rusqlite::Result<()> {
    let detail = detail
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.chars().take(500).collect::<String>());
    tx.prepare_cached(
        "INSERT INTO undeliverable_addresses (address, reason, detail, since, outbox_id)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (address) DO UPDATE SET reason = excluded.reason,
             detail = excluded.detail, since = excluded.since, outbox_id = excluded.outbox_id",
    )?
    .execute(params![
        key(address),
        wire::code(&reason),
        detail,
        since,
        outbox_id
    ])?;
    Ok(())
}

/// Why `address` does not receive mail, if it is marked.
pub fn find(conn: &Connection, address: &str) -> rusqlite::Result<Option<Undeliverable>> {
    conn.prepare_cached(
        "SELECT address, reason, detail, since FROM undeliverable_addresses WHERE address = ?1",
    )?
    .query_row([key(address)], |row| {
        Ok(Undeliverable {
            address: row.get(0)?,
            reason: wire::column(row, 1)?,
            detail: row.get(2)?,
            since: row.get(3)?,
        })
    })
    .optional()
}

/// The refusal of a message to `address` when it does not receive mail: "No entregable" next to
/// the recipient, with the provider's words or the day it was learnt. Reminders and statements
/// are refused with it when queued, not queued to be held: the owner corrects or confirms first.
pub fn refusal(conn: &Connection, address: &str) -> rusqlite::Result<Option<Vec<FieldError>>> {
    Ok(find(conn, address)?.map(|undeliverable| {
        let mut errors = FieldErrors::default();
        errors.add_with(
            "recipient",
            FieldProblem::Undeliverable,
            undeliverable.detail_or_date(),
        );
        errors.into_vec()
    }))
}

impl Undeliverable {
    /// The provider's words, or the day it was learnt when it gave none.
    pub fn detail_or_date(&self) -> String {
        self.detail
            .clone()
            .unwrap_or_else(|| self.since.chars().take(10).collect())
    }
}

/// The owner re-confirmed `address`: mail may go to it again. True if it was marked.
pub fn clear(tx: &Transaction<'_>, address: &str) -> rusqlite::Result<bool> {
    Ok(tx
        .prepare_cached("DELETE FROM undeliverable_addresses WHERE address = ?1")?
        .execute([key(address)])?
        > 0)
}

/// Why the customer's registered address does not receive mail, if it does not.
pub fn of_customer(db: &Database, customer_id: i64) -> Result<Option<Undeliverable>, BooksError> {
    let customer = customers::get(db, customer_id)?;
    match customer.email.as_deref() {
        Some(email) => Ok(db.read(|conn| find(conn, email))?),
        None => Ok(None),
    }
}

/// The owner confirms the customer's registered address is right: mail may go to it again
/// (reminders held for it wait for the owner's "Enviar"). True if it was marked.
pub fn confirm_customer_address(db: &Database, customer_id: i64) -> Result<bool, BooksError> {
    let customer = customers::get(db, customer_id)?;
    match customer.email.as_deref() {
        Some(email) => Ok(db.write(|tx| clear(tx, email))?),
        None => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_marked_found_whatever_its_capitals_and_cleared() {
        let dir = tempfile::tempdir().expect("dir");
        let db = crate::Database::open(&dir.path().join("db.sqlite3")).expect("db");
        db.write(|tx| {
            mark(
                tx,
                "Ana@Cliente.com",
                UndeliverableReason::Bounced,
                Some(" 550 5.1.1 no such user "),
                "2026-11-30T09:00:00.000Z",
                Some(7),
            )
        })
        .expect("marked");
        let found = db
            .read(|c| find(c, "ana@cliente.com"))
            .expect("read")
            .expect("marked");
        assert_eq!(found.reason, UndeliverableReason::Bounced);
        assert_eq!(found.detail.as_deref(), Some("550 5.1.1 no such user"));
        assert_eq!(
            db.read(|c| find(c, "luis@cliente.com")).expect("read"),
            None
        );
        db.write(|tx| {
            mark(
                tx,
                "ana@cliente.com",
                UndeliverableReason::Complained,
                None,
                "2026-12-01T09:00:00.000Z",
                None,
            )
        })
        .expect("marked again");
        let again = db
            .read(|c| find(c, "ANA@cliente.com"))
            .expect("read")
            .unwrap();
        assert_eq!(
            (again.reason, again.since.as_str()),
            (UndeliverableReason::Complained, "2026-12-01T09:00:00.000Z")
        );
        assert!(db
            .write(|tx| clear(tx, "ana@CLIENTE.com"))
            .expect("cleared"));
        assert_eq!(db.read(|c| find(c, "ana@cliente.com")).expect("read"), None);
        assert!(!db
            .write(|tx| clear(tx, "ana@cliente.com"))
            .expect("nothing"));
    }
}
