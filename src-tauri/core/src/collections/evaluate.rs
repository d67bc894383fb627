//! The evaluator: given a customer's open receivables, their pauses, the slots already decided
//! and the user's calendar day, which reminder is due now. Pure — no clock, no database — so
//! every rule is tested with the day passed in.
//!
//! Per customer only the *highest* step reached goes: after days off the steps skipped on the
//! way are recorded as superseded, never sent late in a burst. A step already decided for the
//! same anchoring due date is never decided again (the database's UNIQUE slot says the same).
//! A cooldown after the customer's last message and caps per month and per receivable hold
//! anything beyond for the owner's review.

use serde::{Deserialize, Serialize};
use time::Date;
use ts_rs::TS;

use super::policy::{PolicyRules, StepUnit};

/// A receivable that is still owed, as the evaluator needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenReceivable {
    pub id: i64,
    pub due: Date,
    pub currency: String,
    pub balance_minor: i64,
    /// A pause of its own is in force today.
    pub paused: bool,
}

/// A slot decided earlier for this customer (any state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastSlot {
    pub offset_days: i32,
    pub anchor_due: Date,
    /// The receivable for a per-receivable step; `None` for a statement.
    pub receivable_id: Option<i64>,
    /// The day it counts from for the cooldown and the monthly cap: the day its message was
    /// queued, or the day it was decided while it waits.
    pub counted_on: Date,
    /// Whether it was (or will be) sent: counts for cooldown and caps. Superseded ones do not.
    pub counts: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerFacts {
    pub customer_id: i64,
    /// A pause of the whole customer is in force today.
    pub paused: bool,
    pub receivables: Vec<OpenReceivable>,
    pub slots: Vec<PastSlot>,
}

/// A slot's identity: UNIQUE in the database.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SlotKey {
    pub customer_id: i64,
    pub offset_days: i32,
    pub anchor_due: Date,
    pub receivable_id: Option<i64>,
}

/// Why a line waits for the owner instead of going with the day's lines ("Retenido: …"); stored
/// in `collection_slots.held_for` and shown in Cobros de hoy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
pub enum HeldFor {
    /// Another message to the customer within the cooldown.
    Cooldown,
    /// The customer's messages this month reached the cap.
    MonthlyCap,
    /// The receivable's messages reached the cap.
    ReceivableCap,
    /// It came back with a restored copy, or was caught up for a day up to the restore: it may
    /// have gone out from the data the copy replaced (`slots::hold_after_restore`). The
    /// evaluator never decides it.
    Restored,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Goes to Cobros de hoy. `days_late` 0: its own day; more: a catch-up.
    Due { slot: SlotKey, days_late: u32 },
    /// A lower step passed while the shop was closed: logged, never sent.
    Superseded { slot: SlotKey },
    /// Beyond the cooldown or a cap: waits for the owner.
    Held {
        slot: SlotKey,
        held_for: HeldFor,
        days_late: u32,
    },
}

/// What `facts`' customer is due on `today` under `rules` (none when the policy is off or the
/// customer paused).
pub fn evaluate(rules: &PolicyRules, facts: &CustomerFacts, today: Date) -> Vec<Decision> {
    if !rules.enabled || facts.paused {
        return Vec::new();
    }
    let open: Vec<&OpenReceivable> = facts
        .receivables
        .iter()
        .filter(|r| !r.paused && r.balance_minor > 0)
        .collect();
    let ladder = rules.ladder();
    let mut decisions = Vec::new();

    // The statement: anchored on the oldest due date among the currencies worth a message.
    let statement_steps: Vec<i32> = ladder
        .iter()
        .filter(|(_, unit)| *unit == StepUnit::Statement)
        .map(|(offset, _)| *offset)
        .collect();
    let worth: Vec<&&OpenReceivable> = open
        .iter()
        .filter(|r| owed_in(&open, &r.currency) >= rules.minimum(&r.currency))
        .collect();
    if let Some(anchor) = worth.iter().map(|r| r.due).min() {
        decide(
            rules,
            facts,
            today,
            &statement_steps,
            anchor,
            None,
            &mut decisions,
        );
    }

    // Per receivable: each anchored on its own due date.
    let receivable_steps: Vec<i32> = ladder
        .iter()
        .filter(|(_, unit)| *unit == StepUnit::Receivable)
        .map(|(offset, _)| *offset)
        .collect();
    if !receivable_steps.is_empty() {
        for receivable in open
            .iter()
            .filter(|r| r.balance_minor >= rules.minimum(&r.currency))
        {
            decide(
                rules,
                facts,
                today,
                &receivable_steps,
                receivable.due,
                Some(receivable.id),
                &mut decisions,
            );
        }
    }
    decisions
}

fn owed_in(open: &[&OpenReceivable], currency: &str) -> i64 {
    open.iter()
        .filter(|r| r.currency == currency)
        .map(|r| r.balance_minor)
        .fold(0, i64::saturating_add)
}

/// The highest of `steps` reached by `today` from `anchor`, unless already decided; the lower
/// ones not yet decided are superseded.
fn decide(
    rules: &PolicyRules,
    facts: &CustomerFacts,
    today: Date,
    steps: &[i32],
    anchor: Date,
    receivable_id: Option<i64>,
    decisions: &mut Vec<Decision>,
) {
    let days = (today - anchor).whole_days();
    let reached: Vec<i32> = steps
        .iter()
        .copied()
        .filter(|offset| i64::from(*offset) <= days)
        .collect();
    let Some(&highest) = reached.last() else {
        return;
    };
    let key = |offset_days| SlotKey {
        customer_id: facts.customer_id,
        offset_days,
        anchor_due: anchor,
        receivable_id,
    };
    let decided = |offset: i32| {
        facts.slots.iter().any(|slot| {
            slot.offset_days == offset
                && slot.anchor_due == anchor
                && slot.receivable_id == receivable_id
        })
    };
    if decided(highest) {
        return;
    }
    for &lower in &reached[..reached.len() - 1] {
        if !decided(lower) {
            decisions.push(Decision::Superseded { slot: key(lower) });
        }
    }
    let days_late = u32::try_from(days - i64::from(highest)).unwrap_or(0);
    let slot = key(highest);
    let held_for = held_for(rules, facts, today, receivable_id, decisions);
    decisions.push(match held_for {
        Some(held_for) => Decision::Held {
            slot,
            held_for,
            days_late,
        },
        None => Decision::Due { slot, days_late },
    });
}

/// Why a new message to this customer must wait for the owner, counting what was decided
/// before and what this evaluation already decided.
fn held_for(
    rules: &PolicyRules,
    facts: &CustomerFacts,
    today: Date,
    receivable_id: Option<i64>,
    decided_now: &[Decision],
) -> Option<HeldFor> {
    let sent_now = decided_now
        .iter()
        .filter(|d| matches!(d, Decision::Due { .. }))
        .count();
    let earlier = facts.slots.iter().filter(|slot| slot.counts);
    let cooldown = i64::from(rules.cooldown_days);
    if (cooldown > 0 && sent_now > 0)
        || earlier
            .clone()
            .any(|slot| (today - slot.counted_on).whole_days() < cooldown)
    {
        return Some(HeldFor::Cooldown);
    }
    let this_month = earlier
        .clone()
        .filter(|slot| {
            slot.counted_on.year() == today.year() && slot.counted_on.month() == today.month()
        })
        .count();
    if this_month >= usize::try_from(rules.monthly_cap).unwrap_or(usize::MAX) {
        return Some(HeldFor::MonthlyCap);
    }
    if let Some(id) = receivable_id {
        let about_it = earlier
            .filter(|slot| slot.receivable_id == Some(id))
            .count();
        if about_it >= usize::try_from(rules.receivable_cap).unwrap_or(usize::MAX) {
            return Some(HeldFor::ReceivableCap);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::HeldFor;

    #[test]
    fn held_reasons_are_pinned() {
        crate::wire::assert_pinned(|held_for| match held_for {
            HeldFor::Cooldown => "cooldown",
            HeldFor::MonthlyCap => "monthly_cap",
            HeldFor::ReceivableCap => "receivable_cap",
            HeldFor::Restored => "restored",
        });
    }
}
