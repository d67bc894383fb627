//! Reading the `outbox` table for the window: pages of rows newest first, a record's emails,
//! one row, and how many wait for the owner. Every row is parsed strictly: a stored value this
//! build does not know is corruption, never shown as something else. Writing lives in `store`
//! (queueing), `actions` and `claim`.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::delivery::DeliveryState;
use super::state::{CancelReason, HoldReason, OutboxState, WaitReason};
use super::store::{Delivery, OutboxEntry, OutboxFailure, OutboxFilter, OutboxId, OutboxPage};
use super::store::{MAX_PAGE, OWNER_CONFIRMED};
use super::OutboxError;
use crate::mail::{MailFailure, Provider};
use crate::wire;

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
mod tests {
    use super::*;
    use crate::outbox::store::tests::{db, queue};

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
