//! End-to-end stories: each drives the real Cachicamo window as a shop owner would.
//! Run through `.ci/e2e` (Xvfb, D-Bus session, unlocked keyring, tauri-driver).

mod a11y;
mod autostart;
mod backups;
mod business;
mod collections;
mod collections_policies;
mod collections_policy;
mod csv;
mod customers;
mod data;
mod delivery;
mod email;
mod email_secret;
mod flow;
mod helpers;
mod notices;
mod package;
mod pauses;
mod receivables;
mod reference_rate;
mod reminders;
mod send_path;
mod shell;
mod statement_template;
mod statements;
mod statements_bulk;
mod step_templates;
mod templates;
mod updates;
