//! The saved email service built into a client, for the outbox to send many messages through:
//! it keeps its connections (SMTP pool, HTTP keep-alive) while it lives, and every error it
//! returns has the secret redacted, whichever way it failed.

use crate::mail::sender_check::SenderCheck;
use crate::mail::{
    BatchResults, MailError, Mailer, OutgoingEmail, Provider, Receipt, Sender, StatusPage,
    StatusQuery, StoredBatch,
};
use crate::secrets::Sensitive;

/// The saved email service, built and ready to send many messages: it keeps its connections
/// (SMTP pool, HTTP keep-alive) for as long as it lives, and redacts its secret from errors.
pub struct ConfiguredMailer {
    mailer: Mailer,
    sender: Sender,
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
    pub(super) fn new(mailer: Mailer, sender: Sender, secret: Sensitive<String>) -> Self {
        Self {
            mailer,
            sender,
            secret,
        }
    }

    pub fn provider(&self) -> Provider {
        self.mailer.provider()
    }

    /// Who the messages are from: the saved sender, so a fixed configuration applies to retries.
    pub fn sender(&self) -> &Sender {
        &self.sender
    }

    pub async fn send(
        &self,
        email: &OutgoingEmail,
        idempotency_key: Option<&str>,
    ) -> Result<Receipt, MailError> {
        self.mailer
            .send(email, idempotency_key)
            .await
            .map_err(|err| err.redact(self.secret.expose()))
    }
}

impl ConfiguredMailer {
    /// "Comprobar remitente" for the saved sender; Postmark's `account_token` is used for this
    /// check only and, like the saved secret, never appears in an error.
    pub async fn check_sender(
        &self,
        account_token: Option<&str>,
    ) -> Result<SenderCheck, MailError> {
        self.mailer
            .check_sender(&self.sender, account_token)
            .await
            .map_err(|err| {
                let err = err.redact(self.secret.expose());
                match account_token {
                    Some(token) => err.redact(token.trim()),
                    None => err,
                }
            })
    }

    /// See [`Mailer::delivery_status`].
    pub async fn delivery_status(&self, query: &StatusQuery) -> Result<StatusPage, MailError> {
        self.mailer
            .delivery_status(query)
            .await
            .map_err(|err| err.redact(self.secret.expose()))
    }

    /// See [`Mailer::batch_payload`].
    pub fn batch_payload(&self, emails: &[OutgoingEmail]) -> Option<String> {
        self.mailer.batch_payload(emails)
    }

    pub async fn send_batch(&self, batch: StoredBatch<'_>) -> BatchResults {
        let secret = self.secret.expose();
        match self.mailer.send_batch(batch).await {
            Ok(results) => Ok(results
                .into_iter()
                .map(|result| result.map_err(|err| err.redact(secret)))
                .collect()),
            Err(err) => Err(err.redact(secret)),
        }
    }
}
