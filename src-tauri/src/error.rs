//! The wire contract for errors crossing the IPC: `{ "code", "message", "details" }`.
//!
//! `code` is a small, stable set the UI turns into localized, actionable words; `message` is an
//! English fallback for logs and bug reports; `details` carries provider or file specifics for the
//! "Detalles" view. Never put a secret in any of them.

use std::collections::BTreeMap;

use cachicamo_core::backup::BackupError;
use cachicamo_core::books::import::{ImportError, ImportFailure};
use cachicamo_core::books::{BooksError, Refusal};
use cachicamo_core::data_lock::LockError;
use cachicamo_core::mail::config::FormError;
use cachicamo_core::mail::service::EmailServiceError;
use cachicamo_core::mail::store::StoreError;
use cachicamo_core::mail::MailError;
use cachicamo_core::outbox::OutboxError;
use cachicamo_core::reminders::ReminderError;
use cachicamo_core::secrets::SecretError;
use cachicamo_core::settings::SettingsError;
use cachicamo_core::statements::StatementError;
use cachicamo_core::validation::{FieldError, FieldProblem};
use cachicamo_core::whatsapp::WhatsAppError;
use cachicamo_core::DbError;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The database was written by a newer Cachicamo; this one refuses to touch it.
    DatabaseTooNew,
    /// Another Cachicamo process (another install, or one started on the same
    /// `CACHICAMO_DATA_DIR`) is using the data directory; `details.dir` names it.
    DataInUse,
    /// The database file could not be opened, read or written.
    Storage,
    /// The user's input was refused; `details` maps each refused field to its problem
    /// (`FieldProblem`, e.g. `{"senderAddress": "invalid_email"}`).
    InvalidInput,
    /// The SMTP port usually speaks the other security mode; `details.port`, `details.security`.
    /// Saving again with consent goes ahead.
    SmtpPortMismatch,
    /// The email provider refused or could not be reached; `details.failure` is a `MailFailure`,
    /// `details.class` a `FailureClass`, plus the provider's own code and message.
    EmailFailed,
    /// No email service is configured yet.
    EmailNotConfigured,
    /// The email service is configured but no secret typed for its destination is in the
    /// keychain (gone, or typed for another server): it must be typed again.
    EmailSecretMissing,
    /// The saved email service is not valid (a restored or edited database): it is not used,
    /// and must be set up again. `details.fields` names what the form would refuse.
    EmailConfigInvalid,
    /// There is no keychain on this system (no Secret Service on Linux).
    KeychainUnavailable,
    /// The keychain is locked or access was refused.
    KeychainLocked,
    /// The keychain failed for another reason.
    KeychainFailed,
    /// Looking for, downloading or installing an update failed (offline, bad signature…).
    UpdateFailed,
    /// A file offered for restore was refused before anything changed; `details.reason` says
    /// why: `not_sqlite`, `damaged`, `not_cachicamo`, `too_new` (with `found`, `supported`),
    /// `too_large` (with `size`, `limit` in bytes) or `unexpected_schema` (with `kind`: table,
    /// index, trigger, view or other; `name`; `difference`: unknown, changed or missing; and
    /// `more`, how many other objects differ).
    BackupRefused,
    /// A CSV file was refused as a whole; `details.reason`: `empty`, `too_large`,
    /// `unknown_columns`, `missing_columns` (+ `columns`), `malformed` (+ `line`),
    /// `rows_have_problems` (+ `count`).
    ImportRefused,
    /// The record asked for does not exist (deleted meanwhile).
    NotFound,
    /// The action is not allowed in the record's state; `details.reason` is a `Refusal`.
    Refused,
    /// The system could not open a link (no browser or WhatsApp handler): `details.url` names it.
    OpenFailed,
    /// A bug: nothing the user can fix.
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    pub details: BTreeMap<String, String>,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: BTreeMap::new(),
        }
    }

    /// One refused field, as `invalid_input` reports it for whole forms.
    pub fn field(field: &str, problem: FieldProblem) -> Self {
        invalid_fields(vec![FieldError {
            field: field.to_owned(),
            problem,
            detail: None,
        }])
    }

    pub fn with_detail(mut self, key: &str, value: impl Into<String>) -> Self {
        self.details.insert(key.to_owned(), value.into());
        self
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for IpcError {}

impl From<&DbError> for IpcError {
    fn from(err: &DbError) -> Self {
        match err {
            DbError::TooNew {
                path,
                found,
                supported,
            } => IpcError::new(ErrorCode::DatabaseTooNew, err.to_string())
                .with_detail("path", path.display().to_string())
                .with_detail("found", found.to_string())
                .with_detail("supported", supported.to_string()),
            DbError::Open { path, .. } => IpcError::new(ErrorCode::Storage, err.to_string())
                .with_detail("path", path.display().to_string()),
            DbError::File { path, .. } => IpcError::new(ErrorCode::Storage, err.to_string())
                .with_detail("path", path.display().to_string()),
            DbError::Migration(_) | DbError::Sqlite(_) | DbError::Busy => {
                IpcError::new(ErrorCode::Storage, err.to_string())
            }
        }
    }
}

impl From<DbError> for IpcError {
    fn from(err: DbError) -> Self {
        IpcError::from(&err)
    }
}

impl From<LockError> for IpcError {
    fn from(err: LockError) -> Self {
        match &err {
            LockError::InUse { dir } => IpcError::new(ErrorCode::DataInUse, err.to_string())
                .with_detail("dir", dir.display().to_string()),
            LockError::Io { dir, .. } => IpcError::new(ErrorCode::Storage, err.to_string())
                .with_detail("path", dir.display().to_string()),
        }
    }
}

impl From<MailError> for IpcError {
    fn from(err: MailError) -> Self {
        let mut ipc = IpcError::new(ErrorCode::EmailFailed, err.to_string())
            .with_detail("failure", err.failure.code())
            .with_detail("class", format!("{:?}", err.class()).to_lowercase())
            .with_detail("provider", err.provider.code());
        if let Some(code) = &err.provider_code {
            ipc = ipc.with_detail("providerCode", code.clone());
        }
        if let Some(message) = &err.provider_message {
            ipc = ipc.with_detail("providerMessage", message.clone());
        }
        if let Some(wait) = err.retry_after {
            ipc = ipc.with_detail("retryAfterSecs", wait.as_secs().to_string());
        }
        ipc
    }
}

impl From<SecretError> for IpcError {
    fn from(err: SecretError) -> Self {
        let code = match &err {
            SecretError::Unavailable { .. } => ErrorCode::KeychainUnavailable,
            SecretError::Locked { .. } => ErrorCode::KeychainLocked,
            SecretError::Failed { .. } | SecretError::InstallId { .. } => ErrorCode::KeychainFailed,
        };
        IpcError::new(code, err.to_string())
    }
}

/// `invalid_input`, with each refused field mapped to its problem, and what the problem is about
/// (an unknown variable's name) under `<field>.detail`.
fn invalid_fields(fields: Vec<FieldError>) -> IpcError {
    let mut ipc = IpcError::new(ErrorCode::InvalidInput, "some fields are invalid");
    for field in fields {
        let problem = serde_json::to_value(field.problem)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        if let Some(detail) = field.detail {
            ipc = ipc.with_detail(&format!("{}.detail", field.field), detail);
        }
        ipc = ipc.with_detail(&field.field, problem);
    }
    ipc
}

impl From<BooksError> for IpcError {
    fn from(err: BooksError) -> Self {
        match err {
            BooksError::Invalid(fields) => invalid_fields(fields),
            BooksError::NotFound { .. } => IpcError::new(ErrorCode::NotFound, err.to_string()),
            BooksError::Refused(reason) => IpcError::new(ErrorCode::Refused, err.to_string())
                .with_detail("reason", refusal_code(reason)),
            BooksError::Export(_) | BooksError::WaitingMail(_) => {
                IpcError::new(ErrorCode::Storage, err.to_string())
            }
            BooksError::Db(db) => db.into(),
        }
    }
}

impl From<FormError> for IpcError {
    fn from(err: FormError) -> Self {
        match err {
            FormError::Fields(fields) => invalid_fields(fields),
            FormError::PortContradictsSecurity { port, security } => {
                IpcError::new(ErrorCode::SmtpPortMismatch, err.to_string())
                    .with_detail("port", port.to_string())
                    .with_detail("security", security.code())
            }
        }
    }
}

impl From<EmailServiceError> for IpcError {
    fn from(err: EmailServiceError) -> Self {
        match err {
            EmailServiceError::Form(form) => form.into(),
            EmailServiceError::Mail(mail) => mail.into(),
            EmailServiceError::Secret(secret) => secret.into(),
            EmailServiceError::NotConfigured => {
                IpcError::new(ErrorCode::EmailNotConfigured, err.to_string())
            }
            EmailServiceError::SecretMissing => {
                IpcError::new(ErrorCode::EmailSecretMissing, err.to_string())
            }
            EmailServiceError::Storage(db) => db.into(),
            EmailServiceError::Corrupt(StoreError::Sqlite(_)) => {
                IpcError::new(ErrorCode::Storage, err.to_string())
            }
            EmailServiceError::Corrupt(StoreError::Corrupt(ref what)) => {
                let what = what.clone();
                IpcError::new(ErrorCode::EmailConfigInvalid, err.to_string())
                    .with_detail("fields", what)
            }
            EmailServiceError::Corrupt(StoreError::Invalid(ref form)) => {
                let fields = match form {
                    FormError::Fields(fields) => fields
                        .iter()
                        .map(|f| f.field.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    FormError::PortContradictsSecurity { .. } => "smtpPort".to_owned(),
                };
                IpcError::new(ErrorCode::EmailConfigInvalid, err.to_string())
                    .with_detail("fields", fields)
            }
        }
    }
}

impl From<SettingsError> for IpcError {
    fn from(err: SettingsError) -> Self {
        match err {
            SettingsError::Db(db) => db.into(),
            SettingsError::Corrupt { .. } => IpcError::new(ErrorCode::Storage, err.to_string()),
        }
    }
}

impl From<ReminderError> for IpcError {
    fn from(err: ReminderError) -> Self {
        match err {
            ReminderError::Invalid(fields) => invalid_fields(fields),
            ReminderError::Render(_) | ReminderError::Unstorable => {
                IpcError::new(ErrorCode::Internal, err.to_string())
            }
            ReminderError::Books(books) => books.into(),
            ReminderError::Settings(settings) => settings.into(),
            ReminderError::Outbox(outbox) => outbox.into(),
        }
    }
}

fn refusal_code(reason: cachicamo_core::books::Refusal) -> String {
    serde_json::to_value(reason)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl From<StatementError> for IpcError {
    fn from(err: StatementError) -> Self {
        match err {
            StatementError::NothingOwed => BooksError::Refused(Refusal::NothingOwed).into(),
            StatementError::Invalid(fields) => invalid_fields(fields),
            StatementError::TooMany => IpcError::field("customers", FieldProblem::TooLong),
            StatementError::Books(books) => books.into(),
            StatementError::Settings(settings) => settings.into(),
            StatementError::Outbox(outbox) => outbox.into(),
            StatementError::Render(_) | StatementError::Pdf(_) | StatementError::Unstorable => {
                IpcError::new(ErrorCode::Internal, err.to_string())
            }
        }
    }
}

impl From<WhatsAppError> for IpcError {
    fn from(err: WhatsAppError) -> Self {
        match err {
            WhatsAppError::Statement(statement) => statement.into(),
            WhatsAppError::Reminder(reminder) => reminder.into(),
            WhatsAppError::Books(books) => books.into(),
        }
    }
}

impl From<BackupError> for IpcError {
    fn from(err: BackupError) -> Self {
        let refused = |reason: &str| {
            IpcError::new(ErrorCode::BackupRefused, err.to_string()).with_detail("reason", reason)
        };
        match &err {
            BackupError::NotSqlite => refused("not_sqlite"),
            BackupError::Damaged(_) => refused("damaged"),
            BackupError::NotCachicamo => refused("not_cachicamo"),
            BackupError::TooNew { found, supported } => refused("too_new")
                .with_detail("found", found.to_string())
                .with_detail("supported", supported.to_string()),
            BackupError::UnexpectedSchema { first, more } => refused("unexpected_schema")
                .with_detail("kind", first.kind.code())
                .with_detail("name", first.name.clone())
                .with_detail("difference", first.difference.code())
                .with_detail("more", more.to_string()),
            BackupError::TooLarge { size, limit } => refused("too_large")
                .with_detail("size", size.to_string())
                .with_detail("limit", limit.to_string()),
            BackupError::NotFound { .. } => IpcError::new(ErrorCode::NotFound, err.to_string()),
            BackupError::Io { path, .. } => IpcError::new(ErrorCode::Storage, err.to_string())
                .with_detail("path", path.display().to_string()),
            BackupError::Db(db) => db.into(),
        }
    }
}

impl From<ImportFailure> for IpcError {
    fn from(failure: ImportFailure) -> Self {
        let err = match failure {
            ImportFailure::Books(books) => return books.into(),
            ImportFailure::Settings(settings) => return settings.into(),
            ImportFailure::File(err) => err,
        };
        let refused = |reason: &str| {
            IpcError::new(ErrorCode::ImportRefused, err.to_string()).with_detail("reason", reason)
        };
        match &err {
            ImportError::Empty => refused("empty"),
            ImportError::TooLarge => refused("too_large"),
            ImportError::UnknownColumns => refused("unknown_columns"),
            ImportError::MissingColumns(columns) => {
                refused("missing_columns").with_detail("columns", columns.join(", "))
            }
            ImportError::Malformed { line, .. } => {
                refused("malformed").with_detail("line", line.to_string())
            }
            ImportError::RowsHaveProblems(count) => {
                refused("rows_have_problems").with_detail("count", count.to_string())
            }
            ImportError::DifferencesNotAccepted(count) => {
                refused("differences_not_accepted").with_detail("count", count.to_string())
            }
        }
    }
}

impl From<OutboxError> for IpcError {
    fn from(err: OutboxError) -> Self {
        match &err {
            OutboxError::NotFound(_) => IpcError::new(ErrorCode::NotFound, err.to_string()),
            OutboxError::NotAllowed { state, .. } => {
                IpcError::new(ErrorCode::Refused, err.to_string())
                    .with_detail("reason", "outbox_state")
                    .with_detail("state", state.code())
            }
            OutboxError::Corrupt { .. } | OutboxError::Sqlite(_) => {
                IpcError::new(ErrorCode::Storage, err.to_string())
            }
            OutboxError::Invalid(_) | OutboxError::Stopped | OutboxError::StopTimedOut(_) => {
                IpcError::new(ErrorCode::Internal, err.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_shape_is_pinned() {
        let err = IpcError::new(ErrorCode::DatabaseTooNew, "newer").with_detail("found", "9");
        let json = serde_json::to_value(&err).expect("serialize");
        assert_eq!(
            json,
            serde_json::json!({
                "code": "database_too_new",
                "message": "newer",
                "details": { "found": "9" }
            })
        );
        let empty = serde_json::to_value(IpcError::new(ErrorCode::Internal, "bug")).expect("ser");
        assert_eq!(
            empty,
            serde_json::json!({ "code": "internal", "message": "bug", "details": {} })
        );
    }

    #[test]
    fn codes_are_snake_case_and_stable() {
        let codes = [
            (ErrorCode::DatabaseTooNew, "database_too_new"),
            (ErrorCode::DataInUse, "data_in_use"),
            (ErrorCode::Storage, "storage"),
            (ErrorCode::InvalidInput, "invalid_input"),
            (ErrorCode::SmtpPortMismatch, "smtp_port_mismatch"),
            (ErrorCode::EmailFailed, "email_failed"),
            (ErrorCode::EmailNotConfigured, "email_not_configured"),
            (ErrorCode::EmailSecretMissing, "email_secret_missing"),
            (ErrorCode::EmailConfigInvalid, "email_config_invalid"),
            (ErrorCode::KeychainUnavailable, "keychain_unavailable"),
            (ErrorCode::KeychainLocked, "keychain_locked"),
            (ErrorCode::KeychainFailed, "keychain_failed"),
            (ErrorCode::UpdateFailed, "update_failed"),
            (ErrorCode::BackupRefused, "backup_refused"),
            (ErrorCode::ImportRefused, "import_refused"),
            (ErrorCode::NotFound, "not_found"),
            (ErrorCode::Refused, "refused"),
            (ErrorCode::Internal, "internal"),
        ];
        for (code, wire) in codes {
            assert_eq!(serde_json::to_value(code).expect("ser"), wire);
        }
    }
}
