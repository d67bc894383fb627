//! The sent rows' delivery status in SQLite: which are due a question to their provider, when
//! the next one is, and writing each answer with the next time to ask (`delivery::next_poll`).
//!
//! Only rows sent through the provider configured now are asked about: another provider's ids
//! mean nothing to it. It never makes a request and never changes a row's sending state.

use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use time::OffsetDateTime;

use super::delivery::{self, DeliveryReport, DeliveryState, PollState};
use super::store::{due_in, parse_timestamp, timestamp, OutboxId};
use super::OutboxError;
use crate::mail::{MailError, MailFailure, Provider};
use crate::undeliverable::{self, UndeliverableReason};
use crate::wire;

/// A sent row due a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DuePoll {
    pub id: OutboxId,
    pub recipient: String,
    pub provider_message_id: String,
    pub poll: PollState,
}

/// Up to `limit` rows sent through `provider` whose next question is due at `now`, the most
/// overdue first.
pub(crate) fn due(
    conn: &Connection,
    provider: Provider,
    now: OffsetDateTime,
    limit: usize,
) -> Result<Vec<DuePoll>, OutboxError> {
    let mut statement = conn.prepare_cached(
        "SELECT id, provider_message_id, sent_at, delivery_polls, delivery, recipient
           FROM outbox
          WHERE delivery_next_at IS NOT NULL AND delivery_next_at <= ?1 AND provider = ?2
            AND state = 'sent' AND provider_message_id IS NOT NULL AND sent_at IS NOT NULL
          ORDER BY delivery_next_at, id
          LIMIT ?3",
    )?;
    let rows = statement.query_map(
        params![
            timestamp(now),
            wire::code(&provider),
            i64::try_from(limit).unwrap_or(i64::MAX)
        ],
        |row| {
            Ok((
                OutboxId(row.get(0)?),
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, u32>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, String>(5)?,
            ))
        },
    )?;
    let mut due = Vec::new();
    for row in rows {
        let (id, provider_message_id, sent_at, polls, state, recipient) = row?;
        let Some(sent_at) = parse_timestamp(&sent_at) else {
            continue;
        };
        due.push(DuePoll {
            id,
            recipient,
            provider_message_id,
            poll: PollState {
                provider,
                sent_at,
                polls,
                state: state.and_then(|s| wire::from_code::<DeliveryState>(&s)),
                not_before: None,
            },
        });
    }
    Ok(due)
}

/// Where a sent row stands in its asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asking {
    /// Answers received so far (a refused or failed question does not count).
    pub answers: u32,
    /// How long until the next question (zero when due); None when the row will never be asked
    /// about again: not sent, sent by SMTP, a final state, or past the window.
    pub next_in: Option<Duration>,
}

/// Where row `id` stands in its asking, None if there is no such row. The schedule runs on the
/// wall clock, so tests wait on this instead of pausing for it.
pub fn asking_about(conn: &Connection, id: OutboxId) -> Result<Option<Asking>, OutboxError> {
    Ok(conn
        .prepare_cached("SELECT delivery_polls, delivery_next_at FROM outbox WHERE id = ?1")?
        .query_row([id.0], |row| {
            Ok(Asking {
                answers: row.get(0)?,
                next_in: row.get::<_, Option<String>>(1)?.as_deref().map(due_in),
            })
        })
        .optional()?)
}

/// Whether any sent row is due a question at `now`.
pub(crate) fn any_due(conn: &Connection, now: OffsetDateTime) -> Result<bool, OutboxError> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM outbox WHERE delivery_next_at IS NOT NULL AND delivery_next_at <= ?1
                AND state = 'sent' LIMIT 1",
        )?
        .query_row(params![timestamp(now)], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Writes one answer: the state it tells (no news keeps what was known), the provider's reason,
/// and when to ask next (never, after a bounce or a complaint). True when the state changed.
pub(crate) fn record_answer(
    tx: &Transaction<'_>,
    row: &DuePoll,
    report: &DeliveryReport,
    now: OffsetDateTime,
) -> Result<bool, OutboxError> {
    let state = report.state.or(row.poll.state);
    let changed = state != row.poll.state;
    let next = delivery::next_poll(
        &PollState {
            polls: row.poll.polls + 1,
            state,
            ..row.poll
        },
        delivery::Schedule::current(),
    );
    tx.prepare_cached(
        "UPDATE outbox SET delivery = ?2, delivery_polls = delivery_polls + 1,
                delivery_next_at = ?3,
                delivery_reason = CASE WHEN ?4 THEN ?5 ELSE delivery_reason END,
                delivery_at = CASE WHEN ?4 THEN ?6 ELSE delivery_at END
          WHERE id = ?1 AND state = 'sent'",
    )?
    .execute(params![
        row.id.0,
        state.map(|s| wire::code(&s)),
        next.map(timestamp),
        changed,
        report.reason,
        timestamp(now),
    ])?;
    if let Some(reason) = state.filter(|_| changed).and_then(suppression) {
        undeliverable::mark(
            tx,
            &row.recipient,
            reason,
            report.reason.as_deref(),
            &timestamp(now),
            Some(row.id.0),
        )?;
    }
    Ok(changed)
}

/// Why an address stops receiving mail after this outcome, if it does.
fn suppression(state: DeliveryState) -> Option<UndeliverableReason> {
    match state {
        DeliveryState::Bounced => Some(UndeliverableReason::Bounced),
        DeliveryState::Complained => Some(UndeliverableReason::Complained),
        DeliveryState::Delivered | DeliveryState::Delayed => None,
    }
}

/// A send refused because the provider will not write to the address any more (Postmark's 406)
/// marks the address at once, in the transaction that records the failure.
pub(crate) fn learn_from_failure(
    tx: &Transaction<'_>,
    id: OutboxId,
    error: &MailError,
    now: OffsetDateTime,
) -> Result<(), OutboxError> {
    if error.failure != MailFailure::RecipientInactive {
        return Ok(());
    }
    let recipient: Option<String> = tx
        .prepare_cached("SELECT recipient FROM outbox WHERE id = ?1")?
        .query_row([id.0], |row| row.get(0))
        .optional()?;
    if let Some(recipient) = recipient {
        undeliverable::mark(
            tx,
            &recipient,
            UndeliverableReason::Inactive,
            error.provider_message.as_deref(),
            &timestamp(now),
            Some(id.0),
        )?;
    }
    Ok(())
}

/// No question before `until` for these rows (a 429, or the network gone): their schedule is
/// kept, only pushed back.
pub(crate) fn postpone(
    tx: &Transaction<'_>,
    ids: &[OutboxId],
    until: OffsetDateTime,
) -> Result<(), OutboxError> {
    let mut statement = tx.prepare_cached(
        "UPDATE outbox SET delivery_next_at = max(delivery_next_at, ?2)
          WHERE id = ?1 AND delivery_next_at IS NOT NULL",
    )?;
    for id in ids {
        statement.execute(params![id.0, timestamp(until)])?;
    }
    Ok(())
}
