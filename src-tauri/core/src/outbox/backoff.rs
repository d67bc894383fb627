//! When to try again, and how fast to send: exponential backoff with jitter that honours
//! Retry-After, and a pacer that keeps requests under a provider's rate limit so that limits are
//! met by waiting, not by failing.

use std::time::Duration;

use tokio::time::Instant;

use crate::mail::{Provider, RateLimit};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The first retry's backoff (before jitter).
    pub base: Duration,
    /// No backoff grows past this (Retry-After may ask for longer, and is honoured).
    pub cap: Duration,
    /// Counted attempts before a transiently failing email is marked failed.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        // 5 s doubling to an hour: the 11 waits between 12 attempts are 5, 10, 20 … 2560 s and
        // then 3600 s at most, 8 715 s in all, halved at worst by the jitter — so the last retry
        // comes 1.2 to 2.4 h after the first attempt, well inside Resend's 24 h key window. A
        // retry that would fall outside it is uncertain instead (`claim`), never sent blind.
        Self {
            base: Duration::from_secs(5),
            cap: Duration::from_secs(3_600),
            max_attempts: 12,
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `attempt` (1-based). "Equal jitter": half the exponential
    /// backoff is fixed, half random, so retries never come back sooner than half the backoff yet
    /// many emails failing together do not retry together. `jitter` is in [0, 1).
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
        let doublings = attempt.saturating_sub(1).min(31);
        let backoff = self
            .base
            .checked_mul(1u32 << doublings)
            .unwrap_or(self.cap)
            .min(self.cap);
        let half = backoff / 2;
        let jittered = half + half.mul_f64(jitter.clamp(0.0, 1.0));
        jittered.max(retry_after.unwrap_or_default())
    }
}

/// Spaces request starts so a provider's rate limit is never hit on purpose. It starts from what
/// `docs/providers.md` documents and then follows the provider's own `ratelimit-*` headers.
#[derive(Debug, Clone)]
pub struct Pacer {
    gap: Duration,
    next_start: Option<Instant>,
}

impl Pacer {
    pub fn for_provider(provider: Provider) -> Self {
        let gap = match provider {
            // "About 2–5 requests per second" per team: start at the low end until the headers
            // say more.
            Provider::Resend => Duration::from_millis(500),
            // No documented rate; a 429 (Retry-After) pauses the pacer.
            Provider::Postmark | Provider::Smtp => Duration::ZERO,
        };
        Self {
            gap,
            next_start: None,
        }
    }

    /// The spacing between request starts the pacer currently keeps.
    pub fn gap(&self) -> Duration {
        self.gap
    }

    /// When the next request may start; `now` or earlier means at once.
    pub fn ready_at(&self, now: Instant) -> Instant {
        self.next_start.map_or(now, |next| next.max(now))
    }

    /// Takes the slot of a request starting at `now`.
    pub fn start(&mut self, now: Instant) {
        self.next_start = Some(self.ready_at(now) + self.gap);
    }

    /// Follows the provider's headers: spread its limit over its window, with a little room for
    /// clock and network jitter; an exhausted window pauses until it resets.
    pub fn learn(&mut self, rate: &RateLimit, now: Instant) {
        let window = rate.reset.max(Duration::from_secs(1));
        self.gap = (window / rate.limit).mul_f64(1.1);
        if rate.remaining == 0 {
            self.pause_until(now + rate.reset.max(Duration::from_millis(100)));
        }
    }

    /// Nothing starts before `until` (a 429's Retry-After, an exhausted window).
    pub fn pause_until(&mut self, until: Instant) {
        self.next_start = Some(self.next_start.map_or(until, |next| next.max(until)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            base: Duration::from_secs(2),
            cap: Duration::from_secs(100),
            max_attempts: 10,
        }
    }

    #[test]
    fn backoff_doubles_within_its_jitter_bounds_and_stops_at_the_cap() {
        let policy = policy();
        for attempt in 1..=12u32 {
            let full = (Duration::from_secs(2) * 2u32.pow(attempt - 1)).min(policy.cap);
            let low = policy.delay(attempt, None, 0.0);
            let high = policy.delay(attempt, None, 0.999_999);
            assert_eq!(
                low,
                full / 2,
                "attempt {attempt}: floor is half the backoff"
            );
            assert!(
                high <= full && high > full.mul_f64(0.99),
                "attempt {attempt}"
            );
            for _ in 0..200 {
                let d = policy.delay(attempt, None, fastrand::f64());
                assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
            }
        }
        assert_eq!(policy.delay(u32::MAX, None, 0.0), policy.cap / 2);
    }

    #[test]
    fn the_default_schedule_is_what_its_comment_says() {
        let policy = RetryPolicy::default();
        let longest: Duration = (1..policy.max_attempts)
            .map(|attempt| policy.delay(attempt, None, 0.999_999))
            .sum();
        let shortest: Duration = (1..policy.max_attempts)
            .map(|attempt| policy.delay(attempt, None, 0.0))
            .sum();
        assert_eq!(policy.max_attempts, 12);
        assert!(longest <= Duration::from_secs(8_715), "{longest:?}");
        assert!(longest > Duration::from_secs(8_700), "{longest:?}");
        assert_eq!(shortest, Duration::from_millis(8_715_000 / 2));
        assert!(longest < super::super::claim::KEY_WINDOW);
    }

    #[test]
    fn jitter_spreads_retries() {
        let policy = policy();
        let delays: std::collections::BTreeSet<Duration> = (0..50)
            .map(|_| policy.delay(3, None, fastrand::f64()))
            .collect();
        assert!(delays.len() > 10, "50 draws gave {} values", delays.len());
    }

    #[test]
    fn retry_after_wins_when_longer_and_never_shortens_the_backoff() {
        let policy = policy();
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(30)), 0.5),
            Duration::from_secs(30)
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(500)), 0.5),
            Duration::from_secs(500),
            "Retry-After beyond the cap is still honoured"
        );
        let long = policy.delay(6, None, 0.0);
        assert_eq!(policy.delay(6, Some(Duration::from_millis(10)), 0.0), long);
    }

    #[test]
    fn the_pacer_spaces_starts_and_learns_from_headers() {
        let now = Instant::now();
        let mut pacer = Pacer::for_provider(Provider::Resend);
        assert_eq!(pacer.ready_at(now), now);
        pacer.start(now);
        assert_eq!(pacer.ready_at(now), now + Duration::from_millis(500));

        pacer.learn(
            &RateLimit {
                limit: 100,
                remaining: 50,
                reset: Duration::from_secs(1),
            },
            now,
        );
        assert_eq!(pacer.gap(), Duration::from_millis(11));

        pacer.learn(
            &RateLimit {
                limit: 100,
                remaining: 0,
                reset: Duration::from_secs(1),
            },
            now,
        );
        assert!(pacer.ready_at(now) >= now + Duration::from_secs(1));

        pacer.pause_until(now + Duration::from_secs(5));
        assert_eq!(pacer.ready_at(now), now + Duration::from_secs(5));
        pacer.pause_until(now + Duration::from_secs(2));
        assert_eq!(
            pacer.ready_at(now),
            now + Duration::from_secs(5),
            "a shorter pause never cuts a longer one"
        );
    }

    #[test]
    fn smtp_is_not_paced_until_told() {
        let now = Instant::now();
        let mut pacer = Pacer::for_provider(Provider::Smtp);
        pacer.start(now);
        pacer.start(now);
        assert_eq!(pacer.ready_at(now), now);
    }
}
