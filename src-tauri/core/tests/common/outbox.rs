//! The outbox in a shop: the worker with short intervals, rows queued the way features queue
//! them, and ways to wait for a row and to read the events the worker announced.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use cachicamo_core::mail::config::Provider;
use cachicamo_core::mail::Timeouts;
use cachicamo_core::outbox::{
    self, OutboxChanged, OutboxEntry, OutboxHandle, OutboxId, OutboxSettings, OutboxState,
    QueuedEmail, RetryPolicy, SendGate, Unconditional,
};

use cachicamo_e2e::eventually;
use cachicamo_e2e::fakes::FakeServer;

use super::forms::{api_form, POSTMARK_TOKEN, RESEND_KEY};
use super::providers::ProviderEnv;
use super::shop::Shop;

/// How long a row may take to reach the state a test waits for.
pub const LONG: Duration = Duration::from_secs(20);

/// The outbox tests' provider deadlines: their faults (a 3.5 s stall, a reply held 4 s) are
/// built to outlast them.
pub const OUTBOX_TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_secs(2),
    request: Duration::from_secs(2),
    final_reply: Duration::from_secs(2),
};

/// The worker's intervals, shortened so retries and probes take a test seconds.
pub fn fast_settings() -> OutboxSettings {
    OutboxSettings {
        probe: Duration::from_secs(1),
        tick: Duration::from_millis(250),
        retry: RetryPolicy {
            base: Duration::from_millis(300),
            cap: Duration::from_secs(2),
            max_attempts: 6,
        },
        stop_timeout: Duration::from_secs(5),
    }
}

/// A reminder-sized email to `to`, about nothing the books could make untrue.
pub fn queued_email(to: &str, subject: &str, text: &str, html: &str) -> QueuedEmail {
    QueuedEmail {
        to: to.parse().expect("valid address"),
        subject: subject.to_owned(),
        text: text.to_owned(),
        html: html.to_owned(),
        reference: None,
        facts: None,
        attachments: Vec::new(),
    }
}

impl Shop {
    /// A shop with the outbox tests' deadlines.
    pub fn for_outbox() -> Self {
        Self::open_with(OUTBOX_TIMEOUTS)
    }

    /// The worker with the outbox's own mechanics only: rows about nothing the books could
    /// make untrue.
    pub fn start(&self) -> OutboxHandle {
        self.start_with(Arc::new(Unconditional))
    }

    /// The worker with a send check (the app's is `ReminderGate`).
    pub fn start_with(&self, gate: Arc<dyn SendGate>) -> OutboxHandle {
        outbox::start(self.db.clone(), self.service.clone(), gate, fast_settings()).expect("worker")
    }

    /// Queues one reminder-like email; with a running worker, tells it, as features do.
    pub fn queue(&self, handle: Option<&OutboxHandle>, to: &str, subject: &str) -> OutboxId {
        let email = queued_email(
            to,
            subject,
            &format!("{subject}\n\nSaldo pendiente: 1.500,50 Bs."),
            &format!("<p>{subject}</p><p>Saldo pendiente: 1.500,50 Bs.</p>"),
        );
        let id = self
            .db
            .write(|tx| outbox::enqueue(tx, email))
            .expect("queued");
        if let Some(handle) = handle {
            handle.queued(id);
        }
        id
    }

    /// `count` reminders to `cliente<i>@example.com`, in one transaction, before any worker
    /// runs.
    pub fn queue_many(&self, count: usize) -> BTreeSet<OutboxId> {
        self.db
            .write(|tx| {
                (0..count)
                    .map(|i| {
                        outbox::enqueue(
                            tx,
                            queued_email(
                                &format!("cliente{i}@example.com"),
                                &format!("Recordatorio {i}"),
                                &format!("Factura {i}"),
                                &format!("<p>Factura {i}</p>"),
                            ),
                        )
                    })
                    .collect::<Result<_, _>>()
            })
            .expect("queued")
    }

    /// The Idempotency-Key Resend must see for `generation` of the row.
    pub fn key(&self, id: OutboxId, generation: i64) -> String {
        let uuid: String = self
            .db
            .read(|c| {
                c.query_row("SELECT uuid FROM outbox WHERE id = ?1", [id.0], |r| {
                    r.get(0)
                })
            })
            .expect("uuid");
        format!("{uuid}-{generation}")
    }

    pub fn entry(&self, id: OutboxId) -> OutboxEntry {
        self.db.read(|c| outbox::get(c, id)).expect("entry")
    }

    /// Every row, page after page as Bandeja de salida reads them.
    pub fn entries(&self) -> Vec<OutboxEntry> {
        let mut all = Vec::new();
        let mut before = None;
        loop {
            let page = self
                .db
                .read(|c| outbox::list(c, outbox::OutboxFilter::All, before, 200))
                .expect("list");
            all.extend(page.entries);
            match page.next_before {
                Some(next) => before = Some(next),
                None => return all,
            }
        }
    }

    /// Waits until the row satisfies `done`, failing with its last state after `timeout`.
    pub async fn wait_for(
        &self,
        id: OutboxId,
        timeout: Duration,
        what: &str,
        done: impl Fn(&OutboxEntry) -> bool,
    ) -> OutboxEntry {
        eventually(timeout, &format!("row {id} to become {what}"), async || {
            let entry = self.entry(id);
            if done(&entry) {
                Ok(entry)
            } else {
                Err(entry)
            }
        })
        .await
    }

    /// Where row `id` stands in its asking about delivery.
    pub fn asking(&self, id: OutboxId) -> outbox::Asking {
        self.db
            .read(|c| outbox::asking_about(c, id))
            .expect("asking")
            .expect("the row")
    }

    /// Waits until a question about row `id` is due: the schedule runs on the wall clock.
    pub async fn wait_question_due(&self, id: OutboxId) {
        eventually(
            LONG,
            &format!("a question about row {id} due"),
            async || {
                let asking = self.asking(id);
                if asking.next_in == Some(Duration::ZERO) {
                    Ok(())
                } else {
                    Err(asking)
                }
            },
        )
        .await;
    }

    pub async fn wait_state(
        &self,
        id: OutboxId,
        state: OutboxState,
        timeout: Duration,
    ) -> OutboxEntry {
        self.wait_for(id, timeout, &cachicamo_core::wire::code(&state), |e| {
            e.state == state
        })
        .await
    }
}

/// Resend's fake (started with `extra` arguments) and a shop with the outbox tests' deadlines,
/// configured and verified against it.
pub async fn resend_shop(env: &ProviderEnv, extra: &[&str]) -> (FakeServer, Shop) {
    let server = env.resend(extra);
    let shop = Shop::for_outbox();
    shop.configure(api_form(Provider::Resend, Some(RESEND_KEY)))
        .await;
    (server, shop)
}

/// Postmark's fake (started with `extra` arguments) and a shop with the outbox tests' deadlines,
/// configured and verified against it on the transactional stream.
pub async fn postmark_shop(env: &ProviderEnv, extra: &[&str]) -> (FakeServer, Shop) {
    let server = env.postmark(extra);
    let shop = Shop::for_outbox();
    let mut form = api_form(Provider::Postmark, Some(POSTMARK_TOKEN));
    form.message_stream = "outbound".into();
    shop.configure(form).await;
    (server, shop)
}

/// A horizon past every retry and probe of [`fast_settings`]: a worker settled for this long
/// has nothing left to do.
pub const QUIET: Duration = Duration::from_secs(3600);

/// Waits until the worker has settled ([`OutboxHandle::wait_settled`]): no send or delivery
/// question in flight, nothing due, and a look at the queue begun since that found nothing to
/// send or ask. What a test checks next can no longer change on its own.
pub async fn settle(handle: &OutboxHandle) {
    assert!(
        handle.wait_settled(QUIET, LONG).await,
        "the worker never settled"
    );
}

/// Waits until the worker has announced `state` for row `id` `times` times since `events`
/// subscribed (each probe of an offline provider announces `sending`, say).
pub async fn wait_for_announcements(
    events: &mut tokio::sync::broadcast::Receiver<OutboxChanged>,
    id: OutboxId,
    state: OutboxState,
    times: usize,
) {
    let mut seen = 0;
    let what = format!(
        "{times} announcements of row {id} {}",
        cachicamo_core::wire::code(&state)
    );
    eventually(LONG, &what, async || {
        while let Ok(event) = events.try_recv() {
            if event.id == id && event.state == state {
                seen += 1;
            }
        }
        if seen >= times {
            Ok(())
        } else {
            Err(seen)
        }
    })
    .await;
}

/// The states announced for row `id` so far, oldest first.
pub fn drain_events(
    events: &mut tokio::sync::broadcast::Receiver<OutboxChanged>,
    id: OutboxId,
) -> Vec<OutboxState> {
    let mut seen = Vec::new();
    while let Ok(event) = events.try_recv() {
        if event.id == id {
            seen.push(event.state);
        }
    }
    seen
}

/// `outbox-drain`: the app's worker in a process of its own, so it can be killed; sending
/// through the Resend fake when one is given (the shop's configuration says which provider).
#[cfg(test)] // Integration tests only: an example has no `outbox-drain` binary beside it.
pub fn drain(shop: &Shop, resend: Option<&FakeServer>) -> std::process::Child {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_outbox-drain"));
    command
        .arg(shop.db_path())
        .arg(shop.keychain.service())
        .env("CACHICAMO_MAIL_TIMEOUT_SECS", "10")
        .env("CACHICAMO_OUTBOX_RETRY_BASE_MS", "300")
        .env("CACHICAMO_OUTBOX_PROBE_SECS", "1")
        .stdout(std::process::Stdio::piped());
    if let Some(server) = resend {
        command.env("CACHICAMO_RESEND_API_URL", server.base_url());
    }
    command.spawn().expect("outbox-drain starts")
}
