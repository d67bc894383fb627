//! The main window: created from Rust so its webview storage lives in the data directory, and
//! restored to the size and position the user left it at.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cachicamo_core::paths::DataPaths;
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags, WindowExt};

pub const MAIN: &str = "main";

fn remembered() -> StateFlags {
    StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED
}

/// The plugin joins its file name onto the OS config dir; an absolute path keeps the file in the
/// data directory instead, so `CACHICAMO_DATA_DIR` relocates it too. The file is created private
/// here: the plugin rewrites it in place, keeping its mode (an empty file reads as no state).
pub fn state_plugin<R: Runtime>(paths: &DataPaths) -> TauriPlugin<R> {
    let file = paths.window_state();
    let private = match cachicamo_core::files::create_private(&file) {
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            cachicamo_core::files::make_private(&file)
        }
        other => other.map(drop),
    };
    if let Err(err) = private {
        tracing::warn!(error = %err, "window state file not made private");
    }
    tauri_plugin_window_state::Builder::new()
        .with_filename(paths.window_state().to_string_lossy())
        .with_state_flags(remembered())
        .skip_initial_state(MAIN)
        .build()
}

/// Opens the main window; with `remember_geometry`, where the user left it (the state plugin
/// must then be registered); `minimised` (the login entry), iconified: on the taskbar rather
/// than hidden, since without a tray icon a hidden window could not be reached again.
pub fn open_main<R: Runtime>(
    app: &AppHandle<R>,
    paths: &DataPaths,
    remember_geometry: bool,
    minimised: bool,
) -> tauri::Result<()> {
    let window = WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App("index.html".into()))
        .title("Cachicamo")
        .inner_size(1180.0, 760.0)
        .min_inner_size(880.0, 560.0)
        .data_directory(paths.webview())
        // Hidden until the saved geometry is applied, so it does not jump on screen.
        .visible(false)
        .build()?;
    if remember_geometry {
        if let Err(err) = window.restore_state(remembered()) {
            tracing::warn!(error = %err, "window geometry not restored");
        }
    }
    window.show()?;
    if minimised {
        window.minimize()?;
    }
    if remember_geometry {
        save_geometry_when_it_settles(app, &window);
    }
    Ok(())
}

/// The plugin saves only on a clean exit; a crash, a power cut or a killed process would lose
/// the user's layout. Saving shortly after each move or resize (once it settles), and once after
/// the first show, keeps it.
fn save_geometry_when_it_settles<R: Runtime>(app: &AppHandle<R>, window: &tauri::WebviewWindow<R>) {
    let saver = GeometrySaver {
        app: app.clone(),
        generation: Arc::new(AtomicU64::new(0)),
    };
    saver.schedule();
    window.on_window_event(move |event| {
        if matches!(event, WindowEvent::Moved(_) | WindowEvent::Resized(_)) {
            saver.schedule();
        }
    });
}

struct GeometrySaver<R: Runtime> {
    app: AppHandle<R>,
    /// Bumped by every event; only the last one of a burst saves.
    generation: Arc<AtomicU64>,
}

impl<R: Runtime> GeometrySaver<R> {
    const SETTLE: Duration = Duration::from_millis(400);

    fn schedule(&self) {
        let mine = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let generation = self.generation.clone();
        let app = self.app.clone();
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(Self::SETTLE).await;
            if generation.load(Ordering::SeqCst) == mine {
                if let Err(err) = app.save_window_state(remembered()) {
                    tracing::warn!(error = %err, "window geometry not saved");
                }
            }
        });
    }
}

/// A second launch lands here: bring the running window forward instead of opening another.
pub fn focus_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}
