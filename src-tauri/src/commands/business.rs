//! Ajustes → Negocio.

use cachicamo_core::books::currency::{self, Currency};
use cachicamo_core::business::{self, Business, BusinessView};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command(async)]
pub fn business_get(state: State<'_, AppState>) -> Result<BusinessView, IpcError> {
    Ok(business::view(state.db()?)?)
}

#[tauri::command(async)]
pub fn business_save(state: State<'_, AppState>, business: Business) -> Result<Business, IpcError> {
    Ok(business::save(state.db()?, business)?)
}

#[tauri::command(async)]
pub fn currencies() -> Vec<Currency> {
    currency::SUPPORTED.to_vec()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::commands::test_support::{refused_field, TestApp};

    #[test]
    fn the_business_round_trips_and_bad_fields_are_named() {
        let app = TestApp::new(None);
        let err = app
            .invoke(
                "business_save",
                json!({ "business": { "defaultCurrency": "XYZ" } }),
            )
            .expect_err("unknown currency");
        assert_eq!(
            refused_field(&err, "defaultCurrency")["problem"],
            "unknown_currency"
        );
        let saved = app
            .invoke(
                "business_save",
                json!({ "business": { "name": "Ferretería Peña", "defaultCurrency": "VES" } }),
            )
            .expect("saved");
        assert_eq!(saved["defaultCurrency"], "VES");
        let app = app.restart(None);
        let read = app.invoke("business_get", json!({})).expect("read");
        assert_eq!(read["business"]["name"], "Ferretería Peña");
        assert_eq!(read["problems"], json!([]));
        let currencies = app.invoke("currencies", json!({})).expect("list");
        assert!(currencies
            .as_array()
            .expect("array")
            .iter()
            .any(|c| c["code"] == "CLP" && c["minorUnits"] == 0));
    }
}
