//! Simulación: what the políticas de cobranza would send in the next days, day by day, each
//! customer by the policy they follow, with the books and the pauses as they are — assuming nobody pays and the owner sends every line due
//! (each counted for the cooldown and caps of the days after). Writes nothing.

use rusqlite::Connection;
use serde::Serialize;
use time::{Date, Duration};
use ts_rs::TS;

use super::evaluate::{Decision, PastSlot};
use super::slots::{Books, Decided};
use super::CollectionsError;
use crate::books::dates::DateShown;
use crate::books::reading::Reading;

/// At most this many days ahead.
const MAX_DAYS: u32 = 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SimulatedMessage {
    #[ts(type = "number")]
    pub customer_id: i64,
    pub customer_name: String,
    pub offset_days: i32,
    pub step_label: String,
    /// Held for review (cooldown or a cap) rather than sent.
    pub held: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SimulatedDay {
    pub day: DateShown,
    pub messages: Vec<SimulatedMessage>,
}

/// The next `days` days from `reading.today` (today included), only the days with something.
pub fn simulate(
    conn: &Connection,
    reading: &Reading,
    days: u32,
) -> Result<Vec<SimulatedDay>, CollectionsError> {
    let Some(mut books) = Books::load(conn)? else {
        return Ok(Vec::new());
    };
    let mut name_of = conn.prepare_cached("SELECT name FROM customers WHERE id = ?1")?;
    let mut simulated = Vec::new();
    for ahead in 0..days.min(MAX_DAYS) {
        let day: Date = reading.today + Duration::days(i64::from(ahead));
        let decisions = books.decide_on(day);
        let mut messages = Vec::new();
        for Decided { decision, .. } in decisions {
            let (slot, held) = match decision {
                Decision::Due { slot, .. } => (slot, false),
                Decision::Held { slot, .. } => (slot, true),
                Decision::Superseded { slot } => {
                    remember(&mut books, &slot, day, false);
                    continue;
                }
            };
            remember(&mut books, &slot, day, true);
            let step_label = books
                .rules_for(slot.customer_id)
                .and_then(|(_, rules)| {
                    rules
                        .steps
                        .iter()
                        .find(|s| s.offset_days == slot.offset_days)
                })
                .map(|step| step.label.clone())
                .unwrap_or_default();
            messages.push(SimulatedMessage {
                customer_id: slot.customer_id,
                customer_name: name_of.query_row([slot.customer_id], |r| r.get(0))?,
                offset_days: slot.offset_days,
                step_label,
                held,
            });
        }
        if !messages.is_empty() {
            messages.sort_by(|a, b| a.customer_name.cmp(&b.customer_name));
            simulated.push(SimulatedDay {
                day: reading.date(day),
                messages,
            });
        }
    }
    Ok(simulated)
}

/// The simulated day's decision, as the days after it will see it.
fn remember(books: &mut Books, slot: &super::evaluate::SlotKey, day: Date, counts: bool) {
    if let Some(customer) = books.facts.get_mut(&slot.customer_id) {
        customer.slots.push(PastSlot {
            offset_days: slot.offset_days,
            anchor_due: slot.anchor_due,
            receivable_id: slot.receivable_id,
            counted_on: day,
            counts,
        });
    }
}
