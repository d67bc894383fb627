//! How long the app took to launch, up to its first screen, measured from the OS's record of
//! when the process started (so dynamic loading and Rust's own start-up count too), not from
//! `main`.

mod process_age;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

static MAIN_ENTERED: OnceLock<Instant> = OnceLock::new();

/// Called first thing in `run`, as a fallback where the OS start time cannot be read.
pub fn mark_main_entered() {
    let _ = MAIN_ENTERED.set(Instant::now());
}

/// Time since the process started: from the kernel on Linux, else since `main` (an
/// underestimate by the loader's time; unverified on Windows and macOS).
pub fn since_process_start() -> Duration {
    process_age::on_linux()
        .or_else(|| MAIN_ENTERED.get().map(Instant::elapsed))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

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
