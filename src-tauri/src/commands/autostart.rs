//! Ajustes → Inicio: "Abrir Cachicamo al iniciar sesión". The state is the session's autostart
//! entry itself, read from the plugin on every call.

use tauri::{AppHandle, Runtime};
use tauri_plugin_autostart::ManagerExt;

use crate::error::{Failure, IpcError};

fn failed(err: tauri_plugin_autostart::Error) -> IpcError {
    IpcError::new(Failure::AutostartFailed {}, err.to_string())
}

/// Whether the app opens when the user logs in.
#[tauri::command(async)]
pub fn autostart_get<R: Runtime>(app: AppHandle<R>) -> Result<bool, IpcError> {
    app.autolaunch().is_enabled().map_err(failed)
}

/// Writes or removes the entry, and answers what the system now says.
#[tauri::command(async)]
pub fn autostart_set<R: Runtime>(app: AppHandle<R>, enabled: bool) -> Result<bool, IpcError> {
    let manager = app.autolaunch();
    if enabled {
        manager.enable().map_err(failed)?;
    } else {
        manager.disable().map_err(failed)?;
    }
    let now = manager.is_enabled().map_err(failed)?;
    tracing::info!(enabled = now, "autostart at login changed");
    Ok(now)
}
