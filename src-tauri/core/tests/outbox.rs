//! The outbox against real servers: a real SMTP server that goes away, stalls or drops, fake
//! Resend and Postmark servers that speak the documented contract (429 with Retry-After, 5xx,
//! dropped and stalled requests, Idempotency-Key replay), the real keychain and a real SQLite
//! file — and a worker process killed with SIGKILL mid-drain.
//!
//! Run inside `.ci/desktop-session` (the keychain needs a Secret Service).

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cachicamo_core::mail::config::Provider;
use cachicamo_core::mail::MailFailure;
use cachicamo_core::outbox::{
    self, OutboxFilter, OutboxId, OutboxState, OwnerAction, QueuedEmail, Rows, WaitReason,
};
use cachicamo_e2e::fakes::{free_port, FakeServer};
use common::*;
use mail_parser::MessageParser;

// --- SMTP -------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn reminder_waits_offline_and_is_delivered_once_when_the_server_is_back() {
    let port = free_port();
    let shop = Shop::open();
    // Saved while the server is down: kept as "Sin verificar".
    shop.configure(smtp_form(port)).await;
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
    // Still waiting after several probes: never failed, never counted.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
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
    assert!(handle.wait_idle(Duration::from_secs(5)).await);
    tokio::time::sleep(Duration::from_secs(2)).await;
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
    let shop = Shop::open();
    shop.configure(smtp_form(server.port)).await;
    let handle = shop.start();
    let id = shop.queue(Some(&handle), "reject550@cliente.com", "Recordatorio");
    let failed = shop.wait_state(id, OutboxState::Failed, LONG).await;
    let error = failed.error.expect("reason");
    assert_eq!(error.code, MailFailure::RecipientRejected);
    assert_eq!(error.provider_code.as_deref(), Some("550"));
    assert!(error.message.unwrap_or_default().contains("5.1.1"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = shop.entry(id);
    assert_eq!((after.state, after.attempts), (OutboxState::Failed, 1));
    assert!(server.smtp_messages().is_empty());
    handle.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_421_at_the_final_dot_is_retried_until_delivered_once() {
    let server = FakeServer::smtp_with("starttls", SENDER, SMTP_PASSWORD, &["--fail-first", "2"]);
    let shop = Shop::open();
    shop.configure(smtp_form(server.port)).await;
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
        let shop = Shop::open();
        shop.configure(smtp_form(server.port)).await;
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
        let to: Vec<String> = server
            .smtp_messages()
            .iter()
            .map(|(e, _)| e["rcpt_tos"][0].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(
            to,
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
    let shop = Shop::open();
    shop.configure(smtp_form(server.port)).await;
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
    let shop = Shop::open();
    let handle = shop.start();
    let id = shop.queue(Some(&handle), "ana@cliente.com", "Recordatorio");
    let waiting = shop
        .wait_for(id, LONG, "waiting for a configuration", |e| {
            e.reason == Some(WaitReason::NotConfigured)
        })
        .await;
    assert_eq!((waiting.state, waiting.attempts), (OutboxState::Queued, 0));

    shop.configure(smtp_form(server.port)).await;
    handle.reload();
    let sent = shop.wait_state(id, OutboxState::Sent, LONG).await;
    assert_eq!(sent.attempts, 1);
    assert_eq!(server.smtp_messages().len(), 1);
    handle.stop().await.expect("stopped");
}

// --- Resend -----------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn resend_429_retry_after_is_honoured_with_the_same_idempotency_key() {
    let _env = provider_env().await;
    let server = resend();
    let shop = Shop::open();
    shop.configure(api_form(Provider::Resend, RESEND_KEY)).await;
    server.control(
        "POST",
        "fail",
        Some(serde_json::json!({"status": 429, "count": 1, "headers": {"retry-after": "3"}})),
    );
    let handle = shop.start();
    let id = shop.queue(Some(&handle), "ana@cliente.com", "Recordatorio");
    let sent = shop.wait_state(id, OutboxState::Sent, LONG).await;
    assert_eq!(sent.attempts, 2);
    let requests = send_requests(&server, "/emails");
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let waited = requests[1]["received_at"].as_f64().expect("time")
        - requests[0]["received_at"].as_f64().expect("time");
    assert!(waited >= 2.95, "Retry-After: 3 honoured, waited {waited} s");
    let key = shop.key(id, 1);
    for request in &requests {
        assert_eq!(request["headers"]["idempotency-key"], key.as_str());
    }
    assert_eq!(accepted(&server).len(), 1);
    assert_eq!(
        sent.provider_message_id.as_deref(),
        accepted(&server)[0]["id"].as_str()
    );
    handle.stop().await.expect("stopped");
    assert!(!contains(&shop.database_bytes(), RESEND_KEY));
}

#[tokio::test(flavor = "multi_thread")]
async fn resend_5xx_dropped_and_stalled_requests_are_retried_and_delivered_once() {
    let _env = provider_env().await;
    let server = resend();
    let shop = Shop::open();
    shop.configure(api_form(Provider::Resend, RESEND_KEY)).await;
    let handle = shop.start();
    let faults = [
        ("fail", serde_json::json!({"status": 503, "count": 2})),
        (
            "fail",
            serde_json::json!({"status": 500, "count": 1, "name": "internal_server_error"}),
        ),
        // Accepted by Resend, but the answer never arrives: the retry is replayed, not re-sent.
        ("drop", serde_json::json!({"count": 1, "process": true})),
        // Held past our 2 s timeout: the retry meets the key still in flight (409), then the
        // original answer.
        ("stall", serde_json::json!({"seconds": 3.5, "count": 1})),
    ];
    for (index, (kind, spec)) in faults.into_iter().enumerate() {
        server.control("POST", "reset", None);
        server.control("POST", kind, Some(spec.clone()));
        let id = shop.queue(
            Some(&handle),
            "ana@cliente.com",
            &format!("Recordatorio {index}"),
        );
        let sent = shop.wait_state(id, OutboxState::Sent, LONG).await;
        assert!(sent.attempts >= 2, "{kind} {spec}: {sent:#?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
        let emails = accepted(&server);
        assert_eq!(emails.len(), 1, "{kind} {spec}: delivered exactly once");
        assert_eq!(emails[0]["idempotency_key"], shop.key(id, 1).as_str());
        assert_eq!(
            sent.provider_message_id.as_deref(),
            emails[0]["id"].as_str()
        );
        let requests = send_requests(&server, "/emails");
        assert!(requests.len() >= 2, "{kind}: retried");
        assert!(
            requests.iter().all(|r| r["body"] == requests[0]["body"]),
            "byte-identical retries"
        );
    }
    handle.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread")]
async fn resend_401_and_422_fail_with_the_reason_and_a_fixed_setup_retries_under_a_new_key() {
    let _env = provider_env().await;
    let server = resend();
    let shop = Shop::open();
    shop.configure(api_form(Provider::Resend, RESEND_KEY)).await;
    let handle = shop.start();
    for (status, name, failure) in [
        (401, "validation_error", MailFailure::AuthFailed),
        (422, "invalid_parameter", MailFailure::Rejected),
    ] {
        server.control("POST", "reset", None);
        server.control(
            "POST",
            "fail",
            Some(serde_json::json!({"status": status, "count": 1, "name": name, "message": "API key is invalid"})),
        );
        let id = shop.queue(
            Some(&handle),
            "ana@cliente.com",
            &format!("Recordatorio {status}"),
        );
        let failed = shop.wait_state(id, OutboxState::Failed, LONG).await;
        let error = failed.error.expect("reason");
        assert_eq!(error.code, failure, "{status}");
        assert_eq!(error.provider_code.as_deref(), Some(name));
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        assert_eq!(
            send_requests(&server, "/emails").len(),
            1,
            "{status}: not retried"
        );
        assert_eq!(shop.entry(id).attempts, 1);

        // The owner fixed the configuration and presses "Reintentar".
        handle.reload();
        handle.retry_now(id).expect("retry");
        let sent = shop.wait_state(id, OutboxState::Sent, LONG).await;
        assert_eq!(sent.generation, 2);
        let emails = accepted(&server);
        assert_eq!(emails.len(), 1);
        assert_eq!(emails[0]["idempotency_key"], shop.key(id, 2).as_str());
    }
    handle.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread")]
async fn resend_rate_limits_are_met_by_pacing_not_by_failing() {
    let _env = provider_env().await;
    let server = resend_with(&["--rate-limit", "5"]);
    let shop = Shop::open();
    shop.configure(api_form(Provider::Resend, RESEND_KEY)).await;
    server.control("POST", "reset", None);
    let ids: Vec<OutboxId> = (0..12)
        .map(|i| shop.queue(None, "ana@cliente.com", &format!("Recordatorio {i}")))
        .collect();
    let handle = shop.start();
    for id in &ids {
        let sent = shop.wait_state(*id, OutboxState::Sent, LONG).await;
        assert_eq!(sent.attempts, 1, "no attempt was refused");
    }
    let requests = send_requests(&server, "/emails");
    assert_eq!(requests.len(), 12);
    assert!(
        requests.iter().all(|r| r["status"] == 200),
        "no 429: {:?}",
        requests.iter().map(|r| &r["status"]).collect::<Vec<_>>()
    );
    handle.stop().await.expect("stopped");
}

// --- Postmark ---------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn postmark_406_inactive_recipient_fails_and_503_is_retried() {
    let _env = provider_env().await;
    let server = postmark(&["--inactive-recipient", "rebotado@cliente.com"]);
    let shop = Shop::open();
    let mut form = api_form(Provider::Postmark, POSTMARK_TOKEN);
    form.message_stream = "outbound".into();
    shop.configure(form).await;
    let handle = shop.start();

    let inactive = shop.queue(Some(&handle), "rebotado@cliente.com", "Recordatorio");
    let failed = shop.wait_state(inactive, OutboxState::Failed, LONG).await;
    let error = failed.error.expect("reason");
    assert_eq!(error.code, MailFailure::RecipientInactive);
    assert_eq!(error.provider_code.as_deref(), Some("406"));
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(send_requests(&server, "/email").len(), 1, "not retried");

    server.control("POST", "reset", None);
    server.control(
        "POST",
        "fail",
        Some(serde_json::json!({"status": 503, "count": 1})),
    );
    let id = shop.queue(Some(&handle), "ana@cliente.com", "Recordatorio");
    let sent = shop.wait_state(id, OutboxState::Sent, LONG).await;
    assert_eq!(sent.attempts, 2);
    assert_eq!(accepted(&server).len(), 1);
    handle.stop().await.expect("stopped");
    assert!(!contains(&shop.database_bytes(), POSTMARK_TOKEN));
}

// --- crash ------------------------------------------------------------------------------------

/// `outbox-drain`: the app's worker in a process of its own, so it can be killed.
fn drain(shop: &Shop, server: &FakeServer) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_outbox-drain"))
        .arg(shop.db_path())
        .arg(shop.keychain.service())
        .env("CACHICAMO_RESEND_API_URL", server.base_url())
        .env("CACHICAMO_MAIL_TIMEOUT_SECS", "10")
        .env("CACHICAMO_OUTBOX_RETRY_BASE_MS", "300")
        .env("CACHICAMO_OUTBOX_PROBE_SECS", "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("outbox-drain starts")
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs_f64()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_killed_mid_drain_delivers_every_reminder_once_after_restart() {
    let _env = provider_env().await;
    // 20 requests per second stretch the drain over ~10 s, so the kill lands mid-way.
    let server = resend_with(&["--rate-limit", "20"]);
    let shop = Shop::open();
    shop.configure(api_form(Provider::Resend, RESEND_KEY)).await;
    server.control("POST", "reset", None);
    let ids: BTreeSet<OutboxId> = shop
        .db
        .write(|tx| {
            (0..200)
                .map(|i| {
                    outbox::enqueue(
                        tx,
                        QueuedEmail {
                            to: format!("cliente{i}@example.com").parse().expect("valid"),
                            subject: format!("Recordatorio {i}"),
                            text: format!("Factura {i}"),
                            html: format!("<p>Factura {i}</p>"),
                            reference: None,
                            facts: None,
                            attachments: Vec::new(),
                        },
                    )
                })
                .collect::<Result<_, _>>()
        })
        .expect("200 queued");

    let mut child = drain(&shop, &server);
    let deadline = Instant::now() + Duration::from_secs(60);
    while accepted(&server).len() < 30 {
        assert!(Instant::now() < deadline, "the drain did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.control(
        "POST",
        "stall",
        Some(serde_json::json!({"seconds": 4, "count": 1})),
    );
    // Kill once the fake holds a request: its row is `sending`, its key in flight at Resend.
    loop {
        let held = send_requests(&server, "/emails").iter().any(|r| {
            r["status"].is_null() && now_secs() - r["received_at"].as_f64().unwrap_or(0.0) > 0.3
        });
        if held {
            break;
        }
        assert!(Instant::now() < deadline, "no request was held");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let at_kill = accepted(&server).len();
    assert!(
        (1..=199).contains(&at_kill),
        "{at_kill} accepted at the kill"
    );
    let sending: i64 = shop
        .db
        .read(|c| {
            c.query_row(
                "SELECT count(*) FROM outbox WHERE state = 'sending'",
                [],
                |r| r.get(0),
            )
        })
        .expect("count");
    assert!(sending >= 1, "rows were left in Enviando");

    let restarted = drain(&shop, &server);
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

    let page = shop
        .db
        .read(|c| outbox::list(c, OutboxFilter::All, None, 200))
        .expect("list");
    assert_eq!(page.entries.len(), 200);
    assert!(
        page.entries.iter().all(|e| e.state == OutboxState::Sent),
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

/// `outbox-drain` against the SMTP server (no provider URL to pass).
fn drain_smtp(shop: &Shop) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_outbox-drain"))
        .arg(shop.db_path())
        .arg(shop.keychain.service())
        .env("CACHICAMO_MAIL_TIMEOUT_SECS", "10")
        .env("CACHICAMO_OUTBOX_PROBE_SECS", "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("outbox-drain starts")
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
        let shop = Shop::open();
        shop.configure(smtp_form(server.port)).await;
        shop.db
            .write(|tx| {
                (0..ROWS)
                    .map(|i| {
                        outbox::enqueue(
                            tx,
                            QueuedEmail {
                                to: format!("cliente{i}@example.com").parse().expect("valid"),
                                subject: format!("Recordatorio {i}"),
                                text: format!("Factura {i}"),
                                html: format!("<p>Factura {i}</p>"),
                                reference: None,
                                facts: None,
                                attachments: Vec::new(),
                            },
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .expect("queued");
        // Somewhere between the first and the last message, different each round.
        let kill_after = 1 + fastrand::usize(..ROWS - 1);
        let mut child = drain_smtp(&shop);
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.smtp_messages().len() < kill_after {
            assert!(
                Instant::now() < deadline,
                "round {round}: the drain did not start"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");

        let restarted = drain_smtp(&shop);
        let out = tokio::task::spawn_blocking(move || restarted.wait_with_output())
            .await
            .expect("join")
            .expect("drained");
        assert!(
            out.status.success() && String::from_utf8_lossy(&out.stdout).contains("DRAINED"),
            "round {round}: {out:?}"
        );

        let page = shop
            .db
            .read(|c| outbox::list(c, OutboxFilter::All, None, 200))
            .expect("list");
        let mut copies: std::collections::BTreeMap<String, usize> = Default::default();
        for (envelope, _) in server.smtp_messages() {
            let to = envelope["rcpt_tos"][0].as_str().expect("to").to_owned();
            *copies.entry(to).or_default() += 1;
        }
        for entry in &page.entries {
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
        assert_eq!(page.entries.len(), ROWS);
        assert!(
            copies.values().all(|&n| n == 1),
            "round {round}: a duplicate: {copies:?}"
        );
    }
    // Each kill lands while up to four sends are in flight: some rows must have come back
    // uncertain, or the test never killed anything mid-send.
    assert!(uncertain_seen > 0, "no kill landed mid-send in 20 rounds");
}
