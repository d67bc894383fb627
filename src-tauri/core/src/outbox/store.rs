//! The `outbox` table: queueing in the caller's transaction, reading rows for the UI, and the
//! timestamps every step writes. The owner's actions live in `actions`, the worker's claim and
//! record steps in `claim`.

use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
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

const ENTRY_COLUMNS: &str =
    "id, reference, recipient, subject, state, reason, attempts, generation,
    next_attempt_at, provider, provider_message_id, error_code, error_message, error_details,
    created_at, updated_at, sent_at,
    (SELECT json_group_array(file_name ORDER BY position, id) FROM outbox_attachments
     WHERE outbox_id = outbox.id),
    delivery, delivery_reason, delivery_at";

/// Newest first; `before` continues after the last id of the previous page.
pub fn list(
    conn: &Connection,
    filter: OutboxFilter,
    before: Option<OutboxId>,
    limit: u32,
) -> Result<OutboxPage, OutboxError> {
    let limit = limit.clamp(1, MAX_PAGE);
    let condition = super::summary::condition(filter);
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {ENTRY_COLUMNS} FROM outbox WHERE id < ?1 AND {condition}
         ORDER BY id DESC LIMIT ?2"
    ))?;
    let entries = statement
        .query_map(
            params![before.map_or(i64::MAX, |b| b.0), limit],
            RawEntry::read,
        )?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(RawEntry::parse)
        .collect::<Result<Vec<_>, _>>()?;
    let next_before = (entries.len() == limit as usize)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    Ok(OutboxPage {
        entries,
        next_before,
        needs_owner: needs_owner(conn)?,
        summary: super::summary::summary(conn)?,
    })
}

/// How many rows wait for the owner.
pub fn needs_owner(conn: &Connection) -> Result<i64, OutboxError> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM outbox WHERE state IN ('held', 'uncertain')")?
        .query_row([], |r| r.get(0))?)
}

/// Every email about one record (`receivable:42`), newest first.
pub fn list_by_reference(
    conn: &Connection,
    reference: &str,
) -> Result<Vec<OutboxEntry>, OutboxError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {ENTRY_COLUMNS} FROM outbox WHERE reference = ?1 ORDER BY id DESC"
    ))?;
    let raw = statement
        .query_map([reference], RawEntry::read)?
        .collect::<Result<Vec<_>, _>>()?;
    raw.into_iter().map(RawEntry::parse).collect()
}

pub fn get(conn: &Connection, id: OutboxId) -> Result<OutboxEntry, OutboxError> {
    conn.query_row(
        &format!("SELECT {ENTRY_COLUMNS} FROM outbox WHERE id = ?1"),
        [id.0],
        RawEntry::read,
    )
    .optional()?
    .ok_or(OutboxError::NotFound(id))?
    .parse()
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

pub(crate) fn now_text() -> String {
    timestamp(OffsetDateTime::now_utc())
}

struct RawEntry {
    id: i64,
    reference: Option<String>,
    recipient: String,
    subject: String,
    state: String,
    reason: Option<String>,
    attempts: i64,
    generation: i64,
    next_attempt_at: Option<String>,
    provider: Option<String>,
    provider_message_id: Option<String>,
    error_code: Option<String>,
    error_message: Option<String>,
    error_details: Option<String>,
    created_at: String,
    updated_at: String,
    sent_at: Option<String>,
    /// A JSON array of file names.
    attachments: String,
    delivery: Option<String>,
    delivery_reason: Option<String>,
    delivery_at: Option<String>,
}

impl RawEntry {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            reference: row.get(1)?,
            recipient: row.get(2)?,
            subject: row.get(3)?,
            state: row.get(4)?,
            reason: row.get(5)?,
            attempts: row.get(6)?,
            generation: row.get(7)?,
            next_attempt_at: row.get(8)?,
            provider: row.get(9)?,
            provider_message_id: row.get(10)?,
            error_code: row.get(11)?,
            error_message: row.get(12)?,
            error_details: row.get(13)?,
            created_at: row.get(14)?,
            updated_at: row.get(15)?,
            sent_at: row.get(16)?,
            attachments: row.get(17)?,
            delivery: row.get(18)?,
            delivery_reason: row.get(19)?,
            delivery_at: row.get(20)?,
        })
    }

    /// An unknown stored value is corruption, never a guess: a row that says it is cancelled
    /// for a reason this build does not know is not shown as waiting.
    fn parse(self) -> Result<OutboxEntry, OutboxError> {
        let id = OutboxId(self.id);
        let corrupt = |detail: String| OutboxError::Corrupt { id, detail };
        let state = wire::from_code::<OutboxState>(&self.state)
            .ok_or_else(|| corrupt(format!("unknown state {:?}", self.state)))?;
        let reason_as = |kind: &str| -> Result<Option<String>, OutboxError> {
            match &self.reason {
                Some(reason) if reason.is_empty() => Err(corrupt(format!("empty {kind} reason"))),
                other => Ok(other.clone()),
            }
        };
        let (mut reason, mut cancelled, mut held, mut confirmed_by_owner) =
            (None, None, None, false);
        match state {
            OutboxState::Queued => {
                reason = reason_as("wait")?
                    .map(|r| {
                        wire::from_code::<WaitReason>(&r)
                            .ok_or_else(|| corrupt(format!("unknown wait reason {r:?}")))
                    })
                    .transpose()?;
            }
            OutboxState::Cancelled => {
                // Rows cancelled before reasons existed were cancelled by the owner.
                let code = reason_as("cancel")?.unwrap_or_else(|| wire::code(&CancelReason::Owner));
                cancelled = Some(
                    wire::from_code::<CancelReason>(&code)
                        .ok_or_else(|| corrupt(format!("unknown cancel reason {code:?}")))?,
                );
            }
            OutboxState::Held => {
                let code = reason_as("hold")?
                    .ok_or_else(|| corrupt("a held row without a reason".into()))?;
                held = Some(
                    wire::from_code::<HoldReason>(&code)
                        .ok_or_else(|| corrupt(format!("unknown hold reason {code:?}")))?,
                );
            }
            OutboxState::Sent => {
                confirmed_by_owner = self.reason.as_deref() == Some(OWNER_CONFIRMED);
            }
            OutboxState::Sending
            | OutboxState::Retrying
            | OutboxState::Failed
            | OutboxState::Uncertain => {}
        }
        let provider = self
            .provider
            .as_deref()
            .map(|p| {
                wire::from_code::<Provider>(p)
                    .ok_or_else(|| corrupt(format!("unknown provider {p:?}")))
            })
            .transpose()?;
        let error = self
            .error_code
            .as_deref()
            .map(|code| {
                let failure = wire::from_code::<MailFailure>(code)
                    .ok_or_else(|| corrupt(format!("unknown error code {code:?}")))?;
                let details: serde_json::Value = self
                    .error_details
                    .as_deref()
                    .and_then(|d| serde_json::from_str(d).ok())
                    .unwrap_or_default();
                Ok::<_, OutboxError>(OutboxFailure {
                    code: failure,
                    class: failure.class(),
                    provider_code: details["providerCode"].as_str().map(str::to_owned),
                    message: self.error_message.clone(),
                })
            })
            .transpose()?;
        let delivery = self
            .delivery
            .as_deref()
            .map(|code| {
                let state = wire::from_code::<DeliveryState>(code)
                    .ok_or_else(|| corrupt(format!("unknown delivery state {code:?}")))?;
                Ok::<_, OutboxError>(Delivery {
                    state,
                    reason: self.delivery_reason.clone(),
                    at: self.delivery_at.clone(),
                })
            })
            .transpose()?;
        let attachments = serde_json::from_str(&self.attachments)
            .map_err(|_| corrupt(format!("unreadable file names {:?}", self.attachments)))?;
        Ok(OutboxEntry {
            id,
            reference: self.reference,
            recipient: self.recipient,
            subject: self.subject,
            state,
            reason,
            cancelled,
            held,
            confirmed_by_owner,
            attempts: self.attempts,
            generation: self.generation,
            next_attempt_at: self.next_attempt_at,
            provider,
            provider_message_id: self.provider_message_id,
            error,
            created_at: self.created_at,
            updated_at: self.updated_at,
            sent_at: self.sent_at,
            attachments,
            delivery,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
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

    #[test]
    fn an_unknown_stored_value_is_corruption_not_a_guess() {
        let (_dir, db) = db();
        let id = queue(&db, None);
        db.write(|tx| {
            tx.execute(
                "UPDATE outbox SET state = 'cancelled', reason = 'bored' WHERE id = ?1",
                [id.0],
            )
        })
        .expect("write");
        let err = db.read(|c| get(c, id)).expect_err("corrupt");
        assert!(matches!(err, OutboxError::Corrupt { .. }), "{err:?}");
    }

    #[test]
    fn lists_are_newest_first_paged_and_by_reference() {
        let (_dir, db) = db();
        let ids: Vec<OutboxId> = (0..5)
            .map(|i| {
                queue(
                    &db,
                    Some(if i % 2 == 0 {
                        "receivable:1"
                    } else {
                        "receivable:2"
                    }),
                )
            })
            .collect();
        let first = db
            .read(|c| list(c, OutboxFilter::All, None, 2))
            .expect("page");
        assert_eq!(
            first.entries.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![ids[4], ids[3]]
        );
        let second = db
            .read(|c| list(c, OutboxFilter::All, first.next_before, 2))
            .expect("page");
        assert_eq!(
            second.entries.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![ids[2], ids[1]]
        );
        let last = db
            .read(|c| list(c, OutboxFilter::All, second.next_before, 2))
            .expect("page");
        assert_eq!(last.entries.len(), 1);
        assert_eq!(last.next_before, None);
        let mine = db
            .read(|c| list_by_reference(c, "receivable:2"))
            .expect("by ref");
        assert_eq!(
            mine.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![ids[3], ids[1]]
        );
        let json = serde_json::to_value(&mine[0]).expect("json");
        assert_eq!(json["state"], "queued");
        assert_eq!(json["id"], ids[3].0);
        assert!(json.get("nextAttemptAt").is_some(), "camelCase: {json}");
        db.write(|tx| {
            tx.execute(
                "UPDATE outbox SET state = 'held', reason = 'restored' WHERE id = ?1",
                [ids[1].0],
            )
        })
        .expect("hold");
        let owner = db
            .read(|c| list(c, OutboxFilter::NeedsOwner, None, 10))
            .expect("needs owner");
        assert_eq!(
            owner.entries.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![ids[1]]
        );
        assert_eq!(owner.needs_owner, 1);
        assert_eq!(owner.entries[0].held, Some(HoldReason::Restored));
    }
}
