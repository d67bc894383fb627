//! Money on its way to the screen: integer minor units and an ISO 4217 code in, the region's
//! writing out, both kept so the UI never re-parses text. Never a float.

use serde::Serialize;
use ts_rs::TS;

use super::currency;

/// The largest amount the app handles, in minor units, totals included: below 2^53, so it
/// crosses into JavaScript exactly. Each currency's own largest amount is at or below it.
pub const MAX_MINOR: i64 = 999_999_999_999_999;

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

/// A stored code's minor units. Codes are checked on the way in, so an unknown one is a code
/// this version no longer lists: shown with two decimals rather than hidden.
pub(crate) fn minor_units_of(code: &str) -> u8 {
    currency::find(code).map_or(2, |currency| currency.minor_units)
}
