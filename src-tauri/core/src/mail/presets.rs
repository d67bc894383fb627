//! Well-known providers' SMTP settings, so the owner picks "Gmail" instead of typing them, and
//! what is known about each (app passwords, Microsoft retiring basic authentication).

use serde::Serialize;
use ts_rs::TS;

use super::config::SmtpSecurity;

/// Well-known providers' SMTP settings, so the owner picks "Gmail" instead of typing them.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SmtpPreset {
    pub id: String,
    pub label: String,
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// Needs an app password when the account has 2-step verification.
    pub app_password: bool,
    /// Microsoft is retiring password sign-in for SMTP: warn before the owner relies on it.
    pub basic_auth_retiring: bool,
}

pub fn smtp_presets() -> Vec<SmtpPreset> {
    let preset =
        |id: &str, label: &str, host: &str, port, security, app_password, retiring| SmtpPreset {
            id: id.to_owned(),
            label: label.to_owned(),
            host: host.to_owned(),
            port,
            security,
            app_password,
            basic_auth_retiring: retiring,
        };
    use SmtpSecurity::{Starttls, Tls};
    vec![
        preset(
            "gmail",
            "Gmail",
            "smtp.gmail.com",
            587,
            Starttls,
            true,
            false,
        ),
        preset(
            "microsoft365",
            "Outlook / Microsoft 365",
            "smtp.office365.com",
            587,
            Starttls,
            false,
            true,
        ),
        preset("zoho", "Zoho", "smtp.zoho.com", 465, Tls, false, false),
        preset(
            "yahoo",
            "Yahoo",
            "smtp.mail.yahoo.com",
            465,
            Tls,
            true,
            false,
        ),
        preset(
            "icloud",
            "iCloud",
            "smtp.mail.me.com",
            587,
            Starttls,
            true,
            false,
        ),
    ]
}

/// Hosts whose 534/535 almost always means "use an app password".
pub fn wants_app_password(host: &str) -> bool {
    smtp_presets()
        .iter()
        .any(|p| p.app_password && (host == p.host || host.ends_with(&format!(".{}", p.host))))
        || host.ends_with("gmail.com")
        || host.ends_with("googlemail.com")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_yahoo_and_icloud_want_app_passwords() {
        assert!(wants_app_password("smtp.gmail.com"));
        assert!(wants_app_password("smtp.mail.yahoo.com"));
        assert!(wants_app_password("smtp.mail.me.com"));
        assert!(!wants_app_password("mail.mitienda.com"));
    }
}
