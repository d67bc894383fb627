//! What happened after Enviado, as the owner sees it: a reminder the recipient's server bounced
//! shows "Rebotó", the customer shows "No entregable", and the next reminder to that address is
//! refused next to it; a delivered one shows "Entregado"; Postmark's 406 marks the address at
//! once. Fake Resend and Postmark scripted per recipient, real window, the app asking on a
//! shortened schedule.

use cachicamo_e2e::fakes::FakeServer;
use cachicamo_e2e::Window;
use serde_json::json;

use crate::helpers::{
    configure_resend, fresh_books, open_customer, open_receivable, reminder_shows, save_postmark,
    send_reminder, start_for_mail, Owed,
};

const PENA: Owed = ("Peña & Hijos", "cobros@pena.com.ve", "F-0042", "1.500,50");
/// Another customer at the same address: the address is what does not receive mail.
const PENA_SUCURSAL: Owed = ("Peña Sucursal", "cobros@pena.com.ve", "F-0044", "300");
const ESQUINA: Owed = ("Bodega La Esquina", "pagos@esquina.com", "F-0043", "80");
const FAST_POLLS: (&str, &str) = ("CACHICAMO_DELIVERY_FIRST_POLL_SECS", "0.5");

async fn remind(window: &Window, (_, email, document, _): Owed<'_>) {
    open_receivable(window, document).await;
    send_reminder(window, email).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bounced_reminder_shows_rebotó_the_address_is_no_entregable_and_the_next_is_refused() {
    let key = "re_e2e_delivery_51c3";
    let server = FakeServer::resend(&["--api-key", key, "--domain", "ferreteria.com.ve:verified"]);
    server.control(
        "POST",
        "delivery",
        Some(json!({"to": PENA.1, "events": [{"event": "bounced"}]})),
    );
    server.control(
        "POST",
        "delivery",
        Some(json!({"to": ESQUINA.1, "events": [{"event": "delivered"}]})),
    );
    let data_dir = fresh_books(&[PENA, ESQUINA, PENA_SUCURSAL]);
    let app = start_for_mail(
        data_dir,
        &[
            ("CACHICAMO_RESEND_API_URL", server.base_url()),
            (FAST_POLLS.0, FAST_POLLS.1.to_owned()),
        ],
    );
    let window = app.open().await;
    configure_resend(&window, key).await;
    window
        .wait_for_text_containing("#email-key-access", "acceso completo")
        .await;

    remind(&window, ESQUINA).await;
    reminder_shows(&window, "sent", "Entregado").await;

    remind(&window, PENA).await;
    let row = reminder_shows(&window, "sent", "Rebotó").await;
    assert!(row.contains("lo rechazó de forma definitiva"), "{row}");
    window.screenshot("es-reminder-bounced").await;

    open_customer(&window, PENA.0, "#customer-editor").await;
    let status = window
        .wait_for_text_containing("#customer-undeliverable", "No entregable")
        .await;
    assert!(status.contains(PENA.1), "{status}");
    window.screenshot("es-customer-undeliverable").await;

    // Another customer at the same address: its reminder is refused, with why, before it is
    // queued.
    open_receivable(&window, PENA_SUCURSAL.2).await;
    window.click("#reminder-send").await;
    let refused = window
        .wait_for_text_containing("#reminder-recipient-refused", "no recibe correo")
        .await;
    assert!(refused.contains("WhatsApp"), "{refused}");
    assert!(
        !window.exists("#reminder-preview").await,
        "nothing to confirm"
    );
    let emails = server.control("GET", "emails", None);
    assert_eq!(
        emails.as_array().expect("emails").len(),
        2,
        "only the first two"
    );
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_postmark_406_marks_the_address_no_entregable_at_once() {
    let token = "pm-e2e-delivery-7d20";
    let server = FakeServer::postmark(&[
        "--server-token",
        token,
        "--sender",
        "@ferreteria.com.ve",
        "--inactive-recipient",
        PENA.1,
    ]);
    let data_dir = fresh_books(&[PENA]);
    let app = start_for_mail(
        data_dir,
        &[("CACHICAMO_POSTMARK_API_URL", server.base_url())],
    );
    let window = app.open().await;
    window.click("nav button[data-screen='integrations']").await;
    save_postmark(&window, token).await;
    window
        .wait_for_text_containing("#email-indicator", "Postmark")
        .await;

    remind(&window, PENA).await;
    reminder_shows(&window, "failed", "Falló").await;
    open_customer(&window, PENA.0, "#customer-editor").await;
    window
        .wait_for_text_containing("#customer-undeliverable", "no envía a")
        .await;
    window.close().await;
}
