//! The evaluator over real books in a real SQLite file, with the user's day passed in: after
//! days off only the highest step goes (the others superseded), two evaluations at once leave
//! one row per slot, payments and promises change what is due, a cooldown holds a second
//! message, and a customer "sin recordatorios automáticos" is left alone. Cobros de hoy and the
//! Simulación, which show what it decided, are in `collections_today.rs`.

mod common;

use std::sync::Arc;

use cachicamo_core::books::pauses::{self, PauseEnd, PauseState};
use cachicamo_core::books::receivables;
use cachicamo_core::collections;
use cachicamo_core::collections::policy::{MinimumBalance, PolicyRules, PolicyStep, StepUnit};
use cachicamo_core::collections::slots::{self, Evaluated};
use cachicamo_core::Database;
use common::collections::{due_count, on, owes, pay, policy, promise, slots_of};
use common::{customer_at, one, Books};
use time::macros::date;

#[test]
fn after_ten_days_closed_each_customer_gets_one_message_at_the_highest_step() {
    let books = Books::new();
    policy(&books.db, &[1, 7, 15]);
    let pena = books.customer("Peña & Hijos");
    let esquina = books.customer("Bodega La Esquina");
    owes(&books, pena, "F-1", "100", "01/11/2026");
    owes(&books, pena, "F-2", "50", "20/11/2026");
    owes(&books, esquina, "F-3", "80", "05/11/2026");

    // Open on the 2nd: Peña's +1 is due today; La Esquina's is not yet.
    let first = slots::run(&books.db, date!(2026 - 11 - 02)).expect("run");
    assert_eq!(first.due, 1);
    // Closed until the 20th (19 days after Peña's oldest due date, 15 after La Esquina's):
    // Peña's +1, never sent, is replaced by the +15 too.
    let back = slots::run(&books.db, date!(2026 - 11 - 20)).expect("run");
    assert_eq!(
        back,
        Evaluated {
            due: 2,
            superseded: 4,
            held: 0
        }
    );
    assert_eq!(
        slots_of(&books.db),
        [
            (pena, 1, "superseded".to_owned()),
            (pena, 7, "superseded".to_owned()),
            (pena, 15, "due".to_owned()),
            (esquina, 1, "superseded".to_owned()),
            (esquina, 7, "superseded".to_owned()),
            (esquina, 15, "due".to_owned()),
        ]
    );
    // The next evaluations, that day or the next, decide nothing more.
    assert_eq!(
        slots::run(&books.db, date!(2026 - 11 - 20)).expect("run"),
        Evaluated::default()
    );
    assert_eq!(
        slots::run(&books.db, date!(2026 - 11 - 21)).expect("run"),
        Evaluated::default()
    );
}

#[test]
fn two_evaluators_racing_leave_one_row_per_slot() {
    let books = Books::new();
    policy(&books.db, &[1, 7]);
    for n in 0..20 {
        let customer = books.customer(&format!("Cliente {n}"));
        owes(&books, customer, &format!("F-{n}"), "10", "01/11/2026");
    }
    let path = books.db.path().to_owned();
    let evaluators: Vec<_> = (0..2)
        .map(|_| {
            let db = Arc::new(Database::open(&path).expect("second connection"));
            std::thread::spawn(move || slots::run(&db, date!(2026 - 11 - 09)).expect("run"))
        })
        .collect();
    let decided: usize = evaluators
        .into_iter()
        .map(|e| e.join().expect("evaluator").due)
        .sum();
    assert_eq!(decided, 20, "between them, one decision per customer");
    assert_eq!(due_count(&books.db), 20);
    assert_eq!(
        slots_of(&books.db).len(),
        40,
        "+7 due, +1 superseded: once each"
    );
}

#[test]
fn a_partial_payment_is_recomputed_against_the_minimum_balance() {
    let books = Books::new();
    let mut rules = PolicyRules {
        enabled: true,
        steps: vec![PolicyStep {
            offset_days: 1,
            label: "Vencida".into(),
            unit: StepUnit::Statement,
        }],
        minimums: vec![MinimumBalance {
            currency: "USD".into(),
            minor: 50_00,
        }],
        ..PolicyRules::default()
    };
    collections::save_policy(&books.db, rules.clone()).expect("policy");
    let pena = books.customer("Peña & Hijos");
    let owed = owes(&books, pena, "F-1", "100", "01/11/2026");
    pay(&books.db, owed, "70", date!(2026 - 11 - 01));
    assert_eq!(
        slots::run(&books.db, date!(2026 - 11 - 05))
            .expect("run")
            .due,
        0,
        "USD 30 left is under the minimum"
    );
    rules.minimums[0].minor = 20_00;
    collections::save_policy(&books.db, rules).expect("policy");
    assert_eq!(
        slots::run(&books.db, date!(2026 - 11 - 05))
            .expect("run")
            .due,
        1,
        "over the new minimum"
    );
}

#[test]
fn a_promise_for_the_15th_keeps_silence_until_then_and_unpaid_on_the_17th_a_reminder_and_the_flag()
{
    let books = Books::new();
    policy(&books.db, &[1, 7]);
    let pena = books.customer("Peña & Hijos");
    let owed = owes(&books, pena, "F-1", "100", "01/11/2026");
    promise(&books.db, pena, "15/11/2026", &on(date!(2026 - 11 - 10)));
    for day in [
        date!(2026 - 11 - 10),
        date!(2026 - 11 - 12),
        date!(2026 - 11 - 15),
    ] {
        assert_eq!(
            slots::run(&books.db, day).expect("run"),
            Evaluated::default(),
            "{day}"
        );
    }
    let broken = slots::run(&books.db, date!(2026 - 11 - 17)).expect("run");
    assert_eq!(
        (broken.due, broken.superseded),
        (1, 1),
        "+7 now, +1 superseded"
    );
    let chips = receivables::detail(&books.db, owed, &on(date!(2026 - 11 - 17)))
        .expect("detail")
        .receivable
        .pauses;
    assert_eq!(chips[0].state, PauseState::Broken, "Promesa incumplida");
}

#[test]
fn a_payment_on_the_14th_ends_the_promise_and_nothing_is_due() {
    let books = Books::new();
    policy(&books.db, &[1, 7]);
    let pena = books.customer("Peña & Hijos");
    let owed = owes(&books, pena, "F-1", "100", "01/11/2026");
    promise(&books.db, pena, "15/11/2026", &on(date!(2026 - 11 - 10)));
    pay(&books.db, owed, "100", date!(2026 - 11 - 14));
    let kept = pauses::of_customer(&books.db, pena, &on(date!(2026 - 11 - 17))).expect("pauses");
    assert_eq!(
        (kept[0].state, kept[0].end_reason),
        (PauseState::Ended, Some(PauseEnd::Settled))
    );
    assert_eq!(
        slots::run(&books.db, date!(2026 - 11 - 17)).expect("run"),
        Evaluated::default()
    );
}

#[test]
fn a_second_message_within_the_cooldown_waits_for_review() {
    let books = Books::new();
    policy(&books.db, &[1, 3]);
    let pena = books.customer("Peña & Hijos");
    owes(&books, pena, "F-1", "100", "01/11/2026");
    assert_eq!(
        slots::run(&books.db, date!(2026 - 11 - 02))
            .expect("run")
            .due,
        1
    );
    let next = slots::run(&books.db, date!(2026 - 11 - 04)).expect("run");
    assert_eq!(
        (next.due, next.held),
        (0, 1),
        "two days after the last: cooldown 3"
    );
    let held_for: String = one(
        &books.db,
        "SELECT held_for FROM collection_slots WHERE state = 'held'",
    );
    assert_eq!(held_for, "cooldown");
}

#[test]
fn off_until_turned_on_and_a_customer_without_automatic_reminders_is_left_alone() {
    let books = Books::new();
    let pena = books.customer("Peña & Hijos");
    let esquina = books.customer("Bodega La Esquina");
    owes(&books, pena, "F-1", "100", "01/11/2026");
    owes(&books, esquina, "F-2", "100", "01/11/2026");
    let mut proposed = PolicyRules::proposed();
    collections::save_policy(&books.db, proposed.clone()).expect("saved off");
    assert_eq!(
        slots::run(&books.db, date!(2026 - 11 - 20)).expect("run"),
        Evaluated::default(),
        "off until the owner turns it on"
    );
    proposed.enabled = true;
    collections::save_policy(&books.db, proposed).expect("on");
    collections::set_automatic(&books.db, esquina, false).expect("sin recordatorios");
    slots::run(&books.db, date!(2026 - 11 - 20)).expect("run");
    let customers: Vec<i64> = slots_of(&books.db).iter().map(|(c, _, _)| *c).collect();
    assert!(customers.iter().all(|c| *c == pena), "{customers:?}");
    assert_eq!(due_count(&books.db), 1);
}

#[test]
fn a_policy_stored_by_hand_that_the_form_would_refuse_is_never_evaluated() {
    let books = Books::new();
    books
        .db
        .write(|tx| {
            tx.execute(
                "UPDATE collection_policies SET rules = '{\"enabled\":true,\"steps\":[]}'",
                [],
            )
        })
        .expect("hand edit");
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    owes(&books, pena, "F-0042", "80", "01/11/2026");
    slots::run(&books.db, date!(2026 - 11 - 20)).expect("the others' evaluation goes on");
    assert_eq!(slots_of(&books.db), [], "nothing decided under it");
    // Ajustes → Cobranza says so rather than show a form over rules that do not hold.
    assert!(matches!(
        collections::policy(&books.db),
        Err(collections::CollectionsError::Corrupt { id: 1 })
    ));
}
