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
}

/// The region's currencies first (Latin America and Spain), then the usual foreign ones.
pub const SUPPORTED: &[Currency] = &[
    Currency {
        code: "VES",
        minor_units: 2,
    },
    Currency {
        code: "USD",
        minor_units: 2,
    },
    Currency {
        code: "EUR",
        minor_units: 2,
    },
    Currency {
        code: "COP",
        minor_units: 2,
    },
    Currency {
        code: "MXN",
        minor_units: 2,
    },
    Currency {
        code: "ARS",
        minor_units: 2,
    },
    Currency {
        code: "CLP",
        minor_units: 0,
    },
    Currency {
        code: "PEN",
        minor_units: 2,
    },
    Currency {
        code: "BOB",
        minor_units: 2,
    },
    Currency {
        code: "UYU",
        minor_units: 2,
    },
    Currency {
        code: "PYG",
        minor_units: 0,
    },
    Currency {
        code: "DOP",
        minor_units: 2,
    },
    Currency {
        code: "CRC",
        minor_units: 2,
    },
    Currency {
        code: "GTQ",
        minor_units: 2,
    },
    Currency {
        code: "HNL",
        minor_units: 2,
    },
    Currency {
        code: "NIO",
        minor_units: 2,
    },
    Currency {
        code: "PAB",
        minor_units: 2,
    },
    Currency {
        code: "BRL",
        minor_units: 2,
    },
    Currency {
        code: "CAD",
        minor_units: 2,
    },
    Currency {
        code: "GBP",
        minor_units: 2,
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
}
