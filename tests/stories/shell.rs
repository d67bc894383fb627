//! The app shell: menu, language, restart, single instance, data directory.

use std::process::Command;
use std::time::Duration;

use cachicamo_e2e::page::PageStart;
use cachicamo_e2e::{app_binary, app_pids, eventually, AppUnderTest};

use crate::helpers::menu;

const MENU: [(&str, &str, &str); 5] = [
    ("today", "Cobros de hoy", "Today's Collections"),
    ("pending", "Pagos Pendientes", "Pending Payments"),
    ("customers", "Clientes", "Customers"),
    ("integrations", "Integraciones", "Integrations"),
    ("settings", "Ajustes", "Settings"),
];

#[tokio::test(flavor = "multi_thread")]
async fn opens_in_spanish_switches_to_english_at_once_and_keeps_it_after_a_restart() {
    let app = AppUnderTest::start(&[]);
    let window = app.open().await;
    assert_eq!(
        window.client.title().await.expect("title"),
        "Cachicamo",
        "window title"
    );

    // Spanish by default: each menu entry opens its own screen, titled as the menu says.
    for (screen, es, _) in MENU {
        assert_eq!(window.text(&menu(screen)).await, es);
        window.click(&menu(screen)).await;
        window
            .wait_for(&format!("main[data-screen='{screen}']"))
            .await;
        window.wait_for_text("main h1", es).await;
        window.screenshot(&format!("es-{screen}")).await;
    }
    window
        .wait_for_text("label[for='language']", "Idioma")
        .await;

    // Switching to English relabels everything at once.
    window
        .wait_for("select#language")
        .await
        .select_by_value("en")
        .await
        .expect("choose English");
    window
        .wait_for_text("label[for='language']", "Language")
        .await;
    window.wait_for_text("main h1", "Settings").await;
    window
        .wait_for_text("p[role='status']", "Language saved.")
        .await;
    for (screen, _, en) in MENU {
        assert_eq!(window.text(&menu(screen)).await, en);
        window.click(&menu(screen)).await;
        window.wait_for_text("main h1", en).await;
        window.screenshot(&format!("en-{screen}")).await;
    }
    window.close().await;

    // A restart keeps the choice, even though the OS locale is not English.
    let window = app.open().await;
    for (screen, _, en) in MENU {
        assert_eq!(window.text(&menu(screen)).await, en);
    }
    window.click(&menu("settings")).await;
    let selected = window
        .wait_for("select#language")
        .await
        .prop("value")
        .await
        .expect("select value");
    assert_eq!(selected.as_deref(), Some("en"));

    // And back to Spanish.
    window
        .wait_for("select#language")
        .await
        .select_by_value("es")
        .await
        .expect("choose Spanish");
    window.wait_for_text("main h1", "Ajustes").await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn follows_an_english_operating_system_until_the_user_chooses() {
    let app = AppUnderTest::start(&[("LANG", "en_US.UTF-8")]);
    let window = app.open().await;
    window
        .wait_for_text(&menu("pending"), "Pending Payments")
        .await;
    window.close().await;

    let french = AppUnderTest::start(&[("LANG", "fr_FR.UTF-8")]);
    let window = french.open().await;
    window
        .wait_for_text(&menu("pending"), "Pagos Pendientes")
        .await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_file_goes_to_the_data_directory_and_start_up_is_logged() {
    // Asked for, each step of start-up is logged with its time since the process started.
    let app = AppUnderTest::start(&[("CACHICAMO_LOG", "info,cachicamo_lib=debug")]);
    let window = app.open().await;
    window.wait_for("nav").await;
    // The first render is reported once the screen has painted.
    let log = app.wait_for_log("first render").await;
    let stages = log
        .lines()
        .find_map(PageStart::read)
        .and_then(|(_, stages)| stages)
        .unwrap_or_else(|| panic!("the log should time the first render; log was:\n{log}"));
    // The page's own clock, placed on the process's: native start, then loading, then its work.
    assert!(
        0 < stages.began_loading
            && stages.began_loading <= stages.script_ran
            && stages.script_ran <= stages.first_render,
        "the first render's stages should come in order: {stages:?}"
    );
    let log = app
        .wait_for_log("step=\"work after the first screen started\"")
        .await;
    let steps: Vec<&str> = log
        .lines()
        .filter_map(|line| {
            let step = line.split("step=\"").nth(1)?.split('"').next()?;
            line.contains("since_start=").then_some(step)
        })
        .collect();
    let at = |expected: &str| {
        steps
            .iter()
            .position(|step| *step == expected)
            .unwrap_or_else(|| panic!("start-up should log {expected:?}; log was:\n{log}"))
    };
    // The window and the database open side by side, both before setup ends.
    let (window_created, database_open) = (at("window created"), at("database open"));
    assert!(
        at("main entered") < at("setup started")
            && at("setup started") < at("logging started")
            && at("logging started") < at("data directory taken")
            && at("data directory taken") < window_created.min(database_open)
            && window_created.max(database_open) < at("setup done"),
        "start-up's steps should come in order; log was:\n{log}"
    );
    assert!(
        log.contains("step=\"bootstrap answered\""),
        "the window's first call is logged too; log was:\n{log}"
    );
    wait_for_saved_width(&app, 1180).await;
    window.close().await;

    for relative in ["cachicamo.sqlite3", "window-state.json", "webview", "logs"] {
        assert!(
            app.data_path(relative).exists(),
            "{relative} should be inside CACHICAMO_DATA_DIR"
        );
    }
    let webview_files = std::fs::read_dir(app.data_path("webview"))
        .expect("webview dir")
        .count();
    assert!(
        webview_files > 0,
        "WebKit's storage should be relocated too"
    );
}

/// Waits until the app has saved the main window's width (it saves once a resize settles).
async fn wait_for_saved_width(app: &AppUnderTest, width: u64) {
    let path = app.data_path("window-state.json");
    let what = format!("{} to record width {width}", path.display());
    eventually(Duration::from_secs(10), &what, async || {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let saved = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|state| state["main"]["width"].as_u64());
        if saved == Some(width) {
            Ok(())
        } else {
            Err(text)
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_window_reopens_with_the_size_it_was_left_at() {
    let app = AppUnderTest::start(&[]);
    let window = app.open().await;
    window
        .client
        .set_window_size(1000, 700)
        .await
        .expect("resize");
    let (w, h) = window.client.get_window_size().await.expect("size");
    // The app saves the geometry once a resize settles, as a person's drag does.
    wait_for_saved_width(&app, w).await;
    window.close().await;

    let window = app.open().await;
    let (w2, h2) = window.client.get_window_size().await.expect("size");
    assert_eq!(
        (w2, h2),
        (w, h),
        "the window should reopen at its last size"
    );
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_launch_hands_over_to_the_running_window() {
    let app = AppUnderTest::start(&[]);
    let window = app.open().await;
    let running = app_pids();
    assert_eq!(running.len(), 1, "one app process: {running:?}");

    let mut second = Command::new(app_binary());
    for (key, value) in &app.env {
        if value.is_empty() {
            second.env_remove(key);
        } else {
            second.env(key, value);
        }
    }
    let mut second = second.spawn().expect("second launch");
    // Still running at the deadline, it is stopped with the first when the story ends.
    let status = eventually(
        Duration::from_secs(15),
        "the second launch to hand over and end",
        async || second.try_wait().expect("wait").ok_or("still running"),
    )
    .await;
    assert!(status.success(), "the second launch should exit cleanly");
    assert_eq!(app_pids(), running, "the first instance keeps running");
    window.wait_for("nav").await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn data_from_a_newer_version_is_refused_with_a_clear_message() {
    let data_dir = tempfile::tempdir().expect("dir");
    let conn = rusqlite::Connection::open(data_dir.path().join("cachicamo.sqlite3")).expect("db");
    conn.pragma_update(None, "user_version", 999)
        .expect("as a newer version would leave it");
    drop(conn);
    let app = AppUnderTest::start_in(data_dir, &[]);
    let window = app.open().await;
    window
        .wait_for_text("main.blocked h1", "Cachicamo no puede abrir sus datos")
        .await;
    let alert = window.text("main.blocked [role='alert'] p").await;
    assert!(
        alert.contains("versión más reciente"),
        "the message should explain the cause: {alert}"
    );
    window.screenshot("es-newer-database").await;
    window.close().await;
    let conn = rusqlite::Connection::open(app.data_path("cachicamo.sqlite3")).expect("reopen");
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(version, 999, "the newer database is left untouched");
}
