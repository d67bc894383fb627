//! Start-up: what the UI needs before its first screen, and the first-render report.

use cachicamo_core::locale::Language;
use cachicamo_core::locale::{Region, RegionFormat};
use cachicamo_core::settings;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime, State};
use ts_rs::TS;

use crate::after_start;
use crate::error::IpcError;
use crate::launch_time::{self, PageStart};
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Bootstrap {
    pub language: Language,
    /// How amounts and dates are written and typed.
    pub region: RegionFormat,
    /// The regions offered in Ajustes.
    pub regions: Vec<Region>,
    pub version: String,
    /// Set when the app cannot work at all (for example a database from a newer version): the UI
    /// shows this instead of its screens.
    pub blocked: Option<IpcError>,
}

/// Everything the first screen needs, from one read of the settings.
#[tauri::command(async)]
pub fn bootstrap(state: State<'_, AppState>) -> Bootstrap {
    let ((saved_language, saved_region), blocked) =
        match state.db().and_then(|db| Ok(settings::first_screen(db)?)) {
            Ok(saved) => (saved, None),
            Err(err) => ((None, None), Some(err)),
        };
    let os_locale = state.os_locale.as_deref();
    let language = Language::choose(saved_language, os_locale);
    let region = saved_region.unwrap_or_else(|| Region::for_locale(os_locale, language));
    launch_time::step("bootstrap answered");
    Bootstrap {
        language,
        region: region.format(),
        regions: Region::ALL.to_vec(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        blocked,
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FirstRender {
    /// Milliseconds from the OS process start to the UI's first render.
    pub millis_since_process_start: u32,
}

/// The page's own clock at two moments of its start, in milliseconds since its navigation began
/// (`performance.now()`): the log splits the first render's time with them.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PageTimes {
    /// When the page's script first ran (it was loaded and parsed by then).
    pub script_ran: f64,
    /// When the first screen had painted, just before this report.
    pub painted: f64,
}

/// The window shows its first screen: what waited for it starts now (`after_start`).
#[tauri::command(async)]
pub fn report_first_render<R: Runtime>(app: AppHandle<R>, page: PageTimes) -> FirstRender {
    let millis = u32::try_from(launch_time::since_process_start().as_millis()).unwrap_or(u32::MAX);
    let start = PageStart::place(millis.into(), page.script_ran, page.painted);
    tracing::info!(first_render_ms = millis, "{}", start.line());
    after_start::start(&app, "first render");
    FirstRender {
        millis_since_process_start: millis,
    }
}

#[cfg(test)]
mod tests {
    use cachicamo_core::locale::Language;
    use serde_json::json;

    use crate::commands::test_support::{page_painted, TestApp};

    #[test]
    fn bootstrap_follows_the_os_language_until_the_user_chooses() {
        let app = TestApp::new(Some("en_US.UTF-8"));
        let boot = app.invoke("bootstrap", json!({})).expect("bootstrap");
        assert_eq!(boot["language"], "en");
        assert_eq!(boot["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(boot["blocked"], serde_json::Value::Null);

        let unknown = TestApp::new(Some("fr_FR.UTF-8"));
        let boot = unknown.invoke("bootstrap", json!({})).expect("bootstrap");
        assert_eq!(
            boot["language"], "es",
            "languages we do not speak fall back to Spanish"
        );
    }

    #[test]
    fn a_database_from_a_newer_version_blocks_the_app_with_a_clear_code() {
        let dir = tempfile::tempdir().expect("dir");
        let conn = rusqlite::Connection::open(dir.path().join("cachicamo.sqlite3")).expect("db");
        conn.pragma_update(None, "user_version", 999)
            .expect("as a newer app would leave it");
        drop(conn);
        let app = TestApp::in_dir(dir, Some("es_VE.UTF-8"));
        let boot = app.invoke("bootstrap", json!({})).expect("bootstrap");
        assert_eq!(boot["language"], "es");
        assert_eq!(boot["blocked"]["code"], "database_too_new");
        assert_eq!(boot["blocked"]["details"]["found"], 999);
        let err = app
            .invoke("set_language", json!({ "language": "en" }))
            .expect_err("writes are refused on a newer database");
        assert_eq!(err["code"], "database_too_new");
    }

    #[test]
    fn a_second_app_on_the_same_data_is_refused_and_the_first_keeps_working() {
        use crate::state::AppState;
        use cachicamo_core::paths::DataPaths;

        let dir = tempfile::tempdir().expect("dir");
        let paths = DataPaths::inside(dir.path().to_owned());
        let service = format!("cachicamo-test-{}", dir.path().display());
        let first = AppState::start_in(paths.clone(), None, &service).expect("first");
        let database = dir.path().join("cachicamo.sqlite3");
        let before = std::fs::read(&database).expect("the first created the database");

        let second = AppState::start_in(paths.clone(), Some("en_US.UTF-8".into()), &service)
            .expect("second");
        assert!(!second.owns_data_dir());
        let app = TestApp::with_state(dir, second);
        let boot = app.invoke("bootstrap", json!({})).expect("bootstrap");
        assert_eq!(boot["language"], "en", "it still speaks the OS's language");
        assert_eq!(boot["blocked"]["code"], "data_in_use");
        assert_eq!(
            boot["blocked"]["details"]["dir"],
            paths.data_dir().display().to_string()
        );
        let err = app
            .invoke("customers_list", json!({ "query": {} }))
            .expect_err("nothing is read");
        assert_eq!(err["code"], "data_in_use");
        assert_eq!(
            std::fs::read(&database).expect("database"),
            before,
            "the second app opened nothing"
        );

        assert!(first.owns_data_dir());
        cachicamo_core::settings::set_language(first.db().expect("db"), Language::En)
            .expect("the first still writes");
        drop(first);
        let third = AppState::start_in(paths, None, &service).expect("third");
        assert!(third.owns_data_dir(), "free once the first is gone");
    }

    #[test]
    fn the_first_render_is_timed_from_process_start() {
        use tauri::Manager;
        let app = TestApp::new(None);
        // What waits for the first render starts now: not the update check (GitHub).
        let state = app.app.state::<crate::state::AppState>();
        cachicamo_core::settings::set_check_updates_on_startup(state.db().expect("db"), false)
            .expect("no update check");
        let report = app
            .invoke("report_first_render", json!({ "page": page_painted() }))
            .expect("report");
        let millis = report["millisSinceProcessStart"].as_u64().expect("number");
        assert!(millis > 0, "the test process has been running for a while");
    }
}
