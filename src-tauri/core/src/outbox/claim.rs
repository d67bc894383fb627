//! The worker's side of the table: claiming due rows through the send check, recording each
//! attempt's outcome, parking rows while the provider cannot be used, and what a crash or a
//! restart leaves behind.
//!
//! A row is committed as `sending` in the same transaction that checked it against the books,
//! right before its network call starts: nothing is claimed ahead of a free slot, so at start-up
//! a row still `sending` is one whose message may have left. Without an idempotency key that is
//! an uncertain outcome, never a silent resend.

use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use time::OffsetDateTime;

use super::delivery;
use super::delivery_store;
use super::gate::{GateQuestion, SendGate, Verdict};
use super::handle::OutboxChanged;
use super::state::{AfterAttempt, CancelReason, HoldReason, OutboxState, WaitReason};
use super::store::{
    check_email, details, ids_where, later, now_text, parse_timestamp, timestamp, OutboxId,
    QueuedEmail,
};
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

fn mark_uncertain(tx: &Transaction<'_>, id: OutboxId, now_text: &str) -> Result<(), OutboxError> {
    tx.prepare_cached(
        "UPDATE outbox SET state = 'uncertain', reason = NULL, next_attempt_at = NULL,
             updated_at = ?2
         WHERE id = ?1",
    )?
    .execute(params![id.0, now_text])?;
    Ok(())
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
    let state = wire::code(&outcome.state());
    match outcome {
        AfterAttempt::Sent(receipt) => tx
            .prepare_cached(
                "UPDATE outbox SET state = ?2, attempts = attempts + ?3, provider = ?4,
                 provider_message_id = ?5, sent_at = ?6, updated_at = ?6, reason = NULL,
                 next_attempt_at = NULL, error_code = NULL, error_message = NULL,
                 error_details = NULL, delivery = NULL, delivery_reason = NULL,
                 delivery_at = NULL, delivery_polls = 0, delivery_next_at = ?7
             WHERE id = ?1 AND state = 'sending'",
            )?
            .execute(params![
                id.0,
                state,
                counted,
                wire::code(&provider),
                receipt.provider_message_id,
                now_text,
                delivery::first_poll(provider, now, delivery::Schedule::current()).map(timestamp),
            ])?,
        AfterAttempt::Retry { error, .. }
        | AfterAttempt::Fail(error)
        | AfterAttempt::Uncertain(error) => {
            // Only a retry is due again; a failed or uncertain row waits for the owner.
            let next_attempt = match outcome {
                AfterAttempt::Retry { after, .. } => Some(timestamp(later(now, *after))),
                _ => None,
            };
            tx.prepare_cached(
                "UPDATE outbox SET state = ?2, attempts = attempts + ?3, provider = ?4,
                 next_attempt_at = ?5, updated_at = ?6, reason = NULL,
                 error_code = ?7, error_message = ?8, error_details = ?9,
                 maybe_delivered_at = CASE WHEN ?10 THEN coalesce(maybe_delivered_at, ?6)
                                           ELSE maybe_delivered_at END
             WHERE id = ?1 AND state = 'sending'",
            )?
            .execute(params![
                id.0,
                state,
                counted,
                wire::code(&provider),
                next_attempt,
                now_text,
                wire::code(&error.failure),
                error.provider_message,
                details(error),
                error.maybe_delivered,
            ])?
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
    Ok(next.map(|text| {
        let at = parse_timestamp(&text).unwrap_or_else(OffsetDateTime::now_utc);
        let wait = at - OffsetDateTime::now_utc();
        Duration::try_from(wait).unwrap_or(Duration::ZERO)
    }))
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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::mail::{MailError, MailFailure, Receipt};
    use crate::outbox::actions;
    use crate::outbox::gate::Unconditional;
    use crate::outbox::store::tests::{db, email, queue, state};
    use crate::Database;

    const SMTP: Sending<'static> = Sending {
        provider: Provider::Smtp,
        domain: "tienda.com",
    };
    const RESEND: Sending<'static> = Sending {
        provider: Provider::Resend,
        domain: "tienda.com",
    };

    /// A gate that answers what the test tells it to, and remembers what it was asked.
    #[derive(Default)]
    struct Scripted {
        answer: Mutex<Option<Verdict>>,
        asked: Mutex<Vec<Option<String>>>,
    }

    impl Scripted {
        fn answering(verdict: Verdict) -> Self {
            Self {
                answer: Mutex::new(Some(verdict)),
                ..Self::default()
            }
        }
    }

    impl SendGate for Scripted {
        fn check(
            &self,
            _tx: &Transaction<'_>,
            question: &GateQuestion<'_>,
        ) -> Result<Verdict, Box<dyn std::error::Error + Send + Sync>> {
            self.asked
                .lock()
                .expect("lock")
                .push(question.facts.map(str::to_owned));
            match self.answer.lock().expect("lock").clone() {
                Some(verdict) => Ok(verdict),
                None => Err("the books are unreadable".into()),
            }
        }
    }

    fn claim_with(db: &Database, gate: &dyn SendGate, sending: Sending<'_>) -> Claim {
        db.write(|tx| claim_due(tx, gate, sending, 5))
            .expect("claim")
    }

    fn claim_one(db: &Database) -> Claimed {
        claim_with(db, &Unconditional, SMTP)
            .claimed
            .pop()
            .expect("a due row")
    }

    fn record_outcome(db: &Database, id: OutboxId, outcome: AfterAttempt) {
        db.write(|tx| record(tx, id, Provider::Smtp, &outcome))
            .expect("record");
    }

    fn sent() -> AfterAttempt {
        AfterAttempt::Sent(Receipt {
            provider_message_id: "re_1".into(),
            provider_response: "id re_1".into(),
            rate_limit: None,
        })
    }

    fn uuid_of(db: &Database, id: OutboxId) -> String {
        db.read(|c| {
            c.query_row("SELECT uuid FROM outbox WHERE id = ?1", [id.0], |r| {
                r.get(0)
            })
        })
        .expect("uuid")
    }

    #[test]
    fn a_claim_marks_the_row_sending_with_keys_from_its_uuid() {
        let (_dir, db) = db();
        let id = queue(&db, Some("receivable:42"));
        let claimed = claim_one(&db);
        let uuid = uuid_of(&db, id);
        assert_eq!(claimed.id, id);
        assert_eq!(claimed.html, "<p>Hola Ana</p>");
        assert_eq!(claimed.idempotency_key(), format!("{uuid}-1"));
        assert_eq!(claimed.message_id, format!("<{uuid}.1@tienda.com>"));
        assert_eq!(state(&db, id).state, OutboxState::Sending);
        assert!(
            claim_with(&db, &Unconditional, SMTP).claimed.is_empty(),
            "a sending row is not claimed twice"
        );
    }

    #[test]
    fn the_gate_is_asked_in_the_claim_and_its_verdict_applied() {
        let (_dir, db) = db();
        let paid = queue(&db, Some("receivable:1"));
        let gate = Scripted::answering(Verdict::Cancel(CancelReason::Paid));
        let claim = claim_with(&db, &gate, SMTP);
        assert!(claim.claimed.is_empty(), "nothing leaves");
        assert_eq!(
            claim.changed,
            vec![OutboxChanged {
                id: paid,
                state: OutboxState::Cancelled
            }]
        );
        assert_eq!(state(&db, paid).cancelled, Some(CancelReason::Paid));

        let broken = queue(&db, Some("receivable:2"));
        let claim = claim_with(&db, &Scripted::default(), SMTP);
        assert!(
            claim.claimed.is_empty(),
            "an unanswered check sends nothing"
        );
        assert_eq!(state(&db, broken).held, Some(HoldReason::CheckFailed));

        let changed = queue(&db, Some("receivable:3"));
        let rewritten = QueuedEmail {
            subject: "Recordatorio: saldo USD 50,00".into(),
            text: "Saldo USD 50,00".into(),
            html: "<p>Saldo USD 50,00</p>".into(),
            facts: Some("{\"balance\":5000}".into()),
            ..email(Some("receivable:3"))
        };
        let gate = Scripted::answering(Verdict::Rewrite(Box::new(rewritten)));
        let claim = claim_with(&db, &gate, SMTP);
        let claimed = &claim.claimed[0];
        assert_eq!(claimed.id, changed);
        assert_eq!(claimed.text, "Saldo USD 50,00", "the new facts leave");
        assert_eq!(claimed.generation, 2, "under a new key and Message-ID");
        assert!(claimed.message_id.contains(".2@"));
    }

    #[test]
    fn waiting_offline_counts_no_attempt_and_parks_the_other_due_rows() {
        let (_dir, db) = db();
        let first = queue(&db, None);
        let second = queue(&db, None);
        db.write(|tx| claim_due(tx, &Unconditional, SMTP, 1))
            .expect("claim one");
        record_outcome(
            &db,
            first,
            AfterAttempt::Wait {
                after: Duration::from_secs(30),
                reason: WaitReason::Offline,
            },
        );
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
        assert!(claim_with(&db, &Unconditional, SMTP).claimed.is_empty());
        let wait = db.read(next_due_in).expect("next").expect("some");
        assert!(wait > Duration::from_secs(25) && wait <= Duration::from_secs(30));
        db.write(wake_waiting).expect("wake");
        assert_eq!(db.read(next_due_in).expect("next"), Some(Duration::ZERO));
    }

    #[test]
    fn a_retry_keeps_its_key_and_an_owner_retry_of_a_failed_row_takes_a_new_one() {
        let (_dir, db) = db();
        let id = queue(&db, None);
        let first = claim_one(&db);
        record_outcome(
            &db,
            id,
            AfterAttempt::Retry {
                after: Duration::ZERO,
                error: MailError::new(Provider::Smtp, MailFailure::ProviderUnavailable).code("421"),
            },
        );
        let entry = state(&db, id);
        assert_eq!((entry.state, entry.attempts), (OutboxState::Retrying, 1));
        assert_eq!(
            entry.error.and_then(|e| e.provider_code).as_deref(),
            Some("421")
        );
        let second = claim_one(&db);
        assert_eq!(second.message_id, first.message_id);
        assert_eq!(second.idempotency_key(), first.idempotency_key());
        record_outcome(
            &db,
            id,
            AfterAttempt::Fail(MailError::new(Provider::Smtp, MailFailure::AuthFailed)),
        );
        let again = db
            .write(|tx| actions::retry_now(tx, &Unconditional, id))
            .expect("retry a failed row");
        assert_eq!(
            (again.state, again.generation, again.attempts),
            (OutboxState::Queued, 2, 0)
        );
        let third = claim_one(&db);
        assert_ne!(third.idempotency_key(), first.idempotency_key());
        record_outcome(&db, id, sent());
        let entry = state(&db, id);
        assert_eq!(entry.state, OutboxState::Sent);
        assert!(entry.error.is_none() && entry.sent_at.is_some());
    }

    #[test]
    fn a_message_that_may_have_arrived_becomes_uncertain_and_waits_for_the_owner() {
        let (_dir, db) = db();
        let id = queue(&db, Some("receivable:7"));
        claim_one(&db);
        let error = MailError::new(Provider::Smtp, MailFailure::Timeout).maybe_delivered();
        record_outcome(&db, id, AfterAttempt::Uncertain(error));
        let entry = state(&db, id);
        assert_eq!((entry.state, entry.attempts), (OutboxState::Uncertain, 1));
        assert_eq!(entry.error.map(|e| e.code), Some(MailFailure::Timeout));
        assert!(claim_with(&db, &Unconditional, SMTP).claimed.is_empty());
        assert!(
            db.write(|tx| actions::cancel(tx, id)).is_err(),
            "it may have arrived: it cannot be cancelled"
        );

        // "Reenviar": a deliberate send under a new generation, checked first.
        let gate = Scripted::answering(Verdict::Send);
        let again = db
            .write(|tx| actions::send_again(tx, &gate, id))
            .expect("send again");
        assert_eq!((again.state, again.generation), (OutboxState::Queued, 2));
        assert_eq!(gate.asked.lock().expect("lock").len(), 1);
        claim_one(&db);
        record_outcome(
            &db,
            id,
            AfterAttempt::Uncertain(MailError::new(Provider::Smtp, MailFailure::Timeout)),
        );
        // "Marcar como enviado".
        let marked = db.write(|tx| actions::mark_sent(tx, id)).expect("mark");
        assert_eq!(marked.state, OutboxState::Sent);
        assert!(marked.confirmed_by_owner);
    }

    #[test]
    fn an_owner_resend_of_a_paid_receivables_reminder_is_cancelled_not_queued() {
        let (_dir, db) = db();
        let id = queue(&db, Some("receivable:7"));
        claim_one(&db);
        record_outcome(
            &db,
            id,
            AfterAttempt::Uncertain(MailError::new(Provider::Smtp, MailFailure::Timeout)),
        );
        let gate = Scripted::answering(Verdict::Cancel(CancelReason::Paid));
        let entry = db
            .write(|tx| actions::send_again(tx, &gate, id))
            .expect("checked");
        assert_eq!(entry.state, OutboxState::Cancelled);
        assert_eq!(entry.cancelled, Some(CancelReason::Paid));
    }

    #[test]
    fn rows_left_sending_are_uncertain_unless_a_key_covers_them() {
        let (_dir, db) = db();
        let smtp = queue(&db, None);
        db.write(|tx| claim_due(tx, &Unconditional, SMTP, 1))
            .expect("claim");
        let keyed = queue(&db, None);
        let before = db
            .write(|tx| claim_due(tx, &Unconditional, RESEND, 1))
            .expect("claim")
            .claimed
            .pop()
            .expect("claimed");
        let interrupted = db.write(resume_interrupted).expect("resume");
        assert_eq!(interrupted.uncertain, vec![smtp]);
        assert_eq!(interrupted.resumed, vec![keyed]);
        assert_eq!(state(&db, smtp).state, OutboxState::Uncertain);
        // The keyed one goes again under the same key while the window lasts…
        let again = claim_with(&db, &Unconditional, RESEND)
            .claimed
            .pop()
            .expect("due");
        assert_eq!(again.idempotency_key(), before.idempotency_key());
        db.write(|tx| {
            record(
                tx,
                keyed,
                Provider::Resend,
                &AfterAttempt::Retry {
                    after: Duration::ZERO,
                    error: MailError::new(Provider::Resend, MailFailure::ProviderUnavailable),
                },
            )
        })
        .expect("record");
        // …but not through another provider, which would not recognise the key.
        let claim = claim_with(&db, &Unconditional, SMTP);
        assert!(claim.claimed.is_empty());
        assert_eq!(state(&db, keyed).state, OutboxState::Uncertain);
    }

    #[test]
    fn a_keyed_retry_past_the_window_is_uncertain() {
        let (_dir, db) = db();
        let id = queue(&db, None);
        db.write(|tx| claim_due(tx, &Unconditional, RESEND, 1))
            .expect("claim");
        let error = MailError::new(Provider::Resend, MailFailure::Timeout).maybe_delivered();
        db.write(|tx| {
            record(
                tx,
                id,
                Provider::Resend,
                &AfterAttempt::Retry {
                    after: Duration::ZERO,
                    error: error.clone(),
                },
            )
        })
        .expect("record");
        db.write(|tx| {
            tx.execute(
                "UPDATE outbox SET maybe_delivered_at = '2000-01-01T00:00:00.000Z' WHERE id = ?1",
                [id.0],
            )
        })
        .expect("age it");
        let claim = claim_with(&db, &Unconditional, RESEND);
        assert!(claim.claimed.is_empty(), "the key expired: not sent again");
        assert_eq!(state(&db, id).state, OutboxState::Uncertain);
    }

    #[test]
    fn a_restore_holds_every_row_that_was_not_finished_for_review() {
        let (_dir, db) = db();
        let queued = queue(&db, None);
        let sending = queue(&db, None);
        db.write(|tx| {
            tx.execute(
                "UPDATE outbox SET state = 'sending' WHERE id = ?1",
                [sending.0],
            )
        })
        .expect("sending");
        let done = queue(&db, None);
        db.write(|tx| tx.execute("UPDATE outbox SET state = 'sent' WHERE id = ?1", [done.0]))
            .expect("sent");
        let held = db.write(actions::hold_restored).expect("hold");
        assert_eq!(held, vec![queued, sending]);
        for id in [queued, sending] {
            assert_eq!(state(&db, id).held, Some(HoldReason::Restored));
        }
        assert_eq!(state(&db, done).state, OutboxState::Sent);
        assert!(claim_with(&db, &Unconditional, SMTP).claimed.is_empty());
        let entry = db
            .write(|tx| actions::send_again(tx, &Unconditional, queued))
            .expect("send");
        assert_eq!((entry.state, entry.generation), (OutboxState::Queued, 2));
        let entry = db.write(|tx| actions::cancel(tx, sending)).expect("cancel");
        assert_eq!(entry.cancelled, Some(CancelReason::Owner));
    }
}
