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

/// Stored in the outbox (`error_code`) by its wire name (`crate::wire`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
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
    /// An address has accents or non-Latin letters before the @ and the server does not take
    /// them (it does not announce SMTPUTF8). Retrying cannot help.
    NonAsciiMailbox,
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
    /// The provider's API answered with a redirect; it is never followed, so the key does not
    /// travel to another address.
    Redirected,
}

impl MailFailure {
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
    /// The provider's own words, for "Detalles" (at most [`MAX_MESSAGE`] characters).
    pub provider_message: Option<String>,
    /// How long the provider asked us to wait (429 Retry-After).
    pub retry_after: Option<Duration>,
    /// The message may have reached the provider before the failure: the connection dropped or
    /// the answer was late *after* the message was handed over (SMTP: the final dot was written;
    /// HTTP: the request left). Without an idempotency key a retry could deliver it twice, so the
    /// outbox never retries such a failure on its own.
    pub maybe_delivered: bool,
    /// The provider's words before they were cut to [`MAX_MESSAGE`], so [`MailError::redact`]
    /// sees a secret whole even when it straddles the cut. Never shown.
    full_message: Option<String>,
}

const REDACTED: &str = "«redacted»";

/// Providers' texts are short; a runaway HTML error page is not useful in "Detalles".
pub const MAX_MESSAGE: usize = 500;

/// What is kept of a provider's text until it is redacted: far more than any secret we store
/// (4 KiB), and bounded so an endless error page does not sit in memory.
const MAX_FULL_MESSAGE: usize = 64 * 1024;

impl MailError {
    pub fn new(provider: Provider, failure: MailFailure) -> Self {
        Self {
            failure,
            provider,
            provider_code: None,
            provider_message: None,
            retry_after: None,
            maybe_delivered: false,
            full_message: None,
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
        let full: String = message.chars().take(MAX_FULL_MESSAGE).collect();
        self.provider_message = Some(full.chars().take(MAX_MESSAGE).collect());
        self.full_message = Some(full);
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
    /// The whole text is redacted first and cut afterwards, so no part of a secret that
    /// straddles the cut survives.
    pub fn redact(mut self, secret: &str) -> Self {
        if secret.len() < 4 {
            return self;
        }
        if let Some(full) = &mut self.full_message {
            *full = full.replace(secret, REDACTED);
            self.provider_message = Some(full.chars().take(MAX_MESSAGE).collect());
        }
        if let Some(code) = &mut self.provider_code {
            *code = code.replace(secret, REDACTED);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_failure_names_are_pinned() {
        crate::wire::assert_pinned(|failure| match failure {
            MailFailure::AuthFailed => "auth_failed",
            MailFailure::AppPasswordRequired => "app_password_required",
            MailFailure::BasicAuthDisabled => "basic_auth_disabled",
            MailFailure::SenderNotVerified => "sender_not_verified",
            MailFailure::RecipientRejected => "recipient_rejected",
            MailFailure::RecipientInactive => "recipient_inactive",
            MailFailure::NonAsciiMailbox => "non_ascii_mailbox",
            MailFailure::AccountRestricted => "account_restricted",
            MailFailure::StreamNotFound => "stream_not_found",
            MailFailure::RateLimited => "rate_limited",
            MailFailure::QuotaExceeded => "quota_exceeded",
            MailFailure::Tls => "tls",
            MailFailure::WrongSecurityMode => "wrong_security_mode",
            MailFailure::Timeout => "timeout",
            MailFailure::Offline => "offline",
            MailFailure::ProviderUnavailable => "provider_unavailable",
            MailFailure::Rejected => "rejected",
            MailFailure::InsecureEndpoint => "insecure_endpoint",
            MailFailure::Redirected => "redirected",
        });
    }

    #[test]
    fn a_secret_straddling_the_cut_is_redacted_whole() {
        let secret = "re_live_0123456789abcdef";
        // The secret starts 10 characters before the cut: cutting first would leave
        // "re_live_01" behind, which no longer matches the whole secret.
        let text = format!("{}{secret} and more", "x".repeat(MAX_MESSAGE - 10));
        let error = MailError::new(Provider::Resend, MailFailure::Rejected)
            .message(text)
            .redact(secret);
        let shown = error.provider_message.expect("message");
        assert_eq!(shown.chars().count(), MAX_MESSAGE);
        assert!(!shown.contains("re_live_01"), "{shown}");
        assert!(shown.ends_with("«redacted»".chars().take(10).collect::<String>().as_str()));
    }

    #[test]
    fn redaction_covers_the_code_and_leaves_short_texts_whole() {
        let error = MailError::new(Provider::Postmark, MailFailure::AuthFailed)
            .code("token pm-1234 refused")
            .message("HTTP 401: token pm-1234 is not valid")
            .redact("pm-1234");
        assert_eq!(
            error.provider_message.as_deref(),
            Some("HTTP 401: token «redacted» is not valid")
        );
        assert_eq!(
            error.provider_code.as_deref(),
            Some("token «redacted» refused")
        );
    }
}
