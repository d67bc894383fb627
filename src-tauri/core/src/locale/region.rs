//! How each region writes numbers and dates, both ways: shown to the user and typed by them.
//!
//! "1.500,50" is fifteen hundred in Caracas and one and a half in Monterrey, so typed input is
//! read strictly by the region's rules. Anything those rules make ambiguous ("1.50" where the dot
//! groups thousands, "03/04/26" with a two-digit year) is refused with a hint, never guessed.
//! What a currency adds to reading an amount (its decimals, its largest amount) and exchange
//! rates are the books' (`books::typing`): this module knows numbers, not money.

use serde::{Deserialize, Serialize};
use time::{Date, Month};
use ts_rs::TS;

use super::Language;
use crate::validation::FieldProblem;
use crate::wire;

/// Stored in the settings by its wire name, a BCP 47 tag (`crate::wire`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
pub enum Region {
    #[serde(rename = "es-VE")]
    EsVe,
    #[serde(rename = "es-CO")]
    EsCo,
    #[serde(rename = "es-MX")]
    EsMx,
    #[serde(rename = "es-AR")]
    EsAr,
    #[serde(rename = "es-CL")]
    EsCl,
    #[serde(rename = "es-PE")]
    EsPe,
    #[serde(rename = "es-ES")]
    EsEs,
    #[serde(rename = "en-US")]
    EnUs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateOrder {
    DayMonthYear,
    MonthDayYear,
}

/// What the UI needs to word hints in the region's own style.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RegionFormat {
    pub region: Region,
    pub decimal_separator: String,
    /// "1.500,50" or "1,500.50".
    pub amount_example: String,
    /// "31/12/2026" or "12/31/2026".
    pub date_example: String,
}

impl Region {
    /// Every region, in the order Ajustes offers them.
    pub const ALL: &'static [Region] = <Region as strum::VariantArray>::VARIANTS;

    /// The language its people write in: a reminder in Spanish follows a Spanish-speaking
    /// region's writing.
    pub fn language(self) -> Language {
        match self {
            Region::EsVe
            | Region::EsCo
            | Region::EsMx
            | Region::EsAr
            | Region::EsCl
            | Region::EsPe
            | Region::EsEs => Language::Es,
            Region::EnUs => Language::En,
        }
    }

    /// The region an OS locale names ("es_VE.UTF-8", "es-MX"); else the usual one for the
    /// language (Venezuela for Spanish, where most of our users are; the US for English).
    pub fn for_locale(os_locale: Option<&str>, language: Language) -> Region {
        let exact = os_locale.and_then(|tag| {
            let tag = tag.split(['.', '@']).next().unwrap_or_default();
            Region::ALL
                .iter()
                .copied()
                .find(|region| wire::code(&region).eq_ignore_ascii_case(&tag.replace('_', "-")))
        });
        exact.unwrap_or(match language {
            Language::Es => Region::EsVe,
            Language::En => Region::EnUs,
        })
    }

    fn decimal(self) -> char {
        match self {
            Region::EsMx | Region::EsPe | Region::EnUs => '.',
            _ => ',',
        }
    }

    fn group(self) -> char {
        match self.decimal() {
            ',' => '.',
            _ => ',',
        }
    }

    fn date_order(self) -> DateOrder {
        match self {
            Region::EnUs => DateOrder::MonthDayYear,
            _ => DateOrder::DayMonthYear,
        }
    }

    pub fn format(self) -> RegionFormat {
        let example = Date::from_calendar_date(2026, Month::December, 31).expect("valid date");
        RegionFormat {
            region: self,
            decimal_separator: self.decimal().to_string(),
            amount_example: self.amount(150_050, 2),
            date_example: self.date(example),
        }
    }

    /// An amount of minor units written the region's way, without the currency.
    pub fn amount(self, minor: i64, minor_units: u8) -> String {
        let scale = 10_i64.pow(u32::from(minor_units));
        let units = (minor / scale).unsigned_abs().to_string();
        let mut grouped = String::with_capacity(units.len() + units.len() / 3 + 4);
        for (i, digit) in units.chars().enumerate() {
            if i > 0 && (units.len() - i).is_multiple_of(3) {
                grouped.push(self.group());
            }
            grouped.push(digit);
        }
        let sign = if minor < 0 { "-" } else { "" };
        if minor_units == 0 {
            return format!("{sign}{grouped}");
        }
        let fraction = (minor % scale).unsigned_abs();
        format!(
            "{sign}{grouped}{}{fraction:0width$}",
            self.decimal(),
            width = usize::from(minor_units)
        )
    }

    /// An amount for files other programs read (CSV for Excel): the region's decimal separator,
    /// no thousands separator.
    pub fn amount_for_files(self, minor: i64, minor_units: u8) -> String {
        self.amount(minor, minor_units).replace(self.group(), "")
    }

    /// The field separator Excel expects in this region: ";" where the comma is decimal.
    pub fn csv_delimiter(self) -> u8 {
        match self.decimal() {
            ',' => b';',
            _ => b',',
        }
    }

    pub fn date(self, date: Date) -> String {
        let (d, m, y) = (date.day(), u8::from(date.month()), date.year());
        match self.date_order() {
            DateOrder::DayMonthYear => format!("{d:02}/{m:02}/{y:04}"),
            DateOrder::MonthDayYear => format!("{m:02}/{d:02}/{y:04}"),
        }
    }

    /// Digits, the region's separators and nothing else; thousands grouped by threes; no more
    /// decimals than `max_decimals`.
    pub(crate) fn parse_decimal(
        self,
        text: &str,
        max_decimals: u8,
    ) -> Result<Decimal, FieldProblem> {
        let text = text.trim();
        if text.is_empty() {
            return Err(FieldProblem::Required);
        }
        let (negative, text) = match text.strip_prefix('-') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, text),
        };
        let mut parts = text.split(self.decimal());
        let whole = parts.next().unwrap_or_default();
        let fraction = parts.next();
        if parts.next().is_some() {
            return Err(FieldProblem::InvalidAmount);
        }
        let whole_digits = self.ungroup(whole)?;
        let fraction = fraction.unwrap_or_default();
        if !fraction.chars().all(|c| c.is_ascii_digit())
            || (whole_digits.is_empty() && fraction.is_empty())
        {
            return Err(FieldProblem::InvalidAmount);
        }
        if fraction.len() > usize::from(max_decimals) {
            return Err(FieldProblem::TooManyDecimals);
        }
        let decimals = u8::try_from(fraction.len()).map_err(|_| FieldProblem::TooManyDecimals)?;
        let digits = format!(
            "{whole_digits}{fraction:0<width$}",
            width = usize::from(max_decimals)
        );
        let digits = digits.trim_start_matches('0');
        if digits.len() > 30 {
            return Err(FieldProblem::AmountTooLarge);
        }
        let value = if digits.is_empty() {
            0
        } else {
            digits
                .parse::<u128>()
                .map_err(|_| FieldProblem::InvalidAmount)?
        };
        Ok(Decimal {
            negative,
            value,
            decimals,
        })
    }

    /// "1.500.000" → "1500000" when every group after the first has three digits.
    fn ungroup(self, whole: &str) -> Result<String, FieldProblem> {
        let groups: Vec<&str> = whole.split(self.group()).collect();
        let well_formed = groups
            .iter()
            .all(|group| group.chars().all(|c| c.is_ascii_digit()))
            && (groups.len() == 1
                || ((1..=3).contains(&groups[0].len())
                    && groups[1..].iter().all(|group| group.len() == 3)));
        if well_formed {
            Ok(groups.concat())
        } else {
            Err(FieldProblem::InvalidAmount)
        }
    }

    /// Reads a typed calendar date: the region's day/month order with a four-digit year, or ISO
    /// 8601 (year first, unambiguous everywhere).
    pub fn parse_date(self, text: &str) -> Result<Date, FieldProblem> {
        let text = text.trim();
        if text.is_empty() {
            return Err(FieldProblem::Required);
        }
        let parts: Vec<&str> = text.split(['/', '-', '.']).collect();
        let numbers: Vec<u32> = parts
            .iter()
            .map(|part| {
                (!part.is_empty() && part.len() <= 4 && part.chars().all(|c| c.is_ascii_digit()))
                    .then(|| part.parse().ok())
                    .flatten()
            })
            .collect::<Option<_>>()
            .ok_or(FieldProblem::InvalidDate)?;
        let [a, b, c] = numbers[..] else {
            return Err(FieldProblem::InvalidDate);
        };
        let (year, month, day) = if parts[0].len() == 4 {
            (a, b, c)
        } else if parts[2].len() == 4 && parts[0].len() <= 2 && parts[1].len() <= 2 {
            match self.date_order() {
                DateOrder::DayMonthYear => (c, b, a),
                DateOrder::MonthDayYear => (c, a, b),
            }
        } else {
            // A two-digit year could be 1926 or 2026: refused rather than guessed.
            return Err(FieldProblem::InvalidDate);
        };
        let month = u8::try_from(month)
            .ok()
            .and_then(|m| Month::try_from(m).ok())
            .ok_or(FieldProblem::InvalidDate)?;
        let year = i32::try_from(year).map_err(|_| FieldProblem::InvalidDate)?;
        if !(1900..=2999).contains(&year) {
            return Err(FieldProblem::InvalidDate);
        }
        let day = u8::try_from(day).map_err(|_| FieldProblem::InvalidDate)?;
        Date::from_calendar_date(year, month, day).map_err(|_| FieldProblem::InvalidDate)
    }
}

/// A number as typed, before a currency or a rate gives it a meaning.
pub(crate) struct Decimal {
    pub negative: bool,
    /// Scaled to the `max_decimals` asked for.
    pub value: u128,
    /// How many decimals were typed.
    pub decimals: u8,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_pinned() {
        wire::assert_pinned(|region| match region {
            Region::EsVe => "es-VE",
            Region::EsCo => "es-CO",
            Region::EsMx => "es-MX",
            Region::EsAr => "es-AR",
            Region::EsCl => "es-CL",
            Region::EsPe => "es-PE",
            Region::EsEs => "es-ES",
            Region::EnUs => "en-US",
        });
    }

    #[test]
    fn the_region_comes_from_the_os_locale_else_from_the_language() {
        assert_eq!(
            Region::for_locale(Some("es_MX.UTF-8"), Language::Es),
            Region::EsMx
        );
        assert_eq!(
            Region::for_locale(Some("es-ar"), Language::Es),
            Region::EsAr
        );
        assert_eq!(
            Region::for_locale(Some("es_UY.UTF-8"), Language::Es),
            Region::EsVe
        );
        assert_eq!(Region::for_locale(None, Language::En), Region::EnUs);
    }

    #[test]
    fn amounts_are_shown_the_regions_way() {
        assert_eq!(Region::EsVe.amount(150_050, 2), "1.500,50");
        assert_eq!(Region::EsMx.amount(150_050, 2), "1,500.50");
        assert_eq!(Region::EnUs.amount(12_345_678_905, 2), "123,456,789.05");
        assert_eq!(Region::EsCl.amount(1_500_000, 0), "1.500.000");
        assert_eq!(Region::EsVe.amount(-5, 2), "-0,05");
    }

    #[test]
    fn dates_follow_the_region_and_two_digit_years_are_refused() {
        let date = |y, m, d| Date::from_calendar_date(y, Month::try_from(m).expect("m"), d);
        assert_eq!(
            Region::EsVe.parse_date("05/03/2026").ok(),
            date(2026, 3, 5).ok()
        );
        assert_eq!(
            Region::EnUs.parse_date("03/05/2026").ok(),
            date(2026, 3, 5).ok()
        );
        assert_eq!(
            Region::EsVe.parse_date("5-3-2026").ok(),
            date(2026, 3, 5).ok()
        );
        assert_eq!(
            Region::EnUs.parse_date("2026-03-05").ok(),
            date(2026, 3, 5).ok()
        );
        assert_eq!(
            Region::EsVe.parse_date("05/03/26"),
            Err(FieldProblem::InvalidDate)
        );
        assert_eq!(
            Region::EsVe.parse_date("31/02/2026"),
            Err(FieldProblem::InvalidDate)
        );
        assert_eq!(
            Region::EsVe.parse_date("mañana"),
            Err(FieldProblem::InvalidDate)
        );
        assert_eq!(Region::EsVe.parse_date(" "), Err(FieldProblem::Required));
        let shown = Region::EsVe.date(date(2026, 3, 5).expect("date"));
        assert_eq!(shown, "05/03/2026");
        assert_eq!(
            Region::EnUs.date(date(2026, 3, 5).expect("date")),
            "03/05/2026"
        );
    }
}
