//! A secret goes only where it was typed for, and each data directory keeps its own.
//!
//! Real SMTP servers (each logging every connection and AUTH attempt), a real SQLite file whose
//! `email_service` row is edited behind the app's back as a restore or a hand edit would, and the
//! real OS keychain (`.ci/desktop-session`). The second server always accepts the same password,
//! so a secret that went there would be accepted: only its absence proves nothing was sent.

mod common;

use cachicamo_core::locale::Language;
use cachicamo_core::mail::config::{FieldProblem, FormError, SmtpSecurity};
use cachicamo_core::mail::destination::{DestinationPart, SecretProblem};
use cachicamo_core::mail::service::{EmailService, EmailServiceError};
use cachicamo_core::mail::store::StoreError;
use cachicamo_core::outbox::{OutboxState, WaitReason};
use cachicamo_core::secrets::SecretSlot;
use cachicamo_e2e::fakes::FakeServer;
use common::{smtp_form, unique_service, Shop, LONG, SENDER, TIMEOUTS};
use serde_json::json;

const PASSWORD: &str = "app-pass-5b2e";

fn field_problems(
    result: Result<impl std::fmt::Debug, EmailServiceError>,
) -> Vec<(String, FieldProblem, Option<String>)> {
    match result {
        Err(EmailServiceError::Form(FormError::Fields(fields))) => fields
            .into_iter()
            .map(|f| (f.field, f.problem, f.detail))
            .collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

/// Points the saved row elsewhere, as a restored file or a hand edit would.
fn edit_row(shop: &Shop, sql: &str, params: impl rusqlite::Params) {
    let conn = rusqlite::Connection::open(shop.db_path()).expect("open the file");
    conn.execute(sql, params).expect("row edited");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edited_host_with_an_empty_password_connects_nowhere_until_it_is_typed() {
    let first = FakeServer::smtp("starttls", SENDER, PASSWORD);
    let second = FakeServer::smtp("starttls", SENDER, PASSWORD);
    let shop = Shop::open();
    shop.save_smtp(first.port, SmtpSecurity::Starttls, Some(PASSWORD))
        .await
        .expect("saved for the first server");

    let moved = smtp_form(second.port, SmtpSecurity::Starttls, None);
    assert_eq!(
        field_problems(shop.service.save(moved).await),
        vec![(
            "smtpPassword".to_owned(),
            FieldProblem::SecretForOtherDestination,
            Some(format!("localhost:{}", first.port))
        )]
    );
    assert_eq!(
        second.smtp_events(),
        Vec::<serde_json::Value>::new(),
        "no connection, no AUTH"
    );
    let view = shop.service.view().await.expect("view").expect("kept");
    assert_eq!(
        view.smtp.map(|s| s.port),
        Some(first.port),
        "nothing changed"
    );
    assert!(view.secret_saved);

    // The same with only the user or the security changed: still another destination.
    let mut other_user = smtp_form(first.port, SmtpSecurity::Starttls, None);
    other_user.smtp_username = "otro@ferreteria.com.ve".into();
    assert_eq!(
        field_problems(shop.service.save(other_user).await)[0].1,
        FieldProblem::SecretForOtherDestination
    );

    // Typed again, it goes to the new server, and from then on only there.
    shop.save_smtp(second.port, SmtpSecurity::Starttls, Some(PASSWORD))
        .await
        .expect("saved for the second server");
    assert!(second
        .smtp_events()
        .contains(&json!({"event": "auth", "user": SENDER, "ok": true})));
    shop.service
        .send_test("cliente@example.com", Language::Es, None)
        .await
        .expect("sent");
    assert_eq!(second.smtp_messages().len(), 1);
    assert!(first.smtp_messages().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_row_pointing_at_a_second_server_without_tls_connects_nowhere_and_sends_wait() {
    let first = FakeServer::smtp("starttls", SENDER, PASSWORD);
    let second = FakeServer::smtp("none", SENDER, PASSWORD);
    let shop = Shop::open();
    shop.save_smtp(first.port, SmtpSecurity::Starttls, Some(PASSWORD))
        .await
        .expect("saved");
    edit_row(
        &shop,
        "UPDATE email_service SET smtp_port = ?1, smtp_security = 'none' WHERE id = 1",
        [second.port],
    );

    let view = shop
        .service
        .view()
        .await
        .expect("view")
        .expect("configured");
    assert!(!view.secret_saved);
    assert_eq!(
        view.secret_problem,
        Some(SecretProblem::OtherDestination {
            typed: format!("localhost:{}", first.port),
            changed: vec![DestinationPart::Port, DestinationPart::Security],
        })
    );
    assert!(matches!(
        shop.service
            .send_test("cliente@example.com", Language::Es, None)
            .await,
        Err(EmailServiceError::SecretMissing)
    ));
    assert!(matches!(
        shop.service.mailer().await,
        Err(EmailServiceError::SecretMissing)
    ));

    // A reminder waiting in the outbox waits for the secret; it does not go there either.
    let id = shop.queue(None, "cliente@example.com", "Recordatorio");
    let worker = shop.start_with(std::sync::Arc::new(cachicamo_core::reminders::ReminderGate));
    let entry = shop
        .wait_for(id, LONG, "waiting for its secret", |e| {
            e.reason == Some(WaitReason::SecretMissing)
        })
        .await;
    worker.stop().await.expect("stopped");
    assert_eq!(entry.state, OutboxState::Queued, "{entry:#?}");

    assert_eq!(
        second.smtp_events(),
        Vec::<serde_json::Value>::new(),
        "no connection, no AUTH"
    );
    assert!(second.smtp_messages().is_empty());
    assert!(first.smtp_messages().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_row_without_encryption_to_another_machine_is_not_used_at_all() {
    let server = FakeServer::smtp("starttls", SENDER, PASSWORD);
    let shop = Shop::open();
    shop.save_smtp(server.port, SmtpSecurity::Starttls, Some(PASSWORD))
        .await
        .expect("saved");
    // `.test` never resolves: were the row used, the failure would be "offline", not this.
    edit_row(
        &shop,
        "UPDATE email_service SET smtp_host = 'mail.tienda.test', smtp_port = 25,
             smtp_security = 'none' WHERE id = 1",
        [],
    );
    let invalid = |result: Result<_, EmailServiceError>| match result {
        Err(EmailServiceError::Corrupt(StoreError::Invalid(FormError::Fields(fields)))) => fields
            .into_iter()
            .map(|f| (f.field, f.problem))
            .collect::<Vec<_>>(),
        other => panic!(
            "expected an invalid configuration, got {:?}",
            other.map(|_| ())
        ),
    };
    let expected = vec![("smtpSecurity".to_owned(), FieldProblem::NeedsEncryption)];
    assert_eq!(invalid(shop.service.view().await.map(|_| ())), expected);
    assert_eq!(
        invalid(
            shop.service
                .send_test("cliente@example.com", Language::Es, None)
                .await
                .map(|_| ())
        ),
        expected
    );
    assert_eq!(invalid(shop.service.mailer().await.map(|_| ())), expected);

    // The form refuses the same configuration while it is typed.
    let mut typed = smtp_form(25, SmtpSecurity::None, Some(PASSWORD));
    typed.smtp_host = "mail.tienda.test".into();
    assert_eq!(
        field_problems(shop.service.save(typed).await),
        vec![(
            "smtpSecurity".to_owned(),
            FieldProblem::NeedsEncryption,
            None
        )]
    );
    // Setting the service up again replaces the invalid row.
    shop.save_smtp(server.port, SmtpSecurity::Starttls, Some(PASSWORD))
        .await
        .expect("set up again");
    assert!(shop.service.view().await.expect("valid again").is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn two_data_directories_keep_their_own_keychain_entries() {
    let service = unique_service();
    let first_server = FakeServer::smtp("starttls", SENDER, "pw-first-dir");
    let second_server = FakeServer::smtp("starttls", SENDER, "pw-second-dir");
    let first = Shop::open_in(tempfile::tempdir().expect("dir"), &service);
    let second = Shop::open_in(tempfile::tempdir().expect("dir"), &service);
    assert_ne!(
        first.keychain.account(SecretSlot::SmtpPassword),
        second.keychain.account(SecretSlot::SmtpPassword)
    );

    first
        .save_smtp(
            first_server.port,
            SmtpSecurity::Starttls,
            Some("pw-first-dir"),
        )
        .await
        .expect("first saved");
    assert!(
        second.service.view().await.expect("view").is_none(),
        "the second directory has no service"
    );
    assert_eq!(
        second.secret(SecretSlot::SmtpPassword),
        None,
        "nor the first one's secret"
    );
    second
        .save_smtp(
            second_server.port,
            SmtpSecurity::Starttls,
            Some("pw-second-dir"),
        )
        .await
        .expect("second saved");
    assert_eq!(
        first.secret(SecretSlot::SmtpPassword).as_deref(),
        Some("pw-first-dir")
    );
    assert_eq!(
        second.secret(SecretSlot::SmtpPassword).as_deref(),
        Some("pw-second-dir")
    );

    second.service.remove().await.expect("second removed");
    assert_eq!(second.secret(SecretSlot::SmtpPassword), None);
    assert_eq!(
        first.secret(SecretSlot::SmtpPassword).as_deref(),
        Some("pw-first-dir"),
        "Quitar in one directory leaves the other's secret alone"
    );
    first
        .service
        .send_test("cliente@example.com", Language::Es, None)
        .await
        .expect("the first still sends");
    assert_eq!(first_server.smtp_messages().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_entry_from_before_is_adopted_once_by_the_first_directory_that_finds_it() {
    let service = unique_service();
    let server = FakeServer::smtp("starttls", SENDER, "pw-from-before");
    let first = Shop::open_in(tempfile::tempdir().expect("dir"), &service);
    // The first directory was set up by an earlier version: its row, and a bare-named entry.
    first
        .save_smtp(server.port, SmtpSecurity::Starttls, Some("pw-from-before"))
        .await
        .expect("saved");
    first
        .keychain
        .delete(SecretSlot::SmtpPassword)
        .expect("deleted");
    cachicamo_e2e::keychain::store(&service, "smtp-password", "pw-from-before\n");

    // The app starts again on the first directory (adoption runs once per start).
    let restarted = EmailService::new(first.db.clone(), first.keychain.clone(), TIMEOUTS);
    let second = Shop::open_in(tempfile::tempdir().expect("dir"), &service);
    let view = restarted.view().await.expect("view").expect("configured");
    assert!(
        view.secret_saved,
        "adopted and bound to the saved configuration: {view:?}"
    );
    assert_eq!(
        cachicamo_e2e::keychain::lookup(&service, "smtp-password"),
        None,
        "removed"
    );
    assert_eq!(
        first.secret(SecretSlot::SmtpPassword).as_deref(),
        Some("pw-from-before")
    );
    restarted
        .send_test("cliente@example.com", Language::Es, None)
        .await
        .expect("sent with the adopted password");
    assert_eq!(server.smtp_messages().len(), 1);

    // Adopted once: the second directory does not get it too.
    second
        .save_smtp(server.port, SmtpSecurity::Starttls, None)
        .await
        .expect_err("nothing to keep in the second directory");
    assert_eq!(second.secret(SecretSlot::SmtpPassword), None);
}
