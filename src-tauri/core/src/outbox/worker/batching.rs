//! The worker's bulk side: forming or retrying a batch of due rows (through the send check, in
//! one transaction, body and key stored before the request) and sending it as one request whose
//! result each member gets; and the message a claimed row sends.

use std::sync::Arc;

use tokio::time::Instant;

use super::super::batch::{self, ClaimedBatch};
use super::super::claim::{has_idempotency_key, Claimed, Sending};
use super::super::state::OutboxState;
use super::super::OutboxError;
use super::{Attempt, Worker};
use crate::mail::service::ConfiguredMailer;
use crate::mail::{
    batch_limit, batch_takes_attachments, MailError, MailFailure, OutgoingEmail, StoredBatch,
};

impl Worker {
    /// Claims a batch (a due one to retry as stored, or a new one of due rows) when the
    /// provider has a batch endpoint, and announces what the send check changed.
    pub(super) fn claim_batch(
        &mut self,
        mailer: &ConfiguredMailer,
    ) -> Result<Option<ClaimedBatch>, OutboxError> {
        let provider = mailer.provider();
        let Some(limit) = batch_limit(provider) else {
            return Ok(None);
        };
        let sending = Sending {
            provider,
            domain: mailer.sender().address.domain(),
        };
        let gate = self.shared.gate.clone();
        let payload = |members: &[Claimed]| -> Option<String> {
            let emails = members
                .iter()
                .map(|claimed| outgoing(mailer, claimed).ok())
                .collect::<Option<Vec<_>>>()?;
            mailer.batch_payload(&emails)
        };
        let claim = self.db().write(|tx| {
            batch::claim_batch(
                tx,
                gate.as_ref(),
                sending,
                limit,
                batch_takes_attachments(provider),
                &payload,
            )
        })?;
        for change in &claim.changed {
            self.announce(change.id, change.state);
        }
        Ok(claim.batch)
    }

    /// One request for the whole batch, under its own key; each member gets its own result.
    pub(super) fn launch_batch(&mut self, mailer: &Arc<ConfiguredMailer>, batch: ClaimedBatch) {
        let provider = mailer.provider();
        self.pacer.start(Instant::now());
        for member in &batch.members {
            self.announce(member.id, OutboxState::Sending);
        }
        let mailer = mailer.clone();
        let rows = batch.members.clone();
        let task = self.in_flight.spawn(async move {
            let results = mailer
                .send_batch(StoredBatch {
                    payload: &batch.payload,
                    count: batch.members.len(),
                    idempotency_key: has_idempotency_key(provider).then_some(batch.uuid.as_str()),
                })
                .await;
            let sends = match results {
                Ok(results) => batch.members.into_iter().zip(results).collect(),
                Err(error) => batch
                    .members
                    .into_iter()
                    .map(|member| (member, Err(error.clone())))
                    .collect(),
            };
            Attempt { provider, sends }
        });
        self.in_flight_rows.insert(task.id(), (rows, provider));
    }
}

/// The message a claimed row sends, from the configured sender.
pub(super) fn outgoing(
    mailer: &ConfiguredMailer,
    claimed: &Claimed,
) -> Result<OutgoingEmail, MailError> {
    let to = claimed.recipient.parse().map_err(|_| {
        MailError::new(mailer.provider(), MailFailure::RecipientRejected)
            .message("the queued recipient is not a valid address")
    })?;
    Ok(OutgoingEmail {
        from: mailer.sender().clone(),
        to,
        subject: claimed.subject.clone(),
        text: claimed.text.clone(),
        html: claimed.html.clone(),
        message_id: claimed.message_id.clone(),
        attachments: claimed.attachments.clone(),
    })
}
