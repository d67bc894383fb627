//! What happened to a sent email after the provider accepted it, and when to ask again.
//!
//! A desktop app cannot receive the providers' webhooks (it has no public address), so the
//! outbox asks: Resend's `last_event`, Postmark's `MessageEvents` and bounces
//! (docs/providers.md, "What happened after sending"). This module owns the pure parts — the
//! states after "Enviado", what each provider's answer means, and the poll schedule with the
//! date-time passed in — so they can be tested without a clock or a network. It never makes a
//! request and never touches SQLite; SMTP gets no schedule at all, since no delivery report
//! exists there.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use ts_rs::TS;

use crate::mail::{Provider, ProviderStatus};

/// What is known about a sent email beyond "the provider accepted it".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// The recipient's server took it ("Entregado").
    Delivered,
    /// A temporary problem; the provider keeps trying ("Demorado").
    Delayed,
    /// The recipient's server refused it for good ("Rebotó"): the address is not deliverable.
    Bounced,
    /// Delivered, then marked as spam by the recipient ("Marcado como spam").
    Complained,
}

impl DeliveryState {
    /// A bounce or a complaint is the last word: nothing will change it, so asking stops, and
    /// the address must not be written to again until the owner says so.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Bounced | Self::Complained)
    }

    /// Whether this outcome marks the recipient's address "No entregable".
    pub fn suppresses_address(self) -> bool {
        self.is_final()
    }
}

/// One answer about one email: its state (None = no news yet, keep asking) and the provider's
/// own reason when it gives one (Postmark's bounce description; Resend documents none).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryReport {
    pub state: Option<DeliveryState>,
    pub reason: Option<String>,
}

/// Resend's `last_event` in our words. `opened` and `clicked` imply the message arrived; values
/// before or outside delivery (`sent`, `queued`, `scheduled`, `failed`, `canceled`, and any
/// name Resend adds later) are no news.
pub fn from_resend_last_event(last_event: &str) -> Option<DeliveryState> {
    match last_event {
        "delivered" | "opened" | "clicked" => Some(DeliveryState::Delivered),
        "delivery_delayed" => Some(DeliveryState::Delayed),
        "bounced" => Some(DeliveryState::Bounced),
        "complained" => Some(DeliveryState::Complained),
        _ => None,
    }
}

/// A Postmark `MessageEvents` entry's `Type` in our words. A `Bounced` event needs its bounce's
/// `Type` (from the Bounces API) to say which kind: pass it as `bounce_type`.
pub fn from_postmark_event(event_type: &str, bounce_type: Option<&str>) -> Option<DeliveryState> {
    match event_type {
        "Delivered" | "Opened" | "LinkClicked" => Some(DeliveryState::Delivered),
        "Transient" => Some(DeliveryState::Delayed),
        "Bounced" => bounce_type.map(from_postmark_bounce_type).unwrap_or(None),
        _ => None,
    }
}

/// A Postmark bounce `Type`: a complaint, a permanent bounce, a temporary one, or something
/// that says nothing about delivery (an auto-responder, a subscription change…).
pub fn from_postmark_bounce_type(bounce_type: &str) -> Option<DeliveryState> {
    match bounce_type {
        "SpamComplaint" | "SpamNotification" => Some(DeliveryState::Complained),
        "HardBounce"
        | "BadEmailAddress"
        | "ManuallyDeactivated"
        | "Blocked"
        | "DnsError"
        | "Unsubscribe" => Some(DeliveryState::Bounced),
        "SoftBounce" | "Transient" => Some(DeliveryState::Delayed),
        _ => None,
    }
}

/// What a provider's answer means. Postmark's events are read newest last: the latest event
/// that says something about delivery wins (a `Delivered` then a complaint is a complaint).
pub fn report(status: &ProviderStatus) -> DeliveryReport {
    match status {
        ProviderStatus::Resend { last_event } => DeliveryReport {
            state: from_resend_last_event(last_event),
            reason: None,
        },
        ProviderStatus::Postmark {
            events,
            bounce_type,
            bounce_reason,
        } => {
            let state = events
                .iter()
                .rev()
                .find_map(|event| from_postmark_event(event, bounce_type.as_deref()));
            let reason = match state {
                Some(DeliveryState::Bounced | DeliveryState::Complained) => bounce_reason
                    .as_deref()
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(|r| r.chars().take(500).collect()),
                _ => None,
            };
            DeliveryReport { state, reason }
        }
    }
}

/// How long after sending the outbox keeps asking: providers' bounces and complaints arrive
/// within hours; after three days nothing new is expected.
pub const POLL_WINDOW: Duration = Duration::from_secs(72 * 3_600);

/// The first polls after sending (a bounce usually comes within minutes), then every
/// [`POLL_EVERY`].
const FIRST_POLLS: [Duration; 4] = [
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3_600),
];
const POLL_EVERY: Duration = Duration::from_secs(6 * 3_600);

/// Seconds to the first question after sending; it can only shorten the schedule, which
/// shrinks as a whole (tests use it so a bounce is learnt in seconds, not minutes).
pub const FIRST_POLL_ENV: &str = "CACHICAMO_DELIVERY_FIRST_POLL_SECS";

/// The poll schedule: [`FIRST_POLLS`], then every [`POLL_EVERY`] until [`POLL_WINDOW`], all
/// scaled by `first / 60 s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    first: Duration,
}

impl Schedule {
    pub const STANDARD: Schedule = Schedule {
        first: Duration::from_secs(60),
    };

    /// [`Self::STANDARD`], or shortened by [`FIRST_POLL_ENV`] (read once).
    pub fn current() -> Schedule {
        static CURRENT: std::sync::OnceLock<Schedule> = std::sync::OnceLock::new();
        *CURRENT.get_or_init(|| {
            let first = std::env::var(FIRST_POLL_ENV)
                .ok()
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|secs| secs.is_finite() && *secs > 0.0)
                .map(Duration::from_secs_f64);
            match first {
                Some(first) if first < Self::STANDARD.first => Schedule { first },
                _ => Self::STANDARD,
            }
        })
    }

    fn scaled(&self, standard: Duration) -> Duration {
        standard.mul_f64(self.first.as_secs_f64() / Self::STANDARD.first.as_secs_f64())
    }
}

/// Where a sent email stands in its polling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollState {
    pub provider: Provider,
    pub sent_at: OffsetDateTime,
    /// Answers received so far (a refused or failed request does not count).
    pub polls: u32,
    pub state: Option<DeliveryState>,
    /// No request before this: a 429's Retry-After or the rate-limit window's reset.
    pub not_before: Option<OffsetDateTime>,
}

/// When to ask about this email next, or None when never again: SMTP (no report exists), a
/// final state, or past [`POLL_WINDOW`].
pub fn next_poll(poll: &PollState, schedule: Schedule) -> Option<OffsetDateTime> {
    if poll.provider == Provider::Smtp || poll.state.is_some_and(DeliveryState::is_final) {
        return None;
    }
    let polls = poll.polls as usize;
    let after = match FIRST_POLLS.get(polls) {
        Some(step) => *step,
        None => {
            let later = u32::try_from(polls + 1 - FIRST_POLLS.len()).ok()?;
            FIRST_POLLS[FIRST_POLLS.len() - 1].checked_add(POLL_EVERY.checked_mul(later)?)?
        }
    };
    if after > POLL_WINDOW {
        return None;
    }
    let due = poll.sent_at + schedule.scaled(after);
    Some(poll.not_before.map_or(due, |wait| due.max(wait)))
}

/// When to first ask about an email `provider` accepted at `sent_at` (None for SMTP).
pub fn first_poll(
    provider: Provider,
    sent_at: OffsetDateTime,
    schedule: Schedule,
) -> Option<OffsetDateTime> {
    next_poll(
        &PollState {
            provider,
            sent_at,
            polls: 0,
            state: None,
            not_before: None,
        },
        schedule,
    )
}

/// Whether to ask now: only while online, and only once the email is due.
pub fn poll_due(poll: &PollState, now: OffsetDateTime, online: bool, schedule: Schedule) -> bool {
    online && next_poll(poll, schedule).is_some_and(|due| due <= now)
}

/// After a 429 (or a rate-limit window spent): wait what the provider said, or a minute when it
/// said nothing (Postmark documents no Retry-After).
pub fn after_rate_limit(now: OffsetDateTime, retry_after: Option<Duration>) -> OffsetDateTime {
    now + retry_after.unwrap_or(Duration::from_secs(60))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const SENT: OffsetDateTime = datetime!(2026-11-30 09:00 UTC);
    const S: Schedule = Schedule::STANDARD;

    fn poll(provider: Provider, polls: u32) -> PollState {
        PollState {
            provider,
            sent_at: SENT,
            polls,
            state: None,
            not_before: None,
        }
    }

    #[test]
    fn the_schedule_asks_after_1_5_30_minutes_2_hours_then_every_6_hours() {
        let due: Vec<_> = (0..7)
            .map(|n| next_poll(&poll(Provider::Resend, n), S).unwrap())
            .collect();
        assert_eq!(
            due,
            [
                datetime!(2026-11-30 09:01 UTC),
                datetime!(2026-11-30 09:05 UTC),
                datetime!(2026-11-30 09:30 UTC),
                datetime!(2026-11-30 11:00 UTC),
                datetime!(2026-11-30 17:00 UTC),
                datetime!(2026-11-30 23:00 UTC),
                datetime!(2026-12-01 05:00 UTC),
            ]
        );
    }

    #[test]
    fn asking_stops_after_72_hours() {
        let last = (0..100)
            .map_while(|n| next_poll(&poll(Provider::Postmark, n), S))
            .last()
            .unwrap();
        assert!(last <= SENT + POLL_WINDOW, "{last}");
        assert!(last + POLL_EVERY > SENT + POLL_WINDOW, "{last}");
        assert_eq!(next_poll(&poll(Provider::Postmark, 16), S), None);
        assert!(!poll_due(
            &poll(Provider::Postmark, 16),
            SENT + Duration::from_secs(80 * 3_600),
            true,
            S
        ));
    }

    #[test]
    fn a_shortened_schedule_shrinks_as_a_whole() {
        let fast = Schedule {
            first: Duration::from_secs(1),
        };
        assert_eq!(
            next_poll(&poll(Provider::Resend, 0), fast),
            Some(SENT + Duration::from_secs(1))
        );
        assert_eq!(
            next_poll(&poll(Provider::Resend, 3), fast),
            Some(SENT + Duration::from_secs(120))
        );
        assert_eq!(next_poll(&poll(Provider::Resend, 16), fast), None);
    }

    #[test]
    fn smtp_is_never_asked() {
        assert_eq!(next_poll(&poll(Provider::Smtp, 0), S), None);
        assert!(!poll_due(
            &poll(Provider::Smtp, 0),
            SENT + Duration::from_secs(3_600),
            true,
            S
        ));
    }

    #[test]
    fn nothing_is_asked_while_offline() {
        let p = poll(Provider::Resend, 0);
        let later = SENT + Duration::from_secs(600);
        assert!(poll_due(&p, later, true, S));
        assert!(!poll_due(&p, later, false, S));
    }

    #[test]
    fn not_due_before_its_time() {
        let p = poll(Provider::Resend, 1);
        assert!(!poll_due(&p, SENT + Duration::from_secs(4 * 60), true, S));
        assert!(poll_due(&p, SENT + Duration::from_secs(5 * 60), true, S));
    }

    #[test]
    fn a_429_is_honoured() {
        let now = SENT + Duration::from_secs(61);
        let mut p = poll(Provider::Resend, 0);
        p.not_before = Some(after_rate_limit(now, Some(Duration::from_secs(30))));
        assert_eq!(next_poll(&p, S), Some(now + Duration::from_secs(30)));
        assert!(!poll_due(&p, now + Duration::from_secs(29), true, S));
        assert!(poll_due(&p, now + Duration::from_secs(30), true, S));
        // Postmark's bare 429 says nothing: a minute.
        assert_eq!(after_rate_limit(now, None), now + Duration::from_secs(60));
        // A wait that ends before the schedule's own time changes nothing.
        p.not_before = Some(SENT);
        assert_eq!(next_poll(&p, S), Some(SENT + Duration::from_secs(60)));
    }

    #[test]
    fn a_bounce_or_complaint_ends_the_asking_and_suppresses_the_address() {
        for state in [DeliveryState::Bounced, DeliveryState::Complained] {
            let mut p = poll(Provider::Resend, 2);
            p.state = Some(state);
            assert_eq!(next_poll(&p, S), None);
            assert!(state.suppresses_address());
        }
        for state in [DeliveryState::Delivered, DeliveryState::Delayed] {
            let mut p = poll(Provider::Resend, 2);
            p.state = Some(state);
            // A complaint can follow a delivery: keep asking.
            assert_eq!(next_poll(&p, S), Some(SENT + Duration::from_secs(30 * 60)));
            assert!(!state.suppresses_address());
        }
    }

    #[test]
    fn resend_last_event_in_our_words() {
        use DeliveryState::*;
        let cases = [
            ("delivered", Some(Delivered)),
            ("opened", Some(Delivered)),
            ("clicked", Some(Delivered)),
            ("delivery_delayed", Some(Delayed)),
            ("bounced", Some(Bounced)),
            ("complained", Some(Complained)),
            ("sent", None),
            ("queued", None),
            ("failed", None),
            ("suppressed_someday", None),
        ];
        for (event, state) in cases {
            assert_eq!(from_resend_last_event(event), state, "{event}");
        }
    }

    #[test]
    fn a_postmark_answer_keeps_the_bounce_reason_and_its_latest_word() {
        let answer = |events: &[&str], kind: Option<&str>| ProviderStatus::Postmark {
            events: events.iter().map(|e| e.to_string()).collect(),
            bounce_type: kind.map(str::to_owned),
            bounce_reason: Some("550 5.1.1 no such user ".into()),
        };
        assert_eq!(
            report(&answer(&["Transient", "Bounced"], Some("HardBounce"))),
            DeliveryReport {
                state: Some(DeliveryState::Bounced),
                reason: Some("550 5.1.1 no such user".into())
            }
        );
        assert_eq!(
            report(&answer(&["Delivered", "Bounced"], Some("SpamComplaint"))).state,
            Some(DeliveryState::Complained)
        );
        assert_eq!(
            report(&answer(&["Transient", "Delivered", "Opened"], None)),
            DeliveryReport {
                state: Some(DeliveryState::Delivered),
                reason: None
            }
        );
        assert_eq!(report(&answer(&[], None)), DeliveryReport::default());
        assert_eq!(
            report(&ProviderStatus::Resend {
                last_event: "bounced".into()
            }),
            DeliveryReport {
                state: Some(DeliveryState::Bounced),
                reason: None
            }
        );
    }

    #[test]
    fn postmark_events_and_bounce_types_in_our_words() {
        use DeliveryState::*;
        assert_eq!(from_postmark_event("Delivered", None), Some(Delivered));
        assert_eq!(from_postmark_event("Transient", None), Some(Delayed));
        assert_eq!(
            from_postmark_event("Bounced", Some("HardBounce")),
            Some(Bounced)
        );
        assert_eq!(
            from_postmark_event("Bounced", Some("SpamComplaint")),
            Some(Complained)
        );
        assert_eq!(
            from_postmark_event("Bounced", Some("SoftBounce")),
            Some(Delayed)
        );
        assert_eq!(from_postmark_event("Bounced", Some("AutoResponder")), None);
        // A bounce whose kind is not known yet is no news: ask the Bounces API first.
        assert_eq!(from_postmark_event("Bounced", None), None);
        assert_eq!(from_postmark_event("SubscriptionChanged", None), None);
    }
}
