//! Ajustes: the user's preferences.

use cachicamo_core::locale::Language;
use cachicamo_core::settings;
use cachicamo_core::wire;
use tauri::State;

use crate::error::IpcError;
use crate::evaluator::Evaluator;
use crate::state::AppState;

/// Saves the language chosen in Ajustes and returns it; it applies at once and on every start.
#[tauri::command(async)]
pub fn set_language(state: State<'_, AppState>, language: Language) -> Result<Language, IpcError> {
    settings::set_language(state.db()?, language)?;
    tracing::info!(language = wire::code(&language), "language changed");
    Ok(language)
}

/// Whether a desktop notification says when reminders wait (Ajustes → Inicio).
#[tauri::command(async)]
pub fn notices_get(state: State<'_, AppState>) -> Result<bool, IpcError> {
    Ok(settings::notify_waiting(state.db()?)?)
}

/// Turns the notices on or off; on, an evaluation follows at once, so what already waits is
/// announced now rather than in up to 15 minutes.
#[tauri::command(async)]
pub fn notices_set(
    state: State<'_, AppState>,
    evaluator: State<'_, Evaluator>,
    enabled: bool,
) -> Result<bool, IpcError> {
    settings::set_notify_waiting(state.db()?, enabled)?;
    tracing::info!(enabled, "desktop notices changed");
    if enabled {
        evaluator.nudge();
    }
    Ok(enabled)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::commands::test_support::TestApp;

    #[test]
    fn the_chosen_language_wins_over_the_os_and_survives_a_restart() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        let saved = app
            .invoke("set_language", json!({ "language": "en" }))
            .expect("save");
        assert_eq!(saved, "en");
        let app = app.restart(Some("es_VE.UTF-8"));
        let boot = app.invoke("bootstrap", json!({})).expect("bootstrap");
        assert_eq!(boot["language"], "en");
    }

    #[test]
    fn notices_are_off_until_turned_on_and_stay_as_left() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        assert_eq!(app.invoke("notices_get", json!({})).expect("get"), false);
        let saved = app
            .invoke("notices_set", json!({ "enabled": true }))
            .expect("on");
        assert_eq!(saved, true);
        let app = app.restart(Some("es_VE.UTF-8"));
        assert_eq!(app.invoke("notices_get", json!({})).expect("get"), true);
    }

    #[test]
    fn an_unknown_language_is_refused_and_nothing_changes() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        app.invoke("set_language", json!({ "language": "fr" }))
            .expect_err("fr is not a language we speak");
        let boot = app.invoke("bootstrap", json!({})).expect("bootstrap");
        assert_eq!(boot["language"], "es");
    }
}
