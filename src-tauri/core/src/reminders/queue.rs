//! Sending a reminder means queuing it: the receivable's history entry, the customer's new
//! address when the owner asked to keep it, and the outbox row holding the exact message the
//! owner confirmed are written in one transaction. The outbox worker sends it from there.

use rusqlite::Transaction;
use serde::Deserialize;
use ts_rs::TS;

use super::{draft_for_step_in, ReminderError, Stated};
use crate::books::customers;
use crate::books::history::{self, Facts, HistoryKind};
use crate::books::reading::Reading;
use crate::books::receivables::{self, ReceivableStatus, REMINDER_REFERENCE};
use crate::books::{BooksError, Refusal, WaitingMail};
use crate::db::Database;
use crate::mail::address::EmailAddress;
use crate::outbox::{self, OutboxEntry, OutboxId, QueuedEmail};
use crate::step_templates::StepKey;
use crate::undeliverable;
use crate::validation::{FieldErrors, FieldProblem};

/// "Enviar recordatorio de pago por email", as confirmed.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct SendReminder {
    #[ts(type = "number")]
    pub receivable_id: i64,
    /// Another address for this send (after "Cambiar correo destino"); empty: the customer's.
    pub recipient: Option<String>,
    /// Keep the typed address as the customer's registered one.
    pub save_as_customer_email: bool,
}

/// The outbox reference of a receivable's reminders.
pub fn reference(receivable_id: i64) -> String {
    format!("{REMINDER_REFERENCE}{receivable_id}")
}

/// Queues the reminder; [`super::Bookkeeper::send_reminder`] also wakes the worker and announces
/// what changed. The message is rendered inside the queuing transaction from the books as they
/// are then, and what it states is stored with it for the send check. Keeping a typed address
/// as the customer's tells `waiting` (the customer's other reminders follow it).
pub fn queue(
    db: &Database,
    waiting: &dyn WaitingMail,
    request: &SendReminder,
    reading: &Reading,
) -> Result<OutboxId, ReminderError> {
    let typed = match request.recipient.as_deref().map(str::trim) {
        Some(typed) if !typed.is_empty() => Some(parse_address(typed)?),
        _ => None,
    };
    db.write(|tx| -> Result<OutboxId, ReminderError> {
        // Paid or voided since the owner opened the preview: nothing goes out.
        let receivable = receivables::find(tx, request.receivable_id, reading)?;
        if receivable.status != ReceivableStatus::Pending {
            return Err(BooksError::Refused(Refusal::NotPending).into());
        }
        let keep_typed = typed.is_some() && request.save_as_customer_email;
        if let (Some(address), true) = (&typed, keep_typed) {
            customers::set_email(tx, receivable.customer_id, address.as_str())?;
            // The customer's other waiting reminders go to the new address too.
            waiting.customer_changed(tx, receivable.customer_id)?;
        }
        enqueue_in(
            tx,
            request.receivable_id,
            typed.as_ref(),
            // A typed address kept as the customer's follows the customer from now on.
            typed.is_some() && !keep_typed,
            reading,
            None,
        )
    })
}

/// Puts the receivable's reminder, rendered from the books as they are now, in the outbox and
/// writes "Recordatorio en cola" in its history, in the caller's transaction: what "Enviar
/// recordatorio de pago por email" does, and what Cobros de hoy's Enviar does for a step sent
/// per receivable, in that `step`'s words. `typed` is an address for this reminder alone when
/// `recipient_typed`.
pub(crate) fn enqueue_in(
    tx: &Transaction<'_>,
    receivable_id: i64,
    typed: Option<&EmailAddress>,
    recipient_typed: bool,
    reading: &Reading,
    step: Option<StepKey>,
) -> Result<OutboxId, ReminderError> {
    let draft = draft_for_step_in(
        tx,
        receivable_id,
        typed.map(ToString::to_string),
        reading,
        step,
    )?;
    let Some(to) = draft.recipient else {
        let mut errors = FieldErrors::default();
        errors.add("recipient", FieldProblem::Required);
        return Err(ReminderError::Invalid(errors.into_vec()));
    };
    let to = parse_address(&to)?;
    refuse_undeliverable(tx, to.as_str())?;
    let stated = Stated {
        recipient_typed,
        ..draft.stated
    };
    let id = outbox::enqueue(
        tx,
        QueuedEmail {
            to: to.clone(),
            subject: draft.message.subject,
            text: draft.message.text,
            html: draft.message.html,
            reference: Some(reference(receivable_id)),
            facts: Some(serde_json::to_string(&stated).map_err(|_| ReminderError::Unstorable)?),
            attachments: Vec::new(),
        },
    )?;
    history::record(
        tx,
        receivable_id,
        HistoryKind::ReminderQueued,
        &Facts {
            recipient: Some(to.to_string()),
            ..Facts::default()
        },
    )?;
    Ok(id)
}

/// An address that does not receive mail ("No entregable") is refused, with why, next to the
/// address — in the preview and when queuing — not queued to be held: the owner corrects or
/// confirms it first.
pub(super) fn refuse_undeliverable(
    conn: &rusqlite::Connection,
    address: &str,
) -> Result<(), ReminderError> {
    match undeliverable::refusal(conn, address)? {
        Some(errors) => Err(ReminderError::Invalid(errors)),
        None => Ok(()),
    }
}

fn parse_address(text: &str) -> Result<EmailAddress, ReminderError> {
    text.parse().map_err(|_| {
        let mut errors = FieldErrors::default();
        errors.add("recipient", FieldProblem::InvalidEmail);
        ReminderError::Invalid(errors.into_vec())
    })
}

/// Every reminder of a receivable, newest first, with its state.
pub fn of_receivable(db: &Database, receivable_id: i64) -> Result<Vec<OutboxEntry>, ReminderError> {
    Ok(db.read(|conn| outbox::list_by_reference(conn, &reference(receivable_id)))?)
}
