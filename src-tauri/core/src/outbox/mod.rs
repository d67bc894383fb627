//! The outbox: reminder emails written to SQLite in the caller's transaction and sent by one
//! background worker, offline first.
//!
//! It owns the `outbox` table, the states a queued email goes through
//! (`queued → sending → sent | retrying | failed | uncertain`, and `cancelled`, `held`), when to
//! try again (backoff with jitter, Retry-After, waiting for the network or a quota without
//! counting it as a retry), the pace a provider allows, and the worker task.
//!
//! A row may carry files (`attachments`: a statement's PDF), stored with it; bulk work may travel
//! through a provider's batch endpoint (`batch`), its members, request body and key stored
//! before the first attempt so a retry sends exactly the same batch.
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
mod attachments;
mod backoff;
mod batch;
mod claim;
pub mod delivery;
mod delivery_store;
mod entries;
mod gate;
mod handle;
mod outcomes;
mod state;
mod store;
mod summary;
mod worker;

use serde::Serialize;
use ts_rs::TS;

pub use actions::{cancel, hold_restored, ids_in_state, mark_sent, recheck, retry_now, send_again};
pub use attachments::MAX_TOTAL_BYTES;
pub use backoff::{Pacer, RetryPolicy};
pub use batch::allow_batch;
pub use claim::{has_idempotency_key, KEY_WINDOW};
pub use delivery_store::{asking_about, Asking};
pub use entries::{get, list, list_by_reference, needs_owner};
pub use gate::{GateQuestion, SendGate, Unconditional, Verdict};
pub use handle::{prepare, start, OutboxChanged, OutboxHandle, OutboxSettings, OwnerAction, Rows};
pub use outcomes::{resume_interrupted, Interrupted};
pub use state::{AfterAttempt, CancelReason, HoldReason, OutboxState, WaitReason};
pub(crate) use store::now_text;
pub use store::{
    enqueue, Delivery, OutboxEntry, OutboxFailure, OutboxFilter, OutboxId, OutboxPage, QueuedEmail,
};
pub use summary::{bounced_since, OutboxSummary};

/// Why the owner's action on a row is refused. It crosses the IPC as it is (`reason` and what
/// each one carries), for the window to word, like the books' refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, TS)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum OutboxRefusal {
    /// The row's state does not allow the action (a sending row cannot be cancelled, only an
    /// uncertain one can be marked as sent…).
    #[error("no {} while {}", crate::wire::code(action), crate::wire::code(state))]
    OutboxState {
        state: OutboxState,
        action: OwnerAction,
    },
}

/// Seconds between checks that a provider is reachable again while offline (default 30).
pub const PROBE_ENV: &str = "CACHICAMO_OUTBOX_PROBE_SECS";
/// Milliseconds of the first retry's backoff; later ones double, up to the cap (default 5000).
pub const RETRY_BASE_ENV: &str = "CACHICAMO_OUTBOX_RETRY_BASE_MS";

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("outbox entry {0} does not exist")]
    NotFound(OutboxId),
    /// Sent and sending emails cannot be cancelled; only waiting or failed ones can be retried.
    #[error("outbox entry {id}: {refusal}")]
    NotAllowed {
        id: OutboxId,
        refusal: OutboxRefusal,
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
