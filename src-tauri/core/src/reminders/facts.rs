//! What a reminder is about: one receivable, its customer and the business asking to be paid,
//! before any of it is written in a language. Rendering decides how amounts and dates read.

use time::{Date, Duration};

use super::ReminderError;
use crate::books::dates::from_iso;
use crate::books::receivables::Receivable;
use crate::business::Business;
use crate::locale::Language;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderFacts {
    pub customer: String,
    pub business_name: String,
    /// Tax id, phone and address, for the HTML footer (the empty ones left out).
    pub business_contact: Vec<String>,
    pub document_number: Option<String>,
    pub concept: String,
    /// ISO 4217 code of both amounts.
    pub currency: String,
    pub amount_minor: i64,
    pub balance_minor: i64,
    pub issue_date: Date,
    pub due_date: Date,
    /// 0 when not overdue.
    pub days_overdue: u32,
    pub payment_instructions: String,
}

impl ReminderFacts {
    pub fn new(receivable: &Receivable, business: &Business) -> Result<Self, ReminderError> {
        let date = |text: &str| from_iso(text).map_err(|err| ReminderError::Books(err.into()));
        Ok(ReminderFacts {
            customer: receivable.customer_name.clone(),
            document_number: receivable
                .document_number
                .clone()
                .filter(|number| !number.trim().is_empty()),
            concept: receivable.concept.clone(),
            currency: receivable.amount.currency.clone(),
            amount_minor: receivable.amount.minor,
            balance_minor: receivable.balance.minor,
            issue_date: date(&receivable.issue_date.iso)?,
            due_date: date(&receivable.due_date.iso)?,
            days_overdue: if receivable.overdue {
                receivable.days_overdue
            } else {
                0
            },
            ..ReminderFacts::about(business)
        })
    }

    /// A realistic receivable for the Plantillas preview, so the owner sees a reminder before
    /// the first real one exists. The business part is the owner's own, as customers will see it.
    pub fn sample(language: Language, business: &Business, today: Date) -> Self {
        let (customer, concept) = match language {
            Language::Es => (
                "Inversiones Pérez & Hijos, C.A.",
                "Materiales de construcción",
            ),
            Language::En => ("Pérez & Sons Trading", "Construction materials"),
        };
        let currency = if business.default_currency.is_empty() {
            "USD".to_owned()
        } else {
            business.default_currency.clone()
        };
        let minor_units = crate::books::currency::find(&currency).map_or(2, |c| c.minor_units);
        let scale = 10_i64.pow(u32::from(minor_units));
        ReminderFacts {
            customer: customer.to_owned(),
            document_number: Some("F-000123".to_owned()),
            concept: concept.to_owned(),
            currency,
            amount_minor: 1_250 * scale,
            balance_minor: 850 * scale,
            issue_date: today - Duration::days(45),
            due_date: today - Duration::days(15),
            days_overdue: 15,
            ..ReminderFacts::about(business)
        }
    }

    fn about(business: &Business) -> Self {
        ReminderFacts {
            customer: String::new(),
            business_name: business.name.trim().to_owned(),
            business_contact: [&business.tax_id, &business.phone, &business.address]
                .into_iter()
                .map(|part| part.trim().to_owned())
                .filter(|part| !part.is_empty())
                .collect(),
            document_number: None,
            concept: String::new(),
            currency: String::new(),
            amount_minor: 0,
            balance_minor: 0,
            issue_date: Date::MIN,
            due_date: Date::MIN,
            days_overdue: 0,
            // The formas de pago for the message's currency are set by whoever renders it.
            payment_instructions: String::new(),
        }
    }
}
