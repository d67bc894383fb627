//! What the owner does to rows (Reintentar ahora, Cancelar, Reenviar, Enviar, Marcar como
//! enviado — one row or all that need them), what a restore does to the rows it brings back,
//! and the re-check a change to the books makes of the rows waiting about it.
//!
//! Every deliberate send goes through the same send check the worker applies, inside the same
//! transaction: a row about a receivable paid since is cancelled, not queued.

use rusqlite::{params, Transaction};

use super::claim::{cancel_for, hold, mark_uncertain, rewrite, verdict};
use super::entries::get;
use super::gate::{GateQuestion, SendGate, Verdict};
use super::handle::{OutboxChanged, OwnerAction};
use super::state::{CancelReason, HoldReason, OutboxState};
use super::store::{current_state, ids_where, now_text, OutboxEntry, OutboxId, OWNER_CONFIRMED};
use super::{OutboxError, OutboxRefusal};
use crate::wire;

/// "Reintentar ahora": a waiting row goes at once with the same Idempotency-Key; a failed row
/// starts over (attempts reset) under a new generation. Checked against the books first.
pub fn retry_now(
    tx: &Transaction<'_>,
    gate: &dyn SendGate,
    id: OutboxId,
) -> Result<OutboxEntry, OutboxError> {
    let state = current_state(tx, id)?;
    if !state.can_retry_now() {
        return Err(not_allowed(id, state, OwnerAction::Retry));
    }
    requeue(tx, gate, id, state.again_bumps_generation())?;
    get(tx, id)
}

/// "Reenviar" an uncertain row or "Enviar" a held one: a new generation (new key and
/// Message-ID), checked against the books first.
pub fn send_again(
    tx: &Transaction<'_>,
    gate: &dyn SendGate,
    id: OutboxId,
) -> Result<OutboxEntry, OutboxError> {
    let state = current_state(tx, id)?;
    if !state.can_send_again() {
        return Err(not_allowed(id, state, OwnerAction::SendAgain));
    }
    requeue(tx, gate, id, true)?;
    get(tx, id)
}

/// "Marcar como enviado": the owner knows the uncertain message arrived.
pub fn mark_sent(tx: &Transaction<'_>, id: OutboxId) -> Result<OutboxEntry, OutboxError> {
    let state = current_state(tx, id)?;
    if !state.can_mark_sent() {
        return Err(not_allowed(id, state, OwnerAction::MarkSent));
    }
    let now = now_text();
    tx.execute(
        "UPDATE outbox SET state = 'sent', reason = ?2, sent_at = coalesce(sent_at, ?3),
             next_attempt_at = NULL, updated_at = ?3
         WHERE id = ?1",
        params![id.0, OWNER_CONFIRMED, now],
    )?;
    get(tx, id)
}

/// "Cancelar": never a sending row (it may already be at the provider), a sent or an uncertain
/// one.
pub fn cancel(tx: &Transaction<'_>, id: OutboxId) -> Result<OutboxEntry, OutboxError> {
    let state = current_state(tx, id)?;
    if !state.can_cancel() {
        return Err(not_allowed(id, state, OwnerAction::Cancel));
    }
    cancel_for(tx, id, CancelReason::Owner, &now_text())?;
    get(tx, id)
}

/// The rows in `state`, oldest first: what "todos" applies an action to.
pub fn ids_in_state(
    tx: &Transaction<'_>,
    state: OutboxState,
) -> Result<Vec<OutboxId>, OutboxError> {
    ids_where(tx, "state = ?1", [wire::code(&state)])
}

/// The rows of `ids` the owner's `action` applies to in their present state; the others (sent,
/// being sent, already cancelled…) are left out rather than refused.
pub fn ids_allowing(
    tx: &Transaction<'_>,
    ids: &[OutboxId],
    action: super::handle::OwnerAction,
) -> Result<Vec<OutboxId>, OutboxError> {
    use super::handle::OwnerAction;
    let mut allowed = Vec::new();
    for id in ids {
        let state = current_state(tx, *id)?;
        let applies = match action {
            OwnerAction::Retry => state.can_retry_now(),
            OwnerAction::SendAgain => state.can_send_again(),
            OwnerAction::MarkSent => state.can_mark_sent(),
            OwnerAction::Cancel => state.can_cancel(),
        };
        if applies {
            allowed.push(*id);
        }
    }
    Ok(allowed)
}

/// After a restore: every row that was waiting, sending or uncertain in the copy waits for the
/// owner ("Por revisar: copia restaurada"). The copy may be days old — or someone else's.
pub fn hold_restored(tx: &Transaction<'_>) -> Result<Vec<OutboxId>, OutboxError> {
    let ids = ids_where(
        tx,
        "state IN ('queued', 'retrying', 'sending', 'uncertain')",
        [],
    )?;
    let now = now_text();
    for id in &ids {
        hold(tx, *id, HoldReason::Restored, &now)?;
    }
    Ok(ids)
}

/// A change to the books (a payment, a void, a correction, a new address) re-checks the rows
/// waiting about `reference` in the caller's transaction: the ones that no longer tell the
/// truth are cancelled or re-rendered now, not when they would have left. Rows held for the
/// owner are only ever cancelled here; a keyed retry that may have delivered is never
/// re-rendered (it becomes uncertain); sending, sent and uncertain rows are past deciding.
pub fn recheck(
    tx: &Transaction<'_>,
    gate: &dyn SendGate,
    reference: &str,
) -> Result<Vec<OutboxChanged>, OutboxError> {
    recheck_where(
        tx,
        gate,
        "reference = ?1 AND state IN ('queued', 'retrying', 'held')",
        &reference,
    )
}

/// Rows a failed attempt has just put back in the queue, re-checked in the transaction that
/// records it: a change to the books made while they were being sent could not touch them, and
/// the owner should see its effect ("Cancelado: la cuenta ya está pagada") now, not at the next
/// attempt.
pub(crate) fn recheck_returned(
    tx: &Transaction<'_>,
    gate: &dyn SendGate,
    ids: &[OutboxId],
) -> Result<Vec<OutboxChanged>, OutboxError> {
    let mut changed = Vec::new();
    for id in ids {
        changed.extend(recheck_where(
            tx,
            gate,
            "id = ?1 AND state IN ('queued', 'retrying')",
            &id.0,
        )?);
    }
    Ok(changed)
}

/// The re-check of the rows `condition` (with its one parameter) selects.
fn recheck_where(
    tx: &Transaction<'_>,
    gate: &dyn SendGate,
    condition: &str,
    parameter: &dyn rusqlite::ToSql,
) -> Result<Vec<OutboxChanged>, OutboxError> {
    let rows = {
        let mut statement = tx.prepare_cached(&format!(
            "SELECT id, state, reference, facts, recipient, maybe_delivered_at IS NOT NULL
             FROM outbox WHERE {condition}"
        ))?;
        let rows = statement
            .query_map([parameter], |r| {
                Ok(Waiting {
                    id: OutboxId(r.get(0)?),
                    state: wire::column(r, 1)?,
                    reference: r.get(2)?,
                    facts: r.get(3)?,
                    recipient: r.get(4)?,
                    maybe_delivered: r.get(5)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows
    };
    let now = now_text();
    let mut changed = Vec::new();
    for Waiting {
        id,
        state,
        reference,
        facts,
        recipient,
        maybe_delivered,
    } in rows
    {
        let held = state == OutboxState::Held;
        let question = GateQuestion {
            reference: reference.as_deref(),
            facts: facts.as_deref(),
            recipient: &recipient,
        };
        match verdict(tx, gate, id, &question) {
            Verdict::Send => {}
            Verdict::Cancel(reason) => {
                cancel_for(tx, id, reason, &now)?;
                changed.push(OutboxChanged {
                    id,
                    state: OutboxState::Cancelled,
                });
            }
            Verdict::Rewrite(_) if !held && maybe_delivered => {
                // An earlier attempt may have delivered the old message: a new one under a new
                // key could arrive beside it. The owner decides.
                mark_uncertain(tx, id, &now)?;
                changed.push(OutboxChanged {
                    id,
                    state: OutboxState::Uncertain,
                });
            }
            Verdict::Rewrite(email) if !held => {
                rewrite(tx, id, &email, &now)?;
                changed.push(OutboxChanged {
                    id,
                    state: OutboxState::Queued,
                });
            }
            Verdict::Hold(reason) if !held => {
                hold(tx, id, reason, &now)?;
                changed.push(OutboxChanged {
                    id,
                    state: OutboxState::Held,
                });
            }
            Verdict::Rewrite(_) | Verdict::Hold(_) => {}
        }
    }
    Ok(changed)
}

/// A waiting row, as the re-check reads it.
struct Waiting {
    id: OutboxId,
    state: OutboxState,
    reference: Option<String>,
    /// What the message states (JSON, the gate's own), `None` for rows queued before facts.
    facts: Option<String>,
    recipient: String,
    /// An earlier attempt may have handed the message over (a keyed retry is waiting).
    maybe_delivered: bool,
}

/// Back in the queue, due now, after the send check: cancelled or held instead when the check
/// says so; re-rendered (always a new generation) when the facts changed.
fn requeue(
    tx: &Transaction<'_>,
    gate: &dyn SendGate,
    id: OutboxId,
    new_generation: bool,
) -> Result<(), OutboxError> {
    let (reference, facts, recipient): (Option<String>, Option<String>, String) = tx.query_row(
        "SELECT reference, facts, recipient FROM outbox WHERE id = ?1",
        [id.0],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let question = GateQuestion {
        reference: reference.as_deref(),
        facts: facts.as_deref(),
        recipient: &recipient,
    };
    let now = now_text();
    match verdict(tx, gate, id, &question) {
        Verdict::Cancel(reason) => return cancel_for(tx, id, reason, &now),
        Verdict::Hold(reason) => return hold(tx, id, reason, &now),
        Verdict::Rewrite(email) => rewrite(tx, id, &email, &now)?,
        Verdict::Send if new_generation => {
            tx.execute(
                "UPDATE outbox SET generation = generation + 1, attempts = 0,
                     first_attempt_at = NULL, maybe_delivered_at = NULL, message_id = NULL
                 WHERE id = ?1",
                [id.0],
            )?;
        }
        Verdict::Send => {}
    }
    // A deliberate send goes on its own: the batch it travelled in is not sent again for it.
    tx.execute(
        "UPDATE outbox SET state = 'queued', reason = NULL, next_attempt_at = ?2, updated_at = ?2,
             batch_id = NULL, batch_position = NULL
         WHERE id = ?1",
        params![id.0, now],
    )?;
    Ok(())
}

fn not_allowed(id: OutboxId, state: OutboxState, action: OwnerAction) -> OutboxError {
    OutboxError::NotAllowed {
        id,
        refusal: OutboxRefusal::OutboxState { state, action },
    }
}
