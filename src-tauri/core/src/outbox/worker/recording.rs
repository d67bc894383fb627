//! The worker's recording side: a finished send becomes an outcome (sent, retry, wait, fail,
//! uncertain), teaches the pacer and the client what it showed, and is written with the next
//! claim in one commit. An outcome whose write fails is kept in `unrecorded` and written at the
//! next turn, before anything else: never dropped.

use std::time::Duration;

use rusqlite::Transaction;
use time::OffsetDateTime;
use tokio::task::JoinError;
use tokio::time::Instant;

use super::super::actions;
use super::super::batch;
use super::super::claim::{self, Sending};
use super::super::outcomes;
use super::super::state::{after_attempt, AfterAttempt, OutboxState, WaitReason};
use super::super::store::OutboxId;
use super::super::OutboxError;
use super::{concurrency, Attempt, Worker};
use crate::mail::{batch_limit, MailError, MailFailure, Provider};
use crate::wire;

/// An attempt's outcome, decided and waiting to be written.
pub(super) struct Outcome {
    id: OutboxId,
    provider: Provider,
    after: AfterAttempt,
}

/// Writes `outcomes` in `tx`: the one place a finished attempt reaches the database.
fn record_all(tx: &Transaction<'_>, outcomes: &[Outcome]) -> Result<(), OutboxError> {
    for outcome in outcomes {
        outcomes::record(tx, outcome.id, outcome.provider, &outcome.after)?;
    }
    Ok(())
}

impl Worker {
    pub(super) fn park(&mut self, reason: WaitReason, after: Duration) {
        match self.db().write(|tx| outcomes::park_due(tx, reason, after)) {
            Ok(ids) => ids
                .into_iter()
                .for_each(|id| self.announce(id, OutboxState::Queued)),
            Err(err) => tracing::error!(error = %err, "outbox: cannot park rows"),
        }
    }

    /// Decides each finished send's outcome and writes them together; `claim_more` also claims
    /// the next rows in the same transaction (one commit per turn: a commit, not the network,
    /// bounds a fast local server).
    pub(super) fn finish(
        &mut self,
        finished: Vec<Result<(tokio::task::Id, Attempt), JoinError>>,
        claim_more: bool,
    ) {
        let now = Instant::now();
        let wall_now = OffsetDateTime::now_utc();
        for done in finished {
            let (provider, sends) = match done {
                Ok((task, attempt)) => {
                    self.in_flight_rows.remove(&task);
                    (attempt.provider, attempt.sends)
                }
                Err(err) => {
                    // A panicking send is a bug, and it may have happened after the hand-over:
                    // it counts as an attempt that may have delivered, so it can neither loop
                    // forever nor duplicate.
                    let Some((rows, provider)) = self.in_flight_rows.remove(&err.id()) else {
                        continue;
                    };
                    tracing::error!(rows = rows.len(), error = %err, "outbox: a send panicked");
                    let error = MailError::new(provider, MailFailure::ProviderUnavailable)
                        .message("the send was interrupted")
                        .maybe_delivered();
                    let sends = rows
                        .into_iter()
                        .map(|row| (row, Err(error.clone())))
                        .collect();
                    (provider, sends)
                }
            };
            for (claimed, result) in sends {
                let outcome = after_attempt(
                    result,
                    claimed.attempts,
                    &self.shared.settings.retry,
                    self.shared.settings.probe,
                    fastrand::f64(),
                    claimed.key_window(provider, wall_now),
                );
                self.learn(claimed.id, provider, &outcome, now);
                self.unrecorded.push(Outcome {
                    id: claimed.id,
                    provider,
                    after: outcome,
                });
            }
        }
        let waiting = self.unrecorded.iter().find_map(|o| match o.after {
            AfterAttempt::Wait { reason, after } => Some((reason, after)),
            _ => None,
        });
        // Only unpaced providers with nothing waiting for the network claim here; the others go
        // through fill() at their pace.
        // Providers with a batch endpoint claim in fill(), where due rows can form a batch.
        let next = self.mailer.clone().filter(|m| {
            claim_more
                && waiting.is_none()
                && self.pacer.gap().is_zero()
                && batch_limit(m.provider()).is_none()
        });
        let want = next
            .as_ref()
            .map_or(0, |m| self.claim_size(concurrency(m.provider())));
        let sending = next.as_ref().map(|m| Sending {
            provider: m.provider(),
            domain: m.sender().address.domain(),
        });
        let gate = self.shared.gate.clone();
        let outcomes = std::mem::take(&mut self.unrecorded);
        let batched = self
            .mailer
            .as_ref()
            .is_some_and(|m| batch_limit(m.provider()).is_some());
        // Back in the queue: whatever changed in the books while they were in flight applies now.
        let returned: Vec<OutboxId> = outcomes
            .iter()
            .filter(|o| matches!(o.after.state(), OutboxState::Queued | OutboxState::Retrying))
            .map(|o| o.id)
            .collect();
        let written = self.shared.db.write(|tx| {
            record_all(tx, &outcomes)?;
            let rechecked = actions::recheck_returned(tx, gate.as_ref(), &returned)?;
            if batched {
                batch::release_finished(tx)?;
            }
            let claim = match sending {
                Some(sending) if want > 0 => claim::claim_due(tx, gate.as_ref(), sending, want)?,
                _ => claim::Claim::default(),
            };
            Ok::<_, OutboxError>((claim, rechecked))
        });
        let (claim, rechecked) = match written {
            Ok(written) => written,
            Err(err) => {
                // Never dropped: the rows stay `sending` in the database and their outcomes
                // are written at the next turn.
                tracing::error!(error = %err, "outbox: cannot record attempts; will retry");
                self.unrecorded = outcomes;
                return;
            }
        };
        for outcome in &outcomes {
            self.announce(outcome.id, outcome.after.state());
        }
        for change in rechecked.iter().chain(&claim.changed) {
            self.announce(change.id, change.state);
        }
        if let Some(mailer) = next {
            for claimed in claim.claimed {
                self.launch(&mailer, claimed);
            }
        }
        if let Some((reason, after)) = waiting {
            // No network (or no quota) for one means none for all: the others wait too,
            // uncounted.
            self.park(reason, after);
        }
    }

    /// Writes outcomes a failed write left behind; true when nothing is left.
    pub(super) fn write_unrecorded(&mut self) -> bool {
        let outcomes = std::mem::take(&mut self.unrecorded);
        let written = self.shared.db.write(|tx| record_all(tx, &outcomes));
        match written {
            Ok(()) => {
                for outcome in &outcomes {
                    self.announce(outcome.id, outcome.after.state());
                }
                true
            }
            Err(err) => {
                tracing::error!(error = %err, "outbox: still cannot record attempts");
                self.unrecorded = outcomes;
                false
            }
        }
    }

    /// What an outcome teaches the pacer and the client.
    fn learn(&mut self, id: OutboxId, provider: Provider, outcome: &AfterAttempt, now: Instant) {
        match outcome {
            AfterAttempt::Sent(receipt) => {
                if let Some(rate) = &receipt.rate_limit {
                    self.pacer.learn(rate, now);
                }
            }
            AfterAttempt::Retry { error, .. }
            | AfterAttempt::Fail(error)
            | AfterAttempt::Uncertain(error) => {
                tracing::info!(
                    id = id.0,
                    provider = %wire::code(&provider),
                    failure = %wire::code(&error.failure),
                    provider_code = error.provider_code.as_deref().unwrap_or(""),
                    state = %wire::code(&outcome.state()),
                    "outbox: attempt failed"
                );
                if provider == Provider::Smtp && matches!(error.failure, MailFailure::Timeout) {
                    // A connection whose send was abandoned must not serve the next one: a
                    // fresh client drops the old pool and its connections.
                    self.mailer = None;
                }
                if error.failure == MailFailure::RateLimited {
                    // The limit is the team's, not this email's: everything waits.
                    let wait = error.retry_after.unwrap_or(Duration::from_secs(1));
                    self.pacer.pause_until(now + wait);
                }
            }
            AfterAttempt::Wait { .. } => {}
        }
    }
}
