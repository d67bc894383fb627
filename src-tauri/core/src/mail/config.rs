//! The email service the owner configures in Integraciones: which provider, its settings, and
//! the sender. The form as typed and its validation live in `form`. Secrets are not part of the
//! configuration: they live in the keychain.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::address::EmailAddress;
pub use super::presets::{smtp_presets, wants_app_password, SmtpPreset};
use crate::secrets::SecretSlot;
pub use crate::validation::{FieldError, FieldProblem};

mod form;

pub use form::{free_mail_sender, EmailServiceForm, FormError, ValidForm};

/// Stored (email service, outbox rows) by its wire name (`crate::wire`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    Resend,
    Postmark,
    Smtp,
}

impl Provider {
    pub fn secret_slot(self) -> SecretSlot {
        match self {
            Provider::Resend => SecretSlot::ResendApiKey,
            Provider::Postmark => SecretSlot::PostmarkServerToken,
            Provider::Smtp => SecretSlot::SmtpPassword,
        }
    }
}

/// How the SMTP connection is protected. Chosen explicitly, never guessed from the port:
/// lettre's implicit-TLS relay on 587 fails with a cryptic "corrupt message".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required), usually port 587.
    Starttls,
    /// TLS from the first byte ("SSL/TLS"), usually port 465.
    Tls,
    /// No encryption: the password travels in clear. Only for local relays.
    None,
}

impl SmtpSecurity {
    /// A port that almost certainly speaks the other mode (465 is implicit TLS; 587 and 25
    /// start in plain text). Other ports (2525…) are taken as typed.
    pub fn contradicts(self, port: u16) -> bool {
        matches!(
            (self, port),
            (SmtpSecurity::Starttls, 465) | (SmtpSecurity::Tls, 587 | 25)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderSettings {
    Resend,
    Postmark { message_stream: String },
    Smtp(SmtpSettings),
}

impl ProviderSettings {
    pub fn provider(&self) -> Provider {
        match self {
            ProviderSettings::Resend => Provider::Resend,
            ProviderSettings::Postmark { .. } => Provider::Postmark,
            ProviderSettings::Smtp(_) => Provider::Smtp,
        }
    }
}

/// Who the customer sees the email from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub address: EmailAddress,
    pub name: Option<String>,
    pub reply_to: Option<EmailAddress>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailServiceConfig {
    pub settings: ProviderSettings,
    pub sender: Sender,
}

impl EmailServiceConfig {
    pub fn provider(&self) -> Provider {
        self.settings.provider()
    }
}

pub const DEFAULT_MESSAGE_STREAM: &str = "outbound";
