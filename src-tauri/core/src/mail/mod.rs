//! Email: the configured service, its providers (SMTP, Resend, Postmark), messages and errors.
//!
//! One [`Mailer`] hides which provider is configured; provider errors are classified once, in
//! [`error`]. This module never stores a secret: it receives one from the keychain, hands it to
//! the provider, and lets it go.

pub mod address;
pub mod attachment;
pub mod config;
pub mod destination;
pub mod error;
pub mod http;
pub(crate) mod letter;
pub mod message;
pub mod postmark;
pub mod presets;
pub mod resend;
pub mod sender_check;
pub mod service;
pub mod smtp;
pub mod store;

use std::time::Duration;

pub use address::EmailAddress;
pub use attachment::Attachment;
pub use config::{EmailServiceConfig, Provider, ProviderSettings, Sender};
pub use error::{FailureClass, MailError, MailFailure};
pub use message::OutgoingEmail;

use crate::secrets::Sensitive;

/// Seconds for a whole provider call (SMTP send or HTTP request); tests shorten it.
pub const TIMEOUT_ENV: &str = "CACHICAMO_MAIL_TIMEOUT_SECS";
/// Seconds to establish a connection before the provider counts as unreachable.
pub const CONNECT_TIMEOUT_ENV: &str = "CACHICAMO_MAIL_CONNECT_TIMEOUT_SECS";
/// Seconds an SMTP server may take to answer the message's final dot; it can only be shortened.
pub const SMTP_FINAL_REPLY_ENV: &str = "CACHICAMO_SMTP_FINAL_REPLY_SECS";

/// The longest any deadline read from the environment may be.
const MAX_ENV_SECS: u64 = 600;

/// Every network call has a deadline, SMTP sends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing a connection (TCP; for SMTP also the greeting, TLS and AUTH together get
    /// `request`).
    pub connect: Duration,
    /// A whole HTTP call; for SMTP, the session set-up and the envelope (MAIL, RCPT, DATA).
    pub request: Duration,
    /// From the first byte of an SMTP message's content to the server's reply to its final dot.
    /// Once the content has left, the server may have accepted it, and giving up early only
    /// turns a delivered message into an uncertain one: RFC 5321 §4.5.3.2.6 asks clients to
    /// wait 10 minutes here.
    pub final_reply: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            request: Duration::from_secs(30),
            final_reply: Duration::from_secs(MAX_ENV_SECS),
        }
    }
}

impl Timeouts {
    /// The defaults, shortened or lengthened by the environment (whole seconds, 1–600).
    pub fn from_env() -> Self {
        Self::from_lookup(|var| std::env::var(var).ok())
    }

    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let read = |var: &str, default: Duration| {
            lookup(var)
                .and_then(|v| v.trim().parse::<u64>().ok())
                .filter(|secs| (1..=MAX_ENV_SECS).contains(secs))
                .map(Duration::from_secs)
                .unwrap_or(default)
        };
        let defaults = Self::default();
        Self {
            connect: read(CONNECT_TIMEOUT_ENV, defaults.connect),
            request: read(TIMEOUT_ENV, defaults.request),
            final_reply: read(SMTP_FINAL_REPLY_ENV, defaults.final_reply),
        }
    }
}

/// What the provider said when it accepted a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// Resend's email id, Postmark's MessageID, or our Message-ID for SMTP.
    pub provider_message_id: String,
    /// The provider's own short answer ("250 2.0.0 OK queued", "OK").
    pub provider_response: String,
    /// The provider's rate-limit headers, when it sends them (Resend), so a sender can pace.
    pub rate_limit: Option<RateLimit>,
}

/// A batch as the outbox stored it, sent again byte for byte on a retry: the provider's own JSON
/// array, how many emails it holds (an answer with another count cannot be told apart), and the
/// key a retry travels under where the provider keeps one (Resend).
#[derive(Debug, Clone, Copy)]
pub struct StoredBatch<'a> {
    pub payload: &'a str,
    pub count: usize,
    pub idempotency_key: Option<&'a str>,
}

/// A batch's answer: one result per email, in the order sent, or the whole batch refused.
pub type BatchResults = Result<Vec<Result<Receipt, MailError>>, MailError>;

/// What a saved API key may do, where a provider has kinds of keys (Resend: full access, or
/// sending only — which cannot read delivery status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum KeyAccess {
    Full,
    SendingOnly,
}

/// What a provider says happened to one email after it accepted it, in its own words (the
/// outbox's `delivery` module says what they mean).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderStatus {
    /// Resend's `last_event`.
    Resend { last_event: String },
    /// Postmark's `MessageEvents` types in order, and for the last `Bounced` one its bounce's
    /// `Type` and description (from the Bounces API).
    Postmark {
        events: Vec<String>,
        bounce_type: Option<String>,
        bounce_reason: Option<String>,
    },
}

/// The answer to one status request: (provider's message id, status) pairs, and the
/// provider's rate-limit headers so polling shares the sending pace.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatusPage {
    pub statuses: Vec<(String, ProviderStatus)>,
    pub rate_limit: Option<RateLimit>,
}

/// What a provider said about its rate limit on a response (`ratelimit-*` headers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub limit: u32,
    /// Requests left in the current window.
    pub remaining: u32,
    /// Until the window resets.
    pub reset: Duration,
}

/// The configured provider, ready to verify and send.
pub enum Mailer {
    Smtp(smtp::SmtpMailer),
    Resend(resend::ResendMailer, Sender),
    Postmark(postmark::PostmarkMailer),
}

impl Mailer {
    /// Builds the provider's client from its configuration and secret. SMTP's pool must be
    /// created inside the tokio runtime.
    pub fn new(
        config: &EmailServiceConfig,
        secret: Sensitive<String>,
        timeouts: Timeouts,
    ) -> Result<Self, MailError> {
        Ok(match &config.settings {
            ProviderSettings::Smtp(settings) => {
                Mailer::Smtp(smtp::SmtpMailer::new(settings, &secret, timeouts)?)
            }
            ProviderSettings::Resend => Mailer::Resend(
                resend::ResendMailer::new(secret, &timeouts)?,
                config.sender.clone(),
            ),
            ProviderSettings::Postmark { message_stream } => Mailer::Postmark(
                postmark::PostmarkMailer::new(secret, message_stream, &timeouts)?,
            ),
        })
    }

    pub fn provider(&self) -> Provider {
        match self {
            Mailer::Smtp(_) => Provider::Smtp,
            Mailer::Resend(..) => Provider::Resend,
            Mailer::Postmark(_) => Provider::Postmark,
        }
    }

    /// Proves the configuration works without sending anything, and says what the key may do
    /// where the provider has kinds of keys.
    pub async fn verify(&self) -> Result<Option<KeyAccess>, MailError> {
        match self {
            Mailer::Smtp(smtp) => smtp.verify().await.map(|()| None),
            Mailer::Resend(resend, sender) => resend.verify(sender).await.map(Some),
            Mailer::Postmark(postmark) => postmark.verify().await.map(|()| None),
        }
    }

    /// `idempotency_key` is used where the provider supports one (Resend).
    pub async fn send(
        &self,
        email: &OutgoingEmail,
        idempotency_key: Option<&str>,
    ) -> Result<Receipt, MailError> {
        match self {
            Mailer::Smtp(smtp) => smtp.send(email).await,
            Mailer::Resend(resend, _) => resend.send(email, idempotency_key).await,
            Mailer::Postmark(postmark) => postmark.send(email).await,
        }
    }

    /// "Comprobar remitente" for `sender` (see [`sender_check`]).
    /// Postmark reads it with `account_token` (typed for the check, never kept).
    pub async fn check_sender(
        &self,
        sender: &Sender,
        account_token: Option<&str>,
    ) -> Result<sender_check::SenderCheck, MailError> {
        match self {
            Mailer::Resend(resend, _) => resend.check_sender(sender).await,
            Mailer::Postmark(postmark) => postmark.check_sender(sender, account_token).await,
            Mailer::Smtp(_) => Ok(sender_check::SenderCheck::SmtpAccount),
        }
    }

    /// What happened to sent emails, by asking (no webhooks reach a desktop app). SMTP has no
    /// delivery report: it answers nothing. `Recent` is one request for many (Resend's list);
    /// where no list exists it answers nothing either.
    pub async fn delivery_status(&self, query: &StatusQuery) -> Result<StatusPage, MailError> {
        match (self, query) {
            (Mailer::Resend(resend, _), StatusQuery::Recent) => resend.recent_statuses().await,
            (Mailer::Resend(resend, _), StatusQuery::One(id)) => resend.status(id).await,
            (Mailer::Postmark(postmark), StatusQuery::One(id)) => postmark.status(id).await,
            (Mailer::Postmark(_), StatusQuery::Recent) | (Mailer::Smtp(_), _) => {
                Ok(StatusPage::default())
            }
        }
    }
}

/// Which sent emails a status request asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusQuery {
    /// The provider's most recent emails, many per request (Resend's `GET /emails`).
    Recent,
    /// One email, by the provider's id for it.
    One(String),
}

/// How many emails one batch request carries at most, per provider (`None`: no batch endpoint).
pub fn batch_limit(provider: Provider) -> Option<usize> {
    match provider {
        Provider::Resend => Some(100),
        Provider::Postmark => Some(500),
        Provider::Smtp => None,
    }
}

/// Whether the provider's batch endpoint takes attachments (Resend's does not).
pub fn batch_takes_attachments(provider: Provider) -> bool {
    provider == Provider::Postmark
}

impl Mailer {
    /// The request body of a batch of `emails` (a JSON array), to store before the first
    /// attempt so every retry sends the same bytes. `None` for a provider without batches.
    pub fn batch_payload(&self, emails: &[OutgoingEmail]) -> Option<String> {
        let bodies: Vec<serde_json::Value> = match self {
            Mailer::Smtp(_) => return None,
            Mailer::Resend(..) => emails.iter().map(resend::ResendMailer::body).collect(),
            Mailer::Postmark(postmark) => emails.iter().map(|e| postmark.body(e)).collect(),
        };
        serde_json::to_string(&bodies).ok()
    }

    /// Sends a stored batch; one result per email, in order.
    pub async fn send_batch(&self, batch: StoredBatch<'_>) -> BatchResults {
        match self {
            Mailer::Smtp(_) => Err(MailError::new(Provider::Smtp, MailFailure::Rejected)
                .message("SMTP has no batch endpoint")),
            Mailer::Resend(resend, _) => resend.send_batch(batch).await,
            Mailer::Postmark(postmark) => postmark.send_batch(batch).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeouts_with(vars: &[(&str, &str)]) -> Timeouts {
        Timeouts::from_lookup(|name| {
            vars.iter()
                .find(|(var, _)| *var == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn smtp_waits_ten_minutes_for_the_final_reply_unless_told_less() {
        let unset = timeouts_with(&[]);
        assert_eq!(unset.final_reply, Duration::from_secs(10 * 60));
        assert_eq!(unset.request, Duration::from_secs(30));
        assert_eq!(unset.connect, Duration::from_secs(10));
        assert_eq!(
            timeouts_with(&[(SMTP_FINAL_REPLY_ENV, "45")]).final_reply,
            Duration::from_secs(45)
        );
        // Never longer than RFC 5321's ten minutes, and nonsense means the default.
        for bad in ["601", "0", "-3", "ten", ""] {
            assert_eq!(
                timeouts_with(&[(SMTP_FINAL_REPLY_ENV, bad)]).final_reply,
                Duration::from_secs(600),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_final_reply_deadline_is_its_own_setting() {
        let timeouts = timeouts_with(&[(TIMEOUT_ENV, "5"), (CONNECT_TIMEOUT_ENV, "2")]);
        assert_eq!(timeouts.request, Duration::from_secs(5));
        assert_eq!(timeouts.connect, Duration::from_secs(2));
        assert_eq!(timeouts.final_reply, Duration::from_secs(600));
    }
}
