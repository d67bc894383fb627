//! The books: customers, their receivables (cuentas por cobrar), payments (abonos) and money,
//! read in a region's writing on a given day (`reading`).
//!
//! Every user action that writes is one transaction. Rules live here, not in the commands or
//! the UI; the UI may check early for comfort, this module decides.

pub mod aging;
pub mod currency;
pub mod customers;
pub mod dates;
pub mod export;
pub mod history;
pub mod import;
pub mod money;
pub mod pauses;
pub mod payment_form;
pub mod payments;
pub mod pending;
pub mod rate;
pub mod reading;
pub mod receivables;
pub mod spreadsheet;
mod totals;
mod typing;

use rusqlite::Transaction;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::DbError;
use crate::validation::{FieldError, FieldErrors};

#[derive(Debug, thiserror::Error)]
pub enum BooksError {
    #[error("some fields are invalid: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: i64 },
    #[error("refused: {0:?}")]
    Refused(Refusal),
    /// Writing a file's contents in memory failed (a bug, not the user's doing).
    #[error("could not write the export: {0}")]
    Export(String),
    /// The emails waiting about the changed record could not be checked; nothing was written.
    #[error("the emails waiting about this record could not be checked: {0}")]
    WaitingMail(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Why an action is not allowed in the record's present state; the UI words each one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Customers with receivables are archived, never deleted.
    CustomerHasReceivables,
    /// Only a pending receivable can be edited, paid or voided.
    NotPending,
    /// The amount, currency and customer are corrected only while there are no payments;
    /// a receivable with payments is voided only after reversing them.
    HasPayments,
    AlreadyReversed,
    /// A payment of a voided receivable stays as it was.
    ReceivableVoid,
    /// The saved settings could not be written back.
    SettingsUnstorable,
    /// What is owed in a currency adds up past what the app can show (only a file edited by
    /// hand gets there: every write keeps totals within it).
    TotalTooLarge,
    /// The customer owes nothing: there is no statement to make.
    NothingOwed,
    /// The customer has no phone saved: WhatsApp cannot be opened for them.
    NoPhone,
}

/// Whoever keeps promises about the books elsewhere (reminders waiting in the outbox): told,
/// inside the very transaction that changed a receivable or a customer, so a message that no
/// longer tells the truth is cancelled or rewritten before anyone can send it. The books never
/// know who listens (the reminders module sits above them).
pub trait WaitingMail {
    /// A receivable's balance, status, customer or amounts may have changed.
    fn receivable_changed(
        &self,
        tx: &Transaction<'_>,
        receivable_id: i64,
    ) -> Result<(), BooksError>;
    /// A customer's registered address (or language) may have changed.
    fn customer_changed(&self, tx: &Transaction<'_>, customer_id: i64) -> Result<(), BooksError>;
}

impl From<rusqlite::Error> for BooksError {
    fn from(err: rusqlite::Error) -> Self {
        BooksError::Db(DbError::Sqlite(err))
    }
}

/// Why something is voided or reversed: required, kept in the history.
pub(crate) fn reason(text: &str, max: usize) -> Result<String, BooksError> {
    let mut errors = FieldErrors::default();
    match errors.required_text("reason", text, max) {
        Some(reason) if errors.is_empty() => Ok(reason),
        _ => Err(BooksError::Invalid(errors.into_vec())),
    }
}

/// Which page of a list to return; flattened into each list's query, so the wire stays
/// `{…, offset, limit}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Paging {
    #[ts(type = "number")]
    pub offset: u32,
    /// At most 200 per page; 0 means 50.
    #[ts(type = "number")]
    pub limit: u32,
}

impl Paging {
    /// How many rows this page holds at most (see [`page_size`]).
    pub(crate) fn size(self) -> u32 {
        page_size(self.limit)
    }
}

/// How many rows a list returns: 50 unless asked, never more than 200 (one screenful or a few).
pub(crate) fn page_size(asked: u32) -> u32 {
    match asked {
        0 => 50,
        n => n.min(200),
    }
}

/// A search text as a literal inside a `LIKE … ESCAPE '\\'` pattern ("100%" finds "100%").
pub(crate) fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Lower-case and without accents, for searching the way people type ("pena" finds "Peña").
pub fn search_key(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' | 'ã' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' | 'õ' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            other => other,
        })
        .collect()
}

/// What a refused form said, field by field, for tests to compare with what they expect.
#[cfg(test)]
pub(crate) fn field_problems(err: BooksError) -> Vec<(String, crate::validation::FieldProblem)> {
    let BooksError::Invalid(fields) = err else {
        panic!("expected field errors, got {err:?}");
    };
    fields.into_iter().map(|f| (f.field, f.problem)).collect()
}

#[cfg(test)]
mod tests {
    use super::history::HistoryKind;
    use super::payments::PaymentMethod;
    use super::receivables::ReceivableStatus;
    use crate::wire::assert_pinned;

    #[test]
    fn a_lists_page_arrives_flat_beside_its_query_and_defaults_to_the_first_50() {
        let asked: super::customers::CustomerQuery = serde_json::from_str(
            r#"{"search":"ana","includeArchived":true,"offset":50,"limit":500}"#,
        )
        .expect("query");
        assert_eq!(
            asked.page,
            super::Paging {
                offset: 50,
                limit: 500
            }
        );
        assert_eq!(asked.page.size(), 200, "never more than 200");
        let bare: super::pending::PendingQuery =
            serde_json::from_str(r#"{"search":"ana"}"#).expect("query");
        assert_eq!(bare.page, super::Paging::default());
        assert_eq!(bare.page.size(), 50);
    }

    #[test]
    fn stored_names_are_pinned() {
        assert_pinned(|status| match status {
            ReceivableStatus::Pending => "pending",
            ReceivableStatus::Paid => "paid",
            ReceivableStatus::Void => "void",
        });
        assert_pinned(|method| match method {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Transfer => "transfer",
            PaymentMethod::MobilePayment => "mobile_payment",
            PaymentMethod::Card => "card",
            PaymentMethod::Other => "other",
        });
        assert_pinned(|kind| match kind {
            HistoryKind::Created => "created",
            HistoryKind::Edited => "edited",
            HistoryKind::PaymentRecorded => "payment_recorded",
            HistoryKind::PaymentReversed => "payment_reversed",
            HistoryKind::Paid => "paid",
            HistoryKind::Reopened => "reopened",
            HistoryKind::Voided => "voided",
            HistoryKind::ReminderQueued => "reminder_queued",
            HistoryKind::StatementQueued => "statement_queued",
            HistoryKind::WhatsappOpened => "whatsapp_opened",
        });
    }

    #[test]
    fn search_keys_ignore_case_and_accents() {
        assert_eq!(
            super::search_key("Ferretería José PEÑA"),
            "ferreteria jose pena"
        );
    }
}
