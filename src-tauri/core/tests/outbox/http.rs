//! Resend and Postmark: Retry-After honoured under the same Idempotency-Key, 5xx, dropped and
//! stalled requests delivered once, permanent refusals not retried, pacing under a rate limit.

use cachicamo_core::mail::config::Provider;
use cachicamo_core::mail::MailFailure;
use cachicamo_core::outbox::{OutboxId, OutboxState};

use crate::common::*;

#[tokio::test(flavor = "multi_thread")]
async fn resend_429_retry_after_is_honoured_with_the_same_idempotency_key() {
    let env = provider_env().await;
    let (server, shop) = resend_shop(&env, &[]).await;
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
    let env = provider_env().await;
    let (server, shop) = resend_shop(&env, &[]).await;
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
        settle(&handle).await;
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
    let env = provider_env().await;
    let (server, shop) = resend_shop(&env, &[]).await;
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
        settle(&handle).await;
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
    let env = provider_env().await;
    let (server, shop) = resend_shop(&env, &["--rate-limit", "5"]).await;
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

#[tokio::test(flavor = "multi_thread")]
async fn postmark_406_inactive_recipient_fails_and_503_is_retried() {
    let env = provider_env().await;
    let server = env.postmark(&["--inactive-recipient", "rebotado@cliente.com"]);
    let shop = Shop::for_outbox();
    let mut form = api_form(Provider::Postmark, Some(POSTMARK_TOKEN));
    form.message_stream = "outbound".into();
    shop.configure(form).await;
    let handle = shop.start();

    let inactive = shop.queue(Some(&handle), "rebotado@cliente.com", "Recordatorio");
    let failed = shop.wait_state(inactive, OutboxState::Failed, LONG).await;
    let error = failed.error.expect("reason");
    assert_eq!(error.code, MailFailure::RecipientInactive);
    assert_eq!(error.provider_code.as_deref(), Some("406"));
    settle(&handle).await;
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
