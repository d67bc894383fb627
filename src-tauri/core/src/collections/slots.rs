//! Running the evaluator over the books: every customer with something owed, their pauses and
//! the slots already decided are read in one pass, the evaluator decides — each customer by the
//! policy they follow (`policies`) — and the new slots are
//! written in one transaction with `INSERT OR IGNORE` against the UNIQUE slot — so two
//! evaluations at once (two windows, a restart mid-way) still leave one row per slot.

use std::collections::HashMap;

use rusqlite::{params, Connection};
use time::Date;

use super::evaluate::{
    evaluate, CustomerFacts, Decision, HeldFor, OpenReceivable, PastSlot, SlotKey,
};
use super::policy::PolicyRules;
use super::{policies_in, CollectionsError, DEFAULT_POLICY};
use crate::books::dates::{from_iso, iso};
use crate::books::pauses::{state_on, PauseKind, PauseState};
use crate::db::Database;
use crate::settings;
use crate::wire;

/// What one evaluation decided (new rows only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Evaluated {
    pub due: usize,
    pub superseded: usize,
    pub held: usize,
}

/// Evaluates every customer on `today` (the user's calendar day) and records what is new.
pub fn run(db: &Database, today: Date) -> Result<Evaluated, CollectionsError> {
    let decisions = db.read(|conn| decide_all(conn, today))?;
    if decisions.is_empty() {
        return Ok(Evaluated::default());
    }
    db.write(|tx| {
        // Only while the customer still follows the policy that decided (the books were read
        // in another transaction: a move in between leaves the decision to the next run).
        let mut insert = tx.prepare_cached(
            "INSERT OR IGNORE INTO collection_slots
                 (customer_id, offset_days, anchor_due, receivable_key, state, held_for,
                  decided_on, days_late, policy_id)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9
             WHERE coalesce((SELECT coalesce(policy_id, 0) FROM customer_collection
                             WHERE customer_id = ?1), ?10) = ?9",
        )?;
        let restored_on = settings::restored_on_in(tx)?;
        let mut evaluated = Evaluated::default();
        for Decided {
            policy_id,
            decision,
        } in &decisions
        {
            let (slot, state, held_for, days_late) = match decision {
                Decision::Due { slot, days_late } => (slot, "due", None, *days_late),
                Decision::Superseded { slot } => (slot, "superseded", None, 0),
                Decision::Held {
                    slot,
                    held_for,
                    days_late,
                } => (slot, "held", Some(*held_for), *days_late),
            };
            let (state, held_for) = match restored_on {
                Some(restore) if state != "superseded" && step_day(slot) <= restore => {
                    ("held", Some(HeldFor::Restored))
                }
                _ => (state, held_for),
            };
            let added = insert.execute(params![
                slot.customer_id,
                slot.offset_days,
                iso(slot.anchor_due),
                slot.receivable_id.unwrap_or(0),
                state,
                held_for.map(|reason| wire::code(&reason)),
                iso(today),
                days_late,
                policy_id,
                DEFAULT_POLICY,
            ])?;
            if added == 1 {
                match state {
                    "due" => evaluated.due += 1,
                    "superseded" => evaluated.superseded += 1,
                    _ => evaluated.held += 1,
                }
                if !matches!(decision, Decision::Superseded { .. }) {
                    evaluated.superseded += supersede_lower(tx, slot)?;
                }
            }
        }
        Ok(evaluated)
    })
}

/// A higher step decided for the same debt replaces the lower ones still waiting (due, held or
/// postponed): the customer hears the latest step once, never "aviso amable", "vencida" and
/// "segundo aviso" together when the owner (or the payments gate) lets the day's lines go.
fn supersede_lower(tx: &Connection, slot: &SlotKey) -> Result<usize, CollectionsError> {
    Ok(tx.execute(
        "UPDATE collection_slots SET state = 'superseded', held_for = NULL,
             postponed_until = NULL
         WHERE customer_id = ?1 AND anchor_due = ?2 AND receivable_key = ?3
           AND offset_days < ?4 AND state IN ('due', 'held', 'postponed')",
        params![
            slot.customer_id,
            iso(slot.anchor_due),
            slot.receivable_id.unwrap_or(0),
            slot.offset_days
        ],
    )?)
}

/// After a restore, any line may already have gone out from the data the copy replaced — the
/// copy cannot know. So the lines it brings back waiting (held ones too: the restore is now
/// the first thing to review; postponed ones whatever their day, since undoing a restore
/// brings back postponements of lines sent in between), and every step the
/// evaluator decides later for a day up to `today`, are held for the owner ("Retenido: copia
/// restaurada") instead of being sent by the day's batch. Steps for the days after the
/// restore are decided as always. Returns how many were held.
pub fn hold_after_restore(tx: &Connection, today: Date) -> Result<usize, CollectionsError> {
    settings::set_restored_on_in(tx, today)?;
    Ok(tx.execute(
        "UPDATE collection_slots SET state = 'held', held_for = ?1, postponed_until = NULL
         WHERE state IN ('due', 'held', 'postponed')",
        [wire::code(&HeldFor::Restored)],
    )?)
}

/// The day a step is for: its offset from the anchoring due date.
fn step_day(slot: &SlotKey) -> Date {
    slot.anchor_due + time::Duration::days(i64::from(slot.offset_days))
}

/// A decision and the policy that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub policy_id: i64,
    pub decision: Decision,
}

/// Every customer's decisions on `today`, read in a few passes over indexed tables.
pub fn decide_all(conn: &Connection, today: Date) -> Result<Vec<Decided>, CollectionsError> {
    match Books::load(conn)? {
        Some(mut books) => Ok(books.decide_on(today)),
        None => Ok(Vec::new()),
    }
}

/// A pause not yet ended, as stored: whether it is in force depends on the day asked about.
struct OpenPause {
    customer_id: i64,
    receivable_id: Option<i64>,
    kind: PauseKind,
    until: Option<Date>,
}

/// What the evaluator reads of the books, loaded once and asked about any day (the simulation
/// asks about thirty in a row).
pub(super) struct Books {
    policies: HashMap<i64, PolicyRules>,
    /// Customer → the policy they follow (`None`: sin recordatorios automáticos).
    chosen: HashMap<i64, Option<i64>>,
    pub(super) facts: HashMap<i64, CustomerFacts>,
    pauses: Vec<OpenPause>,
}

impl Books {
    /// `None` when no policy is on: nothing to evaluate.
    pub(super) fn load(conn: &Connection) -> Result<Option<Books>, CollectionsError> {
        let policies = policies_in(conn)?;
        if !policies.values().any(|rules| rules.enabled) {
            return Ok(None);
        }
        let mut chosen: HashMap<i64, Option<i64>> = HashMap::new();
        let mut statement =
            conn.prepare_cached("SELECT customer_id, policy_id FROM customer_collection")?;
        for row in statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
            let (customer, policy) = row?;
            chosen.insert(customer, policy);
        }

        let mut facts: HashMap<i64, CustomerFacts> = HashMap::new();
        let mut statement = conn.prepare_cached(
            "SELECT customer_id, id, due_date, currency, amount - paid FROM receivables
             WHERE status = 'pending' ORDER BY customer_id",
        )?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                OpenReceivable {
                    id: r.get(1)?,
                    due: from_iso(&r.get::<_, String>(2)?)?,
                    currency: r.get(3)?,
                    balance_minor: r.get(4)?,
                    paused: false,
                },
            ))
        })?;
        for row in rows {
            let (customer_id, receivable) = row?;
            facts
                .entry(customer_id)
                .or_insert_with(|| CustomerFacts {
                    customer_id,
                    paused: false,
                    receivables: Vec::new(),
                    slots: Vec::new(),
                })
                .receivables
                .push(receivable);
        }

        let mut statement = conn.prepare_cached(
            "SELECT customer_id, receivable_id, kind, until FROM collection_pauses
             WHERE ended_at IS NULL",
        )?;
        let rows = statement.query_map([], |r| {
            Ok(OpenPause {
                customer_id: r.get(0)?,
                receivable_id: r.get(1)?,
                kind: wire::column(r, 2)?,
                until: r
                    .get::<_, Option<String>>(3)?
                    .map(|day| from_iso(&day))
                    .transpose()?,
            })
        })?;
        let pauses = rows.collect::<Result<Vec<_>, _>>()?;

        let mut statement = conn.prepare_cached(
            "SELECT customer_id, offset_days, anchor_due, receivable_key,
                    coalesce(queued_on, decided_on), state
             FROM collection_slots",
        )?;
        let rows = statement.query_map([], |r| {
            let receivable_key: i64 = r.get(3)?;
            Ok((
                r.get::<_, i64>(0)?,
                PastSlot {
                    offset_days: r.get(1)?,
                    anchor_due: from_iso(&r.get::<_, String>(2)?)?,
                    receivable_id: (receivable_key != 0).then_some(receivable_key),
                    counted_on: from_iso(&r.get::<_, String>(4)?)?,
                    // Superseded and skipped slots never sent anything.
                    counts: !matches!(r.get::<_, String>(5)?.as_str(), "superseded" | "skipped"),
                },
            ))
        })?;
        for row in rows {
            let (customer_id, slot) = row?;
            if let Some(customer) = facts.get_mut(&customer_id) {
                customer.slots.push(slot);
            }
        }
        Ok(Some(Books {
            policies,
            chosen,
            facts,
            pauses,
        }))
    }

    /// Every customer's decisions on `today`, the pauses read as they stand that day.
    pub(super) fn decide_on(&mut self, today: Date) -> Vec<Decided> {
        for customer in self.facts.values_mut() {
            customer.paused = false;
            for receivable in &mut customer.receivables {
                receivable.paused = false;
            }
        }
        for pause in &self.pauses {
            if state_on(pause.kind, pause.until, false, today) != PauseState::Active {
                continue;
            }
            let Some(customer) = self.facts.get_mut(&pause.customer_id) else {
                continue;
            };
            match pause.receivable_id {
                None => customer.paused = true,
                Some(id) => customer
                    .receivables
                    .iter_mut()
                    .filter(|r| r.id == id)
                    .for_each(|r| r.paused = true),
            }
        }
        let mut decisions = Vec::new();
        for customer in self.facts.values() {
            // Each by the policy they follow; a policy that is off decides nothing for them.
            if let Some((policy_id, rules)) = self.rules_for(customer.customer_id) {
                decisions.extend(
                    evaluate(rules, customer, today)
                        .into_iter()
                        .map(|decision| Decided {
                            policy_id,
                            decision,
                        }),
                );
            }
        }
        decisions
    }

    /// The policy `customer_id` follows and its rules; `None`: "sin recordatorios
    /// automáticos" (or a policy gone meanwhile, or unreadable).
    pub(super) fn rules_for(&self, customer_id: i64) -> Option<(i64, &PolicyRules)> {
        let id = match self.chosen.get(&customer_id) {
            None => DEFAULT_POLICY,
            Some(chosen) => (*chosen)?,
        };
        self.policies.get(&id).map(|rules| (id, rules))
    }
}
