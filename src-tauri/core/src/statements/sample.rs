//! A realistic statement for the Plantillas preview, so the owner sees one before the first real
//! one exists: a sample customer owing two invoices in the business's currency (one overdue),
//! a payment received, with the owner's real business, formas de pago and today's reference
//! rate, as customers will see them.

use rusqlite::Connection;
use time::Duration;

use super::model::{business_party, CurrencyGroup, Equivalent, Party, PaymentReceived};
use super::model::{Statement, StatementLine, Totals};
use super::render::{render, RenderedStatement};
use super::template::StatementTemplate;
use super::StatementError;
use crate::books::currency;
use crate::books::dates::iso;
use crate::books::reading::Reading;
use crate::business;
use crate::db::Database;
use crate::locale::Language;
use crate::templating::region_for;
use crate::{payment_options, reference_rates};

/// The template being edited, unsaved, rendered with the sample statement.
pub fn preview(
    db: &Database,
    language: Language,
    template: StatementTemplate,
    reading: &Reading,
) -> Result<RenderedStatement, StatementError> {
    let valid = template.validated(language)?;
    let statement = db.read(|conn| sample_in(conn, language, reading))?;
    render(&statement, &valid)
}

pub fn sample_in(
    conn: &Connection,
    language: Language,
    reading: &Reading,
) -> Result<Statement, StatementError> {
    let business = business::get_in(conn)?;
    let code = if business.default_currency.is_empty() {
        "USD".to_owned()
    } else {
        business.default_currency.clone()
    };
    let scale = 10_i64.pow(u32::from(
        currency::find(&code).map_or(2, |c| c.minor_units),
    ));
    let (customer, concepts) = match language {
        Language::Es => (
            "Inversiones Pérez & Hijos, C.A.",
            ["Materiales de construcción", "Pintura y accesorios"],
        ),
        Language::En => (
            "Pérez & Sons Trading",
            ["Construction materials", "Paint and supplies"],
        ),
    };
    let today = reading.today;
    let lines = vec![
        StatementLine {
            receivable_id: 0,
            document_number: Some("F-000123".into()),
            concept: concepts[0].into(),
            issue_date: iso(today - Duration::days(45)),
            due_date: iso(today - Duration::days(15)),
            days_overdue: 15,
            totals: Totals {
                amount: 1_250 * scale,
                paid: 400 * scale,
                balance: 850 * scale,
            },
        },
        StatementLine {
            receivable_id: 0,
            document_number: Some("F-000131".into()),
            concept: concepts[1].into(),
            issue_date: iso(today - Duration::days(5)),
            due_date: iso(today + Duration::days(25)),
            days_overdue: 0,
            totals: Totals {
                amount: 300 * scale,
                paid: 0,
                balance: 300 * scale,
            },
        },
    ];
    let balance = 1_150 * scale;
    let equivalent = reference_rates::equivalent_in(conn, &code, balance, today)?.map(
        |(currency, amount, rate, source)| Equivalent {
            currency,
            amount,
            rate,
            source,
            rate_on: iso(today),
        },
    );
    let instructions =
        payment_options::instructions(&payment_options::usable_in(conn)?, &[&code], language, None);
    Ok(Statement {
        customer_id: 0,
        language,
        region: region_for(language, reading.region),
        date: iso(today),
        business: business_party(&business),
        customer: Party {
            name: customer.into(),
            ..Party::default()
        },
        groups: vec![CurrencyGroup {
            currency: code.clone(),
            lines,
            totals: Totals {
                amount: 1_550 * scale,
                paid: 400 * scale,
                balance,
            },
            overdue: 850 * scale,
            equivalent,
        }],
        payments: vec![PaymentReceived {
            paid_on: iso(today - Duration::days(10)),
            currency: code,
            amount: 400 * scale,
            document_number: Some("F-000123".into()),
        }],
        payment_instructions: instructions,
    })
}
