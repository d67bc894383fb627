//! The age of this process as the kernel records it, read from `/proc`. Plain `std` and nothing
//! of the app, because the start-up bench's empty window (tests/bench/empty-window) compiles this
//! very file: both sides of the comparison are timed by the same code.

use std::time::Duration;

/// `/proc/self/stat` field 22 is the start time in clock ticks after boot; `/proc/uptime` is
/// the time since boot. Linux fixes the tick for this interface at USER_HZ = 100 on every
/// architecture we ship for. `None` where there is no `/proc` (Windows, macOS).
pub fn on_linux() -> Option<Duration> {
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
