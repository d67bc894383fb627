//! The day's batch without a click: in "Enviar a las HH:MM" once that time has come, in
//! "Automático" at once — but never past the payments gate. When no payment was recorded for
//! the policy's days, reminding customers who already paid is the risk every vendor warns of:
//! nobody is there to answer "¿Registró los pagos recientes?", so the batch waits and says so.

use rusqlite::{Connection, OptionalExtension};
use time::{Duration, OffsetDateTime};

use super::policy::SendMode;
use super::{policies_in, today, CollectionsError, DEFAULT_POLICY};
use crate::books::reading::Reading;
use crate::db::Database;
use crate::outbox::OutboxId;

/// What the batch did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Batch {
    /// "Revisar antes de enviar", or not yet the hour: the owner sends.
    NotNow,
    /// No payment recorded for `days` days: nothing left; the owner is asked.
    WaitsForPayments { days: u32 },
    /// These messages were queued (possibly none): statements, and reminders for the steps
    /// sent per receivable.
    Queued(Vec<OutboxId>),
}

/// Any payment recorded since ?1, read through `payments_by_recorded` (migration 0016): without
/// it the question reads every payment ever recorded exactly when none is recent.
const RECORDED_SINCE: &str = "SELECT 1 FROM payments WHERE created_at >= ?1 LIMIT 1";

/// Whether a payment was recorded within the last `days` days before `now`.
pub fn payments_recent(
    conn: &Connection,
    now: OffsetDateTime,
    days: u32,
) -> Result<bool, CollectionsError> {
    let since = now.to_offset(time::UtcOffset::UTC) - Duration::days(i64::from(days));
    let since = since
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let found: Option<i64> = conn
        .query_row(RECORDED_SINCE, [since], |r| r.get(0))
        .optional()?;
    Ok(found.is_some())
}

/// Sends the day's due lines if the policy's mode says so at `now` (the user's clock), and the
/// payments gate lets them.
pub fn run(
    db: &Database,
    reading: &Reading,
    now: OffsetDateTime,
) -> Result<Batch, CollectionsError> {
    // The mode and the gate are the shop's (policy 1's), whichever policies are on.
    let (rules, any_on) = db.read(|conn| {
        let policies = policies_in(conn)?;
        let any_on = policies.values().any(|rules| rules.enabled);
        let shop = policies.get(&DEFAULT_POLICY).cloned().unwrap_or_default();
        Ok::<_, CollectionsError>((shop, any_on))
    })?;
    if !any_on {
        return Ok(Batch::NotNow);
    }
    match rules.mode {
        SendMode::Review => return Ok(Batch::NotNow),
        SendMode::At { hour, minute } if (now.hour(), now.minute()) < (hour, minute) => {
            return Ok(Batch::NotNow)
        }
        SendMode::At { .. } | SendMode::Automatic => {}
    }
    let sendable = today::sendable(db, reading)?;
    if sendable.is_empty() {
        return Ok(Batch::Queued(Vec::new()));
    }
    if !db.read(|conn| payments_recent(conn, now, rules.payments_gate_days))? {
        return Ok(Batch::WaitsForPayments {
            days: rules.payments_gate_days,
        });
    }
    Ok(Batch::Queued(today::send_all(db, reading)?))
}

#[cfg(test)]
mod tests {
    use crate::db::Database;

    #[test]
    fn the_payments_gate_reads_only_the_recent_payments() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(&dir.path().join("db.sqlite3")).expect("db");
        let plan = db
            .read(|conn| {
                let sql = format!("EXPLAIN QUERY PLAN {}", super::RECORDED_SINCE);
                let mut statement = conn.prepare(&sql)?;
                let rows = statement.query_map(["2026-01-01"], |row| row.get::<_, String>(3))?;
                rows.collect::<rusqlite::Result<Vec<_>>>()
            })
            .expect("plan");
        assert!(
            plan.iter()
                .any(|step| step.starts_with("SEARCH") && step.contains("payments_by_recorded")),
            "{plan:?}"
        );
    }
}
