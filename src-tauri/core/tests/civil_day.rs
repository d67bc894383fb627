//! The user's calendar day is the OS time zone's, read for each instant: in Caracas (UTC−4)
//! the day changes at 04:00 UTC, in Mexico City (UTC−6, no daylight saving since 2022) at
//! 06:00 UTC. The zone is the process's `TZ`, as the OS hands it to the app; this binary holds
//! this one test so changing it touches nothing else. Each zone is read on a thread of its own
//! (chrono keeps what it read of the zone per thread).

use cachicamo_core::clock::civil_date_at;
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

/// The calendar days of `instants` in `zone`.
fn days_in(zone: &'static str, instants: Vec<OffsetDateTime>) -> Vec<Date> {
    std::env::set_var("TZ", zone);
    std::thread::spawn(move || instants.into_iter().map(civil_date_at).collect())
        .join()
        .expect("read the days")
}

#[test]
fn the_day_turns_at_local_midnight_in_caracas_and_mexico_city() {
    let instants = vec![
        datetime!(2026-11-30 03:59:59 UTC),
        datetime!(2026-11-30 04:00:00 UTC),
        datetime!(2026-11-30 05:59:59 UTC),
        datetime!(2026-11-30 06:00:00 UTC),
    ];
    let (before, after) = (date!(2026 - 11 - 29), date!(2026 - 11 - 30));
    assert_eq!(
        days_in("America/Caracas", instants.clone()),
        [before, after, after, after]
    );
    assert_eq!(
        days_in("America/Mexico_City", instants),
        [before, before, before, after],
        "Caracas's new day is still yesterday in Mexico City"
    );
}
