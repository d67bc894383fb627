//! Ajustes → Plantillas: the owner rewrites the Spanish payment reminder, watches the preview
//! follow as they type, keeps it across a restart, is told which variable does not exist, brings
//! the default back, and finds the English template written the English way.

use cachicamo_e2e::{AppUnderTest, Window};

use crate::helpers::open_section;

const DEFAULT_SUBJECT: &str = "Recordatorio de pago: {{ concepto }}";
const MY_SUBJECT: &str = "Su saldo con nosotros, {{ cliente }}";
const MY_BODY: &str = "Hola {{ cliente }}: le recordamos su saldo de {{ saldo }}, con vencimiento ";

async fn open_templates(app: &AppUnderTest) -> Window {
    let window = app.open().await;
    open_section(&window, "settings", "#templates-title", "Plantillas").await;
    window.wait_for("#template-subject").await;
    window
}

#[tokio::test(flavor = "multi_thread")]
async fn the_owner_edits_previews_keeps_and_restores_the_spanish_reminder() {
    let app = AppUnderTest::start(&[]);
    let window = open_templates(&app).await;
    assert_eq!(window.value("#template-language").await, "es");
    window
        .wait_for_value("#template-subject", DEFAULT_SUBJECT)
        .await;
    window
        .wait_for_text(
            "#template-preview-subject",
            "Recordatorio de pago: Materiales de construcción",
        )
        .await;
    window
        .wait_for_text("#template-state", "Se usa la plantilla predeterminada.")
        .await;

    window.fill("#template-subject", MY_SUBJECT).await;
    window
        .wait_for_text(
            "#template-preview-subject",
            "Su saldo con nosotros, Inversiones Pérez & Hijos, C.A.",
        )
        .await;
    window.fill("#template-body", MY_BODY).await;
    // Clicking a variable inserts it where the cursor is: the end of the message.
    window
        .click("button[data-variable='fecha_vencimiento']")
        .await;
    let body = format!("{MY_BODY}{{{{ fecha_vencimiento }}}}");
    window.wait_for_value("#template-body", &body).await;
    let text = window
        .wait_for_text_containing(
            "#template-preview-text",
            "Hola Inversiones Pérez & Hijos, C.A.: le recordamos su saldo de USD 850,00, con vencimiento ",
        )
        .await;
    assert!(!text.contains("{{"), "every variable is filled: {text:?}");
    let html = window
        .wait_for("#template-preview-html")
        .await
        .attr("srcdoc")
        .await
        .expect("srcdoc")
        .unwrap_or_default();
    assert!(
        html.contains("Hola Inversiones Pérez &amp; Hijos, C.A.: le recordamos"),
        "the HTML part escapes the customer: {html}"
    );
    let sandbox = window
        .wait_for("#template-preview-html")
        .await
        .attr("sandbox")
        .await
        .expect("sandbox attribute")
        .unwrap_or_else(|| "no sandbox".into());
    assert_eq!(sandbox, "allow-same-origin", "the preview runs no script");

    window.click("#template-save").await;
    window
        .wait_for_text("#template-notice", "Plantilla guardada.")
        .await;
    window
        .wait_for_text("#template-state", "Se usa su plantilla personalizada.")
        .await;
    window
        .client
        .execute(
            "document.getElementById('templates-title').scrollIntoView()",
            vec![],
        )
        .await
        .expect("scroll to Plantillas");
    window.screenshot("es-templates").await;
    window.close().await;

    let window = open_templates(&app).await;
    window.wait_for_value("#template-subject", MY_SUBJECT).await;
    assert_eq!(window.value("#template-body").await, body);

    window
        .fill("#template-body", "Pague a {{ banco }}, por favor.")
        .await;
    window.click("#template-save").await;
    window
        .wait_for_text(
            "#template-body-error",
            "No existe la variable «banco». Use una de la lista de variables.",
        )
        .await;
    assert_eq!(
        window
            .wait_for("#template-body")
            .await
            .attr("aria-invalid")
            .await
            .expect("aria-invalid")
            .as_deref(),
        Some("true")
    );

    window.click("#template-reset").await;
    window
        .wait_for_text_containing(
            "#template-reset-text",
            "¿Restaurar la plantilla predeterminada?",
        )
        .await;
    window.click("#template-reset-yes").await;
    window
        .wait_for_text(
            "#template-notice",
            "Se restauró la plantilla predeterminada.",
        )
        .await;
    window
        .wait_for_value("#template-subject", DEFAULT_SUBJECT)
        .await;
    window
        .wait_for_text("#template-state", "Se usa la plantilla predeterminada.")
        .await;
    assert!(!window.exists("#template-body-error").await);
    window
        .wait_for_text(
            "#template-preview-subject",
            "Recordatorio de pago: Materiales de construcción",
        )
        .await;

    // English has its own template, variables and way of writing amounts and dates.
    window.select("#template-language", "en").await;
    window
        .wait_for_value("#template-subject", "Payment reminder: {{ concept }}")
        .await;
    window
        .wait_for_text(
            "#template-preview-subject",
            "Payment reminder: Construction materials",
        )
        .await;
    window
        .wait_for_text_containing("#template-preview-text", "a balance of USD 850.00")
        .await;
    assert!(
        window
            .exists("button[data-variable='payment_instructions']")
            .await
    );
    assert!(
        !window
            .exists("button[data-variable='instrucciones_pago']")
            .await
    );
    window.close().await;

    let window = open_templates(&app).await;
    window
        .wait_for_value("#template-subject", DEFAULT_SUBJECT)
        .await;
    window.close().await;
}
