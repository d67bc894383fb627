//! The real parts the stories need — a display, a session bus, an unlocked Secret Service,
//! tauri-driver, WebKitWebDriver, secret-tool and the built app — and the check that fails the
//! run, saying what to install or start, when one is missing. Never a skip.

use std::path::{Path, PathBuf};

use crate::keychain;

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
        missing.extend(keychain::problem());
    }
    assert!(
        missing.is_empty(),
        "the end-to-end stories need real parts that are missing:\n  - {}",
        missing.join("\n  - ")
    );
}
