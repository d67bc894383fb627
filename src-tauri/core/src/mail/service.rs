//! Integraciones → Servicio de Email: save (verifying first), show, remove, and send a test.
//!
//! Saving verifies without sending. A permanent failure (wrong credentials, unverified sender…)
//! writes nothing — not to SQLite, not to the keychain — so the previous configuration stays. An
//! offline or transient failure saves the configuration as unverified. Secrets go to the keychain
//! only, bound to the destination they were typed for ([`SecretBinding`]); the one of a replaced
//! provider is deleted.
//!
//! A saved secret is used only for the destination it was typed for: a form saved with the
//! secret left empty after the host changed asks for it again, and a saved configuration that
//! points elsewhere (a restored database, a hand edit) connects nowhere — sends wait as
//! "secret missing" and the view says why ([`SecretProblem`]). A configuration the form would
//! refuse is not used at all ([`StoreError::Invalid`]).
//!
//! The saved service built for sending many messages is `mailer`; the blocking keychain calls,
//! run off the async workers, are `keychain`.

use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use super::config::{
    EmailServiceConfig, EmailServiceForm, FieldError, FieldProblem, FormError, Provider,
    ProviderSettings, SmtpSecurity,
};
use super::destination::{SecretBinding, SecretProblem};
use super::error::{FailureClass, MailError, MailFailure};
use super::message::test_email;
use super::store::{self, StoreError, StoredEmailService, VerificationStatus};
use super::{EmailAddress, Mailer, Timeouts};
use crate::db::{Database, DbError};
use crate::locale::Language;
use crate::secrets::{Keychain, SecretError, SecretSlot, Sensitive};
use crate::wire;

mod keychain;
mod mailer;

pub use mailer::ConfiguredMailer;

#[derive(Debug, thiserror::Error)]
pub enum EmailServiceError {
    #[error(transparent)]
    Form(#[from] FormError),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("no email service is configured")]
    NotConfigured,
    /// The configuration is there but no secret typed for its destination is: the entry is gone
    /// (deleted by hand, another user profile) or was typed for another destination. The owner
    /// must type the secret again; [`EmailServiceView::secret_problem`] says why.
    #[error("no secret typed for the email service's destination is in the keychain")]
    SecretMissing,
    #[error(transparent)]
    Storage(#[from] DbError),
    #[error(transparent)]
    Corrupt(#[from] StoreError),
}

impl From<rusqlite::Error> for EmailServiceError {
    fn from(err: rusqlite::Error) -> Self {
        EmailServiceError::Storage(DbError::Sqlite(err))
    }
}

/// What the UI shows about the configured service. Never the secret: only whether one is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EmailServiceView {
    pub provider: Provider,
    pub sender_address: String,
    pub sender_name: Option<String>,
    pub reply_to: Option<String>,
    pub message_stream: Option<String>,
    pub smtp: Option<SmtpView>,
    /// A secret typed for this destination is saved (the form may be left empty).
    pub secret_saved: bool,
    /// Why no usable secret is saved: the owner must type it again before anything is sent.
    pub secret_problem: Option<SecretProblem>,
    pub status: VerificationStatus,
    pub status_reason: Option<MailFailure>,
    pub verified_at: Option<String>,
    /// What the saved key may do (Resend): a sending-only key cannot read delivery status.
    pub key_access: Option<super::KeyAccess>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SmtpView {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TestEmailSent {
    pub provider: Provider,
    pub to: String,
    pub provider_message_id: String,
    pub provider_response: String,
}

#[derive(Debug, Clone)]
pub struct EmailService {
    db: Arc<Database>,
    keychain: Keychain,
    timeouts: Timeouts,
    /// Entries from before data directories had their own are adopted once per process, before
    /// the keychain is first read.
    adopted: Arc<tokio::sync::OnceCell<()>>,
}

impl EmailService {
    pub fn new(db: Arc<Database>, keychain: Keychain, timeouts: Timeouts) -> Self {
        Self {
            db,
            keychain,
            timeouts,
            adopted: Arc::new(tokio::sync::OnceCell::new()),
        }
    }

    fn stored(&self) -> Result<Option<StoredEmailService>, EmailServiceError> {
        Ok(self.db.read(store::load)?)
    }

    pub async fn view(&self) -> Result<Option<EmailServiceView>, EmailServiceError> {
        let Some(stored) = self.stored()? else {
            return Ok(None);
        };
        let problem = self.secret_for(&stored.config).await?.err();
        Ok(Some(view_of(&stored, problem)))
    }

    /// The saved secret, if it was typed for where `config` sends; else why not.
    async fn secret_for(
        &self,
        config: &EmailServiceConfig,
    ) -> Result<Result<Sensitive<String>, SecretProblem>, EmailServiceError> {
        let wanted = SecretBinding::of(config)?;
        Ok(
            match self.keychain_load(config.provider().secret_slot()).await? {
                None => Err(SecretProblem::Missing),
                Some(entry) => wanted
                    .admits(entry.bound_to.as_ref())
                    .map(|()| entry.secret),
            },
        )
    }

    /// The secret to send `config` with, or `SecretMissing` (logged with the reason).
    async fn usable_secret(
        &self,
        config: &EmailServiceConfig,
    ) -> Result<Sensitive<String>, EmailServiceError> {
        self.secret_for(config).await?.map_err(|problem| {
            tracing::warn!(
                provider = %wire::code(&config.provider()),
                ?problem,
                "no secret typed for the configured destination: nothing is sent"
            );
            EmailServiceError::SecretMissing
        })
    }

    pub async fn save(
        &self,
        form: EmailServiceForm,
    ) -> Result<EmailServiceView, EmailServiceError> {
        let valid = form.validate()?;
        let config = valid.config;
        super::config::free_mail_sender(&config)?;
        let provider = config.provider();
        let slot = provider.secret_slot();
        let typed_secret = valid.secret;
        let secret = match &typed_secret {
            Some(secret) => secret.clone(),
            // An empty secret field keeps the saved one, for the destination it was typed for
            // only: an edited host, port, user or security needs it typed again.
            None => match self.secret_for(&config).await? {
                Ok(saved) => saved,
                Err(SecretProblem::OtherDestination { typed, .. }) => {
                    return Err(secret_field(
                        provider,
                        FieldProblem::SecretForOtherDestination,
                        Some(typed),
                    )
                    .into())
                }
                Err(SecretProblem::Missing | SecretProblem::Unbound) => {
                    return Err(secret_field(provider, FieldProblem::Required, None).into())
                }
            },
        };
        let binding = SecretBinding::of(&config)?;

        let mailer = Mailer::new(&config, secret.clone(), self.timeouts)
            .map_err(|err| err.redact(secret.expose()))?;
        let verified = mailer
            .verify()
            .await
            .map_err(|err| err.redact(secret.expose()));
        let (status, reason, key_access) = match verified {
            Ok(access) => (VerificationStatus::Verified, None, access),
            Err(err) if err.class() == FailureClass::Permanent => {
                tracing::info!(provider = wire::code(&provider), failure = ?err.failure, "email service refused");
                return Err(err.into());
            }
            Err(err) => {
                tracing::info!(provider = wire::code(&provider), failure = ?err.failure, "email service saved unverified");
                (VerificationStatus::Unverified, Some(err.failure), None)
            }
        };
        drop(mailer);

        if typed_secret.is_some() {
            self.keychain_store(slot, secret, binding).await?;
        }
        self.db
            .write(|tx| store::save(tx, &config, status, reason, key_access))
            .map_err(|err: rusqlite::Error| EmailServiceError::from(err))?;
        // Only the configured provider's secret stays (whatever the previous row said, which
        // may have been unreadable).
        for old in SecretSlot::ALL.into_iter().filter(|s| *s != slot) {
            if let Err(err) = self.keychain_delete(old).await {
                tracing::warn!(error = %err, slot = old.name(), "old secret not deleted");
            }
        }
        tracing::info!(
            provider = wire::code(&provider),
            ?status,
            "email service saved"
        );
        let stored = self.stored()?.ok_or(EmailServiceError::NotConfigured)?;
        Ok(view_of(&stored, None))
    }

    /// Quitar: deletes the keychain entry first (so a locked keychain leaves everything as it
    /// was), then the configuration.
    pub async fn remove(&self) -> Result<(), EmailServiceError> {
        for slot in SecretSlot::ALL {
            self.keychain_delete(slot).await?;
        }
        self.db
            .write(|tx| store::remove(tx))
            .map_err(|err: rusqlite::Error| EmailServiceError::from(err))?;
        tracing::info!("email service removed");
        Ok(())
    }

    /// Sends the test email at once (not queued) through the configured provider.
    pub async fn send_test(
        &self,
        to: &str,
        language: Language,
        business: Option<&str>,
    ) -> Result<TestEmailSent, EmailServiceError> {
        let to: EmailAddress = to.parse().map_err(|_| {
            FormError::Fields(vec![FieldError {
                field: "to".into(),
                problem: if to.trim().is_empty() {
                    FieldProblem::Required
                } else {
                    FieldProblem::InvalidEmail
                },
                detail: None,
            }])
        })?;
        let stored = self.stored()?.ok_or(EmailServiceError::NotConfigured)?;
        let provider = stored.config.provider();
        let secret = self.usable_secret(&stored.config).await?;
        let mailer = Mailer::new(&stored.config, secret.clone(), self.timeouts)
            .map_err(|err| err.redact(secret.expose()))?;
        let email = test_email(&stored.config.sender, to, language, business);
        let receipt = mailer
            .send(&email, None)
            .await
            .map_err(|err| err.redact(secret.expose()))?;
        tracing::info!(provider = wire::code(&provider), "test email sent");
        if stored.status == VerificationStatus::Unverified {
            self.db
                .write(|tx| store::mark_verified(tx))
                .map_err(|err: rusqlite::Error| EmailServiceError::from(err))?;
        }
        Ok(TestEmailSent {
            provider,
            to: email.to.to_string(),
            provider_message_id: receipt.provider_message_id,
            provider_response: receipt.provider_response,
        })
    }

    /// The saved service's client, for sending many messages (the outbox). SMTP's pool is built
    /// here, so call it inside the tokio runtime.
    pub async fn mailer(&self) -> Result<ConfiguredMailer, EmailServiceError> {
        let stored = self.stored()?.ok_or(EmailServiceError::NotConfigured)?;
        let secret = self.usable_secret(&stored.config).await?;
        let mailer = Mailer::new(&stored.config, secret.clone(), self.timeouts)
            .map_err(|err| err.redact(secret.expose()))?;
        Ok(ConfiguredMailer::new(mailer, stored.config.sender, secret))
    }
}

/// A problem with the form's secret field (the password or the API key).
fn secret_field(provider: Provider, problem: FieldProblem, detail: Option<String>) -> FormError {
    FormError::Fields(vec![FieldError {
        field: match provider {
            Provider::Smtp => "smtpPassword",
            Provider::Resend | Provider::Postmark => "apiKey",
        }
        .into(),
        problem,
        detail,
    }])
}

fn view_of(stored: &StoredEmailService, secret_problem: Option<SecretProblem>) -> EmailServiceView {
    let config = &stored.config;
    let (message_stream, smtp) = match &config.settings {
        ProviderSettings::Resend => (None, None),
        ProviderSettings::Postmark { message_stream } => (Some(message_stream.clone()), None),
        ProviderSettings::Smtp(s) => (
            None,
            Some(SmtpView {
                host: s.host.clone(),
                port: s.port,
                security: s.security,
                username: s.username.clone(),
            }),
        ),
    };
    EmailServiceView {
        provider: config.provider(),
        sender_address: config.sender.address.to_string(),
        sender_name: config.sender.name.clone(),
        reply_to: config.sender.reply_to.as_ref().map(ToString::to_string),
        message_stream,
        smtp,
        secret_saved: secret_problem.is_none(),
        secret_problem,
        status: stored.status,
        status_reason: stored.status_reason,
        verified_at: stored.verified_at.clone(),
        key_access: stored.key_access,
    }
}
