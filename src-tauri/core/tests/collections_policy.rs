//! The política de cobranza's own parts over real books in a real SQLite file, the user's day
//! passed in: the minimum balance per currency as Ajustes → Cobranza types it (the region's
//! way, refused next to its row) keeps a small debtor out of Cobros de hoy in that currency
//! only; a step sent per receivable queues, on Enviar, that receivable's own payment reminder —
//! the one its detail sends — not the customer's statement, and leaves once it is paid; a
//! customer switched to "sin recordatorios automáticos" leaves Cobros de hoy at once, even with
//! a line already decided; "Enviar todos" sends every line it can and leaves the one without an
//! address waiting, instead of stopping there.

mod common;

use cachicamo_core::books::payments::{self, PaymentForm, PaymentMethod};
use cachicamo_core::books::reading::Reading;
use cachicamo_core::collections::form::{self, PolicyForm, TypedMinimum};
use cachicamo_core::collections::policy::PolicyRules;
use cachicamo_core::collections::today;
use cachicamo_core::collections::{self as collections, policies, slots, CollectionsError};
use cachicamo_core::locale::Region;
use cachicamo_core::reminders::{self, Rechecks, ReminderRequest};
use cachicamo_core::statements;
use cachicamo_core::validation::FieldProblem;
use cachicamo_core::Database;
use common::{cement_owed_in, customer_at, one, Books};
use time::macros::date;
use time::Date;

fn on(today: Date) -> Reading {
    Reading {
        region: Region::EsVe,
        today,
    }
}

/// `customer` owes `amount` (typed the Venezuelan way) in `currency`, due 01/11/2026.
fn owes(db: &Database, customer: i64, document: &str, currency: &str, amount: &str) -> i64 {
    cement_owed_in(
        db,
        customer,
        currency,
        (document, amount),
        ("01/10/2026", "01/11/2026"),
        &on(date!(2026 - 10 - 01)),
    )
}

fn minimum(currency: &str, amount: &str) -> TypedMinimum {
    TypedMinimum {
        currency: currency.into(),
        amount: amount.into(),
    }
}

fn proposed_on() -> PolicyRules {
    PolicyRules {
        enabled: true,
        ..PolicyRules::proposed()
    }
}

fn refusals(err: CollectionsError) -> Vec<(String, FieldProblem)> {
    match err {
        CollectionsError::Invalid(fields) => {
            let mut found: Vec<_> = fields.into_iter().map(|f| (f.field, f.problem)).collect();
            found.sort_by(|a, b| a.0.cmp(&b.0));
            found
        }
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[test]
fn a_minimum_typed_the_regions_way_is_refused_by_row_then_kept_and_shown_back() {
    let books = Books::new();
    let reading = on(date!(2026 - 11 - 05));
    let refused = form::save(
        &books.db,
        collections::DEFAULT_POLICY,
        PolicyForm {
            rules: proposed_on(),
            minimums: vec![
                minimum("USD", "50,00"),
                minimum("USD", "20"),
                minimum("VES", "1.500,5x"),
                minimum("XXX1", "10"),
            ],
        },
        &reading,
    )
    .expect_err("refused");
    assert_eq!(
        refusals(refused),
        [
            (
                "minimums.1.currency".to_owned(),
                FieldProblem::DuplicateCurrency
            ),
            ("minimums.2.amount".to_owned(), FieldProblem::InvalidAmount),
            (
                "minimums.3.currency".to_owned(),
                FieldProblem::UnknownCurrency
            ),
        ]
    );
    assert_eq!(
        collections::policy(&books.db).expect("policy"),
        PolicyRules::default(),
        "nothing saved from a refused form"
    );

    let saved = form::save(
        &books.db,
        collections::DEFAULT_POLICY,
        PolicyForm {
            rules: proposed_on(),
            minimums: vec![minimum("usd", "50"), minimum("VES", "1.500,5")],
        },
        &reading,
    )
    .expect("saved");
    assert_eq!(
        saved.minimums,
        [minimum("USD", "50,00"), minimum("VES", "1.500,50")]
    );
    let stored = collections::policy(&books.db).expect("policy");
    assert_eq!(stored.minimum("USD"), 50_00);
    assert_eq!(stored.minimum("VES"), 150_050);
    assert_eq!(stored.minimum("EUR"), 1, "no minimum: any balance counts");
    let mexican = Reading {
        region: Region::EsMx,
        ..reading
    };
    assert_eq!(
        PolicyForm::shown(stored, &mexican).minimums[1],
        minimum("VES", "1,500.50"),
        "shown as the region writes it"
    );
}

#[test]
fn a_customer_below_the_minimum_in_every_currency_is_not_in_cobros_de_hoy() {
    let books = Books::new();
    let reading = on(date!(2026 - 11 - 09));
    form::save(
        &books.db,
        collections::DEFAULT_POLICY,
        PolicyForm {
            rules: proposed_on(),
            minimums: vec![minimum("USD", "50,00")],
        },
        &reading,
    )
    .expect("policy");
    let small = customer_at(&books.db, "Kiosco Pequeño", "kiosco@example.com");
    let big = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    let mixed = customer_at(&books.db, "Bodega La Esquina", "pagos@esquina.com");
    owes(&books.db, small, "F-1", "USD", "30");
    owes(&books.db, big, "F-2", "USD", "80");
    // Under the dollar minimum, but bolívares have none: the statement still goes.
    owes(&books.db, mixed, "F-3", "USD", "10");
    owes(&books.db, mixed, "F-4", "VES", "500");

    slots::run(&books.db, reading.today).expect("run");
    let page = today::list(&books.db, &reading, 50).expect("today");
    let mut names: Vec<&str> = page
        .lines
        .iter()
        .map(|line| line.customer_name.as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["Bodega La Esquina", "Peña & Hijos"]);
    assert_eq!(page.total, 2);
}

/// The guide's steps, on, with `minimums`, saved as Ajustes → Cobranza saves them.
fn with_minimums(books: &Books, minimums: Vec<TypedMinimum>, reading: &Reading) -> PolicyForm {
    let form = PolicyForm {
        rules: proposed_on(),
        minimums,
    };
    form::save(&books.db, collections::DEFAULT_POLICY, form, reading).expect("policy")
}

#[test]
fn a_line_decided_before_the_minimum_was_raised_is_not_sent() {
    let books = Books::new();
    let reading = on(date!(2026 - 11 - 09));
    let save = |minimums| with_minimums(&books, minimums, &reading);
    save(Vec::new());
    let kiosco = customer_at(&books.db, "Kiosco Pequeño", "kiosco@example.com");
    owes(&books.db, kiosco, "F-1", "USD", "30");
    slots::run(&books.db, reading.today).expect("run");
    let page = today::list(&books.db, &reading, 50).expect("today");
    assert_eq!(page.total, 1, "decided while no minimum applied");

    // Raised above what the kiosk owes: the line leaves Cobros de hoy as the policy is saved,
    // and an Enviar from a list shown before (or Enviar todos, or Automático, which send through
    // it) queues nothing.
    save(vec![minimum("USD", "50,00")]);
    assert_eq!(
        today::list(&books.db, &reading, 50).expect("today").total,
        0
    );
    let sent = today::send(&books.db, page.lines[0].slot_id, &reading).expect("send");
    assert_eq!(sent, None);
    let queued: i64 = one(&books.db, "SELECT count(*) FROM outbox");
    assert_eq!(queued, 0, "nothing queued below the minimum");
    let state: String = one(&books.db, "SELECT state FROM collection_slots");
    assert_eq!(state, "superseded");
}

#[test]
fn a_customer_out_of_automatic_reminders_keeps_their_line_when_the_minimum_rises() {
    let books = Books::new();
    let reading = on(date!(2026 - 11 - 09));
    let save = |minimums| with_minimums(&books, minimums, &reading);
    save(Vec::new());
    let kiosco = customer_at(&books.db, "Kiosco Pequeño", "kiosco@example.com");
    let bodega = customer_at(&books.db, "Bodega La Esquina", "bodega@example.com");
    owes(&books.db, kiosco, "F-1", "USD", "30");
    owes(&books.db, bodega, "F-2", "USD", "80");
    slots::run(&books.db, reading.today).expect("run");
    policies::follow(&books.db, kiosco, None).expect("sin recordatorios");

    // (Both are eight days overdue: their +7 line waits, the +1 before it was superseded.)
    // Only the shop's own customers are measured against its new minimum; the kiosk's line
    // waits, out of the list, and is weighed again if it comes back.
    save(vec![minimum("USD", "50,00")]);
    let states: Vec<(i64, String)> = books
        .db
        .read(|conn| {
            let mut statement = conn
                .prepare("SELECT customer_id, state FROM collection_slots WHERE offset_days = 7 ORDER BY customer_id")?;
            let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })
        .expect("slots");
    assert_eq!(
        states,
        [(kiosco, "due".to_owned()), (bodega, "due".to_owned())]
    );
}

#[test]
fn enviar_on_a_step_per_receivable_queues_that_receivables_reminder_not_the_statement() {
    let books = Books::new();
    let reading = on(date!(2026 - 11 - 09));
    let rules = cachicamo_e2e::books::second_notice_per_receivable();
    collections::save_policy(&books.db, rules).expect("policy");
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    let cement = owes(&books.db, pena, "F-0042", "USD", "80");
    let blocks = owes(&books.db, pena, "F-0043", "USD", "40");

    slots::run(&books.db, reading.today).expect("run");
    let page = today::list(&books.db, &reading, 50).expect("today");
    let mut lines: Vec<(Option<i64>, Option<&str>)> = page
        .lines
        .iter()
        .map(|line| (line.receivable_id, line.document_number.as_deref()))
        .collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        [
            (Some(cement), Some("F-0042")),
            (Some(blocks), Some("F-0043"))
        ],
        "one line per receivable, each naming its own"
    );
    let slot_of = |receivable: i64| {
        page.lines
            .iter()
            .find(|line| line.receivable_id == Some(receivable))
            .expect("line")
            .slot_id
    };

    let sent = today::send(&books.db, slot_of(cement), &reading)
        .expect("send")
        .expect("queued");
    let reminders_of_cement = reminders::queue::of_receivable(&books.db, cement).expect("list");
    assert_eq!(reminders_of_cement.len(), 1);
    let queued = &reminders_of_cement[0];
    assert_eq!(queued.id, sent);
    assert_eq!(queued.recipient, "cobros@pena.com.ve");
    let from_detail = reminders::for_receivable(
        &books.db,
        &ReminderRequest {
            receivable_id: cement,
            recipient: None,
        },
        &reading,
    )
    .expect("the detail's reminder");
    assert_eq!(
        queued.subject, from_detail.message.subject,
        "the same reminder the receivable's detail sends"
    );
    assert!(queued.attachments.is_empty(), "no statement PDF");
    assert!(
        statements::queue::of_customer(&books.db, pena)
            .expect("statements")
            .is_empty(),
        "no statement queued"
    );
    assert!(
        reminders::queue::of_receivable(&books.db, blocks)
            .expect("list")
            .is_empty(),
        "the other receivable waits for its own Enviar"
    );

    // F-0043 is paid at the counter: its line leaves, and a late Enviar queues nothing.
    let paid = PaymentForm {
        paid_on: Region::EsVe.date(reading.today),
        amount: "40".into(),
        method: Some(PaymentMethod::Cash),
        ..PaymentForm::default()
    };
    payments::record(&books.db, &Rechecks::default(), blocks, &paid, &reading).expect("paid");
    let page = today::list(&books.db, &reading, 50).expect("today");
    assert!(page.lines.is_empty(), "{:?}", page.lines);
    assert_eq!(
        today::send(&books.db, slot_of(blocks), &reading).expect("send"),
        None
    );
}

#[test]
fn sin_recordatorios_automaticos_takes_a_decided_line_out_of_cobros_de_hoy_until_switched_back() {
    let books = Books::new();
    let reading = on(date!(2026 - 11 - 09));
    collections::save_policy(&books.db, proposed_on()).expect("policy");
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    owes(&books.db, pena, "F-0042", "USD", "80");
    slots::run(&books.db, reading.today).expect("run");
    let page = today::list(&books.db, &reading, 50).expect("today");
    assert_eq!(page.total, 1);
    let slot = page.lines[0].slot_id;

    collections::set_automatic(&books.db, pena, false).expect("sin recordatorios");
    let page = today::list(&books.db, &reading, 50).expect("today");
    assert_eq!((page.total, page.lines.len()), (0, 0));
    assert_eq!(
        books
            .db
            .read(|conn| today::count(conn, reading.today))
            .expect("count"),
        0,
        "the menu's badge too"
    );
    assert_eq!(
        today::sendable(&books.db, &reading).expect("sendable"),
        Vec::<i64>::new(),
        "Enviar todos and the automatic batch leave it alone"
    );
    assert_eq!(today::send(&books.db, slot, &reading).expect("send"), None);
    assert!(statements::queue::of_customer(&books.db, pena)
        .expect("statements")
        .is_empty());

    collections::set_automatic(&books.db, pena, true).expect("back");
    assert_eq!(
        today::list(&books.db, &reading, 50).expect("today").total,
        1
    );
}

#[test]
fn enviar_todos_leaves_a_customer_without_an_address_waiting_and_sends_the_others() {
    let books = Books::new();
    let reading = on(date!(2026 - 11 - 09));
    collections::save_policy(&books.db, proposed_on()).expect("policy");
    // Created first, so its line comes first: the others must not depend on it.
    let nameless = books.customer("Bodega Sin Correo");
    owes(&books.db, nameless, "F-0041", "USD", "60");
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    owes(&books.db, pena, "F-0042", "USD", "80");
    slots::run(&books.db, reading.today).expect("run");
    assert_eq!(
        today::sendable(&books.db, &reading)
            .expect("sendable")
            .len(),
        2
    );

    let queued = today::send_all(&books.db, &reading).expect("send all");
    assert_eq!(queued.len(), 1);
    assert_eq!(
        statements::queue::of_customer(&books.db, pena)
            .expect("statements")
            .len(),
        1
    );
    let page = today::list(&books.db, &reading, 50).expect("today");
    let waiting: Vec<(&str, Option<&str>)> = page
        .lines
        .iter()
        .map(|line| (line.customer_name.as_str(), line.recipient.as_deref()))
        .collect();
    assert_eq!(
        waiting,
        [("Bodega Sin Correo", None)],
        "still waiting, saying why"
    );
}
