//! "Enviar por WhatsApp": builds the wa.me link of a customer's statement (or a receivable's
//! reminder) and has the system open it — from Rust, so the webview is granted no opener — then
//! records "WhatsApp abierto".

use cachicamo_core::whatsapp::{self, WhatsAppLink, WhatsAppRequest};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_opener::OpenerExt;

use crate::error::{Failure, IpcError};
use crate::state::AppState;

#[tauri::command(async)]
pub fn whatsapp_open<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: WhatsAppRequest,
) -> Result<WhatsAppLink, IpcError> {
    let db = state.db()?;
    let link = whatsapp::link_for(db, &request, &state.reading())?;
    app.opener()
        .open_url(&link.url, None::<&str>)
        .map_err(|err| {
            tracing::warn!(error = %err, "the system could not open the WhatsApp link");
            IpcError::new(Failure::OpenFailed {}, err.to_string())
        })?;
    whatsapp::record_opened(db, &request, &link.phone)?;
    Ok(link)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::commands::test_support::{refused_field, TestApp};

    // Only the refusals: the successful path opens the system's handler, which the end-to-end
    // story points at a recording one.
    #[test]
    fn no_phone_or_one_that_cannot_be_dialled_is_refused_with_the_reason() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        let customer = app
            .invoke(
                "customer_create",
                json!({ "form": { "name": "Sin teléfono" } }),
            )
            .expect("customer");
        let refused = app
            .invoke(
                "whatsapp_open",
                json!({ "request": { "customerId": customer["id"] } }),
            )
            .expect_err("no phone");
        assert_eq!(refused["code"], "refused");
        assert_eq!(refused["details"]["reason"], "no_phone");
        let odd = app
            .invoke(
                "customer_create",
                json!({ "form": { "name": "Teléfono raro", "phone": "0414-123" } }),
            )
            .expect("customer");
        let refused = app
            .invoke(
                "whatsapp_open",
                json!({ "request": { "customerId": odd["id"] } }),
            )
            .expect_err("cannot be dialled");
        assert_eq!(refused_field(&refused, "phone")["problem"], "invalid_phone");
        let nothing = app
            .invoke(
                "customer_create",
                json!({ "form": { "name": "Al día", "phone": "0414-1234567" } }),
            )
            .expect("customer");
        let refused = app
            .invoke(
                "whatsapp_open",
                json!({ "request": { "customerId": nothing["id"] } }),
            )
            .expect_err("nothing owed");
        assert_eq!(refused["details"]["reason"], "nothing_owed");
    }
}
