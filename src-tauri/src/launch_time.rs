//! How long the app took to launch, up to its first screen, measured from the OS's record of
//! when the process started (so dynamic loading and Rust's own start-up count too), not from
//! `main`. Each step of start-up is logged at debug level with its time since then
//! (`CACHICAMO_LOG=info,cachicamo_lib=debug`), so the log shows where start-up goes.

mod page;
mod process_age;

pub use page::PageStart;

use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

static MAIN_ENTERED: OnceLock<Instant> = OnceLock::new();

/// Steps reached before logging started (the loader's and Tauri's share of start-up), kept
/// until `logging_started` can log them.
static BEFORE_LOGGING: Mutex<Vec<(&'static str, Duration)>> = Mutex::new(Vec::new());

/// Called first thing in `run`, as a fallback where the OS start time cannot be read.
pub fn mark_main_entered() {
    let _ = MAIN_ENTERED.set(Instant::now());
    remember("main entered");
}

/// Notes a step reached before logging starts, with its time now; `logging_started` logs it.
pub fn remember(step: &'static str) {
    let at = since_process_start();
    BEFORE_LOGGING
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push((step, at));
}

/// Logs the steps remembered before logging started, at the times they were reached, then
/// that logging has started.
pub fn logging_started() {
    let remembered = std::mem::take(
        &mut *BEFORE_LOGGING
            .lock()
            .unwrap_or_else(PoisonError::into_inner),
    );
    for (step, at) in remembered {
        tracing::debug!(step, since_start = ?at, "start-up step");
    }
    step("logging started");
}

/// Time since the process started: from the kernel on Linux, else since `main` (an
/// underestimate by the loader's time; unverified on Windows and macOS).
pub fn since_process_start() -> Duration {
    process_age::on_linux()
        .or_else(|| MAIN_ENTERED.get().map(Instant::elapsed))
        .unwrap_or_default()
}

/// Logs that start-up reached `step`, with the time since the process started.
pub fn step(step: &'static str) {
    tracing::debug!(step, since_start = ?since_process_start(), "start-up step");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logging::logged;

    #[test]
    fn a_step_is_logged_at_debug_with_its_time_since_the_process_started() {
        mark_main_entered();
        let line = logged(|| step("database open"));
        assert!(line.contains("DEBUG"), "{line}");
        assert!(line.contains("start-up step"), "{line}");
        assert!(line.contains("step=\"database open\""), "{line}");
        let since = line
            .split("since_start=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no time in {line}"));
        assert!(since.ends_with('s'), "a duration: {since}");
    }

    #[test]
    fn steps_before_logging_are_logged_once_it_starts_with_their_own_times() {
        mark_main_entered();
        remember("setup started");
        // Until the process's age (read in ticks of 10 ms) has moved on.
        let remembered_at = since_process_start();
        while since_process_start() == remembered_at {
            std::thread::yield_now();
        }
        let log = logged(logging_started);
        let since = |step: &str| {
            let line = log
                .lines()
                .find(|line| line.contains(&format!("step=\"{step}\"")))
                .unwrap_or_else(|| panic!("{step} not logged: {log}"));
            let text = line.split("since_start=").nth(1).expect("a time");
            text.trim().to_owned()
        };
        assert_ne!(since("setup started"), since("logging started"), "{log}");
        let order: Vec<usize> = ["main entered", "setup started", "logging started"]
            .iter()
            .map(|step| log.find(&format!("step=\"{step}\"")).expect("logged"))
            .collect();
        assert!(order.windows(2).all(|pair| pair[0] < pair[1]), "{log}");
        // Logged once: nothing is kept for the next start.
        assert!(!logged(logging_started).contains("setup started"));
    }

    #[test]
    fn the_age_of_a_running_process_is_positive_and_grows() {
        mark_main_entered();
        let first = since_process_start();
        std::thread::sleep(Duration::from_millis(30));
        let second = since_process_start();
        assert!(second > first, "{second:?} should exceed {first:?}");
        assert!(
            second < Duration::from_secs(3600),
            "implausible age {second:?}"
        );
    }
}
