//! "Enviar recordatorio de pago por email": queue the confirmed reminder and list a
//! receivable's reminders. The preview the owner confirms comes from `reminder_preview`.

use cachicamo_core::outbox::OutboxEntry;
use cachicamo_core::reminders::queue::{self, SendReminder};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

/// Queues the reminder (the worker sends it as soon as it can) and returns its outbox row.
#[tauri::command(async)]
pub fn reminder_send(
    state: State<'_, AppState>,
    request: SendReminder,
) -> Result<OutboxEntry, IpcError> {
    Ok(state
        .bookkeeper()?
        .send_reminder(&request, &state.reading())?)
}

#[tauri::command(async)]
pub fn receivable_reminders(
    state: State<'_, AppState>,
    receivable_id: i64,
) -> Result<Vec<OutboxEntry>, IpcError> {
    Ok(queue::of_receivable(state.db()?, receivable_id)?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::commands::test_support::{refused_field, TestApp};

    #[test]
    fn a_reminder_is_queued_listed_cancelled_and_retried_through_the_ipc() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        let customer = app
            .invoke(
                "customer_create",
                json!({ "form": { "name": "Bodega La Esquina", "email": "pagos@esquina.com" } }),
            )
            .expect("customer");
        let created = app
            .invoke(
                "receivable_create",
                json!({ "form": {
                    "customerId": customer["id"], "concept": "Harina", "currency": "USD",
                    "amount": "120", "issueDate": "01/03/2026", "dueDate": "15/03/2026"
                } }),
            )
            .expect("receivable");
        let id = created["receivable"]["id"].clone();
        let queued = app
            .invoke(
                "reminder_send",
                json!({ "request": { "receivableId": id } }),
            )
            .expect("queued");
        assert_eq!(queued["recipient"], "pagos@esquina.com");
        assert_eq!(queued["reference"], format!("receivable:{id}"));
        // No email service yet: it waits, it does not fail.
        let listed = app
            .invoke("receivable_reminders", json!({ "receivableId": id }))
            .expect("listed");
        assert_eq!(listed.as_array().map(Vec::len), Some(1));
        let outbox_id = queued["id"].clone();
        let cancelled = app
            .invoke(
                "outbox_act",
                json!({ "action": "cancel", "rows": { "kind": "one", "id": outbox_id } }),
            )
            .expect("cancelled");
        assert_eq!(cancelled[0]["state"], "cancelled");
        assert_eq!(cancelled[0]["cancelled"], "owner");
        let refused = app
            .invoke(
                "outbox_act",
                json!({ "action": "retry", "rows": { "kind": "one", "id": outbox_id } }),
            )
            .expect_err("a cancelled email stays cancelled");
        assert_eq!(refused["code"], "refused");
        let page = app
            .invoke("outbox_list", json!({ "before": null, "limit": 50 }))
            .expect("outbox");
        assert_eq!(page["entries"][0]["state"], "cancelled");

        let no_address = app
            .invoke(
                "reminder_send",
                json!({ "request": { "receivableId": id, "recipient": "x@" } }),
            )
            .expect_err("bad address");
        assert_eq!(
            refused_field(&no_address, "recipient")["problem"],
            "invalid_email"
        );
    }
}
