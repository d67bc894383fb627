//! The send check: asked about a row inside the transaction that claims it (and inside every
//! transaction that changes what the row is about), it decides whether the stored message still
//! tells the truth.
//!
//! The outbox stays generic and below the books: it never reads a receivable. The feature that
//! queued a row (reminders today, statements and pauses later) hands the worker a [`SendGate`],
//! and the outbox applies its [`Verdict`]. A gate that cannot decide must say so
//! ([`Verdict::Hold`]): nothing leaves unchecked.

use rusqlite::Transaction;

use super::state::{CancelReason, HoldReason};
use super::store::QueuedEmail;

/// What the gate is asked about one row.
#[derive(Debug, Clone, Copy)]
pub struct GateQuestion<'a> {
    /// What the row is about (`receivable:42`), as its producer wrote it.
    pub reference: Option<&'a str>,
    /// The facts its producer stored with the message (JSON), as written at queue time or at the
    /// last re-render.
    pub facts: Option<&'a str>,
    /// Where the stored message goes.
    pub recipient: &'a str,
}

/// The gate's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The message still says the truth: send it as stored.
    Send,
    /// It must never go (paid, voided, moved to another customer…).
    Cancel(CancelReason),
    /// The facts changed but the message is still wanted: send this instead, under a new
    /// generation (new Idempotency-Key and Message-ID). Its `reference` is ignored.
    Rewrite(Box<QueuedEmail>),
    /// Only the owner may decide.
    Hold(HoldReason),
}

/// Decides, inside the caller's transaction, what becomes of a row about to leave or waiting.
pub trait SendGate: Send + Sync {
    /// Errors are the gate's own (a database read failed): the outbox holds the row for review
    /// rather than send it unchecked.
    fn check(
        &self,
        tx: &Transaction<'_>,
        question: &GateQuestion<'_>,
    ) -> Result<Verdict, Box<dyn std::error::Error + Send + Sync>>;
}

/// The gate for rows about nothing the app checks (tests of the outbox's own mechanics, or a
/// build with no feature queueing mail): every message still says the truth.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unconditional;

impl SendGate for Unconditional {
    fn check(
        &self,
        _tx: &Transaction<'_>,
        _question: &GateQuestion<'_>,
    ) -> Result<Verdict, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Verdict::Send)
    }
}
