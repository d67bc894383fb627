//! The user's clock: the time and calendar day in their time zone. "Today" (overdue days, daily
//! copies, the date a re-rendered reminder is written on) follows the user's day, not UTC's: in
//! Caracas UTC's day changes at 20:00.
//!
//! The core's rules take the day as a parameter; this is where the app and the send check read
//! it, so no other module asks the OS.

/// The time on the user's clock, in their time zone.
pub fn local_now() -> time::OffsetDateTime {
    let seconds = chrono::Local::now().offset().local_minus_utc();
    let offset = time::UtcOffset::from_whole_seconds(seconds).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::now_utc().to_offset(offset)
}

/// The calendar day on the user's clock.
pub fn local_today() -> time::Date {
    local_now().date()
}
