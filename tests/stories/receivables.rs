//! Pagos Pendientes as a shop owner lives it: a customer owes, pays part, pays the rest, and the
//! debt leaves the list as Pagada — with amounts typed the region's way and bad input answered
//! next to its field.

use cachicamo_e2e::AppUnderTest;

use crate::helpers::{self, create_customer, open_customers, open_screen};

#[tokio::test(flavor = "multi_thread")]
async fn a_receivable_is_paid_in_two_payments_and_leaves_pagos_pendientes_as_pagada() {
    // Venezuela: "1.500,50" is fifteen hundred dollars and fifty cents.
    let app = AppUnderTest::start(&[("LANG", "es_VE.UTF-8")]);
    let window = app.open().await;
    create_customer(&window, "Ferretería José Peña", Some("cobros@pena.com.ve")).await;

    open_screen(&window, "pending", "Pagos Pendientes").await;
    window
        .wait_for_text_containing("#pending-empty", "No hay cuentas por cobrar pendientes")
        .await;
    window.click("#receivable-new").await;
    window.fill("#receivable-customer", "pena").await;
    window
        .click("#receivable-customer-options button[data-customer-id]")
        .await;
    window
        .wait_for_text("#receivable-customer-chosen", "Ferretería José Peña")
        .await;
    window.fill("#receivable-document", "F-0001").await;
    window.fill("#receivable-concept", "Cemento gris").await;
    window.select("#receivable-currency", "USD").await;

    // Too many decimals and a due date before the issue date: refused next to each field.
    window.fill("#receivable-amount", "1.500,505").await;
    window.fill("#receivable-issue-date", "01/01/2026").await;
    window.fill("#receivable-due-date", "31/12/2025").await;
    window.click("#receivable-save").await;
    window
        .wait_for_text_containing("#receivable-amount-error", "decimales")
        .await;
    window
        .wait_for_text_containing("#receivable-due-date-error", "anterior a la emisión")
        .await;
    assert_eq!(window.value("#receivable-concept").await, "Cemento gris");

    // The field shows what it reads as the user types.
    window.fill("#receivable-amount", "1.500,50").await;
    window
        .wait_for_text("#receivable-amount-reading", "Se leerá: USD 1.500,50")
        .await;
    window.fill("#receivable-due-date", "15/01/2026").await;
    // Saved, the owner lands on the list, ready for the next one; the new one opens from there.
    helpers::save_new_receivable_and_open_it(&window).await;
    window
        .wait_for_text("#receivable-balance", "USD 1.500,50")
        .await;
    window.screenshot("es-receivable-detail").await;

    window.click("#receivable-back").await;
    window
        .wait_for_text("#pending-table tbody tr .balance", "USD 1.500,50")
        .await;
    window
        .wait_for_text_containing("#pending-table tbody tr", "Vencida")
        .await;
    window
        .wait_for_text_containing("#pending-totals", "USD 1.500,50")
        .await;
    window.screenshot("es-pending-list").await;

    // A partial payment by transfer: the balance drops.
    window.click("#pending-table tbody tr a.row-link").await;
    window.click("#payment-new").await;
    // The preview's line holds its place before there is a preview: "Guardar" cannot jump
    // from under a click on its way when the preview arrives.
    assert_eq!(window.text("#payment-settles").await, "");
    window.fill("#payment-amount", "500,50").await;
    window.select("#payment-method", "transfer").await;
    window.fill("#payment-reference", "0102-445566").await;
    window
        .wait_for_text("#payment-settles", "Abona al saldo: USD 500,50")
        .await;
    window.click("#payment-save").await;
    window
        .wait_for_text("#receivable-balance", "USD 1.000,00")
        .await;

    // More than what is owed is refused, and nothing changes.
    window.click("#payment-new").await;
    window.fill("#payment-amount", "1.000,01").await;
    window.select("#payment-method", "cash").await;
    window.click("#payment-save").await;
    window
        .wait_for_text_containing("#payment-amount-error", "supera el saldo")
        .await;
    assert_eq!(window.text("#receivable-balance").await, "USD 1.000,00");

    // The rest settles it: Pagada, and it leaves Pagos Pendientes.
    window.fill("#payment-amount", "1.000").await;
    window.click("#payment-save").await;
    window
        .wait_for_text_containing("#receivable-notice", "quedó pagada")
        .await;
    window
        .wait_for_text("#receivable-detail [data-status]", "Pagada")
        .await;
    window
        .wait_for_text("#receivable-balance", "USD 0,00")
        .await;
    window
        .wait_for_text_containing("#history", "Quedó pagada.")
        .await;
    window.click("#receivable-back").await;
    window.wait_for("#pending-empty").await;

    // The customer's detail still lists it, as Pagada; a customer with receivables is kept.
    open_customers(&window).await;
    window.click("#customers-table a.row-link").await;
    window
        .wait_for_text_containing("#customer-receivables", "Pagada")
        .await;
    window.click("#customer-delete").await;
    window.click("#customer-delete-yes").await;
    window
        .wait_for_text_containing("#customer-editor [role='alert']", "no se puede eliminar")
        .await;

    // Everything survives a restart.
    window.close().await;
    let window = app.open().await;
    open_customers(&window).await;
    window.wait_for_text("#customers-range", "1–1 de 1").await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dollar_debt_paid_in_bolivares_takes_the_rate_either_way_and_settles_exactly() {
    let app = AppUnderTest::start(&[("LANG", "es_VE.UTF-8")]);
    let window = app.open().await;
    create_customer(&window, "Bodega La Esquina", Some("pagos@esquina.com.ve")).await;
    open_screen(&window, "pending", "Pagos Pendientes").await;
    window.click("#receivable-new").await;
    window.fill("#receivable-customer", "esquina").await;
    window
        .click("#receivable-customer-options button[data-customer-id]")
        .await;
    window.fill("#receivable-concept", "Harina PAN").await;
    window.select("#receivable-currency", "USD").await;
    window.fill("#receivable-amount", "100").await;
    window.fill("#receivable-issue-date", "01/06/2026").await;
    window.fill("#receivable-due-date", "31/12/2099").await;
    helpers::save_new_receivable_and_open_it(&window).await;
    window
        .wait_for_text("#receivable-balance", "USD 100,00")
        .await;

    // Paid in bolívares: the rate as the shop quotes it, "1 USD = 36,50 Bs".
    window.click("#payment-new").await;
    window.select("#payment-currency", "VES").await;
    window.fill("#payment-amount", "3.650").await;
    window.select("#payment-method", "mobile_payment").await;
    window
        .wait_for_text_containing("label[for='payment-rate']", "1 USD = … VES")
        .await;
    window.fill("#payment-rate", "36,50").await;
    window
        .wait_for_text("#payment-settles", "Abona al saldo: USD 100,00")
        .await;

    // The other way round, "1 Bs = 0,0274 USD": a cent over the balance, which the form
    // offers to settle exactly.
    window.click("#payment-rate-swap").await;
    window
        .wait_for_text_containing("label[for='payment-rate']", "1 VES = … USD")
        .await;
    window.fill("#payment-rate", "0,0274").await;
    window
        .wait_for_text("#payment-settles", "Abona al saldo: USD 100,01")
        .await;
    window.click("#payment-settle-exactly").await;
    window
        .wait_for_text("#payment-settles", "Abona al saldo: USD 100,00")
        .await;

    // Paid before the invoice was issued: an advance, saved only once confirmed.
    window.fill("#payment-date", "15/05/2026").await;
    window
        .wait_for_text_containing("#payment-editor", "Es un anticipo")
        .await;
    window.click("#payment-save").await;
    window
        .wait_for_text_containing("#payment-date-error", "anticipo")
        .await;
    window.click("#payment-confirm-advance").await;
    window.click("#payment-save").await;
    window
        .wait_for_text_containing("#receivable-notice", "quedó pagada")
        .await;
    window
        .wait_for_text("#receivable-balance", "USD 0,00")
        .await;
    // Both amounts and the rate as typed, with its direction.
    let payments = window
        .wait_for_text_containing("#payments", "VES 3.650,00")
        .await;
    assert!(payments.contains("tasa 1 VES = 0,0274 USD"), "{payments}");
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn in_mexico_amounts_are_typed_with_a_decimal_point_and_venezuelan_writing_is_refused() {
    let app = AppUnderTest::start(&[("LANG", "es_MX.UTF-8")]);
    let window = app.open().await;
    create_customer(&window, "Abarrotes Lupita", Some("pagos@lupita.mx")).await;
    open_screen(&window, "pending", "Pagos Pendientes").await;
    window.click("#receivable-new").await;
    window.fill("#receivable-customer", "lupita").await;
    window
        .click("#receivable-customer-options button[data-customer-id]")
        .await;
    window.fill("#receivable-concept", "Mercancía").await;
    window.select("#receivable-currency", "MXN").await;
    window.fill("#receivable-amount", "1.50").await;
    window
        .wait_for_text("#receivable-amount-reading", "Se leerá: MXN 1.50")
        .await;
    window.fill("#receivable-amount", "1.500,50").await;
    window.fill("#receivable-due-date", "31/12/2026").await;
    window.click("#receivable-save").await;
    window
        .wait_for_text_containing("#receivable-amount-error", "1,500.50")
        .await;
    window.fill("#receivable-amount", "1,500.50").await;
    helpers::save_new_receivable_and_open_it(&window).await;
    window
        .wait_for_text("#receivable-balance", "MXN 1,500.50")
        .await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pagos_pendientes_pages_filters_and_searches_a_hundred_thousand_receivables() {
    let data_dir = tempfile::tempdir().expect("data dir");
    let today = time::OffsetDateTime::now_utc().date();
    let seeded = cachicamo_e2e::seed::seed(
        &data_dir.path().join("cachicamo.sqlite3"),
        cachicamo_e2e::seed::Scale::PROMISED,
        today,
    );
    let app = AppUnderTest::start_in(data_dir, &[("LANG", "es_VE.UTF-8")]);
    let window = app.open().await;
    window.wait_for_text("main h1", "Pagos Pendientes").await;
    // Counts are written the region's way too: 90.000 in Venezuela.
    let total = venezuelan(seeded.pending);
    let all = format!("1–50 de {total}");
    window.wait_for_text("#pending-range", &all).await;
    window.click("#pending-next").await;
    window
        .wait_for_text("#pending-range", &format!("51–100 de {total}"))
        .await;
    window.click("#pending-previous").await;
    window.wait_for_text("#pending-range", &all).await;

    // Vencidas: exactly the pending receivables due before the app's today (read from the
    // file, so the story waits for the list's answer rather than reading the previous one).
    let overdue: u32 = rusqlite::Connection::open(app.data_path("cachicamo.sqlite3"))
        .expect("the database")
        .query_row(
            "SELECT count(*) FROM receivables WHERE status = 'pending' AND due_date < ?1",
            [cachicamo_core::clock::local_today().to_string()],
            |row| row.get(0),
        )
        .expect("overdue count");
    assert!(overdue < seeded.pending, "Vencidas is a part of Todas");
    window.click("button[data-filter='overdue']").await;
    window
        .wait_for_text(
            "#pending-range",
            &format!("1–50 de {}", venezuelan(overdue)),
        )
        .await;
    window
        .wait_for_text_containing("#pending-table tbody tr:first-child", "Vencida")
        .await;
    window.select("#pending-sort", "balance:desc").await;
    window.wait_for("#pending-table tbody tr").await;

    window.click("button[data-filter='all']").await;
    window.fill("#pending-search", "f-012344").await;
    window.wait_for_text("#pending-range", "1–1 de 1").await;
    window
        .wait_for_text_containing("#pending-table tbody tr", "F-012344")
        .await;
    window.screenshot("es-pending-search").await;
    window.close().await;
}

/// 90000 → "90.000".
fn venezuelan(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(digit);
    }
    out
}
