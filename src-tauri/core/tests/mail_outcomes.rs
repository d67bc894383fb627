//! "Definitely not sent" or "may have arrived": every provider against a real server that fails
//! at each point of a send. A real SMTP server (STARTTLS + AUTH) that keeps the message and then
//! hangs up or answers too late, or fails at connect, greeting, AUTH, MAIL, RCPT or DATA; the
//! Resend and Postmark fakes that accept an email and then drop the connection or stall.
//!
//! `maybe_delivered` must be set exactly when the message may have been handed over: the outbox
//! never retries such a failure on a provider without idempotency, so a false "yes" leaves a
//! reminder undelivered and a false "no" sends it twice. No keychain is involved (the secret is
//! handed to the provider directly), so these run without a desktop session.

mod common;

use std::time::{Duration, Instant};

use cachicamo_core::mail::config::{
    EmailServiceConfig, ProviderSettings, Sender, SmtpSecurity, SmtpSettings,
};
use cachicamo_core::mail::{MailError, MailFailure, Mailer, OutgoingEmail, Receipt, Timeouts};
use cachicamo_core::secrets::Sensitive;
use cachicamo_e2e::eventually;
use cachicamo_e2e::fakes::{free_port, FakeServer, TestCa};
use common::{
    accepted, provider_env, ProviderEnv, POSTMARK_TOKEN, RESEND_KEY, SENDER, SENDER_NAME,
    SMTP_PASSWORD,
};

/// Short on purpose: a stall must cost seconds, not the real ten minutes. Connecting gets less
/// than the session set-up, as in the app (10 s / 30 s), so an unanswered connect is "offline".
const TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_secs(1),
    request: Duration::from_secs(2),
    final_reply: Duration::from_secs(2),
};

fn sender() -> Sender {
    Sender {
        address: SENDER.parse().expect("valid"),
        name: Some(SENDER_NAME.into()),
        reply_to: None,
    }
}

fn email(to: &str) -> OutgoingEmail {
    OutgoingEmail::new(
        sender(),
        to.parse().expect("valid address"),
        "Recordatorio de pago: factura F-0042".into(),
        "Saldo pendiente: 1.500,50 Bs.".into(),
        "<p>Saldo pendiente: <strong>1.500,50 Bs.</strong></p>".into(),
    )
}

fn smtp_mailer(port: u16, timeouts: Timeouts) -> Mailer {
    TestCa::get().trust_in_this_process();
    let config = EmailServiceConfig {
        settings: ProviderSettings::Smtp(SmtpSettings {
            host: "localhost".into(),
            port,
            security: SmtpSecurity::Starttls,
            username: SENDER.into(),
        }),
        sender: sender(),
    };
    Mailer::new(&config, Sensitive::new(SMTP_PASSWORD.into()), timeouts).expect("smtp mailer")
}

fn smtp_server(extra: &[&str]) -> FakeServer {
    FakeServer::smtp_with("starttls", SENDER, SMTP_PASSWORD, extra)
}

/// Nothing listens where the mailer sends: offline, and definitely not sent.
async fn refused_means_not_sent(mailer: &Mailer) {
    let err = failed(
        mailer.send(&email("luis@cliente.com"), None).await,
        "refused",
    );
    assert_eq!(
        (err.failure, err.maybe_delivered),
        (MailFailure::Offline, false)
    );
}

fn failed(result: Result<Receipt, MailError>, what: &str) -> MailError {
    match result {
        Err(err) => err,
        Ok(receipt) => panic!("{what}: expected a failure, got {receipt:?}"),
    }
}

/// The `session` (connection number) of each message the SMTP server kept, oldest first.
fn sessions(server: &FakeServer) -> Vec<u64> {
    server
        .smtp_messages()
        .iter()
        .map(|(envelope, _)| envelope["session"].as_u64().expect("session"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_hang_up_after_the_final_dot_may_have_delivered_and_one_copy_is_there() {
    let server = smtp_server(&["--store-then-drop-first", "1"]);
    let mailer = smtp_mailer(server.port, TIMEOUTS);

    let err = failed(mailer.send(&email("luis@cliente.com"), None).await, "drop");
    assert!(err.maybe_delivered, "{err:?}");
    assert_eq!(err.failure, MailFailure::ProviderUnavailable, "{err:?}");
    assert_eq!(
        server.smtp_messages().len(),
        1,
        "the server kept exactly one copy"
    );

    // The same, chosen by the recipient; and a broken session never serves the next send.
    let err = failed(
        mailer.send(&email("storedrop@cliente.com"), None).await,
        "storedrop@",
    );
    assert!(err.maybe_delivered, "{err:?}");
    mailer
        .send(&email("ana@cliente.com"), None)
        .await
        .expect("the next send opens a new session");
    let sessions = sessions(&server);
    assert_eq!(sessions.len(), 3);
    assert!(
        sessions[0] < sessions[1] && sessions[1] < sessions[2],
        "{sessions:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_no_reply_to_the_final_dot_in_time_may_have_delivered_and_does_not_hang_the_next() {
    let server = smtp_server(&["--store-then-stall-first", "1", "30"]);
    let mailer = smtp_mailer(server.port, TIMEOUTS);

    let started = Instant::now();
    let err = failed(mailer.send(&email("luis@cliente.com"), None).await, "stall");
    let waited = started.elapsed();
    assert!(err.maybe_delivered, "{err:?}");
    assert_eq!(err.failure, MailFailure::Timeout, "{err:?}");
    assert!(
        waited >= TIMEOUTS.final_reply && waited < Duration::from_secs(10),
        "the final-reply deadline bounds the wait: {waited:?}"
    );
    assert_eq!(server.smtp_messages().len(), 1, "kept, unanswered");

    let started = Instant::now();
    mailer
        .send(&email("ana@cliente.com"), None)
        .await
        .expect("the stalled session is not reused");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(server.smtp_messages().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_waits_for_a_slow_final_reply_longer_than_for_anything_else() {
    // The server answers the dot after 4 s: past the 2 s request deadline, within the 8 s
    // final-reply one. A sender with one deadline for everything would give up and resend.
    let server = smtp_server(&["--store-then-stall-first", "1", "4"]);
    let timeouts = Timeouts {
        final_reply: Duration::from_secs(8),
        ..TIMEOUTS
    };
    let mailer = smtp_mailer(server.port, timeouts);
    let started = Instant::now();
    let receipt = mailer
        .send(&email("luis@cliente.com"), None)
        .await
        .expect("a late reply is still a reply");
    assert!(started.elapsed() >= Duration::from_secs(4));
    assert!(
        receipt.provider_response.contains("OK queued"),
        "{receipt:?}"
    );
    assert_eq!(server.smtp_messages().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_failures_before_the_content_left_are_definitely_not_sent() {
    let cases: &[(&[&str], MailFailure)] = &[
        (&["--stall-at", "connect"], MailFailure::Offline),
        (&["--drop-at", "greeting"], MailFailure::ProviderUnavailable),
        (&["--stall-at", "greeting"], MailFailure::Timeout),
        (&["--drop-at", "auth"], MailFailure::ProviderUnavailable),
        (&["--stall-at", "auth"], MailFailure::Timeout),
        (&["--drop-at", "mail"], MailFailure::ProviderUnavailable),
        (&["--stall-at", "mail"], MailFailure::Timeout),
        (&["--drop-at", "rcpt"], MailFailure::ProviderUnavailable),
        (&["--stall-at", "rcpt"], MailFailure::Timeout),
        (&["--drop-at", "data"], MailFailure::ProviderUnavailable),
        (&["--stall-at", "data"], MailFailure::Timeout),
    ];
    for (fault, expected) in cases {
        let server = smtp_server(fault);
        let mailer = smtp_mailer(server.port, TIMEOUTS);
        let started = Instant::now();
        let err = failed(
            mailer.send(&email("luis@cliente.com"), None).await,
            &fault.join(" "),
        );
        assert!(!err.maybe_delivered, "{fault:?}: {err:?}");
        assert_eq!(err.failure, *expected, "{fault:?}: {err:?}");
        assert!(
            started.elapsed() < Duration::from_secs(6),
            "{fault:?}: bounded by the connect/request deadlines"
        );
        assert!(server.smtp_messages().is_empty(), "{fault:?}");
    }

    // Nothing listening at all.
    let mailer = smtp_mailer(free_port(), TIMEOUTS);
    refused_means_not_sent(&mailer).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_definite_refusals_are_definite_wherever_they_come() {
    let server = smtp_server(&["--fail-first", "1"]);
    let mailer = smtp_mailer(server.port, TIMEOUTS);
    let cases = [
        // 421 to the final dot (the server is shutting down): try again later.
        ("luis@cliente.com", MailFailure::ProviderUnavailable, "421"),
        // 554 to the final dot: the content was refused.
        ("spam@cliente.com", MailFailure::Rejected, "554"),
        // 550 to RCPT: the address does not exist.
        (
            "reject550@cliente.com",
            MailFailure::RecipientRejected,
            "550",
        ),
        // 451 to RCPT.
        (
            "tempfail@cliente.com",
            MailFailure::ProviderUnavailable,
            "451",
        ),
    ];
    for (to, expected, code) in cases {
        let err = failed(mailer.send(&email(to), None).await, to);
        assert!(!err.maybe_delivered, "{to}: {err:?}");
        assert_eq!(err.failure, expected, "{to}: {err:?}");
        assert_eq!(err.provider_code.as_deref(), Some(code), "{to}");
    }
    assert!(server.smtp_messages().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_sessions_are_reused_only_after_an_accepted_send() {
    let port = free_port();
    let port_text = port.to_string();
    let server = smtp_server(&["--port", &port_text]);
    let mailer = smtp_mailer(port, TIMEOUTS);

    for to in ["uno@cliente.com", "dos@cliente.com"] {
        mailer.send(&email(to), None).await.expect("sent");
    }
    // A refusal leaves that session behind: the next send opens another.
    failed(
        mailer.send(&email("reject550@cliente.com"), None).await,
        "550",
    );
    mailer
        .send(&email("tres@cliente.com"), None)
        .await
        .expect("sent");
    let seen = sessions(&server);
    assert_eq!(seen[0], seen[1], "the second send reused the first session");
    assert!(
        seen[2] > seen[1],
        "a refused session is not reused: {seen:?}"
    );

    // The server restarts: the parked session is dead, its NOOP probe fails, a new one is used.
    drop(server);
    let server = smtp_server(&["--port", &port_text]);
    mailer
        .send(&email("cuatro@cliente.com"), None)
        .await
        .expect("a dead parked session is replaced, not reported");
    assert_eq!(server.smtp_messages().len(), 1);
}

// --- HTTP providers -------------------------------------------------------------------------

fn api_mailer(settings: ProviderSettings, key: &str) -> Mailer {
    let config = EmailServiceConfig {
        settings,
        sender: sender(),
    };
    Mailer::new(&config, Sensitive::new(key.into()), TIMEOUTS).expect("http mailer")
}

fn postmark(env: &ProviderEnv) -> (FakeServer, Mailer) {
    let server = env.postmark(&[]);
    let mailer = api_mailer(
        ProviderSettings::Postmark {
            message_stream: "outbound".into(),
        },
        POSTMARK_TOKEN,
    );
    (server, mailer)
}

fn resend(env: &ProviderEnv) -> (FakeServer, Mailer) {
    let server = env.resend(&[]);
    (server, api_mailer(ProviderSettings::Resend, RESEND_KEY))
}

/// The same faults against either HTTP provider: what `maybe_delivered` must be for each.
async fn http_outcomes(server: &FakeServer, mailer: &Mailer, key: Option<&str>) {
    let send = |n: usize| {
        let email = email(&format!("cliente{n}@example.com"));
        let key = key.map(|k| format!("{k}-{n}"));
        async move { mailer.send(&email, key.as_deref()).await }
    };

    // Accepted, then the connection closed before the answer.
    server.control("POST", "reset", None);
    server.control(
        "POST",
        "drop",
        Some(serde_json::json!({"count": 1, "process": true})),
    );
    let err = failed(send(1).await, "drop after processing");
    assert!(err.maybe_delivered, "{err:?}");
    assert_eq!(accepted(server).len(), 1, "the provider has it");

    // Dropped without processing: the client cannot tell this from the case above.
    server.control("POST", "reset", None);
    server.control(
        "POST",
        "drop",
        Some(serde_json::json!({"count": 1, "process": false})),
    );
    let err = failed(send(2).await, "drop");
    assert!(err.maybe_delivered, "{err:?}");
    assert_eq!(accepted(server).len(), 0);

    // Held past our 2 s deadline, then processed.
    server.control("POST", "reset", None);
    server.control(
        "POST",
        "stall",
        Some(serde_json::json!({"seconds": 3, "count": 1})),
    );
    let err = failed(send(3).await, "stall");
    assert_eq!(
        (err.failure, err.maybe_delivered),
        (MailFailure::Timeout, true)
    );
    eventually(
        Duration::from_secs(5),
        "processed after the client gave up",
        async || match accepted(server).len() {
            1 => Ok(()),
            other => Err(other),
        },
    )
    .await;

    // A 503 is an answer: definitely not accepted.
    server.control("POST", "reset", None);
    server.control(
        "POST",
        "fail",
        Some(serde_json::json!({"status": 503, "count": 1})),
    );
    let err = failed(send(4).await, "503");
    assert_eq!(
        (err.failure, err.maybe_delivered),
        (MailFailure::ProviderUnavailable, false)
    );
    assert_eq!(accepted(server).len(), 0);

    // And a send after all that goes through.
    send(5).await.expect("sent");
    assert_eq!(accepted(server).len(), 1);
}

/// Nothing can have left when the provider's name does not resolve or its TLS handshake fails.
async fn http_connect_failures(
    env: &ProviderEnv,
    env_var: &str,
    settings: ProviderSettings,
    key: &str,
) {
    let plain = FakeServer::postmark(&["--server-token", POSTMARK_TOKEN]);
    for (url, expected) in [
        ("https://cachicamo-test.invalid", MailFailure::Offline),
        // An HTTP server where TLS is expected: the handshake fails.
        (
            &*format!("https://127.0.0.1:{}", plain.port),
            MailFailure::Tls,
        ),
    ] {
        env.set(env_var, url);
        let mailer = api_mailer(settings.clone(), key);
        let err = failed(mailer.send(&email("luis@cliente.com"), None).await, url);
        assert_eq!(
            (err.failure, err.maybe_delivered),
            (expected, false),
            "{url}: {err:?}"
        );
    }
    assert!(plain
        .control("GET", "requests", None)
        .as_array()
        .is_some_and(Vec::is_empty));
}

#[tokio::test(flavor = "multi_thread")]
async fn http_providers_that_cannot_be_reached_definitely_did_not_get_the_email() {
    let env = provider_env().await;
    http_connect_failures(
        &env,
        "CACHICAMO_POSTMARK_API_URL",
        ProviderSettings::Postmark {
            message_stream: "outbound".into(),
        },
        POSTMARK_TOKEN,
    )
    .await;
    http_connect_failures(
        &env,
        "CACHICAMO_RESEND_API_URL",
        ProviderSettings::Resend,
        RESEND_KEY,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postmark_may_have_delivered_after_a_drop_or_stall_but_not_after_a_refusal_or_503() {
    let env = provider_env().await;
    let (server, mailer) = postmark(&env);
    http_outcomes(&server, &mailer, None).await;

    drop(server);
    refused_means_not_sent(&mailer).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn resend_may_have_delivered_after_a_drop_or_stall_but_not_after_a_refusal_or_503() {
    let env = provider_env().await;
    let (server, mailer) = resend(&env);
    let key = format!("outcomes-{}", std::process::id());
    http_outcomes(&server, &mailer, Some(&key)).await;

    drop(server);
    refused_means_not_sent(&mailer).await;
}
