//! The shop's email configurations as the form sends them: SMTP to the real server on this
//! machine, Resend or Postmark with their key, and the secrets the fakes accept.

use cachicamo_core::mail::config::{EmailServiceForm, Provider, SmtpSecurity};
use cachicamo_core::mail::service::EmailServiceError;
use cachicamo_core::mail::MailError;
use cachicamo_core::secrets::Sensitive;

pub use cachicamo_e2e::mail::{SENDER, SENDER_NAME};
/// The sender's domain, verified at the Resend fake.
pub const SENDER_DOMAIN: &str = "ferreteria.com.ve:verified";
pub const SMTP_PASSWORD: &str = "app-pass-0utb0x";
pub const RESEND_KEY: &str = "re_live_0utb0x_k3y";
pub const POSTMARK_TOKEN: &str = "pm-0utb0x-t0ken";

/// SMTP on localhost:`port`; `password` `None` leaves the saved one (an edit).
pub fn smtp_form(port: u16, security: SmtpSecurity, password: Option<&str>) -> EmailServiceForm {
    EmailServiceForm {
        provider: Provider::Smtp,
        sender_address: SENDER.into(),
        sender_name: SENDER_NAME.into(),
        reply_to: String::new(),
        api_key: None,
        message_stream: String::new(),
        smtp_host: "localhost".into(),
        smtp_port: Some(u32::from(port)),
        smtp_security: security,
        smtp_username: SENDER.into(),
        smtp_password: password.map(|p| Sensitive::new(p.to_owned())),
        accept_port_mismatch: false,
    }
}

/// Resend or Postmark; `key` `None` leaves the saved one (an edit).
pub fn api_form(provider: Provider, key: Option<&str>) -> EmailServiceForm {
    EmailServiceForm {
        provider,
        api_key: key.map(|k| Sensitive::new(k.to_owned())),
        ..smtp_form(1, SmtpSecurity::Starttls, None)
    }
}

/// The provider's failure in `result`, which must be one.
pub fn mail_error<T: std::fmt::Debug>(result: Result<T, EmailServiceError>) -> MailError {
    match result {
        Err(EmailServiceError::Mail(err)) => err,
        other => panic!("expected a provider failure, got {other:?}"),
    }
}
