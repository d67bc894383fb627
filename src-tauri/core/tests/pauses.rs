//! Pausas de cobranza against real books in a real SQLite file: a pause reaches the messages
//! already waiting (held, or cancelled for "No contactar"), shows as a chip on every receivable
//! it covers, is refused in words when typed wrong, ends when a payment leaves nothing owed,
//! and stays in the history. Pauses are in force by the user's calendar day, which the send
//! check reads from the clock: these books are read on that day.

mod common;

use cachicamo_core::books::pauses::{self, PauseEnd, PauseForm, PauseKind, PauseState};
use cachicamo_core::books::payments;
use cachicamo_core::books::reading::Reading;
use cachicamo_core::books::receivables;
use cachicamo_core::books::BooksError;
use cachicamo_core::clock;
use cachicamo_core::locale::{Language, Region};
use cachicamo_core::outbox::{self, CancelReason, HoldReason, OutboxId, OutboxState};
use cachicamo_core::reminders::queue::{self, SendReminder};
use cachicamo_core::reminders::Rechecks;
use cachicamo_core::statements::queue::{self as statement_queue, SendStatement};
use cachicamo_core::validation::FieldProblem;
use cachicamo_core::Database;
use common::{cement_owed, customer_at, field_problems, statement_business, Books};
use time::Duration;

fn today() -> Reading {
    Reading {
        region: Region::EsVe,
        today: clock::local_today(),
    }
}

/// `days` from today, typed the Venezuelan way.
fn typed_day(days: i64) -> String {
    Region::EsVe.date(clock::local_today() + Duration::days(days))
}

fn remind(db: &Database, receivable: i64) -> OutboxId {
    let request = SendReminder {
        receivable_id: receivable,
        recipient: None,
        save_as_customer_email: false,
    };
    queue::queue(db, &Rechecks::default(), &request, &today()).expect("queued")
}

fn pause(db: &Database, form: PauseForm) -> Result<(pauses::Pause, Rechecks), BooksError> {
    let rechecks = Rechecks::default();
    let pause = pauses::start(db, &rechecks, &form, &today())?;
    Ok((pause, rechecks))
}

fn on_customer(customer: i64, kind: PauseKind, until: &str) -> PauseForm {
    PauseForm {
        customer_id: Some(customer),
        receivable_id: None,
        kind: Some(kind),
        until: until.into(),
        note: "Dice que paga el viernes".into(),
    }
}

fn entry(db: &Database, id: OutboxId) -> outbox::OutboxEntry {
    db.read(|conn| outbox::get(conn, id)).expect("entry")
}

fn pay(db: &Database, receivable: i64, amount: &str) {
    let form = payments::PaymentForm {
        paid_on: typed_day(0),
        ..common::cash(amount)
    };
    payments::record(db, &Rechecks::default(), receivable, &form, &today()).expect("paid");
}

#[test]
fn a_promise_holds_the_waiting_reminder_and_no_contactar_cancels_one() {
    let books = Books::new();
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    let esquina = customer_at(&books.db, "Bodega La Esquina", "pagos@esquina.com");
    let owed = cement_owed(&books.db, pena, "F-77", "1.500,50", &today());
    let other = cement_owed(&books.db, esquina, "F-78", "80", &today());
    let promised = remind(&books.db, owed);
    let never = remind(&books.db, other);

    let (started, rechecks) = pause(
        &books.db,
        on_customer(pena, PauseKind::Promise, &typed_day(5)),
    )
    .expect("paused");
    assert_eq!(started.state, PauseState::Active);
    let changed: Vec<OutboxId> = rechecks.changed().iter().map(|c| c.id).collect();
    assert_eq!(changed, vec![promised], "the pause says what it held");
    let held = entry(&books.db, promised);
    assert_eq!(
        (held.state, held.held),
        (OutboxState::Held, Some(HoldReason::Paused))
    );

    pause(&books.db, on_customer(esquina, PauseKind::DoNotContact, "")).expect("paused");
    let cancelled = entry(&books.db, never);
    assert_eq!(
        (cancelled.state, cancelled.cancelled),
        (OutboxState::Cancelled, Some(CancelReason::DoNotContact))
    );
}

#[test]
fn a_pause_on_one_receivable_leaves_the_customers_other_reminders_alone() {
    let books = Books::new();
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    let disputed = cement_owed(&books.db, pena, "F-77", "100", &today());
    let fine = cement_owed(&books.db, pena, "F-79", "200", &today());
    let on_disputed = remind(&books.db, disputed);
    let on_fine = remind(&books.db, fine);
    pause(
        &books.db,
        PauseForm {
            receivable_id: Some(disputed),
            ..on_customer(pena, PauseKind::Dispute, "")
        },
    )
    .expect("paused");
    assert_eq!(entry(&books.db, on_disputed).held, Some(HoldReason::Paused));
    assert_eq!(entry(&books.db, on_fine).state, OutboxState::Queued);

    let chips = |id| {
        receivables::detail(&books.db, id, &today())
            .expect("detail")
            .receivable
            .pauses
    };
    assert_eq!(chips(disputed).len(), 1);
    assert!(chips(disputed)[0].on_receivable);
    assert!(chips(fine).is_empty(), "{:?}", chips(fine));
}

#[test]
fn a_statement_waiting_for_a_paused_customer_is_held() {
    let books = Books::new();
    statement_business(&books.db);
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    cement_owed(&books.db, pena, "F-77", "100", &today());
    let request = SendStatement {
        customer_id: pena,
        attach_pdf: false,
        ..SendStatement::default()
    };
    let statement = statement_queue::queue(&books.db, &request, &today()).expect("queued");
    pause(&books.db, on_customer(pena, PauseKind::PaymentPlan, "")).expect("paused");
    let held = entry(&books.db, statement);
    assert_eq!(
        (held.state, held.held),
        (OutboxState::Held, Some(HoldReason::Paused))
    );
}

#[test]
fn a_promise_past_its_day_unpaid_is_broken_and_no_longer_pauses() {
    let books = Books::new();
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    let owed = cement_owed(&books.db, pena, "F-77", "100", &today());
    let (promise, _) = pause(
        &books.db,
        on_customer(pena, PauseKind::Promise, &typed_day(0)),
    )
    .expect("paused");
    // The promised day was yesterday (typed days ago; the form refuses a past day).
    let yesterday = clock::local_today() - Duration::days(1);
    books
        .db
        .write(|tx| {
            tx.execute(
                "UPDATE collection_pauses SET until = ?2 WHERE id = ?1",
                rusqlite::params![promise.id, cachicamo_core::books::dates::iso(yesterday)],
            )
        })
        .expect("moved");

    let chips = receivables::detail(&books.db, owed, &today())
        .expect("detail")
        .receivable
        .pauses;
    assert_eq!(chips.len(), 1);
    assert_eq!(
        (chips[0].kind, chips[0].state),
        (PauseKind::Promise, PauseState::Broken)
    );
    let flagged = pauses::chips(&books.db, &[pena], &today()).expect("chips");
    assert_eq!(flagged.len(), 1, "Clientes flags the broken promise");
    let reminder = remind(&books.db, owed);
    queue_recheck(&books.db, pena);
    assert_eq!(
        entry(&books.db, reminder).state,
        OutboxState::Queued,
        "reminders resume after a broken promise"
    );
}

/// What the app does after a change to the customer: the waiting mail is checked again.
fn queue_recheck(db: &Database, customer: i64) {
    use cachicamo_core::books::WaitingMail;
    db.write(|tx| Rechecks::default().customer_changed(tx, customer))
        .expect("rechecked");
}

#[test]
fn a_payment_that_settles_everything_ends_the_customers_pauses_and_a_partial_one_does_not() {
    let books = Books::new();
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    let first = cement_owed(&books.db, pena, "F-77", "100", &today());
    let second = cement_owed(&books.db, pena, "F-79", "50", &today());
    pause(
        &books.db,
        on_customer(pena, PauseKind::Promise, &typed_day(3)),
    )
    .expect("paused");

    pay(&books.db, first, "100");
    let open = pauses::of_customer(&books.db, pena, &today()).expect("pauses");
    assert_eq!(open[0].state, PauseState::Active, "F-79 is still owed");

    pay(&books.db, second, "50");
    let ended = pauses::of_customer(&books.db, pena, &today()).expect("pauses");
    assert_eq!(ended.len(), 1, "kept in the history");
    assert_eq!(
        (ended[0].state, ended[0].end_reason),
        (PauseState::Ended, Some(PauseEnd::Settled))
    );
    assert_eq!(ended[0].note, "Dice que paga el viernes");
}

#[test]
fn quitar_pausa_ends_it_and_the_history_keeps_it() {
    let books = Books::new();
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    let owed = cement_owed(&books.db, pena, "F-77", "100", &today());
    let (started, _) = pause(
        &books.db,
        on_customer(pena, PauseKind::Until, &typed_day(10)),
    )
    .expect("paused");
    assert_eq!(
        receivables::detail(&books.db, owed, &today())
            .expect("detail")
            .receivable
            .pauses
            .len(),
        1
    );
    let ended = pauses::end(&books.db, &Rechecks::default(), started.id, &today()).expect("ended");
    assert_eq!(
        (ended.state, ended.end_reason),
        (PauseState::Ended, Some(PauseEnd::Owner))
    );
    assert!(receivables::detail(&books.db, owed, &today())
        .expect("detail")
        .receivable
        .pauses
        .is_empty());
    assert_eq!(
        pauses::of_customer(&books.db, pena, &today())
            .expect("history")
            .len(),
        1
    );
}

#[test]
fn a_pause_typed_wrong_is_refused_by_field_and_nothing_is_written() {
    let books = Books::new();
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    let refused = |form| field_problems(pause(&books.db, form).expect_err("refused"));
    assert_eq!(
        refused(on_customer(pena, PauseKind::Promise, "")),
        vec![("until".to_owned(), FieldProblem::Required)]
    );
    assert_eq!(
        refused(on_customer(pena, PauseKind::Until, &typed_day(-1))),
        vec![("until".to_owned(), FieldProblem::DateInPast)]
    );
    assert_eq!(
        refused(on_customer(pena, PauseKind::Dispute, "31/02/2026")),
        vec![("until".to_owned(), FieldProblem::InvalidDate)]
    );
    assert_eq!(
        refused(PauseForm {
            kind: None,
            note: "x".repeat(501),
            ..on_customer(pena, PauseKind::Dispute, "")
        }),
        vec![
            ("note".to_owned(), FieldProblem::TooLong),
            ("kind".to_owned(), FieldProblem::Required)
        ]
    );
    assert!(pauses::of_customer(&books.db, pena, &today())
        .expect("none")
        .is_empty());
}

#[test]
fn a_paid_receivable_cannot_be_paused() {
    let books = Books::new();
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    let paid = cement_owed(&books.db, pena, "F-77", "100", &today());
    pay(&books.db, paid, "100");
    let err = pause(
        &books.db,
        PauseForm {
            receivable_id: Some(paid),
            ..on_customer(pena, PauseKind::Dispute, "")
        },
    )
    .expect_err("refused");
    assert!(
        matches!(
            err,
            BooksError::Refused(cachicamo_core::books::Refusal::NotPending)
        ),
        "{err:?}"
    );
}

#[test]
fn the_pending_export_names_each_receivables_pauses() {
    use cachicamo_core::books::export;
    use cachicamo_core::books::pending::PendingQuery;
    let books = Books::new();
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    let esquina = customer_at(&books.db, "Bodega La Esquina", "pagos@esquina.com");
    cement_owed(&books.db, pena, "F-77", "100", &today());
    cement_owed(&books.db, esquina, "F-78", "80", &today());
    let until = typed_day(4);
    pause(&books.db, on_customer(pena, PauseKind::Promise, &until)).expect("paused");
    let csv = export::pending_csv(&books.db, &PendingQuery::default(), &today(), Language::Es)
        .expect("export");
    let text = String::from_utf8(csv[3..].to_vec()).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].ends_with(";Pausa de cobranza"), "{}", lines[0]);
    let pena_line = lines.iter().find(|l| l.contains("F-77")).expect("F-77");
    assert!(
        pena_line.ends_with(&format!(";Promesa de pago hasta {until}")),
        "{pena_line}"
    );
    let esquina_line = lines.iter().find(|l| l.contains("F-78")).expect("F-78");
    assert!(
        esquina_line.ends_with(";"),
        "no pause: an empty last cell: {esquina_line}"
    );
}
