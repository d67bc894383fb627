//! The end-to-end harness: starts the real Cachicamo binary through tauri-driver and
//! WebKitWebDriver and drives its window as a person would.
//!
//! It never skips. Every real part the stories need (an X display, a D-Bus session, an unlocked
//! Secret Service keyring, tauri-driver, WebKitWebDriver, the built app) is checked first, and a
//! missing one fails the run with what to install or start. Run it through `.ci/e2e`, which
//! provides the display, the bus and the keyring.

pub mod fakes;
pub mod seed;

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

pub use fantoccini;

/// How long to wait for the window to show an element before the story fails.
pub const UI_TIMEOUT: Duration = Duration::from_secs(20);

/// How long launching the app and opening a WebDriver session may take.
const SESSION_TIMEOUT: Duration = Duration::from_secs(45);

/// The repository root (this crate lives in `tests/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_owned()
}

/// The app binary the build step produced (`tauri build`, which embeds the UI; a plain
/// `cargo build` binary would load the dev server instead). `.ci/test` keeps it aside in
/// `target/e2e/` and says so through `CACHICAMO_APP`, which may also name a release build or an
/// installed package.
pub fn app_binary() -> PathBuf {
    std::env::var_os("CACHICAMO_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/e2e/cachicamo"))
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    })
}

/// Fails (never skips) when a real part is missing, saying what is missing and how to get it.
pub fn require_real_parts() {
    let mut missing = Vec::new();
    if std::env::var_os("DISPLAY").is_none() {
        missing.push("an X display (DISPLAY is unset): run under xvfb-run, as .ci/e2e does".into());
    }
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        missing.push(
            "a D-Bus session (DBUS_SESSION_BUS_ADDRESS is unset): run under dbus-run-session"
                .into(),
        );
    }
    for (program, package) in [
        ("tauri-driver", "cargo install tauri-driver --locked"),
        ("WebKitWebDriver", "apt-get install webkit2gtk-driver"),
        ("secret-tool", "apt-get install libsecret-tools"),
    ] {
        if on_path(program).is_none() {
            missing.push(format!("{program} is not on PATH ({package})"));
        }
    }
    let app = app_binary();
    if !app.is_file() {
        missing.push(format!(
            "the app binary {} does not exist: build it first (.ci/test does)",
            app.display()
        ));
    }
    if missing.is_empty() {
        missing.extend(keyring_problem());
    }
    assert!(
        missing.is_empty(),
        "the end-to-end stories need real parts that are missing:\n  - {}",
        missing.join("\n  - ")
    );
}

/// The keychain accounts Cachicamo uses in a data directory, before the directory's install id.
pub const KEYCHAIN_SLOTS: [&str; 3] = ["smtp-password", "resend-api-key", "postmark-server-token"];

/// The raw text the OS keychain holds for service `cachicamo`, `account` (`secret-tool lookup`).
fn keychain_lookup(account: &str) -> Option<String> {
    let output = Command::new("secret-tool")
        .args(["lookup", "service", "cachicamo", "username", account])
        .output()
        .expect("secret-tool runs");
    (output.status.success() && !output.stdout.is_empty())
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

fn keychain_clear(account: &str) {
    let _ = Command::new("secret-tool")
        .args(["clear", "service", "cachicamo", "username", account])
        .status();
}

/// Clears the entries versions before per-directory entries wrote (bare account names), so a
/// story's fresh data directory does not adopt one left by an earlier run.
pub fn forget_legacy_keychain_entries() {
    for slot in KEYCHAIN_SLOTS {
        keychain_clear(slot);
    }
}

/// Stores `secret` the way versions before per-directory entries did (account `slot`, no id).
pub fn store_legacy_keychain_entry(slot: &str, secret: &str) {
    let mut child = Command::new("secret-tool")
        .args(["store", "--label=cachicamo e2e legacy entry"])
        .args(["service", "cachicamo", "username", slot])
        .stdin(Stdio::piped())
        .spawn()
        .expect("secret-tool runs");
    if let Some(stdin) = child.stdin.as_mut() {
        use std::io::Write;
        stdin.write_all(secret.as_bytes()).expect("secret written");
    }
    assert!(child.wait().expect("secret-tool ends").success());
}

/// Stores and reads back a throwaway secret through the Secret Service, as the app will; says
/// what is wrong when that fails.
fn keyring_problem() -> Option<String> {
    let attrs = ["service", "cachicamo-e2e-probe", "account", "probe"];
    let mut store = match Command::new("secret-tool")
        .args(["store", "--label=cachicamo e2e probe"])
        .args(attrs)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(err) => return Some(format!("secret-tool could not start: {err}")),
    };
    if let Some(stdin) = store.stdin.as_mut() {
        use std::io::Write;
        let _ = stdin.write_all(b"probe-value");
    }
    let stored = match store.wait_with_output() {
        Ok(output) => output,
        Err(err) => return Some(format!("secret-tool store failed: {err}")),
    };
    if !stored.status.success() {
        return Some(format!(
            "no unlocked Secret Service keyring (secret-tool store: {}); start gnome-keyring-daemon --unlock in the D-Bus session, as .ci/desktop-session does",
            String::from_utf8_lossy(&stored.stderr).trim()
        ));
    }
    let lookup = Command::new("secret-tool")
        .arg("lookup")
        .args(attrs)
        .output();
    let _ = Command::new("secret-tool")
        .arg("clear")
        .args(attrs)
        .status();
    match lookup {
        Ok(output) if output.stdout == b"probe-value" => None,
        Ok(_) => Some("the Secret Service keyring did not return what was stored".into()),
        Err(err) => Some(format!("secret-tool lookup failed: {err}")),
    }
}

fn free_port() -> u16 {
    TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}

fn wait_for_port(port: u16, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// PIDs of running processes whose executable is the app binary.
pub fn app_pids() -> Vec<u32> {
    pids_of(&app_binary())
}

/// PIDs of running processes whose executable is `binary`.
pub fn pids_of(binary: &Path) -> Vec<u32> {
    let target = std::fs::canonicalize(binary).unwrap_or_else(|_| binary.to_owned());
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let exe = std::fs::read_link(entry.path().join("exe")).ok()?;
            (exe == target).then_some(pid)
        })
        .collect()
}

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
        Ok(Window {
            client,
            binary: self.binary.clone(),
        })
    }

    /// Everything the app wrote under its data directory (for checks on files and secrets).
    /// The keychain account of `slot` ("smtp-password") for this data directory, once the app
    /// has made the directory's install id.
    fn keychain_account(&self, slot: &str) -> Option<String> {
        let id = std::fs::read_to_string(self.data_path("install-id")).ok()?;
        Some(format!("{slot}:{}", id.trim()))
    }

    /// The secret the OS keychain holds for this data directory's `slot`, if anything (the
    /// entry also says what the secret was typed for; only the secret is returned).
    pub fn keychain_secret(&self, slot: &str) -> Option<String> {
        let text = keychain_lookup(&self.keychain_account(slot)?)?;
        let entry: serde_json::Value =
            serde_json::from_str(&text).expect("the app's keychain entries are JSON");
        entry["secret"].as_str().map(str::to_owned)
    }

    /// What this data directory's `slot` entry says its secret was typed for.
    pub fn keychain_binding(&self, slot: &str) -> Option<serde_json::Value> {
        let text = keychain_lookup(&self.keychain_account(slot)?)?;
        let entry: serde_json::Value =
            serde_json::from_str(&text).expect("the app's keychain entries are JSON");
        Some(entry["bound_to"].clone())
    }

    /// Clears this data directory's entries.
    pub fn forget_keychain_entries(&self) {
        for slot in KEYCHAIN_SLOTS {
            if let Some(account) = self.keychain_account(slot) {
                keychain_clear(&account);
            }
        }
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

/// Stops every running instance of `binary` and waits until they are gone.
fn kill_all(binary: &Path) {
    for pid in pids_of(binary) {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while !pids_of(binary).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The single-instance rule means a relaunch before the previous process is gone would only
/// focus the dying one: wait for it.
async fn wait_until_gone(binary: &Path) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !pids_of(binary).is_empty() {
        assert!(
            Instant::now() < deadline,
            "a previous Cachicamo process is still running: {:?}",
            pids_of(binary)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A D-Bus session bus of its own, as another login session has: an app started on it does not
/// see (nor hand over to) one running on the test's bus. Stopped when dropped.
pub struct PrivateBus {
    daemon: Child,
    address: String,
}

impl PrivateBus {
    pub fn start() -> PrivateBus {
        use std::io::BufRead;
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon starts (apt-get install dbus)");
        let stdout = daemon.stdout.take().expect("stdout");
        let mut address = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut address)
            .expect("the bus address");
        let address = address.trim().to_owned();
        assert!(!address.is_empty(), "dbus-daemon printed no address");
        PrivateBus { daemon, address }
    }

    pub fn address(&self) -> &str {
        &self.address
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// The app's window, as WebDriver sees it.
pub struct Window {
    pub client: Client,
    binary: PathBuf,
}

impl Window {
    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(UI_TIMEOUT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(err) => {
                let shot = self.failure_screenshot().await;
                panic!("the window never showed `{css}`: {err} (screen: {shot})")
            }
        }
    }

    /// What the window showed when a story failed, kept under target/e2e/failures/.
    async fn failure_screenshot(&self) -> String {
        let dir = repo_root().join("target/e2e/failures");
        let path = dir.join(format!(
            "{}.png",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or_default()
        ));
        match self.client.screenshot().await {
            Ok(png)
                if std::fs::create_dir_all(&dir).is_ok() && std::fs::write(&path, &png).is_ok() =>
            {
                path.display().to_string()
            }
            _ => "not captured".into(),
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.wait_for(css)
            .await
            .text()
            .await
            .unwrap_or_else(|err| panic!("no text for `{css}`: {err}"))
    }

    /// The element's text now, or `None` while it is absent or being re-rendered.
    async fn try_text(&self, css: &str) -> Option<String> {
        let element = self.client.find(Locator::Css(css)).await.ok()?;
        element.text().await.ok()
    }

    /// Waits until the element's text is `expected` (the UI updates asynchronously, and may
    /// replace the element meanwhile).
    pub async fn wait_for_text(&self, css: &str, expected: &str) {
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            let actual = self.try_text(css).await.unwrap_or_default();
            if actual == expected {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "`{css}` shows {actual:?}, expected {expected:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn click(&self, css: &str) {
        self.wait_for(css)
            .await
            .click()
            .await
            .unwrap_or_else(|err| panic!("could not click `{css}`: {err}"));
    }

    /// Replaces a field's text. WebDriver's "clear" fires no input event, so the UI would not
    /// hear of it: typing after it does, and emptying types a space and erases it.
    pub async fn fill(&self, css: &str, text: &str) {
        const BACKSPACE: char = '\u{E003}';
        let field = self.wait_for(css).await;
        field
            .clear()
            .await
            .unwrap_or_else(|err| panic!("clear `{css}`: {err}"));
        let keys = if text.is_empty() {
            format!(" {BACKSPACE}")
        } else {
            text.to_owned()
        };
        field
            .send_keys(&keys)
            .await
            .unwrap_or_else(|err| panic!("type into `{css}`: {err}"));
    }

    pub async fn select(&self, css: &str, value: &str) {
        self.wait_for(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|err| panic!("choose {value} in `{css}`: {err}"));
    }

    pub async fn value(&self, css: &str) -> String {
        self.wait_for(css)
            .await
            .prop("value")
            .await
            .unwrap_or_else(|err| panic!("value of `{css}`: {err}"))
            .unwrap_or_default()
    }

    /// Waits until the element's text contains `needle`.
    pub async fn wait_for_text_containing(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            let actual = self.try_text(css).await.unwrap_or_default();
            if actual.contains(needle) {
                return actual;
            }
            assert!(
                Instant::now() < deadline,
                "`{css}` shows {actual:?}, expected it to contain {needle:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `css` shows something other than `before` (a list reloading after a filter),
    /// and returns it.
    pub async fn wait_for_text_other_than(&self, css: &str, before: &str) -> String {
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            let actual = self.try_text(css).await.unwrap_or_default();
            if !actual.is_empty() && actual != before {
                return actual;
            }
            assert!(Instant::now() < deadline, "`{css}` still shows {actual:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Whether an element is on screen now (no waiting).
    pub async fn exists(&self, css: &str) -> bool {
        !self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
            .is_empty()
    }

    /// Saves a PNG of the window into `tests/screenshots/` (the README shows them).
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = repo_root().join("tests/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// Ends the session; the driver closes the app.
    pub async fn close(self) {
        match tokio::time::timeout(SESSION_TIMEOUT, self.client.close()).await {
            Ok(result) => result.expect("close the session"),
            Err(_) => kill_all(&self.binary),
        }
        wait_until_gone(&self.binary).await;
    }
}
