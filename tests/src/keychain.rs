//! The OS keychain as another program sees it: `secret-tool`, speaking to the same Secret
//! Service the app uses, reads, writes and clears entries by service and account — to check
//! what the app stored, to plant an entry an earlier version would have left, and to start
//! each story from an empty keychain. Used by the stories and by the core's tests.

use std::io::Write;
use std::process::{Command, Stdio};

/// The keychain service the app uses.
pub const APP_SERVICE: &str = "cachicamo";

/// The keychain accounts Cachicamo uses in a data directory, before the directory's install id.
pub const KEYCHAIN_SLOTS: [&str; 3] = ["smtp-password", "resend-api-key", "postmark-server-token"];

/// The raw text the keychain holds for `service` and `account`, if any.
pub fn lookup(service: &str, account: &str) -> Option<String> {
    let output = Command::new("secret-tool")
        .args(["lookup", "service", service, "username", account])
        .output()
        .expect("secret-tool runs (apt-get install libsecret-tools)");
    (output.status.success() && !output.stdout.is_empty())
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Stores `secret` under `service` and `account`, as an earlier version (or another program)
/// would have.
pub fn store(service: &str, account: &str, secret: &str) {
    let mut child = Command::new("secret-tool")
        .args(["store", "--label=cachicamo test entry"])
        .args(["service", service, "username", account])
        .stdin(Stdio::piped())
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

pub fn clear(service: &str, account: &str) {
    let _ = Command::new("secret-tool")
        .args(["clear", "service", service, "username", account])
        .status();
}

/// Clears the entries versions before per-directory entries wrote (bare account names), so a
/// story's fresh data directory does not adopt one left by an earlier run.
pub fn forget_legacy_keychain_entries() {
    for slot in KEYCHAIN_SLOTS {
        clear(APP_SERVICE, slot);
    }
}

/// Stores `secret` the way versions before per-directory entries did (account `slot`, no id).
pub fn store_legacy_keychain_entry(slot: &str, secret: &str) {
    store(APP_SERVICE, slot, secret);
}

/// Stores and reads back a throwaway secret through the Secret Service, as the app will; says
/// what is wrong when that fails.
pub(crate) fn problem() -> Option<String> {
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
