//! CSV import and export against a real SQLite file, with files as Spanish Excel writes them.

use cachicamo_core::books::customers::{self, CustomerForm, CustomerQuery};
use cachicamo_core::books::export;
use cachicamo_core::books::import::{self, ImportError, ImportFailure, ImportKind};
use cachicamo_core::books::money::Outlook;
use cachicamo_core::books::pending::{self, PendingQuery};
use cachicamo_core::books::region::Region;
use cachicamo_core::locale::Language;
use cachicamo_core::validation::FieldProblem;
use cachicamo_core::Database;
use time::macros::date;

const OUTLOOK: Outlook = Outlook {
    region: Region::EsVe,
    today: date!(2026 - 03 - 20),
};

fn open() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().expect("dir");
    let db = Database::open(&dir.path().join("books.sqlite3")).expect("db");
    (dir, db)
}

/// As Excel in Spanish saves "CSV (delimitado por comas)": Windows-1252 and semicolons.
fn windows_1252(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

fn pending_total(db: &Database) -> u32 {
    pending::list(db, &PendingQuery::default(), &OUTLOOK)
        .expect("pending")
        .total
}

const RECEIVABLES: &str = "Cliente;RIF;Número de documento;Concepto;Moneda;Monto;Fecha de emisión;Fecha de vencimiento\r\n\
Ferretería José Peña;J-12345678-9;F-0001;Cemento gris;USD;1.500,50;01/03/2026;31/03/2026\r\n\
Bodega La Esquina;;F-0002;Harina;VES;2.000;05/03/2026;15/03/2026\r\n\
FERRETERIA JOSE PENA;J-12345678-9;F-0003;\"Cabillas; 1/2\"\"\";USD;300;06/03/2026;06/04/2026\r\n";

#[test]
fn a_spanish_excel_file_is_previewed_without_writing_then_imported_whole() {
    let (_dir, db) = open();
    let bytes = windows_1252(RECEIVABLES);
    let preview = import::preview(&db, &bytes, &OUTLOOK, Language::Es).expect("preview");
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
    assert_eq!(pending_total(&db), 0, "a preview writes nothing");

    import::import(&db, &bytes, &OUTLOOK, Language::Es).expect("import");
    let page = pending::list(&db, &PendingQuery::default(), &OUTLOOK).expect("pending");
    assert_eq!(page.total, 3);
    let totals: Vec<_> = page.totals.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(totals, ["USD 1.800,50", "VES 2.000,00"]);
    let customers = customers::list(&db, &CustomerQuery::default()).expect("customers");
    assert_eq!(customers.total, 2);

    // Importing the same file again would duplicate every document: refused, whole.
    let again = import::import(&db, &bytes, &OUTLOOK, Language::Es).expect_err("duplicates");
    assert!(matches!(
        again,
        ImportFailure::File(ImportError::RowsHaveProblems(3))
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
    let preview = import::preview(&db, text.as_bytes(), &OUTLOOK, Language::Es).expect("preview");
    let problems: Vec<_> = preview
        .problems
        .iter()
        .map(|p| (p.line, p.column.as_str(), p.problem))
        .collect();
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
    let refused = import::import(&db, text.as_bytes(), &OUTLOOK, Language::Es)
        .expect_err("rows have problems");
    assert!(matches!(
        refused,
        ImportFailure::File(ImportError::RowsHaveProblems(7))
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
    let preview = import::preview(&db, text.as_bytes(), &OUTLOOK, Language::Es).expect("preview");
    assert_eq!(preview.kind, ImportKind::Customers);
    assert_eq!(preview.encoding, "UTF-8");
    assert_eq!(preview.new_customers, 1);
    assert!(!preview.sample[0].new_customer, "matched by tax id");
    import::import(&db, text.as_bytes(), &OUTLOOK, Language::Es).expect("import");
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
        |text: &str| import::preview(&db, text.as_bytes(), &OUTLOOK, Language::Es).expect_err(text);
    assert!(matches!(
        refuse("a,b,c\n1,2,3\n"),
        ImportFailure::File(ImportError::UnknownColumns)
    ));
    assert!(matches!(
        refuse("cliente;monto\nAna;10\n"),
        ImportFailure::File(ImportError::MissingColumns(_))
    ));
    assert!(matches!(
        refuse("nombre\n"),
        ImportFailure::File(ImportError::Empty)
    ));
}

#[test]
fn the_pending_export_opens_in_excel_and_imports_back() {
    let (_dir, db) = open();
    import::import(&db, &windows_1252(RECEIVABLES), &OUTLOOK, Language::Es).expect("import");
    let csv =
        export::pending_csv(&db, &PendingQuery::default(), &OUTLOOK, Language::Es).expect("export");
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let text = std::str::from_utf8(&csv[3..]).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "Cliente;Correo electrónico;Número de documento;Concepto;Moneda;Monto;Saldo;\
         Fecha de emisión;Fecha de vencimiento;Días vencida"
    );
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[1], "Bodega La Esquina;;F-0002;Harina;VES;2000,00;2000,00;05/03/2026;15/03/2026;5",
        "by due date, the region's decimal comma, no thousands separator"
    );

    let (_other, fresh) = open();
    import::import(&fresh, &csv, &OUTLOOK, Language::Es).expect("imports back");
    let page = pending::list(&fresh, &PendingQuery::default(), &OUTLOOK).expect("pending");
    let totals: Vec<_> = page.totals.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(totals, ["USD 1.800,50", "VES 2.000,00"]);
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
            import::preview(&db, text.as_bytes(), &OUTLOOK, Language::Es).expect("preview");
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
