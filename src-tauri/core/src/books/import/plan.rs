//! Planning an import: each row of a read `Sheet` validated as the forms validate, matched to its
//! customer by `matching`'s rules, and turned into what the import would write — or into the
//! problems and differences the preview reports. Writes nothing.

use std::collections::{HashMap, HashSet};

use super::matching::{self, Directory, Match};
use super::sheet::{Column, Record, Sheet};
use super::{
    ImportFailure, ImportKind, ImportPreview, ImportRow, Owner, RowDifference, RowProblem,
    SAMPLE_ROWS,
};
use crate::books::customers::{CustomerForm, ValidCustomer};
use crate::books::money::MAX_MINOR;
use crate::books::reading::Reading;
use crate::books::receivables::{self, ReceivableForm, ValidReceivable};
use crate::books::totals;
use crate::db::Database;
use crate::locale::Language;
use crate::validation::{FieldError, FieldProblem};

/// What the file would write.
pub(super) struct Plan {
    pub(super) preview: ImportPreview,
    pub(super) customers: Vec<ValidCustomer>,
    pub(super) receivables: Vec<(Owner, ValidReceivable)>,
}

/// One row's outcome while planning: its problems block the import, its differences need the
/// user's acceptance.
struct RowOutcome {
    problems: Vec<FieldError>,
    differences: Vec<matching::Difference>,
}

pub(super) fn plan(
    db: &Database,
    sheet: &Sheet,
    reading: &Reading,
    default_language: Language,
) -> Result<Plan, ImportFailure> {
    // A receivable without a currency column is in the business's default currency.
    let default_currency = crate::business::get(db)?.default_currency;
    db.read(|conn| {
        let mut planner = Planner {
            conn,
            sheet,
            reading,
            default_language,
            default_currency,
            directory: Directory::load(conn)?,
            customers: Vec::new(),
            receivables: Vec::new(),
            documents_in_file: HashSet::new(),
            owed: HashMap::new(),
        };
        let mut preview = ImportPreview {
            kind: sheet.kind,
            encoding: sheet.encoding.to_owned(),
            delimiter: (sheet.delimiter as char).to_string(),
            rows: u32::try_from(sheet.records.len()).unwrap_or(u32::MAX),
            new_customers: 0,
            new_receivables: 0,
            problems: Vec::new(),
            differences: Vec::new(),
            sample: Vec::new(),
        };
        for record in &sheet.records {
            let (row, outcome) = planner.row(record)?;
            for problem in outcome.problems {
                preview.problems.push(RowProblem {
                    line: record.line,
                    column: sheet.header(Column::of_field(&problem.field)),
                    problem: problem.problem,
                    detail: problem.detail,
                });
            }
            for difference in outcome.differences {
                preview.differences.push(RowDifference {
                    line: record.line,
                    kind: difference.kind,
                    in_file: difference.in_file,
                    in_books: difference.in_books,
                });
            }
            if preview.sample.len() < SAMPLE_ROWS {
                preview.sample.push(row);
            }
        }
        preview.new_customers = u32::try_from(planner.customers.len()).unwrap_or(u32::MAX);
        preview.new_receivables = u32::try_from(planner.receivables.len()).unwrap_or(u32::MAX);
        Ok(Plan {
            preview,
            customers: planner.customers,
            receivables: planner.receivables,
        })
    })
}

struct Planner<'a> {
    conn: &'a rusqlite::Connection,
    sheet: &'a Sheet,
    reading: &'a Reading,
    default_language: Language,
    default_currency: String,
    directory: Directory,
    customers: Vec<ValidCustomer>,
    receivables: Vec<(Owner, ValidReceivable)>,
    documents_in_file: HashSet<String>,
    /// What is owed per currency, the books' pending balances plus this file's receivables so
    /// far: the import may not take a total past what the app can add up.
    owed: HashMap<&'static str, i64>,
}

impl Planner<'_> {
    fn row(&mut self, record: &Record) -> Result<(ImportRow, RowOutcome), ImportFailure> {
        let cell = |column| self.sheet.cell(record, column);
        let mut outcome = RowOutcome {
            problems: Vec::new(),
            differences: Vec::new(),
        };
        let form = CustomerForm {
            name: cell(Column::Name).to_owned(),
            email: cell(Column::Email).to_owned(),
            phone: cell(Column::Phone).to_owned(),
            tax_id: cell(Column::TaxId).to_owned(),
            address: cell(Column::Address).to_owned(),
            notes: cell(Column::Notes).to_owned(),
            email_language: Language::from_locale(cell(Column::Language)),
        };
        let customer = match form.validate(self.default_language) {
            Ok(valid) => Some(valid),
            Err(crate::books::BooksError::Invalid(fields)) => {
                outcome.problems.extend(fields);
                None
            }
            Err(other) => return Err(other.into()),
        };
        let mut row = ImportRow {
            line: record.line,
            customer: cell(Column::Name).to_owned(),
            email: None,
            document_number: None,
            concept: None,
            amount: None,
            due_date: None,
            new_customer: false,
        };
        // The customer the row goes to, once matched: `None` while it is still to be created.
        let mut existing = None;
        if let Some(customer) = &customer {
            match self.directory.find(customer) {
                Match::Found(entry) => {
                    row.customer = entry.name.clone();
                    row.email = entry.email.clone();
                    outcome
                        .differences
                        .extend(matching::differences(customer, entry));
                    existing = Some(entry.owner);
                }
                Match::Nobody => {
                    row.email = customer.email.clone();
                    row.new_customer = true;
                    if let Some(similar) = self.directory.similar(customer) {
                        outcome.differences.push(matching::Difference {
                            kind: super::DifferenceKind::SimilarCustomer,
                            in_file: customer.name.clone(),
                            in_books: similar.name.clone(),
                        });
                    }
                }
                Match::Ambiguous { by_tax_id } => {
                    let field = if by_tax_id { "taxId" } else { "name" };
                    outcome.problems.push(FieldError {
                        field: field.into(),
                        problem: FieldProblem::AmbiguousCustomer,
                        detail: None,
                    });
                }
            }
        }
        let receivable = match self.sheet.kind {
            ImportKind::Customers => None,
            ImportKind::Receivables => self.receivable(record, &mut row, &mut outcome)?,
        };
        // Only a row without problems plans anything: its new customer, its receivable.
        if !outcome.problems.is_empty() {
            return Ok((row, outcome));
        }
        let owner = match (existing, customer) {
            (Some(owner), _) => Some(owner),
            (None, Some(customer)) => {
                let index = self.customers.len();
                self.directory.plan(&customer, index);
                self.customers.push(customer);
                Some(Owner::New(index))
            }
            (None, None) => None,
        };
        if let (Some(owner), Some(receivable)) = (owner, receivable) {
            self.receivables.push((owner, receivable));
        }
        Ok((row, outcome))
    }

    /// The row's receivable, validated as the form validates; `None` when it has problems.
    fn receivable(
        &mut self,
        record: &Record,
        row: &mut ImportRow,
        outcome: &mut RowOutcome,
    ) -> Result<Option<ValidReceivable>, ImportFailure> {
        let cell = |column| self.sheet.cell(record, column);
        let reading = self.reading;
        let form = ReceivableForm {
            // Matched by `row`; validation only needs one to be there.
            customer_id: Some(0),
            document_number: cell(Column::Document).to_owned(),
            concept: cell(Column::Concept).to_owned(),
            currency: match cell(Column::Currency) {
                "" => self.default_currency.clone(),
                code => code.to_owned(),
            },
            amount: cell(Column::Amount).to_owned(),
            issue_date: match cell(Column::IssueDate) {
                "" => reading.region.date(reading.today),
                date => date.to_owned(),
            },
            due_date: cell(Column::DueDate).to_owned(),
        };
        let valid = match form.validate(reading.region) {
            Ok(valid) => valid,
            Err(errors) => {
                outcome.problems.extend(errors.into_vec());
                return Ok(None);
            }
        };
        row.document_number = valid.document_number.clone();
        row.concept = Some(valid.concept.clone());
        row.amount = Some(reading.money(valid.amount, valid.currency));
        row.due_date = Some(reading.date(valid.due_date));
        if let Some(document) = &valid.document_number {
            let taken = receivables::document_taken(self.conn, Some(document), 0)?;
            if taken || !self.documents_in_file.insert(document.clone()) {
                outcome.problems.push(FieldError {
                    field: "documentNumber".into(),
                    problem: FieldProblem::DuplicateDocument,
                    detail: None,
                });
            }
        }
        let owed = match self.owed.get(valid.currency) {
            Some(owed) => *owed,
            None => totals::owed_in(self.conn, valid.currency)?,
        };
        match owed
            .checked_add(valid.amount)
            .filter(|sum| *sum <= MAX_MINOR)
        {
            Some(sum) if outcome.problems.is_empty() => {
                self.owed.insert(valid.currency, sum);
            }
            Some(_) => {}
            None => outcome.problems.push(FieldError {
                field: "amount".into(),
                problem: FieldProblem::TotalTooLarge,
                detail: Some(reading.money(MAX_MINOR, valid.currency).text),
            }),
        }
        Ok(outcome.problems.is_empty().then_some(valid))
    }
}
