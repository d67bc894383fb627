//! Statements to many customers at once: the plan sets apart who cannot get one and why; the
//! confirmed plan is queued in one transaction; the worker, killed with SIGKILL mid-bulk and
//! started again, leaves every customer with exactly one statement.
//!
//! Run inside `.ci/desktop-session` (the keychain needs a Secret Service).

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use cachicamo_core::locale::Language;
use cachicamo_core::statements::bulk::{self, BulkSelection, SetAsideReason};
use cachicamo_e2e::eventually_every;
use cachicamo_e2e::fakes::FakeServer;
use common::*;

/// 30 customers owing overdue dollars, one owing nothing overdue, one without an address.
fn thirty_overdue(shop: &common::Shop) -> Vec<i64> {
    let owing: Vec<i64> = (1..=30)
        .map(|n| {
            let customer = shop.customer_speaking(&format!("Cliente {n:02}"), Language::Es);
            shop.db
                .write(|tx| {
                    tx.execute(
                        "UPDATE customers SET email = ?2 WHERE id = ?1",
                        rusqlite::params![customer, format!("cliente{n}@example.com")],
                    )
                })
                .expect("address");
            shop.owes(
                customer,
                &format!("B-{n:03}"),
                "Mercancía",
                &format!("USD {n},00"),
                DUE_OCT_31,
            );
            customer
        })
        .collect();
    let on_time = shop.customer_speaking("Al día", Language::Es);
    shop.owes(on_time, "B-900", "Mercancía", "USD 10,00", DUE_DEC_31);
    let nowhere = shop.customer_speaking("Sin correo", Language::Es);
    shop.db
        .write(|tx| tx.execute("UPDATE customers SET email = NULL WHERE id = ?1", [nowhere]))
        .expect("no address");
    shop.owes(nowhere, "B-901", "Mercancía", "USD 10,00", DUE_OCT_31);
    owing
}

#[tokio::test(flavor = "multi_thread")]
async fn the_plan_sets_apart_who_cannot_get_a_statement_and_says_why() {
    let shop = common::Shop::open();
    statement_business(&shop.db);
    let owing = thirty_overdue(&shop);
    let plan = bulk::plan(&shop.db, &BulkSelection::Overdue, &STATEMENT_DAY).expect("plan");
    assert!(plan.messages.is_empty(), "no email service yet");
    assert_eq!(plan.set_aside.len(), 31);
    assert!(plan
        .set_aside
        .iter()
        .any(|s| s.customer == "Sin correo" && s.reason == SetAsideReason::NoAddress));

    let server = FakeServer::smtp("starttls", SENDER, SMTP_PASSWORD);
    shop.configure_smtp(server.port).await;
    let plan = bulk::plan(&shop.db, &BulkSelection::Overdue, &STATEMENT_DAY).expect("plan");
    assert_eq!(plan.messages.len(), 30, "the one on time is not overdue");
    assert_eq!(plan.messages[0].customer, "Cliente 01");
    assert_eq!(plan.messages[0].recipient, "cliente1@example.com");
    assert_eq!(plan.messages[0].balances[0].text, "USD 1,00");
    assert_eq!(
        plan.set_aside
            .iter()
            .map(|s| (s.customer.as_str(), s.reason))
            .collect::<Vec<_>>(),
        [("Sin correo", SetAsideReason::NoAddress)]
    );
    let ticked = BulkSelection::Customers {
        ids: vec![owing[0], owing[0], owing[1]],
    };
    let plan = bulk::plan(&shop.db, &ticked, &STATEMENT_DAY).expect("plan");
    assert_eq!(plan.messages.len(), 2, "each customer once");
    let queued = bulk::confirm(&shop.db, &ticked, true, &STATEMENT_DAY).expect("queued");
    assert_eq!(queued.queued.len(), 2);
    let in_history: i64 = shop
        .db
        .read(|c| {
            c.query_row(
                "SELECT count(*) FROM receivable_events e JOIN receivables r ON r.id = e.receivable_id
                 WHERE e.kind = 'statement_queued' AND r.customer_id IN (?1, ?2)",
                [owing[0], owing[1]],
                |r| r.get(0),
            )
        })
        .expect("history");
    assert_eq!(
        in_history, 2,
        "each one's receivable says its statement was queued"
    );
    let again = bulk::plan(&shop.db, &ticked, &STATEMENT_DAY).expect("plan");
    assert!(again.messages.is_empty());
    assert!(again
        .set_aside
        .iter()
        .all(|s| s.reason == SetAsideReason::AlreadyWaiting));
}

#[tokio::test(flavor = "multi_thread")]
async fn thirty_statements_killed_mid_batch_reach_every_customer_exactly_once() {
    let env = provider_env().await;
    let (server, shop) = resend_shop(&env, &[]).await;
    statement_business(&shop.db);
    let owing = thirty_overdue(&shop);
    server.control("POST", "reset", None);
    let queued = bulk::confirm(&shop.db, &BulkSelection::Overdue, false, &STATEMENT_DAY)
        .expect("all queued in one transaction");
    assert_eq!(queued.queued.len(), 30);
    // The batch request is held by the fake: the worker dies while its key is in flight.
    server.control(
        "POST",
        "stall",
        Some(serde_json::json!({"seconds": 3, "count": 1})),
    );
    let mut child = drain(&shop, Some(&server));
    eventually_every(
        Duration::from_millis(10),
        Duration::from_secs(60),
        "the batch held by the fake",
        async || {
            let held = send_requests(&server, "/emails/batch")
                .iter()
                .any(|r| r["status"].is_null());
            held.then_some(()).ok_or("not yet")
        },
    )
    .await;
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let sending: i64 = one(
        &shop.db,
        "SELECT count(*) FROM outbox WHERE state = 'sending' AND batch_id IS NOT NULL",
    );
    assert_eq!(sending, 30, "the whole batch was left in Enviando");

    let restarted = drain(&shop, Some(&server));
    let out = tokio::task::spawn_blocking(move || restarted.wait_with_output().expect("drained"))
        .await
        .expect("join");
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("DRAINED"),
        "{out:?}"
    );
    let mut per_recipient: BTreeMap<String, usize> = BTreeMap::new();
    for email in accepted(&server) {
        let to = email["payload"]["to"][0].as_str().expect("to").to_owned();
        *per_recipient.entry(to).or_default() += 1;
    }
    assert_eq!(per_recipient.len(), owing.len(), "every customer got one");
    assert!(
        per_recipient.values().all(|count| *count == 1),
        "none twice: {per_recipient:?}"
    );
    // Every attempt was the same batch: same key, same bytes.
    let requests = send_requests(&server, "/emails/batch");
    assert!(requests.len() >= 2, "sent again after the restart");
    let keys: std::collections::BTreeSet<&str> = requests
        .iter()
        .map(|r| r["headers"]["idempotency-key"].as_str().expect("key"))
        .collect();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(
        send_requests(&server, "/emails").is_empty(),
        "nothing went one by one"
    );
}
