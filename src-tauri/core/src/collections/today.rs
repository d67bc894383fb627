//! Cobros de hoy: the slots the evaluator decided that wait for the owner — due today, caught
//! up after days off ("vencida hace 8 días → segundo aviso"), held by a cooldown or a cap, or
//! postponed until today — with the balance per currency and the recipient; and what the owner
//! does with each: Enviar (one, or all), Omitir, Posponer hasta…
//!
//! Sending marks the slot `queued` in the very transaction that puts its message in the outbox
//! — the customer's statement, or for a step sent per receivable that receivable's own payment
//! reminder, exactly as its detail's "Enviar recordatorio" queues it — and only if it was still
//! waiting: a second click, a second window or "Enviar todos" after a restart finds nothing
//! left to send.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use time::Date;
use ts_rs::TS;

use super::batch::payments_recent;
use super::evaluate::HeldFor;
use super::policies::followed_in;
use super::policy::{PolicyRules, SendMode};
use super::step_words::step_for_slot;
use super::{policies_in, CollectionsError, DEFAULT_POLICY};
use crate::books::dates::{from_iso, iso};
use crate::books::money::Money;
use crate::books::reading::Reading;
use crate::books::{BooksError, Refusal};
use crate::db::Database;
use crate::outbox::OutboxId;
use crate::reminders::{self, ReminderError};
use crate::statements::queue::{draft_for_step_in, enqueue_in};
use crate::statements::StatementError;
use crate::validation::FieldErrors;
use crate::wire;

/// Why a line is in Cobros de hoy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TodayState {
    Due,
    /// Beyond the cooldown or a cap (`held_for`): sent only if the owner says so.
    Held,
    /// Postponed until today or earlier.
    Postponed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TodayLine {
    #[ts(type = "number")]
    pub slot_id: i64,
    #[ts(type = "number")]
    pub customer_id: i64,
    pub customer_name: String,
    /// Where it goes; `None`: the customer has no address (the line says so).
    pub recipient: Option<String>,
    pub state: TodayState,
    pub held_for: Option<HeldFor>,
    /// For a step sent per receivable: that receivable (its reminder is what Enviar queues);
    /// `None`: the customer's statement.
    #[ts(type = "number | null")]
    pub receivable_id: Option<i64>,
    /// The receivable's document number ("F-0042"), when it has one.
    pub document_number: Option<String>,
    /// The step: its offset and its name in the policy ("Segundo aviso").
    pub offset_days: i32,
    pub step_label: String,
    /// Days past the anchoring due date (negative: before it).
    #[ts(type = "number")]
    pub days_overdue: i64,
    /// Days after the step's own day it was decided: 0 due today, more a catch-up.
    pub days_late: u32,
    /// What the customer owes now, per currency.
    pub balances: Vec<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TodayPage {
    pub lines: Vec<TodayLine>,
    /// Every line waiting (the menu's badge).
    pub total: u32,
    /// No payment was recorded for the policy's days: before a batch leaves, ask "¿Registró los
    /// pagos recientes?" (in Automático the batch waits).
    pub ask_payments: bool,
    pub payments_gate_days: u32,
    pub mode: SendMode,
}

/// What waits today: the slots `due`, `held`, and `postponed` until `reading.today` or before —
/// of customers not paused today who still follow the policy that decided the line (one
/// switched to "sin recordatorios automáticos" or to another policy leaves at once; back on the
/// same policy, the line is back as it was) — while the debt the step was counted from is still
/// owed and not paused: for the statement, a receivable of the customer due by the anchoring
/// date (the oldest one paid, or moved to a later due date, takes the line away even if newer
/// ones are pending); for a step sent per receivable, that receivable, still the customer's and
/// still due on that date. A payment, a pause or an edit since the evaluator decided takes the
/// line away; the send check stops a message already queued the same way.
/// The first term is the partial index's own condition (migrations 0017, 0019), so SQLite pages
/// through that index in due-date order instead of every slot ever decided.
const WAITING: &str = "(s.state IN ('due', 'held', 'postponed')
    AND (s.state <> 'postponed' OR s.postponed_until <= ?1)
    AND NOT EXISTS (SELECT 1 FROM collection_pauses p
                    WHERE p.customer_id = s.customer_id AND p.receivable_id IS NULL
                      AND p.ended_at IS NULL AND (p.until IS NULL OR p.until >= ?1))
    AND s.policy_id = coalesce((SELECT coalesce(cc.policy_id, 0) FROM customer_collection cc
                                WHERE cc.customer_id = s.customer_id), 1)
    AND EXISTS (SELECT 1 FROM receivables r
                WHERE r.customer_id = s.customer_id AND r.status = 'pending'
                  AND r.due_date <= s.anchor_due
                  AND (s.receivable_key = 0
                       OR (r.id = s.receivable_key AND r.due_date = s.anchor_due))
                  AND NOT EXISTS (SELECT 1 FROM collection_pauses p
                                  WHERE p.customer_id = s.customer_id AND p.receivable_id = r.id
                                    AND p.ended_at IS NULL
                                    AND (p.until IS NULL OR p.until >= ?1))))";

/// The first `limit` lines (at most 200), oldest due first.
pub fn list(db: &Database, reading: &Reading, limit: u32) -> Result<TodayPage, CollectionsError> {
    db.read(|conn| {
        let today = iso(reading.today);
        let total: u32 = conn.query_row(
            &format!("SELECT count(*) FROM collection_slots s WHERE {WAITING}"),
            [&today],
            |r| r.get(0),
        )?;
        let policies = policies_in(conn)?;
        // The mode and the gate are the shop's; each line's step is named by its customer's
        // policy.
        let shop = policies.get(&DEFAULT_POLICY);
        let gate_days = shop.map_or(7, |rules| rules.payments_gate_days);
        let mode = shop.map(|rules| rules.mode).unwrap_or_default();
        // The user's midnight, not UTC's: the question's window is counted in their days.
        let start_of_today = reading
            .today
            .midnight()
            .assume_offset(crate::clock::local_now().offset());
        let ask_payments = !payments_recent(conn, start_of_today, gate_days)?;
        let mut statement = conn.prepare_cached(&format!(
            "SELECT s.id, s.customer_id, c.name, c.email, s.state, s.held_for, s.offset_days,
                    s.anchor_due, s.days_late, s.receivable_key,
                    (SELECT document_number FROM receivables WHERE id = s.receivable_key),
                    (SELECT group_concat(currency || ' ' || owed, ',') FROM
                        (SELECT currency, sum(amount - paid) AS owed FROM receivables
                         WHERE customer_id = s.customer_id AND status = 'pending'
                         GROUP BY currency ORDER BY currency)),
                    (SELECT policy_id FROM customer_collection WHERE customer_id = s.customer_id)
             FROM collection_slots s JOIN customers c ON c.id = s.customer_id
             WHERE {WAITING} ORDER BY s.anchor_due, s.id LIMIT ?2"
        ))?;
        let rows = statement.query_map(params![today, crate::books::page_size(limit)], |r| {
            let state: String = r.get(4)?;
            let offset_days: i32 = r.get(6)?;
            let anchor: Date = from_iso(&r.get::<_, String>(7)?)?;
            let receivable_key: i64 = r.get(9)?;
            let owed: Option<String> = r.get(11)?;
            let followed: Option<i64> = r.get(12)?;
            Ok(TodayLine {
                slot_id: r.get(0)?,
                customer_id: r.get(1)?,
                customer_name: r.get(2)?,
                recipient: r.get(3)?,
                state: wire::stored(&state, 4)?,
                held_for: match r.get_ref(5)?.as_str_or_null()? {
                    Some(text) => Some(wire::stored(text, 5)?),
                    None => None,
                },
                receivable_id: (receivable_key != 0).then_some(receivable_key),
                document_number: r.get(10)?,
                offset_days,
                step_label: policies
                    .get(&followed.unwrap_or(DEFAULT_POLICY))
                    .and_then(|rules| rules.steps.iter().find(|s| s.offset_days == offset_days))
                    .map(|step| step.label.clone())
                    .unwrap_or_default(),
                days_overdue: (reading.today - anchor).whole_days(),
                days_late: r.get(8)?,
                balances: owed
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|pair| pair.split_once(' '))
                    .filter_map(|(code, minor)| Some(reading.money(minor.parse().ok()?, code)))
                    .collect(),
            })
        })?;
        let lines = rows.collect::<Result<Vec<_>, _>>()?;
        Ok(TodayPage {
            lines,
            total,
            ask_payments,
            payments_gate_days: gate_days,
            mode,
        })
    })
}

/// How many lines wait today (the menu's badge).
pub fn count(conn: &Connection, today: Date) -> Result<u32, CollectionsError> {
    Ok(conn.query_row(
        &format!("SELECT count(*) FROM collection_slots s WHERE {WAITING}"),
        [iso(today)],
        |r| r.get(0),
    )?)
}

/// Enviar: the customer's statement — or, for a step sent per receivable, that receivable's
/// payment reminder — queued and the slot marked in one transaction; `None` when the slot no
/// longer waits (sent from elsewhere, skipped, its receivable paid). Wake the outbox after.
pub fn send(
    db: &Database,
    slot_id: i64,
    reading: &Reading,
) -> Result<Option<OutboxId>, CollectionsError> {
    send_line(db, slot_id, reading, Sender::Owner)
}

/// Who sends a line: the owner's Enviar may send a held line (that is how one leaves); "Enviar
/// todos" and the batch never do, even when a line became held after they listed it (a restore
/// in between: "Retenido: copia restaurada").
#[derive(Clone, Copy)]
enum Sender {
    Owner,
    Batch,
}

fn send_line(
    db: &Database,
    slot_id: i64,
    reading: &Reading,
    sender: Sender,
) -> Result<Option<OutboxId>, CollectionsError> {
    let held_too = match sender {
        Sender::Owner => "",
        Sender::Batch => "AND s.state <> 'held'",
    };
    db.write(|tx| {
        let waiting: Option<(i64, i64, i32, String)> = tx
            .query_row(
                &format!(
                    "SELECT customer_id, receivable_key, offset_days, anchor_due
                     FROM collection_slots s WHERE id = ?2 AND {WAITING} {held_too}"
                ),
                params![iso(reading.today), slot_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((customer_id, receivable_key, offset_days, anchor_due)) = waiting else {
            return Ok(None);
        };
        if !still_worth(tx, customer_id, receivable_key)? {
            // The saldo mínimo was raised after this line was decided (and the customer was
            // out of automatic reminders when it was, or a payment came in since): the policy
            // now says nothing goes, as a fresh evaluation would have decided.
            supersede(tx, slot_id)?;
            return Ok(None);
        }
        // The message says the step's own words, and remembers the step for every re-render.
        let step = step_for_slot(tx, customer_id, offset_days)?;
        let id = match (customer_id, receivable_key) {
            (customer_id, 0) => {
                let mut draft = draft_for_step_in(tx, customer_id, None, true, reading, step)
                    .map_err(statement_error)?;
                draft.facts.counted_from = Some(anchor_due);
                enqueue_in(tx, draft).map_err(statement_error)?
            }
            (_, receivable_id) => {
                reminders::queue::enqueue_in(tx, receivable_id, None, false, reading, step)
                    .map_err(reminder_error)?
            }
        };
        tx.execute(
            "UPDATE collection_slots SET state = 'queued', outbox_id = ?2, held_for = NULL,
                 postponed_until = NULL, queued_on = ?3
             WHERE id = ?1",
            params![slot_id, id.0, iso(reading.today)],
        )?;
        Ok(Some(id))
    })
}

/// The line goes unsent, like a lower step skipped after days off.
pub(super) fn supersede(conn: &Connection, slot_id: i64) -> Result<(), CollectionsError> {
    conn.execute(
        "UPDATE collection_slots SET state = 'superseded', held_for = NULL, postponed_until = NULL
         WHERE id = ?1",
        [slot_id],
    )?;
    Ok(())
}

/// Whether what the slot sends is still at or above the saldo mínimo of the customer's policy
/// (on, and readable): the receivable's balance for a per-receivable step, any currency's total
/// for the statement.
pub(super) fn still_worth(
    conn: &Connection,
    customer_id: i64,
    receivable_key: i64,
) -> Result<bool, CollectionsError> {
    let policies = policies_in(conn)?;
    let followed = followed_in(conn, customer_id)?.unwrap_or(DEFAULT_POLICY);
    // A policy turned off, gone, or unreadable sends nothing: its lines go unsent.
    match policies.get(&followed) {
        Some(rules) if rules.enabled => worth_under(conn, rules, customer_id, receivable_key),
        _ => Ok(false),
    }
}

/// [`still_worth`] under `rules`, already read.
pub(super) fn worth_under(
    conn: &Connection,
    rules: &PolicyRules,
    customer_id: i64,
    receivable_key: i64,
) -> Result<bool, CollectionsError> {
    let (sql, key) = if receivable_key == 0 {
        (
            "SELECT currency, sum(amount - paid) FROM receivables
             WHERE customer_id = ?1 AND status = 'pending' GROUP BY currency",
            customer_id,
        )
    } else {
        (
            "SELECT currency, amount - paid FROM receivables
             WHERE id = ?1 AND status = 'pending'",
            receivable_key,
        )
    };
    let mut statement = conn.prepare_cached(sql)?;
    let owed = statement.query_map([key], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in owed {
        let (currency, minor) = row?;
        if minor >= rules.minimum(&currency) {
            return Ok(true);
        }
    }
    Ok(false)
}

pub(super) fn reminder_error(err: ReminderError) -> CollectionsError {
    match err {
        ReminderError::Books(books) => CollectionsError::Books(books),
        ReminderError::Invalid(fields) => CollectionsError::Invalid(fields),
        other => CollectionsError::Reminder(other.to_string()),
    }
}

pub(super) fn statement_error(err: StatementError) -> CollectionsError {
    match err {
        StatementError::Books(books) => CollectionsError::Books(books),
        StatementError::Invalid(fields) => CollectionsError::Invalid(fields),
        StatementError::NothingOwed => {
            CollectionsError::Books(BooksError::Refused(Refusal::NothingOwed))
        }
        other => CollectionsError::Statement(other.to_string()),
    }
}

/// Omitir: this slot never sends; it stays as the record that it was skipped.
pub fn skip(db: &Database, slot_id: i64, today: Date) -> Result<bool, CollectionsError> {
    Ok(db.write(|tx| {
        tx.execute(
            &format!(
                "UPDATE collection_slots AS s SET state = 'skipped', held_for = NULL,
                     postponed_until = NULL
                 WHERE id = ?2 AND {WAITING}"
            ),
            params![iso(today), slot_id],
        )
    })? == 1)
}

/// "Ya se envió", on a line held by a restore: the owner checked and it did go out from the data
/// the copy replaced. It leaves Cobros de hoy as a message sent `today` (state `queued` with no
/// outbox row), so the cooldown and the caps count it — "Omitir" would let the next step
/// through as if the customer had heard nothing.
pub fn already_sent(db: &Database, slot_id: i64, today: Date) -> Result<bool, CollectionsError> {
    Ok(db.write(|tx| {
        tx.execute(
            &format!(
                "UPDATE collection_slots AS s SET state = 'queued', held_for = NULL,
                     postponed_until = NULL, outbox_id = NULL, queued_on = ?1
                 WHERE id = ?2 AND s.held_for = ?3 AND {WAITING}"
            ),
            params![iso(today), slot_id, wire::code(&HeldFor::Restored)],
        )
    })? == 1)
}

/// Posponer hasta…: back in Cobros de hoy on `until` (typed the region's way, today or later).
/// Not a line held by a restore: it would come back as an ordinary line and leave with the
/// day's batch before anyone checked whether it already went out — Enviar, "Ya se envió" or
/// Omitir decide it.
pub fn postpone(
    db: &Database,
    slot_id: i64,
    until: &str,
    reading: &Reading,
) -> Result<bool, CollectionsError> {
    let mut errors = FieldErrors::default();
    // Postponing to today would change nothing: the earliest is tomorrow.
    let tomorrow = reading.today.next_day().unwrap_or(reading.today);
    let day = reading.day_from(&mut errors, "until", until, tomorrow);
    let Some(day) = day else {
        return Err(CollectionsError::Invalid(errors.into_vec()));
    };
    Ok(db.write(|tx| {
        tx.execute(
            &format!(
                "UPDATE collection_slots AS s SET state = 'postponed', held_for = NULL,
                     postponed_until = ?3
                 WHERE id = ?2 AND coalesce(s.held_for, '') <> ?4 AND {WAITING}"
            ),
            params![
                iso(reading.today),
                slot_id,
                iso(day),
                wire::code(&HeldFor::Restored)
            ],
        )
    })? == 1)
}

/// "Enviar todos" (and the automatic batch): every line due is sent, each in its own
/// transaction. A line that cannot leave as it stands — the customer has no address, or one
/// marked "No entregable", or its message cannot be made — stays waiting for the owner (its own
/// Enviar says why) instead of stopping the lines after it, every time the batch runs. Only the
/// database failing stops the rest.
pub fn send_all(db: &Database, reading: &Reading) -> Result<Vec<OutboxId>, CollectionsError> {
    send_lines(db, &sendable(db, reading)?, reading)
}

/// "Enviar todos" over `slots` listed earlier by [`sendable`]: each is checked again as it goes,
/// and one held, skipped, sent or paid since the listing is passed over.
pub fn send_lines(
    db: &Database,
    slots: &[i64],
    reading: &Reading,
) -> Result<Vec<OutboxId>, CollectionsError> {
    let mut queued = Vec::new();
    for &slot in slots {
        match send_line(db, slot, reading, Sender::Batch) {
            Ok(sent) => queued.extend(sent),
            Err(err @ (CollectionsError::Db(_) | CollectionsError::Settings(_))) => {
                return Err(err)
            }
            Err(CollectionsError::Invalid(_)) => {}
            Err(err) => {
                tracing::warn!(slot, error = %err, "a line of Cobros de hoy could not be sent; it stays waiting");
            }
        }
    }
    Ok(queued)
}

/// The slots shown as waiting, for "Enviar todos": every line due (held ones wait for a
/// deliberate Enviar each).
pub fn sendable(db: &Database, reading: &Reading) -> Result<Vec<i64>, CollectionsError> {
    db.read(|conn| {
        let mut statement = conn.prepare_cached(&format!(
            "SELECT s.id FROM collection_slots s WHERE {WAITING} AND s.state <> 'held'
             ORDER BY s.anchor_due, s.id"
        ))?;
        let ids = statement
            .query_map([iso(reading.today)], |r| r.get(0))?
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(ids)
    })
}

#[cfg(test)]
mod tests {
    use crate::db::Database;

    /// The badge counts every waiting line on each refresh: the slots' own columns must come
    /// from the covering index (migrations 0017, 0019), so a new condition on another column of the
    /// slot shows up here rather than as a slower Cobros de hoy.
    #[test]
    fn the_badge_count_reads_the_waiting_slots_from_their_index_alone() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(&dir.path().join("db.sqlite3")).expect("db");
        let plan = db
            .read(|conn| {
                let sql = format!(
                    "EXPLAIN QUERY PLAN SELECT count(*) FROM collection_slots s WHERE {}",
                    super::WAITING
                );
                let mut statement = conn.prepare(&sql)?;
                let rows = statement.query_map(["2026-06-20"], |row| row.get::<_, String>(3))?;
                rows.collect::<rusqlite::Result<Vec<_>>>()
            })
            .expect("plan");
        assert!(
            plan.iter()
                .any(|step| step == "SCAN s USING COVERING INDEX collection_slots_waiting"),
            "{plan:?}"
        );
    }
}
