//! The states of a queued email, why a row waits, stopped or needs the owner, and what each
//! attempt's result makes of it. Pure: no clock, no database, no randomness of its own, so every
//! transition is tested directly.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::backoff::RetryPolicy;
use crate::mail::{FailureClass, MailError, MailFailure, Receipt};

/// Stored in SQLite by its wire name (`crate::wire`), like the reasons below.
///
/// En cola · Enviando · Enviado · Reintentando · Falló · Cancelado · Resultado incierto ·
/// Por revisar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    Queued,
    Sending,
    Sent,
    Retrying,
    Failed,
    Cancelled,
    /// The provider may have the message (the answer never came after the hand-over): only the
    /// owner decides between "Reenviar" and "Marcar como enviado".
    Uncertain,
    /// Waiting for the owner before anything is sent (e.g. it came back with a restored copy).
    Held,
}

impl OutboxState {
    /// Waiting for the worker: the states the send check re-examines when the books change.
    pub fn is_waiting(self) -> bool {
        matches!(
            self,
            OutboxState::Queued | OutboxState::Retrying | OutboxState::Held
        )
    }

    /// A sending email may already be at the provider, a sent or uncertain one may have
    /// arrived: none of them can be taken back.
    pub fn can_cancel(self) -> bool {
        matches!(
            self,
            OutboxState::Queued | OutboxState::Retrying | OutboxState::Failed | OutboxState::Held
        )
    }

    /// "Reintentar ahora": waiting rows go at once; failed ones start over.
    pub fn can_retry_now(self) -> bool {
        matches!(
            self,
            OutboxState::Queued | OutboxState::Retrying | OutboxState::Failed
        )
    }

    /// "Reenviar" an uncertain row, "Enviar" a held one: a deliberate send the owner asked for,
    /// checked against the books like any other.
    pub fn can_send_again(self) -> bool {
        matches!(self, OutboxState::Uncertain | OutboxState::Held)
    }

    /// "Marcar como enviado": the owner knows the uncertain message arrived.
    pub fn can_mark_sent(self) -> bool {
        self == OutboxState::Uncertain
    }

    /// Sending again what the provider refused, may hold, or was told about under another
    /// payload needs a new Idempotency-Key and Message-ID: Resend would answer 409 (same key,
    /// different payload) or replay its old answer.
    pub fn again_bumps_generation(self) -> bool {
        matches!(
            self,
            OutboxState::Failed | OutboxState::Uncertain | OutboxState::Held
        )
    }
}

/// Why a queued email waits without an attempt being counted ("En cola · Sin conexión").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
pub enum WaitReason {
    /// No network path to the provider; it is probed again shortly.
    Offline,
    /// No email service is configured yet.
    NotConfigured,
    /// The service is configured but its secret is not in the keychain.
    SecretMissing,
    /// The keychain is locked or unavailable.
    KeychainUnavailable,
    /// The provider's daily or monthly quota is used up: nothing is attempted until it resets.
    Quota,
}

/// Why a row was cancelled: by the owner, or by the send check because the message no longer
/// says the truth ("Cancelado: la cuenta ya está pagada").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// "Cancelar" in the window.
    Owner,
    /// What the message asks for has been paid.
    Paid,
    Voided,
    /// The record now belongs to another customer.
    CustomerChanged,
    /// The customer no longer has an address to send it to.
    NoAddress,
    /// The customer (or the receivable) is under "No contactar": nothing goes, ever, unless the
    /// owner lifts it — so nothing is kept waiting either.
    DoNotContact,
    /// Queued for a step of the política de cobranza, counted from a due date that no longer
    /// stands: the debt it was about was paid (newer ones are still owed) or its due date moved
    /// later — "vencida hace 7 días" would no longer be true.
    StepNoLongerDue,
}

/// Why a row waits for the owner ("Por revisar: copia restaurada").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
pub enum HoldReason {
    /// It was waiting or sending in a copy that was restored: the world may have moved on.
    Restored,
    /// The send check could not be made (the record is unreadable or unknown): nothing leaves
    /// unchecked.
    CheckFailed,
    /// Its address is "No entregable" (it bounced, complained, or the provider refuses it):
    /// nothing goes to it until the owner edits or re-confirms the address.
    Undeliverable,
    /// A pausa de cobranza (dispute, promise, payment plan, "Pausa hasta…") is in force: it
    /// waits for the owner, who may send it once the pause is over (checked again then) or
    /// cancel it.
    Paused,
}

/// What to record after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterAttempt {
    /// `sent`, with the provider's id.
    Sent(Receipt),
    /// `retrying` after `after`; the attempt counts.
    Retry { after: Duration, error: MailError },
    /// Back to `queued` with a reason; the attempt does not count.
    Wait { after: Duration, reason: WaitReason },
    /// `failed`: a person must fix something first.
    Fail(MailError),
    /// `uncertain`: the message may have arrived and a retry is not covered by a key.
    Uncertain(MailError),
}

impl AfterAttempt {
    pub fn state(&self) -> OutboxState {
        match self {
            AfterAttempt::Sent(_) => OutboxState::Sent,
            AfterAttempt::Retry { .. } => OutboxState::Retrying,
            AfterAttempt::Wait { .. } => OutboxState::Queued,
            AfterAttempt::Fail(_) => OutboxState::Failed,
            AfterAttempt::Uncertain(_) => OutboxState::Uncertain,
        }
    }

    /// Whether this attempt adds to the row's count (waiting for the network or a quota does
    /// not).
    pub fn counts_attempt(&self) -> bool {
        !matches!(self, AfterAttempt::Wait { .. })
    }
}

/// How long to look again at a used-up quota when the provider did not say (Retry-After).
pub const QUOTA_RECHECK: Duration = Duration::from_secs(3_600);

/// Decides the next state from an attempt's result. `attempts_before` is how many attempts
/// counted so far; `jitter` is a number in [0, 1) that spreads retries out. `key_window` is how
/// much longer the provider's idempotency key covers this message (`None`: the provider has no
/// key, so a message that may have arrived is never sent again automatically).
pub fn after_attempt(
    result: Result<Receipt, MailError>,
    attempts_before: u32,
    policy: &RetryPolicy,
    probe: Duration,
    jitter: f64,
    key_window: Option<Duration>,
) -> AfterAttempt {
    let error = match result {
        Ok(receipt) => return AfterAttempt::Sent(receipt),
        Err(error) => error,
    };
    if error.failure == MailFailure::QuotaExceeded {
        // Every attempt before the reset fails the same way: wait for it, spend nothing.
        return AfterAttempt::Wait {
            after: error.retry_after.unwrap_or(QUOTA_RECHECK),
            reason: WaitReason::Quota,
        };
    }
    match error.class() {
        FailureClass::Offline if !error.maybe_delivered => AfterAttempt::Wait {
            after: probe,
            reason: WaitReason::Offline,
        },
        FailureClass::Permanent => AfterAttempt::Fail(error),
        FailureClass::Transient | FailureClass::Offline => {
            let attempt = attempts_before.saturating_add(1);
            let after = policy.delay(attempt, error.retry_after, jitter);
            if error.maybe_delivered && key_window.is_none_or(|left| after >= left) {
                return AfterAttempt::Uncertain(error);
            }
            if attempt >= policy.max_attempts {
                // Days of transient failures mean something a person should look at.
                return AfterAttempt::Fail(error);
            }
            AfterAttempt::Retry { after, error }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::{MailFailure, Provider};

    fn policy() -> RetryPolicy {
        RetryPolicy {
            base: Duration::from_secs(2),
            cap: Duration::from_secs(60),
            max_attempts: 5,
        }
    }

    const PROBE: Duration = Duration::from_secs(30);

    fn fail(failure: MailFailure) -> Result<Receipt, MailError> {
        Err(MailError::new(Provider::Resend, failure))
    }

    #[test]
    fn stored_names_are_pinned() {
        use crate::wire::assert_pinned;
        assert_pinned(|state| match state {
            OutboxState::Queued => "queued",
            OutboxState::Sending => "sending",
            OutboxState::Sent => "sent",
            OutboxState::Retrying => "retrying",
            OutboxState::Failed => "failed",
            OutboxState::Cancelled => "cancelled",
            OutboxState::Uncertain => "uncertain",
            OutboxState::Held => "held",
        });
        assert_pinned(|reason| match reason {
            WaitReason::Offline => "offline",
            WaitReason::NotConfigured => "not_configured",
            WaitReason::SecretMissing => "secret_missing",
            WaitReason::KeychainUnavailable => "keychain_unavailable",
            WaitReason::Quota => "quota",
        });
        assert_pinned(|reason| match reason {
            CancelReason::Owner => "owner",
            CancelReason::Paid => "paid",
            CancelReason::Voided => "voided",
            CancelReason::CustomerChanged => "customer_changed",
            CancelReason::NoAddress => "no_address",
            CancelReason::DoNotContact => "do_not_contact",
            CancelReason::StepNoLongerDue => "step_no_longer_due",
        });
        assert_pinned(|reason| match reason {
            HoldReason::Restored => "restored",
            HoldReason::CheckFailed => "check_failed",
            HoldReason::Undeliverable => "undeliverable",
            HoldReason::Paused => "paused",
        });
    }

    #[test]
    fn what_the_owner_may_do_in_each_state() {
        use OutboxState::*;
        // (state, cancel, retry now, send again, mark sent)
        for (state, cancel, retry, again, mark) in [
            (Queued, true, true, false, false),
            (Retrying, true, true, false, false),
            (Failed, true, true, false, false),
            (Held, true, false, true, false),
            (Uncertain, false, false, true, true),
            (Sending, false, false, false, false),
            (Sent, false, false, false, false),
            (Cancelled, false, false, false, false),
        ] {
            assert_eq!(state.can_cancel(), cancel, "{state:?}");
            assert_eq!(state.can_retry_now(), retry, "{state:?}");
            assert_eq!(state.can_send_again(), again, "{state:?}");
            assert_eq!(state.can_mark_sent(), mark, "{state:?}");
        }
        assert!(Failed.again_bumps_generation());
        assert!(Uncertain.again_bumps_generation());
        assert!(Held.again_bumps_generation());
        assert!(!Retrying.again_bumps_generation());
        assert!(!Queued.again_bumps_generation());
    }

    #[test]
    fn a_receipt_means_sent() {
        let receipt = Receipt {
            provider_message_id: "abc".into(),
            provider_response: "OK".into(),
            rate_limit: None,
        };
        let next = after_attempt(Ok(receipt.clone()), 0, &policy(), PROBE, 0.5, None);
        assert_eq!(next, AfterAttempt::Sent(receipt));
        assert_eq!(next.state(), OutboxState::Sent);
        assert!(next.counts_attempt());
    }

    #[test]
    fn no_network_waits_for_the_probe_without_counting_an_attempt() {
        let next = after_attempt(fail(MailFailure::Offline), 3, &policy(), PROBE, 0.9, None);
        assert_eq!(
            next,
            AfterAttempt::Wait {
                after: PROBE,
                reason: WaitReason::Offline
            }
        );
        assert_eq!(next.state(), OutboxState::Queued);
        assert!(!next.counts_attempt());
    }

    #[test]
    fn permanent_errors_fail_at_once_with_the_reason() {
        for failure in [
            MailFailure::AuthFailed,
            MailFailure::RecipientRejected,
            MailFailure::RecipientInactive,
            MailFailure::SenderNotVerified,
            MailFailure::Rejected,
        ] {
            let next = after_attempt(fail(failure), 0, &policy(), PROBE, 0.1, None);
            match &next {
                AfterAttempt::Fail(err) => assert_eq!(err.failure, failure),
                other => panic!("{failure:?} should fail, got {other:?}"),
            }
            assert_eq!(next.state(), OutboxState::Failed);
        }
    }

    #[test]
    fn transient_errors_retry_with_growing_backoff_until_the_limit() {
        let mut previous_floor = Duration::ZERO;
        for attempts_before in 0..4 {
            let next = after_attempt(
                fail(MailFailure::ProviderUnavailable),
                attempts_before,
                &policy(),
                PROBE,
                0.0,
                None,
            );
            let AfterAttempt::Retry { after, .. } = next else {
                panic!("attempt {attempts_before} should retry, got {next:?}");
            };
            assert!(after > previous_floor, "backoff grows: {after:?}");
            previous_floor = after;
        }
        let last = after_attempt(fail(MailFailure::Timeout), 4, &policy(), PROBE, 0.0, None);
        assert!(
            matches!(last, AfterAttempt::Fail(ref e) if e.failure == MailFailure::Timeout),
            "{last:?}"
        );
    }

    #[test]
    fn retry_after_is_honoured() {
        let error = MailError::new(Provider::Resend, MailFailure::RateLimited)
            .retry_after(Some(Duration::from_secs(45)));
        let next = after_attempt(Err(error), 0, &policy(), PROBE, 0.99, None);
        let AfterAttempt::Retry { after, .. } = next else {
            panic!("rate limits retry, got {next:?}");
        };
        assert!(after >= Duration::from_secs(45), "{after:?}");
    }

    #[test]
    fn a_message_that_may_have_arrived_is_uncertain_without_a_key() {
        for failure in [MailFailure::Timeout, MailFailure::ProviderUnavailable] {
            let error = MailError::new(Provider::Smtp, failure).maybe_delivered();
            let next = after_attempt(Err(error), 0, &policy(), PROBE, 0.5, None);
            assert!(
                matches!(next, AfterAttempt::Uncertain(ref e) if e.failure == failure),
                "{next:?}"
            );
            assert_eq!(next.state(), OutboxState::Uncertain);
            assert!(next.counts_attempt());
        }
    }

    #[test]
    fn under_a_key_a_maybe_delivered_failure_retries_only_inside_its_window() {
        let error = || MailError::new(Provider::Resend, MailFailure::Timeout).maybe_delivered();
        let inside = after_attempt(
            Err(error()),
            0,
            &policy(),
            PROBE,
            0.5,
            Some(Duration::from_secs(23 * 3_600)),
        );
        assert!(matches!(inside, AfterAttempt::Retry { .. }), "{inside:?}");
        let past = after_attempt(
            Err(error()),
            3,
            &policy(),
            PROBE,
            0.5,
            Some(Duration::from_secs(1)),
        );
        assert!(matches!(past, AfterAttempt::Uncertain(_)), "{past:?}");
    }

    #[test]
    fn a_failure_before_the_hand_over_retries_as_before_even_without_a_key() {
        let error = MailError::new(Provider::Postmark, MailFailure::ProviderUnavailable);
        let next = after_attempt(Err(error), 0, &policy(), PROBE, 0.5, None);
        assert!(matches!(next, AfterAttempt::Retry { .. }), "{next:?}");
    }

    #[test]
    fn a_used_up_quota_waits_for_its_reset_without_spending_attempts() {
        let told = MailError::new(Provider::Resend, MailFailure::QuotaExceeded)
            .retry_after(Some(Duration::from_secs(7_200)));
        let next = after_attempt(Err(told), 11, &policy(), PROBE, 0.5, None);
        assert_eq!(
            next,
            AfterAttempt::Wait {
                after: Duration::from_secs(7_200),
                reason: WaitReason::Quota
            }
        );
        assert!(!next.counts_attempt());
        let untold = MailError::new(Provider::Smtp, MailFailure::QuotaExceeded);
        let next = after_attempt(Err(untold), 0, &policy(), PROBE, 0.5, None);
        assert_eq!(
            next,
            AfterAttempt::Wait {
                after: QUOTA_RECHECK,
                reason: WaitReason::Quota
            }
        );
    }
}
