//! The outbox against real servers: a real SMTP server that goes away, stalls or drops, fake
//! Resend and Postmark servers that speak the documented contract (429 with Retry-After, 5xx,
//! dropped and stalled requests, Idempotency-Key replay, batches), the real keychain and a real
//! SQLite file — and a worker process killed with SIGKILL mid-drain. Files travel with their
//! email (`attachments`); bulk work goes through the batch endpoints (`batches`). One test binary, so the slow
//! crash tests run beside the others.
//!
//! Run inside `.ci/desktop-session` (the keychain needs a Secret Service).

#[path = "../common/mod.rs"]
mod common;

mod attachments;
mod batches;
mod crash;
mod http;
mod smtp;
