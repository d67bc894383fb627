//! Receivables, payments and Pagos Pendientes against a real SQLite file.

use cachicamo_core::books::customers::{self, CustomerForm};
use cachicamo_core::books::payments::{self, PaymentForm, PaymentMethod};
use cachicamo_core::books::pending::{self, PendingFilter, PendingQuery, PendingSort};
use cachicamo_core::books::reading::Reading;
use cachicamo_core::books::receivables::{self, ReceivableForm, ReceivableStatus};
use cachicamo_core::books::{BooksError, Refusal};
use cachicamo_core::locale::Language;
use cachicamo_core::locale::Region;
use cachicamo_core::reminders::Rechecks;
use cachicamo_core::validation::FieldProblem;
use cachicamo_core::Database;
use time::macros::date;

const READING: Reading = Reading {
    region: Region::EsVe,
    today: date!(2026 - 03 - 20),
};

struct Books {
    _dir: tempfile::TempDir,
    db: Database,
}

impl Books {
    fn new() -> Books {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(&dir.path().join("books.sqlite3")).expect("db");
        Books { _dir: dir, db }
    }

    fn customer(&self, name: &str) -> i64 {
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

    fn receivable(&self, customer: i64, document: &str, amount: &str, due: &str) -> i64 {
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

    fn pending(&self, query: PendingQuery) -> pending::PendingPage {
        pending::list(&self.db, &query, &READING).expect("pending")
    }
}

fn cash(amount: &str) -> PaymentForm {
    PaymentForm {
        paid_on: "20/03/2026".into(),
        amount: amount.into(),
        method: Some(PaymentMethod::Cash),
        ..PaymentForm::default()
    }
}

fn field_problems(err: BooksError) -> Vec<(String, FieldProblem)> {
    match err {
        BooksError::Invalid(fields) => fields.into_iter().map(|f| (f.field, f.problem)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[test]
fn a_receivable_is_paid_in_two_payments_and_leaves_pagos_pendientes() {
    let books = Books::new();
    let customer = books.customer("Ferretería José Peña");
    let id = books.receivable(customer, "F-0001", "1.500,50", "15/03/2026");

    let page = books.pending(PendingQuery::default());
    assert_eq!(page.total, 1);
    let row = &page.rows[0];
    assert_eq!(row.balance.text, "USD 1.500,50");
    assert!(row.overdue, "due 15/03, today 20/03");
    assert_eq!(row.days_overdue, 5);
    assert_eq!(page.totals[0].text, "USD 1.500,50");

    let after_first = payments::record(
        &books.db,
        &Rechecks::default(),
        id,
        &cash("500,50"),
        &READING,
    )
    .expect("first");
    assert_eq!(after_first.receivable.balance.minor, 100_000);
    assert_eq!(after_first.receivable.status, ReceivableStatus::Pending);
    assert!(!after_first.amount_editable);

    let too_much = payments::record(
        &books.db,
        &Rechecks::default(),
        id,
        &cash("1.000,01"),
        &READING,
    )
    .expect_err("above the balance");
    assert_eq!(
        field_problems(too_much),
        [("amount".to_owned(), FieldProblem::AboveBalance)]
    );

    let paid = payments::record(
        &books.db,
        &Rechecks::default(),
        id,
        &cash("1.000"),
        &READING,
    )
    .expect("rest");
    assert_eq!(paid.receivable.status, ReceivableStatus::Paid);
    assert_eq!(paid.receivable.balance.minor, 0);
    assert!(!paid.receivable.overdue, "a paid receivable is not overdue");
    assert_eq!(books.pending(PendingQuery::default()).total, 0);
    let kinds: Vec<_> = paid
        .history
        .iter()
        .map(|entry| serde_json::to_value(entry.kind).expect("kind"))
        .collect();
    assert_eq!(
        kinds,
        ["paid", "payment_recorded", "payment_recorded", "created"]
    );
    let refused = payments::record(&books.db, &Rechecks::default(), id, &cash("1"), &READING)
        .expect_err("paid");
    assert!(matches!(refused, BooksError::Refused(Refusal::NotPending)));
}

#[test]
fn a_dollar_debt_paid_in_bolivares_keeps_both_amounts_and_the_rate() {
    let books = Books::new();
    let customer = books.customer("Bodega La Esquina");
    let id = books.receivable(customer, "", "100", "30/03/2026");
    let form = PaymentForm {
        currency: "VES".into(),
        rate: "36,50".into(),
        amount: "1.825".into(),
        method: Some(PaymentMethod::MobilePayment),
        reference: "0102-998877".into(),
        ..cash("")
    };
    let preview = payments::preview(&books.db, id, &form, &READING).expect("preview");
    assert_eq!(preview.applied.text, "USD 50,00");
    let without_rate = PaymentForm {
        rate: String::new(),
        ..form.clone()
    };
    assert_eq!(
        field_problems(
            payments::record(&books.db, &Rechecks::default(), id, &without_rate, &READING)
                .expect_err("rate")
        ),
        [("rate".to_owned(), FieldProblem::Required)]
    );
    let detail = payments::record(&books.db, &Rechecks::default(), id, &form, &READING)
        .expect("paid in VES");
    let payment = &detail.payments[0];
    assert_eq!(payment.amount.text, "VES 1.825,00");
    assert_eq!(payment.applied.text, "USD 50,00");
    assert_eq!(payment.rate.as_deref(), Some("36,50"), "as typed");
    assert_eq!(detail.receivable.balance.text, "USD 50,00");
}

#[test]
fn a_reversed_payment_comes_back_on_the_balance_and_stays_on_record() {
    let books = Books::new();
    let customer = books.customer("Taller Hermanos Ruiz");
    let id = books.receivable(customer, "", "200", "30/03/2026");
    let paid = payments::record(&books.db, &Rechecks::default(), id, &cash("200"), &READING)
        .expect("paid");
    assert_eq!(paid.receivable.status, ReceivableStatus::Paid);
    let payment_id = paid.payments[0].id;
    assert!(matches!(
        payments::reverse(&books.db, &Rechecks::default(), payment_id, "  ", &READING),
        Err(BooksError::Invalid(_))
    ));
    let reversed = payments::reverse(
        &books.db,
        &Rechecks::default(),
        payment_id,
        "Cheque devuelto",
        &READING,
    )
    .expect("reversed");
    assert_eq!(reversed.receivable.status, ReceivableStatus::Pending);
    assert_eq!(reversed.receivable.balance.minor, 20_000);
    assert_eq!(reversed.payments.len(), 1, "kept on record");
    assert_eq!(
        reversed.payments[0]
            .reversal
            .as_ref()
            .map(|r| r.reason.as_str()),
        Some("Cheque devuelto")
    );
    assert!(reversed.amount_editable, "no active payments left");
    assert!(matches!(
        payments::reverse(
            &books.db,
            &Rechecks::default(),
            payment_id,
            "otra vez",
            &READING
        ),
        Err(BooksError::Refused(Refusal::AlreadyReversed))
    ));
    assert_eq!(books.pending(PendingQuery::default()).total, 1);
}

#[test]
fn amounts_are_corrected_only_without_payments_and_voiding_asks_for_a_reason() {
    let books = Books::new();
    let customer = books.customer("Panadería Central");
    let id = books.receivable(customer, "F-10", "300", "30/03/2026");
    let detail = receivables::detail(&books.db, id, &READING).expect("detail");
    let mut form = ReceivableForm {
        customer_id: Some(customer),
        document_number: "F-10".into(),
        concept: "Mercancía".into(),
        currency: "USD".into(),
        amount: "350".into(),
        issue_date: detail.receivable.issue_date.text.clone(),
        due_date: detail.receivable.due_date.text.clone(),
    };
    let corrected = receivables::update(&books.db, &Rechecks::default(), id, &form, &READING)
        .expect("corrected");
    assert_eq!(corrected.receivable.amount.minor, 35_000);
    assert_eq!(
        corrected.history[0]
            .previous_amount
            .as_ref()
            .map(|m| m.minor),
        Some(30_000)
    );

    payments::record(&books.db, &Rechecks::default(), id, &cash("50"), &READING).expect("payment");
    form.amount = "400".into();
    assert!(matches!(
        receivables::update(&books.db, &Rechecks::default(), id, &form, &READING),
        Err(BooksError::Refused(Refusal::HasPayments))
    ));
    form.amount = "350".into();
    form.concept = "Harina y levadura".into();
    let renamed =
        receivables::update(&books.db, &Rechecks::default(), id, &form, &READING).expect("concept");
    assert_eq!(renamed.receivable.concept, "Harina y levadura");
    assert!(matches!(
        receivables::void(&books.db, &Rechecks::default(), id, "Error", &READING),
        Err(BooksError::Refused(Refusal::HasPayments))
    ));

    let other = books.receivable(customer, "F-11", "10", "30/03/2026");
    assert!(matches!(
        receivables::void(&books.db, &Rechecks::default(), other, "", &READING),
        Err(BooksError::Invalid(_))
    ));
    let voided = receivables::void(
        &books.db,
        &Rechecks::default(),
        other,
        "Duplicada",
        &READING,
    )
    .expect("void");
    assert_eq!(voided.receivable.status, ReceivableStatus::Void);
    assert_eq!(voided.receivable.void_reason.as_deref(), Some("Duplicada"));
    assert_eq!(books.pending(PendingQuery::default()).total, 1);
}

#[test]
fn bad_input_is_refused_field_by_field_and_nothing_is_written() {
    let books = Books::new();
    let customer = books.customer("Cliente");
    books.receivable(customer, "A-1", "10", "30/03/2026");
    let form = ReceivableForm {
        customer_id: Some(customer),
        document_number: "A-1".into(),
        concept: "x".into(),
        currency: "USD".into(),
        amount: "10".into(),
        issue_date: "10/03/2026".into(),
        due_date: "30/03/2026".into(),
    };
    let cases = [
        (
            ReceivableForm {
                amount: "0".into(),
                ..form.clone()
            },
            ("amount", FieldProblem::NotPositive),
        ),
        (
            ReceivableForm {
                amount: "-5".into(),
                ..form.clone()
            },
            ("amount", FieldProblem::NotPositive),
        ),
        (
            ReceivableForm {
                amount: "10,505".into(),
                ..form.clone()
            },
            ("amount", FieldProblem::TooManyDecimals),
        ),
        (
            ReceivableForm {
                currency: "XYZ".into(),
                ..form.clone()
            },
            ("currency", FieldProblem::UnknownCurrency),
        ),
        (
            ReceivableForm {
                due_date: "09/03/2026".into(),
                ..form.clone()
            },
            ("dueDate", FieldProblem::DueBeforeIssue),
        ),
        (
            ReceivableForm {
                concept: "N".repeat(1_000_000),
                ..form.clone()
            },
            ("concept", FieldProblem::TooLong),
        ),
        (
            ReceivableForm {
                customer_id: Some(999),
                document_number: String::new(),
                ..form.clone()
            },
            ("customerId", FieldProblem::UnknownCustomer),
        ),
        (
            form.clone(),
            ("documentNumber", FieldProblem::DuplicateDocument),
        ),
    ];
    for (bad, (field, problem)) in cases {
        let err = receivables::create(&books.db, &bad, &READING).expect_err(field);
        assert_eq!(field_problems(err), [(field.to_owned(), problem)]);
    }
    assert_eq!(books.pending(PendingQuery::default()).total, 1);
}

#[test]
fn pagos_pendientes_filters_searches_sorts_and_totals_per_currency() {
    let books = Books::new();
    let pena = books.customer("Ferretería José Peña");
    let andes = books.customer("Distribuidora Los Andes");
    books.receivable(pena, "F-1", "100", "10/03/2026"); // overdue
    books.receivable(pena, "F-2", "300", "25/03/2026"); // due within 7 days
    books.receivable(andes, "B-7", "50", "30/04/2026");
    receivables::create(
        &books.db,
        &ReceivableForm {
            customer_id: Some(andes),
            document_number: "B-8".into(),
            concept: "Flete".into(),
            currency: "VES".into(),
            amount: "2.000".into(),
            issue_date: "01/03/2026".into(),
            due_date: "20/03/2026".into(),
        },
        &READING,
    )
    .expect("bolívares");

    let all = books.pending(PendingQuery::default());
    assert_eq!(all.total, 4);
    let totals: Vec<_> = all.totals.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(totals, ["USD 450,00", "VES 2.000,00"]);
    let documents = |page: &pending::PendingPage| -> Vec<String> {
        page.rows
            .iter()
            .map(|row| row.document_number.clone().unwrap_or_default())
            .collect()
    };
    assert_eq!(documents(&all), ["F-1", "B-8", "F-2", "B-7"], "by due date");

    let overdue = books.pending(PendingQuery {
        filter: PendingFilter::Overdue,
        ..PendingQuery::default()
    });
    assert_eq!(documents(&overdue), ["F-1"]);
    let soon = books.pending(PendingQuery {
        filter: PendingFilter::DueSoon,
        ..PendingQuery::default()
    });
    assert_eq!(documents(&soon), ["B-8", "F-2"], "today counts as due soon");

    let by_balance = books.pending(PendingQuery {
        sort: PendingSort::Balance,
        descending: true,
        ..PendingQuery::default()
    });
    assert_eq!(documents(&by_balance), ["B-8", "F-2", "F-1", "B-7"]);

    let searched = books.pending(PendingQuery {
        search: "PENA".into(),
        ..PendingQuery::default()
    });
    assert_eq!(documents(&searched), ["F-1", "F-2"]);
    let by_document = books.pending(PendingQuery {
        search: "b-7".into(),
        ..PendingQuery::default()
    });
    assert_eq!(documents(&by_document), ["B-7"]);

    customers::update(
        &books.db,
        &Rechecks::default(),
        andes,
        CustomerForm {
            name: "Abastos Andinos".into(),
            ..CustomerForm::default()
        },
        Language::Es,
    )
    .expect("renamed");
    let by_customer = books.pending(PendingQuery {
        sort: PendingSort::Customer,
        ..PendingQuery::default()
    });
    assert_eq!(by_customer.rows[0].customer_name, "Abastos Andinos");
    assert_eq!(
        books
            .pending(PendingQuery {
                search: "andinos".into(),
                ..PendingQuery::default()
            })
            .total,
        2
    );

    let paged = books.pending(PendingQuery {
        offset: 3,
        limit: 2,
        ..PendingQuery::default()
    });
    assert_eq!(paged.total, 4);
    assert_eq!(documents(&paged), ["B-7"]);
}

#[test]
fn a_customer_with_receivables_is_archived_never_deleted() {
    let books = Books::new();
    let customer = books.customer("Con deudas");
    let id = books.receivable(customer, "", "10", "30/03/2026");
    receivables::void(&books.db, &Rechecks::default(), id, "Error", &READING).expect("void");
    assert!(matches!(
        customers::delete(&books.db, customer),
        Err(BooksError::Refused(Refusal::CustomerHasReceivables))
    ));
    let listed = receivables::of_customer(&books.db, customer, &READING).expect("listed");
    assert_eq!(listed.len(), 1, "every status is listed on the customer");
    customers::set_archived(&books.db, customer, true).expect("archived");
}

#[test]
fn the_kept_totals_always_equal_the_sum_of_what_is_owed() {
    let books = Books::new();
    let pena = books.customer("Ferretería José Peña");
    let ruiz = books.customer("Taller Ruiz");
    let mut ids = Vec::new();
    for (n, due) in ["10/03/2026", "20/03/2026", "25/03/2026", "30/04/2026"]
        .iter()
        .enumerate()
    {
        ids.push(books.receivable(pena, &format!("P-{n}"), "100", due));
        ids.push(books.receivable(ruiz, &format!("R-{n}"), "250,50", due));
    }
    payments::record(
        &books.db,
        &Rechecks::default(),
        ids[0],
        &cash("100"),
        &READING,
    )
    .expect("paid off");
    let partial = payments::record(
        &books.db,
        &Rechecks::default(),
        ids[1],
        &cash("50"),
        &READING,
    )
    .expect("partial");
    payments::reverse(
        &books.db,
        &Rechecks::default(),
        partial.payments[0].id,
        "Error",
        &READING,
    )
    .expect("reversed");
    payments::record(
        &books.db,
        &Rechecks::default(),
        ids[2],
        &cash("10"),
        &READING,
    )
    .expect("partial");
    receivables::void(
        &books.db,
        &Rechecks::default(),
        ids[3],
        "Duplicada",
        &READING,
    )
    .expect("void");
    let mut moved = receivables::detail(&books.db, ids[4], &READING).expect("detail");
    moved.receivable.due_date.text = "01/05/2026".into();
    receivables::update(
        &books.db,
        &Rechecks::default(),
        ids[4],
        &ReceivableForm {
            customer_id: Some(pena),
            document_number: "P-2".into(),
            concept: "Mercancía".into(),
            currency: "VES".into(),
            amount: "999".into(),
            issue_date: "01/03/2026".into(),
            due_date: moved.receivable.due_date.text,
        },
        &READING,
    )
    .expect("moved to another day and currency");

    for filter in [
        PendingFilter::All,
        PendingFilter::Overdue,
        PendingFilter::DueSoon,
    ] {
        for search in ["", "pe", "ruiz", "p-2"] {
            let page = books.pending(PendingQuery {
                filter,
                search: search.into(),
                limit: 200,
                ..PendingQuery::default()
            });
            let mut expected: Vec<(String, i64, u32)> = Vec::new();
            for row in &page.rows {
                match expected
                    .iter_mut()
                    .find(|(c, _, _)| *c == row.balance.currency)
                {
                    Some(line) => {
                        line.1 += row.balance.minor;
                        line.2 += 1;
                    }
                    None => expected.push((row.balance.currency.clone(), row.balance.minor, 1)),
                }
            }
            expected.sort();
            let totals: Vec<(String, i64)> = page
                .totals
                .iter()
                .map(|m| (m.currency.clone(), m.minor))
                .collect();
            let summed: Vec<(String, i64)> =
                expected.iter().map(|(c, b, _)| (c.clone(), *b)).collect();
            assert_eq!(totals, summed, "{filter:?} {search:?}");
            assert_eq!(
                page.total as usize,
                page.rows.len(),
                "{filter:?} {search:?}"
            );
            if filter == PendingFilter::All && search == "ruiz" {
                assert_eq!(page.total, 3, "R-0 (reversed), R-2 and R-3; R-1 is void");
            }
        }
    }
}
