//! Pagos Pendientes as a CSV file for Excel: UTF-8 with a byte-order mark (without it Excel
//! reads UTF-8 as the local code page and mangles "Peña"), the region's separators, and the
//! same headers the import recognises, so an export can be imported elsewhere. Every cell goes
//! through `spreadsheet`'s CSV-injection rule: a customer named `=HYPERLINK(…)` is text in Excel.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::currency;
use super::pending::{self, PendingQuery};
use super::reading::Reading;
use super::receivables;
use super::spreadsheet::{neutralise, numeric};
use super::BooksError;
use crate::db::Database;
use crate::locale::Language;

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn headers(language: Language) -> [&'static str; 10] {
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
        let mut writer = csv::WriterBuilder::new()
            .delimiter(reading.region.csv_delimiter())
            .from_writer(BOM.to_vec());
        let written = |err: csv::Error| BooksError::Export(err.to_string());
        writer.write_record(headers(language)).map_err(written)?;
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
            let cells: Vec<_> = text
                .iter()
                .map(|cell| neutralise(cell))
                .chain(numbers.iter().map(|cell| numeric(cell)))
                .collect();
            writer
                .write_record(cells.iter().map(|cell| cell.as_bytes()))
                .map_err(written)?;
        }
        writer
            .into_inner()
            .map_err(|err| BooksError::Export(err.to_string()))
    })
}

/// Writes the export into `dir` as `pagos-pendientes-<date>-<time>.csv`, stamped with `now` on
/// the user's clock (never over an existing file), and returns where.
pub fn write_pending_csv(
    db: &Database,
    query: &PendingQuery,
    reading: &Reading,
    language: Language,
    dir: &Path,
    now: time::OffsetDateTime,
) -> Result<PathBuf, BooksError> {
    let stamp = now
        .format(time::macros::format_description!(
            "[year]-[month]-[day]-[hour][minute]"
        ))
        .map_err(|err| BooksError::Export(err.to_string()))?;
    let stamp = stamp.as_str();
    let bytes = pending_csv(db, query, reading, language)?;
    let failed = |err: std::io::Error| BooksError::Export(format!("{}: {err}", dir.display()));
    std::fs::create_dir_all(dir).map_err(failed)?;
    let stem = match language {
        Language::Es => "pagos-pendientes",
        Language::En => "pending-payments",
    };
    for attempt in 1..1000 {
        let name = match attempt {
            1 => format!("{stem}-{stamp}.csv"),
            n => format!("{stem}-{stamp} ({n}).csv"),
        };
        let path = dir.join(name);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                file.write_all(&bytes).map_err(failed)?;
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
