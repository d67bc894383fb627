//! The worker's side of the table, up to the network call: claiming due rows through the send
//! check, and what the check's verdict does to a row.
//!
//! A row is committed as `sending` in the same transaction that checked it against the books,
//! right before its network call starts: nothing is claimed ahead of a free slot, so at start-up
//! a row still `sending` is one whose message may have left. Without an idempotency key that is
//! an uncertain outcome, never a silent resend ([`super::outcomes`]).

use std::time::Duration;

use rusqlite::{params, Transaction};
use time::OffsetDateTime;

use super::gate::{GateQuestion, SendGate, Verdict};
use super::handle::OutboxChanged;
use super::state::{CancelReason, HoldReason, OutboxState};
use super::store::{check_email, parse_timestamp, timestamp, OutboxId, QueuedEmail};
use super::OutboxError;
use crate::mail::Provider;
use crate::wire;

/// How long a provider's idempotency key covers a message: Resend keeps keys 24 h; an hour of
/// margin for clocks and requests in flight.
pub const KEY_WINDOW: Duration = Duration::from_secs(23 * 3_600);

/// Whether the provider de-duplicates by key, so a retry of a message that may have arrived is
/// safe (within [`KEY_WINDOW`]).
pub fn has_idempotency_key(provider: Provider) -> bool {
    provider == Provider::Resend
}

/// A row the worker took for one attempt: everything needed to send it.
#[derive(Debug, Clone)]
pub(crate) struct Claimed {
    pub id: OutboxId,
    pub uuid: String,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
    pub attempts: u32,
    pub generation: i64,
    /// When an earlier attempt of this generation may have handed the message over.
    pub maybe_delivered_at: Option<OffsetDateTime>,
    /// The files stored with the row.
    pub attachments: Vec<crate::mail::Attachment>,
}

impl Claimed {
    /// Resend's Idempotency-Key: the same for every automatic retry of this row and generation,
    /// and unique across databases (the row's random UUID).
    pub fn idempotency_key(&self) -> String {
        idempotency_key(&self.uuid, self.generation)
    }

    /// How much longer the provider's key covers a retry of this message, if it has keys.
    pub fn key_window(&self, provider: Provider, now: OffsetDateTime) -> Option<Duration> {
        has_idempotency_key(provider).then(|| {
            let since = self.maybe_delivered_at.unwrap_or(now);
            let used = Duration::try_from(now - since).unwrap_or(Duration::ZERO);
            KEY_WINDOW.saturating_sub(used)
        })
    }
}

pub(crate) fn idempotency_key(uuid: &str, generation: i64) -> String {
    format!("{uuid}-{generation}")
}

/// The Message-ID of a row's generation, on the sender's domain.
pub(crate) fn message_id(uuid: &str, generation: i64, domain: &str) -> String {
    format!("<{uuid}.{generation}@{domain}>")
}

/// Who is sending now: the configured provider and the sender's domain.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sending<'a> {
    pub provider: Provider,
    pub domain: &'a str,
}

/// What a claim did: the rows to send now, and every row the send check changed on the way.
#[derive(Debug, Default)]
pub(crate) struct Claim {
    pub claimed: Vec<Claimed>,
    pub changed: Vec<OutboxChanged>,
}

struct Candidate {
    id: OutboxId,
    reference: Option<String>,
    facts: Option<String>,
    recipient: String,
    provider: Option<String>,
    maybe_delivered_at: Option<String>,
}

/// Takes up to `limit` due rows, oldest due first, each through the send check inside this
/// transaction, and commits them as `sending` before any byte leaves. Rows the check cancels,
/// holds or re-renders are recorded on the way; a row whose message may already be at a
/// provider that would not recognise a retry becomes uncertain instead of being sent again.
pub(crate) fn claim_due(
    tx: &Transaction<'_>,
    gate: &dyn SendGate,
    sending: Sending<'_>,
    limit: usize,
) -> Result<Claim, OutboxError> {
    let now = OffsetDateTime::now_utc();
    let now_text = timestamp(now);
    let mut claim = Claim::default();
    if limit == 0 {
        return Ok(claim);
    }
    let mut select = tx.prepare_cached(
        "SELECT id, reference, facts, recipient, provider, maybe_delivered_at FROM outbox
         WHERE state IN ('queued', 'retrying') AND next_attempt_at <= ?1 AND batch_id IS NULL
         ORDER BY next_attempt_at, id LIMIT ?2",
    )?;
    // Rows the check set aside leave the due set, so each round sees new ones.
    while claim.claimed.len() < limit {
        let want = limit - claim.claimed.len();
        let candidates = select
            .query_map(params![now_text, want as i64], |r| {
                Ok(Candidate {
                    id: OutboxId(r.get(0)?),
                    reference: r.get(1)?,
                    facts: r.get(2)?,
                    recipient: r.get(3)?,
                    provider: r.get(4)?,
                    maybe_delivered_at: r.get(5)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        if candidates.is_empty() {
            break;
        }
        for candidate in candidates {
            if let Some(at) = &candidate.maybe_delivered_at {
                // An earlier attempt may have delivered it. Only the same provider's key, still
                // in its window, makes a retry safe.
                let since = parse_timestamp(at).unwrap_or(now);
                let same_keyed_provider = has_idempotency_key(sending.provider)
                    && candidate.provider.as_deref()
                        == Some(wire::code(&sending.provider).as_str());
                let within = Duration::try_from(now - since).unwrap_or(Duration::ZERO) < KEY_WINDOW;
                if !(same_keyed_provider && within) {
                    mark_uncertain(tx, candidate.id, &now_text)?;
                    claim
                        .changed
                        .push(changed(candidate.id, OutboxState::Uncertain));
                    continue;
                }
            }
            let question = GateQuestion {
                reference: candidate.reference.as_deref(),
                facts: candidate.facts.as_deref(),
                recipient: &candidate.recipient,
            };
            match verdict(tx, gate, candidate.id, &question) {
                Verdict::Send => {}
                Verdict::Rewrite(_) if candidate.maybe_delivered_at.is_some() => {
                    // The key makes only the same message safe to send again; a new one under
                    // a new key could arrive beside the old. The owner decides.
                    mark_uncertain(tx, candidate.id, &now_text)?;
                    claim
                        .changed
                        .push(changed(candidate.id, OutboxState::Uncertain));
                    continue;
                }
                Verdict::Rewrite(email) => rewrite(tx, candidate.id, &email, &now_text)?,
                Verdict::Cancel(reason) => {
                    cancel_for(tx, candidate.id, reason, &now_text)?;
                    claim
                        .changed
                        .push(changed(candidate.id, OutboxState::Cancelled));
                    continue;
                }
                Verdict::Hold(reason) => {
                    hold(tx, candidate.id, reason, &now_text)?;
                    claim.changed.push(changed(candidate.id, OutboxState::Held));
                    continue;
                }
            }
            claim
                .claimed
                .push(mark_sending(tx, candidate.id, sending, &now_text)?);
        }
    }
    Ok(claim)
}

/// Asks the gate; a gate that fails holds the row for review instead of letting it go unchecked.
pub(crate) fn verdict(
    tx: &Transaction<'_>,
    gate: &dyn SendGate,
    id: OutboxId,
    question: &GateQuestion<'_>,
) -> Verdict {
    match gate.check(tx, question) {
        Ok(Verdict::Rewrite(email)) if check_email(&email).is_err() => {
            tracing::error!(
                id = id.0,
                "outbox: the send check rendered an unusable message"
            );
            Verdict::Hold(HoldReason::CheckFailed)
        }
        Ok(verdict) => verdict,
        Err(err) => {
            tracing::error!(id = id.0, error = %err, "outbox: the send check failed");
            Verdict::Hold(HoldReason::CheckFailed)
        }
    }
}

fn changed(id: OutboxId, state: OutboxState) -> OutboxChanged {
    OutboxChanged { id, state }
}

pub(crate) fn mark_sending(
    tx: &Transaction<'_>,
    id: OutboxId,
    sending: Sending<'_>,
    now_text: &str,
) -> Result<Claimed, OutboxError> {
    let (uuid, generation): (String, i64) = tx
        .prepare_cached("SELECT uuid, generation FROM outbox WHERE id = ?1")?
        .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let message_id = message_id(&uuid, generation, sending.domain);
    let claimed = tx
        .prepare_cached(
            "UPDATE outbox SET state = 'sending', updated_at = ?2, provider = ?3,
                 message_id = ?4, first_attempt_at = coalesce(first_attempt_at, ?2)
             WHERE id = ?1
             RETURNING id, uuid, recipient, subject, text_body, html_body, message_id, attempts,
                       generation, maybe_delivered_at",
        )?
        .query_row(
            params![id.0, now_text, wire::code(&sending.provider), message_id],
            |r| {
                Ok(Claimed {
                    id: OutboxId(r.get(0)?),
                    uuid: r.get(1)?,
                    recipient: r.get(2)?,
                    subject: r.get(3)?,
                    text: r.get(4)?,
                    html: r.get(5)?,
                    message_id: r.get(6)?,
                    attempts: r.get(7)?,
                    generation: r.get(8)?,
                    maybe_delivered_at: r
                        .get::<_, Option<String>>(9)?
                        .and_then(|t| parse_timestamp(&t)),
                    attachments: Vec::new(),
                })
            },
        )?;
    Ok(Claimed {
        attachments: super::attachments::of_row(tx, id)?,
        ..claimed
    })
}

/// The check re-rendered the message: it replaces the stored one under a new generation, so
/// nothing sent under the old key or Message-ID can be confused with it.
pub(crate) fn rewrite(
    tx: &Transaction<'_>,
    id: OutboxId,
    email: &QueuedEmail,
    now_text: &str,
) -> Result<(), OutboxError> {
    tx.prepare_cached(
        "UPDATE outbox SET recipient = ?2, subject = ?3, text_body = ?4, html_body = ?5,
             facts = ?6, generation = generation + 1, attempts = 0, first_attempt_at = NULL,
             maybe_delivered_at = NULL, message_id = NULL, updated_at = ?7,
             batch_id = NULL, batch_position = NULL
         WHERE id = ?1",
    )?
    .execute(params![
        id.0,
        email.to.as_str(),
        email.subject,
        email.text,
        email.html,
        email.facts,
        now_text
    ])?;
    super::attachments::replace(tx, id, &email.attachments)?;
    Ok(())
}

pub(crate) fn cancel_for(
    tx: &Transaction<'_>,
    id: OutboxId,
    reason: CancelReason,
    now_text: &str,
) -> Result<(), OutboxError> {
    tx.prepare_cached(
        "UPDATE outbox SET state = 'cancelled', reason = ?2, next_attempt_at = NULL,
             updated_at = ?3
         WHERE id = ?1",
    )?
    .execute(params![id.0, wire::code(&reason), now_text])?;
    Ok(())
}

pub(crate) fn hold(
    tx: &Transaction<'_>,
    id: OutboxId,
    reason: HoldReason,
    now_text: &str,
) -> Result<(), OutboxError> {
    tx.prepare_cached(
        "UPDATE outbox SET state = 'held', reason = ?2, next_attempt_at = NULL, updated_at = ?3
         WHERE id = ?1",
    )?
    .execute(params![id.0, wire::code(&reason), now_text])?;
    Ok(())
}

pub(crate) fn mark_uncertain(
    tx: &Transaction<'_>,
    id: OutboxId,
    now_text: &str,
) -> Result<(), OutboxError> {
    tx.prepare_cached(
        "UPDATE outbox SET state = 'uncertain', reason = NULL, next_attempt_at = NULL,
             updated_at = ?2
         WHERE id = ?1",
    )?
    .execute(params![id.0, now_text])?;
    Ok(())
}

#[cfg(test)]
#[path = "claim_tests.rs"]
mod tests;
