//! The send check for payment reminders: a reminder leaves only while its receivable is still
//! Pendiente, still the same customer's, and still owes what the message says, to the address it
//! should go to. The outbox asks it inside the transaction that claims a row, and the books ask
//! it (through the outbox's `recheck`) inside every transaction that changes a receivable or a
//! customer's address.
//!
//! Paid, voided or moved → cancelled with the reason. A new balance or a new registered address
//! → the reminder is rendered again from the current facts (a new generation: new key and
//! Message-ID), so a stale amount or an old address never goes out. An address the owner typed
//! for one reminder is kept.

use std::sync::Mutex;

use rusqlite::Transaction;
use serde::{Deserialize, Serialize};

use super::draft_for_step_in;
use super::queue::reference;
use crate::books::pauses::{self, PauseKind};
use crate::books::reading::Reading;
use crate::books::receivables::{self, ReceivableStatus, REMINDER_REFERENCE};
use crate::books::{customers, BooksError, WaitingMail};
use crate::clock;
use crate::locale::Language;
use crate::locale::Region;
use crate::mail::address::EmailAddress;
use crate::outbox::{
    self, CancelReason, GateQuestion, HoldReason, OutboxChanged, QueuedEmail, SendGate, Verdict,
};
use crate::settings;
use crate::statements;
use crate::step_templates::StepKey;
use crate::undeliverable;

/// What a queued reminder states, stored with its outbox row (as JSON) for the send check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stated {
    pub receivable_id: i64,
    pub customer_id: i64,
    pub currency: String,
    pub balance_minor: i64,
    /// How amounts and dates were written, so a re-render writes them the same way.
    pub region: Region,
    /// The owner typed this reminder's address ("Cambiar correo destino"): it stays, whatever
    /// the customer's registered address becomes.
    #[serde(default)]
    pub recipient_typed: bool,
    /// The step of a política de cobranza it was queued for (Cobros de hoy): every re-render
    /// says that step's words (see `StatementFacts::step`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<StepKey>,
    /// The due date it spoke of ("2026-11-01"): one queued for a step is counted from it, so a
    /// due date moved later cancels it; any other is written again with the new date. Rows
    /// queued before it was kept have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
}

/// The reminders' [`SendGate`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ReminderGate;

type GateError = Box<dyn std::error::Error + Send + Sync>;

impl SendGate for ReminderGate {
    fn check(
        &self,
        tx: &Transaction<'_>,
        question: &GateQuestion<'_>,
    ) -> Result<Verdict, GateError> {
        let verdict = verdict(tx, question)?;
        // Whatever the books say, nothing goes to an address that does not receive mail.
        let to = match &verdict {
            Verdict::Send => Some(question.recipient.to_owned()),
            Verdict::Rewrite(email) => Some(email.to.to_string()),
            _ => None,
        };
        match to {
            Some(to) if undeliverable::find(tx, &to)?.is_some() => {
                Ok(Verdict::Hold(HoldReason::Undeliverable))
            }
            _ => Ok(verdict),
        }
    }
}

/// What the books say about a waiting reminder or statement.
fn verdict(tx: &Transaction<'_>, question: &GateQuestion<'_>) -> Result<Verdict, GateError> {
    let Some(reference) = question.reference else {
        // Not about a record: nothing in the books can make it untrue.
        return Ok(Verdict::Send);
    };
    // The app hands the outbox this one gate: statements have their own rules.
    if statements::gate::is_statement(reference) {
        return statements::gate::check(tx, question);
    }
    let Some(receivable_id) = reference
        .strip_prefix(REMINDER_REFERENCE)
        .and_then(|id| id.parse::<i64>().ok())
    else {
        return Ok(Verdict::Hold(HoldReason::CheckFailed));
    };
    let stated: Option<Stated> = match question.facts {
        Some(json) => match serde_json::from_str(json) {
            Ok(stated) => Some(stated),
            Err(_) => return Ok(Verdict::Hold(HoldReason::CheckFailed)),
        },
        // Queued before facts were kept: what it says is unknown, so it is said again.
        None => None,
    };
    if stated
        .as_ref()
        .is_some_and(|s| s.receivable_id != receivable_id)
    {
        return Ok(Verdict::Hold(HoldReason::CheckFailed));
    }
    let region = match &stated {
        Some(stated) => stated.region,
        None => settings::region_in(tx)?.unwrap_or(Region::for_locale(None, Language::Es)),
    };
    let reading = Reading {
        region,
        today: clock::local_today(),
    };
    let receivable = match receivables::find(tx, receivable_id, &reading) {
        Ok(receivable) => receivable,
        Err(BooksError::NotFound { .. }) => return Ok(Verdict::Hold(HoldReason::CheckFailed)),
        Err(err) => return Err(err.into()),
    };
    match receivable.status {
        ReceivableStatus::Paid => return Ok(Verdict::Cancel(CancelReason::Paid)),
        ReceivableStatus::Void => return Ok(Verdict::Cancel(CancelReason::Voided)),
        ReceivableStatus::Pending => {}
    }
    if receivable.balance.minor <= 0 {
        return Ok(Verdict::Cancel(CancelReason::Paid));
    }
    if let Some(paused) = paused(tx, receivable.customer_id, Some(receivable_id))? {
        return Ok(paused);
    }
    if stated
        .as_ref()
        .is_some_and(|s| s.customer_id != receivable.customer_id)
    {
        return Ok(Verdict::Cancel(CancelReason::CustomerChanged));
    }
    let due_moved = |s: &Stated| {
        s.due_date
            .as_ref()
            .is_some_and(|due| *due != receivable.due_date.iso)
    };
    if stated
        .as_ref()
        .is_some_and(|s| s.step.is_some() && due_moved(s))
    {
        // A step counted from a due date that moved: the books no longer say it is that late
        // (moved earlier, the evaluator decides the step again from the new date).
        return Ok(Verdict::Cancel(CancelReason::StepNoLongerDue));
    }
    let typed = stated.as_ref().is_some_and(|s| s.recipient_typed);
    let recipient = if typed || stated.is_none() {
        question.recipient.to_owned()
    } else {
        let customer = customers::find(tx, receivable.customer_id)?;
        match customer
            .email
            .as_deref()
            .and_then(|email| email.parse::<EmailAddress>().ok())
        {
            Some(address) => address.to_string(),
            None => return Ok(Verdict::Cancel(CancelReason::NoAddress)),
        }
    };
    let unchanged = stated.as_ref().is_some_and(|s| {
        s.currency == receivable.balance.currency
            && s.balance_minor == receivable.balance.minor
            && !due_moved(s)
    }) && recipient == question.recipient;
    if unchanged {
        return Ok(Verdict::Send);
    }
    let step = stated.as_ref().and_then(|s| s.step);
    let draft = draft_for_step_in(tx, receivable_id, Some(recipient.clone()), &reading, step)?;
    let to: EmailAddress = recipient
        .parse()
        .map_err(|_| -> GateError { "the reminder's address is not valid".into() })?;
    let facts = Stated {
        recipient_typed: typed,
        ..draft.stated
    };
    Ok(Verdict::Rewrite(Box::new(QueuedEmail {
        to,
        subject: draft.message.subject,
        text: draft.message.text,
        html: draft.message.html,
        reference: Some(reference.to_owned()),
        facts: Some(serde_json::to_string(&facts)?),
        attachments: Vec::new(),
    })))
}

/// The verdict on a message to `customer_id` (about `receivable_id`) while a pausa de cobranza
/// is in force: "No contactar" cancels (nothing should wait for a customer who must never be
/// contacted); the other pauses hold it for the owner, since they end and the message may
/// still be wanted then (sent again, it is checked again). Statements ask too.
pub(crate) fn paused(
    tx: &Transaction<'_>,
    customer_id: i64,
    receivable_id: Option<i64>,
) -> Result<Option<Verdict>, BooksError> {
    Ok(
        pauses::stopping(tx, customer_id, receivable_id, clock::local_today())?.map(|kind| {
            match kind {
                PauseKind::DoNotContact => Verdict::Cancel(CancelReason::DoNotContact),
                _ => Verdict::Hold(HoldReason::Paused),
            }
        }),
    )
}

/// The reminders' answer to a change in the books: inside the same transaction, the reminders
/// waiting about what changed go through the send check again. What the check changed is kept
/// for the caller to announce once the transaction has committed.
#[derive(Debug, Default)]
pub struct Rechecks {
    changed: Mutex<Vec<OutboxChanged>>,
}

impl Rechecks {
    /// The rows the checks cancelled, held or rewrote (announce them after the commit).
    pub fn changed(self) -> Vec<OutboxChanged> {
        self.changed
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn check(&self, tx: &Transaction<'_>, receivable_id: i64) -> Result<(), BooksError> {
        self.check_reference(tx, &reference(receivable_id))
    }

    fn check_reference(&self, tx: &Transaction<'_>, reference: &str) -> Result<(), BooksError> {
        let changed = outbox::recheck(tx, &ReminderGate, reference)
            .map_err(|err| BooksError::WaitingMail(err.to_string()))?;
        self.changed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(changed);
        Ok(())
    }
}

impl WaitingMail for Rechecks {
    fn receivable_changed(
        &self,
        tx: &Transaction<'_>,
        receivable_id: i64,
    ) -> Result<(), BooksError> {
        self.check(tx, receivable_id)?;
        // The statements waiting for its customer state its balance too.
        let customer_id: i64 = tx
            .prepare_cached("SELECT customer_id FROM receivables WHERE id = ?1")?
            .query_row([receivable_id], |r| r.get(0))?;
        self.check_reference(tx, &statements::queue::reference(customer_id))
    }

    fn customer_changed(&self, tx: &Transaction<'_>, customer_id: i64) -> Result<(), BooksError> {
        for receivable_id in receivables_with_waiting_reminders(tx, customer_id)? {
            self.check(tx, receivable_id)?;
        }
        self.check_reference(tx, &statements::queue::reference(customer_id))
    }
}

/// The customer's receivables that have reminders waiting (usually none or one).
pub(crate) fn receivables_with_waiting_reminders(
    tx: &Transaction<'_>,
    customer_id: i64,
) -> Result<Vec<i64>, BooksError> {
    let mut statement = tx.prepare_cached(
        "SELECT r.id FROM receivables r
         WHERE r.customer_id = ?1 AND EXISTS (
             SELECT 1 FROM outbox o WHERE o.reference = 'receivable:' || r.id
               AND o.state IN ('queued', 'retrying', 'held'))",
    )?;
    let ids = statement
        .query_map([customer_id], |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(ids)
}
