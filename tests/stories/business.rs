//! Ajustes → Negocio: the owner tells Cachicamo who the business is; it stays after a restart.

use cachicamo_e2e::AppUnderTest;

use crate::helpers::open_section;

#[tokio::test(flavor = "multi_thread")]
async fn the_business_details_are_saved_and_kept() {
    let app = AppUnderTest::start(&[]);
    let window = app.open().await;
    open_section(&window, "settings", "#business-title", "Negocio").await;
    assert_eq!(
        window.value("#business-currency").await,
        "USD",
        "dollars until chosen"
    );

    window.fill("#business-name", "Ferretería José Peña").await;
    window.fill("#business-tax-id", "J-12345678-9").await;
    window.select("#business-currency", "VES").await;
    window
        .fill(
            "#business-instructions",
            "Pago móvil: 0412-5550101 · Banco de Venezuela",
        )
        .await;
    window.click("#business-save").await;
    window
        .wait_for_text("#business-saved", "Datos del negocio guardados.")
        .await;
    window.close().await;

    let window = app.open().await;
    open_section(&window, "settings", "#business-title", "Negocio").await;
    window
        .wait_for_value("#business-name", "Ferretería José Peña")
        .await;
    assert_eq!(window.value("#business-currency").await, "VES");
    assert_eq!(
        window.value("#business-instructions").await,
        "Pago móvil: 0412-5550101 · Banco de Venezuela"
    );
    window.close().await;
}
