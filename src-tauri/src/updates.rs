//! In-app updates from GitHub Releases (tauri-plugin-updater), driven from Rust: the webview has
//! no updater permission. A found update is kept here until the user confirms the install; the
//! package's signature is checked against the public key in `tauri.conf.json` before anything
//! is installed.

use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_updater::{Update, UpdaterBuilder, UpdaterExt};
use ts_rs::TS;

use crate::error::{Failure, IpcError};
use crate::state::AppState;

/// Replaces the update feed's URL (tests, a company mirror).
pub const UPDATE_URL_ENV: &str = "CACHICAMO_UPDATE_URL";

/// Event the UI listens to when the quiet start-up check finds a new version.
pub const AVAILABLE_EVENT: &str = "updates://available";

const CHECK_TIMEOUT: Duration = Duration::from_secs(30);
/// How long an update waits for reminders being sent before installing anyway.
const OUTBOX_DRAIN: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AvailableUpdate {
    pub version: String,
    pub current_version: String,
    /// The release notes as published.
    pub notes: Option<String>,
    pub date: Option<String>,
}

/// The update found by the last check, waiting for the user's confirmation, and what the UI
/// was told about it (the start-up check may finish before the window listens).
#[derive(Default)]
pub struct PendingUpdate(Mutex<Option<(Update, AvailableUpdate)>>);

impl PendingUpdate {
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<(Update, AvailableUpdate)>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn put(&self, found: Option<(Update, AvailableUpdate)>) {
        *self.slot() = found;
    }

    fn take(&self) -> Option<Update> {
        self.slot().take().map(|(update, _)| update)
    }

    /// The last version found and not yet installed.
    pub fn announced(&self) -> Option<AvailableUpdate> {
        self.slot().as_ref().map(|(_, available)| available.clone())
    }
}

fn failed(err: impl std::fmt::Display) -> IpcError {
    IpcError::new(Failure::UpdateFailed {}, err.to_string())
}

/// The updater as configured, with the feed URL from the environment when it is set.
pub fn configured<R: Runtime>(app: &AppHandle<R>) -> Result<UpdaterBuilder, IpcError> {
    let mut builder = app.updater_builder().timeout(CHECK_TIMEOUT);
    if let Some(url) = std::env::var(UPDATE_URL_ENV)
        .ok()
        .filter(|u| !u.trim().is_empty())
    {
        let url = url.trim().parse().map_err(failed)?;
        builder = builder.endpoints(vec![url]).map_err(failed)?;
    }
    Ok(builder)
}

/// Looks for a newer version; remembers it for [`install`].
pub async fn check_with<R: Runtime>(
    app: &AppHandle<R>,
    builder: UpdaterBuilder,
) -> Result<Option<AvailableUpdate>, IpcError> {
    let update = builder
        .build()
        .map_err(failed)?
        .check()
        .await
        .map_err(failed)?;
    let found = update.map(|u| {
        let available = AvailableUpdate {
            version: u.version.clone(),
            current_version: u.current_version.clone(),
            notes: u.body.clone(),
            date: u.date.map(|d| d.to_string()),
        };
        (u, available)
    });
    let available = found.as_ref().map(|(_, a)| a.clone());
    app.state::<PendingUpdate>().put(found);
    Ok(available)
}

pub async fn check<R: Runtime>(app: &AppHandle<R>) -> Result<Option<AvailableUpdate>, IpcError> {
    check_with(app, configured(app)?).await
}

/// Downloads the confirmed update, verifies its signature, installs it and restarts.
pub async fn install<R: Runtime>(app: &AppHandle<R>) -> Result<(), IpcError> {
    let update = app
        .state::<PendingUpdate>()
        .take()
        .ok_or_else(|| failed("no update was found to install; check again"))?;
    tracing::info!(version = %update.version, "installing update");
    let package = update.download(|_, _| {}, || {}).await.map_err(failed)?;
    // Installing restarts the app: let a reminder being sent finish first, so the provider's
    // answer is recorded (an interrupted send would come back as "Resultado incierto").
    let outbox = app.state::<AppState>().outbox().ok().cloned();
    if let Some(outbox) = &outbox {
        if !outbox.wait_idle(OUTBOX_DRAIN).await {
            tracing::warn!("installing while a reminder is still being sent");
        }
        if let Err(err) = outbox.stop().await {
            tracing::warn!(error = %err, "the outbox did not stop cleanly");
        }
    }
    if let Err(err) = update.install(package) {
        // No restart is coming: the reminders must keep going out.
        if let Some(outbox) = &outbox {
            if let Err(err) = outbox.resume() {
                tracing::error!(error = %err, "the outbox could not start again");
            }
        }
        return Err(failed(err));
    }
    app.restart()
}

/// At start-up, the quiet check when the owner left it on. The log says which, so whoever reads
/// it (support, a test) knows the decision was taken and no check will follow.
pub fn at_startup<R: Runtime>(app: &AppHandle<R>, enabled: bool) {
    if enabled {
        check_quietly_at_startup(app);
    } else {
        tracing::info!("update check at start-up: turned off");
    }
}

/// The quiet check at start-up: logs failures (offline is normal) and tells the UI only when
/// there is something new.
pub fn check_quietly_at_startup<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        match check(&app).await {
            Ok(Some(update)) => {
                tracing::info!(version = %update.version, "an update is available");
                let _ = app.emit(AVAILABLE_EVENT, update);
            }
            Ok(None) => tracing::info!("Cachicamo is up to date"),
            Err(err) => tracing::info!(error = %err.message, "update check failed"),
        }
    });
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::process::Command;

    use cachicamo_e2e::fakes::{FakeServer, TestCa};
    use tauri::Manager;
    use tauri_plugin_updater::UpdaterExt;

    use super::*;
    use crate::commands::test_support::TestApp;

    fn tauri_cli() -> std::path::PathBuf {
        cachicamo_e2e::repo_root().join("ui/node_modules/.bin/tauri")
    }

    /// A throwaway minisign key pair made by the same CLI that signs real releases.
    fn throwaway_key(dir: &Path) -> String {
        let status = Command::new(tauri_cli())
            .args(["signer", "generate", "--ci", "-p", "", "-w"])
            .arg(dir.join("key"))
            .stdout(std::process::Stdio::null())
            .status()
            .expect("tauri signer generate");
        assert!(status.success());
        std::fs::read_to_string(dir.join("key.pub")).expect("public key")
    }

    fn sign(dir: &Path, file: &Path) -> String {
        let status = Command::new(tauri_cli())
            .args(["signer", "sign", "-p", "", "-f"])
            .arg(dir.join("key"))
            .arg(file)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("tauri signer sign");
        assert!(status.success());
        std::fs::read_to_string(format!("{}.sig", file.display())).expect("signature")
    }

    fn feed(dir: &Path, name: &str, package_url: &str, signature: &str) {
        let platform = serde_json::json!({ "signature": signature, "url": package_url });
        let feed = serde_json::json!({
            "version": "9.9.9",
            "notes": "Recordatorios más rápidos.\nFaster reminders.",
            "pub_date": "2026-11-29T12:00:00Z",
            "platforms": {
                "linux-x86_64": platform,
                "linux-x86_64-appimage": platform,
            }
        });
        std::fs::write(dir.join(name), feed.to_string()).expect("feed");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_newer_version_is_found_and_a_tampered_package_is_refused() {
        TestCa::get().trust_in_this_process();
        let dir = tempfile::tempdir().expect("dir");
        let pubkey = throwaway_key(dir.path());
        let package = dir.path().join("Cachicamo.AppImage");
        std::fs::write(&package, b"the genuine package").expect("package");
        let signature = sign(dir.path(), &package);
        // Same signature, other bytes: what an attacker on the download path would serve.
        std::fs::write(dir.path().join("Tampered.AppImage"), b"the genuine packagE")
            .expect("tampered");
        let server = FakeServer::https_files(dir.path());
        let base = format!("https://localhost:{}", server.port);
        feed(
            dir.path(),
            "latest.json",
            &format!("{base}/Cachicamo.AppImage"),
            &signature,
        );
        feed(
            dir.path(),
            "tampered.json",
            &format!("{base}/Tampered.AppImage"),
            &signature,
        );

        let app = TestApp::new(None);
        let handle = app.app.handle().clone();
        let builder = |feed: &str| {
            handle
                .updater_builder()
                .pubkey(pubkey.clone())
                .endpoints(vec![format!("{base}/{feed}").parse().expect("url")])
                .expect("endpoints")
        };

        let found = check_with(&handle, builder("latest.json"))
            .await
            .expect("checked")
            .expect("a newer version");
        assert_eq!(found.version, "9.9.9");
        assert_eq!(found.current_version, env!("CARGO_PKG_VERSION"));
        assert!(found
            .notes
            .as_deref()
            .unwrap_or_default()
            .contains("Recordatorios"));
        let genuine = handle
            .state::<PendingUpdate>()
            .take()
            .expect("kept for install");
        let bytes = genuine
            .download(|_, _| {}, || {})
            .await
            .expect("signature verified");
        assert_eq!(bytes, b"the genuine package");

        check_with(&handle, builder("tampered.json"))
            .await
            .expect("checked")
            .expect("a newer version");
        let tampered = handle.state::<PendingUpdate>().take().expect("kept");
        let refused = tampered.download(|_, _| {}, || {}).await;
        assert!(
            refused.is_err(),
            "a package whose signature does not match must be refused"
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_same_version_is_no_update() {
        TestCa::get().trust_in_this_process();
        let dir = tempfile::tempdir().expect("dir");
        let pubkey = throwaway_key(dir.path());
        let current = serde_json::json!({
            "version": env!("CARGO_PKG_VERSION"),
            "platforms": { "linux-x86_64": { "signature": "x", "url": "https://localhost/x" } }
        });
        std::fs::write(dir.path().join("latest.json"), current.to_string()).expect("feed");
        let server = FakeServer::https_files(dir.path());
        let app = TestApp::new(None);
        let handle = app.app.handle().clone();
        let builder = handle
            .updater_builder()
            .pubkey(pubkey)
            .endpoints(vec![format!(
                "https://localhost:{}/latest.json",
                server.port
            )
            .parse()
            .expect("url")])
            .expect("endpoints");
        assert_eq!(check_with(&handle, builder).await.expect("checked"), None);
    }
}
