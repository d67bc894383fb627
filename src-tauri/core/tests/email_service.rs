//! Integraciones → Servicio de Email against real servers: an SMTP server with STARTTLS or
//! implicit TLS and AUTH, Resend and Postmark fakes that enforce the documented API, the real OS
//! keychain (Secret Service in a D-Bus session) and a real SQLite file.
//!
//! Run inside `.ci/desktop-session` (the keychain needs a Secret Service).

mod common;

use std::time::Duration;

use cachicamo_core::locale::Language;
use cachicamo_core::mail::config::{FormError, Provider, SmtpSecurity};
use cachicamo_core::mail::service::EmailServiceError;
use cachicamo_core::mail::store::VerificationStatus;
use cachicamo_core::mail::{KeyAccess, MailFailure};
use cachicamo_core::secrets::SecretSlot;
use cachicamo_core::validation::FieldProblem;
use cachicamo_e2e::fakes::FakeServer;
use cachicamo_e2e::mail::read_test_email;
use common::*;

fn mail_failure(result: Result<impl std::fmt::Debug, EmailServiceError>) -> MailFailure {
    mail_error(result).failure
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_starttls_is_verified_saved_and_delivers_a_real_multipart_test_email() {
    let server = FakeServer::smtp("starttls", SENDER, "app-pass-1f7c");
    let shop = Shop::open();

    let view = shop
        .save_smtp(server.port, SmtpSecurity::Starttls, Some("app-pass-1f7c"))
        .await
        .expect("saved");
    assert_eq!(view.status, VerificationStatus::Verified);
    assert!(view.secret_saved);
    assert_eq!(view.sender_name.as_deref(), Some(SENDER_NAME));
    assert!(server.smtp_messages().is_empty(), "verifying must not send");
    assert_eq!(
        shop.secret(SecretSlot::SmtpPassword).as_deref(),
        Some("app-pass-1f7c")
    );
    assert!(
        !contains(&shop.database_bytes(), "app-pass-1f7c"),
        "the secret reached SQLite"
    );

    let sent = shop
        .service
        .send_test(
            "cliente@example.com",
            Language::Es,
            Some("Ferretería Peña C.A."),
        )
        .await
        .expect("test email sent");
    let messages = server.smtp_messages();
    assert_eq!(messages.len(), 1);
    let (envelope, raw) = &messages[0];
    assert_eq!(envelope["tls"], true);
    assert_eq!(
        envelope["rcpt_tos"],
        serde_json::json!(["cliente@example.com"])
    );
    let message = read_test_email(raw);
    assert_eq!(
        message.message_id().map(|id| format!("<{id}>")),
        Some(sent.provider_message_id.clone())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_writes_nothing_and_keeps_the_previous_configuration() {
    let server = FakeServer::smtp("starttls", SENDER, "right-pass");
    let shop = Shop::open();
    shop.save_smtp(server.port, SmtpSecurity::Starttls, Some("right-pass"))
        .await
        .expect("first save");

    let mut wrong = smtp_form(server.port, SmtpSecurity::Starttls, Some("wrong-pass-93b1"));
    wrong.sender_name = "Otro Nombre".into();
    let failure = shop.refused(wrong).await;
    assert_eq!(failure, MailFailure::AuthFailed);

    let view = shop
        .service
        .view()
        .await
        .expect("view")
        .expect("still configured");
    assert_eq!(
        view.sender_name.as_deref(),
        Some(SENDER_NAME),
        "previous config kept"
    );
    assert_eq!(
        shop.secret(SecretSlot::SmtpPassword).as_deref(),
        Some("right-pass")
    );
    assert!(!contains(&shop.database_bytes(), "wrong-pass-93b1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_first_save_with_wrong_credentials_leaves_no_trace() {
    let server = FakeServer::smtp("starttls", SENDER, "right-pass");
    let shop = Shop::open();
    let failure = mail_failure(
        shop.save_smtp(server.port, SmtpSecurity::Starttls, Some("nope"))
            .await,
    );
    assert_eq!(failure, MailFailure::AuthFailed);
    assert!(shop.service.view().await.expect("view").is_none());
    assert_eq!(shop.secret(SecretSlot::SmtpPassword), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn implicit_tls_works_with_ssl_tls_and_not_with_starttls() {
    let server = FakeServer::smtp("implicit", SENDER, "pw-implicit");
    let shop = Shop::open();
    let view = shop
        .save_smtp(server.port, SmtpSecurity::Tls, Some("pw-implicit"))
        .await
        .expect("implicit TLS verified");
    assert_eq!(view.status, VerificationStatus::Verified);
    shop.service
        .send_test("cliente@example.com", Language::En, None)
        .await
        .expect("sent over implicit TLS");
    assert_eq!(server.smtp_messages().len(), 1);

    // STARTTLS against an implicit-TLS server: the greeting never comes; not a saved config.
    let other = Shop::open();
    let result = other
        .save_smtp(server.port, SmtpSecurity::Starttls, Some("pw-implicit"))
        .await;
    assert!(
        result.is_err()
            || result
                .as_ref()
                .is_ok_and(|v| v.status == VerificationStatus::Unverified)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ssl_tls_against_a_starttls_port_says_the_security_mode_is_wrong() {
    let server = FakeServer::smtp("starttls", SENDER, "pw");
    let shop = Shop::open();
    let failure = mail_failure(
        shop.save_smtp(server.port, SmtpSecurity::Tls, Some("pw"))
            .await,
    );
    assert_eq!(failure, MailFailure::WrongSecurityMode);
    assert!(shop.service.view().await.expect("view").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_server_is_saved_unverified_and_offline() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let shop = Shop::open();
    let view = shop
        .save_smtp(port, SmtpSecurity::Starttls, Some("pw-offline"))
        .await
        .expect("saved while offline");
    assert_eq!(view.status, VerificationStatus::Unverified);
    assert_eq!(view.status_reason, Some(MailFailure::Offline));
    assert_eq!(
        shop.secret(SecretSlot::SmtpPassword).as_deref(),
        Some("pw-offline")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_stalls_after_data_is_timed_out() {
    let server = FakeServer::smtp("starttls", SENDER, "pw");
    let shop = Shop::open();
    shop.save_smtp(server.port, SmtpSecurity::Starttls, Some("pw"))
        .await
        .expect("saved");
    let started = std::time::Instant::now();
    let failure = shop.test_email_refused("stall@example.com").await;
    assert_eq!(failure, MailFailure::Timeout);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the timeout bounds the send"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_recipient_is_reported_as_such() {
    let server = FakeServer::smtp("starttls", SENDER, "pw");
    let shop = Shop::open();
    shop.save_smtp(server.port, SmtpSecurity::Starttls, Some("pw"))
        .await
        .expect("saved");
    let failure = shop.test_email_refused("reject550@example.com").await;
    assert_eq!(failure, MailFailure::RecipientRejected);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_port_that_contradicts_the_security_mode_asks_first() {
    let shop = Shop::open();
    let result = shop
        .save_smtp(465, SmtpSecurity::Starttls, Some("pw"))
        .await;
    assert!(matches!(
        result,
        Err(EmailServiceError::Form(
            FormError::PortContradictsSecurity { port: 465, .. }
        ))
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn resend_full_access_key_checks_the_sender_domain() {
    let env = provider_env().await;
    let server = env.resend(&["--api-key", "re_full_5e1f", "--domain", "otro.com:pending"]);
    let shop = Shop::open();

    let view = shop.save_api(Provider::Resend, Some("re_full_5e1f")).await;
    assert_eq!(view.status, VerificationStatus::Verified);
    assert_eq!(
        shop.secret(SecretSlot::ResendApiKey).as_deref(),
        Some("re_full_5e1f")
    );

    let sent = shop
        .service
        .send_test("cliente@example.com", Language::Es, None)
        .await
        .expect("sent");
    let emails = server.control("GET", "emails", None);
    assert_eq!(emails.as_array().map(Vec::len), Some(1));
    assert_eq!(emails[0]["id"], sent.provider_message_id);
    let send = send_requests(&server, "/emails").remove(0);
    assert!(send["headers"]["user-agent"]
        .as_str()
        .unwrap_or_default()
        .starts_with("Cachicamo/"));
    assert_eq!(
        send["body"]["from"],
        format!("\"{SENDER_NAME}\" <{SENDER}>")
    );

    let mut pending = api_form(Provider::Resend, Some("re_full_5e1f"));
    pending.sender_address = "cobros@otro.com".into();
    let failure = shop.refused(pending).await;
    assert_eq!(failure, MailFailure::SenderNotVerified);
    let view = shop.service.view().await.expect("view").expect("kept");
    assert_eq!(
        view.sender_address, SENDER,
        "the verified configuration stays"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn resend_sending_only_key_is_valid_and_a_bad_key_is_refused() {
    let env = provider_env().await;
    let _server = env.resend(&["--restricted-key", "re_send_only_77"]);
    let shop = Shop::open();
    let failure = shop
        .refused(api_form(Provider::Resend, Some("re_wrong")))
        .await;
    assert_eq!(failure, MailFailure::AuthFailed);
    assert_eq!(shop.secret(SecretSlot::ResendApiKey), None);
    assert!(shop.service.view().await.expect("view").is_none());

    let view = shop
        .save_api(Provider::Resend, Some("re_send_only_77"))
        .await;
    assert_eq!(view.status, VerificationStatus::Verified);
    assert_eq!(view.key_access, Some(KeyAccess::SendingOnly));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_free_mail_sender_is_refused_for_resend_and_postmark_but_not_for_smtp() {
    let env = provider_env().await;
    let resend = env.resend(&[]);
    let postmark = env.postmark(&["--sender", "tienda@gmail.com"]);
    let shop = Shop::open();
    for provider in [Provider::Resend, Provider::Postmark] {
        let key = match provider {
            Provider::Resend => RESEND_KEY,
            _ => POSTMARK_TOKEN,
        };
        for sender in [
            "tienda@gmail.com",
            "Ventas@Hotmail.com",
            "cobros@icloud.com",
        ] {
            let mut form = api_form(provider, Some(key));
            form.sender_address = sender.into();
            match shop.service.save(form).await {
                Err(EmailServiceError::Form(FormError::Fields(fields))) => {
                    let [field] = fields.as_slice() else {
                        panic!("{fields:?}")
                    };
                    assert_eq!(
                        (field.field.as_str(), field.problem),
                        ("senderAddress", FieldProblem::FreeMailSender)
                    );
                    let domain = sender.rsplit('@').next().unwrap().to_lowercase();
                    assert_eq!(field.detail.as_deref(), Some(domain.as_str()));
                }
                other => panic!("{provider:?} {sender}: refused, not {other:?}"),
            }
        }
    }
    // Refused before anything was asked of the providers, and nothing was kept.
    for server in [&resend, &postmark] {
        let asked = server.control("GET", "requests", None);
        assert!(asked.as_array().expect("log").is_empty(), "{asked}");
    }
    assert!(shop.service.view().await.expect("view").is_none());
    assert_eq!(shop.secret(SecretSlot::ResendApiKey), None);

    // A shop's own domain is fine on Resend.
    let view = shop.save_api(Provider::Resend, Some(RESEND_KEY)).await;
    assert_eq!(view.key_access, Some(KeyAccess::Full));
}

#[tokio::test(flavor = "multi_thread")]
async fn postmark_token_is_checked_and_an_inactive_recipient_is_named() {
    let env = provider_env().await;
    let server = env.postmark(&["--inactive-recipient", "rebotado@example.com"]);
    let shop = Shop::open();
    let failure = shop
        .refused(api_form(Provider::Postmark, Some("bad-token")))
        .await;
    assert_eq!(failure, MailFailure::AuthFailed);

    let view = shop
        .save_api(Provider::Postmark, Some(POSTMARK_TOKEN))
        .await;
    assert_eq!(view.message_stream.as_deref(), Some("outbound"));
    shop.service
        .send_test("cliente@example.com", Language::Es, None)
        .await
        .expect("sent");
    let send = send_requests(&server, "/email").remove(0);
    assert_eq!(send["headers"]["accept"], "application/json");
    assert_eq!(send["body"]["MessageStream"], "outbound");

    let failure = shop.test_email_refused("rebotado@example.com").await;
    assert_eq!(failure, MailFailure::RecipientInactive);
}

#[tokio::test(flavor = "multi_thread")]
async fn switching_provider_and_removing_delete_the_old_secrets() {
    let env = provider_env().await;
    let _server = env.postmark(&[]);
    let smtp = FakeServer::smtp("starttls", SENDER, "smtp-pw");
    let shop = Shop::open();
    shop.save_smtp(smtp.port, SmtpSecurity::Starttls, Some("smtp-pw"))
        .await
        .expect("smtp saved");
    shop.save_api(Provider::Postmark, Some(POSTMARK_TOKEN))
        .await;
    assert_eq!(
        shop.secret(SecretSlot::SmtpPassword),
        None,
        "old secret deleted"
    );
    assert_eq!(
        shop.secret(SecretSlot::PostmarkServerToken).as_deref(),
        Some(POSTMARK_TOKEN)
    );

    // Editing without retyping the token keeps the saved one.
    let mut edit = api_form(Provider::Postmark, None);
    edit.sender_name = "Nuevo Nombre".into();
    let view = shop.service.save(edit).await.expect("edited");
    assert_eq!(view.sender_name.as_deref(), Some("Nuevo Nombre"));

    shop.service.remove().await.expect("removed");
    assert!(shop.service.view().await.expect("view").is_none());
    assert_eq!(shop.secret(SecretSlot::PostmarkServerToken), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn provider_urls_must_be_https_except_on_this_machine() {
    let env = provider_env().await;
    env.set("CACHICAMO_RESEND_API_URL", "http://192.0.2.10:8080");
    let shop = Shop::open();
    let failure = shop.refused(api_form(Provider::Resend, Some("re_x"))).await;
    assert_eq!(failure, MailFailure::InsecureEndpoint);
    assert_eq!(shop.secret(SecretSlot::ResendApiKey), None);
}
