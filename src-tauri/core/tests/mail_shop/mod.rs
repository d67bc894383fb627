//! One shop's worth of state for the integration tests that check where a secret or a message
//! may go: a data directory with its SQLite file, the real OS keychain (a service of the test's
//! own, so parallel runs and the developer's entries never meet) and the email service.

#![allow(dead_code)] // each test file uses its own part of this

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use cachicamo_core::mail::config::{EmailServiceForm, Provider, SmtpSecurity};
use cachicamo_core::mail::service::{EmailService, EmailServiceError};
use cachicamo_core::mail::{MailError, Timeouts};
use cachicamo_core::secrets::{Keychain, SecretSlot, Sensitive};
use cachicamo_core::Database;
use cachicamo_e2e::fakes::TestCa;

pub const SENDER: &str = "ventas@ferreteria.com.ve";

/// Provider URLs come from the environment, which is per process: tests that set them take
/// turns. (SMTP tests need no URL and run freely.)
pub async fn provider_env() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

pub struct Shop {
    pub dir: tempfile::TempDir,
    pub db: Arc<Database>,
    pub keychain: Keychain,
    pub service: EmailService,
}

impl Shop {
    pub fn open() -> Self {
        let dir = tempfile::tempdir().expect("dir");
        Self::open_in(dir, &unique_service())
    }

    /// A shop on `dir` with keychain service `service` (two shops may share one, as two data
    /// directories of the same user share the OS keychain).
    pub fn open_in(dir: tempfile::TempDir, service: &str) -> Self {
        TestCa::get().trust_in_this_process();
        let db = Arc::new(Database::open(&dir.path().join("cachicamo.sqlite3")).expect("db"));
        let keychain = Keychain::for_data_dir(service, dir.path()).expect("keychain");
        let service = EmailService::new(db.clone(), keychain.clone(), timeouts());
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

    pub fn secret(&self, slot: SecretSlot) -> Option<String> {
        self.keychain
            .load::<serde_json::Value>(slot)
            .expect("keychain readable")
            .map(|entry| entry.secret.expose().clone())
    }
}

impl Drop for Shop {
    fn drop(&mut self) {
        for slot in SecretSlot::ALL {
            let _ = self.keychain.delete(slot);
        }
    }
}

pub fn timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(3),
        request: Duration::from_secs(4),
        final_reply: Duration::from_secs(4),
    }
}

pub fn unique_service() -> String {
    format!(
        "cachicamo-test-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_nanos()
    )
}

pub fn smtp_form(port: u16, security: SmtpSecurity, password: Option<&str>) -> EmailServiceForm {
    EmailServiceForm {
        provider: Provider::Smtp,
        sender_address: SENDER.into(),
        sender_name: "Ferretería José Peña".into(),
        reply_to: String::new(),
        api_key: None,
        message_stream: String::new(),
        smtp_host: "localhost".into(),
        smtp_port: Some(u32::from(port)),
        smtp_security: security,
        smtp_username: SENDER.into(),
        smtp_password: password.map(|p| Sensitive::new(p.to_owned())),
        accept_port_mismatch: false,
    }
}

pub fn api_form(provider: Provider, key: Option<&str>) -> EmailServiceForm {
    EmailServiceForm {
        provider,
        api_key: key.map(|k| Sensitive::new(k.to_owned())),
        ..smtp_form(1, SmtpSecurity::Starttls, None)
    }
}

pub fn mail_error<T: std::fmt::Debug>(result: Result<T, EmailServiceError>) -> MailError {
    match result {
        Err(EmailServiceError::Mail(err)) => err,
        other => panic!("expected a provider failure, got {other:?}"),
    }
}

/// Writes a keychain entry the way versions before per-directory entries did (account without an
/// install id), through `secret-tool`, which speaks to the same Secret Service.
pub fn store_legacy_entry(service: &str, account: &str, secret: &str) {
    use std::io::Write;
    let mut child = std::process::Command::new("secret-tool")
        .args(["store", "--label=cachicamo test legacy entry"])
        .args(["service", service, "username", account])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("secret-tool runs (apt-get install libsecret-tools)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(secret.as_bytes())
        .expect("secret written");
    assert!(child.wait().expect("secret-tool ends").success());
}

/// The bare-named entry, if it is still there.
pub fn legacy_entry(service: &str, account: &str) -> Option<String> {
    let output = std::process::Command::new("secret-tool")
        .args(["lookup", "service", service, "username", account])
        .output()
        .expect("secret-tool runs");
    (output.status.success() && !output.stdout.is_empty())
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}
