//! The app's way to the outbox: starting and stopping the worker (it can be stopped for a
//! restore or an update and started again on the same channels, so screens keep listening),
//! the owner's actions on rows — each checked against the books in one transaction, then
//! announced — and the change events screens follow.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;
use ts_rs::TS;

use super::actions;
use super::backoff::RetryPolicy;
use super::gate::SendGate;
use super::outcomes;
use super::state::OutboxState;
use super::store::{OutboxEntry, OutboxId};
use super::worker::{self, Command};
use super::{OutboxError, PROBE_ENV, RETRY_BASE_ENV};
use crate::db::Database;
use crate::mail::service::EmailService;

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
    /// How long `stop` lets sends in flight finish before aborting them (their rows are then
    /// resolved at the next start: resent under a key, or uncertain).
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

/// The rows an owner's action applies to: one, every row in a state ("Reenviar todos"), or the
/// rows of a list where the action still applies ("cancel the rest" of a bulk send: those already
/// sent, or on their way, are left as they are).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rows {
    One { id: OutboxId },
    AllIn { state: OutboxState },
    Listed { ids: Vec<OutboxId> },
}

/// What the owner does to rows in Bandeja de salida or a receivable's Email section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OwnerAction {
    /// "Reintentar ahora".
    Retry,
    /// "Reenviar" (uncertain) or "Enviar" (held).
    SendAgain,
    /// "Marcar como enviado".
    MarkSent,
    /// "Cancelar".
    Cancel,
}

/// What the worker publishes at the end of every turn (at least once a tick), right after
/// looking for due rows and due questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Turn {
    /// No send in flight and no outcome waiting to be written: the updater may install, and
    /// closing need not tell the owner that emails are leaving.
    pub idle: bool,
    /// A delivery question is in flight, or waits for the pace or the network to allow one. It
    /// sends nothing, so it does not make the worker busy, but it will still change rows: not
    /// settled.
    pub asking: bool,
}

impl Turn {
    pub const QUIET: Turn = Turn {
        idle: true,
        asking: false,
    };
}

/// A running worker task and the way to talk to it.
pub(super) struct Running {
    pub commands: mpsc::UnboundedSender<Command>,
    pub task: JoinHandle<()>,
    pub turns: watch::Receiver<Turn>,
}

pub(super) struct Shared {
    pub db: Arc<Database>,
    pub mail: EmailService,
    pub gate: Arc<dyn SendGate>,
    pub settings: OutboxSettings,
    pub events: broadcast::Sender<OutboxChanged>,
    running: Mutex<Option<Running>>,
}

/// The app's way to the worker. Cheap to clone; every clone talks to the same task.
#[derive(Clone)]
pub struct OutboxHandle {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for OutboxHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxHandle")
            .field("running", &self.is_running())
            .finish()
    }
}

/// Starts the worker (inside the tokio runtime) with the send check `gate`. Rows a stop or
/// crash left in `sending` are resolved first: resent under Resend's key, or uncertain.
pub fn start(
    db: Arc<Database>,
    mail: EmailService,
    gate: Arc<dyn SendGate>,
    settings: OutboxSettings,
) -> Result<OutboxHandle, OutboxError> {
    let handle = prepare(db, mail, gate, settings);
    handle.resume()?;
    Ok(handle)
}

/// The handle without its worker, touching neither the database nor the runtime: screens can
/// subscribe and rows can be queued and announced at once, while the worker (which reads the
/// queue and may write to it) waits for [`OutboxHandle::resume`] — the app starts it once its
/// first screen is up, so the two do not compete.
pub fn prepare(
    db: Arc<Database>,
    mail: EmailService,
    gate: Arc<dyn SendGate>,
    settings: OutboxSettings,
) -> OutboxHandle {
    let (events, _) = broadcast::channel(1024);
    OutboxHandle {
        shared: Arc::new(Shared {
            db,
            mail,
            gate,
            settings,
            events,
            running: Mutex::new(None),
        }),
    }
}

impl OutboxHandle {
    /// Starts a worker task unless one runs (after [`Self::stop`]: a restore, or an update that
    /// did not happen). Rows left `sending` are resolved first.
    pub fn resume(&self) -> Result<(), OutboxError> {
        let mut running = self.running();
        if running.as_ref().is_some_and(|r| !r.task.is_finished()) {
            return Ok(());
        }
        let interrupted = self.shared.db.write(outcomes::resume_interrupted)?;
        if !interrupted.resumed.is_empty() || !interrupted.uncertain.is_empty() {
            tracing::info!(
                resumed = interrupted.resumed.len(),
                uncertain = interrupted.uncertain.len(),
                "outbox: emails interrupted while sending"
            );
        }
        *running = Some(worker::spawn(self.shared.clone()));
        drop(running);
        for id in interrupted.uncertain {
            self.announce(id, OutboxState::Uncertain);
        }
        for id in interrupted.resumed {
            self.announce(id, OutboxState::Queued);
        }
        Ok(())
    }

    fn running(&self) -> MutexGuard<'_, Option<Running>> {
        self.shared
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn command(&self, command: Command) {
        if let Some(running) = self.running().as_ref() {
            let _ = running.commands.send(command);
        }
    }

    /// Whether a worker task is running.
    pub fn is_running(&self) -> bool {
        self.running()
            .as_ref()
            .is_some_and(|r| !r.task.is_finished())
    }

    /// Look for due rows now (something was queued or retried).
    pub fn kick(&self) {
        self.command(Command::Kick);
    }

    /// The email configuration changed: rebuild the provider's client, and try the rows that
    /// were waiting for a configuration at once.
    pub fn reload(&self) {
        self.command(Command::Reload);
    }

    /// Call after committing a transaction that used [`super::enqueue`].
    pub fn queued(&self, id: OutboxId) {
        self.announce(id, OutboxState::Queued);
        self.kick();
    }

    /// Tells the screens about rows a committed transaction changed (the send check after a
    /// change to the books, a restore), and wakes the worker when one became due.
    pub fn announce_all(&self, changes: &[OutboxChanged]) {
        for change in changes {
            self.announce(change.id, change.state);
        }
        if changes.iter().any(|c| c.state == OutboxState::Queued) {
            self.kick();
        }
    }

    fn announce(&self, id: OutboxId, state: OutboxState) {
        // Nobody listening is fine: the UI may not be open.
        let _ = self.shared.events.send(OutboxChanged { id, state });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<OutboxChanged> {
        self.shared.events.subscribe()
    }

    /// The owner's action on one row or all rows in a state, each through the send check, in
    /// one transaction; returns the rows as they are now.
    pub fn act(&self, action: OwnerAction, rows: Rows) -> Result<Vec<OutboxEntry>, OutboxError> {
        let gate = self.shared.gate.clone();
        let entries = self.shared.db.write(|tx| {
            let ids = match rows {
                Rows::One { id } => vec![id],
                Rows::AllIn { state } => actions::ids_in_state(tx, state)?,
                Rows::Listed { ids } => actions::ids_allowing(tx, &ids, action)?,
            };
            ids.into_iter()
                .map(|id| match action {
                    OwnerAction::Retry => actions::retry_now(tx, gate.as_ref(), id),
                    OwnerAction::SendAgain => actions::send_again(tx, gate.as_ref(), id),
                    OwnerAction::MarkSent => actions::mark_sent(tx, id),
                    OwnerAction::Cancel => actions::cancel(tx, id),
                })
                .collect::<Result<Vec<_>, _>>()
        })?;
        let changes: Vec<OutboxChanged> = entries
            .iter()
            .map(|e| OutboxChanged {
                id: e.id,
                state: e.state,
            })
            .collect();
        self.announce_all(&changes);
        Ok(entries)
    }

    /// "Reintentar ahora" on one row.
    pub fn retry_now(&self, id: OutboxId) -> Result<OutboxEntry, OutboxError> {
        self.one(OwnerAction::Retry, id)
    }

    /// "Cancelar" on one row.
    pub fn cancel(&self, id: OutboxId) -> Result<OutboxEntry, OutboxError> {
        self.one(OwnerAction::Cancel, id)
    }

    fn one(&self, action: OwnerAction, id: OutboxId) -> Result<OutboxEntry, OutboxError> {
        self.act(action, Rows::One { id })?
            .pop()
            .ok_or(OutboxError::NotFound(id))
    }

    /// Stops the worker, runs `replace` (a restore) with nothing being claimed or sent, holds
    /// every row the new data brings back waiting or sending for the owner, and starts the
    /// worker again — also when `replace` failed, so the app never stays silently stopped.
    pub async fn while_stopped<T, E>(
        &self,
        replace: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<T, E>
    where
        E: From<OutboxError>,
    {
        if let Err(err) = self.stop().await {
            // Timed out: sends in flight were aborted; their rows are resolved on resume.
            tracing::warn!(error = %err, "outbox: stopped the hard way before replacing data");
        }
        let replaced = replace.await;
        let held = match &replaced {
            Ok(_) => self.shared.db.write(actions::hold_restored),
            Err(_) => Ok(Vec::new()),
        };
        let resumed = self.resume();
        let value = replaced?;
        for id in held? {
            self.announce(id, OutboxState::Held);
        }
        resumed?;
        Ok(value)
    }

    /// No send is in flight (the updater may install).
    pub fn is_idle(&self) -> bool {
        self.running()
            .as_ref()
            .is_none_or(|r| r.turns.borrow().idle)
    }

    /// Waits until no send is in flight; false if that took longer than `timeout`.
    pub async fn wait_idle(&self, timeout: Duration) -> bool {
        let turns = self.running().as_ref().map(|r| r.turns.clone());
        let Some(mut turns) = turns else {
            return true;
        };
        tokio::time::timeout(timeout, turns.wait_for(|turn| turn.idle))
            .await
            .is_ok_and(|seen| seen.is_ok())
    }

    /// Waits until the worker has settled for at least `horizon`: no send or delivery question
    /// in flight, no outcome waiting to be written, no row `sending`, no row due sooner than
    /// `horizon` from now — and two turns of the worker in a row found it so, the second begun
    /// after this call (so it also looked at every question due by then, and asked none). Nothing
    /// leaves before then unless something is queued, retried or reloaded. False if that did not
    /// happen within `timeout`. Tests wait for this instead of pausing to see that nothing more
    /// happens.
    pub async fn wait_settled(&self, horizon: Duration, timeout: Duration) -> bool {
        let turns = self.running().as_ref().map(|r| r.turns.clone());
        let Some(mut turns) = turns else {
            return true; // Stopped: nothing is claimed until it resumes.
        };
        let settled = async {
            // The turn last published may have begun before this call; the first one published
            // after it may too, but the one after that began once it was published.
            turns.borrow_and_update();
            let mut quiet_turns = 0;
            while quiet_turns < 2 {
                // A turn now rather than at the next tick: a look at the queue changes nothing
                // a tick's would not.
                self.kick();
                if turns.changed().await.is_err() {
                    break; // Stopped.
                }
                let turn = *turns.borrow_and_update();
                if turn == Turn::QUIET && self.nothing_due(horizon)? {
                    quiet_turns += 1;
                } else {
                    quiet_turns = 0;
                }
            }
            Ok::<_, OutboxError>(())
        };
        matches!(tokio::time::timeout(timeout, settled).await, Ok(Ok(())))
    }

    /// No row is `sending` (in flight, or its outcome not yet written) and none is due within
    /// `horizon`.
    fn nothing_due(&self, horizon: Duration) -> Result<bool, OutboxError> {
        self.shared.db.read(|c| {
            let sending: bool = c.query_row(
                "SELECT EXISTS (SELECT 1 FROM outbox WHERE state = ?1)",
                [crate::wire::code(&OutboxState::Sending)],
                |r| r.get(0),
            )?;
            let next = outcomes::next_due_in(c)?;
            Ok(!sending && next.is_none_or(|wait| wait > horizon))
        })
    }

    /// Stops the worker, letting sends in flight finish and be recorded for up to the stop
    /// timeout; past it they are aborted and their rows are resolved at the next start
    /// (resent under a key, or uncertain). Nothing is claimed after this returns.
    pub async fn stop(&self) -> Result<(), OutboxError> {
        let Some(running) = self.running().take() else {
            return Err(OutboxError::Stopped);
        };
        let Running {
            commands, mut task, ..
        } = running;
        let _ = commands.send(Command::Stop);
        let timeout = self.shared.settings.stop_timeout;
        match tokio::time::timeout(timeout, &mut task).await {
            Ok(_) => Ok(()),
            Err(_) => {
                task.abort();
                let _ = task.await;
                Err(OutboxError::StopTimedOut(timeout))
            }
        }
    }
}
