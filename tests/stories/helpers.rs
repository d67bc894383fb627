//! What several stories do the same way: forget the keychain, configure an email service
//! through the window, seed books before the app opens, open a receivable, send a reminder.

use std::path::Path;

use cachicamo_core::books::customers::{self, CustomerForm};
use cachicamo_core::books::reading::Reading;
use cachicamo_core::books::receivables::{self, ReceivableForm};
use cachicamo_core::locale::Language;
use cachicamo_core::locale::Region;
use cachicamo_core::Database;
use cachicamo_e2e::Window;

pub const SENDER: &str = "ventas@ferreteria.com.ve";

/// Every story starts from an empty keychain, as a new install would (each data directory has
/// entries of its own; only entries from before that could be shared).
pub fn forget_keychain_entries() {
    cachicamo_e2e::forget_legacy_keychain_entries();
}

/// Customers, each owing one USD receivable issued 01/01/2026 and due 15/01/2026, written to
/// the data directory before the app opens: `(name, email, document, amount)`.
pub fn seed_books(data_dir: &Path, owed: &[(&str, &str, &str, &str)]) {
    let db = Database::open(&data_dir.join("cachicamo.sqlite3")).expect("database");
    let reading = Reading {
        region: Region::EsVe,
        today: time::OffsetDateTime::now_utc().date(),
    };
    for (name, email, document, amount) in owed {
        let customer = customers::create(
            &db,
            CustomerForm {
                name: (*name).into(),
                email: (*email).into(),
                ..CustomerForm::default()
            },
            Language::Es,
        )
        .expect("customer");
        receivables::create(
            &db,
            &ReceivableForm {
                customer_id: Some(customer.id),
                document_number: (*document).into(),
                concept: "Cemento gris".into(),
                currency: "USD".into(),
                amount: (*amount).into(),
                issue_date: "01/01/2026".into(),
                due_date: "15/01/2026".into(),
            },
            &reading,
        )
        .expect("receivable");
    }
}

/// Integraciones → Servicio de Email → SMTP on localhost:`port` (STARTTLS), saved.
pub async fn configure_smtp(window: &Window, port: u16, password: &str) {
    window.click("nav button[data-screen='integrations']").await;
    window.click("#email-configure").await;
    window.select("#email-provider", "smtp").await;
    window.select("#smtp-preset", "other").await;
    window.fill("#smtp-host", "localhost").await;
    window.fill("#smtp-port", &port.to_string()).await;
    window.select("#smtp-security", "starttls").await;
    window.fill("#smtp-username", SENDER).await;
    window.fill("#smtp-password", password).await;
    window.fill("#email-sender", SENDER).await;
    window
        .fill("#email-sender-name", "Ferretería José Peña")
        .await;
    window.click("#email-save").await;
    window
        .wait_for_text_containing("#email-indicator", "SMTP")
        .await;
}

/// Integraciones → Servicio de Email → Resend with `key`, saved.
pub async fn configure_resend(window: &Window, key: &str) {
    window.click("nav button[data-screen='integrations']").await;
    window.click("#email-configure").await;
    window.select("#email-provider", "resend").await;
    window.fill("#email-api-key", key).await;
    window.fill("#email-sender", SENDER).await;
    window.click("#email-save").await;
    window
        .wait_for_text_containing("#email-indicator", "Resend")
        .await;
}

/// Pagos Pendientes → the receivable whose row mentions `document`.
pub async fn open_receivable(window: &Window, document: &str) {
    window.click("nav button[data-screen='pending']").await;
    if window.exists("#receivable-back").await {
        window.click("#receivable-back").await;
    }
    window
        .wait_for_text_containing("#pending-table", document)
        .await;
    let rows = window
        .client
        .find_all(cachicamo_e2e::fantoccini::Locator::Css(
            "#pending-table tbody tr",
        ))
        .await
        .expect("rows");
    for row in rows {
        if row.text().await.unwrap_or_default().contains(document) {
            row.find(cachicamo_e2e::fantoccini::Locator::Css("button.link"))
                .await
                .expect("the row's link")
                .click()
                .await
                .expect("open");
            window.wait_for("#receivable-detail").await;
            return;
        }
    }
    panic!("no row for {document}");
}

/// "Enviar recordatorio de pago por email" to the address shown, confirmed.
pub async fn send_reminder(window: &Window, to: &str) {
    window.click("#reminder-send").await;
    window.wait_for_text("#reminder-preview-to", to).await;
    window.click("#reminder-confirm").await;
    window
        .wait_for_text_containing("#reminder-notice", to)
        .await;
}

/// "Registrar abono" in cash for `amount`, saved.
pub async fn record_cash_payment(window: &Window, amount: &str) {
    window.click("#payment-new").await;
    window.fill("#payment-amount", amount).await;
    window.select("#payment-method", "cash").await;
    window.click("#payment-save").await;
    window.wait_for("#receivable-balance").await;
}
