//! Ajustes → Plantillas, and the reminder a receivable would send (for the confirmation dialog).

use cachicamo_core::locale::Language;
use cachicamo_core::reminders::{
    self, ReminderDraft, ReminderRequest, ReminderTemplate, RenderedReminder, TemplateView,
};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command(async)]
pub fn templates_get(
    state: State<'_, AppState>,
    language: Language,
) -> Result<TemplateView, IpcError> {
    Ok(reminders::template(state.db()?, language)?)
}

#[tauri::command(async)]
pub fn template_save(
    state: State<'_, AppState>,
    language: Language,
    template: ReminderTemplate,
) -> Result<TemplateView, IpcError> {
    Ok(reminders::save(state.db()?, language, template)?)
}

#[tauri::command(async)]
pub fn template_reset(
    state: State<'_, AppState>,
    language: Language,
) -> Result<TemplateView, IpcError> {
    Ok(reminders::reset(state.db()?, language)?)
}

/// The template being edited, unsaved, rendered with a sample receivable.
#[tauri::command(async)]
pub fn template_preview(
    state: State<'_, AppState>,
    language: Language,
    template: ReminderTemplate,
) -> Result<RenderedReminder, IpcError> {
    Ok(reminders::preview(
        state.db()?,
        language,
        template,
        &state.reading(),
    )?)
}

#[tauri::command(async)]
pub fn reminder_preview(
    state: State<'_, AppState>,
    request: ReminderRequest,
) -> Result<ReminderDraft, IpcError> {
    Ok(reminders::for_receivable(
        state.db()?,
        &request,
        &state.reading(),
    )?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::commands::test_support::{refused_field, TestApp};

    #[test]
    fn a_template_is_saved_refused_by_field_previewed_and_restored() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        let standard = app
            .invoke("templates_get", json!({ "language": "es" }))
            .expect("default");
        assert_eq!(standard["isDefault"], true);
        assert_eq!(standard["variables"][0]["name"], "cliente");
        assert_eq!(standard["variables"][0]["key"], "customer");

        let err = app
            .invoke(
                "template_save",
                json!({ "language": "es", "template": {
                    "subject": "Hola\nBcc: x@y.z", "body": "Pague a {{ banco }}" } }),
            )
            .expect_err("refused");
        assert_eq!(err["code"], "invalid_input");
        assert_eq!(refused_field(&err, "subject")["problem"], "multiple_lines");
        assert_eq!(refused_field(&err, "body")["problem"], "unknown_variable");
        assert_eq!(refused_field(&err, "body")["detail"], "banco");

        let mine = json!({ "subject": "Saldo de {{ cliente }}", "body": "Debe {{ saldo }}." });
        let preview = app
            .invoke(
                "template_preview",
                json!({ "language": "es", "template": mine }),
            )
            .expect("preview");
        assert_eq!(
            preview["subject"],
            "Saldo de Inversiones Pérez & Hijos, C.A."
        );
        assert_eq!(preview["text"], "Debe USD 850,00.\n");
        assert!(preview["html"]
            .as_str()
            .expect("html")
            .contains("Debe USD 850,00."));

        app.invoke(
            "template_save",
            json!({ "language": "es", "template": mine }),
        )
        .expect("saved");
        let app = app.restart(Some("es_VE.UTF-8"));
        let kept = app
            .invoke("templates_get", json!({ "language": "es" }))
            .expect("kept");
        assert_eq!(kept["isDefault"], false);
        assert_eq!(kept["template"]["subject"], "Saldo de {{ cliente }}");
        let restored = app
            .invoke("template_reset", json!({ "language": "es" }))
            .expect("reset");
        assert_eq!(restored["isDefault"], true);
        assert_eq!(
            restored["template"]["subject"],
            "Recordatorio de pago: {{ concepto }}"
        );
    }

    #[test]
    fn the_reminder_for_a_receivable_names_its_recipient_and_unknown_ones_are_not_found() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        let customer = app
            .invoke(
                "customer_create",
                json!({ "form": { "name": "Ana <Peña>", "email": "ana@example.com" } }),
            )
            .expect("customer");
        let today = app.invoke("today", json!({})).expect("today");
        let receivable = app
            .invoke(
                "receivable_create",
                json!({ "form": {
                    "customerId": customer["id"], "documentNumber": "F-1", "concept": "Pintura",
                    "currency": "USD", "amount": "10,00",
                    "issueDate": today["text"], "dueDate": today["text"] } }),
            )
            .expect("receivable");
        let id = &receivable["receivable"]["id"];
        let draft = app
            .invoke(
                "reminder_preview",
                json!({ "request": { "receivableId": id } }),
            )
            .expect("draft");
        assert_eq!(draft["recipient"], "ana@example.com");
        assert_eq!(draft["message"]["language"], "es");
        assert_eq!(draft["message"]["subject"], "Recordatorio de pago: Pintura");
        assert!(draft["message"]["html"]
            .as_str()
            .expect("html")
            .contains("Ana &lt;Peña&gt;"));
        let other = app
            .invoke(
                "reminder_preview",
                json!({ "request": { "receivableId": id, "recipient": "cobros@example.com" } }),
            )
            .expect("override");
        assert_eq!(other["recipient"], "cobros@example.com");
        let err = app
            .invoke(
                "reminder_preview",
                json!({ "request": { "receivableId": id, "recipient": "nope" } }),
            )
            .expect_err("bad address");
        assert_eq!(refused_field(&err, "recipient")["problem"], "invalid_email");
        let err = app
            .invoke(
                "reminder_preview",
                json!({ "request": { "receivableId": 4242 } }),
            )
            .expect_err("missing");
        assert_eq!(err["code"], "not_found");
    }
}
