//! The states of a queued email and what each attempt's result makes of it. Pure: no clock, no
//! database, no randomness of its own, so every transition is tested directly.

use std::time::Duration;

use serde::Serialize;
use ts_rs::TS;

use super::backoff::RetryPolicy;
use crate::mail::{FailureClass, MailError, Receipt};

/// En cola · Enviando · Enviado · Reintentando · Falló · Cancelado.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    Queued,
    Sending,
    Sent,
    Retrying,
    Failed,
    Cancelled,
}

impl OutboxState {
    pub const ALL: [OutboxState; 6] = [
        OutboxState::Queued,
        OutboxState::Sending,
        OutboxState::Sent,
        OutboxState::Retrying,
        OutboxState::Failed,
        OutboxState::Cancelled,
    ];

    /// The text stored in SQLite.
    pub fn code(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Sending => "sending",
            OutboxState::Sent => "sent",
            OutboxState::Retrying => "retrying",
            OutboxState::Failed => "failed",
            OutboxState::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// A sending email may already be at the provider, and a sent one is gone: neither can be
    /// taken back.
    pub fn can_cancel(self) -> bool {
        matches!(
            self,
            OutboxState::Queued | OutboxState::Retrying | OutboxState::Failed
        )
    }

    /// "Reintentar ahora": waiting rows go at once; failed ones start over.
    pub fn can_retry_now(self) -> bool {
        matches!(
            self,
            OutboxState::Queued | OutboxState::Retrying | OutboxState::Failed
        )
    }

    /// Retrying a failed row sends what the provider may have refused before, possibly after
    /// the user changed the configuration: Resend must see a new Idempotency-Key, or it would
    /// answer 409 (same key, different payload) or replay the old answer.
    pub fn retry_bumps_generation(self) -> bool {
        self == OutboxState::Failed
    }
}

/// Why a queued email waits without an attempt being counted ("En cola · Sin conexión").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
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
}

impl WaitReason {
    pub const ALL: [WaitReason; 4] = [
        WaitReason::Offline,
        WaitReason::NotConfigured,
        WaitReason::SecretMissing,
        WaitReason::KeychainUnavailable,
    ];

    pub fn code(self) -> &'static str {
        match self {
            WaitReason::Offline => "offline",
            WaitReason::NotConfigured => "not_configured",
            WaitReason::SecretMissing => "secret_missing",
            WaitReason::KeychainUnavailable => "keychain_unavailable",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
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
}

impl AfterAttempt {
    pub fn state(&self) -> OutboxState {
        match self {
            AfterAttempt::Sent(_) => OutboxState::Sent,
            AfterAttempt::Retry { .. } => OutboxState::Retrying,
            AfterAttempt::Wait { .. } => OutboxState::Queued,
            AfterAttempt::Fail(_) => OutboxState::Failed,
        }
    }

    /// Whether this attempt adds to the row's count (waiting for the network does not).
    pub fn counts_attempt(&self) -> bool {
        !matches!(self, AfterAttempt::Wait { .. })
    }
}

/// Decides the next state from an attempt's result. `attempts_before` is how many attempts
/// counted so far; `jitter` is a number in [0, 1) that spreads retries out.
pub fn after_attempt(
    result: Result<Receipt, MailError>,
    attempts_before: u32,
    policy: &RetryPolicy,
    probe: Duration,
    jitter: f64,
) -> AfterAttempt {
    let error = match result {
        Ok(receipt) => return AfterAttempt::Sent(receipt),
        Err(error) => error,
    };
    match error.class() {
        FailureClass::Offline => AfterAttempt::Wait {
            after: probe,
            reason: WaitReason::Offline,
        },
        FailureClass::Permanent => AfterAttempt::Fail(error),
        FailureClass::Transient => {
            let attempt = attempts_before.saturating_add(1);
            if attempt >= policy.max_attempts {
                // Days of transient failures mean something a person should look at.
                return AfterAttempt::Fail(error);
            }
            AfterAttempt::Retry {
                after: policy.delay(attempt, error.retry_after, jitter),
                error,
            }
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
    fn codes_round_trip() {
        for state in OutboxState::ALL {
            assert_eq!(OutboxState::from_code(state.code()), Some(state));
            assert_eq!(
                serde_json::to_value(state).expect("json"),
                serde_json::json!(state.code())
            );
        }
        for reason in WaitReason::ALL {
            assert_eq!(WaitReason::from_code(reason.code()), Some(reason));
            assert_eq!(
                serde_json::to_value(reason).expect("json"),
                serde_json::json!(reason.code())
            );
        }
        assert_eq!(OutboxState::from_code("delivered"), None);
    }

    #[test]
    fn only_waiting_or_failed_rows_can_be_cancelled_or_retried() {
        use OutboxState::*;
        for (state, cancel, retry) in [
            (Queued, true, true),
            (Retrying, true, true),
            (Failed, true, true),
            (Sending, false, false),
            (Sent, false, false),
            (Cancelled, false, false),
        ] {
            assert_eq!(state.can_cancel(), cancel, "{state:?}");
            assert_eq!(state.can_retry_now(), retry, "{state:?}");
        }
        assert!(Failed.retry_bumps_generation());
        assert!(!Retrying.retry_bumps_generation());
        assert!(!Queued.retry_bumps_generation());
    }

    #[test]
    fn a_receipt_means_sent() {
        let receipt = Receipt {
            provider_message_id: "abc".into(),
            provider_response: "OK".into(),
            rate_limit: None,
        };
        let next = after_attempt(Ok(receipt.clone()), 0, &policy(), PROBE, 0.5);
        assert_eq!(next, AfterAttempt::Sent(receipt));
        assert_eq!(next.state(), OutboxState::Sent);
        assert!(next.counts_attempt());
    }

    #[test]
    fn no_network_waits_for_the_probe_without_counting_an_attempt() {
        let next = after_attempt(fail(MailFailure::Offline), 3, &policy(), PROBE, 0.9);
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
            let next = after_attempt(fail(failure), 0, &policy(), PROBE, 0.1);
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
            );
            let AfterAttempt::Retry { after, .. } = next else {
                panic!("attempt {attempts_before} should retry, got {next:?}");
            };
            assert!(after > previous_floor, "backoff grows: {after:?}");
            previous_floor = after;
        }
        let last = after_attempt(fail(MailFailure::Timeout), 4, &policy(), PROBE, 0.0);
        assert!(
            matches!(last, AfterAttempt::Fail(ref e) if e.failure == MailFailure::Timeout),
            "{last:?}"
        );
    }

    #[test]
    fn retry_after_is_honoured() {
        let error = MailError::new(Provider::Resend, MailFailure::RateLimited)
            .retry_after(Some(Duration::from_secs(45)));
        let next = after_attempt(Err(error), 0, &policy(), PROBE, 0.99);
        let AfterAttempt::Retry { after, .. } = next else {
            panic!("rate limits retry, got {next:?}");
        };
        assert!(after >= Duration::from_secs(45), "{after:?}");
    }
}
