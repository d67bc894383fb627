//! Bandeja de salida: the emails queued, going and gone, and what the owner does to them —
//! Reintentar ahora, Cancelar, Reenviar / Enviar, Marcar como enviado — to one or all.

use cachicamo_core::outbox::{
    self, OutboxEntry, OutboxFilter, OutboxId, OutboxPage, OwnerAction, Rows,
};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

/// Newest first; `before` continues after the previous page's last id.
#[tauri::command(async)]
pub fn outbox_list(
    state: State<'_, AppState>,
    filter: Option<OutboxFilter>,
    before: Option<OutboxId>,
    limit: u32,
) -> Result<OutboxPage, IpcError> {
    let filter = filter.unwrap_or_default();
    Ok(state
        .db()?
        .read(|conn| outbox::list(conn, filter, before, limit))?)
}

/// The owner's action on one row or every row in a state; each is checked against the books
/// first (a reminder about a receivable paid since is cancelled, not sent).
#[tauri::command(async)]
pub fn outbox_act(
    state: State<'_, AppState>,
    action: OwnerAction,
    rows: Rows,
) -> Result<Vec<OutboxEntry>, IpcError> {
    Ok(state.outbox()?.act(action, rows)?)
}
