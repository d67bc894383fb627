//! Integraciones → Servicio de Email against real servers: an SMTP server with STARTTLS or
//! implicit TLS and AUTH, Resend and Postmark fakes that enforce the documented API, the real OS
//! keychain (Secret Service in a D-Bus session) and a real SQLite file.
//!
//! Run inside `.ci/desktop-session` (the keychain needs a Secret Service).

use std::sync::Arc;
use std::time::Duration;

use cachicamo_core::locale::Language;
use cachicamo_core::mail::config::{EmailServiceForm, FormError, Provider, SmtpSecurity};
use cachicamo_core::mail::service::{EmailService, EmailServiceError};
use cachicamo_core::mail::store::VerificationStatus;
use cachicamo_core::mail::{MailFailure, Timeouts};
use cachicamo_core::secrets::{Keychain, SecretSlot, Sensitive};
use cachicamo_core::Database;
use cachicamo_e2e::fakes::{FakeServer, TestCa};
use mail_parser::{MessageParser, MimeHeaders};

const SENDER: &str = "ventas@ferreteria.com.ve";
const SENDER_NAME: &str = "Ferretería José Peña";

/// Provider URLs come from the environment, which is per process: tests that set them take
/// turns. (SMTP tests need no URL and run freely.)
async fn provider_env() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

/// One app's worth of state: a SQLite file and a keychain service of its own.
struct Shop {
    _dir: tempfile::TempDir,
    db_path: std::path::PathBuf,
    keychain: Keychain,
    service: EmailService,
}

impl Shop {
    fn open() -> Self {
        TestCa::get().trust_in_this_process();
        let dir = tempfile::tempdir().expect("dir");
        let db_path = dir.path().join("cachicamo.sqlite3");
        let db = Arc::new(Database::open(&db_path).expect("db"));
        let keychain =
            Keychain::for_data_dir(&format!("cachicamo-test-{}", uuid_like()), dir.path())
                .expect("keychain");
        let timeouts = Timeouts {
            connect: Duration::from_secs(3),
            request: Duration::from_secs(4),
            // The stalled-after-DATA cases wait this long, not RFC 5321's ten minutes.
            final_reply: Duration::from_secs(4),
        };
        let service = EmailService::new(db, keychain.clone(), timeouts);
        Self {
            _dir: dir,
            db_path,
            keychain,
            service,
        }
    }

    fn secret(&self, slot: SecretSlot) -> Option<String> {
        self.keychain
            .load::<serde_json::Value>(slot)
            .expect("keychain readable")
            .map(|entry| entry.secret.expose().clone())
    }

    /// Every byte SQLite wrote (database and WAL), to prove a secret is not among them.
    fn database_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        for suffix in ["", "-wal", "-shm"] {
            let path = format!("{}{suffix}", self.db_path.display());
            bytes.extend(std::fs::read(path).unwrap_or_default());
        }
        bytes
    }
}

impl Drop for Shop {
    fn drop(&mut self) {
        for slot in SecretSlot::ALL {
            let _ = self.keychain.delete(slot);
        }
    }
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_nanos()
    )
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

fn smtp_form(port: u16, security: SmtpSecurity, password: &str) -> EmailServiceForm {
    EmailServiceForm {
        provider: Provider::Smtp,
        sender_address: SENDER.into(),
        sender_name: SENDER_NAME.into(),
        reply_to: String::new(),
        api_key: None,
        message_stream: String::new(),
        smtp_host: "localhost".into(),
        smtp_port: Some(u32::from(port)),
        smtp_security: security,
        smtp_username: SENDER.into(),
        smtp_password: Some(Sensitive::new(password.into())),
        accept_port_mismatch: false,
    }
}

fn api_form(provider: Provider, key: &str) -> EmailServiceForm {
    EmailServiceForm {
        provider,
        api_key: Some(Sensitive::new(key.into())),
        smtp_password: None,
        ..smtp_form(1, SmtpSecurity::Starttls, "")
    }
}

fn mail_failure(result: Result<impl std::fmt::Debug, EmailServiceError>) -> MailFailure {
    match result {
        Err(EmailServiceError::Mail(err)) => err.failure,
        other => panic!("expected a provider failure, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_starttls_is_verified_saved_and_delivers_a_real_multipart_test_email() {
    let server = FakeServer::smtp("starttls", SENDER, "app-pass-1f7c");
    let shop = Shop::open();

    let view = shop
        .service
        .save(smtp_form(
            server.port,
            SmtpSecurity::Starttls,
            "app-pass-1f7c",
        ))
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
    let message = MessageParser::default()
        .parse(raw.as_bytes())
        .expect("valid MIME");
    assert!(message.date().is_some(), "Date header");
    assert_eq!(
        message.message_id().map(|id| format!("<{id}>")),
        Some(sent.provider_message_id.clone())
    );
    let from = message.from().and_then(|f| f.first()).expect("From");
    assert_eq!(from.name(), Some(SENDER_NAME));
    assert_eq!(from.address(), Some(SENDER));
    assert!(
        message.subject().unwrap_or_default().contains(SENDER_NAME),
        "accents intact in subject"
    );
    assert_eq!(
        message.content_type().map(|ct| (ct.ctype(), ct.subtype())),
        Some(("multipart", Some("alternative")))
    );
    assert!(message
        .body_text(0)
        .unwrap_or_default()
        .contains(SENDER_NAME));
    assert!(message
        .body_html(0)
        .unwrap_or_default()
        .contains("Ferretería José Peña"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_writes_nothing_and_keeps_the_previous_configuration() {
    let server = FakeServer::smtp("starttls", SENDER, "right-pass");
    let shop = Shop::open();
    shop.service
        .save(smtp_form(server.port, SmtpSecurity::Starttls, "right-pass"))
        .await
        .expect("first save");

    let mut wrong = smtp_form(server.port, SmtpSecurity::Starttls, "wrong-pass-93b1");
    wrong.sender_name = "Otro Nombre".into();
    let failure = mail_failure(shop.service.save(wrong).await);
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
        shop.service
            .save(smtp_form(server.port, SmtpSecurity::Starttls, "nope"))
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
        .service
        .save(smtp_form(server.port, SmtpSecurity::Tls, "pw-implicit"))
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
        .service
        .save(smtp_form(
            server.port,
            SmtpSecurity::Starttls,
            "pw-implicit",
        ))
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
        shop.service
            .save(smtp_form(server.port, SmtpSecurity::Tls, "pw"))
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
        .service
        .save(smtp_form(port, SmtpSecurity::Starttls, "pw-offline"))
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
    shop.service
        .save(smtp_form(server.port, SmtpSecurity::Starttls, "pw"))
        .await
        .expect("saved");
    let started = std::time::Instant::now();
    let failure = mail_failure(
        shop.service
            .send_test("stall@example.com", Language::Es, None)
            .await,
    );
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
    shop.service
        .save(smtp_form(server.port, SmtpSecurity::Starttls, "pw"))
        .await
        .expect("saved");
    let failure = mail_failure(
        shop.service
            .send_test("reject550@example.com", Language::Es, None)
            .await,
    );
    assert_eq!(failure, MailFailure::RecipientRejected);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_port_that_contradicts_the_security_mode_asks_first() {
    let shop = Shop::open();
    let result = shop
        .service
        .save(smtp_form(465, SmtpSecurity::Starttls, "pw"))
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
    let _env = provider_env().await;
    let server = FakeServer::resend(&[
        "--api-key",
        "re_full_5e1f",
        "--domain",
        "ferreteria.com.ve:verified",
        "--domain",
        "otro.com:pending",
    ]);
    std::env::set_var("CACHICAMO_RESEND_API_URL", server.base_url());
    let shop = Shop::open();

    let view = shop
        .service
        .save(api_form(Provider::Resend, "re_full_5e1f"))
        .await
        .expect("verified");
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
    let requests = server.control("GET", "requests", None);
    let send = requests
        .as_array()
        .and_then(|r| r.iter().find(|r| r["path"] == "/emails"))
        .expect("a send request");
    assert!(send["headers"]["user-agent"]
        .as_str()
        .unwrap_or_default()
        .starts_with("Cachicamo/"));
    assert_eq!(
        send["body"]["from"],
        format!("\"{SENDER_NAME}\" <{SENDER}>")
    );

    let mut pending = api_form(Provider::Resend, "re_full_5e1f");
    pending.sender_address = "cobros@otro.com".into();
    let failure = mail_failure(shop.service.save(pending).await);
    assert_eq!(failure, MailFailure::SenderNotVerified);
    let view = shop.service.view().await.expect("view").expect("kept");
    assert_eq!(
        view.sender_address, SENDER,
        "the verified configuration stays"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn resend_sending_only_key_is_valid_and_a_bad_key_is_refused() {
    let _env = provider_env().await;
    let server = FakeServer::resend(&[
        "--api-key",
        "re_full_x",
        "--restricted-key",
        "re_send_only_77",
        "--domain",
        "ferreteria.com.ve:verified",
    ]);
    std::env::set_var("CACHICAMO_RESEND_API_URL", server.base_url());
    let shop = Shop::open();
    let failure = mail_failure(
        shop.service
            .save(api_form(Provider::Resend, "re_wrong"))
            .await,
    );
    assert_eq!(failure, MailFailure::AuthFailed);
    assert_eq!(shop.secret(SecretSlot::ResendApiKey), None);
    assert!(shop.service.view().await.expect("view").is_none());

    let view = shop
        .service
        .save(api_form(Provider::Resend, "re_send_only_77"))
        .await
        .expect("a sending-only key is valid");
    assert_eq!(view.status, VerificationStatus::Verified);
}

#[tokio::test(flavor = "multi_thread")]
async fn postmark_token_is_checked_and_an_inactive_recipient_is_named() {
    let _env = provider_env().await;
    let server = FakeServer::postmark(&[
        "--server-token",
        "pm-token-2a9c",
        "--sender",
        SENDER,
        "--inactive-recipient",
        "rebotado@example.com",
    ]);
    std::env::set_var("CACHICAMO_POSTMARK_API_URL", server.base_url());
    let shop = Shop::open();
    let failure = mail_failure(
        shop.service
            .save(api_form(Provider::Postmark, "bad-token"))
            .await,
    );
    assert_eq!(failure, MailFailure::AuthFailed);

    let view = shop
        .service
        .save(api_form(Provider::Postmark, "pm-token-2a9c"))
        .await
        .expect("verified");
    assert_eq!(view.message_stream.as_deref(), Some("outbound"));
    shop.service
        .send_test("cliente@example.com", Language::Es, None)
        .await
        .expect("sent");
    let requests = server.control("GET", "requests", None);
    let send = requests
        .as_array()
        .and_then(|r| r.iter().find(|r| r["path"] == "/email"))
        .expect("a send request");
    assert_eq!(send["headers"]["accept"], "application/json");
    assert_eq!(send["body"]["MessageStream"], "outbound");

    let failure = mail_failure(
        shop.service
            .send_test("rebotado@example.com", Language::Es, None)
            .await,
    );
    assert_eq!(failure, MailFailure::RecipientInactive);
}

#[tokio::test(flavor = "multi_thread")]
async fn switching_provider_and_removing_delete_the_old_secrets() {
    let _env = provider_env().await;
    let server = FakeServer::postmark(&["--server-token", "pm-tok", "--sender", SENDER]);
    std::env::set_var("CACHICAMO_POSTMARK_API_URL", server.base_url());
    let smtp = FakeServer::smtp("starttls", SENDER, "smtp-pw");
    let shop = Shop::open();
    shop.service
        .save(smtp_form(smtp.port, SmtpSecurity::Starttls, "smtp-pw"))
        .await
        .expect("smtp saved");
    shop.service
        .save(api_form(Provider::Postmark, "pm-tok"))
        .await
        .expect("postmark saved");
    assert_eq!(
        shop.secret(SecretSlot::SmtpPassword),
        None,
        "old secret deleted"
    );
    assert_eq!(
        shop.secret(SecretSlot::PostmarkServerToken).as_deref(),
        Some("pm-tok")
    );

    // Editing without retyping the token keeps the saved one.
    let mut edit = api_form(Provider::Postmark, "");
    edit.api_key = None;
    edit.sender_name = "Nuevo Nombre".into();
    let view = shop.service.save(edit).await.expect("edited");
    assert_eq!(view.sender_name.as_deref(), Some("Nuevo Nombre"));

    shop.service.remove().await.expect("removed");
    assert!(shop.service.view().await.expect("view").is_none());
    assert_eq!(shop.secret(SecretSlot::PostmarkServerToken), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn provider_urls_must_be_https_except_on_this_machine() {
    let _env = provider_env().await;
    std::env::set_var("CACHICAMO_RESEND_API_URL", "http://192.0.2.10:8080");
    let shop = Shop::open();
    let failure = mail_failure(shop.service.save(api_form(Provider::Resend, "re_x")).await);
    assert_eq!(failure, MailFailure::InsecureEndpoint);
    assert_eq!(shop.secret(SecretSlot::ResendApiKey), None);
}
