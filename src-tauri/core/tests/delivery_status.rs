//! What happened after sending, learnt by asking: the outbox's worker asks the fake Resend and
//! Postmark (scripted per recipient through `/__control/delivery`) on its schedule, shortened
//! by `CACHICAMO_DELIVERY_FIRST_POLL_SECS`, and each sent row shows Entregado, Demorado, Rebotó
//! (with Postmark's reason) or Marcado como spam. A binary of its own: the shortened schedule
//! is read once per process.
//!
//! Run inside `.ci/desktop-session` (the keychain needs a Secret Service).

mod common;

use cachicamo_core::outbox::delivery::{DeliveryState, FIRST_POLL_ENV};
use cachicamo_core::outbox::{self, OutboxEntry, OutboxFilter, OutboxState, OutboxSummary};
use serde_json::json;

use common::*;

fn shorten_the_schedule() {
    // Every test sets the same value before the worker first reads it.
    std::env::set_var(FIRST_POLL_ENV, "0.5");
}

fn delivery(entry: &OutboxEntry) -> Option<DeliveryState> {
    entry.delivery.as_ref().map(|d| d.state)
}

/// The GET requests the fake received on `path`.
fn reads(server: &cachicamo_e2e::fakes::FakeServer, path: &str) -> Vec<serde_json::Value> {
    server
        .control("GET", "requests", None)
        .as_array()
        .expect("request log")
        .iter()
        .filter(|r| r["method"] == "GET" && r["path"].as_str().is_some_and(|p| p.starts_with(path)))
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn resend_bounce_and_delivery_are_learnt_by_asking_many_at_once() {
    shorten_the_schedule();
    let env = provider_env().await;
    let (server, shop) = resend_shop(&env, &[]).await;
    let script = |to: &str, events: serde_json::Value| {
        server.control(
            "POST",
            "delivery",
            Some(json!({"to": to, "events": events})),
        );
    };
    script("ana@cliente.com", json!([{"event": "bounced"}]));
    script(
        "luis@cliente.com",
        json!([{"event": "delayed"}, {"after": 1.5, "event": "delivered"}]),
    );
    script("pedro@cliente.com", json!([{"event": "delivered"}]));
    let ids = [
        shop.queue(None, "ana@cliente.com", "Recordatorio 1"),
        shop.queue(None, "luis@cliente.com", "Recordatorio 2"),
        shop.queue(None, "pedro@cliente.com", "Recordatorio 3"),
    ];
    let handle = shop.start();
    for id in ids {
        shop.wait_state(id, OutboxState::Sent, LONG).await;
    }
    handle.stop().await.expect("stopped");
    // Luis's and Pedro's rows are never final: once both are due together, one request about
    // recent emails answers for both.
    for id in &ids[1..] {
        shop.wait_question_due(*id).await;
    }
    let handle = shop.start();
    let bounced = shop
        .wait_for(ids[0], LONG, "bounced", |e| {
            delivery(e) == Some(DeliveryState::Bounced)
        })
        .await;
    assert_eq!(bounced.state, OutboxState::Sent, "still sent: it left");
    for id in &ids[1..] {
        let delivered = shop
            .wait_for(*id, LONG, "delivered", |e| {
                delivery(e) == Some(DeliveryState::Delivered)
            })
            .await;
        assert!(delivered.delivery.unwrap().at.is_some());
    }
    assert!(
        reads(&server, "/emails")
            .iter()
            .any(|r| r["path"] == "/emails"),
        "the list endpoint was used"
    );
    // Bandeja de salida's Resumen counts them, and each count is a filter of the list.
    let page = |filter| {
        shop.db
            .read(|c| outbox::list(c, filter, None, 50))
            .expect("page")
    };
    let bounced_rows = page(OutboxFilter::Bounced);
    assert_eq!(
        bounced_rows.summary,
        OutboxSummary {
            delivered: 2,
            bounced: 1,
            ..OutboxSummary::default()
        }
    );
    let listed = |p: outbox::OutboxPage| p.entries.iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(listed(bounced_rows), [ids[0]]);
    assert_eq!(listed(page(OutboxFilter::Delivered)), [ids[2], ids[1]]);
    assert!(listed(page(OutboxFilter::Complained)).is_empty());
    // The main screens' banner: one bounce the owner has not seen, none once they looked.
    use cachicamo_core::reminders::listing;
    assert_eq!(listing::bounce_alert(&shop.db).expect("alert"), 1);
    listing::bounces_seen(&shop.db).expect("seen");
    assert_eq!(listing::bounce_alert(&shop.db).expect("alert"), 0);
    handle.stop().await.expect("stopped");
    // A bounce is final: nothing more is asked about that row, alone or among recent emails.
    let answers = shop.asking(ids[0]).answers;
    assert_eq!(shop.asking(ids[0]).next_in, None, "never asked again");
    let bounced_path = format!(
        "/emails/{}",
        bounced.provider_message_id.as_deref().unwrap()
    );
    let asked = reads(&server, "/emails").len();
    let handle = shop.start();
    // A question after the restart: the most overdue go first, so Ana's row, were it due,
    // would be asked about before Marta's or with it.
    script("marta@cliente.com", json!([{"event": "delivered"}]));
    let later_one = shop.queue(Some(&handle), "marta@cliente.com", "Recordatorio 4");
    shop.wait_for(later_one, LONG, "delivered", |e| {
        delivery(e) == Some(DeliveryState::Delivered)
    })
    .await;
    handle.stop().await.expect("stopped");
    assert_eq!(shop.asking(ids[0]).answers, answers, "asked again");
    let later: Vec<_> = reads(&server, "/emails")
        .into_iter()
        .skip(asked)
        .filter(|r| r["path"] == bounced_path.as_str())
        .collect();
    assert!(later.is_empty(), "{later:#?}");
    assert!(!contains(&shop.database_bytes(), RESEND_KEY));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sending_only_resend_key_keeps_sending_and_stops_asking() {
    shorten_the_schedule();
    let env = provider_env().await;
    // The shop's key is the fake's only key, and sending-only.
    let server = cachicamo_e2e::fakes::FakeServer::resend(&[
        "--api-key",
        "re_unused_full_key",
        "--restricted-key",
        RESEND_KEY,
        "--domain",
        SENDER_DOMAIN,
    ]);
    env.set("CACHICAMO_RESEND_API_URL", &server.base_url());
    let shop = Shop::for_outbox();
    shop.configure(api_form(
        cachicamo_core::mail::config::Provider::Resend,
        Some(RESEND_KEY),
    ))
    .await;
    let handle = shop.start();
    let first = shop.queue(Some(&handle), "ana@cliente.com", "Recordatorio 1");
    shop.wait_state(first, OutboxState::Sent, LONG).await;
    cachicamo_e2e::eventually(LONG, "a refused question", async || {
        let refused = reads(&server, "/emails")
            .iter()
            .filter(|r| r["status"] == 401)
            .count();
        if refused > 0 {
            Ok(())
        } else {
            Err(refused)
        }
    })
    .await;
    let second = shop.queue(Some(&handle), "luis@cliente.com", "Recordatorio 2");
    shop.wait_state(second, OutboxState::Sent, LONG).await;
    // Its question falls due, and the worker looks and asks nothing: a question in flight
    // would keep it from settling.
    shop.wait_question_due(second).await;
    settle(&handle).await;
    handle.stop().await.expect("stopped");
    assert_eq!(
        reads(&server, "/emails").len(),
        1,
        "asked once, then never again with this key"
    );
    assert_eq!(delivery(&shop.entry(first)), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn postmark_bounce_reason_and_spam_complaint_are_learnt() {
    shorten_the_schedule();
    let env = provider_env().await;
    let (server, shop) = postmark_shop(&env, &[]).await;
    server.control(
        "POST",
        "delivery",
        Some(json!({"to": "ana@cliente.com", "events": [
            {"event": "bounced", "reason": "550 5.1.1 The email account does not exist"}]})),
    );
    server.control(
        "POST",
        "delivery",
        Some(json!({"to": "luis@cliente.com", "events": [
            {"event": "delivered"}, {"after": 0.2, "event": "complained"}]})),
    );
    let handle = shop.start();
    let bounced = shop.queue(Some(&handle), "ana@cliente.com", "Recordatorio 1");
    let complained = shop.queue(Some(&handle), "luis@cliente.com", "Recordatorio 2");
    let bounced = shop
        .wait_for(bounced, LONG, "bounced", |e| {
            delivery(e) == Some(DeliveryState::Bounced)
        })
        .await;
    assert_eq!(
        bounced.delivery.unwrap().reason.as_deref(),
        Some("550 5.1.1 The email account does not exist")
    );
    shop.wait_for(complained, LONG, "marked as spam", |e| {
        delivery(e) == Some(DeliveryState::Complained)
    })
    .await;
    assert!(
        !reads(&server, "/bounces/").is_empty(),
        "the bounce's type was asked"
    );
    handle.stop().await.expect("stopped");
}
