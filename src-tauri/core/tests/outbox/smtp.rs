//! SMTP: offline and back, a 550 and a 421, a server that keeps the message and never answers,
//! the owner's actions, and a reminder waiting for an email service.

use std::collections::BTreeSet;
use std::time::Duration;

use cachicamo_core::mail::config::Provider;
use cachicamo_core::mail::MailFailure;
use cachicamo_core::outbox::{OutboxId, OutboxState, OwnerAction, Rows, WaitReason};
use cachicamo_e2e::fakes::{free_port, FakeServer};
use mail_parser::MessageParser;

use crate::common::*;

#[tokio::test(flavor = "multi_thread")]
async fn reminder_waits_offline_and_is_delivered_once_when_the_server_is_back() {
    let port = free_port();
    let shop = Shop::for_outbox();
    // Saved while the server is down: kept as "Sin verificar".
    shop.configure_smtp(port).await;
    let handle = shop.start();
    let mut events = handle.subscribe();
    let id = shop.queue(Some(&handle), "ana@cliente.com", "Recordatorio: factura 42");

    let waiting = shop
        .wait_for(id, LONG, "queued offline", |e| {
            e.reason == Some(WaitReason::Offline)
        })
        .await;
    assert_eq!(waiting.state, OutboxState::Queued);
    assert_eq!(waiting.attempts, 0, "no network is not a retry");
    // Still waiting after two more probes (each one a try at the server): never failed, never
    // counted.
    let mut probes = handle.subscribe();
    wait_for_announcements(&mut probes, id, OutboxState::Sending, 2).await;
    wait_for_announcements(&mut probes, id, OutboxState::Queued, 1).await;
    let still = shop.entry(id);
    assert_eq!((still.state, still.attempts), (OutboxState::Queued, 0));

    let server = FakeServer::smtp_with(
        "starttls",
        SENDER,
        SMTP_PASSWORD,
        &["--port", &port.to_string()],
    );
    let sent = shop.wait_state(id, OutboxState::Sent, LONG).await;
    assert_eq!(sent.attempts, 1);
    assert_eq!(sent.reason, None);
    assert_eq!(sent.provider, Some(Provider::Smtp));
    settle(&handle).await;
    let messages = server.smtp_messages();
    assert_eq!(messages.len(), 1, "delivered exactly once");
    let (envelope, raw) = &messages[0];
    assert_eq!(envelope["rcpt_tos"], serde_json::json!(["ana@cliente.com"]));
    let message = MessageParser::default()
        .parse(raw.as_bytes())
        .expect("valid MIME");
    assert_eq!(message.subject(), Some("Recordatorio: factura 42"));
    assert_eq!(
        message.message_id().map(|m| format!("<{m}>")),
        sent.provider_message_id
    );
    assert!(message
        .body_html(0)
        .unwrap_or_default()
        .contains("1.500,50 Bs."));

    let seen = drain_events(&mut events, id);
    assert_eq!(seen.first(), Some(&OutboxState::Queued), "{seen:?}");
    assert!(seen.contains(&OutboxState::Sending), "{seen:?}");
    assert_eq!(seen.last(), Some(&OutboxState::Sent), "{seen:?}");
    assert!(!seen.contains(&OutboxState::Retrying), "{seen:?}");
    handle.stop().await.expect("stopped");
    assert!(!contains(&shop.database_bytes(), SMTP_PASSWORD));
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_550_fails_with_the_reason_and_is_not_retried() {
    let server = FakeServer::smtp("starttls", SENDER, SMTP_PASSWORD);
    let shop = Shop::for_outbox();
    shop.configure_smtp(server.port).await;
    let handle = shop.start();
    let id = shop.queue(Some(&handle), "reject550@cliente.com", "Recordatorio");
    let failed = shop.wait_state(id, OutboxState::Failed, LONG).await;
    let error = failed.error.expect("reason");
    assert_eq!(error.code, MailFailure::RecipientRejected);
    assert_eq!(error.provider_code.as_deref(), Some("550"));
    assert!(error.message.unwrap_or_default().contains("5.1.1"));
    settle(&handle).await;
    let after = shop.entry(id);
    assert_eq!((after.state, after.attempts), (OutboxState::Failed, 1));
    assert!(server.smtp_messages().is_empty());
    handle.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_421_at_the_final_dot_is_retried_until_delivered_once() {
    let server = FakeServer::smtp_with("starttls", SENDER, SMTP_PASSWORD, &["--fail-first", "2"]);
    let shop = Shop::for_outbox();
    shop.configure_smtp(server.port).await;
    let handle = shop.start();
    let mut events = handle.subscribe();
    let id = shop.queue(Some(&handle), "luis@cliente.com", "Recordatorio");
    let sent = shop.wait_state(id, OutboxState::Sent, LONG).await;
    assert_eq!(sent.attempts, 3, "two definite refusals, then delivered");
    assert!(drain_events(&mut events, id).contains(&OutboxState::Retrying));
    assert_eq!(server.smtp_messages().len(), 1);
    handle.stop().await.expect("stopped");
}

/// The server kept the message, then hung up (or answered past the deadline) before replying
/// to the final dot: it may have arrived, so nothing is resent until the owner says so.
#[tokio::test(flavor = "multi_thread")]
async fn an_smtp_server_that_keeps_the_message_and_never_answers_leaves_it_uncertain() {
    for fault in [
        vec!["--store-then-drop-first", "1"],
        vec!["--store-then-stall-first", "1", "4"],
    ] {
        let server = FakeServer::smtp_with("starttls", SENDER, SMTP_PASSWORD, &fault);
        let shop = Shop::for_outbox();
        shop.configure_smtp(server.port).await;
        let handle = shop.start();
        let id = shop.queue(Some(&handle), "luis@cliente.com", "Recordatorio");
        let uncertain = shop.wait_state(id, OutboxState::Uncertain, LONG).await;
        assert_eq!(uncertain.attempts, 1, "{fault:?}");
        assert!(uncertain.error.is_some(), "{fault:?}: the reason is kept");

        // The worker keeps going (another reminder leaves) and the uncertain one stays put,
        // also across a restart.
        handle.stop().await.expect("stopped");
        handle.resume().expect("started again");
        let other = shop.queue(Some(&handle), "ana@cliente.com", "Otro");
        shop.wait_state(other, OutboxState::Sent, LONG).await;
        assert_eq!(shop.entry(id).state, OutboxState::Uncertain, "{fault:?}");
        assert_eq!(
            server.smtp_recipients(),
            ["luis@cliente.com", "ana@cliente.com"],
            "{fault:?}: one copy each"
        );

        // "Reenviar": one more copy, on purpose, under a new Message-ID.
        let again = handle
            .act(OwnerAction::SendAgain, Rows::One { id })
            .expect("send again");
        assert_eq!(
            (again[0].state, again[0].generation),
            (OutboxState::Queued, 2)
        );
        shop.wait_state(id, OutboxState::Sent, LONG).await;
        let messages = server.smtp_messages();
        assert_eq!(messages.len(), 3, "{fault:?}");
        let ids: BTreeSet<String> = messages
            .iter()
            .filter(|(e, _)| e["rcpt_tos"][0] == "luis@cliente.com")
            .map(|(_, raw)| {
                MessageParser::default()
                    .parse(raw.as_bytes())
                    .and_then(|m| m.message_id().map(str::to_owned))
                    .expect("message id")
            })
            .collect();
        assert_eq!(ids.len(), 2, "{fault:?}: the resend has its own Message-ID");
        handle.stop().await.expect("stopped");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_and_retry_now_follow_the_rules_and_stop_is_graceful() {
    let server = FakeServer::smtp("starttls", SENDER, SMTP_PASSWORD);
    let shop = Shop::for_outbox();
    shop.configure_smtp(server.port).await;
    // Queued before the worker runs: cancelled rows are never sent.
    let cancelled = shop.queue(None, "luis@cliente.com", "Cancelado");
    let failing = shop.queue(None, "reject550@cliente.com", "Falla");
    let handle = shop.start();
    let entry = handle.cancel(cancelled);
    // The worker may already hold it; either way a sending or sent row cannot be cancelled.
    match entry {
        Ok(entry) => assert_eq!(entry.state, OutboxState::Cancelled),
        Err(err) => panic!("a queued row is cancellable: {err}"),
    }
    let failed = shop.wait_state(failing, OutboxState::Failed, LONG).await;
    assert_eq!(failed.generation, 1);
    assert!(handle.cancel(OutboxId(9_999)).is_err());

    let delivered = shop.queue(Some(&handle), "ana@cliente.com", "Entregado");
    shop.wait_state(delivered, OutboxState::Sent, LONG).await;
    assert!(handle.cancel(delivered).is_err(), "a sent row stays sent");
    assert!(
        handle.retry_now(delivered).is_err(),
        "a sent row is not re-sent"
    );

    let again = handle
        .retry_now(failing)
        .expect("a failed row can be retried");
    assert_eq!(
        (again.state, again.generation, again.attempts),
        (OutboxState::Queued, 2, 0)
    );
    let failed_again = shop.wait_state(failing, OutboxState::Failed, LONG).await;
    assert_eq!(failed_again.attempts, 1);

    assert!(handle.wait_idle(Duration::from_secs(5)).await);
    assert!(handle.is_idle());
    handle.stop().await.expect("graceful stop");
    assert!(handle.stop().await.is_err(), "already stopped");
    let messages = server.smtp_messages();
    assert_eq!(messages.len(), 1, "only the delivered one");
    assert_eq!(shop.entry(cancelled).state, OutboxState::Cancelled);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reminder_waits_for_an_email_service_and_goes_once_one_is_saved() {
    let server = FakeServer::smtp("starttls", SENDER, SMTP_PASSWORD);
    let shop = Shop::for_outbox();
    let handle = shop.start();
    let id = shop.queue(Some(&handle), "ana@cliente.com", "Recordatorio");
    let waiting = shop
        .wait_for(id, LONG, "waiting for a configuration", |e| {
            e.reason == Some(WaitReason::NotConfigured)
        })
        .await;
    assert_eq!((waiting.state, waiting.attempts), (OutboxState::Queued, 0));

    shop.configure_smtp(server.port).await;
    handle.reload();
    let sent = shop.wait_state(id, OutboxState::Sent, LONG).await;
    assert_eq!(sent.attempts, 1);
    assert_eq!(server.smtp_messages().len(), 1);
    handle.stop().await.expect("stopped");
}
