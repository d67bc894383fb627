//! Pagos Pendientes as a CSV file for Excel: UTF-8 with a byte-order mark (without it Excel
//! reads UTF-8 as the local code page and mangles "Peña"), the region's separators, and the
//! same headers the import recognises, so an export can be imported elsewhere. Every cell goes
//! through `spreadsheet`'s CSV-injection rule: a customer named `=HYPERLINK(…)` is text in Excel.
//!
//! Antigüedad de saldos is a second file rather than lines above the list's header: a file of
//! receivables must stay one table the import (ours or a spreadsheet's) reads from its first line.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::aging::{self, AgingBucket};
use super::currency;
use super::pauses;
use super::pending::{self, PendingQuery};
use super::reading::Reading;
use super::receivables;
use super::spreadsheet::{neutralise, numeric};
use super::BooksError;
use crate::db::Database;
use crate::locale::Language;

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn headers(language: Language) -> [&'static str; 11] {
    match language {
        Language::Es => [
            "Cliente",
            "Correo electrónico",
            "Número de documento",
            "Concepto",
            "Moneda",
            "Monto",
            "Saldo",
            "Fecha de emisión",
            "Fecha de vencimiento",
            "Días vencida",
            "Pausa de cobranza",
        ],
        Language::En => [
            "Customer",
            "Email",
            "Document number",
            "Concept",
            "Currency",
            "Amount",
            "Balance",
            "Issue date",
            "Due date",
            "Days overdue",
            "Collection pause",
        ],
    }
}

/// The pending receivables `query` selects (all pages), in its order.
pub fn pending_csv(
    db: &Database,
    query: &PendingQuery,
    reading: &Reading,
    language: Language,
) -> Result<Vec<u8>, BooksError> {
    db.read(|conn| {
        let ids = pending::all_ids(conn, query, reading)?;
        let mut sheet = Sheet::new(reading, &headers(language))?;
        for id in ids {
            let row = receivables::find(conn, id, reading)?;
            let minor_units = currency::find(&row.amount.currency).map_or(2, |c| c.minor_units);
            let plain = |minor| reading.region.amount_for_files(minor, minor_units);
            let text = [
                row.customer_name.as_str(),
                row.customer_email.as_deref().unwrap_or_default(),
                row.document_number.as_deref().unwrap_or_default(),
                row.concept.as_str(),
                row.amount.currency.as_str(),
            ];
            let numbers = [
                plain(row.amount.minor),
                plain(row.balance.minor),
                row.issue_date.text.clone(),
                row.due_date.text.clone(),
                row.days_overdue.to_string(),
            ];
            let paused = pauses::describe(&row.pauses, language);
            let cells: Vec<_> = text
                .iter()
                .map(|cell| neutralise(cell))
                .chain(numbers.iter().map(|cell| numeric(cell)))
                .chain(std::iter::once(neutralise(&paused)))
                .collect();
            sheet.row(&cells)?;
        }
        sheet.finish()
    })
}

/// A CSV file as Excel opens it: a BOM, the region's separator, one header row.
struct Sheet(csv::Writer<Vec<u8>>);

impl Sheet {
    fn new(reading: &Reading, headers: &[&str]) -> Result<Self, BooksError> {
        let mut sheet = Sheet(
            csv::WriterBuilder::new()
                .delimiter(reading.region.csv_delimiter())
                .from_writer(BOM.to_vec()),
        );
        sheet.0.write_record(headers).map_err(export_failed)?;
        Ok(sheet)
    }

    /// One row of cells already made safe (`neutralise`, `numeric`).
    fn row(&mut self, cells: &[std::borrow::Cow<'_, str>]) -> Result<(), BooksError> {
        self.0
            .write_record(cells.iter().map(|cell| cell.as_bytes()))
            .map_err(export_failed)
    }

    fn finish(self) -> Result<Vec<u8>, BooksError> {
        self.0
            .into_inner()
            .map_err(|err| BooksError::Export(err.to_string()))
    }
}

fn export_failed(err: csv::Error) -> BooksError {
    BooksError::Export(err.to_string())
}

/// Writes the export into `dir` as `pagos-pendientes-<stamp>.csv` (never over an existing
/// file) and returns where.
pub fn write_pending_csv(
    db: &Database,
    query: &PendingQuery,
    reading: &Reading,
    language: Language,
    dir: &Path,
    now: time::OffsetDateTime,
) -> Result<PathBuf, BooksError> {
    let bytes = pending_csv(db, query, reading, language)?;
    let stem = match language {
        Language::Es => "pagos-pendientes",
        Language::En => "pending-payments",
    };
    write_new(dir, stem, now, &bytes)
}

fn aging_headers(language: Language) -> [&'static str; 4] {
    match language {
        Language::Es => ["Moneda", "Antigüedad", "Cuentas", "Saldo"],
        Language::En => ["Currency", "Aging", "Receivables", "Balance"],
    }
}

/// A bucket's name in the file, as the screen says it.
fn bucket_name(bucket: Option<AgingBucket>, language: Language) -> &'static str {
    match (bucket, language) {
        (Some(AgingBucket::NotYetDue), Language::Es) => "Por vencer",
        (Some(AgingBucket::NotYetDue), Language::En) => "Not yet due",
        (Some(AgingBucket::Days1To30), _) => "1–30",
        (Some(AgingBucket::Days31To60), _) => "31–60",
        (Some(AgingBucket::Days61To90), _) => "61–90",
        (Some(AgingBucket::Over90), Language::Es) => "Más de 90 días",
        (Some(AgingBucket::Over90), Language::En) => "Over 90 days",
        (None, Language::Es) => "Total",
        (None, Language::En) => "Total",
    }
}

/// Antigüedad de saldos of the whole book: for each currency, one line per bucket (oldest last)
/// and its total — a long table, which a spreadsheet pivots or sums without rearranging.
pub fn aging_csv(
    db: &Database,
    reading: &Reading,
    language: Language,
) -> Result<Vec<u8>, BooksError> {
    let lines = aging::summary(db, reading)?;
    let mut sheet = Sheet::new(reading, &aging_headers(language))?;
    for line in &lines {
        let minor_units = currency::find(&line.currency).map_or(2, |c| c.minor_units);
        let plain = |minor| reading.region.amount_for_files(minor, minor_units);
        let total_count: u32 = line.buckets.iter().map(|cell| cell.receivables).sum();
        let cells = line
            .buckets
            .iter()
            .map(|cell| (Some(cell.bucket), cell.receivables, cell.balance.minor))
            .chain([(None, total_count, line.total.minor)]);
        for (bucket, count, minor) in cells {
            let (count, amount) = (count.to_string(), plain(minor));
            let record = [
                neutralise(&line.currency),
                neutralise(bucket_name(bucket, language)),
                numeric(&count),
                numeric(&amount),
            ];
            sheet.row(&record)?;
        }
    }
    sheet.finish()
}

/// Writes Antigüedad de saldos into `dir` as `antiguedad-de-saldos-<stamp>.csv`.
pub fn write_aging_csv(
    db: &Database,
    reading: &Reading,
    language: Language,
    dir: &Path,
    now: time::OffsetDateTime,
) -> Result<PathBuf, BooksError> {
    let bytes = aging_csv(db, reading, language)?;
    let stem = match language {
        Language::Es => "antiguedad-de-saldos",
        Language::En => "aging",
    };
    write_new(dir, stem, now, &bytes)
}

/// `now` on the user's clock as a file name's stamp (`2026-11-30-0815`).
fn file_stamp(now: time::OffsetDateTime) -> Result<String, BooksError> {
    now.format(time::macros::format_description!(
        "[year]-[month]-[day]-[hour][minute]"
    ))
    .map_err(|err| BooksError::Export(err.to_string()))
}

/// Writes `bytes` into `dir` as `<stem>-<stamp>.csv`, stamped with `now` on the user's clock,
/// never over an existing file (a second export that minute gets " (2)").
fn write_new(
    dir: &Path,
    stem: &str,
    now: time::OffsetDateTime,
    bytes: &[u8],
) -> Result<PathBuf, BooksError> {
    let stamp = file_stamp(now)?;
    write_unique(dir, &format!("{stem}-{stamp}"), "csv", bytes)
}

/// Writes `bytes` into `dir` as `<stem>.<extension>`, never over an existing file: the user's
/// folder may hold one of that name already, so the next free " (2)", " (3)"… is taken.
pub(crate) fn write_unique(
    dir: &Path,
    stem: &str,
    extension: &str,
    bytes: &[u8],
) -> Result<PathBuf, BooksError> {
    let failed = |err: std::io::Error| BooksError::Export(format!("{}: {err}", dir.display()));
    std::fs::create_dir_all(dir).map_err(failed)?;
    for attempt in 1..1000 {
        let name = match attempt {
            1 => format!("{stem}.{extension}"),
            n => format!("{stem} ({n}).{extension}"),
        };
        let path = dir.join(name);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                file.write_all(bytes).map_err(failed)?;
                return Ok(path);
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(failed(err)),
        }
    }
    Err(BooksError::Export(format!(
        "{}: too many exports with the same name",
        dir.display()
    )))
}
