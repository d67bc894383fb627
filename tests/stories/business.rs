//! Ajustes → Negocio: the owner tells Cachicamo who the business is and how customers can pay it
//! (formas de pago, each with the currencies it accepts); a refused field says why next to
//! itself; everything stays after a restart.

use cachicamo_e2e::AppUnderTest;

use crate::helpers::open_section;

#[tokio::test(flavor = "multi_thread")]
async fn the_business_details_and_formas_de_pago_are_saved_and_kept() {
    let app = AppUnderTest::start(&[]);
    let window = app.open().await;
    open_section(&window, "settings", "#business-title", "Negocio").await;
    assert_eq!(
        window.value("#business-currency").await,
        "USD",
        "dollars until chosen"
    );
    assert!(
        !window.exists("#business-instructions").await,
        "no free-text field that messages would ignore"
    );

    window.fill("#business-name", "Ferretería José Peña").await;
    window.fill("#business-tax-id", "J-12345678-9").await;
    window.select("#business-currency", "VES").await;
    window.click("#business-save").await;
    window
        .wait_for_text("#business-saved", "Datos del negocio guardados.")
        .await;

    // A Pago Móvil for bolívares, typed with a number that is no Venezuelan mobile first.
    window
        .wait_for_text(
            "#payment-options-empty",
            "Aún no hay formas de pago: los mensajes no dirán cómo pagar.",
        )
        .await;
    window.click("#payment-options-add").await;
    window.select("#payment-option-0-kind", "pago_movil").await;
    window
        .fill("#payment-option-0-bank", "Banco de Venezuela")
        .await;
    window.fill("#payment-option-0-phone", "0212-5550101").await;
    window
        .fill("#payment-option-0-id-number", "v12345678")
        .await;
    window.click("#payment-option-0-any-currency").await;
    window.fill("#payment-option-0-currencies", "ves").await;
    window.click("#payment-options-save").await;
    let refusal = window
        .wait_for_text_containing("#payment-option-0-phone-error", "0414")
        .await;
    assert!(!refusal.is_empty());
    assert!(!window.exists("#payment-options-saved").await);
    window
        .fill("#payment-option-0-phone", "0412 555 0101")
        .await;
    window.click("#payment-options-save").await;
    window
        .wait_for_text("#payment-options-saved", "Formas de pago guardadas.")
        .await;
    window.close().await;

    let window = app.open().await;
    open_section(&window, "settings", "#business-title", "Negocio").await;
    window
        .wait_for_value("#business-name", "Ferretería José Peña")
        .await;
    assert_eq!(window.value("#business-currency").await, "VES");
    window
        .wait_for_value("#payment-option-0-phone", "0412-5550101")
        .await;
    assert_eq!(window.value("#payment-option-0-kind").await, "pago_movil");
    assert_eq!(
        window.value("#payment-option-0-id-number").await,
        "V-12345678"
    );
    assert_eq!(window.value("#payment-option-0-currencies").await, "VES");
    window.close().await;
}
