//! Ajustes → Plantillas → Estado de cuenta: beside the reminder's, the owner words what comes
//! before and after the statement's table, with its own variables and a live preview, is told
//! which variable does not exist, keeps the template, and brings the default back — the
//! reminder's template untouched throughout.

use cachicamo_e2e::AppUnderTest;

use crate::a11y::assert_accessible;
use crate::helpers::open_section;

const INTRO: &str = "Hola {{ cliente }}, le recordamos su saldo: ";

#[tokio::test(flavor = "multi_thread")]
async fn the_owner_words_the_statement_around_its_table_and_restores_the_default() {
    let app = AppUnderTest::start(&[]);
    let window = app.open().await;
    open_section(&window, "settings", "#templates-title", "Plantillas").await;
    window
        .wait_for_text(
            "#statement-template-state",
            "Se usa la plantilla predeterminada.",
        )
        .await;
    let standard = window.value("#statement-template-subject").await;
    window
        .wait_for_text_containing("#statement-template-preview-subject", "Estado de cuenta")
        .await;

    window.fill("#statement-template-intro", INTRO).await;
    // A variable goes where the cursor is: the end of the intro.
    window
        .click("#statement-template-editor button[data-variable='saldo']")
        .await;
    window
        .wait_for_value(
            "#statement-template-intro",
            &format!("{INTRO}{{{{ saldo }}}}"),
        )
        .await;
    let text = window
        .wait_for_text_containing(
            "#statement-template-preview-text",
            "Hola Inversiones Pérez & Hijos, C.A., le recordamos su saldo: ",
        )
        .await;
    assert!(!text.contains("{{"), "every variable is filled: {text}");

    window
        .fill("#statement-template-closing", "Gracias, {{ nombre }}")
        .await;
    window
        .wait_for_text_containing("#statement-template-closing-error", "nombre")
        .await;
    window
        .fill("#statement-template-closing", "Gracias por su pago.")
        .await;
    window.click("#statement-template-save").await;
    window
        .wait_for_text("#statement-template-notice", "Plantilla guardada.")
        .await;
    window
        .wait_for_text(
            "#statement-template-state",
            "Se usa su plantilla personalizada.",
        )
        .await;
    window
        .wait_for_text("#template-state", "Se usa la plantilla predeterminada.")
        .await;
    window.screenshot("es-statement-template").await;
    assert_accessible(&window, "Plantillas with the statement's template").await;

    window.click("#statement-template-reset").await;
    window.click("#statement-template-reset-yes").await;
    window
        .wait_for_text(
            "#statement-template-notice",
            "Se restauró la plantilla predeterminada.",
        )
        .await;
    window
        .wait_for_value("#statement-template-subject", &standard)
        .await;
    window.close().await;
}
