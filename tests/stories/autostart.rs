//! "Abrir Cachicamo al iniciar sesión": the switch in Ajustes writes the session's autostart
//! entry — a real `.desktop` file in a temporary home — that starts this very binary minimised,
//! removes it when turned off, and shows the entry's state after a restart.

use std::path::{Path, PathBuf};

use cachicamo_e2e::{app_binary, AppUnderTest, Window};

use crate::helpers::open_section;

/// Where the autostart plugin (auto-launch) writes the entry: `$HOME/.config/autostart`, named
/// after the product. It does not read `XDG_CONFIG_HOME`, so the story moves the home itself.
fn entry(home: &Path) -> PathBuf {
    home.join(".config/autostart/Cachicamo.desktop")
}

async fn switch_checked(window: &Window) -> bool {
    let checked = window
        .wait_for("#startup-at-login")
        .await
        .prop("checked")
        .await
        .expect("checked prop");
    checked.as_deref() == Some("true")
}

async fn open_startup(window: &Window) {
    open_section(window, "settings", "#startup-title", "Inicio y avisos").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_login_switch_writes_reads_and_removes_the_autostart_entry() {
    let home = tempfile::tempdir().expect("home");
    let home_text = home.path().display().to_string();
    let config = home.path().join(".config").display().to_string();
    let app = AppUnderTest::start(&[("HOME", &home_text), ("XDG_CONFIG_HOME", &config)]);
    let entry = entry(home.path());

    let window = app.open().await;
    open_startup(&window).await;
    assert!(!switch_checked(&window).await, "off by default");
    assert!(!entry.exists(), "nothing written before the owner asks");
    window
        .wait_for_text(
            "#startup-at-login-hint",
            "Cachicamo se abre minimizado cuando usted entra a su usuario, para revisar los cobros del día aunque nadie lo abra.",
        )
        .await;

    window.click("#startup-at-login").await;
    window
        .wait_for_text("#startup-saved", "Preferencia guardada.")
        .await;
    let text = std::fs::read_to_string(&entry).expect("the entry is written");
    let exec = text
        .lines()
        .find_map(|line| line.strip_prefix("Exec="))
        .expect("an Exec line");
    let binary = std::fs::canonicalize(app_binary()).expect("the app's path");
    assert_eq!(
        exec,
        format!("{} --minimised", binary.display()),
        "the entry starts this binary, minimised:\n{text}"
    );
    assert!(text.contains("Type=Application"), "{text}");

    // After a restart the switch shows what the entry says.
    window.close().await;
    let window = app.open().await;
    open_startup(&window).await;
    assert!(switch_checked(&window).await, "on after a restart");

    window.click("#startup-at-login").await;
    window
        .wait_for_text("#startup-saved", "Preferencia guardada.")
        .await;
    assert!(!entry.exists(), "turning it off removes the entry");
    window.close().await;

    let window = app.open().await;
    open_startup(&window).await;
    assert!(!switch_checked(&window).await, "off after a restart");
    window.close().await;
}
