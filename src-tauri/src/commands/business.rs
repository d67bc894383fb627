//! Ajustes → Negocio: the business, its formas de pago and the reference rate.

use cachicamo_core::books::currency::{self, Currency};
use cachicamo_core::business::{self, Business, BusinessView};
use cachicamo_core::payment_options::{self, PaymentOption, PaymentOptionsView};
use cachicamo_core::reference_rates::{self, ReferenceRate, ReferenceRateForm};
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

#[tauri::command(async)]
pub fn payment_options_get(state: State<'_, AppState>) -> Result<PaymentOptionsView, IpcError> {
    Ok(payment_options::view(state.db()?)?)
}

/// Replaces the whole list of formas de pago (the editor saves it whole).
#[tauri::command(async)]
pub fn payment_options_save(
    state: State<'_, AppState>,
    options: Vec<PaymentOption>,
) -> Result<PaymentOptionsView, IpcError> {
    Ok(payment_options::save(state.db()?, options)?)
}

/// The latest reference rate of each pair of currencies.
#[tauri::command(async)]
pub fn reference_rates_get(state: State<'_, AppState>) -> Result<Vec<ReferenceRate>, IpcError> {
    Ok(reference_rates::latest(state.db()?, &state.reading())?)
}

#[tauri::command(async)]
pub fn reference_rate_save(
    state: State<'_, AppState>,
    form: ReferenceRateForm,
) -> Result<ReferenceRate, IpcError> {
    Ok(reference_rates::save(state.db()?, &form, &state.reading())?)
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

    #[test]
    fn formas_de_pago_and_the_reference_rate_round_trip_and_name_bad_fields() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        let refused = app
            .invoke(
                "payment_options_save",
                json!({ "options": [{ "details": { "kind": "spei", "clabe": "123", "bank": "BBVA" },
                                      "currencies": ["MXN"] }] }),
            )
            .expect_err("bad CLABE");
        assert_eq!(
            refused_field(&refused, "0.clabe")["problem"],
            "invalid_clabe"
        );
        let saved = app
            .invoke(
                "payment_options_save",
                json!({ "options": [{ "details": { "kind": "pago_movil", "bank": "Banesco",
                                                   "phone": "04141234567", "idNumber": "v123456" },
                                      "currencies": ["VES"] },
                                    { "details": { "kind": "cash" }, "currencies": null }] }),
            )
            .expect("saved");
        assert_eq!(saved["methods"][0]["details"]["phone"], "0414-1234567");
        let read = app.invoke("payment_options_get", json!({})).expect("read");
        assert_eq!(read["methods"].as_array().map(Vec::len), Some(2));
        let rate = app
            .invoke(
                "reference_rate_save",
                json!({ "form": { "base": "USD", "quote": "VES", "rate": "36,50", "source": "BCV" } }),
            )
            .expect("rate");
        assert_eq!(
            (rate["rate"].clone(), rate["isToday"].clone()),
            (json!("36,50"), json!(true))
        );
        let rates = app.invoke("reference_rates_get", json!({})).expect("rates");
        assert_eq!(rates[0]["source"], "BCV");
    }
}
