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

/// The calendar day on the user's clock at the instant `at`: the OS time zone's offset for that
/// instant (daylight saving included), so a reminder's day is the shop's, not UTC's.
pub fn civil_date_at(at: time::OffsetDateTime) -> time::Date {
    use chrono::TimeZone;
    let seconds = chrono::Local
        .timestamp_opt(at.unix_timestamp(), 0)
        .single()
        .map_or(0, |local| local.offset().local_minus_utc());
    let offset = time::UtcOffset::from_whole_seconds(seconds).unwrap_or(time::UtcOffset::UTC);
    at.to_offset(offset).date()
}

/// The OS time zone's name ("America/Caracas"): `TZ` when set, else the system's.
pub fn time_zone_name() -> Option<String> {
    match std::env::var("TZ") {
        Ok(zone) if !zone.trim().is_empty() => Some(zone.trim_start_matches(':').to_owned()),
        _ => iana_time_zone::get_timezone().ok(),
    }
}

/// The calendar day on the user's clock.
pub fn local_today() -> time::Date {
    local_now().date()
}
