//! What the first screen does not need waits until it is up: the outbox's worker (which reads
//! the queue and may build the mailer), the daily copy and the quiet update check start when
//! the window reports its first render — or, when it never does (started minimised or hidden,
//! a webview that failed), [`AT_LATEST`] after setup. Whichever comes first starts them, once.
//! A command that needs the outbox before then starts its worker itself (`AppState::outbox`).

use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};

use crate::launch_time;
use crate::state::AppState;
use crate::updates;

/// Long enough for a first render on a slow, busy machine; short enough that a reminder queued
/// before a crash still leaves within seconds of start-up.
pub const AT_LATEST: Duration = Duration::from_secs(3);

/// Called from setup: starts the work after `at_latest` unless the first render came first.
pub fn schedule<R: Runtime>(app: &AppHandle<R>, at_latest: Duration) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(at_latest).await;
        start(&app, "no first render yet");
    });
}

/// Starts, once, what waited for the first render; off the async workers, since resuming the
/// outbox may write to the database.
pub fn start<R: Runtime>(app: &AppHandle<R>, why: &'static str) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    if !state.claim_after_start(why) {
        return;
    }
    tracing::debug!(why, "starting what waited for the first screen");
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        state.start_outbox_worker();
        state.back_up_daily_in_background();
        updates::at_startup(&app, state.checks_updates_on_startup());
        launch_time::step("work after the first screen started");
    });
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;
    use tauri::Manager;

    use crate::commands::test_support::{page_painted, state_in, TestApp};
    use crate::state::AppState;

    /// The app as launched, with the quiet update check off (it would go to GitHub).
    fn launched(at_latest: Duration) -> TestApp {
        let dir = tempfile::tempdir().expect("dir");
        let state = state_in(dir.path(), None);
        cachicamo_core::settings::set_check_updates_on_startup(state.db().expect("db"), false)
            .expect("no update check");
        TestApp::as_launched(dir, state, at_latest)
    }

    fn state(app: &TestApp) -> tauri::State<'_, AppState> {
        app.app.state::<AppState>()
    }

    fn worker_runs(app: &TestApp) -> bool {
        state(app).started_outbox().is_some_and(|o| o.is_running())
    }

    fn daily_copies(app: &TestApp) -> usize {
        std::fs::read_dir(app.dir.path().join("backups"))
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.file_name().to_string_lossy().starts_with("cachicamo-"))
                    .count()
            })
            .unwrap_or(0)
    }

    /// Why what waited for the first render started, if it has.
    fn started_because(app: &TestApp) -> Option<&'static str> {
        state(app).after_start_reason()
    }

    fn eventually(what: &str, done: impl Fn() -> bool) {
        tauri::async_runtime::block_on(cachicamo_e2e::eventually(
            Duration::from_secs(10),
            what,
            async || if done() { Ok(()) } else { Err(what) },
        ));
    }

    #[test]
    fn the_outbox_and_the_daily_copy_wait_for_the_first_render() {
        let app = launched(Duration::from_secs(3600));
        // Nothing starts without the claim, and the claim is taken before anything is spawned.
        assert_eq!(started_because(&app), None, "it waits for the first screen");
        assert!(!worker_runs(&app), "so does the worker");
        assert_eq!(daily_copies(&app), 0, "and the daily copy");
        // Screens may already listen and queue: the handle exists, only its worker waits.
        assert!(state(&app).started_outbox().is_none());

        app.invoke("report_first_render", json!({ "page": page_painted() }))
            .expect("report");
        assert_eq!(
            started_because(&app),
            Some("first render"),
            "not the deadline"
        );
        eventually("the worker's start", || worker_runs(&app));
        eventually("the daily copy", || daily_copies(&app) == 1);
    }

    #[test]
    fn without_a_first_render_they_start_shortly_after_setup() {
        let app = launched(Duration::from_millis(200));
        eventually("the worker's start", || worker_runs(&app));
        eventually("the daily copy", || daily_copies(&app) == 1);
        assert_eq!(started_because(&app), Some("no first render yet"));
        // A late first render finds the claim taken (it answers before the command returns),
        // so it starts nothing twice.
        app.invoke("report_first_render", json!({ "page": page_painted() }))
            .expect("report");
        assert_eq!(started_because(&app), Some("no first render yet"));
        assert_eq!(daily_copies(&app), 1);
    }

    #[test]
    fn a_command_that_needs_the_outbox_starts_its_worker_at_once() {
        let app = launched(Duration::from_secs(3600));
        assert!(!worker_runs(&app));
        let err = app
            .invoke(
                "outbox_act",
                json!({ "action": "cancel", "rows": { "kind": "one", "id": 424242 } }),
            )
            .expect_err("no such row");
        assert_eq!(err["code"], "not_found", "{err}");
        assert!(worker_runs(&app), "started for the command");
        assert_eq!(
            started_because(&app),
            None,
            "the rest still waits for the window"
        );
        assert_eq!(daily_copies(&app), 0);
    }
}
