//! Every core error turned into the wire contract, each in one place: which code it travels
//! under, what its details carry, and the English message for logs. Commands only write `?`;
//! what the window can do about a failure is decided here, never in a command.

use cachicamo_core::backup::BackupError;
use cachicamo_core::books::import::ImportFailure;
use cachicamo_core::books::{BooksError, Refusal};
use cachicamo_core::collections::CollectionsError;
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

use super::{Failure, IpcError, Refused};

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
            CollectionsError::UnknownPolicy { .. } => {
                IpcError::new(Failure::NotFound {}, err.to_string())
            }
            CollectionsError::Statement(_)
            | CollectionsError::Reminder(_)
            | CollectionsError::ShopPolicy => IpcError::internal(err.to_string()),
            CollectionsError::Books(books) => books.into(),
            CollectionsError::Settings(settings) => settings.into(),
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
    use cachicamo_core::mail::{MailFailure, Provider};
    use serde_json::json;

    use super::*;

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
