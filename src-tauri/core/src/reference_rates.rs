//! Tasa de referencia (Ajustes): the rate between two currencies the owner types for a day, with
//! who publishes it ("BCV"), so a statement can add under a subtotal what it comes to in another
//! currency — "Equivalente referencial: VES 40.150,00 a tasa BCV del 30/11/2026" — and only when
//! the rate is for the statement's own day: yesterday's rate says nothing about today's money.
//! No rate is looked up on the network.
//!
//! A rate is kept exactly as typed (its digits and decimals, like a payment's) and converted with
//! the books' one conversion, rounded once.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use time::Date;
use ts_rs::TS;

use crate::books::currency;
use crate::books::dates::{from_iso, iso, DateShown};
use crate::books::money::MAX_MINOR;
use crate::books::rate::{Rate, RateDirection};
use crate::books::reading::Reading;
use crate::books::BooksError;
use crate::db::Database;
use crate::validation::{FieldErrors, FieldProblem};

const MAX_SOURCE: usize = 40;

/// The form as typed: the rate and the date the region's way.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ReferenceRateForm {
    /// The currency a subtotal is in ("USD").
    pub base: String,
    /// The currency its equivalent is shown in ("VES").
    pub quote: String,
    /// One `base` in `quote` ("36,50").
    pub rate: String,
    /// The day the rate is for; empty: today.
    pub rate_on: String,
    /// Who publishes it ("BCV").
    pub source: String,
}

/// A kept rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReferenceRate {
    pub base: String,
    pub quote: String,
    /// The rate written the region's way ("36,50").
    pub rate: String,
    /// As stored ("36.50").
    pub rate_text: String,
    pub rate_on: DateShown,
    pub source: String,
    /// It is for today: statements made today show it.
    pub is_today: bool,
}

/// Checks and keeps a rate; nothing is kept when a field is refused.
pub fn save(
    db: &Database,
    form: &ReferenceRateForm,
    reading: &Reading,
) -> Result<ReferenceRate, BooksError> {
    let mut errors = FieldErrors::default();
    let base = currency::find(&form.base);
    if base.is_none() {
        errors.add("base", FieldProblem::UnknownCurrency);
    }
    let quote = currency::find(&form.quote);
    if quote.is_none() {
        errors.add("quote", FieldProblem::UnknownCurrency);
    }
    if let (Some(base), Some(quote)) = (base, quote) {
        if base.code == quote.code {
            errors.add("quote", FieldProblem::SameCurrency);
        }
    }
    let rate = reading
        .region
        .parse_rate(&form.rate, RateDirection::OwedPerPaid)
        .map_err(|problem| errors.add("rate", problem))
        .ok();
    let rate_on = if form.rate_on.trim().is_empty() {
        Some(reading.today)
    } else {
        match reading.region.parse_date(&form.rate_on) {
            Ok(day) if day > reading.today => {
                errors.add("rateOn", FieldProblem::DateInFuture);
                None
            }
            Ok(day) => Some(day),
            Err(problem) => {
                errors.add("rateOn", problem);
                None
            }
        }
    };
    let source = errors.required_text("source", &form.source, MAX_SOURCE);
    let (Some(base), Some(quote), Some(rate), Some(rate_on), Some(source)) =
        (base, quote, rate, rate_on, source)
    else {
        return Err(BooksError::Invalid(errors.into_vec()));
    };
    if !errors.is_empty() {
        return Err(BooksError::Invalid(errors.into_vec()));
    }
    db.write(|tx| {
        tx.execute(
            "INSERT INTO reference_rates (base, quote, rate_text, rate_on, source)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![base.code, quote.code, rate.stored(), iso(rate_on), source],
        )?;
        Ok::<_, BooksError>(())
    })?;
    Ok(shown(
        base.code.to_owned(),
        quote.code.to_owned(),
        rate,
        rate_on,
        source,
        reading,
    ))
}

fn shown(
    base: String,
    quote: String,
    rate: Rate,
    rate_on: Date,
    source: String,
    reading: &Reading,
) -> ReferenceRate {
    ReferenceRate {
        base,
        quote,
        rate: reading.region.rate(rate),
        rate_text: rate.stored(),
        rate_on: reading.date(rate_on),
        source,
        is_today: rate_on == reading.today,
    }
}

/// The latest rate typed for each pair of currencies, newest first.
pub fn latest(db: &Database, reading: &Reading) -> Result<Vec<ReferenceRate>, BooksError> {
    db.read(|conn| {
        let mut statement = conn.prepare_cached(
            "SELECT base, quote, rate_text, rate_on, source FROM reference_rates r
             WHERE id = (SELECT max(id) FROM reference_rates
                         WHERE base = r.base AND quote = r.quote)
             ORDER BY id DESC",
        )?;
        let rows = statement
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(base, quote, text, on, source)| {
                // A row this version would not write (a restored copy) is not shown as usable.
                let rate = Rate::from_stored(&text, RateDirection::OwedPerPaid)?;
                let on = from_iso(&on).ok()?;
                Some(shown(base, quote, rate, on, source, reading))
            })
            .collect())
    })
}

/// What a rate for `today` makes of `amount` of `base`: the equivalent's currency and amount,
/// the rate as stored and its source. `None` without a rate for that very day (or when the
/// result would pass what the app can show).
pub fn equivalent_in(
    conn: &Connection,
    base: &str,
    amount: i64,
    today: Date,
) -> Result<Option<(String, i64, String, String)>, BooksError> {
    let found: Option<(String, String, String)> = conn
        .prepare_cached(
            "SELECT quote, rate_text, source FROM reference_rates
             WHERE base = ?1 AND rate_on = ?2 ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![base, iso(today)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((quote, text, source)) = found else {
        return Ok(None);
    };
    let (Some(rate), Some(from), Some(to)) = (
        Rate::from_stored(&text, RateDirection::OwedPerPaid),
        currency::find(base),
        currency::find(&quote),
    ) else {
        return Ok(None);
    };
    Ok(rate
        .convert(amount, &from, &to)
        .filter(|converted| (0..=MAX_MINOR).contains(converted))
        .map(|converted| (quote, converted, text, source)))
}
