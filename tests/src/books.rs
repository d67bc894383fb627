//! Books written through the core's own functions, as the app's commands write them, for the
//! tests that need someone who owes something: the core's integration tests, and the stories
//! that fill a data directory before the app opens. (The scale benchmark's books are [`seed`]'s.)
//!
//! [`seed`]: crate::seed

use cachicamo_core::books::customers::{self, CustomerForm};
use cachicamo_core::books::reading::Reading;
use cachicamo_core::books::receivables::{self, ReceivableForm};
use cachicamo_core::locale::Language;
use cachicamo_core::Database;

/// A customer as Clientes → Nuevo cliente saves one, whose emails go in `language`; its id.
pub fn customer(db: &Database, name: &str, email: &str, language: Language) -> i64 {
    let form = CustomerForm {
        name: name.into(),
        email: email.into(),
        email_language: Some(language),
        ..CustomerForm::default()
    };
    customers::create(db, form, language).expect("customer").id
}

/// A USD receivable for gray cement numbered `document`, for no customer yet (see [`owes`]);
/// the amount and dates as the region writes them.
pub fn cement(document: &str, amount: &str, issue_date: &str, due_date: &str) -> ReceivableForm {
    ReceivableForm {
        customer_id: None,
        document_number: document.into(),
        concept: "Cemento gris".into(),
        currency: "USD".into(),
        amount: amount.into(),
        issue_date: issue_date.into(),
        due_date: due_date.into(),
    }
}

/// Writes `owed` as `customer`'s receivable, read the way `reading` says; its id.
pub fn owes(db: &Database, reading: &Reading, customer: i64, owed: ReceivableForm) -> i64 {
    let owed = ReceivableForm {
        customer_id: Some(customer),
        ..owed
    };
    receivables::create(db, &owed, reading)
        .expect("receivable")
        .receivable
        .id
}

/// A política de cobranza of one step, "Segundo aviso" a week after the due date, sent per
/// receivable, on and without a cooldown (two lines of one customer may go on one day).
pub fn second_notice_per_receivable() -> cachicamo_core::collections::policy::PolicyRules {
    use cachicamo_core::collections::policy::{PolicyRules, PolicyStep, StepUnit};
    PolicyRules {
        enabled: true,
        steps: vec![PolicyStep {
            offset_days: 7,
            label: "Segundo aviso".into(),
            unit: StepUnit::Receivable,
        }],
        cooldown_days: 0,
        ..PolicyRules::default()
    }
}
