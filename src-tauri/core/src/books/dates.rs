//! Calendar dates (issue and due dates, payments): stored as ISO 8601 text, shown the region's
//! way, both kept so the UI never re-parses text. "Today" comes from `crate::clock`, passed in.

use serde::Serialize;
use time::macros::format_description;
use time::Date;
use ts_rs::TS;

/// A calendar date as stored and as the region writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DateShown {
    /// "2026-03-05".
    pub iso: String,
    /// "05/03/2026".
    pub text: String,
}

pub fn iso(date: Date) -> String {
    date.format(format_description!("[year]-[month]-[day]"))
        .expect("a calendar date always formats")
}

pub fn from_iso(text: &str) -> rusqlite::Result<Date> {
    Date::parse(text, format_description!("[year]-[month]-[day]")).map_err(|err| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(err))
    })
}
