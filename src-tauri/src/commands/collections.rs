//! Ajustes → Cobranza (the política de cobranza, the guide's proposal, the OS time zone whose
//! calendar day the evaluator follows, a customer's "sin recordatorios automáticos") and Cobros
//! de hoy (its lines; Enviar, Enviar todos, Omitir, Posponer hasta…).

use cachicamo_core::clock;
use cachicamo_core::collections::form::{self, PolicyForm};
use cachicamo_core::collections::policy::PolicyRules;
use cachicamo_core::collections::simulate::{self, SimulatedDay};
use cachicamo_core::collections::today::{self, TodayPage};
use cachicamo_core::collections::{self, CollectionSettings};
use cachicamo_core::outbox::OutboxId;
use tauri::State;

use crate::error::IpcError;
use crate::evaluator::Evaluator;
use crate::state::AppState;

#[tauri::command(async)]
pub fn collection_policy_get(state: State<'_, AppState>) -> Result<CollectionSettings, IpcError> {
    let reading = state.reading();
    Ok(CollectionSettings {
        policy: PolicyForm::shown(collections::policy(state.db()?)?, &reading),
        proposed: PolicyRules::proposed(),
        time_zone: clock::time_zone_name(),
        today: reading.date(clock::local_today()),
    })
}

/// Saves the policy; the evaluator runs at once, so turning it on (or a new minimum) shows in
/// Cobros de hoy without waiting for the next quarter of an hour.
#[tauri::command(async)]
pub fn collection_policy_save(
    state: State<'_, AppState>,
    evaluator: State<'_, Evaluator>,
    policy: PolicyForm,
) -> Result<PolicyForm, IpcError> {
    Ok(evaluator.after(form::save(state.db()?, policy, &state.reading())?))
}

#[tauri::command(async)]
pub fn customer_automatic(state: State<'_, AppState>, customer_id: i64) -> Result<bool, IpcError> {
    Ok(collections::automatic(state.db()?, customer_id)?)
}

#[tauri::command(async)]
pub fn customer_set_automatic(
    state: State<'_, AppState>,
    evaluator: State<'_, Evaluator>,
    customer_id: i64,
    automatic: bool,
) -> Result<(), IpcError> {
    collections::set_automatic(state.db()?, customer_id, automatic)?;
    evaluator.nudge();
    Ok(())
}

/// Simulación: what the saved policy would send in the next `days` days (at most 60).
#[tauri::command(async)]
pub fn collections_simulate(
    state: State<'_, AppState>,
    days: u32,
) -> Result<Vec<SimulatedDay>, IpcError> {
    let reading = state.reading();
    Ok(state
        .db()?
        .read(|conn| simulate::simulate(conn, &reading, days))?)
}

/// Cobros de hoy: the first `limit` lines and how many wait.
#[tauri::command(async)]
pub fn collections_today(state: State<'_, AppState>, limit: u32) -> Result<TodayPage, IpcError> {
    Ok(today::list(state.db()?, &state.reading(), limit)?)
}

/// Enviar one line: `false` when it no longer waited (sent elsewhere, skipped).
#[tauri::command(async)]
pub fn collection_send(
    state: State<'_, AppState>,
    evaluator: State<'_, Evaluator>,
    slot_id: i64,
) -> Result<bool, IpcError> {
    let queued = today::send(state.db()?, slot_id, &state.reading())?;
    wake(&state, queued.as_slice());
    evaluator.nudge();
    Ok(queued.is_some())
}

/// "Enviar todos": every line due (held ones wait for their own Enviar); how many were queued.
#[tauri::command(async)]
pub fn collection_send_all(
    state: State<'_, AppState>,
    evaluator: State<'_, Evaluator>,
) -> Result<u32, IpcError> {
    let queued = today::send_all(state.db()?, &state.reading())?;
    wake(&state, &queued);
    evaluator.nudge();
    Ok(u32::try_from(queued.len()).unwrap_or(u32::MAX))
}

#[tauri::command(async)]
pub fn collection_skip(
    state: State<'_, AppState>,
    evaluator: State<'_, Evaluator>,
    slot_id: i64,
) -> Result<bool, IpcError> {
    Ok(evaluator.after(today::skip(state.db()?, slot_id, state.reading().today)?))
}

#[tauri::command(async)]
pub fn collection_postpone(
    state: State<'_, AppState>,
    evaluator: State<'_, Evaluator>,
    slot_id: i64,
    until: String,
) -> Result<bool, IpcError> {
    Ok(evaluator.after(today::postpone(
        state.db()?,
        slot_id,
        &until,
        &state.reading(),
    )?))
}

/// The worker is told at once (it would find them anyway at its next look).
fn wake(state: &AppState, queued: &[OutboxId]) {
    if let Ok(outbox) = state.outbox() {
        for id in queued {
            outbox.queued(*id);
        }
    }
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
        assert_eq!(
            settings["policy"]["rules"]["enabled"], false,
            "off until turned on"
        );
        assert_eq!(
            settings["proposed"]["steps"].as_array().map(Vec::len),
            Some(4)
        );
        assert!(settings["today"]["text"].is_string());

        let refused = app
            .invoke(
                "collection_policy_save",
                json!({ "policy": { "rules": { "enabled": true, "steps": [] }, "minimums": [] } }),
            )
            .expect_err("no steps");
        assert_eq!(refused_field(&refused, "steps")["problem"], "required");

        let mut rules = settings["proposed"].clone();
        rules["enabled"] = json!(true);
        // A minimum typed the region's way: refused next to its row, then read and kept.
        let policy = |amount: &str| {
            json!({ "policy": {
                "rules": rules,
                "minimums": [
                    { "currency": "USD", "amount": "25,50" },
                    { "currency": "VES", "amount": amount },
                ],
            } })
        };
        let refused = app
            .invoke("collection_policy_save", policy("1.500,5x"))
            .expect_err("unreadable amount");
        assert_eq!(
            refused_field(&refused, "minimums.1.amount")["problem"],
            "invalid_amount"
        );
        let saved = app
            .invoke("collection_policy_save", policy("1500"))
            .expect("saved");
        assert_eq!(saved["rules"]["enabled"], true);
        assert_eq!(
            saved["rules"]["minimums"],
            json!([{ "currency": "USD", "minor": 2550 }, { "currency": "VES", "minor": 150_000 }])
        );
        assert_eq!(saved["minimums"][1]["amount"], "1.500,00");
        let again = app
            .invoke("collection_policy_get", json!({}))
            .expect("settings");
        assert_eq!(again["policy"], saved);

        let customer = app
            .invoke(
                "customer_create",
                json!({ "form": { "name": "Peña & Hijos" } }),
            )
            .expect("customer")["id"]
            .clone();
        let automatic = |app: &TestApp| {
            app.invoke("customer_automatic", json!({ "customerId": customer }))
                .expect("automatic")
        };
        assert_eq!(automatic(&app), true, "customers follow the shop's policy");
        app.invoke(
            "customer_set_automatic",
            json!({ "customerId": customer, "automatic": false }),
        )
        .expect("sin recordatorios automáticos");
        assert_eq!(automatic(&app), false);
    }
}
