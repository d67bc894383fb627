//! How the books are read right now: in which region's writing, and on which day. Every figure
//! the window shows and every amount or date it reads back goes through a [`Reading`], so the
//! region decides how "1.500,50" and "05/03/2026" are written and typed, and `today` decides
//! what is overdue.
//!
//! Named for what it is — a reading of the books, taken somewhere at some day — and not
//! "outlook", which in an email app reads as Microsoft Outlook.

use time::Date;

use super::currency;
use super::dates::{iso, DateShown};
use super::money::{minor_units_of, Money};
use super::rate::RateDirection;
use super::BooksError;
use crate::locale::Region;
use crate::validation::{FieldErrors, FieldProblem};

/// Where and when the books are being read: the region writes the figures, `today` decides what
/// is overdue. Passed in, so tests and benchmarks pick their own day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub region: Region,
    pub today: Date,
}

impl Reading {
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

    /// Whole days past `due`; 0 when not yet due.
    pub fn days_overdue(&self, due: Date) -> u32 {
        u32::try_from((self.today - due).whole_days()).unwrap_or(0)
    }

    /// The amount `text` means in the currency `code`, read the region's way as the user types
    /// it (a field shows what it understood), or why it cannot be read: under `currency` or
    /// `amount`, with the region's own example.
    pub fn read_amount(&self, code: &str, text: &str) -> Result<Money, BooksError> {
        let mut errors = FieldErrors::default();
        let Some(found) = currency::find(code) else {
            errors.add("currency", FieldProblem::UnknownCurrency);
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

    /// The exchange rate `text` means, written back the region's way ("36,5" → "36,50" keeps
    /// its typed decimals), or why it cannot be read (under `rate`): a rate field shows what it
    /// understood as the user types, as an amount field does.
    pub fn read_rate(&self, text: &str) -> Result<String, BooksError> {
        match self.region.parse_rate(text, RateDirection::OwedPerPaid) {
            Ok(rate) => Ok(self.region.rate(rate)),
            Err(problem) => {
                let mut errors = FieldErrors::default();
                errors.add("rate", problem);
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

    /// The day `typed` names, read the region's way, if it is `earliest` or later; otherwise
    /// why not goes to `errors` under `field` ("until" of a pause or a postponement: a day
    /// already gone cannot end anything).
    pub fn day_from(
        &self,
        errors: &mut FieldErrors,
        field: &str,
        typed: &str,
        earliest: Date,
    ) -> Option<Date> {
        match self.region.parse_date(typed) {
            Ok(day) if day < earliest => {
                errors.add(field, FieldProblem::DateInPast);
                None
            }
            Ok(day) => Some(day),
            Err(problem) => {
                errors.add(field, problem);
                None
            }
        }
    }
}
