//! The evaluator over real books in a real SQLite file, with the user's day passed in: after
//! days off only the highest step goes (the others superseded), two evaluations at once leave
//! one row per slot, payments and promises change what is due, a cooldown holds a second
//! message, and a customer "sin recordatorios automáticos" is left alone.

mod common;

use std::sync::Arc;

use cachicamo_core::books::pauses::{self, PauseEnd, PauseForm, PauseKind, PauseState};
use cachicamo_core::books::payments::{self, PaymentForm, PaymentMethod};
use cachicamo_core::books::reading::Reading;
use cachicamo_core::books::receivables;
use cachicamo_core::collections::policy::{MinimumBalance, PolicyRules, PolicyStep, StepUnit};
use cachicamo_core::collections::slots::{self, Evaluated};
use cachicamo_core::collections::{self as collections};
use cachicamo_core::locale::Region;
use cachicamo_core::reminders::Rechecks;
use cachicamo_core::Database;
use common::{cement_owed_on, customer_at, one, Books};
use time::macros::date;
use time::Date;

fn on(today: Date) -> Reading {
    Reading {
        region: Region::EsVe,
        today,
    }
}

fn policy(db: &Database, offsets: &[i32]) {
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

fn owes(books: &Books, customer: i64, document: &str, amount: &str, due: &str) -> i64 {
    let issued = on(date!(2026 - 10 - 01));
    cement_owed_on(
        &books.db,
        customer,
        (document, amount),
        ("01/10/2026", due),
        &issued,
    )
}

fn pay(db: &Database, receivable: i64, amount: &str, on_day: Date) {
    let form = PaymentForm {
        paid_on: Region::EsVe.date(on_day),
        amount: amount.into(),
        method: Some(PaymentMethod::Cash),
        ..PaymentForm::default()
    };
    payments::record(db, &Rechecks::default(), receivable, &form, &on(on_day)).expect("paid");
}

/// `customer` promises to pay by `until` (dd/mm/aaaa), as said on `day`.
fn promise(db: &Database, customer: i64, until: &str, day: &Reading) {
    let form = PauseForm {
        customer_id: Some(customer),
        kind: Some(PauseKind::Promise),
        until: until.into(),
        ..PauseForm::default()
    };
    pauses::start(db, &Rechecks::default(), &form, day).expect("promise");
}

/// The slots as stored: (customer, offset, state), in order.
fn slots_of(db: &Database) -> Vec<(i64, i32, String)> {
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

fn due_count(db: &Database) -> usize {
    slots_of(db).iter().filter(|(_, _, s)| s == "due").count()
}

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
    // Closed until the 20th (19 days after Peña's oldest due date, 15 after La Esquina's).
    let back = slots::run(&books.db, date!(2026 - 11 - 20)).expect("run");
    assert_eq!(
        back,
        Evaluated {
            due: 2,
            superseded: 3,
            held: 0
        }
    );
    assert_eq!(
        slots_of(&books.db),
        [
            (pena, 1, "due".to_owned()),
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
    assert!(matches!(
        slots::run(&books.db, date!(2026 - 11 - 20)),
        Err(collections::CollectionsError::Corrupt { id: 1 })
    ));
}

#[test]
fn cobros_de_hoy_lists_one_line_per_customer_and_each_is_sent_once() {
    use cachicamo_core::collections::today::{self, TodayState};
    let books = Books::new();
    common::statement_business(&books.db);
    policy(&books.db, &[1, 7, 15]);
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    let esquina = customer_at(&books.db, "Bodega La Esquina", "pagos@esquina.com");
    owes(&books, pena, "F-1", "100", "01/11/2026");
    owes(&books, pena, "F-2", "50", "03/11/2026");
    owes(&books, esquina, "F-3", "80", "05/11/2026");
    let day = on(date!(2026 - 11 - 09));
    slots::run(&books.db, day.today).expect("run");

    let page = today::list(&books.db, &day, 50).expect("today");
    assert_eq!(page.total, 2, "one line per customer");
    let pena_line = &page.lines[0];
    assert_eq!(
        (
            pena_line.customer_id,
            pena_line.state,
            pena_line.offset_days
        ),
        (pena, TodayState::Due, 7)
    );
    assert_eq!(pena_line.days_overdue, 8, "vencida hace 8 días → Paso 7");
    assert_eq!(pena_line.days_late, 1, "a catch-up");
    assert_eq!(pena_line.step_label, "Paso 7");
    let balances: Vec<&str> = pena_line.balances.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(balances, ["USD 150,00"]);
    assert_eq!(pena_line.recipient.as_deref(), Some("cobros@pena.com.ve"));

    // "Enviar todos", twice (a second click, a restart): one statement per customer.
    let first: Vec<_> = today::sendable(&books.db, &day)
        .expect("sendable")
        .into_iter()
        .map(|slot| today::send(&books.db, slot, &day).expect("sent"))
        .collect();
    assert!(first.iter().all(Option::is_some), "{first:?}");
    assert!(today::sendable(&books.db, &day).expect("again").is_empty());
    assert_eq!(
        today::send(&books.db, pena_line.slot_id, &day).expect("again"),
        None
    );
    let queued: i64 = one(
        &books.db,
        "SELECT count(*) FROM outbox WHERE reference LIKE 'statement:%'",
    );
    assert_eq!(queued, 2);
    assert_eq!(today::list(&books.db, &day, 50).expect("today").total, 0);
}

#[test]
fn omitir_and_posponer_take_a_line_out_of_today_until_its_day() {
    use cachicamo_core::collections::today;
    let books = Books::new();
    policy(&books.db, &[1]);
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    let esquina = customer_at(&books.db, "Bodega La Esquina", "pagos@esquina.com");
    owes(&books, pena, "F-1", "100", "01/11/2026");
    owes(&books, esquina, "F-2", "100", "01/11/2026");
    let day = on(date!(2026 - 11 - 02));
    slots::run(&books.db, day.today).expect("run");
    let lines = today::list(&books.db, &day, 50).expect("today").lines;
    assert!(today::skip(&books.db, lines[0].slot_id, day.today).expect("skip"));
    let refused = today::postpone(&books.db, lines[1].slot_id, "01/11/2026", &day);
    assert!(matches!(
        refused,
        Err(collections::CollectionsError::Invalid(_))
    ));
    assert!(today::postpone(&books.db, lines[1].slot_id, "05/11/2026", &day).expect("postpone"));
    assert_eq!(today::list(&books.db, &day, 50).expect("today").total, 0);
    let back = today::list(&books.db, &on(date!(2026 - 11 - 05)), 50).expect("today");
    assert_eq!(back.total, 1, "the postponed line is back on its day");
    assert_eq!(back.lines[0].slot_id, lines[1].slot_id);
}

#[test]
fn the_simulation_shows_each_step_on_its_day_and_writes_nothing() {
    use cachicamo_core::collections::simulate::simulate;
    let books = Books::new();
    policy(&books.db, &[-3, 1, 7]);
    let pena = books.customer("Peña & Hijos");
    owes(&books, pena, "F-1", "100", "10/11/2026");
    let promised = books.customer("Bodega La Esquina");
    owes(&books, promised, "F-2", "100", "10/11/2026");
    promise(
        &books.db,
        promised,
        "12/11/2026",
        &on(date!(2026 - 11 - 01)),
    );
    let days = books
        .db
        .read(|conn| simulate(conn, &on(date!(2026 - 11 - 01)), 30))
        .expect("simulated");
    let seen: Vec<(String, &str, i32)> = days
        .iter()
        .flat_map(|day| {
            day.messages.iter().map(|m| {
                (
                    day.day.text.clone(),
                    m.customer_name.as_str(),
                    m.offset_days,
                )
            })
        })
        .collect();
    assert_eq!(
        seen,
        [
            // La Esquina promised to pay by the 12th: silent until then.
            ("07/11/2026".to_owned(), "Peña & Hijos", -3),
            ("11/11/2026".to_owned(), "Peña & Hijos", 1),
            // The promise broken on the 13th: La Esquina catches up at +1, −3 superseded.
            ("13/11/2026".to_owned(), "Bodega La Esquina", 1),
            ("17/11/2026".to_owned(), "Bodega La Esquina", 7),
            ("17/11/2026".to_owned(), "Peña & Hijos", 7),
        ]
    );
    assert!(
        slots_of(&books.db).is_empty(),
        "a simulation writes nothing"
    );
}

#[test]
fn automatico_sends_without_a_click_once_but_waits_when_no_payment_was_recorded_lately() {
    use cachicamo_core::collections::batch::{self, Batch};
    use cachicamo_core::collections::policy::SendMode;
    use cachicamo_core::collections::today;
    let books = Books::new();
    common::statement_business(&books.db);
    let mut rules = PolicyRules::proposed();
    rules.enabled = true;
    rules.mode = SendMode::Automatic;
    collections::save_policy(&books.db, rules.clone()).expect("policy");
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    let esquina = customer_at(&books.db, "Bodega La Esquina", "pagos@esquina.com");
    owes(&books, pena, "F-1", "100", "01/11/2026");
    let other = owes(&books, esquina, "F-2", "100", "01/11/2026");
    // Evaluated "today" as the machine sees it, so the payments gate reads real timestamps.
    let now = time::OffsetDateTime::now_utc();
    let day = on(now.date());
    slots::run(&books.db, day.today).expect("run");
    assert!(
        today::list(&books.db, &day, 50)
            .expect("today")
            .ask_payments
    );

    assert_eq!(
        batch::run(&books.db, &day, now).expect("batch"),
        Batch::WaitsForPayments { days: 7 },
        "nobody recorded a payment: the batch waits"
    );
    pay(&books.db, other, "10", now.date());
    let Batch::Queued(first) = batch::run(&books.db, &day, now).expect("batch") else {
        panic!("a payment was recorded today: the batch goes");
    };
    assert_eq!(first.len(), 2);
    assert_eq!(
        batch::run(&books.db, &day, now).expect("again"),
        Batch::Queued(Vec::new()),
        "and only once"
    );

    rules.mode = SendMode::At {
        hour: 23,
        minute: 59,
    };
    collections::save_policy(&books.db, rules).expect("policy");
    let morning = now.replace_time(time::macros::time!(08:00));
    assert_eq!(
        batch::run(&books.db, &day, morning).expect("batch"),
        Batch::NotNow
    );
}

#[test]
fn a_customer_who_pays_or_is_paused_after_the_evaluation_leaves_cobros_de_hoy() {
    use cachicamo_core::collections::today;
    let books = Books::new();
    policy(&books.db, &[1]);
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    let esquina = customer_at(&books.db, "Bodega La Esquina", "pagos@esquina.com");
    let tres = customer_at(&books.db, "Ferretería Tres", "caja@tres.com.ve");
    let paid = owes(&books, pena, "F-1", "100", "01/11/2026");
    owes(&books, esquina, "F-2", "100", "01/11/2026");
    owes(&books, tres, "F-3", "100", "01/11/2026");
    let day = on(date!(2026 - 11 - 02));
    slots::run(&books.db, day.today).expect("run");
    assert_eq!(today::list(&books.db, &day, 50).expect("today").total, 3);

    pay(&books.db, paid, "100", day.today);
    promise(&books.db, esquina, "05/11/2026", &day);
    let left = today::list(&books.db, &day, 50).expect("today");
    let names: Vec<&str> = left
        .lines
        .iter()
        .map(|l| l.customer_name.as_str())
        .collect();
    assert_eq!(names, ["Ferretería Tres"]);
    assert_eq!(today::sendable(&books.db, &day).expect("sendable").len(), 1);
    // The promise broken on the 6th: La Esquina's line is back.
    let later = today::list(&books.db, &on(date!(2026 - 11 - 06)), 50).expect("today");
    assert_eq!(later.total, 2);
}
