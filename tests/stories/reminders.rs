//! The seed's reminder: from the detail of a Pendiente receivable, "Enviar recordatorio de
//! pago por email" to the customer's registered address or to another one — previewed, queued,
//! sent by the outbox through a real SMTP server, and delivered exactly once even when the
//! server was down at first.

use std::path::Path;

use cachicamo_core::books::customers::{self, CustomerForm};
use cachicamo_core::books::reading::Reading;
use cachicamo_core::books::receivables::{self, ReceivableForm};
use cachicamo_core::locale::Language;
use cachicamo_core::locale::Region;
use cachicamo_core::Database;
use cachicamo_e2e::fakes::{free_port, FakeServer, TestCa};
use cachicamo_e2e::{forget_legacy_keychain_entries, AppUnderTest, Window};
use mail_parser::MessageParser;

const SENDER: &str = "ventas@ferreteria.com.ve";
const PASSWORD: &str = "app-pass-reminders-31c9";
const CUSTOMER: &str = "<b>Peña & Hijos</b>";

/// A customer (named to tempt an HTML injection) owing USD 1.500,50 since 15/01/2026.
fn books(data_dir: &Path) {
    let db = Database::open(&data_dir.join("cachicamo.sqlite3")).expect("database");
    let reading = Reading {
        region: Region::EsVe,
        today: time::OffsetDateTime::now_utc().date(),
    };
    let customer = customers::create(
        &db,
        CustomerForm {
            name: CUSTOMER.into(),
            email: "cobros@penahijos.com.ve".into(),
            ..CustomerForm::default()
        },
        Language::Es,
    )
    .expect("customer");
    receivables::create(
        &db,
        &ReceivableForm {
            customer_id: Some(customer.id),
            document_number: "F-0042".into(),
            concept: "Cemento gris".into(),
            currency: "USD".into(),
            amount: "1.500,50".into(),
            issue_date: "01/01/2026".into(),
            due_date: "15/01/2026".into(),
        },
        &reading,
    )
    .expect("receivable");
}

async fn configure_smtp(window: &Window, port: u16) {
    window.click("nav button[data-screen='integrations']").await;
    window.click("#email-configure").await;
    window.select("#email-provider", "smtp").await;
    window.select("#smtp-preset", "other").await;
    window.fill("#smtp-host", "localhost").await;
    window.fill("#smtp-port", &port.to_string()).await;
    window.select("#smtp-security", "starttls").await;
    window.fill("#smtp-username", SENDER).await;
    window.fill("#smtp-password", PASSWORD).await;
    window.fill("#email-sender", SENDER).await;
    window
        .fill("#email-sender-name", "Ferretería José Peña")
        .await;
    window.click("#email-save").await;
    window
        .wait_for_text_containing("#email-indicator", "SMTP")
        .await;
}

async fn open_the_receivable(window: &Window) {
    window.click("nav button[data-screen='pending']").await;
    window.click("#pending-table tbody tr button.link").await;
    window.wait_for("#receivable-detail").await;
}

async fn send_and_confirm(window: &Window, to: &str) {
    window.click("#reminder-send").await;
    window.wait_for_text("#reminder-preview-to", to).await;
    window.click("#reminder-confirm").await;
    window
        .wait_for_text_containing("#reminder-notice", to)
        .await;
}

fn start(port: Option<u16>) -> FakeServer {
    let port = port.map(|p| p.to_string());
    let extra: Vec<&str> = match &port {
        Some(port) => vec!["--port", port],
        None => vec![],
    };
    FakeServer::smtp_with("starttls", SENDER, PASSWORD, &extra)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reminder_reaches_the_customer_escaped_and_another_address_on_request() {
    forget_legacy_keychain_entries();
    let server = start(None);
    let data_dir = tempfile::tempdir().expect("data dir");
    books(data_dir.path());
    let app = AppUnderTest::start_in(
        data_dir,
        &[
            ("LANG", "es_VE.UTF-8"),
            (
                "SSL_CERT_FILE",
                &TestCa::get().ca_pem().display().to_string(),
            ),
        ],
    );
    let window = app.open().await;
    configure_smtp(&window, server.port).await;
    open_the_receivable(&window).await;
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
    window
        .wait_for_text_containing("#reminder-history tr[data-state='sent']", "Enviado")
        .await;
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
    send_and_confirm(&window, "administracion@penahijos.com.ve").await;
    let deadline = std::time::Instant::now() + cachicamo_e2e::UI_TIMEOUT;
    while server.smtp_messages().len() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the second reminder never arrived"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        server.smtp_messages()[1].0["rcpt_tos"][0],
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
    window.click("nav button[data-screen='outbox']").await;
    window
        .wait_for_text_containing("#outbox-table", "administracion@penahijos.com.ve")
        .await;
    window.screenshot("es-outbox").await;
    app.assert_secret_absent(PASSWORD);
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_the_reminder_waits_in_the_queue_and_goes_once_when_the_server_is_back() {
    forget_legacy_keychain_entries();
    let port = free_port();
    let server = start(Some(port));
    let data_dir = tempfile::tempdir().expect("data dir");
    books(data_dir.path());
    let app = AppUnderTest::start_in(
        data_dir,
        &[
            ("LANG", "es_VE.UTF-8"),
            (
                "SSL_CERT_FILE",
                &TestCa::get().ca_pem().display().to_string(),
            ),
            ("CACHICAMO_OUTBOX_PROBE_SECS", "1"),
        ],
    );
    let window = app.open().await;
    configure_smtp(&window, port).await;
    drop(server);

    open_the_receivable(&window).await;
    send_and_confirm(&window, "cobros@penahijos.com.ve").await;
    window
        .wait_for_text_containing("#reminder-history tr[data-state='queued']", "Sin conexión")
        .await;
    window.screenshot("es-reminder-offline").await;

    let back = start(Some(port));
    window
        .wait_for_text_containing("#reminder-history tr[data-state='sent']", "Enviado")
        .await;
    // A few more probes' worth of time: still exactly one.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(back.smtp_messages().len(), 1, "delivered exactly once");
    window.close().await;
}
