//! CSV import of customers or receivables, as a shop's spreadsheet exports them. A preview
//! reports every row's problems (which block the import) and every difference between a row and
//! the customer it goes to (which the user accepts or fixes), and writes nothing; the import
//! re-reads the same file, re-plans it, and writes all of it in one transaction, or nothing.
//!
//! `sheet` reads the file, `matching` finds each row's customer, `plan` validates the rows.

mod matching;
mod plan;
mod sheet;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::dates::DateShown;
use super::money::Money;
use super::reading::Reading;
use super::{customers, receivables, BooksError};
use crate::db::Database;
use crate::locale::Language;
use crate::settings::SettingsError;
use crate::validation::FieldProblem;
use crate::wire;

/// A spreadsheet larger than this is not a small shop's list; refused before parsing.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
pub const MAX_ROWS: usize = 100_000;
const SAMPLE_ROWS: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Customers,
    Receivables,
}

/// Why a whole file is refused (its rows are never looked at). It crosses the IPC as it is
/// (`reason` and what each one carries), for the window to word.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, TS)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ImportError {
    #[error("the file is empty or has only a header")]
    Empty,
    #[error("the file is larger than {MAX_BYTES} bytes or {MAX_ROWS} rows")]
    TooLarge,
    #[error("the header names no known columns")]
    UnknownColumns,
    #[error("required columns are missing: {columns:?}")]
    MissingColumns { columns: Vec<String> },
    #[error("line {line} is not valid CSV: {message}")]
    Malformed {
        #[ts(type = "number")]
        line: u64,
        message: String,
    },
    #[error("{count} rows have problems; nothing was imported")]
    RowsHaveProblems { count: usize },
    /// The file differs from the books in ways the user has not accepted (or no longer the
    /// ways they accepted: the books changed since the preview).
    #[error("{count} differences with the books were not accepted; nothing was imported")]
    DifferencesNotAccepted { count: usize },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RowProblem {
    /// The file's line number, as a spreadsheet shows it (the header is line 1).
    #[ts(type = "number")]
    pub line: u64,
    /// The column's header as written in the file.
    pub column: String,
    pub problem: FieldProblem,
    /// What the problem is about, when the words need it (the currency's largest amount).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub detail: Option<String>,
}

/// What a row says that its customer in the books does not, or why its customer needs a look.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
pub enum DifferenceKind {
    /// Matched by tax id, but named otherwise: the books' name is kept.
    Name,
    /// Another email than the books have: the books' email is kept.
    Email,
    /// The customer is archived: the receivable goes to them all the same.
    Archived,
    /// No customer matches, but one has a similar name: a new customer is created beside it.
    SimilarCustomer,
}

/// A difference the preview shows, to accept (importing as it says) or fix in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RowDifference {
    #[ts(type = "number")]
    pub line: u64,
    pub kind: DifferenceKind,
    /// What the file says.
    pub in_file: String,
    /// What the customer in the books has ("" for no email).
    pub in_books: String,
}

/// The user's "yes" to one difference, named by line and kind (`3:email`), so a difference that
/// appears after the preview is never accepted by accident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Acceptance {
    pub line: u64,
    pub kind: DifferenceKind,
}

impl From<&RowDifference> for Acceptance {
    fn from(difference: &RowDifference) -> Self {
        Acceptance {
            line: difference.line,
            kind: difference.kind,
        }
    }
}

impl fmt::Display for Acceptance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, wire::code(&self.kind))
    }
}

impl FromStr for Acceptance {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        let (line, kind) = text.trim().split_once(':').ok_or(())?;
        Ok(Acceptance {
            line: line.parse().map_err(|_| ())?,
            kind: wire::from_code(kind).ok_or(())?,
        })
    }
}

/// One row as it will be imported, for the preview table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportRow {
    #[ts(type = "number")]
    pub line: u64,
    pub customer: String,
    pub email: Option<String>,
    pub document_number: Option<String>,
    pub concept: Option<String>,
    pub amount: Option<Money>,
    pub due_date: Option<DateShown>,
    /// The customer is not in the books yet and will be created.
    pub new_customer: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    pub kind: ImportKind,
    /// "UTF-8" or "Windows-1252".
    pub encoding: String,
    pub delimiter: String,
    #[ts(type = "number")]
    pub rows: u32,
    #[ts(type = "number")]
    pub new_customers: u32,
    #[ts(type = "number")]
    pub new_receivables: u32,
    pub problems: Vec<RowProblem>,
    pub differences: Vec<RowDifference>,
    /// The first rows, as they will be imported.
    pub sample: Vec<ImportRow>,
}

/// Which customer a planned receivable belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    Existing(i64),
    /// The n-th customer this file creates.
    New(usize),
}

#[derive(Debug)]
pub enum ImportFailure {
    File(ImportError),
    Books(BooksError),
    /// The business's settings (its default currency) could not be read.
    Settings(SettingsError),
}

impl From<SettingsError> for ImportFailure {
    fn from(err: SettingsError) -> Self {
        ImportFailure::Settings(err)
    }
}

impl From<BooksError> for ImportFailure {
    fn from(err: BooksError) -> Self {
        ImportFailure::Books(err)
    }
}

impl From<rusqlite::Error> for ImportFailure {
    fn from(err: rusqlite::Error) -> Self {
        ImportFailure::Books(err.into())
    }
}

impl From<ImportError> for ImportFailure {
    fn from(err: ImportError) -> Self {
        ImportFailure::File(err)
    }
}

/// Reads the file and reports what importing it would do; writes nothing.
pub fn preview(
    db: &Database,
    bytes: &[u8],
    reading: &Reading,
    default_language: Language,
) -> Result<ImportPreview, ImportFailure> {
    let sheet = sheet::Sheet::read(bytes)?;
    Ok(plan::plan(db, &sheet, reading, default_language)?.preview)
}

/// Imports the whole file in one transaction, or nothing: when any row has a problem, or when
/// a difference the preview showed is not among those `accepted`.
pub fn import(
    db: &Database,
    bytes: &[u8],
    reading: &Reading,
    default_language: Language,
    accepted: &[Acceptance],
) -> Result<ImportPreview, ImportFailure> {
    let sheet = sheet::Sheet::read(bytes)?;
    let plan = plan::plan(db, &sheet, reading, default_language)?;
    if !plan.preview.problems.is_empty() {
        return Err(ImportError::RowsHaveProblems {
            count: plan.preview.problems.len(),
        }
        .into());
    }
    let unaccepted = plan
        .preview
        .differences
        .iter()
        .filter(|difference| !accepted.contains(&Acceptance::from(*difference)))
        .count();
    if unaccepted > 0 {
        return Err(ImportError::DifferencesNotAccepted { count: unaccepted }.into());
    }
    db.write(|tx| -> Result<(), ImportFailure> {
        let mut created = Vec::with_capacity(plan.customers.len());
        for customer in &plan.customers {
            created.push(customers::insert(tx, customer)?);
        }
        for (owner, receivable) in &plan.receivables {
            let customer_id = match owner {
                Owner::Existing(id) => *id,
                Owner::New(index) => created[*index],
            };
            let valid = receivables::ValidReceivable {
                customer_id,
                ..receivable.clone()
            };
            receivables::insert(tx, &valid, reading)?;
        }
        Ok(())
    })?;
    Ok(plan.preview)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_acceptance_names_a_difference_kind_by_its_pinned_wire_name() {
        wire::assert_pinned(|kind| match kind {
            DifferenceKind::Name => "name",
            DifferenceKind::Email => "email",
            DifferenceKind::Archived => "archived",
            DifferenceKind::SimilarCustomer => "similar_customer",
        });
        for kind in <DifferenceKind as strum::VariantArray>::VARIANTS {
            let acceptance = Acceptance {
                line: 7,
                kind: *kind,
            };
            assert_eq!(acceptance.to_string().parse(), Ok(acceptance));
        }
    }
}
