//! Reading a CSV file the way a shop's spreadsheet writes it: UTF-8 or the Windows-1252 Spanish
//! Excel writes, comma, semicolon or tab, a header row in Spanish or English. Knows nothing of
//! the books: it yields the recognised columns and each row's cells with its spreadsheet line.

use std::collections::HashMap;

use super::{ImportError, ImportKind, MAX_BYTES, MAX_ROWS};
use crate::books::{search_key, spreadsheet};

/// The columns we recognise, by their accent-free, lower-case header in either language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Column {
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
    pub(super) fn of_field(field: &str) -> Column {
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

/// One data row: its line as a spreadsheet numbers it (the header is line 1) and its cells.
pub(super) struct Record {
    pub(super) line: u64,
    cells: csv::StringRecord,
}

/// The file, decoded and split, with its columns recognised.
pub(super) struct Sheet {
    pub(super) kind: ImportKind,
    pub(super) encoding: &'static str,
    pub(super) delimiter: u8,
    headers: HashMap<Column, (usize, String)>,
    pub(super) records: Vec<Record>,
}

impl Sheet {
    pub(super) fn read(bytes: &[u8]) -> Result<Sheet, ImportError> {
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
            return Err(ImportError::MissingColumns { columns: missing });
        }
        let mut records = Vec::new();
        let (mut counted, mut newlines) = (0_usize, 0_u64);
        for record in reader.records() {
            let cells = record.map_err(malformed)?;
            if cells.iter().all(str::is_empty) {
                continue;
            }
            if records.len() == MAX_ROWS {
                return Err(ImportError::TooLarge);
            }
            // Counted from the record's byte offset, because with Windows line endings (how
            // Excel writes) the csv crate ends a record at "\r" and starts the next at its "\n",
            // which its own line count misses. Counting through that byte covers both endings.
            let through = cells
                .position()
                .map_or(0, |p| p.byte() as usize + 1)
                .clamp(counted, text.len());
            newlines += bytecount(&text.as_bytes()[counted..through]);
            counted = through;
            records.push(Record {
                line: 1 + newlines,
                cells,
            });
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

    /// A row's cell in `column` ("" when the file has no such column), with the quote our own
    /// export put before formula characters taken off again.
    pub(super) fn cell<'r>(&self, record: &'r Record, column: Column) -> &'r str {
        let raw = self
            .headers
            .get(&column)
            .and_then(|(index, _)| record.cells.get(*index))
            .unwrap_or_default();
        spreadsheet::restore(raw)
    }

    /// The column's header as written in the file, for problems reported by line and column.
    pub(super) fn header(&self, column: Column) -> String {
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
