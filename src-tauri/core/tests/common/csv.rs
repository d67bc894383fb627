//! The CSV tests' files and books (`csv.rs`: reading and importing; `csv_export.rs`: the
//! export and its way back): a fresh SQLite file, text as Spanish Excel saves it, the user's
//! answers to a preview, and what a preview says.

use cachicamo_core::books::customers::{self, CustomerForm};
use cachicamo_core::books::import::{Acceptance, DifferenceKind, ImportPreview};
use cachicamo_core::books::pending::{self, PendingQuery};
use cachicamo_core::books::reading::Reading;
use cachicamo_core::locale::Language;
use cachicamo_core::locale::Region;
use cachicamo_core::validation::FieldProblem;
use cachicamo_core::Database;
use time::macros::date;

pub const READING: Reading = Reading {
    region: Region::EsVe,
    today: date!(2026 - 03 - 20),
};

pub fn open() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().expect("dir");
    let db = Database::open(&dir.path().join("books.sqlite3")).expect("db");
    (dir, db)
}

/// As Excel in Spanish saves "CSV (delimitado por comas)": Windows-1252 and semicolons.
pub fn windows_1252(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

/// The user's "yes" to every difference the preview showed.
pub fn accept_all(preview: &ImportPreview) -> Vec<Acceptance> {
    preview.differences.iter().map(Acceptance::from).collect()
}

/// Each problem the preview lists: its line, column and what is wrong.
pub fn problems_of(preview: &ImportPreview) -> Vec<(u64, &str, FieldProblem)> {
    preview
        .problems
        .iter()
        .map(|p| (p.line, p.column.as_str(), p.problem))
        .collect()
}

/// Each difference with the books the preview lists: its line, kind, and both sides.
pub fn differences_of(preview: &ImportPreview) -> Vec<(u64, DifferenceKind, &str, &str)> {
    preview
        .differences
        .iter()
        .map(|d| (d.line, d.kind, d.in_file.as_str(), d.in_books.as_str()))
        .collect()
}

pub fn pending_total(db: &Database) -> u32 {
    pending::list(db, &PendingQuery::default(), &READING)
        .expect("pending")
        .total
}

pub const RECEIVABLES: &str = "Cliente;RIF;Número de documento;Concepto;Moneda;Monto;Fecha de emisión;Fecha de vencimiento\r\n\
Ferretería José Peña;J-12345678-9;F-0001;Cemento gris;USD;1.500,50;01/03/2026;31/03/2026\r\n\
Bodega La Esquina;;F-0002;Harina;VES;2.000;05/03/2026;15/03/2026\r\n\
FERRETERIA JOSE PENA;J-12345678-9;F-0003;\"Cabillas; 1/2\"\"\";USD;300;06/03/2026;06/04/2026\r\n";

pub fn customer(db: &Database, name: &str, tax_id: &str, email: &str) -> i64 {
    customers::create(
        db,
        CustomerForm {
            name: name.into(),
            tax_id: tax_id.into(),
            email: email.into(),
            ..CustomerForm::default()
        },
        Language::Es,
    )
    .expect("customer")
    .id
}
