//! Exchange rates exactly as the user typed them, in the direction they typed them, and the one
//! conversion from a payment's currency into its receivable's.
//!
//! A shop quotes "1 USD = 36,50 Bs" whichever currency the debt is in, so a rate is read either
//! way round: for a bolívar debt paid in dollars that is bolívares per dollar, for a dollar
//! debt paid in bolívares it is the other way. The rate is kept as its typed digits and the
//! count of typed decimals — never scaled to a fixed number of decimals, which could not hold
//! "0,027397260273973" — and the conversion is integer arithmetic on those digits, rounded once,
//! half up, to the receivable currency's minor unit.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::currency::Currency;

/// Which way round the rate was typed.
/// Stored with each payment by its wire name (`crate::wire`).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
pub enum RateDirection {
    /// "1 <receivable's currency> = rate <payment's currency>": a dollar debt paid in bolívares
    /// at "1 USD = 36,50 Bs". How rates were always read before either way could be typed.
    #[default]
    PaidPerOwed,
    /// "1 <payment's currency> = rate <receivable's currency>": a bolívar debt paid in dollars
    /// at "1 USD = 36,50 Bs".
    OwedPerPaid,
}

/// A rate as typed: "36,50" is the digits 3650 with 2 decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    digits: u64,
    decimals: u8,
    pub direction: RateDirection,
}

impl Rate {
    /// Significant digits a rate may have: more than any published rate, and small enough that
    /// the conversion of the largest amount stays far inside 128-bit integers.
    pub const MAX_DIGITS: u8 = 15;

    /// `None` for zero or for more than [`Rate::MAX_DIGITS`] digits.
    pub fn new(digits: u64, decimals: u8, direction: RateDirection) -> Option<Rate> {
        let fits = digits > 0
            && digits < 10_u64.pow(u32::from(Self::MAX_DIGITS))
            && decimals <= Self::MAX_DIGITS;
        fits.then_some(Rate {
            digits,
            decimals,
            direction,
        })
    }

    pub fn digits(self) -> u64 {
        self.digits
    }

    pub fn decimals(self) -> u8 {
        self.decimals
    }

    /// As stored: the digits with a "." before the typed decimals ("36.50").
    pub fn stored(self) -> String {
        let text = format!(
            "{:0>width$}",
            self.digits,
            width = self.decimals as usize + 1
        );
        let (whole, fraction) = text.split_at(text.len() - self.decimals as usize);
        if fraction.is_empty() {
            whole.to_owned()
        } else {
            format!("{whole}.{fraction}")
        }
    }

    /// Reads [`Rate::stored`] back; `None` for anything it never writes.
    pub fn from_stored(text: &str, direction: RateDirection) -> Option<Rate> {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || text.ends_with('.') || !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        let decimals = u8::try_from(fraction.len()).ok()?;
        let digits = format!("{whole}{fraction}").parse().ok()?;
        Rate::new(digits, decimals, direction)
    }

    /// Converts `paid` minor units of `paid_in` into minor units of `owed_in`, rounding half up
    /// once. `None` only when the result does not fit an amount at all; the caller refuses
    /// results above the currency's largest amount.
    pub fn convert(self, paid: i64, paid_in: &Currency, owed_in: &Currency) -> Option<i64> {
        let pow = |exp: u8| 10_i128.checked_pow(u32::from(exp));
        let rate = i128::from(self.digits);
        let scale = pow(self.decimals)?;
        let (numerator, denominator) = match self.direction {
            // paid ÷ (digits / 10^decimals), from paid's minor units into owed's.
            RateDirection::PaidPerOwed => (
                i128::from(paid)
                    .checked_mul(scale)?
                    .checked_mul(pow(owed_in.minor_units)?)?,
                rate.checked_mul(pow(paid_in.minor_units)?)?,
            ),
            // paid × (digits / 10^decimals).
            RateDirection::OwedPerPaid => (
                i128::from(paid)
                    .checked_mul(rate)?
                    .checked_mul(pow(owed_in.minor_units)?)?,
                scale.checked_mul(pow(paid_in.minor_units)?)?,
            ),
        };
        if numerator < 0 || denominator <= 0 {
            return None;
        }
        let (quotient, remainder) = (numerator / denominator, numerator % denominator);
        let rounded = if remainder >= denominator - remainder {
            quotient + 1
        } else {
            quotient
        };
        i64::try_from(rounded).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::books::currency;

    fn code(code: &str) -> Currency {
        currency::find(code).expect("supported")
    }

    fn rate(digits: u64, decimals: u8, direction: RateDirection) -> Rate {
        Rate::new(digits, decimals, direction).expect("rate")
    }

    #[test]
    fn a_direction_is_stored_by_its_pinned_wire_name() {
        crate::wire::assert_pinned(|direction| match direction {
            RateDirection::PaidPerOwed => "paid_per_owed",
            RateDirection::OwedPerPaid => "owed_per_paid",
        });
    }

    #[test]
    fn a_rate_is_stored_exactly_as_typed() {
        let typed = rate(3650, 2, RateDirection::OwedPerPaid);
        assert_eq!(typed.stored(), "36.50");
        assert_eq!(
            Rate::from_stored("36.50", RateDirection::OwedPerPaid),
            Some(typed)
        );
        let tiny = rate(27_397_260_273_973, 15, RateDirection::PaidPerOwed);
        assert_eq!(tiny.stored(), "0.027397260273973");
        assert_eq!(
            Rate::from_stored(&tiny.stored(), RateDirection::PaidPerOwed),
            Some(tiny)
        );
        assert_eq!(rate(36, 0, RateDirection::PaidPerOwed).stored(), "36");
        for never_written in ["", ".5", "3,5", "-1", "0", "1e3", "36."] {
            assert_eq!(
                Rate::from_stored(never_written, RateDirection::PaidPerOwed),
                None,
                "{never_written:?}"
            );
        }
        assert_eq!(
            Rate::new(10_u64.pow(15), 0, RateDirection::PaidPerOwed),
            None
        );
    }

    #[test]
    fn the_conversion_is_exact_either_way_and_rounds_half_up_once() {
        let (usd, ves) = (code("USD"), code("VES"));
        // A bolívar debt paid in dollars at "1 USD = 36,50 Bs": USD 100 is Bs 3.650,00.
        let bs_per_dollar = rate(3650, 2, RateDirection::OwedPerPaid);
        assert_eq!(bs_per_dollar.convert(10_000, &usd, &ves), Some(365_000));
        // A dollar debt paid in bolívares at the same quote: Bs 3.650,00 is USD 100.
        let same_quote = rate(3650, 2, RateDirection::PaidPerOwed);
        assert_eq!(same_quote.convert(365_000, &ves, &usd), Some(10_000));
        // Bs 100,00 at 36,50 per dollar is USD 2,7397… → 2,74.
        assert_eq!(same_quote.convert(10_000, &ves, &usd), Some(274));
        // Exactly half a cent rounds up: Bs 1,00 at 8 per dollar is USD 0,125 → 0,13.
        let eight = rate(8, 0, RateDirection::PaidPerOwed);
        assert_eq!(eight.convert(100, &ves, &usd), Some(13));
        // Just under half rounds down: Bs 1,00 at 8,0001 per dollar is USD 0,12499…
        let just_over_eight = rate(80_001, 4, RateDirection::PaidPerOwed);
        assert_eq!(just_over_eight.convert(100, &ves, &usd), Some(12));
        // Into a currency without decimals: USD 1,00 at "1 USD = 950,5 CLP" is CLP 950,5 → 951.
        let clp = code("CLP");
        let pesos = rate(9505, 1, RateDirection::OwedPerPaid);
        assert_eq!(pesos.convert(100, &usd, &clp), Some(951));
        // The largest amount at the largest rate still converts without overflowing.
        let huge = rate(999_999_999_999_999, 0, RateDirection::OwedPerPaid);
        assert_eq!(
            huge.convert(code("COP").max_minor(), &code("COP"), &ves),
            None
        );
    }
}
