//! The one background task that sends the outbox, shaped like a small actor: it waits on a
//! tick, the next due row, finished sends and a command channel (`Kick`, `Reload`, `Stop`), and
//! announces every state change on a broadcast channel.
//!
//! Each row is committed as `sending` before its network call and recorded right after it, so a
//! crash leaves at most the rows in flight to resume. The provider's client lives across sends
//! (SMTP pool, HTTP keep-alive) and is rebuilt on `Reload`. A send takes one row; the claim and
//! record steps are per row so a batch endpoint can later take several claimed rows at once.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::{JoinError, JoinHandle, JoinSet};
use tokio::time::{Instant, MissedTickBehavior};
use ts_rs::TS;

use super::backoff::{Pacer, RetryPolicy};
use super::state::{after_attempt, AfterAttempt, OutboxState, WaitReason};
use super::store::{self, Claimed, OutboxEntry, OutboxId};
use super::{OutboxError, PROBE_ENV, RETRY_BASE_ENV};
use crate::db::Database;
use crate::mail::service::{ConfiguredMailer, EmailService, EmailServiceError};
use crate::mail::{MailError, MailFailure, OutgoingEmail, Provider, Receipt};

/// What changed, for screens to update live (`outbox://changed` in the app).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutboxChanged {
    pub id: OutboxId,
    pub state: OutboxState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxSettings {
    /// While offline, how often the provider is tried again.
    pub probe: Duration,
    /// The worker looks for due rows at least this often, whatever else wakes it.
    pub tick: Duration,
    pub retry: RetryPolicy,
    /// How long `stop` lets sends in flight finish before aborting them (they are then resumed
    /// at the next start).
    pub stop_timeout: Duration,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        Self {
            probe: Duration::from_secs(30),
            tick: Duration::from_secs(5),
            retry: RetryPolicy::default(),
            stop_timeout: Duration::from_secs(10),
        }
    }
}

impl OutboxSettings {
    /// The defaults, with intervals the environment may shorten or lengthen (tests).
    pub fn from_env() -> Self {
        fn read(var: &str, range: std::ops::RangeInclusive<u64>) -> Option<u64> {
            std::env::var(var)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .filter(|v| range.contains(v))
        }
        let mut settings = Self::default();
        if let Some(secs) = read(PROBE_ENV, 1..=3_600) {
            settings.probe = Duration::from_secs(secs);
        }
        if let Some(ms) = read(RETRY_BASE_ENV, 1..=3_600_000) {
            settings.retry.base = Duration::from_millis(ms);
        }
        settings.tick = settings.tick.min(settings.probe);
        settings
    }
}

#[derive(Debug)]
enum Command {
    Kick,
    Reload,
    Stop,
}

/// The app's way to the worker. Cheap to clone; every clone talks to the same task.
#[derive(Debug, Clone)]
pub struct OutboxHandle {
    db: Arc<Database>,
    commands: mpsc::UnboundedSender<Command>,
    events: broadcast::Sender<OutboxChanged>,
    idle: watch::Receiver<bool>,
    task: Arc<std::sync::Mutex<Option<JoinHandle<()>>>>,
    stop_timeout: Duration,
}

/// Starts the worker (inside the tokio runtime). Rows a crash left in `sending` are queued
/// again first.
pub fn start(
    db: Arc<Database>,
    mail: EmailService,
    settings: OutboxSettings,
) -> Result<OutboxHandle, OutboxError> {
    let resumed = db.write(store::resume_interrupted)?;
    if !resumed.is_empty() {
        tracing::info!(
            count = resumed.len(),
            "outbox: resuming emails interrupted while sending"
        );
    }
    let (commands, receiver) = mpsc::unbounded_channel();
    let (events, _) = broadcast::channel(1024);
    let (idle_sender, idle) = watch::channel(true);
    let stop_timeout = settings.stop_timeout;
    let mut tick = tokio::time::interval(settings.tick);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let worker = Worker {
        db: db.clone(),
        mail,
        settings,
        mailer: None,
        pacer: Pacer::for_provider(Provider::Smtp),
        events: events.clone(),
        idle: idle_sender,
        commands: receiver,
        in_flight: JoinSet::new(),
        ready: VecDeque::new(),
        in_flight_ids: HashMap::new(),
    };
    let task = tokio::spawn(worker.run(tick));
    Ok(OutboxHandle {
        db,
        commands,
        events,
        idle,
        task: Arc::new(std::sync::Mutex::new(Some(task))),
        stop_timeout,
    })
}

impl OutboxHandle {
    /// Look for due rows now (something was queued or retried).
    pub fn kick(&self) {
        let _ = self.commands.send(Command::Kick);
    }

    /// The email configuration changed: rebuild the provider's client, and try the rows that
    /// were waiting for a configuration at once.
    pub fn reload(&self) {
        let _ = self.commands.send(Command::Reload);
    }

    /// Call after committing a transaction that used [`super::enqueue`].
    pub fn queued(&self, id: OutboxId) {
        let _ = self.events.send(OutboxChanged {
            id,
            state: OutboxState::Queued,
        });
        self.kick();
    }

    /// "Reintentar ahora".
    pub fn retry_now(&self, id: OutboxId) -> Result<OutboxEntry, OutboxError> {
        let entry = self.db.write(|tx| store::retry_now(tx, id))?;
        self.queued(id);
        Ok(entry)
    }

    /// "Cancelar".
    pub fn cancel(&self, id: OutboxId) -> Result<OutboxEntry, OutboxError> {
        let entry = self.db.write(|tx| store::cancel(tx, id))?;
        let _ = self.events.send(OutboxChanged {
            id,
            state: entry.state,
        });
        Ok(entry)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<OutboxChanged> {
        self.events.subscribe()
    }

    /// No send is in flight (the updater may install).
    pub fn is_idle(&self) -> bool {
        *self.idle.borrow()
    }

    /// Waits until no send is in flight; false if that took longer than `timeout`.
    pub async fn wait_idle(&self, timeout: Duration) -> bool {
        let mut idle = self.idle.clone();
        tokio::time::timeout(timeout, idle.wait_for(|idle| *idle))
            .await
            .is_ok_and(|seen| seen.is_ok())
    }

    /// Stops the worker, letting sends in flight finish for up to the stop timeout; past it
    /// they are aborted and their rows resume at the next start.
    pub async fn stop(&self) -> Result<(), OutboxError> {
        let task = self
            .task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let Some(mut task) = task else {
            return Err(OutboxError::Stopped);
        };
        let _ = self.commands.send(Command::Stop);
        match tokio::time::timeout(self.stop_timeout, &mut task).await {
            Ok(_) => Ok(()),
            Err(_) => {
                task.abort();
                let _ = task.await;
                Err(OutboxError::StopTimedOut(self.stop_timeout))
            }
        }
    }
}

/// Sends in flight at once: SMTP uses its pool's connections; Resend's limit is per team and
/// tight, so two suffice to keep its pace.
fn concurrency(provider: Provider) -> usize {
    match provider {
        Provider::Smtp | Provider::Postmark => 4,
        Provider::Resend => 2,
    }
}

struct Attempt {
    claimed: Claimed,
    provider: Provider,
    result: Result<Receipt, MailError>,
}

struct Worker {
    db: Arc<Database>,
    mail: EmailService,
    settings: OutboxSettings,
    mailer: Option<Arc<ConfiguredMailer>>,
    pacer: Pacer,
    events: broadcast::Sender<OutboxChanged>,
    idle: watch::Sender<bool>,
    commands: mpsc::UnboundedReceiver<Command>,
    in_flight: JoinSet<Attempt>,
    /// Rows claimed (committed `sending`) and waiting for a free slot: claiming a few ahead
    /// turns one commit per email into one per handful. Never more than one width ahead.
    ready: VecDeque<Claimed>,
    /// Which row each task sends, for a task that panics.
    in_flight_ids: HashMap<tokio::task::Id, (OutboxId, Provider)>,
}

impl Worker {
    async fn run(mut self, mut tick: tokio::time::Interval) {
        loop {
            let wake_at = self.fill().await;
            self.idle.send_replace(self.in_flight.is_empty());
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
                    self.finish(finished);
                }
                _ = sleep, if wake_at.is_some() => {}
                _ = tick.tick() => {}
            }
        }
        // Graceful: the sends in flight have their own timeouts; record what they got.
        while let Some(done) = self.in_flight.join_next_with_id().await {
            self.finish(vec![done]);
        }
        self.release_ready();
        self.idle.send_replace(true);
        tracing::info!("outbox: worker stopped");
    }

    /// Starts sends for due rows while there is room and the pace allows. Returns when to look
    /// again, unless a send in flight will wake the loop first.
    async fn fill(&mut self) -> Option<Instant> {
        let mailer = match self.mailer.clone() {
            Some(mailer) => mailer,
            None => {
                // Only touch the keychain when something is due.
                match self.db.read(store::next_due_in) {
                    _ if !self.ready.is_empty() => {}
                    Ok(Some(wait)) if wait == Duration::ZERO => {}
                    Ok(Some(wait)) => {
                        return self.in_flight.is_empty().then(|| Instant::now() + wait)
                    }
                    Ok(None) => return None,
                    Err(err) => {
                        tracing::error!(error = %err, "outbox: cannot read the queue");
                        return Some(Instant::now() + self.settings.tick);
                    }
                }
                match self.mail.mailer().await {
                    Ok(mailer) => {
                        let mailer = Arc::new(mailer);
                        self.pacer = Pacer::for_provider(mailer.provider());
                        self.mailer = Some(mailer.clone());
                        mailer
                    }
                    Err(err) => {
                        self.release_ready();
                        return self.cannot_send(err);
                    }
                }
            }
        };
        let width = concurrency(mailer.provider());
        loop {
            self.launch(&mailer);
            if self.in_flight.len() >= width {
                return None;
            }
            let now = Instant::now();
            let ready = self.pacer.ready_at(now);
            if ready > now {
                return Some(ready);
            }
            let want = self.claim_size(width);
            let domain = mailer.sender().address.domain();
            let claimed = match self.db.write(|tx| store::claim_due(tx, domain, want)) {
                Ok(claimed) => claimed,
                Err(err) => {
                    tracing::error!(error = %err, "outbox: cannot claim rows");
                    return Some(now + self.settings.tick);
                }
            };
            if claimed.is_empty() {
                break;
            }
            self.ready.extend(claimed);
        }
        if !self.in_flight.is_empty() {
            return None;
        }
        match self.db.read(store::next_due_in) {
            Ok(Some(wait)) => Some(Instant::now() + wait),
            Ok(None) => None,
            Err(_) => Some(Instant::now() + self.settings.tick),
        }
    }

    /// How many rows to claim now: unpaced providers, once the claimed rows cannot fill the free
    /// slots, take enough for the slots and one width ahead (few, large commits); paced ones
    /// take one row at a time, each at its moment.
    fn claim_size(&self, width: usize) -> usize {
        let free = width.saturating_sub(self.in_flight.len());
        if self.pacer.gap().is_zero() {
            if self.ready.len() > free {
                return 0;
            }
            (2 * width).saturating_sub(self.in_flight.len() + self.ready.len())
        } else {
            usize::from(self.ready.is_empty() && self.in_flight.len() < width)
        }
    }

    /// Starts sends from the claimed rows while slots are free and the pace allows.
    fn launch(&mut self, mailer: &Arc<ConfiguredMailer>) {
        let provider = mailer.provider();
        while self.in_flight.len() < concurrency(provider) {
            let now = Instant::now();
            if self.pacer.ready_at(now) > now {
                break;
            }
            let Some(claimed) = self.ready.pop_front() else {
                break;
            };
            self.pacer.start(now);
            self.announce(claimed.id, OutboxState::Sending);
            let id = claimed.id;
            let mailer = mailer.clone();
            let task = self.in_flight.spawn(async move {
                let result = send(&mailer, &claimed).await;
                Attempt {
                    claimed,
                    provider,
                    result,
                }
            });
            self.in_flight_ids.insert(task.id(), (id, provider));
        }
    }

    /// Claimed rows that will not be sent now (stopping, offline, no service) go back to the
    /// queue as they were: no attempt was made.
    fn release_ready(&mut self) {
        if self.ready.is_empty() {
            return;
        }
        let ids: Vec<OutboxId> = self.ready.drain(..).map(|c| c.id).collect();
        match self.db.write(|tx| store::release(tx, &ids)) {
            Ok(()) => ids
                .into_iter()
                .for_each(|id| self.announce(id, OutboxState::Queued)),
            Err(err) => tracing::error!(error = %err, "outbox: cannot release claimed rows"),
        }
    }

    /// The configured service cannot be built: due rows wait for a configuration (no attempt
    /// counted), or fail when the configuration itself is wrong.
    fn cannot_send(&mut self, err: EmailServiceError) -> Option<Instant> {
        let reason = match err {
            EmailServiceError::NotConfigured => WaitReason::NotConfigured,
            EmailServiceError::SecretMissing => WaitReason::SecretMissing,
            EmailServiceError::Secret(_) => WaitReason::KeychainUnavailable,
            EmailServiceError::Mail(error) => {
                self.fail_due_rows(&error);
                return Some(Instant::now() + self.settings.probe);
            }
            other => {
                tracing::error!(error = %other, "outbox: the email service is unreadable");
                WaitReason::NotConfigured
            }
        };
        tracing::info!(reason = reason.code(), "outbox: waiting");
        match self
            .db
            .write(|tx| store::park_due(tx, reason, self.settings.probe))
        {
            Ok(ids) => ids
                .into_iter()
                .for_each(|id| self.announce(id, OutboxState::Queued)),
            Err(err) => tracing::error!(error = %err, "outbox: cannot park rows"),
        }
        Some(Instant::now() + self.settings.probe)
    }

    fn fail_due_rows(&mut self, error: &MailError) {
        loop {
            let claimed = self.db.write(|tx| {
                let Some(claimed) = store::claim_next(tx, "")? else {
                    return Ok(None);
                };
                let outcome = after_attempt(
                    Err(error.clone()),
                    claimed.attempts,
                    &self.settings.retry,
                    self.settings.probe,
                    fastrand::f64(),
                );
                store::record(tx, claimed.id, error.provider, &outcome)?;
                Ok::<_, OutboxError>(Some((claimed.id, outcome.state())))
            });
            match claimed {
                Ok(Some((id, state))) => self.announce(id, state),
                Ok(None) => break,
                Err(err) => {
                    tracing::error!(error = %err, "outbox: cannot record a failure");
                    break;
                }
            }
        }
    }

    fn finish(&mut self, finished: Vec<Result<(tokio::task::Id, Attempt), JoinError>>) {
        let mut results = Vec::with_capacity(finished.len());
        for done in finished {
            match done {
                Ok((task, attempt)) => {
                    self.in_flight_ids.remove(&task);
                    results.push((
                        attempt.claimed.id,
                        attempt.provider,
                        attempt.claimed.attempts,
                        attempt.result,
                    ));
                }
                Err(err) => {
                    // A panicking send is a bug; the row retries rather than sit in `sending`.
                    let Some((id, provider)) = self.in_flight_ids.remove(&err.id()) else {
                        continue;
                    };
                    tracing::error!(id = id.0, error = %err, "outbox: a send panicked");
                    let error = MailError::new(provider, MailFailure::ProviderUnavailable)
                        .message("the send was interrupted");
                    results.push((id, provider, 0, Err(error)));
                }
            }
        }
        self.record(results);
    }

    fn record(&mut self, results: Vec<(OutboxId, Provider, u32, Result<Receipt, MailError>)>) {
        let now = Instant::now();
        let mut outcomes = Vec::with_capacity(results.len());
        for (id, provider, attempts, result) in results {
            let outcome = after_attempt(
                result,
                attempts,
                &self.settings.retry,
                self.settings.probe,
                fastrand::f64(),
            );
            match &outcome {
                AfterAttempt::Sent(receipt) => {
                    if let Some(rate) = &receipt.rate_limit {
                        self.pacer.learn(rate, now);
                    }
                }
                AfterAttempt::Retry { error, .. } | AfterAttempt::Fail(error) => {
                    tracing::info!(
                        id = id.0,
                        provider = provider.code(),
                        failure = error.failure.code(),
                        provider_code = error.provider_code.as_deref().unwrap_or(""),
                        state = outcome.state().code(),
                        "outbox: attempt failed"
                    );
                    if provider == Provider::Smtp && error.failure == MailFailure::Timeout {
                        // lettre puts a connection whose send was abandoned back in its pool,
                        // and its NOOP check has no deadline: a stalled session would hang the
                        // next send too. A fresh transport drops the old pool and its
                        // connections.
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
            outcomes.push((id, provider, outcome));
        }
        // The next rows are claimed in the same transaction as these results are recorded: one
        // commit per turn instead of two (a commit, not the network, bounds a fast local
        // server). Only for unpaced providers with nothing waiting for the network; the others
        // go through fill() at their pace.
        let waiting = outcomes
            .iter()
            .any(|(_, _, o)| matches!(o, AfterAttempt::Wait { .. }));
        let next = self
            .mailer
            .clone()
            .filter(|_| !waiting && self.pacer.gap().is_zero());
        let want = next
            .as_ref()
            .map_or(0, |m| self.claim_size(concurrency(m.provider())));
        let domain = next
            .as_ref()
            .map(|m| m.sender().address.domain().to_owned());
        let written = self.db.write(|tx| {
            for (id, provider, outcome) in &outcomes {
                store::record(tx, *id, *provider, outcome)?;
            }
            match &domain {
                Some(domain) if want > 0 => store::claim_due(tx, domain, want),
                _ => Ok(Vec::new()),
            }
        });
        let claimed = match written {
            Ok(claimed) => claimed,
            Err(err) => {
                tracing::error!(error = %err, "outbox: cannot record attempts");
                return;
            }
        };
        let mut offline = None;
        for (id, _, outcome) in outcomes {
            self.announce(id, outcome.state());
            if let AfterAttempt::Wait { reason, after } = outcome {
                offline = Some((reason, after));
            }
        }
        self.ready.extend(claimed);
        if let Some(mailer) = next {
            self.launch(&mailer);
        }
        if let Some((reason, after)) = offline {
            self.release_ready();
            // No network for one means no network for all: the others wait too, uncounted.
            match self.db.write(|tx| store::park_due(tx, reason, after)) {
                Ok(ids) => ids
                    .into_iter()
                    .for_each(|id| self.announce(id, OutboxState::Queued)),
                Err(err) => tracing::error!(error = %err, "outbox: cannot park rows"),
            }
        }
    }

    fn reload(&mut self) {
        // Sends in flight keep their Arc of the old client; new ones get the new configuration.
        self.mailer = None;
        if let Err(err) = self.db.write(store::wake_waiting) {
            tracing::error!(error = %err, "outbox: cannot wake waiting rows");
        }
    }

    fn announce(&self, id: OutboxId, state: OutboxState) {
        // Nobody listening is fine: the UI may not be open.
        let _ = self.events.send(OutboxChanged { id, state });
    }
}

async fn send(mailer: &ConfiguredMailer, claimed: &Claimed) -> Result<Receipt, MailError> {
    let to = claimed.recipient.parse().map_err(|_| {
        MailError::new(mailer.provider(), MailFailure::RecipientRejected)
            .message("the queued recipient is not a valid address")
    })?;
    let email = OutgoingEmail {
        from: mailer.sender().clone(),
        to,
        subject: claimed.subject.clone(),
        text: claimed.text.clone(),
        html: claimed.html.clone(),
        message_id: claimed.message_id.clone(),
    };
    mailer.send(&email, Some(&claimed.idempotency_key())).await
}
