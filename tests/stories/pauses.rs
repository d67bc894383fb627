//! Pausas de cobranza as the owner lives them: a customer promises to pay on Friday, so the
//! reminder already waiting is held and every list says so; another asks never to be contacted,
//! so theirs is cancelled; a customer without a pause is reminded as usual, which proves the
//! worker looked; and paying everything ends the promise, kept in the history. Real SMTP server,
//! real window.

use cachicamo_e2e::fakes::free_port;
use cachicamo_e2e::Window;

use crate::helpers::{
    configure_smtp, fresh_books, menu, open_customer, open_customers, open_receivable,
    record_cash_payment, reminder_shows, send_reminder, smtp_server_on, start_for_mail, Owed,
};

const PASSWORD: &str = "app-pass-pauses-8d2a";
const PENA: Owed = ("Peña & Hijos", "cobros@pena.com.ve", "F-0042", "1.500,50");
const ESQUINA: Owed = ("Bodega La Esquina", "pagos@esquina.com", "F-0043", "80");
const TRES: Owed = ("Ferretería Tres", "caja@tres.com.ve", "F-0044", "25");

/// Opens the receivable `owed` and sends its customer a reminder, confirmed.
async fn remind(window: &Window, (_, email, document, _): Owed<'_>) {
    open_receivable(window, document).await;
    send_reminder(window, email).await;
}

/// "Pausar cobranza" in the open receivable, for its whole customer: `kind`, until `until` (may
/// be empty), a note.
async fn pause_customer(window: &Window, kind: &str, until: &str, note: &str) {
    window.click("#pause-new").await;
    // In a receivable the form offers "Solo esta cuenta" first.
    window.click("#pause-only-this").await;
    window.select("#pause-kind", kind).await;
    if !until.is_empty() {
        window.fill("#pause-until", until).await;
    }
    window.fill("#pause-note", note).await;
    window.click("#pause-save").await;
    window
        .wait_for_text("#pauses-notice", "Pausa registrada.")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_promise_holds_the_waiting_reminder_no_contactar_cancels_one_and_paying_ends_it() {
    let data_dir = fresh_books(&[PENA, ESQUINA, TRES]);
    let port = free_port();
    let app = start_for_mail(data_dir, &[]);
    let window = app.open().await;
    let server = smtp_server_on(port, PASSWORD);
    configure_smtp(&window, port, PASSWORD).await;
    drop(server);

    // Offline: Peña's and La Esquina's reminders wait in the queue.
    remind(&window, ESQUINA).await;
    reminder_shows(&window, "queued", "Sin conexión").await;
    remind(&window, PENA).await;
    reminder_shows(&window, "queued", "Sin conexión").await;

    // Peña promises to pay within five days: the whole customer is paused.
    let promised = time::OffsetDateTime::now_utc().date() + time::Duration::days(5);
    let promised = format!(
        "{:02}/{:02}/{}",
        promised.day(),
        u8::from(promised.month()),
        promised.year()
    );
    pause_customer(&window, "promise", &promised, "Paga el viernes").await;
    let chip = format!("Promesa de pago hasta {promised}");
    window
        .wait_for_text_containing("#pauses-current", &chip)
        .await;
    reminder_shows(&window, "held", "Por revisar: cobranza en pausa").await;
    window
        .wait_for_text_containing("#receivable-title", &chip)
        .await;
    window.screenshot("es-pause-promise").await;

    // Every list says so.
    window.click(&menu("pending")).await;
    window
        .wait_for_text_containing("#pending-table", &chip)
        .await;
    open_customers(&window).await;
    window
        .wait_for_text_containing("#customers-table", &chip)
        .await;

    // La Esquina asks never to be contacted: their waiting reminder is cancelled.
    open_receivable(&window, ESQUINA.2).await;
    pause_customer(&window, "do_not_contact", "", "Lo pidió por teléfono").await;
    reminder_shows(
        &window,
        "cancelled",
        "Cancelado: el cliente está en «No contactar»",
    )
    .await;

    // Back online: Tres, who has no pause, is reminded; nobody else hears from the shop.
    let server = smtp_server_on(port, PASSWORD);
    remind(&window, TRES).await;
    reminder_shows(&window, "sent", "Enviado").await;
    let got = server.smtp_received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, TRES.1, "never a paused customer");

    // Peña pays everything: the promise was kept, and the history says so.
    open_receivable(&window, PENA.2).await;
    record_cash_payment(&window, "1.500,50").await;
    window
        .wait_for_text_containing("#receivable-detail", "Pagada")
        .await;
    open_customer(&window, PENA.0, "#pauses").await;
    window.wait_for("#pauses-none").await;
    window.click("#pauses-history summary").await;
    window
        .wait_for_text_containing("#pauses-history", "Terminó al quedar todo pagado")
        .await;
    assert_eq!(
        server.smtp_received().len(),
        1,
        "the paid customer is never reminded"
    );
    window.close().await;
}
