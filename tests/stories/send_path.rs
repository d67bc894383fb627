//! The send path keeps the shop's promises, told as the owner lives them: a reminder queued
//! offline never reaches a customer who paid meanwhile, and says a smaller balance when they paid
//! part; a restored copy sends nothing until the owner says so; two shops sharing one Resend
//! account never step on each other's keys. Real SMTP server, fake Resend, real window.

use std::path::PathBuf;

use cachicamo_e2e::fakes::{free_port, FakeServer};
use cachicamo_e2e::{app_binary, eventually, wait_for_exit, AppUnderTest, Window, UI_TIMEOUT};

use crate::helpers::{
    configure_resend, configure_smtp, forget_keychain_entries, fresh_books, menu, open_backups,
    open_receivable, pick_file, record_cash_payment, reminder_shows, send_reminder, smtp_server_on,
    start_for_mail, Desktop, Owed, SENDER,
};

const PASSWORD: &str = "app-pass-send-path-5e1f";
const PENA: Owed = ("Peña & Hijos", "cobros@pena.com.ve", "F-0042", "1.500,50");
const ESQUINA: Owed = ("Bodega La Esquina", "pagos@esquina.com", "F-0043", "80");

/// The shop with `owed` on its books configures SMTP while the server is up, then loses it,
/// and reminds Peña: the reminder waits in the queue. `env` adds to the app's environment;
/// the server comes back on the port returned.
async fn reminded_offline(
    owed: &[Owed<'_>],
    env: &[(&'static str, String)],
) -> (AppUnderTest, Window, u16) {
    let data_dir = fresh_books(owed);
    let port = free_port();
    let app = start_for_mail(data_dir, env);
    let window = app.open().await;
    let server = smtp_server_on(port, PASSWORD);
    configure_smtp(&window, port, PASSWORD).await;
    drop(server);
    remind(&window, PENA).await;
    reminder_shows(&window, "queued", "Sin conexión").await;
    (app, window, port)
}

/// Opens the receivable `owed` and sends its customer a reminder, confirmed.
async fn remind(window: &Window, (_, email, document, _): Owed<'_>) {
    open_receivable(window, document).await;
    send_reminder(window, email).await;
}

async fn sent(window: &Window) {
    reminder_shows(window, "sent", "Enviado").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reminder_queued_offline_never_reaches_a_customer_who_then_paid_in_full() {
    let (_app, window, port) = reminded_offline(&[PENA, ESQUINA], &[]).await;

    // The customer pays everything at the counter before the connection comes back.
    record_cash_payment(&window, "1.500,50").await;
    reminder_shows(&window, "cancelled", "Cancelado: la cuenta ya está pagada").await;
    window.screenshot("es-reminder-cancelled-paid").await;

    // Back online. Another customer's reminder goes out: the worker has looked at the queue
    // since, and the paid customer's reminder was not in it.
    let server = smtp_server_on(port, PASSWORD);
    remind(&window, ESQUINA).await;
    sent(&window).await;
    let got = server.smtp_received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, ESQUINA.1, "never the customer who paid");
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_partial_payment_while_queued_is_what_the_reminder_says_when_it_leaves() {
    let (_app, window, port) = reminded_offline(&[PENA], &[]).await;

    record_cash_payment(&window, "500,50").await;
    window
        .wait_for_text("#receivable-balance", "USD 1.000,00")
        .await;
    let server = smtp_server_on(port, PASSWORD);
    sent(&window).await;
    let got = server.smtp_received();
    assert_eq!(got.len(), 1, "exactly one copy");
    assert!(
        got[0].1.contains("saldo pendiente de USD 1.000,00"),
        "the balance as it is now, never the old one: {}",
        got[0].1
    );
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restored_copy_sends_nothing_until_the_owner_sends_what_it_brought_back() {
    let desktop = Desktop::new();
    let (_app, window, port) = reminded_offline(&[PENA, ESQUINA], &[desktop.env()]).await;

    // A copy taken while the reminder waits…
    open_backups(&window).await;
    window.click("#backups-export").await;
    let copy = PathBuf::from(window.text("#backups-exported-path").await);
    // …then the connection comes back and the reminder goes, once.
    let server = smtp_server_on(port, PASSWORD);
    open_receivable(&window, PENA.2).await;
    sent(&window).await;
    assert_eq!(server.smtp_messages().len(), 1);

    // Restoring that copy brings the reminder back as it was: waiting. It must not go again
    // on its own.
    open_backups(&window).await;
    pick_file(&window, "#backups-file", &copy).await;
    window.click("#backups-restore-yes").await;
    window
        .wait_for_text_containing("#backups-restored", "Copia restaurada")
        .await;
    window.click(&menu("outbox")).await;
    window
        .wait_for_text_containing(
            "#outbox-table tr[data-state='held']",
            "Por revisar: copia restaurada",
        )
        .await;
    window.wait_for("#outbox-needs-owner").await;
    window.screenshot("es-outbox-restored-held").await;

    // The worker runs on the restored data: another reminder leaves, the held one does not.
    remind(&window, ESQUINA).await;
    sent(&window).await;
    assert_eq!(
        server.smtp_recipients(),
        [PENA.1, ESQUINA.1],
        "nothing from the copy left on its own"
    );

    // The owner reviews it and sends it: it arrives once more, and only once.
    window.click(&menu("outbox")).await;
    window.click("#outbox-filter-needs-owner").await;
    window
        .click("#outbox-table tr[data-state='held'] button.action-send_again")
        .await;
    window.click("#outbox-filter-all").await;
    eventually(UI_TIMEOUT, "the reviewed reminder", async || {
        let recipients = server.smtp_recipients();
        if recipients.len() < 3 {
            Err(recipients)
        } else {
            Ok(())
        }
    })
    .await;
    window
        .wait_for_text_containing("#outbox-table", "Enviado")
        .await;
    assert!(!window.exists("#outbox-table tr[data-state='held']").await);
    assert_eq!(server.smtp_recipients(), [PENA.1, ESQUINA.1, PENA.1]);
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_shops_sharing_one_resend_account_both_deliver_their_reminders() {
    let key = "re_e2e_shared_7a2c";
    let server = FakeServer::resend(&["--api-key", key, "--domain", "ferreteria.com.ve:verified"]);
    // Each shop's first receivable: the same number, the same outbox id.
    for (customer, email, _, _) in [PENA, ESQUINA] {
        let owed = (customer, email, "F-0001", "80");
        let data_dir = fresh_books(&[owed]);
        let app = start_for_mail(data_dir, &[("CACHICAMO_RESEND_API_URL", server.base_url())]);
        let window = app.open().await;
        configure_resend(&window, key).await;
        remind(&window, owed).await;
        sent(&window).await;
        window.close().await;
    }
    forget_keychain_entries();
    let emails = server.control("GET", "emails", None);
    let emails = emails.as_array().expect("emails");
    assert_eq!(emails.len(), 2, "both shops' reminders were accepted");
    let keys: std::collections::BTreeSet<&str> = emails
        .iter()
        .map(|e| e["idempotency_key"].as_str().expect("key"))
        .collect();
    assert_eq!(
        keys.len(),
        2,
        "the same outbox id, different keys: {keys:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_keeps_the_message_and_hangs_up_leaves_it_uncertain_until_the_owner_decides()
{
    let data_dir = fresh_books(&[PENA, ESQUINA]);
    // The first message is kept by the server, which then hangs up before answering.
    let server = FakeServer::smtp_with(
        "starttls",
        SENDER,
        PASSWORD,
        &["--store-then-drop-first", "1"],
    );
    let app = start_for_mail(data_dir, &[]);
    let window = app.open().await;
    configure_smtp(&window, server.port, PASSWORD).await;
    remind(&window, PENA).await;
    reminder_shows(
        &window,
        "uncertain",
        "Resultado incierto: puede que haya llegado",
    )
    .await;
    window.screenshot("es-reminder-uncertain").await;
    assert_eq!(server.smtp_messages().len(), 1, "the server has one copy");

    // A restart does not resend it: another reminder goes out first, proving the worker ran.
    window.close().await;
    let window = app.open().await;
    remind(&window, ESQUINA).await;
    sent(&window).await;
    assert_eq!(server.smtp_recipients(), [PENA.1, ESQUINA.1]);

    // The owner decides to send it again: exactly one more copy.
    open_receivable(&window, PENA.2).await;
    window
        .click("#reminder-history tr[data-state='uncertain'] button.action-send_again")
        .await;
    sent(&window).await;
    assert_eq!(server.smtp_recipients(), [PENA.1, ESQUINA.1, PENA.1]);
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn leaving_while_a_reminder_is_being_sent_lets_it_finish_first() {
    let data_dir = fresh_books(&[PENA]);
    let database = data_dir.path().join("cachicamo.sqlite3");
    // The server keeps the message and takes 4 s to say so.
    let server = FakeServer::smtp_with(
        "starttls",
        SENDER,
        PASSWORD,
        &["--store-then-stall-first", "1", "4"],
    );
    let app = start_for_mail(data_dir, &[]);
    let window = app.open().await;
    configure_smtp(&window, server.port, PASSWORD).await;
    remind(&window, PENA).await;
    window
        .wait_for("#reminder-history tr[data-state='sending']")
        .await;

    // The desktop session ends (log out): the app is asked to leave while the send is in flight.
    let pids = cachicamo_e2e::app_pids();
    assert_eq!(pids.len(), 1, "{pids:?}");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pids[0].to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    window.wait_for("#closing-banner").await;
    window.screenshot("es-closing").await;
    // Within its bounded wait.
    wait_for_exit(&app_binary(), std::time::Duration::from_secs(20)).await;
    let conn = rusqlite::Connection::open(&database).expect("database");
    let state: String = conn
        .query_row("SELECT state FROM outbox", [], |r| r.get(0))
        .expect("the reminder");
    assert_eq!(
        state, "sent",
        "the send finished and was recorded before leaving"
    );
    assert_eq!(server.smtp_messages().len(), 1);
}
