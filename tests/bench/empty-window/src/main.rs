//! An empty Tauri 2 window, built like Cachicamo's (same size, webview storage in the data
//! directory, same CSP) and timed the same way: the page reports its first paint through IPC and
//! the time since the OS started the process goes to stderr, where `startup-bench` reads it.
//! Nothing else: no plugins, no database, no state.

use tauri::{Manager, WebviewUrl, WebviewWindowBuilder};

mod report {
    /// The same line Cachicamo logs, so the bench reads both alike; async like the app's, so
    /// it is answered the same way (off the main thread).
    #[tauri::command(async)]
    pub fn report_first_render() {
        let millis = super::process_age().unwrap_or_default().as_millis();
        eprintln!("first render {millis} ms after process start");
    }
}

/// `/proc/self/stat` field 22 (start time in clock ticks after boot, USER_HZ = 100) against
/// `/proc/uptime`: Cachicamo's `startup::since_process_start`, which the bench compares against.
fn process_age() -> Option<std::time::Duration> {
    const USER_HZ: f64 = 100.0;
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    let start_ticks: f64 = after_name.split_whitespace().nth(19)?.parse().ok()?;
    let uptime = std::fs::read_to_string("/proc/uptime").ok()?;
    let uptime_secs: f64 = uptime.split_whitespace().next()?.parse().ok()?;
    let age = uptime_secs - start_ticks / USER_HZ;
    (age >= 0.0).then(|| std::time::Duration::from_secs_f64(age))
}

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
