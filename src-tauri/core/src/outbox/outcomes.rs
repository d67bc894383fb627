//! The worker's side of the table after the network call: recording each attempt's outcome,
//! parking rows while the provider cannot be used, when the next row is due, and what a crash
//! or a restart left in `sending`.

use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, ToSql, Transaction};
use time::OffsetDateTime;

use super::claim::KEY_WINDOW;
use super::delivery;
use super::delivery_store;
use super::state::{AfterAttempt, WaitReason};
use super::store::{details, due_in, ids_where, later, now_text, timestamp, OutboxId};
use super::OutboxError;
use crate::mail::Provider;
use crate::wire;

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
    let state = wire::code(&outcome.state());
    // Sent, retried, failed or uncertain: the attempt is over and counted against the provider
    // that made it; each outcome adds its own columns (parameters from ?5 on).
    let provider_code = wire::code(&provider);
    let attempt_over = |columns: &str, values: &[&dyn ToSql]| -> rusqlite::Result<usize> {
        let mut all: Vec<&dyn ToSql> = vec![&id.0, &state, &counted, &provider_code];
        all.extend_from_slice(values);
        tx.prepare_cached(&format!(
            "UPDATE outbox SET state = ?2, attempts = attempts + ?3, provider = ?4, {columns}
             WHERE id = ?1 AND state = 'sending'"
        ))?
        .execute(all.as_slice())
    };
    match outcome {
        AfterAttempt::Sent(receipt) => attempt_over(
            "provider_message_id = ?5, sent_at = ?6, updated_at = ?6, reason = NULL,
             next_attempt_at = NULL, error_code = NULL, error_message = NULL,
             error_details = NULL, delivery = NULL, delivery_reason = NULL,
             delivery_at = NULL, delivery_polls = 0, delivery_next_at = ?7",
            &[
                &receipt.provider_message_id,
                &now_text,
                &delivery::first_poll(provider, now, delivery::Schedule::current()).map(timestamp),
            ],
        )?,
        AfterAttempt::Retry { error, .. }
        | AfterAttempt::Fail(error)
        | AfterAttempt::Uncertain(error) => {
            // Only a retry is due again; a failed or uncertain row waits for the owner.
            let next_attempt = match outcome {
                AfterAttempt::Retry { after, .. } => Some(timestamp(later(now, *after))),
                _ => None,
            };
            attempt_over(
                "next_attempt_at = ?5, updated_at = ?6, reason = NULL,
                 error_code = ?7, error_message = ?8, error_details = ?9,
                 maybe_delivered_at = CASE WHEN ?10 THEN coalesce(maybe_delivered_at, ?6)
                                           ELSE maybe_delivered_at END",
                &[
                    &next_attempt,
                    &now_text,
                    &wire::code(&error.failure),
                    &error.provider_message,
                    &details(error),
                    &error.maybe_delivered,
                ],
            )?
        }
        AfterAttempt::Wait { after, reason } => tx
            .prepare_cached(
                "UPDATE outbox SET state = ?2, reason = ?3, next_attempt_at = ?4, updated_at = ?5
             WHERE id = ?1 AND state = 'sending'",
            )?
            .execute(params![
                id.0,
                state,
                wire::code(&reason),
                timestamp(later(now, *after)),
                now_text
            ])?,
    };
    if let AfterAttempt::Fail(error) = outcome {
        delivery_store::learn_from_failure(tx, id, error, now)?;
    }
    Ok(())
}

/// While the provider cannot be used (no network, nothing configured, quota used up), every due
/// queued row shows why it waits and is looked at again after `after` — without counting an
/// attempt.
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
            params![wire::code(&reason), timestamp(later(now, after)), now_text],
            |r| r.get(0).map(OutboxId),
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ids)
}

/// After a configuration change: rows waiting for one (or for the network, or a quota) are due
/// at once.
pub(crate) fn wake_waiting(tx: &Transaction<'_>) -> Result<(), OutboxError> {
    tx.execute(
        "UPDATE outbox SET next_attempt_at = ?1
         WHERE state = 'queued' AND reason IS NOT NULL",
        [now_text()],
    )?;
    Ok(())
}

/// What start-up did with the rows a stop or crash left in `sending`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Interrupted {
    /// Resent under the same Idempotency-Key (Resend, inside its window).
    pub resumed: Vec<OutboxId>,
    /// The message may have left: the owner decides.
    pub uncertain: Vec<OutboxId>,
}

/// At start-up: a row still `sending` was handed to the network when the app stopped, so its
/// message may have arrived. Under Resend's key (inside its window) it is safely sent again;
/// otherwise it becomes uncertain.
pub fn resume_interrupted(tx: &Transaction<'_>) -> Result<Interrupted, OutboxError> {
    let now = OffsetDateTime::now_utc();
    let now_text = timestamp(now);
    let window_start = timestamp(now - KEY_WINDOW);
    let keyed = wire::code(&Provider::Resend);
    let resumed = ids_where(
        tx,
        "state = 'sending' AND provider = ?1 AND coalesce(maybe_delivered_at, first_attempt_at) >= ?2",
        params![keyed, window_start],
    )?;
    tx.execute(
        "UPDATE outbox SET state = 'queued', reason = NULL, next_attempt_at = ?1, updated_at = ?1,
             maybe_delivered_at = coalesce(maybe_delivered_at, first_attempt_at, ?1)
         WHERE state = 'sending' AND provider = ?2
           AND coalesce(maybe_delivered_at, first_attempt_at) >= ?3",
        params![now_text, keyed, window_start],
    )?;
    let uncertain = ids_where(tx, "state = 'sending'", [])?;
    tx.execute(
        "UPDATE outbox SET state = 'uncertain', reason = NULL, next_attempt_at = NULL,
             updated_at = ?1, maybe_delivered_at = coalesce(maybe_delivered_at, ?1)
         WHERE state = 'sending'",
        [now_text],
    )?;
    Ok(Interrupted { resumed, uncertain })
}

/// How long until the next row is due (zero if one is due now), if any is waiting.
pub(crate) fn next_due_in(conn: &Connection) -> Result<Option<Duration>, OutboxError> {
    let next: Option<String> = conn
        .prepare_cached(
            "SELECT min(next_attempt_at) FROM outbox WHERE state IN ('queued', 'retrying')",
        )?
        .query_row([], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(next.as_deref().map(due_in))
}

/// The configured service cannot work at all (an unusable setting): every due row fails with
/// that reason, one attempt counted, so the owner sees what to fix.
pub(crate) fn fail_due(
    tx: &Transaction<'_>,
    error: &crate::mail::MailError,
) -> Result<Vec<OutboxId>, OutboxError> {
    let now = now_text();
    let mut statement = tx.prepare(
        "UPDATE outbox SET state = 'failed', attempts = attempts + 1, provider = ?1,
             next_attempt_at = NULL, updated_at = ?2, reason = NULL,
             error_code = ?3, error_message = ?4, error_details = ?5
         WHERE state IN ('queued', 'retrying') AND next_attempt_at <= ?2
         RETURNING id",
    )?;
    let ids = statement
        .query_map(
            params![
                wire::code(&error.provider),
                now,
                wire::code(&error.failure),
                error.provider_message,
                details(error)
            ],
            |r| r.get(0).map(OutboxId),
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ids)
}
