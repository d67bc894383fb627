//! Integraciones → Servicio de Email: save (verifying first), show, remove, and send a test.
//!
//! Saving verifies without sending. A permanent failure (wrong credentials, unverified sender…)
//! writes nothing — not to SQLite, not to the keychain — so the previous configuration stays. An
//! offline or transient failure saves the configuration as unverified. Secrets go to the keychain
//! only, and the one of a replaced provider is deleted.

use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use super::config::{
    EmailServiceForm, FieldError, FieldProblem, FormError, Provider, ProviderSettings, SmtpSecurity,
};
use super::error::{FailureClass, MailError, MailFailure};
use super::message::test_email;
use super::store::{self, StoreError, StoredEmailService, VerificationStatus};
use super::{EmailAddress, Mailer, Timeouts};
use crate::db::{Database, DbError};
use crate::locale::Language;
use crate::secrets::{Keychain, SecretError, SecretSlot, Sensitive};

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
    /// The configuration is there but its keychain entry is gone (deleted by hand, or another
    /// user profile): the owner must type the secret again.
    #[error("the email service's secret is missing from the keychain")]
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
    pub secret_saved: bool,
    pub status: VerificationStatus,
    pub status_reason: Option<MailFailure>,
    pub verified_at: Option<String>,
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

/// The saved email service, built and ready to send many messages: it keeps its connections
/// (SMTP pool, HTTP keep-alive) for as long as it lives, and redacts its secret from errors.
pub struct ConfiguredMailer {
    mailer: Mailer,
    sender: super::Sender,
    secret: Sensitive<String>,
}

impl std::fmt::Debug for ConfiguredMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfiguredMailer")
            .field("provider", &self.mailer.provider())
            .finish_non_exhaustive()
    }
}

impl ConfiguredMailer {
    pub fn provider(&self) -> Provider {
        self.mailer.provider()
    }

    /// Who the messages are from: the saved sender, so a fixed configuration applies to retries.
    pub fn sender(&self) -> &super::Sender {
        &self.sender
    }

    pub async fn send(
        &self,
        email: &super::OutgoingEmail,
        idempotency_key: Option<&str>,
    ) -> Result<super::Receipt, MailError> {
        self.mailer
            .send(email, idempotency_key)
            .await
            .map_err(|err| err.redact(self.secret.expose()))
    }
}

#[derive(Debug, Clone)]
pub struct EmailService {
    db: Arc<Database>,
    keychain: Keychain,
    timeouts: Timeouts,
}

impl EmailService {
    pub fn new(db: Arc<Database>, keychain: Keychain, timeouts: Timeouts) -> Self {
        Self {
            db,
            keychain,
            timeouts,
        }
    }

    pub fn keychain(&self) -> &Keychain {
        &self.keychain
    }

    fn stored(&self) -> Result<Option<StoredEmailService>, EmailServiceError> {
        Ok(self.db.read(store::load)?)
    }

    pub async fn view(&self) -> Result<Option<EmailServiceView>, EmailServiceError> {
        let Some(stored) = self.stored()? else {
            return Ok(None);
        };
        let secret_saved = self
            .keychain_load(stored.config.provider().secret_slot())
            .await?
            .is_some();
        Ok(Some(view_of(&stored, secret_saved)))
    }

    pub async fn save(
        &self,
        form: EmailServiceForm,
    ) -> Result<EmailServiceView, EmailServiceError> {
        let valid = form.validate()?;
        let config = valid.config;
        let provider = config.provider();
        let previous = self.stored()?;
        let typed_secret = valid.secret;
        let secret = match &typed_secret {
            Some(secret) => secret.clone(),
            // An empty secret field keeps the saved one, for the same provider only.
            None if previous.as_ref().map(|p| p.config.provider()) == Some(provider) => self
                .keychain_load(provider.secret_slot())
                .await?
                .ok_or_else(|| missing_secret_field(provider))?,
            None => return Err(missing_secret_field(provider).into()),
        };

        let mailer = Mailer::new(&config, secret.clone(), self.timeouts)?;
        let verified = mailer
            .verify()
            .await
            .map_err(|err| err.redact(secret.expose()));
        let (status, reason) = match verified {
            Ok(()) => (VerificationStatus::Verified, None),
            Err(err) if err.class() == FailureClass::Permanent => {
                tracing::info!(provider = provider.code(), failure = ?err.failure, "email service refused");
                return Err(err.into());
            }
            Err(err) => {
                tracing::info!(provider = provider.code(), failure = ?err.failure, "email service saved unverified");
                (VerificationStatus::Unverified, Some(err.failure))
            }
        };
        drop(mailer);

        if typed_secret.is_some() {
            self.keychain_store(provider.secret_slot(), secret).await?;
        }
        self.db
            .write(|tx| store::save(tx, &config, status, reason))
            .map_err(|err: rusqlite::Error| EmailServiceError::from(err))?;
        if let Some(previous) = previous {
            let old = previous.config.provider();
            if old != provider {
                if let Err(err) = self.keychain_delete(old.secret_slot()).await {
                    tracing::warn!(error = %err, provider = old.code(), "old secret not deleted");
                }
            }
        }
        tracing::info!(provider = provider.code(), ?status, "email service saved");
        let stored = self.stored()?.ok_or(EmailServiceError::NotConfigured)?;
        Ok(view_of(&stored, true))
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
        let secret = self
            .keychain_load(provider.secret_slot())
            .await?
            .ok_or(EmailServiceError::SecretMissing)?;
        let mailer = Mailer::new(&stored.config, secret.clone(), self.timeouts)?;
        let email = test_email(&stored.config.sender, to, language, business);
        let receipt = mailer
            .send(&email, None)
            .await
            .map_err(|err| err.redact(secret.expose()))?;
        tracing::info!(provider = provider.code(), "test email sent");
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
        let secret = self
            .keychain_load(stored.config.provider().secret_slot())
            .await?
            .ok_or(EmailServiceError::SecretMissing)?;
        let mailer = Mailer::new(&stored.config, secret.clone(), self.timeouts)
            .map_err(|err| err.redact(secret.expose()))?;
        Ok(ConfiguredMailer {
            mailer,
            sender: stored.config.sender,
            secret,
        })
    }

    // The keychain APIs block (D-Bus round trips, OS prompts): keep them off the async workers.

    async fn keychain_load(
        &self,
        slot: SecretSlot,
    ) -> Result<Option<Sensitive<String>>, SecretError> {
        let keychain = self.keychain.clone();
        run_blocking(move || keychain.load(slot)).await
    }

    async fn keychain_store(
        &self,
        slot: SecretSlot,
        secret: Sensitive<String>,
    ) -> Result<(), SecretError> {
        let keychain = self.keychain.clone();
        run_blocking(move || keychain.store(slot, &secret)).await
    }

    async fn keychain_delete(&self, slot: SecretSlot) -> Result<(), SecretError> {
        let keychain = self.keychain.clone();
        run_blocking(move || keychain.delete(slot)).await
    }
}

async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SecretError> + Send + 'static,
) -> Result<T, SecretError> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|err| {
            Err(SecretError::Failed {
                detail: err.to_string(),
            })
        })
}

fn missing_secret_field(provider: Provider) -> FormError {
    FormError::Fields(vec![FieldError {
        field: match provider {
            Provider::Smtp => "smtpPassword",
            Provider::Resend | Provider::Postmark => "apiKey",
        }
        .into(),
        problem: FieldProblem::Required,
        detail: None,
    }])
}

fn view_of(stored: &StoredEmailService, secret_saved: bool) -> EmailServiceView {
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
        secret_saved,
        status: stored.status,
        status_reason: stored.status_reason,
        verified_at: stored.verified_at.clone(),
    }
}
