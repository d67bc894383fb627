//! Sending a reminder means queuing it: the receivable's history entry, the customer's new
//! address when the owner asked to keep it, and the outbox row holding the exact message the
//! owner confirmed are written in one transaction. The outbox worker sends it from there.

use serde::Deserialize;
use ts_rs::TS;

use super::{for_receivable, ReminderError, ReminderRequest};
use crate::books::customers;
use crate::books::history::{self, Facts, HistoryKind};
use crate::books::money::Outlook;
use crate::books::receivables::{self, ReceivableStatus, REMINDER_REFERENCE};
use crate::books::{BooksError, Refusal};
use crate::db::Database;
use crate::mail::address::EmailAddress;
use crate::outbox::{self, OutboxEntry, OutboxId, QueuedEmail};
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

/// Queues the reminder; wake the worker with `OutboxHandle::queued` after this returns.
pub fn queue(
    db: &Database,
    request: &SendReminder,
    outlook: &Outlook,
) -> Result<OutboxId, ReminderError> {
    let draft = for_receivable(
        db,
        &ReminderRequest {
            receivable_id: request.receivable_id,
            recipient: request.recipient.clone(),
        },
        outlook,
    )?;
    let Some(to) = draft.recipient else {
        let mut errors = FieldErrors::default();
        errors.add("recipient", FieldProblem::Required);
        return Err(ReminderError::Invalid(errors.into_vec()));
    };
    let to: EmailAddress = to.parse().map_err(|_| {
        let mut errors = FieldErrors::default();
        errors.add("recipient", FieldProblem::InvalidEmail);
        ReminderError::Invalid(errors.into_vec())
    })?;
    let typed = request
        .recipient
        .as_deref()
        .is_some_and(|typed| !typed.trim().is_empty());
    db.write(|tx| -> Result<OutboxId, ReminderError> {
        // Paid or voided since the owner opened the preview: nothing goes out.
        let receivable = receivables::find(tx, request.receivable_id, outlook)?;
        if receivable.status != ReceivableStatus::Pending {
            return Err(BooksError::Refused(Refusal::NotPending).into());
        }
        if typed && request.save_as_customer_email {
            customers::set_email(tx, receivable.customer_id, to.as_str())?;
        }
        let id = outbox::enqueue(
            tx,
            QueuedEmail {
                to: to.clone(),
                subject: draft.message.subject.clone(),
                text: draft.message.text.clone(),
                html: draft.message.html.clone(),
                reference: Some(reference(request.receivable_id)),
            },
        )?;
        history::record(
            tx,
            request.receivable_id,
            HistoryKind::ReminderQueued,
            &Facts {
                recipient: Some(to.to_string()),
                ..Facts::default()
            },
        )?;
        Ok(id)
    })
}

/// Every reminder of a receivable, newest first, with its state.
pub fn of_receivable(db: &Database, receivable_id: i64) -> Result<Vec<OutboxEntry>, ReminderError> {
    Ok(db.read(|conn| outbox::list_by_reference(conn, &reference(receivable_id)))?)
}
