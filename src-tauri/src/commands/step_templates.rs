//! Ajustes → Plantillas, the steps of the política de cobranza: each step's words per language
//! — the statement's, or for a step sent per receivable the reminder's, as the core decides by
//! the step's unit — read, saved, restored to the default. The live preview renders through the
//! statement's and the reminder's own preview commands: a step's words are the same kind of
//! template.

use cachicamo_core::collections::step_words::{self, StepTemplate, StepTemplateView};
use cachicamo_core::locale::Language;
use cachicamo_core::step_templates::StepKey;
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command(async)]
pub fn step_words_get(
    state: State<'_, AppState>,
    step: StepKey,
    language: Language,
) -> Result<StepTemplateView, IpcError> {
    Ok(step_words::words(state.db()?, step, language)?)
}

#[tauri::command(async)]
pub fn step_words_save(
    state: State<'_, AppState>,
    step: StepKey,
    language: Language,
    template: StepTemplate,
) -> Result<StepTemplateView, IpcError> {
    Ok(step_words::save_words(
        state.db()?,
        step,
        language,
        template,
    )?)
}

/// "Restablecer": the step says its unit's default words again.
#[tauri::command(async)]
pub fn step_words_reset(
    state: State<'_, AppState>,
    step: StepKey,
    language: Language,
) -> Result<StepTemplateView, IpcError> {
    Ok(step_words::reset_words(state.db()?, step, language)?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::commands::test_support::{refused_field, TestApp};

    #[test]
    fn a_steps_words_are_its_units_saved_refused_by_field_kept_across_a_restart_and_restored() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        let settings = app
            .invoke("collection_policy_get", json!({}))
            .expect("settings");
        let mut policy = settings["policy"].clone();
        policy["rules"]["steps"] = settings["proposed"]["steps"].clone();
        // The segundo aviso (+7) goes per receivable: its words are a reminder's.
        policy["rules"]["steps"][2]["unit"] = json!("receivable");
        app.invoke("collection_policy_save", json!({ "policy": policy }))
            .expect("four steps");
        let step = json!({ "policyId": 1, "offsetDays": 15 });
        let words = |step: &serde_json::Value| json!({ "step": step, "language": "es" });

        let shown = app.invoke("step_words_get", words(&step)).expect("default");
        assert_eq!(shown["unit"], "statement");
        assert_eq!(shown["isDefault"], true);
        assert_eq!(shown["variables"][0]["name"], "cliente");
        let mut proposed = shown["proposed"].clone();
        assert!(proposed["subject"]
            .as_str()
            .expect("subject")
            .starts_with("Último aviso"));
        proposed["unit"] = json!("statement");

        let err = app
            .invoke(
                "step_words_save",
                json!({ "step": step, "language": "es", "template": { "unit": "statement",
                    "subject": "Último aviso", "intro": "Pague a {{ banco }}", "closing": "Gracias" } }),
            )
            .expect_err("refused");
        assert_eq!(err["code"], "invalid_input");
        assert_eq!(refused_field(&err, "intro")["problem"], "unknown_variable");

        app.invoke(
            "step_words_save",
            json!({ "step": step, "language": "es", "template": proposed }),
        )
        .expect("saved");
        let app = app.restart(Some("es_VE.UTF-8"));
        let kept = app.invoke("step_words_get", words(&step)).expect("kept");
        assert_eq!(kept["isDefault"], false);
        assert_eq!(kept["template"]["subject"], proposed["subject"]);
        assert_eq!(kept["template"]["closing"], proposed["closing"]);
        let reset = app.invoke("step_words_reset", words(&step)).expect("reset");
        assert_eq!(reset["isDefault"], true);

        let second = json!({ "policyId": 1, "offsetDays": 7 });
        let shown = app.invoke("step_words_get", words(&second)).expect("+7");
        assert_eq!(shown["unit"], "receivable");
        assert!(shown["proposed"]["body"].is_string(), "a reminder's words");
        let reminder = app
            .invoke(
                "step_words_save",
                json!({ "step": second, "language": "en",
                        "template": { "unit": "receivable",
                                      "subject": "Second notice: {{ concept }}",
                                      "body": "{{ balance }} is still owed." } }),
            )
            .expect("reminder words");
        assert_eq!(reminder["unit"], "receivable");
        assert_eq!(
            reminder["template"]["subject"],
            "Second notice: {{ concept }}"
        );
        // A statement's words for it: the step no longer sends one (another window changed it).
        let err = app
            .invoke(
                "step_words_save",
                json!({ "step": second, "language": "es", "template": proposed }),
            )
            .expect_err("not a statement step");
        assert_eq!(err["code"], "not_found");
        let err = app
            .invoke(
                "step_words_get",
                words(&json!({ "policyId": 1, "offsetDays": 30 })),
            )
            .expect_err("no such step");
        assert_eq!(err["code"], "not_found");
    }
}
