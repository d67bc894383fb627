//! The CSV export against a real SQLite file: it opens in Spanish Excel (BOM, semicolons, the
//! region's decimal comma), imports back as it was, and a name that Excel would run as a formula
//! leaves as text and comes back unchanged.

mod common;

use cachicamo_core::books::customers::{self, CustomerQuery};
use cachicamo_core::books::export;
use cachicamo_core::books::import;
use cachicamo_core::books::pending::{self, PendingQuery};
use cachicamo_core::books::receivables::{self, ReceivableForm};
use cachicamo_core::locale::Language;
use common::csv::*;

#[test]
fn the_pending_export_opens_in_excel_and_imports_back() {
    let (_dir, db) = open();
    let bytes = windows_1252(RECEIVABLES);
    let preview = import::preview(&db, &bytes, &READING, Language::Es).expect("preview");
    import::import(&db, &bytes, &READING, Language::Es, &accept_all(&preview)).expect("import");
    let csv =
        export::pending_csv(&db, &PendingQuery::default(), &READING, Language::Es).expect("export");
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let text = std::str::from_utf8(&csv[3..]).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "Cliente;Correo electrónico;Número de documento;Concepto;Moneda;Monto;Saldo;\
         Fecha de emisión;Fecha de vencimiento;Días vencida;Pausa de cobranza"
    );
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[1], "Bodega La Esquina;;F-0002;Harina;VES;2000,00;2000,00;05/03/2026;15/03/2026;5;",
        "by due date, the region's decimal comma, no thousands separator"
    );

    let (_other, fresh) = open();
    import::import(&fresh, &csv, &READING, Language::Es, &[]).expect("imports back");
    let page = pending::list(&fresh, &PendingQuery::default(), &READING).expect("pending");
    let totals: Vec<_> = page.totals.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(totals, ["USD 1.800,50", "VES 2.000,00"]);
}

#[test]
fn formula_names_leave_as_text_for_excel_and_come_back_as_they_were() {
    let (_dir, db) = open();
    let hostile = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "@SUM(A1)"];
    for (i, name) in hostile.iter().enumerate() {
        let id = customer(&db, name, "", "");
        receivables::create(
            &db,
            &ReceivableForm {
                customer_id: Some(id),
                document_number: format!("=F-{i}"),
                concept: "-Cemento".into(),
                currency: "USD".into(),
                amount: "10".into(),
                issue_date: "01/03/2026".into(),
                due_date: format!("1{i}/03/2026"),
            },
            &READING,
        )
        .expect("receivable");
    }
    let csv =
        export::pending_csv(&db, &PendingQuery::default(), &READING, Language::Es).expect("export");

    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&csv[3..]);
    let mut names = Vec::new();
    for record in reader.records() {
        let record = record.expect("a CSV record");
        for cell in &record {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} would run as a formula"
            );
        }
        names.push(record[0].to_owned());
        assert_eq!(&record[5], "10,00", "amounts stay numeric");
    }
    assert_eq!(
        names,
        hostile.map(|name| format!("'{name}")),
        "quoted exactly once, in due-date order"
    );

    let (_other, fresh) = open();
    let preview = import::preview(&fresh, &csv, &READING, Language::Es).expect("preview");
    assert_eq!(preview.problems, []);
    import::import(&fresh, &csv, &READING, Language::Es, &[]).expect("imports back");
    let mut back: Vec<_> = customers::list(&fresh, &CustomerQuery::default())
        .expect("customers")
        .customers
        .into_iter()
        .map(|c| c.name)
        .collect();
    back.sort();
    let mut expected = hostile.map(str::to_owned).to_vec();
    expected.sort();
    assert_eq!(back, expected, "the quote the export added is taken off");
    let rows = pending::list(&fresh, &PendingQuery::default(), &READING).expect("pending");
    assert!(rows.rows.iter().all(|row| row.concept == "-Cemento"
        && row
            .document_number
            .as_deref()
            .is_some_and(|d| d.starts_with("=F-"))));
}
