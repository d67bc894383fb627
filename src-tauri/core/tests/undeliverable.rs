//! "No entregable": a bounce learnt by asking, or Postmark's 406, marks the *address*; the
//! reminders' send check holds what waits for it, a new reminder to it is refused next to the
//! address, and confirming it lets mail go again — against the fake providers, the real keychain,
//! a real SQLite file and the app's worker with its send check.
//!
//! Run inside `.ci/desktop-session` (the keychain needs a Secret Service).

mod common;

use std::sync::Arc;

use cachicamo_core::mail::MailFailure;
use cachicamo_core::outbox::delivery::{DeliveryState, FIRST_POLL_ENV};
use cachicamo_core::outbox::{self, HoldReason, OutboxId, OutboxState};
use cachicamo_core::reminders::queue::SendReminder;
use cachicamo_core::reminders::{Bookkeeper, ReminderError, ReminderGate};
use cachicamo_core::undeliverable::{self, UndeliverableReason};
use cachicamo_core::validation::FieldProblem;
use serde_json::json;

use common::*;

const ADDRESS: &str = "cobros@pena.com.ve";

/// A customer at [`ADDRESS`] owing on two documents.
fn owing(shop: &Shop) -> (i64, i64, i64) {
    let customer = customer_at(&shop.db, "Peña & Hijos", ADDRESS);
    let receivable =
        |document: &str, amount: &str| cement_owed(&shop.db, customer, document, amount, &READING);
    (
        customer,
        receivable("F-77", "1.500,50"),
        receivable("F-78", "80"),
    )
}

fn remind(shop: &Shop, receivable: i64) -> Result<OutboxId, ReminderError> {
    Bookkeeper::new(&shop.db, None)
        .send_reminder(
            &SendReminder {
                receivable_id: receivable,
                recipient: None,
                save_as_customer_email: false,
            },
            &READING,
        )
        .map(|entry| entry.id)
}

fn refused_as_undeliverable(result: Result<OutboxId, ReminderError>) -> Option<String> {
    match result {
        Err(ReminderError::Invalid(errors)) => {
            let [error] = errors.as_slice() else {
                panic!("one refusal: {errors:?}")
            };
            assert_eq!(
                (error.field.as_str(), error.problem),
                ("recipient", FieldProblem::Undeliverable)
            );
            error.detail.clone()
        }
        other => panic!("refused as undeliverable, not {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resend_bounce_marks_the_address_holds_what_waits_and_refuses_the_next_reminder() {
    std::env::set_var(FIRST_POLL_ENV, "0.5");
    let env = provider_env().await;
    let (server, shop) = resend_shop(&env, &[]).await;
    server.control(
        "POST",
        "delivery",
        Some(json!({"to": ADDRESS, "events": [{"event": "bounced"}]})),
    );
    let (customer, first, second) = owing(&shop);
    let handle = shop.start_with(Arc::new(ReminderGate));
    let sent = remind(&shop, first).expect("queued");
    handle.queued(sent);
    let bounced = shop
        .wait_for(sent, LONG, "bounced", |e| {
            e.delivery.as_ref().map(|d| d.state) == Some(DeliveryState::Bounced)
        })
        .await;
    assert_eq!(bounced.state, OutboxState::Sent);
    let marked = undeliverable::of_customer(&shop.db, customer)
        .expect("read")
        .expect("no entregable");
    assert_eq!(
        (marked.address.as_str(), marked.reason),
        (ADDRESS, UndeliverableReason::Bounced)
    );
    // The next reminder to that address is refused, in its preview too, with when it bounced.
    let detail = refused_as_undeliverable(remind(&shop, second)).expect("detail");
    let preview = cachicamo_core::reminders::for_receivable(
        &shop.db,
        &cachicamo_core::reminders::ReminderRequest {
            receivable_id: second,
            recipient: None,
        },
        &READING,
    )
    .map(|_| OutboxId(0));
    refused_as_undeliverable(preview);
    assert_eq!(detail, marked.since[..10], "the day it bounced");
    handle.stop().await.expect("stopped");

    // The owner confirms the address; a reminder queued then waits while the address bounces
    // again behind its back: the send check holds it instead of sending.
    assert!(undeliverable::confirm_customer_address(&shop.db, customer).expect("confirmed"));
    let waiting = remind(&shop, second).expect("queued once confirmed");
    shop.db
        .write(|tx| {
            undeliverable::mark(
                tx,
                ADDRESS,
                UndeliverableReason::Complained,
                None,
                "2026-03-20T10:00:00.000Z",
                None,
            )
        })
        .expect("marked");
    let emails_before = accepted(&server).len();
    let handle = shop.start_with(Arc::new(ReminderGate));
    handle.queued(waiting);
    let held = shop.wait_state(waiting, OutboxState::Held, LONG).await;
    assert_eq!(held.held, Some(HoldReason::Undeliverable));
    settle(&handle).await;
    assert_eq!(accepted(&server).len(), emails_before, "nothing went to it");

    // Confirmed again and sent by the owner: it leaves.
    assert!(undeliverable::confirm_customer_address(&shop.db, customer).expect("confirmed"));
    shop.db
        .write(|tx| outbox::send_again(tx, &ReminderGate, waiting))
        .expect("sent again");
    handle.queued(waiting);
    shop.wait_state(waiting, OutboxState::Sent, LONG).await;
    handle.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_postmark_406_marks_the_address_at_once() {
    let env = provider_env().await;
    let (_server, shop) = postmark_shop(&env, &["--inactive-recipient", ADDRESS]).await;
    let (customer, first, second) = owing(&shop);
    let handle = shop.start_with(Arc::new(ReminderGate));
    let refused = remind(&shop, first).expect("queued");
    handle.queued(refused);
    let failed = shop.wait_state(refused, OutboxState::Failed, LONG).await;
    assert_eq!(
        failed.error.map(|e| e.code),
        Some(MailFailure::RecipientInactive)
    );
    let marked = undeliverable::of_customer(&shop.db, customer)
        .expect("read")
        .expect("no entregable");
    assert_eq!(marked.reason, UndeliverableReason::Inactive);
    assert!(
        marked
            .detail
            .as_deref()
            .is_some_and(|d| d.contains(ADDRESS)),
        "Postmark's words: {marked:?}"
    );
    refused_as_undeliverable(remind(&shop, second));
    handle.stop().await.expect("stopped");
}
