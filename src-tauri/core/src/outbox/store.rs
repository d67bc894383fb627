//! The `outbox` table: queueing in the caller's transaction, listing for the UI, the user's
//! actions (retry now, cancel), and the worker's claim-and-record steps. Every change that
//! matters to the UI returns the rows it touched so the caller can announce them.

use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use ts_rs::TS;

use super::state::{AfterAttempt, OutboxState, WaitReason};
use super::OutboxError;
use crate::mail::{EmailAddress, FailureClass, MailError, MailFailure, Provider};

/// An outbox row's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(type = "number")]
pub struct OutboxId(pub i64);

impl std::fmt::Display for OutboxId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A rendered email to queue: exactly what will be sent, however many retries it takes. The
/// sender is the configured one at sending time, so fixing it fixes retries too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedEmail {
    pub to: EmailAddress,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// What the email is about (`receivable:42`), for listing a record's emails.
    pub reference: Option<String>,
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
    #[ts(type = "number")]
    pub attempts: i64,
    #[ts(type = "number")]
    pub generation: i64,
    pub next_attempt_at: Option<String>,
    pub provider: Option<Provider>,
    pub provider_message_id: Option<String>,
    /// The last failure (kept while retrying; the reason when failed).
    pub error: Option<OutboxFailure>,
    pub created_at: String,
    pub updated_at: String,
    pub sent_at: Option<String>,
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
}

/// The longest subject kept (a subject is one line in every mail client).
const MAX_SUBJECT: usize = 998;
pub const MAX_PAGE: u32 = 200;

/// Queues `email` in the caller's transaction, so the caller's own record and the outbox row are
/// written together or not at all. Wake the worker after committing (`OutboxHandle::queued`).
pub fn enqueue(tx: &Transaction<'_>, email: QueuedEmail) -> Result<OutboxId, OutboxError> {
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
    tx.execute(
        "INSERT INTO outbox (reference, recipient, subject, text_body, html_body, next_attempt_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            email.reference,
            email.to.as_str(),
            email.subject,
            email.text,
            email.html,
            timestamp(OffsetDateTime::now_utc()),
        ],
    )?;
    Ok(OutboxId(tx.last_insert_rowid()))
}

const ENTRY_COLUMNS: &str =
    "id, reference, recipient, subject, state, reason, attempts, generation,
    next_attempt_at, provider, provider_message_id, error_code, error_message, error_details,
    created_at, updated_at, sent_at";

/// Newest first; `before` continues after the last id of the previous page.
pub fn list(
    conn: &Connection,
    before: Option<OutboxId>,
    limit: u32,
) -> Result<OutboxPage, OutboxError> {
    let limit = limit.clamp(1, MAX_PAGE);
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {ENTRY_COLUMNS} FROM outbox WHERE id < ?1 ORDER BY id DESC LIMIT ?2"
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
    })
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

/// "Reintentar ahora": a waiting row goes at once with the same Idempotency-Key; a failed row
/// starts over (attempts reset) under a new generation.
pub fn retry_now(tx: &Transaction<'_>, id: OutboxId) -> Result<OutboxEntry, OutboxError> {
    let state = current_state(tx, id)?;
    if !state.can_retry_now() {
        return Err(OutboxError::NotAllowed {
            id,
            state,
            action: "retried",
        });
    }
    let bump = state.retry_bumps_generation();
    tx.execute(
        "UPDATE outbox SET state = 'queued', reason = NULL, next_attempt_at = ?2,
             generation = generation + ?3,
             attempts = CASE WHEN ?3 THEN 0 ELSE attempts END,
             updated_at = ?2
         WHERE id = ?1",
        params![id.0, timestamp(OffsetDateTime::now_utc()), bump],
    )?;
    get(tx, id)
}

/// "Cancelar": never a sending row (it may already be at the provider) nor a sent one.
pub fn cancel(tx: &Transaction<'_>, id: OutboxId) -> Result<OutboxEntry, OutboxError> {
    let state = current_state(tx, id)?;
    if !state.can_cancel() {
        return Err(OutboxError::NotAllowed {
            id,
            state,
            action: "cancelled",
        });
    }
    tx.execute(
        "UPDATE outbox SET state = 'cancelled', reason = NULL, next_attempt_at = NULL,
             updated_at = ?2
         WHERE id = ?1",
        params![id.0, timestamp(OffsetDateTime::now_utc())],
    )?;
    get(tx, id)
}

/// At start-up: rows a crash left in `sending` are queued again at once. Their generation is
/// kept, so Resend recognises an email it already accepted and does not send it twice.
pub fn resume_interrupted(tx: &Transaction<'_>) -> Result<Vec<OutboxId>, OutboxError> {
    let ids = ids_where(tx, "state = 'sending'")?;
    tx.execute(
        "UPDATE outbox SET state = 'queued', reason = NULL, next_attempt_at = ?1, updated_at = ?1
         WHERE state = 'sending'",
        [timestamp(OffsetDateTime::now_utc())],
    )?;
    Ok(ids)
}

fn current_state(conn: &Connection, id: OutboxId) -> Result<OutboxState, OutboxError> {
    let code: String = conn
        .query_row("SELECT state FROM outbox WHERE id = ?1", [id.0], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or(OutboxError::NotFound(id))?;
    OutboxState::from_code(&code).ok_or_else(|| OutboxError::Corrupt {
        id,
        detail: format!("unknown state {code:?}"),
    })
}

fn ids_where(conn: &Connection, condition: &str) -> Result<Vec<OutboxId>, OutboxError> {
    let mut statement = conn.prepare(&format!("SELECT id FROM outbox WHERE {condition}"))?;
    let ids = statement
        .query_map([], |r| r.get(0).map(OutboxId))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ids)
}

// --- the worker's side ---------------------------------------------------------------------

/// A row the worker took for one attempt: everything needed to send it.
#[derive(Debug, Clone)]
pub(crate) struct Claimed {
    pub id: OutboxId,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
    pub attempts: u32,
    pub generation: i64,
}

impl Claimed {
    /// Resend's Idempotency-Key: the same for every automatic retry of this row.
    pub fn idempotency_key(&self) -> String {
        format!("{}-{}", self.id, self.generation)
    }
}

/// Takes up to `limit` due rows, oldest due first, and commits them as `sending` before any byte
/// leaves, so a crash during the send is found at start-up. The Message-ID is set once per row
/// (naming `domain`, the sender's) and kept for every retry; an empty `domain` sets none (rows
/// claimed only to record that the configuration cannot send).
pub(crate) fn claim_due(
    tx: &Transaction<'_>,
    domain: &str,
    limit: usize,
) -> Result<Vec<Claimed>, OutboxError> {
    let now = timestamp(OffsetDateTime::now_utc());
    // Select, then update by primary key: an UPDATE … WHERE id IN (SELECT … LIMIT n) that
    // rewrites the very index it scans costs SQLite about twice as much per claim.
    let ids = tx
        .prepare_cached(
            "SELECT id FROM outbox
             WHERE state IN ('queued', 'retrying') AND next_attempt_at <= ?1
             ORDER BY next_attempt_at, id LIMIT ?2",
        )?
        .query_map(params![now, limit as i64], |r| r.get::<_, i64>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut statement = tx.prepare_cached(
        "UPDATE outbox SET state = 'sending', updated_at = ?2,
             message_id = CASE WHEN ?3 = '' THEN message_id
                 ELSE coalesce(message_id, '<' || lower(hex(randomblob(16))) || '@' || ?3 || '>') END
         WHERE id = ?1
         RETURNING id, recipient, subject, text_body, html_body, message_id, attempts, generation",
    )?;
    let mut claimed = Vec::with_capacity(ids.len());
    for id in ids {
        claimed.push(statement.query_row(params![id, now, domain], |r| {
            Ok(Claimed {
                id: OutboxId(r.get(0)?),
                recipient: r.get(1)?,
                subject: r.get(2)?,
                text: r.get(3)?,
                html: r.get(4)?,
                message_id: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                attempts: r.get(6)?,
                generation: r.get(7)?,
            })
        })?);
    }
    claimed.sort_by_key(|c| c.id);
    Ok(claimed)
}

/// The next due row alone (see [`claim_due`]).
pub(crate) fn claim_next(
    tx: &Transaction<'_>,
    domain: &str,
) -> Result<Option<Claimed>, OutboxError> {
    Ok(claim_due(tx, domain, 1)?.into_iter().next())
}

/// Records an attempt's outcome on a row the worker holds in `sending`.
pub(crate) fn record(
    tx: &Transaction<'_>,
    id: OutboxId,
    provider: Provider,
    outcome: &AfterAttempt,
) -> Result<(), OutboxError> {
    let now = OffsetDateTime::now_utc();
    let now_text = timestamp(now);
    let counted = i64::from(outcome.counts_attempt());
    let state = outcome.state().code();
    match outcome {
        AfterAttempt::Sent(receipt) => tx
            .prepare_cached(
                "UPDATE outbox SET state = ?2, attempts = attempts + ?3, provider = ?4,
                 provider_message_id = ?5, sent_at = ?6, updated_at = ?6, reason = NULL,
                 next_attempt_at = NULL, error_code = NULL, error_message = NULL,
                 error_details = NULL
             WHERE id = ?1 AND state = 'sending'",
            )?
            .execute(params![
                id.0,
                state,
                counted,
                provider.code(),
                receipt.provider_message_id,
                now_text
            ])?,
        AfterAttempt::Retry { after, error } => tx
            .prepare_cached(
                "UPDATE outbox SET state = ?2, attempts = attempts + ?3, provider = ?4,
                 next_attempt_at = ?5, updated_at = ?6, reason = NULL,
                 error_code = ?7, error_message = ?8, error_details = ?9
             WHERE id = ?1 AND state = 'sending'",
            )?
            .execute(params![
                id.0,
                state,
                counted,
                provider.code(),
                timestamp(later(now, *after)),
                now_text,
                error.failure.code(),
                error.provider_message,
                details(error),
            ])?,
        AfterAttempt::Fail(error) => tx
            .prepare_cached(
                "UPDATE outbox SET state = ?2, attempts = attempts + ?3, provider = ?4,
                 next_attempt_at = NULL, updated_at = ?5, reason = NULL,
                 error_code = ?6, error_message = ?7, error_details = ?8
             WHERE id = ?1 AND state = 'sending'",
            )?
            .execute(params![
                id.0,
                state,
                counted,
                provider.code(),
                now_text,
                error.failure.code(),
                error.provider_message,
                details(error),
            ])?,
        AfterAttempt::Wait { after, reason } => tx
            .prepare_cached(
                "UPDATE outbox SET state = ?2, reason = ?3, next_attempt_at = ?4, updated_at = ?5
             WHERE id = ?1 AND state = 'sending'",
            )?
            .execute(params![
                id.0,
                state,
                reason.code(),
                timestamp(later(now, *after)),
                now_text
            ])?,
    };
    Ok(())
}

/// While the provider cannot be used (no network, nothing configured), every due queued row
/// shows why it waits and is looked at again after `after` — without counting an attempt.
pub(crate) fn park_due(
    tx: &Transaction<'_>,
    reason: WaitReason,
    after: Duration,
) -> Result<Vec<OutboxId>, OutboxError> {
    let now = OffsetDateTime::now_utc();
    let now_text = timestamp(now);
    let mut statement = tx.prepare(
        "UPDATE outbox SET state = 'queued', reason = ?1, next_attempt_at = ?2, updated_at = ?3
         WHERE state IN ('queued', 'retrying') AND next_attempt_at <= ?3
         RETURNING id",
    )?;
    let ids = statement
        .query_map(
            params![reason.code(), timestamp(later(now, after)), now_text],
            |r| r.get(0).map(OutboxId),
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ids)
}

/// After a configuration change: rows waiting for one are due at once.
pub(crate) fn wake_waiting(tx: &Transaction<'_>) -> Result<(), OutboxError> {
    tx.execute(
        "UPDATE outbox SET next_attempt_at = ?1
         WHERE state = 'queued' AND reason IS NOT NULL",
        [timestamp(OffsetDateTime::now_utc())],
    )?;
    Ok(())
}

/// Rows the worker claimed but did not start go back to `queued`, due now, untouched otherwise.
pub(crate) fn release(tx: &Transaction<'_>, ids: &[OutboxId]) -> Result<(), OutboxError> {
    let now = timestamp(OffsetDateTime::now_utc());
    let mut statement = tx.prepare_cached(
        "UPDATE outbox SET state = 'queued', next_attempt_at = ?2, updated_at = ?2
         WHERE id = ?1 AND state = 'sending'",
    )?;
    for id in ids {
        statement.execute(params![id.0, now])?;
    }
    Ok(())
}

/// How long until the next row is due (zero if one is due now), if any is waiting.
pub(crate) fn next_due_in(conn: &Connection) -> Result<Option<Duration>, OutboxError> {
    let next: Option<String> = conn.query_row(
        "SELECT min(next_attempt_at) FROM outbox WHERE state IN ('queued', 'retrying')",
        [],
        |r| r.get(0),
    )?;
    Ok(next.map(|text| {
        let at = parse_timestamp(&text).unwrap_or_else(OffsetDateTime::now_utc);
        let wait = at - OffsetDateTime::now_utc();
        Duration::try_from(wait).unwrap_or(Duration::ZERO)
    }))
}

fn details(error: &MailError) -> Option<String> {
    let mut details = serde_json::Map::new();
    if let Some(code) = &error.provider_code {
        details.insert("providerCode".into(), code.clone().into());
    }
    if let Some(wait) = error.retry_after {
        details.insert("retryAfterSecs".into(), wait.as_secs_f64().into());
    }
    (!details.is_empty()).then(|| serde_json::Value::Object(details).to_string())
}

fn later(now: OffsetDateTime, after: Duration) -> OffsetDateTime {
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

fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    time::PrimitiveDateTime::parse(text, TIMESTAMP)
        .ok()
        .map(time::PrimitiveDateTime::assume_utc)
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
        })
    }

    fn parse(self) -> Result<OutboxEntry, OutboxError> {
        let id = OutboxId(self.id);
        let corrupt = |detail: String| OutboxError::Corrupt { id, detail };
        let state = OutboxState::from_code(&self.state)
            .ok_or_else(|| corrupt(format!("unknown state {:?}", self.state)))?;
        let reason = self
            .reason
            .as_deref()
            .map(|r| {
                WaitReason::from_code(r).ok_or_else(|| corrupt(format!("unknown reason {r:?}")))
            })
            .transpose()?;
        let provider = self
            .provider
            .as_deref()
            .map(|p| {
                Provider::from_code(p).ok_or_else(|| corrupt(format!("unknown provider {p:?}")))
            })
            .transpose()?;
        let error = self
            .error_code
            .as_deref()
            .map(|code| {
                let failure = MailFailure::from_code(code)
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
        Ok(OutboxEntry {
            id,
            reference: self.reference,
            recipient: self.recipient,
            subject: self.subject,
            state,
            reason,
            attempts: self.attempts,
            generation: self.generation,
            next_attempt_at: self.next_attempt_at,
            provider,
            provider_message_id: self.provider_message_id,
            error,
            created_at: self.created_at,
            updated_at: self.updated_at,
            sent_at: self.sent_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::Receipt;
    use crate::Database;

    fn db() -> (tempfile::TempDir, Database) {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(&dir.path().join("db.sqlite3")).expect("db");
        (dir, db)
    }

    fn email(reference: Option<&str>) -> QueuedEmail {
        QueuedEmail {
            to: "ana@cliente.com".parse().expect("valid"),
            subject: "Recordatorio: factura 42".into(),
            text: "Hola Ana".into(),
            html: "<p>Hola Ana</p>".into(),
            reference: reference.map(str::to_owned),
        }
    }

    fn queue(db: &Database, reference: Option<&str>) -> OutboxId {
        db.write(|tx| enqueue(tx, email(reference)))
            .expect("queued")
    }

    fn claim(db: &Database) -> Claimed {
        db.write(|tx| claim_next(tx, "tienda.com"))
            .expect("claim")
            .expect("a due row")
    }

    fn state(db: &Database, id: OutboxId) -> OutboxEntry {
        db.read(|c| get(c, id)).expect("entry")
    }

    fn sent() -> AfterAttempt {
        AfterAttempt::Sent(Receipt {
            provider_message_id: "re_1".into(),
            provider_response: "id re_1".into(),
            rate_limit: None,
        })
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
    fn a_queued_email_is_stored_rendered_and_due_now() {
        let (_dir, db) = db();
        let id = queue(&db, Some("receivable:42"));
        let entry = state(&db, id);
        assert_eq!(entry.state, OutboxState::Queued);
        assert_eq!((entry.attempts, entry.generation), (0, 1));
        assert_eq!(entry.reference.as_deref(), Some("receivable:42"));
        let claimed = claim(&db);
        assert_eq!(claimed.id, id);
        assert_eq!(claimed.html, "<p>Hola Ana</p>");
        assert!(claimed.message_id.ends_with("@tienda.com>"));
        assert_eq!(claimed.idempotency_key(), format!("{id}-1"));
        assert_eq!(state(&db, id).state, OutboxState::Sending);
        assert!(
            db.write(|tx| claim_next(tx, "tienda.com"))
                .expect("claim")
                .is_none(),
            "a sending row is not claimed twice"
        );
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
        let page = db.read(|c| list(c, None, 10)).expect("list");
        assert!(page.entries.is_empty(), "nothing half-written");
    }

    #[test]
    fn the_message_id_is_set_once_and_kept_for_retries() {
        let (_dir, db) = db();
        let id = queue(&db, None);
        let first = claim(&db);
        let retry = AfterAttempt::Retry {
            after: Duration::ZERO,
            error: MailError::new(Provider::Smtp, MailFailure::ProviderUnavailable).code("421"),
        };
        db.write(|tx| record(tx, id, Provider::Smtp, &retry))
            .expect("record");
        let entry = state(&db, id);
        assert_eq!(entry.state, OutboxState::Retrying);
        assert_eq!(entry.attempts, 1);
        let error = entry.error.expect("error kept");
        assert_eq!(error.code, MailFailure::ProviderUnavailable);
        assert_eq!(error.provider_code.as_deref(), Some("421"));
        let second = claim(&db);
        assert_eq!(second.message_id, first.message_id);
        assert_eq!(second.idempotency_key(), first.idempotency_key());
        db.write(|tx| record(tx, id, Provider::Smtp, &sent()))
            .expect("record");
        let entry = state(&db, id);
        assert_eq!(entry.state, OutboxState::Sent);
        assert_eq!(entry.attempts, 2);
        assert_eq!(entry.provider_message_id.as_deref(), Some("re_1"));
        assert!(entry.error.is_none() && entry.sent_at.is_some());
    }

    #[test]
    fn waiting_offline_counts_no_attempt_and_parks_the_other_due_rows() {
        let (_dir, db) = db();
        let first = queue(&db, None);
        let second = queue(&db, None);
        claim(&db);
        let wait = AfterAttempt::Wait {
            after: Duration::from_secs(30),
            reason: WaitReason::Offline,
        };
        db.write(|tx| record(tx, first, Provider::Smtp, &wait))
            .expect("record");
        let parked = db
            .write(|tx| park_due(tx, WaitReason::Offline, Duration::from_secs(30)))
            .expect("park");
        assert_eq!(parked, vec![second]);
        for id in [first, second] {
            let entry = state(&db, id);
            assert_eq!(entry.state, OutboxState::Queued);
            assert_eq!(entry.reason, Some(WaitReason::Offline));
            assert_eq!(entry.attempts, 0);
        }
        assert!(db
            .write(|tx| claim_next(tx, "x.com"))
            .expect("claim")
            .is_none());
        let wait = db.read(next_due_in).expect("next").expect("some");
        assert!(wait > Duration::from_secs(25) && wait <= Duration::from_secs(30));
        db.write(wake_waiting).expect("wake");
        assert_eq!(db.read(next_due_in).expect("next"), Some(Duration::ZERO));
    }

    #[test]
    fn retrying_a_failed_row_starts_a_new_generation_but_a_waiting_one_keeps_its_key() {
        let (_dir, db) = db();
        let id = queue(&db, None);
        claim(&db);
        let retry = AfterAttempt::Retry {
            after: Duration::from_secs(600),
            error: MailError::new(Provider::Resend, MailFailure::ProviderUnavailable),
        };
        db.write(|tx| record(tx, id, Provider::Resend, &retry))
            .expect("record");
        let entry = db.write(|tx| retry_now(tx, id)).expect("retry now");
        assert_eq!(
            (entry.state, entry.generation, entry.attempts),
            (OutboxState::Queued, 1, 1)
        );

        claim(&db);
        let fail = AfterAttempt::Fail(MailError::new(Provider::Resend, MailFailure::AuthFailed));
        db.write(|tx| record(tx, id, Provider::Resend, &fail))
            .expect("record");
        let entry = state(&db, id);
        assert_eq!(entry.state, OutboxState::Failed);
        assert_eq!(entry.error.map(|e| e.code), Some(MailFailure::AuthFailed));
        let entry = db.write(|tx| retry_now(tx, id)).expect("retry failed");
        assert_eq!(
            (entry.state, entry.generation, entry.attempts),
            (OutboxState::Queued, 2, 0)
        );
        assert_eq!(claim(&db).idempotency_key(), format!("{id}-2"));
    }

    #[test]
    fn sending_and_sent_rows_cannot_be_cancelled_or_retried() {
        let (_dir, db) = db();
        let id = queue(&db, None);
        claim(&db);
        for result in [
            db.write(|tx| cancel(tx, id)),
            db.write(|tx| retry_now(tx, id)),
        ] {
            assert!(matches!(
                result,
                Err(OutboxError::NotAllowed {
                    state: OutboxState::Sending,
                    ..
                })
            ));
        }
        db.write(|tx| record(tx, id, Provider::Smtp, &sent()))
            .expect("record");
        assert!(matches!(
            db.write(|tx| cancel(tx, id)),
            Err(OutboxError::NotAllowed {
                state: OutboxState::Sent,
                ..
            })
        ));
        let other = queue(&db, None);
        let entry = db.write(|tx| cancel(tx, other)).expect("cancel");
        assert_eq!(entry.state, OutboxState::Cancelled);
        assert!(db
            .write(|tx| claim_next(tx, "x.com"))
            .expect("claim")
            .is_none());
        assert!(matches!(
            db.write(|tx| cancel(tx, OutboxId(999))),
            Err(OutboxError::NotFound(OutboxId(999)))
        ));
    }

    #[test]
    fn rows_left_sending_by_a_crash_are_resumed_with_their_key() {
        let (_dir, db) = db();
        let id = queue(&db, None);
        let before = claim(&db);
        let resumed = db.write(resume_interrupted).expect("resume");
        assert_eq!(resumed, vec![id]);
        let entry = state(&db, id);
        assert_eq!(entry.state, OutboxState::Queued);
        assert_eq!(claim(&db).idempotency_key(), before.idempotency_key());
    }

    #[test]
    fn rows_claimed_ahead_go_back_untouched_when_released() {
        let (_dir, db) = db();
        let first = queue(&db, None);
        let second = queue(&db, None);
        let claimed = db
            .write(|tx| claim_due(tx, "tienda.com", 5))
            .expect("claim");
        assert_eq!(
            claimed.iter().map(|c| c.id).collect::<Vec<_>>(),
            vec![first, second]
        );
        db.write(|tx| release(tx, &[first, second]))
            .expect("release");
        for (id, before) in [(first, &claimed[0]), (second, &claimed[1])] {
            let entry = state(&db, id);
            assert_eq!((entry.state, entry.attempts), (OutboxState::Queued, 0));
            let again = db
                .write(|tx| claim_due(tx, "otra.com", 5))
                .expect("claim")
                .into_iter()
                .find(|c| c.id == id)
                .expect("claimable again");
            assert_eq!(
                again.message_id, before.message_id,
                "the Message-ID is kept"
            );
            assert_eq!(again.idempotency_key(), before.idempotency_key());
            db.write(|tx| release(tx, &[first, second]))
                .expect("release");
        }
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
        let first = db.read(|c| list(c, None, 2)).expect("page");
        assert_eq!(
            first.entries.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![ids[4], ids[3]]
        );
        let second = db.read(|c| list(c, first.next_before, 2)).expect("page");
        assert_eq!(
            second.entries.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![ids[2], ids[1]]
        );
        let last = db.read(|c| list(c, second.next_before, 2)).expect("page");
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
    }
}
