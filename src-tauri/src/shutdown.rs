//! Closing the app: the outbox worker stops gracefully first, so a reminder being handed to the
//! provider finishes and its answer is recorded (cut off mid-send, it would come back as
//! "Resultado incierto"). The wait is bounded by the worker's stop timeout (10 s), and the window
//! says what it is waiting for (`app://closing`).

use std::sync::atomic::{AtomicBool, Ordering};

use tauri::{AppHandle, Emitter, Manager, RunEvent, Runtime, WindowEvent};

use crate::state::AppState;

/// The event the window shows "Cerrando: terminando los envíos en curso…" for.
pub const CLOSING: &str = "app://closing";

static STOPPING: AtomicBool = AtomicBool::new(false);

/// The main window's close button.
pub fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event {
        if hold_exit(window.app_handle()) {
            api.prevent_close();
        }
    }
}

/// Any other way out (the OS logging off, `exit`).
pub fn on_run_event<R: Runtime>(app: &AppHandle<R>, event: &RunEvent) {
    if let RunEvent::ExitRequested { api, .. } = event {
        if hold_exit(app) {
            api.prevent_exit();
        }
    }
}

/// The desktop session ending (log out, shut down) asks apps to leave with SIGTERM: leave the
/// way the close button does, letting sends in flight finish.
#[cfg(unix)]
pub fn leave_on_terminate<R: Runtime>(app: &AppHandle<R>) {
    use tokio::signal::unix::{signal, SignalKind};
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut terminate = match signal(SignalKind::terminate()) {
            Ok(terminate) => terminate,
            Err(err) => {
                tracing::warn!(error = %err, "SIGTERM cannot be handled; it will end the app at once");
                return;
            }
        };
        if terminate.recv().await.is_some() {
            tracing::info!("asked to terminate: leaving as if the window were closed");
            app.exit(0);
        }
    });
}

/// Starts stopping the worker (once) and exits when it has; true while the exit must wait.
fn hold_exit<R: Runtime>(app: &AppHandle<R>) -> bool {
    let Some(outbox) = app
        .try_state::<AppState>()
        .and_then(|state| state.started_outbox().cloned())
    else {
        return false;
    };
    if !outbox.is_running() {
        return false;
    }
    if STOPPING.swap(true, Ordering::SeqCst) {
        return true;
    }
    let busy = !outbox.is_idle();
    if busy {
        let _ = app.emit(CLOSING, ());
    }
    tracing::info!(busy, "closing: stopping the outbox first");
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(err) = outbox.stop().await {
            tracing::warn!(error = %err, "the outbox did not stop in time");
        }
        app.exit(0);
    });
    true
}
