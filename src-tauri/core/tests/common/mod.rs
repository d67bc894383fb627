//! What the core's integration tests (and the outbox benchmark) share to build a shop the way
//! the app does: a real SQLite file, the real OS keychain under a service of the test's own, the
//! email service; the forms that configure it for the real SMTP server and the Resend and
//! Postmark fakes; the lock tests take before pointing the process at a fake; the outbox worker
//! with short intervals, and [`settle`], the signal that it has nothing left to do; the books
//! statements are made of, and a PDF's text as poppler reads it. Waiting for
//! anything else goes through `cachicamo_e2e::eventually`: no test pauses to see that nothing
//! more happens.
//!
//! Keychain tests run inside `.ci/desktop-session` (a Secret Service); the rest need nothing.

#![allow(dead_code, unused_imports)] // Each test file uses its own part.

mod books;
pub mod collections;
pub mod csv;
mod forms;
mod outbox;
mod providers;
mod schema;
mod shop;
mod statements;

pub use books::*;
pub use forms::*;
pub use outbox::*;
pub use providers::*;
pub use schema::*;
pub use shop::*;
pub use statements::*;
