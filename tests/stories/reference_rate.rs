//! Ajustes → Tasa de referencia: the owner types today's BCV rate the region's way, sees what it
//! reads as while typing, has a bad rate and a future date refused next to their fields, and the
//! statement made today shows the "Equivalente referencial" of the dollar balance in bolívares.

use cachicamo_e2e::fakes::FakeServer;
use cachicamo_e2e::Window;

use crate::a11y::assert_accessible;
use crate::helpers::{
    configure_smtp, fresh_books, open_customers, open_section, start_for_mail, Owed, SENDER,
};

const PASSWORD: &str = "app-pass-rate-92d0";

/// A customer owing USD 1.500,50: at 36,50 Bs per dollar, VES 54.768,25.
const PENA: Owed = (
    "Ferretería Peña & Hijos",
    "cobros@penahijos.com.ve",
    "F-0042",
    "1.500,50",
);

async fn type_rate(window: &Window, rate: &str, on: &str) {
    window.fill("#rate-value", rate).await;
    window.fill("#rate-on", on).await;
    window.click("#rate-save").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn todays_rate_is_typed_the_regions_way_and_the_statement_shows_its_equivalent() {
    let server = FakeServer::smtp("starttls", SENDER, PASSWORD);
    let app = start_for_mail(fresh_books(&[PENA]), &[]);
    let window = app.open().await;
    configure_smtp(&window, server.port, PASSWORD).await;
    open_section(&window, "settings", "#rate-title", "Tasa de referencia").await;
    window.select("#rate-base", "USD").await;
    window.select("#rate-quote", "VES").await;
    window.fill("#rate-source", "BCV").await;

    // Refused where it was typed, and nothing is kept.
    type_rate(&window, "0", "").await;
    window
        .wait_for_text("#rate-value-error", "Debe ser mayor que cero.")
        .await;
    type_rate(&window, "36,50", "31/12/2099").await;
    window
        .wait_for_text("#rate-on-error", "La fecha no puede ser posterior a hoy.")
        .await;
    assert!(!window.exists("#rate-list").await, "nothing was saved");

    // What the rate reads as shows while typing, as amounts do.
    window.fill("#rate-on", "").await;
    window.fill("#rate-value", "36,5").await;
    window
        .wait_for_text("#rate-value-reading", "Se leerá: 1 USD = 36,5 VES")
        .await;
    window.fill("#rate-value", "36,50").await;
    window
        .wait_for_text("#rate-value-reading", "Se leerá: 1 USD = 36,50 VES")
        .await;
    window.click("#rate-save").await;
    window
        .wait_for_text_containing("#rate-notice", "Tasa guardada: 1 USD = 36,50 VES, BCV")
        .await;
    window
        .wait_for_text_containing(
            "#rate-list tr[data-pair='USD-VES'][data-today='true']",
            "Equivalente referencial",
        )
        .await;
    window.screenshot("es-reference-rate").await;
    assert_accessible(&window, "Ajustes with a reference rate").await;

    // Today's statement carries it under the dollar subtotal.
    open_customers(&window).await;
    window.click("#customers-table a.row-link").await;
    window.click("#statement-send").await;
    let text = window
        .wait_for_text_containing("#statement-preview-text", "Equivalente referencial")
        .await;
    assert!(
        text.contains("VES 54.768,25") && text.contains("a tasa BCV del"),
        "{text}"
    );
    window.close().await;
}
