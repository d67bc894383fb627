//! Ajustes → Plantillas, the steps of the política de cobranza: each step's statement words
//! (or, for a step sent per receivable, its reminder words) per language — read, saved,
//! restored to the default. The live preview renders through the statement's and the
//! reminder's own preview commands: a step's words are the same kind of template.

use cachicamo_core::collections::step_words::{
    self, StepReminderTemplateView, StepStatementTemplateView,
};
use cachicamo_core::locale::Language;
use cachicamo_core::reminders::ReminderTemplate;
use cachicamo_core::statements::StatementTemplate;
use cachicamo_core::step_templates::StepKey;
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command(async)]
pub fn step_statement_words_get(
    state: State<'_, AppState>,
    step: StepKey,
    language: Language,
) -> Result<StepStatementTemplateView, IpcError> {
    Ok(step_words::statement_words(state.db()?, step, language)?)
}

#[tauri::command(async)]
pub fn step_statement_words_save(
    state: State<'_, AppState>,
    step: StepKey,
    language: Language,
    template: StatementTemplate,
) -> Result<StepStatementTemplateView, IpcError> {
    Ok(step_words::save_statement_words(
        state.db()?,
        step,
        language,
        template,
    )?)
}

/// "Restablecer": the step's statement says the default words again.
#[tauri::command(async)]
pub fn step_statement_words_reset(
    state: State<'_, AppState>,
    step: StepKey,
    language: Language,
) -> Result<StepStatementTemplateView, IpcError> {
    Ok(step_words::reset_statement_words(
        state.db()?,
        step,
        language,
    )?)
}

#[tauri::command(async)]
pub fn step_reminder_words_get(
    state: State<'_, AppState>,
    step: StepKey,
    language: Language,
) -> Result<StepReminderTemplateView, IpcError> {
    Ok(step_words::reminder_words(state.db()?, step, language)?)
}

#[tauri::command(async)]
pub fn step_reminder_words_save(
    state: State<'_, AppState>,
    step: StepKey,
    language: Language,
    template: ReminderTemplate,
) -> Result<StepReminderTemplateView, IpcError> {
    Ok(step_words::save_reminder_words(
        state.db()?,
        step,
        language,
        template,
    )?)
}

#[tauri::command(async)]
pub fn step_reminder_words_reset(
    state: State<'_, AppState>,
    step: StepKey,
    language: Language,
) -> Result<StepReminderTemplateView, IpcError> {
    Ok(step_words::reset_reminder_words(
        state.db()?,
        step,
        language,
    )?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::commands::test_support::{refused_field, TestApp};

    #[test]
    fn a_steps_words_are_saved_refused_by_field_kept_across_a_restart_and_restored() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        let settings = app
            .invoke("collection_policy_get", json!({}))
            .expect("settings");
        let mut policy = settings["policy"].clone();
        policy["rules"]["steps"] = settings["proposed"]["steps"].clone();
        app.invoke("collection_policy_save", json!({ "policy": policy }))
            .expect("four steps");
        let step = json!({ "policyId": 1, "offsetDays": 15 });

        let shown = app
            .invoke(
                "step_statement_words_get",
                json!({ "step": step, "language": "es" }),
            )
            .expect("default");
        assert_eq!(shown["isDefault"], true);
        assert_eq!(shown["variables"][0]["name"], "cliente");
        let proposed = shown["proposed"].clone();
        assert!(proposed["subject"]
            .as_str()
            .expect("subject")
            .starts_with("Último aviso"));

        let err = app
            .invoke(
                "step_statement_words_save",
                json!({ "step": step, "language": "es", "template": {
                    "subject": "Último aviso", "intro": "Pague a {{ banco }}", "closing": "Gracias" } }),
            )
            .expect_err("refused");
        assert_eq!(err["code"], "invalid_input");
        assert_eq!(refused_field(&err, "intro")["problem"], "unknown_variable");

        app.invoke(
            "step_statement_words_save",
            json!({ "step": step, "language": "es", "template": proposed }),
        )
        .expect("saved");
        let app = app.restart(Some("es_VE.UTF-8"));
        let kept = app
            .invoke(
                "step_statement_words_get",
                json!({ "step": step, "language": "es" }),
            )
            .expect("kept");
        assert_eq!(kept["isDefault"], false);
        assert_eq!(kept["template"], proposed);
        let reset = app
            .invoke(
                "step_statement_words_reset",
                json!({ "step": step, "language": "es" }),
            )
            .expect("reset");
        assert_eq!(reset["isDefault"], true);

        let reminder = app
            .invoke(
                "step_reminder_words_save",
                json!({ "step": { "policyId": 1, "offsetDays": 7 }, "language": "en",
                        "template": { "subject": "Second notice: {{ concept }}",
                                      "body": "{{ balance }} is still owed." } }),
            )
            .expect("reminder words");
        assert_eq!(
            reminder["template"]["subject"],
            "Second notice: {{ concept }}"
        );
        let err = app
            .invoke(
                "step_reminder_words_get",
                json!({ "step": { "policyId": 1, "offsetDays": 30 }, "language": "es" }),
            )
            .expect_err("no such step");
        assert_eq!(err["code"], "not_found");
    }
}
