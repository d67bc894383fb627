//! Books in a real SQLite file, written through the core's own functions as the commands do:
//! customers, receivables typed the Venezuelan way on a fixed day, cash payments, and the field
//! problems a refusal names.

use cachicamo_core::books::customers::{self, CustomerForm};
use cachicamo_core::books::payments::{PaymentForm, PaymentMethod};
use cachicamo_core::books::pending::{self, PendingQuery};
use cachicamo_core::books::reading::Reading;
use cachicamo_core::books::receivables::{self, ReceivableForm};
use cachicamo_core::books::BooksError;
use cachicamo_core::locale::{Language, Region};
use cachicamo_core::validation::FieldProblem;
use cachicamo_core::Database;
use time::macros::date;

pub const READING: Reading = Reading {
    region: Region::EsVe,
    today: date!(2026 - 03 - 20),
};

pub struct Books {
    _dir: tempfile::TempDir,
    pub db: Database,
}

impl Books {
    pub fn new() -> Books {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(&dir.path().join("books.sqlite3")).expect("db");
        Books { _dir: dir, db }
    }

    pub fn customer(&self, name: &str) -> i64 {
        customers::create(
            &self.db,
            CustomerForm {
                name: name.into(),
                ..CustomerForm::default()
            },
            Language::Es,
        )
        .expect("customer")
        .id
    }

    pub fn receivable(&self, customer: i64, document: &str, amount: &str, due: &str) -> i64 {
        receivables::create(
            &self.db,
            &ReceivableForm {
                customer_id: Some(customer),
                document_number: document.into(),
                concept: "Mercancía".into(),
                currency: "USD".into(),
                amount: amount.into(),
                issue_date: "01/03/2026".into(),
                due_date: due.into(),
            },
            &READING,
        )
        .expect("receivable")
        .receivable
        .id
    }

    pub fn pending(&self, query: PendingQuery) -> pending::PendingPage {
        pending::list(&self.db, &query, &READING).expect("pending")
    }
}

pub fn cash(amount: &str) -> PaymentForm {
    PaymentForm {
        paid_on: "20/03/2026".into(),
        amount: amount.into(),
        method: Some(PaymentMethod::Cash),
        ..PaymentForm::default()
    }
}

pub fn field_problems(err: BooksError) -> Vec<(String, FieldProblem)> {
    match err {
        BooksError::Invalid(fields) => fields.into_iter().map(|f| (f.field, f.problem)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

/// A customer with an email address, in any shop's database.
pub fn customer_at(db: &Database, name: &str, email: &str) -> i64 {
    customers::create(
        db,
        CustomerForm {
            name: name.into(),
            email: email.into(),
            ..CustomerForm::default()
        },
        Language::Es,
    )
    .expect("customer")
    .id
}

/// A dollar receivable for cement, issued 01/03/2026 and due 15/03/2026, typed as `reading`
/// reads amounts.
pub fn cement_owed(
    db: &Database,
    customer: i64,
    document: &str,
    amount: &str,
    reading: &Reading,
) -> i64 {
    cement_owed_on(
        db,
        customer,
        (document, amount),
        ("01/03/2026", "15/03/2026"),
        reading,
    )
}

/// A dollar receivable for cement: `document` for `amount`, issued and due on the `days`
/// given, typed as `reading` reads them.
pub fn cement_owed_on(
    db: &Database,
    customer: i64,
    owed: (&str, &str),
    days: (&str, &str),
    reading: &Reading,
) -> i64 {
    cement_owed_in(db, customer, "USD", owed, days, reading)
}

/// [`cement_owed_on`] in `currency`.
pub fn cement_owed_in(
    db: &Database,
    customer: i64,
    currency: &str,
    (document, amount): (&str, &str),
    (issued, due): (&str, &str),
    reading: &Reading,
) -> i64 {
    receivables::create(
        db,
        &ReceivableForm {
            customer_id: Some(customer),
            document_number: document.into(),
            concept: "Cemento".into(),
            currency: currency.into(),
            amount: amount.into(),
            issue_date: issued.into(),
            due_date: due.into(),
        },
        reading,
    )
    .expect("receivable")
    .receivable
    .id
}

/// The one value `sql` (a query with no parameters) reads from `db`: a count, a state.
pub fn one<T: rusqlite::types::FromSql>(db: &Database, sql: &str) -> T {
    db.read(|c| c.query_row(sql, [], |r| r.get(0)))
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
}
