//! Where a token and a message may go: an API that answers with a redirect is not followed (the
//! token never reaches the redirect's target), and internationalised addresses reach the real
//! servers in the form every server reads (punycode domains), while a non-ASCII mailbox name to a
//! server without SMTPUTF8 fails for good instead of being retried.
//!
//! Real SMTP server, Resend and Postmark fakes, the real keychain (`.ci/desktop-session`).

mod common;

use cachicamo_core::locale::Language;
use cachicamo_core::mail::config::Provider;
use cachicamo_core::mail::{FailureClass, MailFailure};
use cachicamo_core::secrets::SecretSlot;
use cachicamo_e2e::fakes::{ConnectionRecorder, FakeServer};
use common::{api_form, mail_error, provider_env, Shop, SENDER};
use serde_json::json;

fn redirect_to(recorder: &ConnectionRecorder, path: &str, api_path: &str) -> serde_json::Value {
    json!({
        "status": 302,
        "location": format!("http://127.0.0.1:{}{path}", recorder.port),
        "paths": [api_path],
    })
}

/// The fake saw the token on the first hop, so a client that followed the redirect would have
/// carried it to the recorder.
fn token_reached_the_api(server: &FakeServer, path: &str, header: &str, token: &str) -> bool {
    server
        .control("GET", "requests", None)
        .as_array()
        .expect("requests")
        .iter()
        .any(|r| {
            r["path"] == path
                && r["headers"][header]
                    .as_str()
                    .is_some_and(|v| v.contains(token))
        })
}

#[tokio::test(flavor = "multi_thread")]
async fn resend_redirects_are_refused_and_the_key_never_reaches_their_target() {
    let _env = provider_env().await;
    let key = "re_redirect_6c0d";
    let server = FakeServer::resend(&["--api-key", key, "--domain", "ferreteria.com.ve:verified"]);
    std::env::set_var("CACHICAMO_RESEND_API_URL", server.base_url());
    let recorder = ConnectionRecorder::start();
    let shop = Shop::open();

    server.control(
        "POST",
        "redirect",
        Some(redirect_to(&recorder, "/domains", "/domains")),
    );
    let refused = mail_error(
        shop.service
            .save(api_form(Provider::Resend, Some(key)))
            .await,
    );
    assert_eq!(refused.failure, MailFailure::Redirected);
    assert_eq!(refused.class(), FailureClass::Permanent);
    assert!(token_reached_the_api(
        &server,
        "/domains",
        "authorization",
        key
    ));
    assert_eq!(recorder.connections(), 0, "the redirect was followed");
    assert_eq!(shop.secret(SecretSlot::ResendApiKey), None, "nothing saved");

    shop.service
        .save(api_form(Provider::Resend, Some(key)))
        .await
        .expect("saved without the redirect");
    server.control(
        "POST",
        "redirect",
        Some(redirect_to(&recorder, "/emails", "/emails")),
    );
    let refused = mail_error(
        shop.service
            .send_test("cliente@example.com", Language::Es, None)
            .await,
    );
    assert_eq!(refused.failure, MailFailure::Redirected);
    assert!(token_reached_the_api(
        &server,
        "/emails",
        "authorization",
        key
    ));
    assert_eq!(recorder.connections(), 0, "the redirect was followed");
    assert!(!String::from_utf8_lossy(&recorder.bytes()).contains(key));
    assert_eq!(
        server.control("GET", "emails", None),
        json!([]),
        "nothing was sent"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn postmark_redirects_are_refused_and_the_token_never_reaches_their_target() {
    let _env = provider_env().await;
    let token = "pm-redirect-41aa";
    let server = FakeServer::postmark(&["--server-token", token, "--sender", SENDER]);
    std::env::set_var("CACHICAMO_POSTMARK_API_URL", server.base_url());
    let recorder = ConnectionRecorder::start();
    let shop = Shop::open();

    shop.service
        .save(api_form(Provider::Postmark, Some(token)))
        .await
        .expect("saved");
    server.control(
        "POST",
        "redirect",
        Some(redirect_to(&recorder, "/email", "/email")),
    );
    let refused = mail_error(
        shop.service
            .send_test("cliente@example.com", Language::Es, None)
            .await,
    );
    assert_eq!(refused.failure, MailFailure::Redirected);
    assert!(refused
        .provider_message
        .as_deref()
        .is_some_and(|m| m.contains(&format!("127.0.0.1:{}", recorder.port))));
    assert!(token_reached_the_api(
        &server,
        "/email",
        "x-postmark-server-token",
        token
    ));
    assert_eq!(recorder.connections(), 0, "the redirect was followed");

    server.control(
        "POST",
        "redirect",
        Some(redirect_to(&recorder, "/server", "/server")),
    );
    let refused = mail_error(
        shop.service
            .save(api_form(Provider::Postmark, Some(token)))
            .await,
    );
    assert_eq!(refused.failure, MailFailure::Redirected);
    assert_eq!(recorder.connections(), 0, "the redirect was followed");
}
