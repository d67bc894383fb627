//! The `outbox` table: its rows as the window sees them, queueing in the caller's transaction,
//! and the timestamps every step writes. Reading rows for the window lives in `entries`, the
//! owner's actions in `actions`, the worker's claim and record steps in `claim`.

use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use ts_rs::TS;

use super::delivery::DeliveryState;
use super::state::{CancelReason, HoldReason, OutboxState, WaitReason};
use super::summary::OutboxSummary;
use super::OutboxError;
use crate::mail::{Attachment, EmailAddress, FailureClass, MailError, MailFailure, Provider};
use crate::wire;

/// An outbox row's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(type = "number")]
pub struct OutboxId(pub i64);

impl std::fmt::Display for OutboxId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A rendered email to queue: exactly what will be sent, however many retries it takes, unless
/// the send check finds the facts changed and renders it anew. The sender is the configured one
/// at sending time, so fixing it fixes retries too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedEmail {
    pub to: EmailAddress,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// What the email is about (`receivable:42`), for listing and checking a record's emails.
    pub reference: Option<String>,
    /// What the message states (JSON), for the send check to compare with the books. The outbox
    /// stores it and never reads it.
    pub facts: Option<String>,
    /// Files sent beside the message (a statement's PDF), stored with it.
    pub attachments: Vec<Attachment>,
}

/// One row as the UI lists it (without the bodies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub id: OutboxId,
    pub reference: Option<String>,
    pub recipient: String,
    pub subject: String,
    pub state: OutboxState,
    /// Why a queued email waits ("Sin conexión: se enviará automáticamente").
    pub reason: Option<WaitReason>,
    /// Why a cancelled email will never go ("Cancelado: la cuenta ya está pagada").
    pub cancelled: Option<CancelReason>,
    /// Why an email waits for the owner ("Por revisar: copia restaurada").
    pub held: Option<HoldReason>,
    /// A sent row the owner marked as sent after an uncertain outcome.
    pub confirmed_by_owner: bool,
    #[ts(type = "number")]
    pub attempts: i64,
    #[ts(type = "number")]
    pub generation: i64,
    pub next_attempt_at: Option<String>,
    pub provider: Option<Provider>,
    pub provider_message_id: Option<String>,
    /// The last failure (kept while retrying; the reason when failed or uncertain).
    pub error: Option<OutboxFailure>,
    pub created_at: String,
    pub updated_at: String,
    pub sent_at: Option<String>,
    /// The names of the files it carries, in order (a statement's PDF): the lists say so.
    pub attachments: Vec<String>,
    /// What the provider said happened after it accepted the email (None: nothing known yet,
    /// or SMTP, where no delivery report exists).
    pub delivery: Option<Delivery>,
}

/// What happened to a sent email after the provider accepted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub state: DeliveryState,
    /// The provider's own words for a bounce or complaint, when it gives them.
    pub reason: Option<String>,
    /// When the app learnt it.
    pub at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutboxFailure {
    pub code: MailFailure,
    pub class: FailureClass,
    /// The provider's own code and words, for "Detalles".
    pub provider_code: Option<String>,
    pub message: Option<String>,
}

/// A page of the outbox, newest first; pass `next_before` to get the next one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutboxPage {
    pub entries: Vec<OutboxEntry>,
    pub next_before: Option<OutboxId>,
    /// How many rows wait for the owner (held or uncertain), whatever the page.
    #[ts(type = "number")]
    pub needs_owner: i64,
    /// The last 7 days at a glance, whatever the filter.
    pub summary: OutboxSummary,
}

/// Which rows Bandeja de salida lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OutboxFilter {
    #[default]
    All,
    /// Held or uncertain: what only the owner can resolve.
    NeedsOwner,
    /// The Resumen's filters, over the last 7 days (`summary`).
    Delivered,
    Delayed,
    Bounced,
    Complained,
    Failed,
    Queued,
}

/// The reason stored for a sent row the owner confirmed.
pub(crate) const OWNER_CONFIRMED: &str = "owner_confirmed";

/// The longest subject kept (a subject is one line in every mail client).
const MAX_SUBJECT: usize = 998;
pub const MAX_PAGE: u32 = 200;

/// Refuses a message the outbox could not send as it is.
pub(crate) fn check_email(email: &QueuedEmail) -> Result<(), OutboxError> {
    if email.subject.trim().is_empty() {
        return Err(OutboxError::Invalid("the subject is empty"));
    }
    if email.subject.len() > MAX_SUBJECT || email.subject.contains(['\r', '\n']) {
        return Err(OutboxError::Invalid(
            "the subject is not a single short line",
        ));
    }
    if email.text.trim().is_empty() || email.html.trim().is_empty() {
        return Err(OutboxError::Invalid(
            "both the text and the HTML body are needed",
        ));
    }
    super::attachments::check(&email.attachments)
}

/// Queues `email` in the caller's transaction, so the caller's own record and the outbox row are
/// written together or not at all. Each row gets a random UUID: its Idempotency-Key and
/// Message-ID derive from it, so no other database, install or restored copy can reuse them.
/// Wake the worker after committing (`OutboxHandle::queued`).
pub fn enqueue(tx: &Transaction<'_>, email: QueuedEmail) -> Result<OutboxId, OutboxError> {
    check_email(&email)?;
    tx.execute(
        "INSERT INTO outbox (uuid, reference, facts, recipient, subject, text_body, html_body,
                             next_attempt_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            uuid::Uuid::new_v4().to_string(),
            email.reference,
            email.facts,
            email.to.as_str(),
            email.subject,
            email.text,
            email.html,
            timestamp(OffsetDateTime::now_utc()),
        ],
    )?;
    let id = OutboxId(tx.last_insert_rowid());
    if !email.attachments.is_empty() {
        super::attachments::replace(tx, id, &email.attachments)?;
    }
    Ok(id)
}

pub(crate) fn current_state(conn: &Connection, id: OutboxId) -> Result<OutboxState, OutboxError> {
    let code: String = conn
        .query_row("SELECT state FROM outbox WHERE id = ?1", [id.0], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or(OutboxError::NotFound(id))?;
    wire::from_code::<OutboxState>(&code).ok_or_else(|| OutboxError::Corrupt {
        id,
        detail: format!("unknown state {code:?}"),
    })
}

pub(crate) fn ids_where(
    conn: &Connection,
    condition: &str,
    values: impl rusqlite::Params,
) -> Result<Vec<OutboxId>, OutboxError> {
    let mut statement = conn.prepare(&format!(
        "SELECT id FROM outbox WHERE {condition} ORDER BY id"
    ))?;
    let ids = statement
        .query_map(values, |r| r.get(0).map(OutboxId))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ids)
}

pub(crate) fn details(error: &MailError) -> Option<String> {
    let mut details = serde_json::Map::new();
    if let Some(code) = &error.provider_code {
        details.insert("providerCode".into(), code.clone().into());
    }
    if let Some(wait) = error.retry_after {
        details.insert("retryAfterSecs".into(), wait.as_secs_f64().into());
    }
    (!details.is_empty()).then(|| serde_json::Value::Object(details).to_string())
}

pub(crate) fn later(now: OffsetDateTime, after: Duration) -> OffsetDateTime {
    now.checked_add(time::Duration::try_from(after).unwrap_or(time::Duration::DAY))
        .unwrap_or(now)
}

const TIMESTAMP: &[time::format_description::FormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
);

/// The same shape as SQLite's `strftime('%Y-%m-%dT%H:%M:%fZ')`, so text order is time order.
pub(crate) fn timestamp(at: OffsetDateTime) -> String {
    at.format(TIMESTAMP).unwrap_or_default()
}

pub(crate) fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    time::PrimitiveDateTime::parse(text, TIMESTAMP)
        .ok()
        .map(time::PrimitiveDateTime::assume_utc)
}

/// How long until a stored time (zero once it has passed; an unreadable one is due now).
pub(crate) fn due_in(text: &str) -> Duration {
    let at = parse_timestamp(text).unwrap_or_else(OffsetDateTime::now_utc);
    Duration::try_from(at - OffsetDateTime::now_utc()).unwrap_or(Duration::ZERO)
}

pub(crate) fn now_text() -> String {
    timestamp(OffsetDateTime::now_utc())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::outbox::entries::{get, list};
    use crate::Database;

    pub(crate) fn db() -> (tempfile::TempDir, Database) {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(&dir.path().join("db.sqlite3")).expect("db");
        (dir, db)
    }

    pub(crate) fn email(reference: Option<&str>) -> QueuedEmail {
        QueuedEmail {
            to: "ana@cliente.com".parse().expect("valid"),
            subject: "Recordatorio: factura 42".into(),
            text: "Hola Ana".into(),
            html: "<p>Hola Ana</p>".into(),
            reference: reference.map(str::to_owned),
            facts: None,
            attachments: Vec::new(),
        }
    }

    pub(crate) fn queue(db: &Database, reference: Option<&str>) -> OutboxId {
        db.write(|tx| enqueue(tx, email(reference)))
            .expect("queued")
    }

    pub(crate) fn state(db: &Database, id: OutboxId) -> OutboxEntry {
        db.read(|c| get(c, id)).expect("entry")
    }

    #[test]
    fn timestamps_sort_like_sqlite_writes_them() {
        let (_dir, db) = db();
        let sqlite: String = db
            .read(|c| {
                c.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", [], |r| {
                    r.get(0)
                })
            })
            .expect("now");
        let ours = timestamp(OffsetDateTime::now_utc());
        assert_eq!(ours.len(), sqlite.len(), "{ours} vs {sqlite}");
        assert!(ours >= sqlite);
        assert_eq!(parse_timestamp(&ours).map(timestamp), Some(ours));
    }

    #[test]
    fn every_row_gets_its_own_random_uuid() {
        let (_dir, db) = db();
        let first = queue(&db, None);
        let second = queue(&db, None);
        let uuids: Vec<String> = db
            .read(|c| {
                c.prepare("SELECT uuid FROM outbox WHERE id IN (?1, ?2)")?
                    .query_map([first.0, second.0], |r| r.get(0))?
                    .collect::<Result<_, _>>()
            })
            .expect("uuids");
        assert_eq!(uuids.len(), 2);
        assert_ne!(uuids[0], uuids[1]);
        for uuid in uuids {
            let parsed = uuid::Uuid::parse_str(&uuid).expect("a uuid");
            assert_eq!(parsed.get_version_num(), 4);
        }
    }

    #[test]
    fn a_bad_email_is_refused_and_the_callers_transaction_can_roll_back() {
        let (_dir, db) = db();
        let bad = QueuedEmail {
            subject: "two\nlines".into(),
            ..email(None)
        };
        let err = db.write(|tx| enqueue(tx, bad)).expect_err("refused");
        assert!(matches!(err, OutboxError::Invalid(_)), "{err:?}");
        let empty = QueuedEmail {
            html: " ".into(),
            ..email(None)
        };
        assert!(db.write(|tx| enqueue(tx, empty)).is_err());
        let result: Result<(), OutboxError> = db.write(|tx| {
            enqueue(tx, email(None))?;
            Err(OutboxError::Invalid("the caller's own record failed"))
        });
        assert!(result.is_err());
        let page = db
            .read(|c| list(c, OutboxFilter::All, None, 10))
            .expect("list");
        assert!(page.entries.is_empty(), "nothing half-written");
    }
}
