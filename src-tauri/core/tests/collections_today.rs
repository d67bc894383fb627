//! Cobros de hoy over the evaluator's decisions, in a real SQLite file: one line per customer,
//! each sent once; Omitir and Posponer; the Simulación, which writes nothing; "Automático",
//! which waits when no payment was recorded lately; and a customer who pays or is paused leaves
//! the list.

mod common;

use cachicamo_core::collections;
use cachicamo_core::collections::policy::PolicyRules;
use cachicamo_core::collections::slots;
use common::collections::{on, owes, pay, policy, promise, slots_of};
use common::{customer_at, one, Books};
use time::macros::date;

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
