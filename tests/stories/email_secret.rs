//! A password goes only to the server it was typed for, told through the window: the owner edits
//! the SMTP server and leaves the password empty, and the form asks for it again instead of
//! handing the saved one to the new server; a database pointing elsewhere (as a restored copy
//! could) leaves the card saying the password must be typed again, and nothing is sent there
//! until it is. Two real SMTP servers that log every connection and AUTH, the real keychain.

use cachicamo_e2e::fakes::FakeServer;
use cachicamo_e2e::AppUnderTest;

use crate::helpers::{fill_smtp_server, forget_keychain_entries, open_email_card, test_ca, SENDER};

const PASSWORD: &str = "app-pass-e2e-2f9c";

#[tokio::test(flavor = "multi_thread")]
async fn the_password_is_typed_again_before_it_goes_to_another_server() {
    forget_keychain_entries();
    let first = FakeServer::smtp("starttls", SENDER, PASSWORD);
    // The second server would accept the same password: only its silence proves it never got it.
    let second = FakeServer::smtp("starttls", SENDER, PASSWORD);
    let app = AppUnderTest::start(&[("SSL_CERT_FILE", &test_ca())]);
    let window = app.open().await;
    open_email_card(&window).await;
    window.click("#email-configure").await;
    window.select("#email-provider", "smtp").await;
    fill_smtp_server(&window, first.port).await;
    window.fill("#smtp-password", PASSWORD).await;
    window.fill("#email-sender", SENDER).await;
    window.click("#email-save").await;
    window
        .wait_for_text("#email-indicator", &format!("Configurado: SMTP · {SENDER}"))
        .await;

    // Editar: another port, the password left empty.
    window.click("#email-edit").await;
    window
        .wait_for_text_containing("#smtp-password-hint", "Guardada en el llavero")
        .await;
    window.fill("#smtp-port", &second.port.to_string()).await;
    window
        .wait_for_text_containing("#smtp-password-hint", "escriba la contraseña de nuevo")
        .await;
    window.click("#email-save").await;
    window
        .wait_for_text_containing(
            "#smtp-password-error",
            &format!("se escribió para localhost:{}", first.port),
        )
        .await;
    window.screenshot("es-email-secret-retype").await;
    assert_eq!(
        window.value("#smtp-port").await,
        second.port.to_string(),
        "nothing typed is lost"
    );
    assert!(
        second.smtp_events().is_empty(),
        "the new server saw no connection: {:?}",
        second.smtp_events()
    );

    // Cancelled, the service is still the first server's, and the test email goes there only.
    window.click("#email-cancel").await;
    window.click("#email-send-test").await;
    window.fill("#test-to", "cliente@example.com").await;
    window.click("#test-send").await;
    window
        .wait_for_text_containing("#test-result", "Correo enviado a cliente@example.com")
        .await;
    assert_eq!(first.smtp_messages().len(), 1);
    assert!(
        second.smtp_events().is_empty(),
        "the test email went to the new server"
    );

    // The database now points at the second server, as a restored copy or a hand edit could.
    window.close().await;
    {
        let conn = rusqlite::Connection::open(app.data_path("cachicamo.sqlite3")).expect("db");
        conn.execute(
            "UPDATE email_service SET smtp_port = ?1 WHERE id = 1",
            [second.port],
        )
        .expect("row edited");
    }
    let window = app.open().await;
    open_email_card(&window).await;
    window
        .wait_for_text_containing(
            "#email-secret-problem",
            &format!("se escribió para localhost:{}", first.port),
        )
        .await;
    window
        .wait_for_text_containing("#email-secret-problem", "cambió: puerto")
        .await;
    window
        .wait_for_text(
            "#email-indicator",
            &format!("Falta escribir la contraseña: SMTP · {SENDER}"),
        )
        .await;
    window.screenshot("es-email-secret-other-server").await;
    window.click("#email-send-test").await;
    window.fill("#test-to", "cliente@example.com").await;
    window.click("#test-send").await;
    window
        .wait_for_text_containing(
            "#test-email-dialog [role='alert'] p",
            "No hay una contraseña o clave escrita",
        )
        .await;
    assert!(
        second.smtp_events().is_empty(),
        "nothing reached the server the row points at: {:?}",
        second.smtp_events()
    );

    // Typed again, it is the second server's from now on.
    window.click("#email-type-secret").await;
    window
        .wait_for_text_containing("#smtp-password-hint", "cambió: puerto")
        .await;
    window.fill("#smtp-password", PASSWORD).await;
    window.click("#email-save").await;
    window
        .wait_for_text("#email-indicator", &format!("Configurado: SMTP · {SENDER}"))
        .await;
    assert!(!window.exists("#email-secret-problem").await);
    assert_eq!(
        app.keychain_secret("smtp-password").as_deref(),
        Some(PASSWORD)
    );
    assert_eq!(
        app.keychain_binding("smtp-password"),
        Some(serde_json::json!({
            "provider": "smtp",
            "host": "localhost",
            "port": second.port,
            "username": SENDER,
            "security": "starttls",
        }))
    );
    window.close().await;
    app.assert_secret_absent(PASSWORD);
}
