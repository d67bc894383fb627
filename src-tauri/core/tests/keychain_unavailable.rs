//! Without any keychain, saving says so and stores nothing anywhere. A process of its own: the
//! keychain backend is chosen once per process.

use std::sync::Arc;

use cachicamo_core::mail::config::{EmailServiceForm, Provider, SmtpSecurity};
use cachicamo_core::mail::service::{EmailService, EmailServiceError};
use cachicamo_core::mail::Timeouts;
use cachicamo_core::secrets::{Keychain, SecretError, Sensitive};
use cachicamo_core::Database;
use cachicamo_e2e::fakes::{FakeServer, TestCa};

#[tokio::test(flavor = "multi_thread")]
async fn without_a_keychain_nothing_is_stored_and_the_reason_is_given() {
    // No session bus: as on a minimal Linux without a Secret Service.
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/cachicamo-test-bus",
    );
    TestCa::get().trust_in_this_process();
    let server = FakeServer::smtp("starttls", "ventas@tienda.com", "pw-no-keychain");
    let dir = tempfile::tempdir().expect("dir");
    let db_path = dir.path().join("cachicamo.sqlite3");
    let db = Arc::new(Database::open(&db_path).expect("db"));
    let keychain =
        Keychain::for_data_dir("cachicamo-test-nokeychain", dir.path()).expect("keychain");
    let service = EmailService::new(db, keychain, Timeouts::default());
    let form = EmailServiceForm {
        provider: Provider::Smtp,
        sender_address: "ventas@tienda.com".into(),
        sender_name: String::new(),
        reply_to: String::new(),
        api_key: None,
        message_stream: String::new(),
        smtp_host: "localhost".into(),
        smtp_port: Some(u32::from(server.port)),
        smtp_security: SmtpSecurity::Starttls,
        smtp_username: "ventas@tienda.com".into(),
        smtp_password: Some(Sensitive::new("pw-no-keychain".into())),
        accept_port_mismatch: false,
    };
    match service.save(form).await {
        Err(EmailServiceError::Secret(SecretError::Unavailable { .. })) => {}
        other => panic!("expected 'no keychain available', got {other:?}"),
    }
    assert!(service.view().await.is_err() || service.view().await.expect("view").is_none());
    let mut bytes = std::fs::read(&db_path).expect("db");
    bytes.extend(std::fs::read(format!("{}-wal", db_path.display())).unwrap_or_default());
    assert!(
        !bytes.windows(14).any(|w| w == b"pw-no-keychain"),
        "the secret must not fall back to SQLite"
    );
}
