//! Bandeja de salida's "Resumen": the last 7 days at a glance — entregados, demorados,
//! rebotados, spam, fallidos, en cola — each also a filter of the list (the same conditions, so
//! a count and the rows it opens always agree); and what bounced since the owner last looked,
//! for the main screens' banner. Read-only.

use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use super::store::OutboxFilter;
use super::OutboxError;

/// What the summary covers: rows created in the last 7 days (SQLite's clock, UTC text).
const LAST_7_DAYS: &str = "created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-7 days')";

/// The last 7 days of the outbox, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutboxSummary {
    #[ts(type = "number")]
    pub delivered: i64,
    #[ts(type = "number")]
    pub delayed: i64,
    #[ts(type = "number")]
    pub bounced: i64,
    #[ts(type = "number")]
    pub complained: i64,
    #[ts(type = "number")]
    pub failed: i64,
    #[ts(type = "number")]
    pub queued: i64,
}

/// The SQL condition of a filter (`1` for every row).
pub(crate) fn condition(filter: OutboxFilter) -> String {
    let last_week = |clause: &str| format!("{LAST_7_DAYS} AND {clause}");
    match filter {
        OutboxFilter::All => "1".into(),
        OutboxFilter::NeedsOwner => "state IN ('held', 'uncertain')".into(),
        OutboxFilter::Delivered => last_week("state = 'sent' AND delivery = 'delivered'"),
        OutboxFilter::Delayed => last_week("state = 'sent' AND delivery = 'delayed'"),
        // A refusal for an inactive recipient is a bounce the provider remembered.
        OutboxFilter::Bounced => last_week(
            "((state = 'sent' AND delivery = 'bounced')
              OR (state = 'failed' AND error_code = 'recipient_inactive'))",
        ),
        OutboxFilter::Complained => last_week("state = 'sent' AND delivery = 'complained'"),
        OutboxFilter::Failed => last_week(
            "state IN ('failed', 'uncertain')
             AND coalesce(error_code, '') <> 'recipient_inactive'",
        ),
        OutboxFilter::Queued => last_week("state IN ('queued', 'retrying', 'sending', 'held')"),
    }
}

/// The counts of the last 7 days.
pub fn summary(conn: &Connection) -> Result<OutboxSummary, OutboxError> {
    let count = |filter: OutboxFilter| -> Result<i64, OutboxError> {
        Ok(conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM outbox WHERE {}",
                condition(filter)
            ))?
            .query_row([], |r| r.get(0))?)
    };
    Ok(OutboxSummary {
        delivered: count(OutboxFilter::Delivered)?,
        delayed: count(OutboxFilter::Delayed)?,
        bounced: count(OutboxFilter::Bounced)?,
        complained: count(OutboxFilter::Complained)?,
        failed: count(OutboxFilter::Failed)?,
        queued: count(OutboxFilter::Queued)?,
    })
}

/// How many emails bounced or were marked as spam (or were refused for an address the provider
/// will not write to) after `since` — every one when the owner never looked.
pub fn bounced_since(conn: &Connection, since: Option<&str>) -> Result<i64, OutboxError> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM outbox
              WHERE (state = 'sent' AND delivery IN ('bounced', 'complained')
                     AND delivery_at > coalesce(?1, ''))
                 OR (state = 'failed' AND error_code = 'recipient_inactive'
                     AND updated_at > coalesce(?1, ''))",
        )?
        .query_row([since], |r| r.get(0))?)
}
