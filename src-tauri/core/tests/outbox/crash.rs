//! A worker killed with SIGKILL mid-drain (`outbox-drain`, the app's worker in a process of its
//! own) and started again: over Resend every reminder arrives once, under its key; over SMTP,
//! twenty kills at random points lose nothing and duplicate nothing.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cachicamo_core::outbox::OutboxState;
use cachicamo_e2e::fakes::FakeServer;
use cachicamo_e2e::{eventually, eventually_every};

use crate::common::*;

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs_f64()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_killed_mid_drain_delivers_every_reminder_once_after_restart() {
    let env = provider_env().await;
    // 20 requests per second stretch the drain over ~10 s, so the kill lands mid-way.
    let (server, shop) = resend_shop(&env, &["--rate-limit", "20"]).await;
    server.control("POST", "reset", None);
    let ids = shop.queue_many(200);

    let mut child = drain(&shop, Some(&server));
    eventually(
        Duration::from_secs(60),
        "30 accepted: the drain under way",
        async || {
            let count = accepted(&server).len();
            if count < 30 {
                Err(count)
            } else {
                Ok(())
            }
        },
    )
    .await;
    server.control(
        "POST",
        "stall",
        Some(serde_json::json!({"seconds": 4, "count": 1})),
    );
    // Kill once the fake holds a request: its row is `sending`, its key in flight at Resend.
    eventually(
        Duration::from_secs(60),
        "a request held by the fake",
        async || {
            let held = send_requests(&server, "/emails").iter().any(|r| {
                r["status"].is_null() && now_secs() - r["received_at"].as_f64().unwrap_or(0.0) > 0.3
            });
            held.then_some(()).ok_or("none held yet")
        },
    )
    .await;
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let at_kill = accepted(&server).len();
    assert!(
        (1..=199).contains(&at_kill),
        "{at_kill} accepted at the kill"
    );
    let sending: i64 = one(
        &shop.db,
        "SELECT count(*) FROM outbox WHERE state = 'sending'",
    );
    assert!(sending >= 1, "rows were left in Enviando");

    let restarted = drain(&shop, Some(&server));
    let status = tokio::task::spawn_blocking(move || {
        let out = restarted.wait_with_output().expect("drained");
        (
            out.status,
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    })
    .await
    .expect("join");
    assert!(
        status.0.success() && status.1.contains("DRAINED"),
        "{status:?}"
    );

    let entries = shop.entries();
    assert_eq!(entries.len(), 200);
    assert!(
        entries.iter().all(|e| e.state == OutboxState::Sent),
        "all sent"
    );
    let emails = accepted(&server);
    assert_eq!(emails.len(), 200, "exactly 200 accepted by Resend");
    let keys: BTreeSet<String> = emails
        .iter()
        .map(|e| e["idempotency_key"].as_str().expect("key").to_owned())
        .collect();
    let expected: BTreeSet<String> = ids.iter().map(|id| shop.key(*id, 1)).collect();
    assert_eq!(keys, expected, "one email per reminder, none twice");
    let recipients: BTreeSet<&str> = emails
        .iter()
        .map(|e| e["payload"]["to"][0].as_str().expect("to"))
        .collect();
    assert_eq!(recipients.len(), 200, "200 distinct reminders");
    assert!(!contains(&shop.database_bytes(), RESEND_KEY));
}

/// SMTP has no idempotency key: a worker killed mid-drain may leave a message the server took
/// while the row still says "sending". Twenty kills at random points: afterwards every reminder
/// is either sent (exactly one copy) or uncertain (at most one copy) — never lost, never twice.
#[tokio::test(flavor = "multi_thread")]
async fn smtp_workers_killed_mid_drain_twenty_times_lose_nothing_and_duplicate_nothing() {
    const ROWS: usize = 60;
    let mut uncertain_seen = 0;
    for round in 0..20 {
        let server = FakeServer::smtp("starttls", SENDER, SMTP_PASSWORD);
        let shop = Shop::for_outbox();
        shop.configure_smtp(server.port).await;
        shop.queue_many(ROWS);
        // Somewhere between the first and the last message, different each round.
        let kill_after = 1 + fastrand::usize(..ROWS - 1);
        let mut child = drain(&shop, None);
        // Asked often: the kill should land close to its random point.
        let what = format!("round {round}: {kill_after} delivered");
        eventually_every(
            Duration::from_millis(2),
            Duration::from_secs(30),
            &what,
            async || {
                let count = server.smtp_messages().len();
                if count < kill_after {
                    Err(count)
                } else {
                    Ok(())
                }
            },
        )
        .await;
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");

        let restarted = drain(&shop, None);
        let out = tokio::task::spawn_blocking(move || restarted.wait_with_output())
            .await
            .expect("join")
            .expect("drained");
        assert!(
            out.status.success() && String::from_utf8_lossy(&out.stdout).contains("DRAINED"),
            "round {round}: {out:?}"
        );

        let entries = shop.entries();
        let mut copies: std::collections::BTreeMap<String, usize> = Default::default();
        for to in server.smtp_recipients() {
            *copies.entry(to).or_default() += 1;
        }
        for entry in &entries {
            let arrived = copies.get(&entry.recipient).copied().unwrap_or(0);
            match entry.state {
                OutboxState::Sent => assert_eq!(arrived, 1, "round {round}: {entry:?}"),
                OutboxState::Uncertain => {
                    uncertain_seen += 1;
                    assert!(arrived <= 1, "round {round}: twice: {entry:?}");
                }
                other => panic!("round {round}: left {other:?}: {entry:?}"),
            }
        }
        assert_eq!(entries.len(), ROWS);
        assert!(
            copies.values().all(|&n| n == 1),
            "round {round}: a duplicate: {copies:?}"
        );
    }
    // Each kill lands while up to four sends are in flight: some rows must have come back
    // uncertain, or the test never killed anything mid-send.
    assert!(uncertain_seen > 0, "no kill landed mid-send in 20 rounds");
}
