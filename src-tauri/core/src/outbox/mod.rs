//! The outbox: reminder emails written to SQLite in the caller's transaction and sent by one
//! background worker, offline first.
//!
//! It owns the `outbox` table, the states a queued email goes through
//! (`queued → sending → sent | retrying | failed`, and `cancelled`), when to try again (backoff
//! with jitter, Retry-After, waiting for the network without counting it as a retry), the pace
//! a provider allows, and the worker task. It stores the rendered message and never renders one:
//! what the user previewed is what a retry sends. It never stores a secret, and it knows nothing
//! of Tauri — changes are announced on a plain channel ([`OutboxHandle::subscribe`]).

mod backoff;
mod state;
mod store;
mod worker;

pub use backoff::{Pacer, RetryPolicy};
pub use state::{AfterAttempt, OutboxState, WaitReason};
pub use store::{
    cancel, enqueue, get, list, list_by_reference, resume_interrupted, retry_now, OutboxEntry,
    OutboxFailure, OutboxId, OutboxPage, QueuedEmail,
};
pub use worker::{start, OutboxChanged, OutboxHandle, OutboxSettings};

/// Seconds between checks that a provider is reachable again while offline (default 30).
pub const PROBE_ENV: &str = "CACHICAMO_OUTBOX_PROBE_SECS";
/// Milliseconds of the first retry's backoff; later ones double, up to the cap (default 5000).
pub const RETRY_BASE_ENV: &str = "CACHICAMO_OUTBOX_RETRY_BASE_MS";

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("outbox entry {0} does not exist")]
    NotFound(OutboxId),
    /// Sent and sending emails cannot be cancelled; only waiting or failed ones can be retried.
    #[error("outbox entry {id} is {state:?}: it cannot be {action}")]
    NotAllowed {
        id: OutboxId,
        state: OutboxState,
        action: &'static str,
    },
    #[error("the email cannot be queued: {0}")]
    Invalid(&'static str),
    #[error("the outbox entry {id} is unreadable: {detail}")]
    Corrupt { id: OutboxId, detail: String },
    #[error("the outbox worker is not running")]
    Stopped,
    #[error("the outbox worker did not stop within {0:?}; it was aborted")]
    StopTimedOut(std::time::Duration),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}
