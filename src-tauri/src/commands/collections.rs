//! Ajustes → Cobranza (the políticas de cobranza — the shop's and named ones —, the guide's
//! proposal, the OS time zone whose calendar day the evaluator follows, the policy a customer
//! follows or "sin recordatorios automáticos") and Cobros de hoy (its lines; Enviar, Enviar
//! todos, Omitir, Posponer hasta…).

use cachicamo_core::clock;
use cachicamo_core::collections::form::{self, PolicyForm};
use cachicamo_core::collections::policies::{self, CustomerPolicy, PolicyDeletion, PolicySummary};
use cachicamo_core::collections::policy::PolicyRules;
use cachicamo_core::collections::simulate::{self, SimulatedDay};
use cachicamo_core::collections::today::{self, TodayPage};
use cachicamo_core::collections::{self, CollectionSettings};
use tauri::State;

use crate::commands::books_change::BooksChange;
use crate::error::IpcError;
use crate::state::AppState;

/// Ajustes → Cobranza with policy `policy_id` in the form (the shop's when absent).
#[tauri::command(async)]
pub fn collection_policy_get(
    state: State<'_, AppState>,
    policy_id: Option<i64>,
) -> Result<CollectionSettings, IpcError> {
    let reading = state.reading();
    let policy_id = policy_id.unwrap_or(collections::DEFAULT_POLICY);
    let (policies, rules) = state.db()?.read(|conn| {
        Ok::<_, collections::CollectionsError>((
            policies::list(conn)?,
            policies::rules_of(conn, policy_id)?,
        ))
    })?;
    Ok(CollectionSettings {
        policies,
        policy_id,
        policy: PolicyForm::shown(rules, &reading),
        proposed: PolicyRules::proposed(),
        time_zone: clock::time_zone_name(),
        today: reading.date(clock::local_today()),
    })
}

/// Saves policy `policy_id` (the shop's when absent); the evaluator runs at once, so turning it
/// on (or a new minimum) shows in Cobros de hoy without waiting for the next quarter of an hour.
#[tauri::command(async)]
pub fn collection_policy_save(
    books: BooksChange<'_>,
    policy_id: Option<i64>,
    policy: PolicyForm,
) -> Result<PolicyForm, IpcError> {
    let policy_id = policy_id.unwrap_or(collections::DEFAULT_POLICY);
    books.write(|db, reading| form::save(db, policy_id, policy, reading))
}

/// "Nueva política": named, off, without steps.
#[tauri::command(async)]
pub fn collection_policy_create(
    state: State<'_, AppState>,
    name: String,
) -> Result<PolicySummary, IpcError> {
    Ok(policies::create(state.db()?, &name)?)
}

#[tauri::command(async)]
pub fn collection_policy_rename(
    state: State<'_, AppState>,
    policy_id: i64,
    name: String,
) -> Result<PolicySummary, IpcError> {
    Ok(policies::rename(state.db()?, policy_id, &name)?)
}

/// "Eliminar": unless `confirmed`, a policy customers follow stays and says how many.
#[tauri::command(async)]
pub fn collection_policy_delete(
    books: BooksChange<'_>,
    policy_id: i64,
    confirmed: bool,
) -> Result<PolicyDeletion, IpcError> {
    books.write(|db, _| policies::delete(db, policy_id, confirmed))
}

/// The policy the customer follows, and the ones they could.
#[tauri::command(async)]
pub fn customer_policy(
    state: State<'_, AppState>,
    customer_id: i64,
) -> Result<CustomerPolicy, IpcError> {
    Ok(policies::of_customer(state.db()?, customer_id)?)
}

/// `policy_id` null: "sin recordatorios automáticos". The evaluator runs at once.
#[tauri::command(async)]
pub fn customer_set_policy(
    books: BooksChange<'_>,
    customer_id: i64,
    policy_id: Option<i64>,
) -> Result<(), IpcError> {
    books.write(|db, _| policies::follow(db, customer_id, policy_id))
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
pub fn collection_send(books: BooksChange<'_>, slot_id: i64) -> Result<bool, IpcError> {
    let queued = books.write(|db, reading| today::send(db, slot_id, reading))?;
    books.state().outbox_queued(queued.as_slice());
    Ok(queued.is_some())
}

/// "Enviar todos": every line due (held ones wait for their own Enviar); how many were queued.
#[tauri::command(async)]
pub fn collection_send_all(books: BooksChange<'_>) -> Result<u32, IpcError> {
    let queued = books.write(today::send_all)?;
    books.state().outbox_queued(&queued);
    Ok(u32::try_from(queued.len()).unwrap_or(u32::MAX))
}

#[tauri::command(async)]
pub fn collection_skip(books: BooksChange<'_>, slot_id: i64) -> Result<bool, IpcError> {
    books.write(|db, reading| today::skip(db, slot_id, reading.today))
}

/// "Ya se envió" on a line held by a restore.
#[tauri::command(async)]
pub fn collection_already_sent(books: BooksChange<'_>, slot_id: i64) -> Result<bool, IpcError> {
    books.write(|db, reading| today::already_sent(db, slot_id, reading.today))
}

#[tauri::command(async)]
pub fn collection_postpone(
    books: BooksChange<'_>,
    slot_id: i64,
    until: String,
) -> Result<bool, IpcError> {
    books.write(|db, reading| today::postpone(db, slot_id, &until, reading))
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
        let followed = |app: &TestApp| {
            app.invoke("customer_policy", json!({ "customerId": customer }))
                .expect("policy")
        };
        assert_eq!(
            followed(&app)["policyId"],
            1,
            "customers follow the shop's policy"
        );
        app.invoke(
            "customer_set_policy",
            json!({ "customerId": customer, "policyId": null }),
        )
        .expect("sin recordatorios automáticos");
        assert_eq!(followed(&app)["policyId"], json!(null));
    }

    #[test]
    fn a_named_policy_is_created_edited_chosen_for_a_customer_and_deleted_after_asking() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        let refused = app
            .invoke("collection_policy_create", json!({ "name": "  " }))
            .expect_err("no name");
        assert_eq!(refused_field(&refused, "name")["problem"], "required");
        let created = app
            .invoke(
                "collection_policy_create",
                json!({ "name": " Mayoristas " }),
            )
            .expect("created");
        assert_eq!(created["name"], "Mayoristas");
        let id = created["id"].clone();
        let taken = app
            .invoke("collection_policy_create", json!({ "name": "MAYORISTAS" }))
            .expect_err("taken");
        assert_eq!(
            refused_field(&taken, "name")["problem"],
            "duplicate_policy_name"
        );

        let rules = json!({ "enabled": true, "steps": [
            { "offsetDays": 30, "label": "Mayoristas: 30 días", "unit": "statement" }
        ] });
        app.invoke(
            "collection_policy_save",
            json!({ "policyId": id, "policy": { "rules": rules, "minimums": [] } }),
        )
        .expect("saved");
        let settings = app
            .invoke("collection_policy_get", json!({ "policyId": id }))
            .expect("settings");
        assert_eq!(settings["policyId"], id);
        assert_eq!(settings["policy"]["rules"]["steps"][0]["offsetDays"], 30);
        assert_eq!(
            settings["policies"]
                .as_array()
                .map(|list| list.iter().map(|p| p["name"].clone()).collect::<Vec<_>>()),
            Some(vec![json!("Política de cobranza"), json!("Mayoristas")])
        );
        let renamed = app
            .invoke(
                "collection_policy_rename",
                json!({ "policyId": id, "name": "Mayoristas 30" }),
            )
            .expect("renamed");
        assert_eq!(renamed["name"], "Mayoristas 30");

        let customer = app
            .invoke(
                "customer_create",
                json!({ "form": { "name": "Distribuidora Peña" } }),
            )
            .expect("customer")["id"]
            .clone();
        app.invoke(
            "customer_set_policy",
            json!({ "customerId": customer, "policyId": id }),
        )
        .expect("chosen");
        let chosen = app
            .invoke("customer_policy", json!({ "customerId": customer }))
            .expect("policy");
        assert_eq!(chosen["policyId"], id);
        assert_eq!(chosen["policies"][1]["customers"], 1);

        let asked = app
            .invoke(
                "collection_policy_delete",
                json!({ "policyId": id, "confirmed": false }),
            )
            .expect("asked");
        assert_eq!(asked, json!({ "deleted": false, "customers": 1 }));
        let deleted = app
            .invoke(
                "collection_policy_delete",
                json!({ "policyId": id, "confirmed": true }),
            )
            .expect("deleted");
        assert_eq!(deleted, json!({ "deleted": true, "customers": 1 }));
        let chosen = app
            .invoke("customer_policy", json!({ "customerId": customer }))
            .expect("policy");
        assert_eq!(chosen["policyId"], 1);
        let gone = app
            .invoke("collection_policy_get", json!({ "policyId": id }))
            .expect_err("deleted");
        assert_eq!(gone["code"], "not_found");
    }
}
