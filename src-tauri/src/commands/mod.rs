//! IPC commands, one file per area. They convert types and errors and nothing else.

pub mod app;
pub mod backups;
pub mod business;
pub mod csv;
pub mod customers;
pub mod email;
pub mod outbox;
pub mod receivables;
pub mod region;
pub mod reminders;
pub mod settings;
pub mod templates;
pub mod updates;

use tauri::{Builder, Runtime};

include!("names.rs");

/// Registers every command; shared by `run` and the mock-runtime tests.
pub fn register<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(crate::updates::PendingUpdate::default())
        .invoke_handler(tauri::generate_handler![
            app::bootstrap,
            app::report_first_render,
            settings::set_language,
            email::email_service_get,
            email::email_service_save,
            email::email_service_remove,
            email::email_service_send_test,
            email::smtp_presets,
            customers::customers_list,
            customers::customer_get,
            customers::customer_create,
            customers::customer_update,
            customers::customer_set_archived,
            customers::customer_delete,
            receivables::customer_receivables,
            receivables::pending_list,
            receivables::receivable_get,
            receivables::receivable_create,
            receivables::receivable_update,
            receivables::receivable_void,
            receivables::payment_preview,
            receivables::payment_record,
            receivables::payment_reverse,
            region::set_region,
            region::read_amount,
            region::read_date,
            region::today,
            csv::csv_import_preview,
            csv::csv_import,
            csv::pending_export_csv,
            outbox::outbox_list,
            outbox::outbox_act,
            reminders::reminder_send,
            reminders::receivable_reminders,
            business::business_get,
            business::business_save,
            business::currencies,
            updates::updates_check,
            updates::updates_announced,
            updates::updates_install,
            updates::updates_check_on_startup,
            updates::updates_set_check_on_startup,
            backups::backups_list,
            backups::backups_export,
            backups::backups_restore_copy,
            backups::backups_restore_file,
            templates::templates_get,
            templates::template_save,
            templates::template_reset,
            templates::template_preview,
            templates::reminder_preview,
        ])
}

#[cfg(test)]
pub(crate) mod test_support {
    use cachicamo_core::paths::DataPaths;
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{mock_builder, MockRuntime, INVOKE_KEY};
    use tauri::webview::InvokeRequest;
    use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};

    use crate::state::AppState;

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
            let paths = DataPaths::inside(dir.path().to_owned());
            paths.create_all().expect("dirs");
            let keychain = cachicamo_core::secrets::Keychain::for_data_dir(
                &format!("cachicamo-test-{}", dir.path().display()),
                dir.path(),
            )
            .expect("keychain");
            let state = AppState::open(paths, os_locale.map(str::to_owned), keychain, None);
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
