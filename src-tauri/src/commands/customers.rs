//! Clientes.

use cachicamo_core::books::customers::{self, Customer, CustomerForm, CustomerPage, CustomerQuery};
use cachicamo_core::undeliverable::{self, Undeliverable};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command(async)]
pub fn customers_list(
    state: State<'_, AppState>,
    query: CustomerQuery,
) -> Result<CustomerPage, IpcError> {
    Ok(customers::list(state.db()?, &query)?)
}

#[tauri::command(async)]
pub fn customer_get(state: State<'_, AppState>, id: i64) -> Result<Customer, IpcError> {
    Ok(customers::get(state.db()?, id)?)
}

/// A new customer's email language defaults to the app's language.
#[tauri::command(async)]
pub fn customer_create(
    state: State<'_, AppState>,
    form: CustomerForm,
) -> Result<Customer, IpcError> {
    Ok(customers::create(state.db()?, form, state.language())?)
}

#[tauri::command(async)]
pub fn customer_update(
    state: State<'_, AppState>,
    id: i64,
    form: CustomerForm,
) -> Result<Customer, IpcError> {
    Ok(state
        .bookkeeper()?
        .update_customer(id, form, state.language())?)
}

#[tauri::command(async)]
pub fn customer_set_archived(
    state: State<'_, AppState>,
    id: i64,
    archived: bool,
) -> Result<Customer, IpcError> {
    Ok(customers::set_archived(state.db()?, id, archived)?)
}

/// "No entregable": why the customer's address does not receive mail, if it does not.
#[tauri::command(async)]
pub fn customer_address_status(
    state: State<'_, AppState>,
    id: i64,
) -> Result<Option<Undeliverable>, IpcError> {
    Ok(undeliverable::of_customer(state.db()?, id)?)
}

/// The owner confirms the customer's address: mail may go to it again.
#[tauri::command(async)]
pub fn customer_address_confirm(state: State<'_, AppState>, id: i64) -> Result<bool, IpcError> {
    Ok(undeliverable::confirm_customer_address(state.db()?, id)?)
}

#[tauri::command(async)]
pub fn customer_delete(state: State<'_, AppState>, id: i64) -> Result<(), IpcError> {
    Ok(customers::delete(state.db()?, id)?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::commands::test_support::{refused_field, TestApp};

    #[test]
    fn customers_round_trip_through_the_ipc_in_the_apps_language() {
        let app = TestApp::new(Some("en_US.UTF-8"));
        let created = app
            .invoke(
                "customer_create",
                json!({ "form": { "name": "Bodega La Esquina", "email": "pagos@esquina.com" } }),
            )
            .expect("created");
        assert_eq!(
            created["emailLanguage"], "en",
            "defaults to the app's language"
        );
        let id = created["id"].clone();
        let page = app
            .invoke(
                "customers_list",
                json!({ "query": { "search": "esquina" } }),
            )
            .expect("list");
        assert_eq!(page["total"], 1);
        let archived = app
            .invoke(
                "customer_set_archived",
                json!({ "id": id, "archived": true }),
            )
            .expect("archived");
        assert_eq!(archived["archived"], true);
        app.invoke("customer_delete", json!({ "id": id }))
            .expect("deleted");
        let err = app
            .invoke("customer_get", json!({ "id": id }))
            .expect_err("gone");
        assert_eq!(err["code"], "not_found");
    }

    #[test]
    fn an_invalid_customer_names_each_field() {
        let app = TestApp::new(None);
        let err = app
            .invoke(
                "customer_create",
                json!({ "form": { "name": "", "email": "x@" } }),
            )
            .expect_err("invalid");
        assert_eq!(err["code"], "invalid_input");
        assert_eq!(refused_field(&err, "name")["problem"], "required");
        assert_eq!(refused_field(&err, "email")["problem"], "invalid_email");
    }
}
