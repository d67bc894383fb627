//! Cachicamo's domain, free of any UI framework.
//!
//! The Tauri shell (`src-tauri/src`) only converts types and errors to and from this crate; every
//! rule about the books, the settings and the data lives here so it can be tested without a window.

pub mod backup;
pub mod books;
pub mod business;
pub mod clock;
pub mod collections;
pub mod data_lock;
pub mod db;
pub mod files;
pub mod locale;
pub mod mail;
pub mod notices;
pub mod outbox;
pub mod paths;
pub mod payment_options;
pub mod reference_rates;
pub mod reminders;
pub mod secrets;
pub mod settings;
pub mod statements;
pub mod step_templates;
pub mod templating;
pub mod undeliverable;
pub mod validation;
pub mod whatsapp;
pub mod wire;

pub use db::{Database, DbError};
