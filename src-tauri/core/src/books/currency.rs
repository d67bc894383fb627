//! The currencies Cachicamo keeps books in: ISO 4217 codes with their minor units, so money can
//! be integer minor units plus a code everywhere.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Currency {
    pub code: &'static str,
    /// Digits after the decimal separator (2 for USD, 0 for CLP and PYG).
    pub minor_units: u8,
    /// The most digits before the decimal separator an amount may have: about a billion
    /// dollars' worth, rounded up to a whole digit. No small shop's receivable comes near it,
    /// so anything larger is a typing slip (or a hostile file), refused with this currency's
    /// own largest amount rather than a single limit that means nothing in pesos.
    #[serde(skip)]
    #[ts(skip)]
    pub whole_digits: u8,
}

impl Currency {
    /// The largest amount, in minor units, one receivable or payment may have.
    pub fn max_minor(&self) -> i64 {
        10_i64.pow(u32::from(self.whole_digits + self.minor_units)) - 1
    }
}

/// The region's currencies first (Latin America and Spain), then the usual foreign ones.
pub const SUPPORTED: &[Currency] = &[
    Currency {
        code: "VES",
        minor_units: 2,
        whole_digits: 12,
    },
    Currency {
        code: "USD",
        minor_units: 2,
        whole_digits: 9,
    },
    Currency {
        code: "EUR",
        minor_units: 2,
        whole_digits: 9,
    },
    Currency {
        code: "COP",
        minor_units: 2,
        whole_digits: 13,
    },
    Currency {
        code: "MXN",
        minor_units: 2,
        whole_digits: 10,
    },
    Currency {
        code: "ARS",
        minor_units: 2,
        whole_digits: 12,
    },
    Currency {
        code: "CLP",
        minor_units: 0,
        whole_digits: 12,
    },
    Currency {
        code: "PEN",
        minor_units: 2,
        whole_digits: 10,
    },
    Currency {
        code: "BOB",
        minor_units: 2,
        whole_digits: 10,
    },
    Currency {
        code: "UYU",
        minor_units: 2,
        whole_digits: 11,
    },
    Currency {
        code: "PYG",
        minor_units: 0,
        whole_digits: 13,
    },
    Currency {
        code: "DOP",
        minor_units: 2,
        whole_digits: 11,
    },
    Currency {
        code: "CRC",
        minor_units: 2,
        whole_digits: 12,
    },
    Currency {
        code: "GTQ",
        minor_units: 2,
        whole_digits: 10,
    },
    Currency {
        code: "HNL",
        minor_units: 2,
        whole_digits: 10,
    },
    Currency {
        code: "NIO",
        minor_units: 2,
        whole_digits: 11,
    },
    Currency {
        code: "PAB",
        minor_units: 2,
        whole_digits: 9,
    },
    Currency {
        code: "BRL",
        minor_units: 2,
        whole_digits: 10,
    },
    Currency {
        code: "CAD",
        minor_units: 2,
        whole_digits: 9,
    },
    Currency {
        code: "GBP",
        minor_units: 2,
        whole_digits: 9,
    },
];

pub fn find(code: &str) -> Option<Currency> {
    SUPPORTED
        .iter()
        .copied()
        .find(|c| c.code.eq_ignore_ascii_case(code.trim()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_found_whatever_the_case_and_unknown_ones_are_not() {
        assert_eq!(super::find(" usd ").map(|c| c.minor_units), Some(2));
        assert_eq!(super::find("CLP").map(|c| c.minor_units), Some(0));
        assert!(super::find("XXX").is_none());
    }

    #[test]
    fn every_largest_amount_fits_what_the_app_can_add_up() {
        for currency in super::SUPPORTED {
            let max = currency.max_minor();
            assert!(
                max > 0 && max <= crate::books::money::MAX_MINOR,
                "{currency:?}"
            );
        }
        assert_eq!(
            super::find("USD").map(|c| c.max_minor()),
            Some(99_999_999_999)
        );
        assert_eq!(
            super::find("COP").map(|c| c.max_minor()),
            Some(crate::books::money::MAX_MINOR)
        );
    }
}
