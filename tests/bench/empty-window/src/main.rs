//! An empty Tauri 2 window, built like Cachicamo's (same size, webview storage in the data
//! directory, same CSP) and timed the same way: the page reports its first paint through IPC and
//! the time since the OS started the process goes to stderr, where `startup-bench` reads it.
//! Nothing else: no plugins, no database, no state.

use tauri::{Manager, WebviewUrl, WebviewWindowBuilder};

mod report {
    /// The same line Cachicamo logs, so the bench reads both alike; async like the app's, so
    /// it is answered the same way (off the main thread).
    #[tauri::command(async)]
    pub fn report_first_render(script_ran: f64, painted: f64) {
        let millis = super::process_age::on_linux()
            .unwrap_or_default()
            .as_millis();
        let millis = u64::try_from(millis).unwrap_or(u64::MAX);
        eprintln!(
            "{}",
            super::page::PageStart::place(millis, script_ran, painted).line()
        );
    }
}

// Cachicamo's own reading of the process age and of the page's start (the same files, not
// copies), so both windows are timed and split alike.
#[path = "../../../../src-tauri/src/launch_time/page.rs"]
mod page;
#[path = "../../../../src-tauri/src/launch_time/process_age.rs"]
mod process_age;

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![report::report_first_render])
        .setup(|app| {
            // The bench gives each run a fresh directory, as it gives Cachicamo.
            let webview_dir = match std::env::var_os("CACHICAMO_DATA_DIR") {
                Some(dir) => std::path::PathBuf::from(dir).join("webview"),
                None => app.path().app_data_dir()?.join("webview"),
            };
            WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
                .title("Empty window")
                .inner_size(1180.0, 760.0)
                .min_inner_size(880.0, 560.0)
                .data_directory(webview_dir)
                .build()?;
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the empty window runs");
}
