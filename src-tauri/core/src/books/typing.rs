//! Amounts and exchange rates as the user types them: numbers read the region's way
//! (`locale::region`), given their meaning by the currency — its decimals, its largest amount —
//! or by the rate's direction. Refused with the region's own example, never rounded or guessed.

use super::currency::Currency;
use super::rate::{Rate, RateDirection};
use crate::locale::Region;
use crate::validation::{FieldErrors, FieldProblem};

impl Region {
    /// Reads a typed amount into minor units of `currency`, up to the currency's largest amount.
    pub fn parse_amount(self, text: &str, currency: &Currency) -> Result<i64, FieldProblem> {
        let decimal = self.parse_decimal(text, currency.minor_units)?;
        if decimal.negative || decimal.value == 0 {
            return Err(FieldProblem::NotPositive);
        }
        i64::try_from(decimal.value)
            .ok()
            .filter(|minor| *minor <= currency.max_minor())
            .ok_or(FieldProblem::AmountTooLarge)
    }

    /// Records an amount field's problem; one too large says the currency's largest amount.
    pub fn refuse_amount(
        self,
        errors: &mut FieldErrors,
        field: &str,
        problem: FieldProblem,
        currency: &Currency,
    ) {
        match problem {
            FieldProblem::AmountTooLarge => {
                errors.add_with(field, problem, self.largest_amount(currency));
            }
            _ => errors.add(field, problem),
        }
    }

    /// "USD 999.999.999,99": what an amount too large is told it may be at most.
    pub fn largest_amount(self, currency: &Currency) -> String {
        format!(
            "{} {}",
            currency.code,
            self.amount(currency.max_minor(), currency.minor_units)
        )
    }

    /// Reads an exchange rate as typed ("36,50": 3650 with two decimals), with up to
    /// `Rate::MAX_DIGITS` digits; `direction` says which way round it was typed.
    pub fn parse_rate(self, text: &str, direction: RateDirection) -> Result<Rate, FieldProblem> {
        let decimal =
            self.parse_decimal(text, Rate::MAX_DIGITS)
                .map_err(|problem| match problem {
                    FieldProblem::TooManyDecimals | FieldProblem::AmountTooLarge => {
                        FieldProblem::TooManyDigits
                    }
                    other => other,
                })?;
        if decimal.negative || decimal.value == 0 {
            return Err(FieldProblem::NotPositive);
        }
        // `value` is padded to MAX_DIGITS decimals; the typed digits are what is left without
        // that padding.
        let padding = 10_u128.pow(u32::from(Rate::MAX_DIGITS - decimal.decimals));
        u64::try_from(decimal.value / padding)
            .ok()
            .and_then(|digits| Rate::new(digits, decimal.decimals, direction))
            .ok_or(FieldProblem::TooManyDigits)
    }

    /// A rate the way it was typed, written the region's way ("36,50").
    pub fn rate(self, rate: Rate) -> String {
        // At most 15 digits: always an i64.
        let digits = i64::try_from(rate.digits()).unwrap_or(i64::MAX);
        self.amount(digits, rate.decimals())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::books::currency;

    fn usd() -> Currency {
        currency::find("USD").expect("usd")
    }

    #[test]
    fn typed_amounts_follow_the_region_and_ambiguity_is_refused() {
        let usd = usd();
        let clp = currency::find("CLP").expect("clp");
        let ok = |region: Region, text: &str| region.parse_amount(text, &usd);
        assert_eq!(ok(Region::EsVe, "1.500,50"), Ok(150_050));
        assert_eq!(ok(Region::EsVe, "1500,5"), Ok(150_050));
        assert_eq!(ok(Region::EsVe, " 1.500 "), Ok(150_000));
        assert_eq!(ok(Region::EsVe, ",75"), Ok(75));
        assert_eq!(ok(Region::EsMx, "1,500.50"), Ok(150_050));
        assert_eq!(ok(Region::EnUs, "1500"), Ok(150_000));
        // The dot groups thousands in Venezuela: "1.50" is neither 1,50 nor 150.
        assert_eq!(ok(Region::EsVe, "1.50"), Err(FieldProblem::InvalidAmount));
        assert_eq!(ok(Region::EsMx, "1,50"), Err(FieldProblem::InvalidAmount));
        assert_eq!(
            ok(Region::EsVe, "1,505"),
            Err(FieldProblem::TooManyDecimals)
        );
        assert_eq!(
            Region::EsCl.parse_amount("1.500,5", &clp),
            Err(FieldProblem::TooManyDecimals)
        );
        assert_eq!(ok(Region::EsVe, "0"), Err(FieldProblem::NotPositive));
        assert_eq!(ok(Region::EsVe, "-10"), Err(FieldProblem::NotPositive));
        assert_eq!(ok(Region::EsVe, ""), Err(FieldProblem::Required));
        assert_eq!(ok(Region::EsVe, "12 USD"), Err(FieldProblem::InvalidAmount));
        assert_eq!(ok(Region::EsVe, "1,2,3"), Err(FieldProblem::InvalidAmount));
        assert_eq!(
            ok(Region::EsVe, "99999999999999999"),
            Err(FieldProblem::AmountTooLarge)
        );
        assert_eq!(
            ok(Region::EsVe, &"9".repeat(5000)),
            Err(FieldProblem::AmountTooLarge)
        );
    }

    #[test]
    fn every_region_reads_back_what_it_shows() {
        for &region in Region::ALL {
            for minor in [1, 99, 100, 150_050, 123_456_789, usd().max_minor()] {
                let shown = region.amount(minor, 2);
                assert_eq!(region.parse_amount(&shown, &usd()), Ok(minor), "{shown}");
            }
        }
    }

    #[test]
    fn a_rate_is_read_with_the_decimals_typed_and_shown_back_the_same() {
        let read = |text: &str| Region::EsVe.parse_rate(text, RateDirection::OwedPerPaid);
        let rate = read("36,50").expect("rate");
        assert_eq!((rate.digits(), rate.decimals()), (3650, 2));
        assert_eq!(Region::EsVe.rate(rate), "36,50");
        assert_eq!(Region::EnUs.rate(rate), "36.50");
        let tiny = read("0,027397260273973").expect("fifteen decimals");
        assert_eq!(Region::EsVe.rate(tiny), "0,027397260273973");
        assert_eq!(
            Region::EsVe.rate(read("1.234,5").expect("grouped")),
            "1.234,5"
        );
        assert_eq!(read("0,0273972602739726"), Err(FieldProblem::TooManyDigits));
        assert_eq!(read("1234567890123456"), Err(FieldProblem::TooManyDigits));
        assert_eq!(read("0"), Err(FieldProblem::NotPositive));
        assert_eq!(read("36.50"), Err(FieldProblem::InvalidAmount));
        assert_eq!(read(""), Err(FieldProblem::Required));
    }

    #[test]
    fn each_currency_refuses_amounts_past_its_own_largest() {
        let clp = currency::find("CLP").expect("clp");
        assert_eq!(
            Region::EsVe.parse_amount("999.999.999,99", &usd()),
            Ok(99_999_999_999)
        );
        assert_eq!(
            Region::EsVe.parse_amount("1.000.000.000", &usd()),
            Err(FieldProblem::AmountTooLarge)
        );
        assert_eq!(
            Region::EsCl.parse_amount("1.000.000.000", &clp),
            Ok(1_000_000_000)
        );
        assert_eq!(Region::EsVe.largest_amount(&usd()), "USD 999.999.999,99");
    }
}
