//! IPC commands, one file per area. They convert types and errors and nothing else.

pub mod app;
pub mod autostart;
pub mod backups;
pub mod books_change;
pub mod business;
pub mod collections;
pub mod csv;
pub mod customers;
pub mod email;
pub mod outbox;
pub mod pauses;
pub mod receivables;
pub mod region;
pub mod reminders;
pub mod settings;
pub mod statements;
pub mod step_templates;
pub mod templates;
pub mod updates;
pub mod whatsapp;

use tauri::ipc::{InvokeBody, Request};
use tauri::{Builder, Runtime};

use crate::error::IpcError;

include!("names.rs");

/// The bytes of a file the user picked in the window (a CSV to import, a copy to restore): they
/// are the request's raw body, so megabytes never travel as a JSON array of numbers.
fn file_bytes<'r>(request: &'r Request<'_>) -> Result<&'r [u8], IpcError> {
    match request.body() {
        InvokeBody::Raw(bytes) => Ok(bytes),
        InvokeBody::Json(_) => Err(IpcError::malformed_request(
            "the file must arrive as raw bytes",
        )),
    }
}

/// Tauri's handler for every command `with_commands!` lists.
macro_rules! handlers {
    ($($module:ident::$command:ident),* $(,)?) => {
        tauri::generate_handler![$($module::$command),*]
    };
}

/// Registers every command; shared by `run` and the mock-runtime tests.
pub fn register<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .plugin(tauri_plugin_updater::Builder::new().build())
        // Opens wa.me links for `whatsapp_open`; nothing of it is granted to the webview.
        .plugin(tauri_plugin_opener::init())
        // "Abrir Cachicamo al iniciar sesión"; driven by `autostart_*`, nothing granted to the webview.
        .plugin(crate::autostart::plugin())
        // Desktop notices when reminders wait; shown from Rust, nothing granted to the webview.
        .plugin(tauri_plugin_notification::init())
        .manage(crate::updates::PendingUpdate::default())
        // Started by `run` once the database is open; commands nudge it after a change.
        .manage(crate::evaluator::Evaluator::default())
        .invoke_handler(with_commands!(handlers))
}

#[cfg(test)]
pub(crate) mod test_support {
    use cachicamo_core::paths::DataPaths;
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{mock_builder, MockRuntime, INVOKE_KEY};
    use tauri::webview::InvokeRequest;
    use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};

    use crate::state::AppState;

    /// What the window sends with its first render: its script ran 120 ms and its first screen
    /// painted 200 ms after its page began loading.
    pub fn page_painted() -> serde_json::Value {
        serde_json::json!({ "scriptRan": 120.0, "painted": 200.0 })
    }

    /// An `invalid_input` error's entry for `field` (`{field, problem, detail}`), or null.
    pub fn refused_field<'a>(err: &'a serde_json::Value, field: &str) -> &'a serde_json::Value {
        assert_eq!(err["code"], "invalid_input", "{err}");
        err["details"]["fields"]
            .as_array()
            .and_then(|fields| fields.iter().rev().find(|f| f["field"] == field))
            .unwrap_or(&serde_json::Value::Null)
    }

    /// The state the app opens on the data directory `dir`, with a keychain service of that
    /// directory's own (parallel tests never share entries).
    pub fn state_in(dir: &std::path::Path, os_locale: Option<&str>) -> AppState {
        let paths = DataPaths::inside(dir.to_owned());
        paths.create_all().expect("dirs");
        let keychain = cachicamo_core::secrets::Keychain::for_data_dir(
            &format!("cachicamo-test-{}", dir.display()),
            dir,
        )
        .expect("keychain");
        AppState::open(paths, os_locale.map(str::to_owned), keychain, None)
    }

    pub struct TestApp {
        pub app: App<MockRuntime>,
        pub window: WebviewWindow<MockRuntime>,
        pub dir: tempfile::TempDir,
    }

    impl TestApp {
        pub fn new(os_locale: Option<&str>) -> Self {
            let dir = tempfile::tempdir().expect("temp dir");
            Self::in_dir(dir, os_locale)
        }

        /// Reopens the app on the same data directory, as a restart would.
        pub fn restart(self, os_locale: Option<&str>) -> Self {
            let TestApp { app, window, dir } = self;
            drop(window);
            drop(app);
            Self::in_dir(dir, os_locale)
        }

        pub fn in_dir(dir: tempfile::TempDir, os_locale: Option<&str>) -> Self {
            let state = state_in(dir.path(), os_locale);
            Self::with_state(dir, state)
        }

        /// The app around a state built by the test (say, one that found its data in use).
        pub fn with_state(dir: tempfile::TempDir, state: AppState) -> Self {
            Self::build(dir, state, |app, state| state.start_outbox(app))
        }

        /// The app as `run` sets it up: the outbox connected, its worker and the rest waiting
        /// for the first render or for `at_latest`.
        pub fn as_launched(
            dir: tempfile::TempDir,
            state: AppState,
            at_latest: std::time::Duration,
        ) -> Self {
            let test = Self::build(dir, state, |app, state| state.connect_outbox(app));
            crate::after_start::schedule(test.app.handle(), at_latest);
            test
        }

        fn build(
            dir: tempfile::TempDir,
            state: AppState,
            start: impl FnOnce(&tauri::AppHandle<MockRuntime>, &AppState),
        ) -> Self {
            let app = super::register(mock_builder())
                // The real context, so the capability (ACL) the app ships is enforced here too.
                .build(tauri::generate_context!())
                .expect("mock app");
            start(app.handle(), &state);
            app.manage(state);
            let window = WebviewWindowBuilder::new(&app, "main", Default::default())
                .build()
                .expect("mock window");
            Self { app, window, dir }
        }

        /// Calls a command as the webview would and returns its JSON answer or JSON error.
        pub fn invoke(
            &self,
            cmd: &str,
            args: serde_json::Value,
        ) -> Result<serde_json::Value, serde_json::Value> {
            let request = InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().expect("url"),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            };
            tauri::test::get_ipc_response(&self.window, request)
                .map(|body| body.deserialize::<serde_json::Value>().expect("json body"))
        }

        /// Calls a command with raw bytes as its body, as the webview sends a picked file.
        pub fn invoke_bytes(
            &self,
            cmd: &str,
            bytes: Vec<u8>,
        ) -> Result<serde_json::Value, serde_json::Value> {
            self.invoke_bytes_with(cmd, bytes, &[])
        }

        /// `invoke_bytes` with request headers (what the webview sends beside a file).
        pub fn invoke_bytes_with(
            &self,
            cmd: &str,
            bytes: Vec<u8>,
            headers: &[(&'static str, &str)],
        ) -> Result<serde_json::Value, serde_json::Value> {
            let mut header_map = tauri::http::HeaderMap::new();
            for (name, value) in headers {
                header_map.insert(*name, value.parse().expect("header value"));
            }
            let request = InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().expect("url"),
                body: InvokeBody::Raw(bytes),
                headers: header_map,
                invoke_key: INVOKE_KEY.to_string(),
            };
            tauri::test::get_ipc_response(&self.window, request)
                .map(|body| body.deserialize::<serde_json::Value>().expect("json body"))
        }
    }
}
