//! Books as an earlier version left them: a SQLite file made by that version's own migrations,
//! for the tests that check what an upgrade does to them.

use std::path::Path;

use cachicamo_core::validation::{FieldError, FieldProblem};

/// Every migration, in order, as the versions that shipped them applied them.
const MIGRATIONS: [&str; 7] = [
    include_str!("../../migrations/0001_settings.sql"),
    include_str!("../../migrations/0002_email_service.sql"),
    include_str!("../../migrations/0003_customers.sql"),
    include_str!("../../migrations/0004_receivables.sql"),
    include_str!("../../migrations/0005_outbox.sql"),
    include_str!("../../migrations/0006_outbox_trust.sql"),
    include_str!("../../migrations/0007_payment_rate.sql"),
];

/// A new file at `path` with the schema of `version` (its `user_version` set), for the test
/// to fill as that version would have.
pub fn books_at_version(path: &Path, version: usize) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).expect("an earlier version's file");
    for sql in &MIGRATIONS[..version] {
        conn.execute_batch(sql).expect("an earlier migration");
    }
    conn.pragma_update(None, "user_version", version as i64)
        .expect("the earlier version");
    conn
}

/// The refused fields as (field, problem), to compare with what the form should say.
pub fn refused(fields: &[FieldError]) -> Vec<(&str, FieldProblem)> {
    fields
        .iter()
        .map(|f| (f.field.as_str(), f.problem))
        .collect()
}
