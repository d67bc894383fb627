//! One configuration of the app under test: a data directory and an environment, served by a
//! tauri-driver of its own (the app inherits the driver's environment), launched and connected
//! to through WebDriver, and everything it leaves behind — files under the data directory, its
//! keychain entries — readable for the stories' checks. Dropping it stops the driver and any
//! app process still running.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::ClientBuilder;
use hyper_util::client::legacy::connect::HttpConnector;

use crate::fakes::free_port;
use crate::keychain;
use crate::parts::{app_binary, require_real_parts};
use crate::process::{kill_all, wait_for_port, wait_until_gone};
use crate::wait::eventually;
use crate::window::Window;

/// How long launching the app and opening a WebDriver session may take.
pub(crate) const SESSION_TIMEOUT: Duration = Duration::from_secs(45);

/// One configuration of the app: a data directory and environment, served by its own
/// tauri-driver (the app inherits the driver's environment).
pub struct AppUnderTest {
    data_dir: PathBuf,
    /// The temporary data directory this app owns (none when it shares another app's).
    _owned_dir: Option<tempfile::TempDir>,
    driver_log: PathBuf,
    binary: PathBuf,
    driver: Child,
    port: u16,
    pub env: Vec<(String, String)>,
}

impl AppUnderTest {
    /// A fresh data directory; `extra_env` may change URLs, directories, timeouts or the OS
    /// locale, never what the app is built from.
    pub fn start(extra_env: &[(&str, &str)]) -> Self {
        Self::start_in(tempfile::tempdir().expect("temp data dir"), extra_env)
    }

    pub fn start_in(data_dir: tempfile::TempDir, extra_env: &[(&str, &str)]) -> Self {
        Self::start_binary(app_binary(), data_dir, extra_env)
    }

    /// The same, for another build of the app (an installed package, say).
    pub fn start_binary(
        binary: PathBuf,
        data_dir: tempfile::TempDir,
        extra_env: &[(&str, &str)],
    ) -> Self {
        let path = data_dir.path().to_owned();
        let mut app = Self::start_on(binary, &path, extra_env);
        app._owned_dir = Some(data_dir);
        app
    }

    /// Another install of the app (`binary`, a copy elsewhere) on the data directory another
    /// `AppUnderTest` already uses, which keeps owning it.
    pub fn start_sharing(binary: PathBuf, data_dir: &Path, extra_env: &[(&str, &str)]) -> Self {
        Self::start_on(binary, data_dir, extra_env)
    }

    fn start_on(binary: PathBuf, data_dir: &Path, extra_env: &[(&str, &str)]) -> Self {
        require_real_parts();
        assert!(binary.is_file(), "no app at {}", binary.display());
        let port = free_port();
        let native_port = free_port();
        let mut env: Vec<(String, String)> = vec![
            ("CACHICAMO_DATA_DIR".into(), data_dir.display().to_string()),
            // The OS locale the app reads; stories override it to check the detection.
            ("LANG".into(), "C.UTF-8".into()),
            ("LC_ALL".into(), String::new()),
            ("LANGUAGE".into(), String::new()),
            // The start-up update check must never leave this machine: a closed loopback port
            // unless a story serves a feed.
            (
                "CACHICAMO_UPDATE_URL".into(),
                "https://127.0.0.1:9/latest.json".into(),
            ),
        ];
        for (key, value) in extra_env {
            env.retain(|(k, _)| k != key);
            env.push(((*key).into(), (*value).into()));
        }
        // One log per driver: two apps may share the data directory.
        let driver_log_path = data_dir.join(format!("tauri-driver-{port}.log"));
        let driver_log = std::fs::File::create(&driver_log_path).expect("driver log");
        let mut command = Command::new("tauri-driver");
        // Its own process group, so stopping it also stops the WebKitWebDriver it starts.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        command
            .args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            .stdout(Stdio::null())
            .stderr(driver_log);
        for (key, value) in &env {
            if value.is_empty() {
                command.env_remove(key);
            } else {
                command.env(key, value);
            }
        }
        let driver = command.spawn().expect("tauri-driver starts");
        // tauri-driver proxies to WebKitWebDriver, which it starts itself: a session requested
        // before both listen is cut off mid-request.
        for (what, port) in [("tauri-driver", port), ("WebKitWebDriver", native_port)] {
            assert!(
                wait_for_port(port, Duration::from_secs(30)),
                "{what} did not listen on port {port}"
            );
        }
        Self {
            data_dir: data_dir.to_owned(),
            _owned_dir: None,
            driver_log: driver_log_path,
            binary,
            driver,
            port,
            env,
        }
    }

    /// Launches the app and connects to its window. Session creation is bounded: WebKitWebDriver
    /// waits forever for an app that died during start-up, so a stuck attempt is abandoned, its
    /// leftovers are stopped and it is tried once more before the story fails with the driver's
    /// log (which holds the app's own output).
    pub async fn open(&self) -> Window {
        for attempt in 1..=2 {
            wait_until_gone(&self.binary).await;
            match tokio::time::timeout(SESSION_TIMEOUT, self.connect()).await {
                Ok(Ok(window)) => {
                    window.wait_for("nav, main.blocked").await;
                    return window;
                }
                Ok(Err(err)) => eprintln!("session attempt {attempt} failed: {err}"),
                Err(_) => eprintln!("session attempt {attempt} timed out"),
            }
            kill_all(&self.binary);
        }
        let log = std::fs::read_to_string(&self.driver_log).unwrap_or_default();
        panic!(
            "no WebDriver session with the app after two attempts; driver and app output:\n{log}"
        );
    }

    async fn connect(&self) -> Result<Window, fantoccini::error::NewSessionError> {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": self.binary }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await?;
        Ok(Window::new(client, self.binary.clone()))
    }

    /// The keychain account of `slot` ("smtp-password") for this data directory, once the app
    /// has made the directory's install id.
    fn keychain_account(&self, slot: &str) -> Option<String> {
        let id = std::fs::read_to_string(self.data_path("install-id")).ok()?;
        Some(format!("{slot}:{}", id.trim()))
    }

    /// The secret the OS keychain holds for this data directory's `slot`, if anything (the
    /// entry also says what the secret was typed for; only the secret is returned).
    pub fn keychain_secret(&self, slot: &str) -> Option<String> {
        let text = keychain::lookup(keychain::APP_SERVICE, &self.keychain_account(slot)?)?;
        let entry: serde_json::Value =
            serde_json::from_str(&text).expect("the app's keychain entries are JSON");
        entry["secret"].as_str().map(str::to_owned)
    }

    /// What this data directory's `slot` entry says its secret was typed for.
    pub fn keychain_binding(&self, slot: &str) -> Option<serde_json::Value> {
        let text = keychain::lookup(keychain::APP_SERVICE, &self.keychain_account(slot)?)?;
        let entry: serde_json::Value =
            serde_json::from_str(&text).expect("the app's keychain entries are JSON");
        Some(entry["bound_to"].clone())
    }

    /// Clears this data directory's entries.
    pub fn forget_keychain_entries(&self) {
        for slot in keychain::KEYCHAIN_SLOTS {
            if let Some(account) = self.keychain_account(slot) {
                keychain::clear(keychain::APP_SERVICE, &account);
            }
        }
    }

    /// Everything the app has logged so far (its daily files under `logs/`).
    pub fn logs(&self) -> String {
        let Ok(entries) = std::fs::read_dir(self.data_path("logs")) else {
            return String::new();
        };
        let mut files: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        files
            .iter()
            .filter_map(|file| std::fs::read_to_string(file).ok())
            .collect()
    }

    /// Waits until the app has logged `needle`, and returns the whole log.
    pub async fn wait_for_log(&self, needle: &str) -> String {
        eventually(
            Duration::from_secs(20),
            &format!("the log to say {needle:?}"),
            async || {
                let log = self.logs();
                if log.contains(needle) {
                    Ok(log)
                } else {
                    Err(log)
                }
            },
        )
        .await
    }

    pub fn data_path(&self, relative: &str) -> PathBuf {
        self.data_dir.join(relative)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Fails if `secret` appears in any file under the data directory: the database and its
    /// WAL, backups, logs, WebKit's storage, and the driver's log (the app's own output).
    pub fn assert_secret_absent(&self, secret: &str) {
        let mut pending = vec![self.data_dir.clone()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    pending.push(path);
                } else if let Ok(bytes) = std::fs::read(&path) {
                    assert!(
                        !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                        "a secret was written to {}",
                        path.display()
                    );
                }
            }
        }
    }
}

impl Drop for AppUnderTest {
    /// Stories run one at a time, so any app process still alive here is this story's: a story
    /// that failed midway must not leave one behind for the next to hand over to.
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-9", "--", &group]).status();
        let _ = self.driver.wait();
        kill_all(&self.binary);
    }
}
