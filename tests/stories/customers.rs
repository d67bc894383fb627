//! Clientes, as a shop owner keeps them: create, find without caring about accents, edit,
//! archive, and delete — with bad input answered next to its field and nothing lost.

use cachicamo_e2e::{AppUnderTest, Window};

use crate::helpers::{click_link_in, open_customers};

async fn click_row(window: &Window, name: &str) {
    click_link_in(window, "customers-table", name).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_is_created_found_edited_archived_and_deleted() {
    let app = AppUnderTest::start(&[]);
    let window = app.open().await;
    open_customers(&window).await;
    window
        .wait_for_text_containing("#customers-empty", "Aún no hay clientes")
        .await;

    // Bad input: each problem next to its field; what was typed stays.
    window.click("#customer-new").await;
    window.fill("#customer-email", "cobros@").await;
    window.fill("#customer-phone", "+58 412 555 0101").await;
    window.click("#customer-save").await;
    window
        .wait_for_text_containing("#customer-name-error", "obligatorio")
        .await;
    window
        .wait_for_text_containing("#customer-email-error", "correo válido")
        .await;
    assert_eq!(window.value("#customer-phone").await, "+58 412 555 0101");
    assert!(window.exists("#customers-empty").await, "nothing was saved");

    window.fill("#customer-name", "Ferretería José Peña").await;
    window.fill("#customer-email", "cobros@peña.com.ve").await;
    window.fill("#customer-tax-id", "J-12345678-9").await;
    window.click("#customer-save").await;
    window
        .wait_for_text("#customers-notice", "Cliente guardado.")
        .await;
    window.click("#customer-new").await;
    window.fill("#customer-name", "Bodega La Esquina").await;
    window.select("#customer-language", "en").await;
    window.click("#customer-save").await;
    window.wait_for_text("#customers-range", "1–2 de 2").await;
    window.screenshot("es-customers-list").await;

    // Found the way people type: no accents, any case.
    window.fill("#customer-search", "pena").await;
    window.wait_for_text("#customers-range", "1–1 de 1").await;
    click_row(&window, "Ferretería José Peña").await;
    assert_eq!(window.value("#customer-email").await, "cobros@peña.com.ve");
    window.fill("#customer-notes", "Paga los viernes.").await;
    window.click("#customer-save").await;
    window
        .wait_for_text("#customers-notice", "Cliente guardado.")
        .await;
    assert!(
        !window.exists("#customer-editor").await,
        "the editor closes after saving"
    );

    // Archived customers leave the everyday list, and come back on request.
    click_row(&window, "Ferretería José Peña").await;
    window.click("#customer-archive").await;
    window
        .wait_for_text("#customer-archive", "Desarchivar")
        .await;
    window.fill("#customer-search", "").await;
    window.wait_for_text("#customers-range", "1–1 de 1").await;
    window.click("#customers-archived").await;
    window.wait_for_text("#customers-range", "1–2 de 2").await;

    // A restart keeps everything.
    window.close().await;
    let window = app.open().await;
    open_customers(&window).await;
    window.click("#customers-archived").await;
    window.wait_for_text("#customers-range", "1–2 de 2").await;
    click_row(&window, "Ferretería José Peña").await;
    assert_eq!(window.value("#customer-notes").await, "Paga los viernes.");

    window.click("#customer-delete").await;
    window.click("#customer-delete-yes").await;
    window
        .wait_for_text("#customers-notice", "Cliente eliminado.")
        .await;
    window.wait_for_text("#customers-range", "1–1 de 1").await;
    window.close().await;
}
