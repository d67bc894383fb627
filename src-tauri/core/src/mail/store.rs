//! The configured email service in SQLite (one row). Never a secret: those are in the keychain.
//!
//! The row is input like any other: a restored file or a hand edit can put anything there. It
//! is read back through the same validation the form uses ([`EmailServiceForm::validate`]), so a
//! configuration the form would refuse (no encryption to another machine, a bad host) is
//! reported as invalid — "set it up again" — and never used to connect.

use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::config::{
    EmailServiceConfig, EmailServiceForm, FormError, Provider, ProviderSettings, SmtpSecurity,
};
use super::error::MailFailure;
use super::KeyAccess;
use crate::wire;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    /// The provider accepted these settings.
    Verified,
    /// Saved while the provider could not be reached; it will be checked on the next send.
    Unverified,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEmailService {
    pub config: EmailServiceConfig,
    pub status: VerificationStatus,
    /// Why it is unverified (offline, timeout…).
    pub status_reason: Option<MailFailure>,
    pub verified_at: Option<String>,
    /// What the saved key may do, where the provider has kinds of keys (Resend).
    pub key_access: Option<KeyAccess>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("the saved email service is unreadable: {0}")]
    Corrupt(String),
    /// Readable, but the form would refuse it.
    #[error("the saved email service is not valid: {0}")]
    Invalid(FormError),
}

pub fn load(conn: &Connection) -> Result<Option<StoredEmailService>, StoreError> {
    let row = conn
        .query_row(
            "SELECT provider, sender_address, sender_name, reply_to, message_stream, smtp_host,
                    smtp_port, smtp_security, smtp_username, status, status_reason, verified_at,
                    key_access
             FROM email_service WHERE id = 1",
            [],
            RawRow::read,
        )
        .optional()?;
    row.map(RawRow::parse).transpose()
}

pub fn save(
    conn: &Connection,
    config: &EmailServiceConfig,
    status: VerificationStatus,
    reason: Option<MailFailure>,
    key_access: Option<KeyAccess>,
) -> rusqlite::Result<()> {
    let (message_stream, smtp) = match &config.settings {
        ProviderSettings::Resend => (None, None),
        ProviderSettings::Postmark { message_stream } => (Some(message_stream.as_str()), None),
        ProviderSettings::Smtp(smtp) => (None, Some(smtp)),
    };
    let verified_at = (status == VerificationStatus::Verified).then_some(());
    conn.execute(
        "INSERT INTO email_service (id, provider, sender_address, sender_name, reply_to,
             message_stream, smtp_host, smtp_port, smtp_security, smtp_username, status,
             status_reason, verified_at, updated_at, key_access)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,
             CASE WHEN ?12 THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END,
             strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?13)
         ON CONFLICT (id) DO UPDATE SET
             provider = excluded.provider, sender_address = excluded.sender_address,
             sender_name = excluded.sender_name, reply_to = excluded.reply_to,
             message_stream = excluded.message_stream, smtp_host = excluded.smtp_host,
             smtp_port = excluded.smtp_port, smtp_security = excluded.smtp_security,
             smtp_username = excluded.smtp_username, status = excluded.status,
             status_reason = excluded.status_reason, verified_at = excluded.verified_at,
             updated_at = excluded.updated_at, key_access = excluded.key_access",
        rusqlite::params![
            wire::code(&config.provider()),
            config.sender.address.as_str(),
            config.sender.name,
            config.sender.reply_to.as_ref().map(|a| a.as_str()),
            message_stream,
            smtp.map(|s| s.host.as_str()),
            smtp.map(|s| s.port),
            smtp.map(|s| wire::code(&s.security)),
            smtp.map(|s| s.username.as_str()),
            wire::code(&status),
            reason.map(|reason| wire::code(&reason)),
            verified_at.is_some(),
            key_access.map(|access| wire::code(&access)),
        ],
    )?;
    Ok(())
}

/// Records what the saved key turned out to be able to do (a status question refused with 401
/// `restricted_api_key` proves it sending-only).
pub fn set_key_access(conn: &Connection, access: KeyAccess) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE email_service SET key_access = ?1 WHERE id = 1",
        [wire::code(&access)],
    )?;
    Ok(())
}

/// Marks the saved service verified (a test email went through).
pub fn mark_verified(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE email_service SET status = 'verified', status_reason = NULL,
             verified_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1",
        [],
    )?;
    Ok(())
}

/// Returns whether there was a service to remove.
pub fn remove(conn: &Connection) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM email_service WHERE id = 1", [])? > 0)
}

struct RawRow {
    provider: String,
    sender_address: String,
    sender_name: Option<String>,
    reply_to: Option<String>,
    message_stream: Option<String>,
    smtp_host: Option<String>,
    smtp_port: Option<i64>,
    smtp_security: Option<String>,
    smtp_username: Option<String>,
    status: String,
    status_reason: Option<String>,
    verified_at: Option<String>,
    key_access: Option<String>,
}

impl RawRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            provider: row.get(0)?,
            sender_address: row.get(1)?,
            sender_name: row.get(2)?,
            reply_to: row.get(3)?,
            message_stream: row.get(4)?,
            smtp_host: row.get(5)?,
            smtp_port: row.get(6)?,
            smtp_security: row.get(7)?,
            smtp_username: row.get(8)?,
            status: row.get(9)?,
            status_reason: row.get(10)?,
            verified_at: row.get(11)?,
            key_access: row.get(12)?,
        })
    }

    fn parse(self) -> Result<StoredEmailService, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(what.to_owned());
        let provider: Provider = wire::parse(&self.provider).map_err(|_| corrupt("provider"))?;
        let smtp_security = match provider {
            Provider::Smtp => self
                .smtp_security
                .as_deref()
                .and_then(wire::from_code::<SmtpSecurity>)
                .ok_or_else(|| corrupt("smtp_security"))?,
            Provider::Resend | Provider::Postmark => SmtpSecurity::Starttls,
        };
        let form = EmailServiceForm {
            provider,
            sender_address: self.sender_address,
            sender_name: self.sender_name.unwrap_or_default(),
            reply_to: self.reply_to.unwrap_or_default(),
            api_key: None,
            message_stream: self.message_stream.unwrap_or_default(),
            smtp_host: self.smtp_host.unwrap_or_default(),
            // Out of range reads as 0, which the validation names as an invalid port.
            smtp_port: self.smtp_port.map(|p| u32::try_from(p).unwrap_or(0)),
            smtp_security,
            smtp_username: self.smtp_username.unwrap_or_default(),
            smtp_password: None,
            // The owner accepted an unusual port when saving; it is not a danger.
            accept_port_mismatch: true,
        };
        let config = form.validate().map_err(StoreError::Invalid)?.config;
        let status = wire::parse(&self.status).map_err(|_| corrupt("status"))?;
        let status_reason = match self.status_reason.as_deref() {
            Some(reason) => Some(wire::parse(reason).map_err(|_| corrupt("status_reason"))?),
            None => None,
        };
        let key_access = match self.key_access.as_deref() {
            Some(access) => Some(wire::parse(access).map_err(|_| corrupt("key_access"))?),
            None => None,
        };
        Ok(StoredEmailService {
            config,
            status,
            status_reason,
            verified_at: self.verified_at,
            key_access,
        })
    }
}
