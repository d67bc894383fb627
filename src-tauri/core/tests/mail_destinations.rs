//! Where a token and a message may go: an API that answers with a redirect is not followed (the
//! token never reaches the redirect's target), and internationalised addresses reach the real
//! servers in the form every server reads (punycode domains), while a non-ASCII mailbox name to a
//! server without SMTPUTF8 fails for good instead of being retried.
//!
//! Real SMTP server, Resend and Postmark fakes, the real keychain (`.ci/desktop-session`).

mod common;

use cachicamo_core::locale::Language;
use cachicamo_core::mail::config::{Provider, SmtpSecurity};
use cachicamo_core::mail::{FailureClass, MailFailure};
use cachicamo_core::secrets::SecretSlot;
use cachicamo_e2e::fakes::{ConnectionRecorder, FakeServer};
use common::{api_form, mail_error, provider_env, Shop, POSTMARK_TOKEN, SENDER};
use mail_parser::MessageParser;
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
    let env = provider_env().await;
    let key = "re_redirect_6c0d";
    let server = env.resend(&["--api-key", key]);
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
    let env = provider_env().await;
    let token = POSTMARK_TOKEN;
    let server = env.postmark(&[]);
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

const IDN_SENDER: &str = "ventas@ferretería.com.ve";
const IDN_SENDER_ASCII: &str = "ventas@xn--ferretera-n5a.com.ve";

#[tokio::test(flavor = "multi_thread")]
async fn an_idn_recipient_reaches_a_server_without_smtputf8_as_punycode() {
    let server = FakeServer::smtp_with("starttls", SENDER, "idn-pass", &["--no-smtputf8"]);
    let shop = Shop::open();
    let mut form = common::smtp_form(server.port, SmtpSecurity::Starttls, Some("idn-pass"));
    form.sender_address = IDN_SENDER.into();
    let view = shop.service.save(form).await.expect("saved");
    assert_eq!(view.sender_address, IDN_SENDER, "shown as typed");

    shop.service
        .send_test("ana@ferretería.com.ve", Language::Es, None)
        .await
        .expect("sent");
    let messages = server.smtp_messages();
    assert_eq!(messages.len(), 1);
    let (envelope, raw) = &messages[0];
    assert_eq!(
        envelope["rcpt_tos"],
        json!(["ana@xn--ferretera-n5a.com.ve"])
    );
    assert_eq!(envelope["mail_from"], IDN_SENDER_ASCII);
    let message = MessageParser::default()
        .parse(raw.as_bytes())
        .expect("valid MIME");
    let to = message.to().and_then(|to| to.first()).expect("To");
    assert_eq!(to.address(), Some("ana@xn--ferretera-n5a.com.ve"));
    let from = message.from().and_then(|f| f.first()).expect("From");
    assert_eq!(from.address(), Some(IDN_SENDER_ASCII));
    assert!(
        message
            .message_id()
            .is_some_and(|id| id.ends_with("@xn--ferretera-n5a.com.ve")),
        "the Message-ID is ASCII too"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_non_ascii_mailbox_to_a_server_without_smtputf8_fails_for_good() {
    let server = FakeServer::smtp_with("starttls", SENDER, "utf8-pass", &["--no-smtputf8"]);
    let shop = Shop::open();
    shop.service
        .save(common::smtp_form(
            server.port,
            SmtpSecurity::Starttls,
            Some("utf8-pass"),
        ))
        .await
        .expect("saved");
    let refused = mail_error(
        shop.service
            .send_test("josé@ferretería.com.ve", Language::Es, None)
            .await,
    );
    assert_eq!(refused.failure, MailFailure::NonAsciiMailbox);
    assert_eq!(
        refused.class(),
        FailureClass::Permanent,
        "never a transient retry"
    );
    assert!(server.smtp_messages().is_empty());

    // The same mailbox name goes through a server that announces SMTPUTF8.
    let utf8 = FakeServer::smtp("starttls", SENDER, "utf8-pass");
    let other = Shop::open();
    other
        .service
        .save(common::smtp_form(
            utf8.port,
            SmtpSecurity::Starttls,
            Some("utf8-pass"),
        ))
        .await
        .expect("saved");
    other
        .service
        .send_test("josé@ferretería.com.ve", Language::Es, None)
        .await
        .expect("sent with SMTPUTF8");
    assert_eq!(
        utf8.smtp_messages()[0].0["rcpt_tos"],
        json!(["josé@xn--ferretera-n5a.com.ve"])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idn_recipient_reaches_resend_as_punycode() {
    let env = provider_env().await;
    let key = "re_idn_93aa";
    let server = env.resend(&[
        "--api-key",
        key,
        "--domain",
        "xn--ferretera-n5a.com.ve:verified",
    ]);
    let shop = Shop::open();
    let mut form = api_form(Provider::Resend, Some(key));
    form.sender_address = IDN_SENDER.into();
    shop.service
        .save(form)
        .await
        .expect("the sender's domain is found in its ASCII form");
    shop.service
        .send_test("ana@ferretería.com.ve", Language::Es, None)
        .await
        .expect("sent");
    let emails = server.control("GET", "emails", None);
    assert_eq!(
        emails[0]["payload"]["to"],
        json!(["ana@xn--ferretera-n5a.com.ve"])
    );
    assert!(emails[0]["payload"]["from"]
        .as_str()
        .is_some_and(|from| from.ends_with(&format!("<{IDN_SENDER_ASCII}>"))));
}
