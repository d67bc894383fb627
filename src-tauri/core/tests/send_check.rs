//! The send check against real books, a real SMTP server and the app's worker: a reminder never
//! reaches a customer who has paid, never states an old balance, and never goes to an old
//! address — whether the books changed through the app (the re-check in the same transaction)
//! or behind its back (the check inside the claim).
//!
//! Run inside `.ci/desktop-session` (the keychain needs a Secret Service).

mod common;

use std::sync::Arc;
use std::time::Duration;

use cachicamo_core::books::customers::{self, CustomerForm};
use cachicamo_core::books::payments::{self, PaymentForm, PaymentMethod};
use cachicamo_core::books::reading::Reading;
use cachicamo_core::books::receivables;
use cachicamo_core::locale::Language;
use cachicamo_core::locale::Region;
use cachicamo_core::outbox::{
    CancelReason, OutboxHandle, OutboxId, OutboxSettings, OutboxState, RetryPolicy,
};
use cachicamo_core::reminders::queue::SendReminder;
use cachicamo_core::reminders::{Bookkeeper, Rechecks, ReminderGate};
use cachicamo_e2e::fakes::{free_port, FakeServer};
use common::*;

const READING: Reading = Reading {
    region: Region::EsVe,
    today: time::macros::date!(2026 - 03 - 20),
};

/// A customer owing USD 1.500,50 on F-77, and another owing on F-78 (a reminder that must go, to
/// prove the worker looked).
struct Books {
    customer: i64,
    owed: i64,
    other: i64,
}

fn books(shop: &Shop) -> Books {
    let customer = customer_at(&shop.db, "Peña & Hijos", "cobros@pena.com.ve");
    let someone_else = customer_at(&shop.db, "Bodega La Esquina", "pagos@esquina.com");
    Books {
        customer,
        owed: cement_owed(&shop.db, customer, "F-77", "1.500,50", &READING),
        other: cement_owed(&shop.db, someone_else, "F-78", "80", &READING),
    }
}

fn remind(shop: &Shop, receivable: i64, typed: Option<&str>) -> OutboxId {
    Bookkeeper::new(&shop.db, None)
        .send_reminder(
            &SendReminder {
                receivable_id: receivable,
                recipient: typed.map(str::to_owned),
                save_as_customer_email: false,
            },
            &READING,
        )
        .expect("queued")
        .id
}

fn pay(shop: &Shop, receivable: i64, amount: &str) -> Vec<cachicamo_core::outbox::OutboxChanged> {
    let rechecks = Rechecks::default();
    payments::record(
        &shop.db,
        &rechecks,
        receivable,
        &PaymentForm {
            paid_on: "20/03/2026".into(),
            amount: amount.into(),
            method: Some(PaymentMethod::Cash),
            ..PaymentForm::default()
        },
        &READING,
    )
    .expect("payment");
    rechecks.changed()
}

fn smtp_server(port: Option<u16>) -> FakeServer {
    let port = port.map(|p| p.to_string());
    let extra: Vec<&str> = port.iter().flat_map(|p| ["--port", p.as_str()]).collect();
    FakeServer::smtp_with("starttls", SENDER, SMTP_PASSWORD, &extra)
}

fn app_worker(shop: &Shop) -> OutboxHandle {
    shop.start_with(Arc::new(ReminderGate))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reminder_waiting_offline_is_cancelled_by_a_full_payment_and_never_sent() {
    let port = free_port();
    let shop = Shop::for_outbox();
    shop.configure_smtp(port).await;
    let books = books(&shop);
    let handle = app_worker(&shop);
    let stale = remind(&shop, books.owed, None);
    handle.queued(stale);
    shop.wait_for(stale, LONG, "waiting offline", |e| e.reason.is_some())
        .await;

    // Paid in full at the counter while the machine was offline.
    let changed = pay(&shop, books.owed, "1.500,50");
    assert_eq!(
        changed.len(),
        1,
        "the payment says what it did: {changed:?}"
    );
    assert_eq!(changed[0].id, stale);
    let entry = shop.entry(stale);
    assert_eq!(entry.state, OutboxState::Cancelled);
    assert_eq!(entry.cancelled, Some(CancelReason::Paid));

    // Back online: the other customer's reminder goes, which proves the worker claimed again.
    let server = smtp_server(Some(port));
    let other = remind(&shop, books.other, None);
    handle.queued(other);
    shop.wait_state(other, OutboxState::Sent, LONG).await;
    let got = server.smtp_received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "pagos@esquina.com");
    assert_eq!(shop.entry(stale).state, OutboxState::Cancelled);
    handle.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_partial_payment_rewrites_the_waiting_reminder_with_the_new_balance() {
    let port = free_port();
    let shop = Shop::for_outbox();
    shop.configure_smtp(port).await;
    let books = books(&shop);
    let handle = app_worker(&shop);
    let id = remind(&shop, books.owed, None);
    handle.queued(id);
    shop.wait_for(id, LONG, "waiting offline", |e| e.reason.is_some())
        .await;

    let changed = pay(&shop, books.owed, "500,50");
    assert_eq!(changed.len(), 1, "{changed:?}");
    let entry = shop.entry(id);
    assert_eq!((entry.state, entry.generation), (OutboxState::Queued, 2));

    let server = smtp_server(Some(port));
    handle.kick();
    shop.wait_state(id, OutboxState::Sent, LONG).await;
    let got = server.smtp_received();
    assert_eq!(got.len(), 1, "exactly one copy");
    assert!(
        got[0].1.contains("saldo pendiente de USD 1.000,00")
            && !got[0].1.contains("saldo pendiente de USD 1.500,50"),
        "the balance as it is now: {}",
        got[0].1
    );
    handle.stop().await.expect("stopped");
}

/// Resend took the reminder but its answer was lost: the retry waits under the same key, which
/// makes only the same message safe to send again. A partial payment meanwhile must not send a
/// second reminder (the new balance, under a new key) beside the one that may have arrived: the
/// owner decides.
#[tokio::test(flavor = "multi_thread")]
async fn a_payment_while_a_resend_retry_may_have_delivered_leaves_it_to_the_owner() {
    let env = provider_env().await;
    let (server, shop) = resend_shop(&env, &[]).await;
    let books = books(&shop);
    // Every answer lost: each attempt reaches Resend, none comes back.
    server.control(
        "POST",
        "drop",
        Some(serde_json::json!({"count": 1000, "process": true})),
    );
    let handle = app_worker(&shop);
    let id = remind(&shop, books.owed, None);
    handle.queued(id);
    shop.wait_for(id, LONG, "a retry that may have delivered", |e| {
        e.state == OutboxState::Retrying
    })
    .await;

    pay(&shop, books.owed, "500,50");
    let entry = shop.wait_state(id, OutboxState::Uncertain, LONG).await;
    assert_eq!(entry.generation, 1, "never re-rendered under a new key");
    settle(&handle).await;
    let emails = accepted(&server);
    assert_eq!(emails.len(), 1, "one reminder reached Resend: {emails:#?}");
    assert_eq!(emails[0]["idempotency_key"], shop.key(id, 1).as_str());
    handle.stop().await.expect("stopped");
}

/// Being sent when the payment came (the payment's re-check cannot touch a row in flight), the
/// reminder is cancelled as soon as its attempt fails and comes back, not at its next attempt.
#[tokio::test(flavor = "multi_thread")]
async fn a_reminder_in_flight_when_paid_is_cancelled_as_soon_as_its_attempt_comes_back() {
    let env = provider_env().await;
    let (server, shop) = resend_shop(&env, &[]).await;
    let books = books(&shop);
    // The send is held 2 s, then refused with a 503: a retry, due only a minute later.
    server.control(
        "POST",
        "stall",
        Some(serde_json::json!({"seconds": 2, "count": 1})),
    );
    server.control(
        "POST",
        "fail",
        Some(serde_json::json!({"status": 503, "count": 1})),
    );
    let settings = OutboxSettings {
        retry: RetryPolicy {
            base: Duration::from_secs(60),
            cap: Duration::from_secs(60),
            max_attempts: 6,
        },
        ..fast_settings()
    };
    let handle = cachicamo_core::outbox::start(
        shop.db.clone(),
        shop.service.clone(),
        Arc::new(ReminderGate),
        settings,
    )
    .expect("worker");
    let id = remind(&shop, books.owed, None);
    handle.queued(id);
    shop.wait_state(id, OutboxState::Sending, LONG).await;

    let changed = pay(&shop, books.owed, "1.500,50");
    assert!(changed.is_empty(), "in flight, not the payment's to change");
    let entry = shop
        .wait_state(id, OutboxState::Cancelled, Duration::from_secs(10))
        .await;
    assert_eq!(entry.cancelled, Some(CancelReason::Paid));
    assert!(accepted(&server).is_empty(), "nothing reached Resend");
    handle.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_claim_checks_the_books_even_when_nobody_told_the_outbox() {
    let server = smtp_server(None);
    let shop = Shop::for_outbox();
    shop.configure_smtp(server.port).await;
    let books = books(&shop);
    let paid_behind = remind(&shop, books.owed, None);
    let voided_behind = remind(&shop, books.other, None);
    // Changed without the re-check (an older version, a tool, a restored file): only the check
    // inside the claim stands between these rows and the customers.
    shop.db
        .write(|tx| {
            tx.execute(
                "UPDATE receivables SET paid = amount, status = 'paid' WHERE id = ?1",
                [books.owed],
            )?;
            tx.execute(
                "UPDATE receivables SET status = 'void', void_reason = 'x' WHERE id = ?1",
                [books.other],
            )
        })
        .expect("changed behind the outbox's back");
    let handle = app_worker(&shop);
    let paid = shop
        .wait_state(paid_behind, OutboxState::Cancelled, LONG)
        .await;
    assert_eq!(paid.cancelled, Some(CancelReason::Paid));
    let voided = shop
        .wait_state(voided_behind, OutboxState::Cancelled, LONG)
        .await;
    assert_eq!(voided.cancelled, Some(CancelReason::Voided));
    assert!(server.smtp_messages().is_empty(), "nothing reached anyone");
    handle.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_registered_address_moves_waiting_reminders_but_a_typed_one_stays() {
    let port = free_port();
    let shop = Shop::for_outbox();
    shop.configure_smtp(port).await;
    let books = books(&shop);
    let to_registered = remind(&shop, books.owed, None);
    let to_typed = remind(&shop, books.owed, Some("administracion@pena.com.ve"));

    let rechecks = Rechecks::default();
    customers::update(
        &shop.db,
        &rechecks,
        books.customer,
        CustomerForm {
            name: "Peña & Hijos".into(),
            email: "pagos@pena.com.ve".into(),
            ..CustomerForm::default()
        },
        Language::Es,
    )
    .expect("new address");
    let changed = rechecks.changed();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(shop.entry(to_registered).recipient, "pagos@pena.com.ve");
    assert_eq!(shop.entry(to_typed).recipient, "administracion@pena.com.ve");

    let server = smtp_server(Some(port));
    let handle = app_worker(&shop);
    shop.wait_state(to_registered, OutboxState::Sent, LONG)
        .await;
    shop.wait_state(to_typed, OutboxState::Sent, LONG).await;
    let mut recipients = server.smtp_recipients();
    recipients.sort();
    assert_eq!(
        recipients,
        ["administracion@pena.com.ve", "pagos@pena.com.ve"],
        "never the old address"
    );
    handle.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread")]
async fn voiding_cancels_and_a_retry_of_a_paid_reminder_is_cancelled_not_sent() {
    let shop = Shop::for_outbox();
    let books = books(&shop);
    let handle = app_worker(&shop);
    let voided = remind(&shop, books.other, None);
    let rechecks = Rechecks::default();
    receivables::void(&shop.db, &rechecks, books.other, "Duplicada", &READING).expect("void");
    assert_eq!(rechecks.changed().len(), 1);
    assert_eq!(shop.entry(voided).cancelled, Some(CancelReason::Voided));

    // No service yet: the reminder waits; the owner records the payment without the re-check
    // (as an older version would) and then presses "Reintentar ahora".
    let waiting = remind(&shop, books.owed, None);
    shop.db
        .write(|tx| {
            tx.execute(
                "UPDATE receivables SET paid = amount, status = 'paid' WHERE id = ?1",
                [books.owed],
            )
        })
        .expect("paid");
    let entry = handle.retry_now(waiting).expect("checked");
    assert_eq!(entry.state, OutboxState::Cancelled);
    assert_eq!(entry.cancelled, Some(CancelReason::Paid));
    handle.stop().await.expect("stopped");
}

/// The app's order of things: a change commits, then what it did to waiting reminders is
/// announced; a refused change announces nothing. The worker is stopped, so every event seen
/// here can only come from the Bookkeeper.
#[tokio::test(flavor = "multi_thread")]
async fn the_bookkeeper_announces_what_a_change_did_to_waiting_reminders_once_committed() {
    let shop = Shop::for_outbox();
    let books = books(&shop);
    let handle = app_worker(&shop);
    handle.stop().await.expect("stopped");
    let mut events = handle.subscribe();
    let keeper = Bookkeeper::new(&shop.db, Some(&handle));

    let queued = keeper
        .send_reminder(
            &SendReminder {
                receivable_id: books.owed,
                ..SendReminder::default()
            },
            &READING,
        )
        .expect("queued");
    assert_eq!(queued.state, OutboxState::Queued);
    let event = events.try_recv().expect("the queued reminder is announced");
    assert_eq!((event.id, event.state), (queued.id, OutboxState::Queued));

    let paid_in_full = PaymentForm {
        paid_on: "20/03/2026".into(),
        amount: "1.500,50".into(),
        method: Some(PaymentMethod::Cash),
        ..PaymentForm::default()
    };
    keeper
        .record_payment(books.owed, &paid_in_full, &READING)
        .expect("paid");
    let event = events
        .try_recv()
        .expect("the cancelled reminder is announced");
    assert_eq!((event.id, event.state), (queued.id, OutboxState::Cancelled));
    assert_eq!(shop.entry(queued.id).cancelled, Some(CancelReason::Paid));

    keeper
        .record_payment(books.owed, &paid_in_full, &READING)
        .expect_err("nothing is owed any more");
    assert!(
        events.try_recv().is_err(),
        "a refused change announces nothing"
    );
}
