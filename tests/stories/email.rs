//! Integraciones → Servicio de Email, as the seed tells it: configure each provider through the
//! window, see the green indicator, send a test email that really arrives, and remove it. Real
//! SMTP server, provider fakes that speak the documented APIs, the real keychain.

use cachicamo_e2e::fakes::FakeServer;
use cachicamo_e2e::mail::read_test_email;
use cachicamo_e2e::{AppUnderTest, Window};

use crate::helpers::{
    fill_sender, fill_smtp_server, forget_keychain_entries, menu, open_email_card, save_postmark,
    test_ca, SENDER, SENDER_NAME,
};

/// The card's indicator state: "verified" (green) or "unverified" (amber).
async fn indicator_status(window: &Window) -> String {
    window
        .wait_for("#email-indicator")
        .await
        .attr("data-status")
        .await
        .expect("data-status")
        .unwrap_or_default()
}

/// Sends the test email from the card to `to` and returns what the dialog said.
async fn send_test_email(window: &Window, to: &str) {
    window.click("#email-send-test").await;
    assert_eq!(
        window.value("#test-to").await,
        SENDER,
        "prefilled with the sender"
    );
    window.fill("#test-to", to).await;
    window.click("#test-send").await;
}

async fn remove_service(window: &Window) {
    window.click("#email-remove").await;
    window.click("#email-remove-yes").await;
    window.wait_for("#email-configure").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_is_configured_verified_tested_and_removed_through_the_window() {
    forget_keychain_entries();
    let password = "app-pass-e2e-7d1a";
    let server = FakeServer::smtp("starttls", SENDER, password);
    let app = AppUnderTest::start(&[("SSL_CERT_FILE", &test_ca())]);
    let window = app.open().await;
    open_email_card(&window).await;
    window.screenshot("es-integrations").await;

    window.click("#email-configure").await;
    window.select("#email-provider", "smtp").await;
    window.select("#smtp-preset", "gmail").await;
    assert_eq!(
        window.value("#smtp-host").await,
        "smtp.gmail.com",
        "the preset fills the server"
    );
    window.wait_for("#smtp-app-password-hint").await;
    window.select("#smtp-preset", "microsoft365").await;
    window
        .wait_for_text_containing("#smtp-microsoft-warning", "Microsoft está retirando")
        .await;

    // Bad input is answered next to its field, and nothing is lost.
    fill_smtp_server(&window, server.port).await;
    window.fill("#smtp-password", "wrong-password-e2e").await;
    window.fill("#email-sender", "ventas@").await;
    window.click("#email-save").await;
    window
        .wait_for_text_containing("#email-sender-error", "correo válido")
        .await;
    assert_eq!(window.value("#smtp-host").await, "localhost");

    // Wrong password: the provider's refusal in words, nothing saved.
    fill_sender(&window).await;
    window.click("#email-save").await;
    window
        .wait_for_text_containing("#email-form [role='alert'] p", "rechazó el usuario")
        .await;
    window.screenshot("es-email-wrong-password").await;
    assert_eq!(
        app.keychain_secret("smtp-password"),
        None,
        "nothing in the keychain"
    );
    assert!(!window.exists("#email-indicator").await);

    window.fill("#smtp-password", password).await;
    window.click("#email-save").await;
    window
        .wait_for_text("#email-indicator", &format!("Configurado: SMTP · {SENDER}"))
        .await;
    assert_eq!(indicator_status(&window).await, "verified");
    assert_eq!(
        app.keychain_secret("smtp-password").as_deref(),
        Some(password)
    );
    assert!(server.smtp_messages().is_empty(), "verifying sends nothing");
    window.screenshot("es-email-configured").await;

    send_test_email(&window, "cliente@example.com").await;
    window
        .wait_for_text_containing("#test-result", "Correo enviado a cliente@example.com")
        .await;
    window.screenshot("es-email-test-sent").await;
    let messages = server.smtp_messages();
    assert_eq!(messages.len(), 1, "exactly one message arrived");
    read_test_email(&messages[0].1);

    // A restart shows the same service, still green, without asking for the password.
    window.close().await;
    let window = app.open().await;
    open_email_card(&window).await;
    window
        .wait_for_text("#email-indicator", &format!("Configurado: SMTP · {SENDER}"))
        .await;

    remove_service(&window).await;
    window
        .wait_for_text("#email-configure", "Configurar servicio de email")
        .await;
    assert_eq!(
        app.keychain_secret("smtp-password"),
        None,
        "Quitar deletes the keychain entry"
    );
    window.close().await;
    app.assert_secret_absent(password);
    app.assert_secret_absent("wrong-password-e2e");
}

#[tokio::test(flavor = "multi_thread")]
async fn resend_is_configured_with_its_api_key_and_sends_the_test_email() {
    forget_keychain_entries();
    let key = "re_e2e_full_4b8d";
    let server = FakeServer::resend(&["--api-key", key, "--domain", "ferreteria.com.ve:verified"]);
    let app = AppUnderTest::start(&[("CACHICAMO_RESEND_API_URL", &server.base_url())]);
    let window = app.open().await;
    open_email_card(&window).await;
    window.click("#email-configure").await;
    window.select("#email-provider", "resend").await;
    window.fill("#email-api-key", "re_wrong_key_e2e").await;
    fill_sender(&window).await;
    window.click("#email-save").await;
    window
        .wait_for_text_containing("#email-form [role='alert'] p", "rechazó")
        .await;
    assert_eq!(app.keychain_secret("resend-api-key"), None);

    window.fill("#email-api-key", key).await;
    window.click("#email-save").await;
    window
        .wait_for_text(
            "#email-indicator",
            &format!("Configurado: Resend · {SENDER}"),
        )
        .await;
    assert_eq!(app.keychain_secret("resend-api-key").as_deref(), Some(key));

    send_test_email(&window, "delivered@resend.dev").await;
    window
        .wait_for_text_containing("#test-result", "delivered@resend.dev")
        .await;
    let emails = server.control("GET", "emails", None);
    let emails = emails.as_array().expect("emails");
    assert_eq!(emails.len(), 1);
    assert_eq!(
        emails[0]["payload"]["from"],
        format!("\"{SENDER_NAME}\" <{SENDER}>")
    );
    let id = emails[0]["id"].as_str().expect("id");
    window.wait_for_text_containing("#test-result", id).await;

    remove_service(&window).await;
    assert_eq!(app.keychain_secret("resend-api-key"), None);
    window.close().await;
    app.assert_secret_absent(key);
}

#[tokio::test(flavor = "multi_thread")]
async fn postmark_is_configured_and_an_inactive_recipient_is_explained() {
    forget_keychain_entries();
    let token = "pm-e2e-token-93c2";
    let server = FakeServer::postmark(&[
        "--server-token",
        token,
        "--sender",
        SENDER,
        "--inactive-recipient",
        "rebotado@example.com",
    ]);
    let app = AppUnderTest::start(&[
        ("CACHICAMO_POSTMARK_API_URL", &server.base_url()),
        ("LANG", "en_US.UTF-8"),
    ]);
    let window = app.open().await;
    window.click(&menu("integrations")).await;
    window
        .wait_for_text("#email-card-title", "Email Service")
        .await;
    save_postmark(&window, token).await;
    window
        .wait_for_text(
            "#email-indicator",
            &format!("Configured: Postmark · {SENDER}"),
        )
        .await;
    window.screenshot("en-email-configured").await;
    assert_eq!(
        app.keychain_secret("postmark-server-token").as_deref(),
        Some(token)
    );

    send_test_email(&window, "rebotado@example.com").await;
    window
        .wait_for_text_containing("#test-email-dialog [role='alert'] p", "inactive")
        .await;
    window.fill("#test-to", "cliente@example.com").await;
    window.click("#test-send").await;
    window
        .wait_for_text_containing("#test-result", "Email sent to cliente@example.com")
        .await;
    let requests = server.control("GET", "requests", None);
    assert!(requests
        .as_array()
        .expect("requests")
        .iter()
        .any(|r| r["path"] == "/email" && r["headers"]["accept"] == "application/json"));

    remove_service(&window).await;
    window.close().await;
    app.assert_secret_absent(token);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_server_is_saved_but_shown_amber_as_unverified() {
    forget_keychain_entries();
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a port")
        .port();
    let app = AppUnderTest::start(&[("CACHICAMO_MAIL_CONNECT_TIMEOUT_SECS", "2")]);
    let window = app.open().await;
    open_email_card(&window).await;
    window.click("#email-configure").await;
    window.select("#email-provider", "smtp").await;
    fill_smtp_server(&window, closed_port).await;
    window.fill("#smtp-password", "offline-pass-e2e").await;
    fill_sender(&window).await;
    window.click("#email-save").await;
    window
        .wait_for_text(
            "#email-indicator",
            &format!("Sin verificar: SMTP · {SENDER}"),
        )
        .await;
    assert_eq!(indicator_status(&window).await, "unverified");
    window
        .wait_for_text_containing("#email-unverified-why", "No hay conexión")
        .await;
    window.screenshot("es-email-unverified").await;
    assert_eq!(
        app.keychain_secret("smtp-password").as_deref(),
        Some("offline-pass-e2e")
    );
    remove_service(&window).await;
    window.close().await;
    app.assert_secret_absent("offline-pass-e2e");
}
