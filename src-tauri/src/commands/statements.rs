//! Estados de cuenta: the statement of one customer (preview, send, their statements), the bulk
//! flow (plan, confirm) and the statement templates of Ajustes → Plantillas. Formas de pago and
//! the reference rate are in `business`.

use cachicamo_core::locale::Language;
use cachicamo_core::outbox::OutboxEntry;
use cachicamo_core::statements::bulk::{self, BulkPlan, BulkQueued, BulkSelection};
use cachicamo_core::statements::queue::{self, SendStatement, StatementDraft};
use cachicamo_core::statements::{
    sample, template, RenderedStatement, StatementTemplate, StatementTemplateView,
};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

/// The statement exactly as it would leave (recipient, subject, text, HTML, PDF pages).
#[tauri::command(async)]
pub fn statement_preview(
    state: State<'_, AppState>,
    request: SendStatement,
) -> Result<StatementDraft, IpcError> {
    Ok(queue::preview(state.db()?, &request, &state.reading())?)
}

/// Queues the statement with its PDF and returns its outbox row.
#[tauri::command(async)]
pub fn statement_send(
    state: State<'_, AppState>,
    request: SendStatement,
) -> Result<OutboxEntry, IpcError> {
    Ok(state
        .bookkeeper()?
        .send_statement(&request, &state.reading())?)
}

#[tauri::command(async)]
pub fn customer_statements(
    state: State<'_, AppState>,
    customer_id: i64,
) -> Result<Vec<OutboxEntry>, IpcError> {
    Ok(queue::of_customer(state.db()?, customer_id)?)
}

/// How many statements a bulk send makes, to whom, and who is set apart and why.
#[tauri::command(async)]
pub fn statements_plan(
    state: State<'_, AppState>,
    selection: BulkSelection,
) -> Result<BulkPlan, IpcError> {
    Ok(bulk::plan(state.db()?, &selection, &state.reading())?)
}

/// Queues every planned statement in one transaction.
#[tauri::command(async)]
pub fn statements_send_bulk(
    state: State<'_, AppState>,
    selection: BulkSelection,
    attach_pdf: bool,
) -> Result<BulkQueued, IpcError> {
    Ok(state
        .bookkeeper()?
        .send_statements(&selection, attach_pdf, &state.reading())?)
}

#[tauri::command(async)]
pub fn statement_templates_get(
    state: State<'_, AppState>,
    language: Language,
) -> Result<StatementTemplateView, IpcError> {
    Ok(template::view(state.db()?, language)?)
}

#[tauri::command(async)]
pub fn statement_template_save(
    state: State<'_, AppState>,
    language: Language,
    template: StatementTemplate,
) -> Result<StatementTemplateView, IpcError> {
    Ok(template::save(state.db()?, language, template)?)
}

#[tauri::command(async)]
pub fn statement_template_reset(
    state: State<'_, AppState>,
    language: Language,
) -> Result<StatementTemplateView, IpcError> {
    Ok(template::reset(state.db()?, language)?)
}

/// The template being edited, unsaved, with a sample statement and the real business.
#[tauri::command(async)]
pub fn statement_template_preview(
    state: State<'_, AppState>,
    language: Language,
    template: StatementTemplate,
) -> Result<RenderedStatement, IpcError> {
    Ok(sample::preview(
        state.db()?,
        language,
        template,
        &state.reading(),
    )?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::commands::test_support::{refused_field, TestApp};

    #[test]
    fn a_statement_is_previewed_queued_and_planned_through_the_ipc() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        let customer = app
            .invoke(
                "customer_create",
                json!({ "form": { "name": "<b>Bodega</b> La Esquina", "email": "pagos@esquina.com" } }),
            )
            .expect("customer");
        let id = customer["id"].clone();
        let nothing = app
            .invoke(
                "statement_preview",
                json!({ "request": { "customerId": id } }),
            )
            .expect_err("nothing owed");
        assert_eq!(nothing["code"], "refused");
        assert_eq!(nothing["details"]["reason"], "nothing_owed");
        app.invoke(
            "receivable_create",
            json!({ "form": {
                "customerId": id, "documentNumber": "F-1", "concept": "Harina",
                "currency": "USD", "amount": "120", "issueDate": "01/03/2026",
                "dueDate": "15/03/2026"
            } }),
        )
        .expect("receivable");
        let draft = app
            .invoke(
                "statement_preview",
                json!({ "request": { "customerId": id } }),
            )
            .expect("preview");
        assert_eq!(draft["recipient"], "pagos@esquina.com");
        assert_eq!(draft["attachPdf"], true);
        assert_eq!(draft["pdfPages"], 1);
        assert_eq!(draft["statement"]["groups"][0]["balance"], 12_000);
        assert!(!draft["message"]["html"]
            .as_str()
            .expect("html")
            .contains("<b>Bodega"));
        let queued = app
            .invoke("statement_send", json!({ "request": { "customerId": id } }))
            .expect("queued");
        assert_eq!(queued["reference"], format!("statement:{id}"));
        let file = queued["attachments"][0].as_str().expect("the PDF's name");
        assert!(
            file.starts_with("Estado de cuenta – ") && file.ends_with(".pdf"),
            "{file}"
        );
        let listed = app
            .invoke("customer_statements", json!({ "customerId": id }))
            .expect("listed");
        assert_eq!(listed.as_array().map(Vec::len), Some(1));
        let plan = app
            .invoke(
                "statements_plan",
                json!({ "selection": { "kind": "overdue" } }),
            )
            .expect("plan");
        assert_eq!(plan["messages"], json!([]));
        assert_eq!(plan["setAside"][0]["reason"], "no_email_service");
        let bad = app
            .invoke(
                "statement_preview",
                json!({ "request": { "customerId": id, "recipient": "x@" } }),
            )
            .expect_err("bad address");
        assert_eq!(refused_field(&bad, "recipient")["problem"], "invalid_email");
    }

    #[test]
    fn the_statement_template_is_saved_previewed_and_reset_through_the_ipc() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        let standard = app
            .invoke("statement_templates_get", json!({ "language": "es" }))
            .expect("default");
        assert_eq!(standard["isDefault"], true);
        let template = json!({ "subject": "Estado al {{ fecha }}", "intro": "Hola {{ cliente }}",
                               "closing": "Gracias" });
        let refused = app
            .invoke(
                "statement_template_save",
                json!({ "language": "es", "template": { "subject": "x", "intro": "{{ nombre }}",
                                                        "closing": "y" } }),
            )
            .expect_err("unknown variable");
        let intro = refused_field(&refused, "intro");
        assert_eq!(intro["problem"], "unknown_variable");
        assert_eq!(intro["detail"], "nombre");
        let preview = app
            .invoke(
                "statement_template_preview",
                json!({ "language": "es", "template": template }),
            )
            .expect("preview");
        assert!(preview["text"]
            .as_str()
            .expect("text")
            .starts_with("Hola Inversiones Pérez & Hijos, C.A."));
        let saved = app
            .invoke(
                "statement_template_save",
                json!({ "language": "es", "template": template }),
            )
            .expect("saved");
        assert_eq!(saved["isDefault"], false);
        let reset = app
            .invoke("statement_template_reset", json!({ "language": "es" }))
            .expect("reset");
        assert_eq!(reset["isDefault"], true);
    }
}
