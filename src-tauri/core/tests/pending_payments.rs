//! Pagos Pendientes against a real SQLite file: filters, search, sorting and totals per
//! currency, and the totals kept by triggers always equal to what is owed.

mod common;

use cachicamo_core::books::customers::{self, CustomerForm};
use cachicamo_core::books::payments;
use cachicamo_core::books::pending::{self, PendingFilter, PendingQuery, PendingSort};
use cachicamo_core::books::receivables::{self, ReceivableForm};
use cachicamo_core::books::Paging;
use cachicamo_core::locale::Language;
use cachicamo_core::reminders::Rechecks;

use common::{cash, Books, READING};

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
        page: Paging {
            offset: 3,
            limit: 2,
        },
        ..PendingQuery::default()
    });
    assert_eq!(paged.total, 4);
    assert_eq!(documents(&paged), ["B-7"]);
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
                page: Paging {
                    offset: 0,
                    limit: 200,
                },
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
