//! The política de cobranza's finer parts, as the owner sets them in the real window: a
//! minimum balance typed in Ajustes → Cobranza the Venezuelan way (refused next to its row
//! when it cannot be read) keeps the customer who owes little out of Cobros de hoy, and is
//! still there after a restart; "Sin recordatorios automáticos" chosen in a customer's page takes
//! their line out of Cobros de hoy and back; a step sent per receivable queues, on Enviar,
//! that receivable's payment reminder — not the statement — to the real SMTP server. Due dates
//! are relative to today.

use cachicamo_core::collections::policy::PolicyRules;
use cachicamo_e2e::fakes::FakeServer;
use cachicamo_e2e::{eventually, UI_TIMEOUT};

use crate::helpers::{
    configure_smtp, menu, open_collections, open_customer, start_for_mail, OverdueBooks, SENDER,
};

const PASSWORD: &str = "app-pass-policy-9c2d";

/// Peña & Hijos owes USD 80 (F-0042, due nine days ago) and USD 40 (F-0044, due eight days
/// ago); Kiosco Pequeño USD 30 (F-0043, due eight days ago). The policy is saved as given.
fn seeded(policy: PolicyRules) -> tempfile::TempDir {
    let books = OverdueBooks::new();
    let pena = books.customer("Peña & Hijos", "cobros@pena.com.ve");
    let kiosco = books.customer("Kiosco Pequeño", "kiosco@example.com");
    for (customer, document, amount, due) in [
        (pena, "F-0042", "80", -9),
        (pena, "F-0044", "40", -8),
        (kiosco, "F-0043", "30", -8),
    ] {
        books.owes(customer, document, amount, due);
    }
    books.with_policy(policy)
}

fn proposed_on() -> PolicyRules {
    PolicyRules {
        enabled: true,
        ..PolicyRules::proposed()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_minimum_balance_typed_in_ajustes_keeps_the_customer_who_owes_little_out_of_cobros_de_hoy(
) {
    // The proposed steps, still off: nothing is decided before the minimum is in place.
    let app = start_for_mail(seeded(PolicyRules::proposed()), &[]);
    let window = app.open().await;
    open_collections(&window).await;
    window.click("#collections-add-minimum").await;
    window
        .select("#collections-minimum-0-currency", "USD")
        .await;
    window.fill("#collections-minimum-0-amount", "50,x").await;
    window.click("#collections-enabled").await;
    window.wait_for("#collections-enabled:checked").await;
    window.click("#collections-save").await;
    eventually(UI_TIMEOUT, "the amount refused next to it", async || {
        if window.exists("#collections-minimum-0-amount-error").await {
            Ok(())
        } else {
            Err(window.text("#collections").await)
        }
    })
    .await;
    assert!(
        window
            .text("#collections-minimum-0-amount-error")
            .await
            .contains("No se entiende el monto"),
        "{}",
        window.text("#collections").await
    );

    window.fill("#collections-minimum-0-amount", "50").await;
    window
        .wait_for_text_containing("#collections-minimum-0-amount-reading", "USD 50,00")
        .await;
    window.click("#collections-save").await;
    window
        .wait_for_text("#collections-saved", "Política de cobranza guardada.")
        .await;
    assert_eq!(window.value("#collections-minimum-0-amount").await, "50,00");

    // Saving evaluates at once: Peña (USD 120) is listed, the kiosk (USD 30) is not.
    window.click(&menu("today")).await;
    window
        .wait_for_text_containing("#today-table", "Peña & Hijos")
        .await;
    window.wait_for_text("#today-count", "1").await;
    let table = window.text("#today-table").await;
    assert!(
        !table.contains("Kiosco Pequeño"),
        "under the minimum: {table}"
    );

    // Kept across a restart, written the region's way.
    window.close().await;
    let window = app.open().await;
    open_collections(&window).await;
    eventually(
        UI_TIMEOUT,
        "the minimum is shown again",
        async || match window.value("#collections-minimum-0-amount").await.as_str() {
            "50,00" => Ok(()),
            other => Err(other.to_owned()),
        },
    )
    .await;
    assert_eq!(window.value("#collections-minimum-0-currency").await, "USD");
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sin_recordatorios_automaticos_in_the_customers_page_takes_them_out_of_cobros_de_hoy() {
    let app = start_for_mail(seeded(proposed_on()), &[]);
    let window = app.open().await;
    window.click(&menu("today")).await;
    window
        .wait_for_text_containing("#today-table", "Kiosco Pequeño")
        .await;
    window.wait_for_text("#today-count", "2").await;

    open_customer(&window, "Kiosco Pequeño", "#customer-collection-policy").await;
    window.select("#customer-collection-policy", "none").await;
    window.click(&menu("today")).await;
    eventually(UI_TIMEOUT, "the kiosk leaves Cobros de hoy", async || {
        let table = window.text("#today-table").await;
        if table.contains("Kiosco Pequeño") || !table.contains("Peña & Hijos") {
            Err(table)
        } else {
            Ok(())
        }
    })
    .await;
    window.wait_for_text("#today-count", "1").await;

    // Switched back: the line returns, with nothing sent meanwhile.
    open_customer(&window, "Kiosco Pequeño", "#customer-collection-policy").await;
    window.select("#customer-collection-policy", "1").await;
    window.click(&menu("today")).await;
    window
        .wait_for_text_containing("#today-table", "Kiosco Pequeño")
        .await;
    window.wait_for_text("#today-count", "2").await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn enviar_on_a_step_per_receivable_sends_that_receivables_reminder_not_the_statement() {
    let server = FakeServer::smtp("starttls", SENDER, PASSWORD);
    let policy = cachicamo_e2e::books::second_notice_per_receivable();
    let app = start_for_mail(seeded(policy), &[]);
    let window = app.open().await;
    configure_smtp(&window, server.port, PASSWORD).await;
    window.click(&menu("today")).await;
    // Oldest due first: F-0042 (nine days) heads the list.
    window
        .wait_for_text_containing(
            "#today-table tbody tr:first-child",
            "vencida hace 9 días → Segundo aviso · recordatorio de F-0042",
        )
        .await;
    window.wait_for_text("#today-count", "3").await;
    window
        .click("#today-table tbody tr:first-child .today-send")
        .await;
    window
        .wait_for_text("#today-notice", "Recordatorio en cola.")
        .await;
    eventually(
        UI_TIMEOUT,
        "the reminder reaches the server",
        async || match server.smtp_received().len() {
            0 => Err("nothing yet"),
            _ => Ok(()),
        },
    )
    .await;
    let received = server.smtp_received();
    assert_eq!(received.len(), 1, "one message: {received:?}");
    let (to, text) = &received[0];
    assert_eq!(to, "cobros@pena.com.ve");
    assert!(
        text.contains("F-0042") && !text.contains("F-0044"),
        "F-0042's own reminder: {text}"
    );
    let (_, raw) = &server.smtp_messages()[0];
    assert!(!raw.contains("application/pdf"), "no statement attached");
    window.wait_for_text("#today-count", "2").await;
    window.close().await;
}
