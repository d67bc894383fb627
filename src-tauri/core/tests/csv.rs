//! CSV import against a real SQLite file, with files as Spanish Excel writes them: a preview
//! that writes nothing, rows refused one by one, customers matched by tax id with every
//! difference shown first, and line numbers as the spreadsheet shows them. The export and its
//! way back are in `csv_export.rs`.

mod common;

use cachicamo_core::books::customers::{self, CustomerForm, CustomerQuery};
use cachicamo_core::books::import::{
    self, Acceptance, DifferenceKind, ImportError, ImportFailure, ImportKind,
};
use cachicamo_core::books::pending::{self, PendingQuery};
use cachicamo_core::books::receivables::{self};
use cachicamo_core::locale::Language;
use cachicamo_core::validation::FieldProblem;
use common::csv::*;

#[test]
fn a_spanish_excel_file_is_previewed_without_writing_then_imported_whole() {
    let (_dir, db) = open();
    let bytes = windows_1252(RECEIVABLES);
    let preview = import::preview(&db, &bytes, &READING, Language::Es).expect("preview");
    assert_eq!(preview.kind, ImportKind::Receivables);
    assert_eq!(preview.encoding, "Windows-1252");
    assert_eq!(preview.delimiter, ";");
    assert_eq!(preview.rows, 3);
    assert_eq!(preview.problems, []);
    assert_eq!(preview.new_receivables, 3);
    assert_eq!(
        preview.new_customers, 2,
        "the same tax id is one customer, however the name is written"
    );
    assert_eq!(preview.sample[0].customer, "Ferretería José Peña");
    assert_eq!(
        preview.sample[0].amount.as_ref().map(|m| m.text.as_str()),
        Some("USD 1.500,50")
    );
    assert_eq!(
        preview.sample[2].concept.as_deref(),
        Some("Cabillas; 1/2\""),
        "quoted fields keep their separators and quotes"
    );
    let differences = differences_of(&preview);
    assert_eq!(
        differences,
        [(
            4,
            DifferenceKind::Name,
            "FERRETERIA JOSE PENA",
            "Ferretería José Peña"
        )],
        "the same tax id written under another name is shown, to accept or fix"
    );
    assert_eq!(preview.sample[2].customer, "Ferretería José Peña");
    assert_eq!(pending_total(&db), 0, "a preview writes nothing");

    let unaccepted = import::import(&db, &bytes, &READING, Language::Es, &[])
        .expect_err("the difference is not accepted");
    assert!(matches!(
        unaccepted,
        ImportFailure::File(ImportError::DifferencesNotAccepted { count: 1 })
    ));
    assert_eq!(pending_total(&db), 0);
    import::import(&db, &bytes, &READING, Language::Es, &accept_all(&preview)).expect("import");
    let page = pending::list(&db, &PendingQuery::default(), &READING).expect("pending");
    assert_eq!(page.total, 3);
    let totals: Vec<_> = page.totals.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(totals, ["USD 1.800,50", "VES 2.000,00"]);
    let customers = customers::list(&db, &CustomerQuery::default()).expect("customers");
    assert_eq!(customers.total, 2);

    // Importing the same file again would duplicate every document: refused, whole.
    let again = import::import(&db, &bytes, &READING, Language::Es, &accept_all(&preview))
        .expect_err("duplicates");
    assert!(matches!(
        again,
        ImportFailure::File(ImportError::RowsHaveProblems { count: 3 })
    ));
    assert_eq!(pending_total(&db), 3);
}

#[test]
fn broken_rows_are_each_reported_and_nothing_is_imported() {
    let (_dir, db) = open();
    let huge = "N".repeat(1_000_000);
    let text = format!(
        "cliente,correo,documento,concepto,moneda,monto,fecha de emisión,fecha de vencimiento\n\
         Ana,ana@,A-1,Pan,USD,10,01/03/2026,31/03/2026\n\
         Bea,,A-2,Pan,USD,\"10,505\",01/03/2026,31/03/2026\n\
         Carla,,A-3,Pan,XYZ,10,01/03/2026,31/03/2026\n\
         Dora,,A-4,Pan,USD,0,01/03/2026,28/02/2026\n\
         Eva,,A-1,Pan,USD,5,01/03/2026,31/03/2026\n\
         {huge},,A-6,Pan,USD,5,01/03/2026,31/03/2026\n\
         Flor,,A-7,Pan,USD,5,01/03/2026,31/03/2026\n"
    );
    let preview = import::preview(&db, text.as_bytes(), &READING, Language::Es).expect("preview");
    let problems = problems_of(&preview);
    assert_eq!(
        problems,
        [
            (2, "correo", FieldProblem::InvalidEmail),
            // In Venezuela the comma is decimal: three decimals for dollars.
            (3, "monto", FieldProblem::TooManyDecimals),
            (4, "moneda", FieldProblem::UnknownCurrency),
            (5, "monto", FieldProblem::NotPositive),
            (5, "fecha de vencimiento", FieldProblem::DueBeforeIssue),
            (6, "documento", FieldProblem::DuplicateDocument),
            (7, "cliente", FieldProblem::TooLong),
        ]
    );
    let refused = import::import(&db, text.as_bytes(), &READING, Language::Es, &[])
        .expect_err("rows have problems");
    assert!(matches!(
        refused,
        ImportFailure::File(ImportError::RowsHaveProblems { count: 7 })
    ));
    assert_eq!(pending_total(&db), 0);
    assert_eq!(
        customers::list(&db, &CustomerQuery::default())
            .expect("customers")
            .total,
        0,
        "not even the good rows' customers"
    );
}

#[test]
fn customers_are_imported_and_ones_already_in_the_books_are_not_repeated() {
    let (_dir, db) = open();
    customers::create(
        &db,
        CustomerForm {
            name: "Taller Ruiz".into(),
            tax_id: "V-555".into(),
            ..CustomerForm::default()
        },
        Language::Es,
    )
    .expect("existing");
    let text = "\u{feff}Name,Email,Tax ID,Address,Language\n\
                Taller Ruiz C.A.,,v-555,,\n\
                Panadería Central,pan@central.com.ve,,\"Av. Bolívar\nLocal 3\",en\n";
    let preview = import::preview(&db, text.as_bytes(), &READING, Language::Es).expect("preview");
    assert_eq!(preview.kind, ImportKind::Customers);
    assert_eq!(preview.encoding, "UTF-8");
    assert_eq!(preview.new_customers, 1);
    assert!(!preview.sample[0].new_customer, "matched by tax id");
    assert_eq!(
        preview.sample[0].customer, "Taller Ruiz",
        "the preview shows the customer as the books have it"
    );
    assert_eq!(preview.differences.len(), 1, "{:?}", preview.differences);
    assert_eq!(preview.differences[0].kind, DifferenceKind::Name);
    import::import(
        &db,
        text.as_bytes(),
        &READING,
        Language::Es,
        &accept_all(&preview),
    )
    .expect("import");
    let found = customers::list(
        &db,
        &CustomerQuery {
            search: "central".into(),
            ..CustomerQuery::default()
        },
    )
    .expect("search");
    let central = &found.customers[0];
    assert_eq!(central.address.as_deref(), Some("Av. Bolívar\nLocal 3"));
    assert_eq!(central.email_language, Language::En);
    assert_eq!(
        customers::list(&db, &CustomerQuery::default())
            .expect("all")
            .total,
        2
    );
}

#[test]
fn files_that_are_not_lists_are_refused_whole() {
    let (_dir, db) = open();
    let refuse =
        |text: &str| import::preview(&db, text.as_bytes(), &READING, Language::Es).expect_err(text);
    assert!(matches!(
        refuse("a,b,c\n1,2,3\n"),
        ImportFailure::File(ImportError::UnknownColumns)
    ));
    assert!(matches!(
        refuse("cliente;monto\nAna;10\n"),
        ImportFailure::File(ImportError::MissingColumns { .. })
    ));
    assert!(matches!(
        refuse("nombre\n"),
        ImportFailure::File(ImportError::Empty)
    ));
}

#[test]
fn line_numbers_match_the_spreadsheet_whatever_the_line_endings() {
    let (_dir, db) = open();
    for ending in ["\n", "\r\n"] {
        let text = [
            "cliente;concepto;monto;fecha de vencimiento",
            "Ana;Pan;1,505;31/03/2026",
            "Bea;Pan;1;31/13/2026",
            "",
        ]
        .join(ending);
        let preview =
            import::preview(&db, text.as_bytes(), &READING, Language::Es).expect("preview");
        let lines: Vec<_> = preview
            .problems
            .iter()
            .map(|p| (p.line, p.column.as_str()))
            .collect();
        assert_eq!(
            lines,
            [(2, "monto"), (3, "fecha de vencimiento")],
            "{ending:?}"
        );
    }
}

#[test]
fn a_row_goes_to_its_tax_id_only_and_every_difference_is_shown_before_importing() {
    let (_dir, db) = open();
    let garcia = customer(&db, "José García", "V-1", "jose@garcia.com");
    let archived = customer(&db, "Bodega Vieja", "J-9", "");
    customers::set_archived(&db, archived, true).expect("archived");
    customer(&db, "Ana Pérez", "", "");
    customer(&db, "Ana Pérez", "", "");
    let text = "Cliente;RIF;Correo;Concepto;Monto;Fecha de vencimiento\n\
                José García;V-2;;Cemento;10;31/03/2026\n\
                Jose Garcia Ruiz;v-1;otro@garcia.com;Cabillas;20;31/03/2026\n\
                Bodega Vieja;J-9;;Harina;30;31/03/2026\n\
                Ana Pérez;;;Pan;40;31/03/2026\n\
                José García;;;Arroz;50;31/03/2026\n";
    let preview = import::preview(&db, text.as_bytes(), &READING, Language::Es).expect("preview");

    let problems = problems_of(&preview);
    assert_eq!(
        problems,
        [
            (5, "Cliente", FieldProblem::AmbiguousCustomer),
            (6, "Cliente", FieldProblem::AmbiguousCustomer),
        ],
        "two customers with that name: never a guess"
    );
    let differences = differences_of(&preview);
    assert_eq!(
        differences,
        [
            // A tax id that matches nobody is a new customer, never José García by name.
            (
                2,
                DifferenceKind::SimilarCustomer,
                "José García",
                "José García"
            ),
            // The tax id matches, the name and email do not: shown, the books' kept.
            (3, DifferenceKind::Name, "Jose Garcia Ruiz", "José García"),
            (
                3,
                DifferenceKind::Email,
                "otro@garcia.com",
                "jose@garcia.com"
            ),
            (4, DifferenceKind::Archived, "Bodega Vieja", "Bodega Vieja"),
        ]
    );
    assert!(preview.sample[0].new_customer);
    assert_eq!(preview.sample[1].customer, "José García");
    assert_eq!(
        preview.sample[1].email.as_deref(),
        Some("jose@garcia.com"),
        "the preview shows the email the customer keeps, not one that is then dropped"
    );

    // Without the ambiguous rows, and with every difference accepted, the rows go where the
    // preview said.
    let fixed: String = text
        .lines()
        .take(4)
        .map(|line| format!("{line}\n"))
        .collect();
    let preview = import::preview(&db, fixed.as_bytes(), &READING, Language::Es).expect("fixed");
    assert_eq!(preview.problems, []);
    let mut accepted = accept_all(&preview);
    accepted.retain(|a| a.kind != DifferenceKind::Archived);
    let refused = import::import(&db, fixed.as_bytes(), &READING, Language::Es, &accepted)
        .expect_err("the archived customer was not accepted");
    assert!(matches!(
        refused,
        ImportFailure::File(ImportError::DifferencesNotAccepted { count: 1 })
    ));
    import::import(
        &db,
        fixed.as_bytes(),
        &READING,
        Language::Es,
        &accept_all(&preview),
    )
    .expect("import");
    let of = |id| {
        receivables::of_customer(&db, id, &READING)
            .expect("receivables")
            .into_iter()
            .map(|r| r.concept)
            .collect::<Vec<_>>()
    };
    assert_eq!(of(garcia), ["Cabillas"]);
    assert_eq!(of(archived), ["Harina"]);
    let kept = customers::get(&db, garcia).expect("garcia");
    assert_eq!(
        (kept.name.as_str(), kept.email.as_deref()),
        ("José García", Some("jose@garcia.com"))
    );
    let new_garcia = customers::list(
        &db,
        &CustomerQuery {
            search: "V-2".into(),
            ..CustomerQuery::default()
        },
    )
    .expect("search");
    assert_eq!(new_garcia.total, 1, "a new José García, with tax id V-2");
    assert_eq!(of(new_garcia.customers[0].id), ["Cemento"]);
}

#[test]
fn an_acceptance_travels_as_line_and_kind() {
    let acceptance = Acceptance {
        line: 3,
        kind: DifferenceKind::SimilarCustomer,
    };
    assert_eq!(acceptance.to_string(), "3:similar_customer");
    assert_eq!("3:similar_customer".parse(), Ok(acceptance));
    assert_eq!("3:nombre".parse::<Acceptance>(), Err(()));
    assert_eq!("x:name".parse::<Acceptance>(), Err(()));
}
