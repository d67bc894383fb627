//! Ajustes → Cobranza: the política de cobranza, the guide's proposal, the OS time zone whose
//! calendar day the evaluator follows, and a customer's "sin recordatorios automáticos".

use cachicamo_core::clock;
use cachicamo_core::collections::policy::PolicyRules;
use cachicamo_core::collections::{self, CollectionSettings};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command(async)]
pub fn collection_policy_get(state: State<'_, AppState>) -> Result<CollectionSettings, IpcError> {
    Ok(CollectionSettings {
        rules: collections::policy(state.db()?)?,
        proposed: PolicyRules::proposed(),
        time_zone: clock::time_zone_name(),
        today: state.reading().date(clock::local_today()),
    })
}

#[tauri::command(async)]
pub fn collection_policy_save(
    state: State<'_, AppState>,
    rules: PolicyRules,
) -> Result<PolicyRules, IpcError> {
    Ok(collections::save_policy(state.db()?, rules)?)
}

#[tauri::command(async)]
pub fn customer_set_automatic(
    state: State<'_, AppState>,
    customer_id: i64,
    automatic: bool,
) -> Result<(), IpcError> {
    Ok(collections::set_automatic(
        state.db()?,
        customer_id,
        automatic,
    )?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::commands::test_support::{refused_field, TestApp};

    #[test]
    fn the_policy_is_off_proposed_refused_by_field_and_saved_through_the_ipc() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        let settings = app
            .invoke("collection_policy_get", json!({}))
            .expect("settings");
        assert_eq!(settings["rules"]["enabled"], false, "off until turned on");
        assert_eq!(
            settings["proposed"]["steps"].as_array().map(Vec::len),
            Some(4)
        );
        assert!(settings["today"]["text"].is_string());

        let refused = app
            .invoke(
                "collection_policy_save",
                json!({ "rules": { "enabled": true, "steps": [] } }),
            )
            .expect_err("no steps");
        assert_eq!(refused_field(&refused, "steps")["problem"], "required");

        let mut rules = settings["proposed"].clone();
        rules["enabled"] = json!(true);
        let saved = app
            .invoke("collection_policy_save", json!({ "rules": rules }))
            .expect("saved");
        assert_eq!(saved["enabled"], true);
        let again = app
            .invoke("collection_policy_get", json!({}))
            .expect("settings");
        assert_eq!(again["rules"], saved);
    }
}
