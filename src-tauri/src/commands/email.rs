//! Integraciones → Servicio de Email.

use cachicamo_core::mail::config::{smtp_presets as presets, EmailServiceForm, SmtpPreset};
use cachicamo_core::mail::sender_check::SenderCheck;
use cachicamo_core::mail::service::{EmailServiceView, TestEmailSent};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn email_service_get(
    state: State<'_, AppState>,
) -> Result<Option<EmailServiceView>, IpcError> {
    Ok(state.email()?.view().await?)
}

/// Verifies (without sending) and saves; a permanent failure saves nothing.
#[tauri::command]
pub async fn email_service_save(
    state: State<'_, AppState>,
    form: EmailServiceForm,
) -> Result<EmailServiceView, IpcError> {
    let saved = state.email()?.save(form).await?;
    // Reminders waiting for a service (or sent through the old one) use the new one now.
    state.outbox()?.reload();
    Ok(saved)
}

/// Quitar: removes the configuration and its keychain entry.
#[tauri::command]
pub async fn email_service_remove(state: State<'_, AppState>) -> Result<(), IpcError> {
    state.email()?.remove().await?;
    state.outbox()?.reload();
    Ok(())
}

/// Sends the test email at once through the configured provider.
#[tauri::command]
pub async fn email_service_send_test(
    state: State<'_, AppState>,
    to: String,
) -> Result<TestEmailSent, IpcError> {
    let language = state.language();
    let business = cachicamo_core::business::get(state.db()?)?.name;
    Ok(state
        .email()?
        .send_test(&to, language, Some(&business))
        .await?)
}

/// "Comprobar remitente": whether the provider can sign as the saved sender (Resend: the
/// domain and each DNS record; Postmark: the domain or signature, read with the account token
/// typed for this check, which is never kept).
#[tauri::command]
pub async fn email_sender_check(
    state: State<'_, AppState>,
    account_token: Option<String>,
) -> Result<SenderCheck, IpcError> {
    let mailer = state.email()?.mailer().await?;
    Ok(mailer.check_sender(account_token.as_deref()).await?)
}

#[tauri::command(async)]
pub fn smtp_presets() -> Vec<SmtpPreset> {
    presets()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::commands::test_support::{refused_field, TestApp};

    #[test]
    fn a_fresh_app_has_no_email_service_and_presets_for_common_providers() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        assert_eq!(
            app.invoke("email_service_get", json!({})).expect("get"),
            json!(null)
        );
        let presets = app.invoke("smtp_presets", json!({})).expect("presets");
        let ids: Vec<_> = presets
            .as_array()
            .expect("array")
            .iter()
            .map(|p| p["id"].as_str().expect("id").to_owned())
            .collect();
        assert_eq!(ids, ["gmail", "microsoft365", "zoho", "yahoo", "icloud"]);
    }

    #[test]
    fn invalid_fields_come_back_together_and_name_their_problem() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        let err = app
            .invoke(
                "email_service_save",
                json!({ "form": {
                    "provider": "smtp",
                    "senderAddress": "ventas@",
                    "smtpHost": "",
                    "smtpPort": 587,
                    "smtpSecurity": "starttls",
                    "smtpUsername": "u",
                    "smtpPassword": "super-secret-value"
                }}),
            )
            .expect_err("invalid");
        assert_eq!(err["code"], "invalid_input");
        assert_eq!(
            refused_field(&err, "senderAddress")["problem"],
            "invalid_email"
        );
        assert_eq!(refused_field(&err, "smtpHost")["problem"], "required");
        assert!(!err.to_string().contains("super-secret-value"));
    }

    #[test]
    fn a_port_contradicting_the_security_mode_asks_for_consent() {
        let app = TestApp::new(None);
        let err = app
            .invoke(
                "email_service_save",
                json!({ "form": {
                    "provider": "smtp",
                    "senderAddress": "ventas@tienda.com",
                    "smtpHost": "smtp.tienda.com",
                    "smtpPort": 465,
                    "smtpSecurity": "starttls",
                    "smtpUsername": "u",
                    "smtpPassword": "pw"
                }}),
            )
            .expect_err("mismatch");
        assert_eq!(err["code"], "smtp_port_mismatch");
        assert_eq!(err["details"]["port"], 465);
    }

    /// Through the IPC with a real SMTP server and the real keychain (run in a desktop
    /// session): no response ever carries the password.
    #[test]
    fn no_response_carries_the_secret() {
        let ca = cachicamo_e2e::fakes::TestCa::get();
        ca.trust_in_this_process();
        let server = cachicamo_e2e::fakes::FakeServer::smtp(
            "starttls",
            "ventas@tienda.com",
            "ipc-pass-51d0",
        );
        let app = TestApp::new(None);
        let form = |password: &str| {
            json!({ "form": {
                "provider": "smtp",
                "senderAddress": "ventas@tienda.com",
                "smtpHost": "localhost",
                "smtpPort": server.port,
                "smtpSecurity": "starttls",
                "smtpUsername": "ventas@tienda.com",
                "smtpPassword": password
            }})
        };
        let refused = app
            .invoke("email_service_save", form("wrong-ipc-pass-77"))
            .expect_err("wrong password");
        assert_eq!(refused["details"]["failure"], "auth_failed");
        let saved = app
            .invoke("email_service_save", form("ipc-pass-51d0"))
            .expect("saved");
        assert_eq!(saved["status"], "verified");
        assert_eq!(saved["secretSaved"], true);
        let view = app.invoke("email_service_get", json!({})).expect("get");
        let sent = app
            .invoke(
                "email_service_send_test",
                json!({ "to": "ana@cliente.com" }),
            )
            .expect("sent");
        app.invoke("email_service_remove", json!({}))
            .expect("removed");
        for response in [&refused, &saved, &view, &sent] {
            let text = response.to_string();
            assert!(
                !text.contains("ipc-pass-51d0") && !text.contains("wrong-ipc-pass-77"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_test_email_without_a_service_says_so() {
        let app = TestApp::new(None);
        let err = app
            .invoke(
                "email_service_send_test",
                json!({ "to": "ana@cliente.com" }),
            )
            .expect_err("not configured");
        assert_eq!(err["code"], "email_not_configured");
    }
}
