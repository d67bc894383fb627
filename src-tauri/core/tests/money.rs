//! Money as hostile input, against a real SQLite file: payments in another currency at a rate
//! typed either way round, converted exactly and rounded once; amounts past a currency's largest
//! refused in its own words; totals that can never overflow; payment dates that make sense.

use cachicamo_core::books::customers::{self, CustomerForm};
use cachicamo_core::books::payments::{self, PaymentForm, PaymentMethod, PaymentPreview};
use cachicamo_core::books::pending::{self, PendingQuery};
use cachicamo_core::books::rate::RateDirection;
use cachicamo_core::books::reading::Reading;
use cachicamo_core::books::receivables::{
    self, ReceivableDetail, ReceivableForm, ReceivableStatus,
};
use cachicamo_core::books::BooksError;
use cachicamo_core::locale::Language;
use cachicamo_core::locale::Region;
use cachicamo_core::reminders::Rechecks;
use cachicamo_core::validation::{FieldError, FieldProblem};
use cachicamo_core::Database;
use time::macros::date;

const READING: Reading = Reading {
    region: Region::EsVe,
    today: date!(2026 - 03 - 20),
};

struct Books {
    _dir: tempfile::TempDir,
    db: Database,
    customer: i64,
}

impl Books {
    fn new() -> Books {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(&dir.path().join("books.sqlite3")).expect("db");
        let customer = customers::create(
            &db,
            CustomerForm {
                name: "Bodega La Esquina".into(),
                ..CustomerForm::default()
            },
            Language::Es,
        )
        .expect("customer")
        .id;
        Books {
            _dir: dir,
            db,
            customer,
        }
    }

    /// Books where the customer owes one receivable of `amount` in `currency`, and its id.
    fn owing(currency: &str, amount: &str) -> (Books, i64) {
        let books = Books::new();
        let id = books.receivable(currency, amount).expect("receivable");
        (books, id)
    }

    fn receivable(&self, currency: &str, amount: &str) -> Result<i64, BooksError> {
        receivables::create(
            &self.db,
            &ReceivableForm {
                customer_id: Some(self.customer),
                document_number: String::new(),
                concept: "Mercancía".into(),
                currency: currency.into(),
                amount: amount.into(),
                issue_date: "10/03/2026".into(),
                due_date: "31/03/2026".into(),
            },
            &READING,
        )
        .map(|detail| detail.receivable.id)
    }

    /// What `form` would do to receivable `id`, as the form shows before saving.
    fn preview(&self, id: i64, form: &PaymentForm) -> Result<PaymentPreview, BooksError> {
        payments::preview(&self.db, id, form, &READING)
    }

    /// Records `form` on receivable `id`, as Registrar abono does.
    fn record(&self, id: i64, form: &PaymentForm) -> Result<ReceivableDetail, BooksError> {
        payments::record(&self.db, &Rechecks::default(), id, form, &READING)
    }
}

/// A payment in `currency` at `rate`, typed `direction`.
fn paid(currency: &str, amount: &str, rate: &str, direction: RateDirection) -> PaymentForm {
    PaymentForm {
        paid_on: "20/03/2026".into(),
        amount: amount.into(),
        currency: currency.into(),
        rate: rate.into(),
        rate_direction: direction,
        method: Some(PaymentMethod::Transfer),
        ..PaymentForm::default()
    }
}

fn refused_fields(err: BooksError) -> Vec<FieldError> {
    match err {
        BooksError::Invalid(fields) => fields,
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn problems(err: BooksError) -> Vec<(String, FieldProblem)> {
    refused_fields(err)
        .into_iter()
        .map(|f| (f.field, f.problem))
        .collect()
}

#[test]
fn bolivares_owed_paid_with_dollars_at_bolivares_per_dollar_leave_it_pagada() {
    let (books, id) = Books::owing("VES", "3.650,00");
    let form = paid("USD", "100", "36,50", RateDirection::OwedPerPaid);

    let preview = books.preview(id, &form).expect("preview");
    assert_eq!(preview.applied.text, "VES 3.650,00");
    assert!(!preview.can_settle_exactly, "it is exact already");
    assert!(!preview.advance);

    let detail = books.record(id, &form).expect("paid");
    assert_eq!(detail.receivable.status, ReceivableStatus::Paid);
    assert_eq!(detail.receivable.balance.minor, 0);
    let payment = &detail.payments[0];
    assert_eq!(payment.amount.text, "USD 100,00", "what was handed over");
    assert_eq!(payment.applied.text, "VES 3.650,00", "what it settled");
    assert_eq!(payment.rate.as_deref(), Some("36,50"), "the rate as typed");
    assert_eq!(payment.rate_direction, Some(RateDirection::OwedPerPaid));
}

#[test]
fn the_inverse_quote_converts_exactly_and_a_cent_off_is_settled_exactly_on_request() {
    let (books, id) = Books::owing("USD", "100");

    // "1 USD = 36,50 Bs" for a dollar debt: Bs 3.650,00 is exactly USD 100.
    let dollars_in_bs = paid("VES", "3.650", "36,50", RateDirection::PaidPerOwed);
    let preview = books.preview(id, &dollars_in_bs).expect("preview");
    assert_eq!(preview.applied.text, "USD 100,00");

    // "1 Bs = 0,0274 USD": Bs 3.650,00 is USD 100,01 — one cent above the balance.
    let bs_in_dollars = paid("VES", "3.650", "0,0274", RateDirection::OwedPerPaid);
    let preview = books.preview(id, &bs_in_dollars).expect("preview");
    assert_eq!(preview.applied.text, "USD 100,01");
    assert!(preview.can_settle_exactly, "within one cent: offered");
    assert_eq!(
        problems(books.record(id, &bs_in_dollars).expect_err("above")),
        [("amount".to_owned(), FieldProblem::AboveBalance)]
    );

    let exactly = PaymentForm {
        settle_exactly: true,
        ..bs_in_dollars.clone()
    };
    let detail = books.record(id, &exactly).expect("settled exactly");
    assert_eq!(detail.receivable.status, ReceivableStatus::Paid);
    let payment = &detail.payments[0];
    assert_eq!(payment.applied.text, "USD 100,00");
    assert_eq!(payment.amount.text, "VES 3.650,00");
    assert_eq!(payment.rate.as_deref(), Some("0,0274"));
    assert_eq!(payment.rate_direction, Some(RateDirection::OwedPerPaid));
}

#[test]
fn settling_exactly_is_refused_when_more_than_one_minor_unit_away() {
    let (books, id) = Books::owing("USD", "100");
    let far = PaymentForm {
        settle_exactly: true,
        ..paid("VES", "3.640", "36,50", RateDirection::PaidPerOwed)
    };
    let not_exactly = PaymentForm {
        settle_exactly: false,
        ..far.clone()
    };
    let preview = books.preview(id, &not_exactly).expect("preview");
    assert_eq!(preview.applied.text, "USD 99,73");
    assert!(!preview.can_settle_exactly);
    assert_eq!(
        problems(books.record(id, &far).expect_err("too far")),
        [("amount".to_owned(), FieldProblem::NotNearBalance)]
    );
    let same_currency = PaymentForm {
        settle_exactly: true,
        ..paid("", "99,99", "", RateDirection::PaidPerOwed)
    };
    assert_eq!(
        problems(books.record(id, &same_currency).expect_err("same")),
        [("amount".to_owned(), FieldProblem::NotNearBalance)],
        "nothing is rounded in the receivable's own currency"
    );
}

#[test]
fn a_conversion_rounds_once_half_up_to_the_receivables_minor_unit() {
    let books = Books::new();
    let dollars = books.receivable("USD", "10").expect("usd");
    // Bs 1,00 at 8 per dollar is USD 0,125: half a cent, up to 0,13.
    let half = paid("VES", "1", "8", RateDirection::PaidPerOwed);
    let preview = books.preview(dollars, &half).expect("half");
    assert_eq!(preview.applied.minor, 13);
    // Bs 1,00 at 8,0001 per dollar is USD 0,12498…: down to 0,12.
    let under = paid("VES", "1", "8,0001", RateDirection::PaidPerOwed);
    let preview = books.preview(dollars, &under).expect("under");
    assert_eq!(preview.applied.minor, 12);
    // Into pesos without decimals: USD 1,00 at "1 USD = 950,5 CLP" is CLP 950,5 → 951.
    let pesos = books.receivable("CLP", "10.000").expect("clp");
    let in_dollars = paid("USD", "1", "950,5", RateDirection::OwedPerPaid);
    let preview = books.preview(pesos, &in_dollars).expect("clp");
    assert_eq!(preview.applied.text, "CLP 951");
    // A rate with more decimals than six is kept whole, not cut: 0,027397260273973 dollars per
    // bolívar makes Bs 3.650,00 USD 99,9999999… → 100,00.
    let hundred = books.receivable("USD", "100").expect("usd 100");
    let long = paid(
        "VES",
        "3.650",
        "0,027397260273973",
        RateDirection::OwedPerPaid,
    );
    let detail = books.record(hundred, &long).expect("long rate");
    assert_eq!(detail.payments[0].applied.text, "USD 100,00");
    assert_eq!(
        detail.payments[0].rate.as_deref(),
        Some("0,027397260273973")
    );
}

#[test]
fn absurd_amounts_are_refused_in_the_currencys_own_words_and_totals_never_overflow() {
    let books = Books::new();
    let refused = refused_fields(
        books
            .receivable("USD", "1.000.000.000")
            .expect_err("absurd"),
    );
    assert_eq!(refused[0].field, "amount");
    assert_eq!(refused[0].problem, FieldProblem::AmountTooLarge);
    assert_eq!(refused[0].detail.as_deref(), Some("USD 999.999.999,99"));
    // The same figure is a plausible amount in Chilean pesos.
    books.receivable("CLP", "1.000.000.000").expect("pesos");

    // Pesos colombianos allow the most; a second such receivable would take the total past
    // what the app adds up, and is refused with that limit.
    let largest = "9.999.999.999.999,99";
    books
        .receivable("COP", largest)
        .expect("the largest COP amount");
    let refused = refused_fields(books.receivable("COP", "1").expect_err("total too large"));
    assert_eq!(
        (refused[0].field.as_str(), refused[0].problem),
        ("amount", FieldProblem::TotalTooLarge)
    );
    assert_eq!(
        refused[0].detail.as_deref(),
        Some("COP 9.999.999.999.999,99")
    );
    let page = pending::list(&books.db, &PendingQuery::default(), &READING).expect("pending");
    let totals: Vec<_> = page.totals.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(totals, ["CLP 1.000.000.000", "COP 9.999.999.999.999,99"]);
    let searched = pending::list(
        &books.db,
        &PendingQuery {
            search: "esquina".into(),
            ..PendingQuery::default()
        },
        &READING,
    )
    .expect("searched");
    assert_eq!(searched.totals, page.totals, "summed the same way, checked");

    // A conversion past the receivable currency's largest amount is refused, not wrapped.
    let dollars = books.receivable("USD", "10").expect("usd");
    let huge = paid(
        "COP",
        largest,
        "999.999.999.999.999",
        RateDirection::OwedPerPaid,
    );
    let refused = refused_fields(books.record(dollars, &huge).expect_err("overflow"));
    assert_eq!(
        (refused[0].field.as_str(), refused[0].problem),
        ("rate", FieldProblem::AmountTooLarge)
    );
    assert_eq!(refused[0].detail.as_deref(), Some("USD 999.999.999,99"));
}

#[test]
fn a_payment_after_today_is_refused_and_one_before_the_issue_date_asks_for_confirmation() {
    let (books, id) = Books::owing("USD", "100");
    let tomorrow = PaymentForm {
        paid_on: "21/03/2026".into(),
        ..paid("", "10", "", RateDirection::PaidPerOwed)
    };
    assert_eq!(
        problems(books.record(id, &tomorrow).expect_err("future")),
        [("paidOn".to_owned(), FieldProblem::DateInFuture)]
    );

    // Issued 10/03: a payment on 05/03 is an advance.
    let advance = PaymentForm {
        paid_on: "05/03/2026".into(),
        ..tomorrow.clone()
    };
    let preview = books.preview(id, &advance).expect("preview");
    assert!(preview.advance, "the form asks");
    assert_eq!(
        problems(books.record(id, &advance).expect_err("unconfirmed")),
        [("paidOn".to_owned(), FieldProblem::AdvanceUnconfirmed)]
    );
    let confirmed = PaymentForm {
        confirm_advance: true,
        ..advance
    };
    let detail = books.record(id, &confirmed).expect("confirmed");
    assert_eq!(detail.payments[0].paid_on.text, "05/03/2026");
    assert_eq!(detail.receivable.balance.text, "USD 90,00");
}

#[test]
fn payments_recorded_before_rates_could_be_typed_either_way_read_as_they_were() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("books.sqlite3");
    {
        // The books as the version before wrote them: schema 5, the rate scaled by 10^6.
        let conn = rusqlite::Connection::open(&path).expect("raw");
        for sql in [
            include_str!("../migrations/0001_settings.sql"),
            include_str!("../migrations/0002_email_service.sql"),
            include_str!("../migrations/0003_customers.sql"),
            include_str!("../migrations/0004_receivables.sql"),
            include_str!("../migrations/0005_outbox.sql"),
        ] {
            conn.execute_batch(sql).expect("earlier schema");
        }
        conn.execute_batch(
            "PRAGMA user_version = 5;
             INSERT INTO customers (id, name, email_language, search_key)
             VALUES (1, 'Bodega La Esquina', 'es', 'bodega la esquina');
             INSERT INTO receivables (id, customer_id, concept, currency, amount, paid,
                                      issue_date, due_date, customer_key)
             VALUES (1, 1, 'Harina', 'USD', 10000, 5000, '2026-03-01', '2026-03-31', 'bodega');
             INSERT INTO payments (receivable_id, paid_on, method, currency, amount,
                                   rate_scaled, applied)
             VALUES (1, '2026-03-05', 'mobile_payment', 'VES', 182500, 36500000, 5000);
             INSERT INTO payments (receivable_id, paid_on, method, currency, amount,
                                   rate_scaled, applied)
             VALUES (1, '2026-03-06', 'cash', 'VES', 100, 100000000, 1);",
        )
        .expect("old rows");
    }
    let db = Database::open(&path).expect("upgraded");
    let detail = receivables::detail(&db, 1, &READING).expect("detail");
    let rates: Vec<_> = detail
        .payments
        .iter()
        .map(|p| (p.rate.as_deref(), p.rate_direction, p.applied.text.as_str()))
        .collect();
    assert_eq!(
        rates,
        [
            (Some("36,5"), Some(RateDirection::PaidPerOwed), "USD 50,00"),
            (Some("100"), Some(RateDirection::PaidPerOwed), "USD 0,01"),
        ]
    );
}
