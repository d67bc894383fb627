//! Pausas de cobranza: a customer's pauses (with their history), the chips of a page of
//! customers, starting one and "Quitar pausa".

use cachicamo_core::books::pauses::{self, Pause, PauseChip, PauseForm};
use tauri::State;

use super::books_change::BooksChange;
use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command(async)]
pub fn customer_pauses(
    state: State<'_, AppState>,
    customer_id: i64,
) -> Result<Vec<Pause>, IpcError> {
    Ok(pauses::of_customer(
        state.db()?,
        customer_id,
        &state.reading(),
    )?)
}

#[tauri::command(async)]
pub fn pause_chips(
    state: State<'_, AppState>,
    customer_ids: Vec<i64>,
) -> Result<Vec<PauseChip>, IpcError> {
    Ok(pauses::chips(state.db()?, &customer_ids, &state.reading())?)
}

/// What is already waiting for the customer is held or cancelled in the same transaction.
#[tauri::command(async)]
pub fn pause_start(books: BooksChange<'_>, form: PauseForm) -> Result<Pause, IpcError> {
    books.keep(|bookkeeper, reading| bookkeeper.start_pause(&form, reading))
}

#[tauri::command(async)]
pub fn pause_end(books: BooksChange<'_>, id: i64) -> Result<Pause, IpcError> {
    books.keep(|bookkeeper, reading| bookkeeper.end_pause(id, reading))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::commands::test_support::{refused_field, TestApp};

    #[test]
    fn a_pause_is_refused_by_field_started_listed_as_a_chip_and_removed_through_the_ipc() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        let customer = app
            .invoke(
                "customer_create",
                json!({ "form": { "name": "Peña & Hijos", "email": "cobros@pena.com.ve" } }),
            )
            .expect("customer")["id"]
            .clone();

        let refused = app
            .invoke(
                "pause_start",
                json!({ "form": { "customerId": customer, "kind": "promise", "until": "" } }),
            )
            .expect_err("a promise needs its day");
        assert_eq!(refused_field(&refused, "until")["problem"], "required");

        let started = app
            .invoke(
                "pause_start",
                json!({ "form": { "customerId": customer, "kind": "do_not_contact",
                                  "note": "Lo pidió por teléfono" } }),
            )
            .expect("started");
        assert_eq!(started["state"], "active");
        let chips = app
            .invoke("pause_chips", json!({ "customerIds": [customer] }))
            .expect("chips");
        assert_eq!(chips[0]["kind"], "do_not_contact", "{chips}");

        let ended = app
            .invoke("pause_end", json!({ "id": started["id"] }))
            .expect("ended");
        assert_eq!(
            (&ended["state"], &ended["endReason"]),
            (&json!("ended"), &json!("owner"))
        );
        let history = app
            .invoke("customer_pauses", json!({ "customerId": customer }))
            .expect("history");
        assert_eq!(history.as_array().map(Vec::len), Some(1), "{history}");
        let chips = app
            .invoke("pause_chips", json!({ "customerIds": [customer] }))
            .expect("chips");
        assert_eq!(chips, json!([]));
    }
}
