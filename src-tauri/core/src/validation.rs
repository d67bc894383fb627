//! How a refused form field is reported: which field, and what is wrong with it. The UI words
//! each problem next to its field; every form in the app uses these.

use serde::Serialize;
use ts_rs::TS;

/// Why a field was refused; the UI words it next to the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FieldProblem {
    Required,
    InvalidEmail,
    InvalidHost,
    InvalidPort,
    InvalidStream,
    TooLong,
    UnknownCurrency,
    /// Not a number the region's way of writing amounts can read.
    InvalidAmount,
    /// More decimals than the currency has (never rounded silently).
    TooManyDecimals,
    /// Zero or negative where only a positive amount makes sense.
    NotPositive,
    /// Past the currency's largest amount (`detail` says it, "USD 999.999.999,99").
    AmountTooLarge,
    /// What is owed in the currency would pass what the app can add up (`detail` says it).
    TotalTooLarge,
    /// An exchange rate with more digits than it can have.
    TooManyDigits,
    /// Not a calendar date the region's way of writing dates can read.
    InvalidDate,
    DueBeforeIssue,
    /// A payment larger than what is still owed.
    AboveBalance,
    /// "Saldar exactamente" asked for a payment that is not within one minor unit of the
    /// balance (the amount or the rate changed since it was offered).
    NotNearBalance,
    /// A payment dated after today.
    DateInFuture,
    /// An end date before today (a pause that would already be over).
    DateInPast,
    /// Two steps of a política de cobranza on the same day.
    DuplicateStep,
    /// Two minimum balances of a política de cobranza in the same currency.
    DuplicateCurrency,
    /// A payment dated before the receivable's issue date (an advance), not yet confirmed.
    AdvanceUnconfirmed,
    /// Another receivable already has this document number.
    DuplicateDocument,
    /// Another política de cobranza already has this name (compared without case).
    DuplicatePolicyName,
    /// The customer does not exist (any more).
    UnknownCustomer,
    /// Several customers have this tax id, or (without one) this exact name.
    AmbiguousCustomer,
    UnknownMethod,
    /// A template that uses a variable its language does not have (`detail` names it).
    UnknownVariable,
    /// A template the engine cannot read, or with more than plain `{{ variable }}`s (`detail`
    /// quotes the engine or the part refused).
    TemplateSyntax,
    /// A line break where only one line is allowed (an email subject).
    MultipleLines,
    /// No encryption ("Ninguna") with a password, to a server that is not this machine: the
    /// password would cross the network in clear.
    NeedsEncryption,
    /// The same currency on both sides of a rate.
    SameCurrency,
    /// Not a phone number the shop's region can read (a Venezuelan mobile: 0414-1234567).
    InvalidPhone,
    /// Not a cédula or RIF (V-12345678, J-12345678-9).
    InvalidIdNumber,
    /// Not a bank account number (10 to 34 letters and digits).
    InvalidAccount,
    /// Not a CLABE: 18 digits whose last is the check digit of the others.
    InvalidClabe,
    /// The saved secret was typed for another destination (`detail` names it, "host:port" or
    /// the API's address): it must be typed again to be used here.
    SecretForOtherDestination,
    /// The address does not receive mail ("No entregable": it bounced, complained, or the
    /// provider refuses it); `detail` is the provider's words or the date it was learnt.
    Undeliverable,
    /// A free-mail address (gmail.com…) as the sender of Resend or Postmark: it fails DMARC
    /// alignment; that account's SMTP sends as it (`detail` is the domain).
    FreeMailSender,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    pub field: String,
    pub problem: FieldProblem,
    /// What the problem is about, when the words need it (the unknown variable's name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Collects every problem of a form, so the user sees them all at once.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, problem: FieldProblem) {
        self.0.push(FieldError {
            field: field.to_owned(),
            problem,
            detail: None,
        });
    }

    pub fn add_with(&mut self, field: &str, problem: FieldProblem, detail: String) {
        self.0.push(FieldError {
            field: field.to_owned(),
            problem,
            detail: Some(detail),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many problems so far (a part of a form checks whether it added any).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    /// Optional free text: trimmed, `None` when empty, refused past `max` characters.
    pub fn optional_text(&mut self, field: &str, raw: &str, max: usize) -> Option<String> {
        let trimmed = raw.trim();
        if trimmed.chars().count() > max {
            self.add(field, FieldProblem::TooLong);
            return None;
        }
        (!trimmed.is_empty()).then(|| trimmed.to_owned())
    }

    /// Required free text: trimmed, refused when empty or past `max` characters.
    pub fn required_text(&mut self, field: &str, raw: &str, max: usize) -> Option<String> {
        let value = self.optional_text(field, raw, max);
        if value.is_none() && raw.trim().is_empty() {
            self.add(field, FieldProblem::Required);
        }
        value
    }
}
