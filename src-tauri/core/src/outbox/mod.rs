//! The outbox: reminder emails written to SQLite in the caller's transaction and sent by one
//! background worker, offline first.
//!
//! It owns the `outbox` table, the states a queued email goes through
//! (`queued → sending → sent | retrying | failed | uncertain`, and `cancelled`, `held`), when to
//! try again (backoff with jitter, Retry-After, waiting for the network or a quota without
//! counting it as a retry), the pace a provider allows, and the worker task.
//!
//! Its promises: a row leaves only after the send check ([`SendGate`], handed over by the
//! feature that queued it) found, in the claiming transaction, that its message still tells the
//! truth; a message that may already be at a provider without idempotency is never sent again
//! without the owner ([`OutboxState::Uncertain`]); keys and Message-IDs derive from a random
//! UUID per row, so no other database can reuse them. It stores the rendered message and never
//! renders one (a re-render comes from the gate). It never stores a secret, and it knows nothing
//! of Tauri or of receivables — changes are announced on a plain channel
//! ([`OutboxHandle::subscribe`]).

mod actions;
mod backoff;
mod claim;
mod gate;
mod handle;
mod state;
mod store;
mod worker;

pub use actions::{cancel, hold_restored, ids_in_state, mark_sent, recheck, retry_now, send_again};
pub use backoff::{Pacer, RetryPolicy};
pub use claim::{has_idempotency_key, resume_interrupted, Interrupted, KEY_WINDOW};
pub use gate::{GateQuestion, SendGate, Unconditional, Verdict};
pub use handle::{prepare, start, OutboxChanged, OutboxHandle, OutboxSettings, OwnerAction, Rows};
pub use state::{AfterAttempt, CancelReason, HoldReason, OutboxState, WaitReason};
pub use store::{
    enqueue, get, list, list_by_reference, needs_owner, OutboxEntry, OutboxFailure, OutboxFilter,
    OutboxId, OutboxPage, QueuedEmail,
};

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
