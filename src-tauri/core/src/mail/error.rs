//! What went wrong when talking to an email provider, classified once, here.
//!
//! Every provider error becomes a [`MailError`]: a [`MailFailure`] in the shop owner's terms
//! (bad credentials, sender not verified, recipient inactive…), its [`FailureClass`] (fix the
//! configuration, retry later, or wait for the network), and the provider's own code and text
//! for the "Detalles" view. Nothing here may carry a secret.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::config::Provider;

/// What the app should do about a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FailureClass {
    /// The configuration or the address must change; retrying the same thing fails again.
    Permanent,
    /// Retry later, with backoff (honouring Retry-After).
    Transient,
    /// No network path to the provider: wait for the connection, do not count a retry.
    Offline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MailFailure {
    /// Wrong user, password, API key or token.
    AuthFailed,
    /// The provider wants an app password (Gmail, Yahoo, iCloud with 2-step verification).
    AppPasswordRequired,
    /// Microsoft has turned off password (basic) authentication for SMTP on this account.
    BasicAuthDisabled,
    /// The sender address or its domain is not verified with the provider.
    SenderNotVerified,
    /// The recipient address was refused.
    RecipientRejected,
    /// The recipient bounced or unsubscribed before (Postmark 406).
    RecipientInactive,
    /// The account is not approved to send (yet), or cannot send to this recipient.
    AccountRestricted,
    /// The Postmark message stream does not exist or cannot send.
    StreamNotFound,
    /// Too many requests right now.
    RateLimited,
    /// The daily or monthly quota is used up.
    QuotaExceeded,
    /// The TLS handshake or the server's certificate failed.
    Tls,
    /// The security mode does not match what the server speaks on that port.
    WrongSecurityMode,
    /// The provider did not answer in time.
    Timeout,
    /// No network path to the provider (DNS, refused, unreachable).
    Offline,
    /// The provider is failing or in maintenance.
    ProviderUnavailable,
    /// The provider refused the message for another reason (see the details).
    Rejected,
    /// A provider URL override is not https (plain http is allowed on loopback only).
    InsecureEndpoint,
}

impl MailFailure {
    /// The stable snake_case name (as stored in SQLite and sent over the IPC).
    pub fn code(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    pub fn from_code(code: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
    }

    pub fn class(self) -> FailureClass {
        match self {
            MailFailure::Offline => FailureClass::Offline,
            MailFailure::RateLimited
            | MailFailure::QuotaExceeded
            | MailFailure::Timeout
            | MailFailure::ProviderUnavailable => FailureClass::Transient,
            _ => FailureClass::Permanent,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{provider:?}: {failure:?}{}", provider_message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default())]
pub struct MailError {
    pub failure: MailFailure,
    pub provider: Provider,
    /// The provider's own code: an SMTP reply code, Resend's error name, Postmark's ErrorCode.
    pub provider_code: Option<String>,
    /// The provider's own words, for "Detalles".
    pub provider_message: Option<String>,
    /// How long the provider asked us to wait (429 Retry-After).
    pub retry_after: Option<Duration>,
    /// The message may have reached the provider before the failure: the connection dropped or
    /// the answer was late *after* the message was handed over (SMTP: the final dot was written;
    /// HTTP: the request left). Without an idempotency key a retry could deliver it twice, so the
    /// outbox never retries such a failure on its own.
    pub maybe_delivered: bool,
}

impl MailError {
    pub fn new(provider: Provider, failure: MailFailure) -> Self {
        Self {
            failure,
            provider,
            provider_code: None,
            provider_message: None,
            retry_after: None,
            maybe_delivered: false,
        }
    }

    /// Marks a failure that happened after the message may have been handed over.
    pub fn maybe_delivered(mut self) -> Self {
        self.maybe_delivered = true;
        self
    }

    pub fn code(mut self, code: impl ToString) -> Self {
        self.provider_code = Some(code.to_string());
        self
    }

    pub fn message(mut self, message: impl Into<String>) -> Self {
        let message: String = message.into();
        // Providers' texts are short; a runaway HTML error page is not useful in "Detalles".
        self.provider_message = Some(message.chars().take(500).collect());
        self
    }

    pub fn retry_after(mut self, wait: Option<Duration>) -> Self {
        self.retry_after = wait;
        self
    }

    pub fn class(&self) -> FailureClass {
        self.failure.class()
    }

    /// Providers do not echo secrets, but an error's text goes to logs and the UI: make sure.
    pub fn redact(mut self, secret: &str) -> Self {
        if secret.len() >= 4 {
            if let Some(message) = &mut self.provider_message {
                *message = message.replace(secret, "«redacted»");
            }
        }
        self
    }
}
