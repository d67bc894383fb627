//! The HTTP providers' fakes and the environment that points the process at them. Provider URLs
//! come from the environment, which is per process: tests that set them take turns through
//! [`provider_env`], and only the turn's holder can start a fake the process talks to. (SMTP
//! needs no URL: those tests run freely.)

use cachicamo_e2e::fakes::FakeServer;

use super::forms::{POSTMARK_TOKEN, RESEND_KEY, SENDER, SENDER_DOMAIN};

/// This test's turn at the process environment.
pub struct ProviderEnv {
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

pub async fn provider_env() -> ProviderEnv {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    ProviderEnv {
        _turn: LOCK.lock().await,
    }
}

impl ProviderEnv {
    /// Resend's fake, with the shop's key and verified domain and `extra` arguments (`resend.py`'s
    /// `--api-key`, `--restricted-key`, `--domain name:status`, `--rate-limit` add to them), and
    /// the process pointed at it.
    pub fn resend(&self, extra: &[&str]) -> FakeServer {
        let mut args = vec!["--api-key", RESEND_KEY, "--domain", SENDER_DOMAIN];
        args.extend_from_slice(extra);
        let server = FakeServer::resend(&args);
        self.set("CACHICAMO_RESEND_API_URL", &server.base_url());
        server
    }

    /// Postmark's fake, with the shop's token and sender and `extra` arguments (`postmark.py`'s
    /// `--inactive-recipient`…), and the process pointed at it.
    pub fn postmark(&self, extra: &[&str]) -> FakeServer {
        let mut args = vec!["--server-token", POSTMARK_TOKEN, "--sender", SENDER];
        args.extend_from_slice(extra);
        let server = FakeServer::postmark(&args);
        self.set("CACHICAMO_POSTMARK_API_URL", &server.base_url());
        server
    }

    /// Points `variable` (a provider's URL) at `url` for as long as this turn lasts.
    pub fn set(&self, variable: &str, url: &str) {
        std::env::set_var(variable, url);
    }
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

/// The emails an HTTP fake accepted, in order.
pub fn accepted(server: &FakeServer) -> Vec<serde_json::Value> {
    server
        .control("GET", "emails", None)
        .as_array()
        .expect("emails")
        .clone()
}
