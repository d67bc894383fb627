//! Ajustes: the user's preferences.

use cachicamo_core::locale::Language;
use cachicamo_core::settings;
use cachicamo_core::wire;
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

/// Saves the language chosen in Ajustes and returns it; it applies at once and on every start.
#[tauri::command(async)]
pub fn set_language(state: State<'_, AppState>, language: Language) -> Result<Language, IpcError> {
    settings::set_language(state.db()?, language)?;
    tracing::info!(language = wire::code(&language), "language changed");
    Ok(language)
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
    fn an_unknown_language_is_refused_and_nothing_changes() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        app.invoke("set_language", json!({ "language": "fr" }))
            .expect_err("fr is not a language we speak");
        let boot = app.invoke("bootstrap", json!({})).expect("bootstrap");
        assert_eq!(boot["language"], "es");
    }
}
