//! The collections evaluator's books, shared by its tests (`collections.rs`: what the evaluator
//! decides; `collections_today.rs`: Cobros de hoy and the Simulación): a policy of statement
//! steps, receivables of cement issued on 1 October and due on the day given, cash payments and
//! promises typed the Venezuelan way, and the slots the evaluator stored.

use cachicamo_core::books::pauses::{self, PauseForm, PauseKind};
use cachicamo_core::books::payments::{self, PaymentForm, PaymentMethod};
use cachicamo_core::books::reading::Reading;
use cachicamo_core::collections;
use cachicamo_core::collections::policy::{PolicyRules, PolicyStep, StepUnit};
use cachicamo_core::locale::Region;
use cachicamo_core::reminders::Rechecks;
use cachicamo_core::Database;
use time::macros::date;
use time::Date;

use super::books::{cement_owed_on, Books};

pub fn on(today: Date) -> Reading {
    Reading {
        region: Region::EsVe,
        today,
    }
}

pub fn policy(db: &Database, offsets: &[i32]) {
    let rules = PolicyRules {
        enabled: true,
        steps: offsets
            .iter()
            .map(|&offset_days| PolicyStep {
                offset_days,
                label: format!("Paso {offset_days}"),
                unit: StepUnit::Statement,
            })
            .collect(),
        ..PolicyRules::default()
    };
    collections::save_policy(db, rules).expect("policy");
}

pub fn owes(books: &Books, customer: i64, document: &str, amount: &str, due: &str) -> i64 {
    let issued = on(date!(2026 - 10 - 01));
    cement_owed_on(
        &books.db,
        customer,
        (document, amount),
        ("01/10/2026", due),
        &issued,
    )
}

pub fn pay(db: &Database, receivable: i64, amount: &str, on_day: Date) {
    let form = PaymentForm {
        paid_on: Region::EsVe.date(on_day),
        amount: amount.into(),
        method: Some(PaymentMethod::Cash),
        ..PaymentForm::default()
    };
    payments::record(db, &Rechecks::default(), receivable, &form, &on(on_day)).expect("paid");
}

/// `customer` promises to pay by `until` (dd/mm/aaaa), as said on `day`.
pub fn promise(db: &Database, customer: i64, until: &str, day: &Reading) {
    let form = PauseForm {
        customer_id: Some(customer),
        kind: Some(PauseKind::Promise),
        until: until.into(),
        ..PauseForm::default()
    };
    pauses::start(db, &Rechecks::default(), &form, day).expect("promise");
}

/// The slots as stored: (customer, offset, state), in order.
pub fn slots_of(db: &Database) -> Vec<(i64, i32, String)> {
    db.read(|conn| {
        let mut statement = conn.prepare(
            "SELECT customer_id, offset_days, state FROM collection_slots
             ORDER BY customer_id, offset_days",
        )?;
        let rows = statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<Vec<_>, _>>();
        rows
    })
    .expect("slots")
}

pub fn due_count(db: &Database) -> usize {
    slots_of(db).iter().filter(|(_, _, s)| s == "due").count()
}
