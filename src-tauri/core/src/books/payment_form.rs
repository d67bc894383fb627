//! The payment form (Registrar abono) and what a typed payment means for its receivable: the
//! amount handed over, in the payment's currency, converted at the rate typed (either way
//! round) into what it settles, rounded once; checked against the balance, today and the
//! receivable's issue date. `payments` writes what this accepts.

use serde::{Deserialize, Serialize};
use time::Date;
use ts_rs::TS;

use super::currency::{self, Currency};
use super::money::Money;
use super::payments::PaymentMethod;
use super::rate::{Rate, RateDirection};
use super::reading::Reading;
use super::BooksError;
use crate::validation::{FieldErrors, FieldProblem};

const MAX_REFERENCE: usize = 100;
pub(super) const MAX_NOTE: usize = 2000;

/// The payment form as typed.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct PaymentForm {
    pub paid_on: String,
    pub amount: String,
    /// Empty: the receivable's currency.
    pub currency: String,
    /// The rate as typed, only when the currencies differ; `rate_direction` says which way.
    pub rate: String,
    pub rate_direction: RateDirection,
    /// "Saldar exactamente": the converted amount is within one minor unit of the balance and
    /// the user settles the balance with it.
    pub settle_exactly: bool,
    /// The user confirmed a payment dated before the receivable's issue date (an advance).
    pub confirm_advance: bool,
    pub method: Option<PaymentMethod>,
    pub reference: String,
    pub note: String,
}

/// What the form would do, shown while the user types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PaymentPreview {
    /// What it settles, in the receivable's currency.
    pub applied: Money,
    /// The converted amount is within one minor unit of the balance without being it: the form
    /// offers "Saldar exactamente".
    pub can_settle_exactly: bool,
    /// Dated before the receivable's issue date: the form asks to confirm the advance.
    pub advance: bool,
}

/// The receivable a payment is checked against.
pub(super) struct Owed {
    pub(super) currency: Currency,
    pub(super) balance: i64,
    pub(super) issued: Date,
}

pub(super) struct ValidPayment {
    pub(super) paid_on: Date,
    pub(super) currency: Currency,
    pub(super) amount: i64,
    pub(super) rate: Option<Rate>,
    pub(super) applied: i64,
    pub(super) method: PaymentMethod,
    pub(super) reference: Option<String>,
    pub(super) note: Option<String>,
}

/// The money part of the form, read: what was handed over and what it settles.
struct Conversion {
    currency: Currency,
    amount: i64,
    rate: Option<Rate>,
    applied: i64,
    near_balance: bool,
}

impl PaymentForm {
    /// What the form would settle, and whether to offer settling exactly or ask about an
    /// advance. Only the money and the date are read: the rest is checked on saving.
    pub(super) fn preview(
        &self,
        reading: &Reading,
        owed: &Owed,
    ) -> Result<PaymentPreview, BooksError> {
        let mut errors = FieldErrors::default();
        let conversion = self.convert(reading, owed, &mut errors);
        let paid_on = reading.region.parse_date(&self.paid_on).ok();
        match conversion {
            Some(conversion) if errors.is_empty() => Ok(PaymentPreview {
                applied: reading.money(conversion.applied, owed.currency.code),
                can_settle_exactly: conversion.near_balance && conversion.applied != owed.balance,
                advance: paid_on.is_some_and(|date| date < owed.issued),
            }),
            _ => Err(BooksError::Invalid(errors.into_vec())),
        }
    }

    /// Checks the whole form against the receivable it pays.
    pub(super) fn validate(
        &self,
        reading: &Reading,
        owed: &Owed,
    ) -> Result<ValidPayment, BooksError> {
        let mut errors = FieldErrors::default();
        let paid_on = reading
            .region
            .parse_date(&self.paid_on)
            .map_err(|problem| errors.add("paidOn", problem))
            .ok();
        if let Some(date) = paid_on {
            if date > reading.today {
                errors.add("paidOn", FieldProblem::DateInFuture);
            } else if date < owed.issued && !self.confirm_advance {
                errors.add("paidOn", FieldProblem::AdvanceUnconfirmed);
            }
        }
        let conversion = self.convert(reading, owed, &mut errors);
        if conversion
            .as_ref()
            .is_some_and(|conversion| conversion.applied > owed.balance)
        {
            errors.add("amount", FieldProblem::AboveBalance);
        }
        if self.method.is_none() {
            errors.add("method", FieldProblem::Required);
        }
        let reference = errors.optional_text("reference", &self.reference, MAX_REFERENCE);
        let note = errors.optional_text("note", &self.note, MAX_NOTE);
        match (paid_on, conversion, self.method) {
            (Some(paid_on), Some(conversion), Some(method)) if errors.is_empty() => {
                Ok(ValidPayment {
                    paid_on,
                    currency: conversion.currency,
                    amount: conversion.amount,
                    rate: conversion.rate,
                    applied: conversion.applied,
                    method,
                    reference,
                    note,
                })
            }
            _ => Err(BooksError::Invalid(errors.into_vec())),
        }
    }

    /// Reads the currency, amount and rate, converts, and settles exactly when asked to (and
    /// allowed: within one minor unit of the balance, in another currency).
    fn convert(
        &self,
        reading: &Reading,
        owed: &Owed,
        errors: &mut FieldErrors,
    ) -> Option<Conversion> {
        let region = reading.region;
        let currency = match self.currency.trim() {
            "" => owed.currency,
            code => match currency::find(code) {
                Some(found) => found,
                None => {
                    errors.add("currency", FieldProblem::UnknownCurrency);
                    return None;
                }
            },
        };
        let amount = region
            .parse_amount(&self.amount, &currency)
            .map_err(|problem| region.refuse_amount(errors, "amount", problem, &currency))
            .ok();
        if currency.code == owed.currency.code {
            if self.settle_exactly {
                // Nothing to round: the amount typed is what it settles.
                errors.add("amount", FieldProblem::NotNearBalance);
            }
            return amount.map(|amount| Conversion {
                currency,
                amount,
                rate: None,
                applied: amount,
                near_balance: false,
            });
        }
        let rate = region
            .parse_rate(&self.rate, self.rate_direction)
            .map_err(|problem| errors.add("rate", problem))
            .ok()?;
        let amount = amount?;
        let converted = rate
            .convert(amount, &currency, &owed.currency)
            .filter(|converted| *converted <= owed.currency.max_minor());
        let Some(converted) = converted else {
            region.refuse_amount(errors, "rate", FieldProblem::AmountTooLarge, &owed.currency);
            return None;
        };
        if converted == 0 {
            // Less than half a minor unit of the receivable's currency settles nothing.
            errors.add("amount", FieldProblem::NotPositive);
            return None;
        }
        let near_balance = converted.abs_diff(owed.balance) <= 1;
        let applied = match (self.settle_exactly, near_balance) {
            (false, _) => converted,
            (true, true) => owed.balance,
            (true, false) => {
                errors.add("amount", FieldProblem::NotNearBalance);
                return None;
            }
        };
        Some(Conversion {
            currency,
            amount,
            rate: Some(rate),
            applied,
            near_balance,
        })
    }
}
