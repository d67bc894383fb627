//! CSV import of customers or receivables, as a shop's spreadsheet exports them: UTF-8 or the
//! Windows-1252 Spanish Excel writes, comma or semicolon, the region's amounts and dates, a
//! header row in Spanish or English. A preview reports every row's problems and writes nothing;
//! the import re-reads the same file and writes all of it in one transaction, or nothing.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use ts_rs::TS;

use super::customers::{self, CustomerForm};
use super::money::{DateShown, Money, Outlook};
use super::receivables::{self, ReceivableForm};
use super::{search_key, BooksError};
use crate::db::Database;
use crate::locale::Language;
use crate::validation::{FieldError, FieldProblem};

/// A spreadsheet larger than this is not a small shop's list; refused before parsing.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
const MAX_ROWS: usize = 100_000;
const SAMPLE_ROWS: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Customers,
    Receivables,
}

/// Why a whole file is refused (its rows are never looked at).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is empty or has only a header")]
    Empty,
    #[error("the file is larger than {MAX_BYTES} bytes or {MAX_ROWS} rows")]
    TooLarge,
    #[error("the header names no known columns")]
    UnknownColumns,
    #[error("required columns are missing: {0:?}")]
    MissingColumns(Vec<String>),
    #[error("line {line} is not valid CSV: {message}")]
    Malformed { line: u64, message: String },
    #[error("{0} rows have problems; nothing was imported")]
    RowsHaveProblems(usize),
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
    /// The first rows, as they will be imported.
    pub sample: Vec<ImportRow>,
}

#[derive(Debug)]
pub enum ImportFailure {
    File(ImportError),
    Books(BooksError),
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

/// The columns we recognise, by their accent-free, lower-case header in either language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    Name,
    Email,
    Phone,
    TaxId,
    Address,
    Notes,
    Language,
    Document,
    Concept,
    Currency,
    Amount,
    IssueDate,
    DueDate,
}

impl Column {
    fn recognise(header: &str) -> Option<Column> {
        let key = search_key(header.trim().trim_start_matches('\u{feff}'));
        Some(match key.as_str() {
            "nombre" | "cliente" | "name" | "customer" | "razon social" => Column::Name,
            "correo" | "correo electronico" | "email" | "e-mail" => Column::Email,
            "telefono" | "phone" => Column::Phone,
            "identificacion fiscal"
            | "rif"
            | "nit"
            | "rfc"
            | "cuit"
            | "ruc"
            | "rut"
            | "nif"
            | "tax id" => Column::TaxId,
            "direccion" | "address" => Column::Address,
            "notas" | "notes" => Column::Notes,
            "idioma" | "idioma de los correos" | "language" | "email language" => Column::Language,
            "numero de documento"
            | "documento"
            | "factura"
            | "document number"
            | "document"
            | "invoice" => Column::Document,
            "concepto" | "concept" | "descripcion" | "description" => Column::Concept,
            "moneda" | "currency" => Column::Currency,
            "monto" | "importe" | "amount" => Column::Amount,
            "fecha de emision" | "emision" | "fecha" | "issue date" | "date" => Column::IssueDate,
            "fecha de vencimiento" | "vencimiento" | "due date" | "due" => Column::DueDate,
            _ => return None,
        })
    }

    /// Which column a form field's problem belongs to.
    fn of_field(field: &str) -> Column {
        match field {
            "email" => Column::Email,
            "phone" => Column::Phone,
            "taxId" => Column::TaxId,
            "address" => Column::Address,
            "notes" => Column::Notes,
            "documentNumber" => Column::Document,
            "concept" => Column::Concept,
            "currency" => Column::Currency,
            "amount" => Column::Amount,
            "issueDate" => Column::IssueDate,
            "dueDate" => Column::DueDate,
            _ => Column::Name,
        }
    }
}

/// The file, decoded and split, with its columns recognised.
struct Sheet {
    kind: ImportKind,
    encoding: &'static str,
    delimiter: u8,
    headers: HashMap<Column, (usize, String)>,
    records: Vec<(u64, csv::StringRecord)>,
}

impl Sheet {
    fn read(bytes: &[u8]) -> Result<Sheet, ImportError> {
        if bytes.len() > MAX_BYTES {
            return Err(ImportError::TooLarge);
        }
        let (text, encoding) = decode(bytes);
        let delimiter = sniff_delimiter(&text);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let malformed = |err: csv::Error| ImportError::Malformed {
            line: err.position().map_or(0, csv::Position::line),
            message: err.to_string(),
        };
        let mut headers = HashMap::new();
        for (index, header) in reader.headers().map_err(malformed)?.iter().enumerate() {
            if let Some(column) = Column::recognise(header) {
                headers.entry(column).or_insert((index, header.to_owned()));
            }
        }
        let kind = if headers.contains_key(&Column::Amount) {
            ImportKind::Receivables
        } else if headers.contains_key(&Column::Name) {
            ImportKind::Customers
        } else {
            return Err(ImportError::UnknownColumns);
        };
        let required: &[(Column, &str)] = match kind {
            ImportKind::Customers => &[(Column::Name, "Nombre")],
            ImportKind::Receivables => &[
                (Column::Name, "Cliente"),
                (Column::Concept, "Concepto"),
                (Column::Amount, "Monto"),
                (Column::DueDate, "Fecha de vencimiento"),
            ],
        };
        let missing: Vec<String> = required
            .iter()
            .filter(|(column, _)| !headers.contains_key(column))
            .map(|(_, name)| (*name).to_owned())
            .collect();
        if !missing.is_empty() {
            return Err(ImportError::MissingColumns(missing));
        }
        let mut records = Vec::new();
        let (mut counted, mut newlines) = (0_usize, 0_u64);
        for record in reader.records() {
            let record = record.map_err(malformed)?;
            if record.iter().all(str::is_empty) {
                continue;
            }
            if records.len() == MAX_ROWS {
                return Err(ImportError::TooLarge);
            }
            // Counted from the record's byte offset, because with Windows line endings (how
            // Excel writes) the csv crate ends a record at "\r" and starts the next at its "\n",
            // which its own line count misses. Counting through that byte covers both endings.
            let through = record
                .position()
                .map_or(0, |p| p.byte() as usize + 1)
                .clamp(counted, text.len());
            newlines += bytecount(&text.as_bytes()[counted..through]);
            counted = through;
            records.push((1 + newlines, record));
        }
        if records.is_empty() {
            return Err(ImportError::Empty);
        }
        Ok(Sheet {
            kind,
            encoding,
            delimiter,
            headers,
            records,
        })
    }

    fn cell<'r>(&self, record: &'r csv::StringRecord, column: Column) -> &'r str {
        self.headers
            .get(&column)
            .and_then(|(index, _)| record.get(*index))
            .unwrap_or_default()
    }

    fn header(&self, column: Column) -> String {
        self.headers
            .get(&column)
            .map(|(_, header)| header.clone())
            .unwrap_or_default()
    }
}

fn bytecount(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|byte| **byte == b'\n').count() as u64
}

/// UTF-8 when the bytes are UTF-8 (with or without a BOM); otherwise Windows-1252, which every
/// byte sequence decodes as and which is what Excel in Spanish writes.
fn decode(bytes: &[u8]) -> (String, &'static str) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), "UTF-8"),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), "Windows-1252")
        }
    }
}

/// The header line's most frequent separator outside quotes: Excel uses ";" where the decimal
/// separator is a comma.
fn sniff_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    let mut quoted = false;
    let mut counts = [(b';', 0), (b',', 0), (b'\t', 0)];
    for byte in header.bytes() {
        if byte == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(count) = counts.iter_mut().find(|(d, _)| *d == byte) {
                count.1 += 1;
            }
        }
    }
    counts
        .iter()
        .max_by_key(|(delimiter, count)| (*count, *delimiter == b','))
        .map_or(b',', |(delimiter, _)| *delimiter)
}

/// What the file would write: each row validated as the forms validate, customers matched.
struct Plan {
    preview: ImportPreview,
    customers: Vec<customers::ValidCustomer>,
    /// Each receivable with the index of its customer: existing (`Ok(id)`) or new (`Err(i)`).
    receivables: Vec<(Result<i64, usize>, receivables::ValidReceivable)>,
}

fn plan(
    db: &Database,
    sheet: &Sheet,
    outlook: &Outlook,
    default_language: Language,
) -> Result<Plan, BooksError> {
    let mut preview = ImportPreview {
        kind: sheet.kind,
        encoding: sheet.encoding.to_owned(),
        delimiter: (sheet.delimiter as char).to_string(),
        rows: u32::try_from(sheet.records.len()).unwrap_or(u32::MAX),
        new_customers: 0,
        new_receivables: 0,
        problems: Vec::new(),
        sample: Vec::new(),
    };
    let known = db.read(known_customers)?;
    // A receivable without a currency column is in the business's default currency.
    let default_currency = crate::business::get(db)
        .map(|business| business.default_currency)
        .unwrap_or_else(|_| "USD".to_owned());
    let mut new_customers: Vec<customers::ValidCustomer> = Vec::new();
    let mut new_by_key: HashMap<String, usize> = HashMap::new();
    let mut receivables_planned = Vec::new();
    let mut documents_in_file: HashSet<String> = HashSet::new();

    for (line, record) in &sheet.records {
        let mut problems: Vec<FieldError> = Vec::new();
        let form = CustomerForm {
            name: sheet.cell(record, Column::Name).to_owned(),
            email: sheet.cell(record, Column::Email).to_owned(),
            phone: sheet.cell(record, Column::Phone).to_owned(),
            tax_id: sheet.cell(record, Column::TaxId).to_owned(),
            address: sheet.cell(record, Column::Address).to_owned(),
            notes: sheet.cell(record, Column::Notes).to_owned(),
            email_language: Language::from_locale(sheet.cell(record, Column::Language)),
        };
        let customer = match form.validate(default_language) {
            Ok(valid) => Some(valid),
            Err(BooksError::Invalid(fields)) => {
                problems.extend(fields);
                None
            }
            Err(other) => return Err(other),
        };
        let mut row = ImportRow {
            line: *line,
            customer: sheet.cell(record, Column::Name).to_owned(),
            email: customer.as_ref().and_then(|c| c.email.clone()),
            document_number: None,
            concept: None,
            amount: None,
            due_date: None,
            new_customer: false,
        };
        let existing = customer.as_ref().and_then(|c| known.find(c));
        match sheet.kind {
            ImportKind::Customers => {
                if let (Some(customer), None) = (customer, existing) {
                    let key = CustomerKey::of(&customer);
                    if problems.is_empty() && !new_by_key.contains_key(&key.0) {
                        new_by_key.insert(key.0, new_customers.len());
                        new_customers.push(customer);
                        row.new_customer = true;
                    }
                }
            }
            ImportKind::Receivables => {
                let currency = match sheet.cell(record, Column::Currency) {
                    "" => default_currency.clone(),
                    code => code.to_owned(),
                };
                let form = ReceivableForm {
                    // Matched below; validation only needs one to be there.
                    customer_id: Some(0),
                    document_number: sheet.cell(record, Column::Document).to_owned(),
                    concept: sheet.cell(record, Column::Concept).to_owned(),
                    currency,
                    amount: sheet.cell(record, Column::Amount).to_owned(),
                    issue_date: match sheet.cell(record, Column::IssueDate) {
                        "" => outlook.region.date(outlook.today),
                        date => date.to_owned(),
                    },
                    due_date: sheet.cell(record, Column::DueDate).to_owned(),
                };
                match form.validate(outlook.region) {
                    Ok(mut valid) => {
                        row.document_number = valid.document_number.clone();
                        row.concept = Some(valid.concept.clone());
                        row.amount = Some(outlook.money(valid.amount, valid.currency));
                        row.due_date = Some(outlook.date(valid.due_date));
                        if let Some(document) = &valid.document_number {
                            let taken = db.read(|conn| {
                                receivables::document_taken(conn, Some(document), 0)
                            })?;
                            if taken || !documents_in_file.insert(document.clone()) {
                                problems.push(FieldError {
                                    field: "documentNumber".into(),
                                    problem: FieldProblem::DuplicateDocument,
                                    detail: None,
                                });
                            }
                        }
                        let owner = match (existing, customer) {
                            (Some(id), _) => Some(Ok(id)),
                            (None, Some(customer)) => {
                                let key = CustomerKey::of(&customer);
                                row.new_customer = true;
                                Some(Err(match new_by_key.get(&key.0) {
                                    Some(index) => *index,
                                    None if problems.is_empty() => {
                                        new_by_key.insert(key.0, new_customers.len());
                                        new_customers.push(customer);
                                        new_customers.len() - 1
                                    }
                                    None => usize::MAX,
                                }))
                            }
                            (None, None) => None,
                        };
                        if let (Some(owner), true) = (owner, problems.is_empty()) {
                            valid.customer_id = 0;
                            receivables_planned.push((owner, valid));
                        }
                    }
                    Err(errors) => problems.extend(errors.into_vec()),
                }
            }
        }
        for problem in problems {
            preview.problems.push(RowProblem {
                line: *line,
                column: sheet.header(Column::of_field(&problem.field)),
                problem: problem.problem,
            });
        }
        if preview.sample.len() < SAMPLE_ROWS {
            preview.sample.push(row);
        }
    }
    preview.new_customers = u32::try_from(new_customers.len()).unwrap_or(u32::MAX);
    preview.new_receivables = u32::try_from(receivables_planned.len()).unwrap_or(u32::MAX);
    Ok(Plan {
        preview,
        customers: new_customers,
        receivables: receivables_planned,
    })
}

/// Reads the file and reports what importing it would do; writes nothing.
pub fn preview(
    db: &Database,
    bytes: &[u8],
    outlook: &Outlook,
    default_language: Language,
) -> Result<ImportPreview, ImportFailure> {
    let sheet = Sheet::read(bytes)?;
    Ok(plan(db, &sheet, outlook, default_language)?.preview)
}

/// Imports the whole file in one transaction, or nothing when any row has a problem.
pub fn import(
    db: &Database,
    bytes: &[u8],
    outlook: &Outlook,
    default_language: Language,
) -> Result<ImportPreview, ImportFailure> {
    let sheet = Sheet::read(bytes)?;
    let plan = plan(db, &sheet, outlook, default_language)?;
    if !plan.preview.problems.is_empty() {
        return Err(ImportError::RowsHaveProblems(plan.preview.problems.len()).into());
    }
    db.write(|tx| -> Result<(), ImportFailure> {
        let mut created = Vec::with_capacity(plan.customers.len());
        for customer in &plan.customers {
            created.push(customers::insert(tx, customer)?);
        }
        for (owner, receivable) in &plan.receivables {
            let customer_id = match owner {
                Ok(id) => *id,
                Err(index) => created[*index],
            };
            let valid = receivables::ValidReceivable {
                customer_id,
                ..receivable.clone()
            };
            receivables::insert(tx, &valid)?;
        }
        Ok(())
    })?;
    Ok(plan.preview)
}

/// How a row's customer is recognised as one already in the books: the tax id when there is
/// one, else the accent-free name.
struct CustomerKey(String);

impl CustomerKey {
    fn of(customer: &customers::ValidCustomer) -> CustomerKey {
        CustomerKey(match &customer.tax_id {
            Some(tax_id) => format!("tax:{}", search_key(tax_id)),
            None => format!("name:{}", search_key(&customer.name)),
        })
    }
}

struct KnownCustomers {
    by_tax_id: HashMap<String, i64>,
    by_name: HashMap<String, i64>,
}

impl KnownCustomers {
    fn find(&self, customer: &customers::ValidCustomer) -> Option<i64> {
        customer
            .tax_id
            .as_ref()
            .and_then(|tax_id| self.by_tax_id.get(&search_key(tax_id)))
            .or_else(|| self.by_name.get(&search_key(&customer.name)))
            .copied()
    }
}

fn known_customers(conn: &rusqlite::Connection) -> Result<KnownCustomers, BooksError> {
    let mut statement = conn.prepare("SELECT id, name, tax_id FROM customers ORDER BY id")?;
    let mut rows = statement.query([])?;
    let mut known = KnownCustomers {
        by_tax_id: HashMap::new(),
        by_name: HashMap::new(),
    };
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let name: String = row.get(1)?;
        let tax_id: Option<String> = row.get(2)?;
        if let Some(tax_id) = tax_id {
            known.by_tax_id.entry(search_key(&tax_id)).or_insert(id);
        }
        known.by_name.entry(search_key(&name)).or_insert(id);
    }
    Ok(known)
}
