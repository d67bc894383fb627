//! The one background task that sends the outbox, shaped like a small actor: it waits on a
//! tick, the next due row, finished sends and a command channel (`Kick`, `Reload`, `Stop`), and
//! announces every state change on a broadcast channel.
//!
//! Each row passes the send check and is committed as `sending` right before its network call,
//! and is recorded right after it; only as many rows are claimed as there are free slots, so a
//! crash leaves exactly the rows whose message may have left. An outcome that cannot be written
//! is kept and written at the next turn, never dropped. The provider's client lives across sends
//! (SMTP pool, HTTP keep-alive) and is rebuilt on `Reload`.
//!
//! This file is the loop and the sending side (claim, launch); what a finished send becomes is
//! in `recording`, the delivery questions between sends in `polling`, a batch's email in
//! `batching`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, MissedTickBehavior};

use super::backoff::Pacer;
use super::claim::{self, Claimed, Sending};
use super::handle::{OutboxChanged, Running, Shared, Turn};
use super::outcomes;
use super::state::{OutboxState, WaitReason};
use super::store::OutboxId;
use super::OutboxError;
use crate::db::Database;
use crate::mail::service::{ConfiguredMailer, EmailServiceError};
use crate::mail::{MailError, Provider, Receipt};
use crate::wire;

mod batching;
mod polling;
mod recording;

use batching::outgoing;
use polling::Asked;
use recording::Outcome;

#[derive(Debug)]
pub(super) enum Command {
    Kick,
    Reload,
    Stop,
}

/// Sends in flight at once: SMTP uses its pool's connections; Resend's limit is per team and
/// tight, so two suffice to keep its pace.
fn concurrency(provider: Provider) -> usize {
    match provider {
        Provider::Smtp | Provider::Postmark => 4,
        Provider::Resend => 2,
    }
}

/// What one request did: one row's result, or each member's of a batch.
struct Attempt {
    provider: Provider,
    sends: Vec<(Claimed, Result<Receipt, MailError>)>,
}

struct Worker {
    shared: Arc<Shared>,
    mailer: Option<Arc<ConfiguredMailer>>,
    pacer: Pacer,
    turns: watch::Sender<Turn>,
    commands: mpsc::UnboundedReceiver<Command>,
    in_flight: JoinSet<Attempt>,
    /// Which rows each task sends, for a task that panics.
    in_flight_rows: HashMap<tokio::task::Id, (Vec<Claimed>, Provider)>,
    /// Outcomes whose write failed: kept and written at the next turn, before anything else.
    unrecorded: Vec<Outcome>,
    /// The question in flight about sent emails' delivery (at most one: `polling`).
    asking: JoinSet<Asked>,
    /// Rows the provider's recent list did not reach: asked about one by one.
    unlisted: HashSet<OutboxId>,
    /// The saved key cannot read delivery status (a sending-only Resend key), until `Reload`.
    status_unreadable: bool,
    /// No question before this (the network is gone).
    asking_paused_until: Option<Instant>,
}

/// Starts a worker task on `shared`'s database and channels.
pub(super) fn spawn(shared: Arc<Shared>) -> Running {
    let (commands, receiver) = mpsc::unbounded_channel();
    let (turn_sender, turns) = watch::channel(Turn::QUIET);
    let mut tick = tokio::time::interval(shared.settings.tick);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let worker = Worker {
        shared,
        mailer: None,
        pacer: Pacer::for_provider(Provider::Smtp),
        turns: turn_sender,
        commands: receiver,
        in_flight: JoinSet::new(),
        in_flight_rows: HashMap::new(),
        unrecorded: Vec::new(),
        asking: JoinSet::new(),
        unlisted: HashSet::new(),
        status_unreadable: false,
        asking_paused_until: None,
    };
    Running {
        commands,
        task: tokio::spawn(worker.run(tick)),
        turns,
    }
}

impl Worker {
    fn db(&self) -> &Database {
        &self.shared.db
    }

    async fn run(mut self, mut tick: tokio::time::Interval) {
        loop {
            let mut wake_at = if self.unrecorded.is_empty() || self.write_unrecorded() {
                self.fill().await
            } else {
                Some(Instant::now() + self.shared.settings.tick)
            };
            let ask_at = self.ask_if_due();
            if let Some(ask_at) = ask_at {
                wake_at = Some(wake_at.map_or(ask_at, |at| at.min(ask_at)));
            }
            self.turns.send_replace(Turn {
                idle: self.in_flight.is_empty() && self.unrecorded.is_empty(),
                asking: !self.asking.is_empty() || ask_at.is_some(),
            });
            let sleep = tokio::time::sleep_until(wake_at.unwrap_or_else(Instant::now));
            tokio::select! {
                command = self.commands.recv() => match command {
                    Some(Command::Kick) => {}
                    Some(Command::Reload) => self.reload(),
                    Some(Command::Stop) | None => break,
                },
                Some(done) = self.in_flight.join_next_with_id(), if !self.in_flight.is_empty() => {
                    // Record every send that is already done in one transaction.
                    let mut finished = vec![done];
                    while let Some(done) = self.in_flight.try_join_next_with_id() {
                        finished.push(done);
                    }
                    self.finish(finished, true);
                }
                Some(asked) = self.asking.join_next(), if !self.asking.is_empty() => {
                    self.answered(asked);
                }
                _ = sleep, if wake_at.is_some() => {}
                _ = tick.tick() => {}
            }
        }
        // Graceful: the sends in flight have their own deadlines; record what they got, and
        // claim nothing more.
        while let Some(done) = self.in_flight.join_next_with_id().await {
            self.finish(vec![done], false);
        }
        let deadline = Instant::now() + self.shared.settings.stop_timeout;
        while !self.unrecorded.is_empty() && Instant::now() < deadline {
            if !self.write_unrecorded() {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        self.turns.send_replace(Turn::QUIET);
        tracing::info!("outbox: worker stopped");
    }

    /// Starts sends for due rows while there is room and the pace allows. Returns when to look
    /// again, unless a send in flight will wake the loop first.
    async fn fill(&mut self) -> Option<Instant> {
        let mailer = match self.mailer.clone() {
            Some(mailer) => mailer,
            None => {
                // Only touch the keychain when something is due.
                match self.db().read(outcomes::next_due_in) {
                    Ok(Some(wait)) if wait == Duration::ZERO => {}
                    Ok(Some(_)) if matches!(self.db().read(polling::any_due), Ok(true)) => {}
                    Ok(Some(wait)) => {
                        return self.in_flight.is_empty().then(|| Instant::now() + wait)
                    }
                    // Nothing to send, but a sent email may be due a question.
                    Ok(None) if matches!(self.db().read(polling::any_due), Ok(true)) => {}
                    Ok(None) => return None,
                    Err(err) => {
                        tracing::error!(error = %err, "outbox: cannot read the queue");
                        return Some(Instant::now() + self.shared.settings.tick);
                    }
                }
                match self.shared.mail.mailer().await {
                    Ok(mailer) => {
                        let mailer = Arc::new(mailer);
                        self.pacer = Pacer::for_provider(mailer.provider());
                        self.mailer = Some(mailer.clone());
                        mailer
                    }
                    Err(err) => return self.cannot_send(err),
                }
            }
        };
        let width = concurrency(mailer.provider());
        while self.in_flight.len() < width {
            let now = Instant::now();
            let ready = self.pacer.ready_at(now);
            if ready > now {
                return Some(ready);
            }
            // Bulk work goes through the provider's batch endpoint, one request for many.
            match self.claim_batch(&mailer) {
                Ok(Some(batch)) => {
                    self.launch_batch(&mailer, batch);
                    continue;
                }
                Ok(None) => {}
                // Nothing was written (the transaction rolled back): the rows go one by one.
                Err(err) => tracing::error!(error = %err, "outbox: cannot claim a batch"),
            }
            let want = self.claim_size(width);
            let claim = match self.claim(&mailer, want) {
                Ok(claim) => claim,
                Err(err) => {
                    tracing::error!(error = %err, "outbox: cannot claim rows");
                    return Some(now + self.shared.settings.tick);
                }
            };
            if claim.is_empty() {
                break;
            }
            for claimed in claim {
                self.launch(&mailer, claimed);
            }
        }
        if !self.in_flight.is_empty() {
            return None;
        }
        match self.db().read(outcomes::next_due_in) {
            Ok(Some(wait)) => Some(Instant::now() + wait),
            Ok(None) => None,
            Err(_) => Some(Instant::now() + self.shared.settings.tick),
        }
    }

    /// How many rows to claim now: as many as free slots for unpaced providers, one at a time
    /// (each at its moment) for paced ones. Never more: a claimed row is one about to leave.
    fn claim_size(&self, width: usize) -> usize {
        let free = width.saturating_sub(self.in_flight.len());
        if self.pacer.gap().is_zero() {
            free
        } else {
            free.min(1)
        }
    }

    /// Claims up to `want` rows through the send check (in the write that may also record
    /// finished sends) and announces what the check changed.
    fn claim(
        &mut self,
        mailer: &ConfiguredMailer,
        want: usize,
    ) -> Result<Vec<Claimed>, OutboxError> {
        let sending = Sending {
            provider: mailer.provider(),
            domain: mailer.sender().address.domain(),
        };
        let gate = self.shared.gate.clone();
        let claim = self
            .db()
            .write(|tx| claim::claim_due(tx, gate.as_ref(), sending, want))?;
        for change in &claim.changed {
            self.announce(change.id, change.state);
        }
        Ok(claim.claimed)
    }

    fn launch(&mut self, mailer: &Arc<ConfiguredMailer>, claimed: Claimed) {
        let provider = mailer.provider();
        self.pacer.start(Instant::now());
        self.announce(claimed.id, OutboxState::Sending);
        let mailer = mailer.clone();
        let row = claimed.clone();
        let task = self.in_flight.spawn(async move {
            let result = send(&mailer, &claimed).await;
            Attempt {
                provider,
                sends: vec![(claimed, result)],
            }
        });
        self.in_flight_rows.insert(task.id(), (vec![row], provider));
    }

    /// The configured service cannot be built: due rows wait for a configuration (no attempt
    /// counted), or fail when the configuration itself is wrong.
    fn cannot_send(&mut self, err: EmailServiceError) -> Option<Instant> {
        let probe = self.shared.settings.probe;
        let reason = match err {
            EmailServiceError::NotConfigured => WaitReason::NotConfigured,
            EmailServiceError::SecretMissing => WaitReason::SecretMissing,
            EmailServiceError::Secret(_) => WaitReason::KeychainUnavailable,
            EmailServiceError::Mail(error) => {
                match self.db().write(|tx| outcomes::fail_due(tx, &error)) {
                    Ok(ids) => ids
                        .into_iter()
                        .for_each(|id| self.announce(id, OutboxState::Failed)),
                    Err(err) => tracing::error!(error = %err, "outbox: cannot record a failure"),
                }
                return Some(Instant::now() + probe);
            }
            other => {
                tracing::error!(error = %other, "outbox: the email service is unreadable");
                WaitReason::NotConfigured
            }
        };
        tracing::info!(reason = wire::code(&reason), "outbox: waiting");
        self.park(reason, probe);
        Some(Instant::now() + probe)
    }

    fn reload(&mut self) {
        // Sends in flight keep their Arc of the old client; new ones get the new configuration.
        self.mailer = None;
        // A new key may read what the old one could not.
        self.status_unreadable = false;
        self.unlisted.clear();
        if let Err(err) = self.shared.db.write(outcomes::wake_waiting) {
            tracing::error!(error = %err, "outbox: cannot wake waiting rows");
        }
    }

    fn announce(&self, id: OutboxId, state: OutboxState) {
        let _ = self.shared.events.send(OutboxChanged { id, state });
    }
}

async fn send(mailer: &ConfiguredMailer, claimed: &Claimed) -> Result<Receipt, MailError> {
    let email = outgoing(mailer, claimed)?;
    mailer.send(&email, Some(&claimed.idempotency_key())).await
}
