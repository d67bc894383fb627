//! Queuing a payment reminder: one transaction writes the outbox row (the exact message), the
//! receivable's history and, when asked, the customer's new address.

use cachicamo_core::books::customers::{self, CustomerForm};
use cachicamo_core::books::payments::{self, PaymentForm, PaymentMethod};
use cachicamo_core::books::pending::{self, PendingQuery};
use cachicamo_core::books::reading::Reading;
use cachicamo_core::books::receivables::{self, ReceivableForm};
use cachicamo_core::books::{BooksError, Refusal};
use cachicamo_core::locale::Language;
use cachicamo_core::locale::Region;
use cachicamo_core::outbox::OutboxState;
use cachicamo_core::reminders::queue::{self, SendReminder};
use cachicamo_core::reminders::Rechecks;
use cachicamo_core::reminders::{Bookkeeper, ReminderError};
use cachicamo_core::validation::FieldProblem;
use cachicamo_core::Database;
use time::macros::date;

const READING: Reading = Reading {
    region: Region::EsVe,
    today: date!(2026 - 03 - 20),
};

fn books(email: &str) -> (tempfile::TempDir, Database, i64, i64) {
    let dir = tempfile::tempdir().expect("dir");
    let db = Database::open(&dir.path().join("books.sqlite3")).expect("db");
    let customer = customers::create(
        &db,
        CustomerForm {
            name: "<b>Peña & Hijos</b>".into(),
            email: email.into(),
            ..CustomerForm::default()
        },
        Language::Es,
    )
    .expect("customer")
    .id;
    let receivable = receivables::create(
        &db,
        &ReceivableForm {
            customer_id: Some(customer),
            document_number: "F-77".into(),
            concept: "Cemento".into(),
            currency: "USD".into(),
            amount: "1.500,50".into(),
            issue_date: "01/03/2026".into(),
            due_date: "15/03/2026".into(),
        },
        &READING,
    )
    .expect("receivable")
    .receivable
    .id;
    (dir, db, customer, receivable)
}

fn send(receivable_id: i64, recipient: Option<&str>, save: bool) -> SendReminder {
    SendReminder {
        receivable_id,
        recipient: recipient.map(str::to_owned),
        save_as_customer_email: save,
    }
}

#[test]
fn a_reminder_is_queued_with_its_history_and_shows_as_the_last_one() {
    let (_dir, db, _customer, receivable) = books("cobros@pena.com.ve");
    Bookkeeper::new(&db, None)
        .send_reminder(&send(receivable, None, false), &READING)
        .expect("queued");
    let reminders = queue::of_receivable(&db, receivable).expect("reminders");
    assert_eq!(reminders.len(), 1);
    assert_eq!(reminders[0].recipient, "cobros@pena.com.ve");
    assert_eq!(reminders[0].state, OutboxState::Queued);
    assert!(
        reminders[0].subject.contains("Cemento"),
        "{}",
        reminders[0].subject
    );

    let detail = receivables::detail(&db, receivable, &READING).expect("detail");
    assert_eq!(
        serde_json::to_value(detail.history[0].kind).expect("kind"),
        "reminder_queued"
    );
    assert_eq!(
        detail.history[0].recipient.as_deref(),
        Some("cobros@pena.com.ve")
    );
    let page = pending::list(&db, &PendingQuery::default(), &READING).expect("pending");
    assert_eq!(
        page.rows[0].last_reminder.as_ref().map(|last| last.state),
        Some(OutboxState::Queued)
    );
}

#[test]
fn another_address_is_used_once_or_kept_for_the_customer() {
    let (_dir, db, customer, receivable) = books("cobros@pena.com.ve");
    Bookkeeper::new(&db, None)
        .send_reminder(
            &send(receivable, Some("admin@pena.com.ve"), false),
            &READING,
        )
        .expect("once");
    assert_eq!(
        customers::get(&db, customer)
            .expect("customer")
            .email
            .as_deref(),
        Some("cobros@pena.com.ve"),
        "used for this send only"
    );
    Bookkeeper::new(&db, None)
        .send_reminder(&send(receivable, Some("pagos@pena.com.ve"), true), &READING)
        .expect("kept");
    assert_eq!(
        customers::get(&db, customer)
            .expect("customer")
            .email
            .as_deref(),
        Some("pagos@pena.com.ve")
    );
    let recipients: Vec<_> = queue::of_receivable(&db, receivable)
        .expect("reminders")
        .into_iter()
        .map(|entry| entry.recipient)
        .collect();
    assert_eq!(recipients, ["pagos@pena.com.ve", "admin@pena.com.ve"]);
}

#[test]
fn nothing_is_queued_without_an_address_or_for_a_paid_receivable() {
    let (_dir, db, _customer, receivable) = books("");
    let err = Bookkeeper::new(&db, None)
        .send_reminder(&send(receivable, None, false), &READING)
        .expect_err("no address");
    let ReminderError::Invalid(fields) = err else {
        panic!("expected a field error, got {err:?}");
    };
    assert_eq!(fields[0].field, "recipient");
    assert_eq!(fields[0].problem, FieldProblem::Required);
    let bad = Bookkeeper::new(&db, None)
        .send_reminder(&send(receivable, Some("x@"), false), &READING)
        .expect_err("bad");
    assert!(matches!(bad, ReminderError::Invalid(_)));

    payments::record(
        &db,
        &Rechecks::default(),
        receivable,
        &PaymentForm {
            paid_on: "20/03/2026".into(),
            amount: "1.500,50".into(),
            method: Some(PaymentMethod::Cash),
            ..PaymentForm::default()
        },
        &READING,
    )
    .expect("paid");
    let paid = Bookkeeper::new(&db, None)
        .send_reminder(&send(receivable, Some("a@b.com"), false), &READING)
        .expect_err("paid");
    assert!(matches!(
        paid,
        ReminderError::Books(BooksError::Refused(Refusal::NotPending))
    ));
    assert!(queue::of_receivable(&db, receivable)
        .expect("list")
        .is_empty());
}
