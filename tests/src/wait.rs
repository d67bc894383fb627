//! Waiting for something to happen, the one way the stories and the core's tests do it: ask
//! again and again until it has happened or the deadline has passed, then fail saying what was
//! awaited and what was last seen. A test never sleeps a fixed time to mean "nothing more
//! happens": it waits for a signal that the thing it checks had its chance (the worker idle
//! with nothing due, a later message that proves the queue was read, a line in the log).

use std::fmt::Debug;
use std::time::{Duration, Instant};

/// How often [`eventually`] asks.
pub const POLL: Duration = Duration::from_millis(50);

/// Asks `probe` every [`POLL`] until it answers `Ok(value)`, and returns the value; `Err(seen)`
/// means "not yet", and what was seen last is in the failure message when `within` has passed.
pub async fn eventually<T, E: Debug>(
    within: Duration,
    what: &str,
    probe: impl AsyncFnMut() -> Result<T, E>,
) -> T {
    eventually_every(POLL, within, what, probe).await
}

/// [`eventually`], asking every `interval` (a test that must act within a few milliseconds of
/// the moment, such as a kill mid-drain).
pub async fn eventually_every<T, E: Debug>(
    interval: Duration,
    within: Duration,
    what: &str,
    mut probe: impl AsyncFnMut() -> Result<T, E>,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        match probe().await {
            Ok(value) => return value,
            Err(seen) if Instant::now() >= deadline => {
                panic!("waited {within:?} for {what}; last seen: {seen:?}")
            }
            Err(_) => tokio::time::sleep(interval).await,
        }
    }
}
