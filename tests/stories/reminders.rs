//! The seed's reminder: from the detail of a Pendiente receivable, "Enviar recordatorio de
//! pago por email" to the customer's registered address or to another one — previewed, queued,
//! sent by the outbox through a real SMTP server, and delivered exactly once even when the
//! server was down at first.

use cachicamo_e2e::fakes::{free_port, FakeServer};
use cachicamo_e2e::{eventually, UI_TIMEOUT};
use mail_parser::MessageParser;

use crate::helpers::{
    configure_smtp, fresh_books, menu, open_receivable, reminder_shows, send_reminder,
    smtp_server_on, start_for_mail, Owed, SENDER,
};

const PASSWORD: &str = "app-pass-reminders-31c9";
const CUSTOMER: &str = "<b>Peña & Hijos</b>";

/// A customer (named to tempt an HTML injection) owing USD 1.500,50 since 15/01/2026.
const PENA: Owed = (CUSTOMER, "cobros@penahijos.com.ve", "F-0042", "1.500,50");

#[tokio::test(flavor = "multi_thread")]
async fn a_reminder_reaches_the_customer_escaped_and_another_address_on_request() {
    let server = FakeServer::smtp("starttls", SENDER, PASSWORD);
    let data_dir = fresh_books(&[PENA]);
    let app = start_for_mail(data_dir, &[]);
    let window = app.open().await;
    configure_smtp(&window, server.port, PASSWORD).await;
    open_receivable(&window, "F-0042").await;
    window
        .wait_for_text("#reminder-recipient", "cobros@penahijos.com.ve")
        .await;

    // The exact message is shown before anything is queued.
    window.click("#reminder-send").await;
    window
        .wait_for_text("#reminder-preview-to", "cobros@penahijos.com.ve")
        .await;
    window
        .wait_for_text_containing("#reminder-preview-text", "USD 1.500,50")
        .await;
    window.screenshot("es-reminder-preview").await;
    assert!(
        server.smtp_messages().is_empty(),
        "nothing goes out before confirming"
    );
    window.click("#reminder-confirm").await;
    reminder_shows(&window, "sent", "Enviado").await;
    window.screenshot("es-reminder-sent").await;

    let messages = server.smtp_messages();
    assert_eq!(messages.len(), 1, "exactly one message");
    let (envelope, raw) = &messages[0];
    assert_eq!(envelope["rcpt_tos"][0], "cobros@penahijos.com.ve");
    let parsed = MessageParser::default()
        .parse(raw.as_bytes())
        .expect("mime");
    let text = parsed.body_text(0).expect("text part").into_owned();
    let html = parsed.body_html(0).expect("html part").into_owned();
    assert!(
        text.contains(CUSTOMER),
        "the text part says the name as it is"
    );
    assert!(
        text.contains("USD 1.500,50") && text.contains("15/01/2026"),
        "{text}"
    );
    assert!(
        html.contains("&lt;b&gt;Peña &amp; Hijos&lt;/b&gt;") && !html.contains(CUSTOMER),
        "the name arrives as text, not markup: {html}"
    );

    // The pencil: this reminder goes elsewhere, and the customer's address stays.
    window.click("#reminder-change-recipient").await;
    window
        .fill("#reminder-to", "administracion@penahijos.com.ve")
        .await;
    send_reminder(&window, "administracion@penahijos.com.ve").await;
    eventually(UI_TIMEOUT, "the second reminder", async || {
        let recipients = server.smtp_recipients();
        if recipients.len() < 2 {
            Err(recipients)
        } else {
            Ok(())
        }
    })
    .await;
    assert_eq!(
        server.smtp_recipients()[1],
        "administracion@penahijos.com.ve"
    );
    window
        .wait_for_text("#reminder-recipient", "cobros@penahijos.com.ve")
        .await;

    // Pagos Pendientes shows the last reminder; the Bandeja de salida lists both.
    window.click("#receivable-back").await;
    window
        .wait_for_text_containing("#pending-table tbody tr .last-reminder", "Enviado")
        .await;
    window.click(&menu("outbox")).await;
    window
        .wait_for_text_containing("#outbox-table", "administracion@penahijos.com.ve")
        .await;
    window.screenshot("es-outbox").await;
    app.assert_secret_absent(PASSWORD);
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_the_reminder_waits_in_the_queue_and_goes_once_when_the_server_is_back() {
    let port = free_port();
    let server = smtp_server_on(port, PASSWORD);
    let data_dir = fresh_books(&[
        PENA,
        ("Bodega La Esquina", "pagos@esquina.com", "F-0043", "80"),
    ]);
    let app = start_for_mail(data_dir, &[]);
    let window = app.open().await;
    configure_smtp(&window, port, PASSWORD).await;
    drop(server);

    open_receivable(&window, "F-0042").await;
    send_reminder(&window, "cobros@penahijos.com.ve").await;
    reminder_shows(&window, "queued", "Sin conexión").await;
    window.screenshot("es-reminder-offline").await;

    let back = smtp_server_on(port, PASSWORD);
    reminder_shows(&window, "sent", "Enviado").await;
    // Another customer's reminder goes out after it: the worker has looked at the queue since,
    // and the first was not in it again.
    open_receivable(&window, "F-0043").await;
    send_reminder(&window, "pagos@esquina.com").await;
    reminder_shows(&window, "sent", "Enviado").await;
    assert_eq!(
        back.smtp_recipients(),
        ["cobros@penahijos.com.ve", "pagos@esquina.com"],
        "delivered exactly once"
    );
    window.close().await;
}
