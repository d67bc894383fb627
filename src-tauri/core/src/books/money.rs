//! Money and dates on their way to the screen: integer minor units and ISO dates in, the
//! region's writing out, both kept so the UI never re-parses text.

use serde::Serialize;
use time::macros::format_description;
use time::Date;
use ts_rs::TS;

use super::currency;
use super::region::Region;
use super::BooksError;
use crate::validation::FieldErrors;

/// An amount as stored (minor units + ISO 4217 code) and as the region writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Money {
    #[ts(type = "number")]
    pub minor: i64,
    pub currency: String,
    /// "USD 1.500,50".
    pub text: String,
    /// "1.500,50": what an amount field starts from when editing.
    pub plain: String,
}

/// A calendar date as stored and as the region writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DateShown {
    /// "2026-03-05".
    pub iso: String,
    /// "05/03/2026".
    pub text: String,
}

/// Where and when the books are being looked at: the region writes the figures, `today`
/// decides what is overdue. Passed in, so tests and benchmarks pick their own day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outlook {
    pub region: Region,
    pub today: Date,
}

impl Outlook {
    pub fn money(&self, minor: i64, code: &str) -> Money {
        let plain = self.region.amount(minor, minor_units_of(code));
        Money {
            minor,
            currency: code.to_owned(),
            text: format!("{code} {plain}"),
            plain,
        }
    }

    pub fn date(&self, date: Date) -> DateShown {
        DateShown {
            iso: iso(date),
            text: self.region.date(date),
        }
    }

    /// The amount `text` means in the currency `code`, read the region's way as the user types
    /// it (a field shows what it understood), or why it cannot be read: under `currency` or
    /// `amount`, with the region's own example.
    pub fn read_amount(&self, code: &str, text: &str) -> Result<Money, BooksError> {
        let mut errors = FieldErrors::default();
        let Some(found) = currency::find(code) else {
            errors.add("currency", crate::validation::FieldProblem::UnknownCurrency);
            return Err(BooksError::Invalid(errors.into_vec()));
        };
        match self.region.parse_amount(text, &found) {
            Ok(minor) => Ok(self.money(minor, found.code)),
            Err(problem) => {
                self.region
                    .refuse_amount(&mut errors, "amount", problem, &found);
                Err(BooksError::Invalid(errors.into_vec()))
            }
        }
    }

    /// The calendar date `text` means, read the region's way, or why it cannot be read (under
    /// `date`).
    pub fn read_date(&self, text: &str) -> Result<DateShown, BooksError> {
        match self.region.parse_date(text) {
            Ok(date) => Ok(self.date(date)),
            Err(problem) => {
                let mut errors = FieldErrors::default();
                errors.add("date", problem);
                Err(BooksError::Invalid(errors.into_vec()))
            }
        }
    }

    /// Whole days past `due`; 0 when not yet due.
    pub fn days_overdue(&self, due: Date) -> u32 {
        u32::try_from((self.today - due).whole_days()).unwrap_or(0)
    }
}

/// A stored code's minor units. Codes are checked on the way in, so an unknown one is a code
/// this version no longer lists: shown with two decimals rather than hidden.
fn minor_units_of(code: &str) -> u8 {
    currency::find(code).map_or(2, |currency| currency.minor_units)
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
