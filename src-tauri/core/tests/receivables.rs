//! Receivables and payments against a real SQLite file: paid in parts and in another currency,
//! reversed, corrected, voided, refused field by field, and kept once a customer has them.

mod common;

use cachicamo_core::books::customers;
use cachicamo_core::books::payments::{self, PaymentForm, PaymentMethod};
use cachicamo_core::books::pending::PendingQuery;
use cachicamo_core::books::receivables::{self, ReceivableForm, ReceivableStatus};
use cachicamo_core::books::{BooksError, Refusal};
use cachicamo_core::reminders::Rechecks;
use cachicamo_core::validation::FieldProblem;

use common::{cash, field_problems, Books, READING};

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
