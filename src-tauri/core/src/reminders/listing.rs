//! Bandeja de salida in the owner's words: each email with the customer and the document it is
//! about, read from the books through the row's `reference` (`receivable:42` for a reminder,
//! `statement:7` for a customer's statement), so the list can say "Ferretería José Peña · F-0001"
//! and link back to the receivable or the customer instead of showing ids.
//!
//! The join lives here, above both: the outbox stays generic and never imports the books. A
//! reference this version does not know, or a record gone since, leaves `about` empty: the
//! email is still listed.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use super::ReminderError;
use crate::books::receivables::REMINDER_REFERENCE;
use crate::db::Database;
use crate::outbox::{self, OutboxEntry, OutboxFilter, OutboxId};
use crate::statements::STATEMENT_REFERENCE;

/// The customer (and, for a reminder, the receivable) an email is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EmailAbout {
    #[ts(type = "number")]
    pub customer_id: i64,
    pub customer_name: String,
    #[ts(type = "number | null")]
    pub receivable_id: Option<i64>,
    pub document_number: Option<String>,
}

/// One row of Bandeja de salida: the outbox's entry and what it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ListedEmail {
    #[serde(flatten)]
    pub entry: OutboxEntry,
    pub about: Option<EmailAbout>,
}

/// A page of Bandeja de salida, newest first; pass `next_before` to get the next one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutboxListing {
    pub entries: Vec<ListedEmail>,
    pub next_before: Option<OutboxId>,
    /// How many rows wait for the owner (held or uncertain), whatever the page.
    #[ts(type = "number")]
    pub needs_owner: i64,
    /// The last 7 days at a glance (entregados, demorados, rebotados…), whatever the filter.
    pub summary: outbox::OutboxSummary,
}

/// The outbox's page (`outbox::list`), each row with what it is about, read together.
pub fn outbox_page(
    db: &Database,
    filter: OutboxFilter,
    before: Option<OutboxId>,
    limit: u32,
) -> Result<OutboxListing, ReminderError> {
    db.read(|conn| {
        let page = outbox::list(conn, filter, before, limit)?;
        let entries = page
            .entries
            .into_iter()
            .map(|entry| {
                let about = about(conn, entry.reference.as_deref())?;
                Ok(ListedEmail { entry, about })
            })
            .collect::<Result<Vec<_>, ReminderError>>()?;
        Ok(OutboxListing {
            entries,
            next_before: page.next_before,
            needs_owner: page.needs_owner,
            summary: page.summary,
        })
    })
}

/// What an outbox `reference` names, as the books know it now: a reminder's receivable and its
/// customer (`receivable:42`), or a statement's customer (`statement:7`).
pub fn about(
    conn: &Connection,
    reference: Option<&str>,
) -> Result<Option<EmailAbout>, ReminderError> {
    let id_after = |prefix: &str| {
        reference
            .and_then(|r| r.strip_prefix(prefix))
            .and_then(|id| id.parse::<i64>().ok())
    };
    if let Some(receivable_id) = id_after(REMINDER_REFERENCE) {
        return Ok(conn
            .prepare_cached(
                "SELECT c.id, c.name, r.id, r.document_number
                 FROM receivables r JOIN customers c ON c.id = r.customer_id WHERE r.id = ?1",
            )?
            .query_row([receivable_id], |row| {
                Ok(EmailAbout {
                    customer_id: row.get(0)?,
                    customer_name: row.get(1)?,
                    receivable_id: row.get(2)?,
                    document_number: row.get(3)?,
                })
            })
            .optional()?);
    }
    if let Some(customer_id) = id_after(STATEMENT_REFERENCE) {
        return Ok(conn
            .prepare_cached("SELECT id, name FROM customers WHERE id = ?1")?
            .query_row([customer_id], |row| {
                Ok(EmailAbout {
                    customer_id: row.get(0)?,
                    customer_name: row.get(1)?,
                    receivable_id: None,
                    document_number: None,
                })
            })
            .optional()?);
    }
    Ok(None)
}

/// How many emails bounced or were marked as spam since the owner last looked at Bandeja de
/// salida: the main screens' banner.
pub fn bounce_alert(db: &Database) -> Result<i64, ReminderError> {
    db.read(|conn| {
        let seen = crate::settings::bounces_seen_at(conn)?;
        Ok(outbox::bounced_since(conn, seen.as_deref())?)
    })
}

/// The owner looked at Bandeja de salida: the banner counts from now.
pub fn bounces_seen(db: &Database) -> Result<(), ReminderError> {
    // The outbox's own timestamps, so the banner's comparison is text order = time order.
    Ok(crate::settings::set_bounces_seen_at(
        db,
        &outbox::now_text(),
    )?)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::outbox_page;
    use crate::books::customers::{self, CustomerForm};
    use crate::books::reading::Reading;
    use crate::books::receivables::{self, ReceivableForm};
    use crate::locale::Language;
    use crate::locale::Region;
    use crate::outbox::{self, OutboxFilter, OutboxId, QueuedEmail};
    use crate::Database;

    fn db() -> (tempfile::TempDir, Database) {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(&dir.path().join("db.sqlite3")).expect("db");
        (dir, db)
    }

    fn queue(db: &Database, reference: Option<&str>) -> OutboxId {
        let email = QueuedEmail {
            to: "ana@cliente.com".parse().expect("valid"),
            subject: "Recordatorio de pago".into(),
            text: "Hola Ana".into(),
            html: "<p>Hola Ana</p>".into(),
            reference: reference.map(str::to_owned),
            facts: None,
            attachments: Vec::new(),
        };
        db.write(|tx| outbox::enqueue(tx, email)).expect("queued")
    }

    #[test]
    fn each_email_says_which_customer_and_document_it_is_about() {
        let (_dir, db) = db();
        let reading = Reading {
            region: Region::EsVe,
            today: date!(2026 - 03 - 20),
        };
        let customer = customers::create(
            &db,
            CustomerForm {
                name: "Ferretería José Peña".into(),
                ..CustomerForm::default()
            },
            Language::Es,
        )
        .expect("customer");
        let receivable = receivables::create(
            &db,
            &ReceivableForm {
                customer_id: Some(customer.id),
                document_number: "F-0001".into(),
                concept: "Cemento".into(),
                currency: "USD".into(),
                amount: "100".into(),
                issue_date: "01/03/2026".into(),
                due_date: "31/03/2026".into(),
            },
            &reading,
        )
        .expect("receivable")
        .receivable;
        let reminder = queue(&db, Some(&format!("receivable:{}", receivable.id)));
        let statement = queue(&db, Some(&format!("statement:{}", customer.id)));
        let gone = queue(&db, Some("receivable:999"));
        let gone_customer = queue(&db, Some("statement:999"));
        let unknown = queue(&db, Some("something-else:1"));
        let none = queue(&db, None);

        let page = outbox_page(&db, OutboxFilter::All, None, 50).expect("page");
        let about = |id| {
            page.entries
                .iter()
                .find(|listed| listed.entry.id == id)
                .expect("listed")
                .about
                .clone()
        };
        let known = about(reminder).expect("about the receivable");
        assert_eq!(known.customer_id, customer.id);
        assert_eq!(known.customer_name, "Ferretería José Peña");
        assert_eq!(known.receivable_id, Some(receivable.id));
        assert_eq!(known.document_number.as_deref(), Some("F-0001"));
        let whole = about(statement).expect("about the customer");
        assert_eq!(whole.customer_id, customer.id);
        assert_eq!(whole.customer_name, "Ferretería José Peña");
        assert_eq!((whole.receivable_id, whole.document_number), (None, None));
        for id in [gone, gone_customer, unknown, none] {
            assert_eq!(about(id), None, "still listed, about nothing known");
        }
        // On the wire the entry's own fields stay where they were, beside `about`.
        let json = serde_json::to_value(&page.entries[5]).expect("json");
        assert_eq!(json["id"], reminder.0);
        assert_eq!(json["state"], "queued");
        assert_eq!(json["about"]["documentNumber"], "F-0001");
    }
}
