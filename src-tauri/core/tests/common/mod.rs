//! What the outbox's tests share: a shop (a real SQLite file, a keychain service of its own, the
//! email service), its email configurations for the real SMTP server and the fake HTTP
//! providers, and ways to wait for a row and read what a fake received.
//!
//! Run inside `.ci/desktop-session` (the keychain needs a Secret Service).

#![allow(dead_code)] // Each test file uses its own part.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cachicamo_core::mail::config::{EmailServiceForm, Provider, SmtpSecurity};
use cachicamo_core::mail::service::EmailService;
use cachicamo_core::mail::Timeouts;
use cachicamo_core::outbox::{
    self, OutboxChanged, OutboxEntry, OutboxHandle, OutboxId, OutboxSettings, OutboxState,
    QueuedEmail, RetryPolicy, SendGate, Unconditional,
};
use cachicamo_core::secrets::{Keychain, SecretSlot, Sensitive};
use cachicamo_core::Database;
use cachicamo_e2e::fakes::{FakeServer, TestCa};

pub const SENDER: &str = "ventas@ferreteria.com.ve";
pub const SMTP_PASSWORD: &str = "app-pass-0utb0x";
pub const RESEND_KEY: &str = "re_live_0utb0x_k3y";
pub const POSTMARK_TOKEN: &str = "pm-0utb0x-t0ken";

/// Provider URLs come from the environment, which is per process: tests that set them take
/// turns. (SMTP tests need no URL and run freely.)
pub async fn provider_env() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

pub fn fast_settings() -> OutboxSettings {
    OutboxSettings {
        probe: Duration::from_secs(1),
        tick: Duration::from_millis(250),
        retry: RetryPolicy {
            base: Duration::from_millis(300),
            cap: Duration::from_secs(2),
            max_attempts: 6,
        },
        stop_timeout: Duration::from_secs(5),
    }
}

pub fn unique() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_nanos()
    )
}

/// One app's worth of state: a SQLite file, a keychain service of its own, the email service.
pub struct Shop {
    pub dir: tempfile::TempDir,
    pub db: Arc<Database>,
    pub keychain: Keychain,
    pub service: EmailService,
}

impl Shop {
    pub fn open() -> Self {
        TestCa::get().trust_in_this_process();
        let dir = tempfile::tempdir().expect("dir");
        let db = Arc::new(Database::open(&dir.path().join("cachicamo.sqlite3")).expect("db"));
        let keychain = Keychain::for_data_dir(&format!("cachicamo-test-{}", unique()), dir.path())
            .expect("keychain");
        let timeouts = Timeouts {
            connect: Duration::from_secs(2),
            request: Duration::from_secs(2),
            final_reply: Duration::from_secs(2),
        };
        let service = EmailService::new(db.clone(), keychain.clone(), timeouts);
        Self {
            dir,
            db,
            keychain,
            service,
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("cachicamo.sqlite3")
    }

    pub async fn configure(&self, form: EmailServiceForm) {
        self.service.save(form).await.expect("email service saved");
    }

    /// The worker with the outbox's own mechanics only: rows about nothing the books could
    /// make untrue.
    pub fn start(&self) -> OutboxHandle {
        self.start_with(Arc::new(Unconditional))
    }

    /// The worker with a send check (the app's is `ReminderGate`).
    pub fn start_with(&self, gate: Arc<dyn SendGate>) -> OutboxHandle {
        outbox::start(self.db.clone(), self.service.clone(), gate, fast_settings()).expect("worker")
    }

    pub fn queue(&self, handle: Option<&OutboxHandle>, to: &str, subject: &str) -> OutboxId {
        let id = self
            .db
            .write(|tx| {
                outbox::enqueue(
                    tx,
                    QueuedEmail {
                        to: to.parse().expect("valid address"),
                        subject: subject.to_owned(),
                        text: format!("{subject}\n\nSaldo pendiente: 1.500,50 Bs."),
                        html: format!("<p>{subject}</p><p>Saldo pendiente: 1.500,50 Bs.</p>"),
                        reference: None,
                        facts: None,
                        attachments: Vec::new(),
                    },
                )
            })
            .expect("queued");
        if let Some(handle) = handle {
            handle.queued(id);
        }
        id
    }

    /// The Idempotency-Key Resend must see for `generation` of the row.
    pub fn key(&self, id: OutboxId, generation: i64) -> String {
        let uuid: String = self
            .db
            .read(|c| {
                c.query_row("SELECT uuid FROM outbox WHERE id = ?1", [id.0], |r| {
                    r.get(0)
                })
            })
            .expect("uuid");
        format!("{uuid}-{generation}")
    }

    pub fn entry(&self, id: OutboxId) -> OutboxEntry {
        self.db.read(|c| outbox::get(c, id)).expect("entry")
    }

    /// Polls until the row satisfies `done`, failing with its last state after `timeout`.
    pub async fn wait_for(
        &self,
        id: OutboxId,
        timeout: Duration,
        what: &str,
        done: impl Fn(&OutboxEntry) -> bool,
    ) -> OutboxEntry {
        let deadline = Instant::now() + timeout;
        loop {
            let entry = self.entry(id);
            if done(&entry) {
                return entry;
            }
            assert!(
                Instant::now() < deadline,
                "row {id} never became {what}: {entry:#?}"
            );
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    }

    pub async fn wait_state(
        &self,
        id: OutboxId,
        state: OutboxState,
        timeout: Duration,
    ) -> OutboxEntry {
        self.wait_for(id, timeout, &state.code(), |e| e.state == state)
            .await
    }

    /// Every byte SQLite wrote, to prove a secret is not among them.
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

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

pub fn smtp_form(port: u16) -> EmailServiceForm {
    EmailServiceForm {
        provider: Provider::Smtp,
        sender_address: SENDER.into(),
        sender_name: "Ferretería José Peña".into(),
        reply_to: String::new(),
        api_key: None,
        message_stream: String::new(),
        smtp_host: "localhost".into(),
        smtp_port: Some(u32::from(port)),
        smtp_security: SmtpSecurity::Starttls,
        smtp_username: SENDER.into(),
        smtp_password: Some(Sensitive::new(SMTP_PASSWORD.into())),
        accept_port_mismatch: false,
    }
}

pub fn api_form(provider: Provider, key: &str) -> EmailServiceForm {
    EmailServiceForm {
        provider,
        api_key: Some(Sensitive::new(key.into())),
        smtp_password: None,
        ..smtp_form(1)
    }
}

pub fn resend() -> FakeServer {
    resend_with(&[])
}

pub fn resend_with(extra: &[&str]) -> FakeServer {
    let mut args = vec![
        "--api-key",
        RESEND_KEY,
        "--domain",
        "ferreteria.com.ve:verified",
    ];
    args.extend_from_slice(extra);
    let server = FakeServer::resend(&args);
    std::env::set_var("CACHICAMO_RESEND_API_URL", server.base_url());
    server
}

pub fn postmark(extra: &[&str]) -> FakeServer {
    let mut args = vec!["--server-token", POSTMARK_TOKEN, "--sender", SENDER];
    args.extend_from_slice(extra);
    let server = FakeServer::postmark(&args);
    std::env::set_var("CACHICAMO_POSTMARK_API_URL", server.base_url());
    server
}

/// The sending requests an HTTP fake received (`path` e.g. `/emails`), in order.
pub fn send_requests(server: &FakeServer, path: &str) -> Vec<serde_json::Value> {
    server
        .control("GET", "requests", None)
        .as_array()
        .expect("request log")
        .iter()
        .filter(|r| r["method"] == "POST" && r["path"] == path)
        .cloned()
        .collect()
}

pub fn accepted(server: &FakeServer) -> Vec<serde_json::Value> {
    server
        .control("GET", "emails", None)
        .as_array()
        .expect("emails")
        .clone()
}

pub fn drain_events(
    events: &mut tokio::sync::broadcast::Receiver<OutboxChanged>,
    id: OutboxId,
) -> Vec<OutboxState> {
    let mut seen = Vec::new();
    while let Ok(event) = events.try_recv() {
        if event.id == id {
            seen.push(event.state);
        }
    }
    seen
}

pub const LONG: Duration = Duration::from_secs(20);
