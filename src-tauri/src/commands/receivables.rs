//! Cuentas por cobrar, abonos and Pagos Pendientes.

use cachicamo_core::books::payments::{self, PaymentForm, PaymentPreview};
use cachicamo_core::books::pending::{self, PendingPage, PendingQuery};
use cachicamo_core::books::receivables::{self, Receivable, ReceivableDetail, ReceivableForm};
use tauri::State;

use super::books_change::BooksChange;
use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command(async)]
pub fn pending_list(
    state: State<'_, AppState>,
    query: PendingQuery,
) -> Result<PendingPage, IpcError> {
    Ok(pending::list(state.db()?, &query, &state.reading())?)
}

#[tauri::command(async)]
pub fn receivable_get(state: State<'_, AppState>, id: i64) -> Result<ReceivableDetail, IpcError> {
    Ok(receivables::detail(state.db()?, id, &state.reading())?)
}

#[tauri::command(async)]
pub fn customer_receivables(
    state: State<'_, AppState>,
    customer_id: i64,
) -> Result<Vec<Receivable>, IpcError> {
    Ok(receivables::of_customer(
        state.db()?,
        customer_id,
        &state.reading(),
    )?)
}

#[tauri::command(async)]
pub fn receivable_create(
    books: BooksChange<'_>,
    form: ReceivableForm,
) -> Result<ReceivableDetail, IpcError> {
    books.write(|db, reading| receivables::create(db, &form, reading))
}

#[tauri::command(async)]
pub fn receivable_update(
    books: BooksChange<'_>,
    id: i64,
    form: ReceivableForm,
) -> Result<ReceivableDetail, IpcError> {
    books.keep(|bookkeeper, reading| bookkeeper.update_receivable(id, &form, reading))
}

#[tauri::command(async)]
pub fn receivable_void(
    books: BooksChange<'_>,
    id: i64,
    reason: String,
) -> Result<ReceivableDetail, IpcError> {
    books.keep(|bookkeeper, reading| bookkeeper.void_receivable(id, &reason, reading))
}

/// What a payment would settle, shown while the user types it.
#[tauri::command(async)]
pub fn payment_preview(
    state: State<'_, AppState>,
    receivable_id: i64,
    form: PaymentForm,
) -> Result<PaymentPreview, IpcError> {
    Ok(payments::preview(
        state.db()?,
        receivable_id,
        &form,
        &state.reading(),
    )?)
}

#[tauri::command(async)]
pub fn payment_record(
    books: BooksChange<'_>,
    receivable_id: i64,
    form: PaymentForm,
) -> Result<ReceivableDetail, IpcError> {
    books.keep(|bookkeeper, reading| bookkeeper.record_payment(receivable_id, &form, reading))
}

#[tauri::command(async)]
pub fn payment_reverse(
    books: BooksChange<'_>,
    payment_id: i64,
    reason: String,
) -> Result<ReceivableDetail, IpcError> {
    books.keep(|bookkeeper, reading| bookkeeper.reverse_payment(payment_id, &reason, reading))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use crate::commands::test_support::{refused_field, TestApp};

    fn customer(app: &TestApp, name: &str) -> Value {
        app.invoke("customer_create", json!({ "form": { "name": name } }))
            .expect("customer")["id"]
            .clone()
    }

    #[test]
    fn a_receivable_is_created_paid_in_part_and_in_full_through_the_ipc() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        let customer = customer(&app, "Ferretería José Peña");
        let created = app
            .invoke(
                "receivable_create",
                json!({ "form": {
                    "customerId": customer, "documentNumber": "F-1", "concept": "Cemento",
                    "currency": "USD", "amount": "1.500,50",
                    "issueDate": "01/03/2026", "dueDate": "31/03/2026"
                } }),
            )
            .expect("created");
        let id = created["receivable"]["id"].clone();
        assert_eq!(created["receivable"]["balance"]["text"], "USD 1.500,50");
        assert_eq!(created["receivable"]["balance"]["minor"], 150_050);

        let page = app
            .invoke("pending_list", json!({ "query": { "search": "pena" } }))
            .expect("pending");
        assert_eq!(page["total"], 1);
        assert_eq!(page["totals"][0]["text"], "USD 1.500,50");

        let payment = json!({ "paidOn": "15/03/2026", "amount": "500,50", "method": "transfer" });
        let preview = app
            .invoke(
                "payment_preview",
                json!({ "receivableId": id, "form": payment }),
            )
            .expect("preview");
        assert_eq!(preview["applied"]["text"], "USD 500,50");
        assert_eq!(preview["advance"], false);
        let partly = app
            .invoke(
                "payment_record",
                json!({ "receivableId": id, "form": payment }),
            )
            .expect("partial");
        assert_eq!(partly["receivable"]["balance"]["text"], "USD 1.000,00");
        let paid = app
            .invoke(
                "payment_record",
                json!({ "receivableId": id, "form": {
                    "paidOn": "16/03/2026", "amount": "1.000", "method": "cash" } }),
            )
            .expect("rest");
        assert_eq!(paid["receivable"]["status"], "paid");
        let page = app
            .invoke("pending_list", json!({ "query": {} }))
            .expect("pending");
        assert_eq!(page["total"], 0);
        let listed = app
            .invoke("customer_receivables", json!({ "customerId": customer }))
            .expect("customer's receivables");
        assert_eq!(listed[0]["status"], "paid");
        let refused = app
            .invoke("customer_delete", json!({ "id": customer }))
            .expect_err("has receivables");
        assert_eq!(refused["code"], "refused");
        assert_eq!(refused["details"]["reason"], "customer_has_receivables");
    }

    #[test]
    fn amounts_follow_the_region_and_bad_ones_name_their_field() {
        let app = TestApp::new(Some("es_MX.UTF-8"));
        let customer = customer(&app, "Abarrotes Lupita");
        let err = app
            .invoke(
                "receivable_create",
                json!({ "form": {
                    "customerId": customer, "concept": "Mercancía", "currency": "MXN",
                    "amount": "1.500,50", "issueDate": "01/03/2026", "dueDate": "28/02/2026"
                } }),
            )
            .expect_err("Venezuelan writing in Mexico");
        assert_eq!(err["code"], "invalid_input");
        assert_eq!(refused_field(&err, "amount")["problem"], "invalid_amount");
        assert_eq!(
            refused_field(&err, "dueDate")["problem"],
            "due_before_issue"
        );
        let created = app
            .invoke(
                "receivable_create",
                json!({ "form": {
                    "customerId": customer, "concept": "Mercancía", "currency": "MXN",
                    "amount": "1,500.50", "issueDate": "01/03/2026", "dueDate": "31/03/2026"
                } }),
            )
            .expect("Mexican writing");
        assert_eq!(created["receivable"]["amount"]["text"], "MXN 1,500.50");
    }
}
