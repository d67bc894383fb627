//! Bandeja de salida: the emails queued, going and gone, and what the owner does to them —
//! Reintentar ahora, Cancelar, Reenviar / Enviar, Marcar como enviado — to one or all.

use cachicamo_core::outbox::{OutboxEntry, OutboxFilter, OutboxId, OwnerAction, Rows};
use cachicamo_core::reminders::listing::{self, OutboxListing};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

/// Newest first, each email with the customer and document it is about; `before` continues
/// after the previous page's last id.
#[tauri::command(async)]
pub fn outbox_list(
    state: State<'_, AppState>,
    filter: Option<OutboxFilter>,
    before: Option<OutboxId>,
    limit: u32,
) -> Result<OutboxListing, IpcError> {
    let filter = filter.unwrap_or_default();
    Ok(listing::outbox_page(state.db()?, filter, before, limit)?)
}

/// How many emails bounced or were marked as spam since the owner last looked at Bandeja de
/// salida (the main screens' banner).
#[tauri::command(async)]
pub fn outbox_bounce_alert(state: State<'_, AppState>) -> Result<i64, IpcError> {
    Ok(listing::bounce_alert(state.db()?)?)
}

/// The owner looked at Bandeja de salida.
#[tauri::command(async)]
pub fn outbox_bounces_seen(state: State<'_, AppState>) -> Result<(), IpcError> {
    Ok(listing::bounces_seen(state.db()?)?)
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
