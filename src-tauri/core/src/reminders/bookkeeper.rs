//! The books as the app changes them, kept in step with the reminders waiting about them: every
//! change runs the reminders' send check on those reminders inside its own transaction and, once
//! it has committed, tells the outbox (and through it the screens) what became of them —
//! cancelled because paid, rewritten with the new balance. A reminder or statement queued wakes
//! the worker.
//!
//! This is the one place that sequences "change, then announce"; the shell only converts. It
//! never announces before the commit (a rolled-back change announces nothing), and works without
//! a running worker (command tests, a worker that failed to start): the rows wait for the next
//! start, which finds them.

use crate::books::customers::{self, Customer, CustomerForm};
use crate::books::pauses::{self, Pause, PauseForm};
use crate::books::payments::{self, PaymentForm};
use crate::books::reading::Reading;
use crate::books::receivables::{self, ReceivableDetail, ReceivableForm};
use crate::books::{BooksError, WaitingMail};
use crate::db::Database;
use crate::locale::Language;
use crate::outbox::{self, OutboxEntry, OutboxHandle};
use crate::statements::bulk::{self, BulkQueued, BulkSelection};
use crate::statements::queue::{self as statement_queue, SendStatement};
use crate::statements::StatementError;

use super::gate::Rechecks;
use super::queue::{self, SendReminder};
use super::ReminderError;

#[derive(Debug, Clone, Copy)]
pub struct Bookkeeper<'a> {
    db: &'a Database,
    outbox: Option<&'a OutboxHandle>,
}

impl<'a> Bookkeeper<'a> {
    /// `outbox`: the running worker, if any, to announce to and wake.
    pub fn new(db: &'a Database, outbox: Option<&'a OutboxHandle>) -> Self {
        Self { db, outbox }
    }

    /// Runs `change` with the reminders' send check applied to what it touches, then announces
    /// what the check did once the change committed.
    pub fn change<T, E>(
        &self,
        change: impl FnOnce(&Database, &dyn WaitingMail) -> Result<T, E>,
    ) -> Result<T, E> {
        let rechecks = Rechecks::default();
        let value = change(self.db, &rechecks)?;
        if let Some(outbox) = self.outbox {
            outbox.announce_all(&rechecks.changed());
        }
        Ok(value)
    }

    pub fn update_customer(
        &self,
        id: i64,
        form: CustomerForm,
        default_language: Language,
    ) -> Result<Customer, BooksError> {
        self.change(|db, waiting| customers::update(db, waiting, id, form, default_language))
    }

    pub fn update_receivable(
        &self,
        id: i64,
        form: &ReceivableForm,
        reading: &Reading,
    ) -> Result<ReceivableDetail, BooksError> {
        self.change(|db, waiting| receivables::update(db, waiting, id, form, reading))
    }

    pub fn void_receivable(
        &self,
        id: i64,
        reason: &str,
        reading: &Reading,
    ) -> Result<ReceivableDetail, BooksError> {
        self.change(|db, waiting| receivables::void(db, waiting, id, reason, reading))
    }

    pub fn record_payment(
        &self,
        receivable_id: i64,
        form: &PaymentForm,
        reading: &Reading,
    ) -> Result<ReceivableDetail, BooksError> {
        self.change(|db, waiting| payments::record(db, waiting, receivable_id, form, reading))
    }

    pub fn reverse_payment(
        &self,
        payment_id: i64,
        reason: &str,
        reading: &Reading,
    ) -> Result<ReceivableDetail, BooksError> {
        self.change(|db, waiting| payments::reverse(db, waiting, payment_id, reason, reading))
    }

    /// A pausa de cobranza: what waits for that customer is held or cancelled at once.
    pub fn start_pause(&self, form: &PauseForm, reading: &Reading) -> Result<Pause, BooksError> {
        self.change(|db, waiting| pauses::start(db, waiting, form, reading))
    }

    /// "Quitar pausa": kept in the history; what was held stays for the owner to send.
    pub fn end_pause(&self, id: i64, reading: &Reading) -> Result<Pause, BooksError> {
        self.change(|db, waiting| pauses::end(db, waiting, id, reading))
    }

    /// "Enviar recordatorio de pago por email": queues it (see [`queue::queue`]), wakes the
    /// worker, and returns its row as it is now.
    pub fn send_reminder(
        &self,
        request: &SendReminder,
        reading: &Reading,
    ) -> Result<OutboxEntry, ReminderError> {
        let id = self.change(|db, waiting| queue::queue(db, waiting, request, reading))?;
        if let Some(outbox) = self.outbox {
            outbox.queued(id);
        }
        Ok(self.db.read(|conn| outbox::get(conn, id))?)
    }

    /// "Enviar estado de cuenta": queues it with its PDF (see [`statement_queue::queue`]),
    /// wakes the worker, and returns its row as it is now.
    pub fn send_statement(
        &self,
        request: &SendStatement,
        reading: &Reading,
    ) -> Result<OutboxEntry, StatementError> {
        let id = statement_queue::queue(self.db, request, reading)?;
        if let Some(outbox) = self.outbox {
            outbox.queued(id);
        }
        Ok(self.db.read(|conn| outbox::get(conn, id))?)
    }

    /// "Enviar estados de cuenta": every planned statement queued in one transaction (see
    /// [`bulk::confirm`]), then the worker woken for them.
    pub fn send_statements(
        &self,
        selection: &BulkSelection,
        attach_pdf: bool,
        reading: &Reading,
    ) -> Result<BulkQueued, StatementError> {
        let queued = bulk::confirm(self.db, selection, attach_pdf, reading)?;
        if let Some(outbox) = self.outbox {
            for id in &queued.queued {
                outbox.queued(*id);
            }
        }
        Ok(queued)
    }
}
