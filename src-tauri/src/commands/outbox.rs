//! Bandeja de salida: the emails queued, going and gone; "Reintentar ahora" and "Cancelar".

use cachicamo_core::outbox::{self, OutboxEntry, OutboxId, OutboxPage};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

/// Newest first; `before` continues after the previous page's last id.
#[tauri::command(async)]
pub fn outbox_list(
    state: State<'_, AppState>,
    before: Option<OutboxId>,
    limit: u32,
) -> Result<OutboxPage, IpcError> {
    Ok(state.db()?.read(|conn| outbox::list(conn, before, limit))?)
}

#[tauri::command(async)]
pub fn outbox_retry(state: State<'_, AppState>, id: OutboxId) -> Result<OutboxEntry, IpcError> {
    Ok(state.outbox()?.retry_now(id)?)
}

#[tauri::command(async)]
pub fn outbox_cancel(state: State<'_, AppState>, id: OutboxId) -> Result<OutboxEntry, IpcError> {
    Ok(state.outbox()?.cancel(id)?)
}
