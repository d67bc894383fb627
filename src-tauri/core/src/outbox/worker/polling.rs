//! The worker's asking side: what happened to sent emails, learnt from the provider between
//! sends (no webhooks reach a desktop app). Inside the actor, not a loop of its own: one
//! question at a time, only when nothing is being sent, at the pace the provider allows for
//! sending too (the same `Pacer`, taught by the same `ratelimit-*` headers and 429s).
//!
//! Resend answers for up to 100 recent emails in one request, so several due rows are asked
//! about together; a row the list no longer reaches is asked about alone. A network failure
//! pushes every due question back (nothing is asked while offline); a sending-only Resend key
//! (401 `restricted_api_key`) stops the asking until the configuration changes — sending goes
//! on. SMTP rows are never due: no delivery report exists there.

use std::time::Duration;

use time::OffsetDateTime;
use tokio::time::Instant;

use super::super::delivery;
use super::super::delivery_store::{self, DuePoll};
use super::super::state::OutboxState;
use super::super::OutboxError;
use super::Worker;
use crate::mail::{FailureClass, MailError, MailFailure, Provider, StatusPage, StatusQuery};

/// The most rows one question covers (Resend's list page).
const LIST_SIZE: usize = 100;
/// After a failed question (not the network, not the rate limit), its rows wait this long.
const AFTER_FAILURE: Duration = Duration::from_secs(5 * 60);

/// A finished question: which rows it was about, and the provider's answer.
pub(super) struct Asked {
    rows: Vec<DuePoll>,
    query: StatusQuery,
    answer: Result<StatusPage, MailError>,
}

/// Whether any sent row is due a question now, whatever its provider: reason enough to build
/// the client when nothing waits to be sent.
pub(super) fn any_due(conn: &rusqlite::Connection) -> Result<bool, OutboxError> {
    delivery_store::any_due(conn, OffsetDateTime::now_utc())
}

impl Worker {
    /// Starts a question when one is due, nothing is being sent or asked, and the pace allows.
    /// Returns when the pace allows the next one, if that is what held it back.
    pub(super) fn ask_if_due(&mut self) -> Option<Instant> {
        if !self.in_flight.is_empty() || !self.asking.is_empty() || self.status_unreadable {
            return None;
        }
        if let Some(until) = self.asking_paused_until {
            if until > Instant::now() {
                return Some(until);
            }
            self.asking_paused_until = None;
        }
        let mailer = self.mailer.clone()?;
        let provider = mailer.provider();
        if provider == Provider::Smtp {
            return None;
        }
        let now = Instant::now();
        let ready = self.pacer.ready_at(now);
        if ready > now {
            return Some(ready);
        }
        let wall_now = OffsetDateTime::now_utc();
        let online = self.asking_paused_until.is_none();
        let schedule = delivery::Schedule::current();
        let due = match self
            .db()
            .read(|conn| delivery_store::due(conn, provider, wall_now, LIST_SIZE))
        {
            Ok(mut due) => {
                due.retain(|row| delivery::poll_due(&row.poll, wall_now, online, schedule));
                if due.is_empty() {
                    return None;
                }
                due
            }
            Err(err) => {
                tracing::error!(error = %err, "outbox: cannot read the delivery questions");
                return None;
            }
        };
        let lonely = due.iter().position(|row| self.unlisted.contains(&row.id));
        let (rows, query) = match (provider, lonely) {
            (Provider::Resend, None) if due.len() > 1 => (due, StatusQuery::Recent),
            (_, Some(at)) => {
                let row = due[at].clone();
                let id = row.provider_message_id.clone();
                (vec![row], StatusQuery::One(id))
            }
            (_, None) => {
                let row = due[0].clone();
                let id = row.provider_message_id.clone();
                (vec![row], StatusQuery::One(id))
            }
        };
        self.pacer.start(now);
        self.asking.spawn(async move {
            let answer = mailer.delivery_status(&query).await;
            Asked {
                rows,
                query,
                answer,
            }
        });
        None
    }

    /// Writes a question's answer, or what its failure means for the asking.
    pub(super) fn answered(&mut self, asked: Result<Asked, tokio::task::JoinError>) {
        let Ok(asked) = asked else {
            tracing::error!("outbox: a delivery question panicked");
            return;
        };
        let now = Instant::now();
        let wall_now = OffsetDateTime::now_utc();
        match asked.answer {
            Ok(page) => {
                if let Some(rate) = &page.rate_limit {
                    self.pacer.learn(rate, now);
                }
                self.record_page(&asked.rows, &asked.query, &page, wall_now);
            }
            Err(error) => self.question_failed(&asked.rows, &error, now, wall_now),
        }
    }

    fn record_page(
        &mut self,
        rows: &[DuePoll],
        query: &StatusQuery,
        page: &StatusPage,
        now: OffsetDateTime,
    ) {
        let mut answered = Vec::new();
        for row in rows {
            let status = page
                .statuses
                .iter()
                .find(|(id, _)| *id == row.provider_message_id)
                .map(|(_, status)| status);
            match status {
                Some(status) => answered.push((row, delivery::report(status))),
                // Older than the recent list reaches: asked about alone next time.
                None if *query == StatusQuery::Recent => {
                    self.unlisted.insert(row.id);
                }
                None => {}
            }
        }
        let written = self.db().write(|tx| {
            let mut changed = Vec::new();
            for (row, report) in &answered {
                if delivery_store::record_answer(tx, row, report, now)? {
                    changed.push(row.id);
                }
            }
            Ok::<_, OutboxError>(changed)
        });
        match written {
            Ok(changed) => {
                for (row, _) in &answered {
                    self.unlisted.remove(&row.id);
                }
                for id in changed {
                    self.announce(id, OutboxState::Sent);
                }
            }
            Err(err) => tracing::error!(error = %err, "outbox: cannot record delivery status"),
        }
    }

    fn question_failed(
        &mut self,
        rows: &[DuePoll],
        error: &MailError,
        now: Instant,
        wall_now: OffsetDateTime,
    ) {
        tracing::info!(
            failure = %crate::wire::code(&error.failure),
            provider_code = error.provider_code.as_deref().unwrap_or(""),
            "outbox: a delivery question failed"
        );
        if error.provider_code.as_deref() == Some("restricted_api_key") {
            // The key can send but not read: keep sending, stop asking until it changes, and
            // let the email service card say which kind of key is saved.
            self.status_unreadable = true;
            if let Err(err) = self.db().write(|tx| {
                crate::mail::store::set_key_access(tx, crate::mail::KeyAccess::SendingOnly)
            }) {
                tracing::error!(error = %err, "outbox: cannot record the key's access");
            }
            return;
        }
        let wait = if error.failure == MailFailure::RateLimited {
            let wait = error.retry_after.unwrap_or(Duration::from_secs(1));
            self.pacer.pause_until(now + wait);
            wait
        } else if error.failure.class() == FailureClass::Offline {
            // No network for one question means none for any: nothing is asked until then.
            self.asking_paused_until = Some(now + self.shared.settings.probe);
            self.shared.settings.probe
        } else {
            AFTER_FAILURE
        };
        let until = delivery::after_rate_limit(wall_now, Some(wait));
        let ids: Vec<_> = rows.iter().map(|row| row.id).collect();
        if let Err(err) = self
            .db()
            .write(|tx| delivery_store::postpone(tx, &ids, until))
        {
            tracing::error!(error = %err, "outbox: cannot postpone delivery questions");
        }
    }
}
