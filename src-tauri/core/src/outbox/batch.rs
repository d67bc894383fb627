//! Bulk work through a provider's batch endpoint, with the single send's guarantees.
//!
//! A batch is formed from due rows that passed the send check (Resend's takes no attachments,
//! so rows with files go one by one there), and its members, the exact request body and its key
//! are committed — the members `sending` — before the request leaves. A retry of the batch sends
//! the stored bytes under the same key (Resend answers it from memory; a changed payload would be
//! a 409), and only while every member is still waiting and still passes the check: otherwise the
//! batch is dissolved, its waiting members go one by one, and any that may already have arrived
//! becomes uncertain instead (a single send's key is not the batch's).

use rusqlite::{params, OptionalExtension, Transaction};
use time::OffsetDateTime;

use super::claim::{cancel_for, hold, mark_sending, rewrite, verdict, Claimed, Sending};
use super::gate::{GateQuestion, SendGate, Verdict};
use super::handle::OutboxChanged;
use super::state::OutboxState;
use super::store::{timestamp, OutboxId};
use super::OutboxError;
use crate::wire;

/// A row as the send check is asked about it: id, reference, facts, recipient.
type Candidate = (OutboxId, Option<String>, Option<String>, String);

/// A batch the worker took for one attempt.
#[derive(Debug, Clone)]
pub(crate) struct ClaimedBatch {
    pub uuid: String,
    pub payload: String,
    /// In the payload's order.
    pub members: Vec<Claimed>,
}

/// Marks rows queued in the caller's transaction as bulk work, which may travel in a batch
/// (statements to many customers). A row not marked always goes alone.
pub fn allow_batch(tx: &Transaction<'_>, ids: &[OutboxId]) -> Result<(), OutboxError> {
    let mut mark = tx.prepare_cached("UPDATE outbox SET batchable = 1 WHERE id = ?1")?;
    for id in ids {
        mark.execute([id.0])?;
    }
    Ok(())
}

/// What a batch claim did: the batch to send (if any), and rows the send check changed.
#[derive(Debug, Default)]
pub(crate) struct BatchClaim {
    pub batch: Option<ClaimedBatch>,
    pub changed: Vec<OutboxChanged>,
}

/// Takes the next due batch to retry, or forms a new one of up to `limit` due rows (at least
/// two: one row goes as a single send). `payload` turns the claimed rows into the request body.
pub(crate) fn claim_batch(
    tx: &Transaction<'_>,
    gate: &dyn SendGate,
    sending: Sending<'_>,
    limit: usize,
    with_attachments: bool,
    payload: &dyn Fn(&[Claimed]) -> Option<String>,
) -> Result<BatchClaim, OutboxError> {
    let now_text = timestamp(OffsetDateTime::now_utc());
    let mut claim = BatchClaim::default();
    if let Some(batch) = retry_due(tx, gate, sending, &now_text, &mut claim.changed)? {
        claim.batch = Some(batch);
        return Ok(claim);
    }
    let candidates: Vec<Candidate> = tx
        .prepare_cached(
            "SELECT id, reference, facts, recipient FROM outbox
             WHERE state IN ('queued', 'retrying') AND batchable = 1 AND batch_id IS NULL
               AND maybe_delivered_at IS NULL AND next_attempt_at <= ?1
               AND (?3 OR NOT EXISTS (SELECT 1 FROM outbox_attachments a
                                      WHERE a.outbox_id = outbox.id))
             ORDER BY next_attempt_at, id LIMIT ?2",
        )?
        .query_map(params![now_text, limit as i64, with_attachments], |r| {
            Ok((OutboxId(r.get(0)?), r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    if candidates.len() < 2 {
        return Ok(claim);
    }
    let mut passing = Vec::new();
    for (id, reference, facts, recipient) in candidates {
        let question = GateQuestion {
            reference: reference.as_deref(),
            facts: facts.as_deref(),
            recipient: &recipient,
        };
        match verdict(tx, gate, id, &question) {
            Verdict::Send => passing.push(id),
            Verdict::Rewrite(email) => {
                rewrite(tx, id, &email, &now_text)?;
                passing.push(id);
            }
            Verdict::Cancel(reason) => {
                cancel_for(tx, id, reason, &now_text)?;
                claim.changed.push(OutboxChanged {
                    id,
                    state: OutboxState::Cancelled,
                });
            }
            Verdict::Hold(reason) => {
                hold(tx, id, reason, &now_text)?;
                claim.changed.push(OutboxChanged {
                    id,
                    state: OutboxState::Held,
                });
            }
        }
    }
    if passing.len() < 2 {
        return Ok(claim);
    }
    let members = passing
        .into_iter()
        .map(|id| mark_sending(tx, id, sending, &now_text))
        .collect::<Result<Vec<_>, _>>()?;
    let body = payload(&members).ok_or(OutboxError::Invalid("the batch could not be written"))?;
    let uuid = uuid::Uuid::new_v4().to_string();
    tx.execute(
        "INSERT INTO outbox_batches (uuid, provider, payload, members) VALUES (?1, ?2, ?3, ?4)",
        params![
            uuid,
            wire::code(&sending.provider),
            body,
            members.len() as i64
        ],
    )?;
    let batch_id = tx.last_insert_rowid();
    let mut join =
        tx.prepare_cached("UPDATE outbox SET batch_id = ?2, batch_position = ?3 WHERE id = ?1")?;
    for (position, member) in members.iter().enumerate() {
        join.execute(params![member.id.0, batch_id, position as i64])?;
    }
    claim.batch = Some(ClaimedBatch {
        uuid,
        payload: body,
        members,
    });
    Ok(claim)
}

/// A batch whose members wait for a retry: sent again as stored when every member is waiting
/// and still passes the check, through the provider it was made for; dissolved otherwise.
fn retry_due(
    tx: &Transaction<'_>,
    gate: &dyn SendGate,
    sending: Sending<'_>,
    now_text: &str,
    changed: &mut Vec<OutboxChanged>,
) -> Result<Option<ClaimedBatch>, OutboxError> {
    loop {
        let due: Option<i64> = tx
            .prepare_cached(
                "SELECT batch_id FROM outbox
                 WHERE batch_id IS NOT NULL AND state IN ('queued', 'retrying')
                   AND next_attempt_at <= ?1
                 ORDER BY next_attempt_at, id LIMIT 1",
            )?
            .query_row([now_text], |r| r.get(0))
            .optional()?;
        let Some(batch_id) = due else {
            return Ok(None);
        };
        let (uuid, provider, payload, count): (String, String, String, i64) = tx.query_row(
            "SELECT uuid, provider, payload, members FROM outbox_batches WHERE id = ?1",
            [batch_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let members: Vec<(OutboxState, Candidate)> = tx
            .prepare_cached(
                "SELECT state, id, reference, facts, recipient FROM outbox
                 WHERE batch_id = ?1 ORDER BY batch_position",
            )?
            .query_map([batch_id], |r| {
                Ok((
                    wire::column(r, 0)?,
                    (OutboxId(r.get(1)?), r.get(2)?, r.get(3)?, r.get(4)?),
                ))
            })?
            .collect::<Result<_, _>>()?;
        let all_waiting = members.len() as i64 == count
            && members
                .iter()
                .all(|(state, _)| matches!(state, OutboxState::Queued | OutboxState::Retrying));
        let same_provider = provider == wire::code(&sending.provider);
        let still_true = all_waiting
            && same_provider
            && members
                .iter()
                .all(|(_, (id, reference, facts, recipient))| {
                    let question = GateQuestion {
                        reference: reference.as_deref(),
                        facts: facts.as_deref(),
                        recipient,
                    };
                    verdict(tx, gate, *id, &question) == Verdict::Send
                });
        if still_true {
            let members = members
                .iter()
                .map(|(_, (id, ..))| mark_sending(tx, *id, sending, now_text))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Some(ClaimedBatch {
                uuid,
                payload,
                members,
            }));
        }
        dissolve(tx, batch_id, now_text, changed)?;
    }
}

/// Its waiting members go one by one; one that may already have arrived is uncertain.
fn dissolve(
    tx: &Transaction<'_>,
    batch_id: i64,
    now_text: &str,
    changed: &mut Vec<OutboxChanged>,
) -> Result<(), OutboxError> {
    let uncertain: Vec<OutboxId> = tx
        .prepare_cached(
            "UPDATE outbox SET state = 'uncertain', reason = NULL, next_attempt_at = NULL,
                 updated_at = ?2
             WHERE batch_id = ?1 AND state IN ('queued', 'retrying')
               AND maybe_delivered_at IS NOT NULL
             RETURNING id",
        )?
        .query_map(params![batch_id, now_text], |r| r.get(0).map(OutboxId))?
        .collect::<Result<_, _>>()?;
    changed.extend(uncertain.into_iter().map(|id| OutboxChanged {
        id,
        state: OutboxState::Uncertain,
    }));
    tx.prepare_cached(
        "UPDATE outbox SET batch_id = NULL, batch_position = NULL
         WHERE batch_id = ?1 AND state IN ('queued', 'retrying', 'uncertain', 'held', 'cancelled')",
    )?
    .execute([batch_id])?;
    Ok(())
}

/// A batch none of whose members waits or is being sent any more will never be sent again: its
/// stored body (a copy of every member's message) is let go, keeping the database small.
pub(crate) fn release_finished(tx: &Transaction<'_>) -> Result<(), OutboxError> {
    tx.prepare_cached(
        "UPDATE outbox_batches SET payload = ''
         WHERE payload <> '' AND NOT EXISTS (
             SELECT 1 FROM outbox o WHERE o.batch_id = outbox_batches.id
               AND o.state IN ('queued', 'retrying', 'sending'))",
    )?
    .execute([])?;
    Ok(())
}
