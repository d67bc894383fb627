//! What happened after Enviado, as the owner sees it: a reminder the recipient's server bounced
//! shows "Rebotó", the customer shows "No entregable" (so do its rows in Pagos Pendientes), and
//! the next reminder to that address is refused next to it, with "Enviar por WhatsApp" offered
//! as the way out; a delivered one shows "Entregado"; Postmark's 406 marks the address at
//! once. Fake Resend and Postmark scripted per recipient, real window, the app asking on a
//! shortened schedule.

use cachicamo_core::Database;
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
    // The branch has a phone: WhatsApp is its way out.
    Database::open(&data_dir.path().join("cachicamo.sqlite3"))
        .expect("database")
        .write(|tx| {
            tx.execute(
                "UPDATE customers SET phone = '0414-1234567' WHERE name = ?1",
                [PENA_SUCURSAL.0],
            )
        })
        .expect("phone");
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

    // Pagos Pendientes: both rows at that address say so, with why on hover; the other not.
    window.click("nav button[data-screen='pending']").await;
    let chip = window
        .wait_for("#pending-table tr [data-undeliverable='bounced']")
        .await;
    let why = chip.attr("title").await.expect("title").unwrap_or_default();
    assert!(why.contains(PENA.1) && why.contains("rebotó"), "{why}");
    let marked = |document: &str| {
        format!(
            "//table[@id='pending-table']//tr[.//a[normalize-space()='{document}']]\
             //*[@data-undeliverable]"
        )
    };
    for (document, expected) in [(PENA.2, true), (PENA_SUCURSAL.2, true), (ESQUINA.2, false)] {
        let found = window
            .client
            .find_all(fantoccini::Locator::XPath(&marked(document)))
            .await
            .expect("rows");
        assert_eq!(!found.is_empty(), expected, "{document}");
    }
    window.screenshot("es-pending-undeliverable").await;

    // Another customer at the same address: the detail says so beside the reminder button, its
    // reminder is refused, with why, before it is queued, and WhatsApp is offered instead.
    open_receivable(&window, PENA_SUCURSAL.2).await;
    window
        .wait_for_text_containing("#reminder-undeliverable", "No entregable")
        .await;
    window.click("#reminder-send").await;
    let refused = window
        .wait_for_text_containing("#reminder-recipient-refused", "no recibe correo")
        .await;
    assert!(refused.contains("WhatsApp"), "{refused}");
    assert!(
        !window.exists("#reminder-preview").await,
        "nothing to confirm"
    );
    window
        .wait_for_text("#reminder-whatsapp-button", "Enviar por WhatsApp")
        .await;
    window.screenshot("es-reminder-whatsapp-way-out").await;
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
    let account_token = "pm-e2e-account-51c3";
    let server = FakeServer::postmark(&[
        "--server-token",
        token,
        "--sender",
        "@ferreteria.com.ve",
        "--inactive-recipient",
        PENA.1,
        "--account-token",
        account_token,
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
    // Comprobar remitente: the server token cannot read the account's domains; the account
    // token typed for the check can, and the box is emptied once it was used.
    window.click("#email-sender-check").await;
    window
        .wait_for("#email-sender-check-result[data-kind='needs_account_token']")
        .await;
    window.fill("#email-account-token", account_token).await;
    window.click("#email-sender-check").await;
    window
        .wait_for_text_containing(
            "#email-sender-check-result[data-kind='postmark_sender']",
            "ferreteria.com.ve está verificado en Postmark",
        )
        .await;
    assert_eq!(window.value("#email-account-token").await, "");

    remind(&window, PENA).await;
    reminder_shows(&window, "failed", "Falló").await;
    open_customer(&window, PENA.0, "#customer-editor").await;
    window
        .wait_for_text_containing("#customer-undeliverable", "no envía a")
        .await;
    window.close().await;
}
