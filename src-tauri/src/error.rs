//! The wire contract for errors crossing the IPC: `{ "code", "message", "details" }`.
//!
//! `code` is a small, stable set the UI turns into localized, actionable words; `message` is an
//! English fallback for logs and bug reports; `details` carries what each code needs for its
//! words and the "Detalles" view, typed per code ([`Failure`]): the generated bindings make the
//! error a union the UI narrows by `code`, so it never reads a detail by a string key and casts.
//! The list of codes ([`ErrorCode`]) is derived from [`Failure`] and generated for the UI too.
//! Never put a secret in any of them.

use cachicamo_core::backup::{BackupError, BackupRefusal};
use cachicamo_core::books::import::{ImportError, ImportFailure};
use cachicamo_core::books::{BooksError, Refusal};
use cachicamo_core::collections::CollectionsError;
use cachicamo_core::data_lock::LockError;
use cachicamo_core::mail::config::{FormError, SmtpSecurity};
use cachicamo_core::mail::service::EmailServiceError;
use cachicamo_core::mail::store::StoreError;
use cachicamo_core::mail::{FailureClass, MailError, MailFailure, Provider};
use cachicamo_core::outbox::{OutboxError, OutboxRefusal};
use cachicamo_core::reminders::ReminderError;
use cachicamo_core::secrets::SecretError;
use cachicamo_core::settings::SettingsError;
use cachicamo_core::statements::StatementError;
use cachicamo_core::validation::{FieldError, FieldProblem};
use cachicamo_core::whatsapp::WhatsAppError;
use cachicamo_core::{wire, DbError};
use serde::Serialize;
use ts_rs::TS;

/// What went wrong, by code, with what each code carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, strum::EnumDiscriminants)]
#[serde(
    tag = "code",
    content = "details",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
#[strum_discriminants(
    name(ErrorCode),
    derive(Serialize, TS, strum::VariantArray),
    serde(rename_all = "snake_case")
)]
pub enum Failure {
    /// The database was written by a newer Cachicamo; this one refuses to touch it.
    DatabaseTooNew {
        path: String,
        found: usize,
        supported: usize,
    },
    /// Another Cachicamo process (another install, or one started on the same
    /// `CACHICAMO_DATA_DIR`) is using the data directory `dir`.
    DataInUse { dir: String },
    /// The database file could not be opened, read or written, or holds a value this version
    /// does not know (`path` when the problem is a file).
    Storage {
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        path: Option<String>,
    },
    /// The user's input was refused: each refused field with its problem.
    InvalidInput { fields: Vec<FieldError> },
    /// The SMTP port usually speaks the other security mode. Saving again with consent goes
    /// ahead.
    SmtpPortMismatch { port: u16, security: SmtpSecurity },
    /// The email provider refused or could not be reached, with the provider's own code and
    /// words for "Detalles".
    EmailFailed {
        failure: MailFailure,
        class: FailureClass,
        provider: Provider,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        provider_code: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        provider_message: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        retry_after_secs: Option<u32>,
    },
    /// No email service is configured yet.
    EmailNotConfigured {},
    /// The email service is configured but no secret typed for its destination is in the
    /// keychain (gone, or typed for another server): it must be typed again.
    EmailSecretMissing {},
    /// The saved email service is not valid (a restored or edited database): it is not used,
    /// and must be set up again. `fields` names what the form would refuse.
    EmailConfigInvalid { fields: Vec<String> },
    /// There is no keychain on this system (no Secret Service on Linux).
    KeychainUnavailable {},
    /// The keychain is locked or access was refused.
    KeychainLocked {},
    /// The keychain failed for another reason.
    KeychainFailed {},
    /// Looking for, downloading or installing an update failed (offline, bad signature…).
    UpdateFailed {},
    /// A file offered for restore was refused before anything changed.
    BackupRefused(BackupRefusal),
    /// A CSV file was refused as a whole.
    ImportRefused(ImportError),
    /// The record asked for does not exist (deleted meanwhile).
    NotFound {},
    /// The action is not allowed in the record's state.
    Refused(Refused),
    /// The system could not open a link (no browser or WhatsApp handler).
    OpenFailed {},
    /// The session's autostart entry could not be written, removed or read.
    AutostartFailed {},
    /// A bug: nothing the user can fix.
    Internal {},
}

/// Why an action was refused: the books' reasons, or the outbox's (which carry the row's state).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(untagged)]
pub enum Refused {
    Books { reason: Refusal },
    Outbox(OutboxRefusal),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IpcError {
    pub message: String,
    #[serde(flatten)]
    pub failure: Failure,
}

impl IpcError {
    pub fn new(failure: Failure, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            failure,
        }
    }

    pub fn code(&self) -> ErrorCode {
        ErrorCode::from(&self.failure)
    }

    /// A bug: nothing the user can fix.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Failure::Internal {}, message)
    }

    /// A request the window cannot have made (a file that did not arrive as bytes…).
    pub fn malformed_request(message: impl Into<String>) -> Self {
        Self::new(Failure::InvalidInput { fields: Vec::new() }, message)
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", wire::code(&self.code()), self.message)
    }
}

impl std::error::Error for IpcError {}

fn storage(message: impl Into<String>, path: Option<&std::path::Path>) -> IpcError {
    IpcError::new(
        Failure::Storage {
            path: path.map(|p| p.display().to_string()),
        },
        message,
    )
}

impl From<&DbError> for IpcError {
    fn from(err: &DbError) -> Self {
        match err {
            DbError::TooNew {
                path,
                found,
                supported,
            } => IpcError::new(
                Failure::DatabaseTooNew {
                    path: path.display().to_string(),
                    found: *found,
                    supported: *supported,
                },
                err.to_string(),
            ),
            DbError::Open { path, .. } | DbError::File { path, .. } => {
                storage(err.to_string(), Some(path))
            }
            DbError::Migration(_) | DbError::Sqlite(_) | DbError::Busy => {
                storage(err.to_string(), None)
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
            LockError::InUse { dir } => IpcError::new(
                Failure::DataInUse {
                    dir: dir.display().to_string(),
                },
                err.to_string(),
            ),
            LockError::Io { dir, .. } => storage(err.to_string(), Some(dir)),
        }
    }
}

impl From<MailError> for IpcError {
    fn from(err: MailError) -> Self {
        let message = err.to_string();
        IpcError::new(
            Failure::EmailFailed {
                failure: err.failure,
                class: err.class(),
                provider: err.provider,
                provider_code: err.provider_code,
                provider_message: err.provider_message,
                retry_after_secs: err
                    .retry_after
                    .map(|wait| u32::try_from(wait.as_secs()).unwrap_or(u32::MAX)),
            },
            message,
        )
    }
}

impl From<SecretError> for IpcError {
    fn from(err: SecretError) -> Self {
        let failure = match &err {
            SecretError::Unavailable { .. } => Failure::KeychainUnavailable {},
            SecretError::Locked { .. } => Failure::KeychainLocked {},
            SecretError::Failed { .. } | SecretError::InstallId { .. } => {
                Failure::KeychainFailed {}
            }
        };
        IpcError::new(failure, err.to_string())
    }
}

/// `invalid_input`, with each refused field, its problem and what the problem is about.
fn invalid_fields(fields: Vec<FieldError>) -> IpcError {
    IpcError::new(Failure::InvalidInput { fields }, "some fields are invalid")
}

impl From<BooksError> for IpcError {
    fn from(err: BooksError) -> Self {
        match err {
            BooksError::Invalid(fields) => invalid_fields(fields),
            BooksError::NotFound { .. } => IpcError::new(Failure::NotFound {}, err.to_string()),
            BooksError::Refused(reason) => {
                IpcError::new(Failure::Refused(Refused::Books { reason }), err.to_string())
            }
            BooksError::Export(_) | BooksError::WaitingMail(_) => storage(err.to_string(), None),
            BooksError::Db(db) => db.into(),
        }
    }
}

impl From<FormError> for IpcError {
    fn from(err: FormError) -> Self {
        match err {
            FormError::Fields(fields) => invalid_fields(fields),
            FormError::PortContradictsSecurity { port, security } => IpcError::new(
                Failure::SmtpPortMismatch { port, security },
                err.to_string(),
            ),
        }
    }
}

impl From<EmailServiceError> for IpcError {
    fn from(err: EmailServiceError) -> Self {
        let invalid = |fields: Vec<String>, message: String| {
            IpcError::new(Failure::EmailConfigInvalid { fields }, message)
        };
        match err {
            EmailServiceError::Form(form) => form.into(),
            EmailServiceError::Mail(mail) => mail.into(),
            EmailServiceError::Secret(secret) => secret.into(),
            EmailServiceError::NotConfigured => {
                IpcError::new(Failure::EmailNotConfigured {}, err.to_string())
            }
            EmailServiceError::SecretMissing => {
                IpcError::new(Failure::EmailSecretMissing {}, err.to_string())
            }
            EmailServiceError::Storage(db) => db.into(),
            EmailServiceError::Corrupt(StoreError::Sqlite(_)) => storage(err.to_string(), None),
            EmailServiceError::Corrupt(StoreError::Corrupt(ref what)) => {
                invalid(vec![what.clone()], err.to_string())
            }
            EmailServiceError::Corrupt(StoreError::Invalid(ref form)) => {
                let fields = match form {
                    FormError::Fields(fields) => fields.iter().map(|f| f.field.clone()).collect(),
                    FormError::PortContradictsSecurity { .. } => vec!["smtpPort".to_owned()],
                };
                invalid(fields, err.to_string())
            }
        }
    }
}

impl From<SettingsError> for IpcError {
    fn from(err: SettingsError) -> Self {
        match err {
            SettingsError::Db(db) => db.into(),
            SettingsError::Corrupt { .. } => storage(err.to_string(), None),
        }
    }
}

impl From<CollectionsError> for IpcError {
    fn from(err: CollectionsError) -> Self {
        match err {
            CollectionsError::Invalid(fields) => invalid_fields(fields),
            CollectionsError::Corrupt { .. } => storage(err.to_string(), None),
            CollectionsError::Statement(_) => IpcError::internal(err.to_string()),
            CollectionsError::Books(books) => books.into(),
            CollectionsError::Db(db) => db.into(),
        }
    }
}

impl From<ReminderError> for IpcError {
    fn from(err: ReminderError) -> Self {
        match err {
            ReminderError::Invalid(fields) => invalid_fields(fields),
            ReminderError::Render(_) | ReminderError::Unstorable => {
                IpcError::internal(err.to_string())
            }
            ReminderError::Books(books) => books.into(),
            ReminderError::Settings(settings) => settings.into(),
            ReminderError::Outbox(outbox) => outbox.into(),
        }
    }
}

impl From<StatementError> for IpcError {
    fn from(err: StatementError) -> Self {
        match err {
            StatementError::NothingOwed => BooksError::Refused(Refusal::NothingOwed).into(),
            StatementError::Invalid(fields) => invalid_fields(fields),
            StatementError::TooMany => invalid_fields(vec![FieldError {
                field: "customers".to_owned(),
                problem: FieldProblem::TooLong,
                detail: None,
            }]),
            StatementError::Books(books) => books.into(),
            StatementError::Settings(settings) => settings.into(),
            StatementError::Outbox(outbox) => outbox.into(),
            StatementError::Render(_) | StatementError::Pdf(_) | StatementError::Unstorable => {
                IpcError::internal(err.to_string())
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
        match err {
            BackupError::Refused(refusal) => {
                let message = refusal.to_string();
                IpcError::new(Failure::BackupRefused(refusal), message)
            }
            BackupError::NotFound { .. } => IpcError::new(Failure::NotFound {}, err.to_string()),
            BackupError::Io { ref path, .. } => storage(err.to_string(), Some(path)),
            BackupError::Db(db) => db.into(),
        }
    }
}

impl From<ImportFailure> for IpcError {
    fn from(failure: ImportFailure) -> Self {
        match failure {
            ImportFailure::Books(books) => books.into(),
            ImportFailure::Settings(settings) => settings.into(),
            ImportFailure::File(err) => {
                let message = err.to_string();
                IpcError::new(Failure::ImportRefused(err), message)
            }
        }
    }
}

impl From<OutboxError> for IpcError {
    fn from(err: OutboxError) -> Self {
        match &err {
            OutboxError::NotFound(_) => IpcError::new(Failure::NotFound {}, err.to_string()),
            OutboxError::NotAllowed { refusal, .. } => {
                IpcError::new(Failure::Refused(Refused::Outbox(*refusal)), err.to_string())
            }
            OutboxError::Corrupt { .. } | OutboxError::Sqlite(_) => storage(err.to_string(), None),
            OutboxError::Invalid(_) | OutboxError::Stopped | OutboxError::StopTimedOut(_) => {
                IpcError::internal(err.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use cachicamo_core::outbox::{OutboxState, OwnerAction};
    use serde_json::json;
    use strum::VariantArray;

    use super::*;

    #[test]
    fn the_json_shape_is_pinned() {
        let err = IpcError::new(
            Failure::DatabaseTooNew {
                path: "/data/cachicamo.sqlite3".into(),
                found: 9,
                supported: 7,
            },
            "newer",
        );
        assert_eq!(
            serde_json::to_value(&err).expect("serialize"),
            json!({
                "code": "database_too_new",
                "message": "newer",
                "details": { "path": "/data/cachicamo.sqlite3", "found": 9, "supported": 7 }
            })
        );
        assert_eq!(
            serde_json::to_value(IpcError::internal("bug")).expect("ser"),
            json!({ "code": "internal", "message": "bug", "details": {} })
        );
        let refused = IpcError::new(
            Failure::Refused(Refused::Outbox(OutboxRefusal::OutboxState {
                state: OutboxState::Sent,
                action: OwnerAction::Cancel,
            })),
            "no",
        );
        assert_eq!(
            serde_json::to_value(refused).expect("ser")["details"],
            json!({ "reason": "outbox_state", "state": "sent", "action": "cancel" })
        );
    }

    /// An example of each code's details (exhaustive: a new code must get one here).
    fn example(code: ErrorCode) -> Failure {
        match code {
            ErrorCode::DatabaseTooNew => Failure::DatabaseTooNew {
                path: "db".into(),
                found: 2,
                supported: 1,
            },
            ErrorCode::DataInUse => Failure::DataInUse { dir: "dir".into() },
            ErrorCode::Storage => Failure::Storage { path: None },
            ErrorCode::InvalidInput => Failure::InvalidInput { fields: vec![] },
            ErrorCode::SmtpPortMismatch => Failure::SmtpPortMismatch {
                port: 465,
                security: SmtpSecurity::Starttls,
            },
            ErrorCode::EmailFailed => {
                IpcError::from(MailError::new(Provider::Smtp, MailFailure::Offline)).failure
            }
            ErrorCode::EmailNotConfigured => Failure::EmailNotConfigured {},
            ErrorCode::EmailSecretMissing => Failure::EmailSecretMissing {},
            ErrorCode::EmailConfigInvalid => Failure::EmailConfigInvalid { fields: vec![] },
            ErrorCode::KeychainUnavailable => Failure::KeychainUnavailable {},
            ErrorCode::KeychainLocked => Failure::KeychainLocked {},
            ErrorCode::KeychainFailed => Failure::KeychainFailed {},
            ErrorCode::UpdateFailed => Failure::UpdateFailed {},
            ErrorCode::BackupRefused => Failure::BackupRefused(BackupRefusal::NotSqlite),
            ErrorCode::ImportRefused => Failure::ImportRefused(ImportError::Empty),
            ErrorCode::NotFound => Failure::NotFound {},
            ErrorCode::Refused => Failure::Refused(Refused::Books {
                reason: Refusal::NotPending,
            }),
            ErrorCode::OpenFailed => Failure::OpenFailed {},
            ErrorCode::AutostartFailed => Failure::AutostartFailed {},
            ErrorCode::Internal => Failure::Internal {},
        }
    }

    #[test]
    fn every_code_is_pinned_and_is_the_one_its_details_travel_under() {
        for code in ErrorCode::VARIANTS {
            let wire = match code {
                ErrorCode::DatabaseTooNew => "database_too_new",
                ErrorCode::DataInUse => "data_in_use",
                ErrorCode::Storage => "storage",
                ErrorCode::InvalidInput => "invalid_input",
                ErrorCode::SmtpPortMismatch => "smtp_port_mismatch",
                ErrorCode::EmailFailed => "email_failed",
                ErrorCode::EmailNotConfigured => "email_not_configured",
                ErrorCode::EmailSecretMissing => "email_secret_missing",
                ErrorCode::EmailConfigInvalid => "email_config_invalid",
                ErrorCode::KeychainUnavailable => "keychain_unavailable",
                ErrorCode::KeychainLocked => "keychain_locked",
                ErrorCode::KeychainFailed => "keychain_failed",
                ErrorCode::UpdateFailed => "update_failed",
                ErrorCode::BackupRefused => "backup_refused",
                ErrorCode::ImportRefused => "import_refused",
                ErrorCode::NotFound => "not_found",
                ErrorCode::Refused => "refused",
                ErrorCode::OpenFailed => "open_failed",
                ErrorCode::AutostartFailed => "autostart_failed",
                ErrorCode::Internal => "internal",
            };
            assert_eq!(wire::code(code), wire);
            let err = IpcError::new(example(*code), "m");
            assert_eq!(err.code(), *code);
            let json = serde_json::to_value(&err).expect("ser");
            assert_eq!(json["code"], wire);
            assert!(json["details"].is_object(), "{wire}: details is an object");
        }
    }

    #[test]
    fn a_mail_failure_carries_its_class_and_the_providers_words() {
        let err = IpcError::from(
            MailError::new(Provider::Resend, MailFailure::RateLimited)
                .code("rate_limit_exceeded")
                .message("slow down")
                .retry_after(Some(std::time::Duration::from_secs(30))),
        );
        assert_eq!(
            serde_json::to_value(err).expect("ser")["details"],
            json!({
                "failure": "rate_limited",
                "class": "transient",
                "provider": "resend",
                "providerCode": "rate_limit_exceeded",
                "providerMessage": "slow down",
                "retryAfterSecs": 30
            })
        );
    }
}
