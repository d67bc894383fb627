//! "No entregable" where the owner works: Pagos Pendientes and a receivable's detail carry the
//! mark of the customer's registered address (whatever its capitals), and a statement to such
//! an address is refused when queued — single or in a bulk plan, set apart with why — instead of
//! waiting in the outbox to be held. A real SQLite file; no email service is needed to refuse.

mod common;

use cachicamo_core::books::pending::PendingQuery;
use cachicamo_core::books::receivables;
use cachicamo_core::locale::Language;
use cachicamo_core::statements::bulk::{self, BulkSelection, SetAsideReason};
use cachicamo_core::statements::queue::{self, SendStatement};
use cachicamo_core::statements::StatementError;
use cachicamo_core::undeliverable::{self, UndeliverableReason};
use cachicamo_core::validation::FieldProblem;
use cachicamo_core::Database;
use common::*;

const BOUNCE: &str = "550 5.1.1 no such user";

fn mark(db: &Database, address: &str, reason: UndeliverableReason, detail: Option<&str>) {
    db.write(|tx| {
        undeliverable::mark(
            tx,
            address,
            reason,
            detail,
            "2026-03-18T14:00:00.000Z",
            None,
        )
    })
    .expect("marked");
}

#[test]
fn pagos_pendientes_and_the_detail_show_the_customers_address_is_not_deliverable() {
    let books = Books::new();
    let ana = customer_at(&books.db, "Ana Pérez", "Ana.Perez@Cliente.com");
    let luis = customer_at(&books.db, "Luis Mora", "luis@cliente.com");
    // Capitals beyond ASCII fold too: SQLite's lower() alone would leave the Ñ and miss.
    let nandu = customer_at(&books.db, "Ñandú Ríos", "ÑANDÚ@Cliente.com");
    let anas = cement_owed(&books.db, ana, "F-1", "100", &READING);
    let luiss = cement_owed(&books.db, luis, "F-2", "200", &READING);
    let nandus = cement_owed(&books.db, nandu, "F-3", "300", &READING);
    mark(
        &books.db,
        "ana.perez@cliente.com",
        UndeliverableReason::Bounced,
        Some(BOUNCE),
    );
    mark(
        &books.db,
        "ñandú@cliente.com",
        UndeliverableReason::Complained,
        None,
    );

    let marks = |page: cachicamo_core::books::pending::PendingPage| {
        let mut marks: Vec<_> = page
            .rows
            .into_iter()
            .map(|row| (row.id, row.undeliverable.map(|u| (u.reason, u.detail))))
            .collect();
        marks.sort_by_key(|(id, _)| *id);
        marks
    };
    let expected = vec![
        (
            anas,
            Some((UndeliverableReason::Bounced, Some(BOUNCE.to_owned()))),
        ),
        (luiss, None),
        (nandus, Some((UndeliverableReason::Complained, None))),
    ];
    // The page from its index, and the page from a search's matches.
    assert_eq!(marks(books.pending(PendingQuery::default())), expected);
    assert_eq!(
        marks(books.pending(PendingQuery {
            search: "F-".into(),
            ..PendingQuery::default()
        })),
        expected
    );
    let detail = receivables::detail(&books.db, anas, &READING).expect("detail");
    let shown = detail.receivable.undeliverable.expect("No entregable");
    assert_eq!(
        (shown.reason, shown.since.as_str()),
        (UndeliverableReason::Bounced, "2026-03-18T14:00:00.000Z")
    );

    // Confirmed by the owner: the mark goes from every row.
    assert!(undeliverable::confirm_customer_address(&books.db, ana).expect("confirmed"));
    assert!(undeliverable::confirm_customer_address(&books.db, nandu).expect("confirmed"));
    assert!(books
        .pending(PendingQuery::default())
        .rows
        .iter()
        .all(|row| row.undeliverable.is_none()));
}

/// Ana owes overdue dollars at an address that bounced; Luis owes at one that works.
fn two_owing(books: &Books) -> (i64, i64) {
    let ana = books.customer_speaking("Ana Pérez", Language::Es);
    let luis = books.customer_speaking("Luis Mora", Language::Es);
    books
        .db
        .write(|tx| {
            tx.execute(
                "UPDATE customers SET email = 'luis@cliente.com' WHERE id = ?1",
                [luis],
            )
        })
        .expect("Luis's address");
    for (customer, document) in [(ana, "B-1"), (luis, "B-2")] {
        books.owes(customer, document, "Mercancía", "USD 50,00", DUE_OCT_31);
    }
    mark(
        &books.db,
        "cobros@cliente.com",
        UndeliverableReason::Complained,
        None,
    );
    (ana, luis)
}

#[test]
fn a_statement_to_an_undeliverable_address_is_refused_when_queued_not_held_later() {
    let books = Books::for_statements();
    let (ana, luis) = two_owing(&books);
    let request = |customer_id, recipient: Option<&str>| SendStatement {
        customer_id,
        recipient: recipient.map(str::to_owned),
        attach_pdf: false,
    };

    match queue::queue(&books.db, &request(ana, None), &STATEMENT_DAY) {
        Err(StatementError::Invalid(errors)) => {
            let [error] = errors.as_slice() else {
                panic!("one refusal: {errors:?}")
            };
            assert_eq!(
                (error.field.as_str(), error.problem, error.detail.as_deref()),
                (
                    "recipient",
                    FieldProblem::Undeliverable,
                    // No words from the provider: the day it was learnt.
                    Some("2026-03-18")
                )
            );
        }
        other => panic!("refused as No entregable, got {other:?}"),
    }
    assert!(queue::of_customer(&books.db, ana)
        .expect("statements")
        .is_empty());
    // An address the owner types for this statement is not the marked one.
    queue::queue(
        &books.db,
        &request(ana, Some("ana@otra.com")),
        &STATEMENT_DAY,
    )
    .expect("typed address queued");
    queue::queue(&books.db, &request(luis, None), &STATEMENT_DAY).expect("Luis's queued");

    // In a bulk plan she is set apart with why; the plan never lists her address.
    let fresh = Books::for_statements();
    let (ana, luis) = two_owing(&fresh);
    let plan = bulk::plan(&fresh.db, &BulkSelection::Overdue, &STATEMENT_DAY).expect("plan");
    let apart: Vec<_> = plan
        .set_aside
        .iter()
        .map(|s| {
            let why = s.undeliverable.as_ref();
            (
                s.customer_id,
                s.reason,
                why.map(|u| (u.reason, u.address.as_str())),
            )
        })
        .collect();
    assert!(
        apart.contains(&(
            ana,
            SetAsideReason::Undeliverable,
            Some((UndeliverableReason::Complained, "cobros@cliente.com"))
        )),
        "{apart:?}"
    );
    assert!(
        !apart
            .iter()
            .any(|(id, reason, _)| *id == luis && *reason == SetAsideReason::Undeliverable),
        "{apart:?}"
    );
    assert!(plan.messages.iter().all(|m| m.customer_id != ana));
}
