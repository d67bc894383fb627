//! Two políticas de cobranza in the real window: the shop's (the four proposed steps, on) and
//! "Mayoristas", created in Ajustes → Cobranza with a single +30 step. Two customers are eight
//! days overdue; once one of them is put on Mayoristas in their page, Cobros de hoy lists only
//! the customer on the shop's policy — the wholesaler's +7 line, decided at start-up, leaves
//! with the move. Deleting Mayoristas asks with its count of customers and brings the wholesaler
//! back to the shop's policy and to Cobros de hoy. Due dates are relative to today.

use cachicamo_core::collections::policy::PolicyRules;
use cachicamo_e2e::{eventually, UI_TIMEOUT};

use crate::helpers::{menu, open_collections, open_customer, start_for_mail, OverdueBooks};

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_put_on_mayoristas_plus_thirty_leaves_cobros_de_hoy_at_eight_days_overdue() {
    let books = OverdueBooks::new();
    let esquina = books.customer("Bodega La Esquina", "esquina@example.com");
    let pena = books.customer("Distribuidora Peña", "compras@pena.com.ve");
    books.owes(esquina, "F-0101", "50", -8);
    books.owes(pena, "F-0102", "900", -8);
    let app = start_for_mail(
        books.with_policy(PolicyRules {
            enabled: true,
            ..PolicyRules::proposed()
        }),
        &[],
    );
    let window = app.open().await;
    window.click(&menu("today")).await;
    window.wait_for_text("#today-count", "2").await;

    // Ajustes → Cobranza: Nueva política "Mayoristas", one step at +30, turned on.
    open_collections(&window).await;
    window.click("#collections-policy-new").await;
    window.fill("#collections-policy-name", "Mayoristas").await;
    window.click("#collections-policy-name-save").await;
    window.wait_for("#collections-shop-wide-elsewhere").await;
    window.wait_for("#collections-guide").await;
    window.click("#collections-add-step").await;
    window.fill("#collections-step-0-offset", "30").await;
    window
        .fill("#collections-step-0-label", "Mayoristas: 30 días")
        .await;
    window.click("#collections-enabled").await;
    window.wait_for("#collections-enabled:checked").await;
    window.click("#collections-save").await;
    window.wait_for("#collections-saved").await;
    window
        .wait_for_text_containing("#collections-policy", "Mayoristas")
        .await;

    // The wholesaler's page: from the shop's policy to Mayoristas (the first policy created
    // after the shop's own, id 2).
    open_customer(&window, "Distribuidora Peña", "#customer-collection-policy").await;
    assert_eq!(window.value("#customer-collection-policy").await, "1");
    window.select("#customer-collection-policy", "2").await;

    window.click(&menu("today")).await;
    eventually(UI_TIMEOUT, "only the shop's customer waits", async || {
        let table = window.text("#today-table").await;
        if table.contains("Distribuidora Peña") || !table.contains("Bodega La Esquina") {
            Err(table)
        } else {
            Ok(())
        }
    })
    .await;
    window.wait_for_text("#today-count", "1").await;

    // The choice holds when the page is opened again.
    open_customer(&window, "Distribuidora Peña", "#customer-collection-policy").await;
    assert_eq!(window.value("#customer-collection-policy").await, "2");

    // Eliminar asks with the count, then the wholesaler is back on the shop's policy: at eight
    // days overdue, the +7 step is theirs again.
    open_collections(&window).await;
    window.select("#collections-policy", "2").await;
    window.click("#collections-policy-delete").await;
    window
        .wait_for_text_containing(
            "#collections-policy-delete-question",
            "«Mayoristas»? Clientes que la siguen: 1.",
        )
        .await;
    window.click("#collections-policy-delete-yes").await;
    eventually(UI_TIMEOUT, "Mayoristas is gone", async || {
        let list = window.text("#collections-policy").await;
        if list.contains("Mayoristas") {
            Err(list)
        } else {
            Ok(())
        }
    })
    .await;
    open_customer(&window, "Distribuidora Peña", "#customer-collection-policy").await;
    assert_eq!(window.value("#customer-collection-policy").await, "1");
    window.click(&menu("today")).await;
    window
        .wait_for_text_containing("#today-table", "Distribuidora Peña")
        .await;
    window.wait_for_text("#today-count", "2").await;
    window.close().await;
}
