//! Ajustes → Región, and reading what the user types the region's way as they type it, so a
//! field can show the value it understood.

use cachicamo_core::books::dates::DateShown;
use cachicamo_core::books::money::Money;
use cachicamo_core::locale::{Region, RegionFormat};
use cachicamo_core::settings;
use cachicamo_core::wire;
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

/// Saves the region chosen in Ajustes; amounts and dates are written its way from now on.
#[tauri::command(async)]
pub fn set_region(state: State<'_, AppState>, region: Region) -> Result<RegionFormat, IpcError> {
    settings::set_region(state.db()?, region)?;
    tracing::info!(region = wire::code(&region), "region changed");
    Ok(region.format())
}

/// The amount `text` means in `currency`, or why it cannot be read.
#[tauri::command(async)]
pub fn read_amount(
    state: State<'_, AppState>,
    currency: String,
    text: String,
) -> Result<Money, IpcError> {
    Ok(state.reading().read_amount(&currency, &text)?)
}

/// The calendar date `text` means, or why it cannot be read.
#[tauri::command(async)]
pub fn read_date(state: State<'_, AppState>, text: String) -> Result<DateShown, IpcError> {
    Ok(state.reading().read_date(&text)?)
}

/// Today on the user's calendar, written the region's way (forms start from it).
#[tauri::command(async)]
pub fn today(state: State<'_, AppState>) -> DateShown {
    let reading = state.reading();
    reading.date(reading.today)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::commands::test_support::{refused_field, TestApp};

    #[test]
    fn typed_amounts_and_dates_are_read_back_the_regions_way() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        let amount = app
            .invoke(
                "read_amount",
                json!({ "currency": "USD", "text": "1.500,5" }),
            )
            .expect("amount");
        assert_eq!(amount["text"], "USD 1.500,50");
        let ambiguous = app
            .invoke("read_amount", json!({ "currency": "USD", "text": "1.50" }))
            .expect_err("ambiguous");
        assert_eq!(
            refused_field(&ambiguous, "amount")["problem"],
            "invalid_amount"
        );
        let absurd = app
            .invoke(
                "read_amount",
                json!({ "currency": "USD", "text": "1.000.000.000" }),
            )
            .expect_err("past the largest dollar amount");
        assert_eq!(
            refused_field(&absurd, "amount")["problem"],
            "amount_too_large"
        );
        assert_eq!(
            refused_field(&absurd, "amount")["detail"],
            "USD 999.999.999,99"
        );
        let date = app
            .invoke("read_date", json!({ "text": "5/3/2026" }))
            .expect("date");
        assert_eq!(date["iso"], "2026-03-05");
        assert_eq!(date["text"], "05/03/2026");
        let today = app.invoke("today", json!({})).expect("today");
        assert_eq!(today["text"].as_str().map(str::len), Some(10));
    }

    #[test]
    fn the_region_follows_the_os_until_chosen_and_an_unknown_one_changes_nothing() {
        let app = TestApp::new(Some("es_MX.UTF-8"));
        let boot = app.invoke("bootstrap", json!({})).expect("bootstrap");
        assert_eq!(boot["region"]["region"], "es-MX");
        assert_eq!(boot["region"]["amountExample"], "1,500.50");
        let saved = app
            .invoke("set_region", json!({ "region": "es-VE" }))
            .expect("save");
        assert_eq!(saved["amountExample"], "1.500,50");
        assert_eq!(saved["dateExample"], "31/12/2026");
        app.invoke("set_region", json!({ "region": "xx-XX" }))
            .expect_err("not a region");
        let app = app.restart(Some("es_MX.UTF-8"));
        let boot = app.invoke("bootstrap", json!({})).expect("bootstrap");
        assert_eq!(boot["region"]["region"], "es-VE");
    }
}
