//! The statements' books: a business with its formas de pago, a customer owing dollars and
//! bolívares with partial payments, and things that must stay off their statement (another
//! customer's debt, a paid receivable, a voided one) — in a plain [`Books`] file or a [`Shop`]
//! with an email service. And the PDF's text, read back by poppler's `pdftotext`, a program that
//! has nothing to do with how the PDF was written.

use cachicamo_core::books::customers::{self, CustomerForm};
use cachicamo_core::books::payments::{self, PaymentForm, PaymentMethod};
use cachicamo_core::books::reading::Reading;
use cachicamo_core::books::receivables::{self, ReceivableForm};
use cachicamo_core::locale::{Language, Region};
use cachicamo_core::reminders::Rechecks;
use cachicamo_core::Database;
use time::macros::date;

use super::books::Books;
use super::shop::Shop;

/// The statements' day: late November, so October's invoices are overdue and November's not.
pub const STATEMENT_DAY: Reading = Reading {
    region: Region::EsVe,
    today: date!(2026 - 11 - 30),
};

impl Books {
    /// Books with the business and formas de pago statements quote.
    pub fn for_statements() -> Books {
        let books = Books::new();
        statement_business(&books.db);
        books
    }
}

pub use cachicamo_e2e::seed::statement_business;

/// When a receivable was issued and falls due, typed the Venezuelan way; named by the due date,
/// which decides whether it is overdue on the [`STATEMENT_DAY`] (30/11/2026).
#[derive(Debug, Clone, Copy)]
pub struct Terms {
    pub issued: &'static str,
    pub due: &'static str,
}

impl Terms {
    const fn between(issued: &'static str, due: &'static str) -> Terms {
        Terms { issued, due }
    }
}

pub const DUE_SEP_30: Terms = Terms::between("01/09/2026", "30/09/2026");
pub const DUE_OCT_31: Terms = Terms::between("01/10/2026", "31/10/2026");
pub const DUE_NOV_15: Terms = Terms::between("01/11/2026", "15/11/2026");
pub const DUE_NOV_20: Terms = Terms::between("01/11/2026", "20/11/2026");
/// Due on the statement day itself: not yet overdue.
pub const DUE_NOV_30: Terms = Terms::between("01/11/2026", "30/11/2026");
pub const DUE_DEC_15: Terms = Terms::between("15/11/2026", "15/12/2026");
pub const DUE_DEC_31: Terms = Terms::between("25/11/2026", "31/12/2026");

impl StatementBooks for Books {
    fn db(&self) -> &Database {
        &self.db
    }
}

impl StatementBooks for Shop {
    fn db(&self) -> &Database {
        &self.db
    }
}

/// What the statements' tests write in the books, through the core's own functions, in either
/// kind of shop's database.
pub trait StatementBooks {
    fn db(&self) -> &Database;

    /// The receivable whose document number is `document` ("F-0002").
    fn receivable_numbered(&self, document: &str) -> i64 {
        self.db()
            .read(|c| {
                c.query_row(
                    "SELECT id FROM receivables WHERE document_number = ?1",
                    [document],
                    |r| r.get(0),
                )
            })
            .unwrap_or_else(|err| panic!("no receivable {document}: {err}"))
    }

    /// A customer with an address, a tax id and `language` for emails.
    fn customer_speaking(&self, name: &str, language: Language) -> i64 {
        customers::create(
            self.db(),
            CustomerForm {
                name: name.into(),
                email: "cobros@cliente.com".into(),
                tax_id: "V-11222333".into(),
                address: "Calle 5, Maracay".into(),
                email_language: Some(language),
                ..CustomerForm::default()
            },
            Language::Es,
        )
        .expect("customer")
        .id
    }

    /// A receivable typed the Venezuelan way: `owed` is the currency and the amount as a statement
    /// shows them ("USD 1.500,50").
    fn owes(&self, customer: i64, document: &str, concept: &str, owed: &str, terms: Terms) -> i64 {
        let (currency, amount) = owed
            .split_once(' ')
            .unwrap_or_else(|| panic!("{owed:?} is not \"USD 1.500,50\""));
        receivables::create(
            self.db(),
            &ReceivableForm {
                customer_id: Some(customer),
                document_number: document.into(),
                concept: concept.into(),
                currency: currency.into(),
                amount: amount.into(),
                issue_date: terms.issued.into(),
                due_date: terms.due.into(),
            },
            &STATEMENT_DAY,
        )
        .expect("receivable")
        .receivable
        .id
    }

    fn pay(&self, receivable: i64, amount: &str, on: &str) {
        payments::record(
            self.db(),
            &Rechecks::default(),
            receivable,
            &transfer(amount, on),
            &STATEMENT_DAY,
        )
        .expect("payment");
    }

    /// Ana owes USD 1.100,00 over two invoices (one partly paid) and VES 2.000,00 over one
    /// (partly paid); another customer's debt and Ana's paid and voided receivables are not
    /// hers to see.
    fn ana(&self, language: Language) -> i64 {
        let ana = self.customer_speaking("Inversiones Ana Pérez, C.A.", language);
        let first = self.owes(ana, "F-0001", "Cemento gris", "USD 150,00", DUE_OCT_31);
        self.pay(first, "50,00", "12/11/2026");
        self.owes(
            ana,
            "F-0002",
            "Cabillas de 1/2\"",
            "USD 1.000,00",
            DUE_DEC_15,
        );
        let bolivares = self.owes(
            ana,
            "F-0003",
            "Flete Valencia–Maracay",
            "VES 3.500,00",
            DUE_NOV_20,
        );
        self.pay(bolivares, "1.500,00", "25/11/2026");
        let paid = self.owes(ana, "F-0004", "Pintura", "USD 80,00", DUE_SEP_30);
        self.pay(paid, "80,00", "05/10/2026");
        let voided = self.owes(
            ana,
            "F-0005",
            "Error de facturación",
            "USD 999,00",
            DUE_NOV_30,
        );
        receivables::void(
            self.db(),
            &Rechecks::default(),
            voided,
            "Duplicada",
            &STATEMENT_DAY,
        )
        .expect("void");
        let other = self.customer_speaking("Bodega La Esquina", Language::Es);
        self.owes(other, "F-0006", "Harina", "USD 300,00", DUE_NOV_30);
        ana
    }

    /// What the ledger says a customer owes per currency (code order), summed by SQLite.
    fn ledger(&self, customer: i64) -> Vec<(String, i64)> {
        self.db()
            .read(|c| {
                c.prepare(
                    "SELECT currency, sum(amount - paid) FROM receivables
                     WHERE customer_id = ?1 AND status = 'pending'
                     GROUP BY currency ORDER BY currency",
                )?
                .query_map([customer], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()
            })
            .expect("ledger")
    }
}

/// A transfer typed the Venezuelan way.
pub fn transfer(amount: &str, on: &str) -> PaymentForm {
    PaymentForm {
        paid_on: on.into(),
        amount: amount.into(),
        method: Some(PaymentMethod::Transfer),
        ..PaymentForm::default()
    }
}

/// The text of a PDF as poppler reads it (pages end with a form feed): the stories' reader.
pub use cachicamo_e2e::mail::pdf_text;
