//! A few authenticated SMTP sessions kept open between sends, so a queue of reminders does not
//! pay for TCP, TLS and AUTH per message.
//!
//! Invariant: a connection is parked only after a send the server accepted (its state is then
//! known: idle, between transactions). Any failure drops the connection instead — a session
//! that stalled, dropped or refused something never serves the next send. A parked connection
//! is used again only if it is younger than the idle timeout and answers NOOP within a short
//! deadline; an idle one is closed (QUIT) once it outlives the idle timeout.

use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use lettre::transport::smtp::client::AsyncSmtpConnection;

/// How long a polite QUIT may take before the connection is simply closed.
const QUIT_GRACE: Duration = Duration::from_secs(2);

struct Parked {
    conn: AsyncSmtpConnection,
    since: Instant,
}

type Idle = Mutex<Vec<Parked>>;

pub(super) struct Pool {
    idle: Arc<Idle>,
    max_idle: usize,
    idle_timeout: Duration,
    probe: Duration,
    reaper: Option<tokio::task::JoinHandle<()>>,
}

impl Pool {
    /// Outside a tokio runtime there is no reaper: expired connections are then closed when
    /// the next send looks for one.
    pub(super) fn new(max_idle: usize, idle_timeout: Duration, probe: Duration) -> Self {
        let idle: Arc<Idle> = Arc::default();
        let reaper = tokio::runtime::Handle::try_current()
            .ok()
            .map(|runtime| runtime.spawn(reap(Arc::downgrade(&idle), idle_timeout)));
        Self {
            idle,
            max_idle,
            idle_timeout,
            probe,
            reaper,
        }
    }

    /// The most recently parked connection that is still fresh and answers NOOP in time;
    /// `None` when there is none (open a new one).
    pub(super) async fn take(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let parked = lock(&self.idle).pop()?;
            if parked.since.elapsed() > self.idle_timeout {
                quit_in_background(parked.conn);
                continue;
            }
            let mut conn = parked.conn;
            if let Ok(true) = tokio::time::timeout(self.probe, conn.test_connected()).await {
                return Some(conn);
            }
            // No answer or a refusal: the server forgot the session. Close it without a word.
        }
    }

    /// Keeps a connection whose last send the server accepted; call it after success only.
    pub(super) fn put(&self, conn: AsyncSmtpConnection) {
        let mut idle = lock(&self.idle);
        if idle.len() < self.max_idle {
            idle.push(Parked {
                conn,
                since: Instant::now(),
            });
        } else {
            drop(idle);
            quit_in_background(conn);
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        if let Some(reaper) = self.reaper.take() {
            reaper.abort();
        }
        for parked in lock(&self.idle).drain(..) {
            quit_in_background(parked.conn);
        }
    }
}

/// A connection is plain data: a panic elsewhere while holding the lock leaves nothing broken.
fn lock(idle: &Idle) -> std::sync::MutexGuard<'_, Vec<Parked>> {
    idle.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Closes connections parked for longer than the idle timeout, until the pool is gone.
async fn reap(idle: Weak<Idle>, idle_timeout: Duration) {
    loop {
        tokio::time::sleep(idle_timeout).await;
        let Some(idle) = idle.upgrade() else { return };
        let expired: Vec<Parked> = {
            let mut parked = lock(&idle);
            let (expired, fresh) = parked
                .drain(..)
                .partition(|p| p.since.elapsed() > idle_timeout);
            *parked = fresh;
            expired
        };
        drop(idle);
        for parked in expired {
            quit_in_background(parked.conn);
        }
    }
}

/// Says QUIT to a connection in a known state (idle, or right after a definite reply) without
/// making anyone wait; outside a runtime the connection is just closed. Never use it on a
/// connection interrupted mid-command: QUIT could land inside a half-sent message.
pub(super) fn quit_in_background(mut conn: AsyncSmtpConnection) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            let _ = tokio::time::timeout(QUIT_GRACE, conn.abort()).await;
        });
    }
}
