//! One app's worth of state: a data directory with its SQLite file, the real OS keychain (a
//! service of the test's own, so parallel runs and the developer's entries never meet) and the
//! email service, with deadlines of seconds so a stalled server costs little.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cachicamo_core::locale::Language;
use cachicamo_core::mail::config::{EmailServiceForm, Provider, SmtpSecurity};
use cachicamo_core::mail::sender_check::SenderCheck;
use cachicamo_core::mail::service::{EmailService, EmailServiceError, EmailServiceView};
use cachicamo_core::mail::{MailError, MailFailure, Timeouts};
use cachicamo_core::secrets::{Keychain, SecretSlot};
use cachicamo_core::Database;
use cachicamo_e2e::fakes::TestCa;

use super::forms::{api_form, mail_error, smtp_form, SMTP_PASSWORD};

/// The mail tests' deadlines: seconds, not the app's 30 s (a stall after DATA waits this long,
/// not RFC 5321's ten minutes).
pub const TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_secs(3),
    request: Duration::from_secs(4),
    final_reply: Duration::from_secs(4),
};

pub struct Shop {
    pub dir: tempfile::TempDir,
    pub db: Arc<Database>,
    pub keychain: Keychain,
    pub service: EmailService,
}

impl Shop {
    pub fn open() -> Self {
        Self::open_with(TIMEOUTS)
    }

    /// A shop whose provider calls have `timeouts`.
    pub fn open_with(timeouts: Timeouts) -> Self {
        Self::build(
            tempfile::tempdir().expect("dir"),
            &unique_service(),
            timeouts,
        )
    }

    /// A shop on `dir` with keychain service `service` (two shops may share one, as two data
    /// directories of the same user share the OS keychain).
    pub fn open_in(dir: tempfile::TempDir, service: &str) -> Self {
        Self::build(dir, service, TIMEOUTS)
    }

    fn build(dir: tempfile::TempDir, service: &str, timeouts: Timeouts) -> Self {
        TestCa::get().trust_in_this_process();
        let db = Arc::new(Database::open(&dir.path().join("cachicamo.sqlite3")).expect("db"));
        let keychain = Keychain::for_data_dir(service, dir.path()).expect("keychain");
        let service = EmailService::new(db.clone(), keychain.clone(), timeouts);
        Self {
            dir,
            db,
            keychain,
            service,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("cachicamo.sqlite3")
    }

    /// Saves the email configuration, which the service verifies first.
    pub async fn configure(&self, form: EmailServiceForm) {
        self.service.save(form).await.expect("email service saved");
    }

    /// Saves SMTP on localhost:`port` (`password` `None`: keep the saved one), as the form does.
    pub async fn save_smtp(
        &self,
        port: u16,
        security: SmtpSecurity,
        password: Option<&str>,
    ) -> Result<EmailServiceView, EmailServiceError> {
        self.service.save(smtp_form(port, security, password)).await
    }

    /// Saves Resend or Postmark with `key` (`None`: keep the saved one), which must verify.
    pub async fn save_api(&self, provider: Provider, key: Option<&str>) -> EmailServiceView {
        self.service
            .save(api_form(provider, key))
            .await
            .expect("email service saved")
    }

    /// Why the provider refused to verify `form`, which it must.
    pub async fn refused(&self, form: EmailServiceForm) -> MailFailure {
        mail_error(self.service.save(form).await).failure
    }

    /// Why the provider refused the Spanish test email to `to`, which it must.
    pub async fn test_email_refused(&self, to: &str) -> MailFailure {
        mail_error(self.service.send_test(to, Language::Es, None).await).failure
    }

    /// What «Comprobar remitente» finds for the saved configuration.
    pub async fn check_sender(&self) -> SenderCheck {
        self.check_sender_with(None).await.expect("checked")
    }

    /// «Comprobar remitente» with Postmark's account token typed for the check.
    pub async fn check_sender_with(
        &self,
        account_token: Option<&str>,
    ) -> Result<SenderCheck, MailError> {
        self.service
            .mailer()
            .await
            .expect("mailer")
            .check_sender(account_token)
            .await
    }

    /// SMTP with STARTTLS on localhost:`port`, with the password the fake accepts; saved even
    /// when nothing listens there yet ("Sin verificar").
    pub async fn configure_smtp(&self, port: u16) {
        self.save_smtp(port, SmtpSecurity::Starttls, Some(SMTP_PASSWORD))
            .await
            .expect("email service saved");
    }

    /// The secret this shop's keychain holds for `slot`.
    pub fn secret(&self, slot: SecretSlot) -> Option<String> {
        self.keychain
            .load::<serde_json::Value>(slot)
            .expect("keychain readable")
            .map(|entry| entry.secret.expose().clone())
    }

    /// Every byte SQLite wrote (database, WAL, shared memory), to prove a secret is not among
    /// them.
    pub fn database_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        for suffix in ["", "-wal", "-shm"] {
            let path = format!("{}{suffix}", self.db_path().display());
            bytes.extend(std::fs::read(path).unwrap_or_default());
        }
        bytes
    }
}

impl Drop for Shop {
    fn drop(&mut self) {
        for slot in SecretSlot::ALL {
            let _ = self.keychain.delete(slot);
        }
    }
}

/// A keychain service no other test (nor the developer's own app) uses.
pub fn unique_service() -> String {
    format!(
        "cachicamo-test-{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_nanos()
    )
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}
