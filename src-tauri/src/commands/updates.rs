//! Ajustes → Actualizaciones.

use cachicamo_core::settings;
use tauri::{AppHandle, Runtime, State};

use crate::error::IpcError;
use crate::state::AppState;
use crate::updates::{self, AvailableUpdate, PendingUpdate};

#[tauri::command]
pub async fn updates_check<R: Runtime>(
    app: AppHandle<R>,
) -> Result<Option<AvailableUpdate>, IpcError> {
    updates::check(&app).await
}

/// What a check (the start-up one included) found and is not installed yet.
#[tauri::command(async)]
pub fn updates_announced(pending: State<'_, PendingUpdate>) -> Option<AvailableUpdate> {
    pending.announced()
}

/// Installs the update the last check found (after the user confirmed) and restarts.
#[tauri::command]
pub async fn updates_install<R: Runtime>(app: AppHandle<R>) -> Result<(), IpcError> {
    updates::install(&app).await
}

#[tauri::command(async)]
pub fn updates_check_on_startup(state: State<'_, AppState>) -> Result<bool, IpcError> {
    Ok(settings::check_updates_on_startup(state.db()?)?)
}

#[tauri::command(async)]
pub fn updates_set_check_on_startup(
    state: State<'_, AppState>,
    enabled: bool,
) -> Result<bool, IpcError> {
    settings::set_check_updates_on_startup(state.db()?, enabled)?;
    Ok(enabled)
}
