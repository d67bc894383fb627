//! How long the app took to launch, up to its first screen, measured from the OS's record of
//! when the process started (so dynamic loading and Rust's own start-up count too), not from
//! `main`.

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
    linux_process_age()
        .or_else(|| MAIN_ENTERED.get().map(Instant::elapsed))
        .unwrap_or_default()
}

/// `/proc/self/stat` field 22 is the start time in clock ticks after boot; `/proc/uptime` is
/// the time since boot. Linux fixes the tick for this interface at USER_HZ = 100 on every
/// architecture we ship for.
fn linux_process_age() -> Option<Duration> {
    const USER_HZ: f64 = 100.0;
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let start_ticks: f64 = after_name.split_whitespace().nth(19)?.parse().ok()?;
    let uptime = std::fs::read_to_string("/proc/uptime").ok()?;
    let uptime_secs: f64 = uptime.split_whitespace().next()?.parse().ok()?;
    let age = uptime_secs - start_ticks / USER_HZ;
    (age >= 0.0).then(|| Duration::from_secs_f64(age))
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
